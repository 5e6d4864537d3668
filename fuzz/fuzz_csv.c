/*
 * fuzz/fuzz_csv.c - libFuzzer target for the CSV/TSV reader, its sniffers
 * (delimiter, header) and CSV schema inference.
 *
 * The first input byte picks delimiter sniffing or a fixed one, header mode,
 * chunk size and piece count; the rest is the text. Everything runs in the
 * calling thread (deterministic). Must never crash, leak or hang. Built by
 * `make fuzz` (clang); -DTARN_FUZZ_STANDALONE adds a file-replay main().
 */
#include "io/reader.h"

#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const schema_text = "id int64, name string, amount decimal(10,2), "
                                       "ts timestamp, ok boolean, d date, x double";

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
    static const char delims[] = {0, ',', '\t', ';'};
    tarn_err err;
    if (!schema && tarn_schema_parse(schema_text, &schema, &err) != TARN_OK)
        abort();
    if (size == 0)
        return 0;
    uint8_t ctl = data[0];
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.format = TARN_IO_CSV;
    o.compression = TARN_IO_COMP_NONE;
    o.delimiter = delims[ctl & 3];
    o.header = (int)((ctl >> 2) % 3) - 1;
    o.chunk_size = (size_t)16 << ((ctl >> 4) & 3);
    o.on_bad_record = ctl & 0x40 ? skip_bad : NULL;
    o.pieces_per_chunk = 1 + (ctl >> 7);
    o.null_text = ctl & 0x80 ? "NULL" : NULL;
    o.single_threaded = true;
    tarn_io_reader *r;
    if (tarn_io_reader_open_mem(data + 1, size - 1, "fuzz.csv", schema, &o, &r, &err) == TARN_OK) {
        for (;;) {
            tarn_batch *b;
            if (tarn_io_reader_next(r, &b, &err) != TARN_OK || !b)
                break;
        }
        tarn_io_reader_close(r);
    }
    tarn_schema *inferred;
    if (tarn_io_infer_schema_mem(data + 1, size - 1, "fuzz.csv", &o, 100, &inferred, &err) ==
        TARN_OK)
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
