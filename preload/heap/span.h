/*
 * span.h — the span record: a run of contiguous 8 KiB pages that serves
 * either one size class (many small objects) or one large object.
 *
 * States and transitions (a span record is recycled through the page
 * heap's fixalloc once merged away):
 *
 *     FREE ──alloc──▶ SMALL (owned by central[cls]) ──empty──▶ FREE
 *     FREE ──alloc──▶ LARGE (one object at obj)     ──free───▶ FREE
 *
 * Which fields are valid and who guards them:
 *   start, npages, state   page heap lock for writes; read without a lock by
 *                          free() through the page map (only for spans in
 *                          use, whose fields do not change while in use)
 *   cls, objsize, nobj     set when the span becomes SMALL, then constant
 *   freelist, carved,
 *   nalloc, on_full        central[cls]'s lock
 *   next, prev             the lock of the list the span is on
 *   freed_ns               page heap lock (FREE spans only)
 *   obj                    LARGE: the object's address (>= start, aligned)
 *
 * Invariant for a SMALL span: nalloc + (objects on freelist) + (nobj -
 * carved) == nobj, and on_full == (freelist == NULL && carved == nobj).
 */
#ifndef MP_SPAN_H
#define MP_SPAN_H

#include <stdint.h>

enum { MP_SPAN_FREE = 0, MP_SPAN_SMALL = 1, MP_SPAN_LARGE = 2 };

typedef struct mp_span {
    uintptr_t start;       /* address of the first page */
    uint32_t npages;       /* length in 8 KiB pages */
    uint8_t state;         /* MP_SPAN_* */
    uint8_t cls;           /* size class (SMALL), 0 otherwise */
    uint8_t on_full;       /* SMALL: on central's full list */
    uint8_t zeroed;        /* LARGE: every page was untouched/released when
                              the span was handed out, so it reads as zero */
    uint32_t objsize;      /* SMALL: bytes per object */
    uint32_t divmul;       /* SMALL: reciprocal for offset -> index */
    uint16_t nobj;         /* SMALL: objects the span holds */
    uint16_t carved;       /* SMALL: objects ever handed out (bump index) */
    uint16_t nalloc;       /* SMALL: objects out of the span now */
    uint8_t sampled;       /* LARGE: holds one sampled allocation (the
                              recorder's O(1) test on free) */
    uint8_t pad_;
    void *freelist;        /* SMALL: freed objects, linked via first word */
    uintptr_t obj;         /* LARGE: the object's address */
    uint64_t freed_ns;     /* FREE: when it last became free (scavenger) */
    struct mp_span *next;  /* list links; see the lock table above */
    struct mp_span *prev;
} mp_span_t;

/* Span events for the recorder (docs/format.md, SPAN ops): NULL unless
 * recording. Called with heap locks held: it must not allocate or take a
 * heap lock. */
typedef void (*mp_span_hook_fn)(int op, uint32_t cls, uint32_t pages, uintptr_t addr);
extern mp_span_hook_fn mp_span_hook;
enum { MP_SPAN_EV_TAKE = 1, MP_SPAN_EV_RETURN = 2, MP_SPAN_EV_RELEASE = 3,
       MP_SPAN_EV_LARGE_TAKE = 4, MP_SPAN_EV_LARGE_RETURN = 5 };
#define MP_SPAN_EVENT(op, cls, pages, addr)                                    \
    do {                                                                      \
        mp_span_hook_fn h_ = __atomic_load_n(&mp_span_hook, __ATOMIC_RELAXED); \
        if (__builtin_expect(h_ != 0, 0))                                     \
            h_((op), (cls), (pages), (addr));                                 \
    } while (0)

/* Sampled mode: called by free for a sampled block before it goes back
 * (the recorder's FREE event). NULL unless recording sampled. The free
 * fast path never sees a sampled block (its page has no class info). */
typedef void (*mp_sampled_free_fn)(void *p);
extern mp_sampled_free_fn mp_sampled_free_hook;

static inline uintptr_t mp_span_end(const mp_span_t *s)
{
    return s->start + ((uintptr_t)s->npages << 13);
}

#endif
