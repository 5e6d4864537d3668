/*
 * base/status.h - the status code every fallible function returns and the
 * error record that explains it.
 *
 * A tarn_err is set once, where the failure happens (tarn_err_set); callers
 * may add context that is missing (a path, a line) but never replace the
 * message. Reporting never allocates: the message lives in a fixed buffer.
 * The CLI maps codes to exit codes with tarn_status_exit_code().
 */
#ifndef TARN_BASE_STATUS_H
#define TARN_BASE_STATUS_H

#include "base/common.h"

typedef enum tarn_status {
    TARN_OK = 0,
    TARN_ERR_NOMEM,       /* allocation failed */
    TARN_ERR_IO,          /* the OS refused a read, write, rename... */
    TARN_ERR_CORRUPT,     /* a file's bytes break its format */
    TARN_ERR_INVALID,     /* bad input value: a record, a schema, an option */
    TARN_ERR_USAGE,       /* bad command line */
    TARN_ERR_UNSUPPORTED, /* valid input that tarn does not handle (yet) */
    TARN_ERR_NOT_FOUND,   /* a named file, table, version or column is missing */
    TARN_ERR_EXISTS,      /* create-exclusive found the thing already there */
    TARN_ERR_CONFLICT,    /* a concurrent commit conflicts with ours */
    TARN_ERR_DATA,        /* data or check failure (exit code 1) */
    TARN_ERR_LIMIT,       /* a size ceiling was reached */
    TARN_ERR_INTERNAL     /* a bug in tarn */
} tarn_status;

#define TARN_ERR_MSG_MAX  640
#define TARN_ERR_PATH_MAX 512
#define TARN_ERR_HINT_MAX 256

typedef struct tarn_err {
    tarn_status code;             /* TARN_OK when nothing went wrong */
    char msg[TARN_ERR_MSG_MAX];   /* what went wrong, one line, no location */
    char path[TARN_ERR_PATH_MAX]; /* file the error is about, or "" */
    int64_t line;                 /* 1-based line in path, or 0 */
    int64_t col;                  /* 1-based column, or 0 */
    int64_t offset;               /* byte offset in path, or -1 */
    char hint[TARN_ERR_HINT_MAX]; /* optional advice, or "" */
} tarn_err;

/* Clears err to TARN_OK with no location. */
void tarn_err_clear(tarn_err *err);

/* Records code and a printf-style message; returns code. err may be NULL. */
tarn_status tarn_err_set(tarn_err *err, tarn_status code, const char *fmt, ...) TARN_PRINTF(3, 4);

/* Adds location context when it is not set yet; returns err->code. */
tarn_status tarn_err_at_path(tarn_err *err, const char *path);
tarn_status tarn_err_at_line(tarn_err *err, int64_t line, int64_t col);
tarn_status tarn_err_at_offset(tarn_err *err, int64_t offset);
void tarn_err_set_hint(tarn_err *err, const char *fmt, ...) TARN_PRINTF(2, 3);

/* Prefixes the message with "context: " (e.g. "column 'amount'"). */
tarn_status tarn_err_prefix(tarn_err *err, const char *fmt, ...) TARN_PRINTF(2, 3);

/* Sets TARN_ERR_IO from errno with "what: strerror". */
tarn_status tarn_err_errno(tarn_err *err, const char *what, const char *path);

/* Writes "path:line:col: message" (or "path: offset N: message") into out. */
void tarn_err_format(const tarn_err *err, char *out, size_t cap);

/* Stable lower-case name of a code ("corrupt", "io", ...). */
const char *tarn_status_name(tarn_status code);

/* Process exit code: 1 for data/check failures, 2 for usage/input errors. */
int tarn_status_exit_code(tarn_status code);

/* Propagate a failing status. */
#define TARN_TRY(expr)                                                                             \
    do {                                                                                           \
        tarn_status tarn_try_st_ = (expr);                                                         \
        if (TARN_UNLIKELY(tarn_try_st_ != TARN_OK))                                                \
            return tarn_try_st_;                                                                   \
    } while (0)

#endif
