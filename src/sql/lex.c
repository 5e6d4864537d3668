/*
 * sql/lex.c - the SQL tokenizer (see lex.h).
 *
 * One pass over the text; no allocation per character (token values are
 * arena copies). Keywords are found by a binary search over the sorted
 * keyword table after upper-casing the word into a small buffer.
 */
#include "sql/lex.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kw_names[] = {"",
#define KW_NAME(k) #k,
                                       TARN_SQL_KEYWORDS(KW_NAME)
#undef KW_NAME
};

const char *tarn_sql_keyword_name(tarn_sql_keyword k)
{
    return (int)k >= 0 && k < TARN_SQL_KW_COUNT ? kw_names[k] : "";
}

bool tarn_sql_keyword_reserved(tarn_sql_keyword k)
{
    switch (k) {
    case TARN_SQL_KW_NONE:
    case TARN_SQL_KW_CURRENT:
    case TARN_SQL_KW_DATE:
    case TARN_SQL_KW_FIRST:
    case TARN_SQL_KW_FOLLOWING:
    case TARN_SQL_KW_LAST:
    case TARN_SQL_KW_OF:
    case TARN_SQL_KW_PRECEDING:
    case TARN_SQL_KW_RANGE:
    case TARN_SQL_KW_ROW:
    case TARN_SQL_KW_ROWS:
    case TARN_SQL_KW_TIMESTAMP:
    case TARN_SQL_KW_UNBOUNDED:
    case TARN_SQL_KW_VERSION:
        return false;
    default:
        return true;
    }
}

/* The table above is in alphabetical order (TARN_SQL_KEYWORDS lists it so). */
tarn_sql_keyword tarn_sql_keyword_lookup(const char *p, int n)
{
    char up[16];
    if (n <= 0 || n >= (int)sizeof up)
        return TARN_SQL_KW_NONE;
    for (int i = 0; i < n; i++)
        up[i] = (char)(p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i]);
    up[n] = '\0';
    int lo = 1, hi = TARN_SQL_KW_COUNT - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2, c = strcmp(up, kw_names[mid]);
        if (c == 0)
            return (tarn_sql_keyword)mid;
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return TARN_SQL_KW_NONE;
}

void tarn_sql_position(const char *sql, int offset, int *out_line, int *out_col)
{
    int line = 1, col = 1;
    for (int i = 0; i < offset && sql[i]; i++) {
        if (sql[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)sql[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    *out_line = line;
    *out_col = col;
}

tarn_status tarn_sql_error(tarn_err *err, tarn_status code, const char *sql, int offset,
                           const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line, col;
    tarn_sql_position(sql, offset, &line, &col);
    if (code == TARN_OK)
        code = TARN_ERR_INVALID;
    tarn_err_set(err, code, "line %d, column %d: %s", line, col, msg);
    if (err) {
        err->line = line;
        err->col = col;
        err->offset = offset;
    }
    return code;
}

void tarn_sql_caret(const char *sql, int offset, char *out, size_t cap)
{
    if (cap == 0)
        return;
    int start = offset;
    while (start > 0 && sql[start - 1] != '\n')
        start--;
    int end = offset;
    while (sql[end] && sql[end] != '\n')
        end++;
    /* At most 70 bytes before the caret and 40 after, on char boundaries. */
    int from = start, to = end;
    if (offset - from > 70) {
        from = offset - 60;
        while (from < offset && ((unsigned char)sql[from] & 0xC0) == 0x80)
            from++;
    }
    if (to - offset > 40) {
        to = offset + 40;
        while (to > offset && ((unsigned char)sql[to] & 0xC0) == 0x80)
            to--;
    }
    int width = 0;
    for (int i = from; i < offset; i++)
        width += ((unsigned char)sql[i] & 0xC0) != 0x80;
    int n = snprintf(out, cap, "  %s%.*s%s\n  %*s^\n", from > start ? "..." : "", to - from,
                     sql + from, to < end ? "..." : "", width + (from > start ? 3 : 0), "");
    if (n < 0)
        out[0] = '\0';
    /* Tabs in the line would move the caret: show them as spaces. */
    for (char *p = out; *p; p++)
        if (*p == '\t')
            *p = ' ';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

typedef struct lexer {
    const char *sql;
    tarn_arena *a;
    tarn_sql_token *v;
    int n, cap;
    tarn_err *err;
    int at, line, col; /* position cursor: line and column of byte `at` */
} lexer;

static tarn_status push(lexer *lx, tarn_sql_tok_kind kind, int start, int end, const char *value)
{
    if (lx->n == lx->cap) {
        int cap = lx->cap ? lx->cap * 2 : 64;
        tarn_sql_token *nv = tarn_arena_alloc(lx->a, (size_t)cap * sizeof *nv);
        if (!nv)
            return tarn_err_set(lx->err, TARN_ERR_NOMEM, "out of memory");
        if (lx->n)
            memcpy(nv, lx->v, (size_t)lx->n * sizeof *nv);
        lx->v = nv;
        lx->cap = cap;
    }
    tarn_sql_token *t = &lx->v[lx->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->text = lx->sql + start;
    t->len = end - start;
    t->offset = start;
    for (; lx->at < start; lx->at++) { /* tokens come in order: advance the cursor */
        if (lx->sql[lx->at] == '\n') {
            lx->line++;
            lx->col = 1;
        } else if (((unsigned char)lx->sql[lx->at] & 0xC0) != 0x80) {
            lx->col++;
        }
    }
    t->line = lx->line;
    t->col = lx->col;
    t->value = value ? value : tarn_arena_strndup(lx->a, lx->sql + start, (size_t)(end - start));
    if (!t->value)
        return tarn_err_set(lx->err, TARN_ERR_NOMEM, "out of memory");
    if (kind == TARN_SQL_TOK_IDENT)
        t->keyword = tarn_sql_keyword_lookup(t->text, t->len);
    return TARN_OK;
}

/* A quoted string or identifier starting at i (the quote q): its value with
 * doubled quotes made single; *end after the closing quote. */
static tarn_status quoted(lexer *lx, int i, char q, int *end, char **value)
{
    const char *s = lx->sql;
    int n = 0, j = i + 1;
    for (;; j++) {
        if (!s[j])
            return tarn_sql_error(lx->err, TARN_ERR_INVALID, s, i,
                                  q == '\'' ? "unterminated string" : "unterminated quoted name");
        if (s[j] == q) {
            if (s[j + 1] != q)
                break;
            j++;
        }
        n++;
    }
    char *v = tarn_arena_alloc(lx->a, (size_t)n + 1);
    if (!v)
        return tarn_err_set(lx->err, TARN_ERR_NOMEM, "out of memory");
    int k = 0;
    for (int p = i + 1; p < j; p++) {
        v[k++] = s[p];
        if (s[p] == q)
            p++;
    }
    v[k] = '\0';
    *end = j + 1;
    *value = v;
    return TARN_OK;
}

tarn_status tarn_sql_lex(const char *sql, tarn_arena *a, tarn_sql_token **out, int *n_out,
                         tarn_err *err)
{
    *out = NULL;
    *n_out = 0;
    lexer lx = {sql, a, NULL, 0, 0, err, 0, 1, 1};
    static const char *const ops2[] = {"<>", "!=", "<=", ">=", "||", "::", "=="};
    int i = 0;
    for (;;) {
        unsigned char c = (unsigned char)sql[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            i++;
            continue;
        }
        if (c == '-' && sql[i + 1] == '-') {
            while (sql[i] && sql[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && sql[i + 1] == '*') {
            const char *e = strstr(sql + i + 2, "*/");
            if (!e)
                return tarn_sql_error(err, TARN_ERR_INVALID, sql, i, "unterminated comment");
            i = (int)(e - sql) + 2;
            continue;
        }
        if (!c) {
            TARN_TRY(push(&lx, TARN_SQL_TOK_END, i, i, ""));
            break;
        }
        int start = i;
        if (is_ident_start(c)) {
            while (is_ident_char((unsigned char)sql[i]))
                i++;
            TARN_TRY(push(&lx, TARN_SQL_TOK_IDENT, start, i, NULL));
        } else if ((c >= '0' && c <= '9') || (c == '.' && sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
            bool real = false;
            while (sql[i] >= '0' && sql[i] <= '9')
                i++;
            if (sql[i] == '.') {
                real = true;
                i++;
                while (sql[i] >= '0' && sql[i] <= '9')
                    i++;
            }
            if (sql[i] == 'e' || sql[i] == 'E') {
                int j = i + 1;
                if (sql[j] == '+' || sql[j] == '-')
                    j++;
                if (sql[j] >= '0' && sql[j] <= '9') {
                    real = true;
                    i = j;
                    while (sql[i] >= '0' && sql[i] <= '9')
                        i++;
                }
            }
            if (is_ident_char((unsigned char)sql[i]))
                return tarn_sql_error(err, TARN_ERR_INVALID, sql, start, "malformed number '%.*s'",
                                      i - start + 1, sql + start);
            TARN_TRY(push(&lx, real ? TARN_SQL_TOK_NUMBER : TARN_SQL_TOK_INT, start, i, NULL));
        } else if (c == '\'' || c == '"') {
            char *v = NULL;
            TARN_TRY(quoted(&lx, i, (char)c, &i, &v));
            if (c == '"' && !v[0])
                return tarn_sql_error(err, TARN_ERR_INVALID, sql, start, "empty quoted name");
            TARN_TRY(push(&lx, c == '\'' ? TARN_SQL_TOK_STRING : TARN_SQL_TOK_QIDENT, start, i, v));
        } else {
            int len = 0;
            for (size_t k = 0; k < sizeof ops2 / sizeof ops2[0] && !len; k++)
                if (sql[i] == ops2[k][0] && sql[i + 1] == ops2[k][1])
                    len = 2;
            if (!len && strchr("()[],.;*+-/%=<>", c))
                len = 1;
            if (!len) {
                if (c >= 0x20 && c < 0x7f)
                    return tarn_sql_error(err, TARN_ERR_INVALID, sql, i,
                                          "unexpected character '%c'", c);
                return tarn_sql_error(err, TARN_ERR_INVALID, sql, i, "unexpected byte 0x%02x", c);
            }
            i += len;
            TARN_TRY(push(&lx, TARN_SQL_TOK_OP, start, i, NULL));
        }
    }
    *out = lx.v;
    *n_out = lx.n;
    return TARN_OK;
}
