/*
 * catalog/runs_store.c - pipeline run history in LAKE/tarn.db (see
 * runs_store.h).
 */
#include "catalog/runs_store.h"

#include <sqlite3.h>
#include <string.h>

tarn_status tarn_runs_record(tarn_catalog *c, const tarn_run_record *r, tarn_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "INSERT INTO runs(dataset, started_at_us, duration_us, kind, "
                           "bronze_from, bronze_to, rows_in, inserted, updated, duplicates, "
                           "stale, quarantined, warned, checks_passed, checks_failed, "
                           "silver_version, status, message) VALUES "
                           "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "runs", err);
    int k = 1;
    sqlite3_bind_text(st, k++, r->dataset, -1, SQLITE_STATIC);
    const int64_t nums1[] = {r->started_at_us, r->duration_us};
    for (int i = 0; i < 2; i++)
        sqlite3_bind_int64(st, k++, nums1[i]);
    sqlite3_bind_text(st, k++, r->kind, -1, SQLITE_STATIC);
    const int64_t nums[] = {r->bronze_from, r->bronze_to,     r->rows_in,       r->inserted,
                            r->updated,     r->duplicates,    r->stale,         r->quarantined,
                            r->warned,      r->checks_passed, r->checks_failed, r->silver_version};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        sqlite3_bind_int64(st, k++, nums[i]);
    sqlite3_bind_text(st, k++, r->status, -1, SQLITE_STATIC);
    if (r->message)
        sqlite3_bind_text(st, k++, r->message, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, k++);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TARN_OK : tarn_catalog_error(c, "runs", err);
}

static void row_of(sqlite3_stmt *st, tarn_run_record *r)
{
    memset(r, 0, sizeof *r);
    r->dataset = (const char *)sqlite3_column_text(st, 0);
    r->started_at_us = sqlite3_column_int64(st, 1);
    r->duration_us = sqlite3_column_int64(st, 2);
    r->kind = (const char *)sqlite3_column_text(st, 3);
    int64_t *nums[] = {&r->bronze_from, &r->bronze_to,     &r->rows_in,       &r->inserted,
                       &r->updated,     &r->duplicates,    &r->stale,         &r->quarantined,
                       &r->warned,      &r->checks_passed, &r->checks_failed, &r->silver_version};
    for (int i = 0; i < 12; i++)
        *nums[i] = sqlite3_column_int64(st, 4 + i);
    r->status = (const char *)sqlite3_column_text(st, 16);
    r->message = (const char *)sqlite3_column_text(st, 17);
}

#define COLS                                                                                       \
    "dataset, started_at_us, duration_us, kind, bronze_from, bronze_to, rows_in, inserted, "       \
    "updated, duplicates, stale, quarantined, warned, checks_passed, checks_failed, "              \
    "silver_version, status, message"

tarn_status tarn_runs_list(tarn_catalog *c, const char *dataset, int64_t limit, tarn_run_fn fn,
                           void *ctx, tarn_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT " COLS " FROM runs WHERE ?1 IS NULL OR dataset = ?1 "
                           "ORDER BY started_at_us DESC, id DESC LIMIT ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "runs", err);
    if (dataset)
        sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, limit);
    tarn_status s = TARN_OK;
    int rc;
    while (s == TARN_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        tarn_run_record r;
        row_of(st, &r);
        s = fn(ctx, &r, err);
    }
    if (s == TARN_OK && rc != SQLITE_DONE)
        s = tarn_catalog_error(c, "runs", err);
    sqlite3_finalize(st);
    return s;
}

tarn_status tarn_runs_last_ok(tarn_catalog *c, const char *dataset, tarn_run_record *out,
                              bool *found, tarn_err *err)
{
    *found = false;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT " COLS " FROM runs WHERE dataset = ? AND status != 'failed' "
                           "ORDER BY started_at_us DESC, id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "runs", err);
    sqlite3_bind_text(st, 1, dataset, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row_of(st, out);
        out->dataset = NULL; /* the statement's strings die with it */
        out->kind = NULL;
        out->status = NULL;
        out->message = NULL;
        *found = true;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TARN_OK : tarn_catalog_error(c, "runs", err);
}
