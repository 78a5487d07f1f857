/*
 * classes.c — the per-size-class model (classes.h).
 *
 * State: for each class, its spans and live objects now (the model), and
 * the same at the latest global peak (captured lazily, as sites.c does: a
 * class updated for the first time since the latest peak saves its figures
 * first). Page-heap figures are the last snapshot's plus what SPAN events
 * added since (d_in_use, d_released, d_large_*), reset by every snapshot.
 *
 * Invariants: n <= MP_LOG_MAX_CLASSES; cls[i] is class i + 1; right after a
 * snapshot, dirty == 0, every d_* is 0 and spans/objs equal the snapshot's.
 * Model figures may go below zero between snapshots (a span taken before
 * recording began, returned after; an allocation whose class the size
 * rounding misjudged): they are kept signed and shown clamped at 0.
 *
 * Objects are mapped to classes by requested size: the smallest class at
 * least that big, which is how memprof's heap chooses (preload/heap); an
 * aligned allocation may really use a bigger class, and the next snapshot
 * corrects the difference.
 */
#include "classes.h"

#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define FIRST_WIDTH (1u << 20) /* ns: snapshots come every 10 ms by default */

typedef struct cls {
    uint64_t size;        /* bytes per object (CLASSES) */
    uint64_t span_pages;  /* pages per span (CLASSES) */
    int64_t spans, objs;  /* the model now */
    int64_t peak_spans, peak_objs; /* at the latest peak, once epoch caught up */
    uint64_t epoch;       /* peak number at the last update */
} cls_t;

/* Page-heap figures: the last snapshot's and the SPAN events since. */
typedef struct pageheap {
    int have_snapshot;
    uint64_t snapshot_ts;
    uint64_t rss, mapped, in_use, idle, released, large_objects, large_bytes;
    int64_t d_in_use, d_released, d_large_objects, d_large_bytes;
    uint64_t returned_total; /* bytes of spans given back since the start (SPAN
                                events; a snapshot does not reset it) */
} pageheap_t;

/* A kept snapshot: this header, then n mp_class_stat_t. */
typedef struct snap_point {
    uint64_t ts, rss, mapped, in_use, idle, released, large_objects, large_bytes;
    uint64_t returned_total;
    uint64_t n;
} snap_point_t;

#define LUT_MAX 32768u /* the largest small class memprof's heap has */

struct mp_classes {
    uint64_t page;           /* heap page bytes */
    cls_t cls[MP_LOG_MAX_CLASSES];
    uint32_t n;              /* classes known: the table's, or more from snapshots */
    uint32_t n_table;        /* classes with a size (CLASSES) */
    int have_table, sorted;  /* sorted: sizes ascending, so binary search works */
    /* size → class for sizes up to LUT_MAX, in 16-byte steps (sorted tables
     * only): replaying calls class_of twice per event, and a binary search's
     * unpredictable branches cost more than the rest of the event. */
    uint8_t lut[LUT_MAX / 16 + 1];
    int have_lut;
    pageheap_t now, at_peak;
    int have_peak;
    uint64_t peak_ts;
    int dirty;               /* the model moved since the last snapshot */
    mp_series_t *series;     /* kept snapshots, created at the first one */
    uint32_t series_n;       /* classes per kept snapshot */

    /* Results (mp_classes_finish). */
    mp_replay_heap_t *heaps;
    size_t nheaps;
    mp_replay_class_t *out_classes; /* (nheaps + 2) * n */
    mp_replay_heap_t peak, final;
};

int mp_classes_create(mp_classes_t **out, uint64_t heap_page_size)
{
    mp_classes_t *c = calloc(1, sizeof *c);
    if (!c)
        return MP_ELOG_NOMEM;
    c->page = heap_page_size ? heap_page_size : 8192;
    *out = c;
    return 0;
}

void mp_classes_destroy(mp_classes_t *c)
{
    if (!c)
        return;
    mp_series_destroy(c->series);
    free(c->heaps);
    free(c->out_classes);
    free(c);
}

static void build_lut(mp_classes_t *c);

void mp_classes_table(mp_classes_t *c, const mp_rec_classes_t *rec)
{
    if (c->have_table)
        return;
    c->have_table = 1;
    c->sorted = 1;
    uint32_t n = rec->n <= MP_LOG_MAX_CLASSES ? rec->n : MP_LOG_MAX_CLASSES;
    for (uint32_t i = 0; i < n; i++) {
        c->cls[i].size = rec->classes[i].size;
        c->cls[i].span_pages = rec->classes[i].pages;
        if (i > 0 && c->cls[i].size <= c->cls[i - 1].size)
            c->sorted = 0;
    }
    c->n_table = n;
    if (n > c->n)
        c->n = n;
    build_lut(c);
}

/* Fills the size → class table: entry k is the class of a request of
 * k*16 bytes, which is also the class of every size in (k*16-16, k*16]
 * because class sizes are multiples of 16 (checked; otherwise no table). */
static void build_lut(mp_classes_t *c)
{
    c->have_lut = 0;
    if (!c->sorted || c->n_table == 0 || c->n_table > 255)
        return;
    for (uint32_t i = 0; i < c->n_table; i++)
        if (c->cls[i].size % 16)
            return;
    uint32_t k = 0;
    for (uint32_t i = 0; i < c->n_table && k <= LUT_MAX / 16; i++)
        while (k <= LUT_MAX / 16 && k * 16 <= c->cls[i].size)
            c->lut[k++] = (uint8_t)i;
    for (; k <= LUT_MAX / 16; k++)
        c->lut[k] = 255; /* above the largest class */
    c->have_lut = 1;
}

/* The class a request of size bytes is served from, or -1 (a large object,
 * or no table). */
static int class_of(const mp_classes_t *c, uint64_t size)
{
    if (c->n_table == 0)
        return -1;
    if (c->have_lut && size <= LUT_MAX) {
        uint8_t k = c->lut[(size + 15) / 16];
        return k == 255 ? -1 : (int)k;
    }
    if (c->sorted) {
        if (size > c->cls[c->n_table - 1].size)
            return -1;
        uint32_t lo = 0, hi = c->n_table - 1; /* the answer is in [lo, hi] */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (c->cls[mid].size >= size)
                hi = mid;
            else
                lo = mid + 1;
        }
        return (int)lo;
    }
    int best = -1;
    for (uint32_t i = 0; i < c->n_table; i++)
        if (c->cls[i].size >= size && (best < 0 || c->cls[i].size < c->cls[best].size))
            best = (int)i;
    return best;
}

static void touch(cls_t *k, uint64_t epoch)
{
    if (k->epoch != epoch) {
        k->peak_spans = k->spans;
        k->peak_objs = k->objs;
        k->epoch = epoch;
    }
}

void mp_classes_alloc(mp_classes_t *c, uint64_t size, uint64_t epoch)
{
    int i = class_of(c, size);
    if (i < 0)
        return;
    touch(&c->cls[i], epoch);
    c->cls[i].objs++;
    c->dirty = 1;
}

void mp_classes_free(mp_classes_t *c, uint64_t size, uint64_t epoch)
{
    int i = class_of(c, size);
    if (i < 0)
        return;
    touch(&c->cls[i], epoch);
    c->cls[i].objs--;
    c->dirty = 1;
}

int mp_classes_span(mp_classes_t *c, uint64_t op, uint64_t cls, uint64_t pages, uint64_t epoch)
{
    int64_t bytes = (int64_t)(pages * c->page);
    switch (op) {
    case MP_SPAN_TAKE:
    case MP_SPAN_RETURN: {
        if (cls == 0 || cls > c->n_table)
            return 1;
        cls_t *k = &c->cls[cls - 1];
        touch(k, epoch);
        k->spans += op == MP_SPAN_TAKE ? 1 : -1;
        c->now.d_in_use += op == MP_SPAN_TAKE ? bytes : -bytes;
        if (op == MP_SPAN_RETURN)
            c->now.returned_total += (uint64_t)bytes;
        break;
    }
    case MP_SPAN_RELEASE:
        c->now.d_released += bytes;
        break;
    case MP_SPAN_LARGE_TAKE:
        c->now.d_large_objects++;
        c->now.d_large_bytes += bytes;
        c->now.d_in_use += bytes;
        break;
    case MP_SPAN_LARGE_RETURN:
        c->now.d_large_objects--;
        c->now.d_large_bytes -= bytes;
        c->now.d_in_use -= bytes;
        c->now.returned_total += (uint64_t)bytes;
        break;
    default:
        return 0; /* an op this code does not know: no effect on the model */
    }
    c->dirty = 1;
    return 0;
}

static void merge_keep_later(void *into, const void *later, size_t elem_size)
{
    memcpy(into, later, elem_size);
}

int mp_classes_snapshot(mp_classes_t *c, const mp_rec_snapshot_t *snap, uint64_t epoch)
{
    int extra = 0;
    uint32_t n = snap->n;
    if (n > MP_LOG_MAX_CLASSES)
        n = MP_LOG_MAX_CLASSES;
    if (n > c->n)
        c->n = n;
    if (c->have_table && snap->n > c->n_table)
        extra = 1;
    for (uint32_t i = 0; i < n; i++) {
        cls_t *k = &c->cls[i];
        touch(k, epoch);
        k->spans = (int64_t)snap->classes[i].spans;
        k->objs = (int64_t)snap->classes[i].live_objects;
    }
    pageheap_t *p = &c->now;
    uint64_t returned_total = p->returned_total;
    memset(p, 0, sizeof *p);
    p->returned_total = returned_total;
    p->have_snapshot = 1;
    p->snapshot_ts = snap->ts;
    p->rss = snap->rss;
    p->mapped = snap->mapped;
    p->in_use = snap->in_use;
    p->idle = snap->idle;
    p->released = snap->released;
    p->large_objects = snap->large_objects;
    p->large_bytes = snap->large_bytes;
    c->dirty = 0;

    if (!c->series) {
        c->series_n = c->n;
        size_t elem = sizeof(snap_point_t) + (size_t)c->series_n * sizeof(mp_class_stat_t);
        int rc = mp_series_create(&c->series, MP_REPLAY_HEAP_POINTS, elem, FIRST_WIDTH,
                                  merge_keep_later);
        if (rc != 0)
            return rc;
    }
    int fresh;
    snap_point_t *sp = mp_series_at(c->series, snap->ts, &fresh);
    if (!fresh && sp->ts > snap->ts)
        return extra; /* an older snapshot than the one kept: keep the later */
    sp->ts = snap->ts;
    sp->rss = snap->rss;
    sp->mapped = snap->mapped;
    sp->in_use = snap->in_use;
    sp->idle = snap->idle;
    sp->released = snap->released;
    sp->returned_total = p->returned_total;
    sp->large_objects = snap->large_objects;
    sp->large_bytes = snap->large_bytes;
    sp->n = n < c->series_n ? n : c->series_n;
    mp_class_stat_t *cs = (mp_class_stat_t *)(sp + 1);
    memset(cs, 0, c->series_n * sizeof *cs);
    memcpy(cs, snap->classes, sp->n * sizeof *cs);
    return extra;
}

void mp_classes_peak(mp_classes_t *c, uint64_t ts)
{
    c->at_peak = c->now;
    c->have_peak = 1;
    c->peak_ts = ts;
}

/* ---- Results ----------------------------------------------------------- */

static uint64_t clamp(int64_t v)
{
    return v > 0 ? (uint64_t)v : 0;
}

static uint64_t plus(uint64_t base, int64_t d)
{
    if (d < 0 && (uint64_t)(-(d + 1)) + 1 > base)
        return 0;
    return base + (uint64_t)d;
}

static void fill_class(const mp_classes_t *c, uint32_t i, uint64_t spans, uint64_t objs,
                       mp_replay_class_t *out)
{
    out->size = i < c->n_table ? c->cls[i].size : 0;
    out->span_pages = i < c->n_table ? c->cls[i].span_pages : 0;
    out->spans = spans;
    out->live_objects = objs;
    out->retained_bytes = spans * out->span_pages * c->page;
    out->live_bytes = objs * out->size;
}

static void sum_classes(mp_replay_heap_t *h)
{
    h->retained_bytes = h->live_bytes = 0;
    for (uint32_t i = 0; i < h->nclasses; i++) {
        h->retained_bytes += h->classes[i].retained_bytes;
        h->live_bytes += h->classes[i].live_bytes;
    }
}

/* A model state: page-heap figures p and per-class figures (peak ones when
 * at_peak). */
static void fill_model(const mp_classes_t *c, const pageheap_t *p, int at_peak, uint64_t ts,
                       mp_replay_class_t *classes, mp_replay_heap_t *h)
{
    memset(h, 0, sizeof *h);
    h->ts = ts;
    h->have_snapshot = p->have_snapshot;
    h->snapshot_ts = p->snapshot_ts;
    h->rss = p->rss;
    h->mapped = p->mapped;
    h->in_use = plus(p->in_use, p->d_in_use);
    h->released = plus(p->released, p->d_released);
    h->returned_total = p->returned_total;
    /* Idle is what the mapping holds beyond in-use and released pages. */
    h->idle = h->mapped > h->in_use + h->released ? h->mapped - h->in_use - h->released : 0;
    if (p->d_in_use == 0 && p->d_released == 0)
        h->idle = p->idle;
    h->large_objects = plus(p->large_objects, p->d_large_objects);
    h->large_bytes = plus(p->large_bytes, p->d_large_bytes);
    h->nclasses = c->n;
    h->classes = classes;
    for (uint32_t i = 0; i < c->n; i++) {
        const cls_t *k = &c->cls[i];
        fill_class(c, i, clamp(at_peak ? k->peak_spans : k->spans),
                   clamp(at_peak ? k->peak_objs : k->objs), &classes[i]);
    }
    sum_classes(h);
}

int mp_classes_finish(mp_classes_t *c, uint64_t epoch, uint64_t end_ts)
{
    size_t count = c->series ? mp_series_count(c->series) : 0;
    size_t n = c->n;
    free(c->heaps);
    free(c->out_classes);
    c->heaps = count ? calloc(count, sizeof *c->heaps) : NULL;
    c->out_classes = calloc((count + 2) * (n ? n : 1), sizeof *c->out_classes);
    if ((count && !c->heaps) || !c->out_classes)
        return MP_ELOG_NOMEM;
    c->nheaps = count;

    size_t cursor = 0, k = 0;
    const snap_point_t *sp;
    while (c->series && (sp = mp_series_next(c->series, &cursor)) != NULL) {
        mp_replay_heap_t *h = &c->heaps[k];
        mp_replay_class_t *cl = c->out_classes + (k + 2) * n;
        const mp_class_stat_t *cs = (const mp_class_stat_t *)(sp + 1);
        h->ts = h->snapshot_ts = sp->ts;
        h->exact = h->have_snapshot = 1;
        h->rss = sp->rss;
        h->mapped = sp->mapped;
        h->in_use = sp->in_use;
        h->idle = sp->idle;
        h->released = sp->released;
        h->returned_total = sp->returned_total;
        h->large_objects = sp->large_objects;
        h->large_bytes = sp->large_bytes;
        h->nclasses = (uint32_t)n;
        h->classes = cl;
        for (uint32_t i = 0; i < n; i++)
            fill_class(c, i, i < sp->n ? cs[i].spans : 0, i < sp->n ? cs[i].live_objects : 0,
                       &cl[i]);
        sum_classes(h);
        k++;
    }

    /* At the peak: classes not updated since the last peak still hold it. */
    for (uint32_t i = 0; i < n; i++) {
        cls_t *q = &c->cls[i];
        if (epoch == 0 || q->epoch != epoch) {
            q->peak_spans = q->spans;
            q->peak_objs = q->objs;
            q->epoch = epoch;
        }
    }
    if (c->have_peak)
        fill_model(c, &c->at_peak, 1, c->peak_ts, c->out_classes, &c->peak);
    else
        fill_model(c, &c->now, 0, 0, c->out_classes, &c->peak);
    fill_model(c, &c->now, 0, end_ts, c->out_classes + n, &c->final);
    c->final.exact = c->now.have_snapshot && !c->dirty;
    return 0;
}

size_t mp_classes_count(const mp_classes_t *c)
{
    return c->nheaps;
}

const mp_replay_heap_t *mp_classes_heap(const mp_classes_t *c, size_t i)
{
    return i < c->nheaps ? &c->heaps[i] : NULL;
}

const mp_replay_heap_t *mp_classes_at_peak(const mp_classes_t *c)
{
    return &c->peak;
}

const mp_replay_heap_t *mp_classes_final(const mp_classes_t *c)
{
    return &c->final;
}

size_t mp_classes_memory(const mp_classes_t *c)
{
    return sizeof *c + (c->series ? mp_series_memory(c->series) : 0) +
           c->nheaps * sizeof *c->heaps +
           (c->nheaps + 2) * c->n * sizeof *c->out_classes;
}
