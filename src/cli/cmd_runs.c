/*
 * cli/cmd_runs.c - `tarn runs [DATASET]` (the run history kept in
 * LAKE/tarn.db) and `tarn status` (each contract's freshness against its
 * sla).
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"
#include "base/time.h"
#include "catalog/runs_store.h"
#include "cli/cli.h"
#include "cli/contracts.h"
#include "column/value.h"
#include "contract/contract.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char runs_usage[] =
    "usage: tarn runs [DATASET] [--limit N] [--json] [--lake DIR]\n"
    "\n"
    "The pipeline runs recorded in LAKE/tarn.db, newest first (default 20):\n"
    "start, duration, kind, Bronze versions, rows in, inserted, updated,\n"
    "duplicates, stale, quarantined, checks passed/failed, status.\n";

static const char status_usage[] =
    "usage: tarn status [--contracts DIR] [--lake DIR] [--json]\n"
    "\n"
    "One line per contract in --contracts DIR (default ./contracts): the last\n"
    "successful run, its age, the contract's sla and whether the dataset is\n"
    "fresh (age within the sla), late, or never run. Exit 1 when one is late.\n";

static void fmt_time(int64_t us, char *out)
{
    tarn_fmt_timestamp(us, true, out);
    char *dot = strchr(out, '.');
    if (dot) {
        dot[0] = 'Z';
        dot[1] = '\0';
    }
}

static void fmt_age(int64_t secs, char *out, size_t cap)
{
    if (secs < 0)
        secs = 0;
    if (secs >= 86400)
        snprintf(out, cap, "%lldd %lldh", (long long)(secs / 86400),
                 (long long)(secs % 86400 / 3600));
    else if (secs >= 3600)
        snprintf(out, cap, "%lldh %lldm", (long long)(secs / 3600), (long long)(secs % 3600 / 60));
    else if (secs >= 60)
        snprintf(out, cap, "%lldm %llds", (long long)(secs / 60), (long long)(secs % 60));
    else
        snprintf(out, cap, "%llds", (long long)secs);
}

typedef struct runs_ctx {
    bool json;
    json_t *arr;
    int n;
} runs_ctx;

static tarn_status print_run(void *ctx, const tarn_run_record *r, tarn_err *err)
{
    (void)err;
    runs_ctx *x = ctx;
    char t[40];
    fmt_time(r->started_at_us, t);
    if (x->json) {
        json_t *o = json_pack(
            "{s:s, s:s, s:f, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
            "s:s, s:o}",
            "dataset", r->dataset ? r->dataset : "", "started", t, "seconds",
            (double)r->duration_us / 1e6, "kind", r->kind ? r->kind : "", "bronze_from",
            (json_int_t)r->bronze_from, "bronze_to", (json_int_t)r->bronze_to, "rows_in",
            (json_int_t)r->rows_in, "inserted", (json_int_t)r->inserted, "updated",
            (json_int_t)r->updated, "duplicates", (json_int_t)r->duplicates, "stale",
            (json_int_t)r->stale, "quarantined", (json_int_t)r->quarantined, "warned",
            (json_int_t)r->warned, "checks_passed", (json_int_t)r->checks_passed, "checks_failed",
            (json_int_t)r->checks_failed, "silver_version", (json_int_t)r->silver_version, "status",
            r->status ? r->status : "", "message",
            r->message ? json_string(r->message) : json_null());
        if (o)
            json_array_append_new(x->arr, o);
    } else {
        if (x->n == 0)
            printf("%-20s %-20s %8s %-12s %9s %8s %8s %8s %6s %6s %6s %7s  %s\n", "dataset",
                   "started", "seconds", "kind", "bronze", "rows_in", "inserted", "updated", "dups",
                   "stale", "quar.", "checks", "status");
        char bronze[48], checks[32];
        if (r->bronze_from == r->bronze_to)
            snprintf(bronze, sizeof bronze, "-");
        else
            snprintf(bronze, sizeof bronze, "%lld..%lld", (long long)r->bronze_from + 1,
                     (long long)r->bronze_to);
        snprintf(checks, sizeof checks, "%lld/%lld", (long long)r->checks_passed,
                 (long long)(r->checks_passed + r->checks_failed));
        printf("%-20s %-20s %8.2f %-12s %9s %8lld %8lld %8lld %6lld %6lld %6lld %7s  %s%s%s\n",
               r->dataset ? r->dataset : "", t, (double)r->duration_us / 1e6,
               r->kind ? r->kind : "", bronze, (long long)r->rows_in, (long long)r->inserted,
               (long long)r->updated, (long long)r->duplicates, (long long)r->stale,
               (long long)r->quarantined, checks, r->status ? r->status : "",
               r->message ? ": " : "", r->message ? r->message : "");
    }
    x->n++;
    return TARN_OK;
}

int tarn_cli_runs(int argc, char **argv)
{
    const char *cmd = "runs", *dataset = NULL, *lake_opt = NULL, *limit_s = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(runs_usage, stdout);
            return 0;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &lake_opt)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--limit", &limit_s)) != 0) {
            if (m < 0)
                return 2;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!dataset) {
            dataset = argv[i];
        } else {
            return tarn_cli_usage_error(cmd, "one dataset at most");
        }
    }
    int64_t limit = 20;
    if (limit_s && !tarn_cli_parse_i64(cmd, "--limit", limit_s, &limit))
        return 2;
    const char *lake = tarn_cli_lake_dir(lake_opt);
    tarn_err err;
    tarn_err_clear(&err);
    if (!tarn_is_dir(lake)) {
        tarn_err_set(&err, TARN_ERR_NOT_FOUND, "no lake here (set --lake or TARN_LAKE)");
        tarn_err_at_path(&err, lake);
        return tarn_cli_fail(cmd, &err);
    }
    tarn_catalog *cat;
    if (tarn_catalog_open(lake, &cat, &err) != TARN_OK)
        return tarn_cli_fail(cmd, &err);
    runs_ctx x = {json, json ? json_array() : NULL, 0};
    tarn_status st = tarn_runs_list(cat, dataset, limit, print_run, &x, &err);
    tarn_catalog_close(cat);
    if (st != TARN_OK) {
        json_decref(x.arr);
        return tarn_cli_fail(cmd, &err);
    }
    if (json) {
        char *s = json_dumps(x.arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        if (s)
            puts(s);
        free(s);
        json_decref(x.arr);
    } else if (x.n == 0) {
        printf("no runs recorded%s%s\n", dataset ? " for " : "", dataset ? dataset : "");
    }
    return 0;
}

int tarn_cli_status(int argc, char **argv)
{
    const char *cmd = "status", *contracts = "contracts", *lake_opt = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(status_usage, stdout);
            return 0;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &lake_opt)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--contracts", &contracts)) != 0) {
            if (m < 0)
                return 2;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else {
            return tarn_cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    tarn_err err;
    tarn_err_clear(&err);
    tarn_cli_contracts cs;
    if (tarn_cli_contracts_load(contracts, true, &cs, &err) != TARN_OK)
        return tarn_cli_fail(cmd, &err);
    const char *lake = tarn_cli_lake_dir(lake_opt);
    tarn_catalog *cat = NULL;
    if (tarn_is_dir(lake) && tarn_catalog_open(lake, &cat, &err) != TARN_OK) {
        tarn_cli_contracts_free(&cs);
        return tarn_cli_fail(cmd, &err);
    }
    int rc = 0;
    json_t *arr = json ? json_array() : NULL;
    int64_t now = tarn_now_us();
    if (!json)
        printf("%-24s %-20s %-10s %-10s %s\n", "dataset", "last run", "age", "sla", "state");
    for (int i = 0; i < cs.n && rc != 2; i++) {
        const tarn_contract *c = cs.v[i];
        tarn_run_record last;
        bool found = false;
        if (cat && tarn_runs_last_ok(cat, c->dataset, &last, &found, &err) != TARN_OK) {
            rc = tarn_cli_fail(cmd, &err);
            break;
        }
        int64_t age = found ? (now - last.started_at_us - last.duration_us) / 1000000 : -1;
        const char *state = !found                                   ? "never run"
                            : c->sla_seconds && age > c->sla_seconds ? "late"
                                                                     : "fresh";
        if (found && c->sla_seconds && age > c->sla_seconds)
            rc = 1;
        char t[40] = "-", ag[32] = "-";
        if (found) {
            fmt_time(last.started_at_us, t);
            fmt_age(age, ag, sizeof ag);
        }
        if (json)
            json_array_append_new(
                arr, json_pack("{s:s, s:o, s:o, s:o, s:s}", "dataset", c->dataset, "last_run",
                               found ? json_string(t) : json_null(), "age_seconds",
                               found ? json_integer(age) : json_null(), "sla",
                               c->sla ? json_string(c->sla) : json_null(), "state", state));
        else
            printf("%-24s %-20s %-10s %-10s %s\n", c->dataset, t, ag, c->sla ? c->sla : "-", state);
    }
    if (json && rc != 2) {
        char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
    }
    json_decref(arr);
    tarn_catalog_close(cat);
    tarn_cli_contracts_free(&cs);
    return rc;
}
