/*
 * churn.c — single-thread small-object churn: the allocator's fast path.
 *
 *   bench_churn [mops]      (default 12: 12 million malloc/free pairs)
 *
 * A program that builds and drops small structures all day spends its
 * allocator time here: a thread cache hit on malloc, a push on free, no
 * locks. Two patterns are interleaved so neither LIFO reuse nor random
 * reuse alone decides the figure:
 *
 *   - replacement: a working set of NSLOTS live blocks; each step frees a
 *     random one and allocates a new block of a random size in its place
 *     (objects die out of order, as in a cache or a graph);
 *   - bursts: every BURST_EVERY steps, BURST temporaries are allocated and
 *     then freed newest first (scratch buffers, short-lived strings).
 *
 * Sizes are 8..512 bytes, skewed small. Every block is written when it is
 * allocated and checked when it is freed (bench_fill/bench_check), so an
 * allocator cannot win by not handing out real memory, and the checksum is
 * printed so the compiler cannot drop the work.
 *
 * Prints: result ops=<pairs> elapsed_s=<s> ops_per_sec=<pairs/s> cpu_s=<s>
 *         cpu_ops_per_sec=<pairs per CPU second> checksum=<x>
 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

enum {
    NSLOTS = 8192,      /* live working set: ~1.3 MiB at the mean size */
    BURST = 48,         /* temporaries per burst */
    BURST_EVERY = 64,   /* replacement steps between bursts */
    MIN_SIZE = 8,
    MAX_SIZE = 512,
};

typedef struct slot {
    void *p;
    uint32_t size;
    uint32_t tag;
} slot_t;

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "bench_churn: malloc(%zu) failed\n", n);
        exit(2);
    }
    return p;
}

int main(int argc, char **argv)
{
    long mops = bench_arg(argc, argv, 1, 12, "[million-ops]");
    uint64_t target = (uint64_t)mops * 1000000u;
    bench_rng_t rng;
    bench_rng_seed(&rng, 0x636875726eull); /* "churn" */

    slot_t *slots = bench_map(NSLOTS * sizeof *slots);
    slot_t burst[BURST];
    uint64_t sum = 0, ops = 0;
    uint32_t tag = 1;

    for (int i = 0; i < NSLOTS; i++) {
        slots[i].size = (uint32_t)bench_rng_size(&rng, MIN_SIZE, MAX_SIZE);
        slots[i].tag = tag++;
        slots[i].p = xmalloc(slots[i].size);
        bench_fill(slots[i].p, slots[i].size, slots[i].tag);
    }

    double t0 = bench_now(), c0 = bench_cpu();
    uint64_t step = 0;
    while (ops < target) {
        slot_t *s = &slots[bench_rng_below(&rng, NSLOTS)];
        sum += bench_check(s->p, s->size, s->tag);
        free(s->p);
        s->size = (uint32_t)bench_rng_size(&rng, MIN_SIZE, MAX_SIZE);
        s->tag = tag++;
        s->p = xmalloc(s->size);
        bench_fill(s->p, s->size, s->tag);
        ops++;

        if (++step % BURST_EVERY == 0) {
            for (int j = 0; j < BURST; j++) {
                burst[j].size = (uint32_t)bench_rng_size(&rng, MIN_SIZE, MAX_SIZE);
                burst[j].tag = tag++;
                burst[j].p = xmalloc(burst[j].size);
                bench_fill(burst[j].p, burst[j].size, burst[j].tag);
            }
            for (int j = BURST - 1; j >= 0; j--) {
                sum += bench_check(burst[j].p, burst[j].size, burst[j].tag);
                free(burst[j].p);
            }
            ops += BURST;
        }
    }
    double elapsed = bench_now() - t0, cpu = bench_cpu() - c0;

    /* The working set is still live: this is the steady state the
     * metadata figure should describe. */
    bench_heap_report("end");
    for (int i = 0; i < NSLOTS; i++) {
        sum += bench_check(slots[i].p, slots[i].size, slots[i].tag);
        free(slots[i].p);
    }
    bench_unmap(slots, NSLOTS * sizeof *slots);

    printf("result ops=%llu elapsed_s=%.4f ops_per_sec=%.0f cpu_s=%.4f cpu_ops_per_sec=%.0f"
           " checksum=%llx\n",
           (unsigned long long)ops, elapsed, (double)ops / elapsed, cpu, (double)ops / cpu,
           (unsigned long long)sum);
    return 0;
}
