/*
 * tests/io/test_compress.c - gzip (multi-member) and zstd (multi-frame)
 * inputs made in the test with the zlib and zstd APIs: detection by magic and
 * name, streaming through tiny chunks, truncation and corruption errors,
 * files on disk, progress bytes.
 */
#include "io_test.h"

#include <zlib.h>
#include <zstd.h>

static tarn_buf gzip_of(const void *data, size_t n)
{
    tarn_buf out = TARN_BUF_INIT;
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    assert_int_equal(tarn_buf_reserve(&out, cap), TARN_OK);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = (Bytef *)out.data;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static tarn_buf zstd_of(const void *data, size_t n)
{
    tarn_buf out = TARN_BUF_INIT;
    size_t cap = ZSTD_compressBound(n);
    assert_int_equal(tarn_buf_reserve(&out, cap), TARN_OK);
    size_t k = ZSTD_compress(out.data, cap, data, n, 3);
    assert_false(ZSTD_isError(k));
    out.len = k;
    return out;
}

static void append_buf(tarn_buf *dst, const tarn_buf *src)
{
    assert_int_equal(tarn_buf_append(dst, src->data, src->len), TARN_OK);
}

static tarn_buf sample(int lines)
{
    tarn_buf t = TARN_BUF_INIT;
    for (int i = 0; i < lines; i++)
        assert_int_equal(tarn_buf_printf(&t, "{\"i\":%d,\"s\":\"row %d \\u00e9\"}\n", i, i),
                         TARN_OK);
    return t;
}

static void expect_same(const tarn_buf *plain, const tarn_buf *packed, const char *name,
                        const tarn_io_opts *o)
{
    io_result a = io_read_mem("i int64, s string", plain->data, plain->len, "p.ndjson", NULL);
    io_result b = io_read_mem("i int64, s string", packed->data, packed->len, name, o);
    if (b.error)
        fail_msg("%s: %s", name, b.error);
    assert_null(a.error);
    assert_string_equal(a.rows, b.rows);
    io_result_free(&a);
    io_result_free(&b);
}

static void test_gzip(void **state)
{
    (void)state;
    tarn_buf t = sample(20000);
    tarn_buf gz = gzip_of(t.data, t.len);
    expect_same(&t, &gz, "x.ndjson.gz", NULL);
    expect_same(&t, &gz, "blob", NULL); /* magic + content sniffing */
    tarn_io_opts o = io_opts_tiny(1000, 3);
    expect_same(&t, &gz, "x.ndjson.gz", &o);
    /* Two members, the second empty of data, then zero padding. */
    tarn_buf half1 = gzip_of(t.data, t.len / 2 + 7),
             half2 = gzip_of(t.data + t.len / 2 + 7, t.len - t.len / 2 - 7);
    tarn_buf empty = gzip_of("", 0), multi = TARN_BUF_INIT;
    append_buf(&multi, &half1);
    append_buf(&multi, &empty);
    append_buf(&multi, &half2);
    expect_same(&t, &multi, "m.jsonl.gz", &o);
    for (int i = 0; i < 100; i++)
        assert_int_equal(tarn_buf_append_char(&multi, 0), TARN_OK);
    expect_same(&t, &multi, "m.jsonl.gz", NULL);
    /* Trailing garbage, truncation, corruption. */
    assert_int_equal(tarn_buf_append_str(&multi, "junk"), TARN_OK);
    io_result r = io_read_mem("i int64", multi.data, multi.len, "m.ndjson.gz", NULL);
    assert_non_null(r.error);
    assert_int_equal(r.err.code, TARN_ERR_CORRUPT);
    assert_non_null(strstr(r.error, "trailing data after gzip stream"));
    io_result_free(&r);
    r = io_read_mem("i int64", gz.data, gz.len - 9, "m.ndjson.gz", &o);
    assert_non_null(r.error);
    assert_int_equal(r.err.code, TARN_ERR_CORRUPT);
    assert_non_null(strstr(r.error, "truncated gzip stream"));
    io_result_free(&r);
    gz.data[gz.len / 2] ^= 0x55;
    gz.data[gz.len / 2 + 1] ^= 0x55;
    r = io_read_mem("i int64", gz.data, gz.len, "m.ndjson.gz", &o);
    assert_non_null(r.error);
    io_result_free(&r);
    tarn_buf_fini(&half1);
    tarn_buf_fini(&half2);
    tarn_buf_fini(&empty);
    tarn_buf_fini(&multi);
    tarn_buf_fini(&gz);
    tarn_buf_fini(&t);
}

static void test_zstd(void **state)
{
    (void)state;
    tarn_buf t = sample(20000);
    tarn_buf zs = zstd_of(t.data, t.len);
    expect_same(&t, &zs, "x.ndjson.zst", NULL);
    expect_same(&t, &zs, "blob", NULL);
    tarn_io_opts o = io_opts_tiny(777, 4);
    expect_same(&t, &zs, "x.ndjson.zst", &o);
    tarn_buf a = zstd_of(t.data, 1000), b = zstd_of(t.data + 1000, t.len - 1000),
             multi = TARN_BUF_INIT;
    append_buf(&multi, &a);
    append_buf(&multi, &b);
    expect_same(&t, &multi, "m.ndjson.zstd", &o);
    io_result r = io_read_mem("i int64", zs.data, zs.len - 5, "m.ndjson.zst", &o);
    assert_non_null(r.error);
    assert_int_equal(r.err.code, TARN_ERR_CORRUPT);
    assert_non_null(strstr(r.error, "truncated zstd stream"));
    io_result_free(&r);
    /* A name that promises compression the bytes do not have. */
    r = io_read_mem("i int64", t.data, t.len, "plain.ndjson.zst", NULL);
    assert_non_null(r.error);
    assert_string_equal(r.error, "plain.ndjson.zst: input is not zstd-compressed (magic bytes "
                                 "differ)");
    io_result_free(&r);
    tarn_buf_fini(&a);
    tarn_buf_fini(&b);
    tarn_buf_fini(&multi);
    tarn_buf_fini(&zs);
    tarn_buf_fini(&t);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

static void test_files(void **state)
{
    (void)state;
    char dir[256], p1[512], p2[512], p3[512];
    tt_tmpdir("io", dir, sizeof dir);
    tarn_buf t = sample(5000);
    tarn_buf gz = gzip_of(t.data, t.len);
    const char *csv = "id;name\n1;\"a;b\"\n2;c\n";
    tarn_buf csvz = zstd_of(csv, strlen(csv));
    snprintf(p1, sizeof p1, "%s/orders.json.gz", dir);
    snprintf(p2, sizeof p2, "%s/data.csv.zst", dir);
    snprintf(p3, sizeof p3, "%s/missing.ndjson", dir);
    write_bytes(p1, gz.data, gz.len);
    write_bytes(p2, csvz.data, csvz.len);

    tarn_io_opts o;
    tarn_err err;
    tarn_io_opts_init(&o);
    assert_int_equal(tarn_io_detect(p1, &o, &err), TARN_OK);
    assert_int_equal(o.format, TARN_IO_NDJSON); /* .json whose first line is an object */
    assert_int_equal(o.compression, TARN_IO_COMP_GZIP);
    tarn_io_opts_init(&o);
    assert_int_equal(tarn_io_detect(p2, &o, &err), TARN_OK);
    assert_int_equal(o.format, TARN_IO_CSV);
    assert_int_equal(o.compression, TARN_IO_COMP_ZSTD);
    assert_int_equal(o.delimiter, ';');
    tarn_io_opts_init(&o);
    assert_int_equal(tarn_io_detect(p3, &o, &err), TARN_ERR_NOT_FOUND);

    tarn_schema *s;
    assert_int_equal(tarn_schema_parse("i int64, s string", &s, &err), TARN_OK);
    tarn_io_reader *r;
    assert_int_equal(tarn_io_reader_open(p1, s, NULL, &r, &err), TARN_OK);
    assert_int_equal(tarn_io_reader_opts(r)->compression, TARN_IO_COMP_GZIP);
    int64_t rows = 0;
    for (;;) {
        tarn_batch *b;
        assert_int_equal(tarn_io_reader_next(r, &b, &err), TARN_OK);
        if (!b)
            break;
        rows += b->n_rows;
    }
    assert_int_equal(rows, 5000);
    assert_int_equal(tarn_io_reader_records(r), 5000);
    assert_int_equal(tarn_io_reader_bytes_read(r), (int64_t)gz.len);
    tarn_io_reader_close(r);
    assert_int_equal(tarn_io_reader_open(p3, s, NULL, &r, &err), TARN_ERR_NOT_FOUND);
    tarn_schema_destroy(s);

    assert_int_equal(tarn_io_infer_schema(p2, NULL, 0, &s, &err), TARN_OK);
    tarn_buf txt = TARN_BUF_INIT;
    assert_int_equal(tarn_schema_format(s, &txt), TARN_OK);
    assert_string_equal(txt.data, "id int64, name string");
    tarn_buf_fini(&txt);
    tarn_schema_destroy(s);

    tarn_buf_fini(&csvz);
    tarn_buf_fini(&gz);
    tarn_buf_fini(&t);
    tt_rmrf(dir);
}

static void test_fuzz(void **state)
{
    (void)state;
    tarn_buf t = sample(300);
    tarn_buf packed[2] = {gzip_of(t.data, t.len), zstd_of(t.data, t.len)};
    uint64_t rng = 3;
    for (int k = 0; k < 2; k++) {
        tarn_buf *z = &packed[k];
        char *buf = malloc(z->len);
        for (int iter = 0; iter < 300; iter++) {
            memcpy(buf, z->data, z->len);
            size_t len = z->len;
            if (iter % 2)
                buf[2 + io_rand(&rng) % (len - 2)] ^= (char)(1 + io_rand(&rng) % 255);
            else
                len = io_rand(&rng) % len;
            tarn_io_opts o = io_opts_tiny(64 + io_rand(&rng) % 500, 2);
            o.format = TARN_IO_NDJSON;
            io_read_any("i int64, s string", buf, len, &o);
        }
        free(buf);
        tarn_buf_fini(z);
    }
    tarn_buf_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_zstd),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
