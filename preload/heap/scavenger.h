/*
 * scavenger.h — the background thread that returns idle pages to the OS
 * when the program itself has gone quiet (the page heap also scavenges
 * inline on its slow paths, which covers busy programs).
 *
 * The thread is started lazily, the first time the page heap holds at least
 * MP_SCAVENGER_START_IDLE bytes of idle pages, so small programs never get
 * an extra thread; it never starts when background_thread=0. It blocks all
 * signals, wakes every scavenge_delay_ms / 4 (10 ms .. 1 s), and releases
 * the free spans that have been idle for scavenge_delay_ms.
 */
#ifndef MP_SCAVENGER_H
#define MP_SCAVENGER_H

#define MP_SCAVENGER_START_IDLE (4u << 20)

/* Starts the thread if it is wanted and not running. Call with no heap
 * lock held (pthread_create may allocate). */
void mp_scavenger_poke(void);

/* In a forked child the thread does not exist: forget it. */
void mp_scavenger_after_fork_child(void);

#endif
