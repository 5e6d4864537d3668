/*
 * tests/conformance/test_parquet_files.c - the Parquet reader against the
 * conformance corpus (testdata/parquet, see its README.md), driven by
 * MANIFEST.json: one cmocka test per entry.
 *
 * expect=ok: row count, column names in order, every expected row compared
 * cell by cell (values, not text: integers exactly, FLOAT after strtof,
 * DOUBLE after strtod, strings exactly, objects/arrays recursively), and the
 * per-column aggregates over all rows. expect=error: opening or scanning
 * must fail cleanly. TARN_PQ_CORPUS=DIR points the harness at another
 * folder with the same layout.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "column/scalar.h"
#include "parquet/reader.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>

static char corpus_dir[1024];

/* JSON with exact numbers ---------------------------------------------------- */

/* Copies a JSON text, replacing every number outside strings by a string
 * "\u0001<number text>" so jansson keeps the exact digits (64-bit unsigned
 * values do not fit its integers). */
static char *tag_numbers(const char *s, size_t n)
{
    tarn_buf b = TARN_BUF_INIT;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            assert_int_equal(tarn_buf_append_char(&b, c), TARN_OK);
            if (c == '\\' && i + 1 < n)
                assert_int_equal(tarn_buf_append_char(&b, s[++i]), TARN_OK);
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '-' || isdigit((unsigned char)c)) {
            size_t j = i + 1;
            while (j < n && (isdigit((unsigned char)s[j]) || (s[j] && strchr(".eE+-", s[j]))))
                j++;
            assert_int_equal(tarn_buf_append_str(&b, "\"\\u0001"), TARN_OK);
            assert_int_equal(tarn_buf_append(&b, s + i, j - i), TARN_OK);
            assert_int_equal(tarn_buf_append_char(&b, '"'), TARN_OK);
            i = j - 1;
            continue;
        }
        assert_int_equal(tarn_buf_append_char(&b, c), TARN_OK);
    }
    return tarn_buf_steal(&b, NULL);
}

static json_t *parse_tagged(const char *s, size_t n)
{
    char *t = tag_numbers(s, n);
    json_error_t je;
    json_t *j = json_loads(t, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!j)
        fail_msg("cannot parse JSON '%.*s': %s", (int)TARN_MIN(n, 300), s, je.text);
    tarn_free(t);
    return j;
}

static const char *number_text(const json_t *j)
{
    if (!json_is_string(j))
        return NULL;
    const char *s = json_string_value(j);
    return s[0] == '\1' ? s + 1 : NULL;
}

static bool is_float_type(tarn_type_id id)
{
    return id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64;
}

/* Compares two number texts as values of type t. */
static bool numbers_equal(tarn_type_id t, const char *a, const char *b)
{
    if (t == TARN_TYPE_FLOAT32)
        return strtof(a, NULL) == strtof(b, NULL);
    if (t == TARN_TYPE_FLOAT64)
        return strtod(a, NULL) == strtod(b, NULL);
    return strcmp(a, b) == 0; /* integers: canonical digits, compared exactly */
}

static bool value_equal(const tarn_field *f, const json_t *e, const json_t *a, tarn_buf *why);

static bool fields_equal(const tarn_field *f, const json_t *e, const json_t *a, tarn_buf *why)
{
    switch (f->type.id) {
    case TARN_TYPE_STRUCT:
        if (!json_is_object(e) || !json_is_object(a) || json_object_size(e) != json_object_size(a))
            return false;
        for (int i = 0; i < f->n_children; i++) {
            const char *nm = f->children[i].name;
            if (!value_equal(&f->children[i], json_object_get(e, nm), json_object_get(a, nm),
                             why)) {
                assert_int_equal(TARN_OK, tarn_buf_printf(why, " in member '%s'", nm));
                return false;
            }
        }
        return true;
    case TARN_TYPE_LIST:
    case TARN_TYPE_MAP:
        if (!json_is_array(e) || !json_is_array(a) || json_array_size(e) != json_array_size(a))
            return false;
        for (size_t i = 0; i < json_array_size(e); i++) {
            const json_t *ei = json_array_get(e, i), *ai = json_array_get(a, i);
            bool ok;
            if (f->type.id == TARN_TYPE_LIST) {
                ok = value_equal(&f->children[0], ei, ai, why);
            } else {
                ok = json_is_object(ei) && json_is_object(ai) &&
                     value_equal(&f->children[0], json_object_get(ei, "key"),
                                 json_object_get(ai, "key"), why) &&
                     value_equal(&f->children[1], json_object_get(ei, "value"),
                                 json_object_get(ai, "value"), why);
            }
            if (!ok) {
                assert_int_equal(TARN_OK, tarn_buf_printf(why, " at element %zu", i));
                return false;
            }
        }
        return true;
    default:
        return false;
    }
}

static bool value_equal(const tarn_field *f, const json_t *e, const json_t *a, tarn_buf *why)
{
    if (!e || !a)
        return false;
    if (json_is_null(e) || json_is_null(a))
        return json_is_null(e) && json_is_null(a);
    if (tarn_type_is_nested(f->type.id))
        return fields_equal(f, e, a, why);
    const char *ne = number_text(e), *na = number_text(a);
    if (ne && na)
        return numbers_equal(f->type.id, ne, na);
    if (json_is_string(e) && json_is_string(a))
        return json_string_length(e) == json_string_length(a) &&
               memcmp(json_string_value(e), json_string_value(a), json_string_length(e)) == 0;
    if (json_is_boolean(e) && json_is_boolean(a))
        return json_is_true(e) == json_is_true(a);
    return false;
}

/* Aggregates ------------------------------------------------------------------ */

typedef struct agg {
    int64_t non_null;   /* rows where the value is not null */
    bool has;           /* min/max set */
    tarn_scalar min;    /* smallest value (bytes owned below) */
    tarn_scalar max;    /* largest value */
    uint8_t *min_bytes; /* heap copy of min's bytes */
    uint8_t *max_bytes; /* heap copy of max's bytes */
} agg;

static void keep(tarn_scalar *dst, uint8_t **store, const tarn_scalar *src)
{
    *dst = *src;
    if (src->bytes) {
        free(*store);
        *store = malloc((size_t)src->len + 1);
        memcpy(*store, src->bytes, (size_t)src->len);
        dst->bytes = *store;
    }
}

static void agg_add(agg *g, const tarn_vec *v, int64_t n)
{
    bool nested = tarn_type_is_nested(v->type.id);
    for (int64_t r = 0; r < n; r++) {
        if (!tarn_vec_is_valid(v, r))
            continue;
        g->non_null++;
        if (nested)
            continue;
        tarn_scalar s;
        tarn_scalar_from_vec(v, r, &s);
        if (!g->has || tarn_scalar_compare(&s, &g->min) < 0)
            keep(&g->min, &g->min_bytes, &s);
        if (!g->has || tarn_scalar_compare(&s, &g->max) > 0)
            keep(&g->max, &g->max_bytes, &s);
        g->has = true;
    }
}

static bool agg_text_equal(const tarn_field *f, const json_t *want, const tarn_scalar *s, bool has,
                           tarn_buf *why)
{
    if (!has || json_is_null(want)) {
        if (!(!has && json_is_null(want)))
            assert_int_equal(TARN_OK,
                             tarn_buf_printf(why, "expected %s, got %s", has ? "null" : "a value",
                                             has ? "a value" : "null"));
        return !has && json_is_null(want);
    }
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_scalar_render_text(&b, s), TARN_OK);
    const char *got = b.data ? b.data : "";
    const char *w = json_string_value(want);
    bool ok;
    if (is_float_type(f->type.id) || tarn_type_is_integer(f->type.id)) {
        char *end1, *end2;
        double x = strtod(w, &end1), y = strtod(got, &end2);
        bool numeric = *end1 == '\0' && *end2 == '\0' && !isnan(x) && !isnan(y);
        ok = numeric ? (tarn_type_is_integer(f->type.id) ? strcmp(w, got) == 0
                                                         : numbers_equal(f->type.id, w, got))
                     : strcmp(w, got) == 0;
    } else {
        ok = strcmp(w, got) == 0;
    }
    if (!ok)
        assert_int_equal(TARN_OK, tarn_buf_printf(why, "expected '%s', got '%s'", w, got));
    tarn_buf_fini(&b);
    return ok;
}

/* One manifest entry -------------------------------------------------------------- */

typedef struct entry {
    json_t *j;        /* the manifest entry (borrowed from the manifest) */
    const char *path; /* file path relative to the corpus */
} entry;

static void file_path(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", corpus_dir, rel);
}

static void expect_error(const entry *e)
{
    char path[2048];
    file_path(e->path, path, sizeof path);
    tarn_err err;
    tarn_err_clear(&err);
    tarn_pq_file *f;
    tarn_status st = tarn_pq_file_open(path, &f, &err);
    if (st == TARN_OK) {
        tarn_pq_scan *s;
        st = tarn_pq_scan_open(f, NULL, &s, &err);
        if (st == TARN_OK) {
            tarn_batch *b;
            while ((st = tarn_pq_scan_next(s, &b, &err)) == TARN_OK && b)
                ;
            tarn_pq_scan_close(s);
        }
        tarn_pq_file_close(f);
    }
    if (st == TARN_OK)
        fail_msg("%s: expected an error, the file was read", e->path);
    assert_int_equal(err.code, st);
    assert_true(err.msg[0] != '\0');
    assert_true(err.path[0] != '\0');
    if (st == TARN_ERR_CORRUPT && err.offset < 0)
        fail_msg("%s: corrupt-file error without a byte offset: %s", e->path, err.msg);
    char line[2048];
    tarn_err_format(&err, line, sizeof line);
    print_message("  %s -> %s (%s)\n", e->path, line, tarn_status_name(st));
}

/* Splits the expected NDJSON into lines (pointers into text). */
static size_t split_lines(char *text, size_t len, char ***out)
{
    size_t n = 0, cap = 64;
    char **lines = malloc(cap * sizeof *lines);
    for (size_t i = 0; i < len;) {
        char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        text[end] = '\0';
        lines[n++] = text + i;
        i = end + 1;
    }
    *out = lines;
    return n;
}

static void check_schema(const entry *e, const tarn_schema *sch)
{
    json_t *cols = json_object_get(e->j, "schema");
    assert_true(json_is_array(cols));
    if ((size_t)sch->n_fields != json_array_size(cols))
        fail_msg("%s: %d columns, expected %zu", e->path, sch->n_fields, json_array_size(cols));
    for (int c = 0; c < sch->n_fields; c++) {
        const char *want = json_string_value(json_object_get(json_array_get(cols, c), "name"));
        if (strcmp(sch->fields[c].name, want) != 0)
            fail_msg("%s: column %d is '%s', expected '%s'", e->path, c, sch->fields[c].name, want);
    }
}

static int compare_row(const entry *e, const tarn_batch *b, int64_t r, const char *line,
                       int64_t row_no)
{
    json_t *want = parse_tagged(line, strlen(line));
    int bad = 0;
    tarn_buf cell = TARN_BUF_INIT, why = TARN_BUF_INIT;
    for (int c = 0; c < b->n_cols; c++) {
        const tarn_field *f = &b->schema->fields[c];
        tarn_buf_reset(&cell);
        tarn_buf_reset(&why);
        assert_int_equal(tarn_render_json_value(&cell, f, b->cols[c], r), TARN_OK);
        json_t *got = parse_tagged(cell.data, cell.len);
        json_t *exp = json_object_get(want, f->name);
        if (!value_equal(f, exp, got, &why)) {
            char *es = exp ? json_dumps(exp, JSON_ENCODE_ANY) : NULL;
            print_error("%s: row %lld column '%s'%s: expected %s, got %s\n", e->path,
                        (long long)row_no, f->name, why.data ? why.data : "", es ? es : "(missing)",
                        cell.data);
            free(es);
            bad++;
        }
        json_decref(got);
    }
    if (json_object_size(want) != (size_t)b->n_cols) {
        print_error("%s: row %lld has %zu keys, expected %d\n", e->path, (long long)row_no,
                    json_object_size(want), b->n_cols);
        bad++;
    }
    tarn_buf_fini(&cell);
    tarn_buf_fini(&why);
    json_decref(want);
    return bad;
}

static int check_aggregates(const entry *e, const tarn_schema *sch, agg *aggs)
{
    json_t *want = json_object_get(e->j, "aggregates");
    if (!want)
        return 0;
    int bad = 0;
    for (int c = 0; c < sch->n_fields; c++) {
        const tarn_field *f = &sch->fields[c];
        json_t *wa = json_object_get(want, f->name);
        if (!wa)
            continue;
        json_int_t nn = json_integer_value(json_object_get(wa, "count_non_null"));
        if (nn != aggs[c].non_null) {
            print_error("%s: column '%s' has %lld non-null values, expected %lld\n", e->path,
                        f->name, (long long)aggs[c].non_null, (long long)nn);
            bad++;
        }
        if (tarn_type_is_nested(f->type.id))
            continue;
        const char *keys[2] = {"min", "max"};
        for (int k = 0; k < 2; k++) {
            json_t *w = json_object_get(wa, keys[k]);
            if (!w)
                continue;
            tarn_buf why = TARN_BUF_INIT;
            if (!agg_text_equal(f, w, k ? &aggs[c].max : &aggs[c].min, aggs[c].has, &why)) {
                print_error("%s: column '%s' %s: %s\n", e->path, f->name, keys[k], why.data);
                bad++;
            }
            tarn_buf_fini(&why);
        }
    }
    return bad;
}

static void expect_ok(const entry *e)
{
    char path[2048], exp_path[2048];
    file_path(e->path, path, sizeof path);
    file_path(json_string_value(json_object_get(e->j, "expected")), exp_path, sizeof exp_path);
    size_t exp_len;
    char *exp_text = tt_read_file(exp_path, &exp_len);
    assert_non_null(exp_text);
    char **lines;
    size_t n_lines = split_lines(exp_text, exp_len, &lines);

    tarn_err err;
    tarn_err_clear(&err);
    tarn_pq_file *f;
    if (tarn_pq_file_open(path, &f, &err) != TARN_OK) {
        char m[2048];
        tarn_err_format(&err, m, sizeof m);
        fail_msg("%s: open failed: %s", e->path, m);
    }
    check_schema(e, tarn_pq_file_schema(f));
    tarn_pq_scan *s;
    assert_int_equal(tarn_pq_scan_open(f, NULL, &s, &err), TARN_OK);
    const tarn_schema *sch = tarn_pq_scan_schema(s);
    agg *aggs = calloc((size_t)sch->n_fields + 1, sizeof *aggs);
    int64_t rows = 0;
    int bad = 0, last_rg = -1;
    int64_t next_off = 0;
    tarn_batch *b;
    tarn_status st;
    while ((st = tarn_pq_scan_next(s, &b, &err)) == TARN_OK && b) {
        int rg = tarn_pq_scan_row_group(s);
        if (rg != last_rg) {
            next_off = 0;
            last_rg = rg;
        }
        assert_int_equal(tarn_pq_scan_row_offset(s), next_off);
        next_off += b->n_rows;
        for (int64_t r = 0; r < b->n_rows && bad < 20; r++, rows++)
            if ((size_t)rows < n_lines)
                bad += compare_row(e, b, r, lines[rows], rows);
        if (bad >= 20)
            break;
        for (int c = 0; c < b->n_cols; c++)
            agg_add(&aggs[c], b->cols[c], b->n_rows);
    }
    if (st != TARN_OK) {
        char m[2048];
        tarn_err_format(&err, m, sizeof m);
        fail_msg("%s: scan failed after %lld rows: %s", e->path, (long long)rows, m);
    }
    if (bad == 0) {
        json_int_t want_rows = json_integer_value(json_object_get(e->j, "rows"));
        if (rows != want_rows) {
            print_error("%s: %lld rows, expected %lld\n", e->path, (long long)rows,
                        (long long)want_rows);
            bad++;
        }
        if ((size_t)rows < n_lines) {
            print_error("%s: %lld rows but the expected file has %zu lines\n", e->path,
                        (long long)rows, n_lines);
            bad++;
        }
        bad += check_aggregates(e, sch, aggs);
    }
    for (int c = 0; c < sch->n_fields; c++) {
        free(aggs[c].min_bytes);
        free(aggs[c].max_bytes);
    }
    free(aggs);
    tarn_pq_scan_close(s);
    tarn_pq_file_close(f);
    free(lines);
    free(exp_text);
    if (bad)
        fail_msg("%s: %d mismatches", e->path, bad);
}

static void test_entry(void **state)
{
    const entry *e = *state;
    const char *expect = json_string_value(json_object_get(e->j, "expect"));
    if (strcmp(expect, "error") == 0)
        expect_error(e);
    else
        expect_ok(e);
}

int main(void)
{
    const char *dir = getenv("TARN_PQ_CORPUS");
    if (dir && *dir)
        snprintf(corpus_dir, sizeof corpus_dir, "%s", dir);
    else
        tt_testdata("parquet", corpus_dir, sizeof corpus_dir);
    char mpath[1100];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST.json", corpus_dir);
    json_error_t je;
    json_t *m = json_load_file(mpath, 0, &je);
    if (!m) {
        fprintf(stderr, "cannot read %s: %s\n", mpath, je.text);
        return 1;
    }
    json_t *files = json_object_get(m, "files");
    size_t n = json_array_size(files);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    entry *entries = calloc(n, sizeof *entries);
    for (size_t i = 0; i < n; i++) {
        entries[i].j = json_array_get(files, i);
        entries[i].path = json_string_value(json_object_get(entries[i].j, "path"));
        tests[i].name = entries[i].path;
        tests[i].test_func = test_entry;
        tests[i].initial_state = &entries[i];
    }
    int rc = _cmocka_run_group_tests("parquet_files", tests, n, NULL, NULL);
    free(tests);
    free(entries);
    json_decref(m);
    return rc;
}
