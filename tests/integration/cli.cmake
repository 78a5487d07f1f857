# Integration tests of the memprof command (cli/) and the bundled example.
# Each test is a bash script in cli/ that takes the memprof binary and the
# shim as its first two arguments (see cli/lib.sh), then its own.
set(MP_CLI_TESTS ${CMAKE_CURRENT_LIST_DIR}/cli)

function(mp_cli_test name)
  add_test(NAME integration.cli.${name}
           COMMAND bash ${MP_CLI_TESTS}/${name}.sh
                   $<TARGET_FILE:memprof_cli> $<TARGET_FILE:memprof> ${ARGN})
  set_tests_properties(integration.cli.${name} PROPERTIES
                       TIMEOUT 120 SKIP_RETURN_CODE 77 LABELS "integration;cli")
endfunction()

mp_cli_test(exit_status)
mp_cli_test(signal)
mp_cli_test(forward)
mp_cli_test(not_found)
mp_cli_test(usage)
mp_cli_test(help ${PROJECT_VERSION})
mp_cli_test(preload)
mp_cli_test(options)
mp_cli_test(shim_override)
mp_cli_test(example $<TARGET_FILE:example_churn>)
mp_cli_test(output)
mp_cli_test(summary $<TARGET_FILE:example_churn>)
mp_cli_test(depth)
mp_cli_test(fork)
# Installs the whole build into a temporary prefix; cmake --install writes
# install_manifest.txt into the build tree, so never run two at once.
mp_cli_test(install ${CMAKE_COMMAND} ${CMAKE_BINARY_DIR})
set_tests_properties(integration.cli.install PROPERTIES RUN_SERIAL TRUE)
