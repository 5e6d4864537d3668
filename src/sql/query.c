/*
 * sql/query.c - binds and runs one SQL statement (see query.h).
 *
 * The statement is run straight from its syntax tree, one clause at a time,
 * each producing a relation materialised column by column (a `rel`): FROM
 * (scans, joins), WHERE, GROUP BY with aggregates, HAVING, the SELECT list,
 * DISTINCT, ORDER BY, LIMIT/OFFSET; set operations and CTEs around that.
 * Expressions are bound into exec/expr.h trees against the relation they
 * read, so the typing rules (numeric tower INT64 < DECIMAL < DOUBLE, string
 * literals taking the type they are compared with) live here and the
 * evaluator only runs typed loops.
 */
#include "sql/query.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/fs.h"
#include "base/pool.h"
#include "base/suggest.h"
#include "column/value.h"
#include "exec/expr.h"
#include "exec/func.h"
#include "exec/hashagg.h"
#include "exec/rel.h"
#include "exec/source.h"
#include "sql/parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A relation: named columns of n_rows values. */
typedef struct rcol {
    const char *qual; /* table or alias the column comes from, or NULL */
    const char *name;
    bool hidden; /* USING duplicate: not in *, not found unqualified */
} rcol;

typedef struct rel {
    int n;
    int cap;
    tarn_vec **cols;
    rcol *meta;
    int64_t n_rows;
    const char **all; /* every column of the tables read, for "did you mean" (arena) */
    int n_all;
} rel;

typedef struct cte_def {
    const char *name;
    const tarn_sql_query *query;
    rel *cached; /* materialised on first use */
    int depth;   /* scope depth it was defined at */
} cte_def;

/* Names the query mentions: a scan reads only columns among them. */
typedef struct names {
    const char **v;
    int n, cap;
    bool star; /* an unqualified * (or q.* of this source) */
} names;

typedef struct qctx {
    const char *sql;
    const tarn_sql_opts *opts;
    tarn_arena *a;
    tarn_err *err;
    cte_def *ctes;
    int n_ctes, cap_ctes;
    tarn_scalar *slots; /* scalar subquery results */
    int n_slots, cap_slots;
    tarn_vec **sets; /* IN (subquery) value sets */
    int n_sets, cap_sets;
    tarn_xenv env;
    tarn_buf plan; /* EXPLAIN lines */
    int depth;     /* plan indentation */
    int64_t files_scanned, files_skipped, rows_scanned;
    int64_t bytes_read, bytes_total; /* Delta data files read / of the tables scanned */
    names want;                      /* column names the statement mentions */
} qctx;

static tarn_status oom(qctx *c)
{
    return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory");
}

static tarn_status qerr(qctx *c, int offset, tarn_status code, const char *fmt, ...)
    TARN_PRINTF(4, 5);
static tarn_status qerr(qctx *c, int offset, tarn_status code, const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tarn_sql_error(c->err, code, c->sql, offset, "%s", msg);
}

/* Prefixes an error from a lower layer with the query position. */
static tarn_status at(qctx *c, int offset, tarn_status st)
{
    if (st == TARN_OK || st == TARN_ERR_NOMEM || c->err->line)
        return st;
    char msg[TARN_ERR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", c->err->msg);
    return tarn_sql_error(c->err, st, c->sql, offset, "%s", msg);
}

static void plan_line(qctx *c, const char *fmt, ...) TARN_PRINTF(2, 3);
static void plan_line(qctx *c, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* The plan is best effort: out of memory only shortens it. */
    if (tarn_buf_printf(&c->plan, "%*s%s\n", 2 * c->depth, "", line) != TARN_OK)
        return;
}

/* Relations -------------------------------------------------------------------- */

static rel *rel_new(void)
{
    return tarn_calloc(1, sizeof(rel));
}

static void rel_free(rel *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        tarn_vec_destroy(r->cols[i]);
    tarn_free(r->cols);
    tarn_free(r->meta);
    tarn_free(r);
}

/* Adds column v (owned from now on). */
static tarn_status rel_add(qctx *c, rel *r, tarn_vec *v, const char *qual, const char *name)
{
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 8;
        tarn_vec **cols = tarn_realloc(r->cols, sizeof *cols * (size_t)cap);
        if (cols)
            r->cols = cols;
        rcol *meta = cols ? tarn_realloc(r->meta, sizeof *meta * (size_t)cap) : NULL;
        if (!cols || !meta) {
            tarn_vec_destroy(v);
            return oom(c);
        }
        r->meta = meta;
        r->cap = cap;
    }
    r->cols[r->n] = v;
    r->meta[r->n] = (rcol){qual, name, false};
    r->n++;
    return TARN_OK;
}

static tarn_batch rel_batch(const rel *r)
{
    tarn_batch b = {NULL, r->n, r->cols, r->n_rows};
    return b;
}

/* New relation with the rows idx[0..n) of r (-1: a NULL row). */
static tarn_status rel_take(qctx *c, const rel *r, const int64_t *idx, int64_t n, rel **out)
{
    rel *o = rel_new();
    if (!o)
        return oom(c);
    for (int i = 0; i < r->n; i++) {
        tarn_vec *v = tarn_vec_create_type(r->cols[i]->type);
        if (!v || tarn_vec_reserve(v, n ? n : 1) != TARN_OK) {
            tarn_vec_destroy(v);
            rel_free(o);
            return oom(c);
        }
        tarn_status st = tarn_rel_take(v, r->cols[i], idx, n, c->err);
        if (st == TARN_OK)
            st = rel_add(c, o, v, r->meta[i].qual, r->meta[i].name);
        else
            tarn_vec_destroy(v);
        if (st != TARN_OK) {
            rel_free(o);
            return st;
        }
        o->meta[i].hidden = r->meta[i].hidden;
    }
    o->n_rows = n;
    o->all = r->all;
    o->n_all = r->n_all;
    *out = o;
    return TARN_OK;
}

/* Scans ------------------------------------------------------------------------ */

static bool is_ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_';
}

/* Appends a column name in the predicate language (quoted when needed). */
static bool pred_name(tarn_buf *b, const char *name)
{
    bool plain = *name && !isdigit((unsigned char)*name);
    for (const char *p = name; *p; p++)
        plain &= is_ident_char(*p);
    if (plain)
        return tarn_buf_append(b, name, strlen(name)) == TARN_OK;
    if (strchr(name, '"'))
        return false;
    return tarn_buf_printf(b, "\"%s\"", name) == TARN_OK;
}

static bool pred_lit(tarn_buf *b, const tarn_sql_expr *e)
{
    if (e->kind == TARN_SQL_E_UNARY && !strcmp(e->name, "-") &&
        e->args[0]->kind == TARN_SQL_E_LITERAL &&
        (e->args[0]->lit == TARN_SQL_LIT_INT || e->args[0]->lit == TARN_SQL_LIT_NUMBER))
        return tarn_buf_printf(b, "-%s", e->args[0]->text) == TARN_OK;
    if (e->kind != TARN_SQL_E_LITERAL)
        return false;
    switch (e->lit) {
    case TARN_SQL_LIT_INT:
    case TARN_SQL_LIT_NUMBER:
        return tarn_buf_append(b, e->text, strlen(e->text)) == TARN_OK;
    case TARN_SQL_LIT_STRING:
    case TARN_SQL_LIT_DATE:
    case TARN_SQL_LIT_TIMESTAMP: {
        if (tarn_buf_append(b, "'", 1) != TARN_OK)
            return false;
        for (const char *p = e->text; *p; p++)
            if (tarn_buf_append(b, *p == '\'' ? "''" : p, *p == '\'' ? 2 : 1) != TARN_OK)
                return false;
        return tarn_buf_append(b, "'", 1) == TARN_OK;
    }
    case TARN_SQL_LIT_TRUE:
        return tarn_buf_append(b, "TRUE", 4) == TARN_OK;
    case TARN_SQL_LIT_FALSE:
        return tarn_buf_append(b, "FALSE", 5) == TARN_OK;
    default:
        return false;
    }
}

/* Writes the parts of a WHERE clause the scan's predicate language can
 * express (exec/predicate.h), for file and row-group skipping: false when e
 * cannot be written. Qualifiers are dropped: the query reads one table. */
static bool pred_text(tarn_buf *b, const tarn_sql_expr *e)
{
    switch (e->kind) {
    case TARN_SQL_E_BINARY: {
        const char *op = e->name;
        if (!strcmp(op, "AND") || !strcmp(op, "OR"))
            return tarn_buf_append(b, "(", 1) == TARN_OK && pred_text(b, e->args[0]) &&
                   tarn_buf_printf(b, ") %s (", op) == TARN_OK && pred_text(b, e->args[1]) &&
                   tarn_buf_append(b, ")", 1) == TARN_OK;
        if (strcmp(op, "=") && strcmp(op, "<>") && strcmp(op, "!=") && strcmp(op, "<") &&
            strcmp(op, "<=") && strcmp(op, ">") && strcmp(op, ">="))
            return false;
        const tarn_sql_expr *l = e->args[0], *r = e->args[1];
        if (l->kind == TARN_SQL_E_COLUMN)
            return pred_name(b, l->name) && tarn_buf_printf(b, " %s ", op) == TARN_OK &&
                   pred_lit(b, r);
        if (r->kind == TARN_SQL_E_COLUMN)
            return pred_lit(b, l) && tarn_buf_printf(b, " %s ", op) == TARN_OK &&
                   pred_name(b, r->name);
        return false;
    }
    case TARN_SQL_E_UNARY:
        return !strcmp(e->name, "NOT") && tarn_buf_append(b, "NOT (", 5) == TARN_OK &&
               pred_text(b, e->args[0]) && tarn_buf_append(b, ")", 1) == TARN_OK;
    case TARN_SQL_E_IS_NULL:
        return e->args[0]->kind == TARN_SQL_E_COLUMN && pred_name(b, e->args[0]->name) &&
               tarn_buf_printf(b, " IS %sNULL", e->negated ? "NOT " : "") == TARN_OK;
    case TARN_SQL_E_BETWEEN:
        return e->args[0]->kind == TARN_SQL_E_COLUMN && pred_name(b, e->args[0]->name) &&
               tarn_buf_printf(b, " %sBETWEEN ", e->negated ? "NOT " : "") == TARN_OK &&
               pred_lit(b, e->args[1]) && tarn_buf_append(b, " AND ", 5) == TARN_OK &&
               pred_lit(b, e->args[2]);
    case TARN_SQL_E_IN_LIST:
        if (e->args[0]->kind != TARN_SQL_E_COLUMN || !pred_name(b, e->args[0]->name) ||
            tarn_buf_printf(b, " %sIN (", e->negated ? "NOT " : "") != TARN_OK)
            return false;
        for (int i = 1; i < e->n_args; i++)
            if ((i > 1 && tarn_buf_append(b, ", ", 2) != TARN_OK) || !pred_lit(b, e->args[i]))
                return false;
        return tarn_buf_append(b, ")", 1) == TARN_OK;
    default:
        return false;
    }
}

/* Collects the conjuncts of e that pred_text can write, joined by AND. */
static void pushdown_text(tarn_buf *out, const tarn_sql_expr *e)
{
    if (!e)
        return;
    if (e->kind == TARN_SQL_E_BINARY && !strcmp(e->name, "AND")) {
        pushdown_text(out, e->args[0]);
        pushdown_text(out, e->args[1]);
        return;
    }
    tarn_buf one;
    tarn_buf_init(&one);
    /* Skipping is an optimisation: on out of memory the scan reads more. */
    if (pred_text(&one, e) &&
        tarn_buf_printf(out, "%s(%s)", out->len ? " AND " : "", one.data) != TARN_OK)
        tarn_buf_reset(out);
    tarn_buf_fini(&one);
}

static void names_add(names *ns, const char *name)
{
    for (int i = 0; i < ns->n; i++)
        if (!strcasecmp(ns->v[i], name))
            return;
    if (ns->n == ns->cap) {
        int cap = ns->cap ? ns->cap * 2 : 16;
        const char **v = tarn_realloc(ns->v, sizeof *v * (size_t)cap);
        if (!v) {
            ns->star = true; /* read everything rather than fail */
            return;
        }
        ns->v = v;
        ns->cap = cap;
    }
    ns->v[ns->n++] = name;
}

static void collect_query(names *ns, const tarn_sql_query *q);

static void collect_expr(names *ns, const tarn_sql_expr *e)
{
    if (!e)
        return;
    if (e->kind == TARN_SQL_E_COLUMN)
        names_add(ns, e->name);
    if (e->kind == TARN_SQL_E_STAR)
        ns->star = true;
    for (int i = 0; i < e->n_args; i++)
        collect_expr(ns, e->args[i]);
    for (int i = 0; i < e->n_whens; i++) {
        collect_expr(ns, e->whens[i]);
        collect_expr(ns, e->thens[i]);
    }
    collect_expr(ns, e->else_expr);
    if (e->query)
        collect_query(ns, e->query);
    if (e->over) {
        for (int i = 0; i < e->over->n_partition; i++)
            collect_expr(ns, e->over->partition[i]);
        for (int i = 0; i < e->over->n_order; i++)
            collect_expr(ns, e->over->order[i].expr);
    }
}

static void collect_from(names *ns, const tarn_sql_from *f)
{
    if (!f)
        return;
    collect_expr(ns, f->on);
    for (int i = 0; i < f->n_using; i++)
        names_add(ns, f->using[i]);
    collect_from(ns, f->left);
    collect_from(ns, f->right);
    if (f->query)
        collect_query(ns, f->query);
}

static void collect_set(names *ns, const tarn_sql_set *s)
{
    if (!s)
        return;
    if (s->select) {
        const tarn_sql_select *sel = s->select;
        for (int i = 0; i < sel->n_items; i++)
            collect_expr(ns, sel->items[i].expr);
        for (int i = 0; i < sel->n_from; i++)
            collect_from(ns, sel->from[i]);
        collect_expr(ns, sel->where);
        for (int i = 0; i < sel->n_group_by; i++)
            collect_expr(ns, sel->group_by[i]);
        collect_expr(ns, sel->having);
    }
    if (s->nested)
        collect_query(ns, s->nested);
    collect_set(ns, s->left);
    collect_set(ns, s->right);
}

static void collect_query(names *ns, const tarn_sql_query *q)
{
    for (int i = 0; i < q->n_ctes; i++)
        collect_query(ns, q->ctes[i].query);
    collect_set(ns, q->body);
    for (int i = 0; i < q->n_order; i++)
        collect_expr(ns, q->order[i].expr);
}

/* A planned scan: which columns and rows to read, split into parts that
 * pool threads read in parallel. */
typedef struct scan_plan {
    tarn_source_opts so;
    int n_parts;
    const char **proj;  /* projected column names (arena), table order */
    tarn_type *types;   /* their engine types (arena) */
    tarn_field *fields; /* their fields (nested columns keep their shape) */
    int n_proj;
    const char **full_names; /* every column of the table (arena) */
    int n_full;
    const char *label, *qual;
    bool is_delta;
    tarn_buf where_text, cols;
    tarn_source *probe; /* the first open: its snapshot is shared by the parts */
} scan_plan;

static void scan_plan_fini(scan_plan *p)
{
    tarn_source_close(p->probe);
    p->probe = NULL;
    tarn_buf_fini(&p->where_text);
    tarn_buf_fini(&p->cols);
}

static tarn_status scan_fail(qctx *c, const char *label, int offset, tarn_status st)
{
    if (st == TARN_ERR_NOT_FOUND || st == TARN_ERR_IO)
        return qerr(c, offset, TARN_ERR_NOT_FOUND, "%s: %s", label, c->err->msg);
    return at(c, offset, st);
}

/* Opens the input once to learn its schema and decide the projection:
 * the columns in `want` (all when want->star); rows matching the pushable
 * part of `where`. */
static tarn_status scan_prepare(qctx *c, const char *path, const char *label, const char *qual,
                                const tarn_delta_at *when, const names *want,
                                const tarn_sql_expr *where, int offset, scan_plan *p)
{
    memset(p, 0, sizeof *p);
    p->so.path = path;
    if (when)
        p->so.at = *when;
    p->label = label;
    p->qual = qual;
    tarn_buf_init(&p->where_text);
    tarn_buf_init(&p->cols);
    pushdown_text(&p->where_text, where);
    if (p->where_text.len)
        p->so.where = p->where_text.data;
    tarn_source *src = NULL;
    tarn_status st = tarn_source_open(&p->so, &src, c->err);
    if (st == TARN_ERR_INVALID && p->so.where) { /* pushdown text the table reads differently */
        p->so.where = NULL;
        st = tarn_source_open(&p->so, &src, c->err);
    }
    if (st != TARN_OK) {
        scan_plan_fini(p);
        return scan_fail(c, label, offset, st);
    }
    const tarn_schema *full = tarn_source_schema(src);
    int nf = full->n_fields;
    p->full_names = tarn_arena_alloc(c->a, sizeof(char *) * (size_t)(nf + 1));
    p->proj = tarn_arena_alloc(c->a, sizeof(char *) * (size_t)(nf + 1));
    p->types = tarn_arena_alloc(c->a, sizeof(tarn_type) * (size_t)(nf + 1));
    p->fields = tarn_arena_calloc(c->a, (size_t)nf + 1, sizeof(tarn_field));
    if (!p->full_names || !p->proj || !p->types || !p->fields)
        st = oom(c);
    for (int i = 0; i < nf && st == TARN_OK; i++) {
        p->full_names[i] = tarn_arena_strdup(c->a, full->fields[i].name);
        bool used = want->star;
        for (int k = 0; k < want->n && !used; k++)
            used = !strcasecmp(full->fields[i].name, want->v[k]);
        if (!used)
            continue;
        if (tarn_field_copy(c->a, &p->fields[p->n_proj], &full->fields[i]) != TARN_OK ||
            tarn_buf_printf(&p->cols, "%s%s", p->cols.len ? "," : "", full->fields[i].name) !=
                TARN_OK) {
            st = oom(c);
            break;
        }
        p->types[p->n_proj] = tarn_x_engine_type(full->fields[i].type);
        p->proj[p->n_proj++] = p->full_names[i];
    }
    if (st == TARN_OK && p->n_proj == 0 && nf > 0) {
        if (tarn_field_copy(c->a, &p->fields[0], &full->fields[0]) != TARN_OK ||
            tarn_buf_append_str(&p->cols, full->fields[0].name) != TARN_OK)
            st = oom(c);
        p->types[0] = tarn_x_engine_type(full->fields[0].type);
        p->proj[p->n_proj++] = p->full_names[0];
    }
    p->n_full = nf;
    p->so.columns = want->star ? NULL : p->cols.data;
    const tarn_delta_snapshot *snap = tarn_source_snapshot(src);
    p->is_delta = snap != NULL;
    /* Parts share the files' row groups: a few per core balance the load;
     * a table of one small file is read whole. */
    p->n_parts = 2 * tarn_pool_size(tarn_pool_default());
    if (snap && (snap->n_files == 0 || (snap->n_files == 1 && snap->files[0].size < (8 << 20))))
        p->n_parts = 1;
    p->probe = src; /* kept open: the parts read its snapshot, loaded once */
    p->so.snapshot = snap;
    if (st != TARN_OK)
        scan_plan_fini(p);
    return st;
}

/* Called for every batch of a scan on a pool thread: b has the plan's
 * projected columns in engine types. */
typedef tarn_status (*scan_fn)(void *ctx, int part, const tarn_batch *b, tarn_err *err);

typedef struct scan_part {
    const scan_plan *plan;
    int part;
    scan_fn fn;
    void *ctx;
    int64_t rows, skipped, scanned, bytes_read, bytes_total, rg_skipped;
    tarn_status st;
    tarn_err err;
} scan_part;

static void scan_part_run(void *ctx, int64_t k)
{
    scan_part *p = &((scan_part *)ctx)[k];
    const scan_plan *plan = p->plan;
    tarn_source_opts so = plan->so;
    so.part = (int)k;
    so.n_parts = plan->n_parts;
    tarn_source *src = NULL;
    p->st = tarn_source_open(&so, &src, &p->err);
    if (p->st != TARN_OK)
        return;
    int n = plan->n_proj;
    tarn_vec **wide = tarn_calloc((size_t)n + 1, sizeof *wide);
    tarn_vec **view = tarn_calloc((size_t)n + 1, sizeof *view);
    if (!wide || !view)
        p->st = tarn_err_set(&p->err, TARN_ERR_NOMEM, "out of memory");
    tarn_batch *b;
    while (p->st == TARN_OK && (p->st = tarn_source_next(src, &b, &p->err)) == TARN_OK && b) {
        /* Columns already in engine types are passed through; others widened. */
        for (int i = 0; i < n && p->st == TARN_OK; i++) {
            if (tarn_type_equal(b->cols[i]->type, plan->types[i]) ||
                tarn_type_is_nested(plan->types[i].id)) {
                view[i] = b->cols[i];
                continue;
            }
            if (!wide[i] && !(wide[i] = tarn_vec_create_type(plan->types[i]))) {
                p->st = tarn_err_set(&p->err, TARN_ERR_NOMEM, "out of memory");
                break;
            }
            tarn_vec_reset(wide[i]);
            p->st = tarn_x_widen_append(wide[i], b->cols[i], &p->err);
            view[i] = wide[i];
        }
        tarn_batch vb = {NULL, n, view, b->n_rows};
        if (p->st == TARN_OK)
            p->st = p->fn(p->ctx, (int)k, &vb, &p->err);
        p->rows += b->n_rows;
    }
    tarn_source_counts(src, &p->skipped, &p->scanned);
    tarn_source_bytes(src, &p->bytes_read, &p->bytes_total);
    p->rg_skipped = tarn_source_row_groups_skipped(src);
    tarn_source_close(src);
    for (int i = 0; wide && i < n; i++)
        tarn_vec_destroy(wide[i]);
    tarn_free(wide);
    tarn_free(view);
}

/* Runs the scan's parts on the pool, fn seeing every batch. */
static tarn_status scan_execute(qctx *c, const scan_plan *plan, scan_fn fn, void *ctx, int offset)
{
    scan_part *parts = tarn_calloc((size_t)plan->n_parts, sizeof *parts);
    if (!parts)
        return oom(c);
    for (int k = 0; k < plan->n_parts; k++)
        parts[k] = (scan_part){.plan = plan, .part = k, .fn = fn, .ctx = ctx};
    tarn_pool_run(tarn_pool_default(), plan->n_parts, scan_part_run, parts);
    tarn_status st = TARN_OK;
    int64_t rows = 0, skipped = 0, scanned = 0, bread = 0, btotal = 0, rg_skipped = 0;
    for (int k = 0; k < plan->n_parts; k++) {
        if (parts[k].st != TARN_OK && st == TARN_OK) {
            *c->err = parts[k].err;
            st = parts[k].st;
        }
        rows += parts[k].rows;
        skipped += parts[k].skipped;
        scanned += parts[k].scanned;
        bread += parts[k].bytes_read;
        btotal += parts[k].bytes_total;
        rg_skipped += parts[k].rg_skipped;
    }
    tarn_free(parts);
    if (st != TARN_OK)
        return scan_fail(c, plan->label, offset, st);
    c->files_scanned += scanned;
    c->files_skipped += skipped;
    c->rows_scanned += rows;
    c->bytes_read += bread;
    c->bytes_total += btotal;
    char bytes[128] = "", rb[32], tb[32];
    if (plan->is_delta)
        snprintf(bytes, sizeof bytes, ", row groups skipped %lld (%s of %s)", (long long)rg_skipped,
                 tarn_sql_fmt_bytes(bread, rb), tarn_sql_fmt_bytes(btotal, tb));
    plan_line(c, "scan %s: %d columns, %lld rows; %s read %lld, skipped %lld%s%s%s", plan->label,
              plan->n_proj, (long long)rows, plan->is_delta ? "files" : "row groups",
              (long long)scanned, (long long)skipped, bytes, plan->so.where ? "; filter " : "",
              plan->so.where ? plan->so.where : "");
    return TARN_OK;
}

/* An empty relation with the plan's columns (for binding before reading). */
static tarn_status plan_rel(qctx *c, const scan_plan *plan, rel **out)
{
    rel *r = rel_new();
    if (!r)
        return oom(c);
    r->all = plan->full_names;
    r->n_all = plan->n_full;
    for (int i = 0; i < plan->n_proj; i++) {
        tarn_vec *v = tarn_type_is_nested(plan->types[i].id) ? tarn_vec_create(&plan->fields[i])
                                                             : tarn_vec_create_type(plan->types[i]);
        tarn_status st = v ? rel_add(c, r, v, plan->qual, plan->proj[i]) : oom(c);
        if (st != TARN_OK) {
            rel_free(r);
            return st;
        }
    }
    *out = r;
    return TARN_OK;
}

/* Materialising scan: each part appends into its own relation. */
typedef struct collect_ctx {
    rel **parts;
} collect_ctx;

static tarn_status collect_batch(void *ctx, int part, const tarn_batch *b, tarn_err *err)
{
    rel *r = ((collect_ctx *)ctx)->parts[part];
    for (int i = 0; i < r->n; i++)
        if (tarn_vec_append_range(r->cols[i], b->cols[i], 0, b->n_rows) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->n_rows += b->n_rows;
    return TARN_OK;
}

/* Reads a table or file into a relation. */
static tarn_status scan_rel(qctx *c, scan_plan plan, int offset, rel **out)
{
    tarn_status st = TARN_OK;
    rel **parts = tarn_calloc((size_t)plan.n_parts, sizeof *parts);
    if (!parts)
        st = oom(c);
    for (int k = 0; k < plan.n_parts && st == TARN_OK; k++)
        st = plan_rel(c, &plan, &parts[k]);
    collect_ctx cc = {parts};
    if (st == TARN_OK)
        st = scan_execute(c, &plan, collect_batch, &cc, offset);
    /* The first part's relation takes the other parts' rows. */
    for (int k = 1; k < plan.n_parts && st == TARN_OK; k++) {
        for (int i = 0; i < parts[0]->n && st == TARN_OK; i++)
            if (tarn_vec_append_range(parts[0]->cols[i], parts[k]->cols[i], 0, parts[k]->n_rows) !=
                TARN_OK)
                st = oom(c);
        parts[0]->n_rows += parts[k]->n_rows;
    }
    for (int k = 0; parts && k < plan.n_parts; k++) {
        if (k == 0 && st == TARN_OK)
            *out = parts[0];
        else
            rel_free(parts[k]);
    }
    tarn_free(parts);
    scan_plan_fini(&plan);
    return st;
}

/* Binding ----------------------------------------------------------------------- */

typedef struct agg_call {
    const tarn_sql_expr *e; /* the call */
    char *text;             /* canonical SQL, for matching */
} agg_call;

/* What names resolve against. In a grouped query, expressions are matched
 * against the GROUP BY keys (columns 0..n_keys of r) and the aggregate calls
 * (the columns after) before anything else; other columns are errors. */
typedef struct scope {
    const rel *r;
    bool grouped;
    const rel *input; /* grouped: the relation before grouping */
    int n_keys;
    char **key_text; /* canonical SQL of each key */
    int *key_col;    /* input column a plain-column key is, else -1 */
    int n_aggs;
    agg_call *aggs;
    const struct scope *outer; /* enclosing query (correlation is refused) */
    int n_pre;                 /* window calls already computed: text -> column of r */
    char **pre_text;
    int *pre_col;
} scope;

static bool is_agg_name(const char *n)
{
    return !strcasecmp(n, "count") || !strcasecmp(n, "sum") || !strcasecmp(n, "avg") ||
           !strcasecmp(n, "min") || !strcasecmp(n, "max") || !strcasecmp(n, "mean");
}

static bool is_agg_call(const tarn_sql_expr *e)
{
    return e->kind == TARN_SQL_E_FUNC && !e->over && is_agg_name(e->name);
}

static char *expr_text(qctx *c, const tarn_sql_expr *e)
{
    tarn_buf b;
    tarn_buf_init(&b);
    char *s = NULL;
    if (tarn_sql_print_expr(e, &b) == TARN_OK)
        s = tarn_arena_strdup(c->a, b.data ? b.data : "");
    tarn_buf_fini(&b);
    return s;
}

static tarn_xexpr *xnew(qctx *c, tarn_xop op, tarn_type t, int n_args, int offset)
{
    tarn_xexpr *x = tarn_arena_calloc(c->a, 1, sizeof *x);
    if (!x)
        return NULL;
    x->op = op;
    x->type = t;
    x->offset = offset;
    x->n_args = n_args;
    if (n_args) {
        x->args = tarn_arena_calloc(c->a, (size_t)n_args, sizeof *x->args);
        if (!x->args)
            return NULL;
    }
    return x;
}

static tarn_type T(tarn_type_id id)
{
    return tarn_type_make(id);
}

static const char *tname(tarn_type t, char *buf)
{
    return tarn_type_name(t, buf, 64);
}

static bool is_numeric(tarn_type t)
{
    return t.id == TARN_TYPE_INT64 || t.id == TARN_TYPE_DECIMAL || t.id == TARN_TYPE_FLOAT64;
}

static bool is_string_lit(const tarn_xexpr *x)
{
    return x->op == TARN_X_CONST && x->k.type.id == TARN_TYPE_STRING;
}

/* Wraps x in a cast to t unless it already has that type. */
static tarn_status coerce(qctx *c, tarn_xexpr **x, tarn_type t)
{
    if (tarn_type_equal((*x)->type, t))
        return TARN_OK;
    if ((*x)->op == TARN_X_CONST && (*x)->k.is_null) {
        (*x)->type = t;
        (*x)->k.type = t;
        return TARN_OK;
    }
    tarn_xexpr *k = xnew(c, TARN_X_CAST, t, 1, (*x)->offset);
    if (!k)
        return oom(c);
    k->args[0] = *x;
    *x = k;
    return TARN_OK;
}

/* The type two operands meet at, for comparisons, CASE branches, UNION. */
static tarn_status common_type(qctx *c, const tarn_xexpr *a, const tarn_xexpr *b, int offset,
                               tarn_type *out)
{
    tarn_type x = a->type, y = b->type;
    char n1[64], n2[64];
    if (tarn_type_equal(x, y) || y.id == TARN_TYPE_NULL) {
        *out = x;
        return TARN_OK;
    }
    if (x.id == TARN_TYPE_NULL) {
        *out = y;
        return TARN_OK;
    }
    if (is_string_lit(a) && !is_string_lit(b)) {
        *out = y;
        return TARN_OK;
    }
    if (is_string_lit(b)) {
        *out = x;
        return TARN_OK;
    }
    if (is_numeric(x) && is_numeric(y)) {
        if (x.id == TARN_TYPE_FLOAT64 || y.id == TARN_TYPE_FLOAT64)
            *out = T(TARN_TYPE_FLOAT64);
        else
            *out = tarn_type_decimal(38, x.scale > y.scale ? x.scale : y.scale);
        return TARN_OK;
    }
    bool xt =
        x.id == TARN_TYPE_DATE || x.id == TARN_TYPE_TIMESTAMP || x.id == TARN_TYPE_TIMESTAMP_NTZ;
    bool yt =
        y.id == TARN_TYPE_DATE || y.id == TARN_TYPE_TIMESTAMP || y.id == TARN_TYPE_TIMESTAMP_NTZ;
    if (xt && yt) {
        *out = x.id == TARN_TYPE_DATE ? y : x;
        return TARN_OK;
    }
    if ((x.id == TARN_TYPE_STRING && y.id == TARN_TYPE_BINARY) ||
        (x.id == TARN_TYPE_BINARY && y.id == TARN_TYPE_STRING)) {
        *out = T(TARN_TYPE_BINARY);
        return TARN_OK;
    }
    return qerr(c, offset, TARN_ERR_INVALID, "cannot compare or combine %s with %s", tname(x, n1),
                tname(y, n2));
}

/* Finds column `name` (qualifier q or NULL) in r: index, -1 when missing,
 * -2 when ambiguous. */
static int find_col(const rel *r, const char *q, const char *name)
{
    int found = -1;
    for (int i = 0; i < r->n; i++) {
        const rcol *m = &r->meta[i];
        if (strcasecmp(m->name, name))
            continue;
        if (q ? (!m->qual || strcasecmp(m->qual, q)) : m->hidden)
            continue;
        if (found >= 0)
            return -2;
        found = i;
    }
    return found;
}

static tarn_status unknown_column(qctx *c, const rel *r, const tarn_sql_expr *e)
{
    const char **cand = tarn_alloc(sizeof(char *) * (size_t)(r->n + r->n_all + 1));
    const char *sug = NULL;
    if (cand) {
        for (int i = 0; i < r->n; i++)
            cand[i] = r->meta[i].name;
        for (int i = 0; i < r->n_all; i++)
            cand[r->n + i] = r->all[i];
        sug = tarn_suggest(e->name, cand, r->n + r->n_all);
    }
    tarn_status st;
    if (sug)
        st = qerr(c, e->offset, TARN_ERR_NOT_FOUND, "unknown column '%s' (did you mean '%s'?)",
                  e->name, sug);
    else if (e->qualifier)
        st =
            qerr(c, e->offset, TARN_ERR_NOT_FOUND, "unknown column '%s.%s'", e->qualifier, e->name);
    else
        st = qerr(c, e->offset, TARN_ERR_NOT_FOUND, "unknown column '%s'", e->name);
    tarn_free(cand);
    return st;
}

static tarn_status bind(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out);
static tarn_status run_query(qctx *c, const tarn_sql_query *q, const scope *outer, rel **out);
static tarn_status bind_subquery(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out);
static void conjuncts(const tarn_sql_expr *e, const tarn_sql_expr **out, int *n, int cap);

static tarn_status bind_column(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out)
{
    const rel *r = s->grouped ? s->input : s->r;
    int i = find_col(r, e->qualifier, e->name);
    if (i == -2)
        return qerr(c, e->offset, TARN_ERR_INVALID, "column reference '%s' is ambiguous", e->name);
    if (i < 0) {
        for (const scope *o = s->outer; o; o = o->outer)
            if (find_col(o->grouped ? o->input : o->r, e->qualifier, e->name) >= 0)
                return qerr(c, e->offset, TARN_ERR_UNSUPPORTED,
                            "column '%s' refers to the outer query: correlated subqueries are "
                            "not supported yet",
                            e->name);
        return unknown_column(c, r, e);
    }
    if (s->grouped) {
        for (int k = 0; k < s->n_keys; k++) {
            if (s->key_col[k] == i) {
                *out = xnew(c, TARN_X_COL, s->r->cols[k]->type, 0, e->offset);
                if (!*out)
                    return oom(c);
                (*out)->col = k;
                return TARN_OK;
            }
        }
        return qerr(c, e->offset, TARN_ERR_INVALID,
                    "column '%s' must appear in GROUP BY or be used in an aggregate function",
                    e->name);
    }
    *out = xnew(c, TARN_X_COL, r->cols[i]->type, 0, e->offset);
    if (!*out)
        return oom(c);
    (*out)->col = i;
    return TARN_OK;
}

/* Literals: integers as INT64, 1.5 as DECIMAL(38,1), 1e3 as DOUBLE. */
static tarn_status bind_literal(qctx *c, const tarn_sql_expr *e, tarn_xexpr **out)
{
    tarn_xexpr *x = xnew(c, TARN_X_CONST, T(TARN_TYPE_NULL), 0, e->offset);
    if (!x)
        return oom(c);
    tarn_scalar *k = &x->k;
    const char *t = e->text ? e->text : "";
    size_t n = strlen(t);
    tarn_status st = TARN_OK;
    switch (e->lit) {
    case TARN_SQL_LIT_INT:
        k->type = T(TARN_TYPE_INT64);
        st = tarn_scalar_parse(NULL, k->type, t, n, k, c->err);
        if (st != TARN_OK) { /* too big for int64: an exact decimal */
            k->type = tarn_type_decimal(38, 0);
            st = tarn_scalar_parse(NULL, k->type, t, n, k, c->err);
        }
        break;
    case TARN_SQL_LIT_NUMBER:
        if (strpbrk(t, "eE")) {
            k->type = T(TARN_TYPE_FLOAT64);
        } else {
            const char *dot = strchr(t, '.');
            int scale = dot ? (int)strlen(dot + 1) : 0;
            k->type = tarn_type_decimal(38, scale > 38 ? 38 : scale);
        }
        st = tarn_scalar_parse(NULL, k->type, t, n, k, c->err);
        break;
    case TARN_SQL_LIT_STRING:
        k->type = T(TARN_TYPE_STRING);
        k->bytes = (const uint8_t *)t;
        k->len = (int32_t)n;
        break;
    case TARN_SQL_LIT_TRUE:
    case TARN_SQL_LIT_FALSE:
        k->type = T(TARN_TYPE_BOOL);
        k->v.b = e->lit == TARN_SQL_LIT_TRUE;
        break;
    case TARN_SQL_LIT_NULL:
        k->type = T(TARN_TYPE_NULL);
        k->is_null = true;
        break;
    case TARN_SQL_LIT_DATE:
    case TARN_SQL_LIT_TIMESTAMP:
        k->type = T(e->lit == TARN_SQL_LIT_DATE ? TARN_TYPE_DATE : TARN_TYPE_TIMESTAMP);
        st = tarn_scalar_parse(NULL, k->type, t, n, k, c->err);
        break;
    }
    if (st != TARN_OK)
        return qerr(c, e->offset, TARN_ERR_INVALID, "bad literal '%s': %s", t, c->err->msg);
    x->type = k->type;
    *out = x;
    return TARN_OK;
}

/* INTERVAL 'n' unit / INTERVAL 'n unit': months, days and microseconds. */
static tarn_status parse_interval(qctx *c, const tarn_sql_expr *e, int32_t *months, int32_t *days,
                                  int64_t *micros)
{
    *months = *days = 0;
    *micros = 0;
    const char *p = e->text ? e->text : "";
    char unit[32] = "";
    char *end;
    double v = strtod(p, &end);
    if (end == p)
        return qerr(c, e->offset, TARN_ERR_INVALID, "bad interval '%s'", p);
    while (*end == ' ')
        end++;
    snprintf(unit, sizeof unit, "%s", *end ? end : (e->name ? e->name : "day"));
    size_t ul = strlen(unit);
    if (ul > 1 && (unit[ul - 1] == 's' || unit[ul - 1] == 'S'))
        unit[ul - 1] = '\0';
    int64_t iv = (int64_t)v;
    if (!strcasecmp(unit, "year"))
        *months = (int32_t)(iv * 12);
    else if (!strcasecmp(unit, "quarter"))
        *months = (int32_t)(iv * 3);
    else if (!strcasecmp(unit, "month"))
        *months = (int32_t)iv;
    else if (!strcasecmp(unit, "week"))
        *days = (int32_t)(iv * 7);
    else if (!strcasecmp(unit, "day"))
        *days = (int32_t)iv;
    else if (!strcasecmp(unit, "hour"))
        *micros = (int64_t)(v * 3600e6);
    else if (!strcasecmp(unit, "minute"))
        *micros = (int64_t)(v * 60e6);
    else if (!strcasecmp(unit, "second"))
        *micros = (int64_t)(v * 1e6);
    else
        return qerr(c, e->offset, TARN_ERR_INVALID, "unknown interval unit '%s'", unit);
    return TARN_OK;
}

static tarn_status bind_binary(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out)
{
    const char *op = e->name;
    tarn_xexpr *a, *b;
    /* date/timestamp +/- INTERVAL */
    if ((!strcmp(op, "+") || !strcmp(op, "-")) && e->args[1]->kind == TARN_SQL_E_INTERVAL) {
        tarn_status st = bind(c, s, e->args[0], &a);
        if (st != TARN_OK)
            return st;
        if (a->type.id != TARN_TYPE_DATE && a->type.id != TARN_TYPE_TIMESTAMP &&
            a->type.id != TARN_TYPE_TIMESTAMP_NTZ)
            return qerr(c, e->offset, TARN_ERR_INVALID,
                        "an interval is added to a date or timestamp");
        tarn_xexpr *x =
            xnew(c, TARN_X_ADD_INTERVAL,
                 a->type.id == TARN_TYPE_DATE ? T(TARN_TYPE_TIMESTAMP) : a->type, 1, e->offset);
        if (!x)
            return oom(c);
        x->args[0] = a;
        st = parse_interval(c, e->args[1], &x->months, &x->days, &x->micros);
        if (st == TARN_OK && op[0] == '-') {
            x->months = -x->months;
            x->days = -x->days;
            x->micros = -x->micros;
        }
        *out = x;
        return st;
    }
    tarn_status st = bind(c, s, e->args[0], &a);
    if (st == TARN_OK)
        st = bind(c, s, e->args[1], &b);
    if (st != TARN_OK)
        return st;
    char n1[64], n2[64];
    if (!strcmp(op, "AND") || !strcmp(op, "OR")) {
        for (int k = 0; k < 2; k++) {
            tarn_xexpr **p = k ? &b : &a;
            if ((*p)->type.id == TARN_TYPE_NULL)
                (void)coerce(c, p, T(TARN_TYPE_BOOL));
            if ((*p)->type.id != TARN_TYPE_BOOL)
                return qerr(c, e->args[k]->offset, TARN_ERR_INVALID, "%s expects a boolean, got %s",
                            op, tname((*p)->type, n1));
        }
        tarn_xexpr *x =
            xnew(c, op[0] == 'A' ? TARN_X_AND : TARN_X_OR, T(TARN_TYPE_BOOL), 2, e->offset);
        if (!x)
            return oom(c);
        x->args[0] = a;
        x->args[1] = b;
        *out = x;
        return TARN_OK;
    }
    if (!strcmp(op, "||")) {
        tarn_xexpr *x = xnew(c, TARN_X_FUNC, T(TARN_TYPE_STRING), 2, e->offset);
        if (!x || coerce(c, &a, T(TARN_TYPE_STRING)) || coerce(c, &b, T(TARN_TYPE_STRING)))
            return oom(c);
        x->fn = TARN_FN_STRCAT;
        x->args[0] = a;
        x->args[1] = b;
        *out = x;
        return TARN_OK;
    }
    static const struct {
        const char *op;
        tarn_xop x;
    } cmps[] = {{"=", TARN_X_EQ},  {"<>", TARN_X_NE}, {"!=", TARN_X_NE}, {"<", TARN_X_LT},
                {"<=", TARN_X_LE}, {">", TARN_X_GT},  {">=", TARN_X_GE}};
    for (size_t k = 0; k < sizeof cmps / sizeof cmps[0]; k++) {
        if (strcmp(op, cmps[k].op))
            continue;
        tarn_type t;
        st = common_type(c, a, b, e->offset, &t);
        if (st == TARN_OK && t.id == TARN_TYPE_NULL)
            t = T(TARN_TYPE_BOOL);
        if (st == TARN_OK)
            st = coerce(c, &a, t);
        if (st == TARN_OK)
            st = coerce(c, &b, t);
        tarn_xexpr *x = st == TARN_OK ? xnew(c, cmps[k].x, T(TARN_TYPE_BOOL), 2, e->offset) : NULL;
        if (st != TARN_OK)
            return st;
        if (!x)
            return oom(c);
        x->args[0] = a;
        x->args[1] = b;
        *out = x;
        return TARN_OK;
    }
    /* Arithmetic. */
    tarn_xop xo = op[0] == '+'   ? TARN_X_ADD
                  : op[0] == '-' ? TARN_X_SUB
                  : op[0] == '*' ? TARN_X_MUL
                  : op[0] == '/' ? TARN_X_DIV
                                 : TARN_X_MOD;
    if (op[0] == '%' || !strcmp(op, "%"))
        xo = TARN_X_MOD;
    tarn_type ta = a->type, tb = b->type, t;
    if (ta.id == TARN_TYPE_NULL && tb.id != TARN_TYPE_NULL)
        ta = tb;
    if (tb.id == TARN_TYPE_NULL)
        tb = ta;
    if (ta.id == TARN_TYPE_NULL)
        ta = tb = T(TARN_TYPE_INT64);
    if (ta.id == TARN_TYPE_DATE && (xo == TARN_X_ADD || xo == TARN_X_SUB) &&
        tb.id == TARN_TYPE_INT64 && b->op == TARN_X_CONST) {
        tarn_xexpr *x = xnew(c, TARN_X_ADD_INTERVAL, ta, 1, e->offset);
        if (!x)
            return oom(c);
        x->args[0] = a;
        x->days = (int32_t)(xo == TARN_X_ADD ? b->k.v.i64 : -b->k.v.i64);
        *out = x;
        return TARN_OK;
    }
    if (ta.id == TARN_TYPE_DATE && tb.id == TARN_TYPE_DATE && xo == TARN_X_SUB) {
        tarn_xexpr *x = xnew(c, TARN_X_FUNC, T(TARN_TYPE_INT64), 2, e->offset);
        if (!x)
            return oom(c);
        x->fn = TARN_FN_DATE_DIFF;
        x->args[0] = a;
        x->args[1] = b;
        *out = x;
        return TARN_OK;
    }
    if (is_string_lit(a) && is_numeric(tb))
        ta = tb;
    if (is_string_lit(b) && is_numeric(ta))
        tb = ta;
    if (!is_numeric(ta) || !is_numeric(tb))
        return qerr(c, e->offset, TARN_ERR_INVALID, "operator %s does not apply to %s and %s", op,
                    tname(ta, n1), tname(tb, n2));
    tarn_type ca, cb;
    if (xo == TARN_X_DIV || ta.id == TARN_TYPE_FLOAT64 || tb.id == TARN_TYPE_FLOAT64) {
        t = ca = cb = T(TARN_TYPE_FLOAT64);
    } else if (ta.id == TARN_TYPE_INT64 && tb.id == TARN_TYPE_INT64) {
        t = ca = cb = ta;
    } else if (xo == TARN_X_MUL) {
        int sa = ta.id == TARN_TYPE_DECIMAL ? ta.scale : 0,
            sb = tb.id == TARN_TYPE_DECIMAL ? tb.scale : 0;
        if (sa + sb > 38)
            return qerr(c, e->offset, TARN_ERR_INVALID, "decimal product needs a scale over 38");
        ca = tarn_type_decimal(38, sa);
        cb = tarn_type_decimal(38, sb);
        t = tarn_type_decimal(38, sa + sb);
    } else {
        int sc = ta.scale > tb.scale ? ta.scale : tb.scale;
        t = ca = cb = tarn_type_decimal(38, sc);
    }
    st = coerce(c, &a, ca);
    if (st == TARN_OK)
        st = coerce(c, &b, cb);
    if (st != TARN_OK)
        return st;
    tarn_xexpr *x = xnew(c, xo, t, 2, e->offset);
    if (!x)
        return oom(c);
    x->args[0] = a;
    x->args[1] = b;
    *out = x;
    return TARN_OK;
}

/* Runs an uncorrelated subquery once. */
static tarn_status subquery(qctx *c, const scope *s, const tarn_sql_expr *e, rel **out)
{
    c->depth++;
    plan_line(c, "subquery:");
    c->depth++;
    tarn_status st = run_query(c, e->query, s, out);
    c->depth -= 2;
    if (st == TARN_OK && (*out)->n != 1 && e->kind != TARN_SQL_E_EXISTS) {
        int n = (*out)->n;
        rel_free(*out);
        *out = NULL;
        return qerr(c, e->offset, TARN_ERR_INVALID, "subquery must return one column, not %d", n);
    }
    return st;
}

/* Whether e names a column with qualifier q. */
static bool names_qual(const tarn_sql_expr *e, const char *q)
{
    if (!e)
        return false;
    if (e->kind == TARN_SQL_E_COLUMN && e->qualifier && !strcasecmp(e->qualifier, q))
        return true;
    if (e->query)
        return false;
    for (int i = 0; i < e->n_args; i++)
        if (names_qual(e->args[i], q))
            return true;
    for (int i = 0; i < e->n_whens; i++)
        if (names_qual(e->whens[i], q) || names_qual(e->thens[i], q))
            return true;
    return names_qual(e->else_expr, q);
}

/* Table names and aliases a FROM tree introduces. */
static void from_quals(const tarn_sql_from *f, const char **out, int *n, int cap)
{
    if (!f || *n >= cap)
        return;
    if (f->join != TARN_SQL_JOIN_NONE) {
        from_quals(f->left, out, n, cap);
        from_quals(f->right, out, n, cap);
        return;
    }
    if (f->alias)
        out[(*n)++] = f->alias;
    else if (f->n_parts)
        out[(*n)++] = f->parts[f->n_parts - 1];
}

/* [NOT] EXISTS (SELECT ... FROM f WHERE inner = outer.col AND rest): true
 * when the outer column's value is among the inner values of the rows
 * matching rest (a semi join). *ok false when the subquery has another
 * shape (the caller reports the original error). */
static tarn_status decorrelate_exists(qctx *c, const scope *s, const tarn_sql_expr *e,
                                      tarn_xexpr **out, bool *ok)
{
    *ok = false;
    const tarn_sql_query *q = e->query;
    if (q->n_ctes || q->body->op != TARN_SQL_SET_NONE || !q->body->select)
        return TARN_OK;
    const tarn_sql_select *sel = q->body->select;
    if (sel->n_group_by || sel->having || !sel->where)
        return TARN_OK;
    const char *inner[32];
    int n_inner = 0;
    for (int i = 0; i < sel->n_from; i++)
        from_quals(sel->from[i], inner, &n_inner, 32);
    const rel *orel = s->grouped ? s->input : s->r;
    const tarn_sql_expr *conj[64];
    int n_conj = 0;
    conjuncts(sel->where, conj, &n_conj, 64);
    const tarn_sql_expr *outer_col = NULL, *inner_expr = NULL;
    tarn_sql_expr *rest = NULL;
    for (int k = 0; k < n_conj; k++) {
        const tarn_sql_expr *x = conj[k];
        bool correlated = false;
        for (int side = 0; x->kind == TARN_SQL_E_BINARY && !strcmp(x->name, "=") && side < 2;
             side++) {
            const tarn_sql_expr *o = x->args[side], *i = x->args[1 - side];
            bool is_outer = o->kind == TARN_SQL_E_COLUMN && o->qualifier &&
                            find_col(orel, o->qualifier, o->name) >= 0;
            for (int j = 0; is_outer && j < n_inner; j++)
                is_outer = strcasecmp(inner[j], o->qualifier) != 0;
            if (!is_outer || names_qual(i, o->qualifier) || outer_col)
                continue;
            outer_col = o;
            inner_expr = i;
            correlated = true;
            break;
        }
        if (correlated)
            continue;
        /* Any other outer reference: not this shape. */
        for (int j = 0; j < orel->n; j++)
            if (orel->meta[j].qual && names_qual(x, orel->meta[j].qual)) {
                bool is_inner = false;
                for (int t = 0; t < n_inner; t++)
                    is_inner |= !strcasecmp(inner[t], orel->meta[j].qual);
                if (!is_inner)
                    return TARN_OK;
            }
        if (!rest) {
            rest = (tarn_sql_expr *)x;
            continue;
        }
        tarn_sql_expr *and = tarn_arena_calloc(c->a, 1, sizeof *and);
        tarn_sql_expr **args = tarn_arena_calloc(c->a, 2, sizeof *args);
        if (!and || !args)
            return oom(c);
        and->kind = TARN_SQL_E_BINARY;
        and->name = "AND";
        and->offset = x->offset;
        args[0] = rest;
        args[1] = (tarn_sql_expr *)x;
        and->args = args;
        and->n_args = 2;
        rest = and;
    }
    if (!outer_col)
        return TARN_OK;
    /* SELECT inner_expr FROM ... WHERE rest */
    tarn_sql_select *ns = tarn_arena_alloc(c->a, sizeof *ns);
    tarn_sql_item *item = tarn_arena_calloc(c->a, 1, sizeof *item);
    tarn_sql_set *body = tarn_arena_calloc(c->a, 1, sizeof *body);
    tarn_sql_query *nq = tarn_arena_calloc(c->a, 1, sizeof *nq);
    if (!ns || !item || !body || !nq)
        return oom(c);
    *ns = *sel;
    ns->distinct = false;
    item->expr = (tarn_sql_expr *)inner_expr;
    ns->items = item;
    ns->n_items = 1;
    ns->where = rest;
    body->op = TARN_SQL_SET_NONE;
    body->offset = q->body->offset;
    body->select = ns;
    nq->offset = q->offset;
    nq->body = body;
    tarn_sql_expr probe = *e;
    probe.kind = TARN_SQL_E_IN_QUERY;
    probe.query = nq;
    tarn_sql_expr *args[1] = {(tarn_sql_expr *)outer_col};
    probe.args = args;
    probe.n_args = 1;
    tarn_status st = bind_subquery(c, s, &probe, out);
    if (st == TARN_OK) {
        (*out)->exists = true;
        *ok = true;
    }
    return st;
}

static tarn_status bind_subquery(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out)
{
    rel *r = NULL;
    tarn_status st = subquery(c, s, e, &r);
    if (st == TARN_ERR_UNSUPPORTED && e->kind == TARN_SQL_E_EXISTS &&
        strstr(c->err->msg, "correlated")) {
        tarn_err saved = *c->err;
        bool ok;
        st = decorrelate_exists(c, s, e, out, &ok);
        if (st == TARN_OK && !ok) {
            *c->err = saved;
            return saved.code;
        }
        return st;
    }
    if (st != TARN_OK)
        return st;
    if (e->kind == TARN_SQL_E_EXISTS) {
        tarn_xexpr *x = xnew(c, TARN_X_CONST, T(TARN_TYPE_BOOL), 0, e->offset);
        if (x) {
            x->k.type = x->type;
            x->k.v.b = (r->n_rows > 0) != e->negated;
        }
        rel_free(r);
        *out = x;
        return x ? TARN_OK : oom(c);
    }
    if (e->kind == TARN_SQL_E_SUBQUERY) {
        if (r->n_rows > 1) {
            rel_free(r);
            return qerr(c, e->offset, TARN_ERR_DATA, "scalar subquery returned more than one row");
        }
        if (c->n_slots == c->cap_slots &&
            !tarn_grow((void **)&c->slots, c->n_slots, &c->cap_slots, sizeof *c->slots)) {
            rel_free(r);
            return oom(c);
        }
        tarn_scalar *k = &c->slots[c->n_slots];
        memset(k, 0, sizeof *k);
        k->type = r->cols[0]->type;
        k->is_null = true;
        if (r->n_rows == 1) {
            tarn_scalar_from_vec(r->cols[0], 0, k);
            if (k->bytes)
                k->bytes = tarn_arena_memdup(c->a, k->bytes, (size_t)k->len ? (size_t)k->len : 1);
        }
        tarn_xexpr *x = xnew(c, TARN_X_SLOT, r->cols[0]->type, 0, e->offset);
        rel_free(r);
        if (!x)
            return oom(c);
        x->col = c->n_slots++;
        c->env.slots = c->slots;
        c->env.n_slots = c->n_slots;
        *out = x;
        return TARN_OK;
    }
    /* x [NOT] IN (subquery) */
    tarn_xexpr *a;
    st = bind(c, s, e->args[0], &a);
    tarn_xexpr probe = {.op = TARN_X_COL, .type = r->cols[0]->type};
    tarn_type t;
    if (st == TARN_OK)
        st = common_type(c, a, &probe, e->offset, &t);
    tarn_vec *set = NULL;
    if (st == TARN_OK)
        st = coerce(c, &a, t);
    if (st == TARN_OK) {
        if (tarn_type_equal(r->cols[0]->type, t)) {
            set = r->cols[0];
            r->cols[0] = NULL;
            r->n = 0;
        } else {
            st = at(c, e->offset, tarn_x_cast(r->cols[0], t, &set, c->err));
        }
    }
    rel_free(r);
    if (st != TARN_OK)
        return st;
    if (c->n_sets == c->cap_sets &&
        !tarn_grow((void **)&c->sets, c->n_sets, &c->cap_sets, sizeof *c->sets)) {
        tarn_vec_destroy(set);
        return oom(c);
    }
    c->sets[c->n_sets] = set;
    tarn_xexpr *x = xnew(c, TARN_X_IN_SET, T(TARN_TYPE_BOOL), 1, e->offset);
    if (!x)
        return oom(c);
    x->col = c->n_sets++;
    x->negated = e->negated;
    x->args[0] = a;
    c->env.sets = c->sets;
    c->env.n_sets = c->n_sets;
    *out = x;
    return TARN_OK;
}

/* CASE [operand] WHEN ... THEN ... [ELSE ...] END */
static tarn_status bind_case(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out)
{
    int n = 2 * e->n_whens + (e->else_expr ? 1 : 0);
    tarn_xexpr *x = xnew(c, TARN_X_CASE, T(TARN_TYPE_NULL), n, e->offset);
    if (!x)
        return oom(c);
    x->has_else = e->else_expr != NULL;
    tarn_xexpr *operand = NULL;
    tarn_status st = TARN_OK;
    if (e->n_args > 0)
        st = bind(c, s, e->args[0], &operand);
    tarn_type rt = T(TARN_TYPE_NULL);
    for (int w = 0; st == TARN_OK && w < e->n_whens; w++) {
        tarn_xexpr *cond, *then;
        st = bind(c, s, e->whens[w], &cond);
        if (st == TARN_OK && operand) {
            tarn_type t;
            tarn_xexpr *lhs = operand;
            st = common_type(c, lhs, cond, e->whens[w]->offset, &t);
            if (st == TARN_OK)
                st = coerce(c, &lhs, t);
            if (st == TARN_OK)
                st = coerce(c, &cond, t);
            tarn_xexpr *eq =
                st == TARN_OK ? xnew(c, TARN_X_EQ, T(TARN_TYPE_BOOL), 2, e->offset) : NULL;
            if (st == TARN_OK && !eq)
                st = oom(c);
            if (st == TARN_OK) {
                eq->args[0] = lhs;
                eq->args[1] = cond;
                cond = eq;
            }
        }
        if (st == TARN_OK && cond->type.id == TARN_TYPE_NULL)
            st = coerce(c, &cond, T(TARN_TYPE_BOOL));
        if (st == TARN_OK && cond->type.id != TARN_TYPE_BOOL)
            st = qerr(c, e->whens[w]->offset, TARN_ERR_INVALID, "WHEN expects a boolean");
        if (st == TARN_OK)
            st = bind(c, s, e->thens[w], &then);
        if (st != TARN_OK)
            break;
        x->args[2 * w] = cond;
        x->args[2 * w + 1] = then;
    }
    if (st == TARN_OK && e->else_expr)
        st = bind(c, s, e->else_expr, &x->args[n - 1]);
    for (int k = 0; st == TARN_OK && k < n; k++) {
        if (k < 2 * e->n_whens && k % 2 == 0)
            continue;
        tarn_xexpr probe = {.op = TARN_X_COL, .type = rt};
        st = common_type(c, &probe, x->args[k], e->offset, &rt);
    }
    if (rt.id == TARN_TYPE_NULL)
        rt = T(TARN_TYPE_STRING);
    for (int k = 0; st == TARN_OK && k < n; k++)
        if (!(k < 2 * e->n_whens && k % 2 == 0))
            st = coerce(c, &x->args[k], rt);
    x->type = rt;
    *out = x;
    return st;
}

static tarn_status parse_type(qctx *c, const char *name, int offset, tarn_type *out)
{
    tarn_type t;
    tarn_err e2;
    if (tarn_type_parse(name, strlen(name), &t, &e2) != TARN_OK)
        return qerr(c, offset, TARN_ERR_INVALID, "unknown type '%s'", name);
    *out = tarn_x_engine_type(t);
    return TARN_OK;
}

static tarn_status bind_func(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out)
{
    if (e->over)
        return qerr(c, e->offset, TARN_ERR_UNSUPPORTED, "window functions are not supported yet");
    if (is_agg_name(e->name))
        return qerr(c, e->offset, TARN_ERR_INVALID, "aggregate %s() is not allowed here", e->name);
    int fn = tarn_xfunc_lookup(e->name);
    if (fn < 0)
        return qerr(c, e->offset, TARN_ERR_NOT_FOUND, "unknown function %s()", e->name);
    int n = e->n_args;
    tarn_xexpr *x = xnew(c, TARN_X_FUNC, T(TARN_TYPE_NULL), n, e->offset);
    tarn_type *types = tarn_alloc(sizeof(tarn_type) * (size_t)(2 * n + 1));
    const tarn_scalar **consts = tarn_calloc((size_t)n + 1, sizeof *consts);
    tarn_status st = x && types && consts ? TARN_OK : oom(c);
    for (int k = 0; st == TARN_OK && k < n; k++) {
        st = bind(c, s, e->args[k], &x->args[k]);
        if (st == TARN_OK) {
            types[k] = x->args[k]->type;
            consts[k] = x->args[k]->op == TARN_X_CONST ? &x->args[k]->k : NULL;
        }
    }
    if (st == TARN_OK) {
        x->fn = (tarn_xfn)fn;
        st = tarn_xfunc_bind(x->fn, types, consts, n, &x->type, types + n, c->err);
        if (st != TARN_OK)
            st = qerr(c, e->offset, st, "%s", c->err->msg);
    }
    for (int k = 0; st == TARN_OK && k < n; k++)
        st = coerce(c, &x->args[k], types[n + k]);
    tarn_free(types);
    tarn_free(consts);
    *out = x;
    return st;
}

static tarn_status bind(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_xexpr **out)
{
    *out = NULL;
    /* A window call computed before is a column of s->r. */
    if (s->n_pre && e->kind == TARN_SQL_E_FUNC && e->over) {
        char *text = expr_text(c, e);
        if (!text)
            return oom(c);
        for (int k = 0; k < s->n_pre; k++) {
            if (strcmp(s->pre_text[k], text))
                continue;
            *out = xnew(c, TARN_X_COL, s->r->cols[s->pre_col[k]]->type, 0, e->offset);
            if (!*out)
                return oom(c);
            (*out)->col = s->pre_col[k];
            return TARN_OK;
        }
    }
    /* Grouped: a GROUP BY key or an aggregate call is a column of s->r. */
    if (s->grouped && e->kind != TARN_SQL_E_LITERAL && e->kind != TARN_SQL_E_COLUMN) {
        char *text = expr_text(c, e);
        if (!text)
            return oom(c);
        for (int k = 0; k < s->n_keys + s->n_aggs; k++) {
            const char *kt = k < s->n_keys ? s->key_text[k] : s->aggs[k - s->n_keys].text;
            if (strcmp(kt, text))
                continue;
            *out = xnew(c, TARN_X_COL, s->r->cols[k]->type, 0, e->offset);
            if (!*out)
                return oom(c);
            (*out)->col = k;
            return TARN_OK;
        }
    }
    tarn_status st;
    char n1[64];
    switch (e->kind) {
    case TARN_SQL_E_COLUMN:
        return bind_column(c, s, e, out);
    case TARN_SQL_E_STAR:
        return qerr(c, e->offset, TARN_ERR_INVALID, "* is allowed only in the SELECT list");
    case TARN_SQL_E_LITERAL:
        return bind_literal(c, e, out);
    case TARN_SQL_E_UNARY: {
        tarn_xexpr *a;
        st = bind(c, s, e->args[0], &a);
        if (st != TARN_OK)
            return st;
        if (!strcmp(e->name, "+")) {
            *out = a;
            return TARN_OK;
        }
        bool not = !strcmp(e->name, "NOT");
        if (not &&a->type.id == TARN_TYPE_NULL)
            (void)coerce(c, &a, T(TARN_TYPE_BOOL));
        if (not ? a->type.id != TARN_TYPE_BOOL : !is_numeric(a->type))
            return qerr(c, e->offset, TARN_ERR_INVALID, "%s does not apply to %s", e->name,
                        tname(a->type, n1));
        *out = xnew(c, not ? TARN_X_NOT : TARN_X_NEG, a->type, 1, e->offset);
        if (!*out)
            return oom(c);
        (*out)->args[0] = a;
        return TARN_OK;
    }
    case TARN_SQL_E_BINARY:
        return bind_binary(c, s, e, out);
    case TARN_SQL_E_IS_NULL: {
        tarn_xexpr *a;
        st = bind(c, s, e->args[0], &a);
        if (st != TARN_OK)
            return st;
        *out = xnew(c, TARN_X_IS_NULL, T(TARN_TYPE_BOOL), 1, e->offset);
        if (!*out)
            return oom(c);
        (*out)->negated = e->negated;
        (*out)->args[0] = a;
        return TARN_OK;
    }
    case TARN_SQL_E_IN_LIST: {
        tarn_xexpr *x = xnew(c, TARN_X_IN, T(TARN_TYPE_BOOL), e->n_args, e->offset);
        if (!x)
            return oom(c);
        x->negated = e->negated;
        bool all_const = true;
        for (int k = 0; k < e->n_args; k++) {
            st = bind(c, s, e->args[k], &x->args[k]);
            if (st != TARN_OK)
                return st;
            all_const &= k == 0 || x->args[k]->op == TARN_X_CONST;
        }
        tarn_type t = x->args[0]->type;
        for (int k = 1; k < e->n_args; k++) {
            tarn_xexpr probe = {.op = TARN_X_COL, .type = t};
            st = common_type(c, x->args[0]->op == TARN_X_CONST ? x->args[0] : &probe, x->args[k],
                             e->args[k]->offset, &t);
            if (st != TARN_OK)
                return st;
        }
        for (int k = 0; k < e->n_args; k++)
            if (coerce(c, &x->args[k], t) != TARN_OK)
                return oom(c);
        if (all_const) {
            *out = x;
            return TARN_OK;
        }
        /* Non-constant list: x = a OR x = b ... */
        tarn_xexpr *acc = NULL;
        for (int k = 1; k < e->n_args; k++) {
            tarn_xexpr *eq = xnew(c, TARN_X_EQ, T(TARN_TYPE_BOOL), 2, e->offset);
            tarn_xexpr *o = acc ? xnew(c, TARN_X_OR, T(TARN_TYPE_BOOL), 2, e->offset) : eq;
            if (!eq || !o)
                return oom(c);
            eq->args[0] = x->args[0];
            eq->args[1] = x->args[k];
            if (acc) {
                o->args[0] = acc;
                o->args[1] = eq;
            }
            acc = o;
        }
        if (e->negated) {
            tarn_xexpr *n = xnew(c, TARN_X_NOT, T(TARN_TYPE_BOOL), 1, e->offset);
            if (!n)
                return oom(c);
            n->args[0] = acc;
            acc = n;
        }
        *out = acc;
        return TARN_OK;
    }
    case TARN_SQL_E_BETWEEN: {
        tarn_xexpr *v, *lo, *hi;
        if ((st = bind(c, s, e->args[0], &v)) != TARN_OK ||
            (st = bind(c, s, e->args[1], &lo)) != TARN_OK ||
            (st = bind(c, s, e->args[2], &hi)) != TARN_OK)
            return st;
        tarn_type t;
        if ((st = common_type(c, v, lo, e->offset, &t)) != TARN_OK)
            return st;
        tarn_xexpr probe = {.op = TARN_X_COL, .type = t};
        if ((st = common_type(c, &probe, hi, e->offset, &t)) != TARN_OK)
            return st;
        if (coerce(c, &v, t) || coerce(c, &lo, t) || coerce(c, &hi, t))
            return oom(c);
        tarn_xexpr *ge = xnew(c, TARN_X_GE, T(TARN_TYPE_BOOL), 2, e->offset);
        tarn_xexpr *le = xnew(c, TARN_X_LE, T(TARN_TYPE_BOOL), 2, e->offset);
        tarn_xexpr *and = xnew(c, TARN_X_AND, T(TARN_TYPE_BOOL), 2, e->offset);
        if (!ge || !le || !and)
            return oom(c);
        ge->args[0] = v;
        ge->args[1] = lo;
        le->args[0] = v;
        le->args[1] = hi;
        and->args[0] = ge;
        and->args[1] = le;
        *out = and;
        if (e->negated) {
            *out = xnew(c, TARN_X_NOT, T(TARN_TYPE_BOOL), 1, e->offset);
            if (!*out)
                return oom(c);
            (*out)->args[0] = and;
        }
        return TARN_OK;
    }
    case TARN_SQL_E_LIKE: {
        tarn_xexpr *x = xnew(c, TARN_X_LIKE, T(TARN_TYPE_BOOL), 2, e->offset);
        if (!x)
            return oom(c);
        for (int k = 0; k < 2; k++) {
            if ((st = bind(c, s, e->args[k], &x->args[k])) != TARN_OK)
                return st;
            if (x->args[k]->type.id == TARN_TYPE_NULL)
                (void)coerce(c, &x->args[k], T(TARN_TYPE_STRING));
            if (x->args[k]->type.id != TARN_TYPE_STRING)
                return qerr(c, e->args[k]->offset, TARN_ERR_INVALID, "LIKE expects strings, got %s",
                            tname(x->args[k]->type, n1));
        }
        x->negated = e->negated;
        x->ilike = e->ilike;
        *out = x;
        return TARN_OK;
    }
    case TARN_SQL_E_FUNC:
        return bind_func(c, s, e, out);
    case TARN_SQL_E_CASE:
        return bind_case(c, s, e, out);
    case TARN_SQL_E_CAST: {
        tarn_xexpr *a;
        tarn_type t;
        if ((st = bind(c, s, e->args[0], &a)) != TARN_OK ||
            (st = parse_type(c, e->type_name, e->offset, &t)) != TARN_OK)
            return st;
        if (coerce(c, &a, t) != TARN_OK)
            return oom(c);
        *out = a;
        return TARN_OK;
    }
    case TARN_SQL_E_EXTRACT: {
        tarn_xexpr *x = xnew(c, TARN_X_FUNC, T(TARN_TYPE_INT64), 2, e->offset);
        tarn_xexpr *f = xnew(c, TARN_X_CONST, T(TARN_TYPE_STRING), 0, e->offset);
        if (!x || !f)
            return oom(c);
        f->k.type = f->type;
        f->k.bytes = (const uint8_t *)e->name;
        f->k.len = (int32_t)strlen(e->name);
        x->fn = TARN_FN_EXTRACT;
        x->args[0] = f;
        if ((st = bind(c, s, e->args[0], &x->args[1])) != TARN_OK)
            return st;
        tarn_type types[4] = {f->type, x->args[1]->type};
        const tarn_scalar *consts[2] = {&f->k, NULL};
        st = tarn_xfunc_bind(x->fn, types, consts, 2, &x->type, types + 2, c->err);
        if (st != TARN_OK)
            return qerr(c, e->offset, st, "%s", c->err->msg);
        if (coerce(c, &x->args[1], types[3]) != TARN_OK)
            return oom(c);
        *out = x;
        return TARN_OK;
    }
    case TARN_SQL_E_EXISTS:
    case TARN_SQL_E_SUBQUERY:
    case TARN_SQL_E_IN_QUERY:
        return bind_subquery(c, s, e, out);
    case TARN_SQL_E_INTERVAL:
        return qerr(c, e->offset, TARN_ERR_INVALID,
                    "an interval can only be added to or subtracted from a date or timestamp");
    }
    return qerr(c, e->offset, TARN_ERR_INTERNAL, "unknown expression");
}

/* FROM -------------------------------------------------------------------------- */

static tarn_status rel_copy(qctx *c, const rel *r, rel **out)
{
    int64_t *idx = tarn_alloc(sizeof(int64_t) * (size_t)(r->n_rows ? r->n_rows : 1));
    if (!idx)
        return oom(c);
    for (int64_t i = 0; i < r->n_rows; i++)
        idx[i] = i;
    tarn_status st = rel_take(c, r, idx, r->n_rows, out);
    tarn_free(idx);
    return st;
}

/* Moves every column of src to the end of dst and frees src. */
static tarn_status rel_concat_cols(qctx *c, rel *dst, rel *src)
{
    tarn_status st = TARN_OK;
    const char **all =
        tarn_arena_alloc(c->a, sizeof(char *) * (size_t)(dst->n_all + src->n_all + 1));
    if (all) {
        for (int i = 0; i < dst->n_all; i++)
            all[i] = dst->all[i];
        for (int i = 0; i < src->n_all; i++)
            all[dst->n_all + i] = src->all[i];
        dst->all = all;
        dst->n_all += src->n_all;
    }
    for (int i = 0; i < src->n; i++) {
        if (st == TARN_OK) {
            st = rel_add(c, dst, src->cols[i], src->meta[i].qual, src->meta[i].name);
            if (st == TARN_OK)
                dst->meta[dst->n - 1].hidden = src->meta[i].hidden;
        } else {
            tarn_vec_destroy(src->cols[i]);
        }
    }
    src->n = 0;
    rel_free(src);
    return st;
}

static const char *const_text(const tarn_sql_expr *e)
{
    return e && e->kind == TARN_SQL_E_LITERAL && e->text ? e->text : NULL;
}

static tarn_status run_from(qctx *c, const tarn_sql_from *f, const scope *outer,
                            const tarn_sql_expr *where, rel **out);

static tarn_status source_target(qctx *c, const tarn_sql_from *f, char *path, size_t cap,
                                 const char **label, const char **qual, tarn_delta_at *when);

/* Plans the scan of table source f, reading the columns the statement
 * names; `where` (or NULL) is pushed into the scan where it can be. */
static tarn_status plan_source(qctx *c, const tarn_sql_from *f, const tarn_sql_expr *where,
                               scan_plan *plan)
{
    char buf[4096];
    const char *label, *qual;
    tarn_delta_at when;
    tarn_status st = source_target(c, f, buf, sizeof buf, &label, &qual, &when);
    const char *path = st == TARN_OK ? tarn_arena_strdup(c->a, buf) : NULL;
    if (st == TARN_OK && !path)
        st = oom(c);
    if (st != TARN_OK)
        return st;
    names all = {0};
    all.star = true;
    return scan_prepare(c, path, label, qual, &when, c->want.star ? &all : &c->want, where,
                        f->offset, plan);
}

/* Where a table source's rows are: the path, a label for messages, the
 * qualifier its columns get, and the version to read. */
static tarn_status source_target(qctx *c, const tarn_sql_from *f, char *path, size_t cap,
                                 const char **label, const char **qual, tarn_delta_at *when)
{
    *label = NULL;
    *qual = f->alias;
    when->kind = TARN_DELTA_AT_LATEST;
    if (f->version) {
        const char *t = const_text(f->version);
        if (!t || f->version->lit != TARN_SQL_LIT_INT)
            return qerr(c, f->version->offset, TARN_ERR_INVALID, "VERSION AS OF expects a number");
        when->kind = TARN_DELTA_AT_VERSION;
        when->version = strtoll(t, NULL, 10);
    } else if (f->as_of_ts) {
        const char *t = const_text(f->as_of_ts);
        if (!t)
            return qerr(c, f->as_of_ts->offset, TARN_ERR_INVALID,
                        "TIMESTAMP AS OF expects a timestamp literal");
        when->kind = TARN_DELTA_AT_TIMESTAMP;
        if (tarn_parse_timestamp_ms(t, &when->timestamp_ms, c->err) != TARN_OK)
            return qerr(c, f->as_of_ts->offset, TARN_ERR_INVALID, "%s", c->err->msg);
    }
    if (f->n_parts == 2) {
        snprintf(path, cap, "%s/%s/%s", c->opts && c->opts->lake ? c->opts->lake : "lake",
                 f->parts[0], f->parts[1]);
        *label = tarn_arena_printf(c->a, "%s.%s", f->parts[0], f->parts[1]);
        if (!*qual)
            *qual = f->parts[1];
        if (!tarn_delta_is_table(path))
            return qerr(c, f->offset, TARN_ERR_NOT_FOUND, "unknown table %s (no Delta table at %s)",
                        *label, path);
        return TARN_OK;
    }
    if (f->n_parts == 1)
        return qerr(c, f->offset, TARN_ERR_NOT_FOUND,
                    "unknown table '%s': name tables layer.name (e.g. silver.%s) or quote a path",
                    f->parts[0], f->parts[0]);
    if (f->n_parts > 2)
        return qerr(c, f->offset, TARN_ERR_NOT_FOUND, "table names are layer.name");
    if (f->path) {
        snprintf(path, cap, "%s", f->path);
        *label = f->path;
    } else if (f->func) {
        const tarn_sql_expr *fn = f->func;
        if ((strcasecmp(fn->name, "read_parquet") && strcasecmp(fn->name, "delta_scan")) ||
            fn->n_args != 1 || !const_text(fn->args[0]) || fn->args[0]->lit != TARN_SQL_LIT_STRING)
            return qerr(c, fn->offset, TARN_ERR_NOT_FOUND,
                        "unknown table function %s(): use read_parquet('file') or "
                        "delta_scan('dir')",
                        fn->name);
        snprintf(path, cap, "%s", fn->args[0]->text);
        *label = fn->args[0]->text;
    } else {
        return qerr(c, f->offset, TARN_ERR_INTERNAL, "empty FROM source");
    }
    if (!*qual) {
        const char *slash = strrchr(*label, '/');
        *qual = slash && slash[1] ? slash + 1 : *label;
    }
    return TARN_OK;
}

static tarn_status source_rel(qctx *c, const tarn_sql_from *f, const scope *outer,
                              const tarn_sql_expr *where, rel **out)
{
    const char *alias = f->alias;
    tarn_status st;
    if (f->query) {
        c->depth++;
        plan_line(c, "subquery %s:", alias ? alias : "");
        c->depth++;
        st = run_query(c, f->query, outer, out);
        c->depth -= 2;
        if (st == TARN_OK)
            for (int i = 0; i < (*out)->n; i++)
                (*out)->meta[i].qual = alias;
        return st;
    }
    if (f->n_parts == 1 && !f->version && !f->as_of_ts) {
        for (int i = c->n_ctes - 1; i >= 0; i--) {
            if (strcasecmp(c->ctes[i].name, f->parts[0]))
                continue;
            cte_def *d = &c->ctes[i];
            if (!d->cached) {
                c->depth++;
                plan_line(c, "with %s:", d->name);
                c->depth++;
                st = run_query(c, d->query, NULL, &d->cached);
                c->depth -= 2;
                if (st != TARN_OK)
                    return st;
            }
            st = rel_copy(c, d->cached, out);
            if (st == TARN_OK)
                for (int k = 0; k < (*out)->n; k++)
                    (*out)->meta[k].qual = alias ? alias : d->name;
            return st;
        }
    }
    scan_plan plan;
    st = plan_source(c, f, where, &plan);
    return st == TARN_OK ? scan_rel(c, plan, f->offset, out) : st;
}

/* Whether every column e names resolves in r (and nothing needs a query). */
static bool refs_only(const tarn_sql_expr *e, const rel *r)
{
    if (!e)
        return true;
    if (e->kind == TARN_SQL_E_COLUMN)
        return find_col(r, e->qualifier, e->name) >= 0;
    if (e->query || e->kind == TARN_SQL_E_STAR)
        return false;
    for (int i = 0; i < e->n_args; i++)
        if (!refs_only(e->args[i], r))
            return false;
    for (int i = 0; i < e->n_whens; i++)
        if (!refs_only(e->whens[i], r) || !refs_only(e->thens[i], r))
            return false;
    return refs_only(e->else_expr, r);
}

static void conjuncts(const tarn_sql_expr *e, const tarn_sql_expr **out, int *n, int cap)
{
    if (e && e->kind == TARN_SQL_E_BINARY && !strcmp(e->name, "AND")) {
        conjuncts(e->args[0], out, n, cap);
        conjuncts(e->args[1], out, n, cap);
    } else if (e && *n < cap) {
        out[(*n)++] = e;
    }
}

static tarn_status eval_on(qctx *c, const rel *r, const tarn_sql_expr *e, tarn_type *want,
                           tarn_vec **out)
{
    scope s = {.r = r};
    tarn_xexpr *x;
    tarn_status st = bind(c, &s, e, &x);
    if (st == TARN_OK && want && want->id != TARN_TYPE_NULL)
        st = coerce(c, &x, *want);
    if (st != TARN_OK)
        return st;
    if (want && want->id == TARN_TYPE_NULL) {
        *want = x->type;
        return TARN_OK;
    }
    tarn_batch b = rel_batch(r);
    return at(c, e->offset, tarn_xeval_vec(x, &b, &c->env, out, c->err));
}

#define MAX_JOIN_KEYS 16

static tarn_status join_rels(qctx *c, const tarn_sql_from *f, rel *L, rel *R, rel **out)
{
    const tarn_sql_expr *conj[64];
    int n_conj = 0;
    conjuncts(f->on, conj, &n_conj, 64);
    tarn_vec *lk[MAX_JOIN_KEYS] = {0}, *rk[MAX_JOIN_KEYS] = {0};
    int nk = 0;
    bool used[64] = {0};
    tarn_status st = TARN_OK;
    /* USING (a, b): equal same-named columns; the right ones are hidden. */
    for (int u = 0; u < f->n_using && st == TARN_OK; u++) {
        int li = find_col(L, NULL, f->using[u]), ri = find_col(R, NULL, f->using[u]);
        if (li < 0 || ri < 0 || nk == MAX_JOIN_KEYS) {
            st = qerr(c, f->offset, TARN_ERR_NOT_FOUND, "USING column '%s' is not on both sides",
                      f->using[u]);
            break;
        }
        tarn_xexpr a = {.op = TARN_X_COL, .type = L->cols[li]->type};
        tarn_xexpr b = {.op = TARN_X_COL, .type = R->cols[ri]->type};
        tarn_type t;
        st = common_type(c, &a, &b, f->offset, &t);
        if (st == TARN_OK)
            st = tarn_x_cast(L->cols[li], t, &lk[nk], c->err);
        if (st == TARN_OK)
            st = tarn_x_cast(R->cols[ri], t, &rk[nk], c->err);
        nk++;
        R->meta[ri].hidden = true;
    }
    /* ON: equalities between one side and the other become hash keys. */
    for (int k = 0; k < n_conj && st == TARN_OK && nk < MAX_JOIN_KEYS; k++) {
        const tarn_sql_expr *e = conj[k];
        if (e->kind != TARN_SQL_E_BINARY || strcmp(e->name, "="))
            continue;
        const tarn_sql_expr *x = e->args[0], *y = e->args[1];
        if (refs_only(y, L) && refs_only(x, R) && !refs_only(x, L)) {
            const tarn_sql_expr *t = x;
            x = y;
            y = t;
        }
        if (!refs_only(x, L) || !refs_only(y, R) || refs_only(y, L) || refs_only(x, R))
            continue;
        tarn_type tl = T(TARN_TYPE_NULL), tr = T(TARN_TYPE_NULL), t;
        st = eval_on(c, L, x, &tl, NULL);
        if (st == TARN_OK)
            st = eval_on(c, R, y, &tr, NULL);
        tarn_xexpr a = {.op = TARN_X_COL, .type = tl}, b = {.op = TARN_X_COL, .type = tr};
        if (st == TARN_OK)
            st = common_type(c, &a, &b, e->offset, &t);
        if (st == TARN_OK)
            st = eval_on(c, L, x, &t, &lk[nk]);
        if (st == TARN_OK)
            st = eval_on(c, R, y, &t, &rk[nk]);
        nk++;
        used[k] = true;
    }
    int64_t *li = NULL, *ri = NULL, np = 0;
    if (st == TARN_OK && nk > 0) {
        st = tarn_rel_join(lk, rk, nk, L->n_rows, R->n_rows, &li, &ri, &np, c->err);
    } else if (st == TARN_OK) { /* no equality: every pair */
        np = L->n_rows * R->n_rows;
        if (L->n_rows && np / L->n_rows != R->n_rows ? true : np > 500000000)
            st = qerr(c, f->offset, TARN_ERR_LIMIT, "join without equality would make %lld rows",
                      (long long)np);
        li = st == TARN_OK ? tarn_alloc(sizeof(int64_t) * (size_t)(np ? np : 1)) : NULL;
        ri = st == TARN_OK ? tarn_alloc(sizeof(int64_t) * (size_t)(np ? np : 1)) : NULL;
        if (st == TARN_OK && (!li || !ri))
            st = oom(c);
        for (int64_t i = 0, k = 0; st == TARN_OK && i < L->n_rows; i++)
            for (int64_t j = 0; j < R->n_rows; j++, k++) {
                li[k] = i;
                ri[k] = j;
            }
    }
    for (int k = 0; k < nk; k++) {
        tarn_vec_destroy(lk[k]);
        tarn_vec_destroy(rk[k]);
    }
    /* Other ON conditions filter the candidate pairs. */
    rel *J = NULL;
    if (st == TARN_OK) {
        rel *a = NULL, *b = NULL;
        st = rel_take(c, L, li, np, &a);
        if (st == TARN_OK)
            st = rel_take(c, R, ri, np, &b);
        if (st == TARN_OK) {
            st = rel_concat_cols(c, a, b);
            b = NULL;
            J = a;
            a = NULL;
        }
        rel_free(a);
        rel_free(b);
    }
    int n_rest = 0;
    for (int k = 0; k < n_conj; k++)
        n_rest += !used[k];
    if (st == TARN_OK && n_rest) {
        int64_t *sel = tarn_alloc(sizeof(int64_t) * (size_t)(np ? np : 1)), ns = np;
        if (!sel)
            st = oom(c);
        for (int k = 0; k < n_conj && st == TARN_OK; k++) {
            if (used[k])
                continue;
            scope s = {.r = J};
            tarn_xexpr *x;
            st = bind(c, &s, conj[k], &x);
            if (st == TARN_OK && x->type.id != TARN_TYPE_BOOL)
                st = qerr(c, conj[k]->offset, TARN_ERR_INVALID, "ON expects a boolean condition");
            tarn_batch b = rel_batch(J);
            int64_t m = 0;
            if (st == TARN_OK)
                st = at(c, conj[k]->offset, tarn_xeval_select(x, &b, &c->env, sel, &m, c->err));
            if (st == TARN_OK && m < J->n_rows) {
                rel *K = NULL;
                st = rel_take(c, J, sel, m, &K);
                for (int64_t i = 0; i < m; i++) {
                    li[i] = li[sel[i]];
                    ri[i] = ri[sel[i]];
                }
                rel_free(J);
                J = K;
                ns = m;
            }
        }
        np = ns;
        tarn_free(sel);
    }
    /* Outer joins: rows of the preserved side(s) that matched nothing. */
    bool keep_l = f->join == TARN_SQL_JOIN_LEFT || f->join == TARN_SQL_JOIN_FULL;
    bool keep_r = f->join == TARN_SQL_JOIN_RIGHT || f->join == TARN_SQL_JOIN_FULL;
    if (st == TARN_OK && (keep_l || keep_r)) {
        uint8_t *ml = tarn_calloc((size_t)L->n_rows + 1, 1),
                *mr = tarn_calloc((size_t)R->n_rows + 1, 1);
        int64_t extra = 0;
        if (!ml || !mr)
            st = oom(c);
        for (int64_t k = 0; st == TARN_OK && k < np; k++) {
            ml[li[k]] = 1;
            mr[ri[k]] = 1;
        }
        for (int64_t i = 0; keep_l && st == TARN_OK && i < L->n_rows; i++)
            extra += !ml[i];
        for (int64_t j = 0; keep_r && st == TARN_OK && j < R->n_rows; j++)
            extra += !mr[j];
        int64_t *xl = st == TARN_OK ? tarn_alloc(sizeof(int64_t) * (size_t)(extra + 1)) : NULL;
        int64_t *xr = st == TARN_OK ? tarn_alloc(sizeof(int64_t) * (size_t)(extra + 1)) : NULL;
        if (st == TARN_OK && (!xl || !xr))
            st = oom(c);
        int64_t k = 0;
        for (int64_t i = 0; keep_l && st == TARN_OK && i < L->n_rows; i++)
            if (!ml[i]) {
                xl[k] = i;
                xr[k++] = -1;
            }
        for (int64_t j = 0; keep_r && st == TARN_OK && j < R->n_rows; j++)
            if (!mr[j]) {
                xl[k] = -1;
                xr[k++] = j;
            }
        if (st == TARN_OK && extra) {
            rel *a = NULL, *b = NULL;
            st = rel_take(c, L, xl, extra, &a);
            if (st == TARN_OK)
                st = rel_take(c, R, xr, extra, &b);
            for (int i = 0; st == TARN_OK && i < J->n; i++) {
                const tarn_vec *src = i < L->n ? a->cols[i] : b->cols[i - L->n];
                if (tarn_vec_append_range(J->cols[i], src, 0, extra) != TARN_OK)
                    st = oom(c);
            }
            J->n_rows += extra;
            rel_free(a);
            rel_free(b);
        }
        tarn_free(ml);
        tarn_free(mr);
        tarn_free(xl);
        tarn_free(xr);
    }
    tarn_free(li);
    tarn_free(ri);
    rel_free(L);
    rel_free(R);
    if (st != TARN_OK) {
        rel_free(J);
        return st;
    }
    static const char *const kinds[] = {"", "inner", "left", "right", "full", "cross"};
    plan_line(c, "%s join: %lld rows", kinds[f->join], (long long)J->n_rows);
    *out = J;
    return TARN_OK;
}

static tarn_status run_from(qctx *c, const tarn_sql_from *f, const scope *outer,
                            const tarn_sql_expr *where, rel **out)
{
    if (f->join == TARN_SQL_JOIN_NONE)
        return source_rel(c, f, outer, where, out);
    rel *L = NULL, *R = NULL;
    c->depth++;
    tarn_status st = run_from(c, f->left, outer, NULL, &L);
    if (st == TARN_OK)
        st = run_from(c, f->right, outer, NULL, &R);
    c->depth--;
    if (st != TARN_OK) {
        rel_free(L);
        rel_free(R);
        return st;
    }
    return join_rels(c, f, L, R, out);
}

/* SELECT ------------------------------------------------------------------------ */

/* Collects the calls of e, once per distinct canonical text: aggregate
 * calls (windows = false; also inside OVER clauses) or window calls
 * (windows = true). Subqueries are their own scope. */
static void collect_calls(qctx *c, const tarn_sql_expr *e, bool windows, agg_call **out, int *n,
                          int *cap, bool *oom_flag)
{
    if (!e || (windows && e->query))
        return;
    if (windows ? e->kind == TARN_SQL_E_FUNC && e->over : is_agg_call(e)) {
        char *t = expr_text(c, e);
        if (!t) {
            *oom_flag = true;
            return;
        }
        for (int i = 0; i < *n; i++)
            if (!strcmp((*out)[i].text, t))
                return;
        if (*n == *cap && !tarn_grow((void **)out, *n, cap, sizeof **out)) {
            *oom_flag = true;
            return;
        }
        (*out)[(*n)++] = (agg_call){e, t};
        return;
    }
    for (int i = 0; i < e->n_args; i++)
        collect_calls(c, e->args[i], windows, out, n, cap, oom_flag);
    for (int i = 0; i < e->n_whens; i++) {
        collect_calls(c, e->whens[i], windows, out, n, cap, oom_flag);
        collect_calls(c, e->thens[i], windows, out, n, cap, oom_flag);
    }
    collect_calls(c, e->else_expr, windows, out, n, cap, oom_flag);
    for (int i = 0; !windows && e->over && i < e->over->n_partition; i++)
        collect_calls(c, e->over->partition[i], windows, out, n, cap, oom_flag);
    for (int i = 0; !windows && e->over && i < e->over->n_order; i++)
        collect_calls(c, e->over->order[i].expr, windows, out, n, cap, oom_flag);
}

static tarn_status eval_on_rel(qctx *c, const scope *s, const tarn_xexpr *x, int offset,
                               tarn_vec **out)
{
    tarn_batch b = rel_batch(s->r);
    return at(c, offset, tarn_xeval_vec(x, &b, &c->env, out, c->err));
}

/* Keeps the rows of *r where e is true. */
static tarn_status filter_rel(qctx *c, const scope *s, rel **r, const tarn_sql_expr *e,
                              const char *what)
{
    tarn_xexpr *x;
    tarn_status st = bind(c, s, e, &x);
    if (st != TARN_OK)
        return st;
    if (x->type.id == TARN_TYPE_NULL)
        (void)coerce(c, &x, T(TARN_TYPE_BOOL));
    if (x->type.id != TARN_TYPE_BOOL)
        return qerr(c, e->offset, TARN_ERR_INVALID, "%s expects a boolean condition", what);
    int64_t *sel = tarn_alloc(sizeof(int64_t) * (size_t)((*r)->n_rows + 1)), m = 0;
    if (!sel)
        return oom(c);
    tarn_batch b = rel_batch(*r);
    st = at(c, e->offset, tarn_xeval_select(x, &b, &c->env, sel, &m, c->err));
    if (st == TARN_OK && m < (*r)->n_rows) {
        rel *o;
        st = rel_take(c, *r, sel, m, &o);
        if (st == TARN_OK) {
            rel_free(*r);
            *r = o;
        }
    }
    tarn_free(sel);
    if (st == TARN_OK)
        plan_line(c, "filter (%s): %lld rows", what, (long long)(*r)->n_rows);
    return st;
}

static const tarn_sql_expr *item_for(const tarn_sql_select *sel, const tarn_sql_expr *e)
{
    /* GROUP BY 2 / GROUP BY alias */
    if (e->kind == TARN_SQL_E_LITERAL && e->lit == TARN_SQL_LIT_INT) {
        long k = strtol(e->text, NULL, 10);
        if (k >= 1 && k <= sel->n_items && sel->items[k - 1].expr->kind != TARN_SQL_E_STAR)
            return sel->items[k - 1].expr;
    }
    return e;
}

static const char *agg_fn_kind(const tarn_sql_expr *e, tarn_agg_kind *k)
{
    const char *n = e->name;
    if (!strcasecmp(n, "count"))
        *k = e->star || e->n_args == 0 ? TARN_AGG_COUNT_STAR : TARN_AGG_COUNT;
    else if (!strcasecmp(n, "sum"))
        *k = TARN_AGG_SUM;
    else if (!strcasecmp(n, "avg") || !strcasecmp(n, "mean"))
        *k = TARN_AGG_AVG;
    else if (!strcasecmp(n, "min"))
        *k = TARN_AGG_MIN;
    else
        *k = TARN_AGG_MAX;
    return n;
}

/* GROUP BY key k: an expression, a select-list position, or an alias that
 * is no input column. */
static const tarn_sql_expr *group_key(const tarn_sql_select *sel, int k, const rel *in)
{
    const tarn_sql_expr *e = item_for(sel, sel->group_by[k]);
    if (e->kind == TARN_SQL_E_COLUMN && !e->qualifier && find_col(in, NULL, e->name) < 0)
        for (int i = 0; i < sel->n_items; i++)
            if (sel->items[i].alias && !strcasecmp(sel->items[i].alias, e->name))
                return sel->items[i].expr;
    return e;
}

/* GROUP BY and aggregates: *r becomes the grouped relation (keys, then
 * aggregate values) and *s the scope that reads it. */
static tarn_status group_rel(qctx *c, const tarn_sql_select *sel, const agg_call *aggs, int n_aggs,
                             rel **r, scope *s)
{
    rel *in = *r;
    scope is = {.r = in, .outer = s->outer};
    int nk = sel->n_group_by;
    tarn_vec **keys = tarn_calloc((size_t)nk + 1, sizeof *keys);
    int64_t *gid = tarn_alloc(sizeof(int64_t) * (size_t)(in->n_rows + 1)), ng = 0, *first = NULL;
    s->key_text = tarn_arena_calloc(c->a, (size_t)nk + 1, sizeof(char *));
    s->key_col = tarn_arena_calloc(c->a, (size_t)nk + 1, sizeof(int));
    rel *G = rel_new();
    tarn_status st = keys && gid && s->key_text && s->key_col && G ? TARN_OK : oom(c);
    for (int k = 0; k < nk && st == TARN_OK; k++) {
        const tarn_sql_expr *e = group_key(sel, k, in);
        s->key_text[k] = expr_text(c, e);
        s->key_col[k] = e->kind == TARN_SQL_E_COLUMN ? find_col(in, e->qualifier, e->name) : -1;
        tarn_xexpr *x;
        st = bind(c, &is, e, &x);
        if (st == TARN_OK)
            st = eval_on_rel(c, &is, x, e->offset, &keys[k]);
    }
    if (st == TARN_OK)
        st = at(c, 0, tarn_rel_group(keys, nk, in->n_rows, gid, &ng, &first, c->err));
    for (int k = 0; k < nk && st == TARN_OK; k++) {
        tarn_vec *v = tarn_vec_create_type(keys[k]->type);
        if (!v)
            st = oom(c);
        else if ((st = tarn_rel_take(v, keys[k], first, ng, c->err)) != TARN_OK)
            tarn_vec_destroy(v);
        else
            st = rel_add(c, G, v, NULL, s->key_text[k]);
    }
    for (int a = 0; a < n_aggs && st == TARN_OK; a++) {
        const tarn_sql_expr *e = aggs[a].e;
        tarn_agg_kind kind;
        agg_fn_kind(e, &kind);
        tarn_vec *arg = NULL, *v = NULL;
        tarn_type t = T(TARN_TYPE_INT64);
        if (kind != TARN_AGG_COUNT_STAR) {
            if (e->n_args != 1) {
                st = qerr(c, e->offset, TARN_ERR_INVALID, "%s() takes one argument", e->name);
                break;
            }
            tarn_xexpr *x;
            st = bind(c, &is, e->args[0], &x);
            if (st == TARN_OK)
                st = eval_on_rel(c, &is, x, e->offset, &arg);
            if (st == TARN_OK)
                st = tarn_agg_type(kind, arg->type, &t, c->err);
            if (st != TARN_OK) {
                tarn_vec_destroy(arg);
                st = at(c, e->offset, st);
                break;
            }
        }
        st = at(c, e->offset,
                tarn_agg_compute(kind, e->distinct, arg, gid, in->n_rows, ng, t, &v, c->err));
        tarn_vec_destroy(arg);
        if (st == TARN_OK)
            st = rel_add(c, G, v, NULL, aggs[a].text);
    }
    /* Aggregates without GROUP BY over no rows still give one row. */
    if (st == TARN_OK && nk == 0 && ng == 0) {
        int64_t one = 0;
        for (int a = 0; a < n_aggs && st == TARN_OK; a++) {
            tarn_agg_kind kind;
            agg_fn_kind(aggs[a].e, &kind);
            tarn_vec *v = G->cols[a];
            tarn_vec_reset(v);
            st = (kind == TARN_AGG_COUNT_STAR || kind == TARN_AGG_COUNT) ? tarn_vec_append_i64(v, 0)
                                                                         : tarn_vec_append_null(v);
            (void)one;
        }
        ng = 1;
    }
    G->n_rows = ng;
    for (int k = 0; k < nk; k++)
        tarn_vec_destroy(keys[k]);
    tarn_free(keys);
    tarn_free(gid);
    tarn_free(first);
    if (st != TARN_OK) {
        rel_free(G);
        return st;
    }
    plan_line(c, "aggregate: %d keys, %d aggregates, %lld groups", nk, n_aggs, (long long)ng);
    s->r = G;
    s->grouped = true;
    s->input = in;
    s->n_keys = nk;
    s->n_aggs = n_aggs;
    *r = G;
    return TARN_OK;
}

/* Streaming GROUP BY: a scan's batches filtered and folded into one hash
 * table per thread, without materialising the table. */
#define MAX_STREAM_JOINS 8

typedef struct stream_part {
    tarn_hagg *h;
    int64_t *sel;
    int64_t cap;
    tarn_vec **taken;                    /* the batch's filtered rows */
    tarn_vec **joined[MAX_STREAM_JOINS]; /* the batch after each join (owned) */
    tarn_vec **view[MAX_STREAM_JOINS];   /* what the next step reads (borrowed) */
    int n_joined[MAX_STREAM_JOINS];
    int64_t *li, *ri, pcap; /* join pairs */
} stream_part;

/* An inner join applied to every streamed batch: the build side is
 * materialised and hashed once. */
typedef struct stream_join {
    rel *build;
    tarn_vec *rkeys[16];
    const tarn_xexpr *lkeys[16];
    int nk;
    tarn_join_table *table;
    const bool *used; /* per output column: read later (else not gathered) */
} stream_join;

typedef struct stream_ctx {
    stream_join *joins;
    int n_joins;
    const tarn_xexpr *where;
    const tarn_xexpr **keys;
    int n_keys;
    const tarn_xexpr **args; /* NULL for count(*) */
    int n_aggs;
    const tarn_xenv *env;
    stream_part *parts;
} stream_ctx;

/* Replaces *b by its inner join with join j's build side. */
static tarn_status stream_join_batch(const stream_join *jn, int j, stream_part *p,
                                     const tarn_xenv *env, tarn_batch *b, tarn_err *err)
{
    tarn_vec *lk[16];
    tarn_xval held[16];
    int n_held = 0;
    tarn_status st = TARN_OK;
    for (int k = 0; k < jn->nk && st == TARN_OK; k++) {
        if (jn->lkeys[k]->op == TARN_X_COL) {
            lk[k] = b->cols[jn->lkeys[k]->col];
            continue;
        }
        st = tarn_xeval_vec(jn->lkeys[k], b, env, &lk[k], err);
        if (st == TARN_OK)
            held[n_held++] = (tarn_xval){lk[k], false, true};
    }
    int64_t np = 0;
    if (st == TARN_OK)
        st = tarn_join_table_probe(jn->table, lk, b->n_rows, &p->li, &p->ri, &p->pcap, &np, err);
    int n_out = b->n_cols + jn->build->n;
    if (st == TARN_OK && !p->joined[j]) {
        p->joined[j] = tarn_calloc((size_t)n_out, sizeof(tarn_vec *));
        p->view[j] = tarn_calloc((size_t)n_out, sizeof(tarn_vec *));
        p->n_joined[j] = n_out;
        if (!p->joined[j] || !p->view[j])
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    /* Every row matched once, in order: the left columns pass through. */
    bool identity = np == b->n_rows;
    for (int64_t k = 0; identity && k < np; k++)
        identity = p->li[k] == k;
    for (int i = 0; i < n_out && st == TARN_OK; i++) {
        const tarn_vec *src = i < b->n_cols ? b->cols[i] : jn->build->cols[i - b->n_cols];
        p->view[j][i] = NULL;
        if (!jn->used[i] || !src)
            continue;
        if (i < b->n_cols && identity) {
            p->view[j][i] = b->cols[i];
            continue;
        }
        tarn_vec **dst = &p->joined[j][i];
        if (!*dst && !(*dst = tarn_vec_create_type(src->type))) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        tarn_vec_reset(*dst);
        st = tarn_rel_take(*dst, src, i < b->n_cols ? p->li : p->ri, np, err);
        p->view[j][i] = *dst;
    }
    for (int k = 0; k < n_held; k++)
        tarn_xval_release(&held[k]);
    if (st == TARN_OK) {
        b->cols = p->view[j];
        b->n_cols = n_out;
        b->n_rows = np;
    }
    return st;
}

static tarn_status stream_batch(void *ctx, int part, const tarn_batch *b, tarn_err *err)
{
    stream_ctx *x = ctx;
    stream_part *p = &x->parts[part];
    tarn_batch fb = *b;
    tarn_status st = TARN_OK;
    for (int j = 0; j < x->n_joins; j++)
        TARN_TRY(stream_join_batch(&x->joins[j], j, p, x->env, &fb, err));
    if (fb.n_rows == 0)
        return TARN_OK;
    if (x->where) {
        if (fb.n_rows > p->cap) {
            tarn_free(p->sel);
            p->sel = tarn_alloc(sizeof(int64_t) * (size_t)fb.n_rows);
            p->cap = p->sel ? fb.n_rows : 0;
            if (!p->sel)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
        int64_t m = 0;
        TARN_TRY(tarn_xeval_select(x->where, &fb, x->env, p->sel, &m, err));
        if (m == 0)
            return TARN_OK;
        if (m < fb.n_rows) {
            if (!p->taken && !(p->taken = tarn_calloc((size_t)fb.n_cols + 1, sizeof *p->taken)))
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            for (int i = 0; i < fb.n_cols && st == TARN_OK; i++) {
                if (!fb.cols[i]) { /* a column nothing reads */
                    p->taken[i] = NULL;
                    continue;
                }
                if (!p->taken[i] && !(p->taken[i] = tarn_vec_create_type(fb.cols[i]->type)))
                    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                tarn_vec_reset(p->taken[i]);
                st = tarn_rel_take(p->taken[i], fb.cols[i], p->sel, m, err);
            }
            fb.cols = p->taken;
            fb.n_rows = m;
        }
    }
    tarn_xval vals[64];
    tarn_vec *kv[32], *av[32];
    int ne = 0;
    for (int k = 0; k < x->n_keys + x->n_aggs && st == TARN_OK; k++) {
        const tarn_xexpr *e = k < x->n_keys ? x->keys[k] : x->args[k - x->n_keys];
        tarn_vec **slot = k < x->n_keys ? &kv[k] : &av[k - x->n_keys];
        *slot = NULL;
        if (!e)
            continue;
        if (e->op == TARN_X_COL) {
            *slot = fb.cols[e->col];
            continue;
        }
        tarn_vec *v;
        st = tarn_xeval_vec(e, &fb, x->env, &v, err);
        if (st == TARN_OK) {
            vals[ne++] = (tarn_xval){v, false, true};
            *slot = v;
        }
    }
    if (st == TARN_OK)
        st = tarn_hagg_add(p->h, kv, av, fb.n_rows, err);
    for (int k = 0; k < ne; k++)
        tarn_xval_release(&vals[k]);
    return st;
}

/* Whether the SELECT can stream its aggregation: one table (no CTE, no
 * subquery), at most 32 keys and aggregates. */
static bool stream_shape(qctx *c, const tarn_sql_select *sel, int n_aggs)
{
    if ((!sel->n_group_by && !n_aggs) || sel->n_from != 1 || sel->n_group_by > 32 || n_aggs > 32)
        return false;
    const tarn_sql_from *f = sel->from[0];
    int n_joins = 0;
    while (f->join == TARN_SQL_JOIN_INNER && f->on && !f->n_using && n_joins < MAX_STREAM_JOINS) {
        f = f->left;
        n_joins++;
    }
    if (f->join != TARN_SQL_JOIN_NONE || f->query)
        return false;
    if (f->n_parts == 1)
        return false; /* a CTE (or an unknown table: the normal path says so) */
    (void)c;
    return true;
}

/* Template relation: src's columns (no rows) appended to t. */
static tarn_status template_add(qctx *c, rel *t, const rel *src)
{
    for (int i = 0; i < src->n; i++) {
        tarn_vec *v = tarn_vec_create_type(src->cols[i]->type);
        tarn_status st = v ? rel_add(c, t, v, src->meta[i].qual, src->meta[i].name) : oom(c);
        if (st != TARN_OK)
            return st;
        t->meta[t->n - 1].hidden = src->meta[i].hidden;
    }
    const char **all = tarn_arena_alloc(c->a, sizeof(char *) * (size_t)(t->n_all + src->n_all + 1));
    if (!all)
        return oom(c);
    for (int i = 0; i < t->n_all; i++)
        all[i] = t->all[i];
    for (int i = 0; i < src->n_all; i++)
        all[t->n_all + i] = src->all[i];
    t->all = all;
    t->n_all += src->n_all;
    return TARN_OK;
}

/* Sets up join jn (ON on) over the template tpl (the rows so far) and the
 * materialised build side; *fallback when ON is not all equalities
 * between the two sides. Appends the build side's columns to tpl. */
static tarn_status stream_join_setup(qctx *c, const tarn_sql_from *node, rel *tpl, stream_join *jn,
                                     bool *fallback)
{
    const tarn_sql_expr *conj[16];
    int n_conj = 0;
    conjuncts(node->on, conj, &n_conj, 16);
    rel *R = jn->build;
    tarn_status st = TARN_OK;
    for (int k = 0; k < n_conj && st == TARN_OK; k++) {
        const tarn_sql_expr *e = conj[k];
        if (e->kind != TARN_SQL_E_BINARY || strcmp(e->name, "=")) {
            *fallback = true;
            return TARN_OK;
        }
        const tarn_sql_expr *x = e->args[0], *y = e->args[1];
        if (refs_only(y, tpl) && refs_only(x, R) && !refs_only(x, tpl)) {
            const tarn_sql_expr *t = x;
            x = y;
            y = t;
        }
        if (!refs_only(x, tpl) || !refs_only(y, R) || refs_only(y, tpl) || refs_only(x, R) ||
            jn->nk == 16) {
            *fallback = true;
            return TARN_OK;
        }
        scope ls = {.r = tpl};
        tarn_xexpr *lx;
        tarn_type tr = T(TARN_TYPE_NULL), t;
        st = bind(c, &ls, x, &lx);
        if (st == TARN_OK)
            st = eval_on(c, R, y, &tr, NULL);
        tarn_xexpr b = {.op = TARN_X_COL, .type = tr};
        if (st == TARN_OK)
            st = common_type(c, lx, &b, e->offset, &t);
        if (st == TARN_OK)
            st = coerce(c, &lx, t);
        if (st == TARN_OK)
            st = eval_on(c, R, y, &t, &jn->rkeys[jn->nk]);
        if (st == TARN_OK)
            jn->lkeys[jn->nk++] = lx;
    }
    if (st == TARN_OK)
        st = at(c, node->offset,
                tarn_join_table_build(jn->rkeys, jn->nk, R->n_rows, &jn->table, c->err));
    if (st == TARN_OK)
        st = template_add(c, tpl, R);
    return st;
}

/* Runs FROM + WHERE + GROUP BY as one streaming pass. Returns
 * TARN_ERR_UNSUPPORTED with *fallback set when an aggregate cannot stream
 * (nothing has run then). */
/* Marks the input columns e reads. */
static void mark_cols(const tarn_xexpr *e, bool *used)
{
    if (!e)
        return;
    if (e->op == TARN_X_COL)
        used[e->col] = true;
    for (int i = 0; i < e->n_args; i++)
        mark_cols(e->args[i], used);
}

static void stream_joins_free(stream_join *joins, int n)
{
    for (int j = 0; j < n; j++) {
        tarn_join_table_destroy(joins[j].table);
        for (int k = 0; k < 16; k++)
            tarn_vec_destroy(joins[j].rkeys[k]);
        rel_free(joins[j].build);
    }
}

/* outv[0..nk] are the distinct (keys, x) pairs: replaces them with the keys
 * of each group and the aggregates of x per group in outv[nk..nk+n_aggs). */
static tarn_status distinct_aggs(qctx *c, tarn_vec **outv, int nk, const tarn_agg_kind *kinds,
                                 const tarn_type *ot, int n_aggs, int64_t *ng)
{
    tarn_vec *x = outv[nk];
    int64_t n = x->len, groups = 0, *first = NULL;
    int64_t *gid = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    tarn_status st = gid ? tarn_rel_group(outv, nk, n, gid, &groups, &first, c->err) : oom(c);
    tarn_vec *res[32] = {0};
    for (int a = 0; a < n_aggs && st == TARN_OK; a++)
        st = tarn_agg_compute(kinds[a], false, kinds[a] == TARN_AGG_COUNT_STAR ? NULL : x, gid, n,
                              groups, ot[a], &res[a], c->err);
    if (st == TARN_OK && nk == 0 && groups == 0) { /* no rows: one row */
        for (int a = 0; a < n_aggs && st == TARN_OK; a++) {
            tarn_vec_reset(res[a]);
            st = kinds[a] == TARN_AGG_COUNT || kinds[a] == TARN_AGG_COUNT_STAR
                     ? tarn_vec_append_i64(res[a], 0)
                     : tarn_vec_append_null(res[a]);
        }
        groups = 1;
    }
    for (int k = 0; k < nk && st == TARN_OK; k++) {
        tarn_vec *v = tarn_vec_create_type(outv[k]->type);
        st = v ? tarn_rel_take(v, outv[k], first, groups, c->err) : oom(c);
        tarn_vec_destroy(outv[k]);
        outv[k] = v;
    }
    tarn_vec_destroy(x);
    for (int a = 0; a < n_aggs; a++)
        outv[nk + a] = res[a];
    tarn_free(gid);
    tarn_free(first);
    *ng = groups;
    return st;
}

static tarn_status stream_group(qctx *c, const tarn_sql_select *sel, const agg_call *aggs,
                                int n_aggs, const scope *outer, rel **r, rel **input, scope *s,
                                bool *fallback)
{
    *fallback = false;
    /* The streamed table is the leftmost source; inner joins hang off it. */
    const tarn_sql_from *f = sel->from[0], *chain[MAX_STREAM_JOINS];
    int n_joins = 0;
    while (f->join == TARN_SQL_JOIN_INNER) {
        chain[n_joins++] = f;
        f = f->left;
    }
    stream_join joins[MAX_STREAM_JOINS];
    memset(joins, 0, sizeof joins);
    scan_plan plan;
    /* Pushing WHERE into the scan is safe only when it reads no other table. */
    tarn_status st = plan_source(c, f, n_joins ? NULL : sel->where, &plan);
    if (st != TARN_OK)
        return st;
    rel *tpl = NULL;
    st = plan_rel(c, &plan, &tpl);
    for (int j = 0; j < n_joins && st == TARN_OK && !*fallback; j++) {
        const tarn_sql_from *node = chain[n_joins - 1 - j];
        c->depth++;
        st = run_from(c, node->right, outer, NULL, &joins[j].build);
        c->depth--;
        if (st == TARN_OK)
            st = stream_join_setup(c, node, tpl, &joins[j], fallback);
    }
    int nk = sel->n_group_by;
    const tarn_xexpr *kx[32] = {0}, *ax[32] = {0};
    tarn_xexpr *where = NULL;
    tarn_type kt[32], at_[32], ot[32];
    tarn_agg_kind kinds[32];
    scope is = {.r = tpl, .outer = outer};
    s->key_text = tarn_arena_calloc(c->a, (size_t)nk + 1, sizeof(char *));
    s->key_col = tarn_arena_calloc(c->a, (size_t)nk + 1, sizeof(int));
    if (st == TARN_OK && (!s->key_text || !s->key_col))
        st = oom(c);
    for (int k = 0; k < nk && st == TARN_OK; k++) {
        const tarn_sql_expr *e = group_key(sel, k, tpl);
        s->key_text[k] = expr_text(c, e);
        s->key_col[k] = e->kind == TARN_SQL_E_COLUMN ? find_col(tpl, e->qualifier, e->name) : -1;
        tarn_xexpr *x;
        st = bind(c, &is, e, &x);
        if (st == TARN_OK && x->type.id == TARN_TYPE_NULL)
            st = coerce(c, &x, T(TARN_TYPE_STRING));
        kx[k] = x;
        kt[k] = st == TARN_OK ? x->type : T(TARN_TYPE_NULL);
        if (st == TARN_OK && tarn_type_is_nested(kt[k].id))
            *fallback = true;
    }
    /* Every aggregate DISTINCT over one argument: stream the distinct
     * (keys, argument) pairs, then aggregate those. */
    bool dmode = n_aggs > 0 && nk < 32;
    char *darg = NULL;
    for (int a = 0; a < n_aggs && dmode; a++) {
        const tarn_sql_expr *e = aggs[a].e;
        char *t = e->distinct && e->n_args == 1 ? expr_text(c, e->args[0]) : NULL;
        dmode = t && (!darg || !strcmp(t, darg));
        darg = t;
    }
    for (int a = 0; a < n_aggs && st == TARN_OK; a++) {
        const tarn_sql_expr *e = aggs[a].e;
        agg_fn_kind(e, &kinds[a]);
        at_[a] = T(TARN_TYPE_INT64);
        if (kinds[a] != TARN_AGG_COUNT_STAR) {
            if (e->n_args != 1) {
                st = qerr(c, e->offset, TARN_ERR_INVALID, "%s() takes one argument", e->name);
                break;
            }
            tarn_xexpr *x;
            st = bind(c, &is, e->args[0], &x);
            if (st == TARN_OK && x->type.id == TARN_TYPE_NULL)
                st = coerce(c, &x, T(TARN_TYPE_INT64));
            if (st != TARN_OK)
                break;
            ax[a] = x;
            at_[a] = x->type;
        }
        st = at(c, e->offset, tarn_agg_type(kinds[a], at_[a], &ot[a], c->err));
        if (st == TARN_OK && !dmode && !tarn_hagg_supports(kinds[a], e->distinct, at_[a]))
            *fallback = true;
    }
    if (st == TARN_OK && sel->where && !*fallback) {
        st = bind(c, &is, sel->where, &where);
        if (st == TARN_OK && where->type.id == TARN_TYPE_NULL)
            st = coerce(c, &where, T(TARN_TYPE_BOOL));
        if (st == TARN_OK && where->type.id != TARN_TYPE_BOOL)
            st = qerr(c, sel->where->offset, TARN_ERR_INVALID, "WHERE expects a boolean condition");
    }
    if (st != TARN_OK || *fallback) {
        stream_joins_free(joins, n_joins);
        rel_free(tpl);
        scan_plan_fini(&plan);
        return st != TARN_OK ? st : TARN_ERR_UNSUPPORTED;
    }
    /* Columns a join must gather: those read after it. */
    bool *used = tarn_arena_calloc(c->a, (size_t)tpl->n + 1, sizeof(bool));
    if (!used) {
        stream_joins_free(joins, n_joins);
        rel_free(tpl);
        scan_plan_fini(&plan);
        return oom(c);
    }
    mark_cols(where, used);
    for (int k = 0; k < nk; k++)
        mark_cols(kx[k], used);
    for (int a = 0; a < n_aggs; a++)
        mark_cols(ax[a], used);
    for (int j = 0; j < n_joins; j++) {
        for (int k = 0; k < joins[j].nk; k++)
            mark_cols(joins[j].lkeys[k], used);
        joins[j].used = used;
    }
    tarn_hagg_spec spec = {nk, kt, n_aggs, kinds, at_, ot};
    if (dmode) {
        kx[nk] = ax[0];
        kt[nk] = at_[0];
        spec = (tarn_hagg_spec){nk + 1, kt, 0, kinds, at_, ot};
    }
    stream_part *parts = tarn_calloc((size_t)plan.n_parts, sizeof *parts);
    if (!parts)
        st = oom(c);
    for (int k = 0; k < plan.n_parts && st == TARN_OK; k++)
        if (!(parts[k].h = tarn_hagg_create(&spec)))
            st = oom(c);
    stream_ctx sx = {joins,   n_joins, where, kx, dmode ? nk + 1 : nk, ax, dmode ? 0 : n_aggs,
                     &c->env, parts};
    if (st == TARN_OK)
        st = scan_execute(c, &plan, stream_batch, &sx, f->offset);
    for (int k = 1; k < plan.n_parts && st == TARN_OK; k++)
        st = at(c, f->offset, tarn_hagg_merge(parts[0].h, parts[k].h, c->err));
    tarn_vec *outv[64] = {0};
    int64_t ng = 0;
    if (st == TARN_OK)
        st = at(c, f->offset, tarn_hagg_finish(parts[0].h, outv, &ng, c->err));
    if (st == TARN_OK && dmode) /* aggregate the distinct pairs */
        st = distinct_aggs(c, outv, nk, kinds, ot, n_aggs, &ng);
    rel *G = st == TARN_OK ? rel_new() : NULL;
    if (st == TARN_OK && !G)
        st = oom(c);
    for (int k = 0; k < nk + n_aggs; k++) {
        if (st == TARN_OK)
            st = rel_add(c, G, outv[k], NULL, k < nk ? s->key_text[k] : aggs[k - nk].text);
        else
            tarn_vec_destroy(outv[k]);
    }
    for (int k = 0; parts && k < plan.n_parts; k++) {
        tarn_hagg_destroy(parts[k].h);
        tarn_free(parts[k].sel);
        for (int i = 0; parts[k].taken && i < tpl->n; i++)
            tarn_vec_destroy(parts[k].taken[i]);
        tarn_free(parts[k].taken);
        for (int j = 0; j < n_joins; j++) {
            for (int i = 0; parts[k].joined[j] && i < parts[k].n_joined[j]; i++)
                tarn_vec_destroy(parts[k].joined[j][i]);
            tarn_free(parts[k].joined[j]);
            tarn_free(parts[k].view[j]);
        }
        tarn_free(parts[k].li);
        tarn_free(parts[k].ri);
    }
    tarn_free(parts);
    stream_joins_free(joins, n_joins);
    if (n_joins && st == TARN_OK)
        plan_line(c, "%d inner join%s on the stream (hash tables of the right sides)", n_joins,
                  n_joins == 1 ? "" : "s");
    scan_plan_fini(&plan);
    if (st != TARN_OK) {
        rel_free(G);
        rel_free(tpl);
        return st;
    }
    G->n_rows = ng;
    plan_line(c, "streaming aggregate%s: %d keys, %d aggregates, %lld groups",
              dmode ? " (distinct values)" : "", nk, n_aggs, (long long)ng);
    s->r = G;
    s->grouped = true;
    s->input = tpl;
    s->n_keys = nk;
    s->n_aggs = n_aggs;
    s->aggs = (agg_call *)aggs;
    *r = G;
    *input = tpl;
    return TARN_OK;
}

static const char *item_name(qctx *c, const tarn_sql_item *it)
{
    if (it->alias)
        return it->alias;
    if (it->expr->kind == TARN_SQL_E_COLUMN)
        return it->expr->name;
    char *t = expr_text(c, it->expr);
    return t ? t : "?";
}

static tarn_status const_int(qctx *c, const tarn_sql_expr *e, int64_t *out)
{
    if (!e) {
        *out = -1;
        return TARN_OK;
    }
    if (e->kind != TARN_SQL_E_LITERAL || e->lit != TARN_SQL_LIT_INT)
        return qerr(c, e->offset, TARN_ERR_INVALID, "LIMIT and OFFSET expect a number");
    *out = strtoll(e->text, NULL, 10);
    return TARN_OK;
}

/* ORDER BY, OFFSET and LIMIT over O; keys[] are O-aligned sort vectors. */
static tarn_status order_limit(qctx *c, rel **O, tarn_sort_key *keys, int nk,
                               const tarn_sql_query *q)
{
    int64_t limit, offset;
    tarn_status st = const_int(c, q ? q->limit : NULL, &limit);
    if (st == TARN_OK)
        st = const_int(c, q ? q->offset_expr : NULL, &offset);
    if (st != TARN_OK)
        return st;
    if (offset < 0)
        offset = 0;
    int64_t n = (*O)->n_rows;
    if (nk == 0 && limit < 0 && offset == 0)
        return TARN_OK;
    int64_t *perm = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1));
    if (!perm)
        return oom(c);
    if (nk) {
        st = tarn_rel_sort(keys, nk, n, limit >= 0 ? limit + offset : -1, perm, c->err);
        plan_line(c, "%s: %d keys", limit >= 0 ? "top-n" : "sort", nk);
    } else {
        for (int64_t i = 0; i < n; i++)
            perm[i] = i;
    }
    int64_t from = offset < n ? offset : n;
    int64_t cnt = n - from;
    if (limit >= 0 && limit < cnt)
        cnt = limit;
    rel *o = NULL;
    if (st == TARN_OK)
        st = rel_take(c, *O, perm + from, cnt, &o);
    tarn_free(perm);
    if (st != TARN_OK)
        return st;
    if (limit >= 0 || offset)
        plan_line(c, "limit %lld offset %lld: %lld rows", (long long)limit, (long long)offset,
                  (long long)cnt);
    rel_free(*O);
    *O = o;
    return TARN_OK;
}

/* An ORDER BY item that names an output column: position, alias or name. */
static int order_output_col(const rel *O, const tarn_sql_expr *e)
{
    if (e->kind == TARN_SQL_E_LITERAL && e->lit == TARN_SQL_LIT_INT) {
        long k = strtol(e->text, NULL, 10);
        return k >= 1 && k <= O->n ? (int)k - 1 : -2;
    }
    if (e->kind == TARN_SQL_E_COLUMN && !e->qualifier)
        for (int i = 0; i < O->n; i++)
            if (!strcasecmp(O->meta[i].name, e->name))
                return i;
    return -1;
}

/* Streaming top-N: a single table's rows filtered by WHERE and cut, on the
 * scan's threads, to the best LIMIT + OFFSET rows by the ORDER BY keys of
 * each part; the SELECT then runs over those candidates only. */
typedef struct topn_part {
    rel *buf;
    int64_t *sel;
    int64_t cap;
} topn_part;

typedef struct topn_ctx {
    const tarn_xexpr *where;
    const tarn_xexpr *keys[64];
    bool desc[64], nulls_first[64];
    int nk;
    int64_t keep;  /* LIMIT + OFFSET */
    int64_t limit; /* rows a buffer holds before it is cut */
    const tarn_xenv *env;
    topn_part *parts;
} topn_ctx;

/* Cuts buf to its best x->keep rows. */
static tarn_status topn_cut(const topn_ctx *x, rel *buf, tarn_err *err)
{
    tarn_batch b = rel_batch(buf);
    tarn_sort_key keys[64];
    tarn_vec *owned[64] = {0};
    int64_t *perm = tarn_alloc(sizeof(int64_t) * (size_t)(buf->n_rows + 1));
    tarn_status st = perm ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < x->nk && st == TARN_OK; k++) {
        st = tarn_xeval_vec(x->keys[k], &b, x->env, &owned[k], err);
        keys[k] = (tarn_sort_key){owned[k], x->desc[k], x->nulls_first[k]};
    }
    if (st == TARN_OK)
        st = tarn_rel_sort(keys, x->nk, buf->n_rows, x->keep, perm, err);
    int64_t n = buf->n_rows < x->keep ? buf->n_rows : x->keep;
    for (int i = 0; i < buf->n && st == TARN_OK; i++) {
        tarn_vec *v = tarn_vec_create_type(buf->cols[i]->type);
        if (!v || tarn_rel_take(v, buf->cols[i], perm, n, err) != TARN_OK) {
            tarn_vec_destroy(v);
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        tarn_vec_destroy(buf->cols[i]);
        buf->cols[i] = v;
    }
    if (st == TARN_OK)
        buf->n_rows = n;
    for (int k = 0; k < x->nk; k++)
        tarn_vec_destroy(owned[k]);
    tarn_free(perm);
    return st;
}

static tarn_status topn_batch(void *ctx, int part, const tarn_batch *b, tarn_err *err)
{
    topn_ctx *x = ctx;
    topn_part *p = &x->parts[part];
    int64_t m = b->n_rows;
    if (x->where) {
        if (b->n_rows > p->cap) {
            tarn_free(p->sel);
            p->sel = tarn_alloc(sizeof(int64_t) * (size_t)b->n_rows);
            p->cap = p->sel ? b->n_rows : 0;
            if (!p->sel)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
        TARN_TRY(tarn_xeval_select(x->where, b, x->env, p->sel, &m, err));
    }
    for (int i = 0; i < p->buf->n; i++) {
        tarn_status st = x->where
                             ? tarn_rel_take(p->buf->cols[i], b->cols[i], p->sel, m, err)
                             : (tarn_vec_append_range(p->buf->cols[i], b->cols[i], 0, m) == TARN_OK
                                    ? TARN_OK
                                    : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory"));
        if (st != TARN_OK)
            return st;
    }
    p->buf->n_rows += m;
    return p->buf->n_rows > x->limit ? topn_cut(x, p->buf, err) : TARN_OK;
}

/* *fallback: the ORDER BY needs what only the SELECT list has. */
static tarn_status topn_scan(qctx *c, const tarn_sql_select *sel, const tarn_sql_query *q,
                             const scope *outer, rel **out, bool *fallback)
{
    int64_t limit, offset;
    tarn_status st = const_int(c, q->limit, &limit);
    if (st == TARN_OK)
        st = const_int(c, q->offset_expr, &offset);
    if (st != TARN_OK || q->n_order > 64 || limit < 0 || limit > 100000) {
        *fallback = true;
        return TARN_OK;
    }
    const tarn_sql_from *f = sel->from[0];
    scan_plan plan;
    st = plan_source(c, f, sel->where, &plan);
    if (st != TARN_OK)
        return st;
    rel *tpl = NULL;
    st = plan_rel(c, &plan, &tpl);
    scope ts = {.r = tpl, .outer = outer};
    topn_ctx x = {.nk = q->n_order, .keep = limit + (offset > 0 ? offset : 0), .env = &c->env};
    x.limit = x.keep * 4 > 65536 ? x.keep * 4 : 65536;
    for (int k = 0; k < q->n_order && st == TARN_OK && !*fallback; k++) {
        const tarn_sql_expr *e = q->order[k].expr;
        /* ORDER BY 2 / ORDER BY alias: the select item it names. */
        if (e->kind == TARN_SQL_E_LITERAL && e->lit == TARN_SQL_LIT_INT) {
            long i = strtol(e->text, NULL, 10);
            if (i < 1 || i > sel->n_items || sel->items[i - 1].expr->kind == TARN_SQL_E_STAR) {
                *fallback = true;
                break;
            }
            e = sel->items[i - 1].expr;
        } else if (e->kind == TARN_SQL_E_COLUMN && !e->qualifier) {
            for (int i = 0; i < sel->n_items; i++)
                if (sel->items[i].alias && !strcasecmp(sel->items[i].alias, e->name))
                    e = sel->items[i].expr;
        }
        if (!refs_only(e, tpl) || e->kind == TARN_SQL_E_STAR) {
            *fallback = true;
            break;
        }
        tarn_xexpr *kx;
        st = bind(c, &ts, e, &kx);
        x.keys[k] = kx;
        x.desc[k] = q->order[k].desc;
        x.nulls_first[k] = q->order[k].nulls == 1;
    }
    tarn_xexpr *where = NULL;
    if (st == TARN_OK && !*fallback && sel->where) {
        st = bind(c, &ts, sel->where, &where);
        if (st == TARN_OK && where->type.id == TARN_TYPE_NULL)
            st = coerce(c, &where, T(TARN_TYPE_BOOL));
        if (st == TARN_OK && where->type.id != TARN_TYPE_BOOL)
            st = qerr(c, sel->where->offset, TARN_ERR_INVALID, "WHERE expects a boolean condition");
    }
    x.where = where;
    topn_part *parts = NULL;
    if (st == TARN_OK && !*fallback) {
        parts = tarn_calloc((size_t)plan.n_parts, sizeof *parts);
        if (!parts)
            st = oom(c);
        for (int k = 0; k < plan.n_parts && st == TARN_OK; k++)
            st = plan_rel(c, &plan, &parts[k].buf);
        x.parts = parts;
        if (st == TARN_OK)
            st = scan_execute(c, &plan, topn_batch, &x, f->offset);
        /* Every part's candidates into the first. */
        for (int k = 0; k < plan.n_parts && st == TARN_OK; k++) {
            if (k > 0) {
                for (int i = 0; i < parts[0].buf->n && st == TARN_OK; i++)
                    if (tarn_vec_append_range(parts[0].buf->cols[i], parts[k].buf->cols[i], 0,
                                              parts[k].buf->n_rows) != TARN_OK)
                        st = oom(c);
                parts[0].buf->n_rows += parts[k].buf->n_rows;
            }
        }
        if (st == TARN_OK) {
            plan_line(c, "top-n candidates (filtered on the scan): %lld rows",
                      (long long)parts[0].buf->n_rows);
            *out = parts[0].buf;
            parts[0].buf = NULL;
        }
    }
    for (int k = 0; parts && k < plan.n_parts; k++) {
        rel_free(parts[k].buf);
        tarn_free(parts[k].sel);
    }
    tarn_free(parts);
    rel_free(tpl);
    scan_plan_fini(&plan);
    return st;
}

static tarn_status bind_eval(qctx *c, const scope *s, const tarn_sql_expr *e, tarn_vec **out)
{
    tarn_xexpr *x;
    tarn_status st = bind(c, s, e, &x);
    if (st == TARN_OK && x->type.id == TARN_TYPE_NULL)
        st = coerce(c, &x, T(TARN_TYPE_INT64));
    return st == TARN_OK ? eval_on_rel(c, s, x, e->offset, out) : st;
}

/* Computes one window call over the rows of s->r and appends it there as a
 * column, registered in the scope under the call's text. */
static tarn_status window_col(qctx *c, scope *s, rel *r, const agg_call *w)
{
    const tarn_sql_expr *e = w->e;
    const tarn_sql_window *ov = e->over;
    tarn_win_spec spec;
    memset(&spec, 0, sizeof spec);
    const char *n = e->name;
    int want_args = 0;
    if (!strcasecmp(n, "row_number") || !strcasecmp(n, "rank") || !strcasecmp(n, "dense_rank")) {
        spec.kind = !strcasecmp(n, "rank")         ? TARN_WIN_RANK
                    : !strcasecmp(n, "dense_rank") ? TARN_WIN_DENSE_RANK
                                                   : TARN_WIN_ROW_NUMBER;
        spec.out_type = T(TARN_TYPE_INT64);
    } else if (!strcasecmp(n, "lag") || !strcasecmp(n, "lead")) {
        spec.kind = !strcasecmp(n, "lag") ? TARN_WIN_LAG : TARN_WIN_LEAD;
        want_args = -1;
    } else if (is_agg_name(n)) {
        spec.kind = TARN_WIN_AGG;
        agg_fn_kind(e, &spec.agg);
        want_args = spec.agg == TARN_AGG_COUNT_STAR ? 0 : 1;
        if (e->distinct)
            return qerr(c, e->offset, TARN_ERR_UNSUPPORTED, "DISTINCT in a window aggregate");
    } else {
        return qerr(c, e->offset, TARN_ERR_NOT_FOUND, "unknown window function %s()", n);
    }
    if (want_args >= 0 && e->n_args != want_args)
        return qerr(c, e->offset, TARN_ERR_INVALID, "%s() takes %d argument%s", n, want_args,
                    want_args == 1 ? "" : "s");
    if (want_args < 0 && (e->n_args < 1 || e->n_args > 3))
        return qerr(c, e->offset, TARN_ERR_INVALID, "%s() takes 1 to 3 arguments", n);
    tarn_vec *arg = NULL, *dflt = NULL, *pv[64] = {0}, *ov_keys[64] = {0};
    tarn_sort_key keys[64];
    int64_t *part = NULL, ng = 0, *first = NULL;
    tarn_vec *res = NULL;
    tarn_status st = TARN_OK;
    if (ov->n_partition > 16 || ov->n_order > 64)
        return qerr(c, e->offset, TARN_ERR_UNSUPPORTED, "too many window keys");
    if (e->n_args >= 1 && !e->star)
        st = bind_eval(c, s, e->args[0], &arg);
    if (st == TARN_OK && spec.kind == TARN_WIN_AGG)
        st = at(
            c, e->offset,
            tarn_agg_type(spec.agg, arg ? arg->type : T(TARN_TYPE_INT64), &spec.out_type, c->err));
    if (st == TARN_OK && (spec.kind == TARN_WIN_LAG || spec.kind == TARN_WIN_LEAD)) {
        spec.out_type = arg->type;
        spec.offset = 1;
        if (e->n_args >= 2) {
            const tarn_sql_expr *k = e->args[1];
            if (k->kind != TARN_SQL_E_LITERAL || k->lit != TARN_SQL_LIT_INT)
                st = qerr(c, k->offset, TARN_ERR_INVALID, "%s() offset must be a number", n);
            else
                spec.offset = strtoll(k->text, NULL, 10);
        }
        if (st == TARN_OK && e->n_args == 3) {
            tarn_xexpr *x;
            rel one = {0};
            one.n_rows = 1;
            scope os = {.r = &one};
            st = bind(c, &os, e->args[2], &x);
            if (st == TARN_OK)
                st = coerce(c, &x, arg->type);
            if (st == TARN_OK)
                st = eval_on_rel(c, &os, x, e->args[2]->offset, &dflt);
        }
    }
    for (int k = 0; k < ov->n_partition && st == TARN_OK; k++)
        st = bind_eval(c, s, ov->partition[k], &pv[k]);
    if (st == TARN_OK && ov->n_partition) {
        part = tarn_alloc(sizeof(int64_t) * (size_t)(r->n_rows + 1));
        st = part ? tarn_rel_group(pv, ov->n_partition, r->n_rows, part, &ng, &first, c->err)
                  : oom(c);
    }
    for (int k = 0; k < ov->n_order && st == TARN_OK; k++) {
        st = bind_eval(c, s, ov->order[k].expr, &ov_keys[k]);
        keys[k] = (tarn_sort_key){ov_keys[k], ov->order[k].desc, ov->order[k].nulls == 1};
    }
    spec.arg = arg;
    spec.dflt = dflt;
    if (st == TARN_OK)
        st = at(c, e->offset,
                tarn_win_compute(&spec, part, keys, ov->n_order, r->n_rows, &res, c->err));
    if (st == TARN_OK) {
        st = rel_add(c, r, res, NULL, w->text);
        res = NULL;
        if (st == TARN_OK)
            r->meta[r->n - 1].hidden = true; /* not part of SELECT * */
    }
    if (st == TARN_OK) {
        char **texts = tarn_arena_alloc(c->a, sizeof(char *) * (size_t)(s->n_pre + 1));
        int *cols = tarn_arena_alloc(c->a, sizeof(int) * (size_t)(s->n_pre + 1));
        if (!texts || !cols) {
            st = oom(c);
        } else {
            for (int k = 0; k < s->n_pre; k++) {
                texts[k] = s->pre_text[k];
                cols[k] = s->pre_col[k];
            }
            texts[s->n_pre] = w->text;
            cols[s->n_pre] = r->n - 1;
            s->pre_text = texts;
            s->pre_col = cols;
            s->n_pre++;
        }
    }
    tarn_vec_destroy(arg);
    tarn_vec_destroy(dflt);
    tarn_vec_destroy(res);
    for (int k = 0; k < 64; k++) {
        tarn_vec_destroy(pv[k]);
        tarn_vec_destroy(ov_keys[k]);
    }
    tarn_free(part);
    tarn_free(first);
    return st;
}

static tarn_status run_select(qctx *c, const tarn_sql_select *sel, const tarn_sql_query *q,
                              const scope *outer, rel **out)
{
    rel *r = NULL, *input = NULL;
    tarn_status st = TARN_OK;
    scope s = {.outer = outer};
    /* Aggregates of the SELECT list, HAVING and ORDER BY. */
    agg_call *aggs = NULL;
    int n_aggs = 0, cap_aggs = 0;
    bool bad = false;
    for (int i = 0; i < sel->n_items; i++)
        collect_calls(c, sel->items[i].expr, false, &aggs, &n_aggs, &cap_aggs, &bad);
    collect_calls(c, sel->having, false, &aggs, &n_aggs, &cap_aggs, &bad);
    for (int i = 0; q && i < q->n_order; i++)
        collect_calls(c, q->order[i].expr, false, &aggs, &n_aggs, &cap_aggs, &bad);
    if (bad)
        st = oom(c);
    bool streamed = false;
    c->depth++;
    if (st == TARN_OK && stream_shape(c, sel, n_aggs)) {
        bool fallback;
        s.aggs = aggs;
        st = stream_group(c, sel, aggs, n_aggs, outer, &r, &input, &s, &fallback);
        streamed = st == TARN_OK;
        if (fallback && st == TARN_ERR_UNSUPPORTED)
            st = TARN_OK;
    }
    bool single =
        sel->n_from == 1 && sel->from[0]->join == TARN_SQL_JOIN_NONE && !sel->from[0]->query;
    bool filtered = false; /* WHERE already applied */
    if (!streamed && st == TARN_OK && single && !n_aggs && !sel->n_group_by && !sel->distinct &&
        q && q->limit && q->n_order && sel->from[0]->n_parts != 1) {
        bool fallback = false;
        st = topn_scan(c, sel, q, outer, &r, &fallback);
        streamed = filtered = st == TARN_OK && !fallback;
    }
    if (!streamed && st == TARN_OK && sel->n_from == 0) {
        r = rel_new();
        if (!r)
            st = oom(c);
        else
            r->n_rows = 1;
    }
    for (int i = 0; !streamed && i < sel->n_from && st == TARN_OK; i++) {
        rel *x = NULL;
        st = run_from(c, sel->from[i], outer, single ? sel->where : NULL, &x);
        if (st == TARN_OK && r) { /* comma: cross join */
            tarn_sql_from cross = {.join = TARN_SQL_JOIN_CROSS, .offset = sel->from[i]->offset};
            st = join_rels(c, &cross, r, x, &r);
        } else if (st == TARN_OK) {
            r = x;
        }
    }
    c->depth--;
    if (filtered) {
        s.r = r;
    } else if (!streamed) {
        s.r = r;
        if (st == TARN_OK && sel->where)
            st = filter_rel(c, &s, &r, sel->where, "WHERE");
        s.r = r;
        if (st == TARN_OK && (sel->n_group_by || n_aggs)) {
            s.aggs = aggs;
            input = r;
            st = group_rel(c, sel, aggs, n_aggs, &r, &s);
            if (st != TARN_OK)
                input = NULL; /* r is still the input */
        }
    }
    if (st == TARN_OK && sel->having) {
        if (!s.grouped)
            st = qerr(c, sel->having->offset, TARN_ERR_INVALID,
                      "HAVING needs GROUP BY or an aggregate");
        else {
            st = filter_rel(c, &s, &r, sel->having, "HAVING");
            s.r = r;
        }
    }
    /* Window functions, over the rows the SELECT list reads. */
    agg_call *wins = NULL;
    int n_wins = 0, cap_wins = 0;
    for (int i = 0; i < sel->n_items; i++)
        collect_calls(c, sel->items[i].expr, true, &wins, &n_wins, &cap_wins, &bad);
    for (int i = 0; q && i < q->n_order; i++)
        collect_calls(c, q->order[i].expr, true, &wins, &n_wins, &cap_wins, &bad);
    if (bad && st == TARN_OK)
        st = oom(c);
    for (int w = 0; w < n_wins && st == TARN_OK; w++)
        st = window_col(c, &s, r, &wins[w]);
    if (n_wins && st == TARN_OK)
        plan_line(c, "window: %d functions over %lld rows", n_wins, (long long)r->n_rows);
    tarn_free(wins);
    /* The SELECT list. */
    rel *O = rel_new();
    if (!O && st == TARN_OK)
        st = oom(c);
    for (int i = 0; i < sel->n_items && st == TARN_OK; i++) {
        const tarn_sql_item *it = &sel->items[i];
        if (it->expr->kind == TARN_SQL_E_STAR) {
            const rel *src = s.grouped ? s.input : r;
            if (s.grouped) {
                st = qerr(c, it->expr->offset, TARN_ERR_INVALID, "* cannot be used with GROUP BY");
                break;
            }
            bool any = false;
            for (int k = 0; k < src->n && st == TARN_OK; k++) {
                if (src->meta[k].hidden)
                    continue;
                if (it->expr->qualifier &&
                    (!src->meta[k].qual || strcasecmp(src->meta[k].qual, it->expr->qualifier)))
                    continue;
                any = true;
                tarn_vec *v = tarn_vec_create_type(src->cols[k]->type);
                if (!v || tarn_vec_append_range(v, src->cols[k], 0, src->n_rows) != TARN_OK) {
                    tarn_vec_destroy(v);
                    st = oom(c);
                } else {
                    st = rel_add(c, O, v, NULL, src->meta[k].name);
                }
            }
            if (st == TARN_OK && !any && it->expr->qualifier)
                st = qerr(c, it->expr->offset, TARN_ERR_NOT_FOUND, "unknown table '%s'",
                          it->expr->qualifier);
            continue;
        }
        tarn_xexpr *x;
        tarn_vec *v = NULL;
        st = bind(c, &s, it->expr, &x);
        if (st == TARN_OK && x->type.id == TARN_TYPE_NULL)
            (void)coerce(c, &x, T(TARN_TYPE_STRING));
        if (st == TARN_OK)
            st = eval_on_rel(c, &s, x, it->expr->offset, &v);
        if (st == TARN_OK)
            st = rel_add(c, O, v, NULL, item_name(c, it));
    }
    if (O)
        O->n_rows = r ? r->n_rows : 0;
    /* ORDER BY keys, evaluated before DISTINCT changes the rows. */
    int nk = q ? q->n_order : 0;
    tarn_sort_key keys[64];
    tarn_vec *owned[64] = {0};
    if (nk > 64 && st == TARN_OK)
        st = qerr(c, q->offset, TARN_ERR_UNSUPPORTED, "more than 64 ORDER BY keys");
    for (int k = 0; k < nk && st == TARN_OK; k++) {
        const tarn_sql_order *o = &q->order[k];
        int col = order_output_col(O, o->expr);
        if (col == -2) {
            st = qerr(c, o->expr->offset, TARN_ERR_INVALID,
                      "ORDER BY position %s is not in the select list", o->expr->text);
            break;
        }
        if (col >= 0) {
            keys[k].v = O->cols[col];
        } else if (sel->distinct) {
            st = qerr(c, o->expr->offset, TARN_ERR_INVALID,
                      "with SELECT DISTINCT, ORDER BY expressions must appear in the select list");
            break;
        } else {
            tarn_xexpr *x;
            st = bind(c, &s, o->expr, &x);
            if (st == TARN_OK)
                st = eval_on_rel(c, &s, x, o->expr->offset, &owned[k]);
            keys[k].v = owned[k];
        }
        keys[k].desc = o->desc;
        /* NULLs go last unless NULLS FIRST says otherwise (as DuckDB). */
        keys[k].nulls_first = o->nulls == 1;
    }
    if (st == TARN_OK && sel->distinct) {
        int64_t *gid = tarn_alloc(sizeof(int64_t) * (size_t)(O->n_rows + 1)), ng = 0, *first = NULL;
        st = gid ? tarn_rel_group(O->cols, O->n, O->n_rows, gid, &ng, &first, c->err) : oom(c);
        rel *d = NULL;
        if (st == TARN_OK)
            st = rel_take(c, O, first, ng, &d);
        if (st == TARN_OK) {
            /* keys point into O's columns: re-point them at d's. */
            for (int k = 0; k < nk; k++)
                for (int i = 0; i < O->n; i++)
                    if (keys[k].v == O->cols[i])
                        keys[k].v = d->cols[i];
            rel_free(O);
            O = d;
            plan_line(c, "distinct: %lld rows", (long long)ng);
        }
        tarn_free(gid);
        tarn_free(first);
    }
    if (st == TARN_OK)
        st = order_limit(c, &O, keys, nk, q);
    for (int k = 0; k < nk && k < 64; k++)
        tarn_vec_destroy(owned[k]);
    tarn_free(aggs);
    if (input)
        rel_free(input);
    rel_free(r);
    if (st != TARN_OK) {
        rel_free(O);
        return st;
    }
    plan_line(c, "select: %d columns, %lld rows", O->n, (long long)O->n_rows);
    *out = O;
    return TARN_OK;
}

/* Set operations ------------------------------------------------------------------ */

static tarn_status run_set(qctx *c, const tarn_sql_set *s, const tarn_sql_query *q,
                           const scope *outer, rel **out);

/* UNION ALL: R's rows appended to L's, both cast to the common types. */
static tarn_status append_rows(qctx *c, rel *L, const rel *R, int offset)
{
    if (L->n != R->n)
        return qerr(c, offset, TARN_ERR_INVALID, "set operation sides have %d and %d columns", L->n,
                    R->n);
    for (int i = 0; i < L->n; i++) {
        tarn_xexpr a = {.op = TARN_X_COL, .type = L->cols[i]->type};
        tarn_xexpr b = {.op = TARN_X_COL, .type = R->cols[i]->type};
        tarn_type t;
        tarn_status st = common_type(c, &a, &b, offset, &t);
        tarn_vec *lv = NULL, *rv = NULL;
        if (st == TARN_OK && !tarn_type_equal(t, L->cols[i]->type)) {
            st = at(c, offset, tarn_x_cast(L->cols[i], t, &lv, c->err));
            if (st == TARN_OK) {
                tarn_vec_destroy(L->cols[i]);
                L->cols[i] = lv;
            }
        }
        if (st == TARN_OK && !tarn_type_equal(t, R->cols[i]->type))
            st = at(c, offset, tarn_x_cast(R->cols[i], t, &rv, c->err));
        if (st == TARN_OK &&
            tarn_vec_append_range(L->cols[i], rv ? rv : R->cols[i], 0, R->n_rows) != TARN_OK)
            st = oom(c);
        tarn_vec_destroy(rv);
        if (st != TARN_OK)
            return st;
    }
    L->n_rows += R->n_rows;
    return TARN_OK;
}

static tarn_status run_set(qctx *c, const tarn_sql_set *s, const tarn_sql_query *q,
                           const scope *outer, rel **out)
{
    if (s->op == TARN_SQL_SET_NONE) {
        if (s->select)
            return run_select(c, s->select, q, outer, out);
        return run_query(c, s->nested, outer, out);
    }
    rel *L = NULL, *R = NULL;
    tarn_status st = run_set(c, s->left, NULL, outer, &L);
    if (st == TARN_OK)
        st = run_set(c, s->right, NULL, outer, &R);
    int64_t nl = L ? L->n_rows : 0;
    if (st == TARN_OK)
        st = append_rows(c, L, R, s->offset);
    rel_free(R);
    if (st == TARN_OK && s->op != TARN_SQL_SET_UNION_ALL) {
        int64_t n = L->n_rows, *gid = tarn_alloc(sizeof(int64_t) * (size_t)(n + 1)), ng = 0,
                *first = NULL;
        st = gid ? tarn_rel_group(L->cols, L->n, n, gid, &ng, &first, c->err) : oom(c);
        uint8_t *side = st == TARN_OK ? tarn_calloc((size_t)ng + 1, 1) : NULL;
        if (st == TARN_OK && !side)
            st = oom(c);
        for (int64_t i = 0; st == TARN_OK && i < n; i++)
            side[gid[i]] |= i < nl ? 1 : 2;
        int64_t k = 0;
        for (int64_t g = 0; st == TARN_OK && g < ng; g++) {
            bool keep = s->op == TARN_SQL_SET_UNION       ? true
                        : s->op == TARN_SQL_SET_INTERSECT ? side[g] == 3
                                                          : side[g] == 1;
            if (keep)
                first[k++] = first[g];
        }
        rel *d = NULL;
        if (st == TARN_OK)
            st = rel_take(c, L, first, k, &d);
        if (st == TARN_OK) {
            rel_free(L);
            L = d;
        }
        tarn_free(gid);
        tarn_free(first);
        tarn_free(side);
    }
    if (st != TARN_OK) {
        rel_free(L);
        return st;
    }
    static const char *const ops[] = {"", "union", "union all", "intersect", "except"};
    plan_line(c, "%s: %lld rows", ops[s->op], (long long)L->n_rows);
    *out = L;
    return TARN_OK;
}

static tarn_status run_query(qctx *c, const tarn_sql_query *q, const scope *outer, rel **out)
{
    int saved = c->n_ctes;
    tarn_status st = TARN_OK;
    for (int i = 0; i < q->n_ctes && st == TARN_OK; i++) {
        if (c->n_ctes == c->cap_ctes &&
            !tarn_grow((void **)&c->ctes, c->n_ctes, &c->cap_ctes, sizeof *c->ctes)) {
            st = oom(c);
            break;
        }
        c->ctes[c->n_ctes++] = (cte_def){q->ctes[i].name, q->ctes[i].query, NULL, c->depth};
    }
    bool plain = q->body->op == TARN_SQL_SET_NONE && q->body->select;
    if (st == TARN_OK)
        st = run_set(c, q->body, plain ? q : NULL, outer, out);
    if (st == TARN_OK && !plain && (q->n_order || q->limit || q->offset_expr)) {
        /* ORDER BY over a set operation: output columns only. */
        rel *O = *out;
        tarn_sort_key keys[64];
        int nk = q->n_order > 64 ? 64 : q->n_order;
        for (int k = 0; k < nk && st == TARN_OK; k++) {
            int col = order_output_col(O, q->order[k].expr);
            if (col < 0)
                st = qerr(c, q->order[k].expr->offset, TARN_ERR_INVALID,
                          "ORDER BY after a set operation names an output column or position");
            else
                keys[k] = (tarn_sort_key){O->cols[col], q->order[k].desc, q->order[k].nulls == 1};
        }
        if (st == TARN_OK)
            st = order_limit(c, out, keys, nk, q);
    }
    while (c->n_ctes > saved) {
        c->n_ctes--;
        rel_free(c->ctes[c->n_ctes].cached);
    }
    if (st != TARN_OK && *out) {
        rel_free(*out);
        *out = NULL;
    }
    return st;
}

/* API ----------------------------------------------------------------------------- */

const char *tarn_sql_fmt_bytes(int64_t b, char out[32])
{
    if (b < 0)
        b = 0;
    if (b < 1000000)
        snprintf(out, 32, "%.1f kB", (double)b / 1e3);
    else
        snprintf(out, 32, "%.1f MB", (double)b / 1e6);
    return out;
}

void tarn_sql_result_destroy(tarn_sql_result *r)
{
    if (!r)
        return;
    tarn_batch_destroy(r->batch);
    tarn_schema_destroy(r->schema);
    tarn_free(r->explain);
    tarn_free(r);
}

/* Moves the columns of O into a result batch with its own schema. */
static tarn_status make_result(qctx *c, rel *O, tarn_sql_result *res)
{
    res->schema = tarn_schema_create();
    if (!res->schema)
        return oom(c);
    for (int i = 0; i < O->n; i++) {
        tarn_type t = O->cols[i]->type;
        if (t.id == TARN_TYPE_NULL)
            t = T(TARN_TYPE_STRING);
        if (!tarn_schema_add(res->schema, O->meta[i].name, t, true))
            return oom(c);
    }
    res->batch = tarn_batch_create(res->schema);
    if (!res->batch)
        return oom(c);
    for (int i = 0; i < O->n; i++) {
        tarn_vec_destroy(res->batch->cols[i]);
        res->batch->cols[i] = O->cols[i];
        O->cols[i] = NULL;
    }
    O->n = 0;
    res->batch->n_rows = O->n_rows;
    return TARN_OK;
}

static tarn_status explain_result(qctx *c, const tarn_sql_stmt *stmt, tarn_sql_result *res)
{
    tarn_buf text;
    tarn_buf_init(&text);
    tarn_status st = tarn_buf_append_str(&text, "query: ");
    if (st == TARN_OK)
        st = tarn_sql_print(stmt, &text);
    if (st == TARN_OK)
        st = tarn_buf_printf(&text, "\n%s", c->plan.data ? c->plan.data : "");
    if (st == TARN_OK) {
        char rb[32], tb[32];
        st = tarn_buf_printf(&text,
                             "total: files read %lld, skipped %lld; %s of %s read; rows "
                             "scanned %lld\n",
                             (long long)c->files_scanned, (long long)c->files_skipped,
                             tarn_sql_fmt_bytes(c->bytes_read, rb),
                             tarn_sql_fmt_bytes(c->bytes_total, tb), (long long)c->rows_scanned);
    }
    res->schema = tarn_schema_create();
    if (st != TARN_OK || !res->schema ||
        !tarn_schema_add(res->schema, "plan", T(TARN_TYPE_STRING), false)) {
        tarn_buf_fini(&text);
        return oom(c);
    }
    res->batch = tarn_batch_create(res->schema);
    if (!res->batch) {
        tarn_buf_fini(&text);
        return oom(c);
    }
    const char *p = text.data;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (tarn_vec_append_bytes(res->batch->cols[0], p, (int64_t)n) != TARN_OK) {
            tarn_buf_fini(&text);
            return oom(c);
        }
        res->batch->n_rows++;
        p = nl ? nl + 1 : p + n;
    }
    res->explain = tarn_buf_steal(&text, NULL);
    return TARN_OK;
}

tarn_status tarn_sql_run(const char *sql, const tarn_sql_opts *o, tarn_sql_result **out,
                         tarn_err *err)
{
    *out = NULL;
    err->offset = -1;
    qctx c;
    memset(&c, 0, sizeof c);
    c.sql = sql;
    c.opts = o;
    c.err = err;
    c.a = tarn_arena_create(16384);
    tarn_buf_init(&c.plan);
    tarn_sql_result *res = tarn_calloc(1, sizeof *res);
    if (!c.a || !res) {
        tarn_arena_destroy(c.a);
        tarn_free(res);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    tarn_sql_stmt *stmt = NULL;
    rel *O = NULL;
    tarn_status st = tarn_sql_parse(sql, c.a, &stmt, err);
    if (st == TARN_OK) {
        collect_query(&c.want, stmt->query);
        st = run_query(&c, stmt->query, NULL, &O);
    }
    if (st == TARN_OK)
        st = stmt->explain ? explain_result(&c, stmt, res) : make_result(&c, O, res);
    res->files_scanned = c.files_scanned;
    res->files_skipped = c.files_skipped;
    res->rows_scanned = c.rows_scanned;
    res->bytes_read = c.bytes_read;
    res->bytes_total = c.bytes_total;
    rel_free(O);
    for (int i = 0; i < c.n_sets; i++)
        tarn_vec_destroy(c.sets[i]);
    tarn_free(c.sets);
    tarn_free(c.slots);
    tarn_free(c.ctes);
    tarn_free(c.want.v);
    tarn_buf_fini(&c.plan);
    tarn_arena_destroy(c.a);
    if (st != TARN_OK) {
        tarn_sql_result_destroy(res);
        return st;
    }
    *out = res;
    return TARN_OK;
}
