/*
 * internal.h — shared inside the shim: the thread-local "inside the shim"
 * and "inside the heap" flags, and the shim's last words at exit.
 *
 * Set while the shim does its own work on a program thread: recording an
 * event (unwinding, interning, encoding), starting its own threads. An
 * allocation made while it is set (libunwind's TLS block, glibc's thread
 * descriptor for the scavenger) is served by the heap but never recorded as
 * the program's, and a signal handler that allocates meanwhile never waits
 * on its own thread's buffer. Initial-exec TLS: no allocation on first use.
 */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

extern __thread int mp_internal __attribute__((tls_model("initial-exec")));

/* Set while this thread is inside a heap call (entry.c): a signal handler
 * that allocates meanwhile is refused rather than served (entry.c says
 * why), and fork from such a handler does not wait on the heap's locks
 * (init.c). */
extern __thread int mp_in_heap __attribute__((tls_model("initial-exec")));

/* The shim's messages at the end of the process (process_hooks.c): the count of
 * blocks it did not see allocated, and --stats' counters. Once. */
void mp_shim_last_words(void);

#endif
