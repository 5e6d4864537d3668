/*
 * fuzz/fuzz_parquet.c - libFuzzer target for the Parquet reader as a whole
 * (parquet/reader.h): open a file, read every column's statistics, scan all
 * columns of all row groups and render the rows as NDJSON.
 *
 * The input is the whole file. It is written to a memfd and opened through
 * /proc/self/fd/N, so the real open path (pread, footer, pages, codecs,
 * record assembly) runs. Must never crash, leak or hang. Stand-alone
 * replay: fuzz/replay_main.c.
 */
#include "column/render.h"
#include "parquet/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Statuses a fuzz target does not act on (only crashes matter there). */
static void ignore(tarn_status st)
{
    (void)st;
}

/* Reads every statistic the file offers (decoding them is parsing too). */
static void read_stats(const tarn_pq_file *f)
{
    const tarn_schema *s = tarn_pq_file_schema(f);
    int n_rg = tarn_pq_file_num_row_groups(f);
    int n_leaves = tarn_pq_file_num_leaves(f);
    for (int rg = 0; rg < n_rg && rg < 8; rg++) {
        tarn_err err;
        tarn_pq_stats st;
        for (int c = 0; c < s->n_fields; c++)
            ignore(tarn_pq_file_column_stats(f, rg, c, &st, &err));
        for (int l = 0; l < n_leaves; l++) {
            ignore(tarn_pq_file_leaf_stats(f, rg, l, &st, &err));
            (void)tarn_pq_file_leaf_path(f, l);
        }
    }
}

static void scan_all(tarn_pq_file *f)
{
    tarn_err err;
    tarn_pq_scan *scan;
    if (tarn_pq_scan_open(f, NULL, &scan, &err) != TARN_OK)
        return;
    tarn_buf out;
    tarn_buf_init(&out);
    for (;;) {
        tarn_batch *b;
        if (tarn_pq_scan_next(scan, &b, &err) != TARN_OK || !b)
            break;
        tarn_buf_reset(&out);
        if (tarn_render_ndjson(&out, b) != TARN_OK)
            break;
    }
    tarn_buf_fini(&out);
    tarn_pq_scan_close(scan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.parquet", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    size_t off = 0;
    while (off < size) {
        ssize_t k = write(fd, data + off, size - off);
        if (k <= 0)
            abort();
        off += (size_t)k;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    tarn_err err;
    tarn_err_clear(&err);
    tarn_pq_file *f;
    if (tarn_pq_file_open(path, &f, &err) == TARN_OK) {
        read_stats(f);
        scan_all(f);
        tarn_pq_file_close(f);
    } else if (err.code == TARN_OK) {
        abort(); /* a failure must say why */
    }
    close(fd);
    return 0;
}
