/*
 * stack_table.h — the shim's table of distinct call stacks.
 *
 * Every recorded event carries a stack id instead of its frames; each
 * distinct stack is stored once here and written to the log once (a STACK
 * record, docs/format.md). Ids are dense, from 1, in order of first sight,
 * so the writer emits the stacks it has not written yet as the range
 * (last written, mp_stack_count()].
 *
 * Concurrency: lookups and inserts from any thread. The hash buckets are
 * striped over 256 locks (uncontended in practice: a thread holds one for
 * a hash-chain walk); the id index is append-only and published with a
 * release store of the count, so the writer reads stacks without a lock.
 * Memory comes from mmap (never the libc), in chunks, and is never freed
 * during the run: a bounded number of stacks (MP_STACK_MAX), after which
 * mp_stack_intern returns 0 ("no stack") and the caller counts the loss.
 */
#ifndef MP_STACK_TABLE_H
#define MP_STACK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#define MP_STACK_MAX (1u << 22)   /* distinct stacks kept: 4 Mi */
#define MP_STACK_DEPTH_MAX 256    /* frames per stack (format limit) */

/* Maps the table's memory. Returns 0 or MP_ENOMEM. */
int mp_stack_init(void);

/* The id of this stack (frames innermost first), inserting it if new; 0 if
 * the table is full or not initialised. */
uint32_t mp_stack_intern(void *const *frames, uint32_t n);

/* Number of stacks interned so far (ids 1..count are valid). */
uint32_t mp_stack_count(void);

/* Frames of stack id (1..count): *n receives their number. */
void *const *mp_stack_frames(uint32_t id, uint32_t *n);

/* Fork: take / drop every stripe lock (the child keeps the table: ids
 * written by the parent are re-emitted in the child's own log). */
void mp_stack_lock_all(void);
void mp_stack_unlock_all(void);

#endif
