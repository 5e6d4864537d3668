/*
 * fuzz/fuzz_thrift.c - libFuzzer target for the Thrift compact reader and the
 * Parquet metadata decoders built on it (parquet/thrift.h, footer.h) plus the
 * schema mapping a decoded footer feeds (parquet/schema.h).
 *
 * The first byte picks the decoder: FileMetaData (then the schema map and the
 * names/logical types rendered for messages), a run of PageHeaders, or a
 * generic skip of one struct of any shape. Must never crash, leak, hang or
 * read outside the input. Stand-alone replay: fuzz/replay_main.c.
 */
#include "parquet/footer.h"
#include "parquet/schema.h"
#include "parquet/thrift.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_footer(const uint8_t *p, size_t n)
{
    tarn_err err;
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        abort();
    tarn_pq_file_meta m;
    tarn_err_clear(&err);
    if (tarn_pq_footer_decode(p, n, 4, a, &m, &err) == TARN_OK) {
        char buf[128];
        for (int i = 0; i < m.n_schema; i++)
            (void)tarn_pq_logical_format(&m.schema[i].logical, buf, sizeof buf);
        tarn_pq_schema_map *map;
        if (tarn_pq_schema_map_build(&m, &map, &err) == TARN_OK)
            tarn_pq_schema_map_destroy(map);
    } else if (err.code == TARN_OK) {
        abort(); /* a failure must say why */
    }
    tarn_arena_destroy(a);
}

static void fuzz_page_headers(const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        tarn_err err;
        tarn_pq_page_header h;
        size_t len = 0;
        if (tarn_pq_page_header_decode(p + off, n - off, (int64_t)off, &h, &len, &err) != TARN_OK)
            break;
        if (len == 0 || len > n - off)
            abort(); /* must consume bytes, never more than given */
        (void)tarn_pq_page_type_name(h.type);
        off += len;
    }
}

static void fuzz_skip(const uint8_t *p, size_t n)
{
    tarn_err err;
    tarn_thrift_reader r;
    tarn_thrift_reader_init(&r, p, n, 0, &err);
    while (r.p < r.end) {
        if (tarn_thrift_skip(&r, TARN_THRIFT_STRUCT) != TARN_OK)
            break;
        if (r.p > r.end || r.depth != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0:
        fuzz_footer(data + 1, size - 1);
        break;
    case 1:
        fuzz_page_headers(data + 1, size - 1);
        break;
    default:
        fuzz_skip(data + 1, size - 1);
        break;
    }
    return 0;
}
