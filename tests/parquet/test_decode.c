/*
 * tests/parquet/test_decode.c - the Parquet encodings on hand-built inputs:
 * bit unpacking at every width, RLE/bit-packed hybrid (runs crossing request
 * boundaries, truncated and zero-length runs), BIT_PACKED levels,
 * DELTA_BINARY_PACKED (width-0 miniblocks, negative deltas, wrapping),
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, PLAIN,
 * dictionary indices, and the physical -> logical conversions.
 *
 * Encoders here are test-only references written from Encodings.md.
 */
#include "tarn_test.h"

#include "parquet/decode.h"

#include <math.h>

/* Reference encoders ---------------------------------------------------------- */

typedef struct bytes {
    uint8_t d[1 << 16]; /* encoded bytes */
    size_t n;           /* bytes used */
} bytes;

static void put(bytes *b, uint8_t x)
{
    assert_true(b->n < sizeof b->d);
    b->d[b->n++] = x;
}

static void put_uleb(bytes *b, uint64_t v)
{
    do {
        uint8_t x = v & 0x7f;
        v >>= 7;
        put(b, (uint8_t)(x | (v ? 0x80 : 0)));
    } while (v);
}

static void put_zigzag(bytes *b, int64_t v)
{
    put_uleb(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* LSB-first bit packing of n values (n multiple of 8). */
static void put_packed(bytes *b, const uint64_t *v, size_t n, int w)
{
    size_t start = b->n, bits = n * (size_t)w;
    for (size_t i = 0; i < (bits + 7) / 8; i++)
        put(b, 0);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < w; k++)
            if ((v[i] >> k) & 1) {
                size_t bit = i * (size_t)w + (size_t)k;
                b->d[start + bit / 8] |= (uint8_t)(1u << (bit % 8));
            }
}

static void put_rle_run(bytes *b, uint32_t value, uint32_t count, int w)
{
    put_uleb(b, (uint64_t)count << 1);
    for (int i = 0; i < (w + 7) / 8; i++)
        put(b, (uint8_t)(value >> (8 * i)));
}

static void put_bp_run(bytes *b, const uint64_t *v, size_t n, int w)
{
    put_uleb(b, ((uint64_t)(n / 8) << 1) | 1);
    put_packed(b, v, n, w);
}

static uint64_t rnd_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static uint64_t mask(int w)
{
    return w >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << w) - 1;
}

/* Tests ------------------------------------------------------------------------ */

static void test_unpack_every_width(void **state)
{
    (void)state;
    for (int w = 0; w <= 64; w++) {
        uint64_t v[64];
        for (int i = 0; i < 64; i++)
            v[i] = rnd() & mask(w);
        bytes b = {.n = 0};
        put_packed(&b, v, 64, w);
        uint64_t out64[64];
        tarn_pq_unpack64(b.d, out64, 8, w);
        for (int i = 0; i < 64; i++)
            assert_true(out64[i] == v[i]);
        if (w <= 32) {
            uint32_t out32[64];
            tarn_pq_unpack32(b.d, out32, 8, w);
            for (int i = 0; i < 64; i++)
                assert_int_equal(out32[i], v[i]);
        }
    }
    assert_int_equal(tarn_pq_bit_width(0), 0);
    assert_int_equal(tarn_pq_bit_width(1), 1);
    assert_int_equal(tarn_pq_bit_width(255), 8);
    assert_int_equal(tarn_pq_bit_width(256), 9);
}

/* Mixed runs at every width, read back in odd-sized requests. */
static void test_rle_hybrid(void **state)
{
    (void)state;
    tarn_err err;
    for (int w = 0; w <= 32; w++) {
        bytes b = {.n = 0};
        uint32_t want[2000];
        size_t n = 0;
        for (int run = 0; run < 12; run++) {
            if (run % 3 == 0) {
                uint32_t val = (uint32_t)(rnd() & mask(w));
                uint32_t cnt = (uint32_t)(rnd() % 100);
                put_rle_run(&b, val, cnt, w); /* zero-length runs included */
                for (uint32_t i = 0; i < cnt; i++)
                    want[n++] = val;
            } else {
                uint64_t v[80];
                size_t k = 8 * (1 + rnd() % 10);
                for (size_t i = 0; i < k; i++) {
                    v[i] = rnd() & mask(w);
                    want[n++] = (uint32_t)v[i];
                }
                put_bp_run(&b, v, k, w);
            }
        }
        for (int step = 1; step <= 37; step += 6) {
            tarn_pq_rle r;
            tarn_pq_rle_init(&r, b.d, b.n, w);
            uint32_t got[2000];
            for (size_t i = 0; i < n; i += (size_t)step) {
                int64_t k = (int64_t)TARN_MIN((size_t)step, n - i);
                assert_int_equal(tarn_pq_rle_get(&r, got + i, k, &err), TARN_OK);
            }
            assert_memory_equal(got, want, n * sizeof *got);
            /* The data is exhausted now. */
            uint32_t one;
            assert_int_equal(tarn_pq_rle_get(&r, &one, 1, &err), TARN_ERR_CORRUPT);
        }
    }
}

static void test_rle_edges(void **state)
{
    (void)state;
    tarn_err err;
    tarn_pq_rle r;
    uint32_t out[64];
    /* Truncated final bit-packed run: header says 2 groups (16 values at
     * width 3 = 6 bytes), only 4 bytes present -> 10 values usable. */
    bytes b = {.n = 0};
    uint64_t v[16];
    for (int i = 0; i < 16; i++)
        v[i] = (uint64_t)i % 8;
    put_bp_run(&b, v, 16, 3);
    tarn_pq_rle_init(&r, b.d, b.n - 2, 3);
    assert_int_equal(tarn_pq_rle_get(&r, out, 10, &err), TARN_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(out[i], i % 8);
    assert_int_equal(tarn_pq_rle_get(&r, out, 1, &err), TARN_ERR_CORRUPT);

    /* Endless zero-length runs end with an error, not a hang. */
    uint8_t zeros[64] = {0};
    tarn_pq_rle_init(&r, zeros, sizeof zeros, 1);
    assert_int_equal(tarn_pq_rle_get(&r, out, 1, &err), TARN_ERR_CORRUPT);
    /* Truncated header / value. */
    uint8_t hdr[] = {0x80};
    tarn_pq_rle_init(&r, hdr, 1, 8);
    assert_int_equal(tarn_pq_rle_get(&r, out, 1, &err), TARN_ERR_CORRUPT);
    uint8_t run[] = {0x04}; /* RLE run of 2, value byte missing */
    tarn_pq_rle_init(&r, run, 1, 8);
    assert_int_equal(tarn_pq_rle_get(&r, out, 1, &err), TARN_ERR_CORRUPT);
    /* Width 0: bit-packed runs need no bytes. */
    uint8_t w0[] = {0x03}; /* one group */
    tarn_pq_rle_init(&r, w0, 1, 0);
    assert_int_equal(tarn_pq_rle_get(&r, out, 8, &err), TARN_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(out[i], 0);
    /* A huge RLE run served in pieces. */
    bytes big = {.n = 0};
    put_rle_run(&big, 5, 1000000, 3);
    tarn_pq_rle_init(&r, big.d, big.n, 3);
    for (int k = 0; k < 1000000 / 50; k++) {
        assert_int_equal(tarn_pq_rle_get(&r, out, 50, &err), TARN_OK);
        assert_int_equal(out[49], 5);
    }
}

static void test_levels(void **state)
{
    (void)state;
    tarn_err err;
    bytes b = {.n = 0};
    put_rle_run(&b, 2, 10, 2);
    uint64_t v[8] = {0, 1, 2, 2, 1, 0, 2, 2};
    put_bp_run(&b, v, 8, 2);
    tarn_pq_rle r;
    tarn_pq_rle_init(&r, b.d, b.n, 2);
    uint8_t out[18];
    int64_t n_max;
    assert_int_equal(tarn_pq_rle_get_levels(&r, out, 18, 2, &n_max, &err), TARN_OK);
    assert_int_equal(n_max, 14);
    assert_int_equal(out[9], 2);
    assert_int_equal(out[10], 0);
    assert_int_equal(out[17], 2);
    /* A level above the maximum is corrupt. */
    tarn_pq_rle_init(&r, b.d, b.n, 2);
    assert_int_equal(tarn_pq_rle_get_levels(&r, out, 18, 1, &n_max, &err), TARN_ERR_CORRUPT);
    /* Deprecated BIT_PACKED: MSB first. 3 levels of width 2: 1, 2, 3 -> 01 10 11 00. */
    uint8_t bp[] = {0x6c};
    assert_int_equal(tarn_pq_bitpacked_levels(bp, 1, 2, out, 3, 3, &n_max, &err), TARN_OK);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_int_equal(out[2], 3);
    assert_int_equal(n_max, 1);
    assert_int_equal(tarn_pq_bitpacked_levels(bp, 1, 2, out, 5, 3, &n_max, &err), TARN_ERR_CORRUPT);
}

/* DELTA_BINARY_PACKED reference encoder (block 128, 4 miniblocks of 32). */
static void put_dbp(bytes *b, const int64_t *v, size_t n, bool force_zero_width)
{
    put_uleb(b, 128);
    put_uleb(b, 4);
    put_uleb(b, n);
    put_zigzag(b, n ? v[0] : 0);
    for (size_t i = 1; i < n; i += 128) {
        size_t cnt = TARN_MIN((size_t)128, n - i);
        int64_t min = INT64_MAX;
        uint64_t d[128];
        for (size_t k = 0; k < cnt; k++) {
            int64_t delta = (int64_t)((uint64_t)v[i + k] - (uint64_t)v[i + k - 1]);
            min = delta < min ? delta : min;
        }
        for (size_t k = 0; k < 128; k++)
            d[k] = k < cnt ? (uint64_t)v[i + k] - (uint64_t)v[i + k - 1] - (uint64_t)min : 0;
        put_zigzag(b, min);
        int widths[4];
        size_t n_mini = (cnt + 31) / 32;
        for (int m = 0; m < 4; m++) {
            uint64_t mx = 0;
            for (int k = 0; k < 32; k++)
                mx |= d[m * 32 + k];
            widths[m] = force_zero_width ? 0 : tarn_pq_bit_width(mx);
            put(b, (uint8_t)((size_t)m < n_mini ? widths[m] : 0xee)); /* unused: junk */
        }
        for (size_t m = 0; m < n_mini; m++)
            put_packed(b, d + m * 32, 32, widths[m]);
    }
}

static void check_dbp(const int64_t *v, size_t n, size_t step)
{
    tarn_err err;
    bytes b = {.n = 0};
    put_dbp(&b, v, n, false);
    put(&b, 0xab); /* a trailing byte that must not be consumed */
    tarn_pq_dbp d;
    assert_int_equal(tarn_pq_dbp_init(&d, b.d, b.n, n, &err), TARN_OK);
    int64_t *got = calloc(n + 1, sizeof *got);
    for (size_t i = 0; i < n; i += step)
        assert_int_equal(tarn_pq_dbp_get(&d, got + i, (int64_t)TARN_MIN(step, n - i), &err),
                         TARN_OK);
    for (size_t i = 0; i < n; i++)
        assert_true(got[i] == v[i]);
    assert_ptr_equal(tarn_pq_dbp_end(&d), b.d + b.n - 1);
    assert_int_equal(tarn_pq_dbp_get(&d, got, 1, &err), TARN_ERR_CORRUPT);
    free(got);
}

static void test_delta_binary_packed(void **state)
{
    (void)state;
    int64_t v[1000];
    /* Encodings.md example: 1 2 3 4 5 (all deltas equal: width 0). */
    for (int i = 0; i < 5; i++)
        v[i] = i + 1;
    check_dbp(v, 5, 1);
    /* Negative and mixed deltas, several blocks, odd request sizes. */
    for (int i = 0; i < 1000; i++)
        v[i] = (int64_t)(rnd() % 2000) - 1000;
    for (size_t step = 1; step < 300; step += 37)
        check_dbp(v, 1000, step);
    /* Wrapping extremes. */
    int64_t ext[] = {INT64_MAX, INT64_MIN, 0, INT64_MIN, INT64_MAX, -1, 1};
    check_dbp(ext, 7, 3);
    check_dbp(v, 1, 1);   /* only the header value */
    check_dbp(v, 0, 1);   /* empty */
    check_dbp(v, 129, 8); /* exactly one delta block plus the first value */
    /* Constant run: every miniblock has width 0. */
    for (int i = 0; i < 300; i++)
        v[i] = 7 - i;
    check_dbp(v, 300, 64);

    tarn_err err;
    tarn_pq_dbp d;
    bytes b = {.n = 0};
    put_dbp(&b, v, 300, false);
    assert_int_equal(tarn_pq_dbp_init(&d, b.d, b.n, 100, &err), TARN_ERR_CORRUPT); /* > max */
    uint8_t bad_block[] = {100, 4, 1, 0}; /* block size not a multiple of 128 */
    assert_int_equal(tarn_pq_dbp_init(&d, bad_block, 4, 10, &err), TARN_ERR_CORRUPT);
    /* Truncated miniblock data. */
    for (int i = 0; i < 300; i++)
        v[i] = (int64_t)(rnd() % 100000);
    b.n = 0;
    put_dbp(&b, v, 300, false);
    /* Missing padding after the last value is tolerated; missing values are not. */
    assert_int_equal(tarn_pq_dbp_init(&d, b.d, b.n - 120, 300, &err), TARN_OK);
    int64_t out[300];
    assert_int_equal(tarn_pq_dbp_get(&d, out, 300, &err), TARN_ERR_CORRUPT);
}

static void test_plain(void **state)
{
    (void)state;
    tarn_err err;
    tarn_pq_values v;
    tarn_pq_values_init(&v);
    /* Booleans across byte boundaries, read in pieces. */
    uint8_t bits[] = {0xa5, 0x0f, 0x01};
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_PLAIN, TARN_PQ_BOOLEAN, 0, bits, 3, 17, &err),
        TARN_OK);
    uint8_t bo[17];
    assert_int_equal(tarn_pq_values_bools(&v, bo, 5, &err), TARN_OK);
    assert_int_equal(tarn_pq_values_bools(&v, bo + 5, 12, &err), TARN_OK);
    const uint8_t want[17] = {1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1};
    assert_memory_equal(bo, want, 17);
    assert_int_equal(tarn_pq_values_bools(&v, bo, 1, &err), TARN_ERR_CORRUPT); /* > n_values */

    /* INT32 PLAIN: memcpy, with a bounds error past the end. */
    int32_t ints[4] = {1, -2, 3, INT32_MIN};
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_PLAIN, TARN_PQ_INT32, 4,
                                          (const uint8_t *)ints, 16, 5, &err),
                     TARN_OK);
    int32_t io[5];
    assert_int_equal(tarn_pq_values_fixed(&v, (uint8_t *)io, 4, &err), TARN_OK);
    assert_memory_equal(io, ints, 16);
    assert_int_equal(tarn_pq_values_fixed(&v, (uint8_t *)io, 1, &err), TARN_ERR_CORRUPT);

    /* BYTE_ARRAY PLAIN into a string vector; a length past the end fails. */
    uint8_t ba[] = {3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 2, 0, 0, 0, 'x', 'y', 9, 0, 0, 0, 'z'};
    tarn_vec *s = tarn_vec_create_type(tarn_type_make(TARN_TYPE_STRING));
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_PLAIN, TARN_PQ_BYTE_ARRAY, 0, ba, sizeof ba, 4, &err),
        TARN_OK);
    assert_int_equal(tarn_pq_values_bytes(&v, s, 3, &err), TARN_OK);
    assert_int_equal(s->len, 3);
    int32_t len;
    assert_memory_equal(tarn_vec_get_bytes(s, 0, &len), "abc", 3);
    assert_int_equal(len, 3);
    tarn_vec_get_bytes(s, 1, &len);
    assert_int_equal(len, 0);
    assert_memory_equal(tarn_vec_get_bytes(s, 2, &len), "xy", 2);
    assert_int_equal(tarn_pq_values_bytes(&v, s, 1, &err), TARN_ERR_CORRUPT);
    tarn_vec_destroy(s);

    /* Unsupported combinations say so. */
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_DELTA_BINARY_PACKED, TARN_PQ_DOUBLE, 8,
                                          ba, sizeof ba, 1, &err),
                     TARN_ERR_UNSUPPORTED);
    tarn_pq_values_fini(&v);
}

static void test_dictionary_indices(void **state)
{
    (void)state;
    tarn_err err;
    tarn_pq_values v;
    tarn_pq_values_init(&v);
    bytes b = {.n = 0};
    put(&b, 3); /* bit width */
    uint64_t idx[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    put_bp_run(&b, idx, 8, 3);
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_RLE_DICTIONARY, TARN_PQ_INT32, 4, b.d, b.n, 8, &err),
        TARN_OK);
    uint32_t out[8];
    assert_int_equal(tarn_pq_values_indices(&v, out, 8, 8, &err), TARN_OK);
    assert_int_equal(out[7], 7);
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_PLAIN_DICTIONARY, TARN_PQ_INT32, 4, b.d, b.n, 8, &err),
        TARN_OK);
    assert_int_equal(tarn_pq_values_indices(&v, out, 8, 7, &err), TARN_ERR_CORRUPT);
    uint8_t wide[] = {33, 0};
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_RLE_DICTIONARY, TARN_PQ_INT32, 4, wide, 2, 1, &err),
        TARN_ERR_CORRUPT);
    /* An empty page: any value request fails. */
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_RLE_DICTIONARY, TARN_PQ_INT32, 4, wide, 0, 1, &err),
        TARN_OK);
    assert_int_equal(tarn_pq_values_indices(&v, out, 1, 8, &err), TARN_ERR_CORRUPT);
    tarn_pq_values_fini(&v);
}

static void test_rle_booleans(void **state)
{
    (void)state;
    tarn_err err;
    tarn_pq_values v;
    tarn_pq_values_init(&v);
    bytes runs = {.n = 0};
    put_rle_run(&runs, 1, 5, 1);
    uint64_t bits[8] = {0, 1, 1, 0, 1, 0, 0, 1};
    put_bp_run(&runs, bits, 8, 1);
    bytes b = {.n = 0};
    for (int i = 0; i < 4; i++)
        put(&b, (uint8_t)(runs.n >> (8 * i))); /* 4-byte length prefix */
    memcpy(b.d + b.n, runs.d, runs.n);
    b.n += runs.n;
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_RLE, TARN_PQ_BOOLEAN, 0, b.d, b.n, 13, &err), TARN_OK);
    uint8_t out[13];
    assert_int_equal(tarn_pq_values_bools(&v, out, 13, &err), TARN_OK);
    const uint8_t want[13] = {1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 1};
    assert_memory_equal(out, want, 13);
    b.d[0] = 200; /* prefix longer than the page */
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_RLE, TARN_PQ_BOOLEAN, 0, b.d, b.n, 13, &err),
        TARN_ERR_CORRUPT);
    tarn_pq_values_fini(&v);
}

static void test_delta_byte_arrays(void **state)
{
    (void)state;
    tarn_err err;
    const char *words[] = {"axis", "axle", "babble", "babby", "", "b", "bab"};
    int n = 7;
    /* DELTA_LENGTH_BYTE_ARRAY: lengths, then all bytes. */
    bytes b = {.n = 0};
    int64_t lens[7], pre[7], suf[7];
    for (int i = 0; i < n; i++)
        lens[i] = (int64_t)strlen(words[i]);
    put_dbp(&b, lens, (size_t)n, false);
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < strlen(words[i]); k++)
            put(&b, (uint8_t)words[i][k]);
    tarn_pq_values v;
    tarn_pq_values_init(&v);
    tarn_vec *s = tarn_vec_create_type(tarn_type_make(TARN_TYPE_STRING));
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY,
                                          TARN_PQ_BYTE_ARRAY, 0, b.d, b.n, n, &err),
                     TARN_OK);
    assert_int_equal(tarn_pq_values_bytes(&v, s, 2, &err), TARN_OK);
    assert_int_equal(tarn_pq_values_bytes(&v, s, 5, &err), TARN_OK);
    for (int i = 0; i < n; i++) {
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(s, i, &len);
        assert_int_equal(len, (int)strlen(words[i]));
        assert_memory_equal(p, words[i], (size_t)len);
    }
    /* Lengths that exceed the page are refused up front. */
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY,
                                          TARN_PQ_BYTE_ARRAY, 0, b.d, b.n - 3, n, &err),
                     TARN_ERR_CORRUPT);

    /* DELTA_BYTE_ARRAY: prefix lengths, suffix lengths, suffix bytes. */
    b.n = 0;
    for (int i = 0; i < n; i++) {
        size_t p = 0;
        if (i > 0)
            while (words[i][p] && words[i - 1][p] && words[i][p] == words[i - 1][p])
                p++;
        pre[i] = (int64_t)p;
        suf[i] = (int64_t)(strlen(words[i]) - p);
    }
    put_dbp(&b, pre, (size_t)n, false);
    put_dbp(&b, suf, (size_t)n, false);
    for (int i = 0; i < n; i++)
        for (int64_t k = pre[i]; k < (int64_t)strlen(words[i]); k++)
            put(&b, (uint8_t)words[i][k]);
    tarn_vec_reset(s);
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_DELTA_BYTE_ARRAY, TARN_PQ_BYTE_ARRAY, 0,
                                          b.d, b.n, n, &err),
                     TARN_OK);
    for (int i = 0; i < n; i++) /* one at a time: the previous value crosses calls */
        assert_int_equal(tarn_pq_values_bytes(&v, s, 1, &err), TARN_OK);
    for (int i = 0; i < n; i++) {
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(s, i, &len);
        assert_int_equal(len, (int)strlen(words[i]));
        assert_memory_equal(p, words[i], (size_t)len);
    }
    tarn_vec_destroy(s);

    /* FIXED_LEN_BYTE_ARRAY through DELTA_BYTE_ARRAY. */
    const char *fl[] = {"abc", "abd", "xbd"};
    int64_t fp[3] = {0, 2, 0}, fs[3] = {3, 1, 3};
    b.n = 0;
    put_dbp(&b, fp, 3, false);
    put_dbp(&b, fs, 3, false);
    const char *sfx = "abcdxbd";
    for (int i = 0; i < 7; i++)
        put(&b, (uint8_t)sfx[i]);
    uint8_t out[9];
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_DELTA_BYTE_ARRAY,
                                          TARN_PQ_FIXED_LEN_BYTE_ARRAY, 3, b.d, b.n, 3, &err),
                     TARN_OK);
    assert_int_equal(tarn_pq_values_fixed(&v, out, 3, &err), TARN_OK);
    for (int i = 0; i < 3; i++)
        assert_memory_equal(out + 3 * i, fl[i], 3);
    tarn_pq_values_fini(&v);
}

static void test_byte_stream_split(void **state)
{
    (void)state;
    tarn_err err;
    float f[5] = {1.5f, -2.25f, 0.0f, 3e38f, -1e-30f};
    uint8_t enc[20];
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++)
            enc[k * 5 + i] = ((uint8_t *)&f[i])[k];
    tarn_pq_values v;
    tarn_pq_values_init(&v);
    assert_int_equal(
        tarn_pq_values_start(&v, TARN_PQ_ENC_BYTE_STREAM_SPLIT, TARN_PQ_FLOAT, 4, enc, 20, 5, &err),
        TARN_OK);
    float out[5];
    assert_int_equal(tarn_pq_values_fixed(&v, (uint8_t *)out, 2, &err), TARN_OK);
    assert_int_equal(tarn_pq_values_fixed(&v, (uint8_t *)out + 8, 3, &err), TARN_OK);
    assert_memory_equal(out, f, sizeof f);
    /* FLBA(3) streams. */
    uint8_t raw[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    uint8_t e3[9];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++)
            e3[k * 3 + i] = raw[i][k];
    uint8_t o3[9];
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_BYTE_STREAM_SPLIT,
                                          TARN_PQ_FIXED_LEN_BYTE_ARRAY, 3, e3, 9, 3, &err),
                     TARN_OK);
    assert_int_equal(tarn_pq_values_fixed(&v, o3, 3, &err), TARN_OK);
    assert_memory_equal(o3, raw, 9);
    assert_int_equal(tarn_pq_values_start(&v, TARN_PQ_ENC_BYTE_STREAM_SPLIT, TARN_PQ_DOUBLE, 8, enc,
                                          20, 5, &err),
                     TARN_ERR_CORRUPT); /* 20 bytes is not a whole number of doubles */
    tarn_pq_values_fini(&v);
}

static void test_conversions(void **state)
{
    (void)state;
    tarn_err err;
    /* INT96: 2009-01-01T00:00:00 is Julian day 2454833. */
    uint8_t i96[12] = {0};
    int32_t jd = 2454833;
    int64_t ns = 1500;
    memcpy(i96, &ns, 8);
    memcpy(i96 + 8, &jd, 4);
    assert_true(tarn_pq_int96_to_micros(i96) == INT64_C(1230768000000000) + 1);
    /* Spark's wrapped year-290000 value (int96_from_spark.parquet). */
    jd = -105862232;
    ns = -32509551616000;
    memcpy(i96, &ns, 8);
    memcpy(i96 + 8, &jd, 4);
    assert_true(tarn_pq_int96_to_micros(i96) == INT64_C(9089380393200000000));

    /* Half floats. */
    assert_true(tarn_pq_half_to_float(0x3c00) == 1.0f);
    assert_true(tarn_pq_half_to_float(0xc000) == -2.0f);
    assert_true(tarn_pq_half_to_float(0x7bff) == 65504.0f);
    assert_true(tarn_pq_half_to_float(0x0001) == ldexpf(1, -24)); /* smallest subnormal */
    assert_true(tarn_pq_half_to_float(0x03ff) == ldexpf(1023, -24));
    assert_true(isinf(tarn_pq_half_to_float(0x7c00)));
    assert_true(isnan(tarn_pq_half_to_float(0x7e00)));
    float nz = tarn_pq_half_to_float(0x8000);
    assert_true(nz == 0 && signbit(nz));

    /* Big-endian two's complement. */
    tarn_i128 x;
    uint8_t m1[] = {0xff, 0xfe};
    assert_int_equal(tarn_pq_be_int(m1, 2, &x, &err), TARN_OK);
    assert_true(x == -2);
    uint8_t wide[17] = {0, 0x7f};
    for (int i = 2; i < 17; i++)
        wide[i] = 0xff;
    assert_int_equal(tarn_pq_be_int(wide, 17, &x, &err), TARN_OK);
    assert_true(x == (tarn_i128)(~(tarn_u128)0 >> 1));
    wide[0] = 1;
    assert_int_equal(tarn_pq_be_int(wide, 17, &x, &err), TARN_ERR_CORRUPT);

    /* Fixed-width conversions. */
    int32_t i32[3] = {-1, 300, 65535};
    int8_t o8[3];
    assert_int_equal(
        tarn_pq_convert_fixed(TARN_PQ_CONV_I32_I8, (uint8_t *)i32, 4, 3, (uint8_t *)o8, 1, &err),
        TARN_OK);
    assert_int_equal(o8[0], -1);
    int64_t o64[3];
    assert_int_equal(tarn_pq_convert_fixed(TARN_PQ_CONV_I32_I64, (uint8_t *)i32, 4, 3,
                                           (uint8_t *)o64, 1000, &err),
                     TARN_OK);
    assert_true(o64[1] == 300000);
    int64_t ms[2] = {INT64_MAX / 10, 5};
    assert_int_equal(tarn_pq_convert_fixed(TARN_PQ_CONV_I64_MUL, (uint8_t *)ms, 8, 2,
                                           (uint8_t *)o64, 1000, &err),
                     TARN_ERR_UNSUPPORTED);
    uint8_t be[2][3] = {{0x00, 0x01, 0x00}, {0xff, 0xff, 0x9c}};
    assert_int_equal(
        tarn_pq_convert_fixed(TARN_PQ_CONV_BE_DEC64, &be[0][0], 3, 2, (uint8_t *)o64, 1, &err),
        TARN_OK);
    assert_true(o64[0] == 256 && o64[1] == -100);
    tarn_i128 o128[2];
    assert_int_equal(
        tarn_pq_convert_fixed(TARN_PQ_CONV_BE_DEC128, &be[0][0], 3, 2, (uint8_t *)o128, 1, &err),
        TARN_OK);
    assert_true(o128[1] == -100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unpack_every_width),  cmocka_unit_test(test_rle_hybrid),
        cmocka_unit_test(test_rle_edges),           cmocka_unit_test(test_levels),
        cmocka_unit_test(test_delta_binary_packed), cmocka_unit_test(test_plain),
        cmocka_unit_test(test_dictionary_indices),  cmocka_unit_test(test_rle_booleans),
        cmocka_unit_test(test_delta_byte_arrays),   cmocka_unit_test(test_byte_stream_split),
        cmocka_unit_test(test_conversions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
