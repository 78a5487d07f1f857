/*
 * cmd_pprof.c — `memprof pprof`: parses the options, builds the report
 * model of one log with every stack symbolized (pprof_load.c), turns it
 * into a pprof profile (pprof_report.c) and writes it gzip'd
 * (pprof_profile.c).
 *
 * Output: -o FILE (replaced if it exists), "-o -" for stdout (refused when
 * stdout is a terminal: the profile is binary), else LOG with .mpz
 * replaced by .pb.gz (.pb.gz appended if LOG does not end in .mpz),
 * created only if it does not exist yet — a default name never silently
 * replaces a file; where it went is said on stderr. A file that could not
 * be written whole is removed.
 */
#define _GNU_SOURCE
#include "cmd_pprof.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_error.h"
#include "options.h"
#include "pprof_load.h"
#include "pprof_report.h"

enum { OPT_OUTPUT, OPT_LOAD };

static const mp_opt_t pprof_opts[] = {
    { "output", 'o', "FILE",
      "write to FILE, replacing it ('-': stdout; default: LOG's name with .pb.gz, never replaced)",
      OPT_OUTPUT },
    MP_LOAD_OPTS(OPT_LOAD),
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct pprof_config {
    const char *output;
    mp_load_options_t load;
} pprof_config_t;

void mp_cmd_pprof_help(FILE *out)
{
    fputs("Usage: memprof pprof [options] LOG\n"
          "\n"
          "Exports a log as a pprof profile (gzip'd profile.proto) for go tool pprof,\n"
          "pprof's web UI and continuous-profiling backends:\n"
          "  go tool pprof -top -sample_index=inuse_space LOG.pb.gz\n"
          "\n"
          "One sample per stack, with four sample types, as Go's heap profiles have:\n"
          "  alloc_objects  allocations made (sampled logs: estimated)\n"
          "  alloc_space    bytes allocated over the run\n"
          "  inuse_objects  blocks still live at exit: leaked\n"
          "  inuse_space    their bytes (the default)\n"
          "the figures memprof report shows. Locations carry their addresses, inlined\n"
          "calls as lines of one location; functions their file and line; mappings\n"
          "the modules of the log with their build-ids.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, pprof_opts);
    fputs("\n"
          "Exit status: 0 written (a partial log is exported as far as it goes); 2 a bad\n"
          "command line, a log with nothing usable in it, or a default output that\n"
          "exists already; 1 memprof failed (out of memory, or the output could not be\n"
          "written).\n",
          out);
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    pprof_config_t *c = ctx;

    if (opt->id == OPT_OUTPUT) {
        c->output = value;
        return 0;
    }
    return mp_load_option("pprof", &c->load, OPT_LOAD, opt->id, value);
}

static char *default_output(const char *log)
{
    size_t n = strlen(log);
    char *out = malloc(n + 7);

    if (!out)
        return NULL;
    memcpy(out, log, n + 1);
    if (n > 4 && strcmp(log + n - 4, ".mpz") == 0)
        n -= 4;
    memcpy(out + n, ".pb.gz", 7);
    return out;
}

/* Writes p to path ("-": stdout); a default name is never replaced.
 * Returns the exit status (said why when not 0). */
static int write_out(const mp_pprof_t *p, const char *path, int is_default)
{
    FILE *out = stdout;
    int fd, rc;

    if (strcmp(path, "-") == 0) {
        if (isatty(STDOUT_FILENO)) {
            mp_usage_error("pprof", "not writing a binary profile to a terminal (-o FILE, or "
                                    "redirect stdout)");
            return 2;
        }
    } else {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (is_default ? O_EXCL : 0),
                  0666);
        if (fd < 0 && errno == EEXIST) {
            mp_usage_error("pprof", "%s exists already (to replace it: -o %s)", path, path);
            return 2;
        }
        if (fd < 0 || !(out = fdopen(fd, "w"))) {
            fprintf(stderr, "memprof: pprof: cannot write %s: %s\n", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return 1;
        }
    }
    rc = mp_pprof_write_gz(p, out);
    if (out != stdout) {
        if (fclose(out) != 0)
            rc = -1;
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    if (rc) {
        fprintf(stderr, "memprof: pprof: error writing %s\n", out == stdout ? "to stdout" : path);
        if (out != stdout)
            unlink(path);
        return 1;
    }
    if (out != stdout)
        fprintf(stderr, "memprof: pprof: wrote %s\n", path);
    return 0;
}

int mp_cmd_pprof(int argc, char **argv, int *exit_status)
{
    pprof_config_t c;
    mp_report_t *rep;
    mp_pprof_t *p;
    const char *log = NULL;
    char *path = NULL;
    int rc, help;

    memset(&c, 0, sizeof c);
    /* Options may come before and after the log: `memprof pprof LOG -o F`. */
    rc = mp_opts_parse_single("pprof", pprof_opts, argc, argv, on_option, &c, &help, &log);
    if (rc)
        return rc;
    if (help) {
        mp_cmd_pprof_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (!log) {
        mp_usage_error("pprof", "no log to export (usage: memprof pprof LOG [-o FILE]; "
                                "see memprof pprof --help)");
        return -MP_CLI_EUSAGE;
    }
    rc = mp_load_report("pprof", log, &c.load, &rep);
    if (rc) {
        *exit_status = rc;
        return 0;
    }
    if (!c.output && !(path = default_output(log))) {
        mp_report_free(rep);
        fprintf(stderr, "memprof: pprof: out of memory\n");
        *exit_status = 1;
        return 0;
    }
    if (mp_pprof_from_report(rep, &p) != 0) {
        fprintf(stderr, "memprof: pprof: out of memory\n");
        *exit_status = 1;
    } else {
        *exit_status = write_out(p, c.output ? c.output : path, !c.output);
        mp_pprof_free(p);
    }
    free(path);
    mp_report_free(rep);
    return 0;
}
