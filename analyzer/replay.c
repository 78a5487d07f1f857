/*
 * replay.c — drives the replay (replay.h): reads the log record by record
 * (formats/log_reader.h), keeps the process, modules, threads and stacks as
 * read, feeds BATCH events and SNAPSHOTs to the merge (merge.h), releases
 * them in time order as watermarks allow, and applies each released event
 * to the live set (live_set.h), the sites (sites.h), the timeline
 * (timeline.h) and the class model (classes.h). docs/analysis.md explains
 * the algorithms; this file only wires them.
 *
 * Invariants, between two released events:
 *   live_blocks == mp_live_count(live) == sum over sites of live blocks
 *   live_bytes  == sum of the live entries' bytes
 *   peak_bytes  == the largest live_bytes so far; epoch counts its rises
 *   every SNAPSHOT copy in the FIFO snap_head..snap_tail has exactly one
 *   merge event pointing to it, in the same order (snapshots arrive and
 *   leave in time order on their own queue, queue 0).
 * Thread i (dense, in order of first sight) uses merge queue i + 1.
 */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classes.h"
#include "growth.h"
#include "id_map.h"
#include "leak_kinds.h"
#include "live_set.h"
#include "merge.h"
#include "sites.h"
#include "timeline.h"

#define SNAPSHOT_QUEUE 0

#ifndef MP_DEBUG
#define MP_DEBUG 0
#endif
/* Structure walks (docs: STYLE.md, debug levels): the invariants above at
 * the end of the replay from level 2, after every release from level 3. */
static const int check_level = MP_DEBUG;

typedef struct thread {
    mp_replay_thread_t pub;
    uint64_t last_alloc_seq; /* its latest allocation's seq (temporaries) */
} thread_t;

/* A SNAPSHOT waiting in the merge: its record, with the classes copied. */
typedef struct snap_copy {
    struct snap_copy *next;
    mp_rec_snapshot_t rec;   /* rec.classes points to classes[] */
    mp_class_stat_t classes[];
} snap_copy_t;

typedef struct module {
    mp_replay_module_t pub;
} module_t;

struct mp_replay {
    mp_reader_t *reader;
    uint64_t file_size;
    int ran;

    int have_process;
    mp_replay_process_t process;
    char *exe;
    char **argv;

    mp_sites_t *sites;
    mp_live_set_t *live;        /* NULL once dropped (mp_replay_drop_live) */
    size_t live_memory;         /* its memory when it was dropped */
    mp_merge_t *merge;
    mp_series_t *timeline;
    mp_classes_t *classes;     /* created with PROCESS (heap page size) */

    mp_id_map_t *thread_ids;   /* tid -> thread index */
    thread_t *threads;
    size_t threads_cap;
    mp_id_map_t *module_ids;   /* module id -> module index */
    module_t *modules;
    size_t modules_cap;

    snap_copy_t *snap_head, *snap_tail;

    /* Replay state. */
    uint64_t live_bytes, live_blocks;
    uint64_t alloc_seq;        /* allocations replayed */
    uint64_t epoch;            /* times the global peak rose */
    uint64_t last_ts;          /* latest timestamp seen anywhere */
    uint64_t wm;               /* latest watermark */
    int have_wm;
    int64_t cur_chunk;

    mp_replay_summary_t sum;
    mp_replay_point_t *points;
    size_t npoints;

    /* Retention data (replay.h): growth chains (full mode), HOLLOW scans. */
    mp_growth_t *growth;
    mp_replay_hollow_t *hollow;
    size_t nhollow, hollow_cap;
    int have_hollow;
    mp_leak_kinds_t *kinds;          /* LEAKSCAN records */
};

/* ---- Open and close ---------------------------------------------------- */

int mp_replay_open(const char *path, mp_replay_t **out, mp_log_error_t *err)
{
    mp_log_error_t local;
    if (!err)
        err = &local;
    *out = NULL;
    mp_replay_t *r = calloc(1, sizeof *r);
    if (!r) {
        memset(err, 0, sizeof *err);
        err->code = MP_ELOG_NOMEM;
        strcpy(err->msg, "out of memory");
        return MP_ELOG_NOMEM;
    }
    int rc = mp_reader_open(path, &r->reader, err);
    if (rc != 0) {
        free(r);
        return rc;
    }
    struct stat st;
    if (stat(path, &st) == 0)
        r->file_size = (uint64_t)st.st_size;
    if (mp_sites_create(&r->sites) != 0 || mp_live_set_create(&r->live) != 0 ||
        mp_merge_create(&r->merge) != 0 ||
        mp_timeline_create(&r->timeline, MP_REPLAY_TIMELINE_POINTS) != 0 ||
        mp_id_map_create(&r->thread_ids) != 0 || mp_id_map_create(&r->module_ids) != 0 ||
        mp_growth_create(&r->growth) != 0) {
        mp_replay_close(r);
        memset(err, 0, sizeof *err);
        err->code = MP_ELOG_NOMEM;
        strcpy(err->msg, "out of memory");
        return MP_ELOG_NOMEM;
    }
    r->cur_chunk = -1;
    *out = r;
    return 0;
}

void mp_replay_close(mp_replay_t *r)
{
    if (!r)
        return;
    mp_reader_close(r->reader);
    free(r->exe);
    if (r->argv)
        for (uint32_t i = 0; i < r->process.argc; i++)
            free(r->argv[i]);
    free(r->argv);
    mp_sites_destroy(r->sites);
    mp_live_set_destroy(r->live);
    mp_merge_destroy(r->merge);
    mp_series_destroy(r->timeline);
    mp_classes_destroy(r->classes);
    mp_id_map_destroy(r->thread_ids);
    free(r->threads);
    for (size_t i = 0; r->modules && i < mp_id_map_count(r->module_ids); i++) {
        free((char *)r->modules[i].pub.path);
        free((uint8_t *)r->modules[i].pub.build_id);
        free((mp_segment_t *)r->modules[i].pub.segs);
    }
    free(r->modules);
    mp_id_map_destroy(r->module_ids);
    while (r->snap_head) {
        snap_copy_t *s = r->snap_head;
        r->snap_head = s->next;
        free(s);
    }
    free(r->points);
    mp_growth_destroy(r->growth);
    free(r->hollow);
    mp_leak_kinds_destroy(r->kinds);
    free(r);
}

/* ---- Records as read --------------------------------------------------- */

static char *dup_str(mp_str_t s)
{
    char *d = malloc(s.len + 1);
    if (d) {
        if (s.len)
            memcpy(d, s.ptr, s.len);
        d[s.len] = 0;
    }
    return d;
}

static void see_ts(mp_replay_t *r, uint64_t ts)
{
    if (ts > r->last_ts)
        r->last_ts = ts;
}

static int on_process(mp_replay_t *r, const mp_rec_process_t *p)
{
    if (r->have_process)
        return 0; /* the reader refuses a second one */
    mp_replay_process_t *q = &r->process;
    q->pid = p->pid;
    q->ppid = p->ppid;
    q->start_real_ns = p->start_real_ns;
    q->start_mono_ns = p->start_mono_ns;
    q->page_size = p->page_size;
    q->heap_page_size = p->heap_page_size;
    q->mode = p->mode;
    q->sample_interval = p->sample_interval;
    q->max_depth = p->max_depth;
    r->exe = dup_str(p->exe);
    r->argv = calloc(p->argc ? p->argc : 1, sizeof *r->argv);
    if (!r->exe || !r->argv)
        return MP_ELOG_NOMEM;
    for (uint32_t i = 0; i < p->argc; i++) {
        q->argc = i + 1; /* close frees what was copied */
        if (!(r->argv[i] = dup_str(p->argv[i])))
            return MP_ELOG_NOMEM;
    }
    q->exe = r->exe;
    q->argv = (const char *const *)r->argv;
    int rc = mp_classes_create(&r->classes, p->heap_page_size);
    if (rc != 0)
        return rc;
    r->have_process = 1;
    return 0;
}

static int on_module(mp_replay_t *r, const mp_rec_module_t *m)
{
    uint32_t idx;
    if (mp_id_map_find(r->module_ids, m->id, &idx))
        return 0; /* ids are never reused: keep the first */
    size_t n = mp_id_map_count(r->module_ids);
    if (n == r->modules_cap) {
        size_t cap = r->modules_cap ? r->modules_cap * 2 : 32;
        module_t *p = realloc(r->modules, cap * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        r->modules = p;
        r->modules_cap = cap;
    }
    mp_replay_module_t *q = &r->modules[n].pub;
    memset(q, 0, sizeof *q);
    q->path = dup_str(m->path);
    q->build_id = malloc(m->build_id.len ? m->build_id.len : 1);
    q->segs = malloc(m->nseg ? m->nseg * sizeof *m->segs : 1);
    if (!q->path || !q->build_id || !q->segs) {
        free((char *)q->path);
        free((uint8_t *)q->build_id);
        free((mp_segment_t *)q->segs);
        return MP_ELOG_NOMEM;
    }
    int rc = mp_id_map_add(r->module_ids, m->id, &idx);
    if (rc < 0) {
        free((char *)q->path);
        free((uint8_t *)q->build_id);
        free((mp_segment_t *)q->segs);
        return rc;
    }
    q->id = m->id;
    q->ts = m->ts;
    q->bias = m->bias;
    if (m->build_id.len)
        memcpy((uint8_t *)q->build_id, m->build_id.ptr, m->build_id.len);
    q->build_id_len = m->build_id.len;
    if (m->nseg)
        memcpy((mp_segment_t *)q->segs, m->segs, m->nseg * sizeof *m->segs);
    q->nseg = m->nseg;
    see_ts(r, m->ts);
    return 0;
}

/* The index of thread tid, added if new. */
static int thread_index(mp_replay_t *r, uint64_t tid, uint32_t *index)
{
    if (mp_id_map_find(r->thread_ids, tid, index))
        return 0;
    size_t n = mp_id_map_count(r->thread_ids);
    if (n == r->threads_cap) {
        size_t cap = r->threads_cap ? r->threads_cap * 2 : 64;
        thread_t *p = realloc(r->threads, cap * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        r->threads = p;
        r->threads_cap = cap;
    }
    if (n >= UINT32_MAX - 1)
        return MP_ELOG_INVAL; /* queue index = thread index + 1 */
    int rc = mp_id_map_add(r->thread_ids, tid, index);
    if (rc < 0)
        return rc;
    memset(&r->threads[*index], 0, sizeof r->threads[*index]);
    r->threads[*index].pub.tid = tid;
    return 0;
}

static int on_thread(mp_replay_t *r, const mp_rec_thread_t *t)
{
    uint32_t idx;
    int rc = thread_index(r, t->tid, &idx);
    if (rc != 0)
        return rc;
    size_t len = t->name.len <= MP_LOG_MAX_THREAD_NAME ? t->name.len : MP_LOG_MAX_THREAD_NAME;
    memcpy(r->threads[idx].pub.name, t->name.ptr, len);
    r->threads[idx].pub.name[len] = 0;
    see_ts(r, t->ts);
    return 0;
}

static int on_batch(mp_replay_t *r, const mp_rec_batch_t *b)
{
    uint32_t thread;
    int rc = thread_index(r, b->tid, &thread);
    if (rc != 0)
        return rc;
    mp_batch_iter_t it;
    mp_event_t ev;
    mp_batch_iter_init(&it, b);
    while ((rc = mp_batch_next(&it, &ev)) > 0) {
        mp_mev_t m;
        memset(&m, 0, sizeof m);
        m.ts = ev.ts;
        m.kind = ev.kind;
        m.queue = thread + 1;
        m.addr = ev.addr;
        m.size = ev.size;
        switch (ev.kind) {
        case MP_EV_ALLOC:
        case MP_EV_REALLOC:
        case MP_EV_SAMPLE:
            /* A stack no STACK record defined (format.md: the record comes
             * first) goes to stack 0, "no stack": ids that name nothing
             * must not make sites, or a hostile log could make one per
             * event. */
            if (!mp_sites_find(r->sites, ev.stack, &m.site)) {
                if (ev.stack != 0)
                    r->sum.undefined_stacks++;
                if ((rc = mp_sites_lookup(r->sites, 0, &m.site)) != 0)
                    return rc;
            }
            if (ev.kind == MP_EV_REALLOC)
                m.u.old = ev.old_addr;
            else if (ev.kind == MP_EV_SAMPLE)
                m.u.weight = ev.weight;
            break;
        case MP_EV_SPAN:
            m.size = ev.pages;
            m.op = ev.op > UINT8_MAX ? UINT8_MAX : (uint8_t)ev.op;
            m.cls = ev.cls > UINT16_MAX ? UINT16_MAX : (uint16_t)ev.cls;
            break;
        default:
            break; /* FREE: addr only */
        }
        see_ts(r, ev.ts);
        r->sum.events++;
        if ((rc = mp_merge_push(r->merge, &m)) != 0)
            return rc;
    }
    /* The reader checked the batch; an iteration error cannot happen. */
    return rc < 0 ? MP_ELOG_CORRUPT : 0;
}

static int on_snapshot(mp_replay_t *r, const mp_rec_snapshot_t *s)
{
    snap_copy_t *c = malloc(sizeof *c + s->n * sizeof c->classes[0]);
    if (!c)
        return MP_ELOG_NOMEM;
    c->next = NULL;
    c->rec = *s;
    if (s->n)
        memcpy(c->classes, s->classes, s->n * sizeof c->classes[0]);
    c->rec.classes = c->classes;
    mp_mev_t m;
    memset(&m, 0, sizeof m);
    m.ts = s->ts;
    m.kind = MP_MEV_SNAPSHOT;
    m.queue = SNAPSHOT_QUEUE;
    m.u.snapshot = c;
    int rc = mp_merge_push(r->merge, &m);
    if (rc != 0) {
        free(c);
        return rc;
    }
    if (r->snap_tail)
        r->snap_tail->next = c;
    else
        r->snap_head = c;
    r->snap_tail = c;
    see_ts(r, s->ts);
    return 0;
}

/* ---- Applying released events ------------------------------------------ */

static int ready(void *arg, const mp_mev_t *e)
{
    mp_replay_t *r = arg;
    switch (e->kind) {
    case MP_EV_ALLOC:
    case MP_EV_SAMPLE:
        return mp_live_find(r->live, e->addr) == NULL;
    case MP_EV_FREE:
        return mp_live_find(r->live, e->addr) != NULL;
    case MP_EV_REALLOC:
        if (e->u.old && !mp_live_find(r->live, e->u.old))
            return 0;
        if (e->addr && e->addr != e->u.old && mp_live_find(r->live, e->addr))
            return 0;
        return 1;
    default:
        return 1;
    }
}

static int full_mode(const mp_replay_t *r)
{
    return r->process.mode != MP_MODE_SAMPLED;
}

/* ---- Growth chains (growth.h) ------------------------------------------ */

/* Bytes allocated so far by stacks other than site's. */
static uint64_t other_bytes(const mp_replay_t *r, uint32_t site)
{
    const mp_replay_site_t *s = mp_sites_get(r->sites, site);
    uint64_t own = s ? s->bytes_allocated : 0;
    return r->sum.bytes_allocated >= own ? r->sum.bytes_allocated - own : 0;
}

/* Allocations made so far by stacks other than site's. */
static uint64_t other_allocs(const mp_replay_t *r, uint32_t site)
{
    const mp_replay_site_t *s = mp_sites_get(r->sites, site);
    uint64_t own = s ? s->allocs : 0;
    return r->alloc_seq >= own ? r->alloc_seq - own : 0;
}

static mp_growth_block_t growth_block(const mp_live_block_t *b)
{
    mp_growth_block_t g = {b->addr, b->size, b->ts, b->seq, b->site};
    return g;
}

/* A FREE of live block b (still in the live set). An out-of-memory here
 * only loses chains: the replay goes on. */
static void growth_free(mp_replay_t *r, const mp_live_block_t *b)
{
    mp_growth_block_t g = growth_block(b);
    uint64_t latest = mp_growth_latest(r->growth, b->site);
    int latest_live = latest && latest != b->addr && mp_live_find(r->live, latest);
    (void)mp_growth_free(r->growth, &g, latest_live, other_bytes(r, b->site),
                         other_allocs(r, b->site));
}

/* Frees addr for event e (a FREE, or a REALLOC's old block). */
static void do_free(mp_replay_t *r, const mp_mev_t *e, uint64_t addr, int from_realloc)
{
    mp_live_block_t *b = mp_live_find(r->live, addr);
    thread_t *t = &r->threads[e->queue - 1];
    if (!b) {
        if (from_realloc)
            r->sum.unknown_realloc_olds++;
        else
            r->sum.unknown_frees++;
        return;
    }
    uint64_t lifetime = e->ts > b->ts ? e->ts - b->ts : 0;
    /* Temporary: freed by the thread that allocated it, before that thread
     * allocated anything else (docs/analysis.md). A REALLOC's old block
     * lives on in the new one: never temporary. */
    int temporary = !from_realloc && b->thread == e->queue - 1 &&
                    t->last_alloc_seq == b->seq;
    mp_sites_free(r->sites, b->site, b->bytes, lifetime, temporary, r->epoch);
    if (full_mode(r) && r->classes)
        mp_classes_free(r->classes, b->size, r->epoch);
    if (full_mode(r) && !from_realloc)
        growth_free(r, b);
    r->live_bytes -= b->bytes;
    r->live_blocks--;
    r->sum.bytes_freed += b->bytes;
    if (temporary)
        r->sum.temporary++;
    if (!from_realloc) {
        r->sum.frees++;
        t->pub.frees++;
    }
    mp_live_remove(r->live, b);
}

static int do_alloc(mp_replay_t *r, const mp_mev_t *e, uint64_t bytes, int is_realloc)
{
    mp_live_block_t *b = mp_live_find(r->live, e->addr);
    if (b) {
        /* Allocated twice without a free in between: the log broke the
         * ordering rule. The older block is gone; do not count a free. */
        r->sum.alloc_of_live++;
        mp_sites_drop(r->sites, b->site, b->bytes, r->epoch);
        if (full_mode(r) && r->classes)
            mp_classes_free(r->classes, b->size, r->epoch);
        r->live_bytes -= b->bytes;
        r->live_blocks--;
        mp_live_remove(r->live, b);
    }
    int rc = mp_live_insert(r->live, e->addr, &b);
    if (rc != 0)
        return rc;
    thread_t *t = &r->threads[e->queue - 1];
    b->size = e->size;
    b->bytes = bytes;
    b->ts = e->ts;
    b->seq = ++r->alloc_seq;
    b->site = e->site;
    b->thread = e->queue - 1;
    t->last_alloc_seq = b->seq;
    t->pub.allocs++;
    t->pub.bytes_allocated += bytes;
    double est = 1;
    if (e->kind == MP_EV_SAMPLE)
        est = e->size ? (double)bytes / (double)e->size : 1;
    r->sum.est_allocs += est;
    mp_sites_alloc(r->sites, e->site, bytes, est, e->ts, is_realloc, r->epoch);
    if (full_mode(r) && r->classes)
        mp_classes_alloc(r->classes, e->size, r->epoch);
    if (full_mode(r) && !is_realloc) {
        mp_growth_block_t g = growth_block(b);
        (void)mp_growth_alloc(r->growth, &g);
    }
    r->live_bytes += bytes;
    r->live_blocks++;
    r->sum.bytes_allocated += bytes;
    if (r->live_blocks > r->sum.max_live_blocks)
        r->sum.max_live_blocks = r->live_blocks;
    return 0;
}

/* After an event that changed the live set. */
static void after_change(mp_replay_t *r, uint64_t ts)
{
    if (r->live_bytes > r->sum.peak_bytes) {
        r->sum.peak_bytes = r->live_bytes;
        r->sum.peak_blocks = r->live_blocks;
        r->sum.peak_ts = ts;
        r->epoch++;
        if (r->classes)
            mp_classes_peak(r->classes, ts);
    }
    mp_timeline_add(r->timeline, ts, r->live_bytes, r->live_blocks);
}

static int apply(void *arg, const mp_mev_t *e)
{
    mp_replay_t *r = arg;
    int rc = 0;
    switch (e->kind) {
    case MP_EV_ALLOC:
        r->sum.allocs++;
        if (e->addr)
            rc = do_alloc(r, e, e->size, 0);
        break;
    case MP_EV_SAMPLE:
        r->sum.allocs++;
        r->sum.samples++;
        if (e->addr)
            rc = do_alloc(r, e, e->u.weight ? e->u.weight : e->size, 0);
        break;
    case MP_EV_FREE:
        if (e->addr)
            do_free(r, e, e->addr, 0);
        break;
    case MP_EV_REALLOC: {
        r->sum.reallocs++;
        mp_growth_block_t old = {0, 0, 0, 0, 0}, nw = {0, 0, 0, 0, 0};
        const mp_live_block_t *ob = e->u.old ? mp_live_find(r->live, e->u.old) : NULL;
        if (ob)
            old = growth_block(ob);
        if (e->u.old)
            do_free(r, e, e->u.old, 1);
        if (e->addr)
            rc = do_alloc(r, e, e->size, 1);
        const mp_live_block_t *nb = e->addr && rc == 0 ? mp_live_find(r->live, e->addr) : NULL;
        if (nb)
            nw = growth_block(nb);
        if (full_mode(r) && rc == 0)
            (void)mp_growth_realloc(r->growth, &old, &nw, other_bytes(r, nw.site),
                                    other_allocs(r, nw.site));
        break;
    }
    case MP_EV_SPAN:
        r->sum.span_events++;
        if (r->classes && mp_classes_span(r->classes, e->op, e->cls, e->size, r->epoch))
            r->sum.bad_class++;
        return 0;
    case MP_MEV_SNAPSHOT: {
        snap_copy_t *c = r->snap_head; /* == e->u.snapshot: same order */
        r->snap_head = c->next;
        if (!r->snap_head)
            r->snap_tail = NULL;
        if (r->classes) {
            rc = mp_classes_snapshot(r->classes, &c->rec, r->epoch);
            if (rc == 1) {
                r->sum.bad_class++;
                rc = 0;
            }
        }
        free(c);
        return rc;
    }
    default:
        return 0;
    }
    if (rc == 0)
        after_change(r, e->ts);
    return rc;
}

/* ---- The pass ---------------------------------------------------------- */

/* The invariants at the top of this file; a failure is a bug in the
 * analyzer, never in the log, hence abort (debug builds only). */
static void check(const mp_replay_t *r, const char *where)
{
    uint64_t blocks, bytes;
    mp_sites_live_total(r->sites, &blocks, &bytes);
    const char *bad = NULL;
    if (mp_live_check(r->live) != 0)
        bad = "live set";
    else if (mp_merge_check(r->merge) != 0)
        bad = "merge";
    else if (mp_live_count(r->live) != r->live_blocks || blocks != r->live_blocks ||
             bytes != r->live_bytes)
        bad = "live totals";
    if (bad) {
        fprintf(stderr, "memprof: replay invariant broken (%s) %s\n", bad, where);
        abort();
    }
}

static int release(mp_replay_t *r, int all)
{
    if (!all && !r->have_wm)
        return 0;
    int rc = mp_merge_release(r->merge, r->wm, all, ready, apply, r);
    if (check_level >= 3)
        check(r, "after a release");
    return rc;
}

/* A HOLLOW record: kept as read (at most one entry per large live block
 * per scan; the latest scan of a block wins in mp_replay_hollow). */
static int on_hollow(mp_replay_t *r, const mp_rec_hollow_t *h)
{
    r->have_hollow = 1;
    see_ts(r, h->ts);
    for (uint32_t i = 0; i < h->n; i++) {
        if (r->nhollow == r->hollow_cap) {
            size_t cap = r->hollow_cap ? 2 * r->hollow_cap : 64;
            mp_replay_hollow_t *p = realloc(r->hollow, cap * sizeof *p);
            if (!p)
                return MP_ELOG_NOMEM;
            r->hollow = p;
            r->hollow_cap = cap;
        }
        mp_replay_hollow_t *x = &r->hollow[r->nhollow++];
        x->addr = h->blocks[i].addr;
        x->size = h->blocks[i].size;
        x->ts = h->ts;
        x->page_size = h->page_size;
        x->zero_pages = h->blocks[i].zero_pages;
        x->untouched_pages = h->blocks[i].untouched_pages;
    }
    return 0;
}

static int on_record(mp_replay_t *r, const mp_record_t *rec)
{
    switch (rec->type) {
    case MP_REC_PROCESS:
        return on_process(r, &rec->u.process);
    case MP_REC_CLASSES:
        if (r->classes)
            mp_classes_table(r->classes, &rec->u.classes);
        return 0;
    case MP_REC_MODULE:
        return on_module(r, &rec->u.module);
    case MP_REC_MODULE_GONE: {
        uint32_t idx;
        if (mp_id_map_find(r->module_ids, rec->u.module_gone.id, &idx) &&
            !r->modules[idx].pub.gone) {
            r->modules[idx].pub.gone = 1;
            r->modules[idx].pub.gone_ts = rec->u.module_gone.ts;
        }
        see_ts(r, rec->u.module_gone.ts);
        return 0;
    }
    case MP_REC_THREAD:
        return on_thread(r, &rec->u.thread);
    case MP_REC_STACK: {
        uint32_t idx;
        return mp_sites_define(r->sites, rec->u.stack.id, rec->u.stack.frames, rec->u.stack.n,
                               &idx);
    }
    case MP_REC_BATCH:
        return on_batch(r, &rec->u.batch);
    case MP_REC_WATERMARK:
        /* It holds at the end of its chunk (docs/format.md): noted now,
         * used when the next chunk starts. */
        if (!r->have_wm || rec->u.watermark.ts > r->wm)
            r->wm = rec->u.watermark.ts;
        r->have_wm = 1;
        see_ts(r, rec->u.watermark.ts);
        return 0;
    case MP_REC_SNAPSHOT:
        return on_snapshot(r, &rec->u.snapshot);
    case MP_REC_LEAKSCAN:
        see_ts(r, rec->u.leakscan.ts);
        if (!r->kinds && mp_leak_kinds_create(&r->kinds) != 0)
            return MP_ELOG_NOMEM;
        return mp_leak_kinds_add(r->kinds, &rec->u.leakscan);
    case MP_REC_HOLLOW:
        return on_hollow(r, &rec->u.hollow);
    case MP_REC_LOST:
        r->sum.lost_events += rec->u.lost.events;
        see_ts(r, rec->u.lost.ts);
        return 0;
    case MP_REC_END:
        r->sum.have_end = 1;
        r->sum.end_reason = rec->u.end.reason;
        r->sum.end_detail = rec->u.end.detail;
        see_ts(r, rec->u.end.ts);
        return 0;
    default:
        return 0; /* unknown types: the reader skipped them */
    }
}

static int finish(mp_replay_t *r)
{
    /* What the blocks still live stand for (sampled mode: weight / size
     * each; both kept in the entry, so nothing is tracked per event). */
    size_t cursor = 0;
    const mp_live_block_t *b;
    while ((b = mp_live_next(r->live, &cursor)) != NULL) {
        double est = b->size ? (double)b->bytes / (double)b->size : 1;
        mp_sites_leak_estimate(r->sites, b->site, est);
        r->sum.est_leaked_blocks += est;
    }
    mp_sites_finish(r->sites, r->epoch);
    if (!r->kinds && mp_leak_kinds_create(&r->kinds) != 0)
        return MP_ELOG_NOMEM;
    int krc = mp_leak_kinds_apply(r->kinds, r->live, r->sites, &r->sum.leakscan);
    if (krc != 0)
        return krc;
    if (r->classes) {
        int rc = mp_classes_finish(r->classes, r->epoch, r->last_ts);
        if (rc != 0)
            return rc;
    }
    free(r->points);
    int rc = mp_timeline_points(r->timeline, &r->points, &r->npoints);
    if (rc != 0)
        return rc;
    if ((rc = mp_growth_finish(r->growth)) != 0)
        return rc;
    r->sum.duration_ns = r->last_ts;
    r->sum.file_size = r->file_size;
    r->sum.leaked_blocks = r->live_blocks;
    r->sum.leaked_bytes = r->live_bytes;
    r->sum.late_events = mp_merge_late(r->merge);
    r->sum.clamped_events = mp_merge_clamped(r->merge);
    r->sum.max_pending = mp_merge_max_pending(r->merge);
    if (check_level >= 2)
        check(r, "at the end");
    return 0;
}

int mp_replay_run(mp_replay_t *r, mp_replay_progress_fn progress, void *arg)
{
    if (r->ran)
        return MP_ELOG_INVAL;
    r->ran = 1;
    mp_record_t rec;
    int rc, err = 0;
    while ((rc = mp_reader_next(r->reader, &rec)) > 0) {
        if ((int64_t)rec.chunk != r->cur_chunk) {
            /* The previous chunk is whole: its watermark holds now. */
            if ((err = release(r, 0)) != 0)
                break;
            r->cur_chunk = rec.chunk;
            r->sum.chunks++;
            if (progress)
                progress(arg, mp_reader_chunk(r->reader)->offset, r->file_size);
        }
        r->sum.records++;
        if ((err = on_record(r, &rec)) != 0)
            break;
    }
    if (err == 0)
        err = release(r, 1); /* the end of the log releases everything */
    if (err != 0)
        return err;
    if (rc < 0) {
        r->sum.partial = 1;
        r->sum.stop = *mp_reader_error(r->reader);
        if (!r->have_process)
            return rc;
    } else if (!r->have_process) {
        /* Only a file header: the process ended (or was killed) before
         * memprof wrote its first chunk. */
        r->sum.partial = 1;
        memset(&r->sum.stop, 0, sizeof r->sum.stop);
        r->sum.stop.code = MP_ELOG_TRUNC;
        r->sum.stop.offset = r->file_size;
        r->sum.stop.chunk = 0;
        strcpy(r->sum.stop.msg, "the log holds no record (the process ended before memprof "
                                "wrote any)");
        return MP_ELOG_TRUNC;
    } else if (!r->sum.have_end) {
        r->sum.partial = 1;
        memset(&r->sum.stop, 0, sizeof r->sum.stop);
        r->sum.stop.offset = r->file_size;
        r->sum.stop.chunk = r->cur_chunk + 1;
        strcpy(r->sum.stop.msg, "no END record: the log was cut short (the process was "
                                "killed, or is still running)");
    }
    if ((err = finish(r)) != 0)
        return err;
    if (progress)
        progress(arg, r->file_size, r->file_size);
    return 0;
}

/* ---- Accessors --------------------------------------------------------- */

const mp_replay_process_t *mp_replay_process(const mp_replay_t *r)
{
    return r->have_process ? &r->process : NULL;
}

void mp_replay_summary(const mp_replay_t *r, mp_replay_summary_t *out)
{
    *out = r->sum;
    size_t mem = sizeof *r + mp_sites_memory(r->sites) + (r->live ? mp_live_memory(r->live) : r->live_memory) +
                 mp_merge_memory(r->merge) + mp_series_memory(r->timeline) +
                 mp_id_map_memory(r->thread_ids) + r->threads_cap * sizeof *r->threads +
                 mp_id_map_memory(r->module_ids) + r->modules_cap * sizeof *r->modules +
                 r->npoints * sizeof *r->points + mp_growth_memory(r->growth) +
                 r->hollow_cap * sizeof *r->hollow +
                 (r->kinds ? mp_leak_kinds_memory(r->kinds) : 0);
    if (r->classes)
        mem += mp_classes_memory(r->classes);
    out->memory = mem;
}

size_t mp_replay_site_count(const mp_replay_t *r)
{
    return mp_sites_count(r->sites);
}

const mp_replay_site_t *mp_replay_site(const mp_replay_t *r, size_t i)
{
    return mp_sites_get(r->sites, i);
}

const mp_replay_site_t *mp_replay_site_by_id(const mp_replay_t *r, uint64_t stack_id)
{
    uint32_t idx;
    return mp_sites_find(r->sites, stack_id, &idx) ? mp_sites_get(r->sites, idx) : NULL;
}

size_t mp_replay_module_count(const mp_replay_t *r)
{
    return mp_id_map_count(r->module_ids);
}

const mp_replay_module_t *mp_replay_module(const mp_replay_t *r, size_t i)
{
    return i < mp_id_map_count(r->module_ids) ? &r->modules[i].pub : NULL;
}

size_t mp_replay_thread_count(const mp_replay_t *r)
{
    return mp_id_map_count(r->thread_ids);
}

const mp_replay_thread_t *mp_replay_thread(const mp_replay_t *r, size_t i)
{
    return i < mp_id_map_count(r->thread_ids) ? &r->threads[i].pub : NULL;
}

size_t mp_replay_timeline(const mp_replay_t *r, const mp_replay_point_t **points)
{
    *points = r->points;
    return r->npoints;
}

size_t mp_replay_heap_count(const mp_replay_t *r)
{
    return r->classes ? mp_classes_count(r->classes) : 0;
}

const mp_replay_heap_t *mp_replay_heap(const mp_replay_t *r, size_t i)
{
    return r->classes ? mp_classes_heap(r->classes, i) : NULL;
}

const mp_replay_heap_t *mp_replay_heap_at_peak(const mp_replay_t *r)
{
    return r->classes ? mp_classes_at_peak(r->classes) : NULL;
}

const mp_replay_heap_t *mp_replay_heap_final(const mp_replay_t *r)
{
    return r->classes ? mp_classes_final(r->classes) : NULL;
}

size_t mp_replay_growth_count(const mp_replay_t *r)
{
    return mp_growth_count(r->growth);
}

const mp_replay_growth_t *mp_replay_growth(const mp_replay_t *r, size_t i)
{
    return mp_growth_get(r->growth, i);
}

void mp_replay_live_walk(const mp_replay_t *r, void (*fn)(void *arg, const mp_replay_live_t *b),
                         void *arg)
{
    if (!r->live)
        return; /* dropped (mp_replay_drop_live) */
    size_t cursor = 0;
    const mp_live_block_t *b;
    while ((b = mp_live_next(r->live, &cursor)) != NULL) {
        mp_replay_live_t x = {b->addr, b->size, b->bytes, b->ts, b->seq, b->site};
        fn(arg, &x);
    }
}

void mp_replay_drop_live(mp_replay_t *r)
{
    if (r->live)
        r->live_memory = mp_live_memory(r->live);
    mp_live_set_destroy(r->live);
    r->live = NULL;
}

int mp_replay_have_hollow(const mp_replay_t *r)
{
    return r->have_hollow;
}

const mp_replay_hollow_t *mp_replay_hollow(const mp_replay_t *r, uint64_t addr)
{
    for (size_t i = r->nhollow; i-- > 0;)
        if (r->hollow[i].addr == addr)
            return &r->hollow[i];
    return NULL;
}
