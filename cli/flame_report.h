/*
 * flame_report.h — what `memprof flamegraph` draws, from the report model
 * (analyzer/report.h): the metric a flame graph measures, and the frame
 * tree (flame_tree.h) of every stack that has some of it.
 *
 * The report must have been built with top = 0, so that each ranked list
 * holds, symbolized, every stack that qualifies for it. A stack's frames,
 * root first, are its symbolized frames reversed: each return address's
 * inline chain (the inlined functions are frames of their own), memprof's
 * shim frames left out (report.h). A frame is named by its function; with
 * none, by its module's file name and the offset in it ("libfoo.so+0x1a2b");
 * in no module, by its address ("0x7f12..."). A stack with no frame (stack
 * 0: an allocation recorded without one) is the single frame "[no stack]".
 */
#ifndef MP_CLI_FLAME_REPORT_H
#define MP_CLI_FLAME_REPORT_H

#include "flame_tree.h"
#include "report.h"

typedef enum mp_flame_metric {
    MP_FLAME_PEAK,        /* bytes live at the global peak (the default) */
    MP_FLAME_LEAKED,      /* bytes live at the end */
    MP_FLAME_ALLOCATED,   /* bytes allocated over the run */
    MP_FLAME_ALLOCATIONS, /* allocations made (sampled mode: estimated) */
    MP_FLAME_TEMPORARY,   /* temporary allocations (docs/analysis.md) */
} mp_flame_metric_t;

/* "peak", "leaked", "allocated", "allocations", "temporary": 0 with *out
 * set, or -1. */
int mp_flame_metric_parse(const char *s, mp_flame_metric_t *out);
/* What a value is, for people: "bytes live at the peak", ... */
const char *mp_flame_metric_title(mp_flame_metric_t m);
/* 1 if values are bytes, 0 if counts. */
int mp_flame_metric_is_bytes(mp_flame_metric_t m);
/* What a node's count counts: "blocks", "allocations", ... */
const char *mp_flame_metric_count_name(mp_flame_metric_t m);

/* Builds and finishes the tree of rep for metric m. 0 with *out set, or -1
 * out of memory. */
int mp_flame_from_report(const mp_report_t *rep, mp_flame_metric_t m, mp_flame_tree_t **out);

/* The tree of a diff: b's stacks (the later run: the widths) with a's as
 * its base (flame_tree.h), matched by their frames' names as above, so
 * the same call path in two runs of a program is one node whatever the
 * addresses. a NULL: as mp_flame_from_report(b). 0 with *out set, or -1
 * out of memory. */
int mp_flame_diff_from_reports(const mp_report_t *a, const mp_report_t *b, mp_flame_metric_t m,
                               mp_flame_tree_t **out);

#endif
