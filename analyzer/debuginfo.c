/*
 * debuginfo.c — see debuginfo.h. Builds candidate paths, opens them, and
 * keeps one only if it is an ELF file with the right build-id (or CRC-32).
 *
 * The places are those of GDB and elfutils, so the usual ways of installing
 * debug files work unchanged: Debian's -dbgsym packages fill
 * /usr/lib/debug/.build-id/, `objcopy --only-keep-debug` plus
 * `--add-gnu-debuglink` leaves a file next to the module or in a .debug/
 * directory, and a distribution's tree-shaped /usr/lib/debug/usr/lib/…
 * layout is found by debuglink name.
 *
 * No state but the configuration; all memory is the caller's or freed
 * before returning.
 */
#define _GNU_SOURCE
#include "debuginfo.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <elfutils/libdwelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log_format.h"

struct mp_debugdirs {
    char *sysroot;   /* "" for none; no trailing '/' */
    char **dirs;     /* extra directories, then <sysroot>/usr/lib/debug */
    size_t ndirs;
};

static char *dup_trimmed(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

int mp_debugdirs_create(const char *sysroot, const char *const *extra, size_t nextra,
                        mp_debugdirs_t **out)
{
    *out = NULL;
    mp_debugdirs_t *d = calloc(1, sizeof *d);
    if (!d)
        return MP_ELOG_NOMEM;
    d->sysroot = dup_trimmed(sysroot ? sysroot : "");
    d->dirs = calloc(nextra + 1, sizeof *d->dirs);
    if (!d->sysroot || !d->dirs)
        goto nomem;
    if (strcmp(d->sysroot, "/") == 0)
        d->sysroot[0] = 0;
    for (size_t i = 0; i < nextra; i++) {
        if (!extra[i] || !extra[i][0])
            continue;
        if (!(d->dirs[d->ndirs] = dup_trimmed(extra[i])))
            goto nomem;
        d->ndirs++;
    }
    if (asprintf(&d->dirs[d->ndirs], "%s/usr/lib/debug", d->sysroot) < 0) {
        d->dirs[d->ndirs] = NULL;
        goto nomem;
    }
    d->ndirs++;
    *out = d;
    return 0;
nomem:
    mp_debugdirs_destroy(d);
    return MP_ELOG_NOMEM;
}

void mp_debugdirs_destroy(mp_debugdirs_t *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ndirs; i++)
        free(d->dirs[i]);
    free(d->dirs);
    free(d->sysroot);
    free(d);
}

int mp_debugdirs_module_path(const mp_debugdirs_t *d, const char *logged, char **out)
{
    const char *root = logged[0] == '/' ? d->sysroot : "";
    if (asprintf(out, "%s%s", root, logged) < 0) {
        *out = NULL;
        return MP_ELOG_NOMEM;
    }
    return 0;
}

int mp_debugdirs_inside(const mp_debugdirs_t *d, const char *logged)
{
    if (!d->sysroot[0])
        return 1;
    if (logged[0] != '/')
        return 0;
    for (const char *p = logged; (p = strstr(p, "/..")) != NULL; p += 3)
        if (p[3] == '/' || p[3] == '\0')
            return 0;
    return 1;
}

/* ---- Probing a file ----------------------------------------------------- */

static void elf_init_once(void)
{
    static int done;
    if (!done) {
        elf_version(EV_CURRENT);
        done = 1;
    }
}

void mp_elf_probe(const char *path, mp_elf_probe_t *p)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    elf_init_once();
    /* The path comes from a log, which may be anyone's: only a regular
     * file is opened. Opening a FIFO would block for ever, a device may
     * act on open (a tape rewinds, a watchdog starts). stat first, so
     * nothing else is opened at all; O_NONBLOCK and the fstat close the
     * race with a file swapped in between (docs/security.md). */
    struct stat st;
    if (stat(path, &st) != 0) {
        p->err = errno;
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        p->err = ENOEXEC;
        return;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        p->err = errno;
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        p->err = ENOEXEC;
        return;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!elf || elf_kind(elf) != ELF_K_ELF) {
        if (elf)
            elf_end(elf);
        close(fd);
        p->err = ENOEXEC;
        return;
    }
    const void *id;
    ssize_t n = dwelf_elf_gnu_build_id(elf, &id);
    if (n > 0) {
        p->build_id_len = (size_t)n;
        if ((size_t)n <= MP_BUILD_ID_CAP)
            memcpy(p->build_id, id, (size_t)n);
    }
    elf_end(elf);
    p->fd = fd;
}

int mp_build_id_equal(const mp_elf_probe_t *p, const uint8_t *id, size_t len)
{
    return p->build_id_len == len && len <= MP_BUILD_ID_CAP &&
           memcmp(p->build_id, id, len) == 0;
}

/* ---- CRC-32 of a debuglink ---------------------------------------------- */

/* The .gnu_debuglink checksum is the common CRC-32 (zlib's, reflected
 * polynomial 0xEDB88320) of the whole debug file. Only needed when the
 * module has no build-id, which modern toolchains always write. */
static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    if (!table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
    crc = ~crc;
    while (n--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static bool crc_matches(int fd, uint32_t want)
{
    uint8_t buf[65536];
    uint32_t crc = 0;
    off_t off = 0;
    for (;;) {
        ssize_t got = pread(fd, buf, sizeof buf, off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return false;
        if (got == 0)
            break;
        crc = crc32_update(crc, buf, (size_t)got);
        off += got;
    }
    return crc == want;
}

/* ---- Searching ---------------------------------------------------------- */

typedef struct {
    const uint8_t *id;  /* the module's build-id; NULL: none to check */
    size_t len;
    uint32_t crc;       /* 0: unchecked */
    const char *self;   /* the module file itself, never its own debug file */
} want_t;

/* Opens path if it is an acceptable debug file; takes ownership of path
 * (stored in *found on success, freed otherwise). */
static int try_path(char *path, const want_t *w, char **found)
{
    if (!path)
        return -1;
    if (w->self && strcmp(path, w->self) == 0) {
        free(path);
        return -1;
    }
    mp_elf_probe_t p;
    mp_elf_probe(path, &p);
    bool ok = p.err == 0;
    if (ok && w->id && w->len && p.build_id_len)
        ok = mp_build_id_equal(&p, w->id, w->len);
    else if (ok && w->crc)
        ok = crc_matches(p.fd, w->crc);
    if (!ok) {
        if (p.fd >= 0)
            close(p.fd);
        free(path);
        return -1;
    }
    *found = path;
    return p.fd;
}

static char *cat(const char *a, const char *b, const char *c, const char *e)
{
    char *s;
    return asprintf(&s, "%s%s%s%s", a, b, c, e) < 0 ? NULL : s;
}

/* dirname into buf ("" for a bare name, "/" kept as ""). */
static void dir_of(const char *path, char *buf, size_t cap)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, path, n);
    buf[n] = 0;
}

int mp_debuginfo_by_build_id(const mp_debugdirs_t *d, const uint8_t *id, size_t len,
                             char **found)
{
    *found = NULL;
    if (len < 2 || len > MP_BUILD_ID_CAP)
        return -1;
    char hex[2 * MP_BUILD_ID_CAP + 1];
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", id[i]);
    char head[3] = {hex[0], hex[1], 0};
    want_t w = {id, len, 0, NULL};
    for (size_t i = 0; i < d->ndirs; i++) {
        char *p;
        if (asprintf(&p, "%s/.build-id/%s/%s.debug", d->dirs[i], head, hex + 2) < 0)
            continue;
        int fd = try_path(p, &w, found);
        if (fd >= 0)
            return fd;
    }
    return -1;
}

static int find_altlink(const mp_debugdirs_t *d, const char *real, const char *link,
                        char **found)
{
    /* The alt file's own build-id is in the .gnu_debugaltlink section,
     * which libdw checks when it uses the file; here any ELF file will do. */
    want_t w = {NULL, 0, 0, NULL};
    if (link[0] == '/')
        return try_path(cat(d->sysroot, link, "", ""), &w, found);
    char dir[4096];
    dir_of(real, dir, sizeof dir);
    return try_path(cat(dir, "/", link, ""), &w, found);
}

int mp_debuginfo_find(const mp_debugdirs_t *d, const uint8_t *id, size_t len,
                      const char *logged, const char *real, const char *link, uint32_t crc,
                      char **found)
{
    *found = NULL;
    if (link && strchr(link, '/'))
        return find_altlink(d, real, link, found);

    int fd = mp_debuginfo_by_build_id(d, id, len, found);
    if (fd >= 0)
        return fd;

    const char *base = strrchr(real, '/') ? strrchr(real, '/') + 1 : real;
    char *deflt = NULL;
    if (!link || !link[0]) {
        if (!(deflt = cat(base, ".debug", "", "")))
            return -1;
        link = deflt;
    }
    want_t w = {len ? id : NULL, len, crc, real};
    char rdir[4096], ldir[4096];
    dir_of(real, rdir, sizeof rdir);
    dir_of(logged, ldir, sizeof ldir);
    const char *rsep = real[0] == '/' || strchr(real, '/') ? "/" : "";

    if ((fd = try_path(cat(rdir, rsep, link, ""), &w, found)) >= 0)
        goto out;
    if ((fd = try_path(cat(rdir, rsep, ".debug/", link), &w, found)) >= 0)
        goto out;
    for (size_t i = 0; i < d->ndirs; i++) {
        if (ldir[0] == '/') {
            char *p;
            if (asprintf(&p, "%s%s/%s", d->dirs[i], ldir, link) >= 0 &&
                (fd = try_path(p, &w, found)) >= 0)
                goto out;
        }
        if ((fd = try_path(cat(d->dirs[i], "/", link, ""), &w, found)) >= 0)
            goto out;
    }
    fd = -1;
out:
    free(deflt);
    return fd;
}
