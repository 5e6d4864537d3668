/*
 * tests/sql/test_query.c - running SQL over small Delta tables: typing,
 * NULL logic, grouping, joins, ordering, set operations, subqueries and
 * the errors that point at the query.
 */
#include "tarn_test.h"

#include "column/render.h"
#include "delta/write.h"
#include "sql/query.h"

static char lake[512];

typedef struct one_batch {
    tarn_batch *b;
    bool done;
} one_batch;

static tarn_status one_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    (void)err;
    one_batch *o = ctx;
    *out = o->done ? NULL : o->b;
    o->done = true;
    return TARN_OK;
}

/* Writes NDJSON-ish rows given as scalars through the text parsers: each
 * row is a list of texts ("" = NULL) in schema order. */
static void write_table(const char *name, const char *schema_text, const char *const *cells,
                        int n_rows)
{
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse(schema_text, &s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    for (int r = 0; r < n_rows; r++) {
        for (int c = 0; c < s->n_fields; c++) {
            const char *t = cells[r * s->n_fields + c];
            if (!*t) {
                assert_int_equal(tarn_vec_append_null(b->cols[c]), TARN_OK);
                continue;
            }
            tarn_scalar k;
            assert_int_equal(tarn_scalar_parse(NULL, s->fields[c].type, t, strlen(t), &k, &err),
                             TARN_OK);
            assert_int_equal(tarn_vec_append_scalar(b->cols[c], &k), TARN_OK);
        }
    }
    b->n_rows = n_rows;
    char path[700];
    snprintf(path, sizeof path, "%s/silver/%s", lake, name);
    one_batch src = {b, false};
    tarn_delta_write_result res;
    tarn_status st = tarn_delta_write(path, s, one_next, &src, NULL, &res, &err);
    if (st != TARN_OK)
        fail_msg("write %s: %s", name, err.msg);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
}

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("sql", lake, sizeof lake);
    static const char *const orders[] = {
        "1", "10", "paid",     "12.50",  "2024-01-05T10:00:00Z", "2",
        "2", "10", "paid",     "7.25",   "2024-01-20T08:30:00Z", "1",
        "3", "20", "refunded", "",       "2024-02-02T12:00:00Z", "5",
        "4", "30", "",         "100.00", "2024-02-28T23:59:59Z", "",
        "5", "",   "paid",     "0.10",   "2024-03-01T00:00:00Z", "3",
    };
    write_table("orders",
                "id int64, customer_id int64, status string, amount decimal(10,2), ts timestamp, "
                "qty int32",
                orders, 5);
    static const char *const customers[] = {
        "10", "Ada",        "DE", "2023-05-01", "20", "Bo",
        "FR", "2023-07-15", "40", "Chen",       "",   "2024-01-01",
    };
    write_table("customers", "customer_id int64, name string, country string, since date",
                customers, 3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(lake);
    return 0;
}

/* Runs q and returns its rows as NDJSON (static buffer). */
static const char *run(const char *q)
{
    static char out[8192];
    tarn_sql_opts o = {.lake = lake};
    tarn_sql_result *r;
    tarn_err err;
    tarn_status st = tarn_sql_run(q, &o, &r, &err);
    if (st != TARN_OK)
        fail_msg("%s\n  -> %s", q, err.msg);
    tarn_buf b;
    tarn_buf_init(&b);
    assert_int_equal(tarn_render_ndjson(&b, r->batch), TARN_OK);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    tarn_buf_fini(&b);
    tarn_sql_result_destroy(r);
    return out;
}

/* Runs q expecting an error; returns its message. */
static const char *run_err(const char *q, tarn_status want)
{
    static char msg[TARN_ERR_MSG_MAX];
    tarn_sql_opts o = {.lake = lake};
    tarn_sql_result *r = NULL;
    tarn_err err;
    tarn_status st = tarn_sql_run(q, &o, &r, &err);
    if (st == TARN_OK) {
        tarn_sql_result_destroy(r);
        fail_msg("%s: expected an error", q);
    }
    assert_int_equal(st, want);
    snprintf(msg, sizeof msg, "%s", err.msg);
    return msg;
}

static void test_projection_and_filter(void **state)
{
    (void)state;
    assert_string_equal(run("SELECT id, amount FROM silver.orders WHERE amount > 10 ORDER BY id"),
                        "{\"id\":1,\"amount\":\"12.50\"}\n{\"id\":4,\"amount\":\"100.00\"}\n");
    /* NULL never matches; NOT of NULL is NULL. */
    assert_string_equal(run("SELECT count(*) AS n FROM silver.orders WHERE NOT (amount < 10)"),
                        "{\"n\":2}\n");
    assert_string_equal(run("SELECT id FROM silver.orders WHERE status IS NULL OR qty IS NULL"),
                        "{\"id\":4}\n");
    assert_string_equal(
        run("SELECT id FROM silver.orders WHERE status IN ('refunded', NULL) ORDER BY 1"),
        "{\"id\":3}\n");
    assert_string_equal(run("SELECT id FROM silver.orders WHERE id NOT IN (1, 2, NULL)"), "");
    assert_string_equal(run("SELECT id FROM silver.orders WHERE ts >= '2024-02-01' AND ts < "
                            "DATE '2024-03-01' ORDER BY id DESC"),
                        "{\"id\":4}\n{\"id\":3}\n");
    assert_string_equal(run("SELECT id FROM silver.orders WHERE status LIKE 'p_i%' AND id "
                            "BETWEEN 2 AND 5"),
                        "{\"id\":2}\n{\"id\":5}\n");
}

static void test_arithmetic(void **state)
{
    (void)state;
    /* Decimals stay exact; int / int is a double division (x / 0 is Infinity). */
    assert_string_equal(run("SELECT amount * qty AS t, amount + 1 AS p, qty / 2 AS h, id / 0 AS z "
                            "FROM silver.orders WHERE id = 1"),
                        "{\"t\":\"25.00\",\"p\":\"13.50\",\"h\":1,\"z\":\"Infinity\"}\n");
    assert_string_equal(run("SELECT sum(amount) AS s, avg(qty) AS a FROM silver.orders"),
                        "{\"s\":\"119.85\",\"a\":2.75}\n");
    const char *m = run_err("SELECT 9223372036854775807 + id FROM silver.orders", TARN_ERR_DATA);
    assert_non_null(strstr(m, "overflow"));
    assert_string_equal(run("SELECT CAST(amount AS int) AS i, CAST(id AS string) || 'x' AS s "
                            "FROM silver.orders WHERE id = 1"),
                        "{\"i\":13,\"s\":\"1x\"}\n");
    assert_string_equal(run("SELECT CASE WHEN amount > 50 THEN 'big' WHEN amount IS NULL THEN "
                            "'none' ELSE 'small' END AS k FROM silver.orders ORDER BY id"),
                        "{\"k\":\"small\"}\n{\"k\":\"small\"}\n{\"k\":\"none\"}\n"
                        "{\"k\":\"big\"}\n{\"k\":\"small\"}\n");
    assert_string_equal(run("SELECT ts + INTERVAL '1' MONTH AS t FROM silver.orders WHERE id = 4"),
                        "{\"t\":\"2024-03-28T23:59:59.000000Z\"}\n");
}

static void test_grouping(void **state)
{
    (void)state;
    assert_string_equal(run("SELECT status, count(*) AS n, sum(amount) AS s, min(id) AS lo, "
                            "count(DISTINCT customer_id) AS c FROM silver.orders GROUP BY status "
                            "ORDER BY status NULLS FIRST"),
                        "{\"status\":null,\"n\":1,\"s\":\"100.00\",\"lo\":4,\"c\":1}\n"
                        "{\"status\":\"paid\",\"n\":3,\"s\":\"19.85\",\"lo\":1,\"c\":1}\n"
                        "{\"status\":\"refunded\",\"n\":1,\"s\":null,\"lo\":3,\"c\":1}\n");
    assert_string_equal(run("SELECT customer_id, sum(qty) AS q FROM silver.orders GROUP BY 1 "
                            "HAVING sum(qty) > 2 ORDER BY q DESC"),
                        "{\"customer_id\":20,\"q\":5}\n{\"customer_id\":10,\"q\":3}\n"
                        "{\"customer_id\":null,\"q\":3}\n");
    /* Aggregates over no rows: one row. */
    assert_string_equal(run("SELECT count(*) AS n, sum(qty) AS s FROM silver.orders WHERE id > 9"),
                        "{\"n\":0,\"s\":null}\n");
    assert_string_equal(run("SELECT DISTINCT status FROM silver.orders ORDER BY status"),
                        "{\"status\":\"paid\"}\n{\"status\":\"refunded\"}\n{\"status\":null}\n");
    const char *m =
        run_err("SELECT status, id FROM silver.orders GROUP BY status", TARN_ERR_INVALID);
    assert_non_null(strstr(m, "must appear in GROUP BY"));
}

static void test_joins(void **state)
{
    (void)state;
    assert_string_equal(run("SELECT o.id, c.name FROM silver.orders o JOIN silver.customers c "
                            "ON o.customer_id = c.customer_id ORDER BY o.id"),
                        "{\"id\":1,\"name\":\"Ada\"}\n{\"id\":2,\"name\":\"Ada\"}\n"
                        "{\"id\":3,\"name\":\"Bo\"}\n");
    assert_string_equal(run("SELECT o.id, c.name FROM silver.orders o LEFT JOIN silver.customers c "
                            "ON o.customer_id = c.customer_id AND c.country = 'DE' ORDER BY o.id"),
                        "{\"id\":1,\"name\":\"Ada\"}\n{\"id\":2,\"name\":\"Ada\"}\n"
                        "{\"id\":3,\"name\":null}\n{\"id\":4,\"name\":null}\n"
                        "{\"id\":5,\"name\":null}\n");
    assert_string_equal(run("SELECT c.name, count(o.id) AS n FROM silver.orders o FULL JOIN "
                            "silver.customers c USING (customer_id) GROUP BY c.name ORDER BY n, "
                            "c.name"),
                        "{\"name\":\"Chen\",\"n\":0}\n{\"name\":\"Bo\",\"n\":1}\n"
                        "{\"name\":\"Ada\",\"n\":2}\n{\"name\":null,\"n\":2}\n");
    assert_string_equal(run("SELECT count(*) AS n FROM silver.orders, silver.customers"),
                        "{\"n\":15}\n");
    /* Grouped inner joins stream the left table through the right's hash table. */
    assert_string_equal(
        run("SELECT c.country, count(*) AS n, sum(o.amount) AS s FROM silver.orders "
            "o JOIN silver.customers c ON o.customer_id = c.customer_id WHERE "
            "o.qty > 1 GROUP BY c.country ORDER BY 1"),
        "{\"country\":\"DE\",\"n\":1,\"s\":\"12.50\"}\n"
        "{\"country\":\"FR\",\"n\":1,\"s\":null}\n");
}

static void test_sets_and_subqueries(void **state)
{
    (void)state;
    assert_string_equal(run("WITH big AS (SELECT id FROM silver.orders WHERE amount > 10) "
                            "SELECT id FROM big UNION SELECT id FROM big ORDER BY id"),
                        "{\"id\":1}\n{\"id\":4}\n");
    assert_string_equal(run("SELECT customer_id FROM silver.orders EXCEPT SELECT customer_id FROM "
                            "silver.customers"),
                        "{\"customer_id\":30}\n{\"customer_id\":null}\n");
    assert_string_equal(run("SELECT id FROM silver.orders WHERE customer_id IN (SELECT "
                            "customer_id FROM silver.customers WHERE country = 'FR')"),
                        "{\"id\":3}\n");
    assert_string_equal(run("SELECT id FROM silver.orders WHERE amount = (SELECT max(amount) "
                            "FROM silver.orders)"),
                        "{\"id\":4}\n");
    /* Correlated [NOT] EXISTS on an equality runs as a semi join. */
    assert_string_equal(run("SELECT o.id FROM silver.orders o WHERE EXISTS (SELECT 1 FROM "
                            "silver.customers c WHERE c.customer_id = o.customer_id AND c.country "
                            "= 'DE') ORDER BY 1"),
                        "{\"id\":1}\n{\"id\":2}\n");
    assert_string_equal(run("SELECT o.id FROM silver.orders o WHERE NOT EXISTS (SELECT 1 FROM "
                            "silver.customers c WHERE o.customer_id = c.customer_id) ORDER BY 1"),
                        "{\"id\":4}\n{\"id\":5}\n");
    assert_string_equal(run("SELECT t.n FROM (SELECT count(*) AS n FROM silver.customers) t"),
                        "{\"n\":3}\n");
    assert_string_equal(run("SELECT id FROM silver.orders ORDER BY amount DESC NULLS LAST LIMIT 2 "
                            "OFFSET 1"),
                        "{\"id\":1}\n{\"id\":2}\n");
}

static void test_windows(void **state)
{
    (void)state;
    assert_string_equal(
        run("SELECT id, row_number() OVER (PARTITION BY status ORDER BY amount DESC) AS rn, "
            "rank() OVER (ORDER BY customer_id) AS rk, dense_rank() OVER (ORDER BY customer_id) "
            "AS dr, lag(id) OVER (ORDER BY id) AS prev, lead(id, 2, -1) OVER (ORDER BY id) AS nx, "
            "sum(qty) OVER (PARTITION BY customer_id) AS cq, count(*) OVER (ORDER BY ts) AS run "
            "FROM silver.orders ORDER BY id"),
        "{\"id\":1,\"rn\":1,\"rk\":1,\"dr\":1,\"prev\":null,\"nx\":3,\"cq\":3,\"run\":1}\n"
        "{\"id\":2,\"rn\":2,\"rk\":1,\"dr\":1,\"prev\":1,\"nx\":4,\"cq\":3,\"run\":2}\n"
        "{\"id\":3,\"rn\":1,\"rk\":3,\"dr\":2,\"prev\":2,\"nx\":5,\"cq\":5,\"run\":3}\n"
        "{\"id\":4,\"rn\":1,\"rk\":4,\"dr\":3,\"prev\":3,\"nx\":-1,\"cq\":null,\"run\":4}\n"
        "{\"id\":5,\"rn\":3,\"rk\":5,\"dr\":4,\"prev\":4,\"nx\":-1,\"cq\":3,\"run\":5}\n");
    /* Over grouped rows: a running total of daily sums. */
    assert_string_equal(run("SELECT status, sum(sum(amount)) OVER (ORDER BY status) AS cum FROM "
                            "silver.orders WHERE status IS NOT NULL GROUP BY status"),
                        "{\"status\":\"paid\",\"cum\":\"19.85\"}\n"
                        "{\"status\":\"refunded\",\"cum\":\"19.85\"}\n");
}

static void test_errors_point_at_the_query(void **state)
{
    (void)state;
    tarn_sql_opts o = {.lake = lake};
    tarn_sql_result *r = NULL;
    tarn_err err;
    assert_int_equal(tarn_sql_run("SELECT amout FROM silver.orders", &o, &r, &err),
                     TARN_ERR_NOT_FOUND);
    assert_string_equal(err.msg,
                        "line 1, column 8: unknown column 'amout' (did you mean 'amount'?)");
    assert_int_equal(err.offset, 7);
    const char *m = run_err("SELECT * FROM silver.nope", TARN_ERR_NOT_FOUND);
    assert_non_null(strstr(m, "unknown table silver.nope"));
    m = run_err("SELECT id FROM silver.orders WHERE status + 1 > 2", TARN_ERR_INVALID);
    assert_non_null(strstr(m, "operator + does not apply to string and int64"));
    m = run_err("SELECT id, (SELECT max(c.since) FROM silver.customers c WHERE c.customer_id = "
                "o.customer_id) AS s FROM silver.orders o",
                TARN_ERR_UNSUPPORTED);
    assert_non_null(strstr(m, "column 'customer_id' refers to the outer query: correlated"));
}

static void test_explain_and_time_travel(void **state)
{
    (void)state;
    char path[700];
    snprintf(path, sizeof path, "%s/silver/customers", lake);
    static const char *const more[] = {"50", "Dee", "US", "2024-06-01"};
    write_table("customers", "customer_id int64, name string, country string, since date", more, 1);
    assert_string_equal(run("SELECT count(*) AS n FROM silver.customers VERSION AS OF 0"),
                        "{\"n\":3}\n");
    assert_string_equal(run("SELECT count(*) AS n FROM silver.customers"), "{\"n\":4}\n");
    /* The second file's stats exclude customer_id = 10. */
    tarn_sql_opts o = {.lake = lake};
    tarn_sql_result *r;
    tarn_err err;
    assert_int_equal(
        tarn_sql_run("EXPLAIN SELECT name FROM silver.customers WHERE customer_id = 10", &o, &r,
                     &err),
        TARN_OK);
    assert_non_null(strstr(r->explain, "files read 1, skipped 1"));
    tarn_sql_result_destroy(r);
}

/* Row groups of a file whose statistics exclude the WHERE are not read. */
static void test_row_group_skipping(void **state)
{
    (void)state;
    tarn_schema *s;
    tarn_err err;
    assert_int_equal(tarn_schema_parse("id int64, v string", &s, &err), TARN_OK);
    tarn_batch *b = tarn_batch_create(s);
    for (int64_t i = 0; i < 20000; i++) {
        char t[32];
        int n = snprintf(t, sizeof t, "v%lld", (long long)i);
        assert_int_equal(tarn_vec_append_i64(b->cols[0], i), TARN_OK);
        assert_int_equal(tarn_vec_append_bytes(b->cols[1], t, n), TARN_OK);
    }
    b->n_rows = 20000;
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    o.pq.row_group_bytes = 16384;
    char path[700];
    snprintf(path, sizeof path, "%s/silver/big", lake);
    one_batch src = {b, false};
    tarn_delta_write_result res;
    assert_int_equal(tarn_delta_write(path, s, one_next, &src, &o, &res, &err), TARN_OK);
    tarn_batch_destroy(b);
    tarn_schema_destroy(s);
    assert_string_equal(run("SELECT v FROM silver.big WHERE id = 12345"), "{\"v\":\"v12345\"}\n");
    assert_string_equal(
        run("SELECT count(*) AS n, min(id) AS lo FROM silver.big WHERE id >= 19990"),
        "{\"n\":10,\"lo\":19990}\n");
    tarn_sql_opts qo = {.lake = lake};
    tarn_sql_result *r;
    assert_int_equal(
        tarn_sql_run("EXPLAIN SELECT v FROM silver.big WHERE id = 12345", &qo, &r, &err), TARN_OK);
    const char *p = strstr(r->explain, "row groups skipped ");
    assert_non_null(p);
    assert_true(strtol(p + strlen("row groups skipped "), NULL, 10) >= 5);
    tarn_sql_result_destroy(r);
    /* Statistics admit 'v12345x' in the row groups holding ids 12xxx, but
     * reading the predicate's columns first finds no row: nothing else is
     * decoded there, and the answer is still right. */
    assert_string_equal(run("SELECT id, v FROM silver.big WHERE id BETWEEN 12000 AND 12999 AND v = "
                            "'v12345x'"),
                        "");
    assert_string_equal(run("SELECT id, v FROM silver.big WHERE id BETWEEN 12000 AND 12999 AND v = "
                            "'v12345'"),
                        "{\"id\":12345,\"v\":\"v12345\"}\n");
    assert_int_equal(tarn_sql_run("EXPLAIN SELECT id, v FROM silver.big WHERE id BETWEEN 12000 AND "
                                  "12999 AND v = 'v12345x'",
                                  &qo, &r, &err),
                     TARN_OK);
    assert_non_null(strstr(r->explain, "files read 1"));
    assert_non_null(strstr(r->explain, "select: 2 columns, 0 rows"));
    tarn_sql_result_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_projection_and_filter),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_joins),
        cmocka_unit_test(test_sets_and_subqueries),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_errors_point_at_the_query),
        cmocka_unit_test(test_explain_and_time_travel),
        cmocka_unit_test(test_row_group_skipping),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
