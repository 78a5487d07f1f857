/*
 * test_sizeclasses — the generated size-class table obeys the rules the
 * generator promises (tools/mksizeclasses.c), checked through the header
 * the heap uses.
 */
#include "cunit_main.h"
#include "sizeclasses.h"

static void every_size_maps_to_the_smallest_class_that_fits(void)
{
    for (uint32_t sz = 0; sz <= MP_MAX_SMALL; sz++) {
        uint32_t c = mp_size_class(sz);
        CU_ASSERT_FATAL(c >= 1 && c < MP_NUM_CLASSES);
        CU_ASSERT_FATAL(mp_class_size[c] >= sz);
        if (c > 1)
            CU_ASSERT_FATAL(mp_class_size[c - 1] < (sz ? sz : 1));
    }
}

static void classes_are_16_byte_multiples_and_increasing(void)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
        CU_ASSERT_EQUAL(mp_class_size[c] % 16, 0);
        if (c > 1)
            CU_ASSERT(mp_class_size[c] > mp_class_size[c - 1]);
    }
    CU_ASSERT_EQUAL(mp_class_size[MP_NUM_CLASSES - 1], MP_MAX_SMALL);
}

static void rounding_and_tail_waste_stay_under_an_eighth(void)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
        uint32_t s = mp_class_size[c], span = mp_class_pages[c] * MP_PAGE_SIZE;
        CU_ASSERT(span % s <= span / 8);
        CU_ASSERT_EQUAL(mp_class_objects[c], span / s);
        if (s >= 128)
            CU_ASSERT((s - mp_class_size[c - 1] - 1) * 8 <= s);
    }
}

static void reciprocal_gives_object_index_for_every_offset(void)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
        uint32_t s = mp_class_size[c], span = mp_class_pages[c] * MP_PAGE_SIZE;
        for (uint32_t off = 0; off < span; off += 7)
            CU_ASSERT_EQUAL_FATAL((uint32_t)(((uint64_t)off * mp_class_divmul[c]) >> 32), off / s);
    }
}

static void batches_are_between_2_and_32(void)
{
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++)
        CU_ASSERT(mp_class_batch[c] >= 2 && mp_class_batch[c] <= 32);
}

void mp_test_register(void)
{
    MP_SUITE("sizeclasses", MP_TEST(every_size_maps_to_the_smallest_class_that_fits),
             MP_TEST(classes_are_16_byte_multiples_and_increasing),
             MP_TEST(rounding_and_tail_waste_stay_under_an_eighth),
             MP_TEST(reciprocal_gives_object_index_for_every_offset),
             MP_TEST(batches_are_between_2_and_32));
}
