/*
 * sampled_check.c — mp_sampled_check: replays a log of sample_workload with
 * analyzer/replay.h, attributes every site to the workload function its
 * stack was made in, and compares the per-function figures with the truth
 * the program printed (integration.sampled.accuracy, accuracy.sh).
 *
 *     mp_sampled_check exact   TRUTH LOG     a full-mode log: every figure exact
 *     mp_sampled_check sampled TRUTH LOG     a sampled log: the estimates within
 *                                            6σ, and within 5% where 5% ≥ 6σ
 *
 * TRUTH is sample_workload's OUT file: "interval T", then per function a
 * range line "NAME LO HI" (hex, inclusive, rec_prog.h) and a line
 * "truth NAME allocs=... bytes=... frees=... live_blocks=... live_bytes=...
 * min_size=... max_size=... var_bytes=... var_count=...".
 *
 * Attribution: a site belongs to the function whose range holds the stack's
 * first frame outside libmemprof.so (the shim drops its own leading frames
 * when it captures, so that is normally frame 0: the return address into
 * the function that called malloc). Sites whose first such frame is in no
 * range (the libc's and the loader's allocations) are summed as "other".
 *
 * The statistics (docs/sampling.md §3), with T the interval, for the
 * function's allocations of sizes S_i, B = Σ S_i and N their number:
 *
 *     σ_B² = Σ S_i² / (e^(S_i/T) − 1)      σ_N² = Σ 1 / (e^(S_i/T) − 1)
 *
 * summed by the program itself over the sizes it drew. Each estimate must be
 * within 6σ of the truth (|Z| > 6 happens with probability 1.97·10⁻⁹ under
 * the normal approximation); where 5% of the truth is at least 6σ it must
 * also be within 5% — implied by the 6σ check then, so it adds no chance of
 * a false failure — and the line states the confidence of the 5% claim,
 * P(|Z| > 5%/σ). Bernstein's inequality, which needs no approximation
 * (terms I_i·w_i − S_i in [−S_i, T + 1], the +1 for the weight's random
 * rounding up; for counts I_i·w_i/S_i − 1 in [−1, (T + 1)/S_i]), bounds the
 * chance of missing 6σ too; the table prints that bound per check.
 *
 * Output: a table on stdout, then "heap live_objects=N ..." from the last
 * SNAPSHOT (the heap's exact counters; accuracy.sh compares the two modes),
 * "checks=N failed=F" and exit status 0 if every check passed, 1 if one
 * failed, 2 if the log or the truth could not be read.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define MAX_FN 8
#define Z_MAX 6.0
#define REL_MAX 0.05

typedef struct fn {
    char name[64];
    uint64_t lo, hi;   /* inclusive address range */
    /* The truth (sample_workload). */
    uint64_t allocs, bytes, frees, live_blocks, live_bytes, min_size, max_size;
    double var_bytes, var_count;
    /* What the replay attributes to it. */
    uint64_t samples, frees_seen, bytes_est, leaked_bytes, sites;
    double allocs_est, leaked_est;
} fn_t;

static fn_t fns[MAX_FN + 1]; /* fns[nfn] is "other" */
static size_t nfn;
static double interval;
static int checks, failed;
static int z_checks;       /* 6σ checks made */
static double bern_sum;    /* the sum of their Bernstein bounds */

static int load_truth(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[1024], name[64];
    unsigned long long lo, hi;

    if (!f) {
        fprintf(stderr, "mp_sampled_check: cannot open %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "interval %lf", &interval) == 1)
            continue;
        if (strncmp(line, "truth ", 6) == 0) {
            fn_t *x = NULL;
            unsigned long long v[7];
            if (sscanf(line,
                       "truth %63s allocs=%llu bytes=%llu frees=%llu live_blocks=%llu "
                       "live_bytes=%llu min_size=%llu max_size=%llu",
                       name, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 8)
                goto bad;
            for (size_t i = 0; i < nfn; i++)
                if (strcmp(fns[i].name, name) == 0)
                    x = &fns[i];
            const char *vb = strstr(line, " var_bytes="), *vc = strstr(line, " var_count=");
            if (!x || !vb || !vc)
                goto bad;
            x->allocs = v[0];
            x->bytes = v[1];
            x->frees = v[2];
            x->live_blocks = v[3];
            x->live_bytes = v[4];
            x->min_size = v[5];
            x->max_size = v[6];
            x->var_bytes = strtod(vb + 11, NULL);
            x->var_count = strtod(vc + 11, NULL);
            continue;
        }
        if (sscanf(line, "%63s %llx %llx", name, &lo, &hi) == 3 && nfn < MAX_FN) {
            snprintf(fns[nfn].name, sizeof fns[nfn].name, "%s", name);
            fns[nfn].lo = lo;
            fns[nfn].hi = hi;
            nfn++;
            continue;
        }
    bad:
        fprintf(stderr, "mp_sampled_check: %s: cannot parse: %s", path, line);
        fclose(f);
        return -1;
    }
    fclose(f);
    if (nfn == 0 || interval <= 0) {
        fprintf(stderr, "mp_sampled_check: %s: no functions or no interval\n", path);
        return -1;
    }
    for (size_t i = 0; i < nfn; i++)
        if (fns[i].allocs == 0) {
            fprintf(stderr, "mp_sampled_check: %s: no truth line for %s\n", path, fns[i].name);
            return -1;
        }
    snprintf(fns[nfn].name, sizeof fns[nfn].name, "other");
    return 0;
}

/* 1 if addr lies in a segment of a module whose file is libmemprof.so. */
static int in_shim(const mp_replay_t *r, uint64_t addr)
{
    for (size_t m = 0; m < mp_replay_module_count(r); m++) {
        const mp_replay_module_t *mod = mp_replay_module(r, m);
        const char *base = strrchr(mod->path, '/');
        base = base ? base + 1 : mod->path;
        if (strncmp(base, "libmemprof.so", 13) != 0)
            continue;
        for (uint32_t s = 0; s < mod->nseg; s++) {
            uint64_t lo = mod->segs[s].vaddr + mod->bias;
            if (addr >= lo && addr - lo < mod->segs[s].memsz)
                return 1;
        }
    }
    return 0;
}

static fn_t *owner(const mp_replay_t *r, const mp_replay_site_t *s)
{
    uint32_t i = 0;
    while (i < s->nframes && in_shim(r, s->frames[i]))
        i++;
    if (i < s->nframes)
        for (size_t k = 0; k < nfn; k++)
            if (s->frames[i] >= fns[k].lo && s->frames[i] <= fns[k].hi)
                return &fns[k];
    return &fns[nfn];
}

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    checks++;
    if (ok)
        return;
    failed++;
    printf("FAIL: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* Bernstein: P(|X − E X| ≥ t) ≤ 2 exp(−(t²/2) / (σ² + M t / 3)). */
static double bernstein(double var, double m, double t)
{
    double p = 2 * exp(-(t * t / 2) / (var + m * t / 3));
    return p < 1 ? p : 1;
}

/* Two-sided normal tail P(|Z| > z). */
static double normal_tail(double z)
{
    return erfc(z / sqrt(2.0));
}

static int replay(const char *path, mp_replay_t **out)
{
    mp_log_error_t err;
    mp_replay_summary_t s;

    if (mp_replay_open(path, out, &err) != 0) {
        fprintf(stderr, "mp_sampled_check: %s: %s\n", path, err.msg);
        return -1;
    }
    int rc = mp_replay_run(*out, NULL, NULL);
    mp_replay_summary(*out, &s);
    if (rc != 0) {
        fprintf(stderr, "mp_sampled_check: %s: nothing replayed (%s): %s\n", path,
                mp_log_strerror(rc), s.stop.msg);
        return -1;
    }
    check(!s.partial && s.have_end, "the log is partial or has no END: %s", s.stop.msg);
    check(s.lost_events == 0, "%" PRIu64 " events lost", s.lost_events);
    check(s.unknown_frees == 0 && s.alloc_of_live == 0 && s.undefined_stacks == 0,
          "anomalies: unknown_frees=%" PRIu64 " alloc_of_live=%" PRIu64
          " undefined_stacks=%" PRIu64,
          s.unknown_frees, s.alloc_of_live, s.undefined_stacks);
    printf("log %s: %" PRIu64 " allocation events (%" PRIu64 " samples), %" PRIu64
           " frees, %zu sites\n",
           path, s.allocs, s.samples, s.frees, mp_replay_site_count(*out));

    for (size_t i = 0; i < mp_replay_site_count(*out); i++) {
        const mp_replay_site_t *x = mp_replay_site(*out, i);
        fn_t *f = owner(*out, x);
        f->sites++;
        f->samples += x->allocs;
        f->frees_seen += x->frees;
        f->bytes_est += x->bytes_allocated;
        f->allocs_est += x->est_allocs;
        f->leaked_bytes += x->leaked_bytes;
        f->leaked_est += x->est_leaked_blocks;
    }
    return 0;
}

/* The heap's own counters at the last SNAPSHOT: exact in every mode. */
static void put_heap(const mp_replay_t *r)
{
    size_t n = mp_replay_heap_count(r);
    const mp_replay_heap_t *h = n ? mp_replay_heap(r, n - 1) : NULL;
    uint64_t objects = 0;

    check(h && h->exact, "no SNAPSHOT in the log");
    if (!h || !h->exact)
        return;
    for (uint32_t c = 0; c < h->nclasses; c++)
        objects += h->classes[c].live_objects;
    printf("heap live_objects=%" PRIu64 " small_objects=%" PRIu64 " large_objects=%" PRIu64
           "\n",
           objects + h->large_objects, objects, h->large_objects);
}

static void run_exact(const mp_replay_t *r)
{
    const mp_replay_process_t *p = mp_replay_process(r);

    check(p->mode == MP_MODE_FULL, "mode %" PRIu64 ", expected full (%d)", p->mode,
          MP_MODE_FULL);
    printf("%-13s %10s %14s %9s %11s %11s\n", "function", "allocs", "bytes", "frees",
           "live_blocks", "live_bytes");
    for (size_t k = 0; k < nfn; k++) {
        const fn_t *f = &fns[k];
        printf("%-13s %10" PRIu64 " %14" PRIu64 " %9" PRIu64 " %11.0f %11" PRIu64 "\n", f->name,
               f->samples, f->bytes_est, f->frees_seen, f->leaked_est, f->leaked_bytes);
        check(f->samples == f->allocs && f->allocs_est == (double)f->allocs,
              "%s: %" PRIu64 " allocations (estimated %.0f), the program made %" PRIu64,
              f->name, f->samples, f->allocs_est, f->allocs);
        check(f->bytes_est == f->bytes, "%s: %" PRIu64 " bytes, the program allocated %" PRIu64,
              f->name, f->bytes_est, f->bytes);
        check(f->frees_seen == f->frees, "%s: %" PRIu64 " frees, the program made %" PRIu64,
              f->name, f->frees_seen, f->frees);
        check(f->leaked_est == (double)f->live_blocks && f->leaked_bytes == f->live_bytes,
              "%s: %.0f blocks / %" PRIu64 " bytes live at the end, the program kept %" PRIu64
              " / %" PRIu64,
              f->name, f->leaked_est, f->leaked_bytes, f->live_blocks, f->live_bytes);
    }
    printf("%-13s %10" PRIu64 " %14" PRIu64 " (the libc's and the loader's)\n", "other",
           fns[nfn].samples, fns[nfn].bytes_est);
}

/* One estimate against its truth; prints a table row and checks it. */
static void judge(const fn_t *f, const char *what, double truth, double est, double var,
                  double m)
{
    double sigma = sqrt(var), err = est - truth;
    double z = sigma > 0 ? err / sigma : (err == 0 ? 0 : INFINITY);
    double z5 = sigma > 0 ? REL_MAX * truth / sigma : INFINITY;
    int strict = z5 >= Z_MAX;
    double bern = bernstein(var, m, Z_MAX * sigma);

    z_checks++;
    bern_sum += bern;

    printf("%-13s %-6s %14.0f %16.1f %+8.3f%% %7.3f%% %+6.2f %6.2f  %-8s %9.2g %9.2g\n", f->name,
           what, truth, est, 100 * err / truth, 100 * sigma / truth, z, z5,
           strict ? "5%,6σ" : "6σ", normal_tail(z5), bern);
    check(fabs(z) <= Z_MAX, "%s: estimated %s %.1f, truth %.0f: %.2f σ off (σ = %.1f)", f->name,
          what, est, truth, z, sigma);
    if (strict)
        check(fabs(err) <= REL_MAX * truth, "%s: estimated %s %.1f, truth %.0f: %.2f%% off",
              f->name, what, est, truth, 100 * err / truth);
}

static void run_sampled(const mp_replay_t *r)
{
    const mp_replay_process_t *p = mp_replay_process(r);
    double T = interval;

    check(p->mode == MP_MODE_SAMPLED && (double)p->sample_interval == T,
          "mode %" PRIu64 " interval %" PRIu64 ", expected sampled (%d) with %.0f", p->mode,
          p->sample_interval, MP_MODE_SAMPLED, T);
    printf("sampling interval T = %.0f bytes; σ from the sizes drawn (docs/sampling.md §3)\n", T);
    printf("%-13s %-6s %14s %16s %9s %8s %6s %6s  %-8s %9s %9s\n", "function", "what", "true",
           "estimate", "error", "σ", "z", "5%/σ", "asserted", "P(>5%)", "Bern(6σ)");
    for (size_t k = 0; k < nfn; k++) {
        const fn_t *f = &fns[k];
        double mb = fmax(T + 1, (double)f->max_size);
        double mc = fmax(1, (T + 1) / (double)f->min_size);
        judge(f, "bytes", (double)f->bytes, (double)f->bytes_est, f->var_bytes, mb);
        judge(f, "count", (double)f->allocs, f->allocs_est, f->var_count, mc);
    }
    printf("%-13s %" PRIu64 " samples, %.0f bytes estimated (the libc's and the loader's)\n",
           "other", fns[nfn].samples, (double)fns[nfn].bytes_est);
    printf("confidence: each 6σ check fails by chance with probability %.2g (normal "
           "approximation; Bern(6σ) is the approximation-free bound); the 5%% checks are "
           "implied by their 6σ checks; P(>5%%) is the chance the estimate misses 5%%.\n",
           normal_tail(Z_MAX));
    printf("confidence: the %d 6σ checks together fail by chance with probability %.2g "
           "(normal approximation), at most %.2g (Bernstein)\n",
           z_checks, z_checks * normal_tail(Z_MAX), bern_sum < 1 ? bern_sum : 1);
}

int main(int argc, char **argv)
{
    mp_replay_t *r = NULL;
    int exact;

    if (argc != 4 || (strcmp(argv[1], "exact") != 0 && strcmp(argv[1], "sampled") != 0)) {
        fprintf(stderr, "usage: mp_sampled_check exact|sampled TRUTH LOG\n");
        return 2;
    }
    exact = strcmp(argv[1], "exact") == 0;
    if (load_truth(argv[2]) != 0 || replay(argv[3], &r) != 0) {
        mp_replay_close(r);
        return 2;
    }
    if (exact)
        run_exact(r);
    else
        run_sampled(r);
    put_heap(r);
    mp_replay_close(r);
    printf("checks=%d failed=%d\n", checks, failed);
    return failed ? 1 : 0;
}
