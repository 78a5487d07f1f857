/*
 * central.c — see central.h. Lock: central[c].lock guards the lists and the
 * SMALL spans' freelist/carved/nalloc/on_full fields of class c. The page
 * heap's lock may be taken while holding a class lock, never the reverse.
 */
#include "central.h"
#include "heap.h"
#include "lock.h"
#include "pagemap.h"
#include "pageheap.h"
#include "sizeclasses.h"

#include <stddef.h>

typedef struct {
    mp_lock_t lock;
    mp_span_t *partial;   /* spans with at least one free object */
    mp_span_t *full;      /* spans with none */
    uint64_t nspans;      /* spans held (partial + full) */
    uint64_t out;         /* objects out of this class's spans */
} central_t;

/* One cache line (or two) per class so classes don't share lines. */
static struct {
    central_t c;
    char pad[128 - sizeof(central_t) % 128];
} centrals[MP_NUM_CLASSES];

void mp_central_init(void)
{
    for (uint32_t c = 0; c < MP_NUM_CLASSES; c++)
        pthread_mutex_init(&centrals[c].c.lock.m, NULL);
}

static void push(mp_span_t **head, mp_span_t *s)
{
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void unlink_span(mp_span_t **head, mp_span_t *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

static mp_span_t *new_span(central_t *c, uint32_t cls)
{
    mp_span_t *s = mp_pageheap_alloc(mp_class_pages[cls], 1, MP_SPAN_SMALL);
    if (!s)
        return NULL;
    s->cls = (uint8_t)cls;
    s->objsize = mp_class_size[cls];
    s->divmul = mp_class_divmul[cls];
    s->nobj = mp_class_objects[cls];
    s->carved = 0;
    s->nalloc = 0;
    s->freelist = NULL;
    s->on_full = 0;
    /* Every slot starts out marked free, so a free() of a slot that was
     * never handed out is caught like a double free instead of putting the
     * slot on a list from which it would be handed out twice. */
    for (uint32_t i = 0; i < s->nobj; i++) {
        void **o = (void **)(s->start + (uintptr_t)i * s->objsize);
        o[1] = mp_free_mark(o);
    }
    mp_pagemap_set_info(s->start >> 13, s->npages, cls);
    MP_SPAN_EVENT(MP_SPAN_EV_TAKE, cls, s->npages, s->start);
    push(&c->partial, s);
    c->nspans++;
    return s;
}

uint32_t mp_central_fetch(uint32_t cls, uint32_t want, void **head)
{
    central_t *c = &centrals[cls].c;
    void *list = NULL;
    uint32_t got = 0;
    mp_lock(&c->lock);
    while (got < want) {
        mp_span_t *s = c->partial;
        if (!s && !(s = new_span(c, cls)))
            break;
        while (got < want) {
            void *o;
            if (s->freelist) {
                o = s->freelist;
                s->freelist = *(void **)o;
            } else if (s->carved < s->nobj) {
                o = (void *)(s->start + (uintptr_t)s->carved * s->objsize);
                s->carved++;
            } else {
                break;
            }
            *(void **)o = list;
            list = o;
            s->nalloc++;
            got++;
        }
        if (!s->freelist && s->carved == s->nobj) {
            unlink_span(&c->partial, s);
            push(&c->full, s);
            s->on_full = 1;
        }
    }
    c->out += got;
    mp_unlock(&c->lock);
    *head = list;
    return got;
}

void mp_central_release(uint32_t cls, void *head, uint32_t n)
{
    central_t *c = &centrals[cls].c;
    mp_lock(&c->lock);
    while (head) {
        void *o = head;
        head = *(void **)o;
        mp_span_t *s = mp_pagemap_lookup((uintptr_t)o);
        *(void **)o = s->freelist;
        s->freelist = o;
        s->nalloc--;
        c->out--;
        if (s->on_full) {
            unlink_span(&c->full, s);
            push(&c->partial, s);
            s->on_full = 0;
        }
        if (s->nalloc == 0 && (s->prev || s->next)) {
            /* Empty and not the last partial span: back to the page heap. */
            unlink_span(&c->partial, s);
            c->nspans--;
            MP_SPAN_EVENT(MP_SPAN_EV_RETURN, cls, s->npages, s->start);
            mp_pageheap_free(s);
        }
    }
    (void)n;
    mp_unlock(&c->lock);
}

void mp_central_counts(uint32_t cls, uint64_t *spans, uint64_t *objects_out)
{
    central_t *c = &centrals[cls].c;
    mp_lock(&c->lock);
    *spans = c->nspans;
    *objects_out = c->out;
    mp_unlock(&c->lock);
}

int mp_central_holds_free(uint32_t cls, void *obj)
{
    central_t *c = &centrals[cls].c;
    int found = 0;
    mp_lock(&c->lock);
    mp_span_t *s = mp_pagemap_lookup((uintptr_t)obj);
    if (s && s->state == MP_SPAN_SMALL && s->cls == cls)
        for (void *o = s->freelist; o && !found; o = *(void **)o)
            found = o == obj;
    mp_unlock(&c->lock);
    return found;
}

void mp_central_lock_all(void)
{
    for (uint32_t i = 1; i < MP_NUM_CLASSES; i++)
        mp_lock(&centrals[i].c.lock);
}

void mp_central_unlock_all(void)
{
    for (uint32_t i = MP_NUM_CLASSES; i-- > 1;)
        mp_unlock(&centrals[i].c.lock);
}
