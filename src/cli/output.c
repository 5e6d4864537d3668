/*
 * cli/output.c - NDJSON / CSV / table rendering of result batches to a FILE.
 */
#include "cli/output.h"

#include "base/alloc.h"
#include "column/render.h"

#include <string.h>

#define TABLE_DEFAULT_LIMIT 1000
#define FLUSH_BYTES         (1 << 20)

struct tarn_cli_output {
    FILE *f;                   /* destination */
    tarn_cli_format fmt;       /* format */
    const tarn_schema *schema; /* columns (borrowed) */
    int64_t limit;             /* max rows, -1 none */
    int64_t rows;              /* rows written so far */
    bool header_done;          /* CSV header written */
    bool truncated;            /* table: more rows existed than shown */
    tarn_buf buf;              /* rendering buffer */
    tarn_buf cells;            /* table: all cell texts, NUL-separated */
    int64_t n_cells;           /* table: cells buffered */
    bool *right;               /* table: right-align column (numbers) */
};

tarn_status tarn_cli_format_parse(const char *s, tarn_cli_format *out, tarn_err *err)
{
    if (!strcmp(s, "ndjson") || !strcmp(s, "json") || !strcmp(s, "jsonl"))
        *out = TARN_CLI_NDJSON;
    else if (!strcmp(s, "csv"))
        *out = TARN_CLI_CSV;
    else if (!strcmp(s, "table"))
        *out = TARN_CLI_TABLE;
    else
        return tarn_err_set(err, TARN_ERR_USAGE,
                            "unknown --format '%s' (expected ndjson, csv or table)", s);
    return TARN_OK;
}

tarn_cli_output *tarn_cli_output_create(FILE *f, tarn_cli_format fmt, const tarn_schema *schema,
                                        int64_t limit)
{
    tarn_cli_output *o = tarn_calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->f = f;
    o->fmt = fmt;
    o->schema = schema;
    o->limit = limit;
    if (fmt == TARN_CLI_TABLE && limit < 0) {
        o->limit = TABLE_DEFAULT_LIMIT;
        o->truncated = false;
    }
    o->right = tarn_calloc((size_t)schema->n_fields + 1, sizeof(bool));
    if (!o->right) {
        tarn_free(o);
        return NULL;
    }
    for (int c = 0; c < schema->n_fields; c++) {
        tarn_type_id id = schema->fields[c].type.id;
        o->right[c] = tarn_type_is_integer(id) || id == TARN_TYPE_FLOAT32 ||
                      id == TARN_TYPE_FLOAT64 || id == TARN_TYPE_DECIMAL;
    }
    return o;
}

bool tarn_cli_output_full(const tarn_cli_output *o)
{
    return o->limit >= 0 && o->rows >= o->limit;
}

int64_t tarn_cli_output_rows(const tarn_cli_output *o)
{
    return o->rows;
}

static tarn_status flush(tarn_cli_output *o, tarn_err *err)
{
    if (o->buf.len && fwrite(o->buf.data, 1, o->buf.len, o->f) != o->buf.len)
        return tarn_err_set(err, TARN_ERR_IO, "cannot write output");
    tarn_buf_reset(&o->buf);
    return TARN_OK;
}

static tarn_status buffer_table_rows(tarn_cli_output *o, const tarn_batch *b, int64_t n)
{
    for (int64_t r = 0; r < n; r++)
        for (int c = 0; c < b->n_cols; c++) {
            TARN_TRY(
                tarn_render_text_value(&o->cells, &o->schema->fields[c], b->cols[c], r, "NULL"));
            TARN_TRY(tarn_buf_append_char(&o->cells, '\0'));
            o->n_cells++;
        }
    return TARN_OK;
}

tarn_status tarn_cli_output_write(tarn_cli_output *o, const tarn_batch *b, tarn_err *err)
{
    int64_t n = b->n_rows;
    if (o->limit >= 0 && o->rows + n > o->limit) {
        n = o->limit - o->rows;
        if (o->fmt == TARN_CLI_TABLE)
            o->truncated = true;
    }
    if (n <= 0)
        return TARN_OK;
    tarn_status st = TARN_OK;
    tarn_batch view = *b;
    view.n_rows = n;
    switch (o->fmt) {
    case TARN_CLI_NDJSON:
        st = tarn_render_ndjson(&o->buf, &view);
        break;
    case TARN_CLI_CSV:
        if (!o->header_done) {
            st = tarn_render_csv_header(&o->buf, o->schema);
            o->header_done = true;
        }
        if (st == TARN_OK)
            st = tarn_render_csv(&o->buf, &view);
        break;
    case TARN_CLI_TABLE:
        st = buffer_table_rows(o, b, n);
        break;
    }
    if (st != TARN_OK)
        return tarn_err_set(err, st, "out of memory rendering output");
    o->rows += n;
    if (o->buf.len >= FLUSH_BYTES)
        return flush(o, err);
    return TARN_OK;
}

/* Display width of UTF-8 text (code points; good enough for a terminal). */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

static tarn_status pad(tarn_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        TARN_TRY(tarn_buf_append_char(b, ' '));
    return TARN_OK;
}

static tarn_status print_table(tarn_cli_output *o)
{
    int nc = o->schema->n_fields;
    size_t *w = tarn_calloc((size_t)nc + 1, sizeof(size_t));
    const char **cell = tarn_alloc(sizeof(char *) * (size_t)(o->n_cells + 1));
    if (!w || !cell) {
        tarn_free(w);
        tarn_free(cell);
        return TARN_ERR_NOMEM;
    }
    const char *p = o->cells.data;
    for (int64_t i = 0; i < o->n_cells; i++) {
        cell[i] = p;
        size_t tw = text_width(p);
        if (tw > w[i % nc])
            w[i % nc] = tw;
        p += strlen(p) + 1;
    }
    for (int c = 0; c < nc; c++)
        w[c] = TARN_MAX(w[c], text_width(o->schema->fields[c].name));
    tarn_buf *b = &o->buf;
    tarn_status st = TARN_OK;
    for (int c = 0; c < nc && st == TARN_OK; c++) {
        const char *nm = o->schema->fields[c].name;
        st = tarn_buf_printf(b, "%s %s", c ? " |" : "", nm);
        if (st == TARN_OK && c + 1 < nc)
            st = pad(b, w[c] - text_width(nm));
    }
    st = st ? st : tarn_buf_append_char(b, '\n');
    for (int c = 0; c < nc && st == TARN_OK; c++) {
        st = tarn_buf_append_str(b, c ? "-+-" : "-");
        for (size_t k = 0; k < w[c] && st == TARN_OK; k++)
            st = tarn_buf_append_char(b, '-');
    }
    st = st ? st : tarn_buf_append(b, "-\n", 2);
    for (int64_t i = 0; i < o->n_cells && st == TARN_OK; i++) {
        int c = (int)(i % nc);
        size_t gap = w[c] - text_width(cell[i]);
        st = tarn_buf_append_str(b, c ? " | " : " ");
        if (st == TARN_OK && o->right[c])
            st = pad(b, gap);
        if (st == TARN_OK)
            st = tarn_buf_append_str(b, cell[i]);
        if (st == TARN_OK && !o->right[c] && c + 1 < nc)
            st = pad(b, gap);
        if (st == TARN_OK && c + 1 == nc)
            st = tarn_buf_append_char(b, '\n');
    }
    if (st == TARN_OK)
        st = tarn_buf_printf(b, "(%lld row%s%s)\n", (long long)o->rows, o->rows == 1 ? "" : "s",
                             o->truncated ? "; more not shown, use --limit" : "");
    tarn_free(w);
    tarn_free(cell);
    return st;
}

tarn_status tarn_cli_output_finish(tarn_cli_output *o, tarn_err *err)
{
    tarn_status st = TARN_OK;
    if (o->fmt == TARN_CLI_CSV && !o->header_done) {
        st = tarn_render_csv_header(&o->buf, o->schema);
        o->header_done = true;
    }
    if (st == TARN_OK && o->fmt == TARN_CLI_TABLE)
        st = print_table(o);
    if (st != TARN_OK)
        return tarn_err_set(err, st, "out of memory rendering output");
    TARN_TRY(flush(o, err));
    if (fflush(o->f) != 0)
        return tarn_err_set(err, TARN_ERR_IO, "cannot write output");
    return TARN_OK;
}

void tarn_cli_output_destroy(tarn_cli_output *o)
{
    if (!o)
        return;
    tarn_buf_fini(&o->buf);
    tarn_buf_fini(&o->cells);
    tarn_free(o->right);
    tarn_free(o);
}
