# integration.leakkinds.<case>: the leak scan at exit (preload/record/
# leakscan.h) against valgrind memcheck. Each program of leakkinds/ makes
# one kind of leak (definite, indirect, possible, reachable, in a thread
# that exited, held by a live thread's stack or register, in a dlopen'd
# library); leakkinds/compare.py checks memprof's blocks and bytes per
# kind against the figures the program states, then against memcheck's
# loss records (SKIP, exit 77, when valgrind is missing).
set(MP_LK_DIR ${CMAKE_CURRENT_LIST_DIR}/leakkinds)
set(MP_LK_BIN ${CMAKE_BINARY_DIR}/tests/integration/leakkinds)

find_package(Threads REQUIRED)
find_package(Python3 COMPONENTS Interpreter)
set(MP_LK_PROGRAMS definite indirect possible reachable thread_exited thread_live dlopen overflow)
foreach(prog ${MP_LK_PROGRAMS})
  add_executable(mp_lk_${prog} ${MP_LK_DIR}/${prog}.c)
  set_target_properties(mp_lk_${prog} PROPERTIES
    OUTPUT_NAME ${prog} RUNTIME_OUTPUT_DIRECTORY ${MP_LK_BIN})
  target_compile_options(mp_lk_${prog} PRIVATE ${MP_WARNINGS}
    -g -O0 -fno-omit-frame-pointer -fno-inline)
  target_link_libraries(mp_lk_${prog} PRIVATE Threads::Threads ${CMAKE_DL_LIBS})
endforeach()
add_library(mp_lk_leaky SHARED ${MP_LK_DIR}/libleaky.c)
set_target_properties(mp_lk_leaky PROPERTIES
  OUTPUT_NAME leaky LIBRARY_OUTPUT_DIRECTORY ${MP_LK_BIN})
target_compile_options(mp_lk_leaky PRIVATE ${MP_WARNINGS} -g -O0 -fno-omit-frame-pointer -fno-inline)

foreach(prog ${MP_LK_PROGRAMS})
  set(args $<TARGET_FILE:mp_lk_${prog}>)
  if(prog STREQUAL "dlopen")
    list(APPEND args $<TARGET_FILE:mp_lk_leaky>)
  endif()
  add_test(NAME integration.leakkinds.${prog}
           COMMAND ${Python3_EXECUTABLE} ${MP_LK_DIR}/compare.py
                   $<TARGET_FILE:memprof_cli> ${MP_LK_BIN} ${args})
  set_tests_properties(integration.leakkinds.${prog} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;leakkinds")
endforeach()

# memprof check and the kinds: --kinds, the text, the summary, the JSON,
# logs without the scan.
add_test(NAME integration.leakkinds.check
         COMMAND bash ${MP_LK_DIR}/check_kinds.sh $<TARGET_FILE:memprof_cli> ${MP_LK_BIN}
                 ${Python3_EXECUTABLE})
set_tests_properties(integration.leakkinds.check PROPERTIES
                     TIMEOUT 180 LABELS "integration;leakkinds")
