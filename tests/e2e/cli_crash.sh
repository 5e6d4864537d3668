# tests/e2e/cli_crash.sh - kill -9 tarn at random moments during a stream of
# appends: the table must always read back at its last committed version,
# with exactly the rows of the committed appends, and vacuum removes the
# orphaned files of killed writes.
. "$(dirname "$0")/lib.inc"

"$BUILD/tarn_tool_ndjgen" 20000 --seed 1 >batch.ndjson 2>/dev/null ||
    fail "tarn_tool_ndjgen missing in $BUILD"
ROWS=$(wc -l <batch.ndjson | tr -d ' ')
run 0 write t batch.ndjson
i=0
while [ $i -lt 25 ]; do
    "$TARN" write t batch.ndjson --quiet >/dev/null 2>&1 &
    pid=$!
    # Kill somewhere between "just started" and "about done".
    sleep "0.0$(( (i * 37) % 10 ))$(( (i * 13) % 10 ))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    run 0 cat t --columns order_id --format csv
    got=$(($(wc -l <"$WORK/out") - 1))
    commits=$(ls t/_delta_log | grep -c '^[0-9]*\.json$')
    [ $((got % ROWS)) = 0 ] || fail "row count $got is not a multiple of $ROWS after kill $i"
    [ $((got / ROWS)) = "$commits" ] || fail "rows $got do not match $commits commits"
    i=$((i + 1))
done
run 0 table vacuum t --retain 0 --force
run 0 cat t --columns order_id --format csv
[ $(($(wc -l <"$WORK/out") - 1)) = "$got" ] || fail "vacuum changed the table contents"
referenced=$("$TARN" table describe t --files | grep -c '\.parquet' || true)
ondisk=$(find t -name '*.parquet' | wc -l | tr -d ' ')
[ "$referenced" = "$ondisk" ] || fail "vacuum left orphans: $ondisk files on disk, $referenced referenced"
echo ok
