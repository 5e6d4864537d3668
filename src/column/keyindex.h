/*
 * column/keyindex.h - the rows of a batch indexed by the values of some key
 * columns: deduplication by primary key and the key lookups of a MERGE.
 *
 * Built in parallel and cache-sized: keys are hashed a column at a time,
 * rows are spread over partitions by the top bits of their hash (arrival
 * order kept inside each), and every partition gets its own small
 * open-addressing table (8-byte slots: hash tag + row) on a pool thread.
 * Nothing is copied: keys are compared in the batch itself, by value bytes
 * (the tarn_vec_append_key rules: null equals null, no cross-type
 * equality). One row per distinct key is kept; on a repeat the caller
 * decides which. A batch of up to 2^32 - 2 rows.
 */
#ifndef TARN_COLUMN_KEYINDEX_H
#define TARN_COLUMN_KEYINDEX_H

#include "column/vec.h"

typedef struct tarn_keyindex tarn_keyindex;

/* A key seen again: true when row `incoming` replaces row `kept` (rows of
 * the indexed batch, incoming arriving later). Called from pool threads:
 * it may only read shared state. */
typedef bool (*tarn_keyindex_wins_fn)(void *ctx, int64_t incoming, int64_t kept);

/* Indexes rows [0, b->n_rows) of b by the columns cols[0..n_cols) (flat
 * types; at most 16). wins NULL: the later row replaces the earlier. drop
 * (b->n_rows bytes, or NULL) gets 1 for each row that lost to another row
 * of its key and is left alone otherwise. b must not change while the index
 * lives. */
TARN_MUST_CHECK tarn_status tarn_keyindex_build(const tarn_batch *b, const int *cols, int n_cols,
                                                tarn_keyindex_wins_fn wins, void *ctx,
                                                uint8_t *drop, tarn_keyindex **out, tarn_err *err);

/* For every row of probe, whose key is in the columns pcols (same types as
 * the index's key columns), the kept row with an equal key, or -1; out has
 * probe->n_rows entries. */
TARN_MUST_CHECK tarn_status tarn_keyindex_probe(const tarn_keyindex *x, const tarn_batch *probe,
                                                const int *pcols, int64_t *out, tarn_err *err);

/* Distinct keys, and rows whose key an earlier row already had. */
int64_t tarn_keyindex_keys(const tarn_keyindex *x);
int64_t tarn_keyindex_repeats(const tarn_keyindex *x);

/* Frees the index; NULL is a no-op. */
void tarn_keyindex_destroy(tarn_keyindex *x);

#endif
