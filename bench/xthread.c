/*
 * xthread.c — cross-thread frees: every block is freed by a thread other
 * than the one that allocated it.
 *
 *   bench_xthread <threads> [mops]   (default 4 threads, 6 million blocks)
 *
 * This is the producer/consumer shape of pipelines, work queues and
 * message passing, and it is where per-thread caches get tested: a block
 * freed remotely lands in the freeing thread's cache (or a remote-free
 * list), and the allocating thread must get memory back from somewhere
 * other than its own cache, so central lists, transfer caches or
 * remote-free queues decide the figure.
 *
 * The threads form a ring: thread i allocates blocks and passes them, in
 * batches of BATCH, to thread i+1 through a single-producer
 * single-consumer queue; it frees the batches it receives from thread i-1.
 * So every thread both allocates and frees, and every free is remote. A
 * thread that can neither push (its successor is behind) nor pop (its
 * predecessor is behind) yields, which keeps 4 threads sane on 2 cores.
 * The queue itself holds at most RING batches, bounding memory in flight;
 * its cost is one cache-line handoff per BATCH blocks, small next to the
 * BATCH mallocs and frees.
 *
 * A thread that can make no progress yields a few times and then sleeps on
 * a futex until a neighbour pushes or pops (with a 1 ms timeout as a safety
 * net). Yielding forever would work too, but on 2 cores with 4 threads the
 * spinners steal the CPU from the threads that could run, and the figure
 * would measure the scheduler more than the allocator; sleeping also keeps
 * the CPU-time figure about work, not waiting.
 *
 * Blocks are written by the producer and checked by the consumer.
 *
 * Prints: result threads=<n> ops=<blocks> elapsed_s=<s> ops_per_sec=<blocks/s>
 *         cpu_s=<s> cpu_ops_per_sec=<blocks per CPU second> checksum=<x>
 */
#define _GNU_SOURCE
#include "bench_util.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum {
    MAX_THREADS = 64,
    BATCH = 64,       /* blocks per queue entry */
    RING = 16,        /* queue entries: at most 1024 blocks in flight per pair */
    MIN_SIZE = 16,
    MAX_SIZE = 1024,
    YIELDS = 16,      /* sched_yield calls before sleeping */
};

typedef struct batch {
    void *p[BATCH];
    uint32_t size[BATCH];
    uint32_t tag[BATCH];
} batch_t;

/* Single producer, single consumer. head and tail only grow (mod 2^32);
 * head - tail is the number of full entries. Each index lives on its own
 * cache line so the two sides do not false-share. */
typedef struct queue {
    _Alignas(64) _Atomic uint32_t head; /* written by the producer only */
    _Alignas(64) _Atomic uint32_t tail; /* written by the consumer only */
    _Alignas(64) batch_t entry[RING];
} queue_t;

typedef struct worker worker_t;
struct worker {
    _Alignas(64) _Atomic uint32_t wake_seq; /* bumped by a neighbour that made room or work */
    _Atomic int sleeping;   /* 1 while this thread is (about to be) in futex_wait */
    pthread_t tid;
    int id;
    uint64_t nblocks;   /* blocks this thread allocates, = blocks it frees */
    queue_t *in;        /* from the predecessor: we free these */
    queue_t *out;       /* to the successor: we allocate these */
    worker_t *pred;     /* fills in; woken when we free a batch */
    worker_t *succ;     /* drains out; woken when we push a batch */
    uint64_t made;      /* blocks allocated so far */
    uint64_t freed;     /* blocks freed so far */
    uint64_t sum;       /* checksum of what we freed */
};

static pthread_barrier_t start_line;

static int produce(worker_t *w, bench_rng_t *rng, uint32_t *tag)
{
    uint32_t head = atomic_load_explicit(&w->out->head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&w->out->tail, memory_order_acquire);
    if (head - tail == RING)
        return 0;
    batch_t *b = &w->out->entry[head % RING];
    for (int j = 0; j < BATCH; j++) {
        size_t size = bench_rng_size(rng, MIN_SIZE, MAX_SIZE);
        void *p = malloc(size);
        if (!p) {
            fprintf(stderr, "bench_xthread: malloc(%zu) failed\n", size);
            exit(2);
        }
        bench_fill(p, size, *tag);
        b->p[j] = p;
        b->size[j] = (uint32_t)size;
        b->tag[j] = (*tag)++;
    }
    atomic_store_explicit(&w->out->head, head + 1, memory_order_release);
    return 1;
}

static int can_progress(worker_t *w)
{
    uint32_t oh = atomic_load(&w->out->head), ot = atomic_load(&w->out->tail);
    uint32_t ih = atomic_load(&w->in->head), it = atomic_load(&w->in->tail);
    return (w->made < w->nblocks && oh - ot < RING) || (w->freed < w->nblocks && ih != it);
}

/* The waker publishes its queue index, then (full fence) reads sleeping;
 * the sleeper sets sleeping, then (full fence) rereads the queues. One of
 * the two must see the other's store, so a wakeup is never lost; and
 * wake_seq makes futex_wait return at once if the bump came in between. */
static void wake(worker_t *x)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&x->sleeping, memory_order_relaxed)) {
        atomic_fetch_add(&x->wake_seq, 1);
        syscall(SYS_futex, (uint32_t *)&x->wake_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

static void wait_for_neighbours(worker_t *w)
{
    uint32_t seq = atomic_load(&w->wake_seq);
    atomic_store(&w->sleeping, 1);
    atomic_thread_fence(memory_order_seq_cst);
    if (!can_progress(w)) {
        struct timespec limit = { 0, 1000000 };
        syscall(SYS_futex, (uint32_t *)&w->wake_seq, FUTEX_WAIT_PRIVATE, seq, &limit, NULL, 0);
    }
    atomic_store(&w->sleeping, 0);
}

static int consume(worker_t *w)
{
    uint32_t tail = atomic_load_explicit(&w->in->tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&w->in->head, memory_order_acquire);
    if (head == tail)
        return 0;
    batch_t *b = &w->in->entry[tail % RING];
    for (int j = 0; j < BATCH; j++) {
        w->sum += bench_check(b->p[j], b->size[j], b->tag[j]);
        free(b->p[j]);
    }
    atomic_store_explicit(&w->in->tail, tail + 1, memory_order_release);
    return 1;
}

static void *run(void *arg)
{
    worker_t *w = arg;
    bench_rng_t rng;
    bench_rng_seed(&rng, 0x7874687265616400ull + (uint64_t)w->id);
    /* Tags are unique per thread (high bits), so a block handed out twice
     * across threads is still caught by the check. */
    uint32_t tag = (uint32_t)w->id << 26;
    int idle = 0;

    pthread_barrier_wait(&start_line);
    while (w->made < w->nblocks || w->freed < w->nblocks) {
        int progress = 0;
        if (w->made < w->nblocks && produce(w, &rng, &tag)) {
            w->made += BATCH;
            wake(w->succ);
            progress = 1;
        }
        if (w->freed < w->nblocks && consume(w)) {
            w->freed += BATCH;
            wake(w->pred);
            progress = 1;
        }
        if (progress)
            idle = 0;
        else if (++idle <= YIELDS)
            sched_yield();
        else
            wait_for_neighbours(w);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *usage = "<threads> [million-blocks]";
    long nthreads = bench_arg(argc, argv, 1, 4, usage);
    long mblocks = bench_arg(argc, argv, 2, 6, usage);
    if (nthreads < 2 || nthreads > MAX_THREADS) {
        fprintf(stderr, "bench_xthread: threads must be 2..%d\n", MAX_THREADS);
        return 2;
    }
    /* Every thread allocates the same whole number of batches. */
    uint64_t per = (uint64_t)mblocks * 1000000u / (uint64_t)nthreads;
    per -= per % BATCH;
    if (per == 0)
        per = BATCH;

    queue_t *q = bench_map((size_t)nthreads * sizeof *q);
    worker_t w[MAX_THREADS];
    pthread_barrier_init(&start_line, NULL, (unsigned)nthreads + 1);
    for (int i = 0; i < nthreads; i++) {
        w[i].id = i;
        w[i].nblocks = per;
        w[i].in = &q[i];
        w[i].out = &q[(i + 1) % nthreads];
        w[i].sum = 0;
        w[i].made = w[i].freed = 0;
        atomic_init(&w[i].wake_seq, 0);
        atomic_init(&w[i].sleeping, 0);
        w[i].pred = &w[(i + nthreads - 1) % nthreads];
        w[i].succ = &w[(i + 1) % nthreads];
        if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
            fprintf(stderr, "bench_xthread: pthread_create failed\n");
            return 2;
        }
    }
    pthread_barrier_wait(&start_line);
    double t0 = bench_now(), c0 = bench_cpu();
    uint64_t sum = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].tid, NULL);
        sum += w[i].sum;
    }
    double elapsed = bench_now() - t0, cpu = bench_cpu() - c0;
    pthread_barrier_destroy(&start_line);
    bench_unmap(q, (size_t)nthreads * sizeof *q);

    bench_heap_report("end");
    uint64_t ops = per * (uint64_t)nthreads;
    printf("result threads=%ld ops=%llu elapsed_s=%.4f ops_per_sec=%.0f cpu_s=%.4f"
           " cpu_ops_per_sec=%.0f checksum=%llx\n",
           nthreads, (unsigned long long)ops, elapsed, (double)ops / elapsed, cpu, (double)ops / cpu,
           (unsigned long long)sum);
    return 0;
}
