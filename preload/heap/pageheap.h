/*
 * pageheap.h — the page heap: every page memprof's heap has mapped, handed
 * out as spans to the central lists (for small objects) and to large
 * objects, taken back, coalesced, and released to the OS when idle.
 *
 * Like Go's mheap and TCMalloc's PageHeap. One lock guards it all: spans
 * are taken and returned in batches of objects, so it is far from the hot
 * path. Accounting (bytes, exact, under the lock):
 *
 *     mapped == in_use + idle + released
 *
 * in_use: pages of SMALL and LARGE spans; idle: free pages that may be
 * resident; released: free pages known not resident (never touched since
 * mapped, or given back with madvise). The released state is kept per page
 * in the page map's bitmap, so it stays exact across splits and merges.
 *
 * Scavenging policy (docs/heap.md): a free span that has stayed free for
 * mp_options.scavenge_delay_ms is released. The check runs inline on the
 * page heap's slow paths at most every delay/4, and from the background
 * scavenger thread (scavenger.c) when the program is idle.
 */
#ifndef MP_PAGEHEAP_H
#define MP_PAGEHEAP_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"

typedef struct mp_pageheap_stats {
    uint64_t mapped, in_use, idle, released; /* bytes */
    uint64_t released_total;                 /* bytes ever given back */
    uint64_t scavenge_runs;                  /* runs that released pages */
    uint64_t large_objects, large_bytes;     /* LARGE spans, their bytes */
    uint64_t free_spans;                     /* spans on the free lists */
} mp_pageheap_stats_t;

/* A span of npages pages whose start is a multiple of align_pages pages (a
 * power of two; 1 for none), in state SMALL or LARGE, with every page in
 * the page map pointing at it. s->zeroed tells whether all its pages read
 * as zero. NULL when the OS refuses memory (errno is not touched). */
mp_span_t *mp_pageheap_alloc(uintptr_t npages, uintptr_t align_pages, int state);

/* Returns a span in use to the free lists, merging it with free
 * neighbours. May run the inline scavenger. */
void mp_pageheap_free(mp_span_t *s);

/* Releases free spans idle at least min_idle_ns (0: all of them). Returns
 * the bytes newly released. Takes the lock. */
uint64_t mp_pageheap_scavenge(uint64_t min_idle_ns);

/* Idle bytes now (a racy read; for deciding whether to scavenge). */
uint64_t mp_pageheap_idle_bytes(void);

void mp_pageheap_stats(mp_pageheap_stats_t *out);

/* Copies the address and byte length of up to max large objects of at
 * least min_bytes (their spans) into addr[] and bytes[]; returns how many.
 * For the hollow-block scan: the caller reads them after the lock is
 * dropped, which is safe because the heap never unmaps its memory. */
size_t mp_pageheap_large_blocks(uintptr_t *addr, uintptr_t *bytes, size_t max,
                                uintptr_t min_bytes);

/* Walks every list and checks the accounting identity; returns 0 when all
 * holds, else a negative code (tests and MP_DEBUG >= 2). */
int mp_pageheap_check(void);

/* Fork: take and drop the page heap lock. */
void mp_pageheap_lock_all(void);
void mp_pageheap_unlock_all(void);

#endif
