/*
 * log_reader.h — reads a memprof log (docs/format.md) one record at a time.
 *
 *     mp_log_error_t err;
 *     mp_reader_t *r;
 *     mp_record_t rec;
 *     int rc;
 *
 *     if (mp_reader_open(path, &r, &err) != 0)
 *         ... err.msg says why (not a log, another major version, ...)
 *     while ((rc = mp_reader_next(r, &rec)) > 0)
 *         ... use rec; for a BATCH, mp_batch_iter over its events
 *     if (rc < 0)
 *         ... everything returned so far is valid; mp_reader_error(r) says
 *             at which byte of the file (and chunk) decoding stopped, and why
 *     mp_reader_close(r);
 *
 * Every count and length is checked against the format's limits and the
 * bytes left before it is used; records are decoded into fixed tables, so
 * nothing is allocated per record. The reader holds one chunk (compressed
 * and decompressed, at most ~32 MiB) plus about 80 KiB of fixed state,
 * whatever the size of the log. Errors are values: the reader never aborts
 * and never reads outside its buffers, whatever the file holds.
 *
 * Not thread-safe: one reader per thread.
 */
#ifndef MP_LOG_READER_H
#define MP_LOG_READER_H

#include <stddef.h>
#include <stdint.h>

#include "log_format.h"

typedef struct mp_reader mp_reader_t;

/* Why and where decoding stopped. */
typedef struct mp_log_error {
    int code;        /* MP_ELOG_*, 0 if decoding has not stopped early */
    uint64_t offset; /* byte of the file: the start of the chunk (or header)
                        that could not be decoded */
    int64_t chunk;   /* that chunk's number, -1 for the file header */
    char msg[400];   /* the reason, without the location */
} mp_log_error_t;

/* Where the record last returned came from. */
typedef struct mp_chunk_info {
    uint32_t seq;    /* chunk number */
    uint64_t offset; /* byte of the file where its header starts */
    uint32_t csize;  /* bytes of its zstd frame */
    uint32_t rsize;  /* bytes of records it decompressed to */
} mp_chunk_info_t;

/* Opens path and reads the file header. Returns 0 with *out set, or a
 * negative MP_ELOG_* code with *out NULL and, if err is not NULL, err
 * filled: MP_ELOG_IO (cannot open or read; a directory), MP_ELOG_MAGIC
 * (empty, or not a memprof log), MP_ELOG_TRUNC (shorter than the header),
 * MP_ELOG_VERSION (another major version; the message names both),
 * MP_ELOG_NOMEM. */
int mp_reader_open(const char *path, mp_reader_t **out, mp_log_error_t *err);

/* Closes the file and frees the reader; NULL is fine. */
void mp_reader_close(mp_reader_t *r);

/* The file header's version and flags. */
void mp_reader_version(const mp_reader_t *r, unsigned *major, unsigned *minor,
                       uint32_t *flags);

/* Decodes the next record into *rec. Returns 1, 0 at the clean end of the
 * log (end of file at a chunk boundary), or a negative MP_ELOG_* code once
 * decoding stopped: MP_ELOG_TRUNC, MP_ELOG_CORRUPT, MP_ELOG_IO,
 * MP_ELOG_NOMEM. After the end or an error every call returns the same.
 * What rec points to stays valid until the next call or close. */
int mp_reader_next(mp_reader_t *r, mp_record_t *rec);

/* Why decoding stopped (code 0 while it has not). */
const mp_log_error_t *mp_reader_error(const mp_reader_t *r);

/* The chunk of the record last returned. */
const mp_chunk_info_t *mp_reader_chunk(const mp_reader_t *r);

/* Bytes the reader holds now: its state and its chunk buffers. */
size_t mp_reader_memory(const mp_reader_t *r);

/* ---- BATCH events ------------------------------------------------------- */

/* Walks the events of a BATCH record from mp_reader_next, resolving the
 * time and address deltas. Valid as long as the record is. */
typedef struct mp_batch_iter {
    const uint8_t *p, *end; /* undecoded events */
    uint64_t ts;            /* timestamp of the previous event */
    uint64_t addr;          /* running address value */
} mp_batch_iter_t;

void mp_batch_iter_init(mp_batch_iter_t *it, const mp_rec_batch_t *batch);

/* 1 with *ev filled, 0 after the last event. The reader checked every event
 * when it returned the record, so MP_ELOG_CORRUPT only comes from a batch
 * that did not (one built by hand). */
int mp_batch_next(mp_batch_iter_t *it, mp_event_t *ev);

#endif
