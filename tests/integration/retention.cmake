# integration.retention.<case>: the retention examples (examples/gomap.c,
# fragment.c, healthy_*.c) run under `memprof run`; retention/retention.sh
# checks `memprof report --json` with retention/check.py:
#
#   gomap_inline, gomap_pointers  Go's map replicated (seed 003): the peak
#                 and what is left at exit agree with the program's own
#                 figures, the bucket array's stack (make_bucket_array)
#                 holds the leak and the peak;
#   fragment      one 48-byte object in 40 survives: exactly the survivors
#                 are live at exit, the 48-byte class retains far more;
#   healthy_rebuild, healthy_cache, healthy_freeall: nothing left at exit.
#
# Each script also checks the retention findings (bucket_retention at
# make_bucket_array, span_retention at the 48-byte class and keep_survivor,
# none for the healthy programs) once memprof knows those finding kinds;
# until then it says the block is skipped. Exit 77 (skipped) without python3.
find_package(Python3 COMPONENTS Interpreter)
set(MP_RETENTION_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/retention)
foreach(case gomap_inline gomap_pointers fragment
             healthy_rebuild healthy_cache healthy_freeall)
  string(REGEX REPLACE "_(inline|pointers)$" "" prog ${case})
  add_test(NAME integration.retention.${case}
           COMMAND bash ${MP_RETENTION_IT_DIR}/retention.sh ${case}
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:example_${prog}>
                   ${Python3_EXECUTABLE})
  set_tests_properties(integration.retention.${case} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77
                       LABELS "integration;retention")
endforeach()
