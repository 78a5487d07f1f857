/*
 * modules.h — the shim's view of the loaded modules (executable, shared
 * libraries), kept so that the log can be symbolized offline, later,
 * elsewhere: path, load bias, build-id and PT_LOAD segments of each, and
 * when it went away (MODULE / MODULE_GONE records, docs/format.md).
 *
 * mp_modules_scan() walks dl_iterate_phdr (which takes the dynamic
 * loader's lock: it is never called on the allocation path, only from the
 * writer thread, at start, and around dlclose), adds modules not seen
 * before and marks gone those no longer loaded. dlopen is not interposed:
 * glibc resolves a dlopen's RUNPATH and $ORIGIN from its caller's address,
 * which a wrapper would change; new modules are found by the writer's scan
 * instead (it checks dl_iterate_phdr's load/unload counters every sweep).
 * dlclose is interposed (it has no caller semantics) so that a module is
 * always on record before it disappears.
 *
 * Lock: one mutex around scans; readers (the writer) take it too.
 */
#ifndef MP_MODULES_H
#define MP_MODULES_H

#include <stddef.h>
#include <stdint.h>

#define MP_MODULE_SEGS 16
#define MP_BUILD_ID_MAX 64

typedef struct mp_module {
    uint32_t id;                  /* 1.. in order of discovery, never reused */
    uint8_t gone;                 /* 1 once unloaded */
    uint8_t gone_written;         /* writer: MODULE_GONE emitted */
    uint64_t ts;                  /* when first seen (ns since start) */
    uint64_t gone_ts;             /* when seen gone */
    uintptr_t bias;               /* runtime = ELF vaddr + bias */
    const char *path;             /* copied into the shim's arena */
    uint32_t build_id_len;
    uint8_t build_id[MP_BUILD_ID_MAX];
    uint32_t nseg;
    struct { uint64_t vaddr, memsz; uint32_t flags; } seg[MP_MODULE_SEGS];
} mp_module_t;

/* Scans the loaded modules now; ts stamps what changed. Returns 0 or
 * MP_ENOMEM (then some modules are missing from the table). */
int mp_modules_scan(uint64_t ts);

/* 1 if dl_iterate_phdr's counters moved since the last scan (cheap). */
int mp_modules_changed(void);

/* Calls fn for every module under the lock (the writer emits records). */
void mp_modules_each(void (*fn)(mp_module_t *m, void *arg), void *arg);

void mp_modules_lock_all(void);
void mp_modules_unlock_all(void);

#endif
