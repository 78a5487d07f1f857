/*
 * diff_text.c — `memprof diff` as text (diff_view.h): the two logs, their
 * totals side by side with the change, then the changed stacks, largest
 * growth first, each as one line of changes and its frames. Bytes in
 * human units (analyzer/human.h), signed: "+9.8 KiB", "-500 B", "0".
 * A frame reads `function (file)`, the file's last component only: a
 * stack is matched by functions and files, not lines (diff.h).
 */
#include "diff_view.h"

#include <inttypes.h>
#include <string.h>

#include "human.h"

static const char *const labels[MP_DIFF_NMETRICS] = { "peak", "leaked", "allocated",
                                                      "allocations" };

/* v as the column shows it: bytes in human units, counts exact. */
static const char *figure(char *buf, size_t cap, mp_diff_metric_t m, uint64_t v)
{
    if (m == MP_DIFF_ALLOCATIONS)
        snprintf(buf, cap, "%" PRIu64, v);
    else
        mp_human_bytes(buf, cap, v);
    return buf;
}

static const char *signed_figure(char *buf, size_t cap, mp_diff_metric_t m, int64_t v)
{
    char abs[MP_HUMAN_MAX];

    if (v == 0)
        return "0";
    figure(abs, sizeof abs, m, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v);
    snprintf(buf, cap, "%c%s", v < 0 ? '-' : '+', abs);
    return buf;
}

static void describe(FILE *out, const char *label, const mp_report_t *rep)
{
    const mp_replay_process_t *p = mp_replay_process(mp_report_replay(rep));
    mp_replay_summary_t s;

    mp_replay_summary(mp_report_replay(rep), &s);
    fprintf(out, "  %s  %s: pid %" PRIu64 ",", label, mp_report_path(rep), p->pid);
    for (uint32_t i = 0; i < p->argc && i < 8; i++)
        fprintf(out, " %s", p->argv[i]);
    if (p->argc > 8)
        fputs(" ...", out);
    fputs(s.partial ? " (partial log)\n" : "\n", out);
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');

    return b ? b + 1 : path;
}

static void frames(FILE *out, const mp_diff_row_t *r, size_t depth)
{
    char name[256];
    size_t n = r->nframes;

    if (n == 0)
        fputs("      [no stack]\n", out);
    if (depth && n > depth)
        n = depth;
    for (size_t k = 0; k < n; k++) {
        const mp_frame_t *f = &r->frames[k];

        mp_frame_name(f, name, sizeof name);
        if (f->file)
            fprintf(out, "      %s (%s)\n", name, base_name(f->file));
        else
            fprintf(out, "      %s\n", name);
    }
    if (n < r->nframes)
        fprintf(out, "      ... %zu more frames\n", r->nframes - n);
}

void mp_diff_text(FILE *out, const mp_diff_t *d, const mp_report_t *a, const mp_report_t *b,
                  const mp_diff_view_t *o)
{
    const mp_diff_totals_t *t = mp_diff_totals(d);
    size_t n = mp_diff_count(d), shown = o->top && o->top < n ? o->top : n;
    char x[MP_HUMAN_MAX + 2], y[MP_HUMAN_MAX + 2], z[MP_HUMAN_MAX + 2];

    fputs("memprof diff: what changed from A to B\n", out);
    describe(out, "A", a);
    describe(out, "B", b);
    fprintf(out, "\n  %-12s %12s %12s %12s\n", "", "A", "B", "change");
    for (int m = 0; m < MP_DIFF_NMETRICS; m++)
        fprintf(out, "  %-12s %12s %12s %12s\n", labels[m], figure(x, sizeof x, m, t->a[m]),
                figure(y, sizeof y, m, t->b[m]), signed_figure(z, sizeof z, m, t->change[m]));

    fprintf(out, "\nStacks by change in %s, largest growth first: %zu changed", 
            labels[mp_diff_sort(d)], n);
    if (shown < n)
        fprintf(out, " (top %zu shown)", shown);
    fprintf(out, ", %zu unchanged\n", mp_diff_unchanged(d));
    if (shown == 0)
        return;
    fprintf(out, "\n  %12s %12s %12s %12s\n", labels[0], labels[1], labels[2], labels[3]);
    for (size_t i = 0; i < shown; i++) {
        const mp_diff_row_t *r = mp_diff_row(d, i);

        fputs(i ? "\n  " : "  ", out);
        for (int m = 0; m < MP_DIFF_NMETRICS; m++)
            fprintf(out, "%s%12s", m ? " " : "", signed_figure(z, sizeof z, m, r->change[m]));
        if (!r->a_stacks)
            fputs("  new in B", out);
        else if (!r->b_stacks)
            fputs("  gone in B", out);
        fputc('\n', out);
        frames(out, r, o->depth);
    }
}
