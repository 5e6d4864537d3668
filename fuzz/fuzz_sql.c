/*
 * fuzz/fuzz_sql.c - libFuzzer target for the SQL tokenizer and parser
 * (sql/lex.c, sql/parse.c, sql/print.c).
 *
 * Any bytes (made a C string): parsing either fails with a message that
 * names a line and column inside the text, or succeeds, and then the
 * canonical print parses again to the same print (a fixed point). Must
 * never crash, leak or hang; nesting is capped. Stand-alone replay:
 * fuzz/replay_main.c.
 */
#include "base/alloc.h"
#include "base/arena.h"
#include "sql/parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = tarn_strndup((const char *)data, size);
    tarn_arena *a = tarn_arena_create(0);
    if (!text || !a)
        abort();
    tarn_sql_stmt *s = NULL;
    tarn_err err;
    if (tarn_sql_parse(text, a, &s, &err) != TARN_OK) {
        if (err.code == TARN_OK || s || err.line < 1 || err.col < 1 ||
            strncmp(err.msg, "line ", 5) != 0)
            if (err.code != TARN_ERR_NOMEM)
                abort(); /* a failure says why and where */
    } else {
        tarn_buf p1 = TARN_BUF_INIT, p2 = TARN_BUF_INIT;
        if (tarn_sql_print(s, &p1) != TARN_OK)
            abort();
        tarn_arena *a2 = tarn_arena_create(0);
        tarn_sql_stmt *s2 = NULL;
        if (!a2)
            abort();
        if (tarn_sql_parse(p1.data, a2, &s2, &err) != TARN_OK) {
            /* the canonical text adds parentheses: near the nesting cap it
             * may go over it, nothing else may fail */
            if (!strstr(err.msg, "nested too deeply"))
                abort();
        } else if (tarn_sql_print(s2, &p2) != TARN_OK || strcmp(p1.data, p2.data) != 0) {
            abort(); /* the canonical text parses to itself */
        }
        tarn_arena_destroy(a2);
        tarn_buf_fini(&p1);
        tarn_buf_fini(&p2);
    }
    tarn_arena_destroy(a);
    tarn_free(text);
    return 0;
}
