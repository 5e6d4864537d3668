# tests/e2e/cli_concurrency.sh - two processes appending to one table at the
# same time: every commit lands exactly once, versions stay contiguous, and
# the row count is the sum of all appends.
. "$(dirname "$0")/lib.inc"

printf '{"w":0,"n":0}\n' >seed.ndjson
run 0 write t seed.ndjson --schema "w int32, n int32"
writer() {
    j=0
    while [ $j -lt 20 ]; do
        printf '{"w":%d,"n":%d}\n{"w":%d,"n":%d}\n' "$1" "$j" "$1" "$j" >"w$1.ndjson"
        "$TARN" write t "w$1.ndjson" --quiet || echo "writer $1 append $j failed" >>failures
        j=$((j + 1))
    done
}
writer 1 &
p1=$!
writer 2 &
p2=$!
wait $p1 $p2
[ ! -s failures ] || { cat failures >&2; fail "appends failed"; }
commits=$(ls t/_delta_log | grep -c '^[0-9]*\.json$')
[ "$commits" = 41 ] || fail "expected 41 commits, found $commits"
run 0 cat t --format csv --columns w,n
[ $(($(wc -l <"$WORK/out") - 1)) = 81 ] || fail "expected 81 rows"
for w in 1 2; do
    n=$(grep -c "^$w," "$WORK/out")
    [ "$n" = 40 ] || fail "writer $w has $n rows, expected 40"
done
run 0 table history t
echo ok
