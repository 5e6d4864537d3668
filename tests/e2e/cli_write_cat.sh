# tests/e2e/cli_write_cat.sh - tarn write / cat / table history / describe as
# a user runs them: NDJSON and CSV input, append, overwrite, time travel,
# projections, filters, output formats, partitioning.
. "$(dirname "$0")/lib.inc"

cat >orders1.ndjson <<'J'
{"order_id":"o1","user_id":7,"amount":"12.50","country":"DE","ts":"2024-01-01T10:00:00Z"}
{"order_id":"o2","user_id":8,"amount":3,"country":"FR","ts":"2024-01-02T11:30:00+01:00"}

{"order_id":"o3","user_id":null,"amount":0.1,"country":"DE","ts":"2024-01-03"}
J
SCHEMA="order_id string not null, user_id bigint, amount decimal(10,2), country string, ts timestamp"

run 0 write t orders1.ndjson --schema "$SCHEMA"
expect_out_has "wrote 3 rows"
[ -d t/_delta_log ] || fail "no _delta_log"
run 0 cat t
expect_sorted_out '{"order_id":"o1","user_id":7,"amount":"12.50","country":"DE","ts":"2024-01-01T10:00:00.000000Z"}
{"order_id":"o2","user_id":8,"amount":"3.00","country":"FR","ts":"2024-01-02T10:30:00.000000Z"}
{"order_id":"o3","user_id":null,"amount":"0.10","country":"DE","ts":"2024-01-03T00:00:00.000000Z"}'

# Append CSV (header, quoted field) into the same table: schema comes from the table.
printf 'order_id,user_id,amount,country,ts\no4,9,"1,5",US,2024-02-01T00:00:00Z\n' >bad.csv
run 2 write t bad.csv
expect_err_has "bad.csv:2"
printf 'order_id,user_id,amount,country,ts\no4,9,99.99,"U,S",2024-02-01T00:00:00Z\n' >more.csv
run 0 write t more.csv
run 0 cat t --where "country = 'U,S'" --columns order_id,amount
expect_out '{"order_id":"o4","amount":"99.99"}'

# Time travel, history, describe.
run 0 cat t --version 0
[ "$(wc -l <"$WORK/out")" = 3 ] || fail "version 0 should have 3 rows"
run 2 cat t --version 7
expect_err_has "version 7"
run 0 table history t
expect_out_has "WRITE"
run 0 table describe t
expect_out_has "amount"
expect_out_has "decimal(10,2)"

# Formats and limits.
run 0 cat t --format csv --limit 1 --columns order_id,country --where "order_id = 'o1'"
expect_out 'order_id,country
o1,DE'
run 0 cat t --format table --where "user_id IS NULL" --columns order_id,user_id
expect_out_has "o3"
expect_out_has "(1 row)"
run 2 cat t --where "amout > 1"
expect_err_has "unknown column 'amout'"
expect_err_has "did you mean 'amount'"

# Overwrite with a new schema and partitioning, then read old versions back.
printf '{"k":1,"p":"a"}\n{"k":2,"p":"b/c"}\n{"k":3,"p":null}\n' >new.ndjson
run 0 write t new.ndjson --mode overwrite --partition-by p
run 0 cat t
expect_sorted_out '{"k":1,"p":"a"}
{"k":2,"p":"b/c"}
{"k":3,"p":null}'
run 0 cat t --where "p = 'b/c'"
expect_out '{"k":2,"p":"b/c"}'
run 0 cat t --version 1 --columns order_id --where "order_id = 'o4'"
expect_out '{"order_id":"o4"}'
ls t | grep -q '^p=' || fail "no partition directories"

# Help tells the truth and unknown options are usage errors.
for c in cat write table parquet; do
    run 0 "$c" --help
    expect_out_has "usage: tarn $c"
done
run 2 cat t --bogus
expect_err_has "unknown option"
run 2 cat /nonexistent/path
echo "ok"
