/*
 * pipeline/gold.h - Gold models: SQL queries with a YAML header,
 * materialised as Delta tables LAKE/gold/<name> by `tarn run`.
 *
 * A model file (MODELS/<name>.sql) starts with a block comment holding a
 * YAML header between two `---` lines, then the query:
 *
 *   /\* ---
 *   name: daily_revenue          (default: the file name)
 *   description: ...
 *   owner: analytics@company.com
 *   materialized: table          (table: rebuilt; incremental: merged by unique_key)
 *   unique_key: [day, country]   (required for incremental; a name or a list)
 *   surrogate_key: day_sk        (dimensions: a stable BIGINT key per unique_key)
 *   scd2: true                   (dimensions: keep every version of a key)
 *   tests:
 *     - unique: [day, country]
 *     - not_null: [day, country]
 *   --- *\/
 *   SELECT ...
 *
 * Dependencies come from the query itself (every layer.name it reads; a
 * gold.X is model X), so models build in dependency order. A model is
 * rebuilt only when its file, its table or an upstream table changed since
 * its last build: each build records the file's hash, the Delta version of
 * every table it read and the version it committed in the catalog
 * (LAKE/tarn.db, catalog/gold_store.h). Tests run on the query's result
 * before anything is committed; a failing test commits nothing.
 */
#ifndef TARN_PIPELINE_GOLD_H
#define TARN_PIPELINE_GOLD_H

#include "base/arena.h"
#include "base/status.h"

typedef enum tarn_gold_test_kind {
    TARN_GOLD_UNIQUE,
    TARN_GOLD_NOT_NULL
} tarn_gold_test_kind;

typedef struct tarn_gold_test {
    tarn_gold_test_kind kind; /* unique or not_null */
    const char **columns;     /* the columns it judges */
    int n_columns;            /* entries in columns (>= 1) */
} tarn_gold_test;

/* One model file; every string lives in the tarn_gold_models arena. */
typedef struct tarn_gold_model {
    const char *name;          /* header name, or the file name without .sql */
    const char *path;          /* the model file */
    const char *description;   /* or NULL */
    const char *owner;         /* or NULL */
    bool incremental;          /* materialized: incremental (else table) */
    bool scd2;                 /* keep history: valid_from, valid_to, is_current per version */
    const char **unique_key;   /* columns identifying a row (incremental, surrogate, scd2) */
    int n_unique_key;          /* entries in unique_key (0: none) */
    const char *surrogate_key; /* a BIGINT key column added first, stable per
                                  unique_key value across builds, or NULL */
    tarn_gold_test *tests;     /* run on the query's result before committing */
    int n_tests;               /* entries in tests */
    const char *sql;           /* the query (after the header) */
    int sql_line;              /* line of the file the query text starts on (the header's last) */
    uint64_t file_hash;        /* of the whole file: a change rebuilds the model */
    const char **deps;         /* layer.name of every table the query reads (no CTE names) */
    int n_deps;                /* entries in deps */
} tarn_gold_model;

typedef struct tarn_gold_models {
    tarn_gold_model *v; /* in dependency order after tarn_gold_load */
    int n;
    tarn_arena *arena;
} tarn_gold_models;

/* Loads every *.sql of dir and orders them by dependency. A missing
 * directory is no models. Errors name file:line:col (YAML, unknown keys
 * with "did you mean", SQL syntax) or the models of a cycle. */
TARN_MUST_CHECK tarn_status tarn_gold_load(const char *dir, tarn_gold_models *out, tarn_err *err);
void tarn_gold_models_free(tarn_gold_models *m);
/* The model named name, or NULL. */
const tarn_gold_model *tarn_gold_find(const tarn_gold_models *m, const char *name);

typedef struct tarn_gold_result {
    bool rebuilt;          /* false: up to date */
    int64_t rows;          /* rows the query returned */
    int64_t version;       /* the gold table's version after the build */
    char reason[512];      /* "new: ...", "full refresh: ...", "rebuilt: silver.orders
                              v3 -> v4", "rebuilt: model changed", "up to date (...)" */
    char failed_test[512]; /* a failing test and an example, when one failed */
    char warning[512];     /* the build record could not be read or saved, or "" */
} tarn_gold_result;

/* Builds model m into LAKE/gold/<name> when it is new, its file, its
 * table or a table it reads changed since the build recorded in the
 * catalog, or full_refresh; otherwise r->rebuilt is false ("up to date").
 * A build runs the query, its tests, then commits once (overwrite, or a
 * MERGE by unique_key for an incremental model whose table exists) and
 * records itself in the catalog. A failing test is TARN_ERR_DATA with
 * r->failed_test set and nothing committed; a table it reads that does not
 * exist is TARN_ERR_NOT_FOUND. */
TARN_MUST_CHECK tarn_status tarn_gold_build(const char *lake, const tarn_gold_model *m,
                                            bool full_refresh, tarn_gold_result *r, tarn_err *err);

#endif
