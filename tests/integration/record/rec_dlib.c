/*
 * rec_dlib.c — the library dlopen_attrib loads, for
 * integration.record.dlopen_attrib (built as a MODULE library).
 *
 * dlib_leak(n) allocates n blocks of 48 bytes and keeps them only in this
 * library's own data: once the library is closed, nothing points at them —
 * leaks whose stacks lie in code that is no longer mapped.
 * dlib_range() reports dlib_leak's own code range (rec_prog.h).
 */
#include "rec_prog.h"

#include <stdlib.h>

#define MAX_BLOCKS 1024

static void *kept[MAX_BLOCKS];

REC_RANGE(dlib_leak);

REC_FN(dlib_leak) int dlib_leak(int n)
{
    if (n > MAX_BLOCKS)
        n = MAX_BLOCKS;
    for (int i = 0; i < n; i++) {
        kept[i] = malloc(48);
        if (!kept[i])
            abort();
        memset(kept[i], 'd', 48);
    }
    return n;
}

void dlib_range(uintptr_t *lo, uintptr_t *hi)
{
    *lo = REC_LO(dlib_leak);
    *hi = REC_HI(dlib_leak);
}
