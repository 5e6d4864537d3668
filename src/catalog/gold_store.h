/*
 * catalog/gold_store.h - the last build of each Gold model, kept in
 * LAKE/tarn.db (tables gold_builds and gold_build_inputs) so that
 * `tarn run` rebuilds a model only when its file or a table it reads
 * changed.
 *
 * One row per model (the newest successful build replaces the previous
 * one) plus one row per table that build read, with that table's Delta
 * version. A build commits its Delta table first and records here second:
 * a crash in between leaves an older record, so the next run rebuilds,
 * which is harmless.
 */
#ifndef TARN_CATALOG_GOLD_STORE_H
#define TARN_CATALOG_GOLD_STORE_H

#include "base/arena.h"
#include "catalog/catalog.h"

typedef struct tarn_cat_gold_input {
    const char *table; /* layer.name the query read */
    int64_t version;   /* its Delta version when the build read it */
} tarn_cat_gold_input;

typedef struct tarn_cat_gold_build {
    const char *model;                 /* model name (compared without case) */
    uint64_t file_hash;                /* hash of the model file (header and query) */
    int64_t gold_version;              /* version of LAKE/gold/<model> the build committed */
    int64_t built_at_us;               /* when (Unix microseconds) */
    const tarn_cat_gold_input *inputs; /* the tables read, in the order the model reads them */
    int n_inputs;                      /* entries in inputs */
} tarn_cat_gold_build;

/* Replaces the record of b->model by b, in one transaction. */
TARN_MUST_CHECK tarn_status tarn_cat_gold_build_save(tarn_catalog *c, const tarn_cat_gold_build *b,
                                                     tarn_err *err);

/* The record of model into *out (strings and inputs allocated in a, which
 * the caller owns); *found false, *out zeroed, when there is none. */
TARN_MUST_CHECK tarn_status tarn_cat_gold_build_load(tarn_catalog *c, const char *model,
                                                     tarn_arena *a, tarn_cat_gold_build *out,
                                                     bool *found, tarn_err *err);

#endif
