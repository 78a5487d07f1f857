# integration.diff: `memprof diff` between runs of a program whose leak
# grows by a known amount (pprof/leaks.c N: N blocks of 100 bytes leaked at
# main -> e; the program is built by pprof.cmake). diff/diff.sh checks the
# JSON's exact figures — one changed stack, +3000 bytes and +30 allocations
# from N = 50 to 80, matched across runs that load at other addresses; a
# stack new in B; shrinkage listed last —, the text's human units, and bad
# command lines. Exit 77 (skipped) without python3.
find_package(Python3 COMPONENTS Interpreter)
add_test(NAME integration.diff.leaks
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/diff/diff.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_pprof_leaks> ${Python3_EXECUTABLE})
set_tests_properties(integration.diff.leaks PROPERTIES
                     TIMEOUT 60 SKIP_RETURN_CODE 77 LABELS "integration;diff")
