/*
 * options.c — parses MEMPROF_OPTIONS (see options.h) with a table of keys,
 * so each new option is one row. Runs before the heap is ready: it may not
 * allocate, so values are parsed in place and messages go through mp_diag.
 */
#include "options.h"
#include "diag.h"
#include "os.h"

#include <stddef.h>
#include <string.h>
#include <sys/auxv.h>

extern char **environ;

mp_options_t mp_options;

void mp_options_defaults(mp_options_t *o)
{
    o->mode = MP_OPT_MODE_OFF;
    o->stats = 0;
    o->scavenge_delay_ms = 1000;
    o->background_thread = 1;
    o->verbose = 0;
    o->depth = 64;
    o->flush_ms = 20;
    o->snapshot_ms = 10;
    o->follow_fork = 1;
    o->follow_exec = 1;
    o->sample = 0;
    o->hollow_min = 64 * 1024;
    o->hollow_signal = 12; /* SIGUSR2 */
    o->fault_reserve = o->fault_release = o->fault_write = 0;
    o->leak_scan = 1;
    o->log[0] = 0;
    o->secure = 0;
}

typedef enum { OPT_BOOL, OPT_UINT, OPT_MODE, OPT_STR } opt_kind_t;

typedef struct {
    const char *key;
    opt_kind_t kind;
    size_t offset;      /* field in mp_options_t */
    uint32_t min, max;  /* OPT_UINT: accepted range; OPT_STR: max length */
    const char *expect; /* shown when a value is bad */
} opt_def_t;

static const opt_def_t opt_table[] = {
    {"mode", OPT_MODE, offsetof(mp_options_t, mode), 0, 0, "off or full"},
    {"stats", OPT_BOOL, offsetof(mp_options_t, stats), 0, 1, "0 or 1"},
    {"scavenge_delay_ms", OPT_UINT, offsetof(mp_options_t, scavenge_delay_ms), 0, 3600000,
     "milliseconds, 0..3600000"},
    {"background_thread", OPT_BOOL, offsetof(mp_options_t, background_thread), 0, 1, "0 or 1"},
    {"verbose", OPT_BOOL, offsetof(mp_options_t, verbose), 0, 1, "0 or 1"},
    {"depth", OPT_UINT, offsetof(mp_options_t, depth), 1, 256, "frames, 1..256"},
    {"flush_ms", OPT_UINT, offsetof(mp_options_t, flush_ms), 1, 100, "milliseconds, 1..100"},
    {"snapshot_ms", OPT_UINT, offsetof(mp_options_t, snapshot_ms), 1, 60000,
     "milliseconds, 1..60000"},
    {"follow_fork", OPT_BOOL, offsetof(mp_options_t, follow_fork), 0, 1, "0 or 1"},
    {"follow_exec", OPT_BOOL, offsetof(mp_options_t, follow_exec), 0, 1, "0 or 1"},
    {"hollow_min", OPT_UINT, offsetof(mp_options_t, hollow_min), 0, 1u << 30,
     "bytes, 0 (no scan) .. 1073741824"},
    {"hollow_signal", OPT_UINT, offsetof(mp_options_t, hollow_signal), 0, 64,
     "a signal number, 0 (none) .. 64"},
    {"leak_scan", OPT_BOOL, offsetof(mp_options_t, leak_scan), 0, 1, "0 or 1"},
    {"sample", OPT_UINT, offsetof(mp_options_t, sample), 0, 1u << 30,
     "bytes, 0 (every allocation) .. 1073741824"},
    /* Fault injection, for the fault tests (tests/integration/fault*). */
    {"fault_reserve", OPT_UINT, offsetof(mp_options_t, fault_reserve), 0, 1000000,
     "a call number, 0 (none) .. 1000000"},
    {"fault_release", OPT_UINT, offsetof(mp_options_t, fault_release), 0, 1000000,
     "a call number, 0 (none) .. 1000000"},
    {"fault_write", OPT_UINT, offsetof(mp_options_t, fault_write), 0, 1000000,
     "a call number, 0 (none) .. 1000000"},
    {"log", OPT_STR, offsetof(mp_options_t, log), 1, MP_LOG_PATH_MAX - 1,
     "a file path (no ':')"},
};

/* Parses [s, s+n) as a decimal integer <= max. Returns 0 on success. */
static int parse_uint(const char *s, size_t n, uint32_t min, uint32_t max, uint32_t *out)
{
    if (n == 0 || n > 10)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int eq(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int parse_one(const char *item, size_t len, mp_options_t *o, int warn)
{
    const char *eqs = memchr(item, '=', len);
    size_t klen = eqs ? (size_t)(eqs - item) : len;
    const char *val = eqs ? eqs + 1 : item + len;
    size_t vlen = eqs ? len - klen - 1 : 0;
    for (size_t i = 0; i < sizeof opt_table / sizeof opt_table[0]; i++) {
        const opt_def_t *d = &opt_table[i];
        if (!eq(item, klen, d->key))
            continue;
        uint32_t v = 0;
        int ok;
        switch (d->kind) {
        case OPT_MODE:
            ok = eq(val, vlen, "off") || eq(val, vlen, "full");
            v = eq(val, vlen, "full") ? MP_OPT_MODE_FULL : MP_OPT_MODE_OFF;
            break;
        case OPT_STR:
            ok = eqs && vlen >= d->min && vlen <= d->max;
            break;
        case OPT_BOOL:
            ok = eqs && parse_uint(val, vlen, 0, 1, &v) == 0;
            break;
        default:
            ok = eqs && parse_uint(val, vlen, d->min, d->max, &v) == 0;
            break;
        }
        if (!ok) {
            if (warn)
                mp_diag("MEMPROF_OPTIONS: bad value '%.*s' for %s (expected %s); using the default",
                        (int)vlen, val, d->key, d->expect);
            return 1;
        }
        if (d->kind == OPT_STR) {
            memcpy((char *)o + d->offset, val, vlen);
            ((char *)o + d->offset)[vlen] = 0;
        } else if (d->kind == OPT_UINT)
            *(uint32_t *)((char *)o + d->offset) = v;
        else
            *(int *)((char *)o + d->offset) = (int)v;
        return 0;
    }
    if (warn)
        mp_diag("MEMPROF_OPTIONS: unknown option '%.*s' ignored", (int)klen, item);
    return 1;
}

int mp_options_parse(const char *s, mp_options_t *o, int warn)
{
    int problems = 0;
    while (s && *s) {
        const char *end = strchr(s, ':');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if (len > 0)
            problems += parse_one(s, len, o, warn);
        s = end ? end + 1 : s + len;
    }
    return problems;
}

void mp_options_init(void)
{
    mp_options_defaults(&mp_options);
    /* A setuid or setgid program (or one that gained capabilities at
     * exec: the kernel's AT_SECURE) runs with an environment its caller
     * chose. MEMPROF_OPTIONS is not read there: no recording, no log, no
     * message, no thread of ours — memprof's heap is a plain allocator.
     * A log= would otherwise let anyone create a file with the program's
     * privileges (docs/security.md). */
    if (getauxval(AT_SECURE)) {
        mp_options.secure = 1;
        mp_options.background_thread = 0;
        return;
    }
    if (!environ)
        return;
    static const char name[] = "MEMPROF_OPTIONS=";
    for (char **e = environ; *e; e++)
        if (strncmp(*e, name, sizeof name - 1) == 0) {
            mp_options_parse(*e + sizeof name - 1, &mp_options, 1);
            break;
        }
    mp_os_fault_after(MP_OS_FAULT_RESERVE, mp_options.fault_reserve);
    mp_os_fault_after(MP_OS_FAULT_RELEASE, mp_options.fault_release);
    mp_os_fault_after(MP_OS_FAULT_WRITE, mp_options.fault_write);
}
