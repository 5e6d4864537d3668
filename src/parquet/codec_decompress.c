/*
 * parquet/codec_decompress.c - page decompression for every Parquet codec,
 * and codec names parsed from the command line.
 *
 * Each codec writes at most dst_len bytes into dst and must produce exactly
 * dst_len (the page header's uncompressed size), else TARN_ERR_CORRUPT.
 * Legacy LZ4 (codec 5) is tried with the Hadoop framing first and falls back
 * to a raw LZ4 block when the framing does not account for every byte. The
 * functions are thread-safe and keep no state between calls.
 */
#include "parquet/codec.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <pthread.h>
#include <snappy-c.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

static tarn_status corrupt(tarn_err *err, tarn_pq_codec codec, const char *what)
{
    return tarn_err_set(err, TARN_ERR_CORRUPT, "%s page does not decompress: %s",
                        tarn_pq_codec_name(codec), what);
}

static tarn_status do_snappy(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                             tarn_err *err)
{
    size_t n = 0;
    if (snappy_uncompressed_length((const char *)src, src_len, &n) != SNAPPY_OK)
        return corrupt(err, TARN_PQ_SNAPPY, "bad length header");
    if (n != dst_len)
        return corrupt(err, TARN_PQ_SNAPPY, "length differs from the page header");
    if (snappy_uncompress((const char *)src, src_len, (char *)dst, &n) != SNAPPY_OK || n != dst_len)
        return corrupt(err, TARN_PQ_SNAPPY, "invalid data");
    return TARN_OK;
}

/* gzip or zlib streams, several gzip members one after another allowed. */
static tarn_status do_gzip(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                           tarn_err *err)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "cannot initialise zlib");
    tarn_status st = TARN_OK;
    size_t in_pos = 0, out_pos = 0;
    for (;;) {
        /* zlib counts in uInt; feed at most 1 GiB at a time (pages are smaller). */
        z.next_in = (Bytef *)(src + in_pos);
        z.avail_in = (uInt)TARN_MIN(src_len - in_pos, (size_t)1 << 30);
        z.next_out = dst + out_pos;
        z.avail_out = (uInt)TARN_MIN(dst_len - out_pos, (size_t)1 << 30);
        size_t in0 = z.avail_in, out0 = z.avail_out;
        int rc = inflate(&z, Z_NO_FLUSH);
        in_pos += in0 - z.avail_in;
        out_pos += out0 - z.avail_out;
        if (rc == Z_STREAM_END) {
            /* Skip zero padding some writers leave after the last member. */
            while (in_pos < src_len && src[in_pos] == 0)
                in_pos++;
            if (in_pos >= src_len)
                break;
            if (inflateReset(&z) != Z_OK) {
                st = corrupt(err, TARN_PQ_GZIP, "cannot restart for the next member");
                goto done;
            }
            continue;
        }
        if (rc != Z_OK) { /* Z_BUF_ERROR: no progress possible */
            st = corrupt(err, TARN_PQ_GZIP,
                         out_pos >= dst_len ? "more data than the page header says"
                         : z.msg            ? z.msg
                                            : "truncated stream");
            goto done;
        }
    }
    if (out_pos != dst_len)
        st = corrupt(err, TARN_PQ_GZIP, "length differs from the page header");
done:
    inflateEnd(&z);
    return st;
}

static tarn_status do_brotli(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                             tarn_err *err)
{
    size_t n = dst_len;
    if (BrotliDecoderDecompress(src_len, src, &n, dst) != BROTLI_DECODER_RESULT_SUCCESS)
        return corrupt(err, TARN_PQ_BROTLI, "invalid data or longer than the page header says");
    if (n != dst_len)
        return corrupt(err, TARN_PQ_BROTLI, "length differs from the page header");
    return TARN_OK;
}

/* One ZSTD decompression context per thread, freed when the thread ends:
 * ZSTD_decompress() would set up (and allocate) a fresh one for every page. */
static pthread_key_t zstd_key;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;
static bool zstd_key_ok;

static void zstd_free_ctx(void *p)
{
    ZSTD_freeDCtx(p);
}

static void zstd_key_init(void)
{
    zstd_key_ok = pthread_key_create(&zstd_key, zstd_free_ctx) == 0;
}

static ZSTD_DCtx *zstd_ctx(void)
{
    pthread_once(&zstd_once, zstd_key_init);
    if (!zstd_key_ok)
        return NULL;
    ZSTD_DCtx *c = pthread_getspecific(zstd_key);
    if (!c) {
        c = ZSTD_createDCtx();
        if (c && pthread_setspecific(zstd_key, c) != 0) {
            ZSTD_freeDCtx(c);
            c = NULL;
        }
    }
    return c;
}

static tarn_status do_zstd(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
                           tarn_err *err)
{
    ZSTD_DCtx *c = zstd_ctx();
    size_t n = c ? ZSTD_decompressDCtx(c, dst, dst_len, src, src_len)
                 : ZSTD_decompress(dst, dst_len, src, src_len);
    if (ZSTD_isError(n))
        return corrupt(err, TARN_PQ_ZSTD, ZSTD_getErrorName(n));
    if (n != dst_len)
        return corrupt(err, TARN_PQ_ZSTD, "length differs from the page header");
    return TARN_OK;
}

static bool lz4_block(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    if (src_len > INT32_MAX || dst_len > INT32_MAX)
        return false;
    int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
    return n >= 0 && (size_t)n == dst_len;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Hadoop framing: blocks of [BE u32 uncompressed][BE u32 compressed][LZ4 block].
 * True only when the frames cover src exactly and produce exactly dst_len. */
static bool lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, out = 0;
    while (src_len - in >= 8) {
        size_t raw = be32(src + in), packed = be32(src + in + 4);
        in += 8;
        if (packed > src_len - in || raw > dst_len - out)
            return false;
        if (!lz4_block(src + in, packed, dst + out, raw))
            return false;
        in += packed;
        out += raw;
    }
    return in == src_len && out == dst_len;
}

tarn_status tarn_pq_decompress(tarn_pq_codec codec, const uint8_t *src, size_t src_len,
                               uint8_t *dst, size_t dst_len, tarn_err *err)
{
    switch (codec) {
    case TARN_PQ_UNCOMPRESSED:
        if (src_len != dst_len)
            return corrupt(err, codec, "stored length differs from the page header");
        if (dst_len)
            memcpy(dst, src, dst_len);
        return TARN_OK;
    case TARN_PQ_SNAPPY:
        return do_snappy(src, src_len, dst, dst_len, err);
    case TARN_PQ_GZIP:
        return do_gzip(src, src_len, dst, dst_len, err);
    case TARN_PQ_BROTLI:
        return do_brotli(src, src_len, dst, dst_len, err);
    case TARN_PQ_ZSTD:
        return do_zstd(src, src_len, dst, dst_len, err);
    case TARN_PQ_LZ4_RAW:
        if (!lz4_block(src, src_len, dst, dst_len))
            return corrupt(err, codec, "invalid block or length differs from the page header");
        return TARN_OK;
    case TARN_PQ_LZ4:
        if (lz4_hadoop(src, src_len, dst, dst_len) || lz4_block(src, src_len, dst, dst_len))
            return TARN_OK;
        return corrupt(err, codec, "neither Hadoop-framed nor a raw LZ4 block");
    case TARN_PQ_LZO:
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "LZO compression is not supported");
    }
    return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "unknown compression codec %d", (int)codec);
}

tarn_status tarn_pq_codec_parse(const char *name, tarn_pq_codec *out, tarn_err *err)
{
    static const struct {
        const char *name;
        tarn_pq_codec codec;
    } names[] = {
        {"zstd", TARN_PQ_ZSTD},
        {"snappy", TARN_PQ_SNAPPY},
        {"gzip", TARN_PQ_GZIP},
        {"lz4", TARN_PQ_LZ4_RAW},
        {"lz4_raw", TARN_PQ_LZ4_RAW},
        {"brotli", TARN_PQ_BROTLI},
        {"uncompressed", TARN_PQ_UNCOMPRESSED},
        {"none", TARN_PQ_UNCOMPRESSED},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(names); i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].codec;
            return TARN_OK;
        }
    }
    return tarn_err_set(err, TARN_ERR_INVALID,
                        "unknown compression codec '%s' (expected zstd, snappy, gzip, lz4, "
                        "lz4_raw, brotli or uncompressed)",
                        name);
}
