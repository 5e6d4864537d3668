/*
 * delta/checkpoint_read.c - read Parquet checkpoint files (classic, multi-part
 * parts, UUID-named V2 checkpoints and their sidecars) into log actions.
 *
 * A checkpoint has one top-level struct column per action type (add,
 * remove, metaData, protocol, txn, checkpointMetadata, sidecar, ...); each
 * row sets exactly one of them. Only the action columns tarn uses are
 * decoded; members are found by name once per batch, so missing optional
 * members (written by older engines) read as absent. Strings are copied
 * into the caller's arena; the Parquet file is closed before returning.
 */
#include "delta/snapshot_int.h"

#include "parquet/reader.h"

#include <string.h>

/* One member of a struct column: its field and vector (NULL when absent). */
typedef struct member {
    const tarn_field *f; /* field, NULL when the file lacks the member */
    const tarn_vec *v;   /* vector */
} member;

static member mem(member s, const char *name)
{
    member m = {NULL, NULL};
    if (!s.f || s.f->type.id != TARN_TYPE_STRUCT)
        return m;
    for (int i = 0; i < s.f->n_children && i < s.v->n_children; i++) {
        if (strcmp(s.f->children[i].name, name) == 0) {
            m.f = &s.f->children[i];
            m.v = s.v->children[i];
            return m;
        }
    }
    return m;
}

static bool valid(member m, int64_t r)
{
    return m.v && tarn_vec_is_valid(m.v, r);
}

static tarn_status nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

static tarn_status wrong_type(const char *action, const char *name, tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_CORRUPT, "checkpoint column %s.%s has an unexpected type",
                        action, name);
}

/* String member (NULL when absent or null). */
static tarn_status get_str(tarn_arena *a, member m, int64_t r, const char *action, const char *name,
                           bool required, const char **out, tarn_err *err)
{
    *out = NULL;
    if (!valid(m, r))
        return required
                   ? tarn_err_set(err, TARN_ERR_CORRUPT,
                                  "checkpoint %s action without required field '%s'", action, name)
                   : TARN_OK;
    if (m.v->type.id != TARN_TYPE_STRING && m.v->type.id != TARN_TYPE_BINARY)
        return wrong_type(action, name, err);
    int32_t len;
    const uint8_t *p = tarn_vec_get_bytes(m.v, r, &len);
    *out = tarn_arena_strndup(a, (const char *)p, (size_t)len);
    return *out ? TARN_OK : nomem(err);
}

static tarn_status get_int(member m, int64_t r, const char *action, const char *name, bool required,
                           bool *has, int64_t *out, tarn_err *err)
{
    *out = 0;
    if (has)
        *has = false;
    if (!valid(m, r))
        return required
                   ? tarn_err_set(err, TARN_ERR_CORRUPT,
                                  "checkpoint %s action without required field '%s'", action, name)
                   : TARN_OK;
    if (!tarn_type_is_integer(m.v->type.id))
        return wrong_type(action, name, err);
    *out = tarn_vec_get_int(m.v, r);
    if (has)
        *has = true;
    return TARN_OK;
}

static bool get_bool(member m, int64_t r, bool dflt)
{
    if (!valid(m, r) || m.v->type.id != TARN_TYPE_BOOL)
        return dflt;
    return tarn_vec_get_bool(m.v, r);
}

/* map<string,string> member as a kv list. */
static tarn_status get_map(tarn_arena *a, member m, int64_t r, const char *action, const char *name,
                           int *out_n, tarn_delta_kv **out, tarn_err *err)
{
    *out_n = 0;
    *out = NULL;
    if (!valid(m, r))
        return TARN_OK;
    if (m.v->type.id != TARN_TYPE_MAP || m.v->n_children != 2)
        return wrong_type(action, name, err);
    int32_t lo = m.v->offsets[r], hi = m.v->offsets[r + 1];
    if (hi <= lo)
        return TARN_OK;
    member k = {&m.f->children[0], m.v->children[0]}, v = {&m.f->children[1], m.v->children[1]};
    tarn_delta_kv *kv = tarn_arena_calloc(a, (size_t)(hi - lo), sizeof *kv);
    if (!kv)
        return nomem(err);
    for (int32_t i = lo; i < hi; i++) {
        TARN_TRY(get_str(a, k, i, action, name, true, &kv[i - lo].key, err));
        TARN_TRY(get_str(a, v, i, action, name, false, &kv[i - lo].value, err));
    }
    *out_n = hi - lo;
    *out = kv;
    return TARN_OK;
}

/* list<string> member. */
static tarn_status get_list(tarn_arena *a, member m, int64_t r, const char *action,
                            const char *name, bool *has, int *out_n, const char ***out,
                            tarn_err *err)
{
    *out_n = 0;
    *out = NULL;
    if (has)
        *has = false;
    if (!valid(m, r))
        return TARN_OK;
    if (m.v->type.id != TARN_TYPE_LIST || m.v->n_children != 1)
        return wrong_type(action, name, err);
    int32_t lo = m.v->offsets[r], hi = m.v->offsets[r + 1];
    const char **arr = tarn_arena_calloc(a, (size_t)(hi > lo ? hi - lo : 1), sizeof *arr);
    if (!arr)
        return nomem(err);
    member e = {&m.f->children[0], m.v->children[0]};
    for (int32_t i = lo; i < hi; i++)
        TARN_TRY(get_str(a, e, i, action, name, true, &arr[i - lo], err));
    if (has)
        *has = true;
    *out_n = hi > lo ? hi - lo : 0;
    *out = arr;
    return TARN_OK;
}

static tarn_status get_dv(tarn_arena *a, member m, int64_t r, const char *action, bool *has,
                          tarn_delta_dv *dv, tarn_err *err)
{
    *has = false;
    memset(dv, 0, sizeof *dv);
    if (!valid(m, r))
        return TARN_OK;
    const char *st;
    int64_t x;
    TARN_TRY(
        get_str(a, mem(m, "storageType"), r, action, "deletionVector.storageType", true, &st, err));
    if (strlen(st) != 1 || (st[0] != 'u' && st[0] != 'p' && st[0] != 'i'))
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "checkpoint deletionVector: unknown storageType '%s'", st);
    dv->storage_type = st[0];
    TARN_TRY(get_str(a, mem(m, "pathOrInlineDv"), r, action, "deletionVector.pathOrInlineDv", true,
                     &dv->path_or_inline, err));
    TARN_TRY(get_int(mem(m, "offset"), r, action, "deletionVector.offset", false, &dv->has_offset,
                     &x, err));
    dv->offset = (int32_t)x;
    TARN_TRY(get_int(mem(m, "sizeInBytes"), r, action, "deletionVector.sizeInBytes", true, NULL, &x,
                     err));
    if (x < 0 || x > INT32_MAX)
        return wrong_type(action, "deletionVector.sizeInBytes", err);
    dv->size_in_bytes = (int32_t)x;
    TARN_TRY(get_int(mem(m, "cardinality"), r, action, "deletionVector.cardinality", true, NULL,
                     &dv->cardinality, err));
    *has = true;
    return TARN_OK;
}

/* Growth of the output arrays (arena, doubling). */
static void *grow(tarn_arena *a, void *arr, int n, int *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    int nc = *cap ? *cap * 2 : 64;
    void *p = tarn_arena_alloc(a, (size_t)nc * elem);
    if (p && n)
        memcpy(p, arr, (size_t)n * elem);
    if (p)
        *cap = nc;
    return p;
}

/* Capacities of the arrays in the actions being built. */
typedef struct caps {
    int adds;     /* acts->adds */
    int removes;  /* acts->removes */
    int txns;     /* acts->txns */
    int sidecars; /* acts->sidecars */
} caps;

static tarn_status read_adds(tarn_arena *a, member m, int64_t n_rows, tarn_delta_actions *acts,
                             caps *c, tarn_err *err)
{
    const char *act = "add";
    member path = mem(m, "path"), pv = mem(m, "partitionValues"), size = mem(m, "size");
    member mt = mem(m, "modificationTime"), dc = mem(m, "dataChange"), stats = mem(m, "stats");
    member tags = mem(m, "tags"), dv = mem(m, "deletionVector"), brid = mem(m, "baseRowId");
    member drcv = mem(m, "defaultRowCommitVersion");
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r) || !valid(path, r))
            continue;
        acts->adds = grow(a, acts->adds, acts->n_adds, &c->adds, sizeof *acts->adds);
        if (!acts->adds)
            return nomem(err);
        tarn_delta_add *ad = &acts->adds[acts->n_adds];
        memset(ad, 0, sizeof *ad);
        TARN_TRY(get_str(a, path, r, act, "path", true, &ad->path, err));
        TARN_TRY(get_map(a, pv, r, act, "partitionValues", &ad->n_partition_values,
                         &ad->partition_values, err));
        TARN_TRY(get_int(size, r, act, "size", true, NULL, &ad->size, err));
        TARN_TRY(get_int(mt, r, act, "modificationTime", false, NULL, &ad->modification_time, err));
        ad->data_change = get_bool(dc, r, false);
        TARN_TRY(get_str(a, stats, r, act, "stats", false, &ad->stats, err));
        TARN_TRY(get_map(a, tags, r, act, "tags", &ad->n_tags, &ad->tags, err));
        TARN_TRY(get_dv(a, dv, r, act, &ad->has_dv, &ad->dv, err));
        TARN_TRY(
            get_int(brid, r, act, "baseRowId", false, &ad->has_base_row_id, &ad->base_row_id, err));
        TARN_TRY(get_int(drcv, r, act, "defaultRowCommitVersion", false,
                         &ad->has_default_row_commit_version, &ad->default_row_commit_version,
                         err));
        acts->n_adds++;
    }
    return TARN_OK;
}

static tarn_status read_removes(tarn_arena *a, member m, int64_t n_rows, tarn_delta_actions *acts,
                                caps *c, tarn_err *err)
{
    const char *act = "remove";
    member path = mem(m, "path"), dts = mem(m, "deletionTimestamp"), dc = mem(m, "dataChange");
    member efm = mem(m, "extendedFileMetadata"), pv = mem(m, "partitionValues");
    member size = mem(m, "size"), dv = mem(m, "deletionVector");
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r) || !valid(path, r))
            continue;
        acts->removes = grow(a, acts->removes, acts->n_removes, &c->removes, sizeof *acts->removes);
        if (!acts->removes)
            return nomem(err);
        tarn_delta_remove *rm = &acts->removes[acts->n_removes];
        memset(rm, 0, sizeof *rm);
        TARN_TRY(get_str(a, path, r, act, "path", true, &rm->path, err));
        TARN_TRY(get_int(dts, r, act, "deletionTimestamp", false, &rm->has_deletion_timestamp,
                         &rm->deletion_timestamp, err));
        rm->data_change = get_bool(dc, r, false);
        rm->extended_file_metadata = get_bool(efm, r, false);
        TARN_TRY(get_map(a, pv, r, act, "partitionValues", &rm->n_partition_values,
                         &rm->partition_values, err));
        TARN_TRY(get_int(size, r, act, "size", false, &rm->has_size, &rm->size, err));
        TARN_TRY(get_dv(a, dv, r, act, &rm->has_dv, &rm->dv, err));
        acts->n_removes++;
    }
    return TARN_OK;
}

static tarn_status read_metadata(tarn_arena *a, member m, int64_t n_rows, tarn_delta_actions *acts,
                                 tarn_err *err)
{
    const char *act = "metaData";
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r))
            continue;
        tarn_delta_metadata *md = &acts->metadata;
        memset(md, 0, sizeof *md);
        TARN_TRY(get_str(a, mem(m, "id"), r, act, "id", true, &md->id, err));
        TARN_TRY(get_str(a, mem(m, "name"), r, act, "name", false, &md->name, err));
        TARN_TRY(
            get_str(a, mem(m, "description"), r, act, "description", false, &md->description, err));
        TARN_TRY(get_str(a, mem(mem(m, "format"), "provider"), r, act, "format.provider", false,
                         &md->format_provider, err));
        if (!md->format_provider)
            md->format_provider = "parquet";
        TARN_TRY(get_str(a, mem(m, "schemaString"), r, act, "schemaString", true,
                         &md->schema_string, err));
        TARN_TRY(get_list(a, mem(m, "partitionColumns"), r, act, "partitionColumns", NULL,
                          &md->n_partition_columns, &md->partition_columns, err));
        TARN_TRY(get_map(a, mem(m, "configuration"), r, act, "configuration", &md->n_configuration,
                         &md->configuration, err));
        TARN_TRY(get_int(mem(m, "createdTime"), r, act, "createdTime", false, &md->has_created_time,
                         &md->created_time, err));
        acts->has_metadata = true;
    }
    return TARN_OK;
}

static tarn_status read_protocol(tarn_arena *a, member m, int64_t n_rows, tarn_delta_actions *acts,
                                 tarn_err *err)
{
    const char *act = "protocol";
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r))
            continue;
        tarn_delta_protocol *p = &acts->protocol;
        memset(p, 0, sizeof *p);
        int64_t x;
        TARN_TRY(
            get_int(mem(m, "minReaderVersion"), r, act, "minReaderVersion", true, NULL, &x, err));
        p->min_reader_version = (int32_t)x;
        TARN_TRY(
            get_int(mem(m, "minWriterVersion"), r, act, "minWriterVersion", true, NULL, &x, err));
        p->min_writer_version = (int32_t)x;
        TARN_TRY(get_list(a, mem(m, "readerFeatures"), r, act, "readerFeatures",
                          &p->has_reader_features, &p->n_reader_features, &p->reader_features,
                          err));
        TARN_TRY(get_list(a, mem(m, "writerFeatures"), r, act, "writerFeatures",
                          &p->has_writer_features, &p->n_writer_features, &p->writer_features,
                          err));
        acts->has_protocol = true;
    }
    return TARN_OK;
}

static tarn_status read_txns(tarn_arena *a, member m, int64_t n_rows, tarn_delta_actions *acts,
                             caps *c, tarn_err *err)
{
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r))
            continue;
        acts->txns = grow(a, acts->txns, acts->n_txns, &c->txns, sizeof *acts->txns);
        if (!acts->txns)
            return nomem(err);
        tarn_delta_txn *t = &acts->txns[acts->n_txns];
        memset(t, 0, sizeof *t);
        TARN_TRY(get_str(a, mem(m, "appId"), r, "txn", "appId", true, &t->app_id, err));
        TARN_TRY(get_int(mem(m, "version"), r, "txn", "version", true, NULL, &t->version, err));
        TARN_TRY(get_int(mem(m, "lastUpdated"), r, "txn", "lastUpdated", false,
                         &t->has_last_updated, &t->last_updated, err));
        acts->n_txns++;
    }
    return TARN_OK;
}

static tarn_status read_sidecars(tarn_arena *a, member m, int64_t n_rows, tarn_delta_actions *acts,
                                 caps *c, tarn_err *err)
{
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r))
            continue;
        acts->sidecars =
            grow(a, acts->sidecars, acts->n_sidecars, &c->sidecars, sizeof *acts->sidecars);
        if (!acts->sidecars)
            return nomem(err);
        tarn_delta_sidecar *sc = &acts->sidecars[acts->n_sidecars];
        memset(sc, 0, sizeof *sc);
        TARN_TRY(get_str(a, mem(m, "path"), r, "sidecar", "path", true, &sc->path, err));
        TARN_TRY(get_int(mem(m, "sizeInBytes"), r, "sidecar", "sizeInBytes", false, NULL,
                         &sc->size_in_bytes, err));
        TARN_TRY(get_int(mem(m, "modificationTime"), r, "sidecar", "modificationTime", false, NULL,
                         &sc->modification_time, err));
        acts->n_sidecars++;
    }
    return TARN_OK;
}

static tarn_status read_ckpt_meta(member m, int64_t n_rows, tarn_delta_actions *acts, tarn_err *err)
{
    for (int64_t r = 0; r < n_rows; r++) {
        if (!valid(m, r))
            continue;
        TARN_TRY(get_int(mem(m, "version"), r, "checkpointMetadata", "version", true, NULL,
                         &acts->checkpoint_metadata_version, err));
        acts->has_checkpoint_metadata = true;
    }
    return TARN_OK;
}

enum {
    COL_ADD,
    COL_REMOVE,
    COL_META,
    COL_PROTOCOL,
    COL_TXN,
    COL_SIDECAR,
    COL_CKMETA,
    N_COLS
};

static const char *const COL_NAMES[N_COLS] = {
    "add", "remove", "metaData", "protocol", "txn", "sidecar", "checkpointMetadata",
};

static tarn_status read_batch(tarn_arena *a, const tarn_schema *sch, const tarn_batch *b,
                              const int *slot, tarn_delta_actions *acts, caps *c, tarn_err *err)
{
    member m[N_COLS];
    for (int k = 0; k < N_COLS; k++) {
        m[k].f = slot[k] >= 0 ? &sch->fields[slot[k]] : NULL;
        m[k].v = slot[k] >= 0 ? b->cols[slot[k]] : NULL;
    }
    int64_t n = b->n_rows;
    if (m[COL_ADD].f)
        TARN_TRY(read_adds(a, m[COL_ADD], n, acts, c, err));
    if (m[COL_REMOVE].f)
        TARN_TRY(read_removes(a, m[COL_REMOVE], n, acts, c, err));
    if (m[COL_META].f)
        TARN_TRY(read_metadata(a, m[COL_META], n, acts, err));
    if (m[COL_PROTOCOL].f)
        TARN_TRY(read_protocol(a, m[COL_PROTOCOL], n, acts, err));
    if (m[COL_TXN].f)
        TARN_TRY(read_txns(a, m[COL_TXN], n, acts, c, err));
    if (m[COL_SIDECAR].f)
        TARN_TRY(read_sidecars(a, m[COL_SIDECAR], n, acts, c, err));
    if (m[COL_CKMETA].f)
        TARN_TRY(read_ckpt_meta(m[COL_CKMETA], n, acts, err));
    return TARN_OK;
}

tarn_status tarn_delta_checkpoint_read_parquet(const char *path, tarn_arena *a, bool meta_only,
                                               tarn_delta_actions *acts, tarn_err *err)
{
    memset(acts, 0, sizeof *acts);
    tarn_pq_file *f = NULL;
    tarn_pq_scan *scan = NULL;
    caps c = {0, 0, 0, 0};
    int cols[N_COLS], n_cols = 0, slot[N_COLS];
    tarn_status st = tarn_pq_file_open(path, &f, err);
    if (st != TARN_OK)
        goto done;
    const tarn_schema *fs = tarn_pq_file_schema(f);
    for (int k = 0; k < N_COLS; k++) {
        slot[k] = -1;
        if (meta_only && k != COL_META && k != COL_PROTOCOL)
            continue;
        int i = tarn_schema_find(fs, COL_NAMES[k]);
        if (i < 0)
            continue;
        if (fs->fields[i].type.id != TARN_TYPE_STRUCT) {
            st = tarn_err_set(err, TARN_ERR_CORRUPT, "checkpoint column '%s' is not a struct",
                              COL_NAMES[k]);
            goto done;
        }
        slot[k] = n_cols;
        cols[n_cols++] = i;
    }
    if (n_cols == 0)
        goto done; /* nothing tarn needs (an empty sidecar, say) */
    tarn_pq_scan_opts opts = {cols, n_cols, NULL};
    if ((st = tarn_pq_scan_open(f, &opts, &scan, err)) != TARN_OK)
        goto done;
    const tarn_schema *ss = tarn_pq_scan_schema(scan);
    for (;;) {
        tarn_batch *b;
        if ((st = tarn_pq_scan_next(scan, &b, err)) != TARN_OK || !b)
            break;
        if ((st = read_batch(a, ss, b, slot, acts, &c, err)) != TARN_OK)
            break;
    }
done:
    if (st != TARN_OK)
        tarn_err_at_path(err, path);
    if (scan)
        tarn_pq_scan_close(scan);
    if (f)
        tarn_pq_file_close(f);
    return st;
}
