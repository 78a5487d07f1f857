/*
 * meta.h — memory for the heap's own metadata (span records, thread caches,
 * page-map leaves are mapped separately by pagemap.c).
 *
 * The shim must never ask the libc for memory, so its metadata comes from
 * here, as the Go runtime's comes from persistentalloc and fixalloc:
 *
 *  - mp_meta_alloc: bump allocation from 256 KiB chunks mapped with mmap,
 *    zeroed, 16-byte aligned, never freed. Guarded by its own lock (the
 *    innermost in the heap's lock order).
 *  - mp_fixalloc_t: a free list of fixed-size records carved from
 *    mp_meta_alloc, so that span records and thread caches are recycled
 *    and metadata stays proportional to the peak number of each. A fixalloc
 *    is guarded by its owner's lock (the page heap's for spans, the
 *    registry's for thread caches).
 *
 * mp_meta_bytes() counts metadata bytes handed out (records carved from
 * chunks, and the page-map entries covering the mapped heap), which is
 * what can become resident; untouched address space reserved for future
 * metadata is not counted.
 */
#ifndef MP_META_H
#define MP_META_H

#include <stddef.h>
#include <stdint.h>

/* Returns size bytes of zeroed memory, or NULL if the OS refuses. */
void *mp_meta_alloc(size_t size);

/* Bytes of metadata in use (see above). */
uint64_t mp_meta_bytes(void);

/* Adds metadata bytes used elsewhere (the page map's entries). */
void mp_meta_account(uint64_t bytes);

typedef struct mp_fixalloc {
    size_t size;     /* record size, bytes, a multiple of 16 */
    void *free;      /* recycled records, linked through their first word */
    uint64_t inuse;  /* records handed out and not freed */
} mp_fixalloc_t;

void mp_fixalloc_init(mp_fixalloc_t *f, size_t size);
/* A zeroed record, or NULL. Requires: the owner's lock. */
void *mp_fixalloc_alloc(mp_fixalloc_t *f);
/* Requires: the owner's lock; p came from this fixalloc. */
void mp_fixalloc_free(mp_fixalloc_t *f, void *p);

/* Fork: take and drop the meta lock around fork (heap.c calls these). */
void mp_meta_lock_all(void);
void mp_meta_unlock_all(void);

#endif
