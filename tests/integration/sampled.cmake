# integration.sampled.<what>: sampled mode end to end, and what memprof run
# does with programs the shim cannot see.
#
# accuracy: sampled/sample_workload.c (2.3·10⁶ allocations from four
# functions with different size mixes) runs with libmemprof.so preloaded in
# full mode, then in sampled mode (sample=524288); sampled/sampled_check.c
# (mp_sampled_check) replays each log with analyzer/replay.h and compares the
# per-function bytes and counts with what the program says it did: exact in
# full mode, within 6σ (and 5% where 5% ≥ 6σ) in sampled mode. accuracy.sh
# also checks that the heap's live-object count at the last SNAPSHOT is the
# same in both modes.
set(MP_SMP_DIR ${CMAKE_CURRENT_LIST_DIR}/sampled)
set(MP_SMP_BIN ${CMAKE_BINARY_DIR}/tests/integration/sampled)

add_executable(mp_sampled_check ${MP_SMP_DIR}/sampled_check.c)
target_compile_options(mp_sampled_check PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_sampled_check PRIVATE mp_analyzer m)
set_target_properties(mp_sampled_check PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${MP_SMP_BIN})

# -O0 -g with frame pointers: every allocation's caller is a frame of its
# own, whichever unwinder the shim uses.
add_executable(mp_sample_workload ${MP_SMP_DIR}/sample_workload.c)
target_compile_options(mp_sample_workload PRIVATE ${MP_WARNINGS} -O0 -g -fno-omit-frame-pointer)
target_include_directories(mp_sample_workload PRIVATE ${CMAKE_CURRENT_LIST_DIR}/record)
target_link_libraries(mp_sample_workload PRIVATE m)
set_target_properties(mp_sample_workload PROPERTIES
  OUTPUT_NAME sample_workload RUNTIME_OUTPUT_DIRECTORY ${MP_SMP_BIN})

add_test(NAME integration.sampled.accuracy
         COMMAND bash ${MP_SMP_DIR}/accuracy.sh
                 $<TARGET_FILE:memprof> $<TARGET_FILE:mp_sampled_check>
                 $<TARGET_FILE:mp_sample_workload>)
set_tests_properties(integration.sampled.accuracy PROPERTIES
  SKIP_RETURN_CODE 77
  TIMEOUT 120
  LABELS "integration;sampled")
