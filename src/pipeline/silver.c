/*
 * pipeline/silver.c - one Silver run (see silver.h).
 *
 * A round covers Bronze versions (from, to]: the Bronze files those commits
 * added are scanned in commit order (arrival order), each batch is judged
 * (refine), good rows are gathered into `in` and quarantine rows into `q`.
 * Keys are packed into a hash map (one entry per distinct incoming key) to
 * deduplicate and, during the merge, to find the existing rows an incoming
 * row replaces.
 */
#include "pipeline/silver.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"
#include "base/keymap.h"
#include "base/pool.h"
#include "base/time.h"
#include "column/keyindex.h"
#include "column/scalar.h"
#include "delta/delete.h"
#include "delta/log.h"
#include "delta/scan.h"
#include "delta/snapshot.h"
#include "delta/write.h"
#include "exec/predicate.h"
#include "io/records.h"
#include "pipeline/bronze.h"
#include "pipeline/refine.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Bronze rows judged together (one parse spread over the thread pool). */
#define REFINE_ROWS 65536
/* Threads judging Bronze or writing Silver at most. */
#define MAX_WORKERS 64
/* Rows from which new Silver rows are written by a lane per core. */
#define LANE_MIN_ROWS 16384

/* ---- keys -------------------------------------------------------------------------- */

/* Key of row i: the key columns' values (tarn_vec_append_key). */
static tarn_status key_of(const tarn_batch *b, const int *cols, int n, int64_t i, tarn_buf *k)
{
    tarn_buf_reset(k);
    for (int c = 0; c < n; c++)
        TARN_TRY(tarn_vec_append_key(k, b->cols[cols[c]], i));
    return TARN_OK;
}

/* ---- a round ---------------------------------------------------------------------- */

typedef struct round {
    const tarn_contract *c;
    tarn_silver_result *res;
    tarn_batch *in; /* incoming good rows (contract columns) */
    uint8_t *drop;  /* per incoming row: superseded (dedup) or stale (merge) */
    int64_t cap_drop;
    tarn_batch *q;    /* quarantine rows */
    int key_cols[16]; /* in `in` / Silver (same column order) */
    int n_key;
    int seq_col;       /* sequence_by column, or -1 */
    tarn_keyindex *ki; /* incoming key -> winning incoming row */
    /* merge state */
    tarn_scalar *first_keys; /* sorted first key column values of surviving rows */
    int64_t n_first;
    struct ins *ins; /* insert sources: slices of the incoming rows */
    int n_ins;
    bool dry;           /* count, commit nothing */
    uint8_t *is_del;    /* per incoming row: matches delete_when, or NULL */
    tarn_batch *closed; /* history: scd2 - replaced current rows, closed (valid_to set) */
    int64_t now_us;     /* the run's time: valid_from without a timestamp sequence_by */
    /* history: scd2 with a timestamp sequence_by - every version of a key
     * that arrives newer than all before it is kept; chains of versions per
     * winning row (see history_chains) */
    bool hist;
    int64_t *vto;     /* per incoming row: valid_to of an in-run history version, or
                         NO_VTO (the current version) */
    int64_t *chain;   /* rows of every chain, grouped by winner, arrival order */
    int64_t *grp_w;   /* winner of each chain, ascending */
    int64_t *grp_off; /* chain g is chain[grp_off[g] .. grp_off[g + 1]) */
    int64_t n_grp;
} round;

/* An insert source: the surviving incoming rows of [next_row, end_row),
 * REFINE_ROWS at a time through one reused batch (one per writer lane). */
typedef struct ins {
    round *r;
    int64_t next_row, end_row;
    bool closed_out;       /* scd2: the closed rows were handed (first source only) */
    tarn_batch *out_batch; /* reused */
    int64_t *idx;          /* its row indexes */
    int64_t handed;        /* rows handed to the writer */
    int64_t handed_hist;   /* of which history versions */
} ins;

/* Slices the incoming rows into n insert sources (1 when n <= 1). */
static tarn_status ins_init(round *r, int n, tarn_err *err)
{
    n = TARN_MAX(1, n);
    r->ins = tarn_calloc((size_t)n, sizeof *r->ins);
    if (!r->ins)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    r->n_ins = n;
    int64_t rows = r->in->n_rows;
    for (int k = 0; k < n; k++) {
        r->ins[k].r = r;
        r->ins[k].next_row = rows * k / n;
        r->ins[k].end_row = rows * (k + 1) / n;
        r->ins[k].closed_out = k > 0;
    }
    return TARN_OK;
}

static void ins_fini(round *r, int64_t *handed, int64_t *handed_hist)
{
    for (int k = 0; k < r->n_ins; k++) {
        if (handed)
            *handed += r->ins[k].handed;
        if (handed_hist)
            *handed_hist += r->ins[k].handed_hist;
        tarn_batch_destroy(r->ins[k].out_batch);
        tarn_free(r->ins[k].idx);
    }
    tarn_free(r->ins);
    r->ins = NULL;
    r->n_ins = 0;
}

#define NO_VTO INT64_MIN

static int cmp_scalar(const void *a, const void *b)
{
    const tarn_scalar *x = a, *y = b;
    if (x->is_null || y->is_null)
        return (y->is_null) - (x->is_null);
    return tarn_scalar_compare(x, y);
}

/* sequence of row a of batch A compared with row b of batch B (null oldest). */
static int seq_cmp(const tarn_batch *A, int64_t a, int acol, const tarn_batch *B, int64_t b,
                   int bcol)
{
    tarn_scalar x, y;
    bool xn = tarn_vec_is_null(A->cols[acol], a), yn = tarn_vec_is_null(B->cols[bcol], b);
    if (xn || yn)
        return (int)yn - (int)xn;
    tarn_scalar_from_vec(A->cols[acol], a, &x);
    tarn_scalar_from_vec(B->cols[bcol], b, &y);
    return tarn_scalar_compare(&x, &y);
}

/* Same key again: by sequence_by the strictly newer row wins (a tie keeps
 * the earlier arrival, as the merge does); without it, the later arrival. */
static bool newer_wins(void *ctx, int64_t incoming, int64_t kept)
{
    const round *r = ctx;
    return r->seq_col < 0 || seq_cmp(r->in, incoming, r->seq_col, r->in, kept, r->seq_col) > 0;
}

static int cmp_pair(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

static int64_t valid_from_of(const round *r, int64_t i);

/* history: scd2 - the versions of a key that arrived in this round, in
 * arrival order, each kept when it is newer (by sequence_by) than every
 * version before it; the last kept is the winner, the others become closed
 * history rows (valid_to = the next version's valid_from). Later, older
 * versions are late data: superseded, as without history, so the result
 * does not depend on how arrivals were split into runs. */
static tarn_status history_chains(round *r, tarn_err *err)
{
    int64_t n = r->in->n_rows, n_sup = 0;
    for (int64_t i = 0; i < n; i++)
        n_sup += r->drop[i];
    r->vto = tarn_alloc(((size_t)n + 1) * sizeof *r->vto);
    if (!r->vto)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < n; i++)
        r->vto[i] = NO_VTO;
    if (n_sup == 0)
        return TARN_OK;
    int64_t *hit = tarn_alloc(((size_t)n + 1) * sizeof *hit);
    int64_t *pairs = tarn_alloc(((size_t)n_sup * 2 + 2) * 2 * sizeof *pairs);
    r->chain = tarn_alloc(((size_t)n_sup * 2 + 1) * sizeof *r->chain);
    r->grp_w = tarn_alloc(((size_t)n_sup + 1) * sizeof *r->grp_w);
    r->grp_off = tarn_alloc(((size_t)n_sup + 2) * sizeof *r->grp_off);
    tarn_status st = hit && pairs && r->chain && r->grp_w && r->grp_off
                         ? tarn_keyindex_probe(r->ki, r->in, r->key_cols, hit, err)
                         : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK) {
        /* (winner, row) for every superseded row and for its winner */
        int64_t np = 0;
        for (int64_t i = 0; i < n; i++)
            if (r->drop[i]) {
                pairs[2 * np] = hit[i];
                pairs[2 * np++ + 1] = i;
                pairs[2 * np] = hit[i];
                pairs[2 * np++ + 1] = hit[i];
            }
        qsort(pairs, (size_t)np, 2 * sizeof *pairs, cmp_pair);
        int64_t nc = 0;
        for (int64_t p = 0; p < np;) {
            int64_t w = pairs[2 * p], g = r->n_grp++;
            r->grp_w[g] = w;
            r->grp_off[g] = nc;
            int64_t last = -1;
            for (; p < np && pairs[2 * p] == w; p++) {
                int64_t i = pairs[2 * p + 1];
                if (i == last)
                    continue; /* the winner, listed once per superseded row */
                if (last >= 0 && seq_cmp(r->in, i, r->seq_col, r->in, last, r->seq_col) <= 0)
                    continue; /* not newer than a version before it: late */
                r->chain[nc++] = i;
                last = i;
            }
            for (int64_t k = r->grp_off[g]; k + 1 < nc; k++) {
                int64_t i = r->chain[k];
                r->drop[i] = 0;
                r->vto[i] = valid_from_of(r, r->chain[k + 1]);
                r->res->duplicates--; /* a version, not a duplicate */
            }
        }
        r->grp_off[r->n_grp] = nc;
    }
    tarn_free(hit);
    tarn_free(pairs);
    return st;
}

/* history: scd2 - chain of winner w ([*lo, *hi) in r->chain), or false. */
static bool chain_of(const round *r, int64_t w, int64_t *lo, int64_t *hi)
{
    int64_t a = 0, b = r->n_grp;
    while (a < b) {
        int64_t m = a + (b - a) / 2;
        if (r->grp_w[m] < w)
            a = m + 1;
        else
            b = m;
    }
    if (a == r->n_grp || r->grp_w[a] != w)
        return false;
    *lo = r->grp_off[a];
    *hi = r->grp_off[a + 1];
    return true;
}

static tarn_status dedup(round *r, tarn_err *err)
{
    int64_t n = r->in->n_rows;
    if (n > r->cap_drop) {
        uint8_t *d = tarn_realloc(r->drop, (size_t)n);
        if (!d)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        r->drop = d;
        r->cap_drop = n;
    }
    if (n)
        memset(r->drop, 0, (size_t)n);
    TARN_TRY(
        tarn_keyindex_build(r->in, r->key_cols, r->n_key, newer_wins, r, r->drop, &r->ki, err));
    r->res->duplicates += tarn_keyindex_repeats(r->ki);
    if (r->hist)
        TARN_TRY(history_chains(r, err));
    return TARN_OK;
}

/* Merge predicate: file test on the first key column's bounds. */
static bool file_may_match(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                           const tarn_delta_file_stats *st)
{
    (void)add;
    round *r = ctx;
    if (!st || r->n_first == 0)
        return r->n_first > 0;
    int col = tarn_schema_find(snap->schema, r->c->primary_key[0]);
    if (col < 0 || col >= st->n_cols)
        return true;
    const tarn_delta_col_stats *cs = &st->cols[col];
    if (!cs->has_min || !cs->has_max)
        return true;
    /* first incoming key >= min, then check it is <= max */
    int64_t lo = 0, hi = r->n_first;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tarn_scalar_compare(&r->first_keys[mid], &cs->min) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_first && tarn_scalar_compare(&r->first_keys[lo], &cs->max) <= 0;
}

/* history: scd2 - when an incoming row starts to be valid: its sequence_by
 * timestamp, else the run's time. */
static int64_t valid_from_of(const round *r, int64_t i)
{
    if (r->seq_col >= 0) {
        const tarn_vec *v = r->in->cols[r->seq_col];
        if (v->type.id == TARN_TYPE_TIMESTAMP && tarn_vec_is_valid(v, i))
            return tarn_vec_get_i64(v, i);
    }
    return r->now_us;
}

/* history: scd2 - keeps existing row i of b as history: a copy with
 * valid_to = until and is_current = false. */
static tarn_status close_row(round *r, const tarn_batch *b, int64_t i, int64_t until, tarn_err *err)
{
    if (!r->closed && !(r->closed = tarn_batch_create(r->in->schema)))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_batch *cb = r->closed;
    tarn_status st = TARN_OK;
    for (int c = 0; c < cb->n_cols && st == TARN_OK; c++) {
        const char *name = cb->schema->fields[c].name;
        int src = tarn_schema_find(b->schema, name);
        if (!strcmp(name, "valid_to"))
            st = tarn_vec_append_i64(cb->cols[c], until);
        else if (!strcmp(name, "is_current"))
            st = tarn_vec_append_bool(cb->cols[c], false);
        else
            st = src >= 0 ? tarn_vec_append_range(cb->cols[c], b->cols[src], i, 1)
                          : tarn_vec_append_null(cb->cols[c]);
    }
    if (st != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    cb->n_rows++;
    return TARN_OK;
}

/* Merge predicate: an existing row goes when the incoming row of its key is
 * newer by sequence_by (always, without sequence_by: arrival order);
 * otherwise the incoming row is stale and the existing one stays. */
static tarn_status eval_rows(void *ctx, const tarn_batch *b, uint8_t *match, tarn_err *err)
{
    round *r = ctx;
    int cols[16];
    for (int k = 0; k < r->n_key; k++)
        cols[k] = tarn_schema_find(b->schema, r->c->primary_key[k]);
    int seq = r->c->sequence_by ? tarn_schema_find(b->schema, r->c->sequence_by) : -1;
    int cur = r->c->scd2 ? tarn_schema_find(b->schema, "is_current") : -1;
    int64_t *hit = tarn_alloc(((size_t)b->n_rows + 1) * sizeof *hit);
    if (!hit)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_status st = tarn_keyindex_probe(r->ki, b, cols, hit, err);
    for (int64_t i = 0; st == TARN_OK && i < b->n_rows; i++) {
        match[i] = 0;
        if (cur >= 0 && !(tarn_vec_is_valid(b->cols[cur], i) && tarn_vec_get_bool(b->cols[cur], i)))
            continue; /* a history row: never touched */
        int64_t k = hit[i];
        if (k < 0)
            continue;
        /* history: the versions of the chain not newer than the existing
         * row are stale; the first newer one ends its validity */
        int64_t first = k, lo = 0, hi = 0;
        if (r->hist && seq >= 0 && chain_of(r, k, &lo, &hi)) {
            for (; lo < hi && seq_cmp(b, i, seq, r->in, r->chain[lo], r->seq_col) >= 0; lo++)
                if (r->chain[lo] != k && !r->drop[r->chain[lo]]) {
                    r->drop[r->chain[lo]] = 1;
                    r->res->stale++;
                }
            if (lo < hi)
                first = r->chain[lo];
        }
        if (seq >= 0 && r->seq_col >= 0 && seq_cmp(b, i, seq, r->in, k, r->seq_col) >= 0) {
            if (!r->drop[k]) {
                r->drop[k] = 1;
                r->res->stale++;
            }
            continue;
        }
        match[i] = 1;
        if (r->c->scd2)
            st = close_row(r, b, i, valid_from_of(r, first), err);
        if (r->is_del && r->is_del[k])
            r->res->deleted++;
        else
            r->res->updated++;
    }
    tarn_free(hit);
    return st;
}

/* Insert source (ctx: an ins). */
static tarn_status insert_next(void *ctx, tarn_batch **out, tarn_err *err)
{
    ins *x = ctx;
    round *r = x->r;
    *out = NULL;
    if (r->closed && r->closed->n_rows > 0 && !x->closed_out) { /* scd2: history first */
        x->closed_out = true;
        *out = r->closed;
        return TARN_OK;
    }
    if (!x->out_batch && !(x->out_batch = tarn_batch_create(r->in->schema)))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (!x->idx && !(x->idx = tarn_alloc(REFINE_ROWS * sizeof *x->idx)))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    int64_t n = 0;
    while (x->next_row < x->end_row && n < REFINE_ROWS) {
        int64_t i = x->next_row++;
        if (!r->drop[i] && !(r->is_del && r->is_del[i]))
            x->idx[n++] = i;
    }
    if (n == 0)
        return TARN_OK;
    tarn_batch *b = x->out_batch;
    tarn_batch_reset(b);
    for (int c = 0; c < r->in->n_cols; c++)
        if (tarn_vec_append_take(b->cols[c], r->in->cols[c], x->idx, n) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (r->c->scd2 && b->n_cols >= r->in->n_cols + 3) { /* valid_from, valid_to, is_current */
        tarn_vec *vf = b->cols[r->in->n_cols], *vt = b->cols[r->in->n_cols + 1],
                 *ic = b->cols[r->in->n_cols + 2];
        for (int64_t j = 0; j < n; j++) {
            int64_t to = r->vto ? r->vto[x->idx[j]] : NO_VTO;
            x->handed_hist += to != NO_VTO;
            if (tarn_vec_append_i64(vf, valid_from_of(r, x->idx[j])) != TARN_OK ||
                tarn_vec_append_bool(ic, to == NO_VTO) != TARN_OK ||
                (to == NO_VTO ? tarn_vec_append_null(vt) : tarn_vec_append_i64(vt, to)) != TARN_OK)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    b->n_rows = n;
    x->handed += n;
    *out = b;
    return TARN_OK;
}

static tarn_status one_batch(void *ctx, tarn_batch **out, tarn_err *err)
{
    (void)err;
    tarn_batch **b = ctx;
    *out = *b;
    *b = NULL;
    return TARN_OK;
}

/* Bronze files added by versions (from, to], in commit order. */
static tarn_status bronze_files(const tarn_delta_snapshot *snap, int64_t from, int64_t to,
                                tarn_arena *a, const tarn_delta_add ***out, int *n_out,
                                tarn_err *err)
{
    int cap = 64, n = 0;
    const tarn_delta_add **v = tarn_arena_alloc(a, (size_t)cap * sizeof *v);
    if (!v)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int64_t ver = from + 1; ver <= to; ver++) {
        char name[32];
        tarn_delta_commit_name(ver, name);
        char *path = tarn_arena_printf(a, "%s/_delta_log/%s", snap->table_path, name);
        tarn_buf text;
        tarn_buf_init(&text);
        tarn_status st = path ? tarn_file_read_all(path, (size_t)1 << 30, &text, err)
                              : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        tarn_delta_actions acts;
        if (st == TARN_OK)
            st =
                tarn_delta_actions_parse(text.data ? text.data : "", text.len, path, a, &acts, err);
        tarn_buf_fini(&text);
        if (st != TARN_OK)
            return st;
        for (int i = 0; i < acts.n_adds; i++) {
            int fi = tarn_delta_snapshot_find_file(snap, acts.adds[i].path);
            if (fi < 0)
                continue; /* Bronze is append-only; a missing file was vacuumed away */
            if (n == cap) {
                const tarn_delta_add **nv = tarn_arena_alloc(a, (size_t)cap * 2 * sizeof *nv);
                if (!nv)
                    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                memcpy(nv, v, (size_t)n * sizeof *v);
                v = nv;
                cap *= 2;
            }
            v[n++] = &snap->files[fi];
        }
    }
    *out = v;
    *n_out = n;
    return TARN_OK;
}

typedef struct paths {
    char bronze[PATH_MAX], silver[PATH_MAX], quarantine[PATH_MAX];
    char silver_app[300], quarantine_app[300];
} paths;

/* Deduplicates r->in and merges it into Silver, recording (app, version)
 * in the same commit; gate (or NULL) runs just before that commit. */
static tarn_status merge_in(round *rr, const paths *p, tarn_refine *rf, bool silver_exists,
                            bool full, const char *app, int64_t to, tarn_delta_verify_fn gate,
                            void *gate_ctx, tarn_silver_result *res, tarn_err *err)
{
    bool dry = rr->dry;
    tarn_status st = TARN_OK;
    const char *ids_s[] = {app};
    rr->hist = rr->c->scd2 && rr->seq_col >= 0 &&
               rr->in->schema->fields[rr->seq_col].type.id == TARN_TYPE_TIMESTAMP;
    if (st == TARN_OK && rr->n_key > 0)
        st = dedup(rr, err);
    else if (st == TARN_OK) {
        rr->drop = tarn_calloc((size_t)rr->in->n_rows + 1, 1);
        if (!rr->drop)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    if (st == TARN_OK && rr->c->delete_pred && rr->in->n_rows > 0) {
        rr->is_del = tarn_alloc((size_t)rr->in->n_rows);
        st = rr->is_del ? tarn_pred_eval(rr->c->delete_pred, rr->in, rr->is_del, err)
                        : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    if (st == TARN_OK && dry && (!silver_exists || rr->n_key == 0 || full)) {
        for (int64_t i = 0; i < rr->in->n_rows; i++) /* what a write would add */
            res->inserted += !rr->drop[i] && !(rr->is_del && rr->is_del[i]);
    } else if (st == TARN_OK) {
        rr->in->schema = tarn_refine_silver_schema(rf); /* the Silver table's nullability */
        if (!silver_exists || rr->n_key == 0 || full) {
            /* A new table, or no key to merge on: the rows are appended; a
             * full refresh replaces the table. */
            tarn_delta_write_opts wo;
            tarn_delta_write_opts_init(&wo);
            if (full) {
                wo.mode = TARN_DELTA_OVERWRITE;
                wo.txn_ids = ids_s;
                wo.n_txn_ids = 1;
                wo.txn_version = to;
            } else {
                wo.app_id = app;
                wo.app_version = to;
                wo.add_columns = true; /* a new contract version may add columns */
            }
            wo.verify = gate;
            wo.verify_ctx = gate_ctx;
            /* A lane per core: each gathers, encodes and compresses a slice
             * of the rows into files of its own. */
            tarn_delta_write_result wr;
            int lanes = rr->in->n_rows >= LANE_MIN_ROWS ? tarn_pool_size(tarn_pool_default()) : 1;
            void *ctxs[MAX_WORKERS];
            lanes = TARN_MIN(lanes, MAX_WORKERS);
            st = ins_init(rr, lanes, err);
            for (int k = 0; st == TARN_OK && k < rr->n_ins; k++)
                ctxs[k] = &rr->ins[k];
            if (st == TARN_OK)
                st = tarn_delta_write_sources(p->silver, tarn_refine_silver_schema(rf), rr->n_ins,
                                              insert_next, ctxs, &wo, &wr, err);
            int64_t handed = 0, handed_hist = 0;
            ins_fini(rr, &handed, &handed_hist);
            if (st == TARN_OK) {
                res->inserted += handed - handed_hist;
                res->updated += handed_hist;
                res->silver_version = wr.version;
                res->committed |= wr.committed;
            }
        } else {
            /* Sorted first-key values of the surviving rows for file skipping. */
            int64_t n = 0;
            rr->first_keys = tarn_alloc(((size_t)rr->in->n_rows + 1) * sizeof *rr->first_keys);
            if (!rr->first_keys)
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            for (int64_t i = 0; st == TARN_OK && rr->n_key > 0 && i < rr->in->n_rows; i++)
                if (!rr->drop[i])
                    tarn_scalar_from_vec(rr->in->cols[rr->key_cols[0]], i, &rr->first_keys[n++]);
            rr->n_first = n;
            if (n)
                qsort(rr->first_keys, (size_t)n, sizeof *rr->first_keys, cmp_scalar);
            tarn_delta_predicate pred = {file_may_match, eval_rows, rr, "primary key match"};
            /* New rows are written by a lane per core (one when counting). */
            int lanes = !dry && rr->in->n_rows >= LANE_MIN_ROWS
                            ? TARN_MIN(MAX_WORKERS, tarn_pool_size(tarn_pool_default()))
                            : 1;
            void *ctxs[MAX_WORKERS];
            if (st == TARN_OK)
                st = ins_init(rr, lanes, err);
            for (int k = 0; st == TARN_OK && k < rr->n_ins; k++)
                ctxs[k] = &rr->ins[k];
            tarn_delta_merge_opts mo = {insert_next,
                                        st == TARN_OK ? &rr->ins[0] : NULL,
                                        app,
                                        to,
                                        dry,
                                        tarn_refine_silver_schema(rf),
                                        gate,
                                        gate_ctx,
                                        st == TARN_OK ? rr->n_ins : 1,
                                        ctxs};
            tarn_delta_delete_result dr;
            int64_t updated_before = res->updated;
            if (st == TARN_OK)
                st = tarn_delta_merge(p->silver, rr->n_key > 0 ? &pred : NULL, &mo, &dr, err);
            int64_t handed = 0, handed_hist = 0;
            ins_fini(rr, &handed, &handed_hist);
            if (st == TARN_OK) {
                /* rows handed: new keys, replacements of matched keys, in-run
                 * history versions (closed existing rows come on top) */
                res->inserted += handed - handed_hist - (res->updated - updated_before);
                res->updated += handed_hist;
                res->files_rewritten += dr.removed_files;
                res->silver_version = dr.version;
                res->committed |= dr.committed;
            }
        }
    }
    return st;
}

/* ---- judging Bronze in parallel ------------------------------------------------------ */

/* Bronze rows are judged in chunks of REFINE_ROWS, one chunk per pool
 * thread with its own refine state. Three stages overlap in each pool run:
 * the workers judge set t, one task reads set t + 1 from the scan, one
 * task folds the outputs of set t - 1 into the round (so every refine
 * state is doubled: one judging, one being folded). Outputs are folded in
 * chunk order, so results do not depend on the thread count. */

typedef struct chunk {
    tarn_batch *acc; /* Bronze rows (schema borrowed from the scan) */
    tarn_refine_out *ro;
    tarn_status st;
    tarn_err err;
} chunk;

typedef struct judge {
    round *r;
    tarn_delta_scan *scan;
    chunk set[2][MAX_WORKERS];
    tarn_refine *rf[2][MAX_WORKERS];    /* judge of chunk k, by pool-run parity */
    tarn_refine_out *fold[MAX_WORKERS]; /* outputs of the previous run, to fold */
    int n_fold;
    int w, cur, par;
    bool end;        /* the scan is exhausted */
    int64_t rows_in; /* Bronze rows read */
    tarn_status scan_st, fold_st;
    tarn_err scan_err, fold_err;
} judge;

/* Fills set s (emptied when it was judged) from the scan: whole scan
 * batches per chunk until it holds REFINE_ROWS rows. */
static tarn_status fill_set(judge *j, int s, tarn_err *err)
{
    for (int k = 0; k < j->w && !j->end; k++) {
        chunk *ch = &j->set[s][k];
        while (!ch->acc || ch->acc->n_rows < REFINE_ROWS) {
            tarn_batch *b;
            TARN_TRY(tarn_delta_scan_next(j->scan, &b, err));
            if (!b) {
                j->end = true;
                break;
            }
            j->rows_in += b->n_rows;
            if (!ch->acc && !(ch->acc = tarn_batch_create(b->schema)))
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            if (tarn_batch_append_range(ch->acc, b, 0, b->n_rows) != TARN_OK)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    return TARN_OK;
}

/* Adds a chunk's outputs to the round. */
static tarn_status fold_chunk(round *r, const tarn_refine_out *ro, tarn_err *err)
{
    tarn_silver_result *res = r->res;
    res->warned += ro->n_warned;
    res->rescued += ro->n_rescued;
    for (int d = 0; d < ro->n_drift; d++) {
        const tarn_refine_drift *x = &ro->drift[d];
        int k = 0;
        while (k < res->n_drift && strcmp(res->drift[k].name, x->name))
            k++;
        if (k == res->n_drift) {
            if (k < TARN_REFINE_MAX_DRIFT)
                res->drift[res->n_drift++] = *x;
            continue;
        }
        res->drift[k].unknown += x->unknown;
        res->drift[k].missing += x->missing;
        res->drift[k].kind += x->kind;
    }
    if (tarn_batch_append_range(r->in, ro->good, 0, ro->good->n_rows) != TARN_OK ||
        tarn_batch_append_range(r->q, ro->quarantine, 0, ro->quarantine->n_rows) != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    return TARN_OK;
}

static void judge_task(void *ctx, int64_t i)
{
    judge *j = ctx;
    if (i == j->w) { /* the reader */
        tarn_err_clear(&j->scan_err);
        j->scan_st = j->end ? TARN_OK : fill_set(j, 1 - j->cur, &j->scan_err);
        return;
    }
    if (i == j->w + 1) { /* the folder */
        tarn_err_clear(&j->fold_err);
        j->fold_st = TARN_OK;
        for (int k = 0; k < j->n_fold && j->fold_st == TARN_OK; k++)
            j->fold_st = fold_chunk(j->r, j->fold[k], &j->fold_err);
        return;
    }
    chunk *ch = &j->set[j->cur][i];
    ch->ro = NULL;
    ch->st = TARN_OK;
    tarn_err_clear(&ch->err);
    if (ch->acc && ch->acc->n_rows > 0)
        ch->st = tarn_refine_batch(j->rf[j->par][i], ch->acc, &ch->ro, &ch->err);
}

/* Judges every row of the scan into r->in (good) and r->q (quarantine). */
static tarn_status judge_all(round *r, const tarn_contract *c, int64_t now_us,
                             tarn_delta_scan *scan, tarn_err *err)
{
    judge *j = tarn_calloc(1, sizeof *j);
    if (!j)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    j->r = r;
    j->scan = scan;
    j->w = TARN_MAX(1, TARN_MIN(MAX_WORKERS, tarn_pool_size(tarn_pool_default())));
    tarn_status st = TARN_OK;
    for (int k = 0; k < j->w && st == TARN_OK; k++) {
        st = tarn_refine_create(c, now_us, &j->rf[0][k], err);
        if (st == TARN_OK)
            st = tarn_refine_create(c, now_us, &j->rf[1][k], err);
    }
    if (st == TARN_OK)
        st = fill_set(j, 0, err);
    while (st == TARN_OK) {
        bool any = false;
        for (int k = 0; k < j->w; k++)
            any |= j->set[j->cur][k].acc && j->set[j->cur][k].acc->n_rows > 0;
        if (!any && j->n_fold == 0)
            break;
        j->scan_st = TARN_OK;
        j->fold_st = TARN_OK;
        tarn_pool_run(tarn_pool_default(), j->w + 2, judge_task, j);
        if (j->fold_st != TARN_OK) {
            *err = j->fold_err;
            st = j->fold_st;
        }
        j->n_fold = 0;
        for (int k = 0; k < j->w && st == TARN_OK; k++) {
            chunk *ch = &j->set[j->cur][k];
            if (ch->st != TARN_OK) {
                *err = ch->err;
                st = ch->st;
            } else if (ch->ro) {
                j->fold[j->n_fold++] = ch->ro;
            }
            if (ch->acc) {
                tarn_batch_reset(ch->acc);
                ch->acc->n_rows = 0;
            }
        }
        if (st == TARN_OK && j->scan_st != TARN_OK) {
            *err = j->scan_err;
            st = j->scan_st;
        }
        j->cur = 1 - j->cur;
        j->par = 1 - j->par;
    }
    r->res->rows_in += j->rows_in;
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < j->w; k++) {
            if (j->set[s][k].acc)
                j->set[s][k].acc->schema = NULL; /* borrowed from the scan */
            tarn_batch_destroy(j->set[s][k].acc);
            tarn_refine_destroy(j->rf[s][k]);
        }
    tarn_free(j);
    return st;
}

/* ---- the commit gate ---------------------------------------------------------------- */

typedef struct gate {
    round *r;
    const tarn_silver_opts *o;
    const paths *p;
    tarn_refine *rf;
    int64_t to;              /* Bronze version the round covers */
    int64_t quarantine_done; /* quarantine's recorded Bronze version */
    bool passed;             /* the gate ran and let the commit through */
} gate;

bool tarn_silver_check_blocks(const tarn_ct_result *x)
{
    return x->kind == TARN_CT_RES_CHECK &&
           (x->outcome == TARN_CT_FAILED ||
            (x->outcome == TARN_CT_ERROR && x->severity == TARN_CT_FAIL));
}

/* The round's quarantine rows (skipped when a killed run already committed
 * them). */
static tarn_status write_quarantine(gate *g, tarn_err *err)
{
    round *r = g->r;
    bool full = g->o->full_refresh;
    if (!(r->q->n_rows > 0 || (full && tarn_delta_is_table(g->p->quarantine))) ||
        !(full || g->quarantine_done < g->to))
        return TARN_OK;
    const char *ids_q[] = {g->p->quarantine_app};
    tarn_delta_write_opts wo;
    tarn_delta_write_opts_init(&wo);
    if (full) { /* replace, and record the progress without the skip rule */
        wo.mode = TARN_DELTA_OVERWRITE;
        wo.txn_ids = ids_q;
        wo.n_txn_ids = 1;
        wo.txn_version = g->to;
    } else {
        wo.app_id = g->p->quarantine_app;
        wo.app_version = g->to;
    }
    tarn_batch *qb = r->q->n_rows ? r->q : NULL;
    return tarn_delta_write(g->p->quarantine, tarn_refine_quarantine_schema(g->rf), one_batch, &qb,
                            &wo, NULL, err);
}

/* Runs as the Silver commit is about to be published: the contract's checks
 * on the table as it would be (a failing fail-severity check stops
 * everything), then the quarantine commit, so that nothing of the round is
 * published when a check fails, and a quarantine ahead of Silver still
 * marks a killed run. */
static tarn_status gate_commit(void *ctx, const tarn_delta_snapshot *pending, tarn_err *err)
{
    gate *g = ctx;
    const tarn_contract *c = g->r->c;
    tarn_silver_result *res = g->r->res;
    if (g->o->checks && c->n_checks > 0) {
        if (res->checked)
            tarn_ct_report_fini(&res->report);
        res->checked = false;
        if (!realpath(g->p->silver, res->report_key))
            snprintf(res->report_key, sizeof res->report_key, "%s", g->p->silver);
        tarn_ct_test_opts to = {
            .now_us = tarn_now_us(), .history = g->o->history, .history_key = res->report_key};
        TARN_TRY(tarn_ct_test_snapshot(c, pending, &to, &res->report, err));
        res->checked = true;
        for (int i = 0; i < res->report.n; i++) {
            const tarn_ct_result *x = &res->report.results[i];
            if (!tarn_silver_check_blocks(x))
                continue;
            res->check_failed = true;
            return tarn_err_set(err, TARN_ERR_DATA,
                                "check '%s' failed (%s%s%s); nothing of this run was committed",
                                x->expr, x->value_text[0] ? x->value_text : "no value",
                                x->detail[0] ? ": " : "", x->detail);
        }
    }
    TARN_TRY(write_quarantine(g, err));
    g->passed = true;
    return TARN_OK;
}

static tarn_status run_round(const tarn_contract *c, const tarn_silver_opts *o, const paths *p,
                             const tarn_delta_snapshot *bsnap, int64_t from, int64_t to,
                             bool silver_exists, int64_t quarantine_done, tarn_silver_result *res,
                             tarn_err *err)
{
    bool full = o->full_refresh;
    round r = {0};
    r.c = c;
    r.res = res;
    r.dry = o->dry_run;
    r.now_us = o->now_us ? o->now_us : tarn_now_us();
    r.seq_col = c->sequence_by ? tarn_ct_find_column(c, c->sequence_by) : -1;
    tarn_arena *a = tarn_arena_create(0);
    tarn_refine *rf = NULL;
    tarn_delta_scan *scan = NULL;
    tarn_status st = a ? tarn_refine_create(c, o->now_us, &rf, err)
                       : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK) {
        r.in = tarn_batch_create(tarn_refine_good_schema(rf));
        r.q = tarn_batch_create(tarn_refine_quarantine_schema(rf));
        if (!r.in || !r.q)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    r.n_key = c->n_primary_key;
    for (int k = 0; k < r.n_key && k < 16; k++)
        r.key_cols[k] = tarn_ct_find_column(c, c->primary_key[k]);
    /* Judge the new Bronze rows. */
    const tarn_delta_add **files = NULL;
    int n_files = 0;
    if (st == TARN_OK)
        st = bronze_files(bsnap, from, to, a, &files, &n_files, err);
    if (st == TARN_OK && n_files > 0) {
        /* The standard Bronze columns (typed Parquet columns are not read:
         * the records are judged from _raw). */
        static const char *const bcols[] = {
            "_raw",         "_format",      "_header",        "_delimiter",   "_parse_error",
            "_source_file", "_source_line", "_source_offset", "_ingested_at", "_batch_id"};
        tarn_delta_scan_opts so = {0};
        so.files = files;
        so.n_files = n_files;
        so.columns = bcols;
        so.n_columns = 10;
        st = tarn_delta_scan_open(bsnap, &so, &scan, err);
        if (st == TARN_OK)
            st = judge_all(&r, c, o->now_us, scan, err);
    }
    tarn_delta_scan_close(scan);
    /* Deduplicate, then merge into Silver; the gate measures the checks and
     * commits the quarantine just before the Silver commit. */
    if (st == TARN_OK)
        res->quarantined += r.q->n_rows;
    gate g = {&r, o, p, rf, to, quarantine_done, false};
    if (st == TARN_OK)
        st = merge_in(&r, p, rf, silver_exists, full, p->silver_app, to, gate_commit, &g, res, err);
    if (st == TARN_OK && !o->dry_run && !g.passed) /* Silver had nothing to commit */
        st = write_quarantine(&g, err);
    tarn_free(r.first_keys);
    tarn_free(r.drop);
    tarn_free(r.is_del);
    tarn_free(r.vto);
    tarn_free(r.chain);
    tarn_free(r.grp_w);
    tarn_free(r.grp_off);
    tarn_keyindex_destroy(r.ki);
    tarn_batch_destroy(r.in);
    tarn_batch_destroy(r.closed);
    tarn_batch_destroy(r.q);
    tarn_refine_destroy(rf);
    tarn_arena_destroy(a);
    return st;
}

static tarn_status silver_run_once(const tarn_contract *c, const tarn_silver_opts *o,
                                   tarn_silver_result *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->silver_version = -1;
    paths p;
    snprintf(p.bronze, sizeof p.bronze, "%s/bronze/%s", o->lake, c->dataset);
    snprintf(p.silver, sizeof p.silver, "%s/silver/%s", o->lake, c->dataset);
    snprintf(p.quarantine, sizeof p.quarantine, "%s/silver/%s__quarantine", o->lake, c->dataset);
    snprintf(p.silver_app, sizeof p.silver_app, "tarn.silver.%s", c->dataset);
    snprintf(p.quarantine_app, sizeof p.quarantine_app, "tarn.quarantine.%s", c->dataset);
    tarn_delta_snapshot *bs = NULL, *ss = NULL, *qs = NULL;
    TARN_TRY(tarn_delta_snapshot_load_existing(p.bronze, &bs, err));
    if (!bs)
        return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                            "no Bronze table for dataset '%s' at %s (run 'tarn ingest %s' first)",
                            c->dataset, p.bronze, c->dataset);
    int64_t last = -1, qdone = -1;
    tarn_status st = tarn_delta_snapshot_load_existing(p.silver, &ss, err);
    bool silver_exists = ss != NULL;
    if (ss) {
        last = tarn_delta_snapshot_txn(ss, p.silver_app);
        out->silver_version = ss->version;
    }
    if (st == TARN_OK)
        st = tarn_delta_snapshot_load_existing(p.quarantine, &qs, err);
    if (qs)
        qdone = tarn_delta_snapshot_txn(qs, p.quarantine_app);
    tarn_delta_snapshot_destroy(ss);
    tarn_delta_snapshot_destroy(qs);
    if (o->full_refresh) { /* all of Bronze, in one round */
        last = -1;
        qdone = -1;
    }
    out->bronze_from = last;
    out->bronze_to = last;
    /* A quarantine ahead of Silver marks a killed run: finish its range first. */
    while (st == TARN_OK && last < bs->version) {
        int64_t to = qdone > last && qdone < bs->version ? qdone : bs->version;
        if (o->dry_run)
            to = bs->version; /* nothing is committed: one pass over everything new */
        st = run_round(c, o, &p, bs, last, to, silver_exists, qdone, out, err);
        if (out->check_failed)
            out->failed_to = to;
        if (st == TARN_OK) {
            last = to;
            silver_exists = true; /* the round created it if it was missing */
            out->bronze_to = to;
        }
    }
    tarn_delta_snapshot_destroy(bs);
    return st;
}

/* Transient failures (I/O, a concurrent commit) are retried with backoff:
 * every step is idempotent, so a retry continues where the failed attempt
 * stopped. */
tarn_status tarn_silver_run(const tarn_contract *c, const tarn_silver_opts *o,
                            tarn_silver_result *out, tarn_err *err)
{
    static const int64_t backoff_ms[] = {200, 1000, 3000};
    int retries = 0;
    for (;;) {
        tarn_status st = silver_run_once(c, o, out, err);
        out->retries = retries;
        if ((st != TARN_ERR_IO && st != TARN_ERR_CONFLICT) ||
            retries == (int)TARN_ARRAY_LEN(backoff_ms) || o->dry_run)
            return st;
        tarn_silver_result_fini(out);
        struct timespec ts = {backoff_ms[retries] / 1000, (backoff_ms[retries] % 1000) * 1000000};
        nanosleep(&ts, NULL);
        retries++;
        tarn_err_clear(err);
    }
}

void tarn_silver_result_fini(tarn_silver_result *r)
{
    if (r->checked)
        tarn_ct_report_fini(&r->report);
    r->checked = false;
}

/* ---- heal -------------------------------------------------------------------------- */

/* Quarantine rows -> Bronze-shaped rows (the refine input). */
static tarn_status to_bronze(const tarn_batch *q, tarn_batch *b, tarn_err *err)
{
    static const char *const qcols[] = {"_raw",         "_format",      "_header",
                                        "_delimiter",   "_source_file", "_source_line",
                                        "_ingested_at", "_batch_id"};
    int qi[8];
    for (int k = 0; k < 8; k++)
        if ((qi[k] = tarn_schema_find(q->schema, qcols[k])) < 0)
            return tarn_err_set(err, TARN_ERR_INVALID, "not a quarantine table: '%s' missing",
                                qcols[k]);
    /* Bronze order: _raw _format _header _delimiter _parse_error _source_file
     * _source_line _source_offset _ingested_at _batch_id */
    const int map[10] = {0, 1, 2, 3, -1, 4, 5, -2, 6, 7};
    tarn_batch_reset(b);
    tarn_status st = TARN_OK;
    for (int c = 0; c < 10 && st == TARN_OK; c++) {
        if (map[c] >= 0) {
            st = tarn_vec_append_range(b->cols[c], q->cols[qi[map[c]]], 0, q->n_rows);
        } else if (map[c] == -2) {
            for (int64_t i = 0; i < q->n_rows && st == TARN_OK; i++)
                st = tarn_vec_append_i64(b->cols[c], 0);
        } else {
            /* JSON validity is judged again (the raw text is unchanged). */
            const tarn_vec *raw = q->cols[qi[0]], *fmt = q->cols[qi[1]];
            for (int64_t i = 0; i < q->n_rows && st == TARN_OK; i++) {
                int32_t rl, fl;
                const uint8_t *t = tarn_vec_get_bytes(raw, i, &rl);
                const uint8_t *f = tarn_vec_get_bytes(fmt, i, &fl);
                char msg[160];
                const char *e =
                    (fl == 6 && !memcmp(f, "ndjson", 6)) || (fl == 4 && !memcmp(f, "json", 4))
                        ? tarn_json_check(t, (size_t)rl, msg, sizeof msg)
                        : NULL;
                st = e ? tarn_vec_append_bytes(b->cols[c], e, (int64_t)strlen(e))
                       : tarn_vec_append_null(b->cols[c]);
            }
        }
    }
    if (st != TARN_OK)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    b->n_rows = q->n_rows;
    return TARN_OK;
}

/* Identity of a quarantined record: its Bronze origin. */
static tarn_status origin_key(const tarn_batch *b, int file_col, int line_col, int batch_col,
                              int64_t i, tarn_buf *k)
{
    int cols[3] = {file_col, line_col, batch_col};
    return key_of(b, cols, 3, i, k);
}

typedef struct heal_ctx {
    tarn_keymap healed; /* origins of the healed records */
    tarn_buf key;
    int64_t removed;
} heal_ctx;

static tarn_status heal_eval(void *ctx, const tarn_batch *b, uint8_t *match, tarn_err *err)
{
    heal_ctx *h = ctx;
    int fc = tarn_schema_find(b->schema, "_source_file"),
        lc = tarn_schema_find(b->schema, "_source_line"),
        bc = tarn_schema_find(b->schema, "_batch_id");
    for (int64_t i = 0; i < b->n_rows; i++) {
        if (origin_key(b, fc, lc, bc, i, &h->key) != TARN_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        match[i] = tarn_keymap_find(&h->healed, h->key.data, h->key.len) != NULL;
        h->removed += match[i];
    }
    return TARN_OK;
}

tarn_status tarn_silver_heal(const tarn_contract *c, const tarn_silver_opts *o,
                             tarn_silver_result *out, int64_t *healed, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    *healed = 0;
    out->silver_version = -1;
    paths p;
    snprintf(p.silver, sizeof p.silver, "%s/silver/%s", o->lake, c->dataset);
    snprintf(p.quarantine, sizeof p.quarantine, "%s/silver/%s__quarantine", o->lake, c->dataset);
    char heal_app[300];
    snprintf(heal_app, sizeof heal_app, "tarn.heal.%s", c->dataset);
    tarn_delta_snapshot *qs = NULL, *ss = NULL;
    TARN_TRY(tarn_delta_snapshot_load_existing(p.quarantine, &qs, err));
    if (!qs)
        return TARN_OK; /* nothing was ever quarantined */
    int64_t qver = qs->version, done = -1;
    tarn_status st = tarn_delta_snapshot_load_existing(p.silver, &ss, err);
    bool silver_exists = ss != NULL;
    if (ss) {
        done = tarn_delta_snapshot_txn(ss, heal_app);
        out->silver_version = ss->version;
    }
    tarn_delta_snapshot_destroy(ss);
    round r = {0};
    r.c = c;
    r.res = out;
    r.now_us = o->now_us ? o->now_us : tarn_now_us();
    r.seq_col = c->sequence_by ? tarn_ct_find_column(c, c->sequence_by) : -1;
    r.n_key = c->n_primary_key;
    for (int k = 0; k < r.n_key && k < 16; k++)
        r.key_cols[k] = tarn_ct_find_column(c, c->primary_key[k]);
    heal_ctx h = {0};
    tarn_buf_init(&h.key);
    tarn_keymap_init(&h.healed);
    tarn_refine *rf = NULL;
    tarn_schema *bs = tarn_bronze_schema();
    tarn_batch *bb = bs ? tarn_batch_create(bs) : NULL;
    tarn_delta_scan *scan = NULL;
    if (st == TARN_OK && !bb)
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (st == TARN_OK)
        st = tarn_refine_create(c, o->now_us, &rf, err);
    if (st == TARN_OK) {
        r.in = tarn_batch_create(tarn_refine_good_schema(rf));
        if (!r.in)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    /* Judge every quarantined record again. */
    if (st == TARN_OK)
        st = tarn_delta_scan_open(qs, NULL, &scan, err);
    tarn_batch *q;
    while (st == TARN_OK && (st = tarn_delta_scan_next(scan, &q, err)) == TARN_OK && q) {
        out->rows_in += q->n_rows;
        tarn_refine_out *ro;
        if ((st = to_bronze(q, bb, err)) != TARN_OK ||
            (st = tarn_refine_batch(rf, bb, &ro, err)) != TARN_OK)
            break;
        out->quarantined += ro->quarantine->n_rows;
        if (tarn_batch_append_range(r.in, ro->good, 0, ro->good->n_rows) != TARN_OK) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        int fc = tarn_schema_find(bb->schema, "_source_file"),
            lc = tarn_schema_find(bb->schema, "_source_line"),
            bcol = tarn_schema_find(bb->schema, "_batch_id");
        for (int64_t g = 0; g < ro->good->n_rows && st == TARN_OK; g++) {
            int64_t *slot;
            bool is_new;
            if (origin_key(bb, fc, lc, bcol, ro->good_src[g], &h.key) != TARN_OK ||
                tarn_keymap_upsert(&h.healed, h.key.data, h.key.len, &slot, &is_new) != TARN_OK)
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            else
                *slot = g;
        }
    }
    tarn_delta_scan_close(scan);
    *healed = (int64_t)h.healed.n;
    /* Into Silver (unless a killed heal already did), then out of quarantine. */
    if (st == TARN_OK && h.healed.n > 0 && done < qver)
        st = merge_in(&r, &p, rf, silver_exists, false, heal_app, qver, NULL, NULL, out, err);
    if (st == TARN_OK && h.healed.n > 0) {
        tarn_delta_predicate pred = {NULL, heal_eval, &h, "healed"};
        tarn_delta_merge_opts mo = {NULL, NULL, NULL, 0, false, NULL, NULL, NULL, 0, NULL};
        tarn_delta_delete_result dr;
        st = tarn_delta_merge(p.quarantine, &pred, &mo, &dr, err);
    }
    tarn_free(r.first_keys);
    tarn_free(r.drop);
    tarn_free(r.is_del);
    tarn_free(r.vto);
    tarn_free(r.chain);
    tarn_free(r.grp_w);
    tarn_free(r.grp_off);
    tarn_keyindex_destroy(r.ki);
    tarn_keymap_fini(&h.healed);
    tarn_buf_fini(&h.key);
    tarn_batch_destroy(r.in);
    tarn_batch_destroy(r.closed);
    tarn_batch_destroy(bb);
    tarn_schema_destroy(bs);
    tarn_refine_destroy(rf);
    tarn_delta_snapshot_destroy(qs);
    return st;
}
