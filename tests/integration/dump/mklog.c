/*
 * mklog.c — writes a small synthetic memprof log for the `memprof dump`
 * integration tests (tests/integration/dump.cmake): every record type and
 * every event kind, in three chunks, through the real encoder
 * (formats/log_encode) and chunk writer (formats/log_chunk) with a static
 * zstd context, as the shim will write them.
 *
 * Deterministic: fixed values everywhere, no clock, no pid, so the same
 * libzstd produces the same bytes and `memprof dump` the same text
 * (expected.txt). The '# chunk' lines of that text depend on zstd's output,
 * hence `mklog --zstd-version`, which the test compares with the version
 * expected.txt was made with (expected.zstd).
 *
 * It shows every kind of event, so it mixes full-mode and sampled-mode
 * events in one log, which the shim never does.
 *
 * `mklog --newer OUT.mpz` writes instead a small log as a later 1.x writer
 * might: minor version 2, a record type 1.1 does not know, a HOLLOW record
 * with a field 1.1 does not know, and known records with fields after the
 * ones 1.1 knows.
 *
 * Usage: mklog OUT.mpz | mklog --newer OUT.mpz | mklog --zstd-version
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log_chunk.h"
#include "log_encode.h"

#define STR(s) ((mp_str_t){ (s), sizeof(s) - 1 })

static uint8_t raw[64 * 1024];
static uint8_t out[64 * 1024 + 1024];
static _Alignas(8) uint8_t workspace[8 << 20]; /* static CCtx, as in the shim */

static mp_enc_t enc;
static ZSTD_CCtx *cctx;
static uint32_t seq;
static FILE *file;

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "mklog: %s failed: %s\n", what, mp_log_strerror(rc));
        exit(1);
    }
}

/* Compresses what the encoder holds as the next chunk and writes it. */
static void flush_chunk(void)
{
    size_t n;

    check(mp_chunk_write(cctx, seq++, enc.buf, enc.len, out, sizeof out, &n), "chunk");
    if (fwrite(out, 1, n, file) != n) {
        perror("mklog: write");
        exit(1);
    }
    mp_enc_reset(&enc);
}

static void chunk0(void)
{
    static const mp_str_t argv[] = { { "synthetic", 9 }, { "--size=64", 9 },
                                     { "say \"hi\"\t\x01", 10 } };
    static const mp_class_info_t classes[] = { { 16, 1 }, { 32, 1 }, { 48, 1 }, { 4096, 2 } };
    static const uint8_t build_id[] = { 0x5f, 0x3a, 0x9c, 0x01, 0x77, 0xe2, 0x10, 0x4b,
                                        0xaa, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
                                        0xde, 0xf0, 0x01, 0x02 };
    static const mp_segment_t exe_segs[] = { { 0x0, 0x1a28, MP_SEG_R },
                                             { 0x2000, 0x4c1, MP_SEG_R | MP_SEG_X },
                                             { 0x4dd0, 0x290, MP_SEG_R | MP_SEG_W } };
    static const mp_segment_t libc_segs[] = { { 0x0, 0x26000, MP_SEG_R },
                                              { 0x26000, 0x155000, MP_SEG_R | MP_SEG_X } };
    static const uint64_t frames1[] = { 0x555555556123, 0x555555556456, 0x7ffff7c29d90 };
    static const uint64_t frames2[] = { 0x555555556789, 0x555555556456, 0x7ffff7c29d90,
                                        0x555555556010 };
    static const mp_class_stat_t snap[] = { { 1, 200 }, { 1, 3 }, { 0, 0 }, { 1, 1 } };
    mp_enc_batch_t b;

    check(mp_enc_process(&enc, &(mp_rec_process_t){
                                   .pid = 4242, .ppid = 4200,
                                   .start_real_ns = 1700000000123456789ull,
                                   .start_mono_ns = 98765432100000ull,
                                   .page_size = 4096, .heap_page_size = 8192,
                                   .mode = MP_MODE_FULL, .sample_interval = 0,
                                   .max_depth = 64, .exe = STR("/usr/bin/synthetic"),
                                   .argc = 3, .argv = argv }),
          "PROCESS");
    check(mp_enc_classes(&enc, &(mp_rec_classes_t){ .n = 4, .classes = classes }),
          "CLASSES");
    check(mp_enc_module(&enc, &(mp_rec_module_t){
                                  .id = 1, .ts = 0, .bias = 0x555555554000,
                                  .path = STR("/usr/bin/synthetic"),
                                  .build_id = { build_id, sizeof build_id },
                                  .nseg = 3, .segs = exe_segs }),
          "MODULE");
    check(mp_enc_module(&enc, &(mp_rec_module_t){
                                  .id = 2, .ts = 1500, .bias = 0x7ffff7c00000,
                                  .path = STR("/lib/x86_64-linux-gnu/libc.so.6"),
                                  .build_id = { NULL, 0 }, .nseg = 2, .segs = libc_segs }),
          "MODULE");
    check(mp_enc_thread(&enc, &(mp_rec_thread_t){ .tid = 4242, .ts = 2000,
                                                 .name = STR("synthetic") }),
          "THREAD");
    check(mp_enc_stack(&enc, &(mp_rec_stack_t){ .id = 1, .n = 3, .frames = frames1 }),
          "STACK");
    check(mp_enc_stack(&enc, &(mp_rec_stack_t){ .id = 2, .n = 4, .frames = frames2 }),
          "STACK");

    check(mp_enc_batch_begin(&enc, &b, 4242, 10000), "BATCH");
    check(mp_enc_ev_span(&enc, &b, 10100, MP_SPAN_TAKE, 1, 1, 0x7ffff0000000), "SPAN");
    check(mp_enc_ev_alloc(&enc, &b, 10250, 0x7ffff0000010, 16, 1), "ALLOC");
    check(mp_enc_ev_alloc(&enc, &b, 10300, 0x7ffff0000020, 12, 2), "ALLOC");
    check(mp_enc_ev_realloc(&enc, &b, 11000, 0x7ffff0000010, 0x7ffff0002000, 40, 2),
          "REALLOC");
    check(mp_enc_ev_free(&enc, &b, 11500, 0x7ffff0000020), "FREE");
    check(mp_enc_ev_span(&enc, &b, 12000, MP_SPAN_LARGE_TAKE, 0, 5, 0x7fffe0000000),
          "SPAN");
    check(mp_enc_ev_alloc(&enc, &b, 12010, 0x7fffe0000000, 40000, 1), "ALLOC");
    check(mp_enc_batch_end(&enc, &b), "BATCH end");

    check(mp_enc_watermark(&enc, &(mp_rec_watermark_t){ .ts = 12500 }), "WATERMARK");
    check(mp_enc_snapshot(&enc, &(mp_rec_snapshot_t){
                                    .ts = 13000, .rss = 1843200, .mapped = 4194304,
                                    .in_use = 73728, .idle = 4120576, .released = 0,
                                    .large_objects = 1, .large_bytes = 40960,
                                    .n = 4, .classes = snap }),
          "SNAPSHOT");
    flush_chunk();
}

static void chunk1(void)
{
    static const uint64_t frames3[] = { 0x7ffff7e51000, 0x555555556abc };
    mp_enc_batch_t b;

    check(mp_enc_thread(&enc, &(mp_rec_thread_t){ .tid = 4243, .ts = 20000,
                                                 .name = STR("worker-1") }),
          "THREAD");
    check(mp_enc_stack(&enc, &(mp_rec_stack_t){ .id = 3, .n = 2, .frames = frames3 }),
          "STACK");
    check(mp_enc_batch_begin(&enc, &b, 4243, 20100), "BATCH");
    check(mp_enc_ev_sample(&enc, &b, 20100, 0x7fffd8000b20, 100, 3, 524288), "SAMPLE");
    check(mp_enc_ev_alloc(&enc, &b, 20300, 0x7fffd8000b00, 24, 3), "ALLOC");
    check(mp_enc_ev_realloc(&enc, &b, 20400, 0, 0x7fffd8001000, 64, 3), "REALLOC");
    check(mp_enc_batch_end(&enc, &b), "BATCH end");
    check(mp_enc_batch_begin(&enc, &b, 4242, 21000), "BATCH");
    check(mp_enc_ev_free(&enc, &b, 21000, 0x7ffff0002000), "FREE");
    check(mp_enc_ev_span(&enc, &b, 21050, MP_SPAN_RETURN, 3, 1, 0x7ffff0002000), "SPAN");
    check(mp_enc_batch_end(&enc, &b), "BATCH end");
    check(mp_enc_lost(&enc, &(mp_rec_lost_t){ .ts = 21500, .events = 7,
                                             .reason = MP_LOST_NO_BUFFER }),
          "LOST");
    check(mp_enc_watermark(&enc, &(mp_rec_watermark_t){ .ts = 22000 }), "WATERMARK");
    flush_chunk();
}

static void chunk2(void)
{
    static const mp_class_stat_t snap[] = { { 1, 1 }, { 0, 0 }, { 1, 1 }, { 0, 0 } };
    mp_enc_batch_t b;

    check(mp_enc_module_gone(&enc, &(mp_rec_module_gone_t){ .id = 2, .ts = 1000000000 }),
          "MODULE_GONE");
    check(mp_enc_batch_begin(&enc, &b, 4242, 1500000000), "BATCH");
    check(mp_enc_ev_span(&enc, &b, 1500000000, MP_SPAN_RELEASE, 0, 1, 0x7ffff0002000),
          "SPAN");
    check(mp_enc_ev_free(&enc, &b, 1500000100, 0x7fffe0000000), "FREE");
    check(mp_enc_ev_span(&enc, &b, 1500000200, MP_SPAN_LARGE_RETURN, 0, 5, 0x7fffe0000000),
          "SPAN");
    check(mp_enc_batch_end(&enc, &b), "BATCH end");
    check(mp_enc_snapshot(&enc, &(mp_rec_snapshot_t){
                                    .ts = 1600000000, .rss = 1662976, .mapped = 4194304,
                                    .in_use = 16384, .idle = 4169728, .released = 8192,
                                    .large_objects = 0, .large_bytes = 0,
                                    .n = 4, .classes = snap }),
          "SNAPSHOT");
    static const mp_leak_block_t lost[] = {
        { 0x7fffd8000b00, MP_LEAK_POSSIBLE }, { 0x7ffff0000020, MP_LEAK_DEFINITE },
        { 0x7ffff0000030, MP_LEAK_INDIRECT } };
    check(mp_enc_leakscan(&enc, &(mp_rec_leakscan_t){
                                    .ts = 1650000000, .flags = MP_LEAKSCAN_UNPAUSED,
                                    .live_blocks = 9, .root_bytes = 65536, .heap_bytes = 448,
                                    .threads = 1, .threads_paused = 0, .duration_ns = 1234000,
                                    .n = 3, .blocks = lost }),
          "LEAKSCAN");
    check(mp_enc_end(&enc, &(mp_rec_end_t){ .ts = 1700000000, .reason = MP_END_EXIT,
                                           .detail = 0, .events = 15 }),
          "END");
    flush_chunk();
}

/* A 1.2 log, built with the generic record calls. */
static void newer(void)
{
    size_t m;

    m = mp_enc_rec_begin(&enc, MP_REC_PROCESS);
    for (int i = 0; i < 9; i++)
        mp_enc_put_varint(&enc, i == 6 ? MP_MODE_FULL : 7);
    mp_enc_put_str(&enc, STR("/usr/bin/newer"));
    mp_enc_put_varint(&enc, 0);          /* argc */
    mp_enc_put_varint(&enc, 1u << 20);   /* a field 1.0 does not know */
    check(mp_enc_rec_end(&enc, m), "PROCESS");
    m = mp_enc_rec_begin(&enc, 0x40);
    mp_enc_put_str(&enc, STR("hello"));
    check(mp_enc_rec_end(&enc, m), "type 0x40");
    m = mp_enc_rec_begin(&enc, MP_REC_HOLLOW); /* no blocks, and a 1.1 field */
    mp_enc_put_varint(&enc, 1);    /* ts */
    mp_enc_put_varint(&enc, 1);    /* reason: exit */
    mp_enc_put_varint(&enc, 4096); /* page_size */
    mp_enc_put_varint(&enc, 0);    /* n */
    mp_enc_put_varint(&enc, 2);    /* a field 1.0 does not know */
    check(mp_enc_rec_end(&enc, m), "HOLLOW");
    m = mp_enc_rec_begin(&enc, MP_REC_THREAD);
    mp_enc_put_varint(&enc, 7);
    mp_enc_put_varint(&enc, 5);
    mp_enc_put_str(&enc, STR("t"));
    mp_enc_put_raw(&enc, "new", 3);
    check(mp_enc_rec_end(&enc, m), "THREAD");
    check(mp_enc_end(&enc, &(mp_rec_end_t){ .ts = 10 }), "END");
    flush_chunk();
}

int main(int argc, char **argv)
{
    int is_newer = argc == 3 && strcmp(argv[1], "--newer") == 0;

    if (argc == 2 && strcmp(argv[1], "--zstd-version") == 0) {
        printf("%s\n", ZSTD_versionString());
        return 0;
    }
    if (is_newer) {
        argv++;
        argc--;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: mklog [--newer] OUT.mpz | mklog --zstd-version\n");
        return 2;
    }
    if (mp_chunk_cctx_size(MP_CHUNK_DEFAULT_LEVEL) > sizeof workspace) {
        fprintf(stderr, "mklog: zstd wants %zu bytes of workspace\n",
                mp_chunk_cctx_size(MP_CHUNK_DEFAULT_LEVEL));
        return 1;
    }
    check(mp_chunk_cctx_init(workspace, sizeof workspace, MP_CHUNK_DEFAULT_LEVEL, &cctx),
          "static zstd context");
    file = fopen(argv[1], "wb");
    if (!file) {
        perror(argv[1]);
        return 1;
    }
    mp_enc_init(&enc, raw, sizeof raw);
    check(mp_enc_file_header(&enc), "file header");
    if (is_newer)
        enc.buf[10] = 2; /* minor version 2 */
    if (fwrite(enc.buf, 1, enc.len, file) != enc.len) {
        perror("mklog: write");
        return 1;
    }
    mp_enc_reset(&enc);
    if (is_newer) {
        newer();
    } else {
        chunk0();
        chunk1();
        chunk2();
    }
    if (fclose(file) != 0) {
        perror("mklog: close");
        return 1;
    }
    return 0;
}
