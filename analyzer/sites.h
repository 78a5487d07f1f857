/*
 * sites.h — per-stack aggregates ("sites") and the stack table: one site per
 * stack id the log names, with its frames and what its allocations did
 * (docs/analysis.md, "Sites" and "The peak").
 *
 * Sites are indexed densely (0, 1, ... in the order their ids were first
 * seen: id_map.h), so memory is bounded by the distinct stacks and their
 * frames: about 200 bytes per site plus 8 per frame.
 *
 * Contribution to the global peak is computed in the same pass, lazily: the
 * replay numbers its peaks (the epoch: how many times the global live bytes
 * reached a new high) and passes the current epoch to every update. A site
 * updated for the first time since the latest peak first saves its live
 * figures — still what they were at that peak, since nothing changed them
 * in between. mp_sites_finish() gives every site not updated since the
 * last peak its live figures. O(1) per event, no copy of all sites per peak.
 *
 * Internal to mp_analyzer; the public view is replay.h's mp_replay_site_t.
 */
#ifndef MP_SITES_H
#define MP_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

typedef struct mp_sites mp_sites_t;

/* 0 with *out set, or MP_ELOG_NOMEM. */
int mp_sites_create(mp_sites_t **out);
void mp_sites_destroy(mp_sites_t *s);

/* A STACK record: gives id its frames (a site already named by an event
 * gets them now). A second definition of an id is ignored (ids are unique
 * in a correct log). 0 with *index set, or MP_ELOG_NOMEM / MP_ELOG_INVAL. */
int mp_sites_define(mp_sites_t *s, uint64_t id, const uint64_t *frames, uint32_t n,
                    uint32_t *index);

/* The site of id, created without frames if new (stack 0). 0 with *index
 * set, or MP_ELOG_NOMEM / MP_ELOG_INVAL. */
int mp_sites_lookup(mp_sites_t *s, uint64_t id, uint32_t *index);

/* 1 with *index set if id has a site, 0 if not. */
int mp_sites_find(const mp_sites_t *s, uint64_t id, uint32_t *index);

/* A block of `bytes` allocated at site index at ts (is_realloc: by a
 * REALLOC), standing for est allocations (1 in full mode, weight / size for
 * a SAMPLE). epoch: the replay's current peak number. */
void mp_sites_alloc(mp_sites_t *s, uint32_t index, uint64_t bytes, double est, uint64_t ts,
                    int is_realloc, uint64_t epoch);

/* At the end, for each block still live: it stands for est blocks. */
void mp_sites_leak_estimate(mp_sites_t *s, uint32_t index, double est);
/* A block of this site live at the end is of leak kind kind (MP_LEAK_*,
 * 0 unknown; leak_kinds.h). */
void mp_sites_leak_kind(mp_sites_t *s, uint32_t index, unsigned kind, uint64_t bytes);

/* One of its blocks freed after lifetime_ns; temporary per docs/analysis.md. */
void mp_sites_free(mp_sites_t *s, uint32_t index, uint64_t bytes, uint64_t lifetime_ns,
                   int temporary, uint64_t epoch);

/* One of its blocks vanished without a free (its address was allocated
 * again): out of the live figures, not counted as freed. */
void mp_sites_drop(mp_sites_t *s, uint32_t index, uint64_t bytes, uint64_t epoch);

/* At the end of the replay: peak contributions (epoch: the final peak
 * number, 0 if the heap never held a byte), leaked = live, frame pointers. */
void mp_sites_finish(mp_sites_t *s, uint64_t epoch);

/* Live blocks and bytes summed over every site (for the replay's check:
 * they equal its own totals). */
void mp_sites_live_total(const mp_sites_t *s, uint64_t *blocks, uint64_t *bytes);

size_t mp_sites_count(const mp_sites_t *s);
/* Complete only after mp_sites_finish. */
const mp_replay_site_t *mp_sites_get(const mp_sites_t *s, size_t index);
size_t mp_sites_memory(const mp_sites_t *s);

#endif
