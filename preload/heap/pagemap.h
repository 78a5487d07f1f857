/*
 * pagemap.h — from any address to its span in O(1), plus one bit per page
 * saying whether the page is released (not resident, reads as zero).
 *
 * A two-level radix table over the 48-bit user address space, with 8 KiB
 * pages: 2^35 page numbers split as 17 bits of root index and 18 bits of
 * leaf index. The root is 1 MiB of bss (untouched parts cost nothing); a
 * leaf covers 2 GiB of address space and holds 2^18 span pointers (2 MiB),
 * 2^18 small-object info entries (512 KiB) and a 32 KiB released bitmap, mapped when first needed, so
 * only the parts the heap touches become resident (10 bytes and a bit per
 * 8 KiB page, 0.13% of the heap). Go's runtime uses the same shape (arenas L1/L2).
 *
 * Writes happen under the page heap lock. Lookups read without a lock:
 * a leaf is published with a release store after it is mapped (zeroed), and
 * the entries of a span in use do not change while it is in use.
 *
 * Which entries are exact: for a span in use, every page maps to it; for a
 * free span, its first and last pages do (enough for coalescing); other
 * entries may be stale, so readers check the span's state and bounds.
 */
#ifndef MP_PAGEMAP_H
#define MP_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"

#define MP_PM_LEAF_BITS 18
#define MP_PM_ROOT_BITS 17
#define MP_PM_ADDR_BITS (13 + MP_PM_LEAF_BITS + MP_PM_ROOT_BITS) /* 48 */

typedef struct mp_pm_leaf {
    mp_span_t *span[1u << MP_PM_LEAF_BITS];
    /* Small-object pages only: size class | page's index in its span << 8;
     * 0 for every other page. free() reads this instead of the span record,
     * so the fast path touches 2 dense bytes per page instead of a span
     * record's cache line (TCMalloc's sizemap-in-pagemap idea). */
    uint16_t info[1u << MP_PM_LEAF_BITS];
    uint64_t released[(1u << MP_PM_LEAF_BITS) / 64];
} mp_pm_leaf_t;

extern mp_pm_leaf_t *mp_pm_root[1u << MP_PM_ROOT_BITS];

/* The span holding addr, or NULL if the heap never mapped that page. The
 * result may be stale for pages of free spans: check state and bounds. */
static inline mp_span_t *mp_pagemap_lookup(uintptr_t addr)
{
    if (addr >> MP_PM_ADDR_BITS)
        return NULL;
    uintptr_t pn = addr >> 13;
    mp_pm_leaf_t *leaf =
        __atomic_load_n(&mp_pm_root[pn >> MP_PM_LEAF_BITS], __ATOMIC_ACQUIRE);
    if (!leaf)
        return NULL;
    return leaf->span[pn & ((1u << MP_PM_LEAF_BITS) - 1)];
}

/* The small-object info of addr's page (see mp_pm_leaf_t), 0 if none. */
static inline uint32_t mp_pagemap_info(uintptr_t addr)
{
    if (addr >> MP_PM_ADDR_BITS)
        return 0;
    uintptr_t pn = addr >> 13;
    mp_pm_leaf_t *leaf =
        __atomic_load_n(&mp_pm_root[pn >> MP_PM_LEAF_BITS], __ATOMIC_ACQUIRE);
    if (!leaf)
        return 0;
    return leaf->info[pn & ((1u << MP_PM_LEAF_BITS) - 1)];
}

/* Sets the info of pages [first, first + n) to cls | index << 8, or to 0
 * when cls is 0. Requires: the span's owner (central lock or page heap
 * lock) and leaves. */
void mp_pagemap_set_info(uintptr_t first_page, uintptr_t n, uint32_t cls);

/* Makes sure leaves exist for [start, start + npages pages). Returns 0 or
 * MP_ENOMEM. Requires: page heap lock. */
int mp_pagemap_ensure(uintptr_t start, uintptr_t npages);

/* Points pages [first, first + n) at s. Requires: page heap lock, leaves. */
void mp_pagemap_set(uintptr_t first_page, uintptr_t n, mp_span_t *s);

/* Released bits over page numbers [first, first + n). Requires: page heap
 * lock, leaves. */
/* Sets the bits and returns how many were newly set. */
uintptr_t mp_pagemap_mark_released(uintptr_t first_page, uintptr_t n);
/* Clears the bits and returns how many were set. */
uintptr_t mp_pagemap_take_released(uintptr_t first_page, uintptr_t n);
/* Counts the set bits. */
uintptr_t mp_pagemap_count_released(uintptr_t first_page, uintptr_t n);

#endif
