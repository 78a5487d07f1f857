/*
 * test_report.c — the report model (analyzer/report.h), the findings list
 * and its leak detector (analyzer/findings.h), human units
 * (analyzer/human.h), and the text and JSON views (cli/report_view.h), on
 * synthetic logs written with the real encoder (test_replay_util.h).
 *
 * Module files named here do not exist, so every frame falls back to
 * module+offset and the tests do not depend on what is installed.
 * test_report_damage.c: every cut and every flipped byte of a small log.
 */
#define _GNU_SOURCE /* open_memstream */
#include "test_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "human.h"
#include "log_chunk.h"
#include "log_encode.h"
#include "test_replay_util.h"

/* ---- Helpers shared with test_report_damage.c -------------------------- */

mp_report_t *report_ok(const char *path, size_t top)
{
    mp_report_options_t o = { .top = top, .sym = { .demangle = true } };
    mp_report_t *rep = NULL;
    mp_log_error_t err;
    int rc = mp_report_build(path, &o, &rep, &err);

    CU_ASSERT_EQUAL(rc, 0);
    if (rc != 0)
        fprintf(stderr, "mp_report_build(%s): %s\n", path, err.msg);
    return rep;
}

char *render(const mp_report_t *rep, int json, size_t depth)
{
    mp_view_options_t v = { .depth = depth, .top = 0, .color = 0 };
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    if (json)
        mp_report_json(f, rep, &v, 0);
    else
        mp_report_text(f, rep, &v);
    fclose(f);
    return buf;
}

/* A log of one chunk: PROCESS p, then END. */
static const char *t_process_only_log(const char *name, const mp_rec_process_t *p)
{
    static uint8_t raw[1 << 16], out[1 << 17];
    const char *path = lb_path(name);
    mp_rec_end_t end = { .ts = 20, .reason = MP_END_EXIT };
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    FILE *f = fopen(path, "wb");
    mp_enc_t e;
    size_t n;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cctx);
    mp_enc_init(&e, raw, sizeof raw);
    CU_ASSERT_EQUAL_FATAL(mp_enc_file_header(&e), 0);
    fwrite(raw, 1, e.len, f);
    mp_enc_reset(&e);
    CU_ASSERT_EQUAL_FATAL(mp_enc_process(&e, p), 0);
    CU_ASSERT_EQUAL_FATAL(mp_enc_end(&e, &end), 0);
    CU_ASSERT_EQUAL_FATAL(mp_chunk_cctx_setup(cctx, 1), 0);
    CU_ASSERT_EQUAL_FATAL(mp_chunk_write(cctx, 0, raw, e.len, out, sizeof out, &n), 0);
    fwrite(out, 1, n, f);
    fclose(f);
    ZSTD_freeCCtx(cctx);
    return path;
}

/* ---- A log with a known story ------------------------------------------ */

#define APP "/nonexistent/report-test/app"
#define APP_BIAS 0x400000ull
#define SHIM "/nonexistent/report-test/libmemprof.so"
#define SHIM_BIAS 0x7f0000000000ull

/* Frames inside the app's segment [bias + 0x1000, bias + 0x3000). */
#define PC(off) (APP_BIAS + 0x1000 + (off))

static const uint64_t st_leak_big[] = { PC(0x10), PC(0x800) };
static const uint64_t st_leak_small[] = { PC(0x20), PC(0x800) };
static const uint64_t st_temps[] = { PC(0x30), PC(0x800) };
static const uint64_t st_peak[] = { PC(0x40), PC(0x800) };
static const uint64_t st_partly[] = { PC(0x50), PC(0x800) };
/* Two shim frames before the app's: the views drop them. */
static const uint64_t st_shim[] = { SHIM_BIAS + 0x1100, SHIM_BIAS + 0x1200, PC(0x60), PC(0x800) };

/*   stack 1 leak_big    2 x 1000 bytes, never freed
 *   stack 2 leak_small  3 x 10 bytes, never freed
 *   stack 3 temps       5 x 64, each freed at once (temporary)
 *   stack 4 peak        4 x 500, all live at t=100, then freed
 *   stack 5 partly      4 x 100, 3 freed, 1 leaked
 *   stack 6 (shim)      1 x 7, freed
 * Peak at t=100 (the last peak block): 2000 + 30 + 2000 + 100 (partly's
 * first, live then) = 4130 bytes. */
static const char *story_log(const char *name, int with_end)
{
    lb_t *b = lb_open(name, MP_MODE_FULL);
    uint64_t ts = 10, a;

    lb_module(b, 1, APP, APP_BIAS);
    lb_module(b, 2, SHIM, SHIM_BIAS);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, st_leak_big);
    lb_stack(b, 2, 2, st_leak_small);
    lb_stack(b, 3, 2, st_temps);
    lb_stack(b, 4, 2, st_peak);
    lb_stack(b, 5, 2, st_partly);
    lb_stack(b, 6, 4, st_shim);
    lb_batch(b, 1);
    lb_alloc(b, ts++, 0x1000, 1000, 1);
    lb_alloc(b, ts++, 0x2000, 1000, 1);
    for (a = 0; a < 3; a++)
        lb_alloc(b, ts++, 0x3000 + 16 * a, 10, 2);
    lb_alloc(b, ts++, 0x5000, 100, 5);
    for (a = 0; a < 5; a++) {
        lb_alloc(b, ts++, 0x4000, 64, 3);
        lb_free(b, ts++, 0x4000);
    }
    ts = 97;
    for (a = 0; a < 4; a++)
        lb_alloc(b, ts++, 0x6000 + 0x1000 * a, 500, 4); /* 97..100 */
    for (a = 0; a < 4; a++)
        lb_free(b, 200 + a, 0x6000 + 0x1000 * a);
    lb_free(b, 210, 0x5000);
    for (a = 0; a < 3; a++)
        lb_alloc(b, 220 + a, 0x5000 + 0x100 * a, 100, 5);
    lb_free(b, 230, 0x5000);
    lb_free(b, 231, 0x5100);
    lb_alloc(b, 240, 0x9000, 7, 6);
    lb_free(b, 241, 0x9000);
    lb_watermark(b, 300);
    if (with_end)
        lb_end(b, 2000000000);
    return lb_close(b);
}

static void lists_rank_stacks_biggest_first(void)
{
    mp_report_t *rep = report_ok(story_log("lists.mpz", 1), 10);
    const mp_report_list_t *l;

    if (!rep)
        return;
    l = mp_report_list(rep, MP_REPORT_LEAKS);
    CU_ASSERT_EQUAL(l->total, 3);
    CU_ASSERT_EQUAL_FATAL(l->n, 3);
    CU_ASSERT_EQUAL(l->v[0].site->stack_id, 1);
    CU_ASSERT_EQUAL(l->v[0].site->leaked_bytes, 2000);
    CU_ASSERT_EQUAL(l->v[0].site->leaked_blocks, 2);
    CU_ASSERT_EQUAL(l->v[1].site->stack_id, 5);
    CU_ASSERT_EQUAL(l->v[1].site->leaked_bytes, 100);
    CU_ASSERT_EQUAL(l->v[2].site->stack_id, 2);
    CU_ASSERT_EQUAL(l->v[2].site->leaked_bytes, 30);

    l = mp_report_list(rep, MP_REPORT_PEAK);
    CU_ASSERT_EQUAL_FATAL(l->n, 4);
    CU_ASSERT_EQUAL(l->v[0].site->peak_bytes, 2000); /* stacks 1 and 4 tie: by id */
    CU_ASSERT_EQUAL(l->v[0].site->stack_id, 1);
    CU_ASSERT_EQUAL(l->v[1].site->stack_id, 4);
    CU_ASSERT_EQUAL(l->v[2].site->stack_id, 5);
    CU_ASSERT_EQUAL(l->v[3].site->stack_id, 2);

    l = mp_report_list(rep, MP_REPORT_ALLOCS);
    CU_ASSERT_EQUAL(l->total, 6);
    CU_ASSERT_EQUAL(l->v[0].site->stack_id, 3); /* 5 */
    CU_ASSERT_EQUAL(l->v[1].site->stack_id, 4); /* 4, tie with 5: by id */
    CU_ASSERT_EQUAL(l->v[2].site->stack_id, 5);

    l = mp_report_list(rep, MP_REPORT_TEMPORARY);
    CU_ASSERT_FATAL(l->n >= 1);
    CU_ASSERT_EQUAL(l->v[0].site->stack_id, 3);
    CU_ASSERT_EQUAL(l->v[0].site->temporary, 5);

    CU_ASSERT_EQUAL(mp_report_facts(rep)->alloc_count, 19);
    CU_ASSERT_EQUAL(mp_report_facts(rep)->leaked_blocks, 6);
    mp_report_free(rep);
}

static void top_cuts_every_list_but_counts_all(void)
{
    mp_report_t *rep = report_ok(story_log("top.mpz", 1), 2);
    const mp_report_list_t *l;

    if (!rep)
        return;
    l = mp_report_list(rep, MP_REPORT_LEAKS);
    CU_ASSERT_EQUAL(l->n, 2);
    CU_ASSERT_EQUAL(l->total, 3);
    l = mp_report_list(rep, MP_REPORT_ALLOCS);
    CU_ASSERT_EQUAL(l->n, 2);
    CU_ASSERT_EQUAL(l->total, 6);
    /* Findings are never cut: every leaking stack has one, with its stack. */
    CU_ASSERT_EQUAL(mp_report_finding_count(rep), 3);
    for (size_t i = 0; i < 3; i++)
        CU_ASSERT_PTR_NOT_NULL(mp_report_finding(rep, i)->stack);
    mp_report_free(rep);

    rep = report_ok(story_log("all.mpz", 1), 0); /* 0: every stack */
    if (!rep)
        return;
    CU_ASSERT_EQUAL(mp_report_list(rep, MP_REPORT_ALLOCS)->n, 6);
    mp_report_free(rep);
}

static void findings_name_leaks_with_evidence_and_advice(void)
{
    mp_report_t *rep = report_ok(story_log("findings.mpz", 1), 10);
    const mp_report_finding_t *f;

    if (!rep)
        return;
    CU_ASSERT_EQUAL_FATAL(mp_report_finding_count(rep), 3);
    f = mp_report_finding(rep, 0);
    CU_ASSERT_STRING_EQUAL(f->f->kind, "leak");
    CU_ASSERT_EQUAL(f->f->bytes, 2000);
    CU_ASSERT_EQUAL(f->f->blocks, 2);
    CU_ASSERT_EQUAL(f->f->stack_id, 1);
    CU_ASSERT_STRING_EQUAL(f->f->evidence, "2 blocks, 2.0 KiB, allocated at 0.000 s, never freed");
    CU_ASSERT_STRING_EQUAL(f->f->advice, "free these blocks before exit, or they are lost");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->stack);
    CU_ASSERT_EQUAL(f->stack->nframes, 2);

    f = mp_report_finding(rep, 1); /* a stack that freed most of its blocks */
    CU_ASSERT_EQUAL(f->f->stack_id, 5);
    CU_ASSERT_EQUAL(f->f->blocks, 1);
    CU_ASSERT_STRING_EQUAL(f->f->evidence,
                           "1 block, 100 B, never freed, of 4 allocated here at 0.000 s");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->f->advice, "find the path"));
    CU_ASSERT_EQUAL(mp_report_finding(rep, 2)->f->stack_id, 2);
    mp_report_free(rep);
}

static void a_log_without_end_is_partial_and_says_live_at_the_end(void)
{
    mp_report_t *rep = report_ok(story_log("noend.mpz", 0), 10);
    mp_replay_summary_t s;
    char *text;

    if (!rep)
        return;
    mp_replay_summary(mp_report_replay(rep), &s);
    CU_ASSERT_TRUE(s.partial);
    CU_ASSERT_EQUAL(s.stop.code, 0);
    CU_ASSERT_EQUAL_FATAL(mp_report_finding_count(rep), 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_report_finding(rep, 0)->f->evidence,
                                  "still live when the log ends"));
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_report_finding(rep, 0)->f->advice, "the log ends before"));
    text = render(rep, 0, 12);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\npartial: the log ends at byte "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "without an END record"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "live at the end"));
    free(text);
    text = render(rep, 1, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"complete\": false"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"damaged\": false"));
    free(text);
    mp_report_free(rep);
}

static void a_clean_log_has_no_findings(void)
{
    static const uint64_t frames[] = { PC(0x10) };
    lb_t *b = lb_open("clean.mpz", MP_MODE_FULL);
    mp_report_t *rep;
    char *text;

    lb_module(b, 1, APP, APP_BIAS);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 1, frames);
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 100, 1);
    lb_alloc(b, 11, 0x2000, 100, 1);
    lb_free(b, 12, 0x1000);
    lb_free(b, 13, 0x2000);
    lb_end(b, 20);
    rep = report_ok(lb_close(b), 10);
    if (!rep)
        return;
    CU_ASSERT_EQUAL(mp_report_finding_count(rep), 0);
    CU_ASSERT_EQUAL(mp_report_list(rep, MP_REPORT_LEAKS)->total, 0);
    text = render(rep, 0, 12);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nFindings: none\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "leaked at exit   nothing\n"));
    free(text);
    text = render(rep, 1, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"findings\": []"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"leaks\": []"));
    free(text);
    mp_report_free(rep);
}

/* ---- Stacks ------------------------------------------------------------ */

static void shim_frames_are_dropped(void)
{
    mp_report_t *rep = report_ok(story_log("shim.mpz", 1), 0);
    const mp_report_list_t *l;
    const mp_report_stack_t *s = NULL;

    if (!rep)
        return;
    l = mp_report_list(rep, MP_REPORT_ALLOCS);
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].site->stack_id == 6)
            s = l->v[i].stack;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(s->shim_frames, 2);
    CU_ASSERT_EQUAL_FATAL(s->nframes, 2);
    CU_ASSERT_STRING_EQUAL(s->frames[0].module, APP);
    /* A return address: pc is one less; offset is the module's ELF address. */
    CU_ASSERT_EQUAL(s->frames[0].pc, PC(0x60) - 1);
    CU_ASSERT_EQUAL(s->frames[0].module_offset, 0x1000 + 0x60 - 1);
    CU_ASSERT_PTR_NULL(s->frames[0].function);
    mp_report_free(rep);
}

static void missing_module_warns_once_and_falls_back(void)
{
    mp_report_t *rep = report_ok(story_log("warn.mpz", 1), 10);
    char *text;

    if (!rep)
        return;
    CU_ASSERT_EQUAL_FATAL(mp_report_warning_count(rep), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_report_warning(rep, 0), APP));
    text = render(rep, 0, 12);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "        app+0x100f\n        app+0x17ff\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nSymbols\n  " APP ": cannot open it"));
    free(text);
    mp_report_free(rep);
}

/* A library unloaded at t=100 and another loaded at the same address
 * later: a stack used before the unload resolves in the first, one used
 * after in the second — even though the second's MODULE record is written
 * (and the replay reads it) before either stack is symbolized. */
static void a_stack_resolves_in_the_module_mapped_when_it_was_used(void)
{
    static const uint64_t frames[] = { 0x7e0000001100ull };
    static const uint64_t frames2[] = { 0x7e0000001200ull };
    lb_t *b = lb_open("modtime.mpz", MP_MODE_FULL);
    mp_report_t *rep;
    const mp_report_list_t *l;

    lb_module(b, 1, "/nonexistent/report-test/liba.so", 0x7e0000000000ull);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 1, frames);
    lb_batch(b, 1);
    lb_alloc(b, 50, 0x1000, 10, 1);
    lb_module_gone(b, 1, 100);
    lb_module(b, 2, "/nonexistent/report-test/libb.so", 0x7e0000000000ull);
    lb_stack(b, 2, 1, frames2);
    lb_batch(b, 1);
    lb_alloc(b, 150, 0x2000, 20, 2);
    lb_end(b, 200);
    rep = report_ok(lb_close(b), 10);
    if (!rep)
        return;
    l = mp_report_list(rep, MP_REPORT_LEAKS);
    CU_ASSERT_EQUAL_FATAL(l->n, 2);
    CU_ASSERT_EQUAL(l->v[0].site->stack_id, 2);
    CU_ASSERT_EQUAL_FATAL(l->v[0].stack->nframes, 1);
    CU_ASSERT_STRING_EQUAL(l->v[0].stack->frames[0].module, "/nonexistent/report-test/libb.so");
    CU_ASSERT_EQUAL(l->v[1].site->stack_id, 1);
    CU_ASSERT_EQUAL_FATAL(l->v[1].stack->nframes, 1);
    CU_ASSERT_STRING_EQUAL(l->v[1].stack->frames[0].module, "/nonexistent/report-test/liba.so");
    mp_report_free(rep);
}

/* The MODULE record of a dlopen'd library comes when the shim's writer
 * notices it, after the library's first allocations: its stacks still
 * resolve in it. */
static void a_module_noticed_late_still_names_earlier_stacks(void)
{
    static const uint64_t frames[] = { 0x7d0000001100ull };
    lb_t *b = lb_open("late.mpz", MP_MODE_FULL);
    mp_report_t *rep;
    const mp_report_list_t *l;

    lb_thread(b, 1, "main");
    lb_stack(b, 1, 1, frames);
    lb_batch(b, 1);
    lb_alloc(b, 50, 0x1000, 10, 1);
    lb_module(b, 1, "/nonexistent/report-test/liblate.so", 0x7d0000000000ull);
    lb_end(b, 200);
    rep = report_ok(lb_close(b), 10);
    if (!rep)
        return;
    l = mp_report_list(rep, MP_REPORT_LEAKS);
    CU_ASSERT_EQUAL_FATAL(l->n, 1);
    CU_ASSERT_EQUAL_FATAL(l->v[0].stack->nframes, 1);
    CU_ASSERT_STRING_EQUAL(l->v[0].stack->frames[0].module,
                           "/nonexistent/report-test/liblate.so");
    mp_report_free(rep);
}

/* ---- Sampled mode ------------------------------------------------------ */

static void sampled_figures_are_estimates(void)
{
    static const uint64_t frames[] = { PC(0x10) };
    lb_t *b = lb_open("sampled.mpz", MP_MODE_SAMPLED);
    mp_report_t *rep;
    char *text;

    lb_module(b, 1, APP, APP_BIAS);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 1, frames);
    lb_batch(b, 1);
    /* Each sample of 100 bytes stands for 1000: 10 allocations. */
    lb_sample(b, 10, 0x1000, 100, 1, 1000);
    lb_sample(b, 11, 0x2000, 100, 1, 1000);
    lb_free(b, 12, 0x1000);
    lb_end(b, 20);
    rep = report_ok(lb_close(b), 10);
    if (!rep)
        return;
    CU_ASSERT_EQUAL(mp_report_facts(rep)->alloc_count, 20);
    CU_ASSERT_EQUAL(mp_report_facts(rep)->leaked_blocks, 10);
    CU_ASSERT_EQUAL_FATAL(mp_report_finding_count(rep), 1);
    CU_ASSERT_EQUAL(mp_report_finding(rep, 0)->f->bytes, 1000);
    CU_ASSERT_EQUAL(mp_report_finding(rep, 0)->f->blocks, 10);
    CU_ASSERT_PTR_NOT_NULL(strstr(mp_report_finding(rep, 0)->f->evidence, "about 10 blocks"));
    text = render(rep, 0, 12);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "mode       sampled"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "allocations      ~20, 2.0 KiB"));
    free(text);
    text = render(rep, 1, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"allocations\": 20,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"samples\": 2,"));
    free(text);
    mp_report_free(rep);
}

/* ---- Views ------------------------------------------------------------- */

static void text_depth_limits_frames_json_has_them_all(void)
{
    uint64_t deep[40];
    lb_t *b = lb_open("deep.mpz", MP_MODE_FULL);
    mp_report_t *rep;
    char *text;

    for (int i = 0; i < 40; i++)
        deep[i] = PC(0x10 * (uint64_t)i + 1);
    lb_module(b, 1, APP, APP_BIAS);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 40, deep);
    lb_batch(b, 1);
    lb_alloc(b, 10, 0x1000, 100, 1);
    lb_end(b, 20);
    rep = report_ok(lb_close(b), 10);
    if (!rep)
        return;
    text = render(rep, 0, 12);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "        ... 28 more frames (--depth)\n"));
    free(text);
    text = render(rep, 0, 0);
    CU_ASSERT_PTR_NULL(strstr(text, "more frames"));
    free(text);
    text = render(rep, 1, 3);
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, "\"module_offset\"")) != NULL; p++)
        n++;
    CU_ASSERT_EQUAL(n, 4 * 40); /* findings, leaks, peak, top_allocations */
    free(text);
    mp_report_free(rep);
}

static void json_strings_are_escaped_and_valid_utf8(void)
{
    static const mp_str_t argv[] = { { "a\"b\\c", 5 }, { "tab\there\x01", 10 },
                                     { "caf\xc3\xa9", 5 }, { "bad\xff\xc3", 5 } };
    mp_rec_process_t p = { .pid = 7, .ppid = 1, .start_real_ns = 0, .mode = MP_MODE_FULL,
                           .heap_page_size = 8192, .max_depth = 64,
                           .exe = { "/bin/x", 6 }, .argc = 4, .argv = argv };
    mp_report_t *rep;
    char *text;

    rep = report_ok(t_process_only_log("escape.mpz", &p), 10);
    if (!rep)
        return;
    text = render(rep, 1, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"a\\\"b\\\\c\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"tab\\there\\u0001\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"caf\xc3\xa9\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"bad\\ufffd\\ufffd\""));
    free(text);
    text = render(rep, 0, 0); /* control characters never reach a terminal */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "tab?here?"));
    free(text);
    mp_report_free(rep);
}

static void human_units(void)
{
    char b[MP_HUMAN_MAX];

    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 0), "0 B");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 1023), "1023 B");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 1024), "1.0 KiB");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 4096 + 512), "4.5 KiB");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 1048575), "1.0 MiB");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 1048576), "1.0 MiB");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, 3ull << 30), "3.0 GiB");
    CU_ASSERT_STRING_EQUAL(mp_human_bytes(b, sizeof b, UINT64_MAX), "16.0 EiB");
    CU_ASSERT_STRING_EQUAL(mp_human_secs(b, sizeof b, 0), "0.000 s");
    CU_ASSERT_STRING_EQUAL(mp_human_secs(b, sizeof b, 5400000), "0.005 s");
    CU_ASSERT_STRING_EQUAL(mp_human_secs(b, sizeof b, 999600000), "1.00 s");
    CU_ASSERT_STRING_EQUAL(mp_human_secs(b, sizeof b, 1234567890), "1.23 s");
    CU_ASSERT_STRING_EQUAL(mp_human_secs(b, sizeof b, 754200000000ull), "754.2 s");
}

static void not_a_log_gives_nothing_and_says_why(void)
{
    const char *path = lb_path("notalog.mpz");
    FILE *f = fopen(path, "w");
    mp_report_t *rep = (mp_report_t *)1;
    mp_log_error_t err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("hello, this is not a log\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(mp_report_build(path, NULL, &rep, &err), MP_ELOG_MAGIC);
    CU_ASSERT_PTR_NULL(rep);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a memprof log"));
}

void mp_test_register(void)
{
    MP_SUITE("report_model", MP_TEST(lists_rank_stacks_biggest_first),
             MP_TEST(top_cuts_every_list_but_counts_all),
             MP_TEST(findings_name_leaks_with_evidence_and_advice),
             MP_TEST(a_log_without_end_is_partial_and_says_live_at_the_end),
             MP_TEST(a_clean_log_has_no_findings), MP_TEST(sampled_figures_are_estimates),
             MP_TEST(not_a_log_gives_nothing_and_says_why));
    MP_SUITE("report_stacks", MP_TEST(shim_frames_are_dropped),
             MP_TEST(missing_module_warns_once_and_falls_back),
             MP_TEST(a_stack_resolves_in_the_module_mapped_when_it_was_used),
             MP_TEST(a_module_noticed_late_still_names_earlier_stacks));
    MP_SUITE("report_views", MP_TEST(text_depth_limits_frames_json_has_them_all),
             MP_TEST(json_strings_are_escaped_and_valid_utf8), MP_TEST(human_units));
    t_register_report_damage();
}
