/*
 * heap.h — memprof's allocator as the rest of the shim sees it: the malloc
 * family's semantics (entry.c maps the exported symbols onto these), the
 * fast paths inline, the slow paths in heap.c.
 *
 * Small requests (<= MP_MAX_SMALL) are served by size class from the
 * calling thread's cache; larger ones take whole spans from the page heap.
 * free() finds the span of any pointer through the page map, so it needs no
 * header in front of blocks.
 *
 * Free-block marking: a freed small object holds its free-list link in word
 * 0 and mp_heap_key (a per-process random value) in word 1; malloc clears
 * word 1 before handing the object out. A free that finds the key in word 1
 * is a double free (glibc's tcache key, made unforgeable by randomness: a
 * live block holds the key only if the program wrote those exact 64 bits).
 */
#ifndef MP_HEAP_H
#define MP_HEAP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "memprof.h"
#include "pagemap.h"
#include "sizeclasses.h"
#include "tcache.h"

#define MP_LIKELY(x) __builtin_expect(!!(x), 1)
#define MP_UNLIKELY(x) __builtin_expect(!!(x), 0)

extern uint64_t mp_heap_key;

/* Initialises the heap once (idempotent, thread-safe, never allocates). */
void mp_heap_init(void);

void *mp_heap_malloc_slow(size_t size);
void mp_heap_free_slow(void *p, mp_span_t *s);
/* A thread cache list went over its limit (free fast path). */
void mp_heap_overflow(mp_tcache_t *tc, uint32_t cls);
void *mp_heap_calloc(size_t n, size_t size);
void *mp_heap_realloc(void *p, size_t size);
/* Requires: align is a power of two. */
void *mp_heap_memalign(size_t align, size_t size);
size_t mp_heap_usable_size(const void *p);

/* Prints the counters as `memprof:` lines on fd (malloc_stats, stats=1). */
void mp_heap_print_stats(int fd);
/* malloc_info's XML, into buf; returns the length. */
size_t mp_heap_info_xml(char *buf, size_t cap);

/* Fork handlers (installed by init.c). */
void mp_heap_fork_prepare(void);
void mp_heap_fork_parent(void);
void mp_heap_fork_child(void);

static inline void *mp_heap_malloc(size_t size)
{
    mp_tcache_t *tc = mp_tc;
    if (MP_LIKELY(size <= MP_MAX_SMALL && tc)) {
        mp_tclist_t *l = &tc->list[mp_size_class(size)];
        void **p = l->head;
        if (MP_LIKELY(p)) {
            l->head = p[0];
            __atomic_store_n(&l->len, l->len - 1, __ATOMIC_RELAXED);
            __atomic_store_n(&l->allocs, l->allocs + 1, __ATOMIC_RELAXED);
            p[1] = NULL; /* clear the free mark */
            return p;
        }
    }
    return mp_heap_malloc_slow(size);
}

static inline void mp_heap_free(void *ptr)
{
    if (MP_UNLIKELY(!ptr))
        return;
    mp_span_t *s = mp_pagemap_lookup((uintptr_t)ptr);
    mp_tcache_t *tc = mp_tc;
    if (MP_LIKELY(s && s->state == 1 /* MP_SPAN_SMALL */ && tc)) {
        uintptr_t off = (uintptr_t)ptr - s->start;
        void **p = ptr;
        if (MP_LIKELY(off < ((uintptr_t)s->npages << 13) &&
                      (uint32_t)((off * s->divmul) >> 32) * (uintptr_t)s->objsize == off &&
                      (uint64_t)(uintptr_t)p[1] != mp_heap_key)) {
            mp_tclist_t *l = &tc->list[s->cls];
            p[0] = l->head;
            p[1] = (void *)(uintptr_t)mp_heap_key;
            l->head = p;
            __atomic_store_n(&l->len, l->len + 1, __ATOMIC_RELAXED);
            __atomic_store_n(&l->frees, l->frees + 1, __ATOMIC_RELAXED);
            if (MP_UNLIKELY(l->len > l->max))
                mp_heap_overflow(tc, s->cls);
            return;
        }
    }
    mp_heap_free_slow(ptr, s);
}

#endif
