/*
 * detect_idle.c — the "idle_retention" detector (findings.h,
 * docs/retention.md): free pages the allocator keeps (idle: neither in use
 * nor released to the OS) for longer than its scavenger's policy allows.
 *
 * The shim's scavenger releases a free span once it has stayed free for
 * scavenge_delay_ms (docs/heap.md; 1 s by default). Idle bytes are normal
 * for up to that delay after a burst of frees; they are a finding when at
 * least idle_min_bytes stay idle across SNAPSHOTs spanning more than twice
 * the delay — with the default scavenger that only happens when it is off
 * (background_thread=0 in a quiet program) or its delay is long. The log
 * does not record the delay: the option says what to assume.
 *
 * A stretch of idle bytes is not yet the same pages held: while a program
 * frees steadily, spans go idle and are released a delay later, and the
 * idle total can stay high for as long as the frees go on (a slow free
 * phase, a loaded machine) with no page kept past the delay. So the bytes
 * that stayed idle across the last 2 x delay are bounded from below by what
 * is idle now minus what went idle in that window (SPAN RETURN and
 * LARGE_RETURN events: mp_replay_heap_t.returned_total): a page idle now
 * that was not given back in the window has been idle since before it. The
 * finding needs that bound to reach idle_min_bytes too. A log without SPAN
 * events has a constant total, and the bound is the idle figure itself.
 *
 * Reads the kept heap states (replay.h mp_replay_heap) that come from a
 * SNAPSHOT; one finding, for the longest stretch.
 */
#include "retention.h"

#include <inttypes.h>
#include <stdio.h>

#include "human.h"

/* Bytes idle at kept point i that were idle throughout the 2 x delay
 * before it (see the top), or 0 if no kept point is that old. */
static uint64_t idle_throughout(const mp_replay_t *r, size_t i, uint64_t window)
{
    const mp_replay_heap_t *h = mp_replay_heap(r, i);
    for (size_t j = i; j-- > 0;) {
        const mp_replay_heap_t *p = mp_replay_heap(r, j);
        if (!p->have_snapshot || p->snapshot_ts + window > h->snapshot_ts)
            continue;
        /* The latest point at least a window back: returns since then are
         * at least those of the window. */
        uint64_t went_idle = h->returned_total >= p->returned_total
                                 ? h->returned_total - p->returned_total
                                 : 0;
        return h->idle > went_idle ? h->idle - went_idle : 0;
    }
    return 0;
}

int mp_detect_idle_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o)
{
    size_t n = mp_replay_heap_count(r);
    uint64_t best_from = 0, best_to = 0, best_min = 0, best_max = 0, best_kept = 0;
    uint64_t from = 0, lo = 0, hi = 0, end_released = 0;
    int in = 0, found = 0;

    for (size_t i = 0; i <= n; i++) {
        const mp_replay_heap_t *h = i < n ? mp_replay_heap(r, i) : NULL;
        if (h && !h->have_snapshot)
            continue;
        if (h && h->idle >= o->idle_min_bytes) {
            if (!in) {
                in = 1;
                from = h->snapshot_ts;
                lo = hi = h->idle;
            }
            lo = h->idle < lo ? h->idle : lo;
            hi = h->idle > hi ? h->idle : hi;
            uint64_t kept;
            if (h->snapshot_ts - from > 2 * o->idle_scavenge_delay_ns &&
                (!found || h->snapshot_ts - from > best_to - best_from) &&
                (kept = idle_throughout(r, i, 2 * o->idle_scavenge_delay_ns)) >=
                    o->idle_min_bytes) {
                found = 1;
                best_from = from;
                best_to = h->snapshot_ts;
                best_kept = kept;
                best_min = lo;
                best_max = hi;
                end_released = h->released;
            }
            continue;
        }
        in = 0;
    }
    if (!found)
        return 0;

    char a[MP_HUMAN_MAX], b[MP_HUMAN_MAX], t1[MP_HUMAN_MAX], t2[MP_HUMAN_MAX];
    char d[MP_HUMAN_MAX], dl[MP_HUMAN_MAX], rel[MP_HUMAN_MAX], range[2 * MP_HUMAN_MAX + 16];
    mp_human_bytes(a, sizeof a, best_min);
    mp_human_bytes(b, sizeof b, best_max);
    mp_human_secs(t1, sizeof t1, best_from);
    mp_human_secs(t2, sizeof t2, best_to);
    mp_human_secs(d, sizeof d, best_to - best_from);
    mp_human_secs(dl, sizeof dl, o->idle_scavenge_delay_ns);
    mp_human_bytes(rel, sizeof rel, end_released);
    char kept[MP_HUMAN_MAX], win[MP_HUMAN_MAX];
    mp_human_bytes(kept, sizeof kept, best_kept);
    mp_human_secs(win, sizeof win, 2 * o->idle_scavenge_delay_ns);
    if (best_min == best_max)
        snprintf(range, sizeof range, "%s", a);
    else
        snprintf(range, sizeof range, "between %s and %s", a, b);
    return mp_findings_add(
        f, r, "idle_retention", best_min, 0, MP_FINDING_NO_SITE,
        "these free pages should have gone back to the OS after the scavenger's delay: check "
        "that it runs (MEMPROF_OPTIONS background_thread, scavenge_delay_ms), or call "
        "malloc_trim(0) after the peak to release them at once",
        "the allocator kept %s of free pages without releasing them to the OS from %s to %s "
        "(%s, more than twice the scavenger's delay of %s), at least %s of them idle "
        "throughout the last %s; %s had been released by then",
        range, t1, t2, d, dl, kept, win, rel);
}

int mp_detect_idle(mp_findings_t *f, const mp_replay_t *r)
{
    const mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    return mp_detect_idle_with(f, r, &o);
}
