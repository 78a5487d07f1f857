/*
 * test_timeline.c — cli/timeline_svg.h: the axis arithmetic behind the
 * chart's ticks (1-2-5 steps, the byte unit chosen by the maximum, seconds
 * with as many decimals as the step needs) and the SVG written for a small
 * chart: its hooks (lines, bands, peak, findings), escaping, and the
 * refusal of an image too small to draw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "timeline_svg.h"

#define MIB (1024.0 * 1024.0)

static int close_to(double a, double b)
{
    return a - b < 1e-9 * (b > 1 ? b : 1) && b - a < 1e-9 * (b > 1 ? b : 1);
}

static void nice_step_is_one_two_or_five_times_a_power_of_ten(void)
{
    CU_ASSERT(close_to(mp_tl_nice_step(10, 5), 2));
    CU_ASSERT(close_to(mp_tl_nice_step(7, 7), 1));
    CU_ASSERT(close_to(mp_tl_nice_step(460, 6), 100));
    CU_ASSERT(close_to(mp_tl_nice_step(1.5, 8), 0.2));
    CU_ASSERT(close_to(mp_tl_nice_step(1000, 10), 100));
    CU_ASSERT(close_to(mp_tl_nice_step(0.003, 6), 0.0005));
    CU_ASSERT(close_to(mp_tl_nice_step(0, 5), 1));
    CU_ASSERT(close_to(mp_tl_nice_step(5, 0), 1));
}

static void bytes_axis_picks_the_unit_of_the_maximum(void)
{
    mp_tl_axis_t a;

    mp_tl_bytes_axis(482363064, 6, &a); /* 460.0 MiB: gomap's peak */
    CU_ASSERT_STRING_EQUAL(a.unit_name, "MiB");
    CU_ASSERT(close_to(a.unit, MIB));
    CU_ASSERT(close_to(a.step, 100));
    CU_ASSERT(close_to(a.end, 500));

    mp_tl_bytes_axis(1000, 6, &a);
    CU_ASSERT_STRING_EQUAL(a.unit_name, "B");
    CU_ASSERT(close_to(a.step, 200));
    CU_ASSERT(close_to(a.end, 1000));

    mp_tl_bytes_axis(3ull << 30, 6, &a);
    CU_ASSERT_STRING_EQUAL(a.unit_name, "GiB");
    CU_ASSERT(close_to(a.step, 0.5));
    CU_ASSERT(close_to(a.end, 3));

    mp_tl_bytes_axis(5, 6, &a); /* no fractions of a byte */
    CU_ASSERT(close_to(a.step, 1));
    CU_ASSERT(close_to(a.end, 5));

    mp_tl_bytes_axis(0, 6, &a);
    CU_ASSERT_STRING_EQUAL(a.unit_name, "B");
    CU_ASSERT(close_to(a.end, 1));
}

static void time_axis_is_in_seconds(void)
{
    mp_tl_axis_t a;

    mp_tl_time_axis(1540000000, 8, &a);
    CU_ASSERT_STRING_EQUAL(a.unit_name, "s");
    CU_ASSERT(close_to(a.step, 0.2));
    CU_ASSERT(close_to(a.end, 1.6));

    mp_tl_time_axis(42000000000ull, 8, &a);
    CU_ASSERT(close_to(a.step, 10));
    CU_ASSERT(close_to(a.end, 50));

    mp_tl_time_axis(0, 8, &a); /* an empty log still gets an axis */
    CU_ASSERT(a.end > 0);
}

static void tick_labels_have_the_decimals_the_step_needs(void)
{
    char b[64];

    CU_ASSERT_STRING_EQUAL(mp_tl_tick_label(b, sizeof b, 150, 50, "MiB"), "150 MiB");
    CU_ASSERT_STRING_EQUAL(mp_tl_tick_label(b, sizeof b, 0.6, 0.2, "s"), "0.6 s");
    CU_ASSERT_STRING_EQUAL(mp_tl_tick_label(b, sizeof b, 0.75, 0.25, "s"), "0.75 s");
    CU_ASSERT_STRING_EQUAL(mp_tl_tick_label(b, sizeof b, 0, 0.0005, "s"), "0.0000 s");
    CU_ASSERT_STRING_EQUAL(mp_tl_tick_label(b, sizeof b, 2, 1, "GiB"), "2 GiB");
}

/* Renders c into a string (freed by the caller); NULL if render failed. */
static char *render(const mp_tl_chart_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc;

    if (!f)
        return NULL;
    rc = mp_tl_render(f, c);
    fclose(f);
    if (rc) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void chart_has_its_lines_bands_peak_and_markers(void)
{
    static const uint64_t ts[] = { 0, 500000000, 1000000000 };
    static const uint64_t live[] = { 0, 300u << 20, 100u << 20 };
    static const uint64_t rss[] = { 10u << 20, 320u << 20, 310u << 20 };
    static const uint64_t b1[] = { 0, 200u << 20, 50u << 20 };
    static const uint64_t b2[] = { 0, 100u << 20, 50u << 20 };
    const mp_tl_line_t lines[] = {
        { "live bytes", "#1f77b4", 0, 0, 3, ts, live },
        { "RSS", "#555", 1, 1, 3, ts, rss },
    };
    const mp_tl_band_t bands[] = { { "class 1 (16 B)", "#4e79a7", b1 },
                                   { "vector<int> & co", "#f28e2b", b2 } };
    const mp_tl_marker_t markers[] = { { 700000000, "leak", "leak, 50 MiB at f (a.c:1)" } };
    const char *notes[] = { "1.0 MiB  g<T> (b.c:2)" };
    mp_tl_chart_t c = {
        .title = "memprof timeline: t (pid 1)", .width = 900, .height = 500,
        .duration_ns = 1000000000, .nlines = 2, .lines = lines,
        .nstack = 3, .stack_ts = ts, .nbands = 2, .bands = bands,
        .have_peak = 1, .peak_ts = 500000000, .peak_bytes = 300u << 20,
        .nmarkers = 1, .markers = markers, .nnotes = 1, .notes = notes,
    };
    char *s = render(&c);

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT(strncmp(s, "<?xml", 5) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<polyline class=\"series\" data-name=\"live bytes\" "
                                     "data-max-bytes=\"314572800\" data-last-bytes=\"104857600\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-name=\"RSS\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "stroke-dasharray"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<polygon class=\"band\" data-name=\"class 1 (16 B)\""));
    /* Names are escaped, in attributes and in text. */
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "data-name=\"vector&lt;int&gt; &amp; co\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "g&lt;T&gt; (b.c:2)"));
    CU_ASSERT_PTR_NULL(strstr(s, "vector<int>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<g id=\"peak\" data-bytes=\"314572800\" "
                                     "data-ts-ns=\"500000000\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "peak 300.0 MiB at 0.500 s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "<g class=\"finding\" data-kind=\"leak\" "
                                     "data-ts-ns=\"700000000\">\n<title>leak, 50 MiB"));
    /* 320 MiB of RSS at most: ticks of 100 MiB, the axis ends at 400. */
    CU_ASSERT_PTR_NOT_NULL(strstr(s, ">400 MiB</text>"));
    CU_ASSERT_PTR_NULL(strstr(s, ">500 MiB</text>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, ">1.0 s</text>"));
    CU_ASSERT_PTR_NULL(strstr(s, "<script"));
    CU_ASSERT(strcmp(s + strlen(s) - 7, "</svg>\n") == 0);
    free(s);
}

static void chart_refuses_a_tiny_image(void)
{
    mp_tl_chart_t c = { .title = "t", .width = MP_TL_MIN_WIDTH - 1, .height = 500 };

    CU_ASSERT_PTR_NULL(render(&c));
    c.width = 800;
    c.height = MP_TL_MIN_HEIGHT - 1;
    CU_ASSERT_PTR_NULL(render(&c));
}

static void empty_chart_is_still_a_chart(void)
{
    mp_tl_chart_t c = { .title = "empty", .width = 800, .height = 400 };
    char *s = render(&c);

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NULL(strstr(s, "id=\"peak\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, ">0 B</text>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "</svg>"));
    free(s);
}

void mp_test_register(void)
{
    MP_SUITE("timeline_axes", MP_TEST(nice_step_is_one_two_or_five_times_a_power_of_ten),
             MP_TEST(bytes_axis_picks_the_unit_of_the_maximum),
             MP_TEST(time_axis_is_in_seconds),
             MP_TEST(tick_labels_have_the_decimals_the_step_needs));
    MP_SUITE("timeline_svg", MP_TEST(chart_has_its_lines_bands_peak_and_markers),
             MP_TEST(chart_refuses_a_tiny_image), MP_TEST(empty_chart_is_still_a_chart));
}
