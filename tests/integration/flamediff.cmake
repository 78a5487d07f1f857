# integration.flamediff: `memprof flamegraph --diff A B` on two runs of a
# program whose leak grows (flamediff/grow.c: grow 2 then grow 6), built
# -g -O0 -fno-inline: exact two-column --folded lines, the default output
# name, usage errors, and with flamediff/check.py the SVG's widths (B),
# colours (the change from A) and tooltips. Exit 77 without python3.
find_package(Python3 COMPONENTS Interpreter)
set(MP_FLAMEDIFF_DIR ${CMAKE_CURRENT_LIST_DIR}/flamediff)
add_executable(mp_flamediff_grow ${MP_FLAMEDIFF_DIR}/grow.c)
target_compile_options(mp_flamediff_grow PRIVATE ${MP_WARNINGS}
                       -g -O0 -fno-omit-frame-pointer -fno-inline)
set_target_properties(mp_flamediff_grow PROPERTIES
  OUTPUT_NAME grow RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/flamediff)
add_test(NAME integration.flamediff.grow
         COMMAND bash ${MP_FLAMEDIFF_DIR}/flamediff.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_flamediff_grow> ${Python3_EXECUTABLE})
set_tests_properties(integration.flamediff.grow PROPERTIES
                     TIMEOUT 60 SKIP_RETURN_CODE 77 LABELS "integration;flamegraph")
