/*
 * exec/rel.h - the relational operators of the SQL engine over whole
 * columns: grouping, aggregation, hash join, sort, gather, window functions.
 *
 * Inputs are vectors of n rows (the engine materialises each operator's
 * result column by column). Grouping and joins hash keys through
 * column/keyindex (partitioned, parallel on the pool, no per-row
 * allocation); aggregates are one typed loop per function over the group
 * ids; sorting is a stable merge sort (a heap for top-N).
 */
#ifndef TARN_EXEC_REL_H
#define TARN_EXEC_REL_H

#include "column/vec.h"

/* Orders row i of a and row j of b (same flat engine type, both non-null):
 * -1, 0 or 1; NaN above every other double, strings bytewise. */
int tarn_rel_cmp_rows(const tarn_vec *a, int64_t i, const tarn_vec *b, int64_t j);

/* Assigns each of the n rows of keys[0..nk) (flat engine types, nk <= 16) a
 * dense group id in order of first appearance: gid[i] in [0, *n_groups).
 * *first_row (tarn_alloc'd, n_groups entries) gets each group's first row.
 * nk == 0: one group holding every row (or none when n == 0). */
TARN_MUST_CHECK tarn_status tarn_rel_group(tarn_vec *const *keys, int nk, int64_t n, int64_t *gid,
                                           int64_t *n_groups, int64_t **first_row, tarn_err *err);

typedef enum tarn_agg_kind {
    TARN_AGG_COUNT_STAR,
    TARN_AGG_COUNT,
    TARN_AGG_SUM,
    TARN_AGG_AVG,
    TARN_AGG_MIN,
    TARN_AGG_MAX
} tarn_agg_kind;

/* Result type of an aggregate over an argument of engine type t: count ->
 * INT64, sum(int) -> INT64, sum(decimal) -> DECIMAL(38,s), avg -> FLOAT64,
 * min/max -> t. Error when the function does not apply to t. */
TARN_MUST_CHECK tarn_status tarn_agg_type(tarn_agg_kind k, tarn_type t, tarn_type *out,
                                          tarn_err *err);
/* Aggregates arg (n rows; NULL for COUNT_STAR) per group into a new vector
 * of n_groups values. distinct: only distinct non-null values per group
 * count. Integer sums that overflow are an error. */
TARN_MUST_CHECK tarn_status tarn_agg_compute(tarn_agg_kind k, bool distinct, const tarn_vec *arg,
                                             const int64_t *gid, int64_t n, int64_t n_groups,
                                             tarn_type out_type, tarn_vec **out, tarn_err *err);

/* Equi-join: every pair (l, r) with lkeys row l equal to rkeys row r on all
 * nk columns (same types pairwise; a NULL key never matches). Pairs come
 * grouped by l in ascending order. li and ri are tarn_alloc'd. */
TARN_MUST_CHECK tarn_status tarn_rel_join(tarn_vec *const *lkeys, tarn_vec *const *rkeys, int nk,
                                          int64_t nl, int64_t nr, int64_t **li, int64_t **ri,
                                          int64_t *n_pairs, tarn_err *err);

/* A built hash join side: the rows of some key vectors, looked up by key
 * (every row of a repeated key, in row order; NULL keys never match). The
 * key vectors must outlive it. Probing is read-only: threads may share it. */
typedef struct tarn_join_table tarn_join_table;

TARN_MUST_CHECK tarn_status tarn_join_table_build(tarn_vec *const *keys, int nk, int64_t n,
                                                  tarn_join_table **out, tarn_err *err);
/* Pairs (probe row, build row) for n probe rows whose keys are in keys (same
 * types as the build keys), ascending by probe row, into li and ri (grown as
 * needed; *cap their capacity). */
TARN_MUST_CHECK tarn_status tarn_join_table_probe(const tarn_join_table *t, tarn_vec *const *keys,
                                                  int64_t n, int64_t **li, int64_t **ri,
                                                  int64_t *cap, int64_t *n_pairs, tarn_err *err);
void tarn_join_table_destroy(tarn_join_table *t);

/* Sort key: a vector with a direction and where its NULLs go. */
typedef struct tarn_sort_key {
    const tarn_vec *v;
    bool desc;
    bool nulls_first;
} tarn_sort_key;

/* perm[0..n) = row order sorted by the keys (stable). limit >= 0: only the
 * first limit positions of perm need to be right (top-N). */
TARN_MUST_CHECK tarn_status tarn_rel_sort(const tarn_sort_key *keys, int nk, int64_t n,
                                          int64_t limit, int64_t *perm, tarn_err *err);

/* Appends rows idx[0..n) of src to dst; idx -1 appends a NULL (outer
 * joins). */
TARN_MUST_CHECK tarn_status tarn_rel_take(tarn_vec *dst, const tarn_vec *src, const int64_t *idx,
                                          int64_t n, tarn_err *err);

/* Window functions ------------------------------------------------------------ */

typedef enum tarn_win_kind {
    TARN_WIN_ROW_NUMBER,
    TARN_WIN_RANK,
    TARN_WIN_DENSE_RANK,
    TARN_WIN_LAG,
    TARN_WIN_LEAD,
    TARN_WIN_AGG /* an aggregate over the frame: the whole partition without ORDER
                    BY, else the rows up to the current row's last peer */
} tarn_win_kind;

typedef struct tarn_win_spec {
    tarn_win_kind kind;
    tarn_agg_kind agg;    /* WIN_AGG */
    const tarn_vec *arg;  /* LAG/LEAD/AGG argument (NULL for count(*)) */
    int64_t offset;       /* LAG/LEAD rows back/ahead */
    const tarn_vec *dflt; /* LAG/LEAD value past the partition's edge (1 row), or NULL */
    tarn_type out_type;   /* result type (tarn_agg_type for WIN_AGG) */
} tarn_win_spec;

/* Computes a window function over n rows: part[i] is row i's partition id
 * (NULL: one partition), keys the ORDER BY of the window (nk may be 0).
 * *out gets n values in row order. */
TARN_MUST_CHECK tarn_status tarn_win_compute(const tarn_win_spec *w, const int64_t *part,
                                             const tarn_sort_key *keys, int nk, int64_t n,
                                             tarn_vec **out, tarn_err *err);

#endif
