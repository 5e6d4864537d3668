/*
 * cli/cmd_parquet.c - `tarn parquet inspect FILE [--json]`: what a Parquet
 * file holds, from its footer alone (no data page is read).
 *
 * Prints size, writer, rows, key/value metadata, the schema tree and, per
 * row group and column chunk, codec, encodings, sizes, value count and
 * statistics decoded to the logical type (parquet/reader.h decides which
 * statistics are trustworthy). --json prints the same as one JSON document.
 * Errors: one line "tarn parquet: <path>: offset N: <message>", exit 2.
 */
#include "cli/cli.h"

#include "column/scalar.h"
#include "parquet/footer.h"
#include "parquet/reader.h"

#include <jansson.h>
#include <string.h>

#define CMD "parquet"

static void help(FILE *out)
{
    fprintf(out, "usage: tarn parquet inspect FILE [--json]\n"
                 "\n"
                 "Shows what a Parquet file holds, read from its footer: file size, writer\n"
                 "(created_by), number of rows, key/value metadata, the schema tree (name,\n"
                 "repetition, physical type, logical/converted type, field id) and, per row\n"
                 "group, its rows and bytes and for every column chunk: path, codec, encodings,\n"
                 "compressed/uncompressed size, number of values and statistics (null count,\n"
                 "min, max shown in the column's logical type; '-' when the file has none or\n"
                 "they cannot be trusted).\n"
                 "\n"
                 "options:\n"
                 "  --json     print one JSON document instead of text\n"
                 "  -h, --help show this help\n"
                 "\n"
                 "Exit codes: 0 ok, 2 usage error or unreadable/invalid file.\n");
}

/* Annotation text of a schema element ("" when none). */
static void annotation(const tarn_pq_schema_element *el, char *out, size_t cap)
{
    char lt[96];
    tarn_pq_logical_format(&el->logical, lt, sizeof lt);
    if (lt[0] && el->converted != TARN_PQ_CT_NONE)
        snprintf(out, cap, "%s / %s", lt, tarn_pq_converted_name(el->converted));
    else if (lt[0])
        snprintf(out, cap, "%s", lt);
    else if (el->converted != TARN_PQ_CT_NONE)
        snprintf(out, cap, "%s", tarn_pq_converted_name(el->converted));
    else
        out[0] = '\0';
}

static void physical(const tarn_pq_schema_element *el, char *out, size_t cap)
{
    if (!el->has_type)
        snprintf(out, cap, "group");
    else if (el->type == TARN_PQ_FIXED_LEN_BYTE_ARRAY)
        snprintf(out, cap, "FIXED_LEN_BYTE_ARRAY(%d)", (int)el->type_length);
    else
        snprintf(out, cap, "%s", tarn_pq_type_name(el->type));
}

/* Statistics as text ("-" when unusable); *has tells whether min/max exist. */
static tarn_status stat_text(const tarn_scalar *s, bool has, char *out, size_t cap)
{
    if (!has) {
        snprintf(out, cap, "-");
        return TARN_OK;
    }
    tarn_buf b = TARN_BUF_INIT;
    /* Strings are quoted so empty and blank values stay visible. */
    tarn_status st = s->type.id == TARN_TYPE_STRING ? tarn_scalar_render_json(&b, s)
                                                    : tarn_scalar_render_text(&b, s);
    if (st == TARN_OK) {
        /* Long strings are cut for display. */
        size_t n = b.len > 64 ? 64 : b.len;
        snprintf(out, cap, "%.*s%s", (int)n, b.data ? b.data : "", b.len > 64 ? "..." : "");
    }
    tarn_buf_fini(&b);
    return st;
}

/* Text output ----------------------------------------------------------------- */

static int print_schema(const tarn_pq_file_meta *m, int i, int depth)
{
    const tarn_pq_schema_element *el = &m->schema[i];
    char ann[160], phys[64];
    annotation(el, ann, sizeof ann);
    physical(el, phys, sizeof phys);
    printf("  %*s%s: %s %s", depth * 2, "", el->name,
           el->has_repetition ? tarn_pq_repetition_name(el->repetition) : "-", phys);
    if (ann[0])
        printf(" (%s)", ann);
    if (el->has_field_id)
        printf(" field_id=%d", (int)el->field_id);
    printf("\n");
    int next = i + 1;
    for (int k = 0; k < el->num_children && next < m->n_schema; k++)
        next = print_schema(m, next, depth + 1);
    return next;
}

static void print_encodings(const tarn_pq_column_meta *cm)
{
    for (int e = 0; e < cm->n_encodings; e++)
        printf("%s%s", e ? "," : "", tarn_pq_encoding_name(cm->encodings[e]));
    if (cm->n_encodings == 0)
        printf("-");
}

static int inspect_text(const tarn_pq_file *f, tarn_err *err)
{
    const tarn_pq_file_meta *m = tarn_pq_file_metadata(f);
    printf("file: %s\n", tarn_pq_file_path(f));
    printf("size: %lld bytes\n", (long long)tarn_pq_file_size(f));
    printf("created_by: %s\n", m->created_by ? m->created_by : "-");
    printf("format version: %d\n", (int)m->version);
    printf("rows: %lld\n", (long long)m->num_rows);
    printf("row groups: %d\n", m->n_row_groups);
    printf("key/value metadata: %d\n", m->n_kv);
    for (int i = 0; i < m->n_kv; i++) {
        const char *v = m->kv[i].value ? m->kv[i].value : "";
        printf("  %s = %.200s%s\n", m->kv[i].key, v, strlen(v) > 200 ? "..." : "");
    }
    printf("schema:\n");
    print_schema(m, 0, 0);
    for (int g = 0; g < m->n_row_groups; g++) {
        const tarn_pq_row_group *rg = &m->row_groups[g];
        printf("row group %d: %lld rows, %lld bytes uncompressed", g, (long long)rg->num_rows,
               (long long)rg->total_byte_size);
        if (rg->has_total_compressed_size)
            printf(", %lld compressed", (long long)rg->total_compressed_size);
        printf("\n");
        for (int c = 0; c < rg->n_columns; c++) {
            const tarn_pq_column_meta *cm = &rg->columns[c].meta_data;
            tarn_pq_stats st;
            if (tarn_pq_file_leaf_stats(f, g, c, &st, err) != TARN_OK)
                return tarn_cli_fail(CMD, err);
            char mn[128], mx[128];
            if (stat_text(&st.min, st.has_min_max, mn, sizeof mn) != TARN_OK ||
                stat_text(&st.max, st.has_min_max, mx, sizeof mx) != TARN_OK)
                return 2;
            printf("  %s: %s %s, ", tarn_pq_file_leaf_path(f, c), tarn_pq_type_name(cm->type),
                   tarn_pq_codec_name(cm->codec));
            print_encodings(cm);
            printf(", %lld -> %lld bytes, %lld values", (long long)cm->total_compressed_size,
                   (long long)cm->total_uncompressed_size, (long long)cm->num_values);
            if (st.has_null_count)
                printf(", nulls %lld", (long long)st.null_count);
            else
                printf(", nulls -");
            printf(", min %s, max %s\n", mn, mx);
        }
    }
    return 0;
}

/* JSON output ----------------------------------------------------------------- */

static int schema_json(const tarn_pq_file_meta *m, int i, json_t *parent_list)
{
    const tarn_pq_schema_element *el = &m->schema[i];
    json_t *o = json_object();
    char ann[160], phys[64];
    physical(el, phys, sizeof phys);
    json_object_set_new(o, "name", json_string(el->name));
    json_object_set_new(o, "repetition",
                        el->has_repetition ? json_string(tarn_pq_repetition_name(el->repetition))
                                           : json_null());
    json_object_set_new(o, "physical_type", el->has_type ? json_string(phys) : json_null());
    tarn_pq_logical_format(&el->logical, ann, sizeof ann);
    json_object_set_new(o, "logical_type", ann[0] ? json_string(ann) : json_null());
    json_object_set_new(o, "converted_type",
                        el->converted != TARN_PQ_CT_NONE
                            ? json_string(tarn_pq_converted_name(el->converted))
                            : json_null());
    json_object_set_new(o, "field_id", el->has_field_id ? json_integer(el->field_id) : json_null());
    int next = i + 1;
    if (!el->has_type || el->num_children > 0) {
        json_t *kids = json_array();
        for (int k = 0; k < el->num_children && next < m->n_schema; k++)
            next = schema_json(m, next, kids);
        json_object_set_new(o, "children", kids);
    }
    json_array_append_new(parent_list, o);
    return next;
}

static json_t *stats_json(const tarn_pq_stats *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "null_count",
                        st->has_null_count ? json_integer(st->null_count) : json_null());
    const tarn_scalar *v[2] = {&st->min, &st->max};
    const char *names[2] = {"min", "max"};
    for (int k = 0; k < 2; k++) {
        json_t *x = json_null();
        if (st->has_min_max) {
            tarn_buf b = TARN_BUF_INIT;
            if (tarn_scalar_render_text(&b, v[k]) == TARN_OK)
                x = json_stringn(b.data ? b.data : "", b.len);
            tarn_buf_fini(&b);
            if (!x)
                x = json_null(); /* not UTF-8 */
        }
        json_object_set_new(o, names[k], x);
    }
    return o;
}

static json_t *chunk_json(const tarn_pq_file *f, int g, int c, tarn_err *err)
{
    const tarn_pq_column_meta *cm = &tarn_pq_file_metadata(f)->row_groups[g].columns[c].meta_data;
    tarn_pq_stats st;
    if (tarn_pq_file_leaf_stats(f, g, c, &st, err) != TARN_OK)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(tarn_pq_file_leaf_path(f, c)));
    json_object_set_new(o, "physical_type", json_string(tarn_pq_type_name(cm->type)));
    json_object_set_new(o, "codec", json_string(tarn_pq_codec_name(cm->codec)));
    json_t *enc = json_array();
    for (int e = 0; e < cm->n_encodings; e++)
        json_array_append_new(enc, json_string(tarn_pq_encoding_name(cm->encodings[e])));
    json_object_set_new(o, "encodings", enc);
    json_object_set_new(o, "compressed_size", json_integer(cm->total_compressed_size));
    json_object_set_new(o, "uncompressed_size", json_integer(cm->total_uncompressed_size));
    json_object_set_new(o, "num_values", json_integer(cm->num_values));
    json_object_set_new(o, "data_page_offset", json_integer(cm->data_page_offset));
    json_object_set_new(o, "dictionary_page_offset",
                        cm->has_dictionary_page_offset ? json_integer(cm->dictionary_page_offset)
                                                       : json_null());
    json_object_set_new(o, "statistics", stats_json(&st));
    return o;
}

static int inspect_json(const tarn_pq_file *f, tarn_err *err)
{
    const tarn_pq_file_meta *m = tarn_pq_file_metadata(f);
    json_t *doc = json_object();
    json_object_set_new(doc, "path", json_string(tarn_pq_file_path(f)));
    json_object_set_new(doc, "size", json_integer(tarn_pq_file_size(f)));
    json_object_set_new(doc, "created_by",
                        m->created_by ? json_string(m->created_by) : json_null());
    json_object_set_new(doc, "format_version", json_integer(m->version));
    json_object_set_new(doc, "num_rows", json_integer(m->num_rows));
    json_t *kv = json_array();
    for (int i = 0; i < m->n_kv; i++) {
        json_t *e = json_object();
        json_object_set_new(e, "key", json_string(m->kv[i].key));
        json_object_set_new(e, "value", m->kv[i].value ? json_string(m->kv[i].value) : json_null());
        json_array_append_new(kv, e);
    }
    json_object_set_new(doc, "key_value_metadata", kv);
    json_t *schema = json_array();
    schema_json(m, 0, schema);
    json_object_set_new(doc, "schema", json_incref(json_array_get(schema, 0)));
    json_decref(schema);
    json_t *groups = json_array();
    int rc = 0;
    for (int g = 0; g < m->n_row_groups && rc == 0; g++) {
        const tarn_pq_row_group *rg = &m->row_groups[g];
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(g));
        json_object_set_new(o, "num_rows", json_integer(rg->num_rows));
        json_object_set_new(o, "total_byte_size", json_integer(rg->total_byte_size));
        json_object_set_new(o, "total_compressed_size",
                            rg->has_total_compressed_size ? json_integer(rg->total_compressed_size)
                                                          : json_null());
        json_t *cols = json_array();
        for (int c = 0; c < rg->n_columns && rc == 0; c++) {
            json_t *cj = chunk_json(f, g, c, err);
            if (!cj)
                rc = tarn_cli_fail(CMD, err);
            else
                json_array_append_new(cols, cj);
        }
        json_object_set_new(o, "columns", cols);
        json_array_append_new(groups, o);
    }
    json_object_set_new(doc, "row_groups", groups);
    if (rc == 0) {
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (text) {
            printf("%s\n", text);
            free(text);
        } else {
            fprintf(stderr, "tarn parquet: out of memory rendering JSON\n");
            rc = 2;
        }
    }
    json_decref(doc);
    return rc;
}

static int inspect(int argc, char **argv)
{
    const char *path = NULL;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if (tarn_cli_is_help(argv[i])) {
            help(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return tarn_cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        else if (path)
            return tarn_cli_usage_error(CMD, "inspect takes one FILE");
        else
            path = argv[i];
    }
    if (!path)
        return tarn_cli_usage_error(CMD, "inspect needs a FILE");
    tarn_err err;
    tarn_err_clear(&err);
    tarn_pq_file *f;
    if (tarn_pq_file_open(path, &f, &err) != TARN_OK) {
        tarn_cli_fail(CMD, &err);
        return 2;
    }
    int rc = as_json ? inspect_json(f, &err) : inspect_text(f, &err);
    tarn_pq_file_close(f);
    return rc ? 2 : 0;
}

int tarn_cli_parquet(int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return 2;
    }
    if (tarn_cli_is_help(argv[1])) {
        help(stdout);
        return 0;
    }
    if (strcmp(argv[1], "inspect") == 0)
        return inspect(argc - 1, argv + 1);
    return tarn_cli_usage_error(CMD, "unknown subcommand '%s'", argv[1]);
}
