/*
 * test_api_common.c — see test_api_common.h. The stats API is resolved once
 * with dlsym(RTLD_DEFAULT); a racing first call from two threads resolves the
 * same pointers twice, which is harmless.
 */
#define _GNU_SOURCE
#include "test_api_common.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

typedef int (*get_stats_fn)(mp_heap_stats_t *);
typedef size_t (*release_fn)(void);
typedef int (*active_fn)(void);

static get_stats_fn p_get_stats;
static release_fn p_release;
static active_fn p_active;
static int resolved;

static void resolve(void)
{
    if (resolved)
        return;
    /* dlsym returns void *; converting through a union keeps -Wpedantic
     * quiet about object-to-function pointer casts. */
    union { void *obj; get_stats_fn fn; } g = {dlsym(RTLD_DEFAULT, "mp_heap_get_stats")};
    union { void *obj; release_fn fn; } r = {dlsym(RTLD_DEFAULT, "mp_heap_release_free")};
    union { void *obj; active_fn fn; } a = {dlsym(RTLD_DEFAULT, "mp_heap_active")};
    p_get_stats = g.fn;
    p_release = r.fn;
    p_active = a.fn;
    resolved = 1;
}

int mpt_shim_active(void)
{
    resolve();
    return p_get_stats && p_release && p_active && p_active() != 0;
}

int mpt_require_shim_at(const char *test, const char *file, int line)
{
    if (mpt_shim_active())
        return 1;
    static int told;
    if (!told) {
        fprintf(stderr,
                "\nshim not active: libmemprof.so does not export mp_heap_get_stats/"
                "mp_heap_release_free/mp_heap_active (or mp_heap_active() == 0); "
                "tests that need the heap counters fail\n");
        told = 1;
    }
    CU_assertImplementation(CU_FALSE, (unsigned)line, "shim not active", file, test, CU_FALSE);
    return 0;
}

int mpt_stats(mp_heap_stats_t *out)
{
    if (!mpt_shim_active())
        return -1;
    return p_get_stats(out);
}

size_t mpt_release_free(void)
{
    if (!mpt_shim_active())
        return 0;
    return p_release();
}

static void *warm_thread(void *arg)
{
    (void)arg;
    void *p[16];
    for (int i = 0; i < 16; i++)
        p[i] = malloc((size_t)16 << i);
    for (int i = 0; i < 16; i++)
        free(p[i]);
    return NULL;
}

void mpt_warm_up(int nthreads)
{
    void *big = malloc(16 * MPT_MIB);
    mpt_escape(big);
    free(big);
    pthread_t t[64];
    if (nthreads > 64)
        nthreads = 64;
    int started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&t[started], NULL, warm_thread, NULL) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
}

uint64_t mpt_live_objects(const mp_heap_stats_t *s)
{
    uint64_t n = s->large_objects;
    for (uint32_t i = 1; i < s->nclasses && i < MP_STATS_MAX_CLASSES; i++)
        n += s->classes[i].objects_live;
    return n;
}

uint64_t mpt_retained(const mp_heap_stats_t *s)
{
    uint64_t n = 0;
    for (uint32_t i = 1; i < s->nclasses && i < MP_STATS_MAX_CLASSES; i++)
        n += s->classes[i].bytes_retained;
    return n;
}

void mpt_print_live_diff(const mp_heap_stats_t *a, const mp_heap_stats_t *b)
{
    int lines = 0;
    if (a->large_objects != b->large_objects) {
        fprintf(stderr, "    large objects %llu -> %llu (large bytes %llu -> %llu)\n",
                (unsigned long long)a->large_objects, (unsigned long long)b->large_objects,
                (unsigned long long)a->large_bytes, (unsigned long long)b->large_bytes);
        lines++;
    }
    for (uint32_t i = 1; i < a->nclasses && i < MP_STATS_MAX_CLASSES && lines < 8; i++) {
        const mp_class_stats_t *x = &a->classes[i], *y = &b->classes[i];
        if (x->objects_live == y->objects_live)
            continue;
        fprintf(stderr, "    class %u (%u B): objects_live %llu -> %llu (allocs +%llu, frees +%llu)\n",
                i, x->size, (unsigned long long)x->objects_live,
                (unsigned long long)y->objects_live, (unsigned long long)(y->allocs - x->allocs),
                (unsigned long long)(y->frees - x->frees));
        lines++;
    }
}

int mpt_class_index(const mp_heap_stats_t *s, size_t size)
{
    for (uint32_t i = 1; i < s->nclasses && i < MP_STATS_MAX_CLASSES; i++)
        if (s->classes[i].size == size)
            return (int)i;
    return -1;
}

int mpt_stats_sane(const mp_heap_stats_t *s, char *why, size_t whylen)
{
    why[0] = 0;
    if (s->page_size != MPT_HEAP_PAGE) {
        snprintf(why, whylen, "page_size %u, expected 8192", s->page_size);
        return 0;
    }
    if (s->mapped != s->in_use + s->idle + s->released) {
        snprintf(why, whylen,
                 "mapped %llu != in_use %llu + idle %llu + released %llu",
                 (unsigned long long)s->mapped, (unsigned long long)s->in_use,
                 (unsigned long long)s->idle, (unsigned long long)s->released);
        return 0;
    }
    if (s->nclasses < 2 || s->nclasses > MP_STATS_MAX_CLASSES) {
        snprintf(why, whylen, "nclasses %u out of range", s->nclasses);
        return 0;
    }
    if (s->classes[s->nclasses - 1].size != MPT_MAX_SMALL) {
        snprintf(why, whylen, "last class (index nclasses-1 = %u) has size %u, expected 32768",
                 s->nclasses - 1, s->classes[s->nclasses - 1].size);
        return 0;
    }
    uint64_t live_sum = 0;
    for (uint32_t i = 1; i < s->nclasses; i++) {
        const mp_class_stats_t *c = &s->classes[i];
        if (c->size == 0 || c->size % 16 || (i > 1 && c->size <= s->classes[i - 1].size)) {
            snprintf(why, whylen, "class %u size %u not a 16-multiple increasing", i, c->size);
            return 0;
        }
        if (c->span_pages == 0) {
            snprintf(why, whylen, "class %u has span_pages 0", i);
            return 0;
        }
        if (c->bytes_live != c->objects_live * c->size) {
            snprintf(why, whylen, "class %u (%u B): bytes_live %llu != objects_live %llu * size",
                     i, c->size, (unsigned long long)c->bytes_live,
                     (unsigned long long)c->objects_live);
            return 0;
        }
        if (c->bytes_retained != c->spans * c->span_pages * (uint64_t)s->page_size) {
            snprintf(why, whylen,
                     "class %u (%u B): bytes_retained %llu != spans %llu * %u pages * 8192", i,
                     c->size, (unsigned long long)c->bytes_retained,
                     (unsigned long long)c->spans, c->span_pages);
            return 0;
        }
        if (c->bytes_live > c->bytes_retained) {
            snprintf(why, whylen, "class %u (%u B): bytes_live %llu > bytes_retained %llu", i,
                     c->size, (unsigned long long)c->bytes_live,
                     (unsigned long long)c->bytes_retained);
            return 0;
        }
        if (c->allocs - c->frees != c->objects_live) {
            snprintf(why, whylen, "class %u (%u B): allocs %llu - frees %llu != objects_live %llu",
                     i, c->size, (unsigned long long)c->allocs, (unsigned long long)c->frees,
                     (unsigned long long)c->objects_live);
            return 0;
        }
        live_sum += c->bytes_live;
    }
    if (live_sum != s->small_live_bytes) {
        snprintf(why, whylen, "small_live_bytes %llu != sum of classes' bytes_live %llu",
                 (unsigned long long)s->small_live_bytes, (unsigned long long)live_sum);
        return 0;
    }
    if (s->large_bytes < s->large_objects * (MPT_MAX_SMALL + 1)) {
        snprintf(why, whylen, "large_bytes %llu too small for %llu large objects",
                 (unsigned long long)s->large_bytes, (unsigned long long)s->large_objects);
        return 0;
    }
    if (s->in_use < s->large_bytes + mpt_retained(s)) {
        snprintf(why, whylen, "in_use %llu < large_bytes %llu + classes' retained %llu",
                 (unsigned long long)s->in_use, (unsigned long long)s->large_bytes,
                 (unsigned long long)mpt_retained(s));
        return 0;
    }
    return 1;
}

size_t mpt_rss(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    unsigned long size = 0, resident = 0;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static inline uint8_t pat(uint32_t seed, size_t i)
{
    uint32_t x = seed * 0x9E3779B1u + (uint32_t)(i >> 8) * 0x85EBCA6Bu;
    return (uint8_t)((x >> 24) ^ (uint8_t)i);
}

void mpt_fill(void *p, size_t n, uint32_t seed)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pat(seed, i);
}

int mpt_check(const void *p, size_t n, uint32_t seed)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pat(seed, i))
            return 0;
    return 1;
}

static void sparse(void *p, size_t n, uint32_t seed, int check, int *ok)
{
    uint8_t *b = p;
    size_t head = n < 256 ? n : 256;
    for (size_t i = 0; i < head; i++) {
        if (check && b[i] != pat(seed, i))
            *ok = 0;
        else if (!check)
            b[i] = pat(seed, i);
    }
    for (size_t i = 4096; i < n; i += 4096) {
        if (check && b[i] != pat(seed, i))
            *ok = 0;
        else if (!check)
            b[i] = pat(seed, i);
    }
    for (size_t i = n > 256 ? n - 256 : 0; i < n; i++) {
        if (check && b[i] != pat(seed, i))
            *ok = 0;
        else if (!check)
            b[i] = pat(seed, i);
    }
}

void mpt_fill_sparse(void *p, size_t n, uint32_t seed)
{
    int ok = 1;
    sparse(p, n, seed, 0, &ok);
}

int mpt_check_sparse(const void *p, size_t n, uint32_t seed)
{
    int ok = 1;
    sparse((void *)(uintptr_t)p, n, seed, 1, &ok);
    return ok;
}

int mpt_all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i = 0;
    for (; i < n && ((uintptr_t)(b + i) & 7); i++)
        if (b[i])
            return 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w)
            return 0;
    }
    for (; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

int mpt_capture_begin(mpt_capture_t *c)
{
    fflush(stderr);
    c->file_fd = memfd_create("mpt_stderr", MFD_CLOEXEC);
    if (c->file_fd < 0)
        return -1;
    c->saved_fd = dup(2);
    if (c->saved_fd < 0 || dup2(c->file_fd, 2) < 0) {
        close(c->file_fd);
        if (c->saved_fd >= 0)
            close(c->saved_fd);
        return -1;
    }
    return 0;
}

size_t mpt_capture_end(mpt_capture_t *c, char *buf, size_t buflen)
{
    fflush(stderr);
    dup2(c->saved_fd, 2);
    close(c->saved_fd);
    size_t got = 0;
    if (buflen) {
        ssize_t n = pread(c->file_fd, buf, buflen - 1, 0);
        got = n > 0 ? (size_t)n : 0;
        buf[got] = 0;
    }
    close(c->file_fd);
    return got;
}

struct blk {
    uintptr_t p;
    size_t n;
};

static int blk_cmp(const void *a, const void *b)
{
    const struct blk *x = a, *y = b;
    return x->p < y->p ? -1 : x->p > y->p;
}

int mpt_disjoint(void *const *ptr, const size_t *len, size_t n)
{
    if (n < 2)
        return 1;
    struct blk *v = malloc(n * sizeof *v);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++) {
        v[i].p = (uintptr_t)ptr[i];
        v[i].n = len[i];
    }
    qsort(v, n, sizeof *v, blk_cmp);
    int ok = 1;
    for (size_t i = 1; i < n && ok; i++)
        if (v[i].p == v[i - 1].p || v[i - 1].p + v[i - 1].n > v[i].p)
            ok = 0;
    free(v);
    return ok;
}
