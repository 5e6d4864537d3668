/*
 * cli/cmd_sql.c - `tarn sql`: run SQL over the lake's tables.
 *
 * One query from the command line, or statements from stdin separated by
 * semicolons (a prompt when stdin is a terminal). Errors print the message
 * with the query line and a caret under the problem.
 */
#include "base/alloc.h"
#include "base/buf.h"
#include "base/time.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "column/render.h"
#include "sql/lex.h"
#include "sql/query.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: tarn sql [\"QUERY\"] [--format table|ndjson|csv|json] [--lake DIR] [--stats]\n"
    "\n"
    "Run a SQL query over the lake and print its rows. Without QUERY, statements\n"
    "are read from stdin, separated by ';' (an interactive prompt when stdin is a\n"
    "terminal; \\q or end of input quits).\n"
    "\n"
    "Tables are layer.name (the Delta table LAKE/<layer>/<name>), a quoted\n"
    "'path' to a Delta table directory or Parquet file, read_parquet('file')\n"
    "or delta_scan('dir'); FROM t VERSION AS OF n and TIMESTAMP AS OF '...'\n"
    "read older versions. EXPLAIN QUERY runs the query and prints each step with\n"
    "its rows, and per scan the files read and skipped by statistics.\n"
    "\n"
    "options:\n"
    "  --format F   table (default on a terminal), ndjson (default otherwise;\n"
    "               DESIGN.md's canonical rendering), csv, json (one array)\n"
    "  --lake DIR   the lake (default $TARN_LAKE, else ./lake)\n"
    "  --limit N    print at most N rows\n"
    "  --stats      after the rows, print on stderr the time taken, files\n"
    "               read and skipped, and rows scanned\n"
    "\n"
    "Exit codes: 0 ok, 1 a data error while running (overflow, bad cast),\n"
    "2 a bad query (the error names line and column) or usage.\n";

typedef struct sql_opts {
    const char *lake;
    bool json;
    tarn_cli_format fmt;
    int64_t limit;
    bool stats;
} sql_opts;

static void print_error(const char *sql, const tarn_err *err)
{
    fprintf(stderr, "tarn sql: %s\n", err->msg);
    if (err->offset >= 0 && err->line > 0) {
        char caret[1024];
        tarn_sql_caret(sql, (int)err->offset, caret, sizeof caret);
        fputs(caret, stderr);
    }
}

/* JSON output: the NDJSON lines as one array. */
static tarn_status write_json(const tarn_batch *b, int64_t limit, tarn_err *err)
{
    tarn_buf buf;
    tarn_buf_init(&buf);
    tarn_batch view = *b;
    if (limit >= 0 && view.n_rows > limit)
        view.n_rows = limit;
    tarn_status st = tarn_render_ndjson(&buf, &view);
    if (st != TARN_OK) {
        tarn_buf_fini(&buf);
        return tarn_err_set(err, st, "rendering failed");
    }
    fputs("[", stdout);
    const char *p = buf.data;
    bool first = true;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("%s\n  %.*s", first ? "" : ",", (int)n, p);
        first = false;
        p = nl ? nl + 1 : p + n;
    }
    fputs(first ? "]\n" : "\n]\n", stdout);
    tarn_buf_fini(&buf);
    return TARN_OK;
}

/* Runs one statement and prints it; returns the exit code. */
static int run_one(const char *sql, const sql_opts *o)
{
    tarn_sql_opts so = {.lake = tarn_cli_lake_dir(o->lake)};
    tarn_sql_result *res = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    int64_t t0 = tarn_monotonic_us();
    tarn_status st = tarn_sql_run(sql, &so, &res, &err);
    if (st != TARN_OK) {
        print_error(sql, &err);
        return st == TARN_ERR_DATA || st == TARN_ERR_NOMEM || st == TARN_ERR_IO ? 1 : 2;
    }
    int64_t t1 = tarn_monotonic_us();
    if (res->explain && o->fmt == TARN_CLI_TABLE) {
        fputs(res->explain, stdout);
    } else if (o->json) {
        st = write_json(res->batch, o->limit, &err);
    } else {
        tarn_cli_output *out = tarn_cli_output_create(stdout, o->fmt, res->schema, o->limit);
        st = out ? tarn_cli_output_write(out, res->batch, &err)
                 : tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        if (st == TARN_OK)
            st = tarn_cli_output_finish(out, &err);
        tarn_cli_output_destroy(out);
    }
    fflush(stdout);
    char rb[32], tb[32];
    if (st == TARN_OK && o->stats)
        fprintf(stderr,
                "tarn sql: %lld rows in %.3f s; files read %lld, skipped %lld (statistics); "
                "%s of %s read; rows scanned %lld\n",
                (long long)res->batch->n_rows, (double)(t1 - t0) / 1e6,
                (long long)res->files_scanned, (long long)res->files_skipped,
                tarn_sql_fmt_bytes(res->bytes_read, rb), tarn_sql_fmt_bytes(res->bytes_total, tb),
                (long long)res->rows_scanned);
    tarn_sql_result_destroy(res);
    if (st != TARN_OK) {
        print_error(sql, &err);
        return 1;
    }
    return 0;
}

/* True when text holds something other than blanks and ';'. */
static bool has_statement(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r' && p[i] != ';')
            return true;
    return false;
}

/* Reads statements from stdin; a ';' outside quotes and comments ends one. */
static int run_stdin(const sql_opts *o)
{
    bool tty = isatty(0);
    tarn_buf stmt;
    tarn_buf_init(&stmt);
    int rc = 0;
    char quote = 0;
    bool line_comment = false;
    if (tty)
        fputs("tarn> ", stdout);
    fflush(stdout);
    int ch;
    while ((ch = getchar()) != EOF) {
        if (tarn_buf_append_char(&stmt, (char)ch) != TARN_OK) {
            fprintf(stderr, "tarn sql: out of memory\n");
            rc = 1;
            break;
        }
        if (line_comment) {
            line_comment = ch != '\n';
        } else if (quote) {
            if (ch == quote)
                quote = 0;
        } else if (ch == '\'' || ch == '"') {
            quote = (char)ch;
        } else if (ch == '-' && stmt.len >= 2 && stmt.data[stmt.len - 2] == '-') {
            line_comment = true;
        } else if (ch == ';') {
            if (has_statement(stmt.data, stmt.len)) {
                int r = run_one(stmt.data, o);
                rc = r > rc ? r : rc;
            }
            tarn_buf_reset(&stmt);
        }
        if (ch == '\n' && tty) {
            if (stmt.len >= 3 && !strncmp(stmt.data + stmt.len - 3, "\\q\n", 3))
                break;
            fputs(has_statement(stmt.data, stmt.len) ? "  ...> " : "tarn> ", stdout);
            fflush(stdout);
        }
    }
    if (stmt.len && has_statement(stmt.data, stmt.len) &&
        !(stmt.len >= 2 && !strncmp(stmt.data, "\\q", 2))) {
        int r = run_one(stmt.data, o);
        rc = r > rc ? r : rc;
    }
    tarn_buf_fini(&stmt);
    return rc;
}

int tarn_cli_sql(int argc, char **argv)
{
    const char *cmd = "sql";
    sql_opts o = {.fmt = isatty(1) ? TARN_CLI_TABLE : TARN_CLI_NDJSON, .limit = -1};
    const char *query = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--format", &v)) != 0) {
            if (m < 0)
                return 2;
            tarn_err err;
            o.json = !strcmp(v, "json");
            if (o.json)
                o.fmt = TARN_CLI_NDJSON;
            else if (tarn_cli_format_parse(v, &o.fmt, &err) != TARN_OK)
                return tarn_cli_usage_error(cmd, "%s", err.msg);
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &v)) != 0) {
            if (m < 0)
                return 2;
            o.lake = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--limit", &v)) != 0) {
            if (m < 0 || !tarn_cli_parse_i64(cmd, "--limit", v, &o.limit))
                return 2;
        } else if (!strcmp(argv[i], "--stats")) {
            o.stats = true;
        } else if (argv[i][0] == '-' && argv[i][1] && !query) {
            return tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!query) {
            query = argv[i];
        } else {
            return tarn_cli_usage_error(cmd, "one QUERY at a time (quote it)");
        }
    }
    if (query)
        return run_one(query, &o);
    return run_stdin(&o);
}
