/*
 * report_prog.c — a program whose heap integration.report.real knows
 * exactly (report_real.py checks `memprof report --json` against it):
 *
 *   main              4 x malloc(24), never freed          (a direct leak)
 *   leak_in_callee    7 x malloc(40), never freed          (a leak in a callee)
 *   leak_by_realloc   malloc(16), realloc to 100, then to 3000, never freed:
 *                     1 block of 3000 bytes at the second realloc's stack
 *   peak_phase        100 x malloc(10000), all live at once, then freed:
 *                     the peak, 1000000 bytes of it, on top of the leaks
 *                     made before (96 + 280 + 3000): 1003376 bytes
 *   temporaries       300 x malloc(50), each freed before the next one
 *   dl_leak           in libreport_dl.so, dlopen'd, called, dlclose'd:
 *                     5 x malloc(72), never freed (a leak in a library)
 *
 * No stdio (its buffer would be one more block) and nothing else
 * allocates before the dlopen; built with -g -O0 so every function keeps
 * its frame and its lines. argv[1]: the library's path. Prints "done".
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *kept[16];
static void *volatile sink;

static void die(const char *msg)
{
    if (write(2, msg, strlen(msg)) < 0)
        _exit(3);
    _exit(1);
}

void leak_in_callee(void)
{
    for (int i = 0; i < 7; i++) {
        void *p = malloc(40);
        if (!p)
            die("malloc\n");
        memset(p, 'c', 40);
        kept[4 + i] = p;
    }
}

void leak_by_realloc(void)
{
    char *p = malloc(16), *q;
    if (!p)
        die("malloc\n");
    q = realloc(p, 100);
    if (!q)
        die("realloc\n");
    p = realloc(q, 3000);
    if (!p)
        die("realloc\n");
    memset(p, 'r', 3000);
    kept[11] = p;
}

void peak_phase(void)
{
    static void *blocks[100];
    for (int i = 0; i < 100; i++) {
        blocks[i] = malloc(10000);
        if (!blocks[i])
            die("malloc\n");
        memset(blocks[i], 'p', 10000);
    }
    for (int i = 0; i < 100; i++)
        free(blocks[i]);
}

void temporaries(void)
{
    for (int i = 0; i < 300; i++) {
        void *p = malloc(50);
        if (!p)
            die("malloc\n");
        sink = p;
        free(sink);
    }
}

int main(int argc, char **argv)
{
    void *lib;
    void (*dl_leak)(int);

    if (argc != 2)
        die("usage: report_prog LIB\n");
    for (int i = 0; i < 4; i++) {
        kept[i] = malloc(24);
        if (!kept[i])
            die("malloc\n");
    }
    leak_in_callee();
    leak_by_realloc();
    peak_phase();
    temporaries();

    lib = dlopen(argv[1], RTLD_NOW);
    if (!lib)
        die("dlopen failed\n");
    *(void **)&dl_leak = dlsym(lib, "dl_leak");
    if (!dl_leak)
        die("no dl_leak\n");
    dl_leak(5);
    dlclose(lib);
    if (write(1, "done\n", 5) != 5)
        return 1;
    /* Lose the blocks: kept[] only stopped the compiler from dropping the
     * allocations. While it points at them they are still reachable (the
     * leak scan at exit says so, as memcheck does) and not leak findings. */
    memset(kept, 0, sizeof kept);
    return 0;
}
