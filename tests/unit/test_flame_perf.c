/*
 * test_flame_perf.c — `memprof flamegraph` at scale: a synthetic log with
 * 10^5 distinct stacks (test_replay_util.c's builder, through the real
 * encoder), read into the report model with every stack symbolized, as
 * cmd_flamegraph.c does, then turned into a frame tree and an SVG.
 *
 * The stacks: 12 frames each, the outer ones shared widely (3, 10, 100,
 * 1000 distinct values...), the innermost unique, so the tree has the
 * shape of a real program's (a few roots, a wide fan-out near the leaves).
 * No module is mapped: the frames are named by address, which costs the
 * symbolizer nothing to look up but is what a stripped binary gives.
 *
 * Asserted: the SVG under 5 MB (about 290 KB: thin frames are merged, so
 * its size does not grow with the number of stacks), the tree's counts and
 * one folded line per stack. The times are printed, not asserted: on a
 * shared machine a timed test fails on load, not on code (speed is the
 * benchmarks' job; tree plus SVG took about 0.25 s here for 226,665 tree
 * nodes, the report model before it about 0.5 s).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cunit_main.h"
#include "flame_folded.h"
#include "flame_report.h"
#include "flame_svg.h"
#include "report.h"
#include "test_replay_util.h"

#define NSTACKS 100000
#define DEPTH 12

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *write_log(void)
{
    static const uint64_t fan[DEPTH] = { 1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000,
                                         60000, NSTACKS };
    lb_t *b = lb_open("flame_perf", MP_MODE_FULL);
    uint64_t frames[DEPTH];

    lb_thread(b, 1, "main");
    for (uint64_t i = 0; i < NSTACKS; i++) {
        for (int d = 0; d < DEPTH; d++) /* innermost first: frames[0] is the leaf */
            frames[DEPTH - 1 - d] = 0x400000 + (uint64_t)d * 0x1000000 + (i % fan[d]) * 16;
        lb_stack(b, i + 1, DEPTH, frames);
    }
    lb_batch(b, 1);
    for (uint64_t i = 0; i < NSTACKS; i++)
        lb_alloc(b, 10 + i, 0x10000000 + i * 64, 16 + (i % 97) * 8, i + 1);
    lb_end(b, 10 + NSTACKS);
    return lb_close(b);
}

static void hundred_thousand_stacks_render_fast_and_small(void)
{
    const char *path = write_log();
    mp_report_options_t o = { .top = 0 };
    mp_report_t *rep;
    mp_log_error_t err;
    mp_flame_tree_t *t;
    mp_flame_svg_t so = { .title = "perf", .metric = "bytes allocated", .values_are_bytes = 1,
                          .count_name = "allocations" };
    char *svg = NULL, *fold = NULL;
    size_t svg_len = 0, fold_len = 0;
    FILE *f;
    double t0, t1, t2, t3;

    t0 = now();
    CU_ASSERT_EQUAL_FATAL(mp_report_build(path, &o, &rep, &err), 0);
    t1 = now();
    CU_ASSERT_EQUAL_FATAL(mp_flame_from_report(rep, MP_FLAME_ALLOCATED, &t), 0);
    f = open_memstream(&svg, &svg_len);
    CU_ASSERT_EQUAL(mp_flame_svg_render(f, t, &so), 0);
    fclose(f);
    t2 = now();
    f = open_memstream(&fold, &fold_len);
    CU_ASSERT_EQUAL(mp_flame_write_folded(f, t), 0);
    fclose(f);
    t3 = now();

    printf("\n  %d stacks: report model %.3f s; tree + SVG %.3f s, SVG %zu bytes; "
           "folded %.3f s, %zu bytes; %zu tree nodes\n",
           NSTACKS, t1 - t0, t2 - t1, svg_len, t3 - t2, fold_len, mp_flame_tree_count(t));
    CU_ASSERT(svg_len < 5u * 1000 * 1000);
    CU_ASSERT(mp_flame_tree_node(t, 0)->count == NSTACKS);
    /* Every stack distinct: one folded line each. */
    {
        size_t lines = 0;

        for (size_t i = 0; i < fold_len; i++)
            lines += fold[i] == '\n';
        CU_ASSERT_EQUAL(lines, NSTACKS);
    }
    free(svg);
    free(fold);
    mp_flame_tree_free(t);
    mp_report_free(rep);
}

void mp_test_register(void)
{
    MP_SUITE("flame_perf", MP_TEST(hundred_thousand_stacks_render_fast_and_small));
}
