/*
 * deepstack.c — allocation-bound microbenchmark with deep, varied call
 * stacks: the workload of bench/run-record.sh, where what is measured is
 * the cost of recording each event (unwinding, stack lookup, encoding),
 * not the allocator.
 *
 *   bench_deepstack [threads] [thousand-ops] [cross]
 *       threads       1..8 (default 1)
 *       thousand-ops  operations in total, all threads together (default 3000)
 *       cross         1 (default): the threads share one working set, so
 *                     about (threads-1)/threads of the frees are of blocks
 *                     another thread allocated; 0: each thread has its own
 *                     part of it and never frees another thread's block
 *
 * Every allocation is made at the bottom of a call chain: the worker loop,
 * 3..13 noinline functions, and a leaf that calls malloc or realloc, so
 * 5..15 frames from the worker to the allocator (the thread's own start
 * frames, main or start_thread and libc's, come on top). The chain is
 * table-driven: call site s in [0, NSITES) has depth 3 + s % 11 and a
 * path, 2 bits per level, choosing which of four functions f0..f3 comes
 * next. Each f has four distinct call instructions (one per callee), so
 * the return addresses differ and every (path, depth) is a distinct stack
 * as an unwinder sees it: up to NSITES stacks for malloc and as many for
 * realloc, fewer where two shallow sites draw the same path (memprof's log
 * holds about 580, 9..19 frames with the start frames). A compiler barrier
 * after each call keeps -O2 from turning the calls into jumps (sibling-call
 * optimisation would fold the chain into one frame).
 *
 * Each site allocates a few sizes (a base size drawn once, skewed small,
 * bench_rng_size, plus 0, 16, 32 or 48 bytes: 16..4096 in all), as a call
 * site of a real program allocates one struct or a few string lengths.
 * (Drawing every size anew, ~2 million distinct (size, stack) pairs, makes
 * heaptrack 1.4's heaptrack_interpret grow past 19 GB and die of
 * std::bad_alloc after ~75 000 of them; see docs/bench.md.)
 *
 * The working set is WS slots: ~10 MiB live. Each operation picks a random
 * slot and a random site, allocates a block through the site's chain,
 * swaps it into the slot with an atomic exchange and frees whatever was
 * there; one operation in REALLOC_EVERY instead takes the slot's block
 * out, resizes it with realloc through the chain and puts it back. The
 * exchange makes sharing the slots between threads safe without a lock;
 * with cross=1 a block is freed by whichever thread next lands on its
 * slot.
 *
 * A block's first 16 bytes carry its owner thread, size and a tag, its
 * last word (from 24 bytes up) a copy of the tag; free checks both. That
 * touches every block without making the program memory-bound.
 *
 * Events are counted as a profiler counts them: every malloc, every
 * realloc of a non-NULL block (realloc(NULL, n) is counted as a malloc),
 * every free of a non-NULL block. Blocks still live at the end are freed
 * by the main thread and counted. The totals are deterministic for a given
 * thread count and size; only which thread frees what varies with timing.
 *
 * Prints: result threads=<n> cross=<0|1> ops=<n> events=<mallocs+reallocs+frees>
 *         mallocs=<n> reallocs=<n> frees=<n> xfrees=<frees by another thread>
 *         sites=<n> elapsed_s=<s> ns_per_event=<ns> cpu_s=<s> maxrss_kb=<kb>
 *         checksum=<x>
 */
#define _GNU_SOURCE
#include "bench_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum {
    MAX_THREADS = 8,
    NSITES = 300,         /* distinct call sites (x2 stacks: malloc, realloc) */
    MIN_DEPTH = 3,        /* chain functions between the worker loop and the leaf */
    DEPTH_SPAN = 11,      /* depths MIN_DEPTH .. MIN_DEPTH + DEPTH_SPAN - 1 */
    WS = 8192,            /* working-set slots */
    REALLOC_EVERY = 8,    /* one operation in 8 is a realloc */
    MIN_SIZE = 16,
    MAX_SIZE = 4096,
    SIZE_STEPS = 4,       /* sizes per site: base + 0, 16, 32, 48 */
};

#define NOINLINE __attribute__((noinline))
/* After a call, so the call cannot become a tail jump. */
#define BARRIER() __asm__ volatile("" ::: "memory")

typedef struct req {
    uint32_t path;   /* 2 bits per level: which f the next level is */
    uint32_t depth;  /* chain functions to go through */
    uint32_t level;  /* how many have been entered */
    uint32_t size;   /* bytes to allocate */
    void *old;       /* realloc this block (NULL: malloc) */
} req_t;

typedef struct site {
    uint32_t path;
    uint32_t depth;
    uint32_t size;   /* base request size; allocations add 0, 16, 32 or 48 */
} site_t;

static site_t sites[NSITES];

/* The block header the program writes and checks. */
typedef struct hdr {
    uint32_t owner;  /* worker index that last (re)allocated it */
    uint32_t size;   /* requested size */
    uint64_t tag;    /* also stored in the last word */
} hdr_t;

static NOINLINE void *leaf(req_t *q)
{
    void *p;
    if (q->old)
        p = realloc(q->old, q->size);
    else
        p = malloc(q->size);
    BARRIER();
    return p;
}

static NOINLINE void *f0(req_t *q);
static NOINLINE void *f1(req_t *q);
static NOINLINE void *f2(req_t *q);
static NOINLINE void *f3(req_t *q);

/* Inlined into each f, so each f has its own four call sites. */
static inline __attribute__((always_inline)) void *step(req_t *q)
{
    void *p;
    if (q->level == q->depth) {
        p = leaf(q);
        BARRIER();
        return p;
    }
    unsigned d = (q->path >> (2 * q->level)) & 3u;
    q->level++;
    switch (d) {
    case 0: p = f0(q); break;
    case 1: p = f1(q); break;
    case 2: p = f2(q); break;
    default: p = f3(q); break;
    }
    BARRIER();
    return p;
}

static NOINLINE void *f0(req_t *q) { void *p = step(q); BARRIER(); return p; }
static NOINLINE void *f1(req_t *q) { void *p = step(q); BARRIER(); return p; }
static NOINLINE void *f2(req_t *q) { void *p = step(q); BARRIER(); return p; }
static NOINLINE void *f3(req_t *q) { void *p = step(q); BARRIER(); return p; }

/* Allocate (old == NULL) or reallocate through site s's chain. The first
 * level is entered here, so the chain is depth functions deep. */
static void *chain(unsigned s, uint32_t size, void *old)
{
    req_t q = {sites[s].path, sites[s].depth, 0, size, old};
    void *p = step(&q);
    BARRIER();
    return p;
}

typedef struct worker {
    pthread_t tid;
    uint32_t id;
    uint64_t nops;              /* operations this worker does */
    _Atomic(void *) *slots;     /* its slots: all of them (cross) or its part */
    uint32_t nslots;
    uint64_t mallocs, reallocs, frees, xfrees;
    uint64_t sum;               /* checksum of what free read back */
} worker_t;

static void die_oom(size_t n)
{
    fprintf(stderr, "bench_deepstack: allocation of %zu bytes failed\n", n);
    exit(2);
}

static void stamp(void *p, uint32_t owner, uint32_t size, uint64_t tag)
{
    hdr_t h = {owner, size, tag};
    memcpy(p, &h, sizeof h);
    if (size >= sizeof h + 8) /* smaller blocks: the header's tag is the last word */
        memcpy((char *)p + size - 8, &tag, 8);
}

/* Checks and frees p; returns the owner it carried. */
static uint32_t check_free(void *p, uint64_t *sum)
{
    hdr_t h;
    uint64_t last;
    memcpy(&h, p, sizeof h);
    if (h.size < MIN_SIZE || h.size > MAX_SIZE) {
        fprintf(stderr, "bench_deepstack: block %p has a bad header\n", p);
        exit(3);
    }
    last = h.tag;
    if (h.size >= sizeof h + 8)
        memcpy(&last, (char *)p + h.size - 8, 8);
    if (last != h.tag) {
        fprintf(stderr, "bench_deepstack: block %p (%u bytes) was overwritten\n", p, h.size);
        exit(3);
    }
    *sum += h.tag ^ h.size;
    free(p);
    return h.owner;
}

static void *work(void *arg)
{
    worker_t *w = arg;
    bench_rng_t rng;
    bench_rng_seed(&rng, 0x64656570ull + w->id); /* "deep" */
    for (uint64_t i = 0; i < w->nops; i++) {
        unsigned slot = bench_rng_below(&rng, w->nslots);
        unsigned s = bench_rng_below(&rng, NSITES);
        uint32_t size = sites[s].size + 16u * bench_rng_below(&rng, SIZE_STEPS);
        uint64_t tag = bench_rng_next(&rng) | 1u;
        void *old = NULL;
        if (i % REALLOC_EVERY == REALLOC_EVERY - 1)
            old = atomic_exchange_explicit(&w->slots[slot], NULL, memory_order_acquire);
        void *p = chain(s, size, old);
        if (!p)
            die_oom(size);
        if (old)
            w->reallocs++;
        else
            w->mallocs++;
        stamp(p, w->id, size, tag);
        void *prev = atomic_exchange_explicit(&w->slots[slot], p, memory_order_acq_rel);
        if (prev) {
            w->frees++;
            if (check_free(prev, &w->sum) != w->id)
                w->xfrees++;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const char usage[] = "[threads 1..8] [thousand-ops] [cross 0|1]";
    long nthreads = bench_arg(argc, argv, 1, 1, usage);
    long kops = bench_arg(argc, argv, 2, 3000, usage);
    int cross = 1;
    if (argc > 3) {
        if (strcmp(argv[3], "0") && strcmp(argv[3], "1")) {
            fprintf(stderr, "usage: %s %s\n", argv[0], usage);
            return 2;
        }
        cross = argv[3][0] == '1';
    }
    if (nthreads > MAX_THREADS) {
        fprintf(stderr, "bench_deepstack: threads must be 1..%d\n", MAX_THREADS);
        return 2;
    }
    if (nthreads == 1)
        cross = 0;

    /* Sites: depths cycle through 3..13; paths from a fixed stream. */
    bench_rng_t rng;
    bench_rng_seed(&rng, 0x73697465ull); /* "site" */
    for (unsigned s = 0; s < NSITES; s++) {
        sites[s].depth = MIN_DEPTH + s % DEPTH_SPAN;
        sites[s].path = (uint32_t)bench_rng_next(&rng);
        sites[s].size = (uint32_t)bench_rng_size(&rng, MIN_SIZE, MAX_SIZE - 16 * (SIZE_STEPS - 1));
    }

    size_t slots_bytes = (size_t)WS * sizeof(_Atomic(void *));
    _Atomic(void *) *slots = bench_map(slots_bytes); /* zero-filled: all empty */
    static worker_t w[MAX_THREADS];
    uint64_t total = (uint64_t)kops * 1000u;
    uint32_t part = cross ? WS : WS / (uint32_t)nthreads;

    double t0 = bench_now();
    for (long t = 0; t < nthreads; t++) {
        w[t].id = (uint32_t)t;
        w[t].nops = total / (uint64_t)nthreads + ((uint64_t)t < total % (uint64_t)nthreads);
        w[t].slots = cross ? slots : slots + (size_t)t * part;
        w[t].nslots = part;
    }
    if (nthreads == 1) {
        work(&w[0]);
    } else {
        for (long t = 0; t < nthreads; t++)
            if (pthread_create(&w[t].tid, NULL, work, &w[t]) != 0) {
                fprintf(stderr, "bench_deepstack: pthread_create failed\n");
                return 2;
            }
        for (long t = 0; t < nthreads; t++)
            pthread_join(w[t].tid, NULL);
    }
    /* What is left in the working set is freed here, and counted. */
    uint64_t mallocs = 0, reallocs = 0, frees = 0, xfrees = 0, sum = 0;
    for (unsigned i = 0; i < WS; i++) {
        void *p = atomic_load_explicit(&slots[i], memory_order_relaxed);
        if (p) {
            check_free(p, &sum);
            frees++;
        }
    }
    double elapsed = bench_now() - t0;
    double cpu = bench_cpu();
    for (long t = 0; t < nthreads; t++) {
        mallocs += w[t].mallocs;
        reallocs += w[t].reallocs;
        frees += w[t].frees;
        xfrees += w[t].xfrees;
        sum += w[t].sum;
    }
    bench_unmap(slots, slots_bytes);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t events = mallocs + reallocs + frees;
    printf("result threads=%ld cross=%d ops=%llu events=%llu mallocs=%llu reallocs=%llu"
           " frees=%llu xfrees=%llu sites=%d elapsed_s=%.4f ns_per_event=%.1f cpu_s=%.4f"
           " maxrss_kb=%ld checksum=%llx\n",
           nthreads, cross, (unsigned long long)total, (unsigned long long)events,
           (unsigned long long)mallocs, (unsigned long long)reallocs,
           (unsigned long long)frees, (unsigned long long)xfrees, NSITES, elapsed,
           events ? elapsed * 1e9 / (double)events : 0.0, cpu, ru.ru_maxrss,
           (unsigned long long)sum);
    return 0;
}
