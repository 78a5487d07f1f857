/*
 * test_format_util.c — helpers for the test_format suites
 * (test_format_util.h). Test code: it allocates freely and aborts on
 * failure of its own setup.
 */
#include "test_format_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log_chunk.h"

static char tmpdir[256];
static char paths[32][320];
static char names[32][64];

static void die(const char *what)
{
    perror(what);
    abort();
}

void tb_free(tbuf_t *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void tb_put(tbuf_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p)
            die("realloc");
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_u16(tbuf_t *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    tb_put(b, x, 2);
}

static void put_u32(tbuf_t *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    tb_put(b, x, 4);
}

void tb_header(tbuf_t *b, unsigned major, unsigned minor, uint32_t flags)
{
    tb_put(b, MP_LOG_MAGIC, MP_LOG_MAGIC_SIZE);
    put_u16(b, (uint16_t)major);
    put_u16(b, (uint16_t)minor);
    put_u32(b, flags);
}

void tb_chunk_header(tbuf_t *b, const char *magic, uint32_t csize, uint32_t rsize,
                     uint32_t seq)
{
    tb_put(b, magic, 4);
    put_u32(b, csize);
    put_u32(b, rsize);
    put_u32(b, seq);
}

void tb_chunk(tbuf_t *b, uint32_t seq, const void *raw, size_t rsize)
{
    static ZSTD_CCtx *cctx;
    size_t cap = mp_chunk_bound(rsize), n;
    uint8_t *out = malloc(cap);

    if (!out)
        die("malloc");
    if (!cctx) {
        cctx = ZSTD_createCCtx();
        if (!cctx || mp_chunk_cctx_setup(cctx, MP_CHUNK_DEFAULT_LEVEL) != 0)
            die("zstd context");
    }
    if (mp_chunk_write(cctx, seq, raw, rsize, out, cap, &n) != 0)
        die("mp_chunk_write");
    tb_put(b, out, n);
    free(out);
}

void t_cleanup(void)
{
    for (int i = 0; i < 32; i++)
        if (paths[i][0])
            unlink(paths[i]);
    if (tmpdir[0])
        rmdir(tmpdir);
}

const char *t_write(const char *name, const void *data, size_t len)
{
    FILE *f;
    int slot = -1;

    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/test_format.XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir))
            die("mkdtemp");
        atexit(t_cleanup);
    }
    for (int i = 0; i < 32 && slot < 0; i++)
        if (strcmp(names[i], name) == 0 || !names[i][0])
            slot = i;
    if (slot < 0)
        abort();
    snprintf(names[slot], sizeof names[slot], "%s", name);
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", tmpdir, name);
    f = fopen(paths[slot], "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        die(paths[slot]);
    return paths[slot];
}

void t_read(const char *path, tread_t *out)
{
    mp_reader_t *r;
    mp_record_t rec;

    memset(out, 0, sizeof *out);
    out->open_rc = mp_reader_open(path, &r, &out->err);
    if (out->open_rc != 0) {
        out->rc = out->open_rc;
        return;
    }
    while ((out->rc = mp_reader_next(r, &rec)) > 0) {
        out->records++;
        if (rec.type == MP_REC_BATCH) {
            mp_batch_iter_t it;
            mp_event_t ev;
            mp_batch_iter_init(&it, &rec.u.batch);
            while (mp_batch_next(&it, &ev) > 0)
                out->events++;
        }
    }
    out->err = *mp_reader_error(r);
    out->memory = mp_reader_memory(r);
    mp_reader_close(r);
}

void t_fill(mp_enc_t *e, int first, uint64_t salt, unsigned n)
{
    static const mp_str_t argv[] = { { "prog", 4 }, { "-x", 2 } };
    uint64_t frames[3] = { 0x400000 + salt, 0x400100 + salt, 0x7f0000001000 };
    mp_enc_batch_t b;

    if (first)
        mp_enc_process(e, &(mp_rec_process_t){ .pid = 7, .ppid = 1, .mode = 1,
                                               .exe = { "/bin/prog", 9 }, .argc = 2,
                                               .argv = argv });
    mp_enc_thread(e, &(mp_rec_thread_t){ .tid = 7 + salt, .ts = salt * 1000,
                                         .name = { "worker", 6 } });
    mp_enc_stack(e, &(mp_rec_stack_t){ .id = 1 + salt, .n = 3, .frames = frames });
    mp_enc_batch_begin(e, &b, 7 + salt, salt * 1000);
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = 0x7f0000100000 + 64 * (i % 7) + salt * 4096;
        if (i % 3 == 2)
            mp_enc_ev_free(e, &b, salt * 1000 + 10 * i, a);
        else
            mp_enc_ev_alloc(e, &b, salt * 1000 + 10 * i, a, 16 + i, 1 + salt);
    }
    mp_enc_batch_end(e, &b);
}

void t_small_log(tbuf_t *log, int nchunks, size_t *offsets, unsigned *records)
{
    uint8_t raw[4096];
    mp_enc_t e;

    log->len = 0;
    tb_header(log, MP_LOG_MAJOR, MP_LOG_MINOR, 0);
    for (int c = 0; c < nchunks; c++) {
        mp_enc_init(&e, raw, sizeof raw);
        t_fill(&e, c == 0, (uint64_t)c, 6 + (unsigned)c);
        if (c == nchunks - 1)
            mp_enc_end(&e, &(mp_rec_end_t){ .ts = 99999, .events = 42 });
        if (e.overflow)
            abort();
        offsets[c] = log->len;
        records[c] = (c == 0) + 3 + (c == nchunks - 1);
        tb_chunk(log, (uint32_t)c, raw, e.len);
    }
    offsets[nchunks] = log->len;
}
