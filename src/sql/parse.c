/*
 * sql/parse.c - recursive-descent SQL parser and canonical printer (see
 * parse.h).
 *
 * Expressions are parsed by precedence levels, lowest first: OR, AND, NOT,
 * comparisons (= <> < <= > >=, IS, IN, BETWEEN, LIKE), ||, + -, * / %,
 * unary + -, :: casts, primaries. Nesting depth is capped so hostile input
 * cannot exhaust the stack. Every node is allocated in the caller's arena.
 */
#include "sql/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_DEPTH 200

typedef struct parser {
    const char *sql;
    tarn_sql_token *t;
    int n, pos;
    tarn_arena *a;
    tarn_err *err;
    int depth;
} parser;

static const tarn_sql_token *peek(const parser *p)
{
    return &p->t[p->pos];
}

static const tarn_sql_token *peek_at(const parser *p, int k)
{
    return &p->t[p->pos + k < p->n ? p->pos + k : p->n - 1];
}

static const tarn_sql_token *next(parser *p)
{
    const tarn_sql_token *t = &p->t[p->pos];
    if (t->kind != TARN_SQL_TOK_END)
        p->pos++;
    return t;
}

static bool is_kw(const tarn_sql_token *t, tarn_sql_keyword k)
{
    return t->kind == TARN_SQL_TOK_IDENT && t->keyword == k;
}

static bool is_op(const tarn_sql_token *t, const char *op)
{
    return t->kind == TARN_SQL_TOK_OP && strcmp(t->value, op) == 0;
}

static bool accept_kw(parser *p, tarn_sql_keyword k)
{
    if (!is_kw(peek(p), k))
        return false;
    next(p);
    return true;
}

static bool accept_op(parser *p, const char *op)
{
    if (!is_op(peek(p), op))
        return false;
    next(p);
    return true;
}

/* "'x'" / "the end of the query" for messages. */
static void describe(const tarn_sql_token *t, char *buf, size_t cap)
{
    if (t->kind == TARN_SQL_TOK_END)
        snprintf(buf, cap, "the end of the query");
    else
        snprintf(buf, cap, "'%.*s'", t->len > 40 ? 40 : t->len, t->text);
}

static void *fail(parser *p, const char *fmt, ...) TARN_PRINTF(2, 3);

/* Error at the current token: "<what>" plus " but found 'x'". */
static void *fail(parser *p, const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX / 2], found[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    describe(peek(p), found, sizeof found);
    if (p->err->code == TARN_OK)
        tarn_sql_error(p->err, TARN_ERR_INVALID, p->sql, peek(p)->offset, "%s but found %s", msg,
                       found);
    return NULL;
}

static void *oom(parser *p)
{
    if (p->err->code == TARN_OK)
        tarn_err_set(p->err, TARN_ERR_NOMEM, "out of memory");
    return NULL;
}

static bool expect_op(parser *p, const char *op)
{
    if (accept_op(p, op))
        return true;
    fail(p, "expected '%s'", op);
    return false;
}

static bool expect_kw(parser *p, tarn_sql_keyword k)
{
    if (accept_kw(p, k))
        return true;
    fail(p, "expected %s", tarn_sql_keyword_name(k));
    return false;
}

/* A growing array of pointers in the arena. */
typedef struct vec {
    void **v;
    int n, cap;
} vec;

static bool vpush(parser *p, vec *v, void *x)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 4;
        void **nv = tarn_arena_alloc(p->a, (size_t)cap * sizeof *nv);
        if (!nv)
            return oom(p), false;
        if (v->n)
            memcpy(nv, v->v, (size_t)v->n * sizeof *nv);
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = x;
    return true;
}

/* A name: a non-reserved word or a quoted name. */
static bool is_name(const tarn_sql_token *t)
{
    return (t->kind == TARN_SQL_TOK_IDENT && !tarn_sql_keyword_reserved(t->keyword)) ||
           t->kind == TARN_SQL_TOK_QIDENT;
}

static const char *name(parser *p, const char *what)
{
    if (!is_name(peek(p)))
        return fail(p, "expected %s", what);
    return next(p)->value;
}

static tarn_sql_expr *new_expr(parser *p, tarn_sql_expr_kind kind, int offset)
{
    tarn_sql_expr *e = tarn_arena_calloc(p->a, 1, sizeof *e);
    if (!e)
        return oom(p);
    e->kind = kind;
    e->offset = offset;
    return e;
}

static bool set_args(parser *p, tarn_sql_expr *e, int n, ...)
{
    e->args = tarn_arena_alloc(p->a, (size_t)n * sizeof *e->args);
    if (!e->args)
        return oom(p), false;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        e->args[i] = va_arg(ap, tarn_sql_expr *);
    va_end(ap);
    e->n_args = n;
    return true;
}

static tarn_sql_query *query(parser *p);
static tarn_sql_expr *expr(parser *p);
static tarn_sql_expr *concat(parser *p);

static bool starts_query(const parser *p)
{
    return is_kw(peek(p), TARN_SQL_KW_SELECT) || is_kw(peek(p), TARN_SQL_KW_WITH);
}

/* (query) after the '(' was seen. */
static tarn_sql_query *paren_query(parser *p)
{
    tarn_sql_query *q = query(p);
    return q && expect_op(p, ")") ? q : NULL;
}

static bool order_list(parser *p, tarn_sql_order **out, int *n_out)
{
    vec v = {0};
    do {
        tarn_sql_order *o = tarn_arena_calloc(p->a, 1, sizeof *o);
        if (!o)
            return oom(p), false;
        if (!(o->expr = expr(p)))
            return false;
        if (accept_kw(p, TARN_SQL_KW_DESC))
            o->desc = true;
        else
            accept_kw(p, TARN_SQL_KW_ASC);
        if (accept_kw(p, TARN_SQL_KW_NULLS)) {
            if (accept_kw(p, TARN_SQL_KW_FIRST))
                o->nulls = 1;
            else if (accept_kw(p, TARN_SQL_KW_LAST))
                o->nulls = 2;
            else
                return fail(p, "expected FIRST or LAST after NULLS"), false;
        }
        if (!vpush(p, &v, o))
            return false;
    } while (accept_op(p, ","));
    tarn_sql_order *arr = tarn_arena_alloc(p->a, (size_t)v.n * sizeof *arr);
    if (!arr)
        return oom(p), false;
    for (int i = 0; i < v.n; i++)
        arr[i] = *(tarn_sql_order *)v.v[i];
    *out = arr;
    *n_out = v.n;
    return true;
}

static bool expr_list(parser *p, tarn_sql_expr ***out, int *n_out)
{
    vec v = {0};
    do {
        tarn_sql_expr *e = expr(p);
        if (!e || !vpush(p, &v, e))
            return false;
    } while (accept_op(p, ","));
    *out = (tarn_sql_expr **)v.v;
    *n_out = v.n;
    return true;
}

/* OVER ( [PARTITION BY ...] [ORDER BY ...] ) after OVER. */
static tarn_sql_window *window(parser *p)
{
    tarn_sql_window *w = tarn_arena_calloc(p->a, 1, sizeof *w);
    if (!w)
        return oom(p);
    if (!expect_op(p, "("))
        return NULL;
    if (accept_kw(p, TARN_SQL_KW_PARTITION)) {
        if (!expect_kw(p, TARN_SQL_KW_BY) || !expr_list(p, &w->partition, &w->n_partition))
            return NULL;
    }
    if (accept_kw(p, TARN_SQL_KW_ORDER)) {
        if (!expect_kw(p, TARN_SQL_KW_BY) || !order_list(p, &w->order, &w->n_order))
            return NULL;
    }
    if (is_kw(peek(p), TARN_SQL_KW_ROWS) || is_kw(peek(p), TARN_SQL_KW_RANGE))
        return fail(p, "window frames (ROWS/RANGE) are not supported yet; expected ')'");
    return expect_op(p, ")") ? w : NULL;
}

/* A type as written: words and an optional (n[, m]), lower case. */
static const char *type_name(parser *p)
{
    tarn_buf b = TARN_BUF_INIT;
    if (peek(p)->kind != TARN_SQL_TOK_IDENT)
        return fail(p, "expected a type name");
    while (peek(p)->kind == TARN_SQL_TOK_IDENT && !is_kw(peek(p), TARN_SQL_KW_AS) &&
           (b.len == 0 || !tarn_sql_keyword_reserved(peek(p)->keyword))) {
        const tarn_sql_token *t = next(p);
        if ((b.len && tarn_buf_append_char(&b, ' ') != TARN_OK))
            goto nomem;
        for (int i = 0; i < t->len; i++)
            if (tarn_buf_append_char(&b, (char)(t->text[i] >= 'A' && t->text[i] <= 'Z'
                                                    ? t->text[i] + 32
                                                    : t->text[i])) != TARN_OK)
                goto nomem;
    }
    if (accept_op(p, "(")) {
        if (tarn_buf_append_char(&b, '(') != TARN_OK)
            goto nomem;
        do {
            if (peek(p)->kind != TARN_SQL_TOK_INT) {
                tarn_buf_fini(&b);
                return fail(p, "expected a number in the type's parameters");
            }
            if (b.data[b.len - 1] != '(' && tarn_buf_append_char(&b, ',') != TARN_OK)
                goto nomem;
            if (tarn_buf_append_str(&b, next(p)->value) != TARN_OK)
                goto nomem;
        } while (accept_op(p, ","));
        if (!expect_op(p, ")") || tarn_buf_append_char(&b, ')') != TARN_OK) {
            tarn_buf_fini(&b);
            return NULL;
        }
    }
    const char *s = tarn_arena_strndup(p->a, b.data ? b.data : "", b.len);
    tarn_buf_fini(&b);
    return s ? s : oom(p);
nomem:
    tarn_buf_fini(&b);
    return oom(p);
}

static tarn_sql_expr *literal(parser *p, tarn_sql_lit lit, const tarn_sql_token *t, int offset)
{
    tarn_sql_expr *e = new_expr(p, TARN_SQL_E_LITERAL, offset);
    if (e) {
        e->lit = lit;
        e->text = t->value;
    }
    return e;
}

static tarn_sql_expr *case_expr(parser *p, int offset)
{
    tarn_sql_expr *e = new_expr(p, TARN_SQL_E_CASE, offset);
    if (!e)
        return NULL;
    if (!is_kw(peek(p), TARN_SQL_KW_WHEN)) {
        tarn_sql_expr *operand = expr(p);
        if (!operand || !set_args(p, e, 1, operand))
            return NULL;
    }
    vec w = {0}, t = {0};
    while (accept_kw(p, TARN_SQL_KW_WHEN)) {
        tarn_sql_expr *c = expr(p), *v = c && expect_kw(p, TARN_SQL_KW_THEN) ? expr(p) : NULL;
        if (!v || !vpush(p, &w, c) || !vpush(p, &t, v))
            return NULL;
    }
    if (w.n == 0)
        return fail(p, "expected WHEN");
    e->whens = (tarn_sql_expr **)w.v;
    e->thens = (tarn_sql_expr **)t.v;
    e->n_whens = w.n;
    if (accept_kw(p, TARN_SQL_KW_ELSE) && !(e->else_expr = expr(p)))
        return NULL;
    return expect_kw(p, TARN_SQL_KW_END) ? e : NULL;
}

/* name( ... ) [OVER (...)] after the name; '(' is next. */
static tarn_sql_expr *call(parser *p, const char *fname, int offset)
{
    tarn_sql_expr *e = new_expr(p, TARN_SQL_E_FUNC, offset);
    if (!e)
        return NULL;
    e->name = fname;
    next(p); /* ( */
    if (accept_op(p, "*")) {
        e->star = true;
    } else if (!is_op(peek(p), ")")) {
        if (accept_kw(p, TARN_SQL_KW_DISTINCT))
            e->distinct = true;
        else
            accept_kw(p, TARN_SQL_KW_ALL);
        if (!expr_list(p, &e->args, &e->n_args))
            return NULL;
    }
    if (!expect_op(p, ")"))
        return NULL;
    if (accept_kw(p, TARN_SQL_KW_OVER) && !(e->over = window(p)))
        return NULL;
    return e;
}

static tarn_sql_expr *primary(parser *p)
{
    const tarn_sql_token *t = peek(p);
    int off = t->offset;
    switch (t->kind) {
    case TARN_SQL_TOK_INT:
        return literal(p, TARN_SQL_LIT_INT, next(p), off);
    case TARN_SQL_TOK_NUMBER:
        return literal(p, TARN_SQL_LIT_NUMBER, next(p), off);
    case TARN_SQL_TOK_STRING:
        return literal(p, TARN_SQL_LIT_STRING, next(p), off);
    default:
        break;
    }
    if (is_op(t, "(")) {
        next(p);
        if (starts_query(p)) {
            tarn_sql_expr *e = new_expr(p, TARN_SQL_E_SUBQUERY, off);
            return e && (e->query = paren_query(p)) ? e : NULL;
        }
        tarn_sql_expr *e = expr(p);
        return e && expect_op(p, ")") ? e : NULL;
    }
    if (is_op(t, "*")) {
        next(p);
        return new_expr(p, TARN_SQL_E_STAR, off);
    }
    if (t->kind == TARN_SQL_TOK_IDENT) {
        switch (t->keyword) {
        case TARN_SQL_KW_TRUE:
            return literal(p, TARN_SQL_LIT_TRUE, next(p), off);
        case TARN_SQL_KW_FALSE:
            return literal(p, TARN_SQL_LIT_FALSE, next(p), off);
        case TARN_SQL_KW_NULL:
            return literal(p, TARN_SQL_LIT_NULL, next(p), off);
        case TARN_SQL_KW_DATE:
        case TARN_SQL_KW_TIMESTAMP:
            if (peek_at(p, 1)->kind == TARN_SQL_TOK_STRING) {
                tarn_sql_lit lit =
                    t->keyword == TARN_SQL_KW_DATE ? TARN_SQL_LIT_DATE : TARN_SQL_LIT_TIMESTAMP;
                next(p);
                return literal(p, lit, next(p), off);
            }
            break;
        case TARN_SQL_KW_INTERVAL: {
            next(p);
            tarn_sql_expr *e = new_expr(p, TARN_SQL_E_INTERVAL, off);
            if (!e)
                return NULL;
            if (peek(p)->kind != TARN_SQL_TOK_STRING && peek(p)->kind != TARN_SQL_TOK_INT)
                return fail(p, "expected the interval's amount ('1 day' or 1 day)");
            e->text = next(p)->value;
            if (peek(p)->kind == TARN_SQL_TOK_IDENT && !tarn_sql_keyword_reserved(peek(p)->keyword))
                e->name = next(p)->value; /* the unit */
            return e;
        }
        case TARN_SQL_KW_CASE:
            next(p);
            return case_expr(p, off);
        case TARN_SQL_KW_CAST: {
            next(p);
            tarn_sql_expr *e = new_expr(p, TARN_SQL_E_CAST, off), *x;
            if (!e || !expect_op(p, "(") || !(x = expr(p)) || !set_args(p, e, 1, x) ||
                !expect_kw(p, TARN_SQL_KW_AS) || !(e->type_name = type_name(p)) ||
                !expect_op(p, ")"))
                return NULL;
            return e;
        }
        case TARN_SQL_KW_EXTRACT: {
            next(p);
            tarn_sql_expr *e = new_expr(p, TARN_SQL_E_EXTRACT, off), *x;
            if (!e || !expect_op(p, "("))
                return NULL;
            if (peek(p)->kind != TARN_SQL_TOK_IDENT && peek(p)->kind != TARN_SQL_TOK_STRING)
                return fail(p, "expected a date part (year, month, day...)");
            e->name = next(p)->value;
            if (!expect_kw(p, TARN_SQL_KW_FROM) || !(x = expr(p)) || !set_args(p, e, 1, x) ||
                !expect_op(p, ")"))
                return NULL;
            return e;
        }
        case TARN_SQL_KW_EXISTS: {
            next(p);
            tarn_sql_expr *e = new_expr(p, TARN_SQL_E_EXISTS, off);
            if (!e || !expect_op(p, "("))
                return NULL;
            if (!starts_query(p))
                return fail(p, "expected a subquery after EXISTS (");
            return (e->query = paren_query(p)) ? e : NULL;
        }
        case TARN_SQL_KW_LEFT:
        case TARN_SQL_KW_RIGHT:
            if (is_op(peek_at(p, 1), "(")) /* left(s, n), right(s, n) */
                return call(p, next(p)->value, off);
            break;
        default:
            break;
        }
    }
    if (is_name(t)) {
        const char *first = next(p)->value;
        if (is_op(peek(p), "(") && t->kind == TARN_SQL_TOK_IDENT)
            return call(p, first, off);
        /* a, t.a, layer.table.a, t.* */
        tarn_buf q = TARN_BUF_INIT;
        const char *last = first;
        tarn_status st = TARN_OK;
        while (st == TARN_OK && is_op(peek(p), ".")) {
            next(p);
            if (is_op(peek(p), "*")) {
                next(p);
                tarn_sql_expr *e = new_expr(p, TARN_SQL_E_STAR, off);
                st = q.len ? tarn_buf_append_char(&q, '.') : TARN_OK;
                if (st == TARN_OK)
                    st = tarn_buf_append_str(&q, last);
                if (e && st == TARN_OK && !(e->qualifier = tarn_arena_strndup(p->a, q.data, q.len)))
                    e = oom(p);
                tarn_buf_fini(&q);
                return st == TARN_OK ? e : oom(p);
            }
            const char *nm = name(p, "a column name after '.'");
            if (!nm) {
                tarn_buf_fini(&q);
                return NULL;
            }
            st = q.len ? tarn_buf_append_char(&q, '.') : TARN_OK;
            if (st == TARN_OK)
                st = tarn_buf_append_str(&q, last);
            last = nm;
        }
        tarn_sql_expr *e = new_expr(p, TARN_SQL_E_COLUMN, off);
        if (e) {
            e->name = last;
            if (q.len && !(e->qualifier = tarn_arena_strndup(p->a, q.data, q.len)))
                e = oom(p);
        }
        tarn_buf_fini(&q);
        return st == TARN_OK ? e : oom(p);
    }
    return fail(p, "expected an expression");
}

/* :: casts */
static tarn_sql_expr *postfix(parser *p)
{
    tarn_sql_expr *e = primary(p);
    while (e && is_op(peek(p), "::")) {
        int off = peek(p)->offset;
        next(p);
        tarn_sql_expr *c = new_expr(p, TARN_SQL_E_CAST, off);
        if (!c || !set_args(p, c, 1, e) || !(c->type_name = type_name(p)))
            return NULL;
        e = c;
    }
    return e;
}

static tarn_sql_expr *unary(parser *p)
{
    if (is_op(peek(p), "-") || is_op(peek(p), "+")) {
        const tarn_sql_token *t = next(p);
        if (++p->depth > MAX_DEPTH)
            return fail(p, "expression nested too deeply");
        tarn_sql_expr *x = unary(p), *e = x ? new_expr(p, TARN_SQL_E_UNARY, t->offset) : NULL;
        p->depth--;
        if (!e || !set_args(p, e, 1, x))
            return NULL;
        e->name = t->value;
        return e;
    }
    return postfix(p);
}

static tarn_sql_expr *binary(parser *p, tarn_sql_expr *l, const tarn_sql_token *op,
                             tarn_sql_expr *r)
{
    tarn_sql_expr *e = new_expr(p, TARN_SQL_E_BINARY, l->offset);
    if (!e || !set_args(p, e, 2, l, r))
        return NULL;
    e->name = op->kind == TARN_SQL_TOK_OP ? op->value : tarn_sql_keyword_name(op->keyword);
    if (!strcmp(e->name, "!=") || !strcmp(e->name, "<>"))
        e->name = "<>";
    else if (!strcmp(e->name, "=="))
        e->name = "=";
    return e;
}

static tarn_sql_expr *factor(parser *p)
{
    tarn_sql_expr *e = unary(p);
    while (e && (is_op(peek(p), "*") || is_op(peek(p), "/") || is_op(peek(p), "%"))) {
        const tarn_sql_token *op = next(p);
        tarn_sql_expr *r = unary(p);
        e = r ? binary(p, e, op, r) : NULL;
    }
    return e;
}

static tarn_sql_expr *term(parser *p)
{
    tarn_sql_expr *e = factor(p);
    while (e && (is_op(peek(p), "+") || is_op(peek(p), "-"))) {
        const tarn_sql_token *op = next(p);
        tarn_sql_expr *r = factor(p);
        e = r ? binary(p, e, op, r) : NULL;
    }
    return e;
}

static tarn_sql_expr *concat(parser *p)
{
    tarn_sql_expr *e = term(p);
    while (e && is_op(peek(p), "||")) {
        const tarn_sql_token *op = next(p);
        tarn_sql_expr *r = term(p);
        e = r ? binary(p, e, op, r) : NULL;
    }
    return e;
}

static bool is_cmp(const tarn_sql_token *t)
{
    static const char *const ops[] = {"=", "==", "<>", "!=", "<", "<=", ">", ">="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (is_op(t, ops[i]))
            return true;
    return false;
}

static tarn_sql_expr *comparison(parser *p)
{
    tarn_sql_expr *e = concat(p);
    if (!e)
        return NULL;
    if (is_cmp(peek(p))) {
        const tarn_sql_token *op = next(p);
        tarn_sql_expr *r = concat(p);
        return r ? binary(p, e, op, r) : NULL;
    }
    int off = peek(p)->offset;
    if (accept_kw(p, TARN_SQL_KW_IS)) {
        tarn_sql_expr *n = new_expr(p, TARN_SQL_E_IS_NULL, off);
        if (!n || !set_args(p, n, 1, e))
            return NULL;
        n->negated = accept_kw(p, TARN_SQL_KW_NOT);
        return expect_kw(p, TARN_SQL_KW_NULL) ? n : NULL;
    }
    bool neg = false;
    if (is_kw(peek(p), TARN_SQL_KW_NOT) &&
        (is_kw(peek_at(p, 1), TARN_SQL_KW_IN) || is_kw(peek_at(p, 1), TARN_SQL_KW_BETWEEN) ||
         is_kw(peek_at(p, 1), TARN_SQL_KW_LIKE) || is_kw(peek_at(p, 1), TARN_SQL_KW_ILIKE))) {
        next(p);
        neg = true;
    }
    if (accept_kw(p, TARN_SQL_KW_IN)) {
        if (!expect_op(p, "("))
            return NULL;
        if (starts_query(p)) {
            tarn_sql_expr *n = new_expr(p, TARN_SQL_E_IN_QUERY, off);
            if (!n || !set_args(p, n, 1, e) || !(n->query = paren_query(p)))
                return NULL;
            n->negated = neg;
            return n;
        }
        tarn_sql_expr *n = new_expr(p, TARN_SQL_E_IN_LIST, off);
        tarn_sql_expr **list;
        int k;
        if (!n || !expr_list(p, &list, &k) || !expect_op(p, ")"))
            return NULL;
        n->args = tarn_arena_alloc(p->a, (size_t)(k + 1) * sizeof *n->args);
        if (!n->args)
            return oom(p);
        n->args[0] = e;
        memcpy(n->args + 1, list, (size_t)k * sizeof *list);
        n->n_args = k + 1;
        n->negated = neg;
        return n;
    }
    if (accept_kw(p, TARN_SQL_KW_BETWEEN)) {
        tarn_sql_expr *n = new_expr(p, TARN_SQL_E_BETWEEN, off), *lo, *hi;
        if (!n || !(lo = concat(p)) || !expect_kw(p, TARN_SQL_KW_AND) || !(hi = concat(p)) ||
            !set_args(p, n, 3, e, lo, hi))
            return NULL;
        n->negated = neg;
        return n;
    }
    if (is_kw(peek(p), TARN_SQL_KW_LIKE) || is_kw(peek(p), TARN_SQL_KW_ILIKE)) {
        bool ci = next(p)->keyword == TARN_SQL_KW_ILIKE;
        tarn_sql_expr *n = new_expr(p, TARN_SQL_E_LIKE, off), *pat;
        if (!n || !(pat = concat(p)) || !set_args(p, n, 2, e, pat))
            return NULL;
        n->negated = neg;
        n->ilike = ci;
        return n;
    }
    return e;
}

static tarn_sql_expr *negation(parser *p)
{
    if (is_kw(peek(p), TARN_SQL_KW_NOT)) {
        const tarn_sql_token *t = next(p);
        if (++p->depth > MAX_DEPTH)
            return fail(p, "expression nested too deeply");
        tarn_sql_expr *x = negation(p);
        p->depth--;
        if (!x)
            return NULL;
        if (x->kind == TARN_SQL_E_EXISTS && !x->negated) { /* NOT EXISTS */
            x->negated = true;
            return x;
        }
        tarn_sql_expr *e = new_expr(p, TARN_SQL_E_UNARY, t->offset);
        if (!e || !set_args(p, e, 1, x))
            return NULL;
        e->name = "NOT";
        return e;
    }
    return comparison(p);
}

static tarn_sql_expr *conjunction(parser *p)
{
    tarn_sql_expr *e = negation(p);
    while (e && is_kw(peek(p), TARN_SQL_KW_AND)) {
        const tarn_sql_token *op = next(p);
        tarn_sql_expr *r = negation(p);
        e = r ? binary(p, e, op, r) : NULL;
    }
    return e;
}

static tarn_sql_expr *expr(parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, "expression nested too deeply");
    tarn_sql_expr *e = conjunction(p);
    while (e && is_kw(peek(p), TARN_SQL_KW_OR)) {
        const tarn_sql_token *op = next(p);
        tarn_sql_expr *r = conjunction(p);
        e = r ? binary(p, e, op, r) : NULL;
    }
    p->depth--;
    return e;
}

/* ---- FROM ------------------------------------------------------------------ */

static tarn_sql_from *from_item(parser *p);

static bool alias(parser *p, const char **out)
{
    if (accept_kw(p, TARN_SQL_KW_AS)) {
        if (peek(p)->kind == TARN_SQL_TOK_IDENT || peek(p)->kind == TARN_SQL_TOK_QIDENT) {
            *out = next(p)->value;
            return true;
        }
        return fail(p, "expected a name after AS"), false;
    }
    if (is_name(peek(p)) &&
        !(is_kw(peek(p), TARN_SQL_KW_VERSION) ||
          (is_kw(peek(p), TARN_SQL_KW_TIMESTAMP) && is_kw(peek_at(p, 1), TARN_SQL_KW_AS))))
        *out = next(p)->value;
    return true;
}

static tarn_sql_from *source(parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, "query nested too deeply");
    const tarn_sql_token *t = peek(p);
    tarn_sql_from *f = tarn_arena_calloc(p->a, 1, sizeof *f);
    if (!f)
        return oom(p);
    f->offset = t->offset;
    if (accept_op(p, "(")) {
        if (starts_query(p)) {
            if (!(f->query = paren_query(p)) || !alias(p, &f->alias))
                return NULL;
        } else {
            tarn_sql_from *inner = from_item(p);
            if (!inner || !expect_op(p, ")"))
                return NULL;
            f = inner;
        }
        p->depth--;
        return f;
    }
    if (t->kind == TARN_SQL_TOK_STRING) {
        f->path = next(p)->value;
    } else if (t->kind == TARN_SQL_TOK_IDENT && is_op(peek_at(p, 1), "(") &&
               !tarn_sql_keyword_reserved(t->keyword)) {
        if (!(f->func = call(p, next(p)->value, t->offset)))
            return NULL;
    } else {
        vec parts = {0};
        do {
            const char *nm = name(p, "a table name");
            if (!nm || !vpush(p, &parts, (void *)nm))
                return NULL;
        } while (accept_op(p, "."));
        f->parts = (const char **)parts.v;
        f->n_parts = parts.n;
    }
    if (!f->func && is_kw(peek(p), TARN_SQL_KW_VERSION)) {
        next(p);
        if (!expect_kw(p, TARN_SQL_KW_AS) || !expect_kw(p, TARN_SQL_KW_OF) ||
            !(f->version = concat(p)))
            return NULL;
    } else if (!f->func && is_kw(peek(p), TARN_SQL_KW_TIMESTAMP) &&
               is_kw(peek_at(p, 1), TARN_SQL_KW_AS)) {
        next(p);
        next(p);
        if (!expect_kw(p, TARN_SQL_KW_OF) || !(f->as_of_ts = concat(p)))
            return NULL;
    }
    if (!alias(p, &f->alias))
        return NULL;
    p->depth--;
    return f;
}

static tarn_sql_from *from_item(parser *p)
{
    tarn_sql_from *l = source(p);
    while (l) {
        tarn_sql_join j = TARN_SQL_JOIN_NONE;
        int off = peek(p)->offset;
        if (accept_kw(p, TARN_SQL_KW_JOIN) ||
            (is_kw(peek(p), TARN_SQL_KW_INNER) && accept_kw(p, TARN_SQL_KW_INNER) &&
             expect_kw(p, TARN_SQL_KW_JOIN)))
            j = TARN_SQL_JOIN_INNER;
        else if (is_kw(peek(p), TARN_SQL_KW_LEFT) || is_kw(peek(p), TARN_SQL_KW_RIGHT) ||
                 is_kw(peek(p), TARN_SQL_KW_FULL)) {
            tarn_sql_keyword k = next(p)->keyword;
            accept_kw(p, TARN_SQL_KW_OUTER);
            if (!expect_kw(p, TARN_SQL_KW_JOIN))
                return NULL;
            j = k == TARN_SQL_KW_LEFT    ? TARN_SQL_JOIN_LEFT
                : k == TARN_SQL_KW_RIGHT ? TARN_SQL_JOIN_RIGHT
                                         : TARN_SQL_JOIN_FULL;
        } else if (accept_kw(p, TARN_SQL_KW_CROSS)) {
            if (!expect_kw(p, TARN_SQL_KW_JOIN))
                return NULL;
            j = TARN_SQL_JOIN_CROSS;
        }
        if (p->err->code != TARN_OK)
            return NULL;
        if (j == TARN_SQL_JOIN_NONE)
            break;
        tarn_sql_from *r = source(p), *f = r ? tarn_arena_calloc(p->a, 1, sizeof *f) : NULL;
        if (!r)
            return NULL;
        if (!f)
            return oom(p);
        f->join = j;
        f->offset = off;
        f->left = l;
        f->right = r;
        if (j != TARN_SQL_JOIN_CROSS) {
            if (accept_kw(p, TARN_SQL_KW_ON)) {
                if (!(f->on = expr(p)))
                    return NULL;
            } else if (accept_kw(p, TARN_SQL_KW_USING)) {
                vec names = {0};
                if (!expect_op(p, "("))
                    return NULL;
                do {
                    const char *nm = name(p, "a column name");
                    if (!nm || !vpush(p, &names, (void *)nm))
                        return NULL;
                } while (accept_op(p, ","));
                if (!expect_op(p, ")"))
                    return NULL;
                f->using = (const char **)names.v;
                f->n_using = names.n;
            } else {
                return fail(p, "expected ON or USING after the joined table");
            }
        }
        l = f;
    }
    return l;
}

/* ---- SELECT and queries ------------------------------------------------------ */

static tarn_sql_select *select_core(parser *p)
{
    tarn_sql_select *s = tarn_arena_calloc(p->a, 1, sizeof *s);
    if (!s)
        return oom(p);
    if (!expect_kw(p, TARN_SQL_KW_SELECT))
        return NULL;
    if (accept_kw(p, TARN_SQL_KW_DISTINCT))
        s->distinct = true;
    else
        accept_kw(p, TARN_SQL_KW_ALL);
    vec items = {0};
    do {
        tarn_sql_item *it = tarn_arena_calloc(p->a, 1, sizeof *it);
        if (!it)
            return oom(p);
        if (!(it->expr = expr(p)))
            return NULL;
        if (it->expr->kind != TARN_SQL_E_STAR && !alias(p, &it->alias))
            return NULL;
        if (!vpush(p, &items, it))
            return NULL;
    } while (accept_op(p, ","));
    s->items = tarn_arena_alloc(p->a, (size_t)items.n * sizeof *s->items);
    if (!s->items)
        return oom(p);
    for (int i = 0; i < items.n; i++)
        s->items[i] = *(tarn_sql_item *)items.v[i];
    s->n_items = items.n;
    if (accept_kw(p, TARN_SQL_KW_FROM)) {
        vec from = {0};
        do {
            tarn_sql_from *f = from_item(p);
            if (!f || !vpush(p, &from, f))
                return NULL;
        } while (accept_op(p, ","));
        s->from = (tarn_sql_from **)from.v;
        s->n_from = from.n;
    }
    if (accept_kw(p, TARN_SQL_KW_WHERE) && !(s->where = expr(p)))
        return NULL;
    if (accept_kw(p, TARN_SQL_KW_GROUP)) {
        if (!expect_kw(p, TARN_SQL_KW_BY) || !expr_list(p, &s->group_by, &s->n_group_by))
            return NULL;
    }
    if (accept_kw(p, TARN_SQL_KW_HAVING) && !(s->having = expr(p)))
        return NULL;
    return s;
}

static tarn_sql_set *set_primary(parser *p)
{
    tarn_sql_set *s = tarn_arena_calloc(p->a, 1, sizeof *s);
    if (!s)
        return oom(p);
    s->offset = peek(p)->offset;
    if (accept_op(p, "(")) {
        if (!starts_query(p))
            return fail(p, "expected SELECT");
        return (s->nested = paren_query(p)) ? s : NULL;
    }
    if (!is_kw(peek(p), TARN_SQL_KW_SELECT))
        return fail(p, "expected SELECT");
    return (s->select = select_core(p)) ? s : NULL;
}

static tarn_sql_set *set_node(parser *p, tarn_sql_setop op, tarn_sql_set *l, tarn_sql_set *r)
{
    tarn_sql_set *s = tarn_arena_calloc(p->a, 1, sizeof *s);
    if (!s)
        return oom(p);
    s->op = op;
    s->offset = l->offset;
    s->left = l;
    s->right = r;
    return s;
}

static tarn_sql_set *set_term(parser *p)
{
    tarn_sql_set *s = set_primary(p);
    while (s && accept_kw(p, TARN_SQL_KW_INTERSECT)) {
        tarn_sql_set *r = set_primary(p);
        s = r ? set_node(p, TARN_SQL_SET_INTERSECT, s, r) : NULL;
    }
    return s;
}

static tarn_sql_set *set_expr(parser *p)
{
    tarn_sql_set *s = set_term(p);
    while (s && (is_kw(peek(p), TARN_SQL_KW_UNION) || is_kw(peek(p), TARN_SQL_KW_EXCEPT))) {
        tarn_sql_setop op =
            next(p)->keyword == TARN_SQL_KW_UNION ? TARN_SQL_SET_UNION : TARN_SQL_SET_EXCEPT;
        if (accept_kw(p, TARN_SQL_KW_ALL) && op == TARN_SQL_SET_UNION)
            op = TARN_SQL_SET_UNION_ALL;
        else if (op == TARN_SQL_SET_UNION)
            accept_kw(p, TARN_SQL_KW_DISTINCT);
        tarn_sql_set *r = set_term(p);
        s = r ? set_node(p, op, s, r) : NULL;
    }
    return s;
}

static tarn_sql_query *query(parser *p)
{
    if (++p->depth > MAX_DEPTH)
        return fail(p, "query nested too deeply");
    tarn_sql_query *q = tarn_arena_calloc(p->a, 1, sizeof *q);
    if (!q)
        return oom(p);
    q->offset = peek(p)->offset;
    if (accept_kw(p, TARN_SQL_KW_WITH)) {
        vec ctes = {0};
        do {
            tarn_sql_cte *c = tarn_arena_calloc(p->a, 1, sizeof *c);
            if (!c)
                return oom(p);
            c->offset = peek(p)->offset;
            if (!(c->name = name(p, "a name for the WITH query")) ||
                !expect_kw(p, TARN_SQL_KW_AS) || !expect_op(p, "(") ||
                !(c->query = paren_query(p)) || !vpush(p, &ctes, c))
                return NULL;
        } while (accept_op(p, ","));
        q->ctes = tarn_arena_alloc(p->a, (size_t)ctes.n * sizeof *q->ctes);
        if (!q->ctes)
            return oom(p);
        for (int i = 0; i < ctes.n; i++)
            q->ctes[i] = *(tarn_sql_cte *)ctes.v[i];
        q->n_ctes = ctes.n;
    }
    if (!(q->body = set_expr(p)))
        return NULL;
    if (accept_kw(p, TARN_SQL_KW_ORDER)) {
        if (!expect_kw(p, TARN_SQL_KW_BY) || !order_list(p, &q->order, &q->n_order))
            return NULL;
    }
    if (accept_kw(p, TARN_SQL_KW_LIMIT) && !(q->limit = concat(p)))
        return NULL;
    if (accept_kw(p, TARN_SQL_KW_OFFSET) && !(q->offset_expr = concat(p)))
        return NULL;
    p->depth--;
    return q;
}

tarn_status tarn_sql_parse(const char *sql, tarn_arena *a, tarn_sql_stmt **out, tarn_err *err)
{
    *out = NULL;
    tarn_err_clear(err);
    parser p = {sql, NULL, 0, 0, a, err, 0};
    TARN_TRY(tarn_sql_lex(sql, a, &p.t, &p.n, err));
    tarn_sql_stmt *s = tarn_arena_calloc(a, 1, sizeof *s);
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    s->explain = accept_kw(&p, TARN_SQL_KW_EXPLAIN);
    if (!starts_query(&p) && !is_op(peek(&p), "(")) {
        fail(&p, "expected SELECT or WITH");
        return err->code;
    }
    if (!(s->query = query(&p)))
        return err->code != TARN_OK ? err->code : tarn_err_set(err, TARN_ERR_INTERNAL, "parse");
    accept_op(&p, ";");
    if (peek(&p)->kind != TARN_SQL_TOK_END) {
        fail(&p, "expected the end of the statement");
        return err->code;
    }
    *out = s;
    return TARN_OK;
}
