/*
 * addr_index.c — see addr_index.h.
 *
 * Symbol table: one sorted array, built when the file is opened (libdw
 * hands out the symbols one by one; a few milliseconds for libc's ~3,000
 * functions). Aliases collapse into one entry per address.
 *
 * DWARF functions: one sorted array of (low, high, DIE) per unit, built
 * the first time an address falls in that unit (dwfl_module_addrdie finds
 * the unit from .debug_aranges, cheaply). Building walks the unit's top
 * level once, descending only into what can hold function definitions:
 * namespaces, classes, structures, unions, Fortran modules, and the
 * partial units a dwz-compressed file imports. Then a lookup is a binary
 * search for the function, and a walk down its own inlined-call and
 * lexical-block scopes, which is what dwarf_getscopes does for the whole
 * unit.
 *
 * Functions nested in functions (GNU C nested functions) are not indexed:
 * finding them means reading every DIE of every function body. An address
 * the index has no function for (in one, or in padding between functions)
 * gets a full search of its unit instead — once, since the symbolizer
 * caches the answer. (dwarf_getscopes cannot serve here: it never looks
 * inside a function whose own ranges miss the address, which is where a
 * nested function's DIE is.)
 */
#include "addr_index.h"

#include <dwarf.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log_format.h"

/* ---- Symbol table ------------------------------------------------------- */

typedef struct sym {
    uint64_t addr, size; /* module address; bytes, 0 if unknown */
    const char *name;    /* libdw's string table */
    unsigned rank;       /* lower is preferred among aliases */
} sym_t;

struct mp_symindex {
    sym_t *syms; /* sorted by addr, one per address */
    size_t n;
};

static unsigned sym_rank(const GElf_Sym *s, const char *name)
{
    int type = GELF_ST_TYPE(s->st_info), bind = GELF_ST_BIND(s->st_info);
    unsigned r = type == STT_FUNC || type == STT_GNU_IFUNC ? 0 : 1;
    r = r * 4 + (bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : bind == STB_LOCAL ? 2 : 3);
    unsigned under = 0;
    while (name[under] == '_' && under < 3)
        under++;
    return r * 4 + under;
}

static int sym_cmp(const void *a, const void *b)
{
    const sym_t *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size;
}

int mp_symindex_build(Dwfl_Module *mod, mp_symindex_t **out)
{
    *out = NULL;
    mp_symindex_t *x = calloc(1, sizeof *x);
    if (!x)
        return MP_ELOG_NOMEM;
    int nsyms = dwfl_module_getsymtab(mod);
    if (nsyms > 0 && !(x->syms = malloc((size_t)nsyms * sizeof *x->syms))) {
        free(x);
        return MP_ELOG_NOMEM;
    }
    for (int i = 1; i < nsyms; i++) {
        GElf_Sym s;
        GElf_Addr addr;
        GElf_Word shndx;
        const char *name = dwfl_module_getsym_info(mod, i, &s, &addr, &shndx, NULL, NULL);
        int type = name ? GELF_ST_TYPE(s.st_info) : STT_SECTION;
        if (!name || !name[0] || shndx == SHN_UNDEF || shndx == SHN_ABS)
            continue;
        if (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE)
            continue;
        if (type == STT_NOTYPE && name[0] == '.') /* assembler-local labels */
            continue;
        x->syms[x->n++] = (sym_t){addr, s.st_size, name, sym_rank(&s, name)};
    }
    qsort(x->syms, x->n, sizeof *x->syms, sym_cmp);
    /* One entry per address: the preferred name, the largest size. */
    size_t k = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (k && x->syms[k - 1].addr == x->syms[i].addr) {
            if (x->syms[i].size > x->syms[k - 1].size)
                x->syms[k - 1].size = x->syms[i].size;
            continue;
        }
        x->syms[k++] = x->syms[i];
    }
    x->n = k;
    *out = x;
    return 0;
}

void mp_symindex_free(mp_symindex_t *x)
{
    if (!x)
        return;
    free(x->syms);
    free(x);
}

const char *mp_symindex_find(const mp_symindex_t *x, uint64_t addr, uint64_t *offset)
{
    /* The last symbol starting at or below addr. */
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->syms[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const sym_t *s = &x->syms[lo - 1];
    if (s->size == 0 || addr - s->addr < s->size) {
        *offset = addr - s->addr;
        return s->name;
    }
    /* Past its end: perhaps inside a larger symbol that starts earlier (a
     * function with a label inside it). A few steps back are enough. */
    for (size_t i = lo - 1, steps = 0; i-- > 0 && steps < 8; steps++)
        if (x->syms[i].size && addr - x->syms[i].addr < x->syms[i].size) {
            *offset = addr - x->syms[i].addr;
            return x->syms[i].name;
        }
    return NULL;
}

/* ---- DWARF functions ---------------------------------------------------- */

typedef struct frange {
    Dwarf_Addr lo, hi; /* [lo, hi), DWARF addresses */
    Dwarf_Die die;     /* the DW_TAG_subprogram */
} frange_t;

typedef struct unit {
    Dwarf_Off off;  /* the unit DIE's offset: the key */
    frange_t *r;    /* sorted by lo */
    size_t n;
} unit_t;

struct mp_funcindex {
    unit_t *units;  /* sorted by off */
    size_t n, cap;
};

typedef struct {
    frange_t *r;
    size_t n, cap;
    bool nomem;
} collect_t;

int mp_funcindex_create(mp_funcindex_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : MP_ELOG_NOMEM;
}

void mp_funcindex_destroy(mp_funcindex_t *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        free(x->units[i].r);
    free(x->units);
    free(x);
}

static void add_ranges(collect_t *c, Dwarf_Die *die)
{
    Dwarf_Addr base, lo, hi;
    ptrdiff_t off = 0;
    while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
        if (hi <= lo)
            continue;
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 64;
            frange_t *r = realloc(c->r, cap * sizeof *r);
            if (!r) {
                c->nomem = true;
                return;
            }
            c->r = r;
            c->cap = cap;
        }
        c->r[c->n++] = (frange_t){lo, hi, *die};
    }
}

/* Depth bounds a walk through a (corrupt) cycle of imported units. */
static void collect(collect_t *c, Dwarf_Die *parent, int depth)
{
    Dwarf_Die child;
    if (depth > 32 || dwarf_child(parent, &child) != 0)
        return;
    do {
        switch (dwarf_tag(&child)) {
        case DW_TAG_subprogram:
            add_ranges(c, &child);
            break;
        case DW_TAG_namespace:
        case DW_TAG_class_type:
        case DW_TAG_structure_type:
        case DW_TAG_union_type:
        case DW_TAG_module:
            collect(c, &child, depth + 1);
            break;
        case DW_TAG_imported_unit: {
            Dwarf_Attribute at;
            Dwarf_Die unit;
            if (dwarf_attr(&child, DW_AT_import, &at) && dwarf_formref_die(&at, &unit))
                collect(c, &unit, depth + 1);
            break;
        }
        default:
            break;
        }
    } while (!c->nomem && dwarf_siblingof(&child, &child) == 0);
}

static int frange_cmp(const void *a, const void *b)
{
    const frange_t *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The index of cu, built on first use; NULL when out of memory. */
static unit_t *unit_for(mp_funcindex_t *x, Dwarf_Die *cu)
{
    Dwarf_Off off = dwarf_dieoffset(cu);
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->units[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->n && x->units[lo].off == off)
        return &x->units[lo];

    collect_t c = {0};
    collect(&c, cu, 0);
    if (c.nomem) {
        free(c.r);
        return NULL;
    }
    qsort(c.r, c.n, sizeof *c.r, frange_cmp);
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 16;
        unit_t *u = realloc(x->units, cap * sizeof *u);
        if (!u) {
            free(c.r);
            return NULL;
        }
        x->units = u;
        x->cap = cap;
    }
    memmove(&x->units[lo + 1], &x->units[lo], (x->n - lo) * sizeof *x->units);
    x->units[lo] = (unit_t){off, c.r, c.n};
    x->n++;
    return &x->units[lo];
}

/* Scopes that hold code and may hold inlined calls. */
static bool is_code_scope(int tag)
{
    return tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
           tag == DW_TAG_try_block || tag == DW_TAG_catch_block || tag == DW_TAG_with_stmt;
}

#define MAX_DEPTH 256

/* The slow path: the innermost DW_TAG_subprogram containing pc anywhere
 * under parent, found by visiting every DIE. */
static bool search_all(Dwarf_Die *parent, Dwarf_Addr pc, int depth, Dwarf_Die *found)
{
    Dwarf_Die child;
    bool any = false;
    if (depth > 64 || dwarf_child(parent, &child) != 0)
        return false;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_subprogram && dwarf_haspc(&child, pc) == 1) {
            *found = child;
            any = true;
        }
        if (tag == DW_TAG_imported_unit) {
            Dwarf_Attribute at;
            Dwarf_Die unit;
            if (dwarf_attr(&child, DW_AT_import, &at) && dwarf_formref_die(&at, &unit))
                any |= search_all(&unit, pc, depth + 1, found);
        } else if (dwarf_haschildren(&child) == 1) {
            any |= search_all(&child, pc, depth + 1, found);
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return any;
}

int mp_funcindex_scopes(mp_funcindex_t *x, Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die *out,
                        size_t max, size_t *n)
{
    *n = 0;
    unit_t *u = unit_for(x, cu);
    if (!u)
        return MP_ELOG_NOMEM;

    /* The function: the last range starting at or below pc that contains
     * it (ranges of distinct functions do not overlap; look back a few in
     * case a bad unit has them nested). */
    size_t lo = 0, hi = u->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u->r[mid].lo <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    Dwarf_Die fn;
    bool have = false;
    for (size_t i = lo, steps = 0; i-- > 0 && steps < 8; steps++)
        if (pc < u->r[i].hi) {
            fn = u->r[i].die;
            have = true;
            break;
        }
    if (!have && !search_all(cu, pc, 0, &fn))
        return 0;

    /* Down through the scopes containing pc; chain[0] is the function,
     * then the inlined calls outermost first. */
    Dwarf_Die chain[MAX_DEPTH];
    size_t k = 0;
    chain[k++] = fn;
    Dwarf_Die cur = fn;
    for (int depth = 0; depth < MAX_DEPTH && k < max && k < MAX_DEPTH; depth++) {
        Dwarf_Die child;
        bool found = false;
        if (dwarf_child(&cur, &child) == 0) {
            do {
                if (is_code_scope(dwarf_tag(&child)) && dwarf_haspc(&child, pc) == 1) {
                    found = true;
                    break;
                }
            } while (dwarf_siblingof(&child, &child) == 0);
        }
        if (!found)
            break;
        if (dwarf_tag(&child) == DW_TAG_inlined_subroutine)
            chain[k++] = child;
        cur = child;
    }
    /* Innermost first, keeping the outermost max. */
    size_t m = k < max ? k : max;
    for (size_t i = 0; i < m; i++)
        out[i] = chain[m - 1 - i];
    *n = m;
    return 0;
}
