/*
 * healthy_rebuild.c — example_healthy_rebuild: the cure for the map that
 * never shrinks (seed 003: "re-create a copy of the current map").
 *
 * A chained hash table grows to 300,000 entries (its bucket array doubles
 * 16 times, 8 to 524,288 buckets, each new array replacing the old one),
 * then the load goes away: all but 1,000 entries are deleted, and instead
 * of keeping the big bucket array the program builds a new, small table
 * from the survivors and destroys the big one. It then serves lookups from the small table
 * for a while, and frees everything before it exits.
 *
 * memprof must find no retention here: the big array is freed right after
 * the peak, and what stays is small and sized to its content. No stdio:
 * output goes through snprintf and write(2), so nothing is left at exit.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

enum {
    PEAK_ENTRIES = 300000, /* entries at the peak */
    KEEP_EVERY = 300,      /* one entry in 300 survives: 1,000 */
    LOOKUPS = 2000000,     /* lookups served by the small table */
};

typedef struct entry {
    struct entry *next; /* next in the bucket's chain */
    uint64_t key;
    uint64_t value[6];  /* payload, 48 bytes */
} entry_t;

typedef struct table {
    entry_t **buckets; /* nbuckets chain heads */
    size_t nbuckets;   /* a power of two */
    size_t count;      /* entries */
} table_t;

static void say(const char *s)
{
    size_t len = strlen(s);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(1, s + off, len - off);
        if (w <= 0)
            return;
        off += (size_t)w;
    }
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        say("example_healthy_rebuild: out of memory\n");
        exit(1);
    }
    return p;
}

static uint64_t hash(uint64_t k) /* splitmix64 finalizer */
{
    k += 0x9e3779b97f4a7c15u;
    k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9u;
    k = (k ^ (k >> 27)) * 0x94d049bb133111ebu;
    return k ^ (k >> 31);
}

static NOINLINE entry_t **new_buckets(size_t n)
{
    return xcalloc(n, sizeof(entry_t *));
}

/* Double the bucket array when the load passes 1. */
static void grow(table_t *t)
{
    size_t n = t->nbuckets * 2;
    entry_t **nb = new_buckets(n);
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (entry_t *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            size_t j = hash(e->key) & (n - 1);
            e->next = nb[j];
            nb[j] = e;
        }
    }
    free(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
}

static table_t *table_new(void)
{
    table_t *t = xcalloc(1, sizeof *t);
    t->nbuckets = 8;
    t->buckets = new_buckets(t->nbuckets);
    return t;
}

static NOINLINE void table_put(table_t *t, uint64_t key)
{
    if (t->count + 1 > t->nbuckets)
        grow(t);
    entry_t *e = xcalloc(1, sizeof *e);
    size_t j = hash(key) & (t->nbuckets - 1);
    e->key = key;
    e->value[0] = key * 3;
    e->next = t->buckets[j];
    t->buckets[j] = e;
    t->count++;
}

static entry_t *table_get(const table_t *t, uint64_t key)
{
    for (entry_t *e = t->buckets[hash(key) & (t->nbuckets - 1)]; e; e = e->next)
        if (e->key == key)
            return e;
    return NULL;
}

static void table_del(table_t *t, uint64_t key)
{
    entry_t **pp = &t->buckets[hash(key) & (t->nbuckets - 1)];
    for (entry_t *e; (e = *pp); pp = &e->next) {
        if (e->key == key) {
            *pp = e->next;
            free(e);
            t->count--;
            return;
        }
    }
}

static void table_free(table_t *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        for (entry_t *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    }
    free(t->buckets);
    free(t);
}

int main(void)
{
    char line[256];
    table_t *big = table_new();

    for (uint64_t k = 0; k < PEAK_ENTRIES; k++)
        table_put(big, k);
    snprintf(line, sizeof line, "peak: %zu entries, %zu buckets\n", big->count, big->nbuckets);
    say(line);
    for (uint64_t k = 0; k < PEAK_ENTRIES; k++)
        if (k % KEEP_EVERY != 0)
            table_del(big, k);

    /* Rebuild small from the survivors, destroy the big table. */
    table_t *small = table_new();
    for (size_t i = 0; i < big->nbuckets; i++)
        for (entry_t *e = big->buckets[i]; e; e = e->next)
            table_put(small, e->key);
    table_free(big);
    snprintf(line, sizeof line, "rebuilt: %zu entries, %zu buckets\n", small->count, small->nbuckets);
    say(line);

    uint64_t found = 0, x = 12345;
    for (int i = 0; i < LOOKUPS; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        found += table_get(small, (x >> 33) % PEAK_ENTRIES) != NULL;
    }
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    snprintf(line, sizeof line, "%d lookups, %llu found\n", LOOKUPS, (unsigned long long)found);
    say(line);
    if (small->count != PEAK_ENTRIES / KEEP_EVERY) {
        say("example_healthy_rebuild: wrong count\n");
        return 1;
    }
    table_free(small);
    return 0;
}
