/*
 * shim_path.c — locates libmemprof.so for `memprof run` (see shim_path.h).
 *
 * The relative directories come from CMake as compile definitions:
 * MP_SHIM_RELDIR is the install layout, bindir → libdir ("../lib", or
 * "../lib64", "../lib/x86_64-linux-gnu" depending on GNUInstallDirs);
 * MP_SHIM_BUILD_RELDIR is the build tree's, build/bin → build/lib. They are
 * equal on most systems; keeping both means a build tree works even where
 * the install libdir is not plain "lib".
 *
 * We resolve our own location through /proc/self/exe rather than argv[0]:
 * argv[0] may be a bare name found on PATH, a symlink, or anything the
 * caller chose, while /proc/self/exe is the file the kernel executed.
 */
#include "shim_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_error.h"

#ifndef MP_SHIM_RELDIR
#error "MP_SHIM_RELDIR must be defined by the build (bindir -> libdir)"
#endif
#ifndef MP_SHIM_BUILD_RELDIR
#define MP_SHIM_BUILD_RELDIR MP_SHIM_RELDIR
#endif

#define SHIM_NAME "libmemprof.so"
#define MAX_TRIED 3

typedef struct tried {
    char path[PATH_MAX]; /* the candidate as we built it */
    int err;             /* errno that refused it */
} tried_t;

static int is_elf(const char *path)
{
    unsigned char magic[4] = { 0 };
    FILE *f = fopen(path, "rb");
    size_t n;

    if (!f)
        return 0;
    n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    return n == sizeof magic && memcmp(magic, "\x7f" "ELF", 4) == 0;
}

/* Checks that path is a readable regular ELF file and resolves it to an
 * absolute path in buf. Returns 0 or an errno value. */
static int try_path(const char *path, char *buf, size_t size)
{
    char real[PATH_MAX];
    struct stat st;

    if (stat(path, &st) != 0)
        return errno;
    if (!S_ISREG(st.st_mode))
        return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    if (access(path, R_OK) != 0)
        return errno;
    /* The loader only warns about a preload it cannot use and runs the
     * program anyway, unprofiled; refuse anything that is not ELF here. */
    if (!is_elf(path))
        return ENOEXEC;
    /* LD_PRELOAD is inherited by everything the program execs, from
     * whatever directory it has moved to, so a relative path would break
     * in grandchildren; canonical also keeps the variable readable. */
    if (!realpath(path, real))
        return errno;
    if (strlen(real) >= size)
        return ENAMETOOLONG;
    strcpy(buf, real);
    return 0;
}

static void report(const tried_t *tried, int ntried, const char *why)
{
    fprintf(stderr, "memprof: cannot find the shim %s%s; tried:\n", SHIM_NAME, why);
    for (int i = 0; i < ntried; i++)
        fprintf(stderr, "  %s (%s)\n", tried[i].path, strerror(tried[i].err));
    fprintf(stderr, "set MEMPROF_SHIM=/path/to/%s to choose it explicitly\n", SHIM_NAME);
}

int mp_shim_find(char *buf, size_t size)
{
    static tried_t tried[MAX_TRIED];
    const char *reldirs[2] = { MP_SHIM_RELDIR, MP_SHIM_BUILD_RELDIR };
    const char *env = getenv("MEMPROF_SHIM");
    char exe[PATH_MAX];
    int ntried = 0;
    ssize_t n;

    if (env && *env) {
        snprintf(tried[0].path, sizeof tried[0].path, "%s (from MEMPROF_SHIM)", env);
        tried[0].err = try_path(env, buf, size);
        if (tried[0].err == 0)
            return 0;
        report(tried, 1, "");
        return -MP_CLI_ESHIM;
    }

    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0 || (size_t)n >= sizeof exe - 1) {
        snprintf(tried[0].path, sizeof tried[0].path, "/proc/self/exe");
        tried[0].err = n < 0 ? errno : ENAMETOOLONG;
        report(tried, 1, " (cannot tell where memprof itself is)");
        return -MP_CLI_ESHIM;
    }
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0'; /* the kernel's path is absolute: a '/' exists */

    for (int i = 0; i < 2; i++) {
        if (i == 1 && strcmp(reldirs[0], reldirs[1]) == 0)
            break;
        tried_t *t = &tried[ntried++];
        int len = snprintf(t->path, sizeof t->path, "%s/%s/%s", exe, reldirs[i], SHIM_NAME);

        t->err = (size_t)len >= sizeof t->path ? ENAMETOOLONG : try_path(t->path, buf, size);
        if (t->err == 0)
            return 0;
    }
    report(tried, ntried, "");
    return -MP_CLI_ESHIM;
}
