/*
 * test_options — MEMPROF_OPTIONS parsing: known keys, bad values and
 * unknown keys keep the defaults and count as problems.
 */
#include "cunit_main.h"
#include "options.h"

static void defaults_are_the_documented_ones(void)
{
    mp_options_t o;
    mp_options_defaults(&o);
    CU_ASSERT_EQUAL(o.mode, MP_OPT_MODE_OFF);
    CU_ASSERT_EQUAL(o.stats, 0);
    CU_ASSERT_EQUAL(o.scavenge_delay_ms, 1000);
    CU_ASSERT_EQUAL(o.background_thread, 1);
}

static void parses_every_key(void)
{
    mp_options_t o;
    mp_options_defaults(&o);
    CU_ASSERT_EQUAL(mp_options_parse("mode=off:stats=1:scavenge_delay_ms=250:background_thread=0:verbose=1",
                                     &o, 0), 0);
    CU_ASSERT_EQUAL(o.stats, 1);
    CU_ASSERT_EQUAL(o.scavenge_delay_ms, 250);
    CU_ASSERT_EQUAL(o.background_thread, 0);
    CU_ASSERT_EQUAL(o.verbose, 1);
    CU_ASSERT_EQUAL(mp_options_parse("mode=full:log=/tmp/x.mpz:depth=12:flush_ms=5:snapshot_ms=7:"
                                     "follow_fork=0", &o, 0), 0);
    CU_ASSERT_EQUAL(o.mode, MP_OPT_MODE_FULL);
    CU_ASSERT_STRING_EQUAL(o.log, "/tmp/x.mpz");
    CU_ASSERT_EQUAL(o.depth, 12);
    CU_ASSERT_EQUAL(o.flush_ms, 5);
    CU_ASSERT_EQUAL(o.snapshot_ms, 7);
    CU_ASSERT_EQUAL(o.follow_fork, 0);
}

static void bad_values_keep_the_default(void)
{
    mp_options_t o;
    mp_options_defaults(&o);
    CU_ASSERT_EQUAL(mp_options_parse("stats=2:scavenge_delay_ms=abc:mode=sideways:verbose:depth=0", &o, 0), 5);
    CU_ASSERT_EQUAL(o.stats, 0);
    CU_ASSERT_EQUAL(o.scavenge_delay_ms, 1000);
    CU_ASSERT_EQUAL(o.mode, MP_OPT_MODE_OFF);
    CU_ASSERT_EQUAL(mp_options_parse("scavenge_delay_ms=99999999999", &o, 0), 1);
    CU_ASSERT_EQUAL(o.scavenge_delay_ms, 1000);
}

static void unknown_keys_are_problems_and_empty_items_are_not(void)
{
    mp_options_t o;
    mp_options_defaults(&o);
    CU_ASSERT_EQUAL(mp_options_parse("::nosuch=1::stats=1:", &o, 0), 1);
    CU_ASSERT_EQUAL(o.stats, 1);
    CU_ASSERT_EQUAL(mp_options_parse("", &o, 0), 0);
}

void mp_test_register(void)
{
    MP_SUITE("options", MP_TEST(defaults_are_the_documented_ones), MP_TEST(parses_every_key),
             MP_TEST(bad_values_keep_the_default),
             MP_TEST(unknown_keys_are_problems_and_empty_items_are_not));
}
