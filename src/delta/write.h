/*
 * delta/write.h - writing rows into a Delta table: append or overwrite,
 * creating the table when absent, and the data-file writer underneath it
 * (partition routing, file rolling, per-file statistics) that delete and
 * optimize reuse.
 *
 * Rows stream through: batches are routed to partition files with one
 * selection vector per batch and handed to the Parquet writer, which
 * buffers at most one row group per open file; the number of open files
 * and their buffered bytes are bounded. Nothing is visible until the
 * commit publishes the new version; a failed write removes the files it
 * wrote. Partition directories are Hive-escaped col=value names
 * (__HIVE_DEFAULT_PARTITION__ for null); add.path is their URI encoding.
 */
#ifndef TARN_DELTA_WRITE_H
#define TARN_DELTA_WRITE_H

#include "delta/commit.h"
#include "delta/stats.h"
#include "parquet/writer.h"

/* Hands out the next batch (*out, borrowed until the next call) or NULL at
 * the end. Batches hold the columns of the schema given to the writer. */
typedef tarn_status (*tarn_delta_source_fn)(void *ctx, tarn_batch **out, tarn_err *err);

#define TARN_DELTA_DEFAULT_TARGET_FILE_BYTES (INT64_C(128) << 20)
#define TARN_DELTA_DEFAULT_MAX_OPEN_FILES    32
#define TARN_DELTA_DEFAULT_MAX_BUFFER_BYTES  (INT64_C(512) << 20)

typedef enum tarn_delta_write_mode {
    TARN_DELTA_APPEND,   /* add rows; the schema must match the table's */
    TARN_DELTA_OVERWRITE /* replace every row; may replace schema and partitioning */
} tarn_delta_write_mode;

typedef struct tarn_delta_write_opts {
    tarn_delta_write_mode mode;      /* append (default) or overwrite */
    const char *const *partition_by; /* partition columns (create/overwrite), or NULL */
    int n_partition_by;              /* entries in partition_by */
    tarn_pq_write_opts pq;           /* Parquet options (codec, row groups, ...) */
    int64_t target_file_bytes;       /* roll to a new file past this many (estimated
                                        uncompressed) bytes; 0: 128 MiB */
    int max_open_files;              /* open partition files at once; 0: 32 */
    int64_t max_buffer_bytes;        /* bytes buffered across open files; 0: 512 MiB */
    const char *app_id;              /* idempotent write: txn appId, or NULL */
    int64_t app_version;             /* txn version; a write whose version is <= the
                                        table's recorded one is skipped */
    int n_config;                    /* table properties set at create/overwrite */
    const tarn_delta_kv *config;     /* (delta.appendOnly, delta.checkpointInterval...) */
    const char *table_name;          /* metaData.name at create, or NULL */
    const char *description;         /* metaData.description at create, or NULL */
    const char *const *txn_ids;      /* more txn appIds committed with the data (version
                                        txn_version), e.g. one per ingested file; a
                                        concurrent commit of any of them conflicts */
    int n_txn_ids;                   /* entries in txn_ids */
    int64_t txn_version;             /* version recorded for txn_ids */
    bool add_columns;                /* append: columns of the data the table lacks are
                                        added to it (nullable), in the same commit */
    tarn_delta_verify_fn verify;     /* called with the table as the commit would leave
                                        it; an error aborts the write (commit.h), or NULL */
    void *verify_ctx;                /* passed to verify */
} tarn_delta_write_opts;

/* Sets the defaults (append, zstd, 128 MiB files...). */
void tarn_delta_write_opts_init(tarn_delta_write_opts *o);

typedef struct tarn_delta_write_result {
    int64_t version;                /* version committed (or current version when skipped
                                       or nothing to commit) */
    int64_t rows;                   /* rows written */
    int64_t files;                  /* data files added */
    int64_t bytes;                  /* bytes of those files */
    int64_t removed_files;          /* files removed (overwrite) */
    bool created;                   /* the table was created by this write */
    bool skipped;                   /* app_id/app_version already committed: nothing done */
    bool committed;                 /* a new version was published */
    int attempts;                   /* publish attempts */
    bool checkpoint_written;        /* a checkpoint followed the commit */
    bool has_warning;               /* see warning */
    char warning[TARN_ERR_MSG_MAX]; /* e.g. checkpoint failure (the write succeeded) */
} tarn_delta_write_result;

/* Writes every batch from next() into the table at table_path (created when
 * absent, directory included) in one commit. schema describes the batches.
 * Append: columns are matched by name; a table column missing from the
 * batches is written as null when nullable; an extra column, a type change
 * or a missing NOT NULL column is TARN_ERR_INVALID naming the column; nulls
 * in a NOT NULL column are TARN_ERR_DATA. Overwrite: removes every active
 * file and adds the new ones; schema, partitioning and given properties
 * replace the table's. Append-only tables refuse overwrite. out may be
 * NULL. */
TARN_MUST_CHECK tarn_status tarn_delta_write(const char *table_path, const tarn_schema *schema,
                                             tarn_delta_source_fn next, void *ctx,
                                             const tarn_delta_write_opts *opts,
                                             tarn_delta_write_result *out, tarn_err *err);

/* The same with n_sources sources: next(ctxs[i], ...) hands out the
 * batches of source i. Each source is pumped on a pool thread into data
 * files of its own (encoding and compression included), and the files join
 * the commit in source order, so the table reads as the sources one after
 * the other. next must be safe to call for different sources at once. */
TARN_MUST_CHECK tarn_status tarn_delta_write_sources(const char *table_path,
                                                     const tarn_schema *schema, int n_sources,
                                                     tarn_delta_source_fn next, void *const *ctxs,
                                                     const tarn_delta_write_opts *opts,
                                                     tarn_delta_write_result *out, tarn_err *err);

/* Data-file writer --------------------------------------------------------- */

/* Writes rows of a table (batches in table-schema column order, partition
 * columns included) into new data files under the table root and records
 * an add action per file in a transaction. */
typedef struct tarn_delta_file_writer tarn_delta_file_writer;

typedef struct tarn_delta_file_writer_opts {
    const tarn_schema *table_schema; /* logical schema incl. partition columns (borrowed) */
    const char *const *partition_by; /* partition column names (borrowed) */
    int n_partition_by;              /* entries in partition_by */
    tarn_pq_write_opts pq;           /* Parquet options */
    int64_t target_file_bytes;       /* 0: 128 MiB */
    int max_open_files;              /* 0: 32 */
    int64_t max_buffer_bytes;        /* 0: 512 MiB */
    tarn_delta_stats_opts stats;     /* statistics options */
    bool data_change;                /* add.dataChange (false for OPTIMIZE) */
    bool deferred;                   /* files and adds stay in the writer (the transaction
                                        is not touched) until tarn_delta_file_writer_publish,
                                        so writers may run on threads of their own */
} tarn_delta_file_writer_opts;

/* Creates a writer whose files are tracked by tx (removed if tx does not
 * commit) and whose add actions go into tx when each file is closed. */
TARN_MUST_CHECK tarn_status tarn_delta_file_writer_create(tarn_delta_transaction *tx,
                                                          const tarn_delta_file_writer_opts *o,
                                                          tarn_delta_file_writer **out,
                                                          tarn_err *err);
/* Routes rows [0, b->n_rows) to their partition files. */
TARN_MUST_CHECK tarn_status tarn_delta_file_writer_write(tarn_delta_file_writer *w,
                                                         const tarn_batch *b, tarn_err *err);
/* Closes every open file (each becomes an add action in the transaction). */
TARN_MUST_CHECK tarn_status tarn_delta_file_writer_finish(tarn_delta_file_writer *w, tarn_err *err);
/* Deferred writers: hands the files written and the adds of the closed
 * ones to the transaction, in order. Call from one thread at a time. */
TARN_MUST_CHECK tarn_status tarn_delta_file_writer_publish(tarn_delta_file_writer *w,
                                                           tarn_err *err);
/* Frees the writer; open files are aborted (removed), and so are the files
 * of a deferred writer never published. NULL is a no-op. */
void tarn_delta_file_writer_destroy(tarn_delta_file_writer *w);
/* Totals over the files closed so far. */
void tarn_delta_file_writer_totals(const tarn_delta_file_writer *w, int64_t *out_rows,
                                   int64_t *out_files, int64_t *out_bytes);

/* Codec named by delta.parquet.compression.codec (uncompressed/none, snappy,
 * gzip, lz4, lz4_raw, zstd, brotli; any case) into *out; false (and *out
 * untouched) when the property is absent or unknown. */
bool tarn_delta_codec_from_config(const tarn_delta_kv *config, int n_config, tarn_pq_codec *out);

/* Hive-escapes a partition value for a directory name (arena copy); NULL
 * value gives __HIVE_DEFAULT_PARTITION__. */
char *tarn_delta_hive_escape(tarn_arena *a, const char *value);

#endif
