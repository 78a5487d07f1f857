# Contract tests of the shim's malloc API, run with libmemprof.so as the test
# program's allocator (SHIM): the C API (sizes, alignment, errno, realloc,
# calloc), C++ new/delete, exact heap counters and page release, invalid and
# double frees, threads and fork.
#
# The stats API is looked up at run time with dlsym (test_api_common.c), so
# these programs link whatever state the shim is in; without the shim the
# tests that need the counters fail with "shim not active".

set(MP_API_TESTS
  test_api_malloc
  test_api_stats
  test_api_badfree
  test_api_cxx
  test_threads
  test_fork
)

mp_unit_test(test_api_malloc  SOURCES test_api_malloc.c  test_api_common.c SHIM)
mp_unit_test(test_api_stats   SOURCES test_api_stats.c   test_api_common.c SHIM)
mp_unit_test(test_api_badfree SOURCES test_api_badfree.c test_api_common.c SHIM)
mp_unit_test(test_api_cxx     SOURCES test_api_cxx.cpp   test_api_common.c SHIM)
mp_unit_test(test_threads     SOURCES test_threads.c     test_api_common.c SHIM)
mp_unit_test(test_fork        SOURCES test_fork.c        test_api_common.c SHIM)

foreach(t ${MP_API_TESTS})
  # The tests call the allocator for its effects; keep the compiler from
  # folding or eliding those calls.
  target_compile_options(${t} PRIVATE -fno-builtin-malloc -fno-builtin-calloc
                                      -fno-builtin-realloc -fno-builtin-free)
  target_link_libraries(${t} PRIVATE ${CMAKE_DL_LIBS})
  # A deadlocked allocator must fail the test, not hang ctest.
  set_tests_properties(unit.${t} PROPERTIES TIMEOUT 120)
endforeach()

# MP_WARNINGS carries the C-only -Wstrict-prototypes; g++ would warn about it.
get_target_property(mp_api_cxx_opts test_api_cxx COMPILE_OPTIONS)
list(REMOVE_ITEM mp_api_cxx_opts -Wstrict-prototypes)
set_target_properties(test_api_cxx PROPERTIES COMPILE_OPTIONS "${mp_api_cxx_opts}")
