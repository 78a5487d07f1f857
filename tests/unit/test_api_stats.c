/*
 * test_api_stats.c — memprof's heap counters (memprof.h) are exact.
 *
 * Every test here runs single-threaded between two snapshots, so the counters
 * must move by exactly what the test did: N objects of a class raise that
 * class's objects_live by N and bytes_live by N * size; a large block raises
 * large_objects by one and large_bytes by its span (the request rounded up to
 * 8 KiB pages); frees bring them back. The page-heap identity
 * mapped == in_use + idle + released and the per-class equations of
 * memprof.h are checked after every step (mpt_stats_sane).
 *
 * Also here: pages come back to the OS (mp_heap_release_free, malloc_trim
 * and the background scavenger, measured by the released counter and by
 * /proc/self/statm), and the glibc extras (mallinfo2, malloc_stats,
 * malloc_info, mallopt).
 *
 * The snapshots live in static storage and the pointer arrays too, so the
 * test itself allocates nothing between two snapshots (a CUnit assertion that
 * fails does allocate, which is why asserts come after the last snapshot).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cunit_main.h"
#include "test_api_common.h"

static mp_heap_stats_t s0, s1, s2;
static char why[512];

#define ASSERT_SANE(s)                                                                   \
    do {                                                                                 \
        int sane_ = mpt_stats_sane(&(s), why, sizeof why);                               \
        if (!sane_)                                                                      \
            fprintf(stderr, "\n  %s:%d: stats not sane: %s\n", __FILE__, __LINE__, why); \
        CU_ASSERT(sane_);                                                                \
    } while (0)

#define SNAP(s) CU_ASSERT_EQUAL_FATAL(mpt_stats(&(s)), 0)

static size_t round_pages(size_t n)
{
    return (n + MPT_HEAP_PAGE - 1) & ~(MPT_HEAP_PAGE - 1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the class table --------------------------------------------------- */

static void stats_describe_a_sane_heap_at_start(void)
{
    if (!mpt_require_shim(__func__))
        return;
    SNAP(s0);
    ASSERT_SANE(s0);
    CU_ASSERT_EQUAL(s0.page_size, 8192);
    CU_ASSERT(s0.threads_cached >= 1);
    CU_ASSERT_EQUAL(s0.invalid_frees, 0);
    CU_ASSERT_EQUAL(s0.double_frees, 0);
    CU_ASSERT_EQUAL(mpt_stats(NULL), -1);
}

/* malloc_usable_size of any small block is its class size, and a request
 * lands in the smallest class that holds it. */
static void usable_size_of_small_blocks_is_their_class_size(void)
{
    if (!mpt_require_shim(__func__))
        return;
    SNAP(s0);
    size_t wrong = 0;
    for (size_t n = 0; n <= MPT_MAX_SMALL; n++) {
        void *p = malloc(n);
        size_t u = malloc_usable_size(p);
        free(p);
        /* smallest class >= n (0 bytes take the smallest class) */
        int c = -1;
        for (uint32_t i = 1; i < s0.nclasses; i++)
            if (s0.classes[i].size >= n) {
                c = (int)i;
                break;
            }
        if ((c < 0 || u != s0.classes[c].size) && wrong++ < 3)
            fprintf(stderr, "\n  malloc(%zu): usable %zu, class size %u\n", n, u,
                    c < 0 ? 0 : s0.classes[c].size);
    }
    CU_ASSERT_EQUAL(wrong, 0);
}

/* ---- exact counters ---------------------------------------------------- */

enum { PER_CLASS = 64 };
static void *blk[4096];

static void class_counters_move_by_exactly_the_objects_allocated_and_freed(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    SNAP(s0);
    size_t bad = 0;
    for (uint32_t c = 1; c < s0.nclasses; c++) {
        uint32_t size = s0.classes[c].size;
        uint32_t lo = c > 1 ? s0.classes[c - 1].size + 1 : 1;
        mpt_stats(&s0);
        for (int i = 0; i < PER_CLASS; i++)
            blk[i] = malloc(i & 1 ? size : lo); /* both ends of the class */
        mpt_stats(&s1);
        for (int i = 0; i < PER_CLASS; i++)
            free(blk[i]);
        mpt_stats(&s2);

        const mp_class_stats_t *a = &s0.classes[c], *b = &s1.classes[c], *e = &s2.classes[c];
        int ok = b->objects_live - a->objects_live == PER_CLASS &&
                 b->bytes_live - a->bytes_live == (uint64_t)PER_CLASS * size &&
                 b->allocs - a->allocs == PER_CLASS &&
                 s1.small_live_bytes - s0.small_live_bytes == (uint64_t)PER_CLASS * size &&
                 s1.large_objects == s0.large_objects &&
                 e->objects_live == a->objects_live && e->bytes_live == a->bytes_live &&
                 e->frees - b->frees == PER_CLASS &&
                 s2.small_live_bytes == s0.small_live_bytes &&
                 b->bytes_retained >= b->bytes_live;
        if (!ok && bad++ < 3)
            fprintf(stderr,
                    "\n  class %u (%u B), %d x malloc(%u/%u): objects_live %llu -> %llu -> %llu, "
                    "bytes_live %llu -> %llu -> %llu, allocs +%llu, frees +%llu, "
                    "small_live_bytes %llu -> %llu -> %llu\n",
                    c, size, PER_CLASS, lo, size, (unsigned long long)a->objects_live,
                    (unsigned long long)b->objects_live, (unsigned long long)e->objects_live,
                    (unsigned long long)a->bytes_live, (unsigned long long)b->bytes_live,
                    (unsigned long long)e->bytes_live,
                    (unsigned long long)(b->allocs - a->allocs),
                    (unsigned long long)(e->frees - b->frees),
                    (unsigned long long)s0.small_live_bytes,
                    (unsigned long long)s1.small_live_bytes,
                    (unsigned long long)s2.small_live_bytes);
        ASSERT_SANE(s1);
        ASSERT_SANE(s2);
    }
    CU_ASSERT_EQUAL(bad, 0);
}

/* One allocation through each entry point moves the live-object count by one
 * and its free moves it back: every entry point is memprof's. */
static void every_entry_point_allocates_from_memprofs_heap(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    static const size_t sizes[] = {1, 100, 3000, 20000, 100000, 3 * MPT_MIB};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        for (int api = 0; api < 9; api++) {
            void *p = NULL;
            mpt_stats(&s0);
            switch (api) {
            case 0: p = malloc(n); break;
            case 1: p = calloc(1, n); break;
            case 2: p = realloc(NULL, n); break;
            case 3: p = reallocarray(NULL, n, 1); break;
            case 4: p = memalign(64, n); break;
            case 5:
                if (posix_memalign(&p, 64, n))
                    p = NULL;
                break;
            case 6: p = aligned_alloc(64, n); break;
            case 7: p = valloc(n); break;
            default: p = pvalloc(n); break;
            }
            mpt_escape(p);
            mpt_stats(&s1);
            free(p);
            mpt_stats(&s2);
            CU_ASSERT_PTR_NOT_NULL(p);
            uint64_t before = mpt_live_objects(&s0), during = mpt_live_objects(&s1),
                     after = mpt_live_objects(&s2);
            if (during != before + 1 || after != before) {
                fprintf(stderr, "\n  entry point #%d, %zu bytes: live objects %llu -> %llu -> %llu\n",
                        api, n, (unsigned long long)before, (unsigned long long)during,
                        (unsigned long long)after);
                mpt_print_live_diff(&s0, &s2);
            }
            CU_ASSERT_EQUAL(during, before + 1);
            CU_ASSERT_EQUAL(after, before);
            if (n > MPT_MAX_SMALL) {
                CU_ASSERT_EQUAL(s1.large_objects, s0.large_objects + 1);
                CU_ASSERT(s1.large_bytes - s0.large_bytes >= round_pages(n));
            } else {
                CU_ASSERT_EQUAL(s1.large_objects, s0.large_objects);
            }
        }
    }
}

static void realloc_moves_the_object_between_counters(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    mpt_stats(&s0);
    void *p = malloc(100);
    mpt_stats(&s1);
    int c100 = mpt_class_index(&s1, malloc_usable_size(p));
    p = realloc(p, 5000);
    mpt_stats(&s2);
    int c5000 = mpt_class_index(&s2, malloc_usable_size(p));
    CU_ASSERT_FATAL(c100 > 0 && c5000 > 0 && c100 != c5000);
    CU_ASSERT_EQUAL(s2.classes[c100].objects_live, s0.classes[c100].objects_live);
    CU_ASSERT_EQUAL(s2.classes[c5000].objects_live, s0.classes[c5000].objects_live + 1);
    CU_ASSERT_EQUAL(mpt_live_objects(&s2), mpt_live_objects(&s0) + 1);

    mpt_stats(&s0);
    p = realloc(p, 200000);
    mpt_stats(&s1);
    CU_ASSERT_EQUAL(s1.classes[c5000].objects_live, s0.classes[c5000].objects_live - 1);
    CU_ASSERT_EQUAL(s1.large_objects, s0.large_objects + 1);
    CU_ASSERT_EQUAL(s1.large_bytes, s0.large_bytes + round_pages(200000));

    mpt_stats(&s0);
    p = realloc(p, 50);
    mpt_stats(&s1);
    int c50 = mpt_class_index(&s1, malloc_usable_size(p));
    CU_ASSERT_FATAL(c50 > 0);
    CU_ASSERT_EQUAL(s1.large_objects, s0.large_objects - 1);
    CU_ASSERT_EQUAL(s1.large_bytes, s0.large_bytes - round_pages(200000));
    CU_ASSERT_EQUAL(s1.classes[c50].objects_live, s0.classes[c50].objects_live + 1);
    free(p);
    mpt_stats(&s2);
    CU_ASSERT_EQUAL(s2.classes[c50].objects_live, s0.classes[c50].objects_live);
    ASSERT_SANE(s2);
}

static void large_block_takes_one_span_of_whole_pages(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    static const size_t sizes[] = {MPT_MAX_SMALL + 1, 40000, 65536, 65537, 100000,
                                   MPT_MIB, MPT_MIB + 1, 8 * MPT_MIB + 100, 64 * MPT_MIB};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k], span = round_pages(n);
        mpt_stats(&s0);
        void *p = malloc(n);
        mpt_escape(p);
        mpt_stats(&s1);
        size_t u = malloc_usable_size(p);
        free(p);
        mpt_stats(&s2);
        CU_ASSERT_PTR_NOT_NULL(p);
        if (s1.large_bytes - s0.large_bytes != span || s1.in_use - s0.in_use != span)
            fprintf(stderr,
                    "\n  malloc(%zu): large_bytes +%lld, in_use +%lld, expected one span of %zu\n",
                    n, (long long)(s1.large_bytes - s0.large_bytes),
                    (long long)(s1.in_use - s0.in_use), span);
        CU_ASSERT_EQUAL(s1.large_objects, s0.large_objects + 1);
        CU_ASSERT_EQUAL(s1.large_bytes, s0.large_bytes + span);
        CU_ASSERT_EQUAL(s1.in_use, s0.in_use + span);
        CU_ASSERT(u >= n && u <= span);
        CU_ASSERT_EQUAL(s2.large_objects, s0.large_objects);
        CU_ASSERT_EQUAL(s2.large_bytes, s0.large_bytes);
        CU_ASSERT_EQUAL(s2.in_use, s0.in_use);
        ASSERT_SANE(s1);
        ASSERT_SANE(s2);
    }
}

/* A random mix of sizes and entry points; the identity and the per-class
 * equations hold at every checkpoint, and everything returns to baseline. */
static void heap_identity_holds_through_a_mixed_workload(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    enum { SLOTS = 4096, STEPS = 200000 };
    static void *slot[SLOTS];
    memset(slot, 0, sizeof slot);
    uint64_t rng = 0x1234567;
    mpt_stats(&s0);
    size_t insane = 0;
    for (int step = 0; step < STEPS; step++) {
        uint64_t r = mpt_rand(&rng);
        size_t i = r % SLOTS;
        size_t n = (r >> 16) % 100 < 90 ? (r >> 24) % 1024
                   : (r >> 16) % 100 < 98 ? (r >> 24) % 32768
                                          : 32768 + (r >> 24) % (2 * MPT_MIB);
        if (slot[i]) {
            if ((r >> 60) & 1) {
                void *q = realloc(slot[i], n + 1);
                if (q)
                    slot[i] = q;
            } else {
                free(slot[i]);
                slot[i] = NULL;
            }
        } else {
            switch ((r >> 56) & 3) {
            case 0: slot[i] = malloc(n); break;
            case 1: slot[i] = calloc(1, n); break;
            case 2: slot[i] = memalign(256, n); break;
            default: slot[i] = aligned_alloc(4096, n); break;
            }
        }
        if (step % 5000 == 0) {
            mpt_stats(&s1);
            if (!mpt_stats_sane(&s1, why, sizeof why) && insane++ == 0)
                fprintf(stderr, "\n  step %d: %s\n", step, why);
        }
    }
    for (size_t i = 0; i < SLOTS; i++)
        free(slot[i]);
    mpt_stats(&s2);
    CU_ASSERT_EQUAL(insane, 0);
    ASSERT_SANE(s2);
    CU_ASSERT_EQUAL(mpt_live_objects(&s2), mpt_live_objects(&s0));
    CU_ASSERT_EQUAL(s2.small_live_bytes, s0.small_live_bytes);
    CU_ASSERT_EQUAL(s2.large_bytes, s0.large_bytes);
}

/* ---- returning memory to the OS ---------------------------------------- */

enum { BIG_BLOCKS = 64 };
static void *big[BIG_BLOCKS];

/* Allocates and touches 64 x 1 MiB, frees it all; returns RSS at the peak. */
static size_t touch_and_free_64mib(void)
{
    for (int i = 0; i < BIG_BLOCKS; i++) {
        big[i] = malloc(MPT_MIB);
        CU_ASSERT_PTR_NOT_NULL_FATAL(big[i]);
        memset(big[i], 0x5c, MPT_MIB);
    }
    size_t peak = mpt_rss();
    for (int i = 0; i < BIG_BLOCKS; i++)
        free(big[i]);
    return peak;
}

static const size_t most_of_64mib = 48 * MPT_MIB;

static void release_free_gives_idle_pages_back_and_rss_drops(void)
{
    if (!mpt_require_shim(__func__))
        return;
    /* Nothing older stays idle, so the scavenger thread cannot release
     * anything between the snapshots below: the call's result must equal
     * the released counter's rise. */
    mpt_release_free();
    size_t rss0 = mpt_rss();
    size_t peak = touch_and_free_64mib();
    mpt_stats(&s0);
    size_t got = mpt_release_free();
    mpt_stats(&s1);
    size_t rss1 = mpt_rss();
    fprintf(stderr, "\n  rss %zu -> peak %zu -> %zu KiB; released %zu KiB by the call\n",
            rss0 >> 10, peak >> 10, rss1 >> 10, got >> 10);
    CU_ASSERT(peak >= rss0 + 60 * MPT_MIB); /* the premise: we did touch 64 MiB */
    CU_ASSERT(got >= most_of_64mib);
    CU_ASSERT(s1.released >= s0.released + most_of_64mib);
    CU_ASSERT_EQUAL(s1.released - s0.released, got);
    CU_ASSERT(s1.released_total >= s0.released_total + got);
    CU_ASSERT_EQUAL(s1.idle, 0);
    CU_ASSERT(peak - rss1 >= most_of_64mib);
    ASSERT_SANE(s0);
    ASSERT_SANE(s1);

    /* Released pages are usable again. */
    for (int i = 0; i < BIG_BLOCKS; i++) {
        big[i] = malloc(MPT_MIB);
        CU_ASSERT_PTR_NOT_NULL_FATAL(big[i]);
        mpt_fill_sparse(big[i], MPT_MIB, (uint32_t)i);
    }
    for (int i = 0; i < BIG_BLOCKS; i++) {
        CU_ASSERT(mpt_check_sparse(big[i], MPT_MIB, (uint32_t)i));
        free(big[i]);
    }
    mpt_stats(&s2);
    ASSERT_SANE(s2);
}

static void malloc_trim_gives_idle_pages_back_and_rss_drops(void)
{
    if (!mpt_require_shim(__func__))
        return;
    size_t peak = touch_and_free_64mib();
    mpt_stats(&s0);
    int rc = malloc_trim(0);
    mpt_stats(&s1);
    size_t rss1 = mpt_rss();
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT(s1.released >= s0.released + most_of_64mib);
    CU_ASSERT_EQUAL(s1.idle, 0);
    CU_ASSERT(peak - rss1 >= most_of_64mib);
    ASSERT_SANE(s1);
    /* Nothing left to give back: a second trim releases nothing. */
    mpt_stats(&s0);
    rc = malloc_trim(0);
    mpt_stats(&s1);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(s1.released, s0.released);
}

static void scavenger_releases_idle_pages_within_seconds(void)
{
    if (!mpt_require_shim(__func__))
        return;
    size_t peak = touch_and_free_64mib();
    mpt_stats(&s0);
    /* Freed pages first stay idle (resident, ready for reuse)... */
    CU_ASSERT(s0.idle >= most_of_64mib);
    uint64_t runs0 = s0.scavenge_runs;
    /* ...then the scavenger gives them back on its own, after about a
     * second of idleness. Poll for up to 5 s without touching the heap. */
    long waited = 0;
    size_t rss = peak;
    for (; waited <= 5000; waited += 50) {
        mpt_stats(&s1);
        rss = mpt_rss();
        if (s1.released >= s0.released + most_of_64mib && peak - rss >= most_of_64mib)
            break;
        sleep_ms(50);
    }
    fprintf(stderr, "\n  scavenger: waited %ld ms; released +%llu KiB, rss %zu -> %zu KiB\n",
            waited, (unsigned long long)((s1.released - s0.released) >> 10), peak >> 10,
            rss >> 10);
    CU_ASSERT(s1.released >= s0.released + most_of_64mib);
    CU_ASSERT(peak - rss >= most_of_64mib);
    CU_ASSERT(s1.scavenge_runs > runs0);
    CU_ASSERT(s1.released_total >= s0.released_total + most_of_64mib);
    ASSERT_SANE(s1);
}

/* ---- glibc extras ------------------------------------------------------ */

static void mallinfo2_reflects_the_heap_counters(void)
{
    if (!mpt_require_shim(__func__))
        return;
    mpt_warm_up(0);
    mpt_stats(&s0);
    struct mallinfo2 m0 = mallinfo2();
    for (int i = 0; i < 32; i++)
        big[i] = malloc(MPT_MIB);
    struct mallinfo2 m1 = mallinfo2();
    mpt_stats(&s1);
    for (int i = 0; i < 32; i++)
        free(big[i]);
    struct mallinfo2 m2 = mallinfo2();
    mpt_stats(&s2);

    /* uordblks is the bytes handed out: small live bytes plus large spans
     * (so 32 blocks of 1 MiB add exactly 32 MiB), and all of it comes back. */
    CU_ASSERT_EQUAL(m0.uordblks, s0.small_live_bytes + s0.large_bytes);
    CU_ASSERT_EQUAL(m1.uordblks, s1.small_live_bytes + s1.large_bytes);
    CU_ASSERT_EQUAL(m1.uordblks - m0.uordblks, 32 * MPT_MIB);
    CU_ASSERT_EQUAL(m2.uordblks, m0.uordblks);
    /* arena is what the heap holds from the OS and has not released
     * (in_use + idle; preload/entry.c), which covers what is handed out;
     * fordblks is the rest of it, hblks/hblkhd the large objects. */
    CU_ASSERT_EQUAL(m1.arena, s1.in_use + s1.idle);
    CU_ASSERT_EQUAL(m2.arena, s2.in_use + s2.idle);
    CU_ASSERT(m1.arena >= m1.uordblks);
    CU_ASSERT_EQUAL(m1.fordblks, m1.arena - m1.uordblks);
    CU_ASSERT_EQUAL(m1.hblks, s1.large_objects);
    CU_ASSERT_EQUAL(m1.hblkhd, s1.large_bytes);
    CU_ASSERT_EQUAL(m1.hblks - m0.hblks, 32);
    /* mallinfo (int fields, deprecated but still called) agrees while the
     * figures fit. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    struct mallinfo old = mallinfo();
#pragma GCC diagnostic pop
    if (m2.uordblks < 0x7fffffff)
        CU_ASSERT_EQUAL((size_t)old.uordblks, m2.uordblks);
}

static void malloc_stats_prints_a_report_on_stderr(void)
{
    mpt_capture_t cap;
    static char out[65536];
    CU_ASSERT_EQUAL_FATAL(mpt_capture_begin(&cap), 0);
    malloc_stats();
    size_t n = mpt_capture_end(&cap, out, sizeof out);
    CU_ASSERT(n > 0);
    void *p = malloc(10);
    CU_ASSERT_PTR_NOT_NULL(p);
    free(p);
}

static void malloc_info_writes_an_xml_report(void)
{
    FILE *f = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    int rc = malloc_info(0, f);
    CU_ASSERT_EQUAL(rc, 0);
    fflush(f);
    long len = ftell(f);
    CU_ASSERT(len > 0);
    rewind(f);
    char head[16] = {0};
    CU_ASSERT(fread(head, 1, 7, f) == 7);
    CU_ASSERT_NSTRING_EQUAL(head, "<malloc", 7);
    fclose(f);
}

static void mallopt_accepts_the_standard_parameters(void)
{
    CU_ASSERT_EQUAL(mallopt(M_TRIM_THRESHOLD, 128 * 1024), 1);
    CU_ASSERT_EQUAL(mallopt(M_TOP_PAD, 0), 1);
    CU_ASSERT_EQUAL(mallopt(M_MMAP_THRESHOLD, 128 * 1024), 1);
    CU_ASSERT_EQUAL(mallopt(M_MMAP_MAX, 65536), 1);
    CU_ASSERT_EQUAL(mallopt(M_ARENA_MAX, 8), 1);
    CU_ASSERT_EQUAL(mallopt(M_ARENA_TEST, 8), 1);
    void *p = malloc(1000);
    CU_ASSERT_PTR_NOT_NULL(p);
    free(p);
}

void mp_test_register(void)
{
    MP_SUITE("stats_counters",
             MP_TEST(stats_describe_a_sane_heap_at_start),
             MP_TEST(usable_size_of_small_blocks_is_their_class_size),
             MP_TEST(class_counters_move_by_exactly_the_objects_allocated_and_freed),
             MP_TEST(every_entry_point_allocates_from_memprofs_heap),
             MP_TEST(realloc_moves_the_object_between_counters),
             MP_TEST(large_block_takes_one_span_of_whole_pages),
             MP_TEST(heap_identity_holds_through_a_mixed_workload));
    MP_SUITE("stats_release",
             MP_TEST(scavenger_releases_idle_pages_within_seconds),
             MP_TEST(release_free_gives_idle_pages_back_and_rss_drops),
             MP_TEST(malloc_trim_gives_idle_pages_back_and_rss_drops));
    MP_SUITE("stats_glibc_extras",
             MP_TEST(mallinfo2_reflects_the_heap_counters),
             MP_TEST(malloc_stats_prints_a_report_on_stderr),
             MP_TEST(malloc_info_writes_an_xml_report),
             MP_TEST(mallopt_accepts_the_standard_parameters));
}
