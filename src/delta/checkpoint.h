/*
 * delta/checkpoint.h - writing classic single-file Delta checkpoints
 * (PROTOCOL.md "Checkpoints", V1 spec) and _last_checkpoint.
 *
 * A checkpoint at version N holds the table state at N: protocol, metaData,
 * txn, every active add (stats as a JSON string) and the remove tombstones
 * younger than delta.deletedFileRetentionDuration, as struct columns in the
 * layout of PROTOCOL.md "Checkpoint Schema" (maps for partitionValues,
 * configuration and tags). It is written to a hidden temp name in
 * _delta_log and then linked into place, so a crash never leaves a partial
 * file under the real name; _last_checkpoint is replaced atomically and
 * never moved backwards.
 */
#ifndef TARN_DELTA_CHECKPOINT_H
#define TARN_DELTA_CHECKPOINT_H

#include "delta/snapshot.h"

#define TARN_DELTA_DEFAULT_CHECKPOINT_INTERVAL 10
/* delta.deletedFileRetentionDuration default: one week. */
#define TARN_DELTA_DEFAULT_RETENTION_MS (INT64_C(7) * 24 * 3600 * 1000)

typedef struct tarn_delta_checkpoint_info {
    int64_t version;      /* table version the checkpoint holds */
    int64_t n_actions;    /* rows (actions) written */
    int64_t n_add_files;  /* add actions among them */
    int64_t size_bytes;   /* checkpoint file size */
    bool already_existed; /* another writer had written it first */
} tarn_delta_checkpoint_info;

/* Writes the checkpoint of table_path at version (loading that snapshot). */
TARN_MUST_CHECK tarn_status tarn_delta_checkpoint_write(const char *table_path, int64_t version,
                                                        tarn_delta_checkpoint_info *out,
                                                        tarn_err *err);
/* Writes the checkpoint of an already loaded snapshot. */
TARN_MUST_CHECK tarn_status tarn_delta_checkpoint_write_snapshot(const tarn_delta_snapshot *snap,
                                                                 tarn_delta_checkpoint_info *out,
                                                                 tarn_err *err);
/* delta.checkpointInterval of a table configuration (default 10; invalid or
 * non-positive values give the default). */
int64_t tarn_delta_checkpoint_interval(const tarn_delta_kv *config, int n_config);
/* delta.deletedFileRetentionDuration in milliseconds (default one week). */
int64_t tarn_delta_deleted_file_retention_ms(const tarn_delta_kv *config, int n_config);

#endif
