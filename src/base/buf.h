/*
 * base/buf.h - growable byte buffer with a ceiling.
 *
 * Used for rendering output, building files in memory and reading whole
 * small files. Growth doubles; a buffer refuses to grow past its ceiling
 * (default TARN_BUF_DEFAULT_MAX) with TARN_ERR_LIMIT, so a length read from a
 * file can never size an unbounded allocation. The data is always followed
 * by a NUL byte (not counted in len) so it can be used as a C string.
 */
#ifndef TARN_BASE_BUF_H
#define TARN_BASE_BUF_H

#include "base/status.h"

#define TARN_BUF_DEFAULT_MAX ((size_t)8 << 30) /* 8 GiB */

typedef struct tarn_buf {
    char *data; /* heap bytes, NUL-terminated; NULL until first append */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated (excluding the terminator slot) */
    size_t max; /* ceiling; 0 means TARN_BUF_DEFAULT_MAX */
} tarn_buf;

#define TARN_BUF_INIT                                                                              \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void tarn_buf_init(tarn_buf *b);
void tarn_buf_fini(tarn_buf *b);
/* Empties the buffer, keeping its memory. */
void tarn_buf_reset(tarn_buf *b);
/* Makes room for n more bytes. */
TARN_MUST_CHECK tarn_status tarn_buf_reserve(tarn_buf *b, size_t n);
TARN_MUST_CHECK tarn_status tarn_buf_append(tarn_buf *b, const void *p, size_t n);
TARN_MUST_CHECK tarn_status tarn_buf_append_str(tarn_buf *b, const char *s);
TARN_MUST_CHECK tarn_status tarn_buf_append_char(tarn_buf *b, char c);
TARN_MUST_CHECK tarn_status tarn_buf_printf(tarn_buf *b, const char *fmt, ...) TARN_PRINTF(2, 3);
/* Takes ownership of the bytes (free with tarn_free); the buffer is reset to empty. */
char *tarn_buf_steal(tarn_buf *b, size_t *out_len);

/* Appends s as a JSON string literal (quotes and escapes included). */
TARN_MUST_CHECK tarn_status tarn_buf_append_json_str(tarn_buf *b, const char *s, size_t n);

/* Fast append for hot loops when room was reserved beforehand. */
static inline void tarn_buf_put_unchecked(tarn_buf *b, const void *p, size_t n)
{
    __builtin_memcpy(b->data + b->len, p, n);
    b->len += n;
}

#endif
