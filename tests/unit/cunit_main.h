/* Contract between cunit_main.c and each suite file. */
#ifndef MP_CUNIT_MAIN_H
#define MP_CUNIT_MAIN_H
#include <CUnit/CUnit.h>

/* Defined by each test program: add its suites and tests. */
void mp_test_register(void);

/* Adds a suite with the given tests; NULL-terminated {name, fn} pairs. */
#define MP_SUITE(name, ...)                                                  \
    do {                                                                     \
        CU_TestInfo tests_[] = {__VA_ARGS__, CU_TEST_INFO_NULL};             \
        CU_SuiteInfo suites_[] = {{name, NULL, NULL, NULL, NULL, tests_},    \
                                  CU_SUITE_INFO_NULL};                       \
        CU_register_suites(suites_);                                         \
    } while (0)
#define MP_TEST(fn) {#fn, fn}
#endif
