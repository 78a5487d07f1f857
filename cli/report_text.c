/*
 * report_text.c — `memprof report` for people (report_view.h): a header
 * naming the process and the log, then the summary, the findings, leaks by
 * stack, peak contributors, the stacks with the most allocations and the
 * most temporary allocations, the size-class table, and the symbolizer's
 * warnings, once, at the end.
 *
 * Layout: fits 100 columns (a long C++ name may not), sections start at
 * column 0 with a title, entries are indented by 2 and their frames by 8.
 * Bytes in human units (analyzer/human.h), times in seconds since the
 * process started. Colour (bold titles, red leak sizes) only when the
 * caller says so: cmd_report.c decides from the terminal, NO_COLOR and
 * --color.
 *
 * A frame reads `function (file:line)`, with the file's last component
 * only (JSON has the whole path), `[inlined]` after an inlined one;
 * `function (libfoo.so.6)` when the module has no line information;
 * `libfoo.so+0x1a2b` when the function is unknown; `0x7f…` outside every
 * module.
 */
#include "report_view.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "human.h"
#include "signame.h"

#define BOLD "\033[1m"
#define RED "\033[31m"
#define RESET "\033[0m"
#define WIDTH 100 /* columns the text is laid out for */

typedef struct text {
    FILE *out;
    const mp_view_options_t *o;
    const mp_replay_t *r;
    mp_replay_summary_t sum;
    int sampled;
} text_t;

/* ---- Words ------------------------------------------------------------- */

const char *mp_view_wall_time(char *buf, size_t cap, uint64_t ns)
{
    time_t t = (time_t)(ns / 1000000000u);
    struct tm tm;

    if (!localtime_r(&t, &tm) || strftime(buf, cap, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0)
        snprintf(buf, cap, "%" PRIu64 " s after the epoch", ns / 1000000000u);
    return buf;
}

/* A string from the log, with control characters shown as '?'. */
static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

/* Prints first, then the formatted text cut into lines of at most WIDTH
 * columns at spaces, each further line starting with rest. A word longer
 * than a line gets a line of its own. Control characters show as '?'. */
static void say(text_t *t, const char *first, const char *rest, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(text_t *t, const char *first, const char *rest, const char *fmt, ...)
{
    char buf[2048];
    const char *p = buf;
    size_t col = strlen(first);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fputs(first, t->out);
    while (*p) {
        size_t word = strcspn(p, " ");
        int at_start = col == strlen(first) && p == buf;

        if (!at_start && col + 1 + word > WIDTH) {
            fputc('\n', t->out);
            fputs(rest, t->out);
            col = strlen(rest);
        } else if (!at_start) {
            fputc(' ', t->out);
            col++;
        }
        for (size_t i = 0; i < word; i++)
            fputc((unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i], t->out);
        col += word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', t->out);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static void title(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void title(text_t *t, const char *fmt, ...)
{
    va_list ap;

    fputc('\n', t->out);
    if (t->o->color)
        fputs(BOLD, t->out);
    va_start(ap, fmt);
    vfprintf(t->out, fmt, ap);
    va_end(ap);
    if (t->o->color)
        fputs(RESET, t->out);
    fputc('\n', t->out);
}

/* Bytes, in red when they are leaked and colour is on. */
static void put_bytes(text_t *t, uint64_t bytes, int leak)
{
    char b[MP_HUMAN_MAX];

    mp_human_bytes(b, sizeof b, bytes);
    if (leak && t->o->color)
        fprintf(t->out, RED "%s" RESET, b);
    else
        fputs(b, t->out);
}

static const char *secs(char *buf, size_t cap, uint64_t ns)
{
    return mp_human_secs(buf, cap, ns);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* ---- Stacks ------------------------------------------------------------ */

void mp_view_frame(FILE *out, const mp_frame_t *f)
{
    char name[512];

    if (f->function && f->file) {
        put_clean(out, f->function);
        fputs(" (", out);
        put_clean(out, base_name(f->file));
        if (f->line)
            fprintf(out, ":%" PRIu32, f->line);
        fputc(')', out);
    } else if (f->function) {
        put_clean(out, f->function);
        if (f->module) {
            fputs(" (", out);
            put_clean(out, base_name(f->module));
            fputc(')', out);
        }
    } else {
        mp_frame_name(f, name, sizeof name);
        put_clean(out, name);
    }
    if (f->inlined)
        fputs(" [inlined]", out);
}

static void put_stack(text_t *t, const mp_report_stack_t *s)
{
    size_t shown;

    if (!s || s->nframes == 0) {
        fputs(s && s->stack_id ? "        (every frame is memprof's own)\n"
                               : "        (no stack recorded)\n",
              t->out);
        return;
    }
    shown = s->nframes;
    if (t->o->depth && shown > t->o->depth)
        shown = t->o->depth;
    for (size_t i = 0; i < shown; i++) {
        fputs("        ", t->out);
        mp_view_frame(t->out, &s->frames[i]);
        fputc('\n', t->out);
    }
    if (shown < s->nframes)
        fprintf(t->out, "        ... %zu more frame%s (--depth)\n", s->nframes - shown,
                plural(s->nframes - shown, "", "s"));
}

/* The first frame of a stack, for one-line mentions ("at main (x.c:3)"). */
static void put_where(text_t *t, const mp_report_stack_t *s)
{
    if (!s || s->nframes == 0)
        return;
    fputs(" at ", t->out);
    mp_view_frame(t->out, &s->frames[0]);
}

static void put_more(text_t *t, const mp_report_list_t *l)
{
    if (l->n < l->total)
        fprintf(t->out, "  ... %zu more stack%s (--top)\n", l->total - l->n,
                plural(l->total - l->n, "", "s"));
}

/* ---- Header ------------------------------------------------------------ */

void mp_view_end(FILE *out, const mp_replay_summary_t *sum)
{
    char sig[32];

    if (!sum->have_end) {
        fputs("no END record", out);
        return;
    }
    switch (sum->end_reason) {
    case MP_END_EXIT:
        fprintf(out, "exited with status %" PRIu64, sum->end_detail);
        break;
    case MP_END_SIGNAL:
        fprintf(out, "killed by signal %" PRIu64 " (%s)", sum->end_detail,
                mp_signame((int)sum->end_detail, sig, sizeof sig));
        break;
    case MP_END_EXEC:
        fputs("exec'd another program (its log is another file)", out);
        break;
    case MP_END_ERROR:
        fprintf(out, "recording stopped early (%s)", strerror((int)sum->end_detail));
        break;
    default:
        fprintf(out, "ended (reason %" PRIu64 ")", sum->end_reason);
    }
}

static void header(text_t *t, const mp_report_t *rep)
{
    const mp_replay_process_t *p = mp_replay_process(t->r);
    char when[64], b[MP_HUMAN_MAX];

    if (t->o->color)
        fputs(BOLD, t->out);
    fprintf(t->out, "memprof report: process %" PRIu64 " (", p->pid);
    put_clean(t->out, p->argc ? base_name(p->argv[0]) : base_name(p->exe));
    fputc(')', t->out);
    if (t->o->color)
        fputs(RESET, t->out);
    fputc('\n', t->out);

    {
        char cmd[1024];
        size_t n = 0;

        cmd[0] = '\0';
        for (uint32_t i = 0; i < p->argc && n < sizeof cmd - 1; i++)
            n += (size_t)snprintf(cmd + n, sizeof cmd - n, "%s%s", i ? " " : "", p->argv[i]);
        say(t, "  command    ", "             ", "%s", p->argc ? cmd : p->exe);
    }
    say(t, "  program    ", "             ", "%s", p->exe);
    fprintf(t->out, "  parent     pid %" PRIu64 "\n", p->ppid);
    fprintf(t->out, "  started    %s\n", mp_view_wall_time(when, sizeof when, p->start_real_ns));
    fputs("  log        ", t->out);
    put_clean(t->out, mp_report_path(rep));
    fprintf(t->out, " (%s), ", mp_human_bytes(b, sizeof b, t->sum.file_size));
    mp_view_end(t->out, &t->sum);
    fputc('\n', t->out);
    if (t->sampled)
        fprintf(t->out, "  mode       sampled, one sample per %s on average: bytes and counts "
                        "are estimates\n",
                mp_human_bytes(b, sizeof b, p->sample_interval));

    if (t->sum.partial) {
        if (t->sum.stop.code)
            say(t, "partial: ", "  ",
                "the log ends at byte %" PRIu64 " (%s); figures cover what was recorded until "
                "then",
                t->sum.stop.offset, t->sum.stop.msg);
        else
            say(t, "partial: ", "  ",
                "the log ends at byte %" PRIu64 " without an END record (the process was "
                "killed, or is still running); figures cover what was recorded until then",
                t->sum.stop.offset);
    }
    if (t->sum.lost_events)
        say(t, "note: ", "  ",
            "%" PRIu64 " event%s could not be recorded (LOST records): the figures miss them",
            t->sum.lost_events, plural(t->sum.lost_events, "", "s"));
    if (t->sum.alloc_of_live || t->sum.late_events || t->sum.clamped_events ||
        t->sum.undefined_stacks || t->sum.bad_class)
        say(t, "note: ", "  ",
            "the log has anomalies (%" PRIu64 " allocations of live addresses, %" PRIu64
            " late and %" PRIu64 " clamped events, %" PRIu64 " undefined stacks, %" PRIu64
            " bad classes); figures may be off",
            t->sum.alloc_of_live, t->sum.late_events, t->sum.clamped_events,
            t->sum.undefined_stacks, t->sum.bad_class);
}

/* ---- Sections ---------------------------------------------------------- */

/* " definitely lost 48 B in 1 block, indirectly lost 192 B in 4 blocks":
 * the kinds of the leak scan (check_kinds.h's words) that have blocks. */
static void put_kinds(text_t *t, const uint64_t *bytes, const uint64_t *blocks)
{
    char b[MP_HUMAN_MAX];
    int n = 0;

    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        if (blocks[k])
            fprintf(t->out, "%s%s %s in %" PRIu64 " block%s", n++ ? ", " : " ",
                    mp_log_leak_kind_label(k), mp_human_bytes(b, sizeof b, bytes[k]), blocks[k],
                    plural(blocks[k], "", "s"));
}

/* A leak's kinds: ", definitely lost" when its blocks are all of one
 * kind, else ": definitely lost 48 B in 1 block, indirectly lost ...". */
static void put_site_kinds(text_t *t, const mp_replay_site_t *s)
{
    unsigned n = 0, only = 0;

    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        if (s->kind_blocks[k]) {
            n++;
            only = k;
        }
    if (n == 1) {
        fprintf(t->out, ", %s", mp_log_leak_kind_label(only));
        return;
    }
    fputc(':', t->out);
    put_kinds(t, s->kind_bytes, s->kind_blocks);
}

static void summary(text_t *t, const mp_report_t *rep)
{
    const mp_report_facts_t *f = mp_report_facts(rep);
    const mp_report_list_t *leaks = mp_report_list(rep, MP_REPORT_LEAKS);
    char s[MP_HUMAN_MAX], b[MP_HUMAN_MAX];
    const char *est = t->sampled ? "~" : "";

    title(t, "Summary");
    fprintf(t->out, "  duration         %s\n", secs(s, sizeof s, t->sum.duration_ns));
    fprintf(t->out, "  allocations      %s%" PRIu64 ", %s", est, f->alloc_count,
            mp_human_bytes(b, sizeof b, t->sum.bytes_allocated));
    if (t->sum.reallocs)
        fprintf(t->out, " (%" PRIu64 " by realloc)", t->sum.reallocs);
    fputc('\n', t->out);
    /* In sampled mode the replay estimates allocations and leaked blocks;
     * every other count is a count of samples, and says so. */
    fprintf(t->out, "  frees            %" PRIu64 "%s, %s\n", f->free_count,
            t->sampled ? " sampled" : "", mp_human_bytes(b, sizeof b, t->sum.bytes_freed));
    fprintf(t->out, "  temporary        %" PRIu64 "%s allocation%s freed before the next one\n",
            t->sum.temporary, t->sampled ? " sampled" : "", plural(t->sum.temporary, "", "s"));
    fprintf(t->out, "  peak heap        %s in %" PRIu64 "%s block%s, at %s\n",
            mp_human_bytes(b, sizeof b, t->sum.peak_bytes), t->sum.peak_blocks,
            t->sampled ? " sampled" : "", plural(t->sum.peak_blocks, "", "s"),
            secs(s, sizeof s, t->sum.peak_ts));
    if (f->have_rss)
        fprintf(t->out, "  RSS peak         %s, at %s\n",
                mp_human_bytes(b, sizeof b, f->rss_peak), secs(s, sizeof s, f->rss_peak_ts));
    else
        fputs("  RSS peak         not recorded (no SNAPSHOT in the log)\n", t->out);
    fprintf(t->out, "  %-17s", t->sum.have_end ? "leaked at exit" : "live at the end");
    if (t->sum.leaked_blocks) {
        fputs(est, t->out);
        put_bytes(t, t->sum.leaked_bytes, 1);
        fprintf(t->out, " in %s%" PRIu64 " block%s from %zu stack%s\n", est, f->leaked_blocks,
                plural(f->leaked_blocks, "", "s"), leaks->total, plural(leaks->total, "", "s"));
    } else {
        fputs("nothing\n", t->out);
    }
    if (t->sum.leakscan.have && t->sum.leaked_blocks) {
        fputs("  leak kinds      ", t->out);
        put_kinds(t, t->sum.leakscan.bytes, t->sum.leakscan.blocks);
        fputc('\n', t->out);
    }
}

static void findings(text_t *t, const mp_report_t *rep)
{
    size_t n = mp_report_finding_count(rep), shown = n;

    if (n == 0) {
        title(t, "Findings: none");
        return;
    }
    title(t, "Findings: %zu", n);
    if (t->o->top && shown > t->o->top)
        shown = t->o->top;
    for (size_t i = 0; i < shown; i++) {
        const mp_report_finding_t *rf = mp_report_finding(rep, i);
        int leak = strcmp(rf->f->kind, "leak") == 0;

        fprintf(t->out, "  %zu. %s, ", i + 1, rf->f->kind);
        put_bytes(t, rf->f->bytes, leak);
        put_where(t, rf->stack);
        fputc('\n', t->out);
        say(t, "     ", "     ", "%s", rf->f->evidence);
        say(t, "     what to do: ", "       ", "%s", rf->f->advice);
    }
    if (shown < n)
        fprintf(t->out, "  ... %zu more finding%s (--top)\n", n - shown,
                plural(n - shown, "", "s"));
}

static void leaks(text_t *t, const mp_report_t *rep)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_LEAKS);
    const char *what = t->sum.have_end ? "Leaks at exit" : "Live at the end of the log";
    char b[MP_HUMAN_MAX];

    if (l->total == 0) {
        title(t, "%s: none", what);
        return;
    }
    title(t, "%s, by stack: %s in %s%" PRIu64 " block%s from %zu stack%s", what,
          mp_human_bytes(b, sizeof b, t->sum.leaked_bytes), t->sampled ? "~" : "",
          mp_report_facts(rep)->leaked_blocks,
          plural(mp_report_facts(rep)->leaked_blocks, "", "s"), l->total,
          plural(l->total, "", "s"));
    for (size_t i = 0; i < l->n; i++) {
        const mp_replay_site_t *s = l->v[i].site;
        uint64_t blocks = t->sampled ? (uint64_t)(s->est_leaked_blocks + 0.5) : s->leaked_blocks;

        fprintf(t->out, "  #%zu  ", i + 1);
        put_bytes(t, s->leaked_bytes, 1);
        fprintf(t->out, " in %s%" PRIu64 " block%s", t->sampled ? "~" : "", blocks,
                plural(blocks, "", "s"));
        if (s->frees)
            fprintf(t->out, " (of %s%" PRIu64 " allocated here)", t->sampled ? "~" : "",
                    t->sampled ? (uint64_t)(s->est_allocs + 0.5) : s->allocs);
        if (t->sum.leakscan.have)
            put_site_kinds(t, s);
        fputc('\n', t->out);
        put_stack(t, l->v[i].stack);
    }
    put_more(t, l);
}

static void peak(text_t *t, const mp_report_t *rep)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_PEAK);
    char b[MP_HUMAN_MAX], s[MP_HUMAN_MAX];

    if (l->total == 0) {
        title(t, "Peak contributors: none (nothing was allocated)");
        return;
    }
    title(t, "Peak contributors: %s in %" PRIu64 "%s block%s at %s",
          mp_human_bytes(b, sizeof b, t->sum.peak_bytes), t->sum.peak_blocks,
          t->sampled ? " sampled" : "", plural(t->sum.peak_blocks, "", "s"),
          secs(s, sizeof s, t->sum.peak_ts));
    for (size_t i = 0; i < l->n; i++) {
        const mp_replay_site_t *site = l->v[i].site;

        fprintf(t->out, "  #%zu  %s in %" PRIu64 "%s block%s (%.1f%%)\n", i + 1,
                mp_human_bytes(b, sizeof b, site->peak_bytes), site->peak_blocks,
                t->sampled ? " sampled" : "", plural(site->peak_blocks, "", "s"),
                t->sum.peak_bytes ? 100.0 * (double)site->peak_bytes / (double)t->sum.peak_bytes
                                  : 0.0);
        put_stack(t, l->v[i].stack);
    }
    put_more(t, l);
}

static void allocations(text_t *t, const mp_report_t *rep)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_ALLOCS);
    char b[MP_HUMAN_MAX];

    if (l->total == 0) {
        title(t, "Most allocations: none");
        return;
    }
    title(t, "Most allocations: %s%" PRIu64 " from %zu stack%s", t->sampled ? "~" : "",
          mp_report_facts(rep)->alloc_count, l->total, plural(l->total, "", "s"));
    for (size_t i = 0; i < l->n; i++) {
        const mp_replay_site_t *s = l->v[i].site;
        uint64_t n = t->sampled ? (uint64_t)(s->est_allocs + 0.5) : s->allocs;

        fprintf(t->out, "  #%zu  %s%" PRIu64 " allocation%s, %s", i + 1, t->sampled ? "~" : "",
                n, plural(n, "", "s"), mp_human_bytes(b, sizeof b, s->bytes_allocated));
        if (s->temporary)
            fprintf(t->out, ", %" PRIu64 " temporary", s->temporary);
        fputc('\n', t->out);
        put_stack(t, l->v[i].stack);
    }
    put_more(t, l);
}

static void temporaries(text_t *t, const mp_report_t *rep)
{
    const mp_report_list_t *l = mp_report_list(rep, MP_REPORT_TEMPORARY);

    if (l->total == 0) {
        title(t, "Temporary allocations: none");
        return;
    }
    title(t, "Temporary allocations (freed before the next allocation): %" PRIu64
             " from %zu stack%s",
          t->sum.temporary, l->total, plural(l->total, "", "s"));
    for (size_t i = 0; i < l->n; i++) {
        const mp_replay_site_t *s = l->v[i].site;

        fprintf(t->out, "  #%zu  %" PRIu64 " temporary of %" PRIu64 "%s allocation%s\n", i + 1,
                s->temporary, s->allocs, t->sampled ? " sampled" : "",
                plural(s->allocs, "", "s"));
        put_stack(t, l->v[i].stack);
    }
    put_more(t, l);
}

static void classes(text_t *t)
{
    const mp_replay_heap_t *h = mp_replay_heap_final(t->r);
    char a[MP_HUMAN_MAX], b[MP_HUMAN_MAX], c[MP_HUMAN_MAX], d[MP_HUMAN_MAX];
    size_t rows = 0;

    if (!h || h->nclasses == 0) {
        title(t, "Size classes: none in the log");
        return;
    }
    if (!h->have_snapshot)
        title(t, "Size classes at the end (no snapshot: objects counted from allocations)");
    else
        title(t, "Size classes at the end%s",
              h->exact ? "" : " (estimated since the last snapshot)");
    fputs("     class   live objects     live bytes       retained   retained/live\n", t->out);
    for (uint32_t i = 0; i < h->nclasses; i++) {
        const mp_replay_class_t *k = &h->classes[i];

        if (k->spans == 0 && k->live_objects == 0)
            continue;
        rows++;
        fprintf(t->out, "  %8" PRIu64 "   %12" PRIu64 "   %12s   %12s", k->size, k->live_objects,
                mp_human_bytes(a, sizeof a, k->live_bytes),
                mp_human_bytes(b, sizeof b, k->retained_bytes));
        if (k->live_bytes && k->retained_bytes)
            fprintf(t->out, "   %12.1fx\n", (double)k->retained_bytes / (double)k->live_bytes);
        else
            fprintf(t->out, "   %13s\n", "-");
    }
    if (rows == 0)
        fputs("  (no class holds a span)\n", t->out);
    fprintf(t->out, "  all classes: %s live in %s retained\n",
            mp_human_bytes(a, sizeof a, h->live_bytes),
            mp_human_bytes(b, sizeof b, h->retained_bytes));
    if (h->have_snapshot) {
        fprintf(t->out, "  page heap: mapped %s = in use %s + idle %s + released %s\n",
                mp_human_bytes(a, sizeof a, h->mapped), mp_human_bytes(b, sizeof b, h->in_use),
                mp_human_bytes(c, sizeof c, h->idle), mp_human_bytes(d, sizeof d, h->released));
        fprintf(t->out, "  large objects: %" PRIu64 ", %s\n", h->large_objects,
                mp_human_bytes(a, sizeof a, h->large_bytes));
    }
}

static void warnings(text_t *t, const mp_report_t *rep)
{
    size_t n = mp_report_warning_count(rep);

    if (n == 0)
        return;
    title(t, "Symbols");
    for (size_t i = 0; i < n; i++) {
        say(t, "  ", "    ", "%s", mp_report_warning(rep, i));
    }
}

void mp_report_text(FILE *out, const mp_report_t *rep, const mp_view_options_t *o)
{
    const mp_replay_process_t *p;
    text_t t = { .out = out, .o = o, .r = mp_report_replay(rep) };

    mp_replay_summary(t.r, &t.sum);
    p = mp_replay_process(t.r);
    t.sampled = p->mode == MP_MODE_SAMPLED;
    header(&t, rep);
    summary(&t, rep);
    findings(&t, rep);
    leaks(&t, rep);
    peak(&t, rep);
    allocations(&t, rep);
    temporaries(&t, rep);
    classes(&t);
    warnings(&t, rep);
}
