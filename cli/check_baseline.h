/*
 * check_baseline.h — `memprof check --baseline OLD.mpz [--tolerance=T]`:
 * comparing a run with an earlier one (docs/ci.md, "Baselines").
 *
 * Stacks of the two runs are matched by what the symbolizer says of their
 * frames (function and source file names), not by addresses, which change
 * with every build and every run (ASLR), and within the same program
 * (executable name), so a child's stack is compared with the child's.
 * The check fails when
 *   - a stack leaks more bytes than in the baseline beyond the tolerance
 *     (a stack absent from the baseline had 0 bytes there), or
 *   - a program's peak heap (the highest live requested bytes, the largest
 *     when it ran several times) grew beyond the tolerance over the same
 *     program's in the baseline.
 * Suppressed leaks are not compared. Every log of the baseline's run is
 * read (OLD.mpz and its children's OLD.mpz.<pid>, check_run.h).
 */
#ifndef MP_CLI_CHECK_BASELINE_H
#define MP_CLI_CHECK_BASELINE_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"

struct mp_check_leak;
struct mp_check_result;

/* A stack's identity across runs and builds: a 64-bit FNV-1a hash over
 * each frame's function name and source file name (the last path
 * component: checkouts live in different directories), or its module's
 * file name when it has no function. Line numbers are left out, so an
 * edit elsewhere in the file keeps the identity. 0 for no stack. */
uint64_t mp_check_stack_key(const mp_report_stack_t *s);

/* --tolerance: how much a figure may grow over the baseline's. */
typedef struct mp_check_tolerance {
    int percent;      /* 1: relative (value), 0: absolute (bytes) */
    double value;     /* percent of the baseline's figure */
    uint64_t bytes;   /* bytes */
    char text[32];    /* as given, for messages */
} mp_check_tolerance_t;

/* Parses "5%", "2.5%", "0" or a size ("64k", "1m", "100": bytes, k/m/g
 * powers of 1024). Returns 0, or -1 if text is none of these. */
int mp_check_tolerance_parse(const char *text, mp_check_tolerance_t *t);

/* 1 if after is more than before plus the tolerance. */
int mp_check_tolerance_exceeded(const mp_check_tolerance_t *t, uint64_t before, uint64_t after);

/* A program's peak heap in both runs. */
typedef struct mp_check_peak {
    const char *exe;                /* the program (this run's name for it) */
    uint64_t before, after;         /* bytes */
    int grew;                       /* beyond the tolerance */
    const mp_report_stack_t *stack; /* the stack holding most at this run's
                                       peak, or NULL */
} mp_check_peak_t;

/* A stack that leaks more than in the baseline, beyond the tolerance. */
typedef struct mp_check_growth {
    uint64_t key;                      /* program and stack (see above) */
    const struct mp_check_leak *leak;  /* its largest leak in this run */
    uint64_t before, after;            /* bytes leaked by the stack, summed
                                          over the program's processes */
} mp_check_growth_t;

typedef struct mp_check_baseline {
    char *log;                /* the baseline's main log */
    mp_check_tolerance_t tol;
    mp_check_peak_t *peaks;   /* the programs found in both runs */
    size_t npeaks, peaks_grew;
    mp_check_growth_t *grown; /* largest growth first */
    size_t ngrown;
} mp_check_baseline_t;

/* Reads the baseline run of log and compares r (its leaks and processes
 * filled, suppressions applied) with it. Returns 0 with *out set; or 1
 * (out of memory) or 2 (the baseline cannot be read), a message printed. */
int mp_check_baseline_compare(const char *log, const mp_check_tolerance_t *tol,
                              const mp_report_options_t *o, const struct mp_check_result *r,
                              mp_check_baseline_t **out);

void mp_check_baseline_free(mp_check_baseline_t *b);

/* 1 if a stack or a peak grew beyond the tolerance. */
int mp_check_baseline_failed(const mp_check_baseline_t *b);

/* The growth l is part of (its program and stack grew), or NULL. */
const mp_check_growth_t *mp_check_baseline_growth(const mp_check_baseline_t *b,
                                                  const struct mp_check_leak *l);

/* A change as "+100 bytes, +50.0%" ("+100 bytes, new" from 0). */
void mp_check_baseline_put_delta(FILE *out, uint64_t before, uint64_t after);

/* The comparison for people: the peaks and the stacks that grew. */
void mp_check_baseline_text(FILE *out, const mp_check_baseline_t *b);

/* The comparison as the value of --json's "baseline" key. */
void mp_check_baseline_json(FILE *out, const mp_check_baseline_t *b);

#endif
