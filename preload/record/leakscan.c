/*
 * leakscan.c — see leakscan.h: the block table, the mark phase and the
 * cliques, after valgrind's mc_leakcheck.c (lc_push_if_a_chunk_ptr,
 * lc_process_markstack, the clique loop of lc_find_leaked). Roots come
 * from leakscan_roots.c.
 *
 * The block table is built from the page map in address order: one entry
 * per span in use (start, end, object size, the index of its first slot)
 * and one state byte per slot (0: not a block). A word is a candidate when
 * the page map says its page belongs to a span in use; the span's entry is
 * then found by binary search, its slot by the class's reciprocal.
 *
 * Memory, mmap'd for the scan and unmapped after: 32 bytes per span, one
 * byte per slot (free slots included), and a mark stack of at most 2^20
 * block indices (4 MiB). When the stack is full a block keeps its pending
 * bit and is picked up by a sweep of the state bytes once the stack
 * drains (the Boehm collector's answer to mark stack overflow): memory
 * stays bounded and the result does not change.
 *
 * What the heap knows is not what memcheck knows: a block here is its whole
 * slot (the class size, or the large span), not the requested size, so
 * the slack after the requested bytes is scanned too and a pointer into it
 * counts as an interior pointer; memcheck also skips words it knows to be
 * uninitialised. docs/recording.md lists where results can differ.
 */
#define _GNU_SOURCE
#include "leakscan.h"
#include "leakscan_roots.h"
#include "diag.h"
#include "heap.h"
#include "os.h"
#include "pagemap.h"
#include "span.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

enum { ST_NONE = 0, ST_UNREACHED = 1, ST_INDIRECT = 2, ST_POSSIBLE = 3, ST_REACHABLE = 4 };
#define ST_PENDING 0x80u
#define ST_MASK 0x7fu
#define STACK_MAX (1u << 20)
#define SYS_PAGE 4096u
#define MINCORE_BATCH 4096u /* pages per mincore call */

typedef struct {
    uintptr_t start, end;   /* the span's pages */
    uintptr_t obj;          /* LARGE: the block; SMALL: start */
    uint32_t objsize;       /* SMALL: bytes per slot; LARGE: 0 */
    uint32_t divmul;        /* SMALL: reciprocal (span.h) */
    uint32_t base;          /* index of its first slot in state[] */
    uint32_t nslots;
} sp_t;

static struct {
    sp_t *spans;
    size_t nspans, spans_cap;
    uint8_t *state;
    size_t nslots, slots_cap;
    uint32_t *stack;
    size_t sp, stack_cap;
    int overflowed, ever_overflowed;
    size_t last;             /* span of the last hit (pointers cluster) */
    uint64_t root_bytes, heap_bytes, live;
    int prior_definite;      /* the block being scanned (roots: 1) */
    long clique;             /* -1 outside the clique phase */
} S;

/* ---- the block table ---------------------------------------------------- */

static void each_span(void (*fn)(mp_span_t *s))
{
    for (uintptr_t r = 0; r < ((uintptr_t)1 << MP_PM_ROOT_BITS); r++) {
        mp_pm_leaf_t *leaf = __atomic_load_n(&mp_pm_root[r], __ATOMIC_ACQUIRE);
        if (!leaf)
            continue;
        for (uintptr_t i = 0; i < ((uintptr_t)1 << MP_PM_LEAF_BITS);) {
            mp_span_t *s = leaf->span[i];
            uintptr_t pa = ((r << MP_PM_LEAF_BITS) | i) << 13;
            if (s && s->start == pa && s->npages &&
                (s->state == MP_SPAN_SMALL || s->state == MP_SPAN_LARGE)) {
                fn(s);
                i += s->npages;
            } else {
                i++;
            }
        }
    }
}

static void count_span(mp_span_t *s)
{
    S.spans_cap++;
    S.slots_cap += s->state == MP_SPAN_SMALL ? s->nobj : 1;
}

static void add_span(mp_span_t *s)
{
    uint32_t n = s->state == MP_SPAN_SMALL ? s->nobj : 1;
    if (S.nspans == S.spans_cap || S.nslots + n > S.slots_cap)
        return; /* the heap grew between the two walks (a thread not paused) */
    sp_t *e = &S.spans[S.nspans++];
    e->start = s->start;
    e->end = mp_span_end(s);
    e->base = (uint32_t)S.nslots;
    e->nslots = n;
    if (s->state == MP_SPAN_SMALL) {
        e->obj = s->start;
        e->objsize = s->objsize;
        e->divmul = s->divmul;
        for (uint32_t k = 0; k < n; k++) {
            void **o = (void **)(s->start + (uintptr_t)k * s->objsize);
            int live = o[1] != mp_free_mark(o);
            S.state[S.nslots + k] = live ? ST_UNREACHED : ST_NONE;
            S.live += (uint64_t)live;
        }
    } else {
        e->obj = s->obj >= s->start && s->obj < e->end ? s->obj : s->start;
        e->objsize = 0;
        e->divmul = 0;
        S.state[S.nslots] = ST_UNREACHED;
        S.live++;
    }
    S.nslots += n;
}

static int map(size_t bytes, void **out)
{
    bytes = (bytes + SYS_PAGE - 1) & ~(size_t)(SYS_PAGE - 1);
    return mp_os_reserve(bytes ? bytes : SYS_PAGE, SYS_PAGE, NULL, out);
}

static void unmap_all(void)
{
    if (S.spans)
        mp_os_unmap(S.spans, (S.spans_cap * sizeof(sp_t) + SYS_PAGE - 1) & ~(size_t)(SYS_PAGE - 1));
    if (S.state)
        mp_os_unmap(S.state, (S.slots_cap + SYS_PAGE - 1) & ~(size_t)(SYS_PAGE - 1));
    if (S.stack)
        mp_os_unmap(S.stack, (S.stack_cap * 4 + SYS_PAGE - 1) & ~(size_t)(SYS_PAGE - 1));
}

static int build_table(void)
{
    each_span(count_span);
    S.spans_cap += 16; /* a little room for a heap that grows meanwhile */
    S.slots_cap += 16 * 1024;
    S.stack_cap = S.slots_cap < STACK_MAX ? S.slots_cap : STACK_MAX;
    void *a = NULL, *b = NULL, *c = NULL;
    if (map(S.spans_cap * sizeof(sp_t), &a) != 0 || map(S.slots_cap, &b) != 0 ||
        map(S.stack_cap * 4, &c) != 0) {
        S.spans = a;
        S.state = b;
        S.stack = c;
        return MP_ENOMEM;
    }
    S.spans = a;
    S.state = b;
    S.stack = c;
    each_span(add_span);
    return 0;
}

/* The slot holding address v, or -1; *start: v is the block's first byte. */
static long find(uintptr_t v, int *start)
{
    mp_span_t *ps = mp_pagemap_lookup(v);
    if (!ps || S.nspans == 0)
        return -1;
    sp_t *e = &S.spans[S.last];
    if (v < e->start || v >= e->end) {
        size_t lo = 0, hi = S.nspans;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (S.spans[mid].end <= v)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == S.nspans || v < S.spans[lo].start)
            return -1;
        S.last = lo;
        e = &S.spans[lo];
    }
    uintptr_t k;
    if (e->objsize) {
        uintptr_t off = v - e->start;
        k = (uint32_t)((off * e->divmul) >> 32);
        if (k >= e->nslots)
            return -1;
        *start = off == k * e->objsize;
    } else {
        if (v < e->obj)
            return -1;
        k = 0;
        *start = v == e->obj;
    }
    long i = (long)(e->base + k);
    return S.state[i] == ST_NONE ? -1 : i;
}

static void block_range(long i, uintptr_t *lo, uintptr_t *hi)
{
    size_t l = 0, h = S.nspans;
    while (l + 1 < h) { /* the last span whose base <= i */
        size_t mid = l + (h - l) / 2;
        if (S.spans[mid].base <= (uint32_t)i)
            l = mid;
        else
            h = mid;
    }
    const sp_t *e = &S.spans[l];
    if (e->objsize) {
        *lo = e->start + (uintptr_t)((uint32_t)i - e->base) * e->objsize;
        *hi = *lo + e->objsize;
    } else {
        *lo = e->obj;
        *hi = e->end;
    }
}

/* ---- the mark stack (lc_push / lc_pop) ----------------------------------- */

static void push(long i)
{
    if (S.state[i] & ST_PENDING)
        return;
    S.state[i] |= ST_PENDING;
    if (S.sp < S.stack_cap)
        S.stack[S.sp++] = (uint32_t)i;
    else
        S.overflowed = S.ever_overflowed = 1;
}

static int pop(long *i)
{
    if (S.sp == 0 && S.overflowed) {
        /* Every pending block is off the stack now: take them back. */
        S.overflowed = 0;
        for (size_t k = 0; k < S.nslots; k++)
            if (S.state[k] & ST_PENDING) {
                if (S.sp == S.stack_cap) {
                    S.overflowed = 1;
                    break;
                }
                S.stack[S.sp++] = (uint32_t)k;
            }
    }
    if (S.sp == 0)
        return 0;
    *i = S.stack[--S.sp];
    S.state[*i] &= (uint8_t)~ST_PENDING;
    return 1;
}

static void set_state(long i, unsigned st)
{
    S.state[i] = (uint8_t)((S.state[i] & ST_PENDING) | st);
}

/* A word that may point into the heap (lc_push_if_a_chunk_ptr). */
static void candidate(uintptr_t v)
{
    int start = 0;
    long i = find(v, &start);
    if (i < 0)
        return;
    unsigned st = S.state[i] & ST_MASK;
    if (S.clique < 0) {
        if (st == ST_REACHABLE)
            return;
        if (start && S.prior_definite) {
            set_state(i, ST_REACHABLE);
            push(i);
        } else if (st == ST_UNREACHED) {
            set_state(i, ST_POSSIBLE);
            push(i);
        }
    } else if (st == ST_UNREACHED && i != S.clique) {
        /* Start and interior pointers alike, as memcheck. */
        push(i);
        set_state(i, ST_INDIRECT);
    }
}

/* Reads [lo, hi) a word at a time; only resident pages when probe is set
 * (a page that is not resident holds no pointer: untouched or released,
 * it reads as zero; the exception, swapped-out pages, recording.md). */
static void scan_words(uintptr_t lo, uintptr_t hi)
{
    lo = (lo + 7) & ~(uintptr_t)7;
    for (uintptr_t a = lo; a + 8 <= hi; a += 8)
        candidate(*(const uintptr_t *)a);
}

static uint64_t scan_resident(uintptr_t lo, uintptr_t hi)
{
    static unsigned char vec[MINCORE_BATCH];
    uint64_t read = 0;
    uintptr_t page = lo & ~(uintptr_t)(SYS_PAGE - 1);
    while (page < hi) {
        uintptr_t end = page + (uintptr_t)MINCORE_BATCH * SYS_PAGE;
        if (end > hi || end < page)
            end = hi;
        uintptr_t len = end - page;
        if (mincore((void *)page, len, vec) != 0)
            return read; /* unmapped meanwhile: nothing more to read */
        for (uintptr_t p = 0; p * SYS_PAGE < len; p++) {
            if (!(vec[p] & 1))
                continue;
            uintptr_t a = page + p * SYS_PAGE, b = a + SYS_PAGE;
            if (a < lo)
                a = lo;
            if (b > hi)
                b = hi;
            scan_words(a, b);
            read += b - a;
        }
        page = end;
    }
    return read;
}

static void scan_block(long i)
{
    uintptr_t lo, hi;
    block_range(i, &lo, &hi);
    if (hi - lo > 64 * 1024)
        S.heap_bytes += scan_resident(lo, hi);
    else {
        scan_words(lo, hi);
        S.heap_bytes += hi - lo;
    }
}

/* lc_process_markstack */
static void drain(long clique)
{
    long i;
    S.clique = clique;
    while (pop(&i)) {
        S.prior_definite = (S.state[i] & ST_MASK) != ST_POSSIBLE;
        scan_block(i);
    }
}

static void root_range(void *arg, uintptr_t lo, uintptr_t hi)
{
    (void)arg;
    S.prior_definite = 1;
    S.clique = -1;
    S.root_bytes += scan_resident(lo, hi);
}

static void root_word(void *arg, uintptr_t w)
{
    (void)arg;
    S.prior_definite = 1;
    S.clique = -1;
    candidate(w);
}

/* ---- the scan ------------------------------------------------------------ */

static void emit_all(uint64_t ts, uint64_t flags, const mp_roots_stats_t *rs, uint64_t t0,
                     void (*emit)(void *arg, const mp_rec_leakscan_t *r), void *arg)
{
    static mp_leak_block_t out[MP_LOG_MAX_LEAKSCAN];
    static const uint64_t kind_of[] = {0, MP_LEAK_DEFINITE, MP_LEAK_INDIRECT, MP_LEAK_POSSIBLE,
                                       MP_LEAK_REACHABLE};
    mp_rec_leakscan_t r = {ts, flags, S.live, S.root_bytes, S.heap_bytes, rs->threads,
                           rs->threads_paused, mp_os_now_ns() - t0, 0, out};
    size_t si = 0;
    int sent = 0;
    for (size_t i = 0; i < S.nslots; i++) {
        unsigned st = S.state[i] & ST_MASK;
        if (st == ST_NONE || st == ST_REACHABLE)
            continue;
        while (si + 1 < S.nspans && S.spans[si + 1].base <= i)
            si++;
        const sp_t *e = &S.spans[si];
        out[r.n].addr = e->objsize ? e->start + (uintptr_t)(i - e->base) * e->objsize : e->obj;
        out[r.n].kind = kind_of[st];
        if (++r.n == MP_LOG_MAX_LEAKSCAN) {
            emit(arg, &r);
            sent = 1;
            r.n = 0;
        }
    }
    if (r.n || !sent)
        emit(arg, &r);
}

int mp_leakscan_run(uint64_t ts, void (*emit)(void *arg, const mp_rec_leakscan_t *r), void *arg)
{
    uint64_t t0 = mp_os_now_ns();
    mp_roots_stats_t rs;
    memset(&S, 0, sizeof S);
    S.clique = -1;
    int rc = mp_roots_prepare();
    if (rc != 0) {
        mp_diag("leak scan skipped: no memory for its tables; leak kinds are unknown");
        return rc;
    }
    mp_roots_pause(&rs);
    rc = build_table();
    if (rc == 0)
        rc = mp_roots_each(root_range, root_word, NULL);
    if (rc == 0) {
        drain(-1);
        /* Each block still unreached leads a clique, in address order. */
        for (size_t i = 0; i < S.nslots; i++)
            if ((S.state[i] & ST_MASK) == ST_UNREACHED) {
                push((long)i);
                drain((long)i);
            }
    }
    mp_roots_resume();
    if (rc == 0) {
        uint64_t flags = (rs.threads_paused < rs.threads ? MP_LEAKSCAN_UNPAUSED : 0) |
                         (S.ever_overflowed ? MP_LEAKSCAN_OVERFLOW : 0);
        emit_all(ts, flags, &rs, t0, emit, arg);
    } else if (rc == MP_ENOMEM) {
        mp_diag("leak scan skipped: no memory for its tables (%zu spans, %zu slots); leak kinds "
                "are unknown", S.spans_cap, S.slots_cap);
    }
    unmap_all();
    return rc;
}
