/*
 * log_chunk.h — turns a buffer of encoded records into one chunk of the log
 * (docs/format.md, "Chunks"): a 16-byte chunk header followed by exactly one
 * zstd frame that carries its content size and a content checksum.
 *
 * Meant for the shim's writer thread, which cannot call malloc: the zstd
 * context can live in memory the caller provides (mp_chunk_cctx_size, then
 * mp_chunk_cctx_init), in which case zstd never allocates; the output goes
 * to the caller's buffer too. A context from ZSTD_createCCtx() works as
 * well (tests and tools). One context per thread; this file keeps no state.
 */
#ifndef MP_LOG_CHUNK_H
#define MP_LOG_CHUNK_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "log_format.h"

/* zstd's own default level: about 3x on allocation logs at a few hundred
 * MB/s a core, well ahead of what one writer thread is fed. */
#define MP_CHUNK_DEFAULT_LEVEL 3

/* Bytes of output room that always suffice for a chunk of rsize raw bytes:
 * header + ZSTD_compressBound(rsize). */
size_t mp_chunk_bound(size_t rsize);

/* Bytes of workspace a static context needs for single-shot compression
 * at level (any input size up to MP_LOG_MAX_RSIZE). 0 on a bad level. */
size_t mp_chunk_cctx_size(int level);

/* Builds a compression context inside mem[0..size), which the caller keeps
 * for as long as the context is used (there is nothing to free: release
 * mem). Requires: mem 8-byte aligned, size >= mp_chunk_cctx_size(level).
 * Returns 0 with *out set, or MP_ELOG_INVAL (too small, misaligned, bad
 * level). */
int mp_chunk_cctx_init(void *mem, size_t size, int level, ZSTD_CCtx **out);

/* Sets what the format requires (content size and checksum flags, one
 * thread) and the level on any context; mp_chunk_cctx_init does it for
 * its own. 0 or MP_ELOG_INVAL. */
int mp_chunk_cctx_setup(ZSTD_CCtx *cctx, int level);

/* Compresses raw[0..rsize) as chunk number seq into out[0..cap): writes the
 * chunk header then the frame, and sets *out_len to their total.
 * Requires: 1 <= rsize <= MP_LOG_MAX_RSIZE (else MP_ELOG_INVAL).
 * Returns 0, MP_ELOG_OVERFLOW if cap is too small (cap >= mp_chunk_bound
 * never is), MP_ELOG_ZSTD if zstd failed (a static context too small).
 * Nothing is written past out + cap; on failure out's contents are
 * unspecified and *out_len is 0. */
int mp_chunk_write(ZSTD_CCtx *cctx, uint32_t seq, const void *raw, size_t rsize,
                   void *out, size_t cap, size_t *out_len);

#endif
