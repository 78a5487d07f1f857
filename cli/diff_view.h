/*
 * diff_view.h — the views of `memprof diff` (analyzer/diff.h): text for
 * people (diff_text.c), JSON for programs (diff_json.c, schema in
 * docs/report-json.md, "memprof diff --json"). cmd_diff.c chooses which;
 * these only print.
 */
#ifndef MP_CLI_DIFF_VIEW_H
#define MP_CLI_DIFF_VIEW_H

#include <stddef.h>
#include <stdio.h>

#include "diff.h"
#include "report.h"

typedef struct mp_diff_view {
    size_t top;    /* changed stacks shown; 0 all */
    size_t depth;  /* text: frames printed per stack; 0 all (JSON: always all) */
} mp_diff_view_t;

/* d was built from a and b. */
void mp_diff_text(FILE *out, const mp_diff_t *d, const mp_report_t *a, const mp_report_t *b,
                  const mp_diff_view_t *o);
/* One JSON object and a newline. */
void mp_diff_json(FILE *out, const mp_diff_t *d, const mp_report_t *a, const mp_report_t *b,
                  const mp_diff_view_t *o);

#endif
