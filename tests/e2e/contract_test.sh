# tests/e2e/contract_test.sh - `tarn contract test` on a Delta table with
# known violations: exact measured values per constraint and check, JSON,
# exit codes, severity, and change()/anomaly() history in LAKE/tarn.db.
. "$(dirname "$0")/lib.inc"

cat >data.ndjson <<'D'
{"order_id":"o1","user_id":1,"amount":"10.50","status":"paid","ts":"2026-11-24T10:00:00Z","email":"a@x.com"}
{"order_id":"o2","user_id":null,"amount":"-5.00","status":"paid","ts":"2026-11-24T11:00:00Z","email":"bad"}
{"order_id":"o3","user_id":3,"amount":"20.00","status":"bogus","ts":"2026-11-20T11:00:00Z","email":"c@x.com"}
{"order_id":"o3","user_id":3,"amount":"30.00","status":"new","ts":"2026-11-21T11:00:00Z","email":null}
{"order_id":"o5","user_id":null,"amount":null,"status":"new","ts":"2026-11-22T11:00:00Z","email":"e@x.com"}
D
SCHEMA="order_id string, user_id bigint, amount decimal(10,2), status string, ts timestamp, email string"
run 0 write lake/silver/orders data.ndjson --schema "$SCHEMA"

cat >orders.yaml <<'Y'
dataset: orders
version: 1.0.0
primary_key: order_id
quality:
  - row_count > 0
  - null_count(user_id) = 0
  - check: null_percentage(user_id) < 50
    severity: warn
  - duplicate_count(order_id) = 0
  - duplicate_count(order_id, user_id) <= 1
  - distinct_count(status) = 3
  - invalid_count(amount) <= 1
  - min(amount) >= 0
  - max(ts) <= '2027-01-01T00:00:00Z'
  - avg(amount) between 10 and 20
  - sum(amount) > 0
  - freshness(ts) < 4h
  - change(row_count) < 20%
  - anomaly(row_count)
  - null_count(coupon) = 0
schema:
  - {name: order_id, type: string}
  - {name: user_id, type: bigint}
  - {name: amount, type: "decimal(10,2)", constraints: [min_value(0), not_null]}
  - {name: status, type: string, constraints: ["allowed_values('new','paid')"]}
  - {name: ts, type: timestamp}
  - name: email
    type: string
    constraints: ["regex('[^@]+@[^@]+')", {rule: "max_length(5)", severity: warn}]
Y

# Default table silver.<dataset> in the lake; failing fail-checks exit 1.
export TARN_LAKE=$WORK/lake
run 1 contract test orders.yaml
out_line() { grep -F -- "$1" "$WORK/out" || { cat "$WORK/out" >&2; fail "no line with: $1"; }; }
want_line() { # want_line PREFIX EXPECTED: the line starting with PREFIX equals EXPECTED
    got=$(grep -F -- "$1" "$WORK/out" | head -1 | sed 's/  *$//')
    [ "$got" = "$2" ] || { cat "$WORK/out" >&2; fail "line '$1': got '$got', want '$2'"; }
}
want_line "contract orders" "contract orders 1.0.0, table silver.orders (version 0, 5 rows)"
want_line "schema     schema" "PASS  schema     schema                                   6 columns"
want_line "order_id not_null" "PASS  constraint order_id not_null                        0 violations"
want_line "amount min_value" "FAIL  constraint amount min_value(0)                      1 violation  (amount: -5.00 violates min_value(0))"
want_line "amount not_null" "FAIL  constraint amount not_null                          1 violation  (amount: null violates not_null)"
want_line "status allowed" "FAIL  constraint status allowed_values('new', 'paid')     1 violation  (status: 'bogus' violates allowed_values('new', 'paid'))"
want_line "email regex" "FAIL  constraint email regex('[^@]+@[^@]+')               1 violation  (email: 'bad' violates regex('[^@]+@[^@]+'))"
want_line "email max_length" "WARN  constraint email max_length(5)                      3 violations  (email: 'a@x.com' violates max_length(5))"
want_line "primary_key unique" "FAIL  constraint primary_key unique(order_id)             1 violation  (1 rows repeat a key)"
want_line "row_count > 0" "PASS  check      row_count > 0                            5"
want_line "null_count(user_id)" "FAIL  check      null_count(user_id) = 0                  2"
want_line "null_percentage" "PASS  check      null_percentage(user_id) < 50            40"
want_line "duplicate_count(order_id) =" "FAIL  check      duplicate_count(order_id) = 0            1"
want_line "duplicate_count(order_id, user_id)" "PASS  check      duplicate_count(order_id, user_id) <= 1  1"
want_line "distinct_count" "PASS  check      distinct_count(status) = 3               3"
want_line "invalid_count" "FAIL  check      invalid_count(amount) <= 1               2"
want_line "min(amount)" "FAIL  check      min(amount) >= 0                         -5.00"
want_line "max(ts)" "PASS  check      max(ts) <= '2027-01-01T00:00:00Z'        2026-11-24T11:00:00.000000Z"
want_line "avg(amount)" "PASS  check      avg(amount) between 10 and 20            13.875"
want_line "sum(amount)" "PASS  check      sum(amount) > 0                          55.50"
out_line "check      freshness(ts) < 4h" >/dev/null
want_line "change(row_count)" "PASS  check      change(row_count) < 20%                  n/a  (row_count = 5; no previous run to compare with)"
want_line "anomaly(row_count)" "PASS  check      anomaly(row_count)                       5  (row_count = 5; not enough history (0 of 5 runs needed))"
want_line "null_count(coupon)" "ERROR check      null_count(coupon) = 0                   (column 'coupon' is not in the table)"
want_line "passed," "11 passed, 10 failed, 1 warned, 1 could not run"

# JSON carries the same values.
run 1 contract test orders.yaml --json --no-record
expect_out_has '"table_version": 0,'
expect_out_has '"id": "amount.min_value",'
expect_out_has '"value_text": "13.875",'
expect_out_has '"id": "primary_key.unique",'
expect_out_has '"passed": 11,'
expect_out_has '"failed": 10,'

# History: --no-record left one run; after 5 more, anomaly() judges and a
# jump in row_count is caught by change() and anomaly().
[ -f lake/tarn.db ] || fail "no catalog at lake/tarn.db"
for i in 1 2 3 4 5; do run 1 contract test orders.yaml; done
want_line "change(row_count)" "PASS  check      change(row_count) < 20%                  0%  (row_count = 5, previous run 5)"
want_line "anomaly(row_count)" "PASS  check      anomaly(row_count)                       5  (row_count = 5; last 5 runs: mean 5, sd 0 (allowed 5 ± 3 sd))"
run 0 write lake/silver/orders data.ndjson
run 1 contract test orders.yaml
want_line "change(row_count)" "FAIL  check      change(row_count) < 20%                  100%  (row_count = 10, previous run 5)"
want_line "anomaly(row_count)" "FAIL  check      anomaly(row_count)                       10  (row_count = 10; last 6 runs: mean 5, sd 0 (allowed 5 ± 3 sd))"

# Only warn-severity failures: exit 0.
cat >clean.yaml <<'Y'
dataset: orders
schema:
  - {name: order_id, type: string}
  - {name: amount, type: "decimal(10,2)"}
quality:
  - row_count = 10
  - check: min(amount) >= 0
    severity: warn
Y
run 0 contract test clean.yaml --table lake/silver/orders --no-record
want_line "min(amount)" "WARN  check      min(amount) >= 0                         -5.00"
want_line "passed," "2 passed, 0 failed, 1 warned, 0 could not run"

# Schema drift is a failure that names the column.
cat >drift.yaml <<'Y'
dataset: orders
schema:
  - {name: order_id, type: bigint}
  - {name: coupon, type: string}
Y
run 1 contract test drift.yaml --table silver.orders --no-record
out_line "column 'order_id' is string in the table, the contract says int64" >/dev/null
out_line "column 'coupon' (string) is not in the table" >/dev/null

# Input errors exit 2 with one line.
run 2 contract test orders.yaml --table silver.nothing
expect_err_has "silver.nothing"
printf 'dataset: x\nschema:\n  - name: a\n    type: decmal(10,2)\n' >bad.yaml
run 2 contract test bad.yaml
expect_err_has "bad.yaml:4:11: unknown type 'decmal(10,2)'"
run 2 contract test
expect_err_has "no contract given"
run 0 contract test --help
expect_out_has "usage: tarn contract test"
echo "contract_test: ok"
