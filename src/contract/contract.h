/*
 * contract/contract.h - the data contract model: what a contract YAML file
 * says about a dataset (schema, keys, constraints, quality checks, source),
 * with the file position of everything so errors and diffs can point at it.
 *
 * A contract is loaded once (contract/load.c) and immutable afterwards;
 * every string, array and parsed value lives in the contract's arena.
 * Positions are 1-based line and column in the YAML file. The reference of
 * every key is in the README ("Data contracts").
 */
#ifndef TARN_CONTRACT_CONTRACT_H
#define TARN_CONTRACT_CONTRACT_H

#include "column/scalar.h"
#include "column/types.h"

/* A position in the contract file (1-based; 0 = unknown). */
typedef struct tarn_ct_loc {
    int32_t line; /* 1-based line */
    int32_t col;  /* 1-based column */
} tarn_ct_loc;

typedef enum tarn_ct_severity {
    TARN_CT_FAIL = 0, /* default: a failure fails the run / exits 1 */
    TARN_CT_WARN      /* reported and counted, never fails */
} tarn_ct_severity;

typedef enum tarn_ct_constraint_kind {
    TARN_CT_NOT_NULL,       /* not_null */
    TARN_CT_UNIQUE,         /* unique */
    TARN_CT_MIN_VALUE,      /* min_value(x): value >= x */
    TARN_CT_MAX_VALUE,      /* max_value(x): value <= x */
    TARN_CT_ALLOWED_VALUES, /* allowed_values(a, b, ...) */
    TARN_CT_REGEX,          /* regex('...'): POSIX extended, whole value must match */
    TARN_CT_MIN_LENGTH,     /* min_length(n): characters (UTF-8 code points) */
    TARN_CT_MAX_LENGTH      /* max_length(n) */
} tarn_ct_constraint_kind;

/* One row-level rule on a column. */
typedef struct tarn_ct_constraint {
    tarn_ct_constraint_kind kind; /* which rule */
    const char *text;             /* as written, normalised: "min_value(0)" */
    const char *id;               /* stable rule id "<column>.<rule>", e.g.
                                     "amount.min_value" (quarantine reasons name it) */
    tarn_ct_severity severity;    /* fail unless the object form says warn */
    int n_args;                   /* arguments as literal text (quotes removed) */
    const char **args;
    tarn_scalar value;   /* MIN/MAX_VALUE bound in the column's type */
    tarn_scalar *values; /* ALLOWED_VALUES in the column's type (n_args) */
    int64_t length;      /* MIN/MAX_LENGTH */
    void *impl;          /* compiled form (REGEX: regex_t), released by
                            tarn_ct_constraint_fini / tarn_ct_destroy */
    tarn_ct_loc loc;     /* where the constraint is written */
} tarn_ct_constraint;

typedef struct tarn_ct_column {
    const char *name;        /* column name */
    tarn_type type;          /* parsed type */
    const char *type_text;   /* type as written ("decimal(10,2)") */
    bool nullable;           /* false for primary keys and nullable: false */
    bool nullable_explicit;  /* the file said nullable: true/false */
    bool primary_key;        /* primary_key: true on the column */
    const char *description; /* or NULL */
    int n_tags;              /* tags: [...] */
    const char **tags;
    bool pii;          /* pii: true */
    int n_constraints; /* constraints: [...] */
    tarn_ct_constraint *constraints;
    tarn_ct_loc loc;      /* the column's "- name:" item */
    tarn_ct_loc type_loc; /* its type value */
} tarn_ct_column;

struct tarn_ck_expr; /* contract/check.h */

typedef struct tarn_ct_check {
    const char *text;                /* the check expression as written */
    const struct tarn_ck_expr *expr; /* parsed by tarn_ck_parse (arena) */
    const char *name;                /* optional name, else NULL */
    const char *description;         /* optional, else NULL */
    tarn_ct_severity severity;       /* fail (default) or warn */
    tarn_ct_loc loc;                 /* the check text */
} tarn_ct_check;

typedef struct tarn_ct_kv {
    const char *key;   /* option name */
    const char *value; /* scalar text */
} tarn_ct_kv;

/* What a Silver run does with fields the contract does not name. */
typedef enum tarn_ct_evolution {
    TARN_CT_EVOLUTION_RESCUE = 0, /* keep them as JSON in _rescued_data */
    TARN_CT_EVOLUTION_FAIL        /* stop the run, commit nothing */
} tarn_ct_evolution;

/* Where raw data for the dataset comes from (Bronze ingestion). */
typedef struct tarn_ct_source {
    const char *format;      /* auto (default), ndjson, json, csv, tsv, parquet */
    const char *path;        /* file, folder or glob to ingest, or NULL */
    const char *compression; /* auto (default), none, gzip, zstd */
    char delimiter;          /* CSV delimiter, 0 = sniff */
    int header;              /* CSV header: -1 sniff, 0 no, 1 yes */
    int n_options;           /* any other reader option, kept as text */
    tarn_ct_kv *options;
    tarn_ct_loc loc; /* the source: key */
} tarn_ct_source;

typedef struct tarn_contract {
    const char *path;    /* file it was loaded from (or the name given) */
    const char *dataset; /* dataset name (required) */
    tarn_ct_loc dataset_loc;
    const char *version;                             /* semantic version text, or NULL */
    int version_major, version_minor, version_patch; /* parsed; 0.0.0 when absent */
    tarn_ct_loc version_loc;
    const char *description; /* or NULL */
    const char *owner;       /* or NULL */
    const char *sla;         /* freshness SLA as written ("4 hours"), or NULL */
    int64_t sla_seconds;     /* parsed, 0 when absent */
    int n_tags;              /* dataset tags */
    const char **tags;
    int n_columns; /* schema: [...] in file order */
    tarn_ct_column *columns;
    int n_primary_key; /* key columns in order: dataset-level primary_key,
                          else the columns flagged primary_key: true */
    const char **primary_key;
    tarn_ct_loc primary_key_loc;
    const char *sequence_by; /* column ordering updates of one key, or NULL */
    tarn_ct_loc sequence_by_loc;
    tarn_ct_evolution evolution; /* fields the schema does not name: rescue (default) or fail */
    tarn_ct_loc evolution_loc;
    bool scd2; /* history: scd2 - Silver keeps every version of a key */
    tarn_ct_loc history_loc;
    const char *delete_when;       /* CDC: records matching it delete their key, or NULL */
    struct tarn_pred *delete_pred; /* delete_when bound to the schema (exec/predicate.h) */
    tarn_ct_loc delete_when_loc;
    int n_checks; /* quality: [...] */
    tarn_ct_check *checks;
    bool has_source; /* source: present */
    tarn_ct_source source;
    tarn_schema *schema; /* the columns as a tarn schema (owned) */
    tarn_arena *arena;   /* owns everything above */
} tarn_contract;

/* Loads and validates a contract file. Every error names the file, line and
 * column ("orders.yaml:14:7: unknown type 'decmal(10,2)'"): YAML syntax,
 * unknown keys, wrong value kinds, unknown types, malformed constraints,
 * duplicate columns, primary keys that do not exist. */
TARN_MUST_CHECK tarn_status tarn_ct_load_file(const char *path, tarn_contract **out, tarn_err *err);
/* The same from memory; name is used as the path in messages. */
TARN_MUST_CHECK tarn_status tarn_ct_load_mem(const char *text, size_t n, const char *name,
                                             tarn_contract **out, tarn_err *err);
void tarn_ct_destroy(tarn_contract *c);

/* Column index by name, or -1. */
int tarn_ct_find_column(const tarn_contract *c, const char *name);

/* Parses a duration: "4h", "4 hours", "30m", "90s", "2d", "1 day", "1w";
 * TARN_ERR_INVALID otherwise. */
TARN_MUST_CHECK tarn_status tarn_ct_parse_duration(const char *text, int64_t *out_seconds,
                                                   tarn_err *err);

/* Name of a constraint kind as written in contracts ("min_value"). */
const char *tarn_ct_constraint_name(tarn_ct_constraint_kind k);

#endif
