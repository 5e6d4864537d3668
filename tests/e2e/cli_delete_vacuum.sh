# tests/e2e/cli_delete_vacuum.sh - delete by predicate rewrites only the
# files holding matching rows; vacuum honours retention, dry runs and --force.
. "$(dirname "$0")/lib.inc"

printf '{"id":1,"c":"a"}\n{"id":2,"c":"a"}\n' >a.ndjson
printf '{"id":3,"c":"b"}\n{"id":4,"c":"b"}\n' >b.ndjson
run 0 write t a.ndjson --schema "id int64, c string"
run 0 write t b.ndjson
run 0 table delete t --where "id = 3"
expect_out_has "deleted 1 row"
run 0 cat t
expect_sorted_out '{"id":1,"c":"a"}
{"id":2,"c":"a"}
{"id":4,"c":"b"}'
# The file holding ids 1-2 (written by version 0) was not touched.
first=$(grep -o '"path":"[^"]*"' t/_delta_log/00000000000000000000.json | head -1 | cut -d'"' -f4)
[ -n "$first" ] || fail "no add in version 0"
run 0 table describe t --files
expect_out_has "$first"
second=$(grep -o '"path":"[^"]*"' t/_delta_log/00000000000000000001.json | head -1 | cut -d'"' -f4)
grep -qF "$second" "$WORK/out" && fail "the rewritten file is still active"
run 0 table delete t --where "id > 100"
expect_out_has "deleted 0 rows"
run 0 cat t --version 1
[ "$(wc -l <"$WORK/out")" = 4 ] || fail "version 1 should still have 4 rows"

# Vacuum: the default retention keeps the removed file (it is fresh).
run 0 table vacuum t --dry-run
run 2 table vacuum t --retain 1
expect_err_has "--force"
run 0 table vacuum t --retain 0 --force --dry-run
expect_out_has ".parquet"
n_before=$(find t -name '*.parquet' | wc -l)
run 0 table vacuum t --retain 0 --force
n_after=$(find t -name '*.parquet' | wc -l)
[ "$n_after" -lt "$n_before" ] || fail "vacuum removed nothing"
run 0 cat t
[ "$(wc -l <"$WORK/out")" = 3 ] || fail "vacuum changed the current version"
echo ok
