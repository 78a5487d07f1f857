/*
 * cmd_report.h — `memprof report LOG...`: what a log says about the
 * program's memory (summary, findings, leaks, peak, top stacks, size
 * classes), as text or JSON; `memprof report DIR`: the logs a directory
 * holds.
 */
#ifndef MP_CLI_CMD_REPORT_H
#define MP_CLI_CMD_REPORT_H

#include <stdio.h>

/* argv[0] is "report". Returns 0 with *exit_status set — 0 every log was
 * reported (partial ones included) or listed, 2 a log had nothing usable
 * or a directory held no log (the others are still reported; messages on
 * stderr), 1 memprof failed (out of memory) — or -MP_CLI_EUSAGE for a bad
 * command line (message printed). */
int mp_cmd_report(int argc, char **argv, int *exit_status);

/* Prints `memprof report --help` to out. */
void mp_cmd_report_help(FILE *out);

#endif
