/*
 * catalog/catalog.h - the lake's catalog database, LAKE/tarn.db (SQLite in
 * WAL mode, so readers never block the writer and a crash never leaves it
 * half-written).
 *
 * The schema grows by numbered migrations (PRAGMA user_version); opening a
 * catalog applies the missing ones in one transaction. Other catalog
 * modules (metrics_store.c, later names, grants, lineage) use the handle.
 */
#ifndef TARN_CATALOG_CATALOG_H
#define TARN_CATALOG_CATALOG_H

#include "base/status.h"

typedef struct sqlite3 sqlite3;

typedef struct tarn_catalog {
    sqlite3 *db;
    char *path; /* LAKE/tarn.db */
} tarn_catalog;

/* Opens (creating the lake directory and the database when missing) and
 * migrates LAKE/tarn.db. */
TARN_MUST_CHECK tarn_status tarn_catalog_open(const char *lake_dir, tarn_catalog **out,
                                              tarn_err *err);
void tarn_catalog_close(tarn_catalog *c);

/* Sets err from the database's last error ("what: message"). */
tarn_status tarn_catalog_error(tarn_catalog *c, const char *what, tarn_err *err);

/* Runs SQL without results (BEGIN, COMMIT, ...). */
TARN_MUST_CHECK tarn_status tarn_catalog_exec(tarn_catalog *c, const char *sql, tarn_err *err);

#endif
