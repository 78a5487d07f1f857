# integration.report.<case>: `memprof report` (cli/cmd_report.c).
#
# Golden cases (report/report.sh CASE): report/mkreport.c writes synthetic
# logs (a server, its forked child, the program the child exec'd, a
# sampled log) through the real encoder; the report of each, as text and
# JSON, with --top/--depth, of several logs at once, of the directory, of a
# cut copy, and the errors, is compared exactly with report/expected/.
# report/README.md says how to regenerate them.
#
# Real programs (report/report_real.sh CASE), built -g -O0 and run under
# `memprof run`: report_prog (leaks in main, in a callee, through realloc,
# in a dlopen'd library; a known peak; known temporaries), clean_prog
# (nothing to report), fork_prog (a parent and a child, two logs);
# report/report_real.py reads `memprof report --json` and checks functions,
# bytes and blocks.
set(MP_REPORT_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/report)
set(MP_REPORT_IT_BIN ${CMAKE_BINARY_DIR}/tests/integration/report)

add_executable(mp_report_mkreport ${MP_REPORT_IT_DIR}/mkreport.c)
target_compile_options(mp_report_mkreport PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_report_mkreport PRIVATE mp_formats)
set_target_properties(mp_report_mkreport PROPERTIES
  OUTPUT_NAME mkreport RUNTIME_OUTPUT_DIRECTORY ${MP_REPORT_IT_BIN})

foreach(what text json top multi dir sampled cut errors color help)
  add_test(NAME integration.report.${what}
           COMMAND bash ${MP_REPORT_IT_DIR}/report.sh ${what}
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_report_mkreport>
                   ${MP_REPORT_IT_DIR})
  set_tests_properties(integration.report.${what} PROPERTIES
                       TIMEOUT 60 LABELS "integration;report")
endforeach()

# The programs: no optimization, frame pointers, debug info, so that each
# leak's innermost frame is the function that called malloc, with its line.
set(MP_REPORT_PROG_FLAGS -g -O0 -fno-omit-frame-pointer -fno-inline)
add_library(mp_report_dl MODULE ${MP_REPORT_IT_DIR}/report_dl.c)
set_target_properties(mp_report_dl PROPERTIES
  OUTPUT_NAME report_dl LIBRARY_OUTPUT_DIRECTORY ${MP_REPORT_IT_BIN})
foreach(prog report_prog clean_prog fork_prog)
  add_executable(mp_${prog} ${MP_REPORT_IT_DIR}/${prog}.c)
  set_target_properties(mp_${prog} PROPERTIES
    OUTPUT_NAME ${prog} RUNTIME_OUTPUT_DIRECTORY ${MP_REPORT_IT_BIN})
  target_compile_options(mp_${prog} PRIVATE ${MP_WARNINGS} ${MP_REPORT_PROG_FLAGS})
endforeach()
target_compile_options(mp_report_dl PRIVATE ${MP_WARNINGS} ${MP_REPORT_PROG_FLAGS})
target_link_libraries(mp_report_prog PRIVATE ${CMAKE_DL_LIBS})

find_package(Python3 COMPONENTS Interpreter)
foreach(what leaks clean fork partial)
  add_test(NAME integration.report.real_${what}
           COMMAND bash ${MP_REPORT_IT_DIR}/report_real.sh ${what}
                   $<TARGET_FILE:memprof_cli> ${MP_REPORT_IT_BIN}
                   $<TARGET_FILE:mp_report_dl> ${Python3_EXECUTABLE})
  set_tests_properties(integration.report.real_${what} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;report")
endforeach()
