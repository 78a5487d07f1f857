/*
 * check_kinds.c — see check_kinds.h.
 */
#include "check_kinds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_view.h"
#include "replay.h"

int mp_check_kinds_parse(const char *s, unsigned *mask, char *bad, size_t cap)
{
    unsigned m = 0;

    if (strcmp(s, "all") == 0) {
        *mask = MP_CHECK_KINDS_ALL;
        return 0;
    }
    while (*s) {
        size_t n = strcspn(s, ",");
        unsigned k, found = 0;

        for (k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE && !found; k++) {
            const char *name = mp_log_leak_kind_name(k);
            if (strlen(name) == n && strncmp(s, name, n) == 0) {
                m |= MP_CHECK_KIND_BIT(k);
                found = 1;
            }
        }
        if (!found) {
            snprintf(bad, cap, "%.*s", (int)n, s);
            return -1;
        }
        s += n;
        if (*s == ',' && *++s == '\0') {
            snprintf(bad, cap, "%s", "");
            return -1; /* a trailing comma */
        }
    }
    if (!m) {
        snprintf(bad, cap, "%s", "");
        return -1;
    }
    *mask = m;
    return 0;
}

const char *mp_check_kinds_list(unsigned mask, char *buf, size_t cap)
{
    size_t len = 0;

    buf[0] = '\0';
    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        if (mask & MP_CHECK_KIND_BIT(k))
            len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s",
                                    len ? "," : "", mp_log_leak_kind_name(k));
    return buf;
}


const char *mp_check_kinds_missing(const mp_replay_t *r)
{
    const mp_replay_process_t *p = mp_replay_process(r);
    mp_replay_summary_t sum;

    mp_replay_summary(r, &sum);
    if (sum.leakscan.have)
        return NULL;
    if (p && p->mode == MP_MODE_SAMPLED)
        return "the log was recorded in sampled mode, which has no leak scan";
    if (!sum.have_end || sum.end_reason != MP_END_EXIT)
        return "the program did not exit normally, so the leak scan at exit did not run";
    return "the log has no leak scan (recorded with --no-leak-scan or leak_scan=0, "
           "or by a memprof older than log format 1.1)";
}

void mp_check_kinds_count(const mp_replay_site_t *s, int have, unsigned mask, mp_check_leak_t *l)
{
    memcpy(l->kind_bytes, s->kind_bytes, sizeof l->kind_bytes);
    memcpy(l->kind_blocks, s->kind_blocks, sizeof l->kind_blocks);
    if (!have) {
        l->bytes = s->leaked_bytes;
        l->blocks = s->leaked_blocks;
        return;
    }
    l->bytes = l->blocks = 0;
    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        if (mask & MP_CHECK_KIND_BIT(k)) {
            l->bytes += s->kind_bytes[k];
            l->blocks += s->kind_blocks[k];
        }
}
