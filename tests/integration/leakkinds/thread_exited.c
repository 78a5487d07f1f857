/* thread_exited.c — a thread that loses a 500-byte block and keeps a
 * 700-byte one only in a local variable, then exits: both are definitely
 * lost (its stack is gone, though glibc keeps the memory for reuse); a
 * 900-byte block it hands to main through a global stays reachable. */
#include "common.h"

#include <pthread.h>

void *handed;

static NOINLINE void lose(void)
{
    void *volatile p = block(500, 2);
    p = NULL;
    (void)p;
}

static void *worker(void *arg)
{
    (void)arg;
    void *volatile local = block(700, 3);
    lose();
    handed = block(900, 4);
    (void)local;
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0 || pthread_join(t, NULL) != 0)
        return 1;
    clear_stack();
    return 0;
}
