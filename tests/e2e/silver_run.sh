# tests/e2e/silver_run.sh - `tarn run`: Bronze -> Silver with exact rows,
# quarantine reasons, dedup by key and sequence, late data, idempotent
# re-runs, and a run killed at random moments that, started again, equals
# an uninterrupted run.
. "$(dirname "$0")/lib.inc"

mkdir -p contracts in
cat >contracts/orders.yaml <<'Y'
dataset: orders
version: 1.2.0
primary_key: order_id
sequence_by: updated_at
quality:
  - row_count > 0
  - check: null_percentage(user_id) < 1
    severity: warn
schema:
  - {name: order_id, type: string}
  - {name: user_id, type: bigint}
  - {name: amount, type: "decimal(10,2)", constraints: [min_value(0)]}
  - {name: status, type: string, constraints: ["allowed_values('new', 'paid')"]}
  - {name: updated_at, type: timestamp, nullable: false}
Y
cat >in/day1.ndjson <<'D'
{"order_id":"o1","user_id":1,"amount":"10.00","status":"new","updated_at":"2026-01-01T00:00:00Z"}
{"order_id":"o2","user_id":2,"amount":"-5.00","status":"new","updated_at":"2026-01-01T00:00:00Z"}
{"order_id":"o3","user_id":null,"amount":"7.00","status":"new","updated_at":"2026-01-01T00:00:00Z","coupon":"X"}
{"order_id":"o1","user_id":1,"amount":"11.00","status":"paid","updated_at":"2026-01-01T01:00:00Z"}
{bad json
{"order_id":"o4","user_id":4,"amount":"abc","status":"lost","updated_at":"2026-01-01T00:00:00Z"}
{"order_id":null,"user_id":6,"amount":"1.00","status":"new","updated_at":"2026-01-01T00:00:00Z"}
D
printf 'order_id,user_id,amount,status,updated_at\no1,1,9.00,new,2025-12-31T00:00:00Z\no3,3,8.00,paid,2026-01-02T00:00:00Z\no5,5,5.00,new,2026-01-02T00:00:00Z\n' >in/day2.csv
export TARN_LAKE=$WORK/lake

run 0 ingest orders in/day1.ndjson --quiet
run 0 run orders
expect_out_has "orders: Bronze versions 0..0: 7 rows in, 2 inserted, 0 updated, 1 duplicates, 0 stale, 4 quarantined, 0 warned; silver version 0"
expect_out_has "  WARN check null_percentage(user_id) < 1: 50"
expect_out_has "  checks: 1 passed, 0 failed, 1 warned"
expect_out_has "  drift: field 'coupon' is not in the contract (1 record, kept in _rescued_data)"
run 0 cat lake/silver/orders --format ndjson
expect_sorted_out '{"order_id":"o1","user_id":1,"amount":"11.00","status":"paid","updated_at":"2026-01-01T01:00:00.000000Z","_rescued_data":null}
{"order_id":"o3","user_id":null,"amount":"7.00","status":"new","updated_at":"2026-01-01T00:00:00.000000Z","_rescued_data":"{\"coupon\":\"X\"}"}'
run 0 cat lake/silver/orders__quarantine --format csv --columns _source_line,_reasons,_rule_ids,_contract_version
expect_sorted_out '_source_line,_reasons,_rule_ids,_contract_version
2,amount: -5.00 violates min_value(0),amount.min_value,1.2.0
5,invalid JSON: column 2: expected a string key,_record.json,1.2.0
6,"amount: '"'"'abc'"'"' is not decimal(10,2)",amount.type,1.2.0
7,order_id: null violates not_null,order_id.not_null,1.2.0'

# Day 2 (CSV): o1 arrives late (older) and is ignored, o3 is updated, o5 is new.
run 0 ingest orders in/day2.csv --quiet
run 0 run orders --dry-run
expect_out_has "orders (dry run, nothing committed): Bronze versions 1..1: would read 3 rows, insert 1, update 1, drop 0 duplicates and 1 stale rows, quarantine 0, rewrite 1 Silver files"
run 0 table describe lake/silver/orders
expect_out_has "version      0 "
run 0 run orders
expect_out_has "orders: Bronze versions 1..1: 3 rows in, 1 inserted, 1 updated, 0 duplicates, 1 stale, 0 quarantined"
run 0 cat lake/silver/orders --format csv --columns order_id,user_id,amount,status
expect_sorted_out 'order_id,user_id,amount,status
o1,1,11.00,paid
o3,3,8.00,paid
o5,5,5.00,new'
# Nothing new: nothing changes.
run 0 run orders --no-checks
expect_out "orders: up to date (Bronze version 1)"
run 0 table history lake/silver/orders --limit 1
expect_out_has "MERGE"
# A full refresh of the small dataset gives the same rows.
run 0 run orders --full-refresh --no-checks
expect_out_has "orders: Bronze versions 0..1: 10 rows in"
run 0 cat lake/silver/orders --format csv --columns order_id,user_id,amount,status
expect_sorted_out 'order_id,user_id,amount,status
o1,1,11.00,paid
o3,3,8.00,paid
o5,5,5.00,new'
run 0 cat lake/silver/orders__quarantine --format csv --columns _source_line
[ "$(tail -n +2 "$WORK/out" | wc -l)" = 4 ] || fail "quarantine after full refresh: $(cat "$WORK/out")"
# Heal: a contract fix lets o2 (amount -5.00) through; exactly the fixed rows move.
sed -i 's/^version: 1.2.0/version: 1.3.0/; s/min_value(0)/min_value(-10)/' contracts/orders.yaml
run 0 heal orders
expect_out "orders: 4 quarantined records judged with contract 1.3.0: 1 healed (1 inserted, 0 updated, 0 older than Silver), 3 still quarantined"
run 0 cat lake/silver/orders --format csv --columns order_id,amount --where "order_id = 'o2'"
expect_out 'order_id,amount
o2,-5.00'
run 0 cat lake/silver/orders__quarantine --format csv --columns _source_line
expect_sorted_out '_source_line
5
6
7'
run 0 heal orders
expect_out "orders: 3 quarantined records judged with contract 1.3.0: 0 healed (0 inserted, 0 updated, 0 older than Silver), 3 still quarantined"

# JSON summary, --all.
printf '{"order_id":"o6","user_id":6,"amount":"1.00","status":"new","updated_at":"2026-01-03T00:00:00Z"}\n' >in/day3.ndjson
run 0 ingest orders in/day3.ndjson --quiet
run 0 run --all --json
expect_out_has '"inserted": 1,'
expect_out_has '"bronze_to": 2,'

# The run history and each dataset's freshness against its sla.
run 0 runs orders --limit 2
expect_out_has "orders"
[ "$(grep -c '^orders ' "$WORK/out")" = 2 ] || fail "two runs expected: $(cat "$WORK/out")"
run 0 runs --json
expect_out_has '"kind": "full-refresh",'
expect_out_has '"quarantined": 4,'
expect_out_has '"status": "ok",'
sed -i 's/^version: 1.2.0/version: 1.2.0\nsla: 1h/' contracts/orders.yaml
run 0 status
expect_out_has "fresh"
cat >contracts/later.yaml <<'Y'
dataset: later
sla: 1s
schema: [{name: a, type: int}]
Y
run 0 status --json
expect_out_has '"state": "never run"'
# A dataset whose last run is older than its sla is late: exit 1.
printf '{"a":1}\n' >later.ndjson
run 0 ingest later later.ndjson --quiet
run 0 run later --no-checks
sleep 2
run 1 status
grep -Eq '^later +[0-9T:Z-]+ +[0-9]+s +1s +late$' "$WORK/out" || fail "later should be late: $(cat "$WORK/out")"
rm contracts/later.yaml

# A killed run, started again, equals an uninterrupted run.
"$BUILD/tarn_tool_ndjgen" 60000 --seed 5 --dup-rate 0.2 >big.ndjson
"$BUILD/tarn_tool_ndjgen" 30000 --seed 6 --dup-rate 0.2 >big2.ndjson
mkdir -p c2
cat >c2/big.yaml <<'Y'
dataset: big
primary_key: order_id
sequence_by: ts
schema:
  - {name: order_id, type: string}
  - {name: user_id, type: int64}
  - {name: amount, type: "decimal(10,2)", constraints: [min_value(1)]}
  - {name: ts, type: timestamp, nullable: false}
Y
for lk in ref crash; do
    TARN_LAKE=$WORK/$lk "$TARN" ingest big big.ndjson --contracts c2 --quiet >/dev/null || fail "ingest"
    TARN_LAKE=$WORK/$lk "$TARN" ingest big big2.ndjson --contracts c2 --quiet >/dev/null || fail "ingest"
done
TARN_LAKE=$WORK/ref "$TARN" run big --contracts c2 >/dev/null || fail "reference run"
for delay in 0.05 0.1 0.2 0.3 0.5; do
    TARN_LAKE=$WORK/crash "$TARN" run big --contracts c2 >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
done
TARN_LAKE=$WORK/crash "$TARN" run big --contracts c2 >/dev/null || fail "resumed run"
for lk in ref crash; do
    "$TARN" cat $WORK/$lk/silver/big --format ndjson | LC_ALL=C sort >$lk.silver || fail "cat"
    "$TARN" cat $WORK/$lk/silver/big__quarantine --format csv --columns _source_file,_source_line,_reasons | LC_ALL=C sort >$lk.q || fail "cat q"
done
cmp -s ref.silver crash.silver || fail "Silver after kills differs from an uninterrupted run"
cmp -s ref.q crash.q || fail "quarantine after kills differs from an uninterrupted run"
[ "$(wc -l <ref.silver)" -gt 1000 ] || fail "expected many Silver rows"
# Two runs at once: the loser of a commit race retries and both succeed.
for f in big.ndjson big2.ndjson; do
    TARN_LAKE=$WORK/conc "$TARN" ingest big $f --contracts c2 --quiet >/dev/null || fail "ingest"
done
TARN_LAKE=$WORK/conc "$TARN" run big --contracts c2 >conc1.out 2>&1 &
p1=$!
TARN_LAKE=$WORK/conc "$TARN" run big --contracts c2 >conc2.out 2>&1 &
p2=$!
wait $p1 || fail "first concurrent run failed: $(cat conc1.out)"
wait $p2 || fail "second concurrent run failed: $(cat conc2.out)"
"$TARN" cat $WORK/conc/silver/big --format ndjson | LC_ALL=C sort >conc.silver
cmp -s ref.silver conc.silver || fail "concurrent runs differ from one run"
# A full refresh rebuilds the same tables from all of Bronze.
TARN_LAKE=$WORK/crash "$TARN" run big --contracts c2 --full-refresh >/dev/null || fail "full refresh"
"$TARN" cat $WORK/crash/silver/big --format ndjson | LC_ALL=C sort >full.silver
"$TARN" cat $WORK/crash/silver/big__quarantine --format csv --columns _source_file,_source_line,_reasons | LC_ALL=C sort >full.q
cmp -s ref.silver full.silver || fail "full refresh differs from the incremental runs"
cmp -s ref.q full.q || fail "full refresh quarantine differs"
TARN_LAKE=$WORK/crash run_out=$("$TARN" run big --contracts c2) || fail "run after refresh"
case $run_out in *"up to date"*) ;; *) fail "after a full refresh nothing is left to do: $run_out" ;; esac

# evolution: fail stops the run on a field the contract does not name.
mkdir -p c3
sed 's/^\(version: .*\)/\1\nevolution: fail/' contracts/orders.yaml >c3/orders.yaml
TARN_LAKE=$WORK/strict "$TARN" ingest orders in/day1.ndjson --contracts c3 --quiet >/dev/null || fail "ingest"
TARN_LAKE=$WORK/strict run 1 run orders --contracts c3
expect_err_has "field 'coupon' is not in the contract of 'orders' (evolution: fail)"
expect_err_has "day1.ndjson:3:"
[ -d "$WORK/strict/silver/orders" ] && fail "a failed run must commit nothing to Silver"
export TARN_LAKE=$WORK/lake

# CDC: delete_when removes keys when the delete is newer.
mkdir -p c4
cat >c4/cdc.yaml <<'Y'
dataset: cdc
primary_key: id
sequence_by: seq
delete_when: "op = 'D'"
schema:
  - {name: id, type: string}
  - {name: op, type: string}
  - {name: seq, type: bigint}
  - {name: v, type: int}
Y
printf '{"id":"a","op":"I","seq":1,"v":1}\n{"id":"b","op":"I","seq":1,"v":2}\n{"id":"c","op":"I","seq":1,"v":3}\n{"id":"d","op":"I","seq":5,"v":4}\n' >cdc1.ndjson
printf '{"id":"b","op":"D","seq":2}\n{"id":"zz","op":"D","seq":2}\n{"id":"c","op":"U","seq":2,"v":30}\n{"id":"d","op":"D","seq":4}\n{"id":"e","op":"I","seq":1,"v":5}\n{"id":"e","op":"D","seq":2}\n' >cdc2.ndjson
export TARN_LAKE=$WORK/cdc
run 0 ingest cdc cdc1.ndjson --contracts c4 --quiet
run 0 run cdc --contracts c4
run 0 ingest cdc cdc2.ndjson --contracts c4 --quiet
run 0 run cdc --contracts c4
expect_out_has "6 rows in, 0 inserted, 1 updated, 1 deleted, 1 duplicates, 1 stale"
run 0 cat cdc/silver/cdc --format csv --columns id,op,v
expect_sorted_out 'id,op,v
a,I,1
c,U,30
d,I,4'
run 0 run cdc --contracts c4 --full-refresh --no-checks
run 0 cat cdc/silver/cdc --format csv --columns id,op,v
expect_sorted_out 'id,op,v
a,I,1
c,U,30
d,I,4'
printf 'dataset: x\nprimary_key: id\ndelete_when: "opp = 1"\nschema: [{name: id, type: int}]\n' >c4/bad.yaml
run 1 contract lint c4/bad.yaml
expect_out_has "c4/bad.yaml:3:14: error: delete_when: column 1: unknown column 'opp'"
rm c4/bad.yaml
export TARN_LAKE=$WORK/lake

# history: scd2 keeps every version of a key with its validity.
mkdir -p c6
printf 'dataset: scd\nprimary_key: id\nsequence_by: ts\nhistory: scd2\nschema:\n  - {name: id, type: int}\n  - {name: v, type: string}\n  - {name: ts, type: timestamp, nullable: false}\n' >c6/scd.yaml
printf '{"id":1,"v":"a","ts":"2026-01-01T00:00:00Z"}\n{"id":2,"v":"b","ts":"2026-01-01T00:00:00Z"}\n' >scd1.ndjson
printf '{"id":1,"v":"a2","ts":"2026-01-02T00:00:00Z"}\n{"id":2,"v":"old","ts":"2025-12-31T00:00:00Z"}\n' >scd2.ndjson
printf '{"id":1,"v":"a3","ts":"2026-01-03T00:00:00Z"}\n' >scd3.ndjson
export TARN_LAKE=$WORK/scd
for f in scd1 scd2 scd3; do
    run 0 ingest scd $f.ndjson --contracts c6 --quiet
    run 0 run scd --contracts c6 --no-checks
done
run 0 cat scd/silver/scd --format csv --columns id,v,valid_from,valid_to,is_current
expect_sorted_out 'id,v,valid_from,valid_to,is_current
1,a,2026-01-01T00:00:00.000000Z,2026-01-02T00:00:00.000000Z,false
1,a2,2026-01-02T00:00:00.000000Z,2026-01-03T00:00:00.000000Z,false
1,a3,2026-01-03T00:00:00.000000Z,,true
2,b,2026-01-01T00:00:00.000000Z,,true'
# Several versions of a key in one run each become history; a version older
# than one that arrived before it is late (dropped), in one run or across runs.
printf '%s\n' '{"id":1,"v":"a5","ts":"2026-01-05T00:00:00Z"}' '{"id":1,"v":"a4","ts":"2026-01-04T00:00:00Z"}' \
    '{"id":3,"v":"c","ts":"2026-01-01T00:00:00Z"}' '{"id":1,"v":"a6","ts":"2026-01-06T00:00:00Z"}' \
    '{"id":3,"v":"c2","ts":"2026-01-02T00:00:00Z"}' '{"id":1,"v":"a2late","ts":"2026-01-02T12:00:00Z"}' >scd4.ndjson
run 0 ingest scd scd4.ndjson --contracts c6 --quiet
run 0 run scd --contracts c6 --no-checks
expect_out_has "6 rows in, 1 inserted, 3 updated, 2 duplicates, 0 stale"
run 0 cat scd/silver/scd --format csv --columns id,v,valid_from,valid_to,is_current
expect_sorted_out 'id,v,valid_from,valid_to,is_current
1,a,2026-01-01T00:00:00.000000Z,2026-01-02T00:00:00.000000Z,false
1,a2,2026-01-02T00:00:00.000000Z,2026-01-03T00:00:00.000000Z,false
1,a3,2026-01-03T00:00:00.000000Z,2026-01-05T00:00:00.000000Z,false
1,a5,2026-01-05T00:00:00.000000Z,2026-01-06T00:00:00.000000Z,false
1,a6,2026-01-06T00:00:00.000000Z,,true
2,b,2026-01-01T00:00:00.000000Z,,true
3,c,2026-01-01T00:00:00.000000Z,2026-01-02T00:00:00.000000Z,false
3,c2,2026-01-02T00:00:00.000000Z,,true'
"$TARN" cat scd/silver/scd --format csv >scd.incremental || fail "cat scd"
# A full refresh, and one run over all the files, give the same history.
run 0 run scd --contracts c6 --no-checks --full-refresh
run 0 cat scd/silver/scd --format csv
LC_ALL=C sort scd.incremental >want.s; LC_ALL=C sort out >got.s
cmp -s want.s got.s || { diff want.s got.s >&2; fail "scd2 full refresh differs from the incremental runs"; }
export TARN_LAKE=$WORK/scd1
for f in scd1 scd2 scd3 scd4; do run 0 ingest scd $f.ndjson --contracts c6 --quiet; done
run 0 run scd --contracts c6 --no-checks
run 0 cat scd1/silver/scd --format csv
LC_ALL=C sort out >got.s
cmp -s want.s got.s || { diff want.s got.s >&2; fail "scd2 in one run differs from the incremental runs"; }
printf 'dataset: bad\nhistory: scd2\nschema: [{name: a, type: int}]\n' >c6/bad.yaml
run 1 contract lint c6/bad.yaml
expect_out_has "c6/bad.yaml:2:10: error: history: scd2 needs a primary_key"
export TARN_LAKE=$WORK/lake

# A new contract version adds a column: Silver gains it without rewriting old files.
mkdir -p c5
printf 'dataset: evo\nversion: 1.0.0\nprimary_key: id\nschema:\n  - {name: id, type: int}\n  - {name: a, type: string}\n' >c5/evo.yaml
printf '{"id":1,"a":"x"}\n{"id":2,"a":"y"}\n' >evo1.ndjson
printf '{"id":3,"a":"z","b":7}\n{"id":1,"a":"x2","b":8}\n' >evo2.ndjson
export TARN_LAKE=$WORK/evo
run 0 ingest evo evo1.ndjson --contracts c5 --quiet
run 0 run evo --contracts c5
printf 'dataset: evo\nversion: 1.1.0\nprimary_key: id\nschema:\n  - {name: id, type: int}\n  - {name: a, type: string}\n  - {name: b, type: bigint}\n' >c5/evo.yaml
run 0 ingest evo evo2.ndjson --contracts c5 --quiet
run 0 run evo --contracts c5
expect_out_has "1 inserted, 1 updated"
run 0 cat evo/silver/evo --format csv --columns id,a,b,_rescued_data
expect_sorted_out 'id,a,b,_rescued_data
1,x2,8,
2,y,,
3,z,7,'
run 0 table describe evo/silver/evo
expect_out_has "b"
export TARN_LAKE=$WORK/lake

# CSV columns the contract does not name are rescued into _rescued_data
# (strings; an empty field is null), or stop the run with evolution: fail.
mkdir -p c8
printf 'dataset: wide\nprimary_key: id\nschema:\n  - {name: id, type: int}\n  - {name: a, type: string}\n' >c8/wide.yaml
printf 'id,extra,a,"note"\n1,foo,x,"q,""z"""\n2,,y,"multi\nline"\n' >w1.csv
export TARN_LAKE=$WORK/wide
run 0 ingest wide w1.csv --contracts c8 --quiet
run 0 run wide --contracts c8
expect_out_has "2 rows in, 2 inserted"
expect_out_has "  drift: field 'extra' is not in the contract (2 records, kept in _rescued_data)"
expect_out_has "  drift: field 'note' is not in the contract (2 records, kept in _rescued_data)"
run 0 cat wide/silver/wide --format ndjson
expect_sorted_out '{"id":1,"a":"x","_rescued_data":"{\"extra\":\"foo\",\"note\":\"q,\\\"z\\\"\"}"}
{"id":2,"a":"y","_rescued_data":"{\"extra\":null,\"note\":\"multi\\nline\"}"}'
printf 'evolution: fail\n' >>c8/wide.yaml
printf 'id,a,extra\n3,z,q\n' >w2.csv
run 0 ingest wide w2.csv --contracts c8 --quiet
run 1 run wide --contracts c8
expect_err_has "w2.csv: header column 'extra' is not in the contract of 'wide' (evolution: fail)"
export TARN_LAKE=$WORK/lake

# A fail-severity check that fails aborts the run: neither Silver nor the
# quarantine changes, and the next run judges the same Bronze rows again.
mkdir -p c7
cat >c7/gate.yaml <<'Y'
dataset: gate
primary_key: id
quality:
  - row_count >= 3
  - check: row_count <= 4
  - check: max(amount) < 1000
    severity: warn
schema:
  - {name: id, type: int}
  - {name: amount, type: int}
Y
export TARN_LAKE=$WORK/gate
printf '{"id":1,"amount":5}\n{"id":2,"amount":6}\n{broken\n' >g1.ndjson
run 0 ingest gate g1.ndjson --contracts c7 --quiet
run 1 run gate --contracts c7
expect_out_has "gate: Bronze versions 0..0: 3 rows in; nothing committed: a check failed"
expect_out_has "  FAIL check row_count >= 3: 2"
expect_out_has "  checks: 2 passed, 1 failed, 0 warned"
expect_err_has "check 'row_count >= 3' failed (2); nothing of this run was committed"
[ -d gate/silver/gate/_delta_log ] && fail "an aborted run created Silver"
[ -d gate/silver/gate__quarantine/_delta_log ] && fail "an aborted run committed quarantine rows"
[ -z "$(find gate/silver -name '*.parquet')" ] || fail "an aborted run left data files"
run 0 runs gate
expect_out_has "checks failed"
printf '{"id":3,"amount":2000}\n' >g2.ndjson
run 0 ingest gate g2.ndjson --contracts c7 --quiet
run 0 run gate --contracts c7
expect_out_has "gate: Bronze versions 0..1: 4 rows in, 3 inserted, 0 updated, 0 duplicates, 0 stale, 1 quarantined"
expect_out_has "  WARN check max(amount) < 1000: 2000"
expect_out_has "  checks: 2 passed, 0 failed, 1 warned"
[ "$(count_rows gate/silver/gate__quarantine)" = 1 ] || fail "quarantine should hold 1 row"
# The merge path: two new keys would make 5 rows.
printf '{"id":4,"amount":1}\n{"id":5,"amount":1}\n{"id":3,"amount":3}\n' >g3.ndjson
run 0 ingest gate g3.ndjson --contracts c7 --quiet
run 1 run gate --contracts c7 --json
expect_out_has '"committed": false'
expect_out_has '"check": "row_count <= 4"'
expect_out_has '"status": "failed"'
run 0 table describe gate/silver/gate
expect_out_has "version      0 "
run 0 cat gate/silver/gate --format csv --columns id,amount
expect_sorted_out 'id,amount
1,5
2,6
3,2000'
[ "$(find gate/silver/gate -name '*.parquet' | wc -l)" = 1 ] || fail "the aborted merge left data files"
# --no-checks commits it.
run 0 run gate --contracts c7 --no-checks
expect_out_has "2 inserted, 1 updated"
export TARN_LAKE=$WORK/lake

# Errors.
run 2 run
expect_err_has "name the datasets to run, or --all"
run 2 run nothere
expect_err_has "no contract for dataset 'nothere'"
cat >contracts/empty.yaml <<'Y'
dataset: empty
schema: [{name: a, type: int}]
Y
run 2 run empty
expect_err_has "no Bronze table for dataset 'empty'"
run 0 run --help
expect_out_has "usage: tarn run DATASET"
echo "silver_run: ok"
