/*
 * catalog/metrics_store.h - history of quality metric values per dataset and
 * table, the memory behind change() and anomaly() checks.
 */
#ifndef TARN_CATALOG_METRICS_STORE_H
#define TARN_CATALOG_METRICS_STORE_H

#include "catalog/catalog.h"

typedef struct tarn_metric_value {
    const char *metric; /* canonical metric text, "null_count(user_id)" */
    double value;
} tarn_metric_value;

/* Records one run's values (one transaction: all or nothing). */
TARN_MUST_CHECK tarn_status tarn_metrics_record(tarn_catalog *c, const char *dataset,
                                                const char *table_path,
                                                const char *contract_version, int64_t run_at_us,
                                                const tarn_metric_value *values, int n,
                                                tarn_err *err);

/* The last up to max values of a metric recorded before before_us, newest
 * first, into out; *n_out is how many. */
TARN_MUST_CHECK tarn_status tarn_metrics_last(tarn_catalog *c, const char *dataset,
                                              const char *table_path, const char *metric,
                                              int64_t before_us, int max, double *out, int *n_out,
                                              tarn_err *err);

#endif
