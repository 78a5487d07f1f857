/*
 * rec_prog.h — what the integration.record programs share: functions whose
 * exact address range the program can report, so that checklog can tell
 * whether a stack passes through them without any symbol table.
 *
 *     REC_FN(leak_a) void leak_a(void) { ... }
 *     REC_RANGE(leak_a);                     // at file scope, after it
 *     ...
 *     rec_range_write(fd, "leak_a", REC_LO(leak_a), REC_HI(leak_a));
 *
 * REC_FN puts the function alone in a section named rec_<name>; the linker
 * defines __start_rec_<name> and __stop_rec_<name> around every section
 * whose name is a C identifier, so [start, stop) is exactly the function's
 * code, wherever the compiler placed it. noinline keeps it a function of
 * its own; callers must use the result of the allocation after the call
 * (store it) so that the call is not a tail call, or the function's frame
 * would not be on the stack.
 *
 * Output helpers use write(2) and snprintf into stack buffers only: the
 * programs allocate exactly what they say they allocate.
 */
#ifndef REC_PROG_H
#define REC_PROG_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#if defined(__clang__)
#define REC_NOCLONE
#else
#define REC_NOCLONE __attribute__((noclone))
#endif

#define REC_FN(name) __attribute__((noinline, used, section("rec_" #name))) REC_NOCLONE
#define REC_RANGE(name) extern const char __start_rec_##name[], __stop_rec_##name[]
#define REC_LO(name) ((uintptr_t)__start_rec_##name)
#define REC_HI(name) ((uintptr_t)__stop_rec_##name)

/* printf to a file descriptor without stdio's buffers (no malloc). */
static inline void rec_printf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void rec_printf(int fd, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

/* One line of checklog's --ranges file: "NAME LO HI" in hex, inclusive
 * bounds (a return address may be the byte after the last call). */
static inline void rec_range_write(int fd, const char *name, uintptr_t lo, uintptr_t hi)
{
    rec_printf(fd, "%s %lx %lx\n", name, (unsigned long)lo, (unsigned long)hi);
}

#endif
