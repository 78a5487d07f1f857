/*
 * os_linux.c — Linux implementation of os.h (see there for the states).
 *
 * Everything here is a thin syscall wrapper; no stdio, no malloc, no locks.
 * The fault injector is one relaxed atomic counter per kind, read on every
 * call: a load next to a syscall costs nothing measurable, and keeping it
 * in every build means the tests exercise the code that ships.
 */
#define _GNU_SOURCE
#include "os.h"
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic unsigned mp_os_fault_countdown[MP_OS_FAULT_KINDS];

void mp_os_fault_after(int kind, unsigned n)
{
    if (kind >= 0 && kind < MP_OS_FAULT_KINDS)
        atomic_store_explicit(&mp_os_fault_countdown[kind], n, memory_order_relaxed);
}

int mp_os_fault_fires(int kind)
{
    unsigned n = atomic_load_explicit(&mp_os_fault_countdown[kind], memory_order_relaxed);
    /* Disarmed: one load. Armed: count down with a CAS, so that calls racing
     * on two threads cannot both take the last count (a fault fires once). */
    while (n != 0 && !atomic_compare_exchange_weak_explicit(&mp_os_fault_countdown[kind], &n,
                                                            n - 1, memory_order_relaxed,
                                                            memory_order_relaxed))
        ;
    return n == 1;
}

unsigned mp_os_fault_left(int kind)
{
    return atomic_load_explicit(&mp_os_fault_countdown[kind], memory_order_relaxed);
}

/* Owned regions (os.h): slots are claimed with an atomic add and never
 * reused; a slot whose region was unmapped is zeroed. Readers run at exit,
 * when the other threads are paused. */
static struct { uintptr_t lo, hi; } owned[MP_OS_OWNED_MAX];
static unsigned owned_n;           /* slots claimed (atomic; may exceed MAX) */
#define OWN_THREADS_MAX 8u
static uintptr_t own_threads[OWN_THREADS_MAX];
static unsigned own_threads_n;     /* atomic */

static void own(void *p, size_t size)
{
    unsigned i = __atomic_fetch_add(&owned_n, 1, __ATOMIC_RELAXED);
    if (i < MP_OS_OWNED_MAX) {
        owned[i].lo = (uintptr_t)p;
        __atomic_store_n(&owned[i].hi, (uintptr_t)p + size, __ATOMIC_RELEASE);
    }
}

size_t mp_os_owned(uintptr_t *lo, uintptr_t *hi, size_t max, int *complete)
{
    unsigned n = __atomic_load_n(&owned_n, __ATOMIC_ACQUIRE);
    size_t k = 0;
    *complete = n <= MP_OS_OWNED_MAX;
    for (unsigned i = 0; i < n && i < MP_OS_OWNED_MAX && k < max; i++) {
        uintptr_t h = __atomic_load_n(&owned[i].hi, __ATOMIC_ACQUIRE);
        if (h) {
            lo[k] = owned[i].lo;
            hi[k++] = h;
        }
    }
    if (k < n && k == max)
        *complete = 0;
    return k;
}

void mp_os_note_own_thread(void)
{
    unsigned i = __atomic_fetch_add(&own_threads_n, 1, __ATOMIC_RELAXED);
    if (i < OWN_THREADS_MAX)
        __atomic_store_n(&own_threads[i], (uintptr_t)__builtin_frame_address(0),
                         __ATOMIC_RELEASE);
}

size_t mp_os_own_threads(uintptr_t *addr, size_t max)
{
    size_t k = 0;
    for (unsigned i = 0; i < OWN_THREADS_MAX && k < max; i++) {
        uintptr_t a = __atomic_load_n(&own_threads[i], __ATOMIC_ACQUIRE);
        if (a)
            addr[k++] = a;
    }
    return k;
}

static int reserve(size_t size, size_t align, void *hint, void **out);

int mp_os_reserve(size_t size, size_t align, void *hint, void **out)
{
    int rc = reserve(size, align, hint, out);
    if (rc == 0)
        own(*out, size);
    return rc;
}

static int reserve(size_t size, size_t align, void *hint, void **out)
{
    if (mp_os_fault_fires(MP_OS_FAULT_RESERVE))
        return MP_ENOMEM;
    /* No MAP_NORESERVE: the kernel's overcommit policy must judge each
     * arena, so an impossible request (say 32 TiB) fails with ENOMEM as it
     * does under glibc, instead of succeeding and dying on first touch. */
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
    void *p = mmap(hint, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        return MP_ENOMEM;
    if (((uintptr_t)p & (align - 1)) == 0) {
        *out = p;
        return 0;
    }
    /* Misaligned: map size + align and trim both ends. */
    munmap(p, size);
    if (size + align < size)
        return MP_ENOMEM;
    p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED)
        return MP_ENOMEM;
    uintptr_t start = (uintptr_t)p, aligned = (start + align - 1) & ~(uintptr_t)(align - 1);
    if (aligned > start)
        munmap(p, aligned - start);
    uintptr_t end = start + size + align;
    if (end > aligned + size)
        munmap((void *)(aligned + size), end - (aligned + size));
    *out = (void *)aligned;
    return 0;
}

int mp_os_release(void *p, size_t size)
{
    if (mp_os_fault_fires(MP_OS_FAULT_RELEASE))
        return MP_EOS;
    if (madvise(p, size, MADV_DONTNEED) != 0)
        return MP_EOS;
    return 0;
}

void mp_os_unmap(void *p, size_t size)
{
    unsigned n = __atomic_load_n(&owned_n, __ATOMIC_ACQUIRE);
    for (unsigned i = n < MP_OS_OWNED_MAX ? n : MP_OS_OWNED_MAX; i-- > 0;)
        if (owned[i].lo == (uintptr_t)p && owned[i].hi == (uintptr_t)p + size) {
            __atomic_store_n(&owned[i].hi, 0, __ATOMIC_RELEASE);
            break;
        }
    munmap(p, size);
}

uint64_t mp_os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads a small /proc file into buf (NUL-terminated); returns its length. */
static size_t read_small_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    return n;
}

uint64_t mp_os_rss_bytes(void)
{
    char buf[128];
    if (read_small_file("/proc/self/statm", buf, sizeof buf) == 0)
        return 0;
    /* "size resident shared ..." in system pages. */
    const char *s = buf;
    while (*s && *s != ' ')
        s++;
    uint64_t pages = 0;
    while (*s == ' ')
        s++;
    while (*s >= '0' && *s <= '9')
        pages = pages * 10 + (uint64_t)(*s++ - '0');
    return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

uintptr_t mp_os_brk_start(void)
{
    /* Field 47 of /proc/self/stat is start_brk. The command name (field 2)
     * may hold spaces, so count fields after its closing parenthesis. */
    char buf[1024];
    if (read_small_file("/proc/self/stat", buf, sizeof buf) == 0)
        return 0;
    const char *s = buf, *rp = NULL;
    for (; *s; s++)
        if (*s == ')')
            rp = s;
    if (!rp)
        return 0;
    s = rp + 1;
    int field = 2;
    while (*s && field < 47) {
        if (*s == ' ')
            field++;
        s++;
    }
    uintptr_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uintptr_t)(*s++ - '0');
    return v;
}

uintptr_t mp_os_brk_now(void)
{
    return (uintptr_t)syscall(SYS_brk, 0);
}

int mp_os_page_mapped(uintptr_t addr)
{
    unsigned char vec;
    return mincore((void *)(addr & ~(uintptr_t)4095), 1, &vec) == 0;
}

uint64_t mp_os_random64(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v && v)
        return v;
    /* No entropy yet (very early boot): time and ASLR addresses. */
    v = mp_os_now_ns() ^ ((uint64_t)(uintptr_t)&v << 17) ^ (uint64_t)(uintptr_t)&mp_os_random64;
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    return v | 1;
}

void mp_os_write_all(int fd, const char *buf, size_t len)
{
    /* stderr may be a file under RLIMIT_FSIZE: a message of ours must never
     * kill the host with SIGXFSZ. Block it for the write and take back the
     * one the write raised; the message is simply lost. */
    sigset_t xfsz, old;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &xfsz, &old);
    int saved = errno;
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w < 0 && errno == EFBIG) {
                struct timespec zero = {0, 0};
                sigtimedwait(&xfsz, NULL, &zero);
            }
            break;
        }
        buf += w;
        len -= (size_t)w;
    }
    errno = saved;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
