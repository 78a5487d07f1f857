/*
 * pprof_profile.c — see pprof_profile.h. Tables are arrays indexed by id -
 * 1 (strings by index); lookups go through id_map (analyzer/id_map.h): a
 * string by its 64-bit FNV-1a hash, a function by its (name, file) string
 * indexes, a location by its address, each id_map index naming the first
 * entry with that key and a `next` chain the others (hash collisions, one
 * address in two mappings), so equal keys are always compared in full.
 *
 * Field numbers are profile.proto's (github.com/google/pprof,
 * proto/profile.proto); the encoder writes them in that order.
 */
#include "pprof_profile.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "id_map.h"

#define NONE UINT32_MAX

typedef struct mapping {
    uint64_t start, limit, offset;
    int64_t filename, build_id; /* string indexes */
    int flags[4];               /* has_functions, _filenames, _line_numbers, _inline_frames */
} mapping_t;

typedef struct function {
    int64_t name, system_name, filename;
    uint32_t next; /* next function with the same id_map key, or NONE */
} function_t;

typedef struct location {
    uint64_t mapping_id, address;
    size_t line0, nlines;       /* in lines[] */
    uint32_t next;              /* next location at the same address, or NONE */
} location_t;

struct mp_pprof {
    char **str;                 /* the string table; str[0] = "" */
    uint32_t *str_next;         /* next string with the same hash, or NONE */
    size_t nstr, str_cap, str_next_cap;
    uint32_t *str_head;         /* by id_map index: first string of that hash */
    size_t str_head_cap;
    mp_id_map_t *str_map;

    mapping_t *map;
    size_t nmap, map_cap;

    function_t *fn;
    size_t nfn, fn_cap;
    uint32_t *fn_head;
    size_t fn_head_cap;
    mp_id_map_t *fn_map;

    location_t *loc;
    size_t nloc, loc_cap;
    uint32_t *loc_head;
    size_t loc_head_cap;
    mp_id_map_t *loc_map;
    mp_pprof_line_t *lines;
    size_t nlines, lines_cap;

    int64_t (*types)[2];        /* sample types: (type, unit) string indexes */
    size_t ntypes, types_cap;
    uint64_t *sample_locs;      /* every sample's location ids, one after the other */
    size_t nsample_locs, sample_locs_cap;
    int64_t *values;            /* ntypes per sample */
    size_t nvalues, values_cap;
    size_t *sample_end;         /* sample i's ids end at sample_end[i] in sample_locs */
    size_t nsamples, samples_cap;

    int64_t period_type[2], period, default_type;
    int64_t *comments;
    size_t ncomments, comments_cap;
    int64_t time_nanos, duration_nanos;
};

/* Room for need elements of size bytes in *v: 0, or -1 (unchanged). */
static int grow(void *v, size_t *cap, size_t need, size_t size)
{
    void **pv = v, *q;
    size_t c = *cap ? *cap : 16;

    if (need <= *cap)
        return 0;
    while (c < need)
        c *= 2;
    q = realloc(*pv, c * size);
    if (!q)
        return -1;
    *pv = q;
    *cap = c;
    return 0;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return h;
}

/* Looks key up in m, whose index i names head[i], the first entry of a
 * chain: 0 with *slot pointing at head[i] (NONE when the key is new), or
 * -1 out of memory. head is grown first, so a key never sits in the map
 * without its slot. */
static int lookup(mp_id_map_t *m, uint32_t **head, size_t *cap, uint64_t key, uint32_t **slot)
{
    uint32_t i;
    int rc;

    if (grow(head, cap, mp_id_map_count(m) + 1, sizeof **head) != 0)
        return -1;
    rc = mp_id_map_add(m, key, &i);
    if (rc < 0)
        return -1;
    if (rc == 1)
        (*head)[i] = NONE;
    *slot = &(*head)[i];
    return 0;
}

mp_pprof_t *mp_pprof_new(void)
{
    mp_pprof_t *p = calloc(1, sizeof *p);
    int64_t zero;

    if (!p)
        return NULL;
    if (mp_id_map_create(&p->str_map) != 0 || mp_id_map_create(&p->fn_map) != 0 ||
        mp_id_map_create(&p->loc_map) != 0 || mp_pprof_string(p, "", &zero) != 0) {
        mp_pprof_free(p);
        return NULL;
    }
    return p;
}

void mp_pprof_free(mp_pprof_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nstr; i++)
        free(p->str[i]);
    free(p->str);
    free(p->str_next);
    free(p->str_head);
    mp_id_map_destroy(p->str_map);
    free(p->map);
    free(p->fn);
    free(p->fn_head);
    mp_id_map_destroy(p->fn_map);
    free(p->loc);
    free(p->loc_head);
    mp_id_map_destroy(p->loc_map);
    free(p->lines);
    free(p->types);
    free(p->sample_locs);
    free(p->values);
    free(p->sample_end);
    free(p->comments);
    free(p);
}

int mp_pprof_string(mp_pprof_t *p, const char *s, int64_t *index)
{
    uint32_t *slot, i;
    char *copy;

    if (!s)
        s = "";
    if (lookup(p->str_map, &p->str_head, &p->str_head_cap, fnv1a(s), &slot) != 0)
        return -1;
    for (i = *slot; i != NONE; i = p->str_next[i])
        if (strcmp(p->str[i], s) == 0) {
            *index = i;
            return 0;
        }
    if (p->nstr >= NONE - 1 || grow(&p->str, &p->str_cap, p->nstr + 1, sizeof *p->str) != 0 ||
        grow(&p->str_next, &p->str_next_cap, p->nstr + 1, sizeof *p->str_next) != 0)
        return -1;
    copy = strdup(s);
    if (!copy)
        return -1;
    i = (uint32_t)p->nstr++;
    p->str[i] = copy;
    p->str_next[i] = *slot;
    *slot = i;
    *index = i;
    return 0;
}

int mp_pprof_add_sample_type(mp_pprof_t *p, const char *type, const char *unit)
{
    int64_t t, u;

    if (p->nsamples || mp_pprof_string(p, type, &t) != 0 || mp_pprof_string(p, unit, &u) != 0 ||
        grow(&p->types, &p->types_cap, p->ntypes + 1, sizeof *p->types) != 0)
        return -1;
    p->types[p->ntypes][0] = t;
    p->types[p->ntypes][1] = u;
    p->ntypes++;
    return 0;
}

int mp_pprof_set_period(mp_pprof_t *p, const char *type, const char *unit, int64_t period)
{
    int64_t t, u;

    if (mp_pprof_string(p, type, &t) != 0 || mp_pprof_string(p, unit, &u) != 0)
        return -1;
    p->period_type[0] = t;
    p->period_type[1] = u;
    p->period = period;
    return 0;
}

int mp_pprof_set_default_sample_type(mp_pprof_t *p, const char *type)
{
    return mp_pprof_string(p, type, &p->default_type);
}

int mp_pprof_add_comment(mp_pprof_t *p, const char *text)
{
    int64_t s;

    if (mp_pprof_string(p, text, &s) != 0 ||
        grow(&p->comments, &p->comments_cap, p->ncomments + 1, sizeof *p->comments) != 0)
        return -1;
    p->comments[p->ncomments++] = s;
    return 0;
}

void mp_pprof_set_time(mp_pprof_t *p, int64_t time_nanos, int64_t duration_nanos)
{
    p->time_nanos = time_nanos;
    p->duration_nanos = duration_nanos;
}

int mp_pprof_add_mapping(mp_pprof_t *p, const mp_pprof_mapping_t *m, uint64_t *id)
{
    mapping_t x = {
        .start = m->memory_start,
        .limit = m->memory_limit,
        .offset = m->file_offset,
        .flags = { m->has_functions, m->has_filenames, m->has_line_numbers,
                   m->has_inline_frames },
    };

    if (mp_pprof_string(p, m->filename, &x.filename) != 0 ||
        mp_pprof_string(p, m->build_id, &x.build_id) != 0 ||
        grow(&p->map, &p->map_cap, p->nmap + 1, sizeof *p->map) != 0)
        return -1;
    p->map[p->nmap++] = x;
    *id = p->nmap;
    return 0;
}

int mp_pprof_function(mp_pprof_t *p, const char *name, const char *system_name,
                      const char *filename, uint64_t *id)
{
    function_t f = { .next = NONE };
    uint32_t *slot, i;

    if (mp_pprof_string(p, name, &f.name) != 0 ||
        mp_pprof_string(p, system_name, &f.system_name) != 0 ||
        mp_pprof_string(p, filename, &f.filename) != 0 ||
        lookup(p->fn_map, &p->fn_head, &p->fn_head_cap,
               (uint64_t)f.name << 32 ^ (uint64_t)f.filename, &slot) != 0)
        return -1;
    for (i = *slot; i != NONE; i = p->fn[i].next)
        if (p->fn[i].name == f.name && p->fn[i].system_name == f.system_name &&
            p->fn[i].filename == f.filename) {
            *id = (uint64_t)i + 1;
            return 0;
        }
    if (p->nfn >= NONE - 1 || grow(&p->fn, &p->fn_cap, p->nfn + 1, sizeof *p->fn) != 0)
        return -1;
    f.next = *slot;
    i = (uint32_t)p->nfn++;
    p->fn[i] = f;
    *slot = i;
    *id = (uint64_t)i + 1;
    return 0;
}

int mp_pprof_location(mp_pprof_t *p, uint64_t mapping_id, uint64_t address, size_t nlines,
                      const mp_pprof_line_t *lines, uint64_t *id)
{
    uint32_t *slot, i;

    if (mapping_id > p->nmap)
        return -1;
    for (size_t k = 0; k < nlines; k++)
        if (lines[k].function_id == 0 || lines[k].function_id > p->nfn)
            return -1;
    if (lookup(p->loc_map, &p->loc_head, &p->loc_head_cap, address, &slot) != 0)
        return -1;
    for (i = *slot; i != NONE; i = p->loc[i].next)
        if (p->loc[i].mapping_id == mapping_id) {
            *id = (uint64_t)i + 1;
            return 0;
        }
    if (p->nloc >= NONE - 1 || grow(&p->loc, &p->loc_cap, p->nloc + 1, sizeof *p->loc) != 0 ||
        grow(&p->lines, &p->lines_cap, p->nlines + nlines, sizeof *p->lines) != 0)
        return -1;
    if (nlines)
        memcpy(p->lines + p->nlines, lines, nlines * sizeof *lines);
    i = (uint32_t)p->nloc++;
    p->loc[i] = (location_t){ mapping_id, address, p->nlines, nlines, *slot };
    p->nlines += nlines;
    *slot = i;
    *id = (uint64_t)i + 1;
    return 0;
}

int mp_pprof_add_sample(mp_pprof_t *p, size_t nloc, const uint64_t *location_ids,
                        const int64_t *values)
{
    for (size_t k = 0; k < nloc; k++)
        if (location_ids[k] == 0 || location_ids[k] > p->nloc)
            return -1;
    if (grow(&p->sample_locs, &p->sample_locs_cap, p->nsample_locs + nloc,
             sizeof *p->sample_locs) != 0 ||
        grow(&p->values, &p->values_cap, p->nvalues + p->ntypes, sizeof *p->values) != 0 ||
        grow(&p->sample_end, &p->samples_cap, p->nsamples + 1, sizeof *p->sample_end) != 0)
        return -1;
    if (nloc)
        memcpy(p->sample_locs + p->nsample_locs, location_ids, nloc * sizeof *location_ids);
    p->nsample_locs += nloc;
    if (p->ntypes)
        memcpy(p->values + p->nvalues, values, p->ntypes * sizeof *values);
    p->nvalues += p->ntypes;
    p->sample_end[p->nsamples++] = p->nsample_locs;
    return 0;
}

static void value_type(mp_pb_buf_t *b, uint32_t field, const int64_t t[2])
{
    size_t m = mp_pb_begin(b, field);

    mp_pb_uint(b, 1, (uint64_t)t[0]); /* type */
    mp_pb_uint(b, 2, (uint64_t)t[1]); /* unit */
    mp_pb_end(b, m);
}

int mp_pprof_encode(const mp_pprof_t *p, mp_pb_buf_t *b)
{
    size_t start = 0, m;

    for (size_t i = 0; i < p->ntypes; i++)
        value_type(b, 1, p->types[i]); /* sample_type */
    for (size_t i = 0; i < p->nsamples; i++) {
        m = mp_pb_begin(b, 2); /* sample */
        mp_pb_packed(b, 1, p->sample_locs + start, p->sample_end[i] - start); /* location_id */
        mp_pb_packed(b, 2, (const uint64_t *)(p->values + i * p->ntypes), p->ntypes); /* value */
        mp_pb_end(b, m);
        start = p->sample_end[i];
    }
    for (size_t i = 0; i < p->nmap; i++) {
        const mapping_t *x = &p->map[i];

        m = mp_pb_begin(b, 3); /* mapping */
        mp_pb_uint(b, 1, i + 1);
        mp_pb_uint(b, 2, x->start);
        mp_pb_uint(b, 3, x->limit);
        mp_pb_uint(b, 4, x->offset);
        mp_pb_uint(b, 5, (uint64_t)x->filename);
        mp_pb_uint(b, 6, (uint64_t)x->build_id);
        for (unsigned k = 0; k < 4; k++)
            mp_pb_uint(b, 7 + k, x->flags[k] != 0); /* has_functions .. has_inline_frames */
        mp_pb_end(b, m);
    }
    for (size_t i = 0; i < p->nloc; i++) {
        const location_t *x = &p->loc[i];

        m = mp_pb_begin(b, 4); /* location */
        mp_pb_uint(b, 1, i + 1);
        mp_pb_uint(b, 2, x->mapping_id);
        mp_pb_uint(b, 3, x->address);
        for (size_t k = 0; k < x->nlines; k++) {
            size_t l = mp_pb_begin(b, 4); /* line */
            mp_pb_uint(b, 1, p->lines[x->line0 + k].function_id);
            mp_pb_uint(b, 2, (uint64_t)p->lines[x->line0 + k].line);
            mp_pb_end(b, l);
        }
        mp_pb_end(b, m);
    }
    for (size_t i = 0; i < p->nfn; i++) {
        m = mp_pb_begin(b, 5); /* function */
        mp_pb_uint(b, 1, i + 1);
        mp_pb_uint(b, 2, (uint64_t)p->fn[i].name);
        mp_pb_uint(b, 3, (uint64_t)p->fn[i].system_name);
        mp_pb_uint(b, 4, (uint64_t)p->fn[i].filename);
        mp_pb_end(b, m);
    }
    for (size_t i = 0; i < p->nstr; i++)
        mp_pb_bytes(b, 6, p->str[i], strlen(p->str[i])); /* string_table */
    mp_pb_uint(b, 9, (uint64_t)p->time_nanos);
    mp_pb_uint(b, 10, (uint64_t)p->duration_nanos);
    if (p->period_type[0] || p->period_type[1])
        value_type(b, 11, p->period_type);
    mp_pb_uint(b, 12, (uint64_t)p->period);
    for (size_t i = 0; i < p->ncomments; i++)
        mp_pb_uint_always(b, 13, (uint64_t)p->comments[i]);
    mp_pb_uint(b, 14, (uint64_t)p->default_type);
    return mp_pb_buf_failed(b) ? -1 : 0;
}

int mp_pprof_write_gz(const mp_pprof_t *p, FILE *out)
{
    mp_pb_buf_t b = { 0 };
    z_stream z;
    unsigned char chunk[16384];
    int rc = -1, zr;

    if (mp_pprof_encode(p, &b) != 0)
        goto done;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip header and trailer rather than zlib's. */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        goto done;
    z.next_in = b.p;
    z.avail_in = (uInt)b.n;
    if ((size_t)z.avail_in != b.n) { /* over 4 GiB: never for a profile of a log */
        deflateEnd(&z);
        goto done;
    }
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zr = deflate(&z, Z_FINISH);
        if (zr == Z_STREAM_ERROR ||
            fwrite(chunk, 1, sizeof chunk - z.avail_out, out) != sizeof chunk - z.avail_out) {
            deflateEnd(&z);
            goto done;
        }
    } while (zr != Z_STREAM_END);
    deflateEnd(&z);
    rc = 0;
done:
    mp_pb_buf_free(&b);
    return rc;
}
