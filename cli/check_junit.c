/*
 * check_junit.c — `memprof check --junit FILE`: the result as JUnit XML,
 * the format GitLab, Jenkins, GitHub test reporters and most CI systems
 * read (check_view.h).
 *
 *   <testsuites>
 *     <testsuite name="memprof leak check" tests="N" failures="F">
 *       <testcase classname="memprof.leaks" name="leak at FUNCTION (FILE:LINE)">
 *         <failure message="300 bytes in 3 blocks leaked" type="leak">stack</failure>
 *       </testcase>
 *     </testsuite>
 *   </testsuites>
 *
 * One testcase per unsuppressed leaking stack when the leaks are above
 * the thresholds; one passing testcase ("no leaks") otherwise; a program
 * that failed adds a failing testcase "program exit status". Text is
 * escaped for XML 1.0; characters XML cannot hold (controls) become '?'.
 */
#define _GNU_SOURCE
#include "check_view.h"
#include "xml_text.h"

#include <inttypes.h>
#include <string.h>

/* A frame as check_view.c prints it, escaped. */
static void xml_frame(FILE *out, const mp_frame_t *f)
{
    char buf[2048];
    FILE *mem = fmemopen(buf, sizeof buf, "w");

    if (!mem)
        return;
    mp_check_put_frame(mem, f);
    fputc('\0', mem);
    fclose(mem);
    buf[sizeof buf - 1] = '\0';
    mp_xml_text(out, buf);
}

/* --baseline: a failing testcase per stack and per peak that grew, or one
 * passing testcase. */
static void put_baseline(FILE *out, const mp_check_baseline_t *b)
{
    char name[200];

    for (size_t i = 0; i < b->npeaks; i++) {
        const mp_check_peak_t *p = &b->peaks[i];
        if (!p->grew)
            continue;
        fputs("    <testcase classname=\"memprof.baseline\" name=\"peak heap of ", out);
        mp_xml_text(out, p->exe);
        fprintf(out, "\">\n      <failure type=\"regression\" message=\"peak heap %" PRIu64
                     " -> %" PRIu64 " bytes (",
                p->before, p->after);
        mp_check_baseline_put_delta(out, p->before, p->after);
        fputs(")\">the peak grew beyond the baseline ", out);
        mp_xml_text(out, b->log);
        fputs(" (tolerance ", out);
        mp_xml_text(out, b->tol.text);
        fputs(")</failure>\n    </testcase>\n", out);
    }
    for (size_t i = 0; i < b->ngrown; i++) {
        const mp_check_growth_t *g = &b->grown[i];
        const mp_frame_t *top = mp_check_top_frame(g->leak->stack);
        size_t n = g->leak->stack ? g->leak->stack->nframes : 0;

        fputs("    <testcase classname=\"memprof.baseline\" name=\"leak grew at ", out);
        if (top)
            xml_frame(out, top);
        else
            fputs("an unknown stack", out);
        fputs(" in ", out);
        mp_xml_text(out, mp_check_proc_name(g->leak->proc, name, sizeof name));
        fprintf(out, "\">\n      <failure type=\"regression\" message=\"%" PRIu64 " -> %" PRIu64
                     " bytes leaked (",
                g->before, g->after);
        mp_check_baseline_put_delta(out, g->before, g->after);
        fputs(")\">this stack leaks more than in the baseline ", out);
        mp_xml_text(out, b->log);
        fputs(" (tolerance ", out);
        mp_xml_text(out, b->tol.text);
        fputs("):\n", out);
        for (size_t k = 0; k < n; k++) {
            fputs("    ", out);
            xml_frame(out, &g->leak->stack->frames[k]);
            fputc('\n', out);
        }
        fputs("</failure>\n    </testcase>\n", out);
    }
    if (!mp_check_baseline_failed(b)) {
        fputs("    <testcase classname=\"memprof.baseline\" name=\"no growth beyond the "
              "baseline\">\n      <system-out>baseline ",
              out);
        mp_xml_text(out, b->log);
        fputs(", tolerance ", out);
        mp_xml_text(out, b->tol.text);
        fputs("</system-out>\n    </testcase>\n", out);
    }
}

int mp_check_junit(FILE *out, const mp_check_result_t *r)
{
    int leak_cases = r->verdict == MP_CHECK_LEAKS ||
                     (r->verdict == MP_CHECK_PROGRAM_FAILED &&
                      (r->bytes > r->max_leaked || r->blocks > r->max_blocks));
    int prog_case = r->verdict == MP_CHECK_PROGRAM_FAILED;
    const mp_check_baseline_t *b = r->baseline;
    size_t grew = b ? b->ngrown + b->peaks_grew : 0;
    size_t tests = (leak_cases ? r->stacks : !b) + (size_t)prog_case + (b ? (grew ? grew : 1) : 0);
    size_t failures = (leak_cases ? r->stacks : 0) + (size_t)prog_case + grew;
    size_t shown = 0;

    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", out);
    fprintf(out, "  <testsuite name=\"memprof leak check\" tests=\"%zu\" failures=\"%zu\" "
                 "errors=\"0\" skipped=\"0\">\n",
            tests, failures);
    fputs("    <properties>\n", out);
    if (r->log) {
        fputs("      <property name=\"log\" value=\"", out);
        mp_xml_text(out, r->log);
        fputs("\"/>\n", out);
    }
    if (r->command) {
        fputs("      <property name=\"command\" value=\"", out);
        mp_xml_text(out, r->command);
        fputs("\"/>\n", out);
    }
    fprintf(out, "      <property name=\"suppressed_bytes\" value=\"%" PRIu64 "\"/>\n"
                 "    </properties>\n",
            r->supp_bytes);
    if (prog_case) {
        fputs("    <testcase classname=\"memprof.program\" name=\"program exit status\">\n"
              "      <failure type=\"program\" message=\"",
              out);
        if (r->program_signal)
            fprintf(out, "the program was killed by signal %d\"/>\n", r->program_signal);
        else
            fprintf(out, "the program exited with status %d\"/>\n", r->program_status);
        fputs("    </testcase>\n", out);
    }
    if (b)
        put_baseline(out, b);
    if (!leak_cases && !b) {
        fputs("    <testcase classname=\"memprof.leaks\" name=\"no leaks\">\n", out);
        fprintf(out, "      <system-out>%" PRIu64 " bytes in %" PRIu64 " blocks leaked (%" PRIu64
                     " allowed), %" PRIu64 " bytes suppressed</system-out>\n",
                r->bytes, r->blocks, r->max_leaked, r->supp_bytes);
        fputs("    </testcase>\n", out);
    }
    for (size_t i = 0; leak_cases && i < r->nleaks; i++) {
        const mp_check_leak_t *l = &r->leaks[i];
        size_t n = l->stack ? l->stack->nframes : 0;
        const mp_frame_t *top = mp_check_top_frame(l->stack);

        if (l->rule)
            continue;
        fputs("    <testcase classname=\"memprof.leaks\" name=\"leak at ", out);
        if (top)
            xml_frame(out, top);
        else
            fputs("an unknown stack", out);
        if (r->nprocs > 1) {
            char name[200];
            fputs(" in ", out);
            mp_xml_text(out, mp_check_proc_name(l->proc, name, sizeof name));
        }
        fprintf(out, " (#%zu)\">\n", ++shown);
        fprintf(out, "      <failure type=\"leak\" message=\"%" PRIu64 " bytes in %" PRIu64
                     " %s leaked\">",
                l->bytes, l->blocks, l->blocks == 1 ? "block" : "blocks");
        fprintf(out, "%" PRIu64 " bytes in %" PRIu64 " %s allocated here were never freed:\n",
                l->bytes, l->blocks, l->blocks == 1 ? "block" : "blocks");
        for (size_t k = 0; k < n; k++) {
            fputs("    ", out);
            xml_frame(out, &l->stack->frames[k]);
            fputc('\n', out);
        }
        fputs("</failure>\n    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}
