/*
 * diag.c — see diag.h. Stateless (it reads mp_options.secure); safe from any thread and from inside the
 * allocator (it uses only the caller's stack and write(2)).
 */
#include "diag.h"
#include "options.h"
#include "os.h"

#include <stdint.h>
#include <string.h>

const char *mp_strerror(int code)
{
    switch (code) {
    case MP_OK: return "success";
    case MP_ENOMEM: return "out of memory";
    case MP_EINVAL: return "invalid argument";
    case MP_EOS: return "system call failed";
    case MP_ERANGE: return "value out of range";
    default: return "unknown error";
    }
}

typedef struct {
    char *buf;
    size_t cap, len;
} out_t;

static void put(out_t *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len] = c;
    o->len++;
}

static void put_padded(out_t *o, const char *s, size_t n, int width, int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    for (size_t i = 0; i < n; i++)
        put(o, s[i]);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

size_t mp_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
    out_t o = {buf, cap, 0};
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f++;
        int left = 0, width = 0, lng = 0, sz = 0;
        char pad = ' ';
        for (;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                pad = '0';
            else
                break;
        }
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        int prec = -1;
        if (f[0] == '.' && f[1] == '*') {
            prec = va_arg(ap, int);
            f += 2;
        }
        while (*f == 'l') {
            lng++;
            f++;
        }
        if (*f == 'z') {
            sz = 1;
            f++;
        }
        char tmp[32];
        size_t n = 0;
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t sl = strlen(s);
            if (prec >= 0 && (size_t)prec < sl)
                sl = (size_t)prec;
            put_padded(&o, s, sl, width, left, ' ');
            continue;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            put_padded(&o, tmp, 1, width, left, ' ');
            continue;
        case '%':
            put(&o, '%');
            continue;
        case 'p':
        case 'x':
        case 'd':
        case 'i':
        case 'u': {
            uint64_t v;
            int neg = 0, base = (*f == 'x' || *f == 'p') ? 16 : 10;
            if (*f == 'p') {
                v = (uint64_t)(uintptr_t)va_arg(ap, void *);
            } else if (*f == 'd' || *f == 'i') {
                int64_t s = sz ? (int64_t)va_arg(ap, long) /* ssize_t */
                          : lng ? (lng > 1 ? va_arg(ap, long long) : va_arg(ap, long))
                                : va_arg(ap, int);
                neg = s < 0;
                v = neg ? (uint64_t)0 - (uint64_t)s : (uint64_t)s;
            } else {
                v = sz ? (uint64_t)va_arg(ap, size_t)
                  : lng ? (lng > 1 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned long))
                        : va_arg(ap, unsigned);
            }
            char digits[24];
            size_t nd = 0;
            do {
                digits[nd++] = "0123456789abcdef"[v % (uint64_t)base];
                v /= (uint64_t)base;
            } while (v);
            if (neg)
                tmp[n++] = '-';
            if (*f == 'p') {
                tmp[n++] = '0';
                tmp[n++] = 'x';
            }
            while (nd)
                tmp[n++] = digits[--nd];
            put_padded(&o, tmp, n, width, left, neg ? ' ' : pad);
            continue;
        }
        case 0:
            f--;
            continue;
        default:
            put(&o, '%');
            put(&o, *f);
            continue;
        }
    }
    if (cap)
        buf[o.len < cap ? o.len : cap - 1] = 0;
    return o.len < cap ? o.len : (cap ? cap - 1 : 0);
}

size_t mp_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = mp_vfmt(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

void mp_diag(const char *fmt, ...)
{
    /* Nothing on a setuid program's stderr (its caller's), not even an
     * invalid free's address: docs/security.md. */
    if (mp_options.secure)
        return;
    char buf[600];
    size_t n = mp_fmt(buf, sizeof buf, "memprof: ");
    va_list ap;
    va_start(ap, fmt);
    n += mp_vfmt(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    buf[n++] = '\n';
    mp_os_write_all(2, buf, n);
}

void mp_diag_raw(const char *text, size_t len)
{
    if (mp_options.secure)
        return;
    mp_os_write_all(2, text, len);
}
