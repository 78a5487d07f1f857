/*
 * Shared main() for the CUnit suites. Each test program defines
 * mp_test_register(), which adds its suites to the registry; this file runs
 * them in basic mode (CUnit prints its run summary) and turns any failure
 * into a non-zero exit status for ctest.
 */
#include <stdio.h>
#include <CUnit/Basic.h>

#include "cunit_main.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    mp_test_register();
    if (CU_get_error() != CUE_SUCCESS) {
        fprintf(stderr, "test registration failed: %s\n", CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran == 0) {
        fprintf(stderr, "no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
