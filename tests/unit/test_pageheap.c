/*
 * test_pageheap — the page heap and page map through their headers:
 * accounting identity, coalescing, alignment, the released bitmap, the
 * scavenger's release of idle pages (RSS really drops), and injected OS
 * failures leaving the heap consistent.
 */
#include "cunit_main.h"
#include "options.h"
#include "os.h"
#include "pageheap.h"
#include "pagemap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 8192u

static int setup(void)
{
    mp_options_defaults(&mp_options);
    return 0;
}

static void check_consistent(void)
{
    CU_ASSERT_EQUAL_FATAL(mp_pageheap_check(), 0);
}

static void every_page_of_a_span_maps_to_it(void)
{
    mp_span_t *s = mp_pageheap_alloc(37, 1, MP_SPAN_LARGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->npages, 37);
    CU_ASSERT_EQUAL(s->start % PAGE, 0);
    for (uintptr_t a = s->start; a < mp_span_end(s); a += 1000)
        CU_ASSERT_PTR_EQUAL(mp_pagemap_lookup(a), s);
    CU_ASSERT_EQUAL(mp_pagemap_info(s->start), 0); /* large pages carry no class */
    mp_pageheap_free(s);
    check_consistent();
}

static void accounting_identity_holds_through_random_churn(void)
{
    enum { N = 200 };
    mp_span_t *live[N] = {0};
    unsigned seed = 12345;
    for (int i = 0; i < 3000; i++) {
        int k = (int)(rand_r(&seed) % N);
        if (live[k]) {
            mp_pageheap_free(live[k]);
            live[k] = NULL;
        } else {
            uintptr_t n = 1 + (uintptr_t)(rand_r(&seed) % (rand_r(&seed) % 4 ? 16 : 300));
            live[k] = mp_pageheap_alloc(n, 1, MP_SPAN_LARGE);
            CU_ASSERT_PTR_NOT_NULL_FATAL(live[k]);
            CU_ASSERT_EQUAL(live[k]->npages, n);
        }
        if (i % 100 == 0)
            check_consistent();
    }
    mp_pageheap_stats_t st;
    for (int k = 0; k < N; k++)
        if (live[k])
            mp_pageheap_free(live[k]);
    check_consistent();
    mp_pageheap_stats(&st);
    CU_ASSERT_EQUAL(st.in_use, 0);
    CU_ASSERT_EQUAL(st.large_objects, 0);
    CU_ASSERT_EQUAL(st.mapped, st.idle + st.released);
    /* Everything merged back: one free span per contiguous run of arenas. */
    CU_ASSERT(st.free_spans <= st.mapped / (64u << 20));
}

static void aligned_spans_start_on_their_alignment(void)
{
    for (uintptr_t align = 1; align <= 256; align *= 2) {
        mp_span_t *pad = mp_pageheap_alloc(3, 1, MP_SPAN_LARGE); /* shift the free space */
        mp_span_t *s = mp_pageheap_alloc(5, align, MP_SPAN_LARGE);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(s->start % (align * PAGE), 0);
        CU_ASSERT_EQUAL(s->npages, 5);
        mp_pageheap_free(s);
        mp_pageheap_free(pad);
        check_consistent();
    }
}

static void fresh_and_released_pages_read_as_zero(void)
{
    mp_pageheap_scavenge(0);
    mp_span_t *s = mp_pageheap_alloc(64, 1, MP_SPAN_LARGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->zeroed, 1);
    uintptr_t start = s->start;
    memset((void *)start, 0xab, 64 * PAGE);
    mp_pageheap_free(s);
    s = mp_pageheap_alloc(64, 1, MP_SPAN_LARGE); /* same pages, still resident */
    CU_ASSERT_EQUAL(s->start, start);
    CU_ASSERT_EQUAL(s->zeroed, 0);
    mp_pageheap_free(s);
    mp_pageheap_scavenge(0);
    s = mp_pageheap_alloc(64, 1, MP_SPAN_LARGE);
    CU_ASSERT_EQUAL(s->start, start);
    CU_ASSERT_EQUAL(s->zeroed, 1);
    const unsigned char *b = (const unsigned char *)s->start;
    int zero = 1;
    for (size_t i = 0; i < 64 * PAGE; i++)
        zero &= b[i] == 0;
    CU_ASSERT(zero);
    mp_pageheap_free(s);
    check_consistent();
}

static void scavenging_returns_idle_pages_and_rss_drops(void)
{
    const uintptr_t n = (32u << 20) / PAGE;
    mp_pageheap_scavenge(0);
    mp_span_t *s = mp_pageheap_alloc(n, 1, MP_SPAN_LARGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    memset((void *)s->start, 1, n * PAGE);
    uint64_t rss_full = mp_os_rss_bytes();
    mp_pageheap_stats_t a, b;
    mp_pageheap_stats(&a);
    mp_pageheap_free(s);
    /* Not idle long enough for a 10 s delay: nothing released. */
    CU_ASSERT_EQUAL(mp_pageheap_scavenge(10ull * 1000000000u), 0);
    uint64_t got = mp_pageheap_scavenge(0);
    mp_pageheap_stats(&b);
    CU_ASSERT(got >= n * PAGE);
    CU_ASSERT(b.released >= a.released + n * PAGE);
    CU_ASSERT(b.released_total >= a.released_total + n * PAGE);
    uint64_t rss_after = mp_os_rss_bytes();
    CU_ASSERT(rss_full - rss_after >= (n * PAGE) * 9 / 10);
    check_consistent();
}

static void scavenger_waits_for_the_delay(void)
{
    mp_pageheap_scavenge(0);
    mp_span_t *s = mp_pageheap_alloc(16, 1, MP_SPAN_LARGE);
    memset((void *)s->start, 1, 16 * PAGE);
    mp_pageheap_free(s);
    uint64_t delay = 50u * 1000000u;
    CU_ASSERT_EQUAL(mp_pageheap_scavenge(delay), 0);
    struct timespec ts = {0, 80 * 1000000};
    nanosleep(&ts, NULL);
    CU_ASSERT(mp_pageheap_scavenge(delay) >= 16 * PAGE);
    check_consistent();
}

static void failed_madvise_leaves_pages_idle_and_counted(void)
{
    mp_pageheap_scavenge(0);
    mp_span_t *s = mp_pageheap_alloc(8, 1, MP_SPAN_LARGE);
    memset((void *)s->start, 1, 8 * PAGE);
    mp_pageheap_free(s);
    mp_pageheap_stats_t a, b;
    mp_pageheap_stats(&a);
    mp_os_fault_after(MP_OS_FAULT_RELEASE, 1);
    mp_pageheap_scavenge(0);
    mp_pageheap_stats(&b);
    CU_ASSERT_EQUAL(b.idle, a.idle);
    check_consistent();
    CU_ASSERT(mp_pageheap_scavenge(0) >= 8 * PAGE); /* works again */
    check_consistent();
}

static void refused_mmap_gives_null_and_a_usable_heap(void)
{
    mp_pageheap_stats_t st;
    mp_pageheap_stats(&st);
    uintptr_t huge = st.mapped / PAGE + 1; /* cannot fit: forces a new arena */
    mp_os_fault_after(MP_OS_FAULT_RESERVE, 1);
    CU_ASSERT_PTR_NULL(mp_pageheap_alloc(huge, 1, MP_SPAN_LARGE));
    check_consistent();
    mp_span_t *s = mp_pageheap_alloc(huge, 1, MP_SPAN_LARGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    mp_pageheap_free(s);
    check_consistent();
}

void mp_test_register(void)
{
    CU_pSuite su = CU_add_suite("pageheap", setup, NULL);
    CU_add_test(su, "every_page_of_a_span_maps_to_it", every_page_of_a_span_maps_to_it);
    CU_add_test(su, "accounting_identity_holds_through_random_churn",
                accounting_identity_holds_through_random_churn);
    CU_add_test(su, "aligned_spans_start_on_their_alignment", aligned_spans_start_on_their_alignment);
    CU_add_test(su, "fresh_and_released_pages_read_as_zero", fresh_and_released_pages_read_as_zero);
    CU_add_test(su, "scavenging_returns_idle_pages_and_rss_drops",
                scavenging_returns_idle_pages_and_rss_drops);
    CU_add_test(su, "scavenger_waits_for_the_delay", scavenger_waits_for_the_delay);
    CU_add_test(su, "failed_madvise_leaves_pages_idle_and_counted",
                failed_madvise_leaves_pages_idle_and_counted);
    CU_add_test(su, "refused_mmap_gives_null_and_a_usable_heap",
                refused_mmap_gives_null_and_a_usable_heap);
}
