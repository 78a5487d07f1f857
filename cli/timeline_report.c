/*
 * timeline_report.c — see timeline_report.h. The arrays the chart points
 * to are made here, one allocation each, and freed by mp_tl_report_free.
 */
#define _GNU_SOURCE
#include "timeline_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"

#define MAX_TOP 12         /* bands or stacks: more is unreadable */
#define MAX_MARKERS 24     /* the largest findings get a marker */

static const char *const band_colors[] = {
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6", "#8cd17d", "#d4a6c8",
};
#define LARGE_COLOR "#a0cbe8"
#define OTHER_COLOR "#bab0ac"

/* Everything the chart points to, freed together. */
typedef struct tl_data {
    uint64_t *live_ts, *live;             /* the live-bytes line */
    uint64_t *snap_ts, *in_use, *released, *rss; /* the snapshot lines */
    const mp_replay_heap_t **states;      /* heap states for the bands */
    uint64_t *stack_ts;
    uint64_t *band_bytes;                 /* nbands * nstates */
    char (*band_names)[64];
    mp_tl_band_t *bands;
    mp_tl_marker_t *markers;
    char **tooltips;
    size_t nmarkers;
    char **notes;
    size_t nnotes;
    mp_tl_line_t lines[4];
} tl_data_t;

static void data_free(tl_data_t *d)
{
    free(d->live_ts);
    free(d->live);
    free(d->snap_ts);
    free(d->in_use);
    free(d->released);
    free(d->rss);
    free(d->states);
    free(d->stack_ts);
    free(d->band_bytes);
    free(d->band_names);
    free(d->bands);
    for (size_t i = 0; i < d->nmarkers; i++)
        free(d->tooltips[i]);
    free(d->tooltips);
    free(d->markers);
    for (size_t i = 0; i < d->nnotes; i++)
        free(d->notes[i]);
    free(d->notes);
}

/* The heap states for the bands: the snapshot series, with the states at
 * the peak and at the end put in their place in time (skipped when a
 * state of the same time is there already). Returns their count. */
static size_t collect_states(const mp_replay_t *r, const mp_replay_heap_t **out)
{
    const mp_replay_heap_t *extra[2] = { mp_replay_heap_at_peak(r), mp_replay_heap_final(r) };
    size_t n = 0;

    for (size_t i = 0; i < mp_replay_heap_count(r); i++)
        out[n++] = mp_replay_heap(r, i);
    for (size_t e = 0; e < 2; e++) {
        size_t at = n;
        int dup = 0;

        if (!extra[e])
            continue;
        for (size_t i = 0; i < n; i++) {
            if (out[i]->ts == extra[e]->ts)
                dup = 1;
            if (out[i]->ts > extra[e]->ts) {
                at = i;
                break;
            }
        }
        if (dup)
            continue;
        memmove(&out[at + 1], &out[at], (n - at) * sizeof *out);
        out[at] = extra[e];
        n++;
    }
    return n;
}

static int build_lines(const mp_replay_t *r, tl_data_t *d, size_t *nlines)
{
    const mp_replay_point_t *pt;
    size_t np = mp_replay_timeline(r, &pt), nh = mp_replay_heap_count(r), ns = 0, nl = 0;
    mp_replay_summary_t s;

    mp_replay_summary(r, &s);
    d->live_ts = malloc((2 * np + 1) * sizeof *d->live_ts);
    d->live = malloc((2 * np + 1) * sizeof *d->live);
    d->snap_ts = malloc((nh + 1) * sizeof *d->snap_ts);
    d->in_use = malloc((nh + 1) * sizeof *d->in_use);
    d->released = malloc((nh + 1) * sizeof *d->released);
    d->rss = malloc((nh + 1) * sizeof *d->rss);
    if (!d->live_ts || !d->live || !d->snap_ts || !d->in_use || !d->released || !d->rss)
        return -1;
    /* Each point: its interval's highest value, then (if lower) the value
     * after its last event, so that both the peak and a fall inside one
     * interval show; then the last value held to the end of the log (no
     * event, no change). */
    for (size_t i = 0; i < np; i++) {
        d->live_ts[nl] = pt[i].ts;
        d->live[nl++] = pt[i].max_bytes;
        if (pt[i].bytes != pt[i].max_bytes) {
            d->live_ts[nl] = pt[i].ts;
            d->live[nl++] = pt[i].bytes;
        }
    }
    if (nl && s.duration_ns > d->live_ts[nl - 1]) {
        d->live_ts[nl] = s.duration_ns;
        d->live[nl] = d->live[nl - 1];
        nl++;
    }
    for (size_t i = 0; i < nh; i++) {
        const mp_replay_heap_t *h = mp_replay_heap(r, i);

        if (!h->have_snapshot)
            continue;
        d->snap_ts[ns] = h->ts;
        d->in_use[ns] = h->in_use;
        d->released[ns] = h->released;
        d->rss[ns] = h->rss;
        ns++;
    }
    d->lines[0] = (mp_tl_line_t){ "live bytes", "#1f77b4", 0, 0, nl, d->live_ts, d->live };
    *nlines = 1;
    if (ns) {
        d->lines[1] = (mp_tl_line_t){ "retained bytes (pages in spans)", "#d62728", 0, 1, ns,
                                      d->snap_ts, d->in_use };
        d->lines[2] = (mp_tl_line_t){ "released bytes (to the OS)", "#2ca02c", 1, 1, ns, d->snap_ts,
                                      d->released };
        d->lines[3] = (mp_tl_line_t){ "RSS", "#555555", 1, 1, ns, d->snap_ts, d->rss };
        *nlines = 4;
    }
    return 0;
}

/* Bands by size class: large objects, the top classes, the others. */
static int build_class_bands(const mp_replay_t *r, size_t top, tl_data_t *d, size_t *nstack,
                             size_t *nbands)
{
    size_t n, maxc = 0, ntop = 0, nb, b;
    uint32_t topc[MAX_TOP];
    uint64_t topmax[MAX_TOP], large = 0;

    *nstack = *nbands = 0;
    d->states = malloc((mp_replay_heap_count(r) + 2) * sizeof *d->states);
    if (!d->states)
        return -1;
    n = collect_states(r, d->states);
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (d->states[i]->nclasses > maxc)
            maxc = d->states[i]->nclasses;
        if (d->states[i]->large_bytes > large)
            large = d->states[i]->large_bytes;
    }
    /* The top classes by their highest live bytes; ties to the smaller class. */
    for (uint32_t ci = 0; ci < maxc; ci++) {
        uint64_t m = 0;
        size_t at;

        for (size_t i = 0; i < n; i++)
            if (ci < d->states[i]->nclasses && d->states[i]->classes[ci].live_bytes > m)
                m = d->states[i]->classes[ci].live_bytes;
        if (m == 0)
            continue;
        for (at = ntop; at > 0 && topmax[at - 1] < m; at--)
            ;
        if (at >= top)
            continue;
        if (ntop < top)
            ntop++;
        memmove(&topc[at + 1], &topc[at], (ntop - 1 - at) * sizeof *topc);
        memmove(&topmax[at + 1], &topmax[at], (ntop - 1 - at) * sizeof *topmax);
        topc[at] = ci;
        topmax[at] = m;
    }
    nb = ntop + 2; /* large objects first (at the bottom), other classes last */
    d->stack_ts = malloc(n * sizeof *d->stack_ts);
    d->band_bytes = calloc(nb * n, sizeof *d->band_bytes);
    d->band_names = calloc(nb, sizeof *d->band_names);
    d->bands = calloc(nb, sizeof *d->bands);
    if (!d->stack_ts || !d->band_bytes || !d->band_names || !d->bands)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const mp_replay_heap_t *h = d->states[i];
        uint64_t intop = 0;

        d->stack_ts[i] = h->ts;
        d->band_bytes[0 * n + i] = h->large_bytes;
        for (size_t k = 0; k < ntop; k++) {
            uint64_t v = topc[k] < h->nclasses ? h->classes[topc[k]].live_bytes : 0;

            d->band_bytes[(1 + k) * n + i] = v;
            intop += v;
        }
        d->band_bytes[(nb - 1) * n + i] = h->live_bytes > intop ? h->live_bytes - intop : 0;
    }
    b = 0;
    if (large) {
        snprintf(d->band_names[b], sizeof d->band_names[b], "large objects");
        d->bands[b] = (mp_tl_band_t){ d->band_names[b], LARGE_COLOR, &d->band_bytes[0] };
        b++;
    }
    for (size_t k = 0; k < ntop; k++) {
        uint64_t size = 0;

        for (size_t i = 0; i < n && !size; i++)
            if (topc[k] < d->states[i]->nclasses)
                size = d->states[i]->classes[topc[k]].size;
        snprintf(d->band_names[b], sizeof d->band_names[b], "class %" PRIu32 " (%" PRIu64 " B)",
                 topc[k] + 1, size);
        d->bands[b] = (mp_tl_band_t){ d->band_names[b], band_colors[k % (sizeof band_colors /
                                                                          sizeof *band_colors)],
                                      &d->band_bytes[(1 + k) * n] };
        b++;
    }
    for (size_t i = 0; i < n; i++)
        if (d->band_bytes[(nb - 1) * n + i]) {
            snprintf(d->band_names[b], sizeof d->band_names[b], "other classes");
            d->bands[b] = (mp_tl_band_t){ d->band_names[b], OTHER_COLOR,
                                          &d->band_bytes[(nb - 1) * n] };
            b++;
            break;
        }
    *nstack = n;
    *nbands = b;
    return 0;
}

/* "make_bucket_array (gomap.c:274)", or the address. */
static void frame_text(char *buf, size_t cap, const mp_report_stack_t *st)
{
    const mp_frame_t *f;
    const char *file;

    if (!st || st->nframes == 0) {
        snprintf(buf, cap, "(no stack)");
        return;
    }
    f = &st->frames[0];
    file = f->file ? strrchr(f->file, '/') : NULL;
    file = file ? file + 1 : f->file;
    if (f->function && file && f->line)
        snprintf(buf, cap, "%s (%s:%" PRIu32 ")", f->function, file, f->line);
    else if (f->function)
        snprintf(buf, cap, "%s", f->function);
    else
        snprintf(buf, cap, "0x%" PRIx64, f->pc);
}

/* --by=stack: the top stacks at the peak, as legend notes. */
static int build_stack_notes(const mp_report_t *rep, size_t top, tl_data_t *d)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_PEAK);
    size_t n = l->n < top ? l->n : top;

    d->notes = calloc(n + 2, sizeof *d->notes);
    if (!d->notes)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char b[MP_HUMAN_MAX], fr[160];

        mp_human_bytes(b, sizeof b, l->v[i].site->peak_bytes);
        frame_text(fr, sizeof fr, l->v[i].stack);
        if (asprintf(&d->notes[d->nnotes], "%s  %s", b, fr) < 0)
            return -1;
        d->nnotes++;
    }
    if (l->total > n) {
        if (asprintf(&d->notes[d->nnotes], "(and %zu more stacks)", l->total - n) < 0)
            return -1;
        d->nnotes++;
    }
    return 0;
}

/* When finding f begins (see the file's comment). */
static uint64_t finding_ts(const mp_replay_t *r, const mp_finding_t *f)
{
    mp_replay_summary_t s;
    const mp_replay_site_t *site =
        f->site != MP_FINDING_NO_SITE ? mp_replay_site(r, f->site) : NULL;

    mp_replay_summary(r, &s);
    if (strcmp(f->kind, "bucket_retention") == 0 && f->site != MP_FINDING_NO_SITE) {
        /* Largest chain first: the first at the site is the finding's. */
        for (size_t i = 0; i < mp_replay_growth_count(r); i++) {
            const mp_replay_growth_t *g = mp_replay_growth(r, i);

            if (g->site == f->site)
                return g->last_ts;
        }
    }
    if (strcmp(f->kind, "span_retention") == 0)
        return s.peak_ts;
    if (strcmp(f->kind, "idle_retention") == 0) {
        for (size_t i = 0; i < mp_replay_heap_count(r); i++) {
            const mp_replay_heap_t *h = mp_replay_heap(r, i);

            if (h->ts >= s.peak_ts && h->idle >= f->bytes)
                return h->ts;
        }
        return s.peak_ts;
    }
    return site ? site->first_ts : 0;
}

static int build_markers(const mp_report_t *rep, tl_data_t *d)
{
    const mp_replay_t *r = mp_report_replay(rep);
    size_t n = mp_report_finding_count(rep);

    if (n > MAX_MARKERS)
        n = MAX_MARKERS;
    d->markers = calloc(n + 1, sizeof *d->markers);
    d->tooltips = calloc(n + 1, sizeof *d->tooltips);
    if (!d->markers || !d->tooltips)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const mp_report_finding_t *rf = mp_report_finding(rep, i);
        char b[MP_HUMAN_MAX], t[MP_HUMAN_MAX], fr[160];
        uint64_t ts = finding_ts(r, rf->f);

        mp_human_bytes(b, sizeof b, rf->f->bytes);
        mp_human_secs(t, sizeof t, ts);
        frame_text(fr, sizeof fr, rf->stack);
        if (asprintf(&d->tooltips[i], "%s, %s%s%s, from %s: %s", rf->f->kind, b,
                     rf->stack ? " at " : "", rf->stack ? fr : "", t,
                     rf->f->evidence ? rf->f->evidence : "") < 0)
            return -1;
        d->markers[i] = (mp_tl_marker_t){ ts, rf->f->kind, d->tooltips[i] };
        d->nmarkers++;
    }
    return 0;
}

struct mp_tl_report {
    tl_data_t d;
    mp_tl_chart_t chart;
    char title[256], sub[512];
};

void mp_tl_report_free(mp_tl_report_t *tr)
{
    if (!tr)
        return;
    data_free(&tr->d);
    free(tr);
}

mp_tl_chart_t *mp_tl_report_chart(mp_tl_report_t *tr)
{
    return &tr->chart;
}

int mp_tl_report_build(const mp_report_t *rep, const mp_tl_report_options_t *o,
                       mp_tl_report_t **out)
{
    const mp_replay_t *r = mp_report_replay(rep);
    const mp_replay_process_t *proc = mp_replay_process(r);
    mp_tl_report_t *tr = calloc(1, sizeof *tr);
    mp_replay_summary_t s;
    const char *exe, *base;
    size_t nlines = 0, nstack = 0, nbands = 0, used = 0, top = o->top < MAX_TOP ? o->top : MAX_TOP;

    *out = NULL;
    if (!tr)
        return -1;
    mp_replay_summary(r, &s);
    if (build_lines(r, &tr->d, &nlines) || build_markers(rep, &tr->d) ||
        (o->by_stack ? build_stack_notes(rep, top, &tr->d)
                     : build_class_bands(r, top, &tr->d, &nstack, &nbands))) {
        mp_tl_report_free(tr);
        return -1;
    }
    exe = proc->exe && *proc->exe ? proc->exe : "?";
    base = strrchr(exe, '/');
    snprintf(tr->title, sizeof tr->title, "memprof timeline: %s (pid %" PRIu64 ")",
             base ? base + 1 : exe, proc->pid);
    for (uint32_t i = 0; i < proc->argc && used + 1 < sizeof tr->sub; i++) {
        int k = snprintf(tr->sub + used, sizeof tr->sub - used, "%s%s", i ? " " : "",
                         proc->argv[i]);

        if (k < 0)
            break;
        used += (size_t)k;
    }
    if (used >= sizeof tr->sub)
        used = sizeof tr->sub - 1;
    tr->sub[used] = '\0';
    if (s.partial && used + 1 < sizeof tr->sub)
        snprintf(tr->sub + used, sizeof tr->sub - used, "%s(partial log: charted as far as it goes)",
                 used ? "  " : "");

    tr->chart = (mp_tl_chart_t){
        .title = tr->title,
        .subtitle = tr->sub[0] ? tr->sub : NULL,
        .width = o->width,
        .height = o->height,
        .duration_ns = s.duration_ns,
        .nlines = nlines,
        .lines = tr->d.lines,
        .nstack = nstack,
        .stack_ts = tr->d.stack_ts,
        .nbands = nbands,
        .bands = tr->d.bands,
        .stack_caption = "live bytes by size class (stacked):",
        .stack_step = 1,
        .have_peak = s.peak_bytes > 0,
        .peak_ts = s.peak_ts,
        .peak_bytes = s.peak_bytes,
        .nmarkers = tr->d.nmarkers,
        .markers = tr->d.markers,
        .nnotes = tr->d.nnotes,
        .notes = (const char *const *)tr->d.notes,
        .notes_caption = "at the peak, by stack (no series):",
    };
    *out = tr;
    return 0;
}
