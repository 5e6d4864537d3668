/*
 * base/arena.h - bump allocator for memory that dies together: a batch, a
 * query, a commit, a parsed footer.
 *
 * Allocations are 16-byte aligned and never freed one by one; reset() keeps
 * the first block for reuse, destroy() releases everything. An arena is not
 * thread-safe: one owner at a time.
 */
#ifndef TARN_BASE_ARENA_H
#define TARN_BASE_ARENA_H

#include "base/common.h"

typedef struct tarn_arena tarn_arena;

/* Creates an arena whose blocks are at least block_size bytes (0: 64 KiB). */
tarn_arena *tarn_arena_create(size_t block_size);
void tarn_arena_destroy(tarn_arena *a);
/* Frees all allocations at once; the arena stays usable. */
void tarn_arena_reset(tarn_arena *a);

/* n bytes, 16-byte aligned, uninitialised; NULL when out of memory. */
void *tarn_arena_alloc(tarn_arena *a, size_t n);
/* n zeroed bytes. */
void *tarn_arena_calloc(tarn_arena *a, size_t count, size_t size);
char *tarn_arena_strdup(tarn_arena *a, const char *s);
char *tarn_arena_strndup(tarn_arena *a, const char *s, size_t n);
void *tarn_arena_memdup(tarn_arena *a, const void *p, size_t n);
/* printf into the arena; NULL when out of memory. */
char *tarn_arena_printf(tarn_arena *a, const char *fmt, ...) TARN_PRINTF(2, 3);
/* Bytes handed out since the last reset (for tests and memory accounting). */
size_t tarn_arena_used(const tarn_arena *a);

#endif
