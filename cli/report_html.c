/*
 * report_html.c — see report_html.h. The words are the text report's
 * where it has them to share (report_view.h: frames, how the process
 * ended, wall-clock times); the pictures are the timeline's and the flame
 * graph's own writers, asked for an SVG fragment to inline.
 *
 * Everything from the log is written through mp_xml_text (xml_text.h);
 * the fixed markup here holds no '<' or '&' of the log's.
 */
#define _GNU_SOURCE
#include "report_html.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flame_report.h"
#include "flame_svg.h"
#include "human.h"
#include "timeline_report.h"
#include "xml_text.h"

#define TL_WIDTH 1100
#define TL_HEIGHT 520
#define TL_TOP 5
#define FLAME_WIDTH 1200

typedef struct page {
    FILE *out;
    const mp_report_t *rep;
    const mp_view_options_t *o;
    const mp_replay_t *r;
    mp_replay_summary_t sum;
    int sampled;
} page_t;

static const char style[] =
    "<style>\n"
    "body { font: 14px/1.45 sans-serif; color: #222; background: #fff; max-width: 1240px;\n"
    "       margin: 0 auto; padding: 0 16px 40px; }\n"
    "h1 { font-size: 22px; margin: 18px 0 6px; }\n"
    "h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 3px; margin-top: 30px; }\n"
    "h3 { font-size: 15px; margin: 14px 0 4px; }\n"
    "nav a { margin-right: 14px; }\n"
    "table { border-collapse: collapse; }\n"
    "th, td { padding: 2px 14px 2px 0; text-align: left; vertical-align: top; }\n"
    "th { border-bottom: 1px solid #ddd; }\n"
    ".n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
    ".kv th { border: 0; font-weight: normal; color: #555; }\n"
    ".note { color: #8a5a00; }\n"
    ".leak { color: #c0392b; font-weight: bold; }\n"
    ".finding { border-left: 4px solid #e15759; background: #fdf5f5; padding: 4px 12px;\n"
    "           margin: 10px 0; }\n"
    ".finding h3 { margin-top: 4px; }\n"
    ".finding p { margin: 4px 0; }\n"
    "ol.stack { font: 12.5px/1.4 monospace; margin: 2px 0 6px; padding-left: 28px; }\n"
    "details summary { cursor: pointer; font: 12.5px monospace; }\n"
    "svg { max-width: 100%; height: auto; display: block; }\n"
    "</style>\n";

/* ---- Words ------------------------------------------------------------- */

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash && slash[1] ? slash + 1 : path;
}

static void put_bytes(page_t *p, uint64_t bytes)
{
    char b[MP_HUMAN_MAX];

    fputs(mp_human_bytes(b, sizeof b, bytes), p->out);
}

static void put_secs(page_t *p, uint64_t ns)
{
    char b[MP_HUMAN_MAX];

    fputs(mp_human_secs(b, sizeof b, ns), p->out);
}

/* A frame as the text report words it, escaped. */
static void put_frame(page_t *p, const mp_frame_t *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    if (!mem)
        return;
    mp_view_frame(mem, f);
    if (fclose(mem) == 0)
        mp_xml_text_n(p->out, buf, len);
    free(buf);
}

/* How the process ended, escaped (a signal's name comes from libc). */
static void put_end(page_t *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    if (!mem)
        return;
    mp_view_end(mem, &p->sum);
    if (fclose(mem) == 0)
        mp_xml_text_n(p->out, buf, len);
    free(buf);
}

static void put_stack(page_t *p, const mp_report_stack_t *s)
{
    size_t shown;

    if (!s || s->nframes == 0) {
        fputs(s && s->stack_id ? "<p class=\"note\">(every frame is memprof's own)</p>\n"
                               : "<p class=\"note\">(no stack recorded)</p>\n",
              p->out);
        return;
    }
    shown = s->nframes;
    if (p->o->depth && shown > p->o->depth)
        shown = p->o->depth;
    fputs("<ol class=\"stack\">", p->out);
    for (size_t i = 0; i < shown; i++) {
        fputs("<li>", p->out);
        put_frame(p, &s->frames[i]);
        fputs("</li>", p->out);
    }
    fputs("</ol>\n", p->out);
    if (shown < s->nframes)
        fprintf(p->out, "<p class=\"note\">... %zu more frame%s (--depth)</p>\n",
                s->nframes - shown, plural(s->nframes - shown, "", "s"));
}

/* A stack folded away under its first frame. */
static void put_stack_details(page_t *p, const mp_report_stack_t *s)
{
    fputs("<details><summary>", p->out);
    if (s && s->nframes)
        put_frame(p, &s->frames[0]);
    else
        fputs("(no stack)", p->out);
    fputs("</summary>", p->out);
    put_stack(p, s);
    fputs("</details>", p->out);
}

/* ---- Header and summary ------------------------------------------------ */

static void header(page_t *p)
{
    const mp_replay_process_t *pr = mp_replay_process(p->r);
    char when[64];

    fputs("<h1>memprof report: process ", p->out);
    fprintf(p->out, "%" PRIu64 " (", pr->pid);
    mp_xml_text(p->out, pr->argc ? base_name(pr->argv[0]) : base_name(pr->exe));
    fputs(")</h1>\n<table class=\"kv\">\n<tr><th>command</th><td id=\"command\">", p->out);
    for (uint32_t i = 0; i < pr->argc; i++) {
        if (i)
            fputc(' ', p->out);
        mp_xml_text(p->out, pr->argv[i]);
    }
    if (!pr->argc)
        mp_xml_text(p->out, pr->exe);
    fputs("</td></tr>\n<tr><th>program</th><td>", p->out);
    mp_xml_text(p->out, pr->exe);
    fprintf(p->out, "</td></tr>\n<tr><th>parent</th><td>pid %" PRIu64 "</td></tr>\n", pr->ppid);
    fputs("<tr><th>started</th><td>", p->out);
    mp_xml_text(p->out, mp_view_wall_time(when, sizeof when, pr->start_real_ns));
    fputs("</td></tr>\n<tr><th>log</th><td>", p->out);
    mp_xml_text(p->out, mp_report_path(p->rep));
    fputs(" (", p->out);
    put_bytes(p, p->sum.file_size);
    fputs("), ", p->out);
    put_end(p);
    fputs("</td></tr>\n", p->out);
    if (p->sampled) {
        fputs("<tr><th>mode</th><td>sampled, one sample per ", p->out);
        put_bytes(p, pr->sample_interval);
        fputs(" on average: bytes and counts are estimates</td></tr>\n", p->out);
    }
    fputs("</table>\n", p->out);
    if (p->sum.partial) {
        fprintf(p->out, "<p class=\"note\">partial: the log ends at byte %" PRIu64 " (",
                p->sum.stop.offset);
        mp_xml_text(p->out, p->sum.stop.code ? p->sum.stop.msg : "no END record: the process "
                                                                  "was killed, or still runs");
        fputs("); figures cover what was recorded until then</p>\n", p->out);
    }
    if (p->sum.lost_events)
        fprintf(p->out, "<p class=\"note\">%" PRIu64 " event%s could not be recorded (LOST "
                        "records): the figures miss them</p>\n",
                p->sum.lost_events, plural(p->sum.lost_events, "", "s"));
    fputs("<nav><a href=\"#summary\">Summary</a><a href=\"#findings\">Findings</a>"
          "<a href=\"#timeline\">Timeline</a><a href=\"#flamegraph\">Flame graph</a>"
          "<a href=\"#stacks\">Stacks</a><a href=\"#classes\">Size classes</a></nav>\n",
          p->out);
}

static void row_start(page_t *p, const char *name)
{
    fprintf(p->out, "<tr><th>%s</th><td>", name);
}

static void summary(page_t *p)
{
    const mp_report_facts_t *f = mp_report_facts(p->rep);
    const mp_report_list_t *leaks = mp_report_list(p->rep, MP_REPORT_LEAKS);
    const char *est = p->sampled ? "~" : "", *smp = p->sampled ? " sampled" : "";

    fputs("<section id=\"summary\"><h2>Summary</h2>\n<table class=\"kv\">\n", p->out);
    row_start(p, "duration");
    put_secs(p, p->sum.duration_ns);
    fputs("</td></tr>\n", p->out);
    row_start(p, "allocations");
    fprintf(p->out, "%s%" PRIu64 ", ", est, f->alloc_count);
    put_bytes(p, p->sum.bytes_allocated);
    if (p->sum.reallocs)
        fprintf(p->out, " (%" PRIu64 " by realloc)", p->sum.reallocs);
    fputs("</td></tr>\n", p->out);
    row_start(p, "frees");
    fprintf(p->out, "%" PRIu64 "%s, ", f->free_count, smp);
    put_bytes(p, p->sum.bytes_freed);
    fputs("</td></tr>\n", p->out);
    row_start(p, "temporary");
    fprintf(p->out, "%" PRIu64 "%s allocation%s freed before the next one</td></tr>\n",
            p->sum.temporary, smp, plural(p->sum.temporary, "", "s"));
    row_start(p, "peak heap");
    put_bytes(p, p->sum.peak_bytes);
    fprintf(p->out, " in %" PRIu64 "%s block%s, at ", p->sum.peak_blocks, smp,
            plural(p->sum.peak_blocks, "", "s"));
    put_secs(p, p->sum.peak_ts);
    fputs("</td></tr>\n", p->out);
    row_start(p, "RSS peak");
    if (f->have_rss) {
        put_bytes(p, f->rss_peak);
        fputs(", at ", p->out);
        put_secs(p, f->rss_peak_ts);
    } else {
        fputs("not recorded (no SNAPSHOT in the log)", p->out);
    }
    fputs("</td></tr>\n", p->out);
    row_start(p, p->sum.have_end ? "leaked at exit" : "live at the end");
    if (p->sum.leaked_blocks) {
        fprintf(p->out, "<span class=\"leak\">%s", est);
        put_bytes(p, p->sum.leaked_bytes);
        fprintf(p->out, "</span> in %s%" PRIu64 " block%s from %zu stack%s", est, f->leaked_blocks,
                plural(f->leaked_blocks, "", "s"), leaks->total, plural(leaks->total, "", "s"));
    } else {
        fputs("nothing", p->out);
    }
    fputs("</td></tr>\n</table></section>\n", p->out);
}

/* ---- Findings and lists ------------------------------------------------ */

static void findings(page_t *p)
{
    size_t n = mp_report_finding_count(p->rep), shown = n;

    fprintf(p->out, "<section id=\"findings\"><h2>Findings: %zu</h2>\n", n);
    if (n == 0)
        fputs("<p>None: no leak and no memory retained beyond the thresholds.</p>\n", p->out);
    if (p->o->top && shown > p->o->top)
        shown = p->o->top;
    for (size_t i = 0; i < shown; i++) {
        const mp_report_finding_t *rf = mp_report_finding(p->rep, i);

        fputs("<div class=\"finding\" data-kind=\"", p->out);
        mp_xml_text(p->out, rf->f->kind);
        fprintf(p->out, "\"><h3>%zu. ", i + 1);
        mp_xml_text(p->out, rf->f->kind);
        fputs(", ", p->out);
        put_bytes(p, rf->f->bytes);
        if (rf->stack && rf->stack->nframes) {
            fputs(" at ", p->out);
            put_frame(p, &rf->stack->frames[0]);
        }
        fputs("</h3>\n<p class=\"evidence\">", p->out);
        mp_xml_text(p->out, rf->f->evidence);
        fputs("</p>\n<p class=\"advice\"><b>What to do:</b> ", p->out);
        mp_xml_text(p->out, rf->f->advice);
        fputs("</p>\n", p->out);
        if (rf->stack)
            put_stack(p, rf->stack);
        fputs("</div>\n", p->out);
    }
    if (shown < n)
        fprintf(p->out, "<p class=\"note\">... %zu more finding%s (--top)</p>\n", n - shown,
                plural(n - shown, "", "s"));
    fputs("</section>\n", p->out);
}

/* One ranked list: a table of its first o->top entries (0: all). */
static void list(page_t *p, mp_report_list_kind_t kind, const char *title, const char *what,
                 const char *what2)
{
    const mp_report_list_t *l = mp_report_list(p->rep, kind);
    size_t shown = l->n;

    fprintf(p->out, "<h3>%s: %zu stack%s</h3>\n", title, l->total, plural(l->total, "", "s"));
    if (l->total == 0)
        return;
    if (p->o->top && shown > p->o->top)
        shown = p->o->top;
    fprintf(p->out, "<table><tr><th class=\"n\">#</th><th class=\"n\">%s</th><th class=\"n\">"
                    "%s</th><th>stack (innermost first)</th></tr>\n", what, what2);
    for (size_t i = 0; i < shown; i++) {
        const mp_replay_site_t *s = l->v[i].site;
        uint64_t allocs = p->sampled ? (uint64_t)(s->est_allocs + 0.5) : s->allocs;

        fprintf(p->out, "<tr><td class=\"n\">%zu</td><td class=\"n\">", i + 1);
        switch (kind) {
        case MP_REPORT_LEAKS:
            put_bytes(p, s->leaked_bytes);
            fprintf(p->out, "</td><td class=\"n\">%" PRIu64,
                    p->sampled ? (uint64_t)(s->est_leaked_blocks + 0.5) : s->leaked_blocks);
            break;
        case MP_REPORT_PEAK:
            put_bytes(p, s->peak_bytes);
            fprintf(p->out, " (%.1f%%)</td><td class=\"n\">%" PRIu64,
                    p->sum.peak_bytes ? 100.0 * (double)s->peak_bytes / (double)p->sum.peak_bytes
                                      : 0.0,
                    s->peak_blocks);
            break;
        case MP_REPORT_ALLOCS:
            fprintf(p->out, "%" PRIu64 " (", allocs);
            put_bytes(p, s->bytes_allocated);
            fprintf(p->out, ")</td><td class=\"n\">%" PRIu64, s->temporary);
            break;
        default:
            fprintf(p->out, "%" PRIu64 "</td><td class=\"n\">%" PRIu64, s->temporary, allocs);
            break;
        }
        fputs("</td><td>", p->out);
        put_stack_details(p, l->v[i].stack);
        fputs("</td></tr>\n", p->out);
    }
    fputs("</table>\n", p->out);
    if (shown < l->total)
        fprintf(p->out, "<p class=\"note\">... %zu more stack%s (--top)</p>\n", l->total - shown,
                plural(l->total - shown, "", "s"));
}

static void stacks(page_t *p)
{
    fputs("<section id=\"stacks\"><h2>Stacks</h2>\n", p->out);
    list(p, MP_REPORT_LEAKS, p->sum.have_end ? "Leaks at exit" : "Live at the end of the log",
         "leaked", "blocks");
    list(p, MP_REPORT_PEAK, "Peak contributors", "at the peak", "blocks");
    list(p, MP_REPORT_ALLOCS, "Most allocations", "allocations (bytes)", "temporary");
    list(p, MP_REPORT_TEMPORARY, "Temporary allocations", "temporary", "of allocations");
    fputs("</section>\n", p->out);
}

static void classes(page_t *p)
{
    const mp_replay_heap_t *h = mp_replay_heap_final(p->r);

    fputs("<section id=\"classes\"><h2>Size classes at the end</h2>\n", p->out);
    if (!h || h->nclasses == 0) {
        fputs("<p>None in the log.</p></section>\n", p->out);
        return;
    }
    if (!h->have_snapshot)
        fputs("<p class=\"note\">No snapshot: objects counted from allocations.</p>\n", p->out);
    else if (!h->exact)
        fputs("<p class=\"note\">Estimated since the last snapshot.</p>\n", p->out);
    fputs("<table><tr><th class=\"n\">class size</th><th class=\"n\">live objects</th>"
          "<th class=\"n\">live bytes</th><th class=\"n\">retained</th>"
          "<th class=\"n\">retained/live</th></tr>\n", p->out);
    for (uint32_t i = 0; i < h->nclasses; i++) {
        const mp_replay_class_t *k = &h->classes[i];

        if (k->spans == 0 && k->live_objects == 0)
            continue;
        fprintf(p->out, "<tr><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
                        "</td><td class=\"n\">", k->size, k->live_objects);
        put_bytes(p, k->live_bytes);
        fputs("</td><td class=\"n\">", p->out);
        put_bytes(p, k->retained_bytes);
        if (k->live_bytes && k->retained_bytes)
            fprintf(p->out, "</td><td class=\"n\">%.1fx</td></tr>\n",
                    (double)k->retained_bytes / (double)k->live_bytes);
        else
            fputs("</td><td class=\"n\">-</td></tr>\n", p->out);
    }
    fputs("</table>\n<p>All classes: ", p->out);
    put_bytes(p, h->live_bytes);
    fputs(" live in ", p->out);
    put_bytes(p, h->retained_bytes);
    fputs(" retained.", p->out);
    if (h->have_snapshot) {
        fputs(" Page heap: mapped ", p->out);
        put_bytes(p, h->mapped);
        fputs(" = in use ", p->out);
        put_bytes(p, h->in_use);
        fputs(" + idle ", p->out);
        put_bytes(p, h->idle);
        fputs(" + released ", p->out);
        put_bytes(p, h->released);
        fprintf(p->out, ". Large objects: %" PRIu64 ", ", h->large_objects);
        put_bytes(p, h->large_bytes);
        fputc('.', p->out);
    }
    fputs("</p></section>\n", p->out);
}

static void warnings(page_t *p)
{
    size_t n = mp_report_warning_count(p->rep);

    if (n == 0)
        return;
    fputs("<section id=\"symbols\"><h2>Symbols</h2>\n<ul>\n", p->out);
    for (size_t i = 0; i < n; i++) {
        fputs("<li>", p->out);
        mp_xml_text(p->out, mp_report_warning(p->rep, i));
        fputs("</li>\n", p->out);
    }
    fputs("</ul></section>\n", p->out);
}

/* ---- Pictures ---------------------------------------------------------- */

static int timeline(page_t *p)
{
    mp_tl_report_options_t o = { 0, TL_TOP, TL_WIDTH, TL_HEIGHT };
    mp_tl_report_t *tr;
    int rc;

    fputs("<section id=\"timeline\"><h2>Timeline</h2>\n"
          "<p>Live bytes over time, the allocator's retained and released pages and RSS, the top "
          "size classes stacked; the peak and each finding marked (hover for details).</p>\n",
          p->out);
    if (mp_tl_report_build(p->rep, &o, &tr) != 0)
        return -1;
    mp_tl_report_chart(tr)->fragment = 1;
    rc = mp_tl_render(p->out, mp_tl_report_chart(tr));
    mp_tl_report_free(tr);
    fputs("</section>\n", p->out);
    return rc;
}

static int flamegraph(page_t *p)
{
    const mp_flame_metric_t m = MP_FLAME_PEAK;
    mp_flame_svg_t o = {
        .title = "Where the bytes live at the peak come from",
        .subtitle = "click a frame to zoom, Reset zoom to go back, Search to highlight "
                    "functions (a regular expression); hover for bytes, blocks and percent",
        .metric = mp_flame_metric_title(m),
        .values_are_bytes = mp_flame_metric_is_bytes(m),
        .count_name = mp_flame_metric_count_name(m),
        .width = FLAME_WIDTH,
        .fragment = 1,
    };
    mp_flame_tree_t *t;
    int rc;

    fputs("<section id=\"flamegraph\"><h2>Flame graph: bytes live at the peak</h2>\n", p->out);
    if (mp_flame_from_report(p->rep, m, &t) != 0)
        return -1;
    rc = mp_flame_svg_render(p->out, t, &o);
    mp_flame_tree_free(t);
    fputs("</section>\n", p->out);
    return rc;
}

/* ---- The page ---------------------------------------------------------- */

int mp_report_html(FILE *out, const mp_report_t *rep, const mp_view_options_t *o)
{
    page_t p = { .out = out, .rep = rep, .o = o, .r = mp_report_replay(rep) };
    const mp_replay_process_t *pr = mp_replay_process(p.r);

    mp_replay_summary(p.r, &p.sum);
    p.sampled = pr->mode == MP_MODE_SAMPLED;
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'\"/>\n"
          "<meta name=\"generator\" content=\"memprof report --html\"/>\n<title>memprof report: ",
          out);
    mp_xml_text(out, pr->argc ? base_name(pr->argv[0]) : base_name(pr->exe));
    fprintf(out, " (pid %" PRIu64 ")</title>\n", pr->pid);
    fputs(style, out);
    fputs("</head>\n<body>\n", out);
    header(&p);
    summary(&p);
    findings(&p);
    if (timeline(&p) != 0 || flamegraph(&p) != 0)
        return -1;
    stacks(&p);
    classes(&p);
    warnings(&p);
    fputs("</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}

int mp_report_html_file(const mp_report_t *rep, const mp_view_options_t *o, const char *path)
{
    const char *log = mp_report_path(rep);
    size_t n = strlen(log);
    char *def = NULL;
    FILE *out = stdout;
    int rc;

    if (!path) {
        def = malloc(n + 6);
        if (!def) {
            fprintf(stderr, "memprof: report: out of memory\n");
            return 1;
        }
        memcpy(def, log, n + 1);
        if (n > 4 && strcmp(log + n - 4, ".mpz") == 0)
            n -= 4;
        memcpy(def + n, ".html", 6);
        path = def;
    }
    if (strcmp(path, "-") != 0 && !(out = fopen(path, "w"))) {
        fprintf(stderr, "memprof: report: cannot write %s: %s\n", path, strerror(errno));
        free(def);
        return 1;
    }
    rc = mp_report_html(out, rep, o);
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "memprof: report: error writing %s\n", out == stdout ? "to stdout" : path);
    else if (out != stdout)
        fprintf(stderr, "memprof: report: wrote %s\n", path);
    free(def);
    return rc ? 1 : 0;
}
