/*
 * delta/schema.c - Delta schema JSON <-> tarn_schema (see delta/schema.h).
 *
 * Parsing walks a jansson DOM recursively (depth capped at
 * SCHEMA_MAX_DEPTH so hostile input cannot exhaust the stack); every name
 * and child array is allocated in the new schema's arena. Serializing
 * writes JSON by hand in Spark's key order (name, type, nullable, metadata).
 */
#include "delta/schema.h"

#include "base/alloc.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SCHEMA_MAX_DEPTH 64

#define CM_ID_KEY   "delta.columnMapping.id"
#define CM_NAME_KEY "delta.columnMapping.physicalName"

/* Parse state: the arena fields go to and the dotted path for messages. */
typedef struct schema_ctx {
    tarn_arena *arena; /* the schema's arena */
    tarn_err *err;     /* where failures are reported */
    char path[512];    /* dotted column path of the field being parsed */
} schema_ctx;

static tarn_status corrupt(schema_ctx *c, const char *what)
{
    if (c->path[0])
        return tarn_err_set(c->err, TARN_ERR_CORRUPT, "schemaString: column '%s': %s", c->path,
                            what);
    return tarn_err_set(c->err, TARN_ERR_CORRUPT, "schemaString: %s", what);
}

static const struct {
    const char *name;
    tarn_type_id id;
} PRIMITIVES[] = {
    {"byte", TARN_TYPE_INT8},           {"short", TARN_TYPE_INT16},
    {"integer", TARN_TYPE_INT32},       {"long", TARN_TYPE_INT64},
    {"float", TARN_TYPE_FLOAT32},       {"double", TARN_TYPE_FLOAT64},
    {"string", TARN_TYPE_STRING},       {"binary", TARN_TYPE_BINARY},
    {"boolean", TARN_TYPE_BOOL},        {"date", TARN_TYPE_DATE},
    {"timestamp", TARN_TYPE_TIMESTAMP}, {"timestamp_ntz", TARN_TYPE_TIMESTAMP_NTZ},
};

/* "decimal", "decimal(p,s)" with optional blanks. */
static bool parse_decimal_name(const char *s, tarn_type *out)
{
    if (strncmp(s, "decimal", 7) != 0)
        return false;
    s += 7;
    if (*s == '\0') {
        *out = tarn_type_decimal(10, 0); /* Spark's default */
        return true;
    }
    int p = 0, sc = 0, used = 0;
    if (sscanf(s, " ( %d , %d ) %n", &p, &sc, &used) != 2 || s[used] != '\0')
        return false;
    if (p < 1 || p > TARN_DECIMAL_MAX_PRECISION || sc < 0 || sc > p)
        return false;
    *out = tarn_type_decimal(p, sc);
    return true;
}

static tarn_status parse_type(schema_ctx *c, json_t *t, tarn_field *f, int depth);

static tarn_status parse_primitive(schema_ctx *c, const char *name, tarn_field *f)
{
    for (size_t i = 0; i < TARN_ARRAY_LEN(PRIMITIVES); i++) {
        if (strcmp(name, PRIMITIVES[i].name) == 0) {
            f->type = tarn_type_make(PRIMITIVES[i].id);
            return TARN_OK;
        }
    }
    if (parse_decimal_name(name, &f->type))
        return TARN_OK;
    if (strncmp(name, "decimal", 7) == 0)
        return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                            "schemaString: column '%s': invalid decimal type '%s'", c->path, name);
    return tarn_err_set(c->err, TARN_ERR_UNSUPPORTED, "column '%s': unsupported Delta type '%s'",
                        c->path, name);
}

/* A child of a LIST/MAP: name and nullability fixed by the container. */
static tarn_status parse_child(schema_ctx *c, json_t *t, tarn_field *f, const char *name,
                               bool nullable, int depth)
{
    memset(f, 0, sizeof *f);
    f->name = name;
    f->nullable = nullable;
    f->field_id = -1;
    size_t plen = strlen(c->path);
    snprintf(c->path + plen, sizeof c->path - plen, ".%s", name);
    tarn_status st = parse_type(c, t, f, depth + 1);
    if (st == TARN_OK)
        c->path[plen] = '\0';
    return st;
}

static bool opt_bool(json_t *obj, const char *key, bool dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static tarn_status parse_fields(schema_ctx *c, json_t *fields, int *out_n, tarn_field **out,
                                int depth);

static tarn_status parse_type(schema_ctx *c, json_t *t, tarn_field *f, int depth)
{
    if (depth > SCHEMA_MAX_DEPTH)
        return corrupt(c, "nesting too deep");
    if (json_is_string(t))
        return parse_primitive(c, json_string_value(t), f);
    if (!json_is_object(t))
        return corrupt(c, "type must be a string or an object");
    const char *kind = json_string_value(json_object_get(t, "type"));
    if (!kind)
        return corrupt(c, "nested type without a \"type\" name");
    if (strcmp(kind, "struct") == 0) {
        f->type = tarn_type_make(TARN_TYPE_STRUCT);
        return parse_fields(c, json_object_get(t, "fields"), &f->n_children, &f->children,
                            depth + 1);
    }
    if (strcmp(kind, "array") == 0) {
        json_t *et = json_object_get(t, "elementType");
        if (!et)
            return corrupt(c, "array without elementType");
        f->type = tarn_type_make(TARN_TYPE_LIST);
        f->children = tarn_arena_calloc(c->arena, 1, sizeof(tarn_field));
        if (!f->children)
            return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory");
        f->n_children = 1;
        return parse_child(c, et, &f->children[0], "element", opt_bool(t, "containsNull", true),
                           depth);
    }
    if (strcmp(kind, "map") == 0) {
        json_t *kt = json_object_get(t, "keyType"), *vt = json_object_get(t, "valueType");
        if (!kt || !vt)
            return corrupt(c, "map without keyType or valueType");
        f->type = tarn_type_make(TARN_TYPE_MAP);
        f->children = tarn_arena_calloc(c->arena, 2, sizeof(tarn_field));
        if (!f->children)
            return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory");
        f->n_children = 2;
        TARN_TRY(parse_child(c, kt, &f->children[0], "key", false, depth));
        return parse_child(c, vt, &f->children[1], "value", opt_bool(t, "valueContainsNull", true),
                           depth);
    }
    return parse_primitive(c, kind, f); /* {"type":"variant"} and the like */
}

static tarn_status parse_metadata(schema_ctx *c, json_t *md, tarn_field *f)
{
    if (!md || json_is_null(md))
        return TARN_OK;
    if (!json_is_object(md))
        return corrupt(c, "metadata must be an object");
    json_t *id = json_object_get(md, CM_ID_KEY);
    if (id) {
        if (!json_is_integer(id) || json_integer_value(id) < 0 ||
            json_integer_value(id) > INT32_MAX)
            return corrupt(c, CM_ID_KEY " must be a non-negative 32-bit integer");
        f->field_id = (int32_t)json_integer_value(id);
    }
    json_t *pn = json_object_get(md, CM_NAME_KEY);
    if (pn) {
        if (!json_is_string(pn) || json_string_length(pn) == 0)
            return corrupt(c, CM_NAME_KEY " must be a non-empty string");
        f->physical_name = tarn_arena_strdup(c->arena, json_string_value(pn));
        if (!f->physical_name)
            return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory");
    }
    return TARN_OK;
}

static tarn_status parse_field(schema_ctx *c, json_t *jf, tarn_field *f, int depth)
{
    memset(f, 0, sizeof *f);
    f->field_id = -1;
    if (!json_is_object(jf))
        return corrupt(c, "a field must be an object");
    json_t *name = json_object_get(jf, "name");
    if (!json_is_string(name))
        return corrupt(c, "field without a name");
    f->name = tarn_arena_strdup(c->arena, json_string_value(name));
    if (!f->name)
        return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory");
    size_t plen = strlen(c->path);
    snprintf(c->path + plen, sizeof c->path - plen, "%s%s", plen ? "." : "", f->name);
    f->nullable = opt_bool(jf, "nullable", true);
    json_t *t = json_object_get(jf, "type");
    if (!t)
        return corrupt(c, "field without a type");
    TARN_TRY(parse_type(c, t, f, depth));
    TARN_TRY(parse_metadata(c, json_object_get(jf, "metadata"), f));
    c->path[plen] = '\0';
    return TARN_OK;
}

static tarn_status parse_fields(schema_ctx *c, json_t *fields, int *out_n, tarn_field **out,
                                int depth)
{
    if (!json_is_array(fields))
        return corrupt(c, "struct without a \"fields\" array");
    size_t n = json_array_size(fields);
    if (n > INT32_MAX / 2)
        return corrupt(c, "too many fields");
    tarn_field *arr = tarn_arena_calloc(c->arena, n ? n : 1, sizeof *arr);
    if (!arr)
        return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        TARN_TRY(parse_field(c, json_array_get(fields, i), &arr[i], depth));
    *out_n = (int)n;
    *out = arr;
    return TARN_OK;
}

tarn_status tarn_delta_schema_parse(const char *json, size_t n, tarn_schema **out, tarn_err *err)
{
    *out = NULL;
    tarn_status st = TARN_OK;
    tarn_schema *s = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(json, n, 0, &jerr);
    if (!root) {
        st = tarn_err_set(err, TARN_ERR_CORRUPT, "schemaString: malformed JSON: %s (column %d)",
                          jerr.text, jerr.column);
        goto done;
    }
    schema_ctx c = {NULL, err, {0}};
    if (!json_is_object(root) || !json_is_string(json_object_get(root, "type")) ||
        strcmp(json_string_value(json_object_get(root, "type")), "struct") != 0) {
        st = corrupt(&c, "the top level must be a struct type");
        goto done;
    }
    s = tarn_schema_create();
    if (!s) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    c.arena = s->arena;
    st = parse_fields(&c, json_object_get(root, "fields"), &s->n_fields, &s->fields, 0);
done:
    json_decref(root);
    if (st != TARN_OK)
        tarn_schema_destroy(s);
    else
        *out = s;
    return st;
}

/* Serialization ------------------------------------------------------------ */

/* Buffer failures (out of memory, ceiling) are reported through err too. */
#define BUF_TRY(e)                                                                                 \
    do {                                                                                           \
        tarn_status buf_st_ = (e);                                                                 \
        if (buf_st_ != TARN_OK)                                                                    \
            return tarn_err_set(err, buf_st_, "cannot grow the schema JSON buffer");               \
    } while (0)

const char *tarn_delta_type_name(tarn_type t, char *buf, size_t cap)
{
    if (t.id == TARN_TYPE_DECIMAL) {
        snprintf(buf, cap, "decimal(%d,%d)", t.precision, t.scale);
        return buf;
    }
    for (size_t i = 0; i < TARN_ARRAY_LEN(PRIMITIVES); i++) {
        if (PRIMITIVES[i].id == t.id) {
            snprintf(buf, cap, "%s", PRIMITIVES[i].name);
            return buf;
        }
    }
    return NULL;
}

static tarn_status ser_field(const tarn_field *f, tarn_buf *out, tarn_err *err, int depth);

static tarn_status ser_type(const tarn_field *f, tarn_buf *out, tarn_err *err, int depth)
{
    char nm[48];
    if (depth > SCHEMA_MAX_DEPTH)
        return tarn_err_set(err, TARN_ERR_INVALID, "schema nesting too deep");
    switch (f->type.id) {
    case TARN_TYPE_STRUCT:
        BUF_TRY(tarn_buf_append_str(out, "{\"type\":\"struct\",\"fields\":["));
        for (int i = 0; i < f->n_children; i++) {
            if (i)
                BUF_TRY(tarn_buf_append_char(out, ','));
            TARN_TRY(ser_field(&f->children[i], out, err, depth + 1));
        }
        BUF_TRY(tarn_buf_append_str(out, "]}"));
        return TARN_OK;
    case TARN_TYPE_LIST:
        if (f->n_children != 1)
            return tarn_err_set(err, TARN_ERR_INVALID, "column '%s': list without element",
                                f->name);
        BUF_TRY(tarn_buf_append_str(out, "{\"type\":\"array\",\"elementType\":"));
        TARN_TRY(ser_type(&f->children[0], out, err, depth + 1));
        BUF_TRY(tarn_buf_printf(out, ",\"containsNull\":%s}",
                                f->children[0].nullable ? "true" : "false"));
        return TARN_OK;
    case TARN_TYPE_MAP:
        if (f->n_children != 2)
            return tarn_err_set(err, TARN_ERR_INVALID, "column '%s': map without key and value",
                                f->name);
        BUF_TRY(tarn_buf_append_str(out, "{\"type\":\"map\",\"keyType\":"));
        TARN_TRY(ser_type(&f->children[0], out, err, depth + 1));
        BUF_TRY(tarn_buf_append_str(out, ",\"valueType\":"));
        TARN_TRY(ser_type(&f->children[1], out, err, depth + 1));
        BUF_TRY(tarn_buf_printf(out, ",\"valueContainsNull\":%s}",
                                f->children[1].nullable ? "true" : "false"));
        return TARN_OK;
    default:
        if (!tarn_delta_type_name(f->type, nm, sizeof nm)) {
            char tn[48];
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "column '%s': type %s has no Delta Lake equivalent",
                                f->name ? f->name : "", tarn_type_name(f->type, tn, sizeof tn));
        }
        BUF_TRY(tarn_buf_append_json_str(out, nm, strlen(nm)));
        return TARN_OK;
    }
}

static tarn_status ser_field(const tarn_field *f, tarn_buf *out, tarn_err *err, int depth)
{
    const char *name = f->name ? f->name : "";
    BUF_TRY(tarn_buf_append_str(out, "{\"name\":"));
    BUF_TRY(tarn_buf_append_json_str(out, name, strlen(name)));
    BUF_TRY(tarn_buf_append_str(out, ",\"type\":"));
    TARN_TRY(ser_type(f, out, err, depth));
    BUF_TRY(
        tarn_buf_printf(out, ",\"nullable\":%s,\"metadata\":{", f->nullable ? "true" : "false"));
    if (f->field_id >= 0)
        BUF_TRY(tarn_buf_printf(out, "\"" CM_ID_KEY "\":%d", (int)f->field_id));
    if (f->physical_name) {
        if (f->field_id >= 0)
            BUF_TRY(tarn_buf_append_char(out, ','));
        BUF_TRY(tarn_buf_append_str(out, "\"" CM_NAME_KEY "\":"));
        BUF_TRY(tarn_buf_append_json_str(out, f->physical_name, strlen(f->physical_name)));
    }
    BUF_TRY(tarn_buf_append_str(out, "}}"));
    return TARN_OK;
}

tarn_status tarn_delta_schema_serialize(const tarn_schema *s, tarn_buf *out, tarn_err *err)
{
    BUF_TRY(tarn_buf_append_str(out, "{\"type\":\"struct\",\"fields\":["));
    for (int i = 0; i < s->n_fields; i++) {
        if (i)
            BUF_TRY(tarn_buf_append_char(out, ','));
        TARN_TRY(ser_field(&s->fields[i], out, err, 0));
    }
    BUF_TRY(tarn_buf_append_str(out, "]}"));
    return TARN_OK;
}
