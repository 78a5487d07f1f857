/*
 * main.c — the memprof command: dispatches to a subcommand, prints the
 * top-level help and the version. Each subcommand lives in its own
 * cmd_<name>.c and owns its options and help; this file only knows the
 * list below.
 *
 * Exit statuses: a subcommand's own (for run: the program's); 2 for a bad
 * command line (unknown command or option, as getopt-style tools do);
 * 1 for any other failure of memprof itself.
 */
#include <stdio.h>
#include <string.h>

#include "cli_error.h"
#include "commands.h"
#include "cmd_check.h"
#include "cmd_diff.h"
#include "cmd_dump.h"
#include "cmd_flamegraph.h"
#include "cmd_pprof.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "cmd_timeline.h"

#ifndef MP_VERSION
#error "MP_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

typedef struct command {
    const char *name;                                   /* memprof NAME ... */
    int (*run)(int argc, char **argv, int *exit_status); /* argv[0] is NAME */
    void (*help)(FILE *out);                             /* NAME --help */
    const char *summary;                                 /* one line for help */
} command_t;

static int cmd_help(int argc, char **argv, int *exit_status);

static const command_t commands[] = {
    { "run", mp_cmd_run, mp_cmd_run_help, "run a program with memprof's shim as its malloc" },
    { "report", mp_cmd_report, mp_cmd_report_help,
      "what a log says: leaks, peak, top stacks, size classes, findings" },
    { "timeline", mp_cmd_timeline, mp_cmd_timeline_help,
      "an SVG chart of memory over time: live, retained, RSS, peak, findings" },
    { "flamegraph", mp_cmd_flamegraph, mp_cmd_flamegraph_help,
      "an interactive SVG flame graph of peak, leaked or allocated memory; --folded" },
    { "pprof", mp_cmd_pprof, mp_cmd_pprof_help,
      "a gzip'd pprof profile.proto for go tool pprof: allocated and in-use at exit" },
    { "diff", mp_cmd_diff, mp_cmd_diff_help,
      "what changed between two logs, stack by stack: peak, leaked, allocated" },
    { "check", mp_cmd_check, mp_cmd_check_help,
      "the CI leak check: run a program, fail on leaks; JUnit XML, suppressions" },
    { "dump", mp_cmd_dump, mp_cmd_dump_help, "print every record of a log as text" },
    { "help", cmd_help, NULL, "show this help, or a command's (memprof help run)" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const command_t *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int mp_cli_has_command(const char *name)
{
    return find_command(name) != NULL;
}

static const char *self_name = "memprof"; /* see mp_cli_self() */

const char *mp_cli_self(void)
{
    return self_name;
}

static void print_help(FILE *out)
{
    fputs("Usage: memprof COMMAND [options] [args...]\n"
          "\n"
          "memprof is a heap profiler for Linux programs. Its shim, libmemprof.so,\n"
          "is preloaded into the program and becomes its malloc.\n"
          "\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help   show this help and exit\n"
          "  --version    print the version and exit\n"
          "\n"
          "'memprof COMMAND --help' describes a command's options.\n",
          out);
}

static int cmd_help(int argc, char **argv, int *exit_status)
{
    const command_t *c;

    *exit_status = 0;
    if (argc < 2) {
        print_help(stdout);
        return 0;
    }
    c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "memprof: help: unknown command '%s' (see memprof --help)\n", argv[1]);
        return -MP_CLI_EUSAGE;
    }
    if (c->help)
        c->help(stdout);
    else
        print_help(stdout);
    return 0;
}

/* Help and version go to stdout; a failed write there (a full disk, a
 * closed pipe) must not look like success. */
static int finish_stdout(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("memprof: write error");
        return status ? status : 1;
    }
    return status;
}

int main(int argc, char **argv)
{
    const command_t *c;
    int status = 0, err;

    if (argc < 2) {
        print_help(stderr);
        return 2;
    }
    if (argv[0] && strchr(argv[0], '/'))
        self_name = argv[0];
    if (strcmp(argv[1], "--version") == 0) {
        printf("memprof %s\n", MP_VERSION);
        return finish_stdout(0);
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        print_help(stdout);
        return finish_stdout(0);
    }
    if (argv[1][0] == '-') {
        fprintf(stderr, "memprof: unknown option '%s' (see memprof --help)\n", argv[1]);
        return 2;
    }
    c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "memprof: unknown command '%s' (see memprof --help)\n", argv[1]);
        return 2;
    }
    err = c->run(argc - 1, argv + 1, &status);
    if (err)
        return mp_cli_exit_status(err);
    return finish_stdout(status);
}
