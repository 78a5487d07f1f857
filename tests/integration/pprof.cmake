# integration.pprof: `memprof pprof` on a real program with known stacks
# (pprof/leaks.c: leaks of 3 x 1000 bytes through an inlined function and of
# 500 bytes, 2 x 4096 bytes freed), built -g -O0 and run under
# `memprof run -o`, in full and in sampled mode. pprof/pprof.sh checks the
# output naming, then reads the profiles with `go tool pprof` (Debian:
# golang-go): the known stacks' exact figures, --alloc-fn, and with pprof/check.py that
# every sample type's -top and the inuse -traces say what
# `memprof report --json` says of the same log. Exit 77 (skipped, with the
# reason) without python3 or go.
find_package(Python3 COMPONENTS Interpreter)
set(MP_PPROF_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/pprof)
add_executable(mp_pprof_leaks ${MP_PPROF_IT_DIR}/leaks.c)
target_compile_options(mp_pprof_leaks PRIVATE ${MP_WARNINGS} -g -O0 -fno-omit-frame-pointer)
set_target_properties(mp_pprof_leaks PROPERTIES
  OUTPUT_NAME leaks RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/pprof)
add_test(NAME integration.pprof.leaks
         COMMAND bash ${MP_PPROF_IT_DIR}/pprof.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_pprof_leaks> ${Python3_EXECUTABLE})
set_tests_properties(integration.pprof.leaks PROPERTIES
                     TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;pprof")
