# integration.static.warning: `memprof run` on a statically linked program
# warns once that the shim cannot see it, runs it, passes its status through
# and writes no log (cli/run_static.h). static/static.sh builds the static
# program itself with the C compiler (-static needs libc.a) and exits 77 —
# skipped — when that link fails on the machine.
add_test(NAME integration.static.warning
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/static/static.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:memprof> ${CMAKE_C_COMPILER})
set_tests_properties(integration.static.warning PROPERTIES
  TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;cli;static")
