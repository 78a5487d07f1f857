# integration.reporthtml: `memprof report --html` on a real program whose
# function names and command line hold markup (reporthtml/hostile.cpp:
# grab<script>, grab<img>; arguments with </script><script> and a quote
# that would end an attribute). reporthtml/check.py reads the page as XML
# and as an HTML tokenizer sees it: well-formed, its sections, the inline
# timeline and flame graph, the findings, nothing injected, nothing
# external. Also -o, -o -, the default name and the usage errors.
# Exit 77 without python3.
find_package(Python3 COMPONENTS Interpreter)
set(MP_REPORTHTML_DIR ${CMAKE_CURRENT_LIST_DIR}/reporthtml)
add_executable(mp_reporthtml_hostile ${MP_REPORTHTML_DIR}/hostile.cpp)
target_compile_options(mp_reporthtml_hostile PRIVATE -g -O0 -fno-inline)
set_target_properties(mp_reporthtml_hostile PROPERTIES
  OUTPUT_NAME hostile RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/reporthtml)
add_test(NAME integration.reporthtml.hostile
         COMMAND bash ${MP_REPORTHTML_DIR}/reporthtml.sh
                 $<TARGET_FILE:memprof_cli> $<TARGET_FILE:mp_reporthtml_hostile>
                 ${Python3_EXECUTABLE})
set_tests_properties(integration.reporthtml.hostile PROPERTIES
                     TIMEOUT 60 SKIP_RETURN_CODE 77 LABELS "integration;report")
