/*
 * test_format_damage.c — the reader on logs that are cut short, corrupted
 * or hostile (docs/format.md, "Crash safety" and "Limits"). The contract:
 * never a crash, never a read outside the file's bytes, never an allocation
 * driven by a count or length from the file; what was decoded before the
 * damage is returned, and the error names the byte offset of the chunk
 * where decoding stopped.
 *
 * Run under valgrind once in a while (it finds the leaks and the reads of
 * uninitialised or freed memory that these loops would otherwise hide):
 *   valgrind --leak-check=full --error-exitcode=1 build/bin/test_format
 */
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "log_chunk.h"
#include "test_format_util.h"
#include "varint.h"

#define STR(s) ((mp_str_t){ (s), sizeof(s) - 1 })

/* ---- Truncation ----------------------------------------------------------- */

static void truncated_at_every_byte_decodes_whole_chunks(void)
{
    enum { NCHUNKS = 4 };
    size_t off[NCHUNKS + 1];
    unsigned recs[NCHUNKS];
    tbuf_t log = { 0 };
    tread_t rd;

    t_small_log(&log, NCHUNKS, off, recs);
    for (size_t cut = 0; cut <= log.len; cut++) {
        const char *path = t_write("cut.mpz", log.p, cut);
        uint64_t whole = 0;
        int k = 0;

        t_read(path, &rd);
        if (cut == 0) {
            CU_ASSERT_EQUAL(rd.open_rc, MP_ELOG_MAGIC);
            continue;
        }
        if (cut < MP_LOG_HEADER_SIZE) {
            CU_ASSERT_EQUAL(rd.open_rc, MP_ELOG_TRUNC);
            CU_ASSERT_EQUAL(rd.err.chunk, -1);
            continue;
        }
        CU_ASSERT_EQUAL_FATAL(rd.open_rc, 0);
        /* k: the chunk the cut falls in (or NCHUNKS at the very end). */
        while (k < NCHUNKS && off[k + 1] <= cut)
            whole += recs[k++];
        CU_ASSERT_EQUAL(rd.records, whole);
        if (cut == off[k]) { /* at a chunk boundary: a clean end */
            CU_ASSERT_EQUAL(rd.rc, 0);
            CU_ASSERT_EQUAL(rd.err.code, 0);
        } else {
            CU_ASSERT_EQUAL(rd.rc, MP_ELOG_TRUNC);
            CU_ASSERT_EQUAL(rd.err.code, MP_ELOG_TRUNC);
            CU_ASSERT_EQUAL(rd.err.offset, off[k]);
            CU_ASSERT_EQUAL(rd.err.chunk, k);
            CU_ASSERT(rd.err.msg[0] != '\0');
        }
    }
    tb_free(&log);
}

/* ---- Corruption ----------------------------------------------------------- */

static void flipped_byte_anywhere_is_caught_or_harmless(void)
{
    enum { NCHUNKS = 3 };
    size_t off[NCHUNKS + 1];
    unsigned recs[NCHUNKS], total = 0;
    tbuf_t log = { 0 };
    tread_t rd;

    t_small_log(&log, NCHUNKS, off, recs);
    for (int i = 0; i < NCHUNKS; i++)
        total += recs[i];
    for (size_t at = 0; at < log.len; at++) {
        log.p[at] ^= 0xff;
        t_read(t_write("flip.mpz", log.p, log.len), &rd);
        log.p[at] ^= 0xff;
        if (at < 8) {
            CU_ASSERT_EQUAL(rd.open_rc, MP_ELOG_MAGIC);
        } else if (at < 10) {
            CU_ASSERT_EQUAL(rd.open_rc, MP_ELOG_VERSION);
        } else if (at < MP_LOG_HEADER_SIZE) {
            /* minor version and flags: read as before */
            CU_ASSERT_EQUAL(rd.rc, 0);
            CU_ASSERT_EQUAL(rd.records, total);
        } else {
            int k = 0;
            uint64_t before = 0;

            while (off[k + 1] <= at)
                before += recs[k++];
            /* Every byte of a chunk is covered: header fields by their
             * checks, the frame by zstd and its checksum. */
            CU_ASSERT(rd.rc < 0);
            CU_ASSERT_EQUAL(rd.err.offset, off[k]);
            CU_ASSERT_EQUAL(rd.err.chunk, k);
            CU_ASSERT_EQUAL(rd.records, before);
        }
    }
    tb_free(&log);
}

/* Corruption the checksum cannot see: damage to the records themselves,
 * compressed afresh into a valid chunk (a writer bug, or a hostile file).
 * The record decoder must hold on its own. */
static void mutated_records_never_crash_the_decoder(void)
{
    static const uint8_t masks[] = { 0x01, 0x40, 0x80, 0xff };
    uint8_t raw[2048], bad[2048];
    tbuf_t log = { 0 };
    mp_enc_t e;
    tread_t rd;
    unsigned caught = 0;
    mp_enc_batch_t b;
    static const mp_segment_t segs[] = { { 1, 2, 5 } };
    static const mp_class_info_t cls[] = { { 16, 1 }, { 32, 1 } };
    static const mp_class_stat_t st[] = { { 1, 1 }, { 2, 2 } };

    mp_enc_init(&e, raw, sizeof raw);
    t_fill(&e, 1, 3, 12);
    mp_enc_classes(&e, &(mp_rec_classes_t){ .n = 2, .classes = cls });
    mp_enc_module(&e, &(mp_rec_module_t){ .id = 1, .path = STR("/lib/x.so"),
                                          .build_id = { (const uint8_t *)"abcd", 4 },
                                          .nseg = 1, .segs = segs });
    mp_enc_snapshot(&e, &(mp_rec_snapshot_t){ .ts = 1, .n = 2, .classes = st });
    mp_enc_batch_begin(&e, &b, 1, 5);
    mp_enc_ev_realloc(&e, &b, 6, 0x100, 0x200, 10, 1);
    mp_enc_ev_sample(&e, &b, 7, 0x300, 10, 1, 1000);
    mp_enc_ev_span(&e, &b, 8, 1, 2, 3, 0x400000);
    mp_enc_batch_end(&e, &b);
    mp_enc_end(&e, &(mp_rec_end_t){ .ts = 9 });
    CU_ASSERT_FALSE_FATAL(e.overflow);

    for (size_t at = 0; at < e.len; at++) {
        for (size_t m = 0; m < sizeof masks; m++) {
            memcpy(bad, raw, e.len);
            bad[at] ^= masks[m];
            log.len = 0;
            tb_header(&log, 1, 0, 0);
            tb_chunk(&log, 0, bad, e.len);
            t_read(t_write("mut.mpz", log.p, log.len), &rd);
            CU_ASSERT_EQUAL(rd.open_rc, 0);
            if (rd.rc < 0) {
                caught++;
                CU_ASSERT_EQUAL(rd.rc, MP_ELOG_CORRUPT);
                CU_ASSERT_EQUAL(rd.err.offset, MP_LOG_HEADER_SIZE);
                CU_ASSERT_EQUAL(rd.err.chunk, 0);
            } else {
                CU_ASSERT_EQUAL(rd.rc, 0); /* a value changed, still well-formed */
            }
        }
    }
    CU_ASSERT(caught > 0);
    tb_free(&log);
}

/* ---- Not a log, other versions ------------------------------------------ */

static void wrong_magic_is_not_a_log(void)
{
    static const char text[] = "#!/bin/sh\necho this is not a memprof log\n";
    static const uint8_t elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    tbuf_t log = { 0 };
    mp_reader_t *r = (mp_reader_t *)1;
    mp_log_error_t err;

    CU_ASSERT_EQUAL(mp_reader_open(t_write("text", text, sizeof text - 1), &r, &err),
                    MP_ELOG_MAGIC);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not a memprof log"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "23 21 2f 62")); /* what it starts with */
    CU_ASSERT_EQUAL(mp_reader_open(t_write("elf", elf, sizeof elf), &r, &err), MP_ELOG_MAGIC);
    /* The magic mangled by a text-mode transfer (\r\n -> \n). */
    tb_header(&log, 1, 0, 0);
    memmove(log.p + 4, log.p + 5, log.len - 5);
    CU_ASSERT_EQUAL(mp_reader_open(t_write("crlf", log.p, log.len - 1), &r, &err),
                    MP_ELOG_MAGIC);
    CU_ASSERT_EQUAL(mp_reader_open("/nonexistent/dir/x.mpz", &r, &err), MP_ELOG_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "No such file"));
    CU_ASSERT_EQUAL(mp_reader_open("/", &r, &err), MP_ELOG_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "directory"));
    CU_ASSERT_EQUAL(mp_reader_open("/", &r, NULL), MP_ELOG_IO); /* err is optional */
    tb_free(&log);
}

static void other_major_version_is_refused_naming_both(void)
{
    tbuf_t log = { 0 };
    mp_reader_t *r;
    mp_log_error_t err;
    unsigned recs[2];
    size_t off[3];

    t_small_log(&log, 1, off, recs);
    log.p[8] = 2;  /* major 2 */
    log.p[10] = 4; /* minor 4 */
    CU_ASSERT_EQUAL(mp_reader_open(t_write("v2", log.p, log.len), &r, &err), MP_ELOG_VERSION);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "log format 2.4"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "this memprof reads 1.x"));
    log.p[8] = 0;
    CU_ASSERT_EQUAL(mp_reader_open(t_write("v0", log.p, log.len), &r, &err), MP_ELOG_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "log format 0.4"));
    log.p[8] = 1;
    log.p[9] = 1; /* major 257 */
    CU_ASSERT_EQUAL(mp_reader_open(t_write("v257", log.p, log.len), &r, &err), MP_ELOG_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "log format 257.4"));
    tb_free(&log);
}

/* ---- Hostile counts and lengths -------------------------------------------- */

/* Builds a 1.0 log: a valid PROCESS, then `tail` as raw record bytes, in
 * one chunk; reads it and checks decoding stopped with CORRUPT after
 * `want_records`, with the message containing `want`, and that the reader
 * holds no more memory than for a small log. */
static void expect_rejected(const void *tail, size_t n, uint64_t want_records,
                            const char *want)
{
    uint8_t raw[512];
    tbuf_t log = { 0 };
    mp_enc_t e;
    tread_t rd;

    mp_enc_init(&e, raw, sizeof raw);
    mp_enc_process(&e, &(mp_rec_process_t){ .pid = 1 });
    mp_enc_put_raw(&e, tail, n);
    CU_ASSERT_FALSE_FATAL(e.overflow);
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, raw, e.len);
    t_read(t_write("hostile.mpz", log.p, log.len), &rd);
    CU_ASSERT_EQUAL(rd.rc, MP_ELOG_CORRUPT);
    CU_ASSERT_EQUAL(rd.records, want_records);
    CU_ASSERT_EQUAL(rd.err.offset, MP_LOG_HEADER_SIZE);
    if (!strstr(rd.err.msg, want)) {
        fprintf(stderr, "\n  message: %s\n  wanted:  %s\n", rd.err.msg, want);
        CU_FAIL("the error message does not say what was wrong");
    }
    /* Fixed state and two 64 KiB buffers: nothing sized by the claim. */
    CU_ASSERT(rd.memory < 512 * 1024);
    tb_free(&log);
}

static void hostile_counts_are_rejected_before_allocating(void)
{
    uint8_t rec[64];
    mp_enc_t e;
    size_t m;

    /* A STACK claiming 10^9 frames. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_STACK);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 1000000000);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "n is 1000000000, at most 256");

    /* A STACK claiming 200 frames (within the limit) with 3 bytes left. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_STACK);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 200);
    mp_enc_put_raw(&e, "\x01\x01\x01", 3);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "n is 200, but only 3 bytes of the record are left");

    /* A str claiming 4 GB (a THREAD name, and a MODULE path). */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_MODULE);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 2);
    mp_enc_put_varint(&e, 3);
    mp_enc_put_varint(&e, 4000000000u);
    mp_enc_put_raw(&e, "abc", 3);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "path: length 4000000000, at most 65536");
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_THREAD);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 2);
    mp_enc_put_varint(&e, 10);
    mp_enc_put_raw(&e, "abc", 3);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "name: length 10, but only 3 bytes of the record are left");

    /* CLASSES, SNAPSHOT, MODULE segments, argc over their limits. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_CLASSES);
    mp_enc_put_varint(&e, 256);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "n is 256, at most 255");
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_SNAPSHOT);
    for (int i = 0; i < 8; i++)
        mp_enc_put_varint(&e, 0);
    mp_enc_put_varint(&e, UINT64_MAX);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "n is 18446744073709551615, at most 255");
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_MODULE);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 2);
    mp_enc_put_varint(&e, 3);
    mp_enc_put_str(&e, STR("p"));
    mp_enc_put_bytes(&e, (mp_bytes_t){ NULL, 0 });
    mp_enc_put_varint(&e, 3); /* 3 segments need >= 9 bytes */
    mp_enc_put_raw(&e, "\0\0\0\0\0\0\0\0", 8);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "nseg is 3, but only 8 bytes");

    /* PROCESS comes once. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_PROCESS);
    mp_enc_put_varint(&e, 1);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "a second PROCESS record");

    /* A record longer than the chunk, and a length that is no varint. */
    expect_rejected("\x05\x90\x4e\x01", 4, 1, "its length is 10000 bytes, the chunk has 1 left");
    expect_rejected("\x05\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 11, 1,
                    "its length is not a valid varint");
    expect_rejected("\x05\xff\xff", 3, 1, "its length runs past the chunk's end");
    /* A varint field running past its record (THREAD of one byte). */
    expect_rejected("\x05\x01\x80", 3, 1, "tid: past the end of the record");
}

static void hostile_argc_is_rejected(void)
{
    uint8_t raw[64];
    tbuf_t log = { 0 };
    mp_enc_t e;
    size_t m;
    tread_t rd;

    mp_enc_init(&e, raw, sizeof raw);
    m = mp_enc_rec_begin(&e, MP_REC_PROCESS);
    for (int i = 0; i < 9; i++)
        mp_enc_put_varint(&e, 0);
    mp_enc_put_str(&e, STR("x"));
    mp_enc_put_varint(&e, 1000000);
    mp_enc_rec_end(&e, m);
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, raw, e.len);
    t_read(t_write("argc.mpz", log.p, log.len), &rd);
    CU_ASSERT_EQUAL(rd.rc, MP_ELOG_CORRUPT);
    CU_ASSERT_EQUAL(rd.records, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(rd.err.msg, "argc is 1000000, at most 4096"));
    tb_free(&log);
}

/* Bad events inside a BATCH are errors of the record, found when it is
 * returned — the iterator then has nothing left to find. */
static void malformed_events_are_rejected(void)
{
    uint8_t rec[64];
    mp_enc_t e;
    size_t m;

    /* Event kinds have no length: an unknown one cannot be skipped. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_BATCH);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 0);
    mp_enc_put_raw(&e, "\x02\x00\x02", 3); /* FREE dts 0 addr +1 */
    mp_enc_put_raw(&e, "\x09\x00", 2);     /* kind 9 */
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "event 2 (byte 3 of the batch's events): unknown event kind 9");

    /* An event cut short by the end of the record. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_BATCH);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 0);
    mp_enc_put_raw(&e, "\x01\x00\x02\x10", 4); /* ALLOC without its stack */
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "event 1 (byte 0 of the batch's events): stack: past the end");

    /* Stack id 0 means "no stack" and cannot be defined. */
    mp_enc_init(&e, rec, sizeof rec);
    m = mp_enc_rec_begin(&e, MP_REC_STACK);
    mp_enc_put_varint(&e, 0);
    mp_enc_put_varint(&e, 0);
    mp_enc_rec_end(&e, m);
    expect_rejected(rec, e.len, 1, "stack id 0");

    /* A batch built by hand, never checked by the reader: the iterator
     * reports the bad event and stops. */
    {
        static const uint8_t events[] = { 0x02, 0x00, 0x02, 0x07 };
        mp_rec_batch_t b = { .tid = 1, .events = events, .events_len = sizeof events };
        mp_batch_iter_t it;
        mp_event_t ev;

        mp_batch_iter_init(&it, &b);
        CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), 1);
        CU_ASSERT_EQUAL(ev.addr, 1);
        CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), MP_ELOG_CORRUPT);
        CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), 0);
    }
}

/* ---- Chunk-level anomalies --------------------------------------------------- */

/* Reads a log made of a good chunk 0 and then `second` (whose chunk starts
 * at the returned offset); expects decoding to stop there with code and a
 * message containing want. */
static void expect_chunk1_error(const tbuf_t *second, int code, const char *want)
{
    uint8_t raw[256];
    tbuf_t log = { 0 };
    mp_enc_t e;
    tread_t rd;
    size_t at;

    mp_enc_init(&e, raw, sizeof raw);
    t_fill(&e, 1, 0, 3);
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, raw, e.len);
    at = log.len;
    tb_put(&log, second->p, second->len);
    t_read(t_write("chunk1.mpz", log.p, log.len), &rd);
    CU_ASSERT_EQUAL(rd.rc, code);
    CU_ASSERT_EQUAL(rd.records, 4);
    CU_ASSERT_EQUAL(rd.err.offset, at);
    CU_ASSERT_EQUAL(rd.err.chunk, 1);
    if (!strstr(rd.err.msg, want)) {
        fprintf(stderr, "\n  message: %s\n  wanted:  %s\n", rd.err.msg, want);
        CU_FAIL("the error message does not say what was wrong");
    }
    CU_ASSERT(rd.memory < 512 * 1024); /* no buffer sized by a bad header */
    tb_free(&log);
}

/* A zstd frame of data made with the given flags (not through
 * mp_chunk_write, which always sets them). */
static size_t frame_with(void *out, size_t cap, const void *src, size_t n, int checksum,
                         int content_size)
{
    ZSTD_CCtx *c = ZSTD_createCCtx();
    size_t k;

    ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, checksum);
    ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size);
    k = ZSTD_compress2(c, out, cap, src, n);
    ZSTD_freeCCtx(c);
    CU_ASSERT_FATAL(!ZSTD_isError(k));
    return k;
}

static void bad_chunk_headers_and_frames_stop_decoding(void)
{
    uint8_t raw[256], frame[512], two[1024];
    tbuf_t c = { 0 };
    mp_enc_t e;
    size_t k, k2;

    mp_enc_init(&e, raw, sizeof raw);
    t_fill(&e, 0, 1, 3);

    tb_chunk_header(&c, "MPCX", 10, 10, 1);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "bad chunk magic 4d 50 43 58");
    c.len = 0;
    tb_chunk_header(&c, "MPCK", 10, 0, 1);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "rsize 0 out of range");
    c.len = 0;
    tb_chunk_header(&c, "MPCK", 10, 0x80000000u, 1); /* 2 GiB: refused unread */
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "rsize 2147483648 out of range 1..16777216");
    c.len = 0;
    tb_chunk_header(&c, "MPCK", 0x40000000u, 100, 1); /* 1 GiB frame for 100 bytes */
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "csize 1073741824 out of range 1..");
    c.len = 0;
    tb_chunk_header(&c, "MPCK", 0, 100, 1);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "csize 0 out of range");
    c.len = 0;
    /* The largest legal claim, on a file that does not have it: refused
     * from the file size, before any buffer is grown to 16 MiB. */
    tb_chunk_header(&c, "MPCK", (uint32_t)ZSTD_COMPRESSBOUND(MP_LOG_MAX_RSIZE),
                    MP_LOG_MAX_RSIZE, 1);
    tb_put(&c, "abc", 3);
    expect_chunk1_error(&c, MP_ELOG_TRUNC, "bytes of frame follow, the file has 3");
    c.len = 0;
    tb_chunk(&c, 2, raw, e.len); /* a gap in the sequence */
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "chunk number is 2, expected 1");
    c.len = 0;
    tb_chunk(&c, 0, raw, e.len); /* a repeat */
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "chunk number is 0, expected 1");

    /* Frames that are not what the format requires. */
    k = frame_with(frame, sizeof frame, raw, e.len, 0, 1);
    c.len = 0;
    tb_chunk_header(&c, "MPCK", (uint32_t)k, (uint32_t)e.len, 1);
    tb_put(&c, frame, k);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "the zstd frame has no checksum");
    k = frame_with(frame, sizeof frame, raw, e.len, 1, 0);
    c.len = 0;
    tb_chunk_header(&c, "MPCK", (uint32_t)k, (uint32_t)e.len, 1);
    tb_put(&c, frame, k);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "does not record its content size");
    k = frame_with(frame, sizeof frame, raw, e.len, 1, 1);
    c.len = 0;
    tb_chunk_header(&c, "MPCK", (uint32_t)k, (uint32_t)e.len + 1, 1);
    tb_put(&c, frame, k);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "the zstd frame holds");
    /* Two frames in one chunk: the first holds rsize bytes, a second one
     * follows it. */
    k = frame_with(two, sizeof two, raw, e.len, 1, 1);
    k2 = frame_with(two + k, sizeof two - k, raw, 1, 1, 1);
    c.len = 0;
    tb_chunk_header(&c, "MPCK", (uint32_t)(k + k2), (uint32_t)e.len, 1);
    tb_put(&c, two, k + k2);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "the zstd frame is");
    /* A skippable frame. */
    {
        static const uint8_t skip[] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4 };
        c.len = 0;
        tb_chunk_header(&c, "MPCK", sizeof skip, 4, 1);
        tb_put(&c, skip, sizeof skip);
        expect_chunk1_error(&c, MP_ELOG_CORRUPT, "skippable frame");
    }
    /* Garbage where the frame should be. */
    c.len = 0;
    tb_chunk_header(&c, "MPCK", 8, 4, 1);
    tb_put(&c, "garbage!", 8);
    expect_chunk1_error(&c, MP_ELOG_CORRUPT, "zstd frame header");
    tb_free(&c);
}

static void structure_across_records_is_enforced(void)
{
    uint8_t raw[256];
    tbuf_t log = { 0 };
    mp_enc_t e;
    tread_t rd;

    /* The first record must be PROCESS. */
    mp_enc_init(&e, raw, sizeof raw);
    mp_enc_thread(&e, &(mp_rec_thread_t){ .tid = 1 });
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, raw, e.len);
    t_read(t_write("noproc.mpz", log.p, log.len), &rd);
    CU_ASSERT_EQUAL(rd.rc, MP_ELOG_CORRUPT);
    CU_ASSERT_EQUAL(rd.records, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(rd.err.msg, "first record must be PROCESS"));

    /* Nothing after END: not in its chunk, not in a later one. */
    mp_enc_init(&e, raw, sizeof raw);
    t_fill(&e, 1, 0, 2);
    mp_enc_end(&e, &(mp_rec_end_t){ .ts = 1 });
    mp_enc_watermark(&e, &(mp_rec_watermark_t){ .ts = 2 });
    log.len = 0;
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, raw, e.len);
    t_read(t_write("afterend.mpz", log.p, log.len), &rd);
    CU_ASSERT_EQUAL(rd.rc, MP_ELOG_CORRUPT);
    CU_ASSERT_EQUAL(rd.records, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(rd.err.msg, "WATERMARK record"));
    CU_ASSERT_PTR_NOT_NULL(strstr(rd.err.msg, "a record after END"));

    mp_enc_init(&e, raw, sizeof raw);
    t_fill(&e, 1, 0, 2);
    mp_enc_end(&e, &(mp_rec_end_t){ .ts = 1 });
    log.len = 0;
    tb_header(&log, 1, 0, 0);
    tb_chunk(&log, 0, raw, e.len);
    size_t at = log.len;
    mp_enc_init(&e, raw, sizeof raw);
    mp_enc_watermark(&e, &(mp_rec_watermark_t){ .ts = 2 });
    tb_chunk(&log, 1, raw, e.len);
    t_read(t_write("afterend.mpz", log.p, log.len), &rd);
    CU_ASSERT_EQUAL(rd.rc, MP_ELOG_CORRUPT);
    CU_ASSERT_EQUAL(rd.records, 5);
    CU_ASSERT_EQUAL(rd.err.offset, at);
    CU_ASSERT_PTR_NOT_NULL(strstr(rd.err.msg, "data after the END record"));
    tb_free(&log);
}

void t_register_damage(void)
{
    MP_SUITE("format_damage",
             MP_TEST(truncated_at_every_byte_decodes_whole_chunks),
             MP_TEST(flipped_byte_anywhere_is_caught_or_harmless),
             MP_TEST(mutated_records_never_crash_the_decoder),
             MP_TEST(wrong_magic_is_not_a_log),
             MP_TEST(other_major_version_is_refused_naming_both),
             MP_TEST(hostile_counts_are_rejected_before_allocating),
             MP_TEST(hostile_argc_is_rejected),
             MP_TEST(malformed_events_are_rejected),
             MP_TEST(bad_chunk_headers_and_frames_stop_decoding),
             MP_TEST(structure_across_records_is_enforced));
}
