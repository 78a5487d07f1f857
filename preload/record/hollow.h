/*
 * hollow.h — the hollow-block scan (docs/format.md, HOLLOW; docs/recording.md).
 *
 * For every live large block of at least min_bytes: how many of its 4 KiB
 * pages were never touched (not resident, by mincore) and how many are
 * resident but hold only zero bytes. A table whose slots were emptied but
 * whose storage was kept shows up as a block made of zero pages.
 *
 * Safe anywhere but a signal handler: it never faults (the heap never unmaps
 * its memory, and pages that are not resident are never read, so never made
 * resident) and never allocates (its buffers are mmap'd once). Called by the
 * writer thread only (one scan at a time: its buffers are static).
 */
#ifndef MP_HOLLOW_H
#define MP_HOLLOW_H

#include <stdint.h>

#include "log_format.h"

/* Scans and hands the results to emit, at most MP_LOG_MAX_HOLLOW blocks per
 * call, all with the given ts and reason (MP_HOLLOW_*). */
void mp_hollow_scan(uint64_t min_bytes, int reason, uint64_t ts,
                    void (*emit)(void *arg, const mp_rec_hollow_t *r), void *arg);

#endif
