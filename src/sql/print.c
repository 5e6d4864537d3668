/*
 * sql/print.c - the canonical text of a parsed statement (see parse.h):
 * keywords upper case, every operator and predicate in parentheses, names
 * quoted when they are not plain lower-case words. Used by tests (parse,
 * print, parse again gives the same text) and by EXPLAIN.
 */
#include "sql/parse.h"

#include <string.h>

#define TRY(x)                                                                                     \
    do {                                                                                           \
        tarn_status st_ = (x);                                                                     \
        if (st_ != TARN_OK)                                                                        \
            return st_;                                                                            \
    } while (0)

static tarn_status query(const tarn_sql_query *q, tarn_buf *b);

/* A name as is when it is a plain lower-case word and no keyword, else in
 * double quotes (doubled inside). */
static tarn_status ident(const char *s, tarn_buf *b)
{
    bool plain = (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_';
    for (const char *c = s; plain && *c; c++)
        plain = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
    if (plain && !tarn_sql_keyword_reserved(tarn_sql_keyword_lookup(s, (int)strlen(s))))
        return tarn_buf_append_str(b, s);
    TRY(tarn_buf_append_char(b, '"'));
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            TRY(tarn_buf_append_char(b, '"'));
        TRY(tarn_buf_append_char(b, *c));
    }
    return tarn_buf_append_char(b, '"');
}

/* "a.b.c" qualifiers: each part as a name. */
static tarn_status qualified(const char *q, tarn_buf *b)
{
    const char *s = q;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot ? (size_t)(dot - s) : strlen(s);
        char part[256];
        if (n >= sizeof part)
            n = sizeof part - 1;
        memcpy(part, s, n);
        part[n] = '\0';
        TRY(ident(part, b));
        TRY(tarn_buf_append_char(b, '.'));
        if (!dot)
            return TARN_OK;
        s = dot + 1;
    }
}

static tarn_status string(const char *s, tarn_buf *b)
{
    TRY(tarn_buf_append_char(b, '\''));
    for (const char *c = s; *c; c++) {
        if (*c == '\'')
            TRY(tarn_buf_append_char(b, '\''));
        TRY(tarn_buf_append_char(b, *c));
    }
    return tarn_buf_append_char(b, '\'');
}

static tarn_status list(tarn_sql_expr *const *v, int n, tarn_buf *b)
{
    for (int i = 0; i < n; i++) {
        if (i)
            TRY(tarn_buf_append_str(b, ", "));
        TRY(tarn_sql_print_expr(v[i], b));
    }
    return TARN_OK;
}

static tarn_status order(const tarn_sql_order *o, int n, tarn_buf *b)
{
    for (int i = 0; i < n; i++) {
        if (i)
            TRY(tarn_buf_append_str(b, ", "));
        TRY(tarn_sql_print_expr(o[i].expr, b));
        TRY(tarn_buf_append_str(b, o[i].desc ? " DESC" : " ASC"));
        if (o[i].nulls)
            TRY(tarn_buf_append_str(b, o[i].nulls == 1 ? " NULLS FIRST" : " NULLS LAST"));
    }
    return TARN_OK;
}

tarn_status tarn_sql_print_expr(const tarn_sql_expr *e, tarn_buf *b)
{
    switch (e->kind) {
    case TARN_SQL_E_COLUMN:
        if (e->qualifier)
            TRY(qualified(e->qualifier, b));
        return ident(e->name, b);
    case TARN_SQL_E_STAR:
        if (e->qualifier)
            TRY(qualified(e->qualifier, b));
        return tarn_buf_append_char(b, '*');
    case TARN_SQL_E_LITERAL:
        switch (e->lit) {
        case TARN_SQL_LIT_INT:
        case TARN_SQL_LIT_NUMBER:
            return tarn_buf_append_str(b, e->text);
        case TARN_SQL_LIT_STRING:
            return string(e->text, b);
        case TARN_SQL_LIT_TRUE:
            return tarn_buf_append_str(b, "TRUE");
        case TARN_SQL_LIT_FALSE:
            return tarn_buf_append_str(b, "FALSE");
        case TARN_SQL_LIT_NULL:
            return tarn_buf_append_str(b, "NULL");
        case TARN_SQL_LIT_DATE:
            TRY(tarn_buf_append_str(b, "DATE "));
            return string(e->text, b);
        case TARN_SQL_LIT_TIMESTAMP:
            TRY(tarn_buf_append_str(b, "TIMESTAMP "));
            return string(e->text, b);
        }
        return TARN_ERR_INTERNAL;
    case TARN_SQL_E_UNARY:
        TRY(tarn_buf_printf(b, "(%s%s", e->name, strcmp(e->name, "NOT") ? "" : " "));
        TRY(tarn_sql_print_expr(e->args[0], b));
        return tarn_buf_append_char(b, ')');
    case TARN_SQL_E_BINARY:
        TRY(tarn_buf_append_char(b, '('));
        TRY(tarn_sql_print_expr(e->args[0], b));
        TRY(tarn_buf_printf(b, " %s ", e->name));
        TRY(tarn_sql_print_expr(e->args[1], b));
        return tarn_buf_append_char(b, ')');
    case TARN_SQL_E_IS_NULL:
        TRY(tarn_buf_append_char(b, '('));
        TRY(tarn_sql_print_expr(e->args[0], b));
        return tarn_buf_append_str(b, e->negated ? " IS NOT NULL)" : " IS NULL)");
    case TARN_SQL_E_IN_LIST:
    case TARN_SQL_E_IN_QUERY:
        TRY(tarn_buf_append_char(b, '('));
        TRY(tarn_sql_print_expr(e->args[0], b));
        TRY(tarn_buf_append_str(b, e->negated ? " NOT IN (" : " IN ("));
        if (e->kind == TARN_SQL_E_IN_LIST)
            TRY(list(e->args + 1, e->n_args - 1, b));
        else
            TRY(query(e->query, b));
        return tarn_buf_append_str(b, "))");
    case TARN_SQL_E_BETWEEN:
        TRY(tarn_buf_append_char(b, '('));
        TRY(tarn_sql_print_expr(e->args[0], b));
        TRY(tarn_buf_append_str(b, e->negated ? " NOT BETWEEN " : " BETWEEN "));
        TRY(tarn_sql_print_expr(e->args[1], b));
        TRY(tarn_buf_append_str(b, " AND "));
        TRY(tarn_sql_print_expr(e->args[2], b));
        return tarn_buf_append_char(b, ')');
    case TARN_SQL_E_LIKE:
        TRY(tarn_buf_append_char(b, '('));
        TRY(tarn_sql_print_expr(e->args[0], b));
        TRY(tarn_buf_printf(b, "%s %s ", e->negated ? " NOT" : "", e->ilike ? "ILIKE" : "LIKE"));
        TRY(tarn_sql_print_expr(e->args[1], b));
        return tarn_buf_append_char(b, ')');
    case TARN_SQL_E_FUNC:
        TRY(tarn_buf_append_str(b, e->name)); /* a bare word as written */
        TRY(tarn_buf_append_char(b, '('));
        if (e->star)
            TRY(tarn_buf_append_char(b, '*'));
        if (e->distinct)
            TRY(tarn_buf_append_str(b, "DISTINCT "));
        TRY(list(e->args, e->n_args, b));
        TRY(tarn_buf_append_char(b, ')'));
        if (e->over) {
            const tarn_sql_window *w = e->over;
            TRY(tarn_buf_append_str(b, " OVER ("));
            if (w->n_partition) {
                TRY(tarn_buf_append_str(b, "PARTITION BY "));
                TRY(list(w->partition, w->n_partition, b));
            }
            if (w->n_order) {
                TRY(tarn_buf_append_str(b, w->n_partition ? " ORDER BY " : "ORDER BY "));
                TRY(order(w->order, w->n_order, b));
            }
            TRY(tarn_buf_append_char(b, ')'));
        }
        return TARN_OK;
    case TARN_SQL_E_CASE:
        TRY(tarn_buf_append_str(b, "CASE"));
        if (e->n_args) {
            TRY(tarn_buf_append_char(b, ' '));
            TRY(tarn_sql_print_expr(e->args[0], b));
        }
        for (int i = 0; i < e->n_whens; i++) {
            TRY(tarn_buf_append_str(b, " WHEN "));
            TRY(tarn_sql_print_expr(e->whens[i], b));
            TRY(tarn_buf_append_str(b, " THEN "));
            TRY(tarn_sql_print_expr(e->thens[i], b));
        }
        if (e->else_expr) {
            TRY(tarn_buf_append_str(b, " ELSE "));
            TRY(tarn_sql_print_expr(e->else_expr, b));
        }
        return tarn_buf_append_str(b, " END");
    case TARN_SQL_E_CAST:
        TRY(tarn_buf_append_str(b, "CAST("));
        TRY(tarn_sql_print_expr(e->args[0], b));
        return tarn_buf_printf(b, " AS %s)", e->type_name);
    case TARN_SQL_E_EXTRACT:
        TRY(tarn_buf_printf(b, "EXTRACT(%s FROM ", e->name));
        TRY(tarn_sql_print_expr(e->args[0], b));
        return tarn_buf_append_char(b, ')');
    case TARN_SQL_E_EXISTS:
        TRY(tarn_buf_append_str(b, e->negated ? "(NOT EXISTS (" : "EXISTS ("));
        TRY(query(e->query, b));
        return tarn_buf_append_str(b, e->negated ? "))" : ")");
    case TARN_SQL_E_SUBQUERY:
        TRY(tarn_buf_append_char(b, '('));
        TRY(query(e->query, b));
        return tarn_buf_append_char(b, ')');
    case TARN_SQL_E_INTERVAL:
        TRY(tarn_buf_append_str(b, "INTERVAL "));
        TRY(string(e->text, b));
        return e->name ? tarn_buf_printf(b, " %s", e->name) : TARN_OK;
    }
    return TARN_ERR_INTERNAL;
}

static tarn_status from(const tarn_sql_from *f, tarn_buf *b)
{
    if (f->join != TARN_SQL_JOIN_NONE) {
        static const char *const names[] = {"",           "JOIN",      "LEFT JOIN",
                                            "RIGHT JOIN", "FULL JOIN", "CROSS JOIN"};
        TRY(tarn_buf_append_char(b, '('));
        TRY(from(f->left, b));
        TRY(tarn_buf_printf(b, " %s ", names[f->join]));
        TRY(from(f->right, b));
        if (f->on) {
            TRY(tarn_buf_append_str(b, " ON "));
            TRY(tarn_sql_print_expr(f->on, b));
        }
        if (f->n_using) {
            TRY(tarn_buf_append_str(b, " USING ("));
            for (int i = 0; i < f->n_using; i++) {
                if (i)
                    TRY(tarn_buf_append_str(b, ", "));
                TRY(ident(f->using[i], b));
            }
            TRY(tarn_buf_append_char(b, ')'));
        }
        return tarn_buf_append_char(b, ')');
    }
    if (f->query) {
        TRY(tarn_buf_append_char(b, '('));
        TRY(query(f->query, b));
        TRY(tarn_buf_append_char(b, ')'));
    } else if (f->func) {
        TRY(tarn_sql_print_expr(f->func, b));
    } else if (f->path) {
        TRY(string(f->path, b));
    } else {
        for (int i = 0; i < f->n_parts; i++) {
            if (i)
                TRY(tarn_buf_append_char(b, '.'));
            TRY(ident(f->parts[i], b));
        }
    }
    if (f->version) {
        TRY(tarn_buf_append_str(b, " VERSION AS OF "));
        TRY(tarn_sql_print_expr(f->version, b));
    }
    if (f->as_of_ts) {
        TRY(tarn_buf_append_str(b, " TIMESTAMP AS OF "));
        TRY(tarn_sql_print_expr(f->as_of_ts, b));
    }
    if (f->alias) {
        TRY(tarn_buf_append_str(b, " AS "));
        TRY(ident(f->alias, b));
    }
    return TARN_OK;
}

static tarn_status select_core(const tarn_sql_select *s, tarn_buf *b)
{
    TRY(tarn_buf_append_str(b, s->distinct ? "SELECT DISTINCT " : "SELECT "));
    for (int i = 0; i < s->n_items; i++) {
        if (i)
            TRY(tarn_buf_append_str(b, ", "));
        TRY(tarn_sql_print_expr(s->items[i].expr, b));
        if (s->items[i].alias) {
            TRY(tarn_buf_append_str(b, " AS "));
            TRY(ident(s->items[i].alias, b));
        }
    }
    for (int i = 0; i < s->n_from; i++) {
        TRY(tarn_buf_append_str(b, i ? ", " : " FROM "));
        TRY(from(s->from[i], b));
    }
    if (s->where) {
        TRY(tarn_buf_append_str(b, " WHERE "));
        TRY(tarn_sql_print_expr(s->where, b));
    }
    if (s->n_group_by) {
        TRY(tarn_buf_append_str(b, " GROUP BY "));
        TRY(list(s->group_by, s->n_group_by, b));
    }
    if (s->having) {
        TRY(tarn_buf_append_str(b, " HAVING "));
        TRY(tarn_sql_print_expr(s->having, b));
    }
    return TARN_OK;
}

static tarn_status set(const tarn_sql_set *s, tarn_buf *b)
{
    if (s->op == TARN_SQL_SET_NONE) {
        if (s->select)
            return select_core(s->select, b);
        TRY(tarn_buf_append_char(b, '('));
        TRY(query(s->nested, b));
        return tarn_buf_append_char(b, ')');
    }
    static const char *const names[] = {"", "UNION", "UNION ALL", "INTERSECT", "EXCEPT"};
    TRY(set(s->left, b));
    TRY(tarn_buf_printf(b, " %s ", names[s->op]));
    if (s->right->op != TARN_SQL_SET_NONE) { /* keeps the grouping */
        TRY(tarn_buf_append_char(b, '('));
        TRY(set(s->right, b));
        return tarn_buf_append_char(b, ')');
    }
    return set(s->right, b);
}

static tarn_status query(const tarn_sql_query *q, tarn_buf *b)
{
    for (int i = 0; i < q->n_ctes; i++) {
        TRY(tarn_buf_append_str(b, i ? ", " : "WITH "));
        TRY(ident(q->ctes[i].name, b));
        TRY(tarn_buf_append_str(b, " AS ("));
        TRY(query(q->ctes[i].query, b));
        TRY(tarn_buf_append_char(b, ')'));
    }
    if (q->n_ctes)
        TRY(tarn_buf_append_char(b, ' '));
    TRY(set(q->body, b));
    if (q->n_order) {
        TRY(tarn_buf_append_str(b, " ORDER BY "));
        TRY(order(q->order, q->n_order, b));
    }
    if (q->limit) {
        TRY(tarn_buf_append_str(b, " LIMIT "));
        TRY(tarn_sql_print_expr(q->limit, b));
    }
    if (q->offset_expr) {
        TRY(tarn_buf_append_str(b, " OFFSET "));
        TRY(tarn_sql_print_expr(q->offset_expr, b));
    }
    return TARN_OK;
}

tarn_status tarn_sql_print(const tarn_sql_stmt *s, tarn_buf *out)
{
    if (s->explain)
        TRY(tarn_buf_append_str(out, "EXPLAIN "));
    return query(s->query, out);
}
