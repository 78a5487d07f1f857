/*
 * writer.c — see writer.h. All state is the writer's (one thread at a
 * time: the writer thread, or the caller of start/stop when the thread is
 * not running), except `wake_seq`, a futex word any thread may bump.
 *
 * Memory (mmap, never the libc): the staging buffer for one chunk's records
 * (4 MiB + slack), a copy buffer for one thread buffer, the compressed
 * output (mp_chunk_bound), and the zstd workspace.
 */
#define _GNU_SOURCE
#include "writer.h"
#include "diag.h"
#include "heap.h"
#include "hollow.h"
#include "leakscan.h"
#include "log_chunk.h"
#include "log_encode.h"
#include "modules.h"
#include "options.h"
#include "os.h"
#include "recorder.h"
#include "stack_table.h"
#include "tbuf.h"
#include "unwind.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STAGE_TARGET (4u << 20)                    /* raw bytes per chunk */
#define STAGE_CAP (STAGE_TARGET + MP_TBUF_CAP + (1u << 20))
#define ZSTD_LEVEL 1

extern char **environ;

static struct {
    int fd;
    int failed;                /* a write failed: recording stopped */
    uint32_t seq;              /* next chunk number */
    uint32_t stacks_written;   /* STACK records emitted for ids 1..this */
    uint32_t modules_written;  /* MODULE records emitted for ids 1..this */
    uint64_t events;           /* events drained into the log */
    uint64_t last_snapshot;
    uint64_t drained;          /* batch bytes moved in the current sweep */
    mp_heap_stats_t last_stats;/* the counters of the last SNAPSHOT written */
    ZSTD_CCtx *cctx;
    mp_enc_t stage;
    uint8_t *copy;             /* MP_TBUF_CAP */
    uint8_t *out;
    size_t out_cap;
    pthread_t thread;
    int running;
    int stopping;
    char path[2 * MP_LOG_PATH_MAX + 64];
} W;

static int wake_seq; /* futex word */
static int sync_req, sync_done; /* mp_writer_sync: sweeps asked / finished */
static int crash_sig;           /* a fatal signal is being handled */
static int hollow_req;          /* a hollow scan was asked for (signal) */
static pid_t writer_pid;        /* the process the writer belongs to */

const char *mp_writer_path(void) { return W.path; }

void mp_writer_wake(void)
{
    __atomic_fetch_add(&wake_seq, 1, __ATOMIC_RELEASE);
    syscall(SYS_futex, &wake_seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* ---- the file ---- */

static int open_log(void)
{
    char exe[256] = "program";
    ssize_t n = readlink("/proc/self/exe", W.path, sizeof W.path - 1);
    if (n > 0) {
        W.path[n] = 0;
        const char *base = strrchr(W.path, '/');
        mp_fmt(exe, sizeof exe, "%s", base ? base + 1 : W.path);
    }
    char name[MP_LOG_PATH_MAX + 16], base[2 * MP_LOG_PATH_MAX + 32], cwd[MP_LOG_PATH_MAX];
    if (mp_options.log[0])
        mp_fmt(name, sizeof name, "%s", mp_options.log);
    else
        mp_fmt(name, sizeof name, "memprof.%s.%d.mpz", exe, (int)getpid());
    /* Made absolute now, so that forked children (named after this log)
     * find its directory wherever they chdir to. getcwd with a buffer does
     * not allocate. */
    if (name[0] != '/' && getcwd(cwd, sizeof cwd))
        mp_fmt(base, sizeof base, "%s/%s", cwd, name);
    else
        mp_fmt(base, sizeof base, "%s", name);
    for (int k = 0; k < 100; k++) {
        if (k == 0)
            mp_fmt(W.path, sizeof W.path, "%s", base);
        else if (k == 1)
            mp_fmt(W.path, sizeof W.path, "%s.%d", base, (int)getpid());
        else
            mp_fmt(W.path, sizeof W.path, "%s.%d.%d", base, (int)getpid(), k - 1);
        int fd = open(W.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST) {
            mp_diag("cannot create the log %s: errno %d", W.path, errno);
            return -1;
        }
    }
    mp_diag("cannot create a log named after %s: every name is taken", base);
    return -1;
}

static void fail_write(int err)
{
    if (W.failed)
        return;
    W.failed = 1;
    __atomic_store_n(&mp_rec_on, 0, __ATOMIC_RELEASE);
    mp_diag("cannot write the log %s (errno %d): recording stopped; the program runs on", W.path,
            err);
}

/* Writing past RLIMIT_FSIZE raises SIGXFSZ, whose default action kills the
 * process. The writer thread blocks every signal; the other threads that
 * write (the first chunk at start, the last one at exit or exec) block
 * SIGXFSZ around the write and take back the one it raised, so the write
 * just fails with EFBIG and recording stops, the program unharmed. */
static void write_all(const void *p, size_t n)
{
    sigset_t xfsz, old;
    sigemptyset(&xfsz);
    sigaddset(&xfsz, SIGXFSZ);
    pthread_sigmask(SIG_BLOCK, &xfsz, &old);
    const char *c = p;
    while (n > 0 && !W.failed) {
        /* The fault tests' injected failure (os.h): one relaxed load. */
        ssize_t w = mp_os_fault_fires(MP_OS_FAULT_WRITE) ? (errno = EIO, -1) : write(W.fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : ENOSPC;
            if (err == EFBIG) {
                struct timespec zero = {0, 0};
                sigtimedwait(&xfsz, NULL, &zero);
            }
            fail_write(err);
            break;
        }
        c += w;
        n -= (size_t)w;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void flush_chunk(void)
{
    if (W.stage.len == 0 || W.failed) {
        mp_enc_reset(&W.stage);
        return;
    }
    size_t len = 0;
    if (mp_chunk_write(W.cctx, W.seq, W.stage.buf, W.stage.len, W.out, W.out_cap, &len) == 0) {
        write_all(W.out, len);
        W.seq++;
    } else {
        fail_write(EIO);
    }
    mp_enc_reset(&W.stage);
}

static void room_for(size_t n)
{
    if (W.stage.len + n > STAGE_TARGET)
        flush_chunk();
}

/* ---- records ---- */

static void emit_stacks(void)
{
    uint32_t count = mp_stack_count();
    while (W.stacks_written < count) {
        uint32_t id = W.stacks_written + 1, n;
        void *const *f = mp_stack_frames(id, &n);
        uint64_t frames[MP_STACK_DEPTH_MAX];
        for (uint32_t i = 0; i < n; i++)
            frames[i] = (uint64_t)(uintptr_t)f[i];
        room_for(16 + 10u * n);
        mp_rec_stack_t r = {id, n, frames};
        mp_enc_stack(&W.stage, &r);
        W.stacks_written = id;
    }
}

static void emit_module(mp_module_t *m, void *arg)
{
    (void)arg;
    if (m->id > W.modules_written) {
        mp_segment_t segs[MP_MODULE_SEGS];
        for (uint32_t i = 0; i < m->nseg; i++) {
            segs[i].vaddr = m->seg[i].vaddr;
            segs[i].memsz = m->seg[i].memsz;
            segs[i].flags = m->seg[i].flags;
        }
        mp_rec_module_t r = {m->id, m->ts, m->bias, {m->path, strlen(m->path)},
                             {m->build_id, m->build_id_len}, m->nseg, segs};
        room_for(64 + strlen(m->path) + m->build_id_len + 32u * m->nseg);
        mp_enc_module(&W.stage, &r);
        W.modules_written = m->id;
    }
    if (m->gone && !m->gone_written) {
        mp_rec_module_gone_t g = {m->id, m->gone_ts};
        room_for(32);
        mp_enc_module_gone(&W.stage, &g);
        m->gone_written = 1;
    }
}

/* Writes a THREAD record when the thread is first seen and whenever its
 * name changed (checked at most once a second per thread: a /proc read). */
static void emit_thread(mp_tbuf_t *b, uint64_t now)
{
    if (b->thread_written && now - b->name_checked < 1000000000u)
        return;
    b->name_checked = now;
    char path[64], name[32] = "";
    mp_fmt(path, sizeof path, "/proc/self/task/%u/comm", b->tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, name, 16);
        close(fd);
        if (n > 0) {
            name[n] = 0;
            if (name[n - 1] == '\n')
                name[n - 1] = 0;
        }
    }
    if (b->thread_written && strncmp(name, b->name, sizeof b->name) == 0)
        return;
    memcpy(b->name, name, sizeof b->name); /* name is NUL-padded to 32 */
    mp_rec_thread_t r = {b->tid, now, {name, strlen(name)}};
    room_for(64);
    mp_enc_thread(&W.stage, &r);
    b->thread_written = 1;
}

/* Moves one thread buffer's batch into the stage: copy out under its lock,
 * then the stacks its events may use, then the batch. */
static void drain(mp_tbuf_t *b, void *arg)
{
    emit_thread(b, *(const uint64_t *)arg);
    size_t n = 0;
    if (__atomic_load_n(&crash_sig, __ATOMIC_ACQUIRE)) {
        /* The crashing thread may have died holding its buffer: try for a
         * while, then leave that buffer behind. */
        int got = 0;
        for (int i = 0; i < 2000 && !got; i++) {
            got = !__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE);
            if (!got) {
                struct timespec ts = {0, 10000};
                nanosleep(&ts, NULL);
            }
        }
        if (!got)
            return;
    } else {
        mp_tbuf_lock(b);
    }
    if (b->batch.open) {
        mp_enc_batch_end(&b->enc, &b->batch);
        n = b->enc.len;
        memcpy(W.copy, b->enc.buf, n);
        mp_enc_reset(&b->enc);
        W.events += b->pending;
        b->pending = 0;
    }
    mp_tbuf_unlock(b);
    if (n == 0)
        return;
    emit_stacks(); /* after the copy: every stack its events name exists now */
    room_for(n);
    mp_enc_put_raw(&W.stage, W.copy, n);
    W.drained += n;
}

/* Writes a SNAPSHOT unless nothing changed since the last one (an idle
 * program would otherwise grow its log by ~6 KB a second). */
static void emit_snapshot(uint64_t ts, int force)
{
    mp_heap_stats_t st;
    mp_heap_get_stats(&st);
    if (!force && memcmp(&st, &W.last_stats, sizeof st) == 0)
        return;
    W.last_stats = st;
    mp_class_stat_t cls[MP_STATS_MAX_CLASSES];
    uint32_t n = st.nclasses > 1 ? st.nclasses - 1 : 0;
    for (uint32_t c = 1; c <= n; c++) {
        cls[c - 1].spans = st.classes[c].spans;
        cls[c - 1].live_objects = st.classes[c].objects_live;
    }
    mp_rec_snapshot_t r;
    memset(&r, 0, sizeof r);
    r.ts = ts;
    r.rss = mp_os_rss_bytes();
    r.mapped = st.mapped;
    r.in_use = st.in_use;
    r.idle = st.idle;
    r.released = st.released;
    r.large_objects = st.large_objects;
    r.large_bytes = st.large_bytes;
    r.n = n;
    r.classes = cls;
    room_for(64 + 20u * n);
    mp_enc_snapshot(&W.stage, &r);
}

/* ---- the hollow-block scan (hollow.h) ---- */

static void put_hollow(void *arg, const mp_rec_hollow_t *r)
{
    (void)arg;
    room_for(32 + 40u * r->n);
    mp_enc_hollow(&W.stage, r);
}

static void emit_hollow(int reason)
{
    if (mp_options.hollow_min)
        mp_hollow_scan(mp_options.hollow_min, reason, mp_tbuf_now(), put_hollow, NULL);
}

/* ---- the leak scan (leakscan.h) ---- */

static void put_leakscan(void *arg, const mp_rec_leakscan_t *r)
{
    (void)arg;
    room_for(96 + 12u * r->n);
    mp_enc_leakscan(&W.stage, r);
}

void mp_writer_request_hollow(void)
{
    __atomic_store_n(&hollow_req, 1, __ATOMIC_RELEASE);
    mp_writer_wake();
}

/* One sweep; the watermark is the time before any buffer was touched. */
static void sweep(int final)
{
    uint64_t w = mp_tbuf_now();
    if (mp_modules_changed())
        mp_modules_scan(w);
    mp_modules_each(emit_module, NULL);
    W.drained = 0;
    mp_tbuf_each(drain, &w);
    emit_stacks();
    /* A watermark only matters after events; an idle sweep writes nothing
     * unless the heap's counters moved. */
    if (W.drained || final) {
        room_for(16);
        mp_rec_watermark_t wm = {w};
        mp_enc_watermark(&W.stage, &wm);
    }
    /* No snapshot while a fatal signal is handled: the crashing thread may
     * hold a heap lock that mp_heap_get_stats would wait on for ever. */
    int crashing = __atomic_load_n(&crash_sig, __ATOMIC_ACQUIRE) != 0;
    if (!crashing &&
        (final || w - W.last_snapshot >= (uint64_t)mp_options.snapshot_ms * 1000000u)) {
        emit_snapshot(w, final);
        W.last_snapshot = w;
    }
    mp_tbuf_reap();
}

static void *writer_main(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL); /* SIGXFSZ too: a write gets EFBIG */
    pthread_setname_np(pthread_self(), "memprof-writer");
    mp_os_note_own_thread(); /* its stack is no root of the leak scan */
    uint64_t period = (uint64_t)mp_options.flush_ms * 1000000u;
    uint64_t snap = (uint64_t)mp_options.snapshot_ms * 1000000u;
    if (snap < period)
        period = snap;
    while (!__atomic_load_n(&W.stopping, __ATOMIC_ACQUIRE)) {
        int seen = __atomic_load_n(&wake_seq, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&sync_req, __ATOMIC_ACQUIRE) == __atomic_load_n(&sync_done, __ATOMIC_ACQUIRE)) {
            struct timespec ts = {(time_t)(period / 1000000000u), (long)(period % 1000000000u)};
            syscall(SYS_futex, &wake_seq, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
        }
        if (__atomic_load_n(&W.stopping, __ATOMIC_ACQUIRE))
            break;
        int req = __atomic_load_n(&sync_req, __ATOMIC_ACQUIRE);
        int sig = __atomic_load_n(&crash_sig, __ATOMIC_ACQUIRE);
        sweep(sig != 0);
        if (!sig && __atomic_exchange_n(&hollow_req, 0, __ATOMIC_ACQ_REL)) {
            emit_hollow(MP_HOLLOW_REQUESTED);
            emit_snapshot(mp_tbuf_now(), 1);
        }
        if (sig) {
            mp_rec_end_t e = {mp_tbuf_now(), MP_END_SIGNAL, (uint64_t)sig, W.events};
            room_for(64);
            mp_enc_end(&W.stage, &e);
        }
        flush_chunk();
        __atomic_store_n(&sync_done, req, __ATOMIC_RELEASE);
        if (sig)
            break; /* the process is dying: the log is complete */
    }
    return NULL;
}

/* ---- synchronous flushes ---- */

int mp_writer_sync(unsigned timeout_ms)
{
    if (!W.running || getpid() != writer_pid)
        return -1;
    if (pthread_equal(pthread_self(), W.thread))
        return -1;
    int req = __atomic_add_fetch(&sync_req, 1, __ATOMIC_ACQ_REL);
    mp_writer_wake();
    for (unsigned waited = 0; waited < timeout_ms * 10; waited++) {
        if (__atomic_load_n(&sync_done, __ATOMIC_ACQUIRE) - req >= 0)
            return 0;
        struct timespec ts = {0, 100000}; /* nanosleep: async-signal-safe */
        nanosleep(&ts, NULL);
    }
    return -1;
}

void mp_writer_crash(int sig)
{
    int expect = 0;
    if (!__atomic_compare_exchange_n(&crash_sig, &expect, sig, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return; /* another thread is already flushing */
    /* The process is dying: stop recording first, so that the last sweep
     * sees a frozen picture. Otherwise a thread drained early could record
     * an allocation whose free, by a thread drained later, would reach the
     * log without it. */
    __atomic_store_n(&mp_rec_on, 0, __ATOMIC_RELEASE);
    mp_writer_sync(2000);
}

int mp_writer_owns_process(void)
{
    return W.fd > 0 && getpid() == writer_pid;
}

int mp_writer_is_writer_thread(void)
{
    return W.running && pthread_equal(pthread_self(), W.thread);
}

/* ---- life cycle ---- */

static int map_buffers(void)
{
    size_t wsz = mp_chunk_cctx_size(ZSTD_LEVEL);
    void *stage, *copy, *out, *ws;
    W.out_cap = mp_chunk_bound(STAGE_CAP);
    if (wsz == 0 || mp_os_reserve(STAGE_CAP, 4096, NULL, &stage) != 0 ||
        mp_os_reserve(MP_TBUF_CAP, 4096, NULL, &copy) != 0 ||
        mp_os_reserve((W.out_cap + 4095) & ~(size_t)4095, 4096, NULL, &out) != 0 ||
        mp_os_reserve((wsz + 4095) & ~(size_t)4095, 4096, NULL, &ws) != 0)
        return MP_ENOMEM;
    if (mp_chunk_cctx_init(ws, wsz, ZSTD_LEVEL, &W.cctx) != 0)
        return MP_ENOMEM;
    mp_enc_init(&W.stage, stage, STAGE_CAP);
    W.copy = copy;
    W.out = out;
    return 0;
}

/* The command line, from /proc/self/cmdline (no allocation). */
static uint32_t read_cmdline(char *buf, size_t cap, mp_str_t *argv, uint32_t max)
{
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    uint32_t argc = 0;
    for (ssize_t i = 0; i < n && argc < max;) {
        size_t l = strlen(buf + i);
        argv[argc].ptr = buf + i;
        argv[argc].len = l;
        argc++;
        i += (ssize_t)l + 1;
    }
    return argc;
}

static void write_head(void)
{
    uint8_t hdr[MP_LOG_HEADER_SIZE];
    mp_enc_t h;
    mp_enc_init(&h, hdr, sizeof hdr);
    mp_enc_file_header(&h);
    write_all(hdr, h.len);

    static char cmd[16384];
    static mp_str_t argv[256];
    uint32_t argc = read_cmdline(cmd, sizeof cmd, argv, 256);
    char exe[MP_LOG_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    mp_rec_process_t p;
    memset(&p, 0, sizeof p);
    p.pid = (uint64_t)getpid();
    p.ppid = (uint64_t)getppid();
    p.start_real_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
    p.start_mono_ns = mp_os_now_ns() - mp_tbuf_now();
    p.page_size = (uint64_t)sysconf(_SC_PAGESIZE);
    p.heap_page_size = MP_PAGE_SIZE;
    p.mode = mp_options.sample ? MP_MODE_SAMPLED : MP_MODE_FULL;
    p.sample_interval = mp_options.sample;
    p.max_depth = mp_options.depth;
    p.exe.ptr = exe;
    p.exe.len = strlen(exe);
    p.argc = argc;
    p.argv = argv;
    mp_enc_process(&W.stage, &p);

    mp_class_info_t cls[MP_NUM_CLASSES];
    for (uint32_t c = 1; c < MP_NUM_CLASSES; c++) {
        cls[c - 1].size = mp_class_size[c];
        cls[c - 1].pages = mp_class_pages[c];
    }
    mp_rec_classes_t cr = {MP_NUM_CLASSES - 1, cls};
    mp_enc_classes(&W.stage, &cr);
    mp_modules_scan(mp_tbuf_now());
    mp_modules_each(emit_module, NULL);
    flush_chunk();
}

static int start_thread(void)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return MP_EOS;
    pthread_attr_setstacksize(&attr, 256 * 1024);
    int rc = pthread_create(&W.thread, &attr, writer_main, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return MP_EOS;
    W.running = 1;
    return 0;
}

int mp_writer_start(void)
{
    if (!W.cctx && map_buffers() != 0) {
        mp_diag("cannot map the writer's buffers");
        return MP_ENOMEM;
    }
    mp_tbuf_set_epoch(mp_os_now_ns());
    mp_tbuf_set_wake(mp_writer_wake);
    writer_pid = getpid();
    sync_req = sync_done = 0;
    W.fd = open_log();
    if (W.fd < 0)
        return MP_EOS;
    mp_enc_reset(&W.stage); /* a forked child may inherit a sweep in progress */
    W.seq = 0;
    W.failed = 0;
    W.stacks_written = 0;
    W.modules_written = 0;
    W.events = 0;
    W.stopping = 0;
    memset(&W.last_stats, 0, sizeof W.last_stats);
    write_head();
    if (W.failed)
        return MP_EOS;
    if (start_thread() != 0) {
        mp_diag("cannot start the writer thread");
        return MP_EOS;
    }
    return 0;
}

void mp_writer_stop(int reason, int detail)
{
    if (W.fd <= 0 || getpid() != writer_pid || __atomic_load_n(&crash_sig, __ATOMIC_ACQUIRE))
        return; /* not ours (a vfork child), or the crash path wrote END */
    if (W.running) {
        __atomic_store_n(&W.stopping, 1, __ATOMIC_RELEASE);
        mp_writer_wake();
        pthread_join(W.thread, NULL);
        W.running = 0;
    }
    sweep(1);
    if (reason == MP_END_EXIT && mp_options.leak_scan && !mp_options.sample)
        mp_leakscan_run(mp_tbuf_now(), put_leakscan, NULL);
    if (reason == MP_END_EXIT)
        emit_hollow(MP_HOLLOW_EXIT);
    uint64_t lost = mp_rec_lost();
    if (lost) {
        mp_rec_lost_t l = {mp_tbuf_now(), lost, MP_LOST_NO_BUFFER};
        mp_enc_lost(&W.stage, &l);
    }
    mp_rec_end_t e = {mp_tbuf_now(), (uint64_t)reason, (uint64_t)detail, W.events};
    room_for(64);
    mp_enc_end(&W.stage, &e);
    flush_chunk();
    close(W.fd);
    W.fd = -1;
}

void mp_writer_after_fork_child(void)
{
    /* The parent's writer thread and log belong to the parent. */
    W.running = 0;
    if (W.fd > 0)
        close(W.fd);
    W.fd = -1;
    if (!mp_options.follow_fork) {
        __atomic_store_n(&mp_rec_on, 0, __ATOMIC_RELEASE);
        mp_rec_child_off = 1;
        return;
    }
    /* The child's log is named after the parent's: <parent log>.<pid>
     * (the parent's name is taken, so open_log adds the pid). */
    mp_fmt(mp_options.log, sizeof mp_options.log, "%s", W.path);
    if (mp_writer_start() != 0)
        __atomic_store_n(&mp_rec_on, 0, __ATOMIC_RELEASE);
}
