/*
 * pprof_report.c — see pprof_report.h. Two passes over the allocation
 * list: the first finds, per module, what the symbolizer knew about its
 * frames (the mappings' has_* flags, which come before any location in the
 * profile), the second adds functions, locations and one sample per stack.
 */
#include "pprof_report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HAS_FUNCTIONS = 1, HAS_FILENAMES = 2, HAS_LINES = 4, HAS_INLINES = 8 };

typedef struct module_range {
    uint64_t start, limit, bias;
    const char *path;
    unsigned flags;  /* HAS_* */
    uint64_t id;     /* pprof mapping id */
} module_range_t;

typedef struct ctx {
    const mp_replay_t *r;
    module_range_t *mods;
    size_t nmods;
    mp_pprof_t *p;
} ctx_t;

/* The module a frame resolved in, or NULL: the same path and load bias,
 * and its address in the module's range. */
static module_range_t *module_of(const ctx_t *c, const mp_frame_t *f)
{
    uint64_t bias;

    if (!f->module)
        return NULL;
    bias = f->pc - f->module_offset;
    for (size_t i = 0; i < c->nmods; i++) {
        module_range_t *m = &c->mods[i];

        if (m->bias == bias && f->pc >= m->start && f->pc < m->limit &&
            strcmp(m->path, f->module) == 0)
            return m;
    }
    return NULL;
}

static int module_ranges(ctx_t *c)
{
    uint64_t page = mp_replay_process(c->r)->page_size;

    if (page == 0 || (page & (page - 1)))
        page = 4096;
    c->nmods = mp_replay_module_count(c->r);
    c->mods = calloc(c->nmods ? c->nmods : 1, sizeof *c->mods);
    if (!c->mods)
        return -1;
    for (size_t i = 0; i < c->nmods; i++) {
        const mp_replay_module_t *m = mp_replay_module(c->r, i);
        uint64_t lo = UINT64_MAX, hi = 0;

        for (uint32_t k = 0; k < m->nseg; k++) {
            if (m->segs[k].vaddr < lo)
                lo = m->segs[k].vaddr;
            if (m->segs[k].vaddr + m->segs[k].memsz > hi)
                hi = m->segs[k].vaddr + m->segs[k].memsz;
        }
        if (lo > hi)
            lo = hi = 0;
        c->mods[i] = (module_range_t){ (lo & ~(page - 1)) + m->bias, hi + m->bias, m->bias,
                                       m->path ? m->path : "", 0, 0 };
    }
    return 0;
}

static void note_flags(ctx_t *c, const mp_report_stack_t *st)
{
    for (size_t k = 0; st && k < st->nframes; k++) {
        const mp_frame_t *f = &st->frames[k];
        module_range_t *m = module_of(c, f);

        if (!m)
            continue;
        m->flags |= (f->function ? HAS_FUNCTIONS : 0) | (f->file ? HAS_FILENAMES : 0) |
                    (f->line ? HAS_LINES : 0) | (f->inlined ? HAS_INLINES : 0);
    }
}

static int add_mappings(ctx_t *c)
{
    for (size_t i = 0; i < c->nmods; i++) {
        const mp_replay_module_t *rm = mp_replay_module(c->r, i);
        module_range_t *m = &c->mods[i];
        char hex[2 * MP_LOG_MAX_BYTES + 1];
        mp_pprof_mapping_t pm = {
            .memory_start = m->start,
            .memory_limit = m->limit,
            .filename = m->path,
            .build_id = hex,
            .has_functions = !!(m->flags & HAS_FUNCTIONS),
            .has_filenames = !!(m->flags & HAS_FILENAMES),
            .has_line_numbers = !!(m->flags & HAS_LINES),
            /* DWARF with lines answers for inlining too, inlined or not */
            .has_inline_frames = !!(m->flags & (HAS_INLINES | HAS_LINES)),
        };
        size_t n = rm->build_id_len < MP_LOG_MAX_BYTES ? rm->build_id_len : MP_LOG_MAX_BYTES;

        for (size_t k = 0; k < n; k++)
            snprintf(hex + 2 * k, 3, "%02x", rm->build_id[k]);
        hex[2 * n] = '\0';
        if (mp_pprof_add_mapping(c->p, &pm, &m->id) != 0)
            return -1;
    }
    return 0;
}

/* Adds the location of frames f[0..n): one return address's inline chain,
 * innermost first. */
static int add_location(ctx_t *c, const mp_frame_t *f, size_t n, uint64_t *id)
{
    mp_pprof_line_t lines[MP_SYM_MAX_FRAMES];
    const module_range_t *m = module_of(c, &f[n - 1]);

    for (size_t k = 0; k < n; k++) {
        char name[256];
        const char *fn = f[k].function;

        if (!fn) {
            mp_frame_name(&f[k], name, sizeof name);
            fn = name;
        }
        if (mp_pprof_function(c->p, fn, fn, f[k].file, &lines[k].function_id) != 0)
            return -1;
        lines[k].line = f[k].line;
    }
    return mp_pprof_location(c->p, m ? m->id : 0, f[n - 1].pc, n, lines, id);
}

static int add_sample(ctx_t *c, const mp_report_entry_t *e, int sampled, uint64_t **ids,
                      size_t *cap)
{
    const mp_report_stack_t *st = e->stack;
    const mp_replay_site_t *s = e->site;
    size_t n = st ? st->nframes : 0, nloc = 0;
    int64_t v[4] = {
        sampled ? (int64_t)llround(s->est_allocs) : (int64_t)s->allocs,
        (int64_t)s->bytes_allocated,
        sampled ? (int64_t)llround(s->est_leaked_blocks) : (int64_t)s->leaked_blocks,
        (int64_t)s->leaked_bytes,
    };

    if (n + 1 > *cap) {
        free(*ids);
        *cap = 2 * n + 16;
        *ids = malloc(*cap * sizeof **ids);
        if (!*ids)
            return -1;
    }
    if (n == 0) {
        mp_pprof_line_t line = { 0, 0 };

        if (mp_pprof_function(c->p, "[no stack]", "[no stack]", NULL, &line.function_id) != 0 ||
            mp_pprof_location(c->p, 0, 0, 1, &line, &(*ids)[0]) != 0)
            return -1;
        nloc = 1;
    }
    for (size_t k = 0; k < n;) {
        size_t end = k;

        /* A chain runs to its first frame that was not inlined. */
        while (end + 1 < n && st->frames[end].inlined && end - k + 1 < MP_SYM_MAX_FRAMES)
            end++;
        if (add_location(c, &st->frames[k], end - k + 1, &(*ids)[nloc++]) != 0)
            return -1;
        k = end + 1;
    }
    return mp_pprof_add_sample(c->p, nloc, *ids, v);
}

static int describe(ctx_t *c, const mp_report_t *rep)
{
    const mp_replay_process_t *proc = mp_replay_process(c->r);
    mp_replay_summary_t s;
    char line[512];
    int sampled = proc->mode == MP_MODE_SAMPLED;

    mp_replay_summary(c->r, &s);
    if (mp_pprof_add_sample_type(c->p, "alloc_objects", "count") != 0 ||
        mp_pprof_add_sample_type(c->p, "alloc_space", "bytes") != 0 ||
        mp_pprof_add_sample_type(c->p, "inuse_objects", "count") != 0 ||
        mp_pprof_add_sample_type(c->p, "inuse_space", "bytes") != 0 ||
        mp_pprof_set_default_sample_type(c->p, "inuse_space") != 0 ||
        mp_pprof_set_period(c->p, "space", "bytes",
                            sampled ? (int64_t)proc->sample_interval : 1) != 0)
        return -1;
    mp_pprof_set_time(c->p, (int64_t)proc->start_real_ns, (int64_t)s.duration_ns);
    snprintf(line, sizeof line, "memprof pprof %s: pid %" PRIu64 ", %s", mp_report_path(rep),
             proc->pid, proc->exe ? proc->exe : "?");
    if (mp_pprof_add_comment(c->p, line) != 0 ||
        mp_pprof_add_comment(c->p, "inuse = still live at exit (leaked); alloc = over the run") != 0)
        return -1;
    if (sampled) {
        snprintf(line, sizeof line, "sampled log (one sample per %" PRIu64 " bytes on average): "
                 "figures are estimates, as memprof report's", proc->sample_interval);
        if (mp_pprof_add_comment(c->p, line) != 0)
            return -1;
    }
    if (s.partial && mp_pprof_add_comment(c->p, "partial log: exported as far as it goes") != 0)
        return -1;
    return 0;
}

int mp_pprof_from_report(const mp_report_t *rep, mp_pprof_t **out)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_ALLOCS);
    ctx_t c = { .r = mp_report_replay(rep) };
    int sampled = mp_replay_process(c.r)->mode == MP_MODE_SAMPLED;
    uint64_t *ids = NULL;
    size_t cap = 0;

    *out = NULL;
    c.p = mp_pprof_new();
    if (!c.p || module_ranges(&c) != 0 || describe(&c, rep) != 0)
        goto fail;
    for (size_t i = 0; i < l->n; i++)
        note_flags(&c, l->v[i].stack);
    if (add_mappings(&c) != 0)
        goto fail;
    for (size_t i = 0; i < l->n; i++)
        if (add_sample(&c, &l->v[i], sampled, &ids, &cap) != 0)
            goto fail;
    free(ids);
    free(c.mods);
    *out = c.p;
    return 0;
fail:
    free(ids);
    free(c.mods);
    mp_pprof_free(c.p);
    return -1;
}
