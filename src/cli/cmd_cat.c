/*
 * cli/cmd_cat.c - `tarn cat PATH`: print the rows of a Parquet file or a
 * Delta table (any version) as NDJSON, CSV or a table.
 */
#include "cli/cli.h"
#include "cli/output.h"
#include "exec/source.h"

#include <string.h>

static const char usage_text[] =
    "usage: tarn cat PATH [options]\n"
    "\n"
    "Print the rows of a Parquet file or a Delta table directory.\n"
    "\n"
    "options:\n"
    "  --version N          read the Delta table as of version N\n"
    "  --timestamp TS       read the Delta table as of time TS (ISO 8601, e.g.\n"
    "                       2024-05-01T12:00:00Z): the latest version committed at\n"
    "                       or before TS\n"
    "  --format F           ndjson (default), csv or table\n"
    "  --limit N            print at most N rows (table format: 1000 by default)\n"
    "  --columns a,b,...    print only these columns, in this order\n"
    "  --where EXPR         only rows matching EXPR, e.g. \"amount > 10 AND country\n"
    "                       IN ('DE','FR')\"; files and row groups whose statistics\n"
    "                       exclude EXPR are skipped\n"
    "  --stats              report files/row groups scanned and skipped on stderr\n"
    "\n"
    "NDJSON is the canonical row form: one object per row, keys in column order,\n"
    "decimals as strings with their exact scale, timestamps as\n"
    "YYYY-MM-DDTHH:MM:SS.ffffffZ, binary as lowercase hex.\n";

int tarn_cli_cat(int argc, char **argv)
{
    const char *cmd = "cat";
    tarn_source_opts so;
    memset(&so, 0, sizeof so);
    so.at.kind = TARN_DELTA_AT_LATEST;
    tarn_cli_format fmt = TARN_CLI_NDJSON;
    int64_t limit = -1;
    bool stats = false;
    tarn_err err;
    tarn_err_clear(&err);
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        }
        if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--version", &v)) != 0) {
            if (m < 0 || !tarn_cli_parse_i64(cmd, "--version", v, &so.at.version))
                return 2;
            if (so.at.kind == TARN_DELTA_AT_TIMESTAMP)
                return tarn_cli_usage_error(cmd, "use --version or --timestamp, not both");
            so.at.kind = TARN_DELTA_AT_VERSION;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--timestamp", &v)) != 0) {
            if (m < 0)
                return 2;
            if (so.at.kind == TARN_DELTA_AT_VERSION)
                return tarn_cli_usage_error(cmd, "use --version or --timestamp, not both");
            if (tarn_parse_timestamp_ms(v, &so.at.timestamp_ms, &err) != TARN_OK)
                return tarn_cli_usage_error(cmd, "--timestamp: %s", err.msg);
            so.at.kind = TARN_DELTA_AT_TIMESTAMP;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--format", &v)) != 0) {
            if (m < 0)
                return 2;
            if (tarn_cli_format_parse(v, &fmt, &err) != TARN_OK)
                return tarn_cli_usage_error(cmd, "%s", err.msg);
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--limit", &v)) != 0) {
            if (m < 0 || !tarn_cli_parse_i64(cmd, "--limit", v, &limit))
                return 2;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--columns", &v)) != 0) {
            if (m < 0)
                return 2;
            so.columns = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--where", &v)) != 0) {
            if (m < 0)
                return 2;
            so.where = v;
        } else if (!strcmp(argv[i], "--stats")) {
            stats = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!so.path) {
            so.path = argv[i];
        } else {
            return tarn_cli_usage_error(cmd, "only one PATH is allowed ('%s')", argv[i]);
        }
    }
    if (!so.path)
        return tarn_cli_usage_error(cmd, "missing PATH");

    tarn_source *src = NULL;
    tarn_cli_output *out = NULL;
    tarn_status st = tarn_source_open(&so, &src, &err);
    if (st == TARN_OK) {
        out = tarn_cli_output_create(stdout, fmt, tarn_source_schema(src), limit);
        if (!out)
            st = tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
    }
    while (st == TARN_OK && !tarn_cli_output_full(out)) {
        tarn_batch *b;
        st = tarn_source_next(src, &b, &err);
        if (st != TARN_OK || !b)
            break;
        st = tarn_cli_output_write(out, b, &err);
    }
    if (st == TARN_OK)
        st = tarn_cli_output_finish(out, &err);
    if (st == TARN_OK && stats) {
        int64_t skipped, scanned;
        tarn_source_counts(src, &skipped, &scanned);
        fprintf(stderr, "tarn cat: %s scanned %lld, skipped %lld (statistics); %lld rows out\n",
                tarn_source_snapshot(src) ? "files" : "row groups", (long long)scanned,
                (long long)skipped, (long long)tarn_cli_output_rows(out));
    }
    tarn_cli_output_destroy(out);
    tarn_source_close(src);
    if (st != TARN_OK) {
        if (err.code == TARN_OK)
            tarn_err_set(&err, st, "%s", tarn_status_name(st));
        if (err.path[0] == '\0')
            tarn_err_at_path(&err, so.path);
        return tarn_cli_fail(cmd, &err);
    }
    return 0;
}
