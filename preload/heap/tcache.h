/*
 * tcache.h — per-thread caches of free objects, one list per size class
 * (TCMalloc's ThreadCache, Go's mcache). The allocation and free fast
 * paths (heap.c) touch only the calling thread's cache: no lock, no atomic
 * read-modify-write.
 *
 * A list holds at most max objects (2 batches); a free that overflows it
 * sends one batch back to the central list, a malloc that finds it empty
 * fetches one batch. So one lock operation is paid per batch (up to 32
 * objects), and a thread caches at most 2 x 64 KiB per class.
 *
 * Counters: allocs and frees per class, written only by the owning thread
 * (relaxed stores), read by mp_heap_get_stats from any thread (relaxed
 * loads). When a thread exits its cache is flushed, its counters are folded
 * into the totals of dead threads, and the record is recycled (registry
 * lock), so creating and ending threads does not grow memory.
 *
 * Thread-local state is initial-exec TLS: no __tls_get_addr, no allocation
 * on first touch.
 */
#ifndef MP_TCACHE_H
#define MP_TCACHE_H

#include <stdint.h>

#include "sizeclasses.h"

typedef struct mp_tclist {
    void *head;       /* free objects, linked through their first word */
    uint32_t len;     /* objects on the list */
    uint32_t max;     /* flush threshold */
    uint64_t allocs;  /* objects this thread took from the heap */
    uint64_t frees;   /* objects this thread gave back */
} mp_tclist_t;

typedef struct mp_tcache {
    mp_tclist_t list[MP_NUM_CLASSES];
    struct mp_tcache *next, *prev; /* registry links (registry lock) */
} mp_tcache_t;

/* The calling thread's cache, or NULL if it has none yet (or no more). */
extern __thread mp_tcache_t *mp_tc __attribute__((tls_model("initial-exec")));

/* Creates the calling thread's cache. NULL if the thread is exiting (its
 * cache was already destroyed) or when re-entered during creation; the
 * caller then goes to the central lists directly. */
mp_tcache_t *mp_tcache_create(void);

/* Slow path of malloc: refills list cls and returns one object, or NULL. */
void *mp_tcache_refill(mp_tcache_t *tc, uint32_t cls);

/* Slow path of free: the list went over max; sends a batch to central. */
void mp_tcache_overflow(mp_tcache_t *tc, uint32_t cls);

/* Objects taken/given by threads without a cache (exiting threads). */
void mp_tcache_count_direct(uint32_t cls, int64_t allocs, int64_t frees);

/* Per-class sums over all threads, live and dead: allocs, frees, and
 * objects sitting in caches. Arrays have MP_NUM_CLASSES entries. */
void mp_tcache_totals(uint64_t *allocs, uint64_t *frees, uint64_t *cached,
                      uint64_t *threads);

/* Gives every cached object back to central (the calling thread's cache;
 * used by malloc_trim). */
void mp_tcache_flush_own(void);

/* Fork: the registry lock is the outermost heap lock. In the child, the
 * caches of threads that do not exist there are reclaimed. */
void mp_tcache_lock_all(void);
void mp_tcache_unlock_all(void);
void mp_tcache_after_fork_child(void);

#endif
