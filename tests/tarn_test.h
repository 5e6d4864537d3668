/*
 * tests/tarn_test.h - shared helpers for cmocka tests: cmocka includes,
 * temporary directories, file reading, running the tarn binary, and the
 * path to ../shared/testdata.
 *
 * Everything here is test-only; helpers abort the test (cmocka fail) on
 * their own errors rather than returning statuses.
 */
#ifndef TARN_TESTS_TARN_TEST_H
#define TARN_TESTS_TARN_TEST_H

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/fs.h"
#include "base/status.h"

/* Absolute or repo-relative path of ../shared/testdata/<rel>. */
static inline const char *tt_testdata(const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/testdata/%s", TARN_SHARED_DIR, rel);
    return out;
}

/* Creates a fresh empty directory under $TMPDIR (or /tmp); returns its path
 * in out. */
static inline const char *tt_tmpdir(const char *tag, char *out, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(out, cap, "%s/tarn-test-%s-XXXXXX", base, tag);
    if (!mkdtemp(out))
        fail_msg("mkdtemp failed for %s", out);
    return out;
}

/* rm -rf path (test cleanup). */
static inline void tt_rmrf(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "warning: could not remove %s\n", path);
}

/* Reads a whole file into a heap string (free with free()); NULL if missing. */
static inline char *tt_read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (fread(p, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(p);
        return NULL;
    }
    p[n] = '\0';
    fclose(f);
    if (out_len)
        *out_len = (size_t)n;
    return p;
}

static inline void tt_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

/* Runs `tarn <args>` through the shell with stdout and stderr captured into
 * heap strings (free them); returns the exit code. */
static inline int tt_run_tarn(const char *args, char **out_stdout, char **out_stderr)
{
    char dir[256], cmd[8192], po[300], pe[300];
    tt_tmpdir("run", dir, sizeof dir);
    snprintf(po, sizeof po, "%s/out", dir);
    snprintf(pe, sizeof pe, "%s/err", dir);
    snprintf(cmd, sizeof cmd, "%s %s >'%s' 2>'%s'", TARN_BINARY, args, po, pe);
    int rc = system(cmd);
    int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
    char *o = tt_read_file(po, NULL), *e = tt_read_file(pe, NULL);
    if (out_stdout)
        *out_stdout = o;
    else
        free(o);
    if (out_stderr)
        *out_stderr = e;
    else
        free(e);
    tt_rmrf(dir);
    return code;
}

#endif
