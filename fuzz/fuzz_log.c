/*
 * fuzz_log.c — libFuzzer target: a memprof log of hostile bytes through
 * everything `memprof dump` and `memprof report` do with one.
 *
 * Two forms of input, so that mutations reach both layers of the format:
 *   - a log file as is (it starts with the log's magic): the file header,
 *     the chunk headers and the zstd frames are what gets mutated;
 *   - anything else is the records themselves: the decompressed contents
 *     of the chunks, one after another, separated by "MPCK". The harness
 *     writes the file header and compresses each piece into a valid chunk
 *     (formats/log_chunk.h), so mutated records get past zstd's checksum
 *     and reach the record decoder, the replay and the report.
 * The file is written to a memfd and opened by its /proc/self/fd path,
 * since the reader and the replay take paths (the same code as for a real
 * file; no disk I/O per run). Each run:
 *   1. `memprof dump` (cli/cmd_dump.c): the reader (formats/log_reader.c)
 *      over every record and every BATCH event, and the record printer;
 *   2. mp_report_build (replay, detectors with thresholds low enough that
 *      they all fire on small inputs, stack ranking, --alloc-fn stripping)
 *      and both views, text and JSON (cli/report_text.c, report_json.c).
 * Output goes to /dev/null. The symbolizer gets a sysroot that does not
 * exist, so no path taken from the input is ever opened (module files are
 * the local machine's, not hostile, and libdw is not ours to fuzz).
 *
 * Built by fuzz/CMakeLists.txt (MP_FUZZ=ON, clang) with libFuzzer, and by
 * tests/unit for the corpus replay (fuzz/replay_main.c) in every build.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd_dump.h"
#include "log_chunk.h"
#include "log_encode.h"
#include "log_reader.h"
#include "report.h"
#include "report_view.h"
#include "retention.h"

static int memfd = -1;
static char path[64];
static FILE *devnull;

static int setup(void)
{
    if (memfd >= 0)
        return 0;
    memfd = memfd_create("memprof-fuzz-log", MFD_CLOEXEC);
    devnull = fopen("/dev/null", "w");
    if (memfd < 0 || !devnull || !freopen("/dev/null", "w", stdout)) {
        perror("fuzz_log: setup");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    return 0;
}

static void put(const void *data, size_t size, off_t at)
{
    if (pwrite(memfd, data, size, at) != (ssize_t)size) {
        perror("fuzz_log: memfd");
        abort();
    }
}

/* The records form: file header, then each "MPCK"-separated piece as one
 * chunk. */
static void put_records(const uint8_t *data, size_t size)
{
    static ZSTD_CCtx *cctx;
    static uint8_t *out;
    static size_t cap;
    uint8_t hdr[MP_LOG_HEADER_SIZE];
    mp_enc_t h;
    off_t at = 0;
    uint32_t seq = 0;

    if (!cctx && (!(cctx = ZSTD_createCCtx()) || mp_chunk_cctx_setup(cctx, 1) != 0))
        abort();
    if (cap < mp_chunk_bound(size + 1)) {
        cap = mp_chunk_bound(size + 1);
        free(out);
        if (!(out = malloc(cap)))
            abort();
    }
    mp_enc_init(&h, hdr, sizeof hdr);
    mp_enc_file_header(&h);
    put(hdr, h.len, at);
    at += (off_t)h.len;
    for (const uint8_t *p = data, *end = data + size; p < end;) {
        const uint8_t *sep = memmem(p, (size_t)(end - p), MP_CHUNK_MAGIC, 4);
        const uint8_t *stop = sep ? sep : end;
        size_t len;

        if (stop > p) {
            if (mp_chunk_write(cctx, seq++, p, (size_t)(stop - p), out, cap, &len) != 0)
                abort();
            put(out, len, at);
            at += (off_t)len;
        }
        p = sep ? sep + 4 : end;
    }
}

static void put_input(const uint8_t *data, size_t size)
{
    if (ftruncate(memfd, 0) != 0) {
        perror("fuzz_log: memfd");
        abort();
    }
    if (size >= MP_LOG_MAGIC_SIZE && memcmp(data, MP_LOG_MAGIC, MP_LOG_MAGIC_SIZE) == 0)
        put(data, size, 0);
    else
        put_records(data, size);
}

static void dump(void)
{
    char *argv[] = { "dump", path, NULL };
    int status;

    mp_cmd_dump(2, argv, &status);
}

static void report(void)
{
    static const char *const alloc_fns[] = { "x*alloc", "*_new" };
    mp_retention_options_t ret = MP_RETENTION_DEFAULTS;
    mp_report_options_t o = {
        .top = 0,
        .sym = { .sysroot = "/nonexistent-memprof-fuzz-sysroot", .demangle = true },
        .retention = &ret,
        .alloc_fns = alloc_fns,
        .nalloc_fns = 2,
    };
    mp_view_options_t v = { .depth = 0, .top = 0, .color = 1 };
    mp_log_error_t err;
    mp_report_t *rep;

    ret.bucket_min_bytes = 1;
    ret.bucket_min_steps = 1;
    ret.span_min_bytes = 1;
    ret.span_ratio = 1.0;
    ret.idle_min_bytes = 1;
    if (mp_report_build(path, &o, &rep, &err) != 0)
        return;
    mp_report_text(devnull, rep, &v);
    mp_report_json(devnull, rep, &v, 1);
    mp_report_free(rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    put_input(data, size);
    dump();
    report();
    return 0;
}
