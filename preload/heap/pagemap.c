/*
 * pagemap.c — the radix page map and released bitmap (see pagemap.h).
 */
#include "pagemap.h"
#include "diag.h"
#include "meta.h"
#include "os.h"

#define LEAF_PAGES (1u << MP_PM_LEAF_BITS)
#define LEAF_MASK (LEAF_PAGES - 1)

mp_pm_leaf_t *mp_pm_root[1u << MP_PM_ROOT_BITS];

int mp_pagemap_ensure(uintptr_t start, uintptr_t npages)
{
    uintptr_t first = start >> 13, last = first + npages - 1;
    if ((last << 13) >> MP_PM_ADDR_BITS)
        return MP_ENOMEM; /* beyond the 48-bit space the map covers */
    for (uintptr_t r = first >> MP_PM_LEAF_BITS; r <= last >> MP_PM_LEAF_BITS; r++) {
        if (mp_pm_root[r])
            continue;
        void *leaf;
        size_t len = (sizeof(mp_pm_leaf_t) + 4095) & ~(size_t)4095;
        if (mp_os_reserve(len, 4096, NULL, &leaf) != 0)
            return MP_ENOMEM;
        __atomic_store_n(&mp_pm_root[r], (mp_pm_leaf_t *)leaf, __ATOMIC_RELEASE);
    }
    return 0;
}

void mp_pagemap_set(uintptr_t first, uintptr_t n, mp_span_t *s)
{
    for (uintptr_t pn = first; pn < first + n; pn++)
        mp_pm_root[pn >> MP_PM_LEAF_BITS]->span[pn & LEAF_MASK] = s;
}

void mp_pagemap_set_info(uintptr_t first, uintptr_t n, uint32_t cls)
{
    for (uintptr_t i = 0; i < n; i++) {
        uintptr_t pn = first + i;
        mp_pm_root[pn >> MP_PM_LEAF_BITS]->info[pn & LEAF_MASK] =
            (uint16_t)(cls ? cls | (i << 8) : 0);
    }
}

/* Applies op to the bitmap words covering [first, first + n): op gets the
 * word and the mask of bits in range, returns the new word, and accumulates
 * a count. Runs word by word, so a 64 MiB range is 128 iterations. */
typedef uint64_t (*bits_op)(uint64_t word, uint64_t mask, uintptr_t *count);

static uintptr_t walk_bits(uintptr_t first, uintptr_t n, bits_op op)
{
    uintptr_t count = 0, pn = first, end = first + n;
    while (pn < end) {
        mp_pm_leaf_t *leaf = mp_pm_root[pn >> MP_PM_LEAF_BITS];
        uintptr_t bit = pn & LEAF_MASK;
        uintptr_t w = bit >> 6, off = bit & 63;
        uintptr_t take = 64 - off;
        if (take > end - pn)
            take = end - pn;
        uint64_t mask = (take == 64 ? ~0ull : ((1ull << take) - 1)) << off;
        leaf->released[w] = op(leaf->released[w], mask, &count);
        pn += take;
    }
    return count;
}

static uint64_t op_set(uint64_t w, uint64_t m, uintptr_t *c)
{
    *c += (uintptr_t)__builtin_popcountll(~w & m);
    return w | m;
}

static uint64_t op_take(uint64_t w, uint64_t m, uintptr_t *c)
{
    *c += (uintptr_t)__builtin_popcountll(w & m);
    return w & ~m;
}

static uint64_t op_count(uint64_t w, uint64_t m, uintptr_t *c)
{
    *c += (uintptr_t)__builtin_popcountll(w & m);
    return w;
}

uintptr_t mp_pagemap_mark_released(uintptr_t first, uintptr_t n)
{
    return walk_bits(first, n, op_set);
}

uintptr_t mp_pagemap_take_released(uintptr_t first, uintptr_t n)
{
    return walk_bits(first, n, op_take);
}

uintptr_t mp_pagemap_count_released(uintptr_t first, uintptr_t n)
{
    return walk_bits(first, n, op_count);
}
