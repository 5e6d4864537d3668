/*
 * parquet/schema.h - the Parquet schema (flat SchemaElement list) as a tarn
 * schema plus what record assembly needs: a node tree per top-level column
 * with definition/repetition levels, and one descriptor per leaf column
 * (physical type, logical type, conversion).
 *
 * LIST and MAP follow LogicalTypes.md including its backward-compatibility
 * rules (2-level lists, "array"/"_tuple" groups, bare repeated fields,
 * MAP_KEY_VALUE); a group whose annotation does not fit is read as a plain
 * struct. Everything lives in the arena of map->schema; one
 * tarn_pq_schema_map_destroy() frees it all.
 */
#ifndef TARN_PARQUET_SCHEMA_H
#define TARN_PARQUET_SCHEMA_H

#include "column/types.h"
#include "parquet/decode.h"
#include "parquet/format.h"

typedef enum tarn_pq_node_kind {
    TARN_PQ_NODE_LEAF,
    TARN_PQ_NODE_STRUCT,
    TARN_PQ_NODE_LIST,
    TARN_PQ_NODE_MAP
} tarn_pq_node_kind;

typedef struct tarn_pq_node {
    tarn_pq_node_kind kind;        /* what the node assembles */
    const tarn_field *field;       /* the tarn field it fills */
    int16_t def;                   /* definition level at which the value is not null */
    bool nullable;                 /* value can be null (an OPTIONAL element) */
    int16_t elem_def;              /* LIST/MAP: level at which an element exists */
    int16_t elem_rep;              /* LIST/MAP: repetition level of a next element */
    int n_children;                /* STRUCT members; LIST 1 (element); MAP 2 */
    struct tarn_pq_node *children; /* child nodes */
    int leaf;                      /* LEAF: index into map->leaves */
    int first_leaf;                /* first leaf column under this node */
    int n_leaves;                  /* leaf columns under this node */
} tarn_pq_node;

typedef struct tarn_pq_leaf {
    int schema_index;                 /* index into the file's schema elements */
    int top;                          /* top-level column holding this leaf */
    const tarn_pq_schema_element *el; /* the element (file's arena) */
    tarn_pq_type phys;                /* physical type */
    int32_t width;                    /* bytes per physical value; 0 for BOOLEAN and
                                         BYTE_ARRAY */
    tarn_type type;                   /* logical type of decoded values */
    tarn_pq_conv conv;                /* physical -> logical conversion */
    int64_t mul;                      /* multiplier of the conversion (units) */
    int16_t max_def;                  /* maximum definition level */
    int16_t max_rep;                  /* maximum repetition level */
    const char *path;                 /* dotted path, for messages */
    const char *unsupported;          /* non-NULL: why tarn cannot read this leaf */
} tarn_pq_leaf;

typedef struct tarn_pq_schema_map {
    tarn_schema *schema;  /* logical schema of the top-level columns (owns the arena) */
    int n_leaves;         /* leaf columns, in file (column chunk) order */
    tarn_pq_leaf *leaves; /* n_leaves descriptors */
    tarn_pq_node *tops;   /* one node per top-level column */
} tarn_pq_schema_map;

/* Builds the map for m's schema. Malformed trees (children past the end,
 * groups without children, nesting deeper than TARN_PQ_MAX_NESTING) give
 * TARN_ERR_CORRUPT. The map borrows m's schema elements. */
TARN_MUST_CHECK tarn_status tarn_pq_schema_map_build(const tarn_pq_file_meta *m,
                                                     tarn_pq_schema_map **out, tarn_err *err);
void tarn_pq_schema_map_destroy(tarn_pq_schema_map *s);

#endif
