/*
 * unwind_libunwind.c — unwind.h on libunwind's local unwinder (the default
 * backend, MP_UNWIND=libunwind).
 *
 * What it owns: the caching policy of unw_local_addr_space and the warm-up
 * of the thread that starts the recorder. No state of its own besides a
 * "ready" flag; libunwind keeps the caches.
 *
 * How a capture runs (libunwind 1.6.2, x86_64, as Debian builds it; the
 * evidence — source reading, the shipped binary's disassembly, and the
 * tests in tests/unit/test_unwind.c — is in docs/unwind.md):
 *
 *   unw_backtrace → tdep_trace, the x86_64 fast path. It keeps a per-thread
 *   hash of "how to step past this return address" (CFA = rsp|rbp + k, where
 *   rbp and the return address sit), keyed by IP. On a hit a frame costs a
 *   hash probe and two loads: no syscall, no lock, no allocation.
 *
 *   Cold paths, each at most once per (thread, return address) or per thread:
 *     - first capture in a thread: pthread_once (process-wide, once),
 *       pthread_key_create (once), mempool_alloc of the cache header (a
 *       libunwind mutex, signals blocked with two sigprocmask calls, mmap
 *       when the pool grows), mmap of 2^14 buckets (256 KiB, all touched)
 *       and pthread_setspecific (glibc calloc()s a second-level block only
 *       for a key index >= 32 — warming up at shim start gets libunwind an
 *       early, low key);
 *     - a return address this thread has not seen: one unw_step, which
 *       finds the FDE with dl_iterate_phdr (the loader's dl_load_write_lock,
 *       all signals blocked around it) and parses the CFI; no malloc;
 *     - the hash reaching half full (8192 addresses): a 1 MiB mmap, the old
 *       table unmapped, every address cold again;
 *     - libunwind's own TLS (tls_cache) is reached through __tls_get_addr:
 *       after a dlopen/dlclose that changed glibc's TLS generation, the
 *       thread's first access updates its DTV, which may free() TLS blocks of
 *       unloaded libraries and malloc() a larger DTV (no loader lock);
 *     - a frame tdep_trace cannot describe (CFA not rsp/rbp + constant, e.g.
 *       DW_CFA_def_cfa_expression), or a thread whose cache was destroyed
 *       (libunwind's TSD destructor, on the 4th destructor round of an
 *       exiting thread): unw_backtrace falls back to unw_step per frame —
 *       dl_iterate_phdr for every frame, still no malloc.
 *
 * Caching policy: UNW_CACHE_NONE, deliberately. Debian's libunwind is built
 * without per-thread caches: unw_set_caching_policy(UNW_CACHE_PER_THREAD)
 * silently becomes UNW_CACHE_GLOBAL (the disassembly: cmp $2; cmove $1),
 * one register-state cache behind one mutex that dwarf_find_save_locs holds
 * *across* dl_iterate_phdr. That orders "libunwind's cache lock → loader
 * write lock"; dlclose frees link maps while holding the loader write lock,
 * so a capture from inside that free (or any malloc there) would wait for
 * the cache lock held by a thread waiting for the loader: a deadlock. With
 * no register-state cache, libunwind holds none of its locks while in
 * dl_iterate_phdr, and the fast path's per-thread trace cache (which the
 * policy does not affect) still makes warm captures lock-free. What we give
 * up: a cold address costs a dl_iterate_phdr even when another thread has
 * already parsed it. unw_set_cache_size sizes only that register-state
 * cache, so it is not called.
 *
 * Thread safety: mp_unwind_init runs once, before any capture (the
 * recorder's start). mp_unwind_capture is reentrant and thread-safe.
 */
#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "diag.h"
#include "unwind.h"

#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

/* libunwind is loaded with dlopen(RTLD_LOCAL), not linked: libunwind.so.8
 * exports its own _Unwind_RaiseException & co., and a linked copy would sit
 * in the global scope ahead of libgcc_s, changing how the profiled
 * program's C++ exceptions unwind. Loaded locally, its symbols are seen by
 * nobody but us, and a program run with mode=off never loads it at all. */
static int (*p_backtrace)(void **, int);
static int (*p_set_caching_policy)(unw_addr_space_t, unw_caching_policy_t);
static unw_addr_space_t *p_local_as;

static int load_libunwind(void)
{
    if (p_backtrace)
        return 0;
    void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        mp_diag("cannot load libunwind.so.8 (install libunwind8): stacks are not recorded");
        return MP_EOS;
    }
    *(void **)&p_set_caching_policy = dlsym(h, "_ULx86_64_set_caching_policy");
    p_local_as = (unw_addr_space_t *)dlsym(h, "_ULx86_64_local_addr_space");
    *(void **)&p_backtrace = dlsym(h, "unw_backtrace");
    if (!p_backtrace || !p_set_caching_policy || !p_local_as) {
        p_backtrace = NULL;
        mp_diag("libunwind.so.8 lacks the functions memprof uses: stacks are not recorded");
        return MP_EOS;
    }
    return 0;
}

const char *mp_unwind_backend(void) { return "libunwind"; }

/* Warm-up: the thread that starts the recorder does one capture, which
 * runs libunwind's global init (tdep_init: a mutex, sigprocmask, pipe2 for
 * its memory validator), creates the trace-cache TSD key and this thread's
 * cache, and steps through every frame of the start-up stack once. */
static __attribute__((noinline)) size_t warm(void)
{
    void *frames[64];
    return mp_unwind_capture(frames, 64, 0);
}

int mp_unwind_init(void)
{
    if (load_libunwind() != 0)
        return MP_EOS;
    /* Also runs libunwind's one-time init if nothing did yet. */
    if (p_set_caching_policy(*p_local_as, UNW_CACHE_NONE) != 0)
        return MP_EINVAL;
    /* A stack that does not even reach our caller means libunwind cannot
     * unwind here at all (no unwind info for the shim?): say so now. */
    return warm() > 0 ? 0 : MP_EOS;
}

/* noinline: unw_backtrace reports frames from its caller outwards, so the
 * first entry is always in this function and is dropped; inlined into a
 * caller, we would drop the caller's frame instead. */
__attribute__((noinline)) size_t mp_unwind_capture(void **frames, size_t max, size_t skip)
{
    if (max == 0 || !p_backtrace)
        return 0;
    if (skip > MP_UNWIND_FRAMES_MAX - 1)
        return 0;
    if (max > MP_UNWIND_FRAMES_MAX - 1 - skip)
        max = MP_UNWIND_FRAMES_MAX - 1 - skip;
    size_t drop = skip + 1; /* + this function's own frame */
    size_t want = drop + max;

    /* Scratch for the frames we drop: unw_backtrace fills from index 0. A
     * VLA so the common case (depth 64) uses ~0.5 KiB of stack, not 8. */
    void *scratch[want];
    int n = p_backtrace(scratch, (int)want);
    if (n <= 0 || (size_t)n <= drop) {
        /* libunwind could not step out of this frame (it has unwind info,
         * so this "cannot happen"): report at least our caller. */
        if (n <= 1 && skip == 0) {
            frames[0] = __builtin_return_address(0);
            return 1;
        }
        return 0;
    }
    size_t got = (size_t)n - drop;
    memcpy(frames, scratch + drop, got * sizeof *frames);
    return got;
}
