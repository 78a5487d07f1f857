/*
 * cmd_pprof.h — `memprof pprof`: a log as a gzip'd pprof profile.proto for
 * `go tool pprof` and continuous-profiling backends.
 */
#ifndef MP_CLI_CMD_PPROF_H
#define MP_CLI_CMD_PPROF_H

#include <stdio.h>

int mp_cmd_pprof(int argc, char **argv, int *exit_status);
void mp_cmd_pprof_help(FILE *out);

#endif
