/*
 * timeline.c — bounded time series and the heap timeline (timeline.h).
 *
 * Invariants: width is a power of two, >= first_width; every value added
 * so far with ts lies in interval ts / width < max_points; used[i] says
 * whether interval i holds a value; a point not used is all zero.
 *
 * Folding keeps the shape of the curve: the heap timeline's points carry
 * the extremes of their interval (max_bytes, min_bytes) as well as the last
 * value, so a fold never loses the peak, only its position inside a wider
 * interval.
 */
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

struct mp_series {
    unsigned char *points;   /* max_points * elem_size bytes */
    unsigned char *used;     /* max_points flags */
    size_t max_points;
    size_t elem_size;
    size_t count;            /* used intervals */
    uint64_t width;          /* ns per interval, a power of two */
    mp_series_merge_fn merge;
};

int mp_series_create(mp_series_t **out, size_t max_points, size_t elem_size,
                     uint64_t first_width, mp_series_merge_fn merge)
{
    if (max_points < 2 || max_points % 2 || elem_size == 0 || first_width == 0 ||
        (first_width & (first_width - 1)) || !merge)
        return MP_ELOG_INVAL;
    mp_series_t *s = calloc(1, sizeof *s);
    if (!s)
        return MP_ELOG_NOMEM;
    s->points = calloc(max_points, elem_size);
    s->used = calloc(max_points, 1);
    if (!s->points || !s->used) {
        mp_series_destroy(s);
        return MP_ELOG_NOMEM;
    }
    s->max_points = max_points;
    s->elem_size = elem_size;
    s->width = first_width;
    s->merge = merge;
    *out = s;
    return 0;
}

void mp_series_destroy(mp_series_t *s)
{
    if (!s)
        return;
    free(s->points);
    free(s->used);
    free(s);
}

static void *point(const mp_series_t *s, size_t i)
{
    return s->points + i * s->elem_size;
}

/* Doubles the width: interval j of the new width is intervals 2j and 2j+1
 * of the old one. */
static void fold(mp_series_t *s)
{
    size_t half = s->max_points / 2;
    s->count = 0;
    for (size_t j = 0; j < half; j++) {
        size_t a = 2 * j, b = 2 * j + 1;
        int ua = s->used[a], ub = s->used[b];
        if (ua && ub)
            s->merge(point(s, a), point(s, b), s->elem_size);
        else if (ub)
            memcpy(point(s, a), point(s, b), s->elem_size);
        if (j != a)
            memcpy(point(s, j), point(s, a), s->elem_size);
        s->used[j] = (unsigned char)(ua || ub);
        s->count += s->used[j];
    }
    memset(point(s, half), 0, half * s->elem_size);
    memset(s->used + half, 0, half);
    s->width *= 2;
}

void *mp_series_at(mp_series_t *s, uint64_t ts, int *fresh)
{
    /* width doubles at most 64 times: ts / 2^63 <= 1 < max_points. */
    while (ts / s->width >= s->max_points)
        fold(s);
    size_t i = (size_t)(ts / s->width);
    *fresh = !s->used[i];
    if (*fresh) {
        s->used[i] = 1;
        s->count++;
    }
    return point(s, i);
}

const void *mp_series_next(const mp_series_t *s, size_t *cursor)
{
    while (*cursor < s->max_points) {
        size_t i = (*cursor)++;
        if (s->used[i])
            return point(s, i);
    }
    return NULL;
}

size_t mp_series_count(const mp_series_t *s)
{
    return s->count;
}

uint64_t mp_series_width(const mp_series_t *s)
{
    return s->width;
}

size_t mp_series_memory(const mp_series_t *s)
{
    return sizeof *s + s->max_points * (s->elem_size + 1);
}

/* ---- The heap timeline ------------------------------------------------- */

static void merge_point(void *into, const void *later, size_t elem_size)
{
    mp_replay_point_t *a = into;
    const mp_replay_point_t *b = later;
    (void)elem_size;
    a->ts = b->ts;
    a->bytes = b->bytes;
    a->blocks = b->blocks;
    if (b->max_bytes > a->max_bytes)
        a->max_bytes = b->max_bytes;
    if (b->min_bytes < a->min_bytes)
        a->min_bytes = b->min_bytes;
}

int mp_timeline_create(mp_series_t **out, size_t max_points)
{
    return mp_series_create(out, max_points, sizeof(mp_replay_point_t),
                            MP_TIMELINE_FIRST_WIDTH, merge_point);
}

void mp_timeline_add(mp_series_t *t, uint64_t ts, uint64_t bytes, uint64_t blocks)
{
    int fresh;
    mp_replay_point_t *p = mp_series_at(t, ts, &fresh);
    if (fresh) {
        p->max_bytes = p->min_bytes = bytes;
    } else {
        if (bytes > p->max_bytes)
            p->max_bytes = bytes;
        if (bytes < p->min_bytes)
            p->min_bytes = bytes;
    }
    if (fresh || ts >= p->ts) {
        p->ts = ts;
        p->bytes = bytes;
        p->blocks = blocks;
    }
}

int mp_timeline_points(const mp_series_t *t, mp_replay_point_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (mp_series_count(t) == 0)
        return 0;
    mp_replay_point_t *p = malloc(mp_series_count(t) * sizeof *p);
    if (!p)
        return MP_ELOG_NOMEM;
    size_t cursor = 0, k = 0;
    const mp_replay_point_t *q;
    while ((q = mp_series_next(t, &cursor)) != NULL)
        p[k++] = *q;
    *out = p;
    *n = k;
    return 0;
}
