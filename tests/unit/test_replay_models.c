/*
 * test_replay_models.c — what the replay builds beyond counts: sampled-mode
 * estimates (SAMPLE weights), the size-class model from SNAPSHOTs and SPAN
 * events (docs/analysis.md "The size-class model"), and the heap timeline
 * bounded to MP_REPLAY_TIMELINE_POINTS points.
 */
#include "test_replay.h"

#include "cunit_main.h"
#include "test_replay_util.h"

#define MS 1000000ull /* ns */

static const uint64_t frames[] = { 0x401000, 0x402000 };

/* In sampled mode a sample stands for its weight in bytes: byte figures are
 * weighted, counts are counts of samples. */
static void sampled_mode_weights_bytes(void)
{
    lb_t *b = lb_open("sampled.mpz", MP_MODE_SAMPLED);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames);
    lb_stack(b, 2, 1, frames);
    lb_batch(b, 1);
    lb_sample(b, 10, 0x1000, 100, 1, 4096);
    lb_sample(b, 20, 0x2000, 10, 2, 524288);
    lb_free(b, 30, 0x1000);
    lb_sample(b, 40, 0x3000, 1000, 1, 8192);
    lb_watermark(b, 50);
    lb_end(b, 50);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(mp_replay_process(r)->mode, MP_MODE_SAMPLED);
    CU_ASSERT_EQUAL(mp_replay_process(r)->sample_interval, 524288);
    CU_ASSERT_EQUAL(s.allocs, 3);
    CU_ASSERT_EQUAL(s.frees, 1);
    CU_ASSERT_EQUAL(s.bytes_allocated, 4096 + 524288 + 8192);
    CU_ASSERT_EQUAL(s.bytes_freed, 4096);
    CU_ASSERT_EQUAL(s.leaked_blocks, 2);
    CU_ASSERT_EQUAL(s.leaked_bytes, 524288 + 8192);
    CU_ASSERT_EQUAL(s.peak_bytes, 524288 + 8192);
    CU_ASSERT_EQUAL(s.peak_ts, 40);
    const mp_replay_site_t *s1 = mp_replay_site_by_id(r, 1);
    CU_ASSERT_EQUAL(s1->allocs, 2);
    CU_ASSERT_EQUAL(s1->bytes_allocated, 4096 + 8192);
    CU_ASSERT_EQUAL(s1->bytes_freed, 4096);
    CU_ASSERT_EQUAL(s1->leaked_bytes, 8192);
    CU_ASSERT_EQUAL(s1->peak_bytes, 8192);
    CU_ASSERT_EQUAL(mp_replay_site_by_id(r, 2)->leaked_bytes, 524288);
    /* Estimated counts: a sample of S bytes and weight w stands for w / S
     * allocations. */
    CU_ASSERT_EQUAL(s.samples, 3);
    CU_ASSERT_DOUBLE_EQUAL(s.est_allocs, 4096 / 100.0 + 524288 / 10.0 + 8192 / 1000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s.est_leaked_blocks, 524288 / 10.0 + 8192 / 1000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s1->est_allocs, 4096 / 100.0 + 8192 / 1000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(s1->est_leaked_blocks, 8192 / 1000.0, 1e-6);
    /* The class model only follows snapshots in sampled mode: no objects
     * from samples. */
    const mp_replay_heap_t *f = mp_replay_heap_final(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->live_bytes, 0);
    mp_replay_close(r);
}

/* Classes (lb_classes): 16, 32, 48 bytes on 1-page spans, 4096 on 2-page
 * spans; heap pages of 8192 bytes. */
static void class_model_from_snapshots_and_spans(void)
{
    static const mp_class_stat_t snap1[LB_NCLASSES] = { { 1, 10 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
    static const mp_class_stat_t snap2[LB_NCLASSES] = { { 1, 10 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
    lb_t *b = lb_open("classes.mpz", MP_MODE_FULL);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames);
    lb_batch(b, 1);
    lb_span(b, 5 * MS, MP_SPAN_TAKE, 1, 1, 0x100000);
    for (uint64_t i = 0; i < 10; i++)
        lb_alloc(b, 10 * MS + i, 0x100000 + 16 * i, 16, 1);
    lb_watermark(b, 20 * MS);
    lb_snapshot(b, 20 * MS, 1000000, 65536, 8192, 57344, 0, LB_NCLASSES, snap1);
    lb_chunk(b);
    lb_batch(b, 1);
    lb_span(b, 29 * MS, MP_SPAN_TAKE, 4, 2, 0x200000);
    for (uint64_t i = 0; i < 3; i++)
        lb_alloc(b, 30 * MS + i, 0x200000 + 4096 * i, 4000, 1); /* class 4 */
    lb_alloc(b, 33 * MS, 0x300000, 17, 1);                     /* class 2 */
    lb_free(b, 34 * MS, 0x300000);
    lb_alloc(b, 35 * MS, 0x400000, 40000, 1);                  /* large */
    lb_free(b, 36 * MS, 0x400000);
    for (uint64_t i = 0; i < 3; i++)
        lb_free(b, 40 * MS + i, 0x200000 + 4096 * i);
    lb_span(b, 43 * MS, MP_SPAN_RETURN, 4, 2, 0x200000);
    lb_span(b, 44 * MS, MP_SPAN_RELEASE, 0, 2, 0x200000);
    lb_span(b, 45 * MS, MP_SPAN_TAKE, 9, 1, 0x500000);         /* no class 9 */
    lb_watermark(b, 50 * MS);
    lb_snapshot(b, 50 * MS, 1100000, 65536, 8192, 40960, 16384, LB_NCLASSES, snap2);
    lb_end(b, 60 * MS);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    /* The heap peaks at 35 ms with the large block: 160 + 12000 + 40000. */
    CU_ASSERT_EQUAL(s.peak_bytes, 160 + 12000 + 40000);
    CU_ASSERT_EQUAL(s.peak_ts, 35 * MS);
    CU_ASSERT_EQUAL(s.span_events, 5);
    CU_ASSERT_EQUAL(s.bad_class, 1);

    CU_ASSERT_EQUAL_FATAL(mp_replay_heap_count(r), 2);
    const mp_replay_heap_t *h0 = mp_replay_heap(r, 0), *h1 = mp_replay_heap(r, 1);
    CU_ASSERT(h0->exact);
    CU_ASSERT_EQUAL(h0->ts, 20 * MS);
    CU_ASSERT_EQUAL(h0->rss, 1000000);
    CU_ASSERT_EQUAL(h0->nclasses, LB_NCLASSES);
    CU_ASSERT_EQUAL(h0->classes[0].size, 16);
    CU_ASSERT_EQUAL(h0->classes[0].spans, 1);
    CU_ASSERT_EQUAL(h0->classes[0].live_objects, 10);
    CU_ASSERT_EQUAL(h0->classes[0].retained_bytes, 8192);
    CU_ASSERT_EQUAL(h0->classes[0].live_bytes, 160);
    CU_ASSERT_EQUAL(h0->retained_bytes, 8192);
    CU_ASSERT_EQUAL(h0->live_bytes, 160);
    CU_ASSERT_EQUAL(h1->ts, 50 * MS);
    CU_ASSERT_EQUAL(h1->released, 16384);
    CU_ASSERT_EQUAL(h1->idle, 40960);
    CU_ASSERT_PTR_NULL(mp_replay_heap(r, 2));

    /* At the peak, between the snapshots: class 4 holds one 2-page span
     * and 3 objects of 4096 (the class size, not the 4000 asked for). */
    const mp_replay_heap_t *p = mp_replay_heap_at_peak(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_FALSE(p->exact);
    CU_ASSERT_EQUAL(p->ts, 35 * MS);
    CU_ASSERT(p->have_snapshot);
    CU_ASSERT_EQUAL(p->snapshot_ts, 20 * MS);
    CU_ASSERT_EQUAL(p->classes[3].spans, 1);
    CU_ASSERT_EQUAL(p->classes[3].live_objects, 3);
    CU_ASSERT_EQUAL(p->classes[3].retained_bytes, 2 * 8192);
    CU_ASSERT_EQUAL(p->classes[3].live_bytes, 3 * 4096);
    CU_ASSERT_EQUAL(p->classes[0].live_objects, 10);
    CU_ASSERT_EQUAL(p->classes[1].live_objects, 0); /* 17 bytes: freed before */
    CU_ASSERT_EQUAL(p->retained_bytes, 3 * 8192);
    CU_ASSERT_EQUAL(p->live_bytes, 160 + 3 * 4096);
    CU_ASSERT_EQUAL(p->in_use, 8192 + 2 * 8192); /* the snapshot's + the span taken */
    CU_ASSERT_EQUAL(p->released, 0);

    /* At the end: the last snapshot, nothing after it. */
    const mp_replay_heap_t *f = mp_replay_heap_final(r);
    CU_ASSERT(f->exact);
    CU_ASSERT_EQUAL(f->released, 16384);
    CU_ASSERT_EQUAL(f->classes[3].spans, 0);
    CU_ASSERT_EQUAL(f->classes[0].live_objects, 10);
    CU_ASSERT_EQUAL(f->rss, 1100000);
    mp_replay_close(r);
}

/* Between snapshots the model follows SPAN events: released pages, large
 * spans; a snapshot puts it back to the exact figures. */
static void class_model_between_snapshots(void)
{
    static const mp_class_stat_t snap[LB_NCLASSES] = { { 2, 5 }, { 1, 1 }, { 0, 0 }, { 0, 0 } };
    lb_t *b = lb_open("between.mpz", MP_MODE_FULL);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames);
    lb_batch(b, 1);
    lb_alloc(b, 1 * MS, 0x1000, 8, 1); /* before any snapshot: class 1 */
    lb_watermark(b, 10 * MS);
    lb_snapshot(b, 10 * MS, 0, 100000, 3 * 8192, 50000, 0, LB_NCLASSES, snap);
    lb_batch(b, 1);
    lb_span(b, 20 * MS, MP_SPAN_LARGE_TAKE, 0, 5, 0x900000);
    lb_span(b, 21 * MS, MP_SPAN_RELEASE, 0, 3, 0x800000);
    lb_alloc(b, 22 * MS, 0x2000, 30, 1);
    lb_end(b, 30 * MS);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    const mp_replay_heap_t *f = mp_replay_heap_final(r);
    CU_ASSERT_FALSE(f->exact);
    CU_ASSERT_EQUAL(f->snapshot_ts, 10 * MS);
    CU_ASSERT_EQUAL(f->large_objects, 1);
    CU_ASSERT_EQUAL(f->large_bytes, 5 * 8192);
    CU_ASSERT_EQUAL(f->in_use, 3 * 8192 + 5 * 8192);
    CU_ASSERT_EQUAL(f->released, 3 * 8192);
    CU_ASSERT_EQUAL(f->classes[0].live_objects, 5);
    CU_ASSERT_EQUAL(f->classes[1].live_objects, 2);
    CU_ASSERT_EQUAL(f->classes[0].spans, 2);
    CU_ASSERT_EQUAL(mp_replay_heap_count(r), 1);
    mp_replay_close(r);
}

/* Many snapshots over a long run: at most MP_REPLAY_HEAP_POINTS kept,
 * spread over the run, the last one among them. */
static void heap_series_is_bounded(void)
{
    static mp_class_stat_t snap[LB_NCLASSES];
    lb_t *b = lb_open("snapseries.mpz", MP_MODE_FULL);
    lb_thread(b, 1, "main");
    const int n = 5000;
    for (int i = 1; i <= n; i++) {
        snap[0].live_objects = (uint64_t)i;
        lb_watermark(b, (uint64_t)i * 10 * MS);
        lb_snapshot(b, (uint64_t)i * 10 * MS, 0, 0, 0, 0, 0, LB_NCLASSES, snap);
    }
    lb_end(b, (uint64_t)n * 10 * MS + 1);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    size_t k = mp_replay_heap_count(r);
    CU_ASSERT(k <= MP_REPLAY_HEAP_POINTS);
    CU_ASSERT(k >= MP_REPLAY_HEAP_POINTS / 4);
    for (size_t i = 1; i < k; i++)
        CU_ASSERT(mp_replay_heap(r, i)->ts > mp_replay_heap(r, i - 1)->ts);
    CU_ASSERT_EQUAL(mp_replay_heap(r, k - 1)->ts, (uint64_t)n * 10 * MS);
    CU_ASSERT_EQUAL(mp_replay_heap(r, k - 1)->classes[0].live_objects, (uint64_t)n);
    mp_replay_close(r);
}

/* A long run with a spike: the timeline keeps at most its bound of points
 * in time order, the spike in some point's max, the final state last. */
static void timeline_is_bounded_and_keeps_the_peak(void)
{
    lb_t *b = lb_open("timeline.mpz", MP_MODE_FULL);
    lb_thread(b, 1, "main");
    lb_stack(b, 1, 2, frames);
    lb_batch(b, 1);
    const uint64_t n = 20000;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t ts = i * 500 * 1000; /* 10 s in all */
        if (i == n / 3 + 1)
            lb_free(b, ts - 1, 0x900000);
        lb_alloc(b, ts, 0x10000 + 16 * (i % 64), 100, 1);
        if (i == n / 3)
            lb_alloc(b, ts + 1, 0x900000, 1000000, 1);
        lb_free(b, ts + 2, 0x10000 + 16 * (i % 64));
    }
    lb_alloc(b, n * 500 * 1000, 0xa00000, 77, 1);
    lb_end(b, n * 500 * 1000 + 1);
    mp_replay_t *r = replay_ok(lb_close(b));
    if (!r)
        return;
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    CU_ASSERT_EQUAL(s.peak_bytes, 1000100);
    const mp_replay_point_t *pts;
    size_t k = mp_replay_timeline(r, &pts);
    CU_ASSERT(k > 0 && k <= MP_REPLAY_TIMELINE_POINTS);
    CU_ASSERT(k >= MP_REPLAY_TIMELINE_POINTS / 4);
    uint64_t max = 0;
    for (size_t i = 0; i < k; i++) {
        if (i > 0)
            CU_ASSERT(pts[i].ts > pts[i - 1].ts);
        CU_ASSERT(pts[i].min_bytes <= pts[i].bytes && pts[i].bytes <= pts[i].max_bytes);
        if (pts[i].max_bytes > max)
            max = pts[i].max_bytes;
    }
    CU_ASSERT_EQUAL(max, s.peak_bytes);
    CU_ASSERT_EQUAL(pts[k - 1].bytes, 77);
    CU_ASSERT_EQUAL(pts[k - 1].blocks, 1);
    CU_ASSERT_EQUAL(pts[k - 1].ts, n * 500 * 1000);
    mp_replay_close(r);
}

void t_register_replay_models(void)
{
    MP_SUITE("replay_models",
             MP_TEST(sampled_mode_weights_bytes),
             MP_TEST(class_model_from_snapshots_and_spans),
             MP_TEST(class_model_between_snapshots),
             MP_TEST(heap_series_is_bounded),
             MP_TEST(timeline_is_bounded_and_keeps_the_peak));
}
