/* definite.c — three blocks lost outright: 100, 200 and 300 bytes,
 * definitely lost. */
#include "common.h"

static NOINLINE void lose(size_t n)
{
    void *volatile p = block(n, 1);
    p = NULL;
    (void)p;
}

int main(void)
{
    lose(100);
    lose(200);
    lose(300);
    clear_stack();
    return 0;
}
