/*
 * replay_dump.c — mp_replay_dump: replays a log with analyzer/replay.h and
 * prints what it found, one fact per line, for integration.replay to grep
 * (the key=value style of record/checklog.c):
 *
 *     process pid=P mode=M exe=PATH
 *     summary allocs=A frees=F reallocs=R unknown_frees=U ... partial=0|1
 *     stop code=C offset=O chunk=K: MESSAGE           (when partial)
 *     range NAME allocs=A reallocs=R frees=F leaked_blocks=L leaked_bytes=B
 *           temporary=T peak_bytes=P                  (one per --ranges name)
 *     site ID allocs=A ... frames=0x..,..             (with --sites)
 *     heap WHICH exact=E retained=R live=L in_use=U released=X rss=S
 *     timeline points=N max_bytes=M last_bytes=L
 *
 * A range (--ranges FILE, lines "NAME LO HI" in hex, as record/rec_prog.h
 * writes them) collects the sites with a frame in [LO, HI].
 *
 * Exit status: 0 the whole log replayed; 1 a partial replay (cut, corrupt,
 * or no END); 2 nothing could be replayed, or bad usage.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

typedef struct range {
    char name[64];
    uint64_t lo, hi;
} range_t;

static range_t ranges[64];
static size_t n_ranges;

static int load_ranges(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "mp_replay_dump: cannot open %s\n", path);
        return -1;
    }
    char line[256];
    unsigned long long lo, hi;
    while (fgets(line, sizeof line, f) && n_ranges < 64) {
        range_t *r = &ranges[n_ranges];
        if (sscanf(line, "%63s %llx %llx", r->name, &lo, &hi) == 3) {
            r->lo = lo;
            r->hi = hi;
            n_ranges++;
        }
    }
    fclose(f);
    return 0;
}

static int in_range(const mp_replay_site_t *s, const char *name)
{
    for (size_t k = 0; k < n_ranges; k++) {
        if (strcmp(ranges[k].name, name) != 0)
            continue;
        for (uint32_t i = 0; i < s->nframes; i++)
            if (s->frames[i] >= ranges[k].lo && s->frames[i] <= ranges[k].hi)
                return 1;
    }
    return 0;
}

static void print_heap(const char *which, const mp_replay_heap_t *h)
{
    if (!h)
        return;
    printf("heap %s ts=%" PRIu64 " exact=%d retained=%" PRIu64 " live=%" PRIu64
           " in_use=%" PRIu64 " released=%" PRIu64 " rss=%" PRIu64 " classes=%" PRIu32 "\n",
           which, h->ts, h->exact, h->retained_bytes, h->live_bytes, h->in_use, h->released,
           h->rss, h->nclasses);
}

int main(int argc, char **argv)
{
    int show_sites = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sites") == 0) {
            show_sites = 1;
        } else if (strcmp(argv[i], "--ranges") == 0 && i + 1 < argc) {
            if (load_ranges(argv[++i]) != 0)
                return 2;
        } else if (argv[i][0] != '-' && !path) {
            path = argv[i];
        } else {
            fprintf(stderr, "usage: mp_replay_dump [--sites] [--ranges FILE] LOG\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: mp_replay_dump [--sites] [--ranges FILE] LOG\n");
        return 2;
    }

    mp_replay_t *r;
    mp_log_error_t err;
    if (mp_replay_open(path, &r, &err) != 0) {
        fprintf(stderr, "mp_replay_dump: %s: %s\n", path, err.msg);
        return 2;
    }
    int rc = mp_replay_run(r, NULL, NULL);
    mp_replay_summary_t s;
    mp_replay_summary(r, &s);
    if (rc != 0) {
        fprintf(stderr, "mp_replay_dump: %s: nothing replayed (%s) at byte %" PRIu64 ": %s\n",
                path, mp_log_strerror(rc), s.stop.offset, s.stop.msg);
        mp_replay_close(r);
        return 2;
    }

    const mp_replay_process_t *p = mp_replay_process(r);
    printf("process pid=%" PRIu64 " mode=%" PRIu64 " exe=%s\n", p->pid, p->mode, p->exe);
    printf("summary allocs=%" PRIu64 " frees=%" PRIu64 " reallocs=%" PRIu64
           " unknown_frees=%" PRIu64 " unknown_realloc_olds=%" PRIu64 " temporary=%" PRIu64
           " bytes_allocated=%" PRIu64 " bytes_freed=%" PRIu64 " peak_bytes=%" PRIu64
           " peak_blocks=%" PRIu64 " peak_ts=%" PRIu64 " leaked_blocks=%" PRIu64
           " leaked_bytes=%" PRIu64 " events=%" PRIu64 " chunks=%" PRIu64 " lost=%" PRIu64
           " end=%d partial=%d threads=%zu sites=%zu modules=%zu alloc_of_live=%" PRIu64
           " late=%" PRIu64 " clamped=%" PRIu64 " max_pending=%" PRIu64 " memory=%zu\n",
           s.allocs, s.frees, s.reallocs, s.unknown_frees, s.unknown_realloc_olds, s.temporary,
           s.bytes_allocated, s.bytes_freed, s.peak_bytes, s.peak_blocks, s.peak_ts,
           s.leaked_blocks, s.leaked_bytes, s.events, s.chunks, s.lost_events, s.have_end,
           s.partial, mp_replay_thread_count(r), mp_replay_site_count(r),
           mp_replay_module_count(r), s.alloc_of_live, s.late_events, s.clamped_events,
           s.max_pending, s.memory);
    if (s.partial)
        printf("stop code=%d offset=%" PRIu64 " chunk=%" PRId64 ": %s\n", s.stop.code,
               s.stop.offset, s.stop.chunk, s.stop.msg);

    for (size_t k = 0; k < n_ranges; k++) {
        int dup = 0;
        for (size_t j = 0; j < k; j++)
            dup |= strcmp(ranges[j].name, ranges[k].name) == 0;
        if (dup)
            continue;
        uint64_t a = 0, re = 0, f = 0, lb = 0, lby = 0, t = 0, pk = 0;
        for (size_t i = 0; i < mp_replay_site_count(r); i++) {
            const mp_replay_site_t *x = mp_replay_site(r, i);
            if (!in_range(x, ranges[k].name))
                continue;
            a += x->allocs;
            re += x->reallocs;
            f += x->frees;
            lb += x->leaked_blocks;
            lby += x->leaked_bytes;
            t += x->temporary;
            pk += x->peak_bytes;
        }
        printf("range %s allocs=%" PRIu64 " reallocs=%" PRIu64 " frees=%" PRIu64
               " leaked_blocks=%" PRIu64 " leaked_bytes=%" PRIu64 " temporary=%" PRIu64
               " peak_bytes=%" PRIu64 "\n",
               ranges[k].name, a, re, f, lb, lby, t, pk);
    }

    if (show_sites)
        for (size_t i = 0; i < mp_replay_site_count(r); i++) {
            const mp_replay_site_t *x = mp_replay_site(r, i);
            printf("site %" PRIu64 " allocs=%" PRIu64 " reallocs=%" PRIu64 " frees=%" PRIu64
                   " leaked_blocks=%" PRIu64 " leaked_bytes=%" PRIu64 " temporary=%" PRIu64
                   " peak_bytes=%" PRIu64 " frames=",
                   x->stack_id, x->allocs, x->reallocs, x->frees, x->leaked_blocks,
                   x->leaked_bytes, x->temporary, x->peak_bytes);
            for (uint32_t j = 0; j < x->nframes; j++)
                printf("%s0x%" PRIx64, j ? "," : "", x->frames[j]);
            putchar('\n');
        }

    print_heap("peak", mp_replay_heap_at_peak(r));
    print_heap("final", mp_replay_heap_final(r));
    const mp_replay_point_t *pts;
    size_t n = mp_replay_timeline(r, &pts);
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].max_bytes > max)
            max = pts[i].max_bytes;
    printf("timeline points=%zu max_bytes=%" PRIu64 " last_bytes=%" PRIu64 " heaps=%zu\n", n,
           max, n ? pts[n - 1].bytes : 0, mp_replay_heap_count(r));
    int partial = s.partial;
    mp_replay_close(r);
    return partial ? 1 : 0;
}
