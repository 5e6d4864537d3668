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
 * rebuilt only when its file or an upstream table changed since its last
 * build: the build records a fingerprint (hash of the file and of the
 * versions of the tables it read) as the Delta txn appId
 * "tarn.gold:<hex>" of its commit. Tests run on the query's result before
 * anything is committed; a failing test commits nothing.
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
    tarn_gold_test_kind kind;
    const char **columns;
    int n_columns;
} tarn_gold_test;

typedef struct tarn_gold_model {
    const char *name;
    const char *path;
    const char *description, *owner; /* or NULL */
    bool incremental;
    bool scd2; /* keep history: valid_from, valid_to, is_current per version */
    const char **unique_key;
    int n_unique_key;
    const char *surrogate_key; /* a BIGINT key column added first, stable per
                                  unique_key value across builds, or NULL */
    tarn_gold_test *tests;
    int n_tests;
    const char *sql;    /* the query (after the header) */
    int sql_line;       /* line of the file the query text starts on (the header's last) */
    uint64_t file_hash; /* of the whole file */
    const char **deps;  /* layer.name of every table the query reads */
    int n_deps;
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
    char reason[256];      /* why it was (re)built, or up to date */
    char failed_test[512]; /* a failing test and an example, when one failed */
} tarn_gold_result;

/* Builds model m into LAKE/gold/<name> if its file or an upstream table
 * changed (always with full_refresh). A failing test is TARN_ERR_DATA with
 * r->failed_test set and nothing committed. */
TARN_MUST_CHECK tarn_status tarn_gold_build(const char *lake, const tarn_gold_model *m,
                                            bool full_refresh, tarn_gold_result *r, tarn_err *err);

#endif
