/*
 * test_format_util.h — helpers shared by the test_format suites: building
 * logs in memory (file header, chunks through the real chunk writer, or
 * hand-made chunk headers for hostile cases), writing them to a private
 * temporary directory, and reading them back to the end.
 */
#ifndef MP_TEST_FORMAT_UTIL_H
#define MP_TEST_FORMAT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "log_encode.h"
#include "log_reader.h"

/* A growable byte buffer (test code: plain malloc, abort on failure). */
typedef struct tbuf {
    uint8_t *p;
    size_t len, cap;
} tbuf_t;

void tb_free(tbuf_t *b);
void tb_put(tbuf_t *b, const void *p, size_t n);
/* A file header with the given version and flags. */
void tb_header(tbuf_t *b, unsigned major, unsigned minor, uint32_t flags);
/* A chunk made by mp_chunk_write (zstd level 3, checksum and size flags). */
void tb_chunk(tbuf_t *b, uint32_t seq, const void *raw, size_t rsize);
/* A chunk header with whatever fields a hostile test wants. */
void tb_chunk_header(tbuf_t *b, const char *magic, uint32_t csize, uint32_t rsize,
                     uint32_t seq);

/* Writes data to NAME in the suite's temporary directory; returns the path
 * (valid until the next call with the same name; at most 32 names). */
const char *t_write(const char *name, const void *data, size_t len);

/* Reads path to the end. */
typedef struct tread {
    int open_rc;          /* mp_reader_open's result */
    int rc;               /* the last mp_reader_next result (0 or < 0) */
    uint64_t records;     /* records returned */
    uint64_t events;      /* BATCH events iterated */
    mp_log_error_t err;   /* open error, or mp_reader_error at the end */
    size_t memory;        /* mp_reader_memory at the end */
} tread_t;
void t_read(const char *path, tread_t *out);

/* Records of the standard set (test_format_roundtrip.c builds them) are
 * counted by the callers; this encodes a few records into enc as filler
 * for the truncation and corruption tests: PROCESS (if first), a THREAD,
 * a STACK and a BATCH of n events. */
void t_fill(mp_enc_t *e, int first, uint64_t salt, unsigned n);

/* A small log of nchunks chunks of t_fill records; offsets[i] is where
 * chunk i starts, offsets[nchunks] the file's length; records[i] how many
 * records chunk i holds. nchunks <= 8. */
void t_small_log(tbuf_t *log, int nchunks, size_t *offsets, unsigned *records);

/* Cleans up the temporary directory (registered with atexit). */
void t_cleanup(void);

/* Each suite file registers its suite (test_format.c calls them). */
void t_register_varint(void);
void t_register_encode(void);
void t_register_roundtrip(void);
void t_register_damage(void);

#endif
