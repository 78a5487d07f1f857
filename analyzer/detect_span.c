/*
 * detect_span.c — the "span_retention" detector (findings.h,
 * docs/retention.md): a size class whose retained bytes (the spans it
 * holds) stay several times its live bytes after the peak, because a few
 * surviving objects pin its spans: a span goes back to the page heap only
 * when its last object is freed.
 *
 * From the class model (replay.h mp_replay_heap: per class, retained and
 * live over time) it takes the classes that hold the condition at the end
 * and at every kept heap state of the run's last span_tail after the peak;
 * one walk of the final live set names the survivors' stacks.
 *
 * Figures: spans pinned = the class's spans at the end; bytes that would
 * come back = retained - the live objects packed into whole spans.
 */
#include "retention.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"

/* Survivor stacks named in the evidence at most. */
#define MAX_NAMED 3

typedef struct surv {
    uint64_t lo, hi;      /* class sizes: lo < size <= hi */
    uint64_t *blocks;     /* per site */
    uint64_t *bytes;
    size_t nsites;
} surv_t;

static void on_live(void *arg, const mp_replay_live_t *b)
{
    surv_t *s = arg;
    if (b->size > s->lo && b->size <= s->hi && b->site < s->nsites) {
        s->blocks[b->site]++;
        s->bytes[b->site] += b->bytes;
    }
}

static int pinned(const mp_replay_class_t *c, const mp_retention_options_t *o)
{
    return c->live_objects > 0 && c->retained_bytes >= c->live_bytes + o->span_min_bytes &&
           (double)c->retained_bytes >= o->span_ratio * (double)c->live_bytes;
}

static int one_class(mp_findings_t *f, const mp_replay_t *r, const mp_replay_heap_t *fin,
                     uint32_t ci, uint64_t since, uint64_t page)
{
    const mp_replay_class_t *c = &fin->classes[ci];
    surv_t s;
    int rc = 0;

    s.lo = ci > 0 ? fin->classes[ci - 1].size : 0;
    s.hi = c->size;
    s.nsites = mp_replay_site_count(r);
    s.blocks = calloc(s.nsites ? s.nsites : 1, sizeof *s.blocks);
    s.bytes = calloc(s.nsites ? s.nsites : 1, sizeof *s.bytes);
    if (!s.blocks || !s.bytes) {
        free(s.blocks);
        free(s.bytes);
        return MP_ELOG_NOMEM;
    }
    mp_replay_live_walk(r, on_live, &s);

    /* The top survivors, by blocks. */
    size_t top[MAX_NAMED], ntop = 0, nstacks = 0;
    for (size_t i = 0; i < s.nsites; i++) {
        if (!s.blocks[i])
            continue;
        nstacks++;
        size_t k = ntop < MAX_NAMED ? ntop++ : MAX_NAMED;
        if (k == MAX_NAMED && s.blocks[i] <= s.blocks[top[MAX_NAMED - 1]])
            continue;
        if (k == MAX_NAMED)
            k = MAX_NAMED - 1;
        while (k > 0 && s.blocks[top[k - 1]] < s.blocks[i]) {
            top[k] = top[k - 1];
            k--;
        }
        top[k] = i;
    }
    char names[96 * MAX_NAMED + 64];
    size_t len = 0;
    names[0] = '\0';
    for (size_t k = 0; k < ntop; k++) {
        const mp_replay_site_t *st = mp_replay_site(r, top[k]);
        /* The first is the finding's own stack, which the views show under
         * it; the others can only be named by their id in the log. */
        if (k == 0)
            len += (size_t)snprintf(names + len, sizeof names - len,
                                    "the stack shown (%" PRIu64 " block%s)", s.blocks[top[k]],
                                    s.blocks[top[k]] == 1 ? "" : "s");
        else
            len += (size_t)snprintf(names + len, sizeof names - len,
                                    ", stack %" PRIu64 " (%" PRIu64 " block%s)",
                                    st ? st->stack_id : 0, s.blocks[top[k]],
                                    s.blocks[top[k]] == 1 ? "" : "s");
    }
    if (nstacks > ntop)
        snprintf(names + len, sizeof names - len, " and %zu other stack%s", nstacks - ntop,
                 nstacks - ntop == 1 ? "" : "s");
    if (!ntop)
        snprintf(names, sizeof names, "stacks the log does not show (sampled out)");

    uint64_t span_bytes = c->span_pages * page;
    uint64_t per_span = span_bytes && c->size ? span_bytes / c->size : 0;
    uint64_t need = per_span ? (c->live_objects + per_span - 1) / per_span * span_bytes
                             : c->live_bytes;
    uint64_t back = c->retained_bytes > need ? c->retained_bytes - need : 0;
    char ret[MP_HUMAN_MAX], live[MP_HUMAN_MAX], bk[MP_HUMAN_MAX], t[MP_HUMAN_MAX + 32];
    char advice[512];
    mp_human_bytes(ret, sizeof ret, c->retained_bytes);
    mp_human_bytes(live, sizeof live, c->live_bytes);
    mp_human_bytes(bk, sizeof bk, back);
    if (since >= fin->ts)
        snprintf(t, sizeof t, "at the end");
    else {
        char a[MP_HUMAN_MAX];
        mp_human_secs(a, sizeof a, since);
        snprintf(t, sizeof t, "from %s to the end", a);
    }
    snprintf(advice, sizeof advice,
             "free these survivors, or allocate them apart from the short-lived objects of "
             "this size (a pool or arena of their own, or allocated before the peak's "
             "burst): their %" PRIu64 " spans would shrink to %" PRIu64
             " and about %s would come back",
             c->spans, span_bytes ? need / span_bytes : 0, bk);
    rc = mp_findings_add(f, r, "span_retention", back, c->live_objects,
                         ntop ? top[0] : MP_FINDING_NO_SITE, advice,
                         "size class %" PRIu32 " (%" PRIu64 "-byte objects, %" PRIu64
                         "-page spans) holds %s in %" PRIu64 " spans for %s live (%.1fx) "
                         "%s, after the peak; its %" PRIu64
                         " live objects, from %s, pin those spans",
                         ci + 1, c->size, c->span_pages, ret, c->spans, live,
                         c->live_bytes ? (double)c->retained_bytes / (double)c->live_bytes : 0.0,
                         t, c->live_objects, names);
    free(s.blocks);
    free(s.bytes);
    return rc;
}

int mp_detect_span_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o)
{
    const mp_replay_heap_t *fin = mp_replay_heap_final(r);
    const mp_replay_process_t *p = mp_replay_process(r);
    mp_replay_summary_t sum;

    if (!fin || !p || !fin->classes)
        return 0;
    mp_replay_summary(r, &sum);
    if (fin->ts < sum.peak_ts)
        return 0;
    uint64_t page = p->heap_page_size ? p->heap_page_size : 8192;
    /* The window: the last span_tail of the run, but not before the peak. */
    uint64_t tail = (uint64_t)(o->span_tail * (double)sum.duration_ns);
    uint64_t since = sum.duration_ns > tail ? sum.duration_ns - tail : 0;
    if (since < sum.peak_ts)
        since = sum.peak_ts;

    for (uint32_t ci = 0; ci < fin->nclasses; ci++) {
        if (!fin->classes[ci].size || !pinned(&fin->classes[ci], o))
            continue;
        /* Sustained: every kept heap state in the window holds it too. */
        int held = 1;
        uint64_t from = fin->ts;
        for (size_t i = 0; i < mp_replay_heap_count(r) && held; i++) {
            const mp_replay_heap_t *h = mp_replay_heap(r, i);
            if (h->ts < since)
                continue;
            if (ci >= h->nclasses || !pinned(&h->classes[ci], o))
                held = 0;
            else if (h->ts < from)
                from = h->ts;
        }
        if (!held)
            continue;
        int rc = one_class(f, r, fin, ci, from, page);
        if (rc)
            return rc;
    }
    return 0;
}

int mp_detect_span(mp_findings_t *f, const mp_replay_t *r)
{
    const mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    return mp_detect_span_with(f, r, &o);
}
