/*
 * contract/load.c - reads a contract YAML file into the tarn_contract model.
 *
 * libyaml's document API builds the node tree; this file walks it with a
 * table of known keys per mapping (dataset, column, check, source), so an
 * unknown or misspelt key is an error at its line and column, with a
 * suggestion. Every value is checked where it is read: kinds (string, list,
 * mapping, boolean), types, semantic versions, durations, constraints (via
 * contract/constraint.c), column references of primary_key and sequence_by.
 * Aliases are followed, but the total number of nodes visited is capped so
 * an alias bomb cannot make loading slow.
 */
#include "contract/contract.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"
#include "base/suggest.h"
#include "contract/check.h"
#include "contract/constraint.h"
#include "exec/predicate.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#define MAX_CONTRACT_BYTES ((size_t)16 << 20)
#define MAX_VISITS         1000000
#define MAX_COLUMNS        10000 /* keeps the quadratic name checks cheap */
#define MAX_CHECKS         10000

typedef struct loader {
    const char *name; /* file name for messages */
    yaml_document_t doc;
    tarn_contract *c;
    tarn_arena *a;
    tarn_err *err;
    int64_t visits;
} loader;

typedef enum kind {
    K_SCALAR,
    K_LIST,
    K_MAP
} kind;

static tarn_ct_loc loc_of(const yaml_node_t *n)
{
    tarn_ct_loc l = {(int32_t)n->start_mark.line + 1, (int32_t)n->start_mark.column + 1};
    return l;
}

/* Records an error at node n: "NAME:LINE:COL: message". */
static tarn_status fail_at(loader *L, tarn_ct_loc loc, tarn_status code, const char *fmt, ...)
    TARN_PRINTF(4, 5);
static tarn_status fail_at(loader *L, tarn_ct_loc loc, tarn_status code, const char *fmt, ...)
{
    char msg[TARN_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tarn_err_set(L->err, code, "%s", msg);
    tarn_err_at_path(L->err, L->name);
    return tarn_err_at_line(L->err, loc.line, loc.col);
}

#define FAIL(L, n, ...) fail_at((L), loc_of(n), TARN_ERR_INVALID, __VA_ARGS__)

static const char *kind_name(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return n->data.scalar.length ? "a value" : "nothing";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

static tarn_status node_at(loader *L, int idx, yaml_node_t **out)
{
    if (++L->visits > MAX_VISITS)
        return tarn_err_set(L->err, TARN_ERR_LIMIT,
                            "%s: contract too large (more than %d YAML nodes, counting aliases)",
                            L->name, MAX_VISITS);
    *out = yaml_document_get_node(&L->doc, idx);
    if (!*out)
        return tarn_err_set(L->err, TARN_ERR_CORRUPT, "%s: broken YAML node reference", L->name);
    return TARN_OK;
}

static tarn_status expect(loader *L, yaml_node_t *n, kind k, const char *what)
{
    static const yaml_node_type_t want[] = {YAML_SCALAR_NODE, YAML_SEQUENCE_NODE,
                                            YAML_MAPPING_NODE};
    static const char *const names[] = {"a value", "a list", "a mapping"};
    if (n->type != want[k])
        return FAIL(L, n, "%s: expected %s, got %s", what, names[k], kind_name(n));
    return TARN_OK;
}

/* A non-empty string value (arena copy). */
static tarn_status str_val(loader *L, yaml_node_t *n, const char *what, const char **out)
{
    TARN_TRY(expect(L, n, K_SCALAR, what));
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (len == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return FAIL(L, n, "%s: value missing", what);
    if (memchr(s, '\0', len))
        return FAIL(L, n, "%s: value contains a NUL byte", what);
    char *d = tarn_arena_strndup(L->a, s, len);
    if (!d)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    *out = d;
    return TARN_OK;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    return *a == *b;
}

static tarn_status bool_val(loader *L, yaml_node_t *n, const char *what, bool *out)
{
    const char *s;
    TARN_TRY(str_val(L, n, what, &s));
    if (ieq(s, "true"))
        *out = true;
    else if (ieq(s, "false"))
        *out = false;
    else
        return FAIL(L, n, "%s: expected true or false, got '%s'", what, s);
    return TARN_OK;
}

/* A string or a list of strings. */
static tarn_status str_list(loader *L, yaml_node_t *n, const char *what, int *out_n,
                            const char ***out, tarn_ct_loc **out_locs)
{
    if (n->type == YAML_SCALAR_NODE) {
        const char **v = tarn_arena_alloc(L->a, sizeof *v);
        tarn_ct_loc *lv = tarn_arena_alloc(L->a, sizeof *lv);
        if (!v || !lv)
            return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
        TARN_TRY(str_val(L, n, what, &v[0]));
        lv[0] = loc_of(n);
        *out_n = 1;
        *out = v;
        if (out_locs)
            *out_locs = lv;
        return TARN_OK;
    }
    TARN_TRY(expect(L, n, K_LIST, what));
    yaml_node_item_t *it = n->data.sequence.items.start;
    int cnt = (int)(n->data.sequence.items.top - it);
    const char **v = tarn_arena_calloc(L->a, (size_t)cnt + 1, sizeof *v);
    tarn_ct_loc *lv = tarn_arena_calloc(L->a, (size_t)cnt + 1, sizeof *lv);
    if (!v || !lv)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *e;
        TARN_TRY(node_at(L, it[i], &e));
        TARN_TRY(str_val(L, e, what, &v[i]));
        lv[i] = loc_of(e);
    }
    *out_n = cnt;
    *out = v;
    if (out_locs)
        *out_locs = lv;
    return TARN_OK;
}

/* Walks a mapping: each key must be one of keys[] (NULL-terminated) and
 * appear once; fn is called with the key's index and the value node. */
typedef tarn_status (*key_fn)(loader *L, void *ctx, int key, yaml_node_t *k, yaml_node_t *v);

static tarn_status each_key(loader *L, yaml_node_t *map, const char *what, const char *const *keys,
                            key_fn fn, void *ctx)
{
    TARN_TRY(expect(L, map, K_MAP, what));
    int nkeys = 0;
    while (keys[nkeys])
        nkeys++;
    uint64_t seen = 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k, *v;
        TARN_TRY(node_at(L, p->key, &k));
        TARN_TRY(node_at(L, p->value, &v));
        if (k->type != YAML_SCALAR_NODE)
            return FAIL(L, k, "%s: keys must be plain names, got %s", what, kind_name(k));
        const char *ks = (const char *)k->data.scalar.value;
        int idx = -1;
        for (int i = 0; i < nkeys; i++)
            if (strlen(keys[i]) == k->data.scalar.length && !memcmp(keys[i], ks, strlen(keys[i])))
                idx = i;
        if (idx < 0) {
            char name[80];
            snprintf(name, sizeof name, "%.*s", (int)TARN_MIN(k->data.scalar.length, 64), ks);
            const char *best = tarn_suggest(name, keys, nkeys);
            if (best)
                return FAIL(L, k, "unknown key '%s' in %s (did you mean '%s'?)", name, what, best);
            return FAIL(L, k, "unknown key '%s' in %s", name, what);
        }
        if (seen & ((uint64_t)1 << idx))
            return FAIL(L, k, "duplicate key '%s' in %s", keys[idx], what);
        seen |= (uint64_t)1 << idx;
        TARN_TRY(fn(L, ctx, idx, k, v));
    }
    return TARN_OK;
}

/* ---- semantic version, duration ------------------------------------- */

static bool parse_uint(const char **p, int *out)
{
    const char *s = *p;
    if (!isdigit((unsigned char)*s))
        return false;
    if (s[0] == '0' && isdigit((unsigned char)s[1]))
        return false; /* no leading zeros (semver 2.0.0) */
    long v = 0;
    while (isdigit((unsigned char)*s)) {
        v = v * 10 + (*s - '0');
        if (v > 999999999)
            return false;
        s++;
    }
    *out = (int)v;
    *p = s;
    return true;
}

static bool parse_semver(const char *s, int *maj, int *min, int *pat)
{
    const char *p = s;
    if (*p == 'v' || *p == 'V')
        p++;
    if (!parse_uint(&p, maj) || *p++ != '.' || !parse_uint(&p, min) || *p++ != '.' ||
        !parse_uint(&p, pat))
        return false;
    if (*p == '-' || *p == '+') { /* pre-release / build: [0-9A-Za-z.-] */
        p++;
        if (!*p)
            return false;
        for (; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+')
                return false;
    }
    return *p == '\0';
}

tarn_status tarn_ct_parse_duration(const char *text, int64_t *out_seconds, tarn_err *err)
{
    static const struct {
        const char *name;
        int64_t secs;
    } units[] = {
        {"s", 1},          {"sec", 1},     {"secs", 1},     {"second", 1},  {"seconds", 1},
        {"m", 60},         {"min", 60},    {"mins", 60},    {"minute", 60}, {"minutes", 60},
        {"h", 3600},       {"hr", 3600},   {"hrs", 3600},   {"hour", 3600}, {"hours", 3600},
        {"d", 86400},      {"day", 86400}, {"days", 86400}, {"w", 604800},  {"week", 604800},
        {"weeks", 604800},
    };
    const char *p = text;
    double total = 0;
    int parts = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (!isdigit((unsigned char)*p))
            goto bad;
        double v = 0;
        while (isdigit((unsigned char)*p))
            v = v * 10 + (*p++ - '0');
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                goto bad;
            double f = 0.1;
            while (isdigit((unsigned char)*p)) {
                v += (*p++ - '0') * f;
                f /= 10;
            }
        }
        while (*p == ' ')
            p++;
        const char *u = p;
        while (isalpha((unsigned char)*p))
            p++;
        size_t ul = (size_t)(p - u);
        int64_t mult = 0;
        for (size_t i = 0; i < TARN_ARRAY_LEN(units); i++)
            if (strlen(units[i].name) == ul && !strncmp(units[i].name, u, ul))
                mult = units[i].secs;
        if (!mult)
            goto bad;
        total += v * (double)mult;
        if (total > 1e15)
            goto bad;
        parts++;
    }
    if (!parts)
        goto bad;
    *out_seconds = (int64_t)(total + 0.5);
    return TARN_OK;
bad:
    return tarn_err_set(err, TARN_ERR_INVALID,
                        "'%s' is not a duration (examples: 90s, 30m, 4h, 4 hours, 2d, 1w)", text);
}

/* ---- columns ----------------------------------------------------------- */

enum {
    C_NAME,
    C_TYPE,
    C_NULLABLE,
    C_PK,
    C_DESC,
    C_TAGS,
    C_PII,
    C_CONSTRAINTS
};
static const char *const column_keys[] = {
    "name", "type", "nullable", "primary_key", "description", "tags", "pii", "constraints", NULL};

typedef struct col_ctx {
    tarn_ct_column *col;
    yaml_node_t *constraints; /* parsed after the type is known */
    yaml_node_t *type_node;
    bool has_name;
} col_ctx;

static tarn_status parse_type(loader *L, yaml_node_t *n, tarn_ct_column *col)
{
    static const char *const type_names[] = {
        "boolean", "bool",   "int8", "int16", "int32",     "int",           "integer",
        "int64",   "bigint", "long", "float", "double",    "float64",       "decimal",
        "string",  "binary", "date", "time",  "timestamp", "timestamp_ntz", NULL};
    TARN_TRY(str_val(L, n, "type", &col->type_text));
    col->type_loc = loc_of(n);
    tarn_err terr;
    tarn_err_clear(&terr);
    const char *t = col->type_text;
    if (tarn_type_parse(t, strlen(t), &col->type, &terr) == TARN_OK) {
        tarn_type_id id = col->type.id;
        if (tarn_type_is_nested(id) || id == TARN_TYPE_NULL || id == TARN_TYPE_UINT8 ||
            id == TARN_TYPE_UINT16 || id == TARN_TYPE_UINT32 || id == TARN_TYPE_UINT64 ||
            id == TARN_TYPE_UUID || id == TARN_TYPE_TIMESTAMP_NS)
            return FAIL(L, n, "type '%s' is not supported in contracts", t);
        return TARN_OK;
    }
    /* Unknown name, or a known name with bad parameters ("decimal(40,2)"). */
    char base[64];
    size_t bl = strcspn(t, "( ");
    snprintf(base, sizeof base, "%.*s", (int)TARN_MIN(bl, 63), t);
    for (int i = 0; type_names[i]; i++)
        if (ieq(base, type_names[i])) {
            /* The type parser quotes the text again at the end; once is enough. */
            char tail[128];
            snprintf(tail, sizeof tail, " in '%s'", t);
            size_t ml = strlen(terr.msg), tl = strlen(tail);
            if (ml > tl && !strcmp(terr.msg + ml - tl, tail))
                terr.msg[ml - tl] = '\0';
            return FAIL(L, n, "invalid type '%s': %s", t, terr.msg);
        }
    const char *best = tarn_suggest(base, type_names, (int)TARN_ARRAY_LEN(type_names) - 1);
    if (best)
        return FAIL(L, n, "unknown type '%s' (did you mean '%s%s'?)", t, best, t + bl);
    return FAIL(L, n, "unknown type '%s'", t);
}

static tarn_status column_key(loader *L, void *vctx, int key, yaml_node_t *k, yaml_node_t *v)
{
    (void)k;
    col_ctx *cx = vctx;
    tarn_ct_column *col = cx->col;
    switch (key) {
    case C_NAME:
        TARN_TRY(str_val(L, v, "name", &col->name));
        for (const char *p = col->name; *p; p++)
            if ((unsigned char)*p < 0x20)
                return FAIL(L, v, "column name contains a control character");
        if (strlen(col->name) > 255)
            return FAIL(L, v, "column name longer than 255 bytes");
        cx->has_name = true;
        return TARN_OK;
    case C_TYPE:
        cx->type_node = v;
        return parse_type(L, v, col);
    case C_NULLABLE:
        col->nullable_explicit = true;
        return bool_val(L, v, "nullable", &col->nullable);
    case C_PK:
        return bool_val(L, v, "primary_key", &col->primary_key);
    case C_DESC:
        return str_val(L, v, "description", &col->description);
    case C_TAGS:
        return str_list(L, v, "tags", &col->n_tags, &col->tags, NULL);
    case C_PII:
        return bool_val(L, v, "pii", &col->pii);
    case C_CONSTRAINTS:
        TARN_TRY(expect(L, v, K_LIST, "constraints"));
        cx->constraints = v;
        return TARN_OK;
    default:
        return tarn_err_set(L->err, TARN_ERR_INTERNAL, "column key %d", key);
    }
}

enum {
    R_RULE,
    R_SEVERITY
};
static const char *const rule_keys[] = {"rule", "severity", NULL};

typedef struct rule_ctx {
    yaml_node_t *rule;
    yaml_node_t *severity;
} rule_ctx;

static tarn_status rule_key(loader *L, void *vctx, int key, yaml_node_t *k, yaml_node_t *v)
{
    (void)L;
    (void)k;
    rule_ctx *rx = vctx;
    if (key == R_RULE)
        rx->rule = v;
    else
        rx->severity = v;
    return TARN_OK;
}

static tarn_status severity_val(loader *L, yaml_node_t *n, tarn_ct_severity *out)
{
    const char *s;
    TARN_TRY(str_val(L, n, "severity", &s));
    if (!strcmp(s, "fail") || !strcmp(s, "error"))
        *out = TARN_CT_FAIL;
    else if (!strcmp(s, "warn") || !strcmp(s, "warning"))
        *out = TARN_CT_WARN;
    else
        return FAIL(L, n, "severity: expected warn or fail, got '%s'", s);
    return TARN_OK;
}

/* min_value above max_value (or min_length above max_length) lets no
 * value through: almost certainly a typo, and it would quarantine every row. */
static tarn_status conflicting_bounds(loader *L, const tarn_ct_column *col)
{
    const tarn_ct_constraint *lo = NULL, *hi = NULL, *llo = NULL, *lhi = NULL;
    for (int i = 0; i < col->n_constraints; i++) {
        const tarn_ct_constraint *ct = &col->constraints[i];
        if (ct->kind == TARN_CT_MIN_VALUE)
            lo = ct;
        else if (ct->kind == TARN_CT_MAX_VALUE)
            hi = ct;
        else if (ct->kind == TARN_CT_MIN_LENGTH)
            llo = ct;
        else if (ct->kind == TARN_CT_MAX_LENGTH)
            lhi = ct;
    }
    if (lo && hi && !lo->value.is_null && !hi->value.is_null &&
        tarn_scalar_compare(&lo->value, &hi->value) > 0)
        return fail_at(L, hi->loc, TARN_ERR_INVALID,
                       "column '%s': %s is below %s, so no value can pass", col->name, hi->text,
                       lo->text);
    if (llo && lhi && llo->length > lhi->length)
        return fail_at(L, lhi->loc, TARN_ERR_INVALID,
                       "column '%s': %s is below %s, so no value can pass", col->name, lhi->text,
                       llo->text);
    return TARN_OK;
}

static tarn_status parse_constraints(loader *L, col_ctx *cx)
{
    tarn_ct_column *col = cx->col;
    yaml_node_t *list = cx->constraints;
    yaml_node_item_t *it = list->data.sequence.items.start;
    int cnt = (int)(list->data.sequence.items.top - it);
    col->constraints = tarn_arena_calloc(L->a, (size_t)cnt + 1, sizeof *col->constraints);
    if (!col->constraints)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    tarn_field f = {0};
    f.name = col->name;
    f.type = col->type;
    f.nullable = true;
    f.field_id = -1;
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *e;
        TARN_TRY(node_at(L, it[i], &e));
        rule_ctx rx = {e, NULL};
        if (e->type == YAML_MAPPING_NODE) {
            rx.rule = NULL;
            TARN_TRY(each_key(L, e, "constraint", rule_keys, rule_key, &rx));
            if (!rx.rule)
                return FAIL(L, e, "constraint: 'rule' missing (e.g. rule: \"min_value(0)\")");
        }
        const char *text;
        TARN_TRY(str_val(L, rx.rule, "constraint", &text));
        tarn_ct_constraint *ct = &col->constraints[col->n_constraints];
        tarn_err cerr;
        tarn_err_clear(&cerr);
        if (tarn_ct_constraint_parse(L->a, text, &f, ct, &cerr) != TARN_OK) {
            tarn_ct_constraint_fini(ct);
            return fail_at(L, loc_of(rx.rule), cerr.code, "%s", cerr.msg);
        }
        col->n_constraints++; /* owned from here: tarn_ct_destroy releases it */
        ct->loc = loc_of(rx.rule);
        if (rx.severity)
            TARN_TRY(severity_val(L, rx.severity, &ct->severity));
        for (int j = 0; j < col->n_constraints - 1; j++)
            if (col->constraints[j].kind == ct->kind)
                return FAIL(L, rx.rule, "duplicate constraint %s on column '%s'",
                            tarn_ct_constraint_name(ct->kind), col->name);
        if (ct->kind == TARN_CT_NOT_NULL && ct->severity == TARN_CT_FAIL) {
            if (col->nullable_explicit && col->nullable)
                return FAIL(L, rx.rule, "column '%s' says nullable: true and not_null", col->name);
            col->nullable = false;
        }
    }
    return conflicting_bounds(L, col);
}

static tarn_status parse_column(loader *L, yaml_node_t *n, tarn_ct_column *col)
{
    col_ctx cx = {col, NULL, NULL, false};
    col->loc = loc_of(n);
    col->nullable = true;
    TARN_TRY(each_key(L, n, "column", column_keys, column_key, &cx));
    if (!cx.has_name)
        return FAIL(L, n, "column: 'name' missing");
    if (!cx.type_node)
        return FAIL(L, n, "column '%s': 'type' missing", col->name);
    if (col->primary_key) {
        if (col->nullable_explicit && col->nullable)
            return FAIL(L, n, "column '%s' is a primary key and cannot be nullable", col->name);
        col->nullable = false;
    }
    if (cx.constraints)
        TARN_TRY(parse_constraints(L, &cx));
    return TARN_OK;
}

/* ---- quality checks ------------------------------------------------------ */

enum {
    Q_CHECK,
    Q_SEVERITY,
    Q_NAME,
    Q_DESC
};
static const char *const check_keys[] = {"check", "severity", "name", "description", NULL};

typedef struct check_ctx {
    tarn_ct_check *ck;
    yaml_node_t *text;
} check_ctx;

static tarn_status check_key(loader *L, void *vctx, int key, yaml_node_t *k, yaml_node_t *v)
{
    (void)k;
    check_ctx *qx = vctx;
    switch (key) {
    case Q_CHECK:
        qx->text = v;
        return str_val(L, v, "check", &qx->ck->text);
    case Q_SEVERITY:
        return severity_val(L, v, &qx->ck->severity);
    case Q_NAME:
        return str_val(L, v, "name", &qx->ck->name);
    default:
        return str_val(L, v, "description", &qx->ck->description);
    }
}

/* Parses the check expression; a syntax error points into the YAML file. */
static tarn_status compile_check(loader *L, yaml_node_t *n, tarn_ct_check *ck)
{
    tarn_err cerr;
    tarn_err_clear(&cerr);
    tarn_ck_expr *expr = NULL;
    if (tarn_ck_parse(L->a, ck->text, &expr, &cerr) != TARN_OK) {
        tarn_ct_loc loc = loc_of(n);
        bool quoted = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                      n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        bool one_line = n->start_mark.line == n->end_mark.line;
        if (one_line && cerr.col > 0)
            loc.col += (int32_t)cerr.col - 1 + (quoted ? 1 : 0);
        return fail_at(L, loc, cerr.code, "check '%s': %s", ck->text, cerr.msg);
    }
    ck->expr = expr;
    return TARN_OK;
}

static tarn_status parse_quality(loader *L, yaml_node_t *list)
{
    tarn_contract *c = L->c;
    TARN_TRY(expect(L, list, K_LIST, "quality"));
    yaml_node_item_t *it = list->data.sequence.items.start;
    int cnt = (int)(list->data.sequence.items.top - it);
    if (cnt > MAX_CHECKS)
        return fail_at(L, loc_of(list), TARN_ERR_LIMIT, "quality: more than %d checks", MAX_CHECKS);
    c->checks = tarn_arena_calloc(L->a, (size_t)cnt + 1, sizeof *c->checks);
    if (!c->checks)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *e;
        TARN_TRY(node_at(L, it[i], &e));
        tarn_ct_check *ck = &c->checks[i];
        check_ctx qx = {ck, NULL};
        ck->loc = loc_of(e);
        if (e->type == YAML_SCALAR_NODE) { /* shorthand: - "row_count > 0" */
            qx.text = e;
            TARN_TRY(str_val(L, e, "check", &ck->text));
        } else {
            TARN_TRY(each_key(L, e, "quality check", check_keys, check_key, &qx));
            if (!qx.text)
                return FAIL(L, e, "quality check: 'check' missing (e.g. check: \"row_count > 0\")");
        }
        ck->loc = loc_of(qx.text);
        TARN_TRY(compile_check(L, qx.text, ck));
        if (ck->name)
            for (int j = 0; j < i; j++)
                if (c->checks[j].name && !strcmp(c->checks[j].name, ck->name))
                    return FAIL(L, qx.text, "duplicate check name '%s'", ck->name);
        c->n_checks = i + 1;
    }
    return TARN_OK;
}

/* ---- source -------------------------------------------------------------- */

enum {
    S_FORMAT,
    S_PATH,
    S_COMPRESSION,
    S_DELIMITER,
    S_HEADER,
    S_OPTIONS
};
static const char *const source_keys[] = {"format", "path",    "compression", "delimiter",
                                          "header", "options", NULL};

static tarn_status one_of(loader *L, yaml_node_t *v, const char *what, const char *const *allowed,
                          const char **out)
{
    TARN_TRY(str_val(L, v, what, out));
    int n = 0;
    for (; allowed[n]; n++)
        if (!strcmp(allowed[n], *out))
            return TARN_OK;
    const char *best = tarn_suggest(*out, allowed, n);
    if (best)
        return FAIL(L, v, "%s: unknown value '%s' (did you mean '%s'?)", what, *out, best);
    return FAIL(L, v, "%s: unknown value '%s'", what, *out);
}

static tarn_status source_key(loader *L, void *vctx, int key, yaml_node_t *k, yaml_node_t *v)
{
    (void)k;
    (void)vctx;
    static const char *const formats[] = {"auto", "ndjson", "json", "csv", "tsv", "parquet", NULL};
    static const char *const codecs[] = {"auto", "none", "gzip", "zstd", NULL};
    tarn_ct_source *s = &L->c->source;
    switch (key) {
    case S_FORMAT:
        return one_of(L, v, "source format", formats, &s->format);
    case S_PATH:
        return str_val(L, v, "source path", &s->path);
    case S_COMPRESSION:
        return one_of(L, v, "source compression", codecs, &s->compression);
    case S_DELIMITER: {
        const char *d;
        TARN_TRY(str_val(L, v, "delimiter", &d));
        if (!strcmp(d, "\\t") || !strcmp(d, "tab") || !strcmp(d, "\t"))
            s->delimiter = '\t';
        else if (strlen(d) == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r')
            s->delimiter = d[0];
        else
            return FAIL(L, v, "delimiter: expected one character (or tab), got '%s'", d);
        return TARN_OK;
    }
    case S_HEADER: {
        const char *h;
        TARN_TRY(str_val(L, v, "header", &h));
        if (ieq(h, "auto")) {
            s->header = -1;
            return TARN_OK;
        }
        bool b;
        TARN_TRY(bool_val(L, v, "header", &b));
        s->header = b ? 1 : 0;
        return TARN_OK;
    }
    default: {
        TARN_TRY(expect(L, v, K_MAP, "source options"));
        int cnt = (int)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
        s->options = tarn_arena_calloc(L->a, (size_t)cnt + 1, sizeof *s->options);
        if (!s->options)
            return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
        for (int i = 0; i < cnt; i++) {
            yaml_node_t *ok, *ov;
            TARN_TRY(node_at(L, v->data.mapping.pairs.start[i].key, &ok));
            TARN_TRY(node_at(L, v->data.mapping.pairs.start[i].value, &ov));
            TARN_TRY(str_val(L, ok, "source option name", &s->options[i].key));
            TARN_TRY(str_val(L, ov, "source option value", &s->options[i].value));
            for (int j = 0; j < i; j++)
                if (!strcmp(s->options[j].key, s->options[i].key))
                    return FAIL(L, ok, "duplicate source option '%s'", s->options[i].key);
            s->n_options = i + 1;
        }
        return TARN_OK;
    }
    }
}

/* ---- the contract -------------------------------------------------------- */

enum {
    D_DATASET,
    D_VERSION,
    D_DESC,
    D_OWNER,
    D_SLA,
    D_TAGS,
    D_SCHEMA,
    D_PK,
    D_SEQ,
    D_QUALITY,
    D_SOURCE,
    D_EVOLUTION,
    D_DELETE_WHEN,
    D_HISTORY
};
static const char *const contract_keys[] = {"dataset",     "version", "description", "owner",
                                            "sla",         "tags",    "schema",      "primary_key",
                                            "sequence_by", "quality", "source",      "evolution",
                                            "delete_when", "history", NULL};

typedef struct top_ctx {
    yaml_node_t *schema, *pk, *seq, *quality, *dataset, *delete_when;
} top_ctx;

static tarn_status contract_key(loader *L, void *vctx, int key, yaml_node_t *k, yaml_node_t *v)
{
    (void)k;
    top_ctx *tx = vctx;
    tarn_contract *c = L->c;
    switch (key) {
    case D_DATASET:
        tx->dataset = v;
        TARN_TRY(str_val(L, v, "dataset", &c->dataset));
        c->dataset_loc = loc_of(v);
        if (!isalpha((unsigned char)c->dataset[0]) && c->dataset[0] != '_')
            return FAIL(L, v, "dataset name '%s' must start with a letter or '_'", c->dataset);
        for (const char *p = c->dataset; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_')
                return FAIL(L, v, "dataset name '%s' may contain only letters, digits and '_'",
                            c->dataset);
        if (strlen(c->dataset) > 128)
            return FAIL(L, v, "dataset name longer than 128 characters");
        return TARN_OK;
    case D_VERSION:
        TARN_TRY(str_val(L, v, "version", &c->version));
        c->version_loc = loc_of(v);
        if (!parse_semver(c->version, &c->version_major, &c->version_minor, &c->version_patch))
            return FAIL(L, v,
                        "version '%s' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0)",
                        c->version);
        return TARN_OK;
    case D_DESC:
        return str_val(L, v, "description", &c->description);
    case D_OWNER:
        return str_val(L, v, "owner", &c->owner);
    case D_SLA: {
        TARN_TRY(str_val(L, v, "sla", &c->sla));
        tarn_err derr;
        tarn_err_clear(&derr);
        if (tarn_ct_parse_duration(c->sla, &c->sla_seconds, &derr) != TARN_OK)
            return FAIL(L, v, "sla: %s", derr.msg);
        return TARN_OK;
    }
    case D_TAGS:
        return str_list(L, v, "tags", &c->n_tags, &c->tags, NULL);
    case D_SCHEMA:
        tx->schema = v;
        return expect(L, v, K_LIST, "schema");
    case D_PK:
        tx->pk = v;
        return TARN_OK;
    case D_SEQ:
        tx->seq = v;
        return TARN_OK;
    case D_QUALITY:
        tx->quality = v;
        return TARN_OK;
    case D_DELETE_WHEN:
        tx->delete_when = v;
        return TARN_OK;
    case D_HISTORY: {
        static const char *const modes[] = {"latest", "scd2", NULL};
        const char *m;
        TARN_TRY(one_of(L, v, "history", modes, &m));
        c->scd2 = !strcmp(m, "scd2");
        c->history_loc = loc_of(v);
        return TARN_OK;
    }
    case D_EVOLUTION: {
        static const char *const modes[] = {"rescue", "fail", NULL};
        const char *m;
        TARN_TRY(one_of(L, v, "evolution", modes, &m));
        c->evolution = !strcmp(m, "fail") ? TARN_CT_EVOLUTION_FAIL : TARN_CT_EVOLUTION_RESCUE;
        c->evolution_loc = loc_of(v);
        return TARN_OK;
    }
    default:
        c->has_source = true;
        c->source.loc = loc_of(v);
        return each_key(L, v, "source", source_keys, source_key, NULL);
    }
}

static tarn_status column_ref(loader *L, const char *name, tarn_ct_loc loc, const char *what)
{
    if (tarn_ct_find_column(L->c, name) >= 0)
        return TARN_OK;
    const char **names = tarn_arena_calloc(L->a, (size_t)L->c->n_columns + 1, sizeof *names);
    if (!names)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < L->c->n_columns; i++)
        names[i] = L->c->columns[i].name;
    const char *best = tarn_suggest(name, names, L->c->n_columns);
    if (best)
        return fail_at(L, loc, TARN_ERR_INVALID, "%s: unknown column '%s' (did you mean '%s'?)",
                       what, name, best);
    return fail_at(L, loc, TARN_ERR_INVALID, "%s: unknown column '%s'", what, name);
}

static tarn_status parse_schema(loader *L, yaml_node_t *list)
{
    tarn_contract *c = L->c;
    yaml_node_item_t *it = list->data.sequence.items.start;
    int cnt = (int)(list->data.sequence.items.top - it);
    if (cnt == 0)
        return FAIL(L, list, "schema: at least one column is needed");
    if (cnt > MAX_COLUMNS)
        return fail_at(L, loc_of(list), TARN_ERR_LIMIT, "schema: more than %d columns",
                       MAX_COLUMNS);
    c->columns = tarn_arena_calloc(L->a, (size_t)cnt, sizeof *c->columns);
    if (!c->columns)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *e;
        TARN_TRY(node_at(L, it[i], &e));
        tarn_ct_column *col = &c->columns[i];
        c->n_columns = i + 1; /* so destroy releases its constraints */
        TARN_TRY(parse_column(L, e, col));
        for (int j = 0; j < i; j++)
            if (!strcmp(c->columns[j].name, col->name))
                return FAIL(L, e, "duplicate column '%s' (first at line %d)", col->name,
                            (int)c->columns[j].loc.line);
    }
    return TARN_OK;
}

static tarn_status parse_keys(loader *L, top_ctx *tx)
{
    tarn_contract *c = L->c;
    int n_flagged = 0;
    for (int i = 0; i < c->n_columns; i++)
        n_flagged += c->columns[i].primary_key;
    if (tx->pk) {
        tarn_ct_loc *locs;
        TARN_TRY(str_list(L, tx->pk, "primary_key", &c->n_primary_key, &c->primary_key, &locs));
        c->primary_key_loc = loc_of(tx->pk);
        if (c->n_primary_key == 0)
            return FAIL(L, tx->pk, "primary_key: at least one column is needed");
        for (int i = 0; i < c->n_primary_key; i++) {
            TARN_TRY(column_ref(L, c->primary_key[i], locs[i], "primary_key"));
            for (int j = 0; j < i; j++)
                if (!strcmp(c->primary_key[i], c->primary_key[j]))
                    return fail_at(L, locs[i], TARN_ERR_INVALID,
                                   "primary_key: column '%s' listed twice", c->primary_key[i]);
            tarn_ct_column *col = &c->columns[tarn_ct_find_column(c, c->primary_key[i])];
            if (col->nullable_explicit && col->nullable)
                return fail_at(L, locs[i], TARN_ERR_INVALID,
                               "primary key column '%s' cannot be nullable (line %d)", col->name,
                               (int)col->loc.line);
            col->nullable = false;
        }
        for (int i = 0; i < c->n_columns; i++) {
            if (!c->columns[i].primary_key)
                continue;
            bool listed = false;
            for (int j = 0; j < c->n_primary_key; j++)
                listed |= !strcmp(c->primary_key[j], c->columns[i].name);
            if (!listed)
                return fail_at(L, c->columns[i].loc, TARN_ERR_INVALID,
                               "column '%s' has primary_key: true but is not in the dataset's "
                               "primary_key (line %d)",
                               c->columns[i].name, (int)c->primary_key_loc.line);
        }
        for (int i = 0; i < c->n_primary_key; i++) /* flag them for readers of the model */
            c->columns[tarn_ct_find_column(c, c->primary_key[i])].primary_key = true;
    } else if (n_flagged) {
        c->primary_key = tarn_arena_calloc(L->a, (size_t)n_flagged, sizeof *c->primary_key);
        if (!c->primary_key)
            return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
        for (int i = 0; i < c->n_columns; i++)
            if (c->columns[i].primary_key) {
                if (!c->n_primary_key)
                    c->primary_key_loc = c->columns[i].loc;
                c->primary_key[c->n_primary_key++] = c->columns[i].name;
            }
    }
    if (tx->seq) {
        TARN_TRY(str_val(L, tx->seq, "sequence_by", &c->sequence_by));
        c->sequence_by_loc = loc_of(tx->seq);
        TARN_TRY(column_ref(L, c->sequence_by, c->sequence_by_loc, "sequence_by"));
        tarn_type_id id = c->columns[tarn_ct_find_column(c, c->sequence_by)].type.id;
        if (id == TARN_TYPE_BOOL || id == TARN_TYPE_BINARY)
            return FAIL(L, tx->seq, "sequence_by: column '%s' is not orderable (%s)",
                        c->sequence_by, id == TARN_TYPE_BOOL ? "boolean" : "binary");
    }
    return TARN_OK;
}

static tarn_status build_schema(loader *L)
{
    tarn_contract *c = L->c;
    c->schema = tarn_schema_create();
    if (!c->schema)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->n_columns; i++)
        if (!tarn_schema_add(c->schema, c->columns[i].name, c->columns[i].type,
                             c->columns[i].nullable))
            return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

static tarn_status load_root(loader *L)
{
    yaml_node_t *root = yaml_document_get_root_node(&L->doc);
    if (!root) {
        tarn_err_set(L->err, TARN_ERR_INVALID,
                     "empty contract: expected a mapping with 'dataset' and 'schema'");
        return tarn_err_at_path(L->err, L->name);
    }
    if (root->type != YAML_MAPPING_NODE)
        return FAIL(L, root, "a contract is a mapping with 'dataset' and 'schema', got %s",
                    kind_name(root));
    top_ctx tx = {0};
    TARN_TRY(each_key(L, root, "contract", contract_keys, contract_key, &tx));
    if (!tx.dataset)
        return FAIL(L, root, "'dataset' missing (the dataset's name, e.g. dataset: orders)");
    if (!tx.schema)
        return FAIL(L, root, "'schema' missing (the list of columns)");
    TARN_TRY(parse_schema(L, tx.schema));
    TARN_TRY(parse_keys(L, &tx));
    if (tx.quality)
        TARN_TRY(parse_quality(L, tx.quality));
    TARN_TRY(build_schema(L));
    if (L->c->scd2) {
        tarn_contract *c = L->c;
        if (c->n_primary_key == 0)
            return fail_at(L, c->history_loc, TARN_ERR_INVALID,
                           "history: scd2 needs a primary_key (history is kept per key)");
        static const char *const reserved[] = {"valid_from", "valid_to", "is_current"};
        for (int i = 0; i < 3; i++)
            if (tarn_ct_find_column(c, reserved[i]) >= 0)
                return fail_at(L, c->columns[tarn_ct_find_column(c, reserved[i])].loc,
                               TARN_ERR_INVALID, "column '%s' is reserved by history: scd2",
                               reserved[i]);
    }
    if (tx.delete_when) {
        tarn_contract *c = L->c;
        TARN_TRY(str_val(L, tx.delete_when, "delete_when", &c->delete_when));
        c->delete_when_loc = loc_of(tx.delete_when);
        tarn_err perr;
        tarn_err_clear(&perr);
        if (tarn_pred_parse(c->delete_when, c->schema, &c->delete_pred, &perr) != TARN_OK) {
            const char *m = perr.msg;
            if (!strncmp(m, "--where: ", 9))
                m += 9;
            return fail_at(
                L, c->delete_when_loc, perr.code == TARN_ERR_NOMEM ? perr.code : TARN_ERR_INVALID,
                "delete_when: %s%s%s", m, perr.hint[0] ? " " : "", perr.hint[0] ? perr.hint : "");
        }
        if (c->n_primary_key == 0)
            return FAIL(L, tx.delete_when, "delete_when needs a primary_key (deletes remove keys)");
    }
    return TARN_OK;
}

static tarn_status yaml_error(loader *L, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return tarn_err_set(L->err, TARN_ERR_NOMEM, "out of memory");
    const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;
    tarn_ct_loc loc = {(int32_t)m->line + 1, (int32_t)m->column + 1};
    if (p->context)
        return fail_at(L, loc, TARN_ERR_INVALID, "YAML syntax error: %s %s",
                       p->problem ? p->problem : "error", p->context);
    return fail_at(L, loc, TARN_ERR_INVALID, "YAML syntax error: %s",
                   p->problem ? p->problem : "unreadable YAML");
}

tarn_status tarn_ct_load_mem(const char *text, size_t n, const char *name, tarn_contract **out,
                             tarn_err *err)
{
    *out = NULL;
    if (!name)
        name = "<contract>";
    if (n > MAX_CONTRACT_BYTES)
        return tarn_err_set(err, TARN_ERR_LIMIT, "%s: contract larger than %zu MiB", name,
                            MAX_CONTRACT_BYTES >> 20);
    tarn_arena *a = tarn_arena_create(16384);
    tarn_contract *c = a ? tarn_arena_calloc(a, 1, sizeof *c) : NULL;
    if (!c) {
        tarn_arena_destroy(a);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    c->arena = a;
    c->path = tarn_arena_strdup(a, name);
    c->source.header = -1;
    loader L = {.name = name, .c = c, .a = a, .err = err};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        tarn_ct_destroy(c);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
    tarn_status st;
    if (!yaml_parser_load(&parser, &L.doc)) {
        st = yaml_error(&L, &parser);
    } else {
        st = load_root(&L);
        yaml_document_delete(&L.doc);
        if (st == TARN_OK) { /* a second document is a mistake, not something to ignore */
            yaml_document_t extra;
            if (!yaml_parser_load(&parser, &extra)) {
                st = yaml_error(&L, &parser);
            } else {
                yaml_node_t *r = yaml_document_get_root_node(&extra);
                if (r)
                    st = FAIL(&L, r, "more than one YAML document; a contract file holds one");
                yaml_document_delete(&extra);
            }
        }
    }
    yaml_parser_delete(&parser);
    if (st != TARN_OK) {
        tarn_ct_destroy(c);
        return st;
    }
    *out = c;
    return TARN_OK;
}

tarn_status tarn_ct_load_file(const char *path, tarn_contract **out, tarn_err *err)
{
    *out = NULL;
    tarn_buf b;
    tarn_buf_init(&b);
    tarn_status st = tarn_file_read_all(path, MAX_CONTRACT_BYTES, &b, err);
    if (st == TARN_OK)
        st = tarn_ct_load_mem(b.data ? (const char *)b.data : "", b.len, path, out, err);
    tarn_buf_fini(&b);
    return st;
}

void tarn_ct_destroy(tarn_contract *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n_columns; i++)
        for (int j = 0; j < c->columns[i].n_constraints; j++)
            tarn_ct_constraint_fini(&c->columns[i].constraints[j]);
    tarn_pred_destroy(c->delete_pred);
    tarn_schema_destroy(c->schema);
    tarn_arena_destroy(c->arena);
}

int tarn_ct_find_column(const tarn_contract *c, const char *name)
{
    for (int i = 0; i < c->n_columns; i++)
        if (!strcmp(c->columns[i].name, name))
            return i;
    return -1;
}
