/*
 * delta/snapshot.h - the state of a Delta table at one version: protocol,
 * metadata, logical schema, active files, tombstones and app transactions.
 *
 * Loading: list _delta_log, pick the newest complete checkpoint at or below
 * the target version (_last_checkpoint is only a hint), replay the JSON
 * commits after it in order, and refuse gaps in the version sequence. File
 * identity in replay is (path, deletion-vector id). Reader features are
 * allow-listed: a protocol tarn cannot honour is refused with
 * TARN_ERR_UNSUPPORTED naming the feature, before any row is returned.
 * A snapshot is immutable once loaded; everything hangs off its arena.
 */
#ifndef TARN_DELTA_SNAPSHOT_H
#define TARN_DELTA_SNAPSHOT_H

#include "column/types.h"
#include "delta/log.h"

/* Column mapping mode in effect (delta.columnMapping.mode, honoured only when
 * the protocol supports columnMapping). */
typedef enum tarn_delta_cm_mode {
    TARN_DELTA_CM_NONE = 0, /* data files use the logical names */
    TARN_DELTA_CM_NAME,     /* data files use physical names */
    TARN_DELTA_CM_ID        /* data files are matched by Parquet field id */
} tarn_delta_cm_mode;

/* Which version to load. */
typedef struct tarn_delta_at {
    enum {
        TARN_DELTA_AT_LATEST,
        TARN_DELTA_AT_VERSION,
        TARN_DELTA_AT_TIMESTAMP
    } kind;
    int64_t version;      /* AT_VERSION */
    int64_t timestamp_ms; /* AT_TIMESTAMP: latest version committed at or before */
} tarn_delta_at;

typedef struct tarn_delta_snapshot {
    char *table_path;             /* table root as given */
    int64_t version;              /* loaded version */
    int64_t timestamp_ms;         /* commit timestamp of that version */
    tarn_delta_protocol protocol; /* effective protocol */
    tarn_delta_metadata metadata; /* effective metaData */
    tarn_schema *schema;          /* logical schema, partition columns included,
                                     column-mapping physical names set */
    int n_partition_columns;      /* = metadata.n_partition_columns */
    int *partition_column_index;  /* index into schema->fields per partition column */
    int n_files;
    tarn_delta_add *files; /* active add actions, in replay order */
    int n_tombstones;
    tarn_delta_remove *tombstones; /* removes still relevant for vacuum */
    int n_txns;
    tarn_delta_txn *txns;               /* last version per appId */
    int64_t checkpoint_version;         /* checkpoint the replay started from, or -1 */
    tarn_arena *arena;                  /* owns everything above */
    tarn_delta_cm_mode column_mapping;  /* effective column mapping mode */
    tarn_delta_commit_info commit_info; /* commitInfo of `version` (present=false if none
                                           was read, e.g. the version is a checkpoint) */
    int64_t min_version;                /* oldest version that can be loaded (time travel) */
} tarn_delta_snapshot;

/* Loads the table at table_path as of *at (NULL = latest). Errors:
 * TARN_ERR_NOT_FOUND when the path is not a Delta table or the version does
 * not exist ("version N does not exist (table has versions A..B)") or the
 * timestamp is before the first commit; TARN_ERR_CORRUPT for a gap in the
 * versions or a malformed log; TARN_ERR_UNSUPPORTED for a protocol tarn
 * cannot read (the message names the reader feature or version).
 *
 * Commit timestamps (AT_TIMESTAMP, snapshot->timestamp_ms): the commit's
 * commitInfo.inCommitTimestamp when the table enables in-commit timestamps
 * (delta.enableInCommitTimestamps; for versions from
 * delta.inCommitTimestampEnablementVersion on), else the modification time
 * of the commit file, made strictly increasing the way Spark does (a
 * commit never older than its predecessor + 1 ms). */
TARN_MUST_CHECK tarn_status tarn_delta_snapshot_load(const char *table_path,
                                                     const tarn_delta_at *at,
                                                     tarn_delta_snapshot **out, tarn_err *err);
void tarn_delta_snapshot_destroy(tarn_delta_snapshot *s);
/* The latest snapshot, or *out = NULL (TARN_OK) when table_path is not a
 * table yet: no _delta_log, or one without commits (a creation killed
 * before its first commit). Other errors as tarn_delta_snapshot_load. */
TARN_MUST_CHECK tarn_status tarn_delta_snapshot_load_existing(const char *table_path,
                                                              tarn_delta_snapshot **out,
                                                              tarn_err *err);
/* Table property value or NULL. */
const char *tarn_delta_snapshot_config(const tarn_delta_snapshot *s, const char *key);
/* Last txn version for appId, or -1. */
int64_t tarn_delta_snapshot_txn(const tarn_delta_snapshot *s, const char *app_id);
/* True when path holds a _delta_log directory. */
bool tarn_delta_is_table(const char *path);
/* Refuses (TARN_ERR_UNSUPPORTED, naming the feature or version) a protocol
 * whose reader requirements tarn does not implement: minReaderVersion > 3 or
 * a reader feature outside columnMapping, deletionVectors, timestampNtz,
 * v2Checkpoint, vacuumProtocolCheck. Writer-only features never matter. */
TARN_MUST_CHECK tarn_status tarn_delta_protocol_check_read(const tarn_delta_protocol *p,
                                                           tarn_err *err);
/* True when the protocol lists the reader (or writer) feature by name. */
bool tarn_delta_protocol_has_reader_feature(const tarn_delta_protocol *p, const char *name);
bool tarn_delta_protocol_has_writer_feature(const tarn_delta_protocol *p, const char *name);
/* Index of the active file with this log path (as written in the log), or -1. */
int tarn_delta_snapshot_find_file(const tarn_delta_snapshot *s, const char *path);

#endif
