/*
 * delta/scan.c - snapshot rows as batches (see delta/scan.h).
 *
 * Per file: resolve the path (decoded once), open the Parquet file, build a
 * plan per output column (partition value, all-NULL, or a Parquet column
 * with an adapter tree that reorders struct members, fills missing members
 * with NULL and casts leaves), load the deletion vector, then turn each
 * Parquet batch into one output batch. Physical row positions come from
 * the row-group sizes plus tarn_pq_scan_row_group/row_offset. Per-file
 * memory lives in an arena reset when the next file opens; the output
 * batch is reused for the whole scan. Columns whose file layout already is
 * the table's, in batches the deletion vector leaves whole, are lent from
 * the Parquet scan instead of copied (the handed-out batch is a view).
 */
#include "delta/scan.h"

#include "base/alloc.h"
#include "column/scalar.h"
#include "column/value.h"
#include "delta/dv.h"
#include "delta/partition.h"
#include "parquet/reader.h"

#include <string.h>
#include <strings.h>

/* How a leaf value moves from the file type to the table type. */
typedef enum cast_kind {
    CAST_COPY = 0, /* same layout: append_range */
    CAST_INT,      /* any integer to a (possibly narrower) signed integer, range-checked */
    CAST_U64,      /* uint64 to int64, range-checked */
    CAST_F32,      /* float to double */
    CAST_TS_NS,    /* nanoseconds to microseconds, must be exact */
    CAST_DECIMAL   /* decimal to wider precision and/or scale */
} cast_kind;

/* Maps one file field onto one table field (recursively). */
typedef struct adapter {
    const tarn_field *tf; /* table field */
    const tarn_field *ff; /* file field; NULL = the file lacks it (NULLs) */
    bool exact;           /* whole subtree has the table's layout: copy verbatim */
    cast_kind cast;       /* leaves */
    int n_kids;           /* = tf->n_children for nested types */
    struct adapter *kids; /* per table child */
    int *src;             /* per table child: file child index, -1 when missing */
} adapter;

typedef enum col_source {
    SRC_FILE = 0,  /* a Parquet column */
    SRC_PARTITION, /* add.partitionValues */
    SRC_NULL       /* the file lacks the column */
} col_source;

/* Plan for one output column in the current file. */
typedef struct col_plan {
    col_source source; /* where values come from */
    int pq_slot;       /* SRC_FILE: column index in the Parquet batch */
    adapter ad;        /* SRC_FILE: file -> table mapping */
    tarn_scalar part;  /* SRC_PARTITION: the value */
    tarn_vec *tmp;     /* SRC_FILE, not exact: gathered rows before adapting (owned) */
} col_plan;

struct tarn_delta_scan {
    const tarn_delta_snapshot *snap; /* borrowed */
    tarn_schema *schema;             /* output schema (owned) */
    int n_cols;                      /* logical output columns (hidden ones follow) */
    int *tcol;                       /* table column index per logical output column */
    bool with_file_info;             /* hidden columns present */
    bool (*keep_file)(void *, const tarn_delta_snapshot *, const tarn_delta_add *); /* filter */
    void *keep_ctx; /* filter context */
    bool (*keep_rg)(void *, const tarn_delta_snapshot *, const tarn_delta_add *,
                    const tarn_pq_file *, int); /* row-group filter */
    void *rg_ctx;                               /* its context */
    int next_file;                              /* next index into the file list */
    const tarn_delta_add *const *files;         /* explicit file list, or NULL for snap->files */
    int n_files;                                /* entries in files */
    tarn_batch *out;                            /* reused output batch (owned) */
    tarn_batch view;                            /* what next() hands out: out's vectors, or the
                                                   Parquet scan's own vectors for columns that
                                                   need no change (zero copy) */
    tarn_vec **view_cols;                       /* view.cols (heap) */
    int64_t *sel;                               /* kept row indexes of the current batch */
    int64_t sel_cap;                            /* entries allocated in sel */
    int64_t files_read;                         /* statistics */
    int64_t rows_deleted;                       /* statistics */
    /* current file */
    bool open;                 /* a file is being read */
    tarn_arena *fa;            /* per-file arena (reset per file) */
    const tarn_delta_add *add; /* its add action */
    char *path;                /* its local path (fa) */
    tarn_pq_file *pf;          /* open Parquet file */
    tarn_pq_scan *ps;          /* scan over it; NULL when synthesizing rows */
    int64_t num_rows;          /* rows in the file */
    int64_t synth_pos;         /* next row when no Parquet column is needed */
    int64_t *rg_start;         /* first row position of each row group (fa) */
    int n_rg;                  /* row groups */
    col_plan *plan;            /* per logical output column (fa; tmp vectors heap) */
    tarn_delta_dv_rows dv;     /* deleted rows of the file */
};

static tarn_status nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

/* Field matching ------------------------------------------------------------------ */

/* Index of the file child/column matching table field tf, or -1: by field
 * id in id mode, by physical name in name mode (a field lacking its id or
 * physical name falls back to the next key), else by name, then by name in
 * any case (Delta names are unique regardless of case). */
static int match_field(const tarn_field *files, int n, const tarn_field *tf,
                       tarn_delta_cm_mode mode)
{
    if (mode == TARN_DELTA_CM_ID && tf->field_id >= 0) {
        for (int i = 0; i < n; i++)
            if (files[i].field_id == tf->field_id)
                return i;
        return -1;
    }
    if (mode != TARN_DELTA_CM_NONE && tf->physical_name) {
        for (int i = 0; i < n; i++)
            if (strcmp(files[i].name, tf->physical_name) == 0)
                return i;
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (strcmp(files[i].name, tf->name) == 0)
            return i;
    for (int i = 0; i < n; i++)
        if (strcasecmp(files[i].name, tf->name) == 0)
            return i;
    return -1;
}

static bool is_int(tarn_type_id id)
{
    return id == TARN_TYPE_INT8 || id == TARN_TYPE_INT16 || id == TARN_TYPE_INT32 ||
           id == TARN_TYPE_INT64 || id == TARN_TYPE_UINT8 || id == TARN_TYPE_UINT16 ||
           id == TARN_TYPE_UINT32;
}

static bool is_ts(tarn_type_id id)
{
    return id == TARN_TYPE_TIMESTAMP || id == TARN_TYPE_TIMESTAMP_NTZ;
}

/* Chooses the cast for a leaf; false when tarn refuses the combination. */
static bool leaf_cast(tarn_type from, tarn_type to, cast_kind *out)
{
    *out = CAST_COPY;
    if (tarn_type_equal(from, to))
        return true;
    bool to_int = to.id == TARN_TYPE_INT8 || to.id == TARN_TYPE_INT16 || to.id == TARN_TYPE_INT32 ||
                  to.id == TARN_TYPE_INT64;
    if (to_int && is_int(from.id)) {
        *out = CAST_INT;
        return true;
    }
    if (to.id == TARN_TYPE_INT64 && from.id == TARN_TYPE_UINT64) {
        *out = CAST_U64;
        return true;
    }
    if (to.id == TARN_TYPE_FLOAT64 && from.id == TARN_TYPE_FLOAT32) {
        *out = CAST_F32;
        return true;
    }
    if (is_ts(to.id) && is_ts(from.id))
        return true; /* both are microseconds since the epoch */
    if (is_ts(to.id) && from.id == TARN_TYPE_TIMESTAMP_NS) {
        *out = CAST_TS_NS;
        return true;
    }
    if ((to.id == TARN_TYPE_STRING || to.id == TARN_TYPE_BINARY) &&
        (from.id == TARN_TYPE_STRING || from.id == TARN_TYPE_BINARY))
        return true; /* same layout */
    if (to.id == TARN_TYPE_DECIMAL && from.id == TARN_TYPE_DECIMAL && to.scale >= from.scale &&
        to.precision - to.scale >= from.precision - from.scale) {
        *out = CAST_DECIMAL;
        return true;
    }
    return false;
}

static tarn_status mismatch(const tarn_field *tf, const tarn_field *ff, const char *path,
                            tarn_err *err)
{
    tarn_buf a = TARN_BUF_INIT, b = TARN_BUF_INIT;
    if (tarn_field_type_format(tf, &a) != TARN_OK || tarn_field_type_format(ff, &b) != TARN_OK) {
        tarn_buf_fini(&a);
        tarn_buf_fini(&b);
        return nomem(err);
    }
    tarn_status st = tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                  "column '%s' is %s in the table but %s in data file %s", tf->name,
                                  a.data ? a.data : "?", b.data ? b.data : "?", path);
    tarn_buf_fini(&a);
    tarn_buf_fini(&b);
    return st;
}

/* Builds the adapter of table field tf read from file field ff (NULL when
 * the file lacks it). */
static tarn_status build_adapter(tarn_arena *a, adapter *ad, const tarn_field *tf,
                                 const tarn_field *ff, tarn_delta_cm_mode mode, const char *path,
                                 tarn_err *err)
{
    memset(ad, 0, sizeof *ad);
    ad->tf = tf;
    ad->ff = ff;
    if (!ff)
        return TARN_OK;
    bool nested = tarn_type_is_nested(tf->type.id);
    if (nested != tarn_type_is_nested(ff->type.id) || (nested && tf->type.id != ff->type.id))
        return mismatch(tf, ff, path, err);
    if (!nested) {
        if (!leaf_cast(ff->type, tf->type, &ad->cast))
            return mismatch(tf, ff, path, err);
        ad->exact = ad->cast == CAST_COPY;
        return TARN_OK;
    }
    ad->n_kids = tf->n_children;
    ad->kids = tarn_arena_calloc(a, (size_t)(ad->n_kids + 1), sizeof *ad->kids);
    ad->src = tarn_arena_calloc(a, (size_t)(ad->n_kids + 1), sizeof *ad->src);
    if (!ad->kids || !ad->src)
        return nomem(err);
    bool exact = tf->n_children == ff->n_children;
    for (int i = 0; i < ad->n_kids; i++) {
        const tarn_field *tc = &tf->children[i];
        int k;
        if (tf->type.id == TARN_TYPE_STRUCT)
            k = match_field(ff->children, ff->n_children, tc, mode);
        else
            k = i < ff->n_children ? i : -1;
        if (k < 0 && tf->type.id != TARN_TYPE_STRUCT)
            return mismatch(tf, ff, path, err);
        ad->src[i] = k;
        TARN_TRY(
            build_adapter(a, &ad->kids[i], tc, k >= 0 ? &ff->children[k] : NULL, mode, path, err));
        exact = exact && k == i && ad->kids[i].exact;
    }
    ad->exact = exact;
    return TARN_OK;
}

/* Adapting values ------------------------------------------------------------------ */

static tarn_status cast_overflow(const adapter *ad, tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_DATA, "column '%s': a value in the data file does not fit %s",
                        ad->tf->name,
                        ad->tf->type.id == TARN_TYPE_INT8    ? "byte"
                        : ad->tf->type.id == TARN_TYPE_INT16 ? "short"
                        : ad->tf->type.id == TARN_TYPE_INT32 ? "integer"
                                                             : "the table type");
}

static tarn_status cast_leaf(tarn_vec *dst, const tarn_vec *src, const adapter *ad, int64_t start,
                             int64_t n, tarn_err *err)
{
    if (ad->cast == CAST_COPY) {
        tarn_status st = tarn_vec_append_range(dst, src, start, n);
        return st == TARN_OK ? TARN_OK : tarn_err_set(err, st, "cannot grow a column vector");
    }
    if (tarn_vec_reserve(dst, n) != TARN_OK)
        return nomem(err);
    TARN_TRY(tarn_vec_copy_validity(dst, src, start, n));
    int w = tarn_type_width(dst->type);
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (dst->type.id == TARN_TYPE_INT8)
        lo = INT8_MIN, hi = INT8_MAX;
    else if (dst->type.id == TARN_TYPE_INT16)
        lo = INT16_MIN, hi = INT16_MAX;
    else if (dst->type.id == TARN_TYPE_INT32)
        lo = INT32_MIN, hi = INT32_MAX;
    for (int64_t i = 0; i < n; i++) {
        int64_t r = start + i, d = dst->len + i;
        bool ok = tarn_vec_is_valid(src, r);
        int64_t x = 0;
        switch (ad->cast) {
        case CAST_INT:
            x = ok ? tarn_vec_get_int(src, r) : 0;
            if (x < lo || x > hi)
                return cast_overflow(ad, err);
            if (w == 1)
                ((int8_t *)dst->data)[d] = (int8_t)x;
            else if (w == 2)
                ((int16_t *)dst->data)[d] = (int16_t)x;
            else if (w == 4)
                ((int32_t *)dst->data)[d] = (int32_t)x;
            else
                ((int64_t *)dst->data)[d] = x;
            break;
        case CAST_U64: {
            uint64_t u = ok ? ((const uint64_t *)src->data)[r] : 0;
            if (u > (uint64_t)INT64_MAX)
                return cast_overflow(ad, err);
            ((int64_t *)dst->data)[d] = (int64_t)u;
            break;
        }
        case CAST_F32:
            ((double *)dst->data)[d] = ok ? (double)((const float *)src->data)[r] : 0.0;
            break;
        case CAST_TS_NS:
            x = ok ? ((const int64_t *)src->data)[r] : 0;
            if (x % 1000 != 0)
                return tarn_err_set(err, TARN_ERR_DATA,
                                    "column '%s': the data file holds a timestamp with "
                                    "nanoseconds, which the table type cannot hold",
                                    ad->tf->name);
            ((int64_t *)dst->data)[d] = x / 1000;
            break;
        case CAST_DECIMAL: {
            tarn_i128 v = ok ? tarn_vec_get_decimal(src, r) : 0;
            v *= tarn_pow10_i128(dst->type.scale - src->type.scale);
            if (tarn_decimal_is_wide(dst->type))
                memcpy(dst->data + d * 16, &v, 16);
            else
                ((int64_t *)dst->data)[d] = (int64_t)v;
            break;
        }
        default:
            return tarn_err_set(err, TARN_ERR_INTERNAL, "unknown cast");
        }
    }
    dst->len += n;
    return TARN_OK;
}

/* Appends rows [start, start+n) of src (file layout) to dst (table layout). */
static tarn_status adapt_append(tarn_vec *dst, const tarn_vec *src, const adapter *ad,
                                int64_t start, int64_t n, tarn_err *err)
{
    if (n <= 0)
        return TARN_OK;
    if (!ad->ff || !src) {
        tarn_status st = tarn_vec_append_nulls(dst, n);
        return st == TARN_OK ? TARN_OK : nomem(err);
    }
    if (ad->exact) {
        tarn_status st = tarn_vec_append_range(dst, src, start, n);
        return st == TARN_OK ? TARN_OK : tarn_err_set(err, st, "cannot grow a column vector");
    }
    if (!tarn_type_is_nested(dst->type.id))
        return cast_leaf(dst, src, ad, start, n, err);
    if (tarn_vec_reserve(dst, n) != TARN_OK)
        return nomem(err);
    TARN_TRY(tarn_vec_copy_validity(dst, src, start, n));
    if (dst->type.id == TARN_TYPE_STRUCT) {
        for (int i = 0; i < ad->n_kids; i++) {
            const tarn_vec *sc = ad->src[i] >= 0 ? src->children[ad->src[i]] : NULL;
            TARN_TRY(adapt_append(dst->children[i], sc, &ad->kids[i], start, n, err));
        }
    } else { /* LIST, MAP: offsets into the children */
        int32_t c0 = src->offsets[start], c1 = src->offsets[start + n];
        int32_t shift = (int32_t)dst->children[0]->len - c0;
        for (int i = 0; i < ad->n_kids; i++)
            TARN_TRY(adapt_append(dst->children[i], src->children[ad->src[i]], &ad->kids[i], c0,
                                  c1 - c0, err));
        for (int64_t i = 1; i <= n; i++)
            dst->offsets[dst->len + i] = src->offsets[start + i] + shift;
    }
    dst->len += n;
    return TARN_OK;
}

/* Opening files ---------------------------------------------------------------- */

static void close_file(tarn_delta_scan *s)
{
    if (s->plan)
        for (int i = 0; i < s->n_cols; i++)
            tarn_vec_destroy(s->plan[i].tmp);
    s->plan = NULL;
    if (s->ps)
        tarn_pq_scan_close(s->ps);
    if (s->pf)
        tarn_pq_file_close(s->pf);
    s->ps = NULL;
    s->pf = NULL;
    tarn_delta_dv_rows_fini(&s->dv);
    tarn_arena_reset(s->fa);
    s->open = false;
}

/* Partition value of table column tc for the current file. */
static tarn_status plan_partition(tarn_delta_scan *s, col_plan *p, const tarn_field *tf,
                                  tarn_err *err)
{
    const tarn_delta_add *ad = s->add;
    const char *key = tf->name;
    if (s->snap->column_mapping != TARN_DELTA_CM_NONE && tf->physical_name)
        key = tf->physical_name;
    const char *val = NULL;
    bool found = false;
    for (int i = 0; i < ad->n_partition_values && !found; i++) {
        if (strcmp(ad->partition_values[i].key, key) == 0) {
            val = ad->partition_values[i].value;
            found = true;
        }
    }
    for (int i = 0; i < ad->n_partition_values && !found; i++) { /* logical name, any case */
        if (strcasecmp(ad->partition_values[i].key, tf->name) == 0) {
            val = ad->partition_values[i].value;
            found = true;
        }
    }
    p->source = SRC_PARTITION;
    tarn_status st = tarn_delta_partition_parse(s->fa, tf->type, val, &p->part, err);
    if (st != TARN_OK)
        tarn_err_prefix(err, "partition column '%s' of %s", tf->name, ad->path);
    return st;
}

static bool is_partition(const tarn_delta_snapshot *snap, int tcol)
{
    for (int i = 0; i < snap->n_partition_columns; i++)
        if (snap->partition_column_index[i] == tcol)
            return true;
    return false;
}

/* Builds the column plans and the Parquet scan for the current file. */
static tarn_status plan_file(tarn_delta_scan *s, tarn_err *err)
{
    const tarn_schema *fs = tarn_pq_file_schema(s->pf);
    const tarn_schema *ts = s->snap->schema;
    s->plan = tarn_arena_calloc(s->fa, (size_t)(s->n_cols + 1), sizeof *s->plan);
    int *cols = tarn_arena_calloc(s->fa, (size_t)(s->n_cols + 1), sizeof *cols);
    if (!s->plan || !cols)
        return nomem(err);
    int n_pq = 0;
    for (int c = 0; c < s->n_cols; c++) {
        col_plan *p = &s->plan[c];
        const tarn_field *tf = &ts->fields[s->tcol[c]];
        if (is_partition(s->snap, s->tcol[c])) {
            TARN_TRY(plan_partition(s, p, tf, err));
            continue;
        }
        int k = match_field(fs->fields, fs->n_fields, tf, s->snap->column_mapping);
        if (k < 0) {
            p->source = SRC_NULL;
            continue;
        }
        p->source = SRC_FILE;
        int slot = -1;
        for (int j = 0; j < n_pq; j++)
            if (cols[j] == k)
                slot = j;
        if (slot < 0) {
            slot = n_pq;
            cols[n_pq++] = k;
        }
        p->pq_slot = slot;
        TARN_TRY(build_adapter(s->fa, &p->ad, tf, &fs->fields[k], s->snap->column_mapping,
                               s->add->path, err));
        if (!p->ad.exact) {
            p->tmp = tarn_vec_create(&fs->fields[k]);
            if (!p->tmp)
                return nomem(err);
        }
    }
    if (n_pq == 0)
        return TARN_OK; /* rows are counted, not read */
    /* Row groups the statistics exclude are not read. Positions matter for
     * deletion vectors and _row_index, so only files without either. */
    bool *keep = NULL;
    if (s->keep_rg && !s->add->has_dv && !s->with_file_info) {
        int n_rg = tarn_pq_file_num_row_groups(s->pf);
        keep = tarn_arena_calloc(s->fa, (size_t)n_rg + 1, sizeof *keep);
        if (!keep)
            return nomem(err);
        for (int rg = 0; rg < n_rg; rg++)
            keep[rg] = s->keep_rg(s->rg_ctx, s->snap, s->add, s->pf, rg);
    }
    tarn_pq_scan_opts opts = {cols, n_pq, keep};
    return tarn_pq_scan_open(s->pf, &opts, &s->ps, err);
}

/* Opens the next file the filter keeps; s->open stays false at the end. */
static tarn_status open_next(tarn_delta_scan *s, tarn_err *err)
{
    const tarn_delta_snapshot *snap = s->snap;
    int n = s->files ? s->n_files : snap->n_files;
    while (s->next_file < n) {
        int fi = s->next_file++;
        const tarn_delta_add *add = s->files ? s->files[fi] : &snap->files[fi];
        if (s->keep_file && !s->keep_file(s->keep_ctx, snap, add))
            continue;
        s->add = add;
        s->open = true;
        s->path = NULL;
        tarn_status st = tarn_delta_path_resolve(s->fa, snap->table_path, add->path, &s->path, err);
        if (st == TARN_OK)
            st = tarn_pq_file_open(s->path, &s->pf, err);
        if (st == TARN_OK) {
            s->num_rows = tarn_pq_file_num_rows(s->pf);
            s->synth_pos = 0;
            const tarn_pq_file_meta *m = tarn_pq_file_metadata(s->pf);
            s->n_rg = m->n_row_groups;
            s->rg_start = tarn_arena_alloc(s->fa, (size_t)(s->n_rg + 1) * sizeof(int64_t));
            if (!s->rg_start)
                st = nomem(err);
            for (int i = 0; st == TARN_OK && i <= s->n_rg; i++)
                s->rg_start[i] = i == 0 ? 0 : s->rg_start[i - 1] + m->row_groups[i - 1].num_rows;
        }
        if (st == TARN_OK && add->has_dv)
            st = tarn_delta_dv_load(snap->table_path, &add->dv, (uint64_t)s->num_rows, &s->dv, err);
        if (st == TARN_OK)
            st = plan_file(s, err);
        if (st != TARN_OK) {
            if (s->path)
                tarn_err_at_path(err, s->path);
            close_file(s);
            return st;
        }
        s->files_read++;
        return TARN_OK;
    }
    return TARN_OK;
}

/* Batches ------------------------------------------------------------------------ */

/* Fills s->sel with the rows of [pos0, pos0+n) that the DV keeps; returns
 * how many (n when nothing is deleted there, and s->sel is then unused). */
static int64_t select_rows(tarn_delta_scan *s, int64_t pos0, int64_t n, bool *use_sel)
{
    *use_sel = false;
    if (s->dv.n == 0)
        return n;
    int64_t j = tarn_delta_dv_rows_lower_bound(&s->dv, (uint64_t)pos0);
    if (j >= s->dv.n || s->dv.rows[j] >= (uint64_t)(pos0 + n))
        return n;
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        if (j < s->dv.n && s->dv.rows[j] == (uint64_t)(pos0 + i)) {
            j++;
            continue;
        }
        s->sel[k++] = i;
    }
    s->rows_deleted += n - k;
    *use_sel = true;
    return k;
}

/* Whether two vectors have the same types all the way down (a lent vector
 * must carry the table's types, not merely the same layout). */
static bool same_types(const tarn_vec *a, const tarn_vec *b)
{
    if (!tarn_type_equal(a->type, b->type) || a->n_children != b->n_children)
        return false;
    for (int i = 0; i < a->n_children; i++)
        if (!same_types(a->children[i], b->children[i]))
            return false;
    return true;
}

static tarn_status fill_column(tarn_delta_scan *s, int c, const tarn_batch *b, int64_t n,
                               bool use_sel, int64_t k, tarn_err *err)
{
    col_plan *p = &s->plan[c];
    tarn_vec *dst = s->out->cols[c];
    tarn_status st = TARN_OK;
    switch (p->source) {
    case SRC_NULL:
        st = tarn_vec_append_nulls(dst, k);
        break;
    case SRC_PARTITION:
        if (tarn_vec_reserve(dst, k) != TARN_OK)
            return nomem(err);
        for (int64_t i = 0; i < k && st == TARN_OK; i++)
            st =
                p->part.is_null ? tarn_vec_append_null(dst) : tarn_vec_append_scalar(dst, &p->part);
        break;
    case SRC_FILE: {
        const tarn_vec *src = b->cols[p->pq_slot];
        if (p->ad.exact && !use_sel && same_types(src, dst)) {
            /* Same layout, every row kept: lend the Parquet vector (valid until
             * the next call, like the batch itself). */
            s->view_cols[c] = b->cols[p->pq_slot];
            return TARN_OK;
        }
        if (p->ad.exact)
            st = use_sel ? tarn_vec_append_take(dst, src, s->sel, k)
                         : tarn_vec_append_range(dst, src, 0, n);
        else if (!use_sel)
            return adapt_append(dst, src, &p->ad, 0, n, err);
        else {
            tarn_vec_reset(p->tmp);
            st = tarn_vec_append_take(p->tmp, src, s->sel, k);
            if (st == TARN_OK)
                return adapt_append(dst, p->tmp, &p->ad, 0, k, err);
        }
        break;
    }
    }
    return st == TARN_OK ? TARN_OK : tarn_err_set(err, st, "cannot grow a column vector");
}

static tarn_status fill_hidden(tarn_delta_scan *s, int64_t pos0, bool use_sel, int64_t k,
                               tarn_err *err)
{
    tarn_vec *fv = s->out->cols[s->n_cols], *rv = s->out->cols[s->n_cols + 1];
    size_t pl = strlen(s->add->path);
    if (tarn_vec_reserve(fv, k) != TARN_OK ||
        tarn_vec_reserve_bytes(fv, (int64_t)pl * k) != TARN_OK ||
        tarn_vec_reserve(rv, k) != TARN_OK)
        return nomem(err);
    for (int64_t i = 0; i < k; i++) {
        if (tarn_vec_append_bytes(fv, s->add->path, (int64_t)pl) != TARN_OK ||
            tarn_vec_append_i64(rv, pos0 + (use_sel ? s->sel[i] : i)) != TARN_OK)
            return nomem(err);
    }
    return TARN_OK;
}

/* Produces the next chunk of the current file into s->out; *out_rows is 0
 * when the chunk was entirely deleted, -1 at the end of the file. */
static tarn_status next_chunk(tarn_delta_scan *s, int64_t *out_rows, tarn_err *err)
{
    tarn_batch *b = NULL;
    int64_t n, pos0;
    if (s->ps) {
        TARN_TRY(tarn_pq_scan_next(s->ps, &b, err));
        if (!b) {
            *out_rows = -1;
            return TARN_OK;
        }
        n = b->n_rows;
        int rg = tarn_pq_scan_row_group(s->ps);
        if (rg < 0 || rg >= s->n_rg)
            return tarn_err_set(err, TARN_ERR_INTERNAL, "row group %d out of range", rg);
        pos0 = s->rg_start[rg] + tarn_pq_scan_row_offset(s->ps);
    } else {
        n = TARN_MIN(s->num_rows - s->synth_pos, (int64_t)TARN_BATCH_ROWS);
        if (n <= 0) {
            *out_rows = -1;
            return TARN_OK;
        }
        pos0 = s->synth_pos;
        s->synth_pos += n;
    }
    if (n > s->sel_cap) {
        int64_t *ns = tarn_realloc(s->sel, (size_t)n * sizeof *ns);
        if (!ns)
            return nomem(err);
        s->sel = ns;
        s->sel_cap = n;
    }
    bool use_sel;
    int64_t k = select_rows(s, pos0, n, &use_sel);
    *out_rows = k;
    if (k == 0)
        return TARN_OK;
    for (int c = 0; c < s->n_cols; c++) {
        s->view_cols[c] = s->out->cols[c];
        TARN_TRY(fill_column(s, c, b, n, use_sel, k, err));
    }
    if (s->with_file_info)
        TARN_TRY(fill_hidden(s, pos0, use_sel, k, err));
    return TARN_OK;
}

tarn_status tarn_delta_scan_next(tarn_delta_scan *s, tarn_batch **out, tarn_err *err)
{
    *out = NULL;
    tarn_batch_reset(s->out);
    for (;;) {
        if (!s->open) {
            TARN_TRY(open_next(s, err));
            if (!s->open)
                return TARN_OK; /* no more files */
        }
        int64_t rows = 0;
        tarn_status st = next_chunk(s, &rows, err);
        if (st != TARN_OK) {
            if (s->path)
                tarn_err_at_path(err, s->path);
            close_file(s);
            return st;
        }
        if (rows < 0) {
            close_file(s);
            continue;
        }
        if (rows == 0)
            continue;
        s->view.n_rows = rows;
        for (int c = 0; c < s->view.n_cols; c++)
            if (s->view.cols[c]->len != rows)
                return tarn_err_set(err, TARN_ERR_INTERNAL,
                                    "scan column %d has %lld rows, expected %lld", c,
                                    (long long)s->view.cols[c]->len, (long long)rows);
        *out = &s->view;
        return TARN_OK;
    }
}

/* Opening and closing the scan ----------------------------------------------------- */

static tarn_status build_schema(tarn_delta_scan *s, const tarn_delta_scan_opts *o, tarn_err *err)
{
    const tarn_schema *ts = s->snap->schema;
    s->n_cols = (o && o->columns) ? o->n_columns : ts->n_fields;
    s->tcol = tarn_calloc((size_t)s->n_cols + 1, sizeof *s->tcol);
    s->schema = tarn_schema_create();
    if (!s->tcol || !s->schema)
        return nomem(err);
    int n_out = s->n_cols + (s->with_file_info ? 2 : 0);
    s->schema->fields = tarn_arena_calloc(s->schema->arena, (size_t)n_out + 1, sizeof(tarn_field));
    if (!s->schema->fields)
        return nomem(err);
    for (int c = 0; c < s->n_cols; c++) {
        int k = c;
        if (o && o->columns) {
            k = tarn_schema_find(ts, o->columns[c]);
            if (k < 0)
                k = tarn_schema_find_ci(ts, o->columns[c]);
            if (k < 0)
                return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                                    "column '%s' does not exist in table %s", o->columns[c],
                                    s->snap->table_path);
        }
        s->tcol[c] = k;
        if (tarn_field_copy(s->schema->arena, &s->schema->fields[c], &ts->fields[k]) != TARN_OK)
            return nomem(err);
    }
    s->schema->n_fields = s->n_cols;
    if (s->with_file_info) {
        const char *names[2] = {TARN_DELTA_COL_FILE, TARN_DELTA_COL_ROW_INDEX};
        tarn_type types[2] = {tarn_type_make(TARN_TYPE_STRING), tarn_type_make(TARN_TYPE_INT64)};
        for (int i = 0; i < 2; i++) {
            if (tarn_schema_find(s->schema, names[i]) >= 0)
                return tarn_err_set(err, TARN_ERR_INVALID,
                                    "the table has a column named '%s', which clashes with the "
                                    "scan's hidden column",
                                    names[i]);
            tarn_field *f = &s->schema->fields[s->schema->n_fields++];
            memset(f, 0, sizeof *f);
            f->name = names[i];
            f->type = types[i];
            f->field_id = -1;
        }
    }
    return TARN_OK;
}

tarn_status tarn_delta_scan_open(const tarn_delta_snapshot *snap, const tarn_delta_scan_opts *opts,
                                 tarn_delta_scan **out, tarn_err *err)
{
    *out = NULL;
    tarn_delta_scan *s = tarn_calloc(1, sizeof *s);
    if (!s)
        return nomem(err);
    s->snap = snap;
    s->with_file_info = opts && opts->with_file_info;
    s->keep_file = opts ? opts->keep_file : NULL;
    s->keep_ctx = opts ? opts->keep_ctx : NULL;
    s->keep_rg = opts ? opts->keep_row_group : NULL;
    s->rg_ctx = opts ? opts->rg_ctx : NULL;
    s->files = opts ? opts->files : NULL;
    s->n_files = opts && opts->files ? opts->n_files : 0;
    tarn_status st = build_schema(s, opts, err);
    if (st == TARN_OK) {
        s->fa = tarn_arena_create(1 << 16);
        s->out = tarn_batch_create(s->schema);
        if (!s->fa || !s->out)
            st = nomem(err);
    }
    if (st == TARN_OK) {
        s->view_cols = tarn_calloc((size_t)s->out->n_cols + 1, sizeof *s->view_cols);
        if (!s->view_cols)
            st = nomem(err);
        for (int c = 0; st == TARN_OK && c < s->out->n_cols; c++)
            s->view_cols[c] = s->out->cols[c];
        s->view.schema = s->schema;
        s->view.n_cols = s->out->n_cols;
        s->view.cols = s->view_cols;
    }
    if (st != TARN_OK) {
        tarn_delta_scan_close(s);
        return st;
    }
    *out = s;
    return TARN_OK;
}

const tarn_schema *tarn_delta_scan_schema(const tarn_delta_scan *s)
{
    return s->schema;
}

int64_t tarn_delta_scan_files_read(const tarn_delta_scan *s)
{
    return s->files_read;
}

int64_t tarn_delta_scan_rows_deleted(const tarn_delta_scan *s)
{
    return s->rows_deleted;
}

void tarn_delta_scan_close(tarn_delta_scan *s)
{
    if (!s)
        return;
    if (s->fa)
        close_file(s);
    tarn_arena_destroy(s->fa);
    tarn_batch_destroy(s->out);
    tarn_free(s->view_cols);
    tarn_schema_destroy(s->schema);
    tarn_free(s->tcol);
    tarn_free(s->sel);
    tarn_free(s);
}
