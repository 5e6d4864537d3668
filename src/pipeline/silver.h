/*
 * pipeline/silver.h - a Silver run: the Bronze versions that arrived since
 * the last run are judged against the dataset's contract
 * (pipeline/refine.c), bad records go to silver.<dataset>__quarantine, good
 * ones are deduplicated by primary key (the latest by sequence_by, else by
 * arrival order) and merged into silver.<dataset>: new keys are inserted,
 * existing keys replaced only when the incoming row is newer.
 *
 * Exactly once: the Silver commit records the last Bronze version it
 * covers in a Delta txn action (appId "tarn.silver.<dataset>"), atomically
 * with the rows; the quarantine commit does the same under its own appId,
 * and a run that finds the quarantine ahead of Silver first finishes that
 * same range (without writing its quarantine rows again). A run killed at
 * any moment and started again gives neither duplicates nor gaps.
 *
 * Checks (opts.checks): the contract's quality checks are measured on the
 * table as the round's Silver commit would leave it, before anything of
 * the round is published; a check with severity fail that fails aborts the
 * round with TARN_ERR_DATA and neither Silver nor the quarantine changes
 * (the next run judges the same Bronze versions again).
 *
 * Transient failures (I/O errors, a concurrent commit) are retried up to 3
 * times with backoff (0.2 s, 1 s, 3 s); the counters describe the last
 * attempt.
 *
 * The merge rewrites only the Silver files whose key statistics may hold an
 * incoming key (copy-on-write, delta/delete.h), reading one file at a time;
 * memory grows with the incoming rows, not with the table.
 */
#ifndef TARN_PIPELINE_SILVER_H
#define TARN_PIPELINE_SILVER_H

#include "contract/metrics.h"
#include "pipeline/refine.h"

typedef struct tarn_silver_opts {
    const char *lake;      /* lake directory */
    int64_t now_us;        /* _quarantined_at; 0 = the clock */
    bool full_refresh;     /* rebuild Silver and its quarantine from all of Bronze */
    bool dry_run;          /* count what a run would do; commit nothing */
    bool checks;           /* judge the contract's checks before committing */
    tarn_catalog *history; /* metric history for change()/anomaly() checks, or NULL */
} tarn_silver_opts;

typedef struct tarn_silver_result {
    int64_t bronze_from, bronze_to; /* Bronze versions covered: (from, to]; equal = nothing new */
    int64_t rows_in;                /* Bronze rows read */
    int64_t quarantined;            /* rows sent to quarantine */
    int64_t duplicates;             /* incoming rows superseded by a newer one of the same key */
    int64_t inserted;               /* new keys */
    int64_t updated;                /* existing keys replaced by newer rows */
    int64_t deleted;                /* existing keys removed by newer delete_when records */
    int64_t stale;                  /* incoming rows older than the Silver row of their key */
    int64_t warned;                 /* rows kept despite a failed warn-severity rule */
    int64_t rescued;                /* rows with fields the contract does not name, kept in
                                       _rescued_data */
    int n_drift;                    /* schema drift seen (unknown / missing / other kind) */
    tarn_refine_drift drift[TARN_REFINE_MAX_DRIFT];
    int64_t files_rewritten; /* Silver files replaced by the merge */
    int64_t silver_version;  /* Silver version after the run (-1: no table) */
    bool committed;          /* Silver got a new version */
    int retries;             /* attempts repeated after a transient failure */
    bool checked;            /* checks: `report` holds them, measured on the table as the
                                last round's commit would leave it */
    bool check_failed;       /* a fail-severity check failed: the round over Bronze
                                versions (bronze_to, failed_to] committed nothing */
    int64_t failed_to;
    tarn_ct_report report; /* when checked; free with tarn_silver_result_fini */
    char report_key[4096]; /* the Silver table's identity in the metric history */
} tarn_silver_result;

void tarn_silver_result_fini(tarn_silver_result *r);

/* True when result x of a report is a check that stops a run: failed with
 * severity fail, or could not be measured and has severity fail. */
bool tarn_silver_check_blocks(const tarn_ct_result *x);

/* Runs Silver for contract c: LAKE/bronze/<dataset> into LAKE/silver/<dataset>
 * and LAKE/silver/<dataset>__quarantine. */
TARN_MUST_CHECK tarn_status tarn_silver_run(const tarn_contract *c, const tarn_silver_opts *o,
                                            tarn_silver_result *out, tarn_err *err);

/* Heals: judges every quarantined record again against c (the current
 * contract) and moves those that now pass into Silver (merged like a run)
 * and out of the quarantine. Exactly once: the Silver commit records the
 * quarantine version it healed (txn "tarn.heal.<dataset>"); a heal killed
 * between the two commits, run again, only finishes the removal.
 * out->inserted/updated/stale count the healed rows, out->quarantined
 * what stays in quarantine, out->rows_in what was judged. */
TARN_MUST_CHECK tarn_status tarn_silver_heal(const tarn_contract *c, const tarn_silver_opts *o,
                                             tarn_silver_result *out, int64_t *healed,
                                             tarn_err *err);

#endif
