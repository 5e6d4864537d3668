/*
 * sql/lex.h - the SQL tokenizer: query text -> tokens, each with its byte
 * offset, line and column, so that parse and bind errors can point at the
 * problem ("line 1, column 18: ...") and show a caret under it.
 *
 * Keywords are case-insensitive and reserved only where the grammar says so
 * (the token keeps both: kind IDENT with a keyword id). Strings ('it''s')
 * and quoted identifiers ("Order Id") are unescaped into the arena. The
 * tokens and their values live in the arena passed in.
 */
#ifndef TARN_SQL_LEX_H
#define TARN_SQL_LEX_H

#include "base/arena.h"
#include "base/status.h"

typedef enum tarn_sql_tok_kind {
    TARN_SQL_TOK_END = 0, /* end of the text (always the last token) */
    TARN_SQL_TOK_IDENT,   /* bare word; keyword != TARN_SQL_KW_NONE when it is one */
    TARN_SQL_TOK_QIDENT,  /* "quoted identifier" (value unescaped, case kept) */
    TARN_SQL_TOK_INT,     /* digits only */
    TARN_SQL_TOK_NUMBER,  /* digits with a point and/or exponent */
    TARN_SQL_TOK_STRING,  /* 'string' (value unescaped) */
    TARN_SQL_TOK_OP       /* punctuation or operator: text holds it */
} tarn_sql_tok_kind;

/* Keywords the grammar gives a meaning to, in alphabetical order (the
 * lookup is a binary search). */
// clang-format off
#define TARN_SQL_KEYWORDS(X)                                                                      \
    X(ALL) X(AND) X(AS) X(ASC) X(BETWEEN) X(BY) X(CASE) X(CAST) X(CROSS) X(CURRENT) X(DATE)      \
    X(DESC) X(DISTINCT) X(ELSE) X(END) X(EXCEPT) X(EXISTS) X(EXPLAIN) X(EXTRACT) X(FALSE)        \
    X(FIRST) X(FOLLOWING) X(FROM) X(FULL) X(GROUP) X(HAVING) X(ILIKE) X(IN) X(INNER)            \
    X(INTERSECT) X(INTERVAL) X(IS) X(JOIN) X(LAST) X(LEFT) X(LIKE) X(LIMIT) X(NOT) X(NULL)       \
    X(NULLS) X(OF) X(OFFSET) X(ON) X(OR) X(ORDER) X(OUTER) X(OVER) X(PARTITION) X(PRECEDING)     \
    X(RANGE) X(RIGHT) X(ROW) X(ROWS) X(SELECT) X(THEN) X(TIMESTAMP) X(TRUE) X(UNBOUNDED)         \
    X(UNION) X(USING) X(VERSION) X(WHEN) X(WHERE) X(WITH)
// clang-format on

typedef enum tarn_sql_keyword {
    TARN_SQL_KW_NONE = 0,
#define TARN_SQL_KW_ENUM(k) TARN_SQL_KW_##k,
    TARN_SQL_KEYWORDS(TARN_SQL_KW_ENUM)
#undef TARN_SQL_KW_ENUM
    TARN_SQL_KW_COUNT
} tarn_sql_keyword;

typedef struct tarn_sql_token {
    tarn_sql_tok_kind kind;
    tarn_sql_keyword keyword; /* IDENT: the keyword it spells, or NONE */
    const char *text;         /* the token's bytes in the query (not NUL-terminated) */
    int len;                  /* bytes of text */
    const char *value;        /* STRING/QIDENT: unescaped value; IDENT/INT/NUMBER/OP: text
                                 as a NUL-terminated copy (arena) */
    int offset;               /* byte offset of text in the query */
    int line, col;            /* 1-based; col counts characters (UTF-8 aware) */
} tarn_sql_token;

/* Splits sql into tokens (*out, *n_out, the last one TARN_SQL_TOK_END).
 * Comments (-- to the end of the line, and block comments) and whitespace
 * separate tokens. Errors: TARN_ERR_INVALID with err->line/col set and a
 * message such as "unterminated string" or "unexpected character '#'". */
TARN_MUST_CHECK tarn_status tarn_sql_lex(const char *sql, tarn_arena *a, tarn_sql_token **out,
                                         int *n_out, tarn_err *err);

/* The keyword the word p[0..n) spells (any case), or TARN_SQL_KW_NONE. */
tarn_sql_keyword tarn_sql_keyword_lookup(const char *p, int n);

/* Whether a keyword cannot be a bare name (column, table, alias): SELECT,
 * FROM, JOIN... but not DATE, TIMESTAMP, VERSION, FIRST, LAST, ROW(S),
 * RANGE, OF, CURRENT, PRECEDING, FOLLOWING, UNBOUNDED. */
bool tarn_sql_keyword_reserved(tarn_sql_keyword k);

/* The keyword's name in upper case ("SELECT"), or "" for NONE. */
const char *tarn_sql_keyword_name(tarn_sql_keyword k);

/* Line and column (1-based, characters) of a byte offset of sql. */
void tarn_sql_position(const char *sql, int offset, int *out_line, int *out_col);

/* Sets err (TARN_ERR_INVALID unless code says otherwise) to "line L, column
 * C: <message>" for the byte offset of sql, with err->line/col and err->offset set. */
tarn_status tarn_sql_error(tarn_err *err, tarn_status code, const char *sql, int offset,
                           const char *fmt, ...) TARN_PRINTF(5, 6);

/* Writes the query line holding offset and a caret under its column into
 * out (two lines, each ending with '\n'; long lines are cut around the
 * caret), for showing under an error message. */
void tarn_sql_caret(const char *sql, int offset, char *out, size_t cap);

#endif
