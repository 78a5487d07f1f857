/*
 * id_map.c — id -> dense index (id_map.h).
 *
 * Invariants: cap is a power of two (or 0 before the first add);
 * count * 4 <= cap * 3; a slot is empty iff its index is EMPTY; the ids
 * present have indexes 0..count-1, each once.
 */
#include "id_map.h"

#include <stdlib.h>

#include "log_format.h"

#define EMPTY UINT32_MAX

typedef struct slot {
    uint64_t id;
    uint32_t index; /* EMPTY: unused slot */
} slot_t;

struct mp_id_map {
    slot_t *slots;
    size_t cap;   /* slots, a power of two */
    size_t count; /* ids present */
};

/* Fibonacci hashing: ids are often small consecutive numbers, tids close
 * together; the top bits of the product spread them evenly. */
static size_t hash(uint64_t id, size_t cap)
{
    uint64_t h = id * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

int mp_id_map_create(mp_id_map_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : MP_ELOG_NOMEM;
}

void mp_id_map_destroy(mp_id_map_t *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m);
}

static slot_t *probe(slot_t *slots, size_t cap, uint64_t id)
{
    size_t i = hash(id, cap);
    while (slots[i].index != EMPTY && slots[i].id != id)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

int mp_id_map_find(const mp_id_map_t *m, uint64_t id, uint32_t *index)
{
    if (m->cap == 0)
        return 0;
    const slot_t *s = probe(m->slots, m->cap, id);
    if (s->index == EMPTY)
        return 0;
    *index = s->index;
    return 1;
}

static int grow(mp_id_map_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    slot_t *slots = malloc(cap * sizeof *slots);
    if (!slots)
        return MP_ELOG_NOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].index = EMPTY;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].index != EMPTY)
            *probe(slots, cap, m->slots[i].id) = m->slots[i];
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

int mp_id_map_add(mp_id_map_t *m, uint64_t id, uint32_t *index)
{
    if (mp_id_map_find(m, id, index))
        return 0;
    if (m->count >= EMPTY - 1)
        return MP_ELOG_INVAL;
    if ((m->count + 1) * 4 > m->cap * 3) {
        int rc = grow(m);
        if (rc != 0)
            return rc;
    }
    slot_t *s = probe(m->slots, m->cap, id);
    s->id = id;
    s->index = (uint32_t)m->count++;
    *index = s->index;
    return 1;
}

size_t mp_id_map_count(const mp_id_map_t *m)
{
    return m->count;
}

size_t mp_id_map_memory(const mp_id_map_t *m)
{
    return sizeof *m + m->cap * sizeof(slot_t);
}
