/*
 * shim_path.h — where is libmemprof.so?
 *
 * memprof finds its shim relative to its own executable, so the build tree
 * and any install prefix work without configuration, and a relocated
 * install (the whole prefix moved or copied) keeps working.
 */
#ifndef MP_CLI_SHIM_PATH_H
#define MP_CLI_SHIM_PATH_H

#include <stddef.h>

/* Fills buf (size bytes) with the absolute, symlink-free path of the shim.
 *
 * MEMPROF_SHIM, when set and not empty, is the only candidate: an explicit
 * choice that is wrong must be an error, not silently replaced. Otherwise
 * the candidates are, in order,
 *   <dir of /proc/self/exe>/MP_SHIM_RELDIR/libmemprof.so    (installed layout)
 *   <dir of /proc/self/exe>/MP_SHIM_BUILD_RELDIR/libmemprof.so (build tree)
 * the second only when it differs from the first (e.g. LIBDIR is lib64).
 *
 * Returns 0, or -MP_CLI_ESHIM after printing every path tried and why each
 * was refused. */
int mp_shim_find(char *buf, size_t size);

#endif
