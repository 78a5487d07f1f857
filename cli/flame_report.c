/*
 * flame_report.c — see flame_report.h. Each metric reads one ranked list
 * of the report (leaks, peak contributors, allocation counts, temporary
 * allocations): with top = 0 it holds every stack with a non-zero figure,
 * symbolized, and nothing else needs symbolizing.
 */
#define _GNU_SOURCE
#include "flame_report.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *title, *count_name;
    int bytes;
    mp_report_list_kind_t list;
} metrics[] = {
    [MP_FLAME_PEAK] = { "peak", "bytes live at the peak", "blocks", 1, MP_REPORT_PEAK },
    [MP_FLAME_LEAKED] = { "leaked", "bytes leaked", "blocks", 1, MP_REPORT_LEAKS },
    [MP_FLAME_ALLOCATED] = { "allocated", "bytes allocated", "allocations", 1, MP_REPORT_ALLOCS },
    [MP_FLAME_ALLOCATIONS] = { "allocations", "allocations", "allocations", 0, MP_REPORT_ALLOCS },
    [MP_FLAME_TEMPORARY] = { "temporary", "temporary allocations", "temporary allocations", 0,
                             MP_REPORT_TEMPORARY },
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

int mp_flame_metric_parse(const char *s, mp_flame_metric_t *out)
{
    for (size_t i = 0; i < NMETRICS; i++)
        if (strcmp(s, metrics[i].name) == 0) {
            *out = (mp_flame_metric_t)i;
            return 0;
        }
    return -1;
}

const char *mp_flame_metric_title(mp_flame_metric_t m)
{
    return metrics[m].title;
}

int mp_flame_metric_is_bytes(mp_flame_metric_t m)
{
    return metrics[m].bytes;
}

const char *mp_flame_metric_count_name(mp_flame_metric_t m)
{
    return metrics[m].count_name;
}

/* A site's value, bytes and count under m. */
static void figures(const mp_replay_site_t *s, mp_flame_metric_t m, int sampled, uint64_t v[3])
{
    uint64_t allocs = sampled ? (uint64_t)llround(s->est_allocs) : s->allocs;

    switch (m) {
    case MP_FLAME_PEAK:
        v[0] = v[1] = s->peak_bytes;
        v[2] = s->peak_blocks;
        break;
    case MP_FLAME_LEAKED:
        v[0] = v[1] = s->leaked_bytes;
        v[2] = sampled ? (uint64_t)llround(s->est_leaked_blocks) : s->leaked_blocks;
        break;
    case MP_FLAME_ALLOCATED:
        v[0] = v[1] = s->bytes_allocated;
        v[2] = allocs;
        break;
    case MP_FLAME_ALLOCATIONS:
        v[0] = v[2] = allocs;
        v[1] = s->bytes_allocated;
        break;
    case MP_FLAME_TEMPORARY:
        v[0] = v[2] = s->temporary;
        v[1] = 0;
        break;
    }
}

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');

    return b ? b + 1 : path;
}

/* Adds every stack of rep with some of m to t: as the tree's own, or as
 * its base. 0, or -1 out of memory. */
static int add_report(mp_flame_tree_t *t, const mp_report_t *rep, mp_flame_metric_t m, int base)
{
    const mp_report_list_t *l = mp_report_list(rep, metrics[m].list);
    int sampled = mp_replay_process(mp_report_replay(rep))->mode == MP_MODE_SAMPLED;
    mp_flame_frame_t *fr = NULL;
    char (*names)[48] = NULL; /* "module+0x..." or "0x..." of unnamed frames */
    size_t cap = 0;
    int rc = 0;

    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const mp_report_stack_t *st = l->v[i].stack;
        size_t n = st ? st->nframes : 0;
        uint64_t v[3] = { 0, 0, 0 };

        figures(l->v[i].site, m, sampled, v);
        if (n + 1 > cap) {
            cap = 2 * (n + 1) + 64;
            free(fr);
            free(names);
            fr = malloc(cap * sizeof *fr);
            names = malloc(cap * sizeof *names);
            if (!fr || !names) {
                rc = -1;
                break;
            }
        }
        if (n == 0) {
            fr[0] = (mp_flame_frame_t){ "[no stack]", NULL, 0 };
            n = 1;
        } else {
            for (size_t k = 0; k < n; k++) {
                const mp_frame_t *f = &st->frames[n - 1 - k]; /* root first */

                fr[k].file = f->file;
                fr[k].line = f->line;
                if (f->function) {
                    fr[k].name = f->function;
                    continue;
                }
                if (f->module)
                    snprintf(names[k], sizeof names[k], "%.24s+0x%" PRIx64,
                             base_name(f->module), f->module_offset);
                else
                    snprintf(names[k], sizeof names[k], "0x%" PRIx64, f->pc);
                fr[k].name = names[k];
            }
        }
        rc = base ? mp_flame_tree_add_base(t, n, fr, v[0], v[1], v[2])
                  : mp_flame_tree_add(t, n, fr, v[0], v[1], v[2]);
    }
    free(fr);
    free(names);
    return rc;
}

int mp_flame_from_report(const mp_report_t *rep, mp_flame_metric_t m, mp_flame_tree_t **out)
{
    return mp_flame_diff_from_reports(NULL, rep, m, out);
}

int mp_flame_diff_from_reports(const mp_report_t *a, const mp_report_t *b, mp_flame_metric_t m,
                               mp_flame_tree_t **out)
{
    mp_flame_tree_t *t = mp_flame_tree_new();

    *out = NULL;
    if (!t)
        return -1;
    if (add_report(t, b, m, 0) != 0 || (a && add_report(t, a, m, 1) != 0) ||
        mp_flame_tree_finish(t) != 0) {
        mp_flame_tree_free(t);
        return -1;
    }
    *out = t;
    return 0;
}
