/*
 * tests/io/test_csv.c - the CSV/TSV reader: RFC 4180 quoting, CRLF, header
 * and delimiter sniffing, column matching, null rules, conversions and their
 * errors, exact lines across chunks with quoted newlines, and a fuzz loop.
 */
#include "io_test.h"

static void test_basic(void **state)
{
    (void)state;
    IO_EXPECT_ROWS("id int64, amount decimal(10,2), name string, ts timestamp, ok boolean",
                   "id,amount,name,ts,ok\n"
                   "1,12.50,alice,2024-01-01T12:00:00Z,true\n"
                   "2,-0.5,\"bob, jr.\",2024-01-01 13:00:00+01:00,false\n"
                   "3,,,,\n",
                   "t.csv", NULL,
                   "{\"id\":1,\"amount\":\"12.50\",\"name\":\"alice\","
                   "\"ts\":\"2024-01-01T12:00:00.000000Z\",\"ok\":true}\n"
                   "{\"id\":2,\"amount\":\"-0.50\",\"name\":\"bob, jr.\","
                   "\"ts\":\"2024-01-01T12:00:00.000000Z\",\"ok\":false}\n"
                   "{\"id\":3,\"amount\":null,\"name\":null,\"ts\":null,\"ok\":null}\n");
}

static void test_quoting(void **state)
{
    (void)state;
    /* Doubled quotes, newlines and CRLF inside quotes, CRLF line ends, no final newline. */
    IO_EXPECT_ROWS("a string, b int32, c string",
                   "a,b,c\r\n"
                   "\"say \"\"hi\"\"\",1,\"two\r\nlines\"\r\n"
                   "\"\",\"2\",\"\"\"\"\r\n"
                   ",3,\"x,y\ny\"",
                   "t.csv", NULL,
                   "{\"a\":\"say \\\"hi\\\"\",\"b\":1,\"c\":\"two\\r\\nlines\"}\n"
                   "{\"a\":\"\",\"b\":2,\"c\":\"\\\"\"}\n"
                   "{\"a\":null,\"b\":3,\"c\":\"x,y\\ny\"}\n");
    /* Quoted "" is null for non-text columns; blanks around numbers are trimmed. */
    IO_EXPECT_ROWS("a int32, b double, c date", "a,b,c\n\"\", 1.5 ,\" 2024-01-02\"\n", "t.csv",
                   NULL, "{\"a\":null,\"b\":1.5,\"c\":\"2024-01-02\"}\n");
    IO_EXPECT_ERROR("a string, b string", "a,b\n\"x\"y,1\n", "t.csv", NULL,
                    "t.csv:2:4: unexpected character after a closing quote (a quote inside a "
                    "quoted field must be doubled)");
    IO_EXPECT_ERROR("a string, b string", "a,b\nx\"y,1\n", "t.csv", NULL,
                    "t.csv:2:2: quote character inside an unquoted field (quote the whole field)");
    IO_EXPECT_ERROR("a string, b string", "a,b\n1,\"open\n", "t.csv", NULL,
                    "t.csv:2:3: unterminated quoted field");
}

static void test_header(void **state)
{
    (void)state;
    /* No header: typed first row. */
    IO_EXPECT_ROWS("id int64, v string", "1,a\n2,b\n", "t.csv", NULL,
                   "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n");
    /* Header names in another order and case; extra columns ignored; missing -> null. */
    IO_EXPECT_ROWS("id int64, v string, w double", "V,extra,ID\na,zz,1\nb,zz,2\n", "t.csv", NULL,
                   "{\"id\":1,\"v\":\"a\",\"w\":null}\n{\"id\":2,\"v\":\"b\",\"w\":null}\n");
    /* Header sniffed from types when names differ from the schema. */
    IO_EXPECT_ROWS("id int64, v string", "key,value\n1,a\n", "t.csv", NULL,
                   "{\"id\":null,\"v\":null}\n");
    /* All-string schema and names that do not match: no header. */
    IO_EXPECT_ROWS("a string, b string", "x,y\nz,w\n", "t.csv", NULL,
                   "{\"a\":\"x\",\"b\":\"y\"}\n{\"a\":\"z\",\"b\":\"w\"}\n");
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.header = 0;
    IO_EXPECT_ROWS("a string, b string", "a,b\n1,2\n", "t.csv", &o,
                   "{\"a\":\"a\",\"b\":\"b\"}\n{\"a\":\"1\",\"b\":\"2\"}\n");
    o.header = 1;
    IO_EXPECT_ROWS("a string, b string", "q,r\n1,2\n", "t.csv", &o, "{\"a\":null,\"b\":null}\n");
    IO_EXPECT_ROWS("a string, b string not null", "", "t.csv", &o, "");
    o.ignore_unknown_fields = false;
    IO_EXPECT_ERROR("a string, b string", "a,c\n1,2\n", "t.csv", &o,
                    "t.csv:1: unknown column 'c' in the header");
    IO_EXPECT_ERROR("a string, b string", "a,A\n1,2\n", "t.csv", NULL,
                    "t.csv:1: column 'A' appears twice in the header");
    IO_EXPECT_ERROR("a string, b string not null", "a\nx\n", "t.csv", &o,
                    "t.csv:1: column 'b' is NOT NULL but missing from the header");
}

static void test_delimiters(void **state)
{
    (void)state;
    const char *want = "{\"a\":1,\"b\":\"x;y\",\"c\":2.5}\n{\"a\":2,\"b\":\"z\",\"c\":null}\n";
    IO_EXPECT_ROWS("a int32, b string, c double", "a;b;c\n1;\"x;y\";2.5\n2;z;\n", "t.csv", NULL,
                   want);
    IO_EXPECT_ROWS("a int32, b string, c double", "a|b|c\n1|x;y|2.5\n2|z|\n", "t.txt", NULL, want);
    IO_EXPECT_ROWS("a int32, b string, c double", "a\tb\tc\n1\tx;y\t2.5\n2\tz\t\n", "t.tsv", NULL,
                   want);
    IO_EXPECT_ROWS("a int32, b string, c double", "a\tb\tc\n1\tx;y\t2.5\n2\tz\t\n", "data", NULL,
                   want);
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.format = TARN_IO_TSV;
    IO_EXPECT_ROWS("a int32, b string, c double", "a\tb\tc\n1\tx;y\t2.5\n2\tz\t\n", "x", &o, want);
    o.format = TARN_IO_CSV;
    o.delimiter = '|';
    o.null_text = "NULL";
    IO_EXPECT_ROWS("a int32, b string", "1|NULL\nNULL|\"NULL\"\n", "x", &o,
                   "{\"a\":1,\"b\":null}\n{\"a\":null,\"b\":\"NULL\"}\n");
}

static void test_errors(void **state)
{
    (void)state;
    IO_EXPECT_ERROR("id int64, amount decimal(10,2)", "id,amount\n1,1.00\n2,abc\n", "orders.csv",
                    NULL, "orders.csv:3:3: field 'amount': 'abc' is not decimal(10,2)");
    IO_EXPECT_ERROR("id int64, q int8", "id,q\n1,\"multi\nline\"\n", "t.csv", NULL,
                    "t.csv:2:3: field 'q': 'multi line' is not int8");
    IO_EXPECT_ERROR("id int64, q int8", "id,q\n1,2\n3\n", "t.csv", NULL,
                    "t.csv:3: expected 2 fields but found 1");
    IO_EXPECT_ERROR("id int64, q int8", "id,q\n1,2\n3,4,5\n", "t.csv", NULL,
                    "t.csv:3: expected 2 fields but found 3");
    IO_EXPECT_ERROR("id int64 not null, q int8", "id,q\n,2\n", "t.csv", NULL,
                    "t.csv:2:1: field 'id': null is not allowed (column is NOT NULL)");
    IO_EXPECT_ERROR("id int64, s string", "id,s\n1,\"a\nb\nc\",\n", "t.csv", NULL,
                    "t.csv:2: expected 2 fields but found 3");
}

/* Records with quoted newlines, read with many tiny chunks and pieces: same
 * rows as one big chunk, and the error line stays exact. */
static void test_parallel_quotes(void **state)
{
    (void)state;
    tarn_buf text = TARN_BUF_INIT, want = TARN_BUF_INIT;
    uint64_t rng = 11;
    int line = 2, bad_line = 0, bad_col = 0;
    assert_int_equal(tarn_buf_append_str(&text, "n,s,q\n"), TARN_OK);
    for (int i = 0; i < 3000; i++) {
        int kind = (int)(io_rand(&rng) % 4);
        if (i == 2222) {
            bad_line = kind == 0 ? line + 2 : line;
            bad_col = kind == 0 ? 3 : kind == 1 ? 12 : 16;
        }
        const char *q = i == 2222 ? "999" : "7";
        if (kind == 0) {
            assert_int_equal(tarn_buf_printf(&text, "%d,\"a\nb\"\"\n\",%s\n", i, q), TARN_OK);
            assert_int_equal(
                tarn_buf_printf(&want, "{\"n\":%d,\"s\":\"a\\nb\\\"\\n\",\"q\":7}\n", i), TARN_OK);
            line += 3;
        } else if (kind == 1) {
            assert_int_equal(tarn_buf_printf(&text, "%d,\"x,y\",%s\r\n", i, q), TARN_OK);
            assert_int_equal(tarn_buf_printf(&want, "{\"n\":%d,\"s\":\"x,y\",\"q\":7}\n", i),
                             TARN_OK);
            line += 1;
        } else {
            assert_int_equal(tarn_buf_printf(&text, "%d,plain%d,%s\n", i, i, q), TARN_OK);
            assert_int_equal(tarn_buf_printf(&want, "{\"n\":%d,\"s\":\"plain%d\",\"q\":7}\n", i, i),
                             TARN_OK);
            line += 1;
        }
    }
    /* Without the bad value: identical rows under every chunking. */
    tarn_buf good = TARN_BUF_INIT;
    assert_int_equal(tarn_buf_append(&good, text.data, text.len), TARN_OK);
    char *p = strstr(good.data, ",999");
    assert_non_null(p);
    memcpy(p, ",  7", 4);
    size_t chunks[] = {16, 100, 999, 4096, 1 << 20};
    for (size_t c = 0; c < TARN_ARRAY_LEN(chunks); c++) {
        tarn_io_opts o = io_opts_tiny(chunks[c], 1 + (int)c);
        o.delimiter = ',';
        o.header = 1;
        io_result r = io_read_mem("n int32, s string, q int8", good.data, good.len, "t.csv", &o);
        if (r.error)
            fail_msg("%s", r.error);
        assert_string_equal(r.rows, want.data);
        io_result_free(&r);
        r = io_read_mem("n int32, s string, q int8", text.data, text.len, "t.csv", &o);
        assert_non_null(r.error);
        char expect[128];
        snprintf(expect, sizeof expect, "t.csv:%d:%d: field 'q': '999' is out of range for int8",
                 bad_line, bad_col);
        assert_string_equal(r.error, expect);
        assert_int_equal(r.records, 2222);
        io_result_free(&r);
    }
    tarn_buf_fini(&good);
    tarn_buf_fini(&text);
    tarn_buf_fini(&want);
}

static void test_permissive(void **state)
{
    (void)state;
    io_bad_sink sink = {TARN_BUF_INIT, 0, 0};
    tarn_io_opts o = io_opts_tiny(16, 3);
    o.delimiter = ',';
    o.header = 1;
    o.on_bad_record = io_bad_collect;
    o.bad_record_ctx = &sink;
    IO_EXPECT_ROWS("id int64, s string, q int8",
                   "id,s,q\n"
                   "1,a,1\n"
                   "2,\"multi\nline\",300\r\n"
                   "3,x\n"
                   "4,\"a\"b,1\n"
                   "5,\"ok\nok\",5\n",
                   "t.csv", &o,
                   "{\"id\":1,\"s\":\"a\",\"q\":1}\n{\"id\":5,\"s\":\"ok\\nok\",\"q\":5}\n");
    assert_string_equal(sink.log.data,
                        "4:7: field 'q': '300' is out of range for int8 | 2,\"multi\nline\",300\n"
                        "5:0: expected 3 fields but found 2 | 3,x\n"
                        "6:6: unexpected character after a closing quote (a quote inside a quoted "
                        "field must be doubled) | 4,\"a\"b,1\n");
    tarn_buf_fini(&sink.log);
}

static void test_fuzz(void **state)
{
    (void)state;
    const char *seed_doc = "id,name,amount,ts\n1,\"a \"\"b\"\"\nc\",1.25,2024-01-01T00:00:00Z\r\n"
                           "2,,\"3\",\n\"3\",x,-1e2,2024-01-01\n";
    const char *schema = "id int64, name string, amount decimal(10,2), ts timestamp";
    size_t n = strlen(seed_doc);
    char *buf = malloc(n + 64);
    uint64_t rng = 5;
    static const char alphabet[] = "\",;\t|\n\r ab1.-eZ\x00";
    for (size_t cut = 0; cut <= n; cut++) {
        tarn_io_opts o = io_opts_tiny(16 + cut % 40, 1 + (int)(cut % 3));
        o.format = TARN_IO_CSV;
        io_read_any(schema, seed_doc, cut, &o);
    }
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, seed_doc, n);
        size_t len = n;
        int edits = 1 + (int)(io_rand(&rng) % 5);
        for (int e = 0; e < edits; e++)
            buf[io_rand(&rng) % len] = alphabet[io_rand(&rng) % (sizeof alphabet - 1)];
        if (iter % 4 == 0)
            len = io_rand(&rng) % (len + 1);
        tarn_io_opts o = io_opts_tiny(16 + io_rand(&rng) % 100, 1 + (int)(io_rand(&rng) % 4));
        o.format = TARN_IO_CSV;
        o.header = (int)(io_rand(&rng) % 3) - 1;
        if (iter % 3 == 0)
            o.delimiter = ',';
        io_read_any(schema, buf, len, &o);
    }
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),      cmocka_unit_test(test_quoting),
        cmocka_unit_test(test_header),     cmocka_unit_test(test_delimiters),
        cmocka_unit_test(test_errors),     cmocka_unit_test(test_parallel_quotes),
        cmocka_unit_test(test_permissive), cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
