/*
 * process_hooks.c — see process_hooks.h.
 *
 * The real functions are reached without dlsym where we can (execve and
 * _exit are plain syscalls); sigaction, execvpe and dlclose are found with
 * dlsym(RTLD_NEXT) — at install time for sigaction, when allocating is
 * harmless, and lazily for the others (a dlsym hit does not allocate).
 */
#define _GNU_SOURCE
#include "process_hooks.h"
#include "leakscan.h"
#include "diag.h"
#include "heap.h"
#include "internal.h"
#include "log_format.h"
#include "modules.h"
#include "options.h"
#include "os.h"
#include "recorder.h"
#include "tbuf.h"
#include "writer.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MP_EXPORT __attribute__((visibility("default")))

extern char **environ;

static const int fatal_sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGSYS};
#define NFATAL (sizeof fatal_sigs / sizeof fatal_sigs[0])

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static int (*real_dlclose)(void *);
static struct sigaction prog_act[NSIG]; /* what the program asked for */
static int ours[NSIG];                  /* 1 where our handler is installed */

static int is_fatal(int sig)
{
    for (unsigned i = 0; i < NFATAL; i++)
        if (fatal_sigs[i] == sig)
            return 1;
    return 0;
}

static void on_fatal(int sig, siginfo_t *si, void *uc)
{
    int saved = errno;
    int recording = mp_rec_on && !mp_writer_is_writer_thread();
    struct sigaction *p = &prog_act[sig];
    int handled = ((p->sa_flags & SA_SIGINFO) && p->sa_sigaction) ||
                  (!(p->sa_flags & SA_SIGINFO) && p->sa_handler != SIG_DFL &&
                   p->sa_handler != SIG_IGN);
    if (handled) {
        /* The program handles it and may well recover (garbage collectors
         * and JITs longjmp out of SIGSEGV on purpose): get everything on
         * disk, but keep recording. If it dies after all, the default
         * action comes back through here, or _exit does. */
        if (recording)
            mp_writer_sync(1000);
        errno = saved;
        if (p->sa_flags & SA_SIGINFO)
            p->sa_sigaction(sig, si, uc);
        else
            p->sa_handler(sig);
        return;
    }
    if (recording)
        mp_writer_crash(sig);
    /* Default action: put it back and let the signal happen again — a
     * fault re-executes the instruction, a sent signal is re-raised. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    real_sigaction(sig, &dfl, NULL);
    ours[sig] = 0;
    if (!si || si->si_code <= 0)
        raise(sig);
    errno = saved;
}

static void on_hollow_signal(int sig)
{
    (void)sig;
    int saved = errno;
    if (mp_rec_on)
        mp_writer_request_hollow();
    errno = saved;
}

/* SIGUSR2 (hollow_signal) asks for a hollow-block scan and a snapshot now,
 * unless the program already handles that signal itself. */
static void install_hollow_signal(void)
{
    int sig = (int)mp_options.hollow_signal;
    struct sigaction act, old;
    if (sig <= 0 || sig >= NSIG || is_fatal(sig) || real_sigaction(sig, NULL, &old) != 0 ||
        old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO))
        return;
    memset(&act, 0, sizeof act);
    act.sa_handler = on_hollow_signal;
    act.sa_flags = SA_RESTART;
    sigemptyset(&act.sa_mask);
    real_sigaction(sig, &act, NULL);
}

void mp_hooks_install(void)
{
    *(void **)&real_sigaction = dlsym(RTLD_NEXT, "sigaction");
    *(void **)&real_dlclose = dlsym(RTLD_NEXT, "dlclose");
    if (!real_sigaction)
        return;
    for (unsigned i = 0; i < NFATAL; i++) {
        int sig = fatal_sigs[i];
        struct sigaction act, old;
        memset(&act, 0, sizeof act);
        act.sa_sigaction = on_fatal;
        act.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
        sigemptyset(&act.sa_mask);
        if (real_sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* ignored on purpose (inherited): leave it */
        if (real_sigaction(sig, &act, &old) == 0) {
            prog_act[sig] = old;
            ours[sig] = 1;
        }
    }
    install_hollow_signal();
}

MP_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (!real_sigaction)
        *(void **)&real_sigaction = dlsym(RTLD_NEXT, "sigaction");
    if (sig <= 0 || sig >= NSIG || !ours[sig] || !is_fatal(sig))
        return real_sigaction(sig, act, old);
    /* Keep our handler in place; the program's becomes the one we chain to,
     * and it reads back what it set before. */
    if (old)
        *old = prog_act[sig];
    if (act)
        prog_act[sig] = *act;
    return 0;
}

MP_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART;
    sigemptyset(&act.sa_mask);
    if (sigaction(sig, &act, &old) != 0)
        return SIG_ERR;
    return old.sa_handler;
}

/* ---- _exit ---- */

/* The fault tests (docs/hardening.md) loop N = 1, 2, ... over the calls a
 * run makes: a fault that was armed and never fired ends the loop, and
 * says how many calls the run made. */
static void fault_report(void)
{
    static const char *const keys[MP_OS_FAULT_KINDS] = {"fault_reserve", "fault_release",
                                                        "fault_write"};
    const uint32_t armed[MP_OS_FAULT_KINDS] = {mp_options.fault_reserve,
                                               mp_options.fault_release, mp_options.fault_write};

    for (int k = 0; k < MP_OS_FAULT_KINDS; k++) {
        unsigned left = mp_os_fault_left(k);
        if (armed[k] && left)
            mp_diag("%s=%u not reached: the run made %u such calls", keys[k], armed[k],
                    armed[k] - left);
    }
}

/* What the shim says as the process ends, once: from init.c's destructor
 * (exit, return from main) or from _exit below, which runs no destructors —
 * many programs end that way (a forked worker, a program that skips its
 * cleanup). */
void mp_shim_last_words(void)
{
    static int said;
    if (__atomic_exchange_n(&said, 1, __ATOMIC_ACQ_REL))
        return;
    if (mp_options.mode == MP_OPT_MODE_FULL) {
        mp_heap_stats_t st;
        mp_heap_get_stats(&st);
        if (st.foreign_frees)
            mp_diag("%llu blocks were allocated outside memprof (a library loaded with "
                    "RTLD_DEEPBIND, or direct calls to the libc's allocator): those "
                    "allocations are not in the log",
                    (unsigned long long)st.foreign_frees);
    }
    if (mp_options.stats)
        mp_heap_print_stats(2);
    fault_report();
}

static void stop_before_exit(int status)
{
    if (mp_rec_on && mp_writer_owns_process()) {
        mp_leakscan_note_exit(1);
        mp_recorder_stop(MP_END_EXIT, status);
    }
    mp_shim_last_words();
}

MP_EXPORT void _exit(int status)
{
    stop_before_exit(status);
    syscall(SYS_exit_group, status);
    __builtin_unreachable();
}

MP_EXPORT void _Exit(int status)
{
    _exit(status);
}

/* ---- exec ---- */

/* The environment an exec'd program gets (built on the caller's stack):
 *  - follow_exec=0: libmemprof.so taken out of LD_PRELOAD, so the new
 *    program runs without memprof at all;
 *  - a forked child that does not record (follow_fork=0): ":mode=off"
 *    appended to MEMPROF_OPTIONS (the later key wins), so what it execs
 *    keeps memprof's heap but records nothing either;
 *  - otherwise envp itself. */
static char *const *exec_env(char *const *envp, char **out, size_t cap, char *buf, size_t bufcap)
{
    int drop = !mp_options.follow_exec, quiet = !drop && mp_rec_child_off;
    if (!drop && !quiet)
        return envp;
    size_t n = 0, used = 0;
    int had_options = 0;
    for (char *const *e = envp; e && *e && n + 2 < cap; e++) {
        if (drop && strncmp(*e, "LD_PRELOAD=", 11) == 0) {
            /* Keep every entry but ours. */
            char *pre = buf + used;
            size_t room = bufcap - used, len = mp_fmt(pre, room, "LD_PRELOAD=");
            const char *s = *e + 11;
            while (*s) {
                const char *end = s + strcspn(s, ": ");
                size_t l = (size_t)(end - s);
                int mine = l >= 13 && memcmp(end - 13, "libmemprof.so", 13) == 0;
                if (!mine && l && len + l + 2 < room) {
                    if (pre[len - 1] != '=')
                        pre[len++] = ':';
                    memcpy(pre + len, s, l);
                    len += l;
                }
                s = *end ? end + 1 : end;
            }
            pre[len] = 0;
            used += len + 1;
            out[n++] = pre;
        } else if (quiet && strncmp(*e, "MEMPROF_OPTIONS=", 16) == 0) {
            char *o = buf + used;
            size_t len = mp_fmt(o, bufcap - used, "%s:mode=off", *e);
            used += len + 1;
            out[n++] = o;
            had_options = 1;
        } else {
            out[n++] = *e;
        }
    }
    if (quiet && !had_options)
        out[n++] = (char *)"MEMPROF_OPTIONS=mode=off";
    out[n] = NULL;
    return out;
}

/* Before an exec: END (reason exec) and the log closed; if the exec fails
 * the program goes on, and so does recording, in a new log. */
static int before_exec(void)
{
    /* A vfork child shares the parent's memory: it must not stop the
     * parent's recorder. */
    if (!mp_rec_on || !mp_writer_owns_process())
        return 0;
    mp_recorder_stop(MP_END_EXEC, 0);
    return 1;
}

static void after_failed_exec(int stopped)
{
    if (!stopped)
        return;
    int saved = errno;
    mp_recorder_restart();
    errno = saved;
}

#define ENV_FOR_EXEC(envp)                                                        \
    char *env_arr_[4096];                                                        \
    char env_buf_[16384];                                                        \
    char *const *env_ = exec_env((envp), env_arr_, 4096, env_buf_, sizeof env_buf_)

MP_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    int stopped = before_exec();
    ENV_FOR_EXEC(envp);
    int rc = (int)syscall(SYS_execve, path, argv, env_);
    after_failed_exec(stopped);
    return rc;
}

MP_EXPORT int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

/* execvp/execvpe search PATH: let the libc do it with our environment
 * (execvpe is exported by glibc and takes the environment explicitly). */
MP_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    static int (*real)(const char *, char *const[], char *const[]);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "execvpe");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    int stopped = before_exec();
    ENV_FOR_EXEC(envp);
    int rc = real(file, argv, env_);
    after_failed_exec(stopped);
    return rc;
}

MP_EXPORT int execvp(const char *file, char *const argv[])
{
    return execvpe(file, argv, environ);
}

/* The list forms collect their arguments on the stack. */
#define COLLECT_ARGS(first, ap, argv, max)                                        \
    do {                                                                         \
        size_t n_ = 0;                                                           \
        argv[n_++] = (char *)(first);                                            \
        char *a_;                                                                \
        while (n_ + 1 < (max) && (a_ = va_arg(ap, char *)) != NULL)              \
            argv[n_++] = a_;                                                     \
        argv[n_] = NULL;                                                         \
    } while (0)

MP_EXPORT int execl(const char *path, const char *arg, ...)
{
    char *argv[4096];
    va_list ap;
    va_start(ap, arg);
    COLLECT_ARGS(arg, ap, argv, 4096);
    va_end(ap);
    return execve(path, argv, environ);
}

MP_EXPORT int execlp(const char *file, const char *arg, ...)
{
    char *argv[4096];
    va_list ap;
    va_start(ap, arg);
    COLLECT_ARGS(arg, ap, argv, 4096);
    va_end(ap);
    return execvpe(file, argv, environ);
}

MP_EXPORT int execle(const char *path, const char *arg, ...)
{
    char *argv[4096];
    va_list ap;
    va_start(ap, arg);
    COLLECT_ARGS(arg, ap, argv, 4096);
    char *const *envp = va_arg(ap, char *const *);
    va_end(ap);
    return execve(path, argv, envp);
}

/* ---- dlclose ---- */

MP_EXPORT int dlclose(void *handle)
{
    if (!real_dlclose)
        *(void **)&real_dlclose = dlsym(RTLD_NEXT, "dlclose");
    if (mp_rec_on)
        mp_modules_scan(mp_tbuf_now()); /* on record before it can go */
    int rc = real_dlclose ? real_dlclose(handle) : -1;
    if (mp_rec_on)
        mp_modules_scan(mp_tbuf_now());
    return rc;
}

/* ---- allocators that bypass malloc ---- */

void mp_hooks_check_allocators(void)
{
    static const struct { const char *sym, *name; } apis[] = {
        {"mallocx", "jemalloc"}, {"je_malloc", "jemalloc"}, {"tc_malloc", "tcmalloc"},
        {"mi_malloc", "mimalloc"}, {"rpmalloc", "rpmalloc"},
    };
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++)
        if (dlsym(RTLD_DEFAULT, apis[i].sym)) {
            mp_diag("this program links %s: its malloc/free come to memprof, but what it "
                    "allocates through %s's own API (%s...) is not seen",
                    apis[i].name, apis[i].name, apis[i].sym);
            return;
        }
}
