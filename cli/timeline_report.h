/*
 * timeline_report.h — what `memprof timeline` charts, from the report
 * model (analyzer/report.h): the chart (timeline_svg.h) of one report, and
 * everything it points to, built and freed together. cmd_timeline.c writes
 * it to a file, report_html.c inlines it into the HTML report. What the
 * chart shows:
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
 *
 * The report's peak list needs --by=stack's top entries (any top >= 1
 * does; top = 0, every stack, too).
 */
#ifndef MP_CLI_TIMELINE_REPORT_H
#define MP_CLI_TIMELINE_REPORT_H

#include <stddef.h>

#include "report.h"
#include "timeline_svg.h"

typedef struct mp_tl_report mp_tl_report_t;

typedef struct mp_tl_report_options {
    int by_stack;          /* legend notes of the top stacks instead of class bands */
    size_t top;            /* classes or stacks shown */
    unsigned width, height; /* pixels */
} mp_tl_report_options_t;

/* Builds the chart of rep. 0 with *out set, or -1 out of memory. */
int mp_tl_report_build(const mp_report_t *rep, const mp_tl_report_options_t *o,
                       mp_tl_report_t **out);
/* The chart, ready for mp_tl_render (its fields may be changed: fragment). */
mp_tl_chart_t *mp_tl_report_chart(mp_tl_report_t *tr);
/* NULL is fine. */
void mp_tl_report_free(mp_tl_report_t *tr);

#endif
