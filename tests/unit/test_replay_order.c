/*
 * test_replay_order.c — the watermark merge as the replay uses it
 * (docs/format.md "Ordering" and "WATERMARK"; docs/analysis.md "The
 * merge"): events of several threads whose batches reach the log out of
 * time order, in different chunks; ties at equal timestamps settled by the
 * address's state; frees of addresses the log never allocated.
 */
#include "test_replay.h"

#include "cunit_main.h"
#include "test_replay_util.h"

static const uint64_t frames[] = { 0x401000 };

static lb_t *two_threads(const char *name)
{
    lb_t *b = lb_open(name, MP_MODE_FULL);
    lb_thread(b, 1, "a");
    lb_thread(b, 2, "b");
    lb_stack(b, 1, 1, frames);
    lb_stack(b, 2, 1, frames);
    lb_stack(b, 3, 1, frames);
    return b;
}

static void summary(mp_replay_t *r, mp_replay_summary_t *s)
{
    mp_replay_summary(r, s);
    CU_ASSERT_EQUAL(s->alloc_of_live, 0);
    CU_ASSERT_EQUAL(s->late_events, 0);
    CU_ASSERT_EQUAL(s->clamped_events, 0);
}

/* Thread B's free (ts 200) is written in chunk 0, thread A's allocation of
 * the same address (ts 150) only in chunk 1: the watermark in chunk 0 (100)
 * does not release the free, and at the end the allocation comes first.
 * Then the address is allocated again (250) and freed by B in chunk 2. */
static void free_in_an_earlier_chunk_than_its_alloc(void)
{
    lb_t *b = two_threads("xchunk.mpz");
    lb_batch(b, 2);
    lb_free(b, 200, 0x7000);
    lb_watermark(b, 100);
    lb_chunk(b);
    lb_batch(b, 1);
    lb_alloc(b, 150, 0x7000, 64, 1);
    lb_alloc(b, 250, 0x7000, 32, 2);
    lb_watermark(b, 300);
    lb_chunk(b);
    lb_batch(b, 2);
    lb_free(b, 350, 0x7000);
    lb_watermark(b, 400);
    lb_end(b, 500);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    summary(r, &s);
    CU_ASSERT_EQUAL(s.allocs, 2);
    CU_ASSERT_EQUAL(s.frees, 2);
    CU_ASSERT_EQUAL(s.unknown_frees, 0);
    CU_ASSERT_EQUAL(s.leaked_blocks, 0);
    CU_ASSERT_EQUAL(s.peak_bytes, 64);
    CU_ASSERT_EQUAL(s.peak_ts, 150);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 1)->lifetime_sum_ns, 50);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 2)->lifetime_sum_ns, 100);
    CU_ASSERT(s.max_pending <= 3);
    mp_replay_close(r);
}

/* Thread A allocates an address twice (100, 300) in chunk 0; thread B's
 * free between them (200) is only in chunk 1. In log order that would be
 * an allocation of a live address; in time order it is not. */
static void reuse_across_threads_is_ordered_by_time(void)
{
    lb_t *b = two_threads("reuse.mpz");
    lb_batch(b, 1);
    lb_alloc(b, 100, 0x8000, 10, 1);
    lb_alloc(b, 300, 0x8000, 20, 2);
    lb_watermark(b, 150);
    lb_chunk(b);
    lb_batch(b, 2);
    lb_free(b, 200, 0x8000);
    lb_watermark(b, 400);
    lb_end(b, 400);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    summary(r, &s);
    CU_ASSERT_EQUAL(s.allocs, 2);
    CU_ASSERT_EQUAL(s.frees, 1);
    CU_ASSERT_EQUAL(s.leaked_blocks, 1);
    CU_ASSERT_EQUAL(s.leaked_bytes, 20);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 2)->leaked_blocks, 1);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 1)->frees, 1);
    mp_replay_close(r);
}

/* Equal timestamps on two threads: the format breaks the tie by the
 * address's state, whatever order the batches came in. */
static void ties_are_broken_by_the_address_state(void)
{
    lb_t *b = two_threads("ties.mpz");
    /* x: live since 50; at 100 thread 2 allocates it (written first) and
     * thread 1 frees it: the free goes first. */
    lb_batch(b, 2);
    lb_alloc(b, 100, 0x9000, 32, 2);
    lb_batch(b, 1);
    lb_alloc(b, 50, 0x9000, 16, 1);
    lb_free(b, 100, 0x9000);
    /* y: not live; at 200 thread 1 frees it (written first) and thread 2
     * allocates it: the allocation goes first. */
    lb_free(b, 200, 0xa000);
    lb_batch(b, 2);
    lb_alloc(b, 200, 0xa000, 48, 3);
    /* z: one thread, one time: its own order holds. */
    lb_alloc(b, 300, 0xb000, 8, 3);
    lb_free(b, 300, 0xb000);
    lb_watermark(b, 1000);
    lb_end(b, 1000);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    summary(r, &s);
    CU_ASSERT_EQUAL(s.allocs, 4);
    CU_ASSERT_EQUAL(s.frees, 3);
    CU_ASSERT_EQUAL(s.unknown_frees, 0);
    CU_ASSERT_EQUAL(s.leaked_blocks, 1);
    CU_ASSERT_EQUAL(s.leaked_bytes, 32);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 2)->leaked_blocks, 1);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 3)->frees, 2);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 3)->leaked_blocks, 0);
    /* z was allocated and freed at once by its thread: temporary. */
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 3)->temporary, 1);
    mp_replay_close(r);
}

/* A tie across a chunk boundary: both events are held until a watermark
 * above their time, then settled together. */
static void ties_across_chunks(void)
{
    lb_t *b = two_threads("tiechunk.mpz");
    lb_batch(b, 1);
    lb_alloc(b, 10, 0xc000, 100, 1);
    lb_watermark(b, 20);
    lb_batch(b, 2);
    lb_alloc(b, 500, 0xc000, 200, 2);
    lb_chunk(b);
    lb_batch(b, 1);
    lb_free(b, 500, 0xc000);
    lb_watermark(b, 600);
    lb_end(b, 600);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    summary(r, &s);
    CU_ASSERT_EQUAL(s.frees, 1);
    CU_ASSERT_EQUAL(s.leaked_bytes, 200);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 1)->leaked_blocks, 0);
    mp_replay_close(r);
}

/* Frees of addresses the log never allocated (made before recording, or a
 * double free) are counted, never crash, change nothing else. */
static void unknown_frees_are_counted(void)
{
    lb_t *b = two_threads("unknown.mpz");
    lb_batch(b, 1);
    lb_free(b, 5, 0xdead0);
    lb_alloc(b, 10, 0x1000, 10, 1);
    lb_free(b, 20, 0x1000);
    lb_free(b, 30, 0x1000); /* twice */
    lb_realloc(b, 40, 0xbeef0, 0x2000, 20, 2);
    lb_free(b, 50, 0);      /* free(NULL), should a writer record it */
    lb_watermark(b, 100);
    lb_end(b, 100);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    summary(r, &s);
    CU_ASSERT_EQUAL(s.unknown_frees, 2);
    CU_ASSERT_EQUAL(s.unknown_realloc_olds, 1);
    CU_ASSERT_EQUAL(s.frees, 1);
    CU_ASSERT_EQUAL(s.leaked_blocks, 1);
    CU_ASSERT_EQUAL(s.leaked_bytes, 20);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 1)->frees, 1);
    mp_replay_close(r);
}

/* A log that breaks the rules: an address allocated twice, an event below
 * a watermark already released, a thread going back in time. Counted as
 * anomalies; the replay goes on. */
static void broken_ordering_is_counted_not_fatal(void)
{
    lb_t *b = two_threads("broken.mpz");
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 10, 1);
    lb_alloc(b, 20, 0x1000, 30, 2); /* live already */
    lb_watermark(b, 100);
    lb_chunk(b);
    lb_batch(b, 2);
    lb_alloc(b, 50, 0x3000, 5, 3);  /* below 100, released in chunk 0 */
    lb_batch(b, 2);
    lb_alloc(b, 40, 0x4000, 5, 3);  /* thread 2 goes back: 50 -> 40 */
    lb_end(b, 200);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.alloc_of_live, 1);
    CU_ASSERT_EQUAL(s.late_events, 2);
    CU_ASSERT_EQUAL(s.clamped_events, 1);
    CU_ASSERT_EQUAL(s.leaked_blocks, 3);
    CU_ASSERT_EQUAL(s.leaked_bytes, 40);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 1)->leaked_blocks, 0);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 1)->frees, 0);
    mp_replay_close(r);
}

/* Many threads, interleaved timestamps, batches in arbitrary order between
 * watermarks: every allocation's free comes after it. */
static void many_threads_interleaved(void)
{
    enum { THREADS = 8, ROUNDS = 50, PER = 40 };
    lb_t *b = two_threads("many.mpz");
    for (uint64_t t = 3; t <= THREADS; t++)
        lb_thread(b, t, "t");
    uint64_t base = 0;
    for (int round = 0; round < ROUNDS; round++) {
        /* Thread t allocates block (t, i) at base + i*THREADS + t and frees
         * block (t-1, i-3) of the thread before it just after; the last
         * three at the end of the round. Batches are written in reverse
         * thread order, a chunk ends every 7 rounds. */
        for (uint64_t t = THREADS; t >= 1; t--) {
            lb_batch(b, t);
            uint64_t prev = t == 1 ? THREADS : t - 1;
            for (uint64_t i = 0; i < PER; i++) {
                uint64_t ts = base + i * THREADS + t;
                lb_alloc(b, ts, 0x100000 * t + 16 * i, 16, 1 + t % 3);
                if (i >= 3)
                    lb_free(b, ts + 1, 0x100000 * prev + 16 * (i - 3));
            }
            for (uint64_t k = 0; k < 3; k++)
                lb_free(b, base + PER * THREADS + t + k, 0x100000 * prev + 16 * (PER - 3 + k));
        }
        base += (PER + 4) * THREADS;
        /* Every event of the round is below base, and written now. */
        lb_watermark(b, base);
        if (round % 7 == 0)
            lb_chunk(b);
    }
    lb_end(b, base + 1);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    summary(r, &s);
    CU_ASSERT_EQUAL(s.allocs, THREADS * ROUNDS * PER);
    CU_ASSERT_EQUAL(s.frees, THREADS * ROUNDS * PER);
    CU_ASSERT_EQUAL(s.unknown_frees, 0);
    CU_ASSERT_EQUAL(s.leaked_blocks, 0);
    CU_ASSERT(s.max_pending <= 8 * THREADS * 2 * PER); /* a chunk's rounds */
    mp_replay_close(r);
}

void t_register_replay_order(void)
{
    MP_SUITE("replay_order",
             MP_TEST(free_in_an_earlier_chunk_than_its_alloc),
             MP_TEST(reuse_across_threads_is_ordered_by_time),
             MP_TEST(ties_are_broken_by_the_address_state),
             MP_TEST(ties_across_chunks),
             MP_TEST(unknown_frees_are_counted),
             MP_TEST(broken_ordering_is_counted_not_fatal),
             MP_TEST(many_threads_interleaved));
}
