/*
 * timeline_svg.h — draws `memprof timeline`'s chart: a self-contained SVG
 * (no script, no external font or style file) of bytes over time. It knows
 * nothing of logs or replays: cmd_timeline.c fills an mp_tl_chart_t from
 * the replay and the findings and hands it here, so that the drawing and
 * its axis arithmetic can be tested on their own (tests/unit/test_timeline.c).
 *
 * What it draws, back to front: the stacked bands (an area per band, each
 * on top of the ones before it), the lines, the peak marker (a dashed
 * vertical line and a dot, labelled "peak 460.0 MiB at 0.64 s"), one marker
 * per finding (a vertical line at the time it begins, labelled with its
 * kind), the axes with human ticks (s; B, KiB, MiB, GiB), the legend and
 * its notes. Every marker carries a <title> (the tooltip browsers show).
 *
 * Hooks for tools and tests: the <svg> has class="timeline"; the peak marker is <g id="peak" data-bytes=N
 * data-ts-ns=N>, a finding's <g class="finding" data-kind=KIND data-ts-ns=N>,
 * a line's <polyline class="series" data-name=NAME>, a band's <polygon
 * class="band" data-name=NAME>.
 */
#ifndef MP_CLI_TIMELINE_SVG_H
#define MP_CLI_TIMELINE_SVG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A line: n points (ts[i] ns since the start, bytes[i]), in time order. */
typedef struct mp_tl_line {
    const char *name;      /* legend text, and data-name */
    const char *color;     /* an SVG colour: "#1f77b4" */
    int dashed;            /* drawn dashed */
    int step;              /* each value holds until the next point (samples
                              of a state: snapshots), rather than a straight
                              line between points */
    size_t n;
    const uint64_t *ts;    /* ns */
    const uint64_t *bytes;
} mp_tl_line_t;

/* A stacked band: one value per point of the chart's stack_ts. */
typedef struct mp_tl_band {
    const char *name;
    const char *color;
    const uint64_t *bytes; /* nstack values */
} mp_tl_band_t;

/* A finding's marker. */
typedef struct mp_tl_marker {
    uint64_t ts;           /* ns: when it begins */
    const char *label;     /* short: the finding's kind */
    const char *tooltip;   /* the <title>: kind, bytes, evidence */
} mp_tl_marker_t;

typedef struct mp_tl_chart {
    const char *title;     /* top line */
    const char *subtitle;  /* second line, or NULL */
    unsigned width, height; /* pixels of the whole image */
    uint64_t duration_ns;  /* the x axis ends here (or at the last point) */

    size_t nlines;
    const mp_tl_line_t *lines;

    size_t nstack;         /* points of the stacked area */
    const uint64_t *stack_ts; /* ns, in time order */
    size_t nbands;
    const mp_tl_band_t *bands; /* bottom band first */
    const char *stack_caption; /* legend heading above the bands, or NULL */
    int stack_step;        /* bands hold each value until the next point */

    int have_peak;
    uint64_t peak_ts, peak_bytes;

    size_t nmarkers;
    const mp_tl_marker_t *markers;

    size_t nnotes;         /* extra legend lines (a breakdown), or 0 */
    const char *const *notes;
    const char *notes_caption; /* heading above them, or NULL */

    int fragment;          /* no XML declaration: to inline into HTML */
} mp_tl_chart_t;

/* Smallest width/height accepted by mp_tl_render. */
#define MP_TL_MIN_WIDTH 480
#define MP_TL_MIN_HEIGHT 240

/* Writes the SVG of c to out. 0, or -1 if c is unusable (width or height
 * below the minimum) or out reported a write error. */
int mp_tl_render(FILE *out, const mp_tl_chart_t *c);

/* ---- Axis arithmetic (exposed for the unit tests) ---------------------- */

/* A "nice" tick step for range split into about target ticks: 1, 2 or 5
 * times a power of ten, the smallest such step >= range / target.
 * range <= 0 or target 0: 1. */
double mp_tl_nice_step(double range, unsigned target);

/* An axis: ticks at 0, step, 2*step, ... up to end (a multiple of step
 * >= the data's maximum), values in units of `unit` named unit_name. */
typedef struct mp_tl_axis {
    double unit;           /* bytes or ns per axis unit */
    const char *unit_name; /* "B", "KiB", "MiB", "GiB", "TiB"; "s" */
    double step;           /* in units */
    double end;            /* in units: the axis' top, a multiple of step */
} mp_tl_axis_t;

/* The byte axis for data up to max bytes: the largest power-of-1024 unit
 * not above max (B below 1 KiB), about target ticks. max 0: 0..1 B. */
void mp_tl_bytes_axis(uint64_t max, unsigned target, mp_tl_axis_t *out);

/* The time axis for 0..max_ns, in seconds. max_ns 0: 0..1 ms. */
void mp_tl_time_axis(uint64_t max_ns, unsigned target, mp_tl_axis_t *out);

/* A tick's label: value (in the axis' units) with as many decimals as the
 * step needs (step 0.25 -> "0.75"; step 50 -> "150"), a space and the
 * unit: "150 MiB", "0.25 s". Returns buf. */
const char *mp_tl_tick_label(char *buf, size_t cap, double value, double step, const char *unit);

#endif
