/*
 * exec/hashagg.h - streaming hash aggregation: GROUP BY keys and aggregate
 * accumulators updated a batch at a time, one table per thread, merged at
 * the end.
 *
 * A batch is hashed a key column at a time (typed loops), each row finds
 * its group in an open-addressing table (hash + group id slots; keys kept
 * column-wise, compared only on a hash match), then every aggregate runs
 * one typed loop over the batch's group ids. Nothing is allocated per row;
 * only a new group appends its key values. Accumulators: count, sum of
 * int64 (overflow is an error) / decimal (128-bit) / double, avg, min and
 * max of fixed-width types. Other aggregates (DISTINCT, min/max of strings)
 * are not streamed: tarn_hagg_supports says which.
 */
#ifndef TARN_EXEC_HASHAGG_H
#define TARN_EXEC_HASHAGG_H

#include "exec/rel.h"

typedef struct tarn_hagg tarn_hagg;

typedef struct tarn_hagg_spec {
    int n_keys;
    const tarn_type *key_types; /* engine types of the keys */
    int n_aggs;
    const tarn_agg_kind *kinds;
    const tarn_type *arg_types; /* argument types (ignored for COUNT_STAR) */
    const tarn_type *out_types; /* tarn_agg_type of each */
} tarn_hagg_spec;

/* Whether an aggregate can be streamed. */
bool tarn_hagg_supports(tarn_agg_kind k, bool distinct, tarn_type arg);

tarn_hagg *tarn_hagg_create(const tarn_hagg_spec *spec);
void tarn_hagg_destroy(tarn_hagg *h);
/* Adds n rows: keys[k] and args[a] are vectors of n rows (args[a] NULL for
 * COUNT_STAR). */
TARN_MUST_CHECK tarn_status tarn_hagg_add(tarn_hagg *h, tarn_vec *const *keys,
                                          tarn_vec *const *args, int64_t n, tarn_err *err);
/* Folds src's groups into dst (same spec). */
TARN_MUST_CHECK tarn_status tarn_hagg_merge(tarn_hagg *dst, const tarn_hagg *src, tarn_err *err);
/* The result: n_keys key vectors then n_aggs aggregate vectors (new, owned
 * by the caller) of *n_groups rows each. With no keys there is always one
 * group (aggregates over no rows: count 0, others NULL). */
TARN_MUST_CHECK tarn_status tarn_hagg_finish(tarn_hagg *h, tarn_vec **out, int64_t *n_groups,
                                             tarn_err *err);

#endif
