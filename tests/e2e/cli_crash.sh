# tests/e2e/cli_crash.sh - kill -9 tarn at random moments during a stream of
# appends: the table must always read back at its last committed version,
# with exactly the rows of the committed appends, and vacuum removes the
# orphaned files of killed writes.
. "$(dirname "$0")/lib.inc"

"$BUILD/tarn_tool_ndjgen" 20000 --seed 1 >batch.ndjson 2>/dev/null ||
    fail "tarn_tool_ndjgen missing in $BUILD"
ROWS=$(wc -l <batch.ndjson | tr -d ' ')
t0=$(date +%s%N)
run 0 write t batch.ndjson
# Kill points are spread over 0.1x .. 1.5x of one write's duration, so some
# kills land before the commit and some after it (a completed append).
dur_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$dur_ms" -gt 0 ] || dur_ms=1
i=0
while [ $i -lt 24 ]; do
    "$TARN" write t batch.ndjson --quiet >/dev/null 2>&1 &
    pid=$!
    ms=$(( dur_ms * (1 + (i * 7) % 15) / 10 ))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    run 0 cat t --columns order_id --format csv
    rows=$(($(wc -l <"$WORK/out") - 1))
    commits=$(ls t/_delta_log | grep -c '^[0-9]*\.json$')
    [ $((rows % ROWS)) = 0 ] || fail "row count $rows is not a multiple of $ROWS after kill $i"
    [ $((rows / ROWS)) = "$commits" ] || fail "rows $rows do not match $commits commits"
    i=$((i + 1))
done
echo "commits after 24 kills: $commits"
ondisk=$( find t -name '*.parquet' -not -path '*/_delta_log/*' | wc -l | tr -d ' ')
run 0 table vacuum t --retain 0 --force
cp "$WORK/out" "$WORK/vac"
run 0 cat t --columns order_id --format csv
[ $(($(wc -l <"$WORK/out") - 1)) = "$rows" ] || fail "vacuum changed the table contents"
referenced=$("$TARN" table describe t --files | grep -c '\.parquet' || true)
after=$( find t -name '*.parquet' -not -path '*/_delta_log/*' | wc -l | tr -d ' ')
[ "$referenced" = "$after" ] || { cat "$WORK/vac" >&2; ls -la --time-style=full-iso t >&2; "$TARN" table describe t --files >&2; fail "vacuum left orphans: $after files on disk, $referenced referenced"; }
echo "parquet files: $ondisk before vacuum, $after after"
echo ok
