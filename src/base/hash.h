/*
 * base/hash.h - non-cryptographic hashing for hash tables and content
 * fingerprints, and CRC-32 for formats that carry checksums.
 *
 * tarn_hash_bytes is stable across runs and platforms (little-endian reads),
 * so it may be persisted (e.g. as a file content hash).
 */
#ifndef TARN_BASE_HASH_H
#define TARN_BASE_HASH_H

#include "base/common.h"

uint64_t tarn_hash_bytes(const void *p, size_t n, uint64_t seed);
/* out[0] = tarn_hash_bytes(p, n, seed_a), out[1] = the same with seed_b, in
 * one pass over the bytes. */
void tarn_hash_bytes2(const void *p, size_t n, uint64_t seed_a, uint64_t seed_b, uint64_t out[2]);

/* Mixes a 64-bit value into a well-distributed hash. */
static inline uint64_t tarn_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static inline uint64_t tarn_hash_combine(uint64_t h, uint64_t v)
{
    return tarn_hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* CRC-32 (IEEE, as zlib and Parquet page CRCs use), continuing from crc. */
uint32_t tarn_crc32(uint32_t crc, const void *p, size_t n);

#endif
