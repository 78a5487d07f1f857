# integration.replay.<what>: the replay (analyzer/replay.h) on a real log.
# replay/replay_prog.c runs with libmemprof.so preloaded in full mode;
# replay/replay_dump.c (mp_replay_dump) replays its log and prints the
# summary, per-range and per-site aggregates; replay/replay.sh checks them
# against what the program deliberately did (leaks, temporaries, peak,
# reallocs) and replays a copy cut inside its last chunk. The program uses
# record/rec_prog.h for its functions' address ranges.
set(MP_REPLAY_IT_DIR ${CMAKE_CURRENT_LIST_DIR}/replay)
set(MP_REPLAY_IT_BIN ${CMAKE_BINARY_DIR}/tests/integration/replay)

add_executable(mp_replay_dump ${MP_REPLAY_IT_DIR}/replay_dump.c)
target_compile_options(mp_replay_dump PRIVATE ${MP_WARNINGS})
target_link_libraries(mp_replay_dump PRIVATE mp_analyzer)
set_target_properties(mp_replay_dump PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${MP_REPLAY_IT_BIN})

add_executable(mp_replay_prog ${MP_REPLAY_IT_DIR}/replay_prog.c)
target_compile_options(mp_replay_prog PRIVATE ${MP_WARNINGS} -fno-omit-frame-pointer)
target_include_directories(mp_replay_prog PRIVATE ${CMAKE_CURRENT_LIST_DIR}/record)
set_target_properties(mp_replay_prog PROPERTIES
  OUTPUT_NAME replay_prog RUNTIME_OUTPUT_DIRECTORY ${MP_REPLAY_IT_BIN})

add_test(NAME integration.replay.real_log
         COMMAND bash ${MP_REPLAY_IT_DIR}/replay.sh
                 $<TARGET_FILE:memprof> $<TARGET_FILE:mp_replay_dump> ${MP_REPLAY_IT_BIN})
set_tests_properties(integration.replay.real_log PROPERTIES
  TIMEOUT 120
  LABELS "integration;replay")
