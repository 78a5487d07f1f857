/*
 * test_diag — the shim's non-allocating formatter.
 */
#include "cunit_main.h"
#include "diag.h"

#include <stdint.h>
#include <string.h>

static void formats_integers_strings_and_pointers(void)
{
    char b[128];
    mp_fmt(b, sizeof b, "%d %u %ld %llu %zu %x %s %c %%", -42, 42u, -7L, 18446744073709551615ull,
           (size_t)5, 255u, "str", 'z');
    CU_ASSERT_STRING_EQUAL(b, "-42 42 -7 18446744073709551615 5 ff str z %");
    mp_fmt(b, sizeof b, "%p", (void *)(uintptr_t)0x1234);
    CU_ASSERT_STRING_EQUAL(b, "0x1234");
}

static void honours_width_padding_and_precision(void)
{
    char b[64];
    mp_fmt(b, sizeof b, "[%5d][%-5s][%05u][%.*s]", 42, "ab", 7u, 3, "abcdef");
    CU_ASSERT_STRING_EQUAL(b, "[   42][ab   ][00007][abc]");
}

static void truncates_without_overflowing(void)
{
    char b[8];
    memset(b, 'x', sizeof b);
    size_t n = mp_fmt(b, 5, "%s", "abcdefgh");
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_STRING_EQUAL(b, "abcd");
    CU_ASSERT_EQUAL(b[5], 'x');
}

void mp_test_register(void)
{
    MP_SUITE("diag", MP_TEST(formats_integers_strings_and_pointers),
             MP_TEST(honours_width_padding_and_precision), MP_TEST(truncates_without_overflowing));
}
