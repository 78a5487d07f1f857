# integration.fault.<what> (docs/hardening.md): fault/fault_prog.c run with
# libmemprof.so preloaded while the shim is made to fail — its Nth mmap
# (reserve), madvise (release) or log write, for every N the run reaches —
# and while signal handlers allocate or fork and threads exit under a busy
# writer. fault/fault.sh drives each case; every run has a time limit, so
# a hang is a failure.
set(MP_FAULT_DIR ${CMAKE_CURRENT_LIST_DIR}/fault)
add_executable(mp_fault_prog ${MP_FAULT_DIR}/fault_prog.c)
target_compile_options(mp_fault_prog PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_fault_prog PRIVATE Threads::Threads)
set_target_properties(mp_fault_prog PROPERTIES
  OUTPUT_NAME fault_prog RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/fault)

foreach(what reserve release write sigalrm sigfork threads)
  add_test(NAME integration.fault.${what}
           COMMAND bash ${MP_FAULT_DIR}/fault.sh ${what} $<TARGET_FILE:memprof>
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_fault_prog>)
  set_tests_properties(integration.fault.${what} PROPERTIES
                       TIMEOUT 300 LABELS "integration;fault")
endforeach()
