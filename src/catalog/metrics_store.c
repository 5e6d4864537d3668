/*
 * catalog/metrics_store.c - metric history in LAKE/tarn.db (see
 * metrics_store.h).
 */
#include "catalog/metrics_store.h"

#include <sqlite3.h>

tarn_status tarn_metrics_record(tarn_catalog *c, const char *dataset, const char *table_path,
                                const char *contract_version, int64_t run_at_us,
                                const tarn_metric_value *values, int n, tarn_err *err)
{
    sqlite3_stmt *st = NULL;
    TARN_TRY(tarn_catalog_exec(c, "BEGIN IMMEDIATE", err));
    tarn_status rc = TARN_OK;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO metric_history(dataset, table_path, contract_version, "
                           "run_at_us, metric, value) VALUES (?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        rc = tarn_catalog_error(c, "metric history", err);
    for (int i = 0; rc == TARN_OK && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, table_path, -1, SQLITE_STATIC);
        if (contract_version)
            sqlite3_bind_text(st, 3, contract_version, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 3);
        sqlite3_bind_int64(st, 4, run_at_us);
        sqlite3_bind_text(st, 5, values[i].metric, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 6, values[i].value);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = tarn_catalog_error(c, "metric history", err);
    }
    sqlite3_finalize(st);
    if (rc == TARN_OK)
        return tarn_catalog_exec(c, "COMMIT", err);
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

tarn_status tarn_metrics_last(tarn_catalog *c, const char *dataset, const char *table_path,
                              const char *metric, int64_t before_us, int max, double *out,
                              int *n_out, tarn_err *err)
{
    *n_out = 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT value FROM metric_history WHERE dataset = ? AND table_path = ? "
                           "AND metric = ? AND run_at_us < ? ORDER BY run_at_us DESC, id DESC "
                           "LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "metric history", err);
    sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, table_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, metric, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, before_us);
    sqlite3_bind_int(st, 5, max);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n_out < max)
        out[(*n_out)++] = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return tarn_catalog_error(c, "metric history", err);
    return TARN_OK;
}
