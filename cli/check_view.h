/*
 * check_view.h — what `memprof check` concluded, and its three views: a
 * text summary for people (check_view.c), JSON for programs (check_view.c)
 * and JUnit XML for CI systems (check_junit.c). cmd_check.c fills the
 * result; these only print it.
 */
#ifndef MP_CLI_CHECK_VIEW_H
#define MP_CLI_CHECK_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include "check_baseline.h"
#include "check_run.h"
#include "check_kinds.h"
#include "check_suppress.h"
#include "report.h"

/* One stack with blocks live at the end. */
typedef struct mp_check_leak {
    const mp_check_proc_t *proc;    /* the process that leaked it */
    size_t order;                   /* its rank in the run, for stable sorts */
    const mp_report_stack_t *stack; /* symbolized, innermost first */
    uint64_t bytes, blocks;         /* leaked at exit, of the kinds counted
                                       (every kind when its log has none) */
    uint64_t kind_bytes[MP_LEAK_KINDS], kind_blocks[MP_LEAK_KINDS];
                                    /* by kind, index MP_LEAK_*, counted or
                                       not; index 0: no kinds in its log */
    const mp_supp_rule_t *rule;     /* the rule that suppressed it, or NULL */
} mp_check_leak_t;

typedef enum mp_check_verdict {
    MP_CHECK_CLEAN,          /* no leak beyond the thresholds */
    MP_CHECK_LEAKS,          /* leaks beyond the thresholds */
    MP_CHECK_PROGRAM_FAILED, /* the program exited non-zero or was killed
                                (leaks, if any, are still listed) */
    MP_CHECK_REGRESSION,     /* within the thresholds, but grew beyond the
                                baseline (check_baseline.h) */
} mp_check_verdict_t;

typedef struct mp_check_result {
    const char *log;                /* the log checked (may be removed since) */
    const char *command;            /* the program as run; NULL for a LOG */
    int program_status;             /* its exit status, -1 if none (LOG, signal) */
    int program_signal;             /* the signal that killed it, or 0 */
    const mp_check_leak_t *leaks;   /* every leaking stack, largest first */
    size_t nleaks;
    const mp_check_proc_t *procs;   /* every process of the run, main first */
    size_t nprocs;
    uint64_t bytes, blocks;         /* leaked, not suppressed, all processes */
    size_t stacks;                  /* stacks leaking, not suppressed */
    uint64_t supp_bytes, supp_blocks; /* suppressed */
    size_t supp_stacks;
    uint64_t max_leaked;            /* --max-leaked, bytes; UINT64_MAX: none
                                       (--baseline without --max-leaked) */
    uint64_t max_blocks;            /* --max-leaked-blocks; UINT64_MAX: none */
    mp_check_verdict_t verdict;
    int exit_status;                /* what memprof check exits with */
    int partial;                    /* the log was cut short */
    const mp_check_baseline_t *baseline; /* --baseline's comparison, or NULL */
    /* Leak kinds (check_kinds.h): have_kinds when a log of the run has the
     * leak scan; no_kinds, when one has not, says why (its blocks all
     * count). */
    int have_kinds;
    const char *no_kinds;
    unsigned kinds;                 /* the kinds counted, MP_CHECK_KIND_BIT */
    uint64_t kind_bytes[MP_LEAK_KINDS], kind_blocks[MP_LEAK_KINDS];
                                    /* every stack not suppressed, counted
                                       kinds or not: the leak summary */
} mp_check_result_t;

/* The rule --gen-suppressions prints for a leak, from the innermost frame
 * outside the C runtime (check_suppress.h): "leak:^FUNCTION$", or
 * "leak:MODULE$" (its file name) when the frame has no symbol; from the
 * innermost named frame when that one has neither.
 * Writes it into buf and returns buf, or returns NULL (no name at all). */
const char *mp_check_gen_rule(const mp_check_leak_t *l, char *buf, size_t cap);

/* A process as the views name it: "pid 1234 exe" (the executable's file
 * name). Writes it into buf and returns buf. */
const char *mp_check_proc_name(const mp_check_proc_t *p, char *buf, size_t cap);

/* The frame a leak is named by: the innermost outside the C runtime
 * (check_suppress.h), else the innermost; NULL for no stack. */
const mp_frame_t *mp_check_top_frame(const mp_report_stack_t *s);

/* One frame as text: `function (file:line)`, `function (module)`,
 * `module+0xOFF`, or `0xPC`. */
void mp_check_put_frame(FILE *out, const mp_frame_t *f);

/* The text summary. depth: frames per stack, 0 all; gen: also the
 * suppression rules for the unsuppressed leaks. */
void mp_check_text(FILE *out, const mp_check_result_t *r, size_t depth, int gen);

/* s as a JSON string, quotes included; NULL as null. */
void mp_check_json_str(FILE *out, const char *s);

/* "clean", "leaks" or "program_failed", as --json says. */
const char *mp_check_verdict_name(mp_check_verdict_t v);

/* The result as one JSON object and a newline (docs/ci.md). */
void mp_check_json(FILE *out, const mp_check_result_t *r);

/* The result as JUnit XML: one testsuite "memprof leak check", one failing
 * testcase per unsuppressed leaking stack (when the verdict is LEAKS),
 * else one passing testcase; a program failure is a failing testcase of
 * its own. Returns 0, or -1 if writing failed. */
int mp_check_junit(FILE *out, const mp_check_result_t *r);

#endif
