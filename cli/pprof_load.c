/*
 * pprof_load.c — see pprof_load.h.
 */
#include "pprof_load.h"

#include <inttypes.h>
#include <stdio.h>

#include "cli_error.h"

int mp_load_option(const char *cmd, mp_load_options_t *o, int base, int id, const char *value)
{
    switch (id - base) {
    case 0:
        if (o->ndebug_dirs == MP_LOAD_MAX)
            goto too_many;
        o->debug_dirs[o->ndebug_dirs++] = value;
        return 0;
    case 1:
        o->sysroot = value;
        return 0;
    case 2:
        if (o->nalloc_fns == MP_LOAD_MAX)
            goto too_many;
        o->alloc_fns[o->nalloc_fns++] = value;
        return 0;
    }
    return 0;
too_many:
    mp_usage_error(cmd, "at most %d --%s options", MP_LOAD_MAX,
                   id == base ? "debug-dir" : "alloc-fn");
    return -MP_CLI_EUSAGE;
}

int mp_load_report(const char *cmd, const char *path, const mp_load_options_t *o,
                   mp_report_t **out)
{
    mp_report_options_t ro = {
        .top = 0, /* every stack, symbolized */
        .sym = { .debug_dirs = o->debug_dirs, .ndebug_dirs = o->ndebug_dirs,
                 .sysroot = o->sysroot, .demangle = true },
        .alloc_fns = o->alloc_fns,
        .nalloc_fns = o->nalloc_fns,
    };
    mp_log_error_t err;
    int rc = mp_report_build(path, &ro, out, &err);

    if (rc == 0)
        return 0;
    if (rc == MP_ELOG_NOMEM) {
        fprintf(stderr, "memprof: %s: %s: %s\n", cmd, path, err.msg);
        return 1;
    }
    if (err.chunk >= 0 && err.code != MP_ELOG_IO)
        fprintf(stderr, "memprof: %s: %s: nothing usable: decoding stopped at byte %" PRIu64
                        " (chunk %" PRId64 "): %s\n",
                cmd, path, err.offset, err.chunk, err.msg);
    else
        fprintf(stderr, "memprof: %s: %s: nothing usable: %s\n", cmd, path, err.msg);
    return 2;
}
