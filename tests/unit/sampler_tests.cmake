# The sampler of sampled mode (preload/record/sampler.h), linked against the
# shim's internals (mp_core). libm is the reference the sampler's own
# libm-free math is checked against; the shim itself does not link it.
mp_unit_test(test_sampler)
target_link_libraries(test_sampler PRIVATE m)
# About 5 s on one core (3·10⁸ simulated allocations for the 5% / 6σ check);
# leave room for a loaded machine.
set_tests_properties(unit.test_sampler PROPERTIES TIMEOUT 120)
