/*
 * test_fork.c — the heap survives fork (DESIGN.md: "locks are taken and
 * released around fork; the child has a consistent heap").
 *
 * The child of a fork does a fixed workload (child_work): it checks and frees
 * blocks the parent allocated before the fork, then mallocs, callocs,
 * reallocs and frees small and large blocks, and — with the shim — checks
 * that the heap counters are sane and move exactly (one malloc of a class
 * raises its objects_live by one). It reports through its exit status
 * (bit flags, decoded by the parent) and leaves with _exit. The parent waits
 * with a deadline: a child stuck on a lock that another thread held at the
 * moment of the fork is killed and reported as a hang.
 *
 * Cases: fork from a single-threaded process; fork repeatedly while four
 * threads allocate and free in a loop; fork + exec of /bin/true, alone and
 * while threads allocate.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit_main.h"
#include "test_api_common.h"

enum {
    F_INHERITED = 1 << 0,  /* a block from before the fork lost its contents */
    F_MALLOC = 1 << 1,     /* malloc/calloc failed or gave bad memory */
    F_REALLOC = 1 << 2,    /* realloc lost contents */
    F_CALLOC = 1 << 3,     /* calloc not zeroed */
    F_STATS = 1 << 4,      /* mp_heap_get_stats failed or not sane */
    F_COUNT = 1 << 5,      /* counters did not move by exactly one */
    F_NOSHIM = 1 << 6,     /* shim not active in the child */
};

static const char *flag_name[] = {"inherited block damaged", "malloc", "realloc",
                                  "calloc not zeroed", "stats not sane",
                                  "counter moved wrongly", "shim not active"};

enum { INHERITED = 64 };
static void *inherited[INHERITED];
static size_t inherited_size[INHERITED];

static void make_inherited(void)
{
    for (int i = 0; i < INHERITED; i++) {
        inherited_size[i] = i % 8 == 7 ? 100000 + (size_t)i : 1 + (size_t)i * 37;
        inherited[i] = malloc(inherited_size[i]);
        if (inherited[i])
            mpt_fill(inherited[i], inherited_size[i], (uint32_t)i);
    }
}

static void free_inherited(void)
{
    for (int i = 0; i < INHERITED; i++)
        free(inherited[i]);
}

/* Runs in the child; returns the failure flags. No stdio, no exit handlers. */
static int child_work(void)
{
    int flags = 0;
    for (int i = 0; i < INHERITED; i++) {
        if (!inherited[i] || !mpt_check(inherited[i], inherited_size[i], (uint32_t)i))
            flags |= F_INHERITED;
        if (i % 2 == 0) {
            free(inherited[i]);
            inherited[i] = NULL;
        }
    }
    /* realloc an inherited block across classes and into a large span */
    char *r = realloc(inherited[1], 5000);
    if (!r || !mpt_check(r, inherited_size[1], 1))
        flags |= F_REALLOC;
    else {
        inherited[1] = r;
        r = realloc(r, 300000);
        if (!r || !mpt_check(r, inherited_size[1], 1))
            flags |= F_REALLOC;
        else
            inherited[1] = r;
    }

    enum { N = 512 };
    static void *p[N];
    static size_t len[N];
    for (int i = 0; i < N; i++) {
        len[i] = i % 32 == 31 ? 40000 + (size_t)i * 100 : 1 + (size_t)(i * 61) % 4000;
        p[i] = i % 3 ? malloc(len[i]) : calloc(1, len[i]);
        if (!p[i]) {
            flags |= F_MALLOC;
            continue;
        }
        if (i % 3 == 0 && !mpt_all_zero(p[i], len[i]))
            flags |= F_CALLOC;
        mpt_fill(p[i], len[i], (uint32_t)i + 7);
    }
    for (int i = 0; i < N; i++) {
        if (!p[i])
            continue;
        if (!mpt_check(p[i], len[i], (uint32_t)i + 7))
            flags |= F_MALLOC;
        void *q = realloc(p[i], len[i] * 2 + 1);
        if (!q || !mpt_check(q, len[i], (uint32_t)i + 7))
            flags |= F_REALLOC;
        else
            p[i] = q;
    }
    if (!mpt_disjoint(p, len, N))
        flags |= F_MALLOC;
    for (int i = 0; i < N; i++)
        free(p[i]);

    if (!mpt_shim_active())
        return flags | F_NOSHIM;
    static mp_heap_stats_t a, b, c;
    char why[256];
    mpt_warm_up(0); /* the child's own scavenger thread, if it starts */
    if (mpt_stats(&a) != 0 || !mpt_stats_sane(&a, why, sizeof why))
        return flags | F_STATS;
    void *one = malloc(200);
    size_t u = malloc_usable_size(one);
    mpt_stats(&b);
    free(one);
    mpt_stats(&c);
    int k = mpt_class_index(&b, u);
    uint64_t la = mpt_live_objects(&a), lb = mpt_live_objects(&b), lc = mpt_live_objects(&c);
    if (k < 0 || lb != la + 1 || lc != la ||
        b.classes[k].objects_live != a.classes[k].objects_live + 1 ||
        c.classes[k].objects_live != a.classes[k].objects_live ||
        b.small_live_bytes != a.small_live_bytes + b.classes[k].size)
        flags |= F_COUNT;
    if (!mpt_stats_sane(&b, why, sizeof why) || !mpt_stats_sane(&c, why, sizeof why))
        flags |= F_STATS;
    return flags;
}

static void describe(int status, const char *what)
{
    if (status == -1) {
        fprintf(stderr, "\n  %s: waitpid failed: %s\n", what, strerror(errno));
        return;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return;
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "\n  %s: child killed by signal %d%s\n", what, WTERMSIG(status),
                WTERMSIG(status) == SIGKILL ? " (hung: killed after the deadline)" : "");
        return;
    }
    int code = WEXITSTATUS(status);
    fprintf(stderr, "\n  %s: child exit status %d:", what, code);
    for (int i = 0; i < 7; i++)
        if (code & (1 << i))
            fprintf(stderr, " [%s]", flag_name[i]);
    fprintf(stderr, "\n");
}

/* Waits up to deadline_ms for pid; kills it with SIGKILL past that.
 * Returns the wait status, or -1 if waitpid failed. */
static int wait_deadline(pid_t pid, long deadline_ms)
{
    int status = 0;
    for (long waited = 0;; waited += 10) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid)
            return status;
        if (w < 0 && errno != EINTR)
            return -1;
        if (waited >= deadline_ms) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return status;
        }
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Exit status the child reports when only the missing shim went wrong. */
static int only_noshim(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == F_NOSHIM;
}

static int fork_and_check(const char *what)
{
    /* Resolve the stats API here: dlsym in a child forked from a threaded
     * parent could wait on a loader lock nobody will release. */
    (void)mpt_shim_active();
    pid_t pid = fork();
    if (pid == 0)
        _exit(child_work());
    CU_ASSERT_FATAL(pid > 0);
    int status = wait_deadline(pid, 5000);
    if (only_noshim(status))
        return 0; /* the behaviour was fine; the caller reports the shim */
    int ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    describe(status, what);
    CU_ASSERT(ok);
    return !ok;
}

/* ---- background allocating threads ------------------------------------ */

enum { BUSY = 4 };
static atomic_int stop_busy;
static atomic_ulong busy_ops;

static void *busy_main(void *arg)
{
    uint64_t rng = 0xA0761D6478BD642FULL * ((uintptr_t)arg + 1);
    void *slot[64] = {0};
    while (!atomic_load_explicit(&stop_busy, memory_order_relaxed)) {
        uint64_t r = mpt_rand(&rng);
        int i = (int)(r % 64);
        size_t n = r % 16 == 0 ? 32769 + (r >> 40) % 200000 : 1 + (r >> 40) % 3000;
        switch ((r >> 8) % 3) {
        case 0:
            free(slot[i]);
            slot[i] = malloc(n);
            break;
        case 1: {
            void *q = realloc(slot[i], n);
            if (q)
                slot[i] = q;
            break;
        }
        default:
            free(slot[i]);
            slot[i] = calloc(1, n);
            break;
        }
        if (slot[i])
            ((char *)slot[i])[0] = 1;
        atomic_fetch_add_explicit(&busy_ops, 1, memory_order_relaxed);
    }
    for (int i = 0; i < 64; i++)
        free(slot[i]);
    return NULL;
}

static void start_busy(pthread_t *th)
{
    atomic_store(&stop_busy, 0);
    atomic_store(&busy_ops, 0);
    for (uintptr_t i = 0; i < BUSY; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, busy_main, (void *)i), 0);
    /* Let them get going before the first fork. */
    while (atomic_load(&busy_ops) < 10000)
        sched_yield();
}

static void stop_busy_threads(pthread_t *th)
{
    atomic_store(&stop_busy, 1);
    for (int i = 0; i < BUSY; i++)
        pthread_join(th[i], NULL);
}

/* ---- tests ------------------------------------------------------------- */

static void child_of_single_threaded_fork_has_a_working_heap(void)
{
    make_inherited();
    int failures = 0;
    for (int i = 0; i < 3; i++)
        failures += fork_and_check("single-threaded fork");
    CU_ASSERT_EQUAL(failures, 0);
    /* The parent's heap is untouched by what the child did. */
    for (int i = 0; i < INHERITED; i++)
        CU_ASSERT(mpt_check(inherited[i], inherited_size[i], (uint32_t)i));
    free_inherited();
    mpt_require_shim(__func__);
}

static void child_of_fork_during_allocation_in_other_threads_has_a_working_heap(void)
{
    pthread_t th[BUSY];
    make_inherited();
    start_busy(th);
    int failures = 0;
    for (int i = 0; i < 20 && failures < 3; i++) { /* 3 hung children: enough */
        failures += fork_and_check("fork while 4 threads allocate");
        /* some allocation between forks so locks change hands */
        unsigned long until = atomic_load(&busy_ops) + 2000;
        while (atomic_load(&busy_ops) < until)
            sched_yield();
    }
    unsigned long ops = atomic_load(&busy_ops);
    stop_busy_threads(th);
    CU_ASSERT_EQUAL(failures, 0);
    CU_ASSERT(ops > 0);
    for (int i = 0; i < INHERITED; i++)
        CU_ASSERT(mpt_check(inherited[i], inherited_size[i], (uint32_t)i));
    free_inherited();

    /* The parent's own heap is still consistent and its threads' caches
     * are gone again. */
    mp_heap_stats_t s;
    if (!mpt_require_shim(__func__))
        return;
    CU_ASSERT_EQUAL_FATAL(mpt_stats(&s), 0);
    char why[256];
    int sane = mpt_stats_sane(&s, why, sizeof why);
    if (!sane)
        fprintf(stderr, "\n  parent after forks: %s\n", why);
    CU_ASSERT(sane);
}

static int exec_true(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        /* a little heap work first, then exec */
        void *p = malloc(1000);
        mpt_escape(p);
        free(p);
        execl("/bin/true", "true", (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    return wait_deadline(pid, 5000);
}

static void fork_then_exec_of_bin_true_succeeds(void)
{
    for (int i = 0; i < 3; i++) {
        int status = exec_true();
        describe(status, "fork + exec /bin/true");
        CU_ASSERT(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
}

static void fork_then_exec_while_threads_allocate_succeeds(void)
{
    pthread_t th[BUSY];
    start_busy(th);
    int bad = 0;
    for (int i = 0; i < 10 && bad < 3; i++) {
        int status = exec_true();
        if (!(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            describe(status, "fork + exec /bin/true while threads allocate");
            bad++;
        }
    }
    stop_busy_threads(th);
    CU_ASSERT_EQUAL(bad, 0);
}

void mp_test_register(void)
{
    MP_SUITE("fork",
             MP_TEST(child_of_single_threaded_fork_has_a_working_heap),
             MP_TEST(child_of_fork_during_allocation_in_other_threads_has_a_working_heap),
             MP_TEST(fork_then_exec_of_bin_true_succeeds),
             MP_TEST(fork_then_exec_while_threads_allocate_succeeds));
}
