/*
 * larson.c — a larson-like server pattern (after Larson and Krishnan,
 * "Memory allocation for long-running server applications", ISMM 1998).
 *
 *   bench_larson [lanes] [mops]     (default 4 lanes, 8 million replacements)
 *
 * A server keeps per-connection state that is replaced piece by piece, and
 * hands connections from thread to thread. Each lane owns an array of
 * NSLOTS blocks; its current thread repeatedly frees a random slot's block
 * and puts a new block of a random size (16..1024 bytes, uniform, as in
 * larson) in its place. After ROUNDS replacements the thread starts a
 * successor that inherits the array and then exits, so:
 *
 *   - blocks allocated by one thread are freed by the next (remote frees),
 *   - threads are created and exit all the time, so an allocator that
 *     keeps per-thread state must set it up cheaply and hand it back on
 *     exit (or leak it: the metadata report would show that).
 *
 * The successor joins its predecessor before starting, so at most one
 * thread per lane runs at a time and every thread is joined. The lanes'
 * first arrays are allocated by the main thread, as larson does.
 *
 * Prints: result lanes=<n> ops=<replacements> elapsed_s=<s>
 *         ops_per_sec=<replacements/s> cpu_s=<s> cpu_ops_per_sec=<per CPU second>
 *         threads=<created> checksum=<x>
 */
#define _GNU_SOURCE
#include "bench_util.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

enum {
    MAX_LANES = 64,
    NSLOTS = 2000,       /* live blocks per lane: ~1 MiB at the mean size */
    ROUNDS = 10000,      /* replacements per thread before it hands over */
    MIN_SIZE = 16,
    MAX_SIZE = 1024,
};

typedef struct lane {
    int id;
    uint64_t generations;   /* threads this lane runs in turn */
    uint64_t gen;           /* generation of the thread running it now */
    pthread_t prev;         /* the thread to join before starting */
    int has_prev;
    void *p[NSLOTS];
    uint32_t size[NSLOTS];
    uint32_t tag[NSLOTS];
    uint32_t next_tag;
    bench_rng_t rng;
    uint64_t sum;           /* checksum of freed blocks */
    pthread_t last;         /* the final thread, joined by main */
} lane_t;

static pthread_barrier_t start_line;
static sem_t lanes_done;

static void *generation(void *arg)
{
    lane_t *l = arg;
    if (l->has_prev)
        pthread_join(l->prev, NULL);
    else
        pthread_barrier_wait(&start_line);

    for (int r = 0; r < ROUNDS; r++) {
        uint32_t i = bench_rng_below(&l->rng, NSLOTS);
        l->sum += bench_check(l->p[i], l->size[i], l->tag[i]);
        free(l->p[i]);
        size_t size = MIN_SIZE + bench_rng_below(&l->rng, MAX_SIZE - MIN_SIZE + 1);
        void *p = malloc(size);
        if (!p) {
            fprintf(stderr, "bench_larson: malloc(%zu) failed\n", size);
            exit(2);
        }
        bench_fill(p, size, l->next_tag);
        l->p[i] = p;
        l->size[i] = (uint32_t)size;
        l->tag[i] = l->next_tag++;
    }

    if (++l->gen < l->generations) {
        pthread_t next;
        l->prev = pthread_self();
        l->has_prev = 1;
        if (pthread_create(&next, NULL, generation, l) != 0) {
            fprintf(stderr, "bench_larson: pthread_create failed\n");
            exit(2);
        }
    } else {
        l->last = pthread_self();
        sem_post(&lanes_done);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *usage = "[lanes] [million-replacements]";
    long nlanes = bench_arg(argc, argv, 1, 4, usage);
    long mops = bench_arg(argc, argv, 2, 8, usage);
    if (nlanes > MAX_LANES) {
        fprintf(stderr, "bench_larson: at most %d lanes\n", MAX_LANES);
        return 2;
    }
    uint64_t per_lane = (uint64_t)mops * 1000000u / (uint64_t)nlanes;
    uint64_t gens = (per_lane + ROUNDS - 1) / ROUNDS;

    lane_t *lanes = bench_map((size_t)nlanes * sizeof *lanes);
    pthread_barrier_init(&start_line, NULL, (unsigned)nlanes + 1);
    sem_init(&lanes_done, 0, 0);
    for (int k = 0; k < nlanes; k++) {
        lane_t *l = &lanes[k];
        l->id = k;
        l->generations = gens;
        bench_rng_seed(&l->rng, 0x6c6172736f6e00ull + (uint64_t)k);
        l->next_tag = (uint32_t)k << 26;
        for (int i = 0; i < NSLOTS; i++) {
            size_t size = MIN_SIZE + bench_rng_below(&l->rng, MAX_SIZE - MIN_SIZE + 1);
            l->p[i] = malloc(size);
            if (!l->p[i]) {
                fprintf(stderr, "bench_larson: malloc(%zu) failed\n", size);
                return 2;
            }
            bench_fill(l->p[i], size, l->next_tag);
            l->size[i] = (uint32_t)size;
            l->tag[i] = l->next_tag++;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, generation, l) != 0) {
            fprintf(stderr, "bench_larson: pthread_create failed\n");
            return 2;
        }
    }

    pthread_barrier_wait(&start_line);
    double t0 = bench_now(), c0 = bench_cpu();
    for (int k = 0; k < nlanes; k++)
        sem_wait(&lanes_done);
    double elapsed = bench_now() - t0;
    for (int k = 0; k < nlanes; k++)
        pthread_join(lanes[k].last, NULL);
    double cpu = bench_cpu() - c0; /* after the joins: exited threads count */

    /* All lane arrays still live, every worker thread gone: a heap that
     * does not reclaim exited threads' caches shows it here. */
    bench_heap_report("end");
    uint64_t sum = 0;
    for (int k = 0; k < nlanes; k++) {
        lane_t *l = &lanes[k];
        for (int i = 0; i < NSLOTS; i++) {
            l->sum += bench_check(l->p[i], l->size[i], l->tag[i]);
            free(l->p[i]);
        }
        sum += l->sum;
    }
    bench_unmap(lanes, (size_t)nlanes * sizeof *lanes);
    sem_destroy(&lanes_done);
    pthread_barrier_destroy(&start_line);

    uint64_t ops = (uint64_t)nlanes * gens * ROUNDS;
    printf("result lanes=%ld ops=%llu elapsed_s=%.4f ops_per_sec=%.0f cpu_s=%.4f cpu_ops_per_sec=%.0f"
           " threads=%llu checksum=%llx\n",
           nlanes, (unsigned long long)ops, elapsed, (double)ops / elapsed, cpu, (double)ops / cpu,
           (unsigned long long)((uint64_t)nlanes * gens), (unsigned long long)sum);
    return 0;
}
