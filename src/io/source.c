/*
 * io/source.c - the raw byte source under every reader: a file read in 1 MiB
 * steps or a borrowed memory buffer, passed through gzip (zlib inflate,
 * multi-member) or zstd (streaming, multi-frame) when compressed.
 *
 * Memory is bounded: one raw window plus the decoder state. A stream that
 * ends inside a gzip member or zstd frame is TARN_ERR_CORRUPT ("truncated"),
 * never a silent short read.
 */
#include "io/io_int.h"

#include "base/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

tarn_status tarn_io_src_open_file(tarn_io_src *s, const char *path, tarn_err *err)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->path = path;
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
        return tarn_err_errno(err, "cannot open", path);
    s->in = tarn_alloc(TARN_IO_SRC_IN_CAP);
    if (!s->in) {
        close(s->fd);
        s->fd = -1;
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory opening %s", path);
    }
    s->in_cap = TARN_IO_SRC_IN_CAP;
    return TARN_OK;
}

tarn_status tarn_io_src_range(tarn_io_src *s, int64_t offset, int64_t length, tarn_err *err)
{
    if (s->fd < 0 || offset < 0 || length < 0)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "a byte range needs file input");
    if (lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
        return tarn_err_errno(err, "cannot seek", s->path);
    s->in_len = s->in_pos = 0;
    s->raw_eof = false;
    s->ranged = true;
    s->range_left = length;
    return TARN_OK;
}

void tarn_io_src_open_mem(tarn_io_src *s, const void *data, size_t n, const char *path)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->path = path;
    s->mem = data;
    s->mem_len = n;
}

void tarn_io_src_close(tarn_io_src *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->z_live)
        inflateEnd(&s->z);
    s->z_live = false;
    ZSTD_freeDStream(s->zs);
    s->zs = NULL;
    tarn_free(s->in);
    s->in = NULL;
}

/* Refills the raw window (file input) keeping unconsumed bytes; sets raw_eof. */
static tarn_status fill_raw(tarn_io_src *s, tarn_err *err)
{
    if (s->fd < 0) {
        s->raw_eof = true;
        return TARN_OK;
    }
    if (s->in_pos > 0) {
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    while (s->in_len < s->in_cap) {
        size_t want = s->in_cap - s->in_len;
        if (s->ranged && (int64_t)want > s->range_left)
            want = (size_t)s->range_left;
        if (want == 0) {
            s->raw_eof = true;
            break;
        }
        ssize_t k = read(s->fd, s->in + s->in_len, want);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return tarn_err_errno(err, "read failed", s->path);
        }
        if (k == 0) {
            s->raw_eof = true;
            break;
        }
        s->in_len += (size_t)k;
        if (s->ranged)
            s->range_left -= k;
        break; /* one read per refill keeps latency low on pipes */
    }
    return TARN_OK;
}

/* Raw bytes available without reading more: for memory input the buffer itself. */
static void raw_avail(tarn_io_src *s, const uint8_t **p, size_t *n)
{
    if (s->mem) {
        *p = s->mem + s->mem_pos;
        *n = s->mem_len - s->mem_pos;
    } else {
        *p = s->in + s->in_pos;
        *n = s->in_len - s->in_pos;
    }
}

static void raw_consume(tarn_io_src *s, size_t n)
{
    if (s->mem)
        s->mem_pos += n;
    else
        s->in_pos += n;
    s->raw_read += (int64_t)n;
}

static bool raw_done(tarn_io_src *s)
{
    if (s->mem)
        return s->mem_pos >= s->mem_len;
    return s->raw_eof && s->in_pos >= s->in_len;
}

/* Makes raw bytes available; false at the raw end. */
static tarn_status raw_more(tarn_io_src *s, bool *any, tarn_err *err)
{
    const uint8_t *p;
    size_t n;
    raw_avail(s, &p, &n);
    if (n == 0 && !s->mem && !s->raw_eof)
        TARN_TRY(fill_raw(s, err));
    raw_avail(s, &p, &n);
    *any = n > 0;
    return TARN_OK;
}

tarn_status tarn_io_src_peek(tarn_io_src *s, size_t want, const uint8_t **out, size_t *out_n,
                             tarn_err *err)
{
    if (s->mem) {
        *out = s->mem + s->mem_pos;
        *out_n = TARN_MIN(want, s->mem_len - s->mem_pos);
        return TARN_OK;
    }
    want = TARN_MIN(want, s->in_cap);
    while (s->in_len - s->in_pos < want && !s->raw_eof)
        TARN_TRY(fill_raw(s, err));
    *out = s->in + s->in_pos;
    *out_n = TARN_MIN(want, s->in_len - s->in_pos);
    return TARN_OK;
}

tarn_io_compression tarn_io_detect_magic(const uint8_t *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return TARN_IO_COMP_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return TARN_IO_COMP_ZSTD;
    return TARN_IO_COMP_NONE;
}

tarn_status tarn_io_src_set_compression(tarn_io_src *s, tarn_io_compression c, tarn_err *err)
{
    if (c == TARN_IO_COMP_AUTO) {
        const uint8_t *p;
        size_t n;
        TARN_TRY(tarn_io_src_peek(s, 4, &p, &n, err));
        c = tarn_io_detect_magic(p, n);
    }
    s->comp = c;
    if (c == TARN_IO_COMP_GZIP) {
        memset(&s->z, 0, sizeof s->z);
        if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
            return tarn_err_set(err, TARN_ERR_NOMEM, "cannot start gzip decoder for %s", s->path);
        s->z_live = true;
    } else if (c == TARN_IO_COMP_ZSTD) {
        s->zs = ZSTD_createDStream();
        if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs)))
            return tarn_err_set(err, TARN_ERR_NOMEM, "cannot start zstd decoder for %s", s->path);
    }
    return TARN_OK;
}

static tarn_status corrupt(tarn_io_src *s, tarn_err *err, const char *what, const char *detail)
{
    tarn_err_set(err, TARN_ERR_CORRUPT, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
    tarn_err_at_path(err, s->path);
    return tarn_err_at_offset(err, s->raw_read);
}

static tarn_status read_plain(tarn_io_src *s, uint8_t *dst, size_t cap, size_t *out_n,
                              tarn_err *err)
{
    const uint8_t *p;
    size_t n;
    raw_avail(s, &p, &n);
    if (n > 0 || s->mem) {
        n = TARN_MIN(n, cap);
        memcpy(dst, p, n);
        raw_consume(s, n);
        *out_n = n;
        return TARN_OK;
    }
    /* Large reads go straight into the caller's buffer. */
    if (s->ranged && (int64_t)cap > s->range_left)
        cap = (size_t)s->range_left;
    for (;;) {
        ssize_t k = cap ? read(s->fd, dst, cap) : 0;
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return tarn_err_errno(err, "read failed", s->path);
        }
        if (k == 0)
            s->raw_eof = true;
        if (s->ranged)
            s->range_left -= k;
        s->raw_read += k;
        *out_n = (size_t)k;
        return TARN_OK;
    }
}

/* True when the rest of the raw input is zero padding (some tools add it). */
static tarn_status rest_is_zeros(tarn_io_src *s, bool *out, tarn_err *err)
{
    for (;;) {
        bool any;
        TARN_TRY(raw_more(s, &any, err));
        if (!any) {
            *out = true;
            return TARN_OK;
        }
        const uint8_t *p;
        size_t n;
        raw_avail(s, &p, &n);
        for (size_t i = 0; i < n; i++)
            if (p[i] != 0) {
                *out = false;
                return TARN_OK;
            }
        raw_consume(s, n);
    }
}

static tarn_status read_gzip(tarn_io_src *s, uint8_t *dst, size_t cap, size_t *out_n, tarn_err *err)
{
    size_t produced = 0;
    while (produced == 0) {
        bool any;
        TARN_TRY(raw_more(s, &any, err));
        if (!any) {
            if (s->z_in_member)
                return corrupt(s, err, "truncated gzip stream", NULL);
            break;
        }
        const uint8_t *p;
        size_t n;
        raw_avail(s, &p, &n);
        if (!s->z_in_member) {
            /* Between members: another member, zero padding, or garbage. */
            if (n >= 2 && !(p[0] == 0x1f && p[1] == 0x8b)) {
                bool zeros;
                TARN_TRY(rest_is_zeros(s, &zeros, err));
                if (!zeros)
                    return corrupt(s, err, "trailing data after gzip stream", NULL);
                break;
            }
            s->z_in_member = true;
        }
        s->z.next_in = (Bytef *)(uintptr_t)p;
        s->z.avail_in = (uInt)TARN_MIN(n, (size_t)UINT32_MAX);
        s->z.next_out = dst + produced;
        s->z.avail_out = (uInt)TARN_MIN(cap - produced, (size_t)UINT32_MAX);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t used = (size_t)(s->z.next_in - p);
        raw_consume(s, used);
        produced = (size_t)(s->z.next_out - dst);
        if (rc == Z_STREAM_END) {
            s->z_in_member = false;
            if (inflateReset(&s->z) != Z_OK)
                return corrupt(s, err, "gzip decoder reset failed", NULL);
        } else if (rc == Z_BUF_ERROR && used == 0 && produced == 0) {
            if (raw_done(s))
                return corrupt(s, err, "truncated gzip stream", NULL);
        } else if (rc != Z_OK) {
            return corrupt(s, err, "bad gzip data", s->z.msg ? s->z.msg : "inflate failed");
        }
    }
    *out_n = produced;
    return TARN_OK;
}

static tarn_status read_zstd(tarn_io_src *s, uint8_t *dst, size_t cap, size_t *out_n, tarn_err *err)
{
    ZSTD_outBuffer out = {dst, cap, 0};
    while (out.pos == 0) {
        bool any;
        TARN_TRY(raw_more(s, &any, err));
        if (!any) {
            /* 0 from the last call means the frame ended and everything was
             * flushed; otherwise flush what the decoder holds. No progress
             * then means the input stopped inside a frame. */
            if (!s->zs_started || s->zs_hint == 0)
                break;
            ZSTD_inBuffer in = {NULL, 0, 0};
            size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
            if (ZSTD_isError(rc))
                return corrupt(s, err, "bad zstd data", ZSTD_getErrorName(rc));
            if (out.pos == 0)
                return corrupt(s, err, "truncated zstd stream", NULL);
            s->zs_hint = rc;
            break;
        }
        const uint8_t *p;
        size_t n;
        raw_avail(s, &p, &n);
        ZSTD_inBuffer in = {p, n, 0};
        size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
        if (ZSTD_isError(rc))
            return corrupt(s, err, "bad zstd data", ZSTD_getErrorName(rc));
        s->zs_started = true;
        s->zs_hint = rc;
        raw_consume(s, in.pos);
    }
    *out_n = out.pos;
    return TARN_OK;
}

tarn_status tarn_io_src_read(tarn_io_src *s, uint8_t *dst, size_t cap, size_t *out_n, tarn_err *err)
{
    *out_n = 0;
    if (s->eof || cap == 0)
        return TARN_OK;
    tarn_status st;
    switch (s->comp) {
    case TARN_IO_COMP_GZIP:
        st = read_gzip(s, dst, cap, out_n, err);
        break;
    case TARN_IO_COMP_ZSTD:
        st = read_zstd(s, dst, cap, out_n, err);
        break;
    default:
        st = read_plain(s, dst, cap, out_n, err);
        break;
    }
    if (st == TARN_OK && *out_n == 0)
        s->eof = true;
    return st;
}
