/*
 * replay.h — replays a memprof log (docs/format.md) in time order and keeps
 * what the report needs: the live set, per-stack aggregates ("sites"), the
 * heap timeline, and the per-size-class model of the allocator. The
 * algorithms, and why memory stays bounded, are in docs/analysis.md.
 *
 *     mp_replay_t *r;
 *     mp_log_error_t err;
 *
 *     if (mp_replay_open(path, &r, &err) != 0)
 *         ... err.msg says why (not a log, another major version, ...)
 *     if (mp_replay_run(r, progress, arg) != 0)
 *         ... nothing could be replayed (or out of memory)
 *     mp_replay_summary(r, &s);      if s.partial: s.stop says where and why
 *     for (size_t i = 0; i < mp_replay_site_count(r); i++)
 *         ... mp_replay_site(r, i)
 *     mp_replay_close(r);
 *
 * One pass over the log. Memory is bounded by the live set (one entry per
 * block live at once), the distinct stacks and their frames, the threads and
 * modules, the events buffered between two watermarks, and fixed-size series
 * (MP_REPLAY_TIMELINE_POINTS, MP_REPLAY_HEAP_POINTS) — never by the number
 * of events in the log.
 *
 * Everything the accessors return points into the replay and stays valid
 * until mp_replay_close(); strings are NUL-terminated copies. Results are
 * only meaningful after mp_replay_run() returned 0.
 *
 * Not thread-safe: one replay per thread.
 */
#ifndef MP_REPLAY_H
#define MP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "log_format.h"
#include "log_reader.h"

/* At most this many points in the heap timeline (mp_replay_timeline). */
#define MP_REPLAY_TIMELINE_POINTS 2048
/* At most this many SNAPSHOT-based heap states kept (mp_replay_heap). */
#define MP_REPLAY_HEAP_POINTS 256

typedef struct mp_replay mp_replay_t;

/* Called as the replay reads: offset is the byte of the file reached (the
 * start of the chunk being decoded), size the file's size; offset == size
 * once, at the end. For a terminal progress display. */
typedef void (*mp_replay_progress_fn)(void *arg, uint64_t offset, uint64_t size);

/* Opens path and reads its file header (log_reader.h's mp_reader_open):
 * 0 with *out set, or a negative MP_ELOG_* code with *out NULL and err (if
 * not NULL) filled. */
int mp_replay_open(const char *path, mp_replay_t **out, mp_log_error_t *err);

/* Frees the replay and everything its accessors returned; NULL is fine. */
void mp_replay_close(mp_replay_t *r);

/* Reads the whole log once and replays it. progress may be NULL.
 * Returns 0 when at least the PROCESS record was decoded — also for a
 * truncated or corrupt log, whose decodable part is replayed and which is
 * marked partial (mp_replay_summary) —, the reader's MP_ELOG_* code when
 * decoding stopped before that, MP_ELOG_NOMEM, or MP_ELOG_INVAL when called
 * twice. */
int mp_replay_run(mp_replay_t *r, mp_replay_progress_fn progress, void *arg);

/* ---- The process ------------------------------------------------------- */

typedef struct mp_replay_process {
    uint64_t pid, ppid;
    uint64_t start_real_ns;   /* wall clock at start, ns since the epoch */
    uint64_t start_mono_ns;   /* CLOCK_MONOTONIC at start: timestamp zero */
    uint64_t page_size;       /* system page, bytes */
    uint64_t heap_page_size;  /* memprof heap page, bytes */
    uint64_t mode;            /* MP_MODE_FULL or MP_MODE_SAMPLED */
    uint64_t sample_interval; /* sampled mode: mean bytes between samples */
    uint64_t max_depth;       /* frames captured at most */
    const char *exe;
    uint32_t argc;
    const char *const *argv;
} mp_replay_process_t;

const mp_replay_process_t *mp_replay_process(const mp_replay_t *r);

/* ---- The summary ------------------------------------------------------- */

/* The leak scan at exit (LEAKSCAN records, docs/format.md) and what it made
 * of the blocks live at the end of the log. */
typedef struct mp_replay_leakscan {
    int have;                /* the log has a LEAKSCAN record */
    uint64_t ts, flags;      /* flags: MP_LEAKSCAN_* */
    uint64_t live_blocks;    /* blocks live in the shim's heap at the scan
                                (the log's, and those made before recording) */
    uint64_t root_bytes, heap_bytes; /* bytes of roots and blocks read */
    uint64_t threads, threads_paused;
    uint64_t duration_ns;
    /* Blocks live at the end and their bytes by kind, index MP_LEAK_*;
     * index 0: unknown (no scan: all of them). */
    uint64_t blocks[MP_LEAK_KINDS], bytes[MP_LEAK_KINDS];
} mp_replay_leakscan_t;

typedef struct mp_replay_summary {
    uint64_t duration_ns;  /* the latest timestamp in the log (END's, in a log
                              that ends cleanly), ns since the start */
    uint64_t file_size;    /* bytes */
    uint64_t chunks, records, events; /* decoded; events: BATCH events */

    /* Counts of events, as replayed. */
    uint64_t allocs;        /* ALLOC and SAMPLE events */
    uint64_t samples;       /* of which SAMPLE events (sampled mode) */
    uint64_t frees;         /* FREE events of a block the log allocated */
    uint64_t reallocs;      /* REALLOC events */
    uint64_t unknown_frees; /* FREE of an address not live in the log (allocated
                               before recording began, or by the recorder) */
    uint64_t unknown_realloc_olds; /* the same, as a REALLOC's old block */
    uint64_t span_events;   /* SPAN events */
    uint64_t temporary;     /* temporary allocations (docs/analysis.md) */
    uint64_t bytes_allocated; /* bytes of every allocation (sampled: weighted) */
    uint64_t bytes_freed;

    /* The global peak of live requested bytes (sampled mode: weighted). */
    uint64_t peak_bytes;
    uint64_t peak_blocks;   /* blocks live at that moment */
    uint64_t peak_ts;       /* when it was first reached, ns */

    /* Live at END, or at the end of the log when it has none. */
    uint64_t leaked_blocks, leaked_bytes;

    /* Estimated counts (see mp_replay_site_t); in full mode, the blocks
     * allocated (ALLOC and REALLOC new blocks) and leaked_blocks. */
    double est_allocs, est_leaked_blocks;

    /* The leak kinds of what is live at the end (have == 0: no scan). */
    mp_replay_leakscan_t leakscan;

    /* What the log says about itself. */
    uint64_t lost_events;   /* sum of LOST records */
    int have_end;           /* an END record was read */
    uint64_t end_reason, end_detail; /* MP_END_*, exit status / signal / errno */

    /* A partial replay: decoding stopped early (stop.code != 0: truncated or
     * corrupt log — stop.offset is the byte of the file where the chunk that
     * could not be decoded begins, stop.msg why), or the log has no END (the
     * process was killed, or is still running: stop.code == 0 and stop.msg
     * says so). Everything decoded before the stop was replayed. */
    int partial;
    mp_log_error_t stop;

    /* Anomalies: a correct log has none of these. */
    uint64_t alloc_of_live;   /* an allocation of an address already live (the
                                 older block is dropped as if freed, uncounted) */
    uint64_t late_events;     /* events below a watermark already released */
    uint64_t clamped_events;  /* events earlier than their thread's previous one
                                 (replayed at the previous one's time) */
    uint64_t bad_class;       /* SPAN or SNAPSHOT classes beyond CLASSES */
    uint64_t undefined_stacks; /* allocations naming a stack id no STACK record
                                  defined before (counted at stack 0) */

    /* Resources. */
    uint64_t max_pending;     /* most events buffered at once by the merge */
    uint64_t max_live_blocks; /* largest live set */
    size_t memory;            /* bytes the replay holds now, reader excluded */
} mp_replay_summary_t;

void mp_replay_summary(const mp_replay_t *r, mp_replay_summary_t *out);

/* ---- Sites: one per stack id ------------------------------------------ */

/* Per-stack aggregates. A REALLOC counts as a free of its old block (at the
 * old block's site) and an allocation of its new one (at the REALLOC's
 * stack, counted in allocs and in reallocs). In sampled mode byte figures
 * are the weighted estimates, counts are counts of samples, and est_*
 * estimate the counts. */
typedef struct mp_replay_site {
    uint64_t stack_id;       /* the log's id; 0 = "no stack", and allocations
                                naming a stack never defined */
    int defined;             /* a STACK record gave its frames */
    uint32_t nframes;
    const uint64_t *frames;  /* innermost first, as captured */

    uint64_t allocs;         /* allocations made with this stack */
    uint64_t reallocs;       /* of which REALLOC events */
    uint64_t frees;          /* its blocks freed (FREE or a REALLOC's old block) */
    uint64_t bytes_allocated, bytes_freed;
    uint64_t temporary;      /* its blocks that were temporary allocations */

    uint64_t peak_blocks, peak_bytes; /* live at the moment of the global peak */
    uint64_t max_live_bytes; /* its own highest live bytes */
    uint64_t leaked_blocks, leaked_bytes; /* live at the end */

    /* Lifetimes of its freed blocks (alloc -> free, ns): mean = sum / frees. */
    uint64_t lifetime_sum_ns; /* saturates at UINT64_MAX */
    uint64_t lifetime_min_ns; /* UINT64_MAX while none was freed */
    uint64_t lifetime_max_ns;

    uint64_t first_ts, last_ts; /* first and last allocation, ns */

    /* Estimated counts (docs/sampling.md section 2): a sample of size S and
     * weight w stands for w / S allocations. In full mode these equal
     * allocs and leaked_blocks. */
    double est_allocs;
    double est_leaked_blocks;

    /* Its leaked blocks by kind (MP_LEAK_DEFINITE..MP_LEAK_REACHABLE, from
     * the leak scan at exit; index 0: kind unknown, no scan). Bytes as
     * leaked_bytes counts them. */
    uint64_t kind_blocks[MP_LEAK_KINDS], kind_bytes[MP_LEAK_KINDS];
} mp_replay_site_t;

size_t mp_replay_site_count(const mp_replay_t *r);
/* i < mp_replay_site_count(r); NULL otherwise. */
const mp_replay_site_t *mp_replay_site(const mp_replay_t *r, size_t i);
/* The site of a stack id, or NULL if no STACK record defined it (stack 0
 * has a site once an event used it). */
const mp_replay_site_t *mp_replay_site_by_id(const mp_replay_t *r, uint64_t stack_id);

/* ---- Modules and threads, as read -------------------------------------- */

typedef struct mp_replay_module {
    uint64_t id, ts;
    uint64_t bias;           /* runtime address = ELF vaddr + bias */
    const char *path;
    const uint8_t *build_id; /* build_id_len bytes; none if 0 */
    size_t build_id_len;
    uint32_t nseg;
    const mp_segment_t *segs;
    int gone;                /* a MODULE_GONE named it, at gone_ts */
    uint64_t gone_ts;
} mp_replay_module_t;

size_t mp_replay_module_count(const mp_replay_t *r);
const mp_replay_module_t *mp_replay_module(const mp_replay_t *r, size_t i);

typedef struct mp_replay_thread {
    uint64_t tid;
    char name[MP_LOG_MAX_THREAD_NAME + 1]; /* the last THREAD record's, "" if none */
    uint64_t allocs, frees;  /* made by this thread */
    uint64_t bytes_allocated;
} mp_replay_thread_t;

size_t mp_replay_thread_count(const mp_replay_t *r);
const mp_replay_thread_t *mp_replay_thread(const mp_replay_t *r, size_t i);

/* ---- The heap timeline ------------------------------------------------- */

/* Live requested bytes over time, at most MP_REPLAY_TIMELINE_POINTS points.
 * Each point covers an interval of equal width (a power of two of ns) and
 * gives the state after its last event and the extremes inside it, so the
 * peak is never merged away. Points with no event are omitted. */
typedef struct mp_replay_point {
    uint64_t ts;        /* of the interval's last event, ns */
    uint64_t bytes;     /* live bytes after it */
    uint64_t blocks;    /* live blocks after it */
    uint64_t max_bytes; /* highest live bytes inside the interval */
    uint64_t min_bytes; /* lowest */
} mp_replay_point_t;

size_t mp_replay_timeline(const mp_replay_t *r, const mp_replay_point_t **points);

/* ---- The allocator's model: size classes over time --------------------- */

/* One size class in a heap state. */
typedef struct mp_replay_class {
    uint64_t size;           /* bytes per object (CLASSES), 0 if unknown */
    uint64_t span_pages;     /* heap pages per span (CLASSES) */
    uint64_t spans;          /* spans the class holds */
    uint64_t live_objects;   /* objects in use */
    uint64_t retained_bytes; /* spans * span_pages * heap_page_size */
    uint64_t live_bytes;     /* live_objects * size */
} mp_replay_class_t;

/* The allocator at one moment. From a SNAPSHOT record (exact == 1), or the
 * model's estimate between snapshots (exact == 0): per-class figures then
 * follow the SPAN events and the replayed allocations since the snapshot
 * before, page-heap figures are that snapshot's (docs/analysis.md). */
typedef struct mp_replay_heap {
    uint64_t ts;             /* ns */
    int exact;
    int have_snapshot;       /* page-heap figures come from a SNAPSHOT (else 0) */
    uint64_t snapshot_ts;    /* that snapshot's time */
    uint64_t rss;            /* resident set size, bytes */
    uint64_t mapped, in_use, idle, released; /* page-heap bytes */
    uint64_t returned_total; /* bytes given back to the page heap (SPAN
                                RETURN, LARGE_RETURN) from the start to ts */
    uint64_t large_objects, large_bytes;
    uint64_t retained_bytes; /* sum over classes */
    uint64_t live_bytes;     /* sum over classes */
    uint32_t nclasses;
    const mp_replay_class_t *classes; /* classes[0] is class 1 */
} mp_replay_heap_t;

/* The kept SNAPSHOTs, oldest first (at most MP_REPLAY_HEAP_POINTS, evenly
 * spread in time: the last snapshot of each interval). */
size_t mp_replay_heap_count(const mp_replay_t *r);
const mp_replay_heap_t *mp_replay_heap(const mp_replay_t *r, size_t i);
/* At the global peak (peak_ts), and at the end of the log. */
const mp_replay_heap_t *mp_replay_heap_at_peak(const mp_replay_t *r);
const mp_replay_heap_t *mp_replay_heap_final(const mp_replay_t *r);

/* ---- Retention data (docs/retention.md) -------------------------------- */

/* A growth chain still live at the end (full mode only): a block that grew
 * in steps at one stack, by realloc or by allocating a block at least 3/2
 * the size and then freeing the previous one (analyzer/growth.h). */
typedef struct mp_replay_growth {
    uint64_t addr;          /* the final block, live at the end */
    uint32_t site;          /* its site (mp_replay_site index) */
    uint32_t steps;         /* growth steps, >= 1 */
    uint64_t first_size;    /* bytes of the block before the first step */
    uint64_t size;          /* bytes of the final block */
    uint64_t first_ts;      /* when the first block was allocated, ns */
    uint64_t last_ts;       /* when the final block was allocated, ns */
    uint64_t first_seq;     /* allocation number of the block of step 1 */
    uint64_t last_seq;      /* allocation number of the final block */
    uint64_t other_bytes;   /* bytes allocated by other stacks between
                               first_seq and last_seq: "alongside" it */
    uint64_t other_allocs;  /* and how many allocations that was */
} mp_replay_growth_t;

/* Largest final block first. */
size_t mp_replay_growth_count(const mp_replay_t *r);
const mp_replay_growth_t *mp_replay_growth(const mp_replay_t *r, size_t i);

/* A block live at the end, as mp_replay_live_walk passes it. */
typedef struct mp_replay_live {
    uint64_t addr, size;    /* requested bytes */
    uint64_t bytes;         /* what it stands for (sampled: its weight) */
    uint64_t ts, seq;       /* allocated when, allocation number */
    uint32_t site;          /* mp_replay_site index */
} mp_replay_live_t;

/* Calls fn for every block live at the end, in no particular order. */
void mp_replay_live_walk(const mp_replay_t *r, void (*fn)(void *arg, const mp_replay_live_t *b),
                         void *arg);

/* Frees the live set once the walks above are done (the report's
 * detectors): it is the replay's largest structure, and symbolizing comes
 * after. Later walks see no block. */
void mp_replay_drop_live(mp_replay_t *r);

/* The hollow-block scan (HOLLOW records, docs/format.md), when the log
 * has one: per large live block, its zero and untouched pages. The latest
 * record about a block counts. */
typedef struct mp_replay_hollow {
    uint64_t addr, size;     /* the block; size: bytes scanned */
    uint64_t ts;             /* when it was scanned */
    uint64_t page_size;      /* bytes per page counted below */
    uint64_t zero_pages;     /* resident pages holding only zero bytes */
    uint64_t untouched_pages; /* pages never touched */
} mp_replay_hollow_t;

/* Whether the log holds a HOLLOW record at all. */
int mp_replay_have_hollow(const mp_replay_t *r);
/* The scan of the block at addr, or NULL. */
const mp_replay_hollow_t *mp_replay_hollow(const mp_replay_t *r, uint64_t addr);

#endif
