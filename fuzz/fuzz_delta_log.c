/*
 * fuzz/fuzz_delta_log.c - libFuzzer target for the Delta commit-file parser
 * (delta/log.h tarn_delta_actions_parse) and what a snapshot does next with
 * the actions: protocol checks, path decoding and resolution, deletion
 * vector ids and paths, the metaData schema string and partition values.
 *
 * The input is the commit file's text. When it parses, serializing the
 * actions and parsing that again must succeed (our own output is valid).
 * Must never crash, leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "delta/commit.h"
#include "delta/dv.h"
#include "delta/log.h"
#include "delta/partition.h"
#include "delta/schema.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Statuses a fuzz target does not act on (only crashes matter there). */
static void ignore(tarn_status st)
{
    (void)st;
}

static void check_file(tarn_arena *a, const char *path, bool has_dv, const tarn_delta_dv *dv)
{
    tarn_err err;
    char *local;
    (void)tarn_delta_uri_decode(a, path);
    ignore(tarn_delta_path_resolve(a, "/tmp/fuzz-table", path, &local, &err));
    if (has_dv) {
        (void)tarn_delta_dv_unique_id(a, dv);
        ignore(tarn_delta_dv_path(a, "/tmp/fuzz-table", dv, &local, &err));
    }
}

/* Partition values of an add, typed by the metaData schema. */
static void check_partitions(tarn_arena *a, const tarn_schema *s, const tarn_delta_add *add)
{
    for (int i = 0; i < add->n_partition_values; i++) {
        int c = tarn_schema_find(s, add->partition_values[i].key);
        if (c < 0 || tarn_type_is_nested(s->fields[c].type.id))
            continue;
        tarn_err err;
        tarn_scalar v;
        const char *text;
        if (tarn_delta_partition_parse(a, s->fields[c].type, add->partition_values[i].value, &v,
                                       &err) == TARN_OK)
            ignore(tarn_delta_partition_format(a, &v, &text, &err));
    }
}

static void follow_up(tarn_arena *a, const tarn_delta_actions *acts)
{
    tarn_err err;
    tarn_schema *schema = NULL;
    if (acts->has_protocol) {
        ignore(tarn_delta_protocol_check_read(&acts->protocol, &err));
        if (acts->has_metadata)
            ignore(tarn_delta_writer_check(&acts->protocol, &acts->metadata, &err));
    }
    if (acts->has_metadata && acts->metadata.schema_string) {
        const char *ss = acts->metadata.schema_string;
        if (tarn_delta_schema_parse(ss, strlen(ss), &schema, &err) != TARN_OK)
            schema = NULL;
    }
    for (int i = 0; i < acts->n_adds; i++) {
        check_file(a, acts->adds[i].path, acts->adds[i].has_dv, &acts->adds[i].dv);
        if (schema)
            check_partitions(a, schema, &acts->adds[i]);
    }
    for (int i = 0; i < acts->n_removes; i++)
        check_file(a, acts->removes[i].path, acts->removes[i].has_dv, &acts->removes[i].dv);
    tarn_schema_destroy(schema);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        abort();
    tarn_err err;
    tarn_err_clear(&err);
    tarn_delta_actions acts;
    if (tarn_delta_actions_parse((const char *)data, size, "fuzz.json", a, &acts, &err) ==
        TARN_OK) {
        follow_up(a, &acts);
        tarn_buf out;
        tarn_buf_init(&out);
        if (tarn_delta_actions_serialize(&acts, &out) == TARN_OK) {
            tarn_delta_actions again;
            if (tarn_delta_actions_parse(out.data ? out.data : "", out.len, "again.json", a, &again,
                                         &err) != TARN_OK ||
                again.n_adds != acts.n_adds || again.n_removes != acts.n_removes)
                abort(); /* our own output must parse back */
        }
        tarn_buf_fini(&out);
    } else if (err.code == TARN_OK) {
        abort();
    }
    tarn_arena_destroy(a);
    return 0;
}
