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
 * Classifying leaks as definitely lost or still reachable (DESIGN.md) needs
 * a scan of the heap at exit, which the log does not have yet; until it
 * does, every block live at the end is a leak here.
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
    for (size_t i = 0; i < mp_replay_site_count(r); i++) {
        const mp_replay_site_t *s = mp_replay_site(r, i);
        char bytes[MP_HUMAN_MAX], range[96], blocks[64];
        uint64_t nblocks, nallocs, own_frees;
        char grown[64];
        int rc;

        if (!s || s->leaked_blocks == 0)
            continue;
        nblocks = sampled ? (uint64_t)llround(s->est_leaked_blocks) : s->leaked_blocks;
        if (nblocks == 0)
            nblocks = 1;
        nallocs = sampled ? (uint64_t)llround(s->est_allocs) : s->allocs;
        mp_human_bytes(bytes, sizeof bytes, s->leaked_bytes);
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
                f, r, "leak", s->leaked_bytes, nblocks, i,
                "a block that grew in steps here is still live at exit: if it is a table "
                "that emptied after the peak, the bucket_retention finding for this stack "
                "says how much rebuilding it would save; otherwise free it before exit",
                "%s, %s, %s, of %" PRIu64 " allocated here %s%s%s", blocks, bytes,
                cut ? "still live when the log ends" : "never freed", nallocs, range, grown,
                sampled ? " (estimated from sampled allocations)" : "");
        else if (own_frees == 0)
            rc = mp_findings_add(
                f, r, "leak", s->leaked_bytes, nblocks, i,
                cut ? "the log ends before the process did, so these blocks may be freed "
                      "later; if they are not, free them before exit"
                    : "free these blocks before exit, or they are lost",
                "%s, %s, allocated %s%s, %s%s", blocks, bytes, range,
                s->reallocs ? " by realloc" : "",
                cut ? "still live when the log ends" : "never freed",
                sampled ? " (estimated from sampled allocations)" : "");
        else
            rc = mp_findings_add(
                f, r, "leak", s->leaked_bytes, nblocks, i,
                cut ? "the log ends before the process did, so these blocks may be freed "
                      "later; if they are not, find the path that keeps them"
                    : "this stack frees its other blocks: find the path on which these "
                      "are not freed",
                "%s, %s, %s, of %" PRIu64 " allocated here %s%s%s", blocks, bytes,
                cut ? "still live when the log ends" : "never freed", nallocs, range, grown,
                sampled ? " (estimated from sampled allocations)" : "");
        if (rc)
            return rc;
    }
    return 0;
}
