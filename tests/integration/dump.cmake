# integration.dump.<what>: `memprof dump` on a synthetic log written by
# dump/mklog.c (every record type and event kind, through the real encoder
# and chunk writer), compared with dump/expected.txt; then on a truncated
# copy, a corrupted copy and files that are not logs. dump/dump.sh runs
# each case; dump/README.md says how to regenerate expected.txt.
set(MP_DUMP_DIR ${CMAKE_CURRENT_LIST_DIR}/dump)

add_executable(mp_dump_mklog ${MP_DUMP_DIR}/mklog.c)
target_compile_options(mp_dump_mklog PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_dump_mklog PRIVATE mp_formats)
set_target_properties(mp_dump_mklog PROPERTIES
  OUTPUT_NAME mklog
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/dump)

foreach(what expected truncated corrupt not_a_log version help)
  add_test(NAME integration.dump.${what}
           COMMAND bash ${MP_DUMP_DIR}/dump.sh ${what}
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_dump_mklog> ${MP_DUMP_DIR})
  set_tests_properties(integration.dump.${what} PROPERTIES
                       TIMEOUT 60 LABELS "integration;dump")
endforeach()
