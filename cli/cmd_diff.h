/*
 * cmd_diff.h — `memprof diff A B`: what changed, stack by stack, between
 * two logs.
 */
#ifndef MP_CLI_CMD_DIFF_H
#define MP_CLI_CMD_DIFF_H

#include <stdio.h>

int mp_cmd_diff(int argc, char **argv, int *exit_status);
void mp_cmd_diff_help(FILE *out);

#endif
