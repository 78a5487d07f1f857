/*
 * cmd_dump.c — `memprof dump LOG`: prints a log (docs/format.md) record by
 * record, for whoever needs to see what the shim wrote: one line per record,
 * one indented line per BATCH event, a '#' line where each chunk starts and
 * a '#' summary at the end. All decoding is formats/log_reader's; this file
 * only chooses words.
 *
 * Conventions of the output (tests/integration/dump/expected.txt is an
 * example): timestamps are the log's, in seconds since the process started,
 * as +S.NNNNNNNNN; addresses and stack frames in hex; sizes in bytes;
 * enumerations by name, or their number when this memprof does not know it;
 * strings quoted with C escapes for anything not printable ASCII.
 *
 * Exit status (cmd_dump.h): 0 the whole log, 1 decoding stopped after some
 * records (everything before is printed; the reason, with the byte offset,
 * on stderr), 2 nothing decodable. A log that simply ends without END is
 * not an error — it may still be being written — but gets a '#' note.
 */
#include "cmd_dump.h"

#include <inttypes.h>
#include <string.h>

#include "cli_error.h"
#include "log_reader.h"
#include "options.h"

static const mp_opt_t dump_opts[] = {
    { NULL, 0, NULL, NULL, 0 },
};

/* What the summary line counts. */
typedef struct dump_counts {
    uint64_t records;
    uint64_t by_type[256];
    uint64_t events;
    uint64_t by_kind[MP_EV_KINDS];
    uint64_t chunks;
} dump_counts_t;

void mp_cmd_dump_help(FILE *out)
{
    fputs("Usage: memprof dump [options] LOG\n"
          "\n"
          "Prints every record of a memprof log as text: one line per record and one\n"
          "indented line per event of a BATCH, timestamps in seconds since the\n"
          "process started (+S.NNNNNNNNN), addresses in hex, sizes in bytes, a '#'\n"
          "line where each chunk starts and a '#' summary at the end. For looking\n"
          "at what the shim wrote; the format is described in docs/format.md.\n"
          "\n"
          "Options:\n",
          out);
    mp_opts_print_help(out, dump_opts);
    fputs("\n"
          "Exit status: 0 the whole log was decoded; 1 decoding stopped early (a\n"
          "truncated or corrupt log: what came before is printed, and the byte\n"
          "offset and reason go to stderr); 2 nothing could be decoded (not a log,\n"
          "another major version of the format, unreadable) or a bad command line.\n",
          out);
}

static int on_option(void *ctx, const mp_opt_t *opt, const char *value)
{
    return 0; /* the table is empty: options.c refuses everything but --help */
}

/* ---- Values ------------------------------------------------------------ */

static void put_ts(FILE *out, uint64_t ns)
{
    fprintf(out, "+%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

/* A wall-clock or monotonic instant, in seconds. */
static void put_secs(FILE *out, uint64_t ns)
{
    fprintf(out, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u, ns % 1000000000u);
}

static void put_quoted(FILE *out, const char *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* name if known, else the number. */
static void put_enum(FILE *out, const char *key, uint64_t v, const char *name)
{
    if (name)
        fprintf(out, " %s=%s", key, name);
    else
        fprintf(out, " %s=%" PRIu64, key, v);
}

static const char *mode_name(uint64_t mode)
{
    switch (mode) {
    case MP_MODE_FULL: return "full";
    case MP_MODE_SAMPLED: return "sampled";
    }
    return NULL;
}

static const char *span_op_name(uint64_t op)
{
    switch (op) {
    case MP_SPAN_TAKE: return "take";
    case MP_SPAN_RETURN: return "return";
    case MP_SPAN_RELEASE: return "release";
    case MP_SPAN_LARGE_TAKE: return "large-take";
    case MP_SPAN_LARGE_RETURN: return "large-return";
    }
    return NULL;
}

static const char *lost_reason_name(uint64_t reason)
{
    switch (reason) {
    case MP_LOST_NO_BUFFER: return "no-buffer-memory";
    case MP_LOST_WRITE_FAILED: return "write-failed";
    case MP_LOST_STOPPED: return "recording-stopped";
    }
    return NULL;
}

/* Segment flags as readelf shows them: R, W, E in that order. */
static void put_seg_flags(FILE *out, uint64_t f)
{
    fprintf(out, "%c%c%c", f & MP_SEG_R ? 'r' : '-', f & MP_SEG_W ? 'w' : '-',
            f & MP_SEG_X ? 'x' : '-');
    if (f & ~(uint64_t)(MP_SEG_R | MP_SEG_W | MP_SEG_X))
        fprintf(out, "+0x%" PRIx64, f & ~(uint64_t)(MP_SEG_R | MP_SEG_W | MP_SEG_X));
}

/* ---- Records ----------------------------------------------------------- */

static void put_process(FILE *out, const mp_rec_process_t *p)
{
    fprintf(out, "PROCESS pid=%" PRIu64 " ppid=%" PRIu64 " start_real=", p->pid, p->ppid);
    put_secs(out, p->start_real_ns);
    fputs(" start_mono=", out);
    put_secs(out, p->start_mono_ns);
    fprintf(out, " page_size=%" PRIu64 " heap_page_size=%" PRIu64, p->page_size,
            p->heap_page_size);
    put_enum(out, "mode", p->mode, mode_name(p->mode));
    fprintf(out, " sample_interval=%" PRIu64 " max_depth=%" PRIu64 " exe=",
            p->sample_interval, p->max_depth);
    put_quoted(out, p->exe.ptr, p->exe.len);
    fprintf(out, " argc=%" PRIu32 " argv=[", p->argc);
    for (uint32_t i = 0; i < p->argc; i++) {
        if (i)
            fputs(", ", out);
        put_quoted(out, p->argv[i].ptr, p->argv[i].len);
    }
    fputc(']', out);
}

static void put_classes(FILE *out, const mp_rec_classes_t *c)
{
    fprintf(out, "CLASSES n=%" PRIu32 " size/pages", c->n);
    for (uint32_t i = 0; i < c->n; i++)
        fprintf(out, " %" PRIu32 ":%" PRIu64 "/%" PRIu64, i + 1, c->classes[i].size,
                c->classes[i].pages);
}

static void put_module(FILE *out, const mp_rec_module_t *m)
{
    fputs("MODULE ", out);
    put_ts(out, m->ts);
    fprintf(out, " id=%" PRIu64 " bias=0x%" PRIx64 " path=", m->id, m->bias);
    put_quoted(out, m->path.ptr, m->path.len);
    fputs(" build_id=", out);
    if (m->build_id.len == 0)
        fputs("none", out);
    for (size_t i = 0; i < m->build_id.len; i++)
        fprintf(out, "%02x", m->build_id.ptr[i]);
    fprintf(out, " segments=[");
    for (uint32_t i = 0; i < m->nseg; i++) {
        fprintf(out, "%s0x%" PRIx64 "+0x%" PRIx64 " ", i ? ", " : "", m->segs[i].vaddr,
                m->segs[i].memsz);
        put_seg_flags(out, m->segs[i].flags);
    }
    fputc(']', out);
}

static void put_snapshot(FILE *out, const mp_rec_snapshot_t *s)
{
    fputs("SNAPSHOT ", out);
    put_ts(out, s->ts);
    fprintf(out,
            " rss=%" PRIu64 " mapped=%" PRIu64 " in_use=%" PRIu64 " idle=%" PRIu64
            " released=%" PRIu64 " large_objects=%" PRIu64 " large_bytes=%" PRIu64
            " n=%" PRIu32 " spans/live",
            s->rss, s->mapped, s->in_use, s->idle, s->released, s->large_objects,
            s->large_bytes, s->n);
    for (uint32_t i = 0; i < s->n; i++)
        fprintf(out, " %" PRIu32 ":%" PRIu64 "/%" PRIu64, i + 1, s->classes[i].spans,
                s->classes[i].live_objects);
}

static void put_end(FILE *out, const mp_rec_end_t *e)
{
    static const char *const detail[] = { "status", "signal", "detail", "errno" };
    static const char *const reason[] = { "exit", "signal", "exec", "error" };

    fputs("END ", out);
    put_ts(out, e->ts);
    if (e->reason < sizeof reason / sizeof reason[0])
        fprintf(out, " reason=%s %s=%" PRIu64, reason[e->reason], detail[e->reason],
                e->detail);
    else
        fprintf(out, " reason=%" PRIu64 " detail=%" PRIu64, e->reason, e->detail);
    fprintf(out, " events=%" PRIu64, e->events);
}

static void put_event(FILE *out, const mp_event_t *ev)
{
    fputs("  ", out);
    put_ts(out, ev->ts);
    fprintf(out, " %s", mp_log_event_name(ev->kind));
    switch (ev->kind) {
    case MP_EV_ALLOC:
        fprintf(out, " 0x%" PRIx64 " size=%" PRIu64 " stack=%" PRIu64, ev->addr, ev->size,
                ev->stack);
        break;
    case MP_EV_FREE:
        fprintf(out, " 0x%" PRIx64, ev->addr);
        break;
    case MP_EV_REALLOC:
        fprintf(out, " 0x%" PRIx64 " -> 0x%" PRIx64 " size=%" PRIu64 " stack=%" PRIu64,
                ev->old_addr, ev->addr, ev->size, ev->stack);
        break;
    case MP_EV_SAMPLE:
        fprintf(out, " 0x%" PRIx64 " size=%" PRIu64 " stack=%" PRIu64 " weight=%" PRIu64,
                ev->addr, ev->size, ev->stack, ev->weight);
        break;
    case MP_EV_SPAN: {
        const char *op = span_op_name(ev->op);
        if (op)
            fprintf(out, " %s", op);
        else
            fprintf(out, " op=%" PRIu64, ev->op);
        fprintf(out, " class=%" PRIu64 " pages=%" PRIu64 " 0x%" PRIx64, ev->cls, ev->pages,
                ev->addr);
        break;
    }
    }
    fputc('\n', out);
}

/* Prints one record (and a BATCH's events), counting them. */
static void put_record(FILE *out, const mp_record_t *rec, dump_counts_t *n)
{
    const char *name = mp_log_record_name(rec->type);

    switch (rec->type) {
    case MP_REC_PROCESS:
        put_process(out, &rec->u.process);
        break;
    case MP_REC_CLASSES:
        put_classes(out, &rec->u.classes);
        break;
    case MP_REC_MODULE:
        put_module(out, &rec->u.module);
        break;
    case MP_REC_MODULE_GONE:
        fputs("MODULE_GONE ", out);
        put_ts(out, rec->u.module_gone.ts);
        fprintf(out, " id=%" PRIu64, rec->u.module_gone.id);
        break;
    case MP_REC_THREAD:
        fputs("THREAD ", out);
        put_ts(out, rec->u.thread.ts);
        fprintf(out, " tid=%" PRIu64 " name=", rec->u.thread.tid);
        put_quoted(out, rec->u.thread.name.ptr, rec->u.thread.name.len);
        break;
    case MP_REC_STACK:
        fprintf(out, "STACK id=%" PRIu64 " n=%" PRIu32, rec->u.stack.id, rec->u.stack.n);
        for (uint32_t i = 0; i < rec->u.stack.n; i++)
            fprintf(out, " 0x%" PRIx64, rec->u.stack.frames[i]);
        break;
    case MP_REC_BATCH:
        fprintf(out, "BATCH tid=%" PRIu64 " base=", rec->u.batch.tid);
        put_ts(out, rec->u.batch.base_ts);
        fprintf(out, " events=%" PRIu32, rec->u.batch.nevents);
        break;
    case MP_REC_WATERMARK:
        fputs("WATERMARK ", out);
        put_ts(out, rec->u.watermark.ts);
        break;
    case MP_REC_SNAPSHOT:
        put_snapshot(out, &rec->u.snapshot);
        break;
    case MP_REC_HOLLOW:
        fputs("HOLLOW ", out);
        put_ts(out, rec->u.hollow.ts);
        fprintf(out, " reason=%s page_size=%" PRIu64 " blocks=%" PRIu32,
                rec->u.hollow.reason == MP_HOLLOW_EXIT        ? "exit"
                : rec->u.hollow.reason == MP_HOLLOW_REQUESTED ? "requested"
                                                               : "unknown",
                rec->u.hollow.page_size, rec->u.hollow.n);
        for (uint32_t i = 0; i < rec->u.hollow.n; i++) {
            const mp_hollow_block_t *b = &rec->u.hollow.blocks[i];
            fprintf(out, "\n  block 0x%" PRIx64 " size=%" PRIu64 " zero_pages=%" PRIu64
                         " untouched_pages=%" PRIu64,
                    b->addr, b->size, b->zero_pages, b->untouched_pages);
        }
        break;
    case MP_REC_LEAKSCAN: {
        const mp_rec_leakscan_t *l = &rec->u.leakscan;
        fputs("LEAKSCAN ", out);
        put_ts(out, l->ts);
        fprintf(out, " flags=0x%" PRIx64 " live_blocks=%" PRIu64 " root_bytes=%" PRIu64
                     " heap_bytes=%" PRIu64 " threads=%" PRIu64 " paused=%" PRIu64
                     " duration=%" PRIu64 "us blocks=%" PRIu32,
                l->flags, l->live_blocks, l->root_bytes, l->heap_bytes, l->threads,
                l->threads_paused, l->duration_ns / 1000, l->n);
        for (uint32_t i = 0; i < l->n; i++)
            fprintf(out, "\n  block 0x%" PRIx64 " %s", l->blocks[i].addr,
                    mp_log_leak_kind_name((unsigned)l->blocks[i].kind));
        break;
    }
    case MP_REC_LOST:
        fputs("LOST ", out);
        put_ts(out, rec->u.lost.ts);
        fprintf(out, " events=%" PRIu64, rec->u.lost.events);
        put_enum(out, "reason", rec->u.lost.reason, lost_reason_name(rec->u.lost.reason));
        break;
    case MP_REC_END:
        put_end(out, &rec->u.end);
        break;
    default:
        if (name) /* known but not decoded: reserved */
            fprintf(out, "%s len=%" PRIu32 " (reserved, skipped)", name, rec->len);
        else
            fprintf(out, "UNKNOWN type=0x%02x len=%" PRIu32 " (skipped)", rec->type,
                    rec->len);
        break;
    }
    if (rec->extra)
        fprintf(out, " (+%" PRIu32 " bytes of newer fields skipped)", rec->extra);
    fputc('\n', out);

    n->records++;
    n->by_type[rec->type]++;
    if (rec->type == MP_REC_BATCH) {
        mp_batch_iter_t it;
        mp_event_t ev;

        mp_batch_iter_init(&it, &rec->u.batch);
        while (mp_batch_next(&it, &ev) > 0) {
            put_event(out, &ev);
            n->events++;
            n->by_kind[ev.kind]++;
        }
    }
}

static void put_summary(FILE *out, const dump_counts_t *n)
{
    uint64_t unknown = 0;
    const char *sep = " (";

    fprintf(out, "# summary: %" PRIu64 " records in %" PRIu64 " chunks", n->records,
            n->chunks);
    for (unsigned t = 0; t < 256; t++) {
        const char *name = mp_log_record_name(t);
        if (!n->by_type[t])
            continue;
        if (!name) {
            unknown += n->by_type[t];
            continue;
        }
        fprintf(out, "%s%s %" PRIu64, sep, name, n->by_type[t]);
        sep = ", ";
    }
    if (unknown) {
        fprintf(out, "%sunknown %" PRIu64, sep, unknown);
        sep = ", ";
    }
    fprintf(out, "%s; %" PRIu64 " events", n->records ? ")" : "", n->events);
    sep = " (";
    for (unsigned k = 1; k < MP_EV_KINDS; k++) {
        if (!n->by_kind[k])
            continue;
        fprintf(out, "%s%s %" PRIu64, sep, mp_log_event_name(k), n->by_kind[k]);
        sep = ", ";
    }
    fputs(n->events ? ")\n" : "\n", out);
}

/* ---- The command ------------------------------------------------------- */

static int dump_log(const char *path, FILE *out)
{
    static dump_counts_t n; /* 2 KiB of counters: not on the stack */
    const mp_log_error_t *err;
    mp_log_error_t open_err;
    unsigned major, minor;
    uint32_t flags;
    mp_reader_t *r;
    mp_record_t rec;
    int64_t chunk = -1;
    int rc;

    memset(&n, 0, sizeof n);
    if (mp_reader_open(path, &r, &open_err) != 0) {
        fprintf(stderr, "memprof: dump: %s: %s\n", path, open_err.msg);
        return 2;
    }
    mp_reader_version(r, &major, &minor, &flags);
    fprintf(out, "# log format %u.%u, flags 0x%" PRIx32 "\n", major, minor, flags);
    while ((rc = mp_reader_next(r, &rec)) > 0) {
        if ((int64_t)rec.chunk != chunk) {
            const mp_chunk_info_t *c = mp_reader_chunk(r);
            fprintf(out, "# chunk %" PRIu32 " at byte %" PRIu64 ": %" PRIu32 " -> %" PRIu32
                         " bytes\n",
                    c->seq, c->offset, c->csize, c->rsize);
            chunk = rec.chunk;
            n.chunks++;
        }
        put_record(out, &rec, &n);
        if (ferror(out))
            break; /* main() reports the failed write */
    }
    if (rc == 0 && !n.by_type[MP_REC_END])
        fputs("# no END record: the process was killed, or the log is still being "
              "written\n",
              out);
    put_summary(out, &n);
    fflush(out);

    err = mp_reader_error(r);
    if (rc < 0) {
        if (err->chunk >= 0)
            fprintf(stderr, "memprof: dump: %s: decoding stopped at byte %" PRIu64
                            " (chunk %" PRId64 "): %s\n",
                    path, err->offset, err->chunk, err->msg);
        else
            fprintf(stderr, "memprof: dump: %s: %s\n", path, err->msg);
    }
    mp_reader_close(r);
    if (rc < 0)
        return n.records ? 1 : 2;
    return 0;
}

int mp_cmd_dump(int argc, char **argv, int *exit_status)
{
    mp_opts_result_t parsed;
    int err;

    err = mp_opts_parse("dump", dump_opts, argc, argv, 1, on_option, NULL, &parsed);
    if (err)
        return err;
    if (parsed.help) {
        mp_cmd_dump_help(stdout);
        *exit_status = 0;
        return 0;
    }
    if (parsed.first_operand >= argc) {
        mp_usage_error("dump", "no log to dump (usage: memprof dump LOG; see memprof "
                               "dump --help)");
        return -MP_CLI_EUSAGE;
    }
    if (argc - parsed.first_operand > 1) {
        mp_usage_error("dump", "one log at a time (got '%s' after '%s')",
                       argv[parsed.first_operand + 1], argv[parsed.first_operand]);
        return -MP_CLI_EUSAGE;
    }
    *exit_status = dump_log(argv[parsed.first_operand], stdout);
    return 0;
}
