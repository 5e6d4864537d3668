/*
 * tests/column/test_keyindex.c - rows indexed by key: deduplication with a
 * caller's tie rule, composite keys with nulls and every flat kind, many
 * partitions (checked against a brute-force answer), probes from another
 * batch, refusal of a probe with other key types.
 */
#include "tarn_test.h"

#include "column/keyindex.h"

#include <stdio.h>

static tarn_batch *make(const char *schema, tarn_schema **s)
{
    tarn_err err;
    assert_int_equal(tarn_schema_parse(schema, s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(*s);
    assert_non_null(b);
    return b;
}

/* Larger value in column 1 wins; ties keep the kept row. */
static bool bigger_wins(void *ctx, int64_t incoming, int64_t kept)
{
    const tarn_batch *b = ctx;
    return tarn_vec_get_i64(b->cols[1], incoming) > tarn_vec_get_i64(b->cols[1], kept);
}

static void test_dedup_and_probe(void **state)
{
    (void)state;
    tarn_schema *s;
    tarn_batch *b = make("k string, v bigint", &s);
    const char *keys[] = {"a", "b", "a", "", "b", "a"};
    int64_t vals[] = {1, 5, 3, 9, 5, 2};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(tarn_vec_append_bytes(b->cols[0], keys[i], (int64_t)strlen(keys[i])),
                         TARN_OK);
        assert_int_equal(tarn_vec_append_i64(b->cols[1], vals[i]), TARN_OK);
    }
    assert_int_equal(tarn_vec_append_null(b->cols[0]), TARN_OK); /* null key: its own key */
    assert_int_equal(tarn_vec_append_i64(b->cols[1], 0), TARN_OK);
    tarn_err err;
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    int cols[] = {0};
    uint8_t drop[7] = {0};
    tarn_keyindex *x;
    assert_int_equal(tarn_keyindex_build(b, cols, 1, bigger_wins, b, drop, &x, &err), TARN_OK);
    assert_int_equal(tarn_keyindex_keys(x), 4);    /* a b "" null */
    assert_int_equal(tarn_keyindex_repeats(x), 3); /* a twice, b once */
    uint8_t want[7] = {1, 0, 0, 0, 1, 1, 0};       /* a=3 wins; b's tie keeps row 1 */
    assert_memory_equal(drop, want, 7);
    /* Probe with the same batch: every row finds its key's winner. */
    int64_t hit[7];
    assert_int_equal(tarn_keyindex_probe(x, b, cols, hit, &err), TARN_OK);
    int64_t want_hit[7] = {2, 1, 2, 3, 1, 2, 6};
    assert_memory_equal(hit, want_hit, sizeof hit);
    /* Another type in the probe is refused. */
    tarn_schema *s2;
    tarn_batch *p = make("k bigint", &s2);
    assert_int_equal(tarn_vec_append_i64(p->cols[0], 1), TARN_OK);
    assert_int_equal(tarn_batch_finish(p, &err), TARN_OK);
    assert_int_equal(tarn_keyindex_probe(x, p, cols, hit, &err), TARN_ERR_INVALID);
    tarn_batch_destroy(p);
    tarn_schema_destroy(s2);
    tarn_keyindex_destroy(x);
    /* Without a rule the later row wins. */
    memset(drop, 0, sizeof drop);
    assert_int_equal(tarn_keyindex_build(b, cols, 1, NULL, NULL, drop, &x, &err), TARN_OK);
    uint8_t want2[7] = {1, 1, 1, 0, 0, 0, 0};
    assert_memory_equal(drop, want2, 7);
    tarn_keyindex_destroy(x);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* Composite keys over many partitions agree with a brute-force count. */
static void test_composite_many(void **state)
{
    (void)state;
    tarn_schema *s;
    tarn_batch *b = make("a int, b boolean, c decimal(30,2), d date, v string", &s);
    const int64_t n = 200000;
    uint64_t seed = 42;
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int32_t a = (int32_t)((seed >> 33) % 700);
        bool bb = (seed >> 20) & 1;
        tarn_i128 c = (tarn_i128)((seed >> 40) % 50);
        if ((seed >> 10) % 97 == 0)
            assert_int_equal(tarn_vec_append_null(b->cols[0]), TARN_OK);
        else
            assert_int_equal(tarn_vec_append_i32(b->cols[0], a), TARN_OK);
        assert_int_equal(tarn_vec_append_bool(b->cols[1], bb), TARN_OK);
        assert_int_equal(tarn_vec_append_decimal(b->cols[2], c), TARN_OK);
        assert_int_equal(tarn_vec_append_i32(b->cols[3], 19000), TARN_OK);
        char v[16];
        int len = snprintf(v, sizeof v, "%lld", (long long)i);
        assert_int_equal(tarn_vec_append_bytes(b->cols[4], v, len), TARN_OK);
    }
    tarn_err err;
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    int cols[] = {0, 1, 2, 3};
    uint8_t *drop = test_calloc((size_t)n, 1);
    tarn_keyindex *x;
    assert_int_equal(tarn_keyindex_build(b, cols, 4, NULL, NULL, drop, &x, &err), TARN_OK);
    /* Brute force: (a or null) x b x c -> last row index. */
    int64_t *last = test_malloc(701 * 2 * 50 * sizeof *last);
    for (int i = 0; i < 701 * 2 * 50; i++)
        last[i] = -1;
    for (int64_t i = 0; i < n; i++) {
        int a = tarn_vec_is_null(b->cols[0], i) ? 700 : tarn_vec_get_i32(b->cols[0], i);
        int k = (a * 2 + tarn_vec_get_bool(b->cols[1], i)) * 50 +
                (int)tarn_vec_get_decimal(b->cols[2], i);
        last[k] = i;
    }
    int64_t distinct = 0;
    for (int i = 0; i < 701 * 2 * 50; i++)
        if (last[i] >= 0) {
            distinct++;
            assert_int_equal(drop[last[i]], 0);
        }
    int64_t dropped = 0;
    for (int64_t i = 0; i < n; i++)
        dropped += drop[i];
    assert_int_equal(tarn_keyindex_keys(x), distinct);
    assert_int_equal(dropped, n - distinct);
    assert_int_equal(tarn_keyindex_repeats(x), n - distinct);
    int64_t *hit = test_malloc((size_t)n * sizeof *hit);
    assert_int_equal(tarn_keyindex_probe(x, b, cols, hit, &err), TARN_OK);
    for (int64_t i = 0; i < n; i += 101) {
        int a = tarn_vec_is_null(b->cols[0], i) ? 700 : tarn_vec_get_i32(b->cols[0], i);
        int k = (a * 2 + tarn_vec_get_bool(b->cols[1], i)) * 50 +
                (int)tarn_vec_get_decimal(b->cols[2], i);
        assert_int_equal(hit[i], last[k]);
    }
    test_free(hit);
    test_free(last);
    test_free(drop);
    tarn_keyindex_destroy(x);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dedup_and_probe),
                                       cmocka_unit_test(test_composite_many)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
