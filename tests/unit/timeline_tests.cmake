# test_timeline: the chart renderer of `memprof timeline` (cli/timeline_svg.h):
# the axis arithmetic (nice steps, byte units, time ticks, tick labels) and
# the SVG it writes for a small chart. Built from the CLI's source file, as
# the CLI has no library of its own; human.c comes from mp_analyzer.
mp_unit_test(test_timeline SOURCES
  test_timeline.c
  ${PROJECT_SOURCE_DIR}/cli/timeline_svg.c
  ${PROJECT_SOURCE_DIR}/cli/xml_text.c)
target_include_directories(test_timeline PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_timeline PRIVATE mp_analyzer)
