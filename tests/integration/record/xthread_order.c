/*
 * xthread_order.c — producers allocate, consumers free, for
 * integration.record.xthread_order:
 *
 *     xthread_order RANGES_FILE [N]
 *
 * 2 producer threads allocate N objects in all (default 1,000,000; sizes
 * 16..256 bytes) in produce() and hand them through four small
 * single-producer single-consumer rings (producer p alternates between
 * consumer 0 and 1) to 2 consumer threads that check and free them. The
 * rings hold 64 objects each, so at most a few hundred objects are live at
 * any time: the heap hands the same addresses out again and again, each
 * freed by one thread and soon allocated by another — exactly the case the
 * log's ordering rule must get right. Writes produce()'s range to
 * RANGES_FILE and "objects=N" to stdout; no stdio, no other allocation but
 * the threads'.
 */
#include "rec_prog.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#define RING 64
#define PRODUCERS 2
#define CONSUMERS 2

typedef struct ring {
    void *slot[RING];
    unsigned long head __attribute__((aligned(64))); /* written by the producer */
    unsigned long tail __attribute__((aligned(64))); /* written by the consumer */
} ring_t;

static ring_t rings[PRODUCERS][CONSUMERS];
static unsigned long per_producer;
static unsigned long consumed[CONSUMERS];

static void ring_put(ring_t *r, void *p)
{
    unsigned long h = __atomic_load_n(&r->head, __ATOMIC_RELAXED);
    while (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == RING)
        sched_yield();
    r->slot[h % RING] = p;
    __atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
}

/* Takes one object if there is one. */
static void *ring_take(ring_t *r)
{
    unsigned long t = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);
    if (t == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
        return NULL;
    void *p = r->slot[t % RING];
    __atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
    return p;
}

REC_RANGE(produce);

/* One object: its size in the first word, a pattern after it. */
REC_FN(produce) void *produce(unsigned long i)
{
    size_t size = 16 + (i * 7919 % 16) * 16;
    unsigned long *p = malloc(size);
    if (!p)
        abort();
    p[0] = size;
    p[1] = ~size;
    return p;
}

static void *producer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    for (unsigned long i = 0; i < per_producer; i++)
        ring_put(&rings[id][i % CONSUMERS], produce(i));
    return NULL;
}

static void *consumer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    unsigned long want = per_producer * PRODUCERS / CONSUMERS, got = 0;
    while (got < want) {
        int idle = 1;
        for (unsigned p = 0; p < PRODUCERS; p++) {
            unsigned long *o = ring_take(&rings[p][id]);
            if (!o)
                continue;
            if (o[1] != ~o[0])
                abort();
            free(o);
            got++;
            idle = 0;
        }
        if (idle)
            sched_yield();
    }
    consumed[id] = got;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        rec_printf(2, "usage: xthread_order RANGES_FILE [N]\n");
        return 2;
    }
    unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    per_producer = n / PRODUCERS;
    if (per_producer % CONSUMERS)
        per_producer += CONSUMERS - per_producer % CONSUMERS;
    n = per_producer * PRODUCERS;

    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "xthread_order: cannot create %s\n", argv[1]);
        return 1;
    }
    rec_range_write(fd, "produce", REC_LO(produce), REC_HI(produce));
    close(fd);

    pthread_t th[PRODUCERS + CONSUMERS];
    for (unsigned i = 0; i < CONSUMERS; i++)
        if (pthread_create(&th[i], NULL, consumer, (void *)(uintptr_t)i) != 0)
            abort();
    for (unsigned i = 0; i < PRODUCERS; i++)
        if (pthread_create(&th[CONSUMERS + i], NULL, producer, (void *)(uintptr_t)i) != 0)
            abort();
    for (unsigned i = 0; i < PRODUCERS + CONSUMERS; i++)
        pthread_join(th[i], NULL);
    unsigned long total = 0;
    for (unsigned i = 0; i < CONSUMERS; i++)
        total += consumed[i];
    if (total != n) {
        rec_printf(2, "xthread_order: consumed %lu of %lu\n", total, n);
        return 1;
    }
    rec_printf(1, "objects=%lu\n", n);
    return 0;
}
