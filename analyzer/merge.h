/*
 * merge.h — merges the BATCH events of all threads into one stream in
 * timestamp order, as docs/format.md's ORDERING and WATERMARK sections
 * require (docs/analysis.md, "The merge").
 *
 * Events are buffered on one queue per thread (a thread's events arrive in
 * its own order, so each queue is sorted) and released, smallest timestamp
 * first across the queues (a binary heap of queue heads), when the caller
 * says a watermark allows it: every event below the watermark has arrived.
 * Events with equal timestamps on several queues are a tie, broken by the
 * state of the addresses: among the queue heads at that time, the first (in
 * log order) that the caller's ready() accepts goes first — a live address
 * is freed before it is allocated again —, each queue keeping its order; if
 * none is ready, the first in log order goes.
 *
 * Memory: the events buffered between two releases (the events below one
 * watermark that were not below the previous one, plus those at or after
 * it), 56 bytes each; a queue keeps its largest size while its thread is
 * active and gives its ring back after a release interval without events;
 * 64 bytes per thread ever seen. Never the number of events in the log, as
 * long as the log has watermarks (a log with none is held whole until the
 * end).
 *
 * Internal to mp_analyzer.
 */
#ifndef MP_MERGE_H
#define MP_MERGE_H

#include <stddef.h>
#include <stdint.h>

/* A pseudo event kind (beyond the format's): a SNAPSHOT record, merged in
 * time order with the events so that the class model sees both in order. */
#define MP_MEV_SNAPSHOT 0x80

/* One buffered event. Which fields mean what depends on kind. */
typedef struct mp_mev {
    uint64_t ts;          /* ns */
    uint64_t seq;         /* set by mp_merge_push: arrival order in the log */
    uint64_t addr;        /* the block (REALLOC: the new one); SPAN: first page */
    uint64_t size;        /* ALLOC, REALLOC, SAMPLE: bytes; SPAN: pages */
    union {
        uint64_t old;     /* REALLOC: the old block, 0 if none */
        uint64_t weight;  /* SAMPLE: bytes it stands for */
        void *snapshot;   /* MP_MEV_SNAPSHOT: the caller's copy */
    } u;
    uint32_t queue;       /* dense thread index: one queue each */
    uint32_t site;        /* ALLOC, REALLOC, SAMPLE: dense site index */
    uint16_t cls;         /* SPAN: class (capped at 65535) */
    uint8_t op;           /* SPAN: op (capped at 255) */
    uint8_t kind;         /* MP_EV_* or MP_MEV_SNAPSHOT */
} mp_mev_t;

typedef struct mp_merge mp_merge_t;

/* 1 if ev can happen now given the addresses' states, else 0. */
typedef int (*mp_merge_ready_fn)(void *arg, const mp_mev_t *ev);
/* Applies ev: 0, or a negative code that stops the release. */
typedef int (*mp_merge_apply_fn)(void *arg, const mp_mev_t *ev);

/* 0 with *out set, or MP_ELOG_NOMEM. */
int mp_merge_create(mp_merge_t **out);
/* Frees the merge; events still buffered are dropped (they own nothing:
 * a snapshot's copy belongs to the caller). NULL is fine. */
void mp_merge_destroy(mp_merge_t *m);

/* Buffers a copy of ev on queue ev->queue and gives it its seq. An event
 * earlier than the one before it on its queue is buffered at that one's
 * time (counted: mp_merge_clamped); one below a watermark already released
 * is counted late (mp_merge_late) and released at the next release.
 * 0 or MP_ELOG_NOMEM. */
int mp_merge_push(mp_merge_t *m, const mp_mev_t *ev);

/* Applies, in order, every buffered event with ts < below (every one if
 * all), then remembers below as released. Returns 0 or apply's code. */
int mp_merge_release(mp_merge_t *m, uint64_t below, int all, mp_merge_ready_fn ready,
                     mp_merge_apply_fn apply, void *arg);

/* Checks the invariants (merge.c): 0, or -1 if the merge is damaged.
 * O(queues); the replay runs it under MP_DEBUG >= 2. */
int mp_merge_check(const mp_merge_t *m);

size_t mp_merge_pending(const mp_merge_t *m);     /* buffered now */
size_t mp_merge_max_pending(const mp_merge_t *m); /* most buffered at once */
uint64_t mp_merge_late(const mp_merge_t *m);
uint64_t mp_merge_clamped(const mp_merge_t *m);
size_t mp_merge_memory(const mp_merge_t *m);

#endif
