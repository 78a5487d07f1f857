/*
 * recorder.h — full-mode recording: the hooks the malloc entry points call,
 * and the recorder's life cycle. docs/format.md is the contract for what
 * reaches the log.
 *
 * Each hook captures the call stack (unwind.h), interns it (stack_table.h),
 * and appends one encoded event to the calling thread's buffer (tbuf.h);
 * the writer thread (writer.h) sweeps the buffers into compressed chunks.
 * Nothing on this path is shared between threads but the stack table's
 * lookup, under one of 256 stripe locks: no global lock or counter.
 *
 * Ordering (format.md): allocation hooks run after the block exists, free
 * hooks before the block is given back, realloc's between the two.
 *
 * Reentrancy: a thread-local flag is set for the whole of a hook; a malloc
 * made inside it (by libunwind on a cold path, say) is served but not
 * recorded, and a signal handler that allocates during a hook never waits
 * on its own thread's buffer.
 */
#ifndef MP_RECORDER_H
#define MP_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#include "sampler.h"

/* Non-zero while recording; read on every malloc and free. */
extern int mp_rec_on;
/* Non-zero in sampled mode (mp_options.sample > 0). */
extern int mp_rec_sampling;

/* Starts recording (writer thread, log file, module table). Returns 0 or a
 * negative code; on failure the shim stays the allocator, records nothing,
 * and has said why on stderr. */
int mp_recorder_start(void);

/* Flushes everything and writes END. reason/detail as format.md's END. */
void mp_recorder_stop(int reason, int detail);

/* After a failed exec: record again, into a new log. */
void mp_recorder_restart(void);

/* 1 in a forked child that records nothing because of follow_fork=0. */
extern int mp_rec_child_off;

void mp_rec_alloc(void *p, size_t size);

/* The calling thread's sampler (sampled mode), read inline by malloc: an
 * allocation that does not reach the next sample point costs a compare and
 * a subtraction. mean == 0 until the thread's first mp_rec_sample_take. */
extern __thread mp_sampler_t mp_rec_tl_sampler __attribute__((tls_model("initial-exec")));

/* Sampled mode: whether an allocation of size bytes is to be sampled
 * (0: no; else its weight in bytes). The caller then allocates it with
 * mp_heap_alloc_sampled and records it with mp_rec_sample. */
uint64_t mp_rec_sample_take(size_t size);
void mp_rec_sample(void *p, size_t size, uint64_t weight);
void mp_rec_free(void *p);
void mp_rec_realloc(void *old, void *new_block, size_t size);

/* Events lost so far (all threads); events recorded are counted by the
 * writer as it drains the buffers (mp_writer_events). */
uint64_t mp_rec_lost(void);

#endif
