/*
 * cmd_flamegraph.h — `memprof flamegraph`: a log's stacks as an interactive
 * SVG flame graph, or as collapsed stacks for other tools.
 */
#ifndef MP_CLI_CMD_FLAMEGRAPH_H
#define MP_CLI_CMD_FLAMEGRAPH_H

#include <stdio.h>

int mp_cmd_flamegraph(int argc, char **argv, int *exit_status);
void mp_cmd_flamegraph_help(FILE *out);

#endif
