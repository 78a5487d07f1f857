# integration.timeline.<case>: `memprof timeline` on real programs run under
# `memprof run`; timeline/timeline.sh renders the chart (class and stack
# breakdowns, -o FILE, -o -, the default name) and timeline/check.py reads
# the SVG with xml.etree:
#
#   gomap_inline  Go's map replicated (examples/gomap.c, seed 003), n = 1e6:
#                 well-formed, the four lines, a peak marker within 5% of
#                 `memprof report --json`'s peak (about 460 MiB), the live
#                 and retained lines ending near the 293 MiB the program
#                 keeps, a bucket_retention marker; --by=stack names
#                 make_bucket_array in its legend;
#   gomap_small   the same map with n = 200,000: the peak and the marker;
#   healthy_freeall  frees everything: the same structure, no finding marker.
#
# Exit 77 (skipped) without python3.
find_package(Python3 COMPONENTS Interpreter)
set(MP_TIMELINE_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/timeline)
foreach(case gomap_inline gomap_small healthy_freeall)
  string(REGEX REPLACE "_(inline|small)$" "" prog ${case})
  add_test(NAME integration.timeline.${case}
           COMMAND bash ${MP_TIMELINE_IT_DIR}/timeline.sh ${case}
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:example_${prog}>
                   ${Python3_EXECUTABLE})
  set_tests_properties(integration.timeline.${case} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77
                       LABELS "integration;timeline")
endforeach()
