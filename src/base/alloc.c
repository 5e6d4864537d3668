/*
 * base/alloc.c - malloc wrappers with a failure-injection hook for tests.
 */
#include "base/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static _Atomic int64_t n_allocs;
static _Atomic int64_t fail_at; /* absolute allocation number that fails, 0 = never */

static bool should_fail(void)
{
    int64_t k = atomic_fetch_add(&n_allocs, 1) + 1;
    int64_t f = atomic_load(&fail_at);
    return TARN_UNLIKELY(f != 0 && k == f);
}

/* Large blocks (column vectors of big batches, hash tables) ask for
 * transparent huge pages: one fault maps 2 MiB instead of 4 KiB, and page
 * faults are what filling a fresh gigabyte costs most (several seconds on
 * a virtual machine). Only where the system leaves THP to madvise; a no-op
 * elsewhere. */
#define HUGE_MIN ((size_t)8 << 20)

static void *hint_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    if (p && n >= HUGE_MIN) {
        uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095;
        uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)4095;
        if (hi > lo)
            (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
#else
    (void)n;
#endif
    return p;
}

void *tarn_alloc(size_t n)
{
    if (should_fail())
        return NULL;
    return hint_huge(malloc(n ? n : 1), n);
}

void *tarn_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    return count && size && count <= SIZE_MAX / size ? hint_huge(p, count * size) : p;
}

void *tarn_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return hint_huge(realloc(p, n ? n : 1), n);
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
