/*
 * delta/vacuum.h - VACUUM: delete data files a Delta table no longer needs.
 *
 * A file under the table root is deleted when the current snapshot does not
 * reference it (active adds and their deletion-vector files; tombstones
 * younger than the retention), and it is older than the retention: its
 * tombstone's deletionTimestamp, or for untracked files (orphans of
 * crashed or failed writes) its modification time. _delta_log is never
 * touched except for stale temp files of interrupted publishes/checkpoints
 * (*.tmp-*); hidden and underscore-prefixed names are skipped unless they
 * are partition directories (col=value) of the table. Empty partition
 * directories left behind are removed. No commit is written.
 */
#ifndef TARN_DELTA_VACUUM_H
#define TARN_DELTA_VACUUM_H

#include "base/arena.h"
#include "base/status.h"

typedef struct tarn_delta_vacuum_result {
    double retain_hours;  /* retention applied */
    int64_t cutoff_ms;    /* files older than this (ms since epoch) were eligible */
    int n_files;          /* files deleted (or to delete, dry run) */
    char **files;         /* their paths relative to the table root, sorted (arena) */
    int64_t bytes;        /* their total size */
    int n_log_temp_files; /* of n_files: stale temp files in _delta_log */
    int n_dirs_removed;   /* empty directories removed (0 on dry run) */
    int64_t files_kept;   /* data files still referenced or too young */
    tarn_arena *arena;    /* owns files; freed by tarn_delta_vacuum_result_fini */
} tarn_delta_vacuum_result;

/* Vacuums table_path. retain_hours < 0 uses the table's
 * delta.deletedFileRetentionDuration (default 168 hours); a shorter
 * retention than the table's is refused with TARN_ERR_INVALID unless force.
 * dry_run lists without deleting. Tables whose writer protocol tarn does
 * not honour are refused (TARN_ERR_UNSUPPORTED), as vacuumProtocolCheck
 * requires. *out must be released with tarn_delta_vacuum_result_fini (also
 * after an error: it lists what was deleted before it). */
TARN_MUST_CHECK tarn_status tarn_delta_vacuum(const char *table_path, double retain_hours,
                                              bool dry_run, bool force,
                                              tarn_delta_vacuum_result *out, tarn_err *err);
void tarn_delta_vacuum_result_fini(tarn_delta_vacuum_result *r);

#endif
