/*
 * test_api_common.h — helpers shared by the shim contract suites
 * (test_api_*.c, test_threads.c, test_fork.c).
 *
 * Those suites link against libmemprof.so (mp_unit_test(... SHIM)), so every
 * malloc in the test binary is memprof's. The stats API (memprof.h) is looked
 * up with dlsym(RTLD_DEFAULT, ...) rather than linked: while the shim is
 * missing or incomplete the binaries still link and run, the malloc contract
 * tests then exercise whatever malloc the process has (glibc), and every test
 * that needs the counters fails with "shim not active" instead of the build
 * breaking.
 *
 * Nothing here keeps state between calls except the resolved symbols, so the
 * helpers are safe in a forked child and from any thread (mpt_require_shim
 * and the CU_ asserts excepted: main thread only).
 */
#ifndef MP_TEST_API_COMMON_H
#define MP_TEST_API_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "memprof.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MPT_KIB ((size_t)1024)
#define MPT_MIB ((size_t)1024 * 1024)
#define MPT_HEAP_PAGE ((size_t)8192) /* memprof's heap page (DESIGN.md) */
#define MPT_MAX_SMALL ((size_t)32768)

/* 1 when libmemprof.so is loaded, exports the stats API and says it is the
 * process's allocator (mp_heap_active() != 0). */
int mpt_shim_active(void);

/* As mpt_shim_active(); when the shim is not active, records a CUnit failure
 * naming `test` ("shim not active") and returns 0 so the caller can return. */
int mpt_require_shim_at(const char *test, const char *file, int line);
#define mpt_require_shim(test) mpt_require_shim_at((test), __FILE__, __LINE__)

/* Brings the process to a steady state before exact counting. The first
 * time, glibc's thread machinery allocates through malloc (a DTV per thread,
 * kept alive with the stacks glibc caches after a join), and so does the
 * start of memprof's scavenger thread (started from a free once >= 4 MiB of
 * pages are idle). Those are real, lasting allocations the test did not
 * make: this creates and joins nthreads threads and frees a 16 MiB block
 * first, so later deltas are the test's own. */
void mpt_warm_up(int nthreads);

/* mp_heap_get_stats through dlsym; 0 on success, -1 when the shim is absent. */
int mpt_stats(mp_heap_stats_t *out);

/* mp_heap_release_free through dlsym; 0 when the shim is absent. */
size_t mpt_release_free(void);

/* Sum of objects_live over the classes plus large_objects. */
uint64_t mpt_live_objects(const mp_heap_stats_t *s);

/* Sum of bytes_retained over the classes. */
uint64_t mpt_retained(const mp_heap_stats_t *s);

/* Prints to stderr, indented, every class whose objects_live differs
 * between a and b, and large_objects if it differs (at most 8 lines). */
void mpt_print_live_diff(const mp_heap_stats_t *a, const mp_heap_stats_t *b);

/* Index of the class whose size is exactly `size`, or -1. */
int mpt_class_index(const mp_heap_stats_t *s, size_t size);

/* Checks the invariants memprof.h states for one snapshot: the page-heap
 * identity mapped == in_use + idle + released, per class bytes_live ==
 * objects_live * size, bytes_retained == spans * span_pages * page_size,
 * objects_live == allocs - frees, small_live_bytes == sum of bytes_live,
 * page_size == 8192, classes increasing to 32768. Returns 1 when all hold;
 * otherwise 0 with a description in why[]. Does not allocate. */
int mpt_stats_sane(const mp_heap_stats_t *s, char *why, size_t whylen);

/* Resident set size of this process in bytes (/proc/self/statm), or 0.
 * Does not allocate. */
size_t mpt_rss(void);

/* Keeps the compiler from proving a block unused (malloc/free and new/delete
 * pairs may otherwise be elided). */
static inline void mpt_escape(const void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* Returns p through an opaque step, so the compiler's use-after-free
 * analysis does not follow a pointer the test deliberately keeps using
 * (after a failed realloc, or to free it twice). */
static inline void *mpt_launder(void *p)
{
    __asm__ volatile("" : "+r"(p));
    return p;
}

/* Deterministic pattern over every byte of [p, p+n), keyed by seed. */
void mpt_fill(void *p, size_t n, uint32_t seed);
/* 1 when [p, p+n) still holds mpt_fill(p, n, seed)'s pattern. */
int mpt_check(const void *p, size_t n, uint32_t seed);
/* Sparse variants for huge blocks: first and last 256 bytes and one word in
 * every 4 KiB page. */
void mpt_fill_sparse(void *p, size_t n, uint32_t seed);
int mpt_check_sparse(const void *p, size_t n, uint32_t seed);
/* 1 when every byte of [p, p+n) is zero. */
int mpt_all_zero(const void *p, size_t n);

/* xorshift64* — quick, per-caller state, fine for choosing sizes. */
static inline uint64_t mpt_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Redirects fd 2 into an anonymous file until mpt_capture_end, which copies
 * what was written (NUL-terminated, truncated to buflen-1) into buf and puts
 * the old stderr back. Returns 0 on success. Does not allocate. */
typedef struct mpt_capture {
    int saved_fd; /* dup of the original fd 2 */
    int file_fd;  /* memfd receiving the output */
} mpt_capture_t;
int mpt_capture_begin(mpt_capture_t *c);
size_t mpt_capture_end(mpt_capture_t *c, char *buf, size_t buflen);

/* 1 when no two of the n blocks [ptr[i], ptr[i]+len[i]) overlap and no two
 * pointers are equal (zero-length blocks included). Sorts a private copy
 * (allocated with malloc); the arrays are left as they are. */
int mpt_disjoint(void *const *ptr, const size_t *len, size_t n);

#ifdef __cplusplus
}
#endif
#endif
