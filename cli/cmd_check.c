/*
 * cmd_check.c — `memprof check`: runs a command under memprof in full mode
 * (or reads a LOG), finds the stacks with blocks live at exit (the report
 * model, analyzer/report.h), drops those a suppression rule matches
 * (check_suppress.h), compares the rest with the thresholds and exits
 * with a status a CI job can gate on. Views: check_view.h.
 *
 * Running: the pieces of `memprof run` (spawn.h, run_env.h, run_log.h),
 * not a second memprof process: the shim is preloaded with
 * MEMPROF_OPTIONS=...:mode=full and log=<dir>/<exe>.mpz, <dir> a fresh
 * directory under $TMPDIR (removed afterwards) unless -o names the log to
 * keep. Forked children and exec'd programs write <log>.<pid> beside it;
 * every log of the run is checked (check_run.h): a process that exec'd
 * leaked nothing (its heap went with it), the others' leaks are listed
 * with their process, and the thresholds apply to the total.
 *
 * Exit statuses: 0 clean; --error-exitcode (default 3) leaks above the
 * thresholds; the program's own status if it failed (128+N if killed by
 * signal N, 127/126 if it could not be run), leaks or not; 2 bad command
 * line, bad suppressions file or unreadable LOG; 1 memprof failed (no log).
 */
#define _GNU_SOURCE
#include "cmd_check.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_baseline.h"
#include "check_run.h"
#include "check_sarif.h"
#include "check_suppress.h"
#include "check_view.h"
#include "cli_error.h"
#include "log_format.h"
#include "options.h"
#include "report.h"
#include "run_env.h"
#include "run_log.h"
#include "run_static.h"
#include "shim_path.h"
#include "spawn.h"

#define DEFAULT_ERROR_EXITCODE 3
#define DEFAULT_DEPTH 12
#define MAX_SUPP_FILES 32

enum {
    OPT_MAX_LEAKED,
    OPT_MAX_BLOCKS,
    OPT_ERROR_EXITCODE,
    OPT_SUPPRESSIONS,
    OPT_NO_DEFAULT_SUPP,
    OPT_PRINT_SUPP,
    OPT_GEN_SUPP,
    OPT_JUNIT,
    OPT_SARIF,
    OPT_JSON,
    OPT_OUTPUT,
    OPT_DEPTH,
    OPT_BASELINE,
    OPT_TOLERANCE,
    OPT_KINDS,
    OPT_NO_LEAK_SCAN,
};

static const mp_opt_t check_opts[] = {
    { "max-leaked", 0, "SIZE", "fail when more than SIZE bytes leak (default 0; 1k, 2m)",
      OPT_MAX_LEAKED },
    { "max-leaked-blocks", 0, "N", "fail when more than N blocks leak (default: no limit)",
      OPT_MAX_BLOCKS },
    { "error-exitcode", 0, "N", "exit status when leaks fail the check (default 3)",
      OPT_ERROR_EXITCODE },
    { "suppressions", 0, "FILE", "rules leak:PATTERN of expected leaks (repeatable)",
      OPT_SUPPRESSIONS },
    { "no-default-suppressions", 0, NULL, "do not apply the built-in C runtime rules",
      OPT_NO_DEFAULT_SUPP },
    { "print-suppressions", 0, NULL, "print the built-in rules and exit", OPT_PRINT_SUPP },
    { "gen-suppressions", 0, NULL, "print a rule for each leak found", OPT_GEN_SUPP },
    { "junit", 0, "FILE", "write the result as JUnit XML to FILE", OPT_JUNIT },
    { "sarif", 0, "FILE", "write the result as SARIF 2.1.0 to FILE (code scanning)", OPT_SARIF },
    { "json", 0, NULL, "print the result as JSON on stdout", OPT_JSON },
    { "output", 'o', "FILE", "keep the log as FILE (default: a temporary, removed)",
      OPT_OUTPUT },
    { "depth", 0, "N", "frames printed per stack (default 12; 0: all)", OPT_DEPTH },
    { "baseline", 0, "LOG", "fail when a stack's leak or the peak grew over LOG's",
      OPT_BASELINE },
    { "tolerance", 0, "T", "growth allowed over --baseline: 5%, 64k (default 0)",
      OPT_TOLERANCE },
    { "kinds", 0, "LIST", "leak kinds that count (default definite,indirect; see below)",
      OPT_KINDS },
    { "no-leak-scan", 0, NULL, "no leak scan at exit: every block still live counts",
      OPT_NO_LEAK_SCAN },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct check_config {
    unsigned long long max_leaked;
    int max_set; /* --max-leaked or --max-leaked-blocks given */
    const char *baseline;
    mp_check_tolerance_t tol;
    int tol_set;
    unsigned long long max_blocks; /* UINT64_MAX: none */
    int error_exitcode;
    const char *supp_files[MAX_SUPP_FILES];
    size_t nsupp_files;
    int no_default, print_supp, gen, json;
    const char *junit, *sarif, *output;
    size_t depth;
    unsigned kinds;    /* check_kinds.h */
    int no_leak_scan;
} check_config_t;

static int parse_num(const char *cmd_opt, const char *value, unsigned long long max,
                     unsigned long long *out)
{
    char *e;

    errno = 0;
    if (value[0] >= '0' && value[0] <= '9') {
        *out = strtoull(value, &e, 10);
        if (errno == 0 && *e == '\0' && *out <= max)
            return 0;
    }
    mp_usage_error("check", "bad value '%s' for --%s (expected a whole number up to %llu)", value,
                   cmd_opt, max);
    return -MP_CLI_EUSAGE;
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    check_config_t *c = ctx;
    unsigned long long n;
    int err;

    switch (opt->id) {
    case OPT_BASELINE:
        c->baseline = value;
        return 0;
    case OPT_KINDS: {
        char bad[64];
        if (mp_check_kinds_parse(value, &c->kinds, bad, sizeof bad) != 0) {
            mp_usage_error("check", "bad value '%s' for --kinds%s%s%s (expected a comma-separated "
                                    "list of definite, indirect, possible, reachable, or all)",
                           value, bad[0] ? ": '" : "", bad, bad[0] ? "' is no kind" : "");
            return -MP_CLI_EUSAGE;
        }
        return 0;
    }
    case OPT_NO_LEAK_SCAN:
        c->no_leak_scan = 1;
        return 0;
    case OPT_TOLERANCE:
        if (mp_check_tolerance_parse(value, &c->tol) != 0) {
            mp_usage_error("check", "bad value '%s' for --tolerance (expected a percentage of "
                                    "the baseline's figure, --tolerance=5%%, or a size in "
                                    "bytes, --tolerance=64k)",
                           value);
            return -MP_CLI_EUSAGE;
        }
        c->tol_set = 1;
        return 0;
    case OPT_MAX_LEAKED:
        c->max_set = 1;
        if (mp_parse_size(value, UINT64_MAX, &c->max_leaked) != 0) {
            mp_usage_error("check", "bad value '%s' for --max-leaked (expected SIZE: bytes, or "
                                    "with k, m or g: --max-leaked=1k)",
                           value);
            return -MP_CLI_EUSAGE;
        }
        return 0;
    case OPT_MAX_BLOCKS:
        c->max_set = 1;
        return parse_num("max-leaked-blocks", value, UINT64_MAX - 1, &c->max_blocks);
    case OPT_ERROR_EXITCODE:
        if ((err = parse_num("error-exitcode", value, 255, &n)) != 0)
            return err;
        c->error_exitcode = (int)n;
        return 0;
    case OPT_SUPPRESSIONS:
        if (c->nsupp_files == MAX_SUPP_FILES) {
            mp_usage_error("check", "at most %d --suppressions files", MAX_SUPP_FILES);
            return -MP_CLI_EUSAGE;
        }
        c->supp_files[c->nsupp_files++] = value;
        return 0;
    case OPT_NO_DEFAULT_SUPP:
        c->no_default = 1;
        return 0;
    case OPT_PRINT_SUPP:
        c->print_supp = 1;
        return 0;
    case OPT_GEN_SUPP:
        c->gen = 1;
        return 0;
    case OPT_JUNIT:
        c->junit = value;
        return 0;
    case OPT_SARIF:
        c->sarif = value;
        return 0;
    case OPT_JSON:
        c->json = 1;
        return 0;
    case OPT_OUTPUT:
        c->output = value;
        return 0;
    case OPT_DEPTH:
        if ((err = parse_num("depth", value, 1000000, &n)) != 0)
            return err;
        c->depth = (size_t)n;
        return 0;
    }
    return 0;
}

void mp_cmd_check_help(FILE *out)
{
    fputs("Usage: memprof check [options] [--] command [args...]\n"
          "       memprof check [options] LOG\n"
          "\n"
          "The CI leak check. Runs command under memprof (full mode: every allocation),\n"
          "or reads a LOG that memprof run wrote, and lists the stacks whose blocks\n"
          "were still allocated at exit, with their symbolized stacks, less the leaks\n"
          "that suppression rules expect. Fails when what is left is above the\n"
          "thresholds. A single operand that ends in .mpz or is a memprof log is a LOG;\n"
          "use -- before a command to be sure.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, check_opts);
    fputs("\n"
          "Suppressions (LeakSanitizer's syntax): one rule leak:PATTERN per line, #\n"
          "comments. PATTERN matches a frame's function, module or source file; * is\n"
          "a wildcard, ^ and $ anchor it at the start and end of the name, and without\n"
          "them it may match anywhere inside. Built-in rules (--print-suppressions)\n"
          "cover the C runtime's one-time allocations.\n"
          "\n"
          "Baseline: with --baseline LOG (a log of an earlier run, memprof run -o LOG),\n"
          "the check fails when a stack leaks more than in LOG, or a program's peak\n"
          "heap is higher, by more than --tolerance; stacks are matched by function\n"
          "and file names. The leaks LOG already had pass, unless --max-leaked or\n"
          "--max-leaked-blocks is given too.\n"
          "\n"
          "Leak kinds, from memprof's scan for pointers at exit, as valgrind memcheck's:\n"
          "definite (no pointer to the block), indirect (reached only from lost blocks),\n"
          "possible (reached only through pointers into its middle), reachable (still\n"
          "pointed to). --kinds=LIST picks those that count against the thresholds\n"
          "(default definite,indirect; all for every block still live); the summary\n"
          "gives all four. A log without the scan (sampled mode, --no-leak-scan) has no\n"
          "kinds: every block still live counts.\n"
          "\n"
          "Every process of the run is checked (forked children, exec'd programs);\n"
          "the thresholds apply to their total.\n"
          "\n"
          "Output: the summary on stderr; --json on stdout; --junit FILE; --sarif FILE.\n"
          "\n"
          "Exit status:\n"
          "  0    no leaks above the thresholds\n"
          "  3    leaks above the thresholds, or growth beyond the baseline\n"
          "       (--error-exitcode=N to change)\n"
          "  N    the program failed: its own exit status (128+N if killed by signal\n"
          "       N; 127 not found, 126 not executable), leaks listed all the same\n"
          "  2    bad command line, bad suppressions file, LOG or baseline unreadable\n"
          "  1    memprof itself failed (no log was written)\n",
          out);
}

static void print_builtin(FILE *out)
{
    mp_supp_t *s;

    if (mp_supp_create(&s) != 0 || mp_supp_add_builtin(s) != 0) {
        mp_supp_destroy(s);
        return;
    }
    fputs("# memprof check's built-in suppressions (--no-default-suppressions turns\n"
          "# them off). Each is matched against the C-runtime frames nearest the\n"
          "# allocation only (libc.so, ld-linux), not the whole stack.\n",
          out);
    for (size_t i = 0; i < mp_supp_count(s); i++) {
        const mp_supp_rule_t *r = mp_supp_rule(s, i);
        fprintf(out, "# %s\nleak:%s\n", r->why, r->pattern);
    }
    mp_supp_destroy(s);
}

/* 1 if path looks like a log rather than a command. */
static int is_log(const char *path)
{
    size_t len = strlen(path);
    char magic[MP_LOG_MAGIC_SIZE];
    FILE *f;
    int yes = 0;

    if (len > 4 && strcmp(path + len - 4, ".mpz") == 0)
        return 1;
    f = fopen(path, "rb");
    if (!f)
        return 0;
    yes = fread(magic, 1, sizeof magic, f) == sizeof magic &&
          memcmp(magic, MP_LOG_MAGIC, MP_LOG_MAGIC_SIZE) == 0;
    fclose(f);
    return yes;
}

/* Removes dir and the logs in it (ours and those of exec'd programs). */
static void remove_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX + 300];

    if (d) {
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Runs command with the shim; *log_path gets the log's path. */
static int run_command(const check_config_t *c, char **command, char *tmpdir, size_t tmpcap,
                       char *log_path, size_t cap, mp_spawn_result_t *res, int *is_static)
{
    static mp_run_log_t log;
    static mp_optbuf_t opts;
    char shim[PATH_MAX], path[PATH_MAX];
    const char *base = strrchr(command[0], '/') ? strrchr(command[0], '/') + 1 : command[0];
    int err;

    tmpdir[0] = '\0';
    if (c->output) {
        snprintf(path, sizeof path, "%s", c->output);
    } else {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, tmpcap, "%s/memprof-check.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "memprof: check: cannot create a directory for the log (%s): %s\n",
                    tmpdir, strerror(errno));
            tmpdir[0] = '\0';
            return -MP_CLI_ESYS;
        }
        snprintf(path, sizeof path, "%s/%.100s.mpz", tmpdir, *base ? base : "program");
    }
    if ((err = mp_run_log_choose(&log, path, c->output ? "-o" : "the check", command[0])) != 0)
        return err;
    opts.len = 0;
    opts.text[0] = '\0';
    if ((err = mp_optbuf_add(&opts, "mode", "full")) != 0 ||
        (c->no_leak_scan && (err = mp_optbuf_add(&opts, "leak_scan", "0")) != 0) ||
        (err = mp_shim_find(shim, sizeof shim)) != 0 || (err = mp_env_set_preload(shim)) != 0 ||
        (err = mp_env_set_options(opts.text)) != 0)
        return err;
    *is_static = mp_run_static_warn(command[0]);
    if ((err = mp_spawn(command, mp_run_log_child_env, &log, res)) != 0)
        return err;
    mp_spawn_report(command, res);
    snprintf(log_path, cap, "%s", path);
    return 0;
}

static int load_suppressions(const check_config_t *c, mp_supp_t **out)
{
    int bad = 0;

    if (mp_supp_create(out) != 0 || (!c->no_default && mp_supp_add_builtin(*out) != 0)) {
        fputs("memprof: check: out of memory\n", stderr);
        return -MP_CLI_ENOMEM;
    }
    for (size_t i = 0; i < c->nsupp_files; i++) {
        int rc = mp_supp_load(*out, c->supp_files[i], stderr);
        if (rc < 0)
            return -MP_CLI_EUSAGE;
        bad += rc;
    }
    if (bad) {
        mp_usage_error("check", "%d bad suppression %s (see above)", bad,
                       bad == 1 ? "line" : "lines");
        return -MP_CLI_EUSAGE;
    }
    return 0;
}

/* Orders leaks largest first; the run's order (main process first) and
 * then each report's order break ties. */
static int by_bytes(const void *pa, const void *pb)
{
    const mp_check_leak_t *a = pa, *b = pb;

    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Fills r's leaks from every process of run that did not exec; 0, or 1
 * (out of memory). */
static int evaluate(const mp_check_run_t *run, mp_supp_t *supp, mp_check_leak_t **leaks,
                    mp_check_result_t *r)
{
    size_t total = 0, n = 0;

    for (size_t p = 0; p < run->n; p++) {
        r->partial |= run->v[p].partial;
        if (!run->v[p].execd)
            total += mp_report_list(run->v[p].rep, MP_REPORT_LEAKS)->n;
    }
    *leaks = calloc(total ? total : 1, sizeof **leaks);
    if (!*leaks) {
        fputs("memprof: check: out of memory\n", stderr);
        return 1;
    }
    for (size_t p = 0; p < run->n; p++) {
        const mp_report_list_t *list = mp_report_list(run->v[p].rep, MP_REPORT_LEAKS);
        const char *missing;
        int have;
        if (run->v[p].execd)
            continue;
        missing = mp_check_kinds_missing(mp_report_replay(run->v[p].rep));
        have = missing == NULL;
        r->have_kinds |= have;
        if (!have && !r->no_kinds)
            r->no_kinds = missing;
        for (size_t i = 0; i < list->n; i++) {
            mp_check_leak_t *l = &(*leaks)[n];
            const mp_report_entry_t *e = &list->v[i];
            mp_supp_rule_t *rule;

            l->proc = &run->v[p];
            l->stack = e->stack;
            /* Only the kinds counted (--kinds); a stack with none of them
             * is in the leak summary only. */
            mp_check_kinds_count(e->site, have, r->kinds, l);
            rule = e->stack ? mp_supp_match(supp, e->stack->frames, e->stack->nframes) : NULL;
            for (unsigned k = 0; k < MP_LEAK_KINDS && !rule; k++) {
                r->kind_bytes[k] += l->kind_bytes[k];
                r->kind_blocks[k] += l->kind_blocks[k];
            }
            if (l->blocks == 0)
                continue;
            l->order = n++;
            l->rule = rule;
            if (rule) {
                rule->bytes += l->bytes;
                rule->blocks += l->blocks;
                r->supp_bytes += l->bytes;
                r->supp_blocks += l->blocks;
                r->supp_stacks++;
            } else {
                r->bytes += l->bytes;
                r->blocks += l->blocks;
                r->stacks++;
            }
        }
    }
    qsort(*leaks, n, sizeof **leaks, by_bytes);
    r->leaks = *leaks;
    r->nleaks = n;
    r->procs = run->v;
    r->nprocs = run->n;
    return 0;
}

int mp_cmd_check(int argc, char **argv, int *exit_status)
{
    check_config_t c = { .max_blocks = UINT64_MAX, .error_exitcode = DEFAULT_ERROR_EXITCODE,
                         .depth = DEFAULT_DEPTH, .kinds = MP_CHECK_KINDS_DEFAULT };
    mp_check_result_t r = { .program_status = -1 };
    mp_opts_result_t parsed;
    mp_spawn_result_t res = { 0 };
    mp_supp_t *supp = NULL;
    mp_check_run_t run = { 0 };
    mp_check_baseline_t *baseline = NULL;
    mp_report_options_t ro = { .top = 0, .sym = { .demangle = true } };
    mp_check_leak_t *leaks = NULL;
    static char log_path[PATH_MAX + 64], tmpdir[PATH_MAX];
    char **command = NULL;
    int err, status, dashdash, is_static = 0, ran = 0;

    c.tol.text[0] = '0'; /* no growth allowed unless --tolerance */

    err = mp_opts_parse("check", check_opts, argc, argv, 1, on_option, &c, &parsed);
    if (err)
        return err;
    if (parsed.help) {
        mp_cmd_check_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (c.print_supp) {
        print_builtin(stdout);
        *exit_status = 0;
        return 0;
    }
    if (parsed.first_operand >= argc) {
        mp_usage_error("check", "no command to run and no log to read (usage: memprof check "
                                "[options] -- command [args...], or memprof check LOG; see "
                                "memprof check --help)");
        return -MP_CLI_EUSAGE;
    }
    dashdash = strcmp(argv[parsed.first_operand - 1], "--") == 0;
    if (!dashdash && parsed.first_operand == argc - 1 && is_log(argv[parsed.first_operand])) {
        if (c.output) {
            mp_usage_error("check", "-o names the log of a command: '%s' is already a log",
                           argv[parsed.first_operand]);
            return -MP_CLI_EUSAGE;
        }
        snprintf(log_path, sizeof log_path, "%s", argv[parsed.first_operand]);
    } else {
        command = argv + parsed.first_operand;
    }
    if ((err = load_suppressions(&c, &supp)) != 0)
        goto out;

    if (c.tol_set && !c.baseline) {
        mp_usage_error("check", "--tolerance needs --baseline LOG: the growth it allows is "
                                "over that log's figures");
        err = -MP_CLI_EUSAGE;
        goto out;
    }
    /* A baseline that cannot be read is said now, not after the run. */
    if (c.baseline && (access(c.baseline, R_OK) != 0 || !is_log(c.baseline))) {
        int unreadable = access(c.baseline, R_OK) != 0;
        mp_usage_error("check", "--baseline %s: %s", c.baseline,
                       unreadable ? strerror(errno) : "not a memprof log");
        err = -MP_CLI_EUSAGE;
        goto out;
    }
    /* With a baseline, the leaks it had are accepted: no threshold unless
     * one is given. */
    r.max_leaked = c.baseline && !c.max_set ? UINT64_MAX : c.max_leaked;
    r.max_blocks = c.max_blocks;
    r.kinds = c.kinds;
    if (command) {
        err = run_command(&c, command, tmpdir, sizeof tmpdir, log_path, sizeof log_path, &res,
                          &is_static);
        if (err)
            goto out;
        ran = 1;
        r.command = command[0];
        if (res.exec_err || res.setup_err) {
            mp_spawn_finish(&res, &status); /* 127, 126 or 1: nothing ran */
            *exit_status = status;
            goto out;
        }
        if (res.signal)
            r.program_signal = res.signal;
        else
            r.program_status = res.status;
        if (access(log_path, F_OK) != 0) {
            fprintf(stderr, "memprof: check: %s wrote no log%s: nothing to check\n", command[0],
                    is_static ? " (it is statically linked)" : "");
            err = -MP_CLI_ESYS;
            goto out;
        }
    }
    r.log = log_path;
    if ((status = mp_check_run_load(&run, log_path, tmpdir[0] != '\0', &ro)) != 0 ||
        (status = evaluate(&run, supp, &leaks, &r)) != 0) {
        if (status == 1)
            err = -MP_CLI_ESYS;
        else
            err = -MP_CLI_EUSAGE;
        goto out;
    }
    if (c.baseline) {
        if ((status = mp_check_baseline_compare(c.baseline, &c.tol, &ro, &r, &baseline)) != 0) {
            err = status == 1 ? -MP_CLI_ESYS : -MP_CLI_EUSAGE;
            goto out;
        }
        r.baseline = baseline;
    }

    if (r.program_signal || r.program_status > 0) {
        r.verdict = MP_CHECK_PROGRAM_FAILED;
        r.exit_status = r.program_signal ? 128 + r.program_signal : r.program_status;
    } else if (r.bytes > r.max_leaked || r.blocks > r.max_blocks) {
        r.verdict = MP_CHECK_LEAKS;
        r.exit_status = c.error_exitcode;
    } else if (mp_check_baseline_failed(baseline)) {
        r.verdict = MP_CHECK_REGRESSION;
        r.exit_status = c.error_exitcode;
    } else {
        r.verdict = MP_CHECK_CLEAN;
        r.exit_status = 0;
    }
    if (!c.output && tmpdir[0])
        r.log = NULL; /* removed below: name none */
    mp_check_text(stderr, &r, c.depth, c.gen);
    if (c.json)
        mp_check_json(stdout, &r);
    if (c.junit) {
        FILE *f = fopen(c.junit, "w");
        if (!f || mp_check_junit(f, &r) != 0 || fclose(f) != 0) {
            fprintf(stderr, "memprof: check: cannot write %s: %s\n", c.junit, strerror(errno));
            err = -MP_CLI_ESYS;
            goto out;
        }
    }
    if (c.sarif) {
        FILE *f = fopen(c.sarif, "w");
        if (!f || mp_check_sarif(f, &r, NULL, MP_VERSION) != 0 || fclose(f) != 0) {
            fprintf(stderr, "memprof: check: cannot write %s: %s\n", c.sarif, strerror(errno));
            err = -MP_CLI_ESYS;
            goto out;
        }
    }
    *exit_status = r.exit_status;
out:
    (void)ran;
    mp_check_baseline_free(baseline);
    mp_check_run_free(&run);
    free(leaks);
    mp_supp_destroy(supp);
    if (tmpdir[0])
        remove_tmp(tmpdir);
    return err;
}
