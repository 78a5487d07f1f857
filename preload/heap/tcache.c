/*
 * tcache.c — thread cache slow paths, creation, destruction and the
 * registry (see tcache.h). Lock: reg_lock guards the registry list, the
 * record pool and the dead-thread totals.
 */
#include "tcache.h"
#include "central.h"
#include "lock.h"
#include "meta.h"

#include <pthread.h>
#include <stddef.h>

__thread mp_tcache_t *mp_tc __attribute__((tls_model("initial-exec")));
/* 0: no cache yet; 1: creating or live; 2: destroyed (thread exiting). */
static __thread int tc_state __attribute__((tls_model("initial-exec")));

static mp_lock_t reg_lock = MP_LOCK_INIT;
static mp_tcache_t *registry;                  /* reg_lock */
static mp_fixalloc_t tc_pool;                  /* reg_lock */
static int tc_pool_ready;                      /* reg_lock */
static uint64_t dead_allocs[MP_NUM_CLASSES];   /* reg_lock */
static uint64_t dead_frees[MP_NUM_CLASSES];    /* reg_lock */
static int64_t direct_allocs[MP_NUM_CLASSES];  /* atomic adds */
static int64_t direct_frees[MP_NUM_CLASSES];   /* atomic adds */

static pthread_key_t tc_key;
static int tc_key_state; /* 0 none, 1 creating, 2 ready, 3 failed (atomic) */

static void tcache_destroy(void *arg);

static int ensure_key(void)
{
    int s = __atomic_load_n(&tc_key_state, __ATOMIC_ACQUIRE);
    if (s == 2)
        return 1;
    if (s == 0) {
        int expect = 0;
        if (__atomic_compare_exchange_n(&tc_key_state, &expect, 1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            int ok = pthread_key_create(&tc_key, tcache_destroy) == 0;
            __atomic_store_n(&tc_key_state, ok ? 2 : 3, __ATOMIC_RELEASE);
            return ok;
        }
    }
    return __atomic_load_n(&tc_key_state, __ATOMIC_ACQUIRE) == 2;
}

static void init_lists(mp_tcache_t *tc)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++)
        tc->list[c].max = 2u * mp_class_batch[c];
}

mp_tcache_t *mp_tcache_create(void)
{
    if (tc_state != 0)
        return NULL; /* re-entered while creating, or the thread is exiting */
    tc_state = 1;
    if (!ensure_key())
        return NULL; /* stays cacheless: correct, only slower */
    mp_lock(&reg_lock);
    if (!tc_pool_ready) {
        mp_fixalloc_init(&tc_pool, sizeof(mp_tcache_t));
        tc_pool_ready = 1;
    }
    mp_tcache_t *tc = mp_fixalloc_alloc(&tc_pool);
    if (tc) {
        init_lists(tc);
        tc->prev = NULL;
        tc->next = registry;
        if (registry)
            registry->prev = tc;
        registry = tc;
    }
    mp_unlock(&reg_lock);
    if (!tc)
        return NULL;
    /* Keys below 32 live inside the thread descriptor: no allocation. If
     * glibc ever allocates here, the nested malloc finds tc_state == 1 and
     * is served without a cache. */
    pthread_setspecific(tc_key, tc);
    mp_tc = tc;
    return tc;
}

#define RELAXED_ADD(field, v) \
    __atomic_store_n(&(field), (field) + (v), __ATOMIC_RELAXED)

void *mp_tcache_refill(mp_tcache_t *tc, uint32_t cls)
{
    mp_tclist_t *l = &tc->list[cls];
    void *head;
    uint32_t n = mp_central_fetch(cls, mp_class_batch[cls], &head);
    if (n == 0)
        return NULL;
    void *o = head;
    l->head = *(void **)o;
    __atomic_store_n(&l->len, n - 1, __ATOMIC_RELAXED);
    RELAXED_ADD(l->allocs, 1);
    return o;
}

/* Detaches up to n objects from the front of list l. */
static void *take(mp_tclist_t *l, uint32_t n, uint32_t *got)
{
    void *head = l->head, *last = NULL, *o = head;
    uint32_t k = 0;
    while (o && k < n) {
        last = o;
        o = *(void **)o;
        k++;
    }
    if (last)
        *(void **)last = NULL;
    l->head = o;
    __atomic_store_n(&l->len, l->len - k, __ATOMIC_RELAXED);
    *got = k;
    return k ? head : NULL;
}

void mp_tcache_overflow(mp_tcache_t *tc, uint32_t cls)
{
    uint32_t n;
    void *batch = take(&tc->list[cls], mp_class_batch[cls], &n);
    if (n)
        mp_central_release(cls, batch, n);
}

static void flush_all(mp_tcache_t *tc)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
        uint32_t n;
        void *all = take(&tc->list[c], UINT32_MAX, &n);
        if (n)
            mp_central_release(c, all, n);
    }
}

void mp_tcache_flush_own(void)
{
    if (mp_tc)
        flush_all(mp_tc);
}

/* Folds tc's counters into the dead totals and recycles the record.
 * Requires: reg_lock; tc's lists already empty. */
static void retire_locked(mp_tcache_t *tc)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
        dead_allocs[c] += tc->list[c].allocs;
        dead_frees[c] += tc->list[c].frees;
    }
    if (tc->prev)
        tc->prev->next = tc->next;
    else
        registry = tc->next;
    if (tc->next)
        tc->next->prev = tc->prev;
    mp_fixalloc_free(&tc_pool, tc);
}

static void tcache_destroy(void *arg)
{
    mp_tcache_t *tc = arg;
    mp_tc = NULL;
    tc_state = 2; /* later mallocs in this thread go straight to central */
    flush_all(tc);
    mp_lock(&reg_lock);
    retire_locked(tc);
    mp_unlock(&reg_lock);
}

void mp_tcache_count_direct(uint32_t cls, int64_t allocs, int64_t frees)
{
    if (allocs)
        __atomic_fetch_add(&direct_allocs[cls], allocs, __ATOMIC_RELAXED);
    if (frees)
        __atomic_fetch_add(&direct_frees[cls], frees, __ATOMIC_RELAXED);
}

void mp_tcache_totals(uint64_t *allocs, uint64_t *frees, uint64_t *cached, uint64_t *threads)
{
    uint64_t nthreads = 0;
    mp_lock(&reg_lock);
    for (uint32_t c = 0; c < MP_NUM_CLASSES; c++) {
        allocs[c] = dead_allocs[c] +
                    (uint64_t)__atomic_load_n(&direct_allocs[c], __ATOMIC_RELAXED);
        frees[c] = dead_frees[c] +
                   (uint64_t)__atomic_load_n(&direct_frees[c], __ATOMIC_RELAXED);
        cached[c] = 0;
    }
    for (mp_tcache_t *tc = registry; tc; tc = tc->next) {
        nthreads++;
        for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
            allocs[c] += __atomic_load_n(&tc->list[c].allocs, __ATOMIC_RELAXED);
            frees[c] += __atomic_load_n(&tc->list[c].frees, __ATOMIC_RELAXED);
            cached[c] += __atomic_load_n(&tc->list[c].len, __ATOMIC_RELAXED);
        }
    }
    mp_unlock(&reg_lock);
    *threads = nthreads;
}

void mp_tcache_lock_all(void) { mp_lock(&reg_lock); }
void mp_tcache_unlock_all(void) { mp_unlock(&reg_lock); }

void mp_tcache_after_fork_child(void)
{
    /* Only the forking thread exists in the child: every other cache is
     * orphaned. Give their objects back and retire them. */
    mp_lock(&reg_lock);
    mp_tcache_t *tc = registry;
    while (tc) {
        mp_tcache_t *next = tc->next;
        if (tc != mp_tc) {
            flush_all(tc);
            retire_locked(tc);
        }
        tc = next;
    }
    mp_unlock(&reg_lock);
}
