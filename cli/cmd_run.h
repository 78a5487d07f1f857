/*
 * cmd_run.h — `memprof run [options] [--] command [args...]`.
 */
#ifndef MP_CLI_CMD_RUN_H
#define MP_CLI_CMD_RUN_H

#include <stdio.h>

/* argv[0] is "run", argv[1..argc) the rest of the command line. Returns 0
 * with *exit_status set (0 after --help; the program's status after a run,
 * see spawn.h), or a negated MP_CLI_E* code with the message printed. */
int mp_cmd_run(int argc, char **argv, int *exit_status);

/* Prints `memprof run --help` to out. */
void mp_cmd_run_help(FILE *out);

#endif
