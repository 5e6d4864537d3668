/*
 * fuzz/fuzz_delta_schema.c - libFuzzer target for the Delta schema JSON
 * parser (delta/schema.h tarn_delta_schema_parse).
 *
 * The input is a schemaString. When it parses, the schema is cloned and
 * rendered, and when it serializes back to Delta JSON that text must parse
 * again into a schema that renders the same. Must never crash, leak or
 * hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "delta/schema.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_err err;
    tarn_err_clear(&err);
    tarn_schema *s;
    if (tarn_delta_schema_parse((const char *)data, size, &s, &err) != TARN_OK) {
        if (err.code == TARN_OK)
            abort(); /* a failure must say why */
        return 0;
    }
    tarn_schema *c = tarn_schema_clone(s);
    if (!c)
        abort();
    tarn_buf text, json, text2;
    tarn_buf_init(&text);
    tarn_buf_init(&json);
    tarn_buf_init(&text2);
    if (tarn_schema_format(s, &text) != TARN_OK)
        abort();
    if (tarn_delta_schema_serialize(c, &json, &err) == TARN_OK) {
        tarn_schema *back;
        if (tarn_delta_schema_parse(json.data, json.len, &back, &err) != TARN_OK)
            abort(); /* our own output must parse back */
        if (tarn_schema_format(back, &text2) != TARN_OK || text.len != text2.len ||
            (text.len && memcmp(text.data, text2.data, text.len) != 0))
            abort(); /* ... into the same schema */
        tarn_schema_destroy(back);
    }
    tarn_buf_fini(&text);
    tarn_buf_fini(&json);
    tarn_buf_fini(&text2);
    tarn_schema_destroy(c);
    tarn_schema_destroy(s);
    return 0;
}
