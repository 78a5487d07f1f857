/*
 * pageheap.c — see pageheap.h for the model and the accounting identity.
 *
 * Free spans live on 127 exact-length lists (1..127 pages) with a bitmap of
 * the non-empty ones, plus one list of longer spans searched best-fit
 * (TCMalloc's layout). No two free spans are ever adjacent: every free
 * merges with its free neighbours, so a leftover from a split only touches
 * spans in use.
 *
 * The heap grows by arenas of at least 64 MiB of address space (nothing is
 * resident until touched), asked for right after
 * the previous arena so that spans can merge across arena boundaries.
 */
#include "pageheap.h"
#include "diag.h"
#include "lock.h"
#include "meta.h"
#include "options.h"
#include "os.h"
#include "pagemap.h"

#include <stdbool.h>

#define PAGE_SHIFT 13
#define PAGE ((uintptr_t)1 << PAGE_SHIFT)
#define NSMALL 128                         /* exact lists for 1..127 pages */
#define ARENA_PAGES ((64u << 20) >> PAGE_SHIFT)
#define SPAN_DEAD 0xff                     /* state of a recycled record */

mp_span_hook_fn mp_span_hook;

static mp_lock_t ph_lock = MP_LOCK_INIT;

/* All guarded by ph_lock. */
static mp_span_t *free_small[NSMALL];
static uint64_t free_mask[NSMALL / 64];
static mp_span_t *free_large;
static mp_span_t *large_inuse;             /* LARGE spans in use, via next/prev */
static mp_fixalloc_t span_pool;
static bool ph_ready;
static uintptr_t arena_end;                /* hint for the next arena */
static mp_pageheap_stats_t st;             /* racy reads allowed */
static uint64_t last_scavenge_ns;

static void ph_init_locked(void)
{
    if (ph_ready)
        return;
    mp_fixalloc_init(&span_pool, sizeof(mp_span_t));
    ph_ready = true;
}

/* ---- free lists ---- */

static mp_span_t **list_for(uintptr_t npages)
{
    return npages < NSMALL ? &free_small[npages] : &free_large;
}

static void list_insert(mp_span_t *s)
{
    mp_span_t **head = list_for(s->npages);
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
    if (s->npages < NSMALL)
        free_mask[s->npages >> 6] |= 1ull << (s->npages & 63);
    st.free_spans++;
}

static void list_remove(mp_span_t *s)
{
    mp_span_t **head = list_for(s->npages);
    if (s->prev)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
    if (s->npages < NSMALL && !*head)
        free_mask[s->npages >> 6] &= ~(1ull << (s->npages & 63));
    st.free_spans--;
}

/* The smallest free span of at least n pages, or NULL. */
static mp_span_t *find_free(uintptr_t n)
{
    if (n < NSMALL) {
        for (uintptr_t w = n >> 6; w < NSMALL / 64; w++) {
            uint64_t bits = free_mask[w];
            if (w == n >> 6)
                bits &= ~0ull << (n & 63);
            if (bits)
                return free_small[w * 64 + (uintptr_t)__builtin_ctzll(bits)];
        }
    }
    mp_span_t *best = NULL;
    for (mp_span_t *s = free_large; s; s = s->next)
        if (s->npages >= n &&
            (!best || s->npages < best->npages ||
             (s->npages == best->npages && s->start < best->start)))
            best = s;
    return best;
}

static mp_span_t *new_record(void)
{
    return mp_fixalloc_alloc(&span_pool);
}

static void drop_record(mp_span_t *s)
{
    s->state = SPAN_DEAD; /* stale page-map entries must not match it */
    mp_fixalloc_free(&span_pool, s);
    s->state = SPAN_DEAD; /* fixalloc reused the first word only */
}

/* Marks the first and last page of a free span, merges it with free
 * neighbours, and puts it on its list. */
static void insert_free(mp_span_t *s)
{
    s->state = MP_SPAN_FREE;
    mp_span_t *prev = mp_pagemap_lookup(s->start - PAGE);
    if (prev && prev->state == MP_SPAN_FREE && mp_span_end(prev) == s->start) {
        list_remove(prev);
        s->start = prev->start;
        s->npages += prev->npages;
        if (prev->freed_ns > s->freed_ns)
            s->freed_ns = prev->freed_ns;
        drop_record(prev);
    }
    mp_span_t *next = mp_pagemap_lookup(mp_span_end(s));
    if (next && next->state == MP_SPAN_FREE && next->start == mp_span_end(s)) {
        list_remove(next);
        s->npages += next->npages;
        if (next->freed_ns > s->freed_ns)
            s->freed_ns = next->freed_ns;
        drop_record(next);
    }
    uintptr_t pn = s->start >> PAGE_SHIFT;
    mp_pagemap_set(pn, 1, s);
    mp_pagemap_set(pn + s->npages - 1, 1, s);
    list_insert(s);
}

/* Maps a new arena big enough for n pages and adds it as free, released
 * memory. Returns false when the OS refuses. */
static bool grow(uintptr_t n)
{
    uintptr_t pages = n > ARENA_PAGES ? n : ARENA_PAGES;
    if (pages > (((uintptr_t)1 << 47) >> PAGE_SHIFT))
        return false;
    void *p;
    if (mp_os_reserve(pages << PAGE_SHIFT, PAGE, (void *)arena_end, &p) != 0)
        return false;
    uintptr_t start = (uintptr_t)p;
    if (mp_pagemap_ensure(start, pages) != 0) {
        mp_os_unmap(p, pages << PAGE_SHIFT);
        return false;
    }
    mp_span_t *s = new_record();
    if (!s) {
        mp_os_unmap(p, pages << PAGE_SHIFT);
        return false;
    }
    arena_end = start + (pages << PAGE_SHIFT);
    /* The page map spends 8 bytes and a bit per page of this arena. */
    mp_meta_account(pages * sizeof(mp_span_t *) + pages / 8);
    mp_pagemap_mark_released(start >> PAGE_SHIFT, pages);
    st.mapped += pages << PAGE_SHIFT;
    st.released += pages << PAGE_SHIFT;
    s->start = start;
    s->npages = (uint32_t)pages;
    s->freed_ns = 0;
    insert_free(s);
    return true;
}

/* Splits pages [first, first + n) off the front of free span s (already
 * off its list) into a new free span. Returns false if no record. */
static bool split_front(mp_span_t *s, uintptr_t n)
{
    mp_span_t *f = new_record();
    if (!f)
        return false;
    f->start = s->start;
    f->npages = (uint32_t)n;
    f->freed_ns = s->freed_ns;
    s->start += n << PAGE_SHIFT;
    s->npages -= (uint32_t)n;
    f->state = MP_SPAN_FREE;
    uintptr_t pn = f->start >> PAGE_SHIFT;
    mp_pagemap_set(pn, 1, f);
    mp_pagemap_set(pn + n - 1, 1, f);
    list_insert(f);
    return true;
}

static uint64_t scavenge_locked(uint64_t now, uint64_t min_idle_ns);

mp_span_t *mp_pageheap_alloc(uintptr_t npages, uintptr_t align_pages, int state)
{
    if (npages == 0 || npages > (((uintptr_t)1 << 46) >> PAGE_SHIFT) ||
        align_pages == 0 || (align_pages & (align_pages - 1)))
        return NULL;
    uintptr_t need = npages + align_pages - 1;
    mp_lock(&ph_lock);
    ph_init_locked();
    mp_span_t *s = find_free(need);
    if (!s && grow(need))
        s = find_free(need);
    if (!s) {
        mp_unlock(&ph_lock);
        return NULL;
    }
    list_remove(s);
    uintptr_t pn = s->start >> PAGE_SHIFT;
    uintptr_t lead = ((pn + align_pages - 1) & ~(align_pages - 1)) - pn;
    if (lead && !split_front(s, lead))
        goto fail;
    if (s->npages > npages) {
        /* Give back the tail: split it off as its own free span. */
        mp_span_t *t = new_record();
        if (!t)
            goto fail;
        t->start = s->start + (npages << PAGE_SHIFT);
        t->npages = s->npages - (uint32_t)npages;
        t->freed_ns = s->freed_ns;
        t->state = MP_SPAN_FREE;
        s->npages = (uint32_t)npages;
        uintptr_t tp = t->start >> PAGE_SHIFT;
        mp_pagemap_set(tp, 1, t);
        mp_pagemap_set(tp + t->npages - 1, 1, t);
        list_insert(t);
    }
    pn = s->start >> PAGE_SHIFT;
    uintptr_t rel = mp_pagemap_take_released(pn, npages);
    st.released -= rel << PAGE_SHIFT;
    st.idle -= (npages - rel) << PAGE_SHIFT;
    st.in_use += npages << PAGE_SHIFT;
    s->zeroed = rel == npages;
    s->sampled = 0;
    s->state = (uint8_t)state;
    s->cls = 0;
    s->on_full = 0;
    s->freelist = NULL;
    s->next = s->prev = NULL;
    s->obj = s->start;
    mp_pagemap_set(pn, npages, s);
    if (state == MP_SPAN_LARGE) {
        st.large_objects++;
        st.large_bytes += npages << PAGE_SHIFT;
        s->next = large_inuse;
        if (large_inuse)
            large_inuse->prev = s;
        large_inuse = s;
        MP_SPAN_EVENT(MP_SPAN_EV_LARGE_TAKE, 0, (uint32_t)npages, s->start);
    }
    mp_unlock(&ph_lock);
    return s;
fail:
    insert_free(s);
    mp_unlock(&ph_lock);
    return NULL;
}

void mp_pageheap_free(mp_span_t *s)
{
    uint64_t now = mp_os_now_ns();
    mp_lock(&ph_lock);
    uintptr_t bytes = (uintptr_t)s->npages << PAGE_SHIFT;
    if (s->state == MP_SPAN_LARGE) {
        st.large_objects--;
        st.large_bytes -= bytes;
        if (s->prev)
            s->prev->next = s->next;
        else
            large_inuse = s->next;
        if (s->next)
            s->next->prev = s->prev;
        s->next = s->prev = NULL;
        MP_SPAN_EVENT(MP_SPAN_EV_LARGE_RETURN, 0, s->npages, s->start);
    }
    st.in_use -= bytes;
    st.idle += bytes;
    mp_pagemap_set_info(s->start >> PAGE_SHIFT, s->npages, 0);
    s->freed_ns = now;
    s->cls = 0;
    insert_free(s);
    uint64_t delay = (uint64_t)mp_options.scavenge_delay_ms * 1000000u;
    if (now - last_scavenge_ns >= delay / 4 + 1)
        scavenge_locked(now, delay);
    mp_unlock(&ph_lock);
}

static uint64_t release_span(mp_span_t *s)
{
    uintptr_t pn = s->start >> PAGE_SHIFT;
    if (mp_pagemap_count_released(pn, s->npages) == s->npages)
        return 0;
    if (mp_os_release((void *)s->start, (size_t)s->npages << PAGE_SHIFT) != 0)
        return 0;
    uint64_t bytes = (uint64_t)mp_pagemap_mark_released(pn, s->npages) << PAGE_SHIFT;
    st.idle -= bytes;
    st.released += bytes;
    st.released_total += bytes;
    MP_SPAN_EVENT(MP_SPAN_EV_RELEASE, 0, (uint32_t)(bytes >> PAGE_SHIFT), s->start);
    return bytes;
}

static uint64_t scavenge_locked(uint64_t now, uint64_t min_idle_ns)
{
    last_scavenge_ns = now;
    if (st.idle == 0)
        return 0;
    uint64_t got = 0;
    for (uintptr_t i = 0; i <= NSMALL; i++) {
        mp_span_t *s = i < NSMALL ? free_small[i] : free_large;
        for (; s; s = s->next)
            if (now - s->freed_ns >= min_idle_ns)
                got += release_span(s);
    }
    if (got)
        st.scavenge_runs++;
    return got;
}

uint64_t mp_pageheap_scavenge(uint64_t min_idle_ns)
{
    mp_lock(&ph_lock);
    uint64_t got = scavenge_locked(mp_os_now_ns(), min_idle_ns);
    mp_unlock(&ph_lock);
    return got;
}

uint64_t mp_pageheap_idle_bytes(void)
{
    return __atomic_load_n(&st.idle, __ATOMIC_RELAXED);
}

void mp_pageheap_stats(mp_pageheap_stats_t *out)
{
    mp_lock(&ph_lock);
    *out = st;
    mp_unlock(&ph_lock);
}

size_t mp_pageheap_large_blocks(uintptr_t *addr, uintptr_t *bytes, size_t max,
                                uintptr_t min_bytes)
{
    size_t n = 0;
    mp_lock(&ph_lock);
    for (mp_span_t *s = large_inuse; s && n < max; s = s->next) {
        uintptr_t len = (uintptr_t)s->npages << PAGE_SHIFT;
        if (len >= min_bytes) {
            addr[n] = s->obj;
            bytes[n] = len;
            n++;
        }
    }
    mp_unlock(&ph_lock);
    return n;
}

int mp_pageheap_check(void)
{
    int rc = 0;
    mp_lock(&ph_lock);
    uint64_t idle = 0, released = 0, nfree = 0;
    for (uintptr_t i = 0; i <= NSMALL; i++) {
        mp_span_t *s = i < NSMALL ? free_small[i] : free_large;
        for (; s; s = s->next) {
            uintptr_t pn = s->start >> PAGE_SHIFT;
            uintptr_t rel = mp_pagemap_count_released(pn, s->npages);
            released += (uint64_t)rel << PAGE_SHIFT;
            idle += (uint64_t)(s->npages - rel) << PAGE_SHIFT;
            nfree++;
            if (s->state != MP_SPAN_FREE || (i < NSMALL && s->npages != i) ||
                (i == NSMALL && s->npages < NSMALL))
                rc = MP_EINVAL;
            if (mp_pagemap_lookup(s->start) != s ||
                mp_pagemap_lookup(mp_span_end(s) - PAGE) != s)
                rc = MP_EINVAL;
            mp_span_t *nb = mp_pagemap_lookup(mp_span_end(s));
            if (nb && nb->state == MP_SPAN_FREE && nb->start == mp_span_end(s))
                rc = MP_EINVAL; /* two adjacent free spans */
        }
    }
    if (idle != st.idle || released != st.released || nfree != st.free_spans ||
        st.mapped != st.in_use + st.idle + st.released)
        rc = MP_EINVAL;
    mp_unlock(&ph_lock);
    return rc;
}

void mp_pageheap_lock_all(void) { mp_lock(&ph_lock); }
void mp_pageheap_unlock_all(void) { mp_unlock(&ph_lock); }
