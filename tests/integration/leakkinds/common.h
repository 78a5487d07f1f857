/* common.h — helpers for the leak-kind programs: allocations made in
 * functions that are not inlined, so that no pointer outlives them in a
 * register or in the frame of main; and no stdio (its buffer would be one
 * more block, freed by valgrind's __libc_freeres but not under memprof). */
#ifndef LK_COMMON_H
#define LK_COMMON_H

#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline, unused))

/* A block of n bytes, every byte set to c (no stale data inside it). */
static NOINLINE void *block(size_t n, int c)
{
    void *p = malloc(n);
    if (!p)
        abort();
    memset(p, c, n);
    return p;
}

/* Overwrites a few KiB of stack below the caller with zeros, so that dead
 * frames hold no pointer (neither tool scans below the stack pointer, but a
 * later, bigger frame could leave a slot unwritten above it). */
static NOINLINE void clear_stack(void)
{
    volatile char buf[8192];
    memset((char *)buf, 0, sizeof buf);
}

#endif
