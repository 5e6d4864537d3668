/*
 * exec/func.h - the scalar SQL functions: name lookup, typing (the binder
 * inserts the casts an argument needs) and vectorized evaluation.
 *
 * Semantics follow DuckDB, which the SQL correctness suite compares with:
 * string positions count characters (UTF-8 code points), round() rounds half
 * away from zero, date_trunc gives a timestamp (also for a date),
 * extract(second ...) is the whole seconds, lower/upper map ASCII,
 * Latin-1, Latin Extended-A, Greek and Cyrillic letters.
 */
#ifndef TARN_EXEC_FUNC_H
#define TARN_EXEC_FUNC_H

#include "exec/expr.h"

/* Function id for a SQL name (case-insensitive, with aliases), or -1. */
int tarn_xfunc_lookup(const char *name);
/* Canonical name of a function id (for messages). */
const char *tarn_xfunc_name(tarn_xfn fn);
/* Result type of fn over arguments of engine types arg[0..n) (TARN_TYPE_NULL
 * for an untyped NULL), and in want[0..n) the type each argument must be
 * cast to. const_args[i] is the value of argument i when it is a constant,
 * else NULL. Wrong arity or types: TARN_ERR_INVALID "round() takes 1 or 2
 * arguments". */
TARN_MUST_CHECK tarn_status tarn_xfunc_bind(tarn_xfn fn, const tarn_type *arg,
                                            const tarn_scalar *const *const_args, int n,
                                            tarn_type *out_type, tarn_type *want, tarn_err *err);
/* Evaluates e (a FUNC node) over n rows of args (already of the wanted
 * types; a constant argument has one value) into a new vector of e->type. */
TARN_MUST_CHECK tarn_status tarn_xfunc_eval(const tarn_xexpr *e, const tarn_xval *args, int64_t n,
                                            tarn_vec **out, tarn_err *err);

#endif
