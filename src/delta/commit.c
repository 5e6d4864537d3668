/*
 * delta/commit.c - optimistic transactions over the Delta log.
 *
 * Invariants: a version file is only ever created with tarn_file_publish
 * (create-exclusive, fully written and synced first), so no commit is lost
 * or overwritten; data files are synced, and so are the directories holding
 * them, before the commit that references them is published; a failed or
 * abandoned transaction deletes only the files it tracked itself, and never
 * when the publish outcome is uncertain. Conflict rules: commit.h.
 */
#include "delta/commit.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "base/time.h"
#include "delta/checkpoint.h"
#include "delta/schema.h"
#include "delta/snapshot_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#define COMMIT_MAX_ATTEMPTS  500
#define COMMIT_MAX_LOG_BYTES ((size_t)1 << 30) /* ceiling on one commit file read back */

struct tarn_delta_transaction {
    char *table;                 /* table root (arena) */
    char *log_dir;               /* <table>/_delta_log (arena) */
    tarn_arena *arena;           /* owns everything below except the heap arrays */
    tarn_delta_snapshot *snap;   /* snapshot read, NULL when creating */
    int64_t read_version;        /* snap->version, or -1 */
    bool reads_data;             /* see tarn_delta_transaction_set_reads_data */
    const char *operation;       /* commitInfo.operation */
    const char *params_json;     /* commitInfo.operationParameters or NULL */
    const char *metrics_json;    /* commitInfo.operationMetrics or NULL */
    tarn_delta_actions acts;     /* actions to publish (adds/removes heap arrays) */
    int cap_adds;                /* capacity of acts.adds */
    int cap_removes;             /* capacity of acts.removes */
    int cap_txns;                /* capacity of acts.txns (arena) */
    char **tracked;              /* data files written by this transaction (heap array) */
    int n_tracked;               /* entries in tracked */
    int cap_tracked;             /* capacity of tracked */
    bool committed;              /* published successfully */
    bool keep_files;             /* publish outcome uncertain: never delete tracked files */
    int64_t last_ict;            /* inCommitTimestamp of the newest known commit, or -1 */
    tarn_delta_verify_fn verify; /* see tarn_delta_transaction_set_verify, or NULL */
    void *verify_ctx;
};

/* Copies ------------------------------------------------------------------- */

static const char *dup_str(tarn_arena *a, const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = tarn_arena_strdup(a, s);
    if (!d)
        *oom = true;
    return d;
}

static tarn_delta_kv *dup_kv(tarn_arena *a, const tarn_delta_kv *kv, int n, bool *oom)
{
    if (n <= 0)
        return NULL;
    tarn_delta_kv *d = tarn_arena_alloc(a, (size_t)n * sizeof *d);
    if (!d) {
        *oom = true;
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        d[i].key = dup_str(a, kv[i].key, oom);
        d[i].value = dup_str(a, kv[i].value, oom);
    }
    return d;
}

static const char **dup_strs(tarn_arena *a, const char *const *v, int n, bool *oom)
{
    if (n <= 0)
        return NULL;
    const char **d = tarn_arena_alloc(a, (size_t)n * sizeof *d);
    if (!d) {
        *oom = true;
        return NULL;
    }
    for (int i = 0; i < n; i++)
        d[i] = dup_str(a, v[i], oom);
    return d;
}

static void dup_dv(tarn_arena *a, tarn_delta_dv *dv, bool *oom)
{
    dv->path_or_inline = dup_str(a, dv->path_or_inline, oom);
}

static tarn_status nomem(tarn_err *err)
{
    return tarn_err_set(err, TARN_ERR_NOMEM, "commit: out of memory");
}

/* Transaction lifecycle ------------------------------------------------------ */

/* True when _delta_log holds a commit or checkpoint file. */
static bool log_has_versions(const char *log_dir, tarn_arena *a)
{
    char **names;
    size_t n;
    tarn_err e;
    if (!tarn_is_dir(log_dir) || tarn_dir_list(log_dir, a, &names, &n, &e) != TARN_OK)
        return false;
    for (size_t i = 0; i < n; i++) {
        const char *s = names[i];
        size_t d = strspn(s, "0123456789");
        if (d == 20 && (strcmp(s + 20, ".json") == 0 || strncmp(s + 20, ".checkpoint", 11) == 0))
            return true;
    }
    return false;
}

tarn_status tarn_delta_transaction_create(const char *table_path, tarn_delta_transaction **out,
                                          tarn_err *err)
{
    *out = NULL;
    tarn_delta_transaction *tx = tarn_calloc(1, sizeof *tx);
    tarn_status st = TARN_OK;
    if (!tx)
        return nomem(err);
    tx->arena = tarn_arena_create(0);
    if (!tx->arena) {
        tarn_free(tx);
        return nomem(err);
    }
    tx->read_version = -1;
    tx->last_ict = -1;
    tx->operation = "WRITE";
    tx->table = tarn_arena_strdup(tx->arena, table_path);
    tx->log_dir = tarn_path_join(tx->arena, table_path, "_delta_log");
    if (!tx->table || !tx->log_dir) {
        st = nomem(err);
        goto done;
    }
    if (log_has_versions(tx->log_dir, tx->arena)) {
        tarn_delta_at at = {.kind = TARN_DELTA_AT_LATEST};
        st = tarn_delta_snapshot_load(table_path, &at, &tx->snap, err);
        if (st != TARN_OK)
            goto done;
        tx->read_version = tx->snap->version;
        st = tarn_delta_writer_check(&tx->snap->protocol, &tx->snap->metadata, err);
    }
done:
    if (st != TARN_OK) {
        tarn_delta_transaction_destroy(tx);
        return st;
    }
    *out = tx;
    return TARN_OK;
}

void tarn_delta_transaction_destroy(tarn_delta_transaction *tx)
{
    if (!tx)
        return;
    if (!tx->committed && !tx->keep_files) {
        tarn_err e;
        for (int i = 0; i < tx->n_tracked; i++)
            if (tarn_file_remove(tx->tracked[i], &e) != TARN_OK) {
                /* best effort: vacuum removes what is left */
            }
    }
    for (int i = 0; i < tx->n_tracked; i++)
        tarn_free(tx->tracked[i]);
    tarn_free(tx->tracked);
    tarn_free(tx->acts.adds);
    tarn_free(tx->acts.removes);
    tarn_delta_snapshot_destroy(tx->snap);
    tarn_arena_destroy(tx->arena);
    tarn_free(tx);
}

const tarn_delta_snapshot *tarn_delta_transaction_snapshot(const tarn_delta_transaction *tx)
{
    return tx->snap;
}

int64_t tarn_delta_transaction_read_version(const tarn_delta_transaction *tx)
{
    return tx->read_version;
}

const char *tarn_delta_transaction_table(const tarn_delta_transaction *tx)
{
    return tx->table;
}

tarn_arena *tarn_delta_transaction_arena(tarn_delta_transaction *tx)
{
    return tx->arena;
}

void tarn_delta_transaction_set_reads_data(tarn_delta_transaction *tx, bool reads_data)
{
    tx->reads_data = reads_data;
}

int tarn_delta_transaction_n_adds(const tarn_delta_transaction *tx)
{
    return tx->acts.n_adds;
}

tarn_status tarn_delta_transaction_set_operation(tarn_delta_transaction *tx, const char *operation,
                                                 const char *params_json, const char *metrics_json,
                                                 tarn_err *err)
{
    bool oom = false;
    tx->operation = dup_str(tx->arena, operation ? operation : "WRITE", &oom);
    tx->params_json = dup_str(tx->arena, params_json, &oom);
    tx->metrics_json = dup_str(tx->arena, metrics_json, &oom);
    return oom ? nomem(err) : TARN_OK;
}

tarn_status tarn_delta_transaction_set_metadata(tarn_delta_transaction *tx,
                                                const tarn_delta_metadata *m, tarn_err *err)
{
    bool oom = false;
    tarn_arena *a = tx->arena;
    tarn_delta_metadata d = *m;
    d.id = dup_str(a, m->id, &oom);
    d.name = dup_str(a, m->name, &oom);
    d.description = dup_str(a, m->description, &oom);
    d.format_provider = dup_str(a, m->format_provider ? m->format_provider : "parquet", &oom);
    d.schema_string = dup_str(a, m->schema_string, &oom);
    d.partition_columns = dup_strs(a, m->partition_columns, m->n_partition_columns, &oom);
    d.configuration = dup_kv(a, m->configuration, m->n_configuration, &oom);
    if (oom)
        return nomem(err);
    tx->acts.metadata = d;
    tx->acts.has_metadata = true;
    return TARN_OK;
}

tarn_status tarn_delta_transaction_add_columns(tarn_delta_transaction *tx,
                                               const tarn_schema *schema, tarn_err *err)
{
    const tarn_delta_snapshot *s = tx->snap;
    if (!s)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "add_columns: no table yet");
    const tarn_schema *old = s->schema;
    char t1[64], t2[64];
    for (int i = 0; i < old->n_fields; i++) {
        int k = tarn_schema_find(schema, old->fields[i].name);
        if (k < 0)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "column '%s' of the table is missing from the new schema "
                                "(columns can be added, not removed)",
                                old->fields[i].name);
        if (!tarn_type_equal(schema->fields[k].type, old->fields[i].type))
            return tarn_err_set(
                err, TARN_ERR_INVALID, "column '%s' is %s in the table and %s in the new schema",
                old->fields[i].name, tarn_type_name(old->fields[i].type, t1, sizeof t1),
                tarn_type_name(schema->fields[k].type, t2, sizeof t2));
    }
    for (int i = 0; i < schema->n_fields; i++)
        if (tarn_schema_find(old, schema->fields[i].name) < 0 && !schema->fields[i].nullable)
            return tarn_err_set(err, TARN_ERR_INVALID,
                                "new column '%s' must be nullable: existing rows have no value",
                                schema->fields[i].name);
    tarn_buf sb = TARN_BUF_INIT;
    tarn_status st = tarn_delta_schema_serialize(schema, &sb, err);
    if (st == TARN_OK) {
        tarn_delta_metadata md = s->metadata;
        md.schema_string = sb.data;
        st = tarn_delta_transaction_set_metadata(tx, &md, err);
    }
    tarn_buf_fini(&sb);
    return st;
}

tarn_status tarn_delta_transaction_set_protocol(tarn_delta_transaction *tx,
                                                const tarn_delta_protocol *p, tarn_err *err)
{
    bool oom = false;
    tarn_delta_protocol d = *p;
    d.reader_features = dup_strs(tx->arena, p->reader_features, p->n_reader_features, &oom);
    d.writer_features = dup_strs(tx->arena, p->writer_features, p->n_writer_features, &oom);
    if (oom)
        return nomem(err);
    tx->acts.protocol = d;
    tx->acts.has_protocol = true;
    return TARN_OK;
}

tarn_status tarn_delta_transaction_set_txn(tarn_delta_transaction *tx, const char *app_id,
                                           int64_t version, tarn_err *err)
{
    tx->acts.n_txns = 0; /* replaces any txn set before */
    return tarn_delta_transaction_add_txn(tx, app_id, version, err);
}

tarn_status tarn_delta_transaction_add_txn(tarn_delta_transaction *tx, const char *app_id,
                                           int64_t version, tarn_err *err)
{
    if (tx->acts.n_txns == tx->cap_txns) {
        int cap = tx->cap_txns ? tx->cap_txns * 2 : 8;
        tarn_delta_txn *nt = tarn_arena_alloc(tx->arena, (size_t)cap * sizeof *nt);
        if (!nt)
            return nomem(err);
        if (tx->acts.n_txns)
            memcpy(nt, tx->acts.txns, (size_t)tx->acts.n_txns * sizeof *nt);
        tx->acts.txns = nt;
        tx->cap_txns = cap;
    }
    bool oom = false;
    tarn_delta_txn *t = &tx->acts.txns[tx->acts.n_txns];
    memset(t, 0, sizeof *t);
    t->app_id = dup_str(tx->arena, app_id, &oom);
    t->version = version;
    t->has_last_updated = true;
    t->last_updated = tarn_now_us() / 1000;
    if (oom)
        return nomem(err);
    tx->acts.n_txns++;
    return TARN_OK;
}

tarn_status tarn_delta_transaction_add_file(tarn_delta_transaction *tx, const tarn_delta_add *add,
                                            tarn_err *err)
{
    if (!tarn_grow((void **)&tx->acts.adds, tx->acts.n_adds, &tx->cap_adds, sizeof *tx->acts.adds))
        return nomem(err);
    bool oom = false;
    tarn_delta_add d = *add;
    d.path = dup_str(tx->arena, add->path, &oom);
    d.partition_values = dup_kv(tx->arena, add->partition_values, add->n_partition_values, &oom);
    d.stats = dup_str(tx->arena, add->stats, &oom);
    d.tags = dup_kv(tx->arena, add->tags, add->n_tags, &oom);
    if (d.has_dv)
        dup_dv(tx->arena, &d.dv, &oom);
    if (oom)
        return nomem(err);
    tx->acts.adds[tx->acts.n_adds++] = d;
    return TARN_OK;
}

tarn_status tarn_delta_transaction_remove_file(tarn_delta_transaction *tx,
                                               const tarn_delta_remove *rm, tarn_err *err)
{
    if (!tarn_grow((void **)&tx->acts.removes, tx->acts.n_removes, &tx->cap_removes,
                   sizeof *tx->acts.removes))
        return nomem(err);
    bool oom = false;
    tarn_delta_remove d = *rm;
    d.path = dup_str(tx->arena, rm->path, &oom);
    d.partition_values = dup_kv(tx->arena, rm->partition_values, rm->n_partition_values, &oom);
    if (d.has_dv)
        dup_dv(tx->arena, &d.dv, &oom);
    if (oom)
        return nomem(err);
    tx->acts.removes[tx->acts.n_removes++] = d;
    return TARN_OK;
}

tarn_status tarn_delta_transaction_track_file(tarn_delta_transaction *tx, const char *path,
                                              tarn_err *err)
{
    if (!tarn_grow((void **)&tx->tracked, tx->n_tracked, &tx->cap_tracked, sizeof *tx->tracked))
        return nomem(err);
    char *p = tarn_strdup(path);
    if (!p)
        return nomem(err);
    tx->tracked[tx->n_tracked++] = p;
    return TARN_OK;
}

/* Protocol checks ------------------------------------------------------------ */

static bool has_feature(const char *const *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return true;
    return false;
}

bool tarn_delta_config_bool(const tarn_delta_kv *config, int n, const char *key)
{
    const char *v = tarn_delta_kv_get(config, n, key);
    return v && strcasecmp(v, "true") == 0;
}

static tarn_status unsupported(tarn_err *err, const char *feature, const char *why)
{
    tarn_err_set(err, TARN_ERR_UNSUPPORTED, "cannot write this table: it uses %s, %s", feature,
                 why);
    return TARN_ERR_UNSUPPORTED;
}

/* Writer features tarn honours (some only while not in use, see below). */
static const char *const k_writer_features[] = {
    "appendOnly",        "invariants",          "checkConstraints",     "changeDataFeed",
    "generatedColumns",  "allowColumnDefaults", "columnMapping",        "identityColumns",
    "deletionVectors",   "timestampNtz",        "v2Checkpoint",         "vacuumProtocolCheck",
    "inCommitTimestamp", "typeWidening",        "typeWidening-preview",
};

tarn_status tarn_delta_writer_check(const tarn_delta_protocol *p, const tarn_delta_metadata *m,
                                    tarn_err *err)
{
    if (p->min_writer_version > 7 || p->min_reader_version > 3) {
        tarn_err_set(err, TARN_ERR_UNSUPPORTED,
                     "cannot write this table: protocol (reader %d, writer %d) is newer than "
                     "tarn supports (reader 3, writer 7)",
                     p->min_reader_version, p->min_writer_version);
        return TARN_ERR_UNSUPPORTED;
    }
    if (p->min_writer_version == 7) {
        for (int i = 0; i < p->n_writer_features; i++)
            if (!has_feature(k_writer_features, (int)TARN_ARRAY_LEN(k_writer_features),
                             p->writer_features[i]))
                return unsupported(err, p->writer_features[i],
                                   "a writer feature tarn does not implement");
    }
    const char *schema = m->schema_string ? m->schema_string : "";
    if (strstr(schema, "delta.invariants"))
        return unsupported(err, "column invariants (delta.invariants)",
                           "which tarn cannot evaluate");
    if (strstr(schema, "delta.generationExpression"))
        return unsupported(err, "generated columns", "which tarn cannot compute");
    if (strstr(schema, "CURRENT_DEFAULT"))
        return unsupported(err, "column defaults (allowColumnDefaults)",
                           "which tarn cannot compute");
    if (strstr(schema, "delta.identity."))
        return unsupported(err, "identity columns", "which tarn cannot generate");
    for (int i = 0; i < m->n_configuration; i++)
        if (strncmp(m->configuration[i].key, "delta.constraints.", 18) == 0)
            return unsupported(err, "CHECK constraints", "which tarn cannot evaluate");
    const char *cm =
        tarn_delta_kv_get(m->configuration, m->n_configuration, "delta.columnMapping.mode");
    if (cm && strcasecmp(cm, "none") != 0)
        return unsupported(err, "column mapping", "which the tarn writer does not implement");
    if (tarn_delta_config_bool(m->configuration, m->n_configuration, "delta.enableRowTracking"))
        return unsupported(err, "row tracking", "which the tarn writer does not implement");
    return TARN_OK;
}

tarn_status tarn_delta_check_removal_allowed(const tarn_delta_metadata *m, const char *operation,
                                             tarn_err *err)
{
    if (tarn_delta_config_bool(m->configuration, m->n_configuration, "delta.appendOnly")) {
        tarn_err_set(err, TARN_ERR_INVALID,
                     "%s refused: the table is append-only (delta.appendOnly = true)", operation);
        tarn_err_set_hint(err, "set delta.appendOnly to false to allow removing data");
        return TARN_ERR_INVALID;
    }
    return TARN_OK;
}

static bool field_has_ntz(const tarn_field *f)
{
    if (f->type.id == TARN_TYPE_TIMESTAMP_NTZ)
        return true;
    for (int i = 0; i < f->n_children; i++)
        if (field_has_ntz(&f->children[i]))
            return true;
    return false;
}

void tarn_delta_protocol_for_schema(const tarn_schema *s, tarn_delta_protocol *out)
{
    static const char *const ntz[] = {"timestampNtz"};
    memset(out, 0, sizeof *out);
    out->min_reader_version = 1;
    out->min_writer_version = 2;
    for (int i = 0; i < s->n_fields; i++) {
        if (field_has_ntz(&s->fields[i])) {
            out->min_reader_version = 3;
            out->min_writer_version = 7;
            out->has_reader_features = out->has_writer_features = true;
            out->n_reader_features = out->n_writer_features = 1;
            out->reader_features = (const char **)ntz;
            out->writer_features = (const char **)ntz;
            break;
        }
    }
}

tarn_status tarn_delta_uuid4(char *out, tarn_err *err)
{
    uint8_t b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return tarn_err_errno(err, "getrandom failed", "");
        }
        got += (size_t)r;
    }
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    *o = '\0';
    return TARN_OK;
}

bool tarn_delta_parse_interval_ms(const char *text, int64_t *out_ms)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"microsecond", 0}, {"millisecond", 1}, {"second", 1000},        {"minute", 60000},
                 {"hour", 3600000},  {"day", 86400000},  {"week", 7 * 86400000LL}};
    const char *p = text;
    int64_t total = 0;
    int terms = 0;
    while (*p == ' ')
        p++;
    if (strncasecmp(p, "interval", 8) == 0)
        p += 8;
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *end;
        errno = 0;
        long long n = strtoll(p, &end, 10);
        if (end == p || errno || n < 0 || n > INT64_C(1) << 40)
            return false;
        p = end;
        while (*p == ' ')
            p++;
        const char *u = p;
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            p++;
        size_t ul = (size_t)(p - u);
        if (ul > 1 && (u[ul - 1] == 's' || u[ul - 1] == 'S'))
            ul--;
        bool found = false;
        for (size_t i = 0; i < TARN_ARRAY_LEN(units); i++)
            if (strlen(units[i].unit) == ul && strncasecmp(u, units[i].unit, ul) == 0) {
                total += units[i].ms ? n * units[i].ms : n / 1000;
                found = true;
            }
        if (!found)
            return false;
        terms++;
    }
    if (terms == 0)
        return false;
    *out_ms = total;
    return true;
}

/* Publishing ------------------------------------------------------------------ */

static char *version_path(tarn_delta_transaction *tx, int64_t v, char *buf, size_t cap)
{
    char name[32];
    tarn_delta_commit_name(v, name);
    snprintf(buf, cap, "%s/%s", tx->log_dir, name);
    return buf;
}

/* Table configuration in effect after this commit. */
static void effective_config(const tarn_delta_transaction *tx, const tarn_delta_kv **kv, int *n)
{ /* After a creation race turned into an append the dropped metaData
   * still describes the table (same_creation checked the properties). */
    if (tx->acts.has_metadata || (!tx->snap && tx->acts.metadata.schema_string)) {
        *kv = tx->acts.metadata.configuration;
        *n = tx->acts.metadata.n_configuration;
    } else if (tx->snap) {
        *kv = tx->snap->metadata.configuration;
        *n = tx->snap->metadata.n_configuration;
    } else {
        *kv = NULL;
        *n = 0;
    }
}

static bool ict_enabled(const tarn_delta_transaction *tx)
{
    const tarn_delta_kv *kv;
    int n;
    effective_config(tx, &kv, &n);
    return tarn_delta_config_bool(kv, n, "delta.enableInCommitTimestamps");
}

/* Reads and parses commit file of version v into arena a; NOT_FOUND when absent. */
static tarn_status read_commit(tarn_delta_transaction *tx, int64_t v, tarn_arena *a,
                               tarn_delta_actions *out, tarn_err *err)
{
    char path[4200];
    version_path(tx, v, path, sizeof path);
    tarn_buf b = TARN_BUF_INIT;
    tarn_status st = tarn_file_read_all(path, COMMIT_MAX_LOG_BYTES, &b, err);
    if (st == TARN_OK)
        st = tarn_delta_actions_parse(b.data ? b.data : "", b.len, path, a, out, err);
    tarn_buf_fini(&b);
    return st;
}

/* inCommitTimestamp of the version read (for monotonic timestamps). */
static void load_last_ict(tarn_delta_transaction *tx)
{
    if (tx->last_ict >= 0 || tx->read_version < 0)
        return;
    if (tx->snap && tx->snap->commit_info.present &&
        tx->snap->commit_info.has_in_commit_timestamp) {
        tx->last_ict = tx->snap->commit_info.in_commit_timestamp;
        return;
    }
    tarn_arena *a = tarn_arena_create(0);
    tarn_delta_actions acts;
    tarn_err e;
    if (a && read_commit(tx, tx->read_version, a, &acts, &e) == TARN_OK &&
        acts.commit_info.has_in_commit_timestamp)
        tx->last_ict = acts.commit_info.in_commit_timestamp;
    else if (tx->snap)
        tx->last_ict = tx->snap->timestamp_ms;
    tarn_arena_destroy(a);
}

static tarn_status build_commit_info(tarn_delta_transaction *tx, tarn_buf *ci, tarn_err *err)
{
    char uuid[40];
    TARN_TRY(tarn_delta_uuid4(uuid, err));
    int64_t now = tarn_now_us() / 1000;
    tarn_status st = TARN_OK;
    tarn_buf_reset(ci);
    st = tarn_buf_append_char(ci, '{');
    if (st == TARN_OK && ict_enabled(tx)) {
        load_last_ict(tx);
        int64_t ict = tx->last_ict >= now ? tx->last_ict + 1 : now;
        st = tarn_buf_printf(ci, "\"inCommitTimestamp\":%lld,", (long long)ict);
    }
    if (st == TARN_OK)
        st = tarn_buf_printf(ci, "\"timestamp\":%lld,\"operation\":", (long long)now);
    if (st == TARN_OK)
        st = tarn_buf_append_json_str(ci, tx->operation, strlen(tx->operation));
    if (st == TARN_OK)
        st = tarn_buf_printf(ci, ",\"operationParameters\":%s",
                             tx->params_json ? tx->params_json : "{}");
    if (st == TARN_OK && tx->read_version >= 0)
        st = tarn_buf_printf(ci, ",\"readVersion\":%lld", (long long)tx->read_version);
    bool blind = !tx->reads_data && tx->acts.n_removes == 0;
    if (st == TARN_OK)
        st = tarn_buf_printf(ci, ",\"isolationLevel\":\"Serializable\",\"isBlindAppend\":%s",
                             blind ? "true" : "false");
    if (st == TARN_OK && tx->metrics_json)
        st = tarn_buf_printf(ci, ",\"operationMetrics\":%s", tx->metrics_json);
    if (st == TARN_OK)
        st = tarn_buf_printf(ci, ",\"engineInfo\":\"%s\",\"txnId\":\"%s\"}", TARN_DELTA_ENGINE_INFO,
                             uuid);
    if (st != TARN_OK)
        return tarn_err_set(err, st, "commit: cannot build commitInfo");
    return TARN_OK;
}

static bool same_strs(const char *const *a, int na, const char *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static bool same_config(const tarn_delta_kv *a, int na, const tarn_delta_kv *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++) {
        const char *v = tarn_delta_kv_get(b, nb, a[i].key);
        if (!v != !a[i].value || (v && strcmp(v, a[i].value) != 0))
            return false;
    }
    return true;
}

/* A concurrent creation of the same table with the same shape: our commit
 * can continue as a plain append. */
static bool same_creation(const tarn_delta_transaction *tx, const tarn_delta_actions *w)
{
    const tarn_delta_metadata *m = &tx->acts.metadata, *o = &w->metadata;
    return tx->acts.has_metadata && w->has_metadata && w->has_protocol && o->schema_string &&
           m->schema_string && strcmp(m->schema_string, o->schema_string) == 0 &&
           same_strs(m->partition_columns, m->n_partition_columns, o->partition_columns,
                     o->n_partition_columns) &&
           same_config(m->configuration, m->n_configuration, o->configuration, o->n_configuration);
}

static tarn_status conflict(tarn_delta_transaction *tx, int64_t w, const tarn_delta_actions *wa,
                            const char *why, tarn_err *err)
{
    const char *wop = wa->commit_info.operation ? wa->commit_info.operation : "unknown";
    if (tx->read_version >= 0)
        tarn_err_set(err, TARN_ERR_CONFLICT,
                     "%s conflicts with the concurrent commit at version %lld (%s), which %s; "
                     "this transaction read version %lld",
                     tx->operation, (long long)w, wop, why, (long long)tx->read_version);
    else
        tarn_err_set(err, TARN_ERR_CONFLICT,
                     "%s conflicts with the concurrent commit at version %lld (%s), which %s; "
                     "this transaction was creating the table",
                     tx->operation, (long long)w, wop, why);
    tarn_err_set_hint(err, "re-run the operation against the new table version");
    return TARN_ERR_CONFLICT;
}

/* A winning commit carrying one of this transaction's application ids. */
static tarn_status check_txns(tarn_delta_transaction *tx, int64_t w, const tarn_delta_actions *wa,
                              tarn_err *err)
{
    for (int i = 0; i < wa->n_txns; i++)
        for (int j = 0; j < tx->acts.n_txns; j++)
            if (strcmp(wa->txns[i].app_id, tx->acts.txns[j].app_id) == 0)
                return conflict(tx, w, wa, "committed a transaction for the same application id",
                                err);
    return TARN_OK;
}

/* Checks one winning commit; may turn a creation into an append. */
static tarn_status check_winner(tarn_delta_transaction *tx, int64_t w, const tarn_delta_actions *wa,
                                tarn_err *err)
{
    if (tx->read_version < 0 && w == 0 && tx->acts.has_metadata && !tx->reads_data &&
        same_creation(tx, wa)) {
        TARN_TRY(tarn_delta_writer_check(&wa->protocol, &wa->metadata, err));
        TARN_TRY(check_txns(tx, w, wa, err));
        tx->acts.has_metadata = false;
        tx->acts.has_protocol = false;
        return TARN_OK;
    }
    if (wa->has_metadata)
        return conflict(tx, w, wa, "changed the table metadata", err);
    if (wa->has_protocol)
        return conflict(tx, w, wa, "changed the table protocol", err);
    TARN_TRY(check_txns(tx, w, wa, err));
    if (tx->reads_data && (wa->n_adds > 0 || wa->n_removes > 0))
        return conflict(tx, w, wa, "added or removed data files this transaction read", err);
    if (tx->acts.n_removes > 0 && wa->n_removes > 0)
        return conflict(tx, w, wa, "removed data files concurrently", err);
    return TARN_OK;
}

/* Reads the commits from version v on (v exists) until the first missing
 * one; sets *next to it. */
static tarn_status check_winners(tarn_delta_transaction *tx, int64_t v, int64_t *next,
                                 tarn_err *err)
{
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        return nomem(err);
    tarn_status st = TARN_OK;
    int64_t w = v;
    for (;; w++) {
        tarn_arena_reset(a);
        tarn_delta_actions wa;
        tarn_err e;
        st = read_commit(tx, w, a, &wa, &e);
        if (st == TARN_ERR_NOT_FOUND) {
            st = TARN_OK;
            break;
        }
        if (st != TARN_OK) {
            *err = e;
            break;
        }
        st = check_winner(tx, w, &wa, err);
        if (st != TARN_OK)
            break;
        if (wa.commit_info.has_in_commit_timestamp)
            tx->last_ict = wa.commit_info.in_commit_timestamp;
    }
    tarn_arena_destroy(a);
    *next = w;
    return st;
}

/* Sleeps a random time that grows with the attempt number (at most 50 ms). */
static void backoff(int attempt)
{
    if (attempt < 2)
        return;
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
        r = (uint32_t)tarn_monotonic_us();
    int64_t cap_us = (int64_t)1000 << (attempt < 6 ? attempt : 6);
    if (cap_us > 50000)
        cap_us = 50000;
    int64_t us = (int64_t)(r % (uint32_t)cap_us);
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* Syncs the directories holding tracked files, up to the table root, so the
 * file names are durable before the commit points at them. */
static tarn_status sync_data_dirs(tarn_delta_transaction *tx, tarn_err *err)
{
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        return nomem(err);
    tarn_status st = TARN_OK;
    const char **done_dirs = tarn_arena_calloc(a, (size_t)tx->n_tracked * 8 + 1, sizeof *done_dirs);
    int n_done = 0;
    size_t tlen = strlen(tx->table);
    for (int i = 0; i < tx->n_tracked && st == TARN_OK && done_dirs; i++) {
        char *d = tarn_path_dirname(a, tx->tracked[i]);
        for (int depth = 0; d && depth < 8; depth++) {
            bool seen = false;
            for (int k = 0; k < n_done && !seen; k++)
                seen = strcmp(done_dirs[k], d) == 0;
            if (!seen) {
                st = tarn_dir_sync(d, err);
                if (st != TARN_OK)
                    break;
                done_dirs[n_done++] = d;
            }
            if (strlen(d) <= tlen)
                break;
            d = tarn_path_dirname(a, d);
        }
    }
    if (!done_dirs)
        st = nomem(err);
    tarn_arena_destroy(a);
    return st;
}

/* After an unclear publish failure: did our bytes land at path? */
static int published_ours(const char *path, const tarn_buf *b)
{
    tarn_buf got = TARN_BUF_INIT;
    tarn_err e;
    tarn_status st = tarn_file_read_all(path, COMMIT_MAX_LOG_BYTES, &got, &e);
    int r;
    if (st == TARN_ERR_NOT_FOUND)
        r = 0; /* not there */
    else if (st != TARN_OK)
        r = -1; /* unknown */
    else
        r = got.len == b->len && memcmp(got.data, b->data, b->len) == 0 ? 1 : 2;
    tarn_buf_fini(&got);
    return r;
}

static void maybe_checkpoint(tarn_delta_transaction *tx, tarn_delta_commit_result *out)
{
    const tarn_delta_kv *kv;
    int n;
    effective_config(tx, &kv, &n);
    int64_t interval = tarn_delta_checkpoint_interval(kv, n);
    if (out->version <= 0 || out->version % interval != 0)
        return;
    tarn_delta_checkpoint_info info;
    tarn_err e;
    tarn_err_clear(&e);
    if (tarn_delta_checkpoint_write(tx->table, out->version, &info, &e) == TARN_OK) {
        out->checkpoint_written = true;
        return;
    }
    out->has_warning = true;
    snprintf(out->warning, sizeof out->warning, "checkpoint at version %lld not written: %.560s",
             (long long)out->version, e.msg);
}

void tarn_delta_transaction_set_verify(tarn_delta_transaction *tx, tarn_delta_verify_fn fn,
                                       void *ctx)
{
    tx->verify = fn;
    tx->verify_ctx = ctx;
}

tarn_status tarn_delta_transaction_commit(tarn_delta_transaction *tx, tarn_delta_commit_result *out,
                                          tarn_err *err)
{
    memset(out, 0, sizeof *out);
    out->version = -1;
    if (tx->committed)
        return tarn_err_set(err, TARN_ERR_INTERNAL, "commit: transaction already committed");
    if (tx->read_version < 0 && (!tx->acts.has_metadata || !tx->acts.has_protocol))
        return tarn_err_set(err, TARN_ERR_INVALID,
                            "commit: creating a table needs protocol and metaData");
    if (tx->verify) {
        tarn_delta_snapshot *pending;
        TARN_TRY(tarn_delta_snapshot_compose(tx->snap, tx->table, &tx->acts, &pending, err));
        tarn_status vst = tx->verify(tx->verify_ctx, pending, err);
        tarn_delta_snapshot_destroy(pending);
        if (vst != TARN_OK)
            return vst;
    }
    TARN_TRY(tarn_mkdirs(tx->log_dir, err));
    TARN_TRY(sync_data_dirs(tx, err));
    tarn_buf ci = TARN_BUF_INIT, body = TARN_BUF_INIT;
    tarn_status st = TARN_OK;
    int64_t v = tx->read_version + 1;
    char path[4200];
    for (int attempt = 1;; attempt++) {
        if (attempt > COMMIT_MAX_ATTEMPTS) {
            st = tarn_err_set(err, TARN_ERR_CONFLICT,
                              "%s gave up after %d attempts: the table changes too fast "
                              "(last tried version %lld)",
                              tx->operation, COMMIT_MAX_ATTEMPTS, (long long)v);
            goto done;
        }
        out->attempts = attempt;
        st = build_commit_info(tx, &ci, err);
        if (st != TARN_OK)
            goto done;
        tx->acts.commit_info.present = true;
        tx->acts.commit_info.json = ci.data;
        tarn_buf_reset(&body);
        st = tarn_delta_actions_serialize(&tx->acts, &body);
        if (st != TARN_OK) {
            tarn_err_set(err, st, "commit: cannot serialize the actions");
            goto done;
        }
        version_path(tx, v, path, sizeof path);
        tarn_err perr;
        tarn_err_clear(&perr);
        st = tarn_file_publish(path, body.data, body.len, &perr);
        if (st != TARN_OK && st != TARN_ERR_EXISTS) {
            int r = published_ours(path, &body);
            if (r == 1) {
                st = TARN_OK; /* landed; only the directory sync failed */
            } else if (r == 2) {
                st = TARN_ERR_EXISTS;
            } else {
                if (r < 0)
                    tx->keep_files = true; /* outcome unknown: keep the data files */
                *err = perr;
                goto done;
            }
        }
        if (st == TARN_OK)
            break;
        st = check_winners(tx, v, &v, err);
        if (st != TARN_OK)
            goto done;
        backoff(attempt);
    }
    tx->committed = true;
    out->version = v;
    maybe_checkpoint(tx, out);
done:
    tx->acts.commit_info.json = NULL;
    tarn_buf_fini(&ci);
    tarn_buf_fini(&body);
    return st;
}
