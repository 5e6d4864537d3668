/*
 * fuzz/fuzz_check.c - libFuzzer target for the quality-check expression
 * parser (contract/check.c).
 *
 * Any bytes (made a C string): parsing succeeds with a canonical metric key
 * and a threshold consistent with the operator, or fails with a message and
 * a position inside the text. Must never crash, leak or hang. Stand-alone
 * replay: fuzz/replay_main.c.
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "contract/check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = tarn_strndup((const char *)data, size);
    tarn_arena *a = tarn_arena_create(0);
    if (!text || !a)
        abort();
    tarn_ck_expr *e = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_ck_parse(a, text, &e, &err) != TARN_OK) {
        if (err.code == TARN_OK || e || err.col < 1 || err.col > (int64_t)strlen(text) + 1)
            abort(); /* a failure says why and where */
    } else {
        if (!e || !e->metric.key || !e->metric.key[0])
            abort();
        if ((e->op == TARN_CK_OP_NONE) != (e->metric.kind == TARN_CK_ANOMALY))
            abort(); /* only anomaly() stands alone */
        const char *cols[8];
        int n = tarn_ck_columns(e, cols, 8);
        for (int i = 0; i < n && i < 8; i++)
            if (!cols[i])
                abort();
        (void)tarn_ck_compare(e, 1.0);
        /* The canonical key parses again to the same key. */
        if (e->metric.kind != TARN_CK_ANOMALY) {
            char again[1024];
            snprintf(again, sizeof again, "%s > 0", e->metric.key);
            tarn_ck_expr *e2 = NULL;
            if (strlen(e->metric.key) < 900 && tarn_ck_parse(a, again, &e2, &err) == TARN_OK &&
                strcmp(e2->metric.key, e->metric.key))
                abort();
        }
    }
    tarn_arena_destroy(a);
    tarn_free(text);
    return 0;
}
