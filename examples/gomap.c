/*
 * gomap.c — example_gomap: Go's map, replicated in C, to show the retention
 * that design seed 003 ("Maps and memory leaks") describes: a Go map grown
 * to a million entries keeps its buckets after every entry is deleted.
 *
 *   example_gomap [--values=inline|pointers] [--n=N]
 *
 * The layout and the algorithms follow Go's runtime/map.go (the map of Go
 * 1.21-1.23, before Swiss tables), names kept where they help:
 *
 *   hmap   count, B (log2 of the buckets), noverflow, hash0, buckets,
 *          oldbuckets, nevacuate, nextOverflow (hmap.extra.nextOverflow);
 *   bmap   tophash[8], keys[8] (int64), values[8], overflow pointer, laid
 *          out back to back as Go does (keys together, then values, so no
 *          padding between a key and its value);
 *   values --values=inline:   [128]byte in the bucket (map[int][128]byte)
 *          --values=pointers: *[128]byte, each value malloc'd on its own
 *                             (map[int]*[128]byte);
 *   growth when count > 6.5 * 2^B (loadFactorNum/loadFactorDen = 13/2), or
 *          "too many overflow buckets" (a same-size grow that only packs
 *          the entries); the new array is twice the old and entries move
 *          over incrementally: every assign and delete during a grow
 *          evacuates the old bucket it is about to use and one more
 *          (growWork), and the old array is freed when the last old bucket
 *          has been evacuated (in Go the collector frees it later);
 *   makeBucketArray allocates 2^B buckets and, for B >= 4, 2^(B-4) spare
 *          overflow buckets behind them, in one zeroed block (calloc); more
 *          overflow buckets, once those are used up, are allocated one by
 *          one (newoverflow);
 *   delete zeroes the key and the value, marks the slot emptyOne (emptyRest
 *          when nothing follows) and, like Go, never shrinks the map.
 *
 * Phases: make an empty map, insert keys 0..n-1, delete them all, then do a
 * little work on the (empty) map and exit without freeing it: the bucket
 * array is still live at exit, which is the point. After each phase the
 * program prints the heap it uses (bytes it asked malloc for and has not
 * freed, also as malloc_usable_size, the way Go's MemStats.Alloc counts
 * size-class bytes) and its RSS, in MiB like the seed's table.
 *
 * What to expect with n = 1,000,000 (the seed's table, its "MB" are MiB):
 *
 *   bucket size: inline   8 + 8*8 + 8*128 + 8 = 1104 bytes
 *                pointers 8 + 8*8 + 8*8   + 8 =  144 bytes
 *   final B = 18: 1e6 > 6.5 * 2^17 = 851,968, 1e6 <= 6.5 * 2^18;
 *   the B = 18 array: (2^18 + 2^14) buckets = 278,528 buckets
 *                inline   278,528 * 1104 = 307,494,912 B = 293.25 MiB
 *                pointers 278,528 *  144 =  40,108,032 B =  38.25 MiB
 *     (a page multiple in both cases, so Go's roundupsize adds no bucket)
 *   -> after deleting everything: 293.3 MiB and 38.3 MiB (the seed: 293
 *      and 38); at 1e6 / 2^18 = 3.8 entries per bucket the overflow
 *      buckets of the new array come from its 16,384 spares, so nothing
 *      else is left.
 *   The B = 17 array: 139,264 buckets, 146.6 MiB inline, 19.1 MiB pointers;
 *     just before the grow to B = 18 it holds 851,968 entries, 6.5 per
 *     bucket, and about 27,000 overflow buckets, 8,192 of them spares:
 *     19,131 allocated on their own (measured), 20.1 MiB inline, 2.6 MiB
 *     pointers.
 *   inline peak: while the last grow evacuates, both arrays and the old
 *     array's own overflow buckets are live: 293.25 + 146.6 + 19,131 *
 *     1104 B (20.1 MiB) = 460.0 MiB (the seed: 461). Go's MemStats.Alloc
 *     still counts the old array when the inserts end, because its
 *     collector has not run yet; here it is freed when evacuation ends, so
 *     the heap in use after the inserts is 293.3 MiB and 460.0 MiB is the
 *     peak (measured: 460.0 peak, 293.3 after the deletes).
 *   Evacuation ends 90,799 inserts after the grow, not 2^17 / 2 = 65,536:
 *     each insert evacuates its own old bucket (at random) and the one at
 *     nevacuate, but the mark only passes a randomly evacuated bucket when
 *     it gets there.
 *   pointers: the peak is when that evacuation ends, at 942,767 values:
 *     942,767 * 128 B (115.1 MiB) + 38.25 + 19.1 + 19,131 * 144 B (2.6 MiB)
 *     = 175.1 MiB (measured: 175.1; 160.3 after the inserts, 38.3 after
 *     the deletes). The seed's 182 MiB is Go's heap at the end of the
 *     inserts with the old array not yet collected: 1e6 values (122.1) +
 *     38.25 + 19.1 + 2.6 = 182.1 MiB. Ours is 7.0 MiB lower: the 57,233
 *     values inserted after the old array was freed (57,233 * 128 B).
 *
 * The tophash, the evacuation marks and the seeding of the hash follow Go;
 * the hash itself is a 64-bit mix (splitmix64's finalizer) of the key and a
 * per-map seed, where Go uses AES or wyhash: only its quality matters.
 * Everything is deterministic (a fixed first seed). The program checks its
 * work (every key found after the inserts, none after the deletes, count
 * back to 0) and exits 1 if anything is wrong. It uses no stdio: numbers
 * are formatted with snprintf into a buffer and written with write(2).
 *
 * Allocation sites are separate functions, not inlined, so that memprof's
 * stacks name them: make_bucket_array (the bucket arrays), new_overflow
 * (overflow buckets beyond the spares), new_value (the values of the
 * pointers variant) and make_map (the hmap).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

enum {
    BUCKET_CNT = 8,     /* slots per bucket (bucketCnt) */
    LOAD_NUM = 13,      /* load factor 6.5 = 13 / 2 */
    LOAD_DEN = 2,
    VALUE_SIZE = 128,   /* the [128]byte value */
    /* tophash values below MIN_TOPHASH are marks, as in Go */
    EMPTY_REST = 0,     /* this slot and every later one (and overflow) empty */
    EMPTY_ONE = 1,      /* this slot is empty */
    EVACUATED_X = 2,    /* entry moved to the first half of the new array */
    EVACUATED_Y = 3,    /* entry moved to the second half */
    EVACUATED_EMPTY = 4, /* slot empty, bucket evacuated */
    MIN_TOPHASH = 5,    /* smallest tophash of a real entry */
};

/* The map's type: how big a value slot is. A bucket is bytes:
 * tophash[8] at 0, keys[8] at 8, values[8] at 72, overflow at size - 8. */
typedef struct maptype {
    size_t valsize;    /* bytes per value slot: 128 inline, 8 pointer */
    size_t bucketsize; /* 8 + 8*8 + 8*valsize + 8 */
    bool indirect;     /* the slot holds a pointer to a malloc'd value */
} maptype_t;

typedef unsigned char bmap_t; /* a bucket, accessed through the helpers */

typedef struct hmap {
    size_t count;          /* live entries */
    uint8_t B;             /* log2 of the number of buckets */
    bool same_size_grow;   /* the current grow keeps B (sameSizeGrow) */
    uint16_t noverflow;    /* approximate count of overflow buckets */
    uint64_t hash0;        /* hash seed */
    bmap_t *buckets;       /* 2^B buckets (+ spares), NULL until first assign */
    size_t buckets_bytes;  /* size of the buckets block */
    bmap_t *oldbuckets;    /* the previous array while growing, else NULL */
    size_t oldbuckets_bytes;
    size_t nevacuate;      /* old buckets below this are evacuated */
    bmap_t *next_overflow; /* next unused spare overflow bucket, or NULL */
} hmap_t;

/* ---- what the program has allocated, counted by itself ---- */

static size_t in_use, in_use_peak; /* requested bytes live, and the most */
static size_t usable, usable_peak; /* the same in malloc_usable_size */
static size_t overflow_allocs;     /* overflow buckets allocated one by one */

static void account_alloc(void *p, size_t n)
{
    in_use += n;
    usable += malloc_usable_size(p);
    if (in_use > in_use_peak)
        in_use_peak = in_use;
    if (usable > usable_peak)
        usable_peak = usable;
}

static void account_free(void *p, size_t n)
{
    in_use -= n;
    usable -= malloc_usable_size(p);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof buf)
        len = sizeof buf - 1;
    for (ssize_t off = 0, w; off < len; off += w) {
        w = write(1, buf + off, (size_t)(len - off));
        if (w <= 0)
            return;
    }
}

static void die(const char *what)
{
    say("example_gomap: %s\n", what);
    exit(1);
}

static uint64_t fastrand_state = 0x853c49e6748fea9bu;

static uint64_t fastrand(void) /* xorshift64*: deterministic */
{
    fastrand_state ^= fastrand_state >> 12;
    fastrand_state ^= fastrand_state << 25;
    fastrand_state ^= fastrand_state >> 27;
    return fastrand_state * 0x2545f4914f6cdd1du;
}

/* ---- bucket access ---- */

static uint8_t *tophash(bmap_t *b) { return b; }
static int64_t *key_at(bmap_t *b, size_t i) { return (int64_t *)(void *)(b + 8 + 8 * i); }
static void *val_at(const maptype_t *t, bmap_t *b, size_t i) { return b + 8 + 8 * BUCKET_CNT + t->valsize * i; }
static bmap_t **overflow_of(const maptype_t *t, bmap_t *b) { return (bmap_t **)(void *)(b + t->bucketsize - 8); }
static bmap_t *bucket_at(const maptype_t *t, bmap_t *a, size_t i) { return a + i * t->bucketsize; }

static bool is_empty(uint8_t x) { return x <= EMPTY_ONE; }

static bool evacuated(bmap_t *b)
{
    uint8_t h = tophash(b)[0];
    return h > EMPTY_ONE && h < MIN_TOPHASH;
}

static uint64_t hash_key(const hmap_t *h, int64_t key) /* splitmix64 finalizer */
{
    uint64_t z = (uint64_t)key ^ h->hash0;
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint8_t top_of(uint64_t hash)
{
    uint8_t top = (uint8_t)(hash >> 56);
    return top < MIN_TOPHASH ? top + MIN_TOPHASH : top;
}

static size_t bucket_mask(uint8_t B) { return ((size_t)1 << B) - 1; }

/* count > 8 && count > 6.5 * 2^B (overLoadFactor) */
static bool over_load_factor(size_t count, uint8_t B)
{
    return count > BUCKET_CNT && count > LOAD_NUM * (((size_t)1 << B) / LOAD_DEN);
}

/* As many overflow buckets as buckets (2^B, B capped at 15): the map is
 * sparse after deletions and a same-size grow packs it (tooManyOverflowBuckets). */
static bool too_many_overflow_buckets(uint16_t noverflow, uint8_t B)
{
    if (B > 15)
        B = 15;
    return noverflow >= (uint16_t)(1u << B);
}

/* Exact below B = 16; above, counted with probability 2^-(B-15), as Go
 * does to keep noverflow in 16 bits (incrnoverflow). */
static void incr_noverflow(hmap_t *h)
{
    if (h->B < 16) {
        h->noverflow++;
        return;
    }
    uint64_t mask = ((uint64_t)1 << (h->B - 15)) - 1;
    if ((fastrand() & mask) == 0)
        h->noverflow++;
}

/* ---- allocation sites ---- */

/* makeBucketArray: 2^B buckets, plus 2^(B-4) spare overflow buckets when
 * B >= 4, in one zeroed block. The last spare's overflow pointer is set
 * to the array itself, a non-NULL sentinel meaning "last spare". */
static NOINLINE bmap_t *make_bucket_array(const maptype_t *t, uint8_t B,
                                          bmap_t **next_overflow, size_t *bytes)
{
    size_t base = (size_t)1 << B, nbuckets = base;

    if (B >= 4)
        nbuckets += (size_t)1 << (B - 4);
    bmap_t *buckets = calloc(nbuckets, t->bucketsize);
    if (!buckets)
        die("out of memory (bucket array)");
    *bytes = nbuckets * t->bucketsize;
    account_alloc(buckets, *bytes);
    *next_overflow = NULL;
    if (base != nbuckets) {
        *next_overflow = bucket_at(t, buckets, base);
        *overflow_of(t, bucket_at(t, buckets, nbuckets - 1)) = buckets;
    }
    return buckets;
}

/* newoverflow: a spare if there is one left, else a bucket of its own. */
static NOINLINE bmap_t *new_overflow(hmap_t *h, const maptype_t *t, bmap_t *b)
{
    bmap_t *ovf;

    if (h->next_overflow) {
        ovf = h->next_overflow;
        if (*overflow_of(t, ovf) == NULL) {
            h->next_overflow = ovf + t->bucketsize;
        } else { /* the last spare: clear the sentinel */
            *overflow_of(t, ovf) = NULL;
            h->next_overflow = NULL;
        }
    } else {
        ovf = calloc(1, t->bucketsize);
        if (!ovf)
            die("out of memory (overflow bucket)");
        account_alloc(ovf, t->bucketsize);
        overflow_allocs++;
    }
    incr_noverflow(h);
    *overflow_of(t, b) = ovf;
    return ovf;
}

/* The pointers variant's value: new([128]byte). */
static NOINLINE void *new_value(void)
{
    void *v = calloc(1, VALUE_SIZE);
    if (!v)
        die("out of memory (value)");
    account_alloc(v, VALUE_SIZE);
    return v;
}

static NOINLINE hmap_t *make_map(void)
{
    hmap_t *h = calloc(1, sizeof *h);
    if (!h)
        die("out of memory (hmap)");
    account_alloc(h, sizeof *h);
    h->hash0 = fastrand();
    return h;
}

/* ---- growing ---- */

static size_t noldbuckets(const hmap_t *h)
{
    return (size_t)1 << (h->same_size_grow ? h->B : h->B - 1);
}

/* The old array and the overflow buckets allocated for it on their own
 * (the spares are inside the array). Old buckets are not cleared by
 * evacuation here, so their chains are intact. */
static void free_old_buckets(hmap_t *h, const maptype_t *t)
{
    bmap_t *lo = h->oldbuckets, *hi = h->oldbuckets + h->oldbuckets_bytes;
    size_t n = noldbuckets(h);

    for (size_t i = 0; i < n; i++) {
        bmap_t *ovf = *overflow_of(t, bucket_at(t, lo, i));
        while (ovf) {
            bmap_t *next = *overflow_of(t, ovf);
            if (ovf < lo || ovf >= hi) {
                account_free(ovf, t->bucketsize);
                free(ovf);
                overflow_allocs--;
            }
            ovf = next;
        }
    }
    account_free(h->oldbuckets, h->oldbuckets_bytes);
    free(h->oldbuckets);
    h->oldbuckets = NULL;
    h->oldbuckets_bytes = 0;
}

static void hash_grow(hmap_t *h, const maptype_t *t)
{
    uint8_t bigger = 1;

    if (!over_load_factor(h->count + 1, h->B)) { /* too many overflows */
        bigger = 0;
        h->same_size_grow = true;
    }
    h->oldbuckets = h->buckets;
    h->oldbuckets_bytes = h->buckets_bytes;
    h->buckets = make_bucket_array(t, h->B + bigger, &h->next_overflow, &h->buckets_bytes);
    h->B += bigger;
    h->nevacuate = 0;
    h->noverflow = 0;
}

static void advance_evacuation_mark(hmap_t *h, const maptype_t *t, size_t newbit)
{
    h->nevacuate++;
    size_t stop = h->nevacuate + 1024; /* bounded, as in Go */
    if (stop > newbit)
        stop = newbit;
    while (h->nevacuate != stop && evacuated(bucket_at(t, h->oldbuckets, h->nevacuate)))
        h->nevacuate++;
    if (h->nevacuate == newbit) { /* the grow is done */
        free_old_buckets(h, t);
        h->same_size_grow = false;
    }
}

struct evacdst {
    bmap_t *b; /* current destination bucket */
    size_t i;  /* next slot in it */
};

/* Move old bucket `oldbucket` (and its overflow chain) to the new array:
 * to bucket oldbucket (X) or oldbucket + newbit (Y) by the hash's new bit. */
static void evacuate(hmap_t *h, const maptype_t *t, size_t oldbucket)
{
    bmap_t *b = bucket_at(t, h->oldbuckets, oldbucket);
    size_t newbit = noldbuckets(h);

    if (!evacuated(b)) {
        struct evacdst xy[2] = {{bucket_at(t, h->buckets, oldbucket), 0}, {NULL, 0}};
        if (!h->same_size_grow)
            xy[1].b = bucket_at(t, h->buckets, oldbucket + newbit);
        for (; b; b = *overflow_of(t, b)) {
            for (size_t i = 0; i < BUCKET_CNT; i++) {
                uint8_t top = tophash(b)[i];
                if (is_empty(top)) {
                    tophash(b)[i] = EVACUATED_EMPTY;
                    continue;
                }
                if (top < MIN_TOPHASH)
                    die("bad map state");
                int use_y = 0;
                if (!h->same_size_grow && (hash_key(h, *key_at(b, i)) & newbit))
                    use_y = 1;
                tophash(b)[i] = (uint8_t)(EVACUATED_X + use_y);
                struct evacdst *dst = &xy[use_y];
                if (dst->i == BUCKET_CNT) {
                    dst->b = new_overflow(h, t, dst->b);
                    dst->i = 0;
                }
                tophash(dst->b)[dst->i] = top;
                *key_at(dst->b, dst->i) = *key_at(b, i);
                memcpy(val_at(t, dst->b, dst->i), val_at(t, b, i), t->valsize);
                dst->i++;
            }
        }
    }
    if (oldbucket == h->nevacuate)
        advance_evacuation_mark(h, t, newbit);
}

/* growWork: the old bucket about to be used, and one more. */
static void grow_work(hmap_t *h, const maptype_t *t, size_t bucket)
{
    evacuate(h, t, bucket & (noldbuckets(h) - 1));
    if (h->oldbuckets)
        evacuate(h, t, h->nevacuate);
}

/* ---- the map operations ---- */

/* mapassign: the value slot of key, inserted if absent (*inserted). */
static void *map_assign(hmap_t *h, const maptype_t *t, int64_t key, bool *inserted)
{
    if (!h->buckets)
        h->buckets = make_bucket_array(t, 0, &h->next_overflow, &h->buckets_bytes);
again:;
    uint64_t hash = hash_key(h, key);
    size_t bucket = hash & bucket_mask(h->B);
    if (h->oldbuckets)
        grow_work(h, t, bucket);
    bmap_t *b = bucket_at(t, h->buckets, bucket);
    uint8_t top = top_of(hash);
    uint8_t *inserti = NULL;
    int64_t *insertk = NULL;
    void *elem = NULL;

    for (;;) {
        for (size_t i = 0; i < BUCKET_CNT; i++) {
            if (tophash(b)[i] != top) {
                if (is_empty(tophash(b)[i]) && !inserti) {
                    inserti = &tophash(b)[i];
                    insertk = key_at(b, i);
                    elem = val_at(t, b, i);
                }
                if (tophash(b)[i] == EMPTY_REST)
                    goto search_done;
                continue;
            }
            if (*key_at(b, i) != key)
                continue;
            *inserted = false; /* already there: update in place */
            return val_at(t, b, i);
        }
        bmap_t *ovf = *overflow_of(t, b);
        if (!ovf)
            break;
        b = ovf;
    }
search_done:
    /* Not found. Grow if this insert would pass the load factor or there
     * are too many overflow buckets, and start again (the table moved). */
    if (!h->oldbuckets && (over_load_factor(h->count + 1, h->B) ||
                           too_many_overflow_buckets(h->noverflow, h->B))) {
        hash_grow(h, t);
        goto again;
    }
    if (!inserti) { /* every slot of the chain is full */
        bmap_t *newb = new_overflow(h, t, b);
        inserti = &tophash(newb)[0];
        insertk = key_at(newb, 0);
        elem = val_at(t, newb, 0);
    }
    *insertk = key;
    *inserti = top;
    h->count++;
    *inserted = true;
    return elem;
}

/* mapaccess: the value slot of key, or NULL. */
static void *map_access(hmap_t *h, const maptype_t *t, int64_t key)
{
    if (!h->buckets || h->count == 0)
        return NULL;
    uint64_t hash = hash_key(h, key);
    size_t m = bucket_mask(h->B);
    bmap_t *b = bucket_at(t, h->buckets, hash & m);
    if (h->oldbuckets) {
        if (!h->same_size_grow)
            m >>= 1;
        bmap_t *old = bucket_at(t, h->oldbuckets, hash & m);
        if (!evacuated(old))
            b = old;
    }
    uint8_t top = top_of(hash);
    for (; b; b = *overflow_of(t, b)) {
        for (size_t i = 0; i < BUCKET_CNT; i++) {
            if (tophash(b)[i] != top) {
                if (tophash(b)[i] == EMPTY_REST)
                    return NULL;
                continue;
            }
            if (*key_at(b, i) == key)
                return val_at(t, b, i);
        }
    }
    return NULL;
}

/* After emptying slot i of b (in the chain starting at borig): if nothing
 * follows, mark it and the empty slots before it emptyRest, so searches
 * stop early (mapdelete's loop). */
static void mark_empty_rest(const maptype_t *t, bmap_t *borig, bmap_t *b, size_t i)
{
    if (i == BUCKET_CNT - 1) {
        bmap_t *ovf = *overflow_of(t, b);
        if (ovf && tophash(ovf)[0] != EMPTY_REST)
            return;
    } else if (tophash(b)[i + 1] != EMPTY_REST) {
        return;
    }
    for (;;) {
        tophash(b)[i] = EMPTY_REST;
        if (i == 0) {
            if (b == borig)
                break; /* the first bucket of the chain: done */
            bmap_t *c = b; /* find the previous bucket */
            for (b = borig; *overflow_of(t, b) != c; b = *overflow_of(t, b)) {
            }
            i = BUCKET_CNT - 1;
        } else {
            i--;
        }
        if (tophash(b)[i] != EMPTY_ONE)
            break;
    }
}

/* mapdelete: zero the slot (free the value in the pointers variant), never
 * shrink. */
static void map_delete(hmap_t *h, const maptype_t *t, int64_t key)
{
    if (!h->buckets || h->count == 0)
        return;
    uint64_t hash = hash_key(h, key);
    size_t bucket = hash & bucket_mask(h->B);
    if (h->oldbuckets)
        grow_work(h, t, bucket);
    bmap_t *borig = bucket_at(t, h->buckets, bucket), *b = borig;
    uint8_t top = top_of(hash);

    for (; b; b = *overflow_of(t, b)) {
        for (size_t i = 0; i < BUCKET_CNT; i++) {
            if (tophash(b)[i] != top) {
                if (tophash(b)[i] == EMPTY_REST)
                    return;
                continue;
            }
            if (*key_at(b, i) != key)
                continue;
            void *v = val_at(t, b, i);
            if (t->indirect) {
                void *p;
                memcpy(&p, v, sizeof p);
                account_free(p, VALUE_SIZE);
                free(p);
            }
            memset(v, 0, t->valsize);
            *key_at(b, i) = 0;
            tophash(b)[i] = EMPTY_ONE;
            mark_empty_rest(t, borig, b, i);
            h->count--;
            if (h->count == 0) /* as Go: a fresh seed for an empty map */
                h->hash0 = fastrand();
            return;
        }
    }
}

/* ---- the program ---- */

static size_t rss_bytes(void)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    unsigned long size, resident;
    if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
        return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

static double mib(size_t n) { return (double)n / (1024.0 * 1024.0); }

static void report(const char *step, const char *tag, const hmap_t *h)
{
    size_t rss = rss_bytes();
    say("%-28s %9.1f MiB %9.1f MiB %9.1f MiB %9.1f MiB  B=%-2u count=%zu overflow=%zu\n",
        step, mib(in_use), mib(in_use_peak), mib(usable), mib(rss),
        (unsigned)h->B, h->count, overflow_allocs);
    /* The same, exact, for scripts (tests/integration/retention/). */
    say("# %s in_use=%zu peak=%zu usable=%zu usable_peak=%zu rss=%zu buckets_bytes=%zu\n",
        tag, in_use, in_use_peak, usable, usable_peak, rss, h->buckets_bytes);
}

/* The map stays reachable to the end: exit does not free it. */
static hmap_t *volatile kept_map;

int main(int argc, char **argv)
{
    size_t n = 1000000;
    bool pointers = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--values=inline") == 0) {
            pointers = false;
        } else if (strcmp(argv[i], "--values=pointers") == 0) {
            pointers = true;
        } else if (strncmp(argv[i], "--n=", 4) == 0) {
            char *end;
            n = strtoull(argv[i] + 4, &end, 10);
            if (*end || n == 0)
                die("--n wants a positive number");
        } else {
            say("usage: example_gomap [--values=inline|pointers] [--n=N]\n");
            return 2;
        }
    }
    maptype_t t = {
        .valsize = pointers ? sizeof(void *) : VALUE_SIZE,
        .indirect = pointers,
    };
    t.bucketsize = 8 + 8 * BUCKET_CNT + BUCKET_CNT * t.valsize + sizeof(void *);

    say("example_gomap: map[int]%s[128]byte, %zu elements, %zu-byte buckets\n",
        pointers ? "*" : "", n, t.bucketsize);
    say("%-28s %13s %13s %13s %13s\n", "step", "heap in use", "peak", "usable", "RSS");

    hmap_t *h = make_map();
    kept_map = h;
    report("allocate an empty map", "empty", h);

    for (size_t i = 0; i < n; i++) {
        bool inserted;
        void *slot = map_assign(h, &t, (int64_t)i, &inserted);
        if (pointers) {
            void *v = inserted ? new_value() : NULL;
            if (v)
                memcpy(slot, &v, sizeof v);
        } else {
            memset(slot, 0, VALUE_SIZE); /* m[i] = [128]byte{} */
        }
    }
    if (h->count != n)
        die("wrong count after the inserts");
    for (size_t i = 0; i < n; i += 97)
        if (!map_access(h, &t, (int64_t)i))
            die("a key inserted is missing");
    char step[64];
    snprintf(step, sizeof step, "add %zu elements", n);
    report(step, "insert", h);

    for (size_t i = 0; i < n; i++)
        map_delete(h, &t, (int64_t)i);
    if (h->count != 0)
        die("wrong count after the deletes");
    report("remove all the elements", "delete", h);

    /* A little work on the empty map, which keeps all its buckets. */
    for (size_t i = 0; i < n; i += 13)
        if (map_access(h, &t, (int64_t)i))
            die("a key deleted is still there");
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    say("exit without freeing the map: %.1f MiB of buckets still allocated\n",
        mib(h->buckets_bytes));
    return 0;
}
