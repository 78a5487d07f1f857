/*
 * modules.c — see modules.h. Module records live in one mmap'd array
 * (at most MAX_MODULES over the run, unloaded ones included) and their
 * paths in an mmap'd string arena; nothing is ever freed during the run.
 */
#define _GNU_SOURCE
#include "modules.h"
#include "diag.h"
#include "lock.h"
#include "os.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#define MAX_MODULES 8192
#define PATHS_CHUNK (256u * 1024u)

static mp_lock_t mod_lock = MP_LOCK_INIT;
static mp_module_t *mods;             /* MAX_MODULES; mod_lock */
static uint32_t nmods;                /* mod_lock */
static char *paths_cur, *paths_end;   /* mod_lock */
static unsigned long long seen_adds, seen_subs; /* counters at last scan */

typedef struct {
    uint64_t ts;
    uint8_t *present;                 /* per module: found in this scan */
    int err;
    unsigned long long adds, subs;
} scan_t;

static const char *copy_path(const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > 4096)
        n = 4096;
    if ((size_t)(paths_end - paths_cur) < n) {
        void *c;
        if (mp_os_reserve(PATHS_CHUNK, 4096, NULL, &c) != 0)
            return "";
        paths_cur = c;
        paths_end = paths_cur + PATHS_CHUNK;
    }
    char *p = paths_cur;
    memcpy(p, s, n - 1);
    p[n - 1] = 0;
    paths_cur += n;
    return p;
}

static void read_build_id(struct dl_phdr_info *info, mp_module_t *m)
{
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
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
                memcmp(name, "GNU", 4) == 0 && nh->n_descsz <= MP_BUILD_ID_MAX) {
                memcpy(m->build_id, desc, nh->n_descsz);
                m->build_id_len = nh->n_descsz;
                return;
            }
            p = next;
        }
    }
}

static const char *module_path(struct dl_phdr_info *info, char *buf, size_t cap)
{
    if (info->dlpi_name && info->dlpi_name[0])
        return info->dlpi_name;
    /* The main program has an empty name: ask the kernel. */
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n <= 0)
        return "";
    buf[n] = 0;
    return buf;
}

static int scan_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    scan_t *sc = arg;
    (void)size;
    sc->adds = info->dlpi_adds;
    sc->subs = info->dlpi_subs;
    char exe[4096];
    const char *path = module_path(info, exe, sizeof exe);
    if (info->dlpi_phnum == 0)
        return 0;
    for (uint32_t i = 0; i < nmods; i++)
        if (!mods[i].gone && mods[i].bias == info->dlpi_addr && strcmp(mods[i].path, path) == 0) {
            sc->present[i] = 1;
            return 0;
        }
    if (nmods >= MAX_MODULES) {
        sc->err = MP_ENOMEM;
        return 0;
    }
    mp_module_t *m = &mods[nmods];
    memset(m, 0, sizeof *m);
    m->id = nmods + 1;
    m->ts = sc->ts;
    m->bias = info->dlpi_addr;
    m->path = copy_path(path);
    read_build_id(info, m);
    for (int i = 0; i < info->dlpi_phnum && m->nseg < MP_MODULE_SEGS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        m->seg[m->nseg].vaddr = ph->p_vaddr;
        m->seg[m->nseg].memsz = ph->p_memsz;
        m->seg[m->nseg].flags = (ph->p_flags & PF_X ? 1 : 0) | (ph->p_flags & PF_W ? 2 : 0) |
                                (ph->p_flags & PF_R ? 4 : 0);
        m->nseg++;
    }
    sc->present[nmods] = 1;
    nmods++;
    return 0;
}

int mp_modules_scan(uint64_t ts)
{
    mp_lock(&mod_lock);
    if (!mods) {
        void *p;
        if (mp_os_reserve(MAX_MODULES * sizeof(mp_module_t), 4096, NULL, &p) != 0) {
            mp_unlock(&mod_lock);
            return MP_ENOMEM;
        }
        mods = p;
    }
    static uint8_t present[MAX_MODULES]; /* mod_lock */
    memset(present, 0, nmods);
    scan_t sc = {ts, present, 0, 0, 0};
    dl_iterate_phdr(scan_cb, &sc);
    for (uint32_t i = 0; i < nmods; i++)
        if (!mods[i].gone && !present[i]) {
            mods[i].gone = 1;
            mods[i].gone_ts = ts;
        }
    __atomic_store_n(&seen_adds, sc.adds, __ATOMIC_RELAXED);
    __atomic_store_n(&seen_subs, sc.subs, __ATOMIC_RELAXED);
    mp_unlock(&mod_lock);
    return sc.err;
}

static int counters_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
    unsigned long long *c = arg;
    (void)size;
    c[0] = info->dlpi_adds;
    c[1] = info->dlpi_subs;
    return 1; /* the counters are the same in every entry: stop at the first */
}

int mp_modules_changed(void)
{
    unsigned long long c[2] = {0, 0};
    dl_iterate_phdr(counters_cb, c);
    return c[0] != __atomic_load_n(&seen_adds, __ATOMIC_RELAXED) ||
           c[1] != __atomic_load_n(&seen_subs, __ATOMIC_RELAXED);
}

void mp_modules_each(void (*fn)(mp_module_t *m, void *arg), void *arg)
{
    mp_lock(&mod_lock);
    for (uint32_t i = 0; i < nmods; i++)
        fn(&mods[i], arg);
    mp_unlock(&mod_lock);
}

void mp_modules_lock_all(void) { mp_lock(&mod_lock); }
void mp_modules_unlock_all(void) { mp_unlock(&mod_lock); }
