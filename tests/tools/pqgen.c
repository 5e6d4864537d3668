/*
 * tests/tools/pqgen.c - generates deterministic data sets straight into the
 * Parquet writer, for interop tests and write benchmarks.
 *
 * Data sets: "orders" (benchmark: 9 columns, order-like, the same rows as
 * the SQL printed by --duckdb-sql), "types" (every tarn type with edge
 * values and nulls), "nested" (struct/list/map, Delta-checkpoint-like).
 * --ndjson writes tarn's canonical NDJSON of the same rows (column/render.h)
 * and --stats the writer's per-column statistics as JSON, so a test can
 * compare what another engine reads back. Exit 0 on success, 1 on a writer
 * error, 2 on usage errors. See usage() for the options.
 */
#include "base/alloc.h"
#include "base/time.h"
#include "column/render.h"
#include "column/scalar.h"
#include "column/value.h"
#include "parquet/codec.h"
#include "parquet/writer.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gen_opts {
    const char *dataset;  /* orders | types | nested */
    int64_t rows;         /* rows to generate */
    int64_t batch_rows;   /* rows per batch handed to the writer */
    const char *out;      /* Parquet file, NULL with --no-write */
    const char *ndjson;   /* canonical NDJSON output or NULL */
    const char *stats;    /* statistics JSON output or NULL */
    bool duckdb_sql;      /* print the DuckDB query of the data set and exit */
    bool quiet;           /* no timing line */
    tarn_pq_write_opts w; /* writer options */
} gen_opts;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tarn_tool_pqgen --dataset orders|types|nested --rows N [--out FILE.parquet]\n"
            "         [--ndjson FILE] [--stats FILE.json] [--codec NAME] [--level N]\n"
            "         [--page-version 1|2] [--no-dict] [--dict-max-bytes N]\n"
            "         [--row-group-bytes N] [--page-bytes N] [--batch-rows N] [--quiet]\n"
            "       tarn_tool_pqgen --dataset orders --rows N --duckdb-sql\n"
            "Without --out the rows are generated but not written (generation time).\n");
}

static void die_status(tarn_status st, const tarn_err *err)
{
    char msg[1400];
    if (err && err->code != TARN_OK)
        tarn_err_format(err, msg, sizeof msg);
    else
        snprintf(msg, sizeof msg, "%s", tarn_status_name(st));
    fprintf(stderr, "pqgen: %s\n", msg);
    exit(1);
}

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        tarn_status st_ = (expr);                                                                  \
        if (st_ != TARN_OK)                                                                        \
            die_status(st_, NULL);                                                                 \
    } while (0)

/* Deterministic pseudo-random 64-bit value for row i and salt. */
static uint64_t mix(uint64_t i, uint64_t salt)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ULL + salt * 0xbf58476d1ce4e5b9ULL + 1;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 29;
    return x;
}

/* Marks the row being appended to a nested vector valid; list/map offsets
 * end at the current child length. */
static void nested_row_valid(tarn_vec *v)
{
    CHECK(tarn_vec_reserve(v, 1));
    if (v->validity)
        tarn_bit_set(v->validity, v->len, true);
    if (v->offsets)
        v->offsets[v->len + 1] = (int32_t)v->children[0]->len;
    v->len++;
}

static void put_str(tarn_vec *v, const char *s)
{
    if (!s)
        CHECK(tarn_vec_append_null(v));
    else
        CHECK(tarn_vec_append_bytes(v, s, (int64_t)strlen(s)));
}

/* orders ------------------------------------------------------------------- */

static const char *const countries[20] = {"US", "DE", "FR", "GB", "IN", "BR", "JP",
                                          "CN", "CA", "AU", "ES", "IT", "NL", "SE",
                                          "MX", "KR", "PL", "TR", "ZA", "AR"};
static const char *const statuses[5] = {"pending", "paid", "shipped", "delivered", "cancelled"};

static tarn_status orders_schema(tarn_schema **out, tarn_err *err)
{
    return tarn_schema_parse("order_id string not null, user_id int64, amount decimal(10,2), "
                             "country string, status string, ts timestamp, qty int32, "
                             "price float64, flag boolean",
                             out, err);
}

/* The DuckDB query producing exactly the rows of orders_fill(). */
static void orders_duckdb_sql(int64_t rows)
{
    fputs("SELECT 'ORD-' || lpad(i::VARCHAR, 10, '0') AS order_id, "
          "(i * 7919) % 1000003 AS user_id, "
          "(((i * 104729) % 1000000)::DOUBLE / 100)::DECIMAL(10,2) AS amount, "
          "['US','DE','FR','GB','IN','BR','JP','CN','CA','AU','ES','IT','NL','SE','MX','KR',"
          "'PL','TR','ZA','AR'][((i * 2654435761) >> 7) % 20 + 1] AS country, "
          "CASE WHEN i % 50 = 49 THEN NULL ELSE "
          "['pending','paid','shipped','delivered','cancelled'][(i * 13 // 3) % 5 + 1] END "
          "AS status, "
          "make_timestamp(1704067200000000 + i * 1000003)::TIMESTAMPTZ AS ts, "
          "(i % 10 + 1)::INTEGER AS qty, "
          "((i * 7) % 100000)::DOUBLE / 100 AS price, "
          "i % 3 = 0 AS flag ",
          stdout);
    printf("FROM range(%" PRId64 ") t(i)\n", rows);
}

/* Rows [first, first+n) written straight into the vectors (the generator
 * must cost little next to the writer it benchmarks). */
static void orders_fill(tarn_batch *b, int64_t first, int64_t n)
{
    tarn_batch_reset(b);
    for (int c = 0; c < b->n_cols; c++)
        CHECK(tarn_vec_reserve(b->cols[c], n));
    tarn_vec *oid = b->cols[0], *cty = b->cols[3], *sts = b->cols[4];
    CHECK(tarn_vec_reserve_bytes(oid, n * 14));
    CHECK(tarn_vec_reserve_bytes(cty, n * 2));
    CHECK(tarn_vec_reserve_bytes(sts, n * 9));
    int64_t *uid = (int64_t *)(void *)b->cols[1]->data, *amt = (int64_t *)(void *)b->cols[2]->data;
    int64_t *ts = (int64_t *)(void *)b->cols[5]->data;
    int32_t *qty = (int32_t *)(void *)b->cols[6]->data;
    double *price = (double *)(void *)b->cols[7]->data;
    uint8_t *flag = b->cols[8]->data;
    memset(flag, 0, (size_t)(n + 7) / 8);
    bool has_null = false;
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        uint8_t *o = oid->bytes + oid->bytes_len;
        memcpy(o, "ORD-", 4);
        int64_t x = i;
        for (int d = 13; d >= 4; d--, x /= 10)
            o[d] = (uint8_t)('0' + x % 10);
        oid->bytes_len += 14;
        oid->offsets[k + 1] = (int32_t)oid->bytes_len;
        uid[k] = (i * 7919) % 1000003;
        amt[k] = (i * 104729) % 1000000;
        const char *c = countries[(((uint64_t)i * 2654435761u) >> 7) % 20];
        memcpy(cty->bytes + cty->bytes_len, c, 2);
        cty->bytes_len += 2;
        cty->offsets[k + 1] = (int32_t)cty->bytes_len;
        if (i % 50 == 49) {
            if (!has_null) {
                CHECK(tarn_vec_ensure_validity(sts));
                has_null = true;
            }
            tarn_bit_set(sts->validity, k, false);
            sts->null_count++;
        } else {
            const char *s = statuses[(i * 13 / 3) % 5];
            size_t sl = strlen(s);
            memcpy(sts->bytes + sts->bytes_len, s, sl);
            sts->bytes_len += (int64_t)sl;
        }
        sts->offsets[k + 1] = (int32_t)sts->bytes_len;
        ts[k] = 1704067200000000LL + i * 1000003LL;
        qty[k] = (int32_t)(i % 10 + 1);
        price[k] = (double)((i * 7) % 100000) / 100;
        flag[k >> 3] |= (uint8_t)((i % 3 == 0) << (k & 7));
    }
    for (int c = 0; c < b->n_cols; c++)
        b->cols[c]->len = n;
    b->n_rows = n;
}

/* types --------------------------------------------------------------------- */

static tarn_status types_schema(tarn_schema **out, tarn_err *err)
{
    return tarn_schema_parse(
        "id int64 not null, b boolean, i8 int8, i16 int16, i32 int32, i64 int64, u8 uint8, "
        "u16 uint16, u32 uint32, u64 uint64, f32 float32, f64 float64, d9 decimal(9,2), "
        "d18 decimal(18,4), d38 decimal(38,10), d1 decimal(1,0), s string, bin binary, "
        "u uuid, dt date, tm time, ts timestamp, tsntz timestamp_ntz, tsns timestamp_ns, "
        "req_s string not null, lng string",
        out, err);
}

/* Edge values first, then pseudo-random ones; every 7th row null. */
static bool pick_edge(int64_t i, int n_edges, int *out)
{
    if (i < n_edges) {
        *out = (int)i;
        return true;
    }
    return false;
}

static void append_int_col(tarn_vec *v, int64_t i, const int64_t *edges, int n_edges, int64_t lo,
                           int64_t hi)
{
    int e;
    int64_t x;
    if (i % 7 == 3) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    if (pick_edge(i % 97, n_edges, &e))
        x = edges[e];
    else
        x = lo + (int64_t)(mix((uint64_t)i, (uint64_t)v->type.id) % (uint64_t)(hi - lo + 1));
    switch (tarn_type_width(v->type)) {
    case 1: {
        int8_t y = (int8_t)x;
        CHECK(tarn_vec_append_fixed(v, &y));
        break;
    }
    case 2: {
        int16_t y = (int16_t)x;
        CHECK(tarn_vec_append_fixed(v, &y));
        break;
    }
    case 4: {
        int32_t y = (int32_t)x;
        CHECK(tarn_vec_append_fixed(v, &y));
        break;
    }
    default:
        CHECK(tarn_vec_append_fixed(v, &x));
    }
}

static const char *const strings[] = {
    "",
    "a",
    "héllo wörld ✓ 😀",
    "quote \" backslash \\ tab \t newline \n ctrl \x01 end",
    "日本語のテキスト",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
    "long",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "long lower bound",
    "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"
    "tilde",
};

static void append_string(tarn_vec *v, int64_t i)
{
    if (i % 7 == 5) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    int e;
    if (pick_edge(i % 61, (int)TARN_ARRAY_LEN(strings), &e))
        return put_str(v, strings[e]);
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "str-%" PRIu64, mix((uint64_t)i, 7) % 5000);
    CHECK(tarn_vec_append_bytes(v, tmp, n));
}

static void append_binary(tarn_vec *v, int64_t i)
{
    if (i % 7 == 6) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    uint8_t tmp[80];
    size_t n = (size_t)(mix((uint64_t)i, 11) % 9);
    if (i % 97 == 1)
        n = 0;
    if (i % 97 == 2)
        n = 70; /* longer than the footer bound */
    for (size_t k = 0; k < n; k++)
        tmp[k] = (uint8_t)(mix((uint64_t)i, 100 + k) >> 13);
    if (i % 97 == 3) {
        n = 3;
        tmp[0] = 0, tmp[1] = 0xff, tmp[2] = 0x41;
    }
    CHECK(tarn_vec_append_bytes(v, tmp, (int64_t)n));
}

static void append_float_cols(tarn_vec *f32, tarn_vec *f64, int64_t i)
{
    static const double edges[] = {0.0,
                                   -0.0,
                                   NAN,
                                   INFINITY,
                                   -INFINITY,
                                   1.5,
                                   -2.25,
                                   0.1,
                                   1e-300,
                                   5e-324,
                                   1.7976931348623157e308,
                                   -1e-7,
                                   1e21,
                                   123.456,
                                   3.14159265358979};
    if (i % 7 == 4) {
        CHECK(tarn_vec_append_null(f32));
        CHECK(tarn_vec_append_null(f64));
        return;
    }
    int e;
    double x;
    if (pick_edge(i % 97, (int)TARN_ARRAY_LEN(edges), &e))
        x = edges[e];
    else
        x = ((double)(int64_t)(mix((uint64_t)i, 3) % 2000001) - 1000000.0) / 1024.0;
    float y = (float)x;
    if (i % 97 == 9)
        y = 1e-45f; /* float subnormal */
    if (i % 97 == 10)
        y = 3.4028235e38f;
    CHECK(tarn_vec_append_fixed(f32, &y));
    CHECK(tarn_vec_append_f64(f64, x));
}

static void append_decimal(tarn_vec *v, int64_t i)
{
    if (i % 7 == 2) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    tarn_i128 max = tarn_pow10_i128(v->type.precision) - 1, x;
    switch (i % 97) {
    case 0:
        x = max;
        break;
    case 1:
        x = -max;
        break;
    case 2:
        x = 0;
        break;
    case 3:
        x = -1;
        break;
    default: {
        tarn_i128 r = (tarn_i128)(mix((uint64_t)i, 5) >> 1) * (tarn_i128)mix((uint64_t)i, 6);
        if (r < 0)
            r = -r;
        x = r % (max + 1);
        if (mix((uint64_t)i, 8) & 1)
            x = -x;
    }
    }
    CHECK(tarn_vec_append_decimal(v, x));
}

static void append_temporal(tarn_batch *b, int64_t i)
{
    static const int32_t dates[] = {0, -1, -719162, 2932896, 19723, -25567};
    static const int64_t times[] = {0, 86399999999LL, 43200000001LL, 1};
    static const int64_t stamps[] = {
        0, -1, -2208988800000000LL, 253402300799999999LL, -62135596800000000LL, 1709164800500000LL};
    int e;
    if (i % 7 == 1) {
        for (int c = 19; c <= 23; c++)
            CHECK(tarn_vec_append_null(b->cols[c]));
        return;
    }
    int32_t d =
        pick_edge(i % 97, 6, &e) ? dates[e] : (int32_t)(mix((uint64_t)i, 21) % 40000) - 10000;
    CHECK(tarn_vec_append_fixed(b->cols[19], &d));
    int64_t t =
        pick_edge(i % 97, 4, &e) ? times[e] : (int64_t)(mix((uint64_t)i, 22) % 86400000000ULL);
    CHECK(tarn_vec_append_i64(b->cols[20], t));
    int64_t s = pick_edge(i % 97, 6, &e)
                    ? stamps[e]
                    : (int64_t)(mix((uint64_t)i, 23) % 4000000000000000ULL) - 1000000000000000LL;
    CHECK(tarn_vec_append_i64(b->cols[21], s));
    CHECK(tarn_vec_append_i64(b->cols[22], s));
    int64_t ns = (s % 1000000000000000LL) * 1000 + (int64_t)(mix((uint64_t)i, 24) % 1000);
    CHECK(tarn_vec_append_i64(b->cols[23], ns));
}

/* Values longer than the footer's 64-byte bound: min and max both get
 * truncated there. */
static void append_long_string(tarn_vec *v, int64_t i)
{
    if (i % 5 == 0) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    char tmp[128];
    int n = i % 2 ? 70 : 90;
    memset(tmp, i % 2 ? 'a' : 'm', (size_t)n);
    n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%d", (int)(i % 11));
    CHECK(tarn_vec_append_bytes(v, tmp, n));
}

static void types_fill(tarn_batch *b, int64_t first, int64_t n)
{
    static const int64_t e8[] = {-128, 127, 0, -1}, e16[] = {-32768, 32767, 0, -1},
                         e32[] = {INT32_MIN, INT32_MAX, 0, -1},
                         e64[] = {INT64_MIN, INT64_MAX, 0, -1}, eu8[] = {0, 255, 128},
                         eu16[] = {0, 65535, 32768},
                         eu32[] = {0, (int64_t)UINT32_MAX, (int64_t)1 << 31},
                         eu64[] = {0, -1, INT64_MIN};
    tarn_batch_reset(b);
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        CHECK(tarn_vec_append_i64(b->cols[0], i));
        if (i % 7 == 0)
            CHECK(tarn_vec_append_null(b->cols[1]));
        else
            CHECK(tarn_vec_append_bool(b->cols[1], mix((uint64_t)i, 1) & 1));
        append_int_col(b->cols[2], i, e8, 4, -128, 127);
        append_int_col(b->cols[3], i, e16, 4, -32768, 32767);
        append_int_col(b->cols[4], i, e32, 4, INT32_MIN, INT32_MAX);
        append_int_col(b->cols[5], i, e64, 4, -4000000000000LL, 4000000000000LL);
        append_int_col(b->cols[6], i, eu8, 3, 0, 255);
        append_int_col(b->cols[7], i, eu16, 3, 0, 65535);
        append_int_col(b->cols[8], i, eu32, 3, 0, UINT32_MAX);
        append_int_col(b->cols[9], i, eu64, 3, 0, INT64_MAX - 1);
        append_float_cols(b->cols[10], b->cols[11], i);
        for (int c = 12; c <= 15; c++)
            append_decimal(b->cols[c], i);
        append_string(b->cols[16], i);
        append_binary(b->cols[17], i);
        if (i % 7 == 0) {
            CHECK(tarn_vec_append_null(b->cols[18]));
        } else {
            uint8_t u[16];
            for (int q = 0; q < 16; q++)
                u[q] = (uint8_t)(mix((uint64_t)i, 40 + (uint64_t)q) >> 7);
            if (i % 97 == 1)
                memset(u, 0xff, 16);
            CHECK(tarn_vec_append_fixed(b->cols[18], u));
        }
        append_temporal(b, i);
        char tmp[32];
        int tn = snprintf(tmp, sizeof tmp, "r%" PRId64, i % 13);
        CHECK(tarn_vec_append_bytes(b->cols[24], tmp, tn));
        append_long_string(b->cols[25], i);
    }
    b->n_rows = n;
}

/* nested --------------------------------------------------------------------- */

static tarn_status nested_schema(tarn_schema **out, tarn_err *err)
{
    tarn_schema *s = tarn_schema_create();
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_arena *a = s->arena;
    /* Builds a field in the arena: name, type, nullable, children. */
#define FLD(f, nm, id, nul)                                                                        \
    do {                                                                                           \
        memset(&(f), 0, sizeof(f));                                                                \
        (f).name = nm;                                                                             \
        (f).type = tarn_type_make(id);                                                             \
        (f).nullable = nul;                                                                        \
        (f).field_id = -1;                                                                         \
    } while (0)
#define KIDS(f, n)                                                                                 \
    do {                                                                                           \
        (f).n_children = n;                                                                        \
        (f).children = tarn_arena_calloc(a, n, sizeof(tarn_field));                                \
        if (!(f).children)                                                                         \
            return TARN_ERR_NOMEM;                                                                 \
    } while (0)
    static const struct {
        const char *name;
        tarn_type_id id;
        bool nullable;
    } top[] = {{"id", TARN_TYPE_INT64, false}, {"st", TARN_TYPE_STRUCT, true},
               {"l", TARN_TYPE_LIST, true},    {"ll", TARN_TYPE_LIST, true},
               {"m", TARN_TYPE_MAP, true},     {"add", TARN_TYPE_STRUCT, true},
               {"ls", TARN_TYPE_LIST, false}};
    for (size_t i = 0; i < TARN_ARRAY_LEN(top); i++)
        if (!tarn_schema_add(s, top[i].name, tarn_type_make(top[i].id), top[i].nullable))
            return TARN_ERR_NOMEM;
    /* Pointers only now: adding fields may move the array. */
    tarn_field *id = &s->fields[0], *st = &s->fields[1], *l = &s->fields[2], *ll = &s->fields[3],
               *m = &s->fields[4], *add = &s->fields[5], *ls = &s->fields[6];
    /* st struct<a int32, b string, c struct<x boolean, y list<int64>>> */
    KIDS(*st, 3);
    FLD(st->children[0], "a", TARN_TYPE_INT32, true);
    FLD(st->children[1], "b", TARN_TYPE_STRING, true);
    FLD(st->children[2], "c", TARN_TYPE_STRUCT, true);
    tarn_field *c = &st->children[2];
    KIDS(*c, 2);
    FLD(c->children[0], "x", TARN_TYPE_BOOL, false);
    FLD(c->children[1], "y", TARN_TYPE_LIST, true);
    KIDS(c->children[1], 1);
    FLD(c->children[1].children[0], "element", TARN_TYPE_INT64, true);
    /* l list<string> */
    KIDS(*l, 1);
    FLD(l->children[0], "element", TARN_TYPE_STRING, true);
    /* ll list<list<int32>> */
    KIDS(*ll, 1);
    FLD(ll->children[0], "element", TARN_TYPE_LIST, true);
    KIDS(ll->children[0], 1);
    FLD(ll->children[0].children[0], "element", TARN_TYPE_INT32, false);
    /* m map<string, decimal(20,3)> */
    KIDS(*m, 2);
    FLD(m->children[0], "key", TARN_TYPE_STRING, false);
    FLD(m->children[1], "value", TARN_TYPE_DECIMAL, true);
    m->children[1].type = tarn_type_decimal(20, 3);
    /* add: the Delta checkpoint "add" action */
    KIDS(*add, 6);
    FLD(add->children[0], "path", TARN_TYPE_STRING, true);
    FLD(add->children[1], "partitionValues", TARN_TYPE_MAP, true);
    KIDS(add->children[1], 2);
    FLD(add->children[1].children[0], "key", TARN_TYPE_STRING, false);
    FLD(add->children[1].children[1], "value", TARN_TYPE_STRING, true);
    FLD(add->children[2], "size", TARN_TYPE_INT64, true);
    FLD(add->children[3], "modificationTime", TARN_TYPE_INT64, true);
    FLD(add->children[4], "dataChange", TARN_TYPE_BOOL, true);
    FLD(add->children[5], "stats", TARN_TYPE_STRING, true);
    /* ls list<struct<k string, v timestamp>> not null */
    KIDS(*ls, 1);
    FLD(ls->children[0], "element", TARN_TYPE_STRUCT, true);
    KIDS(ls->children[0], 2);
    FLD(ls->children[0].children[0], "k", TARN_TYPE_STRING, true);
    FLD(ls->children[0].children[1], "v", TARN_TYPE_TIMESTAMP, true);
    id->field_id = 1;
    st->field_id = 2;
#undef FLD
#undef KIDS
    *out = s;
    return TARN_OK;
}

static void fill_st(tarn_vec *v, int64_t i)
{
    if (i % 5 == 1) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    tarn_vec *a = v->children[0], *b = v->children[1], *c = v->children[2];
    if (i % 3 == 0)
        CHECK(tarn_vec_append_null(a));
    else
        CHECK(tarn_vec_append_i32(a, (int32_t)(i * 31 - 500)));
    char tmp[32];
    snprintf(tmp, sizeof tmp, "b%" PRId64, i);
    put_str(b, i % 4 == 2 ? NULL : tmp);
    if (i % 6 == 4) {
        CHECK(tarn_vec_append_null(c));
    } else {
        CHECK(tarn_vec_append_bool(c->children[0], i % 2 == 0));
        tarn_vec *y = c->children[1];
        if (i % 7 == 3) {
            CHECK(tarn_vec_append_null(y));
        } else {
            for (int k = 0; k < (int)(i % 4); k++) {
                if (k == 1 && i % 8 == 1)
                    CHECK(tarn_vec_append_null(y->children[0]));
                else
                    CHECK(tarn_vec_append_i64(y->children[0], i * 1000 + k - 2000));
            }
            nested_row_valid(y);
        }
        nested_row_valid(c);
    }
    nested_row_valid(v);
}

static void fill_lists(tarn_vec *l, tarn_vec *ll, int64_t i)
{
    if (i % 6 == 5) {
        CHECK(tarn_vec_append_null(l));
    } else {
        for (int k = 0; k < (int)(i % 5); k++) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "e%d-%" PRId64, k, i % 9);
            put_str(l->children[0], (k + i) % 4 == 3 ? NULL : tmp);
        }
        nested_row_valid(l);
    }
    if (i % 9 == 8) {
        CHECK(tarn_vec_append_null(ll));
        return;
    }
    tarn_vec *inner = ll->children[0];
    for (int k = 0; k < (int)(i % 3); k++) {
        if ((i + k) % 5 == 4) {
            CHECK(tarn_vec_append_null(inner));
            continue;
        }
        for (int j = 0; j < (int)((i + k) % 4); j++)
            CHECK(tarn_vec_append_i32(inner->children[0], (int32_t)(i + j * 7 + k)));
        nested_row_valid(inner);
    }
    nested_row_valid(ll);
}

static void fill_map(tarn_vec *m, int64_t i)
{
    if (i % 8 == 7) {
        CHECK(tarn_vec_append_null(m));
        return;
    }
    for (int k = 0; k < (int)(i % 4); k++) {
        char key[32];
        snprintf(key, sizeof key, "k%d", k);
        put_str(m->children[0], key);
        if ((i + k) % 3 == 2)
            CHECK(tarn_vec_append_null(m->children[1]));
        else
            CHECK(tarn_vec_append_decimal(m->children[1], (tarn_i128)(i - 50) * 1000000007 + k));
    }
    nested_row_valid(m);
}

static void fill_add(tarn_vec *v, int64_t i)
{
    if (i % 4 == 3) {
        CHECK(tarn_vec_append_null(v));
        return;
    }
    char tmp[128];
    snprintf(tmp, sizeof tmp, "date=2024-01-%02d/part-%05" PRId64 ".parquet", (int)(i % 28) + 1, i);
    put_str(v->children[0], tmp);
    tarn_vec *pv = v->children[1];
    snprintf(tmp, sizeof tmp, "2024-01-%02d", (int)(i % 28) + 1);
    put_str(pv->children[0], "date");
    put_str(pv->children[1], tmp);
    if (i % 2) {
        put_str(pv->children[0], "region");
        put_str(pv->children[1], i % 3 ? "eu" : NULL);
    }
    nested_row_valid(pv);
    CHECK(tarn_vec_append_i64(v->children[2], 1000 + i * 17));
    CHECK(tarn_vec_append_i64(v->children[3], 1700000000000LL + i));
    CHECK(tarn_vec_append_bool(v->children[4], true));
    snprintf(tmp, sizeof tmp, "{\"numRecords\":%" PRId64 ",\"minValues\":{\"id\":%" PRId64 "}}",
             i * 3, i);
    put_str(v->children[5], i % 5 == 0 ? NULL : tmp);
    nested_row_valid(v);
}

static void fill_ls(tarn_vec *v, int64_t i)
{
    tarn_vec *e = v->children[0];
    for (int k = 0; k < (int)(i % 3); k++) {
        if ((i + k) % 4 == 1) {
            CHECK(tarn_vec_append_null(e));
            continue;
        }
        char tmp[32];
        snprintf(tmp, sizeof tmp, "k%" PRId64, (i + k) % 11);
        put_str(e->children[0], tmp);
        CHECK(tarn_vec_append_i64(e->children[1], -86400000000LL * 365 + i * 1000003));
        nested_row_valid(e);
    }
    nested_row_valid(v);
}

static void nested_fill(tarn_batch *b, int64_t first, int64_t n)
{
    tarn_batch_reset(b);
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        CHECK(tarn_vec_append_i64(b->cols[0], i));
        fill_st(b->cols[1], i);
        fill_lists(b->cols[2], b->cols[3], i);
        fill_map(b->cols[4], i);
        fill_add(b->cols[5], i);
        fill_ls(b->cols[6], i);
    }
    b->n_rows = n;
}

/* main ----------------------------------------------------------------------- */

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return false;
    *out = v;
    return true;
}

static int parse_args(int argc, char **argv, gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dataset = "orders";
    o->rows = 1000;
    o->batch_rows = TARN_BATCH_ROWS;
    tarn_pq_write_opts_init(&o->w);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t x = 0;
        bool num = v && parse_i64(v, &x);
        tarn_err err;
        if (!strcmp(a, "--no-dict")) {
            o->w.no_dictionary = true;
            continue;
        } else if (!strcmp(a, "--quiet")) {
            o->quiet = true;
            continue;
        } else if (!strcmp(a, "--duckdb-sql")) {
            o->duckdb_sql = true;
            continue;
        } else if (!strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        }
        if (!v) {
            fprintf(stderr, "pqgen: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (!strcmp(a, "--dataset"))
            o->dataset = v;
        else if (!strcmp(a, "--out"))
            o->out = v;
        else if (!strcmp(a, "--ndjson"))
            o->ndjson = v;
        else if (!strcmp(a, "--stats"))
            o->stats = v;
        else if (!strcmp(a, "--codec")) {
            if (tarn_pq_codec_parse(v, &o->w.codec, &err) != TARN_OK) {
                fprintf(stderr, "pqgen: %s\n", err.msg);
                return 2;
            }
        } else if (num && !strcmp(a, "--rows") && x >= 0)
            o->rows = x;
        else if (num && !strcmp(a, "--batch-rows") && x > 0)
            o->batch_rows = x;
        else if (num && !strcmp(a, "--level"))
            o->w.level = (int)x;
        else if (num && !strcmp(a, "--page-version"))
            o->w.data_page_version = (int)x;
        else if (num && !strcmp(a, "--row-group-bytes"))
            o->w.row_group_bytes = x;
        else if (num && !strcmp(a, "--page-bytes"))
            o->w.page_bytes = x;
        else if (num && !strcmp(a, "--dict-max-bytes"))
            o->w.dictionary_max_bytes = x;
        else {
            fprintf(stderr, "pqgen: bad option or value: %s %s\n", a, v);
            usage(stderr);
            return 2;
        }
    }
    return 0;
}

/* Writes the writer's per-column statistics as one JSON object. */
static void write_stats(const char *path, const tarn_schema *s, const tarn_pq_write_result *r)
{
    tarn_buf b = TARN_BUF_INIT;
    CHECK(tarn_buf_printf(&b, "{\"num_rows\":%" PRId64 ",\"file_size\":%" PRId64 ",\"columns\":[",
                          r->num_rows, r->file_size));
    for (int c = 0; c < r->n_cols; c++) {
        const tarn_pq_col_result *cr = &r->cols[c];
        CHECK(tarn_buf_append_str(&b, c ? ",{\"name\":" : "{\"name\":"));
        CHECK(tarn_buf_append_json_str(&b, s->fields[c].name, strlen(s->fields[c].name)));
        CHECK(tarn_buf_printf(&b, ",\"null_count\":%" PRId64 ",\"has_min_max\":%s", cr->null_count,
                              cr->has_min_max ? "true" : "false"));
        if (cr->has_min_max) {
            CHECK(tarn_buf_append_str(&b, ",\"min\":"));
            CHECK(tarn_scalar_render_json(&b, &cr->min));
            CHECK(tarn_buf_append_str(&b, ",\"max\":"));
            CHECK(tarn_scalar_render_json(&b, &cr->max));
        }
        CHECK(tarn_buf_append_char(&b, '}'));
    }
    CHECK(tarn_buf_append_str(&b, "]}\n"));
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
        fprintf(stderr, "pqgen: cannot write %s\n", path);
        exit(1);
    }
    tarn_buf_fini(&b);
}

int main(int argc, char **argv)
{
    gen_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    void (*fill)(tarn_batch *, int64_t, int64_t);
    tarn_status (*mk_schema)(tarn_schema **, tarn_err *);
    if (!strcmp(o.dataset, "orders"))
        fill = orders_fill, mk_schema = orders_schema;
    else if (!strcmp(o.dataset, "types"))
        fill = types_fill, mk_schema = types_schema;
    else if (!strcmp(o.dataset, "nested"))
        fill = nested_fill, mk_schema = nested_schema;
    else {
        fprintf(stderr, "pqgen: unknown dataset '%s'\n", o.dataset);
        return 2;
    }
    if (o.duckdb_sql) {
        if (strcmp(o.dataset, "orders") != 0) {
            fprintf(stderr, "pqgen: --duckdb-sql exists for the orders dataset only\n");
            return 2;
        }
        orders_duckdb_sql(o.rows);
        return 0;
    }
    tarn_err err;
    tarn_err_clear(&err);
    tarn_schema *schema = NULL;
    tarn_status st = mk_schema(&schema, &err);
    if (st != TARN_OK)
        die_status(st, &err);
    tarn_batch *b = tarn_batch_create(schema);
    if (!b)
        die_status(TARN_ERR_NOMEM, NULL);
    FILE *nd = o.ndjson ? fopen(o.ndjson, "wb") : NULL;
    if (o.ndjson && !nd) {
        fprintf(stderr, "pqgen: cannot create %s\n", o.ndjson);
        return 1;
    }
    tarn_pq_writer *w = NULL;
    int64_t t0 = tarn_monotonic_us();
    if (o.out && (st = tarn_pq_writer_open(o.out, schema, &o.w, &w, &err)) != TARN_OK)
        die_status(st, &err);
    tarn_buf text = TARN_BUF_INIT;
    for (int64_t first = 0; first < o.rows; first += o.batch_rows) {
        int64_t n = TARN_MIN(o.batch_rows, o.rows - first);
        fill(b, first, n);
        if (w && (st = tarn_pq_writer_write(w, b, &err)) != TARN_OK) {
            tarn_pq_writer_abort(w);
            die_status(st, &err);
        }
        if (nd) {
            tarn_buf_reset(&text);
            CHECK(tarn_render_ndjson(&text, b));
            if (fwrite(text.data, 1, text.len, nd) != text.len) {
                fprintf(stderr, "pqgen: cannot write %s\n", o.ndjson);
                return 1;
            }
        }
    }
    tarn_pq_write_result res;
    memset(&res, 0, sizeof res);
    if (w && (st = tarn_pq_writer_close(w, &res, &err)) != TARN_OK)
        die_status(st, &err);
    double secs = (double)(tarn_monotonic_us() - t0) / 1e6;
    if (nd && fclose(nd) != 0) {
        fprintf(stderr, "pqgen: cannot write %s\n", o.ndjson);
        return 1;
    }
    if (o.stats && w)
        write_stats(o.stats, schema, &res);
    if (!o.quiet)
        printf("pqgen: %s rows=%" PRId64 " bytes=%" PRId64 " seconds=%.3f rows_per_s=%.0f "
               "MB_per_s=%.1f\n",
               o.dataset, o.rows, res.file_size, secs, secs > 0 ? (double)o.rows / secs : 0.0,
               secs > 0 ? (double)res.file_size / secs / 1e6 : 0.0);
    tarn_arena_destroy(res.arena);
    tarn_buf_fini(&text);
    tarn_batch_destroy(b);
    tarn_schema_destroy(schema);
    return 0;
}
