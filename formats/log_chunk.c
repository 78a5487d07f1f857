/*
 * log_chunk.c — the chunk writer (log_chunk.h): one zstd frame per chunk,
 * behind the 16-byte header of docs/format.md.
 *
 * Why ZSTD_compress2 and not ZSTD_compressCCtx: the latter ignores advanced
 * parameters, and the format requires the checksum flag. ZSTD_compress2 on
 * a whole buffer runs single-shot with stable input and output buffers, so
 * a static context sized by ZSTD_estimateCCtxSize (which covers single-shot
 * compression of any size) suffices and zstd never reaches for malloc; the
 * unit tests compress a full 16 MiB chunk with such a context to hold zstd
 * to that.
 *
 * No state; safe from any thread with its own context.
 */
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_initStaticCCtx, ZSTD_estimateCCtxSize */
#include <zstd.h>
#include <zstd_errors.h>

#include "log_chunk.h"

#include <string.h>

size_t mp_chunk_bound(size_t rsize)
{
    return MP_CHUNK_HEADER_SIZE + ZSTD_COMPRESSBOUND(rsize);
}

static int level_ok(int level)
{
    return level >= ZSTD_minCLevel() && level <= ZSTD_maxCLevel();
}

size_t mp_chunk_cctx_size(int level)
{
    if (!level_ok(level))
        return 0;
    return ZSTD_estimateCCtxSize(level);
}

int mp_chunk_cctx_setup(ZSTD_CCtx *cctx, int level)
{
    if (!cctx || !level_ok(level))
        return MP_ELOG_INVAL;
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)))
        return MP_ELOG_INVAL;
    return 0;
}

int mp_chunk_cctx_init(void *mem, size_t size, int level, ZSTD_CCtx **out)
{
    ZSTD_CCtx *cctx;

    *out = NULL;
    if (!mem || ((uintptr_t)mem & 7) || !level_ok(level) || size < mp_chunk_cctx_size(level))
        return MP_ELOG_INVAL;
    cctx = ZSTD_initStaticCCtx(mem, size);
    if (!cctx)
        return MP_ELOG_INVAL;
    if (mp_chunk_cctx_setup(cctx, level) != 0)
        return MP_ELOG_INVAL;
    *out = cctx;
    return 0;
}

static void put_u32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int mp_chunk_write(ZSTD_CCtx *cctx, uint32_t seq, const void *raw, size_t rsize,
                   void *out, size_t cap, size_t *out_len)
{
    uint8_t *o = out;
    size_t csize;

    *out_len = 0;
    if (!cctx || !raw || rsize == 0 || rsize > MP_LOG_MAX_RSIZE)
        return MP_ELOG_INVAL;
    if (cap <= MP_CHUNK_HEADER_SIZE)
        return MP_ELOG_OVERFLOW;
    /* The format requires both flags whatever the caller set before; a
     * previous failed call may have left a session half done. */
    if (ZSTD_isError(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_only)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1)))
        return MP_ELOG_ZSTD;
    csize = ZSTD_compress2(cctx, o + MP_CHUNK_HEADER_SIZE, cap - MP_CHUNK_HEADER_SIZE,
                           raw, rsize);
    if (ZSTD_isError(csize))
        return ZSTD_getErrorCode(csize) == ZSTD_error_dstSize_tooSmall ? MP_ELOG_OVERFLOW
                                                                        : MP_ELOG_ZSTD;
    memcpy(o, MP_CHUNK_MAGIC, 4);
    put_u32le(o + 4, (uint32_t)csize);
    put_u32le(o + 8, (uint32_t)rsize);
    put_u32le(o + 12, seq);
    *out_len = MP_CHUNK_HEADER_SIZE + csize;
    return 0;
}
