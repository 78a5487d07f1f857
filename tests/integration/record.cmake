# integration.record.<what>: real programs run with libmemprof.so preloaded
# in full mode (MEMPROF_OPTIONS=mode=full:log=...); their logs are checked by
# record/checklog.c (structure, the ordering rule across threads, totals,
# attribution of stacks to address ranges) and decoded by `memprof dump`.
# record/run.sh drives each case; record/README.md lists what each checks.
# A case that cannot run on this machine exits 77: SKIPPED.
set(MP_REC_DIR ${CMAKE_CURRENT_LIST_DIR}/record)
set(MP_REC_BIN ${CMAKE_BINARY_DIR}/tests/integration/record)

# The checker: reads a log with mp_formats (formats/log_reader.h).
add_executable(mp_rec_checklog ${MP_REC_DIR}/checklog.c)
target_compile_options(mp_rec_checklog PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_rec_checklog PRIVATE mp_formats)
set_target_properties(mp_rec_checklog PROPERTIES
  OUTPUT_NAME checklog RUNTIME_OUTPUT_DIRECTORY ${MP_REC_BIN})

# The programs. Built with frame pointers (either unwinder backend can walk
# them) and without inlining across the functions the tests look for.
function(mp_rec_program name)
  add_executable(mp_rec_${name} ${MP_REC_DIR}/${name}.c)
  target_compile_options(mp_rec_${name} PRIVATE ${MP_WARNINGS} -fno-omit-frame-pointer)
  target_link_libraries(mp_rec_${name} PRIVATE ${ARGN})
  set_target_properties(mp_rec_${name} PROPERTIES
    OUTPUT_NAME ${name} RUNTIME_OUTPUT_DIRECTORY ${MP_REC_BIN})
endfunction()

mp_rec_program(known_sequence)

# mp_rec_test(WHAT [EXTRA...]): integration.record.WHAT runs
# record/WHAT.sh SHIM CLI CHECKLOG BINDIR EXTRA...
function(mp_rec_test what)
  add_test(NAME integration.record.${what}
           COMMAND bash ${MP_REC_DIR}/${what}.sh
                   $<TARGET_FILE:memprof> $<TARGET_FILE:memprof_cli>
                   $<TARGET_FILE:mp_rec_checklog> ${MP_REC_BIN} ${ARGN})
  set_tests_properties(integration.record.${what} PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 120
    LABELS "integration;record")
endfunction()

mp_rec_test(known_sequence)
mp_rec_program(xthread_order Threads::Threads)
mp_rec_test(xthread_order)
mp_rec_program(fork_child Threads::Threads)
mp_rec_test(fork_child)
mp_rec_program(exec_child)
mp_rec_program(exec_target)
mp_rec_test(exec_child)

# The library dlopen_attrib loads and closes.
add_library(mp_rec_dlib MODULE ${MP_REC_DIR}/rec_dlib.c)
target_compile_options(mp_rec_dlib PRIVATE ${MP_WARNINGS} -fno-omit-frame-pointer)
set_target_properties(mp_rec_dlib PROPERTIES
  OUTPUT_NAME rec_dlib LIBRARY_OUTPUT_DIRECTORY ${MP_REC_BIN})
mp_rec_program(dlopen_attrib ${CMAKE_DL_LIBS})
add_dependencies(mp_rec_dlopen_attrib mp_rec_dlib)
mp_rec_test(dlopen_attrib $<TARGET_FILE:mp_rec_dlib>)
mp_rec_program(crash)
mp_rec_test(sigsegv)
mp_rec_test(sigsegv_recover)
mp_rec_program(churn_forever)
mp_rec_test(sigkill)
mp_rec_program(alloc_lot)
mp_rec_test(full_disk)

# checklog's own test: synthetic logs, right and wrong (record/mkbad.c).
add_executable(mp_rec_mkbad ${MP_REC_DIR}/mkbad.c)
target_compile_options(mp_rec_mkbad PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_rec_mkbad PRIVATE mp_formats)
set_target_properties(mp_rec_mkbad PROPERTIES
  OUTPUT_NAME mkbad RUNTIME_OUTPUT_DIRECTORY ${MP_REC_BIN})
mp_rec_test(checklog)
mp_rec_program(thread_exit Threads::Threads)
mp_rec_test(thread_exit)
mp_rec_program(api_mix)
mp_rec_test(api_mix ${MP_UNWIND})
mp_rec_test(fork_child_cwd)
mp_rec_program(crash_threads Threads::Threads)
mp_rec_test(sigsegv_threads)
