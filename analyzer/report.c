/*
 * report.c — see report.h. Builds a report in four steps, each over data
 * the previous one finished: the replay (one pass over the log), the
 * detectors (findings.h), the ranked lists (one sort per list over the
 * sites that qualify), and the symbolization of the stacks shown
 * (report_stacks.c). Everything is kept until mp_report_free, so the views
 * may read in any order.
 */
#define _GNU_SOURCE /* qsort_r */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_stacks.h"

#define DEFAULT_TOP 10

struct mp_report {
    char *path;
    mp_replay_t *replay;
    mp_findings_t *findings;
    mp_report_stacks_t *stacks;
    int sampled;                               /* the log is in sampled mode */
    mp_report_list_t lists[MP_REPORT_NLISTS];
    mp_report_entry_t *entries[MP_REPORT_NLISTS]; /* lists[k].v */
    mp_report_finding_t *rfindings;            /* one per finding */
    size_t nfindings;
    mp_report_facts_t facts;
};

/* ---- Ranking ----------------------------------------------------------- */

typedef struct rank_ctx {
    const mp_replay_t *r;
    mp_report_list_kind_t kind;
    int sampled;
} rank_ctx_t;

/* The figure a list ranks by; 0 leaves the site out. */
static double key(const rank_ctx_t *c, const mp_replay_site_t *s)
{
    switch (c->kind) {
    case MP_REPORT_LEAKS: return (double)s->leaked_bytes;
    case MP_REPORT_PEAK: return (double)s->peak_bytes;
    case MP_REPORT_ALLOCS: return c->sampled ? s->est_allocs : (double)s->allocs;
    case MP_REPORT_TEMPORARY: return (double)s->temporary;
    default: return 0;
    }
}

static int by_key(const void *pa, const void *pb, void *arg)
{
    const rank_ctx_t *c = arg;
    const mp_replay_site_t *a = mp_replay_site(c->r, *(const size_t *)pa);
    const mp_replay_site_t *b = mp_replay_site(c->r, *(const size_t *)pb);
    double ka = key(c, a), kb = key(c, b);

    if (ka != kb)
        return ka > kb ? -1 : 1;
    if (a->stack_id != b->stack_id)
        return a->stack_id < b->stack_id ? -1 : 1;
    return 0;
}

static int rank(mp_report_t *rep, mp_report_list_kind_t kind, size_t top, size_t *scratch)
{
    rank_ctx_t c = { rep->replay, kind, rep->sampled };
    size_t nsites = mp_replay_site_count(rep->replay), n = 0;
    mp_report_entry_t *v;

    for (size_t i = 0; i < nsites; i++) {
        const mp_replay_site_t *s = mp_replay_site(rep->replay, i);
        if (s && key(&c, s) > 0)
            scratch[n++] = i;
    }
    qsort_r(scratch, n, sizeof *scratch, by_key, &c);
    rep->lists[kind].total = n;
    if (top && n > top)
        n = top;
    v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return MP_ELOG_NOMEM;
    for (size_t k = 0; k < n; k++) {
        v[k].site_index = scratch[k];
        v[k].site = mp_replay_site(rep->replay, scratch[k]);
        mp_report_stacks_want(rep->stacks, scratch[k]);
    }
    rep->entries[kind] = v;
    rep->lists[kind].v = v;
    rep->lists[kind].n = n;
    return 0;
}

/* ---- Facts ------------------------------------------------------------- */

static void consider_rss(mp_report_facts_t *f, const mp_replay_heap_t *h)
{
    if (!h || !h->have_snapshot)
        return;
    if (!f->have_rss || h->rss > f->rss_peak) {
        f->rss_peak = h->rss;
        f->rss_peak_ts = h->snapshot_ts;
    }
    f->have_rss = 1;
}

static void facts(mp_report_t *rep)
{
    mp_report_facts_t *f = &rep->facts;
    mp_replay_summary_t sum;

    mp_replay_summary(rep->replay, &sum);
    for (size_t i = 0; i < mp_replay_heap_count(rep->replay); i++)
        consider_rss(f, mp_replay_heap(rep->replay, i));
    consider_rss(f, mp_replay_heap_at_peak(rep->replay));
    consider_rss(f, mp_replay_heap_final(rep->replay));
    for (size_t i = 0; i < mp_replay_site_count(rep->replay); i++) {
        const mp_replay_site_t *s = mp_replay_site(rep->replay, i);
        if (s) {
            f->alloc_count += s->allocs;
            f->free_count += s->frees;
        }
    }
    if (rep->sampled)
        f->alloc_count = (uint64_t)llround(sum.est_allocs);
    f->leaked_blocks =
        rep->sampled ? (uint64_t)llround(sum.est_leaked_blocks) : sum.leaked_blocks;
}

/* ---- Building ---------------------------------------------------------- */

static void set_err(mp_log_error_t *err, int code, const char *msg)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = code;
    err->chunk = -1;
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

static int build(mp_report_t *rep, const mp_report_options_t *o, mp_log_error_t *err)
{
    const mp_replay_process_t *p;
    size_t nsites, *scratch;
    int rc;

    rc = mp_replay_open(rep->path, &rep->replay, err);
    if (rc)
        return rc;
    rc = mp_replay_run(rep->replay, o->progress, o->progress_arg);
    if (rc) {
        if (rc == MP_ELOG_NOMEM) {
            set_err(err, rc, "out of memory while replaying the log");
        } else if (err) {
            mp_replay_summary_t sum;
            mp_replay_summary(rep->replay, &sum);
            *err = sum.stop;
            if (!err->code)
                err->code = rc;
        }
        return rc;
    }
    p = mp_replay_process(rep->replay);
    rep->sampled = p && p->mode == MP_MODE_SAMPLED;

    if ((rc = mp_findings_create(&rep->findings)) != 0 ||
        (rc = mp_findings_detect_with(rep->findings, rep->replay, o->retention)) != 0 ||
        (mp_replay_drop_live(rep->replay), 0) ||
        (rc = mp_report_stacks_create(&rep->stacks, rep->replay, &o->sym)) != 0)
        goto nomem;
    mp_report_stacks_set_alloc_fns(rep->stacks, o->alloc_fns, o->nalloc_fns);

    nsites = mp_replay_site_count(rep->replay);
    scratch = malloc((nsites ? nsites : 1) * sizeof *scratch);
    if (!scratch)
        goto nomem;
    for (int k = 0; k < MP_REPORT_NLISTS && rc == 0; k++)
        rc = rank(rep, (mp_report_list_kind_t)k, o->top, scratch);
    free(scratch);
    if (rc)
        goto nomem;

    rep->nfindings = mp_findings_count(rep->findings);
    rep->rfindings = calloc(rep->nfindings ? rep->nfindings : 1, sizeof *rep->rfindings);
    if (!rep->rfindings)
        goto nomem;
    for (size_t i = 0; i < rep->nfindings; i++) {
        const mp_finding_t *f = mp_finding(rep->findings, i);
        rep->rfindings[i].f = f;
        if (f->site != MP_FINDING_NO_SITE)
            mp_report_stacks_want(rep->stacks, f->site);
    }
    if ((rc = mp_report_stacks_resolve(rep->stacks)) != 0)
        goto nomem;
    for (size_t i = 0; i < rep->nfindings; i++)
        if (rep->rfindings[i].f->site != MP_FINDING_NO_SITE)
            rep->rfindings[i].stack = mp_report_stacks_get(rep->stacks, rep->rfindings[i].f->site);
    for (int k = 0; k < MP_REPORT_NLISTS; k++)
        for (size_t i = 0; i < rep->lists[k].n; i++)
            rep->entries[k][i].stack =
                mp_report_stacks_get(rep->stacks, rep->entries[k][i].site_index);
    facts(rep);
    return 0;

nomem:
    set_err(err, MP_ELOG_NOMEM, "out of memory while building the report");
    return MP_ELOG_NOMEM;
}

int mp_report_build(const char *path, const mp_report_options_t *opt, mp_report_t **out,
                    mp_log_error_t *err)
{
    mp_report_options_t defaults = { .top = DEFAULT_TOP, .sym = { .demangle = true } };
    mp_report_t *rep;
    int rc;

    *out = NULL;
    rep = calloc(1, sizeof *rep);
    if (!rep || !(rep->path = strdup(path))) {
        free(rep);
        set_err(err, MP_ELOG_NOMEM, "out of memory");
        return MP_ELOG_NOMEM;
    }
    rc = build(rep, opt ? opt : &defaults, err);
    if (rc) {
        mp_report_free(rep);
        return rc;
    }
    *out = rep;
    return 0;
}

void mp_report_free(mp_report_t *rep)
{
    if (!rep)
        return;
    for (int k = 0; k < MP_REPORT_NLISTS; k++)
        free(rep->entries[k]);
    free(rep->rfindings);
    mp_report_stacks_destroy(rep->stacks);
    mp_findings_destroy(rep->findings);
    mp_replay_close(rep->replay);
    free(rep->path);
    free(rep);
}

/* ---- Accessors --------------------------------------------------------- */

const char *mp_report_path(const mp_report_t *rep)
{
    return rep->path;
}

const mp_replay_t *mp_report_replay(const mp_report_t *rep)
{
    return rep->replay;
}

const mp_report_facts_t *mp_report_facts(const mp_report_t *rep)
{
    return &rep->facts;
}

const mp_report_list_t *mp_report_list(const mp_report_t *rep, mp_report_list_kind_t which)
{
    return (unsigned)which < MP_REPORT_NLISTS ? &rep->lists[which] : NULL;
}

size_t mp_report_finding_count(const mp_report_t *rep)
{
    return rep->nfindings;
}

const mp_report_finding_t *mp_report_finding(const mp_report_t *rep, size_t i)
{
    return i < rep->nfindings ? &rep->rfindings[i] : NULL;
}

size_t mp_report_warning_count(const mp_report_t *rep)
{
    return mp_report_stacks_warning_count(rep->stacks);
}

const char *mp_report_warning(const mp_report_t *rep, size_t i)
{
    return mp_report_stacks_warning(rep->stacks, i);
}
