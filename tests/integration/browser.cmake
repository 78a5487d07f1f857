# integration.browser.flame and .report: the interactive views in headless
# Chromium (Debian's chromium, which scripts/deps.sh installs), driven over
# the DevTools protocol by tests/browser/cdp.py (Python's standard library
# only). flame: click-to-zoom fills the width, Reset zoom, Search paints
# the matches and shows their share, the diff's colours, all checked on
# the DOM and on screenshot pixels. report: the HTML page's sections
# render and its inlined flame graph zooms and searches. Screenshots stay
# in build/tests/integration/browser-shots/. Skipped (exit 77, with the
# reason) without python3 or a Chromium that starts.
find_package(Python3 COMPONENTS Interpreter)
foreach(what flame report)
  add_test(NAME integration.browser.${what}
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/browser/browser.sh
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_flame_chains>
                   $<TARGET_FILE:mp_flamediff_grow> "${Python3_EXECUTABLE}" ${what})
  set_tests_properties(integration.browser.${what} PROPERTIES
                       TIMEOUT 60 SKIP_RETURN_CODE 77 LABELS "integration;browser")
endforeach()
