# integration.secure.*: the shim's security stance (docs/security.md).
#   setuid  the shim is inert in setuid and setgid programs (AT_SECURE): no
#           recording, no log, no message, no thread; a plain allocator.
#           Needs root (a copy setuid to nobody, run as daemon): SKIPPED
#           otherwise, with the reason.
#   logs    the shim's own log creation: O_EXCL|O_NOFOLLOW, mode 0600 under
#           umask 000, a planted symlink or file never followed nor
#           overwritten, a symlinked directory, nothing created elsewhere.
#   hostile_paths  module paths a log names are opened only if regular files
#           (a FIFO used to block memprof report for ever).
#   reveal  the raw records of a log hold the command line and paths, but
#           none of the heap's contents (hollow scan included) and not the
#           environment.
# secure_prog links libmemprof.so (absolute build-tree RPATH), so the shim is
# its malloc even where LD_PRELOAD is ignored.
set(MP_SECURE_DIR ${CMAKE_CURRENT_LIST_DIR}/secure)
add_executable(mp_secure_prog ${MP_SECURE_DIR}/secure_prog.c)
target_compile_options(mp_secure_prog PRIVATE ${MP_WARNINGS})
target_include_directories(mp_secure_prog PRIVATE ${PROJECT_SOURCE_DIR}/preload)
target_link_libraries(mp_secure_prog PRIVATE memprof)
set_target_properties(mp_secure_prog PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/secure)
foreach(case setuid logs hostile_paths reveal)
  add_test(NAME integration.secure.${case}
           COMMAND bash ${MP_SECURE_DIR}/${case}.sh $<TARGET_FILE:memprof_cli>
                   $<TARGET_FILE:mp_secure_prog>)
  set_tests_properties(integration.secure.${case} PROPERTIES
    SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS "integration;secure")
endforeach()
