# The symbolizer (analyzer/symbolizer.h), on code built here for it.
#
# test_symbolizer dlopens small libraries built with -g, learns their load
# bias, build-id and PT_LOAD segments with dl_iterate_phdr exactly as the
# shim's MODULE record does (preload/record/modules.c), captures return
# addresses inside known functions, and checks what they resolve to:
#   test_symbolizer_lib       C: a plain call, an always_inline call, a
#                             static function; lines marked "@NAME" in the
#                             source, which the test reads to know them
#   test_symbolizer_cxx       C++: a method in a namespace, to demangle
#   test_symbolizer_stripped  the C library again, its debug info split
#                             into symtest-debug/test_symbolizer_stripped.debug
#                             (objcopy --only-keep-debug), then stripped of
#                             .symtab and DWARF and given a .gnu_debuglink;
#                             the test copies the .debug file into temporary
#                             debug directories (by name, and under
#                             .build-id/xx/yyyy.debug)
#   test_symbolizer_noid      the same split, of a build without a build-id
#                             note: its debug file is checked by the
#                             debuglink's CRC-32 instead
# The functions must stay real calls and keep their own frames: noipa in
# the sources, no sibling calls here.
set(MP_SYMTEST_FLAGS -g -O2 -fno-optimize-sibling-calls -fno-omit-frame-pointer)
set(MP_SYMTEST_DEBUG_DIR ${CMAKE_CURRENT_BINARY_DIR}/symtest-debug)

add_library(test_symbolizer_lib MODULE test_symbolizer_lib.c)
add_library(test_symbolizer_stripped MODULE test_symbolizer_lib.c)
add_library(test_symbolizer_cxx MODULE test_symbolizer_cxx.cpp)
add_library(test_symbolizer_noid MODULE test_symbolizer_lib.c)
target_link_options(test_symbolizer_noid PRIVATE -Wl,--build-id=none)
foreach(t test_symbolizer_lib test_symbolizer_stripped test_symbolizer_cxx test_symbolizer_noid)
  # MP_WARNINGS carries the C-only -Wstrict-prototypes; g++ would warn about it.
  set(opts ${MP_WARNINGS})
  if(t STREQUAL "test_symbolizer_cxx")
    list(REMOVE_ITEM opts -Wstrict-prototypes)
  endif()
  target_compile_options(${t} PRIVATE ${opts} ${MP_SYMTEST_FLAGS})
endforeach()

foreach(t test_symbolizer_stripped test_symbolizer_noid)
  add_custom_command(TARGET ${t} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MP_SYMTEST_DEBUG_DIR}
    COMMAND ${CMAKE_OBJCOPY} --only-keep-debug $<TARGET_FILE:${t}>
            ${MP_SYMTEST_DEBUG_DIR}/${t}.debug
    COMMAND ${CMAKE_OBJCOPY} --strip-all $<TARGET_FILE:${t}>
    COMMAND ${CMAKE_OBJCOPY} --add-gnu-debuglink=${MP_SYMTEST_DEBUG_DIR}/${t}.debug
            $<TARGET_FILE:${t}>
    COMMENT "Splitting the debug info of ${t}"
    VERBATIM)
endforeach()

mp_unit_test(test_symbolizer)
target_compile_options(test_symbolizer PRIVATE ${MP_SYMTEST_FLAGS})
target_link_libraries(test_symbolizer PRIVATE mp_analyzer ${CMAKE_DL_LIBS})
target_compile_definitions(test_symbolizer PRIVATE
  SYMTEST_LIB="$<TARGET_FILE:test_symbolizer_lib>"
  SYMTEST_CXX="$<TARGET_FILE:test_symbolizer_cxx>"
  SYMTEST_STRIPPED="$<TARGET_FILE:test_symbolizer_stripped>"
  SYMTEST_STRIPPED_DEBUG="${MP_SYMTEST_DEBUG_DIR}/test_symbolizer_stripped.debug"
  SYMTEST_NOID="$<TARGET_FILE:test_symbolizer_noid>"
  SYMTEST_NOID_DEBUG="${MP_SYMTEST_DEBUG_DIR}/test_symbolizer_noid.debug"
  SYMTEST_LIB_SRC="${CMAKE_CURRENT_SOURCE_DIR}/test_symbolizer_lib.c"
  SYMTEST_CXX_SRC="${CMAKE_CURRENT_SOURCE_DIR}/test_symbolizer_cxx.cpp"
  SYMTEST_SELF_SRC="${CMAKE_CURRENT_SOURCE_DIR}/test_symbolizer.c")
add_dependencies(test_symbolizer test_symbolizer_lib test_symbolizer_stripped
                 test_symbolizer_cxx test_symbolizer_noid)
set_tests_properties(unit.test_symbolizer PROPERTIES TIMEOUT 60)
