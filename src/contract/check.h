/*
 * contract/check.h - the quality-check expression language of contracts:
 * metric, comparison, threshold.
 *
 *   row_count > 0
 *   null_percentage(user_id) < 0.01
 *   duplicate_count(shop, order_id) = 0
 *   avg(amount) between 10 and 500
 *   max(order_date) <= '2030-01-01'
 *   freshness(updated_at) < 4h
 *   change(row_count) < 20%
 *   anomaly(null_count(email), 20)
 *
 * The parser only checks syntax; column names are resolved when a check
 * runs (contract/metrics.c), against the table. The README documents the
 * language ("Quality checks").
 */
#ifndef TARN_CONTRACT_CHECK_H
#define TARN_CONTRACT_CHECK_H

#include "base/arena.h"
#include "base/status.h"

typedef enum tarn_ck_metric_kind {
    TARN_CK_ROW_COUNT,
    TARN_CK_NULL_COUNT,
    TARN_CK_NULL_PERCENTAGE,
    TARN_CK_DUPLICATE_COUNT,
    TARN_CK_DISTINCT_COUNT,
    TARN_CK_INVALID_COUNT,
    TARN_CK_MIN,
    TARN_CK_MAX,
    TARN_CK_AVG,
    TARN_CK_SUM,
    TARN_CK_FRESHNESS,
    TARN_CK_CHANGE, /* change(inner): percent change against the previous run */
    TARN_CK_ANOMALY /* anomaly(inner[, N]): outside mean ± 3 sd of the last N runs */
} tarn_ck_metric_kind;

typedef struct tarn_ck_metric {
    tarn_ck_metric_kind kind;
    int n_columns; /* arguments that are columns */
    const char **columns;
    struct tarn_ck_metric *inner; /* CHANGE / ANOMALY */
    int window;                   /* ANOMALY: runs to look back (default 30) */
    const char *key;              /* canonical text, "null_count(user_id)": the history key */
} tarn_ck_metric;

typedef enum tarn_ck_op {
    TARN_CK_OP_NONE, /* anomaly() stands alone */
    TARN_CK_OP_LT,
    TARN_CK_OP_LE,
    TARN_CK_OP_GT,
    TARN_CK_OP_GE,
    TARN_CK_OP_EQ,
    TARN_CK_OP_NE,
    TARN_CK_OP_BETWEEN
} tarn_ck_op;

typedef enum tarn_ck_unit {
    TARN_CK_NUMBER,   /* 12, 0.5, 1e6 */
    TARN_CK_PERCENT,  /* 20% (same number as 20 where percentages are measured) */
    TARN_CK_DURATION, /* 4h: seconds */
    TARN_CK_LITERAL   /* '2024-01-01': compared in the column's type (min/max) */
} tarn_ck_unit;

typedef struct tarn_ck_threshold {
    tarn_ck_unit unit;
    double num;          /* NUMBER / PERCENT */
    int64_t seconds;     /* DURATION */
    const char *literal; /* LITERAL, unquoted */
    const char *text;    /* as written */
} tarn_ck_threshold;

typedef struct tarn_ck_expr {
    tarn_ck_metric metric;
    tarn_ck_op op;
    tarn_ck_threshold lo; /* the threshold (BETWEEN: lower bound) */
    tarn_ck_threshold hi; /* BETWEEN: upper bound */
} tarn_ck_expr;

/* Parses a check. On a syntax error: TARN_ERR_INVALID, a message naming the
 * token, and err->col = 1-based offset of the token in text (line 0). */
TARN_MUST_CHECK tarn_status tarn_ck_parse(tarn_arena *a, const char *text, tarn_ck_expr **out,
                                          tarn_err *err);

/* Columns the expression names (inner metrics included), up to cap into
 * out; returns how many there are. */
int tarn_ck_columns(const tarn_ck_expr *e, const char **out, int cap);

/* Symbol of an operator ("<=", "between"). */
const char *tarn_ck_op_name(tarn_ck_op op);

/* Compares value with the expression's numeric thresholds (NUMBER, PERCENT,
 * DURATION as seconds): true when the check holds. */
bool tarn_ck_compare(const tarn_ck_expr *e, double value);

#endif
