/*
 * parquet/reader.c - open a Parquet file, decode its column chunks into
 * batches, assemble nested columns, decode footer statistics.
 *
 * A scan loads one row group at a time: every chosen leaf column chunk is
 * read (its byte range only) and decoded by one task on the default pool,
 * then nested columns are assembled from levels (one task per column), then
 * batches of at most TARN_BATCH_ROWS rows are handed out without copying:
 * top-level primitive columns are decoded straight into per-batch vectors.
 * Memory is bounded by one row group of the chosen columns; buffers and
 * vectors are reused from row group to row group. Every count read from the
 * file is checked before it sizes anything; failures carry path + offset.
 */
#include "parquet/reader.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/pool.h"
#include "parquet/codec.h"
#include "parquet/decode.h"
#include "parquet/footer.h"
#include "parquet/schema.h"

#include <math.h>
#include <string.h>

/* Values decoded per step: bounds every scratch buffer whatever a page claims. */
#define PIECE 4096
/* Bytes of physical scratch per step (wide FIXED_LEN_BYTE_ARRAY gets fewer values). */
#define PIECE_BYTES (1 << 20)
/* Extra bytes read past a column chunk's declared end: old parquet-mr did not
 * count the dictionary page header in total_compressed_size (PARQUET-816). */
#define CHUNK_PAD 100
/* Level entries a nested column chunk may hold in memory. */
#define MAX_LEVELS (INT64_C(1) << 31)
/* Row groups a narrow scan may decode at once, and their compressed bytes. */
#define SCAN_MAX_SLOTS  8
#define SCAN_SLOT_BYTES (INT64_C(256) << 20)

struct tarn_pq_file {
    tarn_rfile rf;           /* open file */
    tarn_arena *arena;       /* decoded footer structs */
    uint8_t *footer;         /* raw footer bytes (statistics point here) */
    tarn_pq_file_meta meta;  /* decoded footer */
    tarn_pq_schema_map *map; /* logical schema and leaf descriptors */
    int64_t data_end;        /* offset of the footer: column data lies before it */
};

/* Errors ---------------------------------------------------------------------- */

static tarn_status at(tarn_err *err, const char *path, int64_t off)
{
    tarn_err_at_offset(err, off);
    return tarn_err_at_path(err, path);
}

/* File ------------------------------------------------------------------------ */

static tarn_status check_magic(tarn_pq_file *f, int64_t off, tarn_err *err)
{
    uint8_t m[4];
    TARN_TRY(tarn_rfile_pread(&f->rf, off, m, 4, err));
    if (memcmp(m, TARN_PQ_MAGIC_ENCRYPTED, 4) == 0) {
        tarn_err_set(err, TARN_ERR_UNSUPPORTED, "encrypted Parquet files are not supported");
        return tarn_err_at_path(err, f->rf.path);
    }
    if (memcmp(m, TARN_PQ_MAGIC, 4) != 0) {
        tarn_err_set(err, TARN_ERR_CORRUPT, "not a Parquet file: no %s PAR1 magic",
                     off == 0 ? "leading" : "trailing");
        return at(err, f->rf.path, off);
    }
    return TARN_OK;
}

static tarn_status check_chunks(tarn_pq_file *f, tarn_err *err)
{
    const tarn_pq_file_meta *m = &f->meta;
    for (int g = 0; g < m->n_row_groups; g++) {
        const tarn_pq_row_group *rg = &m->row_groups[g];
        for (int c = 0; c < rg->n_columns; c++) {
            if (rg->columns[c].has_crypto_metadata || rg->columns[c].has_encrypted_column_metadata)
                return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                    "encrypted Parquet files are not supported");
        }
        if (rg->n_columns != f->map->n_leaves)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "row group %d has %d column chunks, the schema %d leaf columns", g,
                                rg->n_columns, f->map->n_leaves);
        for (int c = 0; c < rg->n_columns; c++) {
            const tarn_pq_column_chunk *cc = &rg->columns[c];
            if (!cc->has_meta_data)
                return tarn_err_set(err, TARN_ERR_CORRUPT, "row group %d column %d has no metadata",
                                    g, c);
            if (cc->file_path)
                return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                    "column chunks stored in other files ('%s') are not supported",
                                    cc->file_path);
            if (cc->meta_data.type != f->map->leaves[c].phys)
                return tarn_err_set(err, TARN_ERR_CORRUPT,
                                    "row group %d column '%s' is %s in its metadata but %s in "
                                    "the schema",
                                    g, f->map->leaves[c].path,
                                    tarn_pq_type_name(cc->meta_data.type),
                                    tarn_pq_type_name(f->map->leaves[c].phys));
        }
    }
    return TARN_OK;
}

static tarn_status load_footer(tarn_pq_file *f, tarn_err *err)
{
    int64_t size = f->rf.size;
    if (size < 12) {
        tarn_err_set(err, TARN_ERR_CORRUPT, "not a Parquet file: only %lld bytes", (long long)size);
        return at(err, f->rf.path, 0);
    }
    TARN_TRY(check_magic(f, size - 4, err));
    TARN_TRY(check_magic(f, 0, err));
    uint8_t len4[4];
    TARN_TRY(tarn_rfile_pread(&f->rf, size - 8, len4, 4, err));
    uint32_t len = (uint32_t)len4[0] | (uint32_t)len4[1] << 8 | (uint32_t)len4[2] << 16 |
                   (uint32_t)len4[3] << 24;
    if ((int64_t)len > size - 12 || len > TARN_PQ_MAX_FOOTER_BYTES) {
        tarn_err_set(err, TARN_ERR_CORRUPT, "footer length %u exceeds the file (%lld bytes)", len,
                     (long long)size);
        return at(err, f->rf.path, size - 8);
    }
    f->data_end = size - 8 - (int64_t)len;
    f->footer = tarn_alloc(len ? len : 1);
    f->arena = tarn_arena_create(0);
    if (!f->footer || !f->arena)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading the Parquet footer");
    TARN_TRY(tarn_rfile_pread(&f->rf, f->data_end, f->footer, len, err));
    if (tarn_pq_footer_decode(f->footer, len, f->data_end, f->arena, &f->meta, err) != TARN_OK)
        return tarn_err_at_path(err, f->rf.path);
    if (f->meta.has_encryption_algorithm)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "encrypted Parquet files are not supported");
    TARN_TRY(tarn_pq_schema_map_build(&f->meta, &f->map, err));
    return check_chunks(f, err);
}

tarn_status tarn_pq_file_open(const char *path, tarn_pq_file **out, tarn_err *err)
{
    *out = NULL;
    tarn_pq_file *f = tarn_calloc(1, sizeof *f);
    if (!f)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory opening %s", path);
    f->rf.fd = -1;
    tarn_status st = tarn_rfile_open(&f->rf, path, err);
    if (st == TARN_OK)
        st = load_footer(f, err);
    if (st != TARN_OK) {
        /* Footer-level inconsistencies point at the footer. */
        if (st == TARN_ERR_CORRUPT && f->data_end > 0)
            tarn_err_at_offset(err, f->data_end);
        tarn_err_at_path(err, path);
        tarn_pq_file_close(f);
        return st;
    }
    *out = f;
    return TARN_OK;
}

void tarn_pq_file_close(tarn_pq_file *f)
{
    if (!f)
        return;
    tarn_pq_schema_map_destroy(f->map);
    tarn_arena_destroy(f->arena);
    tarn_free(f->footer);
    if (f->rf.fd >= 0)
        tarn_rfile_close(&f->rf);
    tarn_free(f);
}

const tarn_schema *tarn_pq_file_schema(const tarn_pq_file *f)
{
    return f->map->schema;
}

const tarn_pq_file_meta *tarn_pq_file_metadata(const tarn_pq_file *f)
{
    return &f->meta;
}

int64_t tarn_pq_file_num_rows(const tarn_pq_file *f)
{
    return f->meta.num_rows;
}

int tarn_pq_file_num_row_groups(const tarn_pq_file *f)
{
    return f->meta.n_row_groups;
}

int64_t tarn_pq_file_size(const tarn_pq_file *f)
{
    return f->rf.size;
}

const char *tarn_pq_file_path(const tarn_pq_file *f)
{
    return f->rf.path;
}

int tarn_pq_file_num_leaves(const tarn_pq_file *f)
{
    return f->map->n_leaves;
}

const char *tarn_pq_file_leaf_path(const tarn_pq_file *f, int leaf)
{
    return f->map->leaves[leaf].path;
}

tarn_type tarn_pq_file_leaf_type(const tarn_pq_file *f, int leaf)
{
    return f->map->leaves[leaf].type;
}

/* Statistics ------------------------------------------------------------------ */

/* Widens one converted value (tmp, the leaf's logical storage) into s. */
static void scalar_from_logical(const tarn_pq_leaf *l, const uint8_t *tmp, tarn_scalar *s)
{
    switch (l->type.id) {
    case TARN_TYPE_INT8:
        s->v.i64 = (int8_t)tmp[0];
        return;
    case TARN_TYPE_UINT8:
        s->v.u64 = tmp[0];
        return;
    case TARN_TYPE_INT16: {
        int16_t x;
        memcpy(&x, tmp, 2);
        s->v.i64 = x;
        return;
    }
    case TARN_TYPE_UINT16: {
        uint16_t x;
        memcpy(&x, tmp, 2);
        s->v.u64 = x;
        return;
    }
    case TARN_TYPE_INT32:
    case TARN_TYPE_DATE: {
        int32_t x;
        memcpy(&x, tmp, 4);
        s->v.i64 = x;
        return;
    }
    case TARN_TYPE_UINT32: {
        uint32_t x;
        memcpy(&x, tmp, 4);
        s->v.u64 = x;
        return;
    }
    case TARN_TYPE_FLOAT32: {
        float x;
        memcpy(&x, tmp, 4);
        s->v.f64 = x;
        return;
    }
    case TARN_TYPE_DECIMAL:
        if (tarn_decimal_is_wide(l->type)) {
            memcpy(&s->v.i128, tmp, 16);
        } else {
            int64_t x;
            memcpy(&x, tmp, 8);
            s->v.i128 = x;
        }
        return;
    default:
        memcpy(&s->v.u64, tmp, 8); /* int64, uint64, double, time, timestamps */
        return;
    }
}

/* Decodes one statistics value of the leaf's physical type into s. */
static bool stat_value(const tarn_pq_leaf *l, const uint8_t *p, int32_t n, tarn_scalar *s)
{
    memset(s, 0, sizeof *s);
    s->type = l->type;
    _Alignas(16) uint8_t tmp[16]; /* one converted value, typed stores need alignment */
    tarn_err e;
    switch (l->phys) {
    case TARN_PQ_BOOLEAN:
        if (n < 1)
            return false;
        s->v.b = p[0] & 1;
        return true;
    case TARN_PQ_INT32:
    case TARN_PQ_INT64:
    case TARN_PQ_FLOAT:
    case TARN_PQ_DOUBLE:
        if (n != l->width)
            return false;
        break;
    case TARN_PQ_FIXED_LEN_BYTE_ARRAY:
        if (n != l->width)
            return false;
        if (l->conv == TARN_PQ_CONV_FLBA_BIN || l->conv == TARN_PQ_CONV_COPY) {
            s->bytes = p; /* BINARY, UUID */
            s->len = n;
            return true;
        }
        break;
    case TARN_PQ_BYTE_ARRAY:
        if (l->conv == TARN_PQ_CONV_COPY) {
            s->bytes = p;
            s->len = n;
            return true;
        }
        return tarn_pq_be_int(p, n, &s->v.i128, &e) == TARN_OK; /* decimal */
    default:
        return false; /* INT96: readers disagree on its order */
    }
    if (tarn_pq_convert_fixed(l->conv, p, l->width, 1, tmp, l->mul, &e) != TARN_OK)
        return false;
    scalar_from_logical(l, tmp, s);
    return true;
}

/* Deprecated min/max are trusted only where they used signed order and
 * every writer agreed on it. */
static bool legacy_stats_ok(const tarn_pq_leaf *l)
{
    switch (l->phys) {
    case TARN_PQ_BOOLEAN:
    case TARN_PQ_FLOAT:
    case TARN_PQ_DOUBLE:
        return true;
    case TARN_PQ_INT32:
    case TARN_PQ_INT64:
        return l->type.id != TARN_TYPE_UINT8 && l->type.id != TARN_TYPE_UINT16 &&
               l->type.id != TARN_TYPE_UINT32 && l->type.id != TARN_TYPE_UINT64;
    default:
        return false;
    }
}

static bool is_float(tarn_type t)
{
    return t.id == TARN_TYPE_FLOAT32 || t.id == TARN_TYPE_FLOAT64;
}

tarn_status tarn_pq_file_leaf_stats(const tarn_pq_file *f, int row_group, int leaf,
                                    tarn_pq_stats *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    if (row_group < 0 || row_group >= f->meta.n_row_groups || leaf < 0 || leaf >= f->map->n_leaves)
        return tarn_err_set(err, TARN_ERR_INVALID, "row group %d / leaf column %d out of range",
                            row_group, leaf);
    const tarn_pq_leaf *l = &f->map->leaves[leaf];
    const tarn_pq_column_meta *cm = &f->meta.row_groups[row_group].columns[leaf].meta_data;
    if (!cm->has_statistics || l->unsupported)
        return TARN_OK;
    const tarn_pq_statistics *st = &cm->statistics;
    if (st->has_null_count && st->null_count >= 0) {
        out->has_null_count = true;
        out->null_count = st->null_count;
    }
    const uint8_t *mn = NULL, *mx = NULL;
    int32_t nmn = 0, nmx = 0;
    if (st->has_min_value && st->has_max_value) {
        mn = st->min_value, nmn = st->min_value_len;
        mx = st->max_value, nmx = st->max_value_len;
    } else if (st->has_min && st->has_max && legacy_stats_ok(l)) {
        mn = st->min, nmn = st->min_len;
        mx = st->max, nmx = st->max_len;
    }
    if (!mn || !stat_value(l, mn, nmn, &out->min) || !stat_value(l, mx, nmx, &out->max))
        return TARN_OK;
    if (is_float(l->type)) {
        if (isnan(out->min.v.f64) || isnan(out->max.v.f64))
            return TARN_OK;
        /* A zero bound may stand for either sign (parquet.thrift). */
        if (out->min.v.f64 == 0)
            out->min.v.f64 = -0.0;
        if (out->max.v.f64 == 0)
            out->max.v.f64 = 0.0;
    }
    if (tarn_scalar_compare(&out->min, &out->max) > 0)
        return TARN_OK;
    out->has_min_max = true;
    return TARN_OK;
}

tarn_status tarn_pq_file_column_stats(const tarn_pq_file *f, int row_group, int column,
                                      tarn_pq_stats *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    if (column < 0 || column >= f->map->schema->n_fields)
        return tarn_err_set(err, TARN_ERR_INVALID, "column %d out of range", column);
    const tarn_pq_node *node = &f->map->tops[column];
    if (node->kind != TARN_PQ_NODE_LEAF)
        return TARN_OK; /* nested: no usable statistics */
    return tarn_pq_file_leaf_stats(f, row_group, node->leaf, out, err);
}

/* Scan state ---------------------------------------------------------------------- */

/* Level source of one page: RLE stream, pre-decoded BIT_PACKED, or none. */
typedef struct levels {
    int max;            /* maximum level; 0 = no levels stored */
    bool packed;        /* BIT_PACKED: pre-decoded into pre */
    tarn_pq_rle rle;    /* RLE/bit-packed hybrid stream */
    const uint8_t *pre; /* pre-decoded levels */
    int64_t pre_pos;    /* next entry in pre */
} levels;

typedef struct leaf_state {
    const tarn_pq_leaf *leaf; /* descriptor */
    int leaf_index;           /* index into the file's leaves / column chunks */
    bool flat;                /* top-level primitive: decode into batch vectors */
    int64_t piece;            /* values decoded per step */
    uint8_t *raw;             /* column chunk bytes */
    size_t raw_cap;           /* bytes allocated in raw */
    uint8_t *page;            /* decompressed page */
    size_t page_cap;          /* bytes allocated in page */
    uint8_t *packed;          /* pre-decoded BIT_PACKED levels (def, then rep) */
    size_t packed_cap;        /* bytes allocated in packed */
    uint8_t *def;             /* levels: per segment (flat) or whole chunk (nested) */
    uint8_t *rep;             /* repetition levels (nested) */
    int64_t n_lv;             /* nested: level entries stored */
    int64_t lv_cap;           /* entries allocated in def/rep */
    uint8_t *phys;            /* physical values scratch */
    uint32_t *idx;            /* dictionary indices scratch */
    tarn_vec *dict;           /* dictionary values (logical type), NULL when none */
    bool has_dict;            /* a dictionary page was read in this chunk */
    tarn_vec *ba;             /* BYTE_ARRAY scratch for decimals */
    tarn_pq_values vals;      /* page value decoder */
    bool page_is_dict;        /* current data page uses dictionary indices */
    tarn_vec **out;           /* flat: one vector per batch; nested: out[0] dense values */
    int n_out;                /* vectors in use this row group */
    int cap_out;              /* vectors allocated (kept across row groups) */
    int64_t rows;             /* flat: rows decoded so far in the row group */
    int64_t chunk_off;        /* file offset of the current column chunk (messages) */
    int64_t *bounds;          /* nested: (level, value) position where each batch starts,
                                 n_batches + 1 pairs */
    int64_t bounds_cap;       /* pairs allocated in bounds */
    tarn_err err;             /* failure of the decode task */
    tarn_status st;           /* status of the decode task */
} leaf_state;

typedef struct col_state {
    int top;                  /* top-level column in the file schema */
    const tarn_pq_node *node; /* its node */
    const tarn_field *field;  /* field in the scan schema */
    int first_ls;             /* its first leaf state */
    int n_ls;                 /* leaf states */
    bool flat;                /* single primitive leaf */
    tarn_vec **out;           /* nested: one vector per batch */
    int n_out;                /* vectors in use */
    int cap_out;              /* vectors allocated */
} col_state;

/* One batch of one nested column to assemble. */
typedef struct asm_job {
    int slot;  /* slot of the row group */
    int col;   /* column in the slot */
    int batch; /* batch within the row group */
} asm_job;

/* One row group being decoded or handed out: its leaf and column states. */
typedef struct slot {
    int rg;          /* row group loaded here, -1 when empty */
    int64_t rows;    /* rows in it */
    leaf_state *ls;  /* n_ls leaf states */
    col_state *cols; /* n_cols column states */
} slot;

struct tarn_pq_scan {
    tarn_pq_file *f;     /* borrowed */
    tarn_schema *schema; /* projected schema (owned) */
    int n_cols;          /* projected columns */
    int n_ls;            /* leaf columns under them */
    int n_slots;         /* row groups decoded at once (narrow scans use several) */
    slot *slots;         /* n_slots slots */
    int n_loaded;        /* slots filled by the last load */
    int cur;             /* slot being handed out */
    bool *rg_mask;       /* row groups to read (owned copy) */
    int next_rg;         /* next row group to consider */
    int64_t next_row;    /* first row of the next batch within the current slot */
    int64_t last_offset; /* first row of the last batch handed out */
    int last_rg;         /* row group of the last batch */
    tarn_batch batch;    /* the batch handed out (vectors borrowed from states) */
    tarn_status failed;  /* a row group failed to load: every later call fails */
    tarn_err fail_err;   /* that failure */
    asm_job *jobs;       /* nested-column assembly jobs of the current load */
    tarn_err *job_err;   /* their failures */
    tarn_status *job_st; /* their statuses */
    int64_t cap_jobs;    /* entries allocated in the three arrays */
};

/* Chunk reading --------------------------------------------------------------------- */

static tarn_status grow(void **p, size_t *cap, size_t need, tarn_err *err)
{
    if (need <= *cap)
        return TARN_OK;
    size_t c = *cap ? *cap : 4096;
    while (c < need)
        c *= 2;
    void *np = tarn_realloc(*p, c);
    if (!np)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading a column chunk");
    *p = np;
    *cap = c;
    return TARN_OK;
}

/* Reads the chunk's bytes; *out_start is its file offset. */
static tarn_status read_chunk(const tarn_pq_file *f, leaf_state *ls, const tarn_pq_column_meta *cm,
                              int64_t *out_start, size_t *out_len, tarn_err *err)
{
    int64_t start = cm->data_page_offset;
    if (cm->has_dictionary_page_offset && cm->dictionary_page_offset > 0 &&
        cm->dictionary_page_offset < start)
        start = cm->dictionary_page_offset;
    int64_t len = cm->total_compressed_size;
    if (start < 4 || start > f->data_end || len > f->data_end - start)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "column chunk (offset %lld, %lld bytes) lies outside the file's data",
                            (long long)start, (long long)len);
    len += TARN_MIN(CHUNK_PAD, f->data_end - start - len);
    TARN_TRY(grow((void **)&ls->raw, &ls->raw_cap, (size_t)len + 1, err));
    TARN_TRY(tarn_rfile_pread(&f->rf, start, ls->raw, (size_t)len, err));
    *out_start = start;
    *out_len = (size_t)len;
    return TARN_OK;
}

/* Levels ------------------------------------------------------------------------------ */

/* Sets up a v1 level stream at *p (len bytes left); advances *p past it. */
static tarn_status levels_v1(levels *lv, int max, tarn_pq_encoding enc, int32_t n_values,
                             const uint8_t **p, size_t *left, uint8_t *pre, tarn_err *err)
{
    memset(lv, 0, sizeof *lv);
    lv->max = max;
    if (max == 0)
        return TARN_OK;
    int bw = tarn_pq_bit_width((uint64_t)max);
    if (enc == TARN_PQ_ENC_RLE) {
        if (*left < 4)
            return tarn_err_set(err, TARN_ERR_CORRUPT, "level length prefix past the page end");
        uint32_t n = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 | (uint32_t)(*p)[2] << 16 |
                     (uint32_t)(*p)[3] << 24;
        if (n > *left - 4)
            return tarn_err_set(err, TARN_ERR_CORRUPT, "levels longer than the page");
        tarn_pq_rle_init(&lv->rle, *p + 4, n, bw);
        *p += 4 + n;
        *left -= 4 + n;
        return TARN_OK;
    }
    if (enc == TARN_PQ_ENC_BIT_PACKED) {
        uint64_t bytes = ((uint64_t)n_values * (uint64_t)bw + 7) / 8;
        if (bytes > *left)
            return tarn_err_set(err, TARN_ERR_CORRUPT, "BIT_PACKED levels longer than the page");
        int64_t n_max;
        TARN_TRY(tarn_pq_bitpacked_levels(*p, (size_t)bytes, bw, pre, n_values, max, &n_max, err));
        lv->packed = true;
        lv->pre = pre;
        *p += bytes;
        *left -= bytes;
        return TARN_OK;
    }
    return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "level encoding %s is not supported",
                        tarn_pq_encoding_name(enc));
}

/* Next n levels into out; *n_max = how many equal the maximum. */
static tarn_status levels_get(levels *lv, uint8_t *out, int64_t n, int64_t *n_max, tarn_err *err)
{
    if (lv->max == 0) {
        *n_max = n;
        return TARN_OK;
    }
    if (!lv->packed)
        return tarn_pq_rle_get_levels(&lv->rle, out, n, lv->max, n_max, err);
    int64_t m = 0;
    const uint8_t *src = lv->pre + lv->pre_pos;
    for (int64_t i = 0; i < n; i++) {
        out[i] = src[i];
        m += src[i] == lv->max;
    }
    lv->pre_pos += n;
    *n_max = m;
    return TARN_OK;
}

/* Values -------------------------------------------------------------------------------- */

static tarn_status vec_room(tarn_vec *v, int64_t n, tarn_err *err)
{
    if (tarn_vec_reserve(v, n) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a column");
    return TARN_OK;
}

/* Dictionary gather of n indices into v at v->len. */
static tarn_status gather(leaf_state *ls, tarn_vec *v, const uint32_t *idx, int64_t n,
                          tarn_err *err)
{
    const tarn_vec *d = ls->dict;
    int64_t base = v->len;
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        for (int64_t i = 0; i < n; i++)
            tarn_bit_set(v->data, base + i, tarn_bit_get(d->data, idx[i]));
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY: {
        int64_t total = 0;
        for (int64_t i = 0; i < n; i++)
            total += d->offsets[idx[i] + 1] - d->offsets[idx[i]];
        /* 16 spare bytes on both sides (see read_dictionary) let short
         * values move as one 16-byte copy. */
        tarn_status st = tarn_vec_reserve_bytes(v, total + 16);
        if (st != TARN_OK)
            return tarn_err_set(err, st, "%s",
                                st == TARN_ERR_NOMEM ? "out of memory decoding a column"
                                                     : "string values too large for one batch");
        uint8_t *o = v->bytes + v->bytes_len;
        int32_t *off = v->offsets + base;
        int32_t pos = off[0];
        for (int64_t i = 0; i < n; i++) {
            int32_t s = d->offsets[idx[i]], len = d->offsets[idx[i] + 1] - s;
            if (len <= 16)
                memcpy(o, d->bytes + s, 16);
            else
                memcpy(o, d->bytes + s, (size_t)len);
            o += len;
            pos += len;
            off[i + 1] = pos;
        }
        v->bytes_len += total;
        break;
    }
    default:
        switch (tarn_type_width(v->type)) {
#define GATHER(T)                                                                                  \
    {                                                                                              \
        const T *s = (const T *)(const void *)d->data;                                             \
        T *o = (T *)(void *)v->data + base;                                                        \
        for (int64_t i = 0; i < n; i++)                                                            \
            o[i] = s[idx[i]];                                                                      \
    }                                                                                              \
    break;
        case 1:
            GATHER(uint8_t)
        case 2:
            GATHER(uint16_t)
        case 4:
            GATHER(uint32_t)
        case 8:
            GATHER(uint64_t)
        case 16:
            GATHER(tarn_u128)
#undef GATHER
        default:
            return tarn_err_set(err, TARN_ERR_INTERNAL, "dictionary of an unexpected type");
        }
    }
    v->len += n;
    return TARN_OK;
}

/* Appends n fixed-length byte strings (FLBA) to a BINARY vector. */
static tarn_status append_flba(tarn_vec *v, const uint8_t *src, int32_t w, int64_t n, tarn_err *err)
{
    tarn_status st = tarn_vec_reserve_bytes(v, (int64_t)w * n);
    if (st != TARN_OK)
        return tarn_err_set(err, st, "%s",
                            st == TARN_ERR_NOMEM ? "out of memory decoding a column"
                                                 : "binary values too large for one batch");
    memcpy(v->bytes + v->bytes_len, src, (size_t)w * (size_t)n);
    int32_t *off = v->offsets + v->len;
    for (int64_t i = 0; i < n; i++)
        off[i + 1] = off[i] + w;
    v->bytes_len += (int64_t)w * n;
    v->len += n;
    return TARN_OK;
}

static tarn_status append_ba_decimals(leaf_state *ls, tarn_vec *v, int64_t n, tarn_err *err)
{
    tarn_vec_reset(ls->ba);
    TARN_TRY(tarn_pq_values_bytes(&ls->vals, ls->ba, n, err));
    bool wide = tarn_decimal_is_wide(v->type);
    for (int64_t i = 0; i < n; i++) {
        int32_t len;
        const uint8_t *p = tarn_vec_get_bytes(ls->ba, i, &len);
        tarn_i128 x;
        TARN_TRY(tarn_pq_be_int(p, len, &x, err));
        if (wide) {
            memcpy(v->data + (v->len + i) * 16, &x, 16);
        } else {
            if (x < INT64_MIN || x > INT64_MAX)
                return tarn_err_set(err, TARN_ERR_CORRUPT,
                                    "decimal value exceeds its declared precision");
            ((int64_t *)(void *)v->data)[v->len + i] = (int64_t)x;
        }
    }
    v->len += n;
    return TARN_OK;
}

/* Decodes n (<= piece) dense values of a non-dictionary page into v. */
static tarn_status append_piece(leaf_state *ls, tarn_vec *v, int64_t n, tarn_err *err)
{
    const tarn_pq_leaf *l = ls->leaf;
    tarn_pq_values *vals = &ls->vals;
    switch (l->conv) {
    case TARN_PQ_CONV_BOOL:
        TARN_TRY(tarn_pq_values_bools(vals, ls->phys, n, err));
        for (int64_t i = 0; i < n; i++)
            tarn_bit_set(v->data, v->len + i, ls->phys[i]);
        v->len += n;
        return TARN_OK;
    case TARN_PQ_CONV_COPY:
        if (l->phys == TARN_PQ_BYTE_ARRAY)
            return tarn_pq_values_bytes(vals, v, n, err);
        TARN_TRY(tarn_pq_values_fixed(vals, v->data + v->len * l->width, n, err));
        v->len += n;
        return TARN_OK;
    case TARN_PQ_CONV_FLBA_BIN:
        TARN_TRY(tarn_pq_values_fixed(vals, ls->phys, n, err));
        return append_flba(v, ls->phys, l->width, n, err);
    case TARN_PQ_CONV_BA_DEC64:
    case TARN_PQ_CONV_BA_DEC128:
        return append_ba_decimals(ls, v, n, err);
    default:
        TARN_TRY(tarn_pq_values_fixed(vals, ls->phys, n, err));
        TARN_TRY(tarn_pq_convert_fixed(l->conv, ls->phys, l->width, n,
                                       v->data + v->len * tarn_type_width(v->type), l->mul, err));
        v->len += n;
        return TARN_OK;
    }
}

/* Appends n dense (non-null) values of the current page to v. */
static tarn_status append_values(leaf_state *ls, tarn_vec *v, int64_t n, tarn_err *err)
{
    while (n > 0) {
        int64_t k = TARN_MIN(n, ls->piece);
        TARN_TRY(vec_room(v, k, err));
        if (ls->page_is_dict) {
            TARN_TRY(tarn_pq_values_indices(&ls->vals, ls->idx, k, ls->dict->len, err));
            TARN_TRY(gather(ls, v, ls->idx, k, err));
        } else {
            TARN_TRY(append_piece(ls, v, k, err));
        }
        n -= k;
    }
    return TARN_OK;
}

/* The last nn values of v belong to a segment of seg rows whose levels are
 * def[0..seg): spread them to their rows (backwards, in place) and mark the
 * other rows null. */
/* Backward in-place spread of T values: row i takes the next dense value
 * when defined, zero otherwise (branch-free so it vectorises / uses cmov). */
#define SPREAD_FIXED(T)                                                                            \
    {                                                                                              \
        T *d = (T *)(void *)v->data + base;                                                        \
        for (int64_t i = seg - 1; i >= 0; i--) {                                                   \
            bool on = def[i] == max;                                                               \
            j -= on;                                                                               \
            T x = d[j];                                                                            \
            d[i] = on ? x : (T)0;                                                                  \
        }                                                                                          \
    }                                                                                              \
    break;

static void spread_values(tarn_vec *v, const uint8_t *def, int max, int64_t base, int64_t seg,
                          int64_t nn)
{
    int64_t j = nn;
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        for (int64_t i = seg - 1; i >= 0; i--) {
            bool on = false;
            if (def[i] == max)
                on = tarn_bit_get(v->data, base + --j);
            tarn_bit_set(v->data, base + i, on);
        }
        return;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY: {
        int32_t *off = v->offsets + base;
        for (int64_t i = seg - 1; i >= 0; i--) {
            off[i + 1] = off[j];
            j -= def[i] == max;
        }
        return;
    }
    default:
        break;
    }
    switch (tarn_type_width(v->type)) {
    case 1:
        SPREAD_FIXED(uint8_t)
    case 2:
        SPREAD_FIXED(uint16_t)
    case 4:
        SPREAD_FIXED(uint32_t)
    case 8:
        SPREAD_FIXED(uint64_t)
    default:
        SPREAD_FIXED(tarn_u128)
    }
}
#undef SPREAD_FIXED

/* Validity bits of rows [base, base+seg) from their levels; the bitmap
 * starts all-valid, bytes inside the segment are written whole. */
static void spread_validity(uint8_t *bits, const uint8_t *def, int max, int64_t base, int64_t seg)
{
    int64_t i = 0, pos = base;
    for (; i < seg && (pos & 7); i++, pos++)
        tarn_bit_set(bits, pos, def[i] == max);
    /* Levels never exceed max (checked when decoded), so adding 0x80 - max
     * to each byte sets its high bit exactly when the level equals max; one
     * multiply gathers the 8 high bits into a byte. */
    const uint64_t bias = (uint64_t)(0x80 - max) * UINT64_C(0x0101010101010101);
    for (; i + 8 <= seg; i += 8, pos += 8) {
        uint64_t x;
        memcpy(&x, def + i, 8);
        uint64_t hi = (x + bias) & UINT64_C(0x8080808080808080);
        bits[pos >> 3] = (uint8_t)((hi * UINT64_C(0x0002040810204081)) >> 56);
    }
    for (; i < seg; i++, pos++)
        tarn_bit_set(bits, pos, def[i] == max);
}

/* The last nn values of v belong to a segment of seg rows whose levels are
 * def[0..seg): spread them to their rows (backwards, in place) and mark the
 * other rows null. */
static tarn_status spread(tarn_vec *v, const uint8_t *def, int max, int64_t seg, int64_t nn,
                          tarn_err *err)
{
    int64_t base = v->len - nn;
    TARN_TRY(vec_room(v, seg - nn, err));
    if (tarn_vec_ensure_validity(v) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a column");
    spread_values(v, def, max, base, seg, nn);
    spread_validity(v->validity, def, max, base, seg);
    v->null_count += seg - nn;
    v->len = base + seg;
    return TARN_OK;
}

/* Output vectors ----------------------------------------------------------------------- */

/* The k-th output vector of a list, reused across row groups, reset. */
static tarn_status out_vec(tarn_vec ***out, int *n_out, int *cap_out, const tarn_field *f,
                           tarn_vec **v, tarn_err *err)
{
    if (*n_out == *cap_out) {
        int cap = *cap_out ? *cap_out * 2 : 8;
        tarn_vec **nv = tarn_realloc(*out, (size_t)cap * sizeof *nv);
        if (!nv)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a column");
        memset(nv + *cap_out, 0, (size_t)(cap - *cap_out) * sizeof *nv);
        *out = nv;
        *cap_out = cap;
    }
    tarn_vec **at = &(*out)[*n_out];
    if (!*at) {
        *at = tarn_vec_create(f);
        if (!*at)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a column");
    } else {
        tarn_vec_reset(*at);
    }
    (*n_out)++;
    *v = *at;
    return TARN_OK;
}

/* Pages --------------------------------------------------------------------------------- */

typedef struct page_ctx {
    const tarn_pq_file *f;         /* file */
    const tarn_pq_row_group *rg;   /* row group being read */
    const tarn_pq_column_meta *cm; /* chunk metadata */
    const tarn_field *field;       /* flat: the output field */
    int64_t off;                   /* file offset of the page (for messages) */
} page_ctx;

static tarn_status read_dictionary(leaf_state *ls, const tarn_pq_page_header *h,
                                   const uint8_t *data, size_t len, tarn_err *err)
{
    if (!h->has_dictionary_page_header)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "dictionary page without its header");
    if (ls->has_dict)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "second dictionary page in a column chunk");
    const tarn_pq_dict_page_header *dh = &h->dictionary_page_header;
    tarn_pq_encoding enc = dh->encoding;
    if (enc == TARN_PQ_ENC_PLAIN_DICTIONARY)
        enc = TARN_PQ_ENC_PLAIN; /* old name of a PLAIN dictionary page */
    if (!ls->dict) {
        ls->dict = tarn_vec_create_type(ls->leaf->type);
        if (!ls->dict)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading a dictionary");
    }
    tarn_vec_reset(ls->dict);
    TARN_TRY(tarn_pq_values_start(&ls->vals, enc, ls->leaf->phys, ls->leaf->width, data, len,
                                  dh->num_values, err));
    ls->page_is_dict = false;
    TARN_TRY(append_values(ls, ls->dict, dh->num_values, err));
    /* Spare bytes after the last value for gather()'s 16-byte copies. */
    if (tarn_type_is_varlen(ls->dict->type.id) && tarn_vec_reserve_bytes(ls->dict, 16) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading a dictionary");
    ls->has_dict = true;
    return TARN_OK;
}

/* Flat leaf: rows of the page go straight into the batch vectors. */
static tarn_status flat_page(leaf_state *ls, page_ctx *pc, levels *def, int32_t n, tarn_err *err)
{
    int64_t rows_total = pc->rg->num_rows;
    if (n > rows_total - ls->rows)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "column chunk holds more values than the "
                            "row group has rows");
    int64_t pos = 0;
    while (pos < n) {
        tarn_vec *v;
        if (ls->rows % TARN_BATCH_ROWS == 0) {
            TARN_TRY(out_vec(&ls->out, &ls->n_out, &ls->cap_out, pc->field, &v, err));
            TARN_TRY(vec_room(v, TARN_MIN(TARN_BATCH_ROWS, rows_total - ls->rows), err));
        } else {
            v = ls->out[ls->n_out - 1];
        }
        int64_t room = TARN_BATCH_ROWS - ls->rows % TARN_BATCH_ROWS;
        int64_t seg = TARN_MIN(n - pos, room), nn;
        TARN_TRY(levels_get(def, ls->def, seg, &nn, err));
        TARN_TRY(append_values(ls, v, nn, err));
        if (nn < seg)
            TARN_TRY(spread(v, ls->def, def->max, seg, nn, err));
        pos += seg;
        ls->rows += seg;
    }
    return TARN_OK;
}

/* Nested leaf: keep all levels, append the dense values. */
static tarn_status nested_page(leaf_state *ls, levels *def, levels *rep, int32_t n, tarn_err *err)
{
    if (n == 0)
        return TARN_OK; /* an empty page (the level arrays may not exist yet) */
    if (ls->n_lv + n > MAX_LEVELS)
        return tarn_err_set(err, TARN_ERR_LIMIT, "nested column chunk too large");
    if (ls->n_lv + n > ls->lv_cap) {
        int64_t cap = ls->lv_cap ? ls->lv_cap : 4096;
        while (cap < ls->n_lv + n)
            cap *= 2;
        uint8_t *d = tarn_realloc(ls->def, (size_t)cap);
        if (d)
            ls->def = d;
        uint8_t *r = d ? tarn_realloc(ls->rep, (size_t)cap) : NULL;
        if (!r)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading levels");
        ls->rep = r;
        ls->lv_cap = cap;
    }
    int64_t nn, nr;
    TARN_TRY(levels_get(rep, ls->rep + ls->n_lv, n, &nr, err));
    if (rep->max == 0)
        memset(ls->rep + ls->n_lv, 0, (size_t)n);
    TARN_TRY(levels_get(def, ls->def + ls->n_lv, n, &nn, err));
    if (def->max == 0)
        memset(ls->def + ls->n_lv, 0, (size_t)n);
    ls->n_lv += n;
    return append_values(ls, ls->out[0], nn, err);
}

static tarn_status start_values(leaf_state *ls, tarn_pq_encoding enc, const uint8_t *p, size_t len,
                                int64_t n, tarn_err *err)
{
    ls->page_is_dict = tarn_pq_encoding_is_dict(enc);
    if (ls->page_is_dict && !ls->has_dict)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "dictionary-encoded page without a dictionary");
    return tarn_pq_values_start(&ls->vals, enc, ls->leaf->phys, ls->leaf->width, p, len, n, err);
}

static tarn_status page_levels_room(leaf_state *ls, int32_t n, tarn_err *err)
{
    /* Flat leaves decode levels per batch segment; BIT_PACKED needs the page. */
    size_t need = TARN_MAX((size_t)TARN_BATCH_ROWS, (size_t)n * 2);
    if (ls->flat && !ls->def) {
        ls->def = tarn_alloc(TARN_BATCH_ROWS);
        if (!ls->def)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading levels");
    }
    return grow((void **)&ls->packed, &ls->packed_cap, need, err);
}

static tarn_status data_page_v1(leaf_state *ls, page_ctx *pc, const tarn_pq_page_header *h,
                                const uint8_t *data, size_t len, tarn_err *err)
{
    if (!h->has_data_page_header)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "data page without its header");
    const tarn_pq_data_page_header *dh = &h->data_page_header;
    int32_t n = dh->num_values;
    levels rep, def;
    const uint8_t *p = data;
    size_t left = len;
    /* BIT_PACKED levels take n * width bits, so n is bounded by the page size. */
    bool packed = (ls->leaf->max_rep > 0 && dh->rep_encoding == TARN_PQ_ENC_BIT_PACKED) ||
                  (ls->leaf->max_def > 0 && dh->def_encoding == TARN_PQ_ENC_BIT_PACKED);
    if (packed && (uint64_t)n > (uint64_t)len * 8)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "more BIT_PACKED levels than the page holds");
    TARN_TRY(page_levels_room(ls, packed ? n : 0, err));
    TARN_TRY(levels_v1(&rep, ls->leaf->max_rep, dh->rep_encoding, n, &p, &left,
                       ls->packed + (packed ? n : 0), err));
    TARN_TRY(levels_v1(&def, ls->leaf->max_def, dh->def_encoding, n, &p, &left, ls->packed, err));
    TARN_TRY(start_values(ls, dh->encoding, p, left, n, err));
    if (ls->flat)
        return flat_page(ls, pc, &def, n, err);
    return nested_page(ls, &def, &rep, n, err);
}

static tarn_status data_page_v2(leaf_state *ls, page_ctx *pc, const tarn_pq_page_header *h,
                                const uint8_t *raw, tarn_err *err)
{
    if (!h->has_data_page_header_v2)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "data page v2 without its header");
    const tarn_pq_data_page_header_v2 *dh = &h->data_page_header_v2;
    int64_t lv_len = (int64_t)dh->rep_levels_byte_length + dh->def_levels_byte_length;
    if (lv_len > h->compressed_page_size || lv_len > h->uncompressed_page_size)
        return tarn_err_set(err, TARN_ERR_CORRUPT, "data page v2 levels longer than the page");
    int32_t n = dh->num_values;
    levels rep, def;
    memset(&rep, 0, sizeof rep);
    memset(&def, 0, sizeof def);
    rep.max = ls->leaf->max_rep;
    def.max = ls->leaf->max_def;
    tarn_pq_rle_init(&rep.rle, raw, (size_t)dh->rep_levels_byte_length,
                     tarn_pq_bit_width((uint64_t)rep.max));
    tarn_pq_rle_init(&def.rle, raw + dh->rep_levels_byte_length, (size_t)dh->def_levels_byte_length,
                     tarn_pq_bit_width((uint64_t)def.max));
    /* Values follow the levels; only they are compressed. */
    const uint8_t *src = raw + lv_len;
    size_t clen = (size_t)(h->compressed_page_size - lv_len);
    size_t ulen = (size_t)(h->uncompressed_page_size - lv_len);
    const uint8_t *vals = src;
    tarn_pq_codec codec = pc->cm->codec;
    if (dh->is_compressed && codec != TARN_PQ_UNCOMPRESSED && ulen > 0) {
        TARN_TRY(grow((void **)&ls->page, &ls->page_cap, ulen, err));
        TARN_TRY(tarn_pq_decompress(codec, src, clen, ls->page, ulen, err));
        vals = ls->page;
    } else if (ulen != clen) {
        return tarn_err_set(err, TARN_ERR_CORRUPT, "uncompressed data page v2 sizes differ");
    }
    TARN_TRY(page_levels_room(ls, 0, err));
    TARN_TRY(start_values(ls, dh->encoding, vals, ulen, n, err));
    if (ls->flat)
        return flat_page(ls, pc, &def, n, err);
    return nested_page(ls, &def, &rep, n, err);
}

/* Decompresses a v1 or dictionary page; *out points at the plain bytes. */
static tarn_status page_bytes(leaf_state *ls, tarn_pq_codec codec, const tarn_pq_page_header *h,
                              const uint8_t *raw, const uint8_t **out, tarn_err *err)
{
    size_t clen = (size_t)h->compressed_page_size, ulen = (size_t)h->uncompressed_page_size;
    if (codec == TARN_PQ_UNCOMPRESSED) {
        if (clen != ulen)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "uncompressed page: stored and uncompressed sizes differ");
        *out = raw;
        return TARN_OK;
    }
    TARN_TRY(grow((void **)&ls->page, &ls->page_cap, ulen ? ulen : 1, err));
    TARN_TRY(tarn_pq_decompress(codec, raw, clen, ls->page, ulen, err));
    *out = ls->page;
    return TARN_OK;
}

static tarn_status one_page(leaf_state *ls, page_ctx *pc, const tarn_pq_page_header *h,
                            const uint8_t *raw, int64_t *values, tarn_err *err)
{
    const uint8_t *data;
    switch (h->type) {
    case TARN_PQ_DICTIONARY_PAGE:
        if (*values > 0)
            return tarn_err_set(err, TARN_ERR_CORRUPT, "dictionary page after data pages");
        TARN_TRY(page_bytes(ls, pc->cm->codec, h, raw, &data, err));
        return read_dictionary(ls, h, data, (size_t)h->uncompressed_page_size, err);
    case TARN_PQ_DATA_PAGE:
        TARN_TRY(page_bytes(ls, pc->cm->codec, h, raw, &data, err));
        TARN_TRY(data_page_v1(ls, pc, h, data, (size_t)h->uncompressed_page_size, err));
        *values += h->data_page_header.num_values;
        return TARN_OK;
    case TARN_PQ_DATA_PAGE_V2:
        TARN_TRY(data_page_v2(ls, pc, h, raw, err));
        *values += h->data_page_header_v2.num_values;
        return TARN_OK;
    default:
        return TARN_OK; /* INDEX_PAGE and unknown page types are skipped */
    }
}

static tarn_status check_codec(tarn_pq_codec c, tarn_err *err)
{
    if (c == TARN_PQ_LZO)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "LZO compression is not supported");
    if ((unsigned)c > TARN_PQ_LZ4_RAW)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "unknown compression codec %d", (int)c);
    return TARN_OK;
}

/* Nested leaf: where every batch of TARN_BATCH_ROWS records starts in the
 * levels (a record starts at repetition level 0) and in the dense values,
 * so batches can be assembled independently. The record count must be the
 * row group's. */
static tarn_status record_bounds(leaf_state *ls, int64_t rows, tarn_err *err)
{
    int64_t n_b = (rows + TARN_BATCH_ROWS - 1) / TARN_BATCH_ROWS;
    if (n_b + 1 > ls->bounds_cap) {
        int64_t *b = tarn_realloc(ls->bounds, (size_t)(n_b + 1) * 2 * sizeof *b);
        if (!b)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading levels");
        ls->bounds = b;
        ls->bounds_cap = n_b + 1;
    }
    const uint8_t *rep = ls->rep, *def = ls->def;
    int max = ls->leaf->max_def;
    int64_t rec = 0, vpos = 0;
    for (int64_t pos = 0; pos < ls->n_lv; pos++) {
        if (rep[pos] == 0) {
            if (rec % TARN_BATCH_ROWS == 0 && rec < rows) {
                ls->bounds[2 * (rec / TARN_BATCH_ROWS)] = pos;
                ls->bounds[2 * (rec / TARN_BATCH_ROWS) + 1] = vpos;
            }
            rec++;
        }
        vpos += def[pos] == max;
    }
    if (rec != rows)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "nested column chunk holds %lld records, its row group %lld rows",
                            (long long)rec, (long long)rows);
    ls->bounds[2 * n_b] = ls->n_lv;
    ls->bounds[2 * n_b + 1] = vpos;
    return TARN_OK;
}

/* Reads and decodes leaf ls of row group g. */
static tarn_status decode_chunk(const tarn_pq_file *f, leaf_state *ls, const tarn_field *field,
                                int g, tarn_err *err)
{
    const tarn_pq_row_group *rg = &f->meta.row_groups[g];
    const tarn_pq_column_meta *cm = &rg->columns[ls->leaf_index].meta_data;
    page_ctx pc = {.f = f, .rg = rg, .cm = cm, .field = field, .off = 0};
    ls->has_dict = false;
    ls->chunk_off = cm->data_page_offset;
    ls->n_out = 0;
    ls->rows = 0;
    ls->n_lv = 0;
    if (ls->leaf->unsupported)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "%s is not supported",
                            ls->leaf->unsupported);
    TARN_TRY(check_codec(cm->codec, err));
    if (!ls->flat) {
        tarn_vec *dense;
        TARN_TRY(out_vec(&ls->out, &ls->n_out, &ls->cap_out, field, &dense, err));
    }
    int64_t start = 0;
    size_t len = 0;
    TARN_TRY(read_chunk(f, ls, cm, &start, &len, err));
    size_t pos = 0;
    int64_t values = 0;
    while (values < cm->num_values) {
        pc.off = start + (int64_t)pos;
        if (pos >= len)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "column chunk ends after %lld of its %lld values",
                                (long long)values, (long long)cm->num_values);
        tarn_pq_page_header h;
        size_t hlen;
        TARN_TRY(tarn_pq_page_header_decode(ls->raw + pos, len - pos, pc.off, &h, &hlen, err));
        if ((size_t)h.compressed_page_size > len - pos - hlen ||
            h.uncompressed_page_size > (int32_t)TARN_PQ_MAX_PAGE_BYTES)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "page of %d bytes past the end of its "
                                "column chunk",
                                h.compressed_page_size);
        tarn_status st = one_page(ls, &pc, &h, ls->raw + pos + hlen, &values, err);
        if (st != TARN_OK)
            return tarn_err_at_offset(err, pc.off);
        pos += hlen + (size_t)h.compressed_page_size;
    }
    if (values != cm->num_values)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "column chunk pages hold %lld values, its metadata says %lld",
                            (long long)values, (long long)cm->num_values);
    if (ls->flat && ls->rows != rg->num_rows)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "column chunk holds %lld values, its row group %lld rows",
                            (long long)ls->rows, (long long)rg->num_rows);
    return ls->flat ? TARN_OK : record_bounds(ls, rg->num_rows, err);
}

/* Record assembly ------------------------------------------------------------------------ */

/* Walks the node tree once per record. Struct validity and list offsets are
 * written as records are walked; leaf values are only noted (index into the
 * leaf's dense values, -1 for null) and gathered in bulk per batch. */

typedef struct cursor {
    const uint8_t *def; /* definition levels */
    const uint8_t *rep; /* repetition levels */
    int64_t n;          /* level entries */
    int64_t pos;        /* next entry */
    const tarn_vec *v;  /* dense values */
    int64_t vpos;       /* next value */
    int max_def;        /* leaf's maximum definition level */
    int64_t *take;      /* pending rows of the current batch: value index or -1 */
    int64_t n_take;     /* entries in take */
    int64_t cap_take;   /* room in take (the batch's level entries of this leaf) */
    tarn_vec *dst;      /* the leaf's vector in the current batch */
} cursor;

typedef struct assembler {
    cursor *cur;    /* one per leaf of the column (indexed from first_leaf) */
    int first_leaf; /* file leaf index of cur[0] */
    tarn_err *err;  /* failure report */
} assembler;

static tarn_status asm_corrupt(assembler *a, const char *what)
{
    return tarn_err_set(a->err, TARN_ERR_CORRUPT, "nested column levels are inconsistent: %s",
                        what);
}

static tarn_status asm_nomem(assembler *a)
{
    return tarn_err_set(a->err, TARN_ERR_NOMEM, "out of memory assembling a nested column");
}

static void skip_leaves(assembler *a, const tarn_pq_node *node)
{
    for (int i = 0; i < node->n_leaves; i++)
        a->cur[node->first_leaf - a->first_leaf + i].pos++;
}

/* Notes one pending value (or -1, a null) for leaf cursor c; every push
 * consumes a level entry, so the list sized by the batch's entries holds it. */
static tarn_status take_push(assembler *a, cursor *c, int64_t idx)
{
    if (c->n_take == c->cap_take)
        return asm_corrupt(a, "more values than levels");
    c->take[c->n_take++] = idx;
    return TARN_OK;
}

/* Rows a node's vector holds, pending leaf values included. */
static int64_t node_len(assembler *a, const tarn_pq_node *node, const tarn_vec *v)
{
    if (node->kind != TARN_PQ_NODE_LEAF)
        return v->len;
    const cursor *c = &a->cur[node->leaf - a->first_leaf];
    return c->dst->len + c->n_take;
}

/* Points every leaf cursor at its vector inside the batch vector v. */
static void bind_leaves(assembler *a, const tarn_pq_node *node, tarn_vec *v)
{
    if (node->kind == TARN_PQ_NODE_LEAF) {
        a->cur[node->leaf - a->first_leaf].dst = v;
        return;
    }
    for (int i = 0; i < node->n_children; i++)
        bind_leaves(a, &node->children[i], v->children[i]);
}

/* Appends the pending values of leaf cursor c to its vector. */
static tarn_status flush_leaf(assembler *a, cursor *c)
{
    tarn_vec *d = c->dst;
    const tarn_vec *src = c->v;
    const int64_t *idx = c->take;
    int64_t n = c->n_take, base = d->len, nulls = 0;
    if (n == 0)
        return TARN_OK;
    if (tarn_vec_reserve(d, n) != TARN_OK)
        return asm_nomem(a);
    for (int64_t i = 0; i < n; i++)
        nulls += idx[i] < 0;
    if (nulls && tarn_vec_ensure_validity(d) != TARN_OK)
        return asm_nomem(a);
    switch (d->type.id) {
    case TARN_TYPE_BOOL:
        for (int64_t i = 0; i < n; i++)
            tarn_bit_set(d->data, base + i, idx[i] >= 0 && tarn_bit_get(src->data, idx[i]));
        break;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY: {
        int64_t total = 0;
        for (int64_t i = 0; i < n; i++)
            if (idx[i] >= 0)
                total += src->offsets[idx[i] + 1] - src->offsets[idx[i]];
        tarn_status st = tarn_vec_reserve_bytes(d, total);
        if (st != TARN_OK)
            return st == TARN_ERR_NOMEM
                       ? asm_nomem(a)
                       : tarn_err_set(a->err, st, "string values too large for one batch");
        int32_t *off = d->offsets + base;
        int32_t pos = off[0];
        for (int64_t i = 0; i < n; i++) {
            if (idx[i] >= 0) {
                int32_t s0 = src->offsets[idx[i]], len = src->offsets[idx[i] + 1] - s0;
                memcpy(d->bytes + pos, src->bytes + s0, (size_t)len);
                pos += len;
            }
            off[i + 1] = pos;
        }
        d->bytes_len = pos;
        break;
    }
    default:
        switch (tarn_type_width(d->type)) {
#define TAKE(T)                                                                                    \
    {                                                                                              \
        const T *sv = (const T *)(const void *)src->data;                                          \
        T *dv = (T *)(void *)d->data + base;                                                       \
        for (int64_t i = 0; i < n; i++)                                                            \
            dv[i] = idx[i] >= 0 ? sv[idx[i]] : (T)0;                                               \
    }                                                                                              \
    break;
        case 1:
            TAKE(uint8_t)
        case 2:
            TAKE(uint16_t)
        case 4:
            TAKE(uint32_t)
        case 8:
            TAKE(uint64_t)
        default:
            TAKE(tarn_u128)
#undef TAKE
        }
    }
    if (nulls)
        for (int64_t i = 0; i < n; i++)
            if (idx[i] < 0)
                tarn_bit_set(d->validity, base + i, false);
    d->null_count += nulls;
    d->len += n;
    c->n_take = 0;
    return TARN_OK;
}

/* Marks row v->len of a struct/list/map vector valid or null (room first). */
static tarn_status mark_row(assembler *a, tarn_vec *v, bool valid)
{
    if (tarn_vec_reserve(v, 1) != TARN_OK)
        return asm_nomem(a);
    if (!valid) {
        if (tarn_vec_ensure_validity(v) != TARN_OK)
            return asm_nomem(a);
        tarn_bit_set(v->validity, v->len, false);
        v->null_count++;
    } else if (v->validity) {
        tarn_bit_set(v->validity, v->len, true);
    }
    return TARN_OK;
}

/* A null value of node: struct children get null rows, lists stay empty. */
static tarn_status asm_null(assembler *a, const tarn_pq_node *node, tarn_vec *v)
{
    if (node->kind == TARN_PQ_NODE_LEAF)
        return take_push(a, &a->cur[node->leaf - a->first_leaf], -1);
    TARN_TRY(mark_row(a, v, false));
    if (node->kind == TARN_PQ_NODE_STRUCT) {
        for (int i = 0; i < node->n_children; i++)
            TARN_TRY(asm_null(a, &node->children[i], v->children[i]));
    } else {
        v->offsets[v->len + 1] = v->offsets[v->len];
    }
    v->len++;
    return TARN_OK;
}

static tarn_status asm_value(assembler *a, const tarn_pq_node *node, tarn_vec *v);

static tarn_status asm_list(assembler *a, const tarn_pq_node *node, tarn_vec *v, int d)
{
    TARN_TRY(mark_row(a, v, true));
    if (d >= node->elem_def) {
        cursor *rc = &a->cur[node->first_leaf - a->first_leaf];
        for (;;) {
            for (int i = 0; i < node->n_children; i++)
                TARN_TRY(asm_value(a, &node->children[i], v->children[i]));
            if (rc->pos >= rc->n || rc->rep[rc->pos] != node->elem_rep)
                break;
        }
    } else {
        skip_leaves(a, node); /* empty list: one entry per leaf */
    }
    int64_t n = node_len(a, &node->children[0], v->children[0]);
    if (n > INT32_MAX)
        return tarn_err_set(a->err, TARN_ERR_LIMIT, "list elements exceed one batch's limit");
    v->offsets[v->len + 1] = (int32_t)n;
    v->len++;
    return TARN_OK;
}

static tarn_status asm_value(assembler *a, const tarn_pq_node *node, tarn_vec *v)
{
    cursor *c = &a->cur[node->first_leaf - a->first_leaf];
    if (c->pos >= c->n)
        return asm_corrupt(a, "levels end early");
    int d = c->def[c->pos];
    if (d < node->def) {
        if (!node->nullable)
            return asm_corrupt(a, "a required value is missing");
        skip_leaves(a, node);
        return asm_null(a, node, v);
    }
    switch (node->kind) {
    case TARN_PQ_NODE_LEAF:
        if (d != c->max_def || c->vpos >= c->v->len)
            return asm_corrupt(a, "values and levels disagree");
        c->pos++;
        return take_push(a, c, c->vpos++);
    case TARN_PQ_NODE_STRUCT:
        for (int i = 0; i < node->n_children; i++)
            TARN_TRY(asm_value(a, &node->children[i], v->children[i]));
        TARN_TRY(mark_row(a, v, true));
        v->len++;
        return TARN_OK;
    default:
        return asm_list(a, node, v, d);
    }
}

static tarn_status flush_all(assembler *a, int n)
{
    for (int i = 0; i < n; i++)
        TARN_TRY(flush_leaf(a, &a->cur[i]));
    return TARN_OK;
}

/* Assembles batch b (its n records) of nested column cs into v. Each leaf's
 * cursor is limited to the batch's levels, so a batch never reads into the
 * next; at the end every cursor must sit exactly at the next batch start. */
static tarn_status assemble_batch(slot *sl, col_state *cs, int64_t b, tarn_vec *v, int64_t n,
                                  tarn_err *err)
{
    /* A leaf gets at most one pending value per level entry of the batch:
     * one allocation holds the cursors and all their pending lists. */
    int64_t entries = 0;
    for (int i = 0; i < cs->n_ls; i++) {
        const leaf_state *ls = &sl->ls[cs->first_ls + i];
        entries += ls->bounds[2 * b + 2] - ls->bounds[2 * b];
    }
    cursor *cur = tarn_alloc((size_t)cs->n_ls * sizeof *cur + (size_t)entries * sizeof(int64_t));
    if (!cur)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory assembling a nested column");
    int64_t *take = (int64_t *)(void *)(cur + cs->n_ls);
    for (int i = 0; i < cs->n_ls; i++) {
        leaf_state *ls = &sl->ls[cs->first_ls + i];
        int64_t n_lv = ls->bounds[2 * b + 2] - ls->bounds[2 * b];
        cur[i] = (cursor){.def = ls->def,
                          .rep = ls->rep,
                          .pos = ls->bounds[2 * b],
                          .n = ls->bounds[2 * b + 2],
                          .v = ls->out[0],
                          .vpos = ls->bounds[2 * b + 1],
                          .max_def = ls->leaf->max_def,
                          .take = take,
                          .cap_take = n_lv};
        take += n_lv;
    }
    assembler a = {.cur = cur, .first_leaf = cs->node->first_leaf, .err = err};
    tarn_status st = TARN_OK;
    bind_leaves(&a, cs->node, v);
    for (int64_t r = 0; r < n && st == TARN_OK; r++) {
        if (cur[0].pos >= cur[0].n || cur[0].rep[cur[0].pos] != 0)
            st = asm_corrupt(&a, "records and levels disagree");
        else
            st = asm_value(&a, cs->node, v);
    }
    if (st == TARN_OK)
        st = flush_all(&a, cs->n_ls);
    for (int i = 0; i < cs->n_ls && st == TARN_OK; i++) {
        const leaf_state *ls = &sl->ls[cs->first_ls + i];
        if (cur[i].pos != cur[i].n || cur[i].vpos != ls->bounds[2 * b + 3])
            st = asm_corrupt(&a, "records and levels disagree");
    }
    tarn_free(cur);
    return st;
}

/* Scan ------------------------------------------------------------------------------------ */

/* Task i decodes leaf i % n_ls of slot i / n_ls. */
static void leaf_task(void *ctx, int64_t i)
{
    tarn_pq_scan *s = ctx;
    slot *sl = &s->slots[i / s->n_ls];
    int k = (int)(i % s->n_ls);
    leaf_state *ls = &sl->ls[k];
    tarn_err_clear(&ls->err);
    const tarn_field *field = NULL;
    for (int c = 0; c < s->n_cols; c++)
        if (sl->cols[c].flat && sl->cols[c].first_ls == k)
            field = sl->cols[c].field;
    tarn_field dense_field = {.name = "", .type = ls->leaf->type, .nullable = true, .field_id = -1};
    ls->st = decode_chunk(s->f, ls, field ? field : &dense_field, sl->rg, &ls->err);
    if (ls->st != TARN_OK) {
        tarn_err_prefix(&ls->err, "column '%s'", ls->leaf->path);
        tarn_err_at_offset(&ls->err, ls->chunk_off);
        tarn_err_at_path(&ls->err, s->f->rf.path);
    }
}

/* Task i assembles batch jobs[i] of a nested column. */
static void assemble_task(void *ctx, int64_t i)
{
    tarn_pq_scan *s = ctx;
    const asm_job *j = &s->jobs[i];
    slot *sl = &s->slots[j->slot];
    col_state *cs = &sl->cols[j->col];
    tarn_vec *v = cs->out[j->batch];
    int64_t n = TARN_MIN(TARN_BATCH_ROWS, sl->rows - (int64_t)j->batch * TARN_BATCH_ROWS);
    tarn_err_clear(&s->job_err[i]);
    s->job_st[i] = assemble_batch(sl, cs, j->batch, v, n, &s->job_err[i]);
    if (s->job_st[i] != TARN_OK) {
        tarn_err_prefix(&s->job_err[i], "column '%s'", cs->field->name);
        tarn_err_at_offset(&s->job_err[i], sl->ls[cs->first_ls].chunk_off);
        tarn_err_at_path(&s->job_err[i], s->f->rf.path);
    }
}

/* Output vectors for every batch of the loaded nested columns (made here,
 * serially) and the list of assembly jobs. */
static tarn_status plan_assembly(tarn_pq_scan *s, int64_t *out_n, tarn_err *err)
{
    int64_t n = 0;
    for (int k = 0; k < s->n_loaded; k++) {
        slot *sl = &s->slots[k];
        int n_b = (int)((sl->rows + TARN_BATCH_ROWS - 1) / TARN_BATCH_ROWS);
        for (int c = 0; c < s->n_cols; c++) {
            col_state *cs = &sl->cols[c];
            if (cs->flat)
                continue;
            cs->n_out = 0;
            for (int b = 0; b < n_b; b++) {
                tarn_vec *v;
                TARN_TRY(out_vec(&cs->out, &cs->n_out, &cs->cap_out, cs->field, &v, err));
                if (n == s->cap_jobs) {
                    int64_t cap = s->cap_jobs ? s->cap_jobs * 2 : 64;
                    asm_job *nj = tarn_realloc(s->jobs, (size_t)cap * sizeof *nj);
                    if (nj)
                        s->jobs = nj;
                    tarn_err *ne = nj ? tarn_realloc(s->job_err, (size_t)cap * sizeof *ne) : NULL;
                    if (ne)
                        s->job_err = ne;
                    tarn_status *ns = ne ? tarn_realloc(s->job_st, (size_t)cap * sizeof *ns) : NULL;
                    if (!ns)
                        return tarn_err_set(err, TARN_ERR_NOMEM,
                                            "out of memory assembling a nested column");
                    s->job_st = ns;
                    s->cap_jobs = cap;
                }
                s->jobs[n++] = (asm_job){.slot = k, .col = c, .batch = b};
            }
        }
    }
    *out_n = n;
    return TARN_OK;
}

/* Fills the slots with the next chosen row groups and decodes them; sets
 * s->n_loaded (0 at the end of the file). */
static tarn_status load_slots(tarn_pq_scan *s, tarn_err *err)
{
    s->n_loaded = 0;
    s->cur = 0;
    s->next_row = 0;
    while (s->n_loaded < s->n_slots && s->next_rg < s->f->meta.n_row_groups) {
        int g = s->next_rg++;
        if (!s->rg_mask[g] || s->f->meta.row_groups[g].num_rows == 0)
            continue;
        slot *sl = &s->slots[s->n_loaded++];
        sl->rg = g;
        sl->rows = s->f->meta.row_groups[g].num_rows;
    }
    if (s->n_loaded == 0)
        return TARN_OK;
    tarn_pool *pool = tarn_pool_default();
    tarn_pool_run(pool, (int64_t)s->n_loaded * s->n_ls, leaf_task, s);
    for (int k = 0; k < s->n_loaded; k++)
        for (int i = 0; i < s->n_ls; i++)
            if (s->slots[k].ls[i].st != TARN_OK) {
                *err = s->slots[k].ls[i].err;
                return s->slots[k].ls[i].st;
            }
    int64_t n_jobs = 0;
    TARN_TRY(plan_assembly(s, &n_jobs, err));
    tarn_pool_run(pool, n_jobs, assemble_task, s);
    for (int64_t i = 0; i < n_jobs; i++)
        if (s->job_st[i] != TARN_OK) {
            *err = s->job_err[i];
            return s->job_st[i];
        }
    return TARN_OK;
}

static void leaf_state_fini(leaf_state *ls)
{
    tarn_free(ls->raw);
    tarn_free(ls->bounds);
    tarn_free(ls->page);
    tarn_free(ls->packed);
    tarn_free(ls->def);
    tarn_free(ls->rep);
    tarn_free(ls->phys);
    tarn_free(ls->idx);
    tarn_vec_destroy(ls->dict);
    tarn_vec_destroy(ls->ba);
    tarn_pq_values_fini(&ls->vals);
    for (int k = 0; k < ls->cap_out; k++)
        tarn_vec_destroy(ls->out[k]);
    tarn_free(ls->out);
}

static tarn_status leaf_state_init(leaf_state *ls, const tarn_pq_file *f, int leaf, bool flat,
                                   tarn_err *err)
{
    ls->leaf = &f->map->leaves[leaf];
    ls->leaf_index = leaf;
    ls->flat = flat;
    tarn_pq_values_init(&ls->vals);
    int32_t w = TARN_MAX(ls->leaf->width, 1);
    ls->piece = TARN_MAX(1, TARN_MIN(PIECE, PIECE_BYTES / w));
    ls->phys = tarn_alloc((size_t)(ls->piece * w));
    ls->idx = tarn_alloc((size_t)ls->piece * sizeof *ls->idx);
    ls->ba = tarn_vec_create_type(tarn_type_make(TARN_TYPE_BINARY));
    if (!ls->phys || !ls->idx || !ls->ba)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
    return TARN_OK;
}

static void slot_fini(slot *sl, int n_ls, int n_cols)
{
    if (sl->ls)
        for (int i = 0; i < n_ls; i++)
            leaf_state_fini(&sl->ls[i]);
    tarn_free(sl->ls);
    if (sl->cols)
        for (int i = 0; i < n_cols; i++) {
            for (int k = 0; k < sl->cols[i].cap_out; k++)
                tarn_vec_destroy(sl->cols[i].out[k]);
            tarn_free(sl->cols[i].out);
        }
    tarn_free(sl->cols);
}

/* Projected schema and the column layout of slot 0 (copied to the others). */
static tarn_status plan_columns(tarn_pq_scan *s, const tarn_pq_scan_opts *opts, col_state *cols,
                                tarn_err *err)
{
    const tarn_pq_schema_map *map = s->f->map;
    int n = s->n_cols, n_ls = 0;
    for (int i = 0; i < n; i++) {
        int top = opts && opts->columns ? opts->columns[i] : i;
        if (top < 0 || top >= map->schema->n_fields)
            return tarn_err_set(err, TARN_ERR_INVALID, "column %d does not exist", top);
        for (int j = 0; j < i; j++)
            if (cols[j].top == top)
                return tarn_err_set(err, TARN_ERR_INVALID, "column %d chosen twice", top);
        if (tarn_field_copy(s->schema->arena, &s->schema->fields[i], &map->schema->fields[top]))
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
        s->schema->n_fields = i + 1;
        col_state *cs = &cols[i];
        cs->top = top;
        cs->node = &map->tops[top];
        cs->field = &s->schema->fields[i];
        cs->flat = cs->node->kind == TARN_PQ_NODE_LEAF;
        cs->first_ls = n_ls;
        cs->n_ls = cs->node->n_leaves;
        n_ls += cs->n_ls;
    }
    s->n_ls = n_ls;
    return TARN_OK;
}

/* Narrow scans decode several row groups at once so every core has a
 * column chunk; the compressed bytes held at once stay under a budget. */
static int slots_for(const tarn_pq_scan *s, const col_state *cols)
{
    int pool = tarn_pool_size(tarn_pool_default());
    if (s->n_ls == 0 || s->n_ls >= pool || s->f->meta.n_row_groups < 2)
        return 1;
    int64_t bytes = 0;
    const tarn_pq_row_group *rg = &s->f->meta.row_groups[0];
    for (int c = 0; c < s->n_cols; c++)
        for (int k = 0; k < cols[c].n_ls; k++)
            bytes += rg->columns[cols[c].node->first_leaf + k].meta_data.total_compressed_size;
    int n = TARN_MIN(pool / s->n_ls, SCAN_MAX_SLOTS);
    while (n > 1 && bytes * n > SCAN_SLOT_BYTES)
        n--;
    return TARN_MAX(n, 1);
}

static tarn_status scan_setup(tarn_pq_scan *s, const tarn_pq_scan_opts *opts, tarn_err *err)
{
    int n = opts && opts->columns ? opts->n_columns : s->f->map->schema->n_fields;
    s->n_cols = n;
    s->schema = tarn_schema_create();
    col_state *plan = tarn_calloc((size_t)(n ? n : 1), sizeof *plan);
    tarn_status st = TARN_OK;
    if (!s->schema || !plan) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
        goto done;
    }
    s->schema->fields =
        tarn_arena_calloc(s->schema->arena, (size_t)(n ? n : 1), sizeof(tarn_field));
    s->batch.cols = tarn_calloc((size_t)(n ? n : 1), sizeof *s->batch.cols);
    if (!s->schema->fields || !s->batch.cols) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
        goto done;
    }
    st = plan_columns(s, opts, plan, err);
    if (st != TARN_OK)
        goto done;
    s->n_slots = slots_for(s, plan);
    s->slots = tarn_calloc((size_t)s->n_slots, sizeof *s->slots);
    if (!s->slots) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
        goto done;
    }
    for (int k = 0; k < s->n_slots && st == TARN_OK; k++) {
        slot *sl = &s->slots[k];
        sl->rg = -1;
        sl->ls = tarn_calloc((size_t)(s->n_ls ? s->n_ls : 1), sizeof *sl->ls);
        sl->cols = tarn_calloc((size_t)(n ? n : 1), sizeof *sl->cols);
        if (!sl->ls || !sl->cols) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
            break;
        }
        if (n)
            memcpy(sl->cols, plan, (size_t)n * sizeof *plan);
        for (int i = 0; i < n && st == TARN_OK; i++)
            for (int j = 0; j < plan[i].n_ls && st == TARN_OK; j++)
                st = leaf_state_init(&sl->ls[plan[i].first_ls + j], s->f,
                                     plan[i].node->first_leaf + j, plan[i].flat, err);
    }
    s->batch.schema = s->schema;
    s->batch.n_cols = n;
done:
    tarn_free(plan);
    return st;
}

tarn_status tarn_pq_scan_open(tarn_pq_file *f, const tarn_pq_scan_opts *opts, tarn_pq_scan **out,
                              tarn_err *err)
{
    *out = NULL;
    tarn_pq_scan *s = tarn_calloc(1, sizeof *s);
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory starting a scan");
    s->f = f;
    s->last_rg = -1;
    int n_rg = f->meta.n_row_groups;
    s->rg_mask = tarn_calloc((size_t)(n_rg ? n_rg : 1), sizeof *s->rg_mask);
    tarn_status st =
        s->rg_mask ? scan_setup(s, opts, err) : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st != TARN_OK) {
        tarn_pq_scan_close(s);
        return st;
    }
    for (int g = 0; g < n_rg; g++)
        s->rg_mask[g] = !opts || !opts->row_groups || opts->row_groups[g];
    *out = s;
    return TARN_OK;
}

const tarn_schema *tarn_pq_scan_schema(const tarn_pq_scan *s)
{
    return s->schema;
}

tarn_status tarn_pq_scan_next(tarn_pq_scan *s, tarn_batch **out, tarn_err *err)
{
    *out = NULL;
    if (s->failed) {
        *err = s->fail_err;
        return s->failed;
    }
    while (s->cur >= s->n_loaded || s->next_row >= s->slots[s->cur].rows) {
        if (s->cur < s->n_loaded && ++s->cur < s->n_loaded) {
            s->next_row = 0;
            continue;
        }
        tarn_status st = load_slots(s, err);
        if (st != TARN_OK) {
            s->failed = st;
            s->fail_err = *err;
            s->n_loaded = 0;
            return st;
        }
        if (s->n_loaded == 0)
            return TARN_OK;
    }
    slot *sl = &s->slots[s->cur];
    int k = (int)(s->next_row / TARN_BATCH_ROWS);
    int64_t n = TARN_MIN(TARN_BATCH_ROWS, sl->rows - s->next_row);
    for (int c = 0; c < s->n_cols; c++) {
        col_state *cs = &sl->cols[c];
        tarn_vec *v = cs->flat ? sl->ls[cs->first_ls].out[k] : cs->out[k];
        if (v->len != n)
            return tarn_err_set(err, TARN_ERR_INTERNAL, "batch column %d has %lld rows, not %lld",
                                c, (long long)v->len, (long long)n);
        s->batch.cols[c] = v;
    }
    s->batch.n_rows = n;
    s->last_rg = sl->rg;
    s->last_offset = s->next_row;
    s->next_row += n;
    *out = &s->batch;
    return TARN_OK;
}

int tarn_pq_scan_row_group(const tarn_pq_scan *s)
{
    return s->last_rg;
}

int64_t tarn_pq_scan_row_offset(const tarn_pq_scan *s)
{
    return s->last_offset;
}

void tarn_pq_scan_close(tarn_pq_scan *s)
{
    if (!s)
        return;
    if (s->slots)
        for (int k = 0; k < s->n_slots; k++)
            slot_fini(&s->slots[k], s->n_ls, s->n_cols);
    tarn_free(s->slots);
    tarn_free(s->jobs);
    tarn_free(s->job_err);
    tarn_free(s->job_st);
    tarn_free(s->batch.cols);
    tarn_free(s->rg_mask);
    tarn_schema_destroy(s->schema);
    tarn_free(s);
}
