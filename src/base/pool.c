/*
 * base/pool.c - fixed thread pool running one parallel-for job at a time.
 *
 * A job is (fn, ctx, n) plus an atomic next-index counter. Workers sleep on a
 * condition variable until a job generation changes, then claim indexes until
 * none are left. Concurrent tarn_pool_run() calls from different threads are
 * serialised by run_lock; a call made from inside a job runs inline.
 */
#include "base/pool.h"

#include "base/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

struct tarn_pool {
    int n_workers;            /* background threads (size - 1) */
    pthread_t *threads;       /* n_workers handles */
    pthread_mutex_t lock;     /* guards everything below but the counters */
    pthread_cond_t wake;      /* a new job or shutdown */
    pthread_cond_t done;      /* a worker left the current job */
    pthread_mutex_t run_lock; /* one job at a time */
    uint64_t generation;      /* bumps with every job */
    bool shutdown;            /* workers exit */
    tarn_pool_fn fn;          /* current job */
    void *ctx;                /* current job's argument */
    int64_t n;                /* current job's size */
    _Atomic int64_t next;     /* next index to claim */
    int busy;                 /* workers still inside the current job */
};

static _Thread_local int in_job; /* >0 while this thread runs pool work */

static void drain(tarn_pool *p, tarn_pool_fn fn, void *ctx, int64_t n)
{
    in_job++;
    for (;;) {
        int64_t i = atomic_fetch_add(&p->next, 1);
        if (i >= n)
            break;
        fn(ctx, i);
    }
    in_job--;
}

static void *worker_main(void *arg)
{
    tarn_pool *p = arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->shutdown && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->shutdown)
            break;
        seen = p->generation;
        tarn_pool_fn fn = p->fn;
        void *ctx = p->ctx;
        int64_t n = p->n;
        p->busy++;
        pthread_mutex_unlock(&p->lock);
        drain(p, fn, ctx, n);
        pthread_mutex_lock(&p->lock);
        if (--p->busy == 0)
            pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int default_threads(void)
{
    const char *env = getenv("TARN_THREADS");
    if (env && *env) {
        long v = strtol(env, NULL, 10);
        if (v >= 1 && v <= 256)
            return (int)v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (int)TARN_MIN(n, 64) : 1;
}

tarn_pool *tarn_pool_create(int n_threads)
{
    if (n_threads <= 0)
        n_threads = default_threads();
    tarn_pool *p = tarn_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->n_workers = n_threads - 1;
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->run_lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    if (p->n_workers > 0) {
        p->threads = tarn_calloc((size_t)p->n_workers, sizeof(pthread_t));
        if (!p->threads) {
            p->n_workers = 0;
        }
        for (int i = 0; i < p->n_workers; i++) {
            if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
                p->n_workers = i; /* run with what started */
                break;
            }
        }
    }
    return p;
}

void tarn_pool_destroy(tarn_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->shutdown = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_workers; i++)
        pthread_join(p->threads[i], NULL);
    tarn_free(p->threads);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->run_lock);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    tarn_free(p);
}

int tarn_pool_size(const tarn_pool *p)
{
    return p ? p->n_workers + 1 : 1;
}

void tarn_pool_run(tarn_pool *p, int64_t n, tarn_pool_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (!p || p->n_workers == 0 || n == 1 || in_job) {
        in_job++;
        for (int64_t i = 0; i < n; i++)
            fn(ctx, i);
        in_job--;
        return;
    }
    pthread_mutex_lock(&p->run_lock);
    pthread_mutex_lock(&p->lock);
    /* A worker that woke late for the previous job may still be leaving it;
     * resetting the counter under it would hand it our indexes. */
    while (p->busy > 0)
        pthread_cond_wait(&p->done, &p->lock);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    atomic_store(&p->next, 0);
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);

    drain(p, fn, ctx, n);

    /* Wait until every worker that joined this job has left it. Workers that
     * wake late see next >= n and leave at once. */
    pthread_mutex_lock(&p->lock);
    while (p->busy > 0)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_unlock(&p->run_lock);
}

static tarn_pool *default_pool;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_init(void)
{
    default_pool = tarn_pool_create(0);
}

tarn_pool *tarn_pool_default(void)
{
    pthread_once(&default_once, default_init);
    return default_pool;
}
