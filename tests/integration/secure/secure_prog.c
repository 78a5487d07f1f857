/*
 * secure_prog.c — the program of integration.secure.*: linked against
 * libmemprof.so (not preloaded: glibc ignores LD_PRELOAD paths in a setuid
 * program, but honours the executable's own absolute RPATH), so the shim
 * is its malloc however it is run, setuid or not.
 *
 * It allocates and checks a few blocks (small, large, calloc, realloc),
 * optionally forks a child that does the same ("fork"), double-frees a
 * block ("doublefree": the shim detects it and, when it may speak, says so
 * on stderr), or fills blocks with a marker and with the value of
 * $MP_TEST_SECRET ("secret": 300 small blocks, freed, and 3 large ones of
 * 64 KiB to 1 MiB kept live to the exit's hollow scan; reveal.sh looks for
 * them in the log), then prints one line:
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

/* The large blocks, live at exit (extern: a compiler may not drop them). */
char *mp_secure_kept[3];

/* Blocks full of a marker and of the secret environment variable. */
static void secret(void)
{
    const char *env = getenv("MP_TEST_SECRET");
    char text[256];
    snprintf(text, sizeof text, "MEMPROF-HEAP-SECRET/%s/", env ? env : "");
    size_t tl = strlen(text);
    for (int i = 0; i < 303; i++) {
        size_t n = i < 300 ? (size_t)(24 + i * 13) : (size_t)(64 << 10) << (i - 300) * 2;
        char *b = malloc(n);
        if (!b)
            return;
        for (size_t k = 0; k + tl <= n; k += tl)
            memcpy(b + k, text, tl);
        if (i < 300)
            free(b);
        else
            mp_secure_kept[i - 300] = b; /* live at exit: scanned for hollow pages */
    }
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
        } else if (strcmp(argv[i], "secret") == 0) {
            secret();
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
