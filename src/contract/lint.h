/*
 * contract/lint.h - advice on a contract that loads: things that are legal
 * but probably wrong or that weaken what tarn can do with the dataset (no
 * version for diff, no primary key for merge, a check naming a column the
 * schema lacks). Errors are the loader's job (contract/load.c); lint adds
 * warnings with the position they are about.
 */
#ifndef TARN_CONTRACT_LINT_H
#define TARN_CONTRACT_LINT_H

#include "contract/contract.h"

typedef struct tarn_ct_warning {
    const char *code; /* stable name: "no_version", "check_unknown_column", ... */
    tarn_ct_loc loc;  /* what it is about */
    char msg[320];    /* one line */
} tarn_ct_warning;

typedef struct tarn_ct_warnings {
    int n;
    int cap;
    tarn_ct_warning *items; /* heap */
} tarn_ct_warnings;

/* Appends c's warnings to out (in file order). */
TARN_MUST_CHECK tarn_status tarn_ct_lint(const tarn_contract *c, tarn_ct_warnings *out,
                                         tarn_err *err);
void tarn_ct_warnings_fini(tarn_ct_warnings *w);

#endif
