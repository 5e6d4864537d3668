/*
 * base/suggest.c - edit distance and nearest-name suggestions.
 */
#include "base/suggest.h"

#include <ctype.h>
#include <string.h>

size_t tarn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub =
                prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            row[j] = TARN_MIN(TARN_MIN(row[j] + 1, row[j - 1] + 1), sub);
            prev = cur;
        }
    }
    return row[lb];
}

const char *tarn_suggest(const char *word, const char *const *candidates, int n)
{
    size_t limit = strlen(word) <= 3 ? 2 : 3; /* strictly below */
    const char *best = NULL;
    for (int i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        size_t d = tarn_edit_distance(word, candidates[i]);
        if (d < limit) {
            limit = d;
            best = candidates[i];
        }
    }
    return best;
}
