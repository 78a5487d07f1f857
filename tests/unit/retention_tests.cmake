# The retention detectors (analyzer/retention.h, docs/retention.md):
# test_retention, on synthetic logs written with the real encoder and chunk
# writer (test_replay_util.c). mp_unit_test also links mp_core, which it
# does not use.
mp_unit_test(test_retention SOURCES
  test_retention.c
  test_replay_util.c)
target_link_libraries(test_retention PRIVATE mp_analyzer)
set_tests_properties(unit.test_retention PROPERTIES TIMEOUT 120)
