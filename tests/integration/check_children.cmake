# integration.check.children_*: `memprof check` on a run of several
# processes (cli/check_run.h): forker leaks 100 bytes in the parent and
# 2 x 64 bytes in a forked child; execer holds 50 bytes and execs check/'s
# leaky (300 bytes). check_children/children.sh CASE checks the processes
# named, the totals the thresholds apply to, JSON and the logs kept by -o.
set(MP_CHILDREN_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/check_children)
set(MP_CHILDREN_IT_BIN ${CMAKE_BINARY_DIR}/tests/integration/check_children)
foreach(prog forker execer)
  add_executable(mp_check_children_${prog} ${MP_CHILDREN_IT_DIR}/${prog}.c)
  set_target_properties(mp_check_children_${prog} PROPERTIES
    OUTPUT_NAME ${prog} RUNTIME_OUTPUT_DIRECTORY ${MP_CHILDREN_IT_BIN})
  target_compile_options(mp_check_children_${prog} PRIVATE ${MP_WARNINGS}
    -g -O0 -fno-omit-frame-pointer -fno-inline)
endforeach()
find_package(Python3 COMPONENTS Interpreter)
foreach(what fork exec log script)
  add_test(NAME integration.check.children_${what}
           COMMAND bash ${MP_CHILDREN_IT_DIR}/children.sh ${what}
                   $<TARGET_FILE:memprof_cli> ${MP_CHILDREN_IT_BIN} ${MP_CHECK_IT_BIN}
                   ${Python3_EXECUTABLE})
  set_tests_properties(integration.check.children_${what} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;check")
endforeach()
