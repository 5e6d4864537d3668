/*
 * column/types.c - type names, schema construction, copying and parsing.
 */
#include "column/types.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int tarn_type_width(tarn_type t)
{
    switch (t.id) {
    case TARN_TYPE_INT8:
    case TARN_TYPE_UINT8:
        return 1;
    case TARN_TYPE_INT16:
    case TARN_TYPE_UINT16:
        return 2;
    case TARN_TYPE_INT32:
    case TARN_TYPE_UINT32:
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_DATE:
        return 4;
    case TARN_TYPE_INT64:
    case TARN_TYPE_UINT64:
    case TARN_TYPE_FLOAT64:
    case TARN_TYPE_TIME:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
    case TARN_TYPE_TIMESTAMP_NS:
        return 8;
    case TARN_TYPE_DECIMAL:
        return tarn_decimal_is_wide(t) ? 16 : 8;
    case TARN_TYPE_UUID:
        return 16;
    default:
        return 0;
    }
}

bool tarn_type_is_fixed(tarn_type_id id)
{
    return tarn_type_width(tarn_type_make(id)) > 0 || id == TARN_TYPE_DECIMAL;
}

bool tarn_type_is_nested(tarn_type_id id)
{
    return id == TARN_TYPE_STRUCT || id == TARN_TYPE_LIST || id == TARN_TYPE_MAP;
}

bool tarn_type_is_varlen(tarn_type_id id)
{
    return id == TARN_TYPE_STRING || id == TARN_TYPE_BINARY;
}

bool tarn_type_is_integer(tarn_type_id id)
{
    return id >= TARN_TYPE_INT8 && id <= TARN_TYPE_UINT64;
}

bool tarn_type_equal(tarn_type a, tarn_type b)
{
    if (a.id != b.id)
        return false;
    if (a.id == TARN_TYPE_DECIMAL)
        return a.precision == b.precision && a.scale == b.scale;
    return true;
}

static const char *const type_names[TARN_TYPE_COUNT_] = {
    [TARN_TYPE_NULL] = "null",
    [TARN_TYPE_BOOL] = "boolean",
    [TARN_TYPE_INT8] = "int8",
    [TARN_TYPE_INT16] = "int16",
    [TARN_TYPE_INT32] = "int32",
    [TARN_TYPE_INT64] = "int64",
    [TARN_TYPE_UINT8] = "uint8",
    [TARN_TYPE_UINT16] = "uint16",
    [TARN_TYPE_UINT32] = "uint32",
    [TARN_TYPE_UINT64] = "uint64",
    [TARN_TYPE_FLOAT32] = "float",
    [TARN_TYPE_FLOAT64] = "double",
    [TARN_TYPE_DECIMAL] = "decimal",
    [TARN_TYPE_STRING] = "string",
    [TARN_TYPE_BINARY] = "binary",
    [TARN_TYPE_UUID] = "uuid",
    [TARN_TYPE_DATE] = "date",
    [TARN_TYPE_TIME] = "time",
    [TARN_TYPE_TIMESTAMP] = "timestamp",
    [TARN_TYPE_TIMESTAMP_NTZ] = "timestamp_ntz",
    [TARN_TYPE_TIMESTAMP_NS] = "timestamp_ns",
    [TARN_TYPE_STRUCT] = "struct",
    [TARN_TYPE_LIST] = "list",
    [TARN_TYPE_MAP] = "map",
};

const char *tarn_type_name(tarn_type t, char *out, size_t cap)
{
    if (t.id == TARN_TYPE_DECIMAL)
        snprintf(out, cap, "decimal(%d,%d)", t.precision, t.scale);
    else if (t.id < TARN_TYPE_COUNT_)
        snprintf(out, cap, "%s", type_names[t.id]);
    else
        snprintf(out, cap, "?");
    return out;
}

static const struct {
    const char *name;
    tarn_type_id id;
} aliases[] = {
    {"boolean", TARN_TYPE_BOOL},
    {"bool", TARN_TYPE_BOOL},
    {"int8", TARN_TYPE_INT8},
    {"tinyint", TARN_TYPE_INT8},
    {"byte", TARN_TYPE_INT8},
    {"int16", TARN_TYPE_INT16},
    {"smallint", TARN_TYPE_INT16},
    {"short", TARN_TYPE_INT16},
    {"int32", TARN_TYPE_INT32},
    {"int", TARN_TYPE_INT32},
    {"integer", TARN_TYPE_INT32},
    {"int64", TARN_TYPE_INT64},
    {"bigint", TARN_TYPE_INT64},
    {"long", TARN_TYPE_INT64},
    {"uint8", TARN_TYPE_UINT8},
    {"uint16", TARN_TYPE_UINT16},
    {"uint32", TARN_TYPE_UINT32},
    {"uint64", TARN_TYPE_UINT64},
    {"float", TARN_TYPE_FLOAT32},
    {"float32", TARN_TYPE_FLOAT32},
    {"real", TARN_TYPE_FLOAT32},
    {"double", TARN_TYPE_FLOAT64},
    {"float64", TARN_TYPE_FLOAT64},
    {"string", TARN_TYPE_STRING},
    {"varchar", TARN_TYPE_STRING},
    {"text", TARN_TYPE_STRING},
    {"binary", TARN_TYPE_BINARY},
    {"blob", TARN_TYPE_BINARY},
    {"bytea", TARN_TYPE_BINARY},
    {"uuid", TARN_TYPE_UUID},
    {"date", TARN_TYPE_DATE},
    {"time", TARN_TYPE_TIME},
    {"timestamp", TARN_TYPE_TIMESTAMP},
    {"timestamptz", TARN_TYPE_TIMESTAMP},
    {"timestamp_ntz", TARN_TYPE_TIMESTAMP_NTZ},
    {"timestamp_ns", TARN_TYPE_TIMESTAMP_NS},
};

static bool word_eq(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static tarn_status parse_uint(const char **pp, const char *end, int *out)
{
    const char *p = *pp;
    while (p < end && isspace((unsigned char)*p))
        p++;
    int v = 0, digits = 0;
    while (p < end && isdigit((unsigned char)*p) && digits < 4) {
        v = v * 10 + (*p - '0');
        p++;
        digits++;
    }
    while (p < end && isspace((unsigned char)*p))
        p++;
    *pp = p;
    *out = v;
    return digits ? TARN_OK : TARN_ERR_INVALID;
}

static tarn_status parse_decimal_args(const char *s, size_t n, const char *p, tarn_type *out,
                                      tarn_err *err)
{
    const char *end = s + n;
    int prec = 0, scale = 0;
    if (p >= end || *p != '(')
        goto bad;
    p++;
    if (parse_uint(&p, end, &prec) != TARN_OK)
        goto bad;
    if (p < end && *p == ',') {
        p++;
        if (parse_uint(&p, end, &scale) != TARN_OK)
            goto bad;
    }
    if (p >= end || *p != ')')
        goto bad;
    p++;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p != end)
        goto bad;
    if (prec < 1 || prec > TARN_DECIMAL_MAX_PRECISION)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "decimal precision %d is out of range 1..38 in '%.*s'", prec, (int)n,
                            s);
    if (scale > prec)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "decimal scale %d exceeds precision %d in '%.*s'", scale, prec, (int)n,
                            s);
    *out = tarn_type_decimal(prec, scale);
    return TARN_OK;
bad:
    return tarn_err_set(err, TARN_ERR_INVALID,
                        "malformed decimal type '%.*s' (expected "
                        "decimal(p,s))",
                        (int)n, s);
}

tarn_status tarn_type_parse(const char *s, size_t n, tarn_type *out, tarn_err *err)
{
    while (n && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    size_t w = 0;
    while (w < n && (isalnum((unsigned char)s[w]) || s[w] == '_'))
        w++;
    if (word_eq(s, w, "decimal") || word_eq(s, w, "numeric")) {
        if (w == n) {
            *out = tarn_type_decimal(38, 18);
            return TARN_OK;
        }
        return parse_decimal_args(s, n, s + w, out, err);
    }
    if (w == n) {
        for (size_t i = 0; i < TARN_ARRAY_LEN(aliases); i++) {
            if (word_eq(s, n, aliases[i].name)) {
                *out = tarn_type_make(aliases[i].id);
                return TARN_OK;
            }
        }
    }
    return tarn_err_set(err, TARN_ERR_INVALID, "unknown type '%.*s'", (int)n, s);
}

tarn_schema *tarn_schema_create(void)
{
    tarn_schema *s = tarn_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->arena = tarn_arena_create(4096);
    if (!s->arena) {
        tarn_free(s);
        return NULL;
    }
    return s;
}

void tarn_schema_destroy(tarn_schema *s)
{
    if (!s)
        return;
    tarn_arena_destroy(s->arena);
    tarn_free(s);
}

tarn_field *tarn_schema_add(tarn_schema *s, const char *name, tarn_type type, bool nullable)
{
    /* Fields are kept contiguous: grow by copying into the arena (schemas are small). */
    tarn_field *nf = tarn_arena_alloc(s->arena, sizeof(tarn_field) * (size_t)(s->n_fields + 1));
    char *nm = tarn_arena_strdup(s->arena, name);
    if (!nf || !nm)
        return NULL;
    if (s->n_fields)
        memcpy(nf, s->fields, sizeof(tarn_field) * (size_t)s->n_fields);
    tarn_field *f = &nf[s->n_fields];
    memset(f, 0, sizeof *f);
    f->name = nm;
    f->type = type;
    f->nullable = nullable;
    f->field_id = -1;
    s->fields = nf;
    s->n_fields++;
    return f;
}

tarn_status tarn_field_copy(tarn_arena *a, tarn_field *dst, const tarn_field *src)
{
    *dst = *src;
    dst->name = tarn_arena_strdup(a, src->name ? src->name : "");
    if (!dst->name)
        return TARN_ERR_NOMEM;
    if (src->physical_name) {
        dst->physical_name = tarn_arena_strdup(a, src->physical_name);
        if (!dst->physical_name)
            return TARN_ERR_NOMEM;
    }
    dst->children = NULL;
    if (src->n_children > 0) {
        dst->children = tarn_arena_calloc(a, (size_t)src->n_children, sizeof(tarn_field));
        if (!dst->children)
            return TARN_ERR_NOMEM;
        for (int i = 0; i < src->n_children; i++)
            TARN_TRY(tarn_field_copy(a, &dst->children[i], &src->children[i]));
    }
    return TARN_OK;
}

tarn_schema *tarn_schema_clone(const tarn_schema *s)
{
    tarn_schema *c = tarn_schema_create();
    if (!c)
        return NULL;
    if (s->n_fields) {
        c->fields = tarn_arena_calloc(c->arena, (size_t)s->n_fields, sizeof(tarn_field));
        if (!c->fields)
            goto fail;
        for (int i = 0; i < s->n_fields; i++)
            if (tarn_field_copy(c->arena, &c->fields[i], &s->fields[i]) != TARN_OK)
                goto fail;
    }
    c->n_fields = s->n_fields;
    return c;
fail:
    tarn_schema_destroy(c);
    return NULL;
}

int tarn_schema_find(const tarn_schema *s, const char *name)
{
    for (int i = 0; i < s->n_fields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return i;
    return -1;
}

int tarn_schema_find_ci(const tarn_schema *s, const char *name)
{
    int i = tarn_schema_find(s, name);
    if (i >= 0)
        return i;
    for (i = 0; i < s->n_fields; i++)
        if (strcasecmp(s->fields[i].name, name) == 0)
            return i;
    return -1;
}

/* Splits on commas that are not inside parentheses. */
static const char *next_item(const char *p, const char **out_end)
{
    int depth = 0;
    const char *q = p;
    while (*q && !(depth == 0 && *q == ',')) {
        if (*q == '(')
            depth++;
        else if (*q == ')')
            depth--;
        q++;
    }
    *out_end = q;
    return *q ? q + 1 : q;
}

static tarn_status parse_item(tarn_schema *s, const char *p, const char *end, int col,
                              tarn_err *err)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    if (p == end)
        return tarn_err_set(err, TARN_ERR_INVALID, "empty column definition at column %d", col);
    const char *name = p, *name_end;
    if (*p == '"' || *p == '`') {
        char q = *p++;
        name = p;
        while (p < end && *p != q)
            p++;
        if (p == end)
            return tarn_err_set(err, TARN_ERR_INVALID, "unterminated quoted name at column %d",
                                col);
        name_end = p++;
        if (name_end == name)
            return tarn_err_set(err, TARN_ERR_INVALID, "empty column name at column %d", col);
    } else {
        while (p < end && !isspace((unsigned char)*p))
            p++;
        name_end = p;
    }
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p == end)
        return tarn_err_set(err, TARN_ERR_INVALID, "column '%.*s' has no type",
                            (int)(name_end - name), name);
    bool nullable = true;
    const char *tend = end;
    /* Optional trailing NOT NULL. */
    if (tend - p > 8 && strncasecmp(tend - 8, "not null", 8) == 0) {
        nullable = false;
        tend -= 8;
        while (tend > p && isspace((unsigned char)tend[-1]))
            tend--;
    }
    tarn_type t;
    tarn_status st = tarn_type_parse(p, (size_t)(tend - p), &t, err);
    if (st != TARN_OK)
        return tarn_err_prefix(err, "column '%.*s'", (int)(name_end - name), name);
    char nm[256];
    snprintf(nm, sizeof nm, "%.*s", (int)(name_end - name), name);
    if (tarn_schema_find(s, nm) >= 0)
        return tarn_err_set(err, TARN_ERR_INVALID, "duplicate column '%s'", nm);
    if (!tarn_schema_add(s, nm, t, nullable))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

tarn_status tarn_schema_parse(const char *text, tarn_schema **out, tarn_err *err)
{
    *out = NULL;
    tarn_schema *s = tarn_schema_create();
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    const char *p = text;
    while (*p) {
        const char *end;
        const char *next = next_item(p, &end);
        tarn_status st = parse_item(s, p, end, (int)(p - text) + 1, err);
        if (st != TARN_OK) {
            tarn_schema_destroy(s);
            return st;
        }
        p = next;
    }
    if (s->n_fields == 0) {
        tarn_schema_destroy(s);
        return tarn_err_set(err, TARN_ERR_INVALID, "schema has no columns");
    }
    *out = s;
    return TARN_OK;
}

tarn_status tarn_field_type_format(const tarn_field *f, tarn_buf *out)
{
    char tmp[64];
    switch (f->type.id) {
    case TARN_TYPE_STRUCT:
        TARN_TRY(tarn_buf_append_str(out, "struct<"));
        for (int i = 0; i < f->n_children; i++) {
            TARN_TRY(tarn_buf_printf(out, "%s%s: ", i ? ", " : "", f->children[i].name));
            TARN_TRY(tarn_field_type_format(&f->children[i], out));
        }
        return tarn_buf_append_char(out, '>');
    case TARN_TYPE_LIST:
        TARN_TRY(tarn_buf_append_str(out, "list<"));
        if (f->n_children > 0)
            TARN_TRY(tarn_field_type_format(&f->children[0], out));
        return tarn_buf_append_char(out, '>');
    case TARN_TYPE_MAP:
        TARN_TRY(tarn_buf_append_str(out, "map<"));
        if (f->n_children > 1) {
            TARN_TRY(tarn_field_type_format(&f->children[0], out));
            TARN_TRY(tarn_buf_append_str(out, ", "));
            TARN_TRY(tarn_field_type_format(&f->children[1], out));
        }
        return tarn_buf_append_char(out, '>');
    default:
        return tarn_buf_append_str(out, tarn_type_name(f->type, tmp, sizeof tmp));
    }
}

tarn_status tarn_schema_format(const tarn_schema *s, tarn_buf *out)
{
    for (int i = 0; i < s->n_fields; i++) {
        TARN_TRY(tarn_buf_printf(out, "%s%s ", i ? ", " : "", s->fields[i].name));
        TARN_TRY(tarn_field_type_format(&s->fields[i], out));
        if (!s->fields[i].nullable)
            TARN_TRY(tarn_buf_append_str(out, " not null"));
    }
    return TARN_OK;
}
