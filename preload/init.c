/*
 * init.c — the shim's life cycle in the host process: initialise the heap
 * before main (malloc also initialises on first use, since libraries may
 * allocate before our constructor runs), install the fork handlers, and
 * print the counters at exit when asked (stats=1).
 */
#define _GNU_SOURCE
#include "heap.h"
#include "diag.h"
#include "options.h"

#include <pthread.h>

__attribute__((constructor(101))) static void mp_shim_start(void)
{
    mp_heap_init();
    /* Fork: every heap lock is taken before fork and released after, in
     * both processes, so the child's heap is consistent (jemalloc and
     * tcmalloc do the same). pthread_atfork may allocate: no lock is held. */
    if (pthread_atfork(mp_heap_fork_prepare, mp_heap_fork_parent, mp_heap_fork_child) != 0)
        mp_diag("cannot install fork handlers; a child forked while another thread allocates "
                "may deadlock");
    if (mp_options.verbose)
        mp_diag("memprof heap active (mode=off, scavenge delay %u ms)",
                mp_options.scavenge_delay_ms);
}

__attribute__((destructor(101))) static void mp_shim_stop(void)
{
    if (mp_options.stats)
        mp_heap_print_stats(2);
}
