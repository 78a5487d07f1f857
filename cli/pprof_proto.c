/*
 * pprof_proto.c — see pprof_proto.h.
 */
#include "pprof_proto.h"

#include <stdlib.h>
#include <string.h>

#define WIRE_VARINT 0
#define WIRE_LEN 2
#define MAX_VARINT 10

void mp_pb_buf_free(mp_pb_buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int mp_pb_buf_failed(const mp_pb_buf_t *b)
{
    return b->failed;
}

/* Room for n more bytes: 1, or 0 (failed set). */
static int reserve(mp_pb_buf_t *b, size_t n)
{
    size_t cap;
    uint8_t *p;

    if (b->failed)
        return 0;
    if (b->cap - b->n >= n)
        return 1;
    cap = b->cap ? b->cap : 256;
    while (cap - b->n < n) {
        if (cap > SIZE_MAX / 2)
            goto fail;
        cap *= 2;
    }
    p = realloc(b->p, cap);
    if (!p)
        goto fail;
    b->p = p;
    b->cap = cap;
    return 1;
fail:
    b->failed = 1;
    return 0;
}

static size_t varint_size(uint64_t v)
{
    size_t n = 1;

    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes v at p (room for MAX_VARINT assumed); returns the bytes written. */
static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

void mp_pb_varint(mp_pb_buf_t *b, uint64_t v)
{
    if (reserve(b, MAX_VARINT))
        b->n += put_varint(b->p + b->n, v);
}

static void key(mp_pb_buf_t *b, uint32_t field, unsigned wire)
{
    mp_pb_varint(b, (uint64_t)field << 3 | wire);
}

void mp_pb_uint_always(mp_pb_buf_t *b, uint32_t field, uint64_t v)
{
    key(b, field, WIRE_VARINT);
    mp_pb_varint(b, v);
}

void mp_pb_uint(mp_pb_buf_t *b, uint32_t field, uint64_t v)
{
    if (v)
        mp_pb_uint_always(b, field, v);
}

void mp_pb_bytes(mp_pb_buf_t *b, uint32_t field, const void *data, size_t n)
{
    key(b, field, WIRE_LEN);
    mp_pb_varint(b, n);
    if (n && reserve(b, n)) {
        memcpy(b->p + b->n, data, n);
        b->n += n;
    }
}

void mp_pb_packed(mp_pb_buf_t *b, uint32_t field, const uint64_t *v, size_t n)
{
    size_t len = 0;

    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        len += varint_size(v[i]);
    key(b, field, WIRE_LEN);
    mp_pb_varint(b, len);
    if (!reserve(b, len))
        return;
    for (size_t i = 0; i < n; i++)
        b->n += put_varint(b->p + b->n, v[i]);
}

size_t mp_pb_begin(mp_pb_buf_t *b, uint32_t field)
{
    key(b, field, WIRE_LEN);
    return b->n;
}

void mp_pb_end(mp_pb_buf_t *b, size_t mark)
{
    size_t len, k;

    if (b->failed || mark > b->n)
        return;
    len = b->n - mark;
    k = varint_size(len);
    if (!reserve(b, k))
        return;
    memmove(b->p + mark + k, b->p + mark, len);
    put_varint(b->p + mark, len);
    b->n += k;
}
