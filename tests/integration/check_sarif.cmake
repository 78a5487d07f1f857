# integration.check.sarif / integration.check.junit_schema: the files
# `memprof check --sarif` and `--junit` write, for check/'s programs
# (check.cmake builds them), validated against the official schemas kept
# in tests/schemas (README there: where they come from) — SARIF 2.1.0 with
# python3-jsonschema, JUnit with xmllint and Jenkins' JUnit XSD — and
# checked for what they say: rule, level, message, source line, stack.
set(MP_SCHEMA_DIR ${PROJECT_SOURCE_DIR}/tests/schemas)
find_package(Python3 COMPONENTS Interpreter)
foreach(what sarif junit_schema)
  add_test(NAME integration.check.${what}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/check_sarif/sarif.sh ${what}
                   $<TARGET_FILE:memprof_cli> ${MP_CHECK_IT_BIN} ${MP_CHECK_IT_DIR}
                   ${MP_SCHEMA_DIR} ${Python3_EXECUTABLE})
  set_tests_properties(integration.check.${what} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;check")
endforeach()
