/*
 * test_hollow — the hollow-block scan (preload/record/hollow.h) on large
 * spans of the page heap: untouched pages, zero pages and pages of data are
 * told apart exactly, small blocks are left out, and nothing is made
 * resident by the scan.
 */
#include "cunit_main.h"
#include "hollow.h"
#include "options.h"
#include "os.h"
#include "pageheap.h"

#include <string.h>

#define PAGE4K 4096u

typedef struct {
    mp_hollow_block_t b[16];
    unsigned n;
} seen_t;

static void collect(void *arg, const mp_rec_hollow_t *r)
{
    seen_t *s = arg;
    CU_ASSERT_EQUAL(r->page_size, PAGE4K);
    CU_ASSERT_EQUAL(r->reason, MP_HOLLOW_REQUESTED);
    for (uint32_t i = 0; i < r->n && s->n < 16; i++)
        s->b[s->n++] = r->blocks[i];
}

static const mp_hollow_block_t *find(const seen_t *s, uintptr_t addr)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->b[i].addr == addr)
            return &s->b[i];
    return NULL;
}

static void tells_untouched_zero_and_data_pages_apart(void)
{
    mp_options_defaults(&mp_options);
    mp_pageheap_scavenge(0); /* everything free is released: fresh pages */
    mp_span_t *a = mp_pageheap_alloc(128, 1, MP_SPAN_LARGE); /* 1 MiB */
    mp_span_t *b = mp_pageheap_alloc(64, 1, MP_SPAN_LARGE);  /* 512 KiB */
    mp_span_t *tiny = mp_pageheap_alloc(2, 1, MP_SPAN_LARGE); /* 16 KiB: below min */
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tiny);
    /* a: first 64 pages of 4 KiB written with zeros, the next 32 with data,
     * the last 160 never touched. b: every page data but one zero page. */
    memset((void *)a->start, 0, 64 * PAGE4K);
    memset((void *)(a->start + 64 * PAGE4K), 7, 32 * PAGE4K);
    memset((void *)b->start, 1, 64 * 8192);
    memset((void *)(b->start + 5 * PAGE4K), 0, PAGE4K);
    uint64_t rss = mp_os_rss_bytes();
    seen_t s = {0};
    mp_hollow_scan(64 * 1024, MP_HOLLOW_REQUESTED, 42, collect, &s);
    const mp_hollow_block_t *ha = find(&s, a->start), *hb = find(&s, b->start);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ha);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hb);
    CU_ASSERT_PTR_NULL(find(&s, tiny->start));
    CU_ASSERT_EQUAL(ha->size, 128 * 8192);
    CU_ASSERT_EQUAL(ha->zero_pages, 64);
    CU_ASSERT_EQUAL(ha->untouched_pages, 256 - 64 - 32);
    CU_ASSERT_EQUAL(hb->zero_pages, 1);
    CU_ASSERT_EQUAL(hb->untouched_pages, 0);
    /* The scan read no untouched page: RSS did not grow by them (160
     * pages, 640 KiB; allow some slack for the test's own pages). */
    CU_ASSERT(mp_os_rss_bytes() < rss + 256 * 1024);
    mp_pageheap_free(a);
    mp_pageheap_free(b);
    mp_pageheap_free(tiny);
}

void mp_test_register(void)
{
    MP_SUITE("hollow", MP_TEST(tells_untouched_zero_and_data_pages_apart));
}
