/*
 * options.h — the option syntax every memprof command shares.
 *
 * A command describes its options in a table of mp_opt_t and hands argv to
 * mp_opts_parse(), which calls back once per option found. The syntax, the
 * same for every command:
 *
 *   --name            a flag
 *   --name=VALUE      an option with a value
 *   --name VALUE      the same, value in the next argument
 *   -c / -c VALUE     the short form, when the table gives one (no bundling)
 *   -h, --help        built in: sets help and stops parsing
 *   --                ends the options; the next argument is the first operand
 *
 * Options end at the first argument that does not start with '-' (a lone "-"
 * counts as an operand), so `memprof run ls -l` passes -l to ls.
 *
 * Errors print "memprof: CMD: ..." on stderr and return -MP_CLI_EUSAGE.
 */
#ifndef MP_CLI_OPTIONS_H
#define MP_CLI_OPTIONS_H

#include <stdio.h>

typedef struct mp_opt {
    const char *name;  /* long name without the leading "--" */
    char short_name;   /* single-letter form, or 0 for none */
    const char *value; /* metavariable shown in help ("MS"); NULL for a flag */
    const char *help;  /* one line for --help */
    int id;            /* passed back to the callback */
} mp_opt_t;

/* Called once per option, in command-line order. value is NULL for a flag.
 * Returns 0, or -MP_CLI_EUSAGE after printing why the value is bad. */
typedef int (*mp_opt_fn)(void *ctx, const mp_opt_t *opt, const char *value);

typedef struct mp_opts_result {
    int first_operand; /* index in argv of the first non-option argument */
    int help;          /* 1 if -h/--help was given (parsing stopped there) */
} mp_opts_result_t;

/* Parses argv[start..argc) against table (terminated by an entry whose name
 * is NULL). cmd names the command in messages ("run").
 * Returns 0 with *out filled, or -MP_CLI_EUSAGE (message printed). */
int mp_opts_parse(const char *cmd, const mp_opt_t *table, int argc, char **argv,
                  int start, mp_opt_fn fn, void *ctx, mp_opts_result_t *out);

/* For commands that take one operand (a log) with options before and after
 * it (`memprof timeline LOG -o F`): parses argv[1..argc). Returns 0 with
 * *operand set (NULL when none was given) and *help set when -h/--help was
 * seen; -MP_CLI_EUSAGE (message printed) on a bad option or a second
 * operand. */
int mp_opts_parse_single(const char *cmd, const mp_opt_t *table, int argc, char **argv,
                         mp_opt_fn fn, void *ctx, int *help, const char **operand);

/* Prints one line per option of table, then the built-in -h/--help line. */
void mp_opts_print_help(FILE *out, const mp_opt_t *table);

/* A SIZE value: digits, then optionally k, m or g (either case; powers of
 * 1024). 0 with *out set when it is well formed and at most max; -1
 * otherwise (no message: the caller names the option). */
int mp_parse_size(const char *value, unsigned long long max, unsigned long long *out);

/* Prints "memprof: CMD: <message>" and a newline on stderr. */
void mp_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
