/*
 * leakscan_roots.h — the roots of the leak scan (leakscan.h): pausing the
 * live threads, and the memory and registers that may hold pointers into
 * the heap. Internal to leakscan.c.
 */
#ifndef MP_LEAKSCAN_ROOTS_H
#define MP_LEAKSCAN_ROOTS_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_roots_stats {
    uint64_t threads;        /* live threads besides the caller */
    uint64_t threads_paused; /* of which paused: registers and SP known */
} mp_roots_stats_t;

/* What must happen before the pause (the loader's lock; the exclusion
 * tables). 0, or MP_ENOMEM: the scan must not go on. */
int mp_roots_prepare(void);

/* Pauses every registered live thread but the caller (a signal whose
 * handler saves the registers and waits), for at most a second in all.
 * Always pair with mp_roots_resume. */
void mp_roots_pause(mp_roots_stats_t *st);
void mp_roots_resume(void);

/* Calls range(arg, lo, hi) for every root range (may be called with
 * ranges that are not resident: the caller reads only resident pages) and
 * word(arg, w) for every register of the caller and the paused threads.
 * Returns 0, or a negative MP_E* code when the roots could not be listed
 * (the maps could not be read, the shim's own regions are not all known):
 * the scan must not go on. */
int mp_roots_each(void (*range)(void *arg, uintptr_t lo, uintptr_t hi),
                  void (*word)(void *arg, uintptr_t w), void *arg);

#endif
