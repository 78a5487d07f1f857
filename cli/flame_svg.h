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
} mp_flame_svg_t;

/* Writes the SVG of the finished tree t to out. 0, or -1 on a write error
 * or out of memory. */
int mp_flame_svg_render(FILE *out, const mp_flame_tree_t *t, const mp_flame_svg_t *o);

/* The colour of a frame named name: "rgb(R,G,B)" in buf (at least 24
 * bytes). Exposed for the unit tests (stable across runs). */
const char *mp_flame_color(char *buf, size_t cap, const char *name);

#endif
