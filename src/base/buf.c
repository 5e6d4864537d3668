/*
 * base/buf.c - growable byte buffer with a ceiling; JSON string escaping.
 */
#include "base/buf.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tarn_buf_init(tarn_buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = 0;
}

void tarn_buf_fini(tarn_buf *b)
{
    tarn_free(b->data);
    tarn_buf_init(b);
}

void tarn_buf_reset(tarn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

tarn_status tarn_buf_reserve(tarn_buf *b, size_t n)
{
    size_t max = b->max ? b->max : TARN_BUF_DEFAULT_MAX;
    if (n > max || b->len > max - n)
        return TARN_ERR_LIMIT;
    size_t need = b->len + n;
    if (need <= b->cap && b->data)
        return TARN_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > max / 2 ? max : cap * 2;
    char *p = tarn_realloc(b->data, cap + 1);
    if (!p)
        return TARN_ERR_NOMEM;
    b->data = p;
    b->cap = cap;
    b->data[b->len] = '\0';
    return TARN_OK;
}

tarn_status tarn_buf_append(tarn_buf *b, const void *p, size_t n)
{
    TARN_TRY(tarn_buf_reserve(b, n));
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return TARN_OK;
}

tarn_status tarn_buf_append_str(tarn_buf *b, const char *s)
{
    return tarn_buf_append(b, s, strlen(s));
}

tarn_status tarn_buf_append_char(tarn_buf *b, char c)
{
    return tarn_buf_append(b, &c, 1);
}

tarn_status tarn_buf_printf(tarn_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return TARN_ERR_INVALID;
    TARN_TRY(tarn_buf_reserve(b, (size_t)n + 1));
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return TARN_OK;
}

char *tarn_buf_steal(tarn_buf *b, size_t *out_len)
{
    if (out_len)
        *out_len = b->len;
    char *p = b->data;
    if (!p)
        p = tarn_calloc(1, 1);
    tarn_buf_init(b);
    return p;
}

tarn_status tarn_buf_append_json_str(tarn_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    /* Worst case every byte becomes \u00XX. */
    if (n > (SIZE_MAX - 2) / 6)
        return TARN_ERR_LIMIT;
    TARN_TRY(tarn_buf_reserve(b, n * 6 + 2));
    char *o = b->data + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        /* Copy runs of bytes that need no escaping in one go. */
        size_t j = i;
        while (j < n) {
            unsigned char c = (unsigned char)s[j];
            if (c < 0x20 || c == '"' || c == '\\')
                break;
            j++;
        }
        memcpy(o, s + i, j - i);
        o += j - i;
        if (j == n)
            break;
        unsigned char c = (unsigned char)s[j];
        *o++ = '\\';
        switch (c) {
        case '"':
            *o++ = '"';
            break;
        case '\\':
            *o++ = '\\';
            break;
        case '\n':
            *o++ = 'n';
            break;
        case '\r':
            *o++ = 'r';
            break;
        case '\t':
            *o++ = 't';
            break;
        case '\b':
            *o++ = 'b';
            break;
        case '\f':
            *o++ = 'f';
            break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        i = j + 1;
    }
    *o++ = '"';
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return TARN_OK;
}
