/*
 * test_replay_util.h — writes synthetic logs for the replay suites through
 * the real encoder (formats/log_encode.h) and chunk writer
 * (formats/log_chunk.h), as the shim does, into a private temporary
 * directory removed at exit.
 *
 *     lb_t *b = lb_open("name", MP_MODE_FULL);     header, PROCESS, CLASSES
 *     lb_thread(b, 1, "main");  lb_stack(b, 7, 2, (uint64_t[]){0x10, 0x20});
 *     lb_batch(b, 1);                              open a BATCH of tid 1
 *     lb_alloc(b, 100, 0x1000, 64, 7);  lb_free(b, 150, 0x1000);
 *     lb_watermark(b, 200);                        ends the open batch first
 *     lb_chunk(b);                                 ends the chunk here
 *     lb_end(b, 300);  const char *path = lb_close(b);
 *
 * Any record call ends the open batch first. When the 1 MiB chunk buffer
 * fills, the builder ends the chunk by itself (and continues the batch in
 * the next one). Test code: it aborts on failure of its own setup.
 */
#ifndef MP_TEST_REPLAY_UTIL_H
#define MP_TEST_REPLAY_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "log_format.h"

/* The CLASSES table every log gets: sizes 16, 32, 48, 4096; pages 1, 1, 1, 2. */
#define LB_NCLASSES 4
extern const mp_class_info_t lb_classes[LB_NCLASSES];

typedef struct lb lb_t;

/* mode: MP_MODE_FULL or MP_MODE_SAMPLED. heap page 8192. */
lb_t *lb_open(const char *name, unsigned mode);
/* Without PROCESS and CLASSES: the caller writes every record. */
lb_t *lb_open_bare(const char *name);
void lb_thread(lb_t *b, uint64_t tid, const char *name);
void lb_stack(lb_t *b, uint64_t id, uint32_t n, const uint64_t *frames);
void lb_module(lb_t *b, uint64_t id, const char *path, uint64_t bias);
void lb_module_gone(lb_t *b, uint64_t id, uint64_t ts);

void lb_batch(lb_t *b, uint64_t tid);
void lb_alloc(lb_t *b, uint64_t ts, uint64_t addr, uint64_t size, uint64_t stack);
void lb_free(lb_t *b, uint64_t ts, uint64_t addr);
void lb_realloc(lb_t *b, uint64_t ts, uint64_t old, uint64_t addr, uint64_t size,
                uint64_t stack);
void lb_sample(lb_t *b, uint64_t ts, uint64_t addr, uint64_t size, uint64_t stack,
               uint64_t weight);
void lb_span(lb_t *b, uint64_t ts, uint64_t op, uint64_t cls, uint64_t pages, uint64_t addr);

void lb_watermark(lb_t *b, uint64_t ts);
/* n class stats (spans, live_objects) pairs. */
void lb_snapshot(lb_t *b, uint64_t ts, uint64_t rss, uint64_t mapped, uint64_t in_use,
                 uint64_t idle, uint64_t released, uint32_t n, const mp_class_stat_t *cls);
/* One HOLLOW record (reason exit, 4 KiB pages) for n blocks. */
void lb_hollow(lb_t *b, uint64_t ts, uint32_t n, const mp_hollow_block_t *blocks);
void lb_lost(lb_t *b, uint64_t ts, uint64_t events);
void lb_end(lb_t *b, uint64_t ts);
/* Ends the current chunk (nothing if empty); returns the file offset where
 * the next chunk will start. */
uint64_t lb_chunk(lb_t *b);
/* Ends the last chunk, closes the file and frees b: the log's path (valid
 * until the test program exits). */
const char *lb_close(lb_t *b);

/* The path lb_open(name, ...) writes to (the directory is made now). */
const char *lb_path(const char *name);

/* Size of a file, or 0. */
uint64_t t_file_size(const char *path);
/* Copies the first len bytes of src into a new file named name; its path. */
const char *t_cut(const char *src, const char *name, uint64_t len);
/* Flips the bits of the byte at offset of path (in place). */
void t_flip(const char *path, uint64_t offset);

#endif
