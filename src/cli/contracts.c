/*
 * cli/contracts.c - loading a contracts directory (see contracts.h).
 */
#include "cli/contracts.h"

#include "base/alloc.h"
#include "base/arena.h"
#include "base/fs.h"

#include <string.h>

bool tarn_cli_is_yaml(const char *name)
{
    size_t l = strlen(name);
    return (l > 5 && !strcmp(name + l - 5, ".yaml")) || (l > 4 && !strcmp(name + l - 4, ".yml"));
}

tarn_status tarn_cli_contracts_load(const char *dir, bool strict, tarn_cli_contracts *cs,
                                    tarn_err *err)
{
    memset(cs, 0, sizeof *cs);
    if (!tarn_is_dir(dir)) {
        if (!strict)
            return TARN_OK;
        tarn_err_set(err, TARN_ERR_NOT_FOUND, "no contracts directory");
        return tarn_err_at_path(err, dir);
    }
    tarn_arena *a = tarn_arena_create(0);
    char **names;
    size_t n;
    tarn_status st = a ? tarn_dir_list(dir, a, &names, &n, err)
                       : tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == TARN_OK && i < n; i++) {
        if (!tarn_cli_is_yaml(names[i]))
            continue;
        char *path = tarn_path_join(a, dir, names[i]);
        tarn_contract *c = NULL;
        tarn_err e2;
        tarn_err_clear(&e2);
        if (!path) {
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        if (tarn_ct_load_file(path, &c, &e2) != TARN_OK) {
            if (strict || e2.code == TARN_ERR_NOMEM) {
                *err = e2;
                st = e2.code;
            }
            continue;
        }
        if (!tarn_grow((void **)&cs->v, cs->n, &cs->cap, sizeof *cs->v)) {
            tarn_ct_destroy(c);
            st = tarn_err_set(err, TARN_ERR_NOMEM, "out of memory");
            break;
        }
        cs->v[cs->n++] = c;
    }
    tarn_arena_destroy(a);
    if (st != TARN_OK)
        tarn_cli_contracts_free(cs);
    return st;
}

const tarn_contract *tarn_cli_contracts_find(const tarn_cli_contracts *cs, const char *dataset)
{
    for (int i = 0; i < cs->n; i++)
        if (!strcmp(cs->v[i]->dataset, dataset))
            return cs->v[i];
    return NULL;
}

void tarn_cli_contracts_free(tarn_cli_contracts *cs)
{
    for (int i = 0; i < cs->n; i++)
        tarn_ct_destroy(cs->v[i]);
    tarn_free(cs->v);
    memset(cs, 0, sizeof *cs);
}
