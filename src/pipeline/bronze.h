/*
 * pipeline/bronze.h - Bronze ingestion: every record of the input files lands
 * in the dataset's Bronze Delta table exactly as received, with where it came
 * from, so Silver can always be rebuilt from Bronze alone.
 *
 * Bronze rows (text inputs: NDJSON / JSON Lines, JSON arrays or concatenated
 * JSON, CSV, TSV; plain, gzip or zstd; and Parquet files, whose rows land
 * with their typed columns and, in _raw, their canonical JSON text):
 *
 *   _raw           string     the record's text (an NDJSON line, a JSON value,
 *                             a CSV row) without its line end
 *   _format        string     ndjson | json | csv | tsv | parquet
 *   _header        string     the CSV/TSV header row, null for JSON
 *   _delimiter     string     the CSV delimiter, null for JSON
 *   _parse_error   string     null, or why a JSON record is not valid JSON
 *   _source_file   string     absolute path of the input file
 *   _source_line   int64      1-based line where the record starts (Parquet: row)
 *   _source_offset int64      byte offset of the record in the (decompressed) file
 *   _ingested_at   timestamp  when this ingest ran
 *   _batch_id      string     one UUID per ingest run
 *   (Parquet inputs' flat columns, typed and nullable: values of Parquet
 *    rows as they are, null for text rows; a name or type clashing with
 *    what Bronze already has stays in _raw only)
 *
 * A file is ingested at most once: each commit carries, per file, Delta txn
 * actions keyed by its path+size+modification time and by its content hash;
 * a file whose key is already in the table is skipped (unless forced). The
 * keys commit atomically with the rows, so a killed ingest neither loses nor
 * doubles a file, and two concurrent ingests of one file conflict instead of
 * both landing. The table is created append-only (delta.appendOnly).
 */
#ifndef TARN_PIPELINE_BRONZE_H
#define TARN_PIPELINE_BRONZE_H

#include "io/reader.h"

typedef struct tarn_bronze_file {
    const char *path;   /* as given */
    bool skipped;       /* not ingested (see reason) */
    const char *reason; /* why skipped, or NULL */
    const char *format; /* ndjson, json, csv, tsv */
    int64_t records;    /* records landed */
    int64_t bad_json;   /* of which flagged with a _parse_error */
    int64_t bytes;      /* raw bytes read */
} tarn_bronze_file;

typedef struct tarn_bronze_opts {
    const char *table;        /* Bronze table directory (LAKE/bronze/<dataset>) */
    const char *const *files; /* input files, in order (see tarn_bronze_expand) */
    int n_files;
    tarn_io_opts io;   /* format, compression, delimiter, header; AUTO = per file */
    bool parquet;      /* every input is Parquet (else *.parquet names and "PAR1" files) */
    bool force;        /* ingest files seen before too */
    const char *codec; /* Parquet codec name of the new files (NULL: lz4_raw) */
    int64_t now_us;    /* _ingested_at; 0 = the clock */
    int64_t split_min; /* inputs from this many bytes in all are ingested by one lane per
                          core, uncompressed NDJSON files of this size split into line-
                          aligned byte ranges; 0 = 64 MiB */
    void (*on_file)(void *ctx, const tarn_bronze_file *f); /* after each file, or NULL */
    /* while records are written, at most every progress_every_us (0: 2 s), from any
       one thread at a time: raw bytes read so far of bytes_total, and records */
    void (*on_progress)(void *ctx, int64_t bytes, int64_t bytes_total, int64_t records);
    int64_t progress_every_us;
    void *ctx;
} tarn_bronze_opts;

typedef struct tarn_bronze_result {
    bool committed;             /* a new table version holds the records */
    int64_t version;            /* that version (or the table's version when nothing landed) */
    int files, skipped;         /* files ingested / skipped */
    int64_t records;            /* records landed */
    int64_t bad_json;           /* of which with a _parse_error */
    int64_t bytes;              /* raw bytes read from ingested files */
    char batch_id[40];          /* _batch_id of the run */
    tarn_bronze_file *per_file; /* n_files entries (heap) */
    int n_per_file;
} tarn_bronze_result;

/* The Bronze schema above (caller destroys). */
tarn_schema *tarn_bronze_schema(void);

/* Ingests o->files into o->table. Errors (unreadable file, broken
 * compression, a commit conflict) leave the table at its previous version. */
TARN_MUST_CHECK tarn_status tarn_bronze_ingest(const tarn_bronze_opts *o, tarn_bronze_result *out,
                                               tarn_err *err);
void tarn_bronze_result_fini(tarn_bronze_result *r);

/* Expands command-line inputs into files: a file as is; a directory
 * recursively (names starting with '.' or '_' skipped, sorted); a pattern
 * with * ? [ as a glob (sorted; no match is an error). *out is a heap array
 * of heap strings (tarn_bronze_free_list). */
TARN_MUST_CHECK tarn_status tarn_bronze_expand(const char *const *args, int n, char ***out,
                                               int *n_out, tarn_err *err);
void tarn_bronze_free_list(char **list, int n);

#endif
