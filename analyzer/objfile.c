/*
 * objfile.c — see objfile.h. One Dwfl session per module file, holding one
 * module reported with dwfl_report_elf at bias 0 (so libdw's addresses are
 * the file's ELF virtual addresses), with our own find_debuginfo callback
 * (debuginfo.c) instead of elfutils' standard one, which may go online.
 *
 * Why a session per file rather than one for the whole process: modules
 * unloaded and replaced during the run overlap in address, which one Dwfl
 * cannot represent, and at bias 0 a file loaded many times is opened once.
 * The cost is a few hundred bytes per file plus what libdw keeps for it
 * (the file's descriptor stays open while libdw uses it: one, or two with a
 * separate debug file, per module that appears in a stack).
 *
 * Lookup of an address (docs/symbolize.md, "What a frame holds"):
 *   1. the symbol table, sorted once (addr_index.c): the containing
 *      function's name and the offset into it, DWARF or not;
 *   2. the DWARF scopes at the address, innermost first: each
 *      DW_TAG_inlined_subroutine is a frame, up to the DW_TAG_subprogram
 *      that contains them, from the unit's function index (addr_index.c);
 *   3. the line table (dwfl_module_getsrc) gives the innermost frame's
 *      file:line; each inlined frame's DW_AT_call_file/call_line/
 *      call_column give the position of the next frame out (the call site).
 * Names: a mangled C++ DW_AT_linkage_name (following abstract_origin and
 * specification) so that C++ names demangle to their qualified form, else
 * DW_AT_name, else the symbol table's.
 */
#define _GNU_SOURCE
#include "objfile.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr_index.h"
#include "log_format.h"

/* Deepest inline chain looked at; MP_SYM_MAX_FRAMES is below it. */
#define MP_OBJ_MAX_SCOPES 128

struct mp_objfile {
    Dwfl *dwfl;                  /* the session; owns the module's descriptors */
    Dwfl_Module *mod;            /* the one module in it */
    const mp_debugdirs_t *dirs;  /* the symbolizer's, outlives us */
    char *logged;                /* path as the log gives it */
    char *real;                  /* the file reported to libdw */
    uint8_t id[MP_BUILD_ID_CAP]; /* that file's build-id */
    size_t id_len;
    char *debug_file;            /* separate debug file libdw took, or NULL */
    mp_symindex_t *syms;         /* function symbols by address */
    mp_funcindex_t *funcs;       /* DWARF functions, per unit as used */
};

/* ---- libdw callbacks ---------------------------------------------------- */

/* The main file is always reported with its descriptor, so libdw never
 * needs to look for it. */
static int find_elf_none(Dwfl_Module *mod, void **userdata, const char *modname,
                         Dwarf_Addr base, char **file_name, Elf **elfp)
{
    (void)mod, (void)userdata, (void)modname, (void)base, (void)file_name, (void)elfp;
    errno = ENOENT;
    return -1;
}

static int find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
                          Dwarf_Addr base, const char *file_name, const char *debuglink_file,
                          GElf_Word debuglink_crc, char **debuginfo_file_name)
{
    (void)mod, (void)modname, (void)base;
    mp_objfile_t *o = *userdata;
    char *found;
    if (!o)
        return -1;
    /* file_name is the main file for a debuglink, the debug file for a
     * (relative) dwz altlink. */
    int fd = mp_debuginfo_find(o->dirs, o->id, o->id_len, o->logged,
                               file_name ? file_name : o->real, debuglink_file,
                               debuglink_crc, &found);
    if (fd < 0) {
        errno = ENOENT;
        return -1;
    }
    if (!o->debug_file && !(debuglink_file && strchr(debuglink_file, '/')))
        o->debug_file = strdup(found); /* for messages only: NULL is harmless */
    *debuginfo_file_name = found;      /* libdw frees it */
    return fd;
}

static const Dwfl_Callbacks callbacks = {
    .find_elf = find_elf_none,
    .find_debuginfo = find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = NULL,
};

/* ---- Opening ------------------------------------------------------------ */

void mp_objfile_info_free(mp_objfile_info_t *info)
{
    free(info->path);
    free(info->stand_in);
    info->path = info->stand_in = NULL;
}

void mp_objfile_close(mp_objfile_t *o)
{
    if (!o)
        return;
    mp_symindex_free(o->syms);
    mp_funcindex_destroy(o->funcs);
    if (o->dwfl)
        dwfl_end(o->dwfl);
    free(o->logged);
    free(o->real);
    free(o->debug_file);
    free(o);
}

const char *mp_objfile_debug_file(const mp_objfile_t *o)
{
    return o->debug_file;
}

int mp_objfile_open(const mp_debugdirs_t *dirs, const char *logged, const uint8_t *build_id,
                    size_t len, mp_objfile_t **out, mp_objfile_info_t *info)
{
    *out = NULL;
    memset(info, 0, sizeof *info);
    if (mp_debugdirs_module_path(dirs, logged, &info->path) != 0)
        return MP_ELOG_NOMEM;

    mp_elf_probe_t p = {.fd = -1, .err = ENOENT};
    if (logged[0] && !mp_debugdirs_inside(dirs, logged))
        p.err = EACCES; /* outside --sysroot: never opened */
    else if (logged[0])
        mp_elf_probe(info->path, &p);
    if (p.err == ENOEXEC) {
        info->status = MP_OBJ_NOT_ELF;
    } else if (p.err) {
        info->status = MP_OBJ_MISSING;
        info->err = p.err;
    } else if (len && !mp_build_id_equal(&p, build_id, len)) {
        info->status = MP_OBJ_BUILD_ID;
        info->file_build_id_len = p.build_id_len;
        memcpy(info->file_build_id, p.build_id, sizeof p.build_id);
        close(p.fd);
        p.fd = -1;
    }

    const char *use = info->path;
    int fd = p.fd;
    if (info->status != MP_OBJ_OK) {
        /* The file is gone or changed, but the debug file of the build that
         * ran may still be installed: it has the symbols and the DWARF (and
         * the program headers that place them), all we need. */
        fd = mp_debuginfo_by_build_id(dirs, build_id, len, &info->stand_in);
        if (fd < 0 || len > MP_BUILD_ID_CAP) { /* (found implies len fits) */
            if (fd >= 0)
                close(fd);
            free(info->stand_in);
            info->stand_in = NULL;
            return 0;
        }
        use = info->stand_in;
        memcpy(p.build_id, build_id, len);
        p.build_id_len = len;
    }

    mp_objfile_t *o = calloc(1, sizeof *o);
    if (!o || !(o->logged = strdup(logged)) || !(o->real = strdup(use)) ||
        !(o->dwfl = dwfl_begin(&callbacks))) {
        close(fd);
        mp_objfile_close(o);
        return MP_ELOG_NOMEM;
    }
    o->dirs = dirs;
    o->id_len = p.build_id_len <= MP_BUILD_ID_CAP ? p.build_id_len : 0;
    memcpy(o->id, p.build_id, o->id_len);

    dwfl_report_begin(o->dwfl);
    o->mod = dwfl_report_elf(o->dwfl, logged, use, fd, 0, true);
    dwfl_report_end(o->dwfl, NULL, NULL);
    if (!o->mod) {
        /* Not a file libdw can place (no PT_LOAD, a core file, …). */
        close(fd);
        mp_objfile_close(o);
        if (info->status == MP_OBJ_OK)
            info->status = MP_OBJ_NOT_ELF;
        free(info->stand_in);
        info->stand_in = NULL;
        return 0;
    }
    void **ud;
    dwfl_module_info(o->mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
    *ud = o;

    Dwarf_Addr bias;
    info->has_dwarf = dwfl_module_getdwarf(o->mod, &bias) != NULL;
    info->has_symbols = dwfl_module_getsymtab(o->mod) > 0;
    if (mp_symindex_build(o->mod, &o->syms) != 0 || mp_funcindex_create(&o->funcs) != 0) {
        mp_objfile_close(o);
        mp_objfile_info_free(info);
        return MP_ELOG_NOMEM;
    }
    *out = o;
    return 0;
}

/* ---- Lookup ------------------------------------------------------------- */

/* A mangled C++ DW_AT_linkage_name (or the older DW_AT_MIPS_linkage_name),
 * which demangles to the qualified name with its parameters, else
 * DW_AT_name, the name as written in the source; through abstract_origin
 * and specification, where an inlined instance or an out-of-class method
 * definition keeps them. A C function has a linkage name only when an asm
 * label renamed it (glibc's "__GI___libc_malloc" for __libc_malloc): the
 * source's name reads better. */
static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute at;
    const char *linkage = NULL, *name = NULL;
    if (dwarf_attr_integrate(die, DW_AT_linkage_name, &at) ||
        dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &at))
        linkage = dwarf_formstring(&at);
    if (linkage && linkage[0] == '_' && linkage[1] == 'Z')
        return linkage;
    if (dwarf_attr_integrate(die, DW_AT_name, &at))
        name = dwarf_formstring(&at);
    return name ? name : linkage;
}

static uint32_t die_udata(Dwarf_Die *die, unsigned name)
{
    Dwarf_Attribute at;
    Dwarf_Word v;
    if (!dwarf_attr(die, name, &at) || dwarf_formudata(&at, &v) != 0 || v > UINT32_MAX)
        return 0;
    return (uint32_t)v;
}

/* The file an inlined call was made from: an index into the file table of
 * the unit holding the DW_TAG_inlined_subroutine. */
static const char *call_file(Dwarf_Die *die)
{
    Dwarf_Attribute at;
    Dwarf_Word idx;
    Dwarf_Die cu;
    Dwarf_Files *files;
    size_t nfiles;
    if (!dwarf_attr(die, DW_AT_call_file, &at) || dwarf_formudata(&at, &idx) != 0)
        return NULL;
    if (!dwarf_diecu(die, &cu, NULL, NULL) || dwarf_getsrcfiles(&cu, &files, &nfiles) != 0 ||
        idx >= nfiles)
        return NULL;
    return dwarf_filesrc(files, idx, NULL, NULL);
}

/* Appends a frame to out[0..max), keeping the outermost ones: once full,
 * the innermost is shifted out. */
static void push(mp_objframe_t *out, size_t max, size_t *n, const mp_objframe_t *f)
{
    if (max == 0)
        return;
    if (*n == max) {
        memmove(out, out + 1, (max - 1) * sizeof *out);
        (*n)--;
    }
    out[(*n)++] = *f;
}

/* The frame-making scopes at addr, innermost first, the function last.
 * *n is 0 without DWARF for addr. */
static int scopes_at(mp_objfile_t *o, Dwarf_Addr addr, Dwarf_Die *out, size_t max, size_t *n)
{
    *n = 0;
    Dwarf_Addr bias;
    Dwarf_Die *cu = dwfl_module_addrdie(o->mod, addr, &bias);
    return cu ? mp_funcindex_scopes(o->funcs, cu, addr - bias, out, max, n) : 0;
}

int mp_objfile_lookup(mp_objfile_t *o, uint64_t vaddr, mp_objframe_t *out, size_t max,
                      size_t *n)
{
    *n = 0;
    Dwarf_Addr addr = vaddr;
    uint64_t sym_off = 0;
    const char *sym_name = mp_symindex_find(o->syms, addr, &sym_off);

    /* The innermost position, from the line table. */
    const char *file = NULL;
    int line = 0, col = 0;
    Dwfl_Line *ln = dwfl_module_getsrc(o->mod, addr);
    if (ln) {
        file = dwfl_lineinfo(ln, NULL, &line, &col, NULL, NULL);
        if (!file)
            line = col = 0;
    }

    Dwarf_Die scopes[MP_OBJ_MAX_SCOPES];
    size_t nscopes;
    int rc = scopes_at(o, addr, scopes, max < MP_OBJ_MAX_SCOPES ? max : MP_OBJ_MAX_SCOPES,
                       &nscopes);
    if (rc != 0)
        return rc;
    bool have_function = false;
    for (size_t i = 0; i < nscopes; i++) {
        int tag = dwarf_tag(&scopes[i]);
        mp_objframe_t f = {
            .name = die_name(&scopes[i]),
            .file = file,
            .line = line > 0 ? (uint32_t)line : 0,
            .column = col > 0 ? (uint32_t)col : 0,
            .inlined = tag == DW_TAG_inlined_subroutine,
        };
        if (!f.inlined) {
            if (!f.name)
                f.name = sym_name;
            f.symbol_offset = sym_name ? sym_off : 0;
            push(out, max, n, &f);
            have_function = true;
            break;
        }
        push(out, max, n, &f);
        /* The next frame out is at this inlined call's site. */
        file = call_file(&scopes[i]);
        line = (int)die_udata(&scopes[i], DW_AT_call_line);
        col = (int)die_udata(&scopes[i], DW_AT_call_column);
        if (!file)
            line = col = 0;
    }

    if (!have_function && (sym_name || file)) {
        /* No DWARF function for it (no DWARF, or assembly): the symbol, and
         * the line table's position if it has one. */
        mp_objframe_t f = {
            .name = sym_name,
            .file = file,
            .line = line > 0 ? (uint32_t)line : 0,
            .column = col > 0 ? (uint32_t)col : 0,
            .symbol_offset = sym_name ? sym_off : 0,
        };
        push(out, max, n, &f);
    }
    return 0;
}
