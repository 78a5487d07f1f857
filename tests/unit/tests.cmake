# Suites for the shim's internal modules, linked against mp_core (the
# test's own malloc stays glibc's; the modules are exercised directly).
mp_unit_test(test_sizeclasses)
mp_unit_test(test_pageheap)
mp_unit_test(test_options)
mp_unit_test(test_diag)
mp_unit_test(test_hollow)
