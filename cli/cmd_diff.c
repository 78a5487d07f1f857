/*
 * cmd_diff.c — `memprof diff A B`: parses the options, builds both logs'
 * report models with every stack symbolized (pprof_load.c), matches their
 * stacks (analyzer/diff.h) and prints the changes as text (diff_text.c)
 * or JSON (diff_json.c) on stdout. Options may come before, between and
 * after the two logs.
 */
#define _GNU_SOURCE
#include "cmd_diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "diff.h"
#include "diff_view.h"
#include "options.h"
#include "pprof_load.h"

#define DEFAULT_TOP 10
#define DEFAULT_DEPTH 12

enum { OPT_JSON, OPT_TOP, OPT_DEPTH, OPT_SORT, OPT_LOAD };

static const mp_opt_t diff_opts[] = {
    { "json", 0, NULL, "print JSON (docs/report-json.md) instead of text", OPT_JSON },
    { "top", 0, "N", "changed stacks shown (default 10; 0: all)", OPT_TOP },
    { "depth", 0, "N", "frames printed per stack (default 12; 0: all; JSON has all)",
      OPT_DEPTH },
    { "sort", 0, "WHAT", "order stacks by their growth in peak (default), leaked, allocated "
                         "or allocations", OPT_SORT },
    MP_LOAD_OPTS(OPT_LOAD),
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct diff_config {
    int json;
    mp_diff_view_t view;
    mp_diff_metric_t sort;
    mp_load_options_t load;
} diff_config_t;

void mp_cmd_diff_help(FILE *out)
{
    fputs("Usage: memprof diff [options] A B\n"
          "\n"
          "Says what changed from log A to log B — two runs of a program, before and\n"
          "after a change — stack by stack: bytes live at the peak, bytes leaked, bytes\n"
          "allocated and allocations, in A, in B and the change. Stacks are matched by\n"
          "their functions and source files, not by addresses or lines, so the two runs\n"
          "may load at other addresses and the program may have been rebuilt. Stacks\n"
          "that changed are listed largest growth first (--sort says of what),\n"
          "shrinkage last; the totals are the logs' own.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, diff_opts);
    fputs("\n"
          "Text shows bytes in B, KiB, MiB, GiB; JSON has exact numbers.\n"
          "\n"
          "Exit status: 0 compared (partial logs too, as far as they go); 2 a bad\n"
          "command line or a log with nothing usable in it; 1 memprof failed (out of\n"
          "memory, or the output could not be written).\n",
          out);
}

static int parse_count(const char *opt, const char *value, size_t *out)
{
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || errno || *end || n > 1000000) {
        mp_usage_error("diff", "bad value '%s' for --%s (expected a whole number from 0 to "
                               "1000000)", value, opt);
        return -MP_CLI_EUSAGE;
    }
    *out = (size_t)n;
    return 0;
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    diff_config_t *c = ctx;

    switch (opt->id) {
    case OPT_JSON:
        c->json = 1;
        return 0;
    case OPT_TOP:
        return parse_count("top", value, &c->view.top);
    case OPT_DEPTH:
        return parse_count("depth", value, &c->view.depth);
    case OPT_SORT:
        if (mp_diff_metric_parse(value, &c->sort) != 0) {
            mp_usage_error("diff", "bad value '%s' for --sort (expected peak, leaked, "
                                   "allocated or allocations)", value);
            return -MP_CLI_EUSAGE;
        }
        return 0;
    }
    return mp_load_option("diff", &c->load, OPT_LOAD, opt->id, value);
}

/* Options anywhere, two operands: 0 with logs[] set (NULL where missing) and
 * *help; or -MP_CLI_EUSAGE (said). */
static int parse(diff_config_t *c, int argc, char **argv, const char *logs[2], int *help)
{
    mp_opts_result_t parsed;
    int n = 0;

    *help = 0;
    logs[0] = logs[1] = NULL;
    for (int start = 1;;) {
        int rc = mp_opts_parse("diff", diff_opts, argc, argv, start, on_option, c, &parsed);

        if (rc)
            return rc;
        if (parsed.help) {
            *help = 1;
            return 0;
        }
        if (parsed.first_operand >= argc)
            return 0;
        if (n == 2) {
            mp_usage_error("diff", "two logs at a time ('%s' is one too many)",
                           argv[parsed.first_operand]);
            return -MP_CLI_EUSAGE;
        }
        logs[n++] = argv[parsed.first_operand];
        start = parsed.first_operand + 1;
    }
}

int mp_cmd_diff(int argc, char **argv, int *exit_status)
{
    diff_config_t c;
    const char *logs[2];
    mp_report_t *rep[2] = { NULL, NULL };
    mp_diff_t *d = NULL;
    int rc, help;

    memset(&c, 0, sizeof c);
    c.view.top = DEFAULT_TOP;
    c.view.depth = DEFAULT_DEPTH;
    c.sort = MP_DIFF_PEAK;
    rc = parse(&c, argc, argv, logs, &help);
    if (rc)
        return rc;
    if (help) {
        mp_cmd_diff_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (!logs[1]) {
        mp_usage_error("diff", "two logs to compare (usage: memprof diff A B; see memprof diff "
                               "--help)");
        return -MP_CLI_EUSAGE;
    }
    *exit_status = 0;
    for (int i = 0; i < 2 && *exit_status == 0; i++)
        *exit_status = mp_load_report("diff", logs[i], &c.load, &rep[i]);
    if (*exit_status == 0 && mp_diff_build(rep[0], rep[1], c.sort, &d) != 0) {
        fprintf(stderr, "memprof: diff: out of memory\n");
        *exit_status = 1;
    }
    if (d) {
        if (c.json)
            mp_diff_json(stdout, d, rep[0], rep[1], &c.view);
        else
            mp_diff_text(stdout, d, rep[0], rep[1], &c.view);
    }
    mp_diff_free(d);
    mp_report_free(rep[0]);
    mp_report_free(rep[1]);
    return 0;
}
