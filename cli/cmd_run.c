/*
 * cmd_run.c — `memprof run`: turns its options into MEMPROF_OPTIONS for the
 * shim, finds the shim, and runs the program with both in its environment.
 *
 * Two tables drive it. run_opts lists the options (parsed by options.c);
 * modes lists every recording mode the project defines, with the shim's
 * value for it, or NULL while this build's shim cannot do it yet, so that a
 * mode that is planned gets "not available yet" rather than "unknown", and
 * enabling one later is a one-word change.
 *
 * The mapping, option → MEMPROF_OPTIONS key (the shim's names):
 *   --mode=M               mode=M
 *   --stats                stats=1
 *   --scavenge-delay=MS    scavenge_delay_ms=MS
 * Keys are appended after whatever the user put in MEMPROF_OPTIONS and the
 * shim lets the later one win, so flags beat the environment. The default
 * mode is only added when neither a flag nor the environment chose one.
 */
#include "cmd_run.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "options.h"
#include "run_env.h"
#include "shim_path.h"
#include "spawn.h"

typedef struct run_mode {
    const char *name; /* as spelt in --mode=NAME */
    const char *shim; /* the shim's value for mode=, NULL if not built yet */
    const char *help; /* one line for --help */
} run_mode_t;

static const run_mode_t modes[] = {
    { "off", "off", "the shim is the allocator and records nothing" },
    { "full", NULL, "every allocation and free with its stack" },
    { "sample", NULL, "allocations sampled by bytes, for production use" },
};
#define NMODES (sizeof modes / sizeof modes[0])

/* Becomes "full" once the recorder exists (DESIGN.md: full is the default). */
static const char default_mode[] = "off";

/* Longest --scavenge-delay accepted: the shim's own limit for
 * scavenge_delay_ms (preload/options.c, one hour). The shim would only warn
 * about a larger value and keep its default, so we refuse it here, where
 * the user gets an exit status and not just a warning. */
#define MAX_SCAVENGE_MS 3600000UL

enum { OPT_MODE, OPT_STATS, OPT_SCAVENGE_DELAY };

static const mp_opt_t run_opts[] = {
    { "mode", 0, "MODE", "what the shim records (see Modes below)", OPT_MODE },
    { "stats", 0, NULL, "the shim prints its heap counters on stderr at exit", OPT_STATS },
    { "scavenge-delay", 0, "MS",
      "return free pages to the OS after MS milliseconds idle", OPT_SCAVENGE_DELAY },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct run_config {
    const run_mode_t *mode;  /* NULL: not given on the command line */
    int stats;               /* --stats given */
    int have_scavenge;       /* --scavenge-delay given */
    unsigned long scavenge_ms; /* its value, <= MAX_SCAVENGE_MS */
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
                           value, default_mode);
            return -MP_CLI_EUSAGE;
        }
        cfg->mode = &modes[i];
        return 0;
    }
    mp_usage_error("run", "unknown mode '%s' for --mode (expected --mode=%s)", value,
                   mode_names(names, sizeof names, "|"));
    return -MP_CLI_EUSAGE;
}

static int set_scavenge(run_config_t *cfg, const char *value)
{
    unsigned long long ms;
    char *end;

    errno = 0;
    /* strtoull accepts signs and spaces; a delay is digits only. */
    if (value[0] < '0' || value[0] > '9' ||
        (ms = strtoull(value, &end, 10), *end != '\0') || errno == ERANGE ||
        ms > MAX_SCAVENGE_MS) {
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

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    run_config_t *cfg = ctx;

    switch (opt->id) {
    case OPT_MODE:
        return set_mode(cfg, value);
    case OPT_STATS:
        cfg->stats = 1;
        return 0;
    case OPT_SCAVENGE_DELAY:
        return set_scavenge(cfg, value);
    }
    return 0;
}

void mp_cmd_run_help(FILE *out)
{
    fputs("Usage: memprof run [options] [--] command [args...]\n"
          "\n"
          "Runs command with memprof's shim, libmemprof.so, preloaded as its malloc.\n"
          "Options end at the first argument that is not an option, or at '--'.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, run_opts);
    fprintf(out, "\nModes (default: %s):\n", default_mode);
    for (size_t i = 0; i < NMODES; i++)
        fprintf(out, "  %-22s %s%s\n", modes[i].name, modes[i].help,
                modes[i].shim ? "" : " (not available yet)");
    fputs("\n"
          "Environment:\n"
          "  MEMPROF_SHIM     use this libmemprof.so instead of the one next to memprof\n"
          "  MEMPROF_OPTIONS  extra shim options (key=value:...); flags above win\n"
          "  LD_PRELOAD       kept, after the shim\n"
          "\n"
          "Exit status: the command's own; 127 if it was not found, 126 if it could\n"
          "not be executed; if it was killed by a signal, memprof kills itself with\n"
          "the same signal (a shell shows 128+N); 2 for a bad memprof command line.\n",
          out);
}

/* MEMPROF_OPTIONS keys for cfg, in a fixed order. */
static int build_options(const run_config_t *cfg, mp_optbuf_t *b)
{
    char num[32];
    int err = 0;

    b->len = 0;
    b->text[0] = '\0';
    if (cfg->mode)
        err = mp_optbuf_add(b, "mode", cfg->mode->shim);
    else if (!mp_options_has_key(getenv("MEMPROF_OPTIONS"), "mode"))
        err = mp_optbuf_add(b, "mode", default_mode);
    if (!err && cfg->stats)
        err = mp_optbuf_add(b, "stats", "1");
    if (!err && cfg->have_scavenge) {
        snprintf(num, sizeof num, "%lu", cfg->scavenge_ms);
        err = mp_optbuf_add(b, "scavenge_delay_ms", num);
    }
    return err;
}

int mp_cmd_run(int argc, char **argv, int *exit_status)
{
    run_config_t cfg = { 0 };
    mp_opts_result_t parsed;
    char shim[PATH_MAX];
    mp_optbuf_t opts;
    int err;

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

    if ((err = build_options(&cfg, &opts)) != 0 ||
        (err = mp_shim_find(shim, sizeof shim)) != 0 ||
        (err = mp_env_set_preload(shim)) != 0 ||
        (err = mp_env_set_options(opts.text)) != 0)
        return err;

    return mp_spawn_run(argv + parsed.first_operand, exit_status);
}
