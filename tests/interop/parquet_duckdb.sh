#!/bin/sh
# tests/interop/parquet_duckdb.sh - DuckDB reads every Parquet file tarn
# writes: all tarn types (edge values, nulls, unicode, NaN/Inf, pre-1970
# timestamps, decimals 9/18/38), nested struct/list/map (Delta-checkpoint
# like), and the orders benchmark data; for every codec, both data page
# versions, dictionary on and off, with several pages and row groups.
#
# usage (ctest runs it from the repo root): sh tests/interop/parquet_duckdb.sh TARN_BINARY BUILD_DIR
# Files come from BUILD_DIR/tarn_tool_pqgen, which also writes tarn's own
# canonical NDJSON of the rows and the writer's statistics; the checks are
# in parquet_duckdb_check.mjs. Needs node + npm (DuckDB is installed into
# the cache by scripts/duckdb-setup.sh); fails loudly, never skips.
set -eu

if [ $# -lt 2 ]; then
    echo "usage: sh tests/interop/parquet_duckdb.sh TARN_BINARY BUILD_DIR" >&2
    exit 2
fi
build=$2
pqgen="$build/tarn_tool_pqgen"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ ! -x "$pqgen" ]; then
    echo "parquet_duckdb: $pqgen is missing (build the tarn_tool_pqgen target)" >&2
    exit 1
fi
if ! command -v node >/dev/null 2>&1; then
    echo "parquet_duckdb: FAILED: node is not installed (run scripts/install-deps.sh)" >&2
    exit 1
fi
if ! sh "$root/scripts/duckdb-setup.sh" >/dev/null; then
    echo "parquet_duckdb: FAILED: cannot install DuckDB (@duckdb/node-api)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tarn-pq-duckdb-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
manifest="$tmp/manifest.txt"
: >"$manifest"

# dataset rows page_bytes row_group_bytes
for spec in "types 1500 2048 60000" "nested 1200 1024 40000" "orders 30000 16384 400000"; do
    set -- $spec
    dataset=$1 rows=$2 page=$3 rg=$4
    for codec in zstd snappy gzip brotli lz4_raw uncompressed; do
        for pv in 1 2; do
            for dict in on off; do
                name="$dataset-$codec-v$pv-dict$dict"
                nodict=""
                [ "$dict" = off ] && nodict="--no-dict"
                # shellcheck disable=SC2086
                if ! "$pqgen" --quiet --dataset "$dataset" --rows "$rows" --codec "$codec" \
                    --page-version "$pv" $nodict --page-bytes "$page" --row-group-bytes "$rg" \
                    --batch-rows 700 --out "$tmp/$name.parquet" --ndjson "$tmp/$name.ndjson" \
                    --stats "$tmp/$name.stats.json"; then
                    echo "parquet_duckdb: FAILED: pqgen could not write $name" >&2
                    exit 1
                fi
                echo "$tmp/$name.parquet $dataset $codec $pv $dict" >>"$manifest"
            done
        done
    done
done
# One file with the defaults (a single row group, 1 MiB pages) and a small
# dictionary limit so the fallback to PLAIN happens mid-chunk.
"$pqgen" --quiet --dataset orders --rows 50000 --dict-max-bytes 4096 \
    --out "$tmp/orders-fallback.parquet" --ndjson "$tmp/orders-fallback.ndjson" \
    --stats "$tmp/orders-fallback.stats.json"
echo "$tmp/orders-fallback.parquet orders zstd 1 on" >>"$manifest"

node "$here/parquet_duckdb_check.mjs" "$manifest"
