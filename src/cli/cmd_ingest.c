/*
 * cli/cmd_ingest.c - `tarn ingest DATASET [PATH...]`: land raw records in
 * bronze.DATASET (pipeline/bronze.c). Input settings come from the flags,
 * else from the dataset's contract `source:` (found in --contracts DIR).
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"
#include "cli/cli.h"
#include "cli/contracts.h"
#include "contract/contract.h"
#include "pipeline/bronze.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: tarn ingest DATASET [PATH...] [options]\n"
    "\n"
    "Lands every record of the input files in the Bronze table bronze.DATASET\n"
    "exactly as received (the NDJSON line, JSON value or CSV row as text; a\n"
    "Parquet row as its canonical JSON text), with\n"
    "_source_file, _source_line, _source_offset, _ingested_at and _batch_id. A\n"
    "record that is not valid JSON lands too, with the reason in _parse_error.\n"
    "PATH is a file, a directory (searched recursively; names starting with '.'\n"
    "or '_' are skipped) or a glob; without PATH the contract's source.path is\n"
    "used. A file already ingested (same path, size and modification time, or\n"
    "same content) is skipped.\n"
    "\n"
    "  --format F        auto (default) | ndjson | jsonl | json | csv | tsv | parquet\n"
    "  --compression C   auto (default) | none | gzip | zstd\n"
    "  --delimiter D     CSV delimiter (default: sniffed; 'tab' for a tab)\n"
    "  --no-header       CSV/TSV files have no header row\n"
    "  --codec C         Parquet codec of the new Bronze files: lz4_raw (default:\n"
    "                    fast landing; Silver and Gold use zstd) | zstd | snappy |\n"
    "                    gzip | brotli | uncompressed\n"
    "  --force           ingest files seen before again\n"
    "  --lake DIR        the lake (default $TARN_LAKE or ./lake)\n"
    "  --contracts DIR   where contracts live (default ./contracts)\n"
    "  --json            print the summary as JSON\n"
    "  --quiet           no per-file lines on stderr\n"
    "\n"
    "Exit 0 on success (also when every file was skipped), 2 on bad input or\n"
    "usage; a failed ingest leaves the table at its previous version.\n";

typedef struct progress {
    bool quiet;
} progress;

static void on_file(void *ctx, const tarn_bronze_file *f)
{
    const progress *p = ctx;
    if (p->quiet)
        return;
    if (f->skipped)
        fprintf(stderr, "ingest: %s: skipped, %s\n", f->path, f->reason);
    else if (f->bad_json)
        fprintf(stderr, "ingest: %s: %lld record%s (%s), %lld not valid JSON\n", f->path,
                (long long)f->records, f->records == 1 ? "" : "s", f->format,
                (long long)f->bad_json);
    else
        fprintf(stderr, "ingest: %s: %lld record%s (%s)\n", f->path, (long long)f->records,
                f->records == 1 ? "" : "s", f->format);
}

/* Every 2 s of a long ingest: how far it got. */
static void on_progress(void *ctx, int64_t bytes, int64_t total, int64_t records)
{
    const progress *p = ctx;
    if (p->quiet)
        return;
    fprintf(stderr, "ingest: %.1f of %.1f MB read (%d%%), %lld records\n", (double)bytes / 1e6,
            (double)total / 1e6, total > 0 ? (int)(100 * bytes / total) : 100, (long long)records);
}

static bool parse_compression(const char *s, tarn_io_compression *out)
{
    static const char *const names[] = {"auto", "none", "gzip", "zstd"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (tarn_io_compression)i;
            return true;
        }
    return false;
}

static void print_json(const char *dataset, const char *table, const tarn_bronze_result *r)
{
    json_t *files = json_array();
    for (int i = 0; files && i < r->n_per_file; i++) {
        const tarn_bronze_file *f = &r->per_file[i];
        json_t *o = json_pack("{s:s, s:b}", "path", f->path ? f->path : "", "skipped", f->skipped);
        if (!o)
            continue;
        if (f->skipped)
            json_object_set_new(o, "reason", json_string(f->reason));
        else {
            json_object_set_new(o, "format", json_string(f->format ? f->format : ""));
            json_object_set_new(o, "records", json_integer(f->records));
            json_object_set_new(o, "invalid_json", json_integer(f->bad_json));
            json_object_set_new(o, "bytes", json_integer(f->bytes));
        }
        json_array_append_new(files, o);
    }
    json_t *doc =
        json_pack("{s:s, s:s, s:b, s:I, s:s, s:i, s:i, s:I, s:I, s:I, s:o}", "dataset", dataset,
                  "table", table, "committed", r->committed, "version", (json_int_t)r->version,
                  "batch_id", r->batch_id, "files", r->files, "skipped", r->skipped, "records",
                  (json_int_t)r->records, "invalid_json", (json_int_t)r->bad_json, "bytes",
                  (json_int_t)r->bytes, "per_file", files ? files : json_array());
    char *s = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    if (s)
        puts(s);
    free(s);
    json_decref(doc);
}

int tarn_cli_ingest(int argc, char **argv)
{
    const char *cmd = "ingest";
    const char *dataset = NULL, *format = NULL, *comp = NULL, *delim = NULL, *lake_opt = NULL;
    const char *codec = "lz4_raw";
    const char *contracts = "contracts";
    bool force = false, json = false, quiet = false, no_header = false;
    const char **paths = tarn_calloc((size_t)argc + 1, sizeof *paths);
    int n_paths = 0, rc = 2;
    tarn_err err;
    tarn_err_clear(&err);
    tarn_cli_contracts cs = {0};
    const tarn_contract *c = NULL;
    char **files = NULL;
    int n_files = 0;
    tarn_bronze_result res = {0};
    if (!paths) {
        tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        return tarn_cli_fail(cmd, &err);
    }
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--format", &format)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--compression", &comp)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--delimiter", &delim)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &lake_opt)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--codec", &codec)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--contracts", &contracts)) != 0) {
            if (m < 0)
                goto out;
        } else if (!strcmp(argv[i], "--force")) {
            force = true;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (!strcmp(argv[i], "--no-header")) {
            no_header = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
            goto out;
        } else if (!dataset) {
            dataset = argv[i];
        } else {
            paths[n_paths++] = argv[i];
        }
    }
    if (!dataset) {
        rc = tarn_cli_usage_error(cmd, "no dataset given");
        goto out;
    }
    for (const char *p = dataset; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_')) {
            rc = tarn_cli_usage_error(cmd,
                                      "dataset name '%s' may contain only letters, digits "
                                      "and '_'",
                                      dataset);
            goto out;
        }
    /* Contracts that do not load are skipped here: `tarn contract lint` says why. */
    if (tarn_cli_contracts_load(contracts, false, &cs, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    c = tarn_cli_contracts_find(&cs, dataset);
    tarn_bronze_opts o = {0};
    tarn_io_opts_init(&o.io);
    if (c && c->has_source) { /* contract defaults, flags win */
        tarn_io_format f;
        if (c->source.format && tarn_io_format_parse(c->source.format, &f, &err) == TARN_OK)
            o.io.format = f;
        if (c->source.compression)
            parse_compression(c->source.compression, &o.io.compression);
        if (c->source.delimiter)
            o.io.delimiter = c->source.delimiter;
        if (c->source.header >= 0)
            o.io.header = c->source.header;
    }
    if (c && c->has_source && c->source.format && !strcmp(c->source.format, "parquet"))
        o.parquet = true;
    if (format && !strcmp(format, "parquet")) {
        o.parquet = true;
        o.io.format = TARN_IO_AUTO;
    } else if (format && tarn_io_format_parse(format, &o.io.format, &err) != TARN_OK) {
        rc = tarn_cli_usage_error(cmd, "--format: %s", err.msg);
        goto out;
    }
    if (comp && !parse_compression(comp, &o.io.compression)) {
        rc = tarn_cli_usage_error(cmd, "--compression takes auto, none, gzip or zstd, not '%s'",
                                  comp);
        goto out;
    }
    if (delim) {
        if (!strcmp(delim, "tab") || !strcmp(delim, "\\t"))
            o.io.delimiter = '\t';
        else if (strlen(delim) == 1)
            o.io.delimiter = delim[0];
        else {
            rc = tarn_cli_usage_error(cmd, "--delimiter takes one character (or tab)");
            goto out;
        }
    }
    if (no_header)
        o.io.header = 0;
    if (n_paths == 0) {
        if (!c || !c->has_source || !c->source.path) {
            rc = tarn_cli_usage_error(cmd,
                                      "no input given, and no contract for '%s' in %s/ "
                                      "names a source.path",
                                      dataset, contracts);
            goto out;
        }
        paths[n_paths++] = c->source.path;
    }
    if (tarn_bronze_expand(paths, n_paths, &files, &n_files, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    const char *lake = tarn_cli_lake_dir(lake_opt);
    char table[PATH_MAX];
    snprintf(table, sizeof table, "%s/bronze/%s", lake, dataset);
    progress pr = {quiet || json};
    o.table = table;
    o.files = (const char *const *)files;
    o.n_files = n_files;
    o.force = force;
    o.codec = codec;
    o.on_file = on_file;
    o.on_progress = on_progress;
    o.ctx = &pr;
    if (tarn_bronze_ingest(&o, &res, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    char name[300];
    snprintf(name, sizeof name, "bronze.%s", dataset);
    if (json)
        print_json(dataset, name, &res);
    else if (res.committed)
        printf("%s: version %lld: %lld records from %d file%s (%lld not valid JSON), %d "
               "skipped, batch %s\n",
               name, (long long)res.version, (long long)res.records, res.files,
               res.files == 1 ? "" : "s", (long long)res.bad_json, res.skipped, res.batch_id);
    else
        printf("%s: nothing new to ingest (%d file%s skipped)\n", name, res.skipped,
               res.skipped == 1 ? "" : "s");
    rc = 0;
out:
    tarn_bronze_result_fini(&res);
    tarn_bronze_free_list(files, n_files);
    tarn_cli_contracts_free(&cs);
    tarn_free(paths);
    return rc;
}
