/*
 * diff.h — the model behind `memprof diff A B`: what changed, stack by
 * stack, between two logs' reports (report.h) — usually two runs of one
 * program, before and after a change.
 *
 *     mp_diff_t *d;
 *     if (mp_diff_build(rep_a, rep_b, MP_DIFF_PEAK, &d) != 0) ... out of memory
 *     mp_diff_totals(d)             each log's totals
 *     mp_diff_row(d, i)             changed stacks, largest growth first
 *     mp_diff_free(d);
 *
 * Matching: the two runs may load the program and its libraries at other
 * addresses, and a rebuilt program has other line numbers, so a stack is
 * identified by its symbolized frames' functions and files, innermost
 * first (a frame without a function by its name as the report gives it,
 * "libfoo.so+0x1a2b"). The stacks of one log with the same functions and
 * files (a function calling malloc from two lines) are summed into one.
 * Both reports must have been built with top = 0, so that their allocation
 * lists hold every stack that allocated, symbolized.
 *
 * Figures per stack and log, as the report has them (docs/report-json.md):
 * bytes live at the log's own global peak, bytes leaked (live at the end),
 * bytes allocated and allocations (sampled logs: estimates, rounded per
 * stack). The totals are the logs' own (the peak is the global peak, the
 * sum of the stacks' peak figures).
 *
 * A row's frames point into one of the reports (B's when the stack is in
 * B): both must outlive the diff. Not thread-safe.
 */
#ifndef MP_DIFF_H
#define MP_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

typedef enum mp_diff_metric {
    MP_DIFF_PEAK,        /* bytes live at the global peak */
    MP_DIFF_LEAKED,      /* bytes live at the end */
    MP_DIFF_ALLOCATED,   /* bytes allocated over the run */
    MP_DIFF_ALLOCATIONS, /* allocations made */
    MP_DIFF_NMETRICS
} mp_diff_metric_t;

typedef struct mp_diff_row {
    uint64_t a[MP_DIFF_NMETRICS];      /* the figures in A, by metric */
    uint64_t b[MP_DIFF_NMETRICS];      /* in B */
    int64_t change[MP_DIFF_NMETRICS];  /* b - a */
    size_t a_stacks, b_stacks;         /* the logs' stacks summed here; 0: not in that log */
    size_t nframes;
    const mp_frame_t *frames;          /* innermost first; NULL, 0: no stack */
} mp_diff_row_t;

typedef struct mp_diff_totals {
    uint64_t a[MP_DIFF_NMETRICS], b[MP_DIFF_NMETRICS];
    int64_t change[MP_DIFF_NMETRICS];
} mp_diff_totals_t;

typedef struct mp_diff mp_diff_t;

/* Matches a's stacks with b's and sorts the ones that changed by change in
 * `sort`, largest growth first (shrinkage last), ties by the other
 * metrics' changes in enum order, then by the stacks' functions.
 * 0 with *out set, or MP_ELOG_NOMEM. */
int mp_diff_build(const mp_report_t *a, const mp_report_t *b, mp_diff_metric_t sort,
                  mp_diff_t **out);
/* NULL is fine. */
void mp_diff_free(mp_diff_t *d);

/* "peak", "leaked", "allocated", "allocations": 0 with *out set, or -1. */
int mp_diff_metric_parse(const char *s, mp_diff_metric_t *out);
const char *mp_diff_metric_name(mp_diff_metric_t m);

/* Stacks with some change, and how many matched with none. */
size_t mp_diff_count(const mp_diff_t *d);
const mp_diff_row_t *mp_diff_row(const mp_diff_t *d, size_t i);
size_t mp_diff_unchanged(const mp_diff_t *d);
mp_diff_metric_t mp_diff_sort(const mp_diff_t *d);
const mp_diff_totals_t *mp_diff_totals(const mp_diff_t *d);

#endif
