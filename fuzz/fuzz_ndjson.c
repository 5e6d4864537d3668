/*
 * fuzz/fuzz_ndjson.c - libFuzzer target for the NDJSON and JSON readers and
 * JSON schema inference.
 *
 * The first input byte picks the format, chunk size and piece count so the
 * cutters and the piece hand-off see odd boundaries; the rest is the text.
 * Everything runs in the calling thread (deterministic). Must never crash,
 * leak or hang, whatever the bytes. Built by `make fuzz` (clang); with
 * -DTARN_FUZZ_STANDALONE it gets a main() that replays files given as args.
 */
#include "io/reader.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schema_text =
    "s string, i int64, i8 int8, u uint32, d double, f float, dec decimal(10,2), "
    "big decimal(38,6), b boolean, bin binary, dt date, t time, ts timestamp, "
    "ntz timestamp_ntz, id uuid";

/* Permissive mode: the report must be well-formed; it is then dropped. */
static tarn_status skip_bad(void *ctx, const tarn_io_bad_record *rec, tarn_err *err)
{
    (void)ctx;
    (void)err;
    if (!rec->message || rec->line < 1 || (rec->len && !rec->text))
        abort();
    return TARN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tarn_schema *schema;
    tarn_err err;
    if (!schema && tarn_schema_parse(schema_text, &schema, &err) != TARN_OK)
        abort();
    if (size == 0)
        return 0;
    uint8_t ctl = data[0];
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.format = ctl & 1 ? TARN_IO_JSON : TARN_IO_NDJSON;
    o.compression = TARN_IO_COMP_NONE;
    o.chunk_size = (size_t)16 << ((ctl >> 1) & 3);
    o.pieces_per_chunk = 1 + ((ctl >> 3) & 3);
    o.ignore_unknown_fields = !(ctl & 0x20);
    o.on_bad_record = ctl & 0x40 ? skip_bad : NULL;
    o.batch_rows = ctl & 0x80 ? 3 : 0;
    o.single_threaded = true;
    tarn_io_reader *r;
    if (tarn_io_reader_open_mem(data + 1, size - 1, "fuzz", schema, &o, &r, &err) == TARN_OK) {
        for (;;) {
            tarn_batch *b;
            if (tarn_io_reader_next(r, &b, &err) != TARN_OK || !b)
                break;
        }
        tarn_io_reader_close(r);
    }
    tarn_schema *inferred;
    if (tarn_io_infer_schema_mem(data + 1, size - 1, "fuzz", &o, 100, &inferred, &err) == TARN_OK)
        tarn_schema_destroy(inferred);
    return 0;
}

#ifdef TARN_FUZZ_STANDALONE
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
    }
    return 0;
}
#endif
