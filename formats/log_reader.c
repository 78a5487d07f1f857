/*
 * log_reader.c — the log reader (log_reader.h): file header, chunks,
 * records and BATCH events, decoded with strict bounds as docs/format.md
 * requires.
 *
 * Layers, each distrusting the one below:
 *   1. the file header: magic, then major version (refused by name);
 *   2. a chunk: header magic, rsize and csize within their limits, seq with
 *      no gap, the frame present in the file (checked against the file size
 *      before a buffer is grown), exactly one zstd frame whose header
 *      records rsize and a checksum, decompressed to exactly rsize bytes
 *      (zstd verifies the checksum);
 *   3. a record: its length within what is left of the chunk, each field
 *      within the length (a cursor, cur_t, that refuses to move past it),
 *      each count within its limit and within the bytes left (an item is at
 *      least one byte per varint it holds) before it is used;
 *   4. a BATCH's events, all checked when the record is returned, so the
 *      iterator that walks them later has nothing left to find.
 * Plus what holds across records: PROCESS comes first and once, nothing
 * follows END.
 *
 * Memory: two chunk buffers that grow to the largest chunk seen (bounded by
 * the limits, 16 MiB raw), the zstd context, and fixed tables in the reader
 * for the arrays a record can hold (argv, frames, segments, classes) — so a
 * record costs no allocation and a hostile count cannot make one.
 *
 * Errors are sticky: the first sets r->err, and every later call returns
 * it. Records already returned stay valid; that is the recovery contract.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#include "log_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "varint.h"

struct mp_reader {
    int fd;
    unsigned major, minor; /* from the file header */
    uint32_t flags;
    uint64_t pos;          /* file offset of the next unread byte */
    uint32_t next_seq;     /* number the next chunk must carry */
    mp_chunk_info_t chunk; /* the chunk in rbuf */
    int in_chunk;          /* rbuf holds a decoded chunk */
    size_t rpos;           /* offset of the next record in rbuf */
    uint64_t records;      /* records returned so far */
    int seen_end;          /* an END record was returned */
    int done;              /* clean end of the log reached */
    mp_log_error_t err;    /* code != 0 once decoding stopped */

    uint8_t *cbuf;         /* the compressed frame; ccap bytes */
    size_t ccap;
    uint8_t *rbuf;         /* the decompressed records; rcap bytes */
    size_t rcap;
    ZSTD_DCtx *dctx;

    /* Fixed tables that decoded records point into. */
    mp_str_t argv[MP_LOG_MAX_ARGC];
    uint64_t frames[MP_LOG_MAX_FRAMES];
    mp_segment_t segs[MP_LOG_MAX_SEGMENTS];
    mp_class_info_t classes[MP_LOG_MAX_CLASSES];
    mp_class_stat_t stats[MP_LOG_MAX_CLASSES];
    mp_hollow_block_t hollow[MP_LOG_MAX_HOLLOW];
    mp_leak_block_t leaks[MP_LOG_MAX_LEAKSCAN];
};

/* ---- Errors ------------------------------------------------------------- */

static void set_error(mp_log_error_t *err, int code, uint64_t offset, int64_t chunk,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void set_error(mp_log_error_t *err, int code, uint64_t offset, int64_t chunk,
                      const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    err->code = code;
    err->offset = offset;
    err->chunk = chunk;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- File access -------------------------------------------------------- */

/* Reads up to n bytes; returns how many (fewer only at end of file), or -1
 * with errno set. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}

/* Grows *buf to hold need bytes (at most max): doubling, so a log of
 * growing chunks reallocates a few times, not once a chunk. */
static int grow(uint8_t **buf, size_t *cap, size_t need, size_t max)
{
    size_t n;
    uint8_t *p;

    if (need <= *cap)
        return 0;
    n = *cap ? *cap : 64 * 1024;
    while (n < need)
        n *= 2;
    if (n > max)
        n = max;
    p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

static uint32_t get_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static void hex_bytes(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n && len + 4 < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, i ? " %02x" : "%02x", p[i]);
}

/* ---- Open and close ----------------------------------------------------- */

int mp_reader_open(const char *path, mp_reader_t **out, mp_log_error_t *err)
{
    uint8_t h[MP_LOG_HEADER_SIZE];
    struct stat st;
    ssize_t n;
    mp_reader_t *r;
    int fd;

    *out = NULL;
    if (err)
        memset(err, 0, sizeof *err);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_error(err, MP_ELOG_IO, 0, -1, "cannot open: %s", strerror(errno));
        return MP_ELOG_IO;
    }
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        set_error(err, MP_ELOG_IO, 0, -1, "is a directory, not a log file");
        return MP_ELOG_IO;
    }
    n = read_full(fd, h, sizeof h);
    if (n < 0) {
        set_error(err, MP_ELOG_IO, 0, -1, "cannot read: %s", strerror(errno));
        close(fd);
        return MP_ELOG_IO;
    }
    if (n == 0) {
        close(fd);
        set_error(err, MP_ELOG_MAGIC, 0, -1, "empty file, not a memprof log");
        return MP_ELOG_MAGIC;
    }
    if ((size_t)n < MP_LOG_MAGIC_SIZE || memcmp(h, MP_LOG_MAGIC, MP_LOG_MAGIC_SIZE) != 0) {
        char got[40], want[40];
        size_t shown = (size_t)n < MP_LOG_MAGIC_SIZE ? (size_t)n : MP_LOG_MAGIC_SIZE;

        close(fd);
        /* A short file whose bytes are a prefix of the magic is a log cut
         * off in its header; anything else is not a log at all. */
        if ((size_t)n < MP_LOG_MAGIC_SIZE && memcmp(h, MP_LOG_MAGIC, (size_t)n) == 0) {
            set_error(err, MP_ELOG_TRUNC, 0, -1,
                      "truncated file header: %zd of %d bytes", n, MP_LOG_HEADER_SIZE);
            return MP_ELOG_TRUNC;
        }
        hex_bytes(got, sizeof got, h, shown);
        hex_bytes(want, sizeof want, (const uint8_t *)MP_LOG_MAGIC, MP_LOG_MAGIC_SIZE);
        set_error(err, MP_ELOG_MAGIC, 0, -1,
                  "not a memprof log (it starts with %s; a log starts with %s)", got, want);
        return MP_ELOG_MAGIC;
    }
    if ((size_t)n < MP_LOG_HEADER_SIZE) {
        close(fd);
        set_error(err, MP_ELOG_TRUNC, 0, -1, "truncated file header: %zd of %d bytes", n,
                  MP_LOG_HEADER_SIZE);
        return MP_ELOG_TRUNC;
    }
    unsigned major = (unsigned)h[8] | (unsigned)h[9] << 8;
    unsigned minor = (unsigned)h[10] | (unsigned)h[11] << 8;
    if (major != MP_LOG_MAJOR) {
        close(fd);
        set_error(err, MP_ELOG_VERSION, 8, -1,
                  "log format %u.%u, this memprof reads %d.x (up to %d.%d)", major, minor,
                  MP_LOG_MAJOR, MP_LOG_MAJOR, MP_LOG_MINOR);
        return MP_ELOG_VERSION;
    }

    r = calloc(1, sizeof *r);
    if (!r || !(r->dctx = ZSTD_createDCtx())) {
        free(r);
        close(fd);
        set_error(err, MP_ELOG_NOMEM, 0, -1, "out of memory");
        return MP_ELOG_NOMEM;
    }
    r->fd = fd;
    r->major = major;
    r->minor = minor;
    r->flags = get_u32le(h + 12); /* bits we do not know are ignored */
    r->pos = MP_LOG_HEADER_SIZE;
    *out = r;
    return 0;
}

void mp_reader_close(mp_reader_t *r)
{
    if (!r)
        return;
    close(r->fd);
    ZSTD_freeDCtx(r->dctx);
    free(r->cbuf);
    free(r->rbuf);
    free(r);
}

void mp_reader_version(const mp_reader_t *r, unsigned *major, unsigned *minor,
                       uint32_t *flags)
{
    *major = r->major;
    *minor = r->minor;
    *flags = r->flags;
}

const mp_log_error_t *mp_reader_error(const mp_reader_t *r)
{
    return &r->err;
}

const mp_chunk_info_t *mp_reader_chunk(const mp_reader_t *r)
{
    return &r->chunk;
}

size_t mp_reader_memory(const mp_reader_t *r)
{
    return sizeof *r + r->ccap + r->rcap + ZSTD_sizeof_DCtx(r->dctx);
}

/* ---- Chunks ------------------------------------------------------------- */

/* Stops decoding at the chunk that starts at `at`. Returns the code. */
static int chunk_error(mp_reader_t *r, int code, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int chunk_error(mp_reader_t *r, int code, uint64_t at, const char *fmt, ...)
{
    va_list ap;

    r->err.code = code;
    r->err.offset = at;
    r->err.chunk = r->next_seq;
    va_start(ap, fmt);
    vsnprintf(r->err.msg, sizeof r->err.msg, fmt, ap);
    va_end(ap);
    return code;
}

/* Bytes of the file after offset `from`, or UINT64_MAX when the file is not
 * a regular file (a pipe: reading will tell). Asked for each chunk because
 * a log may still be growing. */
static uint64_t bytes_after(mp_reader_t *r, uint64_t from)
{
    struct stat st;

    if (fstat(r->fd, &st) != 0 || !S_ISREG(st.st_mode))
        return UINT64_MAX;
    return (uint64_t)st.st_size > from ? (uint64_t)st.st_size - from : 0;
}

/* Reads and decompresses the next chunk. 1 loaded, 0 clean end of file, or
 * a negative code (r->err set). */
static int load_chunk(mp_reader_t *r)
{
    uint8_t h[MP_CHUNK_HEADER_SIZE];
    uint64_t at = r->pos, left;
    uint32_t csize, rsize, seq;
    ZSTD_frameHeader fh;
    ssize_t n;
    size_t k;

    n = read_full(r->fd, h, sizeof h);
    if (n < 0)
        return chunk_error(r, MP_ELOG_IO, at, "cannot read: %s", strerror(errno));
    if (n == 0)
        return 0;
    if (r->seen_end)
        return chunk_error(r, MP_ELOG_CORRUPT, at, "data after the END record");
    if ((size_t)n < sizeof h)
        return chunk_error(r, MP_ELOG_TRUNC, at,
                           "truncated chunk header: %zd of %d bytes", n,
                           MP_CHUNK_HEADER_SIZE);
    if (memcmp(h, MP_CHUNK_MAGIC, 4) != 0) {
        char got[16];
        hex_bytes(got, sizeof got, h, 4);
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "bad chunk magic %s (expected 4d 50 43 4b, \"MPCK\")", got);
    }
    csize = get_u32le(h + 4);
    rsize = get_u32le(h + 8);
    seq = get_u32le(h + 12);
    if (rsize == 0 || rsize > MP_LOG_MAX_RSIZE)
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "chunk header: rsize %u out of range 1..%u", rsize,
                           MP_LOG_MAX_RSIZE);
    if (csize == 0 || csize > ZSTD_COMPRESSBOUND(rsize))
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "chunk header: csize %u out of range 1..%zu for rsize %u",
                           csize, (size_t)ZSTD_COMPRESSBOUND(rsize), rsize);
    if (seq != r->next_seq)
        return chunk_error(r, MP_ELOG_CORRUPT, at, "chunk number is %u, expected %u", seq,
                           r->next_seq);

    /* Know the frame is there before making room for it. */
    left = bytes_after(r, at + MP_CHUNK_HEADER_SIZE);
    if (left < csize)
        return chunk_error(r, MP_ELOG_TRUNC, at,
                           "the chunk header says %u bytes of frame follow, the file has %llu",
                           csize, (unsigned long long)left);
    if (grow(&r->cbuf, &r->ccap, csize, ZSTD_COMPRESSBOUND(MP_LOG_MAX_RSIZE)) != 0)
        return chunk_error(r, MP_ELOG_NOMEM, at, "out of memory for a %u-byte frame", csize);
    n = read_full(r->fd, r->cbuf, csize);
    if (n < 0)
        return chunk_error(r, MP_ELOG_IO, at, "cannot read: %s", strerror(errno));
    if ((size_t)n < csize)
        return chunk_error(r, MP_ELOG_TRUNC, at,
                           "the chunk header says %u bytes of frame follow, the file has %zd",
                           csize, n);

    /* One zstd frame that states its size and carries a checksum. */
    k = ZSTD_getFrameHeader(&fh, r->cbuf, csize);
    if (ZSTD_isError(k))
        return chunk_error(r, MP_ELOG_CORRUPT, at, "zstd frame header: %s",
                           ZSTD_getErrorName(k));
    if (k != 0)
        return chunk_error(r, MP_ELOG_CORRUPT, at, "zstd frame header incomplete");
    if (fh.frameType != ZSTD_frame)
        return chunk_error(r, MP_ELOG_CORRUPT, at, "a skippable frame, not a zstd frame");
    if (fh.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN)
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "the zstd frame does not record its content size");
    if (fh.frameContentSize != rsize)
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "the zstd frame holds %llu bytes, the chunk header says %u",
                           (unsigned long long)fh.frameContentSize, rsize);
    if (!fh.checksumFlag)
        return chunk_error(r, MP_ELOG_CORRUPT, at, "the zstd frame has no checksum");
    k = ZSTD_findFrameCompressedSize(r->cbuf, csize);
    if (ZSTD_isError(k))
        return chunk_error(r, MP_ELOG_CORRUPT, at, "zstd frame: %s", ZSTD_getErrorName(k));
    if (k != csize)
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "the zstd frame is %zu bytes, the chunk header says %u", k, csize);

    if (grow(&r->rbuf, &r->rcap, rsize, MP_LOG_MAX_RSIZE) != 0)
        return chunk_error(r, MP_ELOG_NOMEM, at, "out of memory for a %u-byte chunk", rsize);
    k = ZSTD_decompressDCtx(r->dctx, r->rbuf, rsize, r->cbuf, csize);
    if (ZSTD_isError(k))
        return chunk_error(r, MP_ELOG_CORRUPT, at, "zstd: %s", ZSTD_getErrorName(k));
    if (k != rsize)
        return chunk_error(r, MP_ELOG_CORRUPT, at,
                           "the zstd frame decompressed to %zu bytes, expected %u", k, rsize);

    r->chunk.seq = seq;
    r->chunk.offset = at;
    r->chunk.csize = csize;
    r->chunk.rsize = rsize;
    r->in_chunk = 1;
    r->rpos = 0;
    r->pos = at + MP_CHUNK_HEADER_SIZE + csize;
    r->next_seq++;
    return 1;
}

/* ---- Fields ------------------------------------------------------------- */

/* A cursor over one record's payload. It never moves past end; the first
 * failure records why in `why` and every later get fails too. */
typedef struct cur {
    const uint8_t *p, *end;
    int bad;
    char why[200];
} cur_t;

static int fail(cur_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(cur_t *c, const char *fmt, ...)
{
    va_list ap;

    if (!c->bad) {
        c->bad = 1;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static size_t left(const cur_t *c)
{
    return (size_t)(c->end - c->p);
}

static int get_u8(cur_t *c, const char *field, uint8_t *v)
{
    if (c->bad)
        return -1;
    if (c->p >= c->end)
        return fail(c, "%s: past the end of the record", field);
    *v = *c->p++;
    return 0;
}

static int get_varint(cur_t *c, const char *field, uint64_t *v)
{
    size_t used;
    int rc;

    if (c->bad)
        return -1;
    rc = mp_varint_decode(c->p, left(c), v, &used);
    if (rc == MP_VARINT_SHORT)
        return fail(c, "%s: past the end of the record", field);
    if (rc != 0)
        return fail(c, "%s: varint longer than 10 bytes or above 2^64", field);
    c->p += used;
    return 0;
}

/* A count of items of at least min_bytes each: within limit, and within the
 * bytes left, before anything relies on it. */
static int get_count(cur_t *c, const char *field, uint64_t limit, size_t min_bytes,
                     uint32_t *n)
{
    uint64_t v;

    if (get_varint(c, field, &v) != 0)
        return -1;
    if (v > limit)
        return fail(c, "%s is %llu, at most %llu", field, (unsigned long long)v,
                    (unsigned long long)limit);
    if (v * min_bytes > left(c))
        return fail(c, "%s is %llu, but only %zu bytes of the record are left", field,
                    (unsigned long long)v, left(c));
    *n = (uint32_t)v;
    return 0;
}

/* A counted run of bytes (str or bytes) of at most limit bytes. */
static int get_run(cur_t *c, const char *field, uint64_t limit, const uint8_t **ptr,
                   size_t *len)
{
    uint64_t v;

    if (get_varint(c, field, &v) != 0)
        return -1;
    if (v > limit)
        return fail(c, "%s: length %llu, at most %llu", field, (unsigned long long)v,
                    (unsigned long long)limit);
    if (v > left(c))
        return fail(c, "%s: length %llu, but only %zu bytes of the record are left", field,
                    (unsigned long long)v, left(c));
    *ptr = c->p;
    *len = (size_t)v;
    c->p += v;
    return 0;
}

static int get_str(cur_t *c, const char *field, uint64_t limit, mp_str_t *s)
{
    const uint8_t *p = NULL;

    if (get_run(c, field, limit, &p, &s->len) != 0)
        return -1;
    s->ptr = (const char *)p;
    return 0;
}

/* ---- Events ------------------------------------------------------------- */

/* An address field: an svarint delta from the running value. */
static int get_addr(cur_t *c, const char *field, uint64_t *running, uint64_t *out)
{
    uint64_t z;

    if (get_varint(c, field, &z) != 0)
        return -1;
    *running += mp_unzigzag_delta(z);
    *out = *running;
    return 0;
}

/* Decodes one event at c->p, advancing ts and addr. */
static int decode_event(cur_t *c, uint64_t *ts, uint64_t *addr, mp_event_t *ev)
{
    uint64_t dts;
    uint8_t kind = 0;

    memset(ev, 0, sizeof *ev);
    if (get_u8(c, "event kind", &kind) != 0)
        return -1;
    ev->kind = kind;
    if (kind < MP_EV_ALLOC || kind > MP_EV_SPAN)
        return fail(c, "unknown event kind %u", kind);
    if (get_varint(c, "dts", &dts) != 0)
        return -1;
    *ts += dts;
    ev->ts = *ts;
    switch (kind) {
    case MP_EV_ALLOC:
        get_addr(c, "addr", addr, &ev->addr);
        get_varint(c, "size", &ev->size);
        get_varint(c, "stack", &ev->stack);
        break;
    case MP_EV_FREE:
        get_addr(c, "addr", addr, &ev->addr);
        break;
    case MP_EV_REALLOC:
        get_addr(c, "old addr", addr, &ev->old_addr);
        get_addr(c, "new addr", addr, &ev->addr);
        get_varint(c, "size", &ev->size);
        get_varint(c, "stack", &ev->stack);
        break;
    case MP_EV_SAMPLE:
        get_addr(c, "addr", addr, &ev->addr);
        get_varint(c, "size", &ev->size);
        get_varint(c, "stack", &ev->stack);
        get_varint(c, "weight", &ev->weight);
        break;
    case MP_EV_SPAN:
        get_varint(c, "op", &ev->op);
        get_varint(c, "class", &ev->cls);
        get_varint(c, "pages", &ev->pages);
        get_addr(c, "addr", addr, &ev->addr);
        break;
    }
    return c->bad ? -1 : 0;
}

/* The longest event: a kind byte and five varints (REALLOC, SAMPLE). */
#define EVENT_MAX_BYTES (1 + 5 * MP_VARINT_MAX)

/* A varint from p with no bounds check (the caller guarantees
 * MP_VARINT_MAX readable bytes): the next byte, or NULL if the encoding is
 * too long or above 2^64 (the careful decoder then says why). */
static inline const uint8_t *fast_varint(const uint8_t *p, uint64_t *v)
{
    /* One- and two-byte values are most of a log (deltas, sizes, stack
     * ids): they take one or two loads and no loop. */
    uint64_t r = p[0];
    if (r < 0x80) {
        *v = r;
        return p + 1;
    }
    uint64_t b = p[1];
    r = (r & 0x7f) | (b & 0x7f) << 7;
    if (b < 0x80) {
        *v = r;
        return p + 2;
    }
    for (unsigned i = 2; i < MP_VARINT_MAX; i++) {
        b = p[i];
        r |= (b & 0x7f) << (7 * i);
        if (b < 0x80) {
            if (i == MP_VARINT_MAX - 1 && (b & 0x7e))
                return NULL;
            *v = r;
            return p + i + 1;
        }
    }
    return NULL;
}

/* decode_event for the common case, an event that cannot run past the
 * batch (EVENT_MAX_BYTES are left): no per-byte bounds checks, no messages.
 * Returns the byte after the event, or NULL to let decode_event decide
 * (and explain) from the same place. */
static const uint8_t *fast_event(const uint8_t *p, uint64_t *ts, uint64_t *addr,
                                 mp_event_t *ev)
{
    uint64_t v[5];
    unsigned n;
    uint8_t kind = *p++;

    switch (kind) {
    case MP_EV_FREE: n = 2; break;
    case MP_EV_ALLOC: n = 4; break;
    case MP_EV_REALLOC: case MP_EV_SAMPLE: case MP_EV_SPAN: n = 5; break;
    default: return NULL;
    }
    for (unsigned i = 0; i < n; i++)
        if (!(p = fast_varint(p, &v[i])))
            return NULL;
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    *ts += v[0];
    ev->ts = *ts;
    switch (kind) {
    case MP_EV_FREE:
        ev->addr = *addr += mp_unzigzag_delta(v[1]);
        break;
    case MP_EV_ALLOC:
        ev->addr = *addr += mp_unzigzag_delta(v[1]);
        ev->size = v[2];
        ev->stack = v[3];
        break;
    case MP_EV_REALLOC:
        ev->old_addr = *addr += mp_unzigzag_delta(v[1]);
        ev->addr = *addr += mp_unzigzag_delta(v[2]);
        ev->size = v[3];
        ev->stack = v[4];
        break;
    case MP_EV_SAMPLE:
        ev->addr = *addr += mp_unzigzag_delta(v[1]);
        ev->size = v[2];
        ev->stack = v[3];
        ev->weight = v[4];
        break;
    case MP_EV_SPAN:
        ev->op = v[1];
        ev->cls = v[2];
        ev->pages = v[3];
        ev->addr = *addr += mp_unzigzag_delta(v[4]);
        break;
    }
    return p;
}

/* The next event: the fast decoder where it applies, else the careful one,
 * which also explains a bad event. */
static int next_event(cur_t *c, uint64_t *ts, uint64_t *addr, mp_event_t *ev)
{
    if (!c->bad && left(c) >= EVENT_MAX_BYTES) {
        uint64_t t = *ts, a = *addr;
        const uint8_t *next = fast_event(c->p, &t, &a, ev);
        if (next) {
            c->p = next;
            *ts = t;
            *addr = a;
            return 0;
        }
    }
    return decode_event(c, ts, addr, ev);
}

void mp_batch_iter_init(mp_batch_iter_t *it, const mp_rec_batch_t *batch)
{
    it->p = batch->events;
    it->end = batch->events + batch->events_len;
    it->ts = batch->base_ts;
    it->addr = 0;
}

int mp_batch_next(mp_batch_iter_t *it, mp_event_t *ev)
{
    cur_t c;

    if (it->p >= it->end)
        return 0;
    c.p = it->p;
    c.end = it->end;
    c.bad = 0;
    if (next_event(&c, &it->ts, &it->addr, ev) != 0) {
        it->p = it->end; /* nothing sensible follows a bad event */
        return MP_ELOG_CORRUPT;
    }
    it->p = c.p;
    return 1;
}

/* ---- Records ------------------------------------------------------------ */

static void decode_process(mp_reader_t *r, cur_t *c, mp_rec_process_t *p)
{
    get_varint(c, "pid", &p->pid);
    get_varint(c, "ppid", &p->ppid);
    get_varint(c, "start_real_ns", &p->start_real_ns);
    get_varint(c, "start_mono_ns", &p->start_mono_ns);
    get_varint(c, "page_size", &p->page_size);
    get_varint(c, "heap_page_size", &p->heap_page_size);
    get_varint(c, "mode", &p->mode);
    get_varint(c, "sample_interval", &p->sample_interval);
    get_varint(c, "max_depth", &p->max_depth);
    get_str(c, "exe", MP_LOG_MAX_STR, &p->exe);
    if (get_count(c, "argc", MP_LOG_MAX_ARGC, 1, &p->argc) != 0)
        return;
    for (uint32_t i = 0; i < p->argc; i++)
        if (get_str(c, "argv", MP_LOG_MAX_STR, &r->argv[i]) != 0)
            return;
    p->argv = r->argv;
}

static void decode_classes(mp_reader_t *r, cur_t *c, mp_rec_classes_t *k)
{
    if (get_count(c, "n", MP_LOG_MAX_CLASSES, 2, &k->n) != 0)
        return;
    for (uint32_t i = 0; i < k->n; i++) {
        get_varint(c, "class size", &r->classes[i].size);
        get_varint(c, "class pages", &r->classes[i].pages);
    }
    k->classes = r->classes;
}

static void decode_module(mp_reader_t *r, cur_t *c, mp_rec_module_t *m)
{
    get_varint(c, "id", &m->id);
    get_varint(c, "ts", &m->ts);
    get_varint(c, "bias", &m->bias);
    get_str(c, "path", MP_LOG_MAX_STR, &m->path);
    get_run(c, "build_id", MP_LOG_MAX_BYTES, &m->build_id.ptr, &m->build_id.len);
    if (get_count(c, "nseg", MP_LOG_MAX_SEGMENTS, 3, &m->nseg) != 0)
        return;
    for (uint32_t i = 0; i < m->nseg; i++) {
        get_varint(c, "segment vaddr", &r->segs[i].vaddr);
        get_varint(c, "segment memsz", &r->segs[i].memsz);
        get_varint(c, "segment flags", &r->segs[i].flags);
    }
    m->segs = r->segs;
}

static void decode_stack(mp_reader_t *r, cur_t *c, mp_rec_stack_t *s)
{
    uint64_t prev = 0, z;

    if (get_varint(c, "id", &s->id) != 0)
        return;
    if (s->id == 0) {
        fail(c, "stack id 0 (reserved for \"no stack\")");
        return;
    }
    if (get_count(c, "n", MP_LOG_MAX_FRAMES, 1, &s->n) != 0)
        return;
    for (uint32_t i = 0; i < s->n; i++) {
        if (get_varint(c, "frame", &z) != 0)
            return;
        prev += mp_unzigzag_delta(z);
        r->frames[i] = prev;
    }
    s->frames = r->frames;
}

/* Checks every event now, so that an error names the record and the
 * iterator later cannot meet one. */
static void decode_batch(cur_t *c, mp_rec_batch_t *b)
{
    uint64_t ts, addr = 0;
    mp_event_t ev;

    get_varint(c, "tid", &b->tid);
    if (get_varint(c, "base_ts", &b->base_ts) != 0)
        return;
    ts = b->base_ts;
    b->events = c->p;
    b->events_len = left(c);
    b->nevents = 0;
    while (c->p < c->end) {
        const uint8_t *at = c->p;
        if (next_event(c, &ts, &addr, &ev) != 0) {
            char why[sizeof c->why];
            memcpy(why, c->why, sizeof why);
            snprintf(c->why, sizeof c->why, "event %u (byte %zu of the batch's events): %.120s",
                     b->nevents + 1, (size_t)(at - b->events), why);
            return;
        }
        b->nevents++;
    }
}

static void decode_snapshot(mp_reader_t *r, cur_t *c, mp_rec_snapshot_t *s)
{
    get_varint(c, "ts", &s->ts);
    get_varint(c, "rss", &s->rss);
    get_varint(c, "mapped", &s->mapped);
    get_varint(c, "in_use", &s->in_use);
    get_varint(c, "idle", &s->idle);
    get_varint(c, "released", &s->released);
    get_varint(c, "large_objects", &s->large_objects);
    get_varint(c, "large_bytes", &s->large_bytes);
    if (get_count(c, "n", MP_LOG_MAX_CLASSES, 2, &s->n) != 0)
        return;
    for (uint32_t i = 0; i < s->n; i++) {
        get_varint(c, "class spans", &r->stats[i].spans);
        get_varint(c, "class live_objects", &r->stats[i].live_objects);
    }
    s->classes = r->stats;
}

/* Addresses ascending (a zero delta after the first is an error), kinds
 * 1..3: a reader never hands out a list the analyzer could double count. */
static void decode_leakscan(mp_reader_t *r, cur_t *c, mp_rec_leakscan_t *s)
{
    get_varint(c, "ts", &s->ts);
    get_varint(c, "flags", &s->flags);
    get_varint(c, "live_blocks", &s->live_blocks);
    get_varint(c, "root_bytes", &s->root_bytes);
    get_varint(c, "heap_bytes", &s->heap_bytes);
    get_varint(c, "threads", &s->threads);
    get_varint(c, "threads_paused", &s->threads_paused);
    get_varint(c, "duration_ns", &s->duration_ns);
    if (get_count(c, "n", MP_LOG_MAX_LEAKSCAN, 2, &s->n) != 0)
        return;
    uint64_t addr = 0;
    for (uint32_t i = 0; i < s->n && !c->bad; i++) {
        uint64_t delta, kind;
        if (get_varint(c, "block addr", &delta) != 0 || get_varint(c, "block kind", &kind) != 0)
            return;
        if (i > 0 && (delta == 0 || addr + delta < addr)) {
            fail(c, "block %u: addresses not ascending", i);
            return;
        }
        if (kind < MP_LEAK_DEFINITE || kind > MP_LEAK_POSSIBLE) {
            fail(c, "block %u: kind %llu, expected 1..3", i, (unsigned long long)kind);
            return;
        }
        addr += delta;
        r->leaks[i].addr = addr;
        r->leaks[i].kind = kind;
    }
    s->blocks = r->leaks;
}

/* Stops decoding at a bad record of the current chunk. */
static int record_error(mp_reader_t *r, uint8_t type, size_t at, const char *why)
{
    const char *name = mp_log_record_name(type);
    char tname[16];

    if (!name) {
        snprintf(tname, sizeof tname, "type 0x%02x", type);
        name = tname;
    }
    r->err.code = MP_ELOG_CORRUPT;
    r->err.offset = r->chunk.offset;
    r->err.chunk = r->chunk.seq;
    snprintf(r->err.msg, sizeof r->err.msg,
             "%s record at byte %zu of the chunk's %u decompressed bytes: %s", name, at,
             r->chunk.rsize, why);
    return MP_ELOG_CORRUPT;
}

/* Decodes the record at r->rpos of the current chunk. */
static int decode_record(mp_reader_t *r, mp_record_t *rec)
{
    const uint8_t *base = r->rbuf, *end = r->rbuf + r->chunk.rsize;
    size_t at = r->rpos, used;
    uint64_t len;
    uint8_t type = base[at];
    cur_t c;
    int rc;

    rc = mp_varint_decode(base + at + 1, (size_t)(end - (base + at + 1)), &len, &used);
    if (rc != 0)
        return record_error(r, type, at,
                            rc == MP_VARINT_SHORT ? "its length runs past the chunk's end"
                                                  : "its length is not a valid varint");
    c.p = base + at + 1 + used;
    if (len > (uint64_t)(end - c.p)) {
        char why[96];
        snprintf(why, sizeof why, "its length is %llu bytes, the chunk has %zu left",
                 (unsigned long long)len, (size_t)(end - c.p));
        return record_error(r, type, at, why);
    }
    c.end = c.p + len;
    c.bad = 0;
    if (r->seen_end)
        return record_error(r, type, at, "a record after END");
    if (r->records == 0 && type != MP_REC_PROCESS)
        return record_error(r, type, at, "the log's first record must be PROCESS");
    if (r->records > 0 && type == MP_REC_PROCESS)
        return record_error(r, type, at, "a second PROCESS record");

    memset(rec, 0, sizeof *rec);
    rec->type = type;
    rec->len = (uint32_t)len;
    rec->chunk = r->chunk.seq;
    rec->offset = (uint32_t)at;
    switch (type) {
    case MP_REC_PROCESS:
        decode_process(r, &c, &rec->u.process);
        break;
    case MP_REC_CLASSES:
        decode_classes(r, &c, &rec->u.classes);
        break;
    case MP_REC_MODULE:
        decode_module(r, &c, &rec->u.module);
        break;
    case MP_REC_MODULE_GONE:
        get_varint(&c, "id", &rec->u.module_gone.id);
        get_varint(&c, "ts", &rec->u.module_gone.ts);
        break;
    case MP_REC_THREAD:
        get_varint(&c, "tid", &rec->u.thread.tid);
        get_varint(&c, "ts", &rec->u.thread.ts);
        get_str(&c, "name", MP_LOG_MAX_THREAD_NAME, &rec->u.thread.name);
        break;
    case MP_REC_STACK:
        decode_stack(r, &c, &rec->u.stack);
        break;
    case MP_REC_BATCH:
        decode_batch(&c, &rec->u.batch);
        break;
    case MP_REC_WATERMARK:
        get_varint(&c, "ts", &rec->u.watermark.ts);
        break;
    case MP_REC_SNAPSHOT:
        decode_snapshot(r, &c, &rec->u.snapshot);
        break;
    case MP_REC_HOLLOW: {
        mp_rec_hollow_t *h = &rec->u.hollow;
        get_varint(&c, "ts", &h->ts);
        get_varint(&c, "reason", &h->reason);
        get_varint(&c, "page_size", &h->page_size);
        if (get_count(&c, "n", MP_LOG_MAX_HOLLOW, 4, &h->n) != 0)
            break;
        for (uint32_t i = 0; i < h->n; i++) {
            get_varint(&c, "block addr", &r->hollow[i].addr);
            get_varint(&c, "block size", &r->hollow[i].size);
            get_varint(&c, "block zero_pages", &r->hollow[i].zero_pages);
            get_varint(&c, "block untouched_pages", &r->hollow[i].untouched_pages);
        }
        h->blocks = r->hollow;
        break;
    }
    case MP_REC_LEAKSCAN:
        decode_leakscan(r, &c, &rec->u.leakscan);
        break;
    case MP_REC_LOST:
        get_varint(&c, "ts", &rec->u.lost.ts);
        get_varint(&c, "events", &rec->u.lost.events);
        get_varint(&c, "reason", &rec->u.lost.reason);
        break;
    case MP_REC_END:
        get_varint(&c, "ts", &rec->u.end.ts);
        get_varint(&c, "reason", &rec->u.end.reason);
        get_varint(&c, "detail", &rec->u.end.detail);
        get_varint(&c, "events", &rec->u.end.events);
        break;
    default:
        /* Unknown (newer minor version) or reserved: skipped by length. */
        rec->u.unknown.payload = c.p;
        c.p = c.end;
        break;
    }
    if (c.bad)
        return record_error(r, type, at, c.why);
    rec->extra = (uint32_t)(c.end - c.p); /* newer trailing fields, skipped */
    r->rpos = (size_t)(c.end - base);
    r->records++;
    if (type == MP_REC_END)
        r->seen_end = 1;
    return 1;
}

int mp_reader_next(mp_reader_t *r, mp_record_t *rec)
{
    if (r->err.code)
        return r->err.code;
    if (r->done)
        return 0;
    for (;;) {
        if (r->in_chunk && r->rpos < r->chunk.rsize)
            return decode_record(r, rec);
        r->in_chunk = 0;
        int rc = load_chunk(r);
        if (rc == 0)
            r->done = 1;
        if (rc <= 0)
            return rc;
    }
}
