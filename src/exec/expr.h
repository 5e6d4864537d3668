/*
 * exec/expr.h - bound scalar expressions evaluated a vector at a time: the
 * SELECT list, WHERE, join conditions, group keys and aggregate arguments of
 * the SQL engine (sql/query.c binds the syntax tree into these).
 *
 * Binding has already decided every node's type and inserted the casts an
 * operator needs, so the evaluator runs one typed loop per node and batch:
 * operands of arithmetic and comparisons have one physical type, no value is
 * dispatched through a function pointer. Engine types are few: BOOL, INT64,
 * FLOAT64, DECIMAL(38,s) (always 128-bit), STRING/BINARY, DATE, TIMESTAMP
 * (and TIMESTAMP_NTZ); scans widen narrower columns to them.
 *
 * SQL semantics: NULL propagates through arithmetic and comparisons, AND/OR
 * use three-valued logic, an integer or decimal result that does not fit is
 * an error naming the operation, never a wrapped value. `/` is a double
 * division (also int / int), so x / 0 is +-Infinity or NaN; x % 0 is NULL
 * (as DuckDB).
 */
#ifndef TARN_EXEC_EXPR_H
#define TARN_EXEC_EXPR_H

#include "column/scalar.h"

typedef enum tarn_xop {
    TARN_X_COL,   /* column col of the input batch */
    TARN_X_CONST, /* k */
    TARN_X_ADD,
    TARN_X_SUB,
    TARN_X_MUL,
    TARN_X_DIV,
    TARN_X_MOD,
    TARN_X_NEG,
    TARN_X_EQ,
    TARN_X_NE,
    TARN_X_LT,
    TARN_X_LE,
    TARN_X_GT,
    TARN_X_GE,
    TARN_X_AND,
    TARN_X_OR,
    TARN_X_NOT,
    TARN_X_IS_NULL,      /* negated: IS NOT NULL */
    TARN_X_IN,           /* args[0] [NOT] IN (args[1..]: constants) */
    TARN_X_LIKE,         /* args[0] [NOT] LIKE|ILIKE args[1] (a constant) */
    TARN_X_CASE,         /* args: when, then, when, then, ..., [else] */
    TARN_X_CAST,         /* args[0] to type */
    TARN_X_FUNC,         /* fn(args) */
    TARN_X_ADD_INTERVAL, /* args[0] (date/timestamp) + months, days, micros */
    TARN_X_SLOT,         /* value filled by the engine (a subquery's result) */
    TARN_X_IN_SET        /* args[0] [NOT] IN (env->sets[col]: a subquery's column) */
} tarn_xop;

/* Scalar functions (the names they have in SQL are in sql/query.c). */
typedef enum tarn_xfn {
    TARN_FN_LOWER,
    TARN_FN_UPPER,
    TARN_FN_LENGTH,
    TARN_FN_SUBSTR,
    TARN_FN_TRIM,
    TARN_FN_LTRIM,
    TARN_FN_RTRIM,
    TARN_FN_CONCAT, /* NULL arguments count as empty strings */
    TARN_FN_STRCAT, /* || : NULL if any argument is NULL */
    TARN_FN_REPLACE,
    TARN_FN_STARTS_WITH,
    TARN_FN_ENDS_WITH,
    TARN_FN_CONTAINS,
    TARN_FN_LEFT,
    TARN_FN_RIGHT,
    TARN_FN_REVERSE,
    TARN_FN_ABS,
    TARN_FN_ROUND,
    TARN_FN_FLOOR,
    TARN_FN_CEIL,
    TARN_FN_SQRT,
    TARN_FN_POWER,
    TARN_FN_EXP,
    TARN_FN_LN,
    TARN_FN_LOG10,
    TARN_FN_SIGN,
    TARN_FN_COALESCE,
    TARN_FN_NULLIF,
    TARN_FN_GREATEST,
    TARN_FN_LEAST,
    TARN_FN_DATE_TRUNC, /* args[0] unit text constant, args[1] date/timestamp */
    TARN_FN_EXTRACT,    /* args[0] field text constant, args[1] date/timestamp */
    TARN_FN_DATE_DIFF,  /* date - date: days (int64) */
    TARN_FN_COUNT_
} tarn_xfn;

typedef struct tarn_xexpr tarn_xexpr;
struct tarn_xexpr {
    tarn_xop op;
    tarn_type type; /* result type */
    int col;        /* COL: input column; SLOT: slot number */
    tarn_scalar k;  /* CONST (payload bytes owned by the binder's arena) */
    tarn_xfn fn;    /* FUNC */
    bool negated;   /* IS NOT NULL, NOT IN, NOT LIKE */
    bool ilike;     /* LIKE: case-insensitive */
    bool has_else;  /* CASE: the last arg is the ELSE value */
    bool exists;    /* IN_SET: EXISTS semantics (never NULL: a NULL value is no match) */
    int32_t months; /* ADD_INTERVAL */
    int32_t days;
    int64_t micros;
    int offset; /* where it was written in the query (errors) */
    int n_args;
    tarn_xexpr **args;
};

/* Result of evaluating over a batch: a vector of b->n_rows values, or a
 * constant (one value standing for every row). */
typedef struct tarn_xval {
    tarn_vec *v;
    bool is_const; /* v->len == 1, the same for every row */
    bool owned;    /* free v with tarn_xval_release */
} tarn_xval;

/* Engine-wide state an evaluation may read: subquery results (SLOT). */
typedef struct tarn_xenv {
    const tarn_scalar *slots;
    int n_slots;
    tarn_vec *const *sets; /* IN_SET: distinct values of a subquery's column */
    int n_sets;
} tarn_xenv;

TARN_MUST_CHECK tarn_status tarn_xeval(const tarn_xexpr *e, const tarn_batch *b,
                                       const tarn_xenv *env, tarn_xval *out, tarn_err *err);
/* Evaluates into a full vector of b->n_rows values (constants broadcast);
 * the vector is new and owned by the caller. */
TARN_MUST_CHECK tarn_status tarn_xeval_vec(const tarn_xexpr *e, const tarn_batch *b,
                                           const tarn_xenv *env, tarn_vec **out, tarn_err *err);
/* Evaluates a BOOL expression and writes the rows where it is TRUE into
 * sel (b->n_rows entries); *n_sel gets their count. */
TARN_MUST_CHECK tarn_status tarn_xeval_select(const tarn_xexpr *e, const tarn_batch *b,
                                              const tarn_xenv *env, int64_t *sel, int64_t *n_sel,
                                              tarn_err *err);
void tarn_xval_release(tarn_xval *x);

/* Engine type a column of type t is widened to (INT32 -> INT64, FLOAT32 ->
 * FLOAT64, DECIMAL(p,s) -> DECIMAL(38,s), ...). */
tarn_type tarn_x_engine_type(tarn_type t);
/* Appends rows [0, src->len) of src to dst, converting to dst's engine type
 * (src of a type whose engine type is dst's). */
TARN_MUST_CHECK tarn_status tarn_x_widen_append(tarn_vec *dst, const tarn_vec *src, tarn_err *err);
/* x, a decimal of scale `from`, at scale `to`: exact when to >= from (false
 * when it no longer fits 38 digits), else rounded: mode 0 half away from
 * zero, -1 toward minus infinity, 1 toward plus infinity. */
bool tarn_x_dec_rescale(tarn_i128 x, int from, int to, int mode, tarn_i128 *out);

/* Casts vector src to type t into a new vector; errors name the value. DOUBLE
 * and DECIMAL to integer round half away from zero. */
TARN_MUST_CHECK tarn_status tarn_x_cast(const tarn_vec *src, tarn_type t, tarn_vec **out,
                                        tarn_err *err);

#endif
