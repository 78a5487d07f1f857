/*
 * check_view.c — `memprof check` for people (text, on stderr next to the
 * program's own messages, as valgrind and LeakSanitizer do) and for
 * programs (JSON, on stdout); see check_view.h. Bytes are exact ("300
 * bytes"): a CI log is read to compare figures, not to skim them.
 *
 * The text: one verdict line, then each unsuppressed leak with its stack
 * (`function (file:line)` as memprof report prints it, file name only),
 * then the suppressed total and which rules matched; with
 * --gen-suppressions, the rules that would suppress the leaks shown, at
 * column 0, so that `grep '^leak:'` turns them into a file.
 */
#include "check_view.h"

#include <inttypes.h>
#include <string.h>

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

const char *mp_check_proc_name(const mp_check_proc_t *p, char *buf, size_t cap)
{
    snprintf(buf, cap, "pid %" PRIu64 " %s", p->pid, p->exe ? base_name(p->exe) : "?");
    return buf;
}

/* With children: one line per process, what it leaked (not suppressed). */
static void put_procs(FILE *out, const mp_check_result_t *r)
{
    char name[200];

    fprintf(out, "  %zu processes:\n", r->nprocs);
    for (size_t p = 0; p < r->nprocs; p++) {
        const mp_check_proc_t *proc = &r->procs[p];
        uint64_t bytes = 0, blocks = 0;

        for (size_t i = 0; i < r->nleaks; i++)
            if (r->leaks[i].proc == proc && !r->leaks[i].rule) {
                bytes += r->leaks[i].bytes;
                blocks += r->leaks[i].blocks;
            }
        fprintf(out, "    %s%s: ", mp_check_proc_name(proc, name, sizeof name),
                p == 0 ? " (the command)" : "");
        if (proc->execd)
            fputs("exec'd another program (what it held went with it)\n", out);
        else
            fprintf(out, "%" PRIu64 " %s in %" PRIu64 " %s leaked\n", bytes,
                    plural(bytes, "byte", "bytes"), blocks, plural(blocks, "block", "blocks"));
    }
}

const mp_frame_t *mp_check_top_frame(const mp_report_stack_t *s)
{
    size_t n = s ? s->nframes : 0;

    for (size_t k = 0; k < n; k++)
        if (!mp_supp_frame_is_runtime(&s->frames[k]))
            return &s->frames[k];
    return n ? &s->frames[0] : NULL;
}

void mp_check_put_frame(FILE *out, const mp_frame_t *f)
{
    if (f->function && f->file && f->line)
        fprintf(out, "%s (%s:%" PRIu32 ")", f->function, base_name(f->file), f->line);
    else if (f->function && f->module)
        fprintf(out, "%s (%s)", f->function, base_name(f->module));
    else if (f->function)
        fprintf(out, "%s", f->function);
    else if (f->module)
        fprintf(out, "%s+0x%" PRIx64, base_name(f->module), f->module_offset);
    else
        fprintf(out, "0x%" PRIx64, f->pc);
    if (f->inlined)
        fputs(" [inlined]", out);
}

/* Characters a rule cannot hold as such: the anchors and the wildcard
 * mean something, a newline ends the rule. Names with them (rare: C++
 * operators) get a `*` in their place. */
static void copy_name(char *dst, size_t cap, const char *name)
{
    size_t i = 0;

    for (; *name && i + 1 < cap; name++)
        dst[i++] = (*name == '*' || *name == '$' || *name == '^' || *name == '\n') ? '*' : *name;
    dst[i] = '\0';
}

const char *mp_check_gen_rule(const mp_check_leak_t *l, char *buf, size_t cap)
{
    const mp_report_stack_t *s = l->stack;
    const mp_frame_t *pick = NULL;
    char name[1024];

    if (!s || s->nframes == 0)
        return NULL;
    /* The innermost frame outside the C runtime: its function, or, in a
     * module without symbols (a shell a test script runs), the module — not
     * a named frame further out such as __libc_start_call_main, which every
     * stack has. */
    pick = mp_check_top_frame(s);
    if (!pick->function && !pick->module)
        for (size_t i = 0; i < s->nframes && !pick->function; i++)
            if (s->frames[i].function)
                pick = &s->frames[i];
    if (pick->function) {
        copy_name(name, sizeof name, pick->function);
        snprintf(buf, cap, "leak:^%s$", name);
        return buf;
    }
    if (pick->module) {
        copy_name(name, sizeof name, base_name(pick->module));
        snprintf(buf, cap, "leak:%s$", name);
        return buf;
    }
    return NULL;
}

static void put_stack(FILE *out, const mp_report_stack_t *s, size_t depth)
{
    size_t n = s ? s->nframes : 0;

    if (n == 0) {
        fputs("        (no stack recorded)\n", out);
        return;
    }
    for (size_t i = 0; i < n && (depth == 0 || i < depth); i++) {
        fputs("        ", out);
        mp_check_put_frame(out, &s->frames[i]);
        fputc('\n', out);
    }
    if (depth && n > depth)
        fprintf(out, "        ... %zu more %s (--depth)\n", n - depth,
                plural(n - depth, "frame", "frames"));
}

/* ": definitely lost", or for a stack of several kinds counted
 * ": 200 bytes in 2 blocks definitely lost, 100 bytes in 1 block
 * indirectly lost"; nothing without kinds. */
static void put_leak_kinds(FILE *out, const mp_check_result_t *r, const mp_check_leak_t *l)
{
    unsigned n = 0, only = 0;

    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        if ((r->kinds & MP_CHECK_KIND_BIT(k)) && l->kind_blocks[k]) {
            n++;
            only = k;
        }
    if (n == 1) {
        fprintf(out, " %s", mp_log_leak_kind_label(only));
        return;
    }
    n = 0;
    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        if ((r->kinds & MP_CHECK_KIND_BIT(k)) && l->kind_blocks[k])
            fprintf(out, "%s%" PRIu64 " %s in %" PRIu64 " %s %s", n++ ? ", " : ": ",
                    l->kind_bytes[k], plural(l->kind_bytes[k], "byte", "bytes"),
                    l->kind_blocks[k], plural(l->kind_blocks[k], "block", "blocks"),
                    mp_log_leak_kind_label(k));
}

/* memcheck's LEAK SUMMARY: every kind, counted or not, of the stacks not
 * suppressed; and why a log has no kinds. */
static void put_summary(FILE *out, const mp_check_result_t *r)
{
    char list[80];

    if (r->no_kinds)
        fprintf(out, "memprof: check: leak kinds unavailable%s: %s; every block still live "
                     "counts%s\n",
                r->have_kinds ? " for some processes" : "", r->no_kinds,
                r->have_kinds ? " there" : "");
    if (!r->have_kinds)
        return;
    fprintf(out, "memprof: check: leak summary (counted: %s):\n",
            mp_check_kinds_list(r->kinds, list, sizeof list));
    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        fprintf(out, "    %15s: %" PRIu64 " %s in %" PRIu64 " %s%s\n", mp_log_leak_kind_label(k),
                r->kind_bytes[k], plural(r->kind_bytes[k], "byte", "bytes"), r->kind_blocks[k],
                plural(r->kind_blocks[k], "block", "blocks"),
                r->kinds & MP_CHECK_KIND_BIT(k) ? "" : " (not counted)");
}

void mp_check_text(FILE *out, const mp_check_result_t *r, size_t depth, int gen)
{
    size_t k = 0;

    if (r->partial)
        fprintf(out, "memprof: check: %s was cut short: leaks are what was live at its last "
                     "record\n",
                r->log ? r->log : "the log");
    if (r->stacks == 0)
        fprintf(out, "memprof: check: no leaks");
    else
        fprintf(out,
                "memprof: check: %" PRIu64 " %s in %" PRIu64 " %s leaked from %zu %s",
                r->bytes, plural(r->bytes, "byte", "bytes"), r->blocks,
                plural(r->blocks, "block", "blocks"), r->stacks,
                plural(r->stacks, "stack", "stacks"));
    if (r->supp_stacks)
        fprintf(out, " (%" PRIu64 " %s in %" PRIu64 " %s suppressed)", r->supp_bytes,
                plural(r->supp_bytes, "byte", "bytes"), r->supp_blocks,
                plural(r->supp_blocks, "block", "blocks"));
    if (r->stacks && !r->baseline && r->verdict != MP_CHECK_LEAKS &&
        r->bytes <= r->max_leaked && r->blocks <= r->max_blocks)
        fputs(", within the thresholds", out);
    fputc('\n', out);
    if (r->nprocs > 1)
        put_procs(out, r);

    for (size_t i = 0; i < r->nleaks; i++) {
        const mp_check_leak_t *l = &r->leaks[i];
        if (l->rule)
            continue;
        fprintf(out, "  #%zu  %" PRIu64 " %s in %" PRIu64 " %s", ++k, l->bytes,
                plural(l->bytes, "byte", "bytes"), l->blocks, plural(l->blocks, "block", "blocks"));
        if (l->kind_blocks[0] == 0)
            put_leak_kinds(out, r, l);
        if (r->nprocs > 1) {
            char name[200];
            fprintf(out, " in %s", mp_check_proc_name(l->proc, name, sizeof name));
        }
        fputc('\n', out);
        put_stack(out, l->stack, depth);
    }
    put_summary(out, r);
    if (r->supp_stacks) {
        fputs("  suppressed by:", out);
        for (size_t i = 0; i < r->nleaks; i++) {
            const mp_supp_rule_t *rule = r->leaks[i].rule;
            int seen = 0;
            if (!rule)
                continue;
            for (size_t j = 0; j < i && !seen; j++)
                seen = r->leaks[j].rule == rule;
            if (!seen)
                fprintf(out, "\n    leak:%s (%s): %" PRIu64 " %s in %" PRIu64 " %s",
                        rule->pattern, rule->origin, rule->bytes,
                        plural(rule->bytes, "byte", "bytes"), rule->blocks,
                        plural(rule->blocks, "block", "blocks"));
        }
        fputc('\n', out);
    }
    if (gen && r->stacks) {
        char rule[1100];
        fputs("# suppressions for the leaks above (memprof check --gen-suppressions):\n", out);
        for (size_t i = 0; i < r->nleaks; i++) {
            int dup = 0;
            char other[1100];
            if (r->leaks[i].rule || !mp_check_gen_rule(&r->leaks[i], rule, sizeof rule))
                continue;
            for (size_t j = 0; j < i && !dup; j++)
                dup = !r->leaks[j].rule &&
                      mp_check_gen_rule(&r->leaks[j], other, sizeof other) &&
                      strcmp(rule, other) == 0;
            if (!dup)
                fprintf(out, "%s\n", rule);
        }
    }
    if (r->baseline)
        mp_check_baseline_text(out, r->baseline);
    switch (r->verdict) {
    case MP_CHECK_CLEAN:
        fputs("memprof: check: passed\n", out);
        break;
    case MP_CHECK_LEAKS:
        fputs("memprof: check: FAILED: leaks above the thresholds (", out);
        if (r->max_leaked != UINT64_MAX)
            fprintf(out, "--max-leaked=%" PRIu64 "%s", r->max_leaked,
                    r->max_blocks != UINT64_MAX ? ", " : "");
        if (r->max_blocks != UINT64_MAX)
            fprintf(out, "--max-leaked-blocks=%" PRIu64, r->max_blocks);
        fprintf(out, "); exit status %d\n", r->exit_status);
        break;
    case MP_CHECK_REGRESSION:
        fprintf(out, "memprof: check: FAILED: grew beyond the baseline (--tolerance=%s); exit "
                     "status %d\n",
                r->baseline->tol.text, r->exit_status);
        break;
    case MP_CHECK_PROGRAM_FAILED:
        if (r->program_signal)
            fprintf(out, "memprof: check: FAILED: the program was killed by signal %d; exit "
                         "status %d\n",
                    r->program_signal, r->exit_status);
        else
            fprintf(out, "memprof: check: FAILED: the program exited with status %d\n",
                    r->program_status);
        break;
    }
}

/* ---- JSON -------------------------------------------------------------- */

void mp_check_json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

const char *mp_check_verdict_name(mp_check_verdict_t v)
{
    return v == MP_CHECK_CLEAN        ? "clean"
           : v == MP_CHECK_LEAKS      ? "leaks"
           : v == MP_CHECK_REGRESSION ? "regression"
                                      : "program_failed";
}

/* {"definite": {"bytes": B, "blocks": N}, ...}, or null without kinds. */
static void json_kind_figures(FILE *out, int have, const uint64_t *bytes, const uint64_t *blocks)
{
    if (!have) {
        fputs("null", out);
        return;
    }
    for (unsigned k = MP_LEAK_DEFINITE; k <= MP_LEAK_REACHABLE; k++)
        fprintf(out, "%s\"%s\": {\"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64 "}",
                k == MP_LEAK_DEFINITE ? "{" : ", ", mp_log_leak_kind_name(k), bytes[k], blocks[k]);
    fputc('}', out);
}

/* "kinds": which count, why a log has none, the leak summary. */
static void json_kinds_head(FILE *out, const mp_check_result_t *r)
{
    fputs("  \"kinds\": {\"counted\": [", out);
    for (unsigned k = MP_LEAK_DEFINITE, n = 0; k <= MP_LEAK_REACHABLE; k++)
        if (r->kinds & MP_CHECK_KIND_BIT(k))
            fprintf(out, "%s\"%s\"", n++ ? ", " : "", mp_log_leak_kind_name(k));
    fputs("], \"unavailable\": ", out);
    mp_check_json_str(out, r->no_kinds);
    fputs(",\n            \"summary\": ", out);
    json_kind_figures(out, r->have_kinds, r->kind_bytes, r->kind_blocks);
    fputs("},\n", out);
}

void mp_check_json(FILE *out, const mp_check_result_t *r)
{
    char rule[1100];

    fputs("{\n  \"log\": ", out);
    mp_check_json_str(out, r->log);
    fputs(",\n  \"command\": ", out);
    mp_check_json_str(out, r->command);
    fprintf(out, ",\n  \"verdict\": \"%s\",\n  \"exit_status\": %d,\n",
            mp_check_verdict_name(r->verdict), r->exit_status);
    if (r->program_status >= 0)
        fprintf(out, "  \"program\": {\"status\": %d, \"signal\": null},\n", r->program_status);
    else if (r->program_signal)
        fprintf(out, "  \"program\": {\"status\": null, \"signal\": %d},\n", r->program_signal);
    else
        fputs("  \"program\": null,\n", out);
    fprintf(out, "  \"partial\": %s,\n", r->partial ? "true" : "false");
    fputs("  \"thresholds\": {\"max_leaked\": ", out);
    if (r->max_leaked == UINT64_MAX)
        fputs("null, \"max_leaked_blocks\": ", out);
    else
        fprintf(out, "%" PRIu64 ", \"max_leaked_blocks\": ", r->max_leaked);
    if (r->max_blocks == UINT64_MAX)
        fputs("null},\n", out);
    else
        fprintf(out, "%" PRIu64 "},\n", r->max_blocks);
    if (r->baseline) {
        fputs("  \"baseline\": ", out);
        mp_check_baseline_json(out, r->baseline);
        fputs(",\n", out);
    }
    json_kinds_head(out, r);
    fprintf(out,
            "  \"leaked\": {\"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64 ", \"stacks\": %zu},\n"
            "  \"suppressed\": {\"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64
            ", \"stacks\": %zu},\n"
            "  \"processes\": [",
            r->bytes, r->blocks, r->stacks, r->supp_bytes, r->supp_blocks, r->supp_stacks);
    for (size_t p = 0; p < r->nprocs; p++) {
        fprintf(out, "%s\n    {\"pid\": %" PRIu64 ", \"exe\": ", p ? "," : "", r->procs[p].pid);
        mp_check_json_str(out, r->procs[p].exe);
        fputs(", \"log\": ", out);
        mp_check_json_str(out, r->log ? r->procs[p].log : NULL); /* NULL: removed */
        fprintf(out, ", \"execd\": %s}", r->procs[p].execd ? "true" : "false");
    }
    fputs(r->nprocs ? "\n  ],\n  \"leaks\": [" : "],\n  \"leaks\": [", out);
    for (size_t i = 0; i < r->nleaks; i++) {
        const mp_check_leak_t *l = &r->leaks[i];
        size_t n = l->stack ? l->stack->nframes : 0;

        fprintf(out, "%s\n    {\"pid\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"blocks\": %" PRIu64
                     ", \"suppressed_by\": ",
                i ? "," : "", l->proc->pid, l->bytes, l->blocks);
        if (l->rule) {
            snprintf(rule, sizeof rule, "leak:%s", l->rule->pattern);
            fputs("{\"rule\": ", out);
            mp_check_json_str(out, rule);
            fputs(", \"origin\": ", out);
            mp_check_json_str(out, l->rule->origin);
            fputc('}', out);
        } else {
            fputs("null", out);
        }
        fputs(", \"kinds\": ", out);
        json_kind_figures(out, l->kind_blocks[0] == 0, l->kind_bytes, l->kind_blocks);
        fputs(", \"suppression\": ", out);
        mp_check_json_str(out, mp_check_gen_rule(l, rule, sizeof rule));
        fputs(",\n     \"frames\": [", out);
        for (size_t k = 0; k < n; k++) {
            const mp_frame_t *f = &l->stack->frames[k];
            fprintf(out, "%s\n       {\"function\": ", k ? "," : "");
            mp_check_json_str(out, f->function);
            fputs(", \"file\": ", out);
            mp_check_json_str(out, f->file);
            fprintf(out, ", \"line\": %" PRIu32 ", \"module\": ", f->line);
            mp_check_json_str(out, f->module);
            fprintf(out, ", \"inlined\": %s}", f->inlined ? "true" : "false");
        }
        fputs(n ? "\n     ]}" : "]}", out);
    }
    fputs(r->nleaks ? "\n  ]\n}\n" : "]\n}\n", out);
}
