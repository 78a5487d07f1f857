/*
 * churn.c — example_churn, the program the README's first command profiles
 * (scripts/example.sh runs `memprof run` on it, then `memprof report`).
 *
 * It does what many long-running services do, in three phases:
 *
 *   1. peak:    builds a chained hash table of 200,000 string keys; the
 *               bucket array doubles as it fills (each doubling allocates a
 *               new array and frees the old one);
 *   2. delete:  removes 90% of the entries, but keeps the table, so its
 *               bucket array stays at its peak size: the "map that never
 *               shrinks" that the design seeds describe for Go;
 *   3. churn:   formats and throws away 200,000 short-lived strings of
 *               varied sizes, some grown with realloc, as request handling
 *               or logging would.
 *
 * Like the service it stands for, it keeps the table until it exits (pass
 * --cleanup to destroy it and check that every byte came back): memprof's
 * report then shows the emptied bucket array as bucket retention.
 *
 * It prints with write(2) (snprintf into a stack buffer), not stdio, so
 * that the C library's stdout buffer does not show among its allocations.
 *
 * It counts the bytes it asks for itself, so its own summary can be put
 * next to what memprof reports. Everything is deterministic (a fixed-seed
 * generator) and takes a few tens of milliseconds. It checks its own work
 * (every surviving key is found, every deleted one is not) and exits 1 if
 * anything is wrong, so it doubles as a smoke test of the allocator.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* printf without stdio's buffer: format on the stack, write(2) it. */
static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0 && write(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1) < 0)
        return;
}

#define ENTRIES    200000 /* keys inserted in phase 1 */
#define KEEP_EVERY 10     /* phase 2 keeps one key in ten */
#define CHURN      200000 /* short-lived strings in phase 3 */
#define MAX_LOAD   0.75   /* bucket array doubles above this load factor */

typedef struct entry {
    struct entry *next; /* next in the bucket's chain */
    uint64_t hash;      /* hash of key, kept to rehash without rereading */
    char *key;          /* NUL-terminated, separately allocated */
    uint64_t value[4];  /* payload, 32 bytes as a small record would be */
} entry_t;

typedef struct table {
    entry_t **buckets; /* nbuckets chain heads */
    size_t nbuckets;   /* a power of two */
    size_t count;      /* entries in the table */
} table_t;

/* Bytes this program has asked for and not freed, and the most ever. */
static size_t live_bytes, peak_bytes;

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (!p) {
        say(2, "example_churn: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    live_bytes += n;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
    return p;
}

static void xfree(void *p, size_t n)
{
    free(p);
    live_bytes -= n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) /* xorshift64*: deterministic, fast */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static uint64_t hash_str(const char *s) /* FNV-1a */
{
    uint64_t h = 0xcbf29ce484222325u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
    return h;
}

static void make_key(char *buf, size_t size, unsigned i)
{
    snprintf(buf, size, "session:%08x:user-%u", i * 2654435761u, i);
}

static void table_grow(table_t *t)
{
    size_t n = t->nbuckets ? t->nbuckets * 2 : 16;
    entry_t **b = xmalloc(n * sizeof *b);

    memset(b, 0, n * sizeof *b);
    for (size_t i = 0; i < t->nbuckets; i++) {
        entry_t *e = t->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    if (t->buckets)
        xfree(t->buckets, t->nbuckets * sizeof *t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

static void table_put(table_t *t, const char *key, uint64_t value)
{
    size_t klen = strlen(key) + 1;
    entry_t *e;

    if (t->count + 1 > (size_t)(t->nbuckets * MAX_LOAD))
        table_grow(t);
    e = xmalloc(sizeof *e);
    e->key = xmalloc(klen);
    memcpy(e->key, key, klen);
    e->hash = hash_str(key);
    for (int i = 0; i < 4; i++)
        e->value[i] = value + (uint64_t)i;
    e->next = t->buckets[e->hash & (t->nbuckets - 1)];
    t->buckets[e->hash & (t->nbuckets - 1)] = e;
    t->count++;
}

static entry_t **table_find(table_t *t, const char *key)
{
    uint64_t h = hash_str(key);
    entry_t **p = &t->buckets[h & (t->nbuckets - 1)];

    for (; *p; p = &(*p)->next)
        if ((*p)->hash == h && strcmp((*p)->key, key) == 0)
            return p;
    return NULL;
}

/* Deletes key; like most hash tables, never shrinks the bucket array. */
static int table_delete(table_t *t, const char *key)
{
    entry_t **p = table_find(t, key), *e;

    if (!p)
        return 0;
    e = *p;
    *p = e->next;
    xfree(e->key, strlen(e->key) + 1);
    xfree(e, sizeof *e);
    t->count--;
    return 1;
}

static void table_destroy(table_t *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        entry_t *e = t->buckets[i], *next;

        for (; e; e = next) {
            next = e->next;
            xfree(e->key, strlen(e->key) + 1);
            xfree(e, sizeof *e);
        }
    }
    xfree(t->buckets, t->nbuckets * sizeof *t->buckets);
}

/* Phase 3's unit of work: a "log line" assembled in a buffer that starts
 * small and doubles with realloc, hashed (used) and thrown away. */
static uint64_t churn_one(unsigned i, size_t *allocated)
{
    size_t cap = 16 + (size_t)(rng() % 48), len = 0, fields = 1 + rng() % 8;
    char *s = xmalloc(cap);
    uint64_t h;

    *allocated += cap;
    for (size_t f = 0; f < fields; f++) {
        char field[48];
        int n = snprintf(field, sizeof field, "%sfield%zu=%" PRIu64, f ? " " : "", f,
                         rng() % 100000);

        while (len + (size_t)n + 1 > cap) {
            char *bigger = realloc(s, cap * 2);

            if (!bigger) {
                say(2, "example_churn: out of memory\n");
                exit(1);
            }
            s = bigger;
            live_bytes += cap; /* realloc to 2*cap: cap more bytes */
            if (live_bytes > peak_bytes)
                peak_bytes = live_bytes;
            *allocated += cap;
            cap *= 2;
        }
        memcpy(s + len, field, (size_t)n + 1);
        len += (size_t)n;
    }
    h = hash_str(s) ^ i;
    xfree(s, cap);
    return h;
}

static double mib(size_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

int main(int argc, char **argv)
{
    int cleanup = argc > 1 && strcmp(argv[1], "--cleanup") == 0;
    table_t t = { NULL, 0, 0 };
    char key[64];
    size_t deleted = 0, churned_bytes = 0, peak_after_insert;
    uint64_t checksum = 0;
    int errors = 0;

    for (unsigned i = 0; i < ENTRIES; i++) {
        make_key(key, sizeof key, i);
        table_put(&t, key, i);
    }
    peak_after_insert = peak_bytes;
    say(1, "example_churn: inserted %u entries; peak %.1f MiB (keys, entries, %zu buckets)\n",
           ENTRIES, mib(peak_after_insert), t.nbuckets);

    for (unsigned i = 0; i < ENTRIES; i++) {
        if (i % KEEP_EVERY == 0)
            continue;
        make_key(key, sizeof key, i);
        deleted += (size_t)table_delete(&t, key);
    }
    say(1, "example_churn: deleted %zu entries; %zu remain, live %.1f MiB, of which the "
           "bucket array (never shrunk) is %.1f MiB\n",
           deleted, t.count, mib(live_bytes), mib(t.nbuckets * sizeof *t.buckets));

    for (unsigned i = 0; i < CHURN; i++)
        checksum ^= churn_one(i, &churned_bytes);
    say(1, "example_churn: churned %u short-lived strings (%.1f MiB allocated and freed)\n",
           CHURN, mib(churned_bytes));

    for (unsigned i = 0; i < ENTRIES; i++) {
        entry_t **p;

        make_key(key, sizeof key, i);
        p = table_find(&t, key);
        if ((p != NULL) != (i % KEEP_EVERY == 0))
            errors++;
        else if (p)
            checksum ^= (*p)->value[3];
    }
    say(1, "example_churn: live %.1f MiB at the end, peak %.1f MiB; checksum %016" PRIx64 "\n",
        mib(live_bytes), mib(peak_bytes), checksum);

    if (cleanup)
        table_destroy(&t);
    if (errors || (cleanup && live_bytes != 0)) {
        say(2, "example_churn: self-check failed: %d lookups wrong, %zu bytes unaccounted\n",
            errors, live_bytes);
        return 1;
    }
    if (!cleanup)
        say(1, "example_churn: exiting with the table still allocated, as a service would "
               "(--cleanup frees it)\n");
    return 0;
}
