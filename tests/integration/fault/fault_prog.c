/*
 * fault_prog.c — the program the fault tests run under the shim
 * (fault.sh, docs/hardening.md):
 *
 *     fault_prog alloc     two threads allocate, reallocate and free blocks
 *                          of 1 B .. 256 KiB, every block filled with a
 *                          pattern of its own and checked before it is
 *                          reallocated or freed and at the end; calloc'd
 *                          blocks are checked to be zero. malloc_trim(0)
 *                          now and then, so free pages are released.
 *     fault_prog sigalrm   the same in one thread, while a SIGALRM handler
 *                          (setitimer, every 200 us) mallocs, checks and
 *                          frees blocks of its own.
 *     fault_prog sigfork   the same, while a SIGALRM handler (every 2 ms)
 *                          forks: the child allocates, checks and exits at
 *                          once with _exit (0 also when its malloc returned
 *                          NULL with ENOMEM); the parent reaps it later.
 *     fault_prog threads   64 short-lived threads (8 at a time) that each
 *                          make 200 allocations, keep 10 and exit, while
 *                          the writer flushes every millisecond.
 *
 * An allocation that returns NULL must have set errno to ENOMEM: it is
 * counted (on stderr) and the slot stays empty; the output on stdout does
 * not depend on how many there were. Anything else wrong — a block whose
 * contents changed, NULL with another errno, calloc memory not zero —
 * prints "fault_prog: ..." on stderr and exits 1. Prints one line on
 * stdout at the end and exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 256
#define STEPS 3000

typedef struct slot {
    unsigned char *p;
    size_t n;
    uint32_t seed;
} slot_t;

static _Atomic unsigned long nulls, handler_runs, children;

static void die(const char *what, size_t n)
{
    char buf[160];
    int len = snprintf(buf, sizeof buf, "fault_prog: %s (%zu bytes)\n", what, n);
    if (write(2, buf, (size_t)len) < 0)
        _exit(1);
    _exit(1);
}

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static unsigned char pattern(uint32_t seed, size_t i)
{
    return (unsigned char)(seed + i * 131u + (i >> 9));
}

static void fill(unsigned char *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(seed, i);
}

static void check(const unsigned char *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(seed, i))
            die("a block's contents changed", n);
}

/* NULL is a correct answer only with ENOMEM. */
static int got_null(void *p, size_t n)
{
    if (p)
        return 0;
    if (errno != ENOMEM)
        die("NULL without ENOMEM", n);
    nulls++;
    return 1;
}

static size_t pick_size(uint32_t *rng)
{
    uint32_t r = next(rng) % 100;
    if (r < 70)
        return 1 + next(rng) % 512;
    if (r < 97)
        return 512 + next(rng) % (32 << 10);
    return (32 << 10) + next(rng) % (224 << 10);
}

static void step(slot_t *slots, uint32_t *rng)
{
    slot_t *s = &slots[next(rng) % SLOTS];

    if (!s->p) {
        size_t n = pick_size(rng);
        errno = 0;
        if (next(rng) % 4 == 0) {
            s->p = calloc(1, n);
            if (got_null(s->p, n))
                return;
            for (size_t i = 0; i < n; i++)
                if (s->p[i])
                    die("calloc memory not zero", n);
        } else {
            s->p = malloc(n);
            if (got_null(s->p, n))
                return;
        }
        s->n = n;
        s->seed = next(rng);
        fill(s->p, n, s->seed);
        return;
    }
    check(s->p, s->n, s->seed);
    if (next(rng) % 3 == 0) {
        size_t n = pick_size(rng), keep = n < s->n ? n : s->n;
        errno = 0;
        unsigned char *q = realloc(s->p, n);
        if (got_null(q, n)) {
            check(s->p, s->n, s->seed); /* a failed realloc leaves the block alone */
            return;
        }
        check(q, keep, s->seed);
        s->p = q;
        s->n = n;
        fill(q, n, s->seed);
        return;
    }
    free(s->p);
    s->p = NULL;
}

static void run_slots(uint32_t seed, int trim)
{
    slot_t *slots = calloc(SLOTS, sizeof *slots);
    uint32_t rng = seed;

    while (got_null(slots, SLOTS * sizeof *slots)) {
        errno = 0;
        slots = calloc(SLOTS, sizeof *slots);
    }
    for (int i = 0; i < STEPS; i++) {
        step(slots, &rng);
        if (trim && i % 1000 == 999)
            malloc_trim(0);
    }
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].p) {
            check(slots[i].p, slots[i].n, slots[i].seed);
            free(slots[i].p);
        }
    free(slots);
    if (trim)
        malloc_trim(0);
}

static void *alloc_thread(void *arg)
{
    run_slots((uint32_t)(uintptr_t)arg, 1);
    return NULL;
}

/* ---- signals ---- */

static void on_alarm_alloc(int sig)
{
    int saved = errno;
    (void)sig;
    for (size_t n = 24; n <= 6000; n *= 5) {
        unsigned char *p = malloc(n);
        if (p) {
            fill(p, n, (uint32_t)n);
            check(p, n, (uint32_t)n);
            free(p);
        } else if (errno != ENOMEM) {
            die("NULL without ENOMEM in the signal handler", n);
        }
    }
    handler_runs++;
    errno = saved;
}

static void on_alarm_fork(int sig)
{
    int saved = errno;
    (void)sig;
    pid_t pid = fork();
    if (pid == 0) {
        /* NULL (ENOMEM) is a right answer: the handler may have
         * interrupted malloc, which the child cannot re-enter. */
        unsigned char *p = malloc(1000);
        if (!p)
            _exit(errno == ENOMEM ? 0 : 3);
        fill(p, 1000, 7);
        check(p, 1000, 7);
        free(p);
        _exit(0);
    }
    if (pid > 0)
        children++;
    handler_runs++;
    errno = saved;
}

static void reap(int *bad)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            (*bad)++;
}

static int with_timer(void (*handler)(int), int rounds, long usec)
{
    struct sigaction sa;
    struct itimerval it = { { 0, usec }, { 0, usec } };
    int bad = 0;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    for (int r = 0; r < rounds; r++) {
        run_slots(0x9e3779b9u + (uint32_t)r, 0);
        reap(&bad);
    }
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, NULL);
    signal(SIGALRM, SIG_IGN);
    /* The children the handler forked: every one must exit 0. */
    int status;
    while (wait(&status) > 0)
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            bad++;
    return bad;
}

/* ---- short-lived threads ---- */

static void *short_thread(void *arg)
{
    void **keep = arg;
    uint32_t rng = (uint32_t)(uintptr_t)keep | 1;
    for (int i = 0; i < 200; i++) {
        size_t n = 1 + next(&rng) % 2000;
        unsigned char *p = malloc(n);
        if (got_null(p, n))
            continue;
        fill(p, n, (uint32_t)i);
        check(p, n, (uint32_t)i);
        if (i % 20 == 0)
            keep[i / 20] = p;
        else
            free(p);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (strcmp(mode, "alloc") == 0) {
        pthread_t t;
        int have_thread = pthread_create(&t, NULL, alloc_thread, (void *)(uintptr_t)12345) == 0;
        run_slots(777, 1);
        if (have_thread)
            pthread_join(t, NULL);
        else
            run_slots(12345, 1); /* the same work, if no thread could start */
        printf("fault_prog alloc: ok\n");
    } else if (strcmp(mode, "sigalrm") == 0 || strcmp(mode, "sigfork") == 0) {
        int fork_mode = mode[3] == 'f';
        int bad = with_timer(fork_mode ? on_alarm_fork : on_alarm_alloc, fork_mode ? 2 : 4,
                             fork_mode ? 2000 : 200);
        if (bad)
            die("a child forked in the signal handler failed", (size_t)bad);
        if (handler_runs == 0)
            die("the signal handler never ran", 0);
        fprintf(stderr, "fault_prog: the handler ran %lu times, %lu children\n",
                (unsigned long)handler_runs, (unsigned long)children);
        printf("fault_prog %s: ok\n", mode);
    } else if (strcmp(mode, "threads") == 0) {
        static void *kept[64][10];
        for (int round = 0; round < 8; round++) {
            pthread_t t[8];
            for (int i = 0; i < 8; i++)
                if (pthread_create(&t[i], NULL, short_thread, kept[round * 8 + i]) != 0)
                    die("pthread_create failed", 0);
            for (int i = 0; i < 8; i++)
                pthread_join(t[i], NULL);
        }
        for (int i = 0; i < 64; i++)
            for (int k = 0; k < 10; k++)
                free(kept[i][k]);
        printf("fault_prog threads: ok\n");
    } else {
        fprintf(stderr, "usage: fault_prog alloc|sigalrm|sigfork|threads\n");
        return 2;
    }
    if (nulls)
        fprintf(stderr, "fault_prog: %lu allocations returned NULL (ENOMEM)\n",
                (unsigned long)nulls);
    return 0;
}
