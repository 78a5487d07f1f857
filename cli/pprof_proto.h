/*
 * pprof_proto.h — the protocol-buffers wire format, as much of it as
 * `memprof pprof` writes (pprof_profile.c): varints, int64 and uint64
 * fields, length-delimited strings, packed repeated integers and nested
 * messages, appended to a growable byte buffer. A few dozen lines instead
 * of a protobuf library and a code generator for one .proto file.
 *
 * Encoding (protobuf.dev/programming-guides/encoding): a field is a key,
 * varint(field_number << 3 | wire_type), then its value: wire type 0 a
 * varint (int64 values as their two's complement, so -1 takes ten bytes),
 * wire type 2 a varint length and that many bytes. Fields equal to zero
 * are left out, as proto3 does for scalars.
 *
 * Errors are sticky: after an allocation failure every call does nothing
 * and mp_pb_buf_failed() says so, so that an encoder checks once at the
 * end. Not thread-safe.
 */
#ifndef MP_CLI_PPROF_PROTO_H
#define MP_CLI_PPROF_PROTO_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_pb_buf {
    uint8_t *p;   /* the bytes so far */
    size_t n;     /* bytes used */
    size_t cap;   /* bytes allocated */
    int failed;   /* an allocation failed: p is unusable */
} mp_pb_buf_t;

/* An empty buffer needs no call: mp_pb_buf_t b = {0}. Frees p; b may be
 * reused after. */
void mp_pb_buf_free(mp_pb_buf_t *b);
int mp_pb_buf_failed(const mp_pb_buf_t *b);

/* A varint alone (no key). */
void mp_pb_varint(mp_pb_buf_t *b, uint64_t v);

/* Field `field` as a varint (uint64, or int64 cast to it); left out when 0. */
void mp_pb_uint(mp_pb_buf_t *b, uint32_t field, uint64_t v);
/* The same, written even when 0 (a repeated field's element). */
void mp_pb_uint_always(mp_pb_buf_t *b, uint32_t field, uint64_t v);
/* Field `field` as n bytes (a string or bytes field); written even when
 * n == 0 (string_table[0] must be ""). */
void mp_pb_bytes(mp_pb_buf_t *b, uint32_t field, const void *data, size_t n);
/* A packed repeated varint field; left out when n == 0. */
void mp_pb_packed(mp_pb_buf_t *b, uint32_t field, const uint64_t *v, size_t n);

/* A nested message: mp_pb_begin() writes the key and returns a mark,
 * the message's fields follow, mp_pb_end() puts its length in front of
 * them (moving them by the length's size, 1 to 10 bytes). */
size_t mp_pb_begin(mp_pb_buf_t *b, uint32_t field);
void mp_pb_end(mp_pb_buf_t *b, size_t mark);

#endif
