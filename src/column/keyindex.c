/*
 * column/keyindex.c - rows indexed by key (see keyindex.h).
 *
 * Build: (1) hash every row, a morsel of rows per pool task and a column at
 * a time inside it (one type switch per column, not per value); (2) count
 * rows per partition (top hash bits) and lay the row numbers out partition
 * by partition, in arrival order; (3) one pool task per partition inserts
 * its rows into its own table. Tables are sized for a load of at most 2/3
 * and live side by side in one slot array.
 */
#include "column/keyindex.h"

#include "base/alloc.h"
#include "base/hash.h"
#include "base/pool.h"

#include <string.h>

#define MAX_KEY_COLS 16
#define PART_ROWS    8192 /* rows per partition aimed at: its table stays in L2 */
#define MAX_BITS     16
#define MORSEL       65536
#define NULL_HASH    0x5bd1e9955bd1e995ULL

typedef struct slot {
    uint32_t tag;  /* high hash bits */
    uint32_t row1; /* row + 1; 0 = empty */
} slot;

enum {
    K_VAR,
    K_BOOL,
    K_FIXED
};

struct tarn_keyindex {
    const tarn_batch *b;
    int cols[MAX_KEY_COLS];
    int kind[MAX_KEY_COLS];
    int width[MAX_KEY_COLS];
    int n_cols;
    int bits;     /* partitions = 1 << bits */
    int64_t *off; /* partition p's slots: [off[p], off[p+1]), a power of two */
    slot *slots;
    int64_t keys, repeats;
};

/* ---- hashing ------------------------------------------------------------------- */

static uint64_t fixed_hash(const uint8_t *p, int w)
{
    uint64_t x = 0;
    switch (w) {
    case 1:
        return tarn_hash_u64(0x100u | *p);
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return tarn_hash_u64(0x20000u | v);
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return tarn_hash_u64(0x400000000ULL | v);
    }
    case 8:
        memcpy(&x, p, 8);
        return tarn_hash_u64(x ^ 0x8000000000000000ULL) ^ 0x8;
    case 16: {
        uint64_t y;
        memcpy(&x, p, 8);
        memcpy(&y, p + 8, 8);
        return tarn_hash_combine(tarn_hash_u64(x), y);
    }
    default:
        return tarn_hash_bytes(p, (size_t)w, 0x51);
    }
}

/* h[i - from] for rows [from, to) of v, folded into the hash so far unless
 * first. */
static void hash_col(const tarn_vec *v, int kind, int w, int64_t from, int64_t to, uint64_t *h,
                     bool first)
{
    for (int64_t i = from; i < to; i++) {
        uint64_t x;
        if (!tarn_vec_is_valid(v, i))
            x = NULL_HASH;
        else if (kind == K_VAR)
            x = tarn_hash_bytes(v->bytes + v->offsets[i],
                                (size_t)(v->offsets[i + 1] - v->offsets[i]), 0x6b5);
        else if (kind == K_BOOL)
            x = tarn_hash_u64(2u + tarn_vec_get_bool(v, i));
        else
            x = fixed_hash(v->data + i * w, w);
        h[i - from] = first ? x : tarn_hash_combine(h[i - from], x);
    }
}

typedef struct hash_job {
    const tarn_keyindex *x;
    const tarn_batch *b;
    const int *cols;
    int64_t n;
    uint64_t *h;
} hash_job;

static void hash_task(void *ctx, int64_t m)
{
    hash_job *j = ctx;
    int64_t from = m * MORSEL, to = TARN_MIN(j->n, from + MORSEL);
    for (int c = 0; c < j->x->n_cols; c++)
        hash_col(j->b->cols[j->cols[c]], j->x->kind[c], j->x->width[c], from, to, j->h + from,
                 c == 0);
}

static tarn_status hash_rows(const tarn_keyindex *x, const tarn_batch *b, const int *cols,
                             uint64_t **out, tarn_err *err)
{
    int64_t n = b->n_rows;
    uint64_t *h = tarn_alloc(((size_t)n + 1) * sizeof *h);
    if (!h)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    hash_job j = {x, b, cols, n, h};
    tarn_pool_run(tarn_pool_default(), (n + MORSEL - 1) / MORSEL, hash_task, &j);
    *out = h;
    return TARN_OK;
}

/* ---- equality ------------------------------------------------------------------ */

static bool keys_equal(const tarn_keyindex *x, const tarn_batch *a, const int *acols, int64_t i,
                       int64_t j)
{
    for (int c = 0; c < x->n_cols; c++) {
        const tarn_vec *u = a->cols[acols[c]], *v = x->b->cols[x->cols[c]];
        bool uv = tarn_vec_is_valid(u, i), vv = tarn_vec_is_valid(v, j);
        if (uv != vv)
            return false;
        if (!uv)
            continue;
        if (x->kind[c] == K_VAR) {
            int32_t ul = u->offsets[i + 1] - u->offsets[i], vl = v->offsets[j + 1] - v->offsets[j];
            if (ul != vl || memcmp(u->bytes + u->offsets[i], v->bytes + v->offsets[j], (size_t)ul))
                return false;
        } else if (x->kind[c] == K_BOOL) {
            if (tarn_vec_get_bool(u, i) != tarn_vec_get_bool(v, j))
                return false;
        } else if (memcmp(u->data + i * x->width[c], v->data + j * x->width[c],
                          (size_t)x->width[c])) {
            return false;
        }
    }
    return true;
}

/* ---- build ---------------------------------------------------------------------- */

typedef struct build_job {
    tarn_keyindex *x;
    const uint64_t *h;
    const uint32_t *rows; /* row numbers, partition by partition */
    const int64_t *start; /* partition p's rows: [start[p], start[p+1]) */
    tarn_keyindex_wins_fn wins;
    void *ctx;
    uint8_t *drop;
    int64_t *keys, *repeats; /* per partition */
} build_job;

static void build_task(void *ctx, int64_t p)
{
    build_job *j = ctx;
    tarn_keyindex *x = j->x;
    slot *t = x->slots + x->off[p];
    uint64_t mask = (uint64_t)(x->off[p + 1] - x->off[p] - 1);
    int64_t keys = 0, reps = 0;
    for (int64_t k = j->start[p]; k < j->start[p + 1]; k++) {
        uint32_t r = j->rows[k];
        uint64_t hh = j->h[k];
        uint32_t tag = (uint32_t)(hh >> 32);
        for (uint64_t s = hh & mask;; s = (s + 1) & mask) {
            if (!t[s].row1) {
                t[s].tag = tag;
                t[s].row1 = r + 1;
                keys++;
                break;
            }
            int64_t kept = (int64_t)t[s].row1 - 1;
            if (t[s].tag != tag || !keys_equal(x, x->b, x->cols, r, kept))
                continue;
            reps++;
            if (!j->wins || j->wins(j->ctx, r, kept)) {
                if (j->drop)
                    j->drop[kept] = 1;
                t[s].row1 = r + 1;
            } else if (j->drop) {
                j->drop[r] = 1;
            }
            break;
        }
    }
    j->keys[p] = keys;
    j->repeats[p] = reps;
}

static tarn_status describe(tarn_keyindex *x, const tarn_batch *b, const int *cols, int n_cols,
                            tarn_err *err)
{
    if (n_cols < 1 || n_cols > MAX_KEY_COLS)
        return tarn_err_set(err, TARN_ERR_INVALID, "a key has 1 to %d columns", MAX_KEY_COLS);
    x->b = b;
    x->n_cols = n_cols;
    for (int c = 0; c < n_cols; c++) {
        if (cols[c] < 0 || cols[c] >= b->n_cols)
            return tarn_err_set(err, TARN_ERR_INVALID, "key column %d out of range", cols[c]);
        tarn_type t = b->cols[cols[c]]->type;
        if (tarn_type_is_nested(t.id))
            return tarn_err_set(err, TARN_ERR_INVALID, "a key column cannot be nested");
        x->cols[c] = cols[c];
        x->kind[c] = tarn_type_is_varlen(t.id) ? K_VAR : t.id == TARN_TYPE_BOOL ? K_BOOL : K_FIXED;
        x->width[c] = x->kind[c] == K_FIXED ? tarn_type_width(t) : 0;
    }
    return TARN_OK;
}

static int64_t pow2_at_least(int64_t n)
{
    int64_t p = 16;
    while (p < n)
        p *= 2;
    return p;
}

tarn_status tarn_keyindex_build(const tarn_batch *b, const int *cols, int n_cols,
                                tarn_keyindex_wins_fn wins, void *ctx, uint8_t *drop,
                                tarn_keyindex **out, tarn_err *err)
{
    *out = NULL;
    int64_t n = b->n_rows;
    if (n >= (int64_t)UINT32_MAX - 1)
        return tarn_err_set(err, TARN_ERR_INVALID, "too many rows for one key index (%lld)",
                            (long long)n);
    tarn_keyindex *x = tarn_calloc(1, sizeof *x);
    if (!x)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_status st = describe(x, b, cols, n_cols, err);
    while (st == TARN_OK && x->bits < MAX_BITS && ((int64_t)PART_ROWS << x->bits) < n)
        x->bits++;
    int64_t parts = (int64_t)1 << x->bits;
    uint64_t *h = NULL, *ph = NULL;
    uint32_t *rows = NULL;
    int64_t *start = NULL, *keys = NULL, *reps = NULL;
    if (st == TARN_OK)
        st = hash_rows(x, b, cols, &h, err);
    if (st == TARN_OK) {
        rows = tarn_alloc(((size_t)n + 1) * sizeof *rows);
        ph = tarn_alloc(((size_t)n + 1) * sizeof *ph);
        start = tarn_calloc((size_t)parts + 1, sizeof *start);
        keys = tarn_calloc((size_t)parts, sizeof *keys);
        reps = tarn_calloc((size_t)parts, sizeof *reps);
        x->off = tarn_calloc((size_t)parts + 1, sizeof *x->off);
        if (!rows || !ph || !start || !keys || !reps || !x->off)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    if (st == TARN_OK) {
        int shift = 64 - x->bits;
        for (int64_t i = 0; i < n; i++)
            start[x->bits ? h[i] >> shift : 0]++;
        int64_t at = 0;
        for (int64_t p = 0; p < parts; p++) {
            int64_t c = start[p];
            start[p] = at;
            at += c;
            x->off[p + 1] = x->off[p] + pow2_at_least(c + c / 2 + 1);
        }
        start[parts] = at;
        /* keys[] doubles as each partition's fill cursor */
        memcpy(keys, start, (size_t)parts * sizeof *keys);
        for (int64_t i = 0; i < n; i++) {
            int64_t pos = keys[x->bits ? h[i] >> shift : 0]++;
            rows[pos] = (uint32_t)i;
            ph[pos] = h[i];
        }
        tarn_free(h);
        h = NULL;
        x->slots = tarn_calloc((size_t)x->off[parts], sizeof *x->slots);
        if (!x->slots)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    if (st == TARN_OK) {
        build_job j = {x, ph, rows, start, wins, ctx, drop, keys, reps};
        tarn_pool_run(tarn_pool_default(), parts, build_task, &j);
        for (int64_t p = 0; p < parts; p++) {
            x->keys += keys[p];
            x->repeats += reps[p];
        }
    }
    tarn_free(h);
    tarn_free(ph);
    tarn_free(rows);
    tarn_free(start);
    tarn_free(keys);
    tarn_free(reps);
    if (st != TARN_OK) {
        tarn_keyindex_destroy(x);
        return st;
    }
    *out = x;
    return TARN_OK;
}

/* ---- probe ---------------------------------------------------------------------- */

typedef struct probe_job {
    const tarn_keyindex *x;
    const tarn_batch *probe;
    const int *pcols;
    const uint64_t *h;
    int64_t n;
    int64_t *out;
} probe_job;

static void probe_task(void *ctx, int64_t m)
{
    probe_job *j = ctx;
    const tarn_keyindex *x = j->x;
    int shift = 64 - x->bits;
    int64_t from = m * MORSEL, to = TARN_MIN(j->n, from + MORSEL);
    for (int64_t i = from; i < to; i++) {
        uint64_t hh = j->h[i];
        int64_t p = x->bits ? (int64_t)(hh >> shift) : 0;
        const slot *t = x->slots + x->off[p];
        uint64_t mask = (uint64_t)(x->off[p + 1] - x->off[p] - 1);
        uint32_t tag = (uint32_t)(hh >> 32);
        j->out[i] = -1;
        for (uint64_t s = hh & mask; t[s].row1; s = (s + 1) & mask)
            if (t[s].tag == tag && keys_equal(x, j->probe, j->pcols, i, (int64_t)t[s].row1 - 1)) {
                j->out[i] = (int64_t)t[s].row1 - 1;
                break;
            }
    }
}

tarn_status tarn_keyindex_probe(const tarn_keyindex *x, const tarn_batch *probe, const int *pcols,
                                int64_t *out, tarn_err *err)
{
    for (int c = 0; c < x->n_cols; c++) {
        if (pcols[c] < 0 || pcols[c] >= probe->n_cols)
            return tarn_err_set(err, TARN_ERR_INVALID, "key column %d out of range", pcols[c]);
        tarn_type a = probe->cols[pcols[c]]->type, k = x->b->cols[x->cols[c]]->type;
        if (a.id != k.id || tarn_type_width(a) != tarn_type_width(k))
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "key column %d: probe type differs from the index's", c);
    }
    uint64_t *h;
    TARN_TRY(hash_rows(x, probe, pcols, &h, err));
    probe_job j = {x, probe, pcols, h, probe->n_rows, out};
    tarn_pool_run(tarn_pool_default(), (probe->n_rows + MORSEL - 1) / MORSEL, probe_task, &j);
    tarn_free(h);
    return TARN_OK;
}

int64_t tarn_keyindex_keys(const tarn_keyindex *x)
{
    return x->keys;
}

int64_t tarn_keyindex_repeats(const tarn_keyindex *x)
{
    return x->repeats;
}

void tarn_keyindex_destroy(tarn_keyindex *x)
{
    if (!x)
        return;
    tarn_free(x->off);
    tarn_free(x->slots);
    tarn_free(x);
}
