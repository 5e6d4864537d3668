/*
 * delta/vacuum.c - VACUUM (see vacuum.h for the rules).
 *
 * The protected set (active files, their deletion vectors, tombstones not
 * yet expired) is a string hash set of paths relative to the table root,
 * decoded from the log's URI form. The walk lists directories bottom-up so
 * that a partition directory emptied by this run can be removed right
 * after its files. Nothing is deleted on a dry run; a failure stops the
 * walk and is reported together with what was already deleted.
 */
#include "delta/vacuum.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/time.h"
#include "delta/checkpoint.h"
#include "delta/commit.h"
#include "delta/dv.h"
#include "delta/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VACUUM_MAX_DEPTH 64

typedef struct strset {
    const char **slots; /* open addressing, NULL = empty (heap) */
    size_t cap;         /* power of two */
    size_t n;           /* entries */
} strset;

static bool set_add(strset *s, const char *str)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        const char **ns = tarn_calloc(nc, sizeof *ns);
        if (!ns)
            return false;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i])
                continue;
            size_t k = tarn_hash_bytes(s->slots[i], strlen(s->slots[i]), 0) & (nc - 1);
            while (ns[k])
                k = (k + 1) & (nc - 1);
            ns[k] = s->slots[i];
        }
        tarn_free(s->slots);
        s->slots = ns;
        s->cap = nc;
    }
    size_t k = tarn_hash_bytes(str, strlen(str), 0) & (s->cap - 1);
    while (s->slots[k]) {
        if (strcmp(s->slots[k], str) == 0)
            return true;
        k = (k + 1) & (s->cap - 1);
    }
    s->slots[k] = str;
    s->n++;
    return true;
}

static bool set_has(const strset *s, const char *str)
{
    if (!s->cap)
        return false;
    size_t k = tarn_hash_bytes(str, strlen(str), 0) & (s->cap - 1);
    while (s->slots[k]) {
        if (strcmp(s->slots[k], str) == 0)
            return true;
        k = (k + 1) & (s->cap - 1);
    }
    return false;
}

typedef struct vac {
    const char *root;                /* table root */
    size_t root_len;                 /* strlen(root) */
    const char *real_root;           /* realpath of the root, or NULL */
    size_t real_len;                 /* strlen(real_root) */
    const tarn_delta_snapshot *snap; /* current snapshot */
    tarn_arena *a;                   /* scratch strings */
    strset keep;                     /* protected relative paths */
    strset expired;                  /* tombstones past the retention */
    int64_t cutoff_ms;               /* retention boundary */
    bool dry_run;                    /* list only */
    char **files;                    /* deleted paths (heap array of arena strings) */
    int n_files;                     /* entries in files */
    int cap_files;                   /* capacity */
    tarn_delta_vacuum_result *out;   /* counters */
} vac;

static tarn_status vac_nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "vacuum: out of memory");
}

/* Path relative to the table root of a local path (relative paths are
 * already); NULL when it lies outside the table. */
static const char *local_relative(const vac *v, const char *p)
{
    if (strncmp(p, "file:", 5) == 0) {
        p += 5;
        while (p[0] == '/' && p[1] == '/')
            p++; /* file:///x -> /x */
    }
    if (strncmp(p, "./", 2) == 0)
        p += 2;
    if (strncmp(p, v->root, v->root_len) == 0 && p[v->root_len] == '/')
        return p + v->root_len + 1;
    if (v->real_root && strncmp(p, v->real_root, v->real_len) == 0 && p[v->real_len] == '/')
        return p + v->real_len + 1;
    return p[0] == '/' ? NULL : p;
}

/* Relative path of a log path (URI-decoded); NULL when outside the table. */
static const char *relative(vac *v, const char *log_path)
{
    char *p = tarn_delta_uri_decode(v->a, log_path);
    return p ? local_relative(v, p) : NULL;
}

static tarn_status protect_dv(vac *v, const tarn_delta_dv *dv, tarn_err *err)
{
    if (dv->storage_type == 'i')
        return TARN_OK;
    char *path;
    tarn_err e;
    if (tarn_delta_dv_path(v->a, v->root, dv, &path, &e) != TARN_OK)
        return TARN_OK; /* malformed descriptor: nothing we could delete by it */
    const char *rel = local_relative(v, path);
    if (!rel)
        return TARN_OK;
    return set_add(&v->keep, rel) ? TARN_OK : vac_nomem(err);
}

static tarn_status build_sets(vac *v, tarn_err *err)
{
    const tarn_delta_snapshot *s = v->snap;
    for (int i = 0; i < s->n_files; i++) {
        const char *rel = relative(v, s->files[i].path);
        if (rel && !set_add(&v->keep, rel))
            return vac_nomem(err);
        if (s->files[i].has_dv)
            TARN_TRY(protect_dv(v, &s->files[i].dv, err));
    }
    for (int i = 0; i < s->n_tombstones; i++) {
        const tarn_delta_remove *r = &s->tombstones[i];
        const char *rel = relative(v, r->path);
        if (!rel)
            continue;
        bool expired = r->has_deletion_timestamp && r->deletion_timestamp < v->cutoff_ms;
        if (!set_add(expired ? &v->expired : &v->keep, rel))
            return vac_nomem(err);
        if (!expired && r->has_dv)
            TARN_TRY(protect_dv(v, &r->dv, err));
    }
    return TARN_OK;
}

static bool is_partition_dir(const vac *v, const char *name)
{
    for (int i = 0; i < v->snap->metadata.n_partition_columns; i++) {
        const char *c = v->snap->metadata.partition_columns[i];
        size_t n = strlen(c);
        if (strncmp(name, c, n) == 0 && name[n] == '=')
            return true;
    }
    return false;
}

static bool hidden(const vac *v, const char *name)
{
    return (name[0] == '.' || name[0] == '_') && !is_partition_dir(v, name);
}

static tarn_status record(vac *v, const char *rel, int64_t size, tarn_err *err)
{
    if (v->n_files == v->cap_files) {
        int nc = v->cap_files ? v->cap_files * 2 : 64;
        char **p = tarn_realloc(v->files, (size_t)nc * sizeof *p);
        if (!p)
            return vac_nomem(err);
        v->files = p;
        v->cap_files = nc;
    }
    char *copy = tarn_arena_strdup(v->out->arena, rel);
    if (!copy)
        return vac_nomem(err);
    v->files[v->n_files++] = copy;
    v->out->bytes += size;
    return TARN_OK;
}

static tarn_status delete_file(vac *v, const char *abs, const char *rel, int64_t size,
                               tarn_err *err)
{
    if (!v->dry_run)
        TARN_TRY(tarn_file_remove(abs, err));
    return record(v, rel, size, err);
}

/* Walks dir (rel: its path relative to the root, "" for the root). */
static tarn_status walk(vac *v, const char *dir, const char *rel, int depth, tarn_err *err)
{
    if (depth > VACUUM_MAX_DEPTH)
        return tarn_err_set(err, TARN_ERR_LIMIT, "vacuum: directories nested too deep at %s", dir);
    char **names;
    size_t n;
    tarn_arena *la = tarn_arena_create(0);
    if (!la)
        return vac_nomem(err);
    tarn_status st = tarn_dir_list(dir, la, &names, &n, err);
    for (size_t i = 0; i < n && st == TARN_OK; i++) {
        const char *name = names[i];
        if (depth == 0 && strcmp(name, "_delta_log") == 0)
            continue;
        if (hidden(v, name))
            continue;
        char *abs = tarn_path_join(la, dir, name);
        char *r = *rel ? tarn_arena_printf(la, "%s/%s", rel, name) : tarn_arena_strdup(la, name);
        if (!abs || !r) {
            st = vac_nomem(err);
            break;
        }
        tarn_stat fs;
        tarn_err e;
        if (tarn_file_stat(abs, &fs, &e) != TARN_OK)
            continue; /* vanished meanwhile */
        if (fs.is_dir) {
            st = walk(v, abs, r, depth + 1, err);
            if (st == TARN_OK && !v->dry_run) {
                bool existed = tarn_is_dir(abs);
                tarn_dir_remove_if_empty(abs);
                v->out->n_dirs_removed += existed && !tarn_is_dir(abs);
            }
            continue;
        }
        if (set_has(&v->keep, r)) {
            v->out->files_kept++;
            continue;
        }
        if (set_has(&v->expired, r) || fs.mtime_us / 1000 < v->cutoff_ms)
            st = delete_file(v, abs, r, fs.size, err);
        else
            v->out->files_kept++;
    }
    tarn_arena_destroy(la);
    return st;
}

/* Stale temp files of interrupted publishes and checkpoints in _delta_log. */
static tarn_status clean_log_temps(vac *v, tarn_err *err)
{
    char *log = tarn_path_join(v->a, v->root, "_delta_log");
    char **names;
    size_t n;
    if (!log)
        return vac_nomem(err);
    TARN_TRY(tarn_dir_list(log, v->a, &names, &n, err));
    for (size_t i = 0; i < n; i++) {
        if (!strstr(names[i], ".tmp-"))
            continue;
        char *abs = tarn_path_join(v->a, log, names[i]);
        char *rel = tarn_arena_printf(v->a, "_delta_log/%s", names[i]);
        tarn_stat fs;
        tarn_err e;
        if (!abs || !rel)
            return vac_nomem(err);
        if (tarn_file_stat(abs, &fs, &e) != TARN_OK || fs.is_dir ||
            fs.mtime_us / 1000 >= v->cutoff_ms)
            continue;
        TARN_TRY(delete_file(v, abs, rel, fs.size, err));
        v->out->n_log_temp_files++;
    }
    return TARN_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Moves the collected paths into the result, sorted. */
static void finish_list(vac *v)
{
    tarn_delta_vacuum_result *out = v->out;
    if (v->n_files == 0 || !out->arena)
        return;
    out->files = tarn_arena_alloc(out->arena, (size_t)v->n_files * sizeof *out->files);
    if (!out->files)
        return;
    memcpy(out->files, v->files, (size_t)v->n_files * sizeof *out->files);
    out->n_files = v->n_files;
    qsort(out->files, (size_t)out->n_files, sizeof *out->files, cmp_str);
}

tarn_status tarn_delta_vacuum(const char *table_path, double retain_hours, bool dry_run, bool force,
                              tarn_delta_vacuum_result *out, tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->arena = tarn_arena_create(0);
    vac v;
    memset(&v, 0, sizeof v);
    v.out = out;
    v.dry_run = dry_run;
    v.a = tarn_arena_create(0);
    tarn_delta_snapshot *snap = NULL;
    tarn_status st = TARN_OK;
    if (!out->arena || !v.a) {
        st = vac_nomem(err);
        goto done;
    }
    /* The root as given, without trailing slashes (for path comparisons). */
    char *root = tarn_arena_strdup(v.a, table_path);
    size_t rl = root ? strlen(root) : 0;
    while (rl > 1 && root[rl - 1] == '/')
        root[--rl] = '\0';
    v.root = root;
    v.root_len = rl;
    char *real = root ? realpath(root, NULL) : NULL;
    if (real) {
        v.real_root = tarn_arena_strdup(v.a, real);
        v.real_len = v.real_root ? strlen(v.real_root) : 0;
        free(real);
    }
    tarn_delta_at at = {.kind = TARN_DELTA_AT_LATEST};
    if (!root || (st = tarn_delta_snapshot_load(table_path, &at, &snap, err)) != TARN_OK) {
        if (!root)
            st = vac_nomem(err);
        goto done;
    }
    v.snap = snap;
    if ((st = tarn_delta_writer_check(&snap->protocol, &snap->metadata, err)) != TARN_OK) {
        tarn_err_prefix(err, "vacuum refused");
        goto done;
    }
    int64_t table_ms = tarn_delta_deleted_file_retention_ms(snap->metadata.configuration,
                                                            snap->metadata.n_configuration);
    int64_t retain_ms = retain_hours < 0 ? table_ms : (int64_t)(retain_hours * 3600000.0);
    out->retain_hours = (double)retain_ms / 3600000.0;
    if (retain_ms < table_ms && !force) {
        st = tarn_err_set(err, TARN_ERR_INVALID,
                          "vacuum retention of %g hours is shorter than the table's "
                          "delta.deletedFileRetentionDuration (%g hours): readers of older "
                          "versions and running writers may still need those files; use "
                          "--force (force = true) to vacuum anyway",
                          out->retain_hours, (double)table_ms / 3600000.0);
        tarn_err_set_hint(err, "pass --force to accept a shorter retention");
        goto done;
    }
    v.cutoff_ms = tarn_now_us() / 1000 - retain_ms;
    out->cutoff_ms = v.cutoff_ms;
    if ((st = build_sets(&v, err)) != TARN_OK)
        goto done;
    if ((st = walk(&v, v.root, "", 0, err)) != TARN_OK)
        goto done;
    st = clean_log_temps(&v, err);
done:
    finish_list(&v);
    tarn_free(v.files);
    tarn_free(v.keep.slots);
    tarn_free(v.expired.slots);
    tarn_delta_snapshot_destroy(snap);
    tarn_arena_destroy(v.a);
    return st;
}

void tarn_delta_vacuum_result_fini(tarn_delta_vacuum_result *r)
{
    if (!r)
        return;
    tarn_arena_destroy(r->arena);
    memset(r, 0, sizeof *r);
}
