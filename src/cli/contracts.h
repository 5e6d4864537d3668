/*
 * cli/contracts.h - the contracts directory of a pipeline (--contracts DIR,
 * default ./contracts): every *.yaml / *.yml in it, loaded, for the
 * commands that work per dataset (ingest, run, heal, status).
 */
#ifndef TARN_CLI_CONTRACTS_H
#define TARN_CLI_CONTRACTS_H

#include "contract/contract.h"

typedef struct tarn_cli_contracts {
    tarn_contract **v; /* in file-name order */
    int n, cap;
} tarn_cli_contracts;

/* True for "*.yaml" and "*.yml". */
bool tarn_cli_is_yaml(const char *name);

/* Loads dir's contracts. strict: a missing directory or a contract that
 * does not load is an error (naming file:line:col); otherwise both are
 * skipped (`tarn contract lint` reports them). */
TARN_MUST_CHECK tarn_status tarn_cli_contracts_load(const char *dir, bool strict,
                                                    tarn_cli_contracts *cs, tarn_err *err);
/* The contract of dataset, or NULL. */
const tarn_contract *tarn_cli_contracts_find(const tarn_cli_contracts *cs, const char *dataset);
void tarn_cli_contracts_free(tarn_cli_contracts *cs);

#endif
