/*
 * catalog/gold_store.c - Gold model build records in LAKE/tarn.db (see
 * gold_store.h).
 */
#include "catalog/gold_store.h"

#include <sqlite3.h>
#include <string.h>

/* Runs one prepared statement with text/int64 bindings given as a format:
 * 't' binds the next string, 'i' the next int64. */
static tarn_status exec_bound(tarn_catalog *c, const char *sql, const char *const *texts,
                              const int64_t *nums, const char *fmt, tarn_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "gold builds", err);
    int nt = 0, ni = 0;
    for (int k = 0; fmt[k]; k++) {
        if (fmt[k] == 't')
            sqlite3_bind_text(st, k + 1, texts[nt++], -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, k + 1, nums[ni++]);
    }
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TARN_OK : tarn_catalog_error(c, "gold builds", err);
}

tarn_status tarn_cat_gold_build_save(tarn_catalog *c, const tarn_cat_gold_build *b, tarn_err *err)
{
    TARN_TRY(tarn_catalog_exec(c, "BEGIN IMMEDIATE", err));
    const char *model[] = {b->model};
    tarn_status st =
        exec_bound(c, "DELETE FROM gold_build_inputs WHERE model = ?", model, NULL, "t", err);
    if (st == TARN_OK)
        st = exec_bound(c, "DELETE FROM gold_builds WHERE model = ?", model, NULL, "t", err);
    if (st == TARN_OK) {
        const int64_t nums[] = {(int64_t)b->file_hash, b->gold_version, b->built_at_us};
        st = exec_bound(c,
                        "INSERT INTO gold_builds(model, file_hash, gold_version, built_at_us) "
                        "VALUES (?, ?, ?, ?)",
                        model, nums, "tiii", err);
    }
    for (int i = 0; st == TARN_OK && i < b->n_inputs; i++) {
        const char *texts[] = {b->model, b->inputs[i].table};
        st = exec_bound(c,
                        "INSERT OR REPLACE INTO gold_build_inputs(model, input, version) "
                        "VALUES (?, ?, ?)",
                        texts, &b->inputs[i].version, "tti", err);
    }
    if (st == TARN_OK)
        return tarn_catalog_exec(c, "COMMIT", err);
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static tarn_status nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

/* The inputs of model into out (arena a). */
static tarn_status load_inputs(tarn_catalog *c, const char *model, tarn_arena *a,
                               tarn_cat_gold_build *out, tarn_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT input, version FROM gold_build_inputs WHERE model = ? "
                           "ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "gold builds", err);
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    tarn_cat_gold_input *v = NULL;
    int n = 0, cap = 0, rc;
    tarn_status s = TARN_OK;
    while (s == TARN_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            int ncap = cap ? cap * 2 : 8;
            tarn_cat_gold_input *nv = tarn_arena_alloc(a, sizeof *nv * (size_t)ncap);
            if (!nv) {
                s = nomem(err);
                break;
            }
            if (n)
                memcpy(nv, v, sizeof *nv * (size_t)n);
            v = nv;
            cap = ncap;
        }
        v[n].table = tarn_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
        v[n].version = sqlite3_column_int64(st, 1);
        s = v[n].table ? TARN_OK : nomem(err);
        n++;
    }
    if (s == TARN_OK && rc != SQLITE_DONE)
        s = tarn_catalog_error(c, "gold builds", err);
    sqlite3_finalize(st);
    out->inputs = v;
    out->n_inputs = s == TARN_OK ? n : 0;
    return s;
}

tarn_status tarn_cat_gold_build_load(tarn_catalog *c, const char *model, tarn_arena *a,
                                     tarn_cat_gold_build *out, bool *found, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    *found = false;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(c->db,
                           "SELECT model, file_hash, gold_version, built_at_us FROM gold_builds "
                           "WHERE model = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return tarn_catalog_error(c, "gold builds", err);
    sqlite3_bind_text(st, 1, model, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    tarn_status s = TARN_OK;
    if (rc == SQLITE_ROW) {
        out->model = tarn_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
        out->file_hash = (uint64_t)sqlite3_column_int64(st, 1);
        out->gold_version = sqlite3_column_int64(st, 2);
        out->built_at_us = sqlite3_column_int64(st, 3);
        s = out->model ? TARN_OK : nomem(err);
    } else if (rc != SQLITE_DONE) {
        s = tarn_catalog_error(c, "gold builds", err);
    }
    sqlite3_finalize(st);
    if (s == TARN_OK && rc == SQLITE_ROW) {
        s = load_inputs(c, model, a, out, err);
        *found = s == TARN_OK;
    }
    return s;
}
