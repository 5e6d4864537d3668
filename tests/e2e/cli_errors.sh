# tests/e2e/cli_errors.sh - bad input never crashes and never changes the
# table: malformed NDJSON, values that do not fit, truncated files; each
# gives a one-line error naming file and line (or offset) and exit code 2.
. "$(dirname "$0")/lib.inc"

SCHEMA="id int32 not null, amount decimal(6,2), day date, tag string"
printf '{"id":1,"amount":"1.00","day":"2024-01-01","tag":"a"}\n' >good.ndjson
run 0 write t good.ndjson --schema "$SCHEMA"
V0=$(ls t/_delta_log | grep -c '\.json$')

check_rejected() { # FILE EXPECTED_LOCATION EXPECTED_TEXT
    run 2 write t "$1"
    expect_err_has "$2"
    expect_err_has "$3"
    [ "$(wc -l <"$WORK/err")" = 1 ] || { cat "$WORK/err" >&2; fail "error is not one line"; }
    [ "$(ls t/_delta_log | grep -c '\.json$')" = "$V0" ] || fail "a commit appeared after a failed write"
    run 0 cat t
    expect_out '{"id":1,"amount":"1.00","day":"2024-01-01","tag":"a"}'
}

printf '{"id":2,"amount":"2.00"}\n{"id":3, "amount": }\n' >malformed.ndjson
check_rejected malformed.ndjson "malformed.ndjson:2" "amount"
printf '{"id":2}\n{"id":3}\n{"id":4,"amount":"12345.00"}\n' >toobig.ndjson
check_rejected toobig.ndjson "toobig.ndjson:3" "amount"
printf '{"id":2,"amount":"abc"}\n' >notnum.ndjson
check_rejected notnum.ndjson "notnum.ndjson:1" "'abc' is not decimal(6,2)"
printf '{"id":3000000000}\n' >range.ndjson
check_rejected range.ndjson "range.ndjson:1" "id"
printf '{"amount":"1.00"}\n' >nullpk.ndjson
check_rejected nullpk.ndjson "nullpk.ndjson:1" "id"
printf '{"id":5,"day":"2023-02-29"}\n' >baddate.ndjson
check_rejected baddate.ndjson "baddate.ndjson:1" "day"
printf '{"id":6,"tag":"\\ud800"}\n{"id":7,"tag":"x\n' >badesc.ndjson
check_rejected badesc.ndjson "badesc.ndjson:" "tag"

# A field the table does not have is an error unless explicitly dropped.
printf '{"id":9,"extra":1}\n' >extra.ndjson
check_rejected extra.ndjson "extra.ndjson:1" "unknown field 'extra'"
run 0 write t extra.ndjson --ignore-unknown-fields
run 0 cat t --where "id = 9" --columns id
expect_out '{"id":9}'
run 0 table delete t --where "id = 9"
V0=$(ls t/_delta_log | grep -c '\.json$')

# A truncated Parquet file as input: error with the offset, no crash.
run 0 cat t --format ndjson
f=$(ls t/*.parquet | head -1)
head -c 100 "$f" >trunc.parquet
run 2 write t trunc.parquet
expect_err_has "trunc.parquet"
run 2 cat trunc.parquet
expect_err_has "trunc.parquet"
printf 'PAR1garbage' >garbage.parquet
run 2 parquet inspect garbage.parquet
expect_err_has "garbage.parquet"

# Second input bad: nothing from the first input lands either.
printf '{"id":10}\n' >ok2.ndjson
run 2 write t ok2.ndjson malformed.ndjson
[ "$(count_rows t)" = 1 ] || fail "partial write became visible"

# Missing input file and missing table.
run 2 write t nosuch.ndjson
expect_err_has "nosuch.ndjson"
run 2 cat nosuch_table
run 2 table history nosuch_table
echo ok
