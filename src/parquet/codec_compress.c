/*
 * parquet/codec_compress.c - page compression for the writer (codec.h):
 * ZSTD, SNAPPY, GZIP, BROTLI, LZ4_RAW and UNCOMPRESSED.
 *
 * Each call compresses one whole page and appends it to `out`, reserving the
 * codec's worst-case bound first. ZSTD reuses one compression context per
 * thread (pool workers compress in parallel); the context is freed when the
 * thread exits. Default levels favour write speed, see the comment at
 * default_level(); an explicit level overrides them.
 */
#include "parquet/codec.h"

#include <brotli/encode.h>
#include <lz4.h>
#include <lz4hc.h>
#include <pthread.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <string.h>

/* Measured on the pqgen "orders" data (tests/tools/pqgen.c): ZSTD level 1
 * writes about 1.6x faster than level 3 for files a few percent larger;
 * GZIP 6 is zlib's own default; BROTLI 5 keeps brotli usable (its default 11
 * is two orders of magnitude slower). */
static int default_level(tarn_pq_codec codec)
{
    switch (codec) {
    case TARN_PQ_ZSTD:
        return 1;
    case TARN_PQ_GZIP:
        return 6;
    case TARN_PQ_BROTLI:
        return 5;
    default:
        return 0;
    }
}

static pthread_key_t zstd_key;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;
static bool zstd_key_ok;

static void zstd_free_ctx(void *p)
{
    ZSTD_freeCCtx(p);
}

static void zstd_key_init(void)
{
    zstd_key_ok = pthread_key_create(&zstd_key, zstd_free_ctx) == 0;
}

/* This thread's ZSTD context, created on first use; NULL when out of memory. */
static ZSTD_CCtx *zstd_ctx(void)
{
    pthread_once(&zstd_once, zstd_key_init);
    if (!zstd_key_ok)
        return NULL;
    ZSTD_CCtx *c = pthread_getspecific(zstd_key);
    if (!c) {
        c = ZSTD_createCCtx();
        if (c && pthread_setspecific(zstd_key, c) != 0) {
            ZSTD_freeCCtx(c);
            c = NULL;
        }
    }
    return c;
}

/* Reserves n more bytes of out, reporting failure through err. */
static tarn_status reserve(tarn_buf *out, size_t n, tarn_err *err)
{
    tarn_status st = tarn_buf_reserve(out, n);
    if (st != TARN_OK)
        tarn_err_set(err, st, "compression: cannot allocate %zu bytes", n);
    return st;
}

static tarn_status compress_zstd(int level, const uint8_t *src, size_t n, tarn_buf *out,
                                 tarn_err *err)
{
    size_t bound = ZSTD_compressBound(n);
    TARN_TRY(reserve(out, bound, err));
    ZSTD_CCtx *c = zstd_ctx();
    if (!c)
        return tarn_err_set(err, TARN_ERR_NOMEM, "zstd: cannot create a compression context");
    size_t r = ZSTD_compressCCtx(c, out->data + out->len, bound, src, n, level);
    if (ZSTD_isError(r))
        return tarn_err_set(err, TARN_ERR_INTERNAL, "zstd compression failed: %s",
                            ZSTD_getErrorName(r));
    out->len += r;
    return TARN_OK;
}

static tarn_status compress_snappy(const uint8_t *src, size_t n, tarn_buf *out, tarn_err *err)
{
    size_t bound = snappy_max_compressed_length(n);
    TARN_TRY(reserve(out, bound, err));
    size_t len = bound;
    if (snappy_compress((const char *)src, n, out->data + out->len, &len) != SNAPPY_OK)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "snappy compression failed");
    out->len += len;
    return TARN_OK;
}

static tarn_status compress_gzip(int level, const uint8_t *src, size_t n, tarn_buf *out,
                                 tarn_err *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    /* windowBits 15 + 16: gzip framing, which Parquet's GZIP codec means. */
    if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "gzip: cannot initialise deflate");
    size_t bound = deflateBound(&zs, (uLong)n);
    tarn_status st = reserve(out, bound, err);
    if (st != TARN_OK) {
        deflateEnd(&zs);
        return st;
    }
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out->data + out->len;
    zs.avail_out = (uInt)bound;
    int r = deflate(&zs, Z_FINISH);
    size_t len = bound - zs.avail_out;
    deflateEnd(&zs);
    if (r != Z_STREAM_END)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "gzip compression failed (%d)", r);
    out->len += len;
    return TARN_OK;
}

static tarn_status compress_brotli(int level, const uint8_t *src, size_t n, tarn_buf *out,
                                   tarn_err *err)
{
    size_t bound = BrotliEncoderMaxCompressedSize(n);
    if (bound == 0)
        bound = n + 1024; /* brotli has no bound for huge inputs */
    TARN_TRY(reserve(out, bound, err));
    size_t len = bound;
    if (!BrotliEncoderCompress(level, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, n, src, &len,
                               (uint8_t *)out->data + out->len))
        return tarn_err_set(err, TARN_ERR_INTERNAL, "brotli compression failed");
    out->len += len;
    return TARN_OK;
}

static tarn_status compress_lz4(int level, const uint8_t *src, size_t n, tarn_buf *out,
                                tarn_err *err)
{
    if (n > (size_t)LZ4_MAX_INPUT_SIZE)
        return tarn_err_set(err, TARN_ERR_LIMIT, "lz4: page of %zu bytes is too large", n);
    int bound = LZ4_compressBound((int)n);
    TARN_TRY(reserve(out, (size_t)bound, err));
    int r = level > 1
                ? LZ4_compress_HC((const char *)src, out->data + out->len, (int)n, bound, level)
                : LZ4_compress_default((const char *)src, out->data + out->len, (int)n, bound);
    if (r <= 0 && n > 0)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "lz4 compression failed");
    out->len += (size_t)r;
    return TARN_OK;
}

tarn_status tarn_pq_compress(tarn_pq_codec codec, int level, const uint8_t *src, size_t src_len,
                             tarn_buf *out, tarn_err *err)
{
    if (level == 0)
        level = default_level(codec);
    tarn_status st;
    switch (codec) {
    case TARN_PQ_UNCOMPRESSED:
        st = reserve(out, src_len, err);
        if (st == TARN_OK && src_len)
            tarn_buf_put_unchecked(out, src, src_len);
        break;
    case TARN_PQ_ZSTD:
        st = compress_zstd(level, src, src_len, out, err);
        break;
    case TARN_PQ_SNAPPY:
        st = compress_snappy(src, src_len, out, err);
        break;
    case TARN_PQ_GZIP:
        st = compress_gzip(level, src, src_len, out, err);
        break;
    case TARN_PQ_BROTLI:
        st = compress_brotli(level, src, src_len, out, err);
        break;
    case TARN_PQ_LZ4_RAW:
        st = compress_lz4(level, src, src_len, out, err);
        break;
    default:
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "cannot write Parquet codec %d", (int)codec);
    }
    if (st == TARN_OK && out->data)
        out->data[out->len] = '\0';
    return st;
}
