/*
 * retention.h — the thresholds of the retention detectors (findings.h:
 * mp_detect_bucket, mp_detect_span, mp_detect_idle; docs/retention.md says
 * what each finding means and why each default is what it is).
 *
 *     mp_retention_options_t o = MP_RETENTION_DEFAULTS;
 *     o.bucket_min_bytes = 16 << 10;
 *     mp_detect_bucket_with(findings, replay, &o);
 *
 * The detectors in findings.c's table run with MP_RETENTION_DEFAULTS,
 * which are chosen not to fire on healthy programs: tables destroyed or
 * still in use, caches at a steady state, a scavenger at its default.
 */
#ifndef MP_RETENTION_H
#define MP_RETENTION_H

#include <stdint.h>

#include "findings.h"

typedef struct mp_retention_options {
    /* bucket_retention */
    uint64_t bucket_min_bytes;     /* final block at least this, bytes */
    uint32_t bucket_min_steps;     /* growth steps at least */
    double bucket_heap_fall;       /* heap at the end <= this * peak */
    double bucket_alongside_freed; /* share of the bytes allocated alongside
                                      it while it grew freed by the end */
    double bucket_min_hollow;      /* hollow share that counts (HOLLOW) */
    /* span_retention */
    double span_ratio;             /* retained >= ratio * live */
    uint64_t span_min_bytes;       /* retained - live at least, bytes */
    double span_tail;              /* the share of the run, ending at the
                                      end, over which it must hold */
    /* idle_retention */
    uint64_t idle_min_bytes;       /* idle bytes at least */
    uint64_t idle_scavenge_delay_ns; /* the scavenger's delay; the idle
                                        bytes must stay > 2x this long */
} mp_retention_options_t;

#define MP_RETENTION_DEFAULTS                                                        \
    {                                                                               \
        .bucket_min_bytes = 64u << 10, .bucket_min_steps = 2, .bucket_heap_fall = 0.5, \
        .bucket_alongside_freed = 0.9, .bucket_min_hollow = 0.5, .span_ratio = 4.0,     \
        .span_min_bytes = 1u << 20, .span_tail = 0.2, .idle_min_bytes = 64u << 20,       \
        .idle_scavenge_delay_ns = 1000000000u,                                          \
    }

int mp_detect_bucket_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o);
int mp_detect_span_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o);
int mp_detect_idle_with(mp_findings_t *f, const mp_replay_t *r, const mp_retention_options_t *o);

#endif
