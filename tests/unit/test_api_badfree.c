/*
 * test_api_badfree.c — invalid and double frees are detected, counted and
 * survived (DESIGN.md: "Double and invalid frees are detected and recorded";
 * STYLE.md: the shim never aborts the host).
 *
 * Each bad free must: not crash; leave the heap usable (allocations after it
 * are distinct, disjoint and keep their contents; a block that was pointed
 * into stays live and intact); raise exactly one of the counters
 * invalid_frees / double_frees by exactly one; and print a line starting
 * with "memprof:" on stderr (captured by pointing fd 2 at a memfd around the
 * call).
 *
 * These tests need the shim: under glibc the same frees abort the process,
 * so without the shim each test fails with "shim not active" before it
 * frees anything.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "test_api_common.h"

static mp_heap_stats_t s0, s1;
static char why[512];
static char out[8192];

/* free(p) with stderr captured into out[]; snapshots around it in s0/s1. */
static void bad_free(void *p)
{
    mpt_capture_t cap;
    int captured = mpt_capture_begin(&cap) == 0;
    mpt_stats(&s0);
    free(mpt_launder(p));
    mpt_stats(&s1);
    out[0] = 0;
    if (captured)
        mpt_capture_end(&cap, out, sizeof out);
    CU_ASSERT(captured);
}

/* Set once the shim said it stops reporting (it rate-limits its bad-free
 * messages, preload/heap/heap.c MP_REPORT_LIMIT); silence is fine after. */
static int reports_capped;

/* The captured output has a line that starts with "memprof:" (or the shim
 * said earlier that it would report no further bad frees). */
static int said_memprof(void)
{
    int said = 0;
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, "memprof:", 8) == 0) {
            said = 1;
            const char *eol = strchr(l, '\n');
            const char *cap = strstr(l, "not reported");
            if (cap && (!eol || cap < eol))
                reports_capped = 1;
        }
    return said || reports_capped;
}

#define ASSERT_COUNTED(field, other)                                                     \
    do {                                                                                 \
        if (s1.field != s0.field + 1 || s1.other != s0.other)                            \
            fprintf(stderr, "\n  " #field " %llu -> %llu, " #other " %llu -> %llu\n",     \
                    (unsigned long long)s0.field, (unsigned long long)s1.field,          \
                    (unsigned long long)s0.other, (unsigned long long)s1.other);         \
        CU_ASSERT_EQUAL(s1.field, s0.field + 1);                                         \
        CU_ASSERT_EQUAL(s1.other, s0.other);                                             \
        if (!said_memprof())                                                             \
            fprintf(stderr, "\n  no \"memprof:\" line on stderr; got: \"%.200s\"\n", out); \
        CU_ASSERT(said_memprof());                                                       \
    } while (0)

/* Allocates n blocks of `size`, checks they are distinct, disjoint from
 * [avoid, avoid+avoid_len) and keep their patterns; frees them. */
static void heap_still_usable(size_t size, size_t n, const void *avoid, size_t avoid_len)
{
    enum { MAXN = 2048 };
    static void *p[MAXN + 1];
    static size_t len[MAXN + 1];
    CU_ASSERT_FATAL(n <= MAXN);
    for (size_t i = 0; i < n; i++) {
        p[i] = malloc(size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
        len[i] = size;
        mpt_fill(p[i], size, (uint32_t)i + 1000);
    }
    int intact = 1;
    for (size_t i = 0; i < n; i++)
        intact &= mpt_check(p[i], size, (uint32_t)i + 1000);
    CU_ASSERT(intact);
    size_t m = n;
    if (avoid) {
        p[m] = (void *)(uintptr_t)avoid;
        len[m++] = avoid_len;
    }
    int disjoint = mpt_disjoint(p, len, m);
    if (!disjoint)
        fprintf(stderr, "\n  after the bad free, %zu x malloc(%zu) overlap%s\n", n, size,
                avoid ? " (or hit the still-live block)" : "");
    CU_ASSERT(disjoint);
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}

static void assert_sane_now(void)
{
    mp_heap_stats_t s;
    CU_ASSERT_EQUAL_FATAL(mpt_stats(&s), 0);
    int ok = mpt_stats_sane(&s, why, sizeof why);
    if (!ok)
        fprintf(stderr, "\n  stats not sane: %s\n", why);
    CU_ASSERT(ok);
}

static void interior_pointer_case(size_t size, size_t offset)
{
    char *p = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t u = malloc_usable_size(p);
    mpt_fill(p, u, 42);
    bad_free(p + offset);
    ASSERT_COUNTED(invalid_frees, double_frees);
    /* The block is still live and intact. */
    CU_ASSERT_EQUAL(mpt_live_objects(&s1), mpt_live_objects(&s0));
    CU_ASSERT(mpt_check(p, u, 42));
    CU_ASSERT_EQUAL(malloc_usable_size(p), u);
    heap_still_usable(size, size > 100000 ? 4 : 1024, p, u);
    CU_ASSERT(mpt_check(p, u, 42));
    /* Freeing it properly afterwards is an ordinary free. */
    mp_heap_stats_t a, b;
    mpt_stats(&a);
    free(p);
    mpt_stats(&b);
    CU_ASSERT_EQUAL(b.invalid_frees, a.invalid_frees);
    CU_ASSERT_EQUAL(b.double_frees, a.double_frees);
    CU_ASSERT_EQUAL(mpt_live_objects(&b), mpt_live_objects(&a) - 1);
    assert_sane_now();
}

static void free_inside_a_small_block_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    interior_pointer_case(100, 8);
    interior_pointer_case(48, 16); /* 16-aligned, but not an object start */
    interior_pointer_case(3000, 1);
}

static void free_inside_a_large_block_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    interior_pointer_case(200000, 100);
    interior_pointer_case(200000, 3 * 8192); /* page-aligned, inside the span */
    interior_pointer_case(2 * MPT_MIB, MPT_MIB);
}

static void double_free_case(size_t size, int flush_cache)
{
    enum { FLUSH = 2048 };
    static void *others[FLUSH];
    char *p = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    mpt_fill(p, size, 9);
    int flush = flush_cache && size <= MPT_MAX_SMALL;
    if (flush)
        for (int i = 0; i < FLUSH; i++)
            others[i] = malloc(size);
    free(mpt_launder(p));
    if (flush) /* overflow the thread cache so p travels on to the central list */
        for (int i = 0; i < FLUSH; i++)
            free(others[i]);
    bad_free(p);
    ASSERT_COUNTED(double_frees, invalid_frees);
    CU_ASSERT_EQUAL(mpt_live_objects(&s1), mpt_live_objects(&s0));
    /* The block went back once: later allocations never hand it out twice. */
    heap_still_usable(size, size > 100000 ? 4 : 2048, NULL, 0);
    assert_sane_now();
}

static void double_free_of_a_small_block_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    double_free_case(64, 0);
    double_free_case(1000, 0);
    double_free_case(32768, 0);
}

static void double_free_of_a_small_block_after_cache_flush_is_reported(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    double_free_case(64, 1);
    double_free_case(5000, 1);
}

static void double_free_of_a_large_block_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    double_free_case(40000, 0);
    double_free_case(MPT_MIB, 0);
    double_free_case(16 * MPT_MIB, 0);
}

static void free_of_a_stack_address_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    char buf[256];
    mpt_fill(buf, sizeof buf, 5);
    bad_free(buf + 64);
    ASSERT_COUNTED(invalid_frees, double_frees);
    CU_ASSERT(mpt_check(buf, sizeof buf, 5));
    heap_still_usable(256, 1024, NULL, 0);
    assert_sane_now();
}

static char global_block[256];

static void free_of_a_global_address_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    mpt_fill(global_block, sizeof global_block, 6);
    bad_free(global_block);
    ASSERT_COUNTED(invalid_frees, double_frees);
    CU_ASSERT(mpt_check(global_block, sizeof global_block, 6));
    heap_still_usable(256, 1024, NULL, 0);
    assert_sane_now();
}

/* An address that is a slot of a live span, at an object boundary, but was
 * never handed out (the span's last slot, not yet carved): freeing it is an
 * invalid free (or a double free, had the slot been handed out and freed
 * before); if accepted, the slot would later be handed out twice. */
static void free_of_a_never_allocated_slot_is_reported_and_ignored(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    /* A one-page class with more objects per span than a thread cache takes
     * at once, and not used so far in this process. */
    mp_heap_stats_t st;
    mpt_stats(&st);
    int c = -1;
    for (uint32_t i = 1; i < st.nclasses; i++)
        if (st.classes[i].span_pages == 1 && st.classes[i].size >= 160 &&
            st.classes[i].size <= 240 && st.classes[i].allocs == 0) {
            c = (int)i;
            break;
        }
    if (c < 0)
        c = mpt_class_index(&st, 208);
    CU_ASSERT_FATAL(c > 0 && st.classes[c].span_pages == 1);
    size_t size = st.classes[c].size, nobj = MPT_HEAP_PAGE / size;
    char *p = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL_FATAL(malloc_usable_size(p), size);
    char *span = (char *)((uintptr_t)p & ~(uintptr_t)(MPT_HEAP_PAGE - 1));
    char *never = span + (nobj - 1) * size;
    if (never == p)
        never = span + (nobj - 2) * size;
    bad_free(never);
    uint64_t bad = (s1.invalid_frees - s0.invalid_frees) + (s1.double_frees - s0.double_frees);
    if (bad != 1)
        fprintf(stderr, "\n  free(%p), a slot of %p's span never handed out: invalid_frees +%llu, "
                        "double_frees +%llu\n",
                (void *)never, (void *)p, (unsigned long long)(s1.invalid_frees - s0.invalid_frees),
                (unsigned long long)(s1.double_frees - s0.double_frees));
    CU_ASSERT_EQUAL(bad, 1);
    CU_ASSERT(said_memprof());
    CU_ASSERT_EQUAL(mpt_live_objects(&s1), mpt_live_objects(&s0));
    /* No slot is handed out twice afterwards. */
    heap_still_usable(size, 4 * nobj, p, size);
    free(p);
    assert_sane_now();
}

static void each_bad_free_counts_exactly_once(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    mp_heap_stats_t a, b;
    mpt_stats(&a);
    for (int i = 0; i < 5; i++) {
        char *p = malloc(80);
        free(mpt_launder(p));
        bad_free(p);          /* double */
        char *q = malloc(80);
        bad_free(q + 24);     /* invalid */
        free(q);
    }
    mpt_stats(&b);
    CU_ASSERT_EQUAL(b.double_frees, a.double_frees + 5);
    CU_ASSERT_EQUAL(b.invalid_frees, a.invalid_frees + 5);
    CU_ASSERT_EQUAL(mpt_live_objects(&b), mpt_live_objects(&a));
    assert_sane_now();
}

/* ---- blocks from the libc's own malloc ---------------------------------- */

/* glibc's own allocator stays reachable as __libc_malloc; blocks it made
 * stand for those a program got before memprof took over, which DESIGN.md
 * says are "handed to the libc's own free, never crashed on". */
extern void *__libc_malloc(size_t size);

static void foreign_case(size_t size)
{
    char *p = __libc_malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memset(p, 0x3c, size);
    bad_free(p);
    if (!mpt_shim_active())
        return;
    if (s1.foreign_frees != s0.foreign_frees + 1 || s1.invalid_frees != s0.invalid_frees ||
        out[0])
        fprintf(stderr, "\n  free(__libc_malloc(%zu)): foreign_frees +%llu, invalid_frees +%llu; "
                        "stderr \"%.200s\"\n",
                size, (unsigned long long)(s1.foreign_frees - s0.foreign_frees),
                (unsigned long long)(s1.invalid_frees - s0.invalid_frees), out);
    CU_ASSERT_EQUAL(s1.foreign_frees, s0.foreign_frees + 1);
    CU_ASSERT_EQUAL(s1.invalid_frees, s0.invalid_frees);
    CU_ASSERT_EQUAL(s1.double_frees, s0.double_frees);
    CU_ASSERT_EQUAL(out[0], 0); /* not an error: nothing to report */

    /* realloc of such a block keeps its contents and gives a freeable block */
    char *q = __libc_malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(q);
    memset(q, 0x3d, size);
    char *r = realloc(q, size * 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    int kept = 1;
    for (size_t i = 0; i < size; i++)
        kept &= r[i] == 0x3d;
    CU_ASSERT(kept);
    mp_heap_stats_t a, b;
    mpt_stats(&a);
    free(r);
    mpt_stats(&b);
    CU_ASSERT_EQUAL(b.invalid_frees, a.invalid_frees);
    CU_ASSERT_EQUAL(b.double_frees, a.double_frees);
}

static void free_of_a_small_libc_block_is_handed_to_the_libc(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    foreign_case(100);
    foreign_case(5000);
    assert_sane_now();
}

static void free_of_a_large_libc_block_is_handed_to_the_libc(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    foreign_case(MPT_MIB); /* glibc maps blocks this big on their own */
    assert_sane_now();
}

/* ---- no false alarms --------------------------------------------------- */

/* Pages that held freed small objects, reused for a large block: a program
 * may copy such a block's bytes (initialised or not) into a small block, and
 * realloc does exactly that when it moves a large block to a small class.
 * Freeing the small block afterwards is an ordinary free, whatever bytes it
 * holds. */
static void recycle_small_spans(void)
{
    enum { N = 100000 };
    static void *v[N];
    for (int i = 0; i < N; i++)
        v[i] = malloc(64);
    for (int i = 0; i < N; i++)
        free(v[i]);
}

static void realloc_large_to_small_over_recycled_pages_frees_normally(void)
{
    mp_heap_stats_t a, b;
    mpt_warm_up(0);
    int have = mpt_stats(&a) == 0;
    recycle_small_spans();
    int nulls = 0;
    mpt_capture_t cap;
    int captured = mpt_capture_begin(&cap) == 0;
    if (have)
        mpt_stats(&a);
    for (int k = 0; k < 64; k++) {
        char *big = malloc(64 * 1024); /* never written: recycled bytes */
        char *small = realloc(big, 100);
        if (!small) {
            nulls++;
            free(big);
            continue;
        }
        free(small);
    }
    if (have)
        mpt_stats(&b);
    out[0] = 0;
    if (captured)
        mpt_capture_end(&cap, out, sizeof out);
    if (nulls || out[0])
        fprintf(stderr, "\n  %d of 64 realloc(large, 100) returned NULL; stderr: \"%.300s\"\n",
                nulls, out);
    CU_ASSERT_EQUAL(nulls, 0);
    CU_ASSERT_EQUAL(out[0], 0);
    if (!mpt_require_shim(__func__))
        return;
    CU_ASSERT_EQUAL(b.double_frees, a.double_frees);
    CU_ASSERT_EQUAL(b.invalid_frees, a.invalid_frees);
    CU_ASSERT_EQUAL(mpt_live_objects(&b), mpt_live_objects(&a));
}

static void block_holding_copied_recycled_bytes_reallocs_and_frees_normally(void)
{
    mp_heap_stats_t a, b;
    mpt_warm_up(0);
    int have = mpt_stats(&a) == 0;
    recycle_small_spans();
    mpt_capture_t cap;
    int captured = mpt_capture_begin(&cap) == 0;
    if (have)
        mpt_stats(&a);
    int nulls = 0;
    for (int k = 0; k < 64; k++) {
        char *big = malloc(64 * 1024);
        char *small = malloc(64);
        /* a 64-byte record copied out of a buffer, filled in or not */
        memcpy(small, big + (size_t)k * 1024, 64);
        char *grown = realloc(small, 200);
        if (grown)
            small = grown;
        else
            nulls++;
        free(small);
        free(big);
    }
    if (have)
        mpt_stats(&b);
    out[0] = 0;
    if (captured)
        mpt_capture_end(&cap, out, sizeof out);
    if (nulls || out[0])
        fprintf(stderr, "\n  %d of 64 realloc(small, 200) returned NULL; stderr: \"%.300s\"\n",
                nulls, out);
    CU_ASSERT_EQUAL(nulls, 0);
    CU_ASSERT_EQUAL(out[0], 0);
    if (!mpt_require_shim(__func__))
        return;
    if (b.double_frees != a.double_frees || mpt_live_objects(&b) != mpt_live_objects(&a))
        fprintf(stderr, "\n  double_frees +%llu, live objects %llu -> %llu\n",
                (unsigned long long)(b.double_frees - a.double_frees),
                (unsigned long long)mpt_live_objects(&a),
                (unsigned long long)mpt_live_objects(&b));
    CU_ASSERT_EQUAL(b.double_frees, a.double_frees);
    CU_ASSERT_EQUAL(mpt_live_objects(&b), mpt_live_objects(&a));
}

void mp_test_register(void)
{
    MP_SUITE("api_bad_free",
             MP_TEST(free_inside_a_small_block_is_reported_and_ignored),
             MP_TEST(free_inside_a_large_block_is_reported_and_ignored),
             MP_TEST(double_free_of_a_small_block_is_reported_and_ignored),
             MP_TEST(double_free_of_a_small_block_after_cache_flush_is_reported),
             MP_TEST(double_free_of_a_large_block_is_reported_and_ignored),
             MP_TEST(free_of_a_stack_address_is_reported_and_ignored),
             MP_TEST(free_of_a_global_address_is_reported_and_ignored),
             MP_TEST(free_of_a_never_allocated_slot_is_reported_and_ignored),
             MP_TEST(each_bad_free_counts_exactly_once));
    MP_SUITE("api_foreign_blocks",
             MP_TEST(free_of_a_small_libc_block_is_handed_to_the_libc),
             MP_TEST(free_of_a_large_libc_block_is_handed_to_the_libc));
    MP_SUITE("api_no_false_alarms",
             MP_TEST(realloc_large_to_small_over_recycled_pages_frees_normally),
             MP_TEST(block_holding_copied_recycled_bytes_reallocs_and_frees_normally));
}
