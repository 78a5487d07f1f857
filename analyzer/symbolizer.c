/*
 * symbolizer.c — see symbolizer.h. Owns the module table (runtime address
 * ranges from MODULE records), the module files (one per path + build-id,
 * opened lazily through objfile.c), the per-address cache, the interned
 * strings every result points to, and the warnings.
 *
 * Data:
 *   modules[]  in the order added; a module names its file by index. Found
 *              by a scan from the newest: programs map tens to hundreds of
 *              modules, and only cache misses scan.
 *   files[]    distinct (path, build-id); opened at most once, on the
 *              first address that needs them; obj NULL after opening means
 *              "not usable" and the warning has been given.
 *   entries[]  one per distinct (address, is_return) resolved: a slice
 *              [first, first + count) of frames[]. Indexed by an
 *              open-addressing table (linear probing, load <= 1/2).
 *   strings    an arena of NUL-terminated strings, deduplicated by a hash
 *              set, never moved or freed before destroy — so the pointers
 *              handed out in mp_frame_t stay valid.
 * Invariants: every live entry is in the table exactly once;
 *   cached_frames == sum of live entries' count + frames of dropped entries
 *   (kept in frames[] until destroy: dropping is rare, see add_module).
 *
 * Single-threaded, like libdw's handles underneath.
 */
#define _GNU_SOURCE
#include "symbolizer.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo.h"
#include "demangle.h"
#include "objfile.h"

#define NONE UINT32_MAX

typedef struct module {
    uint64_t id;
    const char *path;   /* interned, as logged */
    uint64_t bias;      /* runtime address = ELF vaddr + bias */
    uint64_t lo, hi;    /* runtime addresses covered by the segments: [lo, hi) */
    uint64_t *seg;      /* nseg pairs: runtime start, end (exclusive) */
    uint32_t nseg;
    uint32_t file;      /* index into files[] */
    bool gone;          /* MODULE_GONE seen */
    bool shim;          /* memprof's own libmemprof.so */
} module_t;

typedef struct file {
    const char *path;   /* interned, as logged */
    uint8_t *build_id;  /* the log's; NULL if len 0 */
    size_t build_id_len;
    bool opened;        /* open was attempted */
    mp_objfile_t *obj;  /* usable file, or NULL */
} file_t;

typedef struct entry {
    uint64_t addr;
    uint32_t first;     /* into frames[] */
    uint16_t count;     /* 1..MP_SYM_MAX_FRAMES */
    bool is_return;
    bool dead;          /* dropped when a later module overlapped it */
} entry_t;

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk_t;

struct mp_symbolizer {
    mp_debugdirs_t *dirs;
    bool demangle;

    module_t *modules;
    size_t nmodules, cap_modules;
    file_t *files;
    size_t nfiles, cap_files;
    uint32_t *shims;    /* indexes of shim modules */
    size_t nshims, cap_shims;

    entry_t *entries;
    size_t nentries, cap_entries, live_entries;
    uint32_t *table;    /* entry indexes or NONE; size table_size, a power of 2 */
    size_t table_size;
    mp_frame_t *frames;
    size_t nframes, cap_frames;

    chunk_t *chunks;    /* string arena, newest first */
    size_t chunk_bytes;
    const char **strset;/* interned strings, open addressing */
    size_t nstr, strset_size;

    mp_sym_warning_t *warnings; /* msg malloc'd */
    size_t nwarnings, cap_warnings;

    uint64_t lookups, hits;
};

/* ---- Small helpers ------------------------------------------------------ */

/* Grows *p (of *cap elements) to hold at least need. */
static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    void **p = pp;
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return MP_ELOG_NOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finalizer: addresses differ in few, low bits. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3ull;
    return h;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- Interned strings --------------------------------------------------- */

#define CHUNK_SIZE (64u * 1024u)

static char *arena_copy(mp_symbolizer_t *s, const char *str, size_t n)
{
    chunk_t *c = s->chunks;
    if (!c || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > CHUNK_SIZE ? n + 1 : CHUNK_SIZE;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = s->chunks;
        c->used = 0;
        c->cap = cap;
        s->chunks = c;
        s->chunk_bytes += sizeof *c + cap;
    }
    char *p = c->data + c->used;
    memcpy(p, str, n);
    p[n] = 0;
    c->used += n + 1;
    return p;
}

static int strset_rehash(mp_symbolizer_t *s)
{
    size_t size = s->strset_size ? s->strset_size * 2 : 1024;
    const char **t = calloc(size, sizeof *t);
    if (!t)
        return MP_ELOG_NOMEM;
    for (size_t i = 0; i < s->strset_size; i++) {
        const char *str = s->strset[i];
        if (!str)
            continue;
        size_t j = hash_str(str, strlen(str)) & (size - 1);
        while (t[j])
            j = (j + 1) & (size - 1);
        t[j] = str;
    }
    free(s->strset);
    s->strset = t;
    s->strset_size = size;
    return 0;
}

/* The interned copy of str[0..n) (no NUL inside), or NULL when out of
 * memory. */
static const char *intern_n(mp_symbolizer_t *s, const char *str, size_t n)
{
    if (2 * (s->nstr + 1) > s->strset_size && strset_rehash(s) != 0)
        return NULL;
    size_t mask = s->strset_size - 1, j = hash_str(str, n) & mask;
    for (const char *e; (e = s->strset[j]); j = (j + 1) & mask)
        if (strncmp(e, str, n) == 0 && e[n] == 0)
            return e;
    char *p = arena_copy(s, str, n);
    if (!p)
        return NULL;
    s->strset[j] = p;
    s->nstr++;
    return p;
}

static const char *intern(mp_symbolizer_t *s, const char *str)
{
    return intern_n(s, str, strlen(str));
}

/* A function name as shown: demangled when asked and possible. */
static const char *intern_function(mp_symbolizer_t *s, const char *name)
{
    if (s->demangle) {
        char *d = mp_demangle(name);
        if (d) {
            const char *r = intern(s, d);
            free(d);
            return r;
        }
    }
    return intern(s, name);
}

/* ---- Warnings ----------------------------------------------------------- */

static int warn(mp_symbolizer_t *s, mp_sym_warning_kind_t kind, const char *module,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int warn(mp_symbolizer_t *s, mp_sym_warning_kind_t kind, const char *module,
                const char *fmt, ...)
{
    if (grow(&s->warnings, &s->cap_warnings, s->nwarnings + 1, sizeof *s->warnings) != 0)
        return MP_ELOG_NOMEM;
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc < 0)
        return MP_ELOG_NOMEM;
    s->warnings[s->nwarnings++] = (mp_sym_warning_t){kind, module, msg};
    return 0;
}

size_t mp_symbolizer_warning_count(const mp_symbolizer_t *s)
{
    return s->nwarnings;
}

const mp_sym_warning_t *mp_symbolizer_warning(const mp_symbolizer_t *s, size_t i)
{
    return i < s->nwarnings ? &s->warnings[i] : NULL;
}

static void hex(char *out, size_t cap, const uint8_t *b, size_t n)
{
    out[0] = 0;
    for (size_t i = 0; i < n && 2 * i + 2 < cap; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The pseudo-modules the kernel maps (vDSO) have no file on disk; their
 * frames are expected to show as module+offset without a warning. */
static bool is_vdso(const char *path)
{
    return !strchr(path, '/') &&
           (strncmp(path, "linux-vdso", 10) == 0 || strncmp(path, "linux-gate", 10) == 0);
}

/* Opens a module's file the first time it is needed, and says once what
 * went wrong with it. */
static int open_file(mp_symbolizer_t *s, file_t *f)
{
    if (f->opened)
        return 0;
    mp_objfile_info_t info;
    int rc = mp_objfile_open(s->dirs, f->path, f->build_id, f->build_id_len, &f->obj, &info);
    if (rc != 0) {
        mp_objfile_info_free(&info);
        return rc;
    }
    f->opened = true;

    const char *p = f->path;
    char logid[2 * MP_BUILD_ID_CAP + 1], fileid[2 * MP_BUILD_ID_CAP + 1];
    const char *tail = info.stand_in ? "symbols from its debug file " : "";
    const char *tail2 = info.stand_in ? info.stand_in : "frames shown as module+offset";
    const char *then = info.stand_in ? ", found by build-id" : "";
    switch (info.status) {
    case MP_OBJ_MISSING:
        if (is_vdso(p))
            break;
        if (strcmp(info.path, p) == 0)
            rc = warn(s, MP_SYM_WARN_MISSING, p, "%s: cannot open it (%s): %s%s%s", p[0] ? p : "(no path)",
                      strerror(info.err), tail, tail2, then);
        else
            rc = warn(s, MP_SYM_WARN_MISSING, p, "%s: cannot open %s (%s): %s%s%s", p, info.path,
                      strerror(info.err), tail, tail2, then);
        break;
    case MP_OBJ_NOT_ELF:
        rc = warn(s, MP_SYM_WARN_NOT_ELF, p, "%s: %s is not an ELF file libdw can read: %s%s%s", p,
                  info.path, tail, tail2, then);
        break;
    case MP_OBJ_BUILD_ID:
        hex(logid, sizeof logid, f->build_id, f->build_id_len);
        hex(fileid, sizeof fileid, info.file_build_id, info.file_build_id_len);
        rc = warn(s, MP_SYM_WARN_BUILD_ID, p,
                  "%s: build-id differs from the log's (the file changed since the run; "
                  "log %s, file %s): %s%s%s",
                  p, logid, info.file_build_id_len ? fileid : "none", tail, tail2, then);
        break;
    case MP_OBJ_OK:
        if (!f->obj || info.has_dwarf)
            break;
        if (info.has_symbols)
            rc = warn(s, MP_SYM_WARN_NO_DEBUGINFO, p,
                      "%s: no debug info found (install its -dbgsym package or pass its debug "
                      "directory): functions from the symbol table, no file:line or inlined calls",
                      p);
        else
            rc = warn(s, MP_SYM_WARN_NO_DEBUGINFO, p,
                      "%s: no symbols and no debug info found (install its -dbgsym package or "
                      "pass its debug directory): frames shown as module+offset",
                      p);
        break;
    }
    mp_objfile_info_free(&info);
    return rc;
}

/* ---- Modules ------------------------------------------------------------ */

int mp_symbolizer_create(mp_symbolizer_t **out, const mp_symbolizer_options_t *opt)
{
    static const mp_symbolizer_options_t defaults = {.demangle = true};
    if (!opt)
        opt = &defaults;
    *out = NULL;
    mp_symbolizer_t *s = calloc(1, sizeof *s);
    if (!s)
        return MP_ELOG_NOMEM;
    s->demangle = opt->demangle;
    if (mp_debugdirs_create(opt->sysroot, opt->debug_dirs, opt->ndebug_dirs, &s->dirs) != 0 ||
        strset_rehash(s) != 0) {
        mp_symbolizer_destroy(s);
        return MP_ELOG_NOMEM;
    }
    *out = s;
    return 0;
}

void mp_symbolizer_destroy(mp_symbolizer_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nfiles; i++) {
        mp_objfile_close(s->files[i].obj);
        free(s->files[i].build_id);
    }
    for (size_t i = 0; i < s->nmodules; i++)
        free(s->modules[i].seg);
    for (size_t i = 0; i < s->nwarnings; i++)
        free((char *)s->warnings[i].msg);
    for (chunk_t *c = s->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(s->modules);
    free(s->files);
    free(s->shims);
    free(s->entries);
    free(s->table);
    free(s->frames);
    free(s->strset);
    free(s->warnings);
    mp_debugdirs_destroy(s->dirs);
    free(s);
}

static bool module_contains(const module_t *m, uint64_t pc)
{
    if (pc < m->lo || pc >= m->hi)
        return false;
    for (uint32_t i = 0; i < m->nseg; i++)
        if (pc >= m->seg[2 * i] && pc < m->seg[2 * i + 1])
            return true;
    return false;
}

/* The module pc is in: the newest one still loaded, else the newest. */
static module_t *find_module(mp_symbolizer_t *s, uint64_t pc)
{
    module_t *gone = NULL;
    for (size_t i = s->nmodules; i-- > 0;) {
        module_t *m = &s->modules[i];
        if (!module_contains(m, pc))
            continue;
        if (!m->gone)
            return m;
        if (!gone)
            gone = m;
    }
    return gone;
}

static uint32_t file_for(mp_symbolizer_t *s, const char *path, const uint8_t *id, size_t len)
{
    for (size_t i = 0; i < s->nfiles; i++) {
        file_t *f = &s->files[i];
        if (f->path == path && f->build_id_len == len && (len == 0 || memcmp(f->build_id, id, len) == 0))
            return (uint32_t)i;
    }
    if (grow(&s->files, &s->cap_files, s->nfiles + 1, sizeof *s->files) != 0)
        return NONE;
    file_t *f = &s->files[s->nfiles];
    memset(f, 0, sizeof *f);
    f->path = path;
    if (len) {
        if (!(f->build_id = malloc(len)))
            return NONE;
        memcpy(f->build_id, id, len);
        f->build_id_len = len;
    }
    return (uint32_t)s->nfiles++;
}

static int table_rebuild(mp_symbolizer_t *s, size_t size);
static void drop_cached_in(mp_symbolizer_t *s, const module_t *m);

int mp_symbolizer_add_module(mp_symbolizer_t *s, uint64_t id, const char *path, size_t path_len,
                             const uint8_t *build_id, size_t build_id_len, uint64_t bias,
                             const mp_segment_t *segs, uint32_t nseg)
{
    if (nseg == 0 || nseg > MP_LOG_MAX_SEGMENTS || build_id_len > MP_LOG_MAX_BYTES)
        return MP_ELOG_INVAL;
    for (size_t i = 0; i < s->nmodules; i++)
        if (s->modules[i].id == id)
            return MP_ELOG_INVAL;
    module_t m = {.id = id, .bias = bias, .nseg = 0, .lo = UINT64_MAX, .hi = 0};
    if (!(m.seg = malloc(2 * nseg * sizeof *m.seg)))
        return MP_ELOG_NOMEM;
    for (uint32_t i = 0; i < nseg; i++) {
        uint64_t start = segs[i].vaddr + bias; /* modulo 2^64, as the format says */
        uint64_t end = start + segs[i].memsz;
        if (end < start) {
            free(m.seg);
            return MP_ELOG_INVAL;
        }
        if (end == start)
            continue;
        m.seg[2 * m.nseg] = start;
        m.seg[2 * m.nseg + 1] = end;
        m.nseg++;
        m.lo = start < m.lo ? start : m.lo;
        m.hi = end > m.hi ? end : m.hi;
    }
    const char *nul = memchr(path, 0, path_len);
    m.path = intern_n(s, path, nul ? (size_t)(nul - path) : path_len);
    m.file = m.path ? file_for(s, m.path, build_id, build_id_len) : NONE;
    if (m.file == NONE ||
        grow(&s->modules, &s->cap_modules, s->nmodules + 1, sizeof *s->modules) != 0) {
        free(m.seg);
        return MP_ELOG_NOMEM;
    }
    const char *b = base_name(m.path);
    m.shim = strcmp(b, "libmemprof.so") == 0 || strncmp(b, "libmemprof.so.", 14) == 0;
    if (m.shim) {
        if (grow(&s->shims, &s->cap_shims, s->nshims + 1, sizeof *s->shims) != 0) {
            free(m.seg);
            return MP_ELOG_NOMEM;
        }
        s->shims[s->nshims++] = (uint32_t)s->nmodules;
    }

    /* A module mapped where an older one was (dlclose, then dlopen of
     * something else) takes over those addresses: answers cached for them
     * came from the older module and must go. Rare, so a full sweep. */
    bool overlaps = false;
    for (size_t i = 0; i < s->nmodules && !overlaps; i++)
        overlaps = s->modules[i].lo < m.hi && m.lo < s->modules[i].hi;
    s->modules[s->nmodules++] = m;
    if (overlaps && s->live_entries)
        drop_cached_in(s, &s->modules[s->nmodules - 1]);
    return 0;
}

int mp_symbolizer_add_record(mp_symbolizer_t *s, const mp_rec_module_t *m)
{
    return mp_symbolizer_add_module(s, m->id, m->path.ptr, m->path.len, m->build_id.ptr,
                                    m->build_id.len, m->bias, m->segs, m->nseg);
}

int mp_symbolizer_module_gone(mp_symbolizer_t *s, uint64_t id)
{
    for (size_t i = 0; i < s->nmodules; i++)
        if (s->modules[i].id == id) {
            s->modules[i].gone = true;
            return 0;
        }
    return MP_ELOG_INVAL;
}

bool mp_symbolizer_is_shim(const mp_symbolizer_t *s, uint64_t addr)
{
    for (size_t i = 0; i < s->nshims; i++)
        if (module_contains(&s->modules[s->shims[i]], addr))
            return true;
    return false;
}

/* ---- The cache ---------------------------------------------------------- */

static size_t slot_of(const mp_symbolizer_t *s, uint64_t addr, bool is_return)
{
    return mix64(addr * 2 + is_return) & (s->table_size - 1);
}

static uint32_t cache_find(const mp_symbolizer_t *s, uint64_t addr, bool is_return)
{
    if (!s->table_size)
        return NONE;
    size_t mask = s->table_size - 1;
    for (size_t j = slot_of(s, addr, is_return);; j = (j + 1) & mask) {
        uint32_t e = s->table[j];
        if (e == NONE)
            return NONE;
        if (s->entries[e].addr == addr && s->entries[e].is_return == is_return)
            return e;
    }
}

static void table_put(mp_symbolizer_t *s, uint32_t e)
{
    size_t mask = s->table_size - 1;
    size_t j = slot_of(s, s->entries[e].addr, s->entries[e].is_return);
    while (s->table[j] != NONE)
        j = (j + 1) & mask;
    s->table[j] = e;
}

static int table_rebuild(mp_symbolizer_t *s, size_t size)
{
    uint32_t *t = malloc(size * sizeof *t);
    if (!t)
        return MP_ELOG_NOMEM;
    memset(t, 0xff, size * sizeof *t); /* NONE */
    free(s->table);
    s->table = t;
    s->table_size = size;
    for (size_t i = 0; i < s->nentries; i++)
        if (!s->entries[i].dead)
            table_put(s, (uint32_t)i);
    return 0;
}

static void drop_cached_in(mp_symbolizer_t *s, const module_t *m)
{
    for (size_t i = 0; i < s->nentries; i++) {
        entry_t *e = &s->entries[i];
        if (e->dead)
            continue;
        uint64_t pc = e->is_return && e->addr ? e->addr - 1 : e->addr;
        if (module_contains(m, pc)) {
            e->dead = true;
            s->live_entries--;
        }
    }
    /* Same size: cannot fail for want of memory to grow; if the new table
     * cannot be had, keep lookups correct by emptying the cache instead. */
    if (table_rebuild(s, s->table_size) != 0) {
        memset(s->table, 0xff, s->table_size * sizeof *s->table);
        for (size_t i = 0; i < s->nentries; i++)
            s->entries[i].dead = true;
        s->live_entries = 0;
    }
}

/* Resolves pc for real and stores the chain as entry *out. */
static int resolve_new(mp_symbolizer_t *s, uint64_t addr, bool is_return, uint32_t *out)
{
    uint64_t pc = is_return && addr ? addr - 1 : addr;
    module_t *m = find_module(s, pc);
    mp_frame_t base = {
        .module = m ? m->path : NULL,
        .pc = pc,
        .module_offset = m ? pc - m->bias : pc,
    };
    mp_frame_t chain[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    if (m) {
        file_t *f = &s->files[m->file];
        int rc = open_file(s, f);
        if (rc != 0)
            return rc;
        if (f->obj) {
            mp_objframe_t of[MP_SYM_MAX_FRAMES];
            size_t on;
            if ((rc = mp_objfile_lookup(f->obj, pc - m->bias, of, MP_SYM_MAX_FRAMES, &on)) != 0)
                return rc;
            for (size_t i = 0; i < on; i++) {
                mp_frame_t fr = base;
                if (of[i].name && !(fr.function = intern_function(s, of[i].name)))
                    return MP_ELOG_NOMEM;
                if (of[i].file && !(fr.file = intern(s, of[i].file)))
                    return MP_ELOG_NOMEM;
                fr.line = of[i].line;
                fr.column = of[i].column;
                fr.symbol_offset = of[i].symbol_offset;
                fr.inlined = of[i].inlined;
                chain[n++] = fr;
            }
        }
    }
    if (n == 0)
        chain[n++] = base;

    if (grow(&s->frames, &s->cap_frames, s->nframes + n, sizeof *s->frames) != 0 ||
        grow(&s->entries, &s->cap_entries, s->nentries + 1, sizeof *s->entries) != 0)
        return MP_ELOG_NOMEM;
    if (2 * (s->live_entries + 1) > s->table_size &&
        table_rebuild(s, s->table_size ? 2 * s->table_size : 1024) != 0)
        return MP_ELOG_NOMEM;
    memcpy(s->frames + s->nframes, chain, n * sizeof *chain);
    uint32_t e = (uint32_t)s->nentries++;
    s->entries[e] = (entry_t){addr, (uint32_t)s->nframes, (uint16_t)n, is_return, false};
    s->nframes += n;
    s->live_entries++;
    table_put(s, e);
    *out = e;
    return 0;
}

int mp_symbolizer_resolve(mp_symbolizer_t *s, uint64_t addr, bool is_return_address,
                          mp_frame_t *frames, size_t max, size_t *n)
{
    *n = 0;
    s->lookups++;
    uint32_t e = cache_find(s, addr, is_return_address);
    if (e == NONE) {
        int rc = resolve_new(s, addr, is_return_address, &e);
        if (rc != 0)
            return rc;
    } else {
        s->hits++;
    }
    const entry_t *en = &s->entries[e];
    size_t k = en->count < max ? en->count : max;
    /* The outermost k: the real function is always the last frame. */
    memcpy(frames, s->frames + en->first + (en->count - k), k * sizeof *frames);
    *n = k;
    return 0;
}

size_t mp_frame_name(const mp_frame_t *f, char *buf, size_t cap)
{
    int r;
    if (f->function)
        r = snprintf(buf, cap, "%s", f->function);
    else if (f->module)
        r = snprintf(buf, cap, "%s+0x%" PRIx64, base_name(f->module), f->module_offset);
    else
        r = snprintf(buf, cap, "0x%" PRIx64, f->pc);
    return r < 0 ? 0 : (size_t)r;
}

void mp_symbolizer_stats(const mp_symbolizer_t *s, mp_symbolizer_stats_t *st)
{
    memset(st, 0, sizeof *st);
    st->modules = s->nmodules;
    st->files = s->nfiles;
    for (size_t i = 0; i < s->nfiles; i++)
        st->files_opened += s->files[i].opened;
    st->cached_addresses = s->live_entries;
    st->cached_frames = s->nframes;
    st->lookups = s->lookups;
    st->hits = s->hits;
    st->memory = sizeof *s + s->cap_modules * sizeof *s->modules +
                 s->cap_files * sizeof *s->files + s->cap_shims * sizeof *s->shims +
                 s->cap_entries * sizeof *s->entries + s->table_size * sizeof *s->table +
                 s->cap_frames * sizeof *s->frames + s->chunk_bytes +
                 s->strset_size * sizeof *s->strset + s->cap_warnings * sizeof *s->warnings;
    for (size_t i = 0; i < s->nmodules; i++)
        st->memory += 2 * s->modules[i].nseg * sizeof(uint64_t);
}
