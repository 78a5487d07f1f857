/*
 * test_api_malloc.c — the C malloc API contract of libmemprof.so.
 *
 * Linked with SHIM: every call below goes to memprof's heap (or, while the
 * shim is a placeholder, to glibc's — these tests need no counters and hold
 * for any correct malloc with glibc's semantics, which DESIGN.md promises).
 *
 * What is checked, for each entry point (malloc, calloc, realloc(NULL, n),
 * reallocarray(NULL, ...), memalign, posix_memalign, aligned_alloc, valloc,
 * pvalloc) and malloc_usable_size:
 *   - every size 0..4096, a sweep to 64 KiB and the 256-byte class
 *     boundaries +-1, all live at once: non-NULL, usable >= requested,
 *     16-byte aligned from 16 bytes up (and the API's own alignment), no two
 *     blocks overlap (by address and by a pattern written over the whole
 *     usable size and verified after every block was written);
 *   - 1 MiB and 100 MiB blocks;
 *   - every power-of-two alignment 1 .. 1 MiB for memalign, posix_memalign
 *     and aligned_alloc; posix_memalign's EINVAL/ENOMEM leave *memptr alone;
 *   - ENOMEM on impossible sizes and on calloc/reallocarray overflow, with
 *     the old block intact after a failed realloc/reallocarray;
 *   - realloc preserves contents across every pair of small classes, small
 *     <-> large and large -> larger, and stays in place inside the usable size;
 *   - calloc zeroes memory that was dirtied and freed (small and large).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cunit_main.h"
#include "test_api_common.h"

/* Sizes the compiler cannot see (so it neither folds nor warns about them). */
static volatile size_t v_size_max = SIZE_MAX;
static volatile size_t v_ptrdiff_max = PTRDIFF_MAX;

enum api {
    API_MALLOC,
    API_CALLOC,
    API_REALLOC,
    API_REALLOCARRAY,
    API_MEMALIGN,
    API_POSIX_MEMALIGN,
    API_ALIGNED_ALLOC,
    API_VALLOC,
    API_PVALLOC,
};

static const char *api_name[] = {"malloc",         "calloc",        "realloc",
                                 "reallocarray",   "memalign",      "posix_memalign",
                                 "aligned_alloc",  "valloc",        "pvalloc"};

/* The alignment each API promises in the size sweeps. */
static size_t api_align(enum api a)
{
    switch (a) {
    case API_MEMALIGN: return 64;
    case API_POSIX_MEMALIGN: return 32;
    case API_ALIGNED_ALLOC: return 256;
    case API_VALLOC:
    case API_PVALLOC: return 4096;
    default: return 16;
    }
}

/* The bytes the caller may use: pvalloc rounds up to a whole page. */
static size_t api_min_usable(enum api a, size_t n)
{
    /* pvalloc(0) asks for zero pages; glibc then gives a minimal block. */
    if (a == API_PVALLOC)
        return (n + 4095) & ~(size_t)4095;
    return n;
}

static void *api_alloc(enum api a, size_t n, unsigned variant)
{
    void *p = NULL;
    switch (a) {
    case API_MALLOC: return malloc(n);
    case API_CALLOC:
        /* Spread the size over nmemb and size in different ways. */
        if (variant % 3 == 0)
            return calloc(1, n);
        if (variant % 3 == 1 || n % 4)
            return calloc(n, 1);
        return calloc(n / 4, 4);
    case API_REALLOC: return realloc(NULL, n);
    case API_REALLOCARRAY:
        if (variant % 2 == 0 || n % 8)
            return reallocarray(NULL, n, 1);
        return reallocarray(NULL, 8, n / 8);
    case API_MEMALIGN: return memalign(64, n);
    case API_POSIX_MEMALIGN: return posix_memalign(&p, 32, n) == 0 ? p : NULL;
    case API_ALIGNED_ALLOC: return aligned_alloc(256, n);
    case API_VALLOC: return valloc(n);
    case API_PVALLOC: return pvalloc(n);
    }
    return NULL;
}

/* Largest power of two <= n, capped at 16: the alignment C requires for an
 * object of n bytes ("fundamental alignment"). */
static size_t natural_align(size_t n)
{
    size_t a = 1;
    while (a * 2 <= n && a < 16)
        a *= 2;
    return a;
}

/* ---- size sweeps ------------------------------------------------------- */

static size_t *sweep_sizes(size_t *count)
{
    size_t cap = 4097 + 1100 + 3 * 256 + 64, n = 0;
    size_t *v = malloc(cap * sizeof *v);
    if (!v)
        return NULL;
    for (size_t s = 0; s <= 4096; s++)
        v[n++] = s;
    for (size_t s = 4097; s <= 64 * MPT_KIB; s += 61)
        v[n++] = s;
    for (size_t k = 17; k <= 256; k++) {
        v[n++] = k * 256 - 1;
        v[n++] = k * 256;
        v[n++] = k * 256 + 1;
    }
    for (size_t s = 8192; s <= 64 * MPT_KIB; s *= 2) {
        v[n++] = s - 1;
        v[n++] = s + 1;
    }
    *count = n;
    return v;
}

static void sweep_api(enum api a)
{
    size_t n = 0;
    size_t *size = sweep_sizes(&n);
    void **ptr = calloc(n, sizeof *ptr);
    size_t *usable = calloc(n, sizeof *usable);
    CU_ASSERT_FATAL(size && ptr && usable);

    size_t align = api_align(a);
    size_t nulls = 0, short_usable = 0, misaligned = 0, not_zero = 0;
    for (size_t i = 0; i < n; i++) {
        errno = 0;
        ptr[i] = api_alloc(a, size[i], (unsigned)i);
        if (!ptr[i]) {
            if (nulls++ == 0)
                fprintf(stderr, "\n  %s(%zu) returned NULL (errno %d)\n", api_name[a], size[i],
                        errno);
            continue;
        }
        usable[i] = malloc_usable_size(ptr[i]);
        if (usable[i] < api_min_usable(a, size[i]) && short_usable++ == 0)
            fprintf(stderr, "\n  %s(%zu): usable size %zu\n", api_name[a], size[i], usable[i]);
        uintptr_t addr = (uintptr_t)ptr[i];
        /* The plain APIs promise 16 from 16 bytes up (smaller requests: the
         * object's natural alignment); the aligned ones their alignment. */
        int aligned_api = a >= API_MEMALIGN;
        if ((size[i] >= 16 && addr % 16) || (size[i] && addr % natural_align(size[i])) ||
            ((aligned_api || size[i] >= 16) && addr % align)) {
            if (misaligned++ == 0)
                fprintf(stderr, "\n  %s(%zu) = %p: misaligned (want %zu)\n", api_name[a],
                        size[i], ptr[i], size[i] >= 16 ? align : natural_align(size[i]));
        }
        if (a == API_CALLOC && !mpt_all_zero(ptr[i], size[i]) && not_zero++ == 0)
            fprintf(stderr, "\n  calloc(%zu) = %p: not zeroed\n", size[i], ptr[i]);
        mpt_fill(ptr[i], usable[i], (uint32_t)i);
    }
    CU_ASSERT_EQUAL(nulls, 0);
    CU_ASSERT_EQUAL(short_usable, 0);
    CU_ASSERT_EQUAL(misaligned, 0);
    CU_ASSERT_EQUAL(not_zero, 0);

    /* Every block was written over its whole usable size; any overlap
     * shows up here as a damaged pattern, and directly by address. */
    size_t damaged = 0;
    for (size_t i = 0; i < n; i++)
        if (ptr[i] && !mpt_check(ptr[i], usable[i], (uint32_t)i) && damaged++ == 0)
            fprintf(stderr, "\n  %s(%zu) = %p: pattern damaged by another block\n",
                    api_name[a], size[i], ptr[i]);
    CU_ASSERT_EQUAL(damaged, 0);
    CU_ASSERT(mpt_disjoint(ptr, usable, n));

    /* Free in an interleaved order, so neighbours go back at different times. */
    for (size_t i = 0; i < n; i += 2)
        free(ptr[i]);
    for (size_t i = 1; i < n; i += 2)
        free(ptr[i]);
    free(ptr);
    free(usable);
    free(size);
}

static void huge_api(enum api a)
{
    static const size_t sizes[] = {MPT_MIB, MPT_MIB + 1, 100 * MPT_MIB};
    void *ptr[3];
    size_t usable[3];
    size_t align = api_align(a);
    for (int i = 0; i < 3; i++) {
        errno = 0;
        ptr[i] = api_alloc(a, sizes[i], (unsigned)i);
        CU_ASSERT_PTR_NOT_NULL(ptr[i]);
        if (!ptr[i]) {
            fprintf(stderr, "\n  %s(%zu) returned NULL (errno %d)\n", api_name[a], sizes[i],
                    errno);
            usable[i] = 0;
            continue;
        }
        usable[i] = malloc_usable_size(ptr[i]);
        CU_ASSERT(usable[i] >= api_min_usable(a, sizes[i]));
        CU_ASSERT((uintptr_t)ptr[i] % align == 0);
        if (a == API_CALLOC)
            CU_ASSERT(mpt_all_zero(ptr[i], sizes[i]));
        mpt_fill_sparse(ptr[i], usable[i], 1000u + (uint32_t)i);
    }
    for (int i = 0; i < 3; i++)
        if (ptr[i])
            CU_ASSERT(mpt_check_sparse(ptr[i], usable[i], 1000u + (uint32_t)i));
    CU_ASSERT(mpt_disjoint(ptr, usable, 3));
    for (int i = 0; i < 3; i++)
        free(ptr[i]);
}

#define API_TESTS(tag, a)                                                              \
    static void tag##_sizes_0_to_64k_are_usable_aligned_and_disjoint(void)             \
    {                                                                                  \
        sweep_api(a);                                                                  \
    }                                                                                  \
    static void tag##_1mib_and_100mib_blocks_are_usable(void) { huge_api(a); }

API_TESTS(malloc, API_MALLOC)
API_TESTS(calloc, API_CALLOC)
API_TESTS(realloc_null, API_REALLOC)
API_TESTS(reallocarray_null, API_REALLOCARRAY)
API_TESTS(memalign, API_MEMALIGN)
API_TESTS(posix_memalign, API_POSIX_MEMALIGN)
API_TESTS(aligned_alloc, API_ALIGNED_ALLOC)
API_TESTS(valloc, API_VALLOC)
API_TESTS(pvalloc, API_PVALLOC)

static void malloc_zero_returns_unique_freeable_pointers(void)
{
    enum { N = 256 };
    void *p[N];
    size_t len[N];
    for (int i = 0; i < N; i++) {
        switch (i % 6) {
        case 0: p[i] = malloc(0); break;
        case 1: p[i] = calloc(0, 0); break;
        case 2: p[i] = calloc(0, 16); break;
        case 3: p[i] = realloc(NULL, 0); break;
        case 4: p[i] = memalign(16, 0); break;
        default: p[i] = aligned_alloc(64, 0); break;
        }
        CU_ASSERT_PTR_NOT_NULL(p[i]);
        len[i] = 1; /* distinct addresses, at least one byte apart */
    }
    CU_ASSERT(mpt_disjoint(p, len, N));
    for (int i = 0; i < N; i++)
        free(p[i]);
    /* And the heap is fine afterwards. */
    void *q = malloc(100);
    CU_ASSERT_PTR_NOT_NULL(q);
    mpt_fill(q, 100, 7);
    CU_ASSERT(mpt_check(q, 100, 7));
    free(q);
}

/* glibc >= 2.33 and POSIX.1-2024: free never changes errno, also when it
 * gives pages back to the OS (madvise) on the way. */
static void free_preserves_errno(void)
{
    static const size_t sizes[] = {10, 5000, 40000, MPT_MIB, 64 * MPT_MIB};
    int changed = 0;
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            char *p = malloc(sizes[i]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            memset(p, 1, sizes[i]);
            errno = 4242;
            free(p);
            if (errno != 4242 && changed++ == 0)
                fprintf(stderr, "\n  free(malloc(%zu)) set errno to %d\n", sizes[i], errno);
        }
        if (round == 0) { /* let the freed pages age past the scavenge delay */
            struct timespec ts = {1, 200 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    errno = 4242;
    free(NULL);
    CU_ASSERT_EQUAL(errno, 4242);
    CU_ASSERT_EQUAL(changed, 0);
}

static void malloc_usable_size_of_null_is_zero(void)
{
    CU_ASSERT_EQUAL(malloc_usable_size(NULL), 0);
}

static void free_null_is_a_no_op(void)
{
    free(NULL);
    void *p = malloc(32);
    CU_ASSERT_PTR_NOT_NULL(p);
    free(p);
}

/* ---- alignment --------------------------------------------------------- */

enum aligned_api { AL_MEMALIGN, AL_POSIX_MEMALIGN, AL_ALIGNED_ALLOC };

static void *aligned_call(enum aligned_api k, size_t align, size_t n)
{
    void *p = NULL;
    switch (k) {
    case AL_MEMALIGN: return memalign(align, n);
    case AL_POSIX_MEMALIGN: return posix_memalign(&p, align, n) == 0 ? p : NULL;
    case AL_ALIGNED_ALLOC: return aligned_alloc(align, n);
    }
    return NULL;
}

static void alignment_sweep(enum aligned_api k, size_t first_align)
{
    static const char *name[] = {"memalign", "posix_memalign", "aligned_alloc"};
    for (size_t align = first_align; align <= MPT_MIB; align *= 2) {
        size_t sizes[] = {0, 1, 8, 100, align - 1, align, align + 1, 3 * align + 5, 5000, 40000};
        enum { NS = sizeof sizes / sizeof sizes[0] };
        void *p[NS];
        size_t usable[NS];
        for (int i = 0; i < NS; i++) {
            p[i] = aligned_call(k, align, sizes[i]);
            usable[i] = 0;
            if (!p[i]) {
                CU_FAIL("aligned allocation returned NULL");
                fprintf(stderr, "\n  %s(%zu, %zu) returned NULL\n", name[k], align, sizes[i]);
                continue;
            }
            if ((uintptr_t)p[i] % align) {
                CU_FAIL("aligned allocation misaligned");
                fprintf(stderr, "\n  %s(%zu, %zu) = %p misaligned\n", name[k], align, sizes[i],
                        p[i]);
            }
            usable[i] = malloc_usable_size(p[i]);
            CU_ASSERT(usable[i] >= sizes[i]);
            mpt_fill(p[i], usable[i], (uint32_t)(align * 31 + (size_t)i));
        }
        for (int i = 0; i < NS; i++)
            if (p[i])
                CU_ASSERT(mpt_check(p[i], usable[i], (uint32_t)(align * 31 + (size_t)i)));
        CU_ASSERT(mpt_disjoint(p, usable, NS));
        for (int i = 0; i < NS; i++)
            free(p[i]);
    }
}

static void memalign_honours_every_power_of_two_alignment_up_to_1mib(void)
{
    alignment_sweep(AL_MEMALIGN, 1);
}

static void posix_memalign_honours_every_power_of_two_alignment_up_to_1mib(void)
{
    alignment_sweep(AL_POSIX_MEMALIGN, sizeof(void *));
}

static void aligned_alloc_honours_every_power_of_two_alignment_up_to_1mib(void)
{
    alignment_sweep(AL_ALIGNED_ALLOC, 1);
}

static void posix_memalign_rejects_bad_alignment_with_einval_leaving_memptr(void)
{
    size_t bad[] = {0, 1, 2, 4, 3, 12, 24, 48, 100, 3 * sizeof(void *), 4096 + 8,
                    MPT_MIB + 8, SIZE_MAX, (SIZE_MAX >> 1) + 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *sentinel = (void *)(uintptr_t)0x5a5a5a50;
        void *p = sentinel;
        int rc = posix_memalign(&p, bad[i], 64);
        if (rc != EINVAL)
            fprintf(stderr, "\n  posix_memalign(align %zu) = %d\n", bad[i], rc);
        CU_ASSERT_EQUAL(rc, EINVAL);
        CU_ASSERT_PTR_EQUAL(p, sentinel);
    }
}

static void posix_memalign_huge_size_returns_enomem_leaving_memptr(void)
{
    void *sentinel = (void *)(uintptr_t)0x5a5a5a50;
    size_t huge[] = {v_size_max, v_size_max - 4096, v_ptrdiff_max + 1, v_size_max - MPT_MIB};
    size_t aligns[] = {8, 64, 4096, MPT_MIB};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            void *p = sentinel;
            int rc = posix_memalign(&p, aligns[j], huge[i]);
            CU_ASSERT_EQUAL(rc, ENOMEM);
            CU_ASSERT_PTR_EQUAL(p, sentinel);
        }
}

static void valloc_returns_page_aligned_blocks(void)
{
    size_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 8192, 10000, 40000, MPT_MIB};
    enum { NS = sizeof sizes / sizeof sizes[0] };
    void *p[NS];
    size_t usable[NS];
    for (int i = 0; i < NS; i++) {
        p[i] = valloc(sizes[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
        CU_ASSERT_EQUAL((uintptr_t)p[i] % 4096, 0);
        usable[i] = malloc_usable_size(p[i]);
        CU_ASSERT(usable[i] >= sizes[i]);
        mpt_fill(p[i], usable[i], (uint32_t)i);
    }
    for (int i = 0; i < NS; i++)
        CU_ASSERT(mpt_check(p[i], usable[i], (uint32_t)i));
    CU_ASSERT(mpt_disjoint(p, usable, NS));
    for (int i = 0; i < NS; i++)
        free(p[i]);
}

static void pvalloc_rounds_size_up_to_a_whole_page(void)
{
    size_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 8191, 8193, 40000, MPT_MIB + 1};
    enum { NS = sizeof sizes / sizeof sizes[0] };
    void *p[NS];
    size_t usable[NS];
    for (int i = 0; i < NS; i++) {
        p[i] = pvalloc(sizes[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
        CU_ASSERT_EQUAL((uintptr_t)p[i] % 4096, 0);
        size_t whole = (sizes[i] + 4095) & ~(size_t)4095;
        usable[i] = malloc_usable_size(p[i]);
        if (usable[i] < whole)
            fprintf(stderr, "\n  pvalloc(%zu): usable %zu < %zu\n", sizes[i], usable[i], whole);
        CU_ASSERT(usable[i] >= whole);
        /* The whole rounded size is the caller's to write. */
        mpt_fill(p[i], whole, (uint32_t)i + 50);
    }
    for (int i = 0; i < NS; i++) {
        size_t whole = (sizes[i] + 4095) & ~(size_t)4095;
        CU_ASSERT(mpt_check(p[i], whole, (uint32_t)i + 50));
    }
    CU_ASSERT(mpt_disjoint(p, usable, NS));
    for (int i = 0; i < NS; i++)
        free(p[i]);
}

/* ---- errors ------------------------------------------------------------ */

static void malloc_size_max_fails_with_enomem(void)
{
    errno = 0;
    void *p = malloc(v_size_max);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    free(p);
    errno = 0;
    p = malloc(v_size_max - 4096);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    free(p);
}

static void malloc_ptrdiff_max_plus_one_fails_with_enomem(void)
{
    errno = 0;
    void *p = malloc(v_ptrdiff_max + 1);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(errno, ENOMEM);
    free(p);
}

static void calloc_overflowing_product_fails_with_enomem(void)
{
    size_t half = (v_size_max >> 1) + 1;
    size_t pairs[][2] = {
        {half, 2},
        {2, half},
        {(size_t)1 << 32, (size_t)1 << 32},
        {v_size_max, v_size_max},
        {v_size_max, 2},
        {65537, (v_size_max / 65537) + 1},
        /* no size_t overflow, but more than PTRDIFF_MAX bytes */
        {(v_ptrdiff_max >> 1) + 1, 2},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        errno = 0;
        void *p = calloc(pairs[i][0], pairs[i][1]);
        if (p)
            fprintf(stderr, "\n  calloc(%zu, %zu) = %p\n", pairs[i][0], pairs[i][1], p);
        CU_ASSERT_PTR_NULL(p);
        CU_ASSERT_EQUAL(errno, ENOMEM);
        free(p);
    }
}

static void aligned_apis_fail_with_enomem_on_impossible_sizes(void)
{
    /* Sizes where a careless "size + alignment" or a page round-up wraps. */
    struct { const char *what; void *p; } r[9];
    int n = 0;
    errno = 0;
    r[n].what = "memalign(4096, SIZE_MAX - 100)";
    r[n++].p = memalign(4096, v_size_max - 100);
    int e0 = errno;
    errno = 0;
    r[n].what = "memalign(1 MiB, SIZE_MAX - 512 KiB)";
    r[n++].p = memalign(MPT_MIB, v_size_max - 512 * MPT_KIB);
    int e1 = errno;
    errno = 0;
    r[n].what = "aligned_alloc(64, SIZE_MAX - 10)";
    r[n++].p = aligned_alloc(64, v_size_max - 10);
    int e2 = errno;
    errno = 0;
    r[n].what = "valloc(SIZE_MAX)";
    r[n++].p = valloc(v_size_max);
    int e3 = errno;
    errno = 0;
    r[n].what = "pvalloc(SIZE_MAX - 100)";
    r[n++].p = pvalloc(v_size_max - 100);
    int e4 = errno;
    errno = 0;
    r[n].what = "memalign(2^62, 16)";
    r[n++].p = memalign((size_t)1 << 62, 16);
    int e5 = errno;
    errno = 0;
    r[n].what = "realloc(NULL, SIZE_MAX)";
    r[n++].p = realloc(NULL, v_size_max);
    int e6 = errno;
    errno = 0;
    r[n].what = "reallocarray(NULL, 2, SIZE_MAX / 2 + 1)";
    r[n++].p = reallocarray(NULL, 2, (v_size_max >> 1) + 1);
    int e7 = errno;
    errno = 0;
    r[n].what = "calloc(1, SIZE_MAX)";
    r[n++].p = calloc(1, v_size_max);
    int e8 = errno;
    int errs[] = {e0, e1, e2, e3, e4, e5, e6, e7, e8};
    for (int i = 0; i < n; i++) {
        if (r[i].p || errs[i] != ENOMEM)
            fprintf(stderr, "\n  %s = %p, errno %d\n", r[i].what, r[i].p, errs[i]);
        CU_ASSERT_PTR_NULL(r[i].p);
        CU_ASSERT_EQUAL(errs[i], ENOMEM);
        free(r[i].p);
    }
}

static void reallocarray_overflow_fails_with_enomem_keeping_block(void)
{
    size_t sizes[] = {40, 3000, 100000};
    for (int k = 0; k < 3; k++) {
        char *p = malloc(sizes[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        mpt_fill(p, sizes[k], 77);
        errno = 0;
        void *q = reallocarray(mpt_launder(p), (v_size_max >> 1) + 1, 2);
        CU_ASSERT_PTR_NULL(q);
        CU_ASSERT_EQUAL(errno, ENOMEM);
        errno = 0;
        q = reallocarray(mpt_launder(p), v_size_max >> 31, v_size_max >> 31);
        CU_ASSERT_PTR_NULL(q);
        CU_ASSERT_EQUAL(errno, ENOMEM);
        CU_ASSERT(mpt_check(p, sizes[k], 77));
        /* Still a live block: it can grow and keeps its contents. */
        q = reallocarray(p, 2, sizes[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(q);
        CU_ASSERT(mpt_check(q, sizes[k], 77));
        free(q);
    }
}

static void realloc_to_size_max_fails_with_enomem_keeping_block(void)
{
    size_t sizes[] = {1, 40, 3000, 32768, 40000, MPT_MIB};
    for (int k = 0; k < 6; k++) {
        char *p = malloc(sizes[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        mpt_fill(p, sizes[k], 99 + (uint32_t)k);
        errno = 0;
        void *q = realloc(mpt_launder(p), v_size_max);
        CU_ASSERT_PTR_NULL(q);
        CU_ASSERT_EQUAL(errno, ENOMEM);
        errno = 0;
        q = realloc(mpt_launder(p), v_ptrdiff_max + 1);
        CU_ASSERT_PTR_NULL(q);
        CU_ASSERT_EQUAL(errno, ENOMEM);
        CU_ASSERT(mpt_check(p, sizes[k], 99 + (uint32_t)k));
        /* Other blocks do not land on top of the old one. */
        char *other = malloc(sizes[k]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(other);
        mpt_fill(other, sizes[k], 3);
        CU_ASSERT(mpt_check(p, sizes[k], 99 + (uint32_t)k));
        free(other);
        free(p);
    }
}

/* ---- realloc ----------------------------------------------------------- */

/* The distinct usable sizes malloc hands out up to 32 KiB: memprof's class
 * sizes. Under another malloc (many more distinct sizes) a spread-out subset
 * of at most 96 is kept so the pairwise test stays quick. */
static size_t probe_classes(size_t *out, size_t max)
{
    static size_t all[40000];
    size_t n = 0, last = 0;
    for (size_t s = 1; s <= MPT_MAX_SMALL; s++) {
        void *p = malloc(s);
        if (!p)
            continue;
        size_t u = malloc_usable_size(p);
        free(p);
        if (u != last && u <= MPT_MAX_SMALL + 64)
            all[n++] = last = u;
    }
    if (n <= max) {
        memcpy(out, all, n * sizeof *out);
        return n;
    }
    for (size_t i = 0; i < max; i++)
        out[i] = all[i * n / max];
    return max;
}

static void realloc_preserves_contents_between_every_pair_of_small_classes(void)
{
    size_t cls[96];
    size_t n = probe_classes(cls, 96);
    CU_ASSERT_FATAL(n >= 2);
    size_t failures = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            if (a == b)
                continue;
            uint32_t seed = (uint32_t)(a * 131 + b);
            char *p = malloc(cls[a]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            mpt_fill(p, cls[a], seed);
            char *q = realloc(p, cls[b]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(q);
            size_t keep = cls[a] < cls[b] ? cls[a] : cls[b];
            if ((!mpt_check(q, keep, seed) || malloc_usable_size(q) < cls[b]) &&
                failures++ == 0)
                fprintf(stderr, "\n  realloc %zu -> %zu lost contents or size\n", cls[a],
                        cls[b]);
            mpt_fill(q, cls[b], seed + 1);
            CU_ASSERT(mpt_check(q, cls[b], seed + 1));
            free(q);
        }
    CU_ASSERT_EQUAL(failures, 0);
}

static void realloc_preserves_contents_between_small_and_large(void)
{
    size_t cls[96];
    size_t n = probe_classes(cls, 96);
    size_t large[] = {32769, 40000, 65536, 100000, MPT_MIB, 4 * MPT_MIB + 3};
    size_t failures = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t l = 0; l < sizeof large / sizeof large[0]; l++) {
            uint32_t seed = (uint32_t)(a * 17 + l);
            /* small -> large */
            char *p = malloc(cls[a]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            mpt_fill(p, cls[a], seed);
            char *q = realloc(p, large[l]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(q);
            if (!mpt_check(q, cls[a], seed) && failures++ == 0)
                fprintf(stderr, "\n  realloc %zu -> %zu lost contents\n", cls[a], large[l]);
            CU_ASSERT(malloc_usable_size(q) >= large[l]);
            /* large -> small */
            mpt_fill(q, large[l], seed + 5);
            char *r = realloc(q, cls[a]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(r);
            if (!mpt_check(r, cls[a], seed + 5) && failures++ == 0)
                fprintf(stderr, "\n  realloc %zu -> %zu lost contents\n", large[l], cls[a]);
            CU_ASSERT(malloc_usable_size(r) >= cls[a]);
            free(r);
        }
    CU_ASSERT_EQUAL(failures, 0);
}

static void realloc_preserves_contents_large_to_larger_and_back(void)
{
    size_t steps[] = {40000, 65536, 65537, 100000, 250000, MPT_MIB, 5 * MPT_MIB + 7,
                      64 * MPT_MIB, 3 * MPT_MIB, 33000, 70000};
    size_t n = sizeof steps / sizeof steps[0];
    char *p = malloc(steps[0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    mpt_fill(p, steps[0], 1);
    for (size_t i = 1; i < n; i++) {
        /* A neighbour allocated in between keeps the block from simply
         * extending into free space every time. */
        void *guard = malloc(steps[i - 1] / 2);
        CU_ASSERT_PTR_NOT_NULL_FATAL(guard);
        char *q = realloc(p, steps[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(q);
        size_t keep = steps[i - 1] < steps[i] ? steps[i - 1] : steps[i];
        int ok = mpt_check(q, keep, (uint32_t)i);
        if (!ok)
            fprintf(stderr, "\n  realloc %zu -> %zu lost contents\n", steps[i - 1], steps[i]);
        CU_ASSERT(ok);
        CU_ASSERT(malloc_usable_size(q) >= steps[i]);
        mpt_fill(q, steps[i], (uint32_t)i + 1);
        free(guard);
        p = q;
    }
    CU_ASSERT(mpt_check(p, steps[n - 1], (uint32_t)n));
    free(p);
}

static void realloc_within_usable_size_stays_in_place(void)
{
    size_t sizes[] = {1, 15, 16, 17, 100, 1000, 1025, 3000, 20000, 32768,
                      32769, 40000, 100000, MPT_MIB + 1};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        char *p = malloc(n);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        size_t u = malloc_usable_size(p);
        mpt_fill(p, u, 5);
        size_t targets[] = {u, n, (n + u) / 2, u, n};
        for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
            char *q = realloc(mpt_launder(p), targets[t]);
            if (q != p)
                fprintf(stderr, "\n  realloc(%p [malloc(%zu), usable %zu], %zu) moved to %p\n",
                        (void *)p, n, u, targets[t], (void *)q);
            CU_ASSERT_PTR_EQUAL(q, p);
            if (!q)
                return;
            p = q;
            size_t keep = targets[t];
            CU_ASSERT(mpt_check(p, keep, 5));
            CU_ASSERT(malloc_usable_size(p) >= targets[t]);
            mpt_fill(p, malloc_usable_size(p), 5);
        }
        free(p);
    }
}

static void reallocarray_resizes_like_realloc_of_the_product(void)
{
    char *p = reallocarray(NULL, 10, 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT(malloc_usable_size(p) >= 100);
    mpt_fill(p, 100, 11);
    p = reallocarray(p, 1000, 50);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT(malloc_usable_size(p) >= 50000);
    CU_ASSERT(mpt_check(p, 100, 11));
    mpt_fill(p, 50000, 12);
    p = reallocarray(p, 3, 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT(mpt_check(p, 21, 12));
    free(p);
}

/* ---- calloc ------------------------------------------------------------ */

static void calloc_round(const size_t *sizes, size_t n, int rounds, size_t per_size)
{
    size_t total = n * per_size;
    void **p = malloc(total * sizeof *p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t dirty = 0;
    for (int r = 0; r < rounds; r++) {
        /* Dirty: fill whole usable sizes with 0xAB and free. */
        for (size_t i = 0; i < total; i++) {
            p[i] = malloc(sizes[i / per_size]);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
            memset(p[i], 0xAB, malloc_usable_size(p[i]));
        }
        for (size_t i = 0; i < total; i++)
            free(p[i]);
        /* The same sizes through calloc must come back zeroed. */
        for (size_t i = 0; i < total; i++) {
            size_t s = sizes[i / per_size];
            p[i] = (i & 1) ? calloc(1, s) : calloc(s, 1);
            CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
            if (!mpt_all_zero(p[i], s) && dirty++ == 0)
                fprintf(stderr, "\n  calloc(%zu) round %d = %p not zeroed\n", s, r, p[i]);
        }
        for (size_t i = 0; i < total; i++)
            free(p[i]);
    }
    CU_ASSERT_EQUAL(dirty, 0);
    free(p);
}

static void calloc_zeroes_recycled_small_blocks(void)
{
    size_t cls[96];
    size_t n = probe_classes(cls, 96);
    /* Sizes just inside each class as well as the class size itself. */
    size_t sizes[200];
    size_t m = 0;
    for (size_t i = 0; i < n && m + 2 <= 200; i++) {
        sizes[m++] = cls[i];
        sizes[m++] = i ? cls[i - 1] + 1 : 1;
    }
    calloc_round(sizes, m, 20, 16);
}

static void calloc_zeroes_recycled_large_blocks(void)
{
    size_t sizes[] = {32769, 40000, 65536, 100000, 300000, MPT_MIB, 4 * MPT_MIB};
    calloc_round(sizes, sizeof sizes / sizeof sizes[0], 10, 3);
}

/* Large free pages come in two kinds: released to the OS (they read as
 * zero again) and idle (still holding what the program wrote). A span
 * carved from a mix of both, after malloc_trim and more dirtying, must still
 * come back zeroed from calloc. */
static void calloc_zeroes_spans_mixing_released_and_dirty_pages(void)
{
    enum { SLOTS = 48, ROUNDS = 1500 };
    static char *slot[SLOTS];
    memset(slot, 0, sizeof slot);
    uint64_t rng = 0xC0FFEE;
    size_t dirty = 0;
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t r = mpt_rand(&rng);
        int i = (int)(r % SLOTS);
        size_t n = 32769 + (size_t)((r >> 20) % (3 * MPT_MIB));
        free(slot[i]);
        slot[i] = NULL;
        if ((r >> 8) % 3 == 0) {
            slot[i] = calloc(1, n);
            CU_ASSERT_PTR_NOT_NULL_FATAL(slot[i]);
            if (!mpt_all_zero(slot[i], n) && dirty++ == 0)
                fprintf(stderr, "\n  round %d: calloc(%zu) = %p not zeroed\n", round, n,
                        (void *)slot[i]);
        } else {
            slot[i] = malloc(n);
            CU_ASSERT_PTR_NOT_NULL_FATAL(slot[i]);
        }
        memset(slot[i], 0xAB, n); /* everything the program touches is dirty */
        if (round % 64 == 63)
            malloc_trim(0);
    }
    for (int i = 0; i < SLOTS; i++)
        free(slot[i]);
    CU_ASSERT_EQUAL(dirty, 0);
}

void mp_test_register(void)
{
    MP_SUITE("api_sizes",
             MP_TEST(malloc_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(calloc_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(realloc_null_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(reallocarray_null_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(memalign_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(posix_memalign_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(aligned_alloc_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(valloc_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(pvalloc_sizes_0_to_64k_are_usable_aligned_and_disjoint),
             MP_TEST(malloc_1mib_and_100mib_blocks_are_usable),
             MP_TEST(calloc_1mib_and_100mib_blocks_are_usable),
             MP_TEST(realloc_null_1mib_and_100mib_blocks_are_usable),
             MP_TEST(reallocarray_null_1mib_and_100mib_blocks_are_usable),
             MP_TEST(memalign_1mib_and_100mib_blocks_are_usable),
             MP_TEST(posix_memalign_1mib_and_100mib_blocks_are_usable),
             MP_TEST(aligned_alloc_1mib_and_100mib_blocks_are_usable),
             MP_TEST(valloc_1mib_and_100mib_blocks_are_usable),
             MP_TEST(pvalloc_1mib_and_100mib_blocks_are_usable),
             MP_TEST(malloc_zero_returns_unique_freeable_pointers),
             MP_TEST(malloc_usable_size_of_null_is_zero),
             MP_TEST(free_preserves_errno),
             MP_TEST(free_null_is_a_no_op));
    MP_SUITE("api_alignment",
             MP_TEST(memalign_honours_every_power_of_two_alignment_up_to_1mib),
             MP_TEST(posix_memalign_honours_every_power_of_two_alignment_up_to_1mib),
             MP_TEST(aligned_alloc_honours_every_power_of_two_alignment_up_to_1mib),
             MP_TEST(posix_memalign_rejects_bad_alignment_with_einval_leaving_memptr),
             MP_TEST(posix_memalign_huge_size_returns_enomem_leaving_memptr),
             MP_TEST(valloc_returns_page_aligned_blocks),
             MP_TEST(pvalloc_rounds_size_up_to_a_whole_page));
    MP_SUITE("api_errors",
             MP_TEST(malloc_size_max_fails_with_enomem),
             MP_TEST(malloc_ptrdiff_max_plus_one_fails_with_enomem),
             MP_TEST(calloc_overflowing_product_fails_with_enomem),
             MP_TEST(aligned_apis_fail_with_enomem_on_impossible_sizes),
             MP_TEST(reallocarray_overflow_fails_with_enomem_keeping_block),
             MP_TEST(realloc_to_size_max_fails_with_enomem_keeping_block));
    MP_SUITE("api_realloc",
             MP_TEST(realloc_preserves_contents_between_every_pair_of_small_classes),
             MP_TEST(realloc_preserves_contents_between_small_and_large),
             MP_TEST(realloc_preserves_contents_large_to_larger_and_back),
             MP_TEST(realloc_within_usable_size_stays_in_place),
             MP_TEST(reallocarray_resizes_like_realloc_of_the_product));
    MP_SUITE("api_calloc",
             MP_TEST(calloc_zeroes_recycled_small_blocks),
             MP_TEST(calloc_zeroes_recycled_large_blocks),
             MP_TEST(calloc_zeroes_spans_mixing_released_and_dirty_pages));
}
