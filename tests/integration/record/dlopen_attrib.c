/*
 * dlopen_attrib.c — dlopens a library that leaks, closes it, exits, for
 * integration.record.dlopen_attrib:
 *
 *     dlopen_attrib LIBRARY RANGES_FILE N
 *
 * dlopens LIBRARY (rec_dlib.c), calls dlib_leak(N) — N blocks of 48 bytes
 * it never frees — writes the range of dlib_leak (as the library reports
 * it) to RANGES_FILE as "dlib_fn", dlcloses the library, checks that it is
 * really gone (dlopen RTLD_NOLOAD fails) and prints "unloaded". No sleep
 * anywhere: the shim must see the module come and go on its own.
 */
#include "rec_prog.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        rec_printf(2, "usage: dlopen_attrib LIBRARY RANGES_FILE N\n");
        return 2;
    }
    int n = atoi(argv[3]);
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        rec_printf(2, "dlopen_attrib: dlopen %s failed\n", argv[1]);
        return 1;
    }
    int (*leak)(int);
    void (*range)(uintptr_t *, uintptr_t *);
    *(void **)&leak = dlsym(h, "dlib_leak");
    *(void **)&range = dlsym(h, "dlib_range");
    if (!leak || !range) {
        rec_printf(2, "dlopen_attrib: %s lacks dlib_leak or dlib_range\n", argv[1]);
        return 1;
    }
    if (leak(n) != n)
        return 1;
    uintptr_t lo, hi;
    range(&lo, &hi);
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rec_printf(2, "dlopen_attrib: cannot create %s\n", argv[2]);
        return 1;
    }
    rec_range_write(fd, "dlib_fn", lo, hi);
    close(fd);
    if (dlclose(h) != 0) {
        rec_printf(2, "dlopen_attrib: dlclose failed\n");
        return 1;
    }
    if (dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD)) {
        rec_printf(2, "dlopen_attrib: %s is still loaded after dlclose\n", argv[1]);
        return 1;
    }
    rec_printf(1, "unloaded\n");
    return 0;
}
