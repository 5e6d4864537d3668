/*
 * delta/stats.h - Delta per-file statistics (PROTOCOL.md "Per-file
 * Statistics"): building the add.stats JSON while a data file is written,
 * and parsing it back into typed bounds for file skipping.
 *
 * Bounds are always safe for skipping: min <= every value, max >= every
 * value. Strings are cut to a prefix (min) or to a prefix whose last code
 * point is incremented (max, omitted when no such bound exists); timestamps
 * are written at millisecond precision rounded down (min) and up (max);
 * float columns holding NaN get no max; binary, boolean, list and map
 * columns get a nullCount only. Parsed values live in the caller's arena.
 */
#ifndef TARN_DELTA_STATS_H
#define TARN_DELTA_STATS_H

#include "column/scalar.h"
#include "delta/snapshot.h"
#include "parquet/writer.h"

/* Longest string prefix (in code points) kept in minValues/maxValues. */
#define TARN_DELTA_STATS_PREFIX 32
/* Leaf columns with statistics by default (delta.dataSkippingNumIndexedCols). */
#define TARN_DELTA_STATS_DEFAULT_INDEXED 32

/* Writing ------------------------------------------------------------------ */

typedef struct tarn_delta_stats_opts {
    int num_indexed_cols;      /* leaf columns with stats, in schema order; -1 = all,
                                  0 = the default (32) */
    const char *stats_columns; /* delta.dataSkippingStatsColumns (comma list of
                                  column paths) or NULL; overrides num_indexed_cols */
    bool tight_bounds;         /* emit "tightBounds":true (deletion-vector tables) */
    bool writer_minmax;        /* min/max of top-level primitive columns other than
                                  floats and decimals come from the Parquet writer's
                                  result instead of being computed by the collector */
} tarn_delta_stats_opts;

/* Fills the defaults: 32 indexed columns, collector computes everything. */
void tarn_delta_stats_opts_init(tarn_delta_stats_opts *o);
/* Reads delta.dataSkippingNumIndexedCols / delta.dataSkippingStatsColumns
 * from a table configuration into o (other fields untouched). */
void tarn_delta_stats_opts_from_config(tarn_delta_stats_opts *o, const tarn_delta_kv *config,
                                       int n_config);

/* Accumulates null counts, NaN presence and min/max over the batches of one
 * data file; turns them into the add.stats JSON when the file is closed. */
typedef struct tarn_delta_stats_collector tarn_delta_stats_collector;

/* Creates a collector for batches of file_schema (borrowed; must outlive the
 * collector). opts may be NULL (defaults). Returns NULL when out of memory. */
tarn_delta_stats_collector *tarn_delta_stats_collector_create(const tarn_schema *file_schema,
                                                              const tarn_delta_stats_opts *opts);
void tarn_delta_stats_collector_destroy(tarn_delta_stats_collector *c);
/* Forgets everything collected (the next file starts). */
void tarn_delta_stats_collector_reset(tarn_delta_stats_collector *c);
/* Folds rows [0, b->n_rows) of a batch of file_schema into the statistics. */
TARN_MUST_CHECK tarn_status tarn_delta_stats_collector_update(tarn_delta_stats_collector *c,
                                                              const tarn_batch *b, tarn_err *err);
/* Appends the stats JSON object for num_records rows to out. res is the
 * Parquet writer's result for the file; required when opts.writer_minmax
 * was set, otherwise ignored (may be NULL). */
TARN_MUST_CHECK tarn_status tarn_delta_stats_collector_json(tarn_delta_stats_collector *c,
                                                            const tarn_pq_write_result *res,
                                                            int64_t num_records, tarn_buf *out,
                                                            tarn_err *err);

/* Reading ------------------------------------------------------------------ */

typedef struct tarn_delta_col_stats {
    bool has_min;                          /* min is a usable lower bound */
    bool has_max;                          /* max is a usable upper bound */
    tarn_scalar min;                       /* <= every non-null value */
    tarn_scalar max;                       /* >= every non-null value */
    bool has_null_count;                   /* null_count is known */
    int64_t null_count;                    /* nulls in the file (see tightBounds) */
    int n_children;                        /* STRUCT: one per member; else 0 */
    struct tarn_delta_col_stats *children; /* member statistics (arena) */
} tarn_delta_col_stats;

typedef struct tarn_delta_file_stats {
    bool has_num_records;       /* num_records is known */
    int64_t num_records;        /* physical rows in the data file */
    bool tight_bounds;          /* false when the stats said "tightBounds":false */
    int n_cols;                 /* = schema->n_fields it was parsed against */
    tarn_delta_col_stats *cols; /* per top-level column, schema order (arena) */
} tarn_delta_file_stats;

/* Parses add.stats JSON against the table schema (keys are physical names
 * when column mapping is on). Unknown keys and values that do not fit the
 * column type are ignored (no bound); timestamp maxima written at
 * millisecond precision are widened by 999 us (writers truncate). Malformed
 * JSON is TARN_ERR_CORRUPT. Everything lives in arena a. */
TARN_MUST_CHECK tarn_status tarn_delta_stats_parse(const char *json, size_t len,
                                                   const tarn_schema *schema, tarn_arena *a,
                                                   tarn_delta_file_stats *out, tarn_err *err);

/* Statistics of an active file in terms of the snapshot schema: add->stats
 * parsed (when present) plus partition columns filled from partitionValues
 * (min = max = the value; nullCount = numRecords for a null partition, else
 * 0). *out_has is false when the add has no stats (partition bounds are
 * still filled, num_records unknown). */
TARN_MUST_CHECK tarn_status tarn_delta_file_stats_for_add(const tarn_delta_snapshot *snap,
                                                          const tarn_delta_add *add, tarn_arena *a,
                                                          tarn_delta_file_stats *out, bool *out_has,
                                                          tarn_err *err);

#endif
