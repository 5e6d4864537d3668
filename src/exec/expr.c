/*
 * exec/expr.c - vectorized evaluation of bound expressions (see expr.h).
 *
 * Every node evaluates its arguments, then runs one loop typed by the
 * operands' physical class over all rows. A constant operand is read with
 * stride 0, so `amount > 100` never broadcasts the 100. NULLs: the result's
 * validity is computed first (AND of the operands' bitmaps, a byte at a
 * time), values are computed for every row regardless, and only errors
 * (overflow) look at validity.
 */
#include "exec/expr.h"

#include "base/alloc.h"
#include "base/time.h"
#include "column/cast.h"
#include "column/value.h"
#include "exec/func.h"
#include "exec/rel.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DEC_LIMIT ((tarn_i128)tarn_pow10_i128(38))

static tarn_status oom(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

void tarn_xval_release(tarn_xval *x)
{
    if (x->owned)
        tarn_vec_destroy(x->v);
    x->v = NULL;
    x->owned = false;
}

/* Physical classes the typed loops are written for. */
typedef enum pclass {
    P_BOOL,
    P_I64,
    P_I32,
    P_F64,
    P_I128,
    P_STR,
    P_OTHER
} pclass;

static pclass pclass_of(tarn_type t)
{
    switch (t.id) {
    case TARN_TYPE_BOOL:
        return P_BOOL;
    case TARN_TYPE_INT64:
    case TARN_TYPE_TIMESTAMP:
    case TARN_TYPE_TIMESTAMP_NTZ:
    case TARN_TYPE_TIME:
        return P_I64;
    case TARN_TYPE_DATE:
        return P_I32;
    case TARN_TYPE_FLOAT64:
        return P_F64;
    case TARN_TYPE_DECIMAL:
        return tarn_decimal_is_wide(t) ? P_I128 : P_OTHER;
    case TARN_TYPE_STRING:
    case TARN_TYPE_BINARY:
        return P_STR;
    default:
        return P_OTHER;
    }
}

tarn_type tarn_x_engine_type(tarn_type t)
{
    switch (t.id) {
    case TARN_TYPE_INT8:
    case TARN_TYPE_INT16:
    case TARN_TYPE_INT32:
    case TARN_TYPE_UINT8:
    case TARN_TYPE_UINT16:
    case TARN_TYPE_UINT32:
        return tarn_type_make(TARN_TYPE_INT64);
    case TARN_TYPE_FLOAT32:
        return tarn_type_make(TARN_TYPE_FLOAT64);
    case TARN_TYPE_DECIMAL:
        return tarn_type_decimal(TARN_DECIMAL_MAX_PRECISION, t.scale);
    default:
        return t;
    }
}

/* A new vector of type t with room for m values, len m, no nulls yet. */
static tarn_vec *mk(tarn_type t, int64_t m)
{
    tarn_vec *v = tarn_vec_create_type(t);
    if (!v)
        return NULL;
    if (tarn_vec_reserve(v, m ? m : 1) != TARN_OK) {
        tarn_vec_destroy(v);
        return NULL;
    }
    if (t.id == TARN_TYPE_BOOL)
        memset(v->data, 0, (size_t)((m + 7) / 8));
    if (tarn_type_is_varlen(t.id))
        v->offsets[0] = 0;
    v->len = t.id == TARN_TYPE_STRING || t.id == TARN_TYPE_BINARY ? 0 : m;
    return v;
}

tarn_status tarn_x_widen_append(tarn_vec *dst, const tarn_vec *src, tarn_err *err)
{
    if (tarn_type_equal(dst->type, src->type))
        return tarn_vec_append_range(dst, src, 0, src->len);
    int64_t n = src->len;
    if (tarn_vec_reserve(dst, n) != TARN_OK)
        return oom(err);
    int64_t at = dst->len;
    if (tarn_vec_copy_validity(dst, src, 0, n) != TARN_OK)
        return oom(err);
    switch (dst->type.id) {
    case TARN_TYPE_INT64: {
        int64_t *o = (int64_t *)dst->data + at;
        for (int64_t i = 0; i < n; i++)
            o[i] = tarn_vec_get_int(src, i);
        break;
    }
    case TARN_TYPE_FLOAT64: {
        double *o = (double *)dst->data + at;
        const float *f = (const float *)src->data;
        for (int64_t i = 0; i < n; i++)
            o[i] = f[i];
        break;
    }
    case TARN_TYPE_DECIMAL: {
        tarn_i128 *o = (tarn_i128 *)dst->data + at;
        for (int64_t i = 0; i < n; i++)
            o[i] = tarn_vec_get_decimal(src, i);
        break;
    }
    default: {
        char a[64], b[64];
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "cannot widen %s to %s",
                            tarn_type_name(src->type, a, sizeof a),
                            tarn_type_name(dst->type, b, sizeof b));
    }
    }
    dst->len = at + n;
    return TARN_OK;
}

/* Validity -------------------------------------------------------------------- */

/* Byte j of x's validity (all rows valid when there is no bitmap). */
static inline uint8_t vbyte(const tarn_xval *x, int64_t j)
{
    if (x->is_const)
        return tarn_vec_is_valid(x->v, 0) ? 0xFF : 0;
    return x->v->validity ? x->v->validity[j] : 0xFF;
}

static bool all_valid(const tarn_xval *x)
{
    return x->is_const ? tarn_vec_is_valid(x->v, 0) : x->v->validity == NULL;
}

/* r's validity = AND of the operands' (n_ops of them) over m rows. */
static tarn_status and_validity(tarn_vec *r, const tarn_xval *ops, int n_ops, int64_t m,
                                tarn_err *err)
{
    bool need = false;
    for (int k = 0; k < n_ops; k++)
        need |= !all_valid(&ops[k]);
    if (!need)
        return TARN_OK;
    if (tarn_vec_ensure_validity(r) != TARN_OK)
        return oom(err);
    int64_t nb = (m + 7) / 8;
    for (int64_t j = 0; j < nb; j++) {
        uint8_t x = 0xFF;
        for (int k = 0; k < n_ops; k++)
            x &= vbyte(&ops[k], j);
        r->validity[j] = x;
    }
    tarn_vec_count_nulls(r);
    return TARN_OK;
}

static void pack_bits(uint8_t *bits, const uint8_t *bytes, int64_t m)
{
    int64_t full = m / 8;
    for (int64_t j = 0; j < full; j++) {
        const uint8_t *p = bytes + j * 8;
        bits[j] = (uint8_t)(p[0] | p[1] << 1 | p[2] << 2 | p[3] << 3 | p[4] << 4 | p[5] << 5 |
                            p[6] << 6 | p[7] << 7);
    }
    if (m % 8) {
        uint8_t x = 0;
        for (int64_t i = full * 8; i < m; i++)
            x |= (uint8_t)(bytes[i] << (i - full * 8));
        bits[full] = x;
    }
}

/* Arithmetic ------------------------------------------------------------------ */

static tarn_status overflow(const tarn_xexpr *e, tarn_err *err)
{
    const char *what = e->op == TARN_X_ADD   ? "addition"
                       : e->op == TARN_X_SUB ? "subtraction"
                       : e->op == TARN_X_MUL ? "multiplication"
                                             : "negation";
    char t[64];
    return tarn_err_set(err, TARN_ERR_DATA, "%s overflows %s", what,
                        tarn_type_name(e->type, t, sizeof t));
}

#define STRIDES                                                                                    \
    int64_t sa = a->is_const ? 0 : 1, sb = b->is_const ? 0 : 1;                                    \
    (void)sa;                                                                                      \
    (void)sb

static tarn_status arith_i64(const tarn_xexpr *e, const tarn_xval *a, const tarn_xval *b,
                             tarn_vec *r, int64_t m, tarn_err *err)
{
    const int64_t *pa = (const int64_t *)a->v->data, *pb = (const int64_t *)b->v->data;
    int64_t *pr = (int64_t *)r->data;
    STRIDES;
    bool bad = false;
    switch (e->op) {
    case TARN_X_ADD:
        for (int64_t i = 0; i < m; i++)
            bad |=
                __builtin_add_overflow(pa[i * sa], pb[i * sb], &pr[i]) && tarn_vec_is_valid(r, i);
        break;
    case TARN_X_SUB:
        for (int64_t i = 0; i < m; i++)
            bad |=
                __builtin_sub_overflow(pa[i * sa], pb[i * sb], &pr[i]) && tarn_vec_is_valid(r, i);
        break;
    case TARN_X_MUL:
        for (int64_t i = 0; i < m; i++)
            bad |=
                __builtin_mul_overflow(pa[i * sa], pb[i * sb], &pr[i]) && tarn_vec_is_valid(r, i);
        break;
    case TARN_X_MOD:
        for (int64_t i = 0; i < m; i++) {
            int64_t y = pb[i * sb];
            if (y == 0 || y == -1) {
                pr[i] = 0;
                if (y == 0 && tarn_vec_is_valid(r, i)) {
                    if (tarn_vec_ensure_validity(r) != TARN_OK)
                        return oom(err);
                    tarn_bit_set(r->validity, i, false);
                    r->null_count++;
                }
            } else {
                pr[i] = pa[i * sa] % y;
            }
        }
        break;
    default:
        break;
    }
    return bad ? overflow(e, err) : TARN_OK;
}

static inline bool dec_ok(tarn_i128 x)
{
    return x < DEC_LIMIT && x > -DEC_LIMIT;
}

static tarn_status arith_i128(const tarn_xexpr *e, const tarn_xval *a, const tarn_xval *b,
                              tarn_vec *r, int64_t m, tarn_err *err)
{
    const tarn_i128 *pa = (const tarn_i128 *)a->v->data, *pb = (const tarn_i128 *)b->v->data;
    tarn_i128 *pr = (tarn_i128 *)r->data;
    STRIDES;
    bool bad = false;
    for (int64_t i = 0; i < m; i++) {
        tarn_i128 x = pa[i * sa], y = pb[i * sb], z = 0;
        bool o;
        if (e->op == TARN_X_ADD)
            o = __builtin_add_overflow(x, y, &z);
        else if (e->op == TARN_X_SUB)
            o = __builtin_sub_overflow(x, y, &z);
        else if (e->op == TARN_X_MUL)
            o = __builtin_mul_overflow(x, y, &z);
        else { /* MOD: operands share a scale */
            o = false;
            if (y == 0) {
                if (tarn_vec_is_valid(r, i)) {
                    if (tarn_vec_ensure_validity(r) != TARN_OK)
                        return oom(err);
                    tarn_bit_set(r->validity, i, false);
                    r->null_count++;
                }
            } else {
                z = x % y;
            }
        }
        pr[i] = z;
        bad |= (o || !dec_ok(z)) && tarn_vec_is_valid(r, i);
    }
    return bad ? overflow(e, err) : TARN_OK;
}

static tarn_status arith_f64(const tarn_xexpr *e, const tarn_xval *a, const tarn_xval *b,
                             tarn_vec *r, int64_t m, tarn_err *err)
{
    const double *pa = (const double *)a->v->data, *pb = (const double *)b->v->data;
    double *pr = (double *)r->data;
    STRIDES;
    switch (e->op) {
    case TARN_X_ADD:
        for (int64_t i = 0; i < m; i++)
            pr[i] = pa[i * sa] + pb[i * sb];
        return TARN_OK;
    case TARN_X_SUB:
        for (int64_t i = 0; i < m; i++)
            pr[i] = pa[i * sa] - pb[i * sb];
        return TARN_OK;
    case TARN_X_MUL:
        for (int64_t i = 0; i < m; i++)
            pr[i] = pa[i * sa] * pb[i * sb];
        return TARN_OK;
    case TARN_X_DIV: /* IEEE: x / 0 is +-Infinity, 0 / 0 NaN (as DuckDB) */
        for (int64_t i = 0; i < m; i++)
            pr[i] = pa[i * sa] / pb[i * sb];
        return TARN_OK;
    default:
        break;
    }
    /* Modulo: a zero divisor gives NULL. */
    for (int64_t i = 0; i < m; i++) {
        double y = pb[i * sb];
        if (y == 0) {
            pr[i] = 0;
            if (tarn_vec_is_valid(r, i)) {
                if (tarn_vec_ensure_validity(r) != TARN_OK)
                    return oom(err);
                tarn_bit_set(r->validity, i, false);
                r->null_count++;
            }
        } else {
            pr[i] = e->op == TARN_X_DIV ? pa[i * sa] / y : fmod(pa[i * sa], y);
        }
    }
    return TARN_OK;
}

/* Comparisons: c = sign(a - b) in {-1, 0, 1}; the result is bit c+1 of a
 * mask per operator. */
static uint8_t cmp_mask(tarn_xop op)
{
    switch (op) {
    case TARN_X_EQ:
        return 2;
    case TARN_X_NE:
        return 5;
    case TARN_X_LT:
        return 1;
    case TARN_X_LE:
        return 3;
    case TARN_X_GT:
        return 4;
    default:
        return 6;
    }
}

#define CMP_LOOP(T)                                                                                \
    do {                                                                                           \
        const T *pa = (const T *)a->v->data, *pb = (const T *)b->v->data;                          \
        for (int64_t i = 0; i < m; i++) {                                                          \
            T x = pa[i * sa], y = pb[i * sb];                                                      \
            int c = (x > y) - (x < y);                                                             \
            out[i] = (uint8_t)((mask >> (c + 1)) & 1);                                             \
        }                                                                                          \
    } while (0)

static void compare(tarn_xop op, const tarn_xval *a, const tarn_xval *b, int64_t m, uint8_t *out)
{
    uint8_t mask = cmp_mask(op);
    STRIDES;
    switch (pclass_of(a->v->type)) {
    case P_I64:
        CMP_LOOP(int64_t);
        break;
    case P_I32:
        CMP_LOOP(int32_t);
        break;
    case P_F64:
        CMP_LOOP(double);
        break;
    case P_I128:
        CMP_LOOP(tarn_i128);
        break;
    case P_STR:
        for (int64_t i = 0; i < m; i++) {
            int c = tarn_vec_cmp_bytes(a->v, i * sa, b->v, i * sb);
            out[i] = (uint8_t)((mask >> (c + 1)) & 1);
        }
        break;
    case P_BOOL:
        for (int64_t i = 0; i < m; i++) {
            int x = tarn_vec_get_bool(a->v, i * sa), y = tarn_vec_get_bool(b->v, i * sb);
            int c = (x > y) - (x < y);
            out[i] = (uint8_t)((mask >> (c + 1)) & 1);
        }
        break;
    default:
        memset(out, 0, (size_t)m);
        break;
    }
}

/* Evaluation ------------------------------------------------------------------ */

static tarn_status eval(const tarn_xexpr *e, const tarn_batch *b, const tarn_xenv *env,
                        tarn_xval *out, tarn_err *err);

static tarn_status eval_args(const tarn_xexpr *e, const tarn_batch *b, const tarn_xenv *env,
                             tarn_xval *vals, tarn_err *err)
{
    for (int k = 0; k < e->n_args; k++) {
        tarn_status st = eval(e->args[k], b, env, &vals[k], err);
        if (st != TARN_OK) {
            for (int j = 0; j < k; j++)
                tarn_xval_release(&vals[j]);
            return st;
        }
    }
    return TARN_OK;
}

static void release_all(tarn_xval *vals, int n)
{
    for (int k = 0; k < n; k++)
        tarn_xval_release(&vals[k]);
}

/* Rows of the result: 1 when every argument is a constant. */
static int64_t rows_of(const tarn_xval *vals, int n, int64_t n_rows, bool *is_const)
{
    bool c = true;
    for (int k = 0; k < n; k++)
        c &= vals[k].is_const;
    *is_const = c;
    return c ? 1 : n_rows;
}

static tarn_status const_out(const tarn_scalar *k, tarn_xval *out, tarn_err *err)
{
    tarn_vec *v = tarn_vec_create_type(k->type.id == TARN_TYPE_NULL ? tarn_type_make(TARN_TYPE_BOOL)
                                                                    : k->type);
    if (!v || tarn_vec_append_scalar(v, k) != TARN_OK) {
        tarn_vec_destroy(v);
        return oom(err);
    }
    *out = (tarn_xval){v, true, true};
    return TARN_OK;
}

static tarn_status eval_binary(const tarn_xexpr *e, const tarn_xval *vals, int64_t n,
                               tarn_xval *out, tarn_err *err)
{
    bool c;
    int64_t m = rows_of(vals, 2, n, &c);
    tarn_vec *r = mk(e->type, m);
    if (!r)
        return oom(err);
    *out = (tarn_xval){r, c, true};
    tarn_status st = and_validity(r, vals, 2, m, err);
    if (st != TARN_OK)
        return st;
    const tarn_xval *a = &vals[0], *b = &vals[1];
    if (e->op >= TARN_X_EQ && e->op <= TARN_X_GE) {
        uint8_t *tmp = tarn_alloc((size_t)m);
        if (!tmp)
            return oom(err);
        compare(e->op, a, b, m, tmp);
        pack_bits(r->data, tmp, m);
        tarn_free(tmp);
        return TARN_OK;
    }
    switch (pclass_of(e->type)) {
    case P_I64:
        return arith_i64(e, a, b, r, m, err);
    case P_I128:
        return arith_i128(e, a, b, r, m, err);
    case P_F64:
        return arith_f64(e, a, b, r, m, err);
    default: {
        char t[64];
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "arithmetic on %s",
                            tarn_type_name(e->type, t, sizeof t));
    }
    }
}

/* AND/OR/NOT with three-valued logic, a byte (8 rows) at a time. */
static tarn_status eval_logic(const tarn_xexpr *e, const tarn_xval *vals, int64_t n, tarn_xval *out,
                              tarn_err *err)
{
    int na = e->op == TARN_X_NOT ? 1 : 2;
    bool c;
    int64_t m = rows_of(vals, na, n, &c);
    tarn_vec *r = mk(e->type, m);
    if (!r || tarn_vec_ensure_validity(r) != TARN_OK) {
        tarn_vec_destroy(r);
        return oom(err);
    }
    *out = (tarn_xval){r, c, true};
    int64_t nb = (m + 7) / 8;
    for (int64_t j = 0; j < nb; j++) {
        uint8_t A =
            vals[0].is_const ? (tarn_vec_get_bool(vals[0].v, 0) ? 0xFF : 0) : vals[0].v->data[j];
        uint8_t VA = vbyte(&vals[0], j);
        if (e->op == TARN_X_NOT) {
            r->data[j] = (uint8_t)~A;
            r->validity[j] = VA;
            continue;
        }
        uint8_t B =
            vals[1].is_const ? (tarn_vec_get_bool(vals[1].v, 0) ? 0xFF : 0) : vals[1].v->data[j];
        uint8_t VB = vbyte(&vals[1], j);
        if (e->op == TARN_X_AND) {
            uint8_t fa = VA & (uint8_t)~A, fb = VB & (uint8_t)~B;
            r->data[j] = A & B & VA & VB;
            r->validity[j] = (VA & VB) | fa | fb;
        } else {
            uint8_t ta = VA & A, tb = VB & B;
            r->data[j] = ta | tb;
            r->validity[j] = (VA & VB) | ta | tb;
        }
    }
    tarn_vec_count_nulls(r);
    return TARN_OK;
}

/* The result of a one-operand node: one value when the operand is a
 * constant, else n; *m gets the count. NULL when out of memory. */
static tarn_vec *unary_result(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_xval *out,
                              int64_t *m)
{
    *m = a->is_const ? 1 : n;
    tarn_vec *r = mk(e->type, *m);
    if (r)
        *out = (tarn_xval){r, a->is_const, true};
    return r;
}

static tarn_status eval_is_null(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_xval *out,
                                tarn_err *err)
{
    int64_t m;
    tarn_vec *r = unary_result(e, a, n, out, &m);
    if (!r)
        return oom(err);
    int64_t nb = (m + 7) / 8;
    for (int64_t j = 0; j < nb; j++) {
        uint8_t v = vbyte(a, j);
        r->data[j] = e->negated ? v : (uint8_t)~v;
    }
    return TARN_OK;
}

/* x [NOT] IN (constants): true on a match, NULL when x is NULL or nothing
 * matched but the list holds a NULL. */
static tarn_status eval_in(const tarn_xexpr *e, const tarn_xval *vals, int64_t n, tarn_xval *out,
                           tarn_err *err)
{
    const tarn_xval *a = &vals[0];
    int64_t m = a->is_const ? 1 : n;
    tarn_vec *r = mk(e->type, m);
    uint8_t *hit = tarn_calloc((size_t)(m ? m : 1), 1);
    uint8_t *tmp = tarn_alloc((size_t)(m ? m : 1));
    if (!r || !hit || !tmp) {
        tarn_vec_destroy(r);
        tarn_free(hit);
        tarn_free(tmp);
        return oom(err);
    }
    *out = (tarn_xval){r, a->is_const, true};
    bool list_null = false;
    for (int k = 1; k < e->n_args; k++) {
        if (!tarn_vec_is_valid(vals[k].v, 0)) {
            list_null = true;
            continue;
        }
        compare(TARN_X_EQ, a, &vals[k], m, tmp);
        for (int64_t i = 0; i < m; i++)
            hit[i] |= tmp[i];
    }
    tarn_status st = and_validity(r, a, 1, m, err);
    if (st == TARN_OK && list_null) {
        if (tarn_vec_ensure_validity(r) != TARN_OK)
            st = oom(err);
        for (int64_t i = 0; st == TARN_OK && i < m; i++)
            if (!hit[i])
                tarn_bit_set(r->validity, i, false);
        tarn_vec_count_nulls(r);
    }
    for (int64_t i = 0; i < m; i++)
        hit[i] = (uint8_t)(hit[i] ^ (e->negated ? 1 : 0));
    pack_bits(r->data, hit, m);
    tarn_free(hit);
    tarn_free(tmp);
    return st;
}

/* x [NOT] IN (subquery): a hash join of the rows against the set. */
static tarn_status eval_in_set(const tarn_xexpr *e, const tarn_xval *a, const tarn_xenv *env,
                               int64_t n, tarn_xval *out, tarn_err *err)
{
    if (!env || e->col >= env->n_sets)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "subquery set missing");
    tarn_vec *set = env->sets[e->col];
    int64_t m = a->is_const ? 1 : n;
    tarn_vec *r = mk(e->type, m);
    uint8_t *hit = tarn_calloc((size_t)(m ? m : 1), 1);
    int64_t *li = NULL, *ri = NULL, np = 0;
    tarn_status st = r && hit ? TARN_OK : oom(err);
    if (st == TARN_OK)
        *out = (tarn_xval){r, a->is_const, true};
    else
        tarn_vec_destroy(r);
    if (st == TARN_OK && !e->exists)
        st = and_validity(r, a, 1, m, err);
    if (st == TARN_OK)
        st = tarn_rel_join(&a->v, &set, 1, m, set->len, &li, &ri, &np, err);
    for (int64_t k = 0; st == TARN_OK && k < np; k++)
        hit[li[k]] = 1;
    if (st == TARN_OK && set->null_count > 0 && !e->exists) {
        if (tarn_vec_ensure_validity(r) != TARN_OK)
            st = oom(err);
        for (int64_t i = 0; st == TARN_OK && i < m; i++)
            if (!hit[i])
                tarn_bit_set(r->validity, i, false);
        tarn_vec_count_nulls(r);
    }
    for (int64_t i = 0; i < m; i++)
        hit[i] = (uint8_t)(hit[i] ^ (e->negated ? 1 : 0));
    if (st == TARN_OK)
        pack_bits(r->data, hit, m);
    tarn_free(li);
    tarn_free(ri);
    tarn_free(hit);
    return st;
}

/* LIKE ------------------------------------------------------------------------ */

static inline uint8_t fold(uint8_t c, bool ci)
{
    return ci && c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Length of the UTF-8 character starting with byte c. */
static inline int utf8_len(uint8_t c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Matches s against pattern p (% any run, _ one character, no escape):
 * iterative with one backtrack point, linear for typical patterns. */
static bool like_match(const uint8_t *s, int32_t ns, const uint8_t *p, int32_t np, bool ci)
{
    int32_t i = 0, j = 0, star_j = -1, star_i = 0;
    while (i < ns) {
        if (j < np && p[j] == '_') {
            i += utf8_len(s[i]);
            j++;
        } else if (j < np && p[j] == '%') {
            star_j = j++;
            star_i = i;
        } else if (j < np && fold(p[j], ci) == fold(s[i], ci)) {
            i++;
            j++;
        } else if (star_j >= 0) {
            j = star_j + 1;
            star_i += utf8_len(s[star_i]);
            i = star_i;
        } else {
            return false;
        }
    }
    while (j < np && p[j] == '%')
        j++;
    return j == np && i == ns;
}

static tarn_status eval_like(const tarn_xexpr *e, const tarn_xval *vals, int64_t n, tarn_xval *out,
                             tarn_err *err)
{
    bool c;
    int64_t m = rows_of(vals, 2, n, &c);
    tarn_vec *r = mk(e->type, m);
    uint8_t *tmp = tarn_alloc((size_t)(m ? m : 1));
    if (!r || !tmp) {
        tarn_vec_destroy(r);
        tarn_free(tmp);
        return oom(err);
    }
    *out = (tarn_xval){r, c, true};
    tarn_status st = and_validity(r, vals, 2, m, err);
    const tarn_vec *s = vals[0].v, *p = vals[1].v;
    int64_t sa = vals[0].is_const ? 0 : 1, sb = vals[1].is_const ? 0 : 1;
    for (int64_t i = 0; st == TARN_OK && i < m; i++) {
        int32_t ls, lp;
        const uint8_t *x = tarn_vec_get_bytes(s, i * sa, &ls);
        const uint8_t *y = tarn_vec_get_bytes(p, i * sb, &lp);
        tmp[i] = (uint8_t)(like_match(x, ls, y, lp, e->ilike) != e->negated);
    }
    pack_bits(r->data, tmp, m);
    tarn_free(tmp);
    return st;
}

/* CASE ------------------------------------------------------------------------ */

static tarn_status eval_case(const tarn_xexpr *e, const tarn_xval *vals, int64_t n, tarn_xval *out,
                             tarn_err *err)
{
    bool c;
    int64_t m = rows_of(vals, e->n_args, n, &c);
    tarn_vec *r = tarn_vec_create_type(e->type);
    if (!r || tarn_vec_reserve(r, m) != TARN_OK) {
        tarn_vec_destroy(r);
        return oom(err);
    }
    *out = (tarn_xval){r, c, true};
    int n_when = (e->n_args - (e->has_else ? 1 : 0)) / 2;
    for (int64_t i = 0; i < m; i++) {
        const tarn_xval *pick = e->has_else ? &vals[e->n_args - 1] : NULL;
        for (int w = 0; w < n_when; w++) {
            const tarn_xval *cond = &vals[2 * w];
            int64_t ci = cond->is_const ? 0 : i;
            if (tarn_vec_is_valid(cond->v, ci) && tarn_vec_get_bool(cond->v, ci)) {
                pick = &vals[2 * w + 1];
                break;
            }
        }
        tarn_status st = pick ? tarn_vec_append_range(r, pick->v, pick->is_const ? 0 : i, 1)
                              : tarn_vec_append_null(r);
        if (st != TARN_OK)
            return oom(err);
    }
    return TARN_OK;
}

/* Casts ----------------------------------------------------------------------- */

bool tarn_x_dec_rescale(tarn_i128 x, int from, int to, int mode, tarn_i128 *out)
{
    if (to >= from) {
        tarn_i128 z;
        if (__builtin_mul_overflow(x, tarn_pow10_i128(to - from), &z) || !dec_ok(z))
            return false;
        *out = z;
        return true;
    }
    tarn_i128 p = tarn_pow10_i128(from - to), q = x / p, rem = x % p;
    if (mode == 0) {
        if (2 * (rem < 0 ? -rem : rem) >= p)
            q += x < 0 ? -1 : 1;
    } else if (mode < 0) {
        q -= rem < 0;
    } else {
        q += rem > 0;
    }
    *out = q;
    return true;
}

static tarn_status cast_to_int(const tarn_vec *src, tarn_vec *r, tarn_err *err)
{
    int64_t n = src->len;
    int64_t *o = (int64_t *)r->data;
    if (tarn_vec_copy_validity(r, src, 0, n) != TARN_OK)
        return oom(err);
    for (int64_t i = 0; i < n; i++) {
        if (!tarn_vec_is_valid(src, i)) {
            o[i] = 0;
            continue;
        }
        if (src->type.id == TARN_TYPE_FLOAT64) {
            double d = round(tarn_vec_get_f64(src, i));
            if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                return tarn_err_set(err, TARN_ERR_DATA, "value %g does not fit in int64",
                                    tarn_vec_get_f64(src, i));
            o[i] = (int64_t)d;
        } else {
            tarn_i128 q;
            tarn_x_dec_rescale(tarn_vec_get_decimal(src, i), src->type.scale, 0, 0, &q);
            if (q > INT64_MAX || q < INT64_MIN)
                return tarn_err_set(err, TARN_ERR_DATA, "decimal value does not fit in int64");
            o[i] = (int64_t)q;
        }
    }
    r->len = n;
    return TARN_OK;
}

/* Decimal to decimal with rounding half away from zero when the scale
 * shrinks (tarn_vec_cast_append refuses to lose digits). */
static tarn_status cast_dec_round(const tarn_vec *src, tarn_vec *r, tarn_err *err)
{
    int64_t n = src->len;
    tarn_i128 *o = (tarn_i128 *)r->data;
    if (tarn_vec_copy_validity(r, src, 0, n) != TARN_OK)
        return oom(err);
    for (int64_t i = 0; i < n; i++)
        if (!tarn_x_dec_rescale(tarn_vec_get_decimal(src, i), src->type.scale, r->type.scale, 0,
                                &o[i]) &&
            tarn_vec_is_valid(src, i))
            return tarn_err_set(err, TARN_ERR_DATA, "decimal value does not fit");
    r->len = n;
    return TARN_OK;
}

tarn_status tarn_x_cast(const tarn_vec *src, tarn_type t, tarn_vec **out, tarn_err *err)
{
    *out = NULL;
    tarn_vec *r = tarn_vec_create_type(t);
    if (!r || tarn_vec_reserve(r, src->len ? src->len : 1) != TARN_OK) {
        tarn_vec_destroy(r);
        return oom(err);
    }
    tarn_status st;
    tarn_type_id from = src->type.id;
    if (t.id == TARN_TYPE_INT64 && (from == TARN_TYPE_FLOAT64 || from == TARN_TYPE_DECIMAL)) {
        st = cast_to_int(src, r, err);
    } else if (t.id == TARN_TYPE_DECIMAL && from == TARN_TYPE_DECIMAL) {
        st = cast_dec_round(src, r, err);
    } else if (t.id == TARN_TYPE_DECIMAL && from == TARN_TYPE_FLOAT64) {
        /* Through the shortest text, then exact parse with rounding. */
        st = TARN_OK;
        for (int64_t i = 0; st == TARN_OK && i < src->len; i++) {
            if (!tarn_vec_is_valid(src, i)) {
                st = tarn_vec_append_null(r);
                continue;
            }
            char buf[64];
            double d = tarn_vec_get_f64(src, i);
            int k = snprintf(buf, sizeof buf, "%.*f", t.scale, d);
            tarn_i128 x;
            st = tarn_parse_decimal(buf, (size_t)k, t.precision, t.scale, &x, err);
            if (st == TARN_OK)
                st = tarn_vec_append_decimal(r, x);
        }
    } else if (t.id == TARN_TYPE_DATE &&
               (from == TARN_TYPE_TIMESTAMP || from == TARN_TYPE_TIMESTAMP_NTZ)) {
        /* The day the instant falls on (UTC). */
        st = tarn_vec_copy_validity(r, src, 0, src->len) == TARN_OK ? TARN_OK : oom(err);
        for (int64_t i = 0; st == TARN_OK && i < src->len; i++)
            ((int32_t *)r->data)[i] =
                (int32_t)tarn_floordiv(tarn_vec_get_i64(src, i), 86400000000LL);
        r->len = src->len;
    } else if (t.id == TARN_TYPE_BOOL && tarn_type_is_integer(from)) {
        st = TARN_OK;
        for (int64_t i = 0; st == TARN_OK && i < src->len; i++)
            st = tarn_vec_is_valid(src, i) ? tarn_vec_append_bool(r, tarn_vec_get_int(src, i) != 0)
                                           : tarn_vec_append_null(r);
    } else {
        tarn_field ff = {.type = src->type, .nullable = true, .field_id = -1};
        tarn_field tf = {.type = t, .nullable = true, .field_id = -1};
        st = tarn_vec_cast_append(r, &tf, src, &ff, 0, src->len, NULL, err);
    }
    if (st != TARN_OK) {
        tarn_vec_destroy(r);
        return st;
    }
    *out = r;
    return TARN_OK;
}

/* Date and timestamp plus an interval. */
static tarn_status eval_add_interval(const tarn_xexpr *e, const tarn_xval *a, int64_t n,
                                     tarn_xval *out, tarn_err *err)
{
    int64_t m;
    tarn_vec *r = unary_result(e, a, n, out, &m);
    if (!r)
        return oom(err);
    tarn_status st = and_validity(r, a, 1, m, err);
    bool is_date = a->v->type.id == TARN_TYPE_DATE;
    for (int64_t i = 0; st == TARN_OK && i < m; i++) {
        int64_t us = is_date ? (int64_t)tarn_vec_get_i32(a->v, i) * 86400000000LL
                             : tarn_vec_get_i64(a->v, i);
        int64_t days = tarn_floordiv(us, 86400000000LL), tod = us - days * 86400000000LL;
        if (e->months) {
            int64_t y;
            int mo, d;
            tarn_civil_from_days(days, &y, &mo, &d);
            int64_t total = y * 12 + (mo - 1) + e->months;
            y = tarn_floordiv(total, 12);
            mo = (int)(total - y * 12) + 1;
            while (d > 28 && !tarn_is_valid_date(y, mo, d))
                d--;
            days = tarn_days_from_civil(y, mo, d);
        }
        days += e->days;
        us = days * 86400000000LL + tod + e->micros;
        if (e->type.id == TARN_TYPE_DATE)
            ((int32_t *)r->data)[i] = (int32_t)tarn_floordiv(us, 86400000000LL);
        else
            ((int64_t *)r->data)[i] = us;
    }
    return st;
}

static tarn_status eval_neg(const tarn_xexpr *e, const tarn_xval *a, int64_t n, tarn_xval *out,
                            tarn_err *err)
{
    int64_t m;
    tarn_vec *r = unary_result(e, a, n, out, &m);
    if (!r)
        return oom(err);
    tarn_status st = and_validity(r, a, 1, m, err);
    bool bad = false;
    switch (pclass_of(e->type)) {
    case P_I64:
        for (int64_t i = 0; i < m; i++) {
            int64_t x = tarn_vec_get_i64(a->v, i);
            bad |= x == INT64_MIN && tarn_vec_is_valid(r, i);
            ((int64_t *)r->data)[i] = x == INT64_MIN ? 0 : -x;
        }
        break;
    case P_F64:
        for (int64_t i = 0; i < m; i++)
            ((double *)r->data)[i] = -tarn_vec_get_f64(a->v, i);
        break;
    case P_I128:
        for (int64_t i = 0; i < m; i++)
            ((tarn_i128 *)r->data)[i] = -((const tarn_i128 *)a->v->data)[i];
        break;
    default:
        break;
    }
    if (bad)
        return overflow(e, err);
    return st;
}

static tarn_status eval(const tarn_xexpr *e, const tarn_batch *b, const tarn_xenv *env,
                        tarn_xval *out, tarn_err *err)
{
    switch (e->op) {
    case TARN_X_COL:
        *out = (tarn_xval){b->cols[e->col], false, false};
        return TARN_OK;
    case TARN_X_CONST:
        return const_out(&e->k, out, err);
    case TARN_X_SLOT:
        if (!env || e->col >= env->n_slots)
            return tarn_err_set(err, TARN_ERR_INTERNAL, "subquery value missing");
        return const_out(&env->slots[e->col], out, err);
    default:
        break;
    }
    tarn_xval vals[64];
    if (e->n_args > 64)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "more than 64 arguments");
    tarn_status st = eval_args(e, b, env, vals, err);
    if (st != TARN_OK)
        return st;
    int64_t n = b->n_rows;
    memset(out, 0, sizeof *out);
    switch (e->op) {
    case TARN_X_ADD:
    case TARN_X_SUB:
    case TARN_X_MUL:
    case TARN_X_DIV:
    case TARN_X_MOD:
    case TARN_X_EQ:
    case TARN_X_NE:
    case TARN_X_LT:
    case TARN_X_LE:
    case TARN_X_GT:
    case TARN_X_GE:
        st = eval_binary(e, vals, n, out, err);
        break;
    case TARN_X_NEG:
        st = eval_neg(e, &vals[0], n, out, err);
        break;
    case TARN_X_AND:
    case TARN_X_OR:
    case TARN_X_NOT:
        st = eval_logic(e, vals, n, out, err);
        break;
    case TARN_X_IS_NULL:
        st = eval_is_null(e, &vals[0], n, out, err);
        break;
    case TARN_X_IN:
        st = eval_in(e, vals, n, out, err);
        break;
    case TARN_X_IN_SET:
        st = eval_in_set(e, &vals[0], env, n, out, err);
        break;
    case TARN_X_LIKE:
        st = eval_like(e, vals, n, out, err);
        break;
    case TARN_X_CASE:
        st = eval_case(e, vals, n, out, err);
        break;
    case TARN_X_CAST: {
        tarn_vec *r;
        st = tarn_x_cast(vals[0].v, e->type, &r, err);
        if (st == TARN_OK)
            *out = (tarn_xval){r, vals[0].is_const, true};
        break;
    }
    case TARN_X_FUNC: {
        bool c;
        int64_t m = rows_of(vals, e->n_args, n, &c);
        tarn_vec *r = NULL;
        st = tarn_xfunc_eval(e, vals, m, &r, err);
        if (st == TARN_OK)
            *out = (tarn_xval){r, c, true};
        break;
    }
    case TARN_X_ADD_INTERVAL:
        st = eval_add_interval(e, &vals[0], n, out, err);
        break;
    default:
        st = tarn_err_set(err, TARN_ERR_INTERNAL, "unknown expression node %d", (int)e->op);
        break;
    }
    release_all(vals, e->n_args);
    if (st != TARN_OK)
        tarn_xval_release(out);
    return st;
}

tarn_status tarn_xeval(const tarn_xexpr *e, const tarn_batch *b, const tarn_xenv *env,
                       tarn_xval *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    return eval(e, b, env, out, err);
}

tarn_status tarn_xeval_vec(const tarn_xexpr *e, const tarn_batch *b, const tarn_xenv *env,
                           tarn_vec **out, tarn_err *err)
{
    *out = NULL;
    tarn_xval x;
    tarn_status st = tarn_xeval(e, b, env, &x, err);
    if (st != TARN_OK)
        return st;
    if (!x.is_const && x.owned) {
        *out = x.v;
        return TARN_OK;
    }
    tarn_vec *r = tarn_vec_create_type(x.v->type);
    st = r ? tarn_vec_reserve(r, b->n_rows) : TARN_ERR_NOMEM;
    if (st == TARN_OK) {
        if (x.is_const) {
            for (int64_t i = 0; st == TARN_OK && i < b->n_rows; i++)
                st = tarn_vec_append_range(r, x.v, 0, 1);
        } else {
            st = tarn_vec_append_range(r, x.v, 0, x.v->len);
        }
    }
    tarn_xval_release(&x);
    if (st != TARN_OK) {
        tarn_vec_destroy(r);
        return oom(err);
    }
    *out = r;
    return TARN_OK;
}

tarn_status tarn_xeval_select(const tarn_xexpr *e, const tarn_batch *b, const tarn_xenv *env,
                              int64_t *sel, int64_t *n_sel, tarn_err *err)
{
    tarn_xval x;
    tarn_status st = tarn_xeval(e, b, env, &x, err);
    if (st != TARN_OK)
        return st;
    int64_t k = 0;
    if (x.is_const) {
        if (tarn_vec_is_valid(x.v, 0) && tarn_vec_get_bool(x.v, 0))
            for (int64_t i = 0; i < b->n_rows; i++)
                sel[k++] = i;
    } else {
        const uint8_t *d = x.v->data, *v = x.v->validity;
        for (int64_t i = 0; i < b->n_rows; i++) {
            sel[k] = i;
            k += ((d[i >> 3] & (v ? v[i >> 3] : 0xFF)) >> (i & 7)) & 1;
        }
    }
    *n_sel = k;
    tarn_xval_release(&x);
    return TARN_OK;
}
