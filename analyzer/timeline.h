/*
 * timeline.h — time series of bounded size (docs/analysis.md, "The
 * timeline"), and the heap timeline built on one.
 *
 * A series divides time into at most max_points intervals of equal width,
 * a power of two of nanoseconds, starting at 0 (the process's start). A
 * value at ts lands in interval ts / width. When a ts falls past the last
 * interval, the width doubles and every two neighbouring intervals are
 * folded into one (the caller's merge function says how), until it fits:
 * so the series always covers [0, last ts] with at most max_points points,
 * spread evenly, whatever the run's length — memory is max_points * elem_size
 * from the start, and each fold costs O(max_points), at most 64 in a run.
 *
 * Internal to mp_analyzer.
 */
#ifndef MP_TIMELINE_H
#define MP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

typedef struct mp_series mp_series_t;

/* Folds the point of an interval (later) into the point of the interval
 * just before it (into); both hold values. */
typedef void (*mp_series_merge_fn)(void *into, const void *later, size_t elem_size);

/* A series of at most max_points (even, >= 2) points of elem_size bytes,
 * first interval width first_width ns (>= 1). 0 with *out set, or
 * MP_ELOG_NOMEM / MP_ELOG_INVAL. */
int mp_series_create(mp_series_t **out, size_t max_points, size_t elem_size,
                     uint64_t first_width, mp_series_merge_fn merge);
void mp_series_destroy(mp_series_t *s);

/* The point of the interval holding ts (folding first if needed); *fresh is
 * 1 if no value had landed there yet (the point is then all zero), else 0.
 * Valid until the next call. */
void *mp_series_at(mp_series_t *s, uint64_t ts, int *fresh);

/* The points that hold values, in time order: start with *cursor = 0;
 * NULL after the last. */
const void *mp_series_next(const mp_series_t *s, size_t *cursor);

size_t mp_series_count(const mp_series_t *s); /* points holding values */
uint64_t mp_series_width(const mp_series_t *s);
size_t mp_series_memory(const mp_series_t *s);

/* ---- The heap timeline: a series of mp_replay_point_t ---------------- */

#define MP_TIMELINE_FIRST_WIDTH 1024 /* ns: 2048 points cover 2 ms before a fold */

int mp_timeline_create(mp_series_t **out, size_t max_points);

/* Live bytes and blocks after an event at ts. */
void mp_timeline_add(mp_series_t *t, uint64_t ts, uint64_t bytes, uint64_t blocks);

/* The points, compacted into a new array the caller frees: 0 with *out and
 * *n set (*out NULL if none), or MP_ELOG_NOMEM. */
int mp_timeline_points(const mp_series_t *t, mp_replay_point_t **out, size_t *n);

#endif
