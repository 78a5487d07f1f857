/*
 * test_format_encode.c — the encoder's promises (formats/log_encode.h) and
 * the chunk writer's (formats/log_chunk.h): nothing written at or past the
 * caller's cap, records and events all-or-nothing, limits refused or cut as
 * documented; a static zstd context sized by its estimate compresses a
 * full 16 MiB chunk, and chunk output never passes its cap either.
 */
#include <stdlib.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "cunit_main.h"
#include "log_chunk.h"
#include "test_format_util.h"

#define CANARY 0xa5

/* Encodes the standard filler sequence into cap bytes of a buffer guarded
 * by canaries; returns the records that were accepted. */
static unsigned encode_into(uint8_t *buf, size_t cap, size_t *len)
{
    mp_enc_t e;
    unsigned ok = 0;
    uint64_t frames[2] = { 1, 2 };
    mp_enc_batch_t b = { 0 };

    mp_enc_init(&e, buf, cap);
    ok += mp_enc_process(&e, &(mp_rec_process_t){ .pid = 1, .exe = { "/x", 2 } }) == 0;
    ok += mp_enc_thread(&e, &(mp_rec_thread_t){ .tid = 1, .name = { "main", 4 } }) == 0;
    ok += mp_enc_stack(&e, &(mp_rec_stack_t){ .id = 1, .n = 2, .frames = frames }) == 0;
    if (mp_enc_batch_begin(&e, &b, 1, 0) == 0) {
        for (int i = 0; i < 20; i++)
            if (mp_enc_ev_alloc(&e, &b, (uint64_t)i, 0x1000 + 16u * (unsigned)i, 16, 1) != 0)
                break;
        CU_ASSERT_EQUAL(mp_enc_batch_end(&e, &b), 0);
        ok += b.nevents > 0;
    }
    if (b.nevents > 0)
        e.overflow = 0; /* after a refused event: the batch is closed, go on */
    ok += mp_enc_end(&e, &(mp_rec_end_t){ .ts = 5 }) == 0;
    CU_ASSERT(e.len <= cap);
    *len = e.len;
    return ok;
}

static void encoder_never_writes_past_cap(void)
{
    enum { MAXCAP = 512, GUARD = 64 };
    uint8_t *buf = malloc(MAXCAP + GUARD);
    size_t full_len;

    /* The whole sequence needs full_len bytes; try every cap below and a
     * little above, and read back what was kept as a log each time. */
    encode_into(buf, MAXCAP, &full_len);
    CU_ASSERT(full_len < MAXCAP - 16);
    for (size_t cap = 0; cap <= full_len + 2; cap++) {
        size_t len;
        unsigned ok;
        tbuf_t log = { 0 };
        tread_t rd;

        memset(buf, CANARY, MAXCAP + GUARD);
        ok = encode_into(buf, cap, &len);
        for (size_t i = cap; i < MAXCAP + GUARD; i++)
            if (buf[i] != CANARY) {
                CU_FAIL("the encoder wrote at or past cap");
                break;
            }
        if (len == 0) {
            CU_ASSERT_EQUAL(ok, 0);
            continue;
        }
        /* All-or-nothing records: what is there is whole records. */
        tb_header(&log, 1, 0, 0);
        tb_chunk(&log, 0, buf, len);
        t_read(t_write("cap.mpz", log.p, log.len), &rd);
        CU_ASSERT_EQUAL(rd.rc, 0);
        CU_ASSERT_EQUAL(rd.records, ok);
        tb_free(&log);
    }
    free(buf);
}

static void overflow_is_sticky_until_rewind(void)
{
    uint8_t buf[8];
    mp_enc_t e;

    mp_enc_init(&e, buf, sizeof buf);
    mp_enc_put_u32(&e, 1);
    mp_enc_put_u32(&e, 2);
    CU_ASSERT_EQUAL(e.len, 8);
    CU_ASSERT_FALSE(e.overflow);
    mp_enc_put_u8(&e, 3);
    CU_ASSERT(e.overflow);
    CU_ASSERT_EQUAL(e.len, 8);
    mp_enc_rewind(&e, 4);
    CU_ASSERT_FALSE(e.overflow);
    CU_ASSERT_EQUAL(e.len, 4);
    /* A put that does not fit whole writes nothing, and later small puts
     * stay refused while the flag is set. */
    mp_enc_put_varint(&e, UINT64_MAX);
    CU_ASSERT(e.overflow);
    CU_ASSERT_EQUAL(e.len, 4);
    mp_enc_put_u8(&e, 1);
    CU_ASSERT_EQUAL(e.len, 4);
    CU_ASSERT_EQUAL(mp_enc_watermark(&e, &(mp_rec_watermark_t){ .ts = 1 }), MP_ELOG_OVERFLOW);
    mp_enc_reset(&e);
    CU_ASSERT_EQUAL(e.len, 0);
    CU_ASSERT_FALSE(e.overflow);
    /* A NULL buffer has no room at all. */
    mp_enc_init(&e, NULL, 100);
    mp_enc_put_u8(&e, 1);
    CU_ASSERT(e.overflow);
    CU_ASSERT_EQUAL(e.len, 0);
}

static void refused_event_leaves_batch_closable(void)
{
    uint8_t buf[64];
    mp_enc_t e;
    mp_enc_batch_t b;
    int n = 0;

    mp_enc_init(&e, buf, sizeof buf);
    CU_ASSERT_EQUAL(mp_enc_batch_begin(&e, &b, 9, 100), 0);
    while (mp_enc_ev_alloc(&e, &b, 100 + (uint64_t)n, 0x7f0000000000 + 32u * (unsigned)n, 32,
                           1) == 0)
        n++;
    CU_ASSERT(n > 0);
    CU_ASSERT_EQUAL(b.nevents, (uint32_t)n);
    CU_ASSERT(e.overflow);
    size_t before = e.len;
    /* The refused event left nothing and did not move the running values. */
    CU_ASSERT_EQUAL(b.ts, 100 + (uint64_t)n - 1);
    CU_ASSERT_EQUAL(b.addr, 0x7f0000000000 + 32u * (unsigned)(n - 1));
    CU_ASSERT_EQUAL(mp_enc_batch_end(&e, &b), 0);
    CU_ASSERT_EQUAL(e.len, before);
    CU_ASSERT_EQUAL(mp_enc_batch_end(&e, &b), MP_ELOG_INVAL); /* closed already */
    CU_ASSERT_EQUAL(mp_enc_ev_free(&e, &b, 1, 1), MP_ELOG_INVAL); /* not open */
}

static void empty_batch_is_removed(void)
{
    uint8_t buf[64];
    mp_enc_t e;
    mp_enc_batch_t b;

    mp_enc_init(&e, buf, sizeof buf);
    mp_enc_put_u8(&e, 0x42);
    CU_ASSERT_EQUAL(mp_enc_batch_begin(&e, &b, 1, 2), 0);
    CU_ASSERT(e.len > 1);
    CU_ASSERT_EQUAL(mp_enc_batch_end(&e, &b), 0);
    CU_ASSERT_EQUAL(e.len, 1);
}

static void counts_over_limits_are_refused_and_strings_cut(void)
{
    static uint8_t big[1 << 20];
    static uint64_t frames[MP_LOG_MAX_FRAMES + 1];
    static mp_class_info_t classes[MP_LOG_MAX_CLASSES + 1];
    static mp_class_stat_t stats[MP_LOG_MAX_CLASSES + 1];
    static mp_segment_t segs[MP_LOG_MAX_SEGMENTS + 1];
    static uint8_t id[MP_LOG_MAX_BYTES + 1];
    static char longstr[MP_LOG_MAX_STR + 100];
    static mp_str_t argv[MP_LOG_MAX_ARGC + 10];
    mp_enc_t e;
    mp_reader_t *r;
    mp_record_t rec;
    tbuf_t log = { 0 };

    mp_enc_init(&e, big, sizeof big);
    CU_ASSERT_EQUAL(mp_enc_stack(&e, &(mp_rec_stack_t){ .id = 1, .n = MP_LOG_MAX_FRAMES + 1,
                                                       .frames = frames }),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_enc_stack(&e, &(mp_rec_stack_t){ .id = 0, .n = 1, .frames = frames }),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_enc_classes(&e, &(mp_rec_classes_t){ .n = MP_LOG_MAX_CLASSES + 1,
                                                           .classes = classes }),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_enc_snapshot(&e, &(mp_rec_snapshot_t){ .n = MP_LOG_MAX_CLASSES + 1,
                                                             .classes = stats }),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_enc_module(&e, &(mp_rec_module_t){ .nseg = MP_LOG_MAX_SEGMENTS + 1,
                                                         .segs = segs }),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_enc_module(&e, &(mp_rec_module_t){
                                          .build_id = { id, MP_LOG_MAX_BYTES + 1 } }),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(e.len, 0);
    CU_ASSERT_FALSE(e.overflow);

    /* At the limits exactly: accepted. Over them, strings and argv are cut. */
    memset(longstr, 'a', sizeof longstr);
    for (size_t i = 0; i < sizeof argv / sizeof argv[0]; i++)
        argv[i] = (mp_str_t){ "x", 1 };
    CU_ASSERT_EQUAL(mp_enc_process(&e, &(mp_rec_process_t){
                                           .exe = { longstr, sizeof longstr },
                                           .argc = MP_LOG_MAX_ARGC + 10, .argv = argv }),
                    0);
    CU_ASSERT_EQUAL(mp_enc_thread(&e, &(mp_rec_thread_t){ .name = { longstr, 40 } }), 0);
    CU_ASSERT_EQUAL(mp_enc_stack(&e, &(mp_rec_stack_t){ .id = 1, .n = MP_LOG_MAX_FRAMES,
                                                       .frames = frames }),
                    0);
    CU_ASSERT_EQUAL(mp_enc_classes(&e, &(mp_rec_classes_t){ .n = MP_LOG_MAX_CLASSES,
                                                           .classes = classes }),
                    0);
    CU_ASSERT_EQUAL(mp_enc_module(&e, &(mp_rec_module_t){
                                          .build_id = { id, MP_LOG_MAX_BYTES },
                                          .nseg = MP_LOG_MAX_SEGMENTS, .segs = segs }),
                    0);
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, big, e.len);
    CU_ASSERT_EQUAL_FATAL(mp_reader_open(t_write("limits.mpz", log.p, log.len), &r, NULL), 0);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.u.process.exe.len, MP_LOG_MAX_STR);
    CU_ASSERT_EQUAL(rec.u.process.argc, MP_LOG_MAX_ARGC);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.u.thread.name.len, MP_LOG_MAX_THREAD_NAME);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.u.stack.n, MP_LOG_MAX_FRAMES);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.u.classes.n, MP_LOG_MAX_CLASSES);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.u.module.nseg, MP_LOG_MAX_SEGMENTS);
    CU_ASSERT_EQUAL(rec.u.module.build_id.len, MP_LOG_MAX_BYTES);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 0);
    mp_reader_close(r);
    tb_free(&log);
}

static void timestamps_never_go_back_within_a_batch(void)
{
    uint8_t buf[256];
    mp_enc_t e;
    mp_enc_batch_t b;
    tbuf_t log = { 0 };
    mp_reader_t *r;
    mp_record_t rec;
    mp_batch_iter_t it;
    mp_event_t ev;

    mp_enc_init(&e, buf, sizeof buf);
    mp_enc_process(&e, &(mp_rec_process_t){ .pid = 1 });
    mp_enc_batch_begin(&e, &b, 1, 1000);
    mp_enc_ev_alloc(&e, &b, 900, 0x10, 1, 0);  /* before base_ts */
    mp_enc_ev_alloc(&e, &b, 2000, 0x20, 1, 0);
    mp_enc_ev_free(&e, &b, 1500, 0x20);        /* back in time */
    mp_enc_ev_free(&e, &b, 2500, 0x10);
    mp_enc_batch_end(&e, &b);
    CU_ASSERT_FALSE(e.overflow);
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, buf, e.len);
    CU_ASSERT_EQUAL_FATAL(mp_reader_open(t_write("ts.mpz", log.p, log.len), &r, NULL), 0);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL_FATAL(rec.type, MP_REC_BATCH);
    mp_batch_iter_init(&it, &rec.u.batch);
    static const uint64_t want[] = { 1000, 2000, 2000, 2500 };
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), 1);
        CU_ASSERT_EQUAL(ev.ts, want[i]);
    }
    CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), 0);
    mp_reader_close(r);
    tb_free(&log);
}

static void file_header_is_the_spec_bytes(void)
{
    static const uint8_t want[16] = { 0x89, 0x4d, 0x50, 0x5a, 0x0d, 0x0a, 0x1a, 0x0a,
                                      1, 0, 1, 0, 0, 0, 0, 0 }; /* 1.1 */
    uint8_t buf[16];
    mp_enc_t e;

    mp_enc_init(&e, buf, sizeof buf);
    CU_ASSERT_EQUAL(mp_enc_file_header(&e), 0);
    CU_ASSERT_EQUAL(e.len, 16);
    CU_ASSERT(memcmp(buf, want, 16) == 0);
    mp_enc_init(&e, buf, 15);
    CU_ASSERT_EQUAL(mp_enc_file_header(&e), MP_ELOG_OVERFLOW);
    CU_ASSERT_EQUAL(e.len, 0);
}

/* ---- Chunk writer ------------------------------------------------------ */

static void static_context_compresses_a_full_16mib_chunk(void)
{
    size_t ws = mp_chunk_cctx_size(MP_CHUNK_DEFAULT_LEVEL);
    void *mem = aligned_alloc(64, (ws + 63) / 64 * 64);
    size_t rsize = MP_LOG_MAX_RSIZE, cap = mp_chunk_bound(rsize), n;
    uint8_t *raw = malloc(rsize), *out = malloc(cap), *back = malloc(rsize);
    uint64_t x = 88172645463325252ull;
    ZSTD_CCtx *cctx;
    ZSTD_frameHeader fh;

    CU_ASSERT(ws > 0);
    CU_ASSERT_EQUAL_FATAL(mp_chunk_cctx_init(mem, ws, MP_CHUNK_DEFAULT_LEVEL, &cctx), 0);
    /* Half compressible, half noise: both of zstd's paths get exercised. */
    for (size_t i = 0; i < rsize; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        raw[i] = i < rsize / 2 ? (uint8_t)(i % 251 + (i >> 12)) : (uint8_t)x;
    }
    CU_ASSERT_EQUAL_FATAL(mp_chunk_write(cctx, 7, raw, rsize, out, cap, &n), 0);
    CU_ASSERT(n > MP_CHUNK_HEADER_SIZE && n <= cap);
    CU_ASSERT(memcmp(out, "MPCK", 4) == 0);
    CU_ASSERT_EQUAL(out[12], 7);
    CU_ASSERT_EQUAL(ZSTD_getFrameHeader(&fh, out + 16, n - 16), 0);
    CU_ASSERT(fh.checksumFlag);
    CU_ASSERT_EQUAL(fh.frameContentSize, rsize);
    CU_ASSERT_EQUAL(ZSTD_decompress(back, rsize, out + 16, n - 16), rsize);
    CU_ASSERT(memcmp(back, raw, rsize) == 0);
    /* The same context again: sessions reset between chunks. */
    CU_ASSERT_EQUAL(mp_chunk_write(cctx, 8, raw, 1000, out, cap, &n), 0);
    CU_ASSERT_EQUAL(ZSTD_decompress(back, rsize, out + 16, n - 16), 1000);
    free(back);
    free(out);
    free(raw);
    free(mem);
}

static void chunk_writer_respects_cap_and_limits(void)
{
    uint8_t raw[2000], out[4096];
    size_t n = 123, ws = mp_chunk_cctx_size(1);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    void *mem = aligned_alloc(64, (ws + 63) / 64 * 64);
    ZSTD_CCtx *st;

    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (uint8_t)(i * 2654435761u >> 24); /* barely compressible */
    mp_chunk_cctx_setup(cctx, 1);
    for (size_t cap = 0; cap < 200; cap += 7) {
        memset(out, CANARY, sizeof out);
        CU_ASSERT_EQUAL(mp_chunk_write(cctx, 0, raw, sizeof raw, out, cap, &n),
                        MP_ELOG_OVERFLOW);
        CU_ASSERT_EQUAL(n, 0);
        for (size_t i = cap; i < sizeof out; i++)
            if (out[i] != CANARY) {
                CU_FAIL("the chunk writer wrote past cap");
                break;
            }
    }
    CU_ASSERT_EQUAL(mp_chunk_write(cctx, 0, raw, 0, out, sizeof out, &n), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_chunk_write(cctx, 0, raw, MP_LOG_MAX_RSIZE + 1, out, sizeof out, &n),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_chunk_write(cctx, 0, raw, sizeof raw, out, sizeof out, &n), 0);
    /* Static contexts: misaligned, too small and bad levels are refused. */
    CU_ASSERT_EQUAL(mp_chunk_cctx_init((char *)mem + 1, ws - 8, 1, &st), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_chunk_cctx_init(mem, ws / 2, 1, &st), MP_ELOG_INVAL);
    CU_ASSERT_PTR_NULL(st);
    CU_ASSERT_EQUAL(mp_chunk_cctx_init(mem, ws, 1000, &st), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_chunk_cctx_size(1000), 0);
    CU_ASSERT_EQUAL(mp_chunk_cctx_init(mem, ws, 1, &st), 0);
    CU_ASSERT_PTR_NOT_NULL(st);
    ZSTD_freeCCtx(cctx);
    free(mem);
}

void t_register_encode(void)
{
    MP_SUITE("format_encode",
             MP_TEST(encoder_never_writes_past_cap),
             MP_TEST(overflow_is_sticky_until_rewind),
             MP_TEST(refused_event_leaves_batch_closable),
             MP_TEST(empty_batch_is_removed),
             MP_TEST(counts_over_limits_are_refused_and_strings_cut),
             MP_TEST(timestamps_never_go_back_within_a_batch),
             MP_TEST(file_header_is_the_spec_bytes),
             MP_TEST(static_context_compresses_a_full_16mib_chunk),
             MP_TEST(chunk_writer_respects_cap_and_limits));
}
