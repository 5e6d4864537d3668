/*
 * base/fs.h - files and directories: positional reads, buffered sequential
 * writes, atomic replace, create-exclusive publish, listing, recursive
 * mkdir and removal.
 *
 * Every function reports failures through tarn_err with the path attached.
 * Durability: tarn_file_publish() and tarn_file_write_atomic() fsync the data
 * and the directory before returning, so a crash afterwards keeps the file.
 */
#ifndef TARN_BASE_FS_H
#define TARN_BASE_FS_H

#include "base/arena.h"
#include "base/buf.h"
#include "base/status.h"

/* A file opened for positional reads. */
typedef struct tarn_rfile {
    int fd;       /* -1 when closed */
    int64_t size; /* bytes at open time */
    char *path;   /* heap copy for messages */
} tarn_rfile;

TARN_MUST_CHECK tarn_status tarn_rfile_open(tarn_rfile *f, const char *path, tarn_err *err);
/* Reads exactly n bytes at off; a short file is TARN_ERR_CORRUPT. */
TARN_MUST_CHECK tarn_status tarn_rfile_pread(const tarn_rfile *f, int64_t off, void *dst, size_t n,
                                             tarn_err *err);
void tarn_rfile_close(tarn_rfile *f);

/* A file written sequentially through a buffer. */
typedef struct tarn_wfile {
    int fd;      /* -1 when closed */
    char *path;  /* heap copy */
    char *buf;   /* write buffer */
    size_t len;  /* buffered bytes */
    size_t cap;  /* buffer size */
    int64_t pos; /* bytes written so far (including buffered) */
} tarn_wfile;

/* Creates (truncating) path for writing. */
TARN_MUST_CHECK tarn_status tarn_wfile_open(tarn_wfile *f, const char *path, tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_wfile_write(tarn_wfile *f, const void *p, size_t n, tarn_err *err);
/* Flushes, optionally fsyncs, closes. */
TARN_MUST_CHECK tarn_status tarn_wfile_close(tarn_wfile *f, bool sync, tarn_err *err);
/* Closes without flushing and removes the file (error paths). */
void tarn_wfile_abort(tarn_wfile *f);

/* Reads a whole file into buf (appending); refuses files above max bytes. */
TARN_MUST_CHECK tarn_status tarn_file_read_all(const char *path, size_t max, tarn_buf *buf,
                                               tarn_err *err);
/* Replaces path atomically with data (temp file, fsync, rename, fsync dir). */
TARN_MUST_CHECK tarn_status tarn_file_write_atomic(const char *path, const void *data, size_t n,
                                                   tarn_err *err);
/* Creates path with data only if it does not exist yet, all at once: the
 * content is written and synced to a temp file, then hard-linked to path.
 * Returns TARN_ERR_EXISTS (err set) when path already exists. */
TARN_MUST_CHECK tarn_status tarn_file_publish(const char *path, const void *data, size_t n,
                                              tarn_err *err);

typedef struct tarn_stat {
    int64_t size;     /* bytes */
    int64_t mtime_us; /* modification time, microseconds since the epoch */
    bool is_dir;      /* a directory */
} tarn_stat;

/* TARN_ERR_NOT_FOUND when missing. */
TARN_MUST_CHECK tarn_status tarn_file_stat(const char *path, tarn_stat *out, tarn_err *err);
bool tarn_path_exists(const char *path);
bool tarn_is_dir(const char *path);
/* mkdir -p */
TARN_MUST_CHECK tarn_status tarn_mkdirs(const char *path, tarn_err *err);
/* Removes a file; a missing file is not an error. */
TARN_MUST_CHECK tarn_status tarn_file_remove(const char *path, tarn_err *err);
/* Removes an empty directory; a missing or non-empty one is left silently. */
void tarn_dir_remove_if_empty(const char *path);
/* fsync a directory so a rename or create inside it is durable. */
TARN_MUST_CHECK tarn_status tarn_dir_sync(const char *path, tarn_err *err);

/* Names in a directory (no "." or ".."), sorted bytewise, in the arena. */
TARN_MUST_CHECK tarn_status tarn_dir_list(const char *path, tarn_arena *a, char ***out_names,
                                          size_t *out_n, tarn_err *err);

/* "a/b" joined with exactly one slash, in the arena. */
char *tarn_path_join(tarn_arena *a, const char *dir, const char *name);
/* Directory part of path ("." when none), in the arena. */
char *tarn_path_dirname(tarn_arena *a, const char *path);

#endif
