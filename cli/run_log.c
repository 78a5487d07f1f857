/*
 * run_log.c — chooses the log of a `memprof run` and reports on it when the
 * program has ended (see run_log.h for the naming rules).
 *
 * The report, on stderr:
 *
 *   memprof: log memprof.app.4242.mpz: 1.2 MiB, 48213 events (26.1 bytes/event), 0.84 s
 *   memprof: and 2 more logs from child processes: memprof.sh.4250.mpz, ...
 *   memprof: read it with: memprof dump memprof.app.4242.mpz
 *
 * The event count is the END record's, which counts every event of the log;
 * a log without END (the program was killed, or the shim could not finish)
 * is counted BATCH by BATCH and says it was cut short. Reading the log
 * means decompressing all of it (the format has no index; the reader keeps
 * one chunk in memory): about 0.1 s for a log of a few MB.
 *
 * Which file is this run's: the one whose PROCESS record names the
 * program's pid and a start after memprof's. The name alone is not proof:
 * between memprof's check and the shim's O_EXCL open another process may
 * take it, and the shim then writes <log>.<pid>, which is tried next.
 *
 * The other logs are recognised by their names (the patterns the shim
 * uses, run_log.h) and by their time: modified since the run started, by
 * the kernel's coarse clock that file times come from, and (when the log
 * has its PROCESS record) started after memprof did, by the fine clock —
 * a run that ended a moment before this one started may have written its
 * log within the same coarse tick. A log of another run, written at the
 * same time in the same directory, would be listed too; nothing in a log
 * ties it to our run but the process tree, which is gone by the time we
 * look.
 */
#define _GNU_SOURCE /* CLOCK_REALTIME_COARSE */
#include "run_log.h"
#include "run_env.h"
#include "shell_word.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli_error.h"
#include "commands.h"
#include "log_reader.h"

#define MAX_LISTED 5      /* other logs named in the report */
#define MAX_DEFAULT_N 100 /* memprof.<exe>.<pid>.<n>.mpz, n < this */

/* ---- Clocks ------------------------------------------------------------ */

static uint64_t ns_of(clockid_t id)
{
    struct timespec t;

    clock_gettime(id, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void mp_run_clock_start(mp_run_clock_t *c)
{
    struct timespec t;

    /* Coarse first: it never runs ahead of the fine clock read after it. */
    clock_gettime(CLOCK_REALTIME_COARSE, &t);
    c->start_coarse_sec = (int64_t)t.tv_sec;
    c->start_coarse_nsec = t.tv_nsec;
    c->start_real_ns = ns_of(CLOCK_REALTIME);
    c->start_mono_ns = ns_of(CLOCK_MONOTONIC);
}

static int modified_since(const struct stat *st, const mp_run_clock_t *c)
{
    if ((int64_t)st->st_mtim.tv_sec != c->start_coarse_sec)
        return (int64_t)st->st_mtim.tv_sec > c->start_coarse_sec;
    return st->st_mtim.tv_nsec >= c->start_coarse_nsec;
}

/* ---- Choosing the path ------------------------------------------------- */

/* snprintf into buf that must fit: 0, or -1 if it did not. */
static int fmt_fits(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fmt_fits(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The command's name as it goes into memprof.<exe>.<pid>.mpz: its last
 * path component, with ':' (which MEMPROF_OPTIONS cannot carry) and
 * control characters replaced by '_', at most sizeof L->exe - 1 bytes. */
static void set_exe(mp_run_log_t *L, const char *command)
{
    const char *base = strrchr(command, '/');
    size_t i, n;

    base = base ? base + 1 : command;
    if (!*base)
        base = "program";
    n = strlen(base);
    if (n >= sizeof L->exe)
        n = sizeof L->exe - 1;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)base[i];
        L->exe[i] = ch == ':' || ch < 0x20 || ch == 0x7f ? '_' : (char)ch;
    }
    L->exe[n] = '\0';
}

static int bad_path(const char *origin, const char *path, const char *why)
{
    fprintf(stderr, "memprof: run: cannot write the log to '%s' (%s): %s\n", path, origin,
            why);
    return -MP_CLI_EUSAGE;
}

static int choose_path(mp_run_log_t *L, const char *path, const char *origin)
{
    const char *slash, *base;
    char abs[PATH_MAX + 2];
    struct stat st;
    char why[PATH_MAX + 64];

    if (!*path)
        return bad_path(origin, path, "the path is empty");
    if (strchr(path, ':'))
        return bad_path(origin, path,
                        "a ':' cannot be passed to the shim in MEMPROF_OPTIONS, "
                        "whose entries it separates; choose a path without one");
    while (path[0] == '.' && path[1] == '/') /* ./x is x, for what we print */
        path += 2;
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return bad_path(origin, path, "it names a directory; give a file name");
    if (strlen(base) >= sizeof L->name)
        return bad_path(origin, path, "the file name is too long");
    strcpy(L->name, base);

    /* The directory: absolute for the shim, as given for messages. */
    if (!slash) {
        strcpy(L->dir, L->cwd);
        L->shown_dir[0] = '\0';
    } else {
        size_t dlen = (size_t)(slash - path);
        int rc;

        if (dlen == 0)
            rc = fmt_fits(L->dir, sizeof L->dir, "/");
        else if (path[0] == '/')
            rc = fmt_fits(L->dir, sizeof L->dir, "%.*s", (int)dlen, path);
        else
            rc = fmt_fits(L->dir, sizeof L->dir, "%s/%.*s", L->cwd, (int)dlen, path);
        if (rc != 0 || fmt_fits(L->shown_dir, sizeof L->shown_dir, "%.*s", (int)(dlen + 1),
                                path) != 0)
            return bad_path(origin, path, "the path is too long");
    }
    if (fmt_fits(abs, sizeof abs, "%s%s%s", L->dir, strcmp(L->dir, "/") ? "/" : "",
                 L->name) != 0 ||
        strlen(abs) > MP_RUN_LOG_PATH_MAX)
        return bad_path(origin, path, "the path is too long");
    if (strchr(L->dir, ':'))
        return bad_path(origin, path,
                        "the current directory's path contains a ':', which cannot be "
                        "passed to the shim in MEMPROF_OPTIONS; use an absolute path");

    if (lstat(abs, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return bad_path(origin, path,
                            "it is a symbolic link; memprof never writes through one");
        return bad_path(origin, path,
                        "the file exists; memprof never overwrites a file (remove it or "
                        "choose another name)");
    }
    if (errno != ENOENT)
        return bad_path(origin, path, strerror(errno));
    if (stat(L->dir, &st) != 0) {
        snprintf(why, sizeof why, "directory '%s': %s", L->shown_dir, strerror(errno));
        return bad_path(origin, path, why);
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, sizeof why, "'%s' is not a directory", L->shown_dir);
        return bad_path(origin, path, why);
    }
    if (access(L->dir, W_OK | X_OK) != 0) {
        snprintf(why, sizeof why, "cannot create a file in '%s': %s",
                 L->shown_dir[0] ? L->shown_dir : ".", strerror(errno));
        return bad_path(origin, path, why);
    }
    return 0;
}

int mp_run_log_choose(mp_run_log_t *L, const char *path, const char *origin,
                      const char *command)
{
    memset(L, 0, sizeof *L);
    if (!getcwd(L->cwd, sizeof L->cwd)) {
        fprintf(stderr, "memprof: run: cannot find the current directory, where the log "
                        "goes: %s (use -o /absolute/path)\n",
                strerror(errno));
        return -MP_CLI_ESYS;
    }
    set_exe(L, command);
    if (path) {
        L->chosen = 1;
        return choose_path(L, path, origin);
    }
    if (strchr(L->cwd, ':')) {
        fprintf(stderr, "memprof: run: the current directory '%s' contains a ':', which "
                        "cannot be passed to the shim in MEMPROF_OPTIONS; use -o to put "
                        "the log elsewhere\n",
                L->cwd);
        return -MP_CLI_EUSAGE;
    }
    /* The longest default name: memprof.<exe>.<pid>.<n>.mpz. */
    if (strlen(L->cwd) + strlen(L->exe) + 40 > MP_RUN_LOG_PATH_MAX) {
        fprintf(stderr, "memprof: run: the current directory's path is too long for the "
                        "log; use -o to put it elsewhere\n");
        return -MP_CLI_EUSAGE;
    }
    if (access(L->cwd, W_OK | X_OK) != 0) {
        fprintf(stderr, "memprof: run: cannot write the log in the current directory '%s': "
                        "%s (use -o to put it elsewhere)\n",
                L->cwd, strerror(errno));
        return -MP_CLI_EUSAGE;
    }
    strcpy(L->dir, L->cwd);
    return 0;
}

/* The default name for pid and n into buf (size bytes): 0 or -1. */
static int default_name(const mp_run_log_t *L, pid_t pid, int n, char *buf, size_t size)
{
    if (n == 0)
        return fmt_fits(buf, size, "memprof.%s.%d.mpz", L->exe, (int)pid);
    return fmt_fits(buf, size, "memprof.%s.%d.%d.mpz", L->exe, (int)pid, n);
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
    return fmt_fits(buf, size, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
}

int mp_run_log_child_path(const mp_run_log_t *L, pid_t self, char *buf, size_t size,
                          int *note)
{
    char name[sizeof L->name];
    struct stat st;

    *note = 0;
    if (L->chosen)
        return join(buf, size, L->dir, L->name) == 0 ? 0 : ENAMETOOLONG;
    for (int n = 0; n < MAX_DEFAULT_N; n++) {
        if (default_name(L, self, n, name, sizeof name) != 0 ||
            join(buf, size, L->dir, name) != 0)
            return ENAMETOOLONG;
        if (lstat(buf, &st) != 0) { /* free (or unknowable: the shim will say) */
            *note = n;
            return 0;
        }
    }
    return EEXIST;
}

/* ---- Reading a log ----------------------------------------------------- */

typedef struct log_facts {
    int opened;             /* the reader accepted the file header */
    mp_log_error_t open_err;
    int have_process;
    uint64_t pid;           /* PROCESS: */
    uint64_t start_real_ns;
    char exe[64];           /* PROCESS: the program's file name, cut to fit */
    int have_end;
    mp_rec_end_t end;
    uint64_t batch_events;  /* events in the BATCH records read */
    uint64_t lost;          /* events the LOST records say were dropped */
    int rc;                 /* mp_reader_next's last: 0 clean end, < 0 stopped */
    mp_log_error_t err;     /* why it stopped, when rc < 0 */
} log_facts_t;

/* The last path component of exe, as text, into buf. */
static void put_exe_name(char *buf, size_t size, const mp_str_t *exe)
{
    size_t start = 0, len;

    for (size_t i = 0; i < exe->len; i++)
        if (exe->ptr[i] == '/')
            start = i + 1;
    len = exe->len - start < size - 1 ? exe->len - start : size - 1;
    memcpy(buf, exe->ptr + start, len);
    buf[len] = '\0';
}

static void read_facts(const char *path, log_facts_t *f)
{
    mp_reader_t *r;
    mp_record_t rec;

    memset(f, 0, sizeof *f);
    if (mp_reader_open(path, &r, &f->open_err) != 0)
        return;
    f->opened = 1;
    while ((f->rc = mp_reader_next(r, &rec)) > 0) {
        switch (rec.type) {
        case MP_REC_PROCESS:
            f->have_process = 1;
            f->pid = rec.u.process.pid;
            f->start_real_ns = rec.u.process.start_real_ns;
            put_exe_name(f->exe, sizeof f->exe, &rec.u.process.exe);
            break;
        case MP_REC_BATCH:
            f->batch_events += rec.u.batch.nevents;
            break;
        case MP_REC_LOST:
            f->lost += rec.u.lost.events;
            break;
        case MP_REC_END:
            f->have_end = 1;
            f->end = rec.u.end;
            break;
        }
    }
    if (f->rc < 0)
        f->err = *mp_reader_error(r);
    mp_reader_close(r);
}

/* Whether a log that exists is this run's (see the top of the file). */
static int is_ours(const log_facts_t *f, const struct stat *st, pid_t pid,
                   const mp_run_clock_t *c)
{
    /* The shim starts after the fork; a second of slack for a clock step. */
    if (f->have_process)
        return f->pid == (uint64_t)pid && f->start_real_ns + 1000000000u >= c->start_real_ns;
    return modified_since(st, c); /* killed before its first chunk */
}

/* ---- Words ------------------------------------------------------------- */

static void put_size(FILE *out, uint64_t bytes)
{
    if (bytes < 1024)
        fprintf(out, "%" PRIu64 " bytes", bytes);
    else if (bytes < (1u << 20))
        fprintf(out, "%.1f KiB", bytes / 1024.0);
    else if (bytes < (1u << 30))
        fprintf(out, "%.1f MiB", bytes / 1048576.0);
    else
        fprintf(out, "%.2f GiB", bytes / 1073741824.0);
}

static void put_duration(FILE *out, uint64_t ns)
{
    double s = ns / 1e9;

    if (s < 10)
        fprintf(out, "%.2f s", s);
    else if (s < 60)
        fprintf(out, "%.1f s", s);
    else if (s < 3600)
        fprintf(out, "%d min %02d s", (int)(s / 60), (int)s % 60);
    else
        fprintf(out, "%d h %02d min", (int)(s / 3600), (int)(s / 60) % 60);
}

/* ---- Other logs of the run --------------------------------------------- */

typedef struct other_log {
    char *shown;           /* as printed */
    struct timespec mtime;
    int execd;             /* <log>.<pid>[.<n>]: the program itself exec'd */
    long chain;            /* execd: 0 for <log>.<pid>, n for <log>.<pid>.<n> */
} other_log_t;

typedef struct other_logs {
    other_log_t *v;
    size_t n, cap;
} other_logs_t;

/* s is one or more decimal digits up to its end (or up to stop). */
static const char *skip_digits(const char *s)
{
    const char *p = s;

    while (*p >= '0' && *p <= '9')
        p++;
    return p == s ? NULL : p;
}

/* ".<digits>" or ".<digits>.<digits>" and nothing else. */
static int is_pid_suffix(const char *s)
{
    if (*s != '.' || !(s = skip_digits(s + 1)))
        return 0;
    if (*s == '\0')
        return 1;
    return *s == '.' && (s = skip_digits(s + 1)) && *s == '\0';
}

int mp_run_log_is_pid_suffix(const char *s)
{
    return is_pid_suffix(s);
}

/* memprof.<exe>.<digits>.mpz, optionally followed by a pid suffix: a forked
 * child's log, or one that the shim had to rename. */
static int is_default_name(const char *name)
{
    static const char pre[] = "memprof.";
    const char *p;

    if (strncmp(name, pre, sizeof pre - 1) != 0)
        return 0;
    for (p = strstr(name, ".mpz"); p; p = strstr(p + 1, ".mpz")) {
        const char *q = p; /* walk back over the digits before ".mpz" */

        if (p[4] != '\0' && !is_pid_suffix(p + 4))
            continue;
        while (q > name && q[-1] >= '0' && q[-1] <= '9')
            q--;
        if (q < p && q > name + sizeof pre && q[-1] == '.')
            return 1;
    }
    return 0;
}

static int add_other(other_logs_t *o, const char *shown_dir, const char *name,
                     const struct stat *st, int execd, long chain)
{
    size_t len = strlen(shown_dir) + strlen(name) + 1;

    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 16;
        other_log_t *v = realloc(o->v, cap * sizeof *v);
        if (!v)
            return -1;
        o->v = v;
        o->cap = cap;
    }
    if (!(o->v[o->n].shown = malloc(len)))
        return -1;
    snprintf(o->v[o->n].shown, len, "%s%s", shown_dir, name);
    o->v[o->n].mtime = st->st_mtim;
    o->v[o->n].execd = execd;
    o->v[o->n].chain = chain;
    o->n++;
    return 0;
}

/* 1 if the log at path says its process started before the run: a log of
 * an earlier run, last written within the same tick of the coarse clock
 * as the run started. */
static int started_before(const char *path, const mp_run_clock_t *c)
{
    mp_log_error_t err;
    mp_reader_t *r;
    mp_record_t rec;
    int before = 0;

    if (mp_reader_open(path, &r, &err) != 0)
        return 0; /* nothing to go by but its time */
    if (mp_reader_next(r, &rec) > 0 && rec.type == MP_REC_PROCESS)
        before = rec.u.process.start_real_ns < c->start_real_ns;
    mp_reader_close(r);
    return before;
}

/* Adds the logs of dir (shown as shown_dir) that belong to the run: named
 * <main>.<pid>[.<n>] (if main is not NULL) or like a default name, written
 * since the run started, regular files of ours; never skip itself. */
static void scan_dir(other_logs_t *o, const char *dir, const char *shown_dir, const char *main,
                     const char *skip, pid_t pid, const mp_run_clock_t *c)
{
    size_t mlen = main ? strlen(main) : 0;
    char path[PATH_MAX + 256];
    char own_suffix[32];
    struct dirent *e;
    DIR *d = opendir(dir);

    if (!d)
        return;
    snprintf(own_suffix, sizeof own_suffix, ".%d", (int)pid);
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        struct stat st;
        int execd = 0, match = 0;
        long chain = 0;

        if (skip && strcmp(name, skip) == 0)
            continue;
        if (main && strncmp(name, main, mlen) == 0 && is_pid_suffix(name + mlen)) {
            const char *sfx = name + mlen;
            size_t olen = strlen(own_suffix);

            match = 1;
            execd = strncmp(sfx, own_suffix, olen) == 0 &&
                    (sfx[olen] == '\0' || sfx[olen] == '.');
            if (execd && sfx[olen] == '.')
                chain = strtol(sfx + olen + 1, NULL, 10);
        } else if (is_default_name(name)) {
            match = 1;
        }
        if (!match || join(path, sizeof path, dir, name) != 0 || lstat(path, &st) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid() || !modified_since(&st, c) ||
            started_before(path, c))
            continue;
        if (add_other(o, shown_dir, name, &st, execd, chain) != 0)
            break; /* out of memory: list what we have */
    }
    closedir(d);
}

static int by_mtime(const void *a, const void *b)
{
    const other_log_t *x = a, *y = b;

    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->shown, y->shown);
}

static void put_others(const other_logs_t *o)
{
    size_t execd = 0;

    if (o->n == 0)
        return;
    for (size_t i = 0; i < o->n; i++)
        execd += o->v[i].execd != 0;
    fprintf(stderr, "memprof: and %zu more log%s from %s: ", o->n, o->n == 1 ? "" : "s",
            execd == 0       ? (o->n == 1 ? "a child process" : "child processes")
            : execd == o->n  ? (o->n == 1 ? "the program it exec'd" : "programs it exec'd")
                             : "child processes and programs it exec'd");
    for (size_t i = 0; i < o->n && i < MAX_LISTED; i++)
        fprintf(stderr, "%s%s", i ? ", " : "", o->v[i].shown);
    if (o->n > MAX_LISTED)
        fprintf(stderr, ", ... (%zu more)", o->n - MAX_LISTED);
    fputc('\n', stderr);
}

static void free_others(other_logs_t *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].shown);
    free(o->v);
}

/* ---- The report -------------------------------------------------------- */

static void put_summary(const char *shown, const struct stat *st, const log_facts_t *f,
                        uint64_t elapsed_ns, int exec_listed)
{
    uint64_t events = f->have_end ? f->end.events : f->batch_events;

    fprintf(stderr, "memprof: log %s: ", shown);
    put_size(stderr, (uint64_t)st->st_size);
    fprintf(stderr, ", %" PRIu64 " event%s", events, events == 1 ? "" : "s");
    if (events)
        fprintf(stderr, " (%.1f bytes/event)", (double)st->st_size / (double)events);
    fputs(", ", stderr);
    put_duration(stderr, elapsed_ns);
    if (f->rc < 0)
        fprintf(stderr, " (log damaged: decoding stopped at byte %" PRIu64 ": %s; events "
                        "counted up to there)",
                f->err.offset, f->err.msg);
    else if (!f->have_end)
        fputs(" (log cut short: no END record)", stderr);
    else if (f->end.reason == MP_END_EXEC)
        fputs(exec_listed ? " (ends where the program exec'd another, whose log is listed "
                            "below)"
                          : " (ends where the program exec'd another)",
              stderr);
    else if (f->end.reason == MP_END_ERROR)
        fprintf(stderr, " (recording stopped early: %s)", strerror((int)f->end.detail));
    if (f->lost)
        fprintf(stderr, " (%" PRIu64 " events lost)", f->lost);
    fputc('\n', stderr);
}

/* The program exec'd (a wrapper script, env, a launcher): the log that
 * matters is most often the one of the last program of the chain, where the
 * process ended. Names it with its program and returns its shown name, or
 * NULL if the chain's logs are not among the others. */
static const char *put_last_exec(const other_logs_t *o, const char *dir, const char *shown_dir)
{
    const other_log_t *last = NULL;
    size_t execs = 0;
    char path[PATH_MAX + 256];
    static log_facts_t f;
    struct stat st;

    for (size_t i = 0; i < o->n; i++) {
        if (!o->v[i].execd)
            continue;
        execs++;
        if (!last || o->v[i].chain > last->chain)
            last = &o->v[i];
    }
    if (!last || join(path, sizeof path, dir, last->shown + strlen(shown_dir)) != 0 ||
        lstat(path, &st) != 0)
        return NULL;
    read_facts(path, &f);
    if (!f.opened)
        return NULL;
    fprintf(stderr, "memprof: the program exec'd %zu time%s; the last program, %s, "
                    "logged to %s: ",
            execs, execs == 1 ? "" : "s", f.exe[0] ? f.exe : "(unnamed)", last->shown);
    put_size(stderr, (uint64_t)st.st_size);
    uint64_t events = f.have_end ? f.end.events : f.batch_events;
    fprintf(stderr, ", %" PRIu64 " event%s", events, events == 1 ? "" : "s");
    if (f.rc < 0 || !f.have_end)
        fputs(f.rc < 0 ? " (log damaged)" : " (log cut short: no END record)", stderr);
    else if (f.end.reason == MP_END_EXEC)
        fputs(" (it exec'd again, and that log is missing)", stderr);
    fputc('\n', stderr);
    return last->shown;
}

void mp_run_log_report(mp_run_log_t *L, const mp_spawn_result_t *res,
                       const mp_run_clock_t *clock)
{
    char cand[2][PATH_MAX + 300], shown[2][PATH_MAX + 300];
    other_logs_t others = { NULL, 0, 0 };
    uint64_t elapsed = ns_of(CLOCK_MONOTONIC) - clock->start_mono_ns;
    static log_facts_t facts[2];
    struct stat st[2];
    int found = -1, exists = 0, exec_listed = 0;

    if (res->exec_err || res->setup_err) {
        fputs("memprof: no log was written: the program did not start\n", stderr);
        return;
    }
    if (!L->chosen && default_name(L, res->pid, res->note, L->name, sizeof L->name) != 0)
        return; /* cannot happen: the child built the same name */

    /* The log, or the name the shim falls back to when it was taken. */
    join(cand[0], sizeof cand[0], L->dir, L->name);
    snprintf(shown[0], sizeof shown[0], "%s%s", L->shown_dir, L->name);
    if (fmt_fits(cand[1], sizeof cand[1], "%s.%d", cand[0], (int)res->pid) != 0 ||
        fmt_fits(shown[1], sizeof shown[1], "%s.%d", shown[0], (int)res->pid) != 0)
        cand[1][0] = shown[1][0] = '\0'; /* cannot happen: the shim's limit is lower */
    for (int i = 0; i < 2 && found < 0; i++) {
        if (lstat(cand[i], &st[i]) != 0 || !S_ISREG(st[i].st_mode))
            continue;
        exists |= i == 0;
        read_facts(cand[i], &facts[i]);
        if (is_ours(&facts[i], &st[i], res->pid, clock))
            found = i;
    }

    scan_dir(&others, L->dir, L->shown_dir, L->name, found >= 0 ? strrchr(cand[found], '/') + 1
                                                                 : NULL,
             res->pid, clock);
    if (strcmp(L->dir, L->cwd) != 0) {
        struct stat a, b;
        if (stat(L->dir, &a) != 0 || stat(L->cwd, &b) != 0 || a.st_dev != b.st_dev ||
            a.st_ino != b.st_ino)
            scan_dir(&others, L->cwd, "", NULL, NULL, res->pid, clock);
    }
    if (others.n)
        qsort(others.v, others.n, sizeof *others.v, by_mtime);
    for (size_t i = 0; i < others.n; i++)
        exec_listed |= others.v[i].execd;

    if (found < 0) {
        if (exists && facts[0].have_process)
            fprintf(stderr, "memprof: %s was not written by this run (it is the log of "
                            "process %" PRIu64 ")\n",
                    shown[0], facts[0].pid);
        else if (exists)
            fprintf(stderr, "memprof: %s was not written by this run\n", shown[0]);
        else
            fprintf(stderr, "memprof: no log was written to %s: the shim did not record "
                            "(a message from it above may say why; a statically linked or "
                            "set-user-ID program does not load it)\n",
                    shown[0]);
    } else if (!facts[found].opened) {
        fprintf(stderr, "memprof: log %s: ", shown[found]);
        put_size(stderr, (uint64_t)st[found].st_size);
        fprintf(stderr, ", unreadable: %s (the program ended before the shim wrote it)\n",
                facts[found].open_err.msg);
    } else {
        put_summary(shown[found], &st[found], &facts[found], elapsed, exec_listed);
    }
    put_others(&others);
    const char *read = found >= 0 && facts[found].opened ? shown[found] : NULL;
    if (read && facts[found].have_end && facts[found].end.reason == MP_END_EXEC) {
        const char *last = put_last_exec(&others, L->dir, L->shown_dir);
        if (last)
            read = last;
    }
    if (read) {
        fputs("memprof: read it with: ", stderr);
        mp_shell_word(stderr, mp_cli_self());
        fprintf(stderr, " %s %s", mp_cli_has_command("report") ? "report" : "dump",
                read[0] == '-' ? "./" : ""); /* not an option */
        mp_shell_word(stderr, read);
        fputc('\n', stderr);
    }
    free_others(&others);
}

int mp_run_log_child_env(void *ctx, pid_t self, int *note)
{
    const mp_run_log_t *log = ctx;
    char path[PATH_MAX + 300];
    mp_optbuf_t b = { "", 0 };
    int err = mp_run_log_child_path(log, self, path, sizeof path, note);

    if (err)
        return err;
    if (mp_optbuf_add(&b, "log", path) != 0 || mp_env_set_options(b.text) != 0)
        return ENOMEM;
    return 0;
}
