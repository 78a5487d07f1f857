/*
 * test_replay_util.c — synthetic logs for the replay suites
 * (test_replay_util.h).
 */
#include "test_replay_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_chunk.h"
#include "log_encode.h"

#define RAW_CAP (1u << 20)

const mp_class_info_t lb_classes[LB_NCLASSES] = { { 16, 1 }, { 32, 1 }, { 48, 1 }, { 4096, 2 } };

struct lb {
    FILE *f;
    char *path;
    uint64_t off;          /* bytes written to the file */
    uint32_t seq;          /* next chunk number */
    mp_enc_t enc;
    uint8_t *raw, *out;
    size_t out_cap;
    ZSTD_CCtx *cctx;
    mp_enc_batch_t batch;
    uint64_t batch_tid;
};

static char tmpdir[256];
static char **paths; /* every path handed out, freed at exit */
static size_t n_paths;

static void die(const char *what)
{
    perror(what);
    abort();
}

static void cleanup(void)
{
    char cmd[320];
    if (tmpdir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    for (size_t i = 0; i < n_paths; i++)
        free(paths[i]);
    free(paths);
}

static const char *dir(void)
{
    if (!tmpdir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/mp-replay.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir))
            die("mkdtemp");
        atexit(cleanup);
    }
    return tmpdir;
}

static char *path_of(const char *name)
{
    size_t n = strlen(dir()) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        die("malloc");
    snprintf(p, n, "%s/%s", dir(), name);
    char **q = realloc(paths, (n_paths + 1) * sizeof *q);
    if (!q)
        die("realloc");
    paths = q;
    paths[n_paths++] = p;
    return p;
}

static void check(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "log builder: %s: %s\n", what, mp_log_strerror(rc));
        abort();
    }
}

static void flush(lb_t *b)
{
    size_t n;
    if (b->enc.len == 0)
        return;
    check(mp_chunk_write(b->cctx, b->seq++, b->enc.buf, b->enc.len, b->out, b->out_cap, &n),
          "chunk");
    if (fwrite(b->out, 1, n, b->f) != n)
        die("fwrite");
    b->off += n;
    mp_enc_reset(&b->enc);
}

static void end_batch(lb_t *b)
{
    if (b->batch.open)
        check(mp_enc_batch_end(&b->enc, &b->batch), "batch end");
}

/* A record through fn; on overflow, a new chunk and again. */
#define RECORD(b, call)                                                     \
    do {                                                                    \
        end_batch(b);                                                       \
        int rc_ = (call);                                                   \
        if (rc_ == MP_ELOG_OVERFLOW) {                                      \
            flush(b);                                                       \
            rc_ = (call);                                                   \
        }                                                                   \
        check(rc_, #call);                                                  \
    } while (0)

static lb_t *open_file(const char *name)
{
    lb_t *b = calloc(1, sizeof *b);
    if (!b)
        die("calloc");
    b->path = path_of(name);
    b->f = fopen(b->path, "wb");
    if (!b->f)
        die(b->path);
    b->raw = malloc(RAW_CAP);
    b->out_cap = mp_chunk_bound(RAW_CAP);
    b->out = malloc(b->out_cap);
    b->cctx = ZSTD_createCCtx();
    if (!b->raw || !b->out || !b->cctx)
        die("builder buffers");
    check(mp_chunk_cctx_setup(b->cctx, 1), "cctx");
    mp_enc_init(&b->enc, b->raw, RAW_CAP);
    check(mp_enc_file_header(&b->enc), "header");
    if (fwrite(b->enc.buf, 1, b->enc.len, b->f) != b->enc.len)
        die("fwrite");
    b->off = b->enc.len;
    mp_enc_reset(&b->enc);
    return b;
}

const char *lb_path(const char *name)
{
    return path_of(name);
}

lb_t *lb_open_bare(const char *name)
{
    return open_file(name);
}

lb_t *lb_open(const char *name, unsigned mode)
{
    static const mp_str_t argv[] = { { "synthetic", 9 }, { "--flag", 6 } };
    lb_t *b = open_file(name);
    mp_rec_process_t p = { .pid = 4242, .ppid = 1, .start_real_ns = 1700000000000000000ull,
                           .start_mono_ns = 1000, .page_size = 4096, .heap_page_size = 8192,
                           .mode = mode,
                           .sample_interval = mode == MP_MODE_SAMPLED ? 524288 : 0,
                           .max_depth = 64, .exe = { "/usr/bin/synthetic", 18 },
                           .argc = 2, .argv = argv };
    RECORD(b, mp_enc_process(&b->enc, &p));
    mp_rec_classes_t c = { .n = LB_NCLASSES, .classes = lb_classes };
    RECORD(b, mp_enc_classes(&b->enc, &c));
    return b;
}

void lb_thread(lb_t *b, uint64_t tid, const char *name)
{
    mp_rec_thread_t t = { .tid = tid, .ts = 0, .name = { name, strlen(name) } };
    RECORD(b, mp_enc_thread(&b->enc, &t));
}

void lb_stack(lb_t *b, uint64_t id, uint32_t n, const uint64_t *frames)
{
    mp_rec_stack_t s = { .id = id, .n = n, .frames = frames };
    RECORD(b, mp_enc_stack(&b->enc, &s));
}

void lb_module(lb_t *b, uint64_t id, const char *path, uint64_t bias)
{
    static const mp_segment_t segs[] = { { 0x1000, 0x2000, MP_SEG_R | MP_SEG_X } };
    static const uint8_t bid[] = { 0xab, 0xcd, 0xef };
    mp_rec_module_t m = { .id = id, .ts = 0, .bias = bias, .path = { path, strlen(path) },
                          .build_id = { bid, sizeof bid }, .nseg = 1, .segs = segs };
    RECORD(b, mp_enc_module(&b->enc, &m));
}

void lb_module_gone(lb_t *b, uint64_t id, uint64_t ts)
{
    mp_rec_module_gone_t g = { .id = id, .ts = ts };
    RECORD(b, mp_enc_module_gone(&b->enc, &g));
}

void lb_batch(lb_t *b, uint64_t tid)
{
    end_batch(b);
    b->batch_tid = tid;
    int rc = mp_enc_batch_begin(&b->enc, &b->batch, tid, 0);
    if (rc == MP_ELOG_OVERFLOW) {
        flush(b);
        rc = mp_enc_batch_begin(&b->enc, &b->batch, tid, 0);
    }
    check(rc, "batch begin");
}

/* An event through call; on overflow the batch moves to a new chunk. The
 * new batch's base is the previous event's time, so deltas stay >= 0. */
#define EVENT(b, call)                                                      \
    do {                                                                    \
        if (!b->batch.open) {                                               \
            fprintf(stderr, "log builder: event outside a batch\n");        \
            abort();                                                        \
        }                                                                   \
        int rc_ = (call);                                                   \
        if (rc_ == MP_ELOG_OVERFLOW) {                                      \
            uint64_t last_ = b->batch.ts;                                   \
            check(mp_enc_batch_end(&b->enc, &b->batch), "batch end");       \
            flush(b);                                                       \
            check(mp_enc_batch_begin(&b->enc, &b->batch, b->batch_tid, last_), "batch"); \
            rc_ = (call);                                                   \
        }                                                                   \
        check(rc_, #call);                                                  \
    } while (0)

void lb_alloc(lb_t *b, uint64_t ts, uint64_t addr, uint64_t size, uint64_t stack)
{
    EVENT(b, mp_enc_ev_alloc(&b->enc, &b->batch, ts, addr, size, stack));
}

void lb_free(lb_t *b, uint64_t ts, uint64_t addr)
{
    EVENT(b, mp_enc_ev_free(&b->enc, &b->batch, ts, addr));
}

void lb_realloc(lb_t *b, uint64_t ts, uint64_t old, uint64_t addr, uint64_t size,
                uint64_t stack)
{
    EVENT(b, mp_enc_ev_realloc(&b->enc, &b->batch, ts, old, addr, size, stack));
}

void lb_sample(lb_t *b, uint64_t ts, uint64_t addr, uint64_t size, uint64_t stack,
               uint64_t weight)
{
    EVENT(b, mp_enc_ev_sample(&b->enc, &b->batch, ts, addr, size, stack, weight));
}

void lb_span(lb_t *b, uint64_t ts, uint64_t op, uint64_t cls, uint64_t pages, uint64_t addr)
{
    EVENT(b, mp_enc_ev_span(&b->enc, &b->batch, ts, op, cls, pages, addr));
}

void lb_watermark(lb_t *b, uint64_t ts)
{
    mp_rec_watermark_t w = { .ts = ts };
    RECORD(b, mp_enc_watermark(&b->enc, &w));
}

void lb_snapshot(lb_t *b, uint64_t ts, uint64_t rss, uint64_t mapped, uint64_t in_use,
                 uint64_t idle, uint64_t released, uint32_t n, const mp_class_stat_t *cls)
{
    mp_rec_snapshot_t s = { .ts = ts, .rss = rss, .mapped = mapped, .in_use = in_use,
                            .idle = idle, .released = released, .n = n, .classes = cls };
    RECORD(b, mp_enc_snapshot(&b->enc, &s));
}

void lb_hollow(lb_t *b, uint64_t ts, uint32_t n, const mp_hollow_block_t *blocks)
{
    mp_rec_hollow_t h = { .ts = ts, .reason = MP_HOLLOW_EXIT, .page_size = 4096, .n = n,
                          .blocks = blocks };
    RECORD(b, mp_enc_hollow(&b->enc, &h));
}

void lb_lost(lb_t *b, uint64_t ts, uint64_t events)
{
    mp_rec_lost_t l = { .ts = ts, .events = events, .reason = MP_LOST_NO_BUFFER };
    RECORD(b, mp_enc_lost(&b->enc, &l));
}

void lb_end(lb_t *b, uint64_t ts)
{
    mp_rec_end_t e = { .ts = ts, .reason = MP_END_EXIT, .detail = 0, .events = 0 };
    RECORD(b, mp_enc_end(&b->enc, &e));
}

uint64_t lb_chunk(lb_t *b)
{
    end_batch(b);
    flush(b);
    return b->off;
}

const char *lb_close(lb_t *b)
{
    end_batch(b);
    flush(b);
    if (fclose(b->f) != 0)
        die("fclose");
    const char *path = b->path;
    free(b->raw);
    free(b->out);
    ZSTD_freeCCtx(b->cctx);
    free(b);
    return path; /* kept for the program's life */
}

uint64_t t_file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n > 0 ? (uint64_t)n : 0;
}

const char *t_cut(const char *src, const char *name, uint64_t len)
{
    char *dst = path_of(name);
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    if (!in || !out)
        die("t_cut");
    char buf[65536];
    while (len > 0) {
        size_t want = len < sizeof buf ? (size_t)len : sizeof buf;
        size_t got = fread(buf, 1, want, in);
        if (got == 0)
            break;
        if (fwrite(buf, 1, got, out) != got)
            die("t_cut write");
        len -= got;
    }
    fclose(in);
    if (fclose(out) != 0)
        die("t_cut close");
    return dst;
}

void t_flip(const char *path, uint64_t offset)
{
    FILE *f = fopen(path, "r+b");
    if (!f || fseek(f, (long)offset, SEEK_SET) != 0)
        die("t_flip");
    int c = fgetc(f);
    if (c == EOF || fseek(f, (long)offset, SEEK_SET) != 0)
        die("t_flip read");
    fputc(c ^ 0xff, f);
    fclose(f);
}
