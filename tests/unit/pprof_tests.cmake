# test_pprof: `memprof pprof`'s protobuf writer (cli/pprof_proto.h) byte for
# byte, and a whole profile (cli/pprof_profile.h) decoded back by the test's
# own protobuf reader and checked field by field; the gzip'd form inflated
# back to the same bytes. Built from the CLI's source files, as the CLI has
# no library of its own; id_map.c from mp_analyzer.
find_package(ZLIB REQUIRED)
mp_unit_test(test_pprof SOURCES
  test_pprof.c
  ${PROJECT_SOURCE_DIR}/cli/pprof_proto.c
  ${PROJECT_SOURCE_DIR}/cli/pprof_profile.c)
target_include_directories(test_pprof PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_pprof PRIVATE mp_analyzer ZLIB::ZLIB)

# test_diff: `memprof diff`'s model (analyzer/diff.h) and JSON view
# (cli/diff_json.c) on two synthetic logs from test_replay_util.c: stacks
# matched and summed, sorted by each metric, totals, exact JSON numbers.
mp_unit_test(test_diff SOURCES
  test_diff.c
  test_replay_util.c
  ${PROJECT_SOURCE_DIR}/cli/diff_json.c
  ${PROJECT_SOURCE_DIR}/cli/json_str.c)
target_include_directories(test_diff PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_diff PRIVATE mp_analyzer)
