/*
 * test_format_varint.c — LEB128 varints and zigzag svarints (formats/varint.h)
 * at their edges: the values where the length changes, the largest value,
 * padded encodings (accepted: the encoder writes record lengths padded),
 * and the encodings a reader must refuse (an 11th byte, bits above 2^64).
 */
#include <stdint.h>
#include <string.h>

#include "cunit_main.h"
#include "test_format_util.h"
#include "varint.h"

static void expect_encoding(uint64_t v, const uint8_t *bytes, size_t n)
{
    uint8_t buf[MP_VARINT_MAX + 2];
    uint64_t got;
    size_t used;

    memset(buf, 0xee, sizeof buf);
    CU_ASSERT_EQUAL(mp_varint_size(v), n);
    CU_ASSERT_EQUAL(mp_varint_encode(buf, v), n);
    CU_ASSERT(memcmp(buf, bytes, n) == 0);
    CU_ASSERT_EQUAL(buf[n], 0xee); /* nothing past the encoding */
    CU_ASSERT_EQUAL(mp_varint_decode(bytes, n, &got, &used), 0);
    CU_ASSERT_EQUAL(got, v);
    CU_ASSERT_EQUAL(used, n);
}

static void varint_edge_values_encode_as_specified(void)
{
    expect_encoding(0, (const uint8_t[]){ 0x00 }, 1);
    expect_encoding(1, (const uint8_t[]){ 0x01 }, 1);
    expect_encoding(127, (const uint8_t[]){ 0x7f }, 1);
    expect_encoding(128, (const uint8_t[]){ 0x80, 0x01 }, 2);
    expect_encoding(300, (const uint8_t[]){ 0xac, 0x02 }, 2);
    expect_encoding(16383, (const uint8_t[]){ 0xff, 0x7f }, 2);
    expect_encoding(16384, (const uint8_t[]){ 0x80, 0x80, 0x01 }, 3);
    expect_encoding(UINT64_C(1) << 63,
                    (const uint8_t[]){ 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x01 },
                    10);
    expect_encoding(UINT64_MAX,
                    (const uint8_t[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0x01 },
                    10);
}

static void varint_round_trips_every_length(void)
{
    for (int bit = 0; bit < 64; bit++) {
        uint64_t p = UINT64_C(1) << bit;
        uint64_t vals[] = { p - 1, p, p + 1, p | (p >> 1) };
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            uint8_t buf[MP_VARINT_MAX];
            uint64_t got;
            size_t used, n = mp_varint_encode(buf, vals[i]);
            CU_ASSERT_EQUAL(mp_varint_decode(buf, n, &got, &used), 0);
            CU_ASSERT_EQUAL(got, vals[i]);
            CU_ASSERT_EQUAL(used, n);
            /* One byte short is SHORT, never a wrong value. */
            CU_ASSERT_EQUAL(mp_varint_decode(buf, n - 1, &got, &used), MP_VARINT_SHORT);
        }
    }
}

static void varint_padded_encodings_are_accepted(void)
{
    static const uint8_t five[] = { 0x85, 0x80, 0x80, 0x00 }; /* docs/format.md */
    static const uint8_t zero2[] = { 0x80, 0x00 };
    static const uint8_t zero10[] = { 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 0x00 };
    uint8_t buf[MP_VARINT_MAX];
    uint64_t v;
    size_t used;

    CU_ASSERT_EQUAL(mp_varint_decode(five, sizeof five, &v, &used), 0);
    CU_ASSERT_EQUAL(v, 5);
    CU_ASSERT_EQUAL(used, 4);
    CU_ASSERT_EQUAL(mp_varint_decode(zero2, sizeof zero2, &v, &used), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(used, 2);
    CU_ASSERT_EQUAL(mp_varint_decode(zero10, sizeof zero10, &v, &used), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(used, 10);

    /* The encoder's padded form is exactly the spec's example. */
    mp_varint_encode_padded(buf, 5, 4);
    CU_ASSERT(memcmp(buf, five, 4) == 0);
    mp_varint_encode_padded(buf, (1u << 28) - 1, 4);
    CU_ASSERT_EQUAL(mp_varint_decode(buf, 4, &v, &used), 0);
    CU_ASSERT_EQUAL(v, (1u << 28) - 1);
    CU_ASSERT_EQUAL(used, 4);
}

static void varint_overlong_and_overflowing_encodings_are_rejected(void)
{
    /* 11 bytes: ten with the continuation bit, then a terminator. */
    static const uint8_t eleven[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 0x00 };
    /* 10 bytes whose last carries more than bit 63. */
    static const uint8_t over2[] = { 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0x02 };
    static const uint8_t over7f[] = { 0x80, 0x80, 0x80, 0x80, 0x80,
                                      0x80, 0x80, 0x80, 0x80, 0x7f };
    static const uint8_t cont[] = { 0x80 };
    uint64_t v = 12345;
    size_t used = 99;

    CU_ASSERT_EQUAL(mp_varint_decode(eleven, sizeof eleven, &v, &used), MP_VARINT_BAD);
    CU_ASSERT_EQUAL(mp_varint_decode(over2, sizeof over2, &v, &used), MP_VARINT_BAD);
    CU_ASSERT_EQUAL(mp_varint_decode(over7f, sizeof over7f, &v, &used), MP_VARINT_BAD);
    CU_ASSERT_EQUAL(mp_varint_decode(cont, sizeof cont, &v, &used), MP_VARINT_SHORT);
    CU_ASSERT_EQUAL(mp_varint_decode(cont, 0, &v, &used), MP_VARINT_SHORT);
    CU_ASSERT_EQUAL(v, 12345); /* untouched on failure */
    CU_ASSERT_EQUAL(used, 99);
}

static void svarint_zigzag_maps_small_magnitudes_to_small_values(void)
{
    static const int64_t vals[] = { 0, -1, 1, -2, 2, 63, -64, 64, -65, INT64_MAX, INT64_MIN,
                                    INT64_MIN + 1 };
    uint8_t buf[MP_VARINT_MAX];
    int64_t got;
    size_t used;

    CU_ASSERT_EQUAL(mp_zigzag(0), 0);
    CU_ASSERT_EQUAL(mp_zigzag(-1), 1);
    CU_ASSERT_EQUAL(mp_zigzag(1), 2);
    CU_ASSERT_EQUAL(mp_zigzag(-64), 127);
    CU_ASSERT_EQUAL(mp_zigzag(INT64_MAX), UINT64_MAX - 1);
    CU_ASSERT_EQUAL(mp_zigzag(INT64_MIN), UINT64_MAX);
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        size_t n = mp_svarint_encode(buf, vals[i]);
        CU_ASSERT_EQUAL(mp_svarint_decode(buf, n, &got, &used), 0);
        CU_ASSERT_EQUAL(got, vals[i]);
        CU_ASSERT_EQUAL(used, n);
    }
    /* -64..63 in one byte. */
    CU_ASSERT_EQUAL(mp_svarint_encode(buf, -64), 1);
    CU_ASSERT_EQUAL(mp_svarint_encode(buf, 63), 1);
    CU_ASSERT_EQUAL(mp_svarint_encode(buf, 64), 2);
}

static void address_deltas_wrap_modulo_2_64(void)
{
    /* Deltas between unsigned addresses: small either way, exact always. */
    static const uint64_t pairs[][2] = { { 0, 0 }, { 0x1000, 0x1010 }, { 0x1010, 0x1000 },
                                         { 0, UINT64_MAX }, { UINT64_MAX, 0 },
                                         { 0x7fffffffffffffff, 0x8000000000000000 } };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        uint64_t a = pairs[i][0], b = pairs[i][1];
        uint64_t z = mp_zigzag_delta(b - a);
        CU_ASSERT_EQUAL(a + mp_unzigzag_delta(z), b);
    }
    CU_ASSERT_EQUAL(mp_zigzag_delta(0x10), 0x20);
    CU_ASSERT_EQUAL(mp_zigzag_delta((uint64_t)0 - 0x10), 0x1f);
    CU_ASSERT_EQUAL(mp_zigzag_delta(UINT64_MAX), 1); /* -1 */
}

void t_register_varint(void)
{
    MP_SUITE("format_varint",
             MP_TEST(varint_edge_values_encode_as_specified),
             MP_TEST(varint_round_trips_every_length),
             MP_TEST(varint_padded_encodings_are_accepted),
             MP_TEST(varint_overlong_and_overflowing_encodings_are_rejected),
             MP_TEST(svarint_zigzag_maps_small_magnitudes_to_small_values),
             MP_TEST(address_deltas_wrap_modulo_2_64));
}
