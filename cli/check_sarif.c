/*
 * check_sarif.c — `memprof check --sarif FILE` (check_sarif.h).
 *
 * One run; tool.driver is memprof with one rule per kind of finding
 * (rules[] below): each leak kind as memcheck names them, "leak" for the
 * blocks of a log without kinds, and the two baseline regressions. One
 * result per leaking stack and kind counted (--kinds), suppressed ones
 * included (with a `suppressions` entry, which viewers hide by default),
 * and one more per stack that grew beyond the baseline:
 *   - level: error when the leak counts against the thresholds and they
 *     failed the check, warning when it counts but the total is within
 *     them, note when a rule suppressed it;
 *   - message: bytes, blocks, kind and the function that allocated;
 *   - locations: the innermost frame that has a source file, preferring
 *     one outside the C runtime (the caller of strdup, not strdup), with
 *     its line; the URI relative to the source root (uriBaseId SRCROOT,
 *     run.originalUriBaseIds gives it) when the file is under it;
 *   - stacks: the whole allocation stack, innermost first; codeFlows: the
 *     same, outermost first, which GitHub shows as the path to the leak;
 *   - partialFingerprints: memprof/stack, the hash baselines match stacks
 *     by (check_baseline.h), so a leak keeps its identity across runs and
 *     builds.
 * Strings go through the JSON escaper of check_view.c.
 */
#define _GNU_SOURCE
#include "check_sarif.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_baseline.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

typedef struct rule {
    const char *id, *name, *short_text, *full_text, *help;
} rule_t;

/* A leak kind's rule has the kind's number (MP_LEAK_*, log_format.h);
 * RULE_LEAK is for the blocks of a log without kinds (no leak scan). */
enum {
    RULE_LEAK = 0,
    RULE_DEFINITE = MP_LEAK_DEFINITE,
    RULE_INDIRECT = MP_LEAK_INDIRECT,
    RULE_POSSIBLE = MP_LEAK_POSSIBLE,
    RULE_REACHABLE = MP_LEAK_REACHABLE,
    RULE_LEAK_GROWTH,
    RULE_PEAK_GROWTH,
    NRULES
};
_Static_assert(MP_LEAK_DEFINITE == 1 && MP_LEAK_REACHABLE == 4 && MP_LEAK_KINDS == 5,
               "one rule per leak kind, numbered as the kinds");

#define SUPPRESS_HELP                                                                         \
    "If keeping them until exit is intended, add a rule leak:^FUNCTION$ to the file given "  \
    "to memprof check --suppressions (memprof check --gen-suppressions prints one per leak)."

static const rule_t rules[NRULES] = {
    [RULE_LEAK] = {
        "leak", "MemoryLeak", "Heap memory allocated and never freed",
        "Blocks allocated at this stack were still allocated when the program exited. The "
        "log has no leak scan (sampled mode, or --no-leak-scan), so whether anything still "
        "pointed to them is not known.",
        "Free the blocks when they are no longer needed (follow the allocation stack to "
        "the owner that should). " SUPPRESS_HELP,
    },
    [RULE_DEFINITE] = {
        "definitely-lost", "DefinitelyLost", "Heap memory definitely lost",
        "Blocks allocated at this stack were still allocated at exit and no pointer to them "
        "was left anywhere in the program's memory (memcheck's definitely lost): nothing "
        "can free them any more.",
        "Free the blocks where the last pointer to them is dropped: follow the allocation "
        "stack to the owner that should. " SUPPRESS_HELP,
    },
    [RULE_INDIRECT] = {
        "indirectly-lost", "IndirectlyLost", "Heap memory lost with the blocks pointing to it",
        "Blocks allocated at this stack were still allocated at exit and reachable only "
        "through blocks that are lost themselves (memcheck's indirectly lost: the nodes of "
        "a list whose head was lost).",
        "Fix the definitely lost block that points to them (its own result): freeing it "
        "properly frees these too. " SUPPRESS_HELP,
    },
    [RULE_POSSIBLE] = {
        "possibly-lost", "PossiblyLost", "Heap memory reached only through interior pointers",
        "Blocks allocated at this stack were still allocated at exit and only pointers into "
        "their middle were found (memcheck's possibly lost): a program that keeps a pointer "
        "past a header on purpose, or a leak.",
        "If the program keeps such a pointer on purpose, free the block through it before "
        "exit; otherwise treat it as a leak. " SUPPRESS_HELP,
    },
    [RULE_REACHABLE] = {
        "still-reachable", "StillReachable", "Heap memory still reachable at exit",
        "Blocks allocated at this stack were still allocated at exit and a pointer to their "
        "start was still held, by a global or a thread's stack (memcheck's still "
        "reachable): usually caches and singletons kept until exit. Counted only with "
        "--kinds=reachable or --kinds=all.",
        "Free them at exit to make the check exact, or leave them: they are not counted by "
        "default. " SUPPRESS_HELP,
    },
    [RULE_LEAK_GROWTH] = {
        "leak-growth", "LeakGrowth", "A stack leaks more than in the baseline",
        "This allocation stack leaked more bytes than it did in the baseline log given to "
        "memprof check --baseline, by more than the tolerance.",
        "Find what now keeps more blocks from this stack alive until exit. If the growth is "
        "intended, record a new baseline (memprof run -o baseline.mpz) or raise "
        "--tolerance.",
    },
    [RULE_PEAK_GROWTH] = {
        "peak-growth", "PeakHeapGrowth", "The peak heap grew beyond the baseline",
        "The highest amount of heap memory in use at once was larger than in the baseline "
        "log given to memprof check --baseline, by more than the tolerance.",
        "Compare the two logs' peak stacks (memprof report LOG lists the stacks live at "
        "the peak). If the growth is intended, record a new baseline or raise --tolerance.",
    },
};

/* The source root and how URIs are made relative to it. */
typedef struct where {
    char root[PATH_MAX];
    size_t len;
} where_t;

static int has_git(const char *dir)
{
    char p[PATH_MAX + 8];
    struct stat st;

    snprintf(p, sizeof p, "%s/.git", dir);
    return stat(p, &st) == 0;
}

static void find_root(where_t *w, const char *root)
{
    char *slash;

    w->root[0] = '\0';
    if (root) {
        snprintf(w->root, sizeof w->root, "%s", root);
    } else if (getcwd(w->root, sizeof w->root)) {
        char probe[PATH_MAX];
        snprintf(probe, sizeof probe, "%s", w->root);
        for (;;) {
            if (has_git(probe)) {
                snprintf(w->root, sizeof w->root, "%s", probe);
                break;
            }
            slash = strrchr(probe, '/');
            if (!slash || slash == probe)
                break; /* no repository: the current directory */
            *slash = '\0';
        }
    }
    w->len = strlen(w->root);
    while (w->len > 1 && w->root[w->len - 1] == '/')
        w->root[--w->len] = '\0';
}

/* s percent-encoded as a URI path: unreserved characters and '/' as they
 * are, every other byte as %XX (RFC 3986). */
static void put_uri_path(FILE *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
            fputc(c, out);
        else
            fprintf(out, "%%%02X", c);
    }
}

static void put_artifact(FILE *out, const where_t *w, const char *file)
{
    fputs("\"artifactLocation\": {\"uri\": \"", out);
    if (file[0] == '/' && w->len > 1 && strncmp(file, w->root, w->len) == 0 &&
        file[w->len] == '/') {
        put_uri_path(out, file + w->len + 1);
        fputs("\", \"uriBaseId\": \"SRCROOT\"}", out);
    } else if (file[0] == '/') {
        fputs("file://", out);
        put_uri_path(out, file);
        fputs("\"}", out);
    } else {
        put_uri_path(out, file); /* relative to a build directory we do not know */
        fputs("\"}", out);
    }
}

/* A frame as text (check_view.c), as a JSON string. */
static void put_frame_text(FILE *out, const mp_frame_t *f)
{
    char buf[2048];
    FILE *mem = fmemopen(buf, sizeof buf, "w");

    buf[0] = '\0';
    if (mem) {
        mp_check_put_frame(mem, f);
        fputc('\0', mem);
        fclose(mem);
    }
    buf[sizeof buf - 1] = '\0';
    mp_check_json_str(out, buf);
}

/* A SARIF location object for frame f. */
static void put_location(FILE *out, const where_t *w, const mp_frame_t *f)
{
    fputs("{", out);
    if (f->file) {
        fputs("\"physicalLocation\": {", out);
        put_artifact(out, w, f->file);
        if (f->line) {
            fprintf(out, ", \"region\": {\"startLine\": %" PRIu32, f->line);
            if (f->column)
                fprintf(out, ", \"startColumn\": %" PRIu32, f->column);
            fputs("}", out);
        }
        fputs("}, ", out);
    }
    if (f->function) {
        fputs("\"logicalLocations\": [{\"fullyQualifiedName\": ", out);
        mp_check_json_str(out, f->function);
        fputs(", \"kind\": \"function\"}], ", out);
    }
    fputs("\"message\": {\"text\": ", out);
    put_frame_text(out, f);
    fputs("}}", out);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The frame a leak is shown at: the innermost with a source file outside
 * the C runtime, else the innermost with a source file; NULL if none. */
static const mp_frame_t *shown_frame(const mp_report_stack_t *s)
{
    size_t n = s ? s->nframes : 0;

    for (size_t i = 0; i < n; i++)
        if (s->frames[i].file && !mp_supp_frame_is_runtime(&s->frames[i]))
            return &s->frames[i];
    for (size_t i = 0; i < n; i++)
        if (s->frames[i].file)
            return &s->frames[i];
    return NULL;
}

/* The innermost named function outside the C runtime, for the message. */
static const char *shown_function(const mp_report_stack_t *s)
{
    size_t n = s ? s->nframes : 0;

    for (size_t i = 0; i < n; i++)
        if (s->frames[i].function && !mp_supp_frame_is_runtime(&s->frames[i]))
            return s->frames[i].function;
    for (size_t i = 0; i < n; i++)
        if (s->frames[i].function)
            return s->frames[i].function;
    return NULL;
}

static void put_stack_views(FILE *out, const where_t *w, const mp_report_stack_t *s)
{
    size_t n = s ? s->nframes : 0;

    if (n == 0)
        return;
    fputs(",\n          \"stacks\": [{\"message\": {\"text\": \"allocation stack\"}, "
          "\"frames\": [",
          out);
    for (size_t i = 0; i < n; i++) {
        const mp_frame_t *f = &s->frames[i];
        fprintf(out, "%s\n            {\"location\": ", i ? "," : "");
        put_location(out, w, f);
        if (f->module) {
            fputs(", \"module\": ", out);
            mp_check_json_str(out, base_name(f->module));
        }
        fputs("}", out);
    }
    fputs("]}],\n          \"codeFlows\": [{\"message\": {\"text\": \"from main to the "
          "allocation\"}, \"threadFlows\": [{\"locations\": [",
          out);
    for (size_t i = n; i-- > 0;) {
        fprintf(out, "%s\n            {\"location\": ", i + 1 < n ? "," : "");
        put_location(out, w, &s->frames[i]);
        fprintf(out, ", \"nestingLevel\": %zu}", n - 1 - i);
    }
    fputs("]}]}]", out);
}

static void put_rules(FILE *out)
{
    fputs("\"rules\": [", out);
    for (size_t i = 0; i < NRULES; i++) {
        const rule_t *r = &rules[i];
        fprintf(out, "%s\n        {\"id\": \"%s\", \"name\": \"%s\", ", i ? "," : "", r->id,
                r->name);
        fputs("\"shortDescription\": {\"text\": ", out);
        mp_check_json_str(out, r->short_text);
        fputs("}, \"fullDescription\": {\"text\": ", out);
        mp_check_json_str(out, r->full_text);
        fputs("}, \"help\": {\"text\": ", out);
        mp_check_json_str(out, r->help);
        fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}, "
                     "\"properties\": {\"tags\": [\"memory\", \"%s\"]}}",
                "error", i == RULE_LEAK ? "leak" : "regression");
    }
    fputs("]", out);
}

/* ", 200 bytes in the baseline base.mpz (+100 bytes, +50.0%)" into buf. */
static const char *growth_text(char *buf, size_t cap, const mp_check_baseline_t *b,
                               uint64_t before, uint64_t after)
{
    FILE *mem = fmemopen(buf, cap, "w");

    buf[0] = '\0';
    if (mem) {
        fprintf(mem, ", %" PRIu64 " bytes in the baseline %s (", before, b->log);
        mp_check_baseline_put_delta(mem, before, after);
        fputs(")", mem);
        fputc('\0', mem);
        fclose(mem);
    }
    buf[cap - 1] = '\0';
    return buf;
}

static void put_result_head(FILE *out, int rule, const char *level, const char *text, int first)
{
    fprintf(out, "%s\n        {\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\", ",
            first ? "" : ",", rules[rule].id, rule, level);
    fputs("\"message\": {\"text\": ", out);
    mp_check_json_str(out, text);
    fputs("},\n          \"locations\": [", out);
}

/* One result for the blocks of leak l of one kind (rule), or for its
 * growth over the baseline (RULE_LEAK_GROWTH, g). */
static void put_leak_result(FILE *out, const where_t *w, const mp_check_result_t *r,
                            const mp_check_leak_t *l, int rule_index, uint64_t bytes,
                            uint64_t blocks, const char *level, const mp_check_growth_t *g,
                            int first)
{
    const mp_frame_t *at = shown_frame(l->stack);
    const char *fn = shown_function(l->stack);
    const char *what = rule_index == RULE_LEAK || rule_index == RULE_LEAK_GROWTH
                           ? "leaked (never freed)"
                           : mp_log_leak_kind_label((unsigned)rule_index);
    const char *kind = rule_index == RULE_LEAK || rule_index == RULE_LEAK_GROWTH
                           ? "leak"
                           : mp_log_leak_kind_name((unsigned)rule_index);
    char text[2000], grew[1200], rule[1100], name[200];
    int procs = r->nprocs > 1;

    if (g) /* bytes: the stack's, summed over its leaks; no block count */
        snprintf(text, sizeof text, "%" PRIu64 " bytes %s%s%s%s%s%s", bytes, what,
                 fn ? ", allocated by " : "", fn ? fn : "", procs ? " in " : "",
                 procs ? mp_check_proc_name(l->proc, name, sizeof name) : "",
                 growth_text(grew, sizeof grew, r->baseline, g->before, g->after));
    else
        snprintf(text, sizeof text, "%" PRIu64 " %s in %" PRIu64 " %s %s%s%s%s%s", bytes,
                 bytes == 1 ? "byte" : "bytes", blocks, blocks == 1 ? "block" : "blocks", what,
                 fn ? ", allocated by " : "", fn ? fn : "", procs ? " in " : "",
                 procs ? mp_check_proc_name(l->proc, name, sizeof name) : "");
    put_result_head(out, rule_index, level, text, first);
    if (at)
        put_location(out, w, at);
    fprintf(out, "],\n          \"partialFingerprints\": {\"memprof/stack\": \"%016" PRIx64 "\"}",
            mp_check_stack_key(l->stack));
    fprintf(out, ",\n          \"properties\": {\"bytes\": %" PRIu64, bytes);
    if (g)
        fprintf(out, ", \"before\": %" PRIu64, g->before);
    else
        fprintf(out, ", \"blocks\": %" PRIu64, blocks);
    fprintf(out, ", \"kind\": \"%s\", \"pid\": %" PRIu64 ", \"exe\": ", kind, l->proc->pid);
    mp_check_json_str(out, l->proc->exe);
    fputs("}", out);
    if (l->rule) {
        snprintf(rule, sizeof rule, "leak:%s (%s)", l->rule->pattern, l->rule->origin);
        fputs(",\n          \"suppressions\": [{\"kind\": \"external\", \"status\": "
              "\"accepted\", \"justification\": ",
              out);
        mp_check_json_str(out, rule);
        fputs("}]", out);
    }
    put_stack_views(out, w, l->stack);
    fputs("}", out);
}

/* The results of leak l: one per kind counted that it has (one "leak" when
 * its log has no kinds), and one more when its stack grew beyond the
 * baseline. Returns how many it wrote. */
static int put_leak(FILE *out, const where_t *w, const mp_check_result_t *r,
                    const mp_check_leak_t *l, int failed, int first)
{
    const mp_check_growth_t *g = mp_check_baseline_growth(r->baseline, l);
    const char *level = l->rule ? "note" : failed ? "error" : "warning";
    int n = 0;

    if (l->kind_blocks[0] || !r->have_kinds) {
        put_leak_result(out, w, r, l, RULE_LEAK, l->bytes, l->blocks, level, NULL, first);
        n++;
    } else {
        for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
            if ((r->kinds & MP_CHECK_KIND_BIT(k)) && l->kind_blocks[k]) {
                put_leak_result(out, w, r, l, (int)k, l->kind_bytes[k], l->kind_blocks[k],
                                level, NULL, first && !n);
                n++;
            }
    }
    if (g && g->leak == l) { /* once per stack that grew, on its largest leak */
        put_leak_result(out, w, r, l, RULE_LEAK_GROWTH, g->after, 0, "error", g, first && !n);
        n++;
    }
    return n;
}

/* A peak that grew beyond the baseline, shown at the stack that held the
 * most at this run's peak. */
static void put_peak(FILE *out, const where_t *w, const mp_check_baseline_t *b,
                     const mp_check_peak_t *p, int first)
{
    const mp_frame_t *at = shown_frame(p->stack);
    char text[1600], grew[1200];

    snprintf(text, sizeof text, "the peak heap of %s grew to %" PRIu64 " bytes%s", p->exe,
             p->after, growth_text(grew, sizeof grew, b, p->before, p->after));
    put_result_head(out, RULE_PEAK_GROWTH, "error", text, first);
    if (at)
        put_location(out, w, at);
    fprintf(out, "],\n          \"properties\": {\"before\": %" PRIu64 ", \"after\": %" PRIu64
                 ", \"exe\": ",
            p->before, p->after);
    mp_check_json_str(out, p->exe);
    fputs("}", out);
    put_stack_views(out, w, p->stack);
    fputs("}", out);
}

int mp_check_sarif(FILE *out, const mp_check_result_t *r, const char *root, const char *version)
{
    static where_t w;
    int over = r->bytes > r->max_leaked || r->blocks > r->max_blocks;
    int failed = r->verdict == MP_CHECK_LEAKS || (r->verdict == MP_CHECK_PROGRAM_FAILED && over);
    int any = 0;

    find_root(&w, root);
    fputs("{\n  \"$schema\": \"" SARIF_SCHEMA "\",\n  \"version\": \"2.1.0\",\n"
          "  \"runs\": [{\n    \"tool\": {\"driver\": {\"name\": \"memprof\", \"version\": ",
          out);
    mp_check_json_str(out, version);
    fputs(",\n      ", out);
    put_rules(out);
    fputs("}},\n    \"invocations\": [{", out);
    if (r->command) {
        fputs("\"commandLine\": ", out);
        mp_check_json_str(out, r->command);
        fputs(", ", out);
    }
    /* executionSuccessful: memprof could check (it did: we are writing). */
    fprintf(out, "\"executionSuccessful\": true, \"exitCode\": %d", r->exit_status);
    if (r->program_signal)
        fprintf(out, ", \"properties\": {\"programSignal\": %d}", r->program_signal);
    else if (r->program_status >= 0)
        fprintf(out, ", \"properties\": {\"programStatus\": %d}", r->program_status);
    fputs("}],\n", out);
    if (w.len) {
        fputs("    \"originalUriBaseIds\": {\"SRCROOT\": {\"uri\": \"file://", out);
        put_uri_path(out, w.root);
        fputs(w.len > 1 ? "/\"}},\n" : "\"}},\n", out);
    }
    fputs("    \"results\": [", out);
    for (size_t i = 0; i < r->nleaks; i++) {
        if (put_leak(out, &w, r, &r->leaks[i], failed, !any))
            any = 1;
    }
    for (size_t i = 0; r->baseline && i < r->baseline->npeaks; i++)
        if (r->baseline->peaks[i].grew) {
            put_peak(out, &w, r->baseline, &r->baseline->peaks[i], !any);
            any = 1;
        }
    fprintf(out, "%s],\n    \"properties\": {\"verdict\": \"%s\", \"leakedBytes\": %" PRIu64
                 ", \"leakedBlocks\": %" PRIu64 ", \"suppressedBytes\": %" PRIu64 "}\n  }]\n}\n",
            any ? "\n    " : "", mp_check_verdict_name(r->verdict), r->bytes, r->blocks,
            r->supp_bytes);
    return ferror(out) ? -1 : 0;
}
