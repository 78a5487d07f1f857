/* grower.c LEAKS SPIKE_KB — leaks LEAKS blocks of 100 bytes from
 * leak_some and, before that, allocates SPIKE_KB KiB in spike and frees
 * it: two runs with different arguments differ by exactly 100 bytes per
 * leak, and their peak heaps by exactly 1024 bytes per KiB of spike. */
#include <stdlib.h>
#include <string.h>

void *volatile kept[64];

__attribute__((noinline)) void spike(size_t kb)
{
    char *p = malloc(kb * 1024);
    if (p)
        memset(p, 1, kb * 1024);
    kept[0] = p;
    free(p);
    kept[0] = NULL;
}

__attribute__((noinline)) void leak_some(int n)
{
    for (int i = 0; i < n && i < 64; i++)
        kept[i] = malloc(100);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    spike((size_t)atoi(argv[2]));
    leak_some(atoi(argv[1]));
    for (int i = 0; i < 64; i++)
        kept[i] = NULL;
    return 0;
}
