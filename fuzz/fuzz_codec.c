/*
 * fuzz/fuzz_codec.c - libFuzzer target for page decompression
 * (parquet/codec.h): SNAPPY, GZIP, BROTLI, LZ4 (Hadoop framing and raw),
 * ZSTD, LZ4_RAW and UNCOMPRESSED with an arbitrary expected size.
 *
 * Input: one byte picking the codec, two bytes of expected uncompressed size
 * (as a page header would claim), then the compressed bytes. The output
 * buffer is exactly that size, so ASan sees any write past it. When the
 * input decompresses, compressing the result and decompressing again must
 * give it back. Stand-alone replay: fuzz/replay_main.c.
 */
#include "parquet/codec.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tarn_pq_codec codecs[] = {
    TARN_PQ_UNCOMPRESSED, TARN_PQ_SNAPPY, TARN_PQ_GZIP,    TARN_PQ_BROTLI,
    TARN_PQ_LZ4,          TARN_PQ_ZSTD,   TARN_PQ_LZ4_RAW,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    tarn_pq_codec codec = codecs[data[0] % 7];
    size_t dst_len = (size_t)data[1] | (size_t)data[2] << 8;
    uint8_t *dst = malloc(dst_len ? dst_len : 1);
    if (!dst)
        abort();
    tarn_err err;
    if (tarn_pq_decompress(codec, data + 3, size - 3, dst, dst_len, &err) == TARN_OK &&
        codec != TARN_PQ_UNCOMPRESSED) {
        tarn_buf z;
        tarn_buf_init(&z);
        /* tarn writes legacy LZ4 pages as LZ4_RAW, which LZ4 reading accepts */
        tarn_pq_codec wcodec = codec == TARN_PQ_LZ4 ? TARN_PQ_LZ4_RAW : codec;
        if (tarn_pq_compress(wcodec, 0, dst, dst_len, &z, &err) != TARN_OK)
            abort();
        uint8_t *back = malloc(dst_len ? dst_len : 1);
        if (!back)
            abort();
        if (tarn_pq_decompress(codec, (const uint8_t *)z.data, z.len, back, dst_len, &err) !=
                TARN_OK ||
            memcmp(back, dst, dst_len) != 0)
            abort(); /* our own output must round-trip */
        free(back);
        tarn_buf_fini(&z);
    }
    free(dst);
    return 0;
}
