/*
 * cmd_dump.h — `memprof dump LOG`: every record of a log as text.
 */
#ifndef MP_CLI_CMD_DUMP_H
#define MP_CLI_CMD_DUMP_H

#include <stdio.h>

/* argv[0] is "dump". Returns 0 with *exit_status set — 0 the whole log was
 * decoded (or --help), 1 decoding stopped early after some records, 2
 * nothing could be decoded — with any message already on stderr; or
 * -MP_CLI_EUSAGE for a bad command line (message printed). */
int mp_cmd_dump(int argc, char **argv, int *exit_status);

/* Prints `memprof dump --help` to out. */
void mp_cmd_dump_help(FILE *out);

#endif
