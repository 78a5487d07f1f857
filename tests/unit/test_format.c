/*
 * test_format.c — the test_format program: the log format's suites
 * (formats/, docs/format.md), one per concern, each in its own file:
 *   test_format_varint.c     LEB128 edge cases
 *   test_format_encode.c     encoder bounds and limits, chunk writer
 *   test_format_roundtrip.c  every record and event through file and back
 *   test_format_damage.c     truncated, corrupt and hostile logs
 */
#include "cunit_main.h"
#include "test_format_util.h"

void mp_test_register(void)
{
    t_register_varint();
    t_register_encode();
    t_register_roundtrip();
    t_register_damage();
}
