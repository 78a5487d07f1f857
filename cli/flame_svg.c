/*
 * flame_svg.c — see flame_svg.h. Two walks of the tree with the same
 * rule for what is drawn: the first finds the deepest drawn row (the
 * image's height), the second writes the frames. Both are iterative (a
 * recursive program's stacks are thousands of frames deep).
 *
 * Layout, in pixels: a 10 px margin left and right, the title, subtitle
 * and the controls above the frames, the matched share below them; rows of
 * FRAME_H. Coordinates are printed with two decimals: enough for 0.1% of
 * a 1200 px width, and a frame costs about 300 bytes, so even a deep tree
 * of the most frames the threshold allows (1/min_fraction per row) stays
 * well under 5 MB at ordinary depths.
 */
#include "flame_svg.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "human.h"
#include "xml_text.h"

#define DEFAULT_WIDTH 1200
#define DEFAULT_MIN_FRACTION 0.001
#define PAD 10       /* left and right margin */
#define FRAME_H 16   /* a row */
#define TOP 74       /* title, subtitle, controls */
#define BOTTOM 28    /* the matched share */
#define CHAR_W 7.0   /* about a character of 12 px sans-serif */

const char *mp_flame_color(char *buf, size_t cap, const char *name)
{
    uint64_t h = 1469598103934665603ull;
    unsigned r, g, b;

    for (const char *s = name; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h ^= h >> 31;
    /* flamegraph.pl's "hot" palette: red high, green spread, little blue. */
    r = 205 + (unsigned)(h % 51);
    g = (unsigned)((h >> 8) % 231);
    b = (unsigned)((h >> 20) % 56);
    snprintf(buf, cap, "rgb(%u,%u,%u)", r, g, b);
    return buf;
}

const char *mp_flame_diff_color(char *buf, size_t cap, uint64_t base, uint64_t value)
{
    uint64_t hi = value > base ? value : base, d = value > base ? value - base : base - value;
    unsigned k;

    if (d == 0) {
        snprintf(buf, cap, "rgb(220,220,220)");
        return buf;
    }
    /* The relative change, 0 < t <= 1, sets how deep the colour is: from
     * 210 (a hint) down to 60 for a frame that is new; never 0, so that
     * the black labels stay readable. */
    k = (unsigned)(210.0 - 150.0 * (double)d / (double)hi + 0.5);
    if (value > base)
        snprintf(buf, cap, "rgb(255,%u,%u)", k, k);
    else
        snprintf(buf, cap, "rgb(%u,%u,255)", k, k);
    return buf;
}

/* The label of a frame w px wide: the name, or its start and "…" (cut on
 * a UTF-8 character boundary), or nothing under 3 characters' room. */
static void put_label(FILE *out, const char *name, double w)
{
    size_t fit = w > 6 ? (size_t)((w - 6) / CHAR_W) : 0, len = strlen(name);

    if (len <= fit) {
        mp_xml_text(out, name);
        return;
    }
    if (fit < 3)
        return;
    len = fit - 1;
    while (len > 0 && ((unsigned char)name[len] & 0xc0) == 0x80)
        len--;
    mp_xml_text_n(out, name, len);
    fputs("\xe2\x80\xa6", out);
}

typedef struct walk {
    FILE *out;               /* NULL: only measure */
    const mp_flame_tree_t *t;
    const mp_flame_svg_t *o;
    uint64_t total;          /* the root's value */
    uint64_t base_total;     /* the root's base value (diff) */
    uint64_t min;            /* narrower frames are merged */
    uint32_t rows;           /* deepest drawn depth + 1 */
    double width;            /* of the frame area, px */
    size_t frames;           /* written */
} walk_t;

/* A frame to draw: a node, or the merged thin children of one. */
typedef struct box {
    const char *name, *file;
    uint32_t line, depth;
    uint64_t x;              /* value to its left within the root */
    uint64_t value, bytes, count;
    uint64_t base, base_bytes, base_count;
    size_t nother;           /* > 0: "[…] other", of that many frames */
} box_t;

static void put_amount(walk_t *w, uint64_t value, uint64_t bytes, uint64_t count, uint64_t total)
{
    char hb[MP_HUMAN_MAX];

    if (w->o->values_are_bytes) {
        fprintf(w->out, "%s (%" PRIu64 " B), %" PRIu64 " %s", mp_human_bytes(hb, sizeof hb, bytes),
                bytes, count, w->o->count_name);
    } else {
        fprintf(w->out, "%" PRIu64 " %s", value, w->o->count_name);
        if (bytes)
            fprintf(w->out, ", %s (%" PRIu64 " B)", mp_human_bytes(hb, sizeof hb, bytes), bytes);
    }
    fprintf(w->out, ", %.2f%% of %s", total ? 100.0 * (double)value / (double)total : 0.0,
            w->o->metric);
}

/* A diff's tooltip lines: both runs' figures and the change. */
static void put_change(walk_t *w, const box_t *b)
{
    uint64_t d = b->value > b->base ? b->value - b->base : b->base - b->value;
    char sign = b->value >= b->base ? '+' : '-', hb[MP_HUMAN_MAX];

    fputs("B: ", w->out);
    put_amount(w, b->value, b->bytes, b->count, w->total);
    fputs("\nA: ", w->out);
    if (b->base)
        put_amount(w, b->base, b->base_bytes, b->base_count, w->base_total);
    else
        fputs("none", w->out);
    if (w->o->values_are_bytes)
        fprintf(w->out, "\nchange: %c%s (%c%" PRIu64 " B)", sign, mp_human_bytes(hb, sizeof hb, d),
                sign, d);
    else
        fprintf(w->out, "\nchange: %c%" PRIu64 " %s", sign, d, w->o->count_name);
    if (b->base)
        fprintf(w->out, ", %c%.1f%%", sign, 100.0 * (double)d / (double)b->base);
    else
        fputs(", new in B", w->out);
}

static void frame(walk_t *w, const box_t *b)
{
    double px = PAD + (double)b->x / (double)w->total * w->width;
    double pw = (double)b->value / (double)w->total * w->width;
    uint32_t row = w->o->icicle ? b->depth : w->rows - 1 - b->depth;
    char color[24];

    if (b->depth + 1 > w->rows && !w->out)
        w->rows = b->depth + 1;
    if (!w->out)
        return;
    w->frames++;
    fputs("<g class=\"frame\" data-name=\"", w->out);
    mp_xml_text(w->out, b->name);
    fprintf(w->out, "\" data-value=\"%" PRIu64 "\" data-x=\"%" PRIu64 "\" data-depth=\"%" PRIu32
                    "\"",
            b->value, b->x, b->depth);
    if (w->o->diff)
        fprintf(w->out, " data-base=\"%" PRIu64 "\"", b->base);
    fputs("><title>", w->out);
    mp_xml_text(w->out, b->name);
    if (b->nother)
        fprintf(w->out, " (%zu frames, each under %.1f%%)", b->nother,
                100.0 * (w->o->min_fraction > 0 ? w->o->min_fraction : DEFAULT_MIN_FRACTION));
    if (b->file) {
        fputs("\n", w->out);
        mp_xml_text(w->out, b->file);
        if (b->line)
            fprintf(w->out, ":%" PRIu32, b->line);
    }
    fputs("\n", w->out);
    if (w->o->diff)
        put_change(w, b);
    else
        put_amount(w, b->value, b->bytes, b->count, w->total);
    if (w->o->diff)
        mp_flame_diff_color(color, sizeof color, b->base, b->value);
    else if (b->nother)
        snprintf(color, sizeof color, "rgb(190,190,190)");
    else
        mp_flame_color(color, sizeof color, b->name);
    fprintf(w->out, "</title><rect x=\"%.2f\" y=\"%u\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>",
            px, TOP + row * FRAME_H, pw > 1.5 ? pw - 0.5 : pw, FRAME_H - 1, color);
    fprintf(w->out, "<text x=\"%.2f\" y=\"%u\">", px + 3, TOP + row * FRAME_H + 12);
    put_label(w->out, b->name, pw);
    fputs("</text></g>\n", w->out);
}

typedef struct item {
    uint32_t node;
    uint64_t x;
} item_t;

/* Walks the drawn frames; -1 out of memory. A node of the base alone
 * (value 0: a diff's stack gone in B) has no width and is not drawn. */
static int walk(walk_t *w)
{
    size_t n = mp_flame_tree_count(w->t), top = 0;
    item_t *st = malloc((n ? n : 1) * sizeof *st);

    if (!st)
        return -1;
    st[top++] = (item_t){ 0, 0 };
    while (top) {
        item_t it = st[--top];
        const mp_flame_node_t *nd = mp_flame_tree_node(w->t, it.node);
        size_t nc;
        const uint32_t *kids = mp_flame_tree_children(w->t, it.node, &nc);
        box_t b = { nd->name, nd->file, nd->line, nd->depth, it.x, nd->value, nd->bytes,
                    nd->count, nd->base_value, nd->base_bytes, nd->base_count, 0 };
        box_t other = { "[\xe2\x80\xa6] other", NULL, 0, nd->depth + 1, 0, 0, 0, 0, 0, 0, 0, 0 };

        frame(w, &b);
        other.x = it.x;
        for (size_t i = 0; i < nc; i++) {
            const mp_flame_node_t *c = mp_flame_tree_node(w->t, kids[i]);

            if (c->value == 0)
                continue;
            if (c->value >= w->min) {
                st[top++] = (item_t){ kids[i], other.x };
                other.x += c->value;
            } else {
                other.value += c->value;
                other.bytes += c->bytes;
                other.count += c->count;
                other.base += c->base_value;
                other.base_bytes += c->base_bytes;
                other.base_count += c->base_count;
                other.nother++;
            }
        }
        if (other.nother && other.value >= w->min)
            frame(w, &other);
    }
    free(st);
    return 0;
}

/* The script: zoom, reset, search. Frame geometry is read back from the
 * data attributes, so the script holds no copy of the tree. It works on
 * the <svg> that holds it (its ownerSVGElement), so that it also works
 * inlined in an HTML page beside other SVGs (report_html.c). */
static const char script[] =
    "<script type=\"text/ecmascript\"><![CDATA[\n"
    "(function () {\n"
    "  var me = document.currentScript;\n"
    "  var svg = me && me.ownerSVGElement ? me.ownerSVGElement : document.documentElement;\n"
    "  function byId(id) { return svg.querySelector('#' + id); }\n"
    "  var W = +svg.getAttribute('data-frame-width'), PAD = +svg.getAttribute('data-pad');\n"
    "  var total = +svg.getAttribute('data-total');\n"
    "  var gs = [].slice.call(svg.querySelectorAll('g.frame'));\n"
    "  var fr = gs.map(function (g) {\n"
    "    return { g: g, name: g.getAttribute('data-name'), x: +g.getAttribute('data-x'),\n"
    "             v: +g.getAttribute('data-value'), d: +g.getAttribute('data-depth'),\n"
    "             rect: g.querySelector('rect'), text: g.querySelector('text'),\n"
    "             fill: g.querySelector('rect').getAttribute('fill') };\n"
    "  });\n"
    "  function label(name, w) {\n"
    "    var n = Math.floor((w - 6) / 7);\n"
    "    if (name.length <= n) return name;\n"
    "    return n < 3 ? '' : name.substr(0, n - 1) + '\\u2026';\n"
    "  }\n"
    "  function place(f, x, w) {\n"
    "    f.g.style.display = '';\n"
    "    f.rect.setAttribute('x', x.toFixed(2));\n"
    "    f.rect.setAttribute('width', (w > 1.5 ? w - 0.5 : w).toFixed(2));\n"
    "    f.text.setAttribute('x', (x + 3).toFixed(2));\n"
    "    f.text.textContent = label(f.name, w);\n"
    "  }\n"
    "  function zoom(z) {\n"
    "    fr.forEach(function (f) {\n"
    "      if (f.d < z.d) {\n"
    "        if (f.x <= z.x && z.x + z.v <= f.x + f.v) place(f, PAD, W);\n"
    "        else f.g.style.display = 'none';\n"
    "      } else if (f.x >= z.x && f.x + f.v <= z.x + z.v && z.v > 0) {\n"
    "        place(f, PAD + (f.x - z.x) / z.v * W, f.v / z.v * W);\n"
    "      } else f.g.style.display = 'none';\n"
    "    });\n"
    "    byId('reset').style.opacity = z.d === 0 ? 0.3 : 1;\n"
    "  }\n"
    "  fr.forEach(function (f) {\n"
    "    f.g.addEventListener('click', function () { zoom(f); });\n"
    "  });\n"
    "  byId('reset').addEventListener('click', function () {\n"
    "    zoom(fr.filter(function (f) { return f.d === 0; })[0]);\n"
    "  });\n"
    "  function clear() {\n"
    "    fr.forEach(function (f) { f.rect.setAttribute('fill', f.fill); });\n"
    "    byId('matched').textContent = '';\n"
    "  }\n"
    "  byId('search').addEventListener('click', function () {\n"
    "    var s = prompt('Search (regular expression)', ''), re, hit = [], sum = 0, end = -1;\n"
    "    if (!s) return;\n"
    "    try { re = new RegExp(s); } catch (e) { alert('Bad regular expression: ' + e.message); return; }\n"
    "    clear();\n"
    "    fr.forEach(function (f) {\n"
    "      if (re.test(f.name)) { f.rect.setAttribute('fill', 'rgb(230,0,230)'); hit.push(f); }\n"
    "    });\n"
    "    hit.sort(function (a, b) { return a.x - b.x || b.v - a.v; });\n"
    "    hit.forEach(function (f) {\n"
    "      if (f.x >= end) { sum += f.v; end = f.x + f.v; }\n"
    "    });\n"
    "    byId('matched').textContent = 'Matched: ' +\n"
    "      (total > 0 ? (100 * sum / total).toFixed(2) : '0.00') + '% (' + hit.length + ' frames, /' + s + '/)';\n"
    "  });\n"
    "  byId('clear').addEventListener('click', clear);\n"
    "  byId('reset').style.opacity = 0.3;\n"
    "})();\n"
    "]]></script>\n";

int mp_flame_svg_render(FILE *out, const mp_flame_tree_t *t, const mp_flame_svg_t *o)
{
    walk_t w = { .t = t, .o = o };
    unsigned width = o->width ? o->width : DEFAULT_WIDTH, height;
    double minf = o->min_fraction > 0 ? o->min_fraction : DEFAULT_MIN_FRACTION;

    w.total = mp_flame_tree_node(t, 0)->value;
    w.base_total = mp_flame_tree_node(t, 0)->base_value;
    w.width = (double)width - 2 * PAD;
    w.min = (uint64_t)((double)w.total * minf);
    if (w.min == 0)
        w.min = 1;
    if (w.total && walk(&w) != 0)
        return -1;
    height = TOP + (w.rows ? w.rows : 1) * FRAME_H + BOTTOM;
    if (!o->fragment)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n", out);
    fprintf(out,
            "<svg class=\"flamegraph\" xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%u\" "
            "height=\"%u\" viewBox=\"0 0 %u %u\" data-total=\"%" PRIu64 "\" data-base-total=\"%" PRIu64 "\" "
            "data-frame-width=\"%.2f\" data-pad=\"%d\" data-orientation=\"%s\">\n",
            width, height, width, height, w.total, w.base_total, w.width, PAD, o->icicle ? "icicle" : "flame");
    /* Selectors under .flamegraph: inlined into HTML, an SVG's style
     * sheet applies to the whole page. */
    fputs("<style>.flamegraph text { font: 12px sans-serif; fill: #000; }\n"
          ".flamegraph g.frame { cursor: pointer; }\n"
          ".flamegraph g.frame text { pointer-events: none; }\n"
          ".flamegraph .ctl { cursor: pointer; fill: #1f4e9c; }\n"
          ".flamegraph g.frame:hover rect { stroke: #000; stroke-width: 0.5; }</style>\n",
          out);
    fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f2\"/>\n");
    fprintf(out, "<text x=\"%u\" y=\"22\" text-anchor=\"middle\" style=\"font-size:16px\">",
            width / 2);
    mp_xml_text(out, o->title ? o->title : "memprof flamegraph");
    fputs("</text>\n", out);
    if (o->subtitle) {
        fprintf(out, "<text x=\"%u\" y=\"40\" text-anchor=\"middle\" fill=\"#555\">", width / 2);
        mp_xml_text(out, o->subtitle);
        fputs("</text>\n", out);
    }
    fprintf(out, "<text id=\"reset\" class=\"ctl\" x=\"%d\" y=\"62\">Reset zoom</text>\n", PAD);
    fprintf(out, "<text id=\"search\" class=\"ctl\" x=\"%u\" y=\"62\" text-anchor=\"end\">"
                 "Search</text>\n", width - PAD - 50);
    fprintf(out, "<text id=\"clear\" class=\"ctl\" x=\"%u\" y=\"62\" text-anchor=\"end\">"
                 "Clear</text>\n", width - PAD);
    if (o->diff)
        fprintf(out, "<text x=\"%u\" y=\"62\" text-anchor=\"middle\" fill=\"#555\">widths: B; "
                     "<tspan fill=\"rgb(220,40,40)\">red</tspan> grew from A, "
                     "<tspan fill=\"rgb(40,40,230)\">blue</tspan> shrank (deeper: a larger "
                     "relative change), grey unchanged</text>\n", width / 2);
    fprintf(out, "<text id=\"matched\" x=\"%u\" y=\"%u\" text-anchor=\"end\"></text>\n",
            width - PAD, height - 10);
    if (!w.total) {
        fprintf(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">nothing to draw: no ",
                width / 2, TOP + 12);
        mp_xml_text(out, o->metric);
        fputs(" in this log</text>\n", out);
    } else {
        w.out = out;
        if (walk(&w) != 0)
            return -1;
    }
    fputs(script, out);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}
