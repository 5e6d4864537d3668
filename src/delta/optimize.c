/*
 * delta/optimize.c - OPTIMIZE with optional Z-order (see optimize.h).
 */
#include "delta/optimize.h"

#include "base/alloc.h"
#include "base/suggest.h"
#include "base/time.h"
#include "delta/delete.h"
#include "delta/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ZORDER 8

typedef unsigned __int128 u128;

static tarn_status nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

/* Whether two adds are in the same partition (same partition values). */
static bool same_partition(const tarn_delta_add *a, const tarn_delta_add *b)
{
    if (a->n_partition_values != b->n_partition_values)
        return false;
    for (int i = 0; i < a->n_partition_values; i++) {
        const tarn_delta_kv *x = &a->partition_values[i];
        bool found = false;
        for (int j = 0; j < b->n_partition_values && !found; j++) {
            const tarn_delta_kv *y = &b->partition_values[j];
            found =
                !strcmp(x->key, y->key) &&
                ((!x->value && !y->value) || (x->value && y->value && !strcmp(x->value, y->value)));
        }
        if (!found)
            return false;
    }
    return true;
}

/* Order-preserving 64-bit code of row i (NULL: 0, values from 1 up is not
 * needed: NULLs simply sort with the smallest values). */
static uint64_t order_code(const tarn_vec *v, int64_t i)
{
    if (!tarn_vec_is_valid(v, i))
        return 0;
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        return tarn_vec_get_bool(v, i);
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64: {
        double d =
            v->type.id == TARN_TYPE_FLOAT32 ? ((const float *)v->data)[i] : tarn_vec_get_f64(v, i);
        uint64_t u;
        memcpy(&u, &d, 8);
        return (u >> 63) ? ~u : u | (1ULL << 63);
    }
    case TARN_TYPE_DECIMAL: {
        tarn_i128 x = tarn_vec_get_decimal(v, i);
        if (x > INT64_MAX)
            x = INT64_MAX;
        if (x < INT64_MIN)
            x = INT64_MIN;
        return (uint64_t)(int64_t)x ^ (1ULL << 63);
    }
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY: {
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(v, i, &len);
        uint64_t k = 0;
        for (int j = 0; j < 8; j++)
            k = k << 8 | (j < len ? p[j] : 0);
        return k;
    }
    case TARN_TYPE_UINT8:
    case TARN_TYPE_UINT16:
    case TARN_TYPE_UINT32:
    case TARN_TYPE_UINT64:
        return v->type.id == TARN_TYPE_UINT64 ? ((const uint64_t *)v->data)[i]
                                              : (uint64_t)tarn_vec_get_int(v, i);
    default: /* signed integers, dates, times, timestamps */
        return (uint64_t)tarn_vec_get_int(v, i) ^ (1ULL << 63);
    }
}

typedef struct zrow {
    u128 key;
    int64_t row;
} zrow;

static int zrow_cmp(const void *a, const void *b)
{
    const zrow *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Row order of b by the Z-order of columns cols[0..nc). */
static tarn_status zorder(const tarn_batch *b, const int *cols, int nc, int64_t *order,
                          tarn_err *err)
{
    int64_t n = b->n_rows;
    zrow *z = tarn_alloc(sizeof(zrow) * (size_t)(n ? n : 1));
    uint32_t *codes = tarn_alloc(sizeof(uint32_t) * (size_t)(n ? n : 1) * (size_t)nc);
    if (!z || !codes) {
        tarn_free(z);
        tarn_free(codes);
        return nomem(err);
    }
    /* Each column's codes scaled to 32 bits over its range here, so every
     * column contributes its full resolution to the curve. */
    for (int c = 0; c < nc; c++) {
        const tarn_vec *v = b->cols[cols[c]];
        uint64_t lo = UINT64_MAX, hi = 0;
        for (int64_t i = 0; i < n; i++) {
            uint64_t k = order_code(v, i);
            lo = k < lo ? k : lo;
            hi = k > hi ? k : hi;
        }
        u128 range = hi > lo ? (u128)(hi - lo) : 1;
        for (int64_t i = 0; i < n; i++)
            codes[i * nc + c] = (uint32_t)(((u128)(order_code(v, i) - lo) * 0xFFFFFFFFu) / range);
    }
    int bits = 128 / nc > 32 ? 32 : 128 / nc;
    for (int64_t i = 0; i < n; i++) {
        u128 key = 0;
        for (int bit = 31; bit >= 32 - bits; bit--)
            for (int c = 0; c < nc; c++)
                key = key << 1 | ((codes[i * nc + c] >> bit) & 1);
        z[i].key = key;
        z[i].row = i;
    }
    qsort(z, (size_t)n, sizeof *z, zrow_cmp);
    for (int64_t i = 0; i < n; i++)
        order[i] = z[i].row;
    tarn_free(z);
    tarn_free(codes);
    return TARN_OK;
}

/* Reads the rows of files[0..n) (all table columns) into one batch. */
static tarn_status read_files(const tarn_delta_snapshot *snap, const tarn_delta_add *const *files,
                              int n, tarn_batch **out, tarn_err *err)
{
    *out = NULL;
    tarn_delta_scan_opts so;
    memset(&so, 0, sizeof so);
    so.files = files;
    so.n_files = n;
    tarn_delta_scan *scan = NULL;
    TARN_TRY(tarn_delta_scan_open(snap, &so, &scan, err));
    tarn_batch *all = tarn_batch_create(snap->schema);
    tarn_status st = all ? TARN_OK : nomem(err);
    tarn_batch *b;
    while (st == TARN_OK && (st = tarn_delta_scan_next(scan, &b, err)) == TARN_OK && b)
        if (tarn_batch_append_range(all, b, 0, b->n_rows) != TARN_OK)
            st = nomem(err);
    tarn_delta_scan_close(scan);
    if (st != TARN_OK) {
        tarn_batch_destroy(all);
        return st;
    }
    *out = all;
    return TARN_OK;
}

/* Writes the rows of b, in `order` when given, in slices (the writer cuts
 * files between slices, so slices are small enough for small files). */
static tarn_status write_rows(tarn_delta_file_writer *w, const tarn_batch *b, const int64_t *order,
                              tarn_err *err)
{
    enum {
        SLICE = 4096
    };
    tarn_batch *part = tarn_batch_create(b->schema);
    if (!part)
        return nomem(err);
    tarn_status st = TARN_OK;
    for (int64_t at = 0; at < b->n_rows && st == TARN_OK; at += SLICE) {
        int64_t n = b->n_rows - at < SLICE ? b->n_rows - at : SLICE;
        tarn_batch_reset(part);
        for (int c = 0; c < b->n_cols && st == TARN_OK; c++)
            if ((order ? tarn_vec_append_take(part->cols[c], b->cols[c], order + at, n)
                       : tarn_vec_append_range(part->cols[c], b->cols[c], at, n)) != TARN_OK)
                st = nomem(err);
        part->n_rows = n;
        if (st == TARN_OK)
            st = tarn_delta_file_writer_write(w, part, err);
    }
    tarn_batch_destroy(part);
    return st;
}

static tarn_status check_columns(const tarn_delta_snapshot *snap, const tarn_delta_optimize_opts *o,
                                 int *cols, tarn_err *err)
{
    if (o->n_zorder_by > MAX_ZORDER)
        return tarn_err_set(err, TARN_ERR_INVALID, "at most %d Z-order columns", MAX_ZORDER);
    const tarn_schema *s = snap->schema;
    for (int k = 0; k < o->n_zorder_by; k++) {
        const char *name = o->zorder_by[k];
        int c = tarn_schema_find(s, name);
        if (c < 0) {
            const char **cand = tarn_alloc(sizeof(char *) * (size_t)(s->n_fields + 1));
            const char *sug = NULL;
            if (cand) {
                for (int i = 0; i < s->n_fields; i++)
                    cand[i] = s->fields[i].name;
                sug = tarn_suggest(name, cand, s->n_fields);
            }
            tarn_err_set(err, TARN_ERR_INVALID, "unknown Z-order column '%s'%s%s%s", name,
                         sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
            tarn_free(cand);
            return TARN_ERR_INVALID;
        }
        if (tarn_type_is_nested(s->fields[c].type.id))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "Z-order column '%s' is nested: only flat columns order rows",
                                name);
        for (int i = 0; i < snap->n_partition_columns; i++)
            if (snap->partition_column_index[i] == c)
                return tarn_err_set(err, TARN_ERR_INVALID,
                                    "Z-order column '%s' is a partition column: files are already "
                                    "split by it",
                                    name);
        cols[k] = c;
    }
    return TARN_OK;
}

static tarn_status set_operation(tarn_delta_transaction *tx, const tarn_delta_optimize_opts *o,
                                 const tarn_delta_optimize_result *r, int64_t ms, tarn_err *err)
{
    char params[1024], metrics[512];
    int k = snprintf(params, sizeof params, "{\"predicate\":\"[]\",\"zOrderBy\":\"[");
    for (int i = 0; i < o->n_zorder_by && k < (int)sizeof params - 64; i++)
        k += snprintf(params + k, sizeof params - (size_t)k, "%s\\\"%s\\\"", i ? "," : "",
                      o->zorder_by[i]);
    snprintf(params + k, sizeof params - (size_t)k, "]\"}");
    snprintf(
        metrics, sizeof metrics,
        "{\"numRemovedFiles\":\"%lld\",\"numAddedFiles\":\"%lld\",\"numRemovedBytes\":\"%lld\","
        "\"numAddedBytes\":\"%lld\",\"numRows\":\"%lld\",\"executionTimeMs\":\"%lld\"}",
        (long long)r->files_removed, (long long)r->files_added, (long long)r->bytes_removed,
        (long long)r->bytes_added, (long long)r->rows, (long long)ms);
    return tarn_delta_transaction_set_operation(tx, "OPTIMIZE", params, metrics, err);
}

tarn_status tarn_delta_optimize(const char *table_path, const tarn_delta_optimize_opts *o,
                                tarn_delta_optimize_result *out, tarn_err *err)
{
    tarn_delta_optimize_result local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    out->version = -1;
    int64_t t0 = tarn_monotonic_us();
    tarn_delta_transaction *tx = NULL;
    TARN_TRY(tarn_delta_transaction_create(table_path, &tx, err));
    const tarn_delta_snapshot *snap = tarn_delta_transaction_snapshot(tx);
    tarn_status st = TARN_OK;
    if (!snap) {
        tarn_delta_transaction_destroy(tx);
        return tarn_err_set(err, TARN_ERR_NOT_FOUND, "not a Delta table: %s", table_path);
    }
    out->version = snap->version;
    int zcols[MAX_ZORDER];
    int64_t target = o && o->target_file_bytes > 0 ? o->target_file_bytes : 128LL << 20;
    if (o)
        st = check_columns(snap, o, zcols, err);
    int nz = o ? o->n_zorder_by : 0;
    tarn_delta_file_writer_opts fo;
    tarn_delta_file_writer_opts_for_table(snap, &fo);
    fo.data_change = false;
    fo.target_file_bytes = target;
    if (target < (8 << 20)) /* files are cut at row-group ends: smaller groups for small files */
        fo.pq.row_group_bytes = target;
    tarn_delta_file_writer *w = NULL;
    const tarn_delta_add **group = tarn_alloc(sizeof(void *) * (size_t)(snap->n_files + 1));
    bool *done = tarn_calloc((size_t)snap->n_files + 1, 1);
    if (st == TARN_OK && (!group || !done))
        st = nomem(err);
    if (st == TARN_OK)
        st = tarn_delta_file_writer_create(tx, &fo, &w, err);
    tarn_delta_transaction_set_reads_data(tx, true);
    int64_t now = tarn_now_us() / 1000;
    for (int i = 0; i < snap->n_files && st == TARN_OK; i++) {
        if (done[i])
            continue;
        /* This partition's files: all of them for Z-order, else the small ones. */
        int n = 0;
        for (int j = i; j < snap->n_files; j++) {
            if (done[j] || !same_partition(&snap->files[i], &snap->files[j]))
                continue;
            done[j] = true;
            if (nz || snap->files[j].size < target)
                group[n++] = &snap->files[j];
        }
        if (n == 0 || (!nz && n < 2))
            continue; /* nothing to compact here */
        tarn_batch *rows = NULL;
        int64_t *order = NULL;
        st = read_files(snap, group, n, &rows, err);
        if (st == TARN_OK && nz) {
            order = tarn_alloc(sizeof(int64_t) * (size_t)(rows->n_rows + 1));
            st = order ? zorder(rows, zcols, nz, order, err) : nomem(err);
        }
        if (st == TARN_OK)
            st = write_rows(w, rows, order, err);
        for (int k = 0; k < n && st == TARN_OK; k++) {
            tarn_delta_remove rm;
            tarn_delta_remove_for_add(group[k], now, &rm);
            rm.data_change = false;
            st = tarn_delta_transaction_remove_file(tx, &rm, err);
            out->files_removed++;
            out->bytes_removed += group[k]->size;
        }
        if (rows)
            out->rows += rows->n_rows;
        out->partitions++;
        tarn_free(order);
        tarn_batch_destroy(rows);
    }
    if (st == TARN_OK)
        st = tarn_delta_file_writer_finish(w, err);
    if (st == TARN_OK && out->files_removed > 0) {
        tarn_delta_file_writer_totals(w, NULL, &out->files_added, &out->bytes_added);
        st = set_operation(tx, o ? o : &(tarn_delta_optimize_opts){0}, out,
                           (tarn_monotonic_us() - t0) / 1000, err);
        tarn_delta_commit_result cr;
        if (st == TARN_OK)
            st = tarn_delta_transaction_commit(tx, &cr, err);
        if (st == TARN_OK) {
            out->committed = true;
            out->version = cr.version;
        }
    }
    tarn_delta_file_writer_destroy(w);
    tarn_delta_transaction_destroy(tx);
    tarn_free(group);
    tarn_free(done);
    return st;
}
