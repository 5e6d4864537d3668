#!/bin/sh
# tests/interop/sql_duckdb.sh - the SQL correctness suite: every query in
# tests/sql/queries/*.sql through `tarn sql` over tables tarn wrote (the
# star schema of tests/sql/fixture.mjs) and through DuckDB over the same
# Parquet files; the answers must agree, except for the queries listed in
# tests/sql/known_failing.txt (see tests/sql/compare.mjs for the rules).
#
# usage (ctest runs it from the repo root): sh tests/interop/sql_duckdb.sh TARN_BINARY BUILD_DIR
# ctest registers it as interop_sql_duckdb (every tests/interop/*.sh is).
# By hand, faster with a kept lake: node tests/sql/compare.mjs --tarn
# build/debug/tarn --lake /tmp/sql-lake [--filter REGEX --verbose]; the
# harness alone: node tests/sql/compare.mjs --self-check.
# Needs node + npm (DuckDB is installed into the cache by
# scripts/duckdb-setup.sh); fails loudly, never skips.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: sh tests/interop/sql_duckdb.sh TARN_BINARY BUILD_DIR" >&2
    exit 2
fi
tarn=$1
case $tarn in /*) ;; *) tarn=$(pwd)/$tarn ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v node >/dev/null 2>&1; then
    echo "sql_duckdb: FAILED: node is not installed (run scripts/install-deps.sh)" >&2
    exit 1
fi
if ! sh "$root/scripts/duckdb-setup.sh" >/dev/null; then
    echo "sql_duckdb: FAILED: cannot install DuckDB (@duckdb/node-api)" >&2
    exit 1
fi
exec node "$root/tests/sql/compare.mjs" --tarn "$tarn"
