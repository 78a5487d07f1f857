/*
 * run_env.h — the environment `memprof run` hands to the profiled program:
 * LD_PRELOAD (the shim first) and MEMPROF_OPTIONS (what the shim should do).
 *
 * MEMPROF_OPTIONS is a colon-separated list of key=value that the shim
 * reads at start-up; when a key appears twice the later one wins. memprof
 * appends its own keys after the user's, so a command-line flag beats the
 * environment.
 */
#ifndef MP_CLI_RUN_ENV_H
#define MP_CLI_RUN_ENV_H

#include <stddef.h>

/* Our keys are few and short, except log=PATH: room for a PATH_MAX path. */
#define MP_OPTBUF_SIZE 6144

/* MEMPROF_OPTIONS under construction. */
typedef struct mp_optbuf {
    char text[MP_OPTBUF_SIZE]; /* "k=v:k=v", NUL-terminated */
    size_t len;                /* strlen(text) */
} mp_optbuf_t;

/* Appends key=value. Requires: neither contains ':' (callers validate
 * values against a table or as numbers). Returns 0 or -MP_CLI_ENOMEM if the
 * buffer is full (a bug: our keys are few and short). */
int mp_optbuf_add(mp_optbuf_t *b, const char *key, const char *value);

/* 1 if the colon-separated list opts (may be NULL) sets key. */
int mp_options_has_key(const char *opts, const char *key);

/* Tells whether the shim accepts value (len bytes, not NUL-terminated). */
typedef int (*mp_option_valid_fn)(const char *value, size_t len);

/* The value the shim would use for key in opts (may be NULL): the last
 * key=value that valid accepts (any, if valid is NULL), since the shim lets
 * a later key win and ignores a bad value. Copies it into buf (size bytes,
 * truncated to fit) and returns 1, or returns 0 if there is none. */
int mp_options_get(const char *opts, const char *key, mp_option_valid_fn valid, char *buf,
                   size_t size);

/* Sets LD_PRELOAD=shim, followed by ':' and the previous value if it was
 * set and not empty. Returns 0, -MP_CLI_ESHIM if the shim path contains a
 * character the dynamic loader splits on, or -MP_CLI_ENOMEM. */
int mp_env_set_preload(const char *shim);

/* Sets MEMPROF_OPTIONS to the previous value, ':', then opts (either part
 * omitted when empty). Returns 0 or -MP_CLI_ENOMEM. */
int mp_env_set_options(const char *opts);

#endif
