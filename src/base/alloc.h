/*
 * base/alloc.h - the heap allocator every tarn module goes through.
 *
 * Wrapping malloc lets a test make the Nth allocation fail (tarn_alloc_fail_at)
 * so out-of-memory paths are exercised; failures return NULL, and callers turn
 * that into TARN_ERR_NOMEM. tarn_free(NULL) is a no-op.
 */
#ifndef TARN_BASE_ALLOC_H
#define TARN_BASE_ALLOC_H

#include "base/common.h"

void *tarn_alloc(size_t n);
void *tarn_calloc(size_t count, size_t size);
void *tarn_realloc(void *p, size_t n);
void tarn_free(void *p);
/* Heap copy of s (or of its first n bytes, NUL-terminated); NULL on failure. */
char *tarn_strdup(const char *s);
char *tarn_strndup(const char *s, size_t n);

/* Makes room for one more item in a heap array of n elem-sized items with
 * capacity *cap (doubling, at least 16); false when out of memory. */
bool tarn_grow(void **arr, int n, int *cap, size_t elem);

/* Test hook: the n-th allocation from now (1-based) fails; 0 disables. */
void tarn_alloc_fail_at(int64_t n);
/* Number of allocations made since the process started (for tests). */
int64_t tarn_alloc_count(void);

#endif
