# tests/e2e/pipeline_scale.sh - metadata-driven scale: 1,000 small
# contracts, one Bronze table each, then a single `tarn run --all` that
# refines every dataset; checks every run's counts and the catalog history.
. "$(dirname "$0")/lib.inc"

N=1000
# Under the sanitizers every process is several times slower: the same test
# with 200 datasets keeps the suite within its time budget.
nm "$TARN" 2>/dev/null | grep -q __asan_ && N=200
mkdir -p contracts data
i=1
while [ $i -le $N ]; do
    d=$(printf 'd%04d' $i)
    printf 'dataset: %s\nversion: 1.0.0\nprimary_key: id\nquality: ["row_count = 2"]\nschema:\n  - {name: id, type: int64}\n  - {name: name, type: string}\n  - {name: v, type: "decimal(10,2)", constraints: [min_value(0)]}\n' $d >contracts/$d.yaml
    printf '{"id":1,"name":"a","v":"1.50"}\n{"id":2,"name":"b","v":"2.00"}\n{"id":2,"name":"b2","v":"3.00"}\n{"id":3,"name":"c","v":"-1"}\n' >data/$d.ndjson
    i=$((i + 1))
done
export TARN_LAKE=$WORK/lake
run 0 contract lint contracts --quiet
i=1
while [ $i -le $N ]; do
    d=$(printf 'd%04d' $i)
    "$TARN" ingest $d data/$d.ndjson --quiet >/dev/null || fail "ingest $d"
    i=$((i + 1))
done
run 0 run --all
[ "$(grep -c '4 rows in, 2 inserted, 0 updated, 1 duplicates, 0 stale, 1 quarantined' "$WORK/out")" = $N ] ||
    fail "every dataset should report the same counts: $(head -5 "$WORK/out")"
[ "$(grep -c 'checks: 1 passed, 0 failed' "$WORK/out")" = $N ] || fail "every check should pass"
run 0 cat lake/silver/d0100 --format csv --columns id,name,v
expect_sorted_out 'id,name,v
1,a,1.50
2,b2,3.00'
run 0 runs --limit 5000 --json
[ "$(grep -c '"status": "ok"' "$WORK/out")" = $N ] || fail "1000 runs should be recorded"
# A second --all finds nothing new anywhere.
run 0 run --all --no-checks
[ "$(grep -c 'up to date' "$WORK/out")" = $N ] || fail "nothing new expected"
echo "pipeline_scale: ok"
