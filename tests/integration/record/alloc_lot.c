/*
 * alloc_lot.c — allocates a lot and reports on stdout and stderr, for
 * integration.record.full_disk:
 *
 *     alloc_lot [tail]
 *
 * Makes 400,000 allocations (malloc, calloc, realloc; 16..2048 bytes) with
 * frees, through stdio prints "sum=..." and "live=..." on stdout and
 * "alloc_lot: finished" on stderr, and exits with status 3 — so that a
 * run with the shim can be compared with a plain one.
 *
 * With "tail", the allocations come in two parts: after the first, the
 * program waits 150 ms (the shim's writer has written everything by then),
 * and, when MEMPROF_OPTIONS names a log= file, lowers its own file-size
 * limit (RLIMIT_FSIZE) to that file's size plus 16 bytes; then it makes the
 * second part in a quick burst and exits at once, so that the write that
 * hits the limit is the one the shim makes at exit, on the program's
 * thread. Without MEMPROF_OPTIONS (the plain run) it only waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define SLOTS 4096

static void *slot[SLOTS];
static unsigned long sum;

static void churn(unsigned long from, unsigned long to)
{
    for (unsigned long i = from; i < to; i++) {
        size_t size = 16 + (i * 2654435761u) % 2033;
        void **s = &slot[i % SLOTS];
        if (i % 7 == 0 && *s) {
            void *p = realloc(*s, size);
            if (!p)
                abort();
            *s = p;
        } else {
            free(*s);
            *s = i % 5 == 0 ? calloc(1, size) : malloc(size);
            if (!*s)
                abort();
        }
        ((unsigned char *)*s)[0] = (unsigned char)i;
        sum += size;
    }
}

/* Lowers RLIMIT_FSIZE to just above the size the log has now. */
static void limit_to_log(void)
{
    const char *o = getenv("MEMPROF_OPTIONS");
    const char *l = o ? strstr(o, "log=") : NULL;
    if (!l)
        return;
    char path[4096];
    size_t n = strcspn(l + 4, ":");
    if (n >= sizeof path)
        return;
    memcpy(path, l + 4, n);
    path[n] = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return;
    struct rlimit rl = {(rlim_t)st.st_size + 16, (rlim_t)st.st_size + 16};
    setrlimit(RLIMIT_FSIZE, &rl);
}

int main(int argc, char **argv)
{
    int tail = argc > 1 && strcmp(argv[1], "tail") == 0;
    unsigned long n = 400000;
    if (tail) {
        churn(0, n - 2000);
        struct timespec ts = {0, 150000000};
        nanosleep(&ts, NULL);
        limit_to_log();
        churn(n - 2000, n);
    } else {
        churn(0, n);
    }
    unsigned long live = 0;
    for (int i = 0; i < SLOTS; i++)
        live += slot[i] != NULL;
    printf("sum=%lu\nlive=%lu\n", sum, live);
    fprintf(stderr, "alloc_lot: finished\n");
    return 3;
}
