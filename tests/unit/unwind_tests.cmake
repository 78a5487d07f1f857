# Stack capture (preload/record/unwind.h), once per backend.
#
# test_unwind links the shim's internals (mp_core), so it tests the backend
# the shim is built with (MP_UNWIND). The other backend is compiled straight
# into a second program from the same test source, so both are tested in
# every build: test_unwind_fp or test_unwind_libunwind.
#
# The tests compare captured frames with dladdr() of known functions, so the
# programs export their symbols (ENABLE_EXPORTS, -rdynamic), and they keep
# frame pointers and real calls (no sibling calls) so that the fp backend
# sees the whole chain a -> b -> c -> d. They define malloc and friends
# themselves (forwarding to glibc's __libc_* functions) to count the calls
# made while a capture runs. test_unwind_dso is the library a test loads and
# unloads in a loop while other threads capture.

add_library(test_unwind_dso MODULE test_unwind_dso.c)
# Frame pointers, so the fp backend can walk out of its constructor too.
target_compile_options(test_unwind_dso PRIVATE ${MP_WARNINGS} -fno-omit-frame-pointer
                                              -fno-optimize-sibling-calls)

set(MP_UNWIND_TEST_OPTIONS -fno-omit-frame-pointer -fno-optimize-sibling-calls
                           -fno-builtin-malloc -fno-builtin-calloc
                           -fno-builtin-realloc -fno-builtin-free)

function(mp_unwind_test_setup target backend)
  target_compile_options(${target} PRIVATE ${MP_UNWIND_TEST_OPTIONS})
  target_compile_definitions(${target} PRIVATE
    MP_TEST_BACKEND="${backend}"
    MP_TEST_DSO="$<TARGET_FILE:test_unwind_dso>")
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
  target_link_libraries(${target} PRIVATE ${CMAKE_DL_LIBS})
  add_dependencies(${target} test_unwind_dso)
  # A deadlock must fail the test, not hang ctest (the program also has its
  # own watchdog).
  set_tests_properties(unit.${target} PROPERTIES TIMEOUT 120)
endfunction()

mp_unit_test(test_unwind)
mp_unwind_test_setup(test_unwind ${MP_UNWIND})

foreach(backend libunwind fp)
  if(NOT backend STREQUAL MP_UNWIND)
    set(t test_unwind_${backend})
    add_executable(${t} test_unwind.c ${PROJECT_SOURCE_DIR}/preload/record/unwind_${backend}.c)
    target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/preload
                                            ${PROJECT_SOURCE_DIR}/preload/record)
    # As the shim compiles its sources (preload/CMakeLists.txt MP_SHIM_FLAGS).
    target_compile_options(${t} PRIVATE ${MP_WARNINGS} -ftls-model=initial-exec
                                        -fno-stack-protector)
    target_link_libraries(${t} PRIVATE mp_cunit_main Threads::Threads)
    if(backend STREQUAL "libunwind")
      if(NOT TARGET PkgConfig::LIBUNWIND) # imported in preload/, not visible here
        find_package(PkgConfig REQUIRED)
        pkg_check_modules(LIBUNWIND REQUIRED IMPORTED_TARGET libunwind)
      endif()
      target_link_libraries(${t} PRIVATE PkgConfig::LIBUNWIND)
    endif()
    add_test(NAME unit.${t} COMMAND ${t})
    mp_unwind_test_setup(${t} ${backend})
  endif()
endforeach()
