/* possible.c — a 64-byte block reached only through a pointer 16 bytes
 * into it (possibly lost), and a 128-byte block that block points to by its
 * start (reached only from a possibly lost block: possibly lost too). */
#include "common.h"

static char *inside; /* points into the middle of a block */

static NOINLINE void keep_inside(void)
{
    void **p = block(64, 0);
    p[0] = block(128, 0);
    inside = (char *)p + 16;
}

int main(void)
{
    keep_inside();
    clear_stack();
    return 0;
}
