/*
 * io/infer.c - schema inference: a field table in first-seen order where
 * each field's class widens as values are seen, and the public entry points
 * that run a sampling reader over the input.
 *
 * Widening: null < anything; int + double = double; date + timestamp =
 * timestamp; any other mix = string. The result is never narrower than a
 * sampled value, so reading the sample back with it cannot fail on type.
 */
#include "io/io_int.h"

#include "base/alloc.h"

struct tarn_io_infer {
    int n;              /* fields */
    int cap;            /* allocated entries */
    char **names;       /* NUL-terminated heap copies */
    size_t *lens;       /* name lengths */
    tarn_io_class *cls; /* widened class per field */
    int32_t *slots;     /* open-addressing index: field or -1 */
    uint32_t mask;      /* slots - 1 */
};

tarn_io_infer *tarn_io_infer_create(void)
{
    tarn_io_infer *inf = tarn_calloc(1, sizeof *inf);
    if (!inf)
        return NULL;
    inf->slots = tarn_alloc(64 * sizeof *inf->slots);
    if (!inf->slots) {
        tarn_free(inf);
        return NULL;
    }
    inf->mask = 63;
    for (int i = 0; i < 64; i++)
        inf->slots[i] = -1;
    return inf;
}

void tarn_io_infer_destroy(tarn_io_infer *inf)
{
    if (!inf)
        return;
    for (int i = 0; i < inf->n; i++)
        tarn_free(inf->names[i]);
    tarn_free(inf->names);
    tarn_free(inf->lens);
    tarn_free(inf->cls);
    tarn_free(inf->slots);
    tarn_free(inf);
}

static uint32_t hash_name(const uint8_t *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 0x100000001b3ULL;
    return (uint32_t)(h ^ (h >> 32));
}

static int find(const tarn_io_infer *inf, const uint8_t *k, size_t n, uint32_t *slot)
{
    uint32_t h = hash_name(k, n) & inf->mask;
    for (;;) {
        int32_t i = inf->slots[h];
        if (i < 0) {
            *slot = h;
            return -1;
        }
        if (inf->lens[i] == n && memcmp(inf->names[i], k, n) == 0)
            return i;
        h = (h + 1) & inf->mask;
    }
}

static bool rehash(tarn_io_infer *inf)
{
    uint32_t size = (inf->mask + 1) * 2;
    int32_t *s = tarn_alloc(size * sizeof *s);
    if (!s)
        return false;
    for (uint32_t i = 0; i < size; i++)
        s[i] = -1;
    tarn_free(inf->slots);
    inf->slots = s;
    inf->mask = size - 1;
    for (int i = 0; i < inf->n; i++) {
        uint32_t h = hash_name((const uint8_t *)inf->names[i], inf->lens[i]) & inf->mask;
        while (s[h] >= 0)
            h = (h + 1) & inf->mask;
        s[h] = i;
    }
    return true;
}

int tarn_io_infer_field(tarn_io_infer *inf, const uint8_t *name, size_t n, tarn_status *st)
{
    uint32_t slot;
    int i = find(inf, name, n, &slot);
    if (i >= 0)
        return i;
    if (inf->n >= TARN_IO_INFER_MAX_FIELDS) {
        *st = TARN_ERR_LIMIT;
        return -1;
    }
    *st = TARN_ERR_NOMEM;
    if (inf->n == inf->cap) {
        int cap = inf->cap ? inf->cap * 2 : 16;
        char **nm = tarn_realloc(inf->names, sizeof *nm * (size_t)cap);
        if (!nm)
            return -1;
        inf->names = nm;
        size_t *ln = tarn_realloc(inf->lens, sizeof *ln * (size_t)cap);
        if (!ln)
            return -1;
        inf->lens = ln;
        tarn_io_class *cl = tarn_realloc(inf->cls, sizeof *cl * (size_t)cap);
        if (!cl)
            return -1;
        inf->cls = cl;
        inf->cap = cap;
    }
    if ((uint32_t)(inf->n + 1) * 2 > inf->mask + 1) {
        if (!rehash(inf))
            return -1;
        find(inf, name, n, &slot);
    }
    char *copy = tarn_strndup((const char *)name, n);
    if (!copy)
        return -1;
    i = inf->n++;
    inf->names[i] = copy;
    inf->lens[i] = n;
    inf->cls[i] = TARN_IO_C_NULL;
    inf->slots[slot] = i;
    *st = TARN_OK;
    return i;
}

static tarn_io_class widen(tarn_io_class a, tarn_io_class b)
{
    if (a == b || b == TARN_IO_C_NULL)
        return a;
    if (a == TARN_IO_C_NULL)
        return b;
    if ((a == TARN_IO_C_INT && b == TARN_IO_C_DOUBLE) ||
        (a == TARN_IO_C_DOUBLE && b == TARN_IO_C_INT))
        return TARN_IO_C_DOUBLE;
    if ((a == TARN_IO_C_DATE && b == TARN_IO_C_TS) || (a == TARN_IO_C_TS && b == TARN_IO_C_DATE))
        return TARN_IO_C_TS;
    return TARN_IO_C_STRING;
}

void tarn_io_infer_note(tarn_io_infer *inf, int idx, tarn_io_class c)
{
    inf->cls[idx] = widen(inf->cls[idx], c);
}

tarn_status tarn_io_infer_build(const tarn_io_infer *inf, tarn_schema **out, tarn_err *err)
{
    static const tarn_type_id ids[] = {
        [TARN_IO_C_NULL] = TARN_TYPE_STRING,   [TARN_IO_C_BOOL] = TARN_TYPE_BOOL,
        [TARN_IO_C_INT] = TARN_TYPE_INT64,     [TARN_IO_C_DOUBLE] = TARN_TYPE_FLOAT64,
        [TARN_IO_C_DATE] = TARN_TYPE_DATE,     [TARN_IO_C_TS] = TARN_TYPE_TIMESTAMP,
        [TARN_IO_C_STRING] = TARN_TYPE_STRING,
    };
    *out = NULL;
    if (inf->n == 0)
        return tarn_err_set(err, TARN_ERR_INVALID, "no fields found to infer a schema from");
    tarn_schema *s = tarn_schema_create();
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < inf->n; i++) {
        if (!tarn_schema_add(s, inf->names[i], tarn_type_make(ids[inf->cls[i]]), true)) {
            tarn_schema_destroy(s);
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    *out = s;
    return TARN_OK;
}

/* Inference skips what a permissive reader would skip, without reporting it. */
static tarn_status ignore_bad(void *ctx, const tarn_io_bad_record *rec, tarn_err *err)
{
    (void)ctx;
    (void)rec;
    (void)err;
    return TARN_OK;
}

static tarn_status infer(const char *path, const void *data, size_t n, const char *name,
                         const tarn_io_opts *opts, int64_t max_records, tarn_schema **out,
                         tarn_err *err)
{
    tarn_status st;
    *out = NULL;
    tarn_io_infer *inf = tarn_io_infer_create();
    if (!inf)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_io_opts o;
    if (opts)
        o = *opts;
    else
        tarn_io_opts_init(&o);
    if (o.on_bad_record)
        o.on_bad_record = ignore_bad;
    st = tarn_io_reader_infer(path, data, n, name, &o, inf, max_records > 0 ? max_records : 10000,
                              err);
    if (st == TARN_OK) {
        st = tarn_io_infer_build(inf, out, err);
        if (st != TARN_OK)
            tarn_err_at_path(err, path ? path : (name ? name : "<memory>"));
    }
    tarn_io_infer_destroy(inf);
    return st;
}

tarn_status tarn_io_infer_schema(const char *path, const tarn_io_opts *opts, int64_t max_records,
                                 tarn_schema **out, tarn_err *err)
{
    return infer(path, NULL, 0, NULL, opts, max_records, out, err);
}

tarn_status tarn_io_infer_schema_mem(const void *data, size_t n, const char *name,
                                     const tarn_io_opts *opts, int64_t max_records,
                                     tarn_schema **out, tarn_err *err)
{
    return infer(NULL, data, n, name, opts, max_records, out, err);
}
