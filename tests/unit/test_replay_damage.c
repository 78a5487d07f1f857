/*
 * test_replay_damage.c — truncated, corrupt and unfinished logs: the replay
 * keeps everything decoded before the damage (events still waiting in the
 * merge included), marks the result partial, and says at which byte and why
 * decoding stopped; it never crashes, wherever the log is cut.
 */
#include "test_replay.h"

#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "test_replay_util.h"

static const uint64_t frames[] = { 0x401000 };

/* Three chunks; off[i] is where chunk i starts, off[3] the file's size.
 * chunk 0: 10 allocations of 100 bytes (ts 10..19), watermark 15
 * chunk 1: 5 of them freed (20..24), an allocation of 7 at 160, watermark 150
 * chunk 2: 10 allocations of 50 (200..209), END */
static const char *three_chunks(uint64_t off[4])
{
    lb_t *b = lb_open("three.mpz", MP_MODE_FULL);
    off[0] = 16;
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 1, frames);
    lb_batch(b, 1);
    for (uint64_t i = 0; i < 10; i++)
        lb_alloc(b, 10 + i, 0x1000 + 16 * i, 100, 1);
    lb_watermark(b, 15);
    off[1] = lb_chunk(b);
    lb_batch(b, 1);
    for (uint64_t i = 0; i < 5; i++)
        lb_free(b, 20 + i, 0x1000 + 16 * i);
    lb_alloc(b, 160, 0x9000, 7, 1);
    lb_watermark(b, 150);
    off[2] = lb_chunk(b);
    lb_batch(b, 1);
    for (uint64_t i = 0; i < 10; i++)
        lb_alloc(b, 200 + i, 0x5000 + 16 * i, 50, 1);
    lb_end(b, 300);
    const char *path = lb_close(b);
    off[3] = t_file_size(path);
    return path;
}

static void whole_log_is_not_partial(void)
{
    uint64_t off[4];
    mp_replay_t *r = replay_ok(three_chunks(off));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_FALSE(s.partial);
    CU_ASSERT_EQUAL(s.stop.code, 0);
    CU_ASSERT_EQUAL(s.allocs, 21);
    CU_ASSERT_EQUAL(s.frees, 5);
    CU_ASSERT_EQUAL(s.leaked_blocks, 16);
    CU_ASSERT_EQUAL(s.chunks, 3);
    mp_replay_close(r);
}

/* Cut inside chunk 2: chunks 0 and 1 count, the allocation at 160 too
 * (still in the merge when decoding stopped). */
static void truncated_log_keeps_what_came_before(void)
{
    uint64_t off[4];
    const char *full = three_chunks(off);
    const char *cut = t_cut(full, "cut.mpz", off[2] + 20);
    mp_replay_t *r = replay_ok(cut);
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT(s.partial);
    CU_ASSERT_EQUAL(s.stop.code, MP_ELOG_TRUNC);
    CU_ASSERT_EQUAL(s.stop.offset, off[2]);
    CU_ASSERT_EQUAL(s.stop.chunk, 2);
    CU_ASSERT(strlen(s.stop.msg) > 0);
    CU_ASSERT_FALSE(s.have_end);
    CU_ASSERT_EQUAL(s.allocs, 11);
    CU_ASSERT_EQUAL(s.frees, 5);
    CU_ASSERT_EQUAL(s.leaked_blocks, 6);
    CU_ASSERT_EQUAL(s.leaked_bytes, 5 * 100 + 7);
    CU_ASSERT_EQUAL(s.peak_bytes, 1000);
    CU_ASSERT_EQUAL(s.chunks, 2);
    CU_ASSERT_EQUAL(s.duration_ns, 160);
    mp_replay_close(r);
}

static void corrupt_chunk_stops_there(void)
{
    uint64_t off[4];
    const char *full = three_chunks(off);
    const char *bad = t_cut(full, "corrupt.mpz", off[3]);
    t_flip(bad, off[2] + 30);
    mp_replay_t *r = replay_ok(bad);
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT(s.partial);
    CU_ASSERT_EQUAL(s.stop.code, MP_ELOG_CORRUPT);
    CU_ASSERT_EQUAL(s.stop.offset, off[2]);
    CU_ASSERT_EQUAL(s.allocs, 11);
    CU_ASSERT_EQUAL(s.leaked_blocks, 6);
    mp_replay_close(r);
}

/* Cut at a chunk boundary: every chunk is whole but END is missing (the
 * process was killed): partial, with no decoding error. */
static void log_without_end_is_partial(void)
{
    uint64_t off[4];
    const char *full = three_chunks(off);
    const char *cut = t_cut(full, "noend.mpz", off[2]);
    mp_replay_t *r = replay_ok(cut);
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT(s.partial);
    CU_ASSERT_EQUAL(s.stop.code, 0);
    CU_ASSERT_EQUAL(s.stop.offset, off[2]);
    CU_ASSERT(strstr(s.stop.msg, "END") != NULL);
    CU_ASSERT_EQUAL(s.leaked_blocks, 6);
    mp_replay_close(r);
}

static void nothing_decodable_is_an_error(void)
{
    uint64_t off[4];
    const char *full = three_chunks(off);
    mp_replay_t *r;
    mp_log_error_t err;

    /* Shorter than the file header: open fails. */
    CU_ASSERT_EQUAL(mp_replay_open(t_cut(full, "ten.mpz", 10), &r, &err), MP_ELOG_TRUNC);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(mp_replay_open(t_cut(full, "zero.mpz", 0), &r, &err), MP_ELOG_MAGIC);
    CU_ASSERT_EQUAL(mp_replay_open("/nonexistent/x.mpz", &r, NULL), MP_ELOG_IO);

    /* The header alone, or chunk 0 cut: no PROCESS, nothing to report. */
    const char *cuts[] = { t_cut(full, "header.mpz", 16), t_cut(full, "chunk0.mpz", 40) };
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL_FATAL(mp_replay_open(cuts[i], &r, &err), 0);
        CU_ASSERT_EQUAL(mp_replay_run(r, NULL, NULL), MP_ELOG_TRUNC);
        mp_replay_summary_t s;
        mp_replay_summary(r, &s);
        CU_ASSERT(s.partial);
        CU_ASSERT_EQUAL(s.stop.code, MP_ELOG_TRUNC);
        CU_ASSERT_EQUAL(s.stop.offset, 16);
        CU_ASSERT_PTR_NULL(mp_replay_process(r));
        mp_replay_close(r);
    }
}

/* Cut at every byte, and every byte flipped: never a crash; whatever runs
 * counts no more than the whole log, and is partial unless whole. */
static void every_cut_and_flip_is_safe(void)
{
    uint64_t off[4];
    const char *full = three_chunks(off);
    char name[64];
    for (uint64_t len = 0; len <= off[3]; len++) {
        snprintf(name, sizeof name, "every-%llu.mpz", (unsigned long long)len);
        const char *cut = t_cut(full, name, len);
        mp_replay_t *r;
        if (mp_replay_open(cut, &r, NULL) != 0)
            continue;
        int rc = mp_replay_run(r, NULL, NULL);
        mp_replay_summary_t s;
        mp_replay_summary(r, &s);
        if (rc == 0) {
            CU_ASSERT(s.allocs <= 21);
            CU_ASSERT(s.frees <= 5);
            CU_ASSERT_EQUAL(s.partial, len != off[3]);
        } else {
            CU_ASSERT(s.partial);
        }
        mp_replay_close(r);
        remove(cut);
    }
    for (uint64_t at = 16; at < off[3]; at++) {
        const char *bad = t_cut(full, "flip.mpz", off[3]);
        t_flip(bad, at);
        mp_replay_t *r;
        if (mp_replay_open(bad, &r, NULL) != 0)
            continue;
        int rc = mp_replay_run(r, NULL, NULL);
        mp_replay_summary_t s;
        mp_replay_summary(r, &s);
        CU_ASSERT(rc != 0 || s.partial);
        if (rc == 0)
            CU_ASSERT(s.stop.offset >= 16 && s.stop.offset < off[3]);
        mp_replay_close(r);
    }
}

void t_register_replay_damage(void)
{
    MP_SUITE("replay_damage",
             MP_TEST(whole_log_is_not_partial),
             MP_TEST(truncated_log_keeps_what_came_before),
             MP_TEST(corrupt_chunk_stops_there),
             MP_TEST(log_without_end_is_partial),
             MP_TEST(nothing_decodable_is_an_error),
             MP_TEST(every_cut_and_flip_is_safe));
}
