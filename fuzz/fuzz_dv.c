/*
 * fuzz/fuzz_dv.c - libFuzzer target for deletion-vector decoding
 * (delta/dv.h): z85 text, the RoaringTreemap (portable and native layouts)
 * and DV files (version byte, big-endian size, bitmap, CRC-32).
 *
 * c0 picks the mode and the row bound; 0: the rest is a serialized bitmap;
 * 1: the rest is inline z85 text (storageType 'i'); 2: the rest is a DV
 * file (storageType 'p', read from a memfd) at the offset in c1. Decoded
 * rows must ascend and stay below the bound. Must never crash, leak or hang.
 * Stand-alone replay: fuzz/replay_main.c.
 */
#include "delta/dv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rows(const tarn_delta_dv_rows *r, uint64_t max_rows)
{
    for (int64_t i = 0; i < r->n; i++)
        if (r->rows[i] >= max_rows || (i > 0 && r->rows[i] <= r->rows[i - 1]))
            abort();
    if (r->n > 0 && tarn_delta_dv_rows_lower_bound(r, r->rows[r->n / 2]) != r->n / 2)
        abort();
}

/* Loads a DV described by dv and checks the result. */
static void load(const tarn_delta_dv *dv, uint64_t max_rows)
{
    tarn_err err;
    tarn_delta_dv_rows rows;
    if (tarn_delta_dv_load("/tmp/fuzz-table", dv, max_rows, &rows, &err) == TARN_OK) {
        check_rows(&rows, max_rows);
        if (rows.n != dv->cardinality)
            abort();
        tarn_delta_dv_rows_fini(&rows);
    } else if (rows.n != 0 || rows.rows != NULL) {
        abort(); /* a failed load leaves nothing behind */
    }
}

static void fuzz_file(const uint8_t *p, size_t n, uint8_t off, int32_t size_in_bytes, int64_t card,
                      uint64_t max_rows)
{
    int fd = memfd_create("fuzz.dv", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    if (n && write(fd, p, n) != (ssize_t)n)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    tarn_delta_dv dv = {'p', path, off != 0, off, size_in_bytes, card};
    load(&dv, max_rows);
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint64_t max_rows = (uint64_t)1 << (data[0] >> 2 & 63);
    const uint8_t *p = data + 3;
    size_t n = size - 3;
    tarn_err err;
    switch (data[0] & 3) {
    case 0: {
        tarn_delta_dv_rows rows;
        if (tarn_delta_dv_decode(p, n, max_rows, &rows, &err) == TARN_OK) {
            check_rows(&rows, max_rows);
            tarn_delta_dv_rows_fini(&rows);
        }
        break;
    }
    case 1: {
        char *text = tarn_strndup((const char *)p, n);
        if (!text)
            abort();
        tarn_delta_dv dv = {'i',         text, false, 0, (int32_t)(data[1] | (data[2] & 15) << 8),
                            data[2] >> 4};
        load(&dv, max_rows);
        tarn_free(text);
        break;
    }
    default:
        fuzz_file(p, n, data[1], (int32_t)n - data[1] - 8, data[2], max_rows);
        break;
    }
    return 0;
}
