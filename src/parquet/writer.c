/*
 * parquet/writer.c - tarn batches to a Parquet file (writer.h).
 *
 * Rows are copied into one buffered batch until it holds row_group_bytes of
 * uncompressed data; a flush then turns every leaf column into a column
 * chunk in two parallel steps (one pool task per leaf: shred into levels,
 * convert to the physical type, dictionary-encode with PLAIN fallback, plan
 * the pages; then one pool task per data page: levels, values, compress)
 * and writes the chunks in schema order. Memory is bounded by one row group
 * plus its encoded pages and chunks. Footer metadata (schema, row
 * groups, statistics) lives in the writer's arena until close.
 * Schema mapping and level rules: see README.md "Writer" and writer.h.
 */
#include "parquet/writer.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/pool.h"
#include "parquet/codec.h"
#include "parquet/encode.h"
#include "parquet/footer_write.h"

#include <string.h>

#define DEFAULT_ROW_GROUP_BYTES ((int64_t)8 << 20) /* see writer.h */
#define DEFAULT_PAGE_BYTES      ((int64_t)1 << 20)
#define DEFAULT_DICT_BYTES      ((int64_t)1 << 20)
#define MAX_DICT_BYTES          ((int64_t)1 << 30)
#define MAX_ROW_GROUP_ROWS      ((int64_t)1 << 30) /* levels and indexes are 32-bit */
#define STATS_MAX_BYTES         64                 /* footer BYTE_ARRAY bounds are cut to this */
#define DICT_SAMPLE             8192 /* values probed before a chunk commits to a dictionary */

typedef enum node_kind {
    NODE_LEAF,
    NODE_STRUCT,
    NODE_LIST,
    NODE_MAP
} node_kind;

/* One step from a top-level vector down to a leaf vector. */
typedef struct path_node {
    uint8_t kind;  /* node_kind */
    bool optional; /* a null here ends the path with its own definition level */
    uint8_t rep;   /* LIST/MAP: repetition level of its elements */
    int child;     /* STRUCT member / MAP key (0) or value (1) the path follows */
} path_node;

/* A page planned inside a column chunk: level and value ranges. */
typedef struct page_span {
    int64_t l0, l1; /* levels [l0, l1) */
    int64_t v0, v1; /* non-null values [v0, v1) */
    int64_t rows;   /* records starting in the page */
} page_span;

/* A leaf column: static layout plus scratch reused from row group to row
 * group, and the results of the last encoding. */
typedef struct leaf_col {
    int top;                       /* top-level column index */
    const tarn_field *field;       /* the leaf field (writer's schema copy) */
    tarn_type type;                /* leaf logical type */
    tarn_pq_type phys;             /* physical type */
    int width;                     /* bytes per physical value (FLBA width), 0 for BYTE_ARRAY */
    tarn_pq_order order;           /* statistics order */
    bool utf8;                     /* STRING: truncate bounds at characters */
    int n_path;                    /* nodes in path */
    path_node *path;               /* top-level field .. leaf */
    int max_def, max_rep;          /* level maxima */
    int n_names;                   /* entries in names */
    const char **names;            /* path_in_schema */
    tarn_buf def, rep;             /* uint8 levels of the row group */
    tarn_buf idx;                  /* uint32 positions of present values in the leaf vector */
    tarn_buf conv;                 /* values converted to the physical type */
    tarn_buf dict_idx;             /* uint32 dictionary index per value */
    tarn_buf pages;                /* page_span array */
    tarn_buf cpage;                /* the compressed dictionary page */
    tarn_buf out;                  /* the encoded chunk: page headers and bodies */
    tarn_pq_dict dict;             /* dictionary of the chunk */
    tarn_pq_minmax mm;             /* chunk min/max (exact) */
    const uint8_t *vals;           /* fixed-width physical values (conv or the vector) */
    const int32_t *ba_off;         /* BYTE_ARRAY offsets of the leaf vector */
    const uint8_t *ba_bytes;       /* BYTE_ARRAY payload */
    const uint32_t *ba_idx;        /* BYTE_ARRAY positions, NULL = dense */
    int64_t n_levels, n_values;    /* of the row group */
    int64_t dict_bytes;            /* dictionary page incl. header in out, 0 if none */
    int64_t uncompressed;          /* page headers + uncompressed bodies */
    int n_dict_pages, n_rle_pages; /* pages per encoding (dict page, RLE_DICTIONARY) */
    int n_plain_pages;             /* PLAIN data pages */
    int64_t n_pages;               /* data pages of the row group (page jobs) */
    int64_t fallback;              /* pages [0, fallback) use the dictionary */
    int bw;                        /* dictionary index bit width, -1 without */
    tarn_status st;                /* result of the last encoding task */
    tarn_err err;                  /* its error */
} leaf_col;

/* Running result of one top-level column over the file. */
typedef struct top_col {
    int64_t null_count; /* rows where the column is null */
    bool nested;        /* STRUCT/LIST/MAP: no min/max */
    int leaf;           /* its leaf (flat columns) */
    tarn_pq_minmax mm;  /* file min/max (exact) */
} top_col;

struct tarn_pq_writer {
    tarn_wfile file;               /* the output */
    char *path;                    /* heap copy of the output path (messages, removal) */
    bool file_open;                /* file holds an fd */
    bool failed;                   /* an earlier call failed; only abort/close remain */
    tarn_schema *schema;           /* copy of the caller's schema */
    tarn_pq_write_opts opts;       /* options with defaults filled in */
    tarn_arena *meta;              /* schema elements, footer metadata */
    int n_elems;                   /* schema elements (root included) */
    tarn_pq_schema_element *elems; /* depth-first, [0] is the root */
    int elem_cap;                  /* entries allocated in elems */
    int n_leaves;                  /* leaf columns */
    leaf_col *leaves;              /* n_leaves entries */
    int leaf_cap;                  /* entries allocated in leaves */
    top_col *tops;                 /* per top-level column */
    int *order;                    /* leaf encoding order (largest first) */
    struct page_job *jobs;         /* data pages of the row group being flushed */
    int64_t n_jobs, job_cap;       /* jobs in use / allocated (buffers kept) */
    tarn_batch *rg;                /* rows buffered for the current row group */
    int64_t rg_bytes;              /* uncompressed estimate of rg */
    int n_rgs, rg_cap;             /* row groups written / allocated */
    tarn_pq_row_group *rgs;        /* footer row groups (heap array) */
    tarn_pq_chunk_extra *extras;   /* per chunk extras, rg-major (heap array) */
    int64_t num_rows;              /* rows written so far */
};

/* Options ------------------------------------------------------------------- */

void tarn_pq_write_opts_init(tarn_pq_write_opts *o)
{
    memset(o, 0, sizeof *o);
    o->codec = TARN_PQ_ZSTD;
    o->row_group_bytes = DEFAULT_ROW_GROUP_BYTES;
    o->page_bytes = DEFAULT_PAGE_BYTES;
    o->dictionary_max_bytes = DEFAULT_DICT_BYTES;
    o->data_page_version = 1;
}

static tarn_status check_opts(tarn_pq_write_opts *o, tarn_err *err)
{
    if (o->row_group_bytes <= 0)
        o->row_group_bytes = DEFAULT_ROW_GROUP_BYTES;
    if (o->page_bytes <= 0)
        o->page_bytes = DEFAULT_PAGE_BYTES;
    if (o->page_bytes > TARN_PQ_MAX_PAGE_BYTES / 4)
        o->page_bytes = TARN_PQ_MAX_PAGE_BYTES / 4;
    if (o->dictionary_max_bytes <= 0)
        o->dictionary_max_bytes = DEFAULT_DICT_BYTES;
    if (o->dictionary_max_bytes > MAX_DICT_BYTES)
        o->dictionary_max_bytes = MAX_DICT_BYTES;
    if (o->data_page_version == 0)
        o->data_page_version = 1;
    if (o->data_page_version != 1 && o->data_page_version != 2)
        return tarn_err_set(err, TARN_ERR_INVALID, "data_page_version must be 1 or 2, not %d",
                            o->data_page_version);
    switch (o->codec) {
    case TARN_PQ_UNCOMPRESSED:
    case TARN_PQ_SNAPPY:
    case TARN_PQ_GZIP:
    case TARN_PQ_BROTLI:
    case TARN_PQ_ZSTD:
    case TARN_PQ_LZ4_RAW:
        break;
    default:
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "tarn cannot write Parquet codec %d",
                            (int)o->codec);
    }
    if (o->n_kv < 0 || (o->n_kv > 0 && !o->kv))
        return tarn_err_set(err, TARN_ERR_INVALID, "bad footer key/value metadata");
    return TARN_OK;
}

/* Schema mapping ------------------------------------------------------------- */

static tarn_pq_schema_element *new_elem(tarn_pq_writer *w, const char *name, bool optional)
{
    if (w->n_elems == w->elem_cap) {
        int cap = w->elem_cap ? w->elem_cap * 2 : 16;
        tarn_pq_schema_element *e = tarn_arena_alloc(w->meta, (size_t)cap * sizeof *e);
        if (!e)
            return NULL;
        if (w->n_elems)
            memcpy(e, w->elems, (size_t)w->n_elems * sizeof *e);
        w->elems = e;
        w->elem_cap = cap;
    }
    tarn_pq_schema_element *e = &w->elems[w->n_elems++];
    memset(e, 0, sizeof *e);
    e->converted = TARN_PQ_CT_NONE;
    e->name = name;
    e->has_repetition = true;
    e->repetition = optional ? TARN_PQ_OPTIONAL : TARN_PQ_REQUIRED;
    return e;
}

/* Smallest FIXED_LEN_BYTE_ARRAY width holding every decimal of precision p. */
static int decimal_flba_width(int p)
{
    tarn_u128 max = 1;
    for (int i = 0; i < p; i++)
        max *= 10;
    max -= 1;
    for (int n = 1; n < 16; n++)
        if (max < ((tarn_u128)1 << (8 * n - 1)))
            return n;
    return 16;
}

static void set_int_logical(tarn_pq_schema_element *e, int bits, bool is_signed,
                            tarn_pq_converted ct)
{
    e->logical.kind = TARN_PQ_LT_INTEGER;
    e->logical.bit_width = (int8_t)bits;
    e->logical.is_signed = is_signed;
    e->converted = ct;
}

static void set_time_logical(tarn_pq_schema_element *e, tarn_pq_logical_kind kind, bool utc,
                             tarn_pq_time_unit unit, tarn_pq_converted ct)
{
    e->logical.kind = kind;
    e->logical.is_adjusted_to_utc = utc;
    e->logical.unit = unit;
    e->converted = ct;
}

/* Physical type, annotations and statistics order of a leaf type. */
static tarn_status map_leaf_type(tarn_type t, tarn_pq_schema_element *e, leaf_col *L, tarn_err *err)
{
    tarn_pq_type phys = TARN_PQ_INT32;
    int width = 4;
    tarn_pq_order order = TARN_PQ_ORDER_I32;
    switch (t.id) {
    case TARN_TYPE_NULL:
        e->logical.kind = TARN_PQ_LT_UNKNOWN;
        break;
    case TARN_TYPE_BOOL:
        phys = TARN_PQ_BOOLEAN, width = 1, order = TARN_PQ_ORDER_BOOL;
        break;
    case TARN_TYPE_INT8:
        set_int_logical(e, 8, true, TARN_PQ_CT_INT_8);
        break;
    case TARN_TYPE_INT16:
        set_int_logical(e, 16, true, TARN_PQ_CT_INT_16);
        break;
    case TARN_TYPE_INT32:
        break;
    case TARN_TYPE_UINT8:
        set_int_logical(e, 8, false, TARN_PQ_CT_UINT_8);
        order = TARN_PQ_ORDER_U32;
        break;
    case TARN_TYPE_UINT16:
        set_int_logical(e, 16, false, TARN_PQ_CT_UINT_16);
        order = TARN_PQ_ORDER_U32;
        break;
    case TARN_TYPE_UINT32:
        set_int_logical(e, 32, false, TARN_PQ_CT_UINT_32);
        order = TARN_PQ_ORDER_U32;
        break;
    case TARN_TYPE_INT64:
        phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_I64;
        break;
    case TARN_TYPE_UINT64:
        phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_U64;
        set_int_logical(e, 64, false, TARN_PQ_CT_UINT_64);
        break;
    case TARN_TYPE_FLOAT32:
        phys = TARN_PQ_FLOAT, order = TARN_PQ_ORDER_F32;
        break;
    case TARN_TYPE_FLOAT64:
        phys = TARN_PQ_DOUBLE, width = 8, order = TARN_PQ_ORDER_F64;
        break;
    case TARN_TYPE_DECIMAL:
        if (t.precision < 1 || t.precision > TARN_DECIMAL_MAX_PRECISION || t.scale > t.precision)
            return tarn_err_set(err, TARN_ERR_INVALID, "bad decimal(%d,%d)", t.precision, t.scale);
        if (t.precision > 18)
            phys = TARN_PQ_FIXED_LEN_BYTE_ARRAY, width = decimal_flba_width(t.precision),
            order = TARN_PQ_ORDER_DEC_BE;
        else if (t.precision > 9)
            phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_I64;
        e->logical.kind = TARN_PQ_LT_DECIMAL;
        e->logical.precision = e->precision = t.precision;
        e->logical.scale = e->scale = t.scale;
        e->converted = TARN_PQ_CT_DECIMAL;
        break;
    case TARN_TYPE_STRING:
        phys = TARN_PQ_BYTE_ARRAY, width = 0, order = TARN_PQ_ORDER_BYTES;
        e->logical.kind = TARN_PQ_LT_STRING;
        e->converted = TARN_PQ_CT_UTF8;
        L->utf8 = true;
        break;
    case TARN_TYPE_BINARY:
        phys = TARN_PQ_BYTE_ARRAY, width = 0, order = TARN_PQ_ORDER_BYTES;
        break;
    case TARN_TYPE_UUID:
        phys = TARN_PQ_FIXED_LEN_BYTE_ARRAY, width = 16, order = TARN_PQ_ORDER_BYTES;
        e->logical.kind = TARN_PQ_LT_UUID;
        break;
    case TARN_TYPE_DATE:
        e->logical.kind = TARN_PQ_LT_DATE;
        e->converted = TARN_PQ_CT_DATE;
        break;
    case TARN_TYPE_TIME:
        phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_I64;
        set_time_logical(e, TARN_PQ_LT_TIME, true, TARN_PQ_MICROS, TARN_PQ_CT_TIME_MICROS);
        break;
    case TARN_TYPE_TIMESTAMP:
        phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_I64;
        set_time_logical(e, TARN_PQ_LT_TIMESTAMP, true, TARN_PQ_MICROS,
                         TARN_PQ_CT_TIMESTAMP_MICROS);
        break;
    case TARN_TYPE_TIMESTAMP_NTZ:
        phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_I64;
        set_time_logical(e, TARN_PQ_LT_TIMESTAMP, false, TARN_PQ_MICROS, TARN_PQ_CT_NONE);
        break;
    case TARN_TYPE_TIMESTAMP_NS:
        phys = TARN_PQ_INT64, width = 8, order = TARN_PQ_ORDER_I64;
        set_time_logical(e, TARN_PQ_LT_TIMESTAMP, false, TARN_PQ_NANOS, TARN_PQ_CT_NONE);
        break;
    default:
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "cannot write type %d as a Parquet leaf",
                            (int)t.id);
    }
    e->has_type = true;
    e->type = phys;
    if (phys == TARN_PQ_FIXED_LEN_BYTE_ARRAY)
        e->type_length = width;
    L->type = t;
    L->phys = phys;
    L->width = width;
    L->order = order;
    return TARN_OK;
}

/* State of the depth-first walk that builds schema elements and leaves. */
typedef struct schema_walk {
    path_node path[TARN_PQ_MAX_NESTING];        /* nodes from the top-level field */
    const char *names[TARN_PQ_MAX_NESTING * 2]; /* path_in_schema so far */
    int n_path, n_names;                        /* depth of both */
    int def, rep;                               /* levels so far */
    int top;                                    /* current top-level column */
} schema_walk;

static const char *field_name(const tarn_field *f)
{
    return f->physical_name ? f->physical_name : f->name;
}

static tarn_status add_leaf(tarn_pq_writer *w, schema_walk *sw, const tarn_field *f,
                            tarn_pq_schema_element *e, tarn_err *err)
{
    if (w->n_leaves == w->leaf_cap) {
        int cap = w->leaf_cap ? w->leaf_cap * 2 : 8;
        leaf_col *l = tarn_realloc(w->leaves, (size_t)cap * sizeof *l);
        if (!l)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        w->leaves = l;
        w->leaf_cap = cap;
    }
    leaf_col *L = &w->leaves[w->n_leaves];
    memset(L, 0, sizeof *L);
    TARN_TRY(map_leaf_type(f->type, e, L, err));
    w->n_leaves++;
    L->top = sw->top;
    L->field = f;
    L->max_def = sw->def;
    L->max_rep = sw->rep;
    L->n_path = sw->n_path;
    L->path = tarn_arena_memdup(w->meta, sw->path, (size_t)sw->n_path * sizeof *sw->path);
    L->n_names = sw->n_names;
    L->names = tarn_arena_memdup(w->meta, sw->names, (size_t)sw->n_names * sizeof(char *));
    if (!L->path || !L->names)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_pq_dict_kind dk = L->phys == TARN_PQ_BYTE_ARRAY             ? TARN_PQ_DICT_BYTES
                           : L->phys == TARN_PQ_FIXED_LEN_BYTE_ARRAY ? TARN_PQ_DICT_FLBA
                           : L->width == 8                           ? TARN_PQ_DICT_FIXED8
                                                                     : TARN_PQ_DICT_FIXED4;
    tarn_pq_dict_init(&L->dict, dk, L->width);
    tarn_pq_minmax_init(&L->mm, L->order);
    return TARN_OK;
}

static tarn_status walk_field(tarn_pq_writer *w, schema_walk *sw, const tarn_field *f,
                              const char *name, bool optional, tarn_err *err);

/* A group element with its children walked below it. */
static tarn_status walk_group(tarn_pq_writer *w, schema_walk *sw, const tarn_field *f,
                              tarn_pq_schema_element *e, tarn_err *err)
{
    path_node *node = &sw->path[sw->n_path - 1];
    if (f->type.id == TARN_TYPE_STRUCT) {
        if (f->n_children == 0)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "a struct without fields cannot be written to Parquet");
        node->kind = NODE_STRUCT;
        e->num_children = f->n_children;
        for (int i = 0; i < f->n_children; i++) {
            node->child = i;
            const tarn_field *c = &f->children[i];
            TARN_TRY(walk_field(w, sw, c, field_name(c), c->nullable, err));
        }
        return TARN_OK;
    }
    bool is_map = f->type.id == TARN_TYPE_MAP;
    int want = is_map ? 2 : 1;
    if (f->n_children != want)
        return tarn_err_set(err, TARN_ERR_INVALID, "%s field '%s' needs %d child field(s)",
                            is_map ? "map" : "list", f->name, want);
    node->kind = is_map ? NODE_MAP : NODE_LIST;
    node->rep = (uint8_t)(sw->rep + 1);
    e->num_children = 1;
    e->converted = is_map ? TARN_PQ_CT_MAP : TARN_PQ_CT_LIST;
    e->logical.kind = is_map ? TARN_PQ_LT_MAP : TARN_PQ_LT_LIST;
    const char *gname = is_map ? "key_value" : "list";
    tarn_pq_schema_element *g = new_elem(w, gname, false);
    if (!g)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    g->repetition = TARN_PQ_REPEATED;
    g->num_children = want;
    sw->names[sw->n_names++] = gname;
    sw->def++;
    sw->rep++;
    for (int i = 0; i < want; i++) {
        node->child = i;
        const tarn_field *c = &f->children[i];
        const char *cname = is_map ? (i == 0 ? "key" : "value") : "element";
        TARN_TRY(walk_field(w, sw, c, cname, i == 0 && is_map ? false : c->nullable, err));
    }
    sw->def--;
    sw->rep--;
    sw->n_names--;
    return TARN_OK;
}

static tarn_status walk_field(tarn_pq_writer *w, schema_walk *sw, const tarn_field *f,
                              const char *name, bool optional, tarn_err *err)
{
    if (sw->n_path >= TARN_PQ_MAX_NESTING || sw->n_names + 2 > TARN_PQ_MAX_NESTING * 2)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "field '%s' is nested too deeply", f->name);
    if (f->type.id == TARN_TYPE_NULL)
        optional = true; /* the UNKNOWN logical type is always null */
    tarn_pq_schema_element *e = new_elem(w, name, optional);
    if (!e)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (f->field_id >= 0) {
        e->has_field_id = true;
        e->field_id = f->field_id;
    }
    path_node *node = &sw->path[sw->n_path++];
    memset(node, 0, sizeof *node);
    node->optional = optional;
    sw->names[sw->n_names++] = name;
    sw->def += optional;
    tarn_status st;
    if (tarn_type_is_nested(f->type.id))
        st = walk_group(w, sw, f, e, err);
    else
        st = add_leaf(w, sw, f, e, err);
    sw->def -= optional;
    sw->n_names--;
    sw->n_path--;
    if (st != TARN_OK)
        tarn_err_prefix(err, "column '%s'", f->name);
    return st;
}

static tarn_status build_schema(tarn_pq_writer *w, tarn_err *err)
{
    tarn_pq_schema_element *root = new_elem(w, "schema", false);
    if (!root)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    root->has_repetition = false;
    root->num_children = w->schema->n_fields;
    schema_walk sw;
    memset(&sw, 0, sizeof sw);
    for (int i = 0; i < w->schema->n_fields; i++) {
        const tarn_field *f = &w->schema->fields[i];
        sw.top = i;
        TARN_TRY(walk_field(w, &sw, f, field_name(f), f->nullable, err));
    }
    w->tops = tarn_calloc((size_t)(w->schema->n_fields ? w->schema->n_fields : 1), sizeof *w->tops);
    w->order = tarn_calloc((size_t)(w->n_leaves ? w->n_leaves : 1), sizeof *w->order);
    if (!w->tops || !w->order)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < w->schema->n_fields; i++)
        w->tops[i].nested = tarn_type_is_nested(w->schema->fields[i].type.id);
    for (int l = w->n_leaves - 1; l >= 0; l--) {
        top_col *t = &w->tops[w->leaves[l].top];
        t->leaf = l;
        tarn_pq_minmax_init(&t->mm, w->leaves[l].order);
    }
    return TARN_OK;
}

/* Shredding: levels and value positions of one leaf -------------------------- */

static tarn_status null_in_required(leaf_col *L)
{
    return tarn_err_set(&L->err, TARN_ERR_INVALID,
                        "column '%s': null value in a non-nullable field", L->names[0]);
}

static inline tarn_status emit_level(leaf_col *L, int d, int r)
{
    if (L->max_def) {
        if (L->def.len == L->def.cap)
            TARN_TRY(tarn_buf_reserve(&L->def, L->def.cap ? L->def.cap : 4096));
        L->def.data[L->def.len++] = (char)d;
    }
    if (L->max_rep) {
        if (L->rep.len == L->rep.cap)
            TARN_TRY(tarn_buf_reserve(&L->rep, L->rep.cap ? L->rep.cap : 4096));
        L->rep.data[L->rep.len++] = (char)r;
    }
    L->n_levels++;
    return TARN_OK;
}

static inline tarn_status emit_value(leaf_col *L, int64_t i)
{
    if (L->idx.len + 4 > L->idx.cap)
        TARN_TRY(tarn_buf_reserve(&L->idx, L->idx.cap ? L->idx.cap : 16384));
    uint32_t x = (uint32_t)i;
    memcpy(L->idx.data + L->idx.len, &x, 4);
    L->idx.len += 4;
    L->n_values++;
    return TARN_OK;
}

/* Dremel shredding of entry i of v (path node k) with levels d and r so far. */
static tarn_status shred(leaf_col *L, int k, const tarn_vec *v, int64_t i, int d, int r)
{
    const path_node *nd = &L->path[k];
    if (!tarn_vec_is_valid(v, i) || (nd->kind == NODE_LEAF && L->type.id == TARN_TYPE_NULL)) {
        if (!nd->optional)
            return null_in_required(L);
        return emit_level(L, d, r);
    }
    d += nd->optional;
    switch (nd->kind) {
    case NODE_LEAF:
        TARN_TRY(emit_level(L, d, r));
        return emit_value(L, i);
    case NODE_STRUCT:
        return shred(L, k + 1, v->children[nd->child], i, d, r);
    default: { /* LIST, MAP: the repeated group adds one definition level */
        int32_t s = v->offsets[i], e = v->offsets[i + 1];
        if (s >= e)
            return emit_level(L, d, r);
        const tarn_vec *c = v->children[nd->child];
        for (int32_t j = s; j < e; j++)
            TARN_TRY(shred(L, k + 1, c, j, d + 1, j == s ? r : nd->rep));
        return TARN_OK;
    }
    }
}

/* Flat leaf (a top-level primitive): levels straight from the bitmap. */
static tarn_status shred_flat(leaf_col *L, const tarn_vec *v, int64_t n, bool *out_dense)
{
    L->n_levels = n;
    *out_dense = true;
    if (!L->max_def) {
        if (v->null_count > 0)
            return null_in_required(L);
        L->n_values = n;
        return TARN_OK;
    }
    TARN_TRY(tarn_buf_reserve(&L->def, (size_t)n));
    uint8_t *def = (uint8_t *)L->def.data;
    L->def.len = (size_t)n;
    if (L->type.id == TARN_TYPE_NULL) {
        memset(def, 0, (size_t)n);
        L->n_values = 0;
        return TARN_OK;
    }
    if (!v->validity || v->null_count == 0) {
        memset(def, 1, (size_t)n);
        L->n_values = n;
        return TARN_OK;
    }
    TARN_TRY(tarn_buf_reserve(&L->idx, (size_t)n * 4));
    uint32_t *idx = (uint32_t *)(void *)L->idx.data;
    int64_t nv = 0;
    for (int64_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)((v->validity[i >> 3] >> (i & 7)) & 1);
        def[i] = b;
        idx[nv] = (uint32_t)i;
        nv += b;
    }
    L->idx.len = (size_t)nv * 4;
    L->n_values = nv;
    *out_dense = false;
    return TARN_OK;
}

/* The vector holding the leaf's values, below top-level vector v. */
static const tarn_vec *leaf_vec(const leaf_col *L, const tarn_vec *v)
{
    for (int k = 0; k < L->n_path - 1; k++)
        v = v->children[L->path[k].child];
    return v;
}

/* Physical values ------------------------------------------------------------ */

#define CONVERT(SRC_T, DST_T)                                                                      \
    do {                                                                                           \
        const SRC_T *src = (const SRC_T *)(const void *)v->data;                                   \
        DST_T *dst = (DST_T *)(void *)L->conv.data;                                                \
        if (idx)                                                                                   \
            for (int64_t k = 0; k < n; k++)                                                        \
                dst[k] = (DST_T)src[idx[k]];                                                       \
        else                                                                                       \
            for (int64_t k = 0; k < n; k++)                                                        \
                dst[k] = (DST_T)src[k];                                                            \
    } while (0)

static void gather_fixed(uint8_t *dst, const uint8_t *src, int w, const uint32_t *idx, int64_t n)
{
    if (w == 4) {
        uint32_t *d = (uint32_t *)(void *)dst;
        const uint32_t *s = (const uint32_t *)(const void *)src;
        for (int64_t k = 0; k < n; k++)
            d[k] = s[idx[k]];
    } else if (w == 8) {
        uint64_t *d = (uint64_t *)(void *)dst;
        const uint64_t *s = (const uint64_t *)(const void *)src;
        for (int64_t k = 0; k < n; k++)
            d[k] = s[idx[k]];
    } else {
        for (int64_t k = 0; k < n; k++)
            memcpy(dst + k * w, src + (int64_t)idx[k] * w, (size_t)w);
    }
}

/* Wide decimals: 128-bit two's complement to big-endian FLBA of width w. */
static void decimal_to_be(uint8_t *dst, const tarn_vec *v, const uint32_t *idx, int64_t n, int w)
{
    for (int64_t k = 0; k < n; k++) {
        tarn_i128 x;
        memcpy(&x, v->data + (int64_t)(idx ? idx[k] : k) * 16, 16);
        tarn_u128 u = (tarn_u128)x;
        uint8_t *o = dst + k * w;
        for (int b = w - 1; b >= 0; b--) {
            o[b] = (uint8_t)u;
            u >>= 8;
        }
    }
}

/* Points L->vals / L->ba_* at the n present values in the physical type,
 * converting or gathering into L->conv when the storage differs. */
static tarn_status materialize(leaf_col *L, const tarn_vec *v, const uint32_t *idx, int64_t n)
{
    tarn_type t = L->type;
    if (L->phys == TARN_PQ_BYTE_ARRAY) {
        L->ba_off = v->offsets;
        L->ba_bytes = v->bytes;
        L->ba_idx = idx;
        return TARN_OK;
    }
    int src_w = tarn_type_width(t);
    bool same = src_w == L->width && t.id != TARN_TYPE_BOOL && t.id != TARN_TYPE_DECIMAL;
    if (t.id == TARN_TYPE_DECIMAL && t.precision > 9 && t.precision <= 18)
        same = true; /* int64 storage is the INT64 physical value */
    if (same && !idx) {
        L->vals = v->data;
        return TARN_OK;
    }
    tarn_buf_reset(&L->conv);
    TARN_TRY(tarn_buf_reserve(&L->conv, (size_t)(n * L->width) + 16));
    L->vals = (const uint8_t *)L->conv.data;
    uint8_t *out = (uint8_t *)L->conv.data;
    if (same) {
        gather_fixed(out, v->data, L->width, idx, n);
        return TARN_OK;
    }
    switch (t.id) {
    case TARN_TYPE_BOOL:
        for (int64_t k = 0; k < n; k++)
            out[k] = tarn_bit_get(v->data, idx ? idx[k] : k);
        break;
    case TARN_TYPE_INT8:
        CONVERT(int8_t, int32_t);
        break;
    case TARN_TYPE_UINT8:
        CONVERT(uint8_t, int32_t);
        break;
    case TARN_TYPE_INT16:
        CONVERT(int16_t, int32_t);
        break;
    case TARN_TYPE_UINT16:
        CONVERT(uint16_t, int32_t);
        break;
    case TARN_TYPE_DECIMAL:
        if (t.precision <= 9)
            CONVERT(int64_t, int32_t);
        else
            decimal_to_be(out, v, idx, n, L->width);
        break;
    case TARN_TYPE_NULL:
        break;
    default:
        return tarn_err_set(&L->err, TARN_ERR_INTERNAL, "column '%s': no conversion for type %d",
                            L->names[0], (int)t.id);
    }
    return TARN_OK;
}

/* Page planning --------------------------------------------------------------- */

static inline int64_t value_bits(const leaf_col *L, int64_t k)
{
    if (L->phys == TARN_PQ_BOOLEAN)
        return 1;
    if (L->phys != TARN_PQ_BYTE_ARRAY)
        return (int64_t)L->width * 8;
    int64_t j = L->ba_idx ? (int64_t)L->ba_idx[k] : k;
    return (int64_t)(4 + L->ba_off[j + 1] - L->ba_off[j]) * 8;
}

static tarn_status push_page(leaf_col *L, int64_t l0, int64_t l1, int64_t v0, int64_t v1)
{
    page_span p = {l0, l1, v0, v1, l1 - l0};
    if (L->max_rep) {
        const uint8_t *rep = (const uint8_t *)L->rep.data;
        p.rows = 0;
        for (int64_t i = l0; i < l1; i++)
            p.rows += rep[i] == 0;
    }
    return tarn_buf_append(&L->pages, &p, sizeof p);
}

/* Splits the chunk into pages of about page_bytes of PLAIN values; pages
 * start at record boundaries (repetition level 0). */
static tarn_status plan_pages(leaf_col *L, int64_t page_bytes)
{
    tarn_buf_reset(&L->pages);
    const uint8_t *def = L->max_def ? (const uint8_t *)L->def.data : NULL;
    const uint8_t *rep = L->max_rep ? (const uint8_t *)L->rep.data : NULL;
    int64_t budget = page_bytes * 8, max_levels = INT32_MAX / 2;
    if (!rep && L->phys != TARN_PQ_BYTE_ARRAY) {
        int64_t per = TARN_MAX(1, TARN_MIN(budget / value_bits(L, 0), max_levels));
        int64_t v = 0;
        for (int64_t l0 = 0; l0 < L->n_levels; l0 += per) {
            int64_t l1 = TARN_MIN(L->n_levels, l0 + per), nv = l1 - l0;
            if (def) {
                nv = 0;
                for (int64_t i = l0; i < l1; i++)
                    nv += def[i] == L->max_def;
            }
            TARN_TRY(push_page(L, l0, l1, v, v + nv));
            v += nv;
        }
        return TARN_OK;
    }
    int64_t l0 = 0, v0 = 0, v = 0, bits = 0;
    for (int64_t i = 0; i < L->n_levels; i++) {
        if (!def || def[i] == L->max_def)
            bits += value_bits(L, v++);
        bool full = bits >= budget || i + 1 - l0 >= max_levels;
        if (full && i + 1 < L->n_levels && (!rep || rep[i + 1] == 0)) {
            TARN_TRY(push_page(L, l0, i + 1, v0, v));
            l0 = i + 1;
            v0 = v;
            bits = 0;
        }
    }
    return push_page(L, l0, L->n_levels, v0, v);
}

/* Dictionary and statistics ---------------------------------------------------- */

/* Values [v0, v0+n) into the dictionary; indexes to out[v0..]. */
static tarn_status dict_put(leaf_col *L, int64_t v0, int64_t n, int64_t max_bytes, uint32_t *out,
                            bool *full)
{
    if (L->phys == TARN_PQ_BYTE_ARRAY)
        return tarn_pq_dict_put_bytes(&L->dict, L->ba_idx ? L->ba_off : L->ba_off + v0, L->ba_bytes,
                                      L->ba_idx ? L->ba_idx + v0 : NULL, n, max_bytes, out + v0,
                                      full);
    return tarn_pq_dict_put_fixed(&L->dict, L->vals + v0 * L->width, n, max_bytes, out + v0, full);
}

/* Dictionary-encodes pages in order until the dictionary outgrows max_bytes;
 * returns the first page that must be PLAIN (n_pages when none). */
static tarn_status build_dict(leaf_col *L, int64_t max_bytes, int64_t *out_fallback)
{
    const page_span *pg = (const page_span *)(const void *)L->pages.data;
    int64_t n_pages = (int64_t)(L->pages.len / sizeof *pg);
    tarn_pq_dict_reset(&L->dict);
    tarn_buf_reset(&L->dict_idx);
    TARN_TRY(tarn_buf_reserve(&L->dict_idx, (size_t)L->n_values * 4 + 4));
    uint32_t *out = (uint32_t *)(void *)L->dict_idx.data;
    *out_fallback = n_pages;
    /* A sample of the first page first: nearly unique values (over 90%
     * distinct, like ids) mean no
     * dictionary at all (as a full dictionary inside page 0 would). Columns
     * of repeating values below that (prices, amounts) usually win with a
     * dictionary over the whole chunk; dict_pays_off() makes the final call. */
    int64_t sample = n_pages ? TARN_MIN(DICT_SAMPLE, pg[0].v1) : 0;
    bool full = false;
    TARN_TRY(dict_put(L, 0, sample, max_bytes, out, &full));
    if (full || (int64_t)L->dict.n_entries * 10 > sample * 9) {
        *out_fallback = 0;
        return TARN_OK;
    }
    for (int64_t p = 0; p < n_pages; p++) {
        uint32_t n0 = L->dict.n_entries;
        size_t len0 = L->dict.plain.len;
        int64_t v0 = TARN_MAX(pg[p].v0, sample), v1 = pg[p].v1;
        if (v0 < v1)
            TARN_TRY(dict_put(L, v0, v1 - v0, max_bytes, out, &full));
        if (full) {
            tarn_pq_dict_truncate(&L->dict, n0, len0);
            *out_fallback = p;
            return TARN_OK;
        }
    }
    return TARN_OK;
}

/* Whether dictionary pages + indexes for values [0, n) are smaller than
 * PLAIN values. High-cardinality columns fail this test (and compress
 * better PLAIN), so their chunks are written PLAIN from the start. */
static bool dict_pays_off(const leaf_col *L, int64_t n)
{
    int64_t plain;
    if (L->phys == TARN_PQ_BYTE_ARRAY)
        plain = tarn_pq_plain_byte_array_size(L->ba_off, L->ba_idx, n);
    else
        plain = n * L->width;
    int bw = TARN_MAX(1, tarn_pq_bit_width(L->dict.n_entries ? L->dict.n_entries - 1 : 0));
    int64_t dict = (int64_t)L->dict.plain.len + (n * bw + 7) / 8;
    return dict < plain;
}

/* Chunk min/max: dictionary entries cover the dictionary-encoded pages, the
 * PLAIN tail is scanned value by value. */
static tarn_status chunk_minmax(leaf_col *L, bool use_dict, int64_t plain_v0)
{
    tarn_pq_minmax_reset(&L->mm);
    if (L->type.id == TARN_TYPE_NULL)
        return TARN_OK;
    if (use_dict)
        TARN_TRY(tarn_pq_minmax_dict(&L->mm, &L->dict));
    int64_t n = L->n_values - plain_v0;
    if (n <= 0)
        return TARN_OK;
    if (L->phys == TARN_PQ_BYTE_ARRAY)
        return tarn_pq_minmax_bytes(&L->mm, L->ba_idx ? L->ba_off : L->ba_off + plain_v0,
                                    L->ba_bytes, L->ba_idx ? L->ba_idx + plain_v0 : NULL, n);
    return tarn_pq_minmax_fixed(&L->mm, L->vals + plain_v0 * L->width, n, L->width);
}

/* Pages ------------------------------------------------------------------------ */

static void store_u32le(uint8_t *o, uint32_t v)
{
    o[0] = (uint8_t)v;
    o[1] = (uint8_t)(v >> 8);
    o[2] = (uint8_t)(v >> 16);
    o[3] = (uint8_t)(v >> 24);
}

/* Data page v1 levels: 4-byte length, then the RLE/bit-packed hybrid. */
static tarn_status put_levels_v1(tarn_buf *o, const uint8_t *lv, int64_t n, int max_level)
{
    size_t at = o->len;
    TARN_TRY(tarn_buf_append(o, "\0\0\0\0", 4));
    TARN_TRY(tarn_pq_rle_encode_u8(lv, n, tarn_pq_bit_width((uint64_t)max_level), o));
    store_u32le((uint8_t *)o->data + at, (uint32_t)(o->len - at - 4));
    return TARN_OK;
}

/* Values of a page: dictionary indexes (bw >= 0: bit width byte + hybrid)
 * or PLAIN (bw < 0). */
static tarn_status put_values(leaf_col *L, const page_span *p, int bw, tarn_buf *o)
{
    int64_t v0 = p->v0, n = p->v1 - p->v0;
    if (bw >= 0) {
        TARN_TRY(tarn_buf_append_char(o, (char)bw));
        const uint32_t *di = (const uint32_t *)(const void *)L->dict_idx.data;
        return tarn_pq_rle_encode_u32(di + v0, n, bw, o);
    }
    switch (L->phys) {
    case TARN_PQ_BOOLEAN:
        return tarn_pq_plain_bool(L->vals + v0, n, o);
    case TARN_PQ_BYTE_ARRAY:
        return tarn_pq_plain_byte_array(L->ba_idx ? L->ba_off : L->ba_off + v0, L->ba_bytes,
                                        L->ba_idx ? L->ba_idx + v0 : NULL, n, o);
    default:
        return tarn_buf_append(o, L->vals + v0 * L->width, (size_t)(n * L->width));
    }
}

/* Compresses src (into L->cpage unless the codec is UNCOMPRESSED). */
static tarn_status compress_page(leaf_col *L, const tarn_pq_write_opts *o, const tarn_buf *src,
                                 const uint8_t **out, size_t *out_len)
{
    if (o->codec == TARN_PQ_UNCOMPRESSED) {
        *out = (const uint8_t *)src->data;
        *out_len = src->len;
        return TARN_OK;
    }
    tarn_buf_reset(&L->cpage);
    TARN_TRY(tarn_pq_compress(o->codec, o->level, (const uint8_t *)src->data, src->len, &L->cpage,
                              &L->err));
    *out = (const uint8_t *)L->cpage.data;
    *out_len = L->cpage.len;
    return TARN_OK;
}

static tarn_status check_page_size(leaf_col *L, size_t n)
{
    if (n > (size_t)INT32_MAX)
        return tarn_err_set(&L->err, TARN_ERR_LIMIT, "column '%s': page of %zu bytes is too large",
                            L->names[0], n);
    return TARN_OK;
}

/* Appends header + body parts to L->out and counts the bytes. */
static tarn_status put_page(leaf_col *L, tarn_pq_page_header *h, const uint8_t *a, size_t an,
                            const uint8_t *b, size_t bn, size_t uncompressed_body)
{
    TARN_TRY(check_page_size(L, uncompressed_body));
    TARN_TRY(check_page_size(L, an + bn));
    h->uncompressed_page_size = (int32_t)uncompressed_body;
    h->compressed_page_size = (int32_t)(an + bn);
    size_t at = L->out.len;
    TARN_TRY(tarn_pq_page_header_write(h, &L->out, &L->err));
    L->uncompressed += (int64_t)(L->out.len - at + uncompressed_body);
    if (an)
        TARN_TRY(tarn_buf_append(&L->out, a, an));
    if (bn)
        TARN_TRY(tarn_buf_append(&L->out, b, bn));
    return TARN_OK;
}

static tarn_status write_dict_page(leaf_col *L, const tarn_pq_write_opts *o)
{
    const uint8_t *body;
    size_t blen;
    TARN_TRY(compress_page(L, o, &L->dict.plain, &body, &blen));
    tarn_pq_page_header h;
    memset(&h, 0, sizeof h);
    h.type = TARN_PQ_DICTIONARY_PAGE;
    h.has_dictionary_page_header = true;
    h.dictionary_page_header.num_values = (int32_t)L->dict.n_entries;
    h.dictionary_page_header.encoding = TARN_PQ_ENC_PLAIN;
    size_t at = L->out.len;
    TARN_TRY(put_page(L, &h, body, blen, NULL, 0, L->dict.plain.len));
    L->dict_bytes = (int64_t)(L->out.len - at);
    L->n_dict_pages = 1;
    return TARN_OK;
}

/* One data page of a flush: built and compressed on a pool thread, then
 * appended to its chunk in page order. */
typedef struct page_job {
    int leaf;            /* index into leaves */
    int64_t page;        /* index into the leaf's page spans */
    tarn_buf levels;     /* v1: levels + values; v2: levels */
    tarn_buf values;     /* v2: values */
    tarn_buf comp;       /* compressed body (codec != UNCOMPRESSED) */
    size_t rep_len;      /* v2: bytes of repetition levels in `levels` */
    const uint8_t *body; /* the body to write: comp, or the uncompressed bytes */
    size_t body_len;
    tarn_status st;
    tarn_err err;
} page_job;

static tarn_status build_page(const leaf_col *L, const tarn_pq_write_opts *o, page_job *j)
{
    const page_span *p = (const page_span *)(const void *)L->pages.data + j->page;
    int bw = j->page < L->fallback ? L->bw : -1;
    int64_t nl = p->l1 - p->l0;
    tarn_buf_reset(&j->levels);
    tarn_buf_reset(&j->values);
    tarn_buf *body = &j->levels;
    j->rep_len = 0;
    if (o->data_page_version == 2) {
        if (L->max_rep) {
            TARN_TRY(tarn_pq_rle_encode_u8((const uint8_t *)L->rep.data + p->l0, nl,
                                           tarn_pq_bit_width((uint64_t)L->max_rep), &j->levels));
            j->rep_len = j->levels.len;
        }
        if (L->max_def)
            TARN_TRY(tarn_pq_rle_encode_u8((const uint8_t *)L->def.data + p->l0, nl,
                                           tarn_pq_bit_width((uint64_t)L->max_def), &j->levels));
        body = &j->values;
    } else {
        if (L->max_rep)
            TARN_TRY(
                put_levels_v1(&j->levels, (const uint8_t *)L->rep.data + p->l0, nl, L->max_rep));
        if (L->max_def)
            TARN_TRY(
                put_levels_v1(&j->levels, (const uint8_t *)L->def.data + p->l0, nl, L->max_def));
    }
    TARN_TRY(put_values((leaf_col *)L, p, bw, body));
    if (o->codec == TARN_PQ_UNCOMPRESSED) {
        j->body = (const uint8_t *)body->data;
        j->body_len = body->len;
        return TARN_OK;
    }
    tarn_buf_reset(&j->comp);
    TARN_TRY(tarn_pq_compress(o->codec, o->level, (const uint8_t *)body->data, body->len, &j->comp,
                              &j->err));
    j->body = (const uint8_t *)j->comp.data;
    j->body_len = j->comp.len;
    return TARN_OK;
}

/* Appends a built page (header + body) to its chunk. */
static tarn_status finish_page(leaf_col *L, const tarn_pq_write_opts *o, const page_job *j)
{
    const page_span *p = (const page_span *)(const void *)L->pages.data + j->page;
    int bw = j->page < L->fallback ? L->bw : -1;
    int64_t nl = p->l1 - p->l0;
    tarn_pq_page_header h;
    memset(&h, 0, sizeof h);
    if (o->data_page_version != 2) {
        h.type = TARN_PQ_DATA_PAGE;
        h.has_data_page_header = true;
        h.data_page_header.num_values = (int32_t)nl;
        h.data_page_header.encoding = bw >= 0 ? TARN_PQ_ENC_RLE_DICTIONARY : TARN_PQ_ENC_PLAIN;
        h.data_page_header.def_encoding = TARN_PQ_ENC_RLE;
        h.data_page_header.rep_encoding = TARN_PQ_ENC_RLE;
        return put_page(L, &h, j->body, j->body_len, NULL, 0, j->levels.len);
    }
    /* Data page v2: levels stay uncompressed in front of the compressed values. */
    h.type = TARN_PQ_DATA_PAGE_V2;
    h.has_data_page_header_v2 = true;
    tarn_pq_data_page_header_v2 *v2 = &h.data_page_header_v2;
    v2->num_values = (int32_t)nl;
    v2->num_nulls = (int32_t)(nl - (p->v1 - p->v0));
    v2->num_rows = (int32_t)p->rows;
    v2->encoding = bw >= 0 ? TARN_PQ_ENC_RLE_DICTIONARY : TARN_PQ_ENC_PLAIN;
    v2->rep_levels_byte_length = (int32_t)j->rep_len;
    v2->def_levels_byte_length = (int32_t)(j->levels.len - j->rep_len);
    v2->is_compressed = o->codec != TARN_PQ_UNCOMPRESSED;
    return put_page(L, &h, (const uint8_t *)j->levels.data, j->levels.len, j->body, j->body_len,
                    j->levels.len + j->values.len);
}

/* Column chunk ------------------------------------------------------------------ */

static void leaf_reset(leaf_col *L)
{
    tarn_buf_reset(&L->def);
    tarn_buf_reset(&L->rep);
    tarn_buf_reset(&L->idx);
    tarn_buf_reset(&L->out);
    L->vals = NULL;
    L->ba_off = NULL;
    L->ba_bytes = NULL;
    L->ba_idx = NULL;
    L->n_levels = L->n_values = 0;
    L->dict_bytes = L->uncompressed = 0;
    L->n_dict_pages = L->n_rle_pages = L->n_plain_pages = 0;
}

/* Shreds, converts, dictionary-encodes and pages one leaf of the row group
 * whose top-level column vector is top. Runs on a pool thread; touches only
 * L (and reads the shared row group batch). */
static tarn_status encode_leaf(leaf_col *L, const tarn_vec *top, int64_t n_rows,
                               const tarn_pq_write_opts *o)
{
    leaf_reset(L);
    bool dense = false;
    if (L->n_path == 1) {
        TARN_TRY(shred_flat(L, top, n_rows, &dense));
    } else {
        for (int64_t r = 0; r < n_rows; r++)
            TARN_TRY(shred(L, 0, top, r, 0, 0));
    }
    const uint32_t *idx = dense ? NULL : (const uint32_t *)(const void *)L->idx.data;
    TARN_TRY(materialize(L, leaf_vec(L, top), idx, L->n_values));
    TARN_TRY(plan_pages(L, o->page_bytes));
    const page_span *pg = (const page_span *)(const void *)L->pages.data;
    int64_t n_pages = (int64_t)(L->pages.len / sizeof *pg), fallback = 0;
    if (!o->no_dictionary && L->phys != TARN_PQ_BOOLEAN && L->n_values > 0)
        TARN_TRY(build_dict(L, o->dictionary_max_bytes, &fallback));
    int64_t plain_v0 = fallback < n_pages ? pg[fallback].v0 : L->n_values;
    if (fallback > 0 && !dict_pays_off(L, plain_v0))
        fallback = plain_v0 = 0;
    bool use_dict = fallback > 0;
    TARN_TRY(chunk_minmax(L, use_dict, use_dict ? plain_v0 : 0));
    int bw = -1;
    if (use_dict) {
        TARN_TRY(write_dict_page(L, o));
        bw = TARN_MAX(1, tarn_pq_bit_width(L->dict.n_entries - 1));
    }
    /* The data pages are built and compressed by page jobs (flush_row_group). */
    L->n_pages = n_pages;
    L->fallback = use_dict ? fallback : 0;
    L->bw = bw;
    L->n_rle_pages = (int)L->fallback;
    L->n_plain_pages = (int)(n_pages - L->fallback);
    return TARN_OK;
}

typedef struct flush_ctx {
    tarn_pq_writer *w; /* the writer (read-only for tasks, leaves aside) */
    int64_t n_rows;    /* rows in the row group */
} flush_ctx;

static void encode_task(void *ctx, int64_t i)
{
    flush_ctx *c = ctx;
    tarn_pq_writer *w = c->w;
    leaf_col *L = &w->leaves[w->order[i]];
    tarn_err_clear(&L->err);
    L->st = encode_leaf(L, w->rg->cols[L->top], c->n_rows, &w->opts);
    if (L->st != TARN_OK && L->err.code == TARN_OK)
        tarn_err_set(&L->err, L->st, "column '%s': %s while encoding", L->names[0],
                     L->st == TARN_ERR_NOMEM ? "out of memory" : tarn_status_name(L->st));
}

/* Every data page of the row group as one pool task (a wide column's pages
 * compress on all cores), then each chunk's pages in order. */
static void page_task(void *ctx, int64_t i)
{
    tarn_pq_writer *w = ctx;
    page_job *j = &w->jobs[i];
    tarn_err_clear(&j->err);
    j->st = build_page(&w->leaves[j->leaf], &w->opts, j);
    if (j->st != TARN_OK && j->err.code == TARN_OK)
        tarn_err_set(&j->err, j->st, "column '%s': %s while encoding a page",
                     w->leaves[j->leaf].names[0],
                     j->st == TARN_ERR_NOMEM ? "out of memory" : tarn_status_name(j->st));
}

static tarn_status run_page_jobs(tarn_pq_writer *w, tarn_err *err)
{
    int64_t n = 0;
    for (int l = 0; l < w->n_leaves; l++)
        n += w->leaves[l].n_pages;
    if (n > w->job_cap) {
        page_job *nj = tarn_realloc(w->jobs, (size_t)n * sizeof *nj);
        if (!nj)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        memset(nj + w->job_cap, 0, (size_t)(n - w->job_cap) * sizeof *nj);
        w->jobs = nj;
        w->job_cap = n;
    }
    /* Largest leaves first (w->order), so the pool ends evenly. */
    int64_t k = 0;
    for (int o = 0; o < w->n_leaves; o++)
        for (int64_t p = 0; p < w->leaves[w->order[o]].n_pages; p++) {
            w->jobs[k].leaf = w->order[o];
            w->jobs[k++].page = p;
        }
    w->n_jobs = n;
    tarn_pool_run(tarn_pool_default(), n, page_task, w);
    for (int64_t i = 0; i < n; i++)
        if (w->jobs[i].st != TARN_OK) {
            *err = w->jobs[i].err;
            return err->code;
        }
    for (int64_t i = 0; i < n; i++) {
        leaf_col *L = &w->leaves[w->jobs[i].leaf];
        if (finish_page(L, &w->opts, &w->jobs[i]) != TARN_OK) {
            *err = L->err;
            return err->code ? err->code : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    return TARN_OK;
}

/* Row groups ---------------------------------------------------------------------- */

/* Uncompressed size estimate of a vector (and its children). */
static int64_t vec_bytes(const tarn_vec *v)
{
    int w = tarn_type_width(v->type);
    int64_t n = v->len * (int64_t)w + v->bytes_len + (v->validity ? v->len / 8 : 0);
    if (v->type.id == TARN_TYPE_BOOL)
        n += v->len / 8;
    if (v->offsets)
        n += v->len * 4;
    for (int i = 0; i < v->n_children; i++)
        n += vec_bytes(v->children[i]);
    return n;
}

/* Leaves in encoding order: largest first, so the pool ends evenly. */
static void order_leaves(tarn_pq_writer *w)
{
    int64_t *size = tarn_alloc((size_t)(w->n_leaves ? w->n_leaves : 1) * sizeof *size);
    for (int l = 0; l < w->n_leaves; l++) {
        w->order[l] = l;
        if (size)
            size[l] = vec_bytes(leaf_vec(&w->leaves[l], w->rg->cols[w->leaves[l].top]));
    }
    if (!size)
        return;
    for (int i = 1; i < w->n_leaves; i++) { /* insertion sort: few columns */
        int x = w->order[i], j = i;
        while (j > 0 && size[w->order[j - 1]] < size[x]) {
            w->order[j] = w->order[j - 1];
            j--;
        }
        w->order[j] = x;
    }
    tarn_free(size);
}

static tarn_status grow_row_groups(tarn_pq_writer *w, tarn_err *err)
{
    if (w->n_rgs < w->rg_cap)
        return TARN_OK;
    if (w->n_rgs >= TARN_PQ_MAX_ROW_GROUPS)
        return tarn_err_set(err, TARN_ERR_LIMIT, "too many row groups");
    int cap = w->rg_cap ? w->rg_cap * 2 : 8;
    tarn_pq_row_group *r = tarn_realloc(w->rgs, (size_t)cap * sizeof *r);
    if (!r)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    w->rgs = r;
    tarn_pq_chunk_extra *x =
        tarn_realloc(w->extras, (size_t)cap * (size_t)(w->n_leaves ? w->n_leaves : 1) * sizeof *x);
    if (!x)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    w->extras = x;
    w->rg_cap = cap;
    return TARN_OK;
}

/* Footer bounds of a chunk: BYTE_ARRAY values longer than STATS_MAX_BYTES
 * are truncated (a max that cannot be rounded up is left out). */
static tarn_status chunk_stats(tarn_pq_writer *w, const leaf_col *L, tarn_pq_statistics *s,
                               tarn_pq_chunk_extra *x)
{
    s->has_null_count = true;
    s->null_count = L->n_levels - L->n_values;
    if (!L->mm.has)
        return TARN_OK;
    const uint8_t *mn = (const uint8_t *)L->mm.min.data, *mx = (const uint8_t *)L->mm.max.data;
    size_t mnl = L->mm.min.len, mxl = L->mm.max.len;
    uint8_t tmin[STATS_MAX_BYTES], tmax[STATS_MAX_BYTES];
    bool has_max = true;
    if (L->phys == TARN_PQ_BYTE_ARRAY && mnl > STATS_MAX_BYTES) {
        tarn_pq_truncate_min(mn, mnl, STATS_MAX_BYTES, L->utf8, tmin, &mnl);
        mn = tmin;
        x->min_exact = 0;
    }
    if (L->phys == TARN_PQ_BYTE_ARRAY && mxl > STATS_MAX_BYTES) {
        has_max = tarn_pq_truncate_max(mx, mxl, STATS_MAX_BYTES, L->utf8, tmax, &mxl);
        mx = tmax;
        x->max_exact = 0;
    }
    uint8_t *a = tarn_arena_memdup(w->meta, mn, mnl ? mnl : 1);
    uint8_t *b = tarn_arena_memdup(w->meta, mx, mxl ? mxl : 1);
    if (!a || !b)
        return TARN_ERR_NOMEM;
    s->has_min_value = true;
    s->min_value = a;
    s->min_value_len = (int32_t)mnl;
    s->has_max_value = has_max;
    s->max_value = b;
    s->max_value_len = (int32_t)mxl;
    /* Legacy min/max (signed order) for old readers, where it is the same order. */
    bool legacy = L->order == TARN_PQ_ORDER_I32 || L->order == TARN_PQ_ORDER_I64 ||
                  L->order == TARN_PQ_ORDER_F32 || L->order == TARN_PQ_ORDER_F64 ||
                  L->order == TARN_PQ_ORDER_BOOL;
    if (legacy) {
        s->has_min = s->has_max = true;
        s->min = a;
        s->min_len = (int32_t)mnl;
        s->max = b;
        s->max_len = (int32_t)mxl;
    }
    return TARN_OK;
}

static tarn_status chunk_meta(tarn_pq_writer *w, const leaf_col *L, int64_t start,
                              tarn_pq_column_chunk *cc, tarn_pq_chunk_extra *x)
{
    memset(cc, 0, sizeof *cc);
    memset(x, 0, sizeof *x);
    x->min_exact = x->max_exact = -1;
    tarn_pq_column_meta *m = &cc->meta_data;
    cc->file_offset = start;
    cc->has_meta_data = true;
    m->type = L->phys;
    m->encodings = tarn_arena_alloc(w->meta, 3 * sizeof *m->encodings);
    tarn_pq_enc_stat *es = tarn_arena_alloc(w->meta, 3 * sizeof *es);
    if (!m->encodings || !es)
        return TARN_ERR_NOMEM;
    if (L->n_dict_pages || L->n_plain_pages)
        m->encodings[m->n_encodings++] = TARN_PQ_ENC_PLAIN;
    if (L->max_def || L->max_rep)
        m->encodings[m->n_encodings++] = TARN_PQ_ENC_RLE;
    if (L->n_rle_pages)
        m->encodings[m->n_encodings++] = TARN_PQ_ENC_RLE_DICTIONARY;
    tarn_pq_page_type dpt =
        w->opts.data_page_version == 2 ? TARN_PQ_DATA_PAGE_V2 : TARN_PQ_DATA_PAGE;
    if (L->n_dict_pages)
        es[x->n_enc_stats++] = (tarn_pq_enc_stat){TARN_PQ_DICTIONARY_PAGE, TARN_PQ_ENC_PLAIN, 1};
    if (L->n_rle_pages)
        es[x->n_enc_stats++] = (tarn_pq_enc_stat){dpt, TARN_PQ_ENC_RLE_DICTIONARY, L->n_rle_pages};
    if (L->n_plain_pages)
        es[x->n_enc_stats++] = (tarn_pq_enc_stat){dpt, TARN_PQ_ENC_PLAIN, L->n_plain_pages};
    x->enc_stats = es;
    m->n_path = L->n_names;
    m->path_in_schema = L->names;
    m->codec = w->opts.codec;
    m->num_values = L->n_levels;
    m->total_uncompressed_size = L->uncompressed;
    m->total_compressed_size = (int64_t)L->out.len;
    m->data_page_offset = start + L->dict_bytes;
    if (L->dict_bytes) {
        m->has_dictionary_page_offset = true;
        m->dictionary_page_offset = start;
    }
    m->has_statistics = true;
    return chunk_stats(w, L, &m->statistics, x);
}

/* Folds a chunk's statistics into its top-level column's file result. */
static tarn_status fold_top(tarn_pq_writer *w, const leaf_col *L)
{
    top_col *t = &w->tops[L->top];
    if (t->nested || !L->mm.has)
        return TARN_OK;
    TARN_TRY(tarn_pq_minmax_one(&t->mm, (const uint8_t *)L->mm.min.data, L->mm.min.len));
    return tarn_pq_minmax_one(&t->mm, (const uint8_t *)L->mm.max.data, L->mm.max.len);
}

/* Writes the encoded chunks in schema order and records the row group. */
static tarn_status write_chunks(tarn_pq_writer *w, int64_t n_rows, tarn_err *err)
{
    TARN_TRY(grow_row_groups(w, err));
    tarn_pq_row_group *rg = &w->rgs[w->n_rgs];
    tarn_pq_chunk_extra *ex = &w->extras[(size_t)w->n_rgs * (size_t)w->n_leaves];
    memset(rg, 0, sizeof *rg);
    rg->columns =
        tarn_arena_alloc(w->meta, (size_t)(w->n_leaves ? w->n_leaves : 1) * sizeof *rg->columns);
    if (!rg->columns)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    rg->has_file_offset = rg->has_total_compressed_size = rg->has_ordinal = true;
    rg->file_offset = w->file.pos;
    rg->ordinal = (int16_t)TARN_MIN(w->n_rgs, INT16_MAX);
    rg->num_rows = n_rows;
    for (int l = 0; l < w->n_leaves; l++) {
        leaf_col *L = &w->leaves[l];
        int64_t start = w->file.pos;
        TARN_TRY(tarn_wfile_write(&w->file, L->out.data, L->out.len, err));
        if (chunk_meta(w, L, start, &rg->columns[l], &ex[l]) != TARN_OK ||
            fold_top(w, L) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        rg->total_byte_size += L->uncompressed;
        rg->total_compressed_size += (int64_t)L->out.len;
    }
    rg->n_columns = w->n_leaves;
    w->n_rgs++;
    return TARN_OK;
}

static tarn_status flush_row_group(tarn_pq_writer *w, tarn_err *err)
{
    int64_t n_rows = w->rg->n_rows;
    if (n_rows == 0)
        return TARN_OK;
    order_leaves(w);
    flush_ctx c = {w, n_rows};
    tarn_pool_run(tarn_pool_default(), w->n_leaves, encode_task, &c);
    for (int l = 0; l < w->n_leaves; l++) {
        if (w->leaves[l].st != TARN_OK) {
            *err = w->leaves[l].err;
            return err->code;
        }
    }
    TARN_TRY(run_page_jobs(w, err));
    TARN_TRY(write_chunks(w, n_rows, err));
    for (int t = 0; t < w->schema->n_fields; t++) {
        const tarn_vec *v = w->rg->cols[t];
        if (w->tops[t].nested)
            w->tops[t].null_count += v->validity ? v->null_count : 0;
        else {
            const leaf_col *L = &w->leaves[w->tops[t].leaf];
            w->tops[t].null_count += L->n_levels - L->n_values;
        }
    }
    w->num_rows += n_rows;
    tarn_batch_reset(w->rg);
    w->rg->n_rows = 0;
    w->rg_bytes = 0;
    return TARN_OK;
}

/* Writer lifecycle ------------------------------------------------------------------ */

static void writer_free(tarn_pq_writer *w)
{
    if (!w)
        return;
    for (int l = 0; l < w->n_leaves; l++) {
        leaf_col *L = &w->leaves[l];
        tarn_buf *bufs[] = {&L->def,      &L->rep,   &L->idx,   &L->conv,
                            &L->dict_idx, &L->pages, &L->cpage, &L->out};
        for (size_t i = 0; i < TARN_ARRAY_LEN(bufs); i++)
            tarn_buf_fini(bufs[i]);
        tarn_pq_dict_fini(&L->dict);
        tarn_pq_minmax_fini(&L->mm);
    }
    if (w->tops && w->schema)
        for (int t = 0; t < w->schema->n_fields; t++)
            tarn_pq_minmax_fini(&w->tops[t].mm);
    tarn_free(w->leaves);
    tarn_free(w->tops);
    tarn_free(w->order);
    for (int64_t i = 0; i < w->job_cap; i++) {
        tarn_buf_fini(&w->jobs[i].levels);
        tarn_buf_fini(&w->jobs[i].values);
        tarn_buf_fini(&w->jobs[i].comp);
    }
    tarn_free(w->jobs);
    tarn_free(w->rgs);
    tarn_free(w->extras);
    tarn_batch_destroy(w->rg);
    tarn_schema_destroy(w->schema);
    tarn_arena_destroy(w->meta);
    tarn_free(w->path);
    tarn_free(w);
}

/* Copies footer key/value metadata and created_by into the writer's arena. */
static tarn_status copy_opts_strings(tarn_pq_writer *w, const tarn_pq_write_opts *o, tarn_err *err)
{
    const char *cb = o->created_by ? o->created_by : "tarn version " TARN_VERSION;
    w->opts.created_by = tarn_arena_strdup(w->meta, cb);
    if (!w->opts.created_by)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (o->n_kv == 0)
        return TARN_OK;
    tarn_pq_kv *kv = tarn_arena_alloc(w->meta, (size_t)o->n_kv * sizeof *kv);
    if (!kv)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < o->n_kv; i++) {
        if (!o->kv[i].key)
            return tarn_err_set(err, TARN_ERR_INVALID, "footer metadata entry %d has no key", i);
        kv[i].key = tarn_arena_strdup(w->meta, o->kv[i].key);
        kv[i].value = o->kv[i].value ? tarn_arena_strdup(w->meta, o->kv[i].value) : NULL;
        if (!kv[i].key || (o->kv[i].value && !kv[i].value))
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    w->opts.kv = kv;
    return TARN_OK;
}

tarn_status tarn_pq_writer_open(const char *path, const tarn_schema *schema,
                                const tarn_pq_write_opts *opts, tarn_pq_writer **out, tarn_err *err)
{
    *out = NULL;
    tarn_status st = TARN_OK;
    tarn_pq_writer *w = tarn_calloc(1, sizeof *w);
    if (!w)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (opts)
        w->opts = *opts;
    else
        tarn_pq_write_opts_init(&w->opts);
    if ((st = check_opts(&w->opts, err)) != TARN_OK)
        goto done;
    if (schema->n_fields == 0) {
        st = tarn_err_set(err, TARN_ERR_INVALID, "a Parquet file needs at least one column");
        goto done;
    }
    w->meta = tarn_arena_create(0);
    w->schema = tarn_schema_clone(schema);
    w->path = tarn_strdup(path);
    if (!w->meta || !w->schema || !w->path) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = copy_opts_strings(w, opts ? opts : &w->opts, err)) != TARN_OK)
        goto done;
    if ((st = build_schema(w, err)) != TARN_OK)
        goto done;
    w->rg = tarn_batch_create(w->schema);
    if (!w->rg) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = tarn_wfile_open(&w->file, path, err)) != TARN_OK) {
        if (st == TARN_ERR_NOT_FOUND) /* a missing directory is a failed write */
            st = err->code = TARN_ERR_IO;
        goto done;
    }
    w->file_open = true;
    st = tarn_wfile_write(&w->file, TARN_PQ_MAGIC, 4, err);
done:
    if (st != TARN_OK) {
        tarn_pq_writer_abort(w);
        return st;
    }
    *out = w;
    return TARN_OK;
}

static bool vec_matches(const tarn_field *f, const tarn_vec *v)
{
    if (!v || !tarn_type_equal(f->type, v->type))
        return false;
    if (!tarn_type_is_nested(f->type.id))
        return true;
    if (v->n_children != f->n_children)
        return false;
    for (int i = 0; i < f->n_children; i++)
        if (!vec_matches(&f->children[i], v->children[i]))
            return false;
    return true;
}

static tarn_status check_batch(const tarn_pq_writer *w, const tarn_batch *b, tarn_err *err)
{
    const tarn_schema *s = w->schema;
    if (b->n_cols != s->n_fields)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "batch has %d columns, the Parquet writer's schema %d", b->n_cols,
                            s->n_fields);
    for (int i = 0; i < s->n_fields; i++) {
        const tarn_vec *v = b->cols[i];
        if (!vec_matches(&s->fields[i], v))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "column %d ('%s'): batch type does not match the writer's schema",
                                i, s->fields[i].name);
        if (v->len != b->n_rows)
            return tarn_err_set(err, TARN_ERR_INVALID, "column '%s' has %lld rows, the batch %lld",
                                s->fields[i].name, (long long)v->len, (long long)b->n_rows);
        if (!s->fields[i].nullable && v->validity && v->null_count > 0)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "column '%s' is not nullable but holds %lld nulls",
                                s->fields[i].name, (long long)v->null_count);
    }
    return TARN_OK;
}

tarn_status tarn_pq_writer_write(tarn_pq_writer *w, const tarn_batch *b, tarn_err *err)
{
    if (w->failed)
        return tarn_err_set(err, TARN_ERR_INVALID, "Parquet writer failed earlier");
    TARN_TRY(check_batch(w, b, err));
    int64_t n = b->n_rows;
    if (n == 0)
        return TARN_OK;
    int64_t bb = 0;
    for (int c = 0; c < b->n_cols; c++)
        bb += vec_bytes(b->cols[c]);
    int64_t per_row = TARN_MAX(1, bb / n);
    tarn_status st = TARN_OK;
    for (int64_t start = 0; start < n;) {
        int64_t room = (w->opts.row_group_bytes - w->rg_bytes) / per_row + 1;
        room = TARN_MIN(room, MAX_ROW_GROUP_ROWS - w->rg->n_rows);
        int64_t k = TARN_MIN(n - start, TARN_MAX(1, room));
        if ((st = tarn_batch_append_range(w->rg, b, start, k)) != TARN_OK) {
            tarn_err_set(err, st, "out of memory buffering a row group");
            break;
        }
        w->rg_bytes += k * per_row;
        start += k;
        if (w->rg_bytes >= w->opts.row_group_bytes || w->rg->n_rows >= MAX_ROW_GROUP_ROWS)
            if ((st = flush_row_group(w, err)) != TARN_OK)
                break;
    }
    if (st != TARN_OK) {
        w->failed = true;
        tarn_err_at_path(err, w->path);
    }
    return st;
}

static tarn_status write_footer(tarn_pq_writer *w, tarn_err *err)
{
    tarn_pq_file_meta m;
    memset(&m, 0, sizeof m);
    m.version = w->opts.data_page_version == 2 ? 2 : 1;
    m.n_schema = w->n_elems;
    m.schema = w->elems;
    m.num_rows = w->num_rows;
    m.n_row_groups = w->n_rgs;
    m.row_groups = w->rgs;
    m.n_kv = w->opts.n_kv;
    m.kv = (tarn_pq_kv *)w->opts.kv;
    m.created_by = w->opts.created_by;
    m.n_column_orders = w->n_leaves;
    tarn_buf fb = TARN_BUF_INIT;
    tarn_status st = tarn_pq_file_meta_write(&m, w->extras, &fb, err);
    if (st == TARN_OK && fb.len > TARN_PQ_MAX_FOOTER_BYTES)
        st = tarn_err_set(err, TARN_ERR_LIMIT, "footer of %zu bytes is too large", fb.len);
    if (st == TARN_OK) {
        uint8_t tail[8];
        store_u32le(tail, (uint32_t)fb.len);
        memcpy(tail + 4, TARN_PQ_MAGIC, 4);
        st = tarn_wfile_write(&w->file, fb.data, fb.len, err);
        if (st == TARN_OK)
            st = tarn_wfile_write(&w->file, tail, 8, err);
    }
    tarn_buf_fini(&fb);
    return st;
}

/* A chunk's PLAIN min/max bytes as a scalar of the column's logical type;
 * bytes are copied into a. */
static tarn_status scalar_from_plain(const leaf_col *L, const tarn_buf *b, tarn_arena *a,
                                     tarn_scalar *s)
{
    memset(s, 0, sizeof *s);
    s->type = L->type;
    const uint8_t *p = (const uint8_t *)b->data;
    int32_t i32 = 0;
    int64_t i64 = 0;
    if (b->len >= 4)
        memcpy(&i32, p, 4);
    if (b->len >= 8)
        memcpy(&i64, p, 8);
    switch (L->type.id) {
    case TARN_TYPE_BOOL:
        s->v.b = p[0] != 0;
        break;
    case TARN_TYPE_UINT8:
    case TARN_TYPE_UINT16:
    case TARN_TYPE_UINT32:
        s->v.i64 = (int64_t)(uint32_t)i32;
        break;
    case TARN_TYPE_FLOAT32: {
        float f;
        memcpy(&f, p, 4);
        s->v.f64 = f;
        break;
    }
    case TARN_TYPE_FLOAT64:
        memcpy(&s->v.f64, p, 8);
        break;
    case TARN_TYPE_DECIMAL:
        if (L->phys == TARN_PQ_INT32) {
            s->v.i128 = i32;
        } else if (L->phys == TARN_PQ_INT64) {
            s->v.i128 = i64;
        } else {
            tarn_u128 u = (p[0] & 0x80) ? ~(tarn_u128)0 : 0;
            for (size_t k = 0; k < b->len; k++)
                u = u << 8 | p[k];
            s->v.i128 = (tarn_i128)u;
        }
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
    case TARN_TYPE_UUID:
        s->bytes = tarn_arena_memdup(a, p, b->len ? b->len : 1);
        s->len = (int32_t)b->len;
        if (!s->bytes)
            return TARN_ERR_NOMEM;
        break;
    default:
        s->v.i64 = L->phys == TARN_PQ_INT32 ? i32 : i64;
        break;
    }
    return TARN_OK;
}

static tarn_status make_result(tarn_pq_writer *w, tarn_pq_write_result *r, tarn_err *err)
{
    memset(r, 0, sizeof *r);
    r->arena = tarn_arena_create(0);
    int n = w->schema->n_fields;
    if (r->arena)
        r->cols = tarn_arena_calloc(r->arena, (size_t)(n ? n : 1), sizeof *r->cols);
    if (!r->arena || !r->cols)
        goto nomem;
    r->num_rows = w->num_rows;
    r->file_size = w->file.pos;
    r->n_cols = n;
    for (int t = 0; t < n; t++) {
        const top_col *tc = &w->tops[t];
        tarn_pq_col_result *c = &r->cols[t];
        c->null_count = tc->null_count;
        c->min.is_null = c->max.is_null = true;
        c->min.type = c->max.type = w->schema->fields[t].type;
        if (tc->nested || !tc->mm.has)
            continue;
        const leaf_col *L = &w->leaves[tc->leaf];
        if (scalar_from_plain(L, &tc->mm.min, r->arena, &c->min) != TARN_OK ||
            scalar_from_plain(L, &tc->mm.max, r->arena, &c->max) != TARN_OK)
            goto nomem;
        c->has_min_max = true;
    }
    return TARN_OK;
nomem:
    tarn_arena_destroy(r->arena);
    memset(r, 0, sizeof *r);
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

tarn_status tarn_pq_writer_close(tarn_pq_writer *w, tarn_pq_write_result *out_result, tarn_err *err)
{
    tarn_status st = TARN_OK;
    if (out_result)
        memset(out_result, 0, sizeof *out_result);
    if (w->failed) {
        st = tarn_err_set(err, TARN_ERR_INVALID, "Parquet writer failed earlier");
        goto done;
    }
    if ((st = flush_row_group(w, err)) != TARN_OK || (st = write_footer(w, err)) != TARN_OK)
        goto done;
    w->file_open = false;
    if ((st = tarn_wfile_close(&w->file, true, err)) != TARN_OK) {
        tarn_err rm_err;
        if (tarn_file_remove(w->path, &rm_err) != TARN_OK)
            tarn_err_set_hint(err, "the partial file could not be removed");
        goto done;
    }
    if (out_result && (st = make_result(w, out_result, err)) != TARN_OK) {
        tarn_err rm_err;
        if (tarn_file_remove(w->path, &rm_err) != TARN_OK)
            tarn_err_set_hint(err, "the file could not be removed");
    }
done:
    if (st != TARN_OK) {
        if (w->path)
            tarn_err_at_path(err, w->path);
        tarn_pq_writer_abort(w);
        return st;
    }
    writer_free(w);
    return TARN_OK;
}

void tarn_pq_writer_abort(tarn_pq_writer *w)
{
    if (!w)
        return;
    if (w->file_open)
        tarn_wfile_abort(&w->file);
    w->file_open = false;
    writer_free(w);
}

int64_t tarn_pq_writer_num_rows(const tarn_pq_writer *w)
{
    return w->num_rows + (w->rg ? w->rg->n_rows : 0);
}

int64_t tarn_pq_writer_size_estimate(const tarn_pq_writer *w)
{
    return w->file.pos + w->rg_bytes;
}
