/*
 * fuzz/fuzz_stats.c - libFuzzer target for the Delta per-file statistics
 * parser (delta/stats.h tarn_delta_stats_parse), a hand-written JSON scanner.
 *
 * c0 picks the table schema: every Delta type with nested struct, array and
 * map columns, either by logical name or through column-mapping physical
 * names; the rest is the add.stats JSON. Every bound it yields is rendered
 * (its bytes must be valid for its type). Must never crash, leak or hang.
 * Stand-alone replay: fuzz/replay_main.c.
 */
#include "delta/schema.h"
#include "delta/stats.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Schemas with ' for " (swapped at setup, to keep them readable). */
static const char *const schema_json[2] = {
    "{'type':'struct','fields':["
    "{'name':'b','type':'boolean','nullable':true,'metadata':{}},"
    "{'name':'i8','type':'byte','nullable':true,'metadata':{}},"
    "{'name':'i16','type':'short','nullable':true,'metadata':{}},"
    "{'name':'i32','type':'integer','nullable':true,'metadata':{}},"
    "{'name':'i64','type':'long','nullable':true,'metadata':{}},"
    "{'name':'f','type':'float','nullable':true,'metadata':{}},"
    "{'name':'d','type':'double','nullable':true,'metadata':{}},"
    "{'name':'dec','type':'decimal(10,2)','nullable':true,'metadata':{}},"
    "{'name':'wdec','type':'decimal(38,6)','nullable':true,'metadata':{}},"
    "{'name':'s','type':'string','nullable':true,'metadata':{}},"
    "{'name':'bin','type':'binary','nullable':true,'metadata':{}},"
    "{'name':'dt','type':'date','nullable':true,'metadata':{}},"
    "{'name':'ts','type':'timestamp','nullable':true,'metadata':{}},"
    "{'name':'ntz','type':'timestamp_ntz','nullable':true,'metadata':{}},"
    "{'name':'st','type':{'type':'struct','fields':["
    "{'name':'x','type':'long','nullable':true,'metadata':{}},"
    "{'name':'y','type':{'type':'struct','fields':["
    "{'name':'z','type':'string','nullable':true,'metadata':{}}]},'nullable':true,'metadata':{}}"
    "]},'nullable':true,'metadata':{}},"
    "{'name':'arr','type':{'type':'array','elementType':'long','containsNull':true},"
    "'nullable':true,'metadata':{}},"
    "{'name':'m','type':{'type':'map','keyType':'string','valueType':'long',"
    "'valueContainsNull':true},'nullable':true,'metadata':{}}]}",
    "{'type':'struct','fields':["
    "{'name':'a','type':'long','nullable':true,'metadata':{"
    "'delta.columnMapping.id':1,'delta.columnMapping.physicalName':'col-a'}},"
    "{'name':'s','type':'string','nullable':true,'metadata':{"
    "'delta.columnMapping.id':2,'delta.columnMapping.physicalName':'col-s'}},"
    "{'name':'ts','type':'timestamp','nullable':true,'metadata':{"
    "'delta.columnMapping.id':3,'delta.columnMapping.physicalName':'col-ts'}},"
    "{'name':'st','type':{'type':'struct','fields':["
    "{'name':'x','type':'decimal(5,1)','nullable':true,'metadata':{"
    "'delta.columnMapping.id':5,'delta.columnMapping.physicalName':'col-x'}}]},"
    "'nullable':true,'metadata':{"
    "'delta.columnMapping.id':4,'delta.columnMapping.physicalName':'col-st'}}]}",
};

static void render_bounds(const tarn_delta_col_stats *cols, int n, tarn_buf *out)
{
    for (int i = 0; i < n; i++) {
        if (cols[i].has_min && tarn_scalar_render_json(out, &cols[i].min) != TARN_OK)
            abort();
        if (cols[i].has_max && tarn_scalar_render_json(out, &cols[i].max) != TARN_OK)
            abort();
        if (cols[i].has_null_count && cols[i].null_count < 0)
            abort();
        render_bounds(cols[i].children, cols[i].n_children, out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tarn_schema *schemas[2];
    tarn_err err;
    if (!schemas[0]) {
        for (int i = 0; i < 2; i++) {
            char json[2048];
            size_t n = strlen(schema_json[i]);
            if (n >= sizeof json)
                abort();
            for (size_t k = 0; k <= n; k++)
                json[k] = schema_json[i][k] == '\'' ? '"' : schema_json[i][k];
            if (tarn_delta_schema_parse(json, n, &schemas[i], &err) != TARN_OK)
                abort();
        }
    }
    if (size == 0)
        return 0;
    const tarn_schema *s = schemas[data[0] & 1];
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        abort();
    tarn_delta_file_stats fs;
    tarn_err_clear(&err);
    if (tarn_delta_stats_parse((const char *)data + 1, size - 1, s, a, &fs, &err) == TARN_OK) {
        if (fs.n_cols != s->n_fields || (fs.has_num_records && fs.num_records < 0))
            abort();
        tarn_buf out;
        tarn_buf_init(&out);
        render_bounds(fs.cols, fs.n_cols, &out);
        tarn_buf_fini(&out);
    } else if (err.code == TARN_OK) {
        abort();
    }
    tarn_arena_destroy(a);
    return 0;
}
