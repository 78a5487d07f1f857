/*
 * stack_table.c — see stack_table.h.
 *
 * Layout: 2^18 bucket heads (2 MiB of address space, touched as chains
 * appear), entries {next, hash, n, frames[n]} bump-allocated from 1 MiB
 * mmap chunks, and an id → entry index of MP_STACK_MAX pointers (32 MiB of
 * address space, touched in order, so 8 bytes per stack are resident).
 * Hash: 64-bit FNV-1a over the frame words, folded; equal hashes are
 * confirmed by comparing the frames, so ids are exact.
 */
#include "stack_table.h"
#include "diag.h"
#include "lock.h"
#include "os.h"

#include <string.h>

#define NBUCKETS (1u << 18)
#define NSTRIPES 256u
#define CHUNK (1u << 20)

typedef struct entry {
    struct entry *next;   /* bucket chain (stripe lock) */
    uint64_t hash;
    uint32_t n, id;
    void *frames[];       /* innermost first */
} entry_t;

static entry_t **buckets;          /* NBUCKETS heads; stripe lock */
static entry_t **by_id;            /* MP_STACK_MAX; written once per id */
static mp_lock_t stripes[NSTRIPES];
static mp_lock_t arena_lock = MP_LOCK_INIT;
static char *arena_cur, *arena_end; /* arena_lock */
static uint32_t count;             /* release store after by_id[count] */
static int ready;

int mp_stack_init(void)
{
    if (ready)
        return 0;
    void *b, *ids;
    if (mp_os_reserve(NBUCKETS * sizeof(entry_t *), 4096, NULL, &b) != 0)
        return MP_ENOMEM;
    if (mp_os_reserve((size_t)MP_STACK_MAX * sizeof(entry_t *), 4096, NULL, &ids) != 0) {
        mp_os_unmap(b, NBUCKETS * sizeof(entry_t *));
        return MP_ENOMEM;
    }
    for (unsigned i = 0; i < NSTRIPES; i++)
        pthread_mutex_init(&stripes[i].m, NULL);
    buckets = b;
    by_id = ids;
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    return 0;
}

static uint64_t hash_frames(void *const *f, uint32_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ n;
    for (uint32_t i = 0; i < n; i++) {
        h ^= (uint64_t)(uintptr_t)f[i];
        h *= 0x100000001b3ull;
        h ^= h >> 29;
    }
    return h;
}

static entry_t *new_entry(uint32_t n)
{
    size_t size = (sizeof(entry_t) + n * sizeof(void *) + 15) & ~(size_t)15;
    mp_lock(&arena_lock);
    if ((size_t)(arena_end - arena_cur) < size) {
        void *c;
        if (mp_os_reserve(CHUNK, 4096, NULL, &c) != 0) {
            mp_unlock(&arena_lock);
            return NULL;
        }
        arena_cur = c;
        arena_end = arena_cur + CHUNK;
    }
    entry_t *e = (entry_t *)arena_cur;
    arena_cur += size;
    mp_unlock(&arena_lock);
    return e;
}

uint32_t mp_stack_intern(void *const *frames, uint32_t n)
{
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
        return 0;
    if (n > MP_STACK_DEPTH_MAX)
        n = MP_STACK_DEPTH_MAX;
    uint64_t h = hash_frames(frames, n);
    uint32_t b = (uint32_t)(h ^ (h >> 32)) & (NBUCKETS - 1);
    mp_lock_t *lk = &stripes[b & (NSTRIPES - 1)];
    mp_lock(lk);
    for (entry_t *e = buckets[b]; e; e = e->next)
        if (e->hash == h && e->n == n && memcmp(e->frames, frames, n * sizeof(void *)) == 0) {
            mp_unlock(lk);
            return e->id;
        }
    uint32_t id = 0;
    entry_t *e = NULL;
    /* Ids are handed out under the arena lock so by_id fills densely. */
    if (__atomic_load_n(&count, __ATOMIC_RELAXED) < MP_STACK_MAX - 1 && (e = new_entry(n))) {
        e->hash = h;
        e->n = n;
        memcpy(e->frames, frames, n * sizeof(void *));
        mp_lock(&arena_lock);
        id = count + 1;
        if (id < MP_STACK_MAX) {
            e->id = id;
            by_id[id] = e;
            __atomic_store_n(&count, id, __ATOMIC_RELEASE);
        } else {
            id = 0;
        }
        mp_unlock(&arena_lock);
        if (id) {
            e->next = buckets[b];
            buckets[b] = e;
        }
    }
    mp_unlock(lk);
    return id;
}

uint32_t mp_stack_count(void)
{
    return __atomic_load_n(&count, __ATOMIC_ACQUIRE);
}

void *const *mp_stack_frames(uint32_t id, uint32_t *n)
{
    entry_t *e = by_id[id];
    *n = e->n;
    return e->frames;
}

void mp_stack_lock_all(void)
{
    for (unsigned i = 0; i < NSTRIPES; i++)
        mp_lock(&stripes[i]);
    mp_lock(&arena_lock);
}

void mp_stack_unlock_all(void)
{
    mp_unlock(&arena_lock);
    for (unsigned i = NSTRIPES; i-- > 0;)
        mp_unlock(&stripes[i]);
}
