/*
 * run_log.h — the log of a `memprof run`: choosing where it goes before the
 * program starts, and saying what it holds once the program has ended.
 *
 * memprof chooses the path itself and hands it to the shim as log=PATH
 * (absolute, since the program may chdir), so that it knows where to look
 * afterwards:
 *   - a path the user chose (-o, or log= in MEMPROF_OPTIONS) is refused up
 *     front if it exists, even as a dangling symlink: the shim would not
 *     overwrite it anyway (O_EXCL|O_NOFOLLOW) but write <path>.<pid>
 *     instead, and the user should hear that now, not find out later;
 *   - otherwise memprof.<exe>.<pid>.mpz in the current directory, <exe> the
 *     command's name as run and <pid> the program's, so the name is only
 *     known in the child after fork (mp_run_log_child_path); should that
 *     name exist (a pid reused since an earlier run in this directory),
 *     memprof.<exe>.<pid>.<n>.mpz with the first free n.
 *
 * The shim names the other logs of the run itself (preload/record/writer.c):
 * a program started by exec opens the same log=PATH, finds it taken and
 * writes PATH.<pid> (PATH.<pid>.<n> when that is taken too); a forked child
 * writes memprof.<its exe>.<its pid>.mpz in its current directory. The
 * report lists the ones it finds (mp_run_log_report).
 */
#ifndef MP_CLI_RUN_LOG_H
#define MP_CLI_RUN_LOG_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "spawn.h"

/* The shim's limit for log=PATH (MP_LOG_PATH_MAX - 1 in preload/options.h),
 * less room for the ".<pid>.<n>" it may append. */
#define MP_RUN_LOG_PATH_MAX 4000

typedef struct mp_run_log {
    int chosen;               /* 1: the user chose the path; 0: default name */
    char dir[PATH_MAX];       /* absolute directory of the log */
    char shown_dir[PATH_MAX]; /* the same as the user sees it: "" for the
                                 current directory, else ending in '/' */
    char name[256];           /* file name; for a default name, filled by
                                 mp_run_log_report from the pid */
    char exe[128];            /* default name: the command's name, sanitised */
    char cwd[PATH_MAX];       /* memprof's (and the program's) starting
                                 directory, where forked children write */
} mp_run_log_t;

/* When the run started, for telling this run's logs from older ones. */
typedef struct mp_run_clock {
    uint64_t start_real_ns;   /* CLOCK_REALTIME before the fork */
    int64_t start_coarse_sec; /* CLOCK_REALTIME_COARSE then: file times are */
    long start_coarse_nsec;   /* taken from the coarse clock, never earlier */
    uint64_t start_mono_ns;   /* CLOCK_MONOTONIC before the fork */
} mp_run_clock_t;

/* Reads the clocks into *c. */
void mp_run_clock_start(mp_run_clock_t *c);

/* Chooses the log: path is the user's choice (origin names where it came
 * from in messages, e.g. "-o"), or NULL for the default name built from
 * command (argv[0] of the program). Returns 0, -MP_CLI_EUSAGE (message
 * printed) if the path cannot be used — it exists or is a symlink, its
 * directory does not exist, it contains a ':' (MEMPROF_OPTIONS could not
 * carry it), it is too long — or -MP_CLI_ESYS if the current directory
 * cannot be found. */
int mp_run_log_choose(mp_run_log_t *L, const char *path, const char *origin,
                      const char *command);

/* In the child, after fork: writes the absolute path of the log into buf
 * (size bytes) and *note the n of a default name (0: the plain one).
 * Returns 0 or an errno value (ENAMETOOLONG; EEXIST if 100 default names
 * are all taken). */
int mp_run_log_child_path(const mp_run_log_t *L, pid_t self, char *buf, size_t size,
                          int *note);

/* spawn.h's child callback for run and check (ctx: the mp_run_log_t):
 * MEMPROF_OPTIONS gets log=<path> after the keys already there, the path
 * holding the child's pid when the name is memprof's default. 0 or an
 * errno value. */
int mp_run_log_child_env(void *ctx, pid_t self, int *note);

/* 1 if s is the suffix the shim gives another log of the run:
 * ".<pid>" or ".<pid>.<n>", and nothing else. */
int mp_run_log_is_pid_suffix(const char *s);

/* After the program ended, prints on stderr where its log is and what it
 * holds, the other logs of the run, and the command that reads it; or why
 * there is no log. res is how the program ended (res->note: which default
 * name the child chose). */
void mp_run_log_report(mp_run_log_t *L, const mp_spawn_result_t *res,
                       const mp_run_clock_t *clock);

#endif
