/*
 * test_unwind_dso — the small library test_unwind loads and unloads in a
 * loop. It has a TLS variable (so each dlopen/dlclose changes glibc's TLS
 * generation, which sends other TLS accesses through the DTV update path),
 * and its constructor and destructor capture a stack through the test
 * program's hook: a capture from a thread inside dlopen/dlclose, holding the
 * loader's lock.
 */
extern void test_unwind_dso_hook(void);

static __thread int dso_tls;

int test_unwind_dso_touch(void) { return ++dso_tls; }

__attribute__((constructor)) static void dso_init(void) { test_unwind_dso_hook(); }

__attribute__((destructor)) static void dso_fini(void) { test_unwind_dso_hook(); }
