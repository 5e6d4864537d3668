/*
 * tests/delta/test_concurrency.c - concurrent writers in separate
 * processes on one table: two appenders (every commit present exactly
 * once, versions contiguous, rows = sum), two processes creating the same
 * table at once (one creates, the other appends), and a deleter racing an
 * appender (each delete succeeds or fails with a clean TARN_ERR_CONFLICT;
 * no append is lost and the rows add up).
 */
#include "delta_write_test.h"

#include "delta/delete.h"
#include "delta/history.h"

#define APPENDS_PER_PROC 50

static char g_dir[256];

static int setup(void **state)
{
    (void)state;
    tt_tmpdir("dconc", g_dir, sizeof g_dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tt_rmrf(g_dir);
    return 0;
}

/* Rows of append k of process p: ids p*100000 + k*10 + i, i < 1 + k % 3. */
static int64_t rows_of(int k)
{
    return 1 + k % 3;
}

static tarn_status append_k(const char *t, const tarn_schema *s, int p, int k, tarn_err *err)
{
    tarn_batch *b = dw_batch_ids(s, (int64_t)p * 100000 + k * 10, rows_of(k), NULL, 0);
    tarn_delta_write_result r;
    tarn_status st = dw_write_batch(t, s, b, NULL, &r, err);
    tarn_batch_destroy(b);
    return st;
}

/* Forks a child running fn(t, p); returns its pid. */
static pid_t spawn(void (*fn)(const char *, int), const char *t, int p)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fn(t, p);
        _exit(0);
    }
    return pid;
}

static void wait_ok(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("child %d failed (status %d)", (int)pid, status);
}

static void appender(const char *t, int p)
{
    tarn_schema *s = dw_schema("id int64, c string");
    for (int k = 0; k < APPENDS_PER_PROC; k++) {
        tarn_err err;
        if (append_k(t, s, p, k, &err) != TARN_OK) {
            fprintf(stderr, "appender %d, append %d: %s\n", p, k, err.msg);
            _exit(2);
        }
    }
    tarn_schema_destroy(s);
}

/* Versions 0..n-1 all present as JSON, nothing beyond. */
static void expect_contiguous(const char *t, int64_t n)
{
    for (int64_t v = 0; v < n; v++) {
        char *c = dw_commit_text(t, v);
        if (!c)
            fail_msg("version %lld is missing", (long long)v);
        free(c);
    }
    assert_null(dw_commit_text(t, n));
}

/* Every append of process p in [0, n) appears exactly once. */
static void expect_appends(const int64_t *ids, int64_t n_ids, int p, int n)
{
    for (int k = 0; k < n; k++) {
        int64_t base = (int64_t)p * 100000 + k * 10;
        int64_t found = 0;
        for (int64_t i = 0; i < n_ids; i++)
            found += ids[i] >= base && ids[i] < base + 10;
        if (found != rows_of(k))
            fail_msg("append %d of process %d has %lld rows, expected %lld", k, p, (long long)found,
                     (long long)rows_of(k));
    }
}

static int64_t *table_ids(const char *t, int64_t *out_n)
{
    tarn_delta_snapshot *snap = dw_load(t, -1);
    tarn_delta_scan *sc;
    tarn_err err;
    assert_int_equal(tarn_delta_scan_open(snap, NULL, &sc, &err), TARN_OK);
    int64_t n = 0, cap = 1024;
    int64_t *ids = malloc((size_t)cap * sizeof *ids);
    for (;;) {
        tarn_batch *b;
        assert_int_equal(tarn_delta_scan_next(sc, &b, &err), TARN_OK);
        if (!b)
            break;
        for (int64_t i = 0; i < b->n_rows; i++) {
            if (n == cap)
                ids = realloc(ids, (size_t)(cap *= 2) * sizeof *ids);
            ids[n++] = tarn_vec_get_i64(b->cols[0], i);
        }
    }
    tarn_delta_scan_close(sc);
    tarn_delta_snapshot_destroy(snap);
    *out_n = n;
    return ids;
}

static void test_two_appenders(void **state)
{
    (void)state;
    char t[600];
    snprintf(t, sizeof t, "%s/aa", g_dir);
    dw_append_ids(t, 999999999, 1); /* version 0 */
    pid_t a = spawn(appender, t, 1), b = spawn(appender, t, 2);
    wait_ok(a);
    wait_ok(b);
    expect_contiguous(t, 2 * APPENDS_PER_PROC + 1);
    int64_t n;
    int64_t *ids = table_ids(t, &n);
    int64_t want = 1;
    for (int k = 0; k < APPENDS_PER_PROC; k++)
        want += 2 * rows_of(k);
    assert_int_equal(n, want);
    expect_appends(ids, n, 1, APPENDS_PER_PROC);
    expect_appends(ids, n, 2, APPENDS_PER_PROC);
    free(ids);
    /* every commit exactly once: one add per append version */
    for (int64_t v = 1; v <= 2 * APPENDS_PER_PROC; v++) {
        char *c = dw_commit_text(t, v);
        int adds = 0;
        for (const char *p = c; (p = strstr(p, "{\"add\":")); p++)
            adds++;
        assert_int_equal(adds, 1);
        free(c);
    }
}

static void creator(const char *t, int p)
{
    tarn_schema *s = dw_schema("id int64, c string");
    tarn_err err;
    for (int k = 0; k < 5; k++)
        if (append_k(t, s, p, k, &err) != TARN_OK) {
            fprintf(stderr, "creator %d: %s\n", p, err.msg);
            _exit(2);
        }
    tarn_schema_destroy(s);
}

static void test_concurrent_create(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        char t[600];
        snprintf(t, sizeof t, "%s/cc%d", g_dir, round);
        pid_t a = spawn(creator, t, 1), b = spawn(creator, t, 2);
        wait_ok(a);
        wait_ok(b);
        expect_contiguous(t, 10);
        int64_t n;
        int64_t *ids = table_ids(t, &n);
        expect_appends(ids, n, 1, 5);
        expect_appends(ids, n, 2, 5);
        free(ids);
        /* exactly one version carries metaData */
        int md = 0;
        for (int64_t v = 0; v < 10; v++) {
            char *c = dw_commit_text(t, v);
            md += strstr(c, "{\"metaData\":") != NULL;
            free(c);
        }
        assert_int_equal(md, 1);
    }
}

static tarn_status every_third(void *ctx, const tarn_batch *b, uint8_t *out, tarn_err *err)
{
    (void)ctx;
    (void)err;
    for (int64_t i = 0; i < b->n_rows; i++)
        out[i] = tarn_vec_get_i64(b->cols[0], i) % 3 == 0;
    return TARN_OK;
}

/* Deletes id % 3 == 0 rows over and over until <t>.done appears; writes
 * "ok <rows> <committed>" or "conflict" per attempt to <t>.deletes. */
static void deleter(const char *t, int p)
{
    (void)p;
    char log[700];
    snprintf(log, sizeof log, "%s.deletes", t);
    FILE *f = fopen(log, "w");
    char done[700];
    snprintf(done, sizeof done, "%s.done", t);
    tarn_delta_predicate pred = {NULL, every_third, NULL, "id % 3 = 0"};
    for (int i = 0; i < 2000 && !tarn_path_exists(done); i++) {
        tarn_delta_delete_result r;
        tarn_err err;
        tarn_status st = tarn_delta_delete(t, &pred, &r, &err);
        if (st == TARN_OK)
            fprintf(f, "ok %lld %d\n", (long long)r.deleted_rows, r.committed);
        else if (st == TARN_ERR_CONFLICT)
            fprintf(f, "conflict\n");
        else {
            fprintf(stderr, "deleter: unexpected %s: %s\n", tarn_status_name(st), err.msg);
            _exit(2);
        }
        fflush(f);
    }
    fclose(f);
}

static void test_delete_vs_append(void **state)
{
    (void)state;
    char t[600];
    snprintf(t, sizeof t, "%s/da", g_dir);
    dw_append_ids(t, 999999999, 1); /* version 0, id % 3 == 0 */
    pid_t a = spawn(appender, t, 1), d = spawn(deleter, t, 0);
    wait_ok(a);
    char done[700];
    snprintf(done, sizeof done, "%s.done", t);
    tt_write_file(done, "");
    wait_ok(d);
    /* one last delete now that nobody races it: it must succeed */
    tarn_delta_predicate pred = {NULL, every_third, NULL, "id % 3 = 0"};
    tarn_delta_delete_result last;
    tarn_err err;
    assert_int_equal(tarn_delta_delete(t, &pred, &last, &err), TARN_OK);
    /* tally the deleter's outcomes */
    char log[700];
    snprintf(log, sizeof log, "%s.deletes", t);
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    char line[128];
    int64_t deleted = 0;
    int ok = 0, conflicts = 0, commits = 0;
    while (fgets(line, sizeof line, f)) {
        long long rows;
        int committed;
        if (sscanf(line, "ok %lld %d", &rows, &committed) == 2) {
            ok++;
            deleted += rows;
            commits += committed;
        } else {
            assert_string_equal(line, "conflict\n");
            conflicts++;
        }
    }
    fclose(f);
    fprintf(stderr, "deletes: %d ok (%d committed, %lld rows), %d conflicts\n", ok, commits,
            (long long)deleted, conflicts);
    assert_true(conflicts > 0 || commits > 1);
    deleted += last.deleted_rows;
    commits += last.committed;
    expect_contiguous(t, 1 + APPENDS_PER_PROC + commits);
    int64_t n;
    int64_t *ids = table_ids(t, &n);
    int64_t appended = 1;
    for (int k = 0; k < APPENDS_PER_PROC; k++)
        appended += rows_of(k);
    assert_int_equal(n, appended - deleted);
    /* rows the predicate spares are all there, exactly once */
    qsort(ids, (size_t)n, sizeof *ids, dw_cmp_i64);
    for (int64_t i = 1; i < n; i++)
        assert_true(ids[i] != ids[i - 1]);
    for (int64_t i = 0; i < n; i++)
        assert_true(ids[i] % 3 != 0); /* the last delete had no competition */
    for (int k = 0; k < APPENDS_PER_PROC; k++)
        for (int64_t i = 0; i < rows_of(k); i++) {
            int64_t id = 100000 + k * 10 + i;
            if (id % 3 == 0)
                continue;
            assert_non_null(bsearch(&id, ids, (size_t)n, sizeof *ids, dw_cmp_i64));
        }
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_appenders),
        cmocka_unit_test(test_concurrent_create),
        cmocka_unit_test(test_delete_vs_append),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
