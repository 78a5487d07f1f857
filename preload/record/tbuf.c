/*
 * tbuf.c — see tbuf.h. The registry lock guards the list of buffers and the
 * free list; each buffer's own spin lock guards its contents.
 */
#define _GNU_SOURCE
#include "tbuf.h"
#include "leakscan.h"
#include "lock.h"
#include "os.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static __thread mp_tbuf_t *my_buf __attribute__((tls_model("initial-exec")));
static __thread int my_state __attribute__((tls_model("initial-exec"))); /* 2: exited */

static mp_lock_t reg_lock = MP_LOCK_INIT;
static mp_tbuf_t *registry;   /* reg_lock */
static mp_tbuf_t *spare;      /* recycled buffers, linked via next (reg_lock) */
static uint64_t epoch_ns;
static void (*wake_writer)(void);
static pthread_key_t exit_key;
static int key_state;         /* 0 none, 1 creating, 2 ready, 3 failed */

void mp_tbuf_set_epoch(uint64_t mono_ns) { epoch_ns = mono_ns; }
void mp_tbuf_set_wake(void (*wake)(void)) { wake_writer = wake; }

uint64_t mp_tbuf_now(void)
{
    return mp_os_now_ns() - epoch_ns;
}

static void on_thread_exit(void *arg)
{
    mp_tbuf_t *b = arg;
    my_buf = NULL;
    my_state = 2;
    mp_leakscan_thread_exit(b->tid);
    __atomic_store_n(&b->dead, 1, __ATOMIC_RELEASE);
}

static int ensure_key(void)
{
    int s = __atomic_load_n(&key_state, __ATOMIC_ACQUIRE);
    if (s == 0) {
        int expect = 0;
        if (__atomic_compare_exchange_n(&key_state, &expect, 1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE)) {
            int ok = pthread_key_create(&exit_key, on_thread_exit) == 0;
            __atomic_store_n(&key_state, ok ? 2 : 3, __ATOMIC_RELEASE);
            return ok;
        }
        while ((s = __atomic_load_n(&key_state, __ATOMIC_ACQUIRE)) == 1)
            ;
    }
    return s == 2;
}

mp_tbuf_t *mp_tbuf_get(void)
{
    if (my_buf)
        return my_buf;
    if (my_state == 2 || !ensure_key())
        return NULL; /* thread exiting: its last events are not recorded */
    mp_lock(&reg_lock);
    mp_tbuf_t *b = spare;
    if (b) {
        spare = b->next;
    } else {
        void *p, *d;
        if (mp_os_reserve(4096, 4096, NULL, &p) != 0 ||
            mp_os_reserve(MP_TBUF_CAP, 4096, NULL, &d) != 0) {
            mp_unlock(&reg_lock);
            return NULL;
        }
        b = p;
        b->data = d;
    }
    uint8_t *data = b->data;
    memset(b, 0, sizeof *b);
    b->data = data;
    mp_enc_init(&b->enc, data, MP_TBUF_CAP);
    b->tid = (uint32_t)syscall(SYS_gettid);
    b->next = registry;
    registry = b;
    mp_unlock(&reg_lock);
    pthread_setspecific(exit_key, b);
    mp_leakscan_thread_start(b->tid, (uintptr_t)__builtin_frame_address(0));
    my_buf = b;
    return b;
}

void mp_tbuf_lock(mp_tbuf_t *b)
{
    unsigned spins = 0;
    while (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE)) {
        if (++spins < 64)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
}

uint64_t mp_tbuf_begin(mp_tbuf_t *b)
{
    for (;;) {
        mp_tbuf_lock(b);
        if (b->enc.len + MP_TBUF_EVENT_MAX <= MP_TBUF_CAP)
            break;
        /* Full: let the writer drain it. Sleep briefly rather than spin:
         * the writer may need this CPU. */
        b->waiting = 1;
        mp_tbuf_unlock(b);
        if (wake_writer)
            wake_writer();
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    b->waiting = 0;
    uint64_t now = mp_tbuf_now();
    if (!b->batch.open)
        mp_enc_batch_begin(&b->enc, &b->batch, b->tid, now);
    return now;
}

void mp_tbuf_each(void (*fn)(mp_tbuf_t *b, void *arg), void *arg)
{
    mp_lock(&reg_lock);
    mp_tbuf_t *list = registry;
    mp_unlock(&reg_lock);
    /* Buffers are only ever added at the head and removed by mp_tbuf_reap,
     * which runs on the writer thread like the callers of this function:
     * walking the snapshot without the lock is safe. */
    for (mp_tbuf_t *b = list; b; b = b->next)
        fn(b, arg);
}

void mp_tbuf_reap(void)
{
    mp_lock(&reg_lock);
    mp_tbuf_t **pp = &registry;
    while (*pp) {
        mp_tbuf_t *b = *pp;
        if (__atomic_load_n(&b->dead, __ATOMIC_ACQUIRE) && !b->batch.open && b->thread_written) {
            *pp = b->next;
            b->next = spare;
            spare = b;
        } else {
            pp = &b->next;
        }
    }
    mp_unlock(&reg_lock);
}

void mp_tbuf_lock_registry(void) { mp_lock(&reg_lock); }
void mp_tbuf_unlock_registry(void) { mp_unlock(&reg_lock); }

void mp_tbuf_after_fork_child(void)
{
    mp_lock(&reg_lock);
    mp_tbuf_t *b = registry;
    registry = NULL;
    while (b) {
        mp_tbuf_t *next = b->next;
        if (b == my_buf) {
            mp_enc_reset(&b->enc);
            b->batch.open = 0;
            b->pending = 0;
            b->lock = 0;
            b->thread_written = 0;
            b->tid = (uint32_t)syscall(SYS_gettid);
            mp_leakscan_thread_start(b->tid, (uintptr_t)__builtin_frame_address(0));
            b->next = registry;
            registry = b;
        } else {
            b->next = spare;
            spare = b;
        }
        b = next;
    }
    mp_unlock(&reg_lock);
}
