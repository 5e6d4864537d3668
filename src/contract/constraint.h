/*
 * contract/constraint.h - row-level constraints of a contract column:
 * parsing "min_value(0)"-style text against the column's type, vectorised
 * evaluation over a column vector, and the readable reason for a failure.
 *
 * The same code judges rows everywhere (contract test, Silver quarantine),
 * so a row is valid or invalid for one reason only. NULL satisfies every
 * constraint except not_null. `unique` spans rows, so it is counted by the
 * caller across the table (contract/metrics.c); per row it always holds.
 */
#ifndef TARN_CONTRACT_CONSTRAINT_H
#define TARN_CONTRACT_CONSTRAINT_H

#include "contract/contract.h"

/* Parses one constraint written for column (its type types the arguments:
 * min_value(10.5) on decimal(10,2) is a decimal bound). Errors name the
 * problem ("min_value expects one argument", "'abc' is not decimal(10,2)",
 * "regex: unbalanced parenthesis"); the caller adds file:line:col. Strings
 * live in arena a. */
TARN_MUST_CHECK tarn_status tarn_ct_constraint_parse(tarn_arena *a, const char *text,
                                                     const tarn_field *column,
                                                     tarn_ct_constraint *out, tarn_err *err);

/* out_ok[i] = 1 when row i of v (i < n) satisfies c, else 0. v has the
 * column's type. */
TARN_MUST_CHECK tarn_status tarn_ct_constraint_eval(const tarn_ct_constraint *c, const tarn_vec *v,
                                                    int64_t n, uint8_t *out_ok, tarn_err *err);

/* Appends the reason row `row` of v fails c, e.g.
 * "amount: -5.00 violates min_value(0)" or "user_id: null violates not_null". */
TARN_MUST_CHECK tarn_status tarn_ct_constraint_reason(const tarn_ct_constraint *c,
                                                      const char *column, const tarn_vec *v,
                                                      int64_t row, tarn_buf *out);

/* Releases what parsing allocated outside the arena (compiled regex). */
void tarn_ct_constraint_fini(tarn_ct_constraint *c);

#endif
