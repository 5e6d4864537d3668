/*
 * fuzz/fuzz_records.c - libFuzzer target for the raw record splitter of
 * Bronze ingestion (io/records.c) and the JSON checker.
 *
 * The first byte picks the format (NDJSON, JSON, CSV, TSV); the rest is the
 * input. Every record must lie inside the input, records must come in
 * order with non-decreasing lines, and the splitter must finish. Must never
 * crash, leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "io/records.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const tarn_io_format formats[] = {TARN_IO_NDJSON, TARN_IO_JSON, TARN_IO_CSV,
                                             TARN_IO_TSV};
    tarn_io_opts o;
    tarn_io_opts_init(&o);
    o.format = formats[data[0] & 3];
    o.compression = TARN_IO_COMP_NONE;
    o.header = (data[0] >> 2) & 1;
    o.max_record_size = 1 << 16;
    tarn_io_records *r;
    tarn_err err;
    if (tarn_io_records_open_mem(data + 1, size - 1, "fuzz", &o, &r, &err) != TARN_OK)
        return 0;
    int64_t last_line = 0;
    size_t total = 0;
    for (;;) {
        const tarn_io_record *recs;
        int n;
        if (tarn_io_records_next(r, &recs, &n, &err) != TARN_OK) {
            if (err.code == TARN_OK)
                abort();
            break;
        }
        if (n == 0)
            break;
        for (int i = 0; i < n; i++) {
            if (recs[i].line < last_line || recs[i].offset < 0 ||
                (size_t)recs[i].offset + recs[i].len > size - 1)
                abort();
            last_line = recs[i].line;
            total += recs[i].len;
            char msg[160];
            const char *e = tarn_json_check(recs[i].text, recs[i].len, msg, sizeof msg);
            if ((o.format == TARN_IO_NDJSON || o.format == TARN_IO_JSON) && !recs[i].error && e)
                abort(); /* a record said valid must check valid */
        }
        if (total > (size - 1) * 2 + 16)
            abort(); /* no byte handed out twice */
    }
    tarn_io_records_close(r);
    char msg[160];
    (void)tarn_json_check(data, size, msg, sizeof msg);
    return 0;
}
