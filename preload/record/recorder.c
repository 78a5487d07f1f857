/*
 * recorder.c — see recorder.h.
 */
#define _GNU_SOURCE
#include "recorder.h"
#include "internal.h"
#include "diag.h"
#include "options.h"
#include "os.h"
#include "process_hooks.h"
#include "sampler.h"
#include "span.h"
#include "stack_table.h"
#include "tbuf.h"
#include "unwind.h"
#include "log_encode.h"
#include "writer.h"
#include "log_format.h"

#include <dlfcn.h>
#include <link.h>
#include <string.h>

int mp_rec_on;
int mp_rec_sampling;
int mp_rec_child_off;

__thread int mp_internal __attribute__((tls_model("initial-exec")));
__thread mp_sampler_t mp_rec_tl_sampler __attribute__((tls_model("initial-exec")));
static uintptr_t self_lo, self_hi;  /* the shim's own code, trimmed from stacks */
static uint64_t n_lost;             /* atomic adds (a rare path) */

uint64_t mp_rec_lost(void) { return __atomic_load_n(&n_lost, __ATOMIC_RELAXED); }

static void rec_span(int op, uint32_t cls, uint32_t pages, uintptr_t addr);

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    uintptr_t me = (uintptr_t)arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && me >= lo && me < hi) {
            self_lo = lo;
            self_hi = hi;
            return 1;
        }
    }
    return 0;
}

int mp_recorder_start(void)
{
    mp_internal = 1;
    int rc = mp_stack_init();
    if (rc == 0)
        rc = mp_unwind_init();
    if (rc != 0)
        mp_diag("recording is off (cannot prepare stack capture: %s); the program runs on "
                "memprof's heap unrecorded", mp_strerror(rc));
    dl_iterate_phdr(find_self, (void *)(uintptr_t)&mp_recorder_start);
    if (rc == 0)
        rc = mp_writer_start(); /* says itself what went wrong */
    if (rc == 0) {
        mp_rec_sampling = mp_options.sample > 0;
        __atomic_store_n(&mp_rec_on, 1, __ATOMIC_RELEASE);
        __atomic_store_n(&mp_span_hook, rec_span, __ATOMIC_RELEASE);
        if (mp_rec_sampling)
            __atomic_store_n(&mp_sampled_free_hook, mp_rec_free, __ATOMIC_RELEASE);
        mp_hooks_install();
        mp_hooks_check_allocators();
    }
    mp_internal = 0;
    return rc;
}

void mp_recorder_stop(int reason, int detail)
{
    if (!__atomic_exchange_n(&mp_rec_on, 0, __ATOMIC_ACQ_REL))
        return;
    __atomic_store_n(&mp_span_hook, NULL, __ATOMIC_RELEASE);
    __atomic_store_n(&mp_sampled_free_hook, NULL, __ATOMIC_RELEASE);
    mp_internal = 1;
    mp_writer_stop(reason, detail);
    mp_internal = 0;
}

void mp_recorder_restart(void)
{
    mp_internal = 1;
    if (mp_writer_start() == 0) {
        __atomic_store_n(&mp_rec_on, 1, __ATOMIC_RELEASE);
        __atomic_store_n(&mp_span_hook, rec_span, __ATOMIC_RELEASE);
        if (mp_rec_sampling)
            __atomic_store_n(&mp_sampled_free_hook, mp_rec_free, __ATOMIC_RELEASE);
    }
    mp_internal = 0;
}

/* Captures the caller's stack without the shim's own frames. */
static uint32_t capture(void)
{
    void *frames[MP_STACK_DEPTH_MAX + 8];
    uint32_t depth = mp_options.depth;
    size_t n = mp_unwind_capture(frames, depth + 8, 0);
    size_t skip = 0;
    while (skip < n && (uintptr_t)frames[skip] >= self_lo && (uintptr_t)frames[skip] < self_hi)
        skip++;
    n -= skip;
    if (n > depth)
        n = depth;
    return mp_stack_intern(frames + skip, (uint32_t)n);
}

static void emit(int kind, void *a, void *a2, size_t size, uint32_t stack, uint64_t weight)
{
    mp_tbuf_t *b = mp_tbuf_get();
    if (!b) {
        __atomic_fetch_add(&n_lost, 1, __ATOMIC_RELAXED);
        return;
    }
    uint64_t ts = mp_tbuf_begin(b);
    int rc;
    if (kind == MP_EV_ALLOC)
        rc = mp_enc_ev_alloc(&b->enc, &b->batch, ts, (uintptr_t)a, size, stack);
    else if (kind == MP_EV_FREE)
        rc = mp_enc_ev_free(&b->enc, &b->batch, ts, (uintptr_t)a);
    else if (kind == MP_EV_SAMPLE)
        rc = mp_enc_ev_sample(&b->enc, &b->batch, ts, (uintptr_t)a, size, stack, weight);
    else
        rc = mp_enc_ev_realloc(&b->enc, &b->batch, ts, (uintptr_t)a, (uintptr_t)a2, size, stack);
    if (rc == 0)
        b->pending++; /* counted by the writer as it drains: no shared counter */
    mp_tbuf_end(b);
    if (rc != 0)
        __atomic_fetch_add(&n_lost, 1, __ATOMIC_RELAXED);
}

/* SPAN events (heap.h's mp_span_hook): called under heap locks. */
static void rec_span(int op, uint32_t cls, uint32_t pages, uintptr_t addr)
{
    if (mp_internal)
        return;
    mp_internal = 1;
    mp_tbuf_t *b = mp_tbuf_get();
    if (b) {
        uint64_t ts = mp_tbuf_begin(b);
        if (mp_enc_ev_span(&b->enc, &b->batch, ts, (uint64_t)op, cls, pages, addr) == 0)
            b->pending++;
        mp_tbuf_end(b);
    }
    mp_internal = 0;
}

void mp_rec_alloc(void *p, size_t size)
{
    if (mp_internal)
        return;
    mp_internal = 1;
    emit(MP_EV_ALLOC, p, NULL, size, capture(), 0);
    mp_internal = 0;
}

void mp_rec_free(void *p)
{
    if (mp_internal)
        return;
    mp_internal = 1;
    emit(MP_EV_FREE, p, NULL, 0, 0, 0);
    mp_internal = 0;
}

void mp_rec_realloc(void *old, void *new_block, size_t size)
{
    if (mp_internal)
        return;
    mp_internal = 1;
    emit(MP_EV_REALLOC, old, new_block, size, capture(), 0);
    mp_internal = 0;
}

uint64_t mp_rec_sample_take(size_t size)
{
    if (mp_rec_tl_sampler.mean == 0) /* this thread's first allocation */
        mp_sampler_init(&mp_rec_tl_sampler, mp_options.sample,
                         mp_os_random64() ^ (uint64_t)(uintptr_t)&mp_rec_tl_sampler);
    return mp_sampler_take(&mp_rec_tl_sampler, size);
}

void mp_rec_sample(void *p, size_t size, uint64_t weight)
{
    if (mp_internal)
        return;
    mp_internal = 1;
    emit(MP_EV_SAMPLE, p, NULL, size, capture(), weight);
    mp_internal = 0;
}
