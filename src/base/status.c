/*
 * base/status.c - error records: set once, add context, format in one line.
 */
#include "base/status.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tarn_assert_fail(const char *expr, const char *file, int line)
{
    fprintf(stderr, "tarn: internal error: assertion '%s' failed at %s:%d\n", expr, file, line);
    abort();
}

void tarn_err_clear(tarn_err *err)
{
    if (!err)
        return;
    err->code = TARN_OK;
    err->msg[0] = '\0';
    err->path[0] = '\0';
    err->line = 0;
    err->col = 0;
    err->offset = -1;
    err->hint[0] = '\0';
}

tarn_status tarn_err_set(tarn_err *err, tarn_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    tarn_err_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* Keep the message on one line whatever the input held. */
    for (char *p = err->msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return code;
}

tarn_status tarn_err_at_path(tarn_err *err, const char *path)
{
    if (!err)
        return TARN_ERR_INTERNAL;
    if (err->path[0] == '\0' && path)
        snprintf(err->path, sizeof err->path, "%s", path);
    return err->code;
}

tarn_status tarn_err_at_line(tarn_err *err, int64_t line, int64_t col)
{
    if (!err)
        return TARN_ERR_INTERNAL;
    if (err->line == 0) {
        err->line = line;
        err->col = col;
    }
    return err->code;
}

tarn_status tarn_err_at_offset(tarn_err *err, int64_t offset)
{
    if (!err)
        return TARN_ERR_INTERNAL;
    if (err->offset < 0)
        err->offset = offset;
    return err->code;
}

void tarn_err_set_hint(tarn_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->hint, sizeof err->hint, fmt, ap);
    va_end(ap);
}

tarn_status tarn_err_prefix(tarn_err *err, const char *fmt, ...)
{
    if (!err)
        return TARN_ERR_INTERNAL;
    char pre[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    size_t pl = strlen(pre), ml = strlen(err->msg);
    if (pl + 2 >= sizeof err->msg)
        return err->code;
    if (pl + 2 + ml >= sizeof err->msg)
        ml = sizeof err->msg - pl - 3;
    memmove(err->msg + pl + 2, err->msg, ml);
    err->msg[pl + 2 + ml] = '\0';
    memcpy(err->msg, pre, pl);
    err->msg[pl] = ':';
    err->msg[pl + 1] = ' ';
    return err->code;
}

tarn_status tarn_err_errno(tarn_err *err, const char *what, const char *path)
{
    int e = errno;
    tarn_status code = TARN_ERR_IO;
    if (e == ENOENT)
        code = TARN_ERR_NOT_FOUND;
    else if (e == EEXIST)
        code = TARN_ERR_EXISTS;
    else if (e == ENOMEM)
        code = TARN_ERR_NOMEM;
    tarn_err_set(err, code, "%s: %s", what, strerror(e));
    if (path)
        tarn_err_at_path(err, path);
    return code;
}

void tarn_err_format(const tarn_err *err, char *out, size_t cap)
{
    if (!cap)
        return;
    if (!err || err->code == TARN_OK) {
        snprintf(out, cap, "ok");
        return;
    }
    int n = 0;
    if (err->path[0] && err->line > 0 && err->col > 0)
        n = snprintf(out, cap, "%s:%lld:%lld: ", err->path, (long long)err->line,
                     (long long)err->col);
    else if (err->path[0] && err->line > 0)
        n = snprintf(out, cap, "%s:%lld: ", err->path, (long long)err->line);
    else if (err->path[0] && err->offset >= 0)
        n = snprintf(out, cap, "%s: offset %lld: ", err->path, (long long)err->offset);
    else if (err->path[0])
        n = snprintf(out, cap, "%s: ", err->path);
    else if (err->line > 0)
        n = snprintf(out, cap, "line %lld: ", (long long)err->line);
    else if (err->offset >= 0)
        n = snprintf(out, cap, "offset %lld: ", (long long)err->offset);
    if (n < 0 || (size_t)n >= cap)
        return;
    if (err->hint[0])
        snprintf(out + n, cap - (size_t)n, "%s (hint: %s)", err->msg, err->hint);
    else
        snprintf(out + n, cap - (size_t)n, "%s", err->msg);
}

const char *tarn_status_name(tarn_status code)
{
    switch (code) {
    case TARN_OK:
        return "ok";
    case TARN_ERR_NOMEM:
        return "out of memory";
    case TARN_ERR_IO:
        return "io";
    case TARN_ERR_CORRUPT:
        return "corrupt";
    case TARN_ERR_INVALID:
        return "invalid";
    case TARN_ERR_USAGE:
        return "usage";
    case TARN_ERR_UNSUPPORTED:
        return "unsupported";
    case TARN_ERR_NOT_FOUND:
        return "not found";
    case TARN_ERR_EXISTS:
        return "exists";
    case TARN_ERR_CONFLICT:
        return "conflict";
    case TARN_ERR_DATA:
        return "data";
    case TARN_ERR_LIMIT:
        return "limit";
    case TARN_ERR_INTERNAL:
        return "internal";
    }
    return "unknown";
}

int tarn_status_exit_code(tarn_status code)
{
    switch (code) {
    case TARN_OK:
        return 0;
    case TARN_ERR_DATA:
    case TARN_ERR_CONFLICT:
        return 1;
    default:
        return 2;
    }
}
