/*
 * pprof_report.h — what `memprof pprof` exports, from the report model
 * (analyzer/report.h): a pprof profile (pprof_profile.h) with one sample
 * per stack of the log and four sample types, as Go's heap profiles have:
 *
 *   alloc_objects/count  allocations made at the stack (sampled: estimated)
 *   alloc_space/bytes    bytes allocated there (sampled: weighted)
 *   inuse_objects/count  its blocks still live at exit, i.e. leaked
 *   inuse_space/bytes    their bytes (the default sample type)
 *
 * the same figures as `memprof report --json` (docs/report-json.md). The
 * report must have been built with top = 0, so that its allocation list
 * holds, symbolized, every stack that allocated.
 *
 * Locations: one per return address of a stack, at the address looked up
 * (one less than the return address: inside the call instruction), its
 * lines the address's inline chain, innermost first; memprof's shim frames
 * and --alloc-fn frames are left out as the report leaves them out. A
 * stack with no frame is one location, function "[no stack]".
 * Functions: name and file from the symbolizer; a frame without a function
 * is named as the report names it ("libfoo.so+0x1a2b").
 * Mappings: one per module of the log (MODULE records, in their order, the
 * program first), from its lowest PT_LOAD segment (page-aligned) to the end
 * of its highest, file_offset 0, with its build-id in hex; has_functions and
 * the other has_* flags say what the symbolizer found in it, so that pprof
 * does not symbolize again.
 */
#ifndef MP_CLI_PPROF_REPORT_H
#define MP_CLI_PPROF_REPORT_H

#include "pprof_profile.h"
#include "report.h"

/* Builds rep's profile: 0 with *out set, or -1 out of memory. */
int mp_pprof_from_report(const mp_report_t *rep, mp_pprof_t **out);

#endif
