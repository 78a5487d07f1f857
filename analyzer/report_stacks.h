/*
 * report_stacks.h — symbolizes the stacks a report shows (report.h), each
 * with the modules that were mapped when it was captured. Internal to
 * mp_analyzer; report.c is its only caller.
 *
 *     mp_report_stacks_t *st;
 *     mp_report_stacks_create(&st, replay, &sym_options);
 *     mp_report_stacks_want(st, site_index);   for each site to be shown
 *     mp_report_stacks_resolve(st);            all of them at once
 *     mp_report_stacks_get(st, site_index)     the symbolized stack
 *     mp_report_stacks_destroy(st);
 */
#ifndef MP_REPORT_STACKS_H
#define MP_REPORT_STACKS_H

#include "report.h"

typedef struct mp_report_stacks mp_report_stacks_t;

/* r: a replay that ran. 0 with *out set, or MP_ELOG_NOMEM. */
int mp_report_stacks_create(mp_report_stacks_t **out, const mp_replay_t *r,
                            const mp_symbolizer_options_t *opt);
void mp_report_stacks_destroy(mp_report_stacks_t *st);

/* Leading frames whose function matches one of these shell glob patterns
 * are dropped (report.h, alloc_fns). The array must outlive st. */
void mp_report_stacks_set_alloc_fns(mp_report_stacks_t *st, const char *const *fns, size_t n);

/* Asks for site i (mp_replay_site index) to be symbolized; i out of range
 * is ignored. */
void mp_report_stacks_want(mp_report_stacks_t *st, size_t i);

/* Symbolizes every site asked for. 0, or MP_ELOG_NOMEM. */
int mp_report_stacks_resolve(mp_report_stacks_t *st);

/* Site i's stack once resolved; NULL if it was not asked for. */
const mp_report_stack_t *mp_report_stacks_get(const mp_report_stacks_t *st, size_t i);

/* The symbolizer's warnings. */
size_t mp_report_stacks_warning_count(const mp_report_stacks_t *st);
const char *mp_report_stacks_warning(const mp_report_stacks_t *st, size_t i);

#endif
