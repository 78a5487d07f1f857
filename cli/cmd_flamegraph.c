/*
 * cmd_flamegraph.c — `memprof flamegraph`: parses the options, builds the
 * report model of one log with every stack symbolized (top = 0), turns it
 * into a frame tree for the chosen metric (flame_report.c) and writes it as
 * an SVG (flame_svg.c) or as collapsed stacks (flame_folded.c).
 *
 * --diff A: the log A is reported too and its stacks become the tree's
 * base (flame_report.h: matched by frame names), drawn as a differential
 * flame graph (flame_svg.h) or written as two-column folded stacks.
 *
 * Output: the SVG goes to -o FILE, "-o -" for stdout, else LOG with .mpz
 * replaced by .svg (.diff.svg for --diff; the suffix appended if LOG does
 * not end in .mpz), and where it went is said on stderr; --folded goes to
 * stdout unless -o names a file.
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
#include "human.h"
#include "options.h"
#include "report.h"

#define DEFAULT_WIDTH 1200
#define MIN_WIDTH 200
#define MAX_WIDTH 20000

enum { OPT_OUTPUT, OPT_METRIC, OPT_FOLDED, OPT_ICICLE, OPT_WIDTH, OPT_DIFF };

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
    { "diff", 0, "A",
      "draw the change from the log A (an earlier run) to LOG: widths from LOG, red grew, "
      "blue shrank", OPT_DIFF },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct fg_config {
    const char *output;
    const char *diff;        /* --diff: the earlier run's log, or NULL */
    mp_flame_metric_t metric;
    int folded, icicle;
    unsigned width;
} fg_config_t;

void mp_cmd_flamegraph_help(FILE *out)
{
    fputs("Usage: memprof flamegraph [options] LOG\n"
          "       memprof flamegraph --diff A B [options]\n"
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
          "--diff A B draws how B (a later run, or the program after a change) differs\n"
          "from A: boxes as wide as in B's flame graph, coloured by the change of each\n"
          "from A to B: red grew, blue shrank, deeper for a larger change relative to\n"
          "the larger of the two, grey unchanged. Call paths are matched by function\n"
          "names, not addresses, so two runs (or two builds) compare. A path gone in B\n"
          "has no width and is not drawn. Hover a box for both values and the change.\n"
          "With --folded: one line per stack of either run, A's value then B's, as\n"
          "flamegraph.pl reads a diff:  main;parse;xstrdup 1024 4096\n"
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
    case OPT_DIFF:
        c->diff = value;
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

/* LOG with .mpz replaced by suffix (".svg"), or suffix appended. */
static char *default_output(const char *log, const char *suffix)
{
    size_t n = strlen(log), k = strlen(suffix);
    char *out = malloc(n + k + 1);

    if (!out)
        return NULL;
    memcpy(out, log, n + 1);
    if (n > 4 && strcmp(log + n - 4, ".mpz") == 0)
        n -= 4;
    memcpy(out + n, suffix, k + 1);
    return out;
}

/* "prog arg..." of rep's process into buf, with a note when its log is
 * partial; returns the length written. */
static size_t command_line(char *buf, size_t cap, const mp_report_t *rep)
{
    const mp_replay_t *r = mp_report_replay(rep);
    const mp_replay_process_t *proc = mp_replay_process(r);
    mp_replay_summary_t s;
    size_t used = 0;

    mp_replay_summary(r, &s);
    buf[0] = '\0';
    for (uint32_t i = 0; i < proc->argc && used + 1 < cap; i++) {
        int k = snprintf(buf + used, cap - used, "%s%s", i ? " " : "", proc->argv[i]);

        if (k < 0)
            break;
        used += (size_t)k;
    }
    if (used >= cap)
        used = cap - 1;
    buf[used] = '\0';
    if (s.partial && used + 1 < cap) {
        int k = snprintf(buf + used, cap - used, "%s(partial log: drawn as far as it goes)",
                         used ? "  " : "");

        used = k < 0 ? used : used + (size_t)k >= cap ? cap - 1 : used + (size_t)k;
    }
    return used;
}

/* The title and subtitle of the SVG of rep (a diff's: from base to rep). */
static void titles(const fg_config_t *c, const mp_report_t *base, const mp_report_t *rep,
                   const mp_flame_tree_t *t, char *title, size_t tcap, char *sub, size_t scap)
{
    const mp_replay_process_t *proc = mp_replay_process(mp_report_replay(rep));
    const char *exe = proc->exe && proc->exe[0] ? proc->exe : "?", *slash = strrchr(exe, '/');
    const char *metric = mp_flame_metric_title(c->metric);
    const mp_flame_node_t *root = mp_flame_tree_node(t, 0);
    char ha[MP_HUMAN_MAX], hb[MP_HUMAN_MAX];
    size_t used;

    if (!base) {
        snprintf(title, tcap, "memprof flamegraph: %s (pid %" PRIu64 "), %s",
                 slash ? slash + 1 : exe, proc->pid, metric);
        command_line(sub, scap, rep);
        return;
    }
    if (mp_flame_metric_is_bytes(c->metric)) {
        mp_human_bytes(ha, sizeof ha, root->base_value);
        mp_human_bytes(hb, sizeof hb, root->value);
    } else {
        snprintf(ha, sizeof ha, "%" PRIu64, root->base_value);
        snprintf(hb, sizeof hb, "%" PRIu64, root->value);
    }
    snprintf(title, tcap, "memprof flamegraph --diff: %s, %s: A %s, B %s",
             slash ? slash + 1 : exe, metric, ha, hb);
    used = (size_t)snprintf(sub, scap, "A: %s (pid %" PRIu64 ")  B: %s (pid %" PRIu64 "): ",
                            mp_report_path(base),
                            mp_replay_process(mp_report_replay(base))->pid, mp_report_path(rep),
                            proc->pid);
    if (used < scap)
        command_line(sub + used, scap - used, rep);
}

/* Writes t to path ("-" or NULL: stdout): 0, or 1 (said why). */
static int write_out(const fg_config_t *c, const mp_report_t *base, const mp_report_t *rep,
                     const mp_flame_tree_t *t, const char *path)
{
    char title[512], sub[1024];
    FILE *out;
    int rc;

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
            .diff = base != NULL,
        };

        titles(c, base, rep, t, title, sizeof title, sub, sizeof sub);
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

/* The report of log with every stack symbolized: 0 with *out set, or the
 * exit status (said why). */
static int build(const char *log, mp_report_t **out)
{
    mp_report_options_t o;
    mp_log_error_t err;
    int rc;

    memset(&o, 0, sizeof o);
    o.top = 0; /* every stack, symbolized */
    o.sym.demangle = true;
    rc = mp_report_build(log, &o, out, &err);
    if (rc == MP_ELOG_NOMEM) {
        fprintf(stderr, "memprof: flamegraph: %s: %s\n", log, err.msg);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "memprof: flamegraph: %s: nothing to draw: %s\n", log, err.msg);
        return 2;
    }
    return 0;
}

int mp_cmd_flamegraph(int argc, char **argv, int *exit_status)
{
    fg_config_t c = { .metric = MP_FLAME_PEAK, .width = DEFAULT_WIDTH };
    mp_report_t *rep = NULL, *base = NULL;
    mp_flame_tree_t *t = NULL;
    const char *log = NULL;
    char *path = NULL;
    int rc, help;

    /* Options may come before and after the log: `memprof flamegraph LOG -o F`;
     * --diff takes A as its value, so `--diff A B` leaves B the operand. */
    rc = mp_opts_parse_single("flamegraph", flame_opts, argc, argv, on_option, &c, &help, &log);
    if (rc)
        return rc;
    if (help) {
        mp_cmd_flamegraph_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (!log) {
        mp_usage_error("flamegraph", c.diff ? "--diff A B needs the second log, B (usage: memprof "
                                              "flamegraph --diff A B [-o FILE])"
                                            : "no log to draw (usage: memprof flamegraph LOG "
                                              "[-o FILE]; see memprof flamegraph --help)");
        return -MP_CLI_EUSAGE;
    }

    *exit_status = build(log, &rep);
    if (*exit_status == 0 && c.diff)
        *exit_status = build(c.diff, &base);
    if (*exit_status == 0 && mp_flame_diff_from_reports(base, rep, c.metric, &t) != 0) {
        fprintf(stderr, "memprof: flamegraph: out of memory\n");
        *exit_status = 1;
    }
    if (*exit_status == 0 && !c.output && !c.folded) {
        path = default_output(log, c.diff ? ".diff.svg" : ".svg");
        if (!path) {
            fprintf(stderr, "memprof: flamegraph: out of memory\n");
            *exit_status = 1;
        }
    }
    if (*exit_status == 0)
        *exit_status = write_out(&c, base, rep, t, c.output ? c.output : path);
    free(path);
    mp_flame_tree_free(t);
    mp_report_free(base);
    mp_report_free(rep);
    return 0;
}
