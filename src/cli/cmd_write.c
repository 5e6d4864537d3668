/*
 * cli/cmd_write.c - `tarn write TABLE_DIR INPUT...`: load NDJSON, JSON, CSV,
 * Parquet or Delta input into a Delta table in one atomic commit.
 *
 * The target schema is --schema, else the existing table's schema, else
 * inferred from the first input. Inputs stream through the Delta writer
 * batch by batch (bounded memory); any bad record aborts the whole write
 * with file:line, leaving the table at its previous version.
 */
#include "base/alloc.h"
#include "base/fs.h"
#include "base/time.h"
#include "cli/cli.h"
#include "column/cast.h"
#include "delta/write.h"
#include "exec/source.h"
#include "io/reader.h"
#include "parquet/codec.h"

#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: tarn write TABLE_DIR INPUT... [options]\n"
    "\n"
    "Write the records of one or more input files into a Delta table, creating\n"
    "it when needed. All inputs land in one commit: either everything is written\n"
    "or, on any error, nothing is and the table stays at its previous version.\n"
    "\n"
    "options:\n"
    "  --format F          auto (default: from the name and content), ndjson,\n"
    "                      json (an array of objects), csv, tsv, parquet, delta\n"
    "                      (.gz and .zst compressed text inputs are detected)\n"
    "  --mode M            append (default) or overwrite (replaces all rows; may\n"
    "                      change the schema and partitioning)\n"
    "  --schema S          column types, e.g. \"id bigint not null, amount\n"
    "                      decimal(10,2), ts timestamp\"; default: the table's schema,\n"
    "                      else inferred from the first input\n"
    "  --partition-by C    partition a new (or overwritten) table by column(s) C[,C2]\n"
    "  --codec C           zstd (default), snappy, gzip, lz4, brotli, uncompressed\n"
    "  --delimiter C       CSV field delimiter (default: sniffed)\n"
    "  --no-header         CSV input has no header row (columns by position)\n"
    "  --ignore-unknown-fields\n"
    "                      drop input fields that are not table columns (default:\n"
    "                      such a field is an error, so no data is lost silently)\n"
    "  --quiet             no summary line\n"
    "\n"
    "Exit codes: 0 written, 1 concurrent-write conflict, 2 bad input or usage\n"
    "(the error names the file and line).\n";

typedef struct write_ctx {
    char **inputs;             /* input paths */
    int n_inputs;              /* count */
    int next_input;            /* index of the next input to open */
    const char *format;        /* --format */
    tarn_io_opts io_opts;      /* text input options */
    const tarn_schema *schema; /* target schema */
    tarn_io_reader *io;        /* current text reader */
    tarn_source *src;          /* current Parquet/Delta reader */
    const char *cur_path;      /* current input path */
    tarn_batch *cast;          /* batch converted to the target schema */
    int *col_map;              /* target column -> source column, -1 = null */
    int64_t rows;              /* rows handed to the writer */
    int64_t bytes_done;        /* input bytes of finished inputs */
    int64_t last_progress;     /* monotonic us of the last progress line */
    bool progress;             /* stderr is a terminal */
} write_ctx;

static bool is_columnar(const char *path, const char *format)
{
    if (format && (!strcmp(format, "parquet") || !strcmp(format, "delta")))
        return true;
    if (format && strcmp(format, "auto") != 0)
        return false;
    size_t n = strlen(path);
    return tarn_is_dir(path) || (n > 8 && !strcmp(path + n - 8, ".parquet"));
}

static tarn_status parse_io_format(const char *f, tarn_io_opts *o, tarn_err *err)
{
    if (!f || !strcmp(f, "auto"))
        o->format = TARN_IO_AUTO;
    else if (!strcmp(f, "ndjson") || !strcmp(f, "jsonl"))
        o->format = TARN_IO_NDJSON;
    else if (!strcmp(f, "json"))
        o->format = TARN_IO_JSON;
    else if (!strcmp(f, "csv"))
        o->format = TARN_IO_CSV;
    else if (!strcmp(f, "tsv"))
        o->format = TARN_IO_TSV;
    else if (strcmp(f, "parquet") && strcmp(f, "delta"))
        return tarn_err_set(err, TARN_ERR_USAGE,
                            "unknown --format '%s' (expected auto, ndjson, json, csv, tsv, "
                            "parquet or delta)",
                            f);
    return TARN_OK;
}

/* Maps target columns to the source schema by name, checking castability. */
static tarn_status map_columns(write_ctx *c, const tarn_schema *from, tarn_err *err)
{
    tarn_free(c->col_map);
    c->col_map = tarn_alloc(sizeof(int) * (size_t)(c->schema->n_fields + 1));
    if (!c->col_map)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->schema->n_fields; i++) {
        const tarn_field *tf = &c->schema->fields[i];
        int k = tarn_schema_find(from, tf->name);
        if (k < 0)
            k = tarn_schema_find_ci(from, tf->name);
        c->col_map[i] = k;
        if (k < 0 && !tf->nullable)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "input has no column '%s', which is not nullable", tf->name);
        if (k >= 0 && !tarn_cast_supported(&from->fields[k], tf)) {
            char a[48], b[48];
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "column '%s' is %s in the input but %s "
                                "in the table",
                                tf->name, tarn_type_name(from->fields[k].type, a, sizeof a),
                                tarn_type_name(tf->type, b, sizeof b));
        }
    }
    for (int k = 0; k < from->n_fields; k++)
        if (tarn_schema_find(c->schema, from->fields[k].name) < 0 &&
            tarn_schema_find_ci(c->schema, from->fields[k].name) < 0)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "input column '%s' is not in the table schema (use --mode "
                                "overwrite to change the schema)",
                                from->fields[k].name);
    return TARN_OK;
}

static tarn_status open_next_input(write_ctx *c, tarn_err *err)
{
    const char *path = c->inputs[c->next_input++];
    c->cur_path = path;
    if (is_columnar(path, c->format)) {
        tarn_source_opts so;
        memset(&so, 0, sizeof so);
        so.path = path;
        so.at.kind = TARN_DELTA_AT_LATEST;
        TARN_TRY(tarn_source_open(&so, &c->src, err));
        return map_columns(c, tarn_source_schema(c->src), err);
    }
    tarn_io_opts o = c->io_opts;
    TARN_TRY(tarn_io_detect(path, &o, err));
    return tarn_io_reader_open(path, c->schema, &o, &c->io, err);
}

static void close_input(write_ctx *c)
{
    if (c->io)
        c->bytes_done += tarn_io_reader_bytes_read(c->io);
    tarn_io_reader_close(c->io);
    c->io = NULL;
    tarn_source_close(c->src);
    c->src = NULL;
}

/* Converts a Parquet/Delta batch to the target schema. */
static tarn_status convert(write_ctx *c, const tarn_batch *in, tarn_batch **out, tarn_err *err)
{
    const tarn_schema *from = tarn_source_schema(c->src);
    tarn_batch_reset(c->cast);
    for (int i = 0; i < c->schema->n_fields; i++) {
        int k = c->col_map[i];
        tarn_status st;
        if (k < 0) {
            st = tarn_vec_append_nulls(c->cast->cols[i], in->n_rows);
            if (st != TARN_OK)
                return tarn_err_set(err, st, "out of memory");
            continue;
        }
        int64_t bad = -1;
        st = tarn_vec_cast_append(c->cast->cols[i], &c->schema->fields[i], in->cols[k],
                                  &from->fields[k], 0, in->n_rows, &bad, err);
        if (st != TARN_OK)
            return tarn_err_prefix(err, "column '%s'", c->schema->fields[i].name);
    }
    c->cast->n_rows = in->n_rows;
    *out = c->cast;
    return TARN_OK;
}

static void progress(write_ctx *c, bool final)
{
    if (!c->progress)
        return;
    int64_t now = tarn_monotonic_us();
    if (!final && now - c->last_progress < 500000)
        return;
    c->last_progress = now;
    int64_t bytes = c->bytes_done + (c->io ? tarn_io_reader_bytes_read(c->io) : 0);
    fprintf(stderr, "\rtarn write: %lld rows, %.1f MB read, input %d/%d%s", (long long)c->rows,
            (double)bytes / 1e6, c->next_input, c->n_inputs, final ? "\n" : "");
}

/* tarn_delta_source_fn: the next batch of the target schema. */
static tarn_status next_batch(void *ctx, tarn_batch **out, tarn_err *err)
{
    write_ctx *c = ctx;
    for (;;) {
        if (!c->io && !c->src) {
            if (c->next_input >= c->n_inputs) {
                *out = NULL;
                return TARN_OK;
            }
            tarn_status st = open_next_input(c, err);
            if (st != TARN_OK)
                return tarn_err_at_path(err, c->cur_path);
        }
        tarn_batch *b = NULL;
        tarn_status st;
        if (c->io) {
            st = tarn_io_reader_next(c->io, &b, err);
        } else {
            st = tarn_source_next(c->src, &b, err);
            if (st == TARN_OK && b)
                st = convert(c, b, &b, err);
        }
        if (st != TARN_OK)
            return tarn_err_at_path(err, c->cur_path);
        if (!b) {
            close_input(c);
            continue;
        }
        c->rows += b->n_rows;
        progress(c, false);
        *out = b;
        return TARN_OK;
    }
}

/* Target schema: --schema, else the table's, else inferred from input 0. */
static tarn_status resolve_schema(write_ctx *c, const char *table, const char *schema_text,
                                  bool overwrite, tarn_schema **owned, tarn_err *err)
{
    *owned = NULL;
    if (schema_text)
        return tarn_schema_parse(schema_text, owned, err) == TARN_OK
                   ? TARN_OK
                   : tarn_err_prefix(err, "--schema");
    if (!overwrite && tarn_delta_is_table(table)) {
        tarn_delta_snapshot *snap;
        tarn_delta_at at = {.kind = TARN_DELTA_AT_LATEST};
        TARN_TRY(tarn_delta_snapshot_load(table, &at, &snap, err));
        *owned = tarn_schema_clone(snap->schema);
        tarn_delta_snapshot_destroy(snap);
        return *owned ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    const char *first = c->inputs[0];
    if (is_columnar(first, c->format)) {
        tarn_source_opts so;
        memset(&so, 0, sizeof so);
        so.path = first;
        so.at.kind = TARN_DELTA_AT_LATEST;
        tarn_source *src;
        TARN_TRY(tarn_source_open(&so, &src, err));
        *owned = tarn_schema_clone(tarn_source_schema(src));
        tarn_source_close(src);
        return *owned ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    tarn_io_opts o = c->io_opts;
    TARN_TRY(tarn_io_detect(first, &o, err));
    tarn_status st = tarn_io_infer_schema(first, &o, 10000, owned, err);
    if (st != TARN_OK)
        tarn_err_at_path(err, first);
    return st;
}

static int split_list(char *s, const char **out, int max)
{
    int n = 0;
    for (char *p = s; p && *p && n < max;) {
        char *e = strchr(p, ',');
        if (e)
            *e = '\0';
        out[n++] = p;
        p = e ? e + 1 : NULL;
    }
    return n;
}

int tarn_cli_write(int argc, char **argv)
{
    const char *cmd = "write";
    const char *table = NULL, *schema_text = NULL, *mode = "append", *codec = "zstd";
    char *partition = NULL;
    bool quiet = false;
    write_ctx c;
    memset(&c, 0, sizeof c);
    tarn_io_opts_init(&c.io_opts);
    c.io_opts.ignore_unknown_fields = false; /* dropping fields would lose data */
    char **inputs = tarn_calloc((size_t)argc + 1, sizeof(char *));
    tarn_err err;
    tarn_err_clear(&err);
    if (!inputs)
        return 2;
    c.inputs = inputs;
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        }
        if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--format", &v)) != 0) {
            if (m < 0)
                goto out;
            c.format = v;
            if (parse_io_format(v, &c.io_opts, &err) != TARN_OK) {
                rc = tarn_cli_usage_error(cmd, "%s", err.msg);
                goto out;
            }
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--mode", &v)) != 0) {
            if (m < 0)
                goto out;
            mode = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--schema", &v)) != 0) {
            if (m < 0)
                goto out;
            schema_text = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--partition-by", &v)) != 0) {
            if (m < 0)
                goto out;
            partition = (char *)v; /* argv memory: writable, split in place */
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--codec", &v)) != 0) {
            if (m < 0)
                goto out;
            codec = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--delimiter", &v)) != 0) {
            if (m < 0)
                goto out;
            if (strlen(v) != 1 && strcmp(v, "\\t") != 0) {
                rc = tarn_cli_usage_error(cmd, "--delimiter must be one character");
                goto out;
            }
            c.io_opts.delimiter = strcmp(v, "\\t") == 0 ? '\t' : v[0];
        } else if (!strcmp(argv[i], "--ignore-unknown-fields")) {
            c.io_opts.ignore_unknown_fields = true;
        } else if (!strcmp(argv[i], "--no-header")) {
            c.io_opts.header = 0;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
            goto out;
        } else if (!table) {
            table = argv[i];
        } else {
            inputs[c.n_inputs++] = argv[i];
        }
    }
    if (!table || c.n_inputs == 0) {
        rc = tarn_cli_usage_error(cmd, table ? "missing INPUT" : "missing TABLE_DIR");
        goto out;
    }
    if (strcmp(mode, "append") && strcmp(mode, "overwrite")) {
        rc = tarn_cli_usage_error(cmd, "--mode must be append or overwrite, not '%s'", mode);
        goto out;
    }
    for (int k = 0; k < c.n_inputs; k++)
        if (!tarn_path_exists(inputs[k])) {
            tarn_err_set(&err, TARN_ERR_NOT_FOUND, "input does not exist");
            tarn_err_at_path(&err, inputs[k]);
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }

    tarn_delta_write_opts wo;
    tarn_delta_write_opts_init(&wo);
    if (tarn_pq_codec_parse(codec, &wo.pq.codec, &err) != TARN_OK) {
        rc = tarn_cli_usage_error(cmd, "--codec: %s", err.msg);
        goto out;
    }
    wo.mode = strcmp(mode, "overwrite") == 0 ? TARN_DELTA_OVERWRITE : TARN_DELTA_APPEND;
    const char *parts[64];

    if (partition) {
        wo.n_partition_by = split_list(partition, parts, 64);
        wo.partition_by = parts;
    }
    tarn_schema *schema = NULL;
    int64_t t0 = tarn_monotonic_us();
    tarn_status st =
        resolve_schema(&c, table, schema_text, wo.mode == TARN_DELTA_OVERWRITE, &schema, &err);
    c.schema = schema;
    if (st == TARN_OK) {
        c.cast = tarn_batch_create(schema);
        if (!c.cast)
            st = tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
    }
    c.progress = isatty(2);
    tarn_delta_write_result res;
    memset(&res, 0, sizeof res);
    if (st == TARN_OK)
        st = tarn_delta_write(table, schema, next_batch, &c, &wo, &res, &err);
    close_input(&c);
    if (st == TARN_OK) {
        progress(&c, true);
        if (res.has_warning)
            fprintf(stderr, "tarn write: warning: %s\n", res.warning);
        if (!quiet)
            printf("wrote %lld row%s in %lld file%s to %s (version %lld%s) in %.2f s\n",
                   (long long)res.rows, res.rows == 1 ? "" : "s", (long long)res.files,
                   res.files == 1 ? "" : "s", table, (long long)res.version,
                   res.created ? ", created" : "", (double)(tarn_monotonic_us() - t0) / 1e6);
        rc = 0;
    } else {
        if (c.progress)
            fputc('\n', stderr);
        if (err.code == TARN_OK)
            tarn_err_set(&err, st, "%s", tarn_status_name(st));
        rc = tarn_cli_fail(cmd, &err);
    }
    tarn_batch_destroy(c.cast);
    tarn_schema_destroy(schema);
out:
    tarn_free(c.col_map);
    tarn_free(inputs);
    return rc;
}
