/*
 * bench_util.c — shared helpers of the heap benchmarks (see bench_util.h).
 *
 * Nothing here calls malloc on a measured path: the PRNG and clock are pure,
 * RSS is read with open/read into a stack buffer (no stdio FILE, whose
 * buffer would come from the allocator under test), bookkeeping uses mmap.
 */
#define _GNU_SOURCE
#include "bench_util.h"

#include "memprof.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

void bench_rng_seed(bench_rng_t *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t bench_rng_next(bench_rng_t *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint32_t bench_rng_below(bench_rng_t *r, uint32_t n)
{
    return (uint32_t)(((bench_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

size_t bench_rng_size(bench_rng_t *r, size_t lo, size_t hi)
{
    uint64_t x = bench_rng_next(r);
    size_t span = hi - lo + 1;
    /* The low bit picks the distribution, the high bits the value. */
    if (x & 1)
        span = span / 8 ? span / 8 : 1;
    return lo + (size_t)(((x >> 32) * (uint64_t)span) >> 32);
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t bench_rss_kb(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* statm: size resident shared text lib data dt, in pages. */
    unsigned long size_pages = 0, resident_pages = 0;
    if (sscanf(buf, "%lu %lu", &size_pages, &resident_pages) != 2)
        return 0;
    return (uint64_t)resident_pages * (uint64_t)sysconf(_SC_PAGESIZE) / 1024u;
}

/* The word stored at byte offset off of a block tagged tag. */
static inline uint64_t pattern(uint64_t tag, size_t off)
{
    return tag * 0x9e3779b97f4a7c15ull ^ (uint64_t)off;
}

/* The stride words stop 8 bytes short of the end so that none overlaps the
 * last word, which is always written: it catches a block shorter than
 * asked for. */
void bench_fill(void *p, size_t size, uint64_t tag)
{
    unsigned char *b = p;
    for (size_t off = 0; off + 16 <= size; off += 64) {
        uint64_t w = pattern(tag, off);
        memcpy(b + off, &w, 8);
    }
    uint64_t w = pattern(tag, size - 8);
    memcpy(b + size - 8, &w, 8);
}

uint64_t bench_check(const void *p, size_t size, uint64_t tag)
{
    const unsigned char *b = p;
    uint64_t sum = 0, w;
    int bad = 0;
    for (size_t off = 0; off + 16 <= size; off += 64) {
        memcpy(&w, b + off, 8);
        bad |= w != pattern(tag, off);
        sum += w;
    }
    memcpy(&w, b + size - 8, 8);
    bad |= w != pattern(tag, size - 8);
    if (bad) {
        /* Two live blocks overlap: the allocator is broken, the figure
         * would be meaningless. Say so plainly and stop. */
        fprintf(stderr, "bench: block %p (%zu bytes, tag %llu) was overwritten\n",
                p, size, (unsigned long long)tag);
        exit(3);
    }
    return sum + w;
}

void *bench_map(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("bench: mmap");
        exit(2);
    }
    return p;
}

void bench_unmap(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes);
}

int bench_heap_report(const char *when)
{
    typedef int (*get_stats_fn)(mp_heap_stats_t *);
    /* dlsym returns void *; going through a union avoids the ISO C
     * object-to-function pointer conversion warning under -Wpedantic. */
    union { void *obj; get_stats_fn fn; } sym;
    sym.obj = dlsym(RTLD_DEFAULT, "mp_heap_get_stats");
    if (!sym.obj)
        return 0;
    static mp_heap_stats_t st; /* ~5 KiB; static keeps it off thread stacks */
    memset(&st, 0, sizeof st);
    if (sym.fn(&st) != 0)
        return 0;
    double pct = st.mapped ? 100.0 * (double)st.meta_bytes / (double)st.mapped : 0.0;
    printf("heap_stats when=%s mapped=%llu in_use=%llu idle=%llu released=%llu"
           " meta_bytes=%llu meta_pct=%.3f small_live_bytes=%llu large_bytes=%llu"
           " threads_cached=%llu\n",
           when, (unsigned long long)st.mapped, (unsigned long long)st.in_use,
           (unsigned long long)st.idle, (unsigned long long)st.released,
           (unsigned long long)st.meta_bytes, pct,
           (unsigned long long)st.small_live_bytes, (unsigned long long)st.large_bytes,
           (unsigned long long)st.threads_cached);
    fflush(stdout);
    return 1;
}

long bench_arg(int argc, char **argv, int i, long dflt, const char *usage)
{
    if (i >= argc)
        return dflt;
    char *end;
    long v = strtol(argv[i], &end, 10);
    if (*argv[i] == '\0' || *end != '\0' || v <= 0) {
        fprintf(stderr, "usage: %s %s\n", argv[0], usage);
        exit(2);
    }
    return v;
}
