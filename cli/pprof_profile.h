/*
 * pprof_profile.h — a profile in Google's pprof format (github.com/google/
 * pprof, proto/profile.proto), built in memory and written as the gzip'd
 * protocol buffer that `go tool pprof` and continuous-profiling backends
 * read. It knows nothing of logs: pprof_report.c fills it from the report
 * model.
 *
 *     mp_pprof_t *p = mp_pprof_new();
 *     mp_pprof_add_sample_type(p, "alloc_objects", "count");   ... each type
 *     mp_pprof_add_mapping(p, &m, &mapping_id);                 ... each module
 *     mp_pprof_function(p, "main", "main", "main.c", &fid);     ... deduplicated
 *     mp_pprof_location(p, mapping_id, addr, nlines, lines, &lid); deduplicated
 *     mp_pprof_add_sample(p, nloc, location_ids, values);      leaf first
 *     mp_pprof_encode(p, &buf) / mp_pprof_write_gz(p, file);
 *     mp_pprof_free(p);
 *
 * profile.proto's conventions this follows: string_table[0] is ""; ids
 * of mappings, locations and functions start at 1 (0 means none); a
 * sample's location_id[0] is the leaf; a location's line[0] is the
 * innermost inlined function, its last line the function it was inlined
 * into; every sample has one value per sample type, in their order. Equal
 * strings, functions (name, system name, file) and locations (mapping,
 * address) are stored once, so the file grows with the distinct ones.
 *
 * Errors: functions return 0, or -1 out of memory (the profile is then
 * unchanged) or for a call that breaks the conventions (a sample with the
 * wrong number of values, an unknown id). Not thread-safe.
 */
#ifndef MP_CLI_PPROF_PROFILE_H
#define MP_CLI_PPROF_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pprof_proto.h"

typedef struct mp_pprof mp_pprof_t;

/* A module as profile.proto's Mapping describes it. */
typedef struct mp_pprof_mapping {
    uint64_t memory_start;  /* first runtime address */
    uint64_t memory_limit;  /* one past the last */
    uint64_t file_offset;   /* offset in the file mapped at memory_start */
    const char *filename;   /* copied; NULL: none */
    const char *build_id;   /* hex, copied; NULL: none */
    int has_functions, has_filenames, has_line_numbers, has_inline_frames;
} mp_pprof_mapping_t;

/* One line of a location: a function and the line executing in it. */
typedef struct mp_pprof_line {
    uint64_t function_id;
    int64_t line;           /* 0 if unknown */
} mp_pprof_line_t;

/* NULL out of memory. */
mp_pprof_t *mp_pprof_new(void);
/* NULL is fine. */
void mp_pprof_free(mp_pprof_t *p);

/* The index of s in the string table, added if new. */
int mp_pprof_string(mp_pprof_t *p, const char *s, int64_t *index);

/* Appends a sample type (ValueType: "inuse_space", "bytes"). Every sample
 * added after must have as many values as there are types. */
int mp_pprof_add_sample_type(mp_pprof_t *p, const char *type, const char *unit);
/* The profile's period_type and period; its default_sample_type (the
 * type shown when none is asked for); a comment line (repeatable); when
 * it was taken and for how long, ns. */
int mp_pprof_set_period(mp_pprof_t *p, const char *type, const char *unit, int64_t period);
int mp_pprof_set_default_sample_type(mp_pprof_t *p, const char *type);
int mp_pprof_add_comment(mp_pprof_t *p, const char *text);
void mp_pprof_set_time(mp_pprof_t *p, int64_t time_nanos, int64_t duration_nanos);

/* Adds a mapping; *id its id (1, 2, ...). Mappings are never merged. */
int mp_pprof_add_mapping(mp_pprof_t *p, const mp_pprof_mapping_t *m, uint64_t *id);

/* The id of the function (name, system_name, filename: each NULL for
 * none), added if new. */
int mp_pprof_function(mp_pprof_t *p, const char *name, const char *system_name,
                      const char *filename, uint64_t *id);

/* The id of the location at address in mapping_id (0: none), added with
 * lines[0..nlines) if new; an existing one keeps its lines. */
int mp_pprof_location(mp_pprof_t *p, uint64_t mapping_id, uint64_t address, size_t nlines,
                      const mp_pprof_line_t *lines, uint64_t *id);

/* Adds a sample: nloc location ids, leaf first, and one value per sample
 * type. Samples are kept as added (never merged). */
int mp_pprof_add_sample(mp_pprof_t *p, size_t nloc, const uint64_t *location_ids,
                        const int64_t *values);

/* The profile as a protocol buffer (not compressed), appended to *out. */
int mp_pprof_encode(const mp_pprof_t *p, mp_pb_buf_t *out);

/* The profile gzip'd (what pprof reads) to out. 0, or -1 out of memory
 * or a write error (errno set by stdio). */
int mp_pprof_write_gz(const mp_pprof_t *p, FILE *out);

#endif
