/*
 * sites.c — per-stack aggregates and the stack table (sites.h).
 *
 * Invariants, for every site, at any time during the replay:
 *   live_blocks == allocs - frees - dropped
 *   live_bytes  == bytes_allocated - bytes_freed - bytes dropped
 *   epoch <= the replay's current epoch; if epoch == current, peak_* hold
 *   the live figures at the latest peak, else live_* still do.
 * Frames live in one pool (frames_off indexes it), so that a STACK record
 * costs one append; mp_sites_finish() turns offsets into pointers, once the
 * pool has stopped moving.
 */
#include "sites.h"

#include <stdlib.h>
#include <string.h>

#include "id_map.h"

typedef struct site {
    mp_replay_site_t pub;  /* what replay.h shows */
    uint64_t live_blocks;  /* blocks live now */
    uint64_t live_bytes;   /* bytes live now (weighted) */
    uint64_t epoch;        /* peak number at the last update */
    size_t frames_off;     /* first frame in the pool */
} site_t;

struct mp_sites {
    mp_id_map_t *ids;      /* stack id -> index into sites */
    site_t *sites;
    size_t cap;            /* sites allocated */
    uint64_t *frames;      /* pool of every site's frames */
    size_t frames_len, frames_cap;
};

int mp_sites_create(mp_sites_t **out)
{
    mp_sites_t *s = calloc(1, sizeof *s);
    if (!s || mp_id_map_create(&s->ids) != 0) {
        free(s);
        return MP_ELOG_NOMEM;
    }
    *out = s;
    return 0;
}

void mp_sites_destroy(mp_sites_t *s)
{
    if (!s)
        return;
    mp_id_map_destroy(s->ids);
    free(s->sites);
    free(s->frames);
    free(s);
}

int mp_sites_lookup(mp_sites_t *s, uint64_t id, uint32_t *index)
{
    size_t n = mp_id_map_count(s->ids);
    if (n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        site_t *p = realloc(s->sites, cap * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        s->sites = p;
        s->cap = cap;
    }
    int rc = mp_id_map_add(s->ids, id, index);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        site_t *t = &s->sites[*index];
        memset(t, 0, sizeof *t);
        t->pub.stack_id = id;
        t->pub.lifetime_min_ns = UINT64_MAX;
    }
    return 0;
}

int mp_sites_find(const mp_sites_t *s, uint64_t id, uint32_t *index)
{
    return mp_id_map_find(s->ids, id, index);
}

int mp_sites_define(mp_sites_t *s, uint64_t id, const uint64_t *frames, uint32_t n,
                    uint32_t *index)
{
    int rc = mp_sites_lookup(s, id, index);
    if (rc != 0)
        return rc;
    site_t *t = &s->sites[*index];
    if (t->pub.defined)
        return 0;
    if (s->frames_len + n > s->frames_cap) {
        size_t cap = s->frames_cap ? s->frames_cap : 4096;
        while (cap < s->frames_len + n)
            cap *= 2;
        uint64_t *p = realloc(s->frames, cap * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        s->frames = p;
        s->frames_cap = cap;
    }
    if (n)
        memcpy(s->frames + s->frames_len, frames, n * sizeof *frames);
    t->frames_off = s->frames_len;
    t->pub.nframes = n;
    t->pub.defined = 1;
    s->frames_len += n;
    return 0;
}

/* Before any change to t's live figures: if this is its first change since
 * the latest peak, its live figures are still those at the peak. */
static void touch(site_t *t, uint64_t epoch)
{
    if (t->epoch != epoch) {
        t->pub.peak_blocks = t->live_blocks;
        t->pub.peak_bytes = t->live_bytes;
        t->epoch = epoch;
    }
}

void mp_sites_alloc(mp_sites_t *s, uint32_t index, uint64_t bytes, double est, uint64_t ts,
                    int is_realloc, uint64_t epoch)
{
    site_t *t = &s->sites[index];
    touch(t, epoch);
    t->pub.est_allocs += est;
    if (t->pub.allocs == 0 || ts < t->pub.first_ts)
        t->pub.first_ts = ts;
    if (ts > t->pub.last_ts)
        t->pub.last_ts = ts;
    t->pub.allocs++;
    if (is_realloc)
        t->pub.reallocs++;
    t->pub.bytes_allocated += bytes;
    t->live_blocks++;
    t->live_bytes += bytes;
    if (t->live_bytes > t->pub.max_live_bytes)
        t->pub.max_live_bytes = t->live_bytes;
}

void mp_sites_free(mp_sites_t *s, uint32_t index, uint64_t bytes, uint64_t lifetime_ns,
                   int temporary, uint64_t epoch)
{
    site_t *t = &s->sites[index];
    touch(t, epoch);
    t->pub.frees++;
    t->pub.bytes_freed += bytes;
    if (temporary)
        t->pub.temporary++;
    t->live_blocks--;
    t->live_bytes -= bytes;
    if (t->pub.lifetime_sum_ns > UINT64_MAX - lifetime_ns)
        t->pub.lifetime_sum_ns = UINT64_MAX;
    else
        t->pub.lifetime_sum_ns += lifetime_ns;
    if (lifetime_ns < t->pub.lifetime_min_ns)
        t->pub.lifetime_min_ns = lifetime_ns;
    if (lifetime_ns > t->pub.lifetime_max_ns)
        t->pub.lifetime_max_ns = lifetime_ns;
}

void mp_sites_leak_estimate(mp_sites_t *s, uint32_t index, double est)
{
    s->sites[index].pub.est_leaked_blocks += est;
}

void mp_sites_leak_kind(mp_sites_t *s, uint32_t index, unsigned kind, uint64_t bytes)
{
    s->sites[index].pub.kind_blocks[kind]++;
    s->sites[index].pub.kind_bytes[kind] += bytes;
}

void mp_sites_drop(mp_sites_t *s, uint32_t index, uint64_t bytes, uint64_t epoch)
{
    site_t *t = &s->sites[index];
    touch(t, epoch);
    t->live_blocks--;
    t->live_bytes -= bytes;
}

void mp_sites_finish(mp_sites_t *s, uint64_t epoch)
{
    size_t n = mp_id_map_count(s->ids);
    for (size_t i = 0; i < n; i++) {
        site_t *t = &s->sites[i];
        if (epoch == 0) {
            t->pub.peak_blocks = t->pub.peak_bytes = 0;
        } else if (t->epoch != epoch) {
            /* Unchanged since the last peak. */
            t->pub.peak_blocks = t->live_blocks;
            t->pub.peak_bytes = t->live_bytes;
            t->epoch = epoch;
        }
        t->pub.leaked_blocks = t->live_blocks;
        t->pub.leaked_bytes = t->live_bytes;
        t->pub.frames = t->pub.nframes ? s->frames + t->frames_off : NULL;
    }
}

void mp_sites_live_total(const mp_sites_t *s, uint64_t *blocks, uint64_t *bytes)
{
    *blocks = *bytes = 0;
    for (size_t i = 0; i < mp_id_map_count(s->ids); i++) {
        *blocks += s->sites[i].live_blocks;
        *bytes += s->sites[i].live_bytes;
    }
}

size_t mp_sites_count(const mp_sites_t *s)
{
    return mp_id_map_count(s->ids);
}

const mp_replay_site_t *mp_sites_get(const mp_sites_t *s, size_t index)
{
    return index < mp_id_map_count(s->ids) ? &s->sites[index].pub : NULL;
}

size_t mp_sites_memory(const mp_sites_t *s)
{
    return sizeof *s + mp_id_map_memory(s->ids) + s->cap * sizeof(site_t) +
           s->frames_cap * sizeof(uint64_t);
}
