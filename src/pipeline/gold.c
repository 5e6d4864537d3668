/*
 * pipeline/gold.c - Gold models (see gold.h): loading model files, ordering
 * them by the tables their SQL reads, and building them.
 */
#include "pipeline/gold.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/suggest.h"
#include "base/time.h"
#include "catalog/gold_store.h"
#include "column/vec.h"
#include "delta/delete.h"
#include "delta/snapshot.h"
#include "delta/write.h"
#include "exec/rel.h"
#include "sql/parse.h"
#include "sql/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static tarn_status oom(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

static tarn_status fail_at(tarn_err *err, const char *path, int64_t line, int64_t col,
                           const char *fmt, ...) TARN_PRINTF(5, 6);
static tarn_status fail_at(tarn_err *err, const char *path, int64_t line, int64_t col,
                           const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tarn_err_set(err, TARN_ERR_INVALID, "%s:%lld:%lld: %s", path, (long long)line, (long long)col,
                 msg);
    return TARN_ERR_INVALID;
}

/* Header ------------------------------------------------------------------------- */

typedef struct hdr {
    const char *path;
    int line0; /* file line of the YAML text's first line */
    yaml_document_t doc;
    tarn_arena *a;
    tarn_err *err;
} hdr;

static tarn_status node_fail(hdr *h, const yaml_node_t *n, const char *fmt, const char *what)
{
    return fail_at(h->err, h->path, (int64_t)n->start_mark.line + h->line0,
                   (int64_t)n->start_mark.column + 1, fmt, what);
}

static const char *scalar(hdr *h, yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return tarn_arena_strndup(h->a, (const char *)n->data.scalar.value, n->data.scalar.length);
}

/* A name or a list of names. */
static tarn_status names_of(hdr *h, yaml_node_t *n, const char *what, const char ***out, int *nout)
{
    if (n->type == YAML_SCALAR_NODE) {
        *out = tarn_arena_alloc(h->a, sizeof(char *));
        if (!*out)
            return oom(h->err);
        (*out)[0] = scalar(h, n);
        *nout = 1;
        return TARN_OK;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return node_fail(h, n, "%s: expected a column name or a list of them", what);
    int k = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    *out = tarn_arena_alloc(h->a, sizeof(char *) * (size_t)(k + 1));
    if (!*out)
        return oom(h->err);
    for (int i = 0; i < k; i++) {
        yaml_node_t *x = yaml_document_get_node(&h->doc, n->data.sequence.items.start[i]);
        if (!x || x->type != YAML_SCALAR_NODE)
            return node_fail(h, x ? x : n, "%s: expected column names", what);
        (*out)[i] = scalar(h, x);
    }
    *nout = k;
    return k ? TARN_OK : node_fail(h, n, "%s: the list is empty", what);
}

static tarn_status parse_tests(hdr *h, yaml_node_t *n, tarn_gold_model *m)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return node_fail(h, n, "%s: expected a list like [{unique: id}, {not_null: [id]}]",
                         "tests");
    int k = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    m->tests = tarn_arena_calloc(h->a, (size_t)k + 1, sizeof *m->tests);
    if (!m->tests)
        return oom(h->err);
    for (int i = 0; i < k; i++) {
        yaml_node_t *t = yaml_document_get_node(&h->doc, n->data.sequence.items.start[i]);
        if (!t || t->type != YAML_MAPPING_NODE ||
            t->data.mapping.pairs.top - t->data.mapping.pairs.start != 1)
            return node_fail(h, t ? t : n, "%s: each test is {unique: ...} or {not_null: ...}",
                             "tests");
        yaml_node_pair_t *p = t->data.mapping.pairs.start;
        yaml_node_t *key = yaml_document_get_node(&h->doc, p->key);
        yaml_node_t *val = yaml_document_get_node(&h->doc, p->value);
        const char *kind = scalar(h, key);
        tarn_gold_test *x = &m->tests[m->n_tests];
        if (kind && !strcmp(kind, "unique"))
            x->kind = TARN_GOLD_UNIQUE;
        else if (kind && !strcmp(kind, "not_null"))
            x->kind = TARN_GOLD_NOT_NULL;
        else
            return node_fail(h, key, "unknown test '%s' (unique, not_null)", kind ? kind : "?");
        TARN_TRY(names_of(h, val, kind, &x->columns, &x->n_columns));
        m->n_tests++;
    }
    return TARN_OK;
}

static tarn_status parse_header(hdr *h, const char *text, size_t n, tarn_gold_model *m)
{
    static const char *const keys[] = {"name",          "description", "owner",
                                       "materialized",  "unique_key",  "tests",
                                       "surrogate_key", "scd2",        NULL};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return oom(h->err);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    if (!yaml_parser_load(&parser, &h->doc)) {
        tarn_status st = fail_at(h->err, h->path, (int64_t)parser.problem_mark.line + h->line0,
                                 (int64_t)parser.problem_mark.column + 1, "YAML: %s",
                                 parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        return st;
    }
    yaml_parser_delete(&parser);
    yaml_node_t *root = yaml_document_get_root_node(&h->doc);
    if (!root)
        return TARN_OK; /* an empty header */
    if (root->type != YAML_MAPPING_NODE)
        return node_fail(h, root, "%s: the header is a mapping of keys (name, materialized, ...)",
                         "header");
    const char *mat = NULL;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&h->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(&h->doc, p->value);
        const char *key = scalar(h, k);
        if (!key)
            return node_fail(h, k, "%s: keys are names", "header");
        if (!strcmp(key, "name") || !strcmp(key, "description") || !strcmp(key, "owner") ||
            !strcmp(key, "materialized") || !strcmp(key, "surrogate_key")) {
            const char *s = scalar(h, v);
            if (!s)
                return node_fail(h, v, "%s: expected a text value", key);
            if (!strcmp(key, "name"))
                m->name = s;
            else if (!strcmp(key, "description"))
                m->description = s;
            else if (!strcmp(key, "owner"))
                m->owner = s;
            else if (!strcmp(key, "surrogate_key"))
                m->surrogate_key = s;
            else
                mat = s;
            if (mat && !strcmp(key, "materialized") && strcmp(mat, "table") &&
                strcmp(mat, "incremental"))
                return node_fail(h, v, "materialized: '%s' is not table or incremental", mat);
        } else if (!strcmp(key, "scd2")) {
            const char *s = scalar(h, v);
            if (!s || (strcmp(s, "true") && strcmp(s, "false")))
                return node_fail(h, v, "%s: expected true or false", "scd2");
            m->scd2 = !strcmp(s, "true");
        } else if (!strcmp(key, "unique_key")) {
            TARN_TRY(names_of(h, v, "unique_key", &m->unique_key, &m->n_unique_key));
        } else if (!strcmp(key, "tests")) {
            TARN_TRY(parse_tests(h, v, m));
        } else {
            const char *sug = tarn_suggest(key, keys, 8);
            char what[160];
            snprintf(what, sizeof what, "%s'%s%s%s", key, sug ? " (did you mean '" : "",
                     sug ? sug : "", sug ? "'?)" : "");
            return node_fail(h, k, "unknown key '%s", what);
        }
    }
    m->incremental = mat && !strcmp(mat, "incremental");
    if (m->incremental && !m->n_unique_key)
        return node_fail(h, root, "%s: materialized: incremental needs a unique_key", "unique_key");
    if (m->scd2 && (!m->n_unique_key || m->incremental))
        return node_fail(h, root,
                         "%s: scd2 keeps history per unique_key of a table model: name a "
                         "unique_key (and no incremental)",
                         "scd2");
    if (m->surrogate_key && !m->n_unique_key)
        return node_fail(h, root, "%s: a surrogate_key is kept per unique_key: name one",
                         "surrogate_key");
    return TARN_OK;
}

/* Dependencies ---------------------------------------------------------------- */

typedef struct deps {
    tarn_arena *a;
    const char **v;
    int n, cap;
    const char *ctes[64];
    int n_ctes;
} deps;

static void dep_add(deps *d, const char *layer, const char *name)
{
    char *s = tarn_arena_printf(d->a, "%s.%s", layer, name);
    if (!s)
        return;
    for (int i = 0; i < d->n; i++)
        if (!strcasecmp(d->v[i], s))
            return;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 8;
        const char **v = tarn_arena_alloc(d->a, sizeof(char *) * (size_t)cap);
        if (!v)
            return;
        if (d->n)
            memcpy(v, d->v, sizeof(char *) * (size_t)d->n);
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n++] = s;
}

static void walk_query(deps *d, const tarn_sql_query *q);

static void walk_expr(deps *d, const tarn_sql_expr *e)
{
    if (!e)
        return;
    if (e->query)
        walk_query(d, e->query);
    for (int i = 0; i < e->n_args; i++)
        walk_expr(d, e->args[i]);
    for (int i = 0; i < e->n_whens; i++) {
        walk_expr(d, e->whens[i]);
        walk_expr(d, e->thens[i]);
    }
    walk_expr(d, e->else_expr);
}

static void walk_from(deps *d, const tarn_sql_from *f)
{
    if (!f)
        return;
    if (f->n_parts == 2)
        dep_add(d, f->parts[0], f->parts[1]);
    if (f->query)
        walk_query(d, f->query);
    walk_from(d, f->left);
    walk_from(d, f->right);
    walk_expr(d, f->on);
}

static void walk_set(deps *d, const tarn_sql_set *s)
{
    if (!s)
        return;
    if (s->select) {
        const tarn_sql_select *sel = s->select;
        for (int i = 0; i < sel->n_items; i++)
            walk_expr(d, sel->items[i].expr);
        for (int i = 0; i < sel->n_from; i++)
            walk_from(d, sel->from[i]);
        walk_expr(d, sel->where);
        walk_expr(d, sel->having);
    }
    if (s->nested)
        walk_query(d, s->nested);
    walk_set(d, s->left);
    walk_set(d, s->right);
}

static void walk_query(deps *d, const tarn_sql_query *q)
{
    for (int i = 0; i < q->n_ctes; i++)
        walk_query(d, q->ctes[i].query);
    walk_set(d, q->body);
}

/* Loading --------------------------------------------------------------------- */

static tarn_status load_file(tarn_arena *a, const char *dir, const char *file, tarn_gold_model *m,
                             tarn_err *err)
{
    memset(m, 0, sizeof *m);
    m->path = tarn_path_join(a, dir, file);
    tarn_buf text;
    tarn_buf_init(&text);
    tarn_status st = m->path ? tarn_file_read_all(m->path, 16 << 20, &text, err) : oom(err);
    if (st != TARN_OK) {
        tarn_buf_fini(&text);
        return st;
    }
    const char *s = text.data ? text.data : "";
    m->file_hash = tarn_hash_bytes(s, text.len, 0x60d);
    /* Header: a leading block comment holding --- ... --- lines. */
    const char *p = s;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    const char *body = p;
    hdr h = {.path = m->path, .a = a, .err = err};
    bool have_doc = false;
    if (!strncmp(p, "/*", 2)) {
        const char *end = strstr(p, "*/");
        const char *open = strstr(p, "---");
        if (!end) {
            tarn_buf_fini(&text);
            return fail_at(err, m->path, 1, 1, "the header comment is not closed with */");
        }
        if (open && open < end) {
            const char *yaml = strchr(open, '\n');
            const char *close = yaml ? strstr(yaml, "\n---") : NULL;
            if (!yaml || !close || close > end) {
                tarn_buf_fini(&text);
                return fail_at(err, m->path, 1, 1, "the header needs a closing --- line");
            }
            yaml++;
            h.line0 = 1;
            for (const char *q = s; q < yaml; q++)
                h.line0 += *q == '\n';
            st = parse_header(&h, yaml, (size_t)(close + 1 - yaml), m);
            have_doc = true;
        }
        body = end + 2;
    }
    if (have_doc)
        yaml_document_delete(&h.doc);
    if (st == TARN_OK) {
        m->sql_line = 1;
        for (const char *q = s; q < body; q++)
            m->sql_line += *q == '\n';
        m->sql = tarn_arena_strdup(a, body);
        if (!m->name) {
            size_t n = strlen(file);
            m->name = tarn_arena_strndup(a, file, n > 4 ? n - 4 : n);
        }
        if (!m->sql || !m->name)
            st = oom(err);
    }
    tarn_buf_fini(&text);
    if (st != TARN_OK)
        return st;
    /* Dependencies from the SQL. */
    tarn_sql_stmt *stmt;
    tarn_err e2;
    tarn_err_clear(&e2);
    if (tarn_sql_parse(m->sql, a, &stmt, &e2) != TARN_OK) {
        /* "line L, column C: message": the position moves into the file. */
        const char *msg = strstr(e2.msg, ": ");
        return fail_at(err, m->path, e2.line + m->sql_line - 1, e2.col, "%s",
                       msg ? msg + 2 : e2.msg);
    }
    deps d = {.a = a};
    walk_query(&d, stmt->query);
    m->deps = d.v;
    m->n_deps = d.n;
    return TARN_OK;
}

/* Orders models so that each comes after the gold models it reads. */
static tarn_status order_models(tarn_gold_models *ms, tarn_err *err)
{
    int n = ms->n;
    int *state = tarn_calloc((size_t)n + 1, sizeof(int)); /* 0 new, 1 visiting, 2 done */
    tarn_gold_model *out = tarn_arena_alloc(ms->arena, sizeof *out * (size_t)(n + 1));
    int *stack = tarn_alloc(sizeof(int) * (size_t)(n + 1));
    int *next = tarn_calloc((size_t)n + 1, sizeof(int));
    if (!state || !out || !stack || !next) {
        tarn_free(state);
        tarn_free(stack);
        tarn_free(next);
        return oom(err);
    }
    int k = 0;
    tarn_status st = TARN_OK;
    for (int r = 0; r < n && st == TARN_OK; r++) {
        if (state[r])
            continue;
        int sp = 0;
        stack[sp++] = r;
        state[r] = 1;
        while (sp && st == TARN_OK) {
            int i = stack[sp - 1];
            const tarn_gold_model *m = &ms->v[i];
            int dep = -1;
            while (next[i] < m->n_deps && dep < 0) {
                const char *d = m->deps[next[i]++];
                if (strncasecmp(d, "gold.", 5))
                    continue;
                for (int j = 0; j < n; j++)
                    if (!strcasecmp(ms->v[j].name, d + 5))
                        dep = j;
            }
            if (dep < 0) {
                state[i] = 2;
                out[k++] = ms->v[i];
                sp--;
            } else if (state[dep] == 1) {
                char cycle[512] = "";
                size_t len = 0;
                for (int s = 0; s < sp && len < sizeof cycle - 64; s++)
                    len += (size_t)snprintf(cycle + len, sizeof cycle - len, "%s -> ",
                                            ms->v[stack[s]].name);
                snprintf(cycle + len, sizeof cycle - len, "%s", ms->v[dep].name);
                st = tarn_err_set(err, TARN_ERR_INVALID,
                                  "gold models read each other in a cycle: %s", cycle);
            } else if (state[dep] == 0) {
                state[dep] = 1;
                stack[sp++] = dep;
            }
        }
    }
    if (st == TARN_OK)
        memcpy(ms->v, out, sizeof *out * (size_t)n);
    tarn_free(state);
    tarn_free(stack);
    tarn_free(next);
    return st;
}

tarn_status tarn_gold_load(const char *dir, tarn_gold_models *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->arena = tarn_arena_create(16384);
    if (!out->arena)
        return oom(err);
    if (!tarn_is_dir(dir))
        return TARN_OK;
    char **names;
    size_t n;
    tarn_status st = tarn_dir_list(dir, out->arena, &names, &n, err);
    if (st != TARN_OK)
        return st;
    out->v = tarn_arena_calloc(out->arena, n + 1, sizeof *out->v);
    if (!out->v)
        return oom(err);
    for (size_t i = 0; i < n && st == TARN_OK; i++) {
        size_t l = strlen(names[i]);
        if (l < 5 || strcmp(names[i] + l - 4, ".sql"))
            continue;
        st = load_file(out->arena, dir, names[i], &out->v[out->n], err);
        for (int j = 0; st == TARN_OK && j < out->n; j++)
            if (!strcasecmp(out->v[j].name, out->v[out->n].name))
                st = tarn_err_set(err, TARN_ERR_INVALID, "two models are named %s: %s and %s",
                                  out->v[j].name, out->v[j].path, out->v[out->n].path);
        out->n += st == TARN_OK;
    }
    if (st == TARN_OK)
        st = order_models(out, err);
    return st;
}

void tarn_gold_models_free(tarn_gold_models *m)
{
    tarn_arena_destroy(m->arena);
    memset(m, 0, sizeof *m);
}

const tarn_gold_model *tarn_gold_find(const tarn_gold_models *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (!strcasecmp(m->v[i].name, name))
            return &m->v[i];
    return NULL;
}

/* Building ------------------------------------------------------------------------ */

static int find_col(const tarn_schema *s, const char *name)
{
    int i = tarn_schema_find(s, name);
    return i >= 0 ? i : tarn_schema_find_ci(s, name);
}

/* Appends printf text to buf (capacity cap), truncating with "..." when full. */
static void say(char *buf, size_t cap, const char *fmt, ...) TARN_PRINTF(3, 4);
static void say(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= cap - len && cap > 4)
        memcpy(buf + cap - 4, "...", 4);
}

/* Names row `row` of the result for a failing test: its unique_key values
 * ("(day=2024-01-02, country=DE)") when the model has one, else its
 * position ("row 5"). */
static void null_row_example(const tarn_gold_model *m, const tarn_sql_result *res, int64_t row,
                             char *out, size_t cap)
{
    tarn_buf key;
    tarn_buf_init(&key);
    bool ok = m->n_unique_key > 0 && tarn_buf_append_char(&key, '(') == TARN_OK;
    for (int i = 0; ok && i < m->n_unique_key; i++) {
        int c = find_col(res->schema, m->unique_key[i]);
        tarn_scalar v;
        if (c < 0) {
            ok = false;
            break;
        }
        tarn_scalar_from_vec(res->batch->cols[c], row, &v);
        ok = tarn_buf_printf(&key, "%s%s=", i ? ", " : "", m->unique_key[i]) == TARN_OK &&
             tarn_scalar_render_text(&key, &v) == TARN_OK;
    }
    if (ok && tarn_buf_append_char(&key, ')') == TARN_OK)
        snprintf(out, cap, "%.*s", (int)key.len, key.data);
    else
        snprintf(out, cap, "row %lld", (long long)row + 1);
    tarn_buf_fini(&key);
}

/* Runs the model's tests on its result; *failed describes the first failure. */
static tarn_status run_tests(const tarn_gold_model *m, const tarn_sql_result *res, char *failed,
                             size_t cap, tarn_err *err)
{
    const tarn_batch *b = res->batch;
    for (int t = 0; t < m->n_tests; t++) {
        const tarn_gold_test *x = &m->tests[t];
        tarn_vec *cols[16];
        if (x->n_columns > 16)
            return tarn_err_set(err, TARN_ERR_INVALID, "%s: a test names more than 16 columns",
                                m->path);
        for (int k = 0; k < x->n_columns; k++) {
            int c = find_col(res->schema, x->columns[k]);
            if (c < 0)
                return tarn_err_set(err, TARN_ERR_INVALID,
                                    "%s: test column '%s' is not in the query's result", m->path,
                                    x->columns[k]);
            cols[k] = b->cols[c];
        }
        if (x->kind == TARN_GOLD_NOT_NULL) {
            for (int k = 0; k < x->n_columns; k++)
                if (cols[k]->null_count > 0) {
                    int64_t row = 0;
                    while (row < b->n_rows && tarn_vec_is_valid(cols[k], row))
                        row++;
                    char where[256];
                    null_row_example(m, res, row, where, sizeof where);
                    snprintf(failed, cap, "not_null(%s): %lld NULL rows, e.g. %s", x->columns[k],
                             (long long)cols[k]->null_count, where);
                    return TARN_ERR_DATA;
                }
            continue;
        }
        int64_t n = b->n_rows, ng = 0, *first = NULL;
        int64_t *gid = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
        tarn_status st =
            gid ? tarn_rel_group(cols, x->n_columns, n, gid, &ng, &first, err) : oom(err);
        if (st == TARN_OK && ng < n) {
            /* An example: the first row whose key an earlier row had. */
            int64_t dup = -1;
            for (int64_t i = 0; i < n && dup < 0; i++)
                if (first[gid[i]] != i)
                    dup = i;
            tarn_buf key;
            tarn_buf_init(&key);
            for (int k = 0; k < x->n_columns && dup >= 0; k++) {
                tarn_scalar v;
                tarn_scalar_from_vec(cols[k], dup, &v);
                if ((k && tarn_buf_append_str(&key, ", ") != TARN_OK) ||
                    tarn_scalar_render_text(&key, &v) != TARN_OK)
                    break;
            }
            char names[256] = "";
            for (int k = 0; k < x->n_columns; k++)
                say(names, sizeof names, "%s%s", k ? ", " : "", x->columns[k]);
            snprintf(failed, cap, "unique(%s): %lld duplicate rows, e.g. (%s)", names,
                     (long long)(n - ng), key.data ? key.data : "");
            tarn_buf_fini(&key);
            st = TARN_ERR_DATA;
        }
        tarn_free(gid);
        tarn_free(first);
        if (st != TARN_OK)
            return st;
    }
    return TARN_OK;
}

/* Source over one result batch. */
typedef struct one_src {
    tarn_batch *b;
    bool done;
} one_src;

static tarn_status one_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    (void)err;
    one_src *o = ctx;
    *out = o->done ? NULL : o->b;
    o->done = true;
    return TARN_OK;
}

/* Incremental merge: rows of the table whose unique key the result has are
 * replaced by the result's. */
typedef struct merge_ctx {
    tarn_join_table *keys;
    int *cols; /* table columns of the unique key */
    int nk;
} merge_ctx;

static tarn_status merge_eval(void *ctx, const tarn_batch *b, uint8_t *match, tarn_err *err)
{
    merge_ctx *m = ctx;
    tarn_vec *k[16];
    for (int i = 0; i < m->nk; i++)
        k[i] = b->cols[m->cols[i]];
    int64_t *li = NULL, *ri = NULL, cap = 0, np = 0;
    tarn_status st = tarn_join_table_probe(m->keys, k, b->n_rows, &li, &ri, &cap, &np, err);
    memset(match, 0, (size_t)b->n_rows);
    for (int64_t p = 0; st == TARN_OK && p < np; p++)
        match[li[p]] = 1;
    tarn_free(li);
    tarn_free(ri);
    return st;
}

static tarn_status merge_result(const char *table, const tarn_gold_model *m, tarn_sql_result *res,
                                const tarn_delta_snapshot *snap, int64_t *out_version,
                                tarn_err *err)
{
    merge_ctx mc = {.nk = m->n_unique_key};
    tarn_vec *rk[16];
    int cols[16];
    if (m->n_unique_key > 16)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s: unique_key has more than 16 columns",
                            m->path);
    for (int i = 0; i < m->n_unique_key; i++) {
        int rc = find_col(res->schema, m->unique_key[i]);
        int tc = find_col(snap->schema, m->unique_key[i]);
        if (rc < 0 || tc < 0)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s: unique_key column '%s' is not in the %s", m->path,
                                m->unique_key[i], rc < 0 ? "query's result" : "gold table");
        if (!tarn_type_equal(res->schema->fields[rc].type, snap->schema->fields[tc].type))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s: unique_key column '%s' changed type: rebuild with "
                                "--full-refresh",
                                m->path, m->unique_key[i]);
        rk[i] = res->batch->cols[rc];
        cols[i] = tc;
    }
    mc.cols = cols;
    tarn_status st = tarn_join_table_build(rk, m->n_unique_key, res->batch->n_rows, &mc.keys, err);
    if (st != TARN_OK)
        return st;
    tarn_delta_predicate pred = {
        .eval = merge_eval, .ctx = &mc, .text = "unique_key in model result"};
    one_src src = {res->batch, false};
    tarn_delta_merge_opts mo;
    memset(&mo, 0, sizeof mo);
    mo.insert_next = one_next;
    mo.insert_ctx = &src;
    tarn_delta_delete_result dr;
    st = tarn_delta_merge(table, &pred, &mo, &dr, err);
    tarn_join_table_destroy(mc.keys);
    if (st == TARN_OK)
        *out_version = dr.version;
    return st;
}

/* Null-safe equality of row i of a and row j of b (same flat type). */
static bool same_cell(const tarn_vec *a, int64_t i, const tarn_vec *b, int64_t j)
{
    bool va = tarn_vec_is_valid(a, i), vb = tarn_vec_is_valid(b, j);
    if (!va || !vb)
        return va == vb;
    tarn_scalar x, y;
    tarn_scalar_from_vec(a, i, &x);
    tarn_scalar_from_vec(b, j, &y);
    return tarn_scalar_compare(&x, &y) == 0;
}

/* SCD2: replaces *resp (the current state of the dimension) by the table's
 * whole new content: earlier history as it was, current rows whose values
 * changed or whose key is gone closed (valid_to = now, is_current false),
 * new versions and new keys added as current rows (valid_from = now), each
 * version with its own surrogate key when the model has one. `keep`: the
 * table exists and is not being rebuilt from scratch. */
static tarn_status scd2_result(const char *lake, const tarn_gold_model *m, bool keep,
                               tarn_sql_result **resp, tarn_err *err)
{
    tarn_sql_result *res = *resp, *old = NULL;
    const tarn_schema *rs = res->schema;
    int64_t now = tarn_now_us();
    tarn_status st = TARN_OK;
    for (int i = 0; i < rs->n_fields; i++)
        if (!strcasecmp(rs->fields[i].name, "valid_from") ||
            !strcasecmp(rs->fields[i].name, "valid_to") ||
            !strcasecmp(rs->fields[i].name, "is_current") ||
            (m->surrogate_key && !strcasecmp(rs->fields[i].name, m->surrogate_key)))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s: the query has a column named %s, which scd2 adds", m->path,
                                rs->fields[i].name);
    /* The table's layout: [surrogate key], the query's columns, the validity. */
    tarn_schema *schema = tarn_schema_create();
    if (!schema)
        return oom(err);
    bool ok = !m->surrogate_key ||
              tarn_schema_add(schema, m->surrogate_key, tarn_type_make(TARN_TYPE_INT64), false);
    for (int i = 0; ok && i < rs->n_fields; i++) {
        tarn_field *f = tarn_schema_add(schema, rs->fields[i].name, rs->fields[i].type, true);
        ok = f && tarn_field_copy(schema->arena, f, &rs->fields[i]) == TARN_OK;
    }
    ok = ok && tarn_schema_add(schema, "valid_from", tarn_type_make(TARN_TYPE_TIMESTAMP), false) &&
         tarn_schema_add(schema, "valid_to", tarn_type_make(TARN_TYPE_TIMESTAMP), true) &&
         tarn_schema_add(schema, "is_current", tarn_type_make(TARN_TYPE_BOOL), false);
    tarn_batch *out = ok ? tarn_batch_create(schema) : NULL;
    if (!out) {
        tarn_schema_destroy(schema);
        return oom(err);
    }
    int sk = m->surrogate_key ? 1 : 0, nq = rs->n_fields;
    int vf = sk + nq, vt = vf + 1, cur = vf + 2;
    if (keep) {
        char q[600];
        snprintf(q, sizeof q, "SELECT * FROM gold.\"%s\"", m->name);
        tarn_sql_opts so = {.lake = lake};
        st = tarn_sql_run(q, &so, &old, err);
        if (st == TARN_OK && (old->schema->n_fields != schema->n_fields))
            st = tarn_err_set(err, TARN_ERR_INVALID,
                              "%s: the dimension's columns changed: rebuild with --full-refresh",
                              m->path);
        for (int i = 0; st == TARN_OK && i < schema->n_fields; i++)
            if (strcasecmp(old->schema->fields[i].name, schema->fields[i].name) ||
                !tarn_type_equal(old->schema->fields[i].type, schema->fields[i].type))
                st = tarn_err_set(err, TARN_ERR_INVALID,
                                  "%s: the dimension's columns changed (%s): rebuild with "
                                  "--full-refresh",
                                  m->path, schema->fields[i].name);
    }
    int64_t n = res->batch->n_rows, next = 1;
    uint8_t *handled = tarn_calloc((size_t)n + 1, 1);
    int64_t *match = tarn_alloc(sizeof(int64_t) * (size_t)(old ? old->batch->n_rows + 1 : 1));
    if (st == TARN_OK && (!handled || !match))
        st = oom(err);
    /* The current row of each old key in the result. */
    if (st == TARN_OK && old) {
        const tarn_batch *ob = old->batch;
        tarn_vec *rk[16], *ok_[16];
        for (int i = 0; i < m->n_unique_key && i < 16; i++) {
            int c = find_col(rs, m->unique_key[i]);
            rk[i] = res->batch->cols[c];
            ok_[i] = ob->cols[sk + c];
        }
        int64_t *li = NULL, *ri = NULL, np = 0;
        st = tarn_rel_join(ok_, rk, m->n_unique_key, ob->n_rows, n, &li, &ri, &np, err);
        for (int64_t i = 0; i < ob->n_rows; i++)
            match[i] = -1;
        for (int64_t p = 0; st == TARN_OK && p < np; p++)
            if (tarn_vec_get_bool(ob->cols[cur], li[p]))
                match[li[p]] = ri[p];
        tarn_free(li);
        tarn_free(ri);
        for (int64_t i = 0; sk && i < ob->n_rows; i++)
            if (tarn_vec_get_i64(ob->cols[0], i) >= next)
                next = tarn_vec_get_i64(ob->cols[0], i) + 1;
        /* Old rows: history as it was; current rows kept, or closed. */
        for (int64_t i = 0; st == TARN_OK && i < ob->n_rows; i++) {
            bool is_cur = tarn_vec_get_bool(ob->cols[cur], i), changed = is_cur;
            int64_t r = match[i];
            if (is_cur && r >= 0) {
                changed = false;
                for (int c = 0; c < nq && !changed; c++)
                    changed = !same_cell(ob->cols[sk + c], i, res->batch->cols[c], r);
                handled[r] = !changed;
            }
            for (int c = 0; c < vt && st == TARN_OK; c++)
                if (tarn_vec_append_range(out->cols[c], ob->cols[c], i, 1) != TARN_OK)
                    st = oom(err);
            if (st == TARN_OK &&
                ((changed ? tarn_vec_append_i64(out->cols[vt], now)
                          : tarn_vec_append_range(out->cols[vt], ob->cols[vt], i, 1)) != TARN_OK ||
                 tarn_vec_append_bool(out->cols[cur], is_cur && !changed) != TARN_OK))
                st = oom(err);
        }
    }
    /* New versions and new keys, in unique_key order. */
    tarn_sort_key keys[16];
    for (int i = 0; i < m->n_unique_key && i < 16; i++)
        keys[i] = (tarn_sort_key){res->batch->cols[find_col(rs, m->unique_key[i])], false, false};
    int64_t *perm = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    if (st == TARN_OK && !perm)
        st = oom(err);
    if (st == TARN_OK)
        st = tarn_rel_sort(keys, m->n_unique_key, n, -1, perm, err);
    for (int64_t k = 0; st == TARN_OK && k < n; k++) {
        int64_t r = perm[k];
        if (handled[r])
            continue;
        if (sk && tarn_vec_append_i64(out->cols[0], next++) != TARN_OK)
            st = oom(err);
        for (int c = 0; c < nq && st == TARN_OK; c++)
            if (tarn_vec_append_range(out->cols[sk + c], res->batch->cols[c], r, 1) != TARN_OK)
                st = oom(err);
        if (st == TARN_OK && (tarn_vec_append_i64(out->cols[vf], now) != TARN_OK ||
                              tarn_vec_append_null(out->cols[vt]) != TARN_OK ||
                              tarn_vec_append_bool(out->cols[cur], true) != TARN_OK))
            st = oom(err);
    }
    tarn_free(perm);
    tarn_free(handled);
    tarn_free(match);
    tarn_sql_result_destroy(old);
    if (st == TARN_OK)
        st = tarn_batch_finish(out, err);
    if (st != TARN_OK) {
        tarn_batch_destroy(out);
        tarn_schema_destroy(schema);
        return st;
    }
    tarn_batch_destroy(res->batch);
    tarn_schema_destroy(res->schema);
    res->batch = out;
    res->schema = schema;
    return TARN_OK;
}

/* Adds m->surrogate_key as the result's first column: the key the table
 * already gave a unique_key value (when `keep`), else the next numbers after
 * the largest, handed out in unique_key order. */
static tarn_status add_surrogate_key(const char *lake, const tarn_gold_model *m, bool keep,
                                     tarn_sql_result **resp, tarn_err *err)
{
    tarn_sql_result *res = *resp;
    int64_t n = res->batch->n_rows;
    if (m->n_unique_key > 16)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s: unique_key has more than 16 columns",
                            m->path);
    if (find_col(res->schema, m->surrogate_key) >= 0)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "%s: the query already has a column named %s (the surrogate_key)",
                            m->path, m->surrogate_key);
    tarn_vec *rk[16];
    tarn_sort_key sk[16];
    for (int i = 0; i < m->n_unique_key; i++) {
        int c = find_col(res->schema, m->unique_key[i]);
        if (c < 0)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "%s: unique_key column '%s' is not in the query's result", m->path,
                                m->unique_key[i]);
        rk[i] = res->batch->cols[c];
        sk[i] = (tarn_sort_key){rk[i], false, false};
    }
    int64_t *keys = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    int64_t *perm = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    tarn_status st = keys && perm ? TARN_OK : oom(err);
    for (int64_t i = 0; keys && i < n; i++)
        keys[i] = -1;
    int64_t next = 1;
    /* Keys already handed out: SELECT unique_key..., surrogate_key FROM the table. */
    tarn_sql_result *old = NULL;
    if (st == TARN_OK && keep) {
        tarn_buf q;
        tarn_buf_init(&q);
        st = tarn_buf_append_str(&q, "SELECT ");
        for (int i = 0; i < m->n_unique_key && st == TARN_OK; i++)
            st = tarn_buf_printf(&q, "\"%s\", ", m->unique_key[i]);
        if (st == TARN_OK)
            st = tarn_buf_printf(&q, "\"%s\" FROM gold.\"%s\"", m->surrogate_key, m->name);
        tarn_sql_opts so = {.lake = lake};
        if (st == TARN_OK)
            st = tarn_sql_run(q.data, &so, &old, err);
        tarn_buf_fini(&q);
        if (st != TARN_OK)
            tarn_err_prefix(err, "%s: reading the surrogate keys of gold.%s", m->path, m->name);
    }
    if (st == TARN_OK && old) {
        tarn_vec *ok[16];
        bool same = true;
        for (int i = 0; i < m->n_unique_key; i++) {
            ok[i] = old->batch->cols[i];
            same &= tarn_type_equal(ok[i]->type, rk[i]->type);
        }
        const tarn_vec *osk = old->batch->cols[m->n_unique_key];
        for (int64_t i = 0; i < old->batch->n_rows; i++)
            if (tarn_vec_is_valid(osk, i) && tarn_vec_get_i64(osk, i) >= next)
                next = tarn_vec_get_i64(osk, i) + 1;
        int64_t *li = NULL, *ri = NULL, np = 0;
        if (same)
            st = tarn_rel_join(rk, ok, m->n_unique_key, n, old->batch->n_rows, &li, &ri, &np, err);
        for (int64_t p = 0; st == TARN_OK && p < np; p++)
            keys[li[p]] = tarn_vec_get_i64(osk, ri[p]);
        tarn_free(li);
        tarn_free(ri);
    }
    if (st == TARN_OK)
        st = tarn_rel_sort(sk, m->n_unique_key, n, -1, perm, err);
    for (int64_t k = 0; st == TARN_OK && k < n; k++)
        if (keys[perm[k]] < 0)
            keys[perm[k]] = next++;
    /* The new result: the key column, then the query's columns. */
    tarn_schema *schema = st == TARN_OK ? tarn_schema_create() : NULL;
    tarn_batch *b = NULL;
    if (st == TARN_OK && (!schema || !tarn_schema_add(schema, m->surrogate_key,
                                                      tarn_type_make(TARN_TYPE_INT64), false)))
        st = oom(err);
    for (int i = 0; st == TARN_OK && i < res->schema->n_fields; i++) {
        tarn_field *f =
            tarn_schema_add(schema, res->schema->fields[i].name, res->schema->fields[i].type, true);
        if (!f || tarn_field_copy(schema->arena, f, &res->schema->fields[i]) != TARN_OK)
            st = oom(err);
    }
    if (st == TARN_OK && !(b = tarn_batch_create(schema)))
        st = oom(err);
    for (int64_t i = 0; st == TARN_OK && i < n; i++)
        if (tarn_vec_append_i64(b->cols[0], keys[i]) != TARN_OK)
            st = oom(err);
    if (st == TARN_OK) {
        /* The query's vectors move to the new batch; the old batch gets empty ones. */
        for (int i = 0; i < res->schema->n_fields; i++) {
            tarn_vec *v = b->cols[i + 1];
            b->cols[i + 1] = res->batch->cols[i];
            res->batch->cols[i] = v;
        }
        b->n_rows = n;
        tarn_batch_destroy(res->batch);
        tarn_schema_destroy(res->schema);
        res->batch = b;
        res->schema = schema;
        b = NULL;
        schema = NULL;
    }
    tarn_batch_destroy(b);
    tarn_schema_destroy(schema);
    tarn_sql_result_destroy(old);
    tarn_free(keys);
    tarn_free(perm);
    return st;
}

/* The current Delta version of every table m reads, into in[0..n_deps). */
static tarn_status read_inputs(const char *lake, const tarn_gold_model *m, tarn_cat_gold_input *in,
                               tarn_err *err)
{
    for (int i = 0; i < m->n_deps; i++) {
        const char *dot = strchr(m->deps[i], '.');
        char path[4096];
        snprintf(path, sizeof path, "%s/%.*s/%s", lake, (int)(dot - m->deps[i]), m->deps[i],
                 dot + 1);
        tarn_delta_snapshot *s = NULL;
        TARN_TRY(tarn_delta_snapshot_load_existing(path, &s, err));
        if (!s)
            return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                                "model %s reads %s, which does not exist yet (%s)", m->name,
                                m->deps[i], path);
        in[i] = (tarn_cat_gold_input){m->deps[i], s->version};
        tarn_delta_snapshot_destroy(s);
    }
    return TARN_OK;
}

/* Whether m needs a build, given the inputs' versions now, its table (snap,
 * or NULL) and the record of its last build (prev, or NULL); why gets the
 * reason: "new: ...", "full refresh: ...", "rebuilt: silver.orders v3 -> v4"
 * or "up to date (...)". */
static bool needs_build(const tarn_gold_model *m, const tarn_cat_gold_input *in,
                        const tarn_delta_snapshot *snap, const tarn_cat_gold_build *prev,
                        bool full_refresh, char *why, size_t cap)
{
    char reads[256] = "";
    for (int i = 0; i < m->n_deps; i++)
        say(reads, sizeof reads, "%s%s v%lld", i ? ", " : "", in[i].table,
            (long long)in[i].version);
    why[0] = 0;
    if (!snap || full_refresh || !prev) {
        say(why, cap, "%s%s%s",
            !snap          ? "new"
            : full_refresh ? "full refresh"
                           : "rebuilt: no earlier build recorded",
            reads[0] ? ": " : "", reads);
        return true;
    }
    if (prev->file_hash != m->file_hash)
        say(why, cap, "model changed");
    if (snap->version != prev->gold_version)
        say(why, cap, "%sgold.%s changed outside tarn run (v%lld, built v%lld)", why[0] ? ", " : "",
            m->name, (long long)snap->version, (long long)prev->gold_version);
    for (int i = 0; i < m->n_deps; i++) {
        const tarn_cat_gold_input *was = NULL;
        for (int k = 0; k < prev->n_inputs && !was; k++)
            if (!strcasecmp(prev->inputs[k].table, in[i].table))
                was = &prev->inputs[k];
        if (!was)
            say(why, cap, "%s%s v%lld (newly read)", why[0] ? ", " : "", in[i].table,
                (long long)in[i].version);
        else if (was->version != in[i].version)
            say(why, cap, "%s%s v%lld -> v%lld", why[0] ? ", " : "", in[i].table,
                (long long)was->version, (long long)in[i].version);
    }
    if (why[0]) {
        char changes[512];
        snprintf(changes, sizeof changes, "%s", why);
        why[0] = 0;
        say(why, cap, "rebuilt: %s", changes);
        return true;
    }
    say(why, cap, "up to date%s%s%s", reads[0] ? " (" : "", reads, reads[0] ? ")" : "");
    return false;
}

/* The record of m's last build (*prev NULL when none, or when the catalog
 * cannot be read: then r->warning says so and the model is rebuilt). */
static void load_prev(const char *lake, const tarn_gold_model *m, tarn_arena *a,
                      tarn_cat_gold_build *rec, const tarn_cat_gold_build **prev,
                      tarn_gold_result *r)
{
    tarn_catalog *cat = NULL;
    tarn_err e;
    tarn_err_clear(&e);
    bool found = false;
    *prev = NULL;
    if (tarn_catalog_open(lake, &cat, &e) != TARN_OK ||
        tarn_cat_gold_build_load(cat, m->name, a, rec, &found, &e) != TARN_OK)
        say(r->warning, sizeof r->warning, "cannot read the last build of %s: %s", m->name, e.msg);
    else if (found)
        *prev = rec;
    tarn_catalog_close(cat);
}

/* Records the build just committed (a failure is a warning: the next run
 * rebuilds). */
static void save_build(const char *lake, const tarn_gold_model *m, const tarn_cat_gold_input *in,
                       tarn_gold_result *r)
{
    tarn_cat_gold_build rec = {.model = m->name,
                               .file_hash = m->file_hash,
                               .gold_version = r->version,
                               .built_at_us = tarn_now_us(),
                               .inputs = in,
                               .n_inputs = m->n_deps};
    tarn_catalog *cat = NULL;
    tarn_err e;
    tarn_err_clear(&e);
    if (tarn_catalog_open(lake, &cat, &e) != TARN_OK ||
        tarn_cat_gold_build_save(cat, &rec, &e) != TARN_OK)
        say(r->warning, sizeof r->warning,
            "built, but could not record the build (the next run rebuilds it): %s", e.msg);
    tarn_catalog_close(cat);
}

/* Runs m's query and returns its result (*out, caller destroys); positions
 * of errors in the query become positions in the model file. */
static tarn_status run_query(const char *lake, const tarn_gold_model *m, tarn_sql_result **out,
                             tarn_err *err)
{
    tarn_sql_opts so = {.lake = lake};
    tarn_status st = tarn_sql_run(m->sql, &so, out, err);
    if (st == TARN_OK)
        return TARN_OK;
    if (err->line > 0) {
        char msg[TARN_ERR_MSG_MAX];
        const char *p = strstr(err->msg, ": ");
        snprintf(msg, sizeof msg, "%s", p ? p + 2 : err->msg);
        tarn_err_set(err, st, "%s:%lld:%lld: %s", m->path, (long long)(err->line + m->sql_line - 1),
                     (long long)err->col, msg);
    } else {
        tarn_err_prefix(err, "model %s", m->name);
    }
    return st;
}

/* Writes res as the table's new content (table models, first builds, full
 * refreshes) or merges it by unique_key (incremental), in one commit. */
static tarn_status commit_result(const char *table, const tarn_gold_model *m, tarn_sql_result *res,
                                 const tarn_delta_snapshot *snap, bool full_refresh,
                                 tarn_gold_result *r, tarn_err *err)
{
    if (!snap || full_refresh || !m->incremental) {
        tarn_delta_write_opts wo;
        tarn_delta_write_opts_init(&wo);
        wo.mode = TARN_DELTA_OVERWRITE;
        wo.description = m->description;
        tarn_delta_kv owner = {"tarn.owner", m->owner};
        if (m->owner) { /* a table property, so engines reading the table see it */
            wo.config = &owner;
            wo.n_config = 1;
        }
        one_src src = {res->batch, false};
        tarn_delta_write_result wr;
        TARN_TRY(tarn_delta_write(table, res->schema, one_next, &src, &wo, &wr, err));
        r->version = wr.version;
        return TARN_OK;
    }
    return merge_result(table, m, res, snap, &r->version, err);
}

tarn_status tarn_gold_build(const char *lake, const tarn_gold_model *m, bool full_refresh,
                            tarn_gold_result *r, tarn_err *err)
{
    memset(r, 0, sizeof *r);
    r->version = -1;
    tarn_arena *a = tarn_arena_create(4096);
    tarn_cat_gold_input *in = a ? tarn_arena_calloc(a, (size_t)m->n_deps + 1, sizeof *in) : NULL;
    if (!in) {
        tarn_arena_destroy(a);
        return oom(err);
    }
    tarn_delta_snapshot *snap = NULL;
    tarn_sql_result *res = NULL;
    char table[4096];
    snprintf(table, sizeof table, "%s/gold/%s", lake, m->name);
    tarn_status st = read_inputs(lake, m, in, err);
    if (st == TARN_OK)
        st = tarn_delta_snapshot_load_existing(table, &snap, err);
    if (st != TARN_OK)
        goto done;
    tarn_cat_gold_build rec;
    const tarn_cat_gold_build *prev = NULL;
    if (snap && !full_refresh)
        load_prev(lake, m, a, &rec, &prev, r);
    if (!needs_build(m, in, snap, prev, full_refresh, r->reason, sizeof r->reason)) {
        r->version = snap->version;
        goto done;
    }
    /* The query, its tests, then one commit. */
    st = run_query(lake, m, &res, err);
    if (st != TARN_OK)
        goto done;
    r->rows = res->batch->n_rows;
    if (m->surrogate_key && !m->scd2)
        st = add_surrogate_key(lake, m, snap && !full_refresh, &res, err);
    if (st == TARN_OK)
        st = run_tests(m, res, r->failed_test, sizeof r->failed_test, err);
    if (st == TARN_OK && m->scd2) /* tests judged the current state; now the history */
        st = scd2_result(lake, m, snap && !full_refresh, &res, err);
    if (st == TARN_ERR_DATA)
        tarn_err_set(err, TARN_ERR_DATA, "model %s: test failed: %s (nothing committed)", m->name,
                     r->failed_test);
    if (st == TARN_OK)
        st = commit_result(table, m, res, snap, full_refresh, r, err);
    if (st == TARN_OK) {
        r->rebuilt = true;
        save_build(lake, m, in, r);
    }
done:
    tarn_sql_result_destroy(res);
    tarn_delta_snapshot_destroy(snap);
    tarn_arena_destroy(a);
    return st;
}
