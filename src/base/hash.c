/*
 * base/hash.c - 64-bit byte hashing (multiply-fold, 8 bytes per step) and
 * table-driven CRC-32.
 */
#include "base/hash.h"

#include <pthread.h>
#include <string.h>

static inline uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
    tarn_u128 r = (tarn_u128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define K0 0xa0761d6478bd642fULL
#define K1 0xe7037ed1a0b428dbULL
#define K2 0x8ebc6af09c88c6e3ULL

static inline uint64_t start(uint64_t seed, size_t n)
{
    return seed ^ mix(seed ^ K0, K1) ^ (uint64_t)n;
}

/* The last 0..15 bytes as two words (a, b). */
static inline void tail(const unsigned char *p, size_t n, uint64_t *a, uint64_t *b)
{
    *a = *b = 0;
    if (n >= 8) {
        *a = rd64(p);
        *b = rd64(p + n - 8);
    } else if (n > 0) {
        unsigned char tmp[8] = {0};
        memcpy(tmp, p, n);
        *a = rd64(tmp);
        *b = (uint64_t)n;
    }
}

static inline uint64_t finish(uint64_t h, uint64_t a, uint64_t b)
{
    return mix(a ^ K2 ^ h, b ^ K1) ^ h;
}

void tarn_hash_bytes2(const void *data, size_t n, uint64_t seed_a, uint64_t seed_b, uint64_t out[2])
{
    const unsigned char *p = data;
    uint64_t ha = start(seed_a, n), hb = start(seed_b, n), a, b;
    /* Two independent multiply chains in one pass: each chain waits on its
     * own multiply, so the pair costs about as much as one. */
    for (; n >= 16; p += 16, n -= 16) {
        uint64_t x = rd64(p) ^ K1, y = rd64(p + 8);
        ha = mix(x, y ^ ha);
        hb = mix(x, y ^ hb);
    }
    tail(p, n, &a, &b);
    out[0] = finish(ha, a, b);
    out[1] = finish(hb, a, b);
}

uint64_t tarn_hash_bytes(const void *data, size_t n, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = start(seed, n), a, b;
    for (; n >= 16; p += 16, n -= 16)
        h = mix(rd64(p) ^ K1, rd64(p + 8) ^ h);
    tail(p, n, &a, &b);
    return finish(h, a, b);
}

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t tarn_crc32(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}
