/*
 * run_env.c — composes LD_PRELOAD and MEMPROF_OPTIONS for `memprof run`
 * (see run_env.h). The variables are set in memprof's own environment just
 * before the fork: memprof is already running and never execs anything but
 * the child, so this is the simplest way to hand them over, and failures
 * are reported before any process is started. The one exception is log=,
 * which holds the child's pid: cmd_run.c appends it in the child, between
 * fork and exec, with mp_env_set_options.
 */
#include "run_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"

int mp_optbuf_add(mp_optbuf_t *b, const char *key, const char *value)
{
    int n = snprintf(b->text + b->len, sizeof b->text - b->len, "%s%s=%s",
                     b->len ? ":" : "", key, value);

    if (n < 0 || (size_t)n >= sizeof b->text - b->len) {
        b->text[b->len] = '\0';
        fprintf(stderr, "memprof: internal error: MEMPROF_OPTIONS too long\n");
        return -MP_CLI_ENOMEM;
    }
    b->len += (size_t)n;
    return 0;
}

int mp_options_has_key(const char *opts, const char *key)
{
    size_t klen = strlen(key);

    for (const char *p = opts; p && *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len > klen && memcmp(p, key, klen) == 0 && p[klen] == '=')
            return 1;
        p = end ? end + 1 : p + len;
    }
    return 0;
}

int mp_options_get(const char *opts, const char *key, mp_option_valid_fn valid, char *buf,
                   size_t size)
{
    size_t klen = strlen(key);
    int found = 0;

    for (const char *p = opts; p && *p;) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len > klen && memcmp(p, key, klen) == 0 && p[klen] == '=' &&
            (!valid || valid(p + klen + 1, len - klen - 1))) {
            size_t vlen = len - klen - 1;

            if (size > 0) {
                if (vlen >= size)
                    vlen = size - 1;
                memcpy(buf, p + klen + 1, vlen);
                buf[vlen] = '\0';
            }
            found = 1;
        }
        p = end ? end + 1 : p + len;
    }
    return found;
}

/* Sets name to a, sep, b, leaving out the separator when either is empty. */
static int set_joined(const char *name, const char *a, const char *b)
{
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    char *v = malloc(la + lb + 2);

    if (!v) {
        fprintf(stderr, "memprof: out of memory setting %s\n", name);
        return -MP_CLI_ENOMEM;
    }
    v[0] = '\0';
    if (la)
        strcat(v, a);
    if (la && lb && a[la - 1] != ':')
        strcat(v, ":");
    if (lb)
        strcat(v, b);
    if (setenv(name, v, 1) != 0) {
        free(v);
        fprintf(stderr, "memprof: out of memory setting %s\n", name);
        return -MP_CLI_ENOMEM;
    }
    free(v); /* setenv copied it */
    return 0;
}

int mp_env_set_preload(const char *shim)
{
    /* glibc's loader splits LD_PRELOAD on both ':' and ' '; such a path
     * would silently preload fragments of it instead of the shim. */
    if (strpbrk(shim, ": \t")) {
        fprintf(stderr,
                "memprof: the shim path '%s' contains a ':' or a space, which "
                "LD_PRELOAD cannot express; install memprof elsewhere\n",
                shim);
        return -MP_CLI_ESHIM;
    }
    return set_joined("LD_PRELOAD", shim, getenv("LD_PRELOAD"));
}

int mp_env_set_options(const char *opts)
{
    return set_joined("MEMPROF_OPTIONS", getenv("MEMPROF_OPTIONS"), opts);
}
