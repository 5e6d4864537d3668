/*
 * delta/checkpoint_write.c - classic single-file checkpoints (V1 spec) and
 * _last_checkpoint.
 *
 * One row per action, one top-level struct column per action type (txn,
 * add, remove, metaData, protocol), exactly one of them non-null per row,
 * in the column layout of PROTOCOL.md "Checkpoint Schema". The Parquet file
 * is written under a hidden temp name in _delta_log and linked to its real
 * name (create-exclusive: a checkpoint another writer already put there is
 * kept); a crash leaves only the temp file, which vacuum removes.
 * _last_checkpoint is replaced atomically and only ever moves forward.
 */
#include "delta/checkpoint.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/time.h"
#include "delta/commit.h"
#include "parquet/writer.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t tarn_delta_checkpoint_interval(const tarn_delta_kv *config, int n_config)
{
    const char *v = tarn_delta_kv_get(config, n_config, "delta.checkpointInterval");
    if (!v)
        return TARN_DELTA_DEFAULT_CHECKPOINT_INTERVAL;
    char *end;
    long long n = strtoll(v, &end, 10);
    if (end == v || *end || n <= 0)
        return TARN_DELTA_DEFAULT_CHECKPOINT_INTERVAL;
    return n;
}

int64_t tarn_delta_deleted_file_retention_ms(const tarn_delta_kv *config, int n_config)
{
    const char *v = tarn_delta_kv_get(config, n_config, "delta.deletedFileRetentionDuration");
    int64_t ms;
    if (v && tarn_delta_parse_interval_ms(v, &ms))
        return ms;
    return TARN_DELTA_DEFAULT_RETENTION_MS;
}

/* Checkpoint schema ---------------------------------------------------------- */

enum {
    F_STR,
    F_I64,
    F_I32,
    F_BOOL,
    F_MAP,
    F_LIST,
    F_STRUCT
};

typedef struct fdesc {
    const char *name;             /* member name */
    int kind;                     /* F_* */
    const struct fdesc *children; /* F_STRUCT members */
    int n_children;               /* entries in children */
} fdesc;

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const fdesc k_dv[] = {{"storageType", F_STR, NULL, 0},
                             {"pathOrInlineDv", F_STR, NULL, 0},
                             {"offset", F_I32, NULL, 0},
                             {"sizeInBytes", F_I32, NULL, 0},
                             {"cardinality", F_I64, NULL, 0}};
static const fdesc k_txn[] = {
    {"appId", F_STR, NULL, 0}, {"version", F_I64, NULL, 0}, {"lastUpdated", F_I64, NULL, 0}};
static const fdesc k_add[] = {{"path", F_STR, NULL, 0},
                              {"partitionValues", F_MAP, NULL, 0},
                              {"size", F_I64, NULL, 0},
                              {"modificationTime", F_I64, NULL, 0},
                              {"dataChange", F_BOOL, NULL, 0},
                              {"tags", F_MAP, NULL, 0},
                              {"deletionVector", F_STRUCT, k_dv, N(k_dv)},
                              {"baseRowId", F_I64, NULL, 0},
                              {"defaultRowCommitVersion", F_I64, NULL, 0},
                              {"stats", F_STR, NULL, 0}};
static const fdesc k_remove[] = {{"path", F_STR, NULL, 0},
                                 {"deletionTimestamp", F_I64, NULL, 0},
                                 {"dataChange", F_BOOL, NULL, 0},
                                 {"extendedFileMetadata", F_BOOL, NULL, 0},
                                 {"partitionValues", F_MAP, NULL, 0},
                                 {"size", F_I64, NULL, 0},
                                 {"deletionVector", F_STRUCT, k_dv, N(k_dv)}};
static const fdesc k_format[] = {{"provider", F_STR, NULL, 0}, {"options", F_MAP, NULL, 0}};
static const fdesc k_meta[] = {{"id", F_STR, NULL, 0},
                               {"name", F_STR, NULL, 0},
                               {"description", F_STR, NULL, 0},
                               {"format", F_STRUCT, k_format, N(k_format)},
                               {"schemaString", F_STR, NULL, 0},
                               {"partitionColumns", F_LIST, NULL, 0},
                               {"configuration", F_MAP, NULL, 0},
                               {"createdTime", F_I64, NULL, 0}};
static const fdesc k_protocol[] = {{"minReaderVersion", F_I32, NULL, 0},
                                   {"minWriterVersion", F_I32, NULL, 0},
                                   {"readerFeatures", F_LIST, NULL, 0},
                                   {"writerFeatures", F_LIST, NULL, 0}};
static const fdesc k_top[] = {{"txn", F_STRUCT, k_txn, N(k_txn)},
                              {"add", F_STRUCT, k_add, N(k_add)},
                              {"remove", F_STRUCT, k_remove, N(k_remove)},
                              {"metaData", F_STRUCT, k_meta, N(k_meta)},
                              {"protocol", F_STRUCT, k_protocol, N(k_protocol)}};
enum {
    COL_TXN,
    COL_ADD,
    COL_REMOVE,
    COL_META,
    COL_PROTOCOL
};

static tarn_status fill_field(tarn_arena *a, tarn_field *f, const fdesc *d, bool skip_stats)
{
    memset(f, 0, sizeof *f);
    f->name = d->name;
    f->nullable = true;
    f->field_id = -1;
    switch (d->kind) {
    case F_STR:
        f->type = tarn_type_make(TARN_TYPE_STRING);
        return TARN_OK;
    case F_I64:
        f->type = tarn_type_make(TARN_TYPE_INT64);
        return TARN_OK;
    case F_I32:
        f->type = tarn_type_make(TARN_TYPE_INT32);
        return TARN_OK;
    case F_BOOL:
        f->type = tarn_type_make(TARN_TYPE_BOOL);
        return TARN_OK;
    case F_MAP:
    case F_LIST: {
        bool map = d->kind == F_MAP;
        f->type = tarn_type_make(map ? TARN_TYPE_MAP : TARN_TYPE_LIST);
        f->n_children = map ? 2 : 1;
        f->children = tarn_arena_calloc(a, (size_t)f->n_children, sizeof *f->children);
        if (!f->children)
            return TARN_ERR_NOMEM;
        static const char *const names[] = {"key", "value", "element"};
        for (int i = 0; i < f->n_children; i++) {
            tarn_field *c = &f->children[i];
            c->name = map ? names[i] : names[2];
            c->type = tarn_type_make(TARN_TYPE_STRING);
            c->nullable = !(map && i == 0);
            c->field_id = -1;
        }
        return TARN_OK;
    }
    default: {
        f->type = tarn_type_make(TARN_TYPE_STRUCT);
        int n = d->n_children;
        if (skip_stats && d->children == k_add)
            n--; /* stats is the last add member */
        f->children = tarn_arena_calloc(a, (size_t)n, sizeof *f->children);
        if (!f->children)
            return TARN_ERR_NOMEM;
        f->n_children = n;
        for (int i = 0; i < n; i++)
            TARN_TRY(fill_field(a, &f->children[i], &d->children[i], skip_stats));
        return TARN_OK;
    }
    }
}

static tarn_schema *checkpoint_schema(bool skip_stats)
{
    tarn_schema *s = tarn_schema_create();
    if (!s)
        return NULL;
    for (int i = 0; i < N(k_top); i++) {
        tarn_field *f = tarn_schema_add(s, k_top[i].name, tarn_type_make(TARN_TYPE_STRUCT), true);
        if (!f || fill_field(s->arena, f, &k_top[i], skip_stats) != TARN_OK) {
            tarn_schema_destroy(s);
            return NULL;
        }
    }
    return s;
}

/* Vector builders -------------------------------------------------------------- */

/* Marks the next row of a STRUCT/LIST/MAP vector valid (children already
 * appended; LIST/MAP offsets set from their first child's length). */
static tarn_status finish_row(tarn_vec *v)
{
    TARN_TRY(tarn_vec_reserve(v, 1));
    if (v->type.id == TARN_TYPE_LIST || v->type.id == TARN_TYPE_MAP)
        v->offsets[v->len + 1] = (int32_t)v->children[0]->len;
    if (v->validity)
        tarn_bit_set(v->validity, v->len, true);
    v->len++;
    return TARN_OK;
}

static tarn_status put_str(tarn_vec *v, const char *s)
{
    return s ? tarn_vec_append_bytes(v, s, (int64_t)strlen(s)) : tarn_vec_append_null(v);
}

static tarn_status put_i64(tarn_vec *v, bool has, int64_t x)
{
    return has ? tarn_vec_append_i64(v, x) : tarn_vec_append_null(v);
}

static tarn_status put_map(tarn_vec *v, const tarn_delta_kv *kv, int n, bool present)
{
    if (!present)
        return tarn_vec_append_null(v);
    for (int i = 0; i < n; i++) {
        TARN_TRY(put_str(v->children[0], kv[i].key));
        TARN_TRY(put_str(v->children[1], kv[i].value));
    }
    return finish_row(v);
}

static tarn_status put_list(tarn_vec *v, const char *const *s, int n, bool present)
{
    if (!present)
        return tarn_vec_append_null(v);
    for (int i = 0; i < n; i++)
        TARN_TRY(put_str(v->children[0], s[i]));
    return finish_row(v);
}

static tarn_status put_dv(tarn_vec *v, bool has, const tarn_delta_dv *dv)
{
    if (!has)
        return tarn_vec_append_null(v);
    char st[2] = {dv->storage_type, '\0'};
    TARN_TRY(put_str(v->children[0], st));
    TARN_TRY(put_str(v->children[1], dv->path_or_inline ? dv->path_or_inline : ""));
    TARN_TRY(dv->has_offset ? tarn_vec_append_i32(v->children[2], dv->offset)
                            : tarn_vec_append_null(v->children[2]));
    TARN_TRY(tarn_vec_append_i32(v->children[3], dv->size_in_bytes));
    TARN_TRY(tarn_vec_append_i64(v->children[4], dv->cardinality));
    return finish_row(v);
}

/* Appends nulls to every top-level column except `keep`. */
static tarn_status null_others(tarn_batch *b, int keep)
{
    for (int c = 0; c < b->n_cols; c++)
        if (c != keep)
            TARN_TRY(tarn_vec_append_null(b->cols[c]));
    b->n_rows++;
    return TARN_OK;
}

static tarn_status row_txn(tarn_batch *b, const tarn_delta_txn *t)
{
    tarn_vec *v = b->cols[COL_TXN];
    TARN_TRY(put_str(v->children[0], t->app_id));
    TARN_TRY(tarn_vec_append_i64(v->children[1], t->version));
    TARN_TRY(put_i64(v->children[2], t->has_last_updated, t->last_updated));
    TARN_TRY(finish_row(v));
    return null_others(b, COL_TXN);
}

static tarn_status row_add(tarn_batch *b, const tarn_delta_add *a, bool with_stats)
{
    tarn_vec *v = b->cols[COL_ADD];
    tarn_vec **c = v->children;
    TARN_TRY(put_str(c[0], a->path));
    TARN_TRY(put_map(c[1], a->partition_values, a->n_partition_values, true));
    TARN_TRY(tarn_vec_append_i64(c[2], a->size));
    TARN_TRY(tarn_vec_append_i64(c[3], a->modification_time));
    TARN_TRY(tarn_vec_append_bool(c[4], a->data_change));
    TARN_TRY(put_map(c[5], a->tags, a->n_tags, a->n_tags > 0));
    TARN_TRY(put_dv(c[6], a->has_dv, &a->dv));
    TARN_TRY(put_i64(c[7], a->has_base_row_id, a->base_row_id));
    TARN_TRY(put_i64(c[8], a->has_default_row_commit_version, a->default_row_commit_version));
    if (with_stats)
        TARN_TRY(put_str(c[9], a->stats));
    TARN_TRY(finish_row(v));
    return null_others(b, COL_ADD);
}

static tarn_status row_remove(tarn_batch *b, const tarn_delta_remove *r)
{
    tarn_vec *v = b->cols[COL_REMOVE];
    tarn_vec **c = v->children;
    TARN_TRY(put_str(c[0], r->path));
    TARN_TRY(put_i64(c[1], r->has_deletion_timestamp, r->deletion_timestamp));
    TARN_TRY(tarn_vec_append_bool(c[2], r->data_change));
    TARN_TRY(tarn_vec_append_bool(c[3], r->extended_file_metadata));
    TARN_TRY(put_map(c[4], r->partition_values, r->n_partition_values,
                     r->extended_file_metadata || r->n_partition_values > 0));
    TARN_TRY(put_i64(c[5], r->has_size, r->size));
    TARN_TRY(put_dv(c[6], r->has_dv, &r->dv));
    TARN_TRY(finish_row(v));
    return null_others(b, COL_REMOVE);
}

static tarn_status row_metadata(tarn_batch *b, const tarn_delta_metadata *m)
{
    tarn_vec *v = b->cols[COL_META];
    tarn_vec **c = v->children;
    TARN_TRY(put_str(c[0], m->id));
    TARN_TRY(put_str(c[1], m->name));
    TARN_TRY(put_str(c[2], m->description));
    TARN_TRY(put_str(c[3]->children[0], m->format_provider ? m->format_provider : "parquet"));
    TARN_TRY(put_map(c[3]->children[1], NULL, 0, true));
    TARN_TRY(finish_row(c[3]));
    TARN_TRY(put_str(c[4], m->schema_string));
    TARN_TRY(put_list(c[5], m->partition_columns, m->n_partition_columns, true));
    TARN_TRY(put_map(c[6], m->configuration, m->n_configuration, true));
    TARN_TRY(put_i64(c[7], m->has_created_time, m->created_time));
    TARN_TRY(finish_row(v));
    return null_others(b, COL_META);
}

static tarn_status row_protocol(tarn_batch *b, const tarn_delta_protocol *p)
{
    tarn_vec *v = b->cols[COL_PROTOCOL];
    tarn_vec **c = v->children;
    TARN_TRY(tarn_vec_append_i32(c[0], p->min_reader_version));
    TARN_TRY(tarn_vec_append_i32(c[1], p->min_writer_version));
    TARN_TRY(put_list(c[2], p->reader_features, p->n_reader_features,
                      p->min_reader_version >= 3 || p->has_reader_features));
    TARN_TRY(put_list(c[3], p->writer_features, p->n_writer_features,
                      p->min_writer_version >= 7 || p->has_writer_features));
    TARN_TRY(finish_row(v));
    return null_others(b, COL_PROTOCOL);
}

/* Gives every STRING/BINARY vector a payload buffer up front: copying an
 * all-null string vector must not hand memcpy a NULL pointer. */
static tarn_status reserve_payloads(tarn_vec *v)
{
    if (v->type.id == TARN_TYPE_STRING || v->type.id == TARN_TYPE_BINARY)
        TARN_TRY(tarn_vec_reserve_bytes(v, 64));
    for (int i = 0; i < v->n_children; i++)
        TARN_TRY(reserve_payloads(v->children[i]));
    return TARN_OK;
}

/* Writing ------------------------------------------------------------------------ */

#define CP_BATCH_ROWS 4096

typedef struct cp_writer {
    tarn_pq_writer *pq; /* open Parquet writer */
    tarn_batch *b;      /* rows being built */
    bool with_stats;    /* add.stats column present */
    int64_t n_actions;  /* rows written */
    int64_t n_adds;     /* add rows written */
} cp_writer;

static tarn_status flush(cp_writer *w, tarn_err *err)
{
    if (w->b->n_rows == 0)
        return TARN_OK;
    TARN_TRY(tarn_pq_writer_write(w->pq, w->b, err));
    w->n_actions += w->b->n_rows;
    tarn_batch_reset(w->b);
    return TARN_OK;
}

static tarn_status after_row(cp_writer *w, tarn_status st, tarn_err *err)
{
    if (st != TARN_OK)
        return tarn_err_set(err, st, "checkpoint: cannot build a row");
    return w->b->n_rows >= CP_BATCH_ROWS ? flush(w, err) : TARN_OK;
}

static tarn_status write_rows(cp_writer *w, const tarn_delta_snapshot *s, tarn_err *err)
{
    TARN_TRY(after_row(w, row_protocol(w->b, &s->protocol), err));
    TARN_TRY(after_row(w, row_metadata(w->b, &s->metadata), err));
    for (int i = 0; i < s->n_txns; i++)
        TARN_TRY(after_row(w, row_txn(w->b, &s->txns[i]), err));
    int64_t cutoff =
        tarn_now_us() / 1000 - tarn_delta_deleted_file_retention_ms(s->metadata.configuration,
                                                                    s->metadata.n_configuration);
    for (int i = 0; i < s->n_tombstones; i++) {
        const tarn_delta_remove *r = &s->tombstones[i];
        if (!r->has_deletion_timestamp || r->deletion_timestamp <= cutoff)
            continue; /* expired: vacuum may already have deleted the file */
        TARN_TRY(after_row(w, row_remove(w->b, r), err));
    }
    for (int i = 0; i < s->n_files; i++) {
        TARN_TRY(after_row(w, row_add(w->b, &s->files[i], w->with_stats), err));
        w->n_adds++;
    }
    return flush(w, err);
}

static tarn_status refuse_unsupported(const tarn_delta_snapshot *s, tarn_err *err)
{
    const tarn_delta_protocol *p = &s->protocol;
    for (int i = 0; i < p->n_writer_features; i++) {
        const char *f = p->writer_features[i];
        if (strcmp(f, "domainMetadata") == 0 || strcmp(f, "rowTracking") == 0 ||
            strcmp(f, "clustering") == 0)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "checkpoint: the table uses %s, which tarn checkpoints do not "
                                "preserve",
                                f);
    }
    if (tarn_delta_config_bool(s->metadata.configuration, s->metadata.n_configuration,
                               "delta.checkpoint.writeStatsAsStruct"))
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                            "checkpoint: delta.checkpoint.writeStatsAsStruct is set, and tarn "
                            "writes statistics as JSON only");
    return TARN_OK;
}

/* Moves _last_checkpoint forward to info (never backwards). */
static tarn_status update_last_checkpoint(const char *log_dir,
                                          const tarn_delta_checkpoint_info *info, tarn_arena *a,
                                          tarn_err *err)
{
    char *path = tarn_path_join(a, log_dir, "_last_checkpoint");
    if (!path)
        return tarn_err_set(err, TARN_ERR_NOMEM, "checkpoint: out of memory");
    tarn_buf cur = TARN_BUF_INIT;
    tarn_err e;
    if (tarn_file_read_all(path, 1 << 20, &cur, &e) == TARN_OK && cur.data) {
        json_t *j = json_loadb(cur.data, cur.len, 0, NULL);
        json_t *v = j ? json_object_get(j, "version") : NULL;
        bool newer = v && json_is_integer(v) && json_integer_value(v) >= info->version;
        json_decref(j);
        if (newer) {
            tarn_buf_fini(&cur);
            return TARN_OK;
        }
    }
    tarn_buf_fini(&cur);
    char text[256];
    int n = snprintf(text, sizeof text,
                     "{\"version\":%lld,\"size\":%lld,\"sizeInBytes\":%lld,\"numOfAddFiles\":%lld}",
                     (long long)info->version, (long long)info->n_actions,
                     (long long)info->size_bytes, (long long)info->n_add_files);
    return tarn_file_write_atomic(path, text, (size_t)n, err);
}

/* Links tmp to final unless final exists; removes tmp either way. */
static tarn_status place(const char *tmp, const char *final, bool *existed, tarn_err *err)
{
    *existed = false;
    int r = link(tmp, final);
    int e = errno;
    unlink(tmp);
    if (r != 0) {
        if (e == EEXIST) {
            *existed = true;
            return TARN_OK;
        }
        errno = e;
        return tarn_err_errno(err, "cannot publish checkpoint", final);
    }
    return TARN_OK;
}

tarn_status tarn_delta_checkpoint_write_snapshot(const tarn_delta_snapshot *snap,
                                                 tarn_delta_checkpoint_info *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->version = snap->version;
    TARN_TRY(refuse_unsupported(snap, err));
    bool with_stats =
        !(tarn_delta_kv_get(snap->metadata.configuration, snap->metadata.n_configuration,
                            "delta.checkpoint.writeStatsAsJson") &&
          !tarn_delta_config_bool(snap->metadata.configuration, snap->metadata.n_configuration,
                                  "delta.checkpoint.writeStatsAsJson"));
    tarn_arena *a = tarn_arena_create(0);
    tarn_schema *schema = checkpoint_schema(!with_stats);
    cp_writer w = {NULL, NULL, with_stats, 0, 0};
    tarn_status st = TARN_OK;
    char uuid[40];
    char *log_dir = NULL, *tmp = NULL, *final = NULL;
    if (!a || !schema || !(w.b = tarn_batch_create(schema))) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "checkpoint: out of memory");
        goto done;
    }
    for (int c = 0; c < w.b->n_cols && st == TARN_OK; c++)
        st = reserve_payloads(w.b->cols[c]);
    if (st != TARN_OK) {
        tarn_err_set(err, st, "checkpoint: out of memory");
        goto done;
    }
    if ((st = tarn_delta_uuid4(uuid, err)) != TARN_OK)
        goto done;
    log_dir = tarn_path_join(a, snap->table_path, "_delta_log");
    final = log_dir ? tarn_arena_printf(a, "%s/%020lld.checkpoint.parquet", log_dir,
                                        (long long)snap->version)
                    : NULL;
    tmp = log_dir ? tarn_arena_printf(a, "%s/.%020lld.checkpoint.parquet.tmp-%s", log_dir,
                                      (long long)snap->version, uuid)
                  : NULL;
    if (!final || !tmp) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "checkpoint: out of memory");
        goto done;
    }
    tarn_pq_write_opts po;
    tarn_pq_write_opts_init(&po);
    po.codec = TARN_PQ_SNAPPY;
    if ((st = tarn_pq_writer_open(tmp, schema, &po, &w.pq, err)) != TARN_OK)
        goto done;
    if ((st = write_rows(&w, snap, err)) != TARN_OK)
        goto done;
    tarn_pq_write_result res;
    tarn_pq_writer *pq = w.pq;
    w.pq = NULL;
    if ((st = tarn_pq_writer_close(pq, &res, err)) != TARN_OK)
        goto done;
    out->size_bytes = res.file_size;
    tarn_arena_destroy(res.arena);
    out->n_actions = w.n_actions;
    out->n_add_files = w.n_adds;
    if ((st = place(tmp, final, &out->already_existed, err)) != TARN_OK)
        goto done;
    if ((st = tarn_dir_sync(log_dir, err)) != TARN_OK)
        goto done;
    st = update_last_checkpoint(log_dir, out, a, err);
done:
    if (w.pq)
        tarn_pq_writer_abort(w.pq); /* removes the temp file */
    tarn_batch_destroy(w.b);
    tarn_schema_destroy(schema);
    tarn_arena_destroy(a);
    return st;
}

tarn_status tarn_delta_checkpoint_write(const char *table_path, int64_t version,
                                        tarn_delta_checkpoint_info *out, tarn_err *err)
{
    tarn_delta_at at = {.kind = TARN_DELTA_AT_VERSION, .version = version};
    tarn_delta_snapshot *snap = NULL;
    TARN_TRY(tarn_delta_snapshot_load(table_path, &at, &snap, err));
    tarn_status st = tarn_delta_checkpoint_write_snapshot(snap, out, err);
    tarn_delta_snapshot_destroy(snap);
    return st;
}
