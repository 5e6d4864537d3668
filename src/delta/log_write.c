/*
 * delta/log_write.c - Delta log actions to commit-file NDJSON, and log path
 * URI encoding.
 *
 * Output order and field names follow PROTOCOL.md ("Actions"): commitInfo
 * first (required when in-commit timestamps are on), then protocol,
 * metaData, txn, remove, add; one action per line, each line '\n'-ended.
 * Strings go through tarn_buf_append_json_str, so any byte sequence is
 * escaped; JSON fragments held as text (commitInfo, operation parameters)
 * are emitted verbatim and must already be valid JSON objects.
 */
#include "delta/log.h"

#include <string.h>

#define TRY(x) TARN_TRY(x)

static tarn_status put_str(tarn_buf *b, const char *s)
{
    return tarn_buf_append_json_str(b, s, strlen(s));
}

/* ,"key": */
static tarn_status put_key(tarn_buf *b, const char *key, bool first)
{
    if (!first)
        TRY(tarn_buf_append_char(b, ','));
    TRY(put_str(b, key));
    return tarn_buf_append_char(b, ':');
}

static tarn_status put_i64(tarn_buf *b, const char *key, int64_t v, bool first)
{
    TRY(put_key(b, key, first));
    return tarn_buf_printf(b, "%lld", (long long)v);
}

static tarn_status put_bool(tarn_buf *b, const char *key, bool v, bool first)
{
    TRY(put_key(b, key, first));
    return tarn_buf_append_str(b, v ? "true" : "false");
}

static tarn_status put_str_field(tarn_buf *b, const char *key, const char *v, bool first)
{
    TRY(put_key(b, key, first));
    return v ? put_str(b, v) : tarn_buf_append_str(b, "null");
}

/* "key":{"k":"v",...} with JSON null values kept as null. */
static tarn_status put_map(tarn_buf *b, const char *key, const tarn_delta_kv *kv, int n, bool first)
{
    TRY(put_key(b, key, first));
    TRY(tarn_buf_append_char(b, '{'));
    for (int i = 0; i < n; i++)
        TRY(put_str_field(b, kv[i].key, kv[i].value, i == 0));
    return tarn_buf_append_char(b, '}');
}

static tarn_status put_str_array(tarn_buf *b, const char *key, const char *const *v, int n,
                                 bool first)
{
    TRY(put_key(b, key, first));
    TRY(tarn_buf_append_char(b, '['));
    for (int i = 0; i < n; i++) {
        if (i)
            TRY(tarn_buf_append_char(b, ','));
        TRY(put_str(b, v[i]));
    }
    return tarn_buf_append_char(b, ']');
}

static tarn_status put_dv(tarn_buf *b, const tarn_delta_dv *dv)
{
    char st[2] = {dv->storage_type, '\0'};
    TRY(put_key(b, "deletionVector", false));
    TRY(tarn_buf_append_char(b, '{'));
    TRY(put_str_field(b, "storageType", st, true));
    TRY(put_str_field(b, "pathOrInlineDv", dv->path_or_inline ? dv->path_or_inline : "", false));
    if (dv->has_offset)
        TRY(put_i64(b, "offset", dv->offset, false));
    TRY(put_i64(b, "sizeInBytes", dv->size_in_bytes, false));
    TRY(put_i64(b, "cardinality", dv->cardinality, false));
    return tarn_buf_append_char(b, '}');
}

static tarn_status put_commit_info(tarn_buf *b, const tarn_delta_commit_info *ci)
{
    TRY(tarn_buf_append_str(b, "{\"commitInfo\":"));
    if (ci->json) {
        TRY(tarn_buf_append_str(b, ci->json));
        return tarn_buf_append_str(b, "}\n");
    }
    bool first = true;
    TRY(tarn_buf_append_char(b, '{'));
    if (ci->has_in_commit_timestamp) {
        TRY(put_i64(b, "inCommitTimestamp", ci->in_commit_timestamp, first));
        first = false;
    }
    if (ci->has_timestamp) {
        TRY(put_i64(b, "timestamp", ci->timestamp, first));
        first = false;
    }
    if (ci->operation) {
        TRY(put_str_field(b, "operation", ci->operation, first));
        first = false;
    }
    if (ci->operation_parameters) {
        TRY(put_key(b, "operationParameters", first));
        TRY(tarn_buf_append_str(b, ci->operation_parameters));
        first = false;
    }
    if (ci->operation_metrics) {
        TRY(put_key(b, "operationMetrics", first));
        TRY(tarn_buf_append_str(b, ci->operation_metrics));
        first = false;
    }
    if (ci->engine_info)
        TRY(put_str_field(b, "engineInfo", ci->engine_info, first));
    return tarn_buf_append_str(b, "}}\n");
}

static tarn_status put_protocol(tarn_buf *b, const tarn_delta_protocol *p)
{
    TRY(tarn_buf_append_str(b, "{\"protocol\":{"));
    TRY(put_i64(b, "minReaderVersion", p->min_reader_version, true));
    TRY(put_i64(b, "minWriterVersion", p->min_writer_version, false));
    if (p->has_reader_features)
        TRY(put_str_array(b, "readerFeatures", p->reader_features, p->n_reader_features, false));
    if (p->has_writer_features)
        TRY(put_str_array(b, "writerFeatures", p->writer_features, p->n_writer_features, false));
    return tarn_buf_append_str(b, "}}\n");
}

static tarn_status put_metadata(tarn_buf *b, const tarn_delta_metadata *m)
{
    TRY(tarn_buf_append_str(b, "{\"metaData\":{"));
    TRY(put_str_field(b, "id", m->id ? m->id : "", true));
    if (m->name)
        TRY(put_str_field(b, "name", m->name, false));
    if (m->description)
        TRY(put_str_field(b, "description", m->description, false));
    TRY(put_key(b, "format", false));
    TRY(tarn_buf_append_str(b, "{\"provider\":"));
    TRY(put_str(b, m->format_provider ? m->format_provider : "parquet"));
    TRY(tarn_buf_append_str(b, ",\"options\":{}}"));
    TRY(put_str_field(b, "schemaString", m->schema_string ? m->schema_string : "", false));
    TRY(put_str_array(b, "partitionColumns", m->partition_columns, m->n_partition_columns, false));
    TRY(put_map(b, "configuration", m->configuration, m->n_configuration, false));
    if (m->has_created_time)
        TRY(put_i64(b, "createdTime", m->created_time, false));
    return tarn_buf_append_str(b, "}}\n");
}

static tarn_status put_txn(tarn_buf *b, const tarn_delta_txn *t)
{
    TRY(tarn_buf_append_str(b, "{\"txn\":{"));
    TRY(put_str_field(b, "appId", t->app_id, true));
    TRY(put_i64(b, "version", t->version, false));
    if (t->has_last_updated)
        TRY(put_i64(b, "lastUpdated", t->last_updated, false));
    return tarn_buf_append_str(b, "}}\n");
}

static tarn_status put_remove(tarn_buf *b, const tarn_delta_remove *r)
{
    TRY(tarn_buf_append_str(b, "{\"remove\":{"));
    TRY(put_str_field(b, "path", r->path, true));
    if (r->has_deletion_timestamp)
        TRY(put_i64(b, "deletionTimestamp", r->deletion_timestamp, false));
    TRY(put_bool(b, "dataChange", r->data_change, false));
    if (r->extended_file_metadata) {
        TRY(put_bool(b, "extendedFileMetadata", true, false));
        TRY(put_map(b, "partitionValues", r->partition_values, r->n_partition_values, false));
    }
    if (r->has_size)
        TRY(put_i64(b, "size", r->size, false));
    if (r->has_dv)
        TRY(put_dv(b, &r->dv));
    return tarn_buf_append_str(b, "}}\n");
}

static tarn_status put_add(tarn_buf *b, const tarn_delta_add *a)
{
    TRY(tarn_buf_append_str(b, "{\"add\":{"));
    TRY(put_str_field(b, "path", a->path, true));
    TRY(put_map(b, "partitionValues", a->partition_values, a->n_partition_values, false));
    TRY(put_i64(b, "size", a->size, false));
    TRY(put_i64(b, "modificationTime", a->modification_time, false));
    TRY(put_bool(b, "dataChange", a->data_change, false));
    if (a->stats)
        TRY(put_str_field(b, "stats", a->stats, false));
    if (a->n_tags > 0)
        TRY(put_map(b, "tags", a->tags, a->n_tags, false));
    if (a->has_dv)
        TRY(put_dv(b, &a->dv));
    if (a->has_base_row_id)
        TRY(put_i64(b, "baseRowId", a->base_row_id, false));
    if (a->has_default_row_commit_version)
        TRY(put_i64(b, "defaultRowCommitVersion", a->default_row_commit_version, false));
    return tarn_buf_append_str(b, "}}\n");
}

tarn_status tarn_delta_actions_serialize(const tarn_delta_actions *acts, tarn_buf *out)
{
    if (acts->commit_info.present)
        TRY(put_commit_info(out, &acts->commit_info));
    if (acts->has_protocol)
        TRY(put_protocol(out, &acts->protocol));
    if (acts->has_metadata)
        TRY(put_metadata(out, &acts->metadata));
    for (int i = 0; i < acts->n_txns; i++)
        TRY(put_txn(out, &acts->txns[i]));
    for (int i = 0; i < acts->n_removes; i++)
        TRY(put_remove(out, &acts->removes[i]));
    for (int i = 0; i < acts->n_adds; i++)
        TRY(put_add(out, &acts->adds[i]));
    return TARN_OK;
}

/* Characters kept as they are in a log path: RFC 3986 unreserved, '/', and
 * the path sub-delimiters Hadoop's Path.toUri leaves alone. Everything else,
 * '%' first of all (Hive-escaped directory names hold %XX), is escaped. */
static bool uri_keep(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("-._~/=!$&'()*+,;:@", c) != NULL;
}

char *tarn_delta_uri_encode(tarn_arena *a, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(path), extra = 0;
    for (size_t i = 0; i < n; i++)
        extra += uri_keep((unsigned char)path[i]) ? 0 : 2;
    char *out = tarn_arena_alloc(a, n + extra + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (uri_keep(c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

void tarn_delta_remove_for_add(const tarn_delta_add *add, int64_t now_ms, tarn_delta_remove *out)
{
    memset(out, 0, sizeof *out);
    out->path = add->path;
    out->has_deletion_timestamp = true;
    out->deletion_timestamp = now_ms;
    out->data_change = true;
    out->extended_file_metadata = true;
    out->n_partition_values = add->n_partition_values;
    out->partition_values = add->partition_values;
    out->has_size = true;
    out->size = add->size;
    out->has_dv = add->has_dv;
    out->dv = add->dv;
}
