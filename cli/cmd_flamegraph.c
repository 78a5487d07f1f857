/*
 * cmd_flamegraph.c — `memprof flamegraph`: parses the options, builds the
 * report model of one log with every stack symbolized (top = 0), turns it
 * into a frame tree for the chosen metric (flame_report.c) and writes it as
 * an SVG (flame_svg.c) or as collapsed stacks (flame_folded.c).
 *
 * Output: the SVG goes to -o FILE, "-o -" for stdout, else LOG with .mpz
 * replaced by .svg (.svg appended if LOG does not end in .mpz), and where
 * it went is said on stderr; --folded goes to stdout unless -o names a file.
 */
#define _GNU_SOURCE
#include "cmd_flamegraph.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "flame_folded.h"
#include "flame_report.h"
#include "flame_svg.h"
#include "options.h"
#include "report.h"

#define DEFAULT_WIDTH 1200
#define MIN_WIDTH 200
#define MAX_WIDTH 20000

enum { OPT_OUTPUT, OPT_METRIC, OPT_FOLDED, OPT_ICICLE, OPT_WIDTH };

static const mp_opt_t flame_opts[] = {
    { "output", 'o', "FILE",
      "write to FILE ('-': stdout; default: the SVG to LOG's name with .svg, --folded to stdout)",
      OPT_OUTPUT },
    { "metric", 0, "WHAT", "peak (default), leaked, allocated, allocations or temporary",
      OPT_METRIC },
    { "folded", 0, NULL, "write collapsed stacks (flamegraph.pl, inferno, speedscope) instead",
      OPT_FOLDED },
    { "icicle", 0, NULL, "draw the root at the top (default: at the bottom)", OPT_ICICLE },
    { "width", 0, "PX", "image width in pixels (default 1200)", OPT_WIDTH },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct fg_config {
    const char *output;
    mp_flame_metric_t metric;
    int folded, icicle;
    unsigned width;
} fg_config_t;

void mp_cmd_flamegraph_help(FILE *out)
{
    fputs("Usage: memprof flamegraph [options] LOG\n"
          "\n"
          "Draws where a program's memory comes from as a flame graph: one box per\n"
          "function on a call path, as wide as its share of the metric, its callers\n"
          "below it. The SVG is self-contained and interactive in a browser: click a\n"
          "box to zoom to it, 'Reset zoom' to go back, 'Search' to highlight the\n"
          "functions matching a regular expression and see their share; hover a box\n"
          "for its bytes, count and percent. Boxes under 0.1% of the width are merged\n"
          "into a grey '[...] other' box of their caller. A function keeps its colour\n"
          "from one run to the next.\n"
          "\n"
          "Metrics (--metric):\n"
          "  peak         bytes live at the moment of the global peak (default)\n"
          "  leaked       bytes still live at the end\n"
          "  allocated    bytes allocated over the whole run\n"
          "  allocations  number of allocations (sampled logs: estimated)\n"
          "  temporary    allocations freed right after they were made\n"
          "\n"
          "--folded writes collapsed stacks instead, one line per stack, root first:\n"
          "  main;parse;xstrdup 4096\n"
          "for flamegraph.pl, inferno or speedscope. Inlined functions are frames of\n"
          "their own; a frame without a function is named module+0xOFFSET.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, flame_opts);
    fputs("\n"
          "Exit status: 0 written (a partial log is drawn as far as it goes); 2 a bad\n"
          "command line or a log with nothing usable in it; 1 memprof failed (out of\n"
          "memory, or the output could not be written).\n",
          out);
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    fg_config_t *c = ctx;
    char *end;
    unsigned long n;

    switch (opt->id) {
    case OPT_OUTPUT:
        c->output = value;
        return 0;
    case OPT_METRIC:
        if (mp_flame_metric_parse(value, &c->metric) != 0) {
            mp_usage_error("flamegraph", "bad value '%s' for --metric (expected "
                           "peak, leaked, allocated, allocations or temporary)", value);
            return -MP_CLI_EUSAGE;
        }
        return 0;
    case OPT_FOLDED:
        c->folded = 1;
        return 0;
    case OPT_ICICLE:
        c->icicle = 1;
        return 0;
    case OPT_WIDTH:
        errno = 0;
        n = strtoul(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || errno || *end || n < MIN_WIDTH || n > MAX_WIDTH) {
            mp_usage_error("flamegraph", "bad value '%s' for --width (expected a whole number "
                           "from %d to %d)", value, MIN_WIDTH, MAX_WIDTH);
            return -MP_CLI_EUSAGE;
        }
        c->width = (unsigned)n;
        return 0;
    }
    return 0;
}

static char *default_output(const char *log)
{
    size_t n = strlen(log);
    char *out = malloc(n + 5);

    if (!out)
        return NULL;
    memcpy(out, log, n + 1);
    if (n > 4 && strcmp(log + n - 4, ".mpz") == 0)
        n -= 4;
    memcpy(out + n, ".svg", 5);
    return out;
}

/* Writes t to path ("-" or NULL: stdout): 0, or 1 (said why). */
static int write_out(const fg_config_t *c, const mp_report_t *rep, const mp_flame_tree_t *t,
                     const char *path)
{
    const mp_replay_t *r = mp_report_replay(rep);
    const mp_replay_process_t *proc = mp_replay_process(r);
    const char *exe = proc->exe && proc->exe[0] ? proc->exe : "?", *base = strrchr(exe, '/');
    mp_replay_summary_t s;
    char title[256], sub[512];
    size_t used = 0;
    FILE *out;
    int rc;

    mp_replay_summary(r, &s);
    if (!path || strcmp(path, "-") == 0) {
        out = stdout;
    } else {
        out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "memprof: flamegraph: cannot write %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    if (c->folded) {
        rc = mp_flame_write_folded(out, t);
    } else {
        mp_flame_svg_t o = {
            .title = title,
            .subtitle = sub,
            .metric = mp_flame_metric_title(c->metric),
            .values_are_bytes = mp_flame_metric_is_bytes(c->metric),
            .count_name = mp_flame_metric_count_name(c->metric),
            .icicle = c->icicle,
            .width = c->width,
        };

        snprintf(title, sizeof title, "memprof flamegraph: %s (pid %" PRIu64 "), %s",
                 base ? base + 1 : exe, proc->pid, o.metric);
        for (uint32_t i = 0; i < proc->argc && used + 1 < sizeof sub; i++) {
            int k = snprintf(sub + used, sizeof sub - used, "%s%s", i ? " " : "", proc->argv[i]);

            if (k < 0)
                break;
            used += (size_t)k;
        }
        if (used >= sizeof sub)
            used = sizeof sub - 1;
        sub[used] = '\0';
        if (s.partial && used + 1 < sizeof sub)
            snprintf(sub + used, sizeof sub - used, "%s(partial log: drawn as far as it goes)",
                     used ? "  " : "");
        if (!sub[0])
            o.subtitle = NULL;
        rc = mp_flame_svg_render(out, t, &o);
    }
    if (out != stdout) {
        if (fclose(out) != 0)
            rc = -1;
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    if (rc) {
        fprintf(stderr, "memprof: flamegraph: error writing %s\n", out == stdout ? "to stdout" : path);
        return 1;
    }
    if (out != stdout)
        fprintf(stderr, "memprof: flamegraph: wrote %s\n", path);
    return 0;
}

int mp_cmd_flamegraph(int argc, char **argv, int *exit_status)
{
    fg_config_t c = { .metric = MP_FLAME_PEAK, .width = DEFAULT_WIDTH };
    mp_report_options_t o;
    mp_report_t *rep;
    mp_flame_tree_t *t;
    mp_log_error_t err;
    const char *log = NULL;
    char *path = NULL;
    int rc;

    /* Options may come before and after the log: `memprof flamegraph LOG -o F`. */
    int help;
    rc = mp_opts_parse_single("flamegraph", flame_opts, argc, argv, on_option, &c, &help, &log);
    if (rc)
        return rc;
    if (help) {
        mp_cmd_flamegraph_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (!log) {
        mp_usage_error("flamegraph", "no log to draw (usage: memprof flamegraph LOG [-o FILE]; "
                                     "see memprof flamegraph --help)");
        return -MP_CLI_EUSAGE;
    }

    memset(&o, 0, sizeof o);
    o.top = 0; /* every stack, symbolized */
    o.sym.demangle = true;
    rc = mp_report_build(log, &o, &rep, &err);
    if (rc == MP_ELOG_NOMEM) {
        fprintf(stderr, "memprof: flamegraph: %s: %s\n", log, err.msg);
        *exit_status = 1;
        return 0;
    }
    if (rc) {
        fprintf(stderr, "memprof: flamegraph: %s: nothing to draw: %s\n", log, err.msg);
        *exit_status = 2;
        return 0;
    }
    if (mp_flame_from_report(rep, c.metric, &t) != 0) {
        mp_report_free(rep);
        fprintf(stderr, "memprof: flamegraph: out of memory\n");
        *exit_status = 1;
        return 0;
    }
    if (!c.output && !c.folded) {
        path = default_output(log);
        if (!path) {
            mp_flame_tree_free(t);
            mp_report_free(rep);
            fprintf(stderr, "memprof: flamegraph: out of memory\n");
            *exit_status = 1;
            return 0;
        }
    }
    *exit_status = write_out(&c, rep, t, c.output ? c.output : path);
    free(path);
    mp_flame_tree_free(t);
    mp_report_free(rep);
    return 0;
}
