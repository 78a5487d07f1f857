/*
 * test_report.h — what the test_report suites share.
 */
#ifndef MP_TEST_REPORT_H
#define MP_TEST_REPORT_H

#include "report.h"
#include "report_view.h"

/* Builds the report of path with `top` entries per list, asserting success;
 * NULL (after a failed assertion) if it failed. */
mp_report_t *report_ok(const char *path, size_t top);

/* The report as text (json 0) or JSON, frames cut at depth in text; a
 * malloc'd string. */
char *render(const mp_report_t *rep, int json, size_t depth);

void t_register_report_damage(void); /* test_report_damage.c */

#endif
