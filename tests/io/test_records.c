/*
 * tests/io/test_records.c - raw record splitting for Bronze: NDJSON lines
 * (CRLF, blank lines, invalid JSON flagged), CSV/TSV rows (header, quoted
 * newlines), JSON arrays and concatenated values, line numbers and offsets,
 * records larger than a chunk, and the JSON checker.
 */
#include "tarn_test.h"

#include "io/records.h"

typedef struct got {
    char text[64][256];
    int64_t line[64];
    int64_t offset[64];
    char error[64][160];
    int n;
} got;

static void split(const char *name, const char *data, size_t n, const tarn_io_opts *o, got *g,
                  char *header, size_t hcap)
{
    tarn_io_records *r;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_io_records_open_mem(data, n, name, o, &r, &err) != TARN_OK)
        fail_msg("open %s: %s", name, err.msg);
    memset(g, 0, sizeof *g);
    for (;;) {
        const tarn_io_record *recs;
        int k;
        if (tarn_io_records_next(r, &recs, &k, &err) != TARN_OK)
            fail_msg("next %s: %s", name, err.msg);
        if (k == 0)
            break;
        for (int i = 0; i < k && g->n < 64; i++, g->n++) {
            snprintf(g->text[g->n], 256, "%.*s", (int)recs[i].len, (const char *)recs[i].text);
            g->line[g->n] = recs[i].line;
            g->offset[g->n] = recs[i].offset;
            snprintf(g->error[g->n], 160, "%s", recs[i].error ? recs[i].error : "");
        }
    }
    if (header)
        snprintf(header, hcap, "%s", tarn_io_records_header(r) ? tarn_io_records_header(r) : "");
    tarn_io_records_close(r);
}

static void test_ndjson(void **state)
{
    (void)state;
    const char *in = "{\"a\":1}\r\n\n  \n{\"a\":2, \"b\":[1,{\"c\":null}]}\n{bad json}\n{\"a\":3}";
    got g;
    split("x.ndjson", in, strlen(in), NULL, &g, NULL, 0);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.text[0], "{\"a\":1}");
    assert_int_equal(g.line[0], 1);
    assert_int_equal(g.offset[0], 0);
    assert_string_equal(g.text[1], "{\"a\":2, \"b\":[1,{\"c\":null}]}");
    assert_int_equal(g.line[1], 4);
    assert_int_equal(g.offset[1], 13);
    assert_string_equal(g.error[1], "");
    assert_string_equal(g.text[2], "{bad json}");
    assert_int_equal(g.line[2], 5);
    assert_string_equal(g.error[2], "invalid JSON: column 2: expected a string key");
    assert_string_equal(g.text[3], "{\"a\":3}"); /* no final newline */
    assert_int_equal(g.line[3], 6);
}

static void test_csv(void **state)
{
    (void)state;
    const char *in =
        "\xef\xbb\xbfid,name,note\r\n1,ann,\"multi\nline\"\n\n2,bob,\"say \"\"hi\"\"\"\n3,,\n";
    got g;
    char header[256];
    split("x.csv", in, strlen(in), NULL, &g, header, sizeof header);
    assert_string_equal(header, "id,name,note");
    assert_int_equal(g.n, 3);
    assert_string_equal(g.text[0], "1,ann,\"multi\nline\"");
    assert_int_equal(g.line[0], 2);
    assert_string_equal(g.text[1], "2,bob,\"say \"\"hi\"\"\"");
    assert_int_equal(g.line[1], 5);
    assert_string_equal(g.text[2], "3,,");
    assert_int_equal(g.line[2], 6);
    assert_string_equal(g.error[0], ""); /* CSV rows are not judged */
    /* TSV, and CSV without a header row. */
    const char *tsv = "a\tb\n1\t2\n";
    split("x.tsv", tsv, strlen(tsv), NULL, &g, header, sizeof header);
    assert_string_equal(header, "a\tb");
    assert_int_equal(g.n, 1);
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.header = 0;
    split("x.csv", tsv, strlen(tsv), &o, &g, header, sizeof header);
    assert_string_equal(header, "");
    assert_int_equal(g.n, 2);
}

static void test_json(void **state)
{
    (void)state;
    const char *arr = " [\n  {\"a\": \"x,]}\"},\n  {\"a\": [1, 2]} ,\n  42, \"s\", {oops}\n]\n";
    got g;
    split("x.json", arr, strlen(arr), NULL, &g, NULL, 0);
    assert_int_equal(g.n, 5);
    assert_string_equal(g.text[0], "{\"a\": \"x,]}\"}");
    assert_int_equal(g.line[0], 2);
    assert_string_equal(g.text[1], "{\"a\": [1, 2]}");
    assert_int_equal(g.line[1], 3);
    assert_string_equal(g.text[2], "42");
    assert_string_equal(g.text[3], "\"s\"");
    assert_string_equal(g.text[4], "{oops}");
    assert_string_equal(g.error[4], "invalid JSON: column 2: expected a string key");
    assert_int_equal(g.line[4], 4);
    /* Pretty-printed concatenated objects. */
    const char *cat = "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n";
    split("x.json", cat, strlen(cat), NULL, &g, NULL, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[1], "{\n  \"a\": 2\n}");
    assert_int_equal(g.line[1], 4);
    /* An unterminated value at the end lands whole, flagged. */
    const char *cut = "[{\"a\": 1}, {\"a\": ";
    split("x.json", cut, strlen(cut), NULL, &g, NULL, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.text[1], "{\"a\": ");
    assert_string_equal(g.error[1], "invalid JSON: column 7: value missing");
    /* Text after the array. */
    const char *after = "[1] 2";
    split("x.json", after, strlen(after), NULL, &g, NULL, 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.error[1], "invalid JSON: text after the top-level array");
}

static void test_big_records(void **state)
{
    (void)state;
    /* 3 records of 1.5 MiB each: bigger than one read chunk. */
    size_t each = (size_t)3 << 19, n = 3 * (each + 9);
    char *in = malloc(n + 1), *p = in;
    assert_non_null(in);
    for (int i = 0; i < 3; i++) {
        memcpy(p, "{\"s\":\"", 6);
        p += 6;
        memset(p, 'a' + i, each);
        p += each;
        memcpy(p, "\"}\n", 3);
        p += 3;
    }
    tarn_io_records *r;
    tarn_err err;
    assert_int_equal(tarn_io_records_open_mem(in, (size_t)(p - in), "big.ndjson", NULL, &r, &err),
                     TARN_OK);
    int total = 0;
    for (;;) {
        const tarn_io_record *recs;
        int k;
        assert_int_equal(tarn_io_records_next(r, &recs, &k, &err), TARN_OK);
        if (!k)
            break;
        for (int i = 0; i < k; i++) {
            assert_int_equal(recs[i].len, each + 8);
            assert_int_equal(recs[i].text[6], 'a' + total);
            assert_int_equal(recs[i].line, total + 1);
            assert_null(recs[i].error);
            total++;
        }
    }
    assert_int_equal(total, 3);
    tarn_io_records_close(r);
    /* A record past max_record_size is an error naming the line. */
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.max_record_size = 1 << 20;
    assert_int_equal(tarn_io_records_open_mem(in, (size_t)(p - in), "big.ndjson", &o, &r, &err),
                     TARN_OK);
    const tarn_io_record *recs;
    int k;
    assert_int_equal(tarn_io_records_next(r, &recs, &k, &err), TARN_ERR_LIMIT);
    assert_non_null(strstr(err.msg, "line 1: record longer than"));
    tarn_io_records_close(r);
    free(in);
}

static void test_json_check(void **state)
{
    (void)state;
    char msg[160];
    static const char *const ok[] = {"{}",
                                     "[]",
                                     " {\"a\": [1, -2.5e3, true, false, null]} ",
                                     "\"\\u00e9\\n\"",
                                     "0",
                                     "-0.1",
                                     "{\"a\":{\"b\":{}}}",
                                     "\"a string longer than sixteen bytes \\\" with an escape "
                                     "\\u00e9 past the first block\""};
    for (size_t i = 0; i < TARN_ARRAY_LEN(ok); i++)
        if (tarn_json_check((const uint8_t *)ok[i], strlen(ok[i]), msg, sizeof msg))
            fail_msg("'%s' should be valid: %s", ok[i], msg);
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"", "invalid JSON: column 1: value missing"},
        {"{\"a\" 1}", "invalid JSON: column 6: expected ':' after an object key"},
        {"[1,]", "invalid JSON: column 4: unexpected character"},
        {"[1 2]", "invalid JSON: column 4: expected ',' or ']'"},
        {"01", "invalid JSON: column 2: text after the value"},
        {"1.", "invalid JSON: column 3: bad number"},
        {"\"a\tb\"", "invalid JSON: column 3: control character in a string"},
        {"\"\\x\"", "invalid JSON: column 3: bad escape in a string"},
        {"\"\\u12g4\"", "invalid JSON: column 3: bad \\u escape"},
        {"tru", "invalid JSON: column 1: unexpected character"},
        {"{\"a\":\n 1,\n x}", "invalid JSON: line 3, column 2: expected a string key"},
        {"\"open", "invalid JSON: column 6: unterminated string"},
        {"\"0123456789abcdefghij\tk\"", "invalid JSON: column 22: control character in a string"},
        {"\"0123456789abcdefghijklmnopqrstuvwxyz\\q\"",
         "invalid JSON: column 39: bad escape in a string"},
        {"\"0123456789abcdefghijklmnopqrstuvwxyz", "invalid JSON: column 38: unterminated string"},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(bad); i++) {
        const char *m =
            tarn_json_check((const uint8_t *)bad[i].text, strlen(bad[i].text), msg, sizeof msg);
        if (!m || strcmp(m, bad[i].msg))
            fail_msg("'%s': got '%s', want '%s'", bad[i].text, m ? m : "(valid)", bad[i].msg);
    }
    /* Deep nesting is refused, not a stack overflow. */
    char deep[2100];
    memset(deep, '[', 1000);
    memset(deep + 1000, ']', 1000);
    deep[2000] = '\0';
    assert_non_null(tarn_json_check((const uint8_t *)deep, 2000, msg, sizeof msg));
    assert_non_null(strstr(msg, "nested too deeply"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndjson),     cmocka_unit_test(test_csv),
        cmocka_unit_test(test_json),       cmocka_unit_test(test_big_records),
        cmocka_unit_test(test_json_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
