/*
 * base/fs.c - POSIX file helpers with tarn_err reporting.
 */
#include "base/fs.h"

#include "base/alloc.h"
#include "base/time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

tarn_status tarn_rfile_open(tarn_rfile *f, const char *path, tarn_err *err)
{
    f->fd = -1;
    f->size = 0;
    f->path = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tarn_err_errno(err, "cannot open", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return tarn_err_errno(err, "cannot stat", path);
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        tarn_err_set(err, TARN_ERR_INVALID, "is a directory, not a file");
        return tarn_err_at_path(err, path);
    }
    f->path = tarn_strdup(path);
    if (!f->path) {
        close(fd);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    f->fd = fd;
    f->size = (int64_t)st.st_size;
    return TARN_OK;
}

tarn_status tarn_rfile_pread(const tarn_rfile *f, int64_t off, void *dst, size_t n, tarn_err *err)
{
    if (off < 0 || (uint64_t)off > (uint64_t)f->size || n > (uint64_t)(f->size - off)) {
        tarn_err_set(err, TARN_ERR_CORRUPT,
                     "read of %zu bytes at offset %lld is past the end "
                     "of the file (%lld bytes)",
                     n, (long long)off, (long long)f->size);
        tarn_err_at_offset(err, off);
        return tarn_err_at_path(err, f->path);
    }
    char *p = dst;
    while (n > 0) {
        ssize_t r = pread(f->fd, p, n, (off_t)off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return tarn_err_errno(err, "read failed", f->path);
        }
        if (r == 0) {
            tarn_err_set(err, TARN_ERR_CORRUPT, "file is shorter than expected");
            tarn_err_at_offset(err, off);
            return tarn_err_at_path(err, f->path);
        }
        p += r;
        off += r;
        n -= (size_t)r;
    }
    return TARN_OK;
}

void tarn_rfile_close(tarn_rfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    tarn_free(f->path);
    f->path = NULL;
}

tarn_status tarn_wfile_open(tarn_wfile *f, const char *path, tarn_err *err)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    f->cap = 1 << 20;
    f->buf = tarn_alloc(f->cap);
    f->path = tarn_strdup(path);
    if (!f->buf || !f->path) {
        tarn_free(f->buf);
        tarn_free(f->path);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    f->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (f->fd < 0) {
        tarn_status st = tarn_err_errno(err, "cannot create", path);
        tarn_free(f->buf);
        tarn_free(f->path);
        f->buf = NULL;
        f->path = NULL;
        return st;
    }
    return TARN_OK;
}

static tarn_status write_all(int fd, const char *p, size_t n, const char *path, tarn_err *err)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return tarn_err_errno(err, "write failed", path);
        }
        p += w;
        n -= (size_t)w;
    }
    return TARN_OK;
}

tarn_status tarn_wfile_write(tarn_wfile *f, const void *p, size_t n, tarn_err *err)
{
    if (f->len + n > f->cap) {
        TARN_TRY(write_all(f->fd, f->buf, f->len, f->path, err));
        f->len = 0;
        if (n >= f->cap) {
            TARN_TRY(write_all(f->fd, p, n, f->path, err));
            f->pos += (int64_t)n;
            return TARN_OK;
        }
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    f->pos += (int64_t)n;
    return TARN_OK;
}

tarn_status tarn_wfile_close(tarn_wfile *f, bool sync, tarn_err *err)
{
    tarn_status st = TARN_OK;
    if (f->fd >= 0) {
        st = write_all(f->fd, f->buf, f->len, f->path, err);
        if (st == TARN_OK && sync && fsync(f->fd) != 0)
            st = tarn_err_errno(err, "fsync failed", f->path);
        if (close(f->fd) != 0 && st == TARN_OK)
            st = tarn_err_errno(err, "close failed", f->path);
    }
    f->fd = -1;
    tarn_free(f->buf);
    tarn_free(f->path);
    f->buf = NULL;
    f->path = NULL;
    return st;
}

void tarn_wfile_abort(tarn_wfile *f)
{
    if (f->fd >= 0) {
        close(f->fd);
        if (f->path)
            unlink(f->path);
    }
    f->fd = -1;
    tarn_free(f->buf);
    tarn_free(f->path);
    f->buf = NULL;
    f->path = NULL;
}

tarn_status tarn_file_read_all(const char *path, size_t max, tarn_buf *buf, tarn_err *err)
{
    tarn_rfile f;
    TARN_TRY(tarn_rfile_open(&f, path, err));
    tarn_status st = TARN_OK;
    if ((uint64_t)f.size > max) {
        st = tarn_err_set(err, TARN_ERR_LIMIT, "file is too large (%lld bytes, limit %zu)",
                          (long long)f.size, max);
        tarn_err_at_path(err, path);
        goto done;
    }
    if (tarn_buf_reserve(buf, (size_t)f.size) != TARN_OK) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory reading %lld bytes",
                          (long long)f.size);
        goto done;
    }
    st = tarn_rfile_pread(&f, 0, buf->data + buf->len, (size_t)f.size, err);
    if (st == TARN_OK) {
        buf->len += (size_t)f.size;
        buf->data[buf->len] = '\0';
    }
done:
    tarn_rfile_close(&f);
    return st;
}

tarn_status tarn_dir_sync(const char *path, tarn_err *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return tarn_err_errno(err, "cannot open directory", path);
    int r = fsync(fd);
    close(fd);
    if (r != 0 && errno != EINVAL)
        return tarn_err_errno(err, "fsync of directory failed", path);
    return TARN_OK;
}

/* Writes data to a fresh temp file next to path; returns its name in tmp. */
static tarn_status write_temp(const char *path, const void *data, size_t n, char *tmp,
                              size_t tmp_cap, tarn_err *err)
{
    static _Atomic unsigned counter;
    unsigned c = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
    int k = snprintf(tmp, tmp_cap, "%s.tmp-%ld-%u-%lld", path, (long)getpid(), c,
                     (long long)(tarn_monotonic_us() % 1000000007));
    if (k < 0 || (size_t)k >= tmp_cap)
        return tarn_err_set(err, TARN_ERR_INVALID, "path too long: %s", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return tarn_err_errno(err, "cannot create", tmp);
    tarn_status st = write_all(fd, data, n, tmp, err);
    if (st == TARN_OK && fsync(fd) != 0)
        st = tarn_err_errno(err, "fsync failed", tmp);
    close(fd);
    if (st != TARN_OK)
        unlink(tmp);
    return st;
}

static tarn_status sync_parent(const char *path, tarn_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return tarn_dir_sync(".", err);
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    return tarn_dir_sync(dir, err);
}

tarn_status tarn_file_write_atomic(const char *path, const void *data, size_t n, tarn_err *err)
{
    char tmp[4200];
    TARN_TRY(write_temp(path, data, n, tmp, sizeof tmp, err));
    if (rename(tmp, path) != 0) {
        tarn_status st = tarn_err_errno(err, "cannot rename into place", path);
        unlink(tmp);
        return st;
    }
    return sync_parent(path, err);
}

tarn_status tarn_file_publish(const char *path, const void *data, size_t n, tarn_err *err)
{
    char tmp[4200];
    TARN_TRY(write_temp(path, data, n, tmp, sizeof tmp, err));
    int r = link(tmp, path);
    int e = errno;
    unlink(tmp);
    if (r != 0) {
        errno = e;
        if (e == EEXIST) {
            tarn_err_set(err, TARN_ERR_EXISTS, "already exists");
            return tarn_err_at_path(err, path);
        }
        return tarn_err_errno(err, "cannot publish", path);
    }
    return sync_parent(path, err);
}

tarn_status tarn_file_stat(const char *path, tarn_stat *out, tarn_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return tarn_err_errno(err, "cannot stat", path);
    out->size = (int64_t)st.st_size;
    out->mtime_us = (int64_t)st.st_mtim.tv_sec * TARN_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
    out->is_dir = S_ISDIR(st.st_mode);
    return TARN_OK;
}

bool tarn_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

bool tarn_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

tarn_status tarn_mkdirs(const char *path, tarn_err *err)
{
    char tmp[4096];
    int k = snprintf(tmp, sizeof tmp, "%s", path);
    if (k < 0 || (size_t)k >= sizeof tmp)
        return tarn_err_set(err, TARN_ERR_INVALID, "path too long: %s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return tarn_err_errno(err, "cannot create directory", tmp);
        *p = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return tarn_err_errno(err, "cannot create directory", tmp);
    if (!tarn_is_dir(tmp)) {
        tarn_err_set(err, TARN_ERR_INVALID, "exists and is not a directory");
        return tarn_err_at_path(err, tmp);
    }
    return TARN_OK;
}

tarn_status tarn_file_remove(const char *path, tarn_err *err)
{
    if (unlink(path) != 0 && errno != ENOENT)
        return tarn_err_errno(err, "cannot remove", path);
    return TARN_OK;
}

void tarn_dir_remove_if_empty(const char *path)
{
    (void)rmdir(path);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

tarn_status tarn_dir_list(const char *path, tarn_arena *a, char ***out_names, size_t *out_n,
                          tarn_err *err)
{
    *out_names = NULL;
    *out_n = 0;
    DIR *d = opendir(path);
    if (!d)
        return tarn_err_errno(err, "cannot list directory", path);
    size_t n = 0, cap = 64;
    char **names = tarn_alloc(cap * sizeof *names);
    tarn_status st = TARN_OK;
    if (!names) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            char **nn = tarn_realloc(names, cap * 2 * sizeof *names);
            if (!nn) {
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                goto done;
            }
            names = nn;
            cap *= 2;
        }
        names[n] = tarn_arena_strdup(a, e->d_name);
        if (!names[n]) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            goto done;
        }
        n++;
    }
    qsort(names, n, sizeof *names, cmp_str);
    char **out = tarn_arena_alloc(a, (n ? n : 1) * sizeof *out);
    if (!out) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    memcpy(out, names, n * sizeof *out);
    *out_names = out;
    *out_n = n;
done:
    tarn_free(names);
    closedir(d);
    return st;
}

char *tarn_path_join(tarn_arena *a, const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    if (dl == 0)
        return tarn_arena_strdup(a, name);
    return tarn_arena_printf(a, "%.*s/%s", (int)dl, dir, name);
}

char *tarn_path_dirname(tarn_arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return tarn_arena_strdup(a, ".");
    if (slash == path)
        return tarn_arena_strdup(a, "/");
    return tarn_arena_strndup(a, path, (size_t)(slash - path));
}
