/*
 * tests/parquet/test_encode.c - writer-side encoders: RLE/bit-packed hybrid
 * (checked with our reference decoder and the reader's decoder), PLAIN,
 * dictionaries (fallback when full), statistics sort orders and truncation,
 * codecs round-trip, footer/page-header serialization decoded back.
 */
#include "tarn_test.h"

#include "parquet/codec.h"
#include "parquet/decode.h"
#include "parquet/encode.h"
#include "parquet/footer.h"
#include "parquet/footer_write.h"

#include <math.h>

static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Encodes v, decodes it with both decoders, checks the values come back. */
static void rle_roundtrip(const uint32_t *v, int64_t n, int bw)
{
    tarn_buf b = TARN_BUF_INIT;
    tarn_err err;
    assert_int_equal(tarn_pq_rle_encode_u32(v, n, bw, &b), TARN_OK);
    assert_true(b.len <= tarn_pq_rle_max_size(n, bw));
    uint32_t *out = calloc((size_t)n + 1, sizeof *out);
    assert_int_equal(tarn_pq_rle_decode_u32((const uint8_t *)b.data, b.len, bw, out, n, &err),
                     TARN_OK);
    assert_memory_equal(out, v, (size_t)n * 4);
    memset(out, 0xee, (size_t)n * 4);
    tarn_pq_rle r;
    tarn_pq_rle_init(&r, (const uint8_t *)b.data, b.len, bw);
    assert_int_equal(tarn_pq_rle_get(&r, out, n, &err), TARN_OK);
    assert_memory_equal(out, v, (size_t)n * 4);
    /* The u8 encoder must produce the same bytes for small values. */
    if (bw <= 8) {
        uint8_t *v8 = malloc((size_t)n + 1);
        for (int64_t i = 0; i < n; i++)
            v8[i] = (uint8_t)v[i];
        tarn_buf b8 = TARN_BUF_INIT;
        assert_int_equal(tarn_pq_rle_encode_u8(v8, n, bw, &b8), TARN_OK);
        assert_int_equal(b8.len, b.len);
        assert_memory_equal(b8.data, b.data, b.len);
        tarn_buf_fini(&b8);
        free(v8);
    }
    free(out);
    tarn_buf_fini(&b);
}

static void test_rle_known_bytes(void **state)
{
    (void)state;
    /* Encodings.md: 0..7 with bit width 3 bit-packed = 0x88 0xc6 0xfa. */
    uint32_t v[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_pq_rle_encode_u32(v, 8, 3, &b), TARN_OK);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "\x03\x88\xc6\xfa", 4);
    /* A run of 10 fives with width 3: header 10<<1, one value byte. */
    uint32_t r[10];
    for (int i = 0; i < 10; i++)
        r[i] = 5;
    tarn_buf_reset(&b);
    assert_int_equal(tarn_pq_rle_encode_u32(r, 10, 3, &b), TARN_OK);
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.data, "\x14\x05", 2);
    /* Width 12 needs two value bytes, little-endian. */
    for (int i = 0; i < 10; i++)
        r[i] = 0xabc;
    tarn_buf_reset(&b);
    assert_int_equal(tarn_pq_rle_encode_u32(r, 10, 12, &b), TARN_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "\x14\xbc\x0a", 3);
    tarn_buf_fini(&b);
}

static void test_rle_roundtrip(void **state)
{
    (void)state;
    enum {
        N = 5000
    };
    uint32_t *v = malloc(N * sizeof *v);
    for (int bw = 1; bw <= 32; bw++) {
        uint32_t mask = bw == 32 ? 0xffffffffu : (1u << bw) - 1;
        for (int pattern = 0; pattern < 6; pattern++) {
            for (int64_t i = 0; i < N; i++) {
                switch (pattern) {
                case 0: /* random */
                    v[i] = (uint32_t)rnd() & mask;
                    break;
                case 1: /* one long run */
                    v[i] = mask;
                    break;
                case 2: /* runs of 1..20 */
                    v[i] = (uint32_t)((i / (1 + (i % 20))) & mask);
                    break;
                case 3: /* runs of exactly 7, 8, 9 alternating with literals */
                    v[i] = (uint32_t)(((i % 24) < 8 ? 1 : i) & mask);
                    break;
                case 4: /* mostly runs, some noise */
                    v[i] = (uint32_t)((rnd() % 50 == 0 ? rnd() : (uint64_t)(i / 100)) & mask);
                    break;
                default: /* literals then a run then literals */
                    v[i] = (uint32_t)((i > 1000 && i < 1013) ? 3 : (uint64_t)i * 7) & mask;
                }
            }
            for (int64_t n = 0; n <= 40; n++)
                rle_roundtrip(v, n, bw);
            rle_roundtrip(v, N, bw);
            rle_roundtrip(v, N - 3, bw);
        }
    }
    free(v);
}

static void test_rle_decode_errors(void **state)
{
    (void)state;
    uint32_t out[16];
    tarn_err err;
    /* run of 20 but only 16 values wanted */
    assert_int_equal(tarn_pq_rle_decode_u32((const uint8_t *)"\x28\x01", 2, 1, out, 16, &err),
                     TARN_ERR_CORRUPT);
    /* bit-packed group announced but bytes missing */
    assert_int_equal(tarn_pq_rle_decode_u32((const uint8_t *)"\x03", 1, 8, out, 8, &err),
                     TARN_ERR_CORRUPT);
    assert_int_equal(tarn_pq_rle_decode_u32((const uint8_t *)"", 0, 8, out, 1, &err),
                     TARN_ERR_CORRUPT);
}

static void test_plain(void **state)
{
    (void)state;
    uint8_t bools[11] = {1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1};
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_pq_plain_bool(bools, 11, &b), TARN_OK);
    assert_int_equal(b.len, 2);
    assert_int_equal((uint8_t)b.data[0], 0x0d);
    assert_int_equal((uint8_t)b.data[1], 0x05);
    int32_t off[4] = {0, 3, 3, 5};
    const uint8_t *bytes = (const uint8_t *)"abcde";
    tarn_buf_reset(&b);
    assert_int_equal(tarn_pq_plain_byte_array(off, bytes, NULL, 3, &b), TARN_OK);
    assert_int_equal(b.len, 4 * 3 + 5);
    assert_memory_equal(b.data, "\x03\0\0\0abc\0\0\0\0\x02\0\0\0de", 17);
    uint32_t idx[2] = {2, 0};
    tarn_buf_reset(&b);
    assert_int_equal(tarn_pq_plain_byte_array(off, bytes, idx, 2, &b), TARN_OK);
    assert_memory_equal(b.data, "\x02\0\0\0de\x03\0\0\0abc", 13);
    assert_int_equal(tarn_pq_plain_byte_array_size(off, idx, 2), 13);
    tarn_buf_fini(&b);
}

static void test_dict_fixed(void **state)
{
    (void)state;
    tarn_pq_dict d;
    tarn_pq_dict_init(&d, TARN_PQ_DICT_FIXED8, 8);
    double v[8] = {1.5, -0.0, 0.0, NAN, 1.5, 0.0, -0.0, NAN};
    uint32_t idx[8];
    bool full;
    assert_int_equal(tarn_pq_dict_put_fixed(&d, (const uint8_t *)v, 8, 1 << 20, idx, &full),
                     TARN_OK);
    assert_false(full);
    assert_int_equal(d.n_entries, 4); /* -0.0 and 0.0 stay distinct */
    uint32_t want[8] = {0, 1, 2, 3, 0, 2, 1, 3};
    assert_memory_equal(idx, want, sizeof want);
    assert_int_equal(d.plain.len, 32);
    /* Many distinct values: the table grows and indexes stay right. */
    tarn_pq_dict_reset(&d);
    enum {
        N = 100000
    };
    int64_t *x = malloc(N * sizeof *x);
    uint32_t *ix = malloc(N * sizeof *ix);
    for (int i = 0; i < N; i++)
        x[i] = (int64_t)(i % 30000) * 1000003 - 7;
    assert_int_equal(tarn_pq_dict_put_fixed(&d, (const uint8_t *)x, N, 1 << 30, ix, &full),
                     TARN_OK);
    assert_int_equal(d.n_entries, 30000);
    for (int i = 0; i < N; i++) {
        int64_t e;
        memcpy(&e, d.plain.data + 8 * ix[i], 8);
        assert_true(e == x[i]);
    }
    /* Full: stops once the PLAIN size would pass max_bytes. */
    tarn_pq_dict_reset(&d);
    assert_int_equal(tarn_pq_dict_put_fixed(&d, (const uint8_t *)x, N, 800, ix, &full), TARN_OK);
    assert_true(full);
    assert_int_equal(d.n_entries, 100);
    tarn_pq_dict_truncate(&d, 10, 80);
    assert_int_equal(d.n_entries, 10);
    free(x);
    free(ix);
    tarn_pq_dict_fini(&d);

    /* FLBA (16 bytes) and FIXED4 */
    tarn_pq_dict_init(&d, TARN_PQ_DICT_FLBA, 16);
    uint8_t u[5][16];
    memset(u, 0, sizeof u);
    u[1][15] = 1;
    u[3][15] = 1;
    u[4][0] = 0xff;
    uint32_t i5[5];
    assert_int_equal(tarn_pq_dict_put_fixed(&d, &u[0][0], 5, 1 << 20, i5, &full), TARN_OK);
    uint32_t w5[5] = {0, 1, 0, 1, 2};
    assert_memory_equal(i5, w5, sizeof w5);
    tarn_pq_dict_fini(&d);
    tarn_pq_dict_init(&d, TARN_PQ_DICT_FIXED4, 4);
    int32_t s4[6] = {7, 7, 7, -1, 7, -1};
    uint32_t i6[6], w6[6] = {0, 0, 0, 1, 0, 1};
    assert_int_equal(tarn_pq_dict_put_fixed(&d, (const uint8_t *)s4, 6, 1 << 20, i6, &full),
                     TARN_OK);
    assert_memory_equal(i6, w6, sizeof w6);
    tarn_pq_dict_fini(&d);
}

static void test_dict_bytes(void **state)
{
    (void)state;
    tarn_pq_dict d;
    tarn_pq_dict_init(&d, TARN_PQ_DICT_BYTES, 0);
    const char *words[] = {"b", "", "a", "b", "", "long value here", "a", "b"};
    int32_t off[9] = {0};
    char bytes[128];
    int pos = 0;
    for (int i = 0; i < 8; i++) {
        int n = (int)strlen(words[i]);
        memcpy(bytes + pos, words[i], (size_t)n);
        pos += n;
        off[i + 1] = pos;
    }
    uint32_t idx[8];
    bool full;
    assert_int_equal(
        tarn_pq_dict_put_bytes(&d, off, (const uint8_t *)bytes, NULL, 8, 1 << 20, idx, &full),
        TARN_OK);
    uint32_t want[8] = {0, 1, 2, 0, 1, 3, 2, 0};
    assert_memory_equal(idx, want, sizeof want);
    assert_int_equal(d.n_entries, 4);
    uint32_t len;
    const uint8_t *p = tarn_pq_dict_bytes_entry(&d, 3, &len);
    assert_int_equal(len, 15);
    assert_memory_equal(p, "long value here", 15);
    /* PLAIN dictionary page body */
    assert_int_equal(d.plain.len, 4 * 4 + 1 + 0 + 1 + 15);
    /* gathered input (positions) */
    uint32_t pick[3] = {5, 1, 5};
    uint32_t out3[3];
    assert_int_equal(
        tarn_pq_dict_put_bytes(&d, off, (const uint8_t *)bytes, pick, 3, 1 << 20, out3, &full),
        TARN_OK);
    assert_int_equal(out3[0], 3);
    assert_int_equal(out3[1], 1);
    assert_int_equal(out3[2], 3);
    /* full: max_bytes smaller than the next entry */
    tarn_pq_dict_reset(&d);
    assert_int_equal(
        tarn_pq_dict_put_bytes(&d, off, (const uint8_t *)bytes, NULL, 8, 12, idx, &full), TARN_OK);
    assert_true(full);
    assert_int_equal(d.n_entries, 2); /* "b" + "" = 9 bytes; "a" would make 14 > 12 */
    tarn_pq_dict_fini(&d);
}

static void minmax_check(tarn_pq_minmax *m, const void *lo, const void *hi, size_t n)
{
    assert_true(m->has);
    assert_int_equal(m->min.len, n);
    assert_int_equal(m->max.len, n);
    assert_memory_equal(m->min.data, lo, n);
    assert_memory_equal(m->max.data, hi, n);
}

static void test_minmax(void **state)
{
    (void)state;
    tarn_pq_minmax m;
    /* signed vs unsigned 32-bit */
    int32_t v[4] = {5, -3, 7, INT32_MIN};
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_I32);
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)v, 4, 4), TARN_OK);
    int32_t lo = INT32_MIN, hi = 7;
    minmax_check(&m, &lo, &hi, 4);
    tarn_pq_minmax_fini(&m);
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_U32);
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)v, 4, 4), TARN_OK);
    int32_t ulo = 5, uhi = -3; /* 0xfffffffd is the largest unsigned */
    minmax_check(&m, &ulo, &uhi, 4);
    tarn_pq_minmax_fini(&m);
    /* unsigned 64-bit */
    uint64_t u64[3] = {1, UINT64_MAX, 1ULL << 63};
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_U64);
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)u64, 3, 8), TARN_OK);
    minmax_check(&m, &u64[0], &u64[1], 8);
    tarn_pq_minmax_fini(&m);
    /* doubles: NaN ignored, zero bounds are -0.0 / +0.0 */
    double d[5] = {NAN, 0.0, 2.5, NAN, -0.0};
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_F64);
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)d, 5, 8), TARN_OK);
    double dlo = -0.0, dhi = 2.5;
    minmax_check(&m, &dlo, &dhi, 8);
    double neg[2] = {-1.0, 0.0};
    tarn_pq_minmax_reset(&m);
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)neg, 2, 8), TARN_OK);
    double nlo = -1.0, nhi = 0.0;
    minmax_check(&m, &nlo, &nhi, 8);
    assert_false(signbit(*(double *)(void *)m.max.data)); /* +0.0 */
    /* merging folds keep the rule */
    double more[1] = {-0.0};
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)more, 1, 8), TARN_OK);
    minmax_check(&m, &nlo, &nhi, 8);
    tarn_pq_minmax_reset(&m);
    double nans[2] = {NAN, NAN};
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)nans, 2, 8), TARN_OK);
    assert_false(m.has);
    tarn_pq_minmax_fini(&m);
    /* floats */
    float f[3] = {NAN, -INFINITY, 0.0f};
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_F32);
    assert_int_equal(tarn_pq_minmax_fixed(&m, (const uint8_t *)f, 3, 4), TARN_OK);
    float flo = -INFINITY, fhi = 0.0f;
    minmax_check(&m, &flo, &fhi, 4);
    tarn_pq_minmax_fini(&m);
    /* decimals as big-endian FLBA: -1 (ff ff) < 0 (00 00) < 256 (01 00) */
    uint8_t dec[3][2] = {{0x01, 0x00}, {0xff, 0xff}, {0x00, 0x00}};
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_DEC_BE);
    assert_int_equal(tarn_pq_minmax_fixed(&m, &dec[0][0], 3, 2), TARN_OK);
    minmax_check(&m, dec[1], dec[0], 2);
    tarn_pq_minmax_fini(&m);
    /* bytes: unsigned, shorter prefix first */
    int32_t off[5] = {0, 2, 3, 5, 6};
    const uint8_t *bytes = (const uint8_t *)"ab"
                                            "\xff"
                                            "aa"
                                            "a";
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_BYTES);
    assert_int_equal(tarn_pq_minmax_bytes(&m, off, bytes, NULL, 4), TARN_OK);
    assert_int_equal(m.min.len, 1);
    assert_memory_equal(m.min.data, "a", 1);
    assert_int_equal(m.max.len, 1);
    assert_memory_equal(m.max.data, "\xff", 1);
    tarn_pq_minmax_fini(&m);
    /* bool */
    uint8_t bo[3] = {1, 1, 1};
    tarn_pq_minmax_init(&m, TARN_PQ_ORDER_BOOL);
    assert_int_equal(tarn_pq_minmax_fixed(&m, bo, 3, 1), TARN_OK);
    minmax_check(&m, "\x01", "\x01", 1);
    tarn_pq_minmax_fini(&m);
}

static void test_truncate(void **state)
{
    (void)state;
    uint8_t out[8];
    size_t n;
    tarn_pq_truncate_min((const uint8_t *)"abcdefghij", 10, 4, false, out, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "abcd", 4);
    assert_true(tarn_pq_truncate_max((const uint8_t *)"abcdefghij", 10, 4, false, out, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(out, "abce", 4);
    /* trailing 0xff bytes are dropped before incrementing */
    assert_true(tarn_pq_truncate_max((const uint8_t *)"ab\xff\xff\xff", 5, 4, false, out, &n));
    assert_int_equal(n, 2);
    assert_memory_equal(out, "ac", 2);
    assert_false(
        tarn_pq_truncate_max((const uint8_t *)"\xff\xff\xff\xff\xff", 5, 4, false, out, &n));
    /* short values are kept whole */
    assert_true(tarn_pq_truncate_max((const uint8_t *)"ab", 2, 4, false, out, &n));
    assert_int_equal(n, 2);
    /* UTF-8: "é" is c3 a9; never cut inside a character, increment ASCII only */
    const uint8_t *s = (const uint8_t *)"a\xc3\xa9\xc3\xa9";
    tarn_pq_truncate_min(s, 5, 2, true, out, &n);
    assert_int_equal(n, 1);
    assert_true(tarn_pq_truncate_max(s, 5, 4, true, out, &n));
    assert_int_equal(n, 1);
    assert_memory_equal(out, "b", 1);
    assert_false(
        tarn_pq_truncate_max((const uint8_t *)"\xc3\xa9\xc3\xa9\xc3\xa9", 6, 4, true, out, &n));
    assert_true(tarn_pq_truncate_max((const uint8_t *)"~\x7f\x7fzz", 5, 3, true, out, &n));
    assert_int_equal(n, 1);
    assert_memory_equal(out, "\x7f", 1);
}

static void test_codecs(void **state)
{
    (void)state;
    enum {
        N = 200000
    };
    uint8_t *src = malloc(N), *back = malloc(N);
    for (int i = 0; i < N; i++)
        src[i] = (uint8_t)(i % 251 < 120 ? (uint64_t)('a' + i % 7) : rnd());
    tarn_pq_codec codecs[] = {TARN_PQ_UNCOMPRESSED, TARN_PQ_SNAPPY, TARN_PQ_GZIP,
                              TARN_PQ_BROTLI,       TARN_PQ_ZSTD,   TARN_PQ_LZ4_RAW};
    tarn_err err;
    for (size_t c = 0; c < TARN_ARRAY_LEN(codecs); c++) {
        for (int level = 0; level <= 1; level++) {
            size_t sizes[] = {0, 1, 100, N};
            for (size_t k = 0; k < TARN_ARRAY_LEN(sizes); k++) {
                tarn_buf b = TARN_BUF_INIT;
                assert_int_equal(tarn_pq_compress(codecs[c], level, src, sizes[k], &b, &err),
                                 TARN_OK);
                memset(back, 0, N);
                assert_int_equal(tarn_pq_decompress(codecs[c], (const uint8_t *)b.data, b.len, back,
                                                    sizes[k], &err),
                                 TARN_OK);
                assert_memory_equal(back, src, sizes[k]);
                if (codecs[c] != TARN_PQ_UNCOMPRESSED && sizes[k] == N)
                    assert_true(b.len < N);
                tarn_buf_fini(&b);
            }
        }
    }
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_pq_compress(TARN_PQ_LZO, 0, src, 10, &b, &err), TARN_ERR_UNSUPPORTED);
    tarn_buf_fini(&b);
    free(src);
    free(back);
}

static void test_page_header(void **state)
{
    (void)state;
    tarn_err err;
    tarn_pq_page_header h, back;
    memset(&h, 0, sizeof h);
    h.type = TARN_PQ_DATA_PAGE_V2;
    h.uncompressed_page_size = 123456;
    h.compressed_page_size = 789;
    h.has_data_page_header_v2 = true;
    h.data_page_header_v2.num_values = 1000;
    h.data_page_header_v2.num_nulls = 10;
    h.data_page_header_v2.num_rows = 900;
    h.data_page_header_v2.encoding = TARN_PQ_ENC_RLE_DICTIONARY;
    h.data_page_header_v2.def_levels_byte_length = 12;
    h.data_page_header_v2.rep_levels_byte_length = 34;
    h.data_page_header_v2.is_compressed = false;
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_pq_page_header_write(&h, &b, &err), TARN_OK);
    size_t used;
    assert_int_equal(
        tarn_pq_page_header_decode((const uint8_t *)b.data, b.len, 0, &back, &used, &err), TARN_OK);
    assert_int_equal(used, b.len);
    assert_int_equal(back.type, TARN_PQ_DATA_PAGE_V2);
    assert_int_equal(back.uncompressed_page_size, 123456);
    assert_int_equal(back.compressed_page_size, 789);
    assert_true(back.has_data_page_header_v2);
    assert_int_equal(back.data_page_header_v2.num_values, 1000);
    assert_int_equal(back.data_page_header_v2.num_nulls, 10);
    assert_int_equal(back.data_page_header_v2.num_rows, 900);
    assert_int_equal(back.data_page_header_v2.encoding, TARN_PQ_ENC_RLE_DICTIONARY);
    assert_int_equal(back.data_page_header_v2.def_levels_byte_length, 12);
    assert_int_equal(back.data_page_header_v2.rep_levels_byte_length, 34);
    assert_false(back.data_page_header_v2.is_compressed);

    memset(&h, 0, sizeof h);
    h.type = TARN_PQ_DICTIONARY_PAGE;
    h.uncompressed_page_size = 10;
    h.compressed_page_size = 10;
    h.has_dictionary_page_header = true;
    h.dictionary_page_header.num_values = 3;
    h.dictionary_page_header.encoding = TARN_PQ_ENC_PLAIN;
    tarn_buf_reset(&b);
    assert_int_equal(tarn_pq_page_header_write(&h, &b, &err), TARN_OK);
    assert_int_equal(
        tarn_pq_page_header_decode((const uint8_t *)b.data, b.len, 0, &back, &used, &err), TARN_OK);
    assert_true(back.has_dictionary_page_header);
    assert_int_equal(back.dictionary_page_header.num_values, 3);
    tarn_buf_fini(&b);
}

static void test_footer_roundtrip(void **state)
{
    (void)state;
    tarn_err err;
    tarn_pq_schema_element el[4];
    memset(el, 0, sizeof el);
    for (int i = 0; i < 4; i++)
        el[i].converted = TARN_PQ_CT_NONE;
    el[0].name = "schema";
    el[0].num_children = 3;
    el[1].name = "amount";
    el[1].has_type = true;
    el[1].type = TARN_PQ_FIXED_LEN_BYTE_ARRAY;
    el[1].type_length = 16;
    el[1].has_repetition = true;
    el[1].repetition = TARN_PQ_OPTIONAL;
    el[1].converted = TARN_PQ_CT_DECIMAL;
    el[1].precision = 38;
    el[1].scale = 10;
    el[1].logical.kind = TARN_PQ_LT_DECIMAL;
    el[1].logical.precision = 38;
    el[1].logical.scale = 10;
    el[1].has_field_id = true;
    el[1].field_id = 7;
    el[2].name = "ts";
    el[2].has_type = true;
    el[2].type = TARN_PQ_INT64;
    el[2].has_repetition = true;
    el[2].repetition = TARN_PQ_REQUIRED;
    el[2].logical.kind = TARN_PQ_LT_TIMESTAMP;
    el[2].logical.unit = TARN_PQ_NANOS;
    el[2].logical.is_adjusted_to_utc = false;
    el[3].name = "u8";
    el[3].has_type = true;
    el[3].type = TARN_PQ_INT32;
    el[3].has_repetition = true;
    el[3].repetition = TARN_PQ_OPTIONAL;
    el[3].converted = TARN_PQ_CT_UINT_8;
    el[3].logical.kind = TARN_PQ_LT_INTEGER;
    el[3].logical.bit_width = 8;
    el[3].logical.is_signed = false;

    const char *path[1] = {"amount"};
    tarn_pq_encoding enc[2] = {TARN_PQ_ENC_PLAIN, TARN_PQ_ENC_RLE};
    tarn_pq_column_chunk cc[3];
    memset(cc, 0, sizeof cc);
    for (int i = 0; i < 3; i++) {
        cc[i].file_offset = 4 + i;
        cc[i].has_meta_data = true;
        tarn_pq_column_meta *m = &cc[i].meta_data;
        m->type = TARN_PQ_INT64;
        m->n_encodings = 2;
        m->encodings = enc;
        m->n_path = 1;
        m->path_in_schema = path;
        m->codec = TARN_PQ_ZSTD;
        m->num_values = 5;
        m->total_uncompressed_size = 100;
        m->total_compressed_size = 50;
        m->data_page_offset = 4 + i;
        m->has_statistics = true;
        m->statistics.has_null_count = true;
        m->statistics.null_count = 2;
        m->statistics.has_min_value = m->statistics.has_max_value = true;
        m->statistics.min_value = (const uint8_t *)"\x01\0\0\0\0\0\0\0";
        m->statistics.min_value_len = 8;
        m->statistics.max_value = (const uint8_t *)"\x09\0\0\0\0\0\0\0";
        m->statistics.max_value_len = 8;
    }
    tarn_pq_row_group rg;
    memset(&rg, 0, sizeof rg);
    rg.n_columns = 3;
    rg.columns = cc;
    rg.total_byte_size = 300;
    rg.num_rows = 5;
    rg.has_file_offset = true;
    rg.file_offset = 4;
    tarn_pq_kv kv[2] = {{"k", "v"}, {"novalue", NULL}};
    tarn_pq_file_meta m;
    memset(&m, 0, sizeof m);
    m.version = 1;
    m.n_schema = 4;
    m.schema = el;
    m.num_rows = 5;
    m.n_row_groups = 1;
    m.row_groups = &rg;
    m.n_kv = 2;
    m.kv = kv;
    m.created_by = "tarn test";
    m.n_column_orders = 3;
    tarn_pq_enc_stat es[1] = {{TARN_PQ_DATA_PAGE, TARN_PQ_ENC_PLAIN, 1}};
    tarn_pq_chunk_extra ex[3];
    memset(ex, 0, sizeof ex);
    for (int i = 0; i < 3; i++) {
        ex[i].n_enc_stats = 1;
        ex[i].enc_stats = es;
        ex[i].min_exact = ex[i].max_exact = -1;
    }
    ex[1].max_exact = 0;
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_pq_file_meta_write(&m, ex, &b, &err), TARN_OK);

    tarn_arena *a = tarn_arena_create(0);
    tarn_pq_file_meta back;
    assert_int_equal(tarn_pq_footer_decode((const uint8_t *)b.data, b.len, 0, a, &back, &err),
                     TARN_OK);
    assert_int_equal(back.version, 1);
    assert_int_equal(back.n_schema, 4);
    assert_string_equal(back.schema[1].name, "amount");
    assert_int_equal(back.schema[1].type, TARN_PQ_FIXED_LEN_BYTE_ARRAY);
    assert_int_equal(back.schema[1].type_length, 16);
    assert_int_equal(back.schema[1].converted, TARN_PQ_CT_DECIMAL);
    assert_int_equal(back.schema[1].logical.kind, TARN_PQ_LT_DECIMAL);
    assert_int_equal(back.schema[1].logical.precision, 38);
    assert_int_equal(back.schema[1].logical.scale, 10);
    assert_true(back.schema[1].has_field_id);
    assert_int_equal(back.schema[1].field_id, 7);
    assert_int_equal(back.schema[2].logical.kind, TARN_PQ_LT_TIMESTAMP);
    assert_int_equal(back.schema[2].logical.unit, TARN_PQ_NANOS);
    assert_false(back.schema[2].logical.is_adjusted_to_utc);
    assert_int_equal(back.schema[2].repetition, TARN_PQ_REQUIRED);
    assert_int_equal(back.schema[3].logical.kind, TARN_PQ_LT_INTEGER);
    assert_int_equal(back.schema[3].logical.bit_width, 8);
    assert_false(back.schema[3].logical.is_signed);
    assert_int_equal(back.schema[3].converted, TARN_PQ_CT_UINT_8);
    assert_int_equal(back.num_rows, 5);
    assert_int_equal(back.n_row_groups, 1);
    assert_int_equal(back.row_groups[0].n_columns, 3);
    const tarn_pq_column_meta *cm = &back.row_groups[0].columns[2].meta_data;
    assert_int_equal(cm->codec, TARN_PQ_ZSTD);
    assert_int_equal(cm->n_encodings, 2);
    assert_int_equal(cm->data_page_offset, 6);
    assert_true(cm->has_statistics);
    assert_int_equal(cm->statistics.null_count, 2);
    assert_int_equal(cm->statistics.max_value_len, 8);
    assert_int_equal(cm->statistics.max_value[0], 9);
    assert_int_equal(back.n_kv, 2);
    assert_string_equal(back.kv[0].key, "k");
    assert_string_equal(back.kv[0].value, "v");
    assert_null(back.kv[1].value);
    assert_string_equal(back.created_by, "tarn test");
    assert_true(back.n_column_orders > 0); /* the reader only records presence */
    tarn_arena_destroy(a);
    tarn_buf_fini(&b);

    /* One schema element alone */
    tarn_buf_init(&b);
    assert_int_equal(tarn_pq_schema_element_write(&el[2], &b, &err), TARN_OK);
    assert_true(b.len > 0);
    tarn_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rle_known_bytes),
        cmocka_unit_test(test_rle_roundtrip),
        cmocka_unit_test(test_rle_decode_errors),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_dict_fixed),
        cmocka_unit_test(test_dict_bytes),
        cmocka_unit_test(test_minmax),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_page_header),
        cmocka_unit_test(test_footer_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
