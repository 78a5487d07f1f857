/*
 * check_kinds.h — which leak kinds `memprof check` counts (--kinds), and
 * their names as memcheck prints them. The kinds come from the shim's leak
 * scan at exit (docs/recording.md); a log without one has none, and then
 * every block live at exit counts (docs/ci.md).
 */
#ifndef MP_CLI_CHECK_KINDS_H
#define MP_CLI_CHECK_KINDS_H

#include <stddef.h>

#include "log_format.h"

/* A set of kinds: bit MP_LEAK_* set for each kind counted. */
#define MP_CHECK_KIND_BIT(k) (1u << (k))
#define MP_CHECK_KINDS_DEFAULT (MP_CHECK_KIND_BIT(MP_LEAK_DEFINITE) | MP_CHECK_KIND_BIT(MP_LEAK_INDIRECT))
#define MP_CHECK_KINDS_ALL                                                                  \
    (MP_CHECK_KINDS_DEFAULT | MP_CHECK_KIND_BIT(MP_LEAK_POSSIBLE) |                         \
     MP_CHECK_KIND_BIT(MP_LEAK_REACHABLE))

/* Parses "definite,indirect,possible,reachable" (any non-empty subset, in
 * any order) or "all" into *mask. 0, or -1 with the offending word in bad. */
int mp_check_kinds_parse(const char *s, unsigned *mask, char *bad, size_t cap);

/* The set as "definite,indirect" (the order of the kinds), into buf. */
const char *mp_check_kinds_list(unsigned mask, char *buf, size_t cap);

struct mp_replay;
struct mp_replay_site;
struct mp_check_leak;

/* Why the log has no leak kinds ("it was recorded in sampled mode", ...),
 * or NULL when it has them. */
const char *mp_check_kinds_missing(const struct mp_replay *r);

/* Fills l's bytes and blocks with the site's leaked blocks of the kinds in
 * mask (all of them when !have), and its per-kind figures. */
void mp_check_kinds_count(const struct mp_replay_site *s, int have, unsigned mask,
                          struct mp_check_leak *l);

#endif
