/*
 * live_set.c — address -> live block (live_set.h).
 *
 * Open addressing with linear probing and backward-shift deletion (no
 * tombstones, so a long run of allocations and frees never degrades the
 * probes: after any sequence of operations the table is exactly what
 * inserting the present keys would give, up to order).
 *
 * Invariants: cap is a power of two, cap == 1 << bits; count * 4 <= cap * 3;
 * a slot is empty iff addr == 0; every present entry is reachable from its
 * home slot hash(addr) by probing forward without crossing an empty slot.
 *
 * Why 3/4: block addresses are 16-byte aligned and allocated in runs, which
 * the multiplicative hash scatters; a successful lookup (a free) then
 * probes about 2.5 slots at worst, an insert about 8.5 just before the
 * table doubles, fewer on average. A lower bound would cost memory per live
 * block, which is what bounds the replay.
 */
#include "live_set.h"

#include <stdlib.h>
#include <string.h>

#include "log_format.h"

struct mp_live_set {
    mp_live_block_t *slots;
    size_t cap;      /* slots: 1 << bits */
    unsigned bits;
    size_t count;    /* entries present */
};

static size_t home(const mp_live_set_t *s, uint64_t addr)
{
    /* The top bits of a multiplicative hash; the low 4 bits of an address
     * carry nothing (16-byte alignment), the product's top bits mix all. */
    return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> (64 - s->bits));
}

int mp_live_set_create(mp_live_set_t **out)
{
    mp_live_set_t *s = calloc(1, sizeof *s);
    if (!s)
        return MP_ELOG_NOMEM;
    s->bits = 10;
    s->cap = (size_t)1 << s->bits;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (!s->slots) {
        free(s);
        return MP_ELOG_NOMEM;
    }
    *out = s;
    return 0;
}

void mp_live_set_destroy(mp_live_set_t *s)
{
    if (!s)
        return;
    free(s->slots);
    free(s);
}

mp_live_block_t *mp_live_find(mp_live_set_t *s, uint64_t addr)
{
    if (addr == 0)
        return NULL;
    size_t mask = s->cap - 1;
    for (size_t i = home(s, addr);; i = (i + 1) & mask) {
        if (s->slots[i].addr == addr)
            return &s->slots[i];
        if (s->slots[i].addr == 0)
            return NULL;
    }
}

static int grow(mp_live_set_t *s)
{
    mp_live_set_t n = { NULL, s->cap * 2, s->bits + 1, s->count };
    if (n.cap == 0 || n.bits >= 64)
        return MP_ELOG_NOMEM;
    n.slots = calloc(n.cap, sizeof *n.slots);
    if (!n.slots)
        return MP_ELOG_NOMEM;
    for (size_t j = 0; j < s->cap; j++) {
        if (s->slots[j].addr == 0)
            continue;
        size_t i = home(&n, s->slots[j].addr);
        while (n.slots[i].addr)
            i = (i + 1) & (n.cap - 1);
        n.slots[i] = s->slots[j];
    }
    free(s->slots);
    *s = n;
    return 0;
}

int mp_live_insert(mp_live_set_t *s, uint64_t addr, mp_live_block_t **out)
{
    if (addr == 0)
        return MP_ELOG_INVAL;
    if ((s->count + 1) * 4 > s->cap * 3) {
        int rc = grow(s);
        if (rc != 0)
            return rc;
    }
    size_t mask = s->cap - 1;
    size_t i = home(s, addr);
    while (s->slots[i].addr != 0)
        i = (i + 1) & mask;
    memset(&s->slots[i], 0, sizeof s->slots[i]);
    s->slots[i].addr = addr;
    s->count++;
    *out = &s->slots[i];
    return 0;
}

void mp_live_remove(mp_live_set_t *s, mp_live_block_t *b)
{
    size_t mask = s->cap - 1;
    size_t hole = (size_t)(b - s->slots);
    /* Backward shift: walk the cluster after the hole; an entry whose home
     * is not cyclically inside (hole, j] may move back into the hole, and
     * its old slot becomes the hole. The cluster ends at an empty slot. */
    for (size_t j = (hole + 1) & mask; s->slots[j].addr != 0; j = (j + 1) & mask) {
        size_t h = home(s, s->slots[j].addr);
        int stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
        if (stays)
            continue;
        s->slots[hole] = s->slots[j];
        hole = j;
    }
    s->slots[hole].addr = 0;
    s->count--;
}

size_t mp_live_count(const mp_live_set_t *s)
{
    return s->count;
}

size_t mp_live_memory(const mp_live_set_t *s)
{
    return sizeof *s + s->cap * sizeof *s->slots;
}

const mp_live_block_t *mp_live_next(const mp_live_set_t *s, size_t *cursor)
{
    while (*cursor < s->cap) {
        const mp_live_block_t *b = &s->slots[(*cursor)++];
        if (b->addr != 0)
            return b;
    }
    return NULL;
}

int mp_live_check(const mp_live_set_t *s)
{
    size_t mask = s->cap - 1, n = 0;
    if (s->cap != (size_t)1 << s->bits || s->count * 4 > s->cap * 3)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].addr == 0)
            continue;
        n++;
        /* Reachable from its home slot without crossing an empty one. */
        for (size_t j = home(s, s->slots[i].addr); j != i; j = (j + 1) & mask)
            if (s->slots[j].addr == 0)
                return -1;
    }
    return n == s->count ? 0 : -1;
}
