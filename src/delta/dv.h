/*
 * delta/dv.h - deletion vectors (PROTOCOL.md "Deletion Vectors" and
 * "Deletion Vector Format"): z85 text, RoaringTreemap bitmaps, DV files.
 *
 * A decoded DV is a sorted array of the deleted rows' physical positions in
 * the data file. Decoding never trusts a length from the input: every read
 * is bounds-checked, every row must be below the caller's max_rows (the data
 * file's row count), so the array is at most max_rows entries. Storage
 * types: 'u' (file <prefix>/deletion_vector_<uuid>.bin under the table
 * root, uuid z85-encoded), 'p' (absolute path), 'i' (inline z85).
 */
#ifndef TARN_DELTA_DV_H
#define TARN_DELTA_DV_H

#include "delta/log.h"

/* Delta's RoaringBitmapArray magic number for the portable 64-bit format. */
#define TARN_DELTA_DV_MAGIC 1681511377u
/* Magic of the older "native" layout (one Roaring bitmap per high key,
 * keys implicit), still accepted on read. */
#define TARN_DELTA_DV_MAGIC_NATIVE 1681511376u

typedef struct tarn_delta_dv_rows {
    int64_t n;      /* number of deleted rows */
    uint64_t *rows; /* n positions, ascending and unique (tarn_alloc; NULL when n == 0) */
} tarn_delta_dv_rows;

/* Decodes z85 text (n a multiple of 5) into n / 5 * 4 bytes at out. */
TARN_MUST_CHECK tarn_status tarn_delta_z85_decode(const char *s, size_t n, uint8_t *out,
                                                  tarn_err *err);

/* Decodes one serialized DV: the 4-byte little-endian magic followed by a
 * RoaringTreemap in the portable format (8-byte bucket count, then per
 * bucket a 4-byte high key and a 32-bit Roaring bitmap with array, bitmap
 * and run containers); the older native layout is accepted too. Rows must
 * ascend and stay below max_rows. */
TARN_MUST_CHECK tarn_status tarn_delta_dv_decode(const uint8_t *p, size_t n, uint64_t max_rows,
                                                 tarn_delta_dv_rows *out, tarn_err *err);

/* Loads and decodes the DV of a file of the table at table_root: inline
 * bytes, or the DV file (version byte 1; at `offset` a big-endian size that
 * must equal sizeInBytes, the bitmap, a big-endian CRC-32 of it). The row
 * count must equal dv->cardinality. Free the result with
 * tarn_delta_dv_rows_fini. */
TARN_MUST_CHECK tarn_status tarn_delta_dv_load(const char *table_root, const tarn_delta_dv *dv,
                                               uint64_t max_rows, tarn_delta_dv_rows *out,
                                               tarn_err *err);
void tarn_delta_dv_rows_fini(tarn_delta_dv_rows *r);

/* Index of the first row >= pos in r (r->n when none). */
int64_t tarn_delta_dv_rows_lower_bound(const tarn_delta_dv_rows *r, uint64_t pos);

/* The DV's unique id for file identity: "<storageType><pathOrInlineDv>" plus
 * "@<offset>" when an offset is present (arena copy; NULL on OOM). */
char *tarn_delta_dv_unique_id(tarn_arena *a, const tarn_delta_dv *dv);

/* Local path of a 'u' or 'p' DV's file (arena). */
TARN_MUST_CHECK tarn_status tarn_delta_dv_path(tarn_arena *a, const char *table_root,
                                               const tarn_delta_dv *dv, char **out, tarn_err *err);

#endif
