/*
 * process_hooks.h — what the recorder does at the edges of a process's
 * life, through symbols the shim interposes:
 *
 *   fatal signals  SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGSYS: the
 *                  handler has the writer flush and write END (reason
 *                  signal), then chains to the program's own handler or
 *                  to the default action, so the process dies as it would
 *                  have. The program's sigaction()/signal() calls for
 *                  these signals are recorded as its handler (and what it
 *                  reads back is what it set), ours stays installed.
 *   _exit, _Exit   flush and END (reason exit) before the process goes:
 *                  destructors do not run there.
 *   exec*          flush before the image is replaced (the exec'd program
 *                  records into its own log unless follow_exec=0, which
 *                  takes libmemprof.so out of its LD_PRELOAD).
 *   dlclose        the module table is refreshed before and after, so an
 *                  unloaded library is always on record with its address
 *                  range (allocations it made stay attributable).
 *
 * Called by the recorder at start. Nothing here allocates through libc.
 */
#ifndef MP_PROCESS_HOOKS_H
#define MP_PROCESS_HOOKS_H

/* Installs the fatal-signal handlers (remembering what was there). */
void mp_hooks_install(void);

/* Warns once on stderr about allocators the program links whose own APIs
 * bypass malloc (jemalloc's mallocx, tcmalloc's tc_malloc, mimalloc's
 * mi_malloc...). */
void mp_hooks_check_allocators(void);

#endif
