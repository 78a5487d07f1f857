/*
 * writer.h — the recorder's writer thread: the only code that touches the
 * log file. Every flush period (20 ms; so data reaches the file well
 * within 100 ms) or when a thread's buffer is full, it sweeps the thread
 * buffers into records, adds what else changed (modules, threads, new
 * stacks, a snapshot of the heap counters every snapshot_ms), compresses
 * them into a chunk (static zstd context: no malloc) and appends it with
 * one write(2). docs/format.md says what is written and in which order.
 *
 * The log is created exclusively (O_EXCL | O_NOFOLLOW, mode 0600); when
 * the name is taken, ".<pid>" and then ".<pid>.<n>" are tried (a forked
 * child, an exec'd program with the same pid). If a write fails (disk
 * full, file size limit, EIO), recording stops with one message and the
 * program runs on.
 */
#ifndef MP_WRITER_H
#define MP_WRITER_H

#include <stdint.h>

/* Opens the log, writes its first chunk (PROCESS, CLASSES, modules) and
 * starts the thread. Returns 0 or a negative code (message printed). */
int mp_writer_start(void);

/* Stops the thread, sweeps a last time and writes END. Idempotent. */
void mp_writer_stop(int reason, int detail);

/* Asks the thread for a sweep now (a buffer is full). */
void mp_writer_wake(void);

/* Has the writer thread sweep and write everything recorded so far, and
 * waits for it (at most timeout_ms). Async-signal-safe. Returns 0 when
 * done, -1 on timeout or when called from the writer itself. Used before
 * exec. */
int mp_writer_sync(unsigned timeout_ms);

/* A fatal signal: the writer sweeps what it can (a buffer whose thread died
 * holding it is skipped), writes END (reason signal), and stops. Waits up
 * to 2 s. Async-signal-safe; only the first caller does anything. */
void mp_writer_crash(int sig);

/* 1 when this process owns the open log (0 in a vfork child, which shares
 * the parent's memory but must not touch its log). */
int mp_writer_owns_process(void);

/* Asks the writer for a hollow-block scan now (HOLLOW record, then a
 * SNAPSHOT). Async-signal-safe: the SIGUSR2 handler calls it. */
void mp_writer_request_hollow(void);

/* 1 when called on the writer thread. */
int mp_writer_is_writer_thread(void);

/* The log's path (valid after a successful start). */
const char *mp_writer_path(void);

/* Fork child: the writer thread does not exist there; open the child's own
 * log and start a writer for it. */
void mp_writer_after_fork_child(void);

#endif
