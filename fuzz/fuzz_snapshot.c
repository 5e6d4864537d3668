/*
 * fuzz/fuzz_snapshot.c - libFuzzer target for Delta log replay
 * (delta/snapshot.h): a _delta_log of up to 8 commits is loaded at its
 * latest version, at version 0 and by timestamp, and the statistics of
 * every active file are read against the table schema.
 *
 * The input is the commit texts separated by NUL bytes, written as
 * 00000000000000000000.json, ...01.json, ... into a private temporary
 * table directory (created once per process, emptied on every run). Must
 * never crash, leak or hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "delta/commit.h"
#include "delta/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_COMMITS 8

static char table[256];   /* table root */
static char log_dir[300]; /* its _delta_log */

static void cleanup(void)
{
    rmdir(log_dir);
    rmdir(table);
}

static void setup(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(table, sizeof table, "%s/tarn-fuzz-snapshot-XXXXXX", base);
    if (!mkdtemp(table))
        abort();
    snprintf(log_dir, sizeof log_dir, "%s/_delta_log", table);
    if (mkdir(log_dir, 0755) != 0)
        abort();
    atexit(cleanup);
}

static void commit_path(int v, char *out, size_t cap)
{
    char name[32];
    tarn_delta_commit_name(v, name);
    snprintf(out, cap, "%s/%s", log_dir, name);
}

static void inspect(const tarn_delta_snapshot *s)
{
    tarn_err err;
    tarn_arena *a = tarn_arena_create(0);
    if (!a)
        abort();
    for (int i = 0; i < s->n_files; i++) {
        tarn_delta_file_stats fs;
        bool has;
        if (tarn_delta_file_stats_for_add(s, &s->files[i], a, &fs, &has, &err) == TARN_OK &&
            fs.n_cols != s->schema->n_fields)
            abort();
    }
    (void)tarn_delta_snapshot_config(s, "delta.appendOnly");
    (void)tarn_delta_snapshot_txn(s, "app");
    tarn_arena_destroy(a);
}

static void load(const tarn_delta_at *at)
{
    tarn_err err;
    tarn_delta_snapshot *s;
    tarn_err_clear(&err);
    if (tarn_delta_snapshot_load(table, at, &s, &err) == TARN_OK) {
        inspect(s);
        tarn_delta_snapshot_destroy(s);
    } else if (err.code == TARN_OK) {
        abort(); /* a failure must say why */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!table[0])
        setup();
    int n = 0;
    size_t start = 0;
    char path[400];
    while (n < MAX_COMMITS && start <= size) {
        const uint8_t *nul = memchr(data + start, 0, size - start);
        size_t end = nul ? (size_t)(nul - data) : size;
        commit_path(n++, path, sizeof path);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(data + start, 1, end - start, f) != end - start || fclose(f) != 0)
            abort();
        if (!nul)
            break;
        start = end + 1;
    }
    load(NULL);
    tarn_delta_at at = {.kind = TARN_DELTA_AT_VERSION, .version = 0};
    load(&at);
    at.kind = TARN_DELTA_AT_TIMESTAMP;
    at.timestamp_ms = INT64_MAX / 2;
    load(&at);
    for (int v = 0; v < n; v++) {
        commit_path(v, path, sizeof path);
        unlink(path);
    }
    return 0;
}
