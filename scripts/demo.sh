#!/bin/sh
# scripts/demo.sh - the `make demo` walk-through: write the built-in demo
# orders into a Delta table, read them back, append, reject a bad file
# without touching the table, time-travel, delete, inspect; then lint its
# data contract, test the table against it and diff a proposed change; then
# the medallion pipeline: two days of orders_global through Bronze and Silver,
# customers too, then a Gold star schema built from SQL models and queried.
set -eu
TARN=${1:-build/release/tarn}
cd "$(dirname "$0")/.."
LAKE=${TARN_DEMO_LAKE:-build/demo-lake}
T=$LAKE/orders
rm -rf "$LAKE"
mkdir -p "$LAKE"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
SCHEMA="order_id string not null, user_id bigint, amount decimal(10,2), currency string, country string, status string, ordered_at timestamp"

step "1. Write day 1 (NDJSON) into a new Delta table, partitioned by country" \
     "tarn write $T demo/orders_day1.ndjson --schema \"...\" --partition-by country"
"$TARN" write "$T" demo/orders_day1.ndjson --schema "$SCHEMA" --partition-by country

step "2. Read it back" "tarn cat $T --format table"
"$TARN" cat "$T" --format table

step "3. A CSV with a malformed amount is rejected; the table is untouched" \
     "tarn write $T demo/orders_day2.csv"
if "$TARN" write "$T" demo/orders_day2.csv; then
    echo "unexpected: the bad file was accepted" >&2
    exit 1
fi

step "4. Append the corrected CSV" "tarn write $T demo/orders_day2_fixed.csv"
"$TARN" write "$T" demo/orders_day2_fixed.csv

step "5. Filter: files whose statistics exclude the predicate are skipped" \
     "tarn cat $T --where \"country = 'DE' AND amount > 10\" --format table --stats"
"$TARN" cat "$T" --where "country = 'DE' AND amount > 10" --format table --stats

step "6. Delete the refunds (only files holding matching rows are rewritten)" \
     "tarn table delete $T --where \"amount < 0\""
"$TARN" table delete "$T" --where "amount < 0"

step "7. History and time travel" "tarn table history $T; tarn cat $T --version 0 --format csv"
"$TARN" table history "$T"
"$TARN" cat "$T" --version 0 --format csv --columns order_id,amount,status

step "8. Describe the table" "tarn table describe $T"
"$TARN" table describe "$T"

f=$(find "$T" -name '*.parquet' | sort | head -1)
step "9. Inspect one of its Parquet files (any engine can read them)" "tarn parquet inspect $f"
"$TARN" parquet inspect "$f"

step "10. Lint the data contract" "tarn contract lint demo/contracts"
"$TARN" contract lint demo/contracts

step "11. Test the table against its contract (exit 1: a fail-severity rule fails)" \
     "tarn contract test demo/contracts/orders.yaml --table $T --lake $LAKE"
"$TARN" contract test demo/contracts/orders.yaml --table "$T" --lake "$LAKE" || echo "(exit $?: the table breaks its contract)"

step "12. A proposed contract change: what breaks, and for whom (exit 1: no major version bump)" \
     "tarn contract diff demo/contracts/orders.yaml demo/contracts_v2/orders.yaml"
"$TARN" contract diff demo/contracts/orders.yaml demo/contracts_v2/orders.yaml || echo "(exit $?: CI would block this pull request)"

# --- The medallion pipeline: Bronze -> Silver, driven by a contract ---------
export TARN_LAKE="$LAKE"
C=demo/contracts
step "13. Bronze: land day 1 of orders_global as received (2 lines are not JSON; they land too)" \
     "tarn ingest orders_global demo/orders_global_1.ndjson --contracts $C"
"$TARN" ingest orders_global demo/orders_global_1.ndjson --contracts "$C"

step "14. Silver: cast, check, quarantine, deduplicate, merge" "tarn run orders_global --contracts $C"
"$TARN" run orders_global --contracts "$C" || echo "(exit $?: a check failed)"

step "15. Why records were quarantined" \
     "tarn cat $LAKE/silver/orders_global__quarantine --columns _source_line,_reasons,_rule_ids --format table"
"$TARN" cat "$LAKE/silver/orders_global__quarantine" --columns _source_line,_reasons,_rule_ids --format table

step "16. Day 2 arrives (late updates, an out-of-order update, bad values); re-ingesting day 1 changes nothing" \
     "tarn ingest orders_global demo/orders_global_1.ndjson demo/orders_global_2.ndjson --contracts $C"
"$TARN" ingest orders_global demo/orders_global_1.ndjson demo/orders_global_2.ndjson --contracts "$C"
"$TARN" run orders_global --contracts "$C" || echo "(exit $?: a check failed)"

step "17. Silver holds one row per order, the latest version" \
     "tarn cat $LAKE/silver/orders_global --where \"order_id = 'og-00010' OR order_id = 'og-00011'\" --format table"
"$TARN" cat "$LAKE/silver/orders_global" --where "order_id = 'og-00010' OR order_id = 'og-00011'" --format table

# --- Gold: a star schema as SQL models over Silver ------------------------------
step "18. Customers through Bronze and Silver too" \
     "tarn ingest customers demo/customers.ndjson --contracts $C && tarn run customers --contracts $C"
"$TARN" ingest customers demo/customers.ndjson --contracts "$C"
"$TARN" run customers --contracts "$C"

M="dim_customer dim_date fact_orders daily_revenue_by_country"
step "19. Gold: dim_customer, dim_date, fact_orders and daily revenue, in the order their SQL reads each other" \
     "tarn run $M --contracts $C --models demo/models"
"$TARN" run $M --contracts "$C" --models demo/models

step "20. Nothing changed upstream: nothing is rebuilt" "tarn run $M --contracts $C --models demo/models"
"$TARN" run $M --contracts "$C" --models demo/models

step "21. New orders arrive: only the models that read them are rebuilt (dim_customer is up to date)" \
     "tarn ingest orders_global demo/orders_global_3.ndjson --contracts $C && tarn run orders_global $M --contracts $C --models demo/models"
"$TARN" ingest orders_global demo/orders_global_3.ndjson --contracts "$C"
"$TARN" run orders_global $M --contracts "$C" --models demo/models

step "22. Query the star: revenue by customer segment and weekday" \
     "tarn sql \"SELECT c.segment, d.weekday, count(*) AS orders, sum(f.amount) AS revenue FROM gold.fact_orders f JOIN gold.dim_customer c ON f.customer_key = c.customer_key JOIN gold.dim_date d ON f.date_key = d.date_key GROUP BY c.segment, d.weekday ORDER BY revenue DESC LIMIT 8\" --format table"
"$TARN" sql "SELECT c.segment, d.weekday, count(*) AS orders, sum(f.amount) AS revenue
             FROM gold.fact_orders f
             JOIN gold.dim_customer c ON f.customer_key = c.customer_key
             JOIN gold.dim_date d ON f.date_key = d.date_key
             GROUP BY c.segment, d.weekday ORDER BY revenue DESC LIMIT 8" --format table

step "23. The pre-computed aggregate, and how the query ran" \
     "tarn sql \"EXPLAIN SELECT country, sum(revenue) AS revenue FROM gold.daily_revenue_by_country GROUP BY country ORDER BY revenue DESC\" --format table"
"$TARN" sql "SELECT country, sum(revenue) AS revenue, sum(orders) AS orders FROM gold.daily_revenue_by_country GROUP BY country ORDER BY revenue DESC" --format table
"$TARN" sql "EXPLAIN SELECT country, sum(revenue) AS revenue FROM gold.daily_revenue_by_country GROUP BY country ORDER BY revenue DESC" --format table

step "24. Run history and freshness" "tarn runs; tarn status --contracts $C"
"$TARN" runs
"$TARN" status --contracts "$C" || true

printf '\nThe table is at %s: a standard Delta Lake table (Spark, DuckDB, Trino, delta-rs read it).\n' "$T"
