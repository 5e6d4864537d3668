/*
 * sql/parse.h - the SQL parser: tokens (lex.h) -> a syntax tree of one
 * statement, every node with the byte offset it starts at, for the binder
 * and for errors that point at the problem.
 *
 * Grammar (keywords case-insensitive):
 *   stmt    := [EXPLAIN] query [;]
 *   query   := [WITH name AS (query) {, ...}] set [ORDER BY order {, order}]
 *              [LIMIT expr] [OFFSET expr]
 *   set     := select | (query) {UNION [ALL] | INTERSECT | EXCEPT} ...
 *   select  := SELECT [DISTINCT | ALL] item {, item} [FROM from {, from}]
 *              [WHERE expr] [GROUP BY expr {, expr}] [HAVING expr]
 *   from    := source {[INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER]] JOIN
 *              source (ON expr | USING (name, ...)) | CROSS JOIN source}
 *   source  := (name[.name...] | 'path') [VERSION AS OF expr | TIMESTAMP AS OF expr]
 *              [[AS] alias] | func(args) [[AS] alias] | (query) [[AS] alias] | (from)
 *   expr    := OR / AND / NOT / comparisons, IS [NOT] NULL, [NOT] IN, [NOT]
 *              BETWEEN, [NOT] LIKE | ILIKE / || / + - / * / % / unary - / ::type
 *              over literals, [q.]column, q.*, func([DISTINCT] args) [OVER (...)],
 *              CASE, CAST(e AS type), EXTRACT(field FROM e), EXISTS (query),
 *              (query), INTERVAL 'n' unit, DATE 'd', TIMESTAMP 't'
 * The tree lives in the arena given to tarn_sql_parse. Names keep the case
 * they were written in (quoted ones exactly); the binder decides matching.
 */
#ifndef TARN_SQL_PARSE_H
#define TARN_SQL_PARSE_H

#include "base/buf.h"
#include "sql/lex.h"

typedef struct tarn_sql_query tarn_sql_query;

typedef enum tarn_sql_expr_kind {
    TARN_SQL_E_COLUMN,   /* [qualifier.]name */
    TARN_SQL_E_STAR,     /* * or qualifier.* */
    TARN_SQL_E_LITERAL,  /* lit with text */
    TARN_SQL_E_UNARY,    /* op ("-", "+", "NOT") args[0] */
    TARN_SQL_E_BINARY,   /* args[0] op args[1]: + - * / % || = <> < <= > >= AND OR */
    TARN_SQL_E_IS_NULL,  /* args[0] IS [NOT] NULL */
    TARN_SQL_E_IN_LIST,  /* args[0] [NOT] IN (args[1..]) */
    TARN_SQL_E_IN_QUERY, /* args[0] [NOT] IN (query) */
    TARN_SQL_E_BETWEEN,  /* args[0] [NOT] BETWEEN args[1] AND args[2] */
    TARN_SQL_E_LIKE,     /* args[0] [NOT] LIKE|ILIKE args[1] */
    TARN_SQL_E_FUNC,     /* name([DISTINCT] args) [OVER (window)]; count(*): star */
    TARN_SQL_E_CASE,     /* CASE [args[0]] WHEN.. THEN.. [ELSE]: see tarn_sql_expr */
    TARN_SQL_E_CAST,     /* CAST(args[0] AS type_name) or args[0]::type_name */
    TARN_SQL_E_EXTRACT,  /* EXTRACT(name FROM args[0]) */
    TARN_SQL_E_EXISTS,   /* [NOT] EXISTS (query) */
    TARN_SQL_E_SUBQUERY, /* (query) as a value */
    TARN_SQL_E_INTERVAL  /* INTERVAL 'text' [unit] */
} tarn_sql_expr_kind;

typedef enum tarn_sql_lit {
    TARN_SQL_LIT_INT,    /* 42 */
    TARN_SQL_LIT_NUMBER, /* 1.5, 2e3 */
    TARN_SQL_LIT_STRING, /* 'text' */
    TARN_SQL_LIT_TRUE,
    TARN_SQL_LIT_FALSE,
    TARN_SQL_LIT_NULL,
    TARN_SQL_LIT_DATE,     /* DATE '2024-01-01' */
    TARN_SQL_LIT_TIMESTAMP /* TIMESTAMP '2024-01-01 10:00:00' */
} tarn_sql_lit;

typedef struct tarn_sql_expr tarn_sql_expr;

typedef struct tarn_sql_order {
    tarn_sql_expr *expr;
    bool desc;
    int nulls; /* 0: default, 1: NULLS FIRST, 2: NULLS LAST */
} tarn_sql_order;

typedef struct tarn_sql_window {
    tarn_sql_expr **partition;
    int n_partition;
    tarn_sql_order *order;
    int n_order;
} tarn_sql_window;

struct tarn_sql_expr {
    tarn_sql_expr_kind kind;
    int offset;            /* where it starts in the query */
    const char *name;      /* COLUMN/FUNC name, operator, EXTRACT field, INTERVAL unit */
    const char *qualifier; /* COLUMN/STAR: table or alias, or NULL */
    tarn_sql_lit lit;      /* LITERAL */
    const char *text;      /* LITERAL/INTERVAL: the value text (strings unescaped) */
    const char *type_name; /* CAST: the type as written ("decimal(10,2)") */
    bool negated;          /* NOT IN / NOT BETWEEN / NOT LIKE / IS NOT NULL / NOT EXISTS */
    bool ilike;            /* LIKE: case-insensitive */
    bool distinct;         /* FUNC: DISTINCT args */
    bool star;             /* FUNC: count(*) */
    tarn_sql_expr **args;  /* operands (see the kinds) */
    int n_args;
    tarn_sql_expr **whens, **thens; /* CASE: n_whens pairs; args[0] = operand or none */
    int n_whens;
    tarn_sql_expr *else_expr; /* CASE: ELSE, or NULL */
    tarn_sql_query *query;    /* IN_QUERY / EXISTS / SUBQUERY */
    tarn_sql_window *over;    /* FUNC: OVER (...), or NULL */
};

typedef enum tarn_sql_join {
    TARN_SQL_JOIN_NONE, /* a table, function or subquery */
    TARN_SQL_JOIN_INNER,
    TARN_SQL_JOIN_LEFT,
    TARN_SQL_JOIN_RIGHT,
    TARN_SQL_JOIN_FULL,
    TARN_SQL_JOIN_CROSS
} tarn_sql_join;

typedef struct tarn_sql_from tarn_sql_from;
struct tarn_sql_from {
    tarn_sql_join join; /* NONE: a source; else left JOIN right */
    int offset;
    const char **parts; /* table name parts (silver.orders: 2), or NULL */
    int n_parts;
    const char *path;        /* FROM 'lake/silver/orders': a table by its path, or NULL */
    tarn_sql_expr *func;     /* read_parquet('x') and other table functions, or NULL */
    tarn_sql_query *query;   /* (query) AS alias, or NULL */
    const char *alias;       /* or NULL */
    tarn_sql_expr *version;  /* VERSION AS OF, or NULL */
    tarn_sql_expr *as_of_ts; /* TIMESTAMP AS OF, or NULL */
    tarn_sql_from *left, *right;
    tarn_sql_expr *on;  /* ON condition, or NULL */
    const char **using; /* USING (names) */
    int n_using;
};

typedef struct tarn_sql_item {
    tarn_sql_expr *expr;
    const char *alias; /* or NULL */
} tarn_sql_item;

typedef struct tarn_sql_select {
    bool distinct;
    tarn_sql_item *items;
    int n_items;
    tarn_sql_from **from; /* comma-separated sources (cross joined) */
    int n_from;
    tarn_sql_expr *where;
    tarn_sql_expr **group_by;
    int n_group_by;
    tarn_sql_expr *having;
} tarn_sql_select;

typedef enum tarn_sql_setop {
    TARN_SQL_SET_NONE, /* a SELECT (or a parenthesised query) */
    TARN_SQL_SET_UNION,
    TARN_SQL_SET_UNION_ALL,
    TARN_SQL_SET_INTERSECT,
    TARN_SQL_SET_EXCEPT
} tarn_sql_setop;

typedef struct tarn_sql_set tarn_sql_set;
struct tarn_sql_set {
    tarn_sql_setop op;
    int offset;
    tarn_sql_select *select; /* NONE: this SELECT ... */
    tarn_sql_query *nested;  /* ... or a parenthesised query */
    tarn_sql_set *left, *right;
};

typedef struct tarn_sql_cte {
    const char *name;
    int offset;
    tarn_sql_query *query;
} tarn_sql_cte;

struct tarn_sql_query {
    int offset;
    tarn_sql_cte *ctes;
    int n_ctes;
    tarn_sql_set *body;
    tarn_sql_order *order;
    int n_order;
    tarn_sql_expr *limit, *offset_expr; /* or NULL */
};

typedef struct tarn_sql_stmt {
    bool explain;
    tarn_sql_query *query;
} tarn_sql_stmt;

/* Parses one statement of sql into *out (arena a). Errors are
 * TARN_ERR_INVALID "line L, column C: expected ... but found ..." with
 * err->line/col set. */
TARN_MUST_CHECK tarn_status tarn_sql_parse(const char *sql, tarn_arena *a, tarn_sql_stmt **out,
                                           tarn_err *err);

/* Appends the statement as canonical SQL (keywords upper case, every
 * operator parenthesised, identifiers quoted when they need it): parsing
 * the output gives the same tree. */
TARN_MUST_CHECK tarn_status tarn_sql_print(const tarn_sql_stmt *s, tarn_buf *out);
TARN_MUST_CHECK tarn_status tarn_sql_print_expr(const tarn_sql_expr *e, tarn_buf *out);

#endif
