/*
 * healthy_cache.c — example_healthy_cache: a cache at steady state, the
 * case seed 003 says is fine ("the map size will remain constant, so we
 * shouldn't worry").
 *
 * A least-recently-used cache of at most 20,000 values, keyed by customer
 * id (0..99,999), serves 1,000,000 requests: a hit moves the value to the
 * front, a miss allocates a value of 64 to 1,024 bytes and, when the cache
 * is full, evicts and frees the least recently used one. The index is a
 * chained hash table whose bucket array is allocated once, at its final
 * size (32,768 buckets), so nothing grows in steps. After a short warm-up
 * the heap stays flat while blocks churn through the size classes, which
 * reuse the freed objects. Everything is freed before exit.
 *
 * memprof must find no retention here. No stdio: output goes through
 * snprintf and write(2), so nothing is left at exit.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
    CAPACITY = 20000,  /* values the cache keeps at most */
    KEYS = 100000,     /* distinct keys requested */
    REQUESTS = 1000000,
    NBUCKETS = 32768,  /* index buckets, fixed: > CAPACITY */
};

typedef struct node {
    struct node *hnext;       /* next in the index bucket */
    struct node *prev, *next; /* LRU list, most recent first */
    uint64_t key;
    size_t size;              /* bytes of data */
    unsigned char data[];     /* the cached value */
} node_t;

static node_t **index_buckets; /* NBUCKETS chain heads */
static node_t *lru_head, *lru_tail;
static size_t cached;

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

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

static size_t slot(uint64_t key) { return (key * 0x9e3779b97f4a7c15u) >> 49; } /* 15 bits */

static void lru_unlink(node_t *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        lru_head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        lru_tail = n->prev;
}

static void lru_push_front(node_t *n)
{
    n->prev = NULL;
    n->next = lru_head;
    if (lru_head)
        lru_head->prev = n;
    lru_head = n;
    if (!lru_tail)
        lru_tail = n;
}

static void index_remove(node_t *n)
{
    node_t **pp = &index_buckets[slot(n->key)];
    while (*pp != n)
        pp = &(*pp)->hnext;
    *pp = n->hnext;
}

static node_t *lookup(uint64_t key)
{
    for (node_t *n = index_buckets[slot(key)]; n; n = n->hnext)
        if (n->key == key)
            return n;
    return NULL;
}

static void evict(void)
{
    node_t *n = lru_tail;
    lru_unlink(n);
    index_remove(n);
    free(n);
    cached--;
}

static node_t *fill(uint64_t key)
{
    size_t size = 64 + (size_t)(rng() % 961);
    node_t *n = malloc(sizeof *n + size);
    if (!n) {
        say("example_healthy_cache: out of memory\n");
        exit(1);
    }
    n->key = key;
    n->size = size;
    memset(n->data, (int)(key & 0xff), size);
    n->hnext = index_buckets[slot(key)];
    index_buckets[slot(key)] = n;
    lru_push_front(n);
    cached++;
    return n;
}

int main(void)
{
    char line[256];
    size_t hits = 0;
    uint64_t sum = 0;

    index_buckets = calloc(NBUCKETS, sizeof *index_buckets);
    if (!index_buckets)
        return 1;
    for (int r = 0; r < REQUESTS; r++) {
        /* Skewed: half the requests go to the first 10,000 keys. */
        uint64_t key = (rng() & 1) ? rng() % 10000 : rng() % KEYS;
        node_t *n = lookup(key);
        if (n) {
            hits++;
            lru_unlink(n);
            lru_push_front(n);
        } else {
            if (cached == CAPACITY)
                evict();
            n = fill(key);
        }
        sum += n->data[n->size - 1];
    }
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    snprintf(line, sizeof line, "%d requests, %zu hits, %zu cached (checksum %llu)\n",
             REQUESTS, hits, cached, (unsigned long long)sum);
    say(line);
    while (cached)
        evict();
    free(index_buckets);
    return 0;
}
