/*
 * leak_kinds.h — the leak scan's verdicts (LEAKSCAN records, docs/format.md)
 * applied to the blocks still live at the end of a replay: each gets a kind
 * (definitely, indirectly, possibly lost, still reachable), summed per site
 * and in all. Internal to mp_analyzer; replay.c feeds it, replay.h shows
 * the results (mp_replay_site_t.kind_*, mp_replay_summary_t.leakscan).
 *
 * Memory: 16 bytes per block the scan listed (the lost ones; reachable
 * blocks are not listed), kept until the replay is closed.
 */
#ifndef MP_LEAK_KINDS_H
#define MP_LEAK_KINDS_H

#include "live_set.h"
#include "log_format.h"
#include "replay.h"
#include "sites.h"

typedef struct mp_leak_kinds mp_leak_kinds_t;

int mp_leak_kinds_create(mp_leak_kinds_t **out);
void mp_leak_kinds_destroy(mp_leak_kinds_t *k);

/* One LEAKSCAN record. 0 or MP_ELOG_NOMEM. */
int mp_leak_kinds_add(mp_leak_kinds_t *k, const mp_rec_leakscan_t *r);

/* Gives every live block its kind: per site (mp_sites_leak_kind) and in
 * *out. Without a scan, every block is of kind 0 (unknown). 0 or
 * MP_ELOG_NOMEM. */
int mp_leak_kinds_apply(mp_leak_kinds_t *k, const mp_live_set_t *live, mp_sites_t *sites,
                        mp_replay_leakscan_t *out);

size_t mp_leak_kinds_memory(const mp_leak_kinds_t *k);

#endif
