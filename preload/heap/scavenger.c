/*
 * scavenger.c — see scavenger.h. State: `started` is an atomic flag set
 * once by the thread that wins the compare-and-swap.
 */
#define _GNU_SOURCE
#include "scavenger.h"
#include "diag.h"
#include "internal.h"
#include "options.h"
#include "os.h"
#include "pageheap.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

static int started; /* 0 no, 1 starting or running, 2 failed (atomic) */

static void *scavenger_main(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    mp_os_note_own_thread(); /* its stack is no root of the leak scan */
    uint64_t delay_ns = (uint64_t)mp_options.scavenge_delay_ms * 1000000u;
    uint64_t period = delay_ns / 4;
    if (period < 10000000u)
        period = 10000000u;
    if (period > 1000000000u)
        period = 1000000000u;
    for (;;) {
        struct timespec ts = {(time_t)(period / 1000000000u), (long)(period % 1000000000u)};
        while (nanosleep(&ts, &ts) != 0)
            ;
        if (mp_pageheap_idle_bytes() > 0)
            mp_pageheap_scavenge(delay_ns);
    }
    return NULL;
}

void mp_scavenger_poke(void)
{
    if (__atomic_load_n(&started, __ATOMIC_RELAXED) || !mp_options.background_thread ||
        mp_pageheap_idle_bytes() < MP_SCAVENGER_START_IDLE)
        return;
    int expect = 0;
    if (!__atomic_compare_exchange_n(&started, &expect, 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        return;
    pthread_attr_t attr;
    pthread_t t;
    /* glibc allocates the new thread's DTV through us: it is the shim's
     * memory, not the program's, so it must not be recorded. */
    int was = mp_internal, was_in_heap = mp_in_heap;
    mp_internal = 1;
    mp_in_heap = 0; /* no lock held here: glibc's allocation must be served */
    int ok = pthread_attr_init(&attr) == 0;
    if (ok) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&attr, 64 * 1024);
        ok = pthread_create(&t, &attr, scavenger_main, NULL) == 0;
        pthread_attr_destroy(&attr);
    }
    mp_internal = was;
    mp_in_heap = was_in_heap;
    if (!ok) {
        __atomic_store_n(&started, 2, __ATOMIC_RELAXED);
        if (mp_options.verbose)
            mp_diag("cannot start the scavenger thread; idle pages are released inline only");
        return;
    }
    pthread_setname_np(t, "memprof-scav");
    if (mp_options.verbose)
        mp_diag("scavenger thread started (delay %u ms)", mp_options.scavenge_delay_ms);
}

void mp_scavenger_after_fork_child(void)
{
    __atomic_store_n(&started, 0, __ATOMIC_RELAXED);
}
