/*
 * exec/source.c - open a Parquet file or Delta table as a filtered,
 * projected batch stream for `tarn cat` and friends.
 *
 * The scan reads the projected columns plus any the predicate needs; the
 * predicate is bound twice: once to the full schema (to learn which columns
 * it uses), then to the read schema (for evaluation). Row groups (Parquet)
 * and files (Delta) whose statistics exclude the predicate are skipped.
 */
#include "exec/source.h"

#include "base/alloc.h"
#include "base/fs.h"
#include "column/value.h"
#include "delta/scan.h"
#include "delta/stats.h"
#include "exec/predicate.h"
#include "parquet/reader.h"

#include <stdio.h>
#include <string.h>

struct tarn_source {
    tarn_pq_file *pq;                /* Parquet input, or NULL */
    tarn_pq_scan *pq_scan;           /* its scan */
    tarn_delta_snapshot *snap;       /* Delta input, or NULL */
    bool snap_borrowed;              /* snap is the caller's (not destroyed here) */
    tarn_delta_scan *delta_scan;     /* its scan */
    const tarn_schema *full;         /* schema of the whole input */
    tarn_schema *read_schema;        /* columns read: projection + predicate extras */
    tarn_schema *out_schema;         /* projection */
    int n_out;                       /* projected columns = first n_out read columns */
    tarn_pred *pred;                 /* bound to read_schema, or NULL */
    tarn_pred *pred_full;            /* bound to full (for file/row-group skipping) */
    tarn_batch *out;                 /* compacted output batch */
    uint8_t *match;                  /* per-row predicate result */
    int64_t *sel;                    /* selected row indexes */
    int64_t cap;                     /* capacity of match/sel */
    int64_t skipped, scanned;        /* files or row groups */
    int part, n_parts;               /* the share of files/row groups read */
    int64_t bytes_read, bytes_total; /* Delta: add.size of files read / considered
                                        (less the row groups skipped) */
    int64_t rg_skipped;              /* Delta: row groups skipped inside files read */
    bool rg_split;                   /* parts share files by row group (a data column is
                                        read, so row groups are what the scan reads) */
    tarn_schema *probe_schema;       /* Delta: the predicate's columns, table order */
    tarn_pred *probe_pred;           /* bound to probe_schema, or NULL: no probing */
    int64_t rg_probed;               /* row groups skipped after reading the predicate's
                                        columns found no match */
    int64_t probe_hits;              /* probes that found a match (wasted work) */
};

tarn_status tarn_parse_timestamp_ms(const char *text, int64_t *out, tarn_err *err)
{
    int64_t us;
    TARN_TRY(tarn_parse_timestamp(text, strlen(text), false, &us, err));
    *out = us / 1000;
    return TARN_OK;
}

/* Splits "a,b,c" into indexes of full; appends predicate-only columns. */
static tarn_status build_read_columns(tarn_source *s, const char *columns, int **out_idx,
                                      int *out_n, tarn_err *err)
{
    const tarn_schema *full = s->full;
    int *idx = tarn_alloc(sizeof(int) * (size_t)(full->n_fields + 1) * 2);
    if (!idx)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    int n = 0;
    if (columns && *columns) {
        const char *p = columns;
        while (*p) {
            const char *e = strchr(p, ',');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            while (len && *p == ' ') {
                p++;
                len--;
            }
            while (len && p[len - 1] == ' ')
                len--;
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)TARN_MIN(len, 255), p);
            int c = tarn_schema_find(full, name);
            if (c < 0)
                c = tarn_schema_find_ci(full, name);
            if (c < 0) {
                tarn_free(idx);
                return tarn_err_set(err, TARN_ERR_USAGE, "--columns: unknown column '%s'", name);
            }
            if (n >= full->n_fields * 2) {
                tarn_free(idx);
                return tarn_err_set(err, TARN_ERR_USAGE, "--columns: too many columns");
            }
            idx[n++] = c;
            if (!e)
                break;
            p = e + 1;
        }
    } else {
        for (int i = 0; i < full->n_fields; i++)
            idx[n++] = i;
    }
    s->n_out = n;
    if (s->pred_full) {
        for (int c = 0; c < full->n_fields; c++) {
            if (!tarn_pred_uses_column(s->pred_full, c))
                continue;
            bool have = false;
            for (int k = 0; k < n && !have; k++)
                have = idx[k] == c;
            if (!have)
                idx[n++] = c;
        }
    }
    *out_idx = idx;
    *out_n = n;
    return TARN_OK;
}

static tarn_status make_schemas(tarn_source *s, const int *idx, int n, tarn_err *err)
{
    s->read_schema = tarn_schema_create();
    s->out_schema = tarn_schema_create();
    if (!s->read_schema || !s->out_schema)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        tarn_schema *dst[2] = {s->read_schema, k < s->n_out ? s->out_schema : NULL};
        for (int j = 0; j < 2 && dst[j]; j++) {
            tarn_field *f = tarn_schema_add(dst[j], s->full->fields[idx[k]].name,
                                            s->full->fields[idx[k]].type, true);
            if (!f || tarn_field_copy(dst[j]->arena, f, &s->full->fields[idx[k]]) != TARN_OK)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
    }
    return TARN_OK;
}

/* Row-group skipping for Parquet inputs. */
static tarn_status pq_row_group_mask(tarn_source *s, bool *mask, tarn_err *err)
{
    int n_rg = tarn_pq_file_num_row_groups(s->pq);
    int nf = s->full->n_fields;
    tarn_pred_colstats *st = tarn_calloc((size_t)(nf ? nf : 1), sizeof *st);
    if (!st)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int rg = 0; rg < n_rg; rg++) {
        mask[rg] = s->n_parts <= 1 || rg % s->n_parts == s->part;
        if (!s->pred_full || !mask[rg]) {
            s->scanned += mask[rg];
            continue;
        }
        for (int c = 0; c < nf; c++) {
            memset(&st[c], 0, sizeof st[c]);
            st[c].null_count = -1;
            st[c].num_rows = tarn_pq_file_metadata(s->pq)->row_groups[rg].num_rows;
            if (!tarn_pred_uses_column(s->pred_full, c) ||
                tarn_type_is_nested(s->full->fields[c].type.id))
                continue;
            tarn_pq_stats ps;
            tarn_err e2;
            if (tarn_pq_file_column_stats(s->pq, rg, c, &ps, &e2) != TARN_OK)
                continue; /* unusable stats: just don't skip */
            st[c].known = true;
            st[c].null_count = ps.has_null_count ? ps.null_count : -1;
            st[c].has_min_max = ps.has_min_max;
            st[c].min = ps.min;
            st[c].max = ps.max;
        }
        mask[rg] = tarn_pred_may_match(s->pred_full, st);
        if (mask[rg])
            s->scanned++;
        else
            s->skipped++;
    }
    tarn_free(st);
    return TARN_OK;
}

static tarn_status open_parquet(tarn_source *s, const int *idx, int n, tarn_err *err)
{
    int n_rg = tarn_pq_file_num_row_groups(s->pq);
    bool *mask = tarn_calloc((size_t)(n_rg ? n_rg : 1), sizeof(bool));
    if (!mask)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_status st = pq_row_group_mask(s, mask, err);
    tarn_pq_scan_opts o = {.columns = idx, .n_columns = n, .row_groups = mask};
    if (st == TARN_OK)
        st = tarn_pq_scan_open(s->pq, &o, &s->pq_scan, err);
    tarn_free(mask);
    return st;
}

/* Converts a Delta file's statistics to predicate column facts. */
static void delta_colstats(const tarn_delta_file_stats *fs, bool has, int n_fields,
                           tarn_pred_colstats *st)
{
    for (int c = 0; c < n_fields; c++) {
        memset(&st[c], 0, sizeof st[c]);
        st[c].null_count = -1;
        st[c].num_rows = fs->has_num_records ? fs->num_records : -1;
        if (c >= fs->n_cols)
            continue;
        const tarn_delta_col_stats *cs = &fs->cols[c];
        st[c].known = true;
        if (cs->has_null_count && (has || fs->has_num_records))
            st[c].null_count = cs->null_count;
        st[c].has_min_max = cs->has_min && cs->has_max;
        st[c].min = cs->min;
        st[c].max = cs->max;
    }
}

/* Whether the file's statistics and partition values admit the predicate
 * (true without one, or when the statistics cannot be read). */
static bool file_may_match(const tarn_source *s, const tarn_delta_snapshot *snap,
                           const tarn_delta_add *add)
{
    if (!s->pred_full)
        return true;
    bool keep = true;
    int nf = snap->schema->n_fields;
    tarn_pred_colstats *st = tarn_calloc((size_t)nf + 1, sizeof *st);
    tarn_arena *a = tarn_arena_create(4096);
    tarn_delta_file_stats fs;
    bool has = false;
    tarn_err e2;
    if (st && a && tarn_delta_file_stats_for_add(snap, add, a, &fs, &has, &e2) == TARN_OK) {
        delta_colstats(&fs, has, nf, st);
        keep = tarn_pred_may_match(s->pred_full, st);
    }
    tarn_free(st);
    tarn_arena_destroy(a);
    return keep;
}

/* keep_file callback: skip Delta files whose stats or partition values
 * exclude the predicate. With parts, a file is counted by the part that owns
 * it (index % n_parts); files without a deletion vector are opened by every
 * part, which then reads its share of the row groups (delta_keep_rg), so the
 * parts stay balanced when there are few files. */
static bool delta_keep_file(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add)
{
    tarn_source *s = ctx;
    bool own = s->n_parts <= 1 || (add - snap->files) % s->n_parts == s->part;
    if (!own && (add->has_dv || !s->rg_split))
        return false; /* another part's file */
    bool keep = file_may_match(s, snap, add);
    if (own) {
        s->bytes_total += add->size;
        s->scanned += keep;
        s->skipped += !keep;
        s->bytes_read += keep ? add->size : 0;
    }
    return keep;
}

/* Leaves (Parquet column chunks) of a field. */
static int leaf_count(const tarn_field *f)
{
    if (f->n_children == 0)
        return 1;
    int n = 0;
    for (int i = 0; i < f->n_children; i++)
        n += leaf_count(&f->children[i]);
    return n;
}

/* Late filtering: reads only the predicate's columns of row group rg and
 * tells whether any row matches, so a row group the statistics could not
 * rule out is still skipped before its other columns are decoded. Any
 * problem (a column missing or of another type in the file) answers true. */
static bool probe_row_group(tarn_source *s, const tarn_delta_snapshot *snap, const tarn_pq_file *pf,
                            int rg, const tarn_pq_row_group *g)
{
    const tarn_schema *fs = tarn_pq_file_schema(pf), *ps = s->probe_schema;
    int cols[16];
    int64_t probe_bytes = 0;
    if (ps->n_fields > 16)
        return true;
    for (int c = 0; c < ps->n_fields; c++) {
        int t = tarn_schema_find(snap->schema, ps->fields[c].name);
        const tarn_field *tf = &snap->schema->fields[t];
        int k = tarn_schema_find(fs, tf->physical_name ? tf->physical_name : tf->name);
        if (k < 0 || !tarn_type_equal(fs->fields[k].type, tf->type))
            return true;
        cols[c] = k;
        int leaf = 0;
        for (int j = 0; j < k; j++)
            leaf += leaf_count(&fs->fields[j]);
        if (leaf < g->n_columns && g->columns[leaf].has_meta_data)
            probe_bytes += g->columns[leaf].meta_data.total_compressed_size;
    }
    int n_rg = tarn_pq_file_num_row_groups(pf);
    bool *mask = tarn_calloc((size_t)n_rg + 1, 1);
    uint8_t *match = NULL;
    int64_t cap = 0;
    bool any = true;
    tarn_pq_scan *scan = NULL;
    tarn_err e2;
    if (mask) {
        mask[rg] = true;
        tarn_pq_scan_opts o = {cols, ps->n_fields, mask};
        if (tarn_pq_scan_open((tarn_pq_file *)pf, &o, &scan, &e2) == TARN_OK) {
            any = false;
            tarn_batch *b;
            while (!any && tarn_pq_scan_next(scan, &b, &e2) == TARN_OK && b) {
                if (b->n_rows > cap) {
                    tarn_free(match);
                    cap = b->n_rows;
                    if (!(match = tarn_alloc((size_t)cap))) {
                        any = true;
                        break;
                    }
                }
                tarn_batch view = *b;
                view.schema = ps;
                if (tarn_pred_eval(s->probe_pred, &view, match, &e2) != TARN_OK) {
                    any = true;
                    break;
                }
                for (int64_t i = 0; i < b->n_rows && !any; i++)
                    any = match[i];
            }
            tarn_pq_scan_close(scan);
        }
    }
    tarn_free(mask);
    tarn_free(match);
    if (!any) /* only the predicate's columns were read */
        s->bytes_read -=
            (g->has_total_compressed_size ? g->total_compressed_size : 0) - probe_bytes;
    return any;
}

/* keep_row_group callback: skip a Delta file's row groups whose statistics
 * exclude the predicate. Columns are matched by their name in the file
 * (the physical name under column mapping). */
static bool delta_keep_rg(void *ctx, const tarn_delta_snapshot *snap, const tarn_delta_add *add,
                          const tarn_pq_file *pf, int rg)
{
    tarn_source *s = ctx;
    if (s->rg_split && ((add - snap->files) + rg) % s->n_parts != s->part)
        return false; /* another part's row group */
    if (!s->pred_full)
        return true;
    int nf = snap->schema->n_fields;
    const tarn_schema *fs = tarn_pq_file_schema(pf);
    const tarn_pq_row_group *g = &tarn_pq_file_metadata(pf)->row_groups[rg];
    tarn_pred_colstats *st = tarn_calloc((size_t)nf + 1, sizeof *st);
    if (!st)
        return true;
    for (int c = 0; c < nf; c++) {
        st[c].null_count = -1;
        st[c].num_rows = g->num_rows;
        const tarn_field *tf = &snap->schema->fields[c];
        if (!tarn_pred_uses_column(s->pred_full, c) || tarn_type_is_nested(tf->type.id))
            continue;
        const char *name = tf->physical_name ? tf->physical_name : tf->name;
        int k = tarn_schema_find(fs, name);
        tarn_pq_stats ps;
        tarn_err e2;
        /* The file's type must be the table's for its min/max to compare. */
        if (k < 0 || !tarn_type_equal(fs->fields[k].type, tf->type) ||
            tarn_pq_file_column_stats(pf, rg, k, &ps, &e2) != TARN_OK)
            continue;
        st[c].known = true;
        st[c].null_count = ps.has_null_count ? ps.null_count : -1;
        st[c].has_min_max = ps.has_min_max;
        st[c].min = ps.min;
        st[c].max = ps.max;
    }
    bool keep = tarn_pred_may_match(s->pred_full, st);
    tarn_free(st);
    /* Probing pays only when it skips: stop once matches keep turning up. */
    if (keep && s->probe_pred && s->probe_hits <= 2 * s->rg_probed + 2) {
        if (!probe_row_group(s, snap, pf, rg, g)) {
            s->rg_probed++;
            return false;
        }
        s->probe_hits++;
    }
    if (!keep) {
        s->rg_skipped++;
        s->bytes_read -= g->has_total_compressed_size ? g->total_compressed_size : 0;
    }
    return keep;
}

static tarn_status open_delta(tarn_source *s, const int *idx, int n, tarn_err *err)
{
    const char **names = tarn_alloc(sizeof(char *) * (size_t)(n ? n : 1));
    if (!names)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (int k = 0; k < n; k++) {
        names[k] = s->full->fields[idx[k]].name;
        bool part_col = false;
        for (int p = 0; p < s->snap->n_partition_columns; p++)
            part_col |= s->snap->partition_column_index[p] == idx[k];
        s->rg_split |= s->n_parts > 1 && !part_col;
    }
    tarn_delta_scan_opts o;
    memset(&o, 0, sizeof o);
    o.columns = names;
    o.n_columns = n;
    o.keep_file = delta_keep_file; /* counts files and bytes, skips by statistics */
    o.keep_ctx = s;
    if (s->pred_full || s->rg_split) {
        o.keep_row_group = delta_keep_rg;
        o.rg_ctx = s;
    }
    tarn_status st = tarn_delta_scan_open(s->snap, &o, &s->delta_scan, err);
    tarn_free(names);
    return st;
}

/* Row-group probing pays off when the scan reads columns the predicate
 * does not use: binds the predicate to just its own (flat) columns. */
static void setup_probe(tarn_source *s, const char *where)
{
    int used = 0;
    for (int c = 0; c < s->full->n_fields; c++) {
        if (!tarn_pred_uses_column(s->pred_full, c))
            continue;
        if (tarn_type_is_nested(s->full->fields[c].type.id))
            return;
        used++;
    }
    if (used == 0 || used >= s->read_schema->n_fields)
        return;
    tarn_schema *ps = tarn_schema_create();
    for (int c = 0; ps && c < s->full->n_fields; c++) {
        if (!tarn_pred_uses_column(s->pred_full, c))
            continue;
        tarn_field *f = tarn_schema_add(ps, s->full->fields[c].name, s->full->fields[c].type, true);
        if (!f || tarn_field_copy(ps->arena, f, &s->full->fields[c]) != TARN_OK) {
            tarn_schema_destroy(ps);
            return;
        }
    }
    tarn_err e2;
    if (!ps || tarn_pred_parse(where, ps, &s->probe_pred, &e2) != TARN_OK) {
        tarn_schema_destroy(ps);
        s->probe_pred = NULL;
        return;
    }
    s->probe_schema = ps;
}

tarn_status tarn_source_open(const tarn_source_opts *o, tarn_source **out, tarn_err *err)
{
    *out = NULL;
    tarn_source *s = tarn_calloc(1, sizeof *s);
    if (!s)
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    s->part = o->part;
    s->n_parts = o->n_parts;
    int *idx = NULL, n = 0;
    tarn_status st;
    if (o->snapshot) {
        s->snap = (tarn_delta_snapshot *)o->snapshot;
        s->snap_borrowed = true;
        s->full = s->snap->schema;
        st = TARN_OK;
    } else if (tarn_delta_is_table(o->path)) {
        st = tarn_delta_snapshot_load(o->path, &o->at, &s->snap, err);
        if (st == TARN_OK)
            s->full = s->snap->schema;
    } else if (tarn_is_dir(o->path)) {
        st = tarn_err_set(err, TARN_ERR_NOT_FOUND,
                          "not a Delta table (no _delta_log directory) and not a Parquet file");
        tarn_err_at_path(err, o->path);
    } else {
        if (o->at.kind != TARN_DELTA_AT_LATEST) {
            st = tarn_err_set(err, TARN_ERR_USAGE,
                              "--version and --timestamp apply to Delta tables, not Parquet files");
            goto done;
        }
        st = tarn_pq_file_open(o->path, &s->pq, err);
        if (st == TARN_OK)
            s->full = tarn_pq_file_schema(s->pq);
    }
    if (st != TARN_OK)
        goto done;
    if (o->where && *o->where) {
        st = tarn_pred_parse(o->where, s->full, &s->pred_full, err);
        if (st != TARN_OK)
            goto done;
    }
    st = build_read_columns(s, o->columns, &idx, &n, err);
    if (st == TARN_OK)
        st = make_schemas(s, idx, n, err);
    if (st == TARN_OK && s->pred_full)
        st = tarn_pred_parse(o->where, s->read_schema, &s->pred, err);
    if (st == TARN_OK && s->pred_full && s->snap)
        setup_probe(s, o->where);
    if (st == TARN_OK)
        st = s->pq ? open_parquet(s, idx, n, err) : open_delta(s, idx, n, err);
    if (st == TARN_OK) {
        s->out = tarn_batch_create(s->out_schema);
        if (!s->out)
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    }
done:
    tarn_free(idx);
    if (st != TARN_OK) {
        tarn_source_close(s);
        return st;
    }
    *out = s;
    return TARN_OK;
}

const tarn_schema *tarn_source_schema(const tarn_source *s)
{
    return s->out_schema;
}

const tarn_delta_snapshot *tarn_source_snapshot(const tarn_source *s)
{
    return s->snap;
}

int64_t tarn_source_row_groups_skipped(const tarn_source *s)
{
    return s->rg_skipped + s->rg_probed;
}

void tarn_source_bytes(const tarn_source *s, int64_t *out_read, int64_t *out_total)
{
    *out_read = s->bytes_read;
    *out_total = s->bytes_total;
}

void tarn_source_counts(const tarn_source *s, int64_t *out_skipped, int64_t *out_scanned)
{
    *out_skipped = s->skipped;
    *out_scanned = s->scanned;
}

static tarn_status raw_next(tarn_source *s, tarn_batch **out, tarn_err *err)
{
    if (s->pq_scan)
        return tarn_pq_scan_next(s->pq_scan, out, err);
    return tarn_delta_scan_next(s->delta_scan, out, err);
}

/* Copies the projected columns of the selected rows into s->out. */
static tarn_status compact(tarn_source *s, const tarn_batch *in, int64_t n_sel, tarn_err *err)
{
    tarn_batch_reset(s->out);
    for (int c = 0; c < s->n_out; c++) {
        tarn_status st = n_sel == in->n_rows
                             ? tarn_vec_append_range(s->out->cols[c], in->cols[c], 0, n_sel)
                             : tarn_vec_append_take(s->out->cols[c], in->cols[c], s->sel, n_sel);
        if (st != TARN_OK)
            return tarn_err_set(err, st, "out of memory filtering rows");
    }
    s->out->n_rows = n_sel;
    return TARN_OK;
}

tarn_status tarn_source_next(tarn_source *s, tarn_batch **out, tarn_err *err)
{
    for (;;) {
        tarn_batch *in;
        TARN_TRY(raw_next(s, &in, err));
        if (!in) {
            *out = NULL;
            return TARN_OK;
        }
        if (in->n_rows == 0)
            continue;
        if (!s->pred && s->n_out == s->read_schema->n_fields) {
            *out = in; /* nothing to filter or drop: hand the scan's batch through */
            return TARN_OK;
        }
        if (in->n_rows > s->cap) {
            tarn_free(s->match);
            tarn_free(s->sel);
            s->cap = in->n_rows;
            s->match = tarn_alloc((size_t)s->cap);
            s->sel = tarn_alloc(sizeof(int64_t) * (size_t)s->cap);
            if (!s->match || !s->sel)
                return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
        }
        int64_t n_sel = 0;
        if (s->pred) {
            TARN_TRY(tarn_pred_eval(s->pred, in, s->match, err));
            for (int64_t i = 0; i < in->n_rows; i++) {
                s->sel[n_sel] = i;
                n_sel += s->match[i];
            }
        } else {
            n_sel = in->n_rows;
        }
        if (n_sel == 0)
            continue;
        TARN_TRY(compact(s, in, n_sel, err));
        *out = s->out;
        return TARN_OK;
    }
}

void tarn_source_close(tarn_source *s)
{
    if (!s)
        return;
    if (s->pq_scan)
        tarn_pq_scan_close(s->pq_scan);
    if (s->delta_scan)
        tarn_delta_scan_close(s->delta_scan);
    tarn_pq_file_close(s->pq);
    if (!s->snap_borrowed)
        tarn_delta_snapshot_destroy(s->snap);
    tarn_pred_destroy(s->pred);
    tarn_pred_destroy(s->pred_full);
    tarn_pred_destroy(s->probe_pred);
    tarn_schema_destroy(s->probe_schema);
    tarn_batch_destroy(s->out);
    tarn_schema_destroy(s->read_schema);
    tarn_schema_destroy(s->out_schema);
    tarn_free(s->match);
    tarn_free(s->sel);
    tarn_free(s);
}
