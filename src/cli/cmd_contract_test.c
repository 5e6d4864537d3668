/*
 * cli/cmd_contract_test.c - `tarn contract test CONTRACT --table T`:
 * measure a Delta table against its contract (contract/metrics.c), print a
 * line per schema item, constraint and check, remember the metric values in
 * LAKE/tarn.db for change() and anomaly().
 */
#include "base/fs.h"
#include "base/time.h"
#include "catalog/metrics_store.h"
#include "cli/cli.h"
#include "contract/metrics.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: tarn contract test CONTRACT.yaml [--table PATH_OR_NAME] [--json]\n"
    "                          [--lake DIR] [--no-record]\n"
    "\n"
    "Measures a Delta table against its contract in one scan: the columns and\n"
    "types, every constraint (and the not-null of every non-nullable column),\n"
    "every quality check. Prints one line per item with its outcome and the\n"
    "measured value, then a summary.\n"
    "\n"
    "  --table T     a Delta table directory or a layer.name in the lake\n"
    "                (default: silver.<dataset>)\n"
    "  --json        one JSON document with every result\n"
    "  --lake DIR    the lake (default $TARN_LAKE or ./lake); metric values are\n"
    "                kept in DIR/tarn.db for change() and anomaly() checks\n"
    "  --no-record   do not remember this run's values\n"
    "\n"
    "Exit 0 when every fail-severity item passes, 1 when one fails (or cannot be\n"
    "measured), 2 on a bad contract, a missing table or a usage error.\n";

static const char *outcome_label(const tarn_ct_result *x)
{
    switch (x->outcome) {
    case TARN_CT_PASSED:
        return "PASS";
    case TARN_CT_FAILED:
        return "FAIL";
    case TARN_CT_WARNED:
        return "WARN";
    default:
        return x->severity == TARN_CT_WARN ? "WARN" : "ERROR";
    }
}

static const char *kind_label(tarn_ct_result_kind k)
{
    return k == TARN_CT_RES_SCHEMA       ? "schema"
           : k == TARN_CT_RES_CONSTRAINT ? "constraint"
                                         : "check";
}

static void print_text(const tarn_contract *c, const char *table, const tarn_ct_report *r)
{
    printf("contract %s%s%s, table %s (version %lld, %lld rows)\n", c->dataset,
           c->version ? " " : "", c->version ? c->version : "", table, (long long)r->table_version,
           (long long)r->rows);
    for (int i = 0; i < r->n; i++) {
        const tarn_ct_result *x = &r->results[i];
        char what[256];
        if (x->kind == TARN_CT_RES_CONSTRAINT) {
            /* "amount: min_value(0)" reads better than the id */
            size_t cl = strcspn(x->id, ".");
            snprintf(what, sizeof what, "%.*s %s", (int)cl, x->id, x->expr);
        } else if (x->kind == TARN_CT_RES_SCHEMA) {
            snprintf(what, sizeof what, "%s", x->id);
        } else {
            snprintf(what, sizeof what, "%s", x->expr);
        }
        printf("%-5s %-10s %-40s", outcome_label(x), kind_label(x->kind), what);
        if (x->value_text[0])
            printf(" %s%s", x->value_text,
                   x->kind == TARN_CT_RES_CONSTRAINT
                       ? (x->violations == 1 ? " violation" : " violations")
                       : "");
        if (x->detail[0])
            printf("%s(%s)", x->value_text[0] ? "  " : " ", x->detail);
        putchar('\n');
    }
    printf("%d passed, %d failed, %d warned, %d could not run\n", r->passed, r->failed, r->warned,
           r->errors);
}

static int print_json(const tarn_contract *c, const char *table, const tarn_ct_report *r)
{
    json_t *doc =
        json_pack("{s:s, s:s, s:o, s:s, s:I, s:I}", "contract", c->path, "dataset", c->dataset,
                  "version", c->version ? json_string(c->version) : json_null(), "table", table,
                  "table_version", (json_int_t)r->table_version, "rows", (json_int_t)r->rows);
    json_t *list = json_array();
    if (!doc || !list || json_object_set_new(doc, "results", list)) {
        json_decref(doc);
        return -1;
    }
    for (int i = 0; i < r->n; i++) {
        const tarn_ct_result *x = &r->results[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", kind_label(x->kind), "id", x->id,
                              "expression", x->expr ? x->expr : "", "severity",
                              x->severity == TARN_CT_WARN ? "warn" : "fail", "status",
                              tarn_ct_outcome_name(x->outcome));
        if (!o || json_array_append_new(list, o)) {
            json_decref(doc);
            return -1;
        }
        if (x->has_value && isfinite(x->value))
            json_object_set_new(o, "value", json_real(x->value));
        else
            json_object_set_new(o, "value", json_null());
        json_object_set_new(o, "value_text", json_string(x->value_text));
        if (x->kind == TARN_CT_RES_CONSTRAINT)
            json_object_set_new(o, "violations", json_integer(x->violations));
        json_object_set_new(o, "detail", json_string(x->detail));
    }
    json_object_set_new(doc, "passed", json_integer(r->passed));
    json_object_set_new(doc, "failed", json_integer(r->failed));
    json_object_set_new(doc, "warned", json_integer(r->warned));
    json_object_set_new(doc, "errors", json_integer(r->errors));
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
}

int tarn_cli_contract_test(int argc, char **argv)
{
    const char *cmd = "contract test";
    const char *contract_path = NULL, *table_arg = NULL, *lake_opt = NULL;
    bool json = false, record = true;
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            return 0;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--table", &table_arg)) != 0) {
            if (m < 0)
                return 2;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &lake_opt)) != 0) {
            if (m < 0)
                return 2;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--no-record")) {
            record = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!contract_path) {
            contract_path = argv[i];
        } else {
            return tarn_cli_usage_error(cmd, "one contract at a time (got '%s' too)", argv[i]);
        }
    }
    if (!contract_path)
        return tarn_cli_usage_error(cmd, "no contract given");
    tarn_err err;
    tarn_err_clear(&err);
    tarn_contract *c = NULL;
    if (tarn_ct_load_file(contract_path, &c, &err) != TARN_OK)
        return tarn_cli_fail(cmd, &err);
    char default_table[512], table[PATH_MAX];
    if (!table_arg) {
        snprintf(default_table, sizeof default_table, "silver.%s", c->dataset);
        table_arg = default_table;
    }
    int rc = 2;
    tarn_catalog *cat = NULL;
    tarn_ct_report rep = {0};
    bool have_report = false;
    if (!tarn_cli_table_path(table_arg, lake_opt, table, sizeof table, &err)) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    char key[PATH_MAX];
    if (!realpath(table, key))
        snprintf(key, sizeof key, "%s", table);
    const char *lake = tarn_cli_lake_dir(lake_opt);
    /* History is optional for reading: without a lake, change() and anomaly()
     * say so. Recording needs it. */
    if (record || tarn_is_dir(lake)) {
        if (tarn_catalog_open(lake, &cat, &err) != TARN_OK) {
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
    }
    tarn_ct_test_opts o = {.now_us = tarn_now_us(), .history = cat, .history_key = key};
    if (tarn_ct_test(c, table, &o, &rep, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    have_report = true;
    if (record && cat &&
        tarn_metrics_record(cat, c->dataset, key, c->version, o.now_us, rep.metrics, rep.n_metrics,
                            &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    if (json) {
        if (print_json(c, table_arg, &rep) != 0) {
            tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
    } else {
        print_text(c, table_arg, &rep);
    }
    rc = 0;
    for (int i = 0; i < rep.n; i++) {
        const tarn_ct_result *x = &rep.results[i];
        if (x->severity == TARN_CT_FAIL &&
            (x->outcome == TARN_CT_FAILED || x->outcome == TARN_CT_ERROR))
            rc = 1;
    }
out:
    if (have_report)
        tarn_ct_report_fini(&rep);
    tarn_catalog_close(cat);
    tarn_ct_destroy(c);
    return rc;
}
