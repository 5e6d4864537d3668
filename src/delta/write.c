/*
 * delta/write.c - append/overwrite into Delta tables and the data-file
 * writer (partition routing, rolling, statistics) beneath them.
 *
 * Routing is per batch: a row joins the previous row's partition when its
 * partition values are equal (sorted or low-cardinality input costs one
 * compare per row), otherwise the partition is found by hash. A batch that
 * falls in one partition is handed to the Parquet writer as is (a column
 * view, no copy); otherwise rows are gathered per partition with one index
 * list each (tarn_vec_append_take). Partition columns are not stored in the
 * data files. Every file is tracked by the transaction before it is
 * created, so a failed write leaves nothing behind but what vacuum sweeps
 * after a crash.
 */
#include "delta/write.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/pool.h"
#include "base/time.h"
#include "delta/partition.h"
#include "delta/schema.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* File writer -------------------------------------------------------------- */

typedef struct pfile pfile;

typedef struct part {
    uint64_t hash;         /* hash of the partition values */
    tarn_scalar *keys;     /* typed values, one per partition column (arena) */
    tarn_delta_kv *values; /* serialized values for add.partitionValues (arena) */
    char *dir;             /* "a=1/b=x", "" when unpartitioned (arena) */
    pfile *open;           /* the open file of this partition, or NULL */
    int next;              /* next part in the same hash bucket, -1 at the end */
    uint32_t batch_epoch;  /* batch that last used it (slot valid when equal) */
    int batch_slot;        /* group number inside that batch */
} part;

struct pfile {
    int part;                          /* index into parts */
    tarn_pq_writer *pq;                /* open Parquet writer */
    char *abs_path;                    /* file path on disk (heap) */
    char *rel_path;                    /* path relative to the table root (heap) */
    tarn_delta_stats_collector *stats; /* statistics of this file */
    int64_t rows;                      /* rows written */
    int64_t est_bytes;                 /* estimated uncompressed bytes written */
    uint64_t last_used;                /* LRU tick */
};

struct tarn_delta_file_writer {
    tarn_delta_transaction *tx;    /* receives tracked files and adds (borrowed) */
    const char *table;             /* table root (borrowed from tx) */
    tarn_delta_file_writer_opts o; /* options (defaults filled) */
    tarn_pq_write_opts pq;         /* Parquet options per file */
    tarn_schema *data_schema;      /* table schema minus partition columns (owned) */
    int n_pcols;                   /* partition columns */
    int *pcol;                     /* table column index per partition column (heap) */
    int n_dcols;                   /* data columns */
    int *dcol;                     /* table column index per data column (heap) */
    tarn_arena *arena;             /* partition keys and names */
    part *parts;                   /* known partitions (heap array) */
    int n_parts;                   /* entries in parts */
    int cap_parts;                 /* capacity of parts */
    int *buckets;                  /* hash buckets -> first part, -1 empty (heap) */
    int n_buckets;                 /* power of two */
    pfile **open;                  /* open files (heap array of max_open_files) */
    int n_open;                    /* entries in open */
    uint64_t tick;                 /* LRU clock */
    int file_seq;                  /* numbers part-NNNNN */
    const char *ext;               /* ".zstd.parquet" ... */
    uint32_t epoch;                /* batch counter for part slots */
    int *row_part;                 /* per row: part index (heap, cap_rows) */
    int64_t *idx;                  /* gathered row indexes (heap, cap_rows) */
    int64_t cap_rows;              /* capacity of row_part / idx */
    int *slot_part;                /* per batch group: part index (heap, cap_rows) */
    int64_t *slot_count;           /* per batch group: rows (heap, cap_rows) */
    int64_t *slot_start;           /* per batch group: start in idx (heap, cap_rows) */
    tarn_batch *staging;           /* gathered rows of one partition */
    tarn_vec **view_cols;          /* data column view of an input batch (heap) */
    int64_t rows;                  /* rows in closed files */
    int64_t files;                 /* files closed (add actions made) */
    int64_t bytes;                 /* bytes of those files */
    /* deferred: files and adds kept here until tarn_delta_file_writer_publish */
    char **made;          /* files written (heap strings) */
    int n_made, cap_made; /* entries / capacity of made */
    tarn_delta_add *adds; /* adds of closed files (strings in arena) */
    int n_adds, cap_adds; /* entries / capacity of adds */
    bool published;       /* made/adds went to the transaction */
};

static tarn_status fw_nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "write: out of memory");
}

static const char *codec_ext(tarn_pq_codec c)
{
    switch (c) {
    case TARN_PQ_UNCOMPRESSED:
        return ".parquet";
    case TARN_PQ_SNAPPY:
        return ".snappy.parquet";
    case TARN_PQ_GZIP:
        return ".gz.parquet";
    case TARN_PQ_BROTLI:
        return ".brotli.parquet";
    case TARN_PQ_LZ4:
        return ".lz4.parquet";
    case TARN_PQ_LZ4_RAW:
        return ".lz4raw.parquet";
    case TARN_PQ_ZSTD:
        return ".zstd.parquet";
    default:
        return ".parquet";
    }
}

char *tarn_delta_hive_escape(tarn_arena *a, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!value || !*value)
        return tarn_arena_strdup(a, "__HIVE_DEFAULT_PARTITION__");
    size_t n = strlen(value);
    char *out = tarn_arena_alloc(a, n * 3 + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7F || strchr("\"#%'*/:=?\\{[]^", c)) {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

bool tarn_delta_codec_from_config(const tarn_delta_kv *config, int n_config, tarn_pq_codec *out)
{
    static const struct {
        const char *name;
        tarn_pq_codec codec;
    } names[] = {{"uncompressed", TARN_PQ_UNCOMPRESSED},
                 {"none", TARN_PQ_UNCOMPRESSED},
                 {"snappy", TARN_PQ_SNAPPY},
                 {"gzip", TARN_PQ_GZIP},
                 {"lz4", TARN_PQ_LZ4},
                 {"lz4_raw", TARN_PQ_LZ4_RAW},
                 {"zstd", TARN_PQ_ZSTD},
                 {"brotli", TARN_PQ_BROTLI}};
    const char *v = tarn_delta_kv_get(config, n_config, "delta.parquet.compression.codec");
    for (size_t i = 0; v && i < TARN_ARRAY_LEN(names); i++)
        if (strcasecmp(v, names[i].name) == 0) {
            *out = names[i].codec;
            return true;
        }
    return false;
}

/* Estimated uncompressed bytes of rows [0, n) of v. */
static int64_t est_vec_bytes(const tarn_vec *v, int64_t n)
{
    int w = tarn_type_width(v->type);
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        return (n + 7) / 8;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        return n > 0 && v->offsets ? (int64_t)(v->offsets[n] - v->offsets[0]) + 4 * n : 0;
    case TARN_TYPE_LIST:
    case TARN_TYPE_MAP: {
        int64_t c = n > 0 && v->offsets ? v->offsets[n] - v->offsets[0] : 0;
        int64_t s = 4 * n;
        for (int i = 0; i < v->n_children; i++)
            s += est_vec_bytes(v->children[i], v->offsets ? v->offsets[n] : c);
        return s;
    }
    case TARN_TYPE_STRUCT: {
        int64_t s = 0;
        for (int i = 0; i < v->n_children; i++)
            s += est_vec_bytes(v->children[i], n);
        return s;
    }
    default:
        return (int64_t)w * n;
    }
}

static tarn_status build_data_schema(tarn_delta_file_writer *w, tarn_err *err)
{
    const tarn_schema *ts = w->o.table_schema;
    w->pcol = tarn_calloc((size_t)(w->o.n_partition_by + 1), sizeof *w->pcol);
    w->dcol = tarn_calloc((size_t)(ts->n_fields + 1), sizeof *w->dcol);
    w->data_schema = tarn_schema_create();
    if (!w->pcol || !w->dcol || !w->data_schema)
        return fw_nomem(err);
    for (int i = 0; i < w->o.n_partition_by; i++) {
        int c = tarn_schema_find(ts, w->o.partition_by[i]);
        if (c < 0)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "partition column '%s' is not in the table schema",
                                w->o.partition_by[i]);
        if (tarn_type_is_nested(ts->fields[c].type.id))
            return tarn_err_set(err, TARN_ERR_INVALID, "partition column '%s' has a nested type",
                                ts->fields[c].name);
        for (int k = 0; k < i; k++)
            if (w->pcol[k] == c)
                return tarn_err_set(err, TARN_ERR_INVALID, "partition column '%s' given twice",
                                    ts->fields[c].name);
        w->pcol[w->n_pcols++] = c;
    }
    for (int c = 0; c < ts->n_fields; c++) {
        bool is_p = false;
        for (int k = 0; k < w->n_pcols; k++)
            is_p |= w->pcol[k] == c;
        if (is_p)
            continue;
        tarn_field *f = tarn_schema_add(w->data_schema, ts->fields[c].name, ts->fields[c].type,
                                        ts->fields[c].nullable);
        if (!f || tarn_field_copy(w->data_schema->arena, f, &ts->fields[c]) != TARN_OK)
            return fw_nomem(err);
        w->dcol[w->n_dcols++] = c;
    }
    if (w->n_dcols == 0)
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "every column is a partition column: no data would be stored");
    return TARN_OK;
}

tarn_status tarn_delta_file_writer_create(tarn_delta_transaction *tx,
                                          const tarn_delta_file_writer_opts *o,
                                          tarn_delta_file_writer **out, tarn_err *err)
{
    *out = NULL;
    tarn_delta_file_writer *w = tarn_calloc(1, sizeof *w);
    if (!w)
        return fw_nomem(err);
    w->tx = tx;
    w->table = tarn_delta_transaction_table(tx);
    w->o = *o;
    if (w->o.target_file_bytes <= 0)
        w->o.target_file_bytes = TARN_DELTA_DEFAULT_TARGET_FILE_BYTES;
    if (w->o.max_open_files <= 0)
        w->o.max_open_files = TARN_DELTA_DEFAULT_MAX_OPEN_FILES;
    if (w->o.max_buffer_bytes <= 0)
        w->o.max_buffer_bytes = TARN_DELTA_DEFAULT_MAX_BUFFER_BYTES;
    w->pq = o->pq;
    int64_t rg = w->pq.row_group_bytes > 0 ? w->pq.row_group_bytes : (INT64_C(128) << 20);
    w->pq.row_group_bytes = TARN_MIN(rg, w->o.target_file_bytes);
    w->ext = codec_ext(w->pq.codec);
    w->o.stats.writer_minmax = o->stats.writer_minmax;
    tarn_status st = build_data_schema(w, err);
    if (st != TARN_OK)
        goto fail;
    w->arena = tarn_arena_create(0);
    w->n_buckets = 64;
    w->buckets = tarn_alloc((size_t)w->n_buckets * sizeof *w->buckets);
    w->open = tarn_calloc((size_t)w->o.max_open_files, sizeof *w->open);
    w->view_cols = tarn_calloc((size_t)w->n_dcols + 1, sizeof *w->view_cols);
    w->staging = tarn_batch_create(w->data_schema);
    if (!w->arena || !w->buckets || !w->open || !w->view_cols || !w->staging) {
        st = fw_nomem(err);
        goto fail;
    }
    for (int i = 0; i < w->n_buckets; i++)
        w->buckets[i] = -1;
    *out = w;
    return TARN_OK;
fail:
    tarn_delta_file_writer_destroy(w);
    return st;
}

static void pfile_free(pfile *f)
{
    if (!f)
        return;
    tarn_pq_writer_abort(f->pq);
    tarn_delta_stats_collector_destroy(f->stats);
    tarn_free(f->abs_path);
    tarn_free(f->rel_path);
    tarn_free(f);
}

void tarn_delta_file_writer_destroy(tarn_delta_file_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->n_open; i++)
        pfile_free(w->open[i]);
    for (int i = 0; i < w->n_made; i++) {
        if (!w->published)
            (void)unlink(w->made[i]); /* never handed to a transaction */
        tarn_free(w->made[i]);
    }
    tarn_free(w->made);
    tarn_free(w->adds);
    tarn_free(w->open);
    tarn_free(w->parts);
    tarn_free(w->buckets);
    tarn_free(w->pcol);
    tarn_free(w->dcol);
    tarn_free(w->row_part);
    tarn_free(w->idx);
    tarn_free(w->slot_part);
    tarn_free(w->slot_count);
    tarn_free(w->slot_start);
    tarn_free(w->view_cols);
    tarn_batch_destroy(w->staging);
    tarn_schema_destroy(w->data_schema);
    tarn_arena_destroy(w->arena);
    tarn_free(w);
}

tarn_status tarn_delta_file_writer_publish(tarn_delta_file_writer *w, tarn_err *err)
{
    if (!w->o.deferred || w->published)
        return TARN_OK;
    w->published = true; /* from here the transaction owns the files */
    for (int i = 0; i < w->n_made; i++)
        TARN_TRY(tarn_delta_transaction_track_file(w->tx, w->made[i], err));
    for (int i = 0; i < w->n_adds; i++)
        TARN_TRY(tarn_delta_transaction_add_file(w->tx, &w->adds[i], err));
    return TARN_OK;
}

void tarn_delta_file_writer_totals(const tarn_delta_file_writer *w, int64_t *out_rows,
                                   int64_t *out_files, int64_t *out_bytes)
{
    if (out_rows)
        *out_rows = w->rows;
    if (out_files)
        *out_files = w->files;
    if (out_bytes)
        *out_bytes = w->bytes;
}

/* Partition lookup ---------------------------------------------------------- */

static uint64_t hash_scalar(const tarn_scalar *s, uint64_t h)
{
    if (s->is_null)
        return tarn_hash_combine(h, 0x9e3779b97f4a7c15ULL);
    switch (s->type.id) {
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
    case TARN_TYPE_UUID:
        return tarn_hash_combine(h, tarn_hash_bytes(s->bytes, (size_t)s->len, 7));
    case TARN_TYPE_FLOAT32:
    case TARN_TYPE_FLOAT64: {
        double d = s->v.f64;
        if (d == 0)
            d = 0; /* -0.0 and 0.0 are one partition */
        if (d != d)
            return tarn_hash_combine(h, 0x7ff8);
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return tarn_hash_combine(h, bits);
    }
    case TARN_TYPE_DECIMAL:
        return tarn_hash_combine(tarn_hash_combine(h, (uint64_t)s->v.i128),
                                 (uint64_t)(s->v.i128 >> 64));
    case TARN_TYPE_BOOL:
        return tarn_hash_combine(h, s->v.b);
    default:
        return tarn_hash_combine(h, s->v.u64);
    }
}

static bool scalar_same(const tarn_scalar *a, const tarn_scalar *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null;
    return tarn_scalar_compare(a, b) == 0;
}

/* Are rows i and j equal in every partition column (bitwise)? */
static bool rows_equal(const tarn_delta_file_writer *w, const tarn_batch *b, int64_t i, int64_t j)
{
    for (int k = 0; k < w->n_pcols; k++) {
        const tarn_vec *v = b->cols[w->pcol[k]];
        bool vi = tarn_vec_is_valid(v, i), vj = tarn_vec_is_valid(v, j);
        if (vi != vj)
            return false;
        if (!vi)
            continue;
        switch (v->type.id) {
        case TARN_TYPE_BOOL:
            if (tarn_bit_get(v->data, i) != tarn_bit_get(v->data, j))
                return false;
            break;
        case TARN_TYPE_STRING:
        case TARN_TYPE_BINARY: {
            int32_t li, lj;
            const uint8_t *pi = tarn_vec_get_bytes(v, i, &li), *pj = tarn_vec_get_bytes(v, j, &lj);
            if (li != lj || memcmp(pi, pj, (size_t)li) != 0)
                return false;
            break;
        }
        default: {
            int wd = tarn_type_width(v->type);
            if (memcmp(v->data + i * wd, v->data + j * wd, (size_t)wd) != 0)
                return false;
        }
        }
    }
    return true;
}

static tarn_status grow_buckets(tarn_delta_file_writer *w, tarn_err *err)
{
    int nb = w->n_buckets * 2;
    int *b = tarn_alloc((size_t)nb * sizeof *b);
    if (!b)
        return fw_nomem(err);
    for (int i = 0; i < nb; i++)
        b[i] = -1;
    for (int p = 0; p < w->n_parts; p++) {
        int k = (int)(w->parts[p].hash & (uint64_t)(nb - 1));
        w->parts[p].next = b[k];
        b[k] = p;
    }
    tarn_free(w->buckets);
    w->buckets = b;
    w->n_buckets = nb;
    return TARN_OK;
}

/* Registers a new partition from row r's values. */
static tarn_status add_part(tarn_delta_file_writer *w, const tarn_scalar *keys, uint64_t h,
                            int *out, tarn_err *err)
{
    if (w->n_parts == w->cap_parts) {
        int nc = w->cap_parts ? w->cap_parts * 2 : 16;
        part *p = tarn_realloc(w->parts, (size_t)nc * sizeof *p);
        if (!p)
            return fw_nomem(err);
        for (int i = 0; i < w->n_parts; i++)
            if (p[i].open)
                p[i].open->part = i;
        w->parts = p;
        w->cap_parts = nc;
    }
    part *p = &w->parts[w->n_parts];
    memset(p, 0, sizeof *p);
    p->hash = h;
    int n = w->n_pcols;
    p->keys = tarn_arena_calloc(w->arena, (size_t)(n ? n : 1), sizeof *p->keys);
    p->values = tarn_arena_calloc(w->arena, (size_t)(n ? n : 1), sizeof *p->values);
    if (!p->keys || !p->values)
        return fw_nomem(err);
    tarn_buf dir = TARN_BUF_INIT;
    tarn_status st = TARN_OK;
    for (int k = 0; k < n && st == TARN_OK; k++) {
        const tarn_field *f = &w->o.table_schema->fields[w->pcol[k]];
        p->keys[k] = keys[k];
        if (!keys[k].is_null && keys[k].bytes) {
            p->keys[k].bytes = tarn_arena_memdup(w->arena, keys[k].bytes, (size_t)keys[k].len + 1);
            if (!p->keys[k].bytes)
                st = fw_nomem(err);
        }
        const char *val = NULL;
        if (st == TARN_OK)
            st = tarn_delta_partition_format(w->arena, &keys[k], &val, err);
        if (st != TARN_OK) {
            tarn_err_prefix(err, "partition column '%s'", f->name);
            break;
        }
        if (val && !*val)
            val = NULL; /* "" reads back as null: write null */
        p->values[k].key = f->name;
        p->values[k].value = val;
        char *esc = tarn_delta_hive_escape(w->arena, val);
        char *col =
            *f->name ? tarn_delta_hive_escape(w->arena, f->name) : tarn_arena_strdup(w->arena, "");
        if (!esc || !col)
            st = fw_nomem(err);
        if (st == TARN_OK)
            st = tarn_buf_printf(&dir, "%s%s=%s", k ? "/" : "", col, esc);
    }
    if (st == TARN_OK) {
        p->dir = tarn_arena_strdup(w->arena, dir.data ? dir.data : "");
        if (!p->dir)
            st = fw_nomem(err);
    }
    tarn_buf_fini(&dir);
    if (st != TARN_OK)
        return st == TARN_ERR_NOMEM || err->code ? st : tarn_err_set(err, st, "write: partition");
    int bk = (int)(h & (uint64_t)(w->n_buckets - 1));
    p->next = w->buckets[bk];
    w->buckets[bk] = w->n_parts;
    *out = w->n_parts++;
    if (w->n_parts > w->n_buckets)
        return grow_buckets(w, err);
    return TARN_OK;
}

/* Partition of row r (registered on first sight). */
static tarn_status find_part(tarn_delta_file_writer *w, const tarn_batch *b, int64_t r, int *out,
                             tarn_err *err)
{
    tarn_scalar keys[64];
    int n = w->n_pcols;
    if (n > (int)TARN_ARRAY_LEN(keys))
        return tarn_err_set(err, TARN_ERR_LIMIT, "more than 64 partition columns");
    uint64_t h = 0x51ed270b;
    for (int k = 0; k < n; k++) {
        tarn_scalar_from_vec(b->cols[w->pcol[k]], r, &keys[k]);
        if (!keys[k].is_null && keys[k].len == 0 &&
            (keys[k].type.id == TARN_TYPE_STRING || keys[k].type.id == TARN_TYPE_BINARY))
            keys[k].is_null = true; /* "" is serialized as null: one partition */
        h = hash_scalar(&keys[k], h);
    }
    for (int p = w->buckets[h & (uint64_t)(w->n_buckets - 1)]; p >= 0; p = w->parts[p].next) {
        if (w->parts[p].hash != h)
            continue;
        bool same = true;
        for (int k = 0; k < n && same; k++)
            same = scalar_same(&keys[k], &w->parts[p].keys[k]);
        if (same) {
            *out = p;
            return TARN_OK;
        }
    }
    return add_part(w, keys, h, out, err);
}

/* Files ---------------------------------------------------------------------- */

static tarn_status close_file(tarn_delta_file_writer *w, int slot, tarn_err *err)
{
    pfile *f = w->open[slot];
    w->open[slot] = w->open[--w->n_open];
    w->open[w->n_open] = NULL;
    part *p = &w->parts[f->part];
    p->open = NULL;
    tarn_pq_write_result res;
    memset(&res, 0, sizeof res);
    tarn_pq_writer *pq = f->pq;
    f->pq = NULL;
    tarn_status st = tarn_pq_writer_close(pq, &res, err);
    tarn_buf stats = TARN_BUF_INIT;
    if (st == TARN_OK)
        st = tarn_delta_stats_collector_json(f->stats, &res, res.num_rows, &stats, err);
    if (st == TARN_OK) {
        tarn_arena *ta = w->o.deferred ? w->arena : tarn_delta_transaction_arena(w->tx);
        tarn_delta_add add;
        memset(&add, 0, sizeof add);
        add.path = tarn_delta_uri_encode(ta, f->rel_path);
        add.n_partition_values = w->n_pcols;
        add.partition_values = w->n_pcols ? p->values : NULL;
        add.size = res.file_size;
        add.modification_time = tarn_now_us() / 1000;
        add.data_change = w->o.data_change;
        add.stats = stats.data;
        if (!add.path)
            st = fw_nomem(err);
        else if (!w->o.deferred)
            st = tarn_delta_transaction_add_file(w->tx, &add, err);
        else if (!(add.stats = tarn_arena_strdup(w->arena, stats.data ? stats.data : "")) ||
                 !tarn_grow((void **)&w->adds, w->n_adds, &w->cap_adds, sizeof *w->adds))
            st = fw_nomem(err);
        else
            w->adds[w->n_adds++] = add;
        w->rows += res.num_rows;
        w->files++;
        w->bytes += res.file_size;
    }
    tarn_buf_fini(&stats);
    tarn_arena_destroy(res.arena);
    pfile_free(f);
    return st;
}

static tarn_status open_file(tarn_delta_file_writer *w, int pi, pfile **out, tarn_err *err)
{
    if (w->n_open == w->o.max_open_files) {
        int lru = 0;
        for (int i = 1; i < w->n_open; i++)
            if (w->open[i]->last_used < w->open[lru]->last_used)
                lru = i;
        TARN_TRY(close_file(w, lru, err));
    }
    char uuid[40];
    TARN_TRY(tarn_delta_uuid4(uuid, err));
    pfile *f = tarn_calloc(1, sizeof *f);
    if (!f)
        return fw_nomem(err);
    f->part = pi;
    part *p = &w->parts[pi];
    tarn_buf rel = TARN_BUF_INIT, abs = TARN_BUF_INIT;
    tarn_status st = tarn_buf_printf(&rel, "%s%spart-%05d-%s-c000%s", p->dir, *p->dir ? "/" : "",
                                     w->file_seq++ % 100000, uuid, w->ext);
    if (st == TARN_OK)
        st = tarn_buf_printf(&abs, "%s/%s", w->table, rel.data);
    if (st != TARN_OK) {
        st = fw_nomem(err);
        goto fail;
    }
    f->rel_path = tarn_buf_steal(&rel, NULL);
    f->abs_path = tarn_buf_steal(&abs, NULL);
    f->stats = tarn_delta_stats_collector_create(w->data_schema, &w->o.stats);
    if (!f->rel_path || !f->abs_path || !f->stats) {
        st = fw_nomem(err);
        goto fail;
    }
    if (*p->dir) {
        char *dir = tarn_path_dirname(w->arena, f->abs_path);
        st = dir ? tarn_mkdirs(dir, err) : fw_nomem(err);
        if (st != TARN_OK)
            goto fail;
    }
    if (!w->o.deferred) {
        st = tarn_delta_transaction_track_file(w->tx, f->abs_path, err);
    } else if (!tarn_grow((void **)&w->made, w->n_made, &w->cap_made, sizeof *w->made) ||
               !(w->made[w->n_made] = tarn_strdup(f->abs_path))) {
        st = fw_nomem(err);
    } else {
        w->n_made++;
    }
    if (st == TARN_OK)
        st = tarn_pq_writer_open(f->abs_path, w->data_schema, &w->pq, &f->pq, err);
    if (st != TARN_OK)
        goto fail;
    p->open = f;
    w->open[w->n_open++] = f;
    *out = f;
    return TARN_OK;
fail:
    tarn_buf_fini(&rel);
    tarn_buf_fini(&abs);
    pfile_free(f);
    return st;
}

/* Bytes buffered by open writers (their row group in progress, estimated). */
static int64_t buffered(const tarn_delta_file_writer *w, int *out_largest)
{
    int64_t total = 0, best = -1;
    int64_t rg = w->pq.row_group_bytes > 0 ? w->pq.row_group_bytes : 1;
    for (int i = 0; i < w->n_open; i++) {
        int64_t b = w->open[i]->est_bytes % rg;
        total += b;
        if (b > best) {
            best = b;
            *out_largest = i;
        }
    }
    return total;
}

/* Writes a batch of the data schema to partition pi's file. */
static tarn_status write_part(tarn_delta_file_writer *w, int pi, const tarn_batch *db,
                              tarn_err *err)
{
    if (db->n_rows == 0)
        return TARN_OK;
    pfile *f = w->parts[pi].open;
    if (!f)
        TARN_TRY(open_file(w, pi, &f, err));
    TARN_TRY(tarn_pq_writer_write(f->pq, db, err));
    TARN_TRY(tarn_delta_stats_collector_update(f->stats, db, err));
    int64_t est = 0;
    for (int i = 0; i < db->n_cols; i++)
        est += est_vec_bytes(db->cols[i], db->n_rows);
    f->rows += db->n_rows;
    f->est_bytes += est;
    f->last_used = ++w->tick;
    if (f->est_bytes >= w->o.target_file_bytes) {
        for (int i = 0; i < w->n_open; i++)
            if (w->open[i] == f)
                return close_file(w, i, err);
    }
    int largest = 0;
    while (w->n_open > 0 && buffered(w, &largest) > w->o.max_buffer_bytes)
        TARN_TRY(close_file(w, largest, err));
    return TARN_OK;
}

static bool grow_rows(tarn_delta_file_writer *w, int64_t n)
{
    if (n <= w->cap_rows)
        return true;
    int64_t cap = w->cap_rows ? w->cap_rows : 1024;
    while (cap < n)
        cap *= 2;
    int *rp = tarn_realloc(w->row_part, (size_t)cap * sizeof *rp);
    if (rp)
        w->row_part = rp;
    int64_t *ix = tarn_realloc(w->idx, (size_t)cap * sizeof *ix);
    if (ix)
        w->idx = ix;
    int *sp = tarn_realloc(w->slot_part, (size_t)cap * sizeof *sp);
    if (sp)
        w->slot_part = sp;
    int64_t *sc = tarn_realloc(w->slot_count, (size_t)cap * sizeof *sc);
    if (sc)
        w->slot_count = sc;
    int64_t *ss = tarn_realloc(w->slot_start, (size_t)cap * sizeof *ss);
    if (ss)
        w->slot_start = ss;
    if (!rp || !ix || !sp || !sc || !ss)
        return false;
    w->cap_rows = cap;
    return true;
}

static tarn_status check_not_null(const tarn_delta_file_writer *w, const tarn_batch *b,
                                  tarn_err *err)
{
    const tarn_schema *ts = w->o.table_schema;
    for (int c = 0; c < ts->n_fields; c++) {
        const tarn_vec *v = b->cols[c];
        if (ts->fields[c].nullable || !v->validity)
            continue;
        for (int64_t i = 0; i < b->n_rows; i++)
            if (!tarn_bit_get(v->validity, i))
                return tarn_err_set(err, TARN_ERR_DATA,
                                    "column '%s' is NOT NULL but row %lld of the batch is null",
                                    ts->fields[c].name, (long long)i);
    }
    return TARN_OK;
}

tarn_status tarn_delta_file_writer_write(tarn_delta_file_writer *w, const tarn_batch *b,
                                         tarn_err *err)
{
    int64_t n = b->n_rows;
    if (b->n_cols != w->o.table_schema->n_fields)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "write: batch has %d columns, table %d",
                            b->n_cols, w->o.table_schema->n_fields);
    if (n == 0)
        return TARN_OK;
    TARN_TRY(check_not_null(w, b, err));
    for (int k = 0; k < w->n_dcols; k++)
        w->view_cols[k] = b->cols[w->dcol[k]];
    tarn_batch view = {w->data_schema, w->n_dcols, w->view_cols, n};
    if (w->n_pcols == 0) {
        int pi = 0;
        if (w->n_parts == 0)
            TARN_TRY(add_part(w, NULL, 0, &pi, err));
        return write_part(w, 0, &view, err);
    }
    if (!grow_rows(w, n))
        return fw_nomem(err);
    /* Group rows: same partition as the previous row, else a hash lookup. */
    uint32_t epoch = ++w->epoch;
    int n_slots = 0;
    for (int64_t i = 0; i < n; i++) {
        int pi;
        if (i > 0 && rows_equal(w, b, i, i - 1))
            pi = w->row_part[i - 1];
        else
            TARN_TRY(find_part(w, b, i, &pi, err));
        w->row_part[i] = pi;
        part *p = &w->parts[pi];
        if (p->batch_epoch != epoch) {
            p->batch_epoch = epoch;
            p->batch_slot = n_slots;
            w->slot_part[n_slots] = pi;
            w->slot_count[n_slots] = 0;
            n_slots++;
        }
        w->slot_count[p->batch_slot]++;
    }
    if (n_slots == 1)
        return write_part(w, w->slot_part[0], &view, err);
    /* Counting sort of row indexes by group, then one gather per group. */
    int64_t pos = 0;
    for (int s = 0; s < n_slots; s++) {
        w->slot_start[s] = pos;
        pos += w->slot_count[s];
        w->slot_count[s] = 0;
    }
    for (int64_t i = 0; i < n; i++) {
        int s = w->parts[w->row_part[i]].batch_slot;
        w->idx[w->slot_start[s] + w->slot_count[s]++] = i;
    }
    for (int s = 0; s < n_slots; s++) {
        tarn_batch_reset(w->staging);
        const int64_t *ix = w->idx + w->slot_start[s];
        for (int k = 0; k < w->n_dcols; k++) {
            tarn_status st =
                tarn_vec_append_take(w->staging->cols[k], w->view_cols[k], ix, w->slot_count[s]);
            if (st != TARN_OK)
                return tarn_err_set(err, st, "write: cannot gather partition rows");
        }
        w->staging->n_rows = w->slot_count[s];
        TARN_TRY(write_part(w, w->slot_part[s], w->staging, err));
    }
    return TARN_OK;
}

tarn_status tarn_delta_file_writer_finish(tarn_delta_file_writer *w, tarn_err *err)
{
    while (w->n_open > 0)
        TARN_TRY(close_file(w, w->n_open - 1, err));
    return TARN_OK;
}

/* tarn_delta_write ------------------------------------------------------------ */

void tarn_delta_write_opts_init(tarn_delta_write_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mode = TARN_DELTA_APPEND;
    tarn_pq_write_opts_init(&o->pq);
}

typedef struct write_job {
    const char *table;               /* table root */
    const tarn_schema *in_schema;    /* schema of the source batches */
    const tarn_delta_write_opts *o;  /* options */
    tarn_delta_transaction *tx;      /* the transaction */
    const tarn_delta_snapshot *snap; /* table read, or NULL when creating */
    const tarn_schema *table_schema; /* schema of the table after the write */
    tarn_schema *new_schema;         /* owned copy when the write sets the schema */
    const char **pcols;              /* partition columns after the write (arena) */
    int n_pcols;                     /* entries in pcols */
    int *map;                        /* table column -> source column or -1 (heap) */
    tarn_vec **nulls;                /* null vectors for missing columns (heap) */
    int n_nulls;                     /* entries in nulls */
    tarn_vec **cols;                 /* table-order column view (heap) */
    int64_t removed;                 /* files removed (overwrite) */
} write_job;

static bool same_field_type(const tarn_field *a, const tarn_field *b)
{
    if (!tarn_type_equal(a->type, b->type) || a->n_children != b->n_children)
        return false;
    for (int i = 0; i < a->n_children; i++) {
        if (a->type.id == TARN_TYPE_STRUCT && strcmp(a->children[i].name, b->children[i].name))
            return false;
        if (!same_field_type(&a->children[i], &b->children[i]))
            return false;
    }
    return true;
}

static bool same_schema(const tarn_schema *a, const tarn_schema *b)
{
    if (a->n_fields != b->n_fields)
        return false;
    for (int i = 0; i < a->n_fields; i++)
        if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
            a->fields[i].nullable != b->fields[i].nullable ||
            !same_field_type(&a->fields[i], &b->fields[i]))
            return false;
    return true;
}

/* Gives every STRING/BINARY vector a payload buffer up front: copying an
 * all-null string vector must not hand memcpy a NULL pointer. */
static tarn_status reserve_payloads(tarn_vec *v)
{
    if (v->type.id == TARN_TYPE_STRING || v->type.id == TARN_TYPE_BINARY)
        TARN_TRY(tarn_vec_reserve_bytes(v, 64));
    for (int i = 0; i < v->n_children; i++)
        TARN_TRY(reserve_payloads(v->children[i]));
    return TARN_OK;
}

/* Maps table columns to source columns and checks compatibility (append). */
static tarn_status map_columns(write_job *j, tarn_err *err)
{
    const tarn_schema *ts = j->table_schema, *in = j->in_schema;
    j->map = tarn_calloc((size_t)ts->n_fields + 1, sizeof *j->map);
    j->nulls = tarn_calloc((size_t)ts->n_fields + 1, sizeof *j->nulls);
    j->cols = tarn_calloc((size_t)ts->n_fields + 1, sizeof *j->cols);
    if (!j->map || !j->nulls || !j->cols)
        return fw_nomem(err);
    j->n_nulls = ts->n_fields;
    char t1[64], t2[64];
    for (int i = 0; i < in->n_fields; i++) {
        const tarn_field *f = &in->fields[i];
        int c = tarn_schema_find(ts, f->name);
        if (c < 0)
            c = tarn_schema_find_ci(ts, f->name);
        if (c < 0) {
            tarn_err_set(err, TARN_ERR_INVALID,
                         "column '%s' is not in the table schema (an append never changes "
                         "the schema)",
                         f->name);
            tarn_err_set_hint(err, "overwrite the table to change its schema");
            return TARN_ERR_INVALID;
        }
        if (!same_field_type(f, &ts->fields[c]))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "column '%s' has type %s but the table column has type %s", f->name,
                                tarn_type_name(f->type, t1, sizeof t1),
                                tarn_type_name(ts->fields[c].type, t2, sizeof t2));
    }
    for (int c = 0; c < ts->n_fields; c++) {
        int s = tarn_schema_find(in, ts->fields[c].name);
        if (s < 0)
            s = tarn_schema_find_ci(in, ts->fields[c].name);
        j->map[c] = s;
        if (s >= 0)
            continue;
        if (!ts->fields[c].nullable)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "column '%s' is NOT NULL in the table but missing from the data",
                                ts->fields[c].name);
        j->nulls[c] = tarn_vec_create(&ts->fields[c]);
        if (!j->nulls[c] || reserve_payloads(j->nulls[c]) != TARN_OK)
            return fw_nomem(err);
    }
    return TARN_OK;
}

static void job_fini(write_job *j)
{
    for (int c = 0; j->nulls && c < j->n_nulls; c++)
        tarn_vec_destroy(j->nulls[c]);
    tarn_free(j->nulls);
    tarn_free(j->map);
    tarn_free(j->cols);
    tarn_schema_destroy(j->new_schema);
}

/* Builds the table-order view of a source batch. */
static tarn_status table_view(write_job *j, const tarn_batch *b, tarn_vec **cols, tarn_vec **nulls,
                              tarn_batch *view, tarn_err *err)
{
    const tarn_schema *ts = j->table_schema;
    if (b->n_cols != j->in_schema->n_fields)
        return tarn_err_set(err, TARN_ERR_INVALID, "a batch has %d columns, the schema %d",
                            b->n_cols, j->in_schema->n_fields);
    for (int i = 0; i < b->n_cols; i++)
        if (b->cols[i]->type.id != j->in_schema->fields[i].type.id || b->cols[i]->len < b->n_rows)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "batch column '%s' does not match the schema",
                                j->in_schema->fields[i].name);
    for (int c = 0; c < ts->n_fields; c++) {
        if (j->map[c] >= 0) {
            cols[c] = b->cols[j->map[c]];
            continue;
        }
        tarn_vec_reset(nulls[c]);
        tarn_status st = tarn_vec_append_nulls(nulls[c], b->n_rows);
        if (st != TARN_OK)
            return tarn_err_set(err, st, "write: cannot build null column '%s'",
                                ts->fields[c].name);
        cols[c] = nulls[c];
    }
    view->schema = ts;
    view->n_cols = ts->n_fields;
    view->cols = cols;
    view->n_rows = b->n_rows;
    return TARN_OK;
}

/* Config of the table after the write: existing properties overlaid with
 * the given ones (arena). */
static tarn_status merged_config(write_job *j, tarn_arena *a, tarn_delta_kv **out, int *n_out,
                                 tarn_err *err)
{
    int n_old = j->snap ? j->snap->metadata.n_configuration : 0;
    tarn_delta_kv *kv = tarn_arena_calloc(a, (size_t)(n_old + j->o->n_config + 1), sizeof *kv);
    if (!kv)
        return fw_nomem(err);
    int n = 0;
    for (int i = 0; i < n_old; i++)
        kv[n++] = j->snap->metadata.configuration[i];
    for (int i = 0; i < j->o->n_config; i++) {
        int k = 0;
        while (k < n && strcmp(kv[k].key, j->o->config[i].key) != 0)
            k++;
        kv[k] = j->o->config[i];
        if (k == n)
            n++;
    }
    *out = kv;
    *n_out = n;
    return TARN_OK;
}

/* Protocol for the new schema, keeping everything the old one had. */
static tarn_status upgraded_protocol(write_job *j, tarn_arena *a, bool *changed,
                                     tarn_delta_protocol *out, tarn_err *err)
{
    tarn_delta_protocol need;
    tarn_delta_protocol_for_schema(j->table_schema, &need);
    *changed = false;
    if (!j->snap) {
        *out = need;
        *changed = true;
        return TARN_OK;
    }
    const tarn_delta_protocol *cur = &j->snap->protocol;
    *out = *cur;
    if (need.min_writer_version < 7)
        return TARN_OK;
    bool has_r = false, has_w = false;
    for (int i = 0; i < cur->n_reader_features; i++)
        has_r |= strcmp(cur->reader_features[i], "timestampNtz") == 0;
    for (int i = 0; i < cur->n_writer_features; i++)
        has_w |= strcmp(cur->writer_features[i], "timestampNtz") == 0;
    if (cur->min_reader_version == 3 && cur->min_writer_version == 7 && has_r && has_w)
        return TARN_OK;
    /* Features the legacy writer versions implied (PROTOCOL.md). */
    static const char *const legacy[] = {"appendOnly",     "invariants",       "checkConstraints",
                                         "changeDataFeed", "generatedColumns", "columnMapping",
                                         "identityColumns"};
    static const int legacy_ver[] = {2, 2, 3, 4, 4, 5, 6};
    const char **wf = tarn_arena_calloc(a, (size_t)cur->n_writer_features + 9, sizeof *wf);
    const char **rf = tarn_arena_calloc(a, (size_t)cur->n_reader_features + 2, sizeof *rf);
    if (!wf || !rf)
        return fw_nomem(err);
    int nw = 0, nr = 0;
    if (cur->min_writer_version == 7) {
        for (int i = 0; i < cur->n_writer_features; i++)
            wf[nw++] = cur->writer_features[i];
    } else {
        for (size_t i = 0; i < TARN_ARRAY_LEN(legacy); i++)
            if (cur->min_writer_version >= legacy_ver[i])
                wf[nw++] = legacy[i];
    }
    if (!has_w)
        wf[nw++] = "timestampNtz";
    if (cur->min_reader_version == 3)
        for (int i = 0; i < cur->n_reader_features; i++)
            rf[nr++] = cur->reader_features[i];
    else if (cur->min_reader_version == 2)
        rf[nr++] = "columnMapping";
    if (!has_r)
        rf[nr++] = "timestampNtz";
    out->min_reader_version = 3;
    out->min_writer_version = 7;
    out->has_reader_features = out->has_writer_features = true;
    out->reader_features = rf;
    out->n_reader_features = nr;
    out->writer_features = wf;
    out->n_writer_features = nw;
    *changed = true;
    return TARN_OK;
}

static bool same_pcols(const write_job *j)
{
    const tarn_delta_metadata *m = &j->snap->metadata;
    if (m->n_partition_columns != j->n_pcols)
        return false;
    for (int i = 0; i < j->n_pcols; i++)
        if (strcmp(m->partition_columns[i], j->pcols[i]) != 0)
            return false;
    return true;
}

/* Append: the table decides schema and partitioning; given partitioning
 * must agree. */
static tarn_status plan_append(write_job *j, tarn_err *err)
{
    const tarn_delta_write_opts *o = j->o;
    j->table_schema = j->snap->schema;
    if (o->add_columns) { /* schema evolution: columns of the data the table lacks */
        bool more = false;
        for (int i = 0; i < j->in_schema->n_fields; i++)
            more |= tarn_schema_find(j->snap->schema, j->in_schema->fields[i].name) < 0;
        if (more) {
            j->new_schema = tarn_schema_clone(j->snap->schema);
            if (!j->new_schema)
                return fw_nomem(err);
            for (int i = 0; i < j->in_schema->n_fields; i++) {
                const tarn_field *f = &j->in_schema->fields[i];
                if (tarn_schema_find(j->snap->schema, f->name) < 0 &&
                    !tarn_schema_add(j->new_schema, f->name, f->type, true))
                    return fw_nomem(err);
            }
            TARN_TRY(tarn_delta_transaction_add_columns(j->tx, j->new_schema, err));
            j->table_schema = j->new_schema;
        }
    }
    j->n_pcols = j->snap->metadata.n_partition_columns;
    j->pcols = j->snap->metadata.partition_columns;
    if (o->n_partition_by > 0) {
        bool same = o->n_partition_by == j->n_pcols;
        for (int i = 0; same && i < j->n_pcols; i++)
            same = strcmp(o->partition_by[i], j->pcols[i]) == 0;
        if (!same)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "partitioning differs from the table's; an append cannot "
                                "change it (overwrite the table instead)");
    }
    return map_columns(j, err);
}

/* Create/overwrite: the data's schema; the given partitioning, else the
 * table's when all its columns still exist. */
static tarn_status plan_shape(write_job *j, tarn_err *err)
{
    const tarn_delta_write_opts *o = j->o;
    if (j->snap)
        TARN_TRY(tarn_delta_check_removal_allowed(&j->snap->metadata, "overwrite", err));
    j->new_schema = tarn_schema_clone(j->in_schema);
    if (!j->new_schema)
        return fw_nomem(err);
    j->table_schema = j->new_schema;
    if (o->n_partition_by > 0) {
        j->pcols = (const char **)o->partition_by;
        j->n_pcols = o->n_partition_by;
    } else if (j->snap) {
        bool all = true;
        for (int i = 0; i < j->snap->metadata.n_partition_columns; i++)
            all &= tarn_schema_find(j->table_schema, j->snap->metadata.partition_columns[i]) >= 0;
        if (all) {
            j->pcols = j->snap->metadata.partition_columns;
            j->n_pcols = j->snap->metadata.n_partition_columns;
        }
    }
    for (int i = 0; i < j->n_pcols; i++)
        if (tarn_schema_find(j->table_schema, j->pcols[i]) < 0)
            return tarn_err_set(err, TARN_ERR_INVALID, "partition column '%s' is not in the schema",
                                j->pcols[i]);
    return map_columns(j, err);
}

/* metaData (and protocol when it must change) for a new or reshaped table. */
static tarn_status set_new_metadata(write_job *j, tarn_err *err)
{
    tarn_arena *a = tarn_delta_transaction_arena(j->tx);
    const tarn_delta_write_opts *o = j->o;
    const tarn_delta_snapshot *snap = j->snap;
    tarn_delta_metadata md;
    memset(&md, 0, sizeof md);
    tarn_buf sb = TARN_BUF_INIT;
    tarn_status st = tarn_delta_schema_serialize(j->table_schema, &sb, err);
    char id[40];
    if (st == TARN_OK && !snap)
        st = tarn_delta_uuid4(id, err);
    if (st == TARN_OK) {
        md.id = snap ? snap->metadata.id : id; /* an overwrite keeps the table id */
        md.name = snap ? snap->metadata.name : o->table_name;
        md.description = snap ? snap->metadata.description : o->description;
        md.format_provider = "parquet";
        md.schema_string = sb.data;
        md.partition_columns = j->pcols;
        md.n_partition_columns = j->n_pcols;
        md.has_created_time = true;
        md.created_time = snap && snap->metadata.has_created_time ? snap->metadata.created_time
                                                                  : tarn_now_us() / 1000;
        st = merged_config(j, a, &md.configuration, &md.n_configuration, err);
    }
    tarn_delta_protocol pr;
    bool pchanged = false;
    if (st == TARN_OK)
        st = tarn_delta_transaction_set_metadata(j->tx, &md, err);
    if (st == TARN_OK)
        st = upgraded_protocol(j, a, &pchanged, &pr, err);
    if (st == TARN_OK && pchanged)
        st = tarn_delta_transaction_set_protocol(j->tx, &pr, err);
    if (st == TARN_OK)
        st = tarn_delta_writer_check(&pr, &md, err);
    tarn_buf_fini(&sb);
    return st;
}

/* Decides schema, partitioning, metadata and protocol actions. */
static tarn_status plan_table(write_job *j, tarn_err *err)
{
    if (j->snap && j->o->mode != TARN_DELTA_OVERWRITE)
        return plan_append(j, err);
    TARN_TRY(plan_shape(j, err));
    bool need_md = !j->snap || !same_schema(j->snap->schema, j->table_schema) || !same_pcols(j) ||
                   j->o->n_config > 0;
    return need_md ? set_new_metadata(j, err) : TARN_OK;
}

/* Removes every active file (overwrite). */
static tarn_status remove_all(write_job *j, tarn_err *err)
{
    int64_t now = tarn_now_us() / 1000;
    for (int i = 0; j->snap && i < j->snap->n_files; i++) {
        const tarn_delta_add *f = &j->snap->files[i];
        tarn_delta_remove rm;
        tarn_delta_remove_for_add(f, now, &rm);
        TARN_TRY(tarn_delta_transaction_remove_file(j->tx, &rm, err));
        j->removed++;
    }
    return TARN_OK;
}

static tarn_status json_text(json_t *obj, tarn_arena *a, const char **out, tarn_err *err)
{
    char *s = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(obj);
    if (!s)
        return fw_nomem(err);
    *out = tarn_arena_strdup(a, s);
    free(s);
    return *out ? TARN_OK : fw_nomem(err);
}

static json_t *str_array_json(const char *const *v, int n)
{
    json_t *arr = json_array();
    for (int i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_string(v[i]));
    char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    json_t *r = s ? json_string(s) : NULL;
    free(s);
    return r;
}

static json_t *num_str(int64_t v)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)v);
    return json_string(t);
}

static tarn_status set_operation(write_job *j, int64_t rows, int64_t files, int64_t bytes,
                                 bool created, tarn_err *err)
{
    tarn_arena *a = tarn_delta_transaction_arena(j->tx);
    bool overwrite = j->o->mode == TARN_DELTA_OVERWRITE;
    json_t *params = json_object();
    if (params) {
        json_object_set_new(params, "mode", json_string(overwrite ? "Overwrite" : "Append"));
        json_object_set_new(params, "partitionBy", str_array_json(j->pcols, j->n_pcols));
    }
    json_t *metrics = json_object();
    if (metrics) {
        json_object_set_new(metrics, "numFiles", num_str(files));
        json_object_set_new(metrics, "numOutputRows", num_str(rows));
        json_object_set_new(metrics, "numOutputBytes", num_str(bytes));
        if (overwrite)
            json_object_set_new(metrics, "numRemovedFiles", num_str(j->removed));
    }
    const char *pj, *mj;
    TARN_TRY(json_text(params, a, &pj, err));
    TARN_TRY(json_text(metrics, a, &mj, err));
    return tarn_delta_transaction_set_operation(j->tx, created ? "CREATE TABLE" : "WRITE", pj, mj,
                                                err);
}

static void fill_result(tarn_delta_write_result *out, const tarn_delta_commit_result *cr)
{
    out->version = cr->version;
    out->committed = true;
    out->attempts = cr->attempts;
    out->checkpoint_written = cr->checkpoint_written;
    out->has_warning = cr->has_warning;
    memcpy(out->warning, cr->warning, sizeof out->warning);
}

/* Data-file writer options for the job: codec (the caller's, or the
 * table property when the caller kept the default), sizes, statistics. */
static void file_writer_opts(const write_job *j, tarn_delta_file_writer_opts *fo)
{
    const tarn_delta_write_opts *opts = j->o;
    const tarn_delta_snapshot *snap = j->snap;
    memset(fo, 0, sizeof *fo);
    fo->table_schema = j->table_schema;
    fo->partition_by = j->pcols;
    fo->n_partition_by = j->n_pcols;
    fo->pq = opts->pq;
    if (fo->pq.codec == TARN_PQ_ZSTD &&
        !(opts->n_config > 0 &&
          tarn_delta_codec_from_config(opts->config, opts->n_config, &fo->pq.codec)) &&
        snap)
        tarn_delta_codec_from_config(snap->metadata.configuration, snap->metadata.n_configuration,
                                     &fo->pq.codec);
    fo->target_file_bytes = opts->target_file_bytes;
    fo->max_open_files = opts->max_open_files;
    fo->max_buffer_bytes = opts->max_buffer_bytes;
    fo->data_change = true;
    tarn_delta_stats_opts_init(&fo->stats);
    if (snap) {
        tarn_delta_stats_opts_from_config(&fo->stats, snap->metadata.configuration,
                                          snap->metadata.n_configuration);
        for (int i = 0; i < snap->protocol.n_writer_features; i++)
            fo->stats.tight_bounds |=
                strcmp(snap->protocol.writer_features[i], "deletionVectors") == 0;
    }
    tarn_delta_stats_opts_from_config(&fo->stats, opts->config, opts->n_config);
    fo->stats.writer_minmax = true;
}

/* Streams the source through the file writer. */
/* One source pumped into one file writer, with its own table-order view
 * (lane 0 uses the job's; the others their own null vectors). */
typedef struct lane {
    write_job *j;
    tarn_delta_file_writer *fw;
    tarn_delta_source_fn next;
    void *ctx;
    tarn_vec **cols;  /* table-order view */
    tarn_vec **nulls; /* null vectors of missing columns */
    bool own;         /* cols/nulls belong to the lane */
    tarn_status st;
    tarn_err err;
} lane;

static tarn_status pump(lane *l, tarn_err *err)
{
    for (;;) {
        tarn_batch *b = NULL;
        TARN_TRY(l->next(l->ctx, &b, err));
        if (!b)
            return TARN_OK;
        tarn_batch view;
        TARN_TRY(table_view(l->j, b, l->cols, l->nulls, &view, err));
        TARN_TRY(tarn_delta_file_writer_write(l->fw, &view, err));
    }
}

static void lane_task(void *ctx, int64_t i)
{
    lane *l = &((lane *)ctx)[i];
    tarn_err_clear(&l->err);
    l->st = pump(l, &l->err);
    if (l->st == TARN_OK)
        l->st = tarn_delta_file_writer_finish(l->fw, &l->err);
}

static tarn_status lane_init(write_job *j, lane *l, tarn_err *err)
{
    if (!l->own)
        return TARN_OK;
    int n = j->table_schema->n_fields;
    l->cols = tarn_calloc((size_t)n + 1, sizeof *l->cols);
    l->nulls = tarn_calloc((size_t)n + 1, sizeof *l->nulls);
    if (!l->cols || !l->nulls)
        return fw_nomem(err);
    for (int c = 0; c < n; c++)
        if (j->nulls[c] && (!(l->nulls[c] = tarn_vec_create(&j->table_schema->fields[c])) ||
                            reserve_payloads(l->nulls[c]) != TARN_OK))
            return fw_nomem(err);
    return TARN_OK;
}

static void lane_fini(write_job *j, lane *l)
{
    tarn_delta_file_writer_destroy(l->fw);
    if (!l->own)
        return;
    for (int c = 0; l->nulls && c < j->table_schema->n_fields; c++)
        tarn_vec_destroy(l->nulls[c]);
    tarn_free(l->nulls);
    tarn_free(l->cols);
}

tarn_status tarn_delta_write(const char *table_path, const tarn_schema *schema,
                             tarn_delta_source_fn next, void *ctx,
                             const tarn_delta_write_opts *opts, tarn_delta_write_result *out,
                             tarn_err *err)
{
    return tarn_delta_write_sources(table_path, schema, 1, next, &ctx, opts, out, err);
}

tarn_status tarn_delta_write_sources(const char *table_path, const tarn_schema *schema,
                                     int n_sources, tarn_delta_source_fn next, void *const *ctxs,
                                     const tarn_delta_write_opts *opts,
                                     tarn_delta_write_result *out, tarn_err *err)
{
    tarn_delta_write_result local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    out->version = -1;
    tarn_delta_write_opts defaults;
    if (!opts) {
        tarn_delta_write_opts_init(&defaults);
        opts = &defaults;
    }
    write_job j;
    memset(&j, 0, sizeof j);
    j.table = table_path;
    j.in_schema = schema;
    j.o = opts;
    if (n_sources < 1)
        return tarn_err_set(err, TARN_ERR_INVALID, "write: no source");
    lane *lanes = tarn_calloc((size_t)n_sources, sizeof *lanes);
    if (!lanes)
        return fw_nomem(err);
    tarn_status st = tarn_mkdirs(table_path, err);
    if (st == TARN_OK)
        st = tarn_delta_transaction_create(table_path, &j.tx, err);
    if (st != TARN_OK)
        goto done;
    j.snap = tarn_delta_transaction_snapshot(j.tx);
    out->version = tarn_delta_transaction_read_version(j.tx);
    if (opts->app_id && j.snap &&
        tarn_delta_snapshot_txn(j.snap, opts->app_id) >= opts->app_version) {
        out->skipped = true;
        goto done;
    }
    st = plan_table(&j, err);
    if (st == TARN_OK && opts->mode == TARN_DELTA_OVERWRITE)
        st = remove_all(&j, err);
    if (st != TARN_OK)
        goto done;
    tarn_delta_file_writer_opts fo;
    file_writer_opts(&j, &fo);
    /* Several sources: each lane writes files of its own on a pool thread;
     * the files join the transaction in source order. */
    fo.deferred = n_sources > 1;
    for (int i = 0; st == TARN_OK && i < n_sources; i++) {
        lane *l = &lanes[i];
        l->j = &j;
        l->next = next;
        l->ctx = ctxs[i];
        l->own = i > 0;
        l->cols = j.cols;
        l->nulls = j.nulls;
        st = lane_init(&j, l, err);
        if (st == TARN_OK)
            st = tarn_delta_file_writer_create(j.tx, &fo, &l->fw, err);
    }
    if (st == TARN_OK && n_sources == 1) {
        lane_task(lanes, 0);
        st = lanes[0].st;
        if (st != TARN_OK)
            *err = lanes[0].err;
    } else if (st == TARN_OK) {
        tarn_pool_run(tarn_pool_default(), n_sources, lane_task, lanes);
        for (int i = 0; st == TARN_OK && i < n_sources; i++)
            if ((st = lanes[i].st) != TARN_OK)
                *err = lanes[i].err;
        for (int i = 0; st == TARN_OK && i < n_sources; i++)
            st = tarn_delta_file_writer_publish(lanes[i].fw, err);
    }
    if (st != TARN_OK)
        goto done;
    for (int i = 0; i < n_sources; i++) {
        int64_t r, f, b;
        tarn_delta_file_writer_totals(lanes[i].fw, &r, &f, &b);
        out->rows += r;
        out->files += f;
        out->bytes += b;
    }
    out->removed_files = j.removed;
    bool created = j.snap == NULL;
    if (!created && out->files == 0 && j.removed == 0 && !opts->app_id && !opts->n_txn_ids &&
        opts->mode == TARN_DELTA_APPEND)
        goto done; /* nothing to commit */
    if (opts->app_id)
        st = tarn_delta_transaction_set_txn(j.tx, opts->app_id, opts->app_version, err);
    for (int i = 0; st == TARN_OK && i < opts->n_txn_ids; i++)
        st = tarn_delta_transaction_add_txn(j.tx, opts->txn_ids[i], opts->txn_version, err);
    if (st == TARN_OK)
        st = set_operation(&j, out->rows, out->files, out->bytes, created, err);
    tarn_delta_transaction_set_reads_data(j.tx, opts->mode == TARN_DELTA_OVERWRITE);
    tarn_delta_transaction_set_verify(j.tx, opts->verify, opts->verify_ctx);
    tarn_delta_commit_result cr;
    if (st == TARN_OK)
        st = tarn_delta_transaction_commit(j.tx, &cr, err);
    if (st == TARN_OK) {
        fill_result(out, &cr);
        out->created = created && tarn_delta_transaction_read_version(j.tx) < 0 && cr.version == 0;
    }
done:
    for (int i = 0; i < n_sources; i++)
        lane_fini(&j, &lanes[i]);
    tarn_free(lanes);
    tarn_delta_transaction_destroy(j.tx);
    job_fini(&j);
    return st;
}
