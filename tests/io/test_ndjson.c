/*
 * tests/io/test_ndjson.c - the NDJSON and JSON readers: every conversion and
 * its error message, escapes and unicode, blank lines, missing/extra/
 * duplicate fields, exact line numbers across chunks and parallel pieces,
 * JSON arrays, batch order, and a small garbage/truncation fuzz loop.
 */
#include "io_test.h"

#define ORDERS                                                                                     \
    "order_id string not null, user_id int64, amount decimal(10,2), country string, "              \
    "status string, ts timestamp, qty int32, price double, flag boolean"

static void test_orders(void **state)
{
    (void)state;
    IO_EXPECT_ROWS(
        ORDERS,
        "{\"order_id\":\"o-000001\",\"user_id\":12345,\"amount\":\"123.45\",\"country\":\"DE\","
        "\"status\":\"paid\",\"ts\":\"2024-01-01T12:00:00Z\",\"qty\":3,\"price\":9.99,"
        "\"flag\":true}\n"
        "{\"order_id\":\"o-000002\",\"user_id\":-7,\"amount\":123.4,\"country\":null,"
        "\"ts\":\"2024-01-01T12:00:00+02:00\",\"qty\":0,\"price\":1e-3,\"flag\":false}\n",
        "orders.ndjson", NULL,
        "{\"order_id\":\"o-000001\",\"user_id\":12345,\"amount\":\"123.45\",\"country\":\"DE\","
        "\"status\":\"paid\",\"ts\":\"2024-01-01T12:00:00.000000Z\",\"qty\":3,\"price\":9.99,"
        "\"flag\":true}\n"
        "{\"order_id\":\"o-000002\",\"user_id\":-7,\"amount\":\"123.40\",\"country\":null,"
        "\"status\":null,\"ts\":\"2024-01-01T10:00:00.000000Z\",\"qty\":0,\"price\":0.001,"
        "\"flag\":false}\n");
}

static void test_integers(void **state)
{
    (void)state;
    IO_EXPECT_ROWS("a int8, b int16, c int32, d int64",
                   "{\"a\":127,\"b\":-32768,\"c\":2147483647,\"d\":-9223372036854775808}\n"
                   "{\"a\":-128,\"b\":\"12\",\"c\":1e3,\"d\":\"9223372036854775807\"}\n"
                   "{\"a\":12.0,\"b\":-0,\"c\":\"-5\",\"d\":1.5e1}\n",
                   "t.ndjson", NULL,
                   "{\"a\":127,\"b\":-32768,\"c\":2147483647,\"d\":-9223372036854775808}\n"
                   "{\"a\":-128,\"b\":12,\"c\":1000,\"d\":9223372036854775807}\n"
                   "{\"a\":12,\"b\":0,\"c\":-5,\"d\":15}\n");
    IO_EXPECT_ERROR("q int8", "{\"q\":1}\n{\"q\":300}\n", "t.ndjson", NULL,
                    "t.ndjson:2:6: field 'q': '300' is out of range for int8");
    IO_EXPECT_ERROR("q int64", "{\"q\":9223372036854775808}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'q': '9223372036854775808' is out of range for int64");
    IO_EXPECT_ERROR("q int32", "{\"q\":12.5}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'q': '12.5' is not int32");
    IO_EXPECT_ERROR("q int32", "{\"q\":\"abc\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'q': 'abc' is not int32");
    IO_EXPECT_ERROR("q int32", "{\"q\":true}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'q': 'true' is not int32");
    IO_EXPECT_ERROR("q int32", "{\"q\":012}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'q': invalid number '012'");
    IO_EXPECT_ROWS("a uint8, b uint16, c uint32, d uint64",
                   "{\"a\":255,\"b\":65535,\"c\":4294967295,\"d\":18446744073709551615}\n",
                   "t.ndjson", NULL,
                   "{\"a\":255,\"b\":65535,\"c\":4294967295,\"d\":18446744073709551615}\n");
    IO_EXPECT_ERROR("a uint8", "{\"a\":-1}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'a': '-1' is out of range for uint8");
    IO_EXPECT_ERROR("a uint64", "{\"a\":18446744073709551616}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'a': '18446744073709551616' is out of range for uint64");
}

static void test_floats(void **state)
{
    (void)state;
    IO_EXPECT_ROWS("d double, f float",
                   "{\"d\":9.99,\"f\":0.1}\n"
                   "{\"d\":1e300,\"f\":\"3.4028235e38\"}\n"
                   "{\"d\":5e-324,\"f\":-0.0}\n"
                   "{\"d\":\"NaN\",\"f\":\"-Infinity\"}\n"
                   "{\"d\":0.30000000000000004,\"f\":16777217}\n"
                   "{\"d\":123456789012345678901234567890,\"f\":1.5}\n"
                   "{\"d\":2.2250738585072011e-308,\"f\":1}\n",
                   "t.ndjson", NULL,
                   "{\"d\":9.99,\"f\":0.1}\n"
                   "{\"d\":1e+300,\"f\":3.4028235e+38}\n"
                   "{\"d\":5e-324,\"f\":-0.0}\n"
                   "{\"d\":\"NaN\",\"f\":\"-Infinity\"}\n"
                   "{\"d\":0.30000000000000004,\"f\":16777216}\n"
                   "{\"d\":1.2345678901234568e+29,\"f\":1.5}\n"
                   "{\"d\":2.225073858507201e-308,\"f\":1}\n");
    IO_EXPECT_ERROR("d double", "{\"d\":\"1,5\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'd': '1,5' is not a number");
    IO_EXPECT_ERROR("d double", "{\"d\":1.}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'd': invalid number '1.'");
    IO_EXPECT_ERROR("d double", "{\"d\":-}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'd': invalid number '-'");
    IO_EXPECT_ERROR("d double", "{\"d\":1e400}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'd': '1e400' is out of range for double");
    IO_EXPECT_ERROR("f float", "{\"f\":1e39}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'f': '1e39' is out of range for float");
}

static void test_decimals(void **state)
{
    (void)state;
    IO_EXPECT_ROWS("a decimal(10,2), b decimal(38,10), c decimal(5,0)",
                   "{\"a\":\"12.50\",\"b\":\"-12345678901234567890.0123456789\",\"c\":99999}\n"
                   "{\"a\":12.5,\"b\":0.0000000001,\"c\":\"-00012\"}\n"
                   "{\"a\":1.50e2,\"b\":1e20,\"c\":1.0}\n"
                   "{\"a\":\"12.340\",\"b\":12,\"c\":0}\n"
                   "{\"a\":-0.05,\"b\":null,\"c\":-99999}\n",
                   "t.ndjson", NULL,
                   "{\"a\":\"12.50\",\"b\":\"-12345678901234567890.0123456789\",\"c\":\"99999\"}\n"
                   "{\"a\":\"12.50\",\"b\":\"0.0000000001\",\"c\":\"-12\"}\n"
                   "{\"a\":\"150.00\",\"b\":\"100000000000000000000.0000000000\",\"c\":\"1\"}\n"
                   "{\"a\":\"12.34\",\"b\":\"12.0000000000\",\"c\":\"0\"}\n"
                   "{\"a\":\"-0.05\",\"b\":null,\"c\":\"-99999\"}\n");
    IO_EXPECT_ERROR("id int64, amount decimal(10,2)",
                    "{\"id\":1,\"amount\":\"1.00\"}\n{\"id\":2,   \"amount\":\"abc\"}\n",
                    "orders.ndjson", NULL,
                    "orders.ndjson:2:21: field 'amount': 'abc' is not decimal(10,2)");
    IO_EXPECT_ERROR(
        "amount decimal(10,2)", "{\"amount\":12.345}", "orders.ndjson", NULL,
        "orders.ndjson:1:11: field 'amount': '12.345' has more than 2 fraction digits for "
        "decimal(10,2)");
    IO_EXPECT_ERROR("amount decimal(10,2)", "{\"amount\":123456789}", "orders.ndjson", NULL,
                    "orders.ndjson:1:11: field 'amount': '123456789' does not fit decimal(10,2)");
    IO_EXPECT_ERROR("amount decimal(5,0)", "{\"amount\":100000}", "o.ndjson", NULL,
                    "o.ndjson:1:11: field 'amount': '100000' does not fit decimal(5,0)");
}

static void test_bool_and_text(void **state)
{
    (void)state;
    IO_EXPECT_ROWS("b boolean, s string, x binary",
                   "{\"b\":true,\"s\":12.50,\"x\":\"abc\"}\n"
                   "{\"b\":\"false\",\"s\":true,\"x\":\"\"}\n"
                   "{\"b\":1,\"s\":{\"k\": [1, \"two\", {}]},\"x\":\"\\u0000\"}\n"
                   "{\"b\":0,\"s\":[ ],\"x\":null}\n",
                   "t.ndjson", NULL,
                   "{\"b\":true,\"s\":\"12.50\",\"x\":\"616263\"}\n"
                   "{\"b\":false,\"s\":\"true\",\"x\":\"\"}\n"
                   "{\"b\":true,\"s\":\"{\\\"k\\\": [1, \\\"two\\\", {}]}\",\"x\":\"00\"}\n"
                   "{\"b\":false,\"s\":\"[ ]\",\"x\":null}\n");
    IO_EXPECT_ERROR("b boolean", "{\"b\":\"yes\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'b': 'yes' is not a boolean");
    IO_EXPECT_ERROR("b int64", "{\"b\":{\"x\":1}}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'b': an object is not int64");
    IO_EXPECT_ERROR("b date", "{\"b\":[1]}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'b': an array is not date");
    IO_EXPECT_ROWS("u uuid", "{\"u\":\"12345678-9abc-def0-1234-56789ABCDEF0\"}\n", "t.ndjson", NULL,
                   "{\"u\":\"12345678-9abc-def0-1234-56789abcdef0\"}\n");
    IO_EXPECT_ERROR("u uuid", "{\"u\":\"1234\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'u': '1234' is not a uuid");
}

static void test_dates(void **state)
{
    (void)state;
    IO_EXPECT_ROWS(
        "d date, t time, ts timestamp, n timestamp_ntz",
        "{\"d\":\"2024-02-29\",\"t\":\"12:34:56.5\",\"ts\":\"2024-01-01T12:00:00.123456-01:30\","
        "\"n\":\"2024-01-01 12:00:00\"}\n"
        "{\"d\":\"1969-12-31\",\"t\":\"00:00\",\"ts\":\"2024-01-01\",\"n\":\"2024-01-01T00:00:00."
        "5\"}\n"
        "{\"d\":\"0001-01-01\",\"t\":\"23:59:59\",\"ts\":\"2024-03-10T02:30:00z\","
        "\"n\":\"9999-12-31T23:59:59.999999\"}\n"
        "{\"d\":null,\"t\":null,\"ts\":\"1970-01-01T00:00:00+14:00\",\"n\":null}\n",
        "t.ndjson", NULL,
        "{\"d\":\"2024-02-29\",\"t\":\"12:34:56.500000\",\"ts\":\"2024-01-01T13:30:00.123456Z\","
        "\"n\":\"2024-01-01T12:00:00.000000\"}\n"
        "{\"d\":\"1969-12-31\",\"t\":\"00:00:00.000000\",\"ts\":\"2024-01-01T00:00:00.000000Z\","
        "\"n\":\"2024-01-01T00:00:00.500000\"}\n"
        "{\"d\":\"0001-01-01\",\"t\":\"23:59:59.000000\",\"ts\":\"2024-03-10T02:30:00.000000Z\","
        "\"n\":\"9999-12-31T23:59:59.999999\"}\n"
        "{\"d\":null,\"t\":null,\"ts\":\"1969-12-31T10:00:00.000000Z\",\"n\":null}\n");
    IO_EXPECT_ERROR("d date", "{\"d\":\"2023-02-29\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'd': '2023-02-29' is not a date (YYYY-MM-DD)");
    IO_EXPECT_ERROR("ts timestamp", "{\"ts\":\"2024-01-01T00:00:00.1234567Z\"}", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 'ts': '2024-01-01T00:00:00.1234567Z' is finer than "
                    "microseconds (tarn timestamps hold microseconds)");
    IO_EXPECT_ERROR("ts timestamp_ntz", "{\"ts\":\"2024-01-01T00:00:00Z\"}", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 'ts': '2024-01-01T00:00:00Z' carries a time zone, which "
                    "timestamp_ntz cannot hold");
    IO_EXPECT_ERROR("ts timestamp", "{\"ts\":1704067200}", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 'ts': '1704067200' is not a timestamp "
                    "(YYYY-MM-DD[THH:MM:SS[.ffffff]][Z|+HH:MM])");
}

static void test_strings(void **state)
{
    (void)state;
    IO_EXPECT_ROWS("s string",
                   "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}\n"
                   "{\"s\":\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u0041\"}\n"
                   "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}\n"
                   "{\"s\":\"\"}\n",
                   "t.ndjson", NULL,
                   "{\"s\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\"}\n"
                   "{\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 A\"}\n"
                   "{\"s\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}\n"
                   "{\"s\":\"\"}\n");
    IO_EXPECT_ERROR("s string", "{\"s\":\"a\\qb\"}", "t.ndjson", NULL,
                    "t.ndjson:1:8: field 's': invalid escape '\\q' in a string");
    IO_EXPECT_ERROR("s string", "{\"s\":\"\\ud83d x\"}", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 's': unpaired UTF-16 surrogate \\uD83D");
    IO_EXPECT_ERROR("s string", "{\"s\":\"\\ude00\"}", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 's': unpaired UTF-16 surrogate \\uDE00");
    IO_EXPECT_ERROR("s string", "{\"s\":\"\\u12\"}", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 's': invalid \\u escape (four hex digits expected)");
    IO_EXPECT_ERROR(
        "s string", "{\"s\":\"a\tb\"}", "t.ndjson", NULL,
        "t.ndjson:1:8: field 's': control character 0x09 in a string (it must be escaped)");
    IO_EXPECT_ERROR("s string", "{\"s\":\"abc}\n", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 's': unterminated string");
    IO_EXPECT_ERROR("s string", "{\"s\":\"\xc3\x28\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 's': invalid UTF-8 in a string value");
    IO_EXPECT_ERROR("s string", "{\"s\":\"\xed\xa0\x80\"}", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 's': invalid UTF-8 in a string value");
    /* Escaped keys match their unescaped names. */
    IO_EXPECT_ROWS("na\xc3\xafve string", "{\"na\\u00efve\":\"x\"}", "t.ndjson", NULL,
                   "{\"na\xc3\xafve\":\"x\"}\n");
    /* Typed values written with escapes. */
    IO_EXPECT_ROWS("d decimal(4,1)", "{\"d\":\"12\\u002e5\"}", "t.ndjson", NULL,
                   "{\"d\":\"12.5\"}\n");
}

static void test_fields(void **state)
{
    (void)state;
    /* Missing fields are null, unknown ones ignored (any nesting), duplicates: last wins. */
    IO_EXPECT_ROWS("a int64, b string",
                   "{\"b\":\"x\"}\n"
                   "{\"z\":{\"deep\":[1,{\"q\":[true,false,null]},\"s\\\"}\"]},\"a\":1}\n"
                   "{\"a\":1,\"a\":2,\"b\":\"first\",\"b\":\"second\"}\n"
                   "{\"a\":null,\"a\":3,\"b\":\"x\",\"b\":null}\n"
                   "{}\n",
                   "t.ndjson", NULL,
                   "{\"a\":null,\"b\":\"x\"}\n{\"a\":1,\"b\":null}\n{\"a\":2,\"b\":\"second\"}\n"
                   "{\"a\":3,\"b\":null}\n{\"a\":null,\"b\":null}\n");
    /* Long names (predicted in place up to 32 bytes, hashed beyond), keys that
     * share a prefix with the predicted one, changing key order. */
    IO_EXPECT_ROWS("a_very_long_column_name_number_1 int64, a_very_long_column_name_number_2 "
                   "int64, x_this_name_is_longer_than_thirty_two_bytes int64, a int64",
                   "{\"a_very_long_column_name_number_1\":1,\"a_very_long_column_name_number_2\":2,"
                   "\"x_this_name_is_longer_than_thirty_two_bytes\":3,\"a\":4}\n"
                   "{\"a_very_long_column_name_number_2\":5,\"a_very_long_column_name_number_1\":6,"
                   "\"a_very_long_column_name_number\":0,\"ab\":0,\"a\":7}\n"
                   "{\"a_very_long_column_name_number_1\":8,\"a_very_long_column_name_number_2\":9,"
                   "\"x_this_name_is_longer_than_thirty_two_bytes\":10,\"a\":11}\n",
                   "t.ndjson", NULL,
                   "{\"a_very_long_column_name_number_1\":1,\"a_very_long_column_name_number_2\":2,"
                   "\"x_this_name_is_longer_than_thirty_two_bytes\":3,\"a\":4}\n"
                   "{\"a_very_long_column_name_number_1\":6,\"a_very_long_column_name_number_2\":5,"
                   "\"x_this_name_is_longer_than_thirty_two_bytes\":null,\"a\":7}\n"
                   "{\"a_very_long_column_name_number_1\":8,\"a_very_long_column_name_number_2\":9,"
                   "\"x_this_name_is_longer_than_thirty_two_bytes\":10,\"a\":11}\n");
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.ignore_unknown_fields = false;
    IO_EXPECT_ERROR("a int64", "{\"a\":1}\n{\"a\":1, \"zz\":2}\n", "t.ndjson", &o,
                    "t.ndjson:2:9: unknown field 'zz'");
    IO_EXPECT_ERROR("id int64 not null, b string", "{\"id\":1}\n{\"b\":\"x\"}\n", "t.ndjson", NULL,
                    "t.ndjson:2:1: field 'id' is missing (column is NOT NULL)");
    IO_EXPECT_ERROR("id int64 not null", "{\"id\":null}\n", "t.ndjson", NULL,
                    "t.ndjson:1:7: field 'id': null is not allowed (column is NOT NULL)");
    /* A duplicate may replace a null in a NOT NULL column. */
    IO_EXPECT_ERROR("id int64 not null", "{\"id\":1,\"id\":null}\n", "t.ndjson", NULL,
                    "t.ndjson:1:14: field 'id': null is not allowed (column is NOT NULL)");
}

static void test_layout(void **state)
{
    (void)state;
    /* Blank lines, CRLF, surrounding blanks, no final newline. */
    IO_EXPECT_ROWS("a int64",
                   "\n\r\n  {\"a\":1}  \r\n\n\t{ \"a\" : 2 , \"b\" : [ ] }\r\n   \n{\"a\":3}",
                   "t.ndjson", NULL, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    IO_EXPECT_ROWS("a int64", "", "t.ndjson", NULL, "");
    IO_EXPECT_ROWS("a int64", "\xef\xbb\xbf{\"a\":1}\n", "t.ndjson", NULL, "{\"a\":1}\n");
    IO_EXPECT_ERROR(
        "a int64", "{\"a\":1}\n{\"a\":2\n", "t.ndjson", NULL,
        "t.ndjson:2:7: expected ',' or '}' after a value but found the end of the line");
    IO_EXPECT_ERROR(
        "a int64", "{\"a\":1}\n{\"a\":2", "t.ndjson", NULL,
        "t.ndjson:2:7: expected ',' or '}' after a value but found the end of the input");
    IO_EXPECT_ERROR("a int64", "{\"a\":1} x\n", "t.ndjson", NULL,
                    "t.ndjson:1:9: unexpected 'x' after the record");
    IO_EXPECT_ERROR("a int64", "{\"a\":1}\n[1,2]\n", "t.ndjson", NULL,
                    "t.ndjson:2:1: a line must hold one JSON object, not an array (for a JSON "
                    "array file use --format json)");
    IO_EXPECT_ERROR("a int64", "{\"a\" 1}\n", "t.ndjson", NULL,
                    "t.ndjson:1:6: expected ':' after field name 'a' but found '1'");
    IO_EXPECT_ERROR("a int64", "{a:1}\n", "t.ndjson", NULL,
                    "t.ndjson:1:2: expected a field name (a string) but found 'a'");
    IO_EXPECT_ERROR("a string", "{\"a\":tru}\n", "t.ndjson", NULL,
                    "t.ndjson:1:6: field 'a': expected a JSON value but found 't'");
    IO_EXPECT_ERROR("a string", "{\"b\":[1,2}\n", "t.ndjson", NULL,
                    "t.ndjson:1:10: expected ',' or ']' but found '}'");
}

/* Many lines, a bad value far in: the error line must be exact whatever the
 * chunking, and every earlier record must come out first, in order. */
static void test_error_line_in_later_piece(void **state)
{
    (void)state;
    tarn_buf text = TARN_BUF_INIT;
    const int bad = 4321;
    for (int i = 1; i <= 6000; i++) {
        if (i % 97 == 0)
            assert_int_equal(tarn_buf_append_str(&text, "\n"), TARN_OK); /* blank line */
        if (i == bad)
            assert_int_equal(tarn_buf_printf(&text, "{\"n\":%d, \"q\":300}\n", i), TARN_OK);
        else
            assert_int_equal(tarn_buf_printf(&text, "{\"n\":%d,\"q\":%d}\n", i, i % 100), TARN_OK);
    }
    /* Line of the bad record: i plus the blank lines before it. */
    int line = bad + (bad - 1) / 97;
    char want[128];
    snprintf(want, sizeof want, "t.ndjson:%d:16: field 'q': '300' is out of range for int8", line);
    size_t chunks[] = {64, 1000, 4096, 1 << 20};
    int pieces[] = {1, 2, 3, 7};
    for (size_t c = 0; c < TARN_ARRAY_LEN(chunks); c++)
        for (size_t p = 0; p < TARN_ARRAY_LEN(pieces); p++) {
            tarn_io_opts o = io_opts_tiny(chunks[c], pieces[p]);
            o.batch_rows = 100;
            io_result r = io_read_mem("n int32, q int8", text.data, text.len, "t.ndjson", &o);
            assert_non_null(r.error);
            assert_string_equal(r.error, want);
            assert_int_equal(r.records, bad - 1);
            /* Rows come out in input order. */
            const char *s = r.rows;
            for (int i = 1; i < bad; i++) {
                char row[64];
                int k = snprintf(row, sizeof row, "{\"n\":%d,\"q\":%d}\n", i, i % 100);
                assert_memory_equal(s, row, (size_t)k);
                s += k;
            }
            assert_string_equal(s, "");
            io_result_free(&r);
        }
    tarn_buf_fini(&text);
}

static void test_batches(void **state)
{
    (void)state;
    tarn_buf text = TARN_BUF_INIT, want = TARN_BUF_INIT;
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(tarn_buf_printf(&text, "{\"i\":%d,\"s\":\"v%d\"}\n", i, i * 7), TARN_OK);
        assert_int_equal(tarn_buf_printf(&want, "{\"i\":%d,\"s\":\"v%d\"}\n", i, i * 7), TARN_OK);
    }
    tarn_io_opts o = io_opts_tiny(333, 5);
    o.batch_rows = 7;
    io_result r = io_read_mem("i int64, s string", text.data, text.len, "t.ndjson", &o);
    assert_null(r.error);
    assert_string_equal(r.rows, want.data);
    assert_int_equal(r.records, 2000);
    assert_true(r.batches >= 2000 / 7);
    io_result_free(&r);
    /* Single-threaded gives the same. */
    o.single_threaded = true;
    r = io_read_mem("i int64, s string", text.data, text.len, "t.ndjson", &o);
    assert_string_equal(r.rows, want.data);
    io_result_free(&r);
    /* A record longer than max_record_size is refused. */
    o = io_opts_tiny(64, 2);
    o.max_record_size = 256;
    r = io_read_mem("i int64, s string", text.data, text.len, "t.ndjson", &o);
    if (r.error)
        fail_msg("%s", r.error);
    io_result_free(&r);
    tarn_buf_reset(&text);
    assert_int_equal(tarn_buf_append_str(&text, "{\"s\":\""), TARN_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(tarn_buf_append_str(&text, "0123456789"), TARN_OK);
    assert_int_equal(tarn_buf_append_str(&text, "\"}\n"), TARN_OK);
    r = io_read_mem("s string", text.data, text.len, "t.ndjson", &o);
    assert_non_null(r.error);
    assert_int_equal(r.err.code, TARN_ERR_LIMIT);
    io_result_free(&r);
    tarn_buf_fini(&text);
    tarn_buf_fini(&want);
}

static void test_json_array(void **state)
{
    (void)state;
    const char *doc =
        "[\n  {\"a\": 1,\n   \"b\": \"x\"},\n  {\"a\": 2, \"b\": {\"n\": [1,\n 2]}},\n"
        "  {\"b\": \"]\"}\n]\n";
    const char *want = "{\"a\":1,\"b\":\"x\"}\n{\"a\":2,\"b\":\"{\\\"n\\\": [1,\\n 2]}\"}\n"
                       "{\"a\":null,\"b\":\"]\"}\n";
    IO_EXPECT_ROWS("a int64, b string", doc, "t.json", NULL, want);
    for (size_t chunk = 16; chunk < 80; chunk += 7) {
        tarn_io_opts o = io_opts_tiny(chunk, 3);
        IO_EXPECT_ROWS("a int64, b string", doc, "t.json", &o, want);
    }
    IO_EXPECT_ROWS("a int64", "[]", "t.json", NULL, "");
    IO_EXPECT_ROWS("a int64", " [ ] \n", "t.json", NULL, "");
    /* Concatenated (pretty-printed) objects without an array. */
    IO_EXPECT_ROWS("a int64", "{\n \"a\": 1\n}\n{\n \"a\": 2\n}\n", "t.json", NULL,
                   "{\"a\":1}\n{\"a\":2}\n");
    IO_EXPECT_ERROR("a int64", "[{\"a\":1},\n{\"a\":2},\n]", "t.json", NULL,
                    "t.json:3:1: expected an object after ',' but found ']'");
    IO_EXPECT_ERROR("a int64", "[{\"a\":1},\n{\"a\":2}\n", "t.json", NULL,
                    "t.json:3:1: unexpected end of input: the JSON array is not closed");
    IO_EXPECT_ERROR("a int64", "[{\"a\":1}\n{\"a\":2}]", "t.json", NULL,
                    "t.json:2:1: expected ',' or ']' after an array element but found '{'");
    IO_EXPECT_ERROR("a int64", "[{\"a\":1}, 2]", "t.json", NULL,
                    "t.json:1:11: expected a JSON object but found '2'");
    IO_EXPECT_ERROR("a int64", "[{\"a\":1}] x", "t.json", NULL,
                    "t.json:1:11: unexpected 'x' after the end of the JSON array");
    /* Error lines stay exact across chunks and pieces. */
    tarn_buf text = TARN_BUF_INIT;
    assert_int_equal(tarn_buf_append_str(&text, "[\n"), TARN_OK);
    for (int i = 1; i <= 3000; i++)
        assert_int_equal(
            tarn_buf_printf(&text, "  {\"i\": %d,\n   \"q\": %d},\n", i, i == 2500 ? 1000 : 1),
            TARN_OK);
    assert_int_equal(tarn_buf_append_str(&text, "  {\"i\": 0}\n]\n"), TARN_OK);
    for (size_t chunk = 100; chunk < 100000; chunk *= 7) {
        tarn_io_opts o = io_opts_tiny(chunk, 4);
        io_result r = io_read_mem("i int64, q int8", text.data, text.len, "t.json", &o);
        assert_non_null(r.error);
        assert_string_equal(r.error, "t.json:5001:9: field 'q': '1000' is out of range for int8");
        assert_int_equal(r.records, 2499);
        io_result_free(&r);
    }
    tarn_buf_fini(&text);
}

static void test_unsupported(void **state)
{
    (void)state;
    tarn_schema *s = tarn_schema_create();
    tarn_field *f = tarn_schema_add(s, "l", tarn_type_make(TARN_TYPE_LIST), true);
    f->n_children = 1;
    f->children = tarn_arena_calloc(s->arena, 1, sizeof(tarn_field));
    f->children[0].name = "element";
    f->children[0].type = tarn_type_make(TARN_TYPE_INT64);
    tarn_io_reader *r;
    tarn_err err;
    assert_int_equal(tarn_io_reader_open_mem("{}", 2, "t.ndjson", s, NULL, &r, &err),
                     TARN_ERR_UNSUPPORTED);
    assert_null(r);
    assert_string_equal(err.msg, "column 'l': type list is not supported by the text readers yet");
    tarn_schema_destroy(s);
}

static void test_permissive(void **state)
{
    (void)state;
    io_bad_sink sink = {TARN_BUF_INIT, 0, 0};
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.on_bad_record = io_bad_collect;
    o.bad_record_ctx = &sink;
    IO_EXPECT_ROWS("id int64 not null, amount decimal(10,2)",
                   "{\"id\":1,\"amount\":\"1.50\"}\n"
                   "{\"id\":2,\"amount\":\"abc\"}\n"
                   "{\"id\":3\n"
                   "\n"
                   "{\"amount\":1}\r\n"
                   "not json\n"
                   "{\"id\":4} x\n"
                   "{\"id\":5,\"amount\":2}",
                   "t.ndjson", &o,
                   "{\"id\":1,\"amount\":\"1.50\"}\n{\"id\":5,\"amount\":\"2.00\"}\n");
    assert_string_equal(sink.log.data,
                        "2:18: field 'amount': 'abc' is not decimal(10,2) | "
                        "{\"id\":2,\"amount\":\"abc\"}\n"
                        "3:8: expected ',' or '}' after a value but found the end of the line | "
                        "{\"id\":3\n"
                        "5:1: field 'id' is missing (column is NOT NULL) | {\"amount\":1}\n"
                        "6:1: a line must hold one JSON object but found 'n' | not json\n"
                        "7:10: unexpected 'x' after the record | {\"id\":4} x\n");
    /* Across chunks and pieces: same rows, same reports, exact lines. */
    tarn_buf text = TARN_BUF_INIT, want = TARN_BUF_INIT, want_log = TARN_BUF_INIT;
    for (int i = 1; i <= 3000; i++) {
        if (i % 7 == 0) {
            assert_int_equal(tarn_buf_printf(&text, "{\"i\":%d,\"q\":%d}\n", i, 1000 + i), TARN_OK);
            assert_int_equal(tarn_buf_printf(&want_log,
                                             "%d:%d: field 'q': '%d' is out of range for int8 | "
                                             "{\"i\":%d,\"q\":%d}\n",
                                             i,
                                             i < 10     ? 12
                                             : i < 100  ? 13
                                             : i < 1000 ? 14
                                                        : 15,
                                             1000 + i, i, 1000 + i),
                             TARN_OK);
        } else {
            assert_int_equal(tarn_buf_printf(&text, "{\"i\":%d,\"q\":1}\n", i), TARN_OK);
            assert_int_equal(tarn_buf_printf(&want, "{\"i\":%d,\"q\":1}\n", i), TARN_OK);
        }
    }
    size_t chunks[] = {64, 999, 1 << 20};
    for (size_t c = 0; c < TARN_ARRAY_LEN(chunks); c++) {
        tarn_buf_reset(&sink.log);
        tarn_io_opts t = io_opts_tiny(chunks[c], 3);
        t.on_bad_record = io_bad_collect;
        t.bad_record_ctx = &sink;
        io_result r = io_read_mem("i int32, q int8", text.data, text.len, "t.ndjson", &t);
        assert_null(r.error);
        assert_string_equal(r.rows, want.data);
        assert_string_equal(sink.log.data, want_log.data);
        io_result_free(&r);
    }
    /* The callback can stop the read. */
    tarn_buf_reset(&sink.log);
    sink.n = 0;
    sink.stop_after = 2;
    io_result r = io_read_mem("i int32, q int8", text.data, text.len, "t.ndjson", &o);
    assert_non_null(r.error);
    assert_int_equal(r.err.code, TARN_ERR_DATA);
    assert_int_equal(sink.n, 2);
    io_result_free(&r);
    tarn_buf_fini(&text);
    tarn_buf_fini(&want);
    tarn_buf_fini(&want_log);
    tarn_buf_fini(&sink.log);
}

/* Garbage, mutations and truncations: no crash, no leak, no hang. */
static void test_fuzz(void **state)
{
    (void)state;
    const char *seed_doc =
        "{\"order_id\":\"o-1\",\"user_id\":12,\"amount\":\"1.25\",\"country\":\"D\\u00c9\","
        "\"status\":{\"a\":[1,2,{\"b\":null}]},\"ts\":\"2024-01-01T00:00:00Z\",\"qty\":3,"
        "\"price\":-1.5e3,\"flag\":true}\n"
        "{\"order_id\":\"o-2\",\"amount\":2,\"x\":[[[]]],\"ts\":\"2024-01-01\"}\n";
    const char *schema = "order_id string, user_id int64, amount decimal(10,2), country string, "
                         "status string, ts timestamp, qty int8, price double, flag boolean";
    size_t n = strlen(seed_doc);
    char *buf = malloc(n + 64);
    uint64_t rng = 7;
    for (size_t cut = 0; cut <= n; cut++) {
        tarn_io_opts o = io_opts_tiny(16 + cut % 50, 1 + (int)(cut % 4));
        o.format = cut % 3 == 0 ? TARN_IO_JSON : TARN_IO_NDJSON;
        io_read_any(schema, seed_doc, cut, &o);
    }
    static const char alphabet[] = "{}[]\",:\\ntrufalse0123456789.eE+-\n\r\t u\xc3\xa9\x00";
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(buf, seed_doc, n);
        size_t len = n;
        int edits = 1 + (int)(io_rand(&rng) % 6);
        for (int e = 0; e < edits; e++) {
            size_t at = io_rand(&rng) % len;
            buf[at] = alphabet[io_rand(&rng) % (sizeof alphabet - 1)];
        }
        if (iter % 5 == 0)
            len = io_rand(&rng) % (len + 1);
        tarn_io_opts o = io_opts_tiny(16 + io_rand(&rng) % 200, 1 + (int)(io_rand(&rng) % 4));
        o.format = iter % 4 == 0 ? TARN_IO_JSON : TARN_IO_NDJSON;
        io_bad_sink sink = {TARN_BUF_INIT, 0, 0};
        if (iter % 3 == 0) {
            o.on_bad_record = io_bad_collect;
            o.bad_record_ctx = &sink;
        }
        io_read_any(schema, buf, len, &o);
        tarn_buf_fini(&sink.log);
    }
    for (int iter = 0; iter < 500; iter++) {
        size_t len = io_rand(&rng) % (n + 40);
        for (size_t i = 0; i < len; i++)
            buf[i] = alphabet[io_rand(&rng) % (sizeof alphabet - 1)];
        tarn_io_opts o = io_opts_tiny(16 + io_rand(&rng) % 100, 2);
        o.format = iter % 2 ? TARN_IO_JSON : TARN_IO_NDJSON;
        io_read_any(schema, buf, len, &o);
    }
    free(buf);
}

/* One record at a time (Silver judging Bronze rows): rows land in the
 * caller's batch, unknown fields and value kinds are reported, a bad record
 * leaves the batch as it was. */
typedef struct unk {
    char seen[256];
    int calls;
    bool stop;
} unk;

static tarn_status on_unk(void *ctx, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
    unk *u = ctx;
    u->calls++;
    size_t at = strlen(u->seen);
    snprintf(u->seen + at, sizeof u->seen - at, "%.*s=%.*s;", (int)kn, (const char *)k, (int)vn,
             (const char *)v);
    return u->stop ? TARN_ERR_DATA : TARN_OK;
}

static void test_rows_one_at_a_time(void **state)
{
    (void)state;
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("a int32, b string, c decimal(5,2)", &s, &err), TARN_OK);
    tarn_io_json_rows *jr;
    assert_int_equal(tarn_io_json_rows_create(s, &jr, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    /* Records back to back, as in a string vector: no separator, no pad. */
    const char *text = "{\"a\":1,\"b\":\"x\",\"zz\":[1,{\"q\":2}],\"c\":\"1.50\"}"
                       "{\"b\":\"y\\u00e9\",\"a\":2}"
                       "{\"a\":\"bad\"}"
                       "[1]"
                       "{\"a\":3,\"c\":2} ";
    size_t len[] = {43, 21, 11, 3, 14};
    const uint8_t *p = (const uint8_t *)text;
    size_t total = strlen(text);
    unk u = {{0}, 0, false};
    uint8_t first[3];
    tarn_status want[] = {TARN_OK, TARN_OK, TARN_ERR_INVALID, TARN_ERR_INVALID, TARN_OK};
    const char *msgs[] = {NULL, NULL, "field 'a': 'bad' is not int32", "not a JSON object", NULL};
    for (int i = 0; i < 5; i++) {
        memset(first, 0, sizeof first);
        size_t after = total - (size_t)(p - (const uint8_t *)text) - len[i];
        tarn_status st = tarn_io_json_rows_parse(jr, p, len[i], after, b, on_unk, &u, first, &err);
        assert_int_equal(st, want[i]);
        if (msgs[i])
            assert_string_equal(err.msg, msgs[i]);
        if (i == 0) {
            assert_int_equal(first[0], '1');
            assert_int_equal(first[1], '"');
            assert_int_equal(first[2], '"');
        }
        if (i == 1)
            assert_int_equal(first[2], 0); /* c missing */
        p += len[i];
    }
    assert_int_equal(b->n_rows, 3);
    assert_string_equal(u.seen, "zz=[1,{\"q\":2}];");
    tarn_buf out = TARN_BUF_INIT;
    assert_int_equal(tarn_render_ndjson(&out, b), TARN_OK);
    assert_string_equal(out.data, "{\"a\":1,\"b\":\"x\",\"c\":\"1.50\"}\n"
                                  "{\"a\":2,\"b\":\"y\xc3\xa9\",\"c\":null}\n"
                                  "{\"a\":3,\"b\":null,\"c\":\"2.00\"}\n");
    /* A callback that stops the record: its status, the batch unchanged. */
    u.stop = true;
    const char *r2 = "{\"a\":9,\"new\":1}";
    assert_int_equal(
        tarn_io_json_rows_parse(jr, (const uint8_t *)r2, strlen(r2), 0, b, on_unk, &u, NULL, &err),
        TARN_ERR_DATA);
    assert_int_equal(b->n_rows, 3);
    assert_int_equal(b->cols[0]->len, 3);
    tarn_buf_fini(&out);
    tarn_batch_destroy(b);
    tarn_io_json_rows_destroy(jr);
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orders),        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),        cmocka_unit_test(test_decimals),
        cmocka_unit_test(test_bool_and_text), cmocka_unit_test(test_dates),
        cmocka_unit_test(test_strings),       cmocka_unit_test(test_fields),
        cmocka_unit_test(test_layout),        cmocka_unit_test(test_error_line_in_later_piece),
        cmocka_unit_test(test_batches),       cmocka_unit_test(test_json_array),
        cmocka_unit_test(test_unsupported),   cmocka_unit_test(test_permissive),
        cmocka_unit_test(test_fuzz),          cmocka_unit_test(test_rows_one_at_a_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
