/*
 * delta/history.h - the commit history of a Delta table (DESCRIBE HISTORY).
 *
 * One entry per JSON commit still present in _delta_log, newest first,
 * with what its commitInfo says (operation, parameters, metrics, engine);
 * a commit without commitInfo is listed with those fields NULL. Versions
 * whose JSON files were cleaned up (only a checkpoint remains) are not
 * listed. Only the commitInfo line of each commit is parsed. Everything
 * lives in the history's arena.
 */
#ifndef TARN_DELTA_HISTORY_H
#define TARN_DELTA_HISTORY_H

#include "base/arena.h"
#include "base/status.h"

typedef struct tarn_delta_history_entry {
    int64_t version;                  /* commit version */
    int64_t timestamp_ms;             /* inCommitTimestamp, else commitInfo.timestamp, else
                                         the commit file's modification time */
    bool has_commit_info;             /* the commit had a commitInfo action */
    const char *operation;            /* "WRITE", "DELETE", ... or NULL */
    const char *operation_parameters; /* JSON object text or NULL */
    const char *operation_metrics;    /* JSON object text or NULL */
    const char *engine_info;          /* or NULL */
    const char *commit_info;          /* the whole commitInfo object as JSON, or NULL */
} tarn_delta_history_entry;

typedef struct tarn_delta_history {
    int n_entries;                     /* entries, newest first */
    tarn_delta_history_entry *entries; /* (arena) */
    tarn_arena *arena;                 /* owns everything; tarn_delta_history_fini frees */
} tarn_delta_history;

/* Reads the history of table_path, at most limit entries (<= 0: all).
 * TARN_ERR_NOT_FOUND when it is not a Delta table; a malformed commitInfo
 * line is TARN_ERR_CORRUPT naming the file and line. On failure *out holds
 * nothing (no fini needed); on success release it with tarn_delta_history_fini. */
TARN_MUST_CHECK tarn_status tarn_delta_history_load(const char *table_path, int64_t limit,
                                                    tarn_delta_history *out, tarn_err *err);
void tarn_delta_history_fini(tarn_delta_history *h);

#endif
