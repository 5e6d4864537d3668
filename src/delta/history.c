/*
 * delta/history.c - commit history from the JSON commits in _delta_log.
 *
 * Lists the log once, sorts the commit versions newest first, and for each
 * of the requested ones reads the file and parses only the line holding
 * the commitInfo action (the whole file is never turned into actions), so
 * history costs one read per commit regardless of how many files a commit
 * added.
 */
#include "delta/history.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "delta/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_MAX_COMMIT_BYTES ((size_t)1 << 30)

static tarn_status hist_nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "history: out of memory");
}

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

/* Versions of the NNNNNNNNNNNNNNNNNNNN.json files, newest first (heap). */
static tarn_status list_versions(const char *log, tarn_arena *a, int64_t **out, size_t *out_n,
                                 tarn_err *err)
{
    char **names;
    size_t n;
    TARN_TRY(tarn_dir_list(log, a, &names, &n, err));
    int64_t *v = tarn_alloc((n ? n : 1) * sizeof *v);
    if (!v)
        return hist_nomem(err);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strspn(names[i], "0123456789") != 20 || strcmp(names[i] + 20, ".json") != 0)
            continue;
        v[k++] = strtoll(names[i], NULL, 10);
    }
    qsort(v, k, sizeof *v, cmp_desc);
    *out = v;
    *out_n = k;
    return TARN_OK;
}

/* Finds the line that holds the commitInfo action: [*start, *end). */
static bool find_commit_info(const char *text, size_t len, const char **start, const char **end,
                             int64_t *line_no)
{
    const char *p = text, *e = text + len;
    int64_t line = 0;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        line++;
        const char *q = p;
        while (q < le && (*q == ' ' || *q == '\t'))
            q++;
        if (le - q > 14 && memcmp(q, "{\"commitInfo\"", 13) == 0) {
            *start = p;
            *end = le;
            *line_no = line;
            return true;
        }
        p = nl ? nl + 1 : e;
    }
    return false;
}

static tarn_status load_entry(const char *log, int64_t version, tarn_arena *a,
                              tarn_delta_history_entry *out, tarn_err *err)
{
    char name[32];
    tarn_delta_commit_name(version, name);
    char *path = tarn_path_join(a, log, name);
    if (!path)
        return hist_nomem(err);
    memset(out, 0, sizeof *out);
    out->version = version;
    tarn_stat st;
    if (tarn_file_stat(path, &st, err) != TARN_OK)
        return err->code;
    out->timestamp_ms = st.mtime_us / 1000;
    tarn_buf b = TARN_BUF_INIT;
    tarn_status s = tarn_file_read_all(path, HISTORY_MAX_COMMIT_BYTES, &b, err);
    const char *ls, *le;
    int64_t line;
    if (s == TARN_OK && b.data && find_commit_info(b.data, b.len, &ls, &le, &line)) {
        tarn_delta_actions acts;
        s = tarn_delta_actions_parse(ls, (size_t)(le - ls), path, a, &acts, err);
        if (s != TARN_OK) {
            err->line = line; /* the line inside the whole file */
        } else if (acts.commit_info.present) {
            const tarn_delta_commit_info *ci = &acts.commit_info;
            out->has_commit_info = true;
            out->operation = ci->operation;
            out->operation_parameters = ci->operation_parameters;
            out->operation_metrics = ci->operation_metrics;
            out->engine_info = ci->engine_info;
            out->commit_info = ci->json;
            if (ci->has_in_commit_timestamp)
                out->timestamp_ms = ci->in_commit_timestamp;
            else if (ci->has_timestamp)
                out->timestamp_ms = ci->timestamp;
        }
    }
    tarn_buf_fini(&b);
    return s;
}

tarn_status tarn_delta_history_load(const char *table_path, int64_t limit, tarn_delta_history *out,
                                    tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->arena = tarn_arena_create(0);
    if (!out->arena)
        return hist_nomem(err);
    char *log = tarn_path_join(out->arena, table_path, "_delta_log");
    if (!log || !tarn_is_dir(log)) {
        tarn_delta_history_fini(out); /* a failed load leaves nothing behind */
        return log ? tarn_err_set(err, TARN_ERR_NOT_FOUND, "not a Delta table: %s", table_path)
                   : hist_nomem(err);
    }
    int64_t *versions = NULL;
    size_t n = 0;
    tarn_arena *scratch = tarn_arena_create(0);
    tarn_status st = scratch ? list_versions(log, scratch, &versions, &n, err) : hist_nomem(err);
    if (st == TARN_OK && n == 0)
        st =
            tarn_err_set(err, TARN_ERR_NOT_FOUND, "not a Delta table (no commits): %s", table_path);
    if (st == TARN_OK) {
        size_t take = limit > 0 && (size_t)limit < n ? (size_t)limit : n;
        out->entries = tarn_arena_calloc(out->arena, take ? take : 1, sizeof *out->entries);
        if (!out->entries)
            st = hist_nomem(err);
        for (size_t i = 0; i < take && st == TARN_OK; i++) {
            st = load_entry(log, versions[i], out->arena, &out->entries[out->n_entries], err);
            if (st == TARN_ERR_NOT_FOUND) {
                st = TARN_OK; /* cleaned up meanwhile */
                continue;
            }
            if (st == TARN_OK)
                out->n_entries++;
        }
    }
    tarn_free(versions);
    tarn_arena_destroy(scratch);
    if (st != TARN_OK)
        tarn_delta_history_fini(out);
    return st;
}

void tarn_delta_history_fini(tarn_delta_history *h)
{
    if (!h)
        return;
    tarn_arena_destroy(h->arena);
    memset(h, 0, sizeof *h);
}
