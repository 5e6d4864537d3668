/*
 * cli/cmd_contract_diff.c - `tarn contract diff OLD NEW` and `tarn contract
 * diff --git REV [PATH...]`: classify contract changes (contract/diff.c)
 * and exit 1 when one breaks someone without a major version bump.
 *
 * --git reads the old versions with `git ls-tree` and `git show`, run
 * directly (fork + execvp, no shell) with their output read through pipes.
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/fs.h"
#include "cli/cli.h"
#include "cli/contracts.h"
#include "contract/diff.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: tarn contract diff OLD.yaml NEW.yaml [options]\n"
    "       tarn contract diff --git REV [PATH...] [options]\n"
    "\n"
    "Lists every change between two versions of a contract with its class\n"
    "(breaking, warning, compatible, info) and whom it breaks (readers: the\n"
    "consumers' queries and dashboards; writers: the producers' data; both).\n"
    "--git compares each contract under PATH (files or directories; default\n"
    "contracts/ when it exists, else .) with its version at git revision REV;\n"
    "new and deleted contract files count too.\n"
    "\n"
    "  --json                 one JSON document for machines\n"
    "  --for readers|writers|both\n"
    "                         whose breaks decide the exit code (default both)\n"
    "  --fail-on warning      warnings fail too (default: breaking)\n"
    "\n"
    "Exit 0 when nothing counted is breaking, or the major version was raised;\n"
    "1 when a breaking change comes without a major version bump (a deleted\n"
    "contract always); 2 on an input or usage error.\n";

typedef struct pair {
    const char *label;    /* path shown */
    const char *old_name; /* "REV:path" or OLD path, NULL when added */
    const char *new_name; /* path, NULL when deleted */
    tarn_contract *old_c; /* loaded */
    tarn_contract *new_c;
    tarn_ct_diff diff;
} pair;

typedef struct diff_run {
    tarn_arena *a;
    pair *pairs;
    int n, cap;
} diff_run;

static pair *add_pair(diff_run *r)
{
    if (!tarn_grow((void **)&r->pairs, r->n, &r->cap, sizeof *r->pairs))
        return NULL;
    pair *p = &r->pairs[r->n++];
    memset(p, 0, sizeof *p);
    return p;
}

/* ---- running git ------------------------------------------------------------- */

/* Runs git with args; stdout into out, stderr kept for the error message.
 * Returns TARN_OK only when git exits 0. */
static tarn_status run_git(char *const *args, tarn_buf *out, tarn_err *err)
{
    int po[2], pe[2];
    if (pipe(po) != 0)
        return tarn_err_errno(err, "pipe", NULL);
    if (pipe(pe) != 0) {
        close(po[0]);
        close(po[1]);
        return tarn_err_errno(err, "pipe", NULL);
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        return tarn_err_errno(err, "fork", NULL);
    }
    if (pid == 0) {
        dup2(po[1], 1);
        dup2(pe[1], 2);
        close(po[0]);
        close(po[1]);
        close(pe[0]);
        close(pe[1]);
        execvp("git", args);
        dprintf(2, "cannot run git: %s", strerror(errno));
        _exit(127);
    }
    close(po[1]);
    close(pe[1]);
    tarn_buf errb;
    tarn_buf_init(&errb);
    tarn_status st = TARN_OK;
    struct pollfd fds[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int open_fds = 2;
    char chunk[65536];
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            st = tarn_err_errno(err, "poll", NULL);
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t k = read(fds[i].fd, chunk, sizeof chunk);
            if (k <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
                continue;
            }
            tarn_buf *dst = i == 0 ? out : &errb;
            if (st == TARN_OK && dst->len + (size_t)k < ((size_t)64 << 20) &&
                tarn_buf_append(dst, chunk, (size_t)k) != TARN_OK)
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (st == TARN_OK && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        /* git's first line says what is wrong ("fatal: bad revision 'x'"). */
        char *msg = errb.data ? errb.data : "";
        msg[strcspn(msg, "\n")] = '\0';
        st = tarn_err_set(err, TARN_ERR_INVALID, "git %s failed: %s", args[1],
                          msg[0] ? msg : "exit status not zero");
    }
    tarn_buf_fini(&errb);
    return st;
}

typedef struct name_list {
    char **v;
    int n, cap;
} name_list;

static bool push_name(diff_run *r, name_list *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s))
            return true;
    if (!tarn_grow((void **)&l->v, l->n, &l->cap, sizeof *l->v))
        return false;
    l->v[l->n] = tarn_arena_strdup(r->a, s);
    return l->v[l->n++] != NULL;
}

/* Working-tree contract files under path (normalised without "./"). */
static tarn_status walk(diff_run *r, name_list *l, const char *path, int depth, tarn_err *err)
{
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    if (!tarn_is_dir(path)) {
        if (tarn_cli_is_yaml(path) && !push_name(r, l, path))
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        return TARN_OK;
    }
    if (depth > 32)
        return TARN_OK;
    char **names;
    size_t n;
    TARN_TRY(tarn_dir_list(path, r->a, &names, &n, err));
    for (size_t i = 0; i < n; i++) {
        if (names[i][0] == '.')
            continue;
        char *sub = strcmp(path, ".") ? tarn_path_join(r->a, path, names[i]) : names[i];
        if (!sub)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        TARN_TRY(walk(r, l, sub, depth + 1, err));
    }
    return TARN_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static tarn_status load_git_version(diff_run *r, const char *rev, const char *path, pair *p,
                                    tarn_err *err)
{
    char *spec = tarn_arena_printf(r->a, "%s:./%s", rev, path);
    if (!spec)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    char *args[] = {"git", "show", spec, NULL};
    tarn_buf b;
    tarn_buf_init(&b);
    tarn_status st = run_git(args, &b, err);
    p->old_name = tarn_arena_printf(r->a, "%s:%s", rev, path);
    if (st == TARN_OK && !p->old_name)
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK)
        st = tarn_ct_load_mem(b.data ? b.data : "", b.len, p->old_name, &p->old_c, err);
    tarn_buf_fini(&b);
    return st;
}

static tarn_status collect_git(diff_run *r, const char *rev, char **paths, int n_paths,
                               tarn_err *err)
{
    /* Old side: the files git has at REV under the paths (relative to here). */
    char **args = tarn_arena_calloc(r->a, (size_t)n_paths + 8, sizeof *args);
    if (!args)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    int k = 0;
    args[k++] = "git";
    args[k++] = "ls-tree";
    args[k++] = "-r";
    args[k++] = "--name-only";
    args[k++] = (char *)rev;
    args[k++] = "--";
    for (int i = 0; i < n_paths; i++)
        args[k++] = paths[i];
    tarn_buf b;
    tarn_buf_init(&b);
    tarn_status st = run_git(args, &b, err);
    name_list old_l = {0}, new_l = {0};
    for (char *line = b.data; st == TARN_OK && line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (tarn_cli_is_yaml(line) && !push_name(r, &old_l, line))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        line = nl ? nl + 1 : NULL;
    }
    tarn_buf_fini(&b);
    for (int i = 0; st == TARN_OK && i < n_paths; i++)
        if (tarn_path_exists(paths[i]))
            st = walk(r, &new_l, paths[i], 0, err);
    /* Union, sorted, so the output is stable. */
    name_list all = {0};
    for (int i = 0; st == TARN_OK && i < old_l.n; i++)
        if (!push_name(r, &all, old_l.v[i]))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; st == TARN_OK && i < new_l.n; i++)
        if (!push_name(r, &all, new_l.v[i]))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK && all.n)
        qsort(all.v, (size_t)all.n, sizeof *all.v, cmp_str);
    for (int i = 0; st == TARN_OK && i < all.n; i++) {
        bool in_old = false, in_new = false;
        for (int j = 0; j < old_l.n; j++)
            in_old |= !strcmp(old_l.v[j], all.v[i]);
        for (int j = 0; j < new_l.n; j++)
            in_new |= !strcmp(new_l.v[j], all.v[i]);
        pair *p = add_pair(r);
        if (!p) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        p->label = all.v[i];
        if (in_old)
            st = load_git_version(r, rev, all.v[i], p, err);
        if (st == TARN_OK && in_new) {
            p->new_name = all.v[i];
            st = tarn_ct_load_file(all.v[i], &p->new_c, err);
        }
    }
    tarn_free(old_l.v);
    tarn_free(new_l.v);
    tarn_free(all.v);
    return st;
}

/* ---- output -------------------------------------------------------------------- */

static void print_text(const diff_run *r, tarn_diff_audience who, bool fail_on_warning)
{
    for (int i = 0; i < r->n; i++) {
        const pair *p = &r->pairs[i];
        const tarn_ct_diff *d = &p->diff;
        const char *ov = d->old_version ? d->old_version : "(no version)";
        const char *nv = d->new_version ? d->new_version : "(no version)";
        if (!p->old_c)
            printf("%s: new contract, version %s\n", p->label, nv);
        else if (!p->new_c)
            printf("%s: deleted (was version %s)\n", p->label, ov);
        else
            printf("%s: %s -> %s\n", p->label, ov, nv);
        for (int j = 0; j < d->n; j++) {
            const tarn_ct_change *c = &d->items[j];
            char where[600];
            const char *file = c->in_old ? p->old_name : p->new_name;
            if (c->loc.line > 0)
                snprintf(where, sizeof where, "%s:%d:%d", file ? file : p->label, (int)c->loc.line,
                         (int)c->loc.col);
            else
                snprintf(where, sizeof where, "%s", file ? file : p->label);
            printf("  %-10s %-7s %-22s %s  %s\n", tarn_diff_class_name(c->cls),
                   tarn_diff_audience_name(c->audience), c->rule, where, c->message);
        }
        int v = tarn_ct_diff_verdict(d, who, fail_on_warning);
        printf("  %d breaking, %d warning%s, %d compatible, %d info", d->breaking, d->warnings,
               d->warnings == 1 ? "" : "s", d->compatible, d->info);
        if (d->deleted)
            printf(": deleting a contract breaks its consumers and producers\n");
        else if (v)
            printf(": breaking without a major version bump\n");
        else if (d->breaking && d->major_bump && p->old_c)
            printf(": allowed by the major version bump\n");
        else
            printf("\n");
    }
}

static int print_json(const diff_run *r, tarn_diff_audience who, bool fail_on_warning, int rc)
{
    json_t *doc = json_object(), *files = json_array();
    if (!doc || !files || json_object_set_new(doc, "files", files)) {
        json_decref(doc);
        return -1;
    }
    for (int i = 0; i < r->n; i++) {
        const pair *p = &r->pairs[i];
        const tarn_ct_diff *d = &p->diff;
        json_t *f = json_object(), *list = json_array();
        if (!f || !list || json_array_append_new(files, f) ||
            json_object_set_new(f, "path", json_string(p->label))) {
            json_decref(list);
            json_decref(doc);
            return -1;
        }
        json_object_set_new(f, "old_path", p->old_name ? json_string(p->old_name) : json_null());
        json_object_set_new(f, "new_path", p->new_name ? json_string(p->new_name) : json_null());
        json_object_set_new(f, "old_version",
                            d->old_version ? json_string(d->old_version) : json_null());
        json_object_set_new(f, "new_version",
                            d->new_version ? json_string(d->new_version) : json_null());
        json_object_set_new(f, "major_bump", json_boolean(d->major_bump && p->old_c));
        json_object_set_new(f, "changes", list);
        for (int j = 0; j < d->n; j++) {
            const tarn_ct_change *c = &d->items[j];
            json_t *o =
                json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:i, s:i}", "class",
                          tarn_diff_class_name(c->cls), "audience",
                          c->audience ? tarn_diff_audience_name(c->audience) : "none", "rule",
                          c->rule, "column", c->column[0] ? json_string(c->column) : json_null(),
                          "old", c->old_value[0] ? json_string(c->old_value) : json_null(), "new",
                          c->new_value[0] ? json_string(c->new_value) : json_null(), "message",
                          c->message, "file",
                          (c->in_old ? p->old_name : p->new_name)
                              ? json_string(c->in_old ? p->old_name : p->new_name)
                              : json_null(),
                          "line", (int)c->loc.line, "col", (int)c->loc.col);
            if (!o || json_array_append_new(list, o)) {
                json_decref(doc);
                return -1;
            }
        }
        json_object_set_new(f, "breaking", json_integer(d->breaking));
        json_object_set_new(f, "warnings", json_integer(d->warnings));
        json_object_set_new(f, "compatible", json_integer(d->compatible));
        json_object_set_new(f, "info", json_integer(d->info));
        json_object_set_new(f, "fails",
                            json_boolean(tarn_ct_diff_verdict(d, who, fail_on_warning)));
    }
    json_object_set_new(doc, "exit", json_integer(rc));
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!s)
        return -1;
    puts(s);
    free(s);
    return 0;
}

int tarn_cli_contract_diff(int argc, char **argv)
{
    const char *cmd = "contract diff";
    const char *git_rev = NULL, *for_opt = NULL, *fail_on = NULL;
    bool json = false;
    diff_run r = {0};
    char **pos = tarn_calloc((size_t)argc + 1, sizeof *pos);
    int n_pos = 0, rc = 2;
    tarn_err err;
    tarn_err_clear(&err);
    r.a = tarn_arena_create(0);
    if (!pos || !r.a) {
        tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
        rc = tarn_cli_fail(cmd, &err);
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        int m;
        if (tarn_cli_is_help(argv[i])) {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else if ((m = tarn_cli_opt(cmd, argc, argv, &i, "--git", &git_rev)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--for", &for_opt)) != 0 ||
                   (m = tarn_cli_opt(cmd, argc, argv, &i, "--fail-on", &fail_on)) != 0) {
            if (m < 0)
                goto out;
        } else if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = tarn_cli_usage_error(cmd, "unknown option '%s'", argv[i]);
            goto out;
        } else {
            pos[n_pos++] = argv[i];
        }
    }
    tarn_diff_audience who = TARN_AUD_BOTH;
    if (for_opt && !strcmp(for_opt, "readers"))
        who = TARN_AUD_READERS;
    else if (for_opt && !strcmp(for_opt, "writers"))
        who = TARN_AUD_WRITERS;
    else if (for_opt && strcmp(for_opt, "both")) {
        rc = tarn_cli_usage_error(cmd, "--for takes readers, writers or both, not '%s'", for_opt);
        goto out;
    }
    bool fail_on_warning = false;
    if (fail_on && !strcmp(fail_on, "warning"))
        fail_on_warning = true;
    else if (fail_on && strcmp(fail_on, "breaking")) {
        rc = tarn_cli_usage_error(cmd, "--fail-on takes warning or breaking, not '%s'", fail_on);
        goto out;
    }
    if (git_rev) {
        char *dflt[] = {tarn_is_dir("contracts") ? "contracts" : "."};
        if (collect_git(&r, git_rev, n_pos ? pos : dflt, n_pos ? n_pos : 1, &err) != TARN_OK) {
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
    } else {
        if (n_pos != 2) {
            rc = tarn_cli_usage_error(cmd, "expected OLD.yaml NEW.yaml (or --git REV)");
            goto out;
        }
        pair *p = add_pair(&r);
        if (!p) {
            tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
        p->label = pos[1];
        p->old_name = pos[0];
        p->new_name = pos[1];
        if (tarn_ct_load_file(pos[0], &p->old_c, &err) != TARN_OK ||
            tarn_ct_load_file(pos[1], &p->new_c, &err) != TARN_OK) {
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
    }
    rc = 0;
    for (int i = 0; i < r.n; i++) {
        pair *p = &r.pairs[i];
        tarn_status st = p->old_c && p->new_c
                             ? tarn_ct_diff_contracts(p->old_c, p->new_c, &p->diff, &err)
                         : p->new_c ? tarn_ct_diff_added(p->new_c, &p->diff, &err)
                                    : tarn_ct_diff_deleted(p->old_c, &p->diff, &err);
        if (st != TARN_OK) {
            rc = tarn_cli_fail(cmd, &err);
            goto out;
        }
        if (tarn_ct_diff_verdict(&p->diff, who, fail_on_warning))
            rc = 1;
    }
    if (json) {
        if (print_json(&r, who, fail_on_warning, rc) != 0) {
            tarn_err_set(&err, TARN_ERR_NOMEM, "out of memory");
            rc = tarn_cli_fail(cmd, &err);
        }
    } else {
        if (r.n == 0)
            printf("no contract files found\n");
        print_text(&r, who, fail_on_warning);
    }
out:
    for (int i = 0; i < r.n; i++) {
        tarn_ct_destroy(r.pairs[i].old_c);
        tarn_ct_destroy(r.pairs[i].new_c);
        tarn_ct_diff_fini(&r.pairs[i].diff);
    }
    tarn_free(r.pairs);
    tarn_free(pos);
    tarn_arena_destroy(r.a);
    return rc;
}
