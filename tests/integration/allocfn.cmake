# memprof report --alloc-fn: the program's own allocation wrappers are left
# out of stacks, so findings name their callers (example_churn's xmalloc).
add_test(NAME integration.report.alloc_fn
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/report/alloc_fn.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:example_churn>)
set_tests_properties(integration.report.alloc_fn PROPERTIES TIMEOUT 120 LABELS "integration;report")
