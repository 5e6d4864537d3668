/*
 * column/render.c - canonical JSON and text rendering of column values.
 */
#include "column/render.h"

#include "base/alloc.h"

#include "column/value.h"

#include <string.h>

static const char hexd[] = "0123456789abcdef";

static tarn_status put_hex(tarn_buf *out, const uint8_t *p, int32_t n, bool quote)
{
    TARN_TRY(tarn_buf_reserve(out, (size_t)n * 2 + 2));
    char *o = out->data + out->len;
    if (quote)
        *o++ = '"';
    for (int32_t i = 0; i < n; i++) {
        *o++ = hexd[p[i] >> 4];
        *o++ = hexd[p[i] & 15];
    }
    if (quote)
        *o++ = '"';
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
    return TARN_OK;
}

/* Formats a scalar into tmp; returns its length, sets *quote when JSON needs
 * quotes around it. Returns -1 for varlen/nested (handled by the caller). */
static int fmt_scalar(const tarn_vec *v, int64_t row, char *tmp, bool *quote)
{
    *quote = false;
    const uint8_t *d = v->data;
    switch (v->type.id) {
    case TARN_TYPE_BOOL:
        return (int)(tarn_bit_get(d, row) ? (memcpy(tmp, "true", 5), 4)
                                          : (memcpy(tmp, "false", 6), 5));
    case TARN_TYPE_INT8:
        return tarn_fmt_i64(((const int8_t *)d)[row], tmp);
    case TARN_TYPE_INT16:
        return tarn_fmt_i64(((const int16_t *)d)[row], tmp);
    case TARN_TYPE_INT32:
        return tarn_fmt_i64(((const int32_t *)d)[row], tmp);
    case TARN_TYPE_INT64:
        return tarn_fmt_i64(((const int64_t *)d)[row], tmp);
    case TARN_TYPE_UINT8:
        return tarn_fmt_u64(((const uint8_t *)d)[row], tmp);
    case TARN_TYPE_UINT16:
        return tarn_fmt_u64(((const uint16_t *)d)[row], tmp);
    case TARN_TYPE_UINT32:
        return tarn_fmt_u64(((const uint32_t *)d)[row], tmp);
    case TARN_TYPE_UINT64:
        return tarn_fmt_u64(((const uint64_t *)d)[row], tmp);
    case TARN_TYPE_FLOAT32: {
        float f = ((const float *)d)[row];
        *quote = f != f || f - f != 0;
        return tarn_fmt_float(f, tmp);
    }
    case TARN_TYPE_FLOAT64: {
        double f = ((const double *)d)[row];
        *quote = f != f || f - f != 0;
        return tarn_fmt_double(f, tmp);
    }
    case TARN_TYPE_DECIMAL:
        *quote = true;
        return tarn_fmt_decimal(tarn_vec_get_decimal(v, row), v->type.scale, tmp);
    case TARN_TYPE_UUID:
        *quote = true;
        return tarn_fmt_uuid(d + row * 16, tmp);
    case TARN_TYPE_DATE:
        *quote = true;
        return tarn_fmt_date(((const int32_t *)d)[row], tmp);
    case TARN_TYPE_TIME:
        *quote = true;
        return tarn_fmt_time(((const int64_t *)d)[row], tmp);
    case TARN_TYPE_TIMESTAMP:
        *quote = true;
        return tarn_fmt_timestamp(((const int64_t *)d)[row], true, tmp);
    case TARN_TYPE_TIMESTAMP_NTZ:
        *quote = true;
        return tarn_fmt_timestamp(((const int64_t *)d)[row], false, tmp);
    case TARN_TYPE_TIMESTAMP_NS:
        *quote = true;
        return tarn_fmt_timestamp_ns(((const int64_t *)d)[row], tmp);
    default:
        return -1;
    }
}

static tarn_status render_map(tarn_buf *out, const tarn_field *f, const tarn_vec *v, int64_t row)
{
    TARN_TRY(tarn_buf_append_char(out, '['));
    for (int32_t k = v->offsets[row]; k < v->offsets[row + 1]; k++) {
        TARN_TRY(tarn_buf_append_str(out, k > v->offsets[row] ? ",{\"key\":" : "{\"key\":"));
        TARN_TRY(tarn_render_json_value(out, &f->children[0], v->children[0], k));
        TARN_TRY(tarn_buf_append_str(out, ",\"value\":"));
        TARN_TRY(tarn_render_json_value(out, &f->children[1], v->children[1], k));
        TARN_TRY(tarn_buf_append_char(out, '}'));
    }
    return tarn_buf_append_char(out, ']');
}

tarn_status tarn_render_json_value(tarn_buf *out, const tarn_field *f, const tarn_vec *v,
                                   int64_t row)
{
    if (!tarn_vec_is_valid(v, row))
        return tarn_buf_append(out, "null", 4);
    char tmp[TARN_FMT_MAX];
    bool quote;
    int n = fmt_scalar(v, row, tmp, &quote);
    if (n >= 0) {
        TARN_TRY(tarn_buf_reserve(out, (size_t)n + 2));
        if (quote)
            tarn_buf_put_unchecked(out, "\"", 1);
        tarn_buf_put_unchecked(out, tmp, (size_t)n);
        if (quote)
            tarn_buf_put_unchecked(out, "\"", 1);
        out->data[out->len] = '\0';
        return TARN_OK;
    }
    int32_t len;
    switch (v->type.id) {
    case TARN_TYPE_STRING: {
        const uint8_t *p = tarn_vec_get_bytes(v, row, &len);
        return tarn_buf_append_json_str(out, (const char *)p, (size_t)len);
    }
    case TARN_TYPE_BINARY: {
        const uint8_t *p = tarn_vec_get_bytes(v, row, &len);
        return put_hex(out, p, len, true);
    }
    case TARN_TYPE_STRUCT:
        TARN_TRY(tarn_buf_append_char(out, '{'));
        for (int i = 0; i < v->n_children; i++) {
            if (i)
                TARN_TRY(tarn_buf_append_char(out, ','));
            const char *nm = f->children[i].name;
            TARN_TRY(tarn_buf_append_json_str(out, nm, strlen(nm)));
            TARN_TRY(tarn_buf_append_char(out, ':'));
            TARN_TRY(tarn_render_json_value(out, &f->children[i], v->children[i], row));
        }
        return tarn_buf_append_char(out, '}');
    case TARN_TYPE_LIST:
        TARN_TRY(tarn_buf_append_char(out, '['));
        for (int32_t k = v->offsets[row]; k < v->offsets[row + 1]; k++) {
            if (k > v->offsets[row])
                TARN_TRY(tarn_buf_append_char(out, ','));
            TARN_TRY(tarn_render_json_value(out, &f->children[0], v->children[0], k));
        }
        return tarn_buf_append_char(out, ']');
    case TARN_TYPE_MAP:
        return render_map(out, f, v, row);
    default:
        return tarn_buf_append(out, "null", 4);
    }
}

/* Renders every row of one column as JSON into cells, recording where each
 * row's text ends in ends[r]. One type switch per column: scalar types run a
 * tight loop writing straight into reserved room; strings and nested values
 * go through their general paths. */
static tarn_status render_column_json(tarn_buf *cells, int64_t *ends, const tarn_field *f,
                                      const tarn_vec *v, int64_t n)
{
    tarn_type_id id = v->type.id;
    bool simple = !tarn_type_is_nested(id) && id != TARN_TYPE_STRING && id != TARN_TYPE_BINARY;
    if (!simple) {
        for (int64_t r = 0; r < n; r++) {
            TARN_TRY(tarn_render_json_value(cells, f, v, r));
            ends[r] = (int64_t)cells->len;
        }
        return TARN_OK;
    }
    /* Every scalar's text (with quotes) fits TARN_FMT_MAX + 2 bytes. */
    TARN_TRY(tarn_buf_reserve(cells, (size_t)n * (TARN_FMT_MAX + 2)));
    char *o = cells->data + cells->len;
    for (int64_t r = 0; r < n; r++) {
        if (!tarn_vec_is_valid(v, r)) {
            memcpy(o, "null", 4);
            o += 4;
        } else {
            bool quote;
            char *at = o + 1; /* leave room for an opening quote */
            int k = fmt_scalar(v, r, at, &quote);
            if (quote) {
                *o = '"';
                o = at + k;
                *o++ = '"';
            } else {
                memmove(o, at, (size_t)k);
                o += k;
            }
        }
        ends[r] = (int64_t)(o - cells->data);
    }
    cells->len = (size_t)(o - cells->data);
    cells->data[cells->len] = '\0';
    return TARN_OK;
}

tarn_status tarn_render_ndjson(tarn_buf *out, const tarn_batch *b)
{
    const tarn_schema *s = b->schema;
    int nc = b->n_cols;
    int64_t n = b->n_rows;
    if (n <= 0)
        return TARN_OK;
    /* Column at a time into per-column cell buffers, then rows are assembled
     * with memcpy: the type is decided once per column, not per value. */
    tarn_status st = TARN_OK;
    tarn_buf *cells = tarn_calloc((size_t)nc + 1, sizeof *cells);
    int64_t *ends = tarn_alloc(sizeof(int64_t) * (size_t)n * (size_t)(nc ? nc : 1));
    tarn_buf keys = TARN_BUF_INIT;
    size_t *key_end = tarn_alloc(sizeof(size_t) * ((size_t)nc + 1));
    if (!cells || !ends || !key_end) {
        st = TARN_ERR_NOMEM;
        goto done;
    }
    size_t row_fixed = 3; /* '{', '}', '\n' */
    for (int c = 0; c < nc && st == TARN_OK; c++) {
        const char *nm = s->fields[c].name;
        if (c)
            st = tarn_buf_append_char(&keys, ',');
        if (st == TARN_OK)
            st = tarn_buf_append_json_str(&keys, nm, strlen(nm));
        if (st == TARN_OK)
            st = tarn_buf_append_char(&keys, ':');
        key_end[c] = keys.len;
        if (st == TARN_OK)
            st = render_column_json(&cells[c], ends + (size_t)c * (size_t)n, &s->fields[c],
                                    b->cols[c], n);
    }
    if (st != TARN_OK)
        goto done;
    size_t total = row_fixed * (size_t)n + keys.len * (size_t)n;
    for (int c = 0; c < nc; c++)
        total += cells[c].len;
    st = tarn_buf_reserve(out, total);
    if (st != TARN_OK)
        goto done;
    char *o = out->data + out->len;
    for (int64_t r = 0; r < n; r++) {
        *o++ = '{';
        size_t k0 = 0;
        for (int c = 0; c < nc; c++) {
            memcpy(o, keys.data + k0, key_end[c] - k0);
            o += key_end[c] - k0;
            k0 = key_end[c];
            const int64_t *e = ends + (size_t)c * (size_t)n;
            int64_t from = r ? e[r - 1] : 0;
            memcpy(o, cells[c].data + from, (size_t)(e[r] - from));
            o += e[r] - from;
        }
        *o++ = '}';
        *o++ = '\n';
    }
    out->len = (size_t)(o - out->data);
    out->data[out->len] = '\0';
done:
    if (cells)
        for (int c = 0; c < nc; c++)
            tarn_buf_fini(&cells[c]);
    tarn_free(cells);
    tarn_free(ends);
    tarn_free(key_end);
    tarn_buf_fini(&keys);
    return st;
}

tarn_status tarn_render_text_value(tarn_buf *out, const tarn_field *f, const tarn_vec *v,
                                   int64_t row, const char *null_text)
{
    if (!tarn_vec_is_valid(v, row))
        return tarn_buf_append_str(out, null_text);
    char tmp[TARN_FMT_MAX];
    bool quote;
    int n = fmt_scalar(v, row, tmp, &quote);
    if (n >= 0)
        return tarn_buf_append(out, tmp, (size_t)n);
    int32_t len;
    switch (v->type.id) {
    case TARN_TYPE_STRING: {
        const uint8_t *p = tarn_vec_get_bytes(v, row, &len);
        return tarn_buf_append(out, p, (size_t)len);
    }
    case TARN_TYPE_BINARY: {
        const uint8_t *p = tarn_vec_get_bytes(v, row, &len);
        return put_hex(out, p, len, false);
    }
    default:
        return tarn_render_json_value(out, f, v, row);
    }
}

tarn_status tarn_render_csv_field(tarn_buf *out, const char *s, size_t n)
{
    bool q = false;
    for (size_t i = 0; i < n && !q; i++)
        q = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!q)
        return tarn_buf_append(out, s, n);
    TARN_TRY(tarn_buf_append_char(out, '"'));
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            TARN_TRY(tarn_buf_append_char(out, '"'));
        TARN_TRY(tarn_buf_append_char(out, s[i]));
    }
    return tarn_buf_append_char(out, '"');
}

tarn_status tarn_render_csv_header(tarn_buf *out, const tarn_schema *s)
{
    for (int c = 0; c < s->n_fields; c++) {
        if (c)
            TARN_TRY(tarn_buf_append_char(out, ','));
        TARN_TRY(tarn_render_csv_field(out, s->fields[c].name, strlen(s->fields[c].name)));
    }
    return tarn_buf_append_char(out, '\n');
}

tarn_status tarn_render_csv(tarn_buf *out, const tarn_batch *b)
{
    tarn_buf cell = TARN_BUF_INIT;
    tarn_status st = TARN_OK;
    for (int64_t r = 0; r < b->n_rows && st == TARN_OK; r++) {
        for (int c = 0; c < b->n_cols && st == TARN_OK; c++) {
            if (c)
                st = tarn_buf_append_char(out, ',');
            tarn_buf_reset(&cell);
            if (st == TARN_OK)
                st = tarn_render_text_value(&cell, &b->schema->fields[c], b->cols[c], r, "");
            if (st == TARN_OK)
                st = tarn_render_csv_field(out, cell.data ? cell.data : "", cell.len);
        }
        if (st == TARN_OK)
            st = tarn_buf_append_char(out, '\n');
    }
    tarn_buf_fini(&cell);
    return st;
}
