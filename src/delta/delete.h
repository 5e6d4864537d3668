/*
 * delta/delete.h - DELETE by predicate on a Delta table (copy-on-write).
 *
 * The caller supplies the predicate as callbacks: a file-level test on
 * statistics and partition values (to skip files that cannot match) and a
 * vectorised row test. Only files that really hold matching rows change: a
 * file whose rows all match is removed, a file with some matching rows is
 * replaced by a new file holding the others; every other file keeps its
 * path. All of it is one commit (removes + adds), with the conflict rules
 * of a transaction that read data (delta/commit.h). No matching row means
 * no commit.
 */
#ifndef TARN_DELTA_DELETE_H
#define TARN_DELTA_DELETE_H

#include "delta/stats.h"
#include "delta/write.h"
#include "parquet/writer.h"

typedef struct tarn_delta_predicate {
    /* May the file hold matching rows? stats is NULL when the file has no
     * statistics (partition columns are still known from add). NULL
     * callback: every file may match. */
    bool (*file_may_match)(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                           const tarn_delta_file_stats *stats); /* file test, or NULL */
    /* Sets out_match[i] to 1 for rows of b (all table columns, schema order)
     * to delete, 0 to keep (SQL NULL counts as keep). NULL callback: every
     * row matches (delete everything). */
    tarn_status (*eval)(void *ctx, const tarn_batch *b, uint8_t *out_match,
                        tarn_err *err); /* row test, or NULL */
    void *ctx;                          /* passed to both callbacks */
    const char *text;                   /* the predicate as text for commitInfo, or NULL */
} tarn_delta_predicate;

typedef struct tarn_delta_delete_result {
    int64_t version;         /* version committed, or the version read when nothing matched */
    bool committed;          /* a new version was published */
    int64_t deleted_rows;    /* rows deleted */
    int64_t copied_rows;     /* rows rewritten into new files */
    int64_t files_scanned;   /* files whose rows were read */
    int64_t files_skipped;   /* files excluded by file_may_match */
    int64_t removed_files;   /* remove actions */
    int64_t added_files;     /* add actions (rewritten files) */
    int attempts;            /* publish attempts */
    bool checkpoint_written; /* a checkpoint followed the commit */
    bool has_warning;        /* see warning */
    char warning[TARN_ERR_MSG_MAX]; /* post-commit problem (the delete succeeded) */
    int64_t inserted_rows;          /* merge: rows added from the insert source */
} tarn_delta_delete_result;

/* Writer options for rewriting a table's rows: its schema and partitioning,
 * the codec of delta.parquet.compression.codec, statistics as the table
 * asks (tight bounds with deletion vectors), dataChange true. */
void tarn_delta_file_writer_opts_for_table(const tarn_delta_snapshot *s,
                                           tarn_delta_file_writer_opts *fo);

/* Deletes the rows of table_path matching pred (NULL: every row). Refused on
 * append-only tables (TARN_ERR_INVALID) and, when a file would have to be
 * rewritten, on tables with the change data feed on (TARN_ERR_UNSUPPORTED).
 * A concurrent commit that added or removed files is TARN_ERR_CONFLICT; the
 * files written by the failed attempt are removed. Rewritten files use the
 * codec of delta.parquet.compression.codec (default zstd). out may be NULL. */
TARN_MUST_CHECK tarn_status tarn_delta_delete(const char *table_path,
                                              const tarn_delta_predicate *pred,
                                              tarn_delta_delete_result *out, tarn_err *err);

/* MERGE as copy-on-write: the rows pred matches are removed (as by
 * tarn_delta_delete), then the rows of insert_next are added, and the txn
 * (app_id, app_version) recorded - all in one commit. pred's callbacks run
 * over every candidate file before insert_next is first called, so they may
 * decide which incoming rows survive (e.g. an existing row newer than the
 * incoming one). A commit happens when rows were removed or inserted or an
 * app_id is given. The table must exist. */
typedef struct tarn_delta_merge_opts {
    tarn_delta_source_fn insert_next; /* rows to add (table schema), or NULL */
    void *insert_ctx;                 /* passed to insert_next */
    const char *app_id;               /* progress txn appId, or NULL */
    int64_t app_version;              /* its version */
    bool dry_run;                     /* count what would change, write and commit nothing */
    const tarn_schema *evolve_to;     /* or NULL: the table gains this schema's extra
                                         (nullable) columns in the same commit; rewritten
                                         rows get nulls there */
    tarn_delta_verify_fn verify;      /* called with the table as the commit would leave it;
                                         an error aborts the merge (commit.h), or NULL */
    void *verify_ctx;                 /* passed to verify */
    int n_insert_lanes;               /* > 1: insert_next is called with insert_ctxs[k]
                                         for each lane k on a pool thread of its own, each
                                         writing files of its own (added in lane order);
                                         insert_ctx is then unused */
    void *const *insert_ctxs;         /* n_insert_lanes contexts */
} tarn_delta_merge_opts;

TARN_MUST_CHECK tarn_status tarn_delta_merge(const char *table_path,
                                             const tarn_delta_predicate *pred,
                                             const tarn_delta_merge_opts *mo,
                                             tarn_delta_delete_result *out, tarn_err *err);

#endif
