# integration.check.baseline_*: `memprof check --baseline` (cli/check_baseline.h)
# on runs of check_baseline/grower.c, whose leak and peak grow by known
# amounts with its arguments: the exact growth named, --tolerance as a
# percentage and as bytes, bad values, and the regression in JSON, JUnit
# and SARIF (validated against tests/schemas when the validators exist).
set(MP_BASELINE_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/check_baseline)
set(MP_BASELINE_IT_BIN ${CMAKE_BINARY_DIR}/tests/integration/check_baseline)
add_executable(mp_check_baseline_grower ${MP_BASELINE_IT_DIR}/grower.c)
set_target_properties(mp_check_baseline_grower PROPERTIES
  OUTPUT_NAME grower RUNTIME_OUTPUT_DIRECTORY ${MP_BASELINE_IT_BIN})
target_compile_options(mp_check_baseline_grower PRIVATE ${MP_WARNINGS}
  -g -O0 -fno-omit-frame-pointer -fno-inline)
find_package(Python3 COMPONENTS Interpreter)
foreach(what grown tolerance outputs)
  add_test(NAME integration.check.baseline_${what}
           COMMAND bash ${MP_BASELINE_IT_DIR}/baseline.sh ${what}
                   $<TARGET_FILE:memprof_cli> ${MP_BASELINE_IT_BIN}
                   ${PROJECT_SOURCE_DIR}/tests/schemas ${Python3_EXECUTABLE})
  set_tests_properties(integration.check.baseline_${what} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;check")
endforeach()
