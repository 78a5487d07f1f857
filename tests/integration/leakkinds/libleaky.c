/* libleaky.c — a library loaded with dlopen: lib_leak loses a 111-byte
 * block, lib_keep keeps a 222-byte one in the library's .bss. */
#include "common.h"

static void *kept;

NOINLINE void lib_leak(void)
{
    void *volatile p = block(111, 7);
    p = NULL;
    (void)p;
}

void lib_keep(void)
{
    kept = block(222, 8);
}
