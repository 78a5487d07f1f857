/*
 * mkbad.c — writes small synthetic logs, right and wrong, through the real
 * encoder and chunk writer, so that integration.record.checklog can show
 * that checklog finds what it is meant to find (a checker that passes
 * everything proves nothing).
 *
 *     mkbad SCENARIO OUT.mpz
 *
 * Scenarios (what checklog must say is in checklog.sh):
 *   good               cross-thread reuse, an equal-timestamp tie that only
 *                      the address state orders, an allocation in a later
 *                      chunk than the free that follows it in time (within
 *                      the watermark), an in-place REALLOC, a REALLOC and a
 *                      free of addresses never allocated, a module loaded
 *                      and gone
 *   no_end             good without END
 *   free_before_alloc  A lives 5..6; tid 2 frees it at 10, tid 1 allocates
 *                      it at 20
 *   double_alloc       A allocated by two threads, never freed between
 *   double_free        A allocated, freed, freed
 *   tie_double_alloc   two threads allocate A at the same ts
 *   late_event         an event in chunk 2 below chunk 1's watermark
 *   undefined_stack    an ALLOC using a stack no record defined
 *   deep_stack         a STACK with more frames than max_depth
 *   dup_module         two MODULE records with one id
 *   end_count          END counts one event too many
 *   after_gone         an allocation from a module after its MODULE_GONE
 *   bad_snapshot       a SNAPSHOT whose page-heap bytes do not add up
 *   bad_span           a SPAN "take" (op 1) with class 0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_chunk.h"
#include "log_encode.h"

static uint8_t raw[64 * 1024];
static uint8_t out[64 * 1024 + 1024];
static _Alignas(8) uint8_t workspace[8 << 20];

static mp_enc_t enc;
static ZSTD_CCtx *cctx;
static uint32_t seq;
static FILE *file;
static uint64_t n_events;
static const char *scenario;

static int is(const char *s) { return strcmp(scenario, s) == 0; }

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "mkbad: %s failed: %s\n", what, mp_log_strerror(rc));
        exit(1);
    }
}

static void flush_chunk(void)
{
    size_t n;
    check(mp_chunk_write(cctx, seq++, enc.buf, enc.len, out, sizeof out, &n), "chunk");
    if (fwrite(out, 1, n, file) != n) {
        perror("mkbad: write");
        exit(1);
    }
    mp_enc_reset(&enc);
}

#define A 0x10000
#define B 0x20000
#define C 0x30000
#define MOD_BIAS 0x7f0000000000
#define MOD_FN (MOD_BIAS + 0x1100)

/* One event in a batch of its own: tid, kind, ts, addr (REALLOC: old, new). */
static void ev(uint64_t tid, int kind, uint64_t ts, uint64_t addr, uint64_t addr2,
               uint64_t stack)
{
    mp_enc_batch_t b;
    check(mp_enc_batch_begin(&enc, &b, tid, ts), "batch");
    switch (kind) {
    case MP_EV_ALLOC:
        check(mp_enc_ev_alloc(&enc, &b, ts, addr, 64, stack), "alloc");
        break;
    case MP_EV_FREE:
        check(mp_enc_ev_free(&enc, &b, ts, addr), "free");
        break;
    case MP_EV_REALLOC:
        check(mp_enc_ev_realloc(&enc, &b, ts, addr, addr2, 128, stack), "realloc");
        break;
    }
    check(mp_enc_batch_end(&enc, &b), "batch end");
    n_events++;
}

static void wm(uint64_t ts)
{
    check(mp_enc_watermark(&enc, &(mp_rec_watermark_t){ts}), "watermark");
}

static void head(void)
{
    static const mp_str_t argv[] = {{"synthetic", 9}};
    static const mp_class_info_t classes[] = {{16, 1}, {32, 1}};
    static const mp_segment_t segs[] = {{0x1000, 0x1000, MP_SEG_R | MP_SEG_X}};
    static const uint64_t frames1[] = {0x401000, 0x402000};
    static const uint64_t frames_mod[] = {MOD_FN, 0x402000};
    static const uint64_t frames_deep[] = {0x401000, 0x402000, 0x403000};
    mp_rec_process_t p;
    memset(&p, 0, sizeof p);
    p.pid = 100;
    p.ppid = 1;
    p.page_size = 4096;
    p.heap_page_size = 8192;
    p.mode = MP_MODE_FULL;
    p.max_depth = 2;
    p.exe = (mp_str_t){"/synthetic", 10};
    p.argc = 1;
    p.argv = argv;
    check(mp_enc_process(&enc, &p), "PROCESS");
    check(mp_enc_classes(&enc, &(mp_rec_classes_t){2, classes}), "CLASSES");
    mp_rec_module_t m = {1, 0, MOD_BIAS, {"/lib/libmod.so", 14}, {NULL, 0}, 1, segs};
    check(mp_enc_module(&enc, &m), "MODULE");
    if (is("dup_module"))
        check(mp_enc_module(&enc, &m), "MODULE");
    check(mp_enc_thread(&enc, &(mp_rec_thread_t){1, 0, {"one", 3}}), "THREAD");
    check(mp_enc_thread(&enc, &(mp_rec_thread_t){2, 0, {"two", 3}}), "THREAD");
    check(mp_enc_stack(&enc, &(mp_rec_stack_t){1, 2, frames1}), "STACK");
    check(mp_enc_stack(&enc, &(mp_rec_stack_t){2, 2, frames_mod}), "STACK");
    if (is("deep_stack"))
        check(mp_enc_stack(&enc, &(mp_rec_stack_t){3, 3, frames_deep}), "STACK");
    flush_chunk();
}

static void good_events(void)
{
    /* chunk 1: A allocated by tid 1 at 10; at 20 tid 2 frees it and tid 1
     * allocates it again — a tie, tid 1's event written first, so only the
     * address state puts the free first; tid 1 frees it at 25. Then tid 2
     * frees A at 40... */
    ev(1, MP_EV_ALLOC, 10, A, 0, 1);
    ev(1, MP_EV_ALLOC, 20, A, 0, 1);
    ev(2, MP_EV_FREE, 20, A, 0, 0);
    ev(1, MP_EV_FREE, 25, A, 0, 0);
    ev(2, MP_EV_FREE, 40, A, 0, 0);
    wm(15);
    flush_chunk();
    /* chunk 2: ...after tid 1 allocated it at 30, which comes a chunk
     * later: legal, 30 is above the last watermark (15). Read in log order
     * the free at 40 would be a double free. */
    ev(1, MP_EV_ALLOC, 30, A, 0, 1);
    ev(1, MP_EV_REALLOC, 35, B, B, 1); /* B was never allocated: unknown old */
    ev(1, MP_EV_ALLOC, 50, C, 0, 1);
    ev(1, MP_EV_REALLOC, 60, C, C, 1); /* in place */
    ev(2, MP_EV_FREE, 70, 0x999000, 0, 0); /* never allocated: unknown free */
    ev(1, MP_EV_ALLOC, 80, 0x50000, 0, 2); /* from the module, kept */
    wm(100);
    flush_chunk();
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mkbad SCENARIO OUT.mpz\n");
        return 2;
    }
    scenario = argv[1];
    check(mp_chunk_cctx_init(workspace, sizeof workspace, MP_CHUNK_DEFAULT_LEVEL, &cctx), "zstd");
    file = fopen(argv[2], "wb");
    if (!file) {
        perror(argv[2]);
        return 1;
    }
    mp_enc_init(&enc, raw, sizeof raw);
    check(mp_enc_file_header(&enc), "header");
    fwrite(enc.buf, 1, enc.len, file);
    mp_enc_reset(&enc);
    head();

    if (is("good") || is("no_end") || is("dup_module") || is("deep_stack") ||
        is("end_count")) {
        good_events();
    } else if (is("free_before_alloc")) {
        /* A had a life before (5..6), so the free at 10 is not of an
         * address the log never saw: it frees a dead block. */
        ev(1, MP_EV_ALLOC, 5, A, 0, 1);
        ev(1, MP_EV_FREE, 6, A, 0, 0);
        ev(1, MP_EV_ALLOC, 20, A, 0, 1);
        ev(2, MP_EV_FREE, 10, A, 0, 0);
        wm(100);
        flush_chunk();
    } else if (is("double_alloc")) {
        ev(1, MP_EV_ALLOC, 10, A, 0, 1);
        ev(2, MP_EV_ALLOC, 20, A, 0, 1);
        wm(100);
        flush_chunk();
    } else if (is("double_free")) {
        ev(1, MP_EV_ALLOC, 10, A, 0, 1);
        ev(2, MP_EV_FREE, 20, A, 0, 0);
        ev(1, MP_EV_FREE, 30, A, 0, 0);
        wm(100);
        flush_chunk();
    } else if (is("tie_double_alloc")) {
        ev(1, MP_EV_ALLOC, 10, A, 0, 1);
        ev(2, MP_EV_ALLOC, 10, A, 0, 1);
        wm(100);
        flush_chunk();
    } else if (is("late_event")) {
        ev(1, MP_EV_ALLOC, 10, A, 0, 1);
        wm(100);
        flush_chunk();
        ev(2, MP_EV_ALLOC, 50, B, 0, 1);
        wm(200);
        flush_chunk();
    } else if (is("undefined_stack")) {
        ev(1, MP_EV_ALLOC, 10, A, 0, 7);
        wm(100);
        flush_chunk();
    } else if (is("bad_snapshot")) {
        mp_rec_snapshot_t sn;
        memset(&sn, 0, sizeof sn);
        sn.ts = 5;
        sn.mapped = 1 << 20;
        sn.in_use = 8192;
        check(mp_enc_snapshot(&enc, &sn), "SNAPSHOT");
        flush_chunk();
    } else if (is("bad_span")) {
        mp_enc_batch_t b;
        check(mp_enc_batch_begin(&enc, &b, 1, 5), "batch");
        check(mp_enc_ev_span(&enc, &b, 5, MP_SPAN_TAKE, 0, 1, 0x100000), "span");
        check(mp_enc_batch_end(&enc, &b), "batch end");
        n_events++;
        wm(100);
        flush_chunk();
    } else if (is("after_gone")) {
        ev(1, MP_EV_ALLOC, 10, A, 0, 2);
        check(mp_enc_module_gone(&enc, &(mp_rec_module_gone_t){1, 50}), "MODULE_GONE");
        ev(1, MP_EV_ALLOC, 60, B, 0, 2);
        wm(100);
        flush_chunk();
    } else {
        fprintf(stderr, "mkbad: no scenario %s\n", scenario);
        return 2;
    }
    if (is("good"))
        check(mp_enc_module_gone(&enc, &(mp_rec_module_gone_t){1, 90}), "MODULE_GONE");
    if (!is("no_end")) {
        uint64_t n = n_events + (is("end_count") ? 1 : 0);
        check(mp_enc_end(&enc, &(mp_rec_end_t){200, MP_END_EXIT, 0, n}), "END");
        flush_chunk();
    }
    if (fclose(file) != 0) {
        perror("mkbad: close");
        return 1;
    }
    return 0;
}
