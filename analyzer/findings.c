/*
 * findings.c — the findings list (findings.h): a growing array of
 * findings whose strings it owns, the table of detectors, and the order in
 * which views show the findings.
 */
#define _GNU_SOURCE /* vasprintf */
#include "findings.h"
#include "retention.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mp_findings {
    mp_finding_t *v; /* n used, cap allocated */
    size_t n, cap;
};

static int detect_leaks(mp_findings_t *f, const mp_replay_t *r,
                        const mp_retention_options_t *o)
{
    (void)o; /* leaks have no thresholds */
    return mp_detect_leaks(f, r);
}

/* Every detector, in the order they run. The retention detectors join
 * here (DESIGN.md, "Detectors"). */
static const mp_detector_fn detectors[] = {
    detect_leaks,
    mp_detect_bucket_with,
    mp_detect_span_with,
    mp_detect_idle_with,
};

int mp_findings_create(mp_findings_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : MP_ELOG_NOMEM;
}

void mp_findings_destroy(mp_findings_t *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].evidence);
        free(f->v[i].advice);
    }
    free(f->v);
    free(f);
}

int mp_findings_add(mp_findings_t *f, const mp_replay_t *r, const char *kind, uint64_t bytes,
                    uint64_t blocks, size_t site, const char *advice, const char *evidence,
                    ...)
{
    mp_finding_t *x;
    va_list ap;
    int n;

    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        mp_finding_t *v = realloc(f->v, cap * sizeof *v);
        if (!v)
            return MP_ELOG_NOMEM;
        f->v = v;
        f->cap = cap;
    }
    x = &f->v[f->n];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->bytes = bytes;
    x->blocks = blocks;
    x->site = site;
    if (site != MP_FINDING_NO_SITE) {
        const mp_replay_site_t *s = mp_replay_site(r, site);
        x->stack_id = s ? s->stack_id : 0;
    }
    va_start(ap, evidence);
    n = vasprintf(&x->evidence, evidence, ap);
    va_end(ap);
    if (n < 0) {
        x->evidence = NULL;
        return MP_ELOG_NOMEM;
    }
    x->advice = strdup(advice);
    if (!x->advice) {
        free(x->evidence);
        return MP_ELOG_NOMEM;
    }
    f->n++;
    return 0;
}

size_t mp_findings_count(const mp_findings_t *f)
{
    return f->n;
}

const mp_finding_t *mp_finding(const mp_findings_t *f, size_t i)
{
    return i < f->n ? &f->v[i] : NULL;
}

static int by_bytes(const void *pa, const void *pb)
{
    const mp_finding_t *a = pa, *b = pb;
    int k;

    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    k = strcmp(a->kind, b->kind);
    if (k)
        return k;
    if (a->stack_id != b->stack_id)
        return a->stack_id < b->stack_id ? -1 : 1;
    return 0;
}

int mp_findings_detect(mp_findings_t *f, const mp_replay_t *r)
{
    return mp_findings_detect_with(f, r, NULL);
}

int mp_findings_detect_with(mp_findings_t *f, const mp_replay_t *r,
                            const mp_retention_options_t *o)
{
    const mp_retention_options_t defaults = MP_RETENTION_DEFAULTS;
    if (!o)
        o = &defaults;
    for (size_t i = 0; i < sizeof detectors / sizeof detectors[0]; i++) {
        int rc = detectors[i](f, r, o);
        if (rc)
            return rc;
    }
    if (f->n > 1)
        qsort(f->v, f->n, sizeof *f->v, by_bytes);
    return 0;
}
