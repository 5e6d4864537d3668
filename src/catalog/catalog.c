/*
 * catalog/catalog.c - opening and migrating LAKE/tarn.db (see catalog.h).
 */
#include "catalog/catalog.h"

#include "base/alloc.h"
#include "base/fs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Migration i takes the schema from user_version i to i + 1. Append only:
 * never edit a migration that has shipped. */
static const char *const migrations[] = {
    /* 1: quality metric history (contract test, pipeline runs). */
    "CREATE TABLE metric_history ("
    "  id INTEGER PRIMARY KEY,"
    "  dataset TEXT NOT NULL,"
    "  table_path TEXT NOT NULL,"
    "  contract_version TEXT,"
    "  run_at_us INTEGER NOT NULL,"
    "  metric TEXT NOT NULL,"
    "  value REAL NOT NULL);"
    "CREATE INDEX metric_history_key ON metric_history(dataset, table_path, metric, run_at_us);",
    /* 2: pipeline runs (tarn run), for `tarn runs` and `tarn status`. */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  dataset TEXT NOT NULL,"
    "  started_at_us INTEGER NOT NULL,"
    "  duration_us INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  bronze_from INTEGER NOT NULL, bronze_to INTEGER NOT NULL,"
    "  rows_in INTEGER NOT NULL, inserted INTEGER NOT NULL, updated INTEGER NOT NULL,"
    "  duplicates INTEGER NOT NULL, stale INTEGER NOT NULL, quarantined INTEGER NOT NULL,"
    "  warned INTEGER NOT NULL, checks_passed INTEGER NOT NULL, checks_failed INTEGER NOT NULL,"
    "  silver_version INTEGER NOT NULL, status TEXT NOT NULL, message TEXT);"
    "CREATE INDEX runs_dataset ON runs(dataset, started_at_us);",
    /* 3: the last build of each Gold model (tarn run): what it read, for
     * up-to-date detection (gold_store.c). */
    "CREATE TABLE gold_builds ("
    "  model TEXT PRIMARY KEY COLLATE NOCASE,"
    "  file_hash INTEGER NOT NULL,"
    "  gold_version INTEGER NOT NULL,"
    "  built_at_us INTEGER NOT NULL);"
    "CREATE TABLE gold_build_inputs ("
    "  model TEXT NOT NULL COLLATE NOCASE REFERENCES gold_builds(model) ON DELETE CASCADE,"
    "  input TEXT NOT NULL COLLATE NOCASE,"
    "  version INTEGER NOT NULL,"
    "  PRIMARY KEY (model, input));",
};

tarn_status tarn_catalog_error(tarn_catalog *c, const char *what, tarn_err *err)
{
    tarn_err_set(err, TARN_ERR_IO, "%s: %s", what,
                 c && c->db ? sqlite3_errmsg(c->db) : "no database");
    return tarn_err_at_path(err, c ? c->path : NULL);
}

tarn_status tarn_catalog_exec(tarn_catalog *c, const char *sql, tarn_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        tarn_err_set(err, TARN_ERR_IO, "catalog: %s", msg ? msg : sqlite3_errmsg(c->db));
        sqlite3_free(msg);
        return tarn_err_at_path(err, c->path);
    }
    return TARN_OK;
}

static tarn_status user_version(tarn_catalog *c, int *out, tarn_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "catalog", err);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? TARN_OK : tarn_catalog_error(c, "catalog", err);
}

static tarn_status migrate(tarn_catalog *c, tarn_err *err)
{
    int have;
    TARN_TRY(tarn_catalog_exec(c, "BEGIN IMMEDIATE", err));
    tarn_status st = user_version(c, &have, err);
    int want = (int)TARN_ARRAY_LEN(migrations);
    if (st == TARN_OK && have > want)
        st = tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                          "catalog schema version %d is newer than this tarn understands (%d); "
                          "upgrade tarn",
                          have, want);
    for (int v = have; st == TARN_OK && v < want; v++)
        st = tarn_catalog_exec(c, migrations[v], err);
    if (st == TARN_OK && have < want) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", want);
        st = tarn_catalog_exec(c, sql, err);
    }
    if (st == TARN_OK)
        return tarn_catalog_exec(c, "COMMIT", err);
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

tarn_status tarn_catalog_open(const char *lake_dir, tarn_catalog **out, tarn_err *err)
{
    *out = NULL;
    TARN_TRY(tarn_mkdirs(lake_dir, err));
    tarn_catalog *c = tarn_calloc(1, sizeof *c);
    size_t n = strlen(lake_dir) + 16;
    if (c)
        c->path = tarn_alloc(n);
    if (!c || !c->path) {
        tarn_free(c);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    snprintf(c->path, n, "%s/tarn.db", lake_dir);
    tarn_status st = TARN_OK;
    if (sqlite3_open_v2(c->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        st = tarn_catalog_error(c, "cannot open catalog", err);
    if (st == TARN_OK)
        sqlite3_busy_timeout(c->db, 10000);
    if (st == TARN_OK)
        st = tarn_catalog_exec(c,
                               "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                               "PRAGMA foreign_keys=ON",
                               err);
    if (st == TARN_OK)
        st = migrate(c, err);
    if (st != TARN_OK) {
        tarn_catalog_close(c);
        return st;
    }
    *out = c;
    return TARN_OK;
}

void tarn_catalog_close(tarn_catalog *c)
{
    if (!c)
        return;
    sqlite3_close(c->db);
    tarn_free(c->path);
    tarn_free(c);
}
