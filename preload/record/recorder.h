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

/* Non-zero while recording; read on every malloc and free. */
extern int mp_rec_on;

/* Starts recording (writer thread, log file, module table). Returns 0 or a
 * negative code; on failure the shim stays the allocator, records nothing,
 * and has said why on stderr. */
int mp_recorder_start(void);

/* Flushes everything and writes END. reason/detail as format.md's END. */
void mp_recorder_stop(int reason, int detail);

void mp_rec_alloc(void *p, size_t size);
void mp_rec_free(void *p);
void mp_rec_realloc(void *old, void *new_block, size_t size);

/* Events lost so far (all threads); events recorded are counted by the
 * writer as it drains the buffers (mp_writer_events). */
uint64_t mp_rec_lost(void);

#endif
