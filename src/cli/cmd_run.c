/*
 * cli/cmd_run.c - `tarn run DATASET... | --all`: Silver runs
 * (pipeline/silver.c) for datasets whose contracts live in --contracts DIR,
 * then the contract's checks on the new Silver table (contract/metrics.c).
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"
#include "base/time.h"
#include "catalog/metrics_store.h"
#include "catalog/runs_store.h"
#include "cli/cli.h"
#include "cli/contracts.h"
#include "contract/metrics.h"
#include "delta/snapshot.h"
#include "pipeline/gold.h"
#include "pipeline/silver.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char usage_text[] =
    "usage: tarn run DATASET|MODEL... [--dry-run] [--full-refresh] [--contracts DIR]\n"
    "                [--models DIR] [--lake DIR] [--json] [--no-checks]\n"
    "       tarn run --all [same options]\n"
    "\n"
    "For each dataset (its contract is the *.yaml in --contracts DIR, default\n"
    "./contracts, whose dataset matches): reads the Bronze versions that arrived\n"
    "since the last run, casts every record to the contract's types and checks its\n"
    "constraints, sends failing records to silver.DATASET__quarantine with their\n"
    "reasons, keeps the latest row per primary key (by sequence_by, else arrival\n"
    "order) and merges it into silver.DATASET. Progress is committed with the\n"
    "Silver rows, so a killed run started again neither duplicates nor skips.\n"
    "Before committing, the contract's quality checks are measured on the table\n"
    "as the commit would leave it: a failing check with severity fail aborts\n"
    "that dataset's run and nothing of it is committed.\n"
    "\n"
    "Then builds the Gold models named (every model in --models DIR, default\n"
    "./models, with --all) in the order their SQL reads each other: a model is\n"
    "rebuilt only when its file, its table or a table it reads changed since its\n"
    "last build, as recorded in LAKE/tarn.db (--full-refresh: always); its tests\n"
    "run before the commit and a failing one commits nothing and skips the\n"
    "models that read it.\n"
    "\n"
    "  --all          every contract in --contracts DIR, then every model\n"
    "  --models DIR   the Gold model files (*.sql with a YAML header; default ./models)\n"
    "  --dry-run      print what the run would read, insert, update, quarantine and\n"
    "                 rewrite; commit nothing\n"
    "  --full-refresh rebuild Silver and its quarantine from all of Bronze (the\n"
    "                 result equals the incremental runs')\n"
    "  --lake DIR     the lake (default $TARN_LAKE or ./lake)\n"
    "  --json         one JSON document with every dataset's run\n"
    "  --no-checks    skip the quality checks\n"
    "\n"
    "Exit 0 when every run succeeded and no fail-severity check failed, 1 when a\n"
    "check failed (that dataset committed nothing), 2 on a bad contract, a\n"
    "missing Bronze table or a usage error.\n";

/* Prints the check results of a report (or adds them to jo); counts[0]
 * passed, counts[1] failed. Returns 1 when a fail-severity check failed. */
static int print_checks(const tarn_ct_report *rep, json_t *jo, bool json, int64_t counts[2])
{
    int passed = 0, failed = 0, warned = 0, rc = 0;
    json_t *fails = json ? json_array() : NULL;
    for (int i = 0; i < rep->n; i++) {
        const tarn_ct_result *x = &rep->results[i];
        if (x->kind != TARN_CT_RES_CHECK)
            continue;
        bool bad = tarn_silver_check_blocks(x);
        passed += x->outcome == TARN_CT_PASSED;
        warned += !bad && x->outcome != TARN_CT_PASSED;
        failed += bad;
        if (bad)
            rc = 1;
        if (x->outcome == TARN_CT_PASSED)
            continue;
        if (!json)
            printf("  %s check %s: %s%s%s%s\n", bad ? "FAIL" : "WARN", x->expr, x->value_text,
                   x->detail[0] ? " (" : "", x->detail, x->detail[0] ? ")" : "");
        else
            json_array_append_new(fails, json_pack("{s:s, s:s, s:s, s:s}", "check", x->expr,
                                                   "status", tarn_ct_outcome_name(x->outcome),
                                                   "value", x->value_text, "detail", x->detail));
    }
    counts[0] = passed;
    counts[1] = failed;
    if (json)
        json_object_set_new(jo, "checks",
                            json_pack("{s:i, s:i, s:i, s:o}", "passed", passed, "failed", failed,
                                      "warned", warned, "problems", fails));
    else
        printf("  checks: %d passed, %d failed, %d warned\n", passed, failed, warned);
    return rc;
}

/* Checks of a run that committed nothing new (the table is as it was):
 * measured on the current Silver table. Returns 1 when a fail check fails. */
static int run_checks(const tarn_contract *c, tarn_catalog *cat, const char *silver, json_t *jo,
                      bool json, int64_t counts[2], tarn_err *err, tarn_status *st)
{
    *st = TARN_OK;
    if (!c->n_checks || !tarn_delta_is_table(silver))
        return 0;
    char key[PATH_MAX];
    if (!realpath(silver, key))
        snprintf(key, sizeof key, "%s", silver);
    tarn_ct_test_opts o = {.now_us = tarn_now_us(), .history = cat, .history_key = key};
    tarn_ct_report rep;
    if ((*st = tarn_ct_test(c, silver, &o, &rep, err)) != TARN_OK)
        return 0;
    *st = tarn_metrics_record(cat, c->dataset, key, c->version, o.now_us, rep.metrics,
                              rep.n_metrics, err);
    int rc = *st == TARN_OK ? print_checks(&rep, jo, json, counts) : 0;
    tarn_ct_report_fini(&rep);
    return rc;
}

/* Schema drift of the run: unknown fields, missing columns, other kinds. */
static void print_drift(const tarn_contract *c, const tarn_silver_result *r, json_t *jo, bool json)
{
    json_t *arr = json ? json_array() : NULL;
    for (int i = 0; i < r->n_drift; i++) {
        const tarn_refine_drift *d = &r->drift[i];
        if (json) {
            json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I}", "field", d->name,
                                                 "unknown", (json_int_t)d->unknown, "missing",
                                                 (json_int_t)d->missing, "other_kind",
                                                 (json_int_t)d->kind));
            continue;
        }
        if (d->unknown)
            printf("  drift: field '%s' is not in the contract (%lld record%s%s)\n", d->name,
                   (long long)d->unknown, d->unknown == 1 ? "" : "s",
                   c->evolution == TARN_CT_EVOLUTION_RESCUE ? ", kept in _rescued_data" : "");
        if (d->missing)
            printf("  drift: column '%s' missing (%lld record%s)\n", d->name, (long long)d->missing,
                   d->missing == 1 ? "" : "s");
        if (d->kind)
            printf("  drift: column '%s' holds another JSON kind than its type (%lld record%s)\n",
                   d->name, (long long)d->kind, d->kind == 1 ? "" : "s");
    }
    if (json) {
        json_object_set_new(jo, "rescued", json_integer(r->rescued));
        json_object_set_new(jo, "drift", arr);
    }
}

static tarn_status record_run(const char *lake, const tarn_run_record *rec)
{
    tarn_catalog *cat;
    tarn_err err;
    tarn_status st = tarn_catalog_open(lake, &cat, &err);
    if (st == TARN_OK)
        st = tarn_runs_record(cat, rec, &err);
    tarn_catalog_close(cat);
    return st;
}

/* Builds the Gold models asked for (every one with --all), in dependency
 * order. Returns 0, 1 when a model's test failed (its dependents are
 * skipped), 2 on another error (err set). */
static int run_models(const char *lake, const tarn_gold_models *gm, bool all, const char **names,
                      int n_names, bool full, bool json, json_t *doc, tarn_err *err)
{
    int rc = 0;
    const char **failed = tarn_calloc((size_t)gm->n + 1, sizeof *failed);
    int n_failed = 0;
    if (!failed) {
        tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        return 2;
    }
    for (int i = 0; i < gm->n; i++) {
        const tarn_gold_model *m = &gm->v[i];
        bool wanted = all;
        for (int k = 0; k < n_names && !wanted; k++)
            wanted = !strcasecmp(names[k], m->name);
        if (!wanted)
            continue;
        const char *blocked = NULL;
        for (int d = 0; d < m->n_deps && !blocked; d++)
            for (int f = 0; f < n_failed && !blocked; f++)
                if (!strncasecmp(m->deps[d], "gold.", 5) && !strcasecmp(m->deps[d] + 5, failed[f]))
                    blocked = failed[f];
        if (blocked) {
            printf("gold.%s: skipped (it reads gold.%s, whose build failed)\n", m->name, blocked);
            failed[n_failed++] = m->name;
            continue;
        }
        int64_t t0 = tarn_monotonic_us(), started = tarn_now_us();
        tarn_gold_result r;
        tarn_status st = tarn_gold_build(lake, m, full, &r, err);
        double secs = (double)(tarn_monotonic_us() - t0) / 1e6;
        tarn_run_record rec = {.dataset = tarn_arena_printf(gm->arena, "gold.%s", m->name),
                               .started_at_us = started,
                               .duration_us = tarn_monotonic_us() - t0,
                               .kind = full             ? "full-refresh"
                                       : m->incremental ? "incremental"
                                                        : "table",
                               .status = "ok",
                               .rows_in = r.rows,
                               .silver_version = r.version};
        if (st == TARN_ERR_DATA && r.failed_test[0]) {
            printf("gold.%s: test failed: %s; nothing committed\n", m->name, r.failed_test);
            rec.status = "checks failed";
            rec.message = r.failed_test;
            record_run(lake, &rec);
            failed[n_failed++] = m->name;
            rc = 1;
            continue;
        }
        if (st != TARN_OK) {
            rec.status = "failed";
            rec.message = err->msg;
            record_run(lake, &rec);
            tarn_free(failed);
            return 2;
        }
        if (json)
            json_array_append_new(doc, json_pack("{s:s, s:b, s:I, s:I, s:s, s:f}", "model", m->name,
                                                 "rebuilt", r.rebuilt, "rows", (json_int_t)r.rows,
                                                 "version", (json_int_t)r.version, "reason",
                                                 r.reason, "seconds", secs));
        else if (r.rebuilt)
            printf("gold.%s: %lld rows (%s, %s) in %.2f s\n", m->name, (long long)r.rows,
                   m->incremental ? "incremental" : "table", r.reason, secs);
        else
            printf("gold.%s: %s\n", m->name, r.reason);
        if (r.warning[0])
            fprintf(stderr, "tarn run: warning: gold.%s: %s\n", m->name, r.warning);
        if (r.rebuilt && record_run(lake, &rec) != TARN_OK)
            fprintf(stderr, "tarn run: warning: could not record the run in %s/tarn.db\n", lake);
    }
    tarn_free(failed);
    return rc;
}

int tarn_cli_run(int argc, char **argv)
{
    const char *cmd = "run";
    const char *contracts = "contracts", *lake_opt = NULL, *models = "models";
    tarn_gold_models gm = {0};
    const tarn_contract **todo = NULL;
    bool all = false, json = false, checks = true, full = false, dry = false;
    const char **names = tarn_calloc((size_t)argc + 1, sizeof *names);
    int n_names = 0, rc = 2;
    tarn_cli_contracts cs = {0};
    json_t *doc = NULL;
    tarn_catalog *cat = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (!names) {
        tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        return tarn_cli_fail(cmd, &err);
    }
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--contracts", &contracts)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &lake_opt)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--models", &models)) != 0) {
            if (m < 0)
                goto out;
        } else if (!strcmp(argv[i], "--all")) {
            all = true;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--dry-run")) {
            dry = true;
        } else if (!strcmp(argv[i], "--full-refresh")) {
            full = true;
        } else if (!strcmp(argv[i], "--no-checks")) {
            checks = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
            goto out;
        } else {
            names[n_names++] = argv[i];
        }
    }
    if (!all && !n_names) {
        rc = tarn_cli_usage_error(cmd, "name the datasets to run, or --all");
        goto out;
    }
    if (all && n_names) {
        rc = tarn_cli_usage_error(cmd, "--all runs every dataset; do not name some too");
        goto out;
    }
    if (tarn_gold_load(models, &gm, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    /* Contracts are needed for --all (when the directory exists) and for any
     * name that is not a model. */
    bool need_contracts = all && (tarn_is_dir(contracts) || gm.n == 0);
    for (int i = 0; i < n_names; i++)
        need_contracts |= !tarn_gold_find(&gm, names[i]);
    if (need_contracts && tarn_cli_contracts_load(contracts, true, &cs, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    todo = tarn_calloc((size_t)(cs.n + n_names) + 1, sizeof *todo);
    if (!todo) {
        tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    int n_run = 0;
    for (int i = 0; all && i < cs.n; i++)
        todo[n_run++] = cs.v[i];
    for (int i = 0; i < n_names; i++) {
        const tarn_contract *c = tarn_cli_contracts_find(&cs, names[i]);
        if (c)
            todo[n_run++] = c;
        else if (!tarn_gold_find(&gm, names[i])) {
            tarn_err_set(&err, TARN_ERR_NOT_FOUND,
                         "no contract for dataset '%s' in %s/ and no model of that name in %s/",
                         names[i], contracts, models);
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
    }
    const char *lake = tarn_cli_lake_dir(lake_opt);
    doc = json ? json_array() : NULL;
    rc = 0;
    bool any_checks = false;
    for (int i = 0; i < cs.n; i++)
        any_checks |= cs.v[i]->n_checks > 0;
    if (checks && any_checks && !dry && tarn_catalog_open(lake, &cat, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    for (int i = 0; i < n_run; i++) {
        const tarn_contract *c = todo[i];
        tarn_silver_opts o = {lake, 0, full, dry, checks, cat};
        tarn_silver_result r;
        int64_t t0 = tarn_monotonic_us(), started = tarn_now_us();
        tarn_run_record rec = {.dataset = c->dataset,
                               .started_at_us = started,
                               .kind = full ? "full-refresh" : "incremental",
                               .status = "ok"};
        tarn_status rst = tarn_silver_run(c, &o, &r, &err);
        if (rst != TARN_OK) {
            char msg[TARN_ERR_MSG_MAX + TARN_ERR_PATH_MAX + 64];
            tarn_err_format(&err, msg, sizeof msg);
            rec.duration_us = tarn_monotonic_us() - t0;
            rec.status = r.check_failed ? "checks failed" : "failed";
            rec.message = msg;
            if (!r.check_failed) {
                record_run(lake, &rec);
                tarn_silver_result_fini(&r);
                rc = tarn_cli_fail(cmd, &err);
                goto out;
            }
            /* A failing check stopped this dataset (nothing committed); the
             * others still run. */
            int64_t counts[2] = {0, 0};
            json_t *jo = json ? json_pack("{s:s, s:b, s:s}", "dataset", c->dataset, "committed",
                                          false, "error", msg)
                              : NULL;
            if (!json)
                printf("%s: Bronze versions %lld..%lld: %lld rows in; nothing committed: a "
                       "check failed\n",
                       c->dataset, (long long)r.bronze_to + 1, (long long)r.failed_to,
                       (long long)r.rows_in);
            print_checks(&r.report, jo, json, counts);
            if (jo)
                json_array_append_new(doc, jo);
            fprintf(stderr, "tarn run: %s\n", msg);
            rec.checks_passed = counts[0];
            rec.checks_failed = counts[1];
            rec.bronze_from = r.bronze_to;
            rec.bronze_to = r.failed_to;
            rec.rows_in = r.rows_in;
            record_run(lake, &rec);
            tarn_silver_result_fini(&r);
            rc = 1;
            continue;
        }
        double secs = (double)(tarn_monotonic_us() - t0) / 1e6;
        json_t *jo = NULL;
        if (json) {
            jo = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, "
                           "s:f}",
                           "dataset", c->dataset, "bronze_from", (json_int_t)r.bronze_from,
                           "bronze_to", (json_int_t)r.bronze_to, "rows_in", (json_int_t)r.rows_in,
                           "inserted", (json_int_t)r.inserted, "updated", (json_int_t)r.updated,
                           "duplicates", (json_int_t)r.duplicates, "stale", (json_int_t)r.stale,
                           "quarantined", (json_int_t)r.quarantined, "warned", (json_int_t)r.warned,
                           "files_rewritten", (json_int_t)r.files_rewritten, "silver_version",
                           (json_int_t)r.silver_version, "committed", r.committed, "seconds", secs);
            json_object_set_new(jo, "deleted", json_integer(r.deleted));
            json_array_append_new(doc, jo);
        } else if (dry) {
            printf("%s (dry run, nothing committed): Bronze versions %lld..%lld: would read %lld "
                   "rows, insert %lld, update %lld, drop %lld duplicates and %lld stale rows, "
                   "quarantine %lld, rewrite %lld Silver files\n",
                   c->dataset, (long long)r.bronze_from + 1, (long long)r.bronze_to,
                   (long long)r.rows_in, (long long)r.inserted, (long long)r.updated,
                   (long long)r.duplicates, (long long)r.stale, (long long)r.quarantined,
                   (long long)r.files_rewritten);
        } else if (r.bronze_from == r.bronze_to) {
            printf("%s: up to date (Bronze version %lld)\n", c->dataset, (long long)r.bronze_to);
        } else {
            char del[48] = "";
            if (c->delete_when)
                snprintf(del, sizeof del, ", %lld deleted", (long long)r.deleted);
            printf("%s: Bronze versions %lld..%lld: %lld rows in, %lld inserted, %lld updated%s, "
                   "%lld duplicates, %lld stale, %lld quarantined, %lld warned; silver version "
                   "%lld (%.2f s)\n",
                   c->dataset, (long long)r.bronze_from + 1, (long long)r.bronze_to,
                   (long long)r.rows_in, (long long)r.inserted, (long long)r.updated, del,
                   (long long)r.duplicates, (long long)r.stale, (long long)r.quarantined,
                   (long long)r.warned, (long long)r.silver_version, secs);
        }
        if (r.retries && !json)
            printf("  (after %d retr%s on transient errors)\n", r.retries,
                   r.retries == 1 ? "y" : "ies");
        if (jo)
            json_object_set_new(jo, "retries", json_integer(r.retries));
        print_drift(c, &r, jo, json);
        if (dry)
            continue; /* no checks, no run record */
        if (checks && c->n_checks) {
            tarn_status cst = TARN_OK;
            int64_t counts[2] = {0, 0};
            int bad;
            if (r.checked) { /* measured before the commit; remember the values */
                bad = print_checks(&r.report, jo, json, counts);
                cst = tarn_metrics_record(cat, c->dataset, r.report_key, c->version, tarn_now_us(),
                                          r.report.metrics, r.report.n_metrics, &err);
            } else {
                char silver[PATH_MAX];
                snprintf(silver, sizeof silver, "%s/silver/%s", lake, c->dataset);
                bad = run_checks(c, cat, silver, jo, json, counts, &err, &cst);
            }
            tarn_silver_result_fini(&r);
            if (bad) {
                rc = 1;
                rec.status = "checks failed";
            }
            if (cst != TARN_OK) {
                rc = tarn_cli_fail(cmd, &err);
                goto out;
            }
            rec.checks_passed = counts[0];
            rec.checks_failed = counts[1];
        }
        tarn_silver_result_fini(&r);
        rec.duration_us = tarn_monotonic_us() - t0;
        rec.bronze_from = r.bronze_from;
        rec.bronze_to = r.bronze_to;
        rec.rows_in = r.rows_in;
        rec.inserted = r.inserted;
        rec.updated = r.updated;
        rec.duplicates = r.duplicates;
        rec.stale = r.stale;
        rec.quarantined = r.quarantined;
        rec.warned = r.warned;
        rec.silver_version = r.silver_version;
        if (record_run(lake, &rec) != TARN_OK)
            fprintf(stderr, "tarn run: warning: could not record the run in %s/tarn.db\n", lake);
    }
    if (!dry) {
        int mrc = run_models(lake, &gm, all, names, n_names, full, json, doc, &err);
        if (mrc == 2) {
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
        rc = mrc > rc ? mrc : rc;
    }
    if (json) {
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        if (s)
            puts(s);
        free(s);
    }
out:
    json_decref(doc);
    tarn_catalog_close(cat);
    tarn_cli_contracts_free(&cs);
    tarn_gold_models_free(&gm);
    tarn_free(todo);
    tarn_free(names);
    return rc;
}

static const char heal_usage[] =
    "usage: tarn heal DATASET [--contracts DIR] [--lake DIR] [--json]\n"
    "\n"
    "Judges every record in silver.DATASET__quarantine again against the current\n"
    "contract and moves those that now pass into silver.DATASET (merged like a\n"
    "run: newer rows win) and out of the quarantine, exactly once: a heal killed\n"
    "half-way, run again, finishes without duplicating anything.\n";

int tarn_cli_heal(int argc, char **argv)
{
    const char *cmd = "heal", *contracts = "contracts", *lake_opt = NULL, *dataset = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(heal_usage, stdout);
            return 0;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--contracts", &contracts)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--lake", &lake_opt)) != 0) {
            if (m < 0)
                return 2;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!dataset) {
            dataset = argv[i];
        } else {
            return tarn_cli_usage_error(cmd, "one dataset at a time");
        }
    }
    if (!dataset)
        return tarn_cli_usage_error(cmd, "no dataset given");
    tarn_err err;
    tarn_err_clear(&err);
    tarn_cli_contracts cs = {0};
    int rc = 2;
    if (tarn_cli_contracts_load(contracts, true, &cs, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    const tarn_contract *c = tarn_cli_contracts_find(&cs, dataset);
    if (!c) {
        tarn_err_set(&err, TARN_ERR_NOT_FOUND, "no contract for dataset '%s' in %s/", dataset,
                     contracts);
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    tarn_silver_opts o = {tarn_cli_lake_dir(lake_opt), 0, false, false, false, NULL};
    tarn_silver_result r;
    int64_t healed;
    if (tarn_silver_heal(c, &o, &r, &healed, &err) != TARN_OK) {
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    if (json)
        printf("{\"dataset\": \"%s\", \"judged\": %lld, \"healed\": %lld, \"inserted\": %lld, "
               "\"updated\": %lld, \"stale\": %lld, \"still_quarantined\": %lld}\n",
               c->dataset, (long long)r.rows_in, (long long)healed, (long long)r.inserted,
               (long long)r.updated, (long long)r.stale, (long long)r.quarantined);
    else
        printf("%s: %lld quarantined records judged with contract %s: %lld healed (%lld inserted, "
               "%lld updated, %lld older than Silver), %lld still quarantined\n",
               c->dataset, (long long)r.rows_in, c->version ? c->version : "(no version)",
               (long long)healed, (long long)r.inserted, (long long)r.updated, (long long)r.stale,
               (long long)r.quarantined);
    rc = 0;
out:
    tarn_cli_contracts_free(&cs);
    return rc;
}
