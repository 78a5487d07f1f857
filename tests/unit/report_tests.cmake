# memprof report (analyzer/report.h, cli/report_view.h): one program,
# test_report, of two files — test_report.c (the model's lists, findings,
# stacks with shim frames dropped and modules as they were mapped, sampled
# estimates, the views' depth, escaping and units) and test_report_damage.c
# (every cut and every flipped byte of a small log) — on synthetic logs
# from test_replay_util.c. The views live in cli/, so their sources are
# compiled in here; mp_unit_test also links mp_core, which they do not use.
mp_unit_test(test_report SOURCES
  test_report.c
  test_report_damage.c
  test_replay_util.c
  ${PROJECT_SOURCE_DIR}/cli/report_text.c
  ${PROJECT_SOURCE_DIR}/cli/report_json.c
  ${PROJECT_SOURCE_DIR}/cli/json_str.c
  ${PROJECT_SOURCE_DIR}/cli/report_dir.c
  ${PROJECT_SOURCE_DIR}/cli/shell_word.c
  ${PROJECT_SOURCE_DIR}/cli/signame.c)
target_include_directories(test_report PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(test_report PRIVATE mp_analyzer)
set_tests_properties(unit.test_report PROPERTIES TIMEOUT 120 ENVIRONMENT "TZ=UTC")
