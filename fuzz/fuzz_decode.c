/*
 * fuzz/fuzz_decode.c - libFuzzer target for the Parquet page decoders
 * (parquet/decode.h): every value encoding for every physical type, the
 * RLE/bit-packed and deprecated BIT_PACKED level decoders, and the physical
 * -> logical conversions applied to what PLAIN yields.
 *
 * Input: 4 control bytes then the page bytes. c0: mode (values, RLE levels,
 * BIT_PACKED levels) and encoding; c1: physical type and FLBA width; c2:
 * value count; c3: values asked per call (the decoders must give the same
 * answer whatever the split) and bit width / max level. Widths always match
 * the physical type, as the reader guarantees. Must never crash, leak, hang
 * or read outside the page. Stand-alone replay: fuzz/replay_main.c.
 */
#include "parquet/decode.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Statuses a fuzz target does not act on (only crashes matter there). */
static void ignore(tarn_status st)
{
    (void)st;
}

static const tarn_pq_encoding encodings[] = {
    TARN_PQ_ENC_PLAIN,
    TARN_PQ_ENC_PLAIN_DICTIONARY,
    TARN_PQ_ENC_RLE,
    TARN_PQ_ENC_BIT_PACKED,
    TARN_PQ_ENC_DELTA_BINARY_PACKED,
    TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY,
    TARN_PQ_ENC_DELTA_BYTE_ARRAY,
    TARN_PQ_ENC_RLE_DICTIONARY,
    TARN_PQ_ENC_BYTE_STREAM_SPLIT,
};

#define MAX_VALUES 256

static int32_t phys_width(tarn_pq_type t, int flba)
{
    switch (t) {
    case TARN_PQ_INT32:
    case TARN_PQ_FLOAT:
        return 4;
    case TARN_PQ_INT64:
    case TARN_PQ_DOUBLE:
        return 8;
    case TARN_PQ_INT96:
        return 12;
    case TARN_PQ_FIXED_LEN_BYTE_ARRAY:
        return flba;
    default:
        return 0;
    }
}

/* Runs the conversions the reader may apply to n decoded fixed values. */
static void convert(tarn_pq_type t, const uint8_t *src, int32_t width, int64_t n)
{
    static uint8_t dst[MAX_VALUES * 16];
    tarn_err err;
    switch (t) {
    case TARN_PQ_INT32:
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_I32_I8, src, 4, n, dst, 1, &err));
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_I32_I16, src, 4, n, dst, 1, &err));
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_I32_I64, src, 4, n, dst, 1000, &err));
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_I32_I128, src, 4, n, dst, 1, &err));
        break;
    case TARN_PQ_INT64:
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_I64_MUL, src, 8, n, dst, 1000, &err));
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_I64_I128, src, 8, n, dst, 1, &err));
        break;
    case TARN_PQ_INT96:
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_INT96_TS, src, 12, n, dst, 1, &err));
        break;
    case TARN_PQ_FIXED_LEN_BYTE_ARRAY:
        if (width == 2)
            ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_F16_F32, src, 2, n, dst, 1, &err));
        if (width <= 8)
            ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_BE_DEC64, src, width, n, dst, 1, &err));
        ignore(tarn_pq_convert_fixed(TARN_PQ_CONV_BE_DEC128, src, width, n, dst, 1, &err));
        for (int64_t i = 0; i < n; i++) {
            tarn_i128 x;
            ignore(tarn_pq_be_int(src + i * width, width, &x, &err));
        }
        break;
    default:
        break;
    }
}

static void fuzz_values(tarn_pq_encoding enc, tarn_pq_type phys, int32_t width, int64_t n_values,
                        int step, const uint8_t *p, size_t n)
{
    static uint8_t fixed[MAX_VALUES * 32];
    static uint32_t idx[MAX_VALUES];
    tarn_err err;
    tarn_pq_values v;
    tarn_pq_values_init(&v);
    tarn_vec *bytes = NULL;
    if (tarn_pq_values_start(&v, enc, phys, width, p, n, n_values, &err) != TARN_OK)
        goto done;
    if (phys == TARN_PQ_BYTE_ARRAY ||
        (phys == TARN_PQ_FIXED_LEN_BYTE_ARRAY && enc == TARN_PQ_ENC_DELTA_BYTE_ARRAY)) {
        bytes = tarn_vec_create_type(tarn_type_make(TARN_TYPE_BINARY));
        if (!bytes)
            abort();
    }
    int64_t done_n = 0;
    while (done_n < n_values) {
        int64_t k = n_values - done_n < step ? n_values - done_n : step;
        tarn_status st;
        if (tarn_pq_encoding_is_dict(enc))
            st = tarn_pq_values_indices(&v, idx + done_n, k, 1 + (step * 7) % 40, &err);
        else if (bytes)
            st = tarn_pq_values_bytes(&v, bytes, k, &err);
        else if (phys == TARN_PQ_BOOLEAN)
            st = tarn_pq_values_bools(&v, fixed + done_n, k, &err);
        else
            st = tarn_pq_values_fixed(&v, fixed + done_n * width, k, &err);
        if (st != TARN_OK)
            break;
        done_n += k;
    }
    if (!bytes && !tarn_pq_encoding_is_dict(enc) && phys != TARN_PQ_BOOLEAN)
        convert(phys, fixed, width, done_n);
done:
    tarn_vec_destroy(bytes);
    tarn_pq_values_fini(&v);
}

static void fuzz_levels(bool rle, int max_level, int64_t n_levels, int step, const uint8_t *p,
                        size_t n)
{
    static uint8_t out[MAX_VALUES];
    tarn_err err;
    int bw = tarn_pq_bit_width((uint64_t)max_level);
    int64_t n_max = 0;
    if (!rle) {
        ignore(tarn_pq_bitpacked_levels(p, n, bw, out, n_levels, max_level, &n_max, &err));
        return;
    }
    tarn_pq_rle r;
    tarn_pq_rle_init(&r, p, n, bw);
    for (int64_t done = 0; done < n_levels;) {
        int64_t k = n_levels - done < step ? n_levels - done : step;
        int64_t m = 0;
        if (tarn_pq_rle_get_levels(&r, out + done, k, max_level, &m, &err) != TARN_OK)
            break;
        if (m < 0 || m > k)
            abort();
        done += k;
    }
}

/* Raw RLE hybrid values of any width 0..32. */
static void fuzz_rle(int bit_width, int64_t n_values, int step, const uint8_t *p, size_t n)
{
    static uint32_t out[MAX_VALUES];
    tarn_err err;
    tarn_pq_rle r;
    tarn_pq_rle_init(&r, p, n, bit_width);
    for (int64_t done = 0; done < n_values;) {
        int64_t k = n_values - done < step ? n_values - done : step;
        if (tarn_pq_rle_get(&r, out + done, k, &err) != TARN_OK)
            break;
        done += k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    int mode = data[0] >> 4;
    tarn_pq_encoding enc = encodings[(data[0] & 15) % 9];
    tarn_pq_type phys = (tarn_pq_type)(data[1] & 7);
    int flba = 1 + (data[1] >> 3); /* 1..32 */
    int32_t width = phys_width(phys, flba);
    int64_t n_values = data[2];
    int step = 1 + (data[3] & 63);
    int param = data[3] >> 6;
    const uint8_t *p = data + 4;
    size_t n = size - 4;
    switch (mode % 4) {
    case 0:
    case 1:
        fuzz_values(enc, phys, width, n_values, step, p, n);
        break;
    case 2:
        fuzz_levels(param & 1, 1 + (data[1] % 40), n_values, step, p, n);
        break;
    default:
        fuzz_rle(data[1] % 33, n_values, step + param * 64, p, n);
        break;
    }
    return 0;
}
