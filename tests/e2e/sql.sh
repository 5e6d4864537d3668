# tests/e2e/sql.sh - `tarn sql` as a user runs it: output formats, queries
# from stdin, errors with a caret, exit codes, EXPLAIN and --stats, time
# travel, and reading a Delta directory or Parquet file by path.
. "$(dirname "$0")/lib.inc"

export TARN_LAKE="$WORK/lake"
cat >orders.ndjson <<'EOF'
{"id":1,"customer":"ada","amount":"12.50","ts":"2024-01-05T10:00:00Z"}
{"id":2,"customer":"bo","amount":"7.25","ts":"2024-01-20T08:30:00Z"}
{"id":3,"customer":"ada","amount":null,"ts":"2024-02-02T12:00:00Z"}
EOF
run 0 write "$TARN_LAKE/silver/orders" orders.ndjson \
    --schema "id bigint, customer string, amount decimal(10,2), ts timestamp" --quiet

# Formats.
run 0 sql "SELECT customer, sum(amount) AS total FROM silver.orders GROUP BY customer ORDER BY 1" --format ndjson
expect_out '{"customer":"ada","total":"12.50"}
{"customer":"bo","total":"7.25"}'
run 0 sql "SELECT id, customer FROM silver.orders WHERE amount IS NULL" --format csv
expect_out 'id,customer
3,ada'
run 0 sql "SELECT id FROM silver.orders ORDER BY id LIMIT 2" --format json
expect_out '[
  {"id":1},
  {"id":2}
]'
run 0 sql "SELECT id, amount FROM silver.orders ORDER BY id" --format table
expect_out_has "(3 rows)"
expect_out_has "NULL"

# Statements from stdin, separated by semicolons (a ';' inside quotes is text).
printf "SELECT count(*) AS n FROM silver.orders;\nSELECT 'a;b' AS s;\n" >q.sql
"$TARN" sql --format ndjson <q.sql >"$WORK/out" 2>"$WORK/err" || fail "stdin statements failed"
expect_out '{"n":3}
{"s":"a;b"}'

# Errors: one line naming line and column, then the query line and a caret; exit 2.
run 2 sql "SELECT amout FROM silver.orders"
expect_err_has "tarn sql: line 1, column 8: unknown column 'amout' (did you mean 'amount'?)"
expect_err_has "       ^"
run 2 sql "SELECT * FROM silver.nope"
expect_err_has "unknown table silver.nope"
run 2 sql "SELEC 1"
expect_err_has "line 1, column 1"
# A data error while running exits 1.
run 1 sql "SELECT 9223372036854775807 + id FROM silver.orders"
expect_err_has "overflow"
run 2 sql --format xml "SELECT 1"
expect_err_has "xml"

# EXPLAIN and --stats report files read and skipped by statistics.
run 0 write "$TARN_LAKE/silver/orders" orders.ndjson --quiet
run 0 sql "EXPLAIN SELECT id FROM silver.orders WHERE id > 100" --format table
expect_out_has "files read 0, skipped 2"
run 0 sql "SELECT count(*) AS n FROM silver.orders WHERE id = 2" --stats --format ndjson
expect_out '{"n":2}'
expect_err_has "files read 2, skipped 0"

# Time travel and tables by path.
run 0 sql "SELECT count(*) AS n FROM silver.orders VERSION AS OF 0" --format ndjson
expect_out '{"n":3}'
run 0 sql "SELECT count(*) AS n FROM '$TARN_LAKE/silver/orders'" --format ndjson
expect_out '{"n":6}'
f=$(ls "$TARN_LAKE"/silver/orders/*.parquet | head -1)
run 0 sql "SELECT count(*) AS n FROM read_parquet('$f')" --format ndjson
expect_out '{"n":3}'

run 0 sql --help
expect_out_has "usage: tarn sql"
echo "sql: ok"
