/*
 * diag.h — error codes and the shim's non-allocating message formatter.
 *
 * Inside the shim stdio is off limits (printf may call malloc, which is us).
 * mp_fmt() is a small vsnprintf for the conversions we use, writing into a
 * caller's buffer; mp_diag() formats one `memprof: ` line into a stack buffer
 * and writes it to stderr with write(2). Like jemalloc's malloc_snprintf.
 *
 * Supported conversions: %s (and %.*s) %c %% and the integers d i u x with the length
 * modifiers l ll z; %p. Flags: '-' (left-justify), '0' (zero pad), a width.
 */
#ifndef MP_DIAG_H
#define MP_DIAG_H

#include <stdarg.h>
#include <stddef.h>

/* Error codes: 0 is success. Values are stable once released. */
enum {
    MP_OK = 0,
    MP_ENOMEM = -1,  /* the OS refused memory */
    MP_EINVAL = -2,  /* bad argument */
    MP_EOS = -3,     /* a syscall failed */
    MP_ERANGE = -4,  /* value out of range */
};

const char *mp_strerror(int code);

/* Formats into buf (always NUL-terminated when cap > 0). Returns the length
 * written, without the NUL (output past cap is dropped). */
size_t mp_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);
size_t mp_fmt(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes "memprof: <message>\n" to stderr. Messages longer than 512 bytes
 * are cut. */
void mp_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes preformatted text to stderr as is. */
void mp_diag_raw(const char *text, size_t len);

#endif
