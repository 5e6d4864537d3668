/*
 * tests/base/test_base.c - status/err formatting, arena, buf, pool, time.
 */
#include "tarn_test.h"

#include "base/arena.h"
#include "base/hash.h"
#include "base/pool.h"
#include "base/time.h"

#include <stdatomic.h>

static void test_err_format(void **state)
{
    (void)state;
    tarn_err err;
    tarn_err_clear(&err);
    char line[1024];
    tarn_err_format(&err, line, sizeof line);
    assert_string_equal(line, "ok");

    assert_int_equal(tarn_err_set(&err, TARN_ERR_INVALID, "bad value '%s'", "x\ny"),
                     TARN_ERR_INVALID);
    tarn_err_at_path(&err, "in.ndjson");
    tarn_err_at_line(&err, 14, 7);
    tarn_err_at_path(&err, "other"); /* context never replaces what is set */
    tarn_err_format(&err, line, sizeof line);
    assert_string_equal(line, "in.ndjson:14:7: bad value 'x y'");

    tarn_err_set(&err, TARN_ERR_CORRUPT, "bad page");
    tarn_err_at_offset(&err, 4096);
    tarn_err_at_path(&err, "f.parquet");
    tarn_err_prefix(&err, "column 'a'");
    tarn_err_format(&err, line, sizeof line);
    assert_string_equal(line, "f.parquet: offset 4096: column 'a': bad page");
    assert_int_equal(tarn_status_exit_code(TARN_ERR_CORRUPT), 2);
    assert_int_equal(tarn_status_exit_code(TARN_ERR_DATA), 1);
    assert_int_equal(tarn_status_exit_code(TARN_OK), 0);
}

static void test_arena(void **state)
{
    (void)state;
    tarn_arena *a = tarn_arena_create(1024);
    assert_non_null(a);
    for (int i = 0; i < 1000; i++) {
        char *p = tarn_arena_alloc(a, (size_t)(i % 50) + 1);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 'x', (size_t)(i % 50) + 1);
    }
    char *big = tarn_arena_alloc(a, 100000);
    assert_non_null(big);
    memset(big, 1, 100000);
    assert_string_equal(tarn_arena_printf(a, "%d-%s", 42, "ok"), "42-ok");
    tarn_arena_reset(a);
    assert_int_equal(tarn_arena_used(a), 0);
    assert_non_null(tarn_arena_alloc(a, 10));
    tarn_arena_destroy(a);
    tarn_arena_destroy(NULL);
}

static void test_buf(void **state)
{
    (void)state;
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_buf_append_str(&b, "a"), TARN_OK);
    assert_int_equal(tarn_buf_printf(&b, "%d", 123), TARN_OK);
    assert_int_equal(tarn_buf_append_json_str(&b, "q\"\\\n\x01", 5), TARN_OK);
    assert_string_equal(b.data, "a123\"q\\\"\\\\\\n\\u0001\"");
    b.max = 16;
    assert_int_equal(tarn_buf_append(&b, "0123456789012345678", 19), TARN_ERR_LIMIT);
    tarn_buf_fini(&b);
}

static void test_alloc_failure(void **state)
{
    (void)state;
    tarn_alloc_fail_at(1);
    assert_null(tarn_alloc(10));
    void *p = tarn_alloc(10);
    assert_non_null(p);
    tarn_free(p);
    tarn_alloc_fail_at(0);
}

static void add_one(void *ctx, int64_t i)
{
    _Atomic int64_t *sum = ctx;
    atomic_fetch_add(sum, i + 1);
}

static void test_pool(void **state)
{
    (void)state;
    tarn_pool *p = tarn_pool_create(3);
    assert_int_equal(tarn_pool_size(p), 3);
    for (int round = 0; round < 200; round++) {
        _Atomic int64_t sum = 0;
        tarn_pool_run(p, 1000, add_one, &sum);
        assert_int_equal(atomic_load(&sum), 1000 * 1001 / 2);
    }
    tarn_pool_destroy(p);
    _Atomic int64_t sum = 0;
    tarn_pool_run(tarn_pool_default(), 10, add_one, &sum);
    assert_int_equal(atomic_load(&sum), 55);
}

static void test_time(void **state)
{
    (void)state;
    assert_int_equal(tarn_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tarn_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tarn_days_from_civil(1969, 12, 31), -1);
    for (int64_t d = -800000; d < 800000; d += 997) {
        int64_t y;
        int m, dd;
        tarn_civil_from_days(d, &y, &m, &dd);
        assert_true(tarn_is_valid_date(y, m, dd));
        assert_int_equal(tarn_days_from_civil(y, m, dd), d);
    }
    assert_false(tarn_is_valid_date(2023, 2, 29));
    assert_true(tarn_is_valid_date(2024, 2, 29));
    assert_false(tarn_is_valid_date(1900, 2, 29));
    assert_int_equal(tarn_floordiv(-1, 10), -1);
    assert_int_equal(tarn_floormod(-1, 10), 9);
}

static void test_hash(void **state)
{
    (void)state;
    assert_int_equal(tarn_crc32(0, "123456789", 9), 0xcbf43926u);
    uint64_t a = tarn_hash_bytes("hello", 5, 0), b = tarn_hash_bytes("hellp", 5, 0);
    assert_true(a != b);
    assert_true(tarn_hash_bytes("hello", 5, 0) == a);
    /* The fused pair equals two single hashes, for every length class. */
    char buf[100];
    for (int i = 0; i < 100; i++)
        buf[i] = (char)(i * 7 + 3);
    for (size_t n = 0; n <= 100; n++) {
        uint64_t two[2];
        tarn_hash_bytes2(buf, n, 3, 4, two);
        assert_true(two[0] == tarn_hash_bytes(buf, n, 3));
        assert_true(two[1] == tarn_hash_bytes(buf, n, 4));
    }
    /* Content fingerprints depend on these values: they must never change. */
    assert_true(tarn_hash_bytes("hello", 5, 3) == UINT64_C(0xe4cda5ed85137ef5));
    for (int i = 0; i < 40; i++)
        buf[i] = (char)i;
    assert_true(tarn_hash_bytes(buf, 40, 4) == UINT64_C(0xaa51f5a17e15305b));
}

static void test_files(void **state)
{
    (void)state;
    char dir[256], path[512];
    tt_tmpdir("fs", dir, sizeof dir);
    tarn_err err;
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(tarn_mkdirs(path, &err), TARN_OK);
    snprintf(path, sizeof path, "%s/a/f.json", dir);
    assert_int_equal(tarn_file_publish(path, "one", 3, &err), TARN_OK);
    assert_int_equal(tarn_file_publish(path, "two", 3, &err), TARN_ERR_EXISTS);
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_file_read_all(path, 100, &b, &err), TARN_OK);
    assert_string_equal(b.data, "one");
    tarn_buf_fini(&b);
    assert_int_equal(tarn_file_write_atomic(path, "three", 5, &err), TARN_OK);
    assert_int_equal(tarn_file_read_all(path, 100, &b, &err), TARN_OK);
    assert_string_equal(b.data, "three");
    assert_int_equal(tarn_file_read_all(path, 2, &b, &err), TARN_ERR_LIMIT);
    tarn_buf_fini(&b);
    snprintf(path, sizeof path, "%s/a", dir);
    tarn_arena *a = tarn_arena_create(0);
    char **names;
    size_t n;
    assert_int_equal(tarn_dir_list(path, a, &names, &n, &err), TARN_OK);
    assert_int_equal(n, 2); /* b, f.json: no temp files left behind */
    assert_string_equal(names[0], "b");
    assert_string_equal(names[1], "f.json");
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(tarn_dir_list(path, a, &names, &n, &err), TARN_ERR_NOT_FOUND);
    tarn_arena_destroy(a);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err_format), cmocka_unit_test(test_arena),
        cmocka_unit_test(test_buf),        cmocka_unit_test(test_alloc_failure),
        cmocka_unit_test(test_pool),       cmocka_unit_test(test_time),
        cmocka_unit_test(test_hash),       cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
