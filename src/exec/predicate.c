/*
 * exec/predicate.c - parse, bind and evaluate `--where` predicates.
 *
 * A predicate is a small tree. Evaluation produces, per node, two byte
 * arrays over the batch rows: T (row is TRUE) and F (row is FALSE); NULL is
 * neither. AND: T=Ta&Tb, F=Fa|Fb. OR: T=Ta|Tb, F=Fa&Fb. NOT swaps them.
 * Comparisons run one tight loop per type class and map the three-way
 * comparison result through a per-operator table, so no per-row dispatch.
 */
#include "exec/predicate.h"

#include "base/suggest.h"

#include "base/alloc.h"
#include "column/value.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum node_kind {
    N_AND,
    N_OR,
    N_NOT,
    N_CMP,
    N_ISNULL,
    N_IN,
    N_NULL
} node_kind;
typedef enum cmp_op {
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE
} cmp_op;

/* optab[op][c+1]: does a three-way result c (-1, 0, 1) satisfy op? */
static const uint8_t optab[6][3] = {
    {0, 1, 0}, /* = */
    {1, 0, 1}, /* != */
    {1, 0, 0}, /* < */
    {1, 1, 0}, /* <= */
    {0, 0, 1}, /* > */
    {0, 1, 1}, /* >= */
};

typedef struct node {
    node_kind kind;      /* what this node does */
    cmp_op op;           /* N_CMP */
    int col;             /* column index for N_CMP, N_ISNULL, N_IN */
    bool negate;         /* N_ISNULL: IS NOT NULL; N_IN: NOT IN */
    tarn_scalar lit;     /* N_CMP literal (typed like the column) */
    int n_lits;          /* N_IN */
    tarn_scalar *lits;   /* N_IN literals */
    bool lits_have_null; /* N_IN list contains NULL */
    struct node *a, *b;  /* children (N_NOT uses a) */
} node;

struct tarn_pred {
    tarn_arena *arena;         /* owns nodes, literals, text */
    node *root;                /* the tree */
    char *text;                /* source text */
    const tarn_schema *schema; /* bound schema (borrowed) */
};

/* Parser ------------------------------------------------------------------- */

typedef enum tok_kind {
    T_END,
    T_IDENT,
    T_QIDENT,
    T_STRING,
    T_NUMBER,
    T_OP,
    T_LP,
    T_RP,
    T_COMMA
} tok_kind;

typedef struct parser {
    const char *src; /* whole text */
    const char *p;   /* cursor */
    tok_kind kind;   /* current token */
    const char *tok; /* current token start */
    size_t len;      /* current token length */
    tarn_pred *pred; /* being built */
    tarn_err *err;   /* failures */
} parser;

static tarn_status perr(parser *ps, const char *fmt, const char *arg)
{
    char msg[300];
    snprintf(msg, sizeof msg, fmt, arg);
    return tarn_err_set(ps->err, TARN_ERR_USAGE, "--where: column %d: %s",
                        (int)(ps->tok - ps->src) + 1, msg);
}

static tarn_status next(parser *ps)
{
    const char *p = ps->p;
    while (isspace((unsigned char)*p))
        p++;
    ps->tok = p;
    if (!*p) {
        ps->kind = T_END;
        ps->len = 0;
        ps->p = p;
        return TARN_OK;
    }
    if (isalpha((unsigned char)*p) || *p == '_') {
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
            p++;
        ps->kind = T_IDENT;
    } else if (*p == '"' || *p == '\'') {
        char q = *p++;
        for (;;) {
            if (!*p)
                return perr(ps, "unterminated %s", q == '"' ? "quoted name" : "string");
            if (*p == q && p[1] == q) {
                p += 2;
                continue;
            }
            if (*p == q)
                break;
            p++;
        }
        p++;
        ps->kind = q == '"' ? T_QIDENT : T_STRING;
    } else if (isdigit((unsigned char)*p) || ((*p == '-' || *p == '+' || *p == '.') &&
                                              (isdigit((unsigned char)p[1]) || p[1] == '.'))) {
        p++;
        while (isalnum((unsigned char)*p) || *p == '.' ||
               ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')))
            p++;
        ps->kind = T_NUMBER;
    } else if (*p == '(' || *p == ')' || *p == ',') {
        ps->kind = *p == '(' ? T_LP : *p == ')' ? T_RP : T_COMMA;
        p++;
    } else if (strchr("=!<>", *p)) {
        p++;
        if (*p == '=' || (p[-1] == '<' && *p == '>'))
            p++;
        ps->kind = T_OP;
    } else {
        char c[2] = {*p, 0};
        return perr(ps, "unexpected character '%s'", c);
    }
    ps->len = (size_t)(p - ps->tok);
    ps->p = p;
    return TARN_OK;
}

static bool is_kw(const parser *ps, const char *kw)
{
    return ps->kind == T_IDENT && strlen(kw) == ps->len && strncasecmp(ps->tok, kw, ps->len) == 0;
}

static node *new_node(parser *ps, node_kind k)
{
    node *n = tarn_arena_calloc(ps->pred->arena, 1, sizeof *n);
    if (n)
        n->kind = k;
    return n;
}

/* Unquotes a 'string' or "name" token into the arena. */
static char *unquote(parser *ps, size_t *out_len)
{
    char *s = tarn_arena_alloc(ps->pred->arena, ps->len + 1);
    if (!s)
        return NULL;
    size_t n = 0;
    char q = ps->tok[0];
    for (size_t i = 1; i + 1 < ps->len; i++) {
        s[n++] = ps->tok[i];
        if (ps->tok[i] == q)
            i++; /* doubled quote */
    }
    s[n] = '\0';
    *out_len = n;
    return s;
}

static tarn_status column_ref(parser *ps, int *out_col)
{
    char name[256];
    if (ps->kind == T_QIDENT) {
        size_t n;
        char *s = unquote(ps, &n);
        if (!s)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        snprintf(name, sizeof name, "%s", s);
    } else {
        snprintf(name, sizeof name, "%.*s", (int)TARN_MIN(ps->len, 255), ps->tok);
    }
    int c = tarn_schema_find(ps->pred->schema, name);
    if (c < 0 && ps->kind == T_IDENT)
        c = tarn_schema_find_ci(ps->pred->schema, name);
    if (c < 0) {
        const char *best = NULL;
        size_t bd = 3;
        for (int i = 0; i < ps->pred->schema->n_fields; i++) {
            size_t d = tarn_edit_distance(name, ps->pred->schema->fields[i].name);
            if (d < bd) {
                bd = d;
                best = ps->pred->schema->fields[i].name;
            }
        }
        tarn_status st = perr(ps, "unknown column '%s'", name);
        if (best)
            tarn_err_set_hint(ps->err, "did you mean '%s'?", best);
        return st;
    }
    if (tarn_type_is_nested(ps->pred->schema->fields[c].type.id))
        return perr(ps, "column '%s' is nested and cannot be compared", name);
    *out_col = c;
    return next(ps);
}

static bool tok_is_literal(const parser *ps)
{
    return ps->kind == T_STRING || ps->kind == T_NUMBER || is_kw(ps, "true") ||
           is_kw(ps, "false") || is_kw(ps, "null");
}

/* Parses a literal token into a scalar of column col's type; *is_null for NULL. */
static tarn_status literal(parser *ps, int col, tarn_scalar *out, bool *is_null)
{
    const tarn_field *f = &ps->pred->schema->fields[col];
    *is_null = false;
    memset(out, 0, sizeof *out);
    out->type = f->type;
    if (is_kw(ps, "null")) {
        *is_null = true;
        out->is_null = true;
        return next(ps);
    }
    const char *text = ps->tok;
    size_t n = ps->len;
    char *uq = NULL;
    if (ps->kind == T_STRING) {
        uq = unquote(ps, &n);
        if (!uq)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        text = uq;
    } else if (!tok_is_literal(ps)) {
        return perr(ps, "expected a value, found '%s'",
                    ps->kind == T_END ? "end of text" : "token");
    }
    tarn_err e2;
    tarn_status st = tarn_scalar_parse(ps->pred->arena, f->type, text, n, out, &e2);
    if (st != TARN_OK) {
        char tn[48];
        tarn_status r = tarn_err_set(
            ps->err, TARN_ERR_USAGE, "--where: column %d: %s (column '%s' is %s)",
            (int)(ps->tok - ps->src) + 1, e2.msg, f->name, tarn_type_name(f->type, tn, sizeof tn));
        return r;
    }
    return next(ps);
}

static tarn_status parse_expr(parser *ps, node **out, int depth);

static tarn_status parse_op(parser *ps, cmp_op *op)
{
    if (ps->kind != T_OP)
        return perr(ps, "expected a comparison operator, IS, IN or BETWEEN%s", "");
    char o[3] = {0};
    memcpy(o, ps->tok, TARN_MIN(ps->len, 2));
    if (!strcmp(o, "=") || !strcmp(o, "=="))
        *op = OP_EQ;
    else if (!strcmp(o, "!=") || !strcmp(o, "<>"))
        *op = OP_NE;
    else if (!strcmp(o, "<"))
        *op = OP_LT;
    else if (!strcmp(o, "<="))
        *op = OP_LE;
    else if (!strcmp(o, ">"))
        *op = OP_GT;
    else if (!strcmp(o, ">="))
        *op = OP_GE;
    else
        return perr(ps, "unknown operator '%s'", o);
    return next(ps);
}

static tarn_status make_cmp(parser *ps, int col, cmp_op op, node **out)
{
    node *n = new_node(ps, N_CMP);
    if (!n)
        return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
    n->col = col;
    n->op = op;
    bool is_null;
    TARN_TRY(literal(ps, col, &n->lit, &is_null));
    if (is_null)
        n->kind = N_NULL; /* comparing with NULL is never true */
    *out = n;
    return TARN_OK;
}

static tarn_status parse_in(parser *ps, int col, bool neg, node **out)
{
    TARN_TRY(next(ps));
    if (ps->kind != T_LP)
        return perr(ps, "expected '(' after IN%s", "");
    TARN_TRY(next(ps));
    node *n = new_node(ps, N_IN);
    if (!n)
        return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
    n->col = col;
    n->negate = neg;
    int cap = 8;
    n->lits = tarn_arena_alloc(ps->pred->arena, sizeof(tarn_scalar) * (size_t)cap);
    for (;;) {
        if (n->n_lits == cap) {
            tarn_scalar *nl =
                tarn_arena_alloc(ps->pred->arena, sizeof(tarn_scalar) * (size_t)cap * 2);
            if (!nl)
                return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
            memcpy(nl, n->lits, sizeof(tarn_scalar) * (size_t)cap);
            n->lits = nl;
            cap *= 2;
        }
        if (!n->lits)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        bool is_null;
        TARN_TRY(literal(ps, col, &n->lits[n->n_lits], &is_null));
        if (is_null)
            n->lits_have_null = true;
        else
            n->n_lits++;
        if (ps->kind == T_COMMA) {
            TARN_TRY(next(ps));
            continue;
        }
        if (ps->kind == T_RP)
            break;
        return perr(ps, "expected ',' or ')' in IN list%s", "");
    }
    *out = n;
    return next(ps);
}

static tarn_status parse_predicate(parser *ps, node **out)
{
    if (tok_is_literal(ps)) {
        /* lit op col: parse as col op' lit by flipping the operator. */
        const char *save_p = ps->tok;
        parser tmp = *ps;
        TARN_TRY(next(ps));
        cmp_op op;
        TARN_TRY(parse_op(ps, &op));
        int col;
        if (ps->kind != T_IDENT && ps->kind != T_QIDENT)
            return perr(ps, "expected a column name%s", "");
        TARN_TRY(column_ref(ps, &col));
        static const cmp_op flip[6] = {OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE};
        parser after = *ps;
        *ps = tmp; /* re-read the literal now that the column type is known */
        ps->p = save_p;
        TARN_TRY(next(ps));
        TARN_TRY(make_cmp(ps, col, flip[op], out));
        *ps = after;
        return TARN_OK;
    }
    if (ps->kind != T_IDENT && ps->kind != T_QIDENT)
        return perr(ps, "expected a column name%s", "");
    int col;
    TARN_TRY(column_ref(ps, &col));
    if (is_kw(ps, "is")) {
        TARN_TRY(next(ps));
        bool neg = false;
        if (is_kw(ps, "not")) {
            neg = true;
            TARN_TRY(next(ps));
        }
        if (!is_kw(ps, "null"))
            return perr(ps, "expected NULL after IS%s", "");
        node *n = new_node(ps, N_ISNULL);
        if (!n)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        n->col = col;
        n->negate = neg;
        *out = n;
        return next(ps);
    }
    bool neg = false;
    if (is_kw(ps, "not")) {
        neg = true;
        TARN_TRY(next(ps));
        if (!is_kw(ps, "in") && !is_kw(ps, "between"))
            return perr(ps, "expected IN or BETWEEN after NOT%s", "");
    }
    if (is_kw(ps, "in"))
        return parse_in(ps, col, neg, out);
    if (is_kw(ps, "between")) {
        TARN_TRY(next(ps));
        node *lo, *hi;
        TARN_TRY(make_cmp(ps, col, OP_GE, &lo));
        if (!is_kw(ps, "and"))
            return perr(ps, "expected AND in BETWEEN%s", "");
        TARN_TRY(next(ps));
        TARN_TRY(make_cmp(ps, col, OP_LE, &hi));
        node *n = new_node(ps, N_AND);
        if (!n)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        n->a = lo;
        n->b = hi;
        if (neg) {
            node *nn = new_node(ps, N_NOT);
            if (!nn)
                return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
            nn->a = n;
            n = nn;
        }
        *out = n;
        return TARN_OK;
    }
    cmp_op op;
    TARN_TRY(parse_op(ps, &op));
    return make_cmp(ps, col, op, out);
}

static tarn_status parse_factor(parser *ps, node **out, int depth)
{
    if (depth > 200)
        return perr(ps, "expression nested too deeply%s", "");
    if (is_kw(ps, "not")) {
        TARN_TRY(next(ps));
        node *n = new_node(ps, N_NOT);
        if (!n)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        TARN_TRY(parse_factor(ps, &n->a, depth + 1));
        *out = n;
        return TARN_OK;
    }
    if (ps->kind == T_LP) {
        TARN_TRY(next(ps));
        TARN_TRY(parse_expr(ps, out, depth + 1));
        if (ps->kind != T_RP)
            return perr(ps, "expected ')'%s", "");
        return next(ps);
    }
    return parse_predicate(ps, out);
}

static tarn_status parse_binary(parser *ps, node **out, int depth, bool is_or)
{
    node *left;
    if (is_or)
        TARN_TRY(parse_binary(ps, &left, depth, false));
    else
        TARN_TRY(parse_factor(ps, &left, depth));
    while (is_kw(ps, is_or ? "or" : "and")) {
        TARN_TRY(next(ps));
        node *right;
        if (is_or)
            TARN_TRY(parse_binary(ps, &right, depth, false));
        else
            TARN_TRY(parse_factor(ps, &right, depth));
        node *n = new_node(ps, is_or ? N_OR : N_AND);
        if (!n)
            return tarn_err_set(ps->err, TARN_ERR_NOMEM, "out of memory");
        n->a = left;
        n->b = right;
        left = n;
    }
    *out = left;
    return TARN_OK;
}

static tarn_status parse_expr(parser *ps, node **out, int depth)
{
    return parse_binary(ps, out, depth, true);
}

tarn_status tarn_pred_parse(const char *text, const tarn_schema *schema, tarn_pred **out,
                            tarn_err *err)
{
    *out = NULL;
    tarn_pred *p = tarn_calloc(1, sizeof *p);
    if (!p)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    p->arena = tarn_arena_create(4096);
    p->schema = schema;
    if (!p->arena || !(p->text = tarn_arena_strdup(p->arena, text))) {
        tarn_pred_destroy(p);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    parser ps = {.src = p->text, .p = p->text, .pred = p, .err = err};
    tarn_status st = next(&ps);
    if (st == TARN_OK && ps.kind == T_END)
        st = perr(&ps, "empty predicate%s", "");
    if (st == TARN_OK)
        st = parse_expr(&ps, &p->root, 0);
    if (st == TARN_OK && ps.kind != T_END)
        st = perr(&ps, "unexpected '%s'", ps.kind == T_RP ? ")" : "text after the predicate");
    if (st != TARN_OK) {
        tarn_pred_destroy(p);
        return st;
    }
    *out = p;
    return TARN_OK;
}

void tarn_pred_destroy(tarn_pred *p)
{
    if (!p)
        return;
    tarn_arena_destroy(p->arena);
    tarn_free(p);
}

const char *tarn_pred_text(const tarn_pred *p)
{
    return p->text;
}

static bool uses(const node *n, int col)
{
    if (!n)
        return false;
    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT)
        return uses(n->a, col) || uses(n->b, col);
    return n->col == col;
}

bool tarn_pred_uses_column(const tarn_pred *p, int col)
{
    return uses(p->root, col);
}

/* Evaluation --------------------------------------------------------------- */

/* Three-way comparisons of one row against a literal, per storage class. */
#define CMP3(a, b) (((a) > (b)) - ((a) < (b)))

static inline int cmp_bytes(const uint8_t *p, int32_t n, const tarn_scalar *lit)
{
    int32_t m = TARN_MIN(n, lit->len);
    int c = m ? memcmp(p, lit->bytes, (size_t)m) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return CMP3(n, lit->len);
}

static inline int cmp_double(double x, double y)
{
    if (isnan(x) || isnan(y))
        return CMP3(isnan(x), isnan(y)); /* NaN sorts above everything */
    return CMP3(x, y);
}

/* Fills c[i] with the comparison of row i and lit (rows that are null get
 * any value; the caller masks them). */
static void compare_rows(const tarn_vec *v, const tarn_scalar *lit, int64_t n, int8_t *c)
{
    const uint8_t *d = v->data;
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        for (int64_t i = 0; i < n; i++)
            c[i] = (int8_t)CMP3((int)tarn_bit_get(d, i), (int)lit->v.b);
        break;
#define INT_LOOP(T)                                                                                \
    for (int64_t i = 0; i < n; i++)                                                                \
        c[i] = (int8_t)CMP3((int64_t)((const T *)d)[i], lit->v.i64);                               \
    break
    case TARN_TYPE_INT8:
        INT_LOOP(int8_t);
    case TARN_TYPE_INT16:
        INT_LOOP(int16_t);
    case TARN_TYPE_INT32:
    case TARN_TYPE_DATE:
        INT_LOOP(int32_t);
    case TARN_TYPE_UINT8:
        INT_LOOP(uint8_t);
    case TARN_TYPE_UINT16:
        INT_LOOP(uint16_t);
    case TARN_TYPE_UINT32:
        INT_LOOP(uint32_t);
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIME:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
    case TARN_TYPE_TIMESTAMP_NS:
        INT_LOOP(int64_t);
#undef INT_LOOP
    case TARN_TYPE_UINT64:
        for (int64_t i = 0; i < n; i++)
            c[i] = (int8_t)CMP3(((const uint64_t *)d)[i], lit->v.u64);
        break;
    case TARN_TYPE_FLOAT32:
        for (int64_t i = 0; i < n; i++)
            c[i] = (int8_t)cmp_double(((const float *)d)[i], lit->v.f64);
        break;
    case TARN_TYPE_FLOAT64:
        for (int64_t i = 0; i < n; i++)
            c[i] = (int8_t)cmp_double(((const double *)d)[i], lit->v.f64);
        break;
    case TARN_TYPE_DECIMAL:
        if (tarn_decimal_is_wide(v->type)) {
            for (int64_t i = 0; i < n; i++) {
                tarn_i128 x;
                memcpy(&x, d + i * 16, 16);
                c[i] = (int8_t)CMP3(x, lit->v.i128);
            }
        } else {
            int64_t y = (int64_t)lit->v.i128;
            for (int64_t i = 0; i < n; i++)
                c[i] = (int8_t)CMP3(((const int64_t *)d)[i], y);
        }
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        for (int64_t i = 0; i < n; i++)
            c[i] =
                (int8_t)cmp_bytes(v->bytes + v->offsets[i], v->offsets[i + 1] - v->offsets[i], lit);
        break;
    case TARN_TYPE_UUID:
        for (int64_t i = 0; i < n; i++)
            c[i] = (int8_t)cmp_bytes(d + i * 16, 16, lit);
        break;
    default:
        memset(c, 0, (size_t)n);
    }
}

typedef struct evalctx {
    const tarn_batch *b; /* input */
    int64_t n;           /* rows */
    int8_t *cmp;         /* scratch: three-way results */
} evalctx;

static tarn_status eval_node(evalctx *e, const node *nd, uint8_t *t, uint8_t *f);

static tarn_status eval_children(evalctx *e, const node *nd, uint8_t *t, uint8_t *f)
{
    TARN_TRY(eval_node(e, nd->a, t, f));
    uint8_t *t2 = tarn_alloc((size_t)e->n * 2 + 1);
    if (!t2)
        return TARN_ERR_NOMEM;
    uint8_t *f2 = t2 + e->n;
    tarn_status st = eval_node(e, nd->b, t2, f2);
    if (st == TARN_OK) {
        if (nd->kind == N_AND)
            for (int64_t i = 0; i < e->n; i++) {
                t[i] &= t2[i];
                f[i] |= f2[i];
            }
        else
            for (int64_t i = 0; i < e->n; i++) {
                t[i] |= t2[i];
                f[i] &= f2[i];
            }
    }
    tarn_free(t2);
    return st;
}

/* Clears T and F for null rows. */
static void mask_nulls(const tarn_vec *v, int64_t n, uint8_t *t, uint8_t *f)
{
    if (!v->validity)
        return;
    for (int64_t i = 0; i < n; i++) {
        uint8_t ok = tarn_bit_get(v->validity, i);
        t[i] &= ok;
        f[i] &= ok;
    }
}

static tarn_status eval_node(evalctx *e, const node *nd, uint8_t *t, uint8_t *f)
{
    int64_t n = e->n;
    switch (nd->kind) {
    case N_AND:
    case N_OR:
        return eval_children(e, nd, t, f);
    case N_NOT:
        /* Evaluate the child with T and F swapped. */
        return eval_node(e, nd->a, f, t);
    case N_NULL:
        memset(t, 0, (size_t)n);
        memset(f, 0, (size_t)n);
        return TARN_OK;
    case N_ISNULL: {
        const tarn_vec *v = e->b->cols[nd->col];
        for (int64_t i = 0; i < n; i++) {
            uint8_t isn = !tarn_vec_is_valid(v, i);
            t[i] = isn ^ nd->negate;
            f[i] = !t[i];
        }
        return TARN_OK;
    }
    case N_CMP: {
        const tarn_vec *v = e->b->cols[nd->col];
        compare_rows(v, &nd->lit, n, e->cmp);
        const uint8_t *tab = optab[nd->op];
        for (int64_t i = 0; i < n; i++) {
            t[i] = tab[e->cmp[i] + 1];
            f[i] = !t[i];
        }
        mask_nulls(v, n, t, f);
        return TARN_OK;
    }
    case N_IN: {
        const tarn_vec *v = e->b->cols[nd->col];
        memset(t, 0, (size_t)n);
        for (int k = 0; k < nd->n_lits; k++) {
            compare_rows(v, &nd->lits[k], n, e->cmp);
            for (int64_t i = 0; i < n; i++)
                t[i] |= e->cmp[i] == 0;
        }
        /* No match: FALSE, unless the list held NULL (then NULL). */
        for (int64_t i = 0; i < n; i++)
            f[i] = !t[i] && !nd->lits_have_null;
        mask_nulls(v, n, t, f);
        if (nd->negate)
            for (int64_t i = 0; i < n; i++) {
                uint8_t x = t[i];
                t[i] = f[i];
                f[i] = x;
            }
        return TARN_OK;
    }
    }
    return TARN_ERR_INTERNAL;
}

tarn_status tarn_pred_eval(const tarn_pred *p, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    int64_t n = b->n_rows;
    if (n == 0)
        return TARN_OK;
    uint8_t *f = tarn_alloc((size_t)n * 2);
    if (!f)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    evalctx e = {.b = b, .n = n, .cmp = (int8_t *)(f + n)};
    tarn_status st = eval_node(&e, p->root, out, f);
    tarn_free(f);
    if (st != TARN_OK)
        return tarn_err_set(err, st, "predicate evaluation failed");
    return TARN_OK;
}

/* Skipping ----------------------------------------------------------------- */

static bool is_float(tarn_type_id id)
{
    return id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64;
}

static bool cmp_may_match(const node *nd, const tarn_pred_colstats *s)
{
    if (!s->known)
        return true;
    if (s->num_rows >= 0 && s->null_count == s->num_rows)
        return false; /* every value is null: no comparison is true */
    if (!s->has_min_max)
        return true;
    int lo = tarn_scalar_compare(&s->min, &nd->lit); /* min vs lit */
    int hi = tarn_scalar_compare(&s->max, &nd->lit); /* max vs lit */
    bool fl = is_float(nd->lit.type.id);
    if (fl && isnan(nd->lit.v.f64))
        return true; /* NaN rows (never in min/max) equal a NaN literal */
    switch (nd->op) {
    case OP_EQ:
        return lo <= 0 && hi >= 0;
    case OP_NE:
        return !(lo == 0 && hi == 0) || fl;
    case OP_LT:
        return lo < 0;
    case OP_LE:
        return lo <= 0;
    case OP_GT:
        return hi > 0 || fl; /* NaN (not in stats) is greater than everything */
    case OP_GE:
        return hi >= 0 || fl;
    }
    return true;
}

static bool may_match(const node *nd, const tarn_pred_colstats *stats)
{
    switch (nd->kind) {
    case N_AND:
        return may_match(nd->a, stats) && may_match(nd->b, stats);
    case N_OR:
        return may_match(nd->a, stats) || may_match(nd->b, stats);
    case N_NOT:
        if (nd->a->kind == N_ISNULL) {
            node tmp = *nd->a;
            tmp.negate = !tmp.negate;
            return may_match(&tmp, stats);
        }
        return true;
    case N_NULL:
        return false;
    case N_ISNULL: {
        const tarn_pred_colstats *s = &stats[nd->col];
        if (!s->known || s->null_count < 0)
            return true;
        if (!nd->negate)
            return s->null_count > 0;
        return s->num_rows < 0 || s->null_count < s->num_rows;
    }
    case N_CMP:
        return cmp_may_match(nd, &stats[nd->col]);
    case N_IN: {
        if (nd->negate)
            return true;
        node tmp = *nd;
        tmp.kind = N_CMP;
        tmp.op = OP_EQ;
        for (int k = 0; k < nd->n_lits; k++) {
            tmp.lit = nd->lits[k];
            if (cmp_may_match(&tmp, &stats[nd->col]))
                return true;
        }
        return false;
    }
    }
    return true;
}

bool tarn_pred_may_match(const tarn_pred *p, const tarn_pred_colstats *stats)
{
    return may_match(p->root, stats);
}
