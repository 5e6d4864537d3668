/*
 * fuzz/fuzz_contract.c - libFuzzer target for the contract loader
 * (contract/load.c with libyaml, constraints, check expressions) and lint.
 *
 * Any bytes: loading either succeeds (then lint runs over the model) or
 * fails with an error that says why and where. Must never crash, leak or
 * hang. Stand-alone replay: fuzz/replay_main.c.
 */
#include "contract/lint.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tarn_contract *c = NULL;
    tarn_err err;
    tarn_err_clear(&err);
    if (tarn_ct_load_mem((const char *)data, size, "fuzz.yaml", &c, &err) != TARN_OK) {
        if (err.code == TARN_OK || c)
            abort(); /* a failure must say why, and return nothing */
        return 0;
    }
    if (!c->dataset || c->n_columns < 1 || !c->schema || c->schema->n_fields != c->n_columns)
        abort(); /* a loaded contract always has a dataset and columns */
    tarn_ct_warnings w = {0};
    if (tarn_ct_lint(c, &w, &err) != TARN_OK && err.code != TARN_ERR_NOMEM)
        abort();
    tarn_ct_warnings_fini(&w);
    tarn_ct_destroy(c);
    return 0;
}
