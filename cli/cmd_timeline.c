/*
 * cmd_timeline.c — `memprof timeline`: parses the options, builds the
 * report model of one log (analyzer/report.h: the replay, the findings,
 * the peak contributors symbolized) and turns it into the chart that
 * timeline_svg.c draws (timeline_report.h says what the chart shows: the
 * lines, the bands, the peak, the markers) and writes it out.
 *
 * Output: -o FILE, "-o -" for stdout, else LOG with .mpz replaced by .svg
 * (.svg appended if LOG does not end in .mpz); where it went is said on
 * stderr.
 */
#define _GNU_SOURCE
#include "cmd_timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "options.h"
#include "report.h"
#include "timeline_report.h"
#include "timeline_svg.h"

#define DEFAULT_TOP 5
#define MAX_TOP 12         /* bands or stacks: more is unreadable */
#define DEFAULT_WIDTH 1100
#define DEFAULT_HEIGHT 560
#define MAX_PIXELS 20000

enum { OPT_OUTPUT, OPT_BY, OPT_TOP, OPT_WIDTH, OPT_HEIGHT };

static const mp_opt_t timeline_opts[] = {
    { "output", 'o', "FILE", "write the SVG to FILE ('-': stdout; default: LOG's name, .svg)",
      OPT_OUTPUT },
    { "by", 0, "WHAT", "break live bytes down by class (default) or stack", OPT_BY },
    { "top", 0, "N", "size classes or stacks shown (default 5, at most 12)", OPT_TOP },
    { "width", 0, "PX", "image width in pixels (default 1100)", OPT_WIDTH },
    { "height", 0, "PX", "image height in pixels (default 560)", OPT_HEIGHT },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct tl_config {
    const char *output;
    int by_stack;
    size_t top;
    size_t width, height;
} tl_config_t;

void mp_cmd_timeline_help(FILE *out)
{
    fputs("Usage: memprof timeline [options] LOG\n"
          "\n"
          "Draws the program's memory over time as an SVG chart (self-contained: no\n"
          "script, no font files), from a log that memprof run wrote:\n"
          "\n"
          "  live bytes      requested bytes in use (the highest value of each interval,\n"
          "                  so the peak is never smoothed away)\n"
          "  retained bytes  the allocator's pages in spans (its in-use pages), from the\n"
          "                  allocator's snapshots\n"
          "  released bytes  pages given back to the OS\n"
          "  RSS             the process's resident set size\n"
          "\n"
          "Under the lines, the live bytes of the top size classes, large objects and\n"
          "the other classes are stacked (--by=class). With --by=stack there is no\n"
          "stacked area: the log's replay keeps no per-stack series over time, so the\n"
          "legend lists the top stacks' bytes at the peak instead.\n"
          "\n"
          "The peak of live bytes is marked with its value, and each finding of memprof\n"
          "report with its kind where it begins: a leak at its stack's first\n"
          "allocation, bucket_retention at the last growth of its table, span_retention\n"
          "at the peak, idle_retention when the idle pages appear. Hovering a marker\n"
          "shows its details. Axes: seconds since the start, and B, KiB, MiB or GiB.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, timeline_opts);
    fputs("\n"
          "Exit status: 0 the chart was written (a partial log is charted as far as it\n"
          "goes); 2 a bad command line or a log with nothing usable in it; 1 memprof\n"
          "failed (out of memory, or the output could not be written).\n",
          out);
}

/* ---- Options ----------------------------------------------------------- */

static int parse_count(const char *opt, const char *value, size_t min, size_t max, size_t *out)
{
    char *end;
    unsigned long long n;

    if (value[0] < '0' || value[0] > '9')
        goto bad;
    errno = 0;
    n = strtoull(value, &end, 10);
    if (errno || *end || n < min || n > max)
        goto bad;
    *out = (size_t)n;
    return 0;
bad:
    mp_usage_error("timeline", "bad value '%s' for --%s (expected a whole number from %zu to %zu)",
                   value, opt, min, max);
    return -MP_CLI_EUSAGE;
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    tl_config_t *c = ctx;

    switch (opt->id) {
    case OPT_OUTPUT:
        c->output = value;
        return 0;
    case OPT_BY:
        if (strcmp(value, "class") == 0)
            c->by_stack = 0;
        else if (strcmp(value, "stack") == 0)
            c->by_stack = 1;
        else {
            mp_usage_error("timeline", "bad value '%s' for --by (expected --by=class|stack)",
                           value);
            return -MP_CLI_EUSAGE;
        }
        return 0;
    case OPT_TOP:
        return parse_count("top", value, 0, MAX_TOP, &c->top);
    case OPT_WIDTH:
        return parse_count("width", value, MP_TL_MIN_WIDTH, MAX_PIXELS, &c->width);
    case OPT_HEIGHT:
        return parse_count("height", value, MP_TL_MIN_HEIGHT, MAX_PIXELS, &c->height);
    }
    return 0;
}

/* ---- The command ------------------------------------------------------- */

/* LOG with .mpz replaced by .svg, or .svg appended. NULL if out of memory. */
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

/* Renders rep to path ("-": stdout): 0, or 1 (said why). */
static int render(const tl_config_t *c, const mp_report_t *rep, const char *path)
{
    mp_tl_report_options_t o = { c->by_stack, c->top, (unsigned)c->width, (unsigned)c->height };
    mp_tl_report_t *tr;
    size_t nlines;
    FILE *out;
    int rc;

    if (mp_tl_report_build(rep, &o, &tr) != 0) {
        fprintf(stderr, "memprof: timeline: out of memory\n");
        return 1;
    }
    nlines = mp_tl_report_chart(tr)->nlines;
    if (strcmp(path, "-") == 0) {
        out = stdout;
    } else {
        out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "memprof: timeline: cannot write %s: %s\n", path, strerror(errno));
            mp_tl_report_free(tr);
            return 1;
        }
    }
    rc = mp_tl_render(out, mp_tl_report_chart(tr));
    if (out != stdout) {
        if (fclose(out) != 0)
            rc = -1;
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    mp_tl_report_free(tr);
    if (rc) {
        fprintf(stderr, "memprof: timeline: error writing %s\n",
                out == stdout ? "to stdout" : path);
        return 1;
    }
    if (nlines == 1)
        fprintf(stderr, "memprof: timeline: the log has no allocator snapshot: only live bytes "
                        "are charted\n");
    if (out != stdout)
        fprintf(stderr, "memprof: timeline: wrote %s\n", path);
    return 0;
}

int mp_cmd_timeline(int argc, char **argv, int *exit_status)
{
    tl_config_t c = { .top = DEFAULT_TOP, .width = DEFAULT_WIDTH, .height = DEFAULT_HEIGHT };
    mp_report_options_t o;
    mp_report_t *rep;
    mp_log_error_t err;
    const char *log = NULL;
    char *path = NULL;
    int rc;

    /* Options may come before and after the log: `memprof timeline LOG -o F`. */
    int help;
    rc = mp_opts_parse_single("timeline", timeline_opts, argc, argv, on_option, &c, &help, &log);
    if (rc)
        return rc;
    if (help) {
        mp_cmd_timeline_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (!log) {
        mp_usage_error("timeline", "no log to chart (usage: memprof timeline LOG [-o FILE]; see "
                                   "memprof timeline --help)");
        return -MP_CLI_EUSAGE;
    }

    memset(&o, 0, sizeof o);
    o.top = c.top ? c.top : 1;
    o.sym.demangle = true;
    rc = mp_report_build(log, &o, &rep, &err);
    if (rc == MP_ELOG_NOMEM) {
        fprintf(stderr, "memprof: timeline: %s: %s\n", log, err.msg);
        *exit_status = 1;
        return 0;
    }
    if (rc) {
        fprintf(stderr, "memprof: timeline: %s: nothing to chart: %s\n", log, err.msg);
        *exit_status = 2;
        return 0;
    }
    if (!c.output) {
        path = default_output(log);
        if (!path) {
            mp_report_free(rep);
            fprintf(stderr, "memprof: timeline: out of memory\n");
            *exit_status = 1;
            return 0;
        }
    }
    *exit_status = render(&c, rep, c.output ? c.output : path);
    free(path);
    mp_report_free(rep);
    return 0;
}
