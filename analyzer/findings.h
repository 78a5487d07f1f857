/*
 * findings.h — the findings of a report: what memprof concludes about a
 * log, each with the stack to look at, the evidence and what to do. The
 * list is filled by detectors, one function each, that read a finished
 * replay (replay.h) and append what they find:
 *
 *     mp_findings_t *f;
 *     mp_findings_create(&f);
 *     mp_findings_detect(f, replay);   every detector of the table, then sorted
 *     for (i = 0; i < mp_findings_count(f); i++) ... mp_finding(f, i)
 *     mp_findings_destroy(f);
 *
 * Detectors today: mp_detect_leaks (detect_leaks.c), one finding per stack
 * with blocks live at the end. A new detector (retention: bucket, span,
 * idle — DESIGN.md "Detectors") is a function with the mp_detector_fn
 * signature, in a file of its own, declared here and added to the table in
 * findings.c; the views print whatever kinds the list holds.
 *
 * Order: by bytes, largest first; then by kind; then by stack id; so a
 * report is the same from one run to the next.
 */
#ifndef MP_FINDINGS_H
#define MP_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

/* mp_finding_t.site when a finding is about no one stack. */
#define MP_FINDING_NO_SITE SIZE_MAX

typedef struct mp_finding {
    const char *kind;  /* "leak"; a static string, stable: JSON's "kind" */
    uint64_t bytes;    /* the bytes it concerns (sampled mode: estimated) */
    uint64_t blocks;   /* the blocks it concerns, 0 if not about blocks */
    size_t site;       /* index for mp_replay_site(), or MP_FINDING_NO_SITE */
    uint64_t stack_id; /* that site's stack id, 0 if none */
    char *evidence;    /* one sentence: what the log shows */
    char *advice;      /* one sentence: what to do about it */
} mp_finding_t;

typedef struct mp_findings mp_findings_t;

/* 0 with *out set, or MP_ELOG_NOMEM. */
int mp_findings_create(mp_findings_t **out);
/* Frees the list and its strings; NULL is fine. */
void mp_findings_destroy(mp_findings_t *f);

/* Appends a finding; kind must outlive the list (a literal). evidence is a
 * printf format. site: mp_replay_site() index or MP_FINDING_NO_SITE.
 * 0, or MP_ELOG_NOMEM. */
int mp_findings_add(mp_findings_t *f, const mp_replay_t *r, const char *kind, uint64_t bytes,
                    uint64_t blocks, size_t site, const char *advice, const char *evidence,
                    ...) __attribute__((format(printf, 8, 9)));

size_t mp_findings_count(const mp_findings_t *f);
/* i < count; NULL otherwise. */
const mp_finding_t *mp_finding(const mp_findings_t *f, size_t i);

struct mp_retention_options; /* retention.h: the detectors' thresholds */

/* A detector: reads r (after mp_replay_run returned 0) and appends what
 * it finds, with the thresholds in o (never NULL here). 0, or
 * MP_ELOG_NOMEM. */
typedef int (*mp_detector_fn)(mp_findings_t *f, const mp_replay_t *r,
                              const struct mp_retention_options *o);

/* Runs every detector of the table in findings.c, in order, then sorts
 * the list (see above). o: the thresholds, NULL for the documented
 * defaults (retention.h). 0, or the first detector's error. */
int mp_findings_detect_with(mp_findings_t *f, const mp_replay_t *r,
                            const struct mp_retention_options *o);
/* The same with the defaults. */
int mp_findings_detect(mp_findings_t *f, const mp_replay_t *r);

/* ---- Detectors --------------------------------------------------------- */

/* "leak": per stack with blocks live at the end of the log (END, or the
 * last record of a partial log), one finding: its leaked bytes and blocks,
 * when they were allocated, and advice. detect_leaks.c. */
int mp_detect_leaks(mp_findings_t *f, const mp_replay_t *r);

/* Retention (docs/retention.md; thresholds: retention.h, run here with
 * MP_RETENTION_DEFAULTS). "bucket_retention": a table grown in steps at
 * one stack, still live after the heap fell, hollow or outliving what
 * grew with it (detect_bucket.c). "span_retention": a size class whose
 * spans few survivors pin (detect_span.c). "idle_retention": free pages
 * kept from the OS beyond the scavenger's delay (detect_idle.c). */
int mp_detect_bucket(mp_findings_t *f, const mp_replay_t *r);
int mp_detect_span(mp_findings_t *f, const mp_replay_t *r);
int mp_detect_idle(mp_findings_t *f, const mp_replay_t *r);

#endif
