# tests/e2e/contract_diff.sh - `tarn contract diff` as CI runs it: file
# pairs (text, --json, exit codes 0/1/2, --for, --fail-on) and --git REV in
# a throwaway repository with changed, new and deleted contracts.
. "$(dirname "$0")/lib.inc"

cat >v1.yaml <<'Y'
dataset: orders
version: 1.2.0
owner: shop@example.com
primary_key: order_id
quality:
  - row_count > 0
schema:
  - {name: order_id, type: string}
  - {name: amount, type: "decimal(10,2)", constraints: [min_value(0)]}
  - {name: coupon, type: string}
Y
# Compatible: a nullable column, a widening, a changed check threshold.
cat >v1_1.yaml <<'Y'
dataset: orders
version: 1.3.0
owner: shop@example.com
primary_key: order_id
quality:
  - row_count > 10
schema:
  - {name: order_id, type: string}
  - {name: amount, type: "decimal(12,2)", constraints: [min_value(0)]}
  - {name: coupon, type: string}
  - {name: note, type: string}
Y
run 0 contract diff v1.yaml v1_1.yaml
expect_out "v1_1.yaml: 1.2.0 -> 1.3.0
  info       -       version_changed        v1_1.yaml:2:10  version 1.2.0 -> 1.3.0
  compatible -       type_widened           v1_1.yaml:9:26  column 'amount': type widened decimal(10,2) -> decimal(12,2)
  compatible -       column_added           v1_1.yaml:11:5  column 'note' string added (nullable)
  info       -       check_changed          v1_1.yaml:6:5  check changed: row_count > 0 -> row_count > 10
  0 breaking, 0 warnings, 2 compatible, 2 info"

# Breaking for readers (a removed column) and a warning, without a major bump.
sed -e 's/1.2.0/1.4.0/' -e '/coupon/d' -e 's/min_value(0)/{rule: min_value(0), severity: warn}/' v1.yaml >v1_4.yaml
run 1 contract diff v1.yaml v1_4.yaml
expect_out_has "  breaking   readers column_removed         v1.yaml:10:5  column 'coupon' removed (queries that read it break)"
expect_out_has "  warning    readers constraint_relaxed     v1_4.yaml:9:64  column 'amount': constraint min_value(0) relaxed to min_value(0) (severity fail -> warn)"
expect_out_has "  1 breaking, 1 warning, 0 compatible, 1 info: breaking without a major version bump"
# Only writers count: a removed column does not break them.
run 0 contract diff v1.yaml v1_4.yaml --for writers
run 1 contract diff v1.yaml v1_4.yaml --for readers
# The same with a major bump passes; --fail-on warning does not undo the bump.
sed -e 's/1.4.0/2.0.0/' v1_4.yaml >v2.yaml
run 0 contract diff v1.yaml v2.yaml --fail-on warning
expect_out_has ": allowed by the major version bump"
# Warnings fail with --fail-on warning.
sed -e 's/1.2.0/1.5.0/' -e 's/min_value(0)/{rule: min_value(0), severity: warn}/' v1.yaml >v1_5.yaml
run 0 contract diff v1.yaml v1_5.yaml
run 1 contract diff v1.yaml v1_5.yaml --fail-on warning
run 0 contract diff v1.yaml v1_5.yaml --fail-on warning --for writers

# JSON for machines.
run 1 contract diff v1.yaml v1_4.yaml --json
expect_out_has '"rule": "column_removed",'
expect_out_has '"audience": "readers",'
expect_out_has '"major_bump": false,'
expect_out_has '"exit": 1'

# Input errors exit 2.
printf 'dataset: orders\nschema:\n  - name: a\n    type: decmal(10,2)\n' >bad.yaml
run 2 contract diff v1.yaml bad.yaml
expect_err_has "bad.yaml:4:11: unknown type 'decmal(10,2)'"
run 2 contract diff v1.yaml
expect_err_has "expected OLD.yaml NEW.yaml"
run 2 contract diff v1.yaml v1.yaml --for everyone
run 2 contract diff v1.yaml missing.yaml
expect_err_has "missing.yaml"

# --git: compare the working tree with a revision.
export GIT_AUTHOR_NAME=tarn GIT_AUTHOR_EMAIL=tarn@example.com
export GIT_COMMITTER_NAME=tarn GIT_COMMITTER_EMAIL=tarn@example.com
mkdir repo && cd repo && git init -q . || fail "git init"
mkdir contracts
cp ../v1.yaml contracts/orders.yaml
printf 'dataset: users\nversion: 1.0.0\nschema: [{name: id, type: int}]\n' >contracts/users.yaml
git add contracts && git commit -qm "contracts" || fail "git commit"
# Nothing changed: exit 0.
run 0 contract diff --git HEAD
expect_out "contracts/orders.yaml: 1.2.0 -> 1.2.0
  0 breaking, 0 warnings, 0 compatible, 0 info
contracts/users.yaml: 1.0.0 -> 1.0.0
  0 breaking, 0 warnings, 0 compatible, 0 info"
cp ../v1_1.yaml contracts/orders.yaml
printf 'dataset: shops\nversion: 1.0.0\nschema: [{name: id, type: int}]\n' >contracts/shops.yaml
run 0 contract diff --git HEAD
expect_out_has "contracts/shops.yaml: new contract, version 1.0.0"
expect_out_has "contract_added"
# A deleted contract is breaking whatever the versions say.
rm contracts/users.yaml
run 1 contract diff --git HEAD contracts
expect_out_has "contracts/users.yaml: deleted (was version 1.0.0)"
expect_out_has "  breaking   both    contract_deleted       HEAD:contracts/users.yaml:1:10"
# Paths relative to a subdirectory work too.
cd contracts
run 0 contract diff --git HEAD orders.yaml
expect_out_has "orders.yaml: 1.2.0 -> 1.3.0"
cd ..
run 2 contract diff --git no-such-rev
expect_err_has "git ls-tree failed:"
cd ..
echo "contract_diff: ok"
