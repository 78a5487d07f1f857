# real.<program>: programs nobody here wrote (python3, sqlite3, gcc, git,
# redis-server) and a threaded C++ program of ours, each run plain, under
# `memprof run` and under `memprof check`; the scripts are in tests/real/
# and tests/real/lib.sh says what they compare (output, exit status, every
# log decodes and reports, no false leak or retention finding). Unlike
# integration.real.* (the shim as the allocator, mode=off) these record
# everything. A program missing on the machine makes its test SKIPPED
# (exit 77), with the reason in the test's output.
set(MP_REAL_PROGRAMS_DIR ${PROJECT_SOURCE_DIR}/tests/real)

function(mp_real_program name script)
  add_test(NAME real.${name}
           COMMAND bash ${MP_REAL_PROGRAMS_DIR}/${script} $<TARGET_FILE:memprof_cli> ${ARGN})
  set_tests_properties(real.${name} PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 600
    LABELS "real")
endfunction()

mp_real_program(python3 python3.sh)
mp_real_program(sqlite3 sqlite3.sh)
mp_real_program(gcc gcc.sh)
mp_real_program(git git.sh)
mp_real_program(redis redis.sh)
mp_real_program(cxx_threads cxx_threads.sh $<TARGET_FILE:mp_real_cxx_threads>)
