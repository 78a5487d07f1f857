/*
 * check_run.h — the logs of one run, for `memprof check`: the program's own
 * and those of the processes it forked or exec'd (docs/recording.md: a
 * forked child and an exec'd program write <log>.<pid>, or
 * <log>.<pid>.<n>, beside it), each replayed into a report.
 */
#ifndef MP_CLI_CHECK_RUN_H
#define MP_CLI_CHECK_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/* One process of the run. */
typedef struct mp_check_proc {
    char *log;        /* its log's path */
    mp_report_t *rep; /* its report */
    uint64_t pid;
    const char *exe;  /* the executable, as its PROCESS record names it */
    int execd;        /* it ended by exec: its heap went away with it, so
                         what it held then is not a leak */
    int partial;      /* its log was cut short */
    uint64_t peak;    /* its peak of live requested bytes */
} mp_check_proc_t;

typedef struct mp_check_run {
    mp_check_proc_t *v; /* the main log first, then by start time */
    size_t n;
} mp_check_run_t;

/* Reads main and the other logs of its run: in dir_is_run mode every log
 * in main's directory (a directory memprof check made for this run),
 * otherwise main's siblings named <main>.<pid>[.<n>] whose process started
 * after main's (a log left by an earlier run with the same name is not
 * this run's). Returns 0; or 1 (out of memory) or 2 (main cannot be
 * read), with a message on stderr naming the log. A child's log that
 * cannot be read is reported and left out. */
int mp_check_run_load(mp_check_run_t *run, const char *main, int dir_is_run,
                      const mp_report_options_t *o);

void mp_check_run_free(mp_check_run_t *run);

#endif
