/*
 * symbolizer.h — turns the program's addresses from a memprof log into
 * functions, source lines and inlined-call chains, offline, with elfutils'
 * libdw. How modules and debug files are found, and what the fallbacks look
 * like, is in docs/symbolize.md.
 *
 *     mp_symbolizer_options_t o = {.demangle = true};
 *     mp_symbolizer_t *s;
 *     if (mp_symbolizer_create(&s, &o) != 0) ...
 *     for each MODULE record:      mp_symbolizer_add_record(s, &rec.u.module);
 *     for each MODULE_GONE record: mp_symbolizer_module_gone(s, id);
 *     for each frame i of a STACK, innermost first:
 *         if (mp_symbolizer_is_shim(s, pc[i])) continue;  // memprof's own
 *         mp_frame_t f[MP_SYM_MAX_FRAMES]; size_t n;
 *         mp_symbolizer_resolve(s, pc[i], true, f, MP_SYM_MAX_FRAMES, &n);
 *         ... f[0..n) innermost first: inlined functions, then the function
 *     for (i = 0; i < mp_symbolizer_warning_count(s); i++)
 *         print mp_symbolizer_warning(s, i)->msg
 *     mp_symbolizer_destroy(s);
 *
 * Modules are matched by build-id: a module whose file is missing, is not
 * ELF or has another build-id than the log recorded yields one warning and
 * frames that name only the module and the offset ("libfoo.so+0x1a2b").
 * Files are opened lazily, the first time an address falls in them, so only
 * modules that appear in stacks cost anything (or warn).
 *
 * Results are cached per (address, is_return_address): the second lookup of
 * an address costs a hash probe, and memory grows with the distinct
 * addresses resolved, never with the lookups. Strings in results belong to
 * the symbolizer and stay valid until mp_symbolizer_destroy.
 *
 * Errors are the mp_formats codes of log_format.h (mp_log_strerror):
 * MP_ELOG_NOMEM, MP_ELOG_INVAL. A module that cannot be symbolized is not an
 * error; it is a warning and a fallback.
 *
 * Not thread-safe: one symbolizer per thread (libdw's handles are not
 * shared across threads either).
 */
#ifndef MP_SYMBOLIZER_H
#define MP_SYMBOLIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log_format.h"

typedef struct mp_symbolizer mp_symbolizer_t;

typedef struct mp_symbolizer_options {
    /* Directories searched for separate debug files, in this order, before
     * <sysroot>/usr/lib/debug: each as DIR/.build-id/xx/yyyy.debug, then by
     * .gnu_debuglink name. Not prefixed with the sysroot. */
    const char *const *debug_dirs;
    size_t ndebug_dirs;
    /* Prefixed to every module path and to /usr/lib/debug, for a log
     * analyzed on another machine than the one it was recorded on (a copy
     * of that machine's files). NULL or "" for none. */
    const char *sysroot;
    bool demangle; /* C++ (Itanium ABI) names demangled: ns::Klass::method(int) */
} mp_symbolizer_options_t;

/* mp_symbolizer_resolve never returns more frames than this for one
 * address (deeper inline chains lose their innermost frames). */
#define MP_SYM_MAX_FRAMES 64

/* One frame of the chain an address resolves to. */
typedef struct mp_frame {
    const char *function;   /* demangled if asked; NULL if unknown */
    const char *file;       /* source file as the debug info names it; NULL if unknown */
    uint32_t line;          /* 1-based; 0 if unknown */
    uint32_t column;        /* 1-based; 0 if unknown */
    const char *module;     /* the module's path as the log gives it; NULL if
                               the address is in no module */
    uint64_t pc;            /* the address looked up: the address, or one less
                               for a return address */
    uint64_t module_offset; /* pc - the module's load bias: its ELF virtual
                               address, what `addr2line -i -e MODULE` takes;
                               pc itself if in no module */
    uint64_t symbol_offset; /* pc - start of the function's symbol; 0 if no
                               symbol (or an inlined frame) */
    bool inlined;           /* inlined into the next frame of the chain */
} mp_frame_t;

/* Creates a symbolizer. opt NULL means defaults: no extra debug directory,
 * no sysroot, demangling on. The options' strings are copied.
 * Returns 0 with *out set, or MP_ELOG_NOMEM with *out NULL. */
int mp_symbolizer_create(mp_symbolizer_t **out, const mp_symbolizer_options_t *opt);

/* Closes every file and frees everything; NULL is fine. */
void mp_symbolizer_destroy(mp_symbolizer_t *s);

/* Describes a module as a MODULE record does (docs/format.md): its id, its
 * path (path_len bytes, no NUL needed), the GNU build-id note's bytes
 * (build_id_len 0: unknown, not checked), the load bias (runtime address =
 * ELF vaddr + bias) and its PT_LOAD segments, which say which runtime
 * addresses belong to it. Nothing is opened yet.
 * Returns 0, MP_ELOG_INVAL (id already added, nseg 0 or over
 * MP_LOG_MAX_SEGMENTS, build_id_len over MP_LOG_MAX_BYTES, a segment that
 * wraps around the address space), or MP_ELOG_NOMEM. */
int mp_symbolizer_add_module(mp_symbolizer_t *s, uint64_t id, const char *path, size_t path_len,
                             const uint8_t *build_id, size_t build_id_len, uint64_t bias,
                             const mp_segment_t *segs, uint32_t nseg);

/* The same from a decoded MODULE record. */
int mp_symbolizer_add_record(mp_symbolizer_t *s, const mp_rec_module_t *m);

/* Notes that a module was unloaded. Nothing is removed: its addresses stay
 * resolvable, since events from before the unload use them. When modules
 * added later overlap it, an address resolves in the one added last that is
 * still loaded (or, if all are gone, the one added last); resolving a
 * stack as its STACK record is read therefore always picks the module that
 * was mapped there when the stack was captured.
 * Returns 0, or MP_ELOG_INVAL for an unknown id. */
int mp_symbolizer_module_gone(mp_symbolizer_t *s, uint64_t id);

/* Resolves one address into the chain of frames at it, innermost first:
 * inlined functions, each with the line where it is executing, then the
 * function they were inlined into, with the line of the call site. Copies
 * at most max frames (the innermost ones) to frames[] and sets *n to the
 * number copied; a chain is never longer than MP_SYM_MAX_FRAMES.
 * is_return_address: addr is a return address, so addr - 1, inside the
 * call instruction, is looked up and the line is the call's. Every frame
 * of a STACK record is one, frame 0 included: the recorder drops the
 * shim's own frames, so frame 0 lies in the function that called malloc,
 * just after that call (preload/record/unwind.h). false is for an address
 * that is the instruction itself: a function's entry, a pc a signal
 * interrupted.
 * An address that cannot be symbolized still yields one frame: module and
 * module_offset set, function NULL (in no module: module NULL too).
 * Returns 0, or MP_ELOG_NOMEM (*n is then 0). */
int mp_symbolizer_resolve(mp_symbolizer_t *s, uint64_t addr, bool is_return_address,
                          mp_frame_t *frames, size_t max, size_t *n);

/* True if addr is in a module whose file name is libmemprof.so (or
 * libmemprof.so.*): memprof's own shim, whose frames every view drops. The
 * recorder already omits the frames it knows about; this catches the rest,
 * as when the program calls through the shim's exported malloc. */
bool mp_symbolizer_is_shim(const mp_symbolizer_t *s, uint64_t addr);

/* Writes a frame's short name into buf[0..cap): the function if known,
 * else "libfoo.so+0x1a2b" (the module's file name and module_offset),
 * else "0x7f…" (the address). Returns the length it needed, as snprintf
 * does (the name is cut if that is >= cap). */
size_t mp_frame_name(const mp_frame_t *f, char *buf, size_t cap);

/* ---- Warnings ---------------------------------------------------------- */

typedef enum mp_sym_warning_kind {
    MP_SYM_WARN_MISSING = 1,      /* the module's file is not there */
    MP_SYM_WARN_NOT_ELF = 2,      /* it is there but is not a readable ELF file */
    MP_SYM_WARN_BUILD_ID = 3,     /* its build-id differs from the log's */
    MP_SYM_WARN_NO_DEBUGINFO = 4, /* usable, but no DWARF found: functions from
                                     the symbol table, no file:line, no inlines */
} mp_sym_warning_kind_t;

/* One problem with one module file, reported once however many modules or
 * addresses it concerns. */
typedef struct mp_sym_warning {
    mp_sym_warning_kind_t kind;
    const char *module; /* the path as the log gives it */
    const char *msg;    /* a whole sentence for the user: what, why, the fallback */
} mp_sym_warning_t;

/* Warnings so far, in the order they arose. Valid until destroy. */
size_t mp_symbolizer_warning_count(const mp_symbolizer_t *s);
const mp_sym_warning_t *mp_symbolizer_warning(const mp_symbolizer_t *s, size_t i);

/* ---- Statistics -------------------------------------------------------- */

typedef struct mp_symbolizer_stats {
    size_t modules;          /* added */
    size_t files;            /* distinct module files (path + build-id) */
    size_t files_opened;     /* of those, opened so far (usable or not) */
    size_t cached_addresses; /* distinct (address, is_return) resolved */
    size_t cached_frames;    /* frames held for them */
    uint64_t lookups;        /* mp_symbolizer_resolve calls */
    uint64_t hits;           /* of those, answered from the cache */
    size_t memory;           /* bytes of the symbolizer's own tables: modules,
                                cache, strings, warnings (not the per-file
                                indexes, nor libdw's data for open files) */
} mp_symbolizer_stats_t;

void mp_symbolizer_stats(const mp_symbolizer_t *s, mp_symbolizer_stats_t *st);

#endif
