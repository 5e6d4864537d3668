/*
 * contract/diff.h - what changed between two versions of a contract, and
 * whom each change breaks. The rules (README "Contract diff rules"):
 *
 *   class      breaking / warning / compatible / info
 *   audience   readers (consumers' queries and dashboards), writers
 *              (existing producers' data), both, or none
 *
 * A breaking change is allowed when the major version was raised; the
 * exit-code policy is tarn_ct_diff_verdict().
 */
#ifndef TARN_CONTRACT_DIFF_H
#define TARN_CONTRACT_DIFF_H

#include "contract/contract.h"

typedef enum tarn_diff_class {
    TARN_DIFF_INFO,       /* compatible; worth knowing (a check, the owner) */
    TARN_DIFF_COMPATIBLE, /* compatible schema change (a nullable column, a widening) */
    TARN_DIFF_WARNING,    /* nobody's data breaks, but consumers see something new */
    TARN_DIFF_BREAKING    /* someone breaks unless they change too */
} tarn_diff_class;

typedef enum tarn_diff_audience {
    TARN_AUD_NONE = 0,
    TARN_AUD_READERS = 1,
    TARN_AUD_WRITERS = 2,
    TARN_AUD_BOTH = 3
} tarn_diff_audience;

typedef struct tarn_ct_change {
    tarn_diff_class cls;
    tarn_diff_audience audience;
    const char *rule; /* stable code: "column_removed", "type_widened", ... */
    char column[160]; /* column concerned, or "" */
    char old_value[200];
    char new_value[200];
    char message[400]; /* one line for people */
    tarn_ct_loc loc;   /* in the new file, or the old one when in_old */
    bool in_old;
} tarn_ct_change;

typedef struct tarn_ct_diff {
    int n, cap;
    tarn_ct_change *items;
    const char *old_version; /* as written, or NULL */
    const char *new_version;
    bool major_bump; /* new major version > old major version */
    bool deleted;    /* the contract file was deleted */
    int breaking, warnings, compatible, info;
} tarn_ct_diff;

/* Compares old and new contracts of (normally) the same dataset. */
TARN_MUST_CHECK tarn_status tarn_ct_diff_contracts(const tarn_contract *old_c,
                                                   const tarn_contract *new_c, tarn_ct_diff *out,
                                                   tarn_err *err);
/* A contract file that is new (compatible) or was deleted (breaking). */
TARN_MUST_CHECK tarn_status tarn_ct_diff_added(const tarn_contract *new_c, tarn_ct_diff *out,
                                               tarn_err *err);
TARN_MUST_CHECK tarn_status tarn_ct_diff_deleted(const tarn_contract *old_c, tarn_ct_diff *out,
                                                 tarn_err *err);
void tarn_ct_diff_fini(tarn_ct_diff *d);

/* 1 when a change counting for `who` is breaking (or a warning, with
 * fail_on_warning) and the major version was not raised; else 0. A deleted
 * contract always counts. */
int tarn_ct_diff_verdict(const tarn_ct_diff *d, tarn_diff_audience who, bool fail_on_warning);

const char *tarn_diff_class_name(tarn_diff_class c);       /* "breaking", ... */
const char *tarn_diff_audience_name(tarn_diff_audience a); /* "readers", ..., "-" */

/* Type change classification: 0 same, 1 widening, 2 narrowing, 3 incompatible. */
int tarn_ct_type_change(tarn_type from, tarn_type to);

#endif
