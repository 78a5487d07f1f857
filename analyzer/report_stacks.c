/*
 * report_stacks.c — see report_stacks.h. Which module an address belongs to
 * depends on when: a library dlclose'd and another dlopen'd at the same
 * addresses later are two modules over one range. The symbolizer resolves
 * an address in the newest module still loaded (symbolizer.h), which is
 * right when modules are added, and marked gone, as the program mapped and
 * unmapped them — so this file replays the modules' history in time order
 * and resolves each stack at the time it was first used (its site's
 * first_ts):
 *
 *   - a module is marked gone before stacks used after its MODULE_GONE's
 *     ts (gone_ts < first_ts): the shim interposes dlclose and records the
 *     unload before the library disappears, so an allocation at gone_ts
 *     itself still ran with the module mapped;
 *   - a module is added before stacks used after the unload of the last
 *     module before it that overlaps its addresses — not at its MODULE
 *     record's ts, which is when the shim's writer noticed the dlopen
 *     (docs/recording.md), after the library's constructors and first
 *     calls may have allocated. A module that overlaps no earlier one is
 *     added before everything.
 *
 * Stacks are resolved in first_ts order, so module changes only move
 * forward; the symbolizer drops cached answers a newer module shadows.
 * Ties keep the log's order (modules) and site order (stacks).
 *
 * Every STACK frame is a return address (symbolizer.h), frame 0 included.
 * Frames in memprof's shim are left out (mp_symbolizer_is_shim).
 */
#define _GNU_SOURCE /* qsort_r */
#include "report_stacks.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct mod_event {
    uint64_t ts;    /* apply before stacks with first_ts > ts (adds at 0: always) */
    size_t module;  /* mp_replay_module index */
    int gone;       /* 0 add, 1 mark gone */
} mod_event_t;

struct mp_report_stacks {
    const mp_replay_t *r;
    mp_symbolizer_t *sym;
    size_t nsites;
    mp_report_stack_t **stacks; /* per site: resolved stack, or NULL */
    unsigned char *wanted;      /* per site: asked for */
    const char *const *alloc_fns; /* the caller's; see set_alloc_fns */
    size_t nalloc_fns;
};

int mp_report_stacks_create(mp_report_stacks_t **out, const mp_replay_t *r,
                            const mp_symbolizer_options_t *opt)
{
    mp_report_stacks_t *st = calloc(1, sizeof *st);

    *out = NULL;
    if (!st)
        return MP_ELOG_NOMEM;
    st->r = r;
    st->nsites = mp_replay_site_count(r);
    st->stacks = calloc(st->nsites ? st->nsites : 1, sizeof *st->stacks);
    st->wanted = calloc(st->nsites ? st->nsites : 1, 1);
    if (!st->stacks || !st->wanted || mp_symbolizer_create(&st->sym, opt) != 0) {
        mp_report_stacks_destroy(st);
        return MP_ELOG_NOMEM;
    }
    *out = st;
    return 0;
}

void mp_report_stacks_destroy(mp_report_stacks_t *st)
{
    if (!st)
        return;
    if (st->stacks) {
        for (size_t i = 0; i < st->nsites; i++) {
            if (st->stacks[i])
                free((void *)st->stacks[i]->frames);
            free(st->stacks[i]);
        }
    }
    free(st->stacks);
    free(st->wanted);
    mp_symbolizer_destroy(st->sym);
    free(st);
}

void mp_report_stacks_want(mp_report_stacks_t *st, size_t i)
{
    if (i < st->nsites)
        st->wanted[i] = 1;
}

const mp_report_stack_t *mp_report_stacks_get(const mp_report_stacks_t *st, size_t i)
{
    return i < st->nsites ? st->stacks[i] : NULL;
}

size_t mp_report_stacks_warning_count(const mp_report_stacks_t *st)
{
    return mp_symbolizer_warning_count(st->sym);
}

const char *mp_report_stacks_warning(const mp_report_stacks_t *st, size_t i)
{
    const mp_sym_warning_t *w = mp_symbolizer_warning(st->sym, i);
    return w ? w->msg : NULL;
}

/* ---- The modules' history ---------------------------------------------- */

/* 1 if two modules' segments share a runtime address. */
static int overlap(const mp_replay_module_t *a, const mp_replay_module_t *b)
{
    for (uint32_t i = 0; i < a->nseg; i++) {
        uint64_t alo = a->segs[i].vaddr + a->bias, ahi = alo + a->segs[i].memsz;
        for (uint32_t j = 0; j < b->nseg; j++) {
            uint64_t blo = b->segs[j].vaddr + b->bias, bhi = blo + b->segs[j].memsz;
            if (alo < bhi && blo < ahi)
                return 1;
        }
    }
    return 0;
}

static int by_event_time(const void *pa, const void *pb)
{
    const mod_event_t *a = pa, *b = pb;

    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (a->gone != b->gone) /* adds first: an add at 0 is always applied */
        return a->gone - b->gone;
    return a->module < b->module ? -1 : a->module > b->module; /* the log's order */
}

/* The modules' adds and unloads, in the order to apply them. */
static int module_events(const mp_replay_t *r, mod_event_t **out, size_t *n)
{
    size_t nmod = mp_replay_module_count(r), k = 0;
    mod_event_t *ev = malloc((2 * nmod + 1) * sizeof *ev);

    if (!ev)
        return MP_ELOG_NOMEM;
    for (size_t i = 0; i < nmod; i++) {
        const mp_replay_module_t *m = mp_replay_module(r, i);
        uint64_t add = 0;

        /* O(modules^2 * segments^2) once: programs map hundreds of
         * modules, each with a handful of segments. */
        for (size_t j = 0; j < i; j++) {
            const mp_replay_module_t *o = mp_replay_module(r, j);
            if (o->gone && o->gone_ts > add && overlap(m, o))
                add = o->gone_ts;
        }
        ev[k++] = (mod_event_t){ add, i, 0 };
        if (m->gone)
            ev[k++] = (mod_event_t){ m->gone_ts, i, 1 };
    }
    qsort(ev, k, sizeof *ev, by_event_time);
    *out = ev;
    *n = k;
    return 0;
}

static int apply(mp_report_stacks_t *st, const mod_event_t *e)
{
    const mp_replay_module_t *m = mp_replay_module(st->r, e->module);
    int rc;

    if (e->gone)
        return mp_symbolizer_module_gone(st->sym, m->id) == MP_ELOG_NOMEM ? MP_ELOG_NOMEM : 0;
    rc = mp_symbolizer_add_module(st->sym, m->id, m->path, strlen(m->path), m->build_id,
                                  m->build_id_len, m->bias, m->segs, m->nseg);
    /* INVAL (a module record the symbolizer cannot use: no segments, a
     * segment that wraps) leaves its addresses unresolved, not an error. */
    return rc == MP_ELOG_NOMEM ? MP_ELOG_NOMEM : 0;
}

/* ---- Stacks ------------------------------------------------------------ */

void mp_report_stacks_set_alloc_fns(mp_report_stacks_t *st, const char *const *fns, size_t n)
{
    st->alloc_fns = fns;
    st->nalloc_fns = n;
}

static int is_alloc_fn(const mp_report_stacks_t *st, const mp_frame_t *f)
{
    if (!f->function)
        return 0;
    for (size_t i = 0; i < st->nalloc_fns; i++)
        if (fnmatch(st->alloc_fns[i], f->function, 0) == 0)
            return 1;
    return 0;
}

static int resolve_site(mp_report_stacks_t *st, size_t i)
{
    const mp_replay_site_t *s = mp_replay_site(st->r, i);
    mp_frame_t chain[MP_SYM_MAX_FRAMES];
    mp_report_stack_t *stack = calloc(1, sizeof *stack);
    mp_frame_t *frames = NULL;
    size_t n = 0, cap = 0;

    if (!stack)
        return MP_ELOG_NOMEM;
    stack->stack_id = s->stack_id;
    for (uint32_t k = 0; k < s->nframes; k++) {
        size_t got;

        if (mp_symbolizer_is_shim(st->sym, s->frames[k])) {
            stack->shim_frames++;
            continue;
        }
        if (mp_symbolizer_resolve(st->sym, s->frames[k], true, chain, MP_SYM_MAX_FRAMES,
                                  &got) != 0)
            goto nomem;
        if (n + got > cap) {
            size_t ncap = cap ? 2 * cap : 16;
            while (ncap < n + got)
                ncap *= 2;
            mp_frame_t *f = realloc(frames, ncap * sizeof *f);
            if (!f)
                goto nomem;
            frames = f;
            cap = ncap;
        }
        memcpy(frames + n, chain, got * sizeof *chain);
        n += got;
    }
    /* The program's own allocation wrappers at the top of the stack, as
     * the user named them; the innermost frame left is their caller. */
    size_t skip = 0;
    while (skip + 1 < n && is_alloc_fn(st, &frames[skip]))
        skip++;
    if (skip) {
        memmove(frames, frames + skip, (n - skip) * sizeof *frames);
        n -= skip;
        stack->alloc_fn_frames = (uint32_t)skip;
    }
    stack->frames = frames;
    stack->nframes = n;
    st->stacks[i] = stack;
    return 0;

nomem:
    free(frames);
    free(stack);
    return MP_ELOG_NOMEM;
}

static int by_first_use(const void *pa, const void *pb, void *arg)
{
    const mp_replay_t *r = arg;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    uint64_t ta = mp_replay_site(r, a)->first_ts, tb = mp_replay_site(r, b)->first_ts;

    if (ta != tb)
        return ta < tb ? -1 : 1;
    return a < b ? -1 : a > b;
}

int mp_report_stacks_resolve(mp_report_stacks_t *st)
{
    mod_event_t *ev = NULL;
    size_t nev = 0, next = 0, nwant = 0, *order;
    int rc;

    for (size_t i = 0; i < st->nsites; i++)
        nwant += st->wanted[i] && !st->stacks[i];
    if (nwant == 0)
        return 0;
    order = malloc(nwant * sizeof *order);
    if (!order)
        return MP_ELOG_NOMEM;
    nwant = 0;
    for (size_t i = 0; i < st->nsites; i++)
        if (st->wanted[i] && !st->stacks[i])
            order[nwant++] = i;
    qsort_r(order, nwant, sizeof *order, by_first_use, (void *)st->r);

    rc = module_events(st->r, &ev, &nev);
    for (size_t k = 0; rc == 0 && k < nwant; k++) {
        uint64_t t = mp_replay_site(st->r, order[k])->first_ts;

        while (rc == 0 && next < nev &&
               (ev[next].ts < t || (ev[next].ts == 0 && !ev[next].gone)))
            rc = apply(st, &ev[next++]);
        if (rc == 0)
            rc = resolve_site(st, order[k]);
    }
    free(ev);
    free(order);
    return rc;
}
