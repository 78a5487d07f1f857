/*
 * pprof_load.h — what `memprof pprof` and `memprof diff` share: the
 * options that say how a log's stacks are symbolized and trimmed
 * (--debug-dir, --sysroot, --alloc-fn, as `memprof report` has them), and
 * building the report model (analyzer/report.h) of a log with every stack
 * symbolized (top = 0), with the same messages for a log that cannot be
 * read.
 */
#ifndef MP_CLI_PPROF_LOAD_H
#define MP_CLI_PPROF_LOAD_H

#include <stddef.h>

#include "options.h"
#include "report.h"

#define MP_LOAD_MAX 16 /* --debug-dir and --alloc-fn options, each */

typedef struct mp_load_options {
    const char *debug_dirs[MP_LOAD_MAX];
    size_t ndebug_dirs;
    const char *sysroot;
    const char *alloc_fns[MP_LOAD_MAX];
    size_t nalloc_fns;
} mp_load_options_t;

/* The three options' table entries, ids base, base + 1, base + 2: put
 * MP_LOAD_OPTS(base) in a command's mp_opt_t table. */
#define MP_LOAD_OPTS(base)                                                                      \
    { "debug-dir", 0, "DIR", "look for separate debug files in DIR too (repeatable)", (base) }, \
    { "sysroot", 0, "DIR", "find the program's files under DIR (a copy of another machine's)", \
      (base) + 1 },                                                                             \
    { "alloc-fn", 0, "NAME",                                                                    \
      "the program's own allocation function (a glob, repeatable): its frames are left out",   \
      (base) + 2 }

/* Handles option id (one of MP_LOAD_OPTS(base)'s) with value: 0, or
 * -MP_CLI_EUSAGE after saying what is wrong ("memprof: CMD: ..."). */
int mp_load_option(const char *cmd, mp_load_options_t *o, int base, int id, const char *value);

/* Builds path's report with every stack symbolized. 0 with *out set; 2 the
 * log has nothing usable in it, 1 out of memory — both said on stderr as
 * "memprof: CMD: PATH: ...". */
int mp_load_report(const char *cmd, const char *path, const mp_load_options_t *o,
                   mp_report_t **out);

#endif
