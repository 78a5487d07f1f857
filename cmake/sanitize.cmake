# Sanitizer builds (docs/hardening.md).
#
# MP_SANITIZE=address,undefined (any -fsanitize= list) instruments what runs
# as an ordinary program: the log format library, the analyzer, the memprof
# command, the unit tests and the fuzz targets' replay drivers. Every report
# is fatal (-fno-sanitize-recover=all), so a test that triggers one fails.
#
# The shim cannot carry ASan: it is preloaded into programs that do not
# have the ASan runtime, and it *is* their malloc, which ASan also wants
# to be. So with MP_SANITIZE the shim (libmemprof.so, and the unit tests
# linked against it) is built from its own copy of the objects, with UBSan
# in trap mode when `undefined` is asked for: a check that fails executes
# an illegal instruction, which needs no runtime library. The unit tests of
# the shim's modules (linked to mp_core, run with the process's own malloc)
# get the full sanitizers.
#
# MP_FUZZ=ON (clang) adds libFuzzer's coverage instrumentation to the same
# targets and builds fuzz/'s libFuzzer executables.

if(MP_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "MP_FUZZ=ON needs clang (libFuzzer): configure a separate build "
                        "directory with CC=clang CXX=clang++ (fuzz/run.sh does)")
  endif()
  if(NOT MP_SANITIZE)
    set(MP_SANITIZE address,undefined)
  endif()
endif()

# mp_sanitize(TARGET): MP_SANITIZE's sanitizers on a target outside the shim.
# Libraries pass the link flag on to whatever links them.
function(mp_sanitize target)
  if(NOT MP_SANITIZE)
    return()
  endif()
  set(flags -fsanitize=${MP_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(MP_FUZZ)
    list(APPEND flags -fsanitize=fuzzer-no-link)
  endif()
  target_compile_options(${target} PRIVATE ${flags})
  get_target_property(type ${target} TYPE)
  if(type MATCHES "LIBRARY")
    target_link_options(${target} INTERFACE -fsanitize=${MP_SANITIZE})
  else()
    target_link_options(${target} PRIVATE -fsanitize=${MP_SANITIZE})
  endif()
endfunction()

# mp_sanitize_shim(TARGET): what the preloaded shim can carry — UBSan that
# traps, without a runtime — when MP_SANITIZE names `undefined`.
function(mp_sanitize_shim target)
  if(NOT MP_SANITIZE MATCHES "undefined")
    return()
  endif()
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -fsanitize=undefined -fsanitize-trap=undefined)
  else()
    target_compile_options(${target} PRIVATE -fsanitize=undefined
                                             -fsanitize-undefined-trap-on-error)
  endif()
endfunction()
