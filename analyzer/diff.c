/*
 * diff.c — see diff.h. Each stack of both reports gets a key, its frames'
 * functions and files joined with separators no name holds (US between a
 * function and its file, RS after each frame); the stacks of both logs are
 * sorted by key together, so equal keys are neighbours and one walk sums
 * each group per log. O(n log n) in the stacks of both logs; memory: a key
 * and a few words per stack.
 */
#define _GNU_SOURCE /* qsort_r */
#include "diff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct item {
    char *key;
    int side;                       /* 0: A, 1: B */
    const mp_report_stack_t *stack;
    uint64_t v[MP_DIFF_NMETRICS];
} item_t;

typedef struct row {
    mp_diff_row_t r;
    const char *key;                /* for ties */
} row_t;

struct mp_diff {
    item_t *items;
    size_t nitems;
    row_t *rows;
    mp_diff_row_t **sorted;         /* changed rows, in order */
    size_t nrows, nchanged;
    mp_diff_metric_t sort;
    mp_diff_totals_t totals;
};

static const char *const metric_names[MP_DIFF_NMETRICS] = { "peak", "leaked", "allocated",
                                                            "allocations" };

int mp_diff_metric_parse(const char *s, mp_diff_metric_t *out)
{
    for (int i = 0; i < MP_DIFF_NMETRICS; i++)
        if (strcmp(s, metric_names[i]) == 0) {
            *out = (mp_diff_metric_t)i;
            return 0;
        }
    return -1;
}

const char *mp_diff_metric_name(mp_diff_metric_t m)
{
    return m < MP_DIFF_NMETRICS ? metric_names[m] : "?";
}

/* The key of a stack, malloc'd; NULL out of memory. */
static char *stack_key(const mp_report_stack_t *st)
{
    char *s = NULL, name[256];
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    if (!f)
        return NULL;
    for (size_t k = 0; st && k < st->nframes; k++) {
        const mp_frame_t *fr = &st->frames[k];

        mp_frame_name(fr, name, sizeof name);
        fprintf(f, "%s\x1f%s\x1e", name, fr->file ? fr->file : "");
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

static int add_items(mp_diff_t *d, const mp_report_t *rep, int side)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_ALLOCS);
    int sampled = mp_replay_process(mp_report_replay(rep))->mode == MP_MODE_SAMPLED;

    for (size_t i = 0; i < l->n; i++) {
        const mp_replay_site_t *s = l->v[i].site;
        item_t *it = &d->items[d->nitems];

        it->key = stack_key(l->v[i].stack);
        if (!it->key)
            return -1;
        d->nitems++;
        it->side = side;
        it->stack = l->v[i].stack;
        it->v[MP_DIFF_PEAK] = s->peak_bytes;
        it->v[MP_DIFF_LEAKED] = s->leaked_bytes;
        it->v[MP_DIFF_ALLOCATED] = s->bytes_allocated;
        it->v[MP_DIFF_ALLOCATIONS] = sampled ? (uint64_t)llround(s->est_allocs) : s->allocs;
    }
    return 0;
}

static void totals(const mp_report_t *rep, uint64_t v[MP_DIFF_NMETRICS])
{
    mp_replay_summary_t s;

    mp_replay_summary(mp_report_replay(rep), &s);
    v[MP_DIFF_PEAK] = s.peak_bytes;
    v[MP_DIFF_LEAKED] = s.leaked_bytes;
    v[MP_DIFF_ALLOCATED] = s.bytes_allocated;
    v[MP_DIFF_ALLOCATIONS] = mp_report_facts(rep)->alloc_count;
}

static int by_key(const void *pa, const void *pb)
{
    const item_t *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);

    return c ? c : a->side - b->side;
}

static int by_change(const void *pa, const void *pb, void *arg)
{
    /* a row's r is its first member: the row is where its r is */
    const row_t *a = (const row_t *)*(mp_diff_row_t *const *)pa;
    const row_t *b = (const row_t *)*(mp_diff_row_t *const *)pb;
    mp_diff_metric_t first = *(const mp_diff_metric_t *)arg;

    for (int k = -1; k < MP_DIFF_NMETRICS; k++) {
        int m = k < 0 ? (int)first : k;

        if (a->r.change[m] != b->r.change[m])
            return a->r.change[m] > b->r.change[m] ? -1 : 1;
    }
    return strcmp(a->key, b->key);
}

static int64_t change(uint64_t a, uint64_t b)
{
    return b >= a ? (int64_t)(b - a) : -(int64_t)(a - b);
}

int mp_diff_build(const mp_report_t *a, const mp_report_t *b, mp_diff_metric_t sort,
                  mp_diff_t **out)
{
    size_t na = mp_report_list(a, MP_REPORT_ALLOCS)->n, nb = mp_report_list(b, MP_REPORT_ALLOCS)->n;
    mp_diff_t *d = calloc(1, sizeof *d);

    *out = NULL;
    if (!d)
        return MP_ELOG_NOMEM;
    d->sort = sort;
    d->items = calloc(na + nb + 1, sizeof *d->items);
    d->rows = calloc(na + nb + 1, sizeof *d->rows);
    d->sorted = calloc(na + nb + 1, sizeof *d->sorted);
    if (!d->items || !d->rows || !d->sorted || add_items(d, a, 0) != 0 || add_items(d, b, 1) != 0)
        goto nomem;
    qsort(d->items, d->nitems, sizeof *d->items, by_key);
    for (size_t i = 0; i < d->nitems;) {
        row_t *row = &d->rows[d->nrows++];
        const item_t *rep = NULL;
        size_t j = i;

        row->key = d->items[i].key;
        for (; j < d->nitems && strcmp(d->items[j].key, row->key) == 0; j++) {
            const item_t *it = &d->items[j];
            uint64_t *v = it->side ? row->r.b : row->r.a;

            for (int m = 0; m < MP_DIFF_NMETRICS; m++)
                v[m] += it->v[m];
            if (it->side)
                row->r.b_stacks++;
            else
                row->r.a_stacks++;
            if (!rep || (it->side && !rep->side))
                rep = it; /* B's frames when it has the stack */
        }
        i = j;
        row->r.frames = rep->stack ? rep->stack->frames : NULL;
        row->r.nframes = rep->stack ? rep->stack->nframes : 0;
        int changed = 0;
        for (int m = 0; m < MP_DIFF_NMETRICS; m++) {
            row->r.change[m] = change(row->r.a[m], row->r.b[m]);
            changed |= row->r.change[m] != 0;
        }
        if (changed)
            d->sorted[d->nchanged++] = &row->r;
    }
    qsort_r(d->sorted, d->nchanged, sizeof *d->sorted, by_change, &d->sort);
    totals(a, d->totals.a);
    totals(b, d->totals.b);
    for (int m = 0; m < MP_DIFF_NMETRICS; m++)
        d->totals.change[m] = change(d->totals.a[m], d->totals.b[m]);
    *out = d;
    return 0;
nomem:
    mp_diff_free(d);
    return MP_ELOG_NOMEM;
}

void mp_diff_free(mp_diff_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nitems; i++)
        free(d->items[i].key);
    free(d->items);
    free(d->rows);
    free(d->sorted);
    free(d);
}

size_t mp_diff_count(const mp_diff_t *d)
{
    return d->nchanged;
}

const mp_diff_row_t *mp_diff_row(const mp_diff_t *d, size_t i)
{
    return i < d->nchanged ? d->sorted[i] : NULL;
}

size_t mp_diff_unchanged(const mp_diff_t *d)
{
    return d->nrows - d->nchanged;
}

mp_diff_metric_t mp_diff_sort(const mp_diff_t *d)
{
    return d->sort;
}

const mp_diff_totals_t *mp_diff_totals(const mp_diff_t *d)
{
    return &d->totals;
}
