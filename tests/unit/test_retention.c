/*
 * test_retention.c — the retention detectors (analyzer/retention.h:
 * bucket_retention, span_retention, idle_retention) on synthetic event
 * streams written with the real encoder (test_replay_util.h): each fires on
 * its pattern, and stays quiet on the edge cases (a realloc to a smaller
 * size, a table freed just before exit, thousands of small tables, a block
 * that grew once, a large buffer that is legitimately full) and on a
 * healthy program. Classes (lb_classes): 16, 32, 48 bytes on 1-page spans,
 * 4096 on 2-page spans; heap pages of 8192 bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "findings.h"
#include "replay.h"
#include "retention.h"
#include "test_replay_util.h"

#define MS 1000000ull
#define KIB 1024ull
#define MIB (1024ull * 1024ull)

static const uint64_t frames1[] = {0x1010, 0x1020};
static const uint64_t frames2[] = {0x2010, 0x2020};
static const uint64_t frames3[] = {0x3010, 0x3020};
static const uint64_t frames4[] = {0x4010, 0x4020};

/* A log with one thread and stacks 1..4; the caller adds the events. */
static lb_t *open_log(const char *name)
{
    lb_t *b = lb_open(name, MP_MODE_FULL);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames1);
    lb_stack(b, 2, 2, frames2);
    lb_stack(b, 3, 2, frames3);
    lb_stack(b, 4, 2, frames4);
    lb_batch(b, 1);
    return b;
}

typedef int (*detector_t)(mp_findings_t *, const mp_replay_t *, const mp_retention_options_t *);

/* Replays path, runs detector d with the defaults; the findings (the
 * caller destroys them), NULL on failure. */
static mp_findings_t *detect(const char *path, detector_t d)
{
    mp_replay_t *r = NULL;
    mp_findings_t *f = NULL;
    const mp_retention_options_t o = MP_RETENTION_DEFAULTS;

    CU_ASSERT_EQUAL_FATAL(mp_replay_open(path, &r, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_findings_create(&f), 0);
    CU_ASSERT_EQUAL(d(f, r, &o), 0);
    for (size_t i = 0; i < mp_findings_count(f); i++) {
        const mp_finding_t *x = mp_finding(f, i);
        if (getenv("MP_TEST_VERBOSE"))
            printf("\n%s %llu: %s | %s\n", x->kind, (unsigned long long)x->bytes, x->evidence,
                   x->advice);
    }
    mp_replay_close(r); /* the findings own their strings */
    return f;
}

/* Values of v bytes at stack 2, n of them at addr.. */
static uint64_t values(lb_t *b, uint64_t *ts, uint64_t addr, uint64_t n, uint64_t v)
{
    for (uint64_t i = 0; i < n; i++)
        lb_alloc(b, (*ts)++, addr + i * v, v, 2);
    return n * v;
}

static void free_values(lb_t *b, uint64_t *ts, uint64_t addr, uint64_t n, uint64_t v)
{
    for (uint64_t i = 0; i < n; i++)
        lb_free(b, (*ts)++, addr + i * v);
}

/* A table at stack 1 that doubles from 4 KiB to `top` by allocating the
 * bigger one and then freeing the old (Go's evacuation), with `per` 1 KiB
 * values at stack 2 allocated at each step; every value is then freed.
 * by_realloc: grow with realloc instead. Returns the table's address. */
static uint64_t grow_table_ex(lb_t *b, uint64_t *ts, uint64_t top, uint64_t per, int by_realloc,
                              int free_after)
{
    uint64_t addr = 0x10000000, size = 4 * KIB, vaddr = 0x80000000, nv = 0;

    lb_alloc(b, (*ts)++, addr, size, 1);
    while (size < top) {
        nv += per;
        values(b, ts, vaddr + (nv - per) * KIB, per, KIB);
        uint64_t nsize = size * 2, naddr = addr + 0x1000000;
        if (by_realloc) {
            lb_realloc(b, (*ts)++, addr, naddr, nsize, 1);
        } else {
            lb_alloc(b, (*ts)++, naddr, nsize, 1);
            lb_free(b, (*ts)++, addr);
        }
        addr = naddr;
        size = nsize;
    }
    if (free_after)
        free_values(b, ts, vaddr, nv, KIB);
    return addr;
}

static uint64_t grow_table(lb_t *b, uint64_t *ts, uint64_t top, uint64_t per, int by_realloc)
{
    return grow_table_ex(b, ts, top, per, by_realloc, 1);
}

static size_t count_kind(const mp_findings_t *f, const char *kind)
{
    size_t n = 0;
    for (size_t i = 0; i < mp_findings_count(f); i++)
        n += strcmp(mp_finding(f, i)->kind, kind) == 0;
    return n;
}

/* ---- bucket_retention -------------------------------------------------- */

static void bucket_fires_on_an_evacuation_chain_left_live(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("bucket_evac.mpz");
    grow_table(b, &ts, 256 * KIB, 64, 0);
    lb_end(b, ts + MS);
    mp_findings_t *f = detect(lb_close(b), mp_detect_bucket_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    const mp_finding_t *x = mp_finding(f, 0);
    CU_ASSERT_STRING_EQUAL(x->kind, "bucket_retention");
    CU_ASSERT_EQUAL(x->bytes, 256 * KIB);
    CU_ASSERT_EQUAL(x->stack_id, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "grew from 4.0 KiB to 256.0 KiB in 6 steps"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "100% freed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x->advice, "rebuild"));
    /* Values of 1 KiB, one per 256 KiB / 384 values of table: too big a
     * share of table per value to be pointers: inline. */
    CU_ASSERT_PTR_NOT_NULL(strstr(x->advice, "pointers"));
    mp_findings_destroy(f);
}

static void bucket_fires_on_a_realloc_chain_left_live(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("bucket_realloc.mpz");
    grow_table(b, &ts, 1 * MIB, 128, 1); /* 1 MiB of values alongside */
    lb_end(b, ts + MS);
    mp_findings_t *f = detect(lb_close(b), mp_detect_bucket_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    CU_ASSERT_EQUAL(mp_finding(f, 0)->bytes, 1 * MIB);
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_finding(f, 0)->evidence, "in 8 steps"));
    mp_findings_destroy(f);
}

static void bucket_quiet_after_a_realloc_to_a_smaller_size(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("bucket_shrink.mpz");
    uint64_t addr = grow_table(b, &ts, 1 * MIB, 32, 1);
    lb_realloc(b, ts++, addr, 0x70000000, 128 * KIB, 1); /* shrunk after the peak */
    lb_end(b, ts + MS);
    mp_findings_t *f = detect(lb_close(b), mp_detect_bucket_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

static void bucket_quiet_when_the_table_is_freed_before_exit(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("bucket_freed.mpz");
    uint64_t addr = grow_table(b, &ts, 1 * MIB, 32, 0);
    lb_free(b, ts++, addr);
    lb_end(b, ts + MS);
    mp_findings_t *f = detect(lb_close(b), mp_detect_bucket_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

static void bucket_quiet_on_thousands_of_small_tables(void)
{
    uint64_t ts = 1 * MS, vaddr = 0x80000000;
    const uint64_t n = 3000;
    lb_t *b = open_log("bucket_small.mpz");
    for (uint64_t i = 0; i < n; i++)
        lb_alloc(b, ts++, 0x10000000 + i * 0x1000, 64, 1);
    for (uint64_t size = 64; size < 1024; size *= 2)
        for (uint64_t i = 0; i < n; i++) {
            uint64_t a = 0x10000000 + i * 0x1000;
            lb_alloc(b, ts++, vaddr + i * 64, 48, 2); /* a value, freed below */
            lb_realloc(b, ts++, a, a, size * 2, 1);   /* in place */
            lb_free(b, ts++, vaddr + i * 64);
        }
    lb_end(b, ts + MS);
    const char *path = lb_close(b);
    mp_findings_t *f = detect(path, mp_detect_bucket_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);

    /* The chains are there, 3000 of 4 steps each; they are just small. */
    mp_replay_t *r = NULL;
    CU_ASSERT_EQUAL_FATAL(mp_replay_open(path, &r, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, NULL, NULL), 0);
    CU_ASSERT_EQUAL(mp_replay_growth_count(r), n);
    CU_ASSERT_EQUAL(mp_replay_growth(r, 0)->steps, 4);
    CU_ASSERT_EQUAL(mp_replay_growth(r, 0)->first_size, 64);
    CU_ASSERT_EQUAL(mp_replay_growth(r, 0)->size, 1024);
    /* With a lower threshold they are one finding, for the one stack. */
    mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    o.bucket_min_bytes = 1024;
    o.bucket_heap_fall = 1.0;
    o.bucket_alongside_freed = 0.5;
    CU_ASSERT_EQUAL_FATAL(mp_findings_create(&f), 0);
    CU_ASSERT_EQUAL(mp_detect_bucket_with(f, r, &o), 0);
    mp_findings_destroy(f);
    mp_replay_close(r);
}

static void bucket_quiet_on_a_block_that_grew_once(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("bucket_once.mpz");
    values(b, &ts, 0x80000000, 512, KIB);
    lb_alloc(b, ts++, 0x10000000, 128 * KIB, 1);
    lb_realloc(b, ts++, 0x10000000, 0x20000000, 512 * KIB, 1);
    free_values(b, &ts, 0x80000000, 512, KIB);
    lb_end(b, ts + MS);
    mp_findings_t *f = detect(lb_close(b), mp_detect_bucket_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

static void bucket_quiet_on_a_large_buffer_that_is_full(void)
{
    /* A buffer that grew by realloc to 4 MiB while it was filled, and is
     * still in use: the heap is the buffer, it never fell. */
    uint64_t ts = 1 * MS, addr = 0x10000000;
    lb_t *b = open_log("bucket_full.mpz");
    lb_alloc(b, ts++, addr, 4 * KIB, 1);
    for (uint64_t size = 4 * KIB; size < 4 * MIB; size *= 2) {
        lb_alloc(b, ts++, 0x90000000, 256, 2); /* a temporary while reading */
        lb_free(b, ts++, 0x90000000);
        lb_realloc(b, ts++, addr, addr + 0x1000000, size * 2, 1);
        addr += 0x1000000;
    }
    lb_end(b, ts + MS);
    mp_findings_t *f = detect(lb_close(b), mp_detect_bucket_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

/* With the shim's hollow-block scan in the log: a table of zero pages is
 * reported and says how hollow; a table whose pages are full but whose
 * entries are gone is reported too (it outlived them); a table still in
 * use — full pages, entries still live — is not. */
static const char *scanned_table_log_ex(const char *name, uint64_t zero_pages, int in_use)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log(name);
    uint64_t addr = grow_table_ex(b, &ts, 256 * KIB, 64, 0, !in_use);
    lb_chunk(b);
    mp_hollow_block_t h = {addr, 256 * KIB, zero_pages, 0};
    lb_hollow(b, ts + MS / 2, 1, &h);
    lb_end(b, ts + MS);
    return lb_close(b);
}

static const char *scanned_table_log(const char *name, uint64_t zero_pages)
{
    return scanned_table_log_ex(name, zero_pages, 0);
}

static void bucket_fires_on_a_hollow_table_and_says_how_hollow(void)
{
    mp_findings_t *f = detect(scanned_table_log("bucket_hollow.mpz", 60), mp_detect_bucket_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    const mp_finding_t *x = mp_finding(f, 0);
    CU_ASSERT_STRING_EQUAL(x->kind, "bucket_retention");
    CU_ASSERT_EQUAL(x->bytes, 256 * KIB);
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "hollow"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "94%")); /* 60 of 64 pages, rounded */
    mp_findings_destroy(f);
}

static void bucket_fires_on_a_full_table_whose_entries_are_gone(void)
{
    mp_findings_t *f = detect(scanned_table_log("bucket_scanned_full.mpz", 2),
                              mp_detect_bucket_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_finding(f, 0)->evidence, "100% freed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_finding(f, 0)->evidence, "hollow at exit: 3%"));
    mp_findings_destroy(f);
}

static void bucket_quiet_when_the_scanned_table_is_still_in_use(void)
{
    mp_findings_t *f = detect(scanned_table_log_ex("bucket_in_use.mpz", 2, 1),
                              mp_detect_bucket_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

/* The thresholds are options: the same table is not reported once the
 * minimum table size is raised above it (memprof report --bucket-min). */
static void bucket_threshold_is_an_option(void)
{
    const char *path = scanned_table_log("bucket_threshold.mpz", 60);
    mp_replay_t *r = NULL;
    mp_findings_t *f = NULL;
    mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    CU_ASSERT_EQUAL_FATAL(mp_replay_open(path, &r, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_findings_create(&f), 0);
    CU_ASSERT_EQUAL(mp_findings_detect_with(f, r, &o), 0);
    CU_ASSERT_EQUAL(count_kind(f, "bucket_retention"), 1);
    mp_findings_destroy(f);
    o.bucket_min_bytes = 512 * KIB;
    CU_ASSERT_EQUAL_FATAL(mp_findings_create(&f), 0);
    CU_ASSERT_EQUAL(mp_findings_detect_with(f, r, &o), 0);
    CU_ASSERT_EQUAL(count_kind(f, "bucket_retention"), 0);
    CU_ASSERT_EQUAL(count_kind(f, "leak"), 1); /* the table is still live */
    mp_findings_destroy(f);
    mp_replay_close(r);
}

/* ---- span_retention ---------------------------------------------------- */

/* Class 3 (48 B, 1-page spans: 170 objects each): nspans spans filled at
 * stack 3, one object per span at stack 4 kept; snapshots at 10 ms (full)
 * and then `after` (spans, live) pairs at 50, 70, 90 ms; END at 100 ms. */
static const char *span_log(const char *name, uint64_t nspans, const mp_class_stat_t *after)
{
    lb_t *b = open_log(name);
    uint64_t ts = 1 * MS, base = 0x10000000;
    for (uint64_t s = 0; s < nspans; s++)
        for (uint64_t i = 0; i < 170; i++)
            lb_alloc(b, ts++, base + s * 8192 + i * 48, 48, i == 0 ? 4 : 3);
    mp_class_stat_t full[LB_NCLASSES] = {{0, 0}, {0, 0}, {nspans, nspans * 170}, {0, 0}};
    lb_watermark(b, 10 * MS);
    lb_snapshot(b, 10 * MS, 0, nspans * 8192, nspans * 8192, 0, 0, LB_NCLASSES, full);
    lb_chunk(b);
    lb_batch(b, 1);
    ts = 20 * MS;
    for (uint64_t s = 0; s < nspans; s++)
        for (uint64_t i = 1; i < 170; i++)
            lb_free(b, ts++, base + s * 8192 + i * 48);
    for (int k = 0; k < 3; k++) {
        uint64_t t = (50 + 20 * (uint64_t)k) * MS;
        mp_class_stat_t st[LB_NCLASSES] = {{0, 0}, {0, 0}, after[k], {0, 0}};
        lb_watermark(b, t);
        lb_snapshot(b, t, 0, nspans * 8192, after[k].spans * 8192, 0, 0, LB_NCLASSES, st);
        lb_chunk(b);
    }
    lb_end(b, 100 * MS);
    return lb_close(b);
}

static void span_fires_on_spans_pinned_by_survivors(void)
{
    const mp_class_stat_t after[3] = {{400, 400}, {400, 400}, {400, 400}};
    mp_findings_t *f = detect(span_log("span_pinned.mpz", 400, after), mp_detect_span_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    const mp_finding_t *x = mp_finding(f, 0);
    CU_ASSERT_STRING_EQUAL(x->kind, "span_retention");
    /* 400 live objects fit in 3 spans: 397 spans come back. */
    CU_ASSERT_EQUAL(x->bytes, 397 * 8192);
    CU_ASSERT_EQUAL(x->blocks, 400);
    CU_ASSERT_EQUAL(x->stack_id, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "the stack shown (400 blocks)")); /* stack 4 */
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "400 spans"));
    mp_findings_destroy(f);
}

static void span_quiet_when_the_spans_come_back(void)
{
    /* Pinned at 50 ms, then the survivors go and the spans with them. */
    const mp_class_stat_t after[3] = {{400, 400}, {3, 400}, {3, 400}};
    mp_findings_t *f = detect(span_log("span_back.mpz", 400, after), mp_detect_span_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

static void span_quiet_when_only_briefly_pinned_in_the_tail(void)
{
    /* Pinned at the end but not at 90 ms (inside the last 20%). */
    const mp_class_stat_t after[3] = {{400, 400}, {400, 400}, {3, 400}};
    const char *p = span_log("span_brief.mpz", 400, after);
    mp_findings_t *f = detect(p, mp_detect_span_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

static void span_quiet_under_a_mebibyte(void)
{
    /* 100 spans: 800 KiB retained, under the 1 MiB default. */
    const mp_class_stat_t after[3] = {{100, 100}, {100, 100}, {100, 100}};
    mp_findings_t *f = detect(span_log("span_small.mpz", 100, after), mp_detect_span_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

/* ---- idle_retention ---------------------------------------------------- */

/* Snapshots every 250 ms from 0 to 5 s; idle 100 MiB from `from` to `to`;
 * in each 250 ms of that stretch `turnover` bytes of large spans go back
 * to the page heap (LARGE_RETURN): other pages going idle as fast as the
 * scavenger releases the older ones. */
static const char *idle_log_turnover(const char *name, uint64_t from, uint64_t to,
                                     uint64_t turnover)
{
    lb_t *b = open_log(name);
    lb_alloc(b, 1, 0x1000, 16, 1);
    lb_free(b, 2, 0x1000);
    for (uint64_t t = 0; t <= 5000 * MS; t += 250 * MS) {
        uint64_t idle = t >= from && t <= to ? 100 * MIB : 0;
        if (idle && turnover) {
            lb_batch(b, 1);
            lb_span(b, t + 5, MP_SPAN_LARGE_TAKE, 0, turnover / 8192, 0x7f0000000000);
            lb_span(b, t + 6, MP_SPAN_LARGE_RETURN, 0, turnover / 8192, 0x7f0000000000);
        }
        lb_watermark(b, t + 10);
        lb_snapshot(b, t + 10, 200 * MIB, 200 * MIB, 8192, idle, 100 * MIB - idle + 8192, 0,
                    NULL);
        lb_chunk(b);
    }
    lb_end(b, 5001 * MS);
    return lb_close(b);
}

static const char *idle_log(const char *name, uint64_t from, uint64_t to)
{
    return idle_log_turnover(name, from, to, 0);
}

static void idle_fires_when_free_pages_outstay_the_scavenger(void)
{
    mp_findings_t *f = detect(idle_log("idle_kept.mpz", 1000 * MS, 4000 * MS),
                              mp_detect_idle_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    const mp_finding_t *x = mp_finding(f, 0);
    CU_ASSERT_STRING_EQUAL(x->kind, "idle_retention");
    CU_ASSERT_EQUAL(x->bytes, 100 * MIB);
    CU_ASSERT_EQUAL(x->stack_id, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(x->evidence, "100.0 MiB"));
    mp_findings_destroy(f);
}

static void idle_quiet_within_the_scavenger_delay(void)
{
    /* 1.5 s of idle pages: under twice the 1 s delay. */
    mp_findings_t *f = detect(idle_log("idle_brief.mpz", 1000 * MS, 2500 * MS),
                              mp_detect_idle_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
}

static void idle_quiet_while_other_pages_keep_going_idle(void)
{
    /* 3 s of 100 MiB idle, but 40 MiB going idle every 250 ms: no page
     * needs to have stayed idle past the delay (a long free phase). */
    mp_findings_t *f = detect(idle_log_turnover("idle_turnover.mpz", 1000 * MS, 4000 * MS,
                                                40 * MIB),
                              mp_detect_idle_with);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
    /* 1 MiB every 250 ms: at most 8 MiB of the 100 went idle in the last
     * 2 s, so at least 92 MiB were kept throughout. */
    f = detect(idle_log_turnover("idle_slow_turnover.mpz", 1000 * MS, 4000 * MS, 1 * MIB),
               mp_detect_idle_with);
    CU_ASSERT_EQUAL_FATAL(mp_findings_count(f), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_finding(f, 0)->evidence, "at least 92.0 MiB of them idle"));
    mp_findings_destroy(f);
}

/* ---- All detectors on a healthy program -------------------------------- */

static void healthy_program_has_no_retention_findings(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("healthy.mpz");
    /* A table that grew and was destroyed after use. */
    uint64_t t = grow_table(b, &ts, 1 * MIB, 32, 0);
    lb_free(b, ts++, t);
    /* A cache at steady state: 1000 entries of 48 B, each replaced. */
    for (uint64_t i = 0; i < 1000; i++)
        lb_alloc(b, ts++, 0x50000000 + i * 64, 48, 3);
    for (int round = 0; round < 5; round++)
        for (uint64_t i = 0; i < 1000; i++) {
            lb_free(b, ts++, 0x50000000 + i * 64);
            lb_alloc(b, ts++, 0x50000000 + i * 64, 48, 3);
        }
    mp_class_stat_t st[LB_NCLASSES] = {{0, 0}, {0, 0}, {6, 1000}, {0, 0}};
    lb_watermark(b, ts);
    lb_snapshot(b, ts, 8 * MIB, 8 * MIB, 6 * 8192, 1 * MIB, 0, LB_NCLASSES, st);
    lb_chunk(b);
    lb_batch(b, 1);
    /* Everything freed. */
    for (uint64_t i = 0; i < 1000; i++)
        lb_free(b, ts++, 0x50000000 + i * 64);
    lb_end(b, ts + MS);

    mp_replay_t *r = NULL;
    mp_findings_t *f = NULL;
    CU_ASSERT_EQUAL_FATAL(mp_replay_open(lb_close(b), &r, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_findings_create(&f), 0);
    CU_ASSERT_EQUAL(mp_findings_detect(f, r), 0);
    CU_ASSERT_EQUAL(count_kind(f, "bucket_retention"), 0);
    CU_ASSERT_EQUAL(count_kind(f, "span_retention"), 0);
    CU_ASSERT_EQUAL(count_kind(f, "idle_retention"), 0);
    CU_ASSERT_EQUAL(mp_findings_count(f), 0);
    mp_findings_destroy(f);
    mp_replay_close(r);
}

static void retention_joins_leaks_in_one_list(void)
{
    uint64_t ts = 1 * MS;
    lb_t *b = open_log("joined.mpz");
    grow_table(b, &ts, 256 * KIB, 64, 0);
    lb_end(b, ts + MS);
    mp_replay_t *r = NULL;
    mp_findings_t *f = NULL;
    CU_ASSERT_EQUAL_FATAL(mp_replay_open(lb_close(b), &r, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_replay_run(r, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(mp_findings_create(&f), 0);
    CU_ASSERT_EQUAL(mp_findings_detect(f, r), 0);
    CU_ASSERT_EQUAL(count_kind(f, "bucket_retention"), 1);
    CU_ASSERT_EQUAL(count_kind(f, "leak"), 1);
    mp_findings_destroy(f);
    mp_replay_close(r);
}

void mp_test_register(void)
{
    MP_SUITE("retention_bucket", MP_TEST(bucket_fires_on_an_evacuation_chain_left_live),
             MP_TEST(bucket_fires_on_a_realloc_chain_left_live),
             MP_TEST(bucket_quiet_after_a_realloc_to_a_smaller_size),
             MP_TEST(bucket_quiet_when_the_table_is_freed_before_exit),
             MP_TEST(bucket_quiet_on_thousands_of_small_tables),
             MP_TEST(bucket_quiet_on_a_block_that_grew_once),
             MP_TEST(bucket_quiet_on_a_large_buffer_that_is_full),
             MP_TEST(bucket_fires_on_a_hollow_table_and_says_how_hollow),
             MP_TEST(bucket_fires_on_a_full_table_whose_entries_are_gone),
             MP_TEST(bucket_quiet_when_the_scanned_table_is_still_in_use),
             MP_TEST(bucket_threshold_is_an_option));
    MP_SUITE("retention_span", MP_TEST(span_fires_on_spans_pinned_by_survivors),
             MP_TEST(span_quiet_when_the_spans_come_back),
             MP_TEST(span_quiet_when_only_briefly_pinned_in_the_tail),
             MP_TEST(span_quiet_under_a_mebibyte));
    MP_SUITE("retention_idle", MP_TEST(idle_fires_when_free_pages_outstay_the_scavenger),
             MP_TEST(idle_quiet_within_the_scavenger_delay),
             MP_TEST(idle_quiet_while_other_pages_keep_going_idle));
    MP_SUITE("retention_all", MP_TEST(healthy_program_has_no_retention_findings),
             MP_TEST(retention_joins_leaks_in_one_list));
}
