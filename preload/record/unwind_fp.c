/*
 * unwind_fp.c — unwind.h by walking the frame-pointer chain (MP_UNWIND=fp).
 *
 * On x86_64 a function built with frame pointers starts with
 * `push %rbp; mov %rsp,%rbp`, so %rbp points at {caller's %rbp, return
 * address}. Walking that list is a few loads per frame: no tables, no
 * syscalls, no locks. It only works as far up as every function on the way
 * kept the convention: Debian builds its libraries (libc included) without
 * frame pointers, so stacks through them stop early or, where such code
 * left an unrelated value in %rbp, end in a bogus frame. Programs built with
 * -fno-omit-frame-pointer get full stacks. See docs/unwind.md.
 *
 * Never faulting. %rbp in frame-pointer-less code is just a register, so a
 * chain link may be any value. A link is followed only if it is 16-byte
 * aligned (the ABI keeps the stack 16-byte aligned at calls, so a pushed
 * %rbp slot is), strictly above the previous one (stacks grow down, callers'
 * frames are above), and the 16 bytes it names lie in [sp, hi), where hi is
 * the end of the readable mapping holding the current stack pointer: all of
 * [sp, hi) is then mapped and readable, whatever the link's value. A return
 * address below 4096 ends the walk too (the outermost frames set %rbp = 0
 * or leave zeros).
 *
 * Stack bounds, per thread. pthread_getattr_np would give them, but it
 * allocates (a cpuset for every thread; for the main thread it also fopen()s
 * /proc/self/maps), and __libc_stack_end covers only the main thread. So on
 * the first capture in a thread, and whenever the stack pointer is outside
 * the cached range (a sigaltstack handler, a coroutine stack, the main stack
 * having grown down past the mapping seen last), we find the mapping holding
 * sp in /proc/self/maps, read with raw syscalls into a stack buffer (no libc
 * allocation; syscall() rather than read(), which is a cancellation point
 * and must not act inside malloc). That costs one pass over the maps file —
 * tens of microseconds in a small process — once per thread and per new
 * stack. If /proc cannot be read, the thread's captures return 0 frames.
 * Limitation: a mapping unmapped and replaced by a smaller one at the same
 * place while a thread still runs on it (a coroutine library recycling
 * stacks) can leave a stale bound; glibc's own thread stacks are never
 * unmapped under a running thread.
 *
 * Thread safety: all state is thread-local (initial-exec TLS, as in the
 * rest of the shim).
 */
#define _GNU_SOURCE
#include "diag.h"
#include "unwind.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *mp_unwind_backend(void) { return "fp"; }

/* The readable mapping holding this thread's stack pointer, as last found:
 * [lo, hi). lo == hi == 0: not looked up yet. failed: /proc unreadable, do
 * not retry (each retry is a failing open). */
struct stack_bounds {
    uintptr_t lo;
    uintptr_t hi;
    int failed;
};
static __thread struct stack_bounds tls_bounds __attribute__((tls_model("initial-exec")));

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Finds the mapping holding addr in /proc/self/maps ("lo-hi perms ..."
 * lines, sorted by address). Streams through the file with a small buffer
 * and stops at the first mapping past addr. Returns 0 with *lo and *hi set if
 * the mapping is readable, else a negative MP_E* code. */
static int find_mapping(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
    long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return MP_EOS;
    char buf[512];
    /* Per line: field 0 = start, 1 = end, 2 = the 'r' of perms, 3 = rest. */
    int field = 0;
    uintptr_t start = 0, end = 0;
    int rc = MP_EOS;
    for (;;) {
        long got = syscall(SYS_read, (int)fd, buf, sizeof buf);
        if (got <= 0)
            break;
        for (long i = 0; i < got; i++) {
            char c = buf[i];
            if (c == '\n') {
                field = 0;
                start = end = 0;
                continue;
            }
            if (field == 0) {
                if (c == '-')
                    field = 1;
                else if (hexval(c) >= 0)
                    start = start << 4 | (uintptr_t)hexval(c);
            } else if (field == 1) {
                if (c == ' ')
                    field = 2;
                else if (hexval(c) >= 0)
                    end = end << 4 | (uintptr_t)hexval(c);
            } else if (field == 2) {
                field = 3;
                if (addr >= start && addr < end) {
                    if (c == 'r') {
                        *lo = start;
                        *hi = end;
                        rc = 0;
                    }
                    goto out;
                }
                if (start > addr)
                    goto out; /* sorted: addr is in no mapping */
            }
        }
    }
out:
    syscall(SYS_close, (int)fd);
    return rc;
}

static int refresh_bounds(struct stack_bounds *b, uintptr_t sp)
{
    if (b->failed)
        return MP_EOS;
    uintptr_t lo, hi;
    int rc = find_mapping(sp, &lo, &hi);
    if (rc != 0) {
        b->failed = 1;
        return rc;
    }
    b->lo = lo;
    b->hi = hi;
    return 0;
}

int mp_unwind_init(void)
{
    /* Warm-up: look up the calling thread's stack now rather than inside
     * its first malloc. */
    struct stack_bounds *b = &tls_bounds;
    b->failed = 0;
    return refresh_bounds(b, (uintptr_t)__builtin_frame_address(0));
}

/* noinline and frame pointer: __builtin_frame_address(0) is this function's
 * own frame, {caller's %rbp, return address into the caller}. */
__attribute__((noinline)) size_t mp_unwind_capture(void **frames, size_t max, size_t skip)
{
    uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t sp = fp; /* nothing of interest lies below our own frame */
    struct stack_bounds *b = &tls_bounds;
    if (sp < b->lo || sp >= b->hi)
        if (refresh_bounds(b, sp) != 0)
            return 0;
    uintptr_t hi = b->hi;

    size_t n = 0, depth = 0;
    while (n < max) {
        /* fp is valid here: aligned, and [fp, fp + 16) inside [sp, hi). */
        const uintptr_t *slot = (const uintptr_t *)fp;
        uintptr_t next = slot[0], ret = slot[1];
        if (ret < 4096)
            break;
        if (depth++ >= skip)
            frames[n++] = (void *)ret;
        if (next <= fp || (next & 15) != 0 || next > hi - 16)
            break;
        fp = next;
    }
    return n;
}
