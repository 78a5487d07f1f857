/*
 * test_threads.c — memprof's heap under threads.
 *
 * cross_thread_stress_keeps_every_block_intact: 4 threads make 10^7
 * allocations in total (and as many frees), sizes 1 byte .. 64 KiB skewed
 * toward small. A quarter of the blocks are freed by another thread than
 * the one that allocated them: they travel in batches through per-thread
 * inboxes. Every block carries a pattern keyed by a per-block seed, written
 * by the allocating thread and verified by the freeing one, so two live
 * blocks sharing memory, or a block handed out while another thread still
 * uses it, shows up as a damaged pattern. Afterwards the heap counters are
 * back at their baseline (exact even though frees crossed threads).
 *
 * thread_churn_does_not_grow_retained_memory: 1,000 threads in 20 batches of
 * 50 (all 50 alive together at a barrier), each allocating and freeing
 * blocks of every kind and leaving a few for the main thread to free. After
 * the first (warm-up) batch, the heap's mapped bytes and the classes'
 * retained bytes (measured with the main thread's own cache flushed) stay
 * within 4 MiB of where they were, and the number of thread caches returns
 * to its baseline after every batch: exited threads give their caches back
 * and their spans are reused.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "test_api_common.h"

/* ---- blocks with a verifiable pattern ---------------------------------- */

typedef struct {
    void *p;
    uint32_t size;
    uint32_t seed;
} blk_t;

static inline uint8_t pat(uint32_t seed, size_t i)
{
    return (uint8_t)((seed >> ((i & 3) * 8)) + (uint8_t)(i * 13));
}

/* Writes the pattern over the first and last 64 bytes and one byte per 1 KiB:
 * enough to catch overlap, cheap enough for 10^7 blocks. */
static void stamp(const blk_t *b)
{
    uint8_t *m = b->p;
    size_t n = b->size, head = n < 64 ? n : 64;
    for (size_t i = 0; i < head; i++)
        m[i] = pat(b->seed, i);
    for (size_t i = 1024; i < n; i += 1024)
        m[i] = pat(b->seed, i);
    for (size_t i = n > 64 ? n - 64 : head; i < n; i++)
        m[i] = pat(b->seed, i);
}

static int intact(const blk_t *b)
{
    const uint8_t *m = b->p;
    size_t n = b->size, head = n < 64 ? n : 64;
    for (size_t i = 0; i < head; i++)
        if (m[i] != pat(b->seed, i))
            return 0;
    for (size_t i = 1024; i < n; i += 1024)
        if (m[i] != pat(b->seed, i))
            return 0;
    for (size_t i = n > 64 ? n - 64 : head; i < n; i++)
        if (m[i] != pat(b->seed, i))
            return 0;
    return 1;
}

/* 1 B .. 64 KiB, most of them small. */
static uint32_t skewed_size(uint64_t r)
{
    uint32_t pick = (uint32_t)(r % 100), x = (uint32_t)(r >> 32);
    if (pick < 60)
        return 1 + x % 64;
    if (pick < 85)
        return 65 + x % 448;
    if (pick < 95)
        return 513 + x % 3584;
    if (pick < 99)
        return 4097 + x % 28672;
    return 32769 + x % 32768;
}

/* ---- cross-thread stress ----------------------------------------------- */

enum {
    NTHREADS = 4,
    ALLOCS_PER_THREAD = 2500000, /* 4 x 2.5e6 = 1e7 allocations, as many frees */
    SLOTS = 256,
    BATCH = 64,
};

typedef struct batch {
    struct batch *next;
    int n;
    blk_t b[BATCH];
} batch_t;

typedef struct {
    pthread_mutex_t lock;
    batch_t *head;   /* batches other threads sent us, guarded by lock */
    char pad[64];
} inbox_t;

static inbox_t inbox[NTHREADS];

typedef struct {
    int id;
    uint64_t allocs, frees, remote_frees, damaged, nulls;
} stress_t;

static void free_checked(stress_t *t, const blk_t *b)
{
    if (!intact(b) && t->damaged++ == 0)
        fprintf(stderr, "\n  thread %d: block %p (%u B, seed %#x) damaged before free\n", t->id,
                b->p, b->size, b->seed);
    free(b->p);
    t->frees++;
}

static void drain_inbox(stress_t *t, int id)
{
    pthread_mutex_lock(&inbox[id].lock);
    batch_t *list = inbox[id].head;
    inbox[id].head = NULL;
    pthread_mutex_unlock(&inbox[id].lock);
    while (list) {
        batch_t *next = list->next;
        for (int i = 0; i < list->n; i++) {
            free_checked(t, &list->b[i]);
            t->remote_frees++;
        }
        free(list); /* batches too were allocated by the sender */
        list = next;
    }
}

static void send(batch_t **out, int to)
{
    batch_t *b = *out;
    if (!b || b->n == 0)
        return;
    pthread_mutex_lock(&inbox[to].lock);
    b->next = inbox[to].head;
    inbox[to].head = b;
    pthread_mutex_unlock(&inbox[to].lock);
    *out = NULL;
}

static void *stress_main(void *arg)
{
    stress_t *t = arg;
    blk_t slot[SLOTS];
    memset(slot, 0, sizeof slot);
    batch_t *out[NTHREADS] = {0};
    uint64_t rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(t->id + 1);

    for (uint64_t n = 0; n < ALLOCS_PER_THREAD; n++) {
        uint64_t r = mpt_rand(&rng);
        blk_t *s = &slot[r % SLOTS];
        if (s->p) {
            int to = (int)((r >> 8) % NTHREADS);
            if ((r >> 16) % 4 == 0 && to != t->id) {
                if (!out[to]) {
                    out[to] = malloc(sizeof(batch_t));
                    if (!out[to]) {
                        t->nulls++;
                        free_checked(t, s);
                        goto fresh;
                    }
                    out[to]->n = 0;
                }
                out[to]->b[out[to]->n++] = *s;
                if (out[to]->n == BATCH)
                    send(&out[to], to);
            } else {
                free_checked(t, s);
            }
        }
    fresh:
        s->size = skewed_size(mpt_rand(&rng));
        s->seed = (uint32_t)(r >> 32) ^ (uint32_t)n;
        s->p = malloc(s->size);
        if (!s->p) {
            t->nulls++;
            continue;
        }
        t->allocs++;
        stamp(s);
        if ((n & 255) == 0)
            drain_inbox(t, t->id);
    }
    for (int i = 0; i < SLOTS; i++)
        if (slot[i].p)
            free_checked(t, &slot[i]);
    for (int to = 0; to < NTHREADS; to++)
        send(&out[to], to);
    drain_inbox(t, t->id);
    return NULL;
}

static void cross_thread_stress_keeps_every_block_intact(void)
{
    mp_heap_stats_t s0, s1;
    mpt_warm_up(NTHREADS);
    int have = mpt_stats(&s0) == 0;
    pthread_t th[NTHREADS];
    static stress_t st[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        pthread_mutex_init(&inbox[i].lock, NULL);
        inbox[i].head = NULL;
        memset(&st[i], 0, sizeof st[i]);
        st[i].id = i;
    }
    for (int i = 0; i < NTHREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, stress_main, &st[i]), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    /* Batches sent to a thread after it drained for the last time. */
    stress_t mainst = {.id = -1};
    for (int i = 0; i < NTHREADS; i++)
        drain_inbox(&mainst, i);

    uint64_t allocs = 0, frees = mainst.frees, remote = mainst.remote_frees;
    uint64_t damaged = mainst.damaged, nulls = 0;
    for (int i = 0; i < NTHREADS; i++) {
        allocs += st[i].allocs;
        frees += st[i].frees;
        remote += st[i].remote_frees;
        damaged += st[i].damaged;
        nulls += st[i].nulls;
    }
    fprintf(stderr, "\n  %llu allocations, %llu frees (%llu by another thread)\n",
            (unsigned long long)allocs, (unsigned long long)frees, (unsigned long long)remote);
    CU_ASSERT_EQUAL(nulls, 0);
    CU_ASSERT_EQUAL(damaged, 0);
    CU_ASSERT_EQUAL(allocs, (uint64_t)NTHREADS * ALLOCS_PER_THREAD);
    CU_ASSERT_EQUAL(frees, allocs);
    CU_ASSERT(remote >= allocs / 8);

    if (!mpt_require_shim(__func__))
        return;
    CU_ASSERT_EQUAL_FATAL(mpt_stats(&s1), 0);
    CU_ASSERT(have);
    char why[512];
    int sane = mpt_stats_sane(&s1, why, sizeof why);
    if (!sane)
        fprintf(stderr, "\n  after the stress: %s\n", why);
    CU_ASSERT(sane);
    if (mpt_live_objects(&s1) != mpt_live_objects(&s0)) {
        fprintf(stderr, "\n  live objects %llu before, %llu after\n",
                (unsigned long long)mpt_live_objects(&s0),
                (unsigned long long)mpt_live_objects(&s1));
        mpt_print_live_diff(&s0, &s1);
    }
    CU_ASSERT_EQUAL(mpt_live_objects(&s1), mpt_live_objects(&s0));
    CU_ASSERT_EQUAL(s1.small_live_bytes, s0.small_live_bytes);
    CU_ASSERT_EQUAL(s1.large_bytes, s0.large_bytes);
    CU_ASSERT_EQUAL(s1.threads_cached, s0.threads_cached);
    CU_ASSERT_EQUAL(s1.invalid_frees, s0.invalid_frees);
    CU_ASSERT_EQUAL(s1.double_frees, s0.double_frees);
}

/* ---- 1,000 short-lived threads ----------------------------------------- */

enum {
    CHURN_BATCHES = 20,
    CHURN_THREADS = 50, /* per batch: 1,000 threads in all */
    CHURN_SLOTS = 48,
    CHURN_OPS = 1500,   /* per phase, two phases per thread */
    CHURN_LEAVE = 8,    /* blocks left for the main thread to free */
};

static const uint64_t churn_bound = 4 * 1024 * 1024;

typedef struct {
    int k;
    pthread_barrier_t *all_alive;
    blk_t left[CHURN_LEAVE];
    uint64_t damaged, nulls;
} churn_t;

static uint32_t churn_size(uint64_t r)
{
    /* every small class is reached, and some large blocks */
    if (r % 50 == 0)
        return 32769 + (uint32_t)((r >> 20) % (160 * 1024));
    return skewed_size(r >> 8);
}

static void churn_phase(churn_t *c, blk_t *slot, uint64_t *rng, uint32_t phase)
{
    for (uint32_t op = 0; op < CHURN_OPS; op++) {
        uint64_t r = mpt_rand(rng);
        blk_t *s = &slot[r % CHURN_SLOTS];
        if (s->p) {
            if (!intact(s))
                c->damaged++;
            free(s->p);
            s->p = NULL;
        }
        s->size = churn_size(mpt_rand(rng));
        s->seed = (uint32_t)(r >> 32) + phase;
        s->p = malloc(s->size);
        if (!s->p) {
            c->nulls++;
            continue;
        }
        stamp(s);
    }
}

static void *churn_main(void *arg)
{
    churn_t *c = arg;
    blk_t slot[CHURN_SLOTS];
    memset(slot, 0, sizeof slot);
    /* The same work in every batch, so every batch needs the same memory. */
    uint64_t rng = 0xD1B54A32D192ED03ULL * (uint64_t)(c->k + 1);
    churn_phase(c, slot, &rng, 1);
    pthread_barrier_wait(c->all_alive);
    churn_phase(c, slot, &rng, 2);
    for (int i = 0; i < CHURN_SLOTS; i++) {
        if (!slot[i].p)
            continue;
        if (i < CHURN_LEAVE) {
            c->left[i] = slot[i]; /* the main thread frees these */
            continue;
        }
        if (!intact(&slot[i]))
            c->damaged++;
        free(slot[i].p);
    }
    return NULL;
}

static void thread_churn_does_not_grow_retained_memory(void)
{
    static churn_t ch[CHURN_THREADS];
    pthread_t th[CHURN_THREADS];
    pthread_barrier_t bar;
    mp_heap_stats_t base, warm, now;
    int have = mpt_stats(&base) == 0;
    uint64_t damaged = 0, nulls = 0, max_mapped = 0, max_retained = 0, cache_leaks = 0;
    int threads = 0;

    for (int batch = 0; batch < CHURN_BATCHES; batch++) {
        pthread_barrier_init(&bar, NULL, CHURN_THREADS);
        for (int k = 0; k < CHURN_THREADS; k++) {
            memset(&ch[k], 0, sizeof ch[k]);
            ch[k].k = k;
            ch[k].all_alive = &bar;
            CU_ASSERT_EQUAL_FATAL(pthread_create(&th[k], NULL, churn_main, &ch[k]), 0);
        }
        for (int k = 0; k < CHURN_THREADS; k++)
            pthread_join(th[k], NULL);
        threads += CHURN_THREADS;
        pthread_barrier_destroy(&bar);
        for (int k = 0; k < CHURN_THREADS; k++) {
            for (int i = 0; i < CHURN_LEAVE; i++) {
                if (!ch[k].left[i].p)
                    continue;
                if (!intact(&ch[k].left[i]))
                    damaged++;
                free(ch[k].left[i].p);
            }
            damaged += ch[k].damaged;
            nulls += ch[k].nulls;
        }
        if (!have)
            continue;
        /* Measure what the exited threads left behind, not the main
         * thread's own cache, which the leftovers above filled (it holds up
         * to two transfer batches per class, several MiB in all, and would
         * pin their spans): give that back first. */
        mpt_release_free();
        mpt_stats(&now);
        if (now.threads_cached != base.threads_cached && cache_leaks++ == 0)
            fprintf(stderr, "\n  batch %d: threads_cached %llu, %llu before any thread ran\n",
                    batch, (unsigned long long)now.threads_cached,
                    (unsigned long long)base.threads_cached);
        if (batch == 0) {
            warm = now;
            continue;
        }
        if (now.mapped > warm.mapped && now.mapped - warm.mapped > max_mapped)
            max_mapped = now.mapped - warm.mapped;
        uint64_t r = mpt_retained(&now), w = mpt_retained(&warm);
        if (r > w && r - w > max_retained)
            max_retained = r - w;
    }
    CU_ASSERT_EQUAL(threads, 1000);
    CU_ASSERT_EQUAL(damaged, 0);
    CU_ASSERT_EQUAL(nulls, 0);
    if (!mpt_require_shim(__func__))
        return;
    fprintf(stderr,
            "\n  after warm-up: mapped %llu KiB, retained %llu KiB; largest growth over the next "
            "%d batches: mapped +%llu KiB, retained +%llu KiB\n",
            (unsigned long long)(warm.mapped >> 10), (unsigned long long)(mpt_retained(&warm) >> 10),
            CHURN_BATCHES - 1, (unsigned long long)(max_mapped >> 10),
            (unsigned long long)(max_retained >> 10));
    CU_ASSERT(max_mapped <= churn_bound);
    CU_ASSERT(max_retained <= churn_bound);
    CU_ASSERT_EQUAL(cache_leaks, 0);
    CU_ASSERT_EQUAL(now.threads_cached, base.threads_cached);
    /* Against the warm-up batch: glibc keeps a few joined threads' stacks,
     * each with a DTV it allocated through malloc. */
    if (mpt_live_objects(&now) != mpt_live_objects(&warm)) {
        fprintf(stderr, "\n  live objects after warm-up %llu, at the end %llu\n",
                (unsigned long long)mpt_live_objects(&warm),
                (unsigned long long)mpt_live_objects(&now));
        mpt_print_live_diff(&warm, &now);
    }
    CU_ASSERT_EQUAL(mpt_live_objects(&now), mpt_live_objects(&warm));
    char why[512];
    int sane = mpt_stats_sane(&now, why, sizeof why);
    if (!sane)
        fprintf(stderr, "\n  after the churn: %s\n", why);
    CU_ASSERT(sane);
}

/* ---- reading the counters while threads allocate ------------------------ */

static int readers_stop;

static void *busy_alloc_main(void *arg)
{
    uint64_t rng = 0x51ED270B27AEB3C5ULL * ((uintptr_t)arg + 1);
    void *slot[128] = {0};
    while (!__atomic_load_n(&readers_stop, __ATOMIC_RELAXED)) {
        uint64_t r = mpt_rand(&rng);
        int i = (int)(r % 128);
        free(slot[i]);
        slot[i] = malloc(skewed_size(r >> 8));
        if (slot[i])
            *(volatile char *)slot[i] = 1;
    }
    for (int i = 0; i < 128; i++)
        free(slot[i]);
    return NULL;
}

/* memprof.h: every figure is exact for some recent moment, and the page
 * heap identity holds in each snapshot, even while other threads allocate. */
static void stats_read_while_threads_allocate_keep_the_page_heap_identity(void)
{
    if (!mpt_require_shim(__func__))
        return;
    pthread_t th[NTHREADS];
    __atomic_store_n(&readers_stop, 0, __ATOMIC_RELAXED);
    for (uintptr_t i = 0; i < NTHREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, busy_alloc_main, (void *)i), 0);
    static mp_heap_stats_t s;
    int reads = 0, broken = 0;
    for (; reads < 20000; reads++) {
        if (mpt_stats(&s) != 0 || s.mapped != s.in_use + s.idle + s.released ||
            s.page_size != MPT_HEAP_PAGE || s.in_use < s.large_bytes) {
            if (broken++ == 0)
                fprintf(stderr, "\n  read %d: mapped %llu, in_use %llu, idle %llu, released %llu\n",
                        reads, (unsigned long long)s.mapped, (unsigned long long)s.in_use,
                        (unsigned long long)s.idle, (unsigned long long)s.released);
        }
        if (reads % 1000 == 0) {
            struct mallinfo2 mi = mallinfo2();
            mpt_escape(&mi);
        }
    }
    __atomic_store_n(&readers_stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT_EQUAL(broken, 0);
    char why[512];
    mpt_stats(&s);
    int sane = mpt_stats_sane(&s, why, sizeof why);
    if (!sane)
        fprintf(stderr, "\n  once the threads stopped: %s\n", why);
    CU_ASSERT(sane);
}

/* ---- allocation during thread teardown ---------------------------------- */

/* A program's own thread-specific destructors run while the thread exits,
 * possibly after memprof's own (which gave the thread's cache back): they
 * may still free, allocate and hand blocks to other threads. */
enum { KEYED_THREADS = 32 };
static pthread_key_t user_key;
static void *handed[KEYED_THREADS];
static int nhanded;
static pthread_mutex_t handed_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t teardown_bad;

/* What a thread leaves in its key: one checked block, and enough blocks of
 * one class to fill whole spans, so the frees in the destructor empty spans
 * and send them back to the page heap. */
enum { TEARDOWN_MANY = 100 }; /* 300-byte blocks: four spans' worth */
typedef struct {
    blk_t b;
    void *many[TEARDOWN_MANY];
} teardown_t;

static void user_destructor(void *v)
{
    teardown_t *t = v;
    if (!intact(&t->b))
        __atomic_fetch_add(&teardown_bad, 1, __ATOMIC_RELAXED);
    free(t->b.p);
    for (int i = 0; i < TEARDOWN_MANY; i++)
        free(t->many[i]);
    free(t);
    void *q = malloc(5000);
    void *big = malloc(100000);
    if (!q || !big)
        __atomic_fetch_add(&teardown_bad, 1, __ATOMIC_RELAXED);
    else {
        memset(q, 3, 5000);
        memset(big, 4, 100000);
    }
    free(q);
    free(big);
    void *keep = malloc(100);
    if (keep) {
        memset(keep, 0x5a, 100);
        pthread_mutex_lock(&handed_lock);
        handed[nhanded++] = keep;
        pthread_mutex_unlock(&handed_lock);
    } else {
        __atomic_fetch_add(&teardown_bad, 1, __ATOMIC_RELAXED);
    }
}

static void *keyed_main(void *arg)
{
    teardown_t *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    blk_t *b = &t->b;
    b->size = 300;
    b->seed = (uint32_t)(uintptr_t)arg;
    b->p = malloc(b->size);
    for (int i = 0; i < TEARDOWN_MANY; i++)
        t->many[i] = malloc(300);
    if (!b->p) {
        free(t);
        return NULL;
    }
    stamp(b);
    void *scratch[32];
    for (int i = 0; i < 32; i++) /* fill the thread cache a little */
        scratch[i] = malloc((size_t)(i + 1) * 48);
    for (int i = 0; i < 32; i++)
        free(scratch[i]);
    pthread_setspecific(user_key, t);
    return NULL;
}

static void allocation_in_thread_exit_destructors_is_served_and_counted(void)
{
    mp_heap_stats_t s0, s1, s2;
    mpt_warm_up(KEYED_THREADS);
    CU_ASSERT_EQUAL_FATAL(pthread_key_create(&user_key, user_destructor), 0);
    int have = mpt_stats(&s0) == 0;
    pthread_t th[KEYED_THREADS];
    nhanded = 0;
    for (int i = 0; i < KEYED_THREADS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, keyed_main, (void *)(uintptr_t)i), 0);
    for (int i = 0; i < KEYED_THREADS; i++)
        pthread_join(th[i], NULL);
    if (have)
        mpt_stats(&s1);
    int got = nhanded, intact_handed = 1;
    for (int i = 0; i < got; i++) {
        const uint8_t *m = handed[i];
        for (int j = 0; j < 100; j++)
            intact_handed &= m[j] == 0x5a;
        free(handed[i]);
    }
    if (have)
        mpt_stats(&s2);
    pthread_key_delete(user_key);
    CU_ASSERT_EQUAL(got, KEYED_THREADS);
    CU_ASSERT(intact_handed);
    CU_ASSERT_EQUAL(teardown_bad, 0);
    if (!mpt_require_shim(__func__))
        return;
    /* The blocks handed over are live, everything else came back. */
    if (mpt_live_objects(&s1) != mpt_live_objects(&s0) + KEYED_THREADS) {
        fprintf(stderr, "\n  live objects %llu before, %llu after the threads (expected +%d)\n",
                (unsigned long long)mpt_live_objects(&s0),
                (unsigned long long)mpt_live_objects(&s1), KEYED_THREADS);
        mpt_print_live_diff(&s0, &s1);
    }
    CU_ASSERT_EQUAL(mpt_live_objects(&s1), mpt_live_objects(&s0) + KEYED_THREADS);
    CU_ASSERT_EQUAL(mpt_live_objects(&s2), mpt_live_objects(&s0));
    CU_ASSERT_EQUAL(s2.small_live_bytes, s0.small_live_bytes);
    CU_ASSERT_EQUAL(s1.threads_cached, s0.threads_cached);
    char why[512];
    int sane = mpt_stats_sane(&s2, why, sizeof why);
    if (!sane)
        fprintf(stderr, "\n  after teardown allocations: %s\n", why);
    CU_ASSERT(sane);
}

void mp_test_register(void)
{
    MP_SUITE("threads",
             MP_TEST(cross_thread_stress_keeps_every_block_intact),
             MP_TEST(thread_churn_does_not_grow_retained_memory),
             MP_TEST(stats_read_while_threads_allocate_keep_the_page_heap_identity),
             MP_TEST(allocation_in_thread_exit_destructors_is_served_and_counted));
}
