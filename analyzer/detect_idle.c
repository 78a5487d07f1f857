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
 * Reads the kept heap states (replay.h mp_replay_heap) that come from a
 * SNAPSHOT; one finding, for the longest stretch.
 */
#include "retention.h"

#include <inttypes.h>
#include <stdio.h>

#include "human.h"

int mp_detect_idle_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o)
{
    size_t n = mp_replay_heap_count(r);
    uint64_t best_from = 0, best_to = 0, best_min = 0, best_max = 0;
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
            if (h->snapshot_ts - from > 2 * o->idle_scavenge_delay_ns &&
                (!found || h->snapshot_ts - from > best_to - best_from)) {
                found = 1;
                best_from = from;
                best_to = h->snapshot_ts;
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
        "(%s, more than twice the scavenger's delay of %s); %s had been released by then",
        range, t1, t2, d, dl, rel);
}

int mp_detect_idle(mp_findings_t *f, const mp_replay_t *r)
{
    const mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    return mp_detect_idle_with(f, r, &o);
}
