/*
 * cmd_run.c — `memprof run`: turns its options into MEMPROF_OPTIONS for the
 * shim, chooses the log, finds the shim, runs the program with both in its
 * environment, and reports on the log when the program has ended.
 *
 * Two tables drive it. run_opts lists the options (parsed by options.c);
 * modes lists every recording mode the project defines, with the shim's
 * value for it, or NULL while this build's shim cannot do it yet, so that a
 * mode that is planned gets "not available yet" rather than "unknown".
 *
 * The mapping, option → MEMPROF_OPTIONS key (the shim's names, see
 * preload/options.c):
 *   --mode=off|full        mode=off|full
 *   --mode=sample          mode=full:sample=524288 (the default interval)
 *   --sample=SIZE          mode=full:sample=BYTES (implies --mode=sample)
 *   --depth=N              depth=N
 *   --no-follow-fork       follow_fork=0
 *   --no-follow-exec       follow_exec=0
 *   --stats                stats=1
 *   --scavenge-delay=MS    scavenge_delay_ms=MS
 *   --no-leak-scan         leak_scan=0
 *   -o FILE, or default    log=<absolute path> (see run_log.h)
 * Keys are appended after whatever the user put in MEMPROF_OPTIONS and the
 * shim lets the later one win, so flags beat the environment; a mode or a
 * log= in the environment beats memprof's defaults (full, and the default
 * name). log= is added last, in the child (spawn.h's setup), because the
 * default name holds the program's pid.
 */
#include "cmd_run.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "options.h"
#include "run_env.h"
#include "run_log.h"
#include "run_static.h"
#include "shim_path.h"
#include "spawn.h"

typedef struct run_mode {
    const char *name; /* as spelt in --mode=NAME */
    const char *shim; /* the shim's value for mode=, NULL if not built yet */
    int records;      /* 1: the shim writes a log */
    int sampled;      /* 1: also sample=BYTES */
    const char *help; /* one line for --help */
} run_mode_t;

static const run_mode_t modes[] = {
    { "full", "full", 1, 0, "every allocation and free with its stack" },
    { "sample", "full", 1, 1, "allocations sampled by bytes (--sample=SIZE), for production" },
    { "off", "off", 0, 0, "the shim is the allocator and records nothing; no log" },
};
#define NMODES (sizeof modes / sizeof modes[0])
#define MODE_FULL (&modes[0])
#define MODE_SAMPLE (&modes[1])
#define MODE_OFF (&modes[2])

/* DESIGN.md: full is the default. */
#define DEFAULT_MODE MODE_FULL

/* Longest --scavenge-delay accepted: the shim's own limit for
 * scavenge_delay_ms (preload/options.c, one hour). The shim would only warn
 * about a larger value and keep its default, so we refuse it here, where
 * the user gets an exit status and not just a warning. */
#define MAX_SCAVENGE_MS 3600000UL

/* --depth: the shim's range for depth= (preload/options.c) and default. */
#define MIN_DEPTH 1UL
#define MAX_DEPTH 256UL

/* --sample: the mean number of bytes between samples. 512 KiB keeps the
 * cost of a busy server's sampling low while a 100 MB heap still gets a
 * few hundred samples; 1 GiB is the largest we accept, since beyond it
 * most programs would get no sample at all. */
#define DEFAULT_SAMPLE_BYTES (512ULL << 10)
#define MAX_SAMPLE_BYTES (1ULL << 30)

enum {
    OPT_OUTPUT,
    OPT_MODE,
    OPT_DEPTH,
    OPT_SAMPLE,
    OPT_NO_FOLLOW_FORK,
    OPT_NO_FOLLOW_EXEC,
    OPT_STATS,
    OPT_SCAVENGE_DELAY,
    OPT_NO_LEAK_SCAN,
};

static const mp_opt_t run_opts[] = {
    { "output", 'o', "FILE", "write the log to FILE (never overwritten; default below)",
      OPT_OUTPUT },
    { "mode", 0, "MODE", "what the shim records (see Modes below)", OPT_MODE },
    { "depth", 0, "N", "frames per stack, 1 to 256 (default 64)", OPT_DEPTH },
    { "sample", 0, "SIZE", "sample one allocation per SIZE bytes on average (512k, 2m)",
      OPT_SAMPLE },
    { "no-follow-fork", 0, NULL, "forked children keep the allocator but write no log",
      OPT_NO_FOLLOW_FORK },
    { "no-follow-exec", 0, NULL, "programs the command execs run without the shim",
      OPT_NO_FOLLOW_EXEC },
    { "stats", 0, NULL, "the shim prints its heap counters on stderr at exit", OPT_STATS },
    { "scavenge-delay", 0, "MS",
      "return free pages to the OS after MS milliseconds idle", OPT_SCAVENGE_DELAY },
    { "no-leak-scan", 0, NULL,
      "no leak scan at exit: leaks get no kind (definitely lost, ...)", OPT_NO_LEAK_SCAN },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct run_config {
    const run_mode_t *mode;     /* NULL: not given on the command line */
    const char *output;         /* -o FILE, or NULL */
    unsigned long depth;        /* --depth, 0 if not given */
    unsigned long long sample;  /* --sample in bytes, 0 if not given */
    int no_follow_fork;         /* --no-follow-fork given */
    int no_follow_exec;         /* --no-follow-exec given */
    int stats;                  /* --stats given */
    int have_scavenge;          /* --scavenge-delay given */
    unsigned long scavenge_ms;  /* its value, <= MAX_SCAVENGE_MS */
    int no_leak_scan;           /* --no-leak-scan given */
} run_config_t;

/* Writes the names of the modes this build can run into buf, separated
 * by sep. */
static const char *mode_names(char *buf, size_t size, const char *sep)
{
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < NMODES; i++) {
        if (!modes[i].shim)
            continue;
        int n = snprintf(buf + len, size - len, "%s%s", len ? sep : "", modes[i].name);
        if (n < 0 || (size_t)n >= size - len)
            break; /* cut short: only a message gets shorter */
        len += (size_t)n;
    }
    return buf;
}

static int set_mode(run_config_t *cfg, const char *value)
{
    char names[128];

    for (size_t i = 0; i < NMODES; i++) {
        if (strcmp(modes[i].name, value) != 0)
            continue;
        if (!modes[i].shim) {
            mp_usage_error("run", "mode '%s' is not available yet in this build; use --mode=%s",
                           value, DEFAULT_MODE->name);
            return -MP_CLI_EUSAGE;
        }
        cfg->mode = &modes[i];
        return 0;
    }
    mp_usage_error("run", "unknown mode '%s' for --mode (expected --mode=%s)", value,
                   mode_names(names, sizeof names, "|"));
    return -MP_CLI_EUSAGE;
}

/* value as a whole decimal number with nothing around it (strtoull alone
 * accepts signs and spaces): 0 with *out set, or -1. end, if not NULL, gets
 * what follows the digits, which then need not be the end. */
static int parse_digits(const char *value, unsigned long long *out, const char **end)
{
    char *e;

    if (value[0] < '0' || value[0] > '9')
        return -1;
    errno = 0;
    *out = strtoull(value, &e, 10);
    if (errno == ERANGE || (!end && *e != '\0'))
        return -1;
    if (end)
        *end = e;
    return 0;
}

static int set_scavenge(run_config_t *cfg, const char *value)
{
    unsigned long long ms;

    if (parse_digits(value, &ms, NULL) != 0 || ms > MAX_SCAVENGE_MS) {
        mp_usage_error("run",
                       "bad value '%s' for --scavenge-delay (expected --scavenge-delay=MS, "
                       "a whole number of milliseconds up to %lu)",
                       value, (unsigned long)MAX_SCAVENGE_MS);
        return -MP_CLI_EUSAGE;
    }
    cfg->have_scavenge = 1;
    cfg->scavenge_ms = (unsigned long)ms;
    return 0;
}

static int set_depth(run_config_t *cfg, const char *value)
{
    unsigned long long n;

    if (parse_digits(value, &n, NULL) != 0 || n < MIN_DEPTH || n > MAX_DEPTH) {
        mp_usage_error("run",
                       "bad value '%s' for --depth (expected --depth=N, a number of stack "
                       "frames from %lu to %lu)",
                       value, MIN_DEPTH, MAX_DEPTH);
        return -MP_CLI_EUSAGE;
    }
    cfg->depth = (unsigned long)n;
    return 0;
}

/* SIZE: digits, then optionally k, m or g (mp_parse_size). */
static int set_sample(run_config_t *cfg, const char *value)
{
    unsigned long long n;

    if (mp_parse_size(value, MAX_SAMPLE_BYTES, &n) == 0) {
        if (n == 0) {
            mp_usage_error("run", "bad value '%s' for --sample: the mean interval between "
                                  "samples must be at least 1 byte (for every allocation, "
                                  "use --mode=full)",
                           value);
            return -MP_CLI_EUSAGE;
        }
        cfg->sample = n;
        return 0;
    }
    mp_usage_error("run",
                   "bad value '%s' for --sample (expected --sample=SIZE, the mean number of "
                   "bytes between samples, from 1 to 1g, with an optional k, m or g suffix: "
                   "--sample=512k)",
                   value);
    return -MP_CLI_EUSAGE;
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    run_config_t *cfg = ctx;

    switch (opt->id) {
    case OPT_OUTPUT:
        cfg->output = value;
        return 0;
    case OPT_MODE:
        return set_mode(cfg, value);
    case OPT_DEPTH:
        return set_depth(cfg, value);
    case OPT_SAMPLE:
        return set_sample(cfg, value);
    case OPT_NO_FOLLOW_FORK:
        cfg->no_follow_fork = 1;
        return 0;
    case OPT_NO_FOLLOW_EXEC:
        cfg->no_follow_exec = 1;
        return 0;
    case OPT_STATS:
        cfg->stats = 1;
        return 0;
    case OPT_SCAVENGE_DELAY:
        return set_scavenge(cfg, value);
    case OPT_NO_LEAK_SCAN:
        cfg->no_leak_scan = 1;
        return 0;
    }
    return 0;
}

void mp_cmd_run_help(FILE *out)
{
    fputs("Usage: memprof run [options] [--] command [args...]\n"
          "\n"
          "Runs command with memprof's shim, libmemprof.so, preloaded as its malloc,\n"
          "and records what it allocates in a log. When the command ends, memprof\n"
          "says where the log is, how big it is and how many events it holds, lists\n"
          "the logs of the command's child processes, and exits as the command did.\n"
          "Options end at the first argument that is not an option, or at '--'.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, run_opts);
    fprintf(out, "\nModes (default: %s):\n", DEFAULT_MODE->name);
    for (size_t i = 0; i < NMODES; i++)
        fprintf(out, "  %-22s %s%s\n", modes[i].name, modes[i].help,
                modes[i].shim ? "" : " (not available yet)");
    fprintf(out,
            "\n"
            "The log: memprof.<command>.<pid>.mpz in the current directory, unless -o\n"
            "names it; created new (never overwriting a file, never through a symlink),\n"
            "readable by you only. A path may not contain ':'. Forked children write\n"
            "memprof.<exe>.<pid>.mpz in their current directory, programs started by\n"
            "exec <log>.<pid>.\n"
            "\n"
            "SIZE is bytes, or with a suffix k, m or g (powers of 1024). --sample\n"
            "implies --mode=sample; --mode=sample alone samples every %llu KiB on\n"
            "average.\n"
            "\n"
            "Environment:\n"
            "  MEMPROF_SHIM     use this libmemprof.so instead of the one next to memprof\n"
            "  MEMPROF_OPTIONS  shim options (key=value:...), e.g. mode=off or log=FILE;\n"
            "                   the options above win\n"
            "  LD_PRELOAD       kept, after the shim\n"
            "\n"
            "Exit status: the command's own; 127 if it was not found, 126 if it could\n"
            "not be executed; if it was killed by a signal, memprof kills itself with\n"
            "the same signal (a shell shows 128+N); 2 for a bad memprof command line.\n",
            DEFAULT_SAMPLE_BYTES >> 10);
}

/* The shim's values for mode= (preload/options.c). */
static int shim_mode_valid(const char *v, size_t len)
{
    return (len == 3 && memcmp(v, "off", 3) == 0) || (len == 4 && memcmp(v, "full", 4) == 0);
}

/* The shim takes any log= from 1 to 4095 bytes. */
static int shim_log_valid(const char *v, size_t len)
{
    return len >= 1 && len <= 4095;
}

/* Settles the mode from the flags, then the environment, then the default;
 * refuses combinations that cannot mean what they say. */
static int settle_mode(run_config_t *cfg, const char *env, const run_mode_t **mode,
                       int *from_env)
{
    char v[8];

    *from_env = 0;
    if (cfg->sample && cfg->mode && cfg->mode != MODE_SAMPLE) {
        mp_usage_error("run", "--sample samples allocations: it cannot be combined with "
                              "--mode=%s",
                       cfg->mode->name);
        return -MP_CLI_EUSAGE;
    }
    if (cfg->mode)
        *mode = cfg->mode;
    else if (cfg->sample)
        *mode = MODE_SAMPLE;
    else if (mp_options_get(env, "mode", shim_mode_valid, v, sizeof v)) {
        *mode = strcmp(v, "off") == 0 ? MODE_OFF : MODE_FULL;
        *from_env = 1;
    } else
        *mode = DEFAULT_MODE;

    if (cfg->output && !(*mode)->records) {
        mp_usage_error("run", "-o/--output: mode off%s writes no log (add --mode=full)",
                       *from_env ? " (from MEMPROF_OPTIONS)" : "");
        return -MP_CLI_EUSAGE;
    }
    return 0;
}

/* MEMPROF_OPTIONS keys for cfg, in a fixed order, all but log=. */
static int build_options(const run_config_t *cfg, const run_mode_t *mode, int mode_from_env,
                         mp_optbuf_t *b)
{
    char num[32];
    int err = 0;

    b->len = 0;
    b->text[0] = '\0';
    if (!mode_from_env)
        err = mp_optbuf_add(b, "mode", mode->shim);
    if (!err && mode->sampled) {
        snprintf(num, sizeof num, "%llu", cfg->sample ? cfg->sample : DEFAULT_SAMPLE_BYTES);
        err = mp_optbuf_add(b, "sample", num);
    }
    if (!err && cfg->depth) {
        snprintf(num, sizeof num, "%lu", cfg->depth);
        err = mp_optbuf_add(b, "depth", num);
    }
    if (!err && cfg->no_follow_fork)
        err = mp_optbuf_add(b, "follow_fork", "0");
    if (!err && cfg->no_follow_exec)
        err = mp_optbuf_add(b, "follow_exec", "0");
    if (!err && cfg->stats)
        err = mp_optbuf_add(b, "stats", "1");
    if (!err && cfg->have_scavenge) {
        snprintf(num, sizeof num, "%lu", cfg->scavenge_ms);
        err = mp_optbuf_add(b, "scavenge_delay_ms", num);
    }
    if (!err && cfg->no_leak_scan)
        err = mp_optbuf_add(b, "leak_scan", "0");
    return err;
}

int mp_cmd_run(int argc, char **argv, int *exit_status)
{
    static mp_run_log_t log; /* paths: ~12 KiB, not on the stack */
    const char *env = getenv("MEMPROF_OPTIONS");
    const char *log_path, *log_origin;
    char env_log[4096];
    const run_mode_t *mode;
    run_config_t cfg = { 0 };
    mp_opts_result_t parsed;
    mp_spawn_result_t res;
    mp_run_clock_t clock;
    char shim[PATH_MAX];
    static mp_optbuf_t opts;
    char **command;
    int err, mode_from_env, is_static = 0;

    err = mp_opts_parse("run", run_opts, argc, argv, 1, on_option, &cfg, &parsed);
    if (err)
        return err;
    if (parsed.help) {
        mp_cmd_run_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (parsed.first_operand >= argc) {
        mp_usage_error("run", "no command to run (usage: memprof run [options] [--] command "
                              "[args...]; see memprof run --help)");
        return -MP_CLI_EUSAGE;
    }
    command = argv + parsed.first_operand;

    if ((err = settle_mode(&cfg, env, &mode, &mode_from_env)) != 0)
        return err;
    if (mode->records) {
        log_path = cfg.output;
        log_origin = "-o";
        if (!log_path && mp_options_get(env, "log", shim_log_valid, env_log, sizeof env_log)) {
            log_path = env_log;
            log_origin = "log= in MEMPROF_OPTIONS";
        }
        if ((err = mp_run_log_choose(&log, log_path, log_origin, command[0])) != 0)
            return err;
    }

    if ((err = build_options(&cfg, mode, mode_from_env, &opts)) != 0 ||
        (err = mp_shim_find(shim, sizeof shim)) != 0 ||
        (err = mp_env_set_preload(shim)) != 0 ||
        (err = mp_env_set_options(opts.text)) != 0)
        return err;

    /* A static program never loads the shim: say so now, not by a missing
     * log at the end (run_static.h). */
    if (mode->records)
        is_static = mp_run_static_warn(command[0]);
    mp_run_clock_start(&clock);
    err = mp_spawn(command, mode->records ? mp_run_log_child_env : NULL, &log, &res);
    if (err)
        return err;
    mp_spawn_report(command, &res);
    if (mode->records && !is_static)
        mp_run_log_report(&log, &res, &clock);
    mp_spawn_finish(&res, exit_status);
    return 0;
}
