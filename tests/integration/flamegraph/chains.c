/*
 * chains.c — known call chains for integration.flamegraph (see
 * ../flamegraph.cmake): main -> a -> b -> malloc(1000) three times, and
 * main -> c -> malloc(500) once. Built -g -O0 -fno-inline so that each
 * function is a frame of its own. Nothing is freed: every block is also
 * leaked and live at the peak, and lost at exit (keep[] is cleared). No stdio: its buffer would be a fifth chain
 * under main.
 */
#include <stdlib.h>

static void *keep[4];
static int nkeep;

__attribute__((noinline)) void *b(void)
{
    return malloc(1000);
}

__attribute__((noinline)) void a(void)
{
    keep[nkeep++] = b();
}

__attribute__((noinline)) void c(void)
{
    keep[nkeep++] = malloc(500);
}

int main(void)
{
    for (int i = 0; i < 3; i++)
        a();
    c();
    int ok = nkeep == 4;
    for (int i = 0; i < 4; i++)
        keep[i] = NULL; /* lost at exit (leak findings), not still reachable */
    return ok ? 0 : 1;
}
