/*
 * tests/exec/test_expr.c - bound expressions evaluated a vector at a time
 * and the scalar functions: NULL propagation, three-valued logic, constant
 * operands, overflow errors, IEEE division, IN with NULLs, LIKE, CASE,
 * casts that round, intervals; string, math and date functions as DuckDB
 * defines them.
 */
#include "tarn_test.h"

#include "base/time.h"
#include "column/value.h"
#include "exec/expr.h"
#include "exec/func.h"

static tarn_type T(tarn_type_id id)
{
    return tarn_type_make(id);
}

static tarn_xexpr *node(tarn_xop op, tarn_type t, int n)
{
    tarn_xexpr *x = calloc(1, sizeof *x);
    x->op = op;
    x->type = t;
    x->n_args = n;
    x->args = n ? calloc((size_t)n, sizeof *x->args) : NULL;
    return x;
}

static tarn_xexpr *col(int c, tarn_type t)
{
    tarn_xexpr *x = node(TARN_X_COL, t, 0);
    x->col = c;
    return x;
}

static tarn_xexpr *konst_i64(int64_t v)
{
    tarn_xexpr *x = node(TARN_X_CONST, T(TARN_TYPE_INT64), 0);
    x->k.type = x->type;
    x->k.v.i64 = v;
    return x;
}

static tarn_xexpr *konst_str(const char *s)
{
    tarn_xexpr *x = node(TARN_X_CONST, T(TARN_TYPE_STRING), 0);
    x->k.type = x->type;
    x->k.bytes = (const uint8_t *)s;
    x->k.len = (int32_t)strlen(s);
    return x;
}

static tarn_xexpr *bin(tarn_xop op, tarn_type t, tarn_xexpr *a, tarn_xexpr *b)
{
    tarn_xexpr *x = node(op, t, 2);
    x->args[0] = a;
    x->args[1] = b;
    return x;
}

static void free_tree(tarn_xexpr *x)
{
    for (int i = 0; i < x->n_args; i++)
        free_tree(x->args[i]);
    free(x->args);
    free(x);
}

/* A batch of int64 column a, int64 column b (NULL where 0 in mask) and a
 * string column s. */
static tarn_batch *batch3(void)
{
    static tarn_vec *cols[3];
    static tarn_batch b;
    const int64_t a[] = {1, 2, 3, 4, INT64_MAX};
    const int64_t bv[] = {10, 0, 0, -1, 1};
    const bool bnull[] = {false, true, false, false, false};
    const char *s[] = {"apple", "Banana", NULL, "cherry pie", "ünïcode"};
    for (int c = 0; c < 3; c++)
        cols[c] = tarn_vec_create_type(T(c == 2 ? TARN_TYPE_STRING : TARN_TYPE_INT64));
    for (int i = 0; i < 5; i++) {
        assert_int_equal(tarn_vec_append_i64(cols[0], a[i]), TARN_OK);
        assert_int_equal(bnull[i] ? tarn_vec_append_null(cols[1])
                                  : tarn_vec_append_i64(cols[1], bv[i]),
                         TARN_OK);
        assert_int_equal(s[i] ? tarn_vec_append_bytes(cols[2], s[i], (int64_t)strlen(s[i]))
                              : tarn_vec_append_null(cols[2]),
                         TARN_OK);
    }
    b = (tarn_batch){NULL, 3, cols, 5};
    return &b;
}

static void free_batch(tarn_batch *b)
{
    for (int c = 0; c < b->n_cols; c++)
        tarn_vec_destroy(b->cols[c]);
}

static void test_arithmetic_and_nulls(void **state)
{
    (void)state;
    tarn_batch *b = batch3();
    tarn_err err;
    tarn_vec *v;
    /* a + b on rows without overflow: NULL propagates. */
    tarn_xexpr *e =
        bin(TARN_X_SUB, T(TARN_TYPE_INT64), col(0, T(TARN_TYPE_INT64)), col(1, T(TARN_TYPE_INT64)));
    assert_int_equal(tarn_xeval_vec(e, b, NULL, &v, &err), TARN_OK);
    assert_int_equal(tarn_vec_get_i64(v, 0), -9);
    assert_true(tarn_vec_is_null(v, 1));
    assert_int_equal(tarn_vec_get_i64(v, 3), 5);
    tarn_vec_destroy(v);
    free_tree(e);
    /* INT64_MAX + 1 is an error, not a wrapped value. */
    e = bin(TARN_X_ADD, T(TARN_TYPE_INT64), col(0, T(TARN_TYPE_INT64)), konst_i64(1));
    assert_int_equal(tarn_xeval_vec(e, b, NULL, &v, &err), TARN_ERR_DATA);
    assert_non_null(strstr(err.msg, "addition overflows int64"));
    free_tree(e);
    /* a % b: zero divisor gives NULL. */
    e = bin(TARN_X_MOD, T(TARN_TYPE_INT64), col(0, T(TARN_TYPE_INT64)), col(1, T(TARN_TYPE_INT64)));
    assert_int_equal(tarn_xeval_vec(e, b, NULL, &v, &err), TARN_OK);
    assert_true(tarn_vec_is_null(v, 2));
    assert_int_equal(tarn_vec_get_i64(v, 0), 1);
    tarn_vec_destroy(v);
    free_tree(e);
    free_batch(b);
}

static void test_logic_in_like(void **state)
{
    (void)state;
    tarn_batch *b = batch3();
    tarn_err err;
    tarn_vec *v;
    /* (b > 0) OR (a = 2): NULL OR TRUE is TRUE; (b > 0) AND (a = 3): NULL/FALSE. */
    tarn_xexpr *gt = bin(TARN_X_GT, T(TARN_TYPE_BOOL), col(1, T(TARN_TYPE_INT64)), konst_i64(0));
    tarn_xexpr *eq = bin(TARN_X_EQ, T(TARN_TYPE_BOOL), col(0, T(TARN_TYPE_INT64)), konst_i64(2));
    tarn_xexpr *e = bin(TARN_X_OR, T(TARN_TYPE_BOOL), gt, eq);
    assert_int_equal(tarn_xeval_vec(e, b, NULL, &v, &err), TARN_OK);
    assert_true(tarn_vec_is_valid(v, 1) && tarn_vec_get_bool(v, 1)); /* NULL OR TRUE */
    assert_true(tarn_vec_is_valid(v, 2) && !tarn_vec_get_bool(v, 2));
    tarn_vec_destroy(v);
    e->op = TARN_X_AND;
    assert_int_equal(tarn_xeval_vec(e, b, NULL, &v, &err), TARN_OK);
    assert_true(tarn_vec_is_null(v, 1)); /* NULL AND TRUE */
    assert_true(tarn_vec_get_bool(v, 0) == false);
    tarn_vec_destroy(v);
    free_tree(e);
    /* b IN (10, NULL): TRUE, else NULL (the list holds a NULL). */
    e = node(TARN_X_IN, T(TARN_TYPE_BOOL), 3);
    e->args[0] = col(1, T(TARN_TYPE_INT64));
    e->args[1] = konst_i64(10);
    e->args[2] = konst_i64(0);
    e->args[2]->k.is_null = true;
    assert_int_equal(tarn_xeval_vec(e, b, NULL, &v, &err), TARN_OK);
    assert_true(tarn_vec_get_bool(v, 0));
    assert_true(tarn_vec_is_null(v, 2));
    tarn_vec_destroy(v);
    free_tree(e);
    /* s LIKE '%an_n%' and ILIKE 'b%'; '_' matches one UTF-8 character. */
    e = bin(TARN_X_LIKE, T(TARN_TYPE_BOOL), col(2, T(TARN_TYPE_STRING)), konst_str("%an_n%"));
    int64_t sel[5], n;
    assert_int_equal(tarn_xeval_select(e, b, NULL, sel, &n, &err), TARN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sel[0], 1);
    free_tree(e);
    e = bin(TARN_X_LIKE, T(TARN_TYPE_BOOL), col(2, T(TARN_TYPE_STRING)), konst_str("_n_cod_"));
    assert_int_equal(tarn_xeval_select(e, b, NULL, sel, &n, &err), TARN_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sel[0], 4);
    e->ilike = true;
    free(e->args[1]);
    e->args[1] = konst_str("B%");
    assert_int_equal(tarn_xeval_select(e, b, NULL, sel, &n, &err), TARN_OK);
    assert_int_equal(n, 1);
    free_tree(e);
    free_batch(b);
}

static void test_casts_and_intervals(void **state)
{
    (void)state;
    tarn_err err;
    tarn_vec *d = tarn_vec_create_type(tarn_type_decimal(38, 2)), *out;
    const tarn_i128 vals[] = {1250, -1250, 1249, 0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(tarn_vec_append_decimal(d, vals[i]), TARN_OK);
    /* 12.50 -> 13, -12.50 -> -13 (half away from zero), 12.49 -> 12 */
    assert_int_equal(tarn_x_cast(d, T(TARN_TYPE_INT64), &out, &err), TARN_OK);
    assert_int_equal(tarn_vec_get_i64(out, 0), 13);
    assert_int_equal(tarn_vec_get_i64(out, 1), -13);
    assert_int_equal(tarn_vec_get_i64(out, 2), 12);
    tarn_vec_destroy(out);
    assert_int_equal(tarn_x_cast(d, tarn_type_decimal(38, 1), &out, &err), TARN_OK);
    assert_true(tarn_vec_get_decimal(out, 0) == 125 && tarn_vec_get_decimal(out, 2) == 125);
    tarn_vec_destroy(out);
    tarn_vec_destroy(d);
    /* 2024-01-31 + 1 month = 2024-02-29 (the month's last day). */
    tarn_vec *ts = tarn_vec_create_type(T(TARN_TYPE_DATE));
    assert_int_equal(tarn_vec_append_i32(ts, (int32_t)tarn_days_from_civil(2024, 1, 31)), TARN_OK);
    tarn_vec *cols[1] = {ts};
    tarn_batch b = {NULL, 1, cols, 1};
    tarn_xexpr *e = node(TARN_X_ADD_INTERVAL, T(TARN_TYPE_DATE), 1);
    e->args[0] = col(0, T(TARN_TYPE_DATE));
    e->months = 1;
    assert_int_equal(tarn_xeval_vec(e, &b, NULL, &out, &err), TARN_OK);
    assert_int_equal(tarn_vec_get_i32(out, 0), tarn_days_from_civil(2024, 2, 29));
    tarn_vec_destroy(out);
    free_tree(e);
    tarn_vec_destroy(ts);
    /* Double division by zero is IEEE, as DuckDB. */
    tarn_vec *x = tarn_vec_create_type(T(TARN_TYPE_FLOAT64));
    assert_int_equal(tarn_vec_append_f64(x, 1.0), TARN_OK);
    cols[0] = x;
    tarn_xexpr *z = node(TARN_X_CONST, T(TARN_TYPE_FLOAT64), 0);
    z->k.type = z->type;
    e = bin(TARN_X_DIV, T(TARN_TYPE_FLOAT64), col(0, T(TARN_TYPE_FLOAT64)), z);
    assert_int_equal(tarn_xeval_vec(e, &b, NULL, &out, &err), TARN_OK);
    assert_true(tarn_vec_is_valid(out, 0) && tarn_vec_get_f64(out, 0) > 1e308);
    tarn_vec_destroy(out);
    free_tree(e);
    tarn_vec_destroy(x);
}

/* Binds and evaluates fn over the batch's columns given as arguments. */
static tarn_vec *call(tarn_xfn fn, tarn_xexpr **args, int n, const tarn_batch *b)
{
    tarn_type types[8], want[8];
    const tarn_scalar *consts[8];
    tarn_err err;
    for (int i = 0; i < n; i++) {
        types[i] = args[i]->type;
        consts[i] = args[i]->op == TARN_X_CONST ? &args[i]->k : NULL;
    }
    tarn_xexpr *e = node(TARN_X_FUNC, T(TARN_TYPE_NULL), n);
    e->fn = fn;
    for (int i = 0; i < n; i++)
        e->args[i] = args[i];
    if (tarn_xfunc_bind(fn, types, consts, n, &e->type, want, &err) != TARN_OK)
        fail_msg("bind %s: %s", tarn_xfunc_name(fn), err.msg);
    tarn_vec *v;
    if (tarn_xeval_vec(e, b, NULL, &v, &err) != TARN_OK)
        fail_msg("eval %s: %s", tarn_xfunc_name(fn), err.msg);
    free_tree(e);
    return v;
}

static void expect_str(const tarn_vec *v, int64_t i, const char *want)
{
    int32_t len;
    const uint8_t *p = tarn_vec_get_bytes(v, i, &len);
    if ((size_t)len != strlen(want) || memcmp(p, want, (size_t)len))
        fail_msg("row %lld: got '%.*s', want '%s'", (long long)i, (int)len, (const char *)p, want);
}

static void test_functions(void **state)
{
    (void)state;
    tarn_batch *b = batch3();
    tarn_vec *v = call(TARN_FN_UPPER, (tarn_xexpr *[]){col(2, T(TARN_TYPE_STRING))}, 1, b);
    expect_str(v, 4, "ÜNÏCODE");
    assert_true(tarn_vec_is_null(v, 2));
    tarn_vec_destroy(v);
    v = call(TARN_FN_LENGTH, (tarn_xexpr *[]){col(2, T(TARN_TYPE_STRING))}, 1, b);
    assert_int_equal(tarn_vec_get_i64(v, 4), 7); /* characters, not bytes */
    tarn_vec_destroy(v);
    v = call(TARN_FN_SUBSTR,
             (tarn_xexpr *[]){col(2, T(TARN_TYPE_STRING)), konst_i64(-3), konst_i64(2)}, 3, b);
    expect_str(v, 0, "pl");
    expect_str(v, 4, "od");
    tarn_vec_destroy(v);
    v = call(TARN_FN_REPLACE,
             (tarn_xexpr *[]){col(2, T(TARN_TYPE_STRING)), konst_str("pie"), konst_str("tart")}, 3,
             b);
    expect_str(v, 3, "cherry tart");
    tarn_vec_destroy(v);
    v = call(TARN_FN_CONCAT, (tarn_xexpr *[]){col(2, T(TARN_TYPE_STRING)), konst_str("!")}, 2, b);
    expect_str(v, 2, "!"); /* concat skips NULLs */
    tarn_vec_destroy(v);
    v = call(TARN_FN_COALESCE, (tarn_xexpr *[]){col(1, T(TARN_TYPE_INT64)), konst_i64(-7)}, 2, b);
    assert_int_equal(tarn_vec_get_i64(v, 1), -7);
    assert_int_equal(tarn_vec_get_i64(v, 0), 10);
    tarn_vec_destroy(v);
    v = call(TARN_FN_GREATEST,
             (tarn_xexpr *[]){col(0, T(TARN_TYPE_INT64)), col(1, T(TARN_TYPE_INT64))}, 2, b);
    assert_int_equal(tarn_vec_get_i64(v, 1), 2); /* the NULL is skipped */
    tarn_vec_destroy(v);
    free_batch(b);

    /* Dates: ISO week truncation, day of week, extract. 2024-03-07 is a Thursday. */
    tarn_vec *ts = tarn_vec_create_type(T(TARN_TYPE_TIMESTAMP));
    int64_t us = tarn_days_from_civil(2024, 3, 7) * 86400000000LL + 13LL * 3600000000LL;
    assert_int_equal(tarn_vec_append_i64(ts, us), TARN_OK);
    tarn_vec *cols[1] = {ts};
    tarn_batch tb = {NULL, 1, cols, 1};
    v = call(TARN_FN_DATE_TRUNC,
             (tarn_xexpr *[]){konst_str("week"), col(0, T(TARN_TYPE_TIMESTAMP))}, 2, &tb);
    assert_int_equal(tarn_vec_get_i64(v, 0), tarn_days_from_civil(2024, 3, 4) * 86400000000LL);
    tarn_vec_destroy(v);
    v = call(TARN_FN_DATE_TRUNC,
             (tarn_xexpr *[]){konst_str("quarter"), col(0, T(TARN_TYPE_TIMESTAMP))}, 2, &tb);
    assert_int_equal(tarn_vec_get_i64(v, 0), tarn_days_from_civil(2024, 1, 1) * 86400000000LL);
    tarn_vec_destroy(v);
    const char *parts[] = {"dow", "isodow", "doy", "week", "hour", "quarter"};
    const int64_t want[] = {4, 4, 67, 10, 13, 1};
    for (int i = 0; i < 6; i++) {
        v = call(TARN_FN_EXTRACT,
                 (tarn_xexpr *[]){konst_str(parts[i]), col(0, T(TARN_TYPE_TIMESTAMP))}, 2, &tb);
        assert_int_equal(tarn_vec_get_i64(v, 0), want[i]);
        tarn_vec_destroy(v);
    }
    tarn_vec_destroy(ts);

    /* round: half away from zero for doubles and decimals; decimal keeps exact digits. */
    tarn_vec *d = tarn_vec_create_type(tarn_type_decimal(38, 3));
    assert_int_equal(tarn_vec_append_decimal(d, 12345), TARN_OK); /* 12.345 */
    assert_int_equal(tarn_vec_append_decimal(d, -12345), TARN_OK);
    cols[0] = d;
    tb.n_rows = 2;
    v = call(TARN_FN_ROUND, (tarn_xexpr *[]){col(0, tarn_type_decimal(38, 3)), konst_i64(2)}, 2,
             &tb);
    assert_int_equal(v->type.scale, 2);
    assert_true(tarn_vec_get_decimal(v, 0) == 1235 && tarn_vec_get_decimal(v, 1) == -1235);
    tarn_vec_destroy(v);
    tarn_vec_destroy(d);

    /* Binding errors name the function. */
    tarn_type t[1] = {T(TARN_TYPE_INT64)}, out, w[1];
    tarn_err err;
    assert_int_equal(tarn_xfunc_bind(TARN_FN_LOWER, t, NULL, 1, &out, w, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "lower() expects a string, got int64"));
    assert_int_equal(tarn_xfunc_bind(TARN_FN_ROUND, t, NULL, 0, &out, w, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "round() takes 1 to 2 arguments"));
    assert_int_equal(tarn_xfunc_lookup("SUBSTRING"), TARN_FN_SUBSTR);
    assert_int_equal(tarn_xfunc_lookup("no_such_function"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic_and_nulls),
        cmocka_unit_test(test_logic_in_like),
        cmocka_unit_test(test_casts_and_intervals),
        cmocka_unit_test(test_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
