/*
 * contract/lint.c - warnings on a loaded contract (see lint.h).
 */
#include "contract/lint.h"

#include "base/alloc.h"
#include "contract/check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static tarn_status warn(tarn_ct_warnings *w, const char *code, tarn_ct_loc loc, tarn_err *err,
                        const char *fmt, ...) TARN_PRINTF(5, 6);
static tarn_status warn(tarn_ct_warnings *w, const char *code, tarn_ct_loc loc, tarn_err *err,
                        const char *fmt, ...)
{
    if (!tarn_grow((void **)&w->items, w->n, &w->cap, sizeof *w->items))
        return tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    tarn_ct_warning *x = &w->items[w->n++];
    x->code = code;
    x->loc = loc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
    return TARN_OK;
}

/* Plain SQL identifier: letters, digits, '_', not starting with a digit. */
static bool plain_identifier(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static tarn_status lint_checks(const tarn_contract *c, tarn_ct_warnings *w, tarn_err *err)
{
    for (int i = 0; i < c->n_checks; i++) {
        const tarn_ct_check *ck = &c->checks[i];
        if (!ck->expr)
            continue;
        const char *cols[64];
        int n = tarn_ck_columns(ck->expr, cols, (int)TARN_ARRAY_LEN(cols));
        for (int j = 0; j < n && j < (int)TARN_ARRAY_LEN(cols); j++) {
            bool dup = false;
            for (int k = 0; k < j; k++)
                dup |= !strcmp(cols[k], cols[j]);
            if (!dup && tarn_ct_find_column(c, cols[j]) < 0)
                TARN_TRY(warn(w, "check_unknown_column", ck->loc, err,
                              "check '%s' names column '%s', which is not in the schema (it "
                              "must exist in the table when the check runs)",
                              ck->text, cols[j]));
        }
    }
    return TARN_OK;
}

tarn_status tarn_ct_lint(const tarn_contract *c, tarn_ct_warnings *w, tarn_err *err)
{
    tarn_ct_loc top = c->dataset_loc;
    if (!c->version)
        TARN_TRY(warn(w, "no_version", top, err,
                      "no version: 'tarn contract diff' cannot tell a major release from a "
                      "breaking change (add version: 1.0.0)"));
    if (!c->owner)
        TARN_TRY(warn(w, "no_owner", top, err, "no owner: nobody is named for failing checks"));
    if (c->n_primary_key == 0)
        TARN_TRY(warn(w, "no_primary_key", top, err,
                      "no primary_key: Silver cannot deduplicate or merge updates, it keeps "
                      "every record"));
    if (c->sequence_by && c->n_primary_key == 0)
        TARN_TRY(warn(w, "sequence_by_without_key", c->sequence_by_loc, err,
                      "sequence_by has no effect without a primary_key"));
    if (c->sequence_by) {
        const tarn_ct_column *s = &c->columns[tarn_ct_find_column(c, c->sequence_by)];
        if (s->nullable)
            TARN_TRY(warn(w, "nullable_sequence_by", c->sequence_by_loc, err,
                          "sequence_by column '%s' is nullable: updates without it cannot be "
                          "ordered (add nullable: false)",
                          s->name));
    }
    for (int i = 0; i < c->n_columns; i++) {
        const tarn_ct_column *col = &c->columns[i];
        if (!plain_identifier(col->name))
            TARN_TRY(warn(w, "quoted_identifier", col->loc, err,
                          "column name '%s' is not a plain identifier: SQL must quote it",
                          col->name));
        for (int j = 0; j < col->n_constraints; j++) {
            const tarn_ct_constraint *ct = &col->constraints[j];
            if (ct->kind == TARN_CT_NOT_NULL && col->primary_key)
                TARN_TRY(warn(w, "redundant_not_null", ct->loc, err,
                              "not_null on primary key column '%s' is implied", col->name));
            if (ct->kind == TARN_CT_UNIQUE && c->n_primary_key == 1 && col->primary_key)
                TARN_TRY(warn(w, "redundant_unique", ct->loc, err,
                              "unique on primary key column '%s' is implied (Silver keeps one "
                              "row per key)",
                              col->name));
        }
    }
    TARN_TRY(lint_checks(c, w, err));
    return TARN_OK;
}

void tarn_ct_warnings_fini(tarn_ct_warnings *w)
{
    tarn_free(w->items);
    memset(w, 0, sizeof *w);
}
