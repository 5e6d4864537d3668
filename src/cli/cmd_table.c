/*
 * cli/cmd_table.c - `tarn table describe|history|delete|optimize|vacuum TABLE`:
 * look at and maintain a Delta table.
 */
#include "base/alloc.h"
#include "base/fs.h"
#include "base/time.h"
#include "cli/cli.h"
#include "column/value.h"
#include "delta/delete.h"
#include "delta/history.h"
#include "delta/optimize.h"
#include "delta/stats.h"
#include "delta/vacuum.h"
#include "exec/predicate.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: tarn table describe TABLE_DIR [--files] [--json]\n"
    "       tarn table history  TABLE_DIR [--limit N] [--json]\n"
    "       tarn table delete   TABLE_DIR --where EXPR\n"
    "       tarn table optimize TABLE_DIR [--zorder-by C1,C2] [--target-size MB]\n"
    "       tarn table vacuum   TABLE_DIR [--retain HOURS] [--dry-run] [--force]\n"
    "\n"
    "TABLE_DIR is a Delta table directory or layer.name in the lake (--lake DIR,\n"
    "$TARN_LAKE, ./lake).\n"
    "\n"
    "describe  version, protocol, partitioning, properties, columns, files, rows;\n"
    "          --files lists the active data files\n"
    "history   the commits, newest first: version, time, operation, parameters,\n"
    "          metrics\n"
    "delete    remove the rows matching EXPR (same language as tarn cat --where)\n"
    "          in one commit; only files holding matching rows are rewritten\n"
    "optimize  compact each partition's small files (under --target-size, default\n"
    "          128 MB) into files near that size; with --zorder-by, rewrite every\n"
    "          file with rows clustered by a Z-order curve over the columns, so a\n"
    "          filter on any of them skips most files. One commit (OPTIMIZE, no data\n"
    "          change); a partition's rows are held in memory while rewritten\n"
    "vacuum    delete data files the current version no longer references once\n"
    "          they are older than the retention (the table's\n"
    "          delta.deletedFileRetentionDuration, default 168 hours); a shorter\n"
    "          --retain needs --force; --dry-run only lists them\n";

static void fmt_ms(int64_t ms, char *out)
{
    tarn_fmt_timestamp(ms * 1000, true, out);
    /* Trim the microseconds for display: "2024-05-01T09:14:03Z". */
    char *dot = strchr(out, '.');
    if (dot) {
        dot[0] = 'Z';
        dot[1] = '\0';
    }
}

static void human_bytes(int64_t b, char *out, size_t cap)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 4) {
        v /= 1024;
        i++;
    }
    snprintf(out, cap, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

/* Sums sizes and numRecords over the active files. */
static tarn_status file_rows(const tarn_delta_snapshot *s, int64_t *rows, int64_t *unknown,
                             int64_t *bytes, int64_t *per_file, tarn_err *err)
{
    *rows = 0;
    *unknown = 0;
    *bytes = 0;
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < s->n_files; i++) {
        const tarn_delta_add *add = &s->files[i];
        *bytes += add->size;
        tarn_delta_file_stats fs;
        bool has = false;
        tarn_err e2;
        int64_t n = -1;
        if (tarn_delta_file_stats_for_add(s, add, a, &fs, &has, &e2) == TARN_OK &&
            fs.has_num_records) {
            n = fs.num_records;
            if (add->has_dv)
                n -= add->dv.cardinality;
        }
        if (per_file)
            per_file[i] = n;
        if (n < 0)
            (*unknown)++;
        else
            *rows += n;
        tarn_arena_reset(a);
    }
    tarn_arena_destroy(a);
    return TARN_OK;
}

static json_t *describe_json(const tarn_delta_snapshot *s, int64_t rows, int64_t unknown,
                             int64_t bytes, const int64_t *per_file, bool files)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(s->table_path));
    json_object_set_new(o, "version", json_integer(s->version));
    json_object_set_new(o, "timestamp_ms", json_integer(s->timestamp_ms));
    json_object_set_new(o, "id", json_string(s->metadata.id ? s->metadata.id : ""));
    if (s->metadata.name)
        json_object_set_new(o, "name", json_string(s->metadata.name));
    if (s->metadata.description)
        json_object_set_new(o, "description", json_string(s->metadata.description));
    json_t *proto = json_object();
    json_object_set_new(proto, "minReaderVersion", json_integer(s->protocol.min_reader_version));
    json_object_set_new(proto, "minWriterVersion", json_integer(s->protocol.min_writer_version));
    json_t *rf = json_array(), *wf = json_array();
    for (int i = 0; i < s->protocol.n_reader_features; i++)
        json_array_append_new(rf, json_string(s->protocol.reader_features[i]));
    for (int i = 0; i < s->protocol.n_writer_features; i++)
        json_array_append_new(wf, json_string(s->protocol.writer_features[i]));
    json_object_set_new(proto, "readerFeatures", rf);
    json_object_set_new(proto, "writerFeatures", wf);
    json_object_set_new(o, "protocol", proto);
    json_t *pc = json_array();
    for (int i = 0; i < s->metadata.n_partition_columns; i++)
        json_array_append_new(pc, json_string(s->metadata.partition_columns[i]));
    json_object_set_new(o, "partition_columns", pc);
    json_t *cfg = json_object();
    for (int i = 0; i < s->metadata.n_configuration; i++)
        json_object_set_new(cfg, s->metadata.configuration[i].key,
                            s->metadata.configuration[i].value
                                ? json_string(s->metadata.configuration[i].value)
                                : json_null());
    json_object_set_new(o, "properties", cfg);
    json_t *cols = json_array();
    for (int i = 0; i < s->schema->n_fields; i++) {
        const tarn_field *f = &s->schema->fields[i];
        tarn_buf t = TARN_BUF_INIT;
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(f->name));
        if (tarn_field_type_format(f, &t) == TARN_OK)
            json_object_set_new(c, "type", json_string(t.data));
        tarn_buf_fini(&t);
        json_object_set_new(c, "nullable", json_boolean(f->nullable));
        json_array_append_new(cols, c);
    }
    json_object_set_new(o, "columns", cols);
    json_object_set_new(o, "num_files", json_integer(s->n_files));
    json_object_set_new(o, "size_bytes", json_integer(bytes));
    json_object_set_new(o, "num_rows", unknown ? json_null() : json_integer(rows));
    if (files) {
        json_t *fa = json_array();
        for (int i = 0; i < s->n_files; i++) {
            const tarn_delta_add *add = &s->files[i];
            json_t *f = json_object();
            json_object_set_new(f, "path", json_string(add->path));
            json_object_set_new(f, "size", json_integer(add->size));
            json_object_set_new(f, "rows",
                                per_file[i] < 0 ? json_null() : json_integer(per_file[i]));
            json_t *pv = json_object();
            for (int k = 0; k < add->n_partition_values; k++)
                json_object_set_new(pv, add->partition_values[k].key,
                                    add->partition_values[k].value
                                        ? json_string(add->partition_values[k].value)
                                        : json_null());
            json_object_set_new(f, "partition_values", pv);
            json_array_append_new(fa, f);
        }
        json_object_set_new(o, "files", fa);
    }
    return o;
}

static void describe_text(const tarn_delta_snapshot *s, int64_t rows, int64_t unknown,
                          int64_t bytes, const int64_t *per_file, bool files)
{
    char ts[TARN_FMT_MAX], hb[32];
    fmt_ms(s->timestamp_ms, ts);
    printf("table        %s\n", s->table_path);
    printf("version      %lld (committed %s)\n", (long long)s->version, ts);
    printf("id           %s\n", s->metadata.id ? s->metadata.id : "-");
    if (s->metadata.name)
        printf("name         %s\n", s->metadata.name);
    if (s->metadata.description)
        printf("description  %s\n", s->metadata.description);
    printf("protocol     reader %d, writer %d", s->protocol.min_reader_version,
           s->protocol.min_writer_version);
    for (int i = 0; i < s->protocol.n_reader_features; i++)
        printf("%s%s", i ? ", " : "; reader features ", s->protocol.reader_features[i]);
    for (int i = 0; i < s->protocol.n_writer_features; i++)
        printf("%s%s", i ? ", " : "; writer features ", s->protocol.writer_features[i]);
    printf("\npartitioned  ");
    for (int i = 0; i < s->metadata.n_partition_columns; i++)
        printf("%s%s", i ? ", " : "by ", s->metadata.partition_columns[i]);
    printf("%s\n", s->metadata.n_partition_columns ? "" : "no");
    human_bytes(bytes, hb, sizeof hb);
    printf("files        %d (%s)\n", s->n_files, hb);
    if (unknown)
        printf("rows         at least %lld (%lld files without statistics)\n", (long long)rows,
               (long long)unknown);
    else
        printf("rows         %lld\n", (long long)rows);
    for (int i = 0; i < s->metadata.n_configuration; i++)
        printf("%s %s = %s\n", i ? "            " : "properties  ",
               s->metadata.configuration[i].key,
               s->metadata.configuration[i].value ? s->metadata.configuration[i].value : "null");
    printf("columns\n");
    size_t w = 4;
    for (int i = 0; i < s->schema->n_fields; i++)
        w = TARN_MAX(w, strlen(s->schema->fields[i].name));
    for (int i = 0; i < s->schema->n_fields; i++) {
        const tarn_field *f = &s->schema->fields[i];
        tarn_buf t = TARN_BUF_INIT;
        bool part = false;
        for (int k = 0; k < s->metadata.n_partition_columns; k++)
            part |= strcmp(s->metadata.partition_columns[k], f->name) == 0;
        printf("  %-*s  %s%s%s\n", (int)w, f->name,
               tarn_field_type_format(f, &t) == TARN_OK ? t.data : "?",
               f->nullable ? "" : " not null", part ? "  (partition)" : "");
        tarn_buf_fini(&t);
    }
    if (!files)
        return;
    printf("files\n");
    for (int i = 0; i < s->n_files; i++) {
        const tarn_delta_add *add = &s->files[i];
        human_bytes(add->size, hb, sizeof hb);
        printf("  %s  %s  ", add->path, hb);
        if (per_file[i] >= 0)
            printf("%lld row%s", (long long)per_file[i], per_file[i] == 1 ? "" : "s");
        else
            printf("? rows");
        if (add->has_dv)
            printf("  (%lld deleted by a deletion vector)", (long long)add->dv.cardinality);
        printf("\n");
    }
}

static int cmd_describe(const char *table, bool files, bool as_json)
{
    tarn_err err;
    tarn_delta_snapshot *s;
    tarn_delta_at at = {.kind = TARN_DELTA_AT_LATEST};
    if (tarn_delta_snapshot_load(table, &at, &s, &err) != TARN_OK)
        return tarn_cli_fail("table", &err);
    int64_t rows, unknown, bytes;
    int64_t *per_file = tarn_calloc((size_t)s->n_files + 1, sizeof(int64_t));
    if (!per_file || file_rows(s, &rows, &unknown, &bytes, per_file, &err) != TARN_OK) {
        tarn_free(per_file);
        tarn_delta_snapshot_destroy(s);
        return tarn_cli_fail("table", &err);
    }
    if (as_json) {
        json_t *o = describe_json(s, rows, unknown, bytes, per_file, files);
        char *txt = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (txt)
            printf("%s\n", txt);
        free(txt);
        json_decref(o);
    } else {
        describe_text(s, rows, unknown, bytes, per_file, files);
    }
    tarn_free(per_file);
    tarn_delta_snapshot_destroy(s);
    return 0;
}

/* Compacts a JSON object text to "k=v, k=v" for the history table. */
static void params_text(const char *json, char *out, size_t cap)
{
    out[0] = '\0';
    if (!json)
        return;
    json_error_t je;
    json_t *o = json_loads(json, 0, &je);
    if (!json_is_object(o)) {
        snprintf(out, cap, "%s", json);
        json_decref(o);
        return;
    }
    size_t used = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        char vb[256];
        if (json_is_string(v))
            snprintf(vb, sizeof vb, "%s", json_string_value(v));
        else {
            char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(vb, sizeof vb, "%s", t ? t : "?");
            free(t);
        }
        int n = snprintf(out + used, cap - used, "%s%s=%s", used ? ", " : "", k, vb);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    json_decref(o);
}

static int cmd_history(const char *table, int64_t limit, bool as_json)
{
    tarn_err err;
    tarn_delta_history h;
    if (tarn_delta_history_load(table, limit, &h, &err) != TARN_OK)
        return tarn_cli_fail("table", &err);
    if (as_json) {
        json_t *arr = json_array();
        for (int i = 0; i < h.n_entries; i++) {
            const tarn_delta_history_entry *e = &h.entries[i];
            json_t *o = json_object();
            json_object_set_new(o, "version", json_integer(e->version));
            json_object_set_new(o, "timestamp_ms", json_integer(e->timestamp_ms));
            json_object_set_new(o, "operation",
                                e->operation ? json_string(e->operation) : json_null());
            json_error_t je;
            json_t *p =
                e->operation_parameters ? json_loads(e->operation_parameters, 0, &je) : NULL;
            json_t *m = e->operation_metrics ? json_loads(e->operation_metrics, 0, &je) : NULL;
            json_object_set_new(o, "operationParameters", p ? p : json_null());
            json_object_set_new(o, "operationMetrics", m ? m : json_null());
            json_object_set_new(o, "engineInfo",
                                e->engine_info ? json_string(e->engine_info) : json_null());
            json_array_append_new(arr, o);
        }
        char *txt = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (txt)
            printf("%s\n", txt);
        free(txt);
        json_decref(arr);
    } else {
        printf("%-8s  %-20s  %-14s  %s\n", "version", "timestamp", "operation",
               "parameters / metrics");
        for (int i = 0; i < h.n_entries; i++) {
            const tarn_delta_history_entry *e = &h.entries[i];
            char ts[TARN_FMT_MAX], p[600], m[600];
            fmt_ms(e->timestamp_ms, ts);
            params_text(e->operation_parameters, p, sizeof p);
            params_text(e->operation_metrics, m, sizeof m);
            printf("%-8lld  %-20s  %-14s  %s%s%s\n", (long long)e->version, ts,
                   e->operation ? e->operation : "-", p, *p && *m ? " | " : "", m);
        }
    }
    tarn_delta_history_fini(&h);
    return 0;
}

/* Delete predicate glue: exec/predicate evaluates rows and file stats. */
typedef struct delete_ctx {
    tarn_pred *pred;          /* bound to the table schema */
    tarn_pred_colstats *cols; /* scratch, one per column */
} delete_ctx;

static bool del_file_may_match(void *ctx, const tarn_delta_snapshot *snap,
                               const tarn_delta_add *add, const tarn_delta_file_stats *stats)
{
    delete_ctx *d = ctx;
    if (!stats)
        return true;
    for (int c = 0; c < snap->schema->n_fields; c++) {
        tarn_pred_colstats *st = &d->cols[c];
        memset(st, 0, sizeof *st);
        st->null_count = -1;
        st->num_rows = stats->has_num_records ? stats->num_records : -1;
        if (add->has_dv)
            st->num_rows = -1; /* stats count deleted rows too */
        if (c >= stats->n_cols)
            continue;
        const tarn_delta_col_stats *cs = &stats->cols[c];
        st->known = true;
        st->null_count = cs->has_null_count && !add->has_dv ? cs->null_count : -1;
        st->has_min_max = cs->has_min && cs->has_max;
        st->min = cs->min;
        st->max = cs->max;
    }
    return tarn_pred_may_match(d->pred, d->cols);
}

static tarn_status del_eval(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    delete_ctx *d = ctx;
    return tarn_pred_eval(d->pred, b, out, err);
}

static int cmd_delete(const char *table, const char *where)
{
    tarn_err err;
    tarn_delta_snapshot *s;
    tarn_delta_at at = {.kind = TARN_DELTA_AT_LATEST};
    if (tarn_delta_snapshot_load(table, &at, &s, &err) != TARN_OK)
        return tarn_cli_fail("table", &err);
    delete_ctx d = {0};
    tarn_status st = tarn_pred_parse(where, s->schema, &d.pred, &err);
    int rc = 0;
    if (st == TARN_OK) {
        d.cols = tarn_calloc((size_t)s->schema->n_fields + 1, sizeof *d.cols);
        if (!d.cols)
            st = tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
    }
    tarn_delta_delete_result res;
    memset(&res, 0, sizeof res);
    if (st == TARN_OK) {
        /* The delete reloads the table itself; the predicate's schema must
         * stay alive, so the snapshot is kept until the end. */
        tarn_delta_predicate p = {
            .file_may_match = del_file_may_match, .eval = del_eval, .ctx = &d, .text = where};
        st = tarn_delta_delete(table, &p, &res, &err);
    }
    if (st == TARN_OK) {
        if (res.has_warning)
            fprintf(stderr, "tarn table: warning: %s\n", res.warning);
        if (res.committed)
            printf("deleted %lld row%s (version %lld; %lld file%s scanned, %lld skipped, "
                   "%lld removed, %lld rewritten)\n",
                   (long long)res.deleted_rows, res.deleted_rows == 1 ? "" : "s",
                   (long long)res.version, (long long)res.files_scanned,
                   res.files_scanned == 1 ? "" : "s", (long long)res.files_skipped,
                   (long long)res.removed_files, (long long)res.added_files);
        else
            printf("deleted 0 rows (nothing matched; table stays at version %lld)\n",
                   (long long)res.version);
    } else {
        rc = tarn_cli_fail("table", &err);
    }
    tarn_free(d.cols);
    tarn_pred_destroy(d.pred);
    tarn_delta_snapshot_destroy(s);
    return rc;
}

static int cmd_optimize(const char *table, const char *zorder, double target_mb)
{
    tarn_err err;
    const char *cols[8];
    int nc = 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", zorder ? zorder : "");
    for (char *p = buf; zorder && *p;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        while (*p == ' ')
            p++;
        if (!*p || nc == 8)
            return tarn_cli_usage_error(
                "table", "--zorder-by expects 1 to 8 column names, got '%s'", zorder);
        cols[nc++] = p;
        p = comma ? comma + 1 : p + strlen(p);
    }
    tarn_delta_optimize_opts o = {cols, nc, (int64_t)(target_mb * 1e6)};
    tarn_delta_optimize_result r;
    tarn_status st = tarn_delta_optimize(table, &o, &r, &err);
    if (st != TARN_OK)
        return tarn_cli_fail("table", &err);
    char before[32], after[32];
    human_bytes(r.bytes_removed, before, sizeof before);
    human_bytes(r.bytes_added, after, sizeof after);
    if (!r.committed)
        printf("optimize: nothing to do (no partition has two files under the target size); "
               "version %lld\n",
               (long long)r.version);
    else
        printf("optimize: %lld files (%s) -> %lld files (%s), %lld rows%s%s, version %lld\n",
               (long long)r.files_removed, before, (long long)r.files_added, after,
               (long long)r.rows, nc ? ", z-order by " : "", nc ? zorder : "",
               (long long)r.version);
    return 0;
}

static int cmd_vacuum(const char *table, double retain, bool dry_run, bool force)
{
    tarn_err err;
    tarn_delta_vacuum_result r;
    memset(&r, 0, sizeof r);
    tarn_status st = tarn_delta_vacuum(table, retain, dry_run, force, &r, &err);
    char hb[32];
    for (int i = 0; i < r.n_files; i++)
        printf("%s%s\n", dry_run ? "would delete " : "deleted ", r.files[i]);
    human_bytes(r.bytes, hb, sizeof hb);
    int rc = 0;
    if (st == TARN_OK)
        printf("%s %d file%s (%s) older than %.0f hours; %lld data files kept\n",
               dry_run ? "would delete" : "deleted", r.n_files, r.n_files == 1 ? "" : "s", hb,
               r.retain_hours, (long long)r.files_kept);
    else
        rc = tarn_cli_fail("table", &err);
    tarn_delta_vacuum_result_fini(&r);
    return rc;
}

int tarn_cli_table(int argc, char **argv)
{
    const char *cmd = "table";
    if (argc < 2 || tarn_cli_is_help(argv[1])) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "describe") && strcmp(sub, "history") && strcmp(sub, "delete") &&
        strcmp(sub, "vacuum") && strcmp(sub, "optimize"))
        return tarn_cli_usage_error(cmd,
                                    "unknown subcommand '%s' (describe, history, delete, "
                                    "optimize, vacuum)",
                                    sub);
    const char *table = NULL, *where = NULL, *zorder = NULL, *lake = NULL;
    double target_mb = 0;
    bool files = false, as_json = false, dry_run = false, force = false;
    int64_t limit = 0;
    double retain = -1;
    for (int i = 2; i < argc; i++) {
        const char *v;
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        }
        if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--where", &v)) != 0) {
            if (m < 0)
                return 2;
            where = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--zorder-by", &v)) != 0) {
            if (m < 0)
                return 2;
            zorder = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &v)) != 0) {
            if (m < 0)
                return 2;
            lake = v;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--target-size", &v)) != 0) {
            char *end;
            if (m < 0)
                return 2;
            target_mb = strtod(v, &end);
            if (end == v || *end || target_mb <= 0)
                return tarn_cli_usage_error(cmd, "--target-size expects megabytes (> 0), got '%s'",
                                            v);
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--limit", &v)) != 0) {
            if (m < 0 || !tarn_cli_parse_i64(cmd, "--limit", v, &limit))
                return 2;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--retain", &v)) != 0) {
            char *end;
            if (m < 0)
                return 2;
            retain = strtod(v, &end);
            if (end == v || *end || retain < 0)
                return tarn_cli_usage_error(cmd,
                                            "--retain expects hours (a number >= 0), got "
                                            "'%s'",
                                            v);
        } else if (!strcmp(argv[i], "--files")) {
            files = true;
        } else if (!strcmp(argv[i], "--json")) {
            as_json = true;
        } else if (!strcmp(argv[i], "--dry-run")) {
            dry_run = true;
        } else if (!strcmp(argv[i], "--force")) {
            force = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return tarn_cli_usage_error(cmd, "unknown option '%s' for %s", argv[i], sub);
        } else if (!table) {
            table = argv[i];
        } else {
            return tarn_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!table)
        return tarn_cli_usage_error(cmd, "missing TABLE_DIR");
    char path[4096];
    tarn_err perr;
    if (!tarn_is_dir(table)) { /* layer.name in the lake */
        if (!tarn_cli_table_path(table, lake, path, sizeof path, &perr))
            return tarn_cli_fail(cmd, &perr);
        table = path;
    }
    if (!strcmp(sub, "optimize"))
        return cmd_optimize(table, zorder, target_mb);
    if (!strcmp(sub, "describe"))
        return cmd_describe(table, files, as_json);
    if (!strcmp(sub, "history"))
        return cmd_history(table, limit, as_json);
    if (!strcmp(sub, "delete")) {
        if (!where)
            return tarn_cli_usage_error(cmd, "delete needs --where EXPR");
        return cmd_delete(table, where);
    }
    return cmd_vacuum(table, retain, dry_run, force);
}
