/*
 * tests/tools/iobench.c - parse-throughput benchmark for the io readers.
 *
 *   tarn_tool_iobench FILE [--schema S] [--format F] [--threads N] [--repeat R]
 *                          [--chunk BYTES] [--infer]
 *
 * Reads FILE into batches only; prints raw and text MB, rows, the best of R
 * runs in s, MB/s, rows/s, and text MB per CPU-second (all threads; useful on
 * a busy machine). Default schema: ndjgen's orders. --threads 1 = caller only.
 */
#include "base/time.h"
#include "io/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define ORDERS_SCHEMA                                                                              \
    "order_id string not null, user_id int64, amount decimal(10,2), country string, "              \
    "status string, ts timestamp, qty int32, price double, flag boolean"

static int fail(const tarn_err *err)
{
    char msg[1400];
    tarn_err_format(err, msg, sizeof msg);
    fprintf(stderr, "iobench: %s\n", msg);
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = NULL, *schema_text = ORDERS_SCHEMA;
    int threads = 0, repeat = 3, infer = 0;
    size_t chunk = 0;
    tarn_io_opts opts;
    tarn_err err;
    tarn_io_opts_init(&opts);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc)
            schema_text = argv[++i];
        else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (tarn_io_format_parse(argv[++i], &opts.format, &err) != TARN_OK)
                return fail(&err);
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            repeat = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk = (size_t)strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--infer") == 0)
            infer = 1;
        else if (argv[i][0] != '-' && !path)
            path = argv[i];
        else {
            fprintf(stderr, "usage: tarn_tool_iobench FILE [--schema S] [--format F] "
                            "[--threads N] [--repeat R] [--chunk BYTES] [--infer]\n");
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "iobench: no input file\n");
        return 2;
    }
    opts.chunk_size = chunk;
    tarn_pool *pool = NULL;
    if (threads == 1)
        opts.single_threaded = true;
    else if (threads > 1)
        opts.pool = pool = tarn_pool_create(threads);
    tarn_schema *schema = NULL;
    if (infer) {
        if (tarn_io_infer_schema(path, &opts, 0, &schema, &err) != TARN_OK)
            return fail(&err);
        tarn_buf b = TARN_BUF_INIT;
        if (tarn_schema_format(schema, &b) == TARN_OK)
            printf("%s\n", b.data);
        tarn_buf_fini(&b);
        tarn_schema_destroy(schema);
        return 0;
    }
    if (tarn_schema_parse(schema_text, &schema, &err) != TARN_OK)
        return fail(&err);
    double best = 1e30, best_cpu = 1e30;
    int64_t rows = 0, bytes = 0, text = 0;
    for (int r = 0; r < (repeat > 0 ? repeat : 1); r++) {
        tarn_io_reader *rd;
        struct rusage u0, u1;
        getrusage(RUSAGE_SELF, &u0);
        int64_t t0 = tarn_monotonic_us();
        if (tarn_io_reader_open(path, schema, &opts, &rd, &err) != TARN_OK)
            return fail(&err);
        rows = 0;
        for (;;) {
            tarn_batch *b;
            if (tarn_io_reader_next(rd, &b, &err) != TARN_OK)
                return fail(&err);
            if (!b)
                break;
            rows += b->n_rows;
        }
        bytes = tarn_io_reader_bytes_read(rd);
        text = tarn_io_reader_text_bytes(rd);
        tarn_io_reader_close(rd);
        double s = (double)(tarn_monotonic_us() - t0) / 1e6;
        getrusage(RUSAGE_SELF, &u1);
        double cpu = (double)(u1.ru_utime.tv_sec - u0.ru_utime.tv_sec + u1.ru_stime.tv_sec -
                              u0.ru_stime.tv_sec) +
                     (double)(u1.ru_utime.tv_usec - u0.ru_utime.tv_usec + u1.ru_stime.tv_usec -
                              u0.ru_stime.tv_usec) /
                         1e6;
        if (s < best)
            best = s;
        if (cpu < best_cpu)
            best_cpu = cpu;
    }
    printf("%s: %.1f MB (%.1f MB text), %lld rows, %.3f s, %.0f MB/s (text %.0f MB/s), %.0f "
           "rows/s, %.0f text MB/cpu-s\n",
           path, (double)bytes / 1e6, (double)text / 1e6, (long long)rows, best,
           (double)bytes / 1e6 / best, (double)text / 1e6 / best, (double)rows / best,
           (double)text / 1e6 / best_cpu);
    tarn_schema_destroy(schema);
    tarn_pool_destroy(pool);
    return 0;
}
