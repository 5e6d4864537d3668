/*
 * tests/sql/test_parse.c - the SQL parser: every construct of the grammar
 * printed back in canonical form (precedence made explicit), printing is a
 * fixed point (parse(print(x)) prints the same), errors point at the token
 * with "line L, column C", and hostile nesting is an error, not a crash.
 */
#include "tarn_test.h"

#include "sql/parse.h"

static char *canon(const char *sql)
{
    tarn_arena *a = tarn_arena_create(0);
    tarn_sql_stmt *s;
    tarn_err err;
    if (tarn_sql_parse(sql, a, &s, &err) != TARN_OK)
        fail_msg("parse '%s': %s", sql, err.msg);
    tarn_buf b = TARN_BUF_INIT;
    assert_int_equal(tarn_sql_print(s, &b), TARN_OK);
    tarn_arena_destroy(a);
    return b.data;
}

static void test_canonical(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"select 1", "SELECT 1"},
        {"SELECT a, b AS c, t.d e FROM t", "SELECT a, b AS c, t.d AS e FROM t"},
        {"select * from silver.orders o where o.amount > 10.5 and not o.flag",
         "SELECT * FROM silver.orders AS o WHERE ((o.amount > 10.5) AND (NOT o.flag))"},
        {"select 1 + 2 * 3 - -4 % 2 || 'x'", "SELECT (((1 + (2 * 3)) - ((-4) % 2)) || 'x')"},
        {"select a = 1 or b <> 2 and c != 3", "SELECT ((a = 1) OR ((b <> 2) AND (c <> 3)))"},
        {"select x is null, y is not null, z not in (1, 2), w in (select 1)",
         "SELECT (x IS NULL), (y IS NOT NULL), (z NOT IN (1, 2)), (w IN (SELECT 1))"},
        {"select a between 1 and 2 and b not between 3 and 4",
         "SELECT ((a BETWEEN 1 AND 2) AND (b NOT BETWEEN 3 AND 4))"},
        {"select n like 'a%', n not ilike '%B'", "SELECT (n LIKE 'a%'), (n NOT ILIKE '%B')"},
        {"select count(*), count(distinct user_id), sum(amount) filter_ from t",
         "SELECT count(*), count(DISTINCT user_id), sum(amount) AS filter_ FROM t"},
        {"select case when a > 0 then 'p' when a < 0 then 'n' else 'z' end, case s when 1 "
         "then 'x' end",
         "SELECT CASE WHEN (a > 0) THEN 'p' WHEN (a < 0) THEN 'n' ELSE 'z' END, CASE s WHEN 1 "
         "THEN 'x' END"},
        {"select cast(a as DECIMAL(10, 2)), b::bigint, cast(c as double precision)",
         "SELECT CAST(a AS decimal(10,2)), CAST(b AS bigint), CAST(c AS double precision)"},
        {"select extract(year from ts), date_trunc('month', ts), ts + interval '1 day', "
         "d - interval 3 day",
         "SELECT EXTRACT(year FROM ts), date_trunc('month', ts), (ts + INTERVAL '1 day'), (d - "
         "INTERVAL '3' day)"},
        {"select date '2024-01-01', timestamp '2024-01-01 10:00:00', true, false, null, "
         "'it''s'",
         "SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 10:00:00', TRUE, FALSE, NULL, 'it''s'"},
        {"select \"Order Id\", \"select\", \"a\"\"b\" from \"My Table\"",
         "SELECT \"Order Id\", \"select\", \"a\"\"b\" FROM \"My Table\""},
        {"select row_number() over (partition by u order by ts desc nulls last), rank() over "
         "(order by x), lag(x, 1) over (partition by a, b)",
         "SELECT row_number() OVER (PARTITION BY u ORDER BY ts DESC NULLS LAST), rank() OVER "
         "(ORDER BY x ASC), lag(x, 1) OVER (PARTITION BY a, b)"},
        {"select * from a join b on a.id = b.id left outer join c using (id) cross join d",
         "SELECT * FROM (((a JOIN b ON (a.id = b.id)) LEFT JOIN c USING (id)) CROSS JOIN d)"},
        {"select * from a inner join b on true right join c on 1 = 1 full join d on x",
         "SELECT * FROM (((a JOIN b ON TRUE) RIGHT JOIN c ON (1 = 1)) FULL JOIN d ON x)"},
        {"select * from a, (select 1 as x) s, read_parquet('f.parquet') p, 'lake/silver/o' q",
         "SELECT * FROM a, (SELECT 1 AS x) AS s, read_parquet('f.parquet') AS p, "
         "'lake/silver/o' AS q"},
        {"select * from t version as of 3, u timestamp as of '2024-01-01' x",
         "SELECT * FROM t VERSION AS OF 3, u TIMESTAMP AS OF '2024-01-01' AS x"},
        {"select country, sum(amount) from t group by country having sum(amount) > 100 order by 2 "
         "desc, country limit 10 offset 5",
         "SELECT country, sum(amount) FROM t GROUP BY country HAVING (sum(amount) > 100) ORDER "
         "BY 2 DESC, country ASC LIMIT 10 OFFSET 5"},
        {"with a as (select 1 x), b as (select x from a) select * from b",
         "WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b"},
        {"select 1 union select 2 union all select 3 intersect select 4 except select 5",
         "SELECT 1 UNION SELECT 2 UNION ALL (SELECT 3 INTERSECT SELECT 4) EXCEPT SELECT 5"},
        {"(select 1) union (select 2 order by 1) order by 1",
         "(SELECT 1) UNION (SELECT 2 ORDER BY 1 ASC) ORDER BY 1 ASC"},
        {"select distinct t.*, exists (select 1), not exists (select 2), (select max(x) from t)",
         "SELECT DISTINCT t.*, EXISTS (SELECT 1), (NOT EXISTS (SELECT 2)), (SELECT max(x) FROM t)"},
        {"explain select left(s, 2), right(s, 1), version, date, first from t;",
         "EXPLAIN SELECT left(s, 2), right(s, 1), version, date, first FROM t"},
        {"select silver.orders.amount, \"x\".y from silver.orders",
         "SELECT silver.orders.amount, x.y FROM silver.orders"},
        {"select a from t -- trailing comment\n", "SELECT a FROM t"},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(cases); i++) {
        char *got = canon(cases[i].in);
        if (strcmp(got, cases[i].out))
            fail_msg("'%s'\n got: %s\nwant: %s", cases[i].in, got, cases[i].out);
        /* The canonical text parses to the same canonical text. */
        char *again = canon(got);
        if (strcmp(got, again))
            fail_msg("not a fixed point:\n%s\n%s", got, again);
        tarn_free(again);
        tarn_free(got);
    }
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *msg;
    } bad[] = {
        {"", "line 1, column 1: expected SELECT or WITH but found the end of the query"},
        {"selec 1", "line 1, column 1: expected SELECT or WITH but found 'selec'"},
        {"select", "line 1, column 7: expected an expression but found the end of the query"},
        {"select a from", "line 1, column 14: expected a table name but found the end of the "
                          "query"},
        {"select a from t where", "line 1, column 22: expected an expression but found the end "
                                  "of the query"},
        {"select (1 + 2", "line 1, column 14: expected ')' but found the end of the query"},
        {"select a\nfrom t\nwhere x = = 1",
         "line 3, column 11: expected an expression but found '='"},
        {"select * from a join b", "line 1, column 23: expected ON or USING after the joined "
                                   "table but found the end of the query"},
        {"select a from t limit", "line 1, column 22: expected an expression but found the end "
                                  "of the query"},
        {"select case end", "line 1, column 13: expected an expression but found 'end'"},
        {"select case when 1 then 2", "line 1, column 26: expected END but found the end of the "
                                      "query"},
        {"select cast(a as)", "line 1, column 17: expected a type name but found ')'"},
        {"select a from t x y", "line 1, column 19: expected the end of the statement but found "
                                "'y'"},
        {"select a order by", "line 1, column 18: expected an expression but found the end of "
                              "the query"},
        {"select a nulls", "line 1, column 10: expected the end of the statement but found "
                           "'nulls'"},
        {"select sum(x) over (rows between 1 preceding and current row)",
         "line 1, column 21: window frames (ROWS/RANGE) are not supported yet; expected ')' but "
         "found 'rows'"},
        {"select 'open", "line 1, column 8: unterminated string"},
        {"select 1; select 2", "line 1, column 11: expected the end of the statement but found "
                               "'select'"},
        {"with x as select 1 select 2", "line 1, column 11: expected '(' but found 'select'"},
        {"select a from t order by a nulls middle",
         "line 1, column 34: expected FIRST or LAST after NULLS but found 'middle'"},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(bad); i++) {
        tarn_arena *a = tarn_arena_create(0);
        tarn_sql_stmt *s;
        tarn_err err;
        assert_int_equal(tarn_sql_parse(bad[i].sql, a, &s, &err), TARN_ERR_INVALID);
        if (strcmp(err.msg, bad[i].msg))
            fail_msg("'%s':\n got: %s\nwant: %s", bad[i].sql, err.msg, bad[i].msg);
        assert_true(err.line >= 1 && err.col >= 1);
        tarn_arena_destroy(a);
    }
}

static void test_nesting(void **state)
{
    (void)state;
    /* Deep nesting is refused, not a stack overflow. */
    size_t n = 100000;
    char *sql = tarn_alloc(n * 2 + 16);
    memcpy(sql, "select ", 8);
    size_t k = strlen(sql);
    for (size_t i = 0; i < n; i++)
        sql[k++] = '(';
    sql[k++] = '1';
    for (size_t i = 0; i < n; i++)
        sql[k++] = ')';
    sql[k] = '\0';
    tarn_arena *a = tarn_arena_create(0);
    tarn_sql_stmt *s;
    tarn_err err;
    assert_int_equal(tarn_sql_parse(sql, a, &s, &err), TARN_ERR_INVALID);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    /* Long flat lists are fine. */
    k = 0;
    k += (size_t)snprintf(sql, 16, "select 1");
    for (size_t i = 0; i < 20000; i++)
        k += (size_t)snprintf(sql + k, 16, "+%zu", i % 10);
    assert_int_equal(tarn_sql_parse(sql, a, &s, &err), TARN_OK);
    tarn_arena_destroy(a);
    tarn_free(sql);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_nesting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
