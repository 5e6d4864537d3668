/*
 * tests/tools/scan.c - full-scan benchmark: read every column of a Delta
 * table or Parquet file through tarn's scan path and fold each column into
 * a checksum (non-null count, plus sum for numbers), like
 * `SELECT count(c1), sum(c2), ... FROM read_parquet(...)` does in DuckDB.
 *
 *   tarn_tool_scan PATH
 *
 * Prints rows, seconds and rows/s on stderr and the per-column checksums on
 * stdout (so runs can be compared).
 */
#include "base/time.h"
#include "exec/source.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tarn_tool_scan PATH\n");
        return 2;
    }
    tarn_source_opts o;
    memset(&o, 0, sizeof o);
    o.path = argv[1];
    o.at.kind = TARN_DELTA_AT_LATEST;
    tarn_err err;
    tarn_source *s;
    int64_t t0 = tarn_monotonic_us();
    if (tarn_source_open(&o, &s, &err) != TARN_OK) {
        char m[1400];
        tarn_err_format(&err, m, sizeof m);
        fprintf(stderr, "scan: %s\n", m);
        return 2;
    }
    const tarn_schema *sc = tarn_source_schema(s);
    int nc = sc->n_fields;
    int64_t nonnull[256] = {0};
    double sums[256] = {0};
    int64_t rows = 0;
    tarn_batch *b;
    tarn_status st;
    while ((st = tarn_source_next(s, &b, &err)) == TARN_OK && b) {
        rows += b->n_rows;
        for (int c = 0; c < nc && c < 256; c++) {
            const tarn_vec *v = b->cols[c];
            nonnull[c] += v->len - v->null_count;
            tarn_type_id id = v->type.id;
            if (id == TARN_TYPE_INT64 || id == TARN_TYPE_TIMESTAMP ||
                (id == TARN_TYPE_DECIMAL && !tarn_decimal_is_wide(v->type))) {
                const int64_t *d = (const int64_t *)v->data;
                int64_t acc = 0;
                for (int64_t i = 0; i < v->len; i++)
                    acc += d[i];
                sums[c] += (double)acc;
            } else if (id == TARN_TYPE_INT32 || id == TARN_TYPE_DATE) {
                const int32_t *d = (const int32_t *)v->data;
                int64_t acc = 0;
                for (int64_t i = 0; i < v->len; i++)
                    acc += d[i];
                sums[c] += (double)acc;
            } else if (id == TARN_TYPE_FLOAT64) {
                const double *d = (const double *)v->data;
                double acc = 0;
                for (int64_t i = 0; i < v->len; i++)
                    acc += tarn_vec_is_valid(v, i) ? d[i] : 0;
                sums[c] += acc;
            } else if (id == TARN_TYPE_STRING || id == TARN_TYPE_BINARY) {
                sums[c] += (double)v->bytes_len;
            }
        }
    }
    if (st != TARN_OK) {
        char m[1400];
        tarn_err_format(&err, m, sizeof m);
        fprintf(stderr, "scan: %s\n", m);
        tarn_source_close(s);
        return 2;
    }
    double secs = (double)(tarn_monotonic_us() - t0) / 1e6;
    for (int c = 0; c < nc && c < 256; c++)
        printf("%s non_null=%lld sum=%.6g\n", sc->fields[c].name, (long long)nonnull[c], sums[c]);
    fprintf(stderr, "scan: %lld rows in %.3f s (%.0f rows/s)\n", (long long)rows, secs,
            secs > 0 ? (double)rows / secs : 0.0);
    tarn_source_close(s);
    return 0;
}
