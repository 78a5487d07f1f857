/*
 * memprof.h — the few controls libmemprof.so exports besides the malloc
 * family. Programs (and memprof's own tests) may call these when they link
 * against the shim or look them up with dlsym; nothing else is exported.
 *
 * Every function here is safe to call from any thread at any time, never
 * allocates through libc, and never blocks on anything but the heap's own
 * short-held locks.
 */
#ifndef MEMPROF_H
#define MEMPROF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exported from libmemprof.so even though the shim builds with hidden
 * visibility by default. */
#define MP_API __attribute__((visibility("default")))

#define MP_STATS_MAX_CLASSES 96

/* One size class. bytes_retained is what the class holds in spans
 * (spans * span bytes); bytes_live is what its live objects occupy
 * (objects_live * size). retained - live is memory the class keeps that
 * nobody uses: the free slots of partly used spans and cached objects. */
typedef struct mp_class_stats {
    uint32_t size;           /* object size of the class, bytes */
    uint32_t span_pages;     /* pages per span (8 KiB pages) */
    uint64_t spans;          /* spans the class holds now */
    uint64_t objects_live;   /* objects handed out and not yet freed */
    uint64_t bytes_live;     /* objects_live * size */
    uint64_t bytes_retained; /* spans * span_pages * page size */
    uint64_t allocs;         /* objects handed out since start */
    uint64_t frees;          /* objects given back since start */
} mp_class_stats_t;

/* A consistent picture when the program is quiescent; while other threads
 * run, each figure is exact for some recent moment (per-thread counters are
 * summed without stopping the threads). Byte figures are exact, not sampled.
 *
 * Page heap identity: mapped == pages_in_use + pages_idle + pages_released
 * (all in bytes), where in_use is every span handed to a class or a large
 * object, idle is free pages still resident, released is free pages given
 * back to the OS with madvise (or never touched). */
typedef struct mp_heap_stats {
    uint64_t mapped;            /* bytes of heap address space mapped */
    uint64_t in_use;            /* bytes of pages in spans in use */
    uint64_t idle;              /* bytes of free pages still resident */
    uint64_t released;          /* bytes of free pages released to the OS */
    uint64_t released_total;    /* bytes ever released (madvise calls' sum) */
    uint64_t scavenge_runs;     /* times the scavenger released something */
    uint64_t large_objects;     /* live objects over MP_MAX_SMALL bytes */
    uint64_t large_bytes;       /* bytes of their spans */
    uint64_t small_live_bytes;  /* sum of bytes_live over the classes */
    uint64_t meta_bytes;        /* bytes mapped for the shim's own metadata */
    uint64_t threads_cached;    /* thread caches alive now */
    uint64_t invalid_frees;     /* frees of pointers we never handed out */
    uint64_t double_frees;      /* frees of blocks already free (a free of a
                                   slot never handed out looks the same) */
    uint64_t foreign_frees;     /* frees passed to the libc (pre-takeover) */
    uint32_t page_size;         /* heap page size, bytes (8192) */
    uint32_t nclasses;          /* entries used in classes[] (class 0 unused) */
    mp_class_stats_t classes[MP_STATS_MAX_CLASSES];
} mp_heap_stats_t;

/* Fills *out. Returns 0, or -1 if out is NULL. */
MP_API int mp_heap_get_stats(mp_heap_stats_t *out);

/* Releases every free page to the OS now (what malloc_trim does). Returns
 * the bytes released by this call. */
MP_API size_t mp_heap_release_free(void);

/* Non-zero when the shim is the process's allocator (initialised). */
MP_API int mp_heap_active(void);

#ifdef __cplusplus
}
#endif
#endif
