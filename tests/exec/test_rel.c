/*
 * tests/exec/test_rel.c - the relational operators over whole columns and
 * the streaming hash aggregate: grouping order, aggregates with NULLs and
 * overflow, joins with repeated and NULL keys, stable sort and top-N,
 * window functions, per-thread aggregates merged.
 */
#include "tarn_test.h"

#include "exec/hashagg.h"
#include "exec/rel.h"

static tarn_vec *ints(const int64_t *v, const bool *null, int n)
{
    tarn_vec *x = tarn_vec_create_type(tarn_type_make(TARN_TYPE_INT64));
    for (int i = 0; i < n; i++)
        assert_int_equal(null && null[i] ? tarn_vec_append_null(x) : tarn_vec_append_i64(x, v[i]),
                         TARN_OK);
    return x;
}

static tarn_vec *strs(const char *const *v, int n)
{
    tarn_vec *x = tarn_vec_create_type(tarn_type_make(TARN_TYPE_STRING));
    for (int i = 0; i < n; i++)
        assert_int_equal(v[i] ? tarn_vec_append_bytes(x, v[i], (int64_t)strlen(v[i]))
                              : tarn_vec_append_null(x),
                         TARN_OK);
    return x;
}

static void test_group_first_appearance(void **state)
{
    (void)state;
    const char *const g[] = {"b", "a", NULL, "b", "a", NULL, "c"};
    tarn_vec *k = strs(g, 7);
    int64_t gid[7], ng, *first;
    tarn_err err;
    assert_int_equal(tarn_rel_group(&k, 1, 7, gid, &ng, &first, &err), TARN_OK);
    assert_int_equal(ng, 4);
    const int64_t want[] = {0, 1, 2, 0, 1, 2, 3};
    for (int i = 0; i < 7; i++)
        assert_int_equal(gid[i], want[i]);
    assert_int_equal(first[2], 2); /* NULLs form one group */
    const int64_t v[] = {5, 1, 7, 10, 0, 3, 4};
    const bool nul[] = {false, false, false, true, false, false, false};
    tarn_vec *x = ints(v, nul, 7), *sum, *cnt, *mn;
    tarn_type t;
    assert_int_equal(tarn_agg_type(TARN_AGG_SUM, x->type, &t, &err), TARN_OK);
    assert_int_equal(tarn_agg_compute(TARN_AGG_SUM, false, x, gid, 7, ng, t, &sum, &err), TARN_OK);
    assert_int_equal(tarn_agg_compute(TARN_AGG_COUNT, false, x, gid, 7, ng, t, &cnt, &err),
                     TARN_OK);
    assert_int_equal(tarn_agg_compute(TARN_AGG_MIN, false, x, gid, 7, ng, t, &mn, &err), TARN_OK);
    assert_int_equal(tarn_vec_get_i64(sum, 0), 5); /* b: 5 + NULL */
    assert_int_equal(tarn_vec_get_i64(cnt, 0), 1);
    assert_int_equal(tarn_vec_get_i64(sum, 1), 1);
    assert_int_equal(tarn_vec_get_i64(mn, 2), 3);
    tarn_vec_destroy(sum);
    tarn_vec_destroy(cnt);
    tarn_vec_destroy(mn);
    /* An int64 sum that does not fit is an error, not a wrapped value. */
    const int64_t big[] = {INT64_MAX, 1};
    tarn_vec *b = ints(big, NULL, 2);
    int64_t z[2] = {0, 0};
    tarn_vec *o = NULL;
    assert_int_equal(tarn_agg_compute(TARN_AGG_SUM, false, b, z, 2, 1, t, &o, &err), TARN_ERR_DATA);
    assert_null(o);
    tarn_vec_destroy(b);
    tarn_vec_destroy(x);
    tarn_vec_destroy(k);
    tarn_free(first);
}

static void test_join_pairs(void **state)
{
    (void)state;
    const int64_t l[] = {1, 2, 3, 2, 0};
    const bool lnull[] = {false, false, false, false, true};
    const int64_t r[] = {2, 2, 3, 9, 0};
    const bool rnull[] = {false, false, false, false, true};
    tarn_vec *lk = ints(l, lnull, 5), *rk = ints(r, rnull, 5);
    int64_t *li, *ri, np;
    tarn_err err;
    assert_int_equal(tarn_rel_join(&lk, &rk, 1, 5, 5, &li, &ri, &np, &err), TARN_OK);
    /* 2 matches rows 0 and 1 (twice), 3 matches row 2, NULL never matches. */
    assert_int_equal(np, 5);
    const int64_t wl[] = {1, 1, 2, 3, 3}, wr[] = {0, 1, 2, 0, 1};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(li[i], wl[i]);
        assert_int_equal(ri[i], wr[i]);
    }
    tarn_free(li);
    tarn_free(ri);
    tarn_vec_destroy(lk);
    tarn_vec_destroy(rk);
}

static void test_sort_and_top_n(void **state)
{
    (void)state;
    const int64_t v[] = {3, 1, 0, 3, 2, 1};
    const bool nul[] = {false, false, true, false, false, false};
    tarn_vec *x = ints(v, nul, 6);
    tarn_sort_key k = {x, true, false}; /* DESC NULLS LAST */
    int64_t perm[6];
    tarn_err err;
    assert_int_equal(tarn_rel_sort(&k, 1, 6, -1, perm, &err), TARN_OK);
    const int64_t want[] = {0, 3, 4, 1, 5, 2}; /* stable among equals */
    for (int i = 0; i < 6; i++)
        assert_int_equal(perm[i], want[i]);
    /* Top-N over many rows gives the same first rows as a full sort. */
    enum {
        N = 5000
    };
    tarn_vec *big = tarn_vec_create_type(tarn_type_make(TARN_TYPE_INT64));
    for (int i = 0; i < N; i++)
        assert_int_equal(tarn_vec_append_i64(big, (i * 7919) % 1000), TARN_OK);
    tarn_sort_key bk = {big, false, false};
    int64_t *full = tarn_alloc(sizeof(int64_t) * N), *top = tarn_alloc(sizeof(int64_t) * N);
    assert_int_equal(tarn_rel_sort(&bk, 1, N, -1, full, &err), TARN_OK);
    assert_int_equal(tarn_rel_sort(&bk, 1, N, 10, top, &err), TARN_OK);
    for (int i = 0; i < 10; i++)
        assert_int_equal(top[i], full[i]);
    tarn_free(full);
    tarn_free(top);
    tarn_vec_destroy(big);
    tarn_vec_destroy(x);
}

static void test_windows(void **state)
{
    (void)state;
    const int64_t part[] = {0, 1, 0, 0, 1};
    const int64_t v[] = {10, 5, 10, 30, 7};
    tarn_vec *x = ints(v, NULL, 5), *out;
    tarn_sort_key k = {x, false, false};
    tarn_err err;
    tarn_win_spec w = {.kind = TARN_WIN_RANK, .out_type = tarn_type_make(TARN_TYPE_INT64)};
    assert_int_equal(tarn_win_compute(&w, part, &k, 1, 5, &out, &err), TARN_OK);
    const int64_t rank[] = {1, 1, 1, 3, 2};
    for (int i = 0; i < 5; i++)
        assert_int_equal(tarn_vec_get_i64(out, i), rank[i]);
    tarn_vec_destroy(out);
    /* Running sum with peers: both 10s see 20. */
    w = (tarn_win_spec){.kind = TARN_WIN_AGG,
                        .agg = TARN_AGG_SUM,
                        .arg = x,
                        .out_type = tarn_type_make(TARN_TYPE_INT64)};
    assert_int_equal(tarn_win_compute(&w, part, &k, 1, 5, &out, &err), TARN_OK);
    const int64_t run[] = {20, 5, 20, 50, 12};
    for (int i = 0; i < 5; i++)
        assert_int_equal(tarn_vec_get_i64(out, i), run[i]);
    tarn_vec_destroy(out);
    w = (tarn_win_spec){
        .kind = TARN_WIN_LAG, .arg = x, .offset = 1, .out_type = tarn_type_make(TARN_TYPE_INT64)};
    assert_int_equal(tarn_win_compute(&w, part, &k, 1, 5, &out, &err), TARN_OK);
    assert_true(tarn_vec_is_null(out, 0));
    assert_int_equal(tarn_vec_get_i64(out, 2), 10);
    assert_int_equal(tarn_vec_get_i64(out, 4), 5);
    tarn_vec_destroy(out);
    tarn_vec_destroy(x);
}

static void test_hash_aggregate_merge(void **state)
{
    (void)state;
    tarn_type kt[1] = {tarn_type_make(TARN_TYPE_STRING)};
    tarn_agg_kind kinds[3] = {TARN_AGG_COUNT_STAR, TARN_AGG_SUM, TARN_AGG_MAX};
    tarn_type at[3] = {tarn_type_make(TARN_TYPE_INT64), tarn_type_decimal(38, 2),
                       tarn_type_make(TARN_TYPE_INT64)};
    tarn_type ot[3] = {tarn_type_make(TARN_TYPE_INT64), tarn_type_decimal(38, 2),
                       tarn_type_make(TARN_TYPE_INT64)};
    tarn_hagg_spec spec = {1, kt, 3, kinds, at, ot};
    tarn_hagg *h[2] = {tarn_hagg_create(&spec), tarn_hagg_create(&spec)};
    tarn_err err;
    const char *const keys[2][4] = {{"x", NULL, "longer than eight", "x"}, {"y", "x", NULL, NULL}};
    for (int t = 0; t < 2; t++) {
        tarn_vec *k = strs(keys[t], 4);
        tarn_vec *d = tarn_vec_create_type(at[1]);
        const int64_t m[] = {1, 2, 3, 4};
        tarn_vec *mx = ints(m, NULL, 4);
        for (int i = 0; i < 4; i++)
            assert_int_equal(tarn_vec_append_decimal(d, 100 * (i + 1)), TARN_OK);
        tarn_vec *args[3] = {NULL, d, mx};
        assert_int_equal(tarn_hagg_add(h[t], &k, args, 4, &err), TARN_OK);
        tarn_vec_destroy(k);
        tarn_vec_destroy(d);
        tarn_vec_destroy(mx);
    }
    assert_int_equal(tarn_hagg_merge(h[0], h[1], &err), TARN_OK);
    tarn_vec *out[4];
    int64_t ng;
    assert_int_equal(tarn_hagg_finish(h[0], out, &ng, &err), TARN_OK);
    assert_int_equal(ng, 4); /* x, NULL, long, y */
    int32_t l;
    const uint8_t *p = tarn_vec_get_bytes(out[0], 0, &l);
    assert_memory_equal(p, "x", 1);
    assert_int_equal(tarn_vec_get_i64(out[1], 0), 3);                /* x: 2 + 1 */
    assert_true(tarn_vec_get_decimal(out[2], 0) == 100 + 400 + 200); /* 1.00 + 4.00 + 2.00 */
    assert_int_equal(tarn_vec_get_i64(out[3], 1), 4);                /* NULL key: max(2, 3, 4) */
    assert_true(tarn_vec_is_null(out[0], 1));
    for (int i = 0; i < 4; i++)
        tarn_vec_destroy(out[i]);
    tarn_hagg_destroy(h[0]);
    tarn_hagg_destroy(h[1]);
}

/* Many short keys (cache evictions and collisions) and keys of 9..16 bytes:
 * every group counted exactly. */
static void test_hash_aggregate_string_keys(void **state)
{
    (void)state;
    tarn_type kt[1] = {tarn_type_make(TARN_TYPE_STRING)};
    tarn_agg_kind kinds[1] = {TARN_AGG_COUNT_STAR};
    tarn_type it[1] = {tarn_type_make(TARN_TYPE_INT64)};
    tarn_hagg_spec spec = {1, kt, 1, kinds, it, it};
    tarn_hagg *h = tarn_hagg_create(&spec);
    tarn_err err;
    tarn_vec *k = tarn_vec_create_type(kt[0]);
    enum {
        N = 30000,
        K = 1000
    };
    for (int i = 0; i < N; i++) {
        char t[32];
        int n = snprintf(t, sizeof t, i % 2 ? "k%d" : "key-number-%d", (i * 7) % K);
        assert_int_equal(tarn_vec_append_bytes(k, t, n), TARN_OK);
    }
    tarn_vec *args[1] = {NULL};
    assert_int_equal(tarn_hagg_add(h, &k, args, N, &err), TARN_OK);
    tarn_vec *out[2];
    int64_t ng;
    assert_int_equal(tarn_hagg_finish(h, out, &ng, &err), TARN_OK);
    assert_int_equal(ng, K); /* odd i: 500 odd numbers as k%d, even i: 500 even ones */
    int64_t total = 0;
    for (int64_t g = 0; g < ng; g++) {
        assert_int_equal(tarn_vec_get_i64(out[1], g), N / K);
        total += tarn_vec_get_i64(out[1], g);
    }
    assert_int_equal(total, N);
    tarn_vec_destroy(out[0]);
    tarn_vec_destroy(out[1]);
    tarn_vec_destroy(k);
    tarn_hagg_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_first_appearance),
        cmocka_unit_test(test_join_pairs),
        cmocka_unit_test(test_sort_and_top_n),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_hash_aggregate_merge),
        cmocka_unit_test(test_hash_aggregate_string_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
