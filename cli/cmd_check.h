/*
 * cmd_check.h — `memprof check [options] -- command [args...]` and
 * `memprof check [options] LOG`: the CI leak check (docs/ci.md).
 */
#ifndef MP_CLI_CMD_CHECK_H
#define MP_CLI_CMD_CHECK_H

#include <stdio.h>

/* argv[0] is "check". Returns 0 with *exit_status set — 0 clean, the
 * --error-exitcode (3) for leaks, the program's own status when it failed
 * (128+N for signal N) — or a negated MP_CLI_E* code (message printed):
 * exit 2 for a bad command line or a log that cannot be read, 1 for any
 * other failure of memprof. */
int mp_cmd_check(int argc, char **argv, int *exit_status);

void mp_cmd_check_help(FILE *out);

#endif
