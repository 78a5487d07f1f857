/*
 * leaks.c — known stacks for integration.pprof (see ../pprof.cmake):
 *   main -> a -> b -> grab (inlined into b) -> malloc(1000), 3 times: leaked
 *   main -> c -> malloc(500), once: leaked
 *   main -> d -> malloc(4096) then free, twice: allocated, not leaked
 * plus, with an argument N, N more leaked blocks of 100 bytes at main -> e,
 * so that `memprof run --sample` has enough to sample. Built -g -O0 with
 * grab always inlined, so that one location has two lines. No stdio: its
 * buffer would be another stack under main.
 */
#include <stdlib.h>

static void *keep[64];
static int nkeep;

static inline __attribute__((always_inline)) void *grab(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) void *b(void)
{
    return grab(1000);
}

__attribute__((noinline)) void a(void)
{
    keep[nkeep++] = b();
}

__attribute__((noinline)) void c(void)
{
    keep[nkeep++] = malloc(500);
}

__attribute__((noinline)) void d(void)
{
    void *p = malloc(4096);

    *(volatile char *)p = 1;
    free(p);
}

__attribute__((noinline)) void *e(void)
{
    return malloc(100);
}

int main(int argc, char **argv)
{
    long more = argc > 1 ? strtol(argv[1], NULL, 10) : 0;

    for (int i = 0; i < 3; i++)
        a();
    c();
    d();
    d();
    for (long i = 0; i < more; i++)
        if (!e()) /* leaked on purpose: nothing keeps it */
            return 1;
    return nkeep == 4 ? 0 : 1;
}
