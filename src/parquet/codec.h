/*
 * parquet/codec.h - page compression codecs: UNCOMPRESSED, SNAPPY, GZIP,
 * BROTLI, LZ4 (Hadoop framing, with raw fallback), ZSTD, LZ4_RAW.
 *
 * Decompression writes exactly dst_len bytes (the page header's
 * uncompressed size) and fails with TARN_ERR_CORRUPT when the input does
 * not produce exactly that many; it never writes past dst. Compression
 * appends to a tarn_buf.
 */
#ifndef TARN_PARQUET_CODEC_H
#define TARN_PARQUET_CODEC_H

#include "base/buf.h"
#include "parquet/format.h"

TARN_MUST_CHECK tarn_status tarn_pq_decompress(tarn_pq_codec codec, const uint8_t *src,
                                               size_t src_len, uint8_t *dst, size_t dst_len,
                                               tarn_err *err);

/* level 0 means the codec's default. */
TARN_MUST_CHECK tarn_status tarn_pq_compress(tarn_pq_codec codec, int level, const uint8_t *src,
                                             size_t src_len, tarn_buf *out, tarn_err *err);

/* Parses "zstd", "snappy", "gzip", "lz4" (= LZ4_RAW), "lz4_raw", "brotli",
 * "uncompressed"/"none". */
TARN_MUST_CHECK tarn_status tarn_pq_codec_parse(const char *name, tarn_pq_codec *out,
                                                tarn_err *err);

#endif
