/*
 * detect_leaks.c — the "leak" detector (findings.h): one finding per stack
 * whose blocks are still live at the end of the log.
 *
 * The evidence says how many blocks and bytes, when they were allocated,
 * and whether the same stack freed others (a stack that frees most of its
 * blocks and forgets a few points at an error path; one that frees none, at
 * a missing free or an owner that is never torn down). The allocation times
 * are the stack's first and last allocation (replay.h keeps no per-block
 * times after the end), so when the stack also freed blocks the sentence
 * gives them as the range of all its allocations.
 *
 * With the shim's leak scan at exit (a LEAKSCAN record: memcheck's kinds,
 * docs/ci.md), a finding counts a stack's lost blocks only — definitely,
 * indirectly and possibly lost — and a stack whose blocks are all still
 * reachable (a global, a runtime's one-time table: what memcheck and
 * LeakSanitizer do not report by default) has none; "Leaks at exit, by
 * stack" still lists them with their kind. Without the scan (sampled mode,
 * leak_scan=0, a killed process) every block live at the end is a leak.
 *
 * A partial log (no END: the process was killed, or the log is cut) stops
 * before the program did, so its "leaks" are blocks live when the log
 * stops; the evidence and advice say so. In sampled mode the figures are
 * estimates (docs/sampling.md) and say so.
 */
#include "findings.h"
#include "retention.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "human.h"

/* "allocated at 0.12 s" or "allocated between 0.12 s and 1.80 s". */
static void when(char *buf, size_t cap, const mp_replay_site_t *s)
{
    char a[MP_HUMAN_MAX], b[MP_HUMAN_MAX];

    mp_human_secs(a, sizeof a, s->first_ts);
    mp_human_secs(b, sizeof b, s->last_ts);
    if (s->first_ts == s->last_ts || !strcmp(a, b))
        snprintf(buf, cap, "at %s", a);
    else
        snprintf(buf, cap, "between %s and %s", a, b);
}

/* " (definitely lost)", or " (definitely lost 2 blocks, 64 B; still
 * reachable 1 block, 16 B)" — the leak scan's kinds of site s's blocks,
 * those not counted lost included. */
static void put_kinds(char *buf, size_t cap, const mp_replay_site_t *s)
{
    size_t len = 0;
    int nkinds = 0, only = 0;
    for (int k = MP_LEAK_DEFINITE; k < MP_LEAK_KINDS; k++)
        if (s->kind_blocks[k]) {
            nkinds++;
            only = k;
        }
    if (nkinds == 1) { /* the figures before say how many */
        snprintf(buf, cap, " (%s)", mp_log_leak_kind_label((unsigned)only));
        return;
    }
    for (int k = MP_LEAK_DEFINITE; k < MP_LEAK_KINDS && len < cap; k++) {
        char b[MP_HUMAN_MAX];
        if (!s->kind_blocks[k])
            continue;
        mp_human_bytes(b, sizeof b, s->kind_bytes[k]);
        int n = snprintf(buf + len, cap - len, "%s%s %" PRIu64 " block%s, %s",
                         len ? "; " : " (", mp_log_leak_kind_label((unsigned)k), s->kind_blocks[k],
                         s->kind_blocks[k] == 1 ? "" : "s", b);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    if (len && len + 2 <= cap) {
        buf[len++] = ')';
        buf[len] = '\0';
    }
}

/* 1 if a block that grew in steps at site i, big enough for the bucket
 * retention detector to look at, is still live at the end (a table kept
 * after its peak: the advice must not say "find the path that forgets to
 * free it", and should point at that detector's finding). */
static int grew_here(const mp_replay_t *r, size_t i)
{
    const mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    size_t n = mp_replay_growth_count(r);
    for (size_t k = 0; k < n; k++) {
        const mp_replay_growth_t *g = mp_replay_growth(r, k);
        if (g->site == i && g->size >= o.bucket_min_bytes && g->steps >= o.bucket_min_steps)
            return 1;
    }
    return 0;
}

int mp_detect_leaks(mp_findings_t *f, const mp_replay_t *r)
{
    mp_replay_summary_t sum;
    const mp_replay_process_t *p = mp_replay_process(r);
    int sampled = p && p->mode == MP_MODE_SAMPLED;
    int cut;

    mp_replay_summary(r, &sum);
    cut = !sum.have_end;
    int scan = sum.leakscan.have && !sampled;
    for (size_t i = 0; i < mp_replay_site_count(r); i++) {
        const mp_replay_site_t *s = mp_replay_site(r, i);
        char bytes[MP_HUMAN_MAX], range[96], blocks[64];
        uint64_t nblocks, nallocs, own_frees;
        char grown[64], kinds[160];
        int rc;

        if (!s || s->leaked_blocks == 0)
            continue;
        uint64_t leaked_bytes = s->leaked_bytes;
        nblocks = sampled ? (uint64_t)llround(s->est_leaked_blocks) : s->leaked_blocks;
        kinds[0] = '\0';
        if (scan) {
            nblocks = leaked_bytes = 0;
            for (int k = MP_LEAK_DEFINITE; k <= MP_LEAK_POSSIBLE; k++) {
                nblocks += s->kind_blocks[k];
                leaked_bytes += s->kind_bytes[k];
            }
            if (nblocks == 0)
                continue; /* all still reachable: not lost */
            put_kinds(kinds, sizeof kinds, s);
        }
        if (nblocks == 0)
            nblocks = 1;
        nallocs = sampled ? (uint64_t)llround(s->est_allocs) : s->allocs;
        mp_human_bytes(bytes, sizeof bytes, leaked_bytes);
        when(range, sizeof range, s);
        snprintf(blocks, sizeof blocks, "%s%" PRIu64 " block%s", sampled ? "about " : "",
                 nblocks, nblocks == 1 ? "" : "s");
        /* A REALLOC frees its old block at that block's site: a stack that
         * grows its block with realloc "frees" as many blocks as it
         * reallocated without ever calling free. Frees beyond that count
         * as the stack's own (an estimate: replay.h does not tell them
         * apart). */
        own_frees = s->frees > s->reallocs ? s->frees - s->reallocs : 0;
        if (s->reallocs)
            snprintf(grown, sizeof grown, ", %" PRIu64 " of them by realloc", s->reallocs);
        else
            grown[0] = '\0';
        if (grew_here(r, i))
            rc = mp_findings_add(
                f, r, "leak", leaked_bytes, nblocks, i,
                "a block that grew in steps here is still live at exit: if it is a table "
                "that emptied after the peak, the bucket_retention finding for this stack "
                "says how much rebuilding it would save; otherwise free it before exit",
                "%s, %s, %s, of %" PRIu64 " allocated here %s%s%s%s", blocks, bytes,
                cut ? "still live when the log ends" : "never freed", nallocs, range, grown,
                sampled ? " (estimated from sampled allocations)" : "", kinds);
        else if (own_frees == 0)
            rc = mp_findings_add(
                f, r, "leak", leaked_bytes, nblocks, i,
                cut ? "the log ends before the process did, so these blocks may be freed "
                      "later; if they are not, free them before exit"
                    : "free these blocks before exit, or they are lost",
                "%s, %s, allocated %s%s, %s%s%s", blocks, bytes, range,
                s->reallocs ? " by realloc" : "",
                cut ? "still live when the log ends" : "never freed",
                sampled ? " (estimated from sampled allocations)" : "", kinds);
        else
            rc = mp_findings_add(
                f, r, "leak", leaked_bytes, nblocks, i,
                cut ? "the log ends before the process did, so these blocks may be freed "
                      "later; if they are not, find the path that keeps them"
                    : "this stack frees its other blocks: find the path on which these "
                      "are not freed",
                "%s, %s, %s, of %" PRIu64 " allocated here %s%s%s%s", blocks, bytes,
                cut ? "still live when the log ends" : "never freed", nallocs, range, grown,
                sampled ? " (estimated from sampled allocations)" : "", kinds);
        if (rc)
            return rc;
    }
    return 0;
}
