/*
 * exec/source.h - "something with rows" as the command line sees it: a
 * Parquet file or a Delta table directory (at a version or timestamp),
 * optionally projected to some columns and filtered by a --where predicate.
 *
 * Yields batches of the projected schema; filtered batches are compacted so
 * every yielded row matches. Owns everything it opens.
 */
#ifndef TARN_EXEC_SOURCE_H
#define TARN_EXEC_SOURCE_H

#include "column/vec.h"
#include "delta/snapshot.h"

typedef struct tarn_source tarn_source;

typedef struct tarn_source_opts {
    const char *path;                    /* Parquet file or Delta table directory */
    tarn_delta_at at;                    /* Delta version to read (LATEST by default) */
    const char *columns;                 /* comma-separated projection, or NULL */
    const char *where;                   /* predicate text, or NULL */
    const tarn_delta_snapshot *snapshot; /* Delta: read this loaded snapshot (borrowed;
                                            outlives the source) instead of loading path */
    int part, n_parts;                   /* n_parts > 1: read only the files (Delta) or row groups
                                            (Parquet) whose index % n_parts == part, so n_parts
                                            sources read one input in parallel */
} tarn_source_opts;

TARN_MUST_CHECK tarn_status tarn_source_open(const tarn_source_opts *o, tarn_source **out,
                                             tarn_err *err);
const tarn_schema *tarn_source_schema(const tarn_source *s);
/* Next non-empty batch (owned by the source) or NULL at the end. */
TARN_MUST_CHECK tarn_status tarn_source_next(tarn_source *s, tarn_batch **out, tarn_err *err);
/* Files (Delta) or row groups (Parquet) skipped by statistics, and scanned
 * (of this source's part). */
void tarn_source_counts(const tarn_source *s, int64_t *out_skipped, int64_t *out_scanned);
/* Bytes of the Delta data files read (add.size) and of all files considered
 * (of this source's part); 0 for Parquet inputs. */
void tarn_source_bytes(const tarn_source *s, int64_t *out_read, int64_t *out_total);
/* Delta: row groups skipped by statistics inside the files read. */
int64_t tarn_source_row_groups_skipped(const tarn_source *s);
/* The loaded snapshot when the source is a Delta table, else NULL. */
const tarn_delta_snapshot *tarn_source_snapshot(const tarn_source *s);
void tarn_source_close(tarn_source *s);

/* Parses a --timestamp value (ISO date or date-time, UTC unless an offset is
 * given) into milliseconds since the epoch. */
TARN_MUST_CHECK tarn_status tarn_parse_timestamp_ms(const char *text, int64_t *out, tarn_err *err);

#endif
