# The replay (analyzer/replay.h, docs/analysis.md): one program, test_replay,
# of several files (test_replay.c lists them), on synthetic logs written with
# the real encoder and chunk writer (test_replay_util.c); and
# test_replay_memory, a program of its own because it measures its process's
# peak RSS while replaying 10^7 events. mp_unit_test also links mp_core,
# which they do not use.
mp_unit_test(test_replay SOURCES
  test_replay.c
  test_replay_util.c
  test_replay_order.c
  test_replay_models.c
  test_replay_damage.c
  test_replay_parts.c)
target_link_libraries(test_replay PRIVATE mp_analyzer)
set_tests_properties(unit.test_replay PROPERTIES TIMEOUT 120)

mp_unit_test(test_replay_memory SOURCES
  test_replay_memory.c
  test_replay_util.c)
target_link_libraries(test_replay_memory PRIVATE mp_analyzer)
set_tests_properties(unit.test_replay_memory PROPERTIES TIMEOUT 300)
