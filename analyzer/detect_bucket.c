/*
 * detect_bucket.c — the "bucket_retention" detector (findings.h,
 * docs/retention.md): a table that grew in steps at one stack up to the
 * peak, is still live at the end after the heap fell far below its peak,
 * and is hollow (HOLLOW scan) or outlived what was allocated alongside it
 * while it grew — the seeds' Go map that keeps its 2^18 buckets after
 * every entry is deleted.
 *
 * From the replay it reads the growth chains still live at the end
 * (replay.h mp_replay_growth, built by growth.c) and, for the few chains
 * large enough to matter, one walk of the final live set to measure how
 * much of what was allocated alongside each chain is still live. A chain
 * qualifies when its block is hollow by the HOLLOW scan (zero and
 * untouched pages) or when it outlived what was allocated alongside it.
 *
 * One finding per stack (its chains added up: a stack that builds many
 * tables). Full mode only: in sampled mode a chain's steps are not in the
 * log.
 */
#include "retention.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"

/* Chains examined closely at most (the largest): bounds the walks. */
#define MAX_CANDIDATES 64

typedef struct cand {
    const mp_replay_growth_t *g;
    uint64_t along_live, along_live_n; /* alongside, still live at the end */
    const mp_replay_hollow_t *h;
    double hollow;                     /* share of the block hollow, -1 unknown */
} cand_t;

typedef struct walk {
    cand_t *c;
    size_t n;
} walk_t;

static void on_live(void *arg, const mp_replay_live_t *b)
{
    walk_t *w = arg;
    for (size_t i = 0; i < w->n; i++) {
        const mp_replay_growth_t *g = w->c[i].g;
        if (b->seq > g->first_seq && b->seq < g->last_seq && b->site != g->site) {
            w->c[i].along_live += b->bytes;
            w->c[i].along_live_n++;
        }
    }
}

/* The first table size of the chain's geometric growth at or above want:
 * what a table rebuilt for want bytes of content would take. */
static uint64_t rebuilt_size(const mp_replay_growth_t *g, double want)
{
    double q = g->steps ? pow((double)g->size / (double)g->first_size, 1.0 / g->steps) : 2.0;
    double s = (double)g->first_size;
    if (q < 1.01)
        q = 2.0;
    while (s < want && s < (double)g->size)
        s *= q;
    return s >= (double)g->size ? g->size : (uint64_t)s;
}

static int report(mp_findings_t *f, const mp_replay_t *r, const cand_t *c, uint64_t nsame,
                  uint64_t bytes_same, const mp_replay_summary_t *sum)
{
    const mp_replay_growth_t *g = c->g;
    char from[MP_HUMAN_MAX], to[MP_HUMAN_MAX], t1[MP_HUMAN_MAX], t2[MP_HUMAN_MAX];
    char peak[MP_HUMAN_MAX], end[MP_HUMAN_MAX], hol[96], along[256], more[160];
    char save1[MP_HUMAN_MAX], need[MP_HUMAN_MAX], ptr[512], advice[1024];
    double live_share; /* share of the table's content estimated live */

    mp_human_bytes(from, sizeof from, g->first_size);
    mp_human_bytes(to, sizeof to, g->size);
    mp_human_secs(t1, sizeof t1, g->first_ts);
    mp_human_secs(t2, sizeof t2, g->last_ts);
    mp_human_bytes(peak, sizeof peak, sum->peak_bytes);
    mp_human_bytes(end, sizeof end, sum->leaked_bytes);
    if (c->hollow >= 0)
        snprintf(hol, sizeof hol, "; hollow at exit: %.0f%% of its pages zero or untouched",
                 100.0 * c->hollow);
    else
        hol[0] = '\0';
    if (g->other_bytes) {
        char ab[MP_HUMAN_MAX];
        mp_human_bytes(ab, sizeof ab, g->other_bytes);
        snprintf(along, sizeof along,
                 "; the %" PRIu64 " blocks (%s) other stacks allocated while it grew are "
                 "%.0f%% freed",
                 g->other_allocs, ab,
                 100.0 * (1.0 - (double)c->along_live / (double)g->other_bytes));
    } else {
        snprintf(along, sizeof along, "; nothing else was allocated while it grew");
    }
    if (nsame > 1) {
        char b[MP_HUMAN_MAX];
        mp_human_bytes(b, sizeof b, bytes_same);
        snprintf(more, sizeof more, " (%" PRIu64 " such tables from this stack, %s in all)",
                 nsame, b);
    } else {
        more[0] = '\0';
    }

    /* Rebuild: a table sized for the content still live. Its share is the
     * non-hollow share when the log has the scan, else the share of what
     * was allocated alongside (the entries, if values are kept by pointer)
     * that is still live. */
    uint64_t mean = g->other_allocs ? g->other_bytes / g->other_allocs : 0;
    /* Values kept by pointer look like one block per entry, allocated
     * alongside: small (>= 16 B) and many, at most 64 table bytes each
     * (a slot of key and pointer, at any load). Otherwise (nothing, or a
     * few large blocks such as overflow buckets) the values look inline. */
    int by_pointer = mean >= 16 && g->other_allocs && g->size / g->other_allocs <= 64;
    double along_share = g->other_bytes ? (double)c->along_live / (double)g->other_bytes : 1.0;
    if (c->hollow >= 0)
        live_share = 1.0 - c->hollow;
    else
        live_share = along_share;
    if (by_pointer && along_share < live_share)
        live_share = along_share; /* pages with stale keys are not live entries */
    uint64_t rebuilt = rebuilt_size(g, live_share * (double)g->size);
    mp_human_bytes(need, sizeof need, rebuilt);
    mp_human_bytes(save1, sizeof save1, g->size - rebuilt);

    /* Pointers to values: slots of key + value become key + pointer. */
    if (by_pointer)
        snprintf(ptr, sizeof ptr,
                 "; the values look already kept by pointer (blocks of %" PRIu64
                 " B on average, one per %" PRIu64 " B of table, were allocated alongside "
                 "it), so rebuilding is the fix",
                 mean, g->size / g->other_allocs);
    else {
        /* Nothing per entry was allocated: values inline. Assumed slots of
         * an 8-byte key and a V-byte value; the seeds' V = 128. */
        double k = (8.0 + 128.0) / (8.0 + 8.0);
        char small[MP_HUMAN_MAX], saved[MP_HUMAN_MAX];
        mp_human_bytes(small, sizeof small, (uint64_t)((double)g->size / k));
        mp_human_bytes(saved, sizeof saved, g->size - (uint64_t)((double)g->size / k));
        snprintf(ptr, sizeof ptr,
                 ", or keep pointers to the values instead of the values inline: with "
                 "8-byte keys and 128-byte values (an assumption, the seeds' case: no block per "
                 "entry was allocated alongside it, so the values look inline) the buckets would be %.1fx smaller, "
                 "%s instead of %s (saves %s); the seeds' map[int][128]byte kept 293 MB after "
                 "deleting every entry, its pointer form 38 MB",
                 k, small, to, saved);
    }
    snprintf(advice, sizeof advice,
             "rebuild or shrink the table after the peak (copy the live entries into a new "
             "table and free this one): at the %.0f%% of its content that looks live it "
             "would need about %s, saving about %s%s",
             100.0 * live_share, need, save1, ptr);

    return mp_findings_add(f, r, "bucket_retention", bytes_same, nsame, g->site, advice,
                           "a block grew from %s to %s in %" PRIu32
                           " steps between %s and %s and is still live at %s%s; the heap "
                           "fell from %s (peak) to %s%s%s",
                           from, to, g->steps, t1, t2, sum->have_end ? "exit" : "the end of the log",
                           more, peak, end, along, hol);
}

int mp_detect_bucket_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o)
{
    const mp_replay_process_t *p = mp_replay_process(r);
    mp_replay_summary_t sum;
    cand_t c[MAX_CANDIDATES];
    size_t n = 0;
    int rc = 0;

    if (!p || p->mode == MP_MODE_SAMPLED)
        return 0;
    mp_replay_summary(r, &sum);
    if (sum.peak_bytes == 0 || sum.leaked_bytes >= sum.peak_bytes)
        return 0; /* the heap never fell below its peak */
    int fell = (double)sum.leaked_bytes <= o->bucket_heap_fall * (double)sum.peak_bytes;

    for (size_t i = 0; i < mp_replay_growth_count(r) && n < MAX_CANDIDATES; i++) {
        const mp_replay_growth_t *g = mp_replay_growth(r, i);
        if (g->size < o->bucket_min_bytes)
            break; /* largest first */
        if (g->steps < o->bucket_min_steps || g->first_size == 0)
            continue;
        memset(&c[n], 0, sizeof c[n]);
        c[n].g = g;
        c[n].hollow = -1;
        c[n].h = mp_replay_hollow(r, g->addr);
        if (c[n].h && c[n].h->size) {
            double hp = (double)(c[n].h->zero_pages + c[n].h->untouched_pages) *
                        (double)c[n].h->page_size / (double)c[n].h->size;
            c[n].hollow = hp > 1 ? 1 : hp;
        }
        n++;
    }
    if (n == 0)
        return 0;
    walk_t w = {c, n};
    mp_replay_live_walk(r, on_live, &w);

    /* Which candidates qualify; then one finding per stack. */
    int ok[MAX_CANDIDATES];
    for (size_t i = 0; i < n; i++) {
        const mp_replay_growth_t *g = c[i].g;
        /* Hollow (the scan found it mostly zero or untouched pages), or it
         * outlived what it grew with: the heap fell far, enough was
         * allocated alongside it (at least half its size) to judge, and
         * that is nearly all freed. Either one, as the issue states it: a
         * chained table at 4% load has no zero page, yet its entries are
         * gone. A table still in use keeps its entries, so it is neither. */
        double freed = g->other_bytes
                           ? 1.0 - (double)c[i].along_live / (double)g->other_bytes
                           : 0;
        int outlived =
            fell && g->other_bytes * 2 >= g->size && freed >= o->bucket_alongside_freed;
        ok[i] = (c[i].hollow >= 0 && c[i].hollow >= o->bucket_min_hollow) || outlived;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!ok[i])
            continue;
        uint64_t nsame = 0, bytes = 0;
        int first = 1;
        for (size_t j = 0; j < n; j++) {
            if (!ok[j] || c[j].g->site != c[i].g->site)
                continue;
            if (j < i)
                first = 0;
            nsame++;
            bytes += c[j].g->size;
        }
        if (first)
            rc = report(f, r, &c[i], nsame, bytes, &sum);
    }
    return rc;
}

int mp_detect_bucket(mp_findings_t *f, const mp_replay_t *r)
{
    const mp_retention_options_t o = MP_RETENTION_DEFAULTS;
    return mp_detect_bucket_with(f, r, &o);
}
