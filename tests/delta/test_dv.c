/*
 * tests/delta/test_dv.c - deletion vectors: z85, hand-built RoaringTreemaps
 * (array, bitmap and run containers, several high buckets, offset headers),
 * the DV file framing (version, size, CRC), inline DVs, malformed input,
 * and the DV file of the corpus table drs-dv-small.
 */
#include "tarn_test.h"

#include "base/hash.h"
#include "delta/dv.h"

/* Little byte builder for hand-made bitmaps. */
typedef struct bb {
    uint8_t d[1 << 17]; /* bytes */
    size_t n;           /* used */
} bb;

static void put(bb *b, uint64_t v, int w)
{
    for (int i = 0; i < w; i++)
        b->d[b->n++] = (uint8_t)(v >> (8 * i));
}

static void put_be32(bb *b, uint32_t v)
{
    for (int i = 3; i >= 0; i--)
        b->d[b->n++] = (uint8_t)(v >> (8 * i));
}

static void start(bb *b, uint64_t buckets)
{
    b->n = 0;
    put(b, TARN_DELTA_DV_MAGIC, 4);
    put(b, buckets, 8);
}

/* One bucket holding one array container of vals (16-bit key 0). */
static void array_bucket(bb *b, uint32_t high, const uint16_t *vals, int n)
{
    put(b, high, 4);
    put(b, 12346, 4);
    put(b, 1, 4);     /* containers */
    put(b, 0, 2);     /* key */
    put(b, n - 1, 2); /* cardinality - 1 */
    put(b, 0, 4);     /* offset (not used by the reader) */
    for (int i = 0; i < n; i++)
        put(b, vals[i], 2);
}

static tarn_delta_dv_rows decode_ok(const bb *b, uint64_t max_rows)
{
    tarn_delta_dv_rows r;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_delta_dv_decode(b->d, b->n, max_rows, &r, &err) != TARN_OK)
        fail_msg("decode: %s", err.msg);
    return r;
}

static void test_z85(void **state)
{
    (void)state;
    uint8_t out[64];
    tarn_err err;
    const uint8_t hello[8] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
    assert_int_equal(tarn_delta_z85_decode("HelloWorld", 10, out, &err), TARN_OK);
    assert_memory_equal(out, hello, 8);
    assert_int_equal(tarn_delta_z85_decode("Hello", 4, out, &err), TARN_ERR_CORRUPT);
    assert_int_equal(tarn_delta_z85_decode("Hel~o", 5, out, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "'~'"));
    assert_int_equal(tarn_delta_z85_decode("#####", 5, out, &err), TARN_ERR_CORRUPT);
}

static void test_array_bitmap_run(void **state)
{
    (void)state;
    static bb b;
    /* array container */
    const uint16_t vals[] = {3, 4, 7, 11, 18, 29};
    start(&b, 1);
    array_bucket(&b, 0, vals, 6);
    tarn_delta_dv_rows r = decode_ok(&b, 100);
    assert_int_equal(r.n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(r.rows[i], vals[i]);
    assert_int_equal(tarn_delta_dv_rows_lower_bound(&r, 5), 2);
    assert_int_equal(tarn_delta_dv_rows_lower_bound(&r, 7), 2);
    assert_int_equal(tarn_delta_dv_rows_lower_bound(&r, 30), 6);
    tarn_delta_dv_rows_fini(&r);

    /* bitmap container: every even number below 10000 (5000 values) */
    start(&b, 1);
    put(&b, 0, 4);
    put(&b, 12346, 4);
    put(&b, 1, 4);
    put(&b, 0, 2);
    put(&b, 5000 - 1, 2);
    put(&b, 0, 4);
    for (int w = 0; w < 1024; w++)
        put(&b,
            w * 64 < 10000 ? 0x5555555555555555ull & (w * 64 + 64 <= 10000 ? ~0ull : 0xFFFFull) : 0,
            8);
    r = decode_ok(&b, 20000);
    assert_int_equal(r.n, 5000);
    for (int i = 0; i < 5000; i++)
        assert_int_equal(r.rows[i], (uint64_t)i * 2);
    tarn_delta_dv_rows_fini(&r);

    /* run container (cookie 12347, one container: no offset header) */
    start(&b, 1);
    put(&b, 0, 4);
    put(&b, 12347 | (0u << 16), 4); /* 1 container */
    put(&b, 0x01, 1);               /* container 0 is a run container */
    put(&b, 0, 2);
    put(&b, 10 + 3 - 1, 2); /* cardinality 13 */
    put(&b, 2, 2);          /* two runs */
    put(&b, 100, 2);
    put(&b, 9, 2); /* 100..109 */
    put(&b, 500, 2);
    put(&b, 2, 2); /* 500..502 */
    r = decode_ok(&b, 1000);
    assert_int_equal(r.n, 13);
    assert_int_equal(r.rows[0], 100);
    assert_int_equal(r.rows[9], 109);
    assert_int_equal(r.rows[10], 500);
    assert_int_equal(r.rows[12], 502);
    tarn_delta_dv_rows_fini(&r);
}

static void test_buckets_and_offsets(void **state)
{
    (void)state;
    static bb b;
    /* bucket 0: array {5}; bucket 1: run cookie with 4 containers (so the
     * offset header is present): keys 0 (array), 1 (run), 2 (array), 7 (run) */
    start(&b, 2);
    const uint16_t five[] = {5};
    array_bucket(&b, 0, five, 1);
    put(&b, 1, 4);
    put(&b, 12347 | (3u << 16), 4); /* 4 containers */
    put(&b, 0x0A, 1);               /* containers 1 and 3 are runs */
    put(&b, 0, 2), put(&b, 1, 2);   /* key 0, card 2 */
    put(&b, 1, 2), put(&b, 2, 2);   /* key 1, card 3 */
    put(&b, 2, 2), put(&b, 0, 2);   /* key 2, card 1 */
    put(&b, 7, 2), put(&b, 0, 2);   /* key 7, card 1 */
    for (int i = 0; i < 4; i++)
        put(&b, 0, 4);                               /* offsets */
    put(&b, 1, 2), put(&b, 65535, 2);                /* array: 1, 65535 */
    put(&b, 1, 2), put(&b, 0, 2), put(&b, 2, 2);     /* run: 0..2 */
    put(&b, 42, 2);                                  /* array: 42 */
    put(&b, 1, 2), put(&b, 65535, 2), put(&b, 0, 2); /* run: 65535 */
    tarn_delta_dv_rows r = decode_ok(&b, UINT64_MAX);
    uint64_t H = 1ull << 32;
    uint64_t want[] = {5,         H + 1,     H + 65535,          H + 65536,
                       H + 65537, H + 65538, H + 2 * 65536 + 42, H + 7 * 65536 + 65535};
    assert_int_equal(r.n, (int64_t)TARN_ARRAY_LEN(want));
    for (size_t i = 0; i < TARN_ARRAY_LEN(want); i++)
        assert_int_equal(r.rows[i], want[i]);
    assert_int_equal(tarn_delta_dv_rows_lower_bound(&r, H), 1);
    tarn_delta_dv_rows_fini(&r);

    /* the same bitmap against a small file is corrupt */
    tarn_err err;
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, 100, &r, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "the file has 100 rows"));
    assert_null(r.rows);
}

/* The older native layout: bitmap count, then (size, 32-bit bitmap) pairs
 * whose high key is their index; little-endian here. */
static void test_native_layout(void **state)
{
    (void)state;
    static bb b;
    b.n = 0;
    put(&b, TARN_DELTA_DV_MAGIC_NATIVE, 4);
    put(&b, 2, 4);
    for (int k = 0; k < 2; k++) {
        put(&b, 4 + 4 + 4 + 4 + 2, 4); /* cookie, count, header, offset, one value */
        put(&b, 12346, 4);
        put(&b, 1, 4);
        put(&b, 0, 2), put(&b, 0, 2);
        put(&b, 0, 4);
        put(&b, 3 + k, 2);
    }
    tarn_delta_dv_rows r = decode_ok(&b, UINT64_MAX);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rows[0], 3);
    assert_int_equal(r.rows[1], (1ull << 32) + 4);
    tarn_delta_dv_rows_fini(&r);
    /* a size field that disagrees with the bitmap is corrupt */
    b.d[8] = 99;
    tarn_err err;
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, UINT64_MAX, &r, &err), TARN_ERR_CORRUPT);
}

static void test_malformed(void **state)
{
    (void)state;
    static bb b;
    tarn_delta_dv_rows r;
    tarn_err err;
    const uint16_t vals[] = {3, 4, 7};
    start(&b, 1);
    array_bucket(&b, 0, vals, 3);
    /* every truncation fails cleanly */
    for (size_t n = 0; n < b.n; n++)
        assert_int_not_equal(tarn_delta_dv_decode(b.d, n, 100, &r, &err), TARN_OK);
    /* unsorted values */
    const uint16_t unsorted[] = {7, 3};
    start(&b, 1);
    array_bucket(&b, 0, unsorted, 2);
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, 100, &r, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "ascending"));
    /* unknown magic */
    start(&b, 0);
    b.d[1] ^= 1;
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, 100, &r, &err), TARN_ERR_UNSUPPORTED);
    /* bad cookie */
    start(&b, 1);
    put(&b, 0, 4);
    put(&b, 999, 4);
    put(&b, 0, 4);
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, 100, &r, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "cookie"));
    /* absurd bucket count */
    start(&b, UINT64_MAX);
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, 100, &r, &err), TARN_ERR_CORRUPT);
    /* empty treemap */
    start(&b, 0);
    assert_int_equal(tarn_delta_dv_decode(b.d, b.n, 100, &r, &err), TARN_OK);
    assert_int_equal(r.n, 0);
}

static void test_inline_and_ids(void **state)
{
    (void)state;
    /* PROTOCOL.md "JSON Example 3 - Inline": rows 3, 4, 7, 11, 18, 29 (this
     * example uses the older native layout with big-endian integers) */
    tarn_delta_dv dv = {'i', "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", false, 0, 40, 6};
    tarn_delta_dv_rows r;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_delta_dv_load("/nowhere", &dv, 1000, &r, &err), TARN_OK);
    uint64_t want[] = {3, 4, 7, 11, 18, 29};
    assert_int_equal(r.n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(r.rows[i], want[i]);
    tarn_delta_dv_rows_fini(&r);
    dv.cardinality = 5;
    assert_int_equal(tarn_delta_dv_load("/nowhere", &dv, 1000, &r, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "cardinality 5"));

    tarn_arena *a = tarn_arena_create(0);
    assert_string_equal(tarn_delta_dv_unique_id(a, &dv),
                        "iwi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L");
    /* PROTOCOL.md "JSON Example 1": prefix "ab" and a z85 UUID */
    tarn_delta_dv u = {'u', "ab^-aqEH.-t@S}K{vb[*k^", true, 4, 40, 6};
    assert_string_equal(tarn_delta_dv_unique_id(a, &u), "uab^-aqEH.-t@S}K{vb[*k^@4");
    char *path;
    assert_int_equal(tarn_delta_dv_path(a, "/mytable", &u, &path, &err), TARN_OK);
    assert_string_equal(path,
                        "/mytable/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
    tarn_delta_dv p = {'p', "file:///mytable/deletion_vector_x.bin", true, 4, 40, 6};
    assert_int_equal(tarn_delta_dv_path(a, "/mytable", &p, &path, &err), TARN_OK);
    assert_string_equal(path, "/mytable/deletion_vector_x.bin");
    tarn_arena_destroy(a);
}

static void write_bytes(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void test_dv_file(void **state)
{
    (void)state;
    static bb bm, file;
    const uint16_t vals[] = {1, 2, 8};
    start(&bm, 1);
    array_bucket(&bm, 0, vals, 3);
    /* file: version 1, a 3-byte filler DV-less gap, then our DV at offset 4 */
    file.n = 0;
    put(&file, 1, 1);
    put(&file, 0, 3);
    put_be32(&file, (uint32_t)bm.n);
    memcpy(file.d + file.n, bm.d, bm.n);
    file.n += bm.n;
    put_be32(&file, tarn_crc32(0, bm.d, bm.n));

    char dir[256], path[512];
    tt_tmpdir("dv", dir, sizeof dir);
    /* 'u' with no prefix: "00000000000000000000" is the all-zero UUID in z85 */
    snprintf(path, sizeof path, "%s/deletion_vector_00000000-0000-0000-0000-000000000000.bin", dir);
    write_bytes(path, file.d, file.n);
    tarn_delta_dv dv = {'u', "00000000000000000000", true, 4, (int32_t)bm.n, 3};
    tarn_delta_dv_rows r;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_delta_dv_load(dir, &dv, 10, &r, &err), TARN_OK);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.rows[2], 8);
    tarn_delta_dv_rows_fini(&r);

    dv.size_in_bytes++; /* size field disagrees */
    assert_int_equal(tarn_delta_dv_load(dir, &dv, 10, &r, &err), TARN_ERR_CORRUPT);
    dv.size_in_bytes--;
    dv.offset = 1000; /* outside the file */
    assert_int_equal(tarn_delta_dv_load(dir, &dv, 10, &r, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.path, "deletion_vector_"));
    dv.offset = 4;
    file.d[file.n - 1] ^= 0xff; /* CRC mismatch */
    write_bytes(path, file.d, file.n);
    assert_int_equal(tarn_delta_dv_load(dir, &dv, 10, &r, &err), TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "CRC"));
    file.d[file.n - 1] ^= 0xff;
    file.d[0] = 2; /* unknown file version */
    write_bytes(path, file.d, file.n);
    assert_int_equal(tarn_delta_dv_load(dir, &dv, 10, &r, &err), TARN_ERR_UNSUPPORTED);
    remove(path);
    assert_int_not_equal(tarn_delta_dv_load(dir, &dv, 10, &r, &err), TARN_OK); /* missing file */
    tt_rmrf(dir);
}

static void test_corpus_dv(void **state)
{
    (void)state;
    char root[512];
    tt_testdata("delta/drs-dv-small/delta", root, sizeof root);
    tarn_delta_dv dv = {'u', "vBn[lx{q8@P<9BNH/isA", true, 1, 36, 2};
    tarn_delta_dv_rows r;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_delta_dv_load(root, &dv, 10, &r, &err) != TARN_OK)
        fail_msg("%s (%s)", err.msg, err.path);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.rows[0], 0);
    assert_int_equal(r.rows[1], 9);
    tarn_delta_dv_rows_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_z85),
        cmocka_unit_test(test_array_bitmap_run),
        cmocka_unit_test(test_buckets_and_offsets),
        cmocka_unit_test(test_native_layout),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_inline_and_ids),
        cmocka_unit_test(test_dv_file),
        cmocka_unit_test(test_corpus_dv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
