/*
 * report_html.h — `memprof report --html`: one report model
 * (analyzer/report.h) as a single self-contained HTML page that opens
 * offline: the header (process, command, log), the summary, the findings
 * (evidence, what to do, stack), the timeline chart (timeline_report.h),
 * the interactive flame graph of the bytes live at the peak (flame_svg.h),
 * the ranked stacks (leaks, peak, allocations, temporary), the size-class
 * table and the symbolizer's warnings.
 *
 * Self-contained: CSS inline, the SVGs inline (the flame graph's own
 * script is the page's only script), no external reference; a
 * Content-Security-Policy meta (default-src 'none') makes the browser
 * refuse any fetch, so the page cannot reach the network even if asked.
 *
 * Safe: every string from the log (function and file names, the command
 * line, the executable's path, evidence) goes through xml_text.h, so a
 * symbol or argument like "<script>" is shown, never run.
 *
 * Well-formed: the page is polyglot XHTML — parsed as HTML by browsers,
 * and well-formed XML (no named entity but the five, every element
 * closed) so tests read it with an XML parser.
 *
 * Hooks for tools and tests: each part is <section id=ID> with ID one of
 * summary, findings, timeline, flamegraph, stacks, classes (and symbols
 * when there are warnings); a finding is <div class="finding"
 * data-kind=KIND>.
 *
 * The model must have been built with top = 0 (every stack symbolized,
 * for the flame graph); o->top cuts the lists and findings shown, o->depth
 * the frames per stack (0: all).
 */
#ifndef MP_CLI_REPORT_HTML_H
#define MP_CLI_REPORT_HTML_H

#include <stdio.h>

#include "report.h"
#include "report_view.h"

/* Writes the page. 0, or -1 out of memory or on a write error. */
int mp_report_html(FILE *out, const mp_report_t *rep, const mp_view_options_t *o);

/* `memprof report --html`'s output: the page to path ("-": stdout; NULL:
 * the log's path with .mpz replaced by .html, or .html appended), where it
 * went said on stderr. Returns the exit status: 0, or 1 (said why). */
int mp_report_html_file(const mp_report_t *rep, const mp_view_options_t *o, const char *path);

#endif
