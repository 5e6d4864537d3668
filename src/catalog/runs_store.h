/*
 * catalog/runs_store.h - the history of pipeline runs (`tarn run`), kept in
 * LAKE/tarn.db for `tarn runs` and `tarn status`.
 */
#ifndef TARN_CATALOG_RUNS_STORE_H
#define TARN_CATALOG_RUNS_STORE_H

#include "catalog/catalog.h"

typedef struct tarn_run_record {
    const char *dataset;
    int64_t started_at_us, duration_us;
    const char *kind; /* "incremental" or "full-refresh" */
    int64_t bronze_from, bronze_to;
    int64_t rows_in, inserted, updated, duplicates, stale, quarantined, warned;
    int64_t checks_passed, checks_failed;
    int64_t silver_version;
    const char *status;  /* "ok", "checks failed", "failed" */
    const char *message; /* error, or NULL */
} tarn_run_record;

TARN_MUST_CHECK tarn_status tarn_runs_record(tarn_catalog *c, const tarn_run_record *r,
                                             tarn_err *err);

/* Calls fn for the newest runs (of dataset, or all when NULL), newest
 * first, at most limit. Strings are valid during the call only. */
typedef tarn_status (*tarn_run_fn)(void *ctx, const tarn_run_record *r, tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_runs_list(tarn_catalog *c, const char *dataset, int64_t limit,
                                           tarn_run_fn fn, void *ctx, tarn_err *err);

/* The newest successful run of dataset: *found false when there is none. */
TARN_MUST_CHECK tarn_status tarn_runs_last_ok(tarn_catalog *c, const char *dataset,
                                              tarn_run_record *out, bool *found, tarn_err *err);

#endif
