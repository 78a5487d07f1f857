/*
 * bench_util.h — what every heap benchmark program shares: a seeded PRNG,
 * a monotonic clock, RSS from /proc, block touching/checking, bookkeeping
 * memory that does not come from malloc, and the optional memprof heap
 * report.
 *
 * The programs run unchanged under glibc, jemalloc, tcmalloc, mimalloc and
 * memprof (each by LD_PRELOAD), so nothing here may depend on which
 * allocator is loaded: the memprof report looks its symbol up at run time.
 *
 * Output convention (bench/run-heap.sh parses it): each program prints
 * `key=value` pairs separated by spaces, one result line starting with
 * "result", and optionally one "heap_stats" line per report point.
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* xoshiro-style generators are overkill: a splitmix64 stream is fast,
 * has no bad seeds and is identical on every run, which is all we need
 * for a deterministic allocation pattern. One state per thread. */
typedef struct bench_rng {
    uint64_t s; /* splitmix64 state; any value is a valid seed */
} bench_rng_t;

void bench_rng_seed(bench_rng_t *r, uint64_t seed);
uint64_t bench_rng_next(bench_rng_t *r);
/* Uniform in [0, n); n > 0. Lemire's multiply-shift, bias < 2^-32 for our n. */
uint32_t bench_rng_below(bench_rng_t *r, uint32_t n);
/* A request size in [lo, hi], skewed towards small sizes the way real
 * programs are (half the draws come from the lowest eighth of the range). */
size_t bench_rng_size(bench_rng_t *r, size_t lo, size_t hi);

/* Seconds on CLOCK_MONOTONIC. */
double bench_now(void);
/* CPU seconds used by the whole process so far, all threads, including
 * threads that have exited (CLOCK_PROCESS_CPUTIME_ID). On a machine shared
 * with other work this moves far less than wall time, so the programs print
 * a CPU-time figure beside the wall-time one (run-heap.sh METRIC=cpu). */
double bench_cpu(void);

/* Resident set size of this process in KiB, from /proc/self/statm. Returns
 * 0 if /proc is unreadable (the caller prints it as is). */
uint64_t bench_rss_kb(void);

/* Writes one word per 64-byte line of p[0, size) (and the last word), so
 * every cache line the program was given is really touched; derived from
 * tag so a later check can tell blocks apart. Requires: size >= 8. */
void bench_fill(void *p, size_t size, uint64_t tag);
/* Reads back what bench_fill wrote and returns a checksum; aborts the
 * benchmark (exit 3) if the content changed, which means the allocator
 * handed the same memory out twice. */
uint64_t bench_check(const void *p, size_t size, uint64_t tag);

/* Bookkeeping arrays come from mmap, not malloc, so they neither load the
 * allocator under test nor sit in its heap between measured blocks. */
void *bench_map(size_t bytes);
void bench_unmap(void *p, size_t bytes);

/* If the process's allocator is memprof's heap (mp_heap_get_stats is
 * visible through dlsym(RTLD_DEFAULT)), prints
 *   heap_stats when=<when> mapped=.. in_use=.. idle=.. released=..
 *              meta_bytes=.. meta_pct=.. small_live_bytes=.. large_bytes=..
 * and returns 1; otherwise prints nothing and returns 0. */
int bench_heap_report(const char *when);

/* Parses argv[i] as a positive integer or exits 2 with a usage message. */
long bench_arg(int argc, char **argv, int i, long dflt, const char *usage);

#endif
