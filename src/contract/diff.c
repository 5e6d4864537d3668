/*
 * contract/diff.c - classify the changes between two contracts (see
 * diff.h; the rule table is in the README, "Contract diff rules").
 */
#include "contract/diff.h"

#include "base/alloc.h"
#include "contract/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static tarn_ct_change *add(tarn_ct_diff *d, tarn_diff_class cls, tarn_diff_audience aud,
                           const char *rule, const char *column, tarn_ct_loc loc, bool in_old,
                           tarn_err *err)
{
    if (!tarn_grow((void **)&d->items, d->n, &d->cap, sizeof *d->items)) {
        tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    tarn_ct_change *c = &d->items[d->n++];
    memset(c, 0, sizeof *c);
    c->cls = cls;
    c->audience = aud;
    c->rule = rule;
    snprintf(c->column, sizeof c->column, "%s", column ? column : "");
    c->loc = loc;
    c->in_old = in_old;
    switch (cls) {
    case TARN_DIFF_BREAKING:
        d->breaking++;
        break;
    case TARN_DIFF_WARNING:
        d->warnings++;
        break;
    case TARN_DIFF_COMPATIBLE:
        d->compatible++;
        break;
    default:
        d->info++;
    }
    return c;
}

static void set_text(tarn_ct_change *c, const char *old_v, const char *new_v, const char *fmt, ...)
    TARN_PRINTF(4, 5);
static void set_text(tarn_ct_change *c, const char *old_v, const char *new_v, const char *fmt, ...)
{
    snprintf(c->old_value, sizeof c->old_value, "%s", old_v ? old_v : "");
    snprintf(c->new_value, sizeof c->new_value, "%s", new_v ? new_v : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->message, sizeof c->message, fmt, ap);
    va_end(ap);
}

/* Adds a change with its text; returns TARN_ERR_NOMEM when it cannot. */
#define CHANGE(d, cls, aud, rule, col, loc, in_old, oldv, newv, ...)                               \
    do {                                                                                           \
        tarn_ct_change *c_ = add((d), (cls), (aud), (rule), (col), (loc), (in_old), err);          \
        if (!c_)                                                                                   \
            return TARN_ERR_NOMEM;                                                                 \
        set_text(c_, (oldv), (newv), __VA_ARGS__);                                                 \
    } while (0)

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- types ------------------------------------------------------------- */

static int int_rank(tarn_type_id id)
{
    switch (id) {
    case TARN_TYPE_INT8:
        return 1;
    case TARN_TYPE_INT16:
        return 2;
    case TARN_TYPE_INT32:
        return 3;
    case TARN_TYPE_INT64:
        return 4;
    default:
        return 0;
    }
}

/* True when every value of `from` is exactly a value of `to`. */
static bool widens(tarn_type from, tarn_type to)
{
    int rf = int_rank(from.id), rt = int_rank(to.id);
    if (rf && rt)
        return rt > rf;
    if (from.id == TARN_TYPE_FLOAT32 && to.id == TARN_TYPE_FLOAT64)
        return true;
    if (rf && rf <= 3 && to.id == TARN_TYPE_FLOAT64)
        return true;
    static const int int_digits[] = {0, 3, 5, 10, 19};
    if (rf && to.id == TARN_TYPE_DECIMAL)
        return to.precision - to.scale >= int_digits[rf];
    if (from.id == TARN_TYPE_DECIMAL && to.id == TARN_TYPE_DECIMAL)
        return from.scale == to.scale && to.precision > from.precision;
    if (from.id == TARN_TYPE_DATE &&
        (to.id == TARN_TYPE_TIMESTAMP || to.id == TARN_TYPE_TIMESTAMP_NTZ))
        return true;
    return false;
}

int tarn_ct_type_change(tarn_type from, tarn_type to)
{
    if (tarn_type_equal(from, to))
        return 0;
    if (widens(from, to))
        return 1;
    if (widens(to, from))
        return 2;
    return 3;
}

/* ---- constraints ---------------------------------------------------------- */

static const tarn_ct_constraint *find_kind(const tarn_ct_column *c, tarn_ct_constraint_kind k)
{
    for (int i = 0; i < c->n_constraints; i++)
        if (c->constraints[i].kind == k)
            return &c->constraints[i];
    return NULL;
}

static bool numeric(tarn_type_id id)
{
    return int_rank(id) || id == TARN_TYPE_FLOAT32 || id == TARN_TYPE_FLOAT64 ||
           id == TARN_TYPE_DECIMAL;
}

static double as_double(const tarn_scalar *s)
{
    if (s->type.id == TARN_TYPE_FLOAT32 || s->type.id == TARN_TYPE_FLOAT64)
        return s->v.f64;
    if (s->type.id == TARN_TYPE_DECIMAL) {
        double f = 1;
        for (int i = 0; i < s->type.scale; i++)
            f *= 10;
        return (double)s->v.i128 / f;
    }
    return (double)s->v.i64;
}

static bool has_value(const tarn_ct_constraint *set, const tarn_scalar *v)
{
    for (int i = 0; i < set->n_args; i++)
        if (tarn_scalar_compare(&set->values[i], v) == 0)
            return true;
    return false;
}

static tarn_status constraint_changes(tarn_ct_diff *d, const tarn_ct_column *o,
                                      const tarn_ct_column *n, tarn_err *err)
{
    bool same_type = tarn_type_equal(o->type, n->type);
    const char *col = n->name;
    for (int k = TARN_CT_NOT_NULL; k <= TARN_CT_MAX_LENGTH; k++) {
        const tarn_ct_constraint *a = find_kind(o, (tarn_ct_constraint_kind)k);
        const tarn_ct_constraint *b = find_kind(n, (tarn_ct_constraint_kind)k);
        if (!a && !b)
            continue;
        if (k == TARN_CT_NOT_NULL && o->nullable != n->nullable)
            continue; /* reported as a nullability change */
        if (!a) {
            if (k == TARN_CT_NOT_NULL && !o->nullable)
                continue; /* was already not null */
            CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_WRITERS, "constraint_added", col, b->loc, false,
                   NULL, b->text, "column '%s': constraint %s added (existing data may fail it)",
                   col, b->text);
            continue;
        }
        if (!b) {
            if (k == TARN_CT_NOT_NULL && !n->nullable)
                continue; /* still not null */
            CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "constraint_removed", col, n->loc, false,
                   a->text, NULL,
                   "column '%s': constraint %s removed (consumers may see values it excluded)", col,
                   a->text);
            continue;
        }
        int dir = 0; /* +1 tightened, -1 relaxed, 2 both/unknown */
        const char *why = "";
        switch (k) {
        case TARN_CT_MIN_VALUE:
        case TARN_CT_MAX_VALUE:
            if (same_type || (numeric(o->type.id) && numeric(n->type.id))) {
                int cmp = same_type ? tarn_scalar_compare(&b->value, &a->value)
                                    : (as_double(&b->value) > as_double(&a->value)) -
                                          (as_double(&b->value) < as_double(&a->value));
                dir = k == TARN_CT_MIN_VALUE ? (cmp > 0) - (cmp < 0) : (cmp < 0) - (cmp > 0);
            } else {
                dir = strcmp(a->text, b->text) ? 2 : 0;
                why = " (the type changed too)";
            }
            break;
        case TARN_CT_MIN_LENGTH:
            dir = (b->length > a->length) - (b->length < a->length);
            break;
        case TARN_CT_MAX_LENGTH:
            dir = (b->length < a->length) - (b->length > a->length);
            break;
        case TARN_CT_ALLOWED_VALUES: {
            if (!same_type) {
                dir = strcmp(a->text, b->text) ? 2 : 0;
                why = " (the type changed too)";
                break;
            }
            bool dropped = false, added = false;
            for (int i = 0; i < a->n_args; i++)
                dropped |= !has_value(b, &a->values[i]);
            for (int i = 0; i < b->n_args; i++)
                added |= !has_value(a, &b->values[i]);
            dir = dropped && added ? 2 : dropped ? 1 : added ? -1 : 0;
            if (dir == 2)
                why = " (values both removed and added)";
            break;
        }
        case TARN_CT_REGEX:
            dir = strcmp(a->args[0], b->args[0]) ? 2 : 0;
            why = " (a changed pattern may reject values the old one accepted)";
            break;
        default:
            break;
        }
        if (dir == 0 && a->severity != b->severity) {
            dir = b->severity == TARN_CT_FAIL ? 1 : -1;
            why = b->severity == TARN_CT_FAIL ? " (severity warn -> fail)"
                                              : " (severity fail -> warn)";
        }
        if (dir > 0)
            CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_WRITERS,
                   dir == 1 ? "constraint_tightened" : "constraint_changed", col, b->loc, false,
                   a->text, b->text, "column '%s': constraint %s %s %s%s", col, a->text,
                   dir == 1 ? "tightened to" : "changed to", b->text, why);
        else if (dir < 0)
            CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "constraint_relaxed", col, b->loc, false,
                   a->text, b->text, "column '%s': constraint %s relaxed to %s%s", col, a->text,
                   b->text, why);
    }
    return TARN_OK;
}

/* ---- columns ------------------------------------------------------------- */

static void join_list(const char *const *v, int n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? ", " : "", v[i]);
}

static bool same_list(const char *const *a, int na, const char *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (strcmp(a[i], b[i]))
            return false;
    return true;
}

/* Same tags regardless of order. */
static bool same_set(const char *const *a, int na, const char *const *b, int nb)
{
    for (int i = 0; i < na; i++) {
        bool f = false;
        for (int j = 0; j < nb && !f; j++)
            f = !strcmp(a[i], b[j]);
        if (!f)
            return false;
    }
    for (int j = 0; j < nb; j++) {
        bool f = false;
        for (int i = 0; i < na && !f; i++)
            f = !strcmp(a[i], b[j]);
        if (!f)
            return false;
    }
    return true;
}

static tarn_status column_changes(tarn_ct_diff *d, const tarn_ct_column *o, const tarn_ct_column *n,
                                  tarn_err *err)
{
    const char *col = n->name;
    char ot[64], nt[64];
    tarn_type_name(o->type, ot, sizeof ot);
    tarn_type_name(n->type, nt, sizeof nt);
    switch (tarn_ct_type_change(o->type, n->type)) {
    case 1:
        CHANGE(d, TARN_DIFF_COMPATIBLE, TARN_AUD_NONE, "type_widened", col, n->type_loc, false, ot,
               nt, "column '%s': type widened %s -> %s", col, ot, nt);
        break;
    case 2:
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_WRITERS, "type_narrowed", col, n->type_loc, false,
               ot, nt, "column '%s': type narrowed %s -> %s (existing values may not fit)", col, ot,
               nt);
        break;
    case 3:
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "type_changed", col, n->type_loc, false, ot,
               nt, "column '%s': type changed %s -> %s (neither a widening nor a narrowing)", col,
               ot, nt);
        break;
    default:
        break;
    }
    if (o->nullable && !n->nullable)
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_WRITERS, "nullable_to_not_null", col, n->loc, false,
               "nullable", "not null",
               "column '%s': nullable -> not null (producers sending nulls will fail)", col);
    else if (!o->nullable && n->nullable)
        CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "not_null_to_nullable", col, n->loc, false,
               "not null", "nullable",
               "column '%s': not null -> nullable (consumers may see nulls)", col);
    if (o->pii != n->pii)
        CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "pii_changed", col, n->loc, false,
               o->pii ? "true" : "false", n->pii ? "true" : "false",
               "column '%s': pii %s -> %s (access for consumers changes)", col,
               o->pii ? "true" : "false", n->pii ? "true" : "false");
    if (!same_set(o->tags, o->n_tags, n->tags, n->n_tags)) {
        char a[200], b[200];
        join_list(o->tags, o->n_tags, a, sizeof a);
        join_list(n->tags, n->n_tags, b, sizeof b);
        CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "tags_changed", col, n->loc, false, a, b,
               "column '%s': tags [%s] -> [%s] (tag-based access may change)", col, a, b);
    }
    if (!str_eq(o->description, n->description))
        CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "description_changed", col, n->loc, false,
               o->description, n->description, "column '%s': description changed", col);
    return constraint_changes(d, o, n, err);
}

static int find_col(const tarn_contract *c, const char *name)
{
    return tarn_ct_find_column(c, name);
}

static tarn_status schema_changes(tarn_ct_diff *d, const tarn_contract *o, const tarn_contract *n,
                                  tarn_err *err)
{
    /* A column removed and another added at the same position with the same
     * type reads as a rename. */
    bool *renamed_new = tarn_calloc((size_t)n->n_columns + 1, sizeof *renamed_new);
    if (!renamed_new)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_status st = TARN_OK;
    for (int i = 0; i < o->n_columns; i++) {
        const tarn_ct_column *oc = &o->columns[i];
        int j = find_col(n, oc->name);
        if (j >= 0) {
            st = column_changes(d, oc, &n->columns[j], err);
            if (st != TARN_OK)
                break;
            continue;
        }
        if (i < n->n_columns && find_col(o, n->columns[i].name) < 0 &&
            tarn_type_equal(oc->type, n->columns[i].type)) {
            const tarn_ct_column *nc = &n->columns[i];
            renamed_new[i] = true;
            tarn_ct_change *c = add(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "column_renamed",
                                    nc->name, nc->loc, false, err);
            if (!c) {
                st = TARN_ERR_NOMEM;
                break;
            }
            set_text(c, oc->name, nc->name,
                     "column '%s' renamed to '%s' (queries and producers using the old name "
                     "break)",
                     oc->name, nc->name);
            continue;
        }
        tarn_ct_change *c = add(d, TARN_DIFF_BREAKING, TARN_AUD_READERS, "column_removed", oc->name,
                                oc->loc, true, err);
        if (!c) {
            st = TARN_ERR_NOMEM;
            break;
        }
        set_text(c, oc->name, NULL, "column '%s' removed (queries that read it break)", oc->name);
    }
    for (int j = 0; st == TARN_OK && j < n->n_columns; j++) {
        const tarn_ct_column *nc = &n->columns[j];
        if (renamed_new[j] || find_col(o, nc->name) >= 0)
            continue;
        char t[64];
        tarn_type_name(nc->type, t, sizeof t);
        tarn_ct_change *c = nc->nullable
                                ? add(d, TARN_DIFF_COMPATIBLE, TARN_AUD_NONE, "column_added",
                                      nc->name, nc->loc, false, err)
                                : add(d, TARN_DIFF_BREAKING, TARN_AUD_WRITERS,
                                      "column_added_not_null", nc->name, nc->loc, false, err);
        if (!c) {
            st = TARN_ERR_NOMEM;
            break;
        }
        if (nc->nullable)
            set_text(c, NULL, t, "column '%s' %s added (nullable)", nc->name, t);
        else
            set_text(c, NULL, t,
                     "column '%s' %s added as not null (existing producers do not send it)",
                     nc->name, t);
    }
    tarn_free(renamed_new);
    return st;
}

/* ---- checks ---------------------------------------------------------------- */

/* Check text with runs of whitespace collapsed, for comparison. */
static void norm(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    bool sp = false;
    for (; *s && o + 1 < cap; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n') {
            sp = o > 0;
            continue;
        }
        if (sp && o + 2 < cap)
            out[o++] = ' ';
        sp = false;
        out[o++] = *s;
    }
    out[o] = '\0';
}

/* Pairs each new check with an old one: same name; else (both unnamed) the
 * same text; else the same metric (a changed threshold). */
static int pair_check(const tarn_contract *o, const tarn_ct_check *k, const bool *used, int pass)
{
    char a[512], b[512];
    norm(k->text, a, sizeof a);
    for (int i = 0; i < o->n_checks; i++) {
        const tarn_ct_check *x = &o->checks[i];
        if (used[i])
            continue;
        if (pass == 0 && k->name && x->name && !strcmp(k->name, x->name))
            return i;
        if (pass > 0 && (k->name || x->name))
            continue;
        norm(x->text, b, sizeof b);
        if (pass == 1 && !strcmp(a, b))
            return i;
        if (pass == 2 && k->expr && x->expr && !strcmp(k->expr->metric.key, x->expr->metric.key))
            return i;
    }
    return -1;
}

static tarn_status check_changes(tarn_ct_diff *d, const tarn_contract *o, const tarn_contract *n,
                                 tarn_err *err)
{
    bool *used_old = tarn_calloc((size_t)o->n_checks + 1, 1);
    int *match = tarn_alloc(((size_t)n->n_checks + 1) * sizeof *match);
    if (!used_old || !match) {
        tarn_free(used_old);
        tarn_free(match);
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n->n_checks; i++)
        match[i] = -1;
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < n->n_checks; i++)
            if (match[i] < 0 && (match[i] = pair_check(o, &n->checks[i], used_old, pass)) >= 0)
                used_old[match[i]] = true;
    tarn_status st = TARN_OK;
    for (int i = 0; st == TARN_OK && i < n->n_checks; i++) {
        const tarn_ct_check *nk = &n->checks[i];
        tarn_ct_change *c = NULL;
        if (match[i] < 0) {
            if ((c = add(d, TARN_DIFF_INFO, TARN_AUD_NONE, "check_added", NULL, nk->loc, false,
                         err)))
                set_text(c, NULL, nk->text, "check added: %s", nk->text);
            else
                st = TARN_ERR_NOMEM;
            continue;
        }
        const tarn_ct_check *ok = &o->checks[match[i]];
        char a[512], b[512];
        norm(ok->text, a, sizeof a);
        norm(nk->text, b, sizeof b);
        if (!strcmp(a, b) && ok->severity == nk->severity)
            continue;
        if ((c = add(d, TARN_DIFF_INFO, TARN_AUD_NONE, "check_changed", NULL, nk->loc, false, err)))
            set_text(c, ok->text, nk->text, "check changed: %s%s -> %s%s", ok->text,
                     ok->severity == TARN_CT_WARN ? " (warn)" : "", nk->text,
                     nk->severity == TARN_CT_WARN ? " (warn)" : "");
        else
            st = TARN_ERR_NOMEM;
    }
    for (int i = 0; st == TARN_OK && i < o->n_checks; i++) {
        if (used_old[i])
            continue;
        tarn_ct_change *c = add(d, TARN_DIFF_INFO, TARN_AUD_NONE, "check_removed", NULL,
                                o->checks[i].loc, true, err);
        if (c)
            set_text(c, o->checks[i].text, NULL, "check removed: %s", o->checks[i].text);
        else
            st = TARN_ERR_NOMEM;
    }
    tarn_free(used_old);
    tarn_free(match);
    return st;
}

/* ---- the contract ------------------------------------------------------------ */

static bool same_source(const tarn_contract *o, const tarn_contract *n)
{
    if (o->has_source != n->has_source)
        return false;
    if (!o->has_source)
        return true;
    const tarn_ct_source *a = &o->source, *b = &n->source;
    if (!str_eq(a->format, b->format) || !str_eq(a->path, b->path) ||
        !str_eq(a->compression, b->compression) || a->delimiter != b->delimiter ||
        a->header != b->header || a->n_options != b->n_options)
        return false;
    for (int i = 0; i < a->n_options; i++)
        if (strcmp(a->options[i].key, b->options[i].key) ||
            strcmp(a->options[i].value, b->options[i].value))
            return false;
    return true;
}

static const char *orv(const char *s)
{
    return s ? s : "(none)";
}

tarn_status tarn_ct_diff_contracts(const tarn_contract *o, const tarn_contract *n, tarn_ct_diff *d,
                                   tarn_err *err)
{
    memset(d, 0, sizeof *d);
    d->old_version = o->version;
    d->new_version = n->version;
    d->major_bump = n->version_major > o->version_major;
    int vc = (n->version_major > o->version_major) - (n->version_major < o->version_major);
    if (!vc)
        vc = (n->version_minor > o->version_minor) - (n->version_minor < o->version_minor);
    if (!vc)
        vc = (n->version_patch > o->version_patch) - (n->version_patch < o->version_patch);
    if (vc < 0)
        CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_BOTH, "version_decreased", NULL, n->version_loc,
               false, o->version, n->version, "version went down: %s -> %s", orv(o->version),
               orv(n->version));
    else if (!str_eq(o->version, n->version))
        CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "version_changed", NULL, n->version_loc, false,
               o->version, n->version, "version %s -> %s", orv(o->version), orv(n->version));
    if (strcmp(o->dataset, n->dataset))
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "dataset_renamed", NULL, n->dataset_loc, false,
               o->dataset, n->dataset,
               "dataset renamed '%s' -> '%s' (its tables and every reference change)", o->dataset,
               n->dataset);
    if (!same_list(o->primary_key, o->n_primary_key, n->primary_key, n->n_primary_key)) {
        char a[200], b[200];
        join_list(o->primary_key, o->n_primary_key, a, sizeof a);
        join_list(n->primary_key, n->n_primary_key, b, sizeof b);
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "primary_key_changed", NULL,
               n->primary_key_loc.line ? n->primary_key_loc : n->dataset_loc, false, a, b,
               "primary key [%s] -> [%s] (deduplication and merges change)", a, b);
    }
    if (!str_eq(o->sequence_by, n->sequence_by))
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "sequence_by_changed", NULL,
               n->sequence_by_loc.line ? n->sequence_by_loc : n->dataset_loc, false, o->sequence_by,
               n->sequence_by, "sequence_by %s -> %s (which update wins changes)",
               orv(o->sequence_by), orv(n->sequence_by));
    TARN_TRY(schema_changes(d, o, n, err));
    TARN_TRY(check_changes(d, o, n, err));
    if (!same_set(o->tags, o->n_tags, n->tags, n->n_tags)) {
        char a[200], b[200];
        join_list(o->tags, o->n_tags, a, sizeof a);
        join_list(n->tags, n->n_tags, b, sizeof b);
        CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "tags_changed", NULL, n->dataset_loc, false,
               a, b, "dataset tags [%s] -> [%s] (tag-based access may change)", a, b);
    }
    if (!str_eq(o->description, n->description))
        CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "description_changed", NULL, n->dataset_loc, false,
               o->description, n->description, "description changed");
    if (!str_eq(o->owner, n->owner))
        CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "owner_changed", NULL, n->dataset_loc, false,
               o->owner, n->owner, "owner %s -> %s", orv(o->owner), orv(n->owner));
    if (o->sla_seconds != n->sla_seconds)
        CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "sla_changed", NULL, n->dataset_loc, false, o->sla,
               n->sla, "sla %s -> %s", orv(o->sla), orv(n->sla));
    if (o->scd2 != n->scd2)
        CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "history_changed", NULL,
               n->history_loc.line ? n->history_loc : n->dataset_loc, false,
               o->scd2 ? "scd2" : "latest", n->scd2 ? "scd2" : "latest",
               "history %s -> %s (Silver's rows and columns change shape)",
               o->scd2 ? "scd2" : "latest", n->scd2 ? "scd2" : "latest");
    if (!str_eq(o->delete_when, n->delete_when))
        CHANGE(d, TARN_DIFF_WARNING, TARN_AUD_READERS, "delete_when_changed", NULL,
               n->delete_when_loc.line ? n->delete_when_loc : n->dataset_loc, false, o->delete_when,
               n->delete_when, "delete_when %s -> %s (which records delete rows changes)",
               orv(o->delete_when), orv(n->delete_when));
    if (o->evolution != n->evolution) {
        bool to_fail = n->evolution == TARN_CT_EVOLUTION_FAIL;
        const char *a = to_fail ? "rescue" : "fail", *b = to_fail ? "fail" : "rescue";
        tarn_ct_loc at = n->evolution_loc.line ? n->evolution_loc : n->dataset_loc;
        if (to_fail)
            CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_WRITERS, "evolution_changed", NULL, at, false, a,
                   b, "evolution rescue -> fail (producers sending extra fields will fail)");
        else
            CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "evolution_changed", NULL, at, false, a, b,
                   "evolution fail -> rescue");
    }
    if (!same_source(o, n))
        CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "source_changed", NULL,
               n->has_source ? n->source.loc : n->dataset_loc, false, NULL, NULL,
               "source settings changed");
    return TARN_OK;
}

tarn_status tarn_ct_diff_added(const tarn_contract *n, tarn_ct_diff *d, tarn_err *err)
{
    memset(d, 0, sizeof *d);
    d->new_version = n->version;
    d->major_bump = true;
    CHANGE(d, TARN_DIFF_INFO, TARN_AUD_NONE, "contract_added", NULL, n->dataset_loc, false, NULL,
           n->dataset, "new contract for dataset '%s'", n->dataset);
    return TARN_OK;
}

tarn_status tarn_ct_diff_deleted(const tarn_contract *o, tarn_ct_diff *d, tarn_err *err)
{
    memset(d, 0, sizeof *d);
    d->old_version = o->version;
    d->deleted = true;
    CHANGE(d, TARN_DIFF_BREAKING, TARN_AUD_BOTH, "contract_deleted", NULL, o->dataset_loc, true,
           o->dataset, NULL,
           "contract for dataset '%s' deleted (its consumers and producers lose it)", o->dataset);
    return TARN_OK;
}

void tarn_ct_diff_fini(tarn_ct_diff *d)
{
    tarn_free(d->items);
    memset(d, 0, sizeof *d);
}

int tarn_ct_diff_verdict(const tarn_ct_diff *d, tarn_diff_audience who, bool fail_on_warning)
{
    if (d->major_bump && !d->deleted)
        return 0;
    for (int i = 0; i < d->n; i++) {
        const tarn_ct_change *c = &d->items[i];
        bool counts =
            c->cls == TARN_DIFF_BREAKING || (fail_on_warning && c->cls == TARN_DIFF_WARNING);
        if (counts && (c->audience & who))
            return 1;
    }
    return 0;
}

const char *tarn_diff_class_name(tarn_diff_class c)
{
    static const char *const names[] = {"info", "compatible", "warning", "breaking"};
    return (int)c >= 0 && c <= TARN_DIFF_BREAKING ? names[c] : "?";
}

const char *tarn_diff_audience_name(tarn_diff_audience a)
{
    static const char *const names[] = {"-", "readers", "writers", "both"};
    return (int)a >= 0 && a <= TARN_AUD_BOTH ? names[a] : "?";
}
