/*
 * report_dir.c — `memprof report DIR` (report_view.h): which logs a
 * directory holds and what each is, so that the user can pick one. A run
 * that forks and execs leaves several logs side by side (docs/user-guide.md,
 * "Child processes and exec"): the parent's, `<log>.<pid>` for each child.
 *
 * A log is any regular file that starts with the log's magic, whatever its
 * name (a child's log is `x.mpz.4242`, not `*.mpz`); other files are
 * passed over in silence. Each log is read once, record by record, with
 * the reader alone (no replay): its PROCESS record gives pid, ppid, start
 * and command; END gives the event count and how it ended; a log without
 * END has its BATCH events counted and its duration taken from the latest
 * timestamp seen. Reading is about a tenth of a second for a few million
 * events.
 *
 * How they relate: a log whose ppid is another log's pid is that one's
 * child (fork); a log with the pid of another log that ended by exec, and
 * started after it, is the program that one exec'd.
 */
#include "report_view.h"
#include "shell_word.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "human.h"
#include "log_reader.h"
#include "signame.h"

#define CMD_SHOWN 88 /* characters of the command line shown */

typedef struct log_info {
    char *name;             /* file name inside the directory */
    char *path;             /* dir/name */
    int have_process;
    uint64_t pid, ppid, start_real_ns;
    char cmd[CMD_SHOWN + 4]; /* argv joined by spaces, cut with "..." */
    uint64_t last_ts;       /* latest timestamp seen, ns */
    uint64_t batch_events;  /* counted */
    int have_end;
    mp_rec_end_t end;
    int rc;                 /* the reader's last result: 0 clean end, < 0 stopped */
    mp_log_error_t err;     /* when rc < 0 */
} log_info_t;

/* ---- Reading one log --------------------------------------------------- */

static void note_ts(log_info_t *l, uint64_t ts)
{
    if (ts > l->last_ts)
        l->last_ts = ts;
}

static void set_cmd(log_info_t *l, const mp_rec_process_t *p)
{
    size_t n = 0;

    for (uint32_t i = 0; i < p->argc && n < CMD_SHOWN; i++) {
        if (i)
            l->cmd[n++] = ' ';
        for (size_t k = 0; k < p->argv[i].len && n < CMD_SHOWN; k++) {
            unsigned char c = (unsigned char)p->argv[i].ptr[k];
            l->cmd[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
        }
    }
    if (p->argc == 0)
        for (size_t k = 0; k < p->exe.len && n < CMD_SHOWN; k++)
            l->cmd[n++] = p->exe.ptr[k];
    if (n >= CMD_SHOWN) {
        memcpy(l->cmd + CMD_SHOWN - 3, "...", 3);
        n = CMD_SHOWN;
    }
    l->cmd[n] = '\0';
}

/* 1 if path is a log (it has the magic), with *l filled as far as it reads. */
static int read_log(const char *path, log_info_t *l)
{
    mp_reader_t *r;
    mp_record_t rec;
    int rc;

    if (mp_reader_open(path, &r, &l->err) != 0) {
        if (l->err.code == MP_ELOG_MAGIC || l->err.code == MP_ELOG_IO)
            return 0; /* not a log (an empty file is not one either) */
        l->rc = l->err.code;
        return 1;
    }
    while ((rc = mp_reader_next(r, &rec)) > 0) {
        switch (rec.type) {
        case MP_REC_PROCESS:
            l->have_process = 1;
            l->pid = rec.u.process.pid;
            l->ppid = rec.u.process.ppid;
            l->start_real_ns = rec.u.process.start_real_ns;
            set_cmd(l, &rec.u.process);
            break;
        case MP_REC_MODULE: note_ts(l, rec.u.module.ts); break;
        case MP_REC_MODULE_GONE: note_ts(l, rec.u.module_gone.ts); break;
        case MP_REC_THREAD: note_ts(l, rec.u.thread.ts); break;
        case MP_REC_WATERMARK: note_ts(l, rec.u.watermark.ts); break;
        case MP_REC_SNAPSHOT: note_ts(l, rec.u.snapshot.ts); break;
        case MP_REC_LOST: note_ts(l, rec.u.lost.ts); break;
        case MP_REC_END:
            l->have_end = 1;
            l->end = rec.u.end;
            note_ts(l, rec.u.end.ts);
            break;
        case MP_REC_BATCH: {
            mp_batch_iter_t it;
            mp_event_t ev;
            mp_batch_iter_init(&it, &rec.u.batch);
            while (mp_batch_next(&it, &ev) > 0) {
                l->batch_events++;
                note_ts(l, ev.ts);
            }
            break;
        }
        default:
            break;
        }
    }
    l->rc = rc;
    if (rc < 0)
        l->err = *mp_reader_error(r);
    mp_reader_close(r);
    return 1;
}

/* ---- The listing ------------------------------------------------------- */

static int by_start(const void *pa, const void *pb)
{
    const log_info_t *a = pa, *b = pb;

    if (a->have_process != b->have_process)
        return b->have_process - a->have_process;
    if (a->have_process && a->start_real_ns != b->start_real_ns)
        return a->start_real_ns < b->start_real_ns ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void put_state(FILE *out, const log_info_t *l)
{
    char sig[32];

    if (!l->have_process && l->rc < 0) {
        fprintf(out, "unreadable: %s", l->err.msg);
        return;
    }
    if (l->rc < 0) {
        fprintf(out, "damaged at byte %" PRIu64, l->err.offset);
        return;
    }
    if (!l->have_end) {
        fputs("cut short (no END)", out);
        return;
    }
    switch (l->end.reason) {
    case MP_END_EXIT: fprintf(out, "complete, exit %" PRIu64, l->end.detail); break;
    case MP_END_SIGNAL:
        fprintf(out, "complete, %s", mp_signame((int)l->end.detail, sig, sizeof sig));
        break;
    case MP_END_EXEC: fputs("complete, exec'd", out); break;
    case MP_END_ERROR: fputs("stopped early", out); break;
    default: fputs("complete", out); break;
    }
}

/* The log of process pid that was running at time ts: of the logs of pid
 * that started by ts (an exec chain keeps the pid), the latest; if exec_only,
 * only one that ended by exec'ing. NULL if none. */
static const log_info_t *running_at(const log_info_t *v, size_t n, size_t self, uint64_t pid,
                                    uint64_t ts, int exec_only)
{
    const log_info_t *best = NULL;

    for (size_t k = 0; k < n; k++) {
        const log_info_t *o = &v[k];
        if (k == self || !o->have_process || o->pid != pid || o->start_real_ns > ts)
            continue;
        if (exec_only && !(o->have_end && o->end.reason == MP_END_EXEC))
            continue;
        if (!best || o->start_real_ns > best->start_real_ns)
            best = o;
    }
    return best;
}

/* What l is to the other logs: "exec'd by X" (the program it replaced, the
 * latest of its pid's exec chain before it), "child of X" (the program its
 * parent was running when it forked), or nothing. */
static void put_relation(FILE *out, const log_info_t *v, size_t n, size_t i)
{
    const log_info_t *l = &v[i], *o;

    if (!l->have_process)
        return;
    if ((o = running_at(v, n, i, l->pid, l->start_real_ns, 1)) != NULL)
        fprintf(out, "  (exec'd by %s)", o->name);
    else if ((o = running_at(v, n, i, l->ppid, l->start_real_ns, 0)) != NULL)
        fprintf(out, "  (child of %s)", o->name);
}

static char *join(const char *dir, const char *name)
{
    size_t nd = strlen(dir), nn = strlen(name);
    int slash = nd && dir[nd - 1] == '/';
    char *p = malloc(nd + nn + 2);

    if (p)
        snprintf(p, nd + nn + 2, "%s%s%s", dir, slash ? "" : "/", name);
    return p;
}

/* A wall-clock time in local time, without the zone (zone() names it). */
static const char *wall_time(char *buf, size_t cap, uint64_t ns)
{
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;

    if (!localtime_r(&t, &tm) || strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(buf, cap, "?");
    return buf;
}

/* The local time zone's abbreviation now ("UTC", "CET"). */
static const char *zone(void)
{
    static char buf[16];
    time_t t = time(NULL);
    struct tm tm;

    if (!localtime_r(&t, &tm) || strftime(buf, sizeof buf, "%Z", &tm) == 0)
        snprintf(buf, sizeof buf, "local");
    return buf;
}

/* A path as one shell word that cannot be taken for an option. */
static void put_operand(FILE *out, const char *path)
{
    if (path[0] == '-')
        fputs("./", out);
    mp_shell_word(out, path);
}

static void free_logs(log_info_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
    }
    free(v);
}

int mp_report_dir(FILE *out, const char *dir, const char *self)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    log_info_t *v = NULL;
    size_t n = 0, cap = 0;

    if (!d) {
        fprintf(stderr, "memprof: report: cannot read the directory %s: %s\n", dir,
                strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        log_info_t l;

        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        memset(&l, 0, sizeof l);
        l.path = join(dir, e->d_name);
        l.name = strdup(e->d_name);
        if (!l.path || !l.name || lstat(l.path, &st) != 0 || !S_ISREG(st.st_mode) ||
            !read_log(l.path, &l)) {
            free(l.path);
            free(l.name);
            continue;
        }
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            log_info_t *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                free(l.path);
                free(l.name);
                break;
            }
            v = nv;
            cap = ncap;
        }
        v[n++] = l;
    }
    closedir(d);

    if (n == 0) {
        free(v);
        return 0;
    }
    qsort(v, n, sizeof *v, by_start);

    fprintf(out, "%zu log%s in %s (times: %s):\n", n, n == 1 ? "" : "s", dir, zone());
    fprintf(out, "  %-20s %7s %7s  %-19s %9s %9s  %s\n", "LOG", "PID", "PPID", "STARTED",
            "DURATION", "EVENTS", "STATE");
    for (size_t i = 0; i < n; i++) {
        const log_info_t *l = &v[i];
        char when[64], dur[MP_HUMAN_MAX];

        fprintf(out, "  %-20s ", l->name);
        if (l->have_process) {
            fprintf(out, "%7" PRIu64 " %7" PRIu64 "  %-19s %9s %9" PRIu64 "  ", l->pid, l->ppid,
                    wall_time(when, sizeof when, l->start_real_ns),
                    mp_human_secs(dur, sizeof dur, l->last_ts),
                    l->have_end ? l->end.events : l->batch_events);
        } else {
            fprintf(out, "%7s %7s  %-19s %9s %9s  ", "-", "-", "-", "-", "-");
        }
        put_state(out, l);
        fputc('\n', out);
        if (l->have_process) {
            fprintf(out, "      %s", l->cmd);
            put_relation(out, v, n, i);
            fputc('\n', out);
        }
    }

    /* Sorted by start, so the usable logs (with a PROCESS) come first. */
    size_t usable = 0;
    while (usable < n && v[usable].have_process)
        usable++;
    if (usable) {
        fputs("report on one with: ", out);
        mp_shell_word(out, self);
        fputs(" report ", out);
        put_operand(out, v[0].path);
        fputc('\n', out);
    }
    if (usable > 1) {
        fputs("or on all of them:  ", out);
        mp_shell_word(out, self);
        fputs(" report", out);
        for (size_t i = 0; i < usable; i++) {
            fputc(' ', out);
            put_operand(out, v[i].path);
        }
        fputc('\n', out);
    }
    free_logs(v, n);
    return (int)n;
}
