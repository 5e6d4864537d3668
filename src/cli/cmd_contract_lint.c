/*
 * cli/cmd_contract_lint.c - `tarn contract lint FILE|DIR...`: load every
 * contract, report its first error or its warnings as FILE:LINE:COL lines
 * (or JSON), and check that no two files define the same dataset.
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"
#include "cli/cli.h"
#include "cli/contracts.h"
#include "contract/lint.h"

#include <jansson.h>
#include <string.h>

static const char usage_text[] =
    "usage: tarn contract lint FILE|DIR... [--strict] [--json] [--quiet]\n"
    "\n"
    "Loads each contract (directories are searched recursively for *.yaml and\n"
    "*.yml) and prints every problem as FILE:LINE:COL: error|warning: message.\n"
    "A file that does not load reports its first error; a file that loads\n"
    "reports warnings (no version, no owner, no primary key, a check naming a\n"
    "column the schema lacks, ...). Two files defining the same dataset is an\n"
    "error.\n"
    "\n"
    "  --strict   warnings count as errors for the exit code\n"
    "  --json     one JSON document: {\"files\": [...], \"errors\": N, \"warnings\": N}\n"
    "  --quiet    print errors only\n"
    "\n"
    "Exit 0 when every contract is valid, 1 when one has an error (or a warning\n"
    "with --strict), 2 on usage errors or unreadable paths.\n";

typedef struct finding {
    const char *file;
    bool error;
    const char *code;
    int64_t line, col;
    char msg[TARN_ERR_MSG_MAX + TARN_ERR_HINT_MAX + 16];
} finding;

typedef struct lint_run {
    tarn_arena *a;
    finding *items;
    int n, cap;
    const char **files; /* contract files to lint, in order */
    int n_files, cap_files;
    bool io_error;
} lint_run;

static finding *add_finding(lint_run *r)
{
    if (!tarn_grow((void **)&r->items, r->n, &r->cap, sizeof *r->items))
        return NULL;
    finding *f = &r->items[r->n++];
    memset(f, 0, sizeof *f);
    return f;
}

static bool add_file(lint_run *r, const char *path)
{
    if (!tarn_grow((void **)&r->files, r->n_files, &r->cap_files, sizeof *r->files))
        return false;
    r->files[r->n_files] = tarn_arena_strdup(r->a, path);
    return r->files[r->n_files++] != NULL;
}

/* Adds path, or the YAML files under it in sorted order. */
static tarn_status collect(lint_run *r, const char *path, int depth, tarn_err *err)
{
    if (!tarn_is_dir(path))
        return add_file(r, path) ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (depth > 32)
        return TARN_OK;
    char **names;
    size_t n;
    TARN_TRY(tarn_dir_list(path, r->a, &names, &n, err));
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == '.')
            continue;
        char *sub = tarn_path_join(r->a, path, names[i]);
        if (!sub)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        if (tarn_is_dir(sub))
            TARN_TRY(collect(r, sub, depth + 1, err));
        else if (tarn_cli_is_yaml(names[i]) && !add_file(r, sub))
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    return TARN_OK;
}

typedef struct seen_dataset {
    const char *name, *file;
    int64_t line, col;
} seen_dataset;

static int lint_files(lint_run *r, seen_dataset *seen, tarn_err *err)
{
    int n_seen = 0;
    for (int i = 0; i < r->n_files; i++) {
        const char *file = r->files[i];
        tarn_contract *c = NULL;
        tarn_err lerr;
        tarn_err_clear(&lerr);
        finding *f;
        if (tarn_ct_load_file(file, &c, &lerr) != TARN_OK) {
            if (!(f = add_finding(r)))
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            f->file = file;
            f->error = true;
            f->code = lerr.code == TARN_ERR_NOT_FOUND || lerr.code == TARN_ERR_IO ? "unreadable"
                                                                                  : "invalid";
            r->io_error |= !strcmp(f->code, "unreadable");
            f->line = lerr.line;
            f->col = lerr.col;
            if (lerr.hint[0])
                snprintf(f->msg, sizeof f->msg, "%s (%s)", lerr.msg, lerr.hint);
            else
                snprintf(f->msg, sizeof f->msg, "%s", lerr.msg);
            /* Loader messages may carry the file name already ("x.yaml: ..."). */
            size_t fl = strlen(file);
            if (!strncmp(f->msg, file, fl) && f->msg[fl] == ':' && f->msg[fl + 1] == ' ')
                memmove(f->msg, f->msg + fl + 2, strlen(f->msg + fl + 2) + 1);
            continue;
        }
        for (int j = 0; j < n_seen; j++) {
            if (strcmp(seen[j].name, c->dataset))
                continue;
            if (!(f = add_finding(r))) {
                tarn_ct_destroy(c);
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            }
            f->file = file;
            f->error = true;
            f->code = "duplicate_dataset";
            f->line = c->dataset_loc.line;
            f->col = c->dataset_loc.col;
            snprintf(f->msg, sizeof f->msg, "dataset '%s' is also defined in %s:%lld:%lld",
                     c->dataset, seen[j].file, (long long)seen[j].line, (long long)seen[j].col);
            break;
        }
        seen[n_seen].name = tarn_arena_strdup(r->a, c->dataset);
        seen[n_seen].file = file;
        seen[n_seen].line = c->dataset_loc.line;
        seen[n_seen].col = c->dataset_loc.col;
        if (!seen[n_seen].name) {
            tarn_ct_destroy(c);
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
        n_seen++;
        tarn_ct_warnings w = {0};
        tarn_status st = tarn_ct_lint(c, &w, err);
        for (int j = 0; st == TARN_OK && j < w.n; j++) {
            if (!(f = add_finding(r))) {
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                break;
            }
            f->file = file;
            f->code = w.items[j].code;
            f->line = w.items[j].loc.line;
            f->col = w.items[j].loc.col;
            snprintf(f->msg, sizeof f->msg, "%s", w.items[j].msg);
        }
        tarn_ct_warnings_fini(&w);
        tarn_ct_destroy(c);
        if (st != TARN_OK)
            return st;
    }
    return TARN_OK;
}

static void print_text(const lint_run *r, bool quiet)
{
    for (int i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        if (quiet && !f->error)
            continue;
        if (f->line > 0)
            printf("%s:%lld:%lld: %s: %s\n", f->file, (long long)f->line, (long long)f->col,
                   f->error ? "error" : "warning", f->msg);
        else
            printf("%s: %s: %s\n", f->file, f->error ? "error" : "warning", f->msg);
    }
}

static int print_json(const lint_run *r, int errors, int warnings)
{
    json_t *doc = json_object(), *files = json_array();
    if (!doc || !files)
        goto oom;
    json_object_set_new(doc, "files", files);
    for (int i = 0; i < r->n_files; i++) {
        json_t *fo = json_object(), *list = json_array();
        if (!fo || !list || json_array_append_new(files, fo)) {
            json_decref(list);
            goto oom;
        }
        int fe = 0, fw = 0;
        json_object_set_new(fo, "file", json_string(r->files[i]));
        json_object_set_new(fo, "findings", list);
        for (int j = 0; j < r->n; j++) {
            const finding *f = &r->items[j];
            if (f->file != r->files[i])
                continue;
            fe += f->error;
            fw += !f->error;
            json_t *o = json_pack(
                "{s:s, s:s, s:I, s:I, s:s}", "severity", f->error ? "error" : "warning", "code",
                f->code, "line", (json_int_t)f->line, "col", (json_int_t)f->col, "message", f->msg);
            if (!o || json_array_append_new(list, o))
                goto oom;
        }
        json_object_set_new(fo, "valid", json_boolean(fe == 0));
        json_object_set_new(fo, "errors", json_integer(fe));
        json_object_set_new(fo, "warnings", json_integer(fw));
    }
    json_object_set_new(doc, "errors", json_integer(errors));
    json_object_set_new(doc, "warnings", json_integer(warnings));
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
oom:
    json_decref(doc);
    return -1;
}

int tarn_cli_contract_lint(int argc, char **argv)
{
    const char *cmd = "contract lint";
    bool strict = false, json = false, quiet = false;
    lint_run r = {0};
    r.a = tarn_arena_create(0);
    tarn_err err;
    tarn_err_clear(&err);
    int rc = 2, n_paths = 0;
    seen_dataset *seen = NULL;
    if (!r.a) {
        tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else if (!strcmp(argv[i], "--strict")) {
            strict = true;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--quiet")) {
            quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
            goto out;
        } else {
            n_paths++;
            if (!tarn_path_exists(argv[i])) {
                tarn_err_set(&err, TARN_ERR_NOT_FOUND, "no such file or directory");
                tarn_err_at_path(&err, argv[i]);
                rc = tarn_cli_fail(cmd, &err);
                goto out;
            }
            if (collect(&r, argv[i], 0, &err) != TARN_OK) {
                rc = tarn_cli_fail(cmd, &err);
                goto out;
            }
        }
    }
    if (!n_paths) {
        rc = tarn_cli_usage_error(cmd, "no contract files given");
        goto out;
    }
    if (!r.n_files) {
        rc = tarn_cli_usage_error(cmd, "no *.yaml or *.yml files under the paths given");
        goto out;
    }
    seen = tarn_calloc((size_t)r.n_files, sizeof *seen);
    if (!seen || lint_files(&r, seen, &err) != TARN_OK) {
        if (!seen)
            tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    int errors = 0, warnings = 0;
    for (int i = 0; i < r.n; i++) {
        errors += r.items[i].error;
        warnings += !r.items[i].error;
    }
    if (json) {
        if (print_json(&r, errors, warnings) != 0) {
            tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
    } else {
        print_text(&r, quiet);
        if (!quiet)
            fprintf(stderr, "%d file%s, %d error%s, %d warning%s\n", r.n_files,
                    r.n_files == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
                    warnings == 1 ? "" : "s");
    }
    rc = r.io_error ? 2 : (errors || (strict && warnings)) ? 1 : 0;
out:
    tarn_free(seen);
    tarn_free(r.items);
    tarn_free(r.files);
    tarn_arena_destroy(r.a);
    return rc;
}
