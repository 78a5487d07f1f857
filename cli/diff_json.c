/*
 * diff_json.c — `memprof diff --json` (diff_view.h): one object whose
 * schema docs/report-json.md ("memprof diff --json") specifies. Numbers
 * are exact: bytes and counts as integers, changes signed. Stacks have
 * every frame; a frame is one line.
 */
#include "diff_view.h"

#include <inttypes.h>

#include "json_str.h"

static const char *const keys[MP_DIFF_NMETRICS] = { "peak_bytes", "leaked_bytes",
                                                    "bytes_allocated", "allocations" };

static void figures(FILE *out, const char *indent, const uint64_t *a, const uint64_t *b,
                    const int64_t *change)
{
    for (int m = 0; m < MP_DIFF_NMETRICS; m++)
        fprintf(out, "%s\"%s\": {\"a\": %" PRIu64 ", \"b\": %" PRIu64 ", \"change\": %" PRId64
                     "},\n",
                indent, keys[m], a[m], b[m], change[m]);
}

static void log_info(FILE *out, const char *name, const mp_report_t *rep)
{
    const mp_replay_process_t *p = mp_replay_process(mp_report_replay(rep));
    mp_replay_summary_t s;

    mp_replay_summary(mp_report_replay(rep), &s);
    fprintf(out, "  \"%s\": {\"log\": ", name);
    mp_json_put_str(out, mp_report_path(rep));
    fprintf(out, ", \"pid\": %" PRIu64 ", \"exe\": ", p->pid);
    mp_json_put_str(out, p->exe ? p->exe : "");
    fprintf(out, ", \"partial\": %s},\n", s.partial ? "true" : "false");
}

void mp_diff_json(FILE *out, const mp_diff_t *d, const mp_report_t *a, const mp_report_t *b,
                  const mp_diff_view_t *o)
{
    const mp_diff_totals_t *t = mp_diff_totals(d);
    size_t n = mp_diff_count(d), shown = o->top && o->top < n ? o->top : n;

    fputs("{\n  \"format\": \"memprof-diff\",\n  \"version\": 1,\n", out);
    log_info(out, "a", a);
    log_info(out, "b", b);
    fprintf(out, "  \"sort\": \"%s\",\n  \"totals\": {\n", mp_diff_metric_name(mp_diff_sort(d)));
    figures(out, "    ", t->a, t->b, t->change);
    fprintf(out, "    \"stacks_changed\": %zu,\n    \"stacks_unchanged\": %zu\n  },\n", n,
            mp_diff_unchanged(d));
    fputs("  \"stacks\": [", out);
    for (size_t i = 0; i < shown; i++) {
        const mp_diff_row_t *r = mp_diff_row(d, i);

        fputs(i ? ",\n    {\n" : "\n    {\n", out);
        figures(out, "      ", r->a, r->b, r->change);
        fprintf(out, "      \"a_stacks\": %zu,\n      \"b_stacks\": %zu,\n      \"stack\": [",
                r->a_stacks, r->b_stacks);
        for (size_t k = 0; k < r->nframes; k++) {
            const mp_frame_t *f = &r->frames[k];
            char name[256];

            mp_frame_name(f, name, sizeof name);
            fputs(k ? ",\n        {\"function\": " : "\n        {\"function\": ", out);
            mp_json_put_str(out, name);
            fputs(", \"file\": ", out);
            if (f->file)
                mp_json_put_str(out, f->file);
            else
                fputs("null", out);
            if (f->line)
                fprintf(out, ", \"line\": %" PRIu32 "}", f->line);
            else
                fputs(", \"line\": null}", out);
        }
        fputs(r->nframes ? "\n      ]\n    }" : "]\n    }", out);
    }
    fputs(shown ? "\n  ]\n}\n" : "]\n}\n", out);
}
