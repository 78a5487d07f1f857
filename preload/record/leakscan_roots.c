/*
 * leakscan_roots.c — see leakscan_roots.h and leakscan.h.
 *
 * Threads. The recorder registers each thread the first time it records
 * for it (mp_leakscan_thread_start, with an address on its stack) and marks
 * it gone from the thread-exit hook. The registry is a fixed table of
 * THREADS_MAX slots claimed with compare-and-swap; a slot of a gone thread
 * is reused round-robin once the table is full (its stack then counts as a
 * root again, see recording.md).
 *
 * Pausing. At the scan, every live registered thread but the caller gets
 * PAUSE_SIG (SIGPWR, which programs seldom use; the Boehm collector uses it
 * to stop the world too) unless the program installed its own handler for
 * it. The handler saves the thread's registers and stack pointer, says so,
 * and waits until the scan is over (at most WAIT_MAX_NS, so a scan can
 * never keep a thread for ever). A thread that does not answer within
 * ACK_MAX_NS in all (it blocks the signal, or is stuck in the kernel) is
 * scanned without registers, its whole stack mapping taken as a root. The
 * handler is left installed after the scan (a late signal must not end
 * the process) and returns at once when no scan is running.
 *
 * Memory roots, from /proc/self/maps: every mapping both readable and
 * writable, except device mappings (as memcheck; /dev/zero and /dev/shm
 * are kept), the shim's own regions (os.h) and its .data/.bss, the stacks
 * of the shim's threads and of exited threads. A live thread's stack
 * mapping is a root from its stack pointer (less the 128-byte red zone
 * memcheck also keeps) to the mapping's end, which holds its static TLS
 * and thread control block; the exiting thread's from the frame of its
 * exit path (mp_leakscan_note_exit).
 */
#define _GNU_SOURCE
#include "leakscan.h"
#include "leakscan_roots.h"
#include "diag.h"
#include "os.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define THREADS_MAX 4096u
#define PAUSE_SIG SIGPWR
#define ACK_MAX_NS 2000000000ull  /* all threads together */
#define WAIT_MAX_NS 60000000000ull /* one paused thread */
#define RED_ZONE 128u
#define NREGS 32u
#define EXCL_MAX (MP_OS_OWNED_MAX + 64u)

/* ---- the registry --------------------------------------------------------- */

enum { T_FREE = 0, T_LIVE = 1, T_GONE = 2, T_BUSY = 3 };

static struct {
    int state;            /* T_* (atomic) */
    uint32_t tid;
    uintptr_t stack;      /* an address on its stack */
    /* Filled for the scan (the scanning thread and the handler). */
    int paused;           /* the handler saved the registers (atomic) */
    uintptr_t sp;
    uintptr_t regs[NREGS];
    unsigned nregs;
} reg[THREADS_MAX];
static unsigned reuse_next;  /* round-robin over gone slots (atomic) */

static int claim(unsigned i, int from)
{
    return __atomic_compare_exchange_n(&reg[i].state, &from, T_BUSY, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

void mp_leakscan_thread_start(uint32_t tid, uintptr_t stack_addr)
{
    unsigned i, found = THREADS_MAX;
    for (i = 0; i < THREADS_MAX && found == THREADS_MAX; i++)
        if (__atomic_load_n(&reg[i].state, __ATOMIC_RELAXED) == T_FREE && claim(i, T_FREE))
            found = i;
    for (unsigned k = 0; k < THREADS_MAX && found == THREADS_MAX; k++) {
        i = __atomic_fetch_add(&reuse_next, 1, __ATOMIC_RELAXED) % THREADS_MAX;
        if (claim(i, T_GONE))
            found = i;
    }
    if (found == THREADS_MAX)
        return; /* 4096 live threads: this one's stack is a root in full */
    reg[found].tid = tid;
    reg[found].stack = stack_addr;
    __atomic_store_n(&reg[found].state, T_LIVE, __ATOMIC_RELEASE);
}

void mp_leakscan_thread_exit(uint32_t tid)
{
    for (unsigned i = 0; i < THREADS_MAX; i++)
        if (__atomic_load_n(&reg[i].state, __ATOMIC_ACQUIRE) == T_LIVE && reg[i].tid == tid) {
            __atomic_store_n(&reg[i].state, T_GONE, __ATOMIC_RELEASE);
            return;
        }
}

/* ---- registers -------------------------------------------------------------- */

static unsigned ctx_regs(const ucontext_t *uc, uintptr_t *out, uintptr_t *sp)
{
#if defined(__x86_64__)
    for (unsigned i = 0; i < NGREG && i < NREGS; i++)
        out[i] = (uintptr_t)uc->uc_mcontext.gregs[i];
    *sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    return NGREG < NREGS ? NGREG : NREGS;
#elif defined(__aarch64__)
    for (unsigned i = 0; i < 31 && i < NREGS; i++)
        out[i] = (uintptr_t)uc->uc_mcontext.regs[i];
    *sp = (uintptr_t)uc->uc_mcontext.sp;
    return 31;
#else
    (void)uc;
    (void)out;
    *sp = 0;
    return 0;
#endif
}

static ucontext_t exit_ctx;
static uintptr_t exit_frame;  /* 0: not noted */
static uint32_t exit_tid;

void mp_leakscan_note_exit(int overwrite)
{
    /* The caller's frame and above are the exit path's; the callee-saved
     * registers still hold its values. */
    if (exit_frame && !overwrite)
        return;
    getcontext(&exit_ctx);
    exit_frame = (uintptr_t)__builtin_frame_address(0);
    exit_tid = (uint32_t)syscall(SYS_gettid);
}

/* ---- pausing -------------------------------------------------------------- */

static int release;           /* no scan in progress (atomic) */
static int installed;         /* our handler is in place */

static void on_pause(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    int saved = errno;
    uint32_t tid = (uint32_t)syscall(SYS_gettid);
    for (unsigned i = 0; i < THREADS_MAX && !__atomic_load_n(&release, __ATOMIC_ACQUIRE); i++) {
        if (reg[i].tid != tid || __atomic_load_n(&reg[i].state, __ATOMIC_ACQUIRE) != T_LIVE)
            continue;
        reg[i].nregs = ctx_regs(uc, reg[i].regs, &reg[i].sp);
        __atomic_store_n(&reg[i].paused, 1, __ATOMIC_RELEASE);
        uint64_t t0 = mp_os_now_ns();
        while (!__atomic_load_n(&release, __ATOMIC_ACQUIRE) && mp_os_now_ns() - t0 < WAIT_MAX_NS) {
            struct timespec ts = {0, 50000};
            nanosleep(&ts, NULL);
        }
        break;
    }
    errno = saved;
}

void mp_roots_pause(mp_roots_stats_t *st)
{
    uint32_t self = (uint32_t)syscall(SYS_gettid);
    pid_t pid = getpid();
    st->threads = st->threads_paused = 0;
    __atomic_store_n(&release, 0, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < THREADS_MAX; i++)
        reg[i].paused = 0;
    struct sigaction act, cur;
    memset(&act, 0, sizeof act);
    act.sa_sigaction = on_pause;
    act.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&act.sa_mask);
    if (!installed) /* once: it stays (mp_roots_resume says why) */
        installed = sigaction(PAUSE_SIG, NULL, &cur) == 0 && !(cur.sa_flags & SA_SIGINFO) &&
                    cur.sa_handler == SIG_DFL && sigaction(PAUSE_SIG, &act, NULL) == 0;
    else if (sigaction(PAUSE_SIG, NULL, &cur) != 0 || cur.sa_sigaction != on_pause)
        installed = 0; /* the program put its own since */
    unsigned sent = 0;
    for (unsigned i = 0; i < THREADS_MAX; i++) {
        if (__atomic_load_n(&reg[i].state, __ATOMIC_ACQUIRE) != T_LIVE || reg[i].tid == self)
            continue;
        if (syscall(SYS_tgkill, pid, reg[i].tid, 0) != 0) {
            /* Gone without the exit hook (killed by exit's exit_group... or
             * never told us): its stack is stale. */
            __atomic_store_n(&reg[i].state, T_GONE, __ATOMIC_RELEASE);
            continue;
        }
        st->threads++;
        if (installed && syscall(SYS_tgkill, pid, reg[i].tid, PAUSE_SIG) == 0)
            sent++;
    }
    uint64_t t0 = mp_os_now_ns();
    for (;;) {
        unsigned acked = 0;
        for (unsigned i = 0; i < THREADS_MAX; i++)
            acked += (unsigned)__atomic_load_n(&reg[i].paused, __ATOMIC_ACQUIRE);
        st->threads_paused = acked;
        if (acked >= sent || mp_os_now_ns() - t0 > ACK_MAX_NS)
            break;
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
}

void mp_roots_resume(void)
{
    /* The handler stays installed: a thread that did not answer in time
     * may still have the signal pending, and SIGPWR's default action would
     * end the process when it arrives. Arriving now, it finds release set
     * and returns at once. */
    __atomic_store_n(&release, 1, __ATOMIC_RELEASE);
}

/* ---- excluded regions ------------------------------------------------------ */

static uintptr_t *ex_lo, *ex_hi;  /* EXCL_MAX each, sorted by lo */
static size_t nex;
#define SELF_MAX 8u
static uintptr_t self_lo[SELF_MAX], self_hi[SELF_MAX]; /* libmemprof.so's .data/.bss */
static size_t nself;

static int self_segments(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t me = (uintptr_t)arg;
    int mine = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type == PT_LOAD && me >= lo && me < lo + ph->p_memsz)
            mine = 1;
    }
    if (!mine)
        return 0;
    for (int i = 0; i < info->dlpi_phnum && nself < SELF_MAX; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        self_lo[nself] = lo & ~(uintptr_t)4095;
        self_hi[nself++] = (lo + ph->p_memsz + 4095) & ~(uintptr_t)4095;
    }
    return 1;
}

int mp_roots_prepare(void)
{
    /* dl_iterate_phdr takes the loader's lock, which a paused thread could
     * hold: it runs before the pause. */
    nself = 0;
    dl_iterate_phdr(self_segments, (void *)(uintptr_t)&mp_roots_each);
    if (!ex_lo) {
        void *a, *b;
        size_t bytes = (EXCL_MAX * sizeof(uintptr_t) + 4095) & ~(size_t)4095;
        if (mp_os_reserve(bytes, 4096, NULL, &a) != 0)
            return MP_ENOMEM;
        if (mp_os_reserve(bytes, 4096, NULL, &b) != 0) {
            mp_os_unmap(a, bytes);
            return MP_ENOMEM;
        }
        ex_lo = a;
        ex_hi = b;
    }
    return 0;
}

static void sort_excluded(void)
{
    /* Shell sort: no allocation, a few thousand entries. */
    for (size_t gap = nex / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < nex; i++) {
            uintptr_t l = ex_lo[i], h = ex_hi[i];
            size_t j = i;
            for (; j >= gap && ex_lo[j - gap] > l; j -= gap) {
                ex_lo[j] = ex_lo[j - gap];
                ex_hi[j] = ex_hi[j - gap];
            }
            ex_lo[j] = l;
            ex_hi[j] = h;
        }
}

/* Hands [lo, hi) minus the excluded regions to range. */
static void emit_range(uintptr_t lo, uintptr_t hi,
                       void (*range)(void *arg, uintptr_t lo, uintptr_t hi), void *arg)
{
    for (size_t i = 0; i < nex && lo < hi; i++) {
        if (ex_hi[i] <= lo)
            continue;
        if (ex_lo[i] >= hi)
            break;
        if (ex_lo[i] > lo)
            range(arg, lo, ex_lo[i]);
        if (ex_hi[i] > lo)
            lo = ex_hi[i];
    }
    if (lo < hi)
        range(arg, lo, hi);
}

/* ---- /proc/self/maps ---------------------------------------------------------- */

static uintptr_t hex(const char **s)
{
    uintptr_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        if (c >= '0' && c <= '9')
            v = v * 16 + (uintptr_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uintptr_t)(c - 'a' + 10);
        else
            return v;
    }
}

static int in(uintptr_t a, uintptr_t lo, uintptr_t hi) { return a >= lo && a < hi; }

/* One line of the maps: a root range or not, and from where. */
static void mapping(const char *line, void (*range)(void *arg, uintptr_t lo, uintptr_t hi),
                    void *arg, const uintptr_t *own, size_t nown)
{
    const char *s = line;
    uintptr_t lo = hex(&s);
    if (*s++ != '-')
        return;
    uintptr_t hi = hex(&s);
    if (*s++ != ' ' || s[0] != 'r' || s[1] != 'w')
        return;
    for (int f = 0; f < 4 && *s; f++) { /* perms, offset, dev, inode */
        while (*s && *s != ' ')
            s++;
        while (*s == ' ')
            s++;
    }
    if (!strncmp(s, "/dev/", 5) && strncmp(s, "/dev/zero", 9) && strncmp(s, "/dev/shm/", 9))
        return; /* a device: reading may have effects (memcheck skips them too) */
    for (size_t i = 0; i < nown; i++)
        if (in(own[i], lo, hi))
            return; /* a stack of the shim's own threads */
    uintptr_t from = lo;
    int live = 0, gone = 0;
    if (exit_frame && in(exit_frame, lo, hi)) {
        from = exit_frame;
        live = 1;
    }
    for (unsigned i = 0; i < THREADS_MAX; i++) {
        int st = __atomic_load_n(&reg[i].state, __ATOMIC_ACQUIRE);
        if (st == T_LIVE && reg[i].tid == exit_tid && exit_frame)
            continue;
        if (st == T_LIVE && reg[i].paused && in(reg[i].sp, lo, hi)) {
            uintptr_t a = reg[i].sp - RED_ZONE;
            if (!live || a < from)
                from = a < lo ? lo : a;
            live = 1;
        } else if (st == T_LIVE && in(reg[i].stack, lo, hi)) {
            from = lo; /* not paused: all of it */
            live = 2;
        } else if (st == T_GONE && in(reg[i].stack, lo, hi)) {
            gone = 1;
        }
    }
    if (gone && !live)
        return; /* a stack glibc keeps for reuse: stale */
    emit_range(from, hi, range, arg);
}

int mp_roots_each(void (*range)(void *arg, uintptr_t lo, uintptr_t hi),
                  void (*word)(void *arg, uintptr_t w), void *arg)
{
    static char buf[65536];
    static uintptr_t own[8];
    int complete;
    if (!ex_lo)
        return MP_ENOMEM; /* mp_roots_prepare failed */
    /* After the scan's own tables were mapped: they are owned regions too. */
    nex = mp_os_owned(ex_lo, ex_hi, MP_OS_OWNED_MAX, &complete);
    if (!complete) {
        mp_diag("leak scan skipped: more than %u regions of memprof's own memory; leak kinds "
                "are unknown", MP_OS_OWNED_MAX);
        return MP_ERANGE;
    }
    for (size_t i = 0; i < nself && nex < EXCL_MAX; i++) {
        ex_lo[nex] = self_lo[i];
        ex_hi[nex++] = self_hi[i];
    }
    sort_excluded();
    size_t nown = mp_os_own_threads(own, 8);

    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        mp_diag("leak scan skipped: cannot read /proc/self/maps; leak kinds are unknown");
        return MP_EOS;
    }
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += (size_t)r;
        buf[have] = 0;
        char *line = buf, *nl;
        while ((nl = strchr(line, '\n'))) {
            *nl = 0;
            mapping(line, range, arg, own, nown);
            line = nl + 1;
        }
        have = (size_t)(buf + have - line);
        memmove(buf, line, have);
        if (have == sizeof buf - 1)
            have = 0; /* a line longer than the buffer: not a mapping we can parse */
    }
    close(fd);

    uintptr_t regs[NREGS], sp;
    if (exit_frame) {
        unsigned n = ctx_regs(&exit_ctx, regs, &sp);
        for (unsigned k = 0; k < n; k++)
            word(arg, regs[k]);
    }
    for (unsigned i = 0; i < THREADS_MAX; i++)
        if (__atomic_load_n(&reg[i].paused, __ATOMIC_ACQUIRE))
            for (unsigned k = 0; k < reg[i].nregs; k++)
                word(arg, reg[i].regs[k]);
    return 0;
}
