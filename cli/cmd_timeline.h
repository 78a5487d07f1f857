/*
 * cmd_timeline.h — `memprof timeline LOG`: an SVG chart of the program's
 * memory over time (live, retained and released bytes, RSS, the top size
 * classes stacked, the peak and the findings marked), drawn by
 * timeline_svg.c from the report model (analyzer/report.h).
 */
#ifndef MP_CLI_CMD_TIMELINE_H
#define MP_CLI_CMD_TIMELINE_H

#include <stdio.h>

/* argv[0] is "timeline". Returns 0 with *exit_status set — 0 the chart was
 * written, 2 the log had nothing usable, 1 memprof failed (out of memory,
 * the output could not be written; messages on stderr) — or
 * -MP_CLI_EUSAGE for a bad command line (message printed). */
int mp_cmd_timeline(int argc, char **argv, int *exit_status);

/* Prints `memprof timeline --help` to out. */
void mp_cmd_timeline_help(FILE *out);

#endif
