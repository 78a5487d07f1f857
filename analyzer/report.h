/*
 * report.h — the model behind `memprof report`: one log replayed
 * (replay.h), its stacks ranked into the lists a report shows, the
 * findings of the detectors (findings.h), and the stacks of everything
 * shown symbolized (symbolizer.h). The views (cli/report_text.c,
 * cli/report_json.c) only print it; docs/report-json.md describes what
 * each figure means.
 *
 *     mp_report_options_t o = { .top = 10 };
 *     mp_report_t *rep;
 *     mp_log_error_t err;
 *     if (mp_report_build(path, &o, &rep, &err) != 0)
 *         ... nothing usable: err says where and why
 *     mp_report_replay(rep)                     summary, process, heap states
 *     mp_report_list(rep, MP_REPORT_LEAKS)      ranked entries with stacks
 *     mp_report_finding(rep, i)                 findings with stacks
 *     mp_report_free(rep);
 *
 * Lists: leaks (bytes live at the end, largest first), peak contributors
 * (bytes live at the global peak), allocation counts, temporary
 * allocations; each keeps its first `top` entries and counts the stacks
 * that qualified. Ties are broken by stack id, so a report is the same from
 * one run to the next.
 *
 * Stacks: only the stacks a list or a finding shows are symbolized. Every
 * frame of a STACK record is a return address (symbolizer.h); frames in
 * memprof's shim are dropped; each address expands to its inline chain.
 * Modules are added to the symbolizer in the order of time, and each stack
 * is resolved with the modules mapped when it was first used (see
 * report_stacks.c: a library unloaded and another loaded at its address
 * later must not rename the first one's frames).
 *
 * Memory: the replay's (replay.h), plus the symbolizer's for the addresses
 * of the stacks shown, plus a few pointers per site. Not thread-safe.
 */
#ifndef MP_REPORT_H
#define MP_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "findings.h"
#include "replay.h"
#include "symbolizer.h"

typedef struct mp_report mp_report_t;

typedef struct mp_report_options {
    size_t top;                 /* entries kept per ranked list; 0: every stack */
    mp_symbolizer_options_t sym; /* debug directories, sysroot, demangling */
    mp_replay_progress_fn progress; /* replay.h; NULL for none */
    void *progress_arg;
    const struct mp_retention_options *retention; /* thresholds; NULL: defaults */
    /* The program's own allocation functions (xmalloc, a pool's alloc...):
     * shell glob patterns matched against function names; leading frames
     * that match are left out of every stack, so findings name their
     * callers. As massif's --alloc-fn. */
    const char *const *alloc_fns;
    size_t nalloc_fns;
} mp_report_options_t;

/* A symbolized stack. */
typedef struct mp_report_stack {
    uint64_t stack_id;      /* the log's; 0 = no stack */
    size_t nframes;
    const mp_frame_t *frames; /* innermost first: each return address's inline
                                 chain (symbolizer.h), shim frames left out */
    uint32_t shim_frames;   /* return addresses dropped as memprof's own */
    uint32_t alloc_fn_frames; /* leading frames dropped as the program's own
                                 allocation wrappers (--alloc-fn) */
} mp_report_stack_t;

/* One stack in a ranked list. */
typedef struct mp_report_entry {
    size_t site_index;             /* for mp_replay_site() */
    const mp_replay_site_t *site;  /* its figures */
    const mp_report_stack_t *stack;
} mp_report_entry_t;

typedef enum mp_report_list_kind {
    MP_REPORT_LEAKS,     /* leaked_bytes > 0, by leaked_bytes */
    MP_REPORT_PEAK,      /* peak_bytes > 0, by peak_bytes */
    MP_REPORT_ALLOCS,    /* allocs > 0, by allocs (sampled: est_allocs) */
    MP_REPORT_TEMPORARY, /* temporary > 0, by temporary */
    MP_REPORT_NLISTS
} mp_report_list_kind_t;

typedef struct mp_report_list {
    size_t n;                     /* entries kept */
    size_t total;                 /* stacks that qualified (n < total: cut at top) */
    const mp_report_entry_t *v;
} mp_report_list_t;

/* A finding with its stack (NULL when it is about no one stack). */
typedef struct mp_report_finding {
    const mp_finding_t *f;
    const mp_report_stack_t *stack;
} mp_report_finding_t;

/* What the report adds to the replay's summary. */
typedef struct mp_report_facts {
    int have_rss;            /* the log has SNAPSHOT records */
    uint64_t rss_peak;       /* highest RSS among the heap states the replay
                                keeps (its snapshots, at most
                                MP_REPLAY_HEAP_POINTS, the state at the peak
                                and at the end), bytes */
    uint64_t rss_peak_ts;    /* when, ns */
    uint64_t alloc_count;    /* blocks allocated, REALLOC's new blocks included
                                (the sum of the sites' allocs); in sampled mode
                                the estimate, rounded */
    uint64_t free_count;     /* blocks freed, by FREE or as a REALLOC's old
                                block (the sum of the sites' frees); sampled
                                mode: sampled blocks */
    uint64_t leaked_blocks;  /* the same for blocks leaked */
} mp_report_facts_t;

/* Replays path, runs the detectors and symbolizes what will be shown.
 * opt NULL: top 10, default symbolizer options, no progress.
 * Returns 0 with *out set — also for a partial log (the replay summary's
 * `partial`) —, or a negative MP_ELOG_* code with *out NULL and err (if
 * not NULL) saying why nothing could be reported: the reader's error (not
 * a log, another major version, not even the PROCESS record decodable:
 * err->offset and err->msg), or MP_ELOG_NOMEM. */
int mp_report_build(const char *path, const mp_report_options_t *opt, mp_report_t **out,
                    mp_log_error_t *err);

/* Frees everything, the replay and the symbolizer included; NULL is fine. */
void mp_report_free(mp_report_t *rep);

const char *mp_report_path(const mp_report_t *rep);
/* The replay, for its summary, process, threads and heap states. */
const mp_replay_t *mp_report_replay(const mp_report_t *rep);
const mp_report_facts_t *mp_report_facts(const mp_report_t *rep);

const mp_report_list_t *mp_report_list(const mp_report_t *rep, mp_report_list_kind_t which);

size_t mp_report_finding_count(const mp_report_t *rep);
/* i < count; NULL otherwise. Every finding, in findings.h's order. */
const mp_report_finding_t *mp_report_finding(const mp_report_t *rep, size_t i);

/* The symbolizer's warnings (symbolizer.h), each once, in order found. */
size_t mp_report_warning_count(const mp_report_t *rep);
const char *mp_report_warning(const mp_report_t *rep, size_t i);

#endif
