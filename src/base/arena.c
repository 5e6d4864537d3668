/*
 * base/arena.c - bump allocator over a chain of blocks.
 *
 * Requests larger than a quarter block get a block of their own, so a big
 * allocation never wastes the tail of the current block.
 */
#include "base/arena.h"

#include "base/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct block {
    struct block *next; /* older block */
    size_t cap;         /* usable bytes after the header */
    size_t used;        /* bytes handed out */
    _Alignas(16) unsigned char data[];
} block;

struct tarn_arena {
    block *head;       /* current block (newest) */
    size_t block_size; /* default block capacity */
    size_t used;       /* total bytes handed out since reset */
};

tarn_arena *tarn_arena_create(size_t block_size)
{
    tarn_arena *a = tarn_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    return a;
}

static void free_chain(block *b)
{
    while (b) {
        block *next = b->next;
        tarn_free(b);
        b = next;
    }
}

void tarn_arena_destroy(tarn_arena *a)
{
    if (!a)
        return;
    free_chain(a->head);
    tarn_free(a);
}

void tarn_arena_reset(tarn_arena *a)
{
    if (!a || !a->head)
        return;
    /* Keep the last (oldest) block if it is a standard one; drop the rest. */
    block *keep = a->head;
    while (keep->next)
        keep = keep->next;
    block *b = a->head;
    while (b != keep) {
        block *next = b->next;
        tarn_free(b);
        b = next;
    }
    if (keep->cap != a->block_size) {
        tarn_free(keep);
        a->head = NULL;
    } else {
        keep->used = 0;
        a->head = keep;
    }
    a->used = 0;
}

static block *new_block(size_t cap)
{
    block *b = tarn_alloc(sizeof(block) + cap);
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

void *tarn_arena_alloc(tarn_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    if (need < n)
        return NULL;
    block *h = a->head;
    if (h && h->cap - h->used >= need) {
        void *p = h->data + h->used;
        h->used += need;
        a->used += need;
        return p;
    }
    if (need > a->block_size / 4) {
        /* Oversized: own block, linked behind the head so the head keeps filling. */
        block *b = new_block(need);
        if (!b)
            return NULL;
        b->used = need;
        if (h) {
            b->next = h->next;
            h->next = b;
        } else {
            a->head = b;
        }
        a->used += need;
        return b->data;
    }
    block *b = new_block(a->block_size);
    if (!b)
        return NULL;
    b->next = h;
    a->head = b;
    b->used = need;
    a->used += need;
    return b->data;
}

void *tarn_arena_calloc(tarn_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = tarn_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *tarn_arena_memdup(tarn_arena *a, const void *src, size_t n)
{
    void *p = tarn_arena_alloc(a, n);
    if (p && n)
        memcpy(p, src, n);
    return p;
}

char *tarn_arena_strndup(tarn_arena *a, const char *s, size_t n)
{
    char *p = tarn_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *tarn_arena_strdup(tarn_arena *a, const char *s)
{
    return tarn_arena_strndup(a, s, strlen(s));
}

char *tarn_arena_printf(tarn_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = tarn_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t tarn_arena_used(const tarn_arena *a)
{
    return a->used;
}
