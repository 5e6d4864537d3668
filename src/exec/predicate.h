/*
 * exec/predicate.h - row predicates over column batches: the `--where`
 * filter of `tarn cat` and `tarn table delete`.
 *
 * Grammar (keywords case-insensitive):
 *   expr  := term (OR term)*            term := factor (AND factor)*
 *   factor:= NOT factor | '(' expr ')' | col op lit | lit op col
 *          | col IS [NOT] NULL | col [NOT] IN (lit, ...) | col [NOT] BETWEEN lit AND lit
 *   op    := = | == | != | <> | < | <= | > | >=
 *   lit   := number | 'text' ('' escapes a quote) | TRUE | FALSE | NULL
 * Column names are bare identifiers or "double quoted". Literals are parsed
 * into the column's type when the predicate is bound to a schema, so
 * `amount > 10.5` compares decimals exactly and `ts < '2024-01-01'` compares
 * timestamps. SQL three-valued logic: a row matches only when the predicate
 * is TRUE (NULL never matches). Evaluation is vectorised: one typed loop per
 * comparison, no per-value dispatch.
 */
#ifndef TARN_EXEC_PREDICATE_H
#define TARN_EXEC_PREDICATE_H

#include "column/scalar.h"
#include "column/vec.h"

typedef struct tarn_pred tarn_pred;

/* Parses text and binds column names and literal types against schema.
 * Errors name the position: "--where: column 12: unknown column 'amout'". */
TARN_MUST_CHECK tarn_status tarn_pred_parse(const char *text, const tarn_schema *schema,
                                            tarn_pred **out, tarn_err *err);
void tarn_pred_destroy(tarn_pred *p);
/* The text the predicate was parsed from. */
const char *tarn_pred_text(const tarn_pred *p);
/* Whether the predicate references column index col of its schema. */
bool tarn_pred_uses_column(const tarn_pred *p, int col);

/* Evaluates on a batch with the bound schema's columns: out[i] = 1 when row
 * i matches, else 0. */
TARN_MUST_CHECK tarn_status tarn_pred_eval(const tarn_pred *p, const tarn_batch *b, uint8_t *out,
                                           tarn_err *err);

/* Column facts for skipping a whole file or row group. */
typedef struct tarn_pred_colstats {
    bool known;         /* false: nothing known about this column */
    bool has_min_max;   /* min/max valid */
    tarn_scalar min;    /* smallest non-null value */
    tarn_scalar max;    /* largest non-null value */
    int64_t null_count; /* -1 unknown */
    int64_t num_rows;   /* -1 unknown */
} tarn_pred_colstats;

/* Returns false only when the stats prove no row can match. stats has one
 * entry per column of the bound schema. */
bool tarn_pred_may_match(const tarn_pred *p, const tarn_pred_colstats *stats);

#endif
