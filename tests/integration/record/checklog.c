/*
 * checklog.c — checks a log the shim wrote (docs/format.md) for the
 * integration.record tests: its structure, the ordering rule across
 * threads, and what it says about the program's heap.
 *
 *     checklog [options] LOG
 *
 * Structure: PROCESS is the first record and appears once, CLASSES once in
 * chunk 0; MODULE ids are unique and every MODULE_GONE names a module seen
 * before, once; STACK ids are unique, >= 1 and have at most max_depth
 * frames; every stack id an event uses was defined by an earlier record;
 * every BATCH's thread had a THREAD record before it; a thread's
 * timestamps never go back; SPAN events have a known op and a class only
 * where format.md gives one; SNAPSHOT's page-heap bytes add up (mapped ==
 * in_use + idle + released); END is the last record, counts every event of
 * the log, and is present (unless --allow-cut, which also accepts a log
 * whose last chunk is cut short — "truncated", never "corrupt").
 *
 * Ordering: the BATCH events of all threads are merged by timestamp as the
 * format says a reader does it — buffered until a WATERMARK allows them
 * out (at the end of the watermark's chunk: "every event below ts is in
 * this chunk or an earlier one"), released in timestamp order, all of them
 * at the end of the log. An event that arrives after a watermark it should
 * have preceded is a failure. Released events replay against a map of
 * addresses: an ALLOC (SAMPLE, REALLOC's new block) of a live address, a
 * FREE (REALLOC's old block, if not 0) of an address that was allocated in
 * the log and is not live any more, are failures (a REALLOC's new block 0
 * allocates nothing). Events with equal timestamps are
 * ordered by the address's state, as the format says (a live address is
 * freed before it is allocated again), keeping each thread's own order. A
 * FREE of an address the log never allocated is counted apart
 * (unknown_frees): blocks allocated before recording started or inside the
 * recorder are not in the log, and their frees are legitimate.
 *
 * Output (stdout), one fact per line for the tests to grep:
 *
 *     process pid=P ppid=Q mode=1 max_depth=D exe=PATH
 *     module id=N gone=0|1 path=PATH
 *     events alloc=A free=F realloc=R sample=S span=P total=T
 *     totals allocs=A frees=F reallocs=R unknown_frees=U unknown_realloc_olds=V
 *            live_blocks=L live_bytes=B threads=T stacks=S lost=X
 *            addresses=A reused=R xthread_reused=X
 *     range NAME allocs=A reallocs=R frees=F live_blocks=L live_bytes=B top=P
 *           last_ts=T gone_ts=G|none          (one per --ranges name / --module-range)
 *     stack ID allocs=A reallocs=R frees=F live_blocks=L live_bytes=B frames=0x..,..
 *                                             (with --stacks)
 *     end reason=R detail=D events=N          (or "end none")
 *     cut chunk=N offset=O: MESSAGE           (decoding stopped early)
 *     result ok | result FAIL (N problems)
 *
 * "totals" counts: allocs = ALLOC and SAMPLE events; frees = FREE events of
 * addresses the log allocated; reallocs = REALLOC events; live_* = blocks
 * allocated and not freed at the end of the log (the leaks); addresses =
 * distinct block addresses the log names; reused = allocations of an
 * address freed earlier in the log, xthread_reused those whose previous
 * free was made by another thread (the case the ordering rule is for).
 *
 * A "range" is a set of address intervals; a block belongs to it when a
 * frame of its allocating stack (the ALLOC's or the last REALLOC's) lies in
 * one of them (lo <= frame <= hi: frames are return addresses). A range's
 * allocs and reallocs count the events made with such stacks, its frees
 * the blocks they made that were freed (by FREE or as a REALLOC's old
 * block), top the allocs and reallocs whose innermost frame is in the range
 * (the range is where the allocation was called from, the shim's own
 * frames trimmed), last_ts the time of the last of them.
 *
 * Options:
 *   --allow-cut            a log without END, or cut inside its last chunk, passes
 *   --stacks               print the per-stack lines
 *   --ranges FILE          named ranges, one "NAME LO HI" (hex) a line; a
 *                          NAME given on several lines is the union
 *   --module-range NAME=S  a range made of the executable segments of every
 *                          module whose path contains S (gone_ts is its
 *                          MODULE_GONE's, and stacks attributed to it must have
 *                          allocated before it)
 *
 * Exit status: 0 the log passes, 1 a violation (each one on stderr,
 * "checklog: FAIL: ..."), 2 bad usage or not a readable log.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_reader.h"

/* ---- failures ----------------------------------------------------------- */

static unsigned long n_fail;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
    n_fail++;
    if (n_fail > 30) {
        if (n_fail == 31)
            fprintf(stderr, "checklog: FAIL: (further failures not shown)\n");
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("checklog: FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "checklog: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- stacks ------------------------------------------------------------- */

typedef struct stack_info {
    int defined;
    uint32_t n;
    size_t first;      /* index in frames_pool */
    uint64_t allocs, reallocs, frees;
    uint64_t live_blocks, live_bytes; /* filled at the end */
    uint64_t last_ts;  /* last ALLOC/REALLOC made with it */
} stack_info_t;

static stack_info_t *stacks; /* index = id */
static size_t stacks_cap;
static uint64_t *frames_pool;
static size_t frames_len, frames_cap;
static uint64_t n_stacks;

static stack_info_t *stack_get(uint64_t id)
{
    if (id >= stacks_cap) {
        size_t cap = stacks_cap ? stacks_cap : 1024;
        while (cap <= id)
            cap *= 2;
        stacks = xrealloc(stacks, cap * sizeof *stacks);
        memset(stacks + stacks_cap, 0, (cap - stacks_cap) * sizeof *stacks);
        stacks_cap = cap;
    }
    return &stacks[id];
}

static int stack_defined(uint64_t id)
{
    return id < stacks_cap && stacks[id].defined;
}

/* ---- modules ------------------------------------------------------------ */

typedef struct module_info {
    uint64_t id, bias, ts;
    int gone;
    uint64_t gone_ts;
    char *path;
    uint32_t nseg;
    mp_segment_t segs[MP_LOG_MAX_SEGMENTS];
} module_info_t;

static module_info_t *mods;
static size_t n_mods;

static module_info_t *module_find(uint64_t id)
{
    for (size_t i = 0; i < n_mods; i++)
        if (mods[i].id == id)
            return &mods[i];
    return NULL;
}

/* ---- ranges ------------------------------------------------------------- */

typedef struct interval {
    uint64_t lo, hi;
} interval_t;

typedef struct range {
    char *name;
    char *module_substr; /* --module-range: filled from the modules at the end */
    interval_t *iv;
    size_t n_iv;
    int has_gone;
    uint64_t gone_ts; /* latest MODULE_GONE of its modules */
} range_t;

static range_t *ranges;
static size_t n_ranges;

static range_t *range_get(const char *name)
{
    for (size_t i = 0; i < n_ranges; i++)
        if (strcmp(ranges[i].name, name) == 0)
            return &ranges[i];
    ranges = xrealloc(ranges, (n_ranges + 1) * sizeof *ranges);
    range_t *r = &ranges[n_ranges++];
    memset(r, 0, sizeof *r);
    r->name = xstrndup(name, strlen(name));
    return r;
}

static void range_add(range_t *r, uint64_t lo, uint64_t hi)
{
    r->iv = xrealloc(r->iv, (r->n_iv + 1) * sizeof *r->iv);
    r->iv[r->n_iv].lo = lo;
    r->iv[r->n_iv].hi = hi;
    r->n_iv++;
}

static int load_ranges(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "checklog: cannot open the ranges file %s\n", path);
        return -1;
    }
    char line[512], name[256];
    unsigned long long lo, hi;
    int ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%255s %llx %llx", name, &lo, &hi) != 3 || lo > hi) {
            fprintf(stderr, "checklog: %s:%d: expected \"NAME LO HI\" (hex)\n", path, ln);
            fclose(f);
            return -1;
        }
        range_add(range_get(name), lo, hi);
    }
    fclose(f);
    return 0;
}

static int range_has(const range_t *r, uint64_t a)
{
    for (size_t i = 0; i < r->n_iv; i++)
        if (a >= r->iv[i].lo && a <= r->iv[i].hi)
            return 1;
    return 0;
}

static int stack_in_range(const stack_info_t *s, const range_t *r)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (range_has(r, frames_pool[s->first + i]))
            return 1;
    return 0;
}

/* ---- the address map ---------------------------------------------------- */

/* Every address the log allocated, live or not (entries are never
 * removed: a dead entry tells a double free from a free of a block the log
 * never saw). Open addressing, linear probing. */
typedef struct addr_ent {
    uint64_t addr; /* 0: empty slot */
    uint64_t size;
    uint64_t stack;
    uint64_t ts;   /* of the event that set the state */
    uint32_t tid;
    uint8_t live;
    uint8_t kind;  /* that event's kind */
} addr_ent_t;

static addr_ent_t *amap;
static size_t amap_cap, amap_used;

static size_t hash_addr(uint64_t a)
{
    a ^= a >> 33;
    a *= 0xff51afd7ed558ccdULL;
    a ^= a >> 33;
    return (size_t)a;
}

static addr_ent_t *amap_find(uint64_t a)
{
    if (!amap_cap)
        return NULL;
    for (size_t i = hash_addr(a) & (amap_cap - 1);; i = (i + 1) & (amap_cap - 1)) {
        if (amap[i].addr == a)
            return &amap[i];
        if (amap[i].addr == 0)
            return NULL;
    }
}

static addr_ent_t *amap_insert(uint64_t a)
{
    if ((amap_used + 1) * 2 > amap_cap) {
        size_t cap = amap_cap ? amap_cap * 2 : 1 << 16;
        addr_ent_t *old = amap;
        size_t old_cap = amap_cap;
        amap = calloc(cap, sizeof *amap);
        if (!amap) {
            fprintf(stderr, "checklog: out of memory\n");
            exit(2);
        }
        amap_cap = cap;
        for (size_t j = 0; j < old_cap; j++)
            if (old[j].addr) {
                size_t i = hash_addr(old[j].addr) & (cap - 1);
                while (amap[i].addr)
                    i = (i + 1) & (cap - 1);
                amap[i] = old[j];
            }
        free(old);
    }
    size_t i = hash_addr(a) & (amap_cap - 1);
    while (amap[i].addr && amap[i].addr != a)
        i = (i + 1) & (amap_cap - 1);
    if (!amap[i].addr) {
        memset(&amap[i], 0, sizeof amap[i]);
        amap[i].addr = a;
        amap_used++;
    }
    return &amap[i];
}

/* ---- replay ------------------------------------------------------------- */

typedef struct ev {
    uint64_t ts, seq;
    uint64_t addr, old, size, stack;
    uint32_t tid;
    uint8_t kind;
    uint8_t done;
} ev_t;

static uint64_t t_allocs, t_frees, t_reallocs, t_unknown_frees, t_unknown_old;
static uint64_t t_samples;
static uint64_t t_reused, t_xthread_reused; /* allocations of an address seen before */

static const char *kind_name(unsigned k)
{
    const char *n = mp_log_event_name(k);
    return n ? n : "?";
}

/* Whether e can happen now, given the map's state (for ties). */
static int applicable(const ev_t *e)
{
    addr_ent_t *a;
    switch (e->kind) {
    case MP_EV_ALLOC:
    case MP_EV_SAMPLE:
        a = amap_find(e->addr);
        return !a || !a->live;
    case MP_EV_FREE:
        a = amap_find(e->addr);
        return !a || a->live;
    case MP_EV_REALLOC:
        if (e->old) {
            a = amap_find(e->old);
            if (a && !a->live)
                return 0;
        }
        if (e->addr && e->addr != e->old) {
            a = amap_find(e->addr);
            if (a && a->live)
                return 0;
        }
        return 1;
    }
    return 1;
}

static void describe_last(const addr_ent_t *a, char *buf, size_t cap)
{
    snprintf(buf, cap, "last %s at ts %" PRIu64 " by tid %" PRIu32, kind_name(a->kind), a->ts,
             a->tid);
}

/* Frees `addr` for event e (FREE, or REALLOC's old block). */
static void do_free(const ev_t *e, uint64_t addr, int is_realloc_old)
{
    addr_ent_t *a = amap_find(addr);
    char last[160];
    if (!a) {
        /* Never allocated in the log: before recording, or by the recorder. */
        if (is_realloc_old)
            t_unknown_old++;
        else
            t_unknown_frees++;
        a = amap_insert(addr);
        a->live = 0;
        a->ts = e->ts;
        a->tid = e->tid;
        a->kind = e->kind;
        return;
    }
    if (!a->live) {
        describe_last(a, last, sizeof last);
        fail("ordering: %s at ts %" PRIu64 " by tid %" PRIu32 " frees 0x%" PRIx64
             ", which is not live (%s)",
             kind_name(e->kind), e->ts, e->tid, addr, last);
    } else {
        stack_get(a->stack)->frees++;
    }
    if (!is_realloc_old)
        t_frees++;
    a->live = 0;
    a->ts = e->ts;
    a->tid = e->tid;
    a->kind = e->kind;
}

static void do_alloc(const ev_t *e, uint64_t addr)
{
    addr_ent_t *a = amap_insert(addr);
    char last[160];
    if (a->kind != 0 && !a->live && !(e->kind == MP_EV_REALLOC && e->old == addr)) {
        t_reused++;
        if (a->tid != e->tid)
            t_xthread_reused++;
    }
    if (a->live) {
        describe_last(a, last, sizeof last);
        fail("ordering: %s at ts %" PRIu64 " by tid %" PRIu32 " allocates 0x%" PRIx64
             ", which is already live (%s)",
             kind_name(e->kind), e->ts, e->tid, addr, last);
    }
    a->live = 1;
    a->size = e->size;
    a->stack = e->stack;
    a->ts = e->ts;
    a->tid = e->tid;
    a->kind = e->kind;
    stack_info_t *s = stack_get(e->stack);
    if (e->kind == MP_EV_REALLOC)
        s->reallocs++;
    else
        s->allocs++;
    if (e->ts > s->last_ts)
        s->last_ts = e->ts;
}

static void apply(const ev_t *e)
{
    switch (e->kind) {
    case MP_EV_ALLOC:
        t_allocs++;
        do_alloc(e, e->addr);
        break;
    case MP_EV_SAMPLE:
        t_samples++;
        do_alloc(e, e->addr);
        break;
    case MP_EV_FREE:
        do_free(e, e->addr, 0);
        break;
    case MP_EV_REALLOC:
        t_reallocs++;
        if (e->old)
            do_free(e, e->old, 1);
        if (e->addr)
            do_alloc(e, e->addr);
        break;
    default:
        break; /* SPAN: the heap's own events, not blocks */
    }
}

/* Applies a group of events with one timestamp: each thread's events in
 * their order, and across threads whatever order the addresses' states
 * allow (format.md: ties are broken by the address's state). */
static void apply_tie_group(ev_t *g, size_t n)
{
    size_t left = n;
    while (left > 0) {
        ev_t *pick = NULL, *first_eligible = NULL;
        for (size_t i = 0; i < n; i++) {
            if (g[i].done)
                continue;
            int eligible = 1;
            for (size_t j = 0; j < i; j++)
                if (!g[j].done && g[j].tid == g[i].tid) {
                    eligible = 0;
                    break;
                }
            if (!eligible)
                continue;
            if (!first_eligible)
                first_eligible = &g[i];
            if (applicable(&g[i])) {
                pick = &g[i];
                break;
            }
        }
        if (!pick)
            pick = first_eligible; /* no order works: apply reports it */
        apply(pick);
        pick->done = 1;
        left--;
    }
}

/* ---- merging by watermark ----------------------------------------------- */

static ev_t *pend;
static size_t n_pend, cap_pend;
static uint64_t next_seq;
static uint64_t released_below; /* every event below this has been released */
static int have_released;

static int ev_cmp(const void *a, const void *b)
{
    const ev_t *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Releases every pending event below `below` (all of them if all). */
static void release(uint64_t below, int all)
{
    if (n_pend == 0)
        goto done;
    qsort(pend, n_pend, sizeof *pend, ev_cmp);
    size_t k = 0;
    while (k < n_pend && (all || pend[k].ts < below))
        k++;
    for (size_t i = 0; i < k;) {
        size_t j = i + 1;
        while (j < k && pend[j].ts == pend[i].ts)
            j++;
        if (j - i == 1)
            apply(&pend[i]);
        else
            apply_tie_group(pend + i, j - i);
        i = j;
    }
    memmove(pend, pend + k, (n_pend - k) * sizeof *pend);
    n_pend -= k;
done:
    if (!all && (!have_released || below > released_below)) {
        released_below = below;
        have_released = 1;
    }
}

static void pend_push(const ev_t *e)
{
    if (n_pend == cap_pend) {
        cap_pend = cap_pend ? cap_pend * 2 : 1 << 16;
        pend = xrealloc(pend, cap_pend * sizeof *pend);
    }
    pend[n_pend++] = *e;
}

/* ---- threads ------------------------------------------------------------ */

typedef struct thread_info {
    uint64_t tid;
    uint64_t last_ts;
} thread_info_t;

static thread_info_t *threads;
static size_t n_threads;

static thread_info_t *thread_find(uint64_t tid)
{
    for (size_t i = 0; i < n_threads; i++)
        if (threads[i].tid == tid)
            return &threads[i];
    return NULL;
}

/* ---- the log ------------------------------------------------------------ */

static uint64_t max_depth;
static uint32_t n_class_table; /* CLASSES n */
static uint64_t by_kind[MP_EV_KINDS + 1];
static uint64_t n_events, n_lost;

static void on_batch(const mp_record_t *rec)
{
    const mp_rec_batch_t *b = &rec->u.batch;
    thread_info_t *t = thread_find(b->tid);
    if (!t) {
        fail("chunk %" PRIu32 ": BATCH of tid %" PRIu64 " before any THREAD record for it",
             rec->chunk, b->tid);
        threads = xrealloc(threads, (n_threads + 1) * sizeof *threads);
        t = &threads[n_threads++];
        t->tid = b->tid;
        t->last_ts = 0;
    }
    mp_batch_iter_t it;
    mp_event_t ev;
    mp_batch_iter_init(&it, b);
    int rc;
    while ((rc = mp_batch_next(&it, &ev)) > 0) {
        n_events++;
        by_kind[ev.kind < MP_EV_KINDS ? ev.kind : MP_EV_KINDS]++;
        if (ev.ts < t->last_ts)
            fail("chunk %" PRIu32 ": tid %" PRIu64 " goes back in time: %s at ts %" PRIu64
                 " after an event at ts %" PRIu64,
                 rec->chunk, b->tid, kind_name(ev.kind), ev.ts, t->last_ts);
        t->last_ts = ev.ts;
        if ((ev.kind == MP_EV_ALLOC || ev.kind == MP_EV_REALLOC || ev.kind == MP_EV_SAMPLE) &&
            ev.stack != 0 && !stack_defined(ev.stack))
            fail("chunk %" PRIu32 ": %s at ts %" PRIu64 " uses stack %" PRIu64
                 ", not defined by an earlier record",
                 rec->chunk, kind_name(ev.kind), ev.ts, ev.stack);
        if (have_released && ev.ts < released_below)
            fail("chunk %" PRIu32 ": %s of 0x%" PRIx64 " at ts %" PRIu64 " by tid %" PRIu64
                 " comes after a watermark at %" PRIu64 " (in an earlier chunk)",
                 rec->chunk, kind_name(ev.kind), ev.addr, ev.ts, b->tid, released_below);
        if (ev.kind == MP_EV_SPAN) {
            /* format.md: ops 1..5; a class (1..n) for 1 and 2, class 0 for 3..5. */
            int class_op = ev.op == MP_SPAN_TAKE || ev.op == MP_SPAN_RETURN;
            if (ev.op < MP_SPAN_TAKE || ev.op > MP_SPAN_LARGE_RETURN)
                fail("chunk %" PRIu32 ": SPAN at ts %" PRIu64 " with op %" PRIu64, rec->chunk,
                     ev.ts, ev.op);
            else if (class_op ? ev.cls == 0 || ev.cls > n_class_table : ev.cls != 0)
                fail("chunk %" PRIu32 ": SPAN op %" PRIu64 " at ts %" PRIu64 " with class %" PRIu64
                     " (%" PRIu32 " classes)",
                     rec->chunk, ev.op, ev.ts, ev.cls, n_class_table);
            continue;
        }
        ev_t e;
        memset(&e, 0, sizeof e);
        e.ts = ev.ts;
        e.seq = next_seq++;
        e.addr = ev.addr;
        e.old = ev.kind == MP_EV_REALLOC ? ev.old_addr : 0;
        e.size = ev.size;
        e.stack = ev.kind == MP_EV_FREE ? 0 : ev.stack;
        e.tid = (uint32_t)b->tid;
        e.kind = ev.kind;
        pend_push(&e);
    }
    if (rc < 0)
        fail("chunk %" PRIu32 ": a BATCH the reader accepted does not iterate (%s)", rec->chunk,
             mp_log_strerror(rc));
}

static void print_str(const char *key, const char *s, size_t n)
{
    printf(" %s=%.*s", key, (int)n, s);
}

int main(int argc, char **argv)
{
    int allow_cut = 0, show_stacks = 0;
    static const struct option longopts[] = {
        {"allow-cut", no_argument, NULL, 'c'},
        {"stacks", no_argument, NULL, 's'},
        {"ranges", required_argument, NULL, 'r'},
        {"module-range", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (o) {
        case 'c':
            allow_cut = 1;
            break;
        case 's':
            show_stacks = 1;
            break;
        case 'r':
            if (load_ranges(optarg) != 0)
                return 2;
            break;
        case 'm': {
            const char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg || !eq[1]) {
                fprintf(stderr, "checklog: --module-range wants NAME=PATH_SUBSTRING\n");
                return 2;
            }
            char *name = xstrndup(optarg, (size_t)(eq - optarg));
            range_t *r = range_get(name);
            free(name);
            r->module_substr = xstrndup(eq + 1, strlen(eq + 1));
            break;
        }
        case 'h':
            printf("usage: checklog [--allow-cut] [--stacks] [--ranges FILE] "
                   "[--module-range NAME=SUBSTR] LOG\n");
            return 0;
        default:
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: checklog [options] LOG (--help)\n");
        return 2;
    }
    const char *path = argv[optind];

    mp_log_error_t err;
    mp_reader_t *r;
    if (mp_reader_open(path, &r, &err) != 0) {
        fprintf(stderr, "checklog: %s: %s\n", path, err.msg);
        return 2;
    }

    mp_record_t rec;
    int rc;
    uint64_t n_records = 0, n_process = 0, n_classes = 0, n_chunks = 0;
    int64_t cur_chunk = -1;
    int have_wm = 0, have_end = 0;
    uint64_t wm = 0, last_wm = 0;
    mp_rec_end_t end;
    memset(&end, 0, sizeof end);

    while ((rc = mp_reader_next(r, &rec)) > 0) {
        if ((int64_t)rec.chunk != cur_chunk) {
            /* The previous chunk is complete: its watermark holds. */
            if (have_wm)
                release(wm, 0);
            cur_chunk = rec.chunk;
            n_chunks++;
        }
        n_records++;
        if (have_end)
            fail("chunk %" PRIu32 ": %s record after END", rec.chunk,
                 mp_log_record_name(rec.type) ? mp_log_record_name(rec.type) : "unknown");
        if (n_records == 1 && rec.type != MP_REC_PROCESS)
            fail("the first record is %s, not PROCESS",
                 mp_log_record_name(rec.type) ? mp_log_record_name(rec.type) : "unknown");
        switch (rec.type) {
        case MP_REC_PROCESS: {
            const mp_rec_process_t *p = &rec.u.process;
            if (++n_process > 1)
                fail("chunk %" PRIu32 ": a second PROCESS record", rec.chunk);
            max_depth = p->max_depth;
            printf("process pid=%" PRIu64 " ppid=%" PRIu64 " mode=%" PRIu64 " max_depth=%" PRIu64,
                   p->pid, p->ppid, p->mode, p->max_depth);
            print_str("exe", p->exe.ptr, p->exe.len);
            putchar('\n');
            break;
        }
        case MP_REC_CLASSES:
            if (++n_classes > 1)
                fail("chunk %" PRIu32 ": a second CLASSES record", rec.chunk);
            if (rec.chunk != 0)
                fail("CLASSES in chunk %" PRIu32 ", not chunk 0", rec.chunk);
            n_class_table = rec.u.classes.n;
            break;
        case MP_REC_MODULE: {
            const mp_rec_module_t *m = &rec.u.module;
            if (module_find(m->id)) {
                fail("chunk %" PRIu32 ": MODULE id %" PRIu64 " defined twice", rec.chunk, m->id);
                break;
            }
            mods = xrealloc(mods, (n_mods + 1) * sizeof *mods);
            module_info_t *mi = &mods[n_mods++];
            memset(mi, 0, sizeof *mi);
            mi->id = m->id;
            mi->bias = m->bias;
            mi->ts = m->ts;
            mi->path = xstrndup(m->path.ptr, m->path.len);
            mi->nseg = m->nseg;
            memcpy(mi->segs, m->segs, m->nseg * sizeof *m->segs);
            break;
        }
        case MP_REC_MODULE_GONE: {
            module_info_t *mi = module_find(rec.u.module_gone.id);
            if (!mi)
                fail("chunk %" PRIu32 ": MODULE_GONE of module %" PRIu64 ", never defined",
                     rec.chunk, rec.u.module_gone.id);
            else if (mi->gone)
                fail("chunk %" PRIu32 ": module %" PRIu64 " gone twice", rec.chunk, mi->id);
            else {
                mi->gone = 1;
                mi->gone_ts = rec.u.module_gone.ts;
            }
            break;
        }
        case MP_REC_THREAD:
            if (!thread_find(rec.u.thread.tid)) {
                threads = xrealloc(threads, (n_threads + 1) * sizeof *threads);
                threads[n_threads].tid = rec.u.thread.tid;
                threads[n_threads].last_ts = 0;
                n_threads++;
            }
            break;
        case MP_REC_STACK: {
            const mp_rec_stack_t *s = &rec.u.stack;
            if (s->id == 0) {
                fail("chunk %" PRIu32 ": STACK with id 0", rec.chunk);
                break;
            }
            if (stack_defined(s->id)) {
                fail("chunk %" PRIu32 ": STACK id %" PRIu64 " defined twice", rec.chunk, s->id);
                break;
            }
            if (n_process && s->n > max_depth)
                fail("chunk %" PRIu32 ": STACK %" PRIu64 " has %" PRIu32
                     " frames, more than max_depth %" PRIu64,
                     rec.chunk, s->id, s->n, max_depth);
            stack_info_t *si = stack_get(s->id);
            si->defined = 1;
            si->n = s->n;
            if (frames_len + s->n > frames_cap) {
                frames_cap = (frames_len + s->n) * 2;
                frames_pool = xrealloc(frames_pool, frames_cap * sizeof *frames_pool);
            }
            si->first = frames_len;
            memcpy(frames_pool + frames_len, s->frames, s->n * sizeof *s->frames);
            frames_len += s->n;
            n_stacks++;
            break;
        }
        case MP_REC_BATCH:
            on_batch(&rec);
            break;
        case MP_REC_WATERMARK:
            if (have_wm && rec.u.watermark.ts < last_wm)
                fail("chunk %" PRIu32 ": WATERMARK %" PRIu64 " below the previous one %" PRIu64,
                     rec.chunk, rec.u.watermark.ts, last_wm);
            last_wm = rec.u.watermark.ts;
            if (!have_wm || rec.u.watermark.ts > wm)
                wm = rec.u.watermark.ts;
            have_wm = 1;
            break;
        case MP_REC_SNAPSHOT: {
            const mp_rec_snapshot_t *sn = &rec.u.snapshot;
            if (sn->mapped != sn->in_use + sn->idle + sn->released)
                fail("chunk %" PRIu32 ": SNAPSHOT at ts %" PRIu64 ": mapped %" PRIu64
                     " != in_use %" PRIu64 " + idle %" PRIu64 " + released %" PRIu64,
                     rec.chunk, sn->ts, sn->mapped, sn->in_use, sn->idle, sn->released);
            if (n_classes && sn->n > n_class_table)
                fail("chunk %" PRIu32 ": SNAPSHOT with %" PRIu32 " classes, CLASSES has %" PRIu32,
                     rec.chunk, sn->n, n_class_table);
            break;
        }
        case MP_REC_LOST:
            n_lost += rec.u.lost.events;
            break;
        case MP_REC_END:
            have_end = 1;
            end = rec.u.end;
            break;
        default:
            break;
        }
    }
    release(0, 1);

    const mp_log_error_t *rerr = rc < 0 ? mp_reader_error(r) : NULL;
    if (rerr) {
        printf("cut chunk=%" PRId64 " offset=%" PRIu64 ": %s\n", rerr->chunk, rerr->offset,
               rerr->msg);
        if (!allow_cut)
            fail("decoding stopped at byte %" PRIu64 " (chunk %" PRId64 "): %s", rerr->offset,
                 rerr->chunk, rerr->msg);
        else if (rerr->code != MP_ELOG_TRUNC)
            fail("decoding stopped at byte %" PRIu64 " (chunk %" PRId64
                 "): %s — damaged, not merely cut short",
                 rerr->offset, rerr->chunk, rerr->msg);
    }
    mp_reader_close(r);

    if (n_process == 0)
        fail("no PROCESS record");
    if (n_classes == 0)
        fail("no CLASSES record");

    /* Live blocks at the end, per stack. */
    uint64_t live_blocks = 0, live_bytes = 0;
    for (size_t i = 0; i < amap_cap; i++)
        if (amap[i].addr && amap[i].live) {
            live_blocks++;
            live_bytes += amap[i].size;
            stack_info_t *s = stack_get(amap[i].stack);
            s->live_blocks++;
            s->live_bytes += amap[i].size;
        }

    for (size_t i = 0; i < n_mods; i++)
        printf("module id=%" PRIu64 " gone=%d path=%s\n", mods[i].id, mods[i].gone,
               mods[i].path);
    printf("events alloc=%" PRIu64 " free=%" PRIu64 " realloc=%" PRIu64 " sample=%" PRIu64
           " span=%" PRIu64 " total=%" PRIu64 "\n",
           by_kind[MP_EV_ALLOC], by_kind[MP_EV_FREE], by_kind[MP_EV_REALLOC],
           by_kind[MP_EV_SAMPLE], by_kind[MP_EV_SPAN], n_events);
    printf("totals allocs=%" PRIu64 " frees=%" PRIu64 " reallocs=%" PRIu64
           " unknown_frees=%" PRIu64 " unknown_realloc_olds=%" PRIu64 " live_blocks=%" PRIu64
           " live_bytes=%" PRIu64 " threads=%zu stacks=%" PRIu64 " lost=%" PRIu64
           " addresses=%zu reused=%" PRIu64 " xthread_reused=%" PRIu64 "\n",
           t_allocs + t_samples, t_frees, t_reallocs, t_unknown_frees, t_unknown_old,
           live_blocks, live_bytes, n_threads, n_stacks, n_lost, amap_used, t_reused,
           t_xthread_reused);

    /* Ranges: module ranges take their intervals from the MODULE records. */
    for (size_t k = 0; k < n_ranges; k++) {
        range_t *rg = &ranges[k];
        if (rg->module_substr) {
            int found = 0;
            for (size_t i = 0; i < n_mods; i++) {
                if (!strstr(mods[i].path, rg->module_substr))
                    continue;
                found = 1;
                for (uint32_t s = 0; s < mods[i].nseg; s++)
                    if (mods[i].segs[s].flags & MP_SEG_X)
                        range_add(rg, mods[i].bias + mods[i].segs[s].vaddr,
                                  mods[i].bias + mods[i].segs[s].vaddr + mods[i].segs[s].memsz);
                if (mods[i].gone) {
                    if (!rg->has_gone || mods[i].gone_ts > rg->gone_ts)
                        rg->gone_ts = mods[i].gone_ts;
                    rg->has_gone = 1;
                }
            }
            if (!found)
                fail("--module-range %s: no MODULE record's path contains \"%s\"", rg->name,
                     rg->module_substr);
        }
        uint64_t a = 0, re = 0, f = 0, lb = 0, lby = 0, last = 0, top = 0;
        for (size_t id = 1; id < stacks_cap; id++) {
            stack_info_t *s = &stacks[id];
            if (!s->defined || !stack_in_range(s, rg))
                continue;
            if (s->n > 0 && range_has(rg, frames_pool[s->first]))
                top += s->allocs + s->reallocs;
            a += s->allocs;
            re += s->reallocs;
            f += s->frees;
            lb += s->live_blocks;
            lby += s->live_bytes;
            if ((s->allocs || s->reallocs) && s->last_ts > last)
                last = s->last_ts;
        }
        printf("range %s allocs=%" PRIu64 " reallocs=%" PRIu64 " frees=%" PRIu64
               " live_blocks=%" PRIu64 " live_bytes=%" PRIu64 " top=%" PRIu64
               " last_ts=%" PRIu64,
               rg->name, a, re, f, lb, lby, top, last);
        if (rg->has_gone)
            printf(" gone_ts=%" PRIu64 "\n", rg->gone_ts);
        else
            printf(" gone_ts=none\n");
        if (rg->has_gone && (a || re) && last >= rg->gone_ts)
            fail("range %s: a block was allocated at ts %" PRIu64
                 " from a module already gone at ts %" PRIu64,
                 rg->name, last, rg->gone_ts);
    }

    if (show_stacks)
        for (size_t id = 1; id < stacks_cap; id++) {
            stack_info_t *s = &stacks[id];
            if (!s->defined)
                continue;
            printf("stack %zu allocs=%" PRIu64 " reallocs=%" PRIu64 " frees=%" PRIu64
                   " live_blocks=%" PRIu64 " live_bytes=%" PRIu64 " frames=",
                   id, s->allocs, s->reallocs, s->frees, s->live_blocks, s->live_bytes);
            for (uint32_t i = 0; i < s->n; i++)
                printf("%s0x%" PRIx64, i ? "," : "", frames_pool[s->first + i]);
            putchar('\n');
        }

    if (have_end) {
        printf("end reason=%" PRIu64 " detail=%" PRIu64 " events=%" PRIu64 "\n", end.reason,
               end.detail, end.events);
        if (end.events != n_events)
            fail("END counts %" PRIu64 " events; the log holds %" PRIu64, end.events, n_events);
    } else {
        printf("end none\n");
        if (!allow_cut)
            fail("no END record: the log was cut short (--allow-cut accepts that)");
    }

    if (n_fail) {
        printf("result FAIL (%lu problems)\n", n_fail);
        fprintf(stderr, "checklog: %s: %lu problems\n", path, n_fail);
        return 1;
    }
    printf("result ok\n");
    return 0;
}
