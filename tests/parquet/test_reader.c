/*
 * tests/parquet/test_reader.c - the Parquet reader: projections, row-group
 * masks and physical row positions on a multi-row-group corpus file;
 * statistics decoding; record assembly of nested columns from hand-built
 * files with exact definition/repetition levels (the Dremel paper's
 * Document example, nulls at every struct level, maps, legacy list
 * layouts); and byte mutations of real files that must never crash.
 *
 * The hand-built files come from a tiny test-only writer below: one row
 * group, one uncompressed PLAIN data page v1 per column, levels as RLE runs.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "parquet/reader.h"
#include "parquet/thrift.h"

static char tmp_dir[512];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("pqread", tmp_dir, sizeof tmp_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(tmp_dir);
    return 0;
}

/* Test-only writer ----------------------------------------------------------------- */

typedef struct tel {
    const char *name; /* element name */
    int type;         /* tarn_pq_type, or -1 for a group */
    int rep;          /* tarn_pq_repetition, -1 for the root */
    int n_children;   /* children of a group */
    int converted;    /* tarn_pq_converted or -1 */
} tel;

typedef struct tcol {
    const char *path; /* dotted path_in_schema */
    int type;         /* physical type (INT32, INT64, BYTE_ARRAY) */
    int max_def;      /* maximum definition level */
    int max_rep;      /* maximum repetition level */
    int n;            /* level entries */
    const int *def;   /* definition levels (NULL when max_def is 0) */
    const int *rep;   /* repetition levels (NULL when max_rep is 0) */
    const int64_t *i; /* integer values, one per entry with def == max_def */
    const char **s;   /* string values, likewise */
} tcol;

/* Write definition levels in the deprecated BIT_PACKED encoding. */
static bool g_bit_packed;

static void put_u32(tarn_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    assert_int_equal(tarn_buf_append(b, x, 4), TARN_OK);
}

/* Levels as one RLE run per entry: varint(2) then the value byte. */
static void put_levels(tarn_buf *b, const int *lv, int n)
{
    put_u32(b, (uint32_t)n * 2);
    for (int k = 0; k < n; k++) {
        uint8_t run[2] = {2, (uint8_t)lv[k]};
        assert_int_equal(tarn_buf_append(b, run, 2), TARN_OK);
    }
}

/* Deprecated BIT_PACKED levels: MSB first, no length prefix. */
static void put_bit_packed(tarn_buf *b, const int *lv, int n, int width)
{
    uint8_t bytes[256] = {0};
    for (int k = 0; k < n; k++)
        for (int i = 0; i < width; i++)
            if ((lv[k] >> (width - 1 - i)) & 1) {
                int bit = k * width + i;
                bytes[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
            }
    assert_int_equal(tarn_buf_append(b, bytes, (size_t)(n * width + 7) / 8), TARN_OK);
}

static void put_page_body(tarn_buf *b, const tcol *c)
{
    if (c->max_rep)
        put_levels(b, c->rep, c->n);
    if (c->max_def && g_bit_packed)
        put_bit_packed(b, c->def, c->n, c->max_def > 1 ? 2 : 1);
    else if (c->max_def)
        put_levels(b, c->def, c->n);
    int v = 0;
    for (int k = 0; k < c->n; k++) {
        if (c->max_def && c->def[k] != c->max_def)
            continue;
        if (c->type == TARN_PQ_BYTE_ARRAY) {
            put_u32(b, (uint32_t)strlen(c->s[v]));
            assert_int_equal(tarn_buf_append_str(b, c->s[v]), TARN_OK);
        } else if (c->type == TARN_PQ_INT32) {
            put_u32(b, (uint32_t)c->i[v]);
        } else {
            put_u32(b, (uint32_t)c->i[v]);
            put_u32(b, (uint32_t)((uint64_t)c->i[v] >> 32));
        }
        v++;
    }
}

static void write_test_file(const char *path, const tel *els, int n_els, const tcol *cols,
                            int n_cols, int64_t rows)
{
    tarn_buf f = TARN_BUF_INIT, body = TARN_BUF_INIT;
    int64_t off[16], size[16];
    assert_int_equal(tarn_buf_append(&f, "PAR1", 4), TARN_OK);
    for (int c = 0; c < n_cols; c++) {
        tarn_buf_reset(&body);
        put_page_body(&body, &cols[c]);
        off[c] = (int64_t)f.len;
        tarn_thrift_writer w;
        tarn_thrift_writer_init(&w, &f);
        tarn_thrift_struct_begin(&w);
        tarn_thrift_field_i32(&w, 1, TARN_PQ_DATA_PAGE);
        tarn_thrift_field_i32(&w, 2, (int32_t)body.len);
        tarn_thrift_field_i32(&w, 3, (int32_t)body.len);
        tarn_thrift_field_struct_begin(&w, 5);
        tarn_thrift_field_i32(&w, 1, cols[c].n);
        tarn_thrift_field_i32(&w, 2, TARN_PQ_ENC_PLAIN);
        tarn_thrift_field_i32(&w, 3, g_bit_packed ? TARN_PQ_ENC_BIT_PACKED : TARN_PQ_ENC_RLE);
        tarn_thrift_field_i32(&w, 4, TARN_PQ_ENC_RLE);
        tarn_thrift_struct_end(&w);
        tarn_thrift_struct_end(&w);
        assert_int_equal(w.st, TARN_OK);
        assert_int_equal(tarn_buf_append(&f, body.data, body.len), TARN_OK);
        size[c] = (int64_t)f.len - off[c];
    }
    size_t footer_start = f.len;
    tarn_thrift_writer w;
    tarn_thrift_writer_init(&w, &f);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_i32(&w, 1, 1);
    tarn_thrift_field_list(&w, 2, TARN_THRIFT_STRUCT, n_els);
    for (int e = 0; e < n_els; e++) {
        tarn_thrift_struct_begin(&w);
        if (els[e].type >= 0)
            tarn_thrift_field_i32(&w, 1, els[e].type);
        if (els[e].rep >= 0)
            tarn_thrift_field_i32(&w, 3, els[e].rep);
        tarn_thrift_field_string(&w, 4, els[e].name);
        if (els[e].type < 0)
            tarn_thrift_field_i32(&w, 5, els[e].n_children);
        if (els[e].converted >= 0)
            tarn_thrift_field_i32(&w, 6, els[e].converted);
        tarn_thrift_struct_end(&w);
    }
    tarn_thrift_field_i64(&w, 3, rows);
    tarn_thrift_field_list(&w, 4, TARN_THRIFT_STRUCT, 1);
    tarn_thrift_struct_begin(&w);
    tarn_thrift_field_list(&w, 1, TARN_THRIFT_STRUCT, n_cols);
    for (int c = 0; c < n_cols; c++) {
        tarn_thrift_struct_begin(&w);
        tarn_thrift_field_i64(&w, 2, off[c]);
        tarn_thrift_field_struct_begin(&w, 3);
        tarn_thrift_field_i32(&w, 1, cols[c].type);
        tarn_thrift_field_list(&w, 2, TARN_THRIFT_I32, 2);
        tarn_thrift_i32_elem(&w, TARN_PQ_ENC_PLAIN);
        tarn_thrift_i32_elem(&w, TARN_PQ_ENC_RLE);
        char parts[8][32];
        int np = 0;
        const char *p = cols[c].path;
        while (*p) {
            size_t k = strcspn(p, ".");
            snprintf(parts[np++], sizeof parts[0], "%.*s", (int)k, p);
            p += k + (p[k] == '.');
        }
        tarn_thrift_field_list(&w, 3, TARN_THRIFT_BINARY, np);
        for (int k = 0; k < np; k++)
            tarn_thrift_binary_elem(&w, parts[k], strlen(parts[k]));
        tarn_thrift_field_i32(&w, 4, TARN_PQ_UNCOMPRESSED);
        tarn_thrift_field_i64(&w, 5, cols[c].n);
        tarn_thrift_field_i64(&w, 6, size[c]);
        tarn_thrift_field_i64(&w, 7, size[c]);
        tarn_thrift_field_i64(&w, 9, off[c]);
        tarn_thrift_struct_end(&w);
        tarn_thrift_struct_end(&w);
    }
    tarn_thrift_field_i64(&w, 2, (int64_t)footer_start);
    tarn_thrift_field_i64(&w, 3, rows);
    tarn_thrift_struct_end(&w);
    tarn_thrift_struct_end(&w);
    assert_int_equal(w.st, TARN_OK);
    put_u32(&f, (uint32_t)(f.len - footer_start));
    assert_int_equal(tarn_buf_append(&f, "PAR1", 4), TARN_OK);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(f.data, 1, f.len, out), f.len);
    fclose(out);
    tarn_buf_fini(&f);
    tarn_buf_fini(&body);
}

/* Reads every row of path as NDJSON. */
static char *read_ndjson(const char *path, tarn_status *out_st, tarn_err *err)
{
    tarn_pq_file *f;
    tarn_buf out = TARN_BUF_INIT;
    *out_st = tarn_pq_file_open(path, &f, err);
    if (*out_st != TARN_OK)
        return NULL;
    tarn_pq_scan *s;
    *out_st = tarn_pq_scan_open(f, NULL, &s, err);
    if (*out_st == TARN_OK) {
        tarn_batch *b;
        while ((*out_st = tarn_pq_scan_next(s, &b, err)) == TARN_OK && b)
            assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
        tarn_pq_scan_close(s);
    }
    tarn_pq_file_close(f);
    return tarn_buf_steal(&out, NULL);
}

static void expect_rows(const char *name, const tel *els, int n_els, const tcol *cols, int n_cols,
                        int64_t rows, const char *want)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s.parquet", tmp_dir, name);
    write_test_file(path, els, n_els, cols, n_cols, rows);
    tarn_err err;
    tarn_status st;
    char *got = read_ndjson(path, &st, &err);
    if (st != TARN_OK) {
        char m[1500];
        tarn_err_format(&err, m, sizeof m);
        fail_msg("%s: %s", name, m);
    }
    assert_string_equal(got ? got : "", want);
    tarn_free(got);
}

/* Nested assembly ----------------------------------------------------------------- */

/* The Document example of the Dremel paper (records r1 and r2). */
static void test_dremel_document(void **state)
{
    (void)state;
    const tel els[] = {
        {"Document", -1, -1, 3, -1},
        {"DocId", TARN_PQ_INT64, TARN_PQ_REQUIRED, 0, -1},
        {"Links", -1, TARN_PQ_OPTIONAL, 2, -1},
        {"Backward", TARN_PQ_INT64, TARN_PQ_REPEATED, 0, -1},
        {"Forward", TARN_PQ_INT64, TARN_PQ_REPEATED, 0, -1},
        {"Name", -1, TARN_PQ_REPEATED, 2, -1},
        {"Language", -1, TARN_PQ_REPEATED, 2, -1},
        {"Code", TARN_PQ_BYTE_ARRAY, TARN_PQ_REQUIRED, 0, TARN_PQ_CT_UTF8},
        {"Country", TARN_PQ_BYTE_ARRAY, TARN_PQ_OPTIONAL, 0, TARN_PQ_CT_UTF8},
        {"Url", TARN_PQ_BYTE_ARRAY, TARN_PQ_OPTIONAL, 0, TARN_PQ_CT_UTF8},
    };
    static const int64_t doc_v[] = {10, 20};
    static const int back_d[] = {1, 2, 2}, back_r[] = {0, 0, 1};
    static const int64_t back_v[] = {10, 30};
    static const int fwd_d[] = {2, 2, 2, 2}, fwd_r[] = {0, 1, 1, 0};
    static const int64_t fwd_v[] = {20, 40, 60, 80};
    static const int code_d[] = {2, 2, 1, 2, 1}, code_r[] = {0, 2, 1, 1, 0};
    static const char *code_v[] = {"en-us", "en", "en-gb"};
    static const int cty_d[] = {3, 2, 1, 3, 1}, cty_r[] = {0, 2, 1, 1, 0};
    static const char *cty_v[] = {"us", "gb"};
    static const int url_d[] = {2, 2, 1, 2}, url_r[] = {0, 1, 1, 0};
    static const char *url_v[] = {"http://A", "http://B", "http://C"};
    const tcol cols[] = {
        {"DocId", TARN_PQ_INT64, 0, 0, 2, NULL, NULL, doc_v, NULL},
        {"Links.Backward", TARN_PQ_INT64, 2, 1, 3, back_d, back_r, back_v, NULL},
        {"Links.Forward", TARN_PQ_INT64, 2, 1, 4, fwd_d, fwd_r, fwd_v, NULL},
        {"Name.Language.Code", TARN_PQ_BYTE_ARRAY, 2, 2, 5, code_d, code_r, NULL, code_v},
        {"Name.Language.Country", TARN_PQ_BYTE_ARRAY, 3, 2, 5, cty_d, cty_r, NULL, cty_v},
        {"Name.Url", TARN_PQ_BYTE_ARRAY, 2, 1, 4, url_d, url_r, NULL, url_v},
    };
    expect_rows("dremel", els, 10, cols, 6, 2,
                "{\"DocId\":10,\"Links\":{\"Backward\":[],\"Forward\":[20,40,60]},\"Name\":["
                "{\"Language\":[{\"Code\":\"en-us\",\"Country\":\"us\"},{\"Code\":\"en\","
                "\"Country\":null}],\"Url\":\"http://A\"},{\"Language\":[],\"Url\":\"http://B\"},"
                "{\"Language\":[{\"Code\":\"en-gb\",\"Country\":\"gb\"}],\"Url\":null}]}\n"
                "{\"DocId\":20,\"Links\":{\"Backward\":[10,30],\"Forward\":[80]},\"Name\":["
                "{\"Language\":[],\"Url\":\"http://C\"}]}\n");
}

/* optional s { optional t { optional x }, optional y }: a null at each level. */
static void test_struct_nulls(void **state)
{
    (void)state;
    const tel els[] = {
        {"root", -1, -1, 1, -1},
        {"s", -1, TARN_PQ_OPTIONAL, 2, -1},
        {"t", -1, TARN_PQ_OPTIONAL, 1, -1},
        {"x", TARN_PQ_INT32, TARN_PQ_OPTIONAL, 0, -1},
        {"y", TARN_PQ_BYTE_ARRAY, TARN_PQ_OPTIONAL, 0, TARN_PQ_CT_UTF8},
    };
    static const int x_d[] = {0, 1, 2, 3}, y_d[] = {0, 1, 2, 2};
    static const int64_t x_v[] = {5};
    static const char *y_v[] = {"a", "b"};
    const tcol cols[] = {
        {"s.t.x", TARN_PQ_INT32, 3, 0, 4, x_d, NULL, x_v, NULL},
        {"s.y", TARN_PQ_BYTE_ARRAY, 2, 0, 4, y_d, NULL, NULL, y_v},
    };
    expect_rows("struct_nulls", els, 5, cols, 2, 4,
                "{\"s\":null}\n"
                "{\"s\":{\"t\":null,\"y\":null}}\n"
                "{\"s\":{\"t\":{\"x\":null},\"y\":\"a\"}}\n"
                "{\"s\":{\"t\":{\"x\":5},\"y\":\"b\"}}\n");
}

/* MAP<string, int32>: null map, empty map, a null value; and MAP_KEY_VALUE
 * on the outer group (older writers). */
static void test_maps(void **state)
{
    (void)state;
    for (int legacy = 0; legacy < 2; legacy++) {
        const tel els[] = {
            {"root", -1, -1, 1, -1},
            {"m", -1, TARN_PQ_OPTIONAL, 1, legacy ? TARN_PQ_CT_MAP_KEY_VALUE : TARN_PQ_CT_MAP},
            {"key_value", -1, TARN_PQ_REPEATED, 2, -1},
            {"key", TARN_PQ_BYTE_ARRAY, TARN_PQ_REQUIRED, 0, TARN_PQ_CT_UTF8},
            {"value", TARN_PQ_INT32, TARN_PQ_OPTIONAL, 0, -1},
        };
        static const int k_d[] = {0, 1, 2, 2}, k_r[] = {0, 0, 0, 1};
        static const char *k_v[] = {"a", "b"};
        static const int v_d[] = {0, 1, 3, 2}, v_r[] = {0, 0, 0, 1};
        static const int64_t v_v[] = {1};
        const tcol cols[] = {
            {"m.key_value.key", TARN_PQ_BYTE_ARRAY, 2, 1, 4, k_d, k_r, NULL, k_v},
            {"m.key_value.value", TARN_PQ_INT32, 3, 1, 4, v_d, v_r, v_v, NULL},
        };
        expect_rows(legacy ? "map_legacy" : "map", els, 5, cols, 2, 3,
                    "{\"m\":null}\n{\"m\":[]}\n"
                    "{\"m\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":null}]}\n");
    }
}

/* Backward-compatible list layouts (LogicalTypes.md). */
static void test_legacy_lists(void **state)
{
    (void)state;
    /* A bare repeated primitive: a non-null list of required values. */
    const tel bare[] = {
        {"root", -1, -1, 1, -1},
        {"r", TARN_PQ_INT32, TARN_PQ_REPEATED, 0, -1},
    };
    static const int b_d[] = {1, 1, 0, 1}, b_r[] = {0, 1, 0, 0};
    static const int64_t b_v[] = {1, 2, 3};
    const tcol bare_c[] = {{"r", TARN_PQ_INT32, 1, 1, 4, b_d, b_r, b_v, NULL}};
    expect_rows("bare", bare, 2, bare_c, 1, 3, "{\"r\":[1,2]}\n{\"r\":[]}\n{\"r\":[3]}\n");

    /* 2-level list: the repeated child is the element. */
    const tel two[] = {
        {"root", -1, -1, 1, -1},
        {"l", -1, TARN_PQ_OPTIONAL, 1, TARN_PQ_CT_LIST},
        {"element", TARN_PQ_INT32, TARN_PQ_REPEATED, 0, -1},
    };
    static const int t_d[] = {0, 1, 2, 2}, t_r[] = {0, 0, 0, 1};
    static const int64_t t_v[] = {4, 5};
    const tcol two_c[] = {{"l.element", TARN_PQ_INT32, 2, 1, 4, t_d, t_r, t_v, NULL}};
    expect_rows("two_level", two, 3, two_c, 1, 3, "{\"l\":null}\n{\"l\":[]}\n{\"l\":[4,5]}\n");

    /* A repeated group named "array" and one named "<list>_tuple" are the
     * element (a one-field struct), not a wrapper. */
    const char *names[2] = {"array", "l_tuple"};
    for (int k = 0; k < 2; k++) {
        const tel arr[] = {
            {"root", -1, -1, 1, -1},
            {"l", -1, TARN_PQ_OPTIONAL, 1, TARN_PQ_CT_LIST},
            {names[k], -1, TARN_PQ_REPEATED, 1, -1},
            {"x", TARN_PQ_INT32, TARN_PQ_REQUIRED, 0, -1},
        };
        char path[64];
        snprintf(path, sizeof path, "l.%s.x", names[k]);
        const tcol arr_c[] = {{path, TARN_PQ_INT32, 2, 1, 4, t_d, t_r, t_v, NULL}};
        expect_rows(names[k], arr, 4, arr_c, 1, 3,
                    "{\"l\":null}\n{\"l\":[]}\n{\"l\":[{\"x\":4},{\"x\":5}]}\n");
    }

    /* Standard 3-level list with a single-child group: the child is the element. */
    const tel three[] = {
        {"root", -1, -1, 1, -1},
        {"l", -1, TARN_PQ_REQUIRED, 1, TARN_PQ_CT_LIST},
        {"list", -1, TARN_PQ_REPEATED, 1, -1},
        {"element", TARN_PQ_INT32, TARN_PQ_OPTIONAL, 0, -1},
    };
    static const int e_d[] = {0, 2, 1, 2}, e_r[] = {0, 0, 1, 1};
    static const int64_t e_v[] = {7, 8};
    const tcol three_c[] = {{"l.list.element", TARN_PQ_INT32, 2, 1, 4, e_d, e_r, e_v, NULL}};
    expect_rows("three_level", three, 4, three_c, 1, 2, "{\"l\":[]}\n{\"l\":[7,null,8]}\n");
}

/* Deprecated BIT_PACKED definition levels on a flat and a nested column. */
static void test_bit_packed_levels(void **state)
{
    (void)state;
    const tel els[] = {
        {"root", -1, -1, 2, -1},
        {"a", TARN_PQ_INT32, TARN_PQ_OPTIONAL, 0, -1},
        {"s", -1, TARN_PQ_OPTIONAL, 1, -1},
        {"b", TARN_PQ_INT64, TARN_PQ_OPTIONAL, 0, -1},
    };
    static const int a_d[] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0};
    static const int64_t a_v[] = {1, 2, 3, 4, 5, 6};
    static const int b_d[] = {2, 0, 1, 2, 0, 2, 1, 1, 2, 0};
    static const int64_t b_v[] = {10, 20, 30, 40};
    const tcol cols[] = {
        {"a", TARN_PQ_INT32, 1, 0, 10, a_d, NULL, a_v, NULL},
        {"s.b", TARN_PQ_INT64, 2, 0, 10, b_d, NULL, b_v, NULL},
    };
    g_bit_packed = true;
    expect_rows("bit_packed", els, 4, cols, 2, 10,
                "{\"a\":1,\"s\":{\"b\":10}}\n{\"a\":null,\"s\":null}\n"
                "{\"a\":2,\"s\":{\"b\":null}}\n{\"a\":3,\"s\":{\"b\":20}}\n"
                "{\"a\":null,\"s\":null}\n{\"a\":null,\"s\":{\"b\":30}}\n"
                "{\"a\":4,\"s\":{\"b\":null}}\n{\"a\":5,\"s\":{\"b\":null}}\n"
                "{\"a\":6,\"s\":{\"b\":40}}\n{\"a\":null,\"s\":null}\n");
    g_bit_packed = false;
}

/* Levels that disagree with the values or the row count are corrupt. */
static void test_inconsistent_levels(void **state)
{
    (void)state;
    const tel two[] = {
        {"root", -1, -1, 1, -1},
        {"l", -1, TARN_PQ_OPTIONAL, 1, TARN_PQ_CT_LIST},
        {"element", TARN_PQ_INT32, TARN_PQ_REPEATED, 0, -1},
    };
    static const int t_d[] = {0, 1, 2, 2}, t_r[] = {0, 0, 0, 1};
    static const int64_t t_v[] = {4, 5};
    const tcol c[] = {{"l.element", TARN_PQ_INT32, 2, 1, 4, t_d, t_r, t_v, NULL}};
    char path[700];
    snprintf(path, sizeof path, "%s/bad_rows.parquet", tmp_dir);
    write_test_file(path, two, 3, c, 1, 4); /* footer claims 4 rows, levels hold 3 */
    tarn_err err;
    tarn_status st;
    char *got = read_ndjson(path, &st, &err);
    assert_int_equal(st, TARN_ERR_CORRUPT);
    assert_non_null(strstr(err.msg, "column 'l.element': nested column chunk holds 3 records"));
    assert_true(err.offset > 0);
    tarn_free(got);
    write_test_file(path, two, 3, c, 1, 2); /* fewer rows than records */
    got = read_ndjson(path, &st, &err);
    assert_int_equal(st, TARN_ERR_CORRUPT);
    tarn_free(got);
}

/* Scans of a multi-row-group file ------------------------------------------------------ */

static void open_corpus(const char *rel, tarn_pq_file **f)
{
    char path[1024];
    tarn_err err;
    tt_testdata(rel, path, sizeof path);
    if (tarn_pq_file_open(path, f, &err) != TARN_OK)
        fail_msg("cannot open %s: %s", path, err.msg);
}

/* duckdb_100k: 9 row groups of 10240 rows, then 7840; id == row number. */
static void test_projection_and_masks(void **state)
{
    (void)state;
    tarn_pq_file *f;
    open_corpus("parquet/duckdb/duckdb_100k_zstd.parquet", &f);
    assert_int_equal(tarn_pq_file_num_row_groups(f), 10);
    assert_int_equal(tarn_pq_file_num_rows(f), 100000);
    const tarn_schema *fs = tarn_pq_file_schema(f);
    int user_key = tarn_schema_find(fs, "user_key"), id = tarn_schema_find(fs, "id");
    assert_true(user_key > 0 && id == 0);

    int cols[2] = {user_key, id};
    bool mask[10] = {false, true, false, true, false, true, false, false, false, false};
    tarn_pq_scan_opts o = {.columns = cols, .n_columns = 2, .row_groups = mask};
    tarn_pq_scan *s;
    tarn_err err;
    tarn_err_clear(&err);
    assert_int_equal(tarn_pq_scan_open(f, &o, &s, &err), TARN_OK);
    const tarn_schema *ss = tarn_pq_scan_schema(s);
    assert_int_equal(ss->n_fields, 2);
    assert_string_equal(ss->fields[0].name, "user_key");
    assert_int_equal(ss->fields[1].type.id, TARN_TYPE_INT64);
    tarn_batch *b;
    int64_t rows = 0;
    while (tarn_pq_scan_next(s, &b, &err) == TARN_OK && b) {
        int rg = tarn_pq_scan_row_group(s);
        assert_true(rg == 1 || rg == 3 || rg == 5);
        assert_true(b->n_rows <= TARN_BATCH_ROWS);
        int64_t off = tarn_pq_scan_row_offset(s);
        for (int64_t r = 0; r < b->n_rows; r++)
            assert_true(tarn_vec_get_i64(b->cols[1], r) == rg * 10240 + off + r);
        /* user_key = 'user_' || ((i * 2654435761) % 1000003) */
        int64_t i = tarn_vec_get_i64(b->cols[1], 0);
        char want[64];
        snprintf(want, sizeof want, "user_%lld",
                 (long long)((i * INT64_C(2654435761)) % INT64_C(1000003)));
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(b->cols[0], 0, &len);
        assert_int_equal(len, (int)strlen(want));
        assert_memory_equal(p, want, (size_t)len);
        rows += b->n_rows;
    }
    assert_int_equal(err.code, TARN_OK);
    assert_int_equal(rows, 3 * 10240);
    tarn_pq_scan_close(s);

    /* One column: narrow scans decode several row groups at once; rows must
     * still come in file order with the right positions. */
    int only_id[1] = {id};
    for (int m = 0; m < 2; m++) {
        tarn_pq_scan_opts one = {.columns = only_id, .n_columns = 1, .row_groups = m ? mask : NULL};
        assert_int_equal(tarn_pq_scan_open(f, &one, &s, &err), TARN_OK);
        int64_t next = m ? 10240 : 0;
        rows = 0;
        while (tarn_pq_scan_next(s, &b, &err) == TARN_OK && b) {
            int rg = tarn_pq_scan_row_group(s);
            int64_t off = tarn_pq_scan_row_offset(s);
            assert_true(rg * 10240 + off == tarn_vec_get_i64(b->cols[0], 0));
            for (int64_t r = 0; r < b->n_rows; r++) {
                if (m && r == 0 && next % 10240 == 0 && next / 10240 % 2 == 0)
                    next += 10240; /* skipped row group */
                assert_true(tarn_vec_get_i64(b->cols[0], r) == next);
                next++;
            }
            rows += b->n_rows;
        }
        assert_int_equal(err.code, TARN_OK);
        assert_int_equal(rows, m ? 3 * 10240 : 100000);
        tarn_pq_scan_close(s);
    }

    /* No columns: batches still count the rows. */
    tarn_pq_scan_opts none = {.columns = cols, .n_columns = 0};
    assert_int_equal(tarn_pq_scan_open(f, &none, &s, &err), TARN_OK);
    rows = 0;
    while (tarn_pq_scan_next(s, &b, &err) == TARN_OK && b) {
        assert_int_equal(b->n_cols, 0);
        rows += b->n_rows;
    }
    assert_int_equal(rows, 100000);
    tarn_pq_scan_close(s);

    /* Bad projections. */
    int bad[2] = {0, 0};
    tarn_pq_scan_opts dup = {.columns = bad, .n_columns = 2};
    assert_int_equal(tarn_pq_scan_open(f, &dup, &s, &err), TARN_ERR_INVALID);
    bad[1] = 99;
    assert_int_equal(tarn_pq_scan_open(f, &dup, &s, &err), TARN_ERR_INVALID);
    tarn_pq_file_close(f);
}

static void test_statistics(void **state)
{
    (void)state;
    tarn_pq_file *f;
    tarn_err err;
    tarn_pq_stats st;
    open_corpus("parquet/duckdb/duckdb_100k_zstd.parquet", &f);
    const tarn_schema *fs = tarn_pq_file_schema(f);
    for (int g = 0; g < 10; g++) {
        assert_int_equal(tarn_pq_file_column_stats(f, g, 0, &st, &err), TARN_OK);
        assert_true(st.has_min_max && st.has_null_count);
        assert_int_equal(st.null_count, 0);
        assert_int_equal(st.min.v.i64, g * 10240);
        assert_int_equal(st.max.v.i64, g < 9 ? g * 10240 + 10239 : 99999);
    }
    int amount = tarn_schema_find(fs, "amount"), cat = tarn_schema_find(fs, "category");
    int nul = tarn_schema_find(fs, "always_null"), flag = tarn_schema_find(fs, "flag");
    assert_int_equal(tarn_pq_file_column_stats(f, 0, amount, &st, &err), TARN_OK);
    assert_true(st.has_min_max);
    assert_int_equal(st.min.type.id, TARN_TYPE_DECIMAL);
    assert_int_equal(st.min.type.scale, 2);
    assert_true(st.min.v.i128 >= -100000000 && st.max.v.i128 <= 100000000);
    assert_int_equal(st.null_count, 788); /* i % 13 == 0 for i in [0, 10240) */
    assert_int_equal(tarn_pq_file_column_stats(f, 0, cat, &st, &err), TARN_OK);
    assert_true(st.has_min_max);
    assert_int_equal(st.min.len, 11);
    assert_memory_equal(st.min.bytes, "category_00", 11);
    assert_int_equal(tarn_pq_file_column_stats(f, 0, nul, &st, &err), TARN_OK);
    assert_false(st.has_min_max);
    assert_int_equal(st.null_count, 10240);
    assert_int_equal(tarn_pq_file_column_stats(f, 0, flag, &st, &err), TARN_OK);
    assert_true(st.has_min_max && !st.min.v.b && st.max.v.b);
    assert_int_equal(tarn_pq_file_column_stats(f, 10, 0, &st, &err), TARN_ERR_INVALID);
    tarn_pq_file_close(f);

    /* INT96 statistics are never trusted; nested columns have none. */
    open_corpus("parquet/flat/alltypes_plain.parquet", &f);
    int ts = tarn_schema_find(tarn_pq_file_schema(f), "timestamp_col");
    assert_int_equal(tarn_pq_file_column_stats(f, 0, ts, &st, &err), TARN_OK);
    assert_false(st.has_min_max);
    tarn_pq_file_close(f);
    open_corpus("parquet/nested/list_columns.parquet", &f);
    assert_int_equal(tarn_pq_file_column_stats(f, 0, 0, &st, &err), TARN_OK);
    assert_false(st.has_min_max);
    assert_int_equal(tarn_pq_file_num_leaves(f), 2);
    assert_string_equal(tarn_pq_file_leaf_path(f, 1), "utf8_list.list.item");
    assert_int_equal(tarn_pq_file_leaf_stats(f, 0, 0, &st, &err), TARN_OK);
    assert_true(st.has_min_max);
    assert_int_equal(st.min.v.i64, 1);
    assert_int_equal(st.max.v.i64, 4);
    tarn_pq_file_close(f);
}

/* Byte mutations ------------------------------------------------------------------------ */

/* Overwrites bytes of real files one at a time; open + full scan must
 * return (success or a clean error) without crashing. Run under ASan. */
static void test_mutations(void **state)
{
    (void)state;
    static const char *files[] = {
        "parquet/flat/alltypes_plain.parquet",
        "parquet/flat/alltypes_dictionary.parquet",
        "parquet/nested/datapage_v2.snappy.parquet",
        "parquet/nested/nulls.snappy.parquet",
        "parquet/flat/rle_boolean_encoding.parquet",
        "parquet/flat/fixed_length_decimal.parquet",
        "parquet/flat/delta_encoding_required_column.parquet",
        "parquet/nested/list_columns.parquet",
    };
    char src[1024], dst[700];
    snprintf(dst, sizeof dst, "%s/mutant.parquet", tmp_dir);
    int n_ok = 0, n_err = 0;
    for (size_t k = 0; k < TARN_ARRAY_LEN(files); k++) {
        size_t len;
        uint8_t *orig = (uint8_t *)tt_read_file(tt_testdata(files[k], src, sizeof src), &len);
        assert_non_null(orig);
        size_t step = len > 700 ? len / 700 : 1;
        for (size_t i = 0; i < len; i += step) {
            uint8_t saved = orig[i];
            orig[i] = (uint8_t)(i & 1 ? saved ^ 0x55 : 0xff - saved);
            FILE *out = fopen(dst, "wb");
            assert_int_equal(fwrite(orig, 1, len, out), len);
            fclose(out);
            orig[i] = saved;
            tarn_err err;
            tarn_status st;
            char *got = read_ndjson(dst, &st, &err);
            tarn_free(got);
            if (st == TARN_OK) {
                n_ok++;
            } else {
                n_err++;
                assert_true(err.msg[0] != '\0');
            }
        }
        free(orig);
    }
    print_message("  mutations: %d read, %d rejected\n", n_ok, n_err);
    assert_true(n_ok > 0 && n_err > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dremel_document),
        cmocka_unit_test(test_struct_nulls),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_legacy_lists),
        cmocka_unit_test(test_bit_packed_levels),
        cmocka_unit_test(test_inconsistent_levels),
        cmocka_unit_test(test_projection_and_masks),
        cmocka_unit_test(test_statistics),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
