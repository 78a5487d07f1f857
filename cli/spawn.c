/*
 * spawn.c — fork, exec, wait and mirror for `memprof run` (see spawn.h).
 *
 * Why fork+exec and not exec alone: memprof has work to do after the
 * program ends (the exit-status report, pointing at the log), and the
 * program's death by signal must be observed to be mirrored.
 *
 * The child talks back through a close-on-exec pipe: one message once the
 * caller's setup is done (with its note, e.g. which log name it chose) or
 * failed, and one more if execvp fails, with its errno; a successful exec
 * closes the pipe. The parent reads to EOF. This tells "could not run"
 * apart from a program that itself exits 127.
 *
 * Signal discipline, in order:
 *   1. block INT, QUIT, TERM, HUP (and CHLD); set INT/QUIT to ignore,
 *      TERM/HUP to forward(), CHLD to default; remember the original
 *      dispositions and mask;
 *   2. fork. The child restores the originals (so a program started under
 *      nohup still ignores HUP) and unblocks, runs the caller's setup,
 *      then execs; anything that arrived in between is still pending and
 *      reaches the program;
 *   3. the parent records child_pid, then unblocks: forward() never runs
 *      without a pid to send to, and a blocked INT/QUIT is discarded once
 *      unblocked since it is ignored;
 *   4. wait for the child without reaping it (WNOWAIT), clear child_pid,
 *      then reap: while the zombie exists its pid cannot be reused, so a
 *      late SIGTERM is never forwarded to an unrelated process.
 */
#define _GNU_SOURCE /* pipe2: the pipe must be close-on-exec from birth */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_error.h"
#include "signame.h"

/* The running child, or 0. Written by the main flow only while TERM/HUP
 * are blocked or after the child is dead; read by forward(). */
static volatile sig_atomic_t child_pid;

static void forward(int sig)
{
    int saved = errno;
    pid_t pid = (pid_t)child_pid;

    if (pid > 0)
        kill(pid, sig);
    errno = saved;
}

/* SIGCHLD is set to its default while we wait: if memprof inherited it
 * ignored, the kernel would reap the child itself and waitid would fail. */
static const int handled[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD };
#define NHANDLED (int)(sizeof handled / sizeof handled[0])

typedef struct saved_signals {
    struct sigaction action[NHANDLED]; /* dispositions before we started */
    sigset_t mask;                     /* signal mask before we started */
} saved_signals_t;

static void take_signals(saved_signals_t *saved)
{
    struct sigaction ign, fwd, dfl;
    sigset_t block;

    sigemptyset(&block);
    for (int i = 0; i < NHANDLED; i++)
        sigaddset(&block, handled[i]);
    sigprocmask(SIG_BLOCK, &block, &saved->mask);

    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    memset(&fwd, 0, sizeof fwd);
    fwd.sa_handler = forward;
    fwd.sa_flags = SA_RESTART;
    sigfillset(&fwd.sa_mask);
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int i = 0; i < NHANDLED; i++) {
        int sig = handled[i];
        const struct sigaction *act = sig == SIGCHLD                  ? &dfl
                                      : sig == SIGINT || sig == SIGQUIT ? &ign
                                                                        : &fwd;
        sigaction(sig, act, &saved->action[i]);
    }
}

static void restore_signals(const saved_signals_t *saved)
{
    for (int i = 0; i < NHANDLED; i++)
        sigaction(handled[i], &saved->action[i], NULL);
    sigprocmask(SIG_SETMASK, &saved->mask, NULL);
}

/* Kills memprof with sig, the way the child died. Returns only if that
 * did not work (the signal's default action is not to terminate). */
static void die_like(int sig)
{
    struct rlimit no_core = { 0, 0 };
    struct sigaction dfl;
    sigset_t s;

    /* The child already dumped its core if it was going to; a second dump,
     * of memprof, would overwrite it (same "core" name) or mislead. */
    setrlimit(RLIMIT_CORE, &no_core);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    fflush(NULL);

    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    raise(sig);
}

/* What the child sends back through the pipe: one message after its
 * setup, and one more if execvp fails. */
typedef struct child_msg {
    int stage; /* SETUP_DONE, SETUP_FAILED or EXEC_FAILED */
    int err;   /* errno, for the failures */
    int note;  /* SETUP_DONE: the setup callback's note */
} child_msg_t;

enum { SETUP_DONE = 1, SETUP_FAILED = 2, EXEC_FAILED = 3 };

/* Sends m to the parent. If this write fails the parent sees EOF early and
 * reports only the exit status; nothing better can be done from here. */
static void send_msg(int fd, const child_msg_t *m)
{
    (void)!write(fd, m, sizeof *m);
}

int mp_spawn(char **argv, mp_spawn_setup_fn setup, void *ctx, mp_spawn_result_t *res)
{
    saved_signals_t saved;
    child_msg_t msg;
    int fds[2];
    siginfo_t info;
    ssize_t n;
    pid_t pid;

    memset(res, 0, sizeof *res);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        fprintf(stderr, "memprof: pipe: %s\n", strerror(errno));
        return -MP_CLI_ESYS;
    }
    fflush(NULL); /* nothing of ours may be written twice */
    take_signals(&saved);

    pid = fork();
    if (pid == 0) {
        child_msg_t m = { SETUP_DONE, 0, 0 };

        close(fds[0]);
        restore_signals(&saved);
        if (setup && (m.err = setup(ctx, getpid(), &m.note)) != 0) {
            m.stage = SETUP_FAILED;
            send_msg(fds[1], &m);
            _exit(1);
        }
        send_msg(fds[1], &m);
        execvp(argv[0], argv);
        m.stage = EXEC_FAILED;
        m.err = errno;
        send_msg(fds[1], &m);
        _exit(m.err == ENOENT ? 127 : 126);
    }
    if (pid < 0) {
        int err = errno;

        restore_signals(&saved);
        close(fds[0]);
        close(fds[1]);
        fprintf(stderr, "memprof: cannot start '%s': fork: %s\n", argv[0], strerror(err));
        return -MP_CLI_ESYS;
    }

    child_pid = pid;
    res->pid = pid;
    sigprocmask(SIG_SETMASK, &saved.mask, NULL);
    close(fds[1]);
    for (;;) { /* until EOF: the exec closed the pipe, or the child ended */
        do
            n = read(fds[0], &msg, sizeof msg);
        while (n < 0 && errno == EINTR);
        if (n != (ssize_t)sizeof msg)
            break;
        if (msg.stage == SETUP_DONE)
            res->note = msg.note;
        else if (msg.stage == SETUP_FAILED)
            res->setup_err = msg.err;
        else if (msg.stage == EXEC_FAILED)
            res->exec_err = msg.err;
    }
    close(fds[0]);

    memset(&info, 0, sizeof info);
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) != 0) {
        if (errno != EINTR) {
            fprintf(stderr, "memprof: waitid: %s\n", strerror(errno));
            break;
        }
    }
    child_pid = 0;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    restore_signals(&saved);

    if (res->exec_err || res->setup_err)
        return 0;
    if (info.si_code == CLD_EXITED) {
        res->status = info.si_status;
        return 0;
    }
    if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) {
        res->signal = info.si_status;
        return 0;
    }
    fprintf(stderr, "memprof: lost track of '%s' (pid %d)\n", argv[0], (int)pid);
    return -MP_CLI_ESYS;
}

void mp_spawn_report(char **argv, const mp_spawn_result_t *res)
{
    char name[32];

    if (res->setup_err)
        fprintf(stderr, "memprof: cannot prepare the environment of '%s': %s\n", argv[0],
                strerror(res->setup_err));
    else if (res->exec_err)
        fprintf(stderr, "memprof: cannot run '%s': %s\n", argv[0], strerror(res->exec_err));
    else if (res->signal)
        fprintf(stderr, "memprof: %s killed by signal %d (%s)\n", argv[0], res->signal,
                mp_signame(res->signal, name, sizeof name));
}

void mp_spawn_finish(const mp_spawn_result_t *res, int *exit_status)
{
    if (res->setup_err) {
        *exit_status = 1;
    } else if (res->exec_err) {
        *exit_status = res->exec_err == ENOENT ? 127 : 126;
    } else if (res->signal) {
        die_like(res->signal);
        *exit_status = 128 + res->signal;
    } else {
        *exit_status = res->status;
    }
}
