# integration.flamegraph: `memprof flamegraph` on a real program with known
# call chains (flamegraph/chains.c: main -> a -> b -> malloc(1000) x 3,
# main -> c -> malloc(500)), built -g -O0 -fno-inline and run under
# `memprof run -o`. flamegraph/flamegraph.sh checks the exact --folded
# lines of those chains for --metric=allocated and allocations, and
# flamegraph/check.py reads the SVG with xml.etree: well-formed, the
# script, a frame (data-name, data-value) per function with b:c = 3000:500,
# the icicle orientation, the default output name. Exit 77 without python3.
find_package(Python3 COMPONENTS Interpreter)
set(MP_FLAME_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/flamegraph)
add_executable(mp_flame_chains ${MP_FLAME_IT_DIR}/chains.c)
target_compile_options(mp_flame_chains PRIVATE ${MP_WARNINGS}
                       -g -O0 -fno-omit-frame-pointer -fno-inline)
set_target_properties(mp_flame_chains PROPERTIES
  OUTPUT_NAME chains RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/flamegraph)
add_test(NAME integration.flamegraph.chains
         COMMAND bash ${MP_FLAME_IT_DIR}/flamegraph.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_flame_chains> ${Python3_EXECUTABLE})
set_tests_properties(integration.flamegraph.chains PROPERTIES
                     TIMEOUT 60 SKIP_RETURN_CODE 77 LABELS "integration;flamegraph")
