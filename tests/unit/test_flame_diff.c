/*
 * test_flame_diff.c — the differential flame graph of `memprof flamegraph
 * --diff` (cli/flame_tree.h's base, flame_svg.h's diff drawing,
 * flame_folded.h's two columns) on a fixed pair of runs:
 *
 *     A (base)                      B
 *     main;grow        2048         main;grow        6144
 *     main;steady      4096         main;steady      4096
 *     main;fade        1536         main;fade         512
 *     main;gone         100         main;new         1000
 *
 * Exact widths (pixels of the 1180 px frame area: 10 px margins on a 1200
 * px image), colours and tooltips.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "flame_folded.h"
#include "flame_svg.h"
#include "flame_tree.h"

/* Adds "main;NAME" to t's tree (base 0) or its base (base 1). */
static void add2(mp_flame_tree_t *t, const char *name, uint64_t value, int base)
{
    mp_flame_frame_t fr[2] = { { "main", "m.c", 3 }, { name, "m.c", 10 } };

    int rc = base ? mp_flame_tree_add_base(t, 2, fr, value, value, value / 512)
                  : mp_flame_tree_add(t, 2, fr, value, value, value / 512);

    CU_ASSERT_EQUAL_FATAL(rc, 0);
}

static mp_flame_tree_t *pair(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();

    add2(t, "grow", 6144, 0);
    add2(t, "steady", 4096, 0);
    add2(t, "fade", 512, 0);
    add2(t, "new", 1000, 0);
    add2(t, "grow", 2048, 1);
    add2(t, "steady", 4096, 1);
    add2(t, "fade", 1536, 1);
    add2(t, "gone", 100, 1);
    CU_ASSERT_EQUAL_FATAL(mp_flame_tree_finish(t), 0);
    return t;
}

static char *render(const mp_flame_tree_t *t, int diff, int fragment)
{
    mp_flame_svg_t o = { .title = "t", .metric = "bytes leaked", .values_are_bytes = 1,
                         .count_name = "blocks", .diff = diff, .fragment = fragment };
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    CU_ASSERT_EQUAL(mp_flame_svg_render(f, t, &o), 0);
    fclose(f);
    return s;
}

/* The <g> of the frame named name in s, up to its end; NULL if none. */
static char *frame_of(const char *s, const char *name)
{
    char key[96];
    const char *p, *e;

    snprintf(key, sizeof key, "<g class=\"frame\" data-name=\"%s\"", name);
    p = strstr(s, key);
    if (!p)
        return NULL;
    e = strstr(p, "</g>");
    return e ? strndup(p, (size_t)(e - p)) : NULL;
}

static void base_matches_stacks_by_name_and_keeps_its_own_sums(void)
{
    mp_flame_tree_t *t = pair();
    const mp_flame_node_t *root = mp_flame_tree_node(t, 0);
    size_t n;
    const uint32_t *k = mp_flame_tree_children(t, 0, &n);
    const mp_flame_node_t *m;

    CU_ASSERT_TRUE(mp_flame_tree_has_base(t));
    CU_ASSERT_EQUAL(root->value, 11752);
    CU_ASSERT_EQUAL(root->base_value, 7780);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    m = mp_flame_tree_node(t, k[0]);
    CU_ASSERT_STRING_EQUAL(m->name, "main");
    k = mp_flame_tree_children(t, k[0], &n);
    CU_ASSERT_EQUAL_FATAL(n, 5); /* fade gone grow new steady: one node per name */
    CU_ASSERT_STRING_EQUAL(mp_flame_tree_node(t, k[1])->name, "gone");
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, k[1])->value, 0);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, k[1])->base_value, 100);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, k[2])->value, 6144);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, k[2])->base_value, 2048);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, k[2])->base_count, 4);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, k[2])->self_base, 2048);
    mp_flame_tree_free(t);
}

static void diff_colours_are_grey_red_or_blue_by_relative_change(void)
{
    char c[24];

    CU_ASSERT_STRING_EQUAL(mp_flame_diff_color(c, sizeof c, 4096, 4096), "rgb(220,220,220)");
    /* |B - A| / max = 4096 / 6144: k = 210 - 100 */
    CU_ASSERT_STRING_EQUAL(mp_flame_diff_color(c, sizeof c, 2048, 6144), "rgb(255,110,110)");
    CU_ASSERT_STRING_EQUAL(mp_flame_diff_color(c, sizeof c, 1536, 512), "rgb(110,110,255)");
    CU_ASSERT_STRING_EQUAL(mp_flame_diff_color(c, sizeof c, 0, 1000), "rgb(255,60,60)");
    /* 1% larger: a hint of red, 210 - 1.5 rounds to 209 (208.5 up) */
    CU_ASSERT_STRING_EQUAL(mp_flame_diff_color(c, sizeof c, 99, 100), "rgb(255,209,209)");
}

static void diff_svg_widths_come_from_b_colours_from_the_change(void)
{
    mp_flame_tree_t *t = pair();
    char *s = render(t, 1, 0), *g;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-total=\"11752\" data-base-total=\"7780\""));
    CU_ASSERT_PTR_NULL(strstr(s, "gone")); /* no width in B */
    /* fade gone grow new steady, in name order, left to right: x from 0 */
    g = frame_of(s, "fade");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "data-value=\"512\" data-x=\"0\" data-depth=\"2\" "
                                     "data-base=\"1536\""));
    /* 512 / 11752 * 1180 = 51.41 px, drawn 0.5 px narrower */
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "<rect x=\"10.00\" y=\"74\" width=\"50.91\" height=\"15\" "
                                     "fill=\"rgb(110,110,255)\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "<title>fade\nm.c:10\nB: 512 B (512 B), 1 blocks, 4.36% of "
                                     "bytes leaked\nA: 1.5 KiB (1536 B), 3 blocks, 19.74% of "
                                     "bytes leaked\nchange: -1.0 KiB (-1024 B), -66.7%</title>"));
    free(g);
    g = frame_of(s, "grow");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "data-value=\"6144\" data-x=\"512\""));
    /* x: 10 + 512 / 11752 * 1180 = 61.41; width 6144 / 11752 * 1180 = 616.91 */
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "<rect x=\"61.41\" y=\"74\" width=\"616.41\" height=\"15\" "
                                     "fill=\"rgb(255,110,110)\"/>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "change: +4.0 KiB (+4096 B), +200.0%</title>"));
    free(g);
    g = frame_of(s, "new");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "fill=\"rgb(255,60,60)\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "\nA: none\nchange: +1000 B (+1000 B), new in B</title>"));
    free(g);
    g = frame_of(s, "steady");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "data-x=\"7656\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "fill=\"rgb(220,220,220)\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "change: +0 B (+0 B), +0.0%</title>"));
    free(g);
    /* main: 7780 -> 11752, 3972 / 11752 of 150 off 210: 159.3 -> 159 */
    g = frame_of(s, "main");
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "<rect x=\"10.00\" y=\"90\" "));
    CU_ASSERT_PTR_NOT_NULL(strstr(g, "width=\"1179.50\" height=\"15\" fill=\"rgb(255,159,159)\""));
    free(g);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<tspan fill=\"rgb(220,40,40)\">red</tspan> grew"));
    CU_ASSERT_EQUAL(strncmp(s, "<?xml", 5), 0);
    free(s);
    mp_flame_tree_free(t);
}

static void fragment_has_no_xml_declaration_and_finds_its_own_svg(void)
{
    mp_flame_tree_t *t = pair();
    char *s = render(t, 0, 1);

    CU_ASSERT_EQUAL(strncmp(s, "<svg class=\"flamegraph\" ", 24), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "me.ownerSVGElement"));
    CU_ASSERT_PTR_NULL(strstr(s, "document.getElementById"));
    /* not a diff: the names' warm colours, no base in the frames */
    CU_ASSERT_PTR_NULL(strstr(s, "data-base=\""));
    CU_ASSERT_PTR_NULL(strstr(s, "\nA: "));
    free(s);
    mp_flame_tree_free(t);
}

static void folded_diff_writes_both_runs_a_first(void)
{
    mp_flame_tree_t *t = pair();
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    CU_ASSERT_EQUAL(mp_flame_write_folded(f, t), 0);
    fclose(f);
    CU_ASSERT_STRING_EQUAL(s, "main;fade 1536 512\n"
                              "main;gone 100 0\n"
                              "main;grow 2048 6144\n"
                              "main;new 0 1000\n"
                              "main;steady 4096 4096\n");
    free(s);
    mp_flame_tree_free(t);
}

void mp_test_register(void)
{
    MP_SUITE("flame_diff",
             MP_TEST(base_matches_stacks_by_name_and_keeps_its_own_sums),
             MP_TEST(diff_colours_are_grey_red_or_blue_by_relative_change),
             MP_TEST(diff_svg_widths_come_from_b_colours_from_the_change),
             MP_TEST(fragment_has_no_xml_declaration_and_finds_its_own_svg),
             MP_TEST(folded_diff_writes_both_runs_a_first));
}
