/*
 * merge.c — the watermark merge (merge.h).
 *
 * Each queue is a ring buffer (a power-of-two capacity) of one thread's
 * events in arrival order; since push clamps a thread's times to never go
 * back, each queue is sorted by ts and its head is its minimum. heap[] is a
 * binary min-heap of the non-empty queues ordered by their heads' (ts, seq).
 *
 * Invariants: a queue is in the heap iff it is not empty (in_heap says
 * so); pending == the sum of the queues' lengths; every event released so
 * far had ts < released_below or was released by an `all` release; a queue
 * is in idle[] iff `listed`, and every queue with a ring that is empty is
 * listed.
 *
 * A release pops the smallest head; when the next smallest head has the
 * same ts it is a tie: every queue whose head has that ts leaves the heap
 * into tie[], and the tie is settled event by event — among the tied heads
 * the first in log order that ready() accepts, else the first in log order
 * — a queue going back into the heap as soon as its head is later. The
 * common case (no tie) costs one heap pop and push per event.
 */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "log_format.h"

#define QUEUE_FIRST_CAP 16

typedef struct queue {
    mp_mev_t *ev;       /* ring of cap events, NULL while idle */
    size_t cap;         /* a power of two, or 0 without a ring */
    size_t head, len;   /* first event, events held */
    uint64_t last_ts;   /* ts of the last event pushed (kept once released) */
    uint64_t emptied;   /* number of the release that last emptied it */
    int seen;           /* an event was ever pushed */
    int in_heap;
    int listed;         /* in the idle list */
} queue_t;

struct mp_merge {
    queue_t *q;
    size_t nq;              /* queues allocated */
    uint32_t *heap;         /* queue indexes; capacity nq */
    size_t heap_len;
    uint32_t *tie;          /* queues tied at one ts; capacity nq */
    uint32_t *idle;         /* queues emptied, ring not yet freed; capacity nq */
    size_t n_idle;
    uint64_t release_no;    /* releases done */
    size_t pending, max_pending;
    uint64_t seq;           /* the next event's seq */
    uint64_t released_below;
    int have_released;
    uint64_t late, clamped;
};

int mp_merge_create(mp_merge_t **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : MP_ELOG_NOMEM;
}

void mp_merge_destroy(mp_merge_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nq; i++)
        free(m->q[i].ev);
    free(m->q);
    free(m->heap);
    free(m->tie);
    free(m->idle);
    free(m);
}

static const mp_mev_t *head(const mp_merge_t *m, uint32_t qi)
{
    const queue_t *q = &m->q[qi];
    return &q->ev[q->head];
}

/* Whether queue a's head comes before queue b's. */
static int before(const mp_merge_t *m, uint32_t a, uint32_t b)
{
    const mp_mev_t *x = head(m, a), *y = head(m, b);
    return x->ts != y->ts ? x->ts < y->ts : x->seq < y->seq;
}

static void heap_push(mp_merge_t *m, uint32_t qi)
{
    size_t i = m->heap_len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(m, qi, m->heap[parent]))
            break;
        m->heap[i] = m->heap[parent];
        i = parent;
    }
    m->heap[i] = qi;
    m->q[qi].in_heap = 1;
}

static uint32_t heap_pop(mp_merge_t *m)
{
    uint32_t top = m->heap[0];
    uint32_t last = m->heap[--m->heap_len];
    size_t i = 0, n = m->heap_len;
    while (n > 0) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(m, m->heap[c + 1], m->heap[c]))
            c++;
        if (!before(m, m->heap[c], last))
            break;
        m->heap[i] = m->heap[c];
        i = c;
    }
    if (n > 0)
        m->heap[i] = last;
    m->q[top].in_heap = 0;
    return top;
}

/* Makes room for queue index qi. */
static int ensure_queue(mp_merge_t *m, uint32_t qi)
{
    if (qi < m->nq)
        return 0;
    size_t nq = m->nq ? m->nq : 16;
    while (nq <= qi)
        nq *= 2;
    queue_t *q = realloc(m->q, nq * sizeof *q);
    if (!q)
        return MP_ELOG_NOMEM;
    m->q = q;
    memset(q + m->nq, 0, (nq - m->nq) * sizeof *q);
    uint32_t *heap = realloc(m->heap, nq * sizeof *heap);
    if (heap)
        m->heap = heap;
    uint32_t *tie = realloc(m->tie, nq * sizeof *tie);
    if (tie)
        m->tie = tie;
    uint32_t *idle = realloc(m->idle, nq * sizeof *idle);
    if (idle)
        m->idle = idle;
    if (!heap || !tie || !idle)
        return MP_ELOG_NOMEM; /* nq unchanged: the bigger arrays are harmless */
    m->nq = nq;
    return 0;
}

int mp_merge_push(mp_merge_t *m, const mp_mev_t *ev)
{
    int rc = ensure_queue(m, ev->queue);
    if (rc != 0)
        return rc;
    queue_t *q = &m->q[ev->queue];
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : QUEUE_FIRST_CAP;
        mp_mev_t *p = malloc(cap * sizeof *p);
        if (!p)
            return MP_ELOG_NOMEM;
        for (size_t i = 0; i < q->len; i++)
            p[i] = q->ev[(q->head + i) & (q->cap - 1)];
        free(q->ev);
        q->ev = p;
        q->cap = cap;
        q->head = 0;
    }
    mp_mev_t *e = &q->ev[(q->head + q->len) & (q->cap - 1)];
    *e = *ev;
    e->seq = m->seq++;
    if (q->seen && e->ts < q->last_ts) {
        e->ts = q->last_ts;
        m->clamped++;
    }
    q->last_ts = e->ts;
    q->seen = 1;
    if (m->have_released && e->ts < m->released_below)
        m->late++;
    q->len++;
    if (++m->pending > m->max_pending)
        m->max_pending = m->pending;
    if (!q->in_heap)
        heap_push(m, ev->queue);
    return 0;
}

/* Drops queue qi's head (just applied). An emptied queue goes on the idle
 * list, where its ring is freed if it stays empty (free_idle_rings). */
static void advance(mp_merge_t *m, uint32_t qi)
{
    queue_t *q = &m->q[qi];
    q->head = (q->head + 1) & (q->cap - 1);
    q->len--;
    m->pending--;
    if (q->len == 0) {
        q->emptied = m->release_no;
        if (!q->listed) {
            q->listed = 1;
            m->idle[m->n_idle++] = qi;
        }
    }
}

/* After a release: frees the rings of the queues that have stayed empty
 * since the release before this one. A thread that writes events every
 * chunk keeps its ring (no malloc churn); one that has gone quiet — or
 * exited: a program may create millions of threads over its life — keeps
 * only its 64-byte queue_t, so the merge's memory follows the threads
 * active lately, not every thread ever seen. */
static void free_idle_rings(mp_merge_t *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n_idle; i++) {
        uint32_t qi = m->idle[i];
        queue_t *q = &m->q[qi];
        if (q->len > 0) {
            q->listed = 0; /* busy again */
        } else if (q->emptied + 1 < m->release_no) {
            free(q->ev);
            q->ev = NULL;
            q->cap = q->head = 0;
            q->listed = 0;
        } else {
            m->idle[k++] = qi; /* emptied in this release: wait one more */
        }
    }
    m->n_idle = k;
}

/* Settles the tie of the n queues in m->tie, whose heads are all at ts. */
static int settle_tie(mp_merge_t *m, size_t n, uint64_t ts, mp_merge_ready_fn ready,
                      mp_merge_apply_fn apply, void *arg)
{
    uint32_t *tie = m->tie;
    while (n > 0) {
        size_t first = 0, pick = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            const mp_mev_t *e = head(m, tie[i]);
            if (e->seq < head(m, tie[first])->seq)
                first = i;
            if (ready(arg, e) && (pick == SIZE_MAX || e->seq < head(m, tie[pick])->seq))
                pick = i;
        }
        if (pick == SIZE_MAX)
            pick = first;
        uint32_t qi = tie[pick];
        int rc = apply(arg, head(m, qi));
        advance(m, qi);
        if (m->q[qi].len == 0 || head(m, qi)->ts != ts) {
            tie[pick] = tie[--n];
            if (m->q[qi].len > 0)
                heap_push(m, qi);
        }
        if (rc != 0) {
            while (n > 0) /* leave the merge consistent */
                heap_push(m, tie[--n]);
            return rc;
        }
    }
    return 0;
}

int mp_merge_release(mp_merge_t *m, uint64_t below, int all, mp_merge_ready_fn ready,
                     mp_merge_apply_fn apply, void *arg)
{
    while (m->heap_len > 0) {
        uint32_t qi = m->heap[0];
        uint64_t ts = head(m, qi)->ts;
        if (!all && ts >= below)
            break;
        heap_pop(m);
        if (m->heap_len == 0 || head(m, m->heap[0])->ts != ts) {
            /* Alone at its time: the common case. Its own next event may
             * share the time, but a queue keeps its order anyway. */
            int rc = apply(arg, head(m, qi));
            advance(m, qi);
            /* A run: while this queue's next head is strictly before every
             * other queue's head (and below the watermark) it is the
             * smallest event and alone at its time, so it goes without a
             * trip through the heap. One thread's stretch between two
             * snapshots is one run. */
            uint64_t limit = m->heap_len > 0 ? head(m, m->heap[0])->ts : UINT64_MAX;
            if (!all && below < limit)
                limit = below;
            while (rc == 0 && m->q[qi].len > 0 && head(m, qi)->ts < limit) {
                rc = apply(arg, head(m, qi));
                advance(m, qi);
            }
            if (m->q[qi].len > 0)
                heap_push(m, qi);
            if (rc != 0)
                return rc;
            continue;
        }
        size_t n = 0;
        m->tie[n++] = qi;
        while (m->heap_len > 0 && head(m, m->heap[0])->ts == ts)
            m->tie[n++] = heap_pop(m);
        int rc = settle_tie(m, n, ts, ready, apply, arg);
        if (rc != 0)
            return rc;
    }
    if (!all && (!m->have_released || below > m->released_below)) {
        m->released_below = below;
        m->have_released = 1;
    }
    m->release_no++;
    free_idle_rings(m);
    return 0;
}

int mp_merge_check(const mp_merge_t *m)
{
    size_t pending = 0, in_heap = 0, listed = 0;
    for (uint32_t i = 0; i < m->nq; i++) {
        const queue_t *q = &m->q[i];
        pending += q->len;
        in_heap += (size_t)q->in_heap;
        listed += (size_t)q->listed;
        if (q->in_heap != (q->len > 0) || q->len > q->cap)
            return -1;
        if (q->cap && !q->len && !q->listed)
            return -1; /* an empty ring nobody will free */
        for (size_t k = 1; k < q->len; k++) /* sorted: push clamps */
            if (q->ev[(q->head + k) & (q->cap - 1)].ts < q->ev[(q->head + k - 1) & (q->cap - 1)].ts)
                return -1;
    }
    if (pending != m->pending || in_heap != m->heap_len || listed != m->n_idle)
        return -1;
    for (size_t i = 1; i < m->heap_len; i++)
        if (before(m, m->heap[i], m->heap[(i - 1) / 2]))
            return -1;
    return 0;
}

size_t mp_merge_pending(const mp_merge_t *m)
{
    return m->pending;
}

size_t mp_merge_max_pending(const mp_merge_t *m)
{
    return m->max_pending;
}

uint64_t mp_merge_late(const mp_merge_t *m)
{
    return m->late;
}

uint64_t mp_merge_clamped(const mp_merge_t *m)
{
    return m->clamped;
}

size_t mp_merge_memory(const mp_merge_t *m)
{
    size_t n = sizeof *m + m->nq * (sizeof(queue_t) + 3 * sizeof(uint32_t));
    for (size_t i = 0; i < m->nq; i++)
        n += m->q[i].cap * sizeof(mp_mev_t);
    return n;
}
