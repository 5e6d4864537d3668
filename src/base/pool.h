/*
 * base/pool.h - a small fixed thread pool for morsel parallelism.
 *
 * The one primitive is a parallel for: tarn_pool_run() calls fn(ctx, i) for
 * every i in [0, n) across the pool's workers and the calling thread, and
 * returns when all calls are done. Work items are claimed one at a time from
 * a shared counter, so uneven morsels balance themselves. Nested calls from
 * inside fn run serially in the caller (no deadlock).
 */
#ifndef TARN_BASE_POOL_H
#define TARN_BASE_POOL_H

#include "base/status.h"

typedef struct tarn_pool tarn_pool;

typedef void (*tarn_pool_fn)(void *ctx, int64_t i);

/* Creates a pool with n_threads workers in total (the caller counts as one);
 * n_threads <= 0 means the number of online CPUs (or TARN_THREADS). */
tarn_pool *tarn_pool_create(int n_threads);
void tarn_pool_destroy(tarn_pool *p);
/* Total parallelism, the calling thread included. */
int tarn_pool_size(const tarn_pool *p);
/* Runs fn(ctx, i) for i in [0, n); blocks until all finished. */
void tarn_pool_run(tarn_pool *p, int64_t n, tarn_pool_fn fn, void *ctx);

/* The process-wide pool, created on first use, sized by TARN_THREADS or the
 * CPU count. Never destroyed before exit. */
tarn_pool *tarn_pool_default(void);

#endif
