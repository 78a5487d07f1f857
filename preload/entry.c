/*
 * entry.c — the symbols libmemprof.so exports: the whole malloc family with
 * glibc's semantics and errno, and glibc's extensions answered from
 * memprof's own heap. Preloaded, these interpose the libc's for the whole
 * process; C++ operator new/delete reach them through libstdc++.
 *
 * Each function is a thin argument check over heap.h. Nothing here takes a
 * lock or allocates except through the heap.
 */
#define _GNU_SOURCE
#include "heap.h"
#include "internal.h"
#include "memprof.h"
#include "recorder.h"
#include "diag.h"
#include "os.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MP_EXPORT __attribute__((visibility("default")))

/* The system page size the glibc page-allocation functions promise. */
#define SYS_PAGE 4096u

static int is_pow2(size_t x) { return x && !(x & (x - 1)); }

/* ---- allocation, with the recorder's hooks ----
 *
 * An allocation is recorded once it exists, a free before the block goes
 * back (docs/format.md, "Ordering"): one predictable branch when recording
 * is off. In sampled mode the decision comes first, because a sampled block
 * gets a span of its own (docs/sampling.md). */

/* ---- signal handlers that allocate ----
 *
 * A handler that mallocs or frees (async-signal-unsafe in POSIX terms, but
 * real programs do it) may interrupt its thread inside the heap: holding a
 * central or page-heap lock (it would wait on itself forever), or halfway
 * through its thread cache's free list (it would take the same block
 * twice). Nothing there is reentrant, so a heap call that finds
 * mp_in_heap set on its own thread is not served: an allocation fails
 * with ENOMEM, as malloc may; a free keeps its block (a leak, never a
 * corrupt list). The recorder has its own flag (mp_internal, internal.h):
 * mp_in_heap covers the heap calls only, since recording may allocate
 * (libunwind) and that must work. One thread-local store on each side of a
 * heap call (mp_in_heap lives in heap.c, so the heap can step out of it
 * where it calls the libc, scavenger.c). docs/hardening.md says what this
 * does and does not cover. */
#define HEAP_ENTER_OR_FAIL()                                                    \
    do {                                                                        \
        if (MP_UNLIKELY(mp_in_heap)) {                                          \
            errno = ENOMEM;                                                     \
            return NULL;                                                        \
        }                                                                       \
        mp_in_heap = 1;                                                         \
    } while (0)
#define HEAP_LEAVE() (mp_in_heap = 0)

static inline void *heap_alloc(size_t size, size_t align, int zero)
{
    void *p;
    HEAP_ENTER_OR_FAIL();
    if (zero)
        p = mp_heap_calloc(1, size);
    else if (align <= 16)
        p = mp_heap_malloc(size);
    else
        p = mp_heap_memalign(align, size);
    HEAP_LEAVE();
    return p;
}

static void *heap_alloc_sampled(size_t size, size_t align, int zero)
{
    HEAP_ENTER_OR_FAIL();
    void *p = mp_heap_alloc_sampled(size, align, zero);
    HEAP_LEAVE();
    return p;
}

static void *heap_realloc(void *p, size_t size, mp_realloc_note_fn note)
{
    HEAP_ENTER_OR_FAIL();
    void *q = mp_heap_realloc_noted(p, size, note);
    HEAP_LEAVE();
    return q;
}

/* Requires: mp_in_heap is 0 (the caller checked). */
static void heap_free(void *p)
{
    mp_in_heap = 1;
    mp_heap_free(p);
    HEAP_LEAVE();
}

static void *alloc_recorded(size_t size, size_t align, int zero)
{
    if (mp_rec_sampling) {
        uint64_t w = mp_rec_sample_take(size);
        if (!w)
            return heap_alloc(size, align, zero);
        void *p = heap_alloc_sampled(size, align, zero);
        if (p)
            mp_rec_sample(p, size, w);
        return p;
    }
    void *p = heap_alloc(size, align, zero);
    if (p)
        mp_rec_alloc(p, size);
    return p;
}

static inline void *alloc(size_t size, size_t align, int zero)
{
    if (MP_LIKELY(!mp_rec_on))
        return heap_alloc(size, align, zero);
    if (mp_rec_sampling && size < mp_rec_tl_sampler.bytes_left) {
        mp_rec_tl_sampler.bytes_left -= size; /* not sampled: the common case */
        return heap_alloc(size, align, zero);
    }
    return alloc_recorded(size, align, zero);
}

MP_EXPORT void *malloc(size_t size)
{
    return alloc(size, 0, 0);
}

/* Full mode records every free of a live block here. Sampled mode records
 * only frees of sampled blocks, and the heap does that itself on the slow
 * path those blocks always take (mp_sampled_free_hook): no test here. */
MP_EXPORT void free(void *p)
{
    if (MP_UNLIKELY(mp_in_heap))
        return; /* a signal handler inside our heap: the block stays live */
    if (MP_UNLIKELY(mp_rec_on) && !mp_rec_sampling && p && mp_heap_block_live(p))
        mp_rec_free(p);
    heap_free(p);
}

MP_EXPORT void *calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc(total, 0, 1);
}

/* Called by the heap between two of its calls, no lock held: recording may
 * allocate (the unwinder), so the heap is not "entered" meanwhile. */
static void note_realloc(void *old, void *new_block, size_t size)
{
    HEAP_LEAVE();
    mp_rec_realloc(old, new_block, size);
    mp_in_heap = 1;
}

/* Sampled mode: realloc is a new sampling decision for the new size. A
 * sampled old block's FREE is recorded before it goes back, a sampled new
 * block's SAMPLE after it exists. */
static void *realloc_sampled(void *p, size_t size)
{
    int was = mp_heap_block_sampled(p);
    uint64_t w = mp_rec_sample_take(size);
    if (!w && !was)
        return heap_realloc(p, size, NULL);
    size_t old = mp_heap_usable_size(p);
    void *q = w ? heap_alloc_sampled(size, 0, 0) : heap_alloc(size, 0, 0);
    if (!q)
        return NULL; /* the old block is untouched */
    memcpy(q, p, old < size ? old : size);
    if (w)
        mp_rec_sample(q, size, w);
    heap_free(p); /* records the FREE itself if p was sampled */
    return q;
}

/* Full mode: realloc(p, n) is one REALLOC event (old, new, n), written after
 * the new block exists and before the old one is given back. */
static void *realloc_entry(void *p, size_t size)
{
    if (MP_UNLIKELY(mp_in_heap)) {
        errno = ENOMEM; /* a signal handler inside our heap: p is untouched */
        return NULL;
    }
    if (MP_LIKELY(!mp_rec_on))
        return heap_realloc(p, size, NULL);
    if (!p)
        return alloc(size, 0, 0);
    if (size == 0) {
        free(p);
        return NULL;
    }
    if (mp_rec_sampling)
        return mp_heap_block_live(p) ? realloc_sampled(p, size) : heap_realloc(p, size, NULL);
    return heap_realloc(p, size, note_realloc);
}

MP_EXPORT void *realloc(void *p, size_t size)
{
    return realloc_entry(p, size);
}

MP_EXPORT void *reallocarray(void *p, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc_entry(p, total);
}

MP_EXPORT void *memalign(size_t align, size_t size)
{
    /* glibc rounds an alignment that is not a power of two up to one. */
    if (!is_pow2(align)) {
        if (align > ((size_t)1 << 46)) {
            errno = EINVAL;
            return NULL;
        }
        size_t a = 1;
        while (a < align)
            a <<= 1;
        align = a;
    }
    return alloc(size, align, 0);
}

MP_EXPORT void *aligned_alloc(size_t align, size_t size)
{
    /* As glibc >= 2.38: an alignment that is not a power of two is an
     * error (C17 lets implementations choose; failing loudly is safer). */
    if (!is_pow2(align)) {
        errno = EINVAL;
        return NULL;
    }
    return alloc(size, align, 0);
}

MP_EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    if (!is_pow2(align) || align % sizeof(void *) != 0)
        return EINVAL;
    int saved = errno; /* posix_memalign reports through its result */
    void *p = alloc(size, align, 0);
    errno = saved;
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

MP_EXPORT void *valloc(size_t size)
{
    return alloc(size, SYS_PAGE, 0);
}

MP_EXPORT void *pvalloc(size_t size)
{
    size_t rounded = (size + SYS_PAGE - 1) & ~(size_t)(SYS_PAGE - 1);
    if (rounded < size) {
        errno = ENOMEM;
        return NULL;
    }
    return alloc(rounded ? rounded : SYS_PAGE, SYS_PAGE, 0);
}

MP_EXPORT size_t malloc_usable_size(void *p)
{
    return mp_heap_usable_size(p);
}

/* ---- glibc extensions ---- */

static void fill_info(mp_heap_stats_t *st, size_t *arena, size_t *ordblks, size_t *hblks,
                      size_t *hblkhd, size_t *uord, size_t *ford, size_t *keep)
{
    mp_heap_get_stats(st);
    *arena = st->in_use + st->idle;          /* bytes the heap holds */
    *ordblks = 0;
    *hblks = st->large_objects;              /* large objects, as mmapped chunks */
    *hblkhd = st->large_bytes;
    *uord = st->small_live_bytes + st->large_bytes; /* in use by the program */
    *ford = *arena > *uord ? *arena - *uord : 0;     /* held but free */
    *keep = st->idle;                        /* what malloc_trim could release */
}

MP_EXPORT struct mallinfo2 mallinfo2(void)
{
    mp_heap_stats_t st;
    struct mallinfo2 mi;
    memset(&mi, 0, sizeof mi);
    fill_info(&st, &mi.arena, &mi.ordblks, &mi.hblks, &mi.hblkhd, &mi.uordblks, &mi.fordblks,
              &mi.keepcost);
    return mi;
}

MP_EXPORT struct mallinfo mallinfo(void)
{
    /* The old interface has int fields: values saturate instead of wrapping. */
    struct mallinfo2 m2 = mallinfo2();
    struct mallinfo mi;
    memset(&mi, 0, sizeof mi);
#define SAT(x) ((x) > (size_t)0x7fffffff ? 0x7fffffff : (int)(x))
    mi.arena = SAT(m2.arena);
    mi.ordblks = SAT(m2.ordblks);
    mi.hblks = SAT(m2.hblks);
    mi.hblkhd = SAT(m2.hblkhd);
    mi.uordblks = SAT(m2.uordblks);
    mi.fordblks = SAT(m2.fordblks);
    mi.keepcost = SAT(m2.keepcost);
#undef SAT
    return mi;
}

MP_EXPORT int malloc_trim(size_t pad)
{
    (void)pad; /* memprof releases whole free spans; nothing to keep */
    if (mp_in_heap)
        return 0; /* a signal handler inside our heap */
    mp_in_heap = 1;
    int released = mp_heap_release_free() > 0;
    HEAP_LEAVE();
    return released;
}

MP_EXPORT void malloc_stats(void)
{
    mp_heap_print_stats(2);
}

MP_EXPORT int malloc_info(int options, FILE *fp)
{
    if (options != 0) {
        errno = EINVAL;
        return -1;
    }
    char buf[8192];
    size_t n = mp_heap_info_xml(buf, sizeof buf);
    /* No heap lock is held here, so stdio may allocate (from us). */
    return fwrite(buf, 1, n, fp) == n ? 0 : -1;
}

MP_EXPORT int mallopt(int param, int value)
{
    /* Accepted for compatibility; glibc's tuning knobs (arenas, mmap
     * threshold, top pad...) have no meaning for a size-class heap. */
    (void)param;
    (void)value;
    return 1;
}
