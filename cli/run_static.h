/*
 * run_static.h — does the program `memprof run` is about to start load the
 * shim at all?
 *
 * LD_PRELOAD is read by the dynamic loader, the program named by an ELF
 * executable's PT_INTERP header. A statically linked program (no PT_INTERP;
 * static-pie included) never runs a loader, so libmemprof.so is not loaded,
 * nothing is recorded and no log is written — whatever memprof sets in the
 * environment. memprof says so once, before the program starts, instead of
 * leaving the user with a missing log to puzzle over:
 *
 *     memprof: CMD is statically linked: the preloaded shim cannot see its
 *     allocations; no log will be written
 *
 * (one line), and runs it all the same, passing its exit status through.
 *
 * Everything else is run as usual, without a word: dynamically linked
 * programs, scripts (#!: their interpreter is what runs), files that are not
 * ELF (execvp hands them to /bin/sh), and whatever cannot be read or
 * resolved (the exec then fails or succeeds on its own terms, and
 * spawn.h reports it).
 */
#ifndef MP_CLI_RUN_STATIC_H
#define MP_CLI_RUN_STATIC_H

/* 1 if command, resolved as execvp does (on PATH unless it contains a '/'),
 * is an ELF executable without PT_INTERP that is not a shared object run
 * directly (a DT_SONAME marks those: the dynamic loader itself, run as
 * `ld.so PROGRAM`, does honour LD_PRELOAD); 0 otherwise, including when it
 * cannot be found or read. */
int mp_run_is_static(const char *command);

/* If mp_run_is_static(command): prints the warning above on stderr, naming
 * command as given, and returns 1; otherwise returns 0 silently. */
int mp_run_static_warn(const char *command);

#endif
