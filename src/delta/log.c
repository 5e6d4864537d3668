/*
 * delta/log.c - parse Delta commit files (NDJSON actions) into the structs of
 * delta/log.h; commit file names, URI decoding, key/value lookups.
 *
 * Every string and array of the result lives in the caller's arena; jansson
 * DOM nodes are freed line by line. A malformed line, or a known action that
 * lacks a required field, is TARN_ERR_CORRUPT located at "<path>:<line>".
 * Unknown actions (cdc, domainMetadata, ...) and unknown fields are ignored,
 * as PROTOCOL.md "Protocol Evolution" demands.
 */
#include "delta/log.h"

#include "base/fs.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Growable arrays in an arena: doubling, old blocks are simply abandoned. */
static void *arena_grow(tarn_arena *a, void *arr, int n, int *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    int ncap = *cap ? *cap * 2 : 8;
    void *p = tarn_arena_alloc(a, (size_t)ncap * elem);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, arr, (size_t)n * elem);
    *cap = ncap;
    return p;
}

static tarn_status nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

static tarn_status missing(tarn_err *err, const char *action, const char *field)
{
    return tarn_err_set(err, TARN_ERR_CORRUPT, "%s action: missing required field '%s'", action,
                        field);
}

static tarn_status bad_type(tarn_err *err, const char *action, const char *field, const char *want)
{
    return tarn_err_set(err, TARN_ERR_CORRUPT, "%s action: field '%s' must be %s", action, field,
                        want);
}

/* Field helpers: a JSON null counts as absent. */
static json_t *field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

static tarn_status get_str(tarn_arena *a, json_t *obj, const char *action, const char *key,
                           bool required, const char **out, tarn_err *err)
{
    json_t *v = field(obj, key);
    *out = NULL;
    if (!v)
        return required ? missing(err, action, key) : TARN_OK;
    if (!json_is_string(v))
        return bad_type(err, action, key, "a string");
    *out = tarn_arena_strndup(a, json_string_value(v), json_string_length(v));
    return *out ? TARN_OK : nomem(err);
}

static tarn_status get_i64(json_t *obj, const char *action, const char *key, bool required,
                           bool *has, int64_t *out, tarn_err *err)
{
    json_t *v = field(obj, key);
    if (has)
        *has = false;
    *out = 0;
    if (!v)
        return required ? missing(err, action, key) : TARN_OK;
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
    } else if (json_is_real(v) && json_real_value(v) >= -0x1p63 && json_real_value(v) < 0x1p63 &&
               json_real_value(v) == (double)(int64_t)json_real_value(v)) {
        /* A whole number written as a real ("1.7e12"); the range check comes
         * first: converting an out-of-range double is undefined. */
        *out = (int64_t)json_real_value(v);
    } else {
        return bad_type(err, action, key, "an integer");
    }
    if (has)
        *has = true;
    return TARN_OK;
}

static tarn_status get_i32(json_t *obj, const char *action, const char *key, bool required,
                           bool *has, int32_t *out, tarn_err *err)
{
    int64_t x;
    TARN_TRY(get_i64(obj, action, key, required, has, &x, err));
    if (x < INT32_MIN || x > INT32_MAX)
        return bad_type(err, action, key, "a 32-bit integer");
    *out = (int32_t)x;
    return TARN_OK;
}

static tarn_status get_bool(json_t *obj, const char *action, const char *key, bool required,
                            bool dflt, bool *out, tarn_err *err)
{
    json_t *v = field(obj, key);
    *out = dflt;
    if (!v)
        return required ? missing(err, action, key) : TARN_OK;
    if (!json_is_boolean(v))
        return bad_type(err, action, key, "a boolean");
    *out = json_is_true(v);
    return TARN_OK;
}

/* Text of a scalar map value: strings as-is, numbers and booleans as their
 * JSON text (lenient towards writers that do not quote them), null -> NULL. */
static tarn_status scalar_text(tarn_arena *a, json_t *v, const char **out)
{
    char tmp[64];
    *out = NULL;
    switch (json_typeof(v)) {
    case JSON_NULL:
        return TARN_OK;
    case JSON_STRING:
        *out = tarn_arena_strndup(a, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        *out = tarn_arena_strdup(a, tmp);
        break;
    case JSON_REAL:
        snprintf(tmp, sizeof tmp, "%.17g", json_real_value(v));
        *out = tarn_arena_strdup(a, tmp);
        break;
    case JSON_TRUE:
        *out = tarn_arena_strdup(a, "true");
        break;
    case JSON_FALSE:
        *out = tarn_arena_strdup(a, "false");
        break;
    default:
        return TARN_ERR_INVALID;
    }
    return *out ? TARN_OK : TARN_ERR_NOMEM;
}

static tarn_status get_kv(tarn_arena *a, json_t *obj, const char *action, const char *key,
                          bool required, int *out_n, tarn_delta_kv **out, tarn_err *err)
{
    json_t *v = field(obj, key);
    *out_n = 0;
    *out = NULL;
    if (!v)
        return required ? missing(err, action, key) : TARN_OK;
    if (!json_is_object(v))
        return bad_type(err, action, key, "an object");
    size_t n = json_object_size(v);
    if (n == 0)
        return TARN_OK;
    tarn_delta_kv *kv = tarn_arena_calloc(a, n, sizeof *kv);
    if (!kv)
        return nomem(err);
    const char *k;
    json_t *val;
    int i = 0;
    json_object_foreach(v, k, val)
    {
        kv[i].key = tarn_arena_strdup(a, k);
        if (!kv[i].key)
            return nomem(err);
        tarn_status st = scalar_text(a, val, &kv[i].value);
        if (st == TARN_ERR_NOMEM)
            return nomem(err);
        if (st != TARN_OK)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "%s action: value of '%s' in '%s' must be a string or null", action,
                                k, key);
        i++;
    }
    *out_n = i;
    *out = kv;
    return TARN_OK;
}

static tarn_status get_str_array(tarn_arena *a, json_t *obj, const char *action, const char *key,
                                 bool required, bool *has, int *out_n, const char ***out,
                                 tarn_err *err)
{
    json_t *v = field(obj, key);
    *out_n = 0;
    *out = NULL;
    if (has)
        *has = false;
    if (!v)
        return required ? missing(err, action, key) : TARN_OK;
    if (!json_is_array(v))
        return bad_type(err, action, key, "an array of strings");
    size_t n = json_array_size(v);
    const char **arr = tarn_arena_calloc(a, n ? n : 1, sizeof *arr);
    if (!arr)
        return nomem(err);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(v, i);
        if (!json_is_string(e))
            return bad_type(err, action, key, "an array of strings");
        arr[i] = tarn_arena_strndup(a, json_string_value(e), json_string_length(e));
        if (!arr[i])
            return nomem(err);
    }
    if (has)
        *has = true;
    *out_n = (int)n;
    *out = arr;
    return TARN_OK;
}

/* Compact JSON text of a node, copied into the arena (NULL for absent/null). */
static tarn_status dump_json(tarn_arena *a, json_t *v, const char **out, tarn_err *err)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return TARN_OK;
    char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    if (!s)
        return nomem(err);
    *out = tarn_arena_strdup(a, s);
    free(s);
    return *out ? TARN_OK : nomem(err);
}

static tarn_status parse_dv(tarn_arena *a, json_t *obj, const char *action, bool *has,
                            tarn_delta_dv *dv, tarn_err *err)
{
    json_t *v = field(obj, "deletionVector");
    *has = false;
    memset(dv, 0, sizeof *dv);
    if (!v)
        return TARN_OK;
    if (!json_is_object(v))
        return bad_type(err, action, "deletionVector", "an object");
    const char *st;
    TARN_TRY(get_str(a, v, "deletionVector", "storageType", true, &st, err));
    if (strlen(st) != 1 || (st[0] != 'u' && st[0] != 'p' && st[0] != 'i'))
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "deletionVector: unknown storageType '%s' (expected u, p or i)", st);
    dv->storage_type = st[0];
    TARN_TRY(get_str(a, v, "deletionVector", "pathOrInlineDv", true, &dv->path_or_inline, err));
    TARN_TRY(get_i32(v, "deletionVector", "offset", false, &dv->has_offset, &dv->offset, err));
    TARN_TRY(get_i32(v, "deletionVector", "sizeInBytes", true, NULL, &dv->size_in_bytes, err));
    TARN_TRY(get_i64(v, "deletionVector", "cardinality", true, NULL, &dv->cardinality, err));
    *has = true;
    return TARN_OK;
}

static tarn_status parse_add(tarn_arena *a, json_t *v, tarn_delta_add *add, tarn_err *err)
{
    const char *act = "add";
    memset(add, 0, sizeof *add);
    TARN_TRY(get_str(a, v, act, "path", true, &add->path, err));
    TARN_TRY(get_kv(a, v, act, "partitionValues", true, &add->n_partition_values,
                    &add->partition_values, err));
    TARN_TRY(get_i64(v, act, "size", true, NULL, &add->size, err));
    TARN_TRY(get_i64(v, act, "modificationTime", true, NULL, &add->modification_time, err));
    TARN_TRY(get_bool(v, act, "dataChange", true, true, &add->data_change, err));
    json_t *stats = field(v, "stats");
    if (stats && json_is_string(stats))
        TARN_TRY(get_str(a, v, act, "stats", false, &add->stats, err));
    else if (stats)
        TARN_TRY(dump_json(a, stats, &add->stats, err)); /* tolerate an object */
    TARN_TRY(get_kv(a, v, act, "tags", false, &add->n_tags, &add->tags, err));
    TARN_TRY(parse_dv(a, v, act, &add->has_dv, &add->dv, err));
    TARN_TRY(get_i64(v, act, "baseRowId", false, &add->has_base_row_id, &add->base_row_id, err));
    return get_i64(v, act, "defaultRowCommitVersion", false, &add->has_default_row_commit_version,
                   &add->default_row_commit_version, err);
}

static tarn_status parse_remove(tarn_arena *a, json_t *v, tarn_delta_remove *rm, tarn_err *err)
{
    const char *act = "remove";
    memset(rm, 0, sizeof *rm);
    TARN_TRY(get_str(a, v, act, "path", true, &rm->path, err));
    TARN_TRY(get_i64(v, act, "deletionTimestamp", false, &rm->has_deletion_timestamp,
                     &rm->deletion_timestamp, err));
    TARN_TRY(get_bool(v, act, "dataChange", true, true, &rm->data_change, err));
    TARN_TRY(
        get_bool(v, act, "extendedFileMetadata", false, false, &rm->extended_file_metadata, err));
    TARN_TRY(get_kv(a, v, act, "partitionValues", false, &rm->n_partition_values,
                    &rm->partition_values, err));
    TARN_TRY(get_i64(v, act, "size", false, &rm->has_size, &rm->size, err));
    return parse_dv(a, v, act, &rm->has_dv, &rm->dv, err);
}

static tarn_status parse_metadata(tarn_arena *a, json_t *v, tarn_delta_metadata *md, tarn_err *err)
{
    const char *act = "metaData";
    memset(md, 0, sizeof *md);
    TARN_TRY(get_str(a, v, act, "id", true, &md->id, err));
    TARN_TRY(get_str(a, v, act, "name", false, &md->name, err));
    TARN_TRY(get_str(a, v, act, "description", false, &md->description, err));
    json_t *fmt = field(v, "format");
    if (fmt && !json_is_object(fmt))
        return bad_type(err, act, "format", "an object");
    if (fmt)
        TARN_TRY(get_str(a, fmt, act, "provider", false, &md->format_provider, err));
    if (!md->format_provider)
        md->format_provider = "parquet";
    TARN_TRY(get_str(a, v, act, "schemaString", true, &md->schema_string, err));
    TARN_TRY(get_str_array(a, v, act, "partitionColumns", true, NULL, &md->n_partition_columns,
                           &md->partition_columns, err));
    TARN_TRY(
        get_kv(a, v, act, "configuration", false, &md->n_configuration, &md->configuration, err));
    return get_i64(v, act, "createdTime", false, &md->has_created_time, &md->created_time, err);
}

static tarn_status parse_protocol(tarn_arena *a, json_t *v, tarn_delta_protocol *p, tarn_err *err)
{
    const char *act = "protocol";
    memset(p, 0, sizeof *p);
    TARN_TRY(get_i32(v, act, "minReaderVersion", true, NULL, &p->min_reader_version, err));
    TARN_TRY(get_i32(v, act, "minWriterVersion", true, NULL, &p->min_writer_version, err));
    TARN_TRY(get_str_array(a, v, act, "readerFeatures", false, &p->has_reader_features,
                           &p->n_reader_features, &p->reader_features, err));
    return get_str_array(a, v, act, "writerFeatures", false, &p->has_writer_features,
                         &p->n_writer_features, &p->writer_features, err);
}

static tarn_status parse_txn(tarn_arena *a, json_t *v, tarn_delta_txn *t, tarn_err *err)
{
    memset(t, 0, sizeof *t);
    TARN_TRY(get_str(a, v, "txn", "appId", true, &t->app_id, err));
    TARN_TRY(get_i64(v, "txn", "version", true, NULL, &t->version, err));
    return get_i64(v, "txn", "lastUpdated", false, &t->has_last_updated, &t->last_updated, err);
}

static tarn_status parse_commit_info(tarn_arena *a, json_t *v, tarn_delta_commit_info *ci,
                                     tarn_err *err)
{
    const char *act = "commitInfo";
    memset(ci, 0, sizeof *ci);
    ci->present = true;
    /* Writers store free-form provenance here: tolerate odd types. */
    tarn_err ignore;
    if (get_i64(v, act, "timestamp", false, &ci->has_timestamp, &ci->timestamp, &ignore) != TARN_OK)
        ci->has_timestamp = false;
    TARN_TRY(get_i64(v, act, "inCommitTimestamp", false, &ci->has_in_commit_timestamp,
                     &ci->in_commit_timestamp, err));
    json_t *op = field(v, "operation");
    if (op && json_is_string(op))
        TARN_TRY(get_str(a, v, act, "operation", false, &ci->operation, err));
    json_t *ei = field(v, "engineInfo");
    if (ei && json_is_string(ei))
        TARN_TRY(get_str(a, v, act, "engineInfo", false, &ci->engine_info, err));
    TARN_TRY(dump_json(a, field(v, "operationParameters"), &ci->operation_parameters, err));
    TARN_TRY(dump_json(a, field(v, "operationMetrics"), &ci->operation_metrics, err));
    return dump_json(a, v, &ci->json, err);
}

static tarn_status parse_sidecar(tarn_arena *a, json_t *v, tarn_delta_sidecar *sc, tarn_err *err)
{
    memset(sc, 0, sizeof *sc);
    TARN_TRY(get_str(a, v, "sidecar", "path", true, &sc->path, err));
    TARN_TRY(get_i64(v, "sidecar", "sizeInBytes", false, NULL, &sc->size_in_bytes, err));
    return get_i64(v, "sidecar", "modificationTime", false, NULL, &sc->modification_time, err);
}

/* Growth state for the output arrays. */
typedef struct acts_builder {
    int cap_adds;     /* capacity of out->adds */
    int cap_removes;  /* capacity of out->removes */
    int cap_txns;     /* capacity of out->txns */
    int cap_sidecars; /* capacity of out->sidecars */
} acts_builder;

/* Applies one parsed line (a JSON object) to out. */
static tarn_status parse_action(tarn_arena *a, json_t *line, tarn_delta_actions *out,
                                acts_builder *b, tarn_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(line, key, v)
    {
        if (json_is_null(v))
            continue;
        bool known = !strcmp(key, "add") || !strcmp(key, "remove") || !strcmp(key, "metaData") ||
                     !strcmp(key, "protocol") || !strcmp(key, "txn") ||
                     !strcmp(key, "commitInfo") || !strcmp(key, "sidecar") ||
                     !strcmp(key, "checkpointMetadata");
        if (!known)
            continue; /* cdc, domainMetadata, future actions */
        if (!json_is_object(v))
            return tarn_err_set(err, TARN_ERR_CORRUPT, "%s action must be a JSON object", key);
        if (!strcmp(key, "add")) {
            out->adds = arena_grow(a, out->adds, out->n_adds, &b->cap_adds, sizeof *out->adds);
            if (!out->adds)
                return nomem(err);
            TARN_TRY(parse_add(a, v, &out->adds[out->n_adds], err));
            out->n_adds++;
        } else if (!strcmp(key, "remove")) {
            out->removes =
                arena_grow(a, out->removes, out->n_removes, &b->cap_removes, sizeof *out->removes);
            if (!out->removes)
                return nomem(err);
            TARN_TRY(parse_remove(a, v, &out->removes[out->n_removes], err));
            out->n_removes++;
        } else if (!strcmp(key, "metaData")) {
            TARN_TRY(parse_metadata(a, v, &out->metadata, err));
            out->has_metadata = true;
        } else if (!strcmp(key, "protocol")) {
            TARN_TRY(parse_protocol(a, v, &out->protocol, err));
            out->has_protocol = true;
        } else if (!strcmp(key, "txn")) {
            out->txns = arena_grow(a, out->txns, out->n_txns, &b->cap_txns, sizeof *out->txns);
            if (!out->txns)
                return nomem(err);
            TARN_TRY(parse_txn(a, v, &out->txns[out->n_txns], err));
            out->n_txns++;
        } else if (!strcmp(key, "commitInfo")) {
            TARN_TRY(parse_commit_info(a, v, &out->commit_info, err));
        } else if (!strcmp(key, "sidecar")) {
            out->sidecars = arena_grow(a, out->sidecars, out->n_sidecars, &b->cap_sidecars,
                                       sizeof *out->sidecars);
            if (!out->sidecars)
                return nomem(err);
            TARN_TRY(parse_sidecar(a, v, &out->sidecars[out->n_sidecars], err));
            out->n_sidecars++;
        } else {
            TARN_TRY(get_i64(v, "checkpointMetadata", "version", true, NULL,
                             &out->checkpoint_metadata_version, err));
            out->has_checkpoint_metadata = true;
        }
    }
    return TARN_OK;
}

static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

tarn_status tarn_delta_actions_parse(const char *text, size_t len, const char *path, tarn_arena *a,
                                     tarn_delta_actions *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    acts_builder b = {0, 0, 0, 0};
    const char *p = text, *end = text + len;
    int64_t line = 0;
    tarn_status st = TARN_OK;
    json_t *root = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        size_t n = (size_t)(le - p);
        const char *start = p;
        p = nl ? nl + 1 : end;
        if (blank(start, n))
            continue;
        json_error_t jerr;
        root = json_loadb(start, n, 0, &jerr);
        if (!root) {
            st = tarn_err_set(err, TARN_ERR_CORRUPT, "malformed JSON: %s", jerr.text);
            tarn_err_at_path(err, path);
            tarn_err_at_line(err, line, jerr.column > 0 ? jerr.column : 0);
            goto done;
        }
        if (!json_is_object(root)) {
            st = tarn_err_set(err, TARN_ERR_CORRUPT, "a log line must be a JSON object");
        } else {
            st = parse_action(a, root, out, &b, err);
        }
        json_decref(root);
        root = NULL;
        if (st != TARN_OK) {
            tarn_err_at_path(err, path);
            tarn_err_at_line(err, line, 0);
            goto done;
        }
    }
done:
    return st;
}

void tarn_delta_commit_name(int64_t version, char *out)
{
    snprintf(out, 26, "%020lld.json", (long long)version);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *tarn_delta_uri_decode(tarn_arena *a, const char *path)
{
    size_t n = strlen(path);
    char *out = tarn_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (path[i] == '%' && i + 2 < n && (hi = hexval(path[i + 1])) >= 0 &&
            (lo = hexval(path[i + 2])) >= 0) {
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[j++] = path[i]; /* a stray '%' is kept literally */
        }
    }
    out[j] = '\0';
    return out;
}

const char *tarn_delta_kv_get(const tarn_delta_kv *kv, int n, const char *key)
{
    for (int i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

/* Length of a URI scheme prefix ("file:", "s3:") when log_path starts with
 * one followed by '/', else 0. */
static size_t scheme_len(const char *p)
{
    size_t i = 0;
    if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')))
        return 0;
    while (p[i] && p[i] != ':') {
        char c = p[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '-' || c == '.';
        if (!ok)
            return 0;
        i++;
    }
    return (p[i] == ':' && p[i + 1] == '/') ? i + 1 : 0;
}

tarn_status tarn_delta_path_resolve(tarn_arena *a, const char *table_root, const char *log_path,
                                    char **out, tarn_err *err)
{
    *out = NULL;
    size_t sl = scheme_len(log_path);
    if (sl) {
        if (sl != 5 || strncasecmp(log_path, "file:", 5) != 0)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "file '%s' is on a remote file system, which tarn cannot read",
                                log_path);
        const char *p = log_path + 5;
        if (p[0] == '/' && p[1] == '/') {
            /* file://host/path: only an empty host or localhost is local */
            p += 2;
            if (strncmp(p, "localhost/", 10) == 0)
                p += 9;
            else if (*p != '/')
                return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                    "file '%s' names a remote host, which tarn cannot read",
                                    log_path);
        }
        *out = tarn_delta_uri_decode(a, p);
    } else {
        char *dec = tarn_delta_uri_decode(a, log_path);
        if (dec && dec[0] != '/')
            dec = tarn_path_join(a, table_root, dec);
        *out = dec;
    }
    return *out ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}
