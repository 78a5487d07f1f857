/*
 * crash_threads.c — one thread faults while three others allocate and free
 * as fast as they can, for integration.record.sigsegv_threads:
 *
 *     crash_threads
 *
 * The three churn threads swap blocks through one shared table (each frees
 * what another one allocated), so nearly every FREE depends on an ALLOC
 * made by another thread moments before. After 100 ms a fourth thread
 * stores through a null pointer; the process dies of SIGSEGV.
 */
#include "rec_prog.h"

#include <pthread.h>
#include <stdlib.h>

static void *slots[1024];

static void *churn(void *arg)
{
    unsigned long i = (unsigned long)(uintptr_t)arg * 7;
    for (;; i++) {
        void *p = malloc(16 + i % 500);
        if (!p)
            abort();
        free(__atomic_exchange_n(&slots[i % 1024], p, __ATOMIC_ACQ_REL));
    }
    return NULL;
}

static void *crasher(void *arg)
{
    usleep(100000);
    volatile int *volatile null = NULL;
    *null = 1;
    return arg;
}

int main(void)
{
    pthread_t th[4];
    for (unsigned i = 0; i < 3; i++)
        if (pthread_create(&th[i], NULL, churn, (void *)(uintptr_t)i) != 0)
            abort();
    if (pthread_create(&th[3], NULL, crasher, NULL) != 0)
        abort();
    pthread_join(th[3], NULL);
    rec_printf(2, "crash_threads: the store through NULL did not fault\n");
    return 1;
}
