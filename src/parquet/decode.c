/*
 * parquet/decode.c - Parquet encodings (Encodings.md) and physical ->
 * logical value conversions.
 *
 * Bit-packed data is unpacked 8 values per step with the bit width fixed at
 * compile time (one switch per run, not per value). Every length read from
 * the page is checked against the bytes left before it is used; runs and
 * miniblocks that claim more than remains are clipped or rejected, so no
 * loop can spin without consuming input. Scratch arrays in tarn_pq_values
 * are owned by it and reused page after page.
 */
#include "parquet/decode.h"

#include "base/alloc.h"
#include "base/time.h"

#include <pthread.h>
#include <string.h>

static tarn_status corrupt(tarn_err *err, const char *what)
{
    return tarn_err_set(err, TARN_ERR_CORRUPT, "malformed page data: %s", what);
}

/* Bit unpacking ------------------------------------------------------------- */

/* 8 values of w bits from w bytes; w is a constant at every call site. */
static inline __attribute__((always_inline)) void unpack8_32(const uint8_t *in, uint32_t *out,
                                                             const int w)
{
    uint64_t words[4] = {0, 0, 0, 0};
    memcpy(words, in, (size_t)w);
    const uint64_t mask = w >= 32 ? 0xffffffffu : ((UINT64_C(1) << w) - 1);
    for (int i = 0; i < 8; i++) {
        const int bit = i * w, k = bit >> 6, s = bit & 63;
        uint64_t v = words[k] >> s;
        if (s + w > 64)
            v |= words[k + 1] << (64 - s);
        out[i] = (uint32_t)(v & mask);
    }
}

static inline __attribute__((always_inline)) void unpack8_64(const uint8_t *in, uint64_t *out,
                                                             const int w)
{
    uint64_t words[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(words, in, (size_t)w);
    const uint64_t mask = w >= 64 ? ~UINT64_C(0) : ((UINT64_C(1) << w) - 1);
    for (int i = 0; i < 8; i++) {
        const int bit = i * w, k = bit >> 6, s = bit & 63;
        uint64_t v = words[k] >> s;
        if (s && s + w > 64)
            v |= words[k + 1] << (64 - s);
        out[i] = v & mask;
    }
}

#define REP4(M, b)  M(b + 0) M(b + 1) M(b + 2) M(b + 3)
#define REP16(M, b) REP4(M, b) REP4(M, b + 4) REP4(M, b + 8) REP4(M, b + 12)

void tarn_pq_unpack32(const uint8_t *in, uint32_t *out, int64_t groups, int bit_width)
{
    switch (bit_width) {
    case 0:
        memset(out, 0, (size_t)groups * 8 * sizeof *out);
        return;
#define CASE32(W)                                                                                  \
    case W:                                                                                        \
        for (int64_t g = 0; g < groups; g++)                                                       \
            unpack8_32(in + g * (W), out + g * 8, (W));                                            \
        return;
        REP16(CASE32, 1)
        REP16(CASE32, 17)
#undef CASE32
    default:
        TARN_ASSERT(!"bit width above 32");
    }
}

void tarn_pq_unpack64(const uint8_t *in, uint64_t *out, int64_t groups, int bit_width)
{
    switch (bit_width) {
    case 0:
        memset(out, 0, (size_t)groups * 8 * sizeof *out);
        return;
#define CASE64(W)                                                                                  \
    case W:                                                                                        \
        for (int64_t g = 0; g < groups; g++)                                                       \
            unpack8_64(in + g * (W), out + g * 8, (W));                                            \
        return;
        REP16(CASE64, 1)
        REP16(CASE64, 17)
        REP16(CASE64, 33)
        REP16(CASE64, 49)
#undef CASE64
    default:
        TARN_ASSERT(!"bit width above 64");
    }
}

int tarn_pq_bit_width(uint64_t max)
{
    return max ? 64 - __builtin_clzll(max) : 0;
}

/* ULEB128 varint, at most 10 bytes. */
static bool read_uleb(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    for (int shift = 0; shift < 70 && p < end; shift += 7) {
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *pp = p;
            *out = v;
            return true;
        }
    }
    return false;
}

static inline uint32_t le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* RLE / bit-packed hybrid -------------------------------------------------------- */

void tarn_pq_rle_init(tarn_pq_rle *r, const uint8_t *p, size_t n, int bit_width)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->end = p + n;
    r->bit_width = bit_width;
}

static tarn_status rle_next_run(tarn_pq_rle *r, tarn_err *err)
{
    uint64_t h;
    if (r->p >= r->end)
        return corrupt(err, "RLE/bit-packed data ends before all values were read");
    if (!read_uleb(&r->p, r->end, &h))
        return corrupt(err, "truncated RLE run header");
    int bw = r->bit_width;
    if (h & 1) {
        uint64_t groups = h >> 1;
        if (groups > (UINT64_C(1) << 40))
            return corrupt(err, "bit-packed run too long");
        uint64_t values = groups * 8;
        if (bw > 0) {
            /* The last run may be cut short; keep the values that are present. */
            uint64_t avail = (uint64_t)(r->end - r->p) * 8 / (uint64_t)bw;
            if (values > avail)
                values = avail;
        }
        r->bp_left = values;
    } else {
        int nbytes = (bw + 7) / 8;
        if (r->end - r->p < nbytes)
            return corrupt(err, "truncated RLE run value");
        uint32_t v = 0;
        for (int i = 0; i < nbytes; i++)
            v |= (uint32_t)r->p[i] << (8 * i);
        r->p += nbytes;
        r->rle_value = v;
        r->rle_left = h >> 1;
    }
    return TARN_OK;
}

/* Unpacks one (possibly short) group into r->buf. */
static void rle_fill_buf(tarn_pq_rle *r)
{
    int bw = r->bit_width;
    uint8_t tmp[32] = {0};
    size_t have = TARN_MIN((size_t)(r->end - r->p), (size_t)bw);
    memcpy(tmp, r->p, have);
    r->p += have;
    tarn_pq_unpack32(tmp, r->buf, 1, bw);
    r->buf_len = (uint32_t)TARN_MIN(r->bp_left, 8);
    r->buf_pos = 0;
    r->bp_left -= r->buf_len;
}

tarn_status tarn_pq_rle_get(tarn_pq_rle *r, uint32_t *out, int64_t n, tarn_err *err)
{
    while (n > 0) {
        if (r->buf_pos < r->buf_len) {
            int64_t k = TARN_MIN(n, (int64_t)(r->buf_len - r->buf_pos));
            memcpy(out, r->buf + r->buf_pos, (size_t)k * sizeof *out);
            r->buf_pos += (uint32_t)k;
            out += k;
            n -= k;
        } else if (r->rle_left) {
            int64_t k = (int64_t)TARN_MIN((uint64_t)n, r->rle_left);
            uint32_t v = r->rle_value;
            for (int64_t i = 0; i < k; i++)
                out[i] = v;
            r->rle_left -= (uint64_t)k;
            out += k;
            n -= k;
        } else if (r->bp_left) {
            int bw = r->bit_width;
            int64_t groups = (int64_t)TARN_MIN((uint64_t)n, r->bp_left) / 8;
            if (bw > 0)
                groups = TARN_MIN(groups, (int64_t)(r->end - r->p) / bw);
            if (groups > 0) {
                tarn_pq_unpack32(r->p, out, groups, bw);
                r->p += groups * bw;
                r->bp_left -= (uint64_t)groups * 8;
                out += groups * 8;
                n -= groups * 8;
            } else {
                rle_fill_buf(r);
            }
        } else {
            TARN_TRY(rle_next_run(r, err));
        }
    }
    return TARN_OK;
}

/* bits_to_bytes[b] holds the 8 bits of b, LSB first, as 0/1 bytes. */
static uint64_t bits_to_bytes[256];
static uint8_t bits_count[256]; /* popcount without needing -mpopcnt */
static pthread_once_t bits_once = PTHREAD_ONCE_INIT;

static void bits_init(void)
{
    for (int b = 0; b < 256; b++) {
        uint64_t x = 0;
        for (int k = 0; k < 8; k++)
            x |= (uint64_t)((b >> k) & 1) << (8 * k);
        bits_to_bytes[b] = x;
        bits_count[b] = (uint8_t)__builtin_popcount((unsigned)b);
    }
}

/* Width-1 bit-packed groups (0/1 levels, the usual optional column) expand
 * a byte at a time through a table. Returns the values produced. */
static int64_t levels_bits(tarn_pq_rle *r, uint8_t *out, int64_t n, int64_t *n_max)
{
    int64_t groups = (int64_t)TARN_MIN((uint64_t)n, r->bp_left) / 8;
    groups = TARN_MIN(groups, (int64_t)(r->end - r->p));
    pthread_once(&bits_once, bits_init);
    int64_t ones = 0;
    for (int64_t g = 0; g < groups; g++) {
        uint8_t b = r->p[g];
        memcpy(out + g * 8, &bits_to_bytes[b], 8);
        ones += bits_count[b];
    }
    r->p += groups;
    r->bp_left -= (uint64_t)groups * 8;
    *n_max += ones;
    return groups * 8;
}

tarn_status tarn_pq_rle_get_levels(tarn_pq_rle *r, uint8_t *out, int64_t n, int max_level,
                                   int64_t *out_n_max, tarn_err *err)
{
    uint32_t tmp[512];
    int64_t n_max = 0;
    uint32_t bad = 0;
    while (n > 0) {
        if (r->bit_width == 1 && max_level == 1 && r->buf_pos >= r->buf_len && r->bp_left >= 8 &&
            n >= 8) {
            int64_t k = levels_bits(r, out, n, &n_max);
            if (k > 0) {
                out += k;
                n -= k;
                continue;
            }
        }
        /* Long RLE runs (the common "no nulls" page) become one memset. */
        if (r->buf_pos >= r->buf_len && r->rle_left) {
            int64_t k = (int64_t)TARN_MIN((uint64_t)n, r->rle_left);
            if (r->rle_value > (uint32_t)max_level)
                return corrupt(err, "level above the column's maximum");
            memset(out, (int)r->rle_value, (size_t)k);
            if (r->rle_value == (uint32_t)max_level)
                n_max += k;
            r->rle_left -= (uint64_t)k;
            out += k;
            n -= k;
            continue;
        }
        if (r->buf_pos >= r->buf_len && !r->bp_left) {
            TARN_TRY(rle_next_run(r, err));
            continue;
        }
        int64_t k = TARN_MIN(n, (int64_t)TARN_ARRAY_LEN(tmp));
        if (!r->bp_left && r->buf_pos < r->buf_len)
            k = TARN_MIN(k, (int64_t)(r->buf_len - r->buf_pos));
        else if (r->bp_left)
            k = (int64_t)TARN_MIN((uint64_t)k, r->bp_left + (r->buf_len - r->buf_pos));
        TARN_TRY(tarn_pq_rle_get(r, tmp, k, err));
        for (int64_t i = 0; i < k; i++) {
            bad |= tmp[i] > (uint32_t)max_level;
            out[i] = (uint8_t)tmp[i];
            n_max += tmp[i] == (uint32_t)max_level;
        }
        if (bad)
            return corrupt(err, "level above the column's maximum");
        out += k;
        n -= k;
    }
    *out_n_max = n_max;
    return TARN_OK;
}

tarn_status tarn_pq_bitpacked_levels(const uint8_t *p, size_t len, int bit_width, uint8_t *out,
                                     int64_t n, int max_level, int64_t *out_n_max, tarn_err *err)
{
    if ((uint64_t)n * (uint64_t)bit_width > (uint64_t)len * 8)
        return corrupt(err, "BIT_PACKED levels shorter than the page's values");
    int64_t n_max = 0;
    uint64_t bit = 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t v = 0;
        for (int b = 0; b < bit_width; b++, bit++)
            v = (v << 1) | ((p[bit >> 3] >> (7 - (bit & 7))) & 1);
        if (v > (uint32_t)max_level)
            return corrupt(err, "level above the column's maximum");
        out[i] = (uint8_t)v;
        n_max += v == (uint32_t)max_level;
    }
    *out_n_max = n_max;
    return TARN_OK;
}

/* DELTA_BINARY_PACKED ------------------------------------------------------------- */

#define DBP_MAX_BLOCK (UINT64_C(1) << 24)

tarn_status tarn_pq_dbp_init(tarn_pq_dbp *d, const uint8_t *p, size_t n, uint64_t max_values,
                             tarn_err *err)
{
    memset(d, 0, sizeof *d);
    d->p = p;
    d->end = p + n;
    uint64_t block, first;
    if (!read_uleb(&d->p, d->end, &block) || !read_uleb(&d->p, d->end, &d->n_mini) ||
        !read_uleb(&d->p, d->end, &d->total) || !read_uleb(&d->p, d->end, &first))
        return corrupt(err, "truncated DELTA_BINARY_PACKED header");
    if (block == 0 || block % 128 != 0 || block > DBP_MAX_BLOCK || d->n_mini == 0 ||
        block % d->n_mini != 0 || (block / d->n_mini) % 32 != 0)
        return corrupt(err, "invalid DELTA_BINARY_PACKED block layout");
    if (d->total > max_values)
        return corrupt(err, "DELTA_BINARY_PACKED holds more values than the page");
    d->per_mini = block / d->n_mini;
    d->left = d->total;
    d->first_pending = d->total > 0;
    d->last = (first >> 1) ^ (~(first & 1) + 1); /* zigzag */
    d->mini = d->n_mini;                         /* the first delta opens a block */
    d->mini_end = d->p;
    return TARN_OK;
}

static tarn_status dbp_next_mini(tarn_pq_dbp *d, tarn_err *err)
{
    d->p = d->mini_end;
    if (d->mini + 1 >= d->n_mini) {
        uint64_t md;
        if (!read_uleb(&d->p, d->end, &md))
            return corrupt(err, "truncated DELTA_BINARY_PACKED block header");
        d->min_delta = (md >> 1) ^ (~(md & 1) + 1);
        if ((uint64_t)(d->end - d->p) < d->n_mini)
            return corrupt(err, "truncated DELTA_BINARY_PACKED bit widths");
        d->widths = d->p;
        d->p += d->n_mini;
        d->mini = 0;
    } else {
        d->mini++;
    }
    d->width = d->widths[d->mini];
    if (d->width > 64)
        return corrupt(err, "DELTA_BINARY_PACKED bit width above 64");
    d->mini_left = d->per_mini;
    uint64_t bytes = d->per_mini * (uint64_t)d->width / 8;
    d->mini_end = d->p + TARN_MIN(bytes, (uint64_t)(d->end - d->p));
    return TARN_OK;
}

tarn_status tarn_pq_dbp_get(tarn_pq_dbp *d, int64_t *out, int64_t n, tarn_err *err)
{
    if (n < 0 || (uint64_t)n > d->left)
        return corrupt(err, "more DELTA_BINARY_PACKED values requested than stored");
    int64_t i = 0;
    if (n > 0 && d->first_pending) {
        out[i++] = (int64_t)d->last;
        d->first_pending = false;
        d->left--;
    }
    uint64_t last = d->last;
    while (i < n) {
        if (d->buf_pos < d->buf_len) {
            int64_t k = TARN_MIN(n - i, (int64_t)(d->buf_len - d->buf_pos));
            for (int64_t j = 0; j < k; j++) {
                last += d->min_delta + d->buf[d->buf_pos + j];
                out[i + j] = (int64_t)last;
            }
            d->buf_pos += (uint32_t)k;
            d->left -= (uint64_t)k;
            i += k;
            continue;
        }
        if (d->mini_left == 0) {
            d->last = last;
            TARN_TRY(dbp_next_mini(d, err));
        }
        int w = d->width;
        int64_t groups = (int64_t)TARN_MIN((uint64_t)(n - i), d->mini_left) / 8;
        if (w > 0)
            groups = TARN_MIN(groups, (int64_t)(d->end - d->p) / w);
        if (groups > 0) {
            uint64_t *u = (uint64_t *)(out + i);
            tarn_pq_unpack64(d->p, u, groups, w);
            int64_t k = groups * 8;
            for (int64_t j = 0; j < k; j++) {
                last += d->min_delta + u[j];
                out[i + j] = (int64_t)last;
            }
            d->p += groups * w;
            d->mini_left -= (uint64_t)k;
            d->left -= (uint64_t)k;
            i += k;
            continue;
        }
        /* A partial group: the values still to come must be present. */
        uint64_t use = TARN_MIN(TARN_MIN(d->left, d->mini_left), 8);
        size_t have = TARN_MIN((size_t)(d->end - d->p), (size_t)w);
        if ((uint64_t)have * 8 < use * (uint64_t)w)
            return corrupt(err, "DELTA_BINARY_PACKED miniblock past the end of the page");
        uint8_t tmp[64] = {0};
        memcpy(tmp, d->p, have);
        tarn_pq_unpack64(tmp, d->buf, 1, w);
        d->p += have;
        d->buf_len = (uint32_t)TARN_MIN(d->mini_left, 8);
        d->buf_pos = 0;
        d->mini_left -= d->buf_len;
    }
    d->last = last;
    return TARN_OK;
}

const uint8_t *tarn_pq_dbp_end(const tarn_pq_dbp *d)
{
    return d->widths ? d->mini_end : d->p;
}

/* Page value decoder ---------------------------------------------------------------- */

void tarn_pq_values_init(tarn_pq_values *v)
{
    memset(v, 0, sizeof *v);
}

void tarn_pq_values_fini(tarn_pq_values *v)
{
    tarn_free(v->lens);
    tarn_free(v->prefix);
    tarn_free(v->prev);
    memset(v, 0, sizeof *v);
}

static tarn_status lens_reserve(tarn_pq_values *v, int64_t n, tarn_err *err)
{
    if (n <= v->lens_cap)
        return TARN_OK;
    int64_t cap = TARN_MAX(n, 1024);
    int64_t *a = tarn_realloc(v->lens, (size_t)cap * sizeof *a);
    if (a)
        v->lens = a;
    int64_t *b = a ? tarn_realloc(v->prefix, (size_t)cap * sizeof *b) : NULL;
    if (!a || !b)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a page");
    v->prefix = b;
    v->lens_cap = cap;
    return TARN_OK;
}

/* Reads a DELTA_BINARY_PACKED stream of lengths at v->p into v->prefix or
 * v->lens; returns the count and moves v->p past the stream. */
static tarn_status read_lengths(tarn_pq_values *v, int64_t n_values, bool into_prefix,
                                int64_t *out_n, tarn_err *err)
{
    tarn_pq_dbp d;
    TARN_TRY(tarn_pq_dbp_init(&d, v->p, (size_t)(v->end - v->p), (uint64_t)n_values, err));
    int64_t n = (int64_t)d.total;
    TARN_TRY(lens_reserve(v, n, err));
    int64_t *dst = into_prefix ? v->prefix : v->lens;
    TARN_TRY(tarn_pq_dbp_get(&d, dst, n, err));
    for (int64_t i = 0; i < n; i++)
        if (dst[i] < 0 || dst[i] > INT32_MAX)
            return corrupt(err, "negative or huge byte array length");
    v->p = tarn_pq_dbp_end(&d);
    *out_n = n;
    return TARN_OK;
}

static tarn_status start_delta_bytes(tarn_pq_values *v, int64_t n_values, tarn_err *err)
{
    int64_t n_prefix = 0, n;
    if (v->enc == TARN_PQ_ENC_DELTA_BYTE_ARRAY)
        TARN_TRY(read_lengths(v, n_values, true, &n_prefix, err));
    /* read_lengths reallocates both arrays together, so prefix survives. */
    TARN_TRY(read_lengths(v, n_values, false, &n, err));
    if (v->enc == TARN_PQ_ENC_DELTA_BYTE_ARRAY && n_prefix != n)
        return corrupt(err, "DELTA_BYTE_ARRAY prefix and suffix counts differ");
    uint64_t total = 0;
    for (int64_t i = 0; i < n; i++)
        total += (uint64_t)v->lens[i];
    if (total > (uint64_t)(v->end - v->p))
        return corrupt(err, "byte array lengths exceed the page");
    v->n_lens = n;
    v->idx = 0;
    v->prev_len = 0;
    return TARN_OK;
}

tarn_status tarn_pq_values_start(tarn_pq_values *v, tarn_pq_encoding enc, tarn_pq_type phys,
                                 int32_t width, const uint8_t *p, size_t n, int64_t n_values,
                                 tarn_err *err)
{
    v->enc = enc;
    v->phys = phys;
    v->width = width;
    v->p = p;
    v->end = p + n;
    v->left = n_values;
    v->bit = 0;
    v->idx = 0;
    v->n_lens = 0;
    bool fixed = phys != TARN_PQ_BOOLEAN && phys != TARN_PQ_BYTE_ARRAY;
    switch (enc) {
    case TARN_PQ_ENC_PLAIN:
        return TARN_OK;
    case TARN_PQ_ENC_PLAIN_DICTIONARY:
    case TARN_PQ_ENC_RLE_DICTIONARY:
        if (n == 0) {
            tarn_pq_rle_init(&v->rle, p, 0, 0);
            return TARN_OK; /* an empty page; any value request fails */
        }
        if (p[0] > 32)
            return corrupt(err, "dictionary index bit width above 32");
        tarn_pq_rle_init(&v->rle, p + 1, n - 1, p[0]);
        return TARN_OK;
    case TARN_PQ_ENC_RLE:
        if (phys != TARN_PQ_BOOLEAN)
            break;
        if (n < 4 || le32(p) > n - 4)
            return corrupt(err, "RLE boolean length prefix past the end of the page");
        tarn_pq_rle_init(&v->rle, p + 4, le32(p), 1);
        return TARN_OK;
    case TARN_PQ_ENC_DELTA_BINARY_PACKED:
        if (phys != TARN_PQ_INT32 && phys != TARN_PQ_INT64)
            break;
        return tarn_pq_dbp_init(&v->dbp, p, n, (uint64_t)n_values, err);
    case TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        if (phys != TARN_PQ_BYTE_ARRAY)
            break;
        return start_delta_bytes(v, n_values, err);
    case TARN_PQ_ENC_DELTA_BYTE_ARRAY:
        if (phys != TARN_PQ_BYTE_ARRAY && phys != TARN_PQ_FIXED_LEN_BYTE_ARRAY)
            break;
        return start_delta_bytes(v, n_values, err);
    case TARN_PQ_ENC_BYTE_STREAM_SPLIT:
        if (!fixed || phys == TARN_PQ_INT96 || width <= 0)
            break;
        if (n % (size_t)width != 0)
            return corrupt(err, "BYTE_STREAM_SPLIT data is not a whole number of values");
        v->bss_n = (int64_t)(n / (size_t)width);
        return TARN_OK;
    default:
        break;
    }
    return tarn_err_set(err, TARN_ERR_UNSUPPORTED, "encoding %s is not supported for %s values",
                        tarn_pq_encoding_name(enc), tarn_pq_type_name(phys));
}

static tarn_status take(tarn_pq_values *v, int64_t n, tarn_err *err)
{
    if (n > v->left)
        return corrupt(err, "page holds fewer values than its levels say");
    v->left -= n;
    return TARN_OK;
}

tarn_status tarn_pq_values_indices(tarn_pq_values *v, uint32_t *out, int64_t n, int64_t dict_len,
                                   tarn_err *err)
{
    TARN_TRY(take(v, n, err));
    TARN_TRY(tarn_pq_rle_get(&v->rle, out, n, err));
    uint32_t max = 0;
    for (int64_t i = 0; i < n; i++)
        max = out[i] > max ? out[i] : max;
    if (n > 0 && (int64_t)max >= dict_len)
        return corrupt(err, "dictionary index out of range");
    return TARN_OK;
}

static void bss_gather(const uint8_t *src, int64_t stride, int64_t idx, int w, uint8_t *dst,
                       int64_t n)
{
    switch (w) {
    case 4:
        for (int64_t i = 0; i < n; i++)
            for (int j = 0; j < 4; j++)
                dst[i * 4 + j] = src[j * stride + idx + i];
        return;
    case 8:
        for (int64_t i = 0; i < n; i++)
            for (int j = 0; j < 8; j++)
                dst[i * 8 + j] = src[j * stride + idx + i];
        return;
    default:
        for (int j = 0; j < w; j++)
            for (int64_t i = 0; i < n; i++)
                dst[i * w + j] = src[j * stride + idx + i];
    }
}

/* FLBA values through DELTA_BYTE_ARRAY: every value must have width bytes. */
static tarn_status delta_fixed(tarn_pq_values *v, uint8_t *dst, int64_t n, tarn_err *err)
{
    int32_t w = v->width;
    for (int64_t i = 0; i < n; i++, v->idx++) {
        int64_t pre = v->prefix[v->idx], suf = v->lens[v->idx];
        if (pre > v->prev_len || pre + suf != w)
            return corrupt(err, "DELTA_BYTE_ARRAY value of the wrong length");
        uint8_t *o = dst + i * w;
        if (pre)
            memcpy(o, v->prev, (size_t)pre);
        memcpy(o + pre, v->p, (size_t)suf);
        v->p += suf;
        if (v->prev_cap < w) {
            uint8_t *np = tarn_realloc(v->prev, (size_t)w);
            if (!np)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a page");
            v->prev = np;
            v->prev_cap = w;
        }
        memcpy(v->prev, o, (size_t)w);
        v->prev_len = w;
    }
    return TARN_OK;
}

tarn_status tarn_pq_values_fixed(tarn_pq_values *v, uint8_t *dst, int64_t n, tarn_err *err)
{
    TARN_TRY(take(v, n, err));
    int32_t w = v->width;
    switch (v->enc) {
    case TARN_PQ_ENC_PLAIN: {
        uint64_t bytes = (uint64_t)n * (uint64_t)w;
        if (bytes > (uint64_t)(v->end - v->p))
            return corrupt(err, "PLAIN values past the end of the page");
        memcpy(dst, v->p, bytes);
        v->p += bytes;
        return TARN_OK;
    }
    case TARN_PQ_ENC_DELTA_BINARY_PACKED:
        if (v->phys == TARN_PQ_INT64)
            return tarn_pq_dbp_get(&v->dbp, (int64_t *)(void *)dst, n, err);
        for (int64_t i = 0; i < n;) {
            int64_t tmp[256];
            int64_t k = TARN_MIN(n - i, (int64_t)TARN_ARRAY_LEN(tmp));
            TARN_TRY(tarn_pq_dbp_get(&v->dbp, tmp, k, err));
            int32_t *o = (int32_t *)(void *)dst + i;
            for (int64_t j = 0; j < k; j++)
                o[j] = (int32_t)(uint32_t)tmp[j];
            i += k;
        }
        return TARN_OK;
    case TARN_PQ_ENC_BYTE_STREAM_SPLIT:
        if (n > v->bss_n - v->idx)
            return corrupt(err, "BYTE_STREAM_SPLIT page holds fewer values than its levels say");
        bss_gather(v->end - v->bss_n * w, v->bss_n, v->idx, w, dst, n);
        v->idx += n;
        return TARN_OK;
    case TARN_PQ_ENC_DELTA_BYTE_ARRAY:
        if (n > v->n_lens - v->idx)
            return corrupt(err, "DELTA_BYTE_ARRAY page holds fewer values than its levels say");
        return delta_fixed(v, dst, n, err);
    default:
        return corrupt(err, "encoding cannot hold fixed-width values");
    }
}

tarn_status tarn_pq_values_bools(tarn_pq_values *v, uint8_t *dst, int64_t n, tarn_err *err)
{
    TARN_TRY(take(v, n, err));
    if (v->enc == TARN_PQ_ENC_PLAIN) {
        uint64_t bits = (uint64_t)v->bit + (uint64_t)n;
        if (bits > (uint64_t)(v->end - v->p) * 8)
            return corrupt(err, "PLAIN booleans past the end of the page");
        const uint8_t *p = v->p;
        uint64_t b = (uint64_t)v->bit;
        for (int64_t i = 0; i < n; i++, b++)
            dst[i] = (p[b >> 3] >> (b & 7)) & 1;
        v->p += b >> 3;
        v->bit = (int)(b & 7);
        return TARN_OK;
    }
    if (v->enc != TARN_PQ_ENC_RLE)
        return corrupt(err, "encoding cannot hold booleans");
    for (int64_t i = 0; i < n;) {
        uint32_t tmp[512];
        int64_t k = TARN_MIN(n - i, (int64_t)TARN_ARRAY_LEN(tmp));
        TARN_TRY(tarn_pq_rle_get(&v->rle, tmp, k, err));
        for (int64_t j = 0; j < k; j++)
            dst[i + j] = (uint8_t)(tmp[j] & 1);
        i += k;
    }
    return TARN_OK;
}

/* Room for n more byte-array values of total bytes in dst; an allocation
 * failure stays TARN_ERR_NOMEM, a batch past the int32 offsets is a limit. */
static tarn_status reserve_byte_values(tarn_vec *dst, int64_t n, uint64_t total, tarn_err *err)
{
    tarn_status st = total > INT32_MAX ? TARN_ERR_LIMIT : tarn_vec_reserve(dst, n);
    if (st == TARN_OK)
        st = tarn_vec_reserve_bytes(dst, (int64_t)total);
    if (st == TARN_ERR_NOMEM)
        return tarn_err_set(err, st, "out of memory");
    if (st != TARN_OK)
        return tarn_err_set(err, TARN_ERR_LIMIT, "byte array values too large for one batch");
    return TARN_OK;
}

static tarn_status plain_bytes(tarn_pq_values *v, tarn_vec *dst, int64_t n, tarn_err *err)
{
    /* Pass 1 validates the lengths and sizes the payload; pass 2 copies. */
    const uint8_t *p = v->p, *end = v->end;
    uint64_t total = 0;
    for (int64_t i = 0; i < n; i++) {
        if (end - p < 4)
            return corrupt(err, "PLAIN byte array length past the end of the page");
        uint32_t len = le32(p);
        if (len > (uint64_t)(end - p - 4))
            return corrupt(err, "PLAIN byte array past the end of the page");
        p += 4 + len;
        total += len;
    }
    TARN_TRY(reserve_byte_values(dst, n, total + 16, err));
    p = v->p;
    uint8_t *o = dst->bytes + dst->bytes_len;
    int32_t *off = dst->offsets + dst->len;
    int32_t pos = off[0];
    for (int64_t i = 0; i < n; i++) {
        uint32_t len = le32(p);
        /* Short values move as one 16-byte copy when the page has room. */
        if (len <= 16 && end - p >= 20)
            memcpy(o, p + 4, 16);
        else
            memcpy(o, p + 4, len);
        o += len;
        p += 4 + len;
        pos += (int32_t)len;
        off[i + 1] = pos;
    }
    v->p = p;
    dst->bytes_len += (int64_t)total;
    dst->len += n;
    return TARN_OK;
}

static tarn_status dlba_bytes(tarn_pq_values *v, tarn_vec *dst, int64_t n, tarn_err *err)
{
    uint64_t total = 0;
    for (int64_t i = 0; i < n; i++)
        total += (uint64_t)v->lens[v->idx + i];
    /* start_delta_bytes checked that all lengths fit in the page. */
    TARN_TRY(reserve_byte_values(dst, n, total, err));
    memcpy(dst->bytes + dst->bytes_len, v->p, total);
    int32_t *off = dst->offsets + dst->len;
    int32_t pos = off[0];
    for (int64_t i = 0; i < n; i++) {
        pos += (int32_t)v->lens[v->idx + i];
        off[i + 1] = pos;
    }
    v->p += total;
    v->idx += n;
    dst->bytes_len += (int64_t)total;
    dst->len += n;
    return TARN_OK;
}

static tarn_status dba_bytes(tarn_pq_values *v, tarn_vec *dst, int64_t n, tarn_err *err)
{
    /* Output sizes are known up front, so the payload never moves below. */
    uint64_t total = 0;
    for (int64_t i = 0; i < n; i++)
        total += (uint64_t)v->prefix[v->idx + i] + (uint64_t)v->lens[v->idx + i];
    TARN_TRY(reserve_byte_values(dst, n, total, err));
    const uint8_t *prev = v->prev;
    int64_t prev_len = v->prev_len;
    uint8_t *o = dst->bytes + dst->bytes_len;
    int32_t *off = dst->offsets + dst->len;
    int32_t pos = off[0];
    for (int64_t i = 0; i < n; i++) {
        int64_t pre = v->prefix[v->idx + i], suf = v->lens[v->idx + i];
        if (pre > prev_len)
            return corrupt(err, "DELTA_BYTE_ARRAY prefix longer than the previous value");
        if (pre)
            memmove(o, prev, (size_t)pre);
        memcpy(o + pre, v->p, (size_t)suf);
        v->p += suf;
        prev = o;
        prev_len = pre + suf;
        o += prev_len;
        pos += (int32_t)prev_len;
        off[i + 1] = pos;
    }
    /* Keep the last value for the next call, which may write elsewhere. */
    if (n > 0) {
        if (v->prev_cap < prev_len) {
            uint8_t *np = tarn_realloc(v->prev, (size_t)prev_len);
            if (!np)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory decoding a page");
            v->prev = np;
            v->prev_cap = prev_len;
        }
        if (prev_len > 0) /* v->prev is still NULL when every value was empty */
            memmove(v->prev, prev, (size_t)prev_len);
        v->prev_len = prev_len;
    }
    v->idx += n;
    dst->bytes_len += (int64_t)total;
    dst->len += n;
    return TARN_OK;
}

tarn_status tarn_pq_values_bytes(tarn_pq_values *v, tarn_vec *dst, int64_t n, tarn_err *err)
{
    TARN_TRY(take(v, n, err));
    switch (v->enc) {
    case TARN_PQ_ENC_PLAIN:
        return plain_bytes(v, dst, n, err);
    case TARN_PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
    case TARN_PQ_ENC_DELTA_BYTE_ARRAY:
        if (n > v->n_lens - v->idx)
            return corrupt(err, "byte array page holds fewer values than its levels say");
        return v->enc == TARN_PQ_ENC_DELTA_BYTE_ARRAY ? dba_bytes(v, dst, n, err)
                                                      : dlba_bytes(v, dst, n, err);
    default:
        return corrupt(err, "encoding cannot hold byte arrays");
    }
}

/* Conversions ------------------------------------------------------------------------- */

#define JULIAN_EPOCH_DAY INT64_C(2440588) /* Julian day number of 1970-01-01 */

int64_t tarn_pq_int96_to_micros(const uint8_t p[12])
{
    int64_t nanos;
    int32_t jd;
    memcpy(&nanos, p, 8);
    memcpy(&jd, p + 8, 4);
    uint64_t us = (uint64_t)(int64_t)jd * (uint64_t)TARN_USEC_PER_DAY + (uint64_t)(nanos / 1000) -
                  (uint64_t)JULIAN_EPOCH_DAY * (uint64_t)TARN_USEC_PER_DAY;
    return (int64_t)us;
}

float tarn_pq_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13); /* inf / NaN */
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    } else if (man == 0) {
        bits = sign; /* signed zero */
    } else {
        /* Subnormal half: normalise into a float. */
        int e = -1;
        do {
            e++;
            man <<= 1;
        } while (!(man & 0x400));
        bits = sign | ((uint32_t)(112 - e) << 23) | ((man & 0x3ff) << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

tarn_status tarn_pq_be_int(const uint8_t *p, int32_t n, tarn_i128 *out, tarn_err *err)
{
    if (n <= 0) {
        *out = 0;
        return TARN_OK;
    }
    /* Bytes beyond 16 must be pure sign extension. */
    uint8_t ext = (p[0] & 0x80) ? 0xff : 0;
    while (n > 16) {
        if (p[0] != ext)
            return corrupt(err, "decimal value wider than 128 bits");
        p++;
        n--;
    }
    tarn_u128 u = (p[0] & 0x80) ? ~(tarn_u128)0 : 0;
    for (int32_t i = 0; i < n; i++)
        u = (u << 8) | p[i];
    *out = (tarn_i128)u;
    return TARN_OK;
}

/* Loads that tolerate any alignment (statistics bytes sit anywhere). */
static inline int32_t ld32(const uint8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

static inline int64_t ld64(const uint8_t *p)
{
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}

static tarn_status be_decimals(const uint8_t *src, int32_t w, int64_t n, uint8_t *dst, bool wide,
                               tarn_err *err)
{
    for (int64_t i = 0; i < n; i++) {
        tarn_i128 x;
        TARN_TRY(tarn_pq_be_int(src + i * w, w, &x, err));
        if (wide) {
            memcpy(dst + i * 16, &x, 16);
        } else {
            if (x < INT64_MIN || x > INT64_MAX)
                return corrupt(err, "decimal value exceeds its declared precision");
            ((int64_t *)(void *)dst)[i] = (int64_t)x;
        }
    }
    return TARN_OK;
}

tarn_status tarn_pq_convert_fixed(tarn_pq_conv conv, const uint8_t *src, int32_t src_width,
                                  int64_t n, uint8_t *dst, int64_t mul, tarn_err *err)
{
    switch (conv) {
    case TARN_PQ_CONV_COPY:
        memcpy(dst, src, (size_t)n * (size_t)src_width);
        return TARN_OK;
    case TARN_PQ_CONV_I32_I8:
        for (int64_t i = 0; i < n; i++)
            ((int8_t *)dst)[i] = (int8_t)ld32(src + i * 4);
        return TARN_OK;
    case TARN_PQ_CONV_I32_I16:
        for (int64_t i = 0; i < n; i++)
            ((int16_t *)(void *)dst)[i] = (int16_t)ld32(src + i * 4);
        return TARN_OK;
    case TARN_PQ_CONV_I32_I64:
        for (int64_t i = 0; i < n; i++)
            ((int64_t *)(void *)dst)[i] = (int64_t)ld32(src + i * 4) * mul;
        return TARN_OK;
    case TARN_PQ_CONV_I32_I128:
        for (int64_t i = 0; i < n; i++) {
            tarn_i128 x = ld32(src + i * 4);
            memcpy(dst + i * 16, &x, 16);
        }
        return TARN_OK;
    case TARN_PQ_CONV_I64_MUL: {
        bool over = false;
        int64_t *d = (int64_t *)(void *)dst;
        for (int64_t i = 0; i < n; i++)
            over |= __builtin_mul_overflow(ld64(src + i * 8), mul, &d[i]);
        if (over)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "timestamp outside the range of microseconds since 1970");
        return TARN_OK;
    }
    case TARN_PQ_CONV_I64_I128:
        for (int64_t i = 0; i < n; i++) {
            tarn_i128 x = ld64(src + i * 8);
            memcpy(dst + i * 16, &x, 16);
        }
        return TARN_OK;
    case TARN_PQ_CONV_INT96_TS:
        for (int64_t i = 0; i < n; i++)
            ((int64_t *)(void *)dst)[i] = tarn_pq_int96_to_micros(src + i * 12);
        return TARN_OK;
    case TARN_PQ_CONV_F16_F32:
        for (int64_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, src + i * 2, 2);
            ((float *)(void *)dst)[i] = tarn_pq_half_to_float(h);
        }
        return TARN_OK;
    case TARN_PQ_CONV_BE_DEC64:
    case TARN_PQ_CONV_BE_DEC128:
        return be_decimals(src, src_width, n, dst, conv == TARN_PQ_CONV_BE_DEC128, err);
    default:
        return tarn_err_set(err, TARN_ERR_INTERNAL, "conversion %d is not fixed-width", (int)conv);
    }
}
