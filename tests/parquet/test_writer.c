/*
 * tests/parquet/test_writer.c - the Parquet writer end to end: files read
 * back through the reader (parquet/reader.h) for every flat type, nulls,
 * nested struct/list/map, codecs, page versions, several pages and row
 * groups; dictionary fallback seen in the page headers; statistics; error
 * paths (I/O, schema mismatch, abort) and allocation failures.
 */
#include "tarn_test.h"

#include "base/pool.h"
#include "column/render.h"
#include "column/value.h"
#include "parquet/footer.h"
#include "parquet/reader.h"
#include "parquet/writer.h"

#include <math.h>

#define OK(expr) assert_int_equal((expr), TARN_OK)

static uint64_t mix(uint64_t i, uint64_t salt)
{
    uint64_t x = i * 0x9e3779b97f4a7c15ULL + salt * 0xbf58476d1ce4e5b9ULL + 1;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 29);
}

/* Flat data ------------------------------------------------------------------ */

static const char *flat_schema_text =
    "id int64 not null, b boolean, i8 int8, i16 int16, i32 int32, u8 uint8, u16 uint16, "
    "u32 uint32, u64 uint64, f32 float, f64 double, d9 decimal(9,2), d18 decimal(18,4), "
    "d38 decimal(38,10), s string, bin binary, u uuid, dt date, tm time, ts timestamp, "
    "ntz timestamp_ntz, ns timestamp_ns, req string not null";

static void fill_flat(tarn_batch *b, int64_t first, int64_t n)
{
    static const double fl[] = {0.0, -0.0, NAN, INFINITY, -INFINITY, 1.5, -2.25, 1e-300};
    tarn_batch_reset(b);
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        uint64_t r = mix((uint64_t)i, 1);
        OK(tarn_vec_append_i64(b->cols[0], i));
        for (int c = 1; c < b->n_cols - 1; c++) {
            tarn_vec *v = b->cols[c];
            if ((i + c) % 9 == 0) {
                OK(tarn_vec_append_null(v));
                continue;
            }
            uint64_t x = mix((uint64_t)i, (uint64_t)c);
            switch (v->type.id) {
            case TARN_TYPE_BOOL:
                OK(tarn_vec_append_bool(v, x & 1));
                break;
            case TARN_TYPE_FLOAT32: {
                float f = (float)(i % 13 < 8 ? fl[i % 8] : (double)(int64_t)(x % 2000) / 8 - 100);
                OK(tarn_vec_append_fixed(v, &f));
                break;
            }
            case TARN_TYPE_FLOAT64:
                OK(tarn_vec_append_f64(v, i % 13 < 8 ? fl[i % 8] : (double)(int64_t)x / 3e12));
                break;
            case TARN_TYPE_DECIMAL: {
                tarn_i128 max = tarn_pow10_i128(v->type.precision) - 1;
                tarn_i128 d = i % 50 == 1   ? max
                              : i % 50 == 2 ? -max
                                            : (tarn_i128)(x % 1000000) - 500000;
                if (v->type.precision > 18 && i % 5 == 0)
                    d = d * (tarn_i128)1000000007 * 1000000007 * 97;
                OK(tarn_vec_append_decimal(v, d));
                break;
            }
            case TARN_TYPE_STRING: {
                char tmp[96];
                int len = i % 17 == 0 ? 0 : snprintf(tmp, sizeof tmp, "v%03d-é✓", (int)(x % 300));
                if (i % 31 == 0)
                    len = snprintf(tmp, sizeof tmp, "%0*d", 80, (int)(x % 1000)); /* > 64 bytes */
                OK(tarn_vec_append_bytes(v, tmp, len));
                break;
            }
            case TARN_TYPE_BINARY: {
                uint8_t tmp[8];
                for (int q = 0; q < 8; q++)
                    tmp[q] = (uint8_t)(x >> (8 * q));
                OK(tarn_vec_append_bytes(v, tmp, (int64_t)(x % 9)));
                break;
            }
            case TARN_TYPE_UUID: {
                uint8_t u[16];
                for (int q = 0; q < 16; q++)
                    u[q] = (uint8_t)mix((uint64_t)i, 50 + (uint64_t)q);
                OK(tarn_vec_append_fixed(v, u));
                break;
            }
            default: { /* integers, date, time, timestamps: width-sized payload */
                int64_t y = (int64_t)x;
                if (v->type.id == TARN_TYPE_DATE)
                    y = (int64_t)(x % 60000) - 30000;
                else if (v->type.id == TARN_TYPE_TIME)
                    y = (int64_t)(x % 86400000000ULL);
                else if (v->type.id == TARN_TYPE_TIMESTAMP || v->type.id == TARN_TYPE_TIMESTAMP_NTZ)
                    y = (int64_t)(x % 4000000000000000ULL) - 2000000000000000LL;
                else if (i % 10 < 3)
                    y = (int64_t)(x % 5); /* low cardinality: dictionary pages */
                OK(tarn_vec_append_fixed(v, &y));
            }
            }
        }
        char tmp[16];
        int len = snprintf(tmp, sizeof tmp, "r%d", (int)(r % 7));
        OK(tarn_vec_append_bytes(b->cols[b->n_cols - 1], tmp, len));
    }
    b->n_rows = n;
}

/* Nested data: struct, list of strings, list of lists, map, list of structs. */
static tarn_schema *nested_schema(void)
{
    tarn_schema *s = tarn_schema_create();
    assert_non_null(s);
    assert_non_null(tarn_schema_add(s, "id", tarn_type_make(TARN_TYPE_INT64), false));
    assert_non_null(tarn_schema_add(s, "st", tarn_type_make(TARN_TYPE_STRUCT), true));
    assert_non_null(tarn_schema_add(s, "l", tarn_type_make(TARN_TYPE_LIST), true));
    assert_non_null(tarn_schema_add(s, "ll", tarn_type_make(TARN_TYPE_LIST), false));
    assert_non_null(tarn_schema_add(s, "m", tarn_type_make(TARN_TYPE_MAP), true));
    tarn_arena *a = s->arena;
    tarn_field *f = s->fields;
    f[1].n_children = 2;
    f[1].children = tarn_arena_calloc(a, 2, sizeof(tarn_field));
    f[1].children[0] = (tarn_field){"x", tarn_type_make(TARN_TYPE_INT32), true, 0, NULL, NULL, -1};
    f[1].children[1] = (tarn_field){"y", tarn_type_decimal(30, 5), false, 0, NULL, NULL, -1};
    f[2].n_children = 1;
    f[2].children = tarn_arena_calloc(a, 1, sizeof(tarn_field));
    f[2].children[0] =
        (tarn_field){"element", tarn_type_make(TARN_TYPE_STRING), true, 0, NULL, NULL, -1};
    f[3].n_children = 1;
    f[3].children = tarn_arena_calloc(a, 1, sizeof(tarn_field));
    tarn_field *inner = tarn_arena_calloc(a, 1, sizeof(tarn_field));
    *inner = (tarn_field){"element", tarn_type_make(TARN_TYPE_INT64), false, 0, NULL, NULL, -1};
    f[3].children[0] =
        (tarn_field){"element", tarn_type_make(TARN_TYPE_LIST), true, 1, inner, NULL, -1};
    f[4].n_children = 2;
    f[4].children = tarn_arena_calloc(a, 2, sizeof(tarn_field));
    f[4].children[0] =
        (tarn_field){"key", tarn_type_make(TARN_TYPE_STRING), false, 0, NULL, NULL, -1};
    f[4].children[1] =
        (tarn_field){"value", tarn_type_make(TARN_TYPE_FLOAT64), true, 0, NULL, NULL, -1};
    return s;
}

static void row_valid(tarn_vec *v)
{
    OK(tarn_vec_reserve(v, 1));
    if (v->validity)
        tarn_bit_set(v->validity, v->len, true);
    if (v->offsets)
        v->offsets[v->len + 1] = (int32_t)v->children[0]->len;
    v->len++;
}

static void fill_nested(tarn_batch *b, int64_t first, int64_t n)
{
    tarn_batch_reset(b);
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        OK(tarn_vec_append_i64(b->cols[0], i));
        tarn_vec *st = b->cols[1], *l = b->cols[2], *ll = b->cols[3], *m = b->cols[4];
        if (i % 5 == 1) {
            OK(tarn_vec_append_null(st));
        } else {
            if (i % 3 == 0)
                OK(tarn_vec_append_null(st->children[0]));
            else
                OK(tarn_vec_append_i32(st->children[0], (int32_t)(i * 7)));
            OK(tarn_vec_append_decimal(st->children[1], (tarn_i128)(i - 100) * 100003));
            row_valid(st);
        }
        if (i % 6 == 5) {
            OK(tarn_vec_append_null(l));
        } else {
            for (int q = 0; q < (int)(i % 4); q++) {
                char tmp[16];
                int len = snprintf(tmp, sizeof tmp, "s%d", (int)((i + q) % 5));
                if ((i + q) % 7 == 3)
                    OK(tarn_vec_append_null(l->children[0]));
                else
                    OK(tarn_vec_append_bytes(l->children[0], tmp, len));
            }
            row_valid(l);
        }
        tarn_vec *inner = ll->children[0];
        for (int q = 0; q < (int)(i % 3); q++) {
            if ((i + q) % 4 == 3) {
                OK(tarn_vec_append_null(inner));
                continue;
            }
            for (int z = 0; z < (int)((i + q) % 3); z++)
                OK(tarn_vec_append_i64(inner->children[0], i * 10 + z));
            row_valid(inner);
        }
        row_valid(ll);
        if (i % 8 == 7) {
            OK(tarn_vec_append_null(m));
        } else {
            for (int q = 0; q < (int)(i % 3); q++) {
                char tmp[16];
                int len = snprintf(tmp, sizeof tmp, "k%d", q);
                OK(tarn_vec_append_bytes(m->children[0], tmp, len));
                if ((i + q) % 4 == 0)
                    OK(tarn_vec_append_null(m->children[1]));
                else
                    OK(tarn_vec_append_f64(m->children[1], (double)i / 4 - q));
            }
            row_valid(m);
        }
    }
    b->n_rows = n;
}

/* Helpers ------------------------------------------------------------------------ */

typedef void (*fill_fn)(tarn_batch *b, int64_t first, int64_t n);

/* Writes rows [0, rows) in batches of batch_rows; expected NDJSON in *out_ndjson. */
static void write_rows(const char *path, const tarn_schema *s, const tarn_pq_write_opts *o,
                       fill_fn fill, int64_t rows, int64_t batch_rows, tarn_buf *out_ndjson,
                       tarn_pq_write_result *res)
{
    tarn_err err;
    tarn_pq_writer *w;
    assert_int_equal(tarn_pq_writer_open(path, s, o, &w, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    assert_non_null(b);
    for (int64_t first = 0; first < rows; first += batch_rows) {
        int64_t n = TARN_MIN(batch_rows, rows - first);
        fill(b, first, n);
        OK(tarn_render_ndjson(out_ndjson, b));
        if (tarn_pq_writer_write(w, b, &err) != TARN_OK)
            fail_msg("write: %s", err.msg);
    }
    if (tarn_pq_writer_close(w, res, &err) != TARN_OK)
        fail_msg("close: %s", err.msg);
    tarn_batch_destroy(b);
}

/* Reads the whole file back as NDJSON through the reader. */
static void read_back(const char *path, tarn_buf *out, int *out_row_groups)
{
    tarn_err err;
    tarn_pq_file *f;
    if (tarn_pq_file_open(path, &f, &err) != TARN_OK)
        fail_msg("open %s: %s", path, err.msg);
    tarn_pq_scan *sc;
    OK(tarn_pq_scan_open(f, NULL, &sc, &err));
    for (;;) {
        tarn_batch *b;
        if (tarn_pq_scan_next(sc, &b, &err) != TARN_OK)
            fail_msg("scan %s: %s", path, err.msg);
        if (!b)
            break;
        OK(tarn_render_ndjson(out, b));
    }
    if (out_row_groups)
        *out_row_groups = tarn_pq_file_num_row_groups(f);
    tarn_pq_scan_close(sc);
    tarn_pq_file_close(f);
}

static void assert_same_text(const tarn_buf *want, const tarn_buf *got)
{
    if (want->len == got->len && (want->len == 0 || memcmp(want->data, got->data, want->len) == 0))
        return;
    size_t k = 0, line = 1, start = 0;
    while (k < want->len && k < got->len && want->data[k] == got->data[k]) {
        if (want->data[k] == '\n') {
            line++;
            start = k + 1;
        }
        k++;
    }
    fail_msg("NDJSON differs at line %zu:\nwant %.300s\ngot  %.300s", line, want->data + start,
             got->data + TARN_MIN(start, got->len));
}

static void roundtrip(const char *dir, const char *name, const tarn_schema *s,
                      const tarn_pq_write_opts *o, fill_fn fill, int64_t rows, int64_t batch_rows,
                      int *out_row_groups)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.parquet", dir, name);
    tarn_buf want = TARN_BUF_INIT, got = TARN_BUF_INIT;
    tarn_pq_write_result res;
    write_rows(path, s, o, fill, rows, batch_rows, &want, &res);
    assert_int_equal(res.num_rows, rows);
    tarn_stat st;
    tarn_err err;
    OK(tarn_file_stat(path, &st, &err));
    assert_int_equal(res.file_size, st.size);
    tarn_arena_destroy(res.arena);
    read_back(path, &got, out_row_groups);
    assert_same_text(&want, &got);
    tarn_buf_fini(&want);
    tarn_buf_fini(&got);
}

/* Tests ---------------------------------------------------------------------------- */

static void test_flat_roundtrip(void **state)
{
    (void)state;
    char dir[256];
    tt_tmpdir("pqw-flat", dir, sizeof dir);
    tarn_schema *s;
    tarn_err err;
    OK(tarn_schema_parse(flat_schema_text, &s, &err));
    struct {
        tarn_pq_codec codec;
        int version;
        bool no_dict;
        int64_t page, rg;
    } cases[] = {
        {TARN_PQ_ZSTD, 1, false, 0, 0},
        {TARN_PQ_SNAPPY, 2, false, 700, 30000},
        {TARN_PQ_GZIP, 1, true, 512, 20000},
        {TARN_PQ_BROTLI, 2, true, 0, 0},
        {TARN_PQ_LZ4_RAW, 1, false, 4096, 50000},
        {TARN_PQ_UNCOMPRESSED, 2, false, 300, 0},
        {TARN_PQ_UNCOMPRESSED, 1, true, 300, 9000},
    };
    for (size_t c = 0; c < TARN_ARRAY_LEN(cases); c++) {
        tarn_pq_write_opts o;
        tarn_pq_write_opts_init(&o);
        o.codec = cases[c].codec;
        o.data_page_version = cases[c].version;
        o.no_dictionary = cases[c].no_dict;
        o.page_bytes = cases[c].page;
        o.row_group_bytes = cases[c].rg;
        char name[32];
        snprintf(name, sizeof name, "flat%zu", c);
        int rgs = 0;
        roundtrip(dir, name, s, &o, fill_flat, 2500, 333, &rgs);
        if (cases[c].rg)
            assert_true(rgs > 1);
        else
            assert_int_equal(rgs, 1);
    }
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

static void test_nested_roundtrip(void **state)
{
    (void)state;
    char dir[256];
    tt_tmpdir("pqw-nested", dir, sizeof dir);
    tarn_schema *s = nested_schema();
    for (int c = 0; c < 4; c++) {
        tarn_pq_write_opts o;
        tarn_pq_write_opts_init(&o);
        o.data_page_version = 1 + c % 2;
        o.no_dictionary = c >= 2;
        o.page_bytes = c == 3 ? 0 : 256; /* many pages, split on record boundaries */
        o.row_group_bytes = c == 1 ? 8000 : 0;
        o.codec = c == 2 ? TARN_PQ_SNAPPY : TARN_PQ_ZSTD;
        char name[32];
        snprintf(name, sizeof name, "nested%d", c);
        int rgs = 0;
        roundtrip(dir, name, s, &o, fill_nested, 1500, 250, &rgs);
        if (c == 1)
            assert_true(rgs > 1);
    }
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

static void test_empty_file(void **state)
{
    (void)state;
    char dir[256];
    tt_tmpdir("pqw-empty", dir, sizeof dir);
    tarn_schema *s = nested_schema();
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    int rgs = -1;
    roundtrip(dir, "empty", s, &o, fill_nested, 0, 10, &rgs);
    assert_int_equal(rgs, 0);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

/* Reads the page headers of leaf column `col` in row group 0. */
static int page_encodings(const char *path, int col, tarn_pq_page_type *types,
                          tarn_pq_encoding *encs, int max)
{
    tarn_err err;
    tarn_pq_file *f;
    OK(tarn_pq_file_open(path, &f, &err));
    const tarn_pq_file_meta *m = tarn_pq_file_metadata(f);
    const tarn_pq_column_meta *cm = &m->row_groups[0].columns[col].meta_data;
    int64_t off =
        cm->has_dictionary_page_offset ? cm->dictionary_page_offset : cm->data_page_offset;
    size_t len;
    char *bytes = tt_read_file(path, &len);
    assert_non_null(bytes);
    int n = 0;
    int64_t end = off + cm->total_compressed_size;
    while (off < end && n < max) {
        tarn_pq_page_header h;
        size_t hl;
        OK(tarn_pq_page_header_decode((const uint8_t *)bytes + off, len - (size_t)off, off, &h, &hl,
                                      &err));
        types[n] = h.type;
        encs[n] = h.type == TARN_PQ_DICTIONARY_PAGE ? h.dictionary_page_header.encoding
                  : h.type == TARN_PQ_DATA_PAGE     ? h.data_page_header.encoding
                                                    : h.data_page_header_v2.encoding;
        n++;
        off += (int64_t)hl + h.compressed_page_size;
    }
    assert_int_equal(off, end);
    free(bytes);
    tarn_pq_file_close(f);
    return n;
}

/* Low-cardinality rows first, then unique ones: the dictionary overflows
 * mid-chunk, the pages before stay RLE_DICTIONARY and the rest are PLAIN. */
static void fill_fallback(tarn_batch *b, int64_t first, int64_t n)
{
    tarn_batch_reset(b);
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        char tmp[32];
        int len = i < 3000 ? snprintf(tmp, sizeof tmp, "low-%d", (int)(i % 10))
                           : snprintf(tmp, sizeof tmp, "unique-value-%08d", (int)i);
        OK(tarn_vec_append_bytes(b->cols[0], tmp, len));
        OK(tarn_vec_append_i64(b->cols[1], i * 1000003)); /* all distinct: no dictionary */
    }
    b->n_rows = n;
}

static void test_dictionary_fallback(void **state)
{
    (void)state;
    char dir[256], path[512];
    tt_tmpdir("pqw-dict", dir, sizeof dir);
    tarn_schema *s;
    tarn_err err;
    OK(tarn_schema_parse("s string, n int64", &s, &err));
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    o.page_bytes = 4096;
    o.dictionary_max_bytes = 2000;
    for (int v = 1; v <= 2; v++) {
        o.data_page_version = v;
        char name[16];
        snprintf(name, sizeof name, "fb%d", v);
        roundtrip(dir, name, s, &o, fill_fallback, 10000, 1000, NULL);
        snprintf(path, sizeof path, "%s/%s.parquet", dir, name);
        tarn_pq_page_type types[200];
        tarn_pq_encoding encs[200];
        int n = page_encodings(path, 0, types, encs, 200);
        assert_true(n > 3);
        assert_int_equal(types[0], TARN_PQ_DICTIONARY_PAGE);
        assert_int_equal(encs[0], TARN_PQ_ENC_PLAIN);
        int k = 1, n_dict = 0, n_plain = 0;
        tarn_pq_page_type dp = v == 2 ? TARN_PQ_DATA_PAGE_V2 : TARN_PQ_DATA_PAGE;
        for (; k < n && encs[k] == TARN_PQ_ENC_RLE_DICTIONARY; k++, n_dict++)
            assert_int_equal(types[k], dp);
        for (; k < n && encs[k] == TARN_PQ_ENC_PLAIN; k++, n_plain++)
            assert_int_equal(types[k], dp);
        assert_int_equal(k, n); /* no dictionary page after the fallback */
        assert_true(n_dict >= 1);
        assert_true(n_plain >= 1);
        /* the all-distinct column never gets a dictionary */
        n = page_encodings(path, 1, types, encs, 200);
        for (int p = 0; p < n; p++) {
            assert_int_equal(types[p], dp);
            assert_int_equal(encs[p], TARN_PQ_ENC_PLAIN);
        }
        /* footer lists the encodings */
        tarn_pq_file *f;
        OK(tarn_pq_file_open(path, &f, &err));
        const tarn_pq_column_meta *cm =
            &tarn_pq_file_metadata(f)->row_groups[0].columns[0].meta_data;
        bool plain = false, rle = false, rd = false;
        for (int e = 0; e < cm->n_encodings; e++) {
            plain |= cm->encodings[e] == TARN_PQ_ENC_PLAIN;
            rle |= cm->encodings[e] == TARN_PQ_ENC_RLE;
            rd |= cm->encodings[e] == TARN_PQ_ENC_RLE_DICTIONARY;
        }
        assert_true(plain && rle && rd);
        assert_true(cm->has_dictionary_page_offset);
        assert_int_equal(cm->codec, TARN_PQ_ZSTD);
        tarn_pq_file_close(f);
    }
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

static void fill_stats(tarn_batch *b, int64_t first, int64_t n)
{
    tarn_batch_reset(b);
    for (int64_t k = 0; k < n; k++) {
        int64_t i = first + k;
        uint32_t u = i == 3 ? UINT32_MAX : (uint32_t)i; /* above INT32_MAX: unsigned order */
        OK(tarn_vec_append_fixed(b->cols[0], &u));
        double d = i == 0 ? NAN : i == 1 ? -0.0 : i == 2 ? 0.0 : (double)i;
        if (i > 10)
            d = NAN;
        OK(tarn_vec_append_f64(b->cols[1], d));
        OK(tarn_vec_append_decimal(b->cols[2], i == 4 ? -(tarn_pow10_i128(30)) : (tarn_i128)i));
        char tmp[100];
        memset(tmp, i == 5 ? 'z' : 'b', sizeof tmp);
        OK(tarn_vec_append_bytes(b->cols[3], tmp, i == 5 ? 100 : 70 + i % 3));
        if (i % 2)
            OK(tarn_vec_append_null(b->cols[4]));
        else
            OK(tarn_vec_append_i64(b->cols[4], -i));
        OK(tarn_vec_append_null(b->cols[5]));
    }
    b->n_rows = n;
}

static void test_statistics(void **state)
{
    (void)state;
    char dir[256], path[512];
    tt_tmpdir("pqw-stats", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/stats.parquet", dir);
    tarn_schema *s;
    tarn_err err;
    OK(tarn_schema_parse("u uint32, d double, w decimal(38,2), s string, h int64, z int32", &s,
                         &err));
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    o.row_group_bytes = 1500; /* several row groups: file stats fold them */
    tarn_buf text = TARN_BUF_INIT;
    tarn_pq_write_result r;
    write_rows(path, s, &o, fill_stats, 40, 7, &text, &r);
    assert_int_equal(r.n_cols, 6);
    assert_true(r.cols[0].has_min_max);
    assert_int_equal(r.cols[0].min.v.i64, 0);
    assert_int_equal(r.cols[0].max.v.i64, (int64_t)UINT32_MAX);
    assert_true(r.cols[1].has_min_max);
    assert_true(r.cols[1].min.v.f64 == 0.0 && signbit(r.cols[1].min.v.f64));
    assert_true(r.cols[1].max.v.f64 == 10.0);
    assert_true(r.cols[2].min.v.i128 == -tarn_pow10_i128(30));
    assert_true(r.cols[2].max.v.i128 == 39);
    /* exact (untruncated) bounds for the Delta log */
    assert_int_equal(r.cols[3].min.len, 70);
    assert_int_equal(r.cols[3].max.len, 100);
    assert_int_equal(r.cols[3].max.bytes[99], 'z');
    assert_int_equal(r.cols[4].null_count, 20);
    assert_int_equal(r.cols[4].min.v.i64, -38);
    assert_int_equal(r.cols[4].max.v.i64, 0);
    assert_false(r.cols[5].has_min_max);
    assert_int_equal(r.cols[5].null_count, 40);
    tarn_arena_destroy(r.arena);

    /* footer: truncated string bounds, unsigned order, all-NaN row groups */
    tarn_pq_file *f;
    OK(tarn_pq_file_open(path, &f, &err));
    const tarn_pq_file_meta *m = tarn_pq_file_metadata(f);
    assert_true(m->n_row_groups > 1);
    assert_true(m->n_column_orders > 0);
    const tarn_pq_statistics *st = &m->row_groups[0].columns[3].meta_data.statistics;
    assert_true(st->has_min_value && st->has_max_value);
    assert_int_equal(st->min_value_len, 64);
    assert_int_equal(st->max_value_len, 64);
    assert_int_equal(st->max_value[63], 'z' + 1);
    const tarn_pq_statistics *h = &m->row_groups[0].columns[4].meta_data.statistics;
    assert_true(h->has_null_count);
    const tarn_pq_statistics *last =
        &m->row_groups[m->n_row_groups - 1].columns[1].meta_data.statistics;
    assert_false(last->has_min_value); /* only NaN: no bounds */
    tarn_pq_stats ps;
    OK(tarn_pq_file_column_stats(f, 0, 0, &ps, &err));
    assert_true(ps.has_min_max);
    assert_int_equal(ps.max.v.i64, (int64_t)UINT32_MAX);
    tarn_pq_file_close(f);
    tarn_buf_fini(&text);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[256], path[512];
    tt_tmpdir("pqw-err", dir, sizeof dir);
    tarn_schema *s, *other;
    tarn_err err;
    OK(tarn_schema_parse("a int64 not null, b string", &s, &err));
    OK(tarn_schema_parse("a int32, b string", &other, &err));
    tarn_pq_writer *w = NULL;
    /* missing directory and a path below a regular file: I/O errors naming the path */
    snprintf(path, sizeof path, "%s/missing/x.parquet", dir);
    assert_int_equal(tarn_pq_writer_open(path, s, NULL, &w, &err), TARN_ERR_IO);
    assert_null(w);
    assert_string_equal(err.path, path);
    snprintf(path, sizeof path, "%s/file", dir);
    tt_write_file(path, "x");
    snprintf(path, sizeof path, "%s/file/x.parquet", dir);
    assert_int_equal(tarn_pq_writer_open(path, s, NULL, &w, &err), TARN_ERR_IO);
    assert_string_equal(err.path, path);
    /* bad options */
    tarn_pq_write_opts o;
    tarn_pq_write_opts_init(&o);
    o.data_page_version = 3;
    snprintf(path, sizeof path, "%s/ok.parquet", dir);
    assert_int_equal(tarn_pq_writer_open(path, s, &o, &w, &err), TARN_ERR_INVALID);
    tarn_pq_write_opts_init(&o);
    o.codec = TARN_PQ_LZO;
    assert_int_equal(tarn_pq_writer_open(path, s, &o, &w, &err), TARN_ERR_UNSUPPORTED);
    assert_false(tarn_path_exists(path));
    tarn_schema *none = tarn_schema_create();
    assert_int_equal(tarn_pq_writer_open(path, none, NULL, &w, &err), TARN_ERR_INVALID);
    tarn_schema_destroy(none);
    assert_false(tarn_path_exists(path));

    /* schema mismatch: TARN_ERR_INVALID, the writer stays usable */
    OK(tarn_pq_writer_open(path, s, NULL, &w, &err));
    tarn_batch *bad = tarn_batch_create(other);
    OK(tarn_vec_append_i32(bad->cols[0], 1));
    OK(tarn_vec_append_bytes(bad->cols[1], "x", 1));
    bad->n_rows = 1;
    assert_int_equal(tarn_pq_writer_write(w, bad, &err), TARN_ERR_INVALID);
    tarn_batch *good = tarn_batch_create(s);
    OK(tarn_vec_append_null(good->cols[0])); /* null in a non-nullable column */
    OK(tarn_vec_append_bytes(good->cols[1], "x", 1));
    good->n_rows = 1;
    assert_int_equal(tarn_pq_writer_write(w, good, &err), TARN_ERR_INVALID);
    tarn_batch_reset(good);
    OK(tarn_vec_append_i64(good->cols[0], 5));
    OK(tarn_vec_append_null(good->cols[1]));
    good->n_rows = 1;
    OK(tarn_pq_writer_write(w, good, &err));
    assert_int_equal(tarn_pq_writer_num_rows(w), 1);
    assert_true(tarn_pq_writer_size_estimate(w) > 4);
    OK(tarn_pq_writer_close(w, NULL, &err));
    tarn_buf got = TARN_BUF_INIT;
    read_back(path, &got, NULL);
    assert_string_equal(got.data, "{\"a\":5,\"b\":null}\n");
    tarn_buf_fini(&got);

    /* abort removes the partial file; abort(NULL) is a no-op */
    snprintf(path, sizeof path, "%s/aborted.parquet", dir);
    OK(tarn_pq_writer_open(path, s, NULL, &w, &err));
    OK(tarn_pq_writer_write(w, good, &err));
    assert_true(tarn_path_exists(path));
    tarn_pq_writer_abort(w);
    assert_false(tarn_path_exists(path));
    tarn_pq_writer_abort(NULL);

    /* nested: a null inside a non-nullable struct member fails at flush */
    tarn_schema *ns = nested_schema();
    tarn_batch *nb = tarn_batch_create(ns);
    fill_nested(nb, 0, 3);
    tarn_vec *y = nb->cols[1]->children[1];
    OK(tarn_vec_ensure_validity(y));
    tarn_bit_set(y->validity, 0, false); /* row 0: struct valid, y null */
    y->null_count++;
    snprintf(path, sizeof path, "%s/nested-bad.parquet", dir);
    OK(tarn_pq_writer_open(path, ns, NULL, &w, &err));
    OK(tarn_pq_writer_write(w, nb, &err));
    assert_int_equal(tarn_pq_writer_close(w, NULL, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "non-nullable"));
    assert_false(tarn_path_exists(path));
    tarn_batch_destroy(nb);
    tarn_schema_destroy(ns);

    tarn_batch_destroy(bad);
    tarn_batch_destroy(good);
    tarn_schema_destroy(s);
    tarn_schema_destroy(other);
    tt_rmrf(dir);
}

/* Every allocation of a small write fails in turn: errors, never crashes or
 * leaks (checked under ASan). */
static void test_alloc_failures(void **state)
{
    (void)state;
    char dir[256], path[512];
    tt_tmpdir("pqw-oom", dir, sizeof dir);
    snprintf(path, sizeof path, "%s/oom.parquet", dir);
    tarn_pool_default(); /* its own allocations are not the writer's */
    tarn_schema *s = nested_schema();
    tarn_batch *b = tarn_batch_create(s);
    fill_nested(b, 0, 40);
    int failures = 0;
    for (int64_t k = 1; k < 2000; k++) {
        tarn_err err;
        tarn_pq_writer *w = NULL;
        tarn_pq_write_result r;
        tarn_alloc_fail_at(k);
        tarn_status st = tarn_pq_writer_open(path, s, NULL, &w, &err);
        if (st == TARN_OK)
            st = tarn_pq_writer_write(w, b, &err);
        if (st == TARN_OK) {
            st = tarn_pq_writer_close(w, &r, &err);
            w = NULL;
            if (st == TARN_OK)
                tarn_arena_destroy(r.arena);
        }
        tarn_alloc_fail_at(0);
        if (w)
            tarn_pq_writer_abort(w);
        if (st == TARN_OK)
            break;
        failures++;
        assert_false(tarn_path_exists(path));
    }
    assert_true(failures > 10);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    tt_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat_roundtrip), cmocka_unit_test(test_nested_roundtrip),
        cmocka_unit_test(test_empty_file),     cmocka_unit_test(test_dictionary_fallback),
        cmocka_unit_test(test_statistics),     cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
