/*
 * log_encode.h — writes the log's file header and records (docs/format.md)
 * into a buffer the caller provides.
 *
 * This is the half of the format that runs inside the shim, from inside
 * malloc, so it never allocates, keeps no global or thread-local state, and
 * calls nothing in libc but memcpy. The caller owns the buffer (typically a
 * per-thread buffer that becomes one chunk, so at most MP_LOG_MAX_RSIZE).
 *
 * Overflow. Nothing is ever written at or past buf + cap. A put that does
 * not fit writes nothing and sets `overflow`, which then stays set (later
 * puts do nothing) until mp_enc_rewind() or mp_enc_reset(): like ferror(),
 * one check after a sequence of puts is enough. The typed helpers go
 * further and are all-or-nothing: a record (or event) that does not fit is
 * removed entirely (len goes back to where it started), overflow is set,
 * and they return MP_ELOG_OVERFLOW — so the buffer always holds whole
 * records and can be flushed as it is.
 *
 * Typical use in a writer:
 *
 *     if (mp_enc_thread(&e, &rec) == MP_ELOG_OVERFLOW) {
 *         flush(e.buf, e.len); mp_enc_reset(&e);
 *         mp_enc_thread(&e, &rec);
 *     }
 */
#ifndef MP_LOG_ENCODE_H
#define MP_LOG_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "log_format.h"

typedef struct mp_enc {
    uint8_t *buf;  /* the caller's buffer */
    size_t cap;    /* its size, bytes */
    size_t len;    /* bytes written; len <= cap always */
    int overflow;  /* 1 once a put did not fit; sticky until rewind/reset */
} mp_enc_t;

void mp_enc_init(mp_enc_t *e, void *buf, size_t cap);

/* Empties the buffer (after it was flushed): len = 0, overflow = 0. */
void mp_enc_reset(mp_enc_t *e);

/* Drops everything after mark (a len seen earlier) and clears overflow. */
void mp_enc_rewind(mp_enc_t *e, size_t mark);

/* ---- Primitives (docs/format.md, "Conventions") ------------------------ */

void mp_enc_put_u8(mp_enc_t *e, uint8_t v);
void mp_enc_put_u16(mp_enc_t *e, uint16_t v); /* little-endian */
void mp_enc_put_u32(mp_enc_t *e, uint32_t v); /* little-endian */
void mp_enc_put_varint(mp_enc_t *e, uint64_t v);
void mp_enc_put_svarint(mp_enc_t *e, int64_t v);
/* n raw bytes, no length. */
void mp_enc_put_raw(mp_enc_t *e, const void *p, size_t n);
/* str: varint length then the bytes; longer than MP_LOG_MAX_STR is cut
 * there, as the format tells writers to do. */
void mp_enc_put_str(mp_enc_t *e, mp_str_t s);
/* bytes: varint length then the bytes, cut at MP_LOG_MAX_BYTES. */
void mp_enc_put_bytes(mp_enc_t *e, mp_bytes_t b);

/* ---- Records in general ------------------------------------------------ */

/* Starts a record: writes its type and reserves MP_LOG_LEN_WIDTH bytes for
 * its length, written later as a padded varint (so the payload need not be
 * built elsewhere and copied). Returns the mark to pass to mp_enc_rec_end. */
size_t mp_enc_rec_begin(mp_enc_t *e, uint8_t type);

/* Patches the length of the record started at mark. Returns 0, or
 * MP_ELOG_OVERFLOW with the whole record removed (len = mark) and overflow
 * set, if any put since mark did not fit or the payload is longer than
 * MP_LOG_MAX_RECORD_LEN. */
int mp_enc_rec_end(mp_enc_t *e, size_t mark);

/* The 16-byte file header: magic, major, minor, flags 0. */
int mp_enc_file_header(mp_enc_t *e);

/* ---- Typed records: 0, MP_ELOG_OVERFLOW (nothing written), or
 * MP_ELOG_INVAL (nothing written) for a count over the format's limit. ---- */

/* argv past MP_LOG_MAX_ARGC entries is cut there (like long strings). */
int mp_enc_process(mp_enc_t *e, const mp_rec_process_t *r);
/* INVAL: n > MP_LOG_MAX_CLASSES. */
int mp_enc_classes(mp_enc_t *e, const mp_rec_classes_t *r);
/* INVAL: nseg > MP_LOG_MAX_SEGMENTS or build_id longer than MP_LOG_MAX_BYTES. */
int mp_enc_module(mp_enc_t *e, const mp_rec_module_t *r);
int mp_enc_module_gone(mp_enc_t *e, const mp_rec_module_gone_t *r);
/* A name longer than MP_LOG_MAX_THREAD_NAME is cut there. */
int mp_enc_thread(mp_enc_t *e, const mp_rec_thread_t *r);
/* INVAL: id == 0 or n > MP_LOG_MAX_FRAMES. Frames are delta-coded here. */
int mp_enc_stack(mp_enc_t *e, const mp_rec_stack_t *r);
int mp_enc_watermark(mp_enc_t *e, const mp_rec_watermark_t *r);
/* INVAL: n > MP_LOG_MAX_CLASSES. */
int mp_enc_snapshot(mp_enc_t *e, const mp_rec_snapshot_t *r);
int mp_enc_hollow(mp_enc_t *e, const mp_rec_hollow_t *r);
/* INVAL: n > MP_LOG_MAX_LEAKSCAN, addresses not ascending, or a kind
 * outside MP_LEAK_DEFINITE..MP_LEAK_POSSIBLE. Addresses are delta-coded. */
int mp_enc_leakscan(mp_enc_t *e, const mp_rec_leakscan_t *r);
int mp_enc_lost(mp_enc_t *e, const mp_rec_lost_t *r);
int mp_enc_end(mp_enc_t *e, const mp_rec_end_t *r);

/* ---- BATCH ------------------------------------------------------------- */

/* The state of one open BATCH record: where it starts and the running
 * values its events are delta-coded against. Lives wherever the caller
 * likes (the recorder keeps one per thread buffer). */
typedef struct mp_enc_batch {
    size_t start;      /* mark of the BATCH record in the buffer */
    uint64_t ts;       /* timestamp of the previous event (base_ts at first) */
    uint64_t addr;     /* previous address field of any kind (0 at first) */
    uint32_t nevents;  /* events written so far */
    int open;          /* begin succeeded and end not yet called */
} mp_enc_batch_t;

/* Opens a BATCH of thread tid whose first event's delta counts from
 * base_ts. 0, or MP_ELOG_OVERFLOW (nothing written, b not open). */
int mp_enc_batch_begin(mp_enc_t *e, mp_enc_batch_t *b, uint64_t tid, uint64_t base_ts);

/* Closes the batch: patches its length. A batch without events is removed.
 * Works even with overflow set (a refused event left the batch whole), so
 * the usual response to MP_ELOG_OVERFLOW from an event is: end the batch,
 * flush, reset, begin a new batch, write the event again. Returns 0
 * (MP_ELOG_INVAL if b is not open). */
int mp_enc_batch_end(mp_enc_t *e, mp_enc_batch_t *b);

/* Events: 0, or MP_ELOG_OVERFLOW with nothing written and b unchanged.
 * ts is the event's log timestamp; timestamps within a batch must not go
 * back (each thread takes them under its own buffer), and one that does is
 * written as equal to the previous one rather than wrapped around.
 * Addresses are delta-coded against b->addr, in field order. */
int mp_enc_ev_alloc(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t addr,
                    uint64_t size, uint64_t stack);
int mp_enc_ev_free(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t addr);
int mp_enc_ev_realloc(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t old_addr,
                      uint64_t new_addr, uint64_t size, uint64_t stack);
int mp_enc_ev_sample(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t addr,
                     uint64_t size, uint64_t stack, uint64_t weight);
int mp_enc_ev_span(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t op,
                   uint64_t cls, uint64_t pages, uint64_t addr);

/* Any event, by ev->kind (the fields that kind uses). MP_ELOG_INVAL for an
 * unknown kind. */
int mp_enc_event(mp_enc_t *e, mp_enc_batch_t *b, const mp_event_t *ev);

#endif
