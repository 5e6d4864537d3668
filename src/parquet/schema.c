/*
 * parquet/schema.c - SchemaElement list -> tarn schema, node tree and leaf
 * descriptors (levels, logical types, conversions).
 *
 * Pass 1 indexes the children of every element, checking that each
 * num_children fits in the list and that nesting stays within
 * TARN_PQ_MAX_NESTING; pass 2 converts top-down carrying the definition and
 * repetition levels. All output is allocated in the new schema's arena.
 * Type mapping follows parquet/reader.h (what DuckDB reports).
 */
#include "parquet/schema.h"

#include <string.h>

typedef struct ctx {
    const tarn_pq_file_meta *m; /* the footer */
    tarn_arena *a;              /* output arena (the schema's) */
    int **kids;                 /* child element indexes per element */
    tarn_pq_leaf *leaves;       /* leaf descriptors, DFS order */
    int n_leaves;               /* leaves found so far */
    int cap_leaves;             /* entries allocated in leaves */
    int top;                    /* top-level column being converted */
    tarn_err *err;              /* failure report */
} ctx;

static tarn_status nomem(ctx *c)
{
    return tarn_err_set(c->err, TARN_ERR_NOMEM, "out of memory building the Parquet schema");
}

static tarn_status bad_schema(ctx *c, int i, const char *what)
{
    const char *nm = c->m->schema[i].name;
    return tarn_err_set(c->err, TARN_ERR_CORRUPT, "Parquet schema element %d ('%s'): %s", i,
                        nm ? nm : "", what);
}

/* Pass 1: children of element i start at i+1; *next receives the index after
 * i's subtree. */
static tarn_status index_tree(ctx *c, int i, int depth, int *next)
{
    if (depth > TARN_PQ_MAX_NESTING)
        return bad_schema(c, i, "nested deeper than tarn's limit");
    const tarn_pq_schema_element *el = &c->m->schema[i];
    int n = el->num_children, j = i + 1;
    if (n > c->m->n_schema - j)
        return bad_schema(c, i, "has more children than the schema holds");
    if (n > 0) {
        c->kids[i] = tarn_arena_alloc(c->a, (size_t)n * sizeof(int));
        if (!c->kids[i])
            return nomem(c);
    }
    for (int k = 0; k < n; k++) {
        if (j >= c->m->n_schema)
            return bad_schema(c, i, "has more children than the schema holds");
        c->kids[i][k] = j;
        TARN_TRY(index_tree(c, j, depth + 1, &j));
    }
    *next = j;
    return TARN_OK;
}

/* Leaf types ----------------------------------------------------------------- */

static void set_leaf_type(tarn_pq_leaf *l, tarn_type_id id, tarn_pq_conv conv, int64_t mul)
{
    l->type = tarn_type_make(id);
    l->conv = conv;
    l->mul = mul;
}

static void physical_type(tarn_pq_leaf *l)
{
    static const tarn_type_id ids[] = {TARN_TYPE_BOOL,      TARN_TYPE_INT32,   TARN_TYPE_INT64,
                                       TARN_TYPE_TIMESTAMP, TARN_TYPE_FLOAT32, TARN_TYPE_FLOAT64,
                                       TARN_TYPE_BINARY,    TARN_TYPE_BINARY};
    tarn_pq_conv conv = TARN_PQ_CONV_COPY;
    if (l->phys == TARN_PQ_BOOLEAN)
        conv = TARN_PQ_CONV_BOOL;
    else if (l->phys == TARN_PQ_INT96)
        conv = TARN_PQ_CONV_INT96_TS;
    else if (l->phys == TARN_PQ_FIXED_LEN_BYTE_ARRAY)
        conv = TARN_PQ_CONV_FLBA_BIN;
    set_leaf_type(l, ids[l->phys], conv, 1);
}

static void decimal_type(tarn_pq_leaf *l, int32_t precision, int32_t scale)
{
    if (precision < 1 || precision > TARN_DECIMAL_MAX_PRECISION || scale < 0 || scale > precision) {
        l->unsupported = "DECIMAL precision above 38 or invalid scale";
        return;
    }
    bool wide = precision > 18;
    switch (l->phys) {
    case TARN_PQ_INT32:
        l->conv = wide ? TARN_PQ_CONV_I32_I128 : TARN_PQ_CONV_I32_I64;
        break;
    case TARN_PQ_INT64:
        l->conv = wide ? TARN_PQ_CONV_I64_I128 : TARN_PQ_CONV_COPY;
        break;
    case TARN_PQ_FIXED_LEN_BYTE_ARRAY:
        l->conv = wide ? TARN_PQ_CONV_BE_DEC128 : TARN_PQ_CONV_BE_DEC64;
        break;
    case TARN_PQ_BYTE_ARRAY:
        l->conv = wide ? TARN_PQ_CONV_BA_DEC128 : TARN_PQ_CONV_BA_DEC64;
        break;
    default:
        return; /* not a decimal carrier: keep the physical type */
    }
    l->type = tarn_type_decimal(precision, scale);
    l->mul = 1;
}

static void integer_type(tarn_pq_leaf *l, int bits, bool is_signed)
{
    if (l->phys == TARN_PQ_INT64) {
        set_leaf_type(l, is_signed ? TARN_TYPE_INT64 : TARN_TYPE_UINT64, TARN_PQ_CONV_COPY, 1);
        return;
    }
    if (l->phys != TARN_PQ_INT32)
        return;
    switch (bits) {
    case 8:
        set_leaf_type(l, is_signed ? TARN_TYPE_INT8 : TARN_TYPE_UINT8, TARN_PQ_CONV_I32_I8, 1);
        break;
    case 16:
        set_leaf_type(l, is_signed ? TARN_TYPE_INT16 : TARN_TYPE_UINT16, TARN_PQ_CONV_I32_I16, 1);
        break;
    case 32:
        set_leaf_type(l, is_signed ? TARN_TYPE_INT32 : TARN_TYPE_UINT32, TARN_PQ_CONV_COPY, 1);
        break;
    default:
        break;
    }
}

static void time_type(tarn_pq_leaf *l, tarn_pq_time_unit unit)
{
    if (unit == TARN_PQ_MILLIS && l->phys == TARN_PQ_INT32)
        set_leaf_type(l, TARN_TYPE_TIME, TARN_PQ_CONV_I32_I64, 1000);
    else if (unit == TARN_PQ_MICROS && l->phys == TARN_PQ_INT64)
        set_leaf_type(l, TARN_TYPE_TIME, TARN_PQ_CONV_COPY, 1);
    /* TIME(NANOS) stays INT64 nanoseconds since midnight: tarn's TIME holds
     * microseconds and a nanosecond time must not be truncated. */
}

static void timestamp_type(tarn_pq_leaf *l, tarn_pq_time_unit unit, bool utc)
{
    if (l->phys != TARN_PQ_INT64)
        return;
    tarn_type_id id = utc ? TARN_TYPE_TIMESTAMP : TARN_TYPE_TIMESTAMP_NTZ;
    if (unit == TARN_PQ_MILLIS)
        set_leaf_type(l, id, TARN_PQ_CONV_I64_MUL, 1000);
    else if (unit == TARN_PQ_MICROS)
        set_leaf_type(l, id, TARN_PQ_CONV_COPY, 1);
    else
        set_leaf_type(l, TARN_TYPE_TIMESTAMP_NS, TARN_PQ_CONV_COPY, 1);
}

static void converted_leaf(tarn_pq_leaf *l, const tarn_pq_schema_element *el);

/* Annotation from the LogicalType when present, else the ConvertedType. */
static void logical_leaf(tarn_pq_leaf *l, const tarn_pq_schema_element *el)
{
    const tarn_pq_logical *lt = &el->logical;
    bool text = l->phys == TARN_PQ_BYTE_ARRAY;
    switch (lt->kind) {
    case TARN_PQ_LT_STRING:
    case TARN_PQ_LT_ENUM:
    case TARN_PQ_LT_JSON:
        if (text)
            set_leaf_type(l, TARN_TYPE_STRING, TARN_PQ_CONV_COPY, 1);
        return;
    case TARN_PQ_LT_DECIMAL:
        decimal_type(l, lt->precision, lt->scale);
        return;
    case TARN_PQ_LT_DATE:
        if (l->phys == TARN_PQ_INT32)
            set_leaf_type(l, TARN_TYPE_DATE, TARN_PQ_CONV_COPY, 1);
        return;
    case TARN_PQ_LT_TIME:
        time_type(l, lt->unit);
        return;
    case TARN_PQ_LT_TIMESTAMP:
        timestamp_type(l, lt->unit, lt->is_adjusted_to_utc);
        return;
    case TARN_PQ_LT_INTEGER:
        integer_type(l, lt->bit_width, lt->is_signed);
        return;
    case TARN_PQ_LT_UUID:
        if (l->phys == TARN_PQ_FIXED_LEN_BYTE_ARRAY && l->width == 16)
            set_leaf_type(l, TARN_TYPE_UUID, TARN_PQ_CONV_COPY, 1);
        return;
    case TARN_PQ_LT_FLOAT16:
        if (l->phys == TARN_PQ_FIXED_LEN_BYTE_ARRAY && l->width == 2)
            set_leaf_type(l, TARN_TYPE_FLOAT32, TARN_PQ_CONV_F16_F32, 1);
        return;
    case TARN_PQ_LT_NONE:
        converted_leaf(l, el); /* older files: only the ConvertedType */
        return;
    default:
        return; /* UNKNOWN (null), BSON, members tarn does not know: physical */
    }
}

static void converted_leaf(tarn_pq_leaf *l, const tarn_pq_schema_element *el)
{
    bool text = l->phys == TARN_PQ_BYTE_ARRAY;
    switch (el->converted) {
    case TARN_PQ_CT_UTF8:
    case TARN_PQ_CT_ENUM:
    case TARN_PQ_CT_JSON:
        if (text)
            set_leaf_type(l, TARN_TYPE_STRING, TARN_PQ_CONV_COPY, 1);
        break;
    case TARN_PQ_CT_DECIMAL:
        decimal_type(l, el->precision, el->scale);
        break;
    case TARN_PQ_CT_DATE:
        if (l->phys == TARN_PQ_INT32)
            set_leaf_type(l, TARN_TYPE_DATE, TARN_PQ_CONV_COPY, 1);
        break;
    case TARN_PQ_CT_TIME_MILLIS:
        time_type(l, TARN_PQ_MILLIS);
        break;
    case TARN_PQ_CT_TIME_MICROS:
        time_type(l, TARN_PQ_MICROS);
        break;
    case TARN_PQ_CT_TIMESTAMP_MILLIS:
        timestamp_type(l, TARN_PQ_MILLIS, false); /* DuckDB: TIMESTAMP without zone */
        break;
    case TARN_PQ_CT_TIMESTAMP_MICROS:
        timestamp_type(l, TARN_PQ_MICROS, false);
        break;
    case TARN_PQ_CT_INT_8:
    case TARN_PQ_CT_INT_16:
    case TARN_PQ_CT_INT_32:
    case TARN_PQ_CT_INT_64:
        integer_type(l, 8 << (el->converted - TARN_PQ_CT_INT_8), true);
        break;
    case TARN_PQ_CT_UINT_8:
    case TARN_PQ_CT_UINT_16:
    case TARN_PQ_CT_UINT_32:
    case TARN_PQ_CT_UINT_64:
        integer_type(l, 8 << (el->converted - TARN_PQ_CT_UINT_8), false);
        break;
    default:
        break;
    }
}

static tarn_status make_leaf(ctx *c, int i, int16_t def, int16_t rep, const char *path,
                             tarn_pq_node *node, tarn_field *f)
{
    const tarn_pq_schema_element *el = &c->m->schema[i];
    if (!el->has_type)
        return bad_schema(c, i, "has neither a physical type nor children");
    if (c->n_leaves == c->cap_leaves)
        return bad_schema(c, i, "more leaf columns than expected"); /* cannot happen */
    tarn_pq_leaf *l = &c->leaves[c->n_leaves];
    memset(l, 0, sizeof *l);
    l->schema_index = i;
    l->top = c->top;
    l->el = el;
    l->phys = el->type;
    l->max_def = def;
    l->max_rep = rep;
    l->path = path;
    static const int32_t widths[] = {0, 4, 8, 12, 4, 8, 0, 0};
    l->width = widths[el->type];
    if (el->type == TARN_PQ_FIXED_LEN_BYTE_ARRAY) {
        if (el->type_length <= 0 || el->type_length > (1 << 24))
            return bad_schema(c, i, "FIXED_LEN_BYTE_ARRAY without a valid type_length");
        l->width = el->type_length;
    }
    physical_type(l);
    logical_leaf(l, el);
    if (l->unsupported)
        l->type = tarn_type_make(TARN_TYPE_BINARY);
    f->type = l->type;
    node->kind = TARN_PQ_NODE_LEAF;
    node->leaf = c->n_leaves++;
    return TARN_OK;
}

/* Nodes -------------------------------------------------------------------------- */

static tarn_status conv_node(ctx *c, int i, int16_t def, int16_t rep, bool as_elem,
                             const char *name, const char *parent_path, tarn_pq_node *node,
                             tarn_field *f, int depth);

static tarn_status alloc_children(ctx *c, int n, tarn_pq_node *node, tarn_field *f)
{
    node->children = tarn_arena_calloc(c->a, (size_t)n, sizeof *node->children);
    f->children = tarn_arena_calloc(c->a, (size_t)n, sizeof *f->children);
    if (!node->children || !f->children)
        return nomem(c);
    node->n_children = n;
    f->n_children = n;
    return TARN_OK;
}

static bool has_annotation(const tarn_pq_schema_element *el, tarn_pq_logical_kind lk,
                           tarn_pq_converted ct)
{
    return el->logical.kind == lk || el->converted == ct;
}

/* LIST-annotated group (d = its own level). False when the layout does not
 * fit a list: the caller reads the group as a struct. */
static tarn_status try_list(ctx *c, int i, int16_t d, int16_t rep, const char *path,
                            tarn_pq_node *node, tarn_field *f, int depth, bool *ok)
{
    const tarn_pq_schema_element *el = &c->m->schema[i];
    *ok = false;
    if (el->num_children != 1)
        return TARN_OK;
    int ci = c->kids[i][0];
    const tarn_pq_schema_element *cel = &c->m->schema[ci];
    if (!cel->has_repetition || cel->repetition != TARN_PQ_REPEATED)
        return TARN_OK;
    *ok = true;
    node->kind = TARN_PQ_NODE_LIST;
    node->elem_def = (int16_t)(d + 1);
    node->elem_rep = (int16_t)(rep + 1);
    f->type = tarn_type_make(TARN_TYPE_LIST);
    TARN_TRY(alloc_children(c, 1, node, f));
    /* Backward compatibility (LogicalTypes.md): a primitive or a multi-field
     * repeated group, or one named "array" / "<list>_tuple", is the element
     * itself; otherwise its single child is. */
    bool two_level = cel->num_children != 1 || strcmp(cel->name, "array") == 0;
    if (!two_level) {
        size_t n = strlen(el->name);
        two_level = strncmp(cel->name, el->name, n) == 0 && strcmp(cel->name + n, "_tuple") == 0;
    }
    if (two_level)
        return conv_node(c, ci, node->elem_def, node->elem_rep, true, "element", path,
                         &node->children[0], &f->children[0], depth + 1);
    const char *mid = tarn_arena_printf(c->a, "%s.%s", path, cel->name);
    if (!mid)
        return nomem(c);
    return conv_node(c, c->kids[ci][0], node->elem_def, node->elem_rep, false, "element", mid,
                     &node->children[0], &f->children[0], depth + 2);
}

/* MAP / MAP_KEY_VALUE group holding `repeated group { key; value }`. */
static tarn_status try_map(ctx *c, int i, int16_t d, int16_t rep, const char *path,
                           tarn_pq_node *node, tarn_field *f, int depth, bool *ok)
{
    const tarn_pq_schema_element *el = &c->m->schema[i];
    *ok = false;
    if (el->num_children != 1)
        return TARN_OK;
    int kv = c->kids[i][0];
    const tarn_pq_schema_element *kvel = &c->m->schema[kv];
    if (!kvel->has_repetition || kvel->repetition != TARN_PQ_REPEATED || kvel->num_children != 2)
        return TARN_OK;
    *ok = true;
    node->kind = TARN_PQ_NODE_MAP;
    node->elem_def = (int16_t)(d + 1);
    node->elem_rep = (int16_t)(rep + 1);
    f->type = tarn_type_make(TARN_TYPE_MAP);
    TARN_TRY(alloc_children(c, 2, node, f));
    const char *mid = tarn_arena_printf(c->a, "%s.%s", path, kvel->name);
    if (!mid)
        return nomem(c);
    TARN_TRY(conv_node(c, c->kids[kv][0], node->elem_def, node->elem_rep, false, "key", mid,
                       &node->children[0], &f->children[0], depth + 2));
    return conv_node(c, c->kids[kv][1], node->elem_def, node->elem_rep, false, "value", mid,
                     &node->children[1], &f->children[1], depth + 2);
}

static tarn_status conv_struct(ctx *c, int i, int16_t d, int16_t rep, const char *path,
                               tarn_pq_node *node, tarn_field *f, int depth)
{
    const tarn_pq_schema_element *el = &c->m->schema[i];
    node->kind = TARN_PQ_NODE_STRUCT;
    f->type = tarn_type_make(TARN_TYPE_STRUCT);
    TARN_TRY(alloc_children(c, el->num_children, node, f));
    for (int k = 0; k < el->num_children; k++)
        TARN_TRY(conv_node(c, c->kids[i][k], d, rep, false, NULL, path, &node->children[k],
                           &f->children[k], depth + 1));
    return TARN_OK;
}

/* Converts element i whose parent is present at level def (repetition rep).
 * as_elem: i is the repeated element of a list the caller built, read as a
 * required value. name overrides the element's name. */
static tarn_status conv_node(ctx *c, int i, int16_t def, int16_t rep, bool as_elem,
                             const char *name, const char *parent_path, tarn_pq_node *node,
                             tarn_field *f, int depth)
{
    if (depth > TARN_PQ_MAX_NESTING)
        return bad_schema(c, i, "nested deeper than tarn's limit");
    const tarn_pq_schema_element *el = &c->m->schema[i];
    const char *path = parent_path ? tarn_arena_printf(c->a, "%s.%s", parent_path, el->name)
                                   : tarn_arena_strdup(c->a, el->name);
    f->name = tarn_arena_strdup(c->a, name ? name : el->name);
    if (!path || !f->name)
        return nomem(c);
    f->field_id = el->has_field_id ? el->field_id : -1;
    node->field = f;
    node->first_leaf = c->n_leaves;
    tarn_status st = TARN_OK;
    if (!as_elem && el->has_repetition && el->repetition == TARN_PQ_REPEATED) {
        /* A bare repeated field: a non-null list of required elements. */
        node->kind = TARN_PQ_NODE_LIST;
        node->def = def;
        node->elem_def = (int16_t)(def + 1);
        node->elem_rep = (int16_t)(rep + 1);
        f->type = tarn_type_make(TARN_TYPE_LIST);
        TARN_TRY(alloc_children(c, 1, node, f));
        st = conv_node(c, i, node->elem_def, node->elem_rep, true, "element", parent_path,
                       &node->children[0], &f->children[0], depth + 1);
        node->n_leaves = c->n_leaves - node->first_leaf;
        return st;
    }
    bool optional = !as_elem && el->has_repetition && el->repetition == TARN_PQ_OPTIONAL;
    int16_t d = (int16_t)(def + optional);
    node->def = d;
    node->nullable = optional;
    f->nullable = optional;
    bool done = false;
    if (el->num_children == 0) {
        st = make_leaf(c, i, d, rep, path, node, f);
        done = true;
    }
    if (st == TARN_OK && !done && has_annotation(el, TARN_PQ_LT_LIST, TARN_PQ_CT_LIST))
        st = try_list(c, i, d, rep, path, node, f, depth, &done);
    if (st == TARN_OK && !done &&
        (has_annotation(el, TARN_PQ_LT_MAP, TARN_PQ_CT_MAP) ||
         el->converted == TARN_PQ_CT_MAP_KEY_VALUE))
        st = try_map(c, i, d, rep, path, node, f, depth, &done);
    if (st == TARN_OK && !done)
        st = conv_struct(c, i, d, rep, path, node, f, depth);
    node->n_leaves = c->n_leaves - node->first_leaf;
    return st;
}

/* Entry points ------------------------------------------------------------------------ */

tarn_status tarn_pq_schema_map_build(const tarn_pq_file_meta *m, tarn_pq_schema_map **out,
                                     tarn_err *err)
{
    *out = NULL;
    tarn_schema *s = tarn_schema_create();
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory building the Parquet schema");
    ctx c = {.m = m, .a = s->arena, .err = err};
    tarn_status st = TARN_OK;
    tarn_pq_schema_map *map = tarn_arena_calloc(c.a, 1, sizeof *map);
    c.kids = tarn_arena_calloc(c.a, (size_t)m->n_schema, sizeof *c.kids);
    if (!map || !c.kids) {
        st = nomem(&c);
        goto done;
    }
    map->schema = s;
    int next;
    st = index_tree(&c, 0, 0, &next);
    if (st != TARN_OK)
        goto done;
    if (next != m->n_schema) {
        st = bad_schema(&c, next, "lies outside the schema tree");
        goto done;
    }
    for (int i = 1; i < m->n_schema; i++)
        c.cap_leaves += m->schema[i].num_children == 0;
    c.leaves = tarn_arena_calloc(c.a, (size_t)(c.cap_leaves ? c.cap_leaves : 1), sizeof *c.leaves);
    int n_top = m->schema[0].num_children;
    s->fields = tarn_arena_calloc(c.a, (size_t)(n_top ? n_top : 1), sizeof *s->fields);
    map->tops = tarn_arena_calloc(c.a, (size_t)(n_top ? n_top : 1), sizeof *map->tops);
    if (!c.leaves || !s->fields || !map->tops) {
        st = nomem(&c);
        goto done;
    }
    s->n_fields = n_top;
    for (int k = 0; k < n_top && st == TARN_OK; k++) {
        c.top = k;
        st = conv_node(&c, c.kids[0][k], 0, 0, false, NULL, NULL, &map->tops[k], &s->fields[k], 1);
    }
    map->leaves = c.leaves;
    map->n_leaves = c.n_leaves;
done:
    if (st != TARN_OK) {
        tarn_schema_destroy(s);
        return st;
    }
    *out = map;
    return TARN_OK;
}

void tarn_pq_schema_map_destroy(tarn_pq_schema_map *s)
{
    if (s)
        tarn_schema_destroy(s->schema); /* s itself lives in that arena */
}
