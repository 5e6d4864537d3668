/*
 * base/suggest.h - "did you mean ...?" for misspelt names: keys, columns,
 * rules, metrics.
 */
#ifndef TARN_BASE_SUGGEST_H
#define TARN_BASE_SUGGEST_H

#include "base/common.h"

/* Case-insensitive Levenshtein distance; names longer than 64 bytes are
 * "far" (99). */
size_t tarn_edit_distance(const char *a, const char *b);

/* The candidate closest to word within a distance of 2 (1 for words of up
 * to 3 characters), or NULL. Ties go to the first candidate. */
const char *tarn_suggest(const char *word, const char *const *candidates, int n);

#endif
