/*
 * test_unwind — stack capture (preload/record/unwind.h), for whichever
 * backend this program was built with (MP_TEST_BACKEND; see
 * unwind_tests.cmake).
 *
 * The program defines malloc and friends itself, forwarding to glibc's
 * __libc_* functions: a program's own definitions interpose for the whole
 * process, libunwind and the loader included. While the thread-local
 * `counting` flag is set they count calls, which is how the tests show that
 * a capture does not allocate.
 */
#define _GNU_SOURCE
#include "cunit_main.h"
#include "unwind.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- counting allocator ------------------------------------------------ */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static __thread int counting;
static unsigned long n_alloc_calls; /* atomic; calls made while counting */
static unsigned long n_free_calls;  /* atomic; frees (not NULL) while counting */

static inline void count(void)
{
    if (counting)
        __atomic_fetch_add(&n_alloc_calls, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
    count();
    return __libc_malloc(n);
}

void *calloc(size_t k, size_t n)
{
    count();
    return __libc_calloc(k, n);
}

void *realloc(void *p, size_t n)
{
    count();
    return __libc_realloc(p, n);
}

void free(void *p)
{
    if (p && counting)
        __atomic_fetch_add(&n_free_calls, 1, __ATOMIC_RELAXED);
    __libc_free(p);
}

void *memalign(size_t a, size_t n)
{
    count();
    return __libc_memalign(a, n);
}

void *aligned_alloc(size_t a, size_t n)
{
    count();
    return __libc_memalign(a, n);
}

int posix_memalign(void **out, size_t a, size_t n)
{
    count();
    void *p = __libc_memalign(a, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}

/* Allocating calls (malloc, calloc, realloc, memalign...) and frees made
 * while counting, by any thread. */
static unsigned long alloc_calls(void) { return __atomic_load_n(&n_alloc_calls, __ATOMIC_RELAXED); }
static unsigned long free_calls(void) { return __atomic_load_n(&n_free_calls, __ATOMIC_RELAXED); }

/* Captures with the counter on; returns the frames stored and adds the
 * allocator calls (allocating and freeing) made meanwhile to *calls and
 * *frees. */
static size_t counted_capture(void **f, size_t max, size_t skip, unsigned long *calls,
                              unsigned long *frees)
{
    unsigned long before = alloc_calls(), before_free = free_calls();
    counting = 1;
    size_t n = mp_unwind_capture(f, max, skip);
    counting = 0;
    __atomic_fetch_add(calls, alloc_calls() - before, __ATOMIC_RELAXED);
    __atomic_fetch_add(frees, free_calls() - before_free, __ATOMIC_RELAXED);
    return n;
}

/* ---- a known call chain -------------------------------------------------- */

volatile int sink; /* a use after each call: no tail calls */

/* Exported (ENABLE_EXPORTS) so dladdr names them. */
__attribute__((noinline, noclone)) size_t chain_d(void **f, size_t max, size_t skip)
{
    size_t n = mp_unwind_capture(f, max, skip);
    sink++;
    return n;
}

__attribute__((noinline, noclone)) size_t chain_c(void **f, size_t max, size_t skip)
{
    size_t n = chain_d(f, max, skip);
    sink++;
    return n;
}

__attribute__((noinline, noclone)) size_t chain_b(void **f, size_t max, size_t skip)
{
    size_t n = chain_c(f, max, skip);
    sink++;
    return n;
}

__attribute__((noinline, noclone)) size_t chain_a(void **f, size_t max, size_t skip)
{
    size_t n = chain_b(f, max, skip);
    sink++;
    return n;
}

/* The function a return address lies in, by dladdr (NULL if unknown). A
 * return address can equal the end of its function only after a call that
 * never returns, which none here is. */
static uintptr_t func_of(void *ra)
{
    Dl_info info;
    if (!dladdr(ra, &info) || !info.dli_saddr)
        return 0;
    return (uintptr_t)info.dli_saddr;
}

/* A function's address as an integer (ISO C has no function-to-object
 * pointer conversion). */
#define FN(f) ((uintptr_t)(f))

/* The chain through one call site: the compiler may duplicate a call in a
 * test (loop peeling, unswitching), which changes the return address in the
 * test function; frames 0..4 (d, c, b, a, one_site) never change. */
__attribute__((noinline, noclone)) size_t one_site(void **f, size_t max, size_t skip)
{
    size_t n = chain_a(f, max, skip);
    sink++;
    return n;
}

static int exact_backend(void) { return strcmp(MP_TEST_BACKEND, "fp") != 0; }

/* Whether two captures through one_site() show the same stack: frames 0..4
 * equal, frame 5 in the same function (maybe another call site). A DWARF
 * unwinder is exact all the way up, so the rest must match too. The fp
 * backend is exact only through functions that keep frame pointers; past
 * them (CUnit, libc) it follows whatever %rbp held and may read stack
 * contents that change between captures, so nothing above frame 4 counts. */
static int same_stack(void *const *a, size_t na, void *const *b, size_t nb)
{
    if (na < 5 || nb < 5 || memcmp(a, b, 5 * sizeof *a) != 0)
        return 0;
    if (!exact_backend())
        return 1;
    if (na != nb)
        return 0;
    if (na > 5 && func_of(a[5]) != func_of(b[5]))
        return 0;
    return na <= 6 || memcmp(a + 6, b + 6, (na - 6) * sizeof *a) == 0;
}

static void captures_chain_innermost_first(void)
{
    void *f[32];
    size_t n = chain_a(f, 32, 0);
    CU_ASSERT_FATAL(n >= 4);
    CU_ASSERT_EQUAL(func_of(f[0]), FN(chain_d));
    CU_ASSERT_EQUAL(func_of(f[1]), FN(chain_c));
    CU_ASSERT_EQUAL(func_of(f[2]), FN(chain_b));
    CU_ASSERT_EQUAL(func_of(f[3]), FN(chain_a));
    /* Return addresses, not call sites: just past a call instruction (e8
     * rel32 here: the byte 5 before is the opcode). */
    const unsigned char *ra = f[0];
    CU_ASSERT_EQUAL(ra[-5], 0xe8);
}

static void skip_drops_exactly_that_many(void)
{
    void *f[5][32];
    size_t n[5];
    for (size_t skip = 0; skip < 5; skip++)
        n[skip] = one_site(f[skip], 32, skip);
    CU_ASSERT_FATAL(n[0] >= 5 && n[0] < 32);
    for (size_t skip = 1; skip < 5; skip++) {
        if (exact_backend())
            CU_ASSERT_EQUAL(n[skip], n[0] - skip);
        CU_ASSERT_FATAL(n[skip] + skip >= 5);
        /* The frames both captures saw through one_site. */
        for (size_t i = 0; i + skip < 5; i++)
            CU_ASSERT_PTR_EQUAL(f[skip][i], f[0][i + skip]);
    }
    CU_ASSERT_EQUAL(func_of(f[2][0]), FN(chain_b));
    CU_ASSERT_EQUAL(func_of(f[4][0]), FN(one_site));
}

static void max_is_respected(void)
{
    void *f[8][34];
    size_t n[8];
    for (size_t max = 0; max < 8; max++) {
        for (size_t i = 0; i < 34; i++)
            f[max][i] = (void *)(uintptr_t)0x5a5a;
        n[max] = one_site(f[max], max == 7 ? 32 : max, 0);
    }
    CU_ASSERT_FATAL(n[7] >= 5);
    for (size_t max = 0; max < 7; max++) {
        CU_ASSERT_EQUAL(n[max], max);
        for (size_t i = 0; i < n[max] && i < 5; i++)
            CU_ASSERT_PTR_EQUAL(f[max][i], f[7][i]);
        for (size_t i = n[max]; i < 34; i++)
            CU_ASSERT_PTR_EQUAL(f[max][i], (void *)(uintptr_t)0x5a5a);
    }
    /* skip past the whole stack: nothing, and nothing written. */
    void *g[4] = {(void *)1, (void *)1, (void *)1, (void *)1};
    CU_ASSERT_EQUAL(one_site(g, 4, 1000), 0);
    CU_ASSERT_PTR_EQUAL(g[0], (void *)1);
}

/* ---- no allocation -------------------------------------------------------- */

static void warm_capture_never_allocates(void)
{
    void *ref[64];
    void *f[64];
    size_t n0 = one_site(ref, 64, 0); /* warm: every frame seen once */
    unsigned long before = alloc_calls(), before_free = free_calls();
    int differ = 0;
    for (int i = 0; i < 2000; i++) {
        counting = 1;
        size_t n = one_site(f, 64, 0);
        counting = 0;
        differ += !same_stack(f, n, ref, n0);
    }
    CU_ASSERT_EQUAL(differ, 0);
    unsigned long calls = alloc_calls() - before, frees = free_calls() - before_free;
    CU_ASSERT_EQUAL(calls, 0);
    CU_ASSERT_EQUAL(frees, 0);
}

/* A new thread's first captures are cold: libunwind builds the thread's
 * cache and parses every frame. libunwind is dlopen'd (RTLD_LOCAL, see
 * unwind_libunwind.c), so its thread-local variables are dynamic TLS:
 * glibc allocates the thread's block on the first access, with malloc (at
 * most the block and a grown DTV). Nothing else allocates, and once the
 * block exists no capture does (see docs/unwind.md). */
static unsigned long first_capture_calls;

static void *cold_thread(void *arg)
{
    unsigned long *calls = arg;
    void *f[64];
    unsigned long before = alloc_calls(), before_free = free_calls();
    counting = 1;
    size_t n = chain_a(f, 64, 0);
    counting = 0;
    first_capture_calls = alloc_calls() - before;
    before = alloc_calls();
    before_free = free_calls();
    counting = 1;
    n += chain_a(f, 64, 0);
    counting = 0;
    *calls = alloc_calls() - before + free_calls() - before_free;
    return (void *)(uintptr_t)n;
}

static void cold_capture_in_new_thread_does_not_allocate(void)
{
    pthread_t t;
    unsigned long calls = 99;
    void *ret;
    CU_ASSERT_FATAL(pthread_create(&t, NULL, cold_thread, &calls) == 0);
    pthread_join(t, &ret);
    CU_ASSERT((uintptr_t)ret >= 8);
    CU_ASSERT(first_capture_calls <= 2); /* the dynamic TLS block, a DTV */
    CU_ASSERT_EQUAL(calls, 0);
}

/* ---- threads -------------------------------------------------------------- */

#define N_THREADS 4
#define N_CAPTURES 5000

struct thread_result {
    size_t depth;
    int mismatches;
    unsigned long calls;
};

static void *capture_loop(void *arg)
{
    struct thread_result *r = arg;
    void *ref[64];
    void *f[64];
    r->depth = one_site(ref, 64, 0);
    for (int i = 0; i < N_CAPTURES; i++) {
        counting = 1;
        size_t n = one_site(f, 64, 0);
        counting = 0;
        if (!same_stack(f, n, ref, r->depth))
            r->mismatches++;
    }
    return NULL;
}

static void threads_capture_concurrently(void)
{
    pthread_t t[N_THREADS];
    struct thread_result r[N_THREADS];
    memset(r, 0, sizeof r);
    unsigned long before = alloc_calls(), before_free = free_calls();
    for (int i = 0; i < N_THREADS; i++)
        CU_ASSERT_FATAL(pthread_create(&t[i], NULL, capture_loop, &r[i]) == 0);
    for (int i = 0; i < N_THREADS; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N_THREADS; i++) {
        CU_ASSERT(r[i].depth >= 5);
        CU_ASSERT_EQUAL(r[i].mismatches, 0);
    }
    CU_ASSERT_EQUAL(alloc_calls() - before, 0);
    CU_ASSERT_EQUAL(free_calls() - before_free, 0);
}

/* ---- dlopen --------------------------------------------------------------- */

static unsigned long hook_calls, hook_short, hook_alloc, hook_free;

/* Called by test_unwind_dso's constructor and destructor: inside dlopen and
 * dlclose, with the loader's lock held. */
void test_unwind_dso_hook(void)
{
    void *f[64];
    size_t n = counted_capture(f, 64, 0, &hook_alloc, &hook_free);
    __atomic_fetch_add(&hook_calls, 1, __ATOMIC_RELAXED);
    if (n < 3) /* at least the hook, the constructor and the loader */
        __atomic_fetch_add(&hook_short, 1, __ATOMIC_RELAXED);
}

#define N_DLOPEN 2000

static volatile int loader_done;
static int loader_errors;

static void *loader_loop(void *arg)
{
    int rounds = (int)(intptr_t)arg;
    for (int i = 0; i < rounds; i++) {
        void *h = dlopen(MP_TEST_DSO, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            fprintf(stderr, "dlopen: %s\n", dlerror());
            loader_errors++;
            break;
        }
        int (*touch)(void);
        void *sym = dlsym(h, "test_unwind_dso_touch");
        memcpy(&touch, &sym, sizeof touch); /* POSIX: same representation */
        if (!touch || touch() != 1)
            loader_errors++;
        dlclose(h);
    }
    loader_done = 1;
    return NULL;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "test_unwind: no progress in 60 s (deadlock?)\n";
    ssize_t w = write(2, msg, sizeof msg - 1);
    (void)w;
    _exit(3);
}

/* Short-lived threads: every capture in them is cold, so each steps through
 * libunwind's slow path (dl_iterate_phdr) while the loader thread holds the
 * loader's locks. */
static unsigned long cold_alloc, cold_free;

static void *short_lived(void *arg)
{
    (void)arg;
    void *f[64];
    counted_capture(f, 64, 0, &cold_alloc, &cold_free);
    chain_a(f, 64, 0);
    return NULL;
}

static void capture_while_another_thread_dlopens(void)
{
    signal(SIGALRM, on_alarm);
    alarm(60);
    loader_done = 0;
    pthread_t loader;
    CU_ASSERT_FATAL(pthread_create(&loader, NULL, loader_loop, (void *)(intptr_t)N_DLOPEN) == 0);
    unsigned long warm = 0, warm_free = 0, captures = 0, threads = 0;
    void *f[64];
    while (!loader_done) {
        for (int i = 0; i < 50; i++) {
            counted_capture(f, 64, 0, &warm, &warm_free);
            captures++;
        }
        pthread_t t;
        if (pthread_create(&t, NULL, short_lived, NULL) == 0) {
            pthread_join(t, NULL);
            threads++;
        }
    }
    pthread_join(loader, NULL);
    alarm(0);
    CU_ASSERT_EQUAL(loader_errors, 0);
    CU_ASSERT_EQUAL(hook_calls, 2 * N_DLOPEN);
    CU_ASSERT_EQUAL(hook_short, 0);
    /* Nothing allocates. glibc may free() inside a capture, though: the
     * backend's first TLS access after a dlopen/dlclose of a library with
     * TLS (here libunwind's, through __tls_get_addr) updates the thread's
     * DTV, which frees stale dynamic TLS blocks (docs/unwind.md). Reported,
     * not judged. */
    CU_ASSERT_EQUAL(warm, 0);
    /* Each new thread's first capture may allocate its dynamic TLS block
     * for libunwind (and grow its DTV): at most two per thread. */
    CU_ASSERT(cold_alloc <= 2 * threads);
    CU_ASSERT(hook_alloc <= 2 * (unsigned long)N_DLOPEN);
    printf("\n  %lu captures in this thread and %lu short-lived threads during %d "
           "dlopen/dlclose pairs;\n  frees by glibc inside captures: %lu in this thread, "
           "%lu in the short-lived ones, %lu inside dlopen/dlclose\n",
           captures, threads, N_DLOPEN, warm_free, cold_free, hook_free);
}

/* ---- a corrupt frame-pointer chain --------------------------------------- */

/* Calls mp_unwind_capture(f, max, 0) with %rbp set to `rbp`, as code built
 * without frame pointers may leave it. The CFI says where the real caller's
 * %rbp is, so DWARF unwinders step past this frame correctly; the fp
 * backend must stop at the bad link without faulting. */
size_t call_with_rbp(uintptr_t rbp, void **f, size_t max);
__asm__(".text\n"
        ".globl call_with_rbp\n"
        ".type call_with_rbp,@function\n"
        "call_with_rbp:\n"
        ".cfi_startproc\n"
        "  push %rbp\n"
        ".cfi_adjust_cfa_offset 8\n"
        ".cfi_rel_offset %rbp, 0\n"
        "  mov %rdi, %rbp\n"
        "  mov %rsi, %rdi\n"
        "  mov %rdx, %rsi\n"
        "  xor %edx, %edx\n"
        "  call mp_unwind_capture@PLT\n"
        "  pop %rbp\n"
        ".cfi_adjust_cfa_offset -8\n"
        ".cfi_restore %rbp\n"
        "  ret\n"
        ".cfi_endproc\n"
        ".size call_with_rbp, .-call_with_rbp\n");

static void bad_frame_pointers_never_fault(void)
{
    char here;
    uintptr_t sp = (uintptr_t)&here;
    uintptr_t bad[] = {
        0,
        1,
        8,                                  /* aligned to 8, not 16 */
        0xdeadbeef0,                        /* unmapped */
        (uintptr_t)-16,                     /* top of the address space */
        (sp & ~(uintptr_t)15) - 4096,       /* below the stack pointer */
        (sp & ~(uintptr_t)0xfff) + (1u << 30), /* far above: past the stack */
        (uintptr_t)&sink & ~(uintptr_t)15,  /* mapped, but not the stack */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *f[64];
        size_t n = call_with_rbp(bad[i], f, 64);
        CU_ASSERT(n >= 1);
        if (n >= 1)
            CU_ASSERT_EQUAL(func_of(f[0]), FN(call_with_rbp));
    }
}

/* ---- cost ----------------------------------------------------------------- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((noinline, noclone)) size_t recurse(int levels, void **f, size_t max, uint64_t *ns)
{
    size_t n;
    if (levels > 0) {
        n = recurse(levels - 1, f, max, ns);
    } else {
        enum { ROUNDS = 200000 };
        n = mp_unwind_capture(f, max, 0); /* warm */
        uint64_t t0 = now_ns();
        for (int i = 0; i < ROUNDS; i++)
            n = mp_unwind_capture(f, max, 0);
        *ns = (now_ns() - t0) / ROUNDS;
    }
    sink++;
    return n;
}

/* Not a pass/fail test: prints the warm cost for docs/unwind.md. */
static void measures_warm_capture_cost(void)
{
    void *f[64];
    for (int depth = 10; depth <= 20; depth += 10) {
        uint64_t ns = 0;
        /* The frames below recurse(): this test, CUnit, main, libc. */
        size_t base = chain_a(f, 64, 0) - 4;
        size_t n = recurse(depth - (int)base - 1, f, 64, &ns);
        printf("\n  %s: warm capture of %zu frames: %llu ns", mp_unwind_backend(), n,
               (unsigned long long)ns);
        CU_ASSERT(n > 0);
    }
    printf("\n");
}

static void names_its_backend(void) { CU_ASSERT_STRING_EQUAL(mp_unwind_backend(), MP_TEST_BACKEND); }

void mp_test_register(void)
{
    int rc = mp_unwind_init();
    if (rc != 0)
        fprintf(stderr, "mp_unwind_init: %d\n", rc);
    MP_SUITE("unwind", MP_TEST(names_its_backend), MP_TEST(captures_chain_innermost_first),
             MP_TEST(skip_drops_exactly_that_many), MP_TEST(max_is_respected),
             MP_TEST(warm_capture_never_allocates),
             MP_TEST(cold_capture_in_new_thread_does_not_allocate),
             MP_TEST(threads_capture_concurrently), MP_TEST(capture_while_another_thread_dlopens),
             MP_TEST(bad_frame_pointers_never_fault), MP_TEST(measures_warm_capture_cost));
}
