/*
 * flame_svg.h — draws a frame tree (flame_tree.h) as a self-contained
 * interactive SVG flame graph: no external script, style or font. It knows
 * nothing of logs: cmd_flamegraph.c builds the tree and says what its
 * values mean.
 *
 * The picture: one row per depth, the root ("all") at the bottom (at the
 * top with icicle set); a frame's width is its value's share of the root's;
 * siblings in name order, left to right. A frame narrower than
 * min_fraction of the root (0.1% by default: about a pixel at 1200 px) is
 * not drawn on its own: the thin children of a frame are merged into one
 * "[…] other" frame (its tooltip says how many), drawn when the sum is wide
 * enough itself, and their descendants are not drawn. So the SVG holds at
 * most about 1/min_fraction frames per row whatever the number of stacks.
 *
 * Colours come from a hash of the function's name (FNV-1a) in a warm
 * palette, so a function keeps its colour from one run to the next.
 *
 * The embedded script (inline, in CDATA): a click on a frame zooms to it
 * (it fills the width, its descendants are scaled with it, its ancestors
 * drawn full width, everything else hidden); "Reset zoom" undoes it;
 * "Search" asks for a regular expression (prompt()), highlights the frames
 * whose names match and shows the share of the root they cover (nested
 * matches counted once); "Clear" ends the search. Each frame's <title> is
 * its tooltip: name, file:line, bytes (human units and exact), count,
 * percent of the root.
 *
 * A differential flame graph (diff set; the tree has a base, flame_tree.h):
 * widths are the tree's values (B, the later run), the base (A) only
 * colours: grey rgb(220,220,220) unchanged, red where the frame grew from A
 * to B, blue where it shrank, deeper as the change relative to the larger
 * of the two grows (mp_flame_diff_color); "[…] other" is coloured the same
 * way. The tooltip gives B's figures, A's and the change. A frame with no
 * value in B (gone, or A's alone) has no width and is not drawn.
 *
 * fragment set leaves out the XML declaration, for an SVG inlined into an
 * HTML page (report_html.c); the script works on its own <svg> either way.
 *
 * Hooks for tools and tests: a frame is <g class="frame" data-name=NAME
 * data-value=N data-x=N data-depth=D> holding its <title>, <rect> and
 * <text>; data-x is the value to its left within the root (same units).
 */
#ifndef MP_CLI_FLAME_SVG_H
#define MP_CLI_FLAME_SVG_H

#include <stdio.h>

#include "flame_tree.h"

typedef struct mp_flame_svg {
    const char *title;       /* top line */
    const char *subtitle;    /* second line, or NULL */
    const char *metric;      /* what values are: "allocated bytes" */
    int values_are_bytes;    /* values are bytes (else counts) */
    const char *count_name;  /* what count counts: "allocations", "blocks" */
    int icicle;              /* root at the top */
    unsigned width;          /* pixels; 0: 1200 */
    double min_fraction;     /* thinner frames are merged; 0: 0.001 */
    int diff;                /* colour and tooltips from the base (A) to the tree (B) */
    int fragment;            /* no XML declaration: to inline into HTML */
} mp_flame_svg_t;

/* Writes the SVG of the finished tree t to out. 0, or -1 on a write error
 * or out of memory. */
int mp_flame_svg_render(FILE *out, const mp_flame_tree_t *t, const mp_flame_svg_t *o);

/* The colour of a frame named name: "rgb(R,G,B)" in buf (at least 24
 * bytes). Exposed for the unit tests (stable across runs). */
const char *mp_flame_color(char *buf, size_t cap, const char *name);

/* The colour of a diff's frame whose value went from base (A) to value
 * (B): "rgb(220,220,220)" unchanged; growth "rgb(255,k,k)", shrinkage
 * "rgb(k,k,255)" with k = round(210 - 150 * |B - A| / max(A, B)). */
const char *mp_flame_diff_color(char *buf, size_t cap, uint64_t base, uint64_t value);

#endif
