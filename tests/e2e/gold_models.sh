# tests/e2e/gold_models.sh - Gold models through `tarn run`: contracts +
# ingest + run --all builds Silver then Gold; dependency order from the SQL,
# table and incremental materialisation, up-to-date detection and rebuilds
# after upstream commits or model edits (recorded in tarn.db), failing tests
# commit nothing and skip dependents, header errors name file:line:col.
. "$(dirname "$0")/lib.inc"

export TARN_LAKE="$WORK/lake"
mkdir models
cat >o1.ndjson <<'J'
{"id":1,"c":"DE","amount":"10.00","d":"2024-01-01"}
{"id":2,"c":"FR","amount":"5.50","d":"2024-01-01"}
{"id":3,"c":"DE","amount":"1.25","d":"2024-01-02"}
J
run 0 write "$TARN_LAKE/silver/orders" o1.ndjson --schema "id bigint, c string, amount decimal(10,2), d date" --quiet
# by_country reads daily: it must be built after it (file order says otherwise).
cat >models/a_by_country.sql <<'M'
/* ---
materialized: table
tests:
  - unique: c
--- */
SELECT c, sum(revenue) AS revenue FROM gold.daily GROUP BY c
M
cat >models/daily.sql <<'M'
/* ---
description: Revenue per day and country
materialized: incremental
unique_key: [d, c]
tests:
  - unique: [d, c]
  - not_null: [d]
--- */
SELECT d, c, sum(amount) AS revenue, count(*) AS orders FROM silver.orders GROUP BY d, c
M
run 0 run --all --models models
sed 's/ in [0-9.]* s$//' "$WORK/out" >"$WORK/out2" && mv "$WORK/out2" "$WORK/out"
expect_out 'gold.daily: 3 rows (incremental, new: silver.orders v0)
gold.a_by_country: 2 rows (table, new: gold.daily v0)'
run 0 sql "SELECT c, revenue FROM gold.a_by_country ORDER BY c" --format csv
expect_out 'c,revenue
DE,11.25
FR,5.50'
# Nothing changed: nothing rebuilt.
run 0 run --all --models models
expect_out 'gold.daily: up to date (silver.orders v0)
gold.a_by_country: up to date (gold.daily v0)'
# An upstream commit: both rebuild; the incremental model merges by key.
printf '{"id":4,"c":"FR","amount":"1.00","d":"2024-01-02"}\n{"id":5,"c":"DE","amount":"2.00","d":"2024-01-02"}\n' >o2.ndjson
run 0 write "$TARN_LAKE/silver/orders" o2.ndjson --quiet
run 0 run daily a_by_country --models models
expect_out_has "gold.daily: 4 rows (incremental, rebuilt: silver.orders v0 -> v1) in "
expect_out_has "gold.a_by_country: 2 rows (table, rebuilt: gold.daily v0 -> v1) in "
run 0 sql "SELECT d, c, revenue, orders FROM gold.daily ORDER BY d, c" --format csv
expect_out 'd,c,revenue,orders
2024-01-01,DE,10.00,1
2024-01-01,FR,5.50,1
2024-01-02,DE,3.25,2
2024-01-02,FR,1.00,1'
run 0 table history gold.daily --limit 1
expect_out_has "MERGE"
# Editing a model rebuilds it (and what reads it, since its table changed).
printf -- '-- revenue per country\n' >>models/a_by_country.sql
run 0 run --all --models models
expect_out_has "gold.daily: up to date (silver.orders v1)"
expect_out_has "gold.a_by_country: 2 rows (table, rebuilt: model changed) in "
# Each build is a run in tarn runs.
run 0 runs
expect_out_has "gold.a_by_country"
# --full-refresh rebuilds everything.
run 0 run --all --models models --full-refresh
expect_out_has "gold.daily: 4 rows (incremental, full refresh: silver.orders v1) in "
# SCD2: a changed value closes the current version and opens a new one
# (its own surrogate key); a vanished key is closed.
printf '{"id":1,"tier":"gold"}\n{"id":2,"tier":"silver"}\n' >c1.ndjson
run 0 write "$TARN_LAKE/silver/cust" c1.ndjson --schema "id bigint, tier string" --quiet
cat >models/dim_cust.sql <<'M'
/* ---
unique_key: id
surrogate_key: cust_key
scd2: true
--- */
SELECT id, tier FROM silver.cust
M
run 0 run dim_cust --models models
run 0 sql "SELECT cust_key, id, tier, valid_to IS NULL AS open, is_current FROM gold.dim_cust ORDER BY cust_key" --format csv
expect_out 'cust_key,id,tier,open,is_current
1,1,gold,true,true
2,2,silver,true,true'
printf '{"id":1,"tier":"platinum"}\n{"id":3,"tier":"bronze"}\n' >c2.ndjson
run 0 write "$TARN_LAKE/silver/cust" c2.ndjson --mode overwrite --quiet
run 0 run dim_cust --models models
run 0 sql "SELECT cust_key, id, tier, valid_to IS NULL AS open, is_current FROM gold.dim_cust ORDER BY cust_key" --format csv
expect_out 'cust_key,id,tier,open,is_current
1,1,gold,false,false
2,2,silver,false,false
3,1,platinum,true,true
4,3,bronze,true,true'
run 0 run dim_cust --models models
expect_out_has "gold.dim_cust: up to date"
rm models/dim_cust.sql

# A failing test commits nothing and skips the models that read it.
run 0 table history gold.daily
cp "$WORK/out" "$WORK/history_before"
cat >models/daily.sql <<'M'
/* ---
materialized: table
tests:
  - unique: c
--- */
SELECT d, c, sum(amount) AS revenue FROM silver.orders GROUP BY d, c
M
run 1 run --all --models models
expect_out_has "gold.daily: test failed: unique(c): 2 duplicate rows, e.g. ("
expect_out_has "gold.a_by_country: skipped (it reads gold.daily, whose build failed)"
run 0 table history gold.daily
cmp -s "$WORK/history_before" "$WORK/out" || fail "a failing test committed to gold.daily"
# Header errors name the file, line and column; cycles are refused.
cat >models/daily.sql <<'M'
/* ---
materialised: table
--- */
SELECT 1 AS x
M
run 2 run --all --models models
expect_err_has "models/daily.sql:2:1: unknown key 'materialised' (did you mean 'materialized'?)"
cat >models/daily.sql <<'M'
SELECT * FROM gold.a_by_country
M
run 2 run --all --models models
expect_err_has "cycle"
cat >models/daily.sql <<'M'
SELECT d, FROM silver.orders
M
run 2 run --all --models models
expect_err_has "models/daily.sql:1:"

# The whole path: contracts + ingest + run --all builds Silver, then Gold.
rm -rf models "$TARN_LAKE"
mkdir contracts models
cat >contracts/sales.yaml <<'Y'
dataset: sales
primary_key: id
schema:
  - {name: id, type: bigint}
  - {name: country, type: string}
  - {name: amount, type: "decimal(10,2)", constraints: [min_value(0)]}
Y
printf '{"id":1,"country":"DE","amount":"3.00"}\n{"id":2,"country":"FR","amount":"4.00"}\n{"id":3,"country":"DE","amount":"-1.00"}\n{"id":4,"country":"DE","amount":"2.50"}\n' >s1.ndjson
cat >models/by_country.sql <<'M'
/* ---
description: Sales per country
owner: analytics@company.com
tests:
  - unique: country
  - not_null: [country, total]
--- */
WITH s AS (SELECT country, amount FROM silver.sales)
SELECT country, count(*) AS n, sum(amount) AS total FROM s GROUP BY country
M
run 0 ingest sales s1.ndjson --quiet
run 0 run --all
expect_out_has "sales: Bronze versions 0..0: 4 rows in, 3 inserted"
expect_out_has "gold.by_country: 2 rows (table, new: silver.sales v0) in "
run 0 sql "SELECT country, n, total FROM gold.by_country ORDER BY country" --format csv
expect_out 'country,n,total
DE,2,5.50
FR,1,4.00'
run 0 run --all
expect_out_has "gold.by_country: up to date (silver.sales v0)"
# A failing not_null test names an example row.
cat >models/by_country.sql <<'M'
/* ---
tests:
  - not_null: c
--- */
SELECT country, CASE WHEN country = 'FR' THEN NULL ELSE 1 END AS c FROM silver.sales
M
run 1 run by_country
expect_out_has "gold.by_country: test failed: not_null(c): 1 NULL rows, e.g. row "
echo "gold_models: ok"
