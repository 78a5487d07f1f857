/*
 * classes.h — the per-size-class model of memprof's allocator, rebuilt from
 * the log (docs/analysis.md, "The size-class model"): per class, over time,
 * spans held (retained bytes) against objects in use (live bytes), and the
 * page heap's in-use, idle and released bytes.
 *
 * SNAPSHOT records carry the allocator's exact counters; between two of
 * them the model moves with the events replayed in time order — SPAN events
 * for spans and released pages, full-mode allocations and frees (each
 * mapped to the class its size falls in) for objects — and every snapshot
 * sets it back to the exact figures. So the model is exact at every
 * snapshot and a close estimate between them, in particular at the global
 * peak, which rarely falls on a snapshot.
 *
 * Memory is fixed: the class table (at most 255 classes), the state at the
 * peak, and a series of at most MP_REPLAY_HEAP_POINTS snapshots
 * (timeline.h), whatever the number of snapshots in the log.
 *
 * Internal to mp_analyzer; the public view is replay.h's mp_replay_heap_t.
 */
#ifndef MP_CLASSES_H
#define MP_CLASSES_H

#include <stddef.h>
#include <stdint.h>

#include "log_format.h"
#include "replay.h"

typedef struct mp_classes mp_classes_t;

/* heap_page_size: PROCESS's (8192 if 0). 0 with *out set, or MP_ELOG_NOMEM. */
int mp_classes_create(mp_classes_t **out, uint64_t heap_page_size);
void mp_classes_destroy(mp_classes_t *c);

/* The CLASSES record (the first one counts). */
void mp_classes_table(mp_classes_t *c, const mp_rec_classes_t *rec);

/* A full-mode block of `size` requested bytes allocated / freed. epoch: the
 * replay's current peak number (sites.h explains the lazy capture). */
void mp_classes_alloc(mp_classes_t *c, uint64_t size, uint64_t epoch);
void mp_classes_free(mp_classes_t *c, uint64_t size, uint64_t epoch);

/* A SPAN event. 0, or 1 if it names a class the table does not have
 * (ignored; the caller counts it). */
int mp_classes_span(mp_classes_t *c, uint64_t op, uint64_t cls, uint64_t pages, uint64_t epoch);

/* A SNAPSHOT record, in time order with the events. 0, 1 if it has more
 * classes than the table (the rest are ignored), or MP_ELOG_NOMEM. */
int mp_classes_snapshot(mp_classes_t *c, const mp_rec_snapshot_t *snap, uint64_t epoch);

/* The global live bytes just reached a new peak at ts (the epoch was
 * advanced after this event): keeps the page-heap figures of the moment. */
void mp_classes_peak(mp_classes_t *c, uint64_t ts);

/* At the end: builds the heap states (epoch: the final peak number, 0 if
 * none; end_ts: the end of the log). 0 or MP_ELOG_NOMEM. */
int mp_classes_finish(mp_classes_t *c, uint64_t epoch, uint64_t end_ts);

/* After mp_classes_finish. */
size_t mp_classes_count(const mp_classes_t *c);
const mp_replay_heap_t *mp_classes_heap(const mp_classes_t *c, size_t i);
const mp_replay_heap_t *mp_classes_at_peak(const mp_classes_t *c);
const mp_replay_heap_t *mp_classes_final(const mp_classes_t *c);

size_t mp_classes_memory(const mp_classes_t *c);

#endif
