/*
 * delta/dv.c - deletion vector decoding: z85, the portable RoaringTreemap
 * (RoaringFormatSpec, "extension for 64-bit implementations") and Delta's
 * DV file framing.
 *
 * The decoder reads through a bounds-checked cursor; malformed input is
 * TARN_ERR_CORRUPT with the byte offset in the message. Rows are appended
 * in ascending order (keys, containers and values must ascend), which lets
 * the scan find a batch's deleted rows by binary search.
 */
#include "delta/dv.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/hash.h"

#include <stdio.h>
#include <string.h>

#define SERIAL_COOKIE_NO_RUN 12346u
#define SERIAL_COOKIE        12347u
#define NO_OFFSET_THRESHOLD  4
#define ARRAY_MAX            4096

/* Digit value of a z85 character, or -1. */
static int z85_digit(char ch)
{
    static const char specials[] = ".-:+=^!/*?&<>()[]{}@%$#";
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A' + 36;
    const char *p = ch ? strchr(specials, ch) : NULL;
    return p ? (int)(p - specials) + 62 : -1;
}

tarn_status tarn_delta_z85_decode(const char *s, size_t n, uint8_t *out, tarn_err *err)
{
    if (n % 5 != 0)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "z85 text of %zu characters is not a multiple of 5", n);
    for (size_t i = 0; i < n; i += 5) {
        uint64_t v = 0;
        for (int k = 0; k < 5; k++) {
            int d = z85_digit(s[i + (size_t)k]);
            if (d < 0)
                return tarn_err_set(err, TARN_ERR_CORRUPT,
                                    "invalid z85 character '%c' at position %zu", s[i + (size_t)k],
                                    i + (size_t)k);
            v = v * 85 + (uint64_t)d;
        }
        if (v > UINT32_MAX)
            return tarn_err_set(err, TARN_ERR_CORRUPT, "z85 group at position %zu overflows", i);
        uint8_t *o = out + i / 5 * 4;
        o[0] = (uint8_t)(v >> 24);
        o[1] = (uint8_t)(v >> 16);
        o[2] = (uint8_t)(v >> 8);
        o[3] = (uint8_t)v;
    }
    return TARN_OK;
}

/* Bounds-checked little-endian cursor over the serialized bitmap. */
typedef struct cursor {
    const uint8_t *p; /* bytes */
    size_t n;         /* byte count */
    size_t pos;       /* next byte to read */
    tarn_err *err;    /* failures */
} cursor;

static tarn_status short_input(cursor *c, size_t want)
{
    return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                        "deletion vector truncated: need %zu bytes at offset %zu of %zu", want,
                        c->pos, c->n);
}

static tarn_status rd(cursor *c, size_t w, uint64_t *out)
{
    *out = 0;
    if (c->n - c->pos < w)
        return short_input(c, w);
    uint64_t v = 0;
    for (size_t i = 0; i < w; i++)
        v |= (uint64_t)c->p[c->pos + i] << (8 * i);
    c->pos += w;
    *out = v;
    return TARN_OK;
}

/* Output rows with the invariants (ascending, below max_rows). */
typedef struct row_sink {
    tarn_delta_dv_rows *out; /* destination */
    int64_t cap;             /* allocated entries */
    uint64_t max_rows;       /* exclusive bound */
    tarn_err *err;           /* failures */
} row_sink;

static tarn_status sink_put(row_sink *s, uint64_t row)
{
    tarn_delta_dv_rows *o = s->out;
    if (row >= s->max_rows)
        return tarn_err_set(s->err, TARN_ERR_CORRUPT,
                            "deletion vector deletes row %llu but the file has %llu rows",
                            (unsigned long long)row, (unsigned long long)s->max_rows);
    if (o->n > 0 && row <= o->rows[o->n - 1])
        return tarn_err_set(s->err, TARN_ERR_CORRUPT,
                            "deletion vector rows are not in ascending order (%llu after %llu)",
                            (unsigned long long)row, (unsigned long long)o->rows[o->n - 1]);
    if (o->n == s->cap) {
        int64_t ncap = s->cap ? s->cap * 2 : 256;
        uint64_t *r = tarn_realloc(o->rows, (size_t)ncap * sizeof *r);
        if (!r)
            return tarn_err_set(s->err, TARN_ERR_NOMEM, "out of memory");
        o->rows = r;
        s->cap = ncap;
    }
    o->rows[o->n++] = row;
    return TARN_OK;
}

/* One container's values; base = (high32 << 32) | (key16 << 16). */
static tarn_status read_container(cursor *c, row_sink *s, uint64_t base, bool is_run, uint32_t card)
{
    uint64_t x, y;
    if (is_run) {
        TARN_TRY(rd(c, 2, &x));
        uint32_t got = 0;
        for (uint64_t r = 0; r < x; r++) {
            TARN_TRY(rd(c, 2, &y));
            uint64_t start = y;
            TARN_TRY(rd(c, 2, &y));
            if (start + y > 0xFFFF)
                return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                                    "deletion vector run container overflows its 16-bit range");
            for (uint64_t v = start; v <= start + y; v++)
                TARN_TRY(sink_put(s, base | v));
            got += (uint32_t)y + 1;
        }
        if (got != card)
            return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                                "deletion vector run container holds %u values, header says %u",
                                got, card);
        return TARN_OK;
    }
    if (card <= ARRAY_MAX) {
        for (uint32_t i = 0; i < card; i++) {
            TARN_TRY(rd(c, 2, &x));
            TARN_TRY(sink_put(s, base | x));
        }
        return TARN_OK;
    }
    uint32_t got = 0;
    for (uint32_t w = 0; w < 1024; w++) {
        TARN_TRY(rd(c, 8, &x));
        while (x) {
            int b = __builtin_ctzll(x);
            TARN_TRY(sink_put(s, base | ((uint64_t)w * 64 + (uint64_t)b)));
            x &= x - 1;
            got++;
        }
    }
    if (got != card)
        return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                            "deletion vector bitmap container holds %u values, header says %u", got,
                            card);
    return TARN_OK;
}

/* One 32-bit Roaring bitmap in the portable format, values ORed with high. */
static tarn_status read_roaring32(cursor *c, row_sink *s, uint64_t high)
{
    uint64_t cookie, x;
    TARN_TRY(rd(c, 4, &cookie));
    uint32_t n;
    size_t runs_at = 0;
    bool has_run = (cookie & 0xFFFF) == SERIAL_COOKIE;
    if (has_run) {
        n = (uint32_t)(cookie >> 16) + 1;
        runs_at = c->pos;
        if (c->n - c->pos < (n + 7) / 8)
            return short_input(c, (n + 7) / 8);
        c->pos += (n + 7) / 8;
    } else if (cookie == SERIAL_COOKIE_NO_RUN) {
        TARN_TRY(rd(c, 4, &x));
        if (x > 65536)
            return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                                "deletion vector bitmap claims %llu containers",
                                (unsigned long long)x);
        n = (uint32_t)x;
    } else {
        return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                            "deletion vector bitmap has an unknown cookie %llu at offset %zu",
                            (unsigned long long)cookie, c->pos - 4);
    }
    size_t hdr = c->pos;
    if (c->n - c->pos < (size_t)n * 4)
        return short_input(c, (size_t)n * 4);
    c->pos += (size_t)n * 4;
    if (!has_run || n >= NO_OFFSET_THRESHOLD) {
        if (c->n - c->pos < (size_t)n * 4)
            return short_input(c, (size_t)n * 4);
        c->pos += (size_t)n * 4; /* offsets: containers follow in order anyway */
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *h = c->p + hdr + (size_t)i * 4;
        uint32_t key = (uint32_t)h[0] | (uint32_t)h[1] << 8;
        uint32_t card = ((uint32_t)h[2] | (uint32_t)h[3] << 8) + 1;
        bool is_run = has_run && ((c->p[runs_at + i / 8] >> (i % 8)) & 1);
        TARN_TRY(read_container(c, s, (high << 32) | ((uint64_t)key << 16), is_run, card));
    }
    return TARN_OK;
}

/* Delta's older "native" RoaringBitmapArray layout: a 4-byte bitmap count,
 * then per bitmap a 4-byte size and a 32-bit Roaring bitmap whose high key
 * is its index. The integers are big-endian in the PROTOCOL.md example and
 * little-endian in newer writers; be says which. */
static tarn_status read_native(cursor *c, row_sink *s, bool be)
{
    uint64_t count, size;
    TARN_TRY(rd(c, 4, &count));
    if (be)
        count = __builtin_bswap32((uint32_t)count);
    if (count > (c->n - c->pos) / 8)
        return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                            "deletion vector claims %llu bitmaps in %zu bytes",
                            (unsigned long long)count, c->n);
    for (uint64_t i = 0; i < count; i++) {
        TARN_TRY(rd(c, 4, &size));
        if (be)
            size = __builtin_bswap32((uint32_t)size);
        size_t end = c->pos + (size_t)size;
        if (size > c->n - c->pos)
            return short_input(c, (size_t)size);
        TARN_TRY(read_roaring32(c, s, i));
        if (c->pos != end)
            return tarn_err_set(c->err, TARN_ERR_CORRUPT,
                                "deletion vector bitmap %llu is %zu bytes, its header says %llu",
                                (unsigned long long)i, c->pos - (end - (size_t)size),
                                (unsigned long long)size);
    }
    return TARN_OK;
}

tarn_status tarn_delta_dv_decode(const uint8_t *p, size_t n, uint64_t max_rows,
                                 tarn_delta_dv_rows *out, tarn_err *err)
{
    out->n = 0;
    out->rows = NULL;
    cursor c = {p, n, 0, err};
    row_sink s = {out, 0, max_rows, err};
    uint64_t magic, buckets, key;
    tarn_status st = rd(&c, 4, &magic);
    if (st != TARN_OK)
        goto done;
    if (magic == TARN_DELTA_DV_MAGIC_NATIVE ||
        __builtin_bswap32((uint32_t)magic) == TARN_DELTA_DV_MAGIC_NATIVE) {
        st = read_native(&c, &s, magic != TARN_DELTA_DV_MAGIC_NATIVE);
        goto done;
    }
    if (magic != TARN_DELTA_DV_MAGIC) {
        st = tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                          "deletion vector format with magic number %llu is not supported "
                          "(expected %u)",
                          (unsigned long long)magic, TARN_DELTA_DV_MAGIC);
        goto done;
    }
    if ((st = rd(&c, 8, &buckets)) != TARN_OK)
        goto done;
    if (buckets > (n - c.pos) / 12) { /* each bucket needs at least key + cookie + count */
        st = tarn_err_set(err, TARN_ERR_CORRUPT, "deletion vector claims %llu buckets in %zu bytes",
                          (unsigned long long)buckets, n);
        goto done;
    }
    for (uint64_t b = 0; b < buckets; b++) {
        if ((st = rd(&c, 4, &key)) != TARN_OK)
            goto done;
        if ((st = read_roaring32(&c, &s, key)) != TARN_OK)
            goto done;
    }
done:
    if (st != TARN_OK)
        tarn_delta_dv_rows_fini(out);
    return st;
}

void tarn_delta_dv_rows_fini(tarn_delta_dv_rows *r)
{
    if (!r)
        return;
    tarn_free(r->rows);
    r->rows = NULL;
    r->n = 0;
}

int64_t tarn_delta_dv_rows_lower_bound(const tarn_delta_dv_rows *r, uint64_t pos)
{
    int64_t lo = 0, hi = r->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (r->rows[mid] < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

char *tarn_delta_dv_unique_id(tarn_arena *a, const tarn_delta_dv *dv)
{
    if (dv->has_offset)
        return tarn_arena_printf(a, "%c%s@%d", dv->storage_type, dv->path_or_inline,
                                 (int)dv->offset);
    return tarn_arena_printf(a, "%c%s", dv->storage_type, dv->path_or_inline);
}

tarn_status tarn_delta_dv_path(tarn_arena *a, const char *table_root, const tarn_delta_dv *dv,
                               char **out, tarn_err *err)
{
    *out = NULL;
    if (dv->storage_type == 'p')
        return tarn_delta_path_resolve(a, table_root, dv->path_or_inline, out, err);
    if (dv->storage_type != 'u')
        return tarn_err_set(err, TARN_ERR_INVALID, "an inline deletion vector has no file");
    size_t len = strlen(dv->path_or_inline);
    if (len < 20)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "deletion vector path '%s' is shorter than a z85 UUID",
                            dv->path_or_inline);
    uint8_t u[16];
    TARN_TRY(tarn_delta_z85_decode(dv->path_or_inline + len - 20, 20, u, err));
    char uuid[37];
    snprintf(uuid, sizeof uuid,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
             u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
    int plen = (int)(len - 20);
    if (plen > 0)
        *out = tarn_arena_printf(a, "%s/%.*s/deletion_vector_%s.bin", table_root, plen,
                                 dv->path_or_inline, uuid);
    else
        *out = tarn_arena_printf(a, "%s/deletion_vector_%s.bin", table_root, uuid);
    return *out ? TARN_OK : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Reads the framed bitmap of a DV stored in a file into *out_bytes (heap). */
static tarn_status read_dv_file(const char *path, const tarn_delta_dv *dv, uint8_t **out_bytes,
                                tarn_err *err)
{
    tarn_rfile f = {-1, 0, NULL};
    uint8_t hdr[4], ver;
    uint8_t *data = NULL;
    tarn_status st = tarn_rfile_open(&f, path, err);
    if (st != TARN_OK)
        goto done;
    /* The offset points at the DV's size field; byte 0 is the file version. */
    int64_t off = dv->has_offset ? dv->offset : 1;
    if (off < 1 || dv->size_in_bytes < 0 || off + 8 + (int64_t)dv->size_in_bytes > f.size) {
        st = tarn_err_set(err, TARN_ERR_CORRUPT,
                          "deletion vector at offset %lld (%d bytes) lies outside the %lld-byte "
                          "file",
                          (long long)off, (int)dv->size_in_bytes, (long long)f.size);
        goto done;
    }
    if ((st = tarn_rfile_pread(&f, 0, &ver, 1, err)) != TARN_OK)
        goto done;
    if (ver != 1) {
        st = tarn_err_set(err, TARN_ERR_UNSUPPORTED, "deletion vector file version %d (expected 1)",
                          (int)ver);
        goto done;
    }
    if ((st = tarn_rfile_pread(&f, off, hdr, 4, err)) != TARN_OK)
        goto done;
    if (be32(hdr) != (uint32_t)dv->size_in_bytes) {
        st = tarn_err_set(err, TARN_ERR_CORRUPT,
                          "deletion vector at offset %lld has size %u, the log says %d",
                          (long long)off, be32(hdr), (int)dv->size_in_bytes);
        goto done;
    }
    data = tarn_alloc((size_t)dv->size_in_bytes + 1);
    if (!data) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((st = tarn_rfile_pread(&f, off + 4, data, (size_t)dv->size_in_bytes, err)) != TARN_OK)
        goto done;
    if ((st = tarn_rfile_pread(&f, off + 4 + dv->size_in_bytes, hdr, 4, err)) != TARN_OK)
        goto done;
    uint32_t crc = tarn_crc32(0, data, (size_t)dv->size_in_bytes);
    if (crc != be32(hdr)) {
        st = tarn_err_set(err, TARN_ERR_CORRUPT,
                          "deletion vector at offset %lld fails its CRC-32 check (%08x != %08x)",
                          (long long)off, crc, be32(hdr));
        goto done;
    }
done:
    if (st != TARN_OK) {
        tarn_free(data);
        data = NULL;
        tarn_err_at_path(err, path);
    }
    tarn_rfile_close(&f);
    *out_bytes = data;
    return st;
}

tarn_status tarn_delta_dv_load(const char *table_root, const tarn_delta_dv *dv, uint64_t max_rows,
                               tarn_delta_dv_rows *out, tarn_err *err)
{
    out->n = 0;
    out->rows = NULL;
    uint8_t *bytes = NULL;
    tarn_arena *a = tarn_arena_create(1024);
    tarn_status st = TARN_OK;
    if (!a)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (dv->size_in_bytes < 0) {
        st = tarn_err_set(err, TARN_ERR_CORRUPT, "deletion vector size %d is negative",
                          (int)dv->size_in_bytes);
        goto done;
    }
    if (dv->storage_type == 'i') {
        size_t tl = strlen(dv->path_or_inline);
        size_t cap = tl / 5 * 4;
        if ((size_t)dv->size_in_bytes > cap) {
            st = tarn_err_set(err, TARN_ERR_CORRUPT,
                              "inline deletion vector of %zu characters cannot hold %d bytes", tl,
                              (int)dv->size_in_bytes);
            goto done;
        }
        bytes = tarn_alloc(cap + 1);
        if (!bytes) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            goto done;
        }
        if ((st = tarn_delta_z85_decode(dv->path_or_inline, tl, bytes, err)) != TARN_OK)
            goto done;
    } else {
        char *path;
        if ((st = tarn_delta_dv_path(a, table_root, dv, &path, err)) != TARN_OK)
            goto done;
        if ((st = read_dv_file(path, dv, &bytes, err)) != TARN_OK)
            goto done;
    }
    if ((st = tarn_delta_dv_decode(bytes, (size_t)dv->size_in_bytes, max_rows, out, err)) !=
        TARN_OK)
        goto done;
    if (out->n != dv->cardinality)
        st = tarn_err_set(err, TARN_ERR_CORRUPT,
                          "deletion vector holds %lld rows, the log says cardinality %lld",
                          (long long)out->n, (long long)dv->cardinality);
done:
    if (st != TARN_OK)
        tarn_delta_dv_rows_fini(out);
    tarn_free(bytes);
    tarn_arena_destroy(a);
    return st;
}
