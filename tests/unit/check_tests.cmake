# memprof check's suppression rules (cli/check_suppress.h): the matcher,
# the parser's messages, and the built-in rules' scope. The module lives
# in cli/, so its source is compiled in; it uses the symbolizer's frame
# type only.
mp_unit_test(test_check SOURCES
  test_check.c
  ${PROJECT_SOURCE_DIR}/cli/check_suppress.c)
target_include_directories(test_check PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_check PRIVATE mp_analyzer)
