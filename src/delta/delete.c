/*
 * delta/delete.c - DELETE by predicate, copy-on-write.
 *
 * Per candidate file (one the predicate's file test cannot rule out): a
 * first scan restricted to that file evaluates the predicate and keeps one
 * bit per row; no match leaves the file alone, all rows matching removes
 * it, otherwise a second scan of the same file (same row order, deletion
 * vector applied) gathers the unmatched rows into the data-file writer,
 * which routes them to new files in the file's partition. Removes carry
 * extendedFileMetadata and the file's deletion vector; everything commits
 * at once as a transaction that read data.
 */
#include "delta/delete.h"

#include "base/alloc.h"
#include "base/pool.h"
#include "base/time.h"
#include "delta/scan.h"
#include "delta/write.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct del_job {
    const tarn_delta_predicate *pred;   /* predicate (may be NULL) */
    tarn_delta_transaction *tx;         /* the transaction */
    const tarn_delta_snapshot *snap;    /* snapshot read */
    tarn_delta_file_writer *fw;         /* writer of rewritten files, created lazily */
    tarn_delta_file_writer_opts fo;     /* its options */
    tarn_batch *keep;                   /* gathered rows to keep */
    uint8_t *match;                     /* per-row predicate result (heap) */
    int64_t match_cap;                  /* entries in match */
    int64_t *idx;                       /* kept row indexes (heap) */
    tarn_buf bits;                      /* match bits of the current file */
    const tarn_delta_add *target;       /* file being scanned */
    bool cdf;                           /* change data feed on */
    int64_t removed_bytes;              /* bytes of removed files */
    tarn_delta_delete_result *out;      /* counters */
    const tarn_delta_merge_opts *merge; /* MERGE, or NULL for DELETE */
    int64_t lane_files, lane_bytes;     /* files written by insert lanes */
} del_job;

static tarn_status del_nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "delete: out of memory");
}

static bool only_target(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add)
{
    (void)snap;
    const del_job *j = ctx;
    if (add == j->target)
        return true;
    if (strcmp(add->path, j->target->path) != 0 || add->has_dv != j->target->has_dv)
        return false;
    return !add->has_dv || (add->dv.storage_type == j->target->dv.storage_type &&
                            strcmp(add->dv.path_or_inline, j->target->dv.path_or_inline) == 0 &&
                            add->dv.offset == j->target->dv.offset);
}

static tarn_status open_file_scan(del_job *j, const tarn_delta_add *add, tarn_delta_scan **out,
                                  tarn_err *err)
{
    j->target = add;
    tarn_delta_scan_opts so;
    memset(&so, 0, sizeof so);
    so.keep_file = only_target;
    so.keep_ctx = j;
    return tarn_delta_scan_open(j->snap, &so, out, err);
}

static bool grow_rows(del_job *j, int64_t n)
{
    if (n <= j->match_cap)
        return true;
    int64_t cap = j->match_cap ? j->match_cap : 4096;
    while (cap < n)
        cap *= 2;
    uint8_t *m = tarn_realloc(j->match, (size_t)cap);
    if (m)
        j->match = m;
    int64_t *ix = tarn_realloc(j->idx, (size_t)cap * sizeof *ix);
    if (ix)
        j->idx = ix;
    if (!m || !ix)
        return false;
    j->match_cap = cap;
    return true;
}

/* Pass 1: evaluates the predicate over the file; bits of matching rows go
 * to j->bits. */
static tarn_status count_matches(del_job *j, const tarn_delta_add *add, int64_t *out_rows,
                                 int64_t *out_matched, tarn_err *err)
{
    tarn_delta_scan *sc;
    TARN_TRY(open_file_scan(j, add, &sc, err));
    tarn_status st = TARN_OK;
    int64_t rows = 0, matched = 0;
    tarn_buf_reset(&j->bits);
    for (;;) {
        tarn_batch *b;
        if ((st = tarn_delta_scan_next(sc, &b, err)) != TARN_OK || !b)
            break;
        if (!grow_rows(j, b->n_rows)) {
            st = del_nomem(err);
            break;
        }
        if (j->pred && j->pred->eval) {
            if ((st = j->pred->eval(j->pred->ctx, b, j->match, err)) != TARN_OK)
                break;
        } else {
            memset(j->match, 1, (size_t)b->n_rows);
        }
        size_t need = (size_t)((rows + b->n_rows + 7) / 8);
        if (need > j->bits.len) {
            size_t grow = need - j->bits.len;
            if ((st = tarn_buf_reserve(&j->bits, grow)) != TARN_OK) {
                st = del_nomem(err);
                break;
            }
            memset(j->bits.data + j->bits.len, 0, grow);
            j->bits.len = need;
        }
        uint8_t *bits = (uint8_t *)j->bits.data;
        for (int64_t i = 0; i < b->n_rows; i++) {
            bool m = j->match[i] != 0;
            matched += m;
            if (m)
                tarn_bit_set(bits, rows + i, true);
        }
        rows += b->n_rows;
    }
    tarn_delta_scan_close(sc);
    *out_rows = rows;
    *out_matched = matched;
    return st;
}

/* Pass 2: writes the rows of the file that did not match. */
static tarn_status rewrite(del_job *j, const tarn_delta_add *add, tarn_err *err)
{
    if (!j->fw)
        TARN_TRY(tarn_delta_file_writer_create(j->tx, &j->fo, &j->fw, err));
    tarn_delta_scan *sc;
    TARN_TRY(open_file_scan(j, add, &sc, err));
    tarn_status st = TARN_OK;
    int64_t row = 0;
    const uint8_t *bits = (const uint8_t *)j->bits.data;
    for (;;) {
        tarn_batch *b;
        if ((st = tarn_delta_scan_next(sc, &b, err)) != TARN_OK || !b)
            break;
        if (!grow_rows(j, b->n_rows)) {
            st = del_nomem(err);
            break;
        }
        if (!j->keep) {
            if (!(j->keep = tarn_batch_create(j->fo.table_schema))) {
                st = del_nomem(err);
                break;
            }
        }
        int64_t n = 0;
        for (int64_t i = 0; i < b->n_rows; i++)
            if (row + i >= (int64_t)j->bits.len * 8 || !tarn_bit_get(bits, row + i))
                j->idx[n++] = i;
        row += b->n_rows;
        if (n == 0)
            continue;
        tarn_batch_reset(j->keep);
        /* By name: a widened table (merge evolve_to) has columns old files lack. */
        for (int c = 0; c < j->keep->n_cols && st == TARN_OK; c++) {
            int src_col = tarn_schema_find(b->schema, j->fo.table_schema->fields[c].name);
            st = src_col >= 0 ? tarn_vec_append_take(j->keep->cols[c], b->cols[src_col], j->idx, n)
                              : tarn_vec_append_nulls(j->keep->cols[c], n);
        }
        if (st != TARN_OK) {
            tarn_err_set(err, st, "delete: cannot gather the rows to keep");
            break;
        }
        j->keep->n_rows = n;
        j->out->copied_rows += n;
        if ((st = tarn_delta_file_writer_write(j->fw, j->keep, err)) != TARN_OK)
            break;
    }
    tarn_delta_scan_close(sc);
    return st;
}

static tarn_status remove_file(del_job *j, const tarn_delta_add *f, int64_t now, tarn_err *err)
{
    tarn_delta_remove rm;
    tarn_delta_remove_for_add(f, now, &rm);
    j->out->removed_files++;
    j->removed_bytes += f->size;
    return tarn_delta_transaction_remove_file(j->tx, &rm, err);
}

/* Decides and applies the fate of one active file. */
static tarn_status process_file(del_job *j, const tarn_delta_add *f, tarn_arena *a, int64_t now,
                                tarn_err *err)
{
    if (j->pred && j->pred->file_may_match) {
        tarn_delta_file_stats st;
        bool has = false;
        tarn_err ignored;
        tarn_arena_reset(a);
        bool ok = tarn_delta_file_stats_for_add(j->snap, f, a, &st, &has, &ignored) == TARN_OK;
        if (!j->pred->file_may_match(j->pred->ctx, j->snap, f, ok && has ? &st : NULL)) {
            j->out->files_skipped++;
            return TARN_OK;
        }
    }
    if (!j->pred || !j->pred->eval) {
        /* DELETE without predicate: whole files go; count rows from stats */
        tarn_delta_file_stats st;
        bool has = false;
        tarn_err ignored;
        tarn_arena_reset(a);
        if (f->stats &&
            tarn_delta_file_stats_for_add(j->snap, f, a, &st, &has, &ignored) == TARN_OK && has &&
            st.has_num_records && !f->has_dv) {
            j->out->deleted_rows += st.num_records;
            j->out->files_scanned++;
            return remove_file(j, f, now, err);
        }
    }
    int64_t rows, matched;
    j->out->files_scanned++;
    TARN_TRY(count_matches(j, f, &rows, &matched, err));
    if (matched == 0)
        return TARN_OK;
    j->out->deleted_rows += matched;
    if (j->merge && j->merge->dry_run) { /* what would happen, nothing more */
        j->out->removed_files++;
        j->out->added_files += matched < rows;
        return TARN_OK;
    }
    if (matched < rows) {
        if (j->cdf)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "delete: the table has the change data feed on "
                                "(delta.enableChangeDataFeed), and tarn does not write change "
                                "data files for partially deleted files");
        TARN_TRY(rewrite(j, f, err));
    }
    return remove_file(j, f, now, err);
}

static json_t *num_str(int64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)v);
    return json_string(t);
}

static tarn_status set_operation(del_job *j, int64_t added_bytes, int64_t elapsed_ms, tarn_err *err)
{
    json_t *params = json_object(), *metrics = json_object(), *arr = json_array();
    char *pj = NULL, *mj = NULL, *aj = NULL;
    tarn_status st = TARN_OK;
    if (!params || !metrics || !arr) {
        st = del_nomem(err);
        goto done;
    }
    json_array_append_new(arr, json_string(j->pred && j->pred->text ? j->pred->text : "true"));
    aj = json_dumps(arr, JSON_COMPACT);
    json_object_set_new(params, "predicate", json_string(aj ? aj : "[]"));
    tarn_delta_delete_result *o = j->out;
    json_object_set_new(metrics, "numRemovedFiles", num_str(o->removed_files));
    json_object_set_new(metrics, "numAddedFiles", num_str(o->added_files));
    json_object_set_new(metrics, "numDeletedRows", num_str(o->deleted_rows));
    json_object_set_new(metrics, "numCopiedRows", num_str(o->copied_rows));
    if (j->merge)
        json_object_set_new(metrics, "numTargetRowsInserted", num_str(o->inserted_rows));
    json_object_set_new(metrics, "numRemovedBytes", num_str(j->removed_bytes));
    json_object_set_new(metrics, "numAddedBytes", num_str(added_bytes));
    json_object_set_new(metrics, "executionTimeMs", num_str(elapsed_ms));
    pj = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
    mj = json_dumps(metrics, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!pj || !mj)
        st = del_nomem(err);
    else
        st =
            tarn_delta_transaction_set_operation(j->tx, j->merge ? "MERGE" : "DELETE", pj, mj, err);
done:
    free(pj);
    free(mj);
    free(aj);
    json_decref(params);
    json_decref(metrics);
    json_decref(arr);
    return st;
}

static void writer_opts(del_job *j)
{
    tarn_delta_file_writer_opts_for_table(j->snap, &j->fo);
}

void tarn_delta_file_writer_opts_for_table(const tarn_delta_snapshot *s,
                                           tarn_delta_file_writer_opts *fo)
{
    memset(fo, 0, sizeof *fo);
    fo->table_schema = s->schema;
    fo->partition_by = s->metadata.partition_columns;
    fo->n_partition_by = s->metadata.n_partition_columns;
    tarn_pq_write_opts_init(&fo->pq);
    tarn_delta_codec_from_config(s->metadata.configuration, s->metadata.n_configuration,
                                 &fo->pq.codec);
    fo->data_change = true;
    tarn_delta_stats_opts_init(&fo->stats);
    tarn_delta_stats_opts_from_config(&fo->stats, s->metadata.configuration,
                                      s->metadata.n_configuration);
    for (int i = 0; i < s->protocol.n_writer_features; i++)
        fo->stats.tight_bounds |= strcmp(s->protocol.writer_features[i], "deletionVectors") == 0;
    fo->stats.writer_minmax = true;
}

/* Insert lanes: each pumps its source into deferred files of its own. */
typedef struct ins_lane {
    del_job *j;
    void *ctx;
    tarn_delta_file_writer *fw;
    int64_t rows;
    tarn_status st;
    tarn_err err;
} ins_lane;

static tarn_status lane_pump(ins_lane *l, tarn_err *err)
{
    for (;;) {
        tarn_batch *b = NULL;
        TARN_TRY(l->j->merge->insert_next(l->ctx, &b, err));
        if (!b)
            return tarn_delta_file_writer_finish(l->fw, err);
        if (b->n_rows == 0)
            continue;
        TARN_TRY(tarn_delta_file_writer_write(l->fw, b, err));
        l->rows += b->n_rows;
    }
}

static void lane_task(void *ctx, int64_t i)
{
    ins_lane *l = &((ins_lane *)ctx)[i];
    tarn_err_clear(&l->err);
    l->st = lane_pump(l, &l->err);
}

static tarn_status insert_lanes(del_job *j, tarn_err *err)
{
    int n = j->merge->n_insert_lanes;
    ins_lane *lanes = tarn_calloc((size_t)n, sizeof *lanes);
    if (!lanes)
        return del_nomem(err);
    tarn_delta_file_writer_opts fo = j->fo;
    fo.deferred = true;
    tarn_status st = TARN_OK;
    for (int k = 0; k < n && st == TARN_OK; k++) {
        lanes[k].j = j;
        lanes[k].ctx = j->merge->insert_ctxs[k];
        st = tarn_delta_file_writer_create(j->tx, &fo, &lanes[k].fw, err);
    }
    if (st == TARN_OK) {
        tarn_pool_run(tarn_pool_default(), n, lane_task, lanes);
        for (int k = 0; k < n && st == TARN_OK; k++)
            if ((st = lanes[k].st) != TARN_OK)
                *err = lanes[k].err;
    }
    for (int k = 0; k < n && st == TARN_OK; k++) {
        st = tarn_delta_file_writer_publish(lanes[k].fw, err);
        int64_t files, bytes;
        tarn_delta_file_writer_totals(lanes[k].fw, NULL, &files, &bytes);
        j->out->inserted_rows += lanes[k].rows;
        j->lane_files += files;
        j->lane_bytes += bytes;
    }
    for (int k = 0; k < n; k++)
        tarn_delta_file_writer_destroy(lanes[k].fw);
    tarn_free(lanes);
    return st;
}

/* Adds the merge's incoming rows through the same file writer (or, with
 * insert lanes, through writers of their own). */
static tarn_status insert_rows(del_job *j, tarn_err *err)
{
    if (!j->merge || !j->merge->insert_next)
        return TARN_OK;
    if (j->merge->n_insert_lanes > 1 && !j->merge->dry_run)
        return insert_lanes(j, err);
    for (;;) {
        tarn_batch *b = NULL;
        TARN_TRY(j->merge->insert_next(j->merge->insert_ctx, &b, err));
        if (!b)
            return TARN_OK;
        if (b->n_rows == 0)
            continue;
        if (j->merge->dry_run) {
            j->out->inserted_rows += b->n_rows;
            continue;
        }
        if (!j->fw)
            TARN_TRY(tarn_delta_file_writer_create(j->tx, &j->fo, &j->fw, err));
        TARN_TRY(tarn_delta_file_writer_write(j->fw, b, err));
        j->out->inserted_rows += b->n_rows;
    }
}

static tarn_status delete_or_merge(const char *table_path, const tarn_delta_predicate *pred,
                                   const tarn_delta_merge_opts *mo, tarn_delta_delete_result *out,
                                   tarn_err *err)
{
    tarn_delta_delete_result local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    out->version = -1;
    int64_t t0 = tarn_monotonic_us();
    del_job j;
    memset(&j, 0, sizeof j);
    j.pred = pred;
    j.out = out;
    j.merge = mo;
    tarn_buf_init(&j.bits);
    tarn_arena *a = tarn_arena_create(0);
    tarn_status st = a ? tarn_delta_transaction_create(table_path, &j.tx, err) : del_nomem(err);
    if (st != TARN_OK)
        goto done;
    j.snap = tarn_delta_transaction_snapshot(j.tx);
    if (!j.snap) {
        st = tarn_err_set(err, TARN_ERR_NOT_FOUND, "not a Delta table: %s", table_path);
        goto done;
    }
    out->version = j.snap->version;
    if ((st = tarn_delta_check_removal_allowed(&j.snap->metadata, mo ? "MERGE" : "DELETE", err)) !=
        TARN_OK)
        goto done;
    j.cdf = tarn_delta_config_bool(j.snap->metadata.configuration, j.snap->metadata.n_configuration,
                                   "delta.enableChangeDataFeed");
    tarn_delta_transaction_set_reads_data(j.tx, true);
    writer_opts(&j);
    if (mo && mo->evolve_to) {
        bool more = false;
        for (int i = 0; i < mo->evolve_to->n_fields; i++)
            more |= tarn_schema_find(j.snap->schema, mo->evolve_to->fields[i].name) < 0;
        if (more && !mo->dry_run) {
            if ((st = tarn_delta_transaction_add_columns(j.tx, mo->evolve_to, err)) != TARN_OK)
                goto done;
            j.fo.table_schema = mo->evolve_to;
        }
    }
    int64_t now = tarn_now_us() / 1000;
    for (int i = 0; i < j.snap->n_files && st == TARN_OK; i++)
        st = process_file(&j, &j.snap->files[i], a, now, err);
    if (st == TARN_OK)
        st = insert_rows(&j, err);
    if (st == TARN_OK && j.fw)
        st = tarn_delta_file_writer_finish(j.fw, err);
    if (st != TARN_OK || (mo && mo->dry_run) ||
        (out->deleted_rows == 0 && out->inserted_rows == 0 && !(mo && mo->app_id)))
        goto done; /* nothing matched (or a dry run): no commit */
    if (mo && mo->app_id)
        st = tarn_delta_transaction_set_txn(j.tx, mo->app_id, mo->app_version, err);
    int64_t added_bytes = 0;
    if (j.fw)
        tarn_delta_file_writer_totals(j.fw, NULL, &out->added_files, &added_bytes);
    out->added_files += j.lane_files;
    added_bytes += j.lane_bytes;
    if (st == TARN_OK)
        st = set_operation(&j, added_bytes, (tarn_monotonic_us() - t0) / 1000, err);
    if (mo)
        tarn_delta_transaction_set_verify(j.tx, mo->verify, mo->verify_ctx);
    tarn_delta_commit_result cr;
    if (st == TARN_OK)
        st = tarn_delta_transaction_commit(j.tx, &cr, err);
    if (st == TARN_OK) {
        out->version = cr.version;
        out->committed = true;
        out->attempts = cr.attempts;
        out->checkpoint_written = cr.checkpoint_written;
        out->has_warning = cr.has_warning;
        memcpy(out->warning, cr.warning, sizeof out->warning);
    }
done:
    tarn_delta_file_writer_destroy(j.fw);
    tarn_delta_transaction_destroy(j.tx);
    tarn_batch_destroy(j.keep);
    tarn_free(j.match);
    tarn_free(j.idx);
    tarn_buf_fini(&j.bits);
    tarn_arena_destroy(a);
    return st;
}

tarn_status tarn_delta_delete(const char *table_path, const tarn_delta_predicate *pred,
                              tarn_delta_delete_result *out, tarn_err *err)
{
    return delete_or_merge(table_path, pred, NULL, out, err);
}

tarn_status tarn_delta_merge(const char *table_path, const tarn_delta_predicate *pred,
                             const tarn_delta_merge_opts *mo, tarn_delta_delete_result *out,
                             tarn_err *err)
{
    return delete_or_merge(table_path, pred, mo, out, err);
}
