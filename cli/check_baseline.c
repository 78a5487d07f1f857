/*
 * check_baseline.c — comparing a run with a baseline run (check_baseline.h).
 *
 * Both runs are reduced to a table of (program + stack key, bytes leaked),
 * summed over the stacks that share a key (one function can leak from
 * several call sites of the same caller; two processes of the same
 * program add up) and sorted by key; this run's entries are looked up in
 * the baseline's. Peaks are kept per program name, the largest of its
 * processes.
 */
#include "check_baseline.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "check_view.h"
#include "options.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * FNV_PRIME;
    return (h ^ 0xff) * FNV_PRIME; /* a separator no name contains */
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static uint64_t hash_stack(uint64_t h, const mp_report_stack_t *s)
{
    if (!s || s->nframes == 0)
        return 0;
    for (size_t i = 0; i < s->nframes; i++) {
        const mp_frame_t *f = &s->frames[i];
        if (f->function) {
            h = fnv(h, f->function);
            h = fnv(h, base_name(f->file));
        } else {
            h = fnv(h, base_name(f->module));
        }
    }
    return h ? h : 1;
}

uint64_t mp_check_stack_key(const mp_report_stack_t *s)
{
    return hash_stack(FNV_OFFSET, s);
}

/* The key of a stack of a program: the program's name, then the stack. */
static uint64_t leak_key(const char *exe, const mp_report_stack_t *s)
{
    return hash_stack(fnv(FNV_OFFSET, base_name(exe)), s);
}

/* ---- --tolerance -------------------------------------------------------- */

int mp_check_tolerance_parse(const char *text, mp_check_tolerance_t *t)
{
    size_t len = strlen(text);
    unsigned long long bytes;

    memset(t, 0, sizeof *t);
    snprintf(t->text, sizeof t->text, "%s", text);
    if (len > 1 && text[len - 1] == '%') {
        char *end;
        errno = 0;
        t->value = strtod(text, &end);
        if (errno || end != text + len - 1 || !(text[0] >= '0' && text[0] <= '9') ||
            !isfinite(t->value) || t->value > 1e9)
            return -1;
        t->percent = 1;
        return 0;
    }
    if (len == 0 || len >= sizeof t->text || mp_parse_size(text, UINT64_MAX, &bytes) != 0)
        return -1;
    t->bytes = bytes;
    return 0;
}

int mp_check_tolerance_exceeded(const mp_check_tolerance_t *t, uint64_t before, uint64_t after)
{
    if (after <= before)
        return 0;
    if (t->percent) /* growth as a share of before: 0 -> anything is growth */
        return (double)(after - before) > (double)before * t->value / 100.0;
    return after - before > t->bytes;
}

/* ---- Tables -------------------------------------------------------------- */

typedef struct entry {
    uint64_t key, bytes;
    const mp_check_leak_t *leak; /* this run: its largest leak */
} entry_t;

typedef struct table {
    entry_t *v;
    size_t n, cap;
} table_t;

static int add(table_t *t, uint64_t key, uint64_t bytes, const mp_check_leak_t *leak)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        entry_t *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return -1;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = (entry_t){ key, bytes, leak };
    return 0;
}

static int by_key(const void *pa, const void *pb)
{
    const entry_t *a = pa, *b = pb;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    /* this run: the largest leak first, so it stays the representative */
    if (a->leak && b->leak && a->leak->order != b->leak->order)
        return a->leak->order < b->leak->order ? -1 : 1;
    return 0;
}

/* Sorts by key and sums the entries that share one. */
static void merge(table_t *t)
{
    size_t n = 0;

    if (t->n == 0)
        return; /* t->v may be NULL, which qsort must not be given */
    qsort(t->v, t->n, sizeof *t->v, by_key);
    for (size_t i = 0; i < t->n; i++) {
        if (n && t->v[n - 1].key == t->v[i].key)
            t->v[n - 1].bytes += t->v[i].bytes;
        else
            t->v[n++] = t->v[i];
    }
    t->n = n;
}

static uint64_t lookup(const table_t *t, uint64_t key)
{
    entry_t probe = { key, 0, NULL };
    const entry_t *e = t->n ? bsearch(&probe, t->v, t->n, sizeof *t->v, by_key) : NULL;
    return e ? e->bytes : 0;
}

/* The baseline's leaks by key (suppression is decided on this run's side). */
static int baseline_table(const mp_check_run_t *run, table_t *t)
{
    for (size_t p = 0; p < run->n; p++) {
        const mp_report_list_t *list = mp_report_list(run->v[p].rep, MP_REPORT_LEAKS);
        if (run->v[p].execd)
            continue;
        for (size_t i = 0; i < list->n; i++)
            if (add(t, leak_key(run->v[p].exe, list->v[i].stack), list->v[i].site->leaked_bytes,
                    NULL) != 0)
                return -1;
    }
    merge(t);
    return 0;
}

static int by_growth(const void *pa, const void *pb)
{
    const mp_check_growth_t *a = pa, *b = pb;
    uint64_t ga = a->after - a->before, gb = b->after - b->before;

    if (ga != gb)
        return ga > gb ? -1 : 1;
    return a->leak->order < b->leak->order ? -1 : a->leak->order > b->leak->order;
}

static int compare_stacks(mp_check_baseline_t *b, const mp_check_run_t *base,
                          const mp_check_result_t *r)
{
    table_t old = { 0 }, now = { 0 };
    int rc = -1;

    if (baseline_table(base, &old) != 0)
        goto out;
    for (size_t i = 0; i < r->nleaks; i++) {
        const mp_check_leak_t *l = &r->leaks[i];
        if (!l->rule && add(&now, leak_key(l->proc->exe, l->stack), l->bytes, l) != 0)
            goto out;
    }
    merge(&now);
    if (!(b->grown = calloc(now.n ? now.n : 1, sizeof *b->grown)))
        goto out;
    for (size_t i = 0; i < now.n; i++) {
        uint64_t before = lookup(&old, now.v[i].key);
        if (mp_check_tolerance_exceeded(&b->tol, before, now.v[i].bytes))
            b->grown[b->ngrown++] =
                (mp_check_growth_t){ now.v[i].key, now.v[i].leak, before, now.v[i].bytes };
    }
    qsort(b->grown, b->ngrown, sizeof *b->grown, by_growth);
    rc = 0;
out:
    free(old.v);
    free(now.v);
    return rc;
}

/* The largest peak among the processes of run (n of them) named exe. */
static const mp_check_proc_t *top_peak(const mp_check_proc_t *v, size_t n, const char *exe)
{
    const mp_check_proc_t *best = NULL;

    for (size_t i = 0; i < n; i++)
        if (strcmp(base_name(v[i].exe ? v[i].exe : "?"), exe) == 0 &&
            (!best || v[i].peak > best->peak))
            best = &v[i];
    return best;
}

static int compare_peaks(mp_check_baseline_t *b, const mp_check_run_t *base,
                         const mp_check_result_t *r)
{
    if (!(b->peaks = calloc(r->nprocs ? r->nprocs : 1, sizeof *b->peaks)))
        return -1;
    for (size_t i = 0; i < r->nprocs; i++) {
        const char *exe = base_name(r->procs[i].exe ? r->procs[i].exe : "?");
        const mp_check_proc_t *now, *old;
        const mp_report_list_t *peak;
        mp_check_peak_t *pk;
        int seen = 0;

        for (size_t k = 0; k < b->npeaks && !seen; k++)
            seen = strcmp(b->peaks[k].exe, exe) == 0;
        if (seen || !(old = top_peak(base->v, base->n, exe)))
            continue; /* done, or a program the baseline did not run */
        now = top_peak(r->procs, r->nprocs, exe);
        pk = &b->peaks[b->npeaks++];
        peak = mp_report_list(now->rep, MP_REPORT_PEAK);
        pk->exe = exe;
        pk->before = old->peak;
        pk->after = now->peak;
        pk->stack = peak->n ? peak->v[0].stack : NULL;
        pk->grew = mp_check_tolerance_exceeded(&b->tol, pk->before, pk->after);
        b->peaks_grew += (size_t)pk->grew;
    }
    return 0;
}

int mp_check_baseline_compare(const char *log, const mp_check_tolerance_t *tol,
                              const mp_report_options_t *o, const mp_check_result_t *r,
                              mp_check_baseline_t **out)
{
    mp_check_baseline_t *b = calloc(1, sizeof *b);
    mp_check_run_t base;
    int rc;

    *out = NULL;
    if (!b || !(b->log = strdup(log))) {
        free(b);
        fputs("memprof: check: out of memory\n", stderr);
        return 1;
    }
    b->tol = *tol;
    if ((rc = mp_check_run_load(&base, log, 0, o)) != 0) {
        if (rc == 2)
            fprintf(stderr, "memprof: check: the baseline %s cannot be read (above)\n", log);
        mp_check_baseline_free(b);
        return rc;
    }
    if (compare_stacks(b, &base, r) != 0 || compare_peaks(b, &base, r) != 0) {
        mp_check_run_free(&base);
        mp_check_baseline_free(b);
        fputs("memprof: check: out of memory\n", stderr);
        return 1;
    }
    mp_check_run_free(&base);
    *out = b;
    return 0;
}

void mp_check_baseline_free(mp_check_baseline_t *b)
{
    if (!b)
        return;
    free(b->log);
    free(b->peaks);
    free(b->grown);
    free(b);
}

int mp_check_baseline_failed(const mp_check_baseline_t *b)
{
    return b && (b->ngrown || b->peaks_grew);
}

const mp_check_growth_t *mp_check_baseline_growth(const mp_check_baseline_t *b,
                                                  const mp_check_leak_t *l)
{
    uint64_t key;

    if (!b || l->rule)
        return NULL;
    key = leak_key(l->proc->exe, l->stack);
    for (size_t i = 0; i < b->ngrown; i++)
        if (b->grown[i].key == key)
            return &b->grown[i];
    return NULL;
}

/* ---- Views ---------------------------------------------------------------- */

void mp_check_baseline_put_delta(FILE *out, uint64_t before, uint64_t after)
{
    if (after >= before)
        fprintf(out, "+%" PRIu64 " bytes", after - before);
    else
        fprintf(out, "-%" PRIu64 " bytes", before - after);
    if (before)
        fprintf(out, ", %+.1f%%", ((double)after - (double)before) * 100.0 / (double)before);
    else
        fputs(", new", out);
}

void mp_check_baseline_text(FILE *out, const mp_check_baseline_t *b)
{
    char name[200];

    fprintf(out, "memprof: check: against the baseline %s (tolerance %s): ", b->log,
            b->tol.text);
    if (!mp_check_baseline_failed(b))
        fputs("nothing grew beyond it\n", out);
    else
        fprintf(out, "%zu %s and %zu %s grew beyond it\n", b->ngrown,
                b->ngrown == 1 ? "stack" : "stacks", b->peaks_grew,
                b->peaks_grew == 1 ? "peak" : "peaks");
    for (size_t i = 0; i < b->npeaks; i++) {
        const mp_check_peak_t *p = &b->peaks[i];
        fprintf(out, "  peak heap of %s: %" PRIu64 " -> %" PRIu64 " bytes (", p->exe, p->before,
                p->after);
        mp_check_baseline_put_delta(out, p->before, p->after);
        fprintf(out, ")%s\n", p->grew ? ", GREW beyond the tolerance" : "");
        if (p->grew && p->stack && p->stack->nframes) {
            fputs("    most at the peak: ", out);
            mp_check_put_frame(out, mp_check_top_frame(p->stack));
            fputc('\n', out);
        }
    }
    for (size_t i = 0; i < b->ngrown; i++) {
        const mp_check_growth_t *g = &b->grown[i];
        const mp_frame_t *top = mp_check_top_frame(g->leak->stack);
        fprintf(out, "  grew: %" PRIu64 " -> %" PRIu64 " bytes leaked (", g->before, g->after);
        mp_check_baseline_put_delta(out, g->before, g->after);
        fputs(") at ", out);
        if (top)
            mp_check_put_frame(out, top);
        else
            fputs("an unknown stack", out);
        fprintf(out, " in %s\n", mp_check_proc_name(g->leak->proc, name, sizeof name));
    }
}

void mp_check_baseline_json(FILE *out, const mp_check_baseline_t *b)
{
    fputs("{\"log\": ", out);
    mp_check_json_str(out, b->log);
    fputs(", \"tolerance\": ", out);
    mp_check_json_str(out, b->tol.text);
    fputs(",\n    \"peaks\": [", out);
    for (size_t i = 0; i < b->npeaks; i++) {
        fputs(i ? ", {\"exe\": " : "{\"exe\": ", out);
        mp_check_json_str(out, b->peaks[i].exe);
        fprintf(out, ", \"before\": %" PRIu64 ", \"after\": %" PRIu64 ", \"grew\": %s}",
                b->peaks[i].before, b->peaks[i].after, b->peaks[i].grew ? "true" : "false");
    }
    fputs("],\n    \"grown\": [", out);
    for (size_t i = 0; i < b->ngrown; i++) {
        const mp_check_growth_t *g = &b->grown[i];
        const mp_frame_t *top = mp_check_top_frame(g->leak->stack);
        fprintf(out, "%s{\"pid\": %" PRIu64 ", \"before\": %" PRIu64 ", \"after\": %" PRIu64
                     ", \"function\": ",
                i ? ",\n      " : "\n      ", g->leak->proc->pid, g->before, g->after);
        mp_check_json_str(out, top ? top->function : NULL);
        fputs(", \"file\": ", out);
        mp_check_json_str(out, top ? top->file : NULL);
        fprintf(out, ", \"line\": %" PRIu32 "}", top ? top->line : 0);
    }
    fputs(b->ngrown ? "\n    ]}" : "]}", out);
}
