/*
 * test_format_roundtrip.c — every record type and every event kind goes
 * through encoder → chunk writer → file → reader and comes back field for
 * field, with values at the edges (10-byte varints, address deltas that
 * wrap, empty strings and arrays). Also what a newer minor version may add
 * (unknown record types, trailing fields: skipped), and the reader's memory
 * staying flat over a log of many chunks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "log_chunk.h"
#include "test_format_util.h"

#define STR(s) ((mp_str_t){ (s), sizeof(s) - 1 })
#define STRI(s) { (s), sizeof(s) - 1 } /* the same, in a static initializer */

static int str_eq(mp_str_t a, mp_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* ---- The records sent ---------------------------------------------------- */

static const mp_str_t argv_in[] = { STRI("prog"), STRI(""), STRI("--name=\xc3\xa9t\xc3\xa9") };
static const mp_rec_process_t process_in = {
    .pid = 123456, .ppid = UINT64_MAX, .start_real_ns = 1700000000000000001ull,
    .start_mono_ns = UINT64_MAX - 1, .page_size = 4096, .heap_page_size = 8192,
    .mode = MP_MODE_SAMPLED, .sample_interval = 524288, .max_depth = 256,
    .exe = STRI("/opt/prog/bin/prog"), .argc = 3, .argv = argv_in,
};
static const mp_class_info_t classes_in_t[] = { { 16, 1 }, { 32768, 4 }, { UINT64_MAX, 0 } };
static const mp_rec_classes_t classes_in = { .n = 3, .classes = classes_in_t };
static const uint8_t build_id_in[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0xff };
static const mp_segment_t segs_in[] = { { 0, 0x1000, MP_SEG_R },
                                        { UINT64_MAX, UINT64_MAX, 0xff } };
static const mp_rec_module_t module_in = {
    .id = 5, .ts = 77, .bias = 0x7f1234560000, .path = STRI("/lib/libz.so.1"),
    .build_id = { build_id_in, sizeof build_id_in }, .nseg = 2, .segs = segs_in,
};
static const mp_rec_module_t module_empty_in = { .id = UINT64_MAX };
static const mp_rec_module_gone_t gone_in = { .id = 5, .ts = UINT64_MAX };
static const mp_rec_thread_t thread_in = { .tid = 4294967295u, .ts = 1, .name = STRI("16-byte-name-xx") };
static const uint64_t frames_in[] = { 0x7fffffffe000, 0, UINT64_MAX, 1, 0x400000, 0x3fffff };
static const mp_rec_stack_t stack_in = { .id = 99, .n = 6, .frames = frames_in };
static const mp_rec_stack_t stack_empty_in = { .id = UINT64_MAX, .n = 0 };
static const mp_rec_watermark_t watermark_in = { .ts = 1ull << 40 };
static const mp_class_stat_t stats_in[] = { { 1, 2 }, { 0, 0 }, { UINT64_MAX, 1ull << 50 } };
static const mp_rec_snapshot_t snapshot_in = {
    .ts = 10000000, .rss = 1 << 30, .mapped = 3 << 20, .in_use = 1 << 20, .idle = 1 << 20,
    .released = 1 << 20, .large_objects = 3, .large_bytes = 300000, .n = 3, .classes = stats_in,
};
static const mp_leak_block_t leaks_in_t[] = {
    { 0x10, MP_LEAK_DEFINITE }, { 0x7f0000001000, MP_LEAK_POSSIBLE },
    { UINT64_MAX, MP_LEAK_INDIRECT } };
static const mp_rec_leakscan_t leakscan_in = {
    .ts = 98, .flags = MP_LEAKSCAN_UNPAUSED | MP_LEAKSCAN_OVERFLOW, .live_blocks = 1ull << 40,
    .root_bytes = 12345, .heap_bytes = UINT64_MAX, .threads = 3, .threads_paused = 2,
    .duration_ns = 999, .n = 3, .blocks = leaks_in_t,
};
static const mp_rec_lost_t lost_in = { .ts = 5, .events = UINT64_MAX, .reason = MP_LOST_STOPPED };
static const mp_rec_end_t end_in = { .ts = 99, .reason = MP_END_SIGNAL, .detail = 11,
                                     .events = 1ull << 33 };

/* Events: every kind, addresses that jump up, down and around 0 / 2^64. */
static const mp_event_t events_in[] = {
    { .kind = MP_EV_ALLOC, .ts = 1000, .addr = 0x7f0000001000, .size = 16, .stack = 99 },
    { .kind = MP_EV_FREE, .ts = 1000, .addr = 0x7f0000001000 },
    { .kind = MP_EV_ALLOC, .ts = 1001, .addr = 0x10, .size = 0, .stack = 0 },
    { .kind = MP_EV_REALLOC, .ts = 5000, .old_addr = 0x10, .addr = UINT64_MAX - 15,
      .size = UINT64_MAX, .stack = 1 },
    { .kind = MP_EV_REALLOC, .ts = 5001, .old_addr = 0, .addr = 0x20, .size = 1, .stack = 2 },
    { .kind = MP_EV_SAMPLE, .ts = 1ull << 62, .addr = 0, .size = 100, .stack = 3,
      .weight = 524288 },
    { .kind = MP_EV_SPAN, .ts = (1ull << 62) + 1, .op = MP_SPAN_TAKE, .cls = 255, .pages = 1,
      .addr = 0x7f0000000000 },
    { .kind = MP_EV_SPAN, .ts = (1ull << 62) + 2, .op = 77, .cls = 0, .pages = UINT64_MAX,
      .addr = 0x8000000000000000 },
    { .kind = MP_EV_FREE, .ts = (1ull << 62) + 2, .addr = 0x7fffffffffffffff },
};
#define NEVENTS (sizeof events_in / sizeof events_in[0])

/* ---- Comparisons ------------------------------------------------------- */

static void expect_process(const mp_rec_process_t *a, const mp_rec_process_t *b)
{
    CU_ASSERT_EQUAL(a->pid, b->pid);
    CU_ASSERT_EQUAL(a->ppid, b->ppid);
    CU_ASSERT_EQUAL(a->start_real_ns, b->start_real_ns);
    CU_ASSERT_EQUAL(a->start_mono_ns, b->start_mono_ns);
    CU_ASSERT_EQUAL(a->page_size, b->page_size);
    CU_ASSERT_EQUAL(a->heap_page_size, b->heap_page_size);
    CU_ASSERT_EQUAL(a->mode, b->mode);
    CU_ASSERT_EQUAL(a->sample_interval, b->sample_interval);
    CU_ASSERT_EQUAL(a->max_depth, b->max_depth);
    CU_ASSERT(str_eq(a->exe, b->exe));
    CU_ASSERT_EQUAL_FATAL(a->argc, b->argc);
    for (uint32_t i = 0; i < a->argc; i++)
        CU_ASSERT(str_eq(a->argv[i], b->argv[i]));
}

static void expect_module(const mp_rec_module_t *a, const mp_rec_module_t *b)
{
    CU_ASSERT_EQUAL(a->id, b->id);
    CU_ASSERT_EQUAL(a->ts, b->ts);
    CU_ASSERT_EQUAL(a->bias, b->bias);
    CU_ASSERT(str_eq(a->path, b->path));
    CU_ASSERT_EQUAL_FATAL(a->build_id.len, b->build_id.len);
    CU_ASSERT(a->build_id.len == 0 || memcmp(a->build_id.ptr, b->build_id.ptr, a->build_id.len) == 0);
    CU_ASSERT_EQUAL_FATAL(a->nseg, b->nseg);
    for (uint32_t i = 0; i < a->nseg; i++) {
        CU_ASSERT_EQUAL(a->segs[i].vaddr, b->segs[i].vaddr);
        CU_ASSERT_EQUAL(a->segs[i].memsz, b->segs[i].memsz);
        CU_ASSERT_EQUAL(a->segs[i].flags, b->segs[i].flags);
    }
}

static void expect_stack(const mp_rec_stack_t *a, const mp_rec_stack_t *b)
{
    CU_ASSERT_EQUAL(a->id, b->id);
    CU_ASSERT_EQUAL_FATAL(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++)
        CU_ASSERT_EQUAL(a->frames[i], b->frames[i]);
}

static void expect_snapshot(const mp_rec_snapshot_t *a, const mp_rec_snapshot_t *b)
{
    CU_ASSERT_EQUAL(a->ts, b->ts);
    CU_ASSERT_EQUAL(a->rss, b->rss);
    CU_ASSERT_EQUAL(a->mapped, b->mapped);
    CU_ASSERT_EQUAL(a->in_use, b->in_use);
    CU_ASSERT_EQUAL(a->idle, b->idle);
    CU_ASSERT_EQUAL(a->released, b->released);
    CU_ASSERT_EQUAL(a->large_objects, b->large_objects);
    CU_ASSERT_EQUAL(a->large_bytes, b->large_bytes);
    CU_ASSERT_EQUAL_FATAL(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++) {
        CU_ASSERT_EQUAL(a->classes[i].spans, b->classes[i].spans);
        CU_ASSERT_EQUAL(a->classes[i].live_objects, b->classes[i].live_objects);
    }
}

static void expect_leakscan(const mp_rec_leakscan_t *a, const mp_rec_leakscan_t *b)
{
    CU_ASSERT_EQUAL(a->ts, b->ts);
    CU_ASSERT_EQUAL(a->flags, b->flags);
    CU_ASSERT_EQUAL(a->live_blocks, b->live_blocks);
    CU_ASSERT_EQUAL(a->root_bytes, b->root_bytes);
    CU_ASSERT_EQUAL(a->heap_bytes, b->heap_bytes);
    CU_ASSERT_EQUAL(a->threads, b->threads);
    CU_ASSERT_EQUAL(a->threads_paused, b->threads_paused);
    CU_ASSERT_EQUAL(a->duration_ns, b->duration_ns);
    CU_ASSERT_EQUAL_FATAL(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++) {
        CU_ASSERT_EQUAL(a->blocks[i].addr, b->blocks[i].addr);
        CU_ASSERT_EQUAL(a->blocks[i].kind, b->blocks[i].kind);
    }
}

static void expect_event(const mp_event_t *a, const mp_event_t *b)
{
    CU_ASSERT_EQUAL(a->kind, b->kind);
    CU_ASSERT_EQUAL(a->ts, b->ts);
    CU_ASSERT_EQUAL(a->addr, b->addr);
    CU_ASSERT_EQUAL(a->old_addr, b->old_addr);
    CU_ASSERT_EQUAL(a->size, b->size);
    CU_ASSERT_EQUAL(a->stack, b->stack);
    CU_ASSERT_EQUAL(a->weight, b->weight);
    CU_ASSERT_EQUAL(a->op, b->op);
    CU_ASSERT_EQUAL(a->cls, b->cls);
    CU_ASSERT_EQUAL(a->pages, b->pages);
}

/* Reads the next record, which must be of type `type`. */
static int next_of(mp_reader_t *r, mp_record_t *rec, unsigned type)
{
    int rc = mp_reader_next(r, rec);

    CU_ASSERT_EQUAL(rc, 1);
    if (rc != 1)
        return 0;
    CU_ASSERT_EQUAL(rec->type, type);
    CU_ASSERT_EQUAL(rec->extra, 0);
    return rec->type == type;
}

static void every_record_and_event_round_trips(void)
{
    static uint8_t raw[8192];
    tbuf_t log = { 0 };
    mp_enc_t e;
    mp_enc_batch_t b;
    mp_reader_t *r;
    mp_record_t rec;
    mp_batch_iter_t it;
    mp_event_t ev;
    mp_log_error_t err;
    unsigned major, minor;
    uint32_t flags;

    tb_header(&log, MP_LOG_MAJOR, MP_LOG_MINOR, 0x80000001u); /* flags: ignored */
    /* Chunk 0: one of each record; the events through the typed helpers. */
    mp_enc_init(&e, raw, sizeof raw);
    CU_ASSERT_EQUAL(mp_enc_process(&e, &process_in), 0);
    CU_ASSERT_EQUAL(mp_enc_classes(&e, &classes_in), 0);
    CU_ASSERT_EQUAL(mp_enc_module(&e, &module_in), 0);
    CU_ASSERT_EQUAL(mp_enc_module(&e, &module_empty_in), 0);
    CU_ASSERT_EQUAL(mp_enc_module_gone(&e, &gone_in), 0);
    CU_ASSERT_EQUAL(mp_enc_thread(&e, &thread_in), 0);
    CU_ASSERT_EQUAL(mp_enc_stack(&e, &stack_in), 0);
    CU_ASSERT_EQUAL(mp_enc_stack(&e, &stack_empty_in), 0);
    CU_ASSERT_EQUAL(mp_enc_batch_begin(&e, &b, 4242, 999), 0);
    for (size_t i = 0; i < NEVENTS; i++) {
        const mp_event_t *x = &events_in[i];
        int rc = -1;
        switch (x->kind) {
        case MP_EV_ALLOC: rc = mp_enc_ev_alloc(&e, &b, x->ts, x->addr, x->size, x->stack); break;
        case MP_EV_FREE: rc = mp_enc_ev_free(&e, &b, x->ts, x->addr); break;
        case MP_EV_REALLOC:
            rc = mp_enc_ev_realloc(&e, &b, x->ts, x->old_addr, x->addr, x->size, x->stack);
            break;
        case MP_EV_SAMPLE:
            rc = mp_enc_ev_sample(&e, &b, x->ts, x->addr, x->size, x->stack, x->weight);
            break;
        case MP_EV_SPAN: rc = mp_enc_ev_span(&e, &b, x->ts, x->op, x->cls, x->pages, x->addr); break;
        }
        CU_ASSERT_EQUAL(rc, 0);
    }
    CU_ASSERT_EQUAL(mp_enc_batch_end(&e, &b), 0);
    CU_ASSERT_EQUAL(mp_enc_watermark(&e, &watermark_in), 0);
    CU_ASSERT_EQUAL(mp_enc_snapshot(&e, &snapshot_in), 0);
    CU_ASSERT_EQUAL(mp_enc_lost(&e, &lost_in), 0);
    CU_ASSERT_EQUAL(mp_enc_leakscan(&e, &leakscan_in), 0);
    CU_ASSERT_FALSE(e.overflow);
    tb_chunk(&log, 0, raw, e.len);
    /* Chunk 1: the same events through mp_enc_event, then END. */
    mp_enc_init(&e, raw, sizeof raw);
    CU_ASSERT_EQUAL(mp_enc_batch_begin(&e, &b, 1, 0), 0);
    for (size_t i = 0; i < NEVENTS; i++)
        CU_ASSERT_EQUAL(mp_enc_event(&e, &b, &events_in[i]), 0);
    CU_ASSERT_EQUAL(mp_enc_event(&e, &b, &(mp_event_t){ .kind = 6 }), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_enc_batch_end(&e, &b), 0);
    CU_ASSERT_EQUAL(mp_enc_end(&e, &end_in), 0);
    tb_chunk(&log, 1, raw, e.len);

    CU_ASSERT_EQUAL_FATAL(mp_reader_open(t_write("all.mpz", log.p, log.len), &r, &err), 0);
    mp_reader_version(r, &major, &minor, &flags);
    CU_ASSERT_EQUAL(major, 1);
    CU_ASSERT_EQUAL(minor, MP_LOG_MINOR);
    CU_ASSERT_EQUAL(flags, 0x80000001u);
    if (next_of(r, &rec, MP_REC_PROCESS))
        expect_process(&rec.u.process, &process_in);
    CU_ASSERT_EQUAL(rec.chunk, 0);
    CU_ASSERT_EQUAL(rec.offset, 0);
    CU_ASSERT_EQUAL(mp_reader_chunk(r)->offset, 16);
    if (next_of(r, &rec, MP_REC_CLASSES)) {
        CU_ASSERT_EQUAL_FATAL(rec.u.classes.n, 3);
        for (int i = 0; i < 3; i++) {
            CU_ASSERT_EQUAL(rec.u.classes.classes[i].size, classes_in_t[i].size);
            CU_ASSERT_EQUAL(rec.u.classes.classes[i].pages, classes_in_t[i].pages);
        }
    }
    if (next_of(r, &rec, MP_REC_MODULE))
        expect_module(&rec.u.module, &module_in);
    if (next_of(r, &rec, MP_REC_MODULE))
        expect_module(&rec.u.module, &module_empty_in);
    if (next_of(r, &rec, MP_REC_MODULE_GONE)) {
        CU_ASSERT_EQUAL(rec.u.module_gone.id, gone_in.id);
        CU_ASSERT_EQUAL(rec.u.module_gone.ts, gone_in.ts);
    }
    if (next_of(r, &rec, MP_REC_THREAD)) {
        CU_ASSERT_EQUAL(rec.u.thread.tid, thread_in.tid);
        CU_ASSERT_EQUAL(rec.u.thread.ts, thread_in.ts);
        CU_ASSERT(str_eq(rec.u.thread.name, thread_in.name));
    }
    if (next_of(r, &rec, MP_REC_STACK))
        expect_stack(&rec.u.stack, &stack_in);
    if (next_of(r, &rec, MP_REC_STACK))
        expect_stack(&rec.u.stack, &stack_empty_in);
    for (int chunk = 0; chunk < 2; chunk++) {
        if (chunk == 1) {
            if (next_of(r, &rec, MP_REC_WATERMARK))
                CU_ASSERT_EQUAL(rec.u.watermark.ts, watermark_in.ts);
            if (next_of(r, &rec, MP_REC_SNAPSHOT))
                expect_snapshot(&rec.u.snapshot, &snapshot_in);
            if (next_of(r, &rec, MP_REC_LOST)) {
                CU_ASSERT_EQUAL(rec.u.lost.ts, lost_in.ts);
                CU_ASSERT_EQUAL(rec.u.lost.events, lost_in.events);
                CU_ASSERT_EQUAL(rec.u.lost.reason, lost_in.reason);
            }
            if (next_of(r, &rec, MP_REC_LEAKSCAN))
                expect_leakscan(&rec.u.leakscan, &leakscan_in);
        }
        if (!next_of(r, &rec, MP_REC_BATCH))
            break;
        CU_ASSERT_EQUAL(rec.chunk, (uint32_t)chunk);
        CU_ASSERT_EQUAL(rec.u.batch.tid, chunk ? 1 : 4242);
        CU_ASSERT_EQUAL(rec.u.batch.base_ts, chunk ? 0 : 999);
        CU_ASSERT_EQUAL(rec.u.batch.nevents, NEVENTS);
        mp_batch_iter_init(&it, &rec.u.batch);
        for (size_t i = 0; i < NEVENTS; i++) {
            CU_ASSERT_EQUAL_FATAL(mp_batch_next(&it, &ev), 1);
            expect_event(&ev, &events_in[i]);
        }
        CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), 0);
        CU_ASSERT_EQUAL(mp_batch_next(&it, &ev), 0);
    }
    CU_ASSERT_EQUAL(mp_reader_chunk(r)->seq, 1);
    if (next_of(r, &rec, MP_REC_END)) {
        CU_ASSERT_EQUAL(rec.u.end.ts, end_in.ts);
        CU_ASSERT_EQUAL(rec.u.end.reason, end_in.reason);
        CU_ASSERT_EQUAL(rec.u.end.detail, end_in.detail);
        CU_ASSERT_EQUAL(rec.u.end.events, end_in.events);
    }
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 0);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 0); /* and stays at the end */
    CU_ASSERT_EQUAL(mp_reader_error(r)->code, 0);
    mp_reader_close(r);
    mp_reader_close(NULL);
    tb_free(&log);
}

/* A newer minor version: a record type this reader does not know, and
 * known records with fields after the ones it knows. */
static void newer_minor_version_is_read_skipping_what_is_new(void)
{
    uint8_t raw[1024];
    tbuf_t log = { 0 };
    mp_enc_t e;
    mp_reader_t *r;
    mp_record_t rec;
    unsigned major, minor;
    uint32_t flags;
    size_t m;

    mp_enc_init(&e, raw, sizeof raw);
    m = mp_enc_rec_begin(&e, MP_REC_PROCESS);
    for (int i = 0; i < 9; i++)
        mp_enc_put_varint(&e, (uint64_t)i + 1);
    mp_enc_put_str(&e, STR("/bin/new"));
    mp_enc_put_varint(&e, 0);                 /* argc */
    mp_enc_put_varint(&e, 123456789);         /* a 1.1 field */
    mp_enc_put_str(&e, STR("another field")); /* and another */
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    m = mp_enc_rec_begin(&e, 0x40); /* unknown type */
    mp_enc_put_str(&e, STR("whatever 1.1 says"));
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    m = mp_enc_rec_begin(&e, 0x42); /* unknown, with a one-byte payload */
    mp_enc_put_varint(&e, 1);
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    m = mp_enc_rec_begin(&e, 0x41); /* unknown and empty */
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    m = mp_enc_rec_begin(&e, MP_REC_THREAD);
    mp_enc_put_varint(&e, 77);
    mp_enc_put_varint(&e, 88);
    mp_enc_put_str(&e, STR("t"));
    mp_enc_put_u32(&e, 0xffffffff); /* trailing */
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    m = mp_enc_rec_begin(&e, MP_REC_SNAPSHOT);
    for (int i = 0; i < 8; i++)
        mp_enc_put_varint(&e, 10 + (uint64_t)i);
    mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 2);
    mp_enc_put_varint(&e, 3);
    mp_enc_put_u8(&e, 0x80); /* trailing: even bytes that are no valid varint */
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    m = mp_enc_rec_begin(&e, MP_REC_END);
    for (int i = 0; i < 4; i++)
        mp_enc_put_varint(&e, 1);
    mp_enc_put_varint(&e, 5);
    CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
    tb_header(&log, MP_LOG_MAJOR, 9, 0);
    tb_chunk(&log, 0, raw, e.len);

    CU_ASSERT_EQUAL_FATAL(mp_reader_open(t_write("minor.mpz", log.p, log.len), &r, NULL), 0);
    mp_reader_version(r, &major, &minor, &flags);
    CU_ASSERT_EQUAL(minor, 9);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, MP_REC_PROCESS);
    CU_ASSERT_EQUAL(rec.u.process.max_depth, 9);
    CU_ASSERT(str_eq(rec.u.process.exe, STR("/bin/new")));
    CU_ASSERT_EQUAL(rec.extra, 4 + 1 + 13);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, 0x40);
    CU_ASSERT_EQUAL(rec.len, 18);
    CU_ASSERT(memcmp(rec.u.unknown.payload + 1, "whatever", 8) == 0);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, 0x42);
    CU_ASSERT_EQUAL(rec.len, 1);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, 0x41);
    CU_ASSERT_EQUAL(rec.len, 0);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, MP_REC_THREAD);
    CU_ASSERT_EQUAL(rec.u.thread.tid, 77);
    CU_ASSERT(str_eq(rec.u.thread.name, STR("t")));
    CU_ASSERT_EQUAL(rec.extra, 4);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, MP_REC_SNAPSHOT);
    CU_ASSERT_EQUAL(rec.u.snapshot.large_bytes, 17);
    CU_ASSERT_EQUAL(rec.u.snapshot.n, 1);
    CU_ASSERT_EQUAL(rec.u.snapshot.classes[0].live_objects, 3);
    CU_ASSERT_EQUAL(rec.extra, 1);
    CU_ASSERT_EQUAL_FATAL(mp_reader_next(r, &rec), 1);
    CU_ASSERT_EQUAL(rec.type, MP_REC_END);
    CU_ASSERT_EQUAL(rec.extra, 1);
    CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 0);
    mp_reader_close(r);
    tb_free(&log);
}

/* LEAKSCAN: the encoder refuses what a reader would, and a reader stops at
 * a record whose blocks are out of order, of an unknown kind or more than
 * the record holds (format.md, LEAKSCAN). */
static void leakscan_blocks_are_checked(void)
{
    static const mp_leak_block_t down[] = { { 0x20, 1 }, { 0x10, 1 } };
    static const mp_leak_block_t same[] = { { 0x20, 1 }, { 0x20, 2 } };
    static const mp_leak_block_t reach[] = { { 0x20, MP_LEAK_REACHABLE } };
    static const mp_leak_block_t zero[] = { { 0x20, 0 } };
    mp_rec_leakscan_t l = { .n = 2, .blocks = down };
    uint8_t raw[256];
    mp_enc_t e;

    mp_enc_init(&e, raw, sizeof raw);
    CU_ASSERT_EQUAL(mp_enc_leakscan(&e, &l), MP_ELOG_INVAL);
    l.blocks = same;
    CU_ASSERT_EQUAL(mp_enc_leakscan(&e, &l), MP_ELOG_INVAL);
    l.n = 1;
    l.blocks = reach;
    CU_ASSERT_EQUAL(mp_enc_leakscan(&e, &l), MP_ELOG_INVAL);
    l.blocks = zero;
    CU_ASSERT_EQUAL(mp_enc_leakscan(&e, &l), MP_ELOG_INVAL);
    l.n = MP_LOG_MAX_LEAKSCAN + 1;
    CU_ASSERT_EQUAL(mp_enc_leakscan(&e, &l), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(e.len, 0);

    /* Hand-made records: header fields, n, then (delta, kind) pairs. */
    static const struct {
        uint64_t n, v[6];
        unsigned nv;
        const char *why;
    } bad[] = {
        { 2, { 0x20, 1, 0, 1 }, 4, "not ascending" },
        { 2, { 0x20, 1, UINT64_MAX, 1 }, 4, "not ascending" },
        { 1, { 0x20, 4 }, 2, "kind 4" },
        { 1, { 0x20, 0 }, 2, "kind 0" },
        { 3, { 0x20, 1, 0x10, 2 }, 4, "bytes of the record are left" },
        { MP_LOG_MAX_LEAKSCAN + 1, { 0 }, 0, "at most 4096" },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        tbuf_t log = { 0 };
        mp_reader_t *r;
        mp_record_t rec;

        mp_enc_init(&e, raw, sizeof raw);
        CU_ASSERT_EQUAL(mp_enc_process(&e, &process_in), 0);
        size_t m = mp_enc_rec_begin(&e, MP_REC_LEAKSCAN);
        for (int i = 0; i < 8; i++)
            mp_enc_put_varint(&e, 1);
        mp_enc_put_varint(&e, bad[k].n);
        for (unsigned i = 0; i < bad[k].nv; i++)
            mp_enc_put_varint(&e, bad[k].v[i]);
        CU_ASSERT_EQUAL(mp_enc_rec_end(&e, m), 0);
        tb_header(&log, MP_LOG_MAJOR, MP_LOG_MINOR, 0);
        tb_chunk(&log, 0, raw, e.len);
        CU_ASSERT_EQUAL_FATAL(mp_reader_open(t_write("leakscan.mpz", log.p, log.len), &r, NULL), 0);
        CU_ASSERT_EQUAL(mp_reader_next(r, &rec), 1);
        CU_ASSERT_EQUAL(mp_reader_next(r, &rec), MP_ELOG_CORRUPT);
        CU_ASSERT_PTR_NOT_NULL(strstr(mp_reader_error(r)->msg, "LEAKSCAN"));
        if (!strstr(mp_reader_error(r)->msg, bad[k].why)) {
            fprintf(stderr, "case %zu: %s\n", k, mp_reader_error(r)->msg);
            CU_FAIL("the reader's message names what is wrong");
        }
        mp_reader_close(r);
        tb_free(&log);
    }
}

/* Memory is one chunk plus fixed state: reading 40 chunks costs what
 * reading the first did. */
static void reader_memory_does_not_grow_with_the_log(void)
{
    static uint8_t raw[64 * 1024];
    tbuf_t log = { 0 };
    mp_enc_t e;
    mp_reader_t *r;
    mp_record_t rec;
    size_t after_first = 0;
    int rc;

    tb_header(&log, 1, 0, 0);
    for (uint32_t c = 0; c < 40; c++) {
        mp_enc_init(&e, raw, sizeof raw);
        /* Fill the chunk with batches until the buffer refuses one. */
        t_fill(&e, c == 0, c, 50);
        while (!e.overflow) {
            size_t m = e.len;
            t_fill(&e, 0, c, 50);
            if (e.overflow)
                e.len = m; /* t_fill is several records: drop the partial set */
        }
        tb_chunk(&log, c, raw, e.len);
    }
    CU_ASSERT_EQUAL_FATAL(mp_reader_open(t_write("many.mpz", log.p, log.len), &r, NULL), 0);
    while ((rc = mp_reader_next(r, &rec)) > 0)
        if (rec.chunk == 0)
            after_first = mp_reader_memory(r);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(mp_reader_chunk(r)->seq, 39);
    CU_ASSERT(after_first > 0);
    CU_ASSERT_EQUAL(mp_reader_memory(r), after_first);
    /* Fixed state plus two buffers of at most twice the chunk. */
    CU_ASSERT(mp_reader_memory(r) < 1024 * 1024);
    mp_reader_close(r);
    tb_free(&log);
}

void t_register_roundtrip(void)
{
    MP_SUITE("format_roundtrip",
             MP_TEST(every_record_and_event_round_trips),
             MP_TEST(newer_minor_version_is_read_skipping_what_is_new),
             MP_TEST(leakscan_blocks_are_checked),
             MP_TEST(reader_memory_does_not_grow_with_the_log));
}
