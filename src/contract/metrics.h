/*
 * contract/metrics.h - `tarn contract test`: measures a Delta table against
 * its contract in one scan — the schema, every row-level constraint (and
 * the not-null of every non-nullable column), every quality check — and
 * reports one result per item with the measured value.
 *
 * change() and anomaly() compare with earlier runs kept in the catalog
 * (catalog/metrics_store.h); the caller records this run's values
 * (report.metrics) when it wants them remembered.
 */
#ifndef TARN_CONTRACT_METRICS_H
#define TARN_CONTRACT_METRICS_H

#include "catalog/metrics_store.h"
#include "contract/contract.h"
#include "delta/snapshot.h"

typedef enum tarn_ct_result_kind {
    TARN_CT_RES_SCHEMA,     /* the table has the contract's columns and types */
    TARN_CT_RES_CONSTRAINT, /* a row-level rule; value = rows violating it */
    TARN_CT_RES_CHECK       /* a quality check; value = the metric */
} tarn_ct_result_kind;

typedef enum tarn_ct_outcome {
    TARN_CT_PASSED,
    TARN_CT_FAILED, /* failed with severity fail */
    TARN_CT_WARNED, /* failed with severity warn */
    TARN_CT_ERROR   /* could not be measured (missing column, wrong type); counts as a
                       failure of its severity */
} tarn_ct_outcome;

typedef struct tarn_ct_result {
    tarn_ct_result_kind kind;
    const char *id;   /* "amount.min_value", "schema.amount", the check's name or
                         "quality.N" (1-based) */
    const char *expr; /* "min_value(0)", the check text, "decimal(10,2)" */
    tarn_ct_severity severity;
    tarn_ct_outcome outcome;
    bool has_value;      /* a value was measured */
    double value;        /* measured value (constraints: violating rows) */
    char value_text[96]; /* as shown: "1000", "-5.00", "2026-01-01", "3h 12m" */
    int64_t violations;  /* constraints: violating rows */
    char detail[384];    /* example reason, previous value, error message, or "" */
} tarn_ct_result;

typedef struct tarn_ct_report {
    int64_t table_version; /* snapshot measured */
    int64_t rows;          /* rows in it */
    int n;                 /* results in order: schema, constraints, checks */
    tarn_ct_result *results;
    int passed, failed, warned, errors;
    int n_metrics; /* base metric values of this run, for the history */
    tarn_metric_value *metrics;
    void *arena; /* owns the strings above */
} tarn_ct_report;

typedef struct tarn_ct_test_opts {
    int64_t now_us;          /* "now" for freshness and history; 0 = the clock */
    tarn_catalog *history;   /* NULL = no history: change() and anomaly() pass with a note */
    const char *history_key; /* table identity in the history (e.g. its absolute path) */
} tarn_ct_test_opts;

/* Measures the Delta table at table_path (latest version) against c. A
 * failing check is a result, not an error; errors are for an unreadable
 * table or out of memory. */
TARN_MUST_CHECK tarn_status tarn_ct_test(const tarn_contract *c, const char *table_path,
                                         const tarn_ct_test_opts *opts, tarn_ct_report *out,
                                         tarn_err *err);
/* The same on a loaded snapshot (e.g. the table as a pending commit would
 * leave it, delta/commit.h). */
TARN_MUST_CHECK tarn_status tarn_ct_test_snapshot(const tarn_contract *c,
                                                  const tarn_delta_snapshot *snap,
                                                  const tarn_ct_test_opts *opts,
                                                  tarn_ct_report *out, tarn_err *err);
void tarn_ct_report_fini(tarn_ct_report *r);

/* "passed", "failed", "warned", "error". */
const char *tarn_ct_outcome_name(tarn_ct_outcome o);

#endif
