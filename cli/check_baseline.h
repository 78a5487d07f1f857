/*
 * check_baseline.h — `memprof check --baseline OLD.mpz`: comparing a run
 * with an earlier one. Stacks of the two logs are matched by what the
 * symbolizer says of their frames, not by addresses, which change with
 * every build and every run (ASLR).
 */
#ifndef MP_CLI_CHECK_BASELINE_H
#define MP_CLI_CHECK_BASELINE_H

#include <stdint.h>

#include "report.h"

/* A stack's identity across runs and builds: a 64-bit FNV-1a hash over
 * each frame's function name and source file name (the last path
 * component: checkouts live in different directories), or its module's
 * file name when it has no function. Line numbers are left out, so an
 * edit elsewhere in the file keeps the identity. 0 for no stack. */
uint64_t mp_check_stack_key(const mp_report_stack_t *s);

#endif
