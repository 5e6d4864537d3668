/*
 * pipeline/refine.h - judging Bronze records against a contract: each raw
 * record is parsed and cast to the contract's columns and checked against
 * its constraints; a record passes whole or goes to quarantine with a
 * readable reason per failure, the ids of every rule it failed and the
 * contract version that judged it. This is the per-record half of a Silver
 * run (deduplication and MERGE come after it) and of healing.
 *
 * Reasons, one per failure, joined with "; " in _reasons:
 *   "amount: 'abc' is not decimal(10,2)"        a cast        (rule <column>.type)
 *   "amount: -5.00 violates min_value(0)"       a constraint  (rule amount.min_value)
 *   "user_id: null violates not_null"           not null      (rule user_id.not_null)
 *   "invalid JSON: column 9: ..."               unparseable   (rule _record.json)
 *   "not a JSON object"                          wrong shape   (rule _record.shape)
 * Warn-severity constraints never quarantine; their failures are counted.
 */
#ifndef TARN_PIPELINE_REFINE_H
#define TARN_PIPELINE_REFINE_H

#include "contract/contract.h"

/* Columns of silver.<dataset>__quarantine. */
#define TARN_QUARANTINE_SCHEMA                                                                     \
    "_raw string not null, _format string not null, _header string, _delimiter string, "           \
    "_source_file string not null, _source_line bigint not null, _ingested_at timestamp not "      \
    "null, "                                                                                       \
    "_batch_id string not null, _reasons string not null, _rule_ids string not null, "             \
    "_contract_version string, _quarantined_at timestamp not null"

typedef struct tarn_refine tarn_refine;

typedef struct tarn_refine_out {
    tarn_batch *good;       /* rows in the contract's schema (nullable columns), owned */
    int64_t *good_src;      /* per good row: its row index in the Bronze batch */
    tarn_batch *quarantine; /* rows in the quarantine schema, owned */
    int64_t n_warned;       /* rows kept despite a failed warn-severity rule */
} tarn_refine_out;

/* Prepares to judge records against c (borrowed; must outlive r). now_us is
 * written as _quarantined_at (0 = the clock). */
TARN_MUST_CHECK tarn_status tarn_refine_create(const tarn_contract *c, int64_t now_us,
                                               tarn_refine **out, tarn_err *err);
void tarn_refine_destroy(tarn_refine *r);

/* Judges one batch of Bronze rows (pipeline/bronze.h schema). The result
 * stays valid until the next call or destroy. */
TARN_MUST_CHECK tarn_status tarn_refine_batch(tarn_refine *r, const tarn_batch *bronze,
                                              tarn_refine_out **out, tarn_err *err);

/* Schemas of the outputs (owned by r). */
const tarn_schema *tarn_refine_good_schema(const tarn_refine *r);
const tarn_schema *tarn_refine_quarantine_schema(const tarn_refine *r);

#endif
