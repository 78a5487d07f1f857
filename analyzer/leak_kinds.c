/*
 * leak_kinds.c — see leak_kinds.h. The listed blocks arrive in ascending
 * order within a record and the shim writes its records in ascending
 * order; they are sorted anyway if not (a log written by something else),
 * then found by binary search for each live block.
 */
#include "leak_kinds.h"

#include <stdlib.h>
#include <string.h>

struct mp_leak_kinds {
    mp_leak_block_t *v;
    size_t n, cap;
    int sorted;
    mp_replay_leakscan_t scan;   /* from the first record; have = 1 */
};

int mp_leak_kinds_create(mp_leak_kinds_t **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return MP_ELOG_NOMEM;
    (*out)->sorted = 1;
    return 0;
}

void mp_leak_kinds_destroy(mp_leak_kinds_t *k)
{
    if (!k)
        return;
    free(k->v);
    free(k);
}

int mp_leak_kinds_add(mp_leak_kinds_t *k, const mp_rec_leakscan_t *r)
{
    if (!k->scan.have) {
        k->scan.have = 1;
        k->scan.ts = r->ts;
        k->scan.flags = r->flags;
        k->scan.live_blocks = r->live_blocks;
        k->scan.root_bytes = r->root_bytes;
        k->scan.heap_bytes = r->heap_bytes;
        k->scan.threads = r->threads;
        k->scan.threads_paused = r->threads_paused;
        k->scan.duration_ns = r->duration_ns;
    }
    if (k->n + r->n > k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 1024;
        while (cap < k->n + r->n)
            cap *= 2;
        mp_leak_block_t *p = realloc(k->v, cap * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        k->v = p;
        k->cap = cap;
    }
    for (uint32_t i = 0; i < r->n; i++) {
        if (k->n && r->blocks[i].addr <= k->v[k->n - 1].addr)
            k->sorted = 0;
        k->v[k->n++] = r->blocks[i];
    }
    return 0;
}

static int by_addr(const void *a, const void *b)
{
    uint64_t x = ((const mp_leak_block_t *)a)->addr, y = ((const mp_leak_block_t *)b)->addr;
    return x < y ? -1 : x > y;
}

static unsigned kind_of(const mp_leak_kinds_t *k, uint64_t addr)
{
    size_t lo = 0, hi = k->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->v[mid].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < k->n && k->v[lo].addr == addr)
        return (unsigned)k->v[lo].kind;
    return MP_LEAK_REACHABLE;
}

int mp_leak_kinds_apply(mp_leak_kinds_t *k, const mp_live_set_t *live, mp_sites_t *sites,
                        mp_replay_leakscan_t *out)
{
    if (!k->sorted) {
        qsort(k->v, k->n, sizeof *k->v, by_addr);
        k->sorted = 1;
    }
    mp_replay_leakscan_t s = k->scan;
    memset(s.blocks, 0, sizeof s.blocks);
    memset(s.bytes, 0, sizeof s.bytes);
    size_t cursor = 0;
    const mp_live_block_t *b;
    while ((b = mp_live_next(live, &cursor)) != NULL) {
        unsigned kind = s.have ? kind_of(k, b->addr) : 0;
        s.blocks[kind]++;
        s.bytes[kind] += b->bytes;
        mp_sites_leak_kind(sites, b->site, kind, b->bytes);
    }
    *out = s;
    return 0;
}

size_t mp_leak_kinds_memory(const mp_leak_kinds_t *k)
{
    return sizeof *k + k->cap * sizeof *k->v;
}
