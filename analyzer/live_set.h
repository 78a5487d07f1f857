/*
 * live_set.h — the replay's live set: every block allocated and not yet
 * freed, keyed by address (docs/analysis.md, "The live set").
 *
 * Its size is the number of blocks live at once, never the number of events:
 * an entry is added by an allocation and removed by its free. The table
 * grows to stay at most 3/4 full and never shrinks, so its memory is
 * bounded by the largest live set of the run: 48 bytes per entry, at most
 * 128 bytes per block live at the worst moment.
 *
 * Pointers to entries are valid until the next insert (which may move every
 * entry) or remove (which may move others). Internal to mp_analyzer.
 */
#ifndef MP_LIVE_SET_H
#define MP_LIVE_SET_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_live_block {
    uint64_t addr;   /* the key; 0 marks an empty slot (never a block) */
    uint64_t size;   /* requested bytes */
    uint64_t bytes;  /* bytes it stands for: size, or a SAMPLE's weight */
    uint64_t ts;     /* when it was allocated, ns */
    uint64_t seq;    /* allocation number (1, 2, ... in replay order) */
    uint32_t site;   /* dense site index (sites.h) */
    uint32_t thread; /* dense index of the allocating thread */
} mp_live_block_t;

typedef struct mp_live_set mp_live_set_t;

/* 0 with *out set, or MP_ELOG_NOMEM. */
int mp_live_set_create(mp_live_set_t **out);
void mp_live_set_destroy(mp_live_set_t *s);

/* The entry of addr, or NULL. */
mp_live_block_t *mp_live_find(mp_live_set_t *s, uint64_t addr);

/* Adds an entry for addr, which must not be present, with every other field
 * zero; *out points to it. Requires: addr != 0. 0 or MP_ELOG_NOMEM (the set
 * is unchanged), MP_ELOG_INVAL for addr 0. */
int mp_live_insert(mp_live_set_t *s, uint64_t addr, mp_live_block_t **out);

/* Removes the entry b (from mp_live_find or mp_live_insert, still valid). */
void mp_live_remove(mp_live_set_t *s, mp_live_block_t *b);

size_t mp_live_count(const mp_live_set_t *s);
size_t mp_live_memory(const mp_live_set_t *s);

/* Checks the invariants (live_set.c): 0, or -1 if the table is damaged.
 * O(table); the replay runs it under MP_DEBUG >= 2. */
int mp_live_check(const mp_live_set_t *s);

/* Walks the entries in no particular order: start with *cursor = 0; returns
 * the next entry, or NULL at the end. The set must not change meanwhile. */
const mp_live_block_t *mp_live_next(const mp_live_set_t *s, size_t *cursor);

#endif
