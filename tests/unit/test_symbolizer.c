/*
 * test_symbolizer — the libdw symbolizer (analyzer/symbolizer.h) on real
 * code: libraries built with -g for this test (symbolizer_tests.cmake) and
 * this program itself.
 *
 * Each test loads a library, describes it as the shim's MODULE record
 * would (load bias, GNU build-id, PT_LOAD segments, from dl_iterate_phdr:
 * preload/record/modules.c), gets a return address from inside a known
 * function, and checks the frames it resolves to. Expected lines are read
 * from the sources' "@NAME" markers.
 *
 * Debug directories are temporary directories made per test, holding a
 * copy of the stripped library's split debug file, by name or under
 * .build-id/; a sysroot is one too.
 */
#define _GNU_SOURCE
#include "cunit_main.h"
#include "symbolizer.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Helpers ------------------------------------------------------------- */

/* A module described as a MODULE record describes it. */
typedef struct desc {
    char path[4096];
    uint8_t id[256];
    size_t id_len;
    uint64_t bias;
    mp_segment_t seg[MP_LOG_MAX_SEGMENTS];
    uint32_t nseg;
} desc_t;

typedef struct {
    uintptr_t addr; /* an address inside the module wanted */
    desc_t *d;
    int found;
} find_t;

static int describe_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    find_t *f = arg;
    (void)size;
    int inside = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && f->addr >= info->dlpi_addr + ph->p_vaddr &&
            f->addr < info->dlpi_addr + ph->p_vaddr + ph->p_memsz)
            inside = 1;
    }
    if (!inside)
        return 0;
    desc_t *d = f->d;
    memset(d, 0, sizeof *d);
    if (info->dlpi_name && info->dlpi_name[0]) {
        snprintf(d->path, sizeof d->path, "%s", info->dlpi_name);
    } else {
        /* The main program, as the shim names it. */
        ssize_t n = readlink("/proc/self/exe", d->path, sizeof d->path - 1);
        d->path[n > 0 ? n : 0] = 0;
    }
    d->bias = info->dlpi_addr;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && d->nseg < MP_LOG_MAX_SEGMENTS) {
            d->seg[d->nseg].vaddr = ph->p_vaddr;
            d->seg[d->nseg].memsz = ph->p_memsz;
            d->seg[d->nseg].flags = (ph->p_flags & PF_X ? MP_SEG_X : 0) |
                                    (ph->p_flags & PF_W ? MP_SEG_W : 0) |
                                    (ph->p_flags & PF_R ? MP_SEG_R : 0);
            d->nseg++;
        }
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *nh;
            const char *desc = name + ((nh->n_namesz + 3) & ~3u);
            const char *next = desc + ((nh->n_descsz + 3) & ~3u);
            if (next > end)
                break;
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
                memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= sizeof d->id) {
                memcpy(d->id, desc, nh->n_descsz);
                d->id_len = nh->n_descsz;
            }
            p = next;
        }
    }
    f->found = 1;
    return 1;
}

/* Describes the loaded module holding addr. */
static int describe(const void *addr, desc_t *d)
{
    find_t f = {(uintptr_t)addr, d, 0};
    dl_iterate_phdr(describe_cb, &f);
    return f.found;
}

static int add(mp_symbolizer_t *s, uint64_t id, const desc_t *d)
{
    return mp_symbolizer_add_module(s, id, d->path, strlen(d->path), d->id, d->id_len, d->bias,
                                    d->seg, d->nseg);
}

static void *load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    return h;
}

typedef void *(*ra_fn)(void);
typedef void *(*ra_int_fn)(int);

static void *sym(void *h, const char *name)
{
    void *p = h ? dlsym(h, name) : NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return p;
}

/* dlsym's answer as a function (ISO C has no cast for it; POSIX
 * guarantees the representation). */
static ra_fn fn0(void *h, const char *name)
{
    void *p = sym(h, name);
    ra_fn f;
    memcpy(&f, &p, sizeof f);
    return f;
}

static ra_int_fn fn1(void *h, const char *name)
{
    void *p = sym(h, name);
    ra_int_fn f;
    memcpy(&f, &p, sizeof f);
    return f;
}

/* Line number of the line holding "@tag" (followed by a space or the
 * comment's end) in a source file; -1 if none. */
static int marker(const char *path, const char *tag)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024], want[64];
    snprintf(want, sizeof want, "@%s ", tag);
    int n = 0, found = -1;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (strstr(line, want)) {
            found = n;
            break;
        }
    }
    fclose(f);
    return found;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = s ? strlen(s) : 0, b = strlen(suffix);
    return s && a >= b && strcmp(s + a - b, suffix) == 0;
}

static int str_is(const char *s, const char *want)
{
    return s && strcmp(s, want) == 0;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* A fresh temporary directory; its path in buf. */
static void tmpdir(char *buf, size_t cap)
{
    snprintf(buf, cap, "/tmp/mp-symtest-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(buf));
}

static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = -1, ok = 0;
    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in >= 0 && out >= 0) {
        char buf[65536];
        ssize_t n;
        ok = 1;
        while ((n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                ok = 0;
        if (n < 0)
            ok = 0;
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return ok;
}

/* mkdir -p of the directory part of path. */
static void mkdirs_for(const char *path)
{
    char buf[8400];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(buf, 0755);
            *p = '/';
        }
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    if (strncmp(dir, "/tmp/mp-symtest-", 16) != 0)
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static mp_symbolizer_t *make(const char *const *dirs, size_t ndirs, const char *sysroot,
                             bool demangle)
{
    mp_symbolizer_options_t o = {dirs, ndirs, sysroot, demangle};
    mp_symbolizer_t *s = NULL;
    CU_ASSERT_EQUAL_FATAL(mp_symbolizer_create(&s, &o), 0);
    return s;
}

static void print_frames(const char *what, const mp_frame_t *f, size_t n)
{
    if (!getenv("MP_TEST_VERBOSE"))
        return;
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "  %s #%zu %s%s at %s:%u:%u (%s+0x%llx)\n", what, i,
                f[i].function ? f[i].function : "?", f[i].inlined ? " [inlined]" : "",
                f[i].file ? f[i].file : "?", f[i].line, f[i].column,
                f[i].module ? f[i].module : "-", (unsigned long long)f[i].module_offset);
}

/* ---- Resolving ----------------------------------------------------------- */

static void plain_call_resolves_to_function_file_and_line(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra = fn0(h, "symlib_plain")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    CU_ASSERT(d.id_len > 0);

    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("plain", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "symlib_plain"));
    CU_ASSERT(ends_with(f[0].file, "/test_symbolizer_lib.c"));
    int lo = marker(SYMTEST_LIB_SRC, "PLAIN_BEGIN"), hi = marker(SYMTEST_LIB_SRC, "PLAIN_END");
    CU_ASSERT(lo > 0 && (int)f[0].line > lo && (int)f[0].line < hi);
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_LIB_SRC, "PLAIN_CALL"));
    CU_ASSERT_FALSE(f[0].inlined);
    CU_ASSERT(str_is(f[0].module, d.path));
    CU_ASSERT_EQUAL(f[0].pc, (uintptr_t)ra - 1);
    CU_ASSERT_EQUAL(f[0].module_offset, (uintptr_t)ra - 1 - d.bias);
    CU_ASSERT_EQUAL(f[0].symbol_offset,
                    (uintptr_t)ra - 1 - (uintptr_t)sym(h, "symlib_plain"));
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 0);

    char name[256];
    CU_ASSERT_EQUAL(mp_frame_name(&f[0], name, sizeof name), strlen("symlib_plain"));
    CU_ASSERT_STRING_EQUAL(name, "symlib_plain");
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void inlined_function_is_its_own_frame(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra = fn1(h, "symlib_outer")(1);
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("inline", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    /* Innermost: the inlined function, at its own call to symlib_leaf. */
    CU_ASSERT(str_is(f[0].function, "symlib_inline"));
    CU_ASSERT(f[0].inlined);
    CU_ASSERT(ends_with(f[0].file, "/test_symbolizer_lib.c"));
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_LIB_SRC, "INLINE_CALL"));
    CU_ASSERT_EQUAL(f[0].symbol_offset, 0);
    /* Then the function it was inlined into, at the call site. */
    CU_ASSERT(str_is(f[1].function, "symlib_outer"));
    CU_ASSERT_FALSE(f[1].inlined);
    CU_ASSERT(ends_with(f[1].file, "/test_symbolizer_lib.c"));
    CU_ASSERT_EQUAL(f[1].line, marker(SYMTEST_LIB_SRC, "OUTER_CALL"));
    CU_ASSERT(f[1].column > 0);
    CU_ASSERT(f[1].symbol_offset > 0);
    CU_ASSERT_EQUAL(f[0].module_offset, f[1].module_offset);

    /* Room for one frame: the real function, not the inlined one. */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 1, &n), 0);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "symlib_outer"));
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 0, &n), 0);
    CU_ASSERT_EQUAL(n, 0);
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void cxx_method_is_demangled(void)
{
    void *h = load(SYMTEST_CXX);
    void *ra = fn1(h, "symcxx_call_method")(2);
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;

    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("c++", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "ns::Klass::method(int)"));
    CU_ASSERT(ends_with(f[0].file, "/test_symbolizer_cxx.cpp"));
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_CXX_SRC, "METHOD_CALL"));
    /* A C name is left alone ("symcxx_leaf", not parsed as a type). */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)sym(h, "symcxx_leaf"), false, f,
                                          MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symcxx_leaf"));
    mp_symbolizer_destroy(s);

    s = make(NULL, 0, NULL, false);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "_ZN2ns5Klass6methodEi"));
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void nested_function_resolves_by_the_slow_path(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra = fn1(h, "symlib_nested_outer")(1);
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("nested", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "nested"));
    CU_ASSERT(ends_with(f[0].file, "/test_symbolizer_lib.c"));
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_LIB_SRC, "NESTED_CALL"));
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void return_address_looks_up_the_call_before_it(void)
{
    void *h = load(SYMTEST_LIB);
    uintptr_t entry = (uintptr_t)sym(h, "symlib_plain");
    desc_t d;
    CU_ASSERT_FATAL(describe((void *)entry, &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    /* The innermost frame of a stack is the address itself... */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, entry, false, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "symlib_plain"));
    CU_ASSERT_EQUAL(f[0].pc, entry);
    CU_ASSERT_EQUAL(f[0].symbol_offset, 0);
    /* ...every other one is a return address, and the byte before
     * symlib_plain's first instruction is not in symlib_plain. */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, entry, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_FALSE(str_is(f[0].function, "symlib_plain"));
    CU_ASSERT_EQUAL(f[0].pc, entry - 1);
    CU_ASSERT_EQUAL(f[0].module_offset, entry - 1 - d.bias);
    mp_symbolizer_destroy(s);
    dlclose(h);
}

/* Not a frame from any library: this program's own code. */
__attribute__((noipa)) static void *self_leaf(void)
{
    return __builtin_return_address(0);
}

__attribute__((noipa)) static void *self_caller(void)
{
    void *ra = self_leaf(); /* @SELF_CALL */
    __asm__ volatile("" ::: "memory");
    return ra;
}

static void main_program_resolves_by_its_exe_path(void)
{
    void *ra = self_caller();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    CU_ASSERT_FATAL(len > 0);
    exe[len] = 0;
    CU_ASSERT_STRING_EQUAL(d.path, exe);

    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("exe", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "self_caller"));
    CU_ASSERT(ends_with(f[0].file, "/test_symbolizer.c"));
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_SELF_SRC, "SELF_CALL"));
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 0);
    mp_symbolizer_destroy(s);
}

static void address_in_no_module_is_shown_as_is(void)
{
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, 0x1234, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_PTR_NULL(f[0].function);
    CU_ASSERT_PTR_NULL(f[0].module);
    CU_ASSERT_PTR_NULL(f[0].file);
    CU_ASSERT_EQUAL(f[0].pc, 0x1233);
    char name[64];
    mp_frame_name(&f[0], name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "0x1233");
    /* Address 0 as a return address does not wrap. */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, 0, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && f[0].pc == 0);
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 0);
    mp_symbolizer_destroy(s);
}

/* ---- Separate debug info ----------------------------------------------- */

static void stripped_library_without_its_debug_file(void)
{
    void *h = load(SYMTEST_STRIPPED);
    void *ra = fn0(h, "symlib_call_static")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("stripped", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    /* symlib_static is not in .dynsym: not named, no line. */
    CU_ASSERT_FALSE(str_is(f[0].function, "symlib_static"));
    CU_ASSERT_PTR_NULL(f[0].file);
    CU_ASSERT(str_is(f[0].module, d.path));
    CU_ASSERT_EQUAL_FATAL(mp_symbolizer_warning_count(s), 1);
    CU_ASSERT_EQUAL(mp_symbolizer_warning(s, 0)->kind, MP_SYM_WARN_NO_DEBUGINFO);
    /* Exported functions are still named, from .dynsym. */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)sym(h, "symlib_plain") + 1, false, f,
                                          MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain") && f[0].symbol_offset == 1);
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 1);
    mp_symbolizer_destroy(s);
    dlclose(h);
}

/* Resolves a stripped library's static function with the given debug
 * directories, and checks it is fully symbolized. */
static void check_resolves(const char *lib, const char *const *dirs, size_t ndirs)
{
    void *h = load(lib);
    void *ra = fn0(h, "symlib_call_static")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_symbolizer_t *s = make(dirs, ndirs, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("debugfile", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "symlib_static"));
    CU_ASSERT(ends_with(f[0].file, "/test_symbolizer_lib.c"));
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_LIB_SRC, "STATIC_CALL"));
    CU_ASSERT(str_is(f[0].module, d.path));
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 0);
    for (size_t i = 0; i < mp_symbolizer_warning_count(s); i++)
        fprintf(stderr, "unexpected warning: %s\n", mp_symbolizer_warning(s, i)->msg);
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void stripped_library_resolves_through_its_debuglink(void)
{
    char dir[64], to[256];
    tmpdir(dir, sizeof dir);
    snprintf(to, sizeof to, "%s/%s", dir, base(SYMTEST_STRIPPED_DEBUG));
    CU_ASSERT_FATAL(copy_file(SYMTEST_STRIPPED_DEBUG, to));
    /* An empty directory first: the search goes on past it. */
    char empty[64];
    tmpdir(empty, sizeof empty);
    const char *dirs[] = {empty, dir};
    check_resolves(SYMTEST_STRIPPED, dirs, 2);
    rm_rf(dir);
    rm_rf(empty);
}

static void stripped_library_resolves_through_build_id_path(void)
{
    void *h = load(SYMTEST_STRIPPED);
    desc_t d;
    CU_ASSERT_FATAL(describe(sym(h, "symlib_plain"), &d));
    CU_ASSERT_FATAL(d.id_len >= 2);
    char dir[64], to[1200], hex[520];
    tmpdir(dir, sizeof dir);
    for (size_t i = 0; i < d.id_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", d.id[i]);
    snprintf(to, sizeof to, "%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2);
    mkdirs_for(to);
    CU_ASSERT_FATAL(copy_file(SYMTEST_STRIPPED_DEBUG, to));
    const char *dirs[] = {dir};
    check_resolves(SYMTEST_STRIPPED, dirs, 1);
    rm_rf(dir);
    dlclose(h);
}

static void debuglink_under_the_module_directory_tree(void)
{
    /* DIR/<directory of the logged path>/<debuglink>, the layout of a
     * distribution's /usr/lib/debug/usr/lib/... tree. */
    char dir[64], to[8300], libdir[4096];
    tmpdir(dir, sizeof dir);
    snprintf(libdir, sizeof libdir, "%s", SYMTEST_STRIPPED);
    *strrchr(libdir, '/') = 0;
    snprintf(to, sizeof to, "%s%s/%s", dir, libdir, base(SYMTEST_STRIPPED_DEBUG));
    mkdirs_for(to);
    CU_ASSERT_FATAL(copy_file(SYMTEST_STRIPPED_DEBUG, to));
    const char *dirs[] = {dir};
    check_resolves(SYMTEST_STRIPPED, dirs, 1);
    rm_rf(dir);
}

static void debug_file_without_build_id_is_checked_by_crc(void)
{
    /* No build-id anywhere: the log has none, and the debug file is taken
     * because its CRC-32 is the one the debuglink records. */
    char dir[64], to[256];
    tmpdir(dir, sizeof dir);
    snprintf(to, sizeof to, "%s/%s", dir, base(SYMTEST_NOID_DEBUG));
    CU_ASSERT_FATAL(copy_file(SYMTEST_NOID_DEBUG, to));
    const char *dirs[] = {dir};
    void *h = load(SYMTEST_NOID);
    desc_t d;
    CU_ASSERT_FATAL(describe(sym(h, "symlib_plain"), &d));
    CU_ASSERT_EQUAL(d.id_len, 0);
    dlclose(h);
    check_resolves(SYMTEST_NOID, dirs, 1);

    /* One byte changed in the middle (in section data, away from the ELF
     * headers at the start and the section table at the end, so the file
     * still reads as ELF): the CRC differs, the file is not used. */
    FILE *f = fopen(to, "r+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fseek(f, 0, SEEK_END);
    long mid = ftell(f) / 2;
    fseek(f, mid, SEEK_SET);
    int c = fgetc(f);
    fseek(f, mid, SEEK_SET);
    fputc(c ^ 0xff, f);
    fclose(f);
    h = load(SYMTEST_NOID);
    void *ra = fn0(h, "symlib_call_static")();
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_symbolizer_t *s = make(dirs, 1, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t fr[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, fr, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && !str_is(fr[0].function, "symlib_static") && !fr[0].file);
    CU_ASSERT(mp_symbolizer_warning_count(s) == 1 &&
              mp_symbolizer_warning(s, 0)->kind == MP_SYM_WARN_NO_DEBUGINFO);
    mp_symbolizer_destroy(s);
    dlclose(h);
    rm_rf(dir);
}

static void wrong_debug_file_is_not_used(void)
{
    /* A debug file of another build under the debuglink's name: the
     * build-ids differ, so it is skipped and the library stays without
     * DWARF. */
    char dir[64], to[256];
    tmpdir(dir, sizeof dir);
    snprintf(to, sizeof to, "%s/%s", dir, base(SYMTEST_STRIPPED_DEBUG));
    CU_ASSERT_FATAL(copy_file(SYMTEST_CXX, to));
    void *h = load(SYMTEST_STRIPPED);
    void *ra = fn0(h, "symlib_call_static")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    const char *dirs[] = {dir};
    mp_symbolizer_t *s = make(dirs, 1, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && !str_is(f[0].function, "symlib_static") && !f[0].file);
    CU_ASSERT(mp_symbolizer_warning_count(s) == 1 &&
              mp_symbolizer_warning(s, 0)->kind == MP_SYM_WARN_NO_DEBUGINFO);
    mp_symbolizer_destroy(s);
    dlclose(h);
    rm_rf(dir);
}

/* ---- Fallbacks ----------------------------------------------------------- */

static void build_id_mismatch_gives_module_offset_and_one_warning(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra1 = fn0(h, "symlib_plain")();
    void *ra2 = fn1(h, "symlib_outer")(1);
    desc_t d;
    CU_ASSERT_FATAL(describe(ra1, &d));
    d.id[0] ^= 0xff; /* the log says another build ran */

    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    void *ras[] = {ra1, ra2, ra1};
    for (int i = 0; i < 3; i++) {
        uintptr_t ra = (uintptr_t)ras[i];
        CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
        CU_ASSERT_EQUAL_FATAL(n, 1);
        CU_ASSERT_PTR_NULL(f[0].function);
        CU_ASSERT_PTR_NULL(f[0].file);
        CU_ASSERT_EQUAL(f[0].line, 0);
        CU_ASSERT(str_is(f[0].module, d.path));
        CU_ASSERT_EQUAL(f[0].module_offset, ra - 1 - d.bias);
        char name[512], want[512];
        mp_frame_name(&f[0], name, sizeof name);
        snprintf(want, sizeof want, "libtest_symbolizer_lib.so+0x%llx",
                 (unsigned long long)(ra - 1 - d.bias));
        CU_ASSERT_STRING_EQUAL(name, want);
    }
    CU_ASSERT_EQUAL_FATAL(mp_symbolizer_warning_count(s), 1);
    const mp_sym_warning_t *w = mp_symbolizer_warning(s, 0);
    CU_ASSERT_EQUAL(w->kind, MP_SYM_WARN_BUILD_ID);
    CU_ASSERT(str_is(w->module, d.path));
    CU_ASSERT_PTR_NOT_NULL(strstr(w->msg, "build-id differs from the log's"));
    CU_ASSERT_PTR_NOT_NULL(strstr(w->msg, "module+offset"));
    if (getenv("MP_TEST_VERBOSE"))
        fprintf(stderr, "  warning: %s\n", w->msg);
    CU_ASSERT_PTR_NULL(mp_symbolizer_warning(s, 1));
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void missing_file_gives_module_offset_and_one_warning(void)
{
    static const uint8_t id[20] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6};
    static const mp_segment_t seg[] = {{0, 0x1000, MP_SEG_R}, {0x1000, 0x3000, MP_SEG_R | MP_SEG_X}};
    const char *path = "/nonexistent/memprof-test/libgone.so.1";
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 7, path, strlen(path), id, sizeof id,
                                             0x7f0000000000ull, seg, 2), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    for (uint64_t off = 0x1100; off < 0x3000; off += 0x700) {
        CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, 0x7f0000000000ull + off, false, f,
                                              MP_SYM_MAX_FRAMES, &n), 0);
        CU_ASSERT_EQUAL_FATAL(n, 1);
        CU_ASSERT(str_is(f[0].module, path));
        CU_ASSERT_PTR_NULL(f[0].function);
        CU_ASSERT_EQUAL(f[0].module_offset, off);
    }
    char name[128];
    mp_frame_name(&f[0], name, sizeof name);
    CU_ASSERT_STRING_EQUAL(name, "libgone.so.1+0x2d00");
    /* Cut like snprintf, with the length it needed. */
    CU_ASSERT_EQUAL(mp_frame_name(&f[0], name, 5), strlen("libgone.so.1+0x2d00"));
    CU_ASSERT_STRING_EQUAL(name, "libg");
    CU_ASSERT_EQUAL_FATAL(mp_symbolizer_warning_count(s), 1);
    const mp_sym_warning_t *w = mp_symbolizer_warning(s, 0);
    CU_ASSERT_EQUAL(w->kind, MP_SYM_WARN_MISSING);
    CU_ASSERT_PTR_NOT_NULL(strstr(w->msg, path));
    CU_ASSERT_PTR_NOT_NULL(strstr(w->msg, "module+offset"));
    if (getenv("MP_TEST_VERBOSE"))
        fprintf(stderr, "  warning: %s\n", w->msg);
    /* Between the segments (0x3000 up) is not the module. */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, 0x7f0000004000ull, false, f, 4, &n), 0);
    CU_ASSERT(n == 1 && f[0].module == NULL);
    mp_symbolizer_destroy(s);
}

static void missing_file_with_its_debug_file_installed(void)
{
    /* The library is gone from the analyzing machine, but the debug file of
     * the build that ran is installed (by build-id): full symbols. */
    void *h = load(SYMTEST_STRIPPED);
    void *ra = fn0(h, "symlib_call_static")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    char dir[64], to[1200], hex[520];
    tmpdir(dir, sizeof dir);
    for (size_t i = 0; i < d.id_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", d.id[i]);
    snprintf(to, sizeof to, "%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2);
    mkdirs_for(to);
    CU_ASSERT_FATAL(copy_file(SYMTEST_STRIPPED_DEBUG, to));
    snprintf(d.path, sizeof d.path, "/nonexistent/memprof-test/libtest_symbolizer_stripped.so");

    const char *dirs[] = {dir};
    mp_symbolizer_t *s = make(dirs, 1, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    print_frames("stand-in", f, n);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT(str_is(f[0].function, "symlib_static"));
    CU_ASSERT_EQUAL(f[0].line, marker(SYMTEST_LIB_SRC, "STATIC_CALL"));
    CU_ASSERT(str_is(f[0].module, d.path));
    CU_ASSERT_EQUAL_FATAL(mp_symbolizer_warning_count(s), 1);
    const mp_sym_warning_t *w = mp_symbolizer_warning(s, 0);
    CU_ASSERT_EQUAL(w->kind, MP_SYM_WARN_MISSING);
    CU_ASSERT_PTR_NOT_NULL(strstr(w->msg, "symbols from its debug file"));
    if (getenv("MP_TEST_VERBOSE"))
        fprintf(stderr, "  warning: %s\n", w->msg);
    mp_symbolizer_destroy(s);
    dlclose(h);
    rm_rf(dir);
}

static void sysroot_prefixes_module_paths(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra = fn0(h, "symlib_plain")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    /* The log says /opt/…, which exists only under the sysroot. */
    char root[64], to[4200];
    tmpdir(root, sizeof root);
    snprintf(d.path, sizeof d.path, "/opt/memprof-symtest/lib/libtest_symbolizer_lib.so");
    snprintf(to, sizeof to, "%s%s", root, d.path);
    mkdirs_for(to);
    CU_ASSERT_FATAL(copy_file(SYMTEST_LIB, to));

    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    mp_symbolizer_t *s = make(NULL, 0, root, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain"));
    CU_ASSERT(str_is(f[0].module, d.path)); /* as logged, not the sysroot's path */
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 0);
    mp_symbolizer_destroy(s);

    /* Without the sysroot the same log is a missing file, and the
     * warning names where it looked. */
    s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && f[0].function == NULL);
    CU_ASSERT(mp_symbolizer_warning_count(s) == 1 &&
              mp_symbolizer_warning(s, 0)->kind == MP_SYM_WARN_MISSING);
    mp_symbolizer_destroy(s);

    /* A sysroot with a trailing slash is the same sysroot. */
    char root_slash[80];
    snprintf(root_slash, sizeof root_slash, "%s/", root);
    s = make(NULL, 0, root_slash, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain"));
    mp_symbolizer_destroy(s);

    /* A log cannot lead out of the sysroot: "/../../<the library's real
     * path>" under it names the real file, and is not opened (a relative
     * path neither). */
    char real[PATH_MAX];
    CU_ASSERT_FATAL(realpath(SYMTEST_LIB, real) != NULL);
    CU_ASSERT_FATAL(strlen(real) + 7 < sizeof d.path);
    memcpy(d.path, "/../..", 6);
    memcpy(d.path + 6, real, strlen(real) + 1);
    s = make(NULL, 0, root, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, MP_SYM_MAX_FRAMES, &n), 0);
    CU_ASSERT(n == 1 && f[0].function == NULL);
    CU_ASSERT(mp_symbolizer_warning_count(s) == 1 &&
              mp_symbolizer_warning(s, 0)->kind == MP_SYM_WARN_MISSING);
    mp_symbolizer_destroy(s);
    rm_rf(root);
    dlclose(h);
}

/* ---- Modules over time --------------------------------------------------- */

static void unloaded_module_stays_resolvable_until_replaced(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra = fn0(h, "symlib_plain")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n = 0;
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain"));

    /* Unloaded: still symbolized the same (and not re-resolved). */
    CU_ASSERT_EQUAL(mp_symbolizer_module_gone(s, 1), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain"));

    /* Another module mapped at the same addresses takes them over. */
    desc_t other = d;
    snprintf(other.path, sizeof other.path, "/nonexistent/memprof-test/libother.so");
    CU_ASSERT_EQUAL(add(s, 2, &other), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].module, other.path) && f[0].function == NULL);

    /* Both gone: the newest still wins. */
    CU_ASSERT_EQUAL(mp_symbolizer_module_gone(s, 2), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].module, other.path));

    /* The first library loaded again: the same file, opened once. */
    CU_ASSERT_EQUAL(add(s, 3, &d), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain"));
    mp_symbolizer_stats_t st;
    mp_symbolizer_stats(s, &st);
    CU_ASSERT_EQUAL(st.modules, 3);
    CU_ASSERT_EQUAL(st.files, 2);
    CU_ASSERT_EQUAL(st.files_opened, 2);
    CU_ASSERT_EQUAL(st.cached_addresses, 1);
    CU_ASSERT_EQUAL(mp_symbolizer_warning_count(s), 1); /* libother.so, once */
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void shim_frames_are_recognized(void)
{
    static const mp_segment_t seg[] = {{0x1000, 0x1000, MP_SEG_R | MP_SEG_X}};
    const char *paths[] = {"/usr/lib/x86_64-linux-gnu/libmemprof.so", "/opt/lib/libmemprof.so.0",
                           "/opt/libmemprof.so.d/libfoo.so", "/opt/lib/libnotmemprof.so"};
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    for (uint64_t i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, i + 1, paths[i], strlen(paths[i]), NULL, 0,
                                                 (i + 1) << 20, seg, 1), 0);
    CU_ASSERT_TRUE(mp_symbolizer_is_shim(s, (1u << 20) + 0x1000));
    CU_ASSERT_TRUE(mp_symbolizer_is_shim(s, (1u << 20) + 0x1fff));
    CU_ASSERT_FALSE(mp_symbolizer_is_shim(s, (1u << 20) + 0x2000));
    CU_ASSERT_FALSE(mp_symbolizer_is_shim(s, (1u << 20) + 0xfff));
    CU_ASSERT_TRUE(mp_symbolizer_is_shim(s, (2u << 20) + 0x1800));
    CU_ASSERT_FALSE(mp_symbolizer_is_shim(s, (3u << 20) + 0x1800));
    CU_ASSERT_FALSE(mp_symbolizer_is_shim(s, (4u << 20) + 0x1800));
    /* Gone or not, the shim's frames are the shim's. */
    CU_ASSERT_EQUAL(mp_symbolizer_module_gone(s, 1), 0);
    CU_ASSERT_TRUE(mp_symbolizer_is_shim(s, (1u << 20) + 0x1000));
    /* Nothing was opened for it. */
    mp_symbolizer_stats_t st;
    mp_symbolizer_stats(s, &st);
    CU_ASSERT_EQUAL(st.files_opened, 0);
    mp_symbolizer_destroy(s);
}

static void bad_module_descriptions_are_refused(void)
{
    static const mp_segment_t seg[] = {{0x1000, 0x1000, MP_SEG_R}};
    static const mp_segment_t wraps[] = {{0xfffffffffffff000ull, 0x2000, MP_SEG_R}};
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 1, "/a", 2, NULL, 0, 0, seg, 1), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 1, "/b", 2, NULL, 0, 0x10000, seg, 1),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 2, "/b", 2, NULL, 0, 0x10000, seg, 0),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 2, "/b", 2, NULL, 0, 0, wraps, 1),
                    MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 2, "/b", 2, NULL, 0, 0x10000, seg,
                                             MP_LOG_MAX_SEGMENTS + 1), MP_ELOG_INVAL);
    CU_ASSERT_EQUAL(mp_symbolizer_module_gone(s, 99), MP_ELOG_INVAL);
    /* A negative bias (modulo 2^64, as the format allows) is fine. */
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 2, "/c", 2, NULL, 0, (uint64_t)-0x1000, seg, 1),
                    0);
    mp_frame_t f[4];
    size_t n;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, 0x500, false, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].module, "/c") && f[0].module_offset == 0x1500);
    /* A path as the log gives it: not NUL-terminated, cut at its length. */
    CU_ASSERT_EQUAL(mp_symbolizer_add_module(s, 3, "/dxyz", 2, NULL, 0, 0x20000, seg, 1), 0);
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, 0x21000, false, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].module, "/d"));
    mp_symbolizer_destroy(s);
    mp_symbolizer_destroy(NULL);
}

static void module_record_is_accepted_as_is(void)
{
    void *h = load(SYMTEST_LIB);
    void *ra = fn0(h, "symlib_plain")();
    desc_t d;
    CU_ASSERT_FATAL(describe(ra, &d));
    mp_rec_module_t rec = {
        .id = 5, .ts = 0, .bias = d.bias,
        .path = {d.path, strlen(d.path)},
        .build_id = {d.id, d.id_len},
        .nseg = d.nseg, .segs = d.seg,
    };
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(mp_symbolizer_add_record(s, &rec), 0);
    mp_frame_t f[4];
    size_t n;
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, (uintptr_t)ra, true, f, 4, &n), 0);
    CU_ASSERT(n == 1 && str_is(f[0].function, "symlib_plain"));
    mp_symbolizer_destroy(s);
    dlclose(h);
}

/* ---- The cache ------------------------------------------------------------ */

/* Field by field (a memcmp would compare padding). Strings by pointer. */
static int same_frame(const mp_frame_t *a, const mp_frame_t *b)
{
    return a->function == b->function && a->file == b->file && a->line == b->line &&
           a->column == b->column && a->module == b->module && a->pc == b->pc &&
           a->module_offset == b->module_offset && a->symbol_offset == b->symbol_offset &&
           a->inlined == b->inlined;
}

static void cache_returns_the_same_and_does_not_grow(void)
{
    void *h = load(SYMTEST_LIB);
    uintptr_t ra[3] = {
        (uintptr_t)fn0(h, "symlib_plain")(),
        (uintptr_t)fn1(h, "symlib_outer")(1),
        (uintptr_t)fn0(h, "symlib_call_static")(),
    };
    desc_t d;
    CU_ASSERT_FATAL(describe((void *)ra[0], &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);

    mp_frame_t first[3][MP_SYM_MAX_FRAMES], again[MP_SYM_MAX_FRAMES];
    size_t n1[3], n2;
    for (int i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, ra[i], true, first[i], MP_SYM_MAX_FRAMES,
                                              &n1[i]), 0);
    mp_symbolizer_stats_t before, after;
    mp_symbolizer_stats(s, &before);
    CU_ASSERT_EQUAL(before.cached_addresses, 3);
    CU_ASSERT_EQUAL(before.cached_frames, 4); /* outer has an inlined frame */
    CU_ASSERT_EQUAL(before.hits, 0);

    for (int round = 0; round < 1000; round++)
        for (int i = 0; i < 3; i++) {
            CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, ra[i], true, again, MP_SYM_MAX_FRAMES,
                                                  &n2), 0);
            /* Identical, strings included (the same pointers). */
            CU_ASSERT_EQUAL(n2, n1[i]);
            for (size_t k = 0; k < n2; k++)
                CU_ASSERT(same_frame(&again[k], &first[i][k]));
        }
    mp_symbolizer_stats(s, &after);
    CU_ASSERT_EQUAL(after.cached_addresses, before.cached_addresses);
    CU_ASSERT_EQUAL(after.cached_frames, before.cached_frames);
    CU_ASSERT_EQUAL(after.memory, before.memory);
    CU_ASSERT_EQUAL(after.lookups, before.lookups + 3000);
    CU_ASSERT_EQUAL(after.hits, 3000);

    /* The same address as an innermost frame is another key. */
    CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, ra[0], false, again, MP_SYM_MAX_FRAMES, &n2), 0);
    mp_symbolizer_stats(s, &after);
    CU_ASSERT_EQUAL(after.cached_addresses, 4);
    mp_symbolizer_destroy(s);
    dlclose(h);
}

static void cache_memory_follows_distinct_addresses(void)
{
    /* Every byte of the library's code, looked up twice: the second pass
     * adds nothing, and memory per address stays small. */
    void *h = load(SYMTEST_LIB);
    uintptr_t lo = (uintptr_t)sym(h, "symlib_leaf");
    desc_t d;
    CU_ASSERT_FATAL(describe((void *)lo, &d));
    mp_symbolizer_t *s = make(NULL, 0, NULL, true);
    CU_ASSERT_EQUAL(add(s, 1, &d), 0);
    mp_frame_t f[MP_SYM_MAX_FRAMES];
    size_t n, count = 4096;
    for (size_t i = 0; i < count; i++)
        CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, lo + i, false, f, MP_SYM_MAX_FRAMES, &n), 0);
    mp_symbolizer_stats_t one, two;
    mp_symbolizer_stats(s, &one);
    for (size_t i = 0; i < count; i++)
        CU_ASSERT_EQUAL(mp_symbolizer_resolve(s, lo + i, false, f, MP_SYM_MAX_FRAMES, &n), 0);
    mp_symbolizer_stats(s, &two);
    CU_ASSERT_EQUAL(one.cached_addresses, count);
    CU_ASSERT_EQUAL(two.cached_addresses, count);
    CU_ASSERT_EQUAL(two.memory, one.memory);
    CU_ASSERT_EQUAL(two.hits, count);
    CU_ASSERT(one.memory / count < 1024);
    mp_symbolizer_destroy(s);
    dlclose(h);
}

void mp_test_register(void)
{
    MP_SUITE("symbolizer.resolve",
             MP_TEST(plain_call_resolves_to_function_file_and_line),
             MP_TEST(inlined_function_is_its_own_frame),
             MP_TEST(cxx_method_is_demangled),
             MP_TEST(nested_function_resolves_by_the_slow_path),
             MP_TEST(return_address_looks_up_the_call_before_it),
             MP_TEST(main_program_resolves_by_its_exe_path),
             MP_TEST(address_in_no_module_is_shown_as_is));
    MP_SUITE("symbolizer.debuginfo",
             MP_TEST(stripped_library_without_its_debug_file),
             MP_TEST(stripped_library_resolves_through_its_debuglink),
             MP_TEST(stripped_library_resolves_through_build_id_path),
             MP_TEST(debuglink_under_the_module_directory_tree),
             MP_TEST(debug_file_without_build_id_is_checked_by_crc),
             MP_TEST(wrong_debug_file_is_not_used));
    MP_SUITE("symbolizer.fallback",
             MP_TEST(build_id_mismatch_gives_module_offset_and_one_warning),
             MP_TEST(missing_file_gives_module_offset_and_one_warning),
             MP_TEST(missing_file_with_its_debug_file_installed),
             MP_TEST(sysroot_prefixes_module_paths));
    MP_SUITE("symbolizer.modules",
             MP_TEST(unloaded_module_stays_resolvable_until_replaced),
             MP_TEST(shim_frames_are_recognized),
             MP_TEST(bad_module_descriptions_are_refused),
             MP_TEST(module_record_is_accepted_as_is));
    MP_SUITE("symbolizer.cache",
             MP_TEST(cache_returns_the_same_and_does_not_grow),
             MP_TEST(cache_memory_follows_distinct_addresses));
}
