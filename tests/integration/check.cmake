# integration.check.<case>: `memprof check` (cli/cmd_check.c), on small
# programs of check/ built -g -O0 with frame pointers: clean (nothing
# leaks), leaky (3 x 100 bytes from leak_three), fail4 (no leak, exit 4).
# check/check.sh CASE runs memprof check and checks its exit status,
# text, JUnit XML (python3 xml.etree) and JSON.
set(MP_CHECK_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/check)
set(MP_CHECK_IT_BIN ${CMAKE_BINARY_DIR}/tests/integration/check)

foreach(prog clean leaky fail4)
  add_executable(mp_check_${prog} ${MP_CHECK_IT_DIR}/${prog}.c)
  set_target_properties(mp_check_${prog} PROPERTIES
    OUTPUT_NAME ${prog} RUNTIME_OUTPUT_DIRECTORY ${MP_CHECK_IT_BIN})
  target_compile_options(mp_check_${prog} PRIVATE ${MP_WARNINGS}
    -g -O0 -fno-omit-frame-pointer -fno-inline)
endforeach()

find_package(Python3 COMPONENTS Interpreter)
foreach(what clean leaky suppressed threshold program_failed junit json gen)
  add_test(NAME integration.check.${what}
           COMMAND bash ${MP_CHECK_IT_DIR}/check.sh ${what}
                   $<TARGET_FILE:memprof_cli> ${MP_CHECK_IT_BIN} ${Python3_EXECUTABLE})
  set_tests_properties(integration.check.${what} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;check")
endforeach()
