/*
 * delta/snapshot.c - load a Delta table snapshot: list _delta_log, pick the
 * newest complete checkpoint at or below the target version, replay the
 * JSON commits after it, check the protocol, build the logical schema.
 *
 * Invariants: versions from the starting point to the target must be
 * contiguous (a gap is TARN_ERR_CORRUPT naming the missing version); file
 * identity is (decoded path, DV unique id), kept in an open-addressing hash
 * table so replay is linear in the number of actions; the listing is
 * authoritative (_last_checkpoint is never needed, since tarn lists the log
 * directory anyway). All snapshot memory hangs off snap->arena, except the
 * schema which owns its own arena.
 */
#include "delta/snapshot.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/hash.h"
#include "base/time.h"
#include "column/value.h"
#include "delta/dv.h"
#include "delta/schema.h"
#include "delta/snapshot_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COMMIT_MAX_BYTES ((size_t)4 << 30) /* one commit file */

/* Listing ------------------------------------------------------------------- */

typedef enum ckpt_kind {
    CK_CLASSIC = 0, /* N.checkpoint.parquet (V1 or V2 content) */
    CK_V2,          /* N.checkpoint.<uuid>.parquet|json */
    CK_MULTI        /* N.checkpoint.i.k.parquet, all k parts present */
} ckpt_kind;

typedef struct ckpt {
    int64_t version;    /* table version the checkpoint holds */
    ckpt_kind kind;     /* naming scheme */
    int n_parts;        /* files in names (k for multi-part, else 1) */
    const char **names; /* file names inside _delta_log, part order */
} ckpt;

typedef struct multi_part {
    int64_t version;  /* checkpoint version */
    int64_t part;     /* i (1-based) */
    int64_t parts;    /* k */
    const char *name; /* file name */
} multi_part;

typedef struct listing {
    const char *log_dir; /* <table>/_delta_log */
    int64_t *commits;    /* versions with a NNN.json, ascending (arena) */
    int64_t n_commits;   /* entries in commits */
    ckpt *ckpts;         /* complete checkpoints, ascending version (arena) */
    int n_ckpts;         /* entries in ckpts */
    int64_t latest;      /* newest version (commit or checkpoint), -1 when none */
    int64_t earliest;    /* oldest loadable version, -1 when none */
} listing;

static bool digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int64_t parse_digits(const char *s, int n)
{
    int64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Classifies one _delta_log entry: 1 commit, 2 checkpoint file, 0 other.
 * Fills version and, for checkpoints, the kind and multi-part numbers. */
static int classify(const char *name, int64_t *version, ckpt_kind *kind, int64_t *part,
                    int64_t *parts)
{
    size_t n = strlen(name);
    if (n < 21 || !digits(name, 20) || name[20] != '.')
        return 0;
    *version = parse_digits(name, 20);
    const char *rest = name + 20;
    if (strcmp(rest, ".json") == 0)
        return 1;
    if (strcmp(rest, ".checkpoint.parquet") == 0) {
        *kind = CK_CLASSIC;
        return 2;
    }
    if (strncmp(rest, ".checkpoint.", 12) != 0)
        return 0;
    const char *t = rest + 12;
    size_t tl = strlen(t);
    if (tl == 29 && digits(t, 10) && t[10] == '.' && digits(t + 11, 10) &&
        strcmp(t + 21, ".parquet") == 0) {
        *part = parse_digits(t, 10);
        *parts = parse_digits(t + 11, 10);
        if (*part < 1 || *part > *parts)
            return 0;
        *kind = CK_MULTI;
        return 2;
    }
    const char *dot = strchr(t, '.');
    if (!dot || dot == t || (strcmp(dot, ".parquet") != 0 && strcmp(dot, ".json") != 0))
        return 0;
    *kind = CK_V2;
    return 2;
}

static int cmp_multi(const void *pa, const void *pb)
{
    const multi_part *a = pa, *b = pb;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    if (a->parts != b->parts)
        return a->parts < b->parts ? -1 : 1;
    return a->part < b->part ? -1 : (a->part > b->part);
}

static int cmp_ckpt(const void *pa, const void *pb)
{
    const ckpt *a = pa, *b = pb;
    if (a->version != b->version)
        return a->version < b->version ? -1 : 1;
    return (int)a->kind - (int)b->kind;
}

/* Appends the complete multi-part checkpoints among mp[0..n) to l->ckpts. */
static tarn_status add_multi(tarn_arena *a, listing *l, multi_part *mp, int64_t n, tarn_err *err)
{
    qsort(mp, (size_t)n, sizeof *mp, cmp_multi);
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j < n && mp[j].version == mp[i].version && mp[j].parts == mp[i].parts)
            j++;
        bool complete = (j - i) == mp[i].parts;
        for (int64_t k = i; complete && k < j; k++)
            complete = mp[k].part == k - i + 1;
        if (complete) {
            ckpt *c = &l->ckpts[l->n_ckpts++];
            c->version = mp[i].version;
            c->kind = CK_MULTI;
            c->n_parts = (int)(j - i);
            c->names = tarn_arena_calloc(a, (size_t)c->n_parts, sizeof *c->names);
            if (!c->names)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            for (int64_t k = i; k < j; k++)
                c->names[k - i] = mp[k].name;
        }
        i = j;
    }
    return TARN_OK;
}

static tarn_status list_log(tarn_arena *a, const char *table, listing *l, tarn_err *err)
{
    memset(l, 0, sizeof *l);
    l->latest = l->earliest = -1;
    l->log_dir = tarn_path_join(a, table, "_delta_log");
    if (!l->log_dir)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (!tarn_is_dir(l->log_dir))
        return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                            "'%s' is not a Delta table (no _delta_log directory)", table);
    char **names;
    size_t n;
    TARN_TRY(tarn_dir_list(l->log_dir, a, &names, &n, err));
    l->commits = tarn_arena_alloc(a, (n + 1) * sizeof *l->commits);
    l->ckpts = tarn_arena_calloc(a, n + 1, sizeof *l->ckpts);
    multi_part *mp = tarn_alloc((n + 1) * sizeof *mp);
    if (!l->commits || !l->ckpts || !mp) {
        tarn_free(mp);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    int64_t n_mp = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t v, part = 0, parts = 0;
        ckpt_kind kind = CK_CLASSIC;
        int k = classify(names[i], &v, &kind, &part, &parts);
        if (k == 1) {
            l->commits[l->n_commits++] = v; /* names are sorted, so versions ascend */
        } else if (k == 2 && kind == CK_MULTI) {
            mp[n_mp++] = (multi_part){v, part, parts, names[i]};
        } else if (k == 2) {
            ckpt *c = &l->ckpts[l->n_ckpts++];
            c->version = v;
            c->kind = kind;
            c->n_parts = 1;
            c->names = tarn_arena_alloc(a, sizeof *c->names);
            if (!c->names) {
                tarn_free(mp);
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            }
            c->names[0] = names[i];
        }
    }
    tarn_status st = add_multi(a, l, mp, n_mp, err);
    tarn_free(mp);
    TARN_TRY(st);
    qsort(l->ckpts, (size_t)l->n_ckpts, sizeof *l->ckpts, cmp_ckpt);
    if (l->n_commits)
        l->latest = l->commits[l->n_commits - 1];
    if (l->n_ckpts && l->ckpts[l->n_ckpts - 1].version > l->latest)
        l->latest = l->ckpts[l->n_ckpts - 1].version;
    if (l->n_commits && l->commits[0] == 0)
        l->earliest = 0;
    else if (l->n_ckpts)
        l->earliest = l->ckpts[0].version;
    if (l->latest < 0)
        return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                            "'%s' is not a Delta table (_delta_log holds no commits)", table);
    if (l->earliest < 0)
        return tarn_err_set(
            err, TARN_ERR_CORRUPT,
            "%s: no checkpoint and no commit 0 to start from (oldest commit is %lld)", l->log_dir,
            (long long)l->commits[0]);
    return TARN_OK;
}

/* Index of version v in l->commits, or -1. */
static int64_t commit_index(const listing *l, int64_t v)
{
    int64_t lo = 0, hi = l->n_commits;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (l->commits[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < l->n_commits && l->commits[lo] == v) ? lo : -1;
}

/* Refuses a gap in (from, to]: every commit in between must be listed. */
static tarn_status check_contiguous(const listing *l, int64_t from, int64_t to, tarn_err *err)
{
    int64_t lo = 0, hi = l->n_commits;
    while (lo < hi) { /* first commit > from */
        int64_t mid = lo + (hi - lo) / 2;
        if (l->commits[mid] <= from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (int64_t v = from + 1; v <= to; v++, lo++) {
        if (lo >= l->n_commits || l->commits[lo] != v)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "%s: commit version %lld is missing (versions must be contiguous "
                                "from %lld to %lld)",
                                l->log_dir, (long long)v, (long long)(from < 0 ? 0 : from),
                                (long long)to);
    }
    return TARN_OK;
}

/* Replay state --------------------------------------------------------------- */

typedef struct fentry {
    uint64_t hash;               /* of (path, dv_id) */
    const char *path;            /* normalized decoded path */
    const char *dv_id;           /* DV unique id, or NULL */
    const tarn_delta_add *add;   /* active add, or NULL */
    const tarn_delta_remove *rm; /* tombstone, or NULL (never both set) */
} fentry;

typedef struct replay {
    tarn_arena *a;                /* snapshot arena: parsed actions live here */
    const char *root;             /* table root as given */
    size_t root_len;              /* strlen(root) without trailing slashes */
    bool meta_only;               /* skip file actions */
    fentry *entries;              /* heap, creation order */
    int64_t n_entries;            /* used */
    int64_t cap_entries;          /* allocated */
    uint32_t *slots;              /* heap; entry index + 1, 0 = empty */
    uint64_t n_slots;             /* power of two */
    tarn_delta_txn *txns;         /* heap; latest per appId */
    int n_txns;                   /* used */
    int cap_txns;                 /* allocated */
    uint32_t *txn_slots;          /* heap; txn index + 1 by appId hash, 0 = empty */
    uint64_t n_txn_slots;         /* power of two */
    bool has_protocol;            /* protocol seen */
    tarn_delta_protocol protocol; /* latest protocol */
    bool has_metadata;            /* metaData seen */
    tarn_delta_metadata metadata; /* latest metaData */
} replay;

static void replay_fini(replay *r)
{
    tarn_free(r->entries);
    tarn_free(r->slots);
    tarn_free(r->txns);
    tarn_free(r->txn_slots);
    r->entries = NULL;
    r->slots = NULL;
    r->txns = NULL;
    r->txn_slots = NULL;
}

/* Path identity: decoded once; "file:" URIs and absolute paths under the
 * table root reduce to the relative path, so both spellings match. */
static const char *file_key(replay *r, const char *log_path)
{
    char *d = tarn_delta_uri_decode(r->a, log_path);
    if (!d)
        return NULL;
    const char *p = d;
    if (strncasecmp(p, "file:", 5) == 0) {
        p += 5;
        if (p[0] == '/' && p[1] == '/') {
            p += 2;
            if (strncmp(p, "localhost/", 10) == 0)
                p += 9;
        }
    }
    if (p[0] == '/' && strncmp(p, r->root, r->root_len) == 0 && p[r->root_len] == '/')
        p += r->root_len + 1;
    return p;
}

static tarn_status grow_slots(replay *r, tarn_err *err)
{
    uint64_t ncap = r->n_slots ? r->n_slots * 2 : 1024;
    uint32_t *ns = tarn_calloc(ncap, sizeof *ns);
    if (!ns)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < r->n_entries; i++) {
        uint64_t s = r->entries[i].hash & (ncap - 1);
        while (ns[s])
            s = (s + 1) & (ncap - 1);
        ns[s] = (uint32_t)(i + 1);
    }
    tarn_free(r->slots);
    r->slots = ns;
    r->n_slots = ncap;
    return TARN_OK;
}

/* Finds or creates the entry of (path, dv_id). */
static tarn_status lookup(replay *r, const char *log_path, bool has_dv, const tarn_delta_dv *dv,
                          fentry **out, tarn_err *err)
{
    const char *path = file_key(r, log_path);
    const char *dv_id = has_dv ? tarn_delta_dv_unique_id(r->a, dv) : NULL;
    if (!path || (has_dv && !dv_id))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    uint64_t h = tarn_hash_bytes(path, strlen(path), 0x9e37);
    if (dv_id)
        h = tarn_hash_combine(h, tarn_hash_bytes(dv_id, strlen(dv_id), 7));
    if ((uint64_t)(r->n_entries + 1) * 2 > r->n_slots)
        TARN_TRY(grow_slots(r, err));
    uint64_t s = h & (r->n_slots - 1);
    while (r->slots[s]) {
        fentry *e = &r->entries[r->slots[s] - 1];
        if (e->hash == h && strcmp(e->path, path) == 0 &&
            ((!e->dv_id && !dv_id) || (e->dv_id && dv_id && strcmp(e->dv_id, dv_id) == 0))) {
            *out = e;
            return TARN_OK;
        }
        s = (s + 1) & (r->n_slots - 1);
    }
    if (r->n_entries >= UINT32_MAX - 1)
        return tarn_err_set(err, TARN_ERR_LIMIT, "too many files in the table log");
    if (r->n_entries == r->cap_entries) {
        int64_t nc = r->cap_entries ? r->cap_entries * 2 : 256;
        fentry *ne = tarn_realloc(r->entries, (size_t)nc * sizeof *ne);
        if (!ne)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        r->entries = ne;
        r->cap_entries = nc;
    }
    fentry *e = &r->entries[r->n_entries];
    *e = (fentry){h, path, dv_id, NULL, NULL};
    r->slots[s] = (uint32_t)(++r->n_entries);
    *out = e;
    return TARN_OK;
}

static uint64_t app_hash(const char *app_id)
{
    return tarn_hash_bytes(app_id, strlen(app_id), 0x7478);
}

/* Rebuilds the appId index with room for twice the txns. */
static tarn_status grow_txn_slots(replay *r, tarn_err *err)
{
    uint64_t ncap = r->n_txn_slots ? r->n_txn_slots * 2 : 64;
    uint32_t *ns = tarn_calloc(ncap, sizeof *ns);
    if (!ns)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < r->n_txns; i++) {
        uint64_t s = app_hash(r->txns[i].app_id) & (ncap - 1);
        while (ns[s])
            s = (s + 1) & (ncap - 1);
        ns[s] = (uint32_t)(i + 1);
    }
    tarn_free(r->txn_slots);
    r->txn_slots = ns;
    r->n_txn_slots = ncap;
    return TARN_OK;
}

/* The latest txn per appId wins (hash lookup: many app ids stay linear). */
static tarn_status apply_txn(replay *r, const tarn_delta_txn *t, tarn_err *err)
{
    if ((uint64_t)(r->n_txns + 1) * 2 > r->n_txn_slots)
        TARN_TRY(grow_txn_slots(r, err));
    uint64_t s = app_hash(t->app_id) & (r->n_txn_slots - 1);
    while (r->txn_slots[s]) {
        tarn_delta_txn *old = &r->txns[r->txn_slots[s] - 1];
        if (strcmp(old->app_id, t->app_id) == 0) {
            *old = *t;
            return TARN_OK;
        }
        s = (s + 1) & (r->n_txn_slots - 1);
    }
    if (r->n_txns == INT32_MAX - 1)
        return tarn_err_set(err, TARN_ERR_LIMIT, "too many transaction ids in the table log");
    if (r->n_txns == r->cap_txns) {
        int nc = r->cap_txns ? r->cap_txns * 2 : 8;
        tarn_delta_txn *nt = tarn_realloc(r->txns, (size_t)nc * sizeof *nt);
        if (!nt)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        r->txns = nt;
        r->cap_txns = nc;
    }
    r->txns[r->n_txns++] = *t;
    r->txn_slots[s] = (uint32_t)r->n_txns;
    return TARN_OK;
}

/* Applies one commit's (or checkpoint's) actions. Removes go first so a
 * file removed and re-added in one version stays (the add wins). */
static tarn_status apply(replay *r, const tarn_delta_actions *acts, tarn_err *err)
{
    if (acts->has_protocol) {
        r->protocol = acts->protocol;
        r->has_protocol = true;
    }
    if (acts->has_metadata) {
        r->metadata = acts->metadata;
        r->has_metadata = true;
    }
    for (int i = 0; i < acts->n_txns; i++)
        TARN_TRY(apply_txn(r, &acts->txns[i], err));
    if (r->meta_only)
        return TARN_OK;
    fentry *e;
    for (int i = 0; i < acts->n_removes; i++) {
        const tarn_delta_remove *rm = &acts->removes[i];
        TARN_TRY(lookup(r, rm->path, rm->has_dv, &rm->dv, &e, err));
        e->add = NULL;
        e->rm = rm;
    }
    for (int i = 0; i < acts->n_adds; i++) {
        const tarn_delta_add *ad = &acts->adds[i];
        TARN_TRY(lookup(r, ad->path, ad->has_dv, &ad->dv, &e, err));
        e->add = ad;
        e->rm = NULL;
    }
    return TARN_OK;
}

/* Reading log files ------------------------------------------------------------ */

static tarn_status read_commit(const listing *l, tarn_arena *a, int64_t v, tarn_delta_actions *acts,
                               tarn_err *err)
{
    char name[32];
    tarn_delta_commit_name(v, name);
    char *path = tarn_path_join(a, l->log_dir, name);
    if (!path)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_buf b = TARN_BUF_INIT;
    tarn_status st = tarn_file_read_all(path, COMMIT_MAX_BYTES, &b, err);
    if (st == TARN_OK)
        st = tarn_delta_actions_parse(b.data ? b.data : "", b.len, path, a, acts, err);
    tarn_buf_fini(&b);
    return st;
}

/* Reads every file of checkpoint c (and the sidecars of a V2 checkpoint)
 * into a list of action sets; nothing is applied, so a failure leaves the
 * replay untouched and an older checkpoint can be tried. */
static tarn_status read_checkpoint(const listing *l, tarn_arena *a, const ckpt *c, bool meta_only,
                                   tarn_delta_actions **out, int *out_n, tarn_err *err)
{
    int cap = c->n_parts + 1, n = 0;
    tarn_delta_actions *acts = tarn_arena_calloc(a, (size_t)cap, sizeof *acts);
    if (!acts)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < c->n_parts; i++) {
        char *path = tarn_path_join(a, l->log_dir, c->names[i]);
        if (!path)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        size_t pl = strlen(path);
        if (pl > 5 && strcmp(path + pl - 5, ".json") == 0) {
            tarn_buf b = TARN_BUF_INIT;
            tarn_status st = tarn_file_read_all(path, COMMIT_MAX_BYTES, &b, err);
            if (st == TARN_OK)
                st = tarn_delta_actions_parse(b.data ? b.data : "", b.len, path, a, &acts[n], err);
            tarn_buf_fini(&b);
            TARN_TRY(st);
        } else {
            TARN_TRY(tarn_delta_checkpoint_read_parquet(path, a, meta_only, &acts[n], err));
        }
        n++;
    }
    /* V2: sidecars hold the file actions. */
    int n_sidecars = 0;
    for (int i = 0; i < n; i++)
        n_sidecars += acts[i].n_sidecars;
    if (n_sidecars && !meta_only) {
        tarn_delta_actions *more = tarn_arena_calloc(a, (size_t)(n + n_sidecars), sizeof *more);
        if (!more)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        memcpy(more, acts, (size_t)n * sizeof *acts);
        acts = more;
        int base = n;
        char *sc_dir = tarn_path_join(a, l->log_dir, "_sidecars");
        if (!sc_dir)
            return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        for (int i = 0; i < base; i++) {
            for (int k = 0; k < acts[i].n_sidecars; k++) {
                char *sp;
                TARN_TRY(tarn_delta_path_resolve(a, sc_dir, acts[i].sidecars[k].path, &sp, err));
                TARN_TRY(tarn_delta_checkpoint_read_parquet(sp, a, false, &acts[n], err));
                n++;
            }
        }
    }
    *out = acts;
    *out_n = n;
    return TARN_OK;
}

/* Protocol ------------------------------------------------------------------- */

static const char *const READER_FEATURES[] = {
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck",
};

bool tarn_delta_protocol_has_reader_feature(const tarn_delta_protocol *p, const char *name)
{
    for (int i = 0; i < p->n_reader_features; i++)
        if (strcmp(p->reader_features[i], name) == 0)
            return true;
    return false;
}

bool tarn_delta_protocol_has_writer_feature(const tarn_delta_protocol *p, const char *name)
{
    for (int i = 0; i < p->n_writer_features; i++)
        if (strcmp(p->writer_features[i], name) == 0)
            return true;
    return false;
}

tarn_status tarn_delta_protocol_check_read(const tarn_delta_protocol *p, tarn_err *err)
{
    if (p->min_reader_version < 1 || p->min_reader_version > 3)
        return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                            "table requires Delta reader version %d, tarn supports reader "
                            "versions 1 to 3",
                            (int)p->min_reader_version);
    if (p->min_reader_version < 3)
        return TARN_OK; /* readerFeatures only exist at version 3 */
    for (int i = 0; i < p->n_reader_features; i++) {
        bool known = false;
        for (size_t k = 0; k < TARN_ARRAY_LEN(READER_FEATURES); k++)
            known = known || strcmp(p->reader_features[i], READER_FEATURES[k]) == 0;
        if (!known)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "table requires reader feature '%s', which tarn does not support",
                                p->reader_features[i]);
    }
    return TARN_OK;
}

/* Schema and column mapping ------------------------------------------------------ */

static void strip_mapping(tarn_field *f)
{
    f->physical_name = NULL;
    f->field_id = -1;
    for (int i = 0; i < f->n_children; i++)
        strip_mapping(&f->children[i]);
}

static tarn_status build_schema(tarn_delta_snapshot *s, tarn_err *err)
{
    const tarn_delta_metadata *md = &s->metadata;
    const char *mode = tarn_delta_snapshot_config(s, "delta.columnMapping.mode");
    bool cm_supported = s->protocol.min_reader_version == 2 ||
                        (s->protocol.min_reader_version == 3 &&
                         tarn_delta_protocol_has_reader_feature(&s->protocol, "columnMapping"));
    s->column_mapping = TARN_DELTA_CM_NONE;
    if (cm_supported && mode) {
        if (strcasecmp(mode, "name") == 0)
            s->column_mapping = TARN_DELTA_CM_NAME;
        else if (strcasecmp(mode, "id") == 0)
            s->column_mapping = TARN_DELTA_CM_ID;
        else if (strcasecmp(mode, "none") != 0)
            return tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                                "table uses column mapping mode '%s', which tarn does not support",
                                mode);
    }
    TARN_TRY(
        tarn_delta_schema_parse(md->schema_string, strlen(md->schema_string), &s->schema, err));
    /* Under column mapping a field lacking its id or physical name is matched
     * by the next best key (see scan.c); without it the keys are dropped. */
    for (int i = 0; s->column_mapping == TARN_DELTA_CM_NONE && i < s->schema->n_fields; i++)
        strip_mapping(&s->schema->fields[i]);
    s->n_partition_columns = md->n_partition_columns;
    s->partition_column_index =
        tarn_arena_calloc(s->arena, (size_t)(md->n_partition_columns + 1), sizeof(int));
    if (!s->partition_column_index)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int i = 0; i < md->n_partition_columns; i++) {
        int k = tarn_schema_find(s->schema, md->partition_columns[i]);
        if (k < 0)
            k = tarn_schema_find_ci(s->schema, md->partition_columns[i]);
        if (k < 0)
            return tarn_err_set(err, TARN_ERR_CORRUPT,
                                "partition column '%s' is not in the table schema",
                                md->partition_columns[i]);
        if (tarn_type_is_nested(s->schema->fields[k].type.id))
            return tarn_err_set(err, TARN_ERR_CORRUPT, "partition column '%s' has a nested type",
                                md->partition_columns[i]);
        s->partition_column_index[i] = k;
    }
    return TARN_OK;
}

/* Commit timestamps ------------------------------------------------------------- */

/* In-commit timestamp settings of a table. */
typedef struct ict_info {
    bool enabled;         /* delta.enableInCommitTimestamps = true */
    int64_t from_version; /* first version carrying inCommitTimestamp */
    bool has_from_ts;     /* enablement timestamp known */
    int64_t from_ts;      /* its inCommitTimestamp (ms) */
} ict_info;

static bool conf_true(const tarn_delta_snapshot *s, const char *key)
{
    const char *v = tarn_delta_snapshot_config(s, key);
    return v && strcasecmp(v, "true") == 0;
}

static bool conf_i64(const tarn_delta_snapshot *s, const char *key, int64_t *out)
{
    const char *v = tarn_delta_snapshot_config(s, key);
    tarn_err e;
    return v && tarn_parse_int(v, strlen(v), INT64_MIN, INT64_MAX, out, &e) == TARN_OK;
}

static ict_info ict_of(const tarn_delta_snapshot *s)
{
    ict_info ict = {false, 0, false, 0};
    ict.enabled = conf_true(s, "delta.enableInCommitTimestamps") ||
                  conf_true(s, "delta.enableInCommitTimestamps-preview");
    if (!conf_i64(s, "delta.inCommitTimestampEnablementVersion", &ict.from_version))
        ict.from_version = 0;
    ict.has_from_ts = conf_i64(s, "delta.inCommitTimestampEnablementTimestamp", &ict.from_ts);
    return ict;
}

static tarn_status file_mtime_ms(const char *path, int64_t *out, tarn_err *err)
{
    tarn_stat st;
    TARN_TRY(tarn_file_stat(path, &st, err));
    *out = tarn_floordiv(st.mtime_us, 1000);
    return TARN_OK;
}

/* Modification time of the commit file of v (or of its checkpoint). */
static tarn_status version_mtime(const listing *l, tarn_arena *a, int64_t v, int64_t *out,
                                 tarn_err *err)
{
    char name[32];
    tarn_delta_commit_name(v, name);
    char *path = tarn_path_join(a, l->log_dir, name);
    if (!path)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    if (commit_index(l, v) < 0) {
        for (int i = 0; i < l->n_ckpts; i++)
            if (l->ckpts[i].version == v)
                path = tarn_path_join(a, l->log_dir, l->ckpts[i].names[0]);
    }
    return file_mtime_ms(path, out, err);
}

/* inCommitTimestamp of commit v (its first line must be commitInfo). */
static tarn_status version_ict(const listing *l, tarn_arena *a, int64_t v, int64_t *out,
                               tarn_err *err)
{
    char name[32];
    tarn_delta_commit_name(v, name);
    char *path = tarn_path_join(a, l->log_dir, name);
    if (!path)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_rfile f = {-1, 0, NULL};
    TARN_TRY(tarn_rfile_open(&f, path, err));
    tarn_buf b = TARN_BUF_INIT;
    tarn_status st = TARN_OK;
    int64_t off = 0;
    const char *nl = NULL;
    while (!nl && off < f.size && st == TARN_OK) {
        size_t want = (size_t)TARN_MIN(f.size - off, 65536);
        st = tarn_buf_reserve(&b, want);
        if (st == TARN_OK)
            st = tarn_rfile_pread(&f, off, b.data + b.len, want, err);
        if (st == TARN_OK) {
            nl = memchr(b.data + b.len, '\n', want);
            b.len += want;
            off += (int64_t)want;
        }
    }
    tarn_rfile_close(&f);
    tarn_delta_actions acts;
    size_t len = nl ? (size_t)(nl - b.data) : b.len;
    if (st == TARN_OK)
        st = tarn_delta_actions_parse(b.data ? b.data : "", len, path, a, &acts, err);
    tarn_buf_fini(&b);
    TARN_TRY(st);
    if (!acts.commit_info.has_in_commit_timestamp)
        return tarn_err_set(err, TARN_ERR_CORRUPT,
                            "%s: in-commit timestamps are enabled but the first action is not a "
                            "commitInfo with inCommitTimestamp",
                            path);
    *out = acts.commit_info.in_commit_timestamp;
    return TARN_OK;
}

static const char *fmt_ms(int64_t ms, char *buf)
{
    if (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000) {
        snprintf(buf, TARN_FMT_MAX, "%lld ms", (long long)ms);
        return buf;
    }
    int n = tarn_fmt_timestamp(ms * 1000, true, buf);
    buf[n] = '\0';
    return buf;
}

/* Latest version committed at or before ts_ms (see snapshot.h). */
static tarn_status version_at_time(const listing *l, tarn_arena *a, const ict_info *ict,
                                   int64_t ts_ms, int64_t *out_v, int64_t *out_ts, tarn_err *err)
{
    int64_t first = l->earliest, last = l->latest;
    char b1[TARN_FMT_MAX], b2[TARN_FMT_MAX];
    bool use_ict =
        ict->enabled && (ict->from_version <= first || !ict->has_from_ts || ts_ms >= ict->from_ts);
    if (use_ict) {
        int64_t lo = TARN_MAX(first, ict->from_version), hi = last, best = -1, best_ts = 0;
        while (lo <= hi) { /* in-commit timestamps increase strictly */
            int64_t mid = lo + (hi - lo) / 2, t;
            TARN_TRY(version_ict(l, a, mid, &t, err));
            if (t <= ts_ms) {
                best = mid, best_ts = t;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (best >= 0 || ict->from_version <= first) {
            if (best < 0) {
                int64_t t0;
                TARN_TRY(version_ict(l, a, TARN_MAX(first, ict->from_version), &t0, err));
                return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                                    "timestamp %s is before the first commit (version %lld at %s)",
                                    fmt_ms(ts_ms, b1),
                                    (long long)TARN_MAX(first, ict->from_version), fmt_ms(t0, b2));
            }
            *out_v = best;
            *out_ts = best_ts;
            return TARN_OK;
        }
    }
    /* File modification times, made strictly increasing. */
    int64_t end = ict->enabled ? TARN_MIN(last, ict->from_version - 1) : last;
    int64_t prev = INT64_MIN, best = -1, best_ts = 0, first_ts = 0;
    for (int64_t v = first; v <= end; v++) {
        int64_t t;
        TARN_TRY(version_mtime(l, a, v, &t, err));
        if (prev != INT64_MIN && t <= prev)
            t = prev + 1;
        prev = t;
        if (v == first)
            first_ts = t;
        if (t <= ts_ms)
            best = v, best_ts = t;
        else
            break;
    }
    if (best < 0)
        return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                            "timestamp %s is before the first commit (version %lld at %s)",
                            fmt_ms(ts_ms, b1), (long long)first, fmt_ms(first_ts, b2));
    *out_v = best;
    *out_ts = best_ts;
    return TARN_OK;
}

/* Loading ------------------------------------------------------------------------- */

static tarn_status version_missing(const listing *l, int64_t v, tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOT_FOUND,
                        "version %lld does not exist (table has versions "
                        "%lld..%lld)",
                        (long long)v, (long long)l->earliest, (long long)l->latest);
}

/* Replays the log up to version target into r, from the newest usable
 * checkpoint (falling back to older ones, then to commit 0, when reading a
 * checkpoint fails). Sets *out_ckpt and the target's commitInfo. */
static tarn_status replay_to(const listing *l, replay *r, int64_t target, int64_t *out_ckpt,
                             tarn_delta_commit_info *out_ci, tarn_err *err)
{
    tarn_status first_err = TARN_OK;
    tarn_err saved;
    tarn_err_clear(&saved);
    int64_t start = -1;
    for (int i = l->n_ckpts - 1; i >= 0; i--) {
        const ckpt *c = &l->ckpts[i];
        if (c->version > target)
            continue;
        if (check_contiguous(l, c->version, target, err) != TARN_OK)
            return err->code;
        tarn_delta_actions *acts = NULL;
        int n = 0;
        tarn_status st = read_checkpoint(l, r->a, c, r->meta_only, &acts, &n, err);
        if (st == TARN_ERR_NOMEM)
            return st;
        if (st != TARN_OK) {
            if (first_err == TARN_OK) {
                first_err = st;
                saved = *err;
            }
            continue; /* try an older checkpoint */
        }
        for (int k = 0; k < n; k++)
            TARN_TRY(apply(r, &acts[k], err));
        start = c->version;
        break;
    }
    if (start < 0) {
        if (commit_index(l, 0) < 0) {
            if (first_err != TARN_OK) {
                *err = saved;
                return first_err;
            }
            return version_missing(l, target, err);
        }
        TARN_TRY(check_contiguous(l, -1, target, err));
    }
    *out_ckpt = start;
    memset(out_ci, 0, sizeof *out_ci);
    if (start == target && commit_index(l, target) >= 0) {
        tarn_delta_actions acts; /* only for the version's commitInfo */
        TARN_TRY(read_commit(l, r->a, target, &acts, err));
        *out_ci = acts.commit_info;
    }
    for (int64_t v = start + 1; v <= target; v++) {
        tarn_delta_actions acts;
        TARN_TRY(read_commit(l, r->a, v, &acts, err));
        TARN_TRY(apply(r, &acts, err));
        if (v == target)
            *out_ci = acts.commit_info;
    }
    return TARN_OK;
}

static tarn_status finish_files(tarn_delta_snapshot *s, const replay *r, tarn_err *err)
{
    int64_t n_add = 0, n_rm = 0;
    for (int64_t i = 0; i < r->n_entries; i++) {
        n_add += r->entries[i].add != NULL;
        n_rm += r->entries[i].rm != NULL;
    }
    if (n_add > INT32_MAX || n_rm > INT32_MAX)
        return tarn_err_set(err, TARN_ERR_LIMIT, "too many files in the table");
    s->files = tarn_arena_alloc(s->arena, (size_t)(n_add + 1) * sizeof *s->files);
    s->tombstones = tarn_arena_alloc(s->arena, (size_t)(n_rm + 1) * sizeof *s->tombstones);
    s->txns = tarn_arena_alloc(s->arena, (size_t)(r->n_txns + 1) * sizeof *s->txns);
    if (!s->files || !s->tombstones || !s->txns)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < r->n_entries; i++) {
        if (r->entries[i].add)
            s->files[s->n_files++] = *r->entries[i].add;
        else if (r->entries[i].rm)
            s->tombstones[s->n_tombstones++] = *r->entries[i].rm;
    }
    if (r->n_txns)
        memcpy(s->txns, r->txns, (size_t)r->n_txns * sizeof *s->txns);
    s->n_txns = r->n_txns;
    return TARN_OK;
}

/* Loads version target into a new snapshot (meta_only: no file lists). */
static tarn_status load_version(const char *table, const listing *l, int64_t target, bool meta_only,
                                tarn_delta_snapshot **out, tarn_err *err)
{
    *out = NULL;
    if (target < l->earliest || target > l->latest)
        return version_missing(l, target, err);
    tarn_delta_snapshot *s = tarn_calloc(1, sizeof *s);
    replay r;
    memset(&r, 0, sizeof r);
    tarn_status st = TARN_ERR_NOMEM;
    if (!s || !(s->arena = tarn_arena_create(1 << 20)) ||
        !(s->table_path = tarn_arena_strdup(s->arena, table))) {
        st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        goto done;
    }
    s->version = target;
    s->min_version = l->earliest;
    r.a = s->arena;
    r.root = s->table_path;
    if (r.root[0] != '/') { /* absolute log paths are compared with the real root */
        char *real = realpath(r.root, NULL);
        if (real) {
            r.root = tarn_arena_strdup(s->arena, real);
            free(real);
            if (!r.root) {
                st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
                goto done;
            }
        } else {
            r.root = s->table_path;
        }
    }
    r.root_len = strlen(r.root);
    while (r.root_len > 1 && r.root[r.root_len - 1] == '/')
        r.root_len--; /* "t/" and "t" name the same table */
    r.meta_only = meta_only;
    if ((st = replay_to(l, &r, target, &s->checkpoint_version, &s->commit_info, err)) != TARN_OK)
        goto done;
    if (!r.has_protocol || !r.has_metadata) {
        st = tarn_err_set(err, TARN_ERR_CORRUPT, "%s: no %s action up to version %lld", l->log_dir,
                          r.has_protocol ? "metaData" : "protocol", (long long)target);
        goto done;
    }
    s->protocol = r.protocol;
    s->metadata = r.metadata;
    /* Refuse unknown reader requirements before the schema: a new feature
     * may come with types tarn cannot parse, and the feature is the news. */
    if ((st = tarn_delta_protocol_check_read(&s->protocol, err)) != TARN_OK)
        goto done;
    if ((st = build_schema(s, err)) != TARN_OK)
        goto done;
    if ((st = finish_files(s, &r, err)) != TARN_OK)
        goto done;
    ict_info ict = ict_of(s);
    if (ict.enabled && target >= ict.from_version && s->commit_info.has_in_commit_timestamp)
        s->timestamp_ms = s->commit_info.in_commit_timestamp;
    else
        st = version_mtime(l, s->arena, target, &s->timestamp_ms, err);
done:
    replay_fini(&r);
    if (st != TARN_OK) {
        tarn_delta_snapshot_destroy(s);
        return st;
    }
    *out = s;
    return TARN_OK;
}

tarn_status tarn_delta_snapshot_load(const char *table_path, const tarn_delta_at *at,
                                     tarn_delta_snapshot **out, tarn_err *err)
{
    *out = NULL;
    tarn_arena *a = tarn_arena_create(1 << 16);
    if (!a)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    listing l;
    tarn_delta_snapshot *latest = NULL;
    tarn_status st = list_log(a, table_path, &l, err);
    if (st != TARN_OK)
        goto done;
    if (!at || at->kind == TARN_DELTA_AT_LATEST) {
        st = load_version(table_path, &l, l.latest, false, out, err);
    } else if (at->kind == TARN_DELTA_AT_VERSION) {
        st = load_version(table_path, &l, at->version, false, out, err);
    } else {
        /* The table's current settings say how commit times are kept. */
        if ((st = load_version(table_path, &l, l.latest, true, &latest, err)) != TARN_OK)
            goto done;
        ict_info ict = ict_of(latest);
        int64_t v = 0, ts = 0;
        if ((st = version_at_time(&l, a, &ict, at->timestamp_ms, &v, &ts, err)) != TARN_OK)
            goto done;
        if ((st = load_version(table_path, &l, v, false, out, err)) != TARN_OK)
            goto done;
        (*out)->timestamp_ms = ts;
    }
done:
    tarn_delta_snapshot_destroy(latest);
    tarn_arena_destroy(a);
    return st;
}

void tarn_delta_snapshot_destroy(tarn_delta_snapshot *s)
{
    if (!s)
        return;
    tarn_schema_destroy(s->schema);
    tarn_arena_destroy(s->arena);
    tarn_free(s);
}

const char *tarn_delta_snapshot_config(const tarn_delta_snapshot *s, const char *key)
{
    return tarn_delta_kv_get(s->metadata.configuration, s->metadata.n_configuration, key);
}

int64_t tarn_delta_snapshot_txn(const tarn_delta_snapshot *s, const char *app_id)
{
    for (int i = 0; i < s->n_txns; i++)
        if (strcmp(s->txns[i].app_id, app_id) == 0)
            return s->txns[i].version;
    return -1;
}

tarn_status tarn_delta_snapshot_load_existing(const char *table_path, tarn_delta_snapshot **out,
                                              tarn_err *err)
{
    *out = NULL;
    if (!tarn_delta_is_table(table_path))
        return TARN_OK;
    tarn_err e2;
    tarn_err_clear(&e2);
    tarn_status st = tarn_delta_snapshot_load(table_path, NULL, out, &e2);
    if (st == TARN_ERR_NOT_FOUND) { /* a log without commits: a creation that never finished */
        *out = NULL;
        return TARN_OK;
    }
    if (st != TARN_OK)
        *err = e2;
    return st;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

tarn_status tarn_delta_snapshot_compose(const tarn_delta_snapshot *base, const char *table_path,
                                        const tarn_delta_actions *acts, tarn_delta_snapshot **out,
                                        tarn_err *err)
{
    *out = NULL;
    if (!base && (!acts->has_protocol || !acts->has_metadata))
        return tarn_err_set(err, TARN_ERR_INVALID, "a new table needs protocol and metaData");
    tarn_delta_snapshot *s = tarn_calloc(1, sizeof *s);
    if (!s || !(s->arena = tarn_arena_create(0)) ||
        !(s->table_path = tarn_arena_strdup(s->arena, table_path))) {
        tarn_delta_snapshot_destroy(s);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    s->version = base ? base->version + 1 : 0;
    s->min_version = base ? base->min_version : 0;
    s->checkpoint_version = -1;
    s->timestamp_ms = tarn_now_us() / 1000;
    s->protocol = acts->has_protocol ? acts->protocol : base->protocol;
    s->metadata = acts->has_metadata ? acts->metadata : base->metadata;
    int n_base = base ? base->n_files : 0;
    s->files =
        tarn_arena_alloc(s->arena, ((size_t)n_base + (size_t)acts->n_adds + 1) * sizeof *s->files);
    /* Removed paths sorted, so each base file is one binary search. */
    const char **gone = tarn_arena_alloc(s->arena, ((size_t)acts->n_removes + 1) * sizeof *gone);
    tarn_status st = s->files && gone ? build_schema(s, err)
                                      : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int k = 0; st == TARN_OK && k < acts->n_removes; k++)
        gone[k] = acts->removes[k].path;
    if (st == TARN_OK && acts->n_removes > 1)
        qsort(gone, (size_t)acts->n_removes, sizeof *gone, cmp_path);
    for (int i = 0; st == TARN_OK && i < n_base; i++) {
        const char *path = base->files[i].path;
        if (!acts->n_removes ||
            !bsearch(&path, gone, (size_t)acts->n_removes, sizeof *gone, cmp_path))
            s->files[s->n_files++] = base->files[i];
    }
    for (int i = 0; st == TARN_OK && i < acts->n_adds; i++)
        s->files[s->n_files++] = acts->adds[i];
    if (st != TARN_OK) {
        tarn_delta_snapshot_destroy(s);
        return st;
    }
    *out = s;
    return TARN_OK;
}

bool tarn_delta_is_table(const char *path)
{
    char buf[4096];
    int n = snprintf(buf, sizeof buf, "%s/_delta_log", path);
    return n > 0 && (size_t)n < sizeof buf && tarn_is_dir(buf);
}

int tarn_delta_snapshot_find_file(const tarn_delta_snapshot *s, const char *path)
{
    for (int i = 0; i < s->n_files; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return i;
    return -1;
}
