/*
 * objfile.h — one module file opened with libdw (elfutils' Dwfl), and the
 * frames at an address in it: functions from DWARF or the symbol table,
 * source file:line, inlined calls. Used by symbolizer.c, which caches,
 * demangles and interns what this returns.
 *
 * Addresses here are the file's own ELF virtual addresses (a runtime
 * address minus the module's load bias): the file is reported to libdw at
 * bias 0, so one opened file serves every mapping of it, however often it
 * was loaded and wherever.
 */
#ifndef MP_OBJFILE_H
#define MP_OBJFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debuginfo.h"

typedef struct mp_objfile mp_objfile_t;

/* What opening a module's file found. */
typedef enum mp_objfile_status {
    MP_OBJ_OK = 0,
    MP_OBJ_MISSING,  /* cannot be opened (errno in err) */
    MP_OBJ_NOT_ELF,  /* opened, but not an ELF file libdw can place */
    MP_OBJ_BUILD_ID, /* its build-id is not the log's */
} mp_objfile_status_t;

typedef struct mp_objfile_info {
    mp_objfile_status_t status; /* of the module's own file */
    int err;                    /* MP_OBJ_MISSING: errno */
    char *path;                 /* the module file as looked for (malloc'd) */
    uint8_t file_build_id[MP_BUILD_ID_CAP]; /* MP_OBJ_BUILD_ID: the file's */
    size_t file_build_id_len;
    char *stand_in;  /* status != OK but the log's build-id found a debug
                        file, now used in the file's place (malloc'd), else NULL */
    bool has_dwarf;  /* DWARF found (in the file or a separate debug file) */
    bool has_symbols;/* any symbol table (.symtab or .dynsym) */
} mp_objfile_info_t;

/* Opens the file of a module logged at path `logged` with build-id
 * (len 0: unchecked), looking it and its debug files up through dirs,
 * which must outlive the objfile. Sets *out to an objfile that can resolve
 * addresses, or NULL when none can (info says why), and fills *info (free
 * its strings with mp_objfile_info_free). Returns 0, or MP_ELOG_NOMEM. */
int mp_objfile_open(const mp_debugdirs_t *dirs, const char *logged, const uint8_t *build_id,
                    size_t len, mp_objfile_t **out, mp_objfile_info_t *info);

/* NULL is fine. */
void mp_objfile_close(mp_objfile_t *o);

void mp_objfile_info_free(mp_objfile_info_t *info);

/* Path of the separate debug file in use, NULL if none (DWARF in the file
 * itself, or no DWARF). */
const char *mp_objfile_debug_file(const mp_objfile_t *o);

/* One frame as libdw gives it. Strings point into libdw's data and live as
 * long as the objfile. */
typedef struct mp_objframe {
    const char *name;       /* linkage (mangled) name if any, else the plain
                               name; NULL if unknown */
    const char *file;       /* NULL if unknown */
    uint32_t line, column;  /* 0 if unknown */
    uint64_t symbol_offset; /* address - symbol start; 0 for inlined frames */
    bool inlined;           /* inlined into the next frame */
} mp_objframe_t;

/* The frames at vaddr, innermost first, the containing function last. At
 * most max are stored; a longer chain loses its innermost frames. *n is 0
 * if nothing is known about vaddr. Returns 0, or MP_ELOG_NOMEM. */
int mp_objfile_lookup(mp_objfile_t *o, uint64_t vaddr, mp_objframe_t *out, size_t max,
                      size_t *n);

#endif
