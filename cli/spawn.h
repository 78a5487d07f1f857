/*
 * spawn.h — runs the profiled program as our child and ends memprof the way
 * the program ended, so that scripts and shells see memprof as if it were
 * the program itself.
 *
 * Two steps, so that the caller can do its own work (report on the log)
 * between the program's end and memprof's:
 *
 *     mp_spawn_result_t res;
 *     if ((err = mp_spawn(argv, setup, ctx, &res)) != 0)
 *         return err;                     memprof could not start it
 *     mp_spawn_report(argv, &res);        "cannot run" / "killed by signal"
 *     ... anything else to say ...
 *     mp_spawn_finish(&res, &exit_status); may not return (signal death)
 */
#ifndef MP_CLI_SPAWN_H
#define MP_CLI_SPAWN_H

#include <sys/types.h>

/* How the program ended. */
typedef struct mp_spawn_result {
    pid_t pid;     /* the child's pid (it is reaped: for names only) */
    int exec_err;  /* errno of a failed exec (the program never ran), or 0 */
    int setup_err; /* errno of a failed setup callback (never ran), or 0 */
    int signal;    /* it was killed by this signal, or 0 */
    int status;    /* it exited with this status (signal == 0) */
    int note;      /* what the setup callback set *note to (0 if it did not) */
} mp_spawn_result_t;

/* Called in the child between fork and exec, with the child's own pid,
 * e.g. to put the pid into the environment. memprof is single-threaded, so
 * it may allocate. It may set *note to tell the parent a small fact (which
 * of several names it chose). Returns 0, or an errno value: the program is
 * then not run and the value is reported as res->setup_err. */
typedef int (*mp_spawn_setup_fn)(void *ctx, pid_t self, int *note);

/* Runs argv[0] (execvp: searched on PATH unless it contains a '/') with
 * argv as its arguments and the current environment (after setup, which
 * may be NULL), and waits for it.
 *
 * While it runs, memprof ignores SIGINT and SIGQUIT, as system(3) does:
 * the terminal sends them to the whole foreground group, so the program
 * gets them and we report what it did. SIGTERM and SIGHUP sent to memprof
 * alone are forwarded to the program. Both are back to what they were when
 * this returns.
 *
 * Returns 0 with *res filled, or -MP_CLI_ESYS (message printed) if the
 * program could not be started for a reason of memprof's own (fork or pipe
 * failed). */
int mp_spawn(char **argv, mp_spawn_setup_fn setup, void *ctx, mp_spawn_result_t *res);

/* Prints what the caller should know on stderr, as a shell would:
 * "memprof: cannot run 'x': <reason>" when the exec failed,
 * "memprof: x killed by signal N (SIGNAME)" when it died of a signal,
 * nothing when it exited. */
void mp_spawn_report(char **argv, const mp_spawn_result_t *res);

/* Sets *exit_status to what memprof should exit with:
 *   - the program's own exit status, exactly;
 *   - 127 if it was not found, 126 if it was found but could not be
 *     executed, as a shell; 1 if the setup callback failed;
 *   - if it died of signal N: memprof kills itself with the same signal
 *     (default disposition, no core dump of its own), so this function
 *     does not return; if the signal fails to kill us, 128 + N. */
void mp_spawn_finish(const mp_spawn_result_t *res, int *exit_status);

#endif
