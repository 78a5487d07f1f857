/*
 * log_encode.c — the log encoder (log_encode.h): primitives, record framing
 * and one helper per record type and event kind, laid out exactly as the
 * tables of docs/format.md.
 *
 * Runs inside the shim's malloc: no allocation, no globals, no libc but
 * memcpy. Invariant: e->len <= e->cap, and nothing is stored at or past
 * e->buf + e->cap — every put checks its room before writing a byte.
 *
 * All-or-nothing records: each typed helper remembers len before it starts
 * and, if any put overflowed, goes back there (rec_end does it). An event
 * additionally restores the batch's running values, so a refused event
 * leaves the batch exactly as it was and the batch can still be closed.
 */
#include "log_encode.h"

#include <string.h>

#include "varint.h"

void mp_enc_init(mp_enc_t *e, void *buf, size_t cap)
{
    e->buf = buf;
    e->cap = buf ? cap : 0;
    e->len = 0;
    e->overflow = 0;
}

void mp_enc_reset(mp_enc_t *e)
{
    e->len = 0;
    e->overflow = 0;
}

void mp_enc_rewind(mp_enc_t *e, size_t mark)
{
    if (mark <= e->len)
        e->len = mark;
    e->overflow = 0;
}

/* Is there room for n more bytes? If not, overflow is set. */
static int room(mp_enc_t *e, size_t n)
{
    if (e->overflow || e->cap - e->len < n) {
        e->overflow = 1;
        return 0;
    }
    return 1;
}

void mp_enc_put_raw(mp_enc_t *e, const void *p, size_t n)
{
    if (!room(e, n))
        return;
    if (n)
        memcpy(e->buf + e->len, p, n);
    e->len += n;
}

void mp_enc_put_u8(mp_enc_t *e, uint8_t v)
{
    if (!room(e, 1))
        return;
    e->buf[e->len++] = v;
}

void mp_enc_put_u16(mp_enc_t *e, uint16_t v)
{
    if (!room(e, 2))
        return;
    e->buf[e->len++] = (uint8_t)v;
    e->buf[e->len++] = (uint8_t)(v >> 8);
}

void mp_enc_put_u32(mp_enc_t *e, uint32_t v)
{
    if (!room(e, 4))
        return;
    for (int i = 0; i < 4; i++)
        e->buf[e->len++] = (uint8_t)(v >> (8 * i));
}

void mp_enc_put_varint(mp_enc_t *e, uint64_t v)
{
    /* The common case needs no size computation: 10 bytes of room. */
    if (!e->overflow && e->cap - e->len >= MP_VARINT_MAX) {
        e->len += mp_varint_encode(e->buf + e->len, v);
        return;
    }
    if (!room(e, mp_varint_size(v)))
        return;
    e->len += mp_varint_encode(e->buf + e->len, v);
}

void mp_enc_put_svarint(mp_enc_t *e, int64_t v)
{
    mp_enc_put_varint(e, mp_zigzag(v));
}

/* A length-prefixed run, all of it or none. */
static void put_counted(mp_enc_t *e, const void *p, size_t n)
{
    if (!room(e, mp_varint_size(n) + n))
        return;
    mp_enc_put_varint(e, n);
    mp_enc_put_raw(e, p, n);
}

void mp_enc_put_str(mp_enc_t *e, mp_str_t s)
{
    put_counted(e, s.ptr, s.len > MP_LOG_MAX_STR ? MP_LOG_MAX_STR : s.len);
}

void mp_enc_put_bytes(mp_enc_t *e, mp_bytes_t b)
{
    put_counted(e, b.ptr, b.len > MP_LOG_MAX_BYTES ? MP_LOG_MAX_BYTES : b.len);
}

size_t mp_enc_rec_begin(mp_enc_t *e, uint8_t type)
{
    size_t mark = e->len;

    if (room(e, 1 + MP_LOG_LEN_WIDTH)) {
        e->buf[e->len] = type;
        e->len += 1 + MP_LOG_LEN_WIDTH; /* length patched by rec_end */
    }
    return mark;
}

int mp_enc_rec_end(mp_enc_t *e, size_t mark)
{
    size_t payload;

    if (e->overflow || e->len < mark + 1 + MP_LOG_LEN_WIDTH)
        goto refuse;
    payload = e->len - (mark + 1 + MP_LOG_LEN_WIDTH);
    if (payload > MP_LOG_MAX_RECORD_LEN)
        goto refuse;
    mp_varint_encode_padded(e->buf + mark + 1, payload, MP_LOG_LEN_WIDTH);
    return 0;
refuse:
    if (mark <= e->len)
        e->len = mark;
    e->overflow = 1;
    return MP_ELOG_OVERFLOW;
}

int mp_enc_file_header(mp_enc_t *e)
{
    size_t mark = e->len;

    mp_enc_put_raw(e, MP_LOG_MAGIC, MP_LOG_MAGIC_SIZE);
    mp_enc_put_u16(e, MP_LOG_MAJOR);
    mp_enc_put_u16(e, MP_LOG_MINOR);
    mp_enc_put_u32(e, 0);
    if (e->overflow) {
        e->len = mark;
        return MP_ELOG_OVERFLOW;
    }
    return 0;
}

/* ---- Typed records ---------------------------------------------------- */

int mp_enc_process(mp_enc_t *e, const mp_rec_process_t *r)
{
    uint32_t argc = r->argc > MP_LOG_MAX_ARGC ? MP_LOG_MAX_ARGC : r->argc;
    size_t m = mp_enc_rec_begin(e, MP_REC_PROCESS);

    mp_enc_put_varint(e, r->pid);
    mp_enc_put_varint(e, r->ppid);
    mp_enc_put_varint(e, r->start_real_ns);
    mp_enc_put_varint(e, r->start_mono_ns);
    mp_enc_put_varint(e, r->page_size);
    mp_enc_put_varint(e, r->heap_page_size);
    mp_enc_put_varint(e, r->mode);
    mp_enc_put_varint(e, r->sample_interval);
    mp_enc_put_varint(e, r->max_depth);
    mp_enc_put_str(e, r->exe);
    mp_enc_put_varint(e, argc);
    for (uint32_t i = 0; i < argc && !e->overflow; i++)
        mp_enc_put_str(e, r->argv[i]);
    return mp_enc_rec_end(e, m);
}

int mp_enc_classes(mp_enc_t *e, const mp_rec_classes_t *r)
{
    size_t m;

    if (r->n > MP_LOG_MAX_CLASSES)
        return MP_ELOG_INVAL;
    m = mp_enc_rec_begin(e, MP_REC_CLASSES);
    mp_enc_put_varint(e, r->n);
    for (uint32_t i = 0; i < r->n && !e->overflow; i++) {
        mp_enc_put_varint(e, r->classes[i].size);
        mp_enc_put_varint(e, r->classes[i].pages);
    }
    return mp_enc_rec_end(e, m);
}

int mp_enc_module(mp_enc_t *e, const mp_rec_module_t *r)
{
    size_t m;

    if (r->nseg > MP_LOG_MAX_SEGMENTS || r->build_id.len > MP_LOG_MAX_BYTES)
        return MP_ELOG_INVAL;
    m = mp_enc_rec_begin(e, MP_REC_MODULE);
    mp_enc_put_varint(e, r->id);
    mp_enc_put_varint(e, r->ts);
    mp_enc_put_varint(e, r->bias);
    mp_enc_put_str(e, r->path);
    mp_enc_put_bytes(e, r->build_id);
    mp_enc_put_varint(e, r->nseg);
    for (uint32_t i = 0; i < r->nseg && !e->overflow; i++) {
        mp_enc_put_varint(e, r->segs[i].vaddr);
        mp_enc_put_varint(e, r->segs[i].memsz);
        mp_enc_put_varint(e, r->segs[i].flags);
    }
    return mp_enc_rec_end(e, m);
}

int mp_enc_module_gone(mp_enc_t *e, const mp_rec_module_gone_t *r)
{
    size_t m = mp_enc_rec_begin(e, MP_REC_MODULE_GONE);

    mp_enc_put_varint(e, r->id);
    mp_enc_put_varint(e, r->ts);
    return mp_enc_rec_end(e, m);
}

int mp_enc_thread(mp_enc_t *e, const mp_rec_thread_t *r)
{
    mp_str_t name = r->name;
    size_t m = mp_enc_rec_begin(e, MP_REC_THREAD);

    if (name.len > MP_LOG_MAX_THREAD_NAME)
        name.len = MP_LOG_MAX_THREAD_NAME;
    mp_enc_put_varint(e, r->tid);
    mp_enc_put_varint(e, r->ts);
    mp_enc_put_str(e, name);
    return mp_enc_rec_end(e, m);
}

int mp_enc_stack(mp_enc_t *e, const mp_rec_stack_t *r)
{
    uint64_t prev = 0;
    size_t m;

    if (r->id == 0 || r->n > MP_LOG_MAX_FRAMES)
        return MP_ELOG_INVAL;
    m = mp_enc_rec_begin(e, MP_REC_STACK);
    mp_enc_put_varint(e, r->id);
    mp_enc_put_varint(e, r->n);
    for (uint32_t i = 0; i < r->n && !e->overflow; i++) {
        mp_enc_put_varint(e, mp_zigzag_delta(r->frames[i] - prev));
        prev = r->frames[i];
    }
    return mp_enc_rec_end(e, m);
}

int mp_enc_watermark(mp_enc_t *e, const mp_rec_watermark_t *r)
{
    size_t m = mp_enc_rec_begin(e, MP_REC_WATERMARK);

    mp_enc_put_varint(e, r->ts);
    return mp_enc_rec_end(e, m);
}

int mp_enc_snapshot(mp_enc_t *e, const mp_rec_snapshot_t *r)
{
    size_t m;

    if (r->n > MP_LOG_MAX_CLASSES)
        return MP_ELOG_INVAL;
    m = mp_enc_rec_begin(e, MP_REC_SNAPSHOT);
    mp_enc_put_varint(e, r->ts);
    mp_enc_put_varint(e, r->rss);
    mp_enc_put_varint(e, r->mapped);
    mp_enc_put_varint(e, r->in_use);
    mp_enc_put_varint(e, r->idle);
    mp_enc_put_varint(e, r->released);
    mp_enc_put_varint(e, r->large_objects);
    mp_enc_put_varint(e, r->large_bytes);
    mp_enc_put_varint(e, r->n);
    for (uint32_t i = 0; i < r->n && !e->overflow; i++) {
        mp_enc_put_varint(e, r->classes[i].spans);
        mp_enc_put_varint(e, r->classes[i].live_objects);
    }
    return mp_enc_rec_end(e, m);
}

int mp_enc_hollow(mp_enc_t *e, const mp_rec_hollow_t *r)
{
    if (r->n > MP_LOG_MAX_HOLLOW)
        return MP_ELOG_INVAL;
    size_t m = mp_enc_rec_begin(e, MP_REC_HOLLOW);

    mp_enc_put_varint(e, r->ts);
    mp_enc_put_varint(e, r->reason);
    mp_enc_put_varint(e, r->page_size);
    mp_enc_put_varint(e, r->n);
    for (uint32_t i = 0; i < r->n; i++) {
        mp_enc_put_varint(e, r->blocks[i].addr);
        mp_enc_put_varint(e, r->blocks[i].size);
        mp_enc_put_varint(e, r->blocks[i].zero_pages);
        mp_enc_put_varint(e, r->blocks[i].untouched_pages);
    }
    return mp_enc_rec_end(e, m);
}

int mp_enc_leakscan(mp_enc_t *e, const mp_rec_leakscan_t *r)
{
    if (r->n > MP_LOG_MAX_LEAKSCAN)
        return MP_ELOG_INVAL;
    for (uint32_t i = 0; i < r->n; i++)
        if ((i && r->blocks[i].addr <= r->blocks[i - 1].addr) ||
            r->blocks[i].kind < MP_LEAK_DEFINITE || r->blocks[i].kind > MP_LEAK_POSSIBLE)
            return MP_ELOG_INVAL;
    size_t m = mp_enc_rec_begin(e, MP_REC_LEAKSCAN);

    mp_enc_put_varint(e, r->ts);
    mp_enc_put_varint(e, r->flags);
    mp_enc_put_varint(e, r->live_blocks);
    mp_enc_put_varint(e, r->root_bytes);
    mp_enc_put_varint(e, r->heap_bytes);
    mp_enc_put_varint(e, r->threads);
    mp_enc_put_varint(e, r->threads_paused);
    mp_enc_put_varint(e, r->duration_ns);
    mp_enc_put_varint(e, r->n);
    uint64_t prev = 0;
    for (uint32_t i = 0; i < r->n; i++) {
        mp_enc_put_varint(e, r->blocks[i].addr - prev);
        mp_enc_put_varint(e, r->blocks[i].kind);
        prev = r->blocks[i].addr;
    }
    return mp_enc_rec_end(e, m);
}

int mp_enc_lost(mp_enc_t *e, const mp_rec_lost_t *r)
{
    size_t m = mp_enc_rec_begin(e, MP_REC_LOST);

    mp_enc_put_varint(e, r->ts);
    mp_enc_put_varint(e, r->events);
    mp_enc_put_varint(e, r->reason);
    return mp_enc_rec_end(e, m);
}

int mp_enc_end(mp_enc_t *e, const mp_rec_end_t *r)
{
    size_t m = mp_enc_rec_begin(e, MP_REC_END);

    mp_enc_put_varint(e, r->ts);
    mp_enc_put_varint(e, r->reason);
    mp_enc_put_varint(e, r->detail);
    mp_enc_put_varint(e, r->events);
    return mp_enc_rec_end(e, m);
}

/* ---- BATCH ------------------------------------------------------------ */

int mp_enc_batch_begin(mp_enc_t *e, mp_enc_batch_t *b, uint64_t tid, uint64_t base_ts)
{
    b->open = 0;
    b->start = mp_enc_rec_begin(e, MP_REC_BATCH);
    mp_enc_put_varint(e, tid);
    mp_enc_put_varint(e, base_ts);
    if (e->overflow) {
        if (b->start <= e->len)
            e->len = b->start;
        return MP_ELOG_OVERFLOW;
    }
    b->ts = base_ts;
    b->addr = 0;
    b->nevents = 0;
    b->open = 1;
    return 0;
}

int mp_enc_batch_end(mp_enc_t *e, mp_enc_batch_t *b)
{
    size_t payload;

    if (!b->open || e->len < b->start + 1 + MP_LOG_LEN_WIDTH)
        return MP_ELOG_INVAL; /* never opened, or rewound into by the caller */
    b->open = 0;
    if (b->nevents == 0) {
        e->len = b->start; /* an empty batch says nothing */
        return 0;
    }
    /* Events are refused before the payload could pass the limit (see
     * ev_end), and they only ever append: the patch always fits. */
    payload = e->len - (b->start + 1 + MP_LOG_LEN_WIDTH);
    mp_varint_encode_padded(e->buf + b->start + 1, payload, MP_LOG_LEN_WIDTH);
    return 0;
}

/* Event prologue: kind and dts. Returns the mark to restore on failure. */
static size_t ev_begin(mp_enc_t *e, mp_enc_batch_t *b, uint8_t kind, uint64_t ts,
                       uint64_t *new_ts)
{
    size_t mark = e->len;

    *new_ts = ts >= b->ts ? ts : b->ts; /* never back: see the header */
    mp_enc_put_u8(e, kind);
    mp_enc_put_varint(e, *new_ts - b->ts);
    return mark;
}

/* An address field: delta from the running value, which it then becomes. */
static void ev_addr(mp_enc_t *e, uint64_t *running, uint64_t addr)
{
    mp_enc_put_varint(e, mp_zigzag_delta(addr - *running));
    *running = addr;
}

/* Event epilogue: commit the running values, or undo everything. */
static int ev_end(mp_enc_t *e, mp_enc_batch_t *b, size_t mark, uint64_t new_ts,
                  uint64_t new_addr)
{
    if (e->overflow || e->len - (b->start + 1 + MP_LOG_LEN_WIDTH) > MP_LOG_MAX_RECORD_LEN) {
        e->len = mark;
        e->overflow = 1;
        return MP_ELOG_OVERFLOW;
    }
    b->ts = new_ts;
    b->addr = new_addr;
    b->nevents++;
    return 0;
}

int mp_enc_ev_alloc(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t addr,
                    uint64_t size, uint64_t stack)
{
    uint64_t t, a = b->addr;
    size_t mark;

    if (!b->open)
        return MP_ELOG_INVAL;
    mark = ev_begin(e, b, MP_EV_ALLOC, ts, &t);
    ev_addr(e, &a, addr);
    mp_enc_put_varint(e, size);
    mp_enc_put_varint(e, stack);
    return ev_end(e, b, mark, t, a);
}

int mp_enc_ev_free(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t addr)
{
    uint64_t t, a = b->addr;
    size_t mark;

    if (!b->open)
        return MP_ELOG_INVAL;
    mark = ev_begin(e, b, MP_EV_FREE, ts, &t);
    ev_addr(e, &a, addr);
    return ev_end(e, b, mark, t, a);
}

int mp_enc_ev_realloc(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t old_addr,
                      uint64_t new_addr, uint64_t size, uint64_t stack)
{
    uint64_t t, a = b->addr;
    size_t mark;

    if (!b->open)
        return MP_ELOG_INVAL;
    mark = ev_begin(e, b, MP_EV_REALLOC, ts, &t);
    ev_addr(e, &a, old_addr);
    ev_addr(e, &a, new_addr);
    mp_enc_put_varint(e, size);
    mp_enc_put_varint(e, stack);
    return ev_end(e, b, mark, t, a);
}

int mp_enc_ev_sample(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t addr,
                     uint64_t size, uint64_t stack, uint64_t weight)
{
    uint64_t t, a = b->addr;
    size_t mark;

    if (!b->open)
        return MP_ELOG_INVAL;
    mark = ev_begin(e, b, MP_EV_SAMPLE, ts, &t);
    ev_addr(e, &a, addr);
    mp_enc_put_varint(e, size);
    mp_enc_put_varint(e, stack);
    mp_enc_put_varint(e, weight);
    return ev_end(e, b, mark, t, a);
}

int mp_enc_ev_span(mp_enc_t *e, mp_enc_batch_t *b, uint64_t ts, uint64_t op,
                   uint64_t cls, uint64_t pages, uint64_t addr)
{
    uint64_t t, a = b->addr;
    size_t mark;

    if (!b->open)
        return MP_ELOG_INVAL;
    mark = ev_begin(e, b, MP_EV_SPAN, ts, &t);
    mp_enc_put_varint(e, op);
    mp_enc_put_varint(e, cls);
    mp_enc_put_varint(e, pages);
    ev_addr(e, &a, addr);
    return ev_end(e, b, mark, t, a);
}

int mp_enc_event(mp_enc_t *e, mp_enc_batch_t *b, const mp_event_t *ev)
{
    switch (ev->kind) {
    case MP_EV_ALLOC:
        return mp_enc_ev_alloc(e, b, ev->ts, ev->addr, ev->size, ev->stack);
    case MP_EV_FREE:
        return mp_enc_ev_free(e, b, ev->ts, ev->addr);
    case MP_EV_REALLOC:
        return mp_enc_ev_realloc(e, b, ev->ts, ev->old_addr, ev->addr, ev->size,
                                 ev->stack);
    case MP_EV_SAMPLE:
        return mp_enc_ev_sample(e, b, ev->ts, ev->addr, ev->size, ev->stack,
                                ev->weight);
    case MP_EV_SPAN:
        return mp_enc_ev_span(e, b, ev->ts, ev->op, ev->cls, ev->pages, ev->addr);
    }
    return MP_ELOG_INVAL;
}
