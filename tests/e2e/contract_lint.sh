# tests/e2e/contract_lint.sh - `tarn contract lint` as a user runs it: the
# founding example, warnings, errors with FILE:LINE:COL, directories,
# duplicate datasets, --strict, --json and exit codes.
. "$(dirname "$0")/lib.inc"

mkdir -p contracts/sub
cat >contracts/orders_global.yaml <<'Y'
dataset: "orders_global"
owner: "checkout_team@company.com"
sla: "4 hours"
quality:
  - check: "row_count > 0"
  - check: "null_percentage(user_id) < 0.01"
schema:
  - name: "order_id"
    type: "string"
    primary_key: true
  - name: "amount"
    type: "decimal(10,2)"
    pii: false
    constraints: ["min_value(0)"]
Y
cat >contracts/sub/customers.yml <<'Y'
dataset: customers
version: 1.0.0
owner: crm@example.com
primary_key: id
schema:
  - {name: id, type: bigint}
  - {name: email, type: string, pii: true, constraints: ["regex('[^@]+@[^@]+')"]}
Y

# The founding example is valid; it only gets advice.
run 0 contract lint contracts/orders_global.yaml
expect_out "contracts/orders_global.yaml:1:10: warning: no version: 'tarn contract diff' cannot tell a major release from a breaking change (add version: 1.0.0)
contracts/orders_global.yaml:6:12: warning: check 'null_percentage(user_id) < 0.01' names column 'user_id', which is not in the schema (it must exist in the table when the check runs)"
expect_err_has "1 file, 0 errors, 2 warnings"
run 1 contract lint --strict contracts/orders_global.yaml
run 0 contract lint --quiet contracts/orders_global.yaml
[ -s "$WORK/out" ] && fail "expected no output, got: $(cat "$WORK/out")"

# A clean contract: no output at all on stdout.
run 0 contract lint contracts/sub/customers.yml
[ -s "$WORK/out" ] && fail "expected no output, got: $(cat "$WORK/out")"

# Errors name file:line:col; directories are searched recursively.
cat >contracts/broken.yaml <<'Y'
dataset: broken
version: 1.0.0
schema:
  - name: amount
    type: decmal(10,2)
Y
run 1 contract lint contracts
expect_out_has "contracts/broken.yaml:5:11: error: unknown type 'decmal(10,2)' (did you mean 'decimal(10,2)'?)"
expect_out_has "contracts/orders_global.yaml:1:10: warning: no version"
expect_err_has "3 files, 1 error, 2 warnings"

# Two files defining one dataset.
sed 's/^dataset: broken/dataset: customers/; s/decmal/decimal/' contracts/broken.yaml >contracts/dup.yaml
rm contracts/broken.yaml
run 1 contract lint contracts
expect_out_has "error: dataset 'customers' is also defined in contracts/dup.yaml:1:10"

# JSON for machines.
rm contracts/dup.yaml
run 0 contract lint --json contracts
expect_out_has '"errors": 0,'
expect_out_has '"warnings": 2'
expect_out_has '"code": "check_unknown_column",'
expect_out_has '"file": "contracts/sub/customers.yml",'
[ "$(grep -c '"valid": true' "$WORK/out")" = 2 ] || fail "both files should be valid"

# A bad check expression points into the check text.
cat >bad_check.yaml <<'Y'
dataset: x
quality:
  - check: "null_count(a) < x"
schema: [{name: a, type: int}]
Y
run 1 contract lint bad_check.yaml
expect_out_has "bad_check.yaml:3:"
expect_out_has ": error: check 'null_count(a) < x':"

# Usage and missing files.
run 2 contract lint
expect_err_has "no contract files given"
run 2 contract lint nowhere.yaml
expect_err_has "nowhere.yaml"
run 2 contract lint --frobnicate contracts
expect_err_has "unknown option '--frobnicate'"
run 0 contract lint --help
expect_out_has "usage: tarn contract lint"
echo "contract_lint: ok"
