/*
 * debuginfo.h — where a module's files are, offline (docs/symbolize.md,
 * "Finding files"): the module's own ELF file under the sysroot, and its
 * separate debug file, by build-id or by .gnu_debuglink name, in the debug
 * directories. Used by objfile.c; knows nothing of libdw's Dwfl.
 *
 * Nothing here touches the network. elfutils' dwfl_standard_find_debuginfo
 * would ask debuginfod servers whenever DEBUGINFOD_URLS is set (it dlopens
 * libdebuginfod), and a report must not stall on, or leak build-ids to, a
 * server; so the search is ours, with the same places and rules.
 *
 * Every file found is checked before it is used: by build-id when both
 * sides have one, else by the debuglink's CRC-32.
 */
#ifndef MP_DEBUGINFO_H
#define MP_DEBUGINFO_H

#include <stddef.h>
#include <stdint.h>

/* Longest build-id compared. GNU ld writes 20 bytes (SHA-1) or 16 (MD5,
 * uuid); a longer note counts as different from anything. */
#define MP_BUILD_ID_CAP 64

typedef struct mp_debugdirs mp_debugdirs_t;

/* The search configuration: sysroot (NULL or "" for none) and the extra
 * debug directories, searched in order before <sysroot>/usr/lib/debug.
 * Strings are copied. Returns 0 with *out set, or MP_ELOG_NOMEM. */
int mp_debugdirs_create(const char *sysroot, const char *const *extra, size_t nextra,
                        mp_debugdirs_t **out);

/* NULL is fine. */
void mp_debugdirs_destroy(mp_debugdirs_t *d);

/* The file a logged module path names here: the sysroot prefixed to it.
 * A relative path (a dlopen("./libx.so")) stays relative to the current
 * directory. Returns 0 with *out malloc'd, or MP_ELOG_NOMEM. */
int mp_debugdirs_module_path(const mp_debugdirs_t *d, const char *logged, char **out);

/* 1 if the logged module path may be opened: always without a sysroot;
 * with one, only an absolute path without a ".." component, so that a
 * hostile log cannot name files outside the sysroot (docs/security.md). */
int mp_debugdirs_inside(const mp_debugdirs_t *d, const char *logged);

/* What opening a candidate file found. */
typedef struct mp_elf_probe {
    int fd;              /* open read-only if err == 0, else -1 */
    int err;             /* 0; an errno from open (ENOENT: missing); or
                            ENOEXEC: not a readable ELF file */
    uint8_t build_id[MP_BUILD_ID_CAP];
    size_t build_id_len; /* 0 if the file has no build-id note; over
                            MP_BUILD_ID_CAP if too long (bytes not kept) */
} mp_elf_probe_t;

/* Opens path and reads its build-id note. On success the caller owns fd. */
void mp_elf_probe(const char *path, mp_elf_probe_t *p);

/* True if a file's build-id (from mp_elf_probe) is the given one. */
int mp_build_id_equal(const mp_elf_probe_t *p, const uint8_t *id, size_t len);

/* Looks for the debug file of build-id id in the debug directories:
 * DIR/.build-id/xx/yyyy.debug, checked to carry that build-id.
 * Returns an open fd with *found set to its path (malloc'd), or -1. */
int mp_debuginfo_by_build_id(const mp_debugdirs_t *d, const uint8_t *id, size_t len,
                             char **found);

/* Looks for the separate debug file of a module file, as libdw's
 * find_debuginfo callback is asked to: first by build-id (id, len: the
 * module file's; len 0 skips it), then by link, the .gnu_debuglink name
 * (NULL: "<file name>.debug") in, in order: the directory of real (the
 * file opened), its .debug/ subdirectory, then for each debug directory
 * DIR/<directory of logged>/ and DIR/ itself. A link with a '/' is a
 * .gnu_debugaltlink (dwz): absolute under the sysroot, or relative to
 * dirname(real). Candidates are checked by build-id when both have one,
 * else by crc (the debuglink's CRC-32; 0: unchecked).
 * Returns an open fd with *found set to its path (malloc'd), or -1. */
int mp_debuginfo_find(const mp_debugdirs_t *d, const uint8_t *id, size_t len,
                      const char *logged, const char *real, const char *link, uint32_t crc,
                      char **found);

#endif
