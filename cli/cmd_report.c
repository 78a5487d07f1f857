/*
 * cmd_report.c — `memprof report`: parses the options, builds one report
 * model per log (analyzer/report.h) and prints it with a view
 * (report_view.h); lists a directory's logs; shows progress while a log is
 * read. The analysis is the model's, the words are the views'; this file
 * decides what goes where:
 *
 *   - stdout: the reports (text, or JSON: one object, or an array of them
 *     for several logs); a directory's listing;
 *   - stderr: progress ("reading LOG: 37%", only when stderr is a terminal,
 *     rewritten in place and erased at the end, and only once reading has
 *     taken a quarter of a second, so short reports never flicker), and
 *     why a log could not be reported.
 *
 * Colour: --color=auto (the default) colours text when stdout is a
 * terminal and NO_COLOR is unset or empty (no-color.org); always and never
 * force it. JSON is never coloured.
 *
 * Exit status (cmd_report.h): 0 all reported, 2 something had nothing to
 * report or a bad command line, 1 memprof itself failed.
 */
#define _GNU_SOURCE
#include "cmd_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_error.h"
#include "commands.h"
#include "options.h"
#include "report.h"
#include "report_html.h"
#include "report_view.h"
#include "retention.h"

#define DEFAULT_TOP 10
#define DEFAULT_DEPTH 12
#define MAX_DEBUG_DIRS 16
#define PROGRESS_AFTER_NS 250000000u /* show progress once reading took this long */

enum {
    OPT_TOP,
    OPT_DEPTH,
    OPT_JSON,
    OPT_COLOR,
    OPT_DEBUG_DIR,
    OPT_SYSROOT,
    OPT_BUCKET_MIN,
    OPT_BUCKET_FALL,
    OPT_SPAN_RATIO,
    OPT_SPAN_MIN,
    OPT_IDLE_MIN,
    OPT_SCAVENGE_DELAY,
    OPT_ALLOC_FN,
    OPT_HTML,
    OPT_OUTPUT,
};

static const mp_opt_t report_opts[] = {
    { "top", 0, "N", "stacks per list (default 10; 0: all)", OPT_TOP },
    { "depth", 0, "N", "frames printed per stack (default 12; 0: all; JSON has all)",
      OPT_DEPTH },
    { "json", 0, NULL, "print JSON (docs/report-json.md) instead of text", OPT_JSON },
    { "html", 0, NULL,
      "write one self-contained HTML page (charts, flame graph) of one LOG instead", OPT_HTML },
    { "output", 'o', "FILE", "--html: write to FILE ('-': stdout; default: LOG's name, .html)",
      OPT_OUTPUT },
    { "color", 0, "WHEN", "colour the text: auto (a terminal), always, never", OPT_COLOR },
    { "debug-dir", 0, "DIR", "look for separate debug files in DIR too (repeatable)",
      OPT_DEBUG_DIR },
    { "sysroot", 0, "DIR", "find the program's files under DIR (a copy of another machine's)",
      OPT_SYSROOT },
    { "alloc-fn", 0, "NAME",
      "the program's own allocation function (a glob, repeatable): its frames are left "
      "out, findings name its callers", OPT_ALLOC_FN },
    { "bucket-min", 0, "SIZE", "bucket retention: tables of at least SIZE (default 64k)",
      OPT_BUCKET_MIN },
    { "bucket-fall", 0, "PCT",
      "bucket retention: the heap at the end is at most PCT% of its peak (default 50)",
      OPT_BUCKET_FALL },
    { "span-ratio", 0, "R", "span retention: a class retains R times what is live (default 4)",
      OPT_SPAN_RATIO },
    { "span-min", 0, "SIZE", "span retention: and at least SIZE more (default 1m)",
      OPT_SPAN_MIN },
    { "idle-min", 0, "SIZE", "idle retention: at least SIZE of free pages kept (default 64m)",
      OPT_IDLE_MIN },
    { "scavenge-delay", 0, "MS",
      "idle retention: the scavenger delay the run used (default 1000, as memprof run's)",
      OPT_SCAVENGE_DELAY },
    { NULL, 0, NULL, NULL, 0 },
};

typedef enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER } color_t;

typedef struct report_config {
    size_t top, depth;
    int json;
    color_t color;
    const char *debug_dirs[MAX_DEBUG_DIRS];
    size_t ndebug_dirs;
    const char *sysroot;
    mp_retention_options_t retention; /* detector thresholds (retention.h) */
    const char *alloc_fns[MAX_DEBUG_DIRS]; /* --alloc-fn patterns */
    size_t nalloc_fns;
    int html;                /* --html (report_html.h) */
    const char *output;      /* --html's -o FILE, or NULL */
} report_config_t;

void mp_cmd_report_help(FILE *out)
{
    fputs("Usage: memprof report [options] LOG...\n"
          "       memprof report DIR\n"
          "\n"
          "Reads a log that memprof run wrote and says what the program did with its\n"
          "memory: a summary (allocations, frees, peak heap and when, RSS peak, leaked at\n"
          "exit), the findings (leaks by stack, with evidence and what to do), leaks by\n"
          "stack, the stacks that made the peak, the stacks with the most allocations and\n"
          "the most temporary ones, and memprof's size classes at the end (live against\n"
          "retained bytes). Stacks show function (file:line), inlined calls included.\n"
          "\n"
          "Several logs (a program and its forked children) give one report each, or a\n"
          "JSON array. A directory lists the logs it holds: pid, parent, start, duration,\n"
          "events, whether each is complete, and how they relate.\n"
          "\n"
          "--html writes one LOG's report as a single HTML page that opens offline in a\n"
          "browser (no network, everything inline): the summary, the findings with\n"
          "their stacks, the timeline chart, an interactive flame graph of the bytes\n"
          "live at the peak (click to zoom, search), the stacks and the size classes.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, report_opts);
    fputs("\n"
          "The retention thresholds default to values that do not fire on healthy\n"
          "programs (docs/retention.md); lower them to look closer.\n"
          "\n"
          "A log cut short (the program was killed) or damaged is reported as far as it\n"
          "goes, marked partial with the byte where it stops. Sizes in the text are in\n"
          "B, KiB, MiB, GiB; JSON has exact numbers.\n"
          "\n"
          "Exit status: 0 every log was reported (partial ones too) or the directory\n"
          "listed; 2 a bad command line, a log with nothing usable in it (not a log,\n"
          "another format version, not one whole record; the other logs are still\n"
          "reported) or a directory without logs; 1 memprof failed (out of memory, or\n"
          "the output could not be written).\n",
          out);
}

/* ---- Options ----------------------------------------------------------- */

static int parse_count(const char *opt, const char *value, size_t max, size_t *out)
{
    char *end;
    unsigned long long n;

    if (value[0] < '0' || value[0] > '9')
        goto bad;
    errno = 0;
    n = strtoull(value, &end, 10);
    if (errno || *end || n > max)
        goto bad;
    *out = (size_t)n;
    return 0;
bad:
    mp_usage_error("report", "bad value '%s' for --%s (expected --%s=N, a whole number from 0 "
                             "to %zu)",
                   value, opt, opt, max);
    return -MP_CLI_EUSAGE;
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    report_config_t *c = ctx;

    switch (opt->id) {
    case OPT_TOP:
        return parse_count("top", value, 1000000, &c->top);
    case OPT_DEPTH:
        return parse_count("depth", value, 100000, &c->depth);
    case OPT_JSON:
        c->json = 1;
        return 0;
    case OPT_HTML:
        c->html = 1;
        return 0;
    case OPT_OUTPUT:
        c->output = value;
        return 0;
    case OPT_COLOR:
        if (strcmp(value, "auto") == 0)
            c->color = COLOR_AUTO;
        else if (strcmp(value, "always") == 0)
            c->color = COLOR_ALWAYS;
        else if (strcmp(value, "never") == 0)
            c->color = COLOR_NEVER;
        else {
            mp_usage_error("report", "bad value '%s' for --color (expected "
                                     "--color=auto|always|never)",
                           value);
            return -MP_CLI_EUSAGE;
        }
        return 0;
    case OPT_DEBUG_DIR:
        if (c->ndebug_dirs == MAX_DEBUG_DIRS) {
            mp_usage_error("report", "at most %d --debug-dir options", MAX_DEBUG_DIRS);
            return -MP_CLI_EUSAGE;
        }
        c->debug_dirs[c->ndebug_dirs++] = value;
        return 0;
    case OPT_SYSROOT:
        c->sysroot = value;
        return 0;
    case OPT_ALLOC_FN:
        if (c->nalloc_fns == MAX_DEBUG_DIRS) {
            mp_usage_error("report", "at most %d --alloc-fn options", MAX_DEBUG_DIRS);
            return -MP_CLI_EUSAGE;
        }
        c->alloc_fns[c->nalloc_fns++] = value;
        return 0;
    case OPT_BUCKET_MIN:
    case OPT_SPAN_MIN:
    case OPT_IDLE_MIN: {
        unsigned long long n;
        if (mp_parse_size(value, 1ull << 50, &n) != 0) {
            mp_usage_error("report", "bad value '%s' for --%s (expected a SIZE: bytes, or "
                                     "with a suffix k, m or g)",
                           value, opt->name);
            return -MP_CLI_EUSAGE;
        }
        if (opt->id == OPT_BUCKET_MIN)
            c->retention.bucket_min_bytes = n;
        else if (opt->id == OPT_SPAN_MIN)
            c->retention.span_min_bytes = n;
        else
            c->retention.idle_min_bytes = n;
        return 0;
    }
    case OPT_BUCKET_FALL: {
        size_t pct;
        if (parse_count("bucket-fall", value, 100, &pct) != 0)
            return -MP_CLI_EUSAGE;
        c->retention.bucket_heap_fall = (double)pct / 100.0;
        return 0;
    }
    case OPT_SPAN_RATIO: {
        size_t r;
        if (parse_count("span-ratio", value, 1000, &r) != 0)
            return -MP_CLI_EUSAGE;
        if (r < 1) {
            mp_usage_error("report", "bad value '%s' for --span-ratio (at least 1)", value);
            return -MP_CLI_EUSAGE;
        }
        c->retention.span_ratio = (double)r;
        return 0;
    }
    case OPT_SCAVENGE_DELAY: {
        size_t ms;
        if (parse_count("scavenge-delay", value, 3600000, &ms) != 0)
            return -MP_CLI_EUSAGE;
        c->retention.idle_scavenge_delay_ns = (uint64_t)ms * 1000000u;
        return 0;
    }
    }
    return 0;
}

static int use_color(color_t c)
{
    const char *no = getenv("NO_COLOR");

    if (c != COLOR_AUTO)
        return c == COLOR_ALWAYS;
    return isatty(STDOUT_FILENO) && !(no && *no);
}

/* ---- Progress ---------------------------------------------------------- */

typedef struct progress {
    const char *name;  /* as the user named the log */
    uint64_t start_ns; /* CLOCK_MONOTONIC when reading began */
    int last;          /* percent shown, -1 before the first */
} progress_t;

static uint64_t now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void on_progress(void *arg, uint64_t offset, uint64_t size)
{
    progress_t *p = arg;
    int pct = size ? (int)(offset * 100 / size) : 100;

    if (pct == p->last || offset >= size || now_ns() - p->start_ns < PROGRESS_AFTER_NS)
        return;
    fprintf(stderr, "\rreading %s: %d%%", p->name, pct);
    fflush(stderr);
    p->last = pct;
}

static void progress_done(progress_t *p)
{
    if (p->last >= 0) {
        fputs("\r\033[K", stderr); /* back to column 0, erase the line */
        fflush(stderr);
    }
}

/* ---- One log ----------------------------------------------------------- */

/* Builds the report of path: 0 with *out set, 2 nothing usable (said
 * why), 1 out of memory (said). */
static int build(const report_config_t *c, const char *path, mp_report_t **out)
{
    mp_report_options_t o = {
        .top = c->html ? 0 : c->top, /* the HTML's flame graph draws every stack */
        .sym = { .debug_dirs = c->debug_dirs, .ndebug_dirs = c->ndebug_dirs,
                 .sysroot = c->sysroot, .demangle = true },
        .retention = &c->retention,
        .alloc_fns = c->alloc_fns,
        .nalloc_fns = c->nalloc_fns,
    };
    progress_t p = { path, now_ns(), -1 };
    mp_log_error_t err;
    int rc;

    if (isatty(STDERR_FILENO)) {
        o.progress = on_progress;
        o.progress_arg = &p;
    }
    rc = mp_report_build(path, &o, out, &err);
    progress_done(&p);
    if (rc == 0)
        return 0;
    if (rc == MP_ELOG_NOMEM) {
        fprintf(stderr, "memprof: report: %s: %s\n", path, err.msg);
        return 1;
    }
    if (err.chunk >= 0 && err.code != MP_ELOG_IO)
        fprintf(stderr, "memprof: report: %s: nothing to report: decoding stopped at byte %" PRIu64
                        " (chunk %" PRId64 "): %s\n",
                path, err.offset, err.chunk, err.msg);
    else
        fprintf(stderr, "memprof: report: %s: nothing to report: %s\n", path, err.msg);
    return 2;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int mp_cmd_report(int argc, char **argv, int *exit_status)
{
    report_config_t c = { .top = DEFAULT_TOP, .depth = DEFAULT_DEPTH, .color = COLOR_AUTO,
                          .retention = MP_RETENTION_DEFAULTS };
    mp_view_options_t v;
    mp_opts_result_t parsed;
    int err, status = 0, nlogs = 0, shown = 0;

    err = mp_opts_parse("report", report_opts, argc, argv, 1, on_option, &c, &parsed);
    if (err)
        return err;
    if (parsed.help) {
        mp_cmd_report_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (parsed.first_operand >= argc) {
        mp_usage_error("report", "no log to report on (usage: memprof report LOG...; see "
                                 "memprof report --help)");
        return -MP_CLI_EUSAGE;
    }
    for (int i = parsed.first_operand; i < argc; i++) {
        if (is_dir(argv[i])) {
            if (c.json) {
                mp_usage_error("report", "'%s' is a directory: --json reports on logs (name "
                                         "them; memprof report %s lists them)",
                               argv[i], argv[i]);
                return -MP_CLI_EUSAGE;
            }
        } else {
            nlogs++;
        }
    }
    v.depth = c.depth;
    v.top = c.top;
    v.color = !c.json && use_color(c.color);
    if (c.html || c.output) {
        mp_report_t *rep;

        if (!c.html || c.json || nlogs != 1 || argc - parsed.first_operand != 1) {
            mp_usage_error("report", "%s", !c.html ? "-o FILE is for --html"
                                           : c.json ? "--html and --json: choose one"
                                                    : "--html reports on one LOG (not a "
                                                      "directory, not several; options go "
                                                      "before the LOG)");
            return -MP_CLI_EUSAGE;
        }
        *exit_status = build(&c, argv[parsed.first_operand], &rep);
        if (*exit_status == 0)
            *exit_status = mp_report_html_file(rep, &v, c.output);
        mp_report_free(rep);
        return 0;
    }

    if (c.json && nlogs > 1)
        fputs("[", stdout);
    for (int i = parsed.first_operand; i < argc; i++) {
        mp_report_t *rep;
        int rc;

        if (is_dir(argv[i])) {
            if (shown++)
                fputc('\n', stdout);
            rc = mp_report_dir(stdout, argv[i], mp_cli_self());
            if (rc == 0)
                fprintf(stderr, "memprof: report: no memprof log in %s\n", argv[i]);
            if (rc <= 0 && status == 0)
                status = 2;
            continue;
        }
        rc = build(&c, argv[i], &rep);
        if (rc) {
            if (rc == 1 || status == 0)
                status = rc;
            continue;
        }
        if (c.json) {
            if (nlogs > 1)
                fputs(shown ? ",\n  " : "\n  ", stdout);
            mp_report_json(stdout, rep, &v, nlogs > 1);
            if (nlogs == 1)
                fputc('\n', stdout);
        } else {
            if (shown)
                fputs("\n\n", stdout);
            mp_report_text(stdout, rep, &v);
        }
        shown++;
        mp_report_free(rep);
        fflush(stdout);
    }
    if (c.json && nlogs > 1)
        fputs(shown ? "\n]\n" : "]\n", stdout);
    *exit_status = status;
    return 0;
}
