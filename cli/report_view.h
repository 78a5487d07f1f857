/*
 * report_view.h — the views of `memprof report`: a report model
 * (analyzer/report.h) printed as text for people (report_text.c) or as
 * JSON for programs (report_json.c, schema in docs/report-json.md), and the
 * listing of a directory of logs (report_dir.c). cmd_report.c chooses
 * which; these only print.
 */
#ifndef MP_CLI_REPORT_VIEW_H
#define MP_CLI_REPORT_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include "report.h"

typedef struct mp_view_options {
    size_t depth;  /* text: frames printed per stack; 0 all (JSON: always all) */
    size_t top;    /* text: findings printed; 0 all (the lists are cut by the model) */
    int color;     /* text: ANSI bold headers and red leak sizes */
} mp_view_options_t;

/* The whole report as text, readable at 100 columns. */
void mp_report_text(FILE *out, const mp_report_t *rep, const mp_view_options_t *o);

/* The report as one JSON object (docs/report-json.md), indented by
 * `indent` levels of two spaces (1 inside the array of several logs), no
 * newline after the closing brace. */
void mp_report_json(FILE *out, const mp_report_t *rep, const mp_view_options_t *o,
                    int indent);

/* Lists the logs in dir: one line each (name, pid, ppid, start, duration,
 * events, whether complete, command), how the processes relate, and the
 * commands that report on them. self: how to name memprof in those
 * commands. Returns the number of logs listed, or -1 if dir cannot be read
 * (message on stderr). */
int mp_report_dir(FILE *out, const char *dir, const char *self);

/* ---- Shared words ------------------------------------------------------ */

/* A wall-clock time (ns since the epoch) in local time, "2026-11-22
 * 01:13:05 UTC". */
const char *mp_view_wall_time(char *buf, size_t cap, uint64_t ns);

/* A frame as the text report prints it: `function (file:line)`, the
 * file's last component, " [inlined]" after an inlined one; control
 * characters as '?'. */
void mp_view_frame(FILE *out, const mp_frame_t *f);

/* How the process ended: "exited with status 0", "killed by signal 9
 * (SIGKILL)", "no END record", ... */
void mp_view_end(FILE *out, const mp_replay_summary_t *sum);

#endif
