/*
 * secure_prog.c — the program of integration.secure.*: linked against
 * libmemprof.so (not preloaded: glibc ignores LD_PRELOAD paths in a setuid
 * program, but honours the executable's own absolute RPATH), so the shim
 * is its malloc however it is run, setuid or not.
 *
 * It allocates and checks a few blocks (small, large, calloc, realloc),
 * optionally forks a child that does the same ("fork") and double-frees a
 * block ("doublefree": the shim detects it and, when it may speak, says so
 * on stderr), then prints one line:
 *   secure=<AT_SECURE> heap=<mp_heap_active()> mapped=<yes|no> threads=<N> pid=<pid>
 * (threads: entries of /proc/self/task, memprof's own threads included).
 * Exit status 0 when every block held what was written into it.
 */
#define _GNU_SOURCE
#include "memprof.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

static int work(void)
{
    int bad = 0;
    char *small[64];
    for (int i = 0; i < 64; i++) {
        small[i] = malloc((size_t)(16 + i * 24));
        if (!small[i])
            return 1;
        memset(small[i], i, (size_t)(16 + i * 24));
    }
    char *big = malloc(1 << 20);
    int *zero = calloc(4096, sizeof *zero);
    if (!big || !zero)
        return 1;
    memset(big, 0x5a, 1 << 20);
    for (int i = 0; i < 4096; i++)
        bad |= zero[i] != 0;
    char *grown = realloc(small[3], 100000);
    if (!grown)
        return 1;
    small[3] = grown;
    for (int i = 0; i < 64; i++)
        bad |= small[i][0] != (char)i || small[i][15] != (char)i;
    bad |= big[(1 << 20) - 1] != 0x5a;
    for (int i = 0; i < 64; i++)
        free(small[i]);
    free(big);
    free(zero);
    return bad;
}

static int threads(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    int bad = work();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "fork") == 0) {
            pid_t c = fork();
            if (c == 0)
                _exit(work());
            int st = 0;
            if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
                bad = 1;
        } else if (strcmp(argv[i], "doublefree") == 0) {
            /* volatile: a compiler that sees the double free warns. */
            char *volatile p = malloc(40);
            free(p);
            free(p); /* on purpose: the shim ignores it, and may say so */
        }
    }
    mp_heap_stats_t st;
    mp_heap_get_stats(&st);
    printf("secure=%lu heap=%d mapped=%s threads=%d pid=%d\n", getauxval(AT_SECURE),
           mp_heap_active(), st.mapped > 0 ? "yes" : "no", threads(), (int)getpid());
    return bad;
}
