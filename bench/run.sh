#!/bin/sh
# bench/run.sh - `make bench`: tarn vs DuckDB on the same data, same machine.
#
#   bench/run.sh BUILD_DIR        (BUILD_DIR holds tarn and tarn_tool_*)
#
# Generates BENCH_ROWS (default 10,000,000) orders as NDJSON (once, cached in
# BENCH_DIR, default build/bench) and measures:
#   write   NDJSON -> Delta table (tarn write) vs DuckDB COPY (SELECT * FROM
#           read_json(...)) TO 'x.parquet' (FORMAT parquet, COMPRESSION zstd)
#   scan    every column of the table decoded and folded into per-column
#           checksums (tarn_tool_scan) vs DuckDB SELECT count/sum/max of every
#           column FROM read_parquet(...), each engine reading its own file
#           and then the other engine's
#   export  every row rendered as NDJSON to /dev/null (tarn cat) vs DuckDB
#           COPY (SELECT * FROM read_parquet(...)) TO '/dev/null' (FORMAT json)
#   pipeline  orders with 5% duplicate keys: tarn ingest (Bronze) + tarn run
#           (Silver: cast, constraints, dedup by key, write) vs DuckDB COPY of
#           read_json deduplicated with row_number() to Parquet
#   sql     tarn sql vs DuckDB over the orders table and 100,000 customers:
#           group-bys on a low- and a high-cardinality key, a star join, a
#           filtered top-N, count(DISTINCT), a point lookup before and after
#           `tarn table optimize --zorder-by order_id` (bytes read reported)
#   per-dataset overhead: BENCH_DATASETS (default 200) tiny datasets through
#           ingest + one `tarn run --all`; run time / datasets
# Time is wall-clock of the best of BENCH_RUNS (default 3) runs; DuckDB's is
# the statement time measured inside node (node start-up excluded). Peak
# memory is the maximum resident set size of the process (/usr/bin/time; for
# DuckDB this includes node itself, about 50 MB). Results: BENCH_DIR/results.md.
set -eu
BUILD=${1:-build/bench}
cd "$(dirname "$0")/.."
TARN=$BUILD/tarn
ROWS=${BENCH_ROWS:-10000000}
RUNS=${BENCH_RUNS:-3}
DIR=${BENCH_DIR:-build/bench-data}
mkdir -p "$DIR"
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
DUCK="node scripts/duckdb.mjs"
sh scripts/duckdb-setup.sh >/dev/null

NDJ=$DIR/orders_$ROWS.ndjson
if [ ! -s "$NDJ" ]; then
    echo "bench: generating $ROWS orders into $NDJ"
    "$BUILD/tarn_tool_ndjgen" "$ROWS" --seed 42 >"$NDJ.tmp"
    mv "$NDJ.tmp" "$NDJ"
fi
NDJ_BYTES=$(stat -c %s "$NDJ")
SCHEMA=$("$BUILD/tarn_tool_ndjgen" --schema)
COLS="{'order_id':'VARCHAR','user_id':'BIGINT','amount':'DECIMAL(10,2)','country':'VARCHAR','status':'VARCHAR','ts':'TIMESTAMPTZ','qty':'INTEGER','price':'DOUBLE','flag':'BOOLEAN'}"
AGG="count(order_id), sum(user_id), sum(amount), count(country), count(status), max(ts), sum(qty), sum(price), count(flag)"

# measure NAME CMD...: best wall time (s) and its peak RSS (KiB) into $best/$mem.
measure() {
    best=""
    mem=""
    r=0
    while [ $r -lt "$RUNS" ]; do
        [ -n "${PREP:-}" ] && eval "$PREP"
        t0=$(date +%s%N)
        /usr/bin/time -f "%e %M" -o "$DIR/time.txt" "$@" >"${OUT:-$DIR/out.txt}" 2>"$DIR/err.txt" || {
            cat "$DIR/err.txt" >&2
            echo "bench: command failed: $*" >&2
            exit 1
        }
        t1=$(date +%s%N)
        # Wall time in nanoseconds (/usr/bin/time counts hundredths only).
        t=$(awk "BEGIN{printf \"%.4f\", ($t1 - $t0) / 1e9}")
        m=$(cut -d' ' -f2 "$DIR/time.txt")
        # DuckDB: use the statement time reported by duckdb.mjs --time.
        dt=$(grep -o 'duckdb: [0-9]* [0-9.]* ms' "$DIR/err.txt" | tail -1 | awk '{print $3 / 1000}')
        [ -n "$dt" ] && t=$dt
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
            best=$t
            mem=$m
        fi
        r=$((r + 1))
    done
}

rate() { awk "BEGIN{ if ($2 > 0) printf \"%.1f\", $1 / $2 / 1e6; else print \"-\" }"; }
mrows() { awk "BEGIN{ if ($1 > 0) printf \"%.2f\", $ROWS / $1 / 1e6; else print \"-\" }"; }

RESULTS=$DIR/results.md
{
    echo "| operation | engine | seconds | M rows/s | MB/s | peak RSS MB |"
    echo "|---|---|---:|---:|---:|---:|"
} >"$RESULTS"
row() { # OP ENGINE SECONDS BYTES RSS_KIB
    printf '| %s | %s | %.2f | %s | %s | %d |\n' "$1" "$2" "$3" "$(mrows "$3")" \
        "$(rate "$4" "$3")" $(($5 / 1024)) >>"$RESULTS"
    printf '%-34s %-7s %7.2f s  %6s M rows/s  %7s MB/s  %5d MB\n' "$1" "$2" "$3" "$(mrows "$3")" \
        "$(rate "$4" "$3")" $(($5 / 1024))
}

T=$DIR/tarn_orders
DP=$DIR/duckdb_orders.parquet

echo "bench: $ROWS rows, $(awk "BEGIN{printf \"%.0f\", $NDJ_BYTES/1e6}") MB of NDJSON, $(nproc) cores, best of $RUNS"
PREP="rm -rf '$T'"
measure "$TARN" write "$T" "$NDJ" --schema "$SCHEMA" --quiet
row "write NDJSON -> Delta/Parquet" tarn "$best" "$NDJ_BYTES" "$mem"
PREP="rm -f '$DP'"
measure $DUCK --time "COPY (SELECT * FROM read_json('$NDJ', format='newline_delimited', columns=$COLS)) TO '$DP' (FORMAT parquet, COMPRESSION zstd)"
row "write NDJSON -> Delta/Parquet" duckdb "$best" "$NDJ_BYTES" "$mem"
PREP=""

TBYTES=$(find "$T" -name '*.parquet' -not -path '*/_delta_log/*' -exec stat -c %s {} + | awk '{s+=$1} END{print s}')
DBYTES=$(stat -c %s "$DP")
measure "$BUILD/tarn_tool_scan" "$T"
row "scan all columns (own file)" tarn "$best" "$TBYTES" "$mem"
measure $DUCK --time "SELECT $AGG FROM read_parquet('$DP')"
row "scan all columns (own file)" duckdb "$best" "$DBYTES" "$mem"
measure "$BUILD/tarn_tool_scan" "$DP"
row "scan all columns (other's file)" tarn "$best" "$DBYTES" "$mem"
measure $DUCK --time "SELECT $AGG FROM read_parquet('$T/*.parquet')"
row "scan all columns (other's file)" duckdb "$best" "$TBYTES" "$mem"

OUT=/dev/null
measure "$TARN" cat "$T"
OUT=""
row "export NDJSON to /dev/null" tarn "$best" "$TBYTES" "$mem"
measure $DUCK --time "COPY (SELECT * FROM read_parquet('$DP')) TO '/dev/null' (FORMAT json)"
row "export NDJSON to /dev/null" duckdb "$best" "$DBYTES" "$mem"

# --- SQL: tarn sql vs DuckDB on the same Parquet files -------------------------------
# The orders table written above and 100,000 customers; DuckDB reads the same
# Parquet files (the tables have a single version, so the files are the
# table). {o} and {c} stand for the two tables in each engine's syntax.
CUSTN=$DIR/customers_100000.ndjson
[ -s "$CUSTN" ] || "$BUILD/tarn_tool_ndjgen" 100000 --customers >"$CUSTN"
TC=$DIR/tarn_customers
rm -rf "$TC"
"$TARN" write "$TC" "$CUSTN" --schema "$("$BUILD/tarn_tool_ndjgen" --customers --schema)" --quiet
SQLR=$DIR/sql_results.md
{
    echo "| query | tarn s | DuckDB s | tarn / DuckDB |"
    echo "|---|---:|---:|---:|"
} >"$SQLR"
# sql_pair NAME SQL: the query through both engines, best of $RUNS each.
sql_pair() {
    tq=$(printf '%s' "$2" | sed -e "s#{o}#'$T'#g" -e "s#{c}#'$TC'#g")
    dq=$(printf '%s' "$2" | sed -e "s#{o}#read_parquet('$T/*.parquet')#g" \
        -e "s#{c}#read_parquet('$TC/*.parquet')#g")
    measure "$TARN" sql "$tq" --format csv
    row "sql: $1" tarn "$best" "$TBYTES" "$mem"
    ts=$best
    measure $DUCK --time "$dq"
    row "sql: $1" duckdb "$best" "$DBYTES" "$mem"
    printf '| %s | %.3f | %.3f | %.2f |\n' "$1" "$ts" "$best" "$(awk "BEGIN{print $ts / $best}")" >>"$SQLR"
}
sql_pair "group by status (5 groups)" "SELECT status, count(*) AS n, sum(amount) AS total FROM {o} GROUP BY status ORDER BY status"
sql_pair "group by user_id (100k groups)" "SELECT user_id, count(*) AS n, sum(amount) AS total FROM {o} GROUP BY user_id ORDER BY total DESC, user_id LIMIT 10"
sql_pair "star join by segment" "SELECT c.segment, count(*) AS n, sum(o.amount) AS total FROM {o} o JOIN {c} c ON o.user_id = c.user_id GROUP BY c.segment ORDER BY c.segment"
sql_pair "filtered top-N" "SELECT order_id, amount FROM {o} WHERE country = 'DE' AND status = 'paid' ORDER BY amount DESC, order_id LIMIT 10"
sql_pair "count(DISTINCT user_id)" "SELECT count(DISTINCT user_id) AS users FROM {o}"
POINT="SELECT * FROM {o} WHERE order_id = 'o-5000000'"
sql_pair "point lookup" "$POINT"
# The same lookup after Z-ordering a copy by order_id: bytes read of the table.
TZ=$DIR/tarn_orders_z
rm -rf "$TZ"
cp -r "$T" "$TZ"
"$TARN" table optimize "$TZ" --zorder-by order_id --target-size 4 >/dev/null
pq=$(printf '%s' "$POINT" | sed -e "s#{o}#'$TZ'#g")
measure "$TARN" sql "$pq" --format csv
row "sql: point lookup after z-order" tarn "$best" "$TBYTES" "$mem"
"$TARN" sql "$pq" --format csv --stats 2>"$DIR/stats.txt" >/dev/null
grep -o '[0-9.]* [kM]B of [0-9.]* [kM]B read' "$DIR/stats.txt" | awk -v t="$best" '{
    r = $1 * ($2 == "kB" ? 1e3 : 1e6); a = $4 * ($5 == "kB" ? 1e3 : 1e6)
    printf "| point lookup after z-order (order_id) | %.3f | | %s %s of %s %s read = %.1f%% of the table |\n", t, $1, $2, $4, $5, 100 * r / a }' >>"$SQLR"
cat "$SQLR" | tee -a "$RESULTS"

# --- pipeline: Bronze + Silver vs DuckDB's dedup in SQL ----------------------------
NDJD=$DIR/orders_dup_$ROWS.ndjson
if [ ! -s "$NDJD" ]; then
    echo "bench: generating $ROWS orders with 5% duplicates into $NDJD"
    "$BUILD/tarn_tool_ndjgen" "$ROWS" --seed 43 --dup-rate 0.05 >"$NDJD.tmp"
    mv "$NDJD.tmp" "$NDJD"
fi
NDJD_BYTES=$(stat -c %s "$NDJD")
CDIR=$DIR/contracts
mkdir -p "$CDIR"
cat >"$CDIR/orders.yaml" <<'Y'
dataset: orders
version: 1.0.0
primary_key: order_id
sequence_by: ts
schema:
  - {name: order_id, type: string}
  - {name: user_id, type: int64}
  - {name: amount, type: "decimal(10,2)", constraints: [min_value(0)]}
  - {name: country, type: string}
  - {name: status, type: string}
  - {name: ts, type: timestamp, nullable: false}
  - {name: qty, type: int32}
  - {name: price, type: double}
  - {name: flag, type: boolean}
Y
LK=$DIR/lake
PREP="rm -rf '$LK'"
measure env TARN_LAKE="$LK" "$TARN" ingest orders "$NDJD" --contracts "$CDIR" --quiet
row "pipeline: ingest to Bronze" tarn "$best" "$NDJD_BYTES" "$mem"
ING=$best
PREP="rm -rf '$LK/silver'"
measure env TARN_LAKE="$LK" "$TARN" run orders --contracts "$CDIR" --no-checks
row "pipeline: Bronze -> Silver" tarn "$best" "$NDJD_BYTES" "$mem"
row "pipeline: total (ingest + run)" tarn "$(awk "BEGIN{print $ING + $best}")" "$NDJD_BYTES" "$mem"
PREP=""
DS=$DIR/duckdb_silver.parquet
measure $DUCK --time "COPY (SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY ts DESC) AS rn FROM read_json('$NDJD', format='newline_delimited', columns=$COLS)) WHERE rn = 1 AND amount >= 0) TO '$DS' (FORMAT parquet, COMPRESSION zstd)"
row "pipeline: total (ingest + run)" duckdb "$best" "$NDJD_BYTES" "$mem"

# --- per-dataset overhead of a metadata-driven run ---------------------------------
NDS=${BENCH_DATASETS:-200}
SD=$DIR/scale
rm -rf "$SD"
mkdir -p "$SD/contracts" "$SD/data"
i=1
while [ $i -le "$NDS" ]; do
    d=$(printf 'd%04d' $i)
    printf 'dataset: %s\nprimary_key: id\nschema:\n  - {name: id, type: int64}\n  - {name: v, type: string}\n' "$d" >"$SD/contracts/$d.yaml"
    printf '{"id":1,"v":"a"}\n{"id":2,"v":"b"}\n{"id":2,"v":"c"}\n' >"$SD/data/$d.ndjson"
    TARN_LAKE="$SD/lake" "$TARN" ingest "$d" "$SD/data/$d.ndjson" --contracts "$SD/contracts" --quiet >/dev/null
    i=$((i + 1))
done
RUNS_SAVED=$RUNS
RUNS=1
measure env TARN_LAKE="$SD/lake" "$TARN" run --all --contracts "$SD/contracts" --no-checks
RUNS=$RUNS_SAVED
printf '\nper-dataset overhead: %d datasets refined by one `tarn run --all` in %.2f s = %.1f ms per dataset\n' \
    "$NDS" "$best" "$(awk "BEGIN{print $best * 1000 / $NDS}")" | tee -a "$RESULTS"

printf '\nfile sizes: tarn %.1f MB (%d files), duckdb %.1f MB\n' "$(awk "BEGIN{print $TBYTES/1e6}")" \
    "$(find "$T" -name '*.parquet' -not -path '*/_delta_log/*' | wc -l)" "$(awk "BEGIN{print $DBYTES/1e6}")" |
    tee -a "$RESULTS"
echo "bench: results in $RESULTS"
