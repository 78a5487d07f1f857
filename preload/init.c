/*
 * init.c — the shim's life cycle in the host process: initialise the heap
 * before main (malloc also initialises on first use, since libraries may
 * allocate before our constructor runs), install the fork handlers, and
 * print the counters at exit when asked (stats=1).
 */
#define _GNU_SOURCE
#include "heap.h"
#include "internal.h"
#include "diag.h"
#include "log_format.h"
#include "leakscan.h"
#include "modules.h"
#include "options.h"
#include "recorder.h"
#include "stack_table.h"
#include "tbuf.h"
#include "writer.h"

#include <pthread.h>
#include <stdlib.h>

/* Fork: the recorder's locks are taken with the heap's, so the child's
 * tables are consistent; the child then starts its own log. */
/* fork() from a signal handler that interrupted this thread inside the
 * heap or the recorder: the locks the interrupted call holds would be
 * waited on forever, so none is taken. The parent carries on as if nothing
 * happened; the child forces every lock free (its only thread finishes the
 * interrupted call when the handler returns), does not record, and its
 * heap is consistent except for what another thread of the parent was
 * changing at that instant — POSIX allows such a child async-signal-safe
 * calls only (docs/hardening.md). Written and read by the forking thread. */
static int fork_in_shim;

static void fork_prepare(void)
{
    if (mp_in_heap || mp_internal) {
        fork_in_shim = 1;
        return;
    }
    mp_heap_fork_prepare();
    mp_tbuf_lock_registry();
    mp_stack_lock_all();
    mp_modules_lock_all();
}

static void fork_parent(void)
{
    if (fork_in_shim) {
        fork_in_shim = 0;
        return;
    }
    mp_modules_unlock_all();
    mp_stack_unlock_all();
    mp_tbuf_unlock_registry();
    mp_heap_fork_parent();
}

static void fork_child(void)
{
    mp_modules_unlock_all();
    mp_stack_unlock_all();
    mp_tbuf_unlock_registry();
    mp_heap_fork_child();
    if (fork_in_shim) {
        fork_in_shim = 0;
        __atomic_store_n(&mp_rec_on, 0, __ATOMIC_RELEASE);
        mp_rec_child_off = 1;
        return;
    }
    if (mp_rec_on) {
        mp_tbuf_after_fork_child();
        mp_writer_after_fork_child();
        /* The child's samples must not repeat the parent's decisions: its
         * next allocation re-seeds the sampler. */
        mp_rec_tl_sampler.mean = 0;
        mp_rec_tl_sampler.bytes_left = 0;
    }
}

/* Runs in exit's frame (after the program's own atexit handlers, before
 * the destructors): where the leak scan's stack roots start. */
static void note_exit(void)
{
    mp_leakscan_note_exit(1);
}

__attribute__((constructor(101))) static void mp_shim_start(void)
{
    mp_heap_init();
    /* Fork: every heap lock is taken before fork and released after, in
     * both processes, so the child's heap is consistent (jemalloc and
     * tcmalloc do the same). pthread_atfork may allocate: no lock is held. */
    if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
        mp_diag("cannot install fork handlers; a child forked while another thread allocates "
                "may deadlock");
    if (mp_options.verbose)
        mp_diag("memprof heap active (mode=%s, scavenge delay %u ms)",
                mp_options.mode == MP_OPT_MODE_FULL ? "full" : "off", mp_options.scavenge_delay_ms);
    if (mp_options.mode == MP_OPT_MODE_FULL) {
        mp_recorder_start();
        atexit(note_exit); /* may fail: the destructor notes instead */
    }
}

__attribute__((destructor(101))) static void mp_shim_stop(void)
{
    mp_leakscan_note_exit(0); /* unless exit's atexit handler did */
    mp_recorder_stop(MP_END_EXIT, 0);
    mp_shim_last_words();
}
