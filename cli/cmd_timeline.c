/*
 * cmd_timeline.c — `memprof timeline`: parses the options, builds the
 * report model of one log (analyzer/report.h: the replay, the findings,
 * the peak contributors symbolized) and turns it into the chart that
 * timeline_svg.c draws. This file decides what the chart shows:
 *
 *   lines   live bytes: the replay's timeline (mp_replay_timeline), each
 *           point's highest value (max_bytes), so the peak inside an
 *           interval is never lost, then its value after its last event
 *           when lower, held to the end of the log; retained bytes: the page heap's in-use
 *           bytes (pages in spans) of each SNAPSHOT; released bytes (given
 *           back to the OS) and RSS, from the same snapshots;
 *   bands   --by=class: the live bytes of the top N size classes (ranked by
 *           their highest live bytes over the run), of large objects, and
 *           of the other classes, stacked, from the snapshot series plus
 *           the model's states at the peak and at the end; snapshot lines
 *           and bands are drawn as steps (a state holds until the next one
 *           is known: a straight line between two snapshots would invent
 *           values in between);
 *           --by=stack: the replay keeps no per-stack series, so there are
 *           no bands: the legend lists the top N stacks' bytes at the peak
 *           instead (said in --help; no time series is made up);
 *   peak    summary.peak_ts / peak_bytes;
 *   markers one per finding (the largest MAX_MARKERS), where it begins:
 *           bucket_retention the last step of its growth chain (the final
 *           table's allocation); leak the site's first allocation;
 *           span_retention the peak (its evidence is "after the peak");
 *           idle_retention the first snapshot after the peak holding at
 *           least its idle bytes.
 *
 * Output: -o FILE, "-o -" for stdout, else LOG with .mpz replaced by .svg
 * (.svg appended if LOG does not end in .mpz); where it went is said on
 * stderr.
 */
#define _GNU_SOURCE
#include "cmd_timeline.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_error.h"
#include "human.h"
#include "options.h"
#include "report.h"
#include "timeline_svg.h"

#define DEFAULT_TOP 5
#define MAX_TOP 12         /* bands or stacks: more is unreadable */
#define DEFAULT_WIDTH 1100
#define DEFAULT_HEIGHT 560
#define MAX_PIXELS 20000
#define MAX_MARKERS 24     /* the largest findings get a marker */

enum { OPT_OUTPUT, OPT_BY, OPT_TOP, OPT_WIDTH, OPT_HEIGHT };

static const mp_opt_t timeline_opts[] = {
    { "output", 'o', "FILE", "write the SVG to FILE ('-': stdout; default: LOG's name, .svg)",
      OPT_OUTPUT },
    { "by", 0, "WHAT", "break live bytes down by class (default) or stack", OPT_BY },
    { "top", 0, "N", "size classes or stacks shown (default 5, at most 12)", OPT_TOP },
    { "width", 0, "PX", "image width in pixels (default 1100)", OPT_WIDTH },
    { "height", 0, "PX", "image height in pixels (default 560)", OPT_HEIGHT },
    { NULL, 0, NULL, NULL, 0 },
};

typedef struct tl_config {
    const char *output;
    int by_stack;
    size_t top;
    size_t width, height;
} tl_config_t;

void mp_cmd_timeline_help(FILE *out)
{
    fputs("Usage: memprof timeline [options] LOG\n"
          "\n"
          "Draws the program's memory over time as an SVG chart (self-contained: no\n"
          "script, no font files), from a log that memprof run wrote:\n"
          "\n"
          "  live bytes      requested bytes in use (the highest value of each interval,\n"
          "                  so the peak is never smoothed away)\n"
          "  retained bytes  the allocator's pages in spans (its in-use pages), from the\n"
          "                  allocator's snapshots\n"
          "  released bytes  pages given back to the OS\n"
          "  RSS             the process's resident set size\n"
          "\n"
          "Under the lines, the live bytes of the top size classes, large objects and\n"
          "the other classes are stacked (--by=class). With --by=stack there is no\n"
          "stacked area: the log's replay keeps no per-stack series over time, so the\n"
          "legend lists the top stacks' bytes at the peak instead.\n"
          "\n"
          "The peak of live bytes is marked with its value, and each finding of memprof\n"
          "report with its kind where it begins: a leak at its stack's first\n"
          "allocation, bucket_retention at the last growth of its table, span_retention\n"
          "at the peak, idle_retention when the idle pages appear. Hovering a marker\n"
          "shows its details. Axes: seconds since the start, and B, KiB, MiB or GiB.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, timeline_opts);
    fputs("\n"
          "Exit status: 0 the chart was written (a partial log is charted as far as it\n"
          "goes); 2 a bad command line or a log with nothing usable in it; 1 memprof\n"
          "failed (out of memory, or the output could not be written).\n",
          out);
}

/* ---- Options ----------------------------------------------------------- */

static int parse_count(const char *opt, const char *value, size_t min, size_t max, size_t *out)
{
    char *end;
    unsigned long long n;

    if (value[0] < '0' || value[0] > '9')
        goto bad;
    errno = 0;
    n = strtoull(value, &end, 10);
    if (errno || *end || n < min || n > max)
        goto bad;
    *out = (size_t)n;
    return 0;
bad:
    mp_usage_error("timeline", "bad value '%s' for --%s (expected a whole number from %zu to %zu)",
                   value, opt, min, max);
    return -MP_CLI_EUSAGE;
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    tl_config_t *c = ctx;

    switch (opt->id) {
    case OPT_OUTPUT:
        c->output = value;
        return 0;
    case OPT_BY:
        if (strcmp(value, "class") == 0)
            c->by_stack = 0;
        else if (strcmp(value, "stack") == 0)
            c->by_stack = 1;
        else {
            mp_usage_error("timeline", "bad value '%s' for --by (expected --by=class|stack)",
                           value);
            return -MP_CLI_EUSAGE;
        }
        return 0;
    case OPT_TOP:
        return parse_count("top", value, 0, MAX_TOP, &c->top);
    case OPT_WIDTH:
        return parse_count("width", value, MP_TL_MIN_WIDTH, MAX_PIXELS, &c->width);
    case OPT_HEIGHT:
        return parse_count("height", value, MP_TL_MIN_HEIGHT, MAX_PIXELS, &c->height);
    }
    return 0;
}

/* ---- The chart's data -------------------------------------------------- */

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

/* ---- The command ------------------------------------------------------- */

/* LOG with .mpz replaced by .svg, or .svg appended. NULL if out of memory. */
static char *default_output(const char *log)
{
    size_t n = strlen(log);
    char *out = malloc(n + 5);

    if (!out)
        return NULL;
    memcpy(out, log, n + 1);
    if (n > 4 && strcmp(log + n - 4, ".mpz") == 0)
        n -= 4;
    memcpy(out + n, ".svg", 5);
    return out;
}

/* Renders rep to path ("-": stdout): 0, or 1 (said why). */
static int render(const tl_config_t *c, const mp_report_t *rep, const char *path)
{
    const mp_replay_t *r = mp_report_replay(rep);
    const mp_replay_process_t *proc = mp_replay_process(r);
    mp_replay_summary_t s;
    tl_data_t d;
    mp_tl_chart_t ch;
    char title[256], sub[512];
    const char *exe, *base;
    size_t nlines, nstack = 0, nbands = 0, used = 0;
    FILE *out;
    int rc;

    memset(&d, 0, sizeof d);
    mp_replay_summary(r, &s);
    if (build_lines(r, &d, &nlines) || build_markers(rep, &d) ||
        (c->by_stack ? build_stack_notes(rep, c->top, &d)
                     : build_class_bands(r, c->top, &d, &nstack, &nbands))) {
        data_free(&d);
        fprintf(stderr, "memprof: timeline: out of memory\n");
        return 1;
    }
    exe = proc->exe && *proc->exe ? proc->exe : "?";
    base = strrchr(exe, '/');
    snprintf(title, sizeof title, "memprof timeline: %s (pid %" PRIu64 ")", base ? base + 1 : exe,
             proc->pid);
    for (uint32_t i = 0; i < proc->argc && used + 1 < sizeof sub; i++) {
        int k = snprintf(sub + used, sizeof sub - used, "%s%s", i ? " " : "", proc->argv[i]);

        if (k < 0)
            break;
        used += (size_t)k;
    }
    if (used >= sizeof sub)
        used = sizeof sub - 1;
    sub[used] = '\0';
    if (s.partial && used + 1 < sizeof sub)
        snprintf(sub + used, sizeof sub - used, "%s(partial log: charted as far as it goes)",
                 used ? "  " : "");

    ch = (mp_tl_chart_t){
        .title = title,
        .subtitle = sub[0] ? sub : NULL,
        .width = (unsigned)c->width,
        .height = (unsigned)c->height,
        .duration_ns = s.duration_ns,
        .nlines = nlines,
        .lines = d.lines,
        .nstack = nstack,
        .stack_ts = d.stack_ts,
        .nbands = nbands,
        .bands = d.bands,
        .stack_caption = "live bytes by size class (stacked):",
        .stack_step = 1,
        .have_peak = s.peak_bytes > 0,
        .peak_ts = s.peak_ts,
        .peak_bytes = s.peak_bytes,
        .nmarkers = d.nmarkers,
        .markers = d.markers,
        .nnotes = d.nnotes,
        .notes = (const char *const *)d.notes,
        .notes_caption = "at the peak, by stack (no series):",
    };

    if (strcmp(path, "-") == 0) {
        out = stdout;
    } else {
        out = fopen(path, "w");
        if (!out) {
            fprintf(stderr, "memprof: timeline: cannot write %s: %s\n", path, strerror(errno));
            data_free(&d);
            return 1;
        }
    }
    rc = mp_tl_render(out, &ch);
    if (out != stdout) {
        if (fclose(out) != 0)
            rc = -1;
    } else if (fflush(out) != 0) {
        rc = -1;
    }
    data_free(&d);
    if (rc) {
        fprintf(stderr, "memprof: timeline: error writing %s\n",
                out == stdout ? "to stdout" : path);
        return 1;
    }
    if (nlines == 1)
        fprintf(stderr, "memprof: timeline: the log has no allocator snapshot: only live bytes "
                        "are charted\n");
    if (out != stdout)
        fprintf(stderr, "memprof: timeline: wrote %s\n", path);
    return 0;
}

int mp_cmd_timeline(int argc, char **argv, int *exit_status)
{
    tl_config_t c = { .top = DEFAULT_TOP, .width = DEFAULT_WIDTH, .height = DEFAULT_HEIGHT };
    mp_report_options_t o;
    mp_report_t *rep;
    mp_log_error_t err;
    const char *log = NULL;
    char *path = NULL;
    int rc;

    /* Options may come before and after the log: `memprof timeline LOG -o F`. */
    int help;
    rc = mp_opts_parse_single("timeline", timeline_opts, argc, argv, on_option, &c, &help, &log);
    if (rc)
        return rc;
    if (help) {
        mp_cmd_timeline_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (!log) {
        mp_usage_error("timeline", "no log to chart (usage: memprof timeline LOG [-o FILE]; see "
                                   "memprof timeline --help)");
        return -MP_CLI_EUSAGE;
    }

    memset(&o, 0, sizeof o);
    o.top = c.top ? c.top : 1;
    o.sym.demangle = true;
    rc = mp_report_build(log, &o, &rep, &err);
    if (rc == MP_ELOG_NOMEM) {
        fprintf(stderr, "memprof: timeline: %s: %s\n", log, err.msg);
        *exit_status = 1;
        return 0;
    }
    if (rc) {
        fprintf(stderr, "memprof: timeline: %s: nothing to chart: %s\n", log, err.msg);
        *exit_status = 2;
        return 0;
    }
    if (!c.output) {
        path = default_output(log);
        if (!path) {
            mp_report_free(rep);
            fprintf(stderr, "memprof: timeline: out of memory\n");
            *exit_status = 1;
            return 0;
        }
    }
    *exit_status = render(&c, rep, c.output ? c.output : path);
    free(path);
    mp_report_free(rep);
    return 0;
}
