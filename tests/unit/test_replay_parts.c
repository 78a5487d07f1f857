/*
 * test_replay_parts.c — the replay's parts through their own headers: the
 * live set (analyzer/live_set.h) against a plain array, the merge
 * (analyzer/merge.h) on hand-made queues, the bounded series
 * (analyzer/timeline.h), the id map (analyzer/id_map.h).
 */
#include "test_replay.h"

#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "id_map.h"
#include "live_set.h"
#include "merge.h"
#include "timeline.h"

/* ---- Live set ----------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Random inserts and removes over a small address space (so that clusters
 * form and backward-shift deletion is exercised), checked against an array
 * after every operation. */
static void live_set_matches_a_plain_array(void)
{
    enum { SLOTS = 5000, OPS = 300000 };
    static uint64_t sizes[SLOTS]; /* 0: not live */
    memset(sizes, 0, sizeof sizes);
    mp_live_set_t *s;
    CU_ASSERT_EQUAL_FATAL(mp_live_set_create(&s), 0);
    size_t live = 0;
    int bad = 0;
    for (int op = 0; op < OPS && !bad; op++) {
        uint64_t k = next_rand() % SLOTS;
        uint64_t addr = 0x7f0000000000ull + 16 * k;
        mp_live_block_t *b = mp_live_find(s, addr);
        if ((b != NULL) != (sizes[k] != 0)) {
            bad = 1;
            break;
        }
        if (b) {
            if (b->size != sizes[k])
                bad = 1;
            mp_live_remove(s, b);
            sizes[k] = 0;
            live--;
        } else {
            CU_ASSERT_EQUAL_FATAL(mp_live_insert(s, addr, &b), 0);
            b->size = sizes[k] = 1 + next_rand() % 1000;
            live++;
        }
        if (mp_live_count(s) != live)
            bad = 1;
        if (op % 1000 == 0 && mp_live_check(s) != 0)
            bad = 1;
    }
    CU_ASSERT_EQUAL(mp_live_check(s), 0);
    CU_ASSERT_FALSE(bad);
    size_t cursor = 0, seen = 0;
    const mp_live_block_t *b;
    while ((b = mp_live_next(s, &cursor)) != NULL) {
        uint64_t k = (b->addr - 0x7f0000000000ull) / 16;
        CU_ASSERT_EQUAL(b->size, sizes[k]);
        seen++;
    }
    CU_ASSERT_EQUAL(seen, live);
    for (uint64_t k = 0; k < SLOTS; k++)
        if ((mp_live_find(s, 0x7f0000000000ull + 16 * k) != NULL) != (sizes[k] != 0))
            bad = 1;
    CU_ASSERT_FALSE(bad);
    /* 0 is never a block. */
    mp_live_block_t *z;
    CU_ASSERT_EQUAL(mp_live_insert(s, 0, &z), MP_ELOG_INVAL);
    CU_ASSERT_PTR_NULL(mp_live_find(s, 0));
    mp_live_set_destroy(s);
    mp_live_set_destroy(NULL);
}

/* The table grows with the live set and keeps its size when blocks go:
 * memory follows the largest live set, not the number of operations. */
static void live_set_memory_follows_the_live_set(void)
{
    mp_live_set_t *s;
    CU_ASSERT_EQUAL_FATAL(mp_live_set_create(&s), 0);
    mp_live_block_t *b;
    for (uint64_t i = 1; i <= 1000; i++)
        CU_ASSERT_EQUAL_FATAL(mp_live_insert(s, i * 32, &b), 0);
    size_t mem = mp_live_memory(s);
    CU_ASSERT(mem <= 4096 * sizeof(mp_live_block_t) + 256);
    for (int round = 0; round < 1000; round++)
        for (uint64_t i = 1; i <= 1000; i++) {
            uint64_t a = ((uint64_t)round * 1000 + i) * 32 + 0x10000000;
            CU_ASSERT_EQUAL_FATAL(mp_live_insert(s, a, &b), 0);
            mp_live_remove(s, mp_live_find(s, a));
        }
    CU_ASSERT_EQUAL(mp_live_count(s), 1000);
    CU_ASSERT(mp_live_memory(s) <= 2 * mem);
    mp_live_set_destroy(s);
}

/* ---- Merge ------------------------------------------------------------- */

/* The applied order, as "queue:ts" ids. */
static uint64_t applied[64];
static size_t n_applied;
static int live_addr[16]; /* addresses 1..15: live? */

static int t_ready(void *arg, const mp_mev_t *e)
{
    (void)arg;
    if (e->kind == MP_EV_ALLOC)
        return !live_addr[e->addr];
    if (e->kind == MP_EV_FREE)
        return live_addr[e->addr];
    return 1;
}

static int t_apply(void *arg, const mp_mev_t *e)
{
    (void)arg;
    if (e->kind == MP_EV_ALLOC)
        live_addr[e->addr] = 1;
    if (e->kind == MP_EV_FREE)
        live_addr[e->addr] = 0;
    if (n_applied < 64)
        applied[n_applied++] = e->size; /* each test event's id */
    return 0;
}

static void push(mp_merge_t *m, uint32_t queue, uint64_t ts, uint8_t kind, uint64_t addr,
                 uint64_t id)
{
    mp_mev_t e;
    memset(&e, 0, sizeof e);
    e.queue = queue;
    e.ts = ts;
    e.kind = kind;
    e.addr = addr;
    e.size = id;
    CU_ASSERT_EQUAL(mp_merge_push(m, &e), 0);
}

static void merge_orders_by_time_then_state(void)
{
    mp_merge_t *m;
    CU_ASSERT_EQUAL_FATAL(mp_merge_create(&m), 0);
    n_applied = 0;
    memset(live_addr, 0, sizeof live_addr);
    live_addr[1] = 1;
    /* Queue 3 (pushed first): alloc 1 at 50 — a tie with queue 1's free of
     * 1 at 50; queue 1 goes first (1 is live). Queue 2: an alloc of 2 at
     * 50 and a free of 2 at 50 behind it (its own order). */
    push(m, 3, 10, MP_EV_SPAN, 0, 1);
    push(m, 3, 50, MP_EV_ALLOC, 1, 2);
    push(m, 3, 90, MP_EV_SPAN, 0, 3);
    push(m, 1, 20, MP_EV_SPAN, 0, 4);
    push(m, 1, 50, MP_EV_FREE, 1, 5);
    push(m, 2, 50, MP_EV_ALLOC, 2, 6);
    push(m, 2, 50, MP_EV_FREE, 2, 7);
    push(m, 2, 60, MP_EV_SPAN, 0, 8);
    CU_ASSERT_EQUAL(mp_merge_pending(m), 8);

    CU_ASSERT_EQUAL(mp_merge_check(m), 0);
    /* Below 55: everything but 60 and 90. */
    CU_ASSERT_EQUAL(mp_merge_release(m, 55, 0, t_ready, t_apply, NULL), 0);
    CU_ASSERT_EQUAL(mp_merge_check(m), 0);
    CU_ASSERT_EQUAL(mp_merge_pending(m), 2);
    static const uint64_t want1[] = { 1, 4, 5, 2, 6, 7 };
    CU_ASSERT_EQUAL_FATAL(n_applied, 6);
    for (size_t i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(applied[i], want1[i]);
    CU_ASSERT_EQUAL(live_addr[1], 1);
    CU_ASSERT_EQUAL(live_addr[2], 0);

    /* Late: below the 55 already released. Then everything. */
    push(m, 4, 40, MP_EV_SPAN, 0, 9);
    CU_ASSERT_EQUAL(mp_merge_late(m), 1);
    CU_ASSERT_EQUAL(mp_merge_release(m, 0, 1, t_ready, t_apply, NULL), 0);
    static const uint64_t want2[] = { 9, 8, 3 };
    CU_ASSERT_EQUAL_FATAL(n_applied, 9);
    for (size_t i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(applied[6 + i], want2[i]);
    CU_ASSERT_EQUAL(mp_merge_pending(m), 0);
    CU_ASSERT_EQUAL(mp_merge_max_pending(m), 8);

    /* A queue going back in time is clamped to its last time. */
    push(m, 4, 30, MP_EV_SPAN, 0, 10);
    CU_ASSERT_EQUAL(mp_merge_clamped(m), 1);
    mp_merge_destroy(m);
    mp_merge_destroy(NULL);
}

/* When no tied event is ready, the first in log order goes. */
static void merge_tie_with_nothing_ready_takes_log_order(void)
{
    mp_merge_t *m;
    CU_ASSERT_EQUAL_FATAL(mp_merge_create(&m), 0);
    n_applied = 0;
    memset(live_addr, 0, sizeof live_addr);
    push(m, 5, 7, MP_EV_FREE, 3, 1);
    push(m, 6, 7, MP_EV_FREE, 4, 2);
    push(m, 0, 7, MP_EV_FREE, 5, 3);
    CU_ASSERT_EQUAL(mp_merge_release(m, 8, 0, t_ready, t_apply, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(n_applied, 3);
    CU_ASSERT_EQUAL(applied[0], 1);
    CU_ASSERT_EQUAL(applied[1], 2);
    CU_ASSERT_EQUAL(applied[2], 3);
    mp_merge_destroy(m);
}

/* Large queues grow as rings without losing order. */
static void merge_queues_grow_in_order(void)
{
    mp_merge_t *m;
    CU_ASSERT_EQUAL_FATAL(mp_merge_create(&m), 0);
    n_applied = 0;
    for (uint64_t i = 0; i < 40; i++) {
        push(m, 1, 2 * i, MP_EV_SPAN, 0, 2 * i);
        if (i % 10 == 9) /* release part way: the ring wraps */
            CU_ASSERT_EQUAL(mp_merge_release(m, 2 * i - 5, 0, t_ready, t_apply, NULL), 0);
    }
    for (uint64_t i = 0; i < 20; i++)
        push(m, 2, 4 * i + 1, MP_EV_SPAN, 0, 4 * i + 1);
    n_applied = 0;
    CU_ASSERT_EQUAL(mp_merge_release(m, 0, 1, t_ready, t_apply, NULL), 0);
    for (size_t i = 1; i < n_applied; i++)
        CU_ASSERT(applied[i] > applied[i - 1]);
    mp_merge_destroy(m);
}

/* A queue that stays empty for a whole release interval gives its ring
 * back: memory follows the threads active lately, not every thread ever
 * seen. */
static void merge_frees_idle_rings(void)
{
    mp_merge_t *m;
    CU_ASSERT_EQUAL_FATAL(mp_merge_create(&m), 0);
    n_applied = 0;
    size_t empty = mp_merge_memory(m);
    for (uint32_t t = 1; t <= 100; t++)
        for (uint64_t i = 0; i < 100; i++)
            push(m, t, 1000 * t + i, MP_EV_SPAN, 0, 0);
    size_t busy = mp_merge_memory(m);
    CU_ASSERT(busy > empty + 100 * 100 * sizeof(mp_mev_t));
    CU_ASSERT_EQUAL(mp_merge_release(m, UINT64_MAX, 0, t_ready, t_apply, NULL), 0);
    CU_ASSERT_EQUAL(mp_merge_check(m), 0);
    /* Emptied by this release: kept one more interval. */
    CU_ASSERT_EQUAL(mp_merge_memory(m), busy);
    push(m, 7, 200000, MP_EV_SPAN, 0, 0); /* thread 7 is active again */
    CU_ASSERT_EQUAL(mp_merge_release(m, UINT64_MAX, 0, t_ready, t_apply, NULL), 0);
    CU_ASSERT_EQUAL(mp_merge_check(m), 0);
    size_t quiet = mp_merge_memory(m);
    CU_ASSERT(quiet < empty + 100 * 128 + 2 * 128 * sizeof(mp_mev_t));
    /* A freed ring is made again when its thread writes. */
    for (uint64_t i = 0; i < 50; i++)
        push(m, 3, 300000 + i, MP_EV_SPAN, 0, 0);
    CU_ASSERT_EQUAL(mp_merge_pending(m), 50);
    CU_ASSERT_EQUAL(mp_merge_check(m), 0);
    CU_ASSERT_EQUAL(mp_merge_release(m, 0, 1, t_ready, t_apply, NULL), 0);
    CU_ASSERT_EQUAL(mp_merge_pending(m), 0);
    CU_ASSERT_EQUAL(mp_merge_check(m), 0);
    mp_merge_destroy(m);
}

/* ---- Series and id map ------------------------------------------------- */

static void merge_sum(void *into, const void *later, size_t n)
{
    (void)n;
    *(uint64_t *)into += *(const uint64_t *)later;
}

static void series_folds_evenly(void)
{
    mp_series_t *s;
    CU_ASSERT_EQUAL(mp_series_create(&s, 7, 8, 1, merge_sum), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_series_create(&s, 8, 8, 3, merge_sum), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL_FATAL(mp_series_create(&s, 8, sizeof(uint64_t), 1, merge_sum), 0);
    int fresh;
    for (uint64_t ts = 0; ts < 1000; ts++)
        (*(uint64_t *)mp_series_at(s, ts, &fresh))++;
    CU_ASSERT(mp_series_count(s) <= 8);
    CU_ASSERT_EQUAL(mp_series_width(s), 128); /* 1000 / 128 < 8 <= 1000 / 64 */
    size_t cursor = 0;
    const uint64_t *p;
    uint64_t total = 0;
    while ((p = mp_series_next(s, &cursor)) != NULL)
        total += *p;
    CU_ASSERT_EQUAL(total, 1000); /* nothing lost in the folds */
    /* A huge timestamp folds all the way without overflowing. */
    (void)mp_series_at(s, UINT64_MAX, &fresh);
    CU_ASSERT(fresh);
    CU_ASSERT(mp_series_count(s) <= 8);
    mp_series_destroy(s);
    mp_series_destroy(NULL);
}

static void id_map_is_dense(void)
{
    mp_id_map_t *m;
    CU_ASSERT_EQUAL_FATAL(mp_id_map_create(&m), 0);
    uint32_t idx;
    CU_ASSERT_EQUAL(mp_id_map_find(m, 5, &idx), 0);
    for (uint64_t i = 0; i < 10000; i++) {
        CU_ASSERT_EQUAL(mp_id_map_add(m, i * 0x100000001ull, &idx), 1);
        CU_ASSERT_EQUAL(idx, i);
    }
    CU_ASSERT_EQUAL(mp_id_map_add(m, 0x100000001ull * 77, &idx), 0);
    CU_ASSERT_EQUAL(idx, 77);
    CU_ASSERT_EQUAL(mp_id_map_find(m, UINT64_MAX, &idx), 0);
    CU_ASSERT_EQUAL(mp_id_map_count(m), 10000);
    mp_id_map_destroy(m);
}

void t_register_replay_parts(void)
{
    MP_SUITE("replay_parts",
             MP_TEST(live_set_matches_a_plain_array),
             MP_TEST(live_set_memory_follows_the_live_set),
             MP_TEST(merge_orders_by_time_then_state),
             MP_TEST(merge_tie_with_nothing_ready_takes_log_order),
             MP_TEST(merge_queues_grow_in_order),
             MP_TEST(merge_frees_idle_rings),
             MP_TEST(series_folds_evenly),
             MP_TEST(id_map_is_dense));
}
