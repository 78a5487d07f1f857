/*
 * run_static.c — tells a statically linked program from one that loads the
 * shim (see run_static.h), by reading its ELF headers.
 *
 * Two steps:
 *   1. Resolve the command as execvp(3) will: a name with a '/' is a path;
 *      otherwise each directory of PATH in turn (glibc's default
 *      "/bin:/usr/bin" when PATH is unset, an empty entry meaning the
 *      current directory), taking the first regular file we may execute —
 *      execvp skips the others (EACCES, ENOENT) the same way.
 *   2. Read the file header and the program headers with pread, in either
 *      ELF class, in the host's byte order (a file in the other order cannot
 *      run here: the exec fails and spawn.c reports it). Static means: an
 *      executable (ET_EXEC, or ET_DYN for static-pie) with no PT_INTERP. An
 *      ET_DYN without PT_INTERP whose dynamic section has a DT_SONAME is a
 *      shared object run directly — in practice the dynamic loader, as in
 *      `memprof run /lib64/ld-linux-x86-64.so.2 ./prog`, which does read
 *      LD_PRELOAD — and is not reported; a static-pie has no DT_SONAME.
 *
 * Why read the headers rather than look at the log afterwards: a missing log
 * after the run says nothing about why (run_log.c can only guess), and the
 * user hears it only at the end of what may be a long run. Why no libelf:
 * two fixed-layout headers and one table are all we need, and <elf.h> (part
 * of the libc's headers) gives their layouts.
 *
 * Anything unexpected — unreadable file, short read, absurd header counts —
 * answers "not static": the warning must never be wrong, and a program we
 * cannot judge is simply run as before. Called by cmd_run.c, once, before
 * the program starts; single-threaded like the rest of the CLI.
 */
#include "run_static.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* glibc's execvp searches this when PATH is unset (confstr(_CS_PATH)). */
#define DEFAULT_PATH "/bin:/usr/bin"

/* Sanity bounds on what we read. Real executables have about 10–15 program
 * headers and 20–40 dynamic entries; the bounds only keep a corrupt file
 * from making us read megabytes. PN_XNUM (0xffff: the count lives in the
 * first section header) is beyond MAX_PHNUM, so it is "cannot tell". */
#define MAX_PHNUM 4096
#define MAX_DYN_BYTES (64u << 10)

/* Reads exactly n bytes at off: 0, or -1 on error or a short file. */
static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    char *p = buf;

    if (off > (uint64_t)INT64_MAX - n)
        return -1;
    while (n > 0) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
        off += (uint64_t)r;
    }
    return 0;
}

/* 1 if path is a regular file we may execute (what execve would run). */
static int runnable(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The file execvp would run for command, into buf: 0, or -1 if none. */
static int resolve(const char *command, char *buf, size_t size)
{
    const char *path, *p, *end;

    if (command[0] == '\0')
        return -1;
    if (strchr(command, '/')) {
        if ((size_t)snprintf(buf, size, "%s", command) >= size)
            return -1;
        return 0;
    }
    path = getenv("PATH");
    if (!path)
        path = DEFAULT_PATH;
    for (p = path;; p = end + 1) {
        size_t len;

        end = strchr(p, ':');
        if (!end)
            end = p + strlen(p);
        len = (size_t)(end - p);
        if (len == 0 ? (size_t)snprintf(buf, size, "%s", command) < size
                     : (size_t)snprintf(buf, size, "%.*s/%s", (int)len, p, command) < size) {
            if (runnable(buf))
                return 0;
        }
        if (*end == '\0')
            return -1;
    }
}

/* The fields we use, whichever the class. */
typedef struct elf_hdr {
    int is64;
    uint16_t type;
    uint64_t phoff;
    uint16_t phentsize, phnum;
} elf_hdr_t;

static int host_byte_order(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1 ? ELFDATA2LSB : ELFDATA2MSB;
}

/* Reads the file header: 0, or -1 if it is not an ELF file we can judge. */
static int read_header(int fd, elf_hdr_t *h)
{
    union {
        unsigned char ident[EI_NIDENT];
        Elf32_Ehdr e32;
        Elf64_Ehdr e64;
    } u;

    if (read_at(fd, u.ident, EI_NIDENT, 0) != 0 || memcmp(u.ident, ELFMAG, SELFMAG) != 0 ||
        u.ident[EI_DATA] != host_byte_order())
        return -1;
    if (u.ident[EI_CLASS] == ELFCLASS64) {
        if (read_at(fd, &u.e64, sizeof u.e64, 0) != 0 ||
            u.e64.e_phentsize != sizeof(Elf64_Phdr))
            return -1;
        *h = (elf_hdr_t){ 1, u.e64.e_type, u.e64.e_phoff, u.e64.e_phentsize, u.e64.e_phnum };
    } else if (u.ident[EI_CLASS] == ELFCLASS32) {
        if (read_at(fd, &u.e32, sizeof u.e32, 0) != 0 ||
            u.e32.e_phentsize != sizeof(Elf32_Phdr))
            return -1;
        *h = (elf_hdr_t){ 0, u.e32.e_type, u.e32.e_phoff, u.e32.e_phentsize, u.e32.e_phnum };
    } else {
        return -1;
    }
    if ((h->type != ET_EXEC && h->type != ET_DYN) || h->phnum == 0 || h->phnum > MAX_PHNUM)
        return -1;
    return 0;
}

/* 1 if the dynamic section at [off, off + size) has a DT_SONAME entry, 0
 * if not, -1 if it cannot be read. */
static int has_soname(int fd, const elf_hdr_t *h, uint64_t off, uint64_t size)
{
    size_t ent = h->is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    size_t n = (size_t)(size < MAX_DYN_BYTES ? size : MAX_DYN_BYTES) / ent;
    unsigned char *buf;
    int found = 0;

    if (n == 0)
        return 0;
    if (!(buf = malloc(n * ent)))
        return -1;
    if (read_at(fd, buf, n * ent, off) != 0) {
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t tag;
        if (h->is64) {
            Elf64_Dyn d;
            memcpy(&d, buf + i * ent, sizeof d);
            tag = d.d_tag;
        } else {
            Elf32_Dyn d;
            memcpy(&d, buf + i * ent, sizeof d);
            tag = d.d_tag;
        }
        if (tag == DT_NULL)
            break;
        if (tag == DT_SONAME) {
            found = 1;
            break;
        }
    }
    free(buf);
    return found;
}

/* 1 static, 0 not (or cannot tell). */
static int elf_is_static(int fd)
{
    elf_hdr_t h;
    unsigned char *ph;
    int interp = 0, have_dynamic = 0, is_static;
    uint64_t dyn_off = 0, dyn_size = 0;

    if (read_header(fd, &h) != 0)
        return 0;
    if (!(ph = malloc((size_t)h.phnum * h.phentsize)))
        return 0;
    if (read_at(fd, ph, (size_t)h.phnum * h.phentsize, h.phoff) != 0) {
        free(ph);
        return 0;
    }
    for (size_t i = 0; i < h.phnum; i++) {
        uint32_t type;
        uint64_t off, size;
        if (h.is64) {
            Elf64_Phdr p;
            memcpy(&p, ph + i * h.phentsize, sizeof p);
            type = p.p_type, off = p.p_offset, size = p.p_filesz;
        } else {
            Elf32_Phdr p;
            memcpy(&p, ph + i * h.phentsize, sizeof p);
            type = p.p_type, off = p.p_offset, size = p.p_filesz;
        }
        if (type == PT_INTERP)
            interp = 1;
        else if (type == PT_DYNAMIC && !have_dynamic) {
            have_dynamic = 1;
            dyn_off = off;
            dyn_size = size;
        }
    }
    free(ph);
    if (interp)
        return 0;
    is_static = 1;
    if (h.type == ET_DYN && have_dynamic)
        is_static = has_soname(fd, &h, dyn_off, dyn_size) == 0;
    return is_static;
}

int mp_run_is_static(const char *command)
{
    char path[PATH_MAX];
    int fd, is_static;

    if (resolve(command, path, sizeof path) != 0)
        return 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0; /* execute-only, say: we cannot tell, so we do not warn */
    is_static = elf_is_static(fd);
    close(fd);
    return is_static;
}

int mp_run_static_warn(const char *command)
{
    if (!mp_run_is_static(command))
        return 0;
    fprintf(stderr,
            "memprof: %s is statically linked: the preloaded shim cannot see its "
            "allocations; no log will be written\n",
            command);
    return 1;
}
