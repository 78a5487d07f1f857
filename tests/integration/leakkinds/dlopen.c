/* dlopen.c — leaks made inside a library loaded with dlopen (libleaky.so,
 * argv[1]), which stays loaded: 111 bytes definitely lost, 222 bytes still
 * reachable from the library's .bss. */
#include "common.h"

#include <dlfcn.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h)
        return 3;
    void (*leak)(void), (*keep)(void);
    /* POSIX's way to take a function from dlsym (ISO C has no cast for it). */
    *(void **)&leak = dlsym(h, "lib_leak");
    *(void **)&keep = dlsym(h, "lib_keep");
    if (!leak || !keep)
        return 4;
    leak();
    keep();
    clear_stack();
    return 0;
}
