/*
 * delta/optimize.h - OPTIMIZE: compact a Delta table's small files and,
 * optionally, cluster its rows by a Z-order curve over some columns.
 *
 * Per partition (files never mix partitions): without Z-order, the files
 * smaller than the target size are read and rewritten into files near it
 * (a partition with fewer than two small files is left alone); with
 * Z-order, every file of the partition is rewritten with its rows sorted by
 * the interleaved bits of the Z-order columns (each column mapped to an
 * order-preserving 32-bit code scaled to its range in the partition, NULLs
 * first), so rows close in all those columns land in the same file and a
 * selective filter on any of them skips most files by their statistics.
 * Everything is one commit, operation OPTIMIZE: removes of the old files
 * and adds of the new ones, all with dataChange=false; rows deleted by
 * deletion vectors are not rewritten. A kill before the commit leaves the
 * table at its last version (the new files are orphans for vacuum). A
 * partition's rows are held in memory while they are rewritten.
 */
#ifndef TARN_DELTA_OPTIMIZE_H
#define TARN_DELTA_OPTIMIZE_H

#include "delta/write.h"

typedef struct tarn_delta_optimize_opts {
    const char *const *zorder_by; /* Z-order columns (at most 8), or NULL */
    int n_zorder_by;
    int64_t target_file_bytes; /* files are cut near this many (estimated) bytes; 0: 128 MiB */
} tarn_delta_optimize_opts;

typedef struct tarn_delta_optimize_result {
    bool committed;  /* false: nothing to do */
    int64_t version; /* version written (or read when nothing was done) */
    int64_t files_removed, files_added;
    int64_t bytes_removed, bytes_added;
    int64_t rows;   /* rows rewritten */
    int partitions; /* partitions rewritten */
} tarn_delta_optimize_result;

/* Optimizes the table at table_path. An unknown or nested Z-order column is
 * TARN_ERR_INVALID naming it (with "did you mean"); a concurrent commit
 * that touched the same files is TARN_ERR_CONFLICT. */
TARN_MUST_CHECK tarn_status tarn_delta_optimize(const char *table_path,
                                                const tarn_delta_optimize_opts *o,
                                                tarn_delta_optimize_result *out, tarn_err *err);

#endif
