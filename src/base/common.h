/*
 * base/common.h - macros every tarn file may use: attributes, invariant
 * assertions, min/max, branch hints.
 *
 * TARN_ASSERT guards tarn's own invariants only; bytes from files, requests,
 * queries or contracts are never checked with it (they get a tarn_err).
 */
#ifndef TARN_BASE_COMMON_H
#define TARN_BASE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TARN_MUST_CHECK   __attribute__((warn_unused_result))
#define TARN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define TARN_NORETURN     __attribute__((noreturn))
#define TARN_LIKELY(x)    __builtin_expect(!!(x), 1)
#define TARN_UNLIKELY(x)  __builtin_expect(!!(x), 0)
#define TARN_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define TARN_MAX(a, b)    ((a) > (b) ? (a) : (b))
#define TARN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TARN_UNUSED(x)    ((void)(x))

/* Signed 128-bit integers carry decimals of more than 18 digits. */
typedef __int128 tarn_i128;
typedef unsigned __int128 tarn_u128;

TARN_NORETURN void tarn_assert_fail(const char *expr, const char *file, int line);

#define TARN_ASSERT(e) (TARN_LIKELY(e) ? (void)0 : tarn_assert_fail(#e, __FILE__, __LINE__))

#endif
