/*
 * test_diff.c — `memprof diff`'s model (analyzer/diff.h) and its JSON view
 * (cli/diff_view.h) on two synthetic logs (test_replay_util.h) with known
 * figures: stacks with equal frames summed within a log and matched across
 * logs, a stack new in B, one unchanged, the order by each metric
 * (growth first, shrinkage last), the totals, and the JSON's exact numbers.
 * The frames are in no module, so each is named by its address, which the
 * two logs share on purpose; tests/integration/diff/ matches real programs
 * by function across runs that load at other addresses.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "diff.h"
#include "diff_view.h"
#include "report.h"
#include "test_replay_util.h"

static const uint64_t k1[] = { 0x10, 0x20 }, k2[] = { 0x30, 0x20 }, k5[] = { 0x50 },
                      k6[] = { 0x60 };

/* A: K6 8 leaked; K1 100 + 50 leaked by two stacks (1 and 4); K2 200 freed.
 * Peak 358 after K2's block. */
static const char *log_a(void)
{
    lb_t *b = lb_open("diff_a", MP_MODE_FULL);

    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, k1);
    lb_stack(b, 2, 2, k2);
    lb_stack(b, 4, 2, k1);
    lb_stack(b, 6, 1, k6);
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 8, 6);
    lb_alloc(b, 11, 0x2000, 100, 1);
    lb_alloc(b, 12, 0x3000, 50, 4);
    lb_alloc(b, 13, 0x4000, 200, 2);
    lb_free(b, 14, 0x4000);
    lb_end(b, 20);
    return lb_close(b);
}

/* B: K6 8 leaked; K1 300 leaked; K2 100 freed; K5 10 leaked after the
 * peak (408, after K2's block). Stack ids differ from A's on purpose. */
static const char *log_b(void)
{
    lb_t *b = lb_open("diff_b", MP_MODE_FULL);

    lb_thread(b, 1, "main");
    lb_stack(b, 11, 2, k1);
    lb_stack(b, 12, 2, k2);
    lb_stack(b, 15, 1, k5);
    lb_stack(b, 16, 1, k6);
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 8, 16);
    lb_alloc(b, 11, 0x2000, 300, 11);
    lb_alloc(b, 12, 0x4000, 100, 12);
    lb_free(b, 13, 0x4000);
    lb_alloc(b, 14, 0x5000, 10, 15);
    lb_end(b, 20);
    return lb_close(b);
}

static mp_report_t *rep_a, *rep_b;

static int setup(void)
{
    mp_report_options_t o = { .top = 0 };

    return mp_report_build(log_a(), &o, &rep_a, NULL) != 0 ||
           mp_report_build(log_b(), &o, &rep_b, NULL) != 0;
}

/* The row whose innermost frame is at address pc (its name, "0x..."). */
static uint64_t leaf(const mp_diff_row_t *r)
{
    return r->nframes ? r->frames[0].pc + 1 : 0; /* pc: one less than the return address */
}

static void check_row(const mp_diff_row_t *r, uint64_t pc, const int64_t change[4],
                      size_t a_stacks, size_t b_stacks)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(leaf(r), pc);
    for (int m = 0; m < MP_DIFF_NMETRICS; m++) {
        CU_ASSERT_EQUAL(r->change[m], change[m]);
        CU_ASSERT_EQUAL((int64_t)(r->b[m] - r->a[m]), change[m]);
    }
    CU_ASSERT_EQUAL(r->a_stacks, a_stacks);
    CU_ASSERT_EQUAL(r->b_stacks, b_stacks);
}

static void stacks_match_by_frames_and_sort_by_peak_growth(void)
{
    mp_diff_t *d;
    const mp_diff_totals_t *t;

    CU_ASSERT_EQUAL_FATAL(mp_diff_build(rep_a, rep_b, MP_DIFF_PEAK, &d), 0);
    CU_ASSERT_EQUAL_FATAL(mp_diff_count(d), 3);
    CU_ASSERT_EQUAL(mp_diff_unchanged(d), 1); /* K6 */
    /* peak, leaked, allocated, allocations */
    check_row(mp_diff_row(d, 0), 0x10, (const int64_t[]){ 150, 150, 150, -1 }, 2, 1);
    CU_ASSERT_EQUAL(mp_diff_row(d, 0)->a[MP_DIFF_LEAKED], 150); /* stacks 1 and 4 summed */
    check_row(mp_diff_row(d, 1), 0x50, (const int64_t[]){ 0, 10, 10, 1 }, 0, 1);
    check_row(mp_diff_row(d, 2), 0x30, (const int64_t[]){ -100, 0, -100, 0 }, 1, 1);
    CU_ASSERT_PTR_NULL(mp_diff_row(d, 3));

    t = mp_diff_totals(d);
    CU_ASSERT_EQUAL(t->a[MP_DIFF_PEAK], 358);
    CU_ASSERT_EQUAL(t->b[MP_DIFF_PEAK], 408);
    CU_ASSERT_EQUAL(t->change[MP_DIFF_PEAK], 50);
    CU_ASSERT_EQUAL(t->a[MP_DIFF_LEAKED], 158);
    CU_ASSERT_EQUAL(t->b[MP_DIFF_LEAKED], 318);
    CU_ASSERT_EQUAL(t->a[MP_DIFF_ALLOCATED], 358);
    CU_ASSERT_EQUAL(t->b[MP_DIFF_ALLOCATED], 418);
    CU_ASSERT_EQUAL(t->change[MP_DIFF_ALLOCATIONS], 0);
    mp_diff_free(d);
}

static void sort_by_leaked_and_by_allocations(void)
{
    mp_diff_t *d;

    CU_ASSERT_EQUAL_FATAL(mp_diff_build(rep_a, rep_b, MP_DIFF_LEAKED, &d), 0);
    CU_ASSERT_EQUAL(leaf(mp_diff_row(d, 0)), 0x10); /* +150 */
    CU_ASSERT_EQUAL(leaf(mp_diff_row(d, 1)), 0x50); /* +10 */
    CU_ASSERT_EQUAL(leaf(mp_diff_row(d, 2)), 0x30); /* 0, then peak -100 */
    mp_diff_free(d);
    CU_ASSERT_EQUAL_FATAL(mp_diff_build(rep_a, rep_b, MP_DIFF_ALLOCATIONS, &d), 0);
    CU_ASSERT_EQUAL(leaf(mp_diff_row(d, 0)), 0x50); /* +1 */
    CU_ASSERT_EQUAL(leaf(mp_diff_row(d, 1)), 0x30); /* 0 */
    CU_ASSERT_EQUAL(leaf(mp_diff_row(d, 2)), 0x10); /* -1 */
    mp_diff_free(d);
}

static void swapped_logs_negate_every_change(void)
{
    mp_diff_t *d;

    CU_ASSERT_EQUAL_FATAL(mp_diff_build(rep_b, rep_a, MP_DIFF_PEAK, &d), 0);
    CU_ASSERT_EQUAL_FATAL(mp_diff_count(d), 3);
    check_row(mp_diff_row(d, 0), 0x30, (const int64_t[]){ 100, 0, 100, 0 }, 1, 1);
    check_row(mp_diff_row(d, 1), 0x50, (const int64_t[]){ 0, -10, -10, -1 }, 1, 0);
    check_row(mp_diff_row(d, 2), 0x10, (const int64_t[]){ -150, -150, -150, 1 }, 1, 2);
    mp_diff_free(d);
}

static void json_has_exact_signed_numbers(void)
{
    mp_diff_view_t v = { .top = 2, .depth = 0 };
    mp_diff_t *d;
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    CU_ASSERT_EQUAL_FATAL(mp_diff_build(rep_b, rep_a, MP_DIFF_PEAK, &d), 0);
    mp_diff_json(f, d, rep_b, rep_a, &v);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"format\": \"memprof-diff\",\n  \"version\": 1,\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"peak_bytes\": {\"a\": 408, \"b\": 358, \"change\": -50},"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"stacks_changed\": 3,\n    \"stacks_unchanged\": 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"leaked_bytes\": {\"a\": 10, \"b\": 0, \"change\": -10},"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\"a_stacks\": 1,\n      \"b_stacks\": 0,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "{\"function\": \"0x4f\", \"file\": null, \"line\": null}"));
    CU_ASSERT_PTR_NULL(strstr(s, "\"0xf\"")); /* --top 2: K1's row is cut */
    free(s);
    mp_diff_free(d);
}

static void metric_names_parse_back(void)
{
    mp_diff_metric_t m;

    for (int i = 0; i < MP_DIFF_NMETRICS; i++) {
        CU_ASSERT_EQUAL(mp_diff_metric_parse(mp_diff_metric_name((mp_diff_metric_t)i), &m), 0);
        CU_ASSERT_EQUAL(m, (mp_diff_metric_t)i);
    }
    CU_ASSERT_EQUAL(mp_diff_metric_parse("bogus", &m), -1);
}

void mp_test_register(void)
{
    CU_TestInfo tests[] = {
        MP_TEST(stacks_match_by_frames_and_sort_by_peak_growth),
        MP_TEST(sort_by_leaked_and_by_allocations),
        MP_TEST(swapped_logs_negate_every_change),
        MP_TEST(json_has_exact_signed_numbers),
        MP_TEST(metric_names_parse_back),
        CU_TEST_INFO_NULL,
    };
    CU_SuiteInfo suites[] = { { "diff", setup, NULL, NULL, NULL, tests }, CU_SUITE_INFO_NULL };

    CU_register_suites(suites);
}
