/*
 * fuzz/fuzz_schema.c - libFuzzer target for the --schema parser and type
 * names (column/types.h tarn_schema_parse, tarn_type_parse).
 *
 * The input is schema text ("name type, name type NOT NULL, ..."). When it
 * parses (and its names need no quoting), formatting it and parsing the text
 * again must give the same schema text; the whole input is also tried as one type name. Must never
 * crash, leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "column/types.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tarn_schema_format writes names bare: only plain names can round-trip. */
static bool plain_names(const tarn_schema *s)
{
    for (int i = 0; i < s->n_fields; i++)
        for (const char *p = s->fields[i].name; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_')
                return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_err err;
    tarn_type t;
    if (tarn_type_parse((const char *)data, size, &t, &err) == TARN_OK) {
        char name[64];
        tarn_type back;
        tarn_type_name(t, name, sizeof name);
        if (tarn_type_parse(name, strlen(name), &back, &err) != TARN_OK ||
            !tarn_type_equal(t, back))
            abort();
    }
    char *text = tarn_strndup((const char *)data, size);
    if (!text)
        abort();
    tarn_schema *s;
    tarn_err_clear(&err);
    if (tarn_schema_parse(text, &s, &err) != TARN_OK) {
        if (err.code == TARN_OK)
            abort(); /* a failure must say why */
    } else {
        tarn_buf f1, f2;
        tarn_buf_init(&f1);
        tarn_buf_init(&f2);
        if (tarn_schema_format(s, &f1) != TARN_OK)
            abort();
        tarn_schema *again;
        if (plain_names(s)) {
            if (tarn_schema_parse(f1.data ? f1.data : "", &again, &err) != TARN_OK)
                abort(); /* our own rendering must parse back */
            if (tarn_schema_format(again, &f2) != TARN_OK || f1.len != f2.len ||
                (f1.len && memcmp(f1.data, f2.data, f1.len) != 0))
                abort(); /* ... to the same schema */
            tarn_schema_destroy(again);
        }
        tarn_buf_fini(&f1);
        tarn_buf_fini(&f2);
        tarn_schema_destroy(s);
    }
    tarn_free(text);
    return 0;
}
