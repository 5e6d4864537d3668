/*
 * parquet/thrift.c - Thrift compact protocol reader and writer.
 *
 * Field header byte: high nibble = id delta (1..15) or 0 followed by a zigzag
 * i16 id; low nibble = type. Integers are zigzag varints, doubles 8 bytes
 * little-endian, binaries a varint length plus bytes. List header: size in
 * the high nibble (15 = varint size follows) and element type low.
 */
#include "parquet/thrift.h"

#include <string.h>

void tarn_thrift_reader_init(tarn_thrift_reader *r, const void *p, size_t n, int64_t base_offset,
                             tarn_err *err)
{
    r->start = p;
    r->p = p;
    r->end = r->start + n;
    r->base_offset = base_offset;
    r->depth = 0;
    r->err = err;
}

tarn_status tarn_thrift_corrupt(tarn_thrift_reader *r, const char *what)
{
    tarn_err_set(r->err, TARN_ERR_CORRUPT, "malformed Thrift metadata: %s", what);
    return tarn_err_at_offset(r->err, r->base_offset + (int64_t)(r->p - r->start));
}

static tarn_status read_varint(tarn_thrift_reader *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return tarn_thrift_corrupt(r, "truncated varint");
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return TARN_OK;
        }
    }
    return tarn_thrift_corrupt(r, "varint longer than 10 bytes");
}

static inline int64_t unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

tarn_status tarn_thrift_read_i64(tarn_thrift_reader *r, int64_t *out)
{
    uint64_t v;
    TARN_TRY(read_varint(r, &v));
    *out = unzigzag(v);
    return TARN_OK;
}

tarn_status tarn_thrift_read_i32(tarn_thrift_reader *r, int32_t *out)
{
    int64_t v;
    TARN_TRY(tarn_thrift_read_i64(r, &v));
    if (v < INT32_MIN || v > INT32_MAX)
        return tarn_thrift_corrupt(r, "i32 out of range");
    *out = (int32_t)v;
    return TARN_OK;
}

tarn_status tarn_thrift_read_i16(tarn_thrift_reader *r, int16_t *out)
{
    int64_t v;
    TARN_TRY(tarn_thrift_read_i64(r, &v));
    if (v < INT16_MIN || v > INT16_MAX)
        return tarn_thrift_corrupt(r, "i16 out of range");
    *out = (int16_t)v;
    return TARN_OK;
}

tarn_status tarn_thrift_read_byte(tarn_thrift_reader *r, int8_t *out)
{
    if (r->p >= r->end)
        return tarn_thrift_corrupt(r, "truncated byte");
    *out = (int8_t)*r->p++;
    return TARN_OK;
}

tarn_status tarn_thrift_read_double(tarn_thrift_reader *r, double *out)
{
    if (r->end - r->p < 8)
        return tarn_thrift_corrupt(r, "truncated double");
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--)
        u = (u << 8) | r->p[i];
    memcpy(out, &u, 8);
    r->p += 8;
    return TARN_OK;
}

tarn_status tarn_thrift_read_binary(tarn_thrift_reader *r, const uint8_t **out, int32_t *out_len)
{
    uint64_t n;
    TARN_TRY(read_varint(r, &n));
    if (n > (uint64_t)(r->end - r->p))
        return tarn_thrift_corrupt(r, "binary length past the end of the buffer");
    *out = r->p;
    *out_len = (int32_t)n;
    r->p += n;
    return TARN_OK;
}

tarn_status tarn_thrift_read_bool_elem(tarn_thrift_reader *r, bool *out)
{
    if (r->p >= r->end)
        return tarn_thrift_corrupt(r, "truncated boolean");
    uint8_t b = *r->p++;
    *out = b == 1;
    return TARN_OK;
}

tarn_status tarn_thrift_read_field(tarn_thrift_reader *r, int16_t *last_id, int16_t *out_id,
                                   uint8_t *out_type)
{
    if (r->p >= r->end)
        return tarn_thrift_corrupt(r, "truncated struct (no STOP)");
    uint8_t b = *r->p++;
    uint8_t type = b & 0x0f;
    if (type == TARN_THRIFT_STOP) {
        *out_type = TARN_THRIFT_STOP;
        *out_id = 0;
        return TARN_OK;
    }
    if (type > TARN_THRIFT_STRUCT)
        return tarn_thrift_corrupt(r, "unknown field type");
    uint8_t delta = b >> 4;
    if (delta) {
        *out_id = (int16_t)(*last_id + delta);
    } else {
        TARN_TRY(tarn_thrift_read_i16(r, out_id));
    }
    *last_id = *out_id;
    *out_type = type;
    return TARN_OK;
}

tarn_status tarn_thrift_read_list(tarn_thrift_reader *r, uint8_t *out_elem_type, int32_t *out_n,
                                  int32_t max)
{
    if (r->p >= r->end)
        return tarn_thrift_corrupt(r, "truncated list header");
    uint8_t b = *r->p++;
    uint64_t n = b >> 4;
    if (n == 15)
        TARN_TRY(read_varint(r, &n));
    *out_elem_type = b & 0x0f;
    if (n > (uint64_t)max)
        return tarn_thrift_corrupt(r, "list longer than tarn's limit");
    /* Every element takes at least one byte. */
    if (n > (uint64_t)(r->end - r->p))
        return tarn_thrift_corrupt(r, "list longer than the remaining bytes");
    *out_n = (int32_t)n;
    return TARN_OK;
}

tarn_status tarn_thrift_enter(tarn_thrift_reader *r)
{
    if (++r->depth > TARN_THRIFT_MAX_DEPTH)
        return tarn_thrift_corrupt(r, "nesting too deep");
    return TARN_OK;
}

tarn_status tarn_thrift_skip(tarn_thrift_reader *r, uint8_t type)
{
    int64_t i64;
    const uint8_t *p;
    int32_t n;
    switch (type) {
    case TARN_THRIFT_TRUE:
    case TARN_THRIFT_FALSE:
        return TARN_OK; /* value is in the field header */
    case TARN_THRIFT_BYTE:
        if (r->p >= r->end)
            return tarn_thrift_corrupt(r, "truncated byte");
        r->p++;
        return TARN_OK;
    case TARN_THRIFT_I16:
    case TARN_THRIFT_I32:
    case TARN_THRIFT_I64:
        return tarn_thrift_read_i64(r, &i64);
    case TARN_THRIFT_DOUBLE:
        if (r->end - r->p < 8)
            return tarn_thrift_corrupt(r, "truncated double");
        r->p += 8;
        return TARN_OK;
    case TARN_THRIFT_BINARY:
        return tarn_thrift_read_binary(r, &p, &n);
    case TARN_THRIFT_LIST:
    case TARN_THRIFT_SET: {
        uint8_t et;
        TARN_TRY(tarn_thrift_read_list(r, &et, &n, INT32_MAX));
        TARN_TRY(tarn_thrift_enter(r));
        for (int32_t i = 0; i < n; i++) {
            if (et == TARN_THRIFT_TRUE || et == TARN_THRIFT_FALSE)
                TARN_TRY(tarn_thrift_skip(r, TARN_THRIFT_BYTE));
            else
                TARN_TRY(tarn_thrift_skip(r, et));
        }
        tarn_thrift_leave(r);
        return TARN_OK;
    }
    case TARN_THRIFT_MAP: {
        uint64_t cnt;
        TARN_TRY(read_varint(r, &cnt));
        if (cnt == 0)
            return TARN_OK;
        if (r->p >= r->end)
            return tarn_thrift_corrupt(r, "truncated map header");
        uint8_t kv = *r->p++;
        if (cnt > (uint64_t)(r->end - r->p))
            return tarn_thrift_corrupt(r, "map longer than the remaining bytes");
        TARN_TRY(tarn_thrift_enter(r));
        for (uint64_t i = 0; i < cnt; i++) {
            uint8_t kt = kv >> 4, vt = kv & 15;
            TARN_TRY(tarn_thrift_skip(r, kt == TARN_THRIFT_TRUE ? TARN_THRIFT_BYTE : kt));
            TARN_TRY(tarn_thrift_skip(r, vt == TARN_THRIFT_TRUE ? TARN_THRIFT_BYTE : vt));
        }
        tarn_thrift_leave(r);
        return TARN_OK;
    }
    case TARN_THRIFT_STRUCT: {
        TARN_TRY(tarn_thrift_enter(r));
        int16_t last = 0, id;
        uint8_t ft;
        for (;;) {
            TARN_TRY(tarn_thrift_read_field(r, &last, &id, &ft));
            if (ft == TARN_THRIFT_STOP)
                break;
            TARN_TRY(tarn_thrift_skip(r, ft));
        }
        tarn_thrift_leave(r);
        return TARN_OK;
    }
    default:
        return tarn_thrift_corrupt(r, "unknown type to skip");
    }
}

/* Writer ------------------------------------------------------------------- */

void tarn_thrift_writer_init(tarn_thrift_writer *w, tarn_buf *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

static void put_byte(tarn_thrift_writer *w, uint8_t b)
{
    if (w->st == TARN_OK)
        w->st = tarn_buf_append(w->out, &b, 1);
}

void tarn_thrift_write_varint(tarn_thrift_writer *w, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    if (w->st == TARN_OK)
        w->st = tarn_buf_append(w->out, tmp, (size_t)n);
}

static void put_zigzag(tarn_thrift_writer *w, int64_t v)
{
    tarn_thrift_write_varint(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void field_header(tarn_thrift_writer *w, int16_t id, uint8_t type)
{
    if (w->depth <= 0) {
        w->st = w->st ? w->st : TARN_ERR_INTERNAL;
        return;
    }
    int16_t *last = &w->last_id[w->depth - 1];
    int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        put_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        put_byte(w, type);
        put_zigzag(w, id);
    }
    *last = id;
}

void tarn_thrift_struct_begin(tarn_thrift_writer *w)
{
    if (w->depth >= TARN_THRIFT_MAX_DEPTH) {
        w->st = w->st ? w->st : TARN_ERR_INTERNAL;
        return;
    }
    w->last_id[w->depth++] = 0;
}

void tarn_thrift_struct_end(tarn_thrift_writer *w)
{
    put_byte(w, TARN_THRIFT_STOP);
    if (w->depth > 0)
        w->depth--;
}

void tarn_thrift_field_struct_begin(tarn_thrift_writer *w, int16_t id)
{
    field_header(w, id, TARN_THRIFT_STRUCT);
    tarn_thrift_struct_begin(w);
}

void tarn_thrift_field_bool(tarn_thrift_writer *w, int16_t id, bool v)
{
    field_header(w, id, v ? TARN_THRIFT_TRUE : TARN_THRIFT_FALSE);
}

void tarn_thrift_field_byte(tarn_thrift_writer *w, int16_t id, int8_t v)
{
    field_header(w, id, TARN_THRIFT_BYTE);
    put_byte(w, (uint8_t)v);
}

void tarn_thrift_field_i16(tarn_thrift_writer *w, int16_t id, int16_t v)
{
    field_header(w, id, TARN_THRIFT_I16);
    put_zigzag(w, v);
}

void tarn_thrift_field_i32(tarn_thrift_writer *w, int16_t id, int32_t v)
{
    field_header(w, id, TARN_THRIFT_I32);
    put_zigzag(w, v);
}

void tarn_thrift_field_i64(tarn_thrift_writer *w, int16_t id, int64_t v)
{
    field_header(w, id, TARN_THRIFT_I64);
    put_zigzag(w, v);
}

void tarn_thrift_field_double(tarn_thrift_writer *w, int16_t id, double v)
{
    field_header(w, id, TARN_THRIFT_DOUBLE);
    uint64_t u;
    memcpy(&u, &v, 8);
    for (int i = 0; i < 8; i++)
        put_byte(w, (uint8_t)(u >> (8 * i)));
}

void tarn_thrift_binary_elem(tarn_thrift_writer *w, const void *p, size_t n)
{
    tarn_thrift_write_varint(w, n);
    if (w->st == TARN_OK && n)
        w->st = tarn_buf_append(w->out, p, n);
}

void tarn_thrift_field_binary(tarn_thrift_writer *w, int16_t id, const void *p, size_t n)
{
    field_header(w, id, TARN_THRIFT_BINARY);
    tarn_thrift_binary_elem(w, p, n);
}

void tarn_thrift_field_string(tarn_thrift_writer *w, int16_t id, const char *s)
{
    tarn_thrift_field_binary(w, id, s, strlen(s));
}

void tarn_thrift_field_list(tarn_thrift_writer *w, int16_t id, uint8_t elem_type, int32_t n)
{
    field_header(w, id, TARN_THRIFT_LIST);
    if (n < 15) {
        put_byte(w, (uint8_t)(n << 4 | elem_type));
    } else {
        put_byte(w, (uint8_t)(0xf0 | elem_type));
        tarn_thrift_write_varint(w, (uint64_t)n);
    }
}

void tarn_thrift_i32_elem(tarn_thrift_writer *w, int32_t v)
{
    put_zigzag(w, v);
}

void tarn_thrift_i64_elem(tarn_thrift_writer *w, int64_t v)
{
    put_zigzag(w, v);
}
