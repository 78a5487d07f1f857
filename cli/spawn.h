/*
 * spawn.h — runs the profiled program as our child and ends memprof the way
 * the program ended, so that scripts and shells see memprof as if it were
 * the program itself.
 */
#ifndef MP_CLI_SPAWN_H
#define MP_CLI_SPAWN_H

/* Runs argv[0] (execvp: searched on PATH unless it contains a '/') with
 * argv as its arguments and the current environment, and waits for it.
 *
 * While it runs, memprof ignores SIGINT and SIGQUIT, as system(3) does:
 * the terminal sends them to the whole foreground group, so the program
 * gets them and we report what it did. SIGTERM and SIGHUP sent to memprof
 * alone are forwarded to the program.
 *
 * On return 0, *exit_status is what memprof should exit with:
 *   - the program's own exit status, exactly;
 *   - 127 if it was not found, 126 if it was found but could not be
 *     executed (message "memprof: cannot run 'x': <reason>"), as a shell;
 *   - if it died of signal N: the message "memprof: x killed by signal N
 *     (SIGNAME)" is printed and memprof kills itself with the same signal
 *     (default disposition, no core dump of its own), so this function
 *     does not return; if the signal fails to kill us, 128 + N.
 * Returns -MP_CLI_ESYS (message printed) if the program could not be
 * started for a reason of memprof's own (fork or pipe failed). */
int mp_spawn_run(char **argv, int *exit_status);

#endif
