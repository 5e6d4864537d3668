#!/bin/sh
# scripts/lint.sh - house checks that run before the tests: banned C functions
# (STYLE.md section 8), layer direction (a layer includes only itself and
# layers below it) and clang-format.
set -eu
cd "$(dirname "$0")/.."
fail=0

banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|gets)[[:space:]]*\('
if git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'fuzz/*.c' | xargs -r grep -nE "$banned" | grep -v '^\S*:\s*//' ; then
    echo "lint: banned function used (see STYLE.md section 8)" >&2
    fail=1
fi

layers="base column io parquet delta exec catalog contract sql stream pipeline server cli"
rank() {
    i=0
    for l in $layers; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo 99
}
for f in $(git ls-files 'src/*.c' 'src/*.h'); do
    own=$(echo "$f" | cut -d/ -f2)
    own_rank=$(rank "$own")
    for inc in $(grep -oE '^#include "[a-z_]+/' "$f" | sed -E 's/#include "([a-z_]+)\//\1/' | sort -u); do
        if [ "$(rank "$inc")" -gt "$own_rank" ]; then
            echo "lint: $f includes $inc/, a layer above $own/" >&2
            fail=1
        fi
    done
done
# Formatting (STYLE.md section 8): clang-format 14 with the repo's .clang-format.
if command -v clang-format >/dev/null 2>&1; then
    if ! git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' |
        xargs -r clang-format --dry-run --Werror 2>/dev/null; then
        echo "lint: files need clang-format (run 'make format')" >&2
        fail=1
    fi
fi
exit $fail
