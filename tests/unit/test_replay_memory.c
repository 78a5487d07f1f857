/*
 * test_replay_memory.c — the replay's memory is bounded by the live set and
 * the distinct stacks, never by the number of events (replay.h,
 * docs/analysis.md "Memory").
 *
 * A child process writes a log of about 10^7 events: 4 threads, each
 * freeing and allocating again, round after round, the blocks of its own
 * 1000 slots (so at most 4000 blocks are live at once), 16 stacks, batches
 * written thread by thread (out of time order: the merge has work), a
 * watermark and a snapshot per round, a chunk every 4 rounds. This process
 * then replays it and measures how much its peak RSS (getrusage ru_maxrss)
 * grew. Anything that kept a byte per event would grow by tens of
 * megabytes (10^7 events); the replay needs the live set (4000 × 48 bytes
 * in a table at most 3/4 full), the merge's events of 4 rounds (40,000 × 56
 * bytes), one chunk in the reader and fixed-size series: a few megabytes.
 * The child writes the log so that its buffers do not count in this
 * process's peak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit_main.h"
#include "replay.h"
#include "test_replay_util.h"

enum {
    THREADS = 4,
    SLOTS = 1000,          /* live blocks per thread at most */
    PAIRS = 1250,          /* free + alloc pairs per thread per round */
    ROUNDS = 1000,         /* 4 × 1250 × 2 × 1000 = 10^7 events */
    STACKS = 16,
    ROUNDS_PER_CHUNK = 4,
};

/* Bounds the test holds the replay to. */
#define MAX_RSS_GROWTH_KB (24 * 1024) /* 10^7 events at even 8 bytes: 78 MiB */
#define MAX_REPLAY_MEMORY (8u << 20)

static void write_big_log(void)
{
    lb_t *b = lb_open("big.mpz", MP_MODE_FULL);
    for (uint64_t t = 1; t <= THREADS; t++)
        lb_thread(b, t, "worker");
    for (uint64_t s = 1; s <= STACKS; s++) {
        uint64_t frames[3] = { 0x401000 + 0x10 * s, 0x402000, 0x403000 };
        lb_stack(b, s, 3, frames);
    }
    static uint64_t counter[THREADS + 1];
    static mp_class_stat_t snap[LB_NCLASSES];
    uint64_t base = 0;
    for (uint64_t round = 0; round < ROUNDS; round++) {
        for (uint64_t t = 1; t <= THREADS; t++) {
            lb_batch(b, t);
            for (uint64_t i = 0; i < PAIRS; i++) {
                uint64_t c = counter[t]++;
                uint64_t slot = c % SLOTS;
                uint64_t addr = 0x7f0000000000ull * t + 16 * slot;
                uint64_t ts = base + (2 * i) * THREADS + t;
                if (c >= SLOTS)
                    lb_free(b, ts, addr);
                lb_alloc(b, ts + THREADS, addr, 16 + (c % 7) * 8, 1 + c % STACKS);
            }
        }
        base += 2 * PAIRS * THREADS + 2 * THREADS;
        lb_watermark(b, base);
        snap[0].live_objects = round;
        lb_snapshot(b, base, 1 << 20, 1 << 22, 1 << 21, 1 << 21, 0, LB_NCLASSES, snap);
        if (round % ROUNDS_PER_CHUNK == ROUNDS_PER_CHUNK - 1)
            lb_chunk(b);
    }
    lb_end(b, base + 1);
    lb_close(b);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void replay_of_ten_million_events_stays_small(void)
{
    /* The child writes the log, so that the writer's buffers never count
     * in this process's peak RSS. */
    const char *path = lb_path("big.mpz");
    fflush(NULL);
    double t0 = now_s();
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        write_big_log();
        _exit(0);
    }
    int status = 0;
    CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
    CU_ASSERT_FATAL(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    double t1 = now_s();

    long before = max_rss_kb();
    mp_replay_t *r;
    CU_ASSERT_EQUAL_FATAL(mp_replay_open(path, &r, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, NULL, NULL), 0);
    long after = max_rss_kb();
    double t2 = now_s();

    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    printf("\n    log: %llu events, %llu bytes, written in %.2f s; replayed in %.2f s "
           "(%.1f M events/s); peak RSS %ld -> %ld KiB (+%ld); replay holds %zu bytes; "
           "merge held at most %llu events\n",
           (unsigned long long)s.events, (unsigned long long)s.file_size, t1 - t0, t2 - t1,
           s.events / (t2 - t1) / 1e6, before, after, after - before, s.memory,
           (unsigned long long)s.max_pending);

    uint64_t allocs = (uint64_t)THREADS * PAIRS * ROUNDS;
    CU_ASSERT_EQUAL(s.allocs, allocs);
    CU_ASSERT_EQUAL(s.frees, allocs - THREADS * SLOTS);
    CU_ASSERT_EQUAL(s.events, 2 * allocs - THREADS * SLOTS);
    CU_ASSERT_EQUAL(s.leaked_blocks, THREADS * SLOTS);
    CU_ASSERT_EQUAL(s.unknown_frees, 0);
    CU_ASSERT_EQUAL(s.alloc_of_live, 0);
    CU_ASSERT_EQUAL(s.late_events, 0);
    CU_ASSERT_FALSE(s.partial);
    CU_ASSERT_EQUAL(s.max_live_blocks, THREADS * SLOTS);
    CU_ASSERT_EQUAL(mp_replay_site_count(r), STACKS);
    /* The merge never held more than a chunk's rounds of events. */
    CU_ASSERT(s.max_pending <= (uint64_t)(ROUNDS_PER_CHUNK + 1) * THREADS * PAIRS * 2);
    CU_ASSERT(s.memory < MAX_REPLAY_MEMORY);
    CU_ASSERT(after - before < MAX_RSS_GROWTH_KB);
    CU_ASSERT(mp_replay_heap_count(r) <= MP_REPLAY_HEAP_POINTS);
    mp_replay_close(r);
}

void mp_test_register(void)
{
    MP_SUITE("replay_memory", MP_TEST(replay_of_ten_million_events_stays_small));
}
