/*
 * grow.c — a program whose leak grows with its argument, for
 * integration.flamediff (see ../flamediff.cmake): `grow N` leaks, under
 * main, N blocks of 1024 B from grow(), one block of 4096 B from steady()
 * and 8 - N blocks of 256 B from fade(). Two runs, N = 2 then N = 6, are
 * the A and B of `memprof flamegraph --diff`: grow 2048 -> 6144 B, steady
 * 4096 -> 4096 B, fade 1536 -> 512 B. Built -g -O0 -fno-inline so that each
 * function is a frame; no stdio (its buffer would be another stack).
 */
#include <stdlib.h>

static void *keep[16];
static int nkeep;

__attribute__((noinline)) void grow(void)
{
    keep[nkeep++] = malloc(1024);
}

__attribute__((noinline)) void steady(void)
{
    keep[nkeep++] = malloc(4096);
}

__attribute__((noinline)) void fade(void)
{
    keep[nkeep++] = malloc(256);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2;

    if (n < 0 || n > 8)
        return 2;
    for (int i = 0; i < n; i++)
        grow();
    steady();
    for (int i = 0; i < 8 - n; i++)
        fade();
    return 0;
}
