/*
 * addr_index.h — fast address-to-function lookups in one module file, for
 * objfile.c: the symbol table sorted by address, and per compilation unit
 * the address ranges of its functions (DW_TAG_subprogram).
 *
 * Why not libdw's own lookups: dwfl_module_addrinfo scans the whole symbol
 * table on every call, and dwarf_getscopes walks the whole unit from its
 * first DIE; on glibc's libc.so.6 with its debug file that was ~430
 * microseconds per new address (three quarters of it the symbol scan),
 * minutes for the tens of thousands of distinct return addresses of a
 * large program. Sorted once, a lookup is a binary search plus a walk down
 * one function's own scopes: 7 to 16 microseconds on the same file.
 * dwarf_getscopes also came back without some levels of inline chains
 * (e.g. add_alias2 between detect_conflict and __gconv_read_conf in libc),
 * and without the function for .cold parts; the walk here does not lose
 * them, and its chains and lines match binutils' addr2line -i.
 *
 * Memory: 32 bytes per function symbol, and 48 bytes per function range
 * of each unit an address was looked up in (units are indexed lazily, on
 * their first address). Everything points into libdw's data, so an index
 * lives no longer than the Dwfl it was built from.
 */
#ifndef MP_ADDR_INDEX_H
#define MP_ADDR_INDEX_H

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Symbol table ------------------------------------------------------- */

typedef struct mp_symindex mp_symindex_t;

/* Sorts the function symbols of mod (its .symtab, else .dynsym, as libdw
 * finds them, separate debug file included). Where several names share an
 * address the one kept is, in order: a function (not an untyped label),
 * global rather than weak rather than local, with fewer leading
 * underscores ("malloc" over "__libc_malloc" over "__GI___libc_malloc").
 * Returns 0 with *out set (possibly empty), or MP_ELOG_NOMEM. */
int mp_symindex_build(Dwfl_Module *mod, mp_symindex_t **out);

/* NULL is fine. */
void mp_symindex_free(mp_symindex_t *x);

/* The symbol containing addr (within its size; a symbol of size 0 covers
 * up to the next symbol), with *offset = addr - its start; NULL if none. */
const char *mp_symindex_find(const mp_symindex_t *x, uint64_t addr, uint64_t *offset);

/* ---- DWARF functions ---------------------------------------------------- */

typedef struct mp_funcindex mp_funcindex_t;

/* An empty index (units are added as addresses need them). Returns 0 with
 * *out set, or MP_ELOG_NOMEM. */
int mp_funcindex_create(mp_funcindex_t **out);

/* NULL is fine. */
void mp_funcindex_destroy(mp_funcindex_t *x);

/* The scopes at pc (a DWARF address: module address minus the bias libdw
 * gave with cu) that make frames, innermost first: each
 * DW_TAG_inlined_subroutine containing pc, then the DW_TAG_subprogram
 * containing them. At most max are stored; a deeper chain loses its
 * innermost scopes. *n is 0 when no function of the unit contains pc.
 * Returns 0, or MP_ELOG_NOMEM. */
int mp_funcindex_scopes(mp_funcindex_t *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out,
                        size_t max, size_t *n);

#endif
