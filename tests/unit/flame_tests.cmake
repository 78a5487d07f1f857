# test_flame: `memprof flamegraph`'s frame tree (cli/flame_tree.h), the
# collapsed-stack writer (cli/flame_folded.h) and the SVG (cli/flame_svg.h)
# on fixed input: exact folded lines, merged prefixes, thin frames merged
# into "[…] other", escaping, stable colours. Built from the CLI's source
# files, as the CLI has no library of its own; human.c from mp_analyzer.
mp_unit_test(test_flame SOURCES
  test_flame.c
  ${PROJECT_SOURCE_DIR}/cli/flame_tree.c
  ${PROJECT_SOURCE_DIR}/cli/flame_folded.c
  ${PROJECT_SOURCE_DIR}/cli/flame_svg.c
  ${PROJECT_SOURCE_DIR}/cli/xml_text.c)
target_include_directories(test_flame PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_flame PRIVATE mp_analyzer)

# test_flame_perf: a synthetic log of 10^5 distinct stacks (written with
# the replay suites' log builder, test_replay_util.c) through the whole
# flamegraph path — report model, tree, SVG — timed: the tree and the SVG
# within a second, the SVG under 5 MB.
mp_unit_test(test_flame_perf SOURCES
  test_flame_perf.c
  test_replay_util.c
  ${PROJECT_SOURCE_DIR}/cli/flame_tree.c
  ${PROJECT_SOURCE_DIR}/cli/flame_folded.c
  ${PROJECT_SOURCE_DIR}/cli/flame_report.c
  ${PROJECT_SOURCE_DIR}/cli/flame_svg.c
  ${PROJECT_SOURCE_DIR}/cli/xml_text.c)
target_include_directories(test_flame_perf PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_flame_perf PRIVATE mp_analyzer)
set_tests_properties(unit.test_flame_perf PROPERTIES TIMEOUT 120)

# test_flame_diff: `memprof flamegraph --diff` on a fixed pair of runs: the
# base matched by names, exact widths, colours (grey, red, blue by the
# relative change), tooltips with both values and the change, the folded
# two-column lines, and the SVG fragment that report --html inlines.
mp_unit_test(test_flame_diff SOURCES
  test_flame_diff.c
  ${PROJECT_SOURCE_DIR}/cli/flame_tree.c
  ${PROJECT_SOURCE_DIR}/cli/flame_folded.c
  ${PROJECT_SOURCE_DIR}/cli/flame_svg.c
  ${PROJECT_SOURCE_DIR}/cli/xml_text.c)
target_include_directories(test_flame_diff PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_flame_diff PRIVATE mp_analyzer)
