/*
 * heap.c — the allocator's slow paths and everything around them:
 * initialisation, large objects, calloc/realloc/memalign, the checks on
 * free (invalid, double, foreign), counters, and fork (see heap.h).
 *
 * Who calls: entry.c (the exported malloc family) and init.c. No function
 * here calls the libc's allocator or stdio.
 */
#define _GNU_SOURCE
#include "heap.h"
#include "central.h"
#include "diag.h"
#include "internal.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pageheap.h"
#include "scavenger.h"

#include <string.h>

/* Inside a heap call on this thread (internal.h; set by entry.c). */
__thread int mp_in_heap __attribute__((tls_model("initial-exec")));

#define PAGE ((uintptr_t)MP_PAGE_SIZE)
/* Requests above this are refused with ENOMEM before any arithmetic can
 * overflow (glibc refuses anything above PTRDIFF_MAX). */
#define MP_MAX_REQUEST ((size_t)1 << 46)
#define MP_REPORT_LIMIT 100

/* glibc's own allocator, for blocks made before memprof took over. */
extern void __libc_free(void *);
extern void *__libc_realloc(void *, size_t);

uint64_t mp_heap_key;
mp_sampled_free_fn mp_sampled_free_hook;

static int heap_state;               /* 0 new, 1 initialising, 2 ready (atomic) */
static uintptr_t brk_start;          /* libc heap start, for foreign frees */
static uint64_t n_invalid, n_double, n_foreign; /* atomic adds */
static unsigned n_reported;          /* atomic; caps the messages */

void mp_heap_init(void)
{
    int s = __atomic_load_n(&heap_state, __ATOMIC_ACQUIRE);
    if (MP_LIKELY(s == 2))
        return;
    int expect = 0;
    if (__atomic_compare_exchange_n(&heap_state, &expect, 1, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        mp_options_init();
        mp_central_init();
        mp_heap_key = mp_os_random64() | 1;
        brk_start = mp_os_brk_start();
        __atomic_store_n(&heap_state, 2, __ATOMIC_RELEASE);
        return;
    }
    /* Another thread is initialising: nothing here takes long. */
    while (__atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) != 2)
        ;
}

int mp_heap_active(void)
{
    return __atomic_load_n(&heap_state, __ATOMIC_ACQUIRE) == 2;
}

/* ---- small and large allocation ---- */

/* One object of class cls, from the thread cache or (for a thread with no
 * cache) straight from central. Word 1 is cleared. NULL on ENOMEM. */
static void *alloc_small(uint32_t cls)
{
    mp_tcache_t *tc = mp_tc;
    void **p = NULL;
    if (tc || (tc = mp_tcache_create())) {
        mp_tclist_t *l = &tc->list[cls];
        if (l->head) {
            p = l->head;
            l->head = p[0];
            __atomic_store_n(&l->len, l->len - 1, __ATOMIC_RELAXED);
            __atomic_store_n(&l->allocs, l->allocs + 1, __ATOMIC_RELAXED);
        } else {
            p = mp_tcache_refill(tc, cls);
        }
    } else {
        void *head;
        if (mp_central_fetch(cls, 1, &head) == 1) {
            p = head;
            mp_tcache_count_direct(cls, 1, 0);
        }
    }
    if (!p) {
        errno = ENOMEM;
        return NULL;
    }
    p[0] = NULL; /* the free-list link (heap.h) */
    p[1] = NULL;
    return p;
}

static mp_span_t *alloc_large(size_t size, size_t align)
{
    if (size > MP_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    uintptr_t npages = (size + PAGE - 1) / PAGE;
    if (npages == 0)
        npages = 1;
    uintptr_t align_pages = align > PAGE ? align / PAGE : 1;
    mp_span_t *s = mp_pageheap_alloc(npages, align_pages, MP_SPAN_LARGE);
    if (!s) {
        errno = ENOMEM;
        return NULL;
    }
    /* Word 1 may hold a stale free mark from a small object that lived on
     * this page; realloc copies it into a small block, which would then look
     * freed. Clear it as malloc does for small objects. */
    if (!s->zeroed)
        ((void **)s->start)[1] = NULL;
    return s;
}

void *mp_heap_malloc_slow(size_t size)
{
    mp_heap_init();
    if (size <= MP_MAX_SMALL)
        return alloc_small(mp_size_class(size));
    mp_span_t *s = alloc_large(size, 0);
    return s ? (void *)s->start : NULL;
}

void *mp_heap_calloc(size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    mp_heap_init();
    if (total <= MP_MAX_SMALL) {
        void *p = mp_heap_malloc(total);
        if (p)
            memset(p, 0, total);
        return p;
    }
    mp_span_t *s = alloc_large(total, 0);
    if (!s)
        return NULL;
    if (!s->zeroed) /* fresh or released pages already read as zero */
        memset((void *)s->start, 0, total);
    return (void *)s->start;
}

void *mp_heap_memalign(size_t align, size_t size)
{
    mp_heap_init();
    if (align <= 16)
        return mp_heap_malloc(size);
    if (size > MP_MAX_REQUEST || align > MP_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    if (align <= PAGE && size <= MP_MAX_SMALL) {
        /* Spans start on 8 KiB boundaries and objects sit at multiples of
         * their size, so a class whose size is a multiple of align yields
         * aligned objects. */
        size_t want = (size + align - 1) & ~(align - 1);
        if (want <= MP_MAX_SMALL)
            for (uint32_t c = mp_size_class(want); c < MP_NUM_CLASSES; c++)
                if (mp_class_size[c] % align == 0)
                    return alloc_small(c);
    }
    mp_span_t *s = alloc_large(size, align);
    return s ? (void *)s->start : NULL;
}

/* ---- free and its checks ---- */

static void report_bad_free(const char *what, const void *p, uint64_t *counter)
{
    __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
    unsigned n = __atomic_fetch_add(&n_reported, 1, __ATOMIC_RELAXED);
    if (n < MP_REPORT_LIMIT)
        mp_diag("%s of %p ignored (the heap is unharmed)", what, p);
    if (n + 1 == MP_REPORT_LIMIT)
        mp_diag("further invalid frees are counted but not reported");
}

/* 1 if ptr looks like a block glibc's malloc made before memprof took
 * over: inside the program break heap, or a glibc mmapped chunk (16 bytes
 * of header before the block: prev_size, then size with the IS_MMAPPED bit;
 * the chunk starts on a page and spans whole pages). Every read is probed
 * first, so a wild pointer never faults here. */
static int libc_block(uintptr_t a)
{
    if (brk_start && a >= brk_start && a < mp_os_brk_now())
        return 1;
    uintptr_t hdr = a - 16;
    if ((a & 15) || a < 4096 || !mp_os_page_mapped(hdr))
        return 0;
    size_t prev = ((const size_t *)hdr)[0], size = ((const size_t *)hdr)[1];
    size_t total = (size & ~(size_t)7) + prev;
    if (!(size & 2) || ((hdr - prev) & 4095) || total < 4096 || (total & 4095) || prev > hdr)
        return 0;
    return mp_os_page_mapped(hdr - prev) && mp_os_page_mapped(hdr - prev + total - 1);
}

/* Classifies a pointer the fast path did not accept. Returns:
 * 1 small object, free it; 2 large object, free it; 0 handled (reported
 * or passed to the libc). */
static int classify(void *ptr, mp_span_t *s, const char *op)
{
    uintptr_t a = (uintptr_t)ptr;
    if (s && s->state == MP_SPAN_SMALL && a >= s->start && a < mp_span_end(s)) {
        uintptr_t off = a - s->start;
        if ((uint32_t)((off * s->divmul) >> 32) * (uintptr_t)s->objsize != off) {
            report_bad_free(op[0] == 'f' ? "invalid free (inside a block)"
                                         : "invalid realloc (inside a block)", ptr, &n_invalid);
            return 0;
        }
        if (((void **)ptr)[1] == mp_free_mark(ptr)) {
            report_bad_free(op[0] == 'f' ? "double free" : "realloc of a freed block", ptr,
                            &n_double);
            return 0;
        }
        return 1;
    }
    if (s && s->state == MP_SPAN_LARGE && a >= s->start && a < mp_span_end(s)) {
        if (a != s->obj) {
            report_bad_free(op[0] == 'f' ? "invalid free (inside a block)"
                                         : "invalid realloc (inside a block)", ptr, &n_invalid);
            return 0;
        }
        return 2;
    }
    if (s && s->state == MP_SPAN_FREE && a >= s->start && a < mp_span_end(s)) {
        report_bad_free(op[0] == 'f' ? "double free" : "realloc of a freed block", ptr,
                        &n_double);
        return 0;
    }
    if (s) {
        report_bad_free(op[0] == 'f' ? "invalid free (not an allocated block)"
                                     : "invalid realloc (not an allocated block)", ptr, &n_invalid);
        return 0;
    }
    if (libc_block(a)) {
        /* Made by the libc's malloc before memprof took over. */
        __atomic_fetch_add(&n_foreign, 1, __ATOMIC_RELAXED);
        return 3;
    }
    report_bad_free(op[0] == 'f' ? "invalid free (not from this heap)"
                                 : "invalid realloc (not from this heap)", ptr, &n_invalid);
    return 0;
}

static void free_large(mp_span_t *s)
{
    mp_pageheap_free(s);
    mp_scavenger_poke();
}

void mp_heap_overflow(mp_tcache_t *tc, uint32_t cls)
{
    int saved = errno; /* free() must not change errno (POSIX 2024) */
    mp_tcache_overflow(tc, cls);
    mp_scavenger_poke();
    errno = saved;
}

static void free_slow(void *ptr);

void mp_heap_free_slow(void *ptr)
{
    int saved = errno; /* probes (mincore) and madvise may set it */
    free_slow(ptr);
    errno = saved;
}

static void free_slow(void *ptr)
{
    mp_span_t *s = mp_pagemap_lookup((uintptr_t)ptr);
    switch (classify(ptr, s, "free")) {
    case 1: {
        void **p = ptr;
        p[1] = mp_free_mark(p);
        mp_tcache_t *tc = mp_tc ? mp_tc : mp_tcache_create();
        if (tc) {
            mp_tclist_t *l = &tc->list[s->cls];
            p[0] = l->head;
            l->head = p;
            __atomic_store_n(&l->len, l->len + 1, __ATOMIC_RELAXED);
            __atomic_store_n(&l->frees, l->frees + 1, __ATOMIC_RELAXED);
            if (l->len > l->max)
                mp_heap_overflow(tc, s->cls);
        } else {
            /* Read the class first: if this empties the span, the page heap
             * takes it back and clears s->cls. */
            uint32_t cls = s->cls;
            p[0] = NULL;
            mp_central_release(cls, p, 1);
            mp_tcache_count_direct(cls, 0, 1);
        }
        return;
    }
    case 2:
        if (s->sampled) {
            mp_sampled_free_fn hook = __atomic_load_n(&mp_sampled_free_hook, __ATOMIC_ACQUIRE);
            if (hook)
                hook(ptr);
        }
        free_large(s);
        return;
    case 3:
        __libc_free(ptr);
        return;
    default:
        return;
    }
}

size_t mp_heap_usable_size(const void *ptr)
{
    if (!ptr)
        return 0;
    uintptr_t a = (uintptr_t)ptr;
    mp_span_t *s = mp_pagemap_lookup(a);
    if (!s || a < s->start || a >= mp_span_end(s))
        return 0;
    if (s->state == MP_SPAN_SMALL)
        return s->objsize - (a - s->start) % s->objsize;
    if (s->state == MP_SPAN_LARGE)
        return mp_span_end(s) - a;
    return 0;
}

void *mp_heap_alloc_sampled(size_t size, size_t align, int zero)
{
    mp_heap_init();
    mp_span_t *s = alloc_large(size ? size : 1, align);
    if (!s)
        return NULL;
    s->sampled = 1;
    if (zero && !s->zeroed)
        memset((void *)s->start, 0, size);
    return (void *)s->start;
}

int mp_heap_block_sampled(const void *ptr)
{
    if (mp_pagemap_info((uintptr_t)ptr))
        return 0; /* a small-object page: never sampled */
    mp_span_t *s = mp_pagemap_lookup((uintptr_t)ptr);
    return s && s->state == MP_SPAN_LARGE && s->sampled && s->obj == (uintptr_t)ptr;
}

int mp_heap_block_live(const void *ptr)
{
    uintptr_t a = (uintptr_t)ptr;
    mp_span_t *s = mp_pagemap_lookup(a);
    if (!ptr || !s || a < s->start || a >= mp_span_end(s))
        return 0;
    if (s->state == MP_SPAN_LARGE)
        return a == s->obj;
    if (s->state != MP_SPAN_SMALL)
        return 0;
    uintptr_t off = a - s->start;
    return (uint32_t)((off * s->divmul) >> 32) * (uintptr_t)s->objsize == off &&
           ((void *const *)ptr)[1] != mp_free_mark(ptr);
}

void *mp_heap_realloc(void *ptr, size_t size)
{
    return mp_heap_realloc_noted(ptr, size, NULL);
}

void *mp_heap_realloc_noted(void *ptr, size_t size, mp_realloc_note_fn note)
{
    if (!ptr)
        return mp_heap_malloc(size);
    if (size == 0) { /* glibc: realloc(p, 0) frees p and returns NULL */
        mp_heap_free(ptr);
        return NULL;
    }
    mp_span_t *s = mp_pagemap_lookup((uintptr_t)ptr);
    int kind = classify(ptr, s, "realloc");
    if (kind == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (kind == 3)
        return __libc_realloc(ptr, size);
    size_t usable = kind == 1 ? s->objsize : mp_span_end(s) - (uintptr_t)ptr;
    if (size <= usable) {
        /* Stays in place while the block is at most twice what is asked
         * (small: same class or the next ones; large: not half empty). */
        if (kind == 1 ? mp_size_class(size) == s->cls || size >= usable / 2
                      : size > MP_MAX_SMALL && size >= usable / 2) {
            if (note)
                note(ptr, ptr, size);
            return ptr;
        }
    }
    if (size > MP_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *q = mp_heap_malloc(size);
    if (!q)
        return NULL; /* the old block is untouched */
    memcpy(q, ptr, usable < size ? usable : size);
    if (note)
        note(ptr, q, size);
    mp_heap_free(ptr);
    return q;
}

/* ---- counters ---- */

int mp_heap_get_stats(mp_heap_stats_t *out)
{
    if (!out)
        return -1;
    mp_heap_init();
    memset(out, 0, sizeof *out);
    mp_pageheap_stats_t ph;
    mp_pageheap_stats(&ph);
    uint64_t allocs[MP_NUM_CLASSES], frees[MP_NUM_CLASSES], cached[MP_NUM_CLASSES];
    mp_tcache_totals(allocs, frees, cached, &out->threads_cached);
    out->mapped = ph.mapped;
    out->in_use = ph.in_use;
    out->idle = ph.idle;
    out->released = ph.released;
    out->released_total = ph.released_total;
    out->scavenge_runs = ph.scavenge_runs;
    out->large_objects = ph.large_objects;
    out->large_bytes = ph.large_bytes;
    out->meta_bytes = mp_meta_bytes();
    out->invalid_frees = __atomic_load_n(&n_invalid, __ATOMIC_RELAXED);
    out->double_frees = __atomic_load_n(&n_double, __ATOMIC_RELAXED);
    out->foreign_frees = __atomic_load_n(&n_foreign, __ATOMIC_RELAXED);
    out->page_size = MP_PAGE_SIZE;
    out->nclasses = MP_NUM_CLASSES;
    for (uint32_t c = 1; c < MP_NUM_CLASSES && c < MP_STATS_MAX_CLASSES; c++) {
        mp_class_stats_t *k = &out->classes[c];
        uint64_t spans, out_of_spans;
        mp_central_counts(c, &spans, &out_of_spans);
        k->size = mp_class_size[c];
        k->span_pages = mp_class_pages[c];
        k->spans = spans;
        k->allocs = allocs[c];
        k->frees = frees[c];
        k->objects_live = allocs[c] >= frees[c] ? allocs[c] - frees[c] : 0;
        k->bytes_live = k->objects_live * k->size;
        k->bytes_retained = spans * k->span_pages * MP_PAGE_SIZE;
        out->small_live_bytes += k->bytes_live;
    }
    return 0;
}

size_t mp_heap_release_free(void)
{
    mp_heap_init();
    mp_tcache_flush_own();
    return (size_t)mp_pageheap_scavenge(0);
}

#define MIB(x) ((x) >> 20), ((((x) & 0xfffff) * 10) >> 20)

void mp_heap_print_stats(int fd)
{
    mp_heap_stats_t st;
    mp_heap_get_stats(&st);
    char line[256];
    size_t n;
#define EMIT(...) (n = mp_fmt(line, sizeof line, __VA_ARGS__), mp_os_write_all(fd, line, n))
    EMIT("memprof: heap: mapped %llu.%llu MiB = in use %llu.%llu + idle %llu.%llu + released %llu.%llu MiB\n",
         MIB((unsigned long long)st.mapped), MIB((unsigned long long)st.in_use),
         MIB((unsigned long long)st.idle), MIB((unsigned long long)st.released));
    EMIT("memprof: heap: live %llu bytes in small objects, %llu large objects (%llu bytes), "
         "metadata %llu KiB, %llu thread caches\n",
         (unsigned long long)st.small_live_bytes, (unsigned long long)st.large_objects,
         (unsigned long long)st.large_bytes, (unsigned long long)(st.meta_bytes >> 10),
         (unsigned long long)st.threads_cached);
    EMIT("memprof: heap: released to the OS %llu.%llu MiB in %llu scavenger runs; "
         "invalid frees %llu, double frees %llu, foreign frees %llu\n",
         MIB((unsigned long long)st.released_total), (unsigned long long)st.scavenge_runs,
         (unsigned long long)st.invalid_frees, (unsigned long long)st.double_frees,
         (unsigned long long)st.foreign_frees);
    EMIT("memprof: %6s %7s %12s %12s %12s %12s\n", "class", "spans", "allocs", "live objs",
         "live bytes", "retained");
    for (uint32_t c = 1; c < st.nclasses; c++) {
        mp_class_stats_t *k = &st.classes[c];
        if (!k->allocs && !k->spans)
            continue;
        EMIT("memprof: %6u %7llu %12llu %12llu %12llu %12llu\n", k->size,
             (unsigned long long)k->spans, (unsigned long long)k->allocs,
             (unsigned long long)k->objects_live, (unsigned long long)k->bytes_live,
             (unsigned long long)k->bytes_retained);
    }
#undef EMIT
}

size_t mp_heap_info_xml(char *buf, size_t cap)
{
    mp_heap_stats_t st;
    mp_heap_get_stats(&st);
    size_t n = mp_fmt(buf, cap, "<malloc version=\"memprof-1\">\n<heap nr=\"0\">\n<sizes>\n");
    for (uint32_t c = 1; c < st.nclasses && n < cap; c++) {
        mp_class_stats_t *k = &st.classes[c];
        if (!k->spans)
            continue;
        uint64_t nfree = k->spans * (k->span_pages * (uint64_t)MP_PAGE_SIZE / k->size);
        nfree = nfree > k->objects_live ? nfree - k->objects_live : 0;
        n += mp_fmt(buf + n, cap - n, "<size from=\"%u\" to=\"%u\" total=\"%llu\" count=\"%llu\"/>\n",
                    c > 1 ? st.classes[c - 1].size + 1 : 1, k->size,
                    (unsigned long long)(nfree * k->size), (unsigned long long)nfree);
    }
    if (n < cap)
        n += mp_fmt(buf + n, cap - n,
                    "</sizes>\n<total type=\"fast\" count=\"0\" size=\"0\"/>\n"
                    "<system type=\"current\" size=\"%llu\"/>\n<system type=\"max\" size=\"%llu\"/>\n"
                    "<aspace type=\"total\" size=\"%llu\"/>\n<aspace type=\"mprotect\" size=\"%llu\"/>\n"
                    "</heap>\n</malloc>\n",
                    (unsigned long long)(st.in_use + st.idle), (unsigned long long)st.mapped,
                    (unsigned long long)st.mapped, (unsigned long long)st.mapped);
    return n < cap ? n : cap - 1;
}

/* ---- fork ---- */

void mp_heap_fork_prepare(void)
{
    mp_tcache_lock_all();
    mp_central_lock_all();
    mp_pageheap_lock_all();
    mp_meta_lock_all();
}

void mp_heap_fork_parent(void)
{
    mp_meta_unlock_all();
    mp_pageheap_unlock_all();
    mp_central_unlock_all();
    mp_tcache_unlock_all();
}

void mp_heap_fork_child(void)
{
    mp_heap_fork_parent();
    mp_scavenger_after_fork_child();
    mp_tcache_after_fork_child();
}
