/*
 * timeline_svg.c — see timeline_svg.h. Layout, in pixels: the plot takes
 * the left part of the image, between a left margin for the byte ticks and
 * a legend column on the right; the title sits above it, the time ticks
 * below. Coordinates are printed with one decimal, which keeps a 2048-point
 * line under ~30 KB and is finer than any screen.
 *
 * The y axis always starts at 0 (bytes are never negative, and a chart that
 * starts elsewhere exaggerates a change); the x axis at 0 ns, the process's
 * start.
 */
#include "timeline_svg.h"

#include <inttypes.h>
#include <string.h>

#include "human.h"
#include "xml_text.h"

#define MARGIN_LEFT 84   /* room for "1000 MiB" */
#define MARGIN_TOP 58    /* title, subtitle */
#define MARGIN_BOTTOM 48 /* time ticks and the axis name */
#define LEGEND_WIDTH 280 /* the legend column, right of the plot */
#define NOTE_CHARS 46    /* a note longer than this is cut (10 px text, ~5.5 px a char) */
#define TICKS_X 8        /* about this many ticks */
#define TICKS_Y 6
#define MARKER_ROWS 4    /* finding labels are staggered over this many rows */

/* ---- Axis arithmetic --------------------------------------------------- */

double mp_tl_nice_step(double range, unsigned target)
{
    double raw, mag = 1.0;

    if (!(range > 0) || target == 0)
        return 1.0;
    raw = range / target;
    /* mag: the power of ten with mag <= raw < 10 * mag. */
    while (mag > raw)
        mag /= 10.0;
    while (mag * 10.0 <= raw)
        mag *= 10.0;
    if (raw <= mag * 1.0000001)
        return mag;
    if (raw <= 2.0 * mag * 1.0000001)
        return 2.0 * mag;
    if (raw <= 5.0 * mag * 1.0000001)
        return 5.0 * mag;
    return 10.0 * mag;
}

/* The smallest multiple of step >= v (v >= 0), at least step. */
static double axis_end(double v, double step)
{
    double n = (double)(uint64_t)(v / step);

    if (n * step < v * (1 - 1e-12))
        n += 1;
    return n < 1 ? step : n * step;
}

void mp_tl_bytes_axis(uint64_t max, unsigned target, mp_tl_axis_t *out)
{
    static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    unsigned u = 0;
    double unit = 1.0, v;

    while (u + 1 < sizeof names / sizeof names[0] && (double)max >= unit * 1024.0) {
        unit *= 1024.0;
        u++;
    }
    v = (double)max / unit;
    out->unit = unit;
    out->unit_name = names[u];
    if (max == 0) {
        out->step = 1;
        out->end = 1;
        return;
    }
    out->step = mp_tl_nice_step(v, target);
    if (u == 0 && out->step < 1)
        out->step = 1; /* no fractions of a byte */
    out->end = axis_end(v, out->step);
}

void mp_tl_time_axis(uint64_t max_ns, unsigned target, mp_tl_axis_t *out)
{
    double v;

    if (max_ns == 0)
        max_ns = 1000000; /* 1 ms */
    v = (double)max_ns / 1e9;
    out->unit = 1e9;
    out->unit_name = "s";
    out->step = mp_tl_nice_step(v, target);
    out->end = axis_end(v, out->step);
}

const char *mp_tl_tick_label(char *buf, size_t cap, double value, double step, const char *unit)
{
    int decimals = 0;
    double s = step;

    /* Decimals until the step is a whole number: 0.2 -> 1, 0.25 -> 2. */
    while (decimals < 9 && (s - (double)(uint64_t)(s + 0.5) > 1e-6 * step * 10 ||
                            (double)(uint64_t)(s + 0.5) - s > 1e-6 * step * 10 || s < 0.999999)) {
        s *= 10.0;
        decimals++;
    }
    snprintf(buf, cap, "%.*f %s", decimals, value, unit);
    return buf;
}

/* ---- Drawing ----------------------------------------------------------- */

typedef struct plot {
    double x0, y0, x1, y1; /* the plot's box: x0 left, y0 top */
    mp_tl_axis_t tx, by;   /* time axis, byte axis */
} plot_t;

static double px(const plot_t *p, uint64_t ns)
{
    return p->x0 + (p->x1 - p->x0) * ((double)ns / p->tx.unit) / p->tx.end;
}

static double py(const plot_t *p, uint64_t bytes)
{
    return p->y1 - (p->y1 - p->y0) * ((double)bytes / p->by.unit) / p->by.end;
}

static void draw_axes(FILE *out, const plot_t *p)
{
    char label[64];

    fputs("<g class=\"axes\" font-size=\"11\" fill=\"#333\">\n", out);
    /* Horizontal grid and byte ticks. */
    for (unsigned i = 0;; i++) {
        double v = i * p->by.step, y;

        if (v > p->by.end * (1 + 1e-9))
            break;
        y = p->y1 - (p->y1 - p->y0) * v / p->by.end;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
                p->x0, y, p->x1, y);
        mp_tl_tick_label(label, sizeof label, v, p->by.step, p->by.unit_name);
        fprintf(out, "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                p->x0 - 6, y + 4, label);
    }
    /* Time ticks. */
    for (unsigned i = 0;; i++) {
        double v = i * p->tx.step, x;

        if (v > p->tx.end * (1 + 1e-9))
            break;
        x = p->x0 + (p->x1 - p->x0) * v / p->tx.end;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\"/>\n", x,
                p->y1, x, p->y1 + 4);
        mp_tl_tick_label(label, sizeof label, v, p->tx.step, p->tx.unit_name);
        fprintf(out,
                "<text class=\"xtick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                x, p->y1 + 17, label);
    }
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                 "stroke=\"#333\"/>\n",
            p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">time since the program "
                 "started</text>\n",
            (p->x0 + p->x1) / 2, p->y1 + 36);
    fputs("</g>\n", out);
}

/* The bands below band nb (0..nb-1) summed at point i. */
static uint64_t band_sum(const mp_tl_chart_t *c, size_t nb, size_t i)
{
    uint64_t sum = 0;

    for (size_t k = 0; k < nb; k++)
        sum += c->bands[k].bytes[i];
    return sum;
}

static void draw_bands(FILE *out, const plot_t *p, const mp_tl_chart_t *c)
{
    /* Each band's edges are summed afresh: nbands * nbands * nstack
     * additions, a few hundred thousand at most, and no buffer to manage. */
    if (c->nstack == 0 || c->nbands == 0)
        return;
    fputs("<g class=\"bands\">\n", out);
    for (size_t b = 0; b < c->nbands; b++) {
        const mp_tl_band_t *band = &c->bands[b];

        fputs("<polygon class=\"band\" data-name=\"", out);
        mp_xml_text(out, band->name);
        fprintf(out, "\" fill=\"%s\" fill-opacity=\"0.55\" stroke=\"none\" points=\"", band->color);
        /* Upper edge, left to right: bands 0..b summed. */
        for (size_t i = 0; i < c->nstack; i++) {
            if (c->stack_step && i > 0)
                fprintf(out, "%.1f,%.1f ", px(p, c->stack_ts[i]), py(p, band_sum(c, b + 1, i - 1)));
            fprintf(out, "%.1f,%.1f ", px(p, c->stack_ts[i]), py(p, band_sum(c, b + 1, i)));
        }
        /* Lower edge, right to left: bands 0..b-1 summed. */
        for (size_t i = c->nstack; i-- > 0;) {
            fprintf(out, "%.1f,%.1f ", px(p, c->stack_ts[i]), py(p, band_sum(c, b, i)));
            if (c->stack_step && i > 0)
                fprintf(out, "%.1f,%.1f ", px(p, c->stack_ts[i]), py(p, band_sum(c, b, i - 1)));
        }
        fputs("\"><title>", out);
        mp_xml_text(out, band->name);
        fputs("</title></polygon>\n", out);
    }
    fputs("</g>\n", out);
}

static void draw_lines(FILE *out, const plot_t *p, const mp_tl_chart_t *c)
{
    fputs("<g class=\"lines\" fill=\"none\" stroke-width=\"1.6\" stroke-linejoin=\"round\">\n", out);
    for (size_t l = 0; l < c->nlines; l++) {
        const mp_tl_line_t *line = &c->lines[l];

        uint64_t max = 0;

        for (size_t i = 0; i < line->n; i++)
            if (line->bytes[i] > max)
                max = line->bytes[i];
        fputs("<polyline class=\"series\" data-name=\"", out);
        mp_xml_text(out, line->name);
        fprintf(out, "\" data-max-bytes=\"%" PRIu64 "\" data-last-bytes=\"%" PRIu64 "\"", max,
                line->n ? line->bytes[line->n - 1] : 0);
        fprintf(out, " stroke=\"%s\"%s points=\"", line->color,
                line->dashed ? " stroke-dasharray=\"6 3\"" : "");
        for (size_t i = 0; i < line->n; i++) {
            if (line->step && i > 0)
                fprintf(out, "%.1f,%.1f ", px(p, line->ts[i]), py(p, line->bytes[i - 1]));
            fprintf(out, "%.1f,%.1f ", px(p, line->ts[i]), py(p, line->bytes[i]));
        }
        fputs("\"><title>", out);
        mp_xml_text(out, line->name);
        fputs("</title></polyline>\n", out);
    }
    fputs("</g>\n", out);
}

static void draw_peak(FILE *out, const plot_t *p, const mp_tl_chart_t *c)
{
    char b[MP_HUMAN_MAX], t[MP_HUMAN_MAX];
    double x, y;

    if (!c->have_peak)
        return;
    x = px(p, c->peak_ts);
    y = py(p, c->peak_bytes);
    mp_human_bytes(b, sizeof b, c->peak_bytes);
    mp_human_secs(t, sizeof t, c->peak_ts);
    fprintf(out, "<g id=\"peak\" data-bytes=\"%" PRIu64 "\" data-ts-ns=\"%" PRIu64 "\">\n",
            c->peak_bytes, c->peak_ts);
    fprintf(out, "<title>peak: %s live at %s (%" PRIu64 " bytes)</title>\n", b, t, c->peak_bytes);
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" "
                 "stroke-dasharray=\"2 3\"/>\n",
            x, p->y0, x, p->y1);
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#000\"/>\n", x, y);
    /* The label goes right of the line, or left of it past the middle. */
    fprintf(out, "<text class=\"peak-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
                 "font-weight=\"bold\" text-anchor=\"%s\">peak %s at %s</text>\n",
            x > (p->x0 + p->x1) / 2 ? x - 7 : x + 7, y < p->y0 + 16 ? p->y0 + 16 : y - 6,
            x > (p->x0 + p->x1) / 2 ? "end" : "start", b, t);
    fputs("</g>\n", out);
}

static void draw_markers(FILE *out, const plot_t *p, const mp_tl_chart_t *c)
{
    if (c->nmarkers == 0)
        return;
    fputs("<g class=\"findings\" font-size=\"10\">\n", out);
    for (size_t i = 0; i < c->nmarkers; i++) {
        const mp_tl_marker_t *m = &c->markers[i];
        double x = px(p, m->ts), ty = p->y0 + 12 + (double)(i % MARKER_ROWS) * 12;

        fputs("<g class=\"finding\" data-kind=\"", out);
        mp_xml_text(out, m->label);
        fprintf(out, "\" data-ts-ns=\"%" PRIu64 "\">\n<title>", m->ts);
        mp_xml_text(out, m->tooltip);
        fputs("</title>\n", out);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#b8860b\" "
                     "stroke-width=\"1.2\"/>\n",
                x, p->y0, x, p->y1);
        fprintf(out, "<path d=\"M%.1f,%.1f l-5,-8 h10 z\" fill=\"#b8860b\"/>\n", x, p->y0);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#8b6508\" text-anchor=\"%s\">", x + 3,
                ty, "start");
        mp_xml_text(out, m->label);
        fputs("</text>\n</g>\n", out);
    }
    fputs("</g>\n", out);
}

/* One legend row: a swatch (a line or a box) and the text. */
static void legend_row(FILE *out, double x, double y, const char *color, int kind,
                       const char *text)
{
    if (kind == 0) /* solid line */
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"2\"/>\n",
                x, y - 4, x + 22, y - 4, color);
    else if (kind == 1) /* dashed line */
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"2\" stroke-dasharray=\"6 3\"/>\n",
                x, y - 4, x + 22, y - 4, color);
    else if (kind == 2) /* area */
        fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"10\" fill=\"%s\" "
                     "fill-opacity=\"0.55\"/>\n",
                x, y - 9, color);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", kind < 0 ? x : x + 28, y);
    mp_xml_text(out, text);
    fputs("</text>\n", out);
}

static void draw_legend(FILE *out, const plot_t *p, const mp_tl_chart_t *c)
{
    double x = p->x1 + 18, y = p->y0 + 10;

    fputs("<g class=\"legend\" font-size=\"11\" fill=\"#222\">\n", out);
    for (size_t l = 0; l < c->nlines; l++, y += 16)
        legend_row(out, x, y, c->lines[l].color, c->lines[l].dashed ? 1 : 0, c->lines[l].name);
    if (c->have_peak) {
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#000\"/>\n", x + 11, y - 4);
        legend_row(out, x, y, NULL, 3, "peak of live bytes");
        y += 16;
    }
    if (c->nmarkers) {
        fprintf(out, "<path d=\"M%.1f,%.1f l-5,-8 h10 z\" fill=\"#b8860b\"/>\n", x + 11, y);
        legend_row(out, x, y, NULL, 3, "finding, where it begins");
        y += 16;
    }
    if (c->nbands) {
        y += 6;
        if (c->stack_caption) {
            legend_row(out, x, y, NULL, -1, c->stack_caption);
            y += 16;
        }
        /* Top band first, as they are stacked. */
        for (size_t b = c->nbands; b-- > 0; y += 16)
            legend_row(out, x, y, c->bands[b].color, 2, c->bands[b].name);
    }
    if (c->nnotes) {
        y += 6;
        if (c->notes_caption) {
            legend_row(out, x, y, NULL, -1, c->notes_caption);
            y += 16;
        }
        for (size_t i = 0; i < c->nnotes; i++, y += 14) {
            char note[NOTE_CHARS + 4];
            size_t n = strlen(c->notes[i]);

            if (n > NOTE_CHARS) {
                n = NOTE_CHARS - 3;
                while (n > 0 && ((unsigned char)c->notes[i][n] & 0xc0) == 0x80)
                    n--; /* not inside a UTF-8 sequence */
                memcpy(note, c->notes[i], n);
                memcpy(note + n, "...", 4);
            } else {
                memcpy(note, c->notes[i], n + 1);
            }
            fprintf(out, "<g font-size=\"10\"><title>");
            mp_xml_text(out, c->notes[i]);
            fputs("</title>\n", out);
            legend_row(out, x + 4, y, NULL, -1, note);
            fputs("</g>\n", out);
        }
    }
    fputs("</g>\n", out);
}

int mp_tl_render(FILE *out, const mp_tl_chart_t *c)
{
    plot_t p;
    uint64_t tmax = c->duration_ns, bmax = 0;

    if (c->width < MP_TL_MIN_WIDTH || c->height < MP_TL_MIN_HEIGHT)
        return -1;
    /* The axes' extents: every point of every line, the stacked sums, the
     * peak and the markers. */
    for (size_t l = 0; l < c->nlines; l++)
        for (size_t i = 0; i < c->lines[l].n; i++) {
            if (c->lines[l].ts[i] > tmax)
                tmax = c->lines[l].ts[i];
            if (c->lines[l].bytes[i] > bmax)
                bmax = c->lines[l].bytes[i];
        }
    for (size_t i = 0; i < c->nstack; i++) {
        uint64_t sum = 0;

        for (size_t b = 0; b < c->nbands; b++)
            sum += c->bands[b].bytes[i];
        if (sum > bmax)
            bmax = sum;
        if (c->stack_ts[i] > tmax)
            tmax = c->stack_ts[i];
    }
    if (c->have_peak) {
        if (c->peak_bytes > bmax)
            bmax = c->peak_bytes;
        if (c->peak_ts > tmax)
            tmax = c->peak_ts;
    }
    for (size_t i = 0; i < c->nmarkers; i++)
        if (c->markers[i].ts > tmax)
            tmax = c->markers[i].ts;

    p.x0 = MARGIN_LEFT;
    p.y0 = MARGIN_TOP;
    p.x1 = (double)c->width - LEGEND_WIDTH;
    p.y1 = (double)c->height - MARGIN_BOTTOM;
    mp_tl_time_axis(tmax, TICKS_X, &p.tx);
    mp_tl_bytes_axis(bmax, TICKS_Y, &p.by);

    if (!c->fragment)
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
            "viewBox=\"0 0 %u %u\" font-family=\"sans-serif\">\n",
            c->width, c->height, c->width, c->height);
    fputs("<title>", out);
    mp_xml_text(out, c->title);
    fputs("</title>\n", out);
    fprintf(out, "<rect width=\"%u\" height=\"%u\" fill=\"#fff\"/>\n", c->width, c->height);
    fprintf(out, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">", MARGIN_LEFT);
    mp_xml_text(out, c->title);
    fputs("</text>\n", out);
    if (c->subtitle) {
        fprintf(out, "<text x=\"%d\" y=\"40\" font-size=\"11\" fill=\"#555\">", MARGIN_LEFT);
        mp_xml_text(out, c->subtitle);
        fputs("</text>\n", out);
    }
    draw_axes(out, &p);
    draw_bands(out, &p, c);
    draw_lines(out, &p, c);
    draw_peak(out, &p, c);
    draw_markers(out, &p, c);
    draw_legend(out, &p, c);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}
