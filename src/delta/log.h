/*
 * delta/log.h - Delta Lake transaction log actions (PROTOCOL.md) as C
 * structs, and their JSON form.
 *
 * One commit file (_delta_log/NNNNNNNNNNNNNNNNNNNN.json) holds one action
 * per line: add, remove, metaData, protocol, txn, commitInfo (and others
 * tarn keeps as opaque or ignores: cdc, domainMetadata, checkpointMetadata,
 * sidecar). Strings and arrays live in the arena given to the parser;
 * nothing here owns memory. A key/value whose value is JSON null has value
 * NULL (partition values: null and "" both mean SQL NULL).
 */
#ifndef TARN_DELTA_LOG_H
#define TARN_DELTA_LOG_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"

typedef struct tarn_delta_kv {
    const char *key;   /* never NULL */
    const char *value; /* NULL for JSON null */
} tarn_delta_kv;

typedef struct tarn_delta_dv {
    char storage_type;          /* 'u' (uuid-relative file), 'p' (absolute path), 'i' (inline) */
    const char *path_or_inline; /* z85 uuid (+prefix), path, or inline z85 bitmap */
    bool has_offset;            /* offset present */
    int32_t offset;             /* byte offset in the DV file ('u'/'p') */
    int32_t size_in_bytes;      /* serialized bitmap size */
    int64_t cardinality;        /* rows deleted */
} tarn_delta_dv;

typedef struct tarn_delta_add {
    const char *path;                /* URI-encoded, relative to the table root (or absolute URI) */
    int n_partition_values;          /* entries in partition_values */
    tarn_delta_kv *partition_values; /* column name -> serialized value */
    int64_t size;                    /* bytes */
    int64_t modification_time;       /* ms since epoch */
    bool data_change;                /* false for OPTIMIZE-style rearrangements */
    const char *stats;               /* JSON text, or NULL */
    int n_tags;                      /* entries in tags */
    tarn_delta_kv *tags;             /* free-form file tags */
    bool has_dv;                     /* a deletion vector is attached */
    tarn_delta_dv dv;                /* deletion vector when has_dv */
    bool has_base_row_id;            /* base_row_id present (row tracking) */
    int64_t base_row_id;             /* row id of the file's first row */
    bool has_default_row_commit_version; /* default_row_commit_version present */
    int64_t default_row_commit_version;  /* version that first added the file */
} tarn_delta_add;

typedef struct tarn_delta_remove {
    const char *path;
    bool has_deletion_timestamp;
    int64_t deletion_timestamp; /* ms since epoch */
    bool data_change;
    bool extended_file_metadata;
    int n_partition_values;
    tarn_delta_kv *partition_values;
    bool has_size;
    int64_t size;
    bool has_dv;
    tarn_delta_dv dv;
} tarn_delta_remove;

typedef struct tarn_delta_metadata {
    const char *id;              /* table id (uuid) */
    const char *name;            /* may be NULL */
    const char *description;     /* may be NULL */
    const char *format_provider; /* "parquet" */
    const char *schema_string;   /* Delta schema JSON text */
    int n_partition_columns;
    const char **partition_columns;
    int n_configuration;
    tarn_delta_kv *configuration; /* table properties (delta.*) */
    bool has_created_time;
    int64_t created_time; /* ms since epoch */
} tarn_delta_metadata;

typedef struct tarn_delta_protocol {
    int32_t min_reader_version;
    int32_t min_writer_version;
    bool has_reader_features; /* readerFeatures present (reader version 3) */
    int n_reader_features;
    const char **reader_features;
    bool has_writer_features; /* writerFeatures present (writer version 7) */
    int n_writer_features;
    const char **writer_features;
} tarn_delta_protocol;

typedef struct tarn_delta_txn {
    const char *app_id;
    int64_t version;
    bool has_last_updated;
    int64_t last_updated; /* ms since epoch */
} tarn_delta_txn;

typedef struct tarn_delta_commit_info {
    bool present; /* the commit had a commitInfo action */
    bool has_timestamp;
    int64_t timestamp; /* ms since epoch as the writer recorded it */
    bool has_in_commit_timestamp;
    int64_t in_commit_timestamp;      /* ms, when inCommitTimestamps are enabled */
    const char *operation;            /* "WRITE", "DELETE", ... or NULL */
    const char *operation_parameters; /* JSON object text or NULL */
    const char *operation_metrics;    /* JSON object text or NULL */
    const char *engine_info;          /* or NULL */
    const char *json;                 /* the whole commitInfo object as JSON text */
} tarn_delta_commit_info;

/* A V2 checkpoint's pointer to a sidecar file of add/remove actions. */
typedef struct tarn_delta_sidecar {
    const char *path;          /* URI-encoded, relative to _delta_log/_sidecars (or absolute) */
    int64_t size_in_bytes;     /* bytes */
    int64_t modification_time; /* ms since epoch */
} tarn_delta_sidecar;

/* The actions of one commit (or of a checkpoint, with is_checkpoint set). */
typedef struct tarn_delta_actions {
    int n_adds;
    tarn_delta_add *adds;
    int n_removes;
    tarn_delta_remove *removes;
    bool has_metadata;
    tarn_delta_metadata metadata;
    bool has_protocol;
    tarn_delta_protocol protocol;
    int n_txns;
    tarn_delta_txn *txns;
    tarn_delta_commit_info commit_info;
    int n_sidecars;                      /* sidecar actions (V2 checkpoints only) */
    tarn_delta_sidecar *sidecars;        /* n_sidecars entries */
    bool has_checkpoint_metadata;        /* checkpointMetadata action (V2 checkpoints only) */
    int64_t checkpoint_metadata_version; /* its version */
} tarn_delta_actions;

/* Parses the NDJSON text of one commit file. path names the file in errors
 * ("<path>:<line>: ..."). Unknown action types are ignored; a malformed
 * line or a known action with missing required fields is TARN_ERR_CORRUPT. */
TARN_MUST_CHECK tarn_status tarn_delta_actions_parse(const char *text, size_t len, const char *path,
                                                     tarn_arena *a, tarn_delta_actions *out,
                                                     tarn_err *err);

/* Appends the actions as commit-file NDJSON (commitInfo first, then
 * protocol, metaData, txn, remove, add), one line each. */
TARN_MUST_CHECK tarn_status tarn_delta_actions_serialize(const tarn_delta_actions *acts,
                                                         tarn_buf *out);

/* Fills *out with the remove action that retires add at deletion time
 * now_ms (dataChange true, extended file metadata, same path, partition
 * values, size and deletion vector; pointers borrowed from add). */
void tarn_delta_remove_for_add(const tarn_delta_add *add, int64_t now_ms, tarn_delta_remove *out);

/* Commit file name for a version: "%020lld.json". out needs 26 bytes. */
void tarn_delta_commit_name(int64_t version, char *out);
/* Decodes a URI-encoded add/remove path once (%XX escapes); arena copy. */
char *tarn_delta_uri_decode(tarn_arena *a, const char *path);
/* URI-encodes a relative path for the log (keeps '/', unreserved chars). */
char *tarn_delta_uri_encode(tarn_arena *a, const char *path);
/* Local path of a file named in the log (add/remove path, 'p' deletion
 * vector): URI-decoded exactly once; a relative path is joined to
 * table_root, "file:" URIs become their path, an absolute "/..." path is
 * kept; other schemes (s3://, abfss://, ...) are TARN_ERR_UNSUPPORTED.
 * The result lives in arena a. */
TARN_MUST_CHECK tarn_status tarn_delta_path_resolve(tarn_arena *a, const char *table_root,
                                                    const char *log_path, char **out,
                                                    tarn_err *err);
/* Value of a key in a kv list, or NULL (absent or JSON null). */
const char *tarn_delta_kv_get(const tarn_delta_kv *kv, int n, const char *key);

#endif
