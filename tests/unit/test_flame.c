/*
 * test_flame.c — the frame tree, the collapsed stacks and the SVG of
 * `memprof flamegraph` (cli/flame_tree.h, flame_folded.h, flame_svg.h) on
 * fixed stacks.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "flame_folded.h"
#include "flame_svg.h"
#include "flame_tree.h"

/* Adds the stack "a;b;c" (names split on ';'), bytes = value, count 1. */
static void add(mp_flame_tree_t *t, const char *stack, uint64_t value)
{
    mp_flame_frame_t fr[16];
    char buf[256], *save = NULL;
    size_t n = 0;

    snprintf(buf, sizeof buf, "%s", stack);
    for (char *s = strtok_r(buf, ";", &save); s && n < 16; s = strtok_r(NULL, ";", &save)) {
        fr[n] = (mp_flame_frame_t){ s, "x.c", (uint32_t)n + 1 }; /* line: depth */
        n++;
    }
    CU_ASSERT_EQUAL_FATAL(mp_flame_tree_add(t, n, fr, value, value, 1), 0);
}

static char *folded(const mp_flame_tree_t *t)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    CU_ASSERT_EQUAL(mp_flame_write_folded(f, t), 0);
    fclose(f);
    return s;
}

/* The child of node i named name, or -1. */
static long child(const mp_flame_tree_t *t, size_t i, const char *name)
{
    size_t n;
    const uint32_t *k = mp_flame_tree_children(t, i, &n);

    for (size_t j = 0; j < n; j++)
        if (strcmp(mp_flame_tree_node(t, k[j])->name, name) == 0)
            return k[j];
    return -1;
}

static void tree_merges_stacks_with_a_common_prefix(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    long m, a, b, c;

    add(t, "main;a;b", 100);
    add(t, "main;c", 30);
    add(t, "main;a;b", 50);
    add(t, "main;a", 20);
    add(t, "main", 5);
    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    CU_ASSERT_EQUAL(mp_flame_tree_count(t), 5); /* all, main, a, b, c */
    CU_ASSERT_EQUAL(mp_flame_tree_depth(t), 3);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, 0)->value, 205);
    m = child(t, 0, "main");
    CU_ASSERT_FATAL(m > 0);
    a = child(t, (size_t)m, "a");
    c = child(t, (size_t)m, "c");
    CU_ASSERT_FATAL(a > 0 && c > 0);
    b = child(t, (size_t)a, "b");
    CU_ASSERT_FATAL(b > 0);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)m)->value, 205);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)m)->self_value, 5);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)a)->value, 170);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)a)->self_value, 20);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)b)->value, 150);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)b)->count, 2);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)b)->depth, 3);
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)c)->value, 30);
    CU_ASSERT_STRING_EQUAL(mp_flame_tree_node(t, (size_t)b)->file, "x.c");
    CU_ASSERT_EQUAL(mp_flame_tree_node(t, (size_t)b)->line, 3);
    mp_flame_tree_free(t);
}

static void tree_keeps_same_name_under_different_parents_apart(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    size_t n;

    add(t, "main;a;xmalloc", 10);
    add(t, "main;b;xmalloc", 20);
    add(t, "main;xmalloc", 40);
    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    CU_ASSERT_EQUAL(mp_flame_tree_count(t), 7);
    mp_flame_tree_children(t, (size_t)child(t, 0, "main"), &n);
    CU_ASSERT_EQUAL(n, 3);
    mp_flame_tree_free(t);
}

static void folded_lines_are_exact_and_sorted_whatever_the_order_added(void)
{
    static const char *const stacks[] = { "main;c", "main;a;b", "main", "main;a", "main;a;b",
                                          "start;x" };
    static const uint64_t values[] = { 30, 100, 5, 20, 50, 7 };
    const char *want = "main 5\n"
                       "main;a 20\n"
                       "main;a;b 150\n"
                       "main;c 30\n"
                       "start;x 7\n";

    for (int order = 0; order < 2; order++) {
        mp_flame_tree_t *t = mp_flame_tree_new();
        char *s;

        for (size_t k = 0; k < 6; k++) {
            size_t i = order ? 5 - k : k;

            add(t, stacks[i], values[i]);
        }
        CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
        s = folded(t);
        CU_ASSERT_STRING_EQUAL(s, want);
        free(s);
        mp_flame_tree_free(t);
    }
}

static void folded_skips_zero_values_and_escapes_separators(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    mp_flame_frame_t fr[2] = { { "main", NULL, 0 }, { "f(a;b)\nx", NULL, 0 } };
    char *s;

    add(t, "main;never", 0);
    CU_ASSERT_EQUAL(mp_flame_tree_add(t, 2, fr, 9, 9, 1), 0);
    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    CU_ASSERT_EQUAL(mp_flame_tree_count(t), 3);
    s = folded(t);
    CU_ASSERT_STRING_EQUAL(s, "main;f(a:b) x 9\n");
    free(s);
    mp_flame_tree_free(t);
}

static char *svg(const mp_flame_tree_t *t, int icicle)
{
    mp_flame_svg_t o = { .title = "t", .metric = "bytes allocated", .values_are_bytes = 1,
                         .count_name = "allocations", .icicle = icicle };
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);

    CU_ASSERT_EQUAL(mp_flame_svg_render(f, t, &o), 0);
    fclose(f);
    return s;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;

    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

static void svg_merges_frames_thinner_than_a_thousandth(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    char name[32], *s;

    add(t, "main;big", 98000);
    for (int i = 0; i < 50; i++) { /* 20 each: 0.02%, 1000 together: 1% */
        snprintf(name, sizeof name, "main;thin%02d;deeper", i);
        add(t, name, 20);
    }
    for (int i = 0; i < 10; i++) { /* big2: 50 of 99050, under 0.1%: not drawn */
        snprintf(name, sizeof name, "big2;tiny%d", i);
        add(t, name, 5);
    }
    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    s = svg(t, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NULL(strstr(s, "thin"));
    CU_ASSERT_PTR_NULL(strstr(s, "tiny"));
    CU_ASSERT_PTR_NULL(strstr(s, "deeper"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-name=\"[\xe2\x80\xa6] other\" data-value=\"1000\" "
                                     "data-x=\"98000\" data-depth=\"2\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "(50 frames, each under 0.1%)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-name=\"big\" data-value=\"98000\" data-x=\"0\" "
                                     "data-depth=\"2\""));
    CU_ASSERT_PTR_NULL(strstr(s, "big2"));
    CU_ASSERT_EQUAL(count(s, "<g class=\"frame\""), 4); /* all, main, big, other */
    CU_ASSERT_EQUAL(count(s, "<script"), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<![CDATA["));
    CU_ASSERT(strcmp(s + strlen(s) - 7, "</svg>\n") == 0);
    free(s);
    mp_flame_tree_free(t);
}

static void svg_tooltip_says_bytes_count_percent_and_place(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    char *s;

    add(t, "main;a", 3072);
    add(t, "main;a", 1024);
    add(t, "main;operator<", 4096);
    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    s = svg(t, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<title>a\nx.c:2\n4.0 KiB (4096 B), 2 allocations, 50.00% "
                                     "of bytes allocated</title>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-name=\"operator&lt;\""));
    CU_ASSERT_PTR_NULL(strstr(s, "operator<"));
    free(s);
    mp_flame_tree_free(t);
}

static void svg_orientation_puts_the_root_at_the_bottom_or_top(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    char *flame, *icicle;
    const char *p;
    double yroot[2], ychild[2];

    add(t, "main;a", 10);
    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    flame = svg(t, 0);
    icicle = svg(t, 1);
    for (int k = 0; k < 2; k++) {
        const char *s = k ? icicle : flame;

        p = strstr(s, "data-name=\"all\"");
        CU_ASSERT_FATAL(p != NULL);
        CU_ASSERT_FATAL(sscanf(strstr(p, "<rect"), "<rect x=\"%*[^\"]\" y=\"%lf\"", &yroot[k]) == 1);
        p = strstr(s, "data-name=\"a\"");
        CU_ASSERT_FATAL(p != NULL);
        CU_ASSERT_FATAL(sscanf(strstr(p, "<rect"), "<rect x=\"%*[^\"]\" y=\"%lf\"", &ychild[k]) ==
                        1);
    }
    CU_ASSERT(yroot[0] > ychild[0]);
    CU_ASSERT(yroot[1] < ychild[1]);
    CU_ASSERT_PTR_NOT_NULL(strstr(icicle, "data-orientation=\"icicle\""));
    free(flame);
    free(icicle);
    mp_flame_tree_free(t);
}

static void svg_of_an_empty_tree_says_so(void)
{
    mp_flame_tree_t *t = mp_flame_tree_new();
    char *s;

    CU_ASSERT_EQUAL(mp_flame_tree_finish(t), 0);
    s = svg(t, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "nothing to draw: no bytes allocated"));
    CU_ASSERT_EQUAL(count(s, "<g class=\"frame\""), 0);
    free(s);
    mp_flame_tree_free(t);
}

static void colour_is_a_warm_function_of_the_name_alone(void)
{
    char a[24], b[24], c[24];
    unsigned r, g, bl;

    mp_flame_color(a, sizeof a, "make_bucket_array");
    mp_flame_color(b, sizeof b, "make_bucket_array");
    mp_flame_color(c, sizeof c, "main");
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, c);
    /* Fixed here so that a change of hash or palette is a visible choice. */
    CU_ASSERT_STRING_EQUAL(c, "rgb(242,192,48)");
    CU_ASSERT_STRING_EQUAL(a, "rgb(240,60,32)");
    CU_ASSERT_EQUAL(sscanf(a, "rgb(%u,%u,%u)", &r, &g, &bl), 3);
    CU_ASSERT(r >= 205 && r <= 255 && g <= 230 && bl <= 55);
}

void mp_test_register(void)
{
    MP_SUITE("flame",
             MP_TEST(tree_merges_stacks_with_a_common_prefix),
             MP_TEST(tree_keeps_same_name_under_different_parents_apart),
             MP_TEST(folded_lines_are_exact_and_sorted_whatever_the_order_added),
             MP_TEST(folded_skips_zero_values_and_escapes_separators),
             MP_TEST(svg_merges_frames_thinner_than_a_thousandth),
             MP_TEST(svg_tooltip_says_bytes_count_percent_and_place),
             MP_TEST(svg_orientation_puts_the_root_at_the_bottom_or_top),
             MP_TEST(svg_of_an_empty_tree_says_so),
             MP_TEST(colour_is_a_warm_function_of_the_name_alone));
}
