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
 * 0 and its free mark in word 1: mp_heap_key (a per-process random value)
 * xor the object's own address. malloc clears word 1 before handing the
 * object out. A free that finds the mark in word 1 is a double free
 * (glibc's tcache key, made unforgeable): a live block holds its mark only
 * if the program wrote those exact 64 bits there. Tying the mark to the
 * address matters: recycled memory is full of stale marks, and a program
 * that copies uninitialised bytes (a struct with padding, a buffer it never
 * filled) into a new block copies another address's mark, which does not
 * match.
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

/* The free mark of the object at p (see above). */
static inline void *mp_free_mark(const void *p)
{
    return (void *)(uintptr_t)(mp_heap_key ^ (uint64_t)(uintptr_t)p);
}

/* Initialises the heap once (idempotent, thread-safe, never allocates). */
void mp_heap_init(void);

void *mp_heap_malloc_slow(size_t size);
void mp_heap_free_slow(void *p);
/* A thread cache list went over its limit (free fast path). */
void mp_heap_overflow(mp_tcache_t *tc, uint32_t cls);
void *mp_heap_calloc(size_t n, size_t size);
void *mp_heap_realloc(void *p, size_t size);
/* realloc that calls note(old, new, size) once the new block exists and
 * before the old one is given back (the recorder's ordering rule: an
 * address is never seen allocated twice). note is not called on failure or
 * for pointers that are not live blocks of this heap. */
typedef void (*mp_realloc_note_fn)(void *old, void *new_block, size_t size);
void *mp_heap_realloc_noted(void *p, size_t size, mp_realloc_note_fn note);
/* 1 if p is a live block of this heap (what free would accept), without
 * side effects. */
int mp_heap_block_live(const void *p);

/* Sampled mode: a block that will be recorded gets a span of its own,
 * flagged, so that free recognises it in O(1) (TCMalloc does the same): a
 * small object's page carries no class info, so its free leaves the fast
 * path and mp_heap_block_sampled finds the flag on the span. With a mean
 * sampling interval of 512 KiB this costs at most one page per 512 KiB
 * allocated (1.6%). zero: clear the block (calloc). NULL on ENOMEM. */
void *mp_heap_alloc_sampled(size_t size, size_t align, int zero);
/* 1 if p is a live sampled block. */
int mp_heap_block_sampled(const void *p);
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

static inline __attribute__((always_inline)) void *mp_heap_malloc(size_t size)
{
    mp_tcache_t *tc = mp_tc;
    if (MP_LIKELY(size <= MP_MAX_SMALL && tc)) {
        mp_tclist_t *l = &tc->list[mp_size_class(size)];
        void **p = l->head;
        if (MP_LIKELY(p)) {
            l->head = p[0];
            __atomic_store_n(&l->len, l->len - 1, __ATOMIC_RELAXED);
            __atomic_store_n(&l->allocs, l->allocs + 1, __ATOMIC_RELAXED);
            p[0] = NULL; /* the free-list link: the leak scan would take it
                            for a pointer to the next block handed out */
            p[1] = NULL; /* clear the free mark */
            return p;
        }
    }
    return mp_heap_malloc_slow(size);
}

static inline __attribute__((always_inline)) void mp_heap_free(void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    uint32_t info = mp_pagemap_info(a); /* 0 for NULL and non-small pages */
    uint32_t cls = info & 0xff;
    mp_tcache_t *tc = mp_tc;
    if (MP_LIKELY(cls && tc)) {
        uintptr_t off = (a & ~(uintptr_t)(MP_PAGE_SIZE - 1)) - ((uintptr_t)(info >> 8) << 13);
        off = a - off; /* offset from the span's start */
        void **p = ptr;
        if (MP_LIKELY((uint32_t)((off * mp_class_divmul[cls]) >> 32) * (uintptr_t)mp_class_size[cls] ==
                          off &&
                      p[1] != mp_free_mark(p))) {
            mp_tclist_t *l = &tc->list[cls];
            p[0] = l->head;
            p[1] = mp_free_mark(p);
            l->head = p;
            __atomic_store_n(&l->len, l->len + 1, __ATOMIC_RELAXED);
            __atomic_store_n(&l->frees, l->frees + 1, __ATOMIC_RELAXED);
            if (MP_UNLIKELY(l->len > l->max))
                mp_heap_overflow(tc, cls);
            return;
        }
    }
    if (ptr)
        mp_heap_free_slow(ptr);
}

#endif
