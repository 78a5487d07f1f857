/*
 * report_json.c — `memprof report --json` (report_view.h): the report as
 * one JSON object whose schema docs/report-json.md specifies and keeps
 * stable. Numbers are exact integers (bytes, counts, ns); times also come
 * as seconds with nine decimals, which is exact too. Stacks have every
 * frame, whatever --depth says. Strings from the log (paths, arguments)
 * are bytes that may not be UTF-8: valid UTF-8 passes through, every
 * other byte becomes U+FFFD, control characters are escaped, so the output
 * is always valid JSON.
 *
 * Layout: two spaces per level, one member per line, except a frame, which
 * is one line (stacks stay readable in a diff).
 */
#include "report_view.h"

#include "json_str.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define MAX_DEPTH 32

typedef struct json {
    FILE *out;
    int base;                 /* indent levels before everything */
    int depth;                /* containers open */
    int first[MAX_DEPTH];     /* nothing written yet in the container at depth */
    int inl[MAX_DEPTH];       /* the container at depth is on one line */
} json_t;

/* ---- Writer ------------------------------------------------------------ */

static void newline(json_t *j)
{
    fputc('\n', j->out);
    for (int i = 0; i < j->base + j->depth; i++)
        fputs("  ", j->out);
}

/* Before a member or an array element. */
static void sep(json_t *j)
{
    if (!j->first[j->depth])
        fputc(',', j->out);
    if (j->inl[j->depth]) {
        if (!j->first[j->depth])
            fputc(' ', j->out);
    } else {
        newline(j);
    }
    j->first[j->depth] = 0;
}

static void put_str(json_t *j, const char *s)
{
    mp_json_put_str(j->out, s);
}

static void key(json_t *j, const char *k)
{
    sep(j);
    put_str(j, k);
    fputs(": ", j->out);
}

static void open_(json_t *j, char c, int inl)
{
    fputc(c, j->out);
    j->depth++;
    j->first[j->depth] = 1;
    j->inl[j->depth] = inl || j->inl[j->depth - 1];
}

static void close_(json_t *j, char c)
{
    int empty = j->first[j->depth], inl = j->inl[j->depth];

    j->depth--;
    if (!empty && !inl)
        newline(j);
    fputc(c, j->out);
}

static void k_obj(json_t *j, const char *k, int inl)
{
    key(j, k);
    open_(j, '{', inl);
}

static void k_arr(json_t *j, const char *k)
{
    key(j, k);
    open_(j, '[', 0);
}

static void k_u64(json_t *j, const char *k, uint64_t v)
{
    key(j, k);
    fprintf(j->out, "%" PRIu64, v);
}

static void k_str(json_t *j, const char *k, const char *v)
{
    key(j, k);
    if (v)
        put_str(j, v);
    else
        fputs("null", j->out);
}

static void k_bool(json_t *j, const char *k, int v)
{
    key(j, k);
    fputs(v ? "true" : "false", j->out);
}

static void k_null(json_t *j, const char *k)
{
    key(j, k);
    fputs("null", j->out);
}

/* ns as seconds, exactly: 1.700000000. */
static void k_secs(json_t *j, const char *k, uint64_t ns)
{
    key(j, k);
    fprintf(j->out, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

/* ---- Report parts ------------------------------------------------------ */

static void frame(json_t *j, const mp_frame_t *f)
{
    sep(j);
    open_(j, '{', 1);
    k_str(j, "function", f->function);
    k_str(j, "file", f->file);
    if (f->line)
        k_u64(j, "line", f->line);
    else
        k_null(j, "line");
    k_str(j, "module", f->module);
    k_u64(j, "module_offset", f->module_offset);
    k_bool(j, "inlined", f->inlined);
    close_(j, '}');
}

static void stack(json_t *j, const mp_report_stack_t *s, uint64_t stack_id)
{
    k_u64(j, "stack_id", stack_id);
    k_arr(j, "stack");
    for (size_t i = 0; s && i < s->nframes; i++)
        frame(j, &s->frames[i]);
    close_(j, ']');
}

static uint64_t rounded(double v)
{
    return v <= 0 ? 0 : (uint64_t)llround(v);
}

static void process(json_t *j, const mp_replay_process_t *p)
{
    k_obj(j, "process", 0);
    k_u64(j, "pid", p->pid);
    k_u64(j, "ppid", p->ppid);
    k_str(j, "exe", p->exe);
    k_arr(j, "argv");
    for (uint32_t i = 0; i < p->argc; i++) {
        sep(j);
        put_str(j, p->argv[i]);
    }
    close_(j, ']');
    k_u64(j, "start_time_ns", p->start_real_ns);
    k_str(j, "mode", p->mode == MP_MODE_SAMPLED ? "sampled" : "full");
    k_u64(j, "sample_interval", p->sample_interval);
    close_(j, '}');
}

static void end_and_partial(json_t *j, const mp_replay_summary_t *s)
{
    static const char *const reasons[] = { "exit", "signal", "exec", "error" };

    k_bool(j, "complete", !s->partial);
    if (s->partial) {
        k_obj(j, "partial", 0);
        k_u64(j, "offset", s->stop.offset);
        k_str(j, "reason", s->stop.msg);
        k_bool(j, "damaged", s->stop.code != 0);
        close_(j, '}');
    } else {
        k_null(j, "partial");
    }
    if (!s->have_end) {
        k_null(j, "end");
        return;
    }
    k_obj(j, "end", 1);
    if (s->end_reason < sizeof reasons / sizeof reasons[0])
        k_str(j, "reason", reasons[s->end_reason]);
    else
        k_u64(j, "reason", s->end_reason);
    switch (s->end_reason) {
    case MP_END_EXIT: k_u64(j, "status", s->end_detail); break;
    case MP_END_SIGNAL: k_u64(j, "signal", s->end_detail); break;
    case MP_END_ERROR: k_u64(j, "errno", s->end_detail); break;
    default: break;
    }
    close_(j, '}');
}

/* {"definite": {"bytes": B, "blocks": N}, ...}, or null without a scan. */
static void kinds(json_t *j, const char *k, int have, const uint64_t *blocks,
                  const uint64_t *bytes)
{
    if (!have) {
        k_null(j, k);
        return;
    }
    k_obj(j, k, 0);
    for (unsigned i = MP_LEAK_DEFINITE; i <= MP_LEAK_REACHABLE; i++) {
        k_obj(j, mp_log_leak_kind_name(i), 1);
        k_u64(j, "bytes", bytes[i]);
        k_u64(j, "blocks", blocks[i]);
        close_(j, '}');
    }
    close_(j, '}');
}

static void summary(json_t *j, const mp_report_t *rep, const mp_replay_summary_t *s,
                    int sampled)
{
    const mp_report_facts_t *f = mp_report_facts(rep);

    k_obj(j, "summary", 0);
    k_secs(j, "duration_s", s->duration_ns);
    k_u64(j, "duration_ns", s->duration_ns);
    k_u64(j, "allocations", f->alloc_count);
    if (sampled)
        k_u64(j, "samples", s->samples);
    k_u64(j, "reallocations", s->reallocs);
    k_u64(j, "frees", f->free_count);
    k_u64(j, "bytes_allocated", s->bytes_allocated);
    k_u64(j, "bytes_freed", s->bytes_freed);
    k_u64(j, "temporary_allocations", s->temporary);
    k_u64(j, "peak_bytes", s->peak_bytes);
    k_u64(j, "peak_blocks", s->peak_blocks);
    k_secs(j, "peak_time_s", s->peak_ts);
    if (f->have_rss) {
        k_u64(j, "rss_peak_bytes", f->rss_peak);
        k_secs(j, "rss_peak_time_s", f->rss_peak_ts);
    } else {
        k_null(j, "rss_peak_bytes");
        k_null(j, "rss_peak_time_s");
    }
    k_u64(j, "leaked_bytes", s->leaked_bytes);
    k_u64(j, "leaked_blocks", f->leaked_blocks);
    kinds(j, "leak_kinds", s->leakscan.have, s->leakscan.blocks, s->leakscan.bytes);
    k_u64(j, "lost_events", s->lost_events);
    k_u64(j, "unknown_frees", s->unknown_frees + s->unknown_realloc_olds);
    k_u64(j, "events", s->events);
    k_u64(j, "log_bytes", s->file_size);
    close_(j, '}');
}

static void list(json_t *j, const mp_report_t *rep, mp_report_list_kind_t kind, int sampled)
{
    static const char *const names[] = { "leaks", "peak", "top_allocations", "top_temporary" };
    const mp_report_list_t *l = mp_report_list(rep, kind);
    mp_replay_summary_t sum;

    mp_replay_summary(mp_report_replay(rep), &sum);

    k_arr(j, names[kind]);
    for (size_t i = 0; i < l->n; i++) {
        const mp_replay_site_t *s = l->v[i].site;
        uint64_t allocs = sampled ? rounded(s->est_allocs) : s->allocs;

        sep(j);
        open_(j, '{', 0);
        switch (kind) {
        case MP_REPORT_LEAKS:
            k_u64(j, "bytes", s->leaked_bytes);
            k_u64(j, "blocks", sampled ? rounded(s->est_leaked_blocks) : s->leaked_blocks);
            k_u64(j, "allocations", allocs);
            k_u64(j, "frees", s->frees);
            k_secs(j, "first_alloc_s", s->first_ts);
            k_secs(j, "last_alloc_s", s->last_ts);
            kinds(j, "kinds", sum.leakscan.have, s->kind_blocks, s->kind_bytes);
            break;
        case MP_REPORT_PEAK:
            k_u64(j, "bytes", s->peak_bytes);
            k_u64(j, "blocks", s->peak_blocks);
            break;
        case MP_REPORT_ALLOCS:
            k_u64(j, "allocations", allocs);
            k_u64(j, "bytes", s->bytes_allocated);
            k_u64(j, "temporary", s->temporary);
            break;
        default:
            k_u64(j, "temporary", s->temporary);
            k_u64(j, "allocations", allocs);
            k_u64(j, "bytes", s->bytes_allocated);
            break;
        }
        stack(j, l->v[i].stack, s->stack_id);
        close_(j, '}');
    }
    close_(j, ']');
}

static void totals(json_t *j, const mp_report_t *rep)
{
    k_obj(j, "stacks", 1);
    k_u64(j, "leaks", mp_report_list(rep, MP_REPORT_LEAKS)->total);
    k_u64(j, "peak", mp_report_list(rep, MP_REPORT_PEAK)->total);
    k_u64(j, "top_allocations", mp_report_list(rep, MP_REPORT_ALLOCS)->total);
    k_u64(j, "top_temporary", mp_report_list(rep, MP_REPORT_TEMPORARY)->total);
    close_(j, '}');
}

static void classes(json_t *j, const mp_replay_t *r)
{
    const mp_replay_heap_t *h = mp_replay_heap_final(r);

    k_arr(j, "classes");
    for (uint32_t i = 0; h && i < h->nclasses; i++) {
        const mp_replay_class_t *c = &h->classes[i];
        if (c->spans == 0 && c->live_objects == 0)
            continue;
        sep(j);
        open_(j, '{', 1);
        k_u64(j, "class", i + 1);
        k_u64(j, "size", c->size);
        k_u64(j, "span_pages", c->span_pages);
        k_u64(j, "spans", c->spans);
        k_u64(j, "live_objects", c->live_objects);
        k_u64(j, "live_bytes", c->live_bytes);
        k_u64(j, "retained_bytes", c->retained_bytes);
        k_u64(j, "released_bytes", 0); /* pages are released from free spans only */
        close_(j, '}');
    }
    close_(j, ']');
    if (!h) {
        k_null(j, "heap");
        return;
    }
    k_obj(j, "heap", 0);
    k_bool(j, "exact", h->exact);
    k_secs(j, "time_s", h->ts);
    k_u64(j, "live_bytes", h->live_bytes);
    k_u64(j, "retained_bytes", h->retained_bytes);
    if (h->have_snapshot) {
        k_u64(j, "rss", h->rss);
        k_u64(j, "mapped", h->mapped);
        k_u64(j, "in_use", h->in_use);
        k_u64(j, "idle", h->idle);
        k_u64(j, "released", h->released);
        k_u64(j, "large_objects", h->large_objects);
        k_u64(j, "large_bytes", h->large_bytes);
    } else {
        k_null(j, "rss");
        k_null(j, "mapped");
        k_null(j, "in_use");
        k_null(j, "idle");
        k_null(j, "released");
        k_null(j, "large_objects");
        k_null(j, "large_bytes");
    }
    close_(j, '}');
}

static void findings(json_t *j, const mp_report_t *rep)
{
    k_arr(j, "findings");
    for (size_t i = 0; i < mp_report_finding_count(rep); i++) {
        const mp_report_finding_t *rf = mp_report_finding(rep, i);

        sep(j);
        open_(j, '{', 0);
        k_str(j, "kind", rf->f->kind);
        k_u64(j, "bytes", rf->f->bytes);
        k_u64(j, "blocks", rf->f->blocks);
        k_str(j, "evidence", rf->f->evidence);
        k_str(j, "advice", rf->f->advice);
        stack(j, rf->stack, rf->f->stack_id);
        close_(j, '}');
    }
    close_(j, ']');
}

void mp_report_json(FILE *out, const mp_report_t *rep, const mp_view_options_t *o,
                    int indent)
{
    json_t j = { .out = out, .base = indent };
    const mp_replay_t *r = mp_report_replay(rep);
    const mp_replay_process_t *p = mp_replay_process(r);
    mp_replay_summary_t s;
    int sampled = p->mode == MP_MODE_SAMPLED;

    mp_replay_summary(r, &s);
    j.first[0] = 1;
    open_(&j, '{', 0);
    k_str(&j, "format", "memprof-report");
    k_u64(&j, "version", 1);
    k_str(&j, "log", mp_report_path(rep));
    process(&j, p);
    end_and_partial(&j, &s);
    summary(&j, rep, &s, sampled);
    findings(&j, rep);
    totals(&j, rep);
    for (int k = 0; k < MP_REPORT_NLISTS; k++)
        list(&j, rep, (mp_report_list_kind_t)k, sampled);
    classes(&j, r);
    k_arr(&j, "warnings");
    for (size_t i = 0; i < mp_report_warning_count(rep); i++) {
        sep(&j);
        put_str(&j, mp_report_warning(rep, i));
    }
    close_(&j, ']');
    close_(&j, '}');
}
