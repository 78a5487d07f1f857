/*
 * check_run.c — the logs of one run (check_run.h).
 *
 * Children are found by name, as `memprof run` lists them (run_log.c): in
 * the main log's directory, <main>.<pid> or <main>.<pid>.<n>. When memprof
 * check ran the program itself without -o, the log is in a directory made
 * for the run, so every file there is one of its logs. Each log is replayed
 * into its own report; the reports stay alive as long as the run, since
 * the leaks point at their stacks.
 */
#define _GNU_SOURCE
#include "check_run.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_log.h"

static int add_log(mp_check_run_t *run, size_t *cap, const char *path,
                   const mp_report_options_t *o, int is_main)
{
    mp_check_proc_t *p;
    const mp_replay_process_t *proc;
    mp_replay_summary_t sum;
    mp_log_error_t err;
    int rc;

    if (run->n == *cap) {
        size_t ncap = *cap ? 2 * *cap : 8;
        mp_check_proc_t *v = realloc(run->v, ncap * sizeof *v);
        if (!v)
            goto nomem;
        run->v = v;
        *cap = ncap;
    }
    p = &run->v[run->n];
    memset(p, 0, sizeof *p);
    if (!(p->log = strdup(path)))
        goto nomem;
    rc = mp_report_build(path, o, &p->rep, &err);
    if (rc != 0) {
        fprintf(stderr, "memprof: check: %s: nothing to check: %s\n", path, err.msg);
        free(p->log);
        if (rc == MP_ELOG_NOMEM)
            return 1;
        return is_main ? 2 : 0; /* a child's bad log: said, and left out */
    }
    proc = mp_replay_process(mp_report_replay(p->rep));
    mp_replay_summary(mp_report_replay(p->rep), &sum);
    p->pid = proc->pid;
    p->exe = proc->exe;
    p->execd = sum.have_end && sum.end_reason == MP_END_EXEC;
    p->partial = sum.partial;
    p->peak = sum.peak_bytes;
    run->n++;
    return 0;
nomem:
    fputs("memprof: check: out of memory\n", stderr);
    return 1;
}

static uint64_t start_of(const mp_check_proc_t *p)
{
    return mp_replay_process(mp_report_replay(p->rep))->start_real_ns;
}

static int by_start(const void *a, const void *b)
{
    uint64_t x = start_of(a), y = start_of(b);
    return x < y ? -1 : x > y;
}

int mp_check_run_load(mp_check_run_t *run, const char *main, int dir_is_run,
                      const mp_report_options_t *o)
{
    const char *slash = strrchr(main, '/');
    const char *name = slash ? slash + 1 : main;
    size_t nlen = strlen(name), cap = 0;
    char dir[4096], path[4096 + 256];
    struct dirent *e;
    DIR *d;
    int rc;

    memset(run, 0, sizeof *run);
    if ((rc = add_log(run, &cap, main, o, 1)) != 0)
        return rc;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - main) : 1, slash ? main : ".");
    if (slash == main)
        snprintf(dir, sizeof dir, "/");
    if (!(d = opendir(dir)))
        return 0; /* the main log alone */
    while ((e = readdir(d)) != NULL) {
        size_t before = run->n;
        if (e->d_name[0] == '.' || strcmp(e->d_name, name) == 0)
            continue;
        if (!dir_is_run &&
            (strncmp(e->d_name, name, nlen) != 0 || !mp_run_log_is_pid_suffix(e->d_name + nlen)))
            continue;
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
        if ((rc = add_log(run, &cap, path, o, 0)) != 0) {
            closedir(d);
            return rc;
        }
        /* A sibling from an earlier run of the same name: every process
         * of this run started after the main one (the same clock). */
        if (run->n > before && start_of(&run->v[before]) < start_of(&run->v[0])) {
            mp_report_free(run->v[before].rep);
            free(run->v[before].log);
            run->n--;
        }
    }
    closedir(d);
    if (run->n > 2)
        qsort(run->v + 1, run->n - 1, sizeof *run->v, by_start);
    return 0;
}

void mp_check_run_free(mp_check_run_t *run)
{
    for (size_t i = 0; i < run->n; i++) {
        mp_report_free(run->v[i].rep);
        free(run->v[i].log);
    }
    free(run->v);
    memset(run, 0, sizeof *run);
}
