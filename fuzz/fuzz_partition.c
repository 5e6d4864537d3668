/*
 * fuzz/fuzz_partition.c - libFuzzer target for Delta partition values
 * (delta/partition.h): parsing a serialized value into each column type and
 * formatting it back.
 *
 * c0 picks the type (every type with a partition form, and some without);
 * the rest is the value text (c0 bit 7: JSON null instead). A value that
 * parses and formats must parse again to the same value. Must never crash,
 * leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "delta/partition.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const tarn_type types[] = {
    {TARN_TYPE_BOOL, 0, 0},         {TARN_TYPE_INT8, 0, 0},      {TARN_TYPE_INT16, 0, 0},
    {TARN_TYPE_INT32, 0, 0},        {TARN_TYPE_INT64, 0, 0},     {TARN_TYPE_FLOAT32, 0, 0},
    {TARN_TYPE_FLOAT64, 0, 0},      {TARN_TYPE_DECIMAL, 10, 2},  {TARN_TYPE_DECIMAL, 38, 6},
    {TARN_TYPE_DECIMAL, 5, 0},      {TARN_TYPE_STRING, 0, 0},    {TARN_TYPE_BINARY, 0, 0},
    {TARN_TYPE_DATE, 0, 0},         {TARN_TYPE_TIMESTAMP, 0, 0}, {TARN_TYPE_TIMESTAMP_NTZ, 0, 0},
    {TARN_TYPE_UINT64, 0, 0},       {TARN_TYPE_TIME, 0, 0},      {TARN_TYPE_UUID, 0, 0},
    {TARN_TYPE_TIMESTAMP_NS, 0, 0}, {TARN_TYPE_STRUCT, 0, 0},
};
#define N_TYPES (sizeof types / sizeof types[0])

static bool same(const tarn_scalar *a, const tarn_scalar *b)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null;
    if (a->type.id == TARN_TYPE_FLOAT32) /* the value keeps double precision */
        return (isnan(a->v.f64) && isnan(b->v.f64)) || (float)a->v.f64 == (float)b->v.f64;
    if (a->type.id == TARN_TYPE_FLOAT64)
        return (isnan(a->v.f64) && isnan(b->v.f64)) || a->v.f64 == b->v.f64;
    return tarn_scalar_compare(a, b) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    tarn_type t = types[(data[0] & 127) % N_TYPES];
    char *text = data[0] & 128 ? NULL : tarn_strndup((const char *)data + 1, size - 1);
    if (!(data[0] & 128) && !text)
        abort();
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        abort();
    tarn_err err;
    tarn_scalar v, back;
    const char *out;
    if (tarn_delta_partition_parse(a, t, text, &v, &err) == TARN_OK &&
        tarn_delta_partition_format(a, &v, &out, &err) == TARN_OK) {
        if (!out != v.is_null)
            abort(); /* NULL exactly for null */
        if (tarn_delta_partition_parse(a, t, out, &back, &err) != TARN_OK || !same(&v, &back))
            abort(); /* format then parse is the identity */
    }
    tarn_arena_destroy(a);
    tarn_free(text);
    return 0;
}
