/*
 * meta.c — the heap's metadata memory (see meta.h).
 *
 * Chunks are 256 KiB: small enough that a tiny program's metadata costs
 * little, big enough that a chunk is rarely needed (a span record is 64
 * bytes, so one chunk holds 4,096 of them — metadata for 32 MiB of
 * single-page spans). Requests larger than a chunk get their own mapping.
 */
#include "meta.h"
#include "lock.h"
#include "os.h"

#include <string.h>

#define CHUNK (256u * 1024u)

static mp_lock_t meta_lock = MP_LOCK_INIT;
static char *chunk_cur, *chunk_end; /* guarded by meta_lock */
static uint64_t meta_used;          /* atomic adds; relaxed reads */

void *mp_meta_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    mp_lock(&meta_lock);
    void *p = NULL;
    if (size > CHUNK / 4) {
        size_t len = (size + 4095) & ~(size_t)4095;
        if (mp_os_reserve(len, 4096, NULL, &p) == 0)
            mp_meta_account(size);
        else
            p = NULL;
    } else {
        if ((size_t)(chunk_end - chunk_cur) < size) {
            void *c;
            if (mp_os_reserve(CHUNK, 4096, NULL, &c) != 0) {
                mp_unlock(&meta_lock);
                return NULL;
            }
            chunk_cur = c;
            chunk_end = chunk_cur + CHUNK;
        }
        p = chunk_cur;
        chunk_cur += size;
        mp_meta_account(size);
    }
    mp_unlock(&meta_lock);
    return p; /* fresh mappings are zero */
}

uint64_t mp_meta_bytes(void)
{
    return __atomic_load_n(&meta_used, __ATOMIC_RELAXED);
}

void mp_meta_account(uint64_t bytes)
{
    __atomic_fetch_add(&meta_used, bytes, __ATOMIC_RELAXED);
}

void mp_fixalloc_init(mp_fixalloc_t *f, size_t size)
{
    f->size = (size + 15) & ~(size_t)15;
    f->free = NULL;
    f->inuse = 0;
}

void *mp_fixalloc_alloc(mp_fixalloc_t *f)
{
    void *p = f->free;
    if (p) {
        f->free = *(void **)p;
        memset(p, 0, f->size);
    } else {
        p = mp_meta_alloc(f->size);
        if (!p)
            return NULL;
    }
    f->inuse++;
    return p;
}

void mp_fixalloc_free(mp_fixalloc_t *f, void *p)
{
    *(void **)p = f->free;
    f->free = p;
    f->inuse--;
}

void mp_meta_lock_all(void) { mp_lock(&meta_lock); }
void mp_meta_unlock_all(void) { mp_unlock(&meta_lock); }
