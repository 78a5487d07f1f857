/*
 * test_replay.c — the test_replay program: the replay's suites
 * (analyzer/replay.h, docs/analysis.md), each in its own file:
 *   test_replay.c         counts, bytes, peak and its contributions, leaks,
 *                         temporary allocations, reallocs, lifetimes, what
 *                         the log says about the process
 *   test_replay_order.c   the watermark merge: batches out of order across
 *                         chunks and threads, equal-timestamp ties, unknown
 *                         frees
 *   test_replay_models.c  sampled-mode weights, the size-class model from
 *                         SPAN events and snapshots, the bounded timeline
 *   test_replay_damage.c  truncated, corrupt and unfinished logs
 *   test_replay_parts.c   the live set, the merge and the series directly
 * Synthetic logs come from test_replay_util.h. The bounded-memory test is a
 * program of its own (test_replay_memory.c): it measures its process's peak
 * RSS.
 */
#include "test_replay.h"

#include <stdint.h>

#include "cunit_main.h"
#include "test_replay_util.h"

mp_replay_t *replay_ok(const char *path)
{
    mp_replay_t *r = NULL;
    mp_log_error_t err;
    int rc = mp_replay_open(path, &r, &err);
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    rc = mp_replay_run(r, NULL, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0) {
        mp_replay_close(r);
        return NULL;
    }
    return r;
}

static const uint64_t frames1[] = { 0x401000, 0x402000 };
static const uint64_t frames2[] = { 0x401100, 0x402000 };
static const uint64_t frames3[] = { 0x401200, 0x402100, 0x403000 };
static const uint64_t frames4[] = { 0x401300 };

/* A log with thread 1 "main" and stacks 1..4. */
static lb_t *std_log(const char *name)
{
    lb_t *b = lb_open(name, MP_MODE_FULL);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames1);
    lb_stack(b, 2, 2, frames2);
    lb_stack(b, 3, 3, frames3);
    lb_stack(b, 4, 1, frames4);
    return b;
}

static const mp_replay_site_t *site(mp_replay_t *r, uint64_t id)
{
    const mp_replay_site_t *s = mp_replay_site_by_id(r, id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* ---- Counts, bytes, leaks, lifetimes ---------------------------------- */

static void counts_bytes_and_leaks_are_exact(void)
{
    lb_t *b = std_log("counts.mpz");
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 100, 1);
    lb_alloc(b, 20, 0x2000, 200, 2);
    lb_alloc(b, 30, 0x3000, 300, 1);
    lb_free(b, 40, 0x1000);
    lb_realloc(b, 50, 0x2000, 0x4000, 400, 3);
    lb_free(b, 60, 0x3000);
    lb_alloc(b, 70, 0x5000, 16, 2);
    lb_watermark(b, 100);
    lb_end(b, 200);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.allocs, 4);
    CU_ASSERT_EQUAL(s.reallocs, 1);
    CU_ASSERT_EQUAL(s.frees, 2);
    CU_ASSERT_EQUAL(s.unknown_frees, 0);
    CU_ASSERT_EQUAL(s.unknown_realloc_olds, 0);
    CU_ASSERT_EQUAL(s.events, 7);
    CU_ASSERT_EQUAL(s.bytes_allocated, 100 + 200 + 300 + 400 + 16);
    CU_ASSERT_EQUAL(s.bytes_freed, 100 + 200 + 300);
    CU_ASSERT_EQUAL(s.leaked_blocks, 2);
    CU_ASSERT_EQUAL(s.leaked_bytes, 416);
    /* Live: 100, 300, 600, 500, 700 (the realloc), 400, 416. */
    CU_ASSERT_EQUAL(s.peak_bytes, 700);
    CU_ASSERT_EQUAL(s.peak_ts, 50);
    CU_ASSERT_EQUAL(s.peak_blocks, 2);
    CU_ASSERT_EQUAL(s.temporary, 0);
    CU_ASSERT_EQUAL(s.duration_ns, 200);
    CU_ASSERT(s.have_end);
    CU_ASSERT_FALSE(s.partial);
    CU_ASSERT_EQUAL(s.alloc_of_live, 0);
    CU_ASSERT_EQUAL(s.late_events, 0);
    CU_ASSERT_EQUAL(s.max_live_blocks, 3);
    CU_ASSERT_EQUAL(s.samples, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.est_allocs, 5, 1e-9); /* full mode: the counts */
    CU_ASSERT_DOUBLE_EQUAL(s.est_leaked_blocks, 2, 1e-9);

    const mp_replay_site_t *s1 = site(r, 1), *s2 = site(r, 2), *s3 = site(r, 3);
    CU_ASSERT_EQUAL(s1->allocs, 2);
    CU_ASSERT_EQUAL(s1->frees, 2);
    CU_ASSERT_EQUAL(s1->bytes_allocated, 400);
    CU_ASSERT_EQUAL(s1->bytes_freed, 400);
    CU_ASSERT_EQUAL(s1->leaked_blocks, 0);
    CU_ASSERT_EQUAL(s1->peak_bytes, 300);
    CU_ASSERT_EQUAL(s1->peak_blocks, 1);
    CU_ASSERT_EQUAL(s1->max_live_bytes, 400);
    CU_ASSERT_EQUAL(s1->lifetime_sum_ns, 60);
    CU_ASSERT_EQUAL(s1->lifetime_min_ns, 30);
    CU_ASSERT_EQUAL(s1->lifetime_max_ns, 30);
    CU_ASSERT_EQUAL(s1->first_ts, 10);
    CU_ASSERT_EQUAL(s1->last_ts, 30);

    CU_ASSERT_EQUAL(s2->allocs, 2);
    CU_ASSERT_EQUAL(s2->frees, 1); /* by the realloc */
    CU_ASSERT_EQUAL(s2->bytes_allocated, 216);
    CU_ASSERT_EQUAL(s2->bytes_freed, 200);
    CU_ASSERT_EQUAL(s2->leaked_blocks, 1);
    CU_ASSERT_EQUAL(s2->leaked_bytes, 16);
    CU_ASSERT_EQUAL(s2->peak_bytes, 0);
    CU_ASSERT_EQUAL(s2->lifetime_sum_ns, 30);

    CU_ASSERT_EQUAL(s3->allocs, 1);
    CU_ASSERT_EQUAL(s3->reallocs, 1);
    CU_ASSERT_EQUAL(s3->frees, 0);
    CU_ASSERT_EQUAL(s3->leaked_blocks, 1);
    CU_ASSERT_EQUAL(s3->leaked_bytes, 400);
    CU_ASSERT_DOUBLE_EQUAL(s3->est_allocs, 1, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(s3->est_leaked_blocks, 1, 1e-9);
    CU_ASSERT_EQUAL(s3->peak_bytes, 400);
    CU_ASSERT_EQUAL(s3->lifetime_min_ns, UINT64_MAX); /* none freed */
    CU_ASSERT_EQUAL(s3->nframes, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s3->frames);
    CU_ASSERT_EQUAL(s3->frames[2], 0x403000);

    /* Sums over sites agree with the totals. */
    uint64_t leaked = 0, allocs = 0;
    for (size_t i = 0; i < mp_replay_site_count(r); i++) {
        leaked += mp_replay_site(r, i)->leaked_bytes;
        allocs += mp_replay_site(r, i)->allocs;
    }
    CU_ASSERT_EQUAL(leaked, s.leaked_bytes);
    CU_ASSERT_EQUAL(allocs, s.allocs + s.reallocs);

    CU_ASSERT_EQUAL(mp_replay_thread_count(r), 1);
    CU_ASSERT_EQUAL(mp_replay_thread(r, 0)->allocs, 5);
    CU_ASSERT_EQUAL(mp_replay_thread(r, 0)->frees, 2);
    CU_ASSERT_STRING_EQUAL(mp_replay_thread(r, 0)->name, "main");
    mp_replay_close(r);
}

/* The peak rises three times; the sites' contributions are those at the
 * last rise, whether a site changed after it (captured lazily) or not
 * (taken at the end). */
static void peak_contributions_are_those_at_the_last_peak(void)
{
    lb_t *b = std_log("peak.mpz");
    lb_batch(b, 1);
    lb_alloc(b, 10, 0xa000, 1000, 1);
    lb_alloc(b, 20, 0xb000, 500, 2);  /* 1500: a peak */
    lb_free(b, 30, 0xa000);           /* 500 */
    lb_alloc(b, 40, 0xc000, 2000, 3); /* 2500: a peak */
    lb_alloc(b, 50, 0xd000, 100, 2);  /* 2600: the peak */
    lb_free(b, 60, 0xc000);           /* 600 */
    lb_alloc(b, 70, 0xe000, 50, 1);   /* 650 */
    lb_watermark(b, 100);
    lb_end(b, 100);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.peak_bytes, 2600);
    CU_ASSERT_EQUAL(s.peak_ts, 50);
    CU_ASSERT_EQUAL(s.peak_blocks, 3);
    CU_ASSERT_EQUAL(site(r, 1)->peak_bytes, 0);
    CU_ASSERT_EQUAL(site(r, 1)->peak_blocks, 0);
    CU_ASSERT_EQUAL(site(r, 1)->max_live_bytes, 1000);
    CU_ASSERT_EQUAL(site(r, 2)->peak_bytes, 600);
    CU_ASSERT_EQUAL(site(r, 2)->peak_blocks, 2);
    CU_ASSERT_EQUAL(site(r, 3)->peak_bytes, 2000);
    CU_ASSERT_EQUAL(site(r, 3)->peak_blocks, 1);
    uint64_t sum = 0;
    for (size_t i = 0; i < mp_replay_site_count(r); i++)
        sum += mp_replay_site(r, i)->peak_bytes;
    CU_ASSERT_EQUAL(sum, s.peak_bytes);
    CU_ASSERT_EQUAL(s.leaked_bytes, 650);
    mp_replay_close(r);
}

/* Temporary: freed by its own thread with no other allocation by that
 * thread in between (another thread's allocations do not matter). */
static void temporary_allocations_per_thread(void)
{
    lb_t *b = std_log("temporary.mpz");
    lb_thread(b, 2, "worker");
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1010, 8, 1);
    lb_free(b, 11, 0x1010);                    /* temporary (st1) */
    lb_alloc(b, 20, 0x1020, 8, 2);
    lb_alloc(b, 21, 0x1030, 8, 3);
    lb_free(b, 22, 0x1020);                    /* not: 0x1030 came after */
    lb_free(b, 23, 0x1030);                    /* temporary (st3) */
    lb_alloc(b, 30, 0x1040, 8, 4);
    lb_free(b, 32, 0x1040);                    /* temporary (st4): thread 2's alloc at 31 */
    lb_alloc(b, 40, 0x1050, 8, 2);             /* freed by thread 2: not */
    lb_alloc(b, 50, 0x1060, 8, 1);
    lb_realloc(b, 51, 0x1060, 0x1070, 16, 3);  /* the old block: never temporary */
    lb_free(b, 52, 0x1070);                    /* temporary (st3) */
    lb_batch(b, 2);
    lb_alloc(b, 31, 0x2010, 8, 1);
    lb_free(b, 41, 0x1050);
    lb_free(b, 60, 0x2010);                    /* temporary (st1) */
    lb_watermark(b, 100);
    lb_end(b, 100);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.temporary, 5);
    CU_ASSERT_EQUAL(site(r, 1)->temporary, 2);
    CU_ASSERT_EQUAL(site(r, 2)->temporary, 0);
    CU_ASSERT_EQUAL(site(r, 3)->temporary, 2);
    CU_ASSERT_EQUAL(site(r, 4)->temporary, 1);
    CU_ASSERT_EQUAL(s.leaked_blocks, 0);
    CU_ASSERT_EQUAL(s.frees, 7);
    CU_ASSERT_EQUAL(mp_replay_thread_count(r), 2);
    mp_replay_close(r);
}

/* realloc(NULL, n), in place, moving, realloc(p, 0), and an old block the
 * log never allocated. */
static void realloc_is_a_free_and_an_alloc(void)
{
    lb_t *b = std_log("realloc.mpz");
    lb_batch(b, 1);
    lb_realloc(b, 10, 0, 0xa000, 100, 1);       /* like malloc */
    lb_realloc(b, 20, 0xa000, 0xa000, 200, 2);  /* in place */
    lb_realloc(b, 30, 0xa000, 0xb000, 300, 3);  /* moves */
    lb_realloc(b, 40, 0xb000, 0, 0, 4);         /* realloc(p, 0) frees */
    lb_realloc(b, 50, 0xdead0, 0xc000, 50, 1);  /* old block unknown */
    lb_watermark(b, 100);
    lb_end(b, 100);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.reallocs, 5);
    CU_ASSERT_EQUAL(s.allocs, 0);
    CU_ASSERT_EQUAL(s.frees, 0);
    CU_ASSERT_EQUAL(s.unknown_realloc_olds, 1);
    CU_ASSERT_EQUAL(s.unknown_frees, 0);
    CU_ASSERT_EQUAL(s.bytes_allocated, 650);
    CU_ASSERT_EQUAL(s.bytes_freed, 600);
    CU_ASSERT_EQUAL(s.leaked_blocks, 1);
    CU_ASSERT_EQUAL(s.leaked_bytes, 50);
    CU_ASSERT_EQUAL(s.peak_bytes, 300);
    CU_ASSERT_EQUAL(s.peak_ts, 30);
    CU_ASSERT_EQUAL(s.alloc_of_live, 0);
    CU_ASSERT_EQUAL(site(r, 1)->allocs, 2);
    CU_ASSERT_EQUAL(site(r, 1)->reallocs, 2);
    CU_ASSERT_EQUAL(site(r, 1)->frees, 1);
    CU_ASSERT_EQUAL(site(r, 1)->leaked_bytes, 50);
    CU_ASSERT_EQUAL(site(r, 2)->allocs, 1);
    CU_ASSERT_EQUAL(site(r, 2)->frees, 1);
    CU_ASSERT_EQUAL(site(r, 2)->lifetime_sum_ns, 10);
    CU_ASSERT_EQUAL(site(r, 3)->frees, 1);
    CU_ASSERT_EQUAL(site(r, 4)->allocs, 0);
    CU_ASSERT_EQUAL(site(r, 4)->reallocs, 0);
    mp_replay_close(r);
}

/* ---- What the log says about the process ------------------------------ */

static uint64_t progress_calls, progress_last, progress_size;
static int progress_backwards;

static void on_progress(void *arg, uint64_t offset, uint64_t size)
{
    (void)arg;
    if (offset < progress_last)
        progress_backwards = 1;
    progress_calls++;
    progress_last = offset;
    progress_size = size;
}

static void process_modules_threads_and_progress(void)
{
    lb_t *b = std_log("process.mpz");
    lb_module(b, 1, "/usr/bin/synthetic", 0x555555554000);
    lb_module(b, 2, "/usr/lib/libfoo.so", 0x7ffff7000000);
    lb_thread(b, 1, "renamed");
    lb_stack(b, 9, 0, NULL);
    for (int c = 0; c < 3; c++) {
        lb_batch(b, 1);
        lb_alloc(b, 1000 * (uint64_t)c + 1, 0x1000 + 0x100 * (uint64_t)c, 10, 9);
        lb_watermark(b, 1000 * (uint64_t)c + 500);
        lb_chunk(b);
    }
    lb_module_gone(b, 2, 2500);
    lb_lost(b, 2600, 7);
    lb_lost(b, 2700, 3);
    lb_end(b, 3000);
    const char *path = lb_close(b);

    mp_replay_t *r = NULL;
    CU_ASSERT_EQUAL_FATAL(mp_replay_open(path, &r, NULL), 0);
    progress_calls = progress_last = 0;
    progress_backwards = 0;
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, on_progress, NULL), 0);
    CU_ASSERT_EQUAL(mp_replay_run(r, NULL, NULL), MP_ELOG_INVAL); /* once */
    CU_ASSERT_EQUAL(progress_calls, 4 + 1); /* 4 chunks, then the end */
    CU_ASSERT_EQUAL(progress_last, t_file_size(path));
    CU_ASSERT_EQUAL(progress_size, t_file_size(path));
    CU_ASSERT_FALSE(progress_backwards);

    const mp_replay_process_t *p = mp_replay_process(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(p->pid, 4242);
    CU_ASSERT_EQUAL(p->mode, MP_MODE_FULL);
    CU_ASSERT_EQUAL(p->heap_page_size, 8192);
    CU_ASSERT_STRING_EQUAL(p->exe, "/usr/bin/synthetic");
    CU_ASSERT_EQUAL(p->argc, 2);
    CU_ASSERT_STRING_EQUAL(p->argv[1], "--flag");

    CU_ASSERT_EQUAL(mp_replay_module_count(r), 2);
    const mp_replay_module_t *m = mp_replay_module(r, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(m->path, "/usr/lib/libfoo.so");
    CU_ASSERT_EQUAL(m->bias, 0x7ffff7000000);
    CU_ASSERT_EQUAL(m->build_id_len, 3);
    CU_ASSERT_EQUAL(m->build_id[0], 0xab);
    CU_ASSERT_EQUAL(m->nseg, 1);
    CU_ASSERT_EQUAL(m->segs[0].memsz, 0x2000);
    CU_ASSERT(m->gone);
    CU_ASSERT_EQUAL(m->gone_ts, 2500);
    CU_ASSERT_FALSE(mp_replay_module(r, 0)->gone);
    CU_ASSERT_PTR_NULL(mp_replay_module(r, 2));

    CU_ASSERT_EQUAL(mp_replay_thread_count(r), 1);
    CU_ASSERT_STRING_EQUAL(mp_replay_thread(r, 0)->name, "renamed");

    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.chunks, 4);
    CU_ASSERT_EQUAL(s.lost_events, 10);
    CU_ASSERT_EQUAL(s.end_reason, MP_END_EXIT);
    CU_ASSERT_EQUAL(s.duration_ns, 3000);
    CU_ASSERT_EQUAL(s.file_size, t_file_size(path));
    CU_ASSERT(s.memory > 0);
    const mp_replay_site_t *s9 = site(r, 9);
    CU_ASSERT(s9->defined);
    CU_ASSERT_EQUAL(s9->nframes, 0);
    CU_ASSERT_EQUAL(s9->allocs, 3);
    mp_replay_close(r);
    mp_replay_close(NULL);
}

/* An event naming stack 0 ("no stack") or a stack no STACK record defined
 * is counted at stack 0; the second is an anomaly. No site is made for an
 * id that names nothing (a hostile log could name a new one per event). */
static void undefined_stacks_go_to_stack_zero(void)
{
    lb_t *b = std_log("nostack.mpz");
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 10, 0);
    lb_alloc(b, 20, 0x2000, 20, 77);
    lb_realloc(b, 30, 0x2000, 0x3000, 40, 78);
    lb_end(b, 30);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    const mp_replay_site_t *s0 = site(r, 0);
    CU_ASSERT_FALSE(s0->defined);
    CU_ASSERT_EQUAL(s0->nframes, 0);
    CU_ASSERT_PTR_NULL(s0->frames);
    CU_ASSERT_EQUAL(s0->allocs, 3);
    CU_ASSERT_EQUAL(s0->leaked_bytes, 50);
    CU_ASSERT_PTR_NULL(mp_replay_site_by_id(r, 77));
    CU_ASSERT_PTR_NULL(mp_replay_site_by_id(r, 78));
    CU_ASSERT_PTR_NULL(mp_replay_site_by_id(r, 5));
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.undefined_stacks, 2);
    CU_ASSERT_EQUAL(mp_replay_site_count(r), 5); /* stacks 1..4 and 0 */
    mp_replay_close(r);
}

void t_register_replay_counts(void)
{
    MP_SUITE("replay_counts",
             MP_TEST(counts_bytes_and_leaks_are_exact),
             MP_TEST(peak_contributions_are_those_at_the_last_peak),
             MP_TEST(temporary_allocations_per_thread),
             MP_TEST(realloc_is_a_free_and_an_alloc),
             MP_TEST(process_modules_threads_and_progress),
             MP_TEST(undefined_stacks_go_to_stack_zero));
}

void mp_test_register(void)
{
    t_register_replay_counts();
    t_register_replay_order();
    t_register_replay_models();
    t_register_replay_damage();
    t_register_replay_parts();
}
