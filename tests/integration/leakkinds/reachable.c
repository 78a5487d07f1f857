/* reachable.c — blocks still reachable at exit: one kept by a global
 * (256 bytes), a table of 4 blocks of 32 bytes kept by a static array,
 * and a 40000-byte block (a large span) kept by the 256-byte one. */
#include "common.h"

void *keep;             /* a global */
static void *table[4];  /* a static array (.bss) */

static NOINLINE void keep_some(void)
{
    keep = block(256, 0);
    ((void **)keep)[1] = block(40000, 0);
    for (int i = 0; i < 4; i++)
        table[i] = block(32, 0);
}

int main(void)
{
    keep_some();
    clear_stack();
    return 0;
}
