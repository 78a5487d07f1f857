/*
 * test_report_damage.c — `memprof report` on damaged logs, through the
 * model and both views: a small log of four chunks cut at every byte, and
 * with every byte flipped. Nothing may crash; a cut log is reported as
 * partial with exactly the chunks before the cut (their allocations, their
 * leaks), and the report says at which byte it stops; only a cut inside
 * the first chunk (no PROCESS record) leaves nothing to report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "test_replay_util.h"
#include "test_report.h"

static const uint64_t frames[] = { 0x401010, 0x402020 };

/* chunk 0: PROCESS, CLASSES, MODULE, THREAD, STACK
 * chunk 1: 3 allocations of 100
 * chunk 2: 2 allocations of 10, a free of the first 100
 * chunk 3: END
 * ends[k]: the file offset where chunk k ends. */
static const char *small_log(uint64_t ends[4])
{
    lb_t *b = lb_open("damage.mpz", MP_MODE_FULL);

    lb_module(b, 1, "/nonexistent/report-damage/app", 0x400000);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames);
    ends[0] = lb_chunk(b);
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 100, 1);
    lb_alloc(b, 11, 0x2000, 100, 1);
    lb_alloc(b, 12, 0x3000, 100, 1);
    lb_watermark(b, 13);
    ends[1] = lb_chunk(b);
    lb_batch(b, 1);
    lb_alloc(b, 20, 0x4000, 10, 1);
    lb_alloc(b, 21, 0x5000, 10, 1);
    lb_free(b, 22, 0x1000);
    lb_watermark(b, 23);
    ends[2] = lb_chunk(b);
    lb_end(b, 30);
    const char *path = lb_close(b);
    ends[3] = t_file_size(path);
    return path;
}

/* Renders both views to memory and checks the JSON looks whole. */
static void render_both(const mp_report_t *rep)
{
    char *text = render(rep, 0, 12), *json = render(rep, 1, 0);

    CU_ASSERT_PTR_NOT_NULL(strstr(text, "memprof report: process 4242"));
    CU_ASSERT_EQUAL(json[0], '{');
    CU_ASSERT_EQUAL(json[strlen(json) - 1], '}');
    free(text);
    free(json);
}

static void every_cut_is_reported_as_far_as_it_goes(void)
{
    uint64_t ends[4];
    const char *src = small_log(ends);
    /* Per whole chunks kept: allocations and leaked bytes. */
    static const uint64_t allocs[] = { 0, 3, 5, 5 }, leaked[] = { 0, 300, 220, 220 };

    for (uint64_t len = 0; len <= ends[3]; len++) {
        char name[64];
        mp_report_t *rep = NULL;
        mp_log_error_t err;
        mp_replay_summary_t s;
        int whole = 0, rc;

        snprintf(name, sizeof name, "cut-%llu.mpz", (unsigned long long)len);
        const char *path = t_cut(src, name, len);
        rc = mp_report_build(path, NULL, &rep, &err);
        if (len < ends[0]) {
            CU_ASSERT_NOT_EQUAL(rc, 0);
            CU_ASSERT_PTR_NULL(rep);
            CU_ASSERT_NOT_EQUAL(err.msg[0], '\0');
            continue;
        }
        CU_ASSERT_EQUAL_FATAL(rc, 0);
        while (whole < 3 && ends[whole + 1] <= len)
            whole++;
        mp_replay_summary(mp_report_replay(rep), &s);
        CU_ASSERT_EQUAL(s.allocs, allocs[whole]);
        CU_ASSERT_EQUAL(s.leaked_bytes, leaked[whole]);
        if (len == ends[3]) {
            CU_ASSERT_FALSE(s.partial);
        } else {
            CU_ASSERT_TRUE(s.partial);
            /* At a chunk boundary the log just has no END; inside a chunk
             * it stops where that chunk begins. */
            if (len == ends[whole]) {
                CU_ASSERT_EQUAL(s.stop.code, 0);
            } else {
                CU_ASSERT_NOT_EQUAL(s.stop.code, 0);
                CU_ASSERT_EQUAL(s.stop.offset, ends[whole]);
            }
        }
        CU_ASSERT_EQUAL(mp_report_finding_count(rep), leaked[whole] ? 1 : 0);
        render_both(rep);
        mp_report_free(rep);
        remove(path);
    }
}

static void every_flipped_byte_is_survived(void)
{
    uint64_t ends[4];
    const char *src = small_log(ends);

    for (uint64_t off = 0; off < ends[3]; off++) {
        char name[64];
        mp_report_t *rep = NULL;
        mp_log_error_t err;

        snprintf(name, sizeof name, "flip-%llu.mpz", (unsigned long long)off);
        const char *path = t_cut(src, name, ends[3]);
        t_flip(path, off);
        if (mp_report_build(path, NULL, &rep, &err) == 0) {
            render_both(rep);
            mp_report_free(rep);
        } else {
            CU_ASSERT_PTR_NULL(rep);
            CU_ASSERT_NOT_EQUAL(err.msg[0], '\0');
        }
        remove(path);
    }
}

void t_register_report_damage(void)
{
    MP_SUITE("report_damage", MP_TEST(every_cut_is_reported_as_far_as_it_goes),
             MP_TEST(every_flipped_byte_is_survived));
}
