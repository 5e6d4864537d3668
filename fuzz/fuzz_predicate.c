/*
 * fuzz/fuzz_predicate.c - libFuzzer target for the `--where` predicate
 * parser and binder (exec/predicate.h), evaluation and skipping.
 *
 * The input is the predicate text, bound to a fixed schema holding every
 * column type (plus a nested column). A predicate that parses is evaluated
 * on a fixed batch of edge values and nulls, and tarn_pred_may_match must
 * never rule out a row that evaluation matches: it is checked with the
 * batch's min/max/null counts and with each row's own one-row statistics.
 * Must never crash, leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "exec/predicate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schema_text =
    "b boolean, i8 int8, i16 int16, i32 int32, i64 int64, u8 uint8, u16 uint16, u32 uint32, "
    "u64 uint64, f float, d double, dec decimal(10,2), wdec decimal(38,6), s string, "
    "bin binary, id uuid, dt date, t time, ts timestamp, ntz timestamp_ntz, tsn timestamp_ns";

#define N_ROWS 5
#define N_TEXT 21 /* columns of schema_text */

/* Row values as text per column of schema_text (NULL = null); uuid and
 * timestamp_ns are filled from the row number instead. */
/* clang-format off */
static const char *const rows[N_ROWS][N_TEXT] = {
    {0},
    {"false", "0", "0", "0", "0", "0", "0", "0", "0", "0", "-0", "0.00", "0", "", "", "",
     "1970-01-01", "00:00:00", "1970-01-01T00:00:00Z", "1970-01-01 00:00:00", ""},
    {"true", "-128", "-32768", "-2147483648", "-9223372036854775808", "255", "65535",
     "4294967295", "18446744073709551615", "NaN", "NaN", "-99999999.99",
     "-12345678901234567890.123456", "abc", "\xff", "", "2024-02-29", "23:59:59.999999",
     "2024-02-29T12:00:00.5Z", "2024-02-29 12:00:00", ""},
    {"true", "127", "32767", "2147483647", "9223372036854775807", "1", "1", "1", "1", "3.4e38",
     "1e300", "12.50", "1", "abd", "abc", "", "0001-01-01", "12:00", "0001-01-01T00:00:00Z",
     "9999-12-31 23:59:59.999999", ""},
    {NULL, "-1", "-1", "-1", "-1", NULL, NULL, NULL, NULL, "-Infinity", "Infinity", "-0.01",
     "-0.000001", "\xc3\xa9", NULL, "", "1969-12-31", "00:00:00.000001", "1969-12-31T23:59:59Z",
     "1969-12-31 23:59:59.999999", ""},
};
/* clang-format on */

static tarn_schema *schema;
static tarn_batch *batch;

static void append(tarn_vec *v, const char *text, int row)
{
    tarn_err err;
    tarn_scalar s;
    if (!text) {
        if (tarn_vec_append_null(v) != TARN_OK)
            abort();
        return;
    }
    if (v->type.id == TARN_TYPE_UUID) {
        uint8_t u[16];
        memset(u, row * 0x3f, sizeof u);
        if (tarn_vec_append_fixed(v, u) != TARN_OK)
            abort();
        return;
    }
    if (v->type.id == TARN_TYPE_TIMESTAMP_NS) {
        if (tarn_vec_append_i64(v, (int64_t)(row - 2) * 999) != TARN_OK)
            abort();
        return;
    }
    if (tarn_scalar_parse(NULL, v->type, text, strlen(text), &s, &err) != TARN_OK ||
        tarn_vec_append_scalar(v, &s) != TARN_OK)
        abort();
}

static void setup(void)
{
    tarn_err err;
    if (tarn_schema_parse(schema_text, &schema, &err) != TARN_OK)
        abort();
    if (schema->n_fields != N_TEXT ||
        !tarn_schema_add(schema, "st", tarn_type_make(TARN_TYPE_STRUCT), true))
        abort();
    batch = tarn_batch_create(schema);
    if (!batch)
        abort();
    for (int r = 0; r < N_ROWS; r++) {
        for (int c = 0; c < N_TEXT; c++)
            append(batch->cols[c], rows[r][c], r);
        if (tarn_vec_append_null(batch->cols[N_TEXT]) != TARN_OK)
            abort();
    }
    batch->n_rows = N_ROWS;
}

static bool is_nan(const tarn_scalar *s)
{
    return (s->type.id == TARN_TYPE_FLOAT32 || s->type.id == TARN_TYPE_FLOAT64) && isnan(s->v.f64);
}

/* Statistics of rows [lo, hi) of the batch, as a writer would record them
 * (NaN never in min/max). */
static void stats_of(int lo, int hi, tarn_pred_colstats *st)
{
    for (int c = 0; c < batch->n_cols; c++) {
        const tarn_vec *v = batch->cols[c];
        tarn_pred_colstats *s = &st[c];
        memset(s, 0, sizeof *s);
        s->known = !tarn_type_is_nested(v->type.id);
        s->num_rows = hi - lo;
        for (int r = lo; r < hi; r++) {
            if (tarn_vec_is_null(v, r)) {
                s->null_count++;
                continue;
            }
            if (!s->known)
                continue;
            tarn_scalar x;
            tarn_scalar_from_vec(v, r, &x);
            if (is_nan(&x))
                continue;
            if (!s->has_min_max) {
                s->min = s->max = x;
                s->has_min_max = true;
                continue;
            }
            if (tarn_scalar_compare(&x, &s->min) < 0)
                s->min = x;
            if (tarn_scalar_compare(&x, &s->max) > 0)
                s->max = x;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!schema)
        setup();
    char *text = tarn_strndup((const char *)data, size);
    if (!text)
        abort();
    tarn_err err;
    tarn_err_clear(&err);
    tarn_pred *p;
    if (tarn_pred_parse(text, schema, &p, &err) == TARN_OK) {
        uint8_t match[N_ROWS];
        tarn_pred_colstats st[N_TEXT + 1];
        (void)tarn_pred_text(p);
        for (int c = 0; c < schema->n_fields; c++)
            (void)tarn_pred_uses_column(p, c);
        if (tarn_pred_eval(p, batch, match, &err) != TARN_OK)
            abort();
        bool any = false;
        for (int r = 0; r < N_ROWS; r++) {
            if (match[r] > 1)
                abort();
            any |= match[r];
            stats_of(r, r + 1, st);
            if (match[r] && !tarn_pred_may_match(p, st))
                abort(); /* skipping would lose row r */
        }
        stats_of(0, N_ROWS, st);
        if (any && !tarn_pred_may_match(p, st))
            abort(); /* skipping would lose the batch */
        tarn_pred_destroy(p);
    } else if (err.code == TARN_OK) {
        abort();
    }
    tarn_free(text);
    return 0;
}
