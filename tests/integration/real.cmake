# integration.real.<program>: real programs run plain and with libmemprof.so
# preloaded (MEMPROF_OPTIONS=mode=off:stats=1); each test asserts identical
# stdout, stderr (minus the shim's "memprof:" lines) and exit status, and
# that the shim really was the allocator (it printed its counters at exit).
# The scripts are in real/; real/lib.sh is the shared driver and explains the
# checks. A program missing on the machine makes its test exit 77: SKIPPED.

set(MP_REAL_DIR ${CMAKE_CURRENT_LIST_DIR}/real)

# A threaded C++ workload of our own (std::thread, containers, shared_ptr
# handed between threads, exceptions). -Wstrict-prototypes is C-only; g++
# would warn about it on every compile.
set(MP_REAL_CXX_WARNINGS ${MP_WARNINGS})
list(REMOVE_ITEM MP_REAL_CXX_WARNINGS -Wstrict-prototypes)
add_executable(mp_real_cxx_threads ${MP_REAL_DIR}/cxx_threads.cpp)
target_compile_options(mp_real_cxx_threads PRIVATE ${MP_REAL_CXX_WARNINGS})
target_link_libraries(mp_real_cxx_threads PRIVATE Threads::Threads)
set_target_properties(mp_real_cxx_threads PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/integration/real)

# mp_real_test(NAME SCRIPT [ARGS...]): integration.real.NAME runs
# real/SCRIPT <shim> ARGS...
function(mp_real_test name script)
  add_test(NAME integration.real.${name}
           COMMAND bash ${MP_REAL_DIR}/${script} $<TARGET_FILE:memprof> ${ARGN})
  set_tests_properties(integration.real.${name} PROPERTIES
    SKIP_RETURN_CODE 77
    TIMEOUT 180
    LABELS "integration;real")
endfunction()

mp_real_test(python3 python3.sh)
mp_real_test(python3_malloc python3.sh --pythonmalloc=malloc)
mp_real_test(sqlite3 sqlite3.sh)
mp_real_test(git git.sh)
mp_real_test(cxx_threads cxx_threads.sh $<TARGET_FILE:mp_real_cxx_threads>)
