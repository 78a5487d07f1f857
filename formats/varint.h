/*
 * varint.h — LEB128 variable-length integers, as docs/format.md
 * ("Conventions") defines them: unsigned `varint` (7 bits a byte, low bits
 * first, at most 10 bytes, value < 2^64) and signed `svarint` (zigzag, then
 * varint).
 *
 * Header-only: the shim's recorder encodes several varints per event from
 * inside malloc, so these must inline; nothing here allocates or calls libc.
 *
 * Decoding is strict where the format is strict and lenient where it must
 * be: an encoding longer than 10 bytes, or a 10th byte carrying more than
 * the one bit left of 64, is rejected; padded encodings (a value written in
 * more bytes than it needs, as the encoder does for record lengths) are
 * accepted. Callers map the negative results to their own error codes.
 */
#ifndef MP_VARINT_H
#define MP_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define MP_VARINT_MAX 10 /* bytes of the longest encoding of a 64-bit value */

/* Results of mp_varint_decode besides 0. */
enum {
    MP_VARINT_SHORT = -1, /* the bytes ran out before the last byte */
    MP_VARINT_BAD = -2,   /* longer than 10 bytes, or more than 64 bits */
};

/* Bytes that mp_varint_encode writes for v: 1..10. */
static inline size_t mp_varint_size(uint64_t v)
{
    size_t n = 1;

    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes v minimally into out (room for MP_VARINT_MAX bytes); returns the
 * bytes written. */
static inline size_t mp_varint_encode(uint8_t *out, uint64_t v)
{
    size_t n = 0;

    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

/* Writes v in exactly width bytes (1..10), continuation bits set on all but
 * the last, so a length can be patched in place after the fact.
 * Requires: v < 2^(7*width) (the caller checks; the excess is dropped). */
static inline void mp_varint_encode_padded(uint8_t *out, uint64_t v, size_t width)
{
    for (size_t i = 0; i + 1 < width; i++) {
        out[i] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[width - 1] = (uint8_t)(v & 0x7f);
}

/* Zigzag: small magnitudes of either sign become small unsigned values
 * (0 → 0, -1 → 1, 1 → 2, ...). The shift is done unsigned: a left shift of
 * a negative int64_t is undefined in C. */
static inline uint64_t mp_zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0);
}

static inline int64_t mp_unzigzag(uint64_t u)
{
    /* (u >> 1) ^ -(u & 1), computed without signed overflow. */
    uint64_t v = (u >> 1) ^ (0 - (u & 1));
    return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)(~v) - 1;
}

/* The same mapping for the difference of two unsigned 64-bit values taken
 * modulo 2^64 (an address or frame delta): d is read as two's complement,
 * so b - a of nearby addresses encodes small whichever is larger. Kept
 * unsigned throughout, so no conversion is implementation-defined. */
static inline uint64_t mp_zigzag_delta(uint64_t d)
{
    return (d << 1) ^ (0 - (d >> 63));
}

static inline uint64_t mp_unzigzag_delta(uint64_t z)
{
    return (z >> 1) ^ (0 - (z & 1));
}

static inline size_t mp_svarint_encode(uint8_t *out, int64_t v)
{
    return mp_varint_encode(out, mp_zigzag(v));
}

/* Decodes a varint from p[0..avail). Returns 0 with *v and *used (bytes
 * consumed) set, or MP_VARINT_SHORT / MP_VARINT_BAD. */
static inline int mp_varint_decode(const uint8_t *p, size_t avail, uint64_t *v,
                                   size_t *used)
{
    uint64_t r = 0;

    for (size_t i = 0; i < MP_VARINT_MAX; i++) {
        if (i >= avail)
            return MP_VARINT_SHORT;
        uint8_t b = p[i];
        /* The 10th byte holds bit 63 only: anything more overflows. */
        if (i == MP_VARINT_MAX - 1 && (b & 0x7e))
            return MP_VARINT_BAD;
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = r;
            *used = i + 1;
            return 0;
        }
    }
    return MP_VARINT_BAD; /* an 11th byte would follow */
}

static inline int mp_svarint_decode(const uint8_t *p, size_t avail, int64_t *v,
                                    size_t *used)
{
    uint64_t u;
    int rc = mp_varint_decode(p, avail, &u, used);

    if (rc == 0)
        *v = mp_unzigzag(u);
    return rc;
}

#endif
