/*
 * growth.h — growth chains, for the bucket-retention detector
 * (docs/retention.md): a block that grew in steps at one stack, either by
 * realloc (the REALLOC event links old and new block) or by "allocate a
 * bigger block, then free the previous one" (Go's map evacuation: the new
 * block comes from the same stack, is at least MP_GROWTH_FACTOR times the
 * old one, and is that stack's latest allocation when the old one is
 * freed).
 *
 * A chain is kept while its current block is live; freeing the block (not
 * as a growth step) or shrinking it ends the chain. So memory is bounded by
 * the live blocks that have grown at least once, never by the events.
 *
 * Internal to mp_analyzer: the replay feeds it (full mode only) and exposes
 * the chains still live at the end as mp_replay_growth_t (replay.h).
 */
#ifndef MP_GROWTH_H
#define MP_GROWTH_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

/* A step of an allocate-bigger-free-old chain must at least multiply the
 * size by 3/2 (Go maps double; vectors grow by 1.5 or 2). A realloc step
 * only has to grow: the event itself says it is the same object. */
#define MP_GROWTH_FACTOR_NUM 3
#define MP_GROWTH_FACTOR_DEN 2

typedef struct mp_growth mp_growth_t;

/* 0 with *out set, or MP_ELOG_NOMEM. */
int mp_growth_create(mp_growth_t **out);
void mp_growth_destroy(mp_growth_t *g);

/* What the tracker needs of a block. other_bytes, other_allocs: bytes and
 * allocations made so far by stacks other than the block's (the global
 * cumulative counts minus the site's), at the moment of the call. */
typedef struct mp_growth_block {
    uint64_t addr, size, ts, seq;
    uint32_t site;
} mp_growth_block_t;

/* A block was allocated (ALLOC): it becomes its site's latest. */
int mp_growth_alloc(mp_growth_t *g, const mp_growth_block_t *b);
/* A block was freed by FREE. latest_live: whether the site's latest
 * allocation is still live (the caller looks it up). */
int mp_growth_free(mp_growth_t *g, const mp_growth_block_t *b, int latest_live,
                   uint64_t other_bytes, uint64_t other_allocs);
/* A REALLOC replaced old by new (new->site is the REALLOC's stack). */
int mp_growth_realloc(mp_growth_t *g, const mp_growth_block_t *old, const mp_growth_block_t *nw,
                      uint64_t other_bytes, uint64_t other_allocs);
/* The site's latest allocation's address, 0 if none. */
uint64_t mp_growth_latest(const mp_growth_t *g, uint32_t site);

/* The chains whose block is live now (call at the end). */
size_t mp_growth_count(const mp_growth_t *g);
const mp_replay_growth_t *mp_growth_get(const mp_growth_t *g, size_t i);
/* Lists the chains in use, largest final size first (call once, at the
 * end). 0 or MP_ELOG_NOMEM. */
int mp_growth_finish(mp_growth_t *g);

size_t mp_growth_memory(const mp_growth_t *g);

#endif
