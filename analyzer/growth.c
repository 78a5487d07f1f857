/*
 * growth.c — growth chains (growth.h): a table of chains, a hash from a
 * chain's current block address to its chain, and per site the latest
 * allocation, which an allocate-bigger-free-old step links to.
 *
 * Invariants: every chain in use (addr != 0) has exactly one hash entry,
 * addr -> its index; free chains (addr == 0) are on the free list through
 * `next`. The hash uses linear probing with backward-shift deletion, at
 * most 1/2 full. One replay owns it; not thread-safe.
 */
#include "growth.h"

#include <stdlib.h>
#include <string.h>

#include "log_reader.h"

typedef struct chain {
    mp_replay_growth_t pub;
    uint64_t other0;  /* the caller's other_bytes at the first step */
    uint64_t others0; /* and other_allocs */
    uint32_t next;    /* free list, when pub.addr == 0 */
} chain_t;

typedef struct latest {
    uint64_t addr, size, ts, seq; /* addr 0: none */
    int linked;                   /* already the new block of a step */
} latest_t;

struct mp_growth {
    chain_t *chains;
    size_t nchains, cap;     /* used slots of chains[] (some free), allocated */
    uint32_t free_head;      /* UINT32_MAX: none */
    size_t live;             /* chains in use */
    uint64_t *keys;          /* hash: 0 = empty */
    uint32_t *vals;
    size_t hcap;             /* power of two */
    latest_t *latest;        /* by site index */
    size_t nlatest;
    mp_replay_growth_t *out; /* after finish: the chains in use, largest first */
    size_t nout;
};

int mp_growth_create(mp_growth_t **out)
{
    mp_growth_t *g = calloc(1, sizeof *g);
    if (!g)
        return MP_ELOG_NOMEM;
    g->free_head = UINT32_MAX;
    *out = g;
    return 0;
}

void mp_growth_destroy(mp_growth_t *g)
{
    if (!g)
        return;
    free(g->chains);
    free(g->keys);
    free(g->vals);
    free(g->latest);
    free(g->out);
    free(g);
}

static size_t slot_of(const mp_growth_t *g, uint64_t addr)
{
    uint64_t h = addr * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (g->hcap - 1);
}

/* The chain of addr, or -1. */
static long find(const mp_growth_t *g, uint64_t addr)
{
    if (!g->hcap || !addr)
        return -1;
    for (size_t i = slot_of(g, addr);; i = (i + 1) & (g->hcap - 1)) {
        if (g->keys[i] == 0)
            return -1;
        if (g->keys[i] == addr)
            return (long)g->vals[i];
    }
}

static void hash_put(mp_growth_t *g, uint64_t addr, uint32_t v)
{
    size_t i = slot_of(g, addr);
    while (g->keys[i] != 0 && g->keys[i] != addr)
        i = (i + 1) & (g->hcap - 1);
    g->keys[i] = addr;
    g->vals[i] = v;
}

static int hash_grow(mp_growth_t *g)
{
    if (2 * (g->live + 1) <= g->hcap)
        return 0;
    size_t old = g->hcap, cap = old ? 2 * old : 64;
    uint64_t *ok = g->keys;
    uint32_t *ov = g->vals;
    g->keys = calloc(cap, sizeof *g->keys);
    g->vals = calloc(cap, sizeof *g->vals);
    if (!g->keys || !g->vals) {
        free(g->keys);
        free(g->vals);
        g->keys = ok;
        g->vals = ov;
        return MP_ELOG_NOMEM;
    }
    g->hcap = cap;
    for (size_t i = 0; i < old; i++)
        if (ok[i])
            hash_put(g, ok[i], ov[i]);
    free(ok);
    free(ov);
    return 0;
}

static void hash_del(mp_growth_t *g, uint64_t addr)
{
    size_t i = slot_of(g, addr);
    while (g->keys[i] != addr) {
        if (g->keys[i] == 0)
            return;
        i = (i + 1) & (g->hcap - 1);
    }
    /* Backward shift: move later entries of the probe run into the hole. */
    for (size_t j = (i + 1) & (g->hcap - 1); g->keys[j]; j = (j + 1) & (g->hcap - 1)) {
        size_t home = slot_of(g, g->keys[j]);
        if (((j - home) & (g->hcap - 1)) >= ((j - i) & (g->hcap - 1))) {
            g->keys[i] = g->keys[j];
            g->vals[i] = g->vals[j];
            i = j;
        }
    }
    g->keys[i] = 0;
}

/* Ends chain c: off the hash, onto the free list. */
static void drop(mp_growth_t *g, long c)
{
    chain_t *x = &g->chains[c];
    hash_del(g, x->pub.addr);
    x->pub.addr = 0;
    x->next = g->free_head;
    g->free_head = (uint32_t)c;
    g->live--;
}

/* A new chain starting with block b: its index, or -1 (out of memory). */
static long start(mp_growth_t *g, const mp_growth_block_t *b, uint64_t other, uint64_t others)
{
    long c;
    if (g->free_head != UINT32_MAX) {
        c = g->free_head;
        g->free_head = g->chains[c].next;
    } else {
        if (g->nchains == g->cap) {
            size_t cap = g->cap ? 2 * g->cap : 64;
            chain_t *p = realloc(g->chains, cap * sizeof *p);
            if (!p || cap >= UINT32_MAX)
                return -1;
            g->chains = p;
            g->cap = cap;
        }
        c = (long)g->nchains++;
    }
    chain_t *x = &g->chains[c];
    memset(x, 0, sizeof *x);
    x->pub.first_size = b->size;
    x->pub.first_ts = b->ts;
    x->other0 = other;
    x->others0 = others;
    g->live++;
    return c;
}

/* Chain c (off the hash) takes one step to block nw. */
static int step(mp_growth_t *g, long c, const mp_growth_block_t *nw, uint64_t other,
                uint64_t others)
{
    long old = find(g, nw->addr);
    if (old >= 0 && old != c)
        drop(g, old); /* cannot happen in a well-ordered log; keep one */
    if (hash_grow(g) != 0)
        return MP_ELOG_NOMEM;
    chain_t *x = &g->chains[c];
    if (x->pub.steps == 0)
        x->pub.first_seq = nw->seq;
    x->pub.steps++;
    x->pub.addr = nw->addr;
    x->pub.size = nw->size;
    x->pub.site = nw->site;
    x->pub.last_ts = nw->ts;
    x->pub.last_seq = nw->seq;
    x->pub.other_bytes = other >= x->other0 ? other - x->other0 : 0;
    x->pub.other_allocs = others >= x->others0 ? others - x->others0 : 0;
    hash_put(g, nw->addr, (uint32_t)c);
    return 0;
}

static int set_latest(mp_growth_t *g, const mp_growth_block_t *b, int linked)
{
    if (b->site >= g->nlatest) {
        size_t n = g->nlatest ? 2 * g->nlatest : 256;
        while (n <= b->site)
            n *= 2;
        latest_t *p = realloc(g->latest, n * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        memset(p + g->nlatest, 0, (n - g->nlatest) * sizeof *p);
        g->latest = p;
        g->nlatest = n;
    }
    latest_t *l = &g->latest[b->site];
    l->addr = b->addr;
    l->size = b->size;
    l->ts = b->ts;
    l->seq = b->seq;
    l->linked = linked;
    return 0;
}

int mp_growth_alloc(mp_growth_t *g, const mp_growth_block_t *b)
{
    long c = find(g, b->addr);
    if (c >= 0)
        drop(g, c); /* a stale chain at a reused address */
    return set_latest(g, b, 0);
}

uint64_t mp_growth_latest(const mp_growth_t *g, uint32_t site)
{
    return site < g->nlatest ? g->latest[site].addr : 0;
}

int mp_growth_free(mp_growth_t *g, const mp_growth_block_t *b, int latest_live,
                   uint64_t other_bytes, uint64_t other_allocs)
{
    long c = find(g, b->addr);
    latest_t *l = b->site < g->nlatest ? &g->latest[b->site] : NULL;

    /* Allocate-bigger-free-old: the site's latest block, allocated after
     * this one, still live, not yet linked, and at least 3/2 its size. */
    if (l && l->addr && l->addr != b->addr && !l->linked && latest_live && l->seq > b->seq &&
        b->size > 0 &&
        l->size * MP_GROWTH_FACTOR_DEN >= b->size * MP_GROWTH_FACTOR_NUM) {
        mp_growth_block_t nw = {l->addr, l->size, l->ts, l->seq, b->site};
        if (c < 0) {
            if ((c = start(g, b, other_bytes, other_allocs)) < 0)
                return MP_ELOG_NOMEM;
        } else {
            hash_del(g, b->addr);
        }
        l->linked = 1;
        return step(g, c, &nw, other_bytes, other_allocs);
    }
    if (c >= 0)
        drop(g, c);
    return 0;
}

int mp_growth_realloc(mp_growth_t *g, const mp_growth_block_t *old, const mp_growth_block_t *nw,
                      uint64_t other_bytes, uint64_t other_allocs)
{
    long c = old->addr ? find(g, old->addr) : -1;

    if (old->addr && nw->addr && nw->size > old->size && old->size > 0) {
        if (c < 0) {
            if ((c = start(g, old, other_bytes, other_allocs)) < 0)
                return MP_ELOG_NOMEM;
        } else {
            hash_del(g, old->addr);
        }
        int rc = step(g, c, nw, other_bytes, other_allocs);
        if (rc != 0)
            return rc;
        return set_latest(g, nw, 1);
    }
    /* A shrink (or a realloc to 0) ends the chain: the program trimmed it. */
    if (c >= 0)
        drop(g, c);
    return nw->addr ? set_latest(g, nw, old->addr != 0) : 0;
}

static int by_size(const void *pa, const void *pb)
{
    const mp_replay_growth_t *a = pa, *b = pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->first_seq < b->first_seq ? -1 : a->first_seq > b->first_seq;
}

int mp_growth_finish(mp_growth_t *g)
{
    free(g->out);
    g->out = NULL;
    g->nout = 0;
    if (!g->live)
        return 0;
    g->out = malloc(g->live * sizeof *g->out);
    if (!g->out)
        return MP_ELOG_NOMEM;
    for (size_t i = 0; i < g->nchains; i++)
        if (g->chains[i].pub.addr)
            g->out[g->nout++] = g->chains[i].pub;
    qsort(g->out, g->nout, sizeof *g->out, by_size);
    return 0;
}

size_t mp_growth_count(const mp_growth_t *g)
{
    return g->nout;
}

const mp_replay_growth_t *mp_growth_get(const mp_growth_t *g, size_t i)
{
    return i < g->nout ? &g->out[i] : NULL;
}

size_t mp_growth_memory(const mp_growth_t *g)
{
    return sizeof *g + g->cap * sizeof *g->chains + g->hcap * (sizeof *g->keys + sizeof *g->vals) +
           g->nlatest * sizeof *g->latest + g->nout * sizeof *g->out;
}
