/*
 * leakscan.h — the leak scan at exit (docs/recording.md, "The leak scan";
 * docs/format.md, LEAKSCAN): which of the blocks still live are definitely
 * lost, indirectly lost, possibly lost or still reachable, by valgrind
 * memcheck's algorithm (mc_leakcheck.c).
 *
 * Roots (leakscan_roots.c): every readable and writable mapping of the
 * process (the modules' .data/.bss, the program's own anonymous mappings,
 * static TLS blocks, thread stacks from their stack pointer up), minus the
 * shim's own memory (os.h's owned regions: the heap, its metadata, the
 * recorder's buffers; the shim's own .data/.bss; its threads' stacks) and
 * minus the stacks of threads that have exited; plus the registers of the
 * threads still alive, which are paused by a signal for the scan.
 *
 * Blocks (leakscan.c): every slot of every small span whose word 1 does not
 * hold the free mark (heap.h), and every large span. The mark phase follows
 * memcheck: a start pointer from a root or a definitely reached block makes
 * a block reachable, an interior pointer (or any pointer from a possibly
 * reached block) makes it possibly lost; then each block still unreached, in
 * address order, leads a clique: the unreached blocks it reaches are
 * indirectly lost, and it stays definitely lost.
 *
 * Never faults (pages that are not resident are never read; the heap never
 * unmaps), never allocates through malloc (its tables are mmap'd for the
 * scan and unmapped after), takes no heap lock (the other threads are
 * paused; a thread that could not be paused may race, see recording.md).
 * Called once, by the thread that runs exit, from the writer's stop.
 */
#ifndef MP_LEAKSCAN_H
#define MP_LEAKSCAN_H

#include <stdint.h>

#include "log_format.h"

/* Scans and hands the results to emit (at most MP_LOG_MAX_LEAKSCAN blocks
 * per record; at least one record). Returns 0, or a negative MP_E* code
 * when the scan could not run (it has said why on stderr; nothing emitted). */
int mp_leakscan_run(uint64_t ts, void (*emit)(void *arg, const mp_rec_leakscan_t *r), void *arg);

/* The exiting thread, before the shim's own frames go on its stack: its
 * registers and the stack address above which its frames are the
 * program's and the C library's exit path. Called from an atexit handler
 * (registered at start: it runs in exit's own frame, after the program's
 * handlers, where memcheck would find the stack pointer at exit_group),
 * from _exit, and — if neither did (overwrite 0) — from the destructor. */
void mp_leakscan_note_exit(int overwrite);

/* Thread registry (leakscan_roots.c). A thread the recorder sees for the
 * first time registers (its tid and an address on its stack); on exit it
 * is marked gone, and its stack is no root any more (glibc keeps exited
 * threads' stacks mapped for reuse, full of stale pointers). */
void mp_leakscan_thread_start(uint32_t tid, uintptr_t stack_addr);
void mp_leakscan_thread_exit(uint32_t tid);

#endif
