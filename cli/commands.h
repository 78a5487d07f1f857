/*
 * commands.h — what main.c knows that a command may ask: which commands
 * this memprof has, and how the user invoked it, so that a command can tell
 * the user the next command to type (`memprof run` ends with "read it with:
 * memprof report LOG" once report exists, `memprof dump LOG` before).
 */
#ifndef MP_CLI_COMMANDS_H
#define MP_CLI_COMMANDS_H

/* 1 if `memprof NAME` is a command of this build. */
int mp_cli_has_command(const char *name);

/* How to name memprof in a command line we print: "memprof" when it was
 * found on PATH (argv[0] without a '/'), else argv[0] as typed
 * ("build/bin/memprof"), so that the line can be pasted as it is. */
const char *mp_cli_self(void);

#endif
