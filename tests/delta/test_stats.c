/*
 * tests/delta/test_stats.c - per-file statistics: the JSON the collector
 * builds for every type (nulls, NaN, decimals, unicode truncation,
 * timestamps, nested structs, lists), the same numbers when min/max come
 * from the Parquet writer, indexed-column limits, and parsing stats JSON
 * back into typed bounds (exact decimals, widened timestamps, bad values
 * ignored, malformed JSON refused).
 */
#include "tarn_test.h"

#include "base/time.h"
#include "column/value.h"
#include "delta/stats.h"

#include <math.h>

/* Marks the next row of a STRUCT/LIST vector valid after its children were
 * appended. */
static void finish_nested(tarn_vec *v)
{
    assert_int_equal(tarn_vec_reserve(v, 1), TARN_OK);
    if (v->type.id == TARN_TYPE_LIST || v->type.id == TARN_TYPE_MAP)
        v->offsets[v->len + 1] = (int32_t)v->children[0]->len;
    if (v->validity)
        tarn_bit_set(v->validity, v->len, true);
    v->len++;
}

static void put_str(tarn_vec *v, const char *s)
{
    assert_int_equal(s ? tarn_vec_append_bytes(v, s, (int64_t)strlen(s)) : tarn_vec_append_null(v),
                     TARN_OK);
}

static int64_t ts(const char *text, bool ntz)
{
    int64_t us;
    tarn_err err;
    assert_int_equal(tarn_parse_timestamp(text, strlen(text), ntz, &us, &err), TARN_OK);
    return us;
}

static tarn_schema *all_types_schema(void)
{
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("i8 int8, i16 int16, i32 int32, i64 int64, f32 float32, "
                                       "f64 float64, d decimal(10,2), dw decimal(38,4), s string, "
                                       "b bool, bin binary, dt date, ts timestamp, "
                                       "tsn timestamp_ntz",
                                       &s, &err),
                     TARN_OK);
    /* st struct<x int64, y string>, l list<int32> */
    tarn_field *st = tarn_schema_add(s, "st", tarn_type_make(TARN_TYPE_STRUCT), true);
    st->n_children = 2;
    st->children = tarn_arena_calloc(s->arena, 2, sizeof *st->children);
    st->children[0] = (tarn_field){"x", tarn_type_make(TARN_TYPE_INT64), true, 0, NULL, NULL, -1};
    st->children[1] = (tarn_field){"y", tarn_type_make(TARN_TYPE_STRING), true, 0, NULL, NULL, -1};
    tarn_field *l = tarn_schema_add(s, "l", tarn_type_make(TARN_TYPE_LIST), true);
    l->n_children = 1;
    l->children = tarn_arena_calloc(s->arena, 1, sizeof *l->children);
    l->children[0] =
        (tarn_field){"element", tarn_type_make(TARN_TYPE_INT32), true, 0, NULL, NULL, -1};
    return s;
}

/* Three rows: values, all nulls, other values (see expected JSON). */
static tarn_batch *all_types_batch(const tarn_schema *s)
{
    tarn_batch *b = tarn_batch_create(s);
    tarn_vec **c = b->cols;
    tarn_i128 big = (tarn_i128)1234567890123456789LL * 1000000000 + 12345678; /* 12345...5678 */
    /* row 0 */
    assert_int_equal(tarn_vec_append_i64(c[3], 5000000000LL), TARN_OK);
    int8_t i8 = 1;
    int16_t i16 = -2;
    float f = 1.1f;
    assert_int_equal(tarn_vec_append_fixed(c[0], &i8), TARN_OK);
    assert_int_equal(tarn_vec_append_fixed(c[1], &i16), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(c[2], 100), TARN_OK);
    assert_int_equal(tarn_vec_append_fixed(c[4], &f), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(c[5], -0.5), TARN_OK);
    assert_int_equal(tarn_vec_append_decimal(c[6], 1250), TARN_OK);
    assert_int_equal(tarn_vec_append_decimal(c[7], big), TARN_OK);
    put_str(c[8], "abc");
    assert_int_equal(tarn_vec_append_bool(c[9], true), TARN_OK);
    assert_int_equal(tarn_vec_append_bytes(c[10], "\x00\xff", 2), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(c[11], (int32_t)tarn_days_from_civil(2024, 1, 2)),
                     TARN_OK);
    assert_int_equal(tarn_vec_append_i64(c[12], ts("2024-01-02T03:04:05.123456Z", false)), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(c[13], ts("2024-01-02T03:04:05.000001", true)), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(c[14]->children[0], 1), TARN_OK);
    put_str(c[14]->children[1], "q");
    finish_nested(c[14]);
    assert_int_equal(tarn_vec_append_i32(c[15]->children[0], 1), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(c[15]->children[0], 2), TARN_OK);
    finish_nested(c[15]);
    /* row 1: nulls everywhere */
    for (int i = 0; i < b->n_cols; i++)
        assert_int_equal(tarn_vec_append_null(c[i]), TARN_OK);
    /* row 2 */
    i8 = -7;
    i16 = 5;
    f = NAN;
    assert_int_equal(tarn_vec_append_fixed(c[0], &i8), TARN_OK);
    assert_int_equal(tarn_vec_append_fixed(c[1], &i16), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(c[2], -3), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(c[3], 1), TARN_OK);
    assert_int_equal(tarn_vec_append_fixed(c[4], &f), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(c[5], 2.25), TARN_OK);
    assert_int_equal(tarn_vec_append_decimal(c[6], -5), TARN_OK);
    assert_int_equal(tarn_vec_append_decimal(c[7], -1), TARN_OK);
    put_str(c[8], "ab");
    assert_int_equal(tarn_vec_append_bool(c[9], false), TARN_OK);
    assert_int_equal(tarn_vec_append_bytes(c[10], "\x01", 1), TARN_OK);
    assert_int_equal(tarn_vec_append_i32(c[11], -1), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(c[12], -1), TARN_OK);
    assert_int_equal(tarn_vec_append_i64(c[13], -1), TARN_OK);
    assert_int_equal(tarn_vec_append_null(c[14]->children[0]), TARN_OK);
    put_str(c[14]->children[1], "zz");
    finish_nested(c[14]);
    finish_nested(c[15]); /* [] */
    tarn_err err;
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    return b;
}

static const char *k_all_types_json =
    "{\"numRecords\":3,"
    "\"minValues\":{\"i8\":-7,\"i16\":-2,\"i32\":-3,\"i64\":1,\"f32\":1.1,\"f64\":-0.5,"
    "\"d\":-0.05,\"dw\":-0.0001,\"s\":\"ab\",\"dt\":\"1969-12-31\","
    "\"ts\":\"1969-12-31T23:59:59.999Z\",\"tsn\":\"1969-12-31T23:59:59.999\","
    "\"st\":{\"x\":1,\"y\":\"q\"}},"
    "\"maxValues\":{\"i8\":1,\"i16\":5,\"i32\":100,\"i64\":5000000000,\"f64\":2.25,"
    "\"d\":12.50,\"dw\":123456789012345678901234.5678,\"s\":\"abc\",\"dt\":\"2024-01-02\","
    "\"ts\":\"2024-01-02T03:04:05.124Z\",\"tsn\":\"2024-01-02T03:04:05.001\","
    "\"st\":{\"x\":1,\"y\":\"zz\"}},"
    "\"nullCount\":{\"i8\":1,\"i16\":1,\"i32\":1,\"i64\":1,\"f32\":1,\"f64\":1,\"d\":1,\"dw\":1,"
    "\"s\":1,\"b\":1,\"bin\":1,\"dt\":1,\"ts\":1,\"tsn\":1,\"st\":{\"x\":2,\"y\":1},\"l\":1}}";

static char *collect(const tarn_schema *s, const tarn_batch *b, const tarn_delta_stats_opts *o)
{
    tarn_delta_stats_collector *c = tarn_delta_stats_collector_create(s, o);
    assert_non_null(c);
    tarn_err err;
    assert_int_equal(tarn_delta_stats_collector_update(c, b, &err), TARN_OK);
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_delta_stats_collector_json(c, NULL, b->n_rows, &out, &err), TARN_OK);
    tarn_delta_stats_collector_destroy(c);
    return tarn_buf_steal(&out, NULL);
}

static void test_all_types(void **state)
{
    (void)state;
    tarn_schema *s = all_types_schema();
    tarn_batch *b = all_types_batch(s);
    tarn_delta_stats_opts o;
    tarn_delta_stats_opts_init(&o);
    o.num_indexed_cols = -1;
    char *json = collect(s, b, &o);
    assert_string_equal(json, k_all_types_json);
    tarn_free(json);

    /* The same rows folded in two batches give the same answer. */
    tarn_delta_stats_collector *c = tarn_delta_stats_collector_create(s, &o);
    tarn_batch *half = tarn_batch_create(s);
    tarn_err err;
    assert_int_equal(tarn_batch_append_range(half, b, 0, 2), TARN_OK);
    assert_int_equal(tarn_delta_stats_collector_update(c, half, &err), TARN_OK);
    tarn_batch_reset(half);
    assert_int_equal(tarn_batch_append_range(half, b, 2, 1), TARN_OK);
    assert_int_equal(tarn_delta_stats_collector_update(c, half, &err), TARN_OK);
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_delta_stats_collector_json(c, NULL, 3, &out, &err), TARN_OK);
    assert_string_equal(out.data, k_all_types_json);
    /* reset forgets everything */
    tarn_delta_stats_collector_reset(c);
    tarn_buf_reset(&out);
    assert_int_equal(tarn_delta_stats_collector_json(c, NULL, 0, &out, &err), TARN_OK);
    assert_non_null(strstr(out.data, "\"nullCount\":{\"i8\":0,"));
    assert_null(strstr(out.data, "minValues"));
    tarn_buf_fini(&out);
    tarn_delta_stats_collector_destroy(c);
    tarn_batch_destroy(half);

    /* At most two indexed leaves; tightBounds when asked. */
    o.num_indexed_cols = 2;
    o.tight_bounds = true;
    json = collect(s, b, &o);
    assert_string_equal(json, "{\"numRecords\":3,\"minValues\":{\"i8\":-7,\"i16\":-2},"
                              "\"maxValues\":{\"i8\":1,\"i16\":5},"
                              "\"nullCount\":{\"i8\":1,\"i16\":1},\"tightBounds\":true}");
    tarn_free(json);
    /* Named columns (struct members included through their parent). */
    tarn_delta_stats_opts_init(&o);
    o.stats_columns = "s, `st`";
    json = collect(s, b, &o);
    assert_string_equal(json, "{\"numRecords\":3,\"minValues\":{\"s\":\"ab\",\"st\":{\"x\":1,"
                              "\"y\":\"q\"}},\"maxValues\":{\"s\":\"abc\",\"st\":{\"x\":1,"
                              "\"y\":\"zz\"}},\"nullCount\":{\"s\":1,\"st\":{\"x\":2,\"y\":1}}}");
    tarn_free(json);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

/* The Parquet writer's min/max give the same JSON as the collector's own. */
static void test_writer_minmax(void **state)
{
    (void)state;
    tarn_schema *s = all_types_schema();
    tarn_batch *b = all_types_batch(s);
    char dir[256], path[300];
    tt_tmpdir("stats", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/f.parquet", dir);
    tarn_pq_writer *w;
    tarn_err err;
    assert_int_equal(tarn_pq_writer_open(path, s, NULL, &w, &err), TARN_OK);
    assert_int_equal(tarn_pq_writer_write(w, b, &err), TARN_OK);
    tarn_pq_write_result res;
    assert_int_equal(tarn_pq_writer_close(w, &res, &err), TARN_OK);
    tarn_delta_stats_opts o;
    tarn_delta_stats_opts_init(&o);
    o.num_indexed_cols = -1;
    o.writer_minmax = true;
    tarn_delta_stats_collector *c = tarn_delta_stats_collector_create(s, &o);
    assert_int_equal(tarn_delta_stats_collector_update(c, b, &err), TARN_OK);
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_delta_stats_collector_json(c, &res, res.num_rows, &out, &err), TARN_OK);
    assert_string_equal(out.data, k_all_types_json);
    tarn_buf_fini(&out);
    tarn_delta_stats_collector_destroy(c);
    tarn_arena_destroy(res.arena);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

static char *one_string_stats(const char *value)
{
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("s string", &s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    put_str(b->cols[0], value);
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    char *json = collect(s, b, NULL);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    return json;
}

static void expect_bounds(const char *value, const char *min, const char *max)
{
    char *json = one_string_stats(value);
    char want[1024];
    if (max)
        snprintf(want, sizeof want,
                 "{\"numRecords\":1,\"minValues\":{\"s\":\"%s\"},\"maxValues\":{\"s\":\"%s\"},"
                 "\"nullCount\":{\"s\":0}}",
                 min, max);
    else
        snprintf(want, sizeof want,
                 "{\"numRecords\":1,\"minValues\":{\"s\":\"%s\"},\"nullCount\":{\"s\":0}}", min);
    assert_string_equal(json, want);
    tarn_free(json);
}

/* n copies of unit, NUL-terminated. */
static void repeat(char *out, const char *unit, int n)
{
    size_t l = strlen(unit);
    for (int i = 0; i < n; i++)
        memcpy(out + (size_t)i * l, unit, l);
    out[(size_t)n * l] = '\0';
}

static void test_string_truncation(void **state)
{
    (void)state;
    char a40[41], a32[33], a31b[33];
    memset(a40, 'a', 40);
    a40[40] = '\0';
    memset(a32, 'a', 32);
    a32[32] = '\0';
    memcpy(a31b, a32, 33);
    a31b[31] = 'b';
    expect_bounds(a40, a32, a31b);
    expect_bounds(a32, a32, a32); /* exactly the prefix: kept whole */
    /* 33 x U+00E9: 32 code points (64 bytes) for min, last one bumped to U+00EA. */
    char e33[80], e32[80], e31f[80];
    repeat(e33, "\xc3\xa9", 33);
    repeat(e32, "\xc3\xa9", 32);
    repeat(e31f, "\xc3\xa9", 31);
    memcpy(e31f + 62, "\xc3\xaa", 3);
    expect_bounds(e33, e32, e31f);
    /* U+10FFFF cannot be bumped: the code point before it is, and it is dropped. */
    char hi[200];
    memcpy(hi, a31b, 31);
    memcpy(hi + 31, "\xf4\x8f\xbf\xbfzz", 7);
    char hi_min[64];
    memcpy(hi_min, a31b, 31);
    memcpy(hi_min + 31, "\xf4\x8f\xbf\xbf", 5);
    char hi_max[64];
    memcpy(hi_max, a32, 30);
    memcpy(hi_max + 30, "b", 2);
    expect_bounds(hi, hi_min, hi_max);
    /* Only U+10FFFF: no upper bound exists, max is omitted. */
    char all_hi[200], all_hi_min[200];
    repeat(all_hi, "\xf4\x8f\xbf\xbf", 33);
    repeat(all_hi_min, "\xf4\x8f\xbf\xbf", 32);
    expect_bounds(all_hi, all_hi_min, NULL);
    /* Escaping in JSON. */
    char *json = one_string_stats("a\"b\\c\n");
    assert_string_equal(json, "{\"numRecords\":1,\"minValues\":{\"s\":\"a\\\"b\\\\c\\n\"},"
                              "\"maxValues\":{\"s\":\"a\\\"b\\\\c\\n\"},\"nullCount\":{\"s\":0}}");
    tarn_free(json);
}

static void test_float_edges(void **state)
{
    (void)state;
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("a float64, b float64, c float64", &s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    /* a: only NaN (no bounds); b: -inf..3 (min omitted); c: -0.0 and 0.0 */
    assert_int_equal(tarn_vec_append_f64(b->cols[0], NAN), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(b->cols[0], NAN), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(b->cols[1], -INFINITY), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(b->cols[1], 3), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(b->cols[2], -0.0), TARN_OK);
    assert_int_equal(tarn_vec_append_f64(b->cols[2], 1e300), TARN_OK);
    assert_int_equal(tarn_batch_finish(b, &err), TARN_OK);
    char *json = collect(s, b, NULL);
    assert_string_equal(json, "{\"numRecords\":2,\"minValues\":{\"c\":-0.0},"
                              "\"maxValues\":{\"b\":3,\"c\":1e+300},"
                              "\"nullCount\":{\"a\":0,\"b\":0,\"c\":0}}");
    tarn_free(json);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static void test_parse(void **state)
{
    (void)state;
    tarn_schema *s = all_types_schema();
    tarn_arena *a = tarn_arena_create(0);
    tarn_delta_file_stats fs;
    tarn_err err;
    assert_int_equal(
        tarn_delta_stats_parse(k_all_types_json, strlen(k_all_types_json), s, a, &fs, &err),
        TARN_OK);
    assert_true(fs.has_num_records);
    assert_int_equal(fs.num_records, 3);
    assert_true(fs.tight_bounds);
    assert_int_equal(fs.n_cols, s->n_fields);
    assert_true(fs.cols[0].has_min && fs.cols[0].has_max);
    assert_int_equal(fs.cols[0].min.v.i64, -7);
    assert_int_equal(fs.cols[3].max.v.i64, 5000000000LL);
    assert_true(fs.cols[4].has_min);
    assert_false(fs.cols[4].has_max);
    assert_true(fs.cols[4].min.v.f64 <= (double)1.1f); /* float widened one ulp */
    assert_true(fs.cols[6].min.v.i128 == -5);
    assert_true(fs.cols[6].max.v.i128 == 1250);
    tarn_i128 big = (tarn_i128)1234567890123456789LL * 1000000000 + 12345678;
    assert_true(fs.cols[7].max.v.i128 == big); /* 38-digit decimals are exact */
    assert_int_equal(fs.cols[8].min.len, 2);
    assert_memory_equal(fs.cols[8].min.bytes, "ab", 2);
    assert_false(fs.cols[9].has_min); /* bool: no bounds written */
    assert_true(fs.cols[9].has_null_count);
    assert_int_equal(fs.cols[11].max.v.i64, tarn_days_from_civil(2024, 1, 2));
    /* ms-precision max widened by 999 us: still >= the real value */
    assert_int_equal(fs.cols[12].max.v.i64, ts("2024-01-02T03:04:05.124999Z", false));
    assert_true(fs.cols[12].max.v.i64 >= ts("2024-01-02T03:04:05.123456Z", false));
    assert_int_equal(fs.cols[12].min.v.i64, ts("1969-12-31T23:59:59.999Z", false));
    assert_int_equal(fs.cols[13].min.v.i64, ts("1969-12-31T23:59:59.999", true));
    assert_int_equal(fs.cols[14].n_children, 2);
    assert_int_equal(fs.cols[14].children[0].null_count, 2);
    assert_int_equal(fs.cols[14].children[1].max.len, 2);
    assert_int_equal(fs.cols[15].null_count, 1);

    /* Foreign forms: offsets in timestamps, unknown keys, wrong types. */
    const char *foreign =
        "{\"numRecords\":1,\"tightBounds\":false,\"extra\":[1,{\"x\":null}],"
        "\"minValues\":{\"ts\":\"2000-01-01T00:00:00.000-08:00\",\"i32\":\"oops\",\"zz\":1,"
        "\"i8\":300,\"d\":1.5E+3},"
        "\"maxValues\":{\"s\":\"\\u00e9\\ud83d\\ude00\",\"i64\":null},"
        "\"nullCount\":{\"i32\":0,\"st\":{\"y\":4}}}";
    tarn_arena_reset(a);
    assert_int_equal(tarn_delta_stats_parse(foreign, strlen(foreign), s, a, &fs, &err), TARN_OK);
    assert_false(fs.tight_bounds);
    assert_true(fs.cols[12].has_min);
    assert_int_equal(fs.cols[12].min.v.i64, ts("2000-01-01T08:00:00Z", false));
    assert_false(fs.cols[2].has_min); /* "oops" is not an int */
    assert_false(fs.cols[0].has_min); /* 300 does not fit int8 */
    assert_false(fs.cols[3].has_max);
    assert_true(fs.cols[8].has_max);
    assert_int_equal(fs.cols[8].max.len, 6);
    assert_memory_equal(fs.cols[8].max.bytes, "\xc3\xa9\xf0\x9f\x98\x80", 6);
    assert_true(fs.cols[2].has_null_count);
    assert_int_equal(fs.cols[14].children[1].null_count, 4);
    assert_false(fs.cols[14].children[0].has_null_count);

    const char *esc = "{\"minValues\":{\"s\":\"a\\n\\t\\\"\\\\\\/b\"}}";
    tarn_arena_reset(a);
    assert_int_equal(tarn_delta_stats_parse(esc, strlen(esc), s, a, &fs, &err), TARN_OK);
    assert_int_equal(fs.cols[8].min.len, 7);
    assert_memory_equal(fs.cols[8].min.bytes, "a\n\t\"\\/b", 7);
    assert_false(fs.has_num_records);

    /* Malformed JSON is an error with a byte offset. */
    const char *bad[] = {
        "", "{", "{\"numRecords\":}", "{\"minValues\":{\"a\":1,}}", "[]", "{\"a\":\"x}", "{} x"};
    for (size_t i = 0; i < TARN_ARRAY_LEN(bad); i++) {
        tarn_arena_reset(a);
        assert_int_equal(tarn_delta_stats_parse(bad[i], strlen(bad[i]), s, a, &fs, &err),
                         TARN_ERR_CORRUPT);
        assert_non_null(strstr(err.msg, "stats JSON"));
    }
    tarn_arena_destroy(a);
    tarn_schema_destroy(s);
}

/* Round trip: what the collector writes parses back to bounds that hold
 * every value. */
static void test_round_trip_bounds(void **state)
{
    (void)state;
    tarn_schema *s = all_types_schema();
    tarn_batch *b = all_types_batch(s);
    tarn_delta_stats_opts o;
    tarn_delta_stats_opts_init(&o);
    o.num_indexed_cols = -1;
    char *json = collect(s, b, &o);
    tarn_arena *a = tarn_arena_create(0);
    tarn_delta_file_stats fs;
    tarn_err err;
    assert_int_equal(tarn_delta_stats_parse(json, strlen(json), s, a, &fs, &err), TARN_OK);
    for (int c = 0; c < s->n_fields; c++) {
        if (tarn_type_is_nested(s->fields[c].type.id))
            continue;
        for (int64_t r = 0; r < b->n_rows; r++) {
            tarn_scalar v;
            tarn_scalar_from_vec(b->cols[c], r, &v);
            if (v.is_null || (v.type.id == TARN_TYPE_FLOAT32 && isnan(v.v.f64)))
                continue;
            if (fs.cols[c].has_min)
                assert_true(tarn_scalar_compare(&fs.cols[c].min, &v) <= 0);
            if (fs.cols[c].has_max)
                assert_true(tarn_scalar_compare(&fs.cols[c].max, &v) >= 0);
        }
    }
    tarn_arena_destroy(a);
    tarn_free(json);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_types),
        cmocka_unit_test(test_writer_minmax),
        cmocka_unit_test(test_string_truncation),
        cmocka_unit_test(test_float_edges),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_round_trip_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
