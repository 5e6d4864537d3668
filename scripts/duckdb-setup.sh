#!/bin/sh
# scripts/duckdb-setup.sh - install DuckDB's Node.js client (@duckdb/node-api)
# into a cache directory outside the repository and print that directory.
#
# Directory: $TARN_DUCKDB_DIR, else ${TARN_CACHE_DIR:-$HOME/.cache/tarn}/duckdb.
# Idempotent and silent when the pinned version is already there; on success
# the only line on stdout is the directory (callers do DIR=$(sh ...)). Fails
# loudly (exit 1, message on stderr) when node or npm is missing or the
# install fails: interop tests must never skip silently.
# Override the version with TARN_DUCKDB_VERSION (default below, the DuckDB
# release the shared test corpus was produced with).
set -eu

version="${TARN_DUCKDB_VERSION:-1.5.6-r.1}"
cache="${TARN_CACHE_DIR:-${HOME:-/tmp}/.cache/tarn}"
dir="${TARN_DUCKDB_DIR:-$cache/duckdb}"

for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "duckdb-setup: '$tool' not found; run scripts/install-deps.sh" >&2
        exit 1
    fi
done

pkg="$dir/node_modules/@duckdb/node-api/package.json"
installed=""
if [ -f "$pkg" ]; then
    installed=$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$pkg" 2>/dev/null || true)
fi
if [ "$installed" != "$version" ]; then
    mkdir -p "$dir"
    if [ ! -f "$dir/package.json" ]; then
        printf '{ "name": "tarn-duckdb-cache", "private": true }\n' >"$dir/package.json"
    fi
    echo "duckdb-setup: installing @duckdb/node-api@$version into $dir" >&2
    if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
        "@duckdb/node-api@$version" >&2; then
        echo "duckdb-setup: npm install of @duckdb/node-api@$version failed" >&2
        exit 1
    fi
    # The native binding is an optional dependency: make sure it really landed.
    if ! (cd "$dir" && node -e 'require("@duckdb/node-api")') >/dev/null 2>&1; then
        echo "duckdb-setup: @duckdb/node-api installed but cannot be loaded" >&2
        (cd "$dir" && node -e 'require("@duckdb/node-api")') >&2 || true
        exit 1
    fi
fi
echo "$dir"
