/*
 * pipeline/bronze.c - Bronze ingestion (see bronze.h).
 *
 * Two passes per new file: the first reads its raw bytes to fingerprint the
 * content (so a renamed copy of an ingested file is recognised before
 * anything is written), the second splits it into records
 * (io/records.c) that are appended to column vectors and streamed into the
 * Delta writer. Memory: one read chunk, the longest record, one batch.
 */
#include "pipeline/bronze.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/pool.h"
#include "base/time.h"
#include "column/render.h"
#include "delta/commit.h"
#include "delta/snapshot.h"
#include "delta/write.h"
#include "io/records.h"
#include "parquet/reader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    C_RAW,
    C_FORMAT,
    C_HEADER,
    C_DELIM,
    C_ERROR,
    C_FILE,
    C_LINE,
    C_OFFSET,
    C_AT,
    C_BATCH,
    N_COLS
};

tarn_schema *tarn_bronze_schema(void)
{
    tarn_schema *s = NULL;
    tarn_err err;
    if (tarn_schema_parse("_raw string not null, _format string not null, _header string, "
                          "_delimiter string, _parse_error string, _source_file string not null, "
                          "_source_line bigint not null, _source_offset bigint not null, "
                          "_ingested_at timestamp not null, _batch_id string not null",
                          &s, &err) != TARN_OK)
        return NULL;
    return s;
}

/* ---- inputs ------------------------------------------------------------------- */

typedef struct list {
    char **v;
    int n, cap;
} list;

static tarn_status push(list *l, const char *s, tarn_err *err)
{
    if (!tarn_grow((void **)&l->v, l->n, &l->cap, sizeof *l->v))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (!(l->v[l->n] = tarn_strdup(s)))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    l->n++;
    return TARN_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static tarn_status walk(list *l, const char *dir, int depth, tarn_err *err)
{
    if (depth > 64)
        return TARN_OK;
    DIR *d = opendir(dir);
    if (!d)
        return tarn_err_errno(err, "cannot open directory", dir);
    list names = {0};
    tarn_status st = TARN_OK;
    struct dirent *e;
    while (st == TARN_OK && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' && e->d_name[0] != '_')
            st = push(&names, e->d_name, err);
    closedir(d);
    if (names.n)
        qsort(names.v, (size_t)names.n, sizeof *names.v, cmp_str);
    for (int i = 0; st == TARN_OK && i < names.n; i++) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof path, "%s/%s", dir, names.v[i]) >= (int)sizeof path) {
            st = tarn_err_set(err, TARN_ERR_INVALID, "path too long under %s", dir);
            break;
        }
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue; /* vanished or a dangling link */
        if (S_ISDIR(sb.st_mode))
            st = walk(l, path, depth + 1, err);
        else if (S_ISREG(sb.st_mode))
            st = push(l, path, err);
    }
    tarn_bronze_free_list(names.v, names.n);
    return st;
}

tarn_status tarn_bronze_expand(const char *const *args, int n, char ***out, int *n_out,
                               tarn_err *err)
{
    list l = {0};
    tarn_status st = TARN_OK;
    for (int i = 0; st == TARN_OK && i < n; i++) {
        const char *a = args[i];
        struct stat sb;
        if (stat(a, &sb) == 0) {
            if (S_ISDIR(sb.st_mode))
                st = walk(&l, a, 0, err);
            else
                st = push(&l, a, err);
            continue;
        }
        if (!strpbrk(a, "*?[")) {
            tarn_err_set(err, TARN_ERR_NOT_FOUND, "no such file or directory");
            st = tarn_err_at_path(err, a);
            break;
        }
        glob_t g;
        int rc = glob(a, 0, NULL, &g);
        if (rc == GLOB_NOMATCH) {
            st = tarn_err_set(err, TARN_ERR_NOT_FOUND, "no files match '%s'", a);
        } else if (rc != 0) {
            st = tarn_err_set(err, rc == GLOB_NOSPACE ? TARN_ERR_NOMEM : TARN_ERR_IO,
                              "cannot expand '%s'", a);
        } else {
            for (size_t k = 0; st == TARN_OK && k < g.gl_pathc; k++) {
                if (stat(g.gl_pathv[k], &sb) != 0)
                    continue;
                if (S_ISDIR(sb.st_mode))
                    st = walk(&l, g.gl_pathv[k], 0, err);
                else if (S_ISREG(sb.st_mode))
                    st = push(&l, g.gl_pathv[k], err);
            }
        }
        if (rc == 0)
            globfree(&g);
    }
    if (st != TARN_OK) {
        tarn_bronze_free_list(l.v, l.n);
        return st;
    }
    *out = l.v;
    *n_out = l.n;
    return TARN_OK;
}

void tarn_bronze_free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        tarn_free(v[i]);
    tarn_free(v);
}

/* ---- fingerprints ------------------------------------------------------------- */

static void hex128(uint64_t a, uint64_t b, char *out)
{
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

/* "tarn.bronze.file.<hash of absolute path, size, mtime>" */
static void meta_id(const char *abs, int64_t size, int64_t mtime_us, char *out, size_t cap)
{
    char key[PATH_MAX + 64];
    int n = snprintf(key, sizeof key, "%s%c%lld%c%lld", abs, 0, (long long)size, 0,
                     (long long)mtime_us);
    size_t len = n > 0 ? TARN_MIN((size_t)n, sizeof key - 1) : 0;
    char h[33];
    hex128(tarn_hash_bytes(key, len, 1), tarn_hash_bytes(key, len, 2), h);
    snprintf(out, cap, "tarn.bronze.file.%s", h);
}

/* The content hash folds two hashes of every 1 MiB block in order; the
 * blocks are hashed in parallel over the pool from a read-only mapping. */
#define CONTENT_BLOCK ((size_t)1 << 20)

typedef struct block_job {
    const uint8_t *data;
    size_t size;
    uint64_t (*h)[2];
    int64_t *nl; /* newlines per block, or NULL */
} block_job;

static void hash_block(void *ctx, int64_t i)
{
    block_job *j = ctx;
    size_t at = (size_t)i * CONTENT_BLOCK, n = TARN_MIN(CONTENT_BLOCK, j->size - at);
    const uint8_t *p = j->data + at;
    tarn_hash_bytes2(p, n, 3, 4, j->h[i]);
    if (j->nl) {
        int64_t k = 0;
        for (const uint8_t *q = p, *e = p + n; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
            k++;
        j->nl[i] = k;
    }
}

/* "tarn.bronze.content.<hash of the raw bytes>". With nl (or NULL), *nl
 * gets the newlines of every CONTENT_BLOCK of the file (heap; NULL when
 * the file could not be mapped). */
static tarn_status content_id(const char *path, char *out, size_t cap, int64_t *bytes, int64_t **nl,
                              tarn_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tarn_err_errno(err, "cannot open", path);
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        close(fd);
        return tarn_err_errno(err, "cannot stat", path);
    }
    uint64_t h1 = 0x1234, h2 = 0x5678;
    int64_t total = 0;
    tarn_status st = TARN_OK;
    /* Mapped a window at a time, so the process keeps no more than a
     * window of the file resident. */
    size_t size = (size_t)sb.st_size, win = CONTENT_BLOCK * 64;
    uint64_t(*bh)[2] = size > 0 ? tarn_alloc(64 * sizeof *bh) : NULL;
    int64_t *nls = NULL;
    if (nl && size > 0 && !(nls = tarn_calloc(size / CONTENT_BLOCK + 1, sizeof *nls))) {
        tarn_free(bh);
        close(fd);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    size_t at = 0;
    while (bh && at < size) {
        size_t n = TARN_MIN(win, size - at);
        void *map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, (off_t)at);
        if (map == MAP_FAILED)
            break;
        (void)madvise(map, n, MADV_SEQUENTIAL);
        int64_t n_blocks = (int64_t)((n + CONTENT_BLOCK - 1) / CONTENT_BLOCK);
        block_job j = {map, n, bh, nls ? nls + at / CONTENT_BLOCK : NULL};
        tarn_pool_run(tarn_pool_default(), n_blocks, hash_block, &j);
        munmap(map, n);
        for (int64_t i = 0; i < n_blocks; i++) {
            h1 = tarn_hash_combine(h1, bh[i][0]);
            h2 = tarn_hash_combine(h2, bh[i][1]);
        }
        at += n;
    }
    tarn_free(bh);
    total = (int64_t)at;
    if (at < size) {
        tarn_free(nls); /* read() blocks: no counts */
        nls = NULL;
        /* Not mappable: the same fold over read() blocks from where the
         * mapping stopped. */
        uint8_t *buf = tarn_alloc(CONTENT_BLOCK);
        if (!buf)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        else if (lseek(fd, (off_t)at, SEEK_SET) < 0)
            st = tarn_err_errno(err, "cannot seek", path);
        while (st == TARN_OK) {
            ssize_t k = read(fd, buf, CONTENT_BLOCK);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0) {
                st = tarn_err_errno(err, "cannot read", path);
                break;
            }
            if (k == 0)
                break;
            h1 = tarn_hash_combine(h1, tarn_hash_bytes(buf, (size_t)k, 3));
            h2 = tarn_hash_combine(h2, tarn_hash_bytes(buf, (size_t)k, 4));
            total += k;
        }
        tarn_free(buf);
    }
    close(fd);
    h1 = tarn_hash_combine(h1, (uint64_t)total);
    char h[33];
    hex128(h1, h2, h);
    snprintf(out, cap, "tarn.bronze.content.%s", h);
    *bytes = total;
    if (nl)
        *nl = nls;
    else
        tarn_free(nls);
    return st;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool known(const char **ids, int n, const char *id)
{
    return n > 0 && bsearch(&id, ids, (size_t)n, sizeof *ids, cmp_cstr) != NULL;
}

/* ---- streaming records into batches ------------------------------------------- */

/* What a lane reads: a whole input file, or a byte range of a large
 * uncompressed NDJSON file (split at line starts so both cores ingest it). */
typedef struct piece {
    int file;         /* index into o->files */
    int64_t off, len; /* byte range; len < 0: the whole file */
    int64_t line;     /* line number at off */
    const char *format;
    int64_t records, bad_json, bytes; /* landed from this piece */
} piece;

/* Progress shared by the lanes. */
typedef struct progress {
    _Atomic int64_t bytes, records;
    _Atomic int64_t next_us; /* earliest time of the next report */
    int64_t total, every_us;
} progress;

typedef struct feed {
    const tarn_bronze_opts *o;
    progress *pg;
    int64_t rec_bytes; /* bytes of the current records reader already counted */
    tarn_bronze_result *res;
    const tarn_schema *schema;
    tarn_batch *batch;
    piece *pieces; /* this lane's pieces, in order */
    int n_pieces, next;
    bool report;          /* call on_file as each piece (a whole file) ends */
    tarn_io_records *rec; /* current text file, or NULL */
    tarn_pq_file *pq;     /* current Parquet file, or NULL */
    tarn_pq_scan *pqs;
    int *pq_map;     /* per Bronze column past the standard ones: the Parquet file's column
                        that fills it, or -1 (heap, schema->n_fields entries) */
    int64_t pq_row;  /* rows of the Parquet file so far */
    tarn_buf render; /* a Parquet batch rendered as NDJSON */
    piece *cur;
    char abs[PATH_MAX];
    const char *fmt;
    char delim[2];
    int64_t now_us;
} feed;

/* A Parquet file: forced, or named *.parquet, or starting with "PAR1". */
static bool is_parquet(const tarn_bronze_opts *o, const char *path)
{
    if (o->parquet)
        return true;
    size_t n = strlen(path);
    if (n > 8 && !strcmp(path + n - 8, ".parquet"))
        return true;
    char magic[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool yes = read(fd, magic, 4) == 4 && !memcmp(magic, "PAR1", 4);
    close(fd);
    return yes;
}

static tarn_status open_next(feed *f, tarn_err *err)
{
    piece *pc = f->cur = &f->pieces[f->next++];
    const char *path = f->o->files[pc->file];
    if (!realpath(path, f->abs))
        snprintf(f->abs, sizeof f->abs, "%s", path);
    if (pc->len < 0 && is_parquet(f->o, path)) {
        /* Rows land with their typed columns and, in _raw, as their
         * canonical JSON text (lossless: decimals as strings, timestamps in
         * ISO form), so Silver judges them like JSON records. */
        TARN_TRY(tarn_pq_file_open(path, &f->pq, err));
        TARN_TRY(tarn_pq_scan_open(f->pq, NULL, &f->pqs, err));
        /* Its columns of the same name and type land typed as well. */
        const tarn_schema *ps = tarn_pq_scan_schema(f->pqs);
        for (int c = N_COLS; c < f->schema->n_fields; c++) {
            int j = tarn_schema_find(ps, f->schema->fields[c].name);
            f->pq_map[c] =
                j >= 0 && tarn_type_equal(ps->fields[j].type, f->schema->fields[c].type) ? j : -1;
        }
        f->pq_row = 0;
        f->fmt = "parquet";
        pc->format = f->fmt;
        return TARN_OK;
    }
    if (pc->len >= 0) {
        tarn_io_opts io = f->o->io;
        io.format = TARN_IO_NDJSON;
        io.compression = TARN_IO_COMP_NONE;
        TARN_TRY(tarn_io_records_open_range(path, &io, pc->off, pc->len, pc->line, &f->rec, err));
    } else {
        TARN_TRY(tarn_io_records_open(path, &f->o->io, &f->rec, err));
    }
    const tarn_io_opts *ro = tarn_io_records_opts(f->rec);
    f->fmt = tarn_io_format_name(ro->format);
    pc->format = f->fmt;
    f->delim[0] = ro->delimiter;
    f->delim[1] = '\0';
    return TARN_OK;
}

/* Counts what a lane read and reports it when it is time (one thread wins
 * the slot). */
static void report(feed *f, int64_t reader_bytes, int64_t records)
{
    progress *pg = f->pg;
    if (!pg || !f->o->on_progress)
        return;
    atomic_fetch_add(&pg->bytes, reader_bytes - f->rec_bytes);
    atomic_fetch_add(&pg->records, records);
    f->rec_bytes = reader_bytes;
    int64_t now = tarn_monotonic_us(), due = atomic_load(&pg->next_us);
    if (now >= due && atomic_compare_exchange_strong(&pg->next_us, &due, now + pg->every_us))
        f->o->on_progress(f->o->ctx, atomic_load(&pg->bytes), pg->total, atomic_load(&pg->records));
}

static void finish_file(feed *f)
{
    if (f->pq) {
        struct stat sb;
        f->cur->bytes = stat(tarn_pq_file_path(f->pq), &sb) == 0 ? (int64_t)sb.st_size : 0;
        report(f, f->cur->bytes, 0);
        f->rec_bytes = 0;
        tarn_pq_scan_close(f->pqs);
        tarn_pq_file_close(f->pq);
        f->pqs = NULL;
        f->pq = NULL;
    } else {
        f->cur->bytes = tarn_io_records_bytes_read(f->rec);
        report(f, f->cur->bytes, 0);
        f->rec_bytes = 0;
        tarn_io_records_close(f->rec);
        f->rec = NULL;
    }
    if (f->report && f->o->on_file) { /* one lane: each file as it ends */
        tarn_bronze_file pf = f->res->per_file[f->cur->file];
        pf.format = f->cur->format;
        pf.records = f->cur->records;
        pf.bad_json = f->cur->bad_json;
        pf.bytes = f->cur->bytes;
        f->o->on_file(f->o->ctx, &pf);
    }
}

#define APPEND(expr)                                                                               \
    do {                                                                                           \
        if ((expr) != TARN_OK)                                                                     \
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");                             \
    } while (0)

static tarn_status feed_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    feed *f = ctx;
    *out = NULL;
    tarn_batch_reset(f->batch);
    tarn_vec **c = f->batch->cols;
    for (;;) {
        if (!f->rec && !f->pq) {
            if (f->next >= f->n_pieces)
                break;
            TARN_TRY(open_next(f, err));
        }
        if (f->pq) {
            tarn_batch *pb;
            tarn_status ps = tarn_pq_scan_next(f->pqs, &pb, err);
            if (ps != TARN_OK)
                return tarn_err_at_path(err, f->o->files[f->cur->file]);
            if (!pb) {
                finish_file(f);
                if (f->batch->cols[0]->len > 0)
                    break;
                continue;
            }
            tarn_buf_reset(&f->render);
            if (tarn_render_ndjson(&f->render, pb) != TARN_OK)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            const char *p = f->render.data ? f->render.data : "", *end = p + f->render.len;
            int64_t n = 0;
            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
                APPEND(tarn_vec_append_bytes(c[C_RAW], p, (int64_t)len));
                APPEND(tarn_vec_append_bytes(c[C_FORMAT], "parquet", 7));
                APPEND(tarn_vec_append_null(c[C_HEADER]));
                APPEND(tarn_vec_append_null(c[C_DELIM]));
                APPEND(tarn_vec_append_null(c[C_ERROR]));
                APPEND(tarn_vec_append_bytes(c[C_FILE], f->abs, (int64_t)strlen(f->abs)));
                APPEND(tarn_vec_append_i64(c[C_LINE], ++f->pq_row));
                APPEND(tarn_vec_append_i64(c[C_OFFSET], 0));
                APPEND(tarn_vec_append_i64(c[C_AT], f->now_us));
                APPEND(tarn_vec_append_bytes(c[C_BATCH], f->res->batch_id,
                                             (int64_t)strlen(f->res->batch_id)));
                n++;
                p = nl ? nl + 1 : end;
            }
            for (int k = N_COLS; k < f->batch->n_cols; k++)
                APPEND(f->pq_map[k] >= 0 ? tarn_vec_append_range(c[k], pb->cols[f->pq_map[k]], 0, n)
                                         : tarn_vec_append_nulls(c[k], n));
            f->cur->records += n;
            report(f, f->rec_bytes, n);
            break;
        }
        const tarn_io_record *recs;
        int n;
        tarn_status st = tarn_io_records_next(f->rec, &recs, &n, err);
        if (st != TARN_OK)
            return tarn_err_at_path(err, f->o->files[f->cur->file]);
        if (n == 0) {
            finish_file(f);
            if (f->batch->cols[0]->len > 0)
                break;
            continue;
        }
        bool csv = f->fmt[0] == 'c' || f->fmt[0] == 't';
        const char *header = tarn_io_records_header(f->rec);
        int64_t fmt_len = (int64_t)strlen(f->fmt), abs_len = (int64_t)strlen(f->abs),
                batch_len = (int64_t)strlen(f->res->batch_id),
                header_len = header ? (int64_t)strlen(header) : 0;
        for (int i = 0; i < n; i++) {
            const tarn_io_record *r = &recs[i];
            APPEND(tarn_vec_append_bytes(c[C_RAW], r->text, (int64_t)r->len));
            APPEND(tarn_vec_append_bytes(c[C_FORMAT], f->fmt, fmt_len));
            if (csv && header)
                APPEND(tarn_vec_append_bytes(c[C_HEADER], header, header_len));
            else
                APPEND(tarn_vec_append_null(c[C_HEADER]));
            if (csv)
                APPEND(tarn_vec_append_bytes(c[C_DELIM], f->delim, 1));
            else
                APPEND(tarn_vec_append_null(c[C_DELIM]));
            if (r->error) {
                APPEND(tarn_vec_append_bytes(c[C_ERROR], r->error, (int64_t)strlen(r->error)));
                f->cur->bad_json++;
            } else {
                APPEND(tarn_vec_append_null(c[C_ERROR]));
            }
            APPEND(tarn_vec_append_bytes(c[C_FILE], f->abs, abs_len));
            APPEND(tarn_vec_append_i64(c[C_LINE], r->line));
            APPEND(tarn_vec_append_i64(c[C_OFFSET], r->offset));
            APPEND(tarn_vec_append_i64(c[C_AT], f->now_us));
            APPEND(tarn_vec_append_bytes(c[C_BATCH], f->res->batch_id, batch_len));
        }
        for (int k = N_COLS; k < f->batch->n_cols; k++) /* typed Parquet columns */
            APPEND(tarn_vec_append_nulls(c[k], n));
        f->cur->records += n;
        report(f, tarn_io_records_bytes_read(f->rec), n);
        /* The records' bytes belong to the reader until its next call: hand
         * the batch out now. */
        break;
    }
    if (f->batch->cols[0]->len == 0)
        return TARN_OK;
    TARN_TRY(tarn_batch_finish(f->batch, err));
    *out = f->batch;
    return TARN_OK;
}

/* Adds the flat columns of a Parquet file to the Bronze write schema: new
 * names as nullable columns; a standard (_raw...) name, a nested type or a
 * type other than the one the name already has is left to _raw. */
static tarn_status add_parquet_columns(tarn_schema *schema, const char *path, tarn_err *err)
{
    tarn_pq_file *pf;
    tarn_err e;
    if (tarn_pq_file_open(path, &pf, &e) != TARN_OK)
        return TARN_OK; /* reported when the file is read */
    const tarn_schema *ps = tarn_pq_file_schema(pf);
    tarn_status st = TARN_OK;
    for (int j = 0; st == TARN_OK && j < ps->n_fields; j++) {
        const tarn_field *fd = &ps->fields[j];
        if (tarn_type_is_nested(fd->type.id) || tarn_schema_find(schema, fd->name) >= 0)
            continue;
        if (!tarn_schema_add(schema, fd->name, fd->type, true))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    tarn_pq_file_close(pf);
    return st;
}

/* ---- pieces -------------------------------------------------------------------- */

/* Lanes at most, and the input size from which a file is split (and lanes
 * are used at all). */
#define MAX_LANES 16
#define SPLIT_MIN ((int64_t)64 << 20)

/* A large uncompressed NDJSON file can be read in byte ranges. */
static int64_t split_min(const tarn_bronze_opts *o)
{
    return o->split_min > 0 ? o->split_min : SPLIT_MIN;
}

static bool splittable(const tarn_bronze_opts *o, const char *path, off_t size)
{
    if (size < split_min(o) || is_parquet(o, path))
        return false;
    tarn_io_opts io = o->io;
    tarn_err e;
    return tarn_io_detect(path, &io, &e) == TARN_OK && io.format == TARN_IO_NDJSON &&
           io.compression == TARN_IO_COMP_NONE;
}

/* First byte after the first newline at or after `at`, or -1 when there is
 * none before the end. */
static int64_t next_line(int fd, int64_t at, int64_t size)
{
    uint8_t buf[65536];
    while (at < size) {
        ssize_t k = pread(fd, buf, sizeof buf, (off_t)at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        const uint8_t *nl = memchr(buf, '\n', (size_t)k);
        if (nl)
            return at + (nl - buf) + 1;
        at += k;
    }
    return -1;
}

/* The pieces of the pending files, in order: a splittable file (its
 * newline counts in nls[i]) becomes `lanes` ranges starting at line starts
 * near block boundaries, with their first line numbers; others are whole. */
static tarn_status plan_pieces(const tarn_bronze_opts *o, const int *pending, int n_pending,
                               int64_t *const *nls, const int64_t *sizes, int lanes, piece **out,
                               int *n_out, tarn_err *err)
{
    piece *v = tarn_calloc((size_t)n_pending * (size_t)lanes + 1, sizeof *v);
    if (!v)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    int n = 0;
    for (int q = 0; q < n_pending; q++) {
        int i = pending[q];
        const int64_t *nl = nls[i];
        int fd = nl ? open(o->files[i], O_RDONLY | O_CLOEXEC) : -1;
        if (fd < 0) {
            v[n++] = (piece){.file = i, .off = 0, .len = -1, .line = 1};
            continue;
        }
        int64_t size = sizes[i],
                blocks = (size + (int64_t)CONTENT_BLOCK - 1) / (int64_t)CONTENT_BLOCK;
        int64_t start = 0, line = 1, b_done = 0, nl_before = 0;
        for (int k = 1; k < lanes; k++) {
            int64_t b = blocks * k / lanes;
            while (b_done < b) /* newlines before block b */
                nl_before += nl[b_done++];
            int64_t cut = next_line(fd, b * (int64_t)CONTENT_BLOCK, size);
            if (cut <= start || cut >= size)
                continue;
            v[n++] = (piece){.file = i, .off = start, .len = cut - start, .line = line};
            start = cut;
            line = nl_before + 2; /* no newline in [block b, cut - 1), one at cut - 1 */
        }
        close(fd);
        v[n++] = (piece){.file = i, .off = start, .len = size - start, .line = line};
    }
    *out = v;
    *n_out = n;
    return TARN_OK;
}

/* ---- driver --------------------------------------------------------------------- */

tarn_status tarn_bronze_ingest(const tarn_bronze_opts *o, tarn_bronze_result *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->version = -1;
    /* Bronze takes every byte that arrives: LZ4 writes about twice as fast as
     * zstd (and reads 2.5x faster) for files ~1.7x larger, as Spark's snappy
     * default does for landing zones. */
    const char *codec = o->codec ? o->codec : "lz4_raw";
    tarn_pq_codec pc;
    tarn_delta_kv ckv = {"delta.parquet.compression.codec", codec};
    if (!tarn_delta_codec_from_config(&ckv, 1, &pc))
        return tarn_err_set(
            err, TARN_ERR_INVALID,
            "unknown codec '%s' (lz4_raw, zstd, snappy, gzip, brotli, uncompressed)", codec);
    out->per_file = tarn_calloc((size_t)o->n_files + 1, sizeof *out->per_file);
    if (!out->per_file)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    out->n_per_file = o->n_files;
    TARN_TRY(tarn_delta_uuid4(out->batch_id, err));

    /* Ids already in the table, sorted for lookup. */
    tarn_delta_snapshot *snap = NULL;
    const char **ids = NULL;
    int n_ids = 0;
    tarn_status st = TARN_OK;
    {
        st = tarn_delta_snapshot_load_existing(o->table, &snap, err);
        if (st == TARN_OK && snap) {
            out->version = snap->version;
            ids = tarn_alloc(((size_t)snap->n_txns + 1) * sizeof *ids);
            if (!ids)
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            for (int i = 0; st == TARN_OK && i < snap->n_txns; i++)
                ids[n_ids++] = snap->txns[i].app_id;
            if (n_ids)
                qsort(ids, (size_t)n_ids, sizeof *ids, cmp_cstr);
        }
    }
    /* Fingerprint every input; decide what lands. */
    char(*txn)[64] = tarn_calloc((size_t)o->n_files * 2 + 1, sizeof *txn);
    const char **txn_ptrs = tarn_calloc((size_t)o->n_files * 2 + 1, sizeof *txn_ptrs);
    int *pending = tarn_calloc((size_t)o->n_files + 1, sizeof *pending);
    int64_t **nls = tarn_calloc((size_t)o->n_files + 1, sizeof *nls); /* splittable files */
    int64_t *sizes = tarn_calloc((size_t)o->n_files + 1, sizeof *sizes);
    int n_txn = 0, n_pending = 0;
    int lanes = TARN_MAX(1, TARN_MIN(MAX_LANES, tarn_pool_size(tarn_pool_default())));
    if (st == TARN_OK && (!txn || !txn_ptrs || !pending || !nls || !sizes))
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; st == TARN_OK && i < o->n_files; i++) {
        tarn_bronze_file *pf = &out->per_file[i];
        pf->path = o->files[i];
        char abs[PATH_MAX];
        struct stat sb;
        if (stat(o->files[i], &sb) != 0) {
            st = tarn_err_errno(err, "cannot stat", o->files[i]);
            break;
        }
        if (!realpath(o->files[i], abs))
            snprintf(abs, sizeof abs, "%s", o->files[i]);
        int64_t mtime_us = (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000;
        char mid[64], cid[64];
        meta_id(abs, (int64_t)sb.st_size, mtime_us, mid, sizeof mid);
        if (!o->force && known(ids, n_ids, mid)) {
            pf->skipped = true;
            pf->reason = "already ingested (same path, size and modification time)";
        } else {
            int64_t bytes;
            sizes[i] = (int64_t)sb.st_size;
            st = content_id(o->files[i], cid, sizeof cid, &bytes,
                            lanes > 1 && splittable(o, o->files[i], sb.st_size) ? &nls[i] : NULL,
                            err);
            if (st != TARN_OK)
                break;
            bool dup_run = false;
            for (int k = 1; k < n_txn; k += 2)
                dup_run |= !strcmp(txn[k], cid);
            if (!o->force && known(ids, n_ids, cid)) {
                pf->skipped = true;
                pf->reason = "same content as a file already ingested";
            } else if (dup_run) {
                pf->skipped = true;
                pf->reason = "same content as another file of this run";
            }
            if (!pf->skipped) {
                snprintf(txn[n_txn], 64, "%s", mid);
                snprintf(txn[n_txn + 1], 64, "%s", cid);
                txn_ptrs[n_txn] = txn[n_txn];
                txn_ptrs[n_txn + 1] = txn[n_txn + 1];
                n_txn += 2;
                pending[n_pending++] = i;
            }
        }
        if (pf->skipped) {
            out->skipped++;
            if (o->on_file)
                o->on_file(o->ctx, pf);
        }
    }
    tarn_free(ids);
    /* The write schema: the standard columns, the typed columns earlier
     * Parquet inputs gave the table, and those of this run's Parquet files
     * (same name, same type; a name or type that clashes stays in _raw). */
    tarn_schema *schema = st == TARN_OK ? tarn_bronze_schema() : NULL;
    if (st == TARN_OK && !schema)
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int c = 0; st == TARN_OK && snap && c < snap->schema->n_fields; c++) {
        const tarn_field *fd = &snap->schema->fields[c];
        if (tarn_schema_find(schema, fd->name) < 0 && !tarn_type_is_nested(fd->type.id) &&
            !tarn_schema_add(schema, fd->name, fd->type, true))
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    tarn_delta_snapshot_destroy(snap);
    for (int q = 0; st == TARN_OK && q < n_pending; q++)
        if (is_parquet(o, o->files[pending[q]]))
            st = add_parquet_columns(schema, o->files[pending[q]], err);

    piece *pieces = NULL;
    int n_pieces = 0;
    if (st == TARN_OK && n_pending > 0)
        st = plan_pieces(o, pending, n_pending, nls, sizes, lanes, &pieces, &n_pieces, err);
    if (st == TARN_OK && n_pending > 0) {
        /* Lanes: contiguous runs of pieces of about equal bytes, each fed
         * and written on a thread of its own; files join the commit in lane
         * order, so Bronze keeps the arrival order. */
        int64_t total = 0;
        for (int k = 0; k < n_pieces; k++)
            total += pieces[k].len >= 0 ? pieces[k].len : sizes[pieces[k].file];
        if (total < split_min(o) || n_pieces < 2)
            lanes = 1;
        lanes = TARN_MIN(lanes, n_pieces);
        feed *fs = tarn_calloc((size_t)lanes, sizeof *fs);
        void *ctxs[MAX_LANES];
        int64_t now_us = o->now_us ? o->now_us : tarn_now_us();
        progress pg;
        atomic_init(&pg.bytes, 0);
        atomic_init(&pg.records, 0);
        pg.total = total;
        pg.every_us = o->progress_every_us > 0 ? o->progress_every_us : 2000000;
        atomic_init(&pg.next_us, tarn_monotonic_us() + pg.every_us);
        int at = 0;
        int64_t acc = 0;
        for (int l = 0; fs && l < lanes; l++) {
            feed *f = &fs[l];
            ctxs[l] = f;
            f->o = o;
            f->pg = &pg;
            f->res = out;
            f->schema = schema;
            f->report = lanes == 1;
            f->now_us = now_us;
            f->pieces = pieces + at;
            int64_t goal = total * (l + 1) / lanes;
            while (at < n_pieces && (l == lanes - 1 || acc < goal || f->n_pieces == 0) &&
                   n_pieces - at > lanes - 1 - l) {
                acc += pieces[at].len >= 0 ? pieces[at].len : sizes[pieces[at].file];
                f->n_pieces++;
                at++;
            }
            tarn_buf_init(&f->render);
            f->batch = schema ? tarn_batch_create(schema) : NULL;
            f->pq_map = tarn_calloc((size_t)(schema ? schema->n_fields : 0) + 1, sizeof(int));
            if (!f->batch || !f->pq_map)
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
        if (!fs || !schema)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        if (st == TARN_OK) {
            tarn_delta_write_opts wo;
            tarn_delta_write_opts_init(&wo);
            tarn_delta_kv cfg[] = {{"delta.appendOnly", "true"},
                                   {"delta.parquet.compression.codec", codec}};
            wo.config = cfg;
            wo.n_config = 2;
            wo.txn_ids = txn_ptrs;
            wo.n_txn_ids = n_txn;
            wo.add_columns = true; /* typed columns of new Parquet inputs */
            wo.txn_version = 0;
            tarn_delta_write_result wr;
            st = tarn_delta_write_sources(o->table, schema, lanes, feed_next, ctxs, &wo, &wr, err);
            if (st == TARN_OK) {
                out->committed = wr.committed;
                out->version = wr.version;
            }
        }
        for (int l = 0; fs && l < lanes; l++) {
            tarn_io_records_close(fs[l].rec);
            tarn_pq_scan_close(fs[l].pqs);
            tarn_pq_file_close(fs[l].pq);
            tarn_buf_fini(&fs[l].render);
            tarn_batch_destroy(fs[l].batch);
            tarn_free(fs[l].pq_map);
        }
        tarn_free(fs);
        /* Per-file counts from the pieces, reported in input order. */
        for (int k = 0; st == TARN_OK && k < n_pieces; k++) {
            tarn_bronze_file *pf = &out->per_file[pieces[k].file];
            pf->format = pieces[k].format;
            pf->records += pieces[k].records;
            pf->bad_json += pieces[k].bad_json;
            pf->bytes += pieces[k].bytes;
            out->records += pieces[k].records;
            out->bad_json += pieces[k].bad_json;
            out->bytes += pieces[k].bytes;
            if (k + 1 == n_pieces || pieces[k + 1].file != pieces[k].file) {
                out->files++;
                if (lanes > 1 && o->on_file)
                    o->on_file(o->ctx, pf);
            }
        }
    }
    tarn_schema_destroy(schema);
    for (int i = 0; nls && i < o->n_files; i++)
        tarn_free(nls[i]);
    tarn_free(nls);
    tarn_free(sizes);
    tarn_free(pieces);
    tarn_free(txn);
    tarn_free(txn_ptrs);
    tarn_free(pending);
    return st;
}

void tarn_bronze_result_fini(tarn_bronze_result *r)
{
    tarn_free(r->per_file);
    memset(r, 0, sizeof *r);
}
