/*
 * mkreport.c — writes the synthetic logs of the `memprof report` golden
 * tests (../report.cmake, report.sh) into a directory, through the real
 * encoder (formats/log_encode) and chunk writer (formats/log_chunk):
 *
 *   story.mpz          a server, pid 4242: what every section of a report
 *                      shows (below), in four chunks, with snapshots
 *   story.mpz.4343     its forked child, pid 4343, which leaks one block and
 *                      then execs another program (END reason exec)
 *   story.mpz.4343.1   the program the child exec'd, still pid 4343
 *   sampled.mpz        a sampled-mode log, pid 5000
 *
 * The story of story.mpz (times in ms since the start):
 *   stack 1 load_config    3 x 48 bytes at 1, 2, 3, never freed
 *   stack 2 grow_table     malloc(64) at 5, realloc to 256, 1024, 4096
 *                          at 6..8 (in place at 8), never freed
 *   stack 3 parse_request  100 x 32 bytes, each freed at once (10..209)
 *   stack 4 build_index    50 x 1000 at 300..349, freed at 400..449: the
 *                          peak, 144 + 4096 + 50000 + 16 = 54256 bytes at 349
 *   stack 5 handler        1 x 16 at 250, through two frames of memprof's
 *                          shim (dropped from the report), never freed
 *   END at 2500 ms, exit status 0.
 *
 * The modules do not exist (/nonexistent/...), so every frame falls back to
 * module+offset and the output does not depend on the machine; it depends
 * on the libzstd version only through the log's size and byte offsets
 * (report.sh normalizes those when `mkreport --zstd-version` differs from
 * expected/zstd-version).
 *
 * Usage: mkreport DIR | mkreport --zstd-version
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_chunk.h"
#include "log_encode.h"

#define STR(s) ((mp_str_t){ (s), sizeof(s) - 1 })
#define SV(s) { (s), sizeof(s) - 1 } /* in static initializers */
#define MS 1000000ull

static uint8_t raw[64 * 1024];
static uint8_t out[64 * 1024 + 1024];
static ZSTD_CCtx *cctx;
static mp_enc_t enc;
static mp_enc_batch_t batch;
static uint32_t seq;
static FILE *file;

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "mkreport: %s failed: %s\n", what, mp_log_strerror(rc));
        exit(1);
    }
}

static void flush_chunk(void)
{
    size_t n;

    if (batch.open)
        check(mp_enc_batch_end(&enc, &batch), "batch end");
    if (enc.len == 0)
        return;
    check(mp_chunk_write(cctx, seq++, enc.buf, enc.len, out, sizeof out, &n), "chunk");
    if (fwrite(out, 1, n, file) != n) {
        perror("mkreport: write");
        exit(1);
    }
    mp_enc_reset(&enc);
}

static void open_log(const char *dir, const char *name)
{
    char path[4096];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    file = fopen(path, "wb");
    if (!file) {
        perror(path);
        exit(1);
    }
    seq = 0;
    mp_enc_init(&enc, raw, sizeof raw);
    check(mp_enc_file_header(&enc), "header");
    if (fwrite(enc.buf, 1, enc.len, file) != enc.len) {
        perror("mkreport: write");
        exit(1);
    }
    mp_enc_reset(&enc);
}

static void close_log(void)
{
    flush_chunk();
    if (fclose(file) != 0) {
        perror("mkreport: close");
        exit(1);
    }
}

static void batch_begin(uint64_t tid, uint64_t ts)
{
    if (batch.open)
        check(mp_enc_batch_end(&enc, &batch), "batch end");
    check(mp_enc_batch_begin(&enc, &batch, tid, ts), "batch");
}

static void rec_done(int rc, const char *what)
{
    check(rc, what);
}

/* A record: closes the open batch first. */
#define RECORD(call, what)                                              \
    do {                                                                \
        if (batch.open)                                                 \
            check(mp_enc_batch_end(&enc, &batch), "batch end");         \
        rec_done((call), (what));                                       \
    } while (0)

static const mp_class_info_t classes[] = { { 16, 1 }, { 32, 1 }, { 48, 1 },
                                           { 64, 1 }, { 256, 1 }, { 1024, 1 }, { 4096, 2 } };
#define NCLASSES (sizeof classes / sizeof classes[0])

static void process(uint64_t pid, uint64_t ppid, uint64_t start_s, unsigned mode,
                    const char *exe, uint32_t argc, const mp_str_t *argv)
{
    RECORD(mp_enc_process(&enc, &(mp_rec_process_t){
                                    .pid = pid, .ppid = ppid,
                                    .start_real_ns = start_s * 1000000000ull + 250 * MS,
                                    .start_mono_ns = 5000 * MS, .page_size = 4096,
                                    .heap_page_size = 8192, .mode = mode,
                                    .sample_interval = mode == MP_MODE_SAMPLED ? 65536 : 0,
                                    .max_depth = 64, .exe = { exe, strlen(exe) },
                                    .argc = argc, .argv = argv }),
           "PROCESS");
    RECORD(mp_enc_classes(&enc, &(mp_rec_classes_t){ .n = NCLASSES, .classes = classes }),
           "CLASSES");
}

#define APP "/nonexistent/memprof-report-test/app"
#define LIBC "/nonexistent/memprof-report-test/libc.so.6"
#define SHIM "/nonexistent/memprof-report-test/libmemprof.so"
#define APP_BIAS 0x555555554000ull
#define LIBC_BIAS 0x7ffff7c00000ull
#define SHIM_BIAS 0x7ffff7f00000ull

static void modules(void)
{
    static const uint8_t app_id[] = { 0xa1, 0x7e, 0x00, 0x01 };
    static const uint8_t libc_id[] = { 0xc1, 0x7e, 0x00, 0x02 };
    static const uint8_t shim_id[] = { 0x5e, 0x7e, 0x00, 0x03 };
    static const mp_segment_t app_segs[] = { { 0x0, 0x1000, MP_SEG_R },
                                             { 0x1000, 0x3000, MP_SEG_R | MP_SEG_X } };
    static const mp_segment_t libc_segs[] = { { 0x0, 0x26000, MP_SEG_R },
                                              { 0x26000, 0x155000, MP_SEG_R | MP_SEG_X } };
    static const mp_segment_t shim_segs[] = { { 0x0, 0x2000, MP_SEG_R },
                                              { 0x2000, 0xd000, MP_SEG_R | MP_SEG_X } };

    RECORD(mp_enc_module(&enc, &(mp_rec_module_t){ .id = 1, .bias = APP_BIAS, .path = STR(APP),
                                                   .build_id = { app_id, 4 }, .nseg = 2,
                                                   .segs = app_segs }),
           "MODULE");
    RECORD(mp_enc_module(&enc, &(mp_rec_module_t){ .id = 2, .bias = LIBC_BIAS,
                                                   .path = STR(LIBC),
                                                   .build_id = { libc_id, 4 }, .nseg = 2,
                                                   .segs = libc_segs }),
           "MODULE");
    RECORD(mp_enc_module(&enc, &(mp_rec_module_t){ .id = 3, .bias = SHIM_BIAS,
                                                   .path = STR(SHIM),
                                                   .build_id = { shim_id, 4 }, .nseg = 2,
                                                   .segs = shim_segs }),
           "MODULE");
}

static void thread(uint64_t tid, const char *name)
{
    RECORD(mp_enc_thread(&enc, &(mp_rec_thread_t){ .tid = tid, .ts = 0,
                                                  .name = { name, strlen(name) } }),
           "THREAD");
}

static void stack(uint64_t id, uint32_t n, const uint64_t *frames)
{
    RECORD(mp_enc_stack(&enc, &(mp_rec_stack_t){ .id = id, .n = n, .frames = frames }),
           "STACK");
}

static void watermark(uint64_t ts)
{
    RECORD(mp_enc_watermark(&enc, &(mp_rec_watermark_t){ .ts = ts }), "WATERMARK");
}

/* A snapshot with per-class (spans, live objects). */
static void snapshot(uint64_t ts, uint64_t rss, const mp_class_stat_t *cls)
{
    RECORD(mp_enc_snapshot(&enc, &(mp_rec_snapshot_t){
                                     .ts = ts, .rss = rss, .mapped = 64ull << 20,
                                     .in_use = 512ull << 10,
                                     .idle = 256ull << 10,
                                     .released = (64ull << 20) - (768ull << 10),
                                     .large_objects = 0, .large_bytes = 0,
                                     .n = NCLASSES, .classes = cls }),
           "SNAPSHOT");
}

static void end(uint64_t ts, uint64_t reason, uint64_t detail, uint64_t events)
{
    RECORD(mp_enc_end(&enc, &(mp_rec_end_t){ .ts = ts, .reason = reason, .detail = detail,
                                             .events = events }),
           "END");
}

#define A(off) (APP_BIAS + 0x1000 + (off))
#define L(off) (LIBC_BIAS + 0x26000 + (off))
#define S(off) (SHIM_BIAS + 0x2000 + (off))

static void alloc(uint64_t ts, uint64_t addr, uint64_t size, uint64_t st)
{
    check(mp_enc_ev_alloc(&enc, &batch, ts, addr, size, st), "ALLOC");
}

static void story(const char *dir)
{
    static const mp_str_t argv[] = { SV("app"), SV("--serve"), SV("--port=8080") };
    static const uint64_t st1[] = { A(0x105), A(0x2a0), A(0x900), L(0x1d90), A(0x35) };
    static const uint64_t st2[] = { A(0x210), A(0x2b4), A(0x900), L(0x1d90), A(0x35) };
    static const uint64_t st3[] = { A(0x320), A(0x4c8), A(0x920), L(0x1d90), A(0x35) };
    static const uint64_t st4[] = { A(0x430), A(0x2c8), A(0x900), L(0x1d90), A(0x35) };
    static const uint64_t st5[] = { S(0x110), S(0x240), A(0x540), A(0x4dc), A(0x920),
                                    L(0x1d90), A(0x35) };
    /* Per class 16, 32, 48, 64, 256, 1024, 4096: (spans, live objects). */
    static const mp_class_stat_t early[] = { { 0, 0 }, { 1, 0 }, { 1, 3 }, { 0, 0 },
                                             { 1, 0 }, { 1, 0 }, { 1, 1 } };
    static const mp_class_stat_t at_peak[] = { { 1, 1 }, { 1, 0 }, { 1, 3 }, { 0, 0 },
                                               { 1, 0 }, { 7, 50 }, { 1, 1 } };
    static const mp_class_stat_t late[] = { { 1, 1 }, { 1, 0 }, { 1, 3 }, { 0, 0 },
                                            { 1, 0 }, { 7, 0 }, { 1, 1 } };
    uint64_t ts;

    open_log(dir, "story.mpz");
    process(4242, 4200, 1700000000, MP_MODE_FULL, APP, 3, argv);
    modules();
    thread(4242, "app");
    stack(1, 5, st1);
    stack(2, 5, st2);
    stack(3, 5, st3);
    flush_chunk();

    batch_begin(4242, 0);
    alloc(1 * MS, 0x7fff00001000, 48, 1);
    alloc(2 * MS, 0x7fff00001030, 48, 1);
    alloc(3 * MS, 0x7fff00001060, 48, 1);
    alloc(5 * MS, 0x7fff00002000, 64, 2);
    check(mp_enc_ev_realloc(&enc, &batch, 6 * MS, 0x7fff00002000, 0x7fff00003000, 256, 2),
          "REALLOC");
    check(mp_enc_ev_realloc(&enc, &batch, 7 * MS, 0x7fff00003000, 0x7fff00004000, 1024, 2),
          "REALLOC");
    check(mp_enc_ev_realloc(&enc, &batch, 8 * MS, 0x7fff00004000, 0x7fff00006000, 4096, 2),
          "REALLOC");
    for (ts = 10; ts < 210; ts += 2) {
        alloc(ts * MS, 0x7fff00008000, 32, 3);
        check(mp_enc_ev_free(&enc, &batch, (ts + 1) * MS, 0x7fff00008000), "FREE");
    }
    snapshot(220 * MS, 3 << 20, early);
    watermark(230 * MS);
    stack(4, 5, st4);
    stack(5, 7, st5);
    flush_chunk();

    batch_begin(4242, 240 * MS);
    alloc(250 * MS, 0x7fff00009000, 16, 5);
    for (ts = 0; ts < 50; ts++)
        alloc((300 + ts) * MS, 0x7fff00100000 + ts * 1024, 1000, 4);
    snapshot(350 * MS, 5 << 20, at_peak);
    batch_begin(4242, 350 * MS);
    for (ts = 0; ts < 50; ts++)
        check(mp_enc_ev_free(&enc, &batch, (400 + ts) * MS, 0x7fff00100000 + ts * 1024),
              "FREE");
    watermark(460 * MS);
    flush_chunk();

    snapshot(2400 * MS, 4 << 20, late);
    end(2500 * MS, MP_END_EXIT, 0, 308);
    close_log();
}

static void child(const char *dir)
{
    static const mp_str_t argv[] = { SV("app"), SV("--serve"), SV("--port=8080") };
    static const mp_str_t argv2[] = { SV("/bin/sh"), SV("-c"), SV("rotate-logs") };
    static const uint64_t st1[] = { A(0x650), A(0x960), L(0x1d90), A(0x35) };
    static const uint64_t st2[] = { L(0x8a000), L(0x1d90) };

    open_log(dir, "story.mpz.4343");
    process(4343, 4242, 1700000001, MP_MODE_FULL, APP, 3, argv);
    modules();
    thread(4343, "app");
    stack(1, 4, st1);
    batch_begin(4343, 0);
    alloc(1 * MS, 0x7fff00001000, 100, 1);
    watermark(2 * MS);
    end(40 * MS, MP_END_EXEC, 0, 1);
    close_log();

    open_log(dir, "story.mpz.4343.1");
    process(4343, 4242, 1700000002, MP_MODE_FULL, "/bin/sh", 3, argv2);
    RECORD(mp_enc_module(&enc, &(mp_rec_module_t){ .id = 1, .bias = LIBC_BIAS,
                                                   .path = STR(LIBC), .nseg = 1,
                                                   .segs = (mp_segment_t[]){
                                                       { 0x26000, 0x155000,
                                                         MP_SEG_R | MP_SEG_X } } }),
           "MODULE");
    thread(4343, "sh");
    stack(1, 2, st2);
    batch_begin(4343, 0);
    alloc(1 * MS, 0x7fff00001000, 200, 1);
    check(mp_enc_ev_free(&enc, &batch, 2 * MS, 0x7fff00001000), "FREE");
    watermark(3 * MS);
    end(15 * MS, MP_END_EXIT, 0, 2);
    close_log();
}

static void sampled(const char *dir)
{
    static const mp_str_t argv[] = { SV("app"), SV("--batch") };
    static const uint64_t st1[] = { A(0x105), A(0x2a0), A(0x900) };

    open_log(dir, "sampled.mpz");
    process(5000, 1, 1700000100, MP_MODE_SAMPLED, APP, 2, argv);
    modules();
    thread(5000, "app");
    stack(1, 3, st1);
    batch_begin(5000, 0);
    /* Samples of 1000 bytes standing for 65536 each: ~65.5 allocations. */
    check(mp_enc_ev_sample(&enc, &batch, 1 * MS, 0x7fff00001000, 1000, 1, 65536), "SAMPLE");
    check(mp_enc_ev_sample(&enc, &batch, 2 * MS, 0x7fff00002000, 1000, 1, 65536), "SAMPLE");
    check(mp_enc_ev_sample(&enc, &batch, 3 * MS, 0x7fff00003000, 1000, 1, 65536), "SAMPLE");
    check(mp_enc_ev_free(&enc, &batch, 4 * MS, 0x7fff00001000), "FREE");
    watermark(5 * MS);
    end(100 * MS, MP_END_EXIT, 0, 4);
    close_log();
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--zstd-version") == 0) {
        printf("%s\n", ZSTD_versionString());
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: mkreport DIR | mkreport --zstd-version\n");
        return 2;
    }
    cctx = ZSTD_createCCtx();
    if (!cctx) {
        fprintf(stderr, "mkreport: no zstd context\n");
        return 1;
    }
    check(mp_chunk_cctx_setup(cctx, 3), "zstd setup");
    story(argv[1]);
    child(argv[1]);
    sampled(argv[1]);
    ZSTD_freeCCtx(cctx);
    return 0;
}
