/*
 * check_baseline.c — comparing a run with a baseline log (check_baseline.h).
 */
#include "check_baseline.h"

#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * FNV_PRIME;
    return (h ^ 0xff) * FNV_PRIME; /* a separator no name contains */
}

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

uint64_t mp_check_stack_key(const mp_report_stack_t *s)
{
    uint64_t h = FNV_OFFSET;

    if (!s || s->nframes == 0)
        return 0;
    for (size_t i = 0; i < s->nframes; i++) {
        const mp_frame_t *f = &s->frames[i];
        if (f->function) {
            h = fnv(h, f->function);
            h = fnv(h, base_name(f->file));
        } else {
            h = fnv(h, base_name(f->module));
        }
    }
    return h ? h : 1;
}
