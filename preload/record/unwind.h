/*
 * unwind.h — stack capture: the return addresses of the calling thread.
 *
 * One contract, two backends; CMake compiles exactly one of them into the
 * shim (MP_UNWIND=libunwind, the default, or fp), callers never #ifdef:
 *
 *   unwind_libunwind.c  libunwind's unw_backtrace (DWARF CFI, works on code
 *                       built without frame pointers, as Debian's is);
 *   unwind_fp.c         frame-pointer chain walking (only as deep as the
 *                       code keeps %rbp as a frame pointer).
 *
 * What each may call, on which path, and why that cannot deadlock against a
 * thread inside dlopen is in docs/unwind.md and each backend's header
 * comment. The short version the recorder relies on:
 *
 *   - mp_unwind_capture() never calls malloc itself, takes no lock of ours,
 *     and on its hot path (a thread whose caches already hold every frame of
 *     the stack) makes no syscall and takes no lock at all;
 *   - on cold paths (first capture in a thread, a return address the
 *     thread has not seen before, the first capture after a dlopen or
 *     dlclose of a library with TLS) it may mmap, take the loader's
 *     dl_load_write_lock (dl_iterate_phdr) and, inside glibc's TLS code,
 *     call malloc/free. So: call it under the recorder's reentrancy flag,
 *     and never while holding a lock that malloc or free can wait for.
 *
 * Frames are return addresses (the instruction after the call), innermost
 * first; frames[0] with skip 0 lies in the function that called
 * mp_unwind_capture (its own frame is never reported). libunwind reports a
 * frame interrupted by a signal at the interrupted instruction; the fp
 * backend cannot step through a signal frame.
 */
#ifndef MP_UNWIND_H
#define MP_UNWIND_H

#include <stddef.h>

/* skip + max above this is cut down to it (max shrinks): the libunwind
 * backend needs 8 bytes of stack scratch per frame walked. */
#define MP_UNWIND_FRAMES_MAX 1024

/* Prepares the unwinder (libunwind caching policy, warm-up of the calling
 * thread); called once by the recorder at start, under its reentrancy flag.
 * Returns 0 or a negative MP_E* code (preload/diag.h). */
int mp_unwind_init(void);

/* Captures up to max return addresses of the calling thread's stack,
 * innermost first, after dropping the `skip` innermost frames (the shim's
 * own). Returns the number stored. Never calls malloc itself (glibc's DTV
 * update may free or malloc inside it on a cold path, see above); safe to
 * call from any thread, including one inside dlopen.
 * Requires: frames has room for max entries. */
size_t mp_unwind_capture(void **frames, size_t max, size_t skip);

/* Name of the backend ("libunwind" or "fp"), for the log header and --help. */
const char *mp_unwind_backend(void);

#endif
