/*
 * test_pprof.c — `memprof pprof`'s writers (cli/pprof_proto.h,
 * cli/pprof_profile.h) on fixed input: the protobuf wire format byte for
 * byte, then a whole profile decoded back by the small decoder below (an
 * independent reading of profile.proto's field numbers) and checked field
 * by field, and its gzip'd form inflated back to the same bytes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cunit_main.h"
#include "pprof_profile.h"
#include "pprof_proto.h"

/* ---- A protobuf reader ------------------------------------------------- */

typedef struct pb {
    const uint8_t *p, *end;
    int bad; /* malformed input seen */
} pb_t;

static uint64_t rd_varint(pb_t *b)
{
    uint64_t v = 0;

    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (b->p >= b->end) {
            b->bad = 1;
            return 0;
        }
        v |= (uint64_t)(*b->p & 0x7f) << shift;
        if (!(*b->p++ & 0x80))
            return v;
    }
    b->bad = 1;
    return 0;
}

/* The next field: 1 with *field set and either *v (wire type 0) or *sub
 * (wire type 2, *is_len set); 0 at the end or on malformed input. */
static int next(pb_t *b, uint32_t *field, uint64_t *v, pb_t *sub, int *is_len)
{
    uint64_t k, len;

    if (b->bad || b->p >= b->end)
        return 0;
    k = rd_varint(b);
    *field = (uint32_t)(k >> 3);
    *is_len = 0;
    switch (k & 7) {
    case 0:
        *v = rd_varint(b);
        break;
    case 2:
        len = rd_varint(b);
        if (len > (uint64_t)(b->end - b->p)) {
            b->bad = 1;
            return 0;
        }
        *sub = (pb_t){ b->p, b->p + len, 0 };
        b->p += len;
        *is_len = 1;
        break;
    default: /* memprof writes no other wire type */
        b->bad = 1;
        return 0;
    }
    return !b->bad;
}

/* Repeated integers, packed (a length-delimited run) or not. */
static void rd_repeated(uint64_t *out, size_t *n, size_t max, uint64_t v, pb_t *sub, int is_len)
{
    if (!is_len) {
        if (*n < max)
            out[(*n)++] = v;
        return;
    }
    while (sub->p < sub->end && !sub->bad && *n < max)
        out[(*n)++] = rd_varint(sub);
}

/* ---- profile.proto, decoded -------------------------------------------- */

#define MAXN 32

typedef struct dline {
    uint64_t fn;
    int64_t line;
} dline_t;

typedef struct dprofile {
    char *str[MAXN];
    size_t nstr;
    uint64_t types[MAXN][2];
    size_t ntypes;
    struct {
        uint64_t loc[MAXN], val[MAXN];
        size_t nloc, nval;
    } samples[MAXN];
    size_t nsamples;
    struct {
        uint64_t f[11]; /* by field number 1..10 */
    } maps[MAXN];
    size_t nmaps;
    struct {
        uint64_t id, mapping, address;
        dline_t lines[MAXN];
        size_t nlines;
    } locs[MAXN];
    size_t nlocs;
    struct {
        uint64_t f[6]; /* by field number 1..5 */
    } fns[MAXN];
    size_t nfns;
    uint64_t scalars[16]; /* Profile's varint fields by number (7..14 but 11, 13) */
    uint64_t period_type[2];
    uint64_t comments[MAXN];
    size_t ncomments;
    int bad;
} dprofile_t;

static void rd_value_type(pb_t *b, uint64_t out[2])
{
    uint32_t f;
    uint64_t v;
    pb_t sub;
    int len;

    while (next(b, &f, &v, &sub, &len))
        if ((f == 1 || f == 2) && !len)
            out[f - 1] = v;
}

static void rd_sample(pb_t *b, dprofile_t *d)
{
    uint32_t f;
    uint64_t v;
    pb_t sub;
    int len;

    if (d->nsamples == MAXN)
        return;
    while (next(b, &f, &v, &sub, &len)) {
        if (f == 1)
            rd_repeated(d->samples[d->nsamples].loc, &d->samples[d->nsamples].nloc, MAXN, v, &sub,
                        len);
        else if (f == 2)
            rd_repeated(d->samples[d->nsamples].val, &d->samples[d->nsamples].nval, MAXN, v, &sub,
                        len);
    }
    d->nsamples++;
}

static void rd_location(pb_t *b, dprofile_t *d)
{
    uint32_t f, lf;
    uint64_t v, lv;
    pb_t sub, lsub;
    int len, llen;

    if (d->nlocs == MAXN)
        return;
    while (next(b, &f, &v, &sub, &len)) {
        if (f == 1)
            d->locs[d->nlocs].id = v;
        else if (f == 2)
            d->locs[d->nlocs].mapping = v;
        else if (f == 3)
            d->locs[d->nlocs].address = v;
        else if (f == 4 && len && d->locs[d->nlocs].nlines < MAXN) {
            dline_t *l = &d->locs[d->nlocs].lines[d->locs[d->nlocs].nlines++];

            while (next(&sub, &lf, &lv, &lsub, &llen))
                if (lf == 1)
                    l->fn = lv;
                else if (lf == 2)
                    l->line = (int64_t)lv;
        }
    }
    d->nlocs++;
}

static void rd_fields(pb_t *b, uint64_t *out, uint32_t max)
{
    uint32_t f;
    uint64_t v;
    pb_t sub;
    int len;

    while (next(b, &f, &v, &sub, &len))
        if (!len && f >= 1 && f <= max)
            out[f] = v;
}

static void decode(const uint8_t *p, size_t n, dprofile_t *d)
{
    pb_t b = { p, p + n, 0 }, sub;
    uint32_t f;
    uint64_t v;
    int len;

    memset(d, 0, sizeof *d);
    while (next(&b, &f, &v, &sub, &len)) {
        switch (f) {
        case 1:
            if (d->ntypes < MAXN)
                rd_value_type(&sub, d->types[d->ntypes++]);
            break;
        case 2:
            rd_sample(&sub, d);
            break;
        case 3:
            if (d->nmaps < MAXN)
                rd_fields(&sub, d->maps[d->nmaps++].f, 10);
            break;
        case 4:
            rd_location(&sub, d);
            break;
        case 5:
            if (d->nfns < MAXN)
                rd_fields(&sub, d->fns[d->nfns++].f, 5);
            break;
        case 6:
            if (d->nstr < MAXN)
                d->str[d->nstr++] = strndup((const char *)sub.p, (size_t)(sub.end - sub.p));
            break;
        case 11:
            rd_value_type(&sub, d->period_type);
            break;
        case 13:
            rd_repeated(d->comments, &d->ncomments, MAXN, v, &sub, len);
            break;
        default:
            if (!len && f < 16)
                d->scalars[f] = v;
        }
        if (sub.bad)
            d->bad = 1;
    }
    if (b.bad || b.p != b.end)
        d->bad = 1;
}

static void dprofile_free(dprofile_t *d)
{
    for (size_t i = 0; i < d->nstr; i++)
        free(d->str[i]);
}

/* The string at index i, or "<bad index>". */
static const char *S(const dprofile_t *d, uint64_t i)
{
    return i < d->nstr ? d->str[i] : "<bad index>";
}

/* ---- The wire format --------------------------------------------------- */

static void varints_are_base_128(void)
{
    static const uint8_t want[] = {
        0x08, 0x96, 0x01,                                     /* field 1 = 150 */
        0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, /* 2 = -1 */
        0x1a, 0x02, 'h', 'i',                                 /* 3 = "hi" */
        0x22, 0x03, 0x01, 0xac, 0x02,                         /* 4 = packed [1, 300] */
        0x2a, 0x00,                                           /* 5 = "" */
    };
    mp_pb_buf_t b = { 0 };
    uint64_t packed[] = { 1, 300 };

    mp_pb_uint(&b, 1, 150);
    mp_pb_uint(&b, 2, (uint64_t)(int64_t)-1);
    mp_pb_uint(&b, 7, 0); /* zero: left out */
    mp_pb_bytes(&b, 3, "hi", 2);
    mp_pb_packed(&b, 4, packed, 2);
    mp_pb_packed(&b, 9, packed, 0); /* empty: left out */
    mp_pb_bytes(&b, 5, "", 0);
    CU_ASSERT_FALSE(mp_pb_buf_failed(&b));
    CU_ASSERT_EQUAL_FATAL(b.n, sizeof want);
    CU_ASSERT_EQUAL(memcmp(b.p, want, sizeof want), 0);
    mp_pb_buf_free(&b);
}

static void nested_message_gets_its_length_in_front(void)
{
    mp_pb_buf_t b = { 0 };
    size_t outer, inner;
    char big[200];

    memset(big, 'x', sizeof big);
    outer = mp_pb_begin(&b, 2);
    inner = mp_pb_begin(&b, 1);
    mp_pb_uint(&b, 1, 5);
    mp_pb_end(&b, inner);
    mp_pb_bytes(&b, 3, big, sizeof big); /* 3 + 200 bytes: a two-byte length outside */
    mp_pb_end(&b, outer);
    CU_ASSERT_EQUAL_FATAL(b.n, 3 + 4 + 3 + 200);
    /* 2: len 207 = 0xcf 0x01; inside: 1: len 2 {1: 5}; 3: len 200 = 0xc8 0x01 */
    CU_ASSERT_EQUAL(b.p[0], 0x12);
    CU_ASSERT_EQUAL(b.p[1], 0xcf);
    CU_ASSERT_EQUAL(b.p[2], 0x01);
    CU_ASSERT_EQUAL(b.p[3], 0x0a);
    CU_ASSERT_EQUAL(b.p[4], 0x02);
    CU_ASSERT_EQUAL(b.p[5], 0x08);
    CU_ASSERT_EQUAL(b.p[6], 0x05);
    CU_ASSERT_EQUAL(b.p[7], 0x1a);
    CU_ASSERT_EQUAL(b.p[8], 0xc8);
    CU_ASSERT_EQUAL(b.p[9], 0x01);
    CU_ASSERT_EQUAL(b.p[10], 'x');
    CU_ASSERT_EQUAL(b.p[b.n - 1], 'x');
    mp_pb_buf_free(&b);
}

/* ---- A whole profile --------------------------------------------------- */

/* Two functions inlined into main at one address, a function of another
 * mapping, a frame in no mapping; two samples and one with no location. */
static mp_pprof_t *fixed_profile(uint64_t loc[4])
{
    mp_pprof_t *p = mp_pprof_new();
    mp_pprof_mapping_t prog = { 0x400000, 0x452000, 0, "/usr/bin/prog", "0a1b2c", 1, 1, 1, 1 };
    mp_pprof_mapping_t libc = { 0x7f0000001000, 0x7f0000200000, 0, "/lib/libc.so.6", NULL,
                                1, 0, 0, 0 };
    uint64_t m1, m2, fmain, fparse, fx, fstart, again;
    mp_pprof_line_t l[2];

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(mp_pprof_add_sample_type(p, "alloc_space", "bytes"), 0);
    CU_ASSERT_EQUAL(mp_pprof_add_sample_type(p, "inuse_space", "bytes"), 0);
    CU_ASSERT_EQUAL(mp_pprof_set_default_sample_type(p, "inuse_space"), 0);
    CU_ASSERT_EQUAL(mp_pprof_set_period(p, "space", "bytes", 524288), 0);
    CU_ASSERT_EQUAL(mp_pprof_add_comment(p, "first"), 0);
    CU_ASSERT_EQUAL(mp_pprof_add_comment(p, "second"), 0);
    mp_pprof_set_time(p, 1700000000000000000, 2500000);
    CU_ASSERT_EQUAL(mp_pprof_add_mapping(p, &prog, &m1), 0);
    CU_ASSERT_EQUAL(mp_pprof_add_mapping(p, &libc, &m2), 0);
    CU_ASSERT_EQUAL(m1, 1);
    CU_ASSERT_EQUAL(m2, 2);

    CU_ASSERT_EQUAL(mp_pprof_function(p, "main", "main", "main.c", &fmain), 0);
    CU_ASSERT_EQUAL(mp_pprof_function(p, "parse", "_Z5parsev", "parse.h", &fparse), 0);
    CU_ASSERT_EQUAL(mp_pprof_function(p, "main", "main", "main.c", &again), 0);
    CU_ASSERT_EQUAL(again, fmain);
    CU_ASSERT_EQUAL(mp_pprof_function(p, "main", "main", "other.c", &fx), 0);
    CU_ASSERT_NOT_EQUAL(fx, fmain); /* same name, another file: another function */
    CU_ASSERT_EQUAL(mp_pprof_function(p, "__libc_start_main", "__libc_start_main", NULL,
                                      &fstart), 0);

    l[0] = (mp_pprof_line_t){ fparse, 12 }; /* parse inlined into main at line 30 */
    l[1] = (mp_pprof_line_t){ fmain, 30 };
    CU_ASSERT_EQUAL(mp_pprof_location(p, m1, 0x401234, 2, l, &loc[0]), 0);
    CU_ASSERT_EQUAL(mp_pprof_location(p, m1, 0x401234, 1, l, &again), 0);
    CU_ASSERT_EQUAL(again, loc[0]); /* one address in one mapping: one location */
    l[0] = (mp_pprof_line_t){ fstart, 0 };
    CU_ASSERT_EQUAL(mp_pprof_location(p, m2, 0x7f0000012345, 1, l, &loc[1]), 0);
    CU_ASSERT_EQUAL(mp_pprof_location(p, 0, 0x401234, 1, l, &loc[2]), 0);
    CU_ASSERT_NOT_EQUAL(loc[2], loc[0]); /* the same address outside the mapping */
    l[0] = (mp_pprof_line_t){ fx, 7 };
    CU_ASSERT_EQUAL(mp_pprof_location(p, m1, 0x402000, 1, l, &loc[3]), 0);

    {
        uint64_t s1[] = { loc[0], loc[1] }, s2[] = { loc[3], loc[2], loc[1] };
        int64_t v1[] = { 4096, 1024 }, v2[] = { 1 << 20, 0 }, v3[] = { 5, -1 };

        CU_ASSERT_EQUAL(mp_pprof_add_sample(p, 2, s1, v1), 0);
        CU_ASSERT_EQUAL(mp_pprof_add_sample(p, 3, s2, v2), 0);
        CU_ASSERT_EQUAL(mp_pprof_add_sample(p, 0, NULL, v3), 0);
    }
    return p;
}

static void profile_decodes_back_field_by_field(void)
{
    uint64_t loc[4];
    mp_pprof_t *p = fixed_profile(loc);
    mp_pb_buf_t b = { 0 };
    dprofile_t d;

    CU_ASSERT_EQUAL_FATAL(mp_pprof_encode(p, &b), 0);
    decode(b.p, b.n, &d);
    CU_ASSERT_FALSE_FATAL(d.bad);

    /* The string table starts with "" and holds each string once. */
    CU_ASSERT_FATAL(d.nstr > 0);
    CU_ASSERT_STRING_EQUAL(d.str[0], "");
    for (size_t i = 0; i < d.nstr; i++)
        for (size_t k = i + 1; k < d.nstr; k++)
            CU_ASSERT_STRING_NOT_EQUAL(d.str[i], d.str[k]);

    CU_ASSERT_EQUAL_FATAL(d.ntypes, 2);
    CU_ASSERT_STRING_EQUAL(S(&d, d.types[0][0]), "alloc_space");
    CU_ASSERT_STRING_EQUAL(S(&d, d.types[0][1]), "bytes");
    CU_ASSERT_STRING_EQUAL(S(&d, d.types[1][0]), "inuse_space");
    CU_ASSERT_STRING_EQUAL(S(&d, d.scalars[14]), "inuse_space"); /* default_sample_type */
    CU_ASSERT_STRING_EQUAL(S(&d, d.period_type[0]), "space");
    CU_ASSERT_STRING_EQUAL(S(&d, d.period_type[1]), "bytes");
    CU_ASSERT_EQUAL(d.scalars[12], 524288);                 /* period */
    CU_ASSERT_EQUAL(d.scalars[9], 1700000000000000000u);    /* time_nanos */
    CU_ASSERT_EQUAL(d.scalars[10], 2500000);                /* duration_nanos */
    CU_ASSERT_EQUAL_FATAL(d.ncomments, 2);
    CU_ASSERT_STRING_EQUAL(S(&d, d.comments[0]), "first");
    CU_ASSERT_STRING_EQUAL(S(&d, d.comments[1]), "second");

    CU_ASSERT_EQUAL_FATAL(d.nsamples, 3);
    CU_ASSERT_EQUAL_FATAL(d.samples[0].nloc, 2);
    CU_ASSERT_EQUAL(d.samples[0].loc[0], loc[0]);
    CU_ASSERT_EQUAL(d.samples[0].loc[1], loc[1]);
    CU_ASSERT_EQUAL_FATAL(d.samples[0].nval, 2);
    CU_ASSERT_EQUAL(d.samples[0].val[0], 4096);
    CU_ASSERT_EQUAL(d.samples[0].val[1], 1024);
    CU_ASSERT_EQUAL_FATAL(d.samples[1].nloc, 3);
    CU_ASSERT_EQUAL(d.samples[1].loc[0], loc[3]);
    CU_ASSERT_EQUAL(d.samples[1].loc[2], loc[1]);
    CU_ASSERT_EQUAL_FATAL(d.samples[1].nval, 2); /* a zero value is still there */
    CU_ASSERT_EQUAL(d.samples[1].val[0], 1 << 20);
    CU_ASSERT_EQUAL(d.samples[1].val[1], 0);
    CU_ASSERT_EQUAL(d.samples[2].nloc, 0);
    CU_ASSERT_EQUAL_FATAL(d.samples[2].nval, 2);
    CU_ASSERT_EQUAL((int64_t)d.samples[2].val[1], -1);

    CU_ASSERT_EQUAL_FATAL(d.nmaps, 2);
    CU_ASSERT_EQUAL(d.maps[0].f[1], 1);
    CU_ASSERT_EQUAL(d.maps[0].f[2], 0x400000);
    CU_ASSERT_EQUAL(d.maps[0].f[3], 0x452000);
    CU_ASSERT_EQUAL(d.maps[0].f[4], 0);
    CU_ASSERT_STRING_EQUAL(S(&d, d.maps[0].f[5]), "/usr/bin/prog");
    CU_ASSERT_STRING_EQUAL(S(&d, d.maps[0].f[6]), "0a1b2c");
    for (int k = 7; k <= 10; k++)
        CU_ASSERT_EQUAL(d.maps[0].f[k], 1);
    CU_ASSERT_EQUAL(d.maps[1].f[1], 2);
    CU_ASSERT_STRING_EQUAL(S(&d, d.maps[1].f[5]), "/lib/libc.so.6");
    CU_ASSERT_STRING_EQUAL(S(&d, d.maps[1].f[6]), "");
    CU_ASSERT_EQUAL(d.maps[1].f[7], 1);
    CU_ASSERT_EQUAL(d.maps[1].f[8], 0);

    CU_ASSERT_EQUAL_FATAL(d.nlocs, 4);
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(d.locs[i].id, i + 1);
    CU_ASSERT_EQUAL(d.locs[0].mapping, 1);
    CU_ASSERT_EQUAL(d.locs[0].address, 0x401234);
    CU_ASSERT_EQUAL_FATAL(d.locs[0].nlines, 2); /* the first add's lines */
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[d.locs[0].lines[0].fn - 1].f[2]), "parse");
    CU_ASSERT_EQUAL(d.locs[0].lines[0].line, 12);
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[d.locs[0].lines[1].fn - 1].f[2]), "main");
    CU_ASSERT_EQUAL(d.locs[0].lines[1].line, 30);
    CU_ASSERT_EQUAL(d.locs[1].mapping, 2);
    CU_ASSERT_EQUAL(d.locs[1].address, 0x7f0000012345);
    CU_ASSERT_EQUAL(d.locs[1].lines[0].line, 0);
    CU_ASSERT_EQUAL(d.locs[2].mapping, 0);

    CU_ASSERT_EQUAL_FATAL(d.nfns, 4);
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(d.fns[i].f[1], i + 1);
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[1].f[2]), "parse");
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[1].f[3]), "_Z5parsev");
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[1].f[4]), "parse.h");
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[2].f[4]), "other.c");
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[3].f[2]), "__libc_start_main");
    CU_ASSERT_STRING_EQUAL(S(&d, d.fns[3].f[4]), "");

    dprofile_free(&d);
    mp_pb_buf_free(&b);
    mp_pprof_free(p);
}

static void gzip_inflates_to_the_encoding(void)
{
    uint64_t loc[4];
    mp_pprof_t *p = fixed_profile(loc);
    mp_pb_buf_t b = { 0 };
    char *gz = NULL;
    size_t gzlen = 0;
    FILE *f = open_memstream(&gz, &gzlen);
    uint8_t out[8192];
    z_stream z;

    CU_ASSERT_EQUAL_FATAL(mp_pprof_encode(p, &b), 0);
    CU_ASSERT_EQUAL_FATAL(mp_pprof_write_gz(p, f), 0);
    fclose(f);
    CU_ASSERT_FATAL(gzlen > 18);
    CU_ASSERT_EQUAL((uint8_t)gz[0], 0x1f); /* gzip magic */
    CU_ASSERT_EQUAL((uint8_t)gz[1], 0x8b);
    memset(&z, 0, sizeof z);
    CU_ASSERT_EQUAL_FATAL(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (uint8_t *)gz;
    z.avail_in = (uInt)gzlen;
    z.next_out = out;
    z.avail_out = sizeof out;
    CU_ASSERT_EQUAL(inflate(&z, Z_FINISH), Z_STREAM_END);
    CU_ASSERT_EQUAL(z.total_out, b.n);
    CU_ASSERT_EQUAL(z.avail_in, 0);
    CU_ASSERT_EQUAL(memcmp(out, b.p, b.n), 0);
    inflateEnd(&z);
    free(gz);
    mp_pb_buf_free(&b);
    mp_pprof_free(p);
}

static void conventions_are_enforced(void)
{
    mp_pprof_t *p = mp_pprof_new();
    mp_pprof_line_t l = { 1, 0 };
    uint64_t id, bad = 7;
    int64_t v[1] = { 1 };

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(mp_pprof_add_sample_type(p, "inuse_space", "bytes"), 0);
    CU_ASSERT_EQUAL(mp_pprof_location(p, 0, 0x10, 1, &l, &id), -1);   /* no function 1 */
    CU_ASSERT_EQUAL(mp_pprof_location(p, 3, 0x10, 0, NULL, &id), -1); /* no mapping 3 */
    CU_ASSERT_EQUAL(mp_pprof_add_sample(p, 1, &bad, v), -1);          /* no location 7 */
    CU_ASSERT_EQUAL(mp_pprof_add_sample(p, 0, NULL, v), 0);
    /* Types are fixed once a sample has as many values as they were. */
    CU_ASSERT_EQUAL(mp_pprof_add_sample_type(p, "alloc_space", "bytes"), -1);
    mp_pprof_free(p);
    mp_pprof_free(NULL);
}

void mp_test_register(void)
{
    MP_SUITE("pprof", MP_TEST(varints_are_base_128),
             MP_TEST(nested_message_gets_its_length_in_front),
             MP_TEST(profile_decodes_back_field_by_field), MP_TEST(gzip_inflates_to_the_encoding),
             MP_TEST(conventions_are_enforced));
}
