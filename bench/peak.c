/*
 * peak.c — peak then free: does the allocator give memory back?
 *
 *   bench_peak [peak-mib] [live-mib]    (default 256 MiB peak, 32 MiB live)
 *
 * The pattern memprof exists to diagnose: a load spike builds a big
 * transient structure, the spike passes, the structure is freed, and the
 * process should shrink back to what is really live. Here:
 *
 *   1. build: allocate peak-mib of transient blocks, mostly small
 *      (16..1024 bytes, skewed small) with one in LARGE_EVERY a larger one
 *      (32..120 KiB: below glibc's mmap threshold, so it is heap memory for
 *      every allocator). Interleaved with them, in time and therefore in
 *      address space, allocate live-mib of long-lived blocks of
 *      1100..2000 bytes (size classes the transient small blocks never
 *      use, so a size-class allocator can empty every transient span, while
 *      a first-fit heap finds survivors scattered through the peak);
 *   2. at the peak: record RSS (and memprof's heap statistics if present);
 *   3. free every transient block, in a shuffled order;
 *   4. sleep 2 s doing nothing (a background scavenger may work, an
 *      allocator that only trims on its next call will not), record RSS.
 *
 * The target for memprof is rss_after <= 1.1 * (live + 16 MiB); the 16 MiB
 * covers the program image, libc, thread stacks and the allocator's fixed
 * overhead. The bookkeeping array is mmap'd and unmapped before the sleep.
 * Every block is written when allocated and checked when freed.
 *
 * Prints: result ops=<blocks> elapsed_s=<build+free s> ops_per_sec=<blocks/s>
 *         cpu_s=<build+free CPU s> cpu_ops_per_sec=<blocks per CPU second>
 *         rss_base_kb=.. rss_peak_kb=.. rss_freed_kb=.. rss_after_kb=..
 *         live_bytes=.. peak_bytes=.. target_kb=.. within_target=<yes|no>
 */
#define _GNU_SOURCE
#include "bench_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum {
    MIN_SMALL = 16,
    MAX_SMALL = 1024,
    MIN_LARGE = 32 * 1024,
    MAX_LARGE = 120 * 1024, /* glibc mmaps chunks of 128 KiB and up */
    LARGE_EVERY = 64,       /* one transient block in 64 is large */
    MIN_LIVE = 1100,
    MAX_LIVE = 2000,
    SETTLE_S = 2,           /* seconds between the last free and the reading */
};

typedef struct block {
    void *p;
    uint32_t size;
    uint32_t tag;
} block_t;

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "bench_peak: malloc(%zu) failed\n", n);
        exit(2);
    }
    return p;
}

static void settle(void)
{
    struct timespec left = { SETTLE_S, 0 };
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        ;
}

int main(int argc, char **argv)
{
    const char *usage = "[peak-mib] [live-mib]";
    uint64_t peak = (uint64_t)bench_arg(argc, argv, 1, 256, usage) << 20;
    uint64_t live = (uint64_t)bench_arg(argc, argv, 2, 32, usage) << 20;
    bench_rng_t rng;
    bench_rng_seed(&rng, 0x7065616bull); /* "peak" */

    /* Worst case one entry per MIN_SMALL (or MIN_LIVE) bytes; only the
     * entries used are ever touched. */
    size_t tcap = peak / MIN_SMALL + 1, lcap = live / MIN_LIVE + 1;
    block_t *tr = bench_map(tcap * sizeof *tr);
    block_t *lv = bench_map(lcap * sizeof *lv);
    size_t ntr = 0, nlv = 0;
    uint64_t tr_bytes = 0, lv_bytes = 0, sum = 0;
    uint32_t tag = 1;

    uint64_t rss_base = bench_rss_kb();
    double t0 = bench_now(), c0 = bench_cpu();

    /* Build. Keep live/peak in proportion as we go, so survivors are
     * spread evenly through the peak's address range. */
    while (tr_bytes < peak) {
        block_t *b = &tr[ntr++];
        if (bench_rng_below(&rng, LARGE_EVERY) == 0)
            b->size = (uint32_t)(MIN_LARGE + bench_rng_below(&rng, MAX_LARGE - MIN_LARGE + 1));
        else
            b->size = (uint32_t)bench_rng_size(&rng, MIN_SMALL, MAX_SMALL);
        b->tag = tag++;
        b->p = xmalloc(b->size);
        bench_fill(b->p, b->size, b->tag);
        tr_bytes += b->size;

        while (nlv < lcap && (double)lv_bytes * (double)peak < (double)live * (double)tr_bytes) {
            block_t *l = &lv[nlv++];
            l->size = (uint32_t)(MIN_LIVE + bench_rng_below(&rng, MAX_LIVE - MIN_LIVE + 1));
            l->tag = tag++;
            l->p = xmalloc(l->size);
            bench_fill(l->p, l->size, l->tag);
            lv_bytes += l->size;
        }
    }
    double t_built = bench_now(), c_built = bench_cpu();

    uint64_t rss_peak = bench_rss_kb();
    bench_heap_report("peak");
    double t1 = bench_now(), c1 = bench_cpu();

    /* Free the transients in a shuffled order (Fisher-Yates): the spike's
     * structure dies as a whole, but not in allocation order. */
    for (size_t i = ntr - 1; i > 0; i--) {
        size_t j = bench_rng_below(&rng, (uint32_t)(i + 1));
        block_t t = tr[i];
        tr[i] = tr[j];
        tr[j] = t;
    }
    for (size_t i = 0; i < ntr; i++) {
        sum += bench_check(tr[i].p, tr[i].size, tr[i].tag);
        free(tr[i].p);
    }
    double elapsed = (t_built - t0) + (bench_now() - t1);
    double cpu = (c_built - c0) + (bench_cpu() - c1);
    uint64_t rss_freed = bench_rss_kb();
    bench_unmap(tr, tcap * sizeof *tr);

    settle();
    uint64_t rss_after = bench_rss_kb();
    bench_heap_report("after");

    for (size_t i = 0; i < nlv; i++)
        sum += bench_check(lv[i].p, lv[i].size, lv[i].tag);
    uint64_t target_kb = (lv_bytes / 1024 + 16384) * 11 / 10;
    printf("result ops=%zu elapsed_s=%.4f ops_per_sec=%.0f cpu_s=%.4f cpu_ops_per_sec=%.0f"
           " rss_base_kb=%llu rss_peak_kb=%llu"
           " rss_freed_kb=%llu rss_after_kb=%llu live_bytes=%llu peak_bytes=%llu"
           " target_kb=%llu within_target=%s checksum=%llx\n",
           ntr + nlv, elapsed, (double)(ntr + nlv) / elapsed, cpu, (double)(ntr + nlv) / cpu,
           (unsigned long long)rss_base, (unsigned long long)rss_peak,
           (unsigned long long)rss_freed, (unsigned long long)rss_after,
           (unsigned long long)lv_bytes, (unsigned long long)(lv_bytes + tr_bytes),
           (unsigned long long)target_kb, rss_after <= target_kb ? "yes" : "no",
           (unsigned long long)sum);
    fflush(stdout);

    for (size_t i = 0; i < nlv; i++)
        free(lv[i].p);
    bench_unmap(lv, lcap * sizeof *lv);
    return 0;
}
