/*
 * base/alloc.c - malloc wrappers with a failure-injection hook for tests.
 */
#include "base/alloc.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int64_t n_allocs;
static _Atomic int64_t fail_at; /* absolute allocation number that fails, 0 = never */

static bool should_fail(void)
{
    int64_t k = atomic_fetch_add(&n_allocs, 1) + 1;
    int64_t f = atomic_load(&fail_at);
    return TARN_UNLIKELY(f != 0 && k == f);
}

void *tarn_alloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *tarn_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *tarn_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void tarn_free(void *p)
{
    free(p);
}

char *tarn_strndup(const char *s, size_t n)
{
    char *d = tarn_alloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *tarn_strdup(const char *s)
{
    return tarn_strndup(s, strlen(s));
}

void tarn_alloc_fail_at(int64_t n)
{
    atomic_store(&fail_at, n ? atomic_load(&n_allocs) + n : 0);
}

int64_t tarn_alloc_count(void)
{
    return atomic_load(&n_allocs);
}

bool tarn_grow(void **arr, int n, int *cap, size_t elem)
{
    if (n < *cap)
        return true;
    int nc = *cap ? *cap * 2 : 16;
    void *p = tarn_realloc(*arr, (size_t)nc * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = nc;
    return true;
}
