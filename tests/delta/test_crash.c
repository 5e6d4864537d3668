/*
 * tests/delta/test_crash.c - crash safety: a child process appends small
 * batches in a loop (partitioned, several files per commit, a checkpoint
 * every 3 versions) and is SIGKILLed at random moments, many times. After
 * every kill the table must load at its newest version file, and its rows
 * must be exactly the union of whole committed appends: each append writes
 * 1 + token % 7 rows all carrying a random token, so a partial or
 * duplicated append shows up as a token with the wrong row count. The row
 * total must also equal the numOutputRows the commits recorded. At the end
 * vacuum with retention 0 (forced) removes every orphan and nothing else.
 */
#include "delta_write_test.h"

#include "base/time.h"
#include "delta/history.h"
#include "delta/vacuum.h"

#include <signal.h>
#include <sys/random.h>
#include <time.h>

#define CRASH_MAX_ITERATIONS 150
#define CRASH_TIME_BUDGET_US (25 * TARN_USEC_PER_SEC)
#define CRASH_MAX_VERSION    400

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("dcrash", g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(g_dir);
    return 0;
}

static uint64_t rnd(void)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
        r = (uint64_t)tarn_monotonic_us() * 0x9e3779b97f4a7c15ULL;
    return r;
}

static int64_t rows_for(int64_t token)
{
    return 1 + token % 7;
}

/* One append: 1 + token % 7 rows, spread over up to three partitions. */
static tarn_status append_token(const char *t, const tarn_schema *s, int64_t token, tarn_err *err)
{
    static const char *const parts[] = {"p0", "p1", "p2"};
    tarn_batch *b = tarn_batch_create(s);
    int64_t n = rows_for(token);
    for (int64_t i = 0; i < n; i++) {
        if (tarn_vec_append_i64(b->cols[0], token) != TARN_OK ||
            tarn_vec_append_bytes(b->cols[1], parts[i % 3], 2) != TARN_OK)
            return TARN_ERR_NOMEM;
    }
    b->n_rows = n;
    tarn_delta_write_opts o;
    tarn_delta_write_opts_init(&o);
    const char *pby[] = {"p"};
    o.partition_by = pby;
    o.n_partition_by = 1;
    tarn_delta_kv cfg[] = {{"delta.checkpointInterval", "3"}};
    o.config = cfg;
    o.n_config = 1;
    dw_source src = {&b, 1, 0};
    tarn_status st = tarn_delta_write(t, s, dw_source_next, &src, &o, NULL, err);
    tarn_batch_destroy(b);
    return st;
}

static void child_loop(const char *t)
{
    tarn_schema *s = dw_schema("id int64, p string");
    for (;;) {
        tarn_err err;
        int64_t token = (int64_t)(rnd() >> 2);
        if (append_token(t, s, token, &err) != TARN_OK) {
            fprintf(stderr, "child append failed: %s\n", err.msg);
            _exit(3);
        }
    }
}

/* Newest NNN.json in the log, or -1. */
static int64_t newest_commit(const char *t)
{
    char log[600];
    snprintf(log, sizeof log, "%s/_delta_log", t);
    tarn_arena *a = tarn_arena_create(0);
    char **names;
    size_t n;
    tarn_err err;
    int64_t best = -1;
    if (tarn_dir_list(log, a, &names, &n, &err) == TARN_OK)
        for (size_t i = 0; i < n; i++)
            if (strspn(names[i], "0123456789") == 20 && strcmp(names[i] + 20, ".json") == 0) {
                int64_t v = strtoll(names[i], NULL, 10);
                best = v > best ? v : best;
            }
    tarn_arena_destroy(a);
    return best;
}

/* Checks the table; returns the number of rows. */
static int64_t verify(const char *t)
{
    int64_t newest = newest_commit(t);
    if (newest < 0)
        return 0; /* killed before the first commit */
    tarn_delta_snapshot *snap = dw_load(t, -1);
    assert_int_equal(snap->version, newest);
    /* group rows by token: every token must have exactly rows_for(token) */
    tarn_delta_scan *sc;
    tarn_err err;
    assert_int_equal(tarn_delta_scan_open(snap, NULL, &sc, &err), TARN_OK);
    int64_t cap = 1024, n = 0, total = 0;
    int64_t *ids = malloc((size_t)cap * sizeof *ids);
    for (;;) {
        tarn_batch *b;
        assert_int_equal(tarn_delta_scan_next(sc, &b, &err), TARN_OK);
        if (!b)
            break;
        for (int64_t i = 0; i < b->n_rows; i++) {
            if (n == cap) {
                cap *= 2;
                ids = realloc(ids, (size_t)cap * sizeof *ids);
            }
            ids[n++] = tarn_vec_get_i64(b->cols[0], i);
        }
    }
    tarn_delta_scan_close(sc);
    qsort(ids, (size_t)n, sizeof *ids, dw_cmp_i64);
    int64_t groups = 0;
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j < n && ids[j] == ids[i])
            j++;
        if (j - i != rows_for(ids[i]))
            fail_msg("token %lld has %lld rows, expected %lld (version %lld)", (long long)ids[i],
                     (long long)(j - i), (long long)rows_for(ids[i]), (long long)newest);
        total += j - i;
        groups++;
        i = j;
    }
    free(ids);
    /* one token per commit, and the commits' own metrics agree */
    assert_int_equal(groups, snap->version + 1);
    tarn_delta_history h;
    assert_int_equal(tarn_delta_history_load(t, 0, &h, &err), TARN_OK);
    int64_t logged = 0;
    for (int i = 0; i < h.n_entries; i++) {
        const char *m = h.entries[i].operation_metrics;
        const char *k = m ? strstr(m, "\"numOutputRows\":\"") : NULL;
        assert_non_null(k);
        logged += strtoll(k + 17, NULL, 10);
    }
    assert_int_equal(h.n_entries, snap->version + 1);
    assert_int_equal(logged, total);
    tarn_delta_history_fini(&h);
    tarn_delta_snapshot_destroy(snap);
    return total;
}

static void test_kill_appender(void **state)
{
    (void)state;
    char t[600];
    snprintf(t, sizeof t, "%s/t", g_dir);
    int64_t t0 = tarn_monotonic_us();
    int iterations = 0;
    int64_t rows = 0;
    while (iterations < CRASH_MAX_ITERATIONS && tarn_monotonic_us() - t0 < CRASH_TIME_BUDGET_US) {
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            child_loop(t); /* let it run 2..80 ms (an append takes a few ms), then kill it
                            * wherever it is */
        struct timespec ts = {0, (long)(2000 + rnd() % 78000) * 1000};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("child ended on its own (status %d)", status);
        int64_t now = verify(t);
        assert_true(now >= rows);
        rows = now;
        iterations++;
        if (newest_commit(t) > CRASH_MAX_VERSION)
            break;
    }
    fprintf(stderr, "crash test: %d kills, %lld versions, %lld rows\n", iterations,
            (long long)newest_commit(t), (long long)rows);
    assert_true(iterations >= 10);
    if (newest_commit(t) < 0)
        return;
    /* Orphans of killed writers: vacuum with retention 0 removes exactly them. */
    tarn_delta_snapshot *snap = dw_load(t, -1);
    int active = snap->n_files;
    tarn_delta_snapshot_destroy(snap);
    tarn_delta_vacuum_result vr;
    tarn_err err;
    assert_int_equal(tarn_delta_vacuum(t, 0, false, true, &vr, &err), TARN_OK);
    fprintf(stderr, "vacuum removed %d files (%d temp files in the log)\n", vr.n_files,
            vr.n_log_temp_files);
    tarn_delta_vacuum_result_fini(&vr);
    assert_int_equal(dw_count_parquet(t), active);
    assert_int_equal(verify(t), rows);
    /* and the table keeps working */
    tarn_schema *s = dw_schema("id int64, p string");
    assert_int_equal(append_token(t, s, 7, &err), TARN_OK);
    assert_int_equal(verify(t), rows + rows_for(7));
    tarn_schema_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_appender),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
