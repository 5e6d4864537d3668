/*
 * tests/sql/test_lex.c - the SQL tokenizer: token kinds, keywords in any
 * case, numbers, strings and quoted names with doubled quotes, comments,
 * positions (line, UTF-8 column), error messages with their place, and the
 * caret line under an error.
 */
#include "tarn_test.h"

#include "sql/lex.h"

static tarn_sql_token *lex_ok(tarn_arena *a, const char *sql, int *n)
{
    tarn_sql_token *t;
    tarn_err err;
    if (tarn_sql_lex(sql, a, &t, n, &err) != TARN_OK)
        fail_msg("lex '%s': %s", sql, err.msg);
    return t;
}

static void test_tokens(void **state)
{
    (void)state;
    tarn_arena *a = tarn_arena_create(0);
    int n;
    tarn_sql_token *t = lex_ok(a,
                               "select o.\"Order Id\", sum(amount)*1.5e2 AS s -- note\n"
                               "FROM silver.orders o /* block\ncomment */ WHERE name <> 'it''s' "
                               "AND x>=.5 OR y::int != 3;",
                               &n);
    static const struct {
        tarn_sql_tok_kind kind;
        tarn_sql_keyword kw;
        const char *value;
    } want[] = {
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_SELECT, "select"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "o"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "."},
        {TARN_SQL_TOK_QIDENT, TARN_SQL_KW_NONE, "Order Id"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, ","},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "sum"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "("},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "amount"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, ")"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "*"},
        {TARN_SQL_TOK_NUMBER, TARN_SQL_KW_NONE, "1.5e2"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_AS, "AS"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "s"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_FROM, "FROM"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "silver"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "."},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "orders"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "o"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_WHERE, "WHERE"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "name"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "<>"},
        {TARN_SQL_TOK_STRING, TARN_SQL_KW_NONE, "it's"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_AND, "AND"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "x"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, ">="},
        {TARN_SQL_TOK_NUMBER, TARN_SQL_KW_NONE, ".5"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_OR, "OR"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "y"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "::"},
        {TARN_SQL_TOK_IDENT, TARN_SQL_KW_NONE, "int"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, "!="},
        {TARN_SQL_TOK_INT, TARN_SQL_KW_NONE, "3"},
        {TARN_SQL_TOK_OP, TARN_SQL_KW_NONE, ";"},
        {TARN_SQL_TOK_END, TARN_SQL_KW_NONE, ""},
    };
    assert_int_equal(n, (int)TARN_ARRAY_LEN(want));
    for (int i = 0; i < n; i++) {
        if (t[i].kind != want[i].kind || t[i].keyword != want[i].kw ||
            strcmp(t[i].value, want[i].value))
            fail_msg("token %d: got kind %d kw %d '%s', want kind %d kw %d '%s'", i, t[i].kind,
                     t[i].keyword, t[i].value, want[i].kind, want[i].kw, want[i].value);
    }
    /* Positions: "FROM" opens line 2; "name" is on line 3. */
    assert_int_equal(t[13].line, 2);
    assert_int_equal(t[13].col, 1);
    assert_int_equal(t[19].line, 3);
    assert_int_equal(t[19].col, 18);
    tarn_arena_destroy(a);
}

static void test_keywords(void **state)
{
    (void)state;
    tarn_arena *a = tarn_arena_create(0);
    /* Every keyword is found by its name in any case (the table is sorted). */
    for (int k = 1; k < TARN_SQL_KW_COUNT; k++) {
        const char *name = tarn_sql_keyword_name((tarn_sql_keyword)k);
        char lower[32];
        size_t i = 0;
        for (; name[i] && i < sizeof lower - 1; i++)
            lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
        lower[i] = '\0';
        int n;
        tarn_sql_token *t = lex_ok(a, lower, &n);
        assert_int_equal(n, 2);
        if ((int)t[0].keyword != k)
            fail_msg("keyword '%s' not found", name);
    }
    int n;
    tarn_sql_token *t = lex_ok(a, "selects \"select\" _x1 é", &n);
    assert_int_equal(t[0].keyword, TARN_SQL_KW_NONE);
    assert_int_equal(t[1].kind, TARN_SQL_TOK_QIDENT);
    assert_int_equal(t[1].keyword, TARN_SQL_KW_NONE);
    assert_string_equal(t[2].value, "_x1");
    assert_string_equal(t[3].value, "é");
    assert_int_equal(t[3].col, 22);
    tarn_arena_destroy(a);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *msg;
        int line, col;
    } bad[] = {
        {"select 'open", "line 1, column 8: unterminated string", 1, 8},
        {"select \"x", "line 1, column 8: unterminated quoted name", 1, 8},
        {"select 1\n/* no end", "line 2, column 1: unterminated comment", 2, 1},
        {"select a # b", "line 1, column 10: unexpected character '#'", 1, 10},
        {"select 12ab", "line 1, column 8: malformed number '12a'", 1, 8},
        {"select \"\"", "line 1, column 8: empty quoted name", 1, 8},
        {"é\x01", "line 1, column 2: unexpected byte 0x01", 1, 2},
    };
    for (size_t i = 0; i < TARN_ARRAY_LEN(bad); i++) {
        tarn_arena *a = tarn_arena_create(0);
        tarn_sql_token *t;
        int n;
        tarn_err err;
        assert_int_equal(tarn_sql_lex(bad[i].sql, a, &t, &n, &err), TARN_ERR_INVALID);
        if (strcmp(err.msg, bad[i].msg))
            fail_msg("'%s': got '%s', want '%s'", bad[i].sql, err.msg, bad[i].msg);
        assert_int_equal(err.line, bad[i].line);
        assert_int_equal(err.col, bad[i].col);
        tarn_arena_destroy(a);
    }
}

static void test_caret(void **state)
{
    (void)state;
    char out[256];
    const char *sql = "SELECT amout\nFROM silver.orders";
    tarn_sql_caret(sql, 7, out, sizeof out);
    assert_string_equal(out, "  SELECT amout\n         ^\n");
    tarn_sql_caret(sql, 18, out, sizeof out);
    assert_string_equal(out, "  FROM silver.orders\n       ^\n");
    char long_sql[300];
    memset(long_sql, 'x', 200);
    long_sql[200] = '\0';
    tarn_sql_caret(long_sql, 150, out, sizeof out);
    assert_non_null(strstr(out, "  ...x"));
    assert_non_null(strstr(out, "x...\n"));
    assert_non_null(strstr(out, "\n  "
                                "                                                             "
                                "  ^\n"));
    tarn_err err;
    assert_int_equal(tarn_sql_error(&err, TARN_OK, sql, 7, "unknown column '%s'", "amout"),
                     TARN_ERR_INVALID);
    assert_string_equal(err.msg, "line 1, column 8: unknown column 'amout'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_caret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
