/*
 * id_map.h — a map from the log's 64-bit ids (stack ids, thread ids) to
 * dense indexes 0, 1, 2, ... in the order the ids were first seen, so that
 * the analyzer's tables are arrays indexed by a small number whatever ids a
 * log uses (a hostile log may name stack 2^60; an array indexed by the id
 * itself would then be a denial of service).
 *
 * Open addressing with linear probing, at most 3/4 full; entries are never
 * removed. Memory: 16 bytes per slot, at most 32 bytes per id.
 * Internal to mp_analyzer.
 */
#ifndef MP_ID_MAP_H
#define MP_ID_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct mp_id_map mp_id_map_t;

/* 0 with *out set, or MP_ELOG_NOMEM. */
int mp_id_map_create(mp_id_map_t **out);
void mp_id_map_destroy(mp_id_map_t *m);

/* 1 with *index set if id is in the map, 0 if not. */
int mp_id_map_find(const mp_id_map_t *m, uint64_t id, uint32_t *index);

/* Adds id with the next index (mp_id_map_count before the call) unless it
 * is there: 1 if added, 0 if it was there; *index is its index either way.
 * MP_ELOG_NOMEM (map unchanged), or MP_ELOG_INVAL past 2^32 - 2 ids. */
int mp_id_map_add(mp_id_map_t *m, uint64_t id, uint32_t *index);

size_t mp_id_map_count(const mp_id_map_t *m);
size_t mp_id_map_memory(const mp_id_map_t *m);

#endif
