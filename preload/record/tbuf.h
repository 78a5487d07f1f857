/*
 * tbuf.h — per-thread event buffers: where a thread's allocation events go,
 * already encoded as BATCH events (docs/format.md), until the writer thread
 * sweeps them into the log.
 *
 * Each buffer has its own spin lock, taken by its thread around every
 * append (uncontended: an atomic exchange on a line the thread owns) and by
 * the writer for a sweep. The event's timestamp is read while the lock is
 * held; that is what makes the writer's watermark true (format.md,
 * "Ordering"): an event appended after the writer swept the buffer has a
 * timestamp later than the sweep's start.
 *
 * A full buffer makes its thread wait for the writer (back-pressure, never
 * unbounded memory). Buffers come from mmap, are registered in a list the
 * writer walks, and are recycled when their thread has exited and the
 * writer has drained them.
 */
#ifndef MP_TBUF_H
#define MP_TBUF_H

#include <stddef.h>
#include <stdint.h>

#include "log_encode.h"

#define MP_TBUF_CAP (256u * 1024u)   /* bytes of encoded events per thread */
#define MP_TBUF_EVENT_MAX 64u        /* largest encoded event */

typedef struct mp_tbuf {
    int lock;                 /* 0 free, 1 held (atomic exchange) */
    uint32_t tid;             /* kernel thread id of the owner */
    uint8_t dead;             /* owner exited; writer drains and recycles */
    uint8_t thread_written;   /* writer: THREAD record emitted for tid */
    char name[16];            /* writer: the name last written */
    uint64_t name_checked;    /* writer: when the name was last read */
    uint8_t waiting;          /* owner waits for the writer (buffer full) */
    mp_enc_t enc;             /* over data: one open BATCH record (lock) */
    mp_enc_batch_t batch;     /* its delta state (lock) */
    uint64_t pending;         /* events in the batch, not yet drained (lock) */
    uint8_t *data;            /* MP_TBUF_CAP bytes */
    struct mp_tbuf *next;     /* registry (registry lock) */
} mp_tbuf_t;

/* The calling thread's buffer, creating it on first use; NULL if no memory
 * is left (the caller counts a lost event). */
mp_tbuf_t *mp_tbuf_get(void);

/* Locks b for an append of at most MP_TBUF_EVENT_MAX bytes (opening a
 * BATCH if none is open), waiting for the writer if the buffer is full;
 * returns the event's timestamp (ns since the recording's start), read
 * under the lock. */
uint64_t mp_tbuf_begin(mp_tbuf_t *b);
static inline void mp_tbuf_end(mp_tbuf_t *b)
{
    __atomic_store_n(&b->lock, 0, __ATOMIC_RELEASE);
}

/* Takes and releases a buffer's lock (the writer's side). */
void mp_tbuf_lock(mp_tbuf_t *b);
static inline void mp_tbuf_unlock(mp_tbuf_t *b) { mp_tbuf_end(b); }

/* Calls fn on every registered buffer, unlocked (the writer locks each). */
void mp_tbuf_each(void (*fn)(mp_tbuf_t *b, void *arg), void *arg);

/* Recycles buffers of exited threads that the writer has drained. */
void mp_tbuf_reap(void);

/* Timestamp base: CLOCK_MONOTONIC at the start of recording. */
void mp_tbuf_set_epoch(uint64_t mono_ns);
uint64_t mp_tbuf_now(void);

/* The writer registers its wake-up hook (called, without locks, by a thread
 * whose buffer is full). */
void mp_tbuf_set_wake(void (*wake)(void));

/* Fork child: every buffer but the caller's belongs to a thread that does
 * not exist; drop their contents and recycle them. The caller's buffer is
 * emptied too (its events belong to the parent's log). */
void mp_tbuf_after_fork_child(void);
void mp_tbuf_lock_registry(void);
void mp_tbuf_unlock_registry(void);

#endif
