/*
 * delta/commit.h - optimistic, atomic Delta commits.
 *
 * A transaction reads the table at version v (or finds no table), collects
 * actions (adds, removes, metaData, protocol, txn) plus the data files it
 * wrote, and publishes _delta_log/<v+1>.json with tarn_file_publish: the
 * file is complete and synced before it becomes visible, and it is never
 * created over an existing version. When another writer won v+1, the
 * winning commits are read and checked for conflicts (see
 * tarn_delta_transaction_commit); without conflict the commit is retried
 * at the next free version, otherwise TARN_ERR_CONFLICT. A transaction
 * that does not commit removes the data files it tracked (best effort).
 * Everything a transaction holds lives in its arena.
 */
#ifndef TARN_DELTA_COMMIT_H
#define TARN_DELTA_COMMIT_H

#include "delta/snapshot.h"

/* "tarn/<version>", the engineInfo of every commit. */
#define TARN_DELTA_ENGINE_INFO "tarn/" TARN_VERSION

typedef struct tarn_delta_transaction tarn_delta_transaction;

typedef struct tarn_delta_commit_result {
    int64_t version;                /* the version this commit became */
    int attempts;                   /* publish attempts (1 = no concurrent writer) */
    bool checkpoint_written;        /* a checkpoint was written at version */
    bool has_warning;               /* a post-commit step failed (see warning) */
    char warning[TARN_ERR_MSG_MAX]; /* e.g. why the checkpoint failed */
} tarn_delta_commit_result;

/* Starts a transaction on the table at table_path: loads its latest
 * snapshot, or notes that the table does not exist yet (the commit then
 * creates version 0 and must carry protocol and metaData). Fails with
 * TARN_ERR_UNSUPPORTED when tarn cannot write the table (see
 * tarn_delta_writer_check). Destroy with tarn_delta_transaction_destroy. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_create(const char *table_path,
                                                          tarn_delta_transaction **out,
                                                          tarn_err *err);
/* Discards the transaction. When it did not commit, the data files it
 * tracked are removed (best effort). NULL is a no-op. */
void tarn_delta_transaction_destroy(tarn_delta_transaction *tx);

/* The snapshot the transaction read (borrowed), NULL when creating. */
const tarn_delta_snapshot *tarn_delta_transaction_snapshot(const tarn_delta_transaction *tx);
/* Version read, -1 when the table does not exist yet. */
int64_t tarn_delta_transaction_read_version(const tarn_delta_transaction *tx);
/* Table root as given. */
const char *tarn_delta_transaction_table(const tarn_delta_transaction *tx);
/* Arena that lives as long as the transaction (for callers' action data). */
tarn_arena *tarn_delta_transaction_arena(tarn_delta_transaction *tx);

/* Declares that the transaction read table data (delete, overwrite,
 * update): then any concurrent add or remove conflicts. Without it the
 * transaction is a blind append: only metaData/protocol changes (and a
 * txn for the same appId) conflict. */
void tarn_delta_transaction_set_reads_data(tarn_delta_transaction *tx, bool reads_data);
/* Operation recorded in commitInfo: name ("WRITE", "DELETE", ...),
 * operationParameters and operationMetrics as JSON object text (NULL for
 * none). Strings are copied. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_set_operation(tarn_delta_transaction *tx,
                                                                 const char *operation,
                                                                 const char *params_json,
                                                                 const char *metrics_json,
                                                                 tarn_err *err);

/* Actions. Each is deep-copied into the transaction arena. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_set_metadata(tarn_delta_transaction *tx,
                                                                const tarn_delta_metadata *m,
                                                                tarn_err *err);
/* Schema evolution: metaData becomes the read snapshot's with `schema`,
 * which must keep every existing column (same type) and may add nullable
 * ones. Existing files are not rewritten: readers see null in the new
 * columns for them. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_add_columns(tarn_delta_transaction *tx,
                                                               const tarn_schema *schema,
                                                               tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_delta_transaction_set_protocol(tarn_delta_transaction *tx,
                                                                const tarn_delta_protocol *p,
                                                                tarn_err *err);
/* Records txn(appId, version) for idempotent writes (replacing any txn set
 * before). */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_set_txn(tarn_delta_transaction *tx,
                                                           const char *app_id, int64_t version,
                                                           tarn_err *err);
/* Adds one more txn(appId, version) to the commit (several application ids
 * may commit together, e.g. one per ingested file). A concurrent commit
 * carrying any of them is a conflict. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_add_txn(tarn_delta_transaction *tx,
                                                           const char *app_id, int64_t version,
                                                           tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_delta_transaction_add_file(tarn_delta_transaction *tx,
                                                            const tarn_delta_add *add,
                                                            tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_delta_transaction_remove_file(tarn_delta_transaction *tx,
                                                               const tarn_delta_remove *rm,
                                                               tarn_err *err);
/* A data file this transaction wrote (absolute or cwd-relative path): it is
 * deleted if the transaction ends without committing. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_track_file(tarn_delta_transaction *tx,
                                                              const char *path, tarn_err *err);
/* Number of add actions collected so far. */
int tarn_delta_transaction_n_adds(const tarn_delta_transaction *tx);

/* Called once by tarn_delta_transaction_commit before anything is
 * published, with the table as the commit would leave it (the snapshot
 * read plus this transaction's actions; borrowed for the call). A status
 * other than TARN_OK aborts the commit with that status and err: nothing
 * is published and the transaction's data files go when it is destroyed.
 * A concurrent commit that wins the race is not re-verified. */
typedef tarn_status (*tarn_delta_verify_fn)(void *ctx, const tarn_delta_snapshot *pending,
                                            tarn_err *err);
void tarn_delta_transaction_set_verify(tarn_delta_transaction *tx, tarn_delta_verify_fn fn,
                                       void *ctx);

/* Publishes the commit. Conflicts with the commits that won the race:
 *  - a metaData or protocol change (unless this transaction creates the
 *    table and the winner created it with the same schema, partitioning
 *    and configuration: then it retries as a plain append);
 *  - a txn action for this transaction's appId;
 *  - when reads_data is set: any add or remove.
 * A conflict is TARN_ERR_CONFLICT naming the versions and the reason;
 * otherwise the commit is retried at the next version (bounded, with
 * jittered backoff). After success a checkpoint is written when the
 * version is a multiple of delta.checkpointInterval (default 10); its
 * failure is reported in out->warning, never as an error. */
TARN_MUST_CHECK tarn_status tarn_delta_transaction_commit(tarn_delta_transaction *tx,
                                                          tarn_delta_commit_result *out,
                                                          tarn_err *err);

/* Refuses (TARN_ERR_UNSUPPORTED naming the feature) a table whose writer
 * protocol tarn does not honour: writer version above 7, unknown writer
 * features, or features in use that tarn cannot enforce (invariants, CHECK
 * constraints, generated/default/identity columns, column mapping, row
 * tracking, domain metadata, clustering, Iceberg compatibility). */
TARN_MUST_CHECK tarn_status tarn_delta_writer_check(const tarn_delta_protocol *p,
                                                    const tarn_delta_metadata *m, tarn_err *err);

/* Refuses data removal (delete, overwrite) on append-only tables and on
 * tables with the change data feed on (tarn writes no CDC files);
 * operation names the refused operation in the message. */
TARN_MUST_CHECK tarn_status tarn_delta_check_removal_allowed(const tarn_delta_metadata *m,
                                                             const char *operation, tarn_err *err);

/* The protocol a new table with this schema needs: (1, 2), or (3, 7) with
 * timestampNtz when a timestamp_ntz column is present (nested included).
 * Arrays point at static strings. */
void tarn_delta_protocol_for_schema(const tarn_schema *s, tarn_delta_protocol *out);

/* A random (version 4) UUID in canonical text form; out holds 37 bytes. */
TARN_MUST_CHECK tarn_status tarn_delta_uuid4(char *out, tarn_err *err);

/* Boolean table property: true when the value is "true" (any case). */
bool tarn_delta_config_bool(const tarn_delta_kv *config, int n, const char *key);

/* Parses a Delta interval property ("interval 7 days", "1 week", "168
 * hours"...) into milliseconds; false when it does not parse. */
bool tarn_delta_parse_interval_ms(const char *text, int64_t *out_ms);

#endif
