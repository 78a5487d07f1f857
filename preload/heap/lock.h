/*
 * lock.h — the heap's mutex. A thin wrapper on pthread mutexes (futex based,
 * no allocation, safe to re-initialise in a forked child), kept behind one
 * type so lock ranks or debug checks can be added in one place.
 *
 * Lock order, outermost first (a thread holding one may take only those
 * after it): tcache registry → central[1..N] (ascending class) → page heap →
 * meta. The fork handlers (heap.c) take them all in this order.
 */
#ifndef MP_LOCK_H
#define MP_LOCK_H

#include <pthread.h>

typedef struct {
    pthread_mutex_t m;
} mp_lock_t;

#define MP_LOCK_INIT {PTHREAD_MUTEX_INITIALIZER}

static inline void mp_lock(mp_lock_t *l) { pthread_mutex_lock(&l->m); }
static inline void mp_unlock(mp_lock_t *l) { pthread_mutex_unlock(&l->m); }

/* In a forked child the lock is known to be held by the forking thread (the
 * prepare handler took it); unlocking it there is well defined for normal
 * mutexes, which is what the child handler does. */

#endif
