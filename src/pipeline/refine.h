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
 *
 * Fields of a JSON record that the contract does not name are kept, as a
 * JSON object of their raw text, in the row's _rescued_data (evolution:
 * rescue), or stop the batch with TARN_ERR_DATA naming the field and the
 * record's origin (evolution: fail). Unknown fields, missing columns and
 * values of another JSON kind than the column's type are counted in
 * out->drift. CSV columns the contract does not name are counted, not
 * rescued.
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

/* A field the records carry that the contract does not name, or a contract
 * column they lack or carry with another JSON kind (schema drift). */
typedef struct tarn_refine_drift {
    char name[96];
    int64_t unknown; /* records with this field the contract does not name */
    int64_t missing; /* records without this contract column */
    int64_t kind;    /* records whose value has another JSON kind than the column's type */
} tarn_refine_drift;

#define TARN_REFINE_MAX_DRIFT 64

typedef struct tarn_refine_out {
    tarn_batch *good;       /* contract columns (nullable) + _rescued_data, owned */
    int64_t *good_src;      /* per good row: its row index in the Bronze batch */
    tarn_batch *quarantine; /* rows in the quarantine schema, owned */
    int64_t n_warned;       /* rows kept despite a failed warn-severity rule */
    int64_t n_rescued;      /* good rows with _rescued_data */
    int n_drift;            /* drift seen in this batch (at most TARN_REFINE_MAX_DRIFT names) */
    tarn_refine_drift drift[TARN_REFINE_MAX_DRIFT];
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

/* Schemas of the outputs (owned by r): good rows (all nullable), the Silver
 * table (the contract's nullability + _rescued_data), quarantine. */
const tarn_schema *tarn_refine_good_schema(const tarn_refine *r);
const tarn_schema *tarn_refine_silver_schema(const tarn_refine *r);
const tarn_schema *tarn_refine_quarantine_schema(const tarn_refine *r);

#endif
