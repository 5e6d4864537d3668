# tests/e2e/table_optimize.sh - `tarn table optimize` as a user runs it:
# compaction of small files, Z-order clustering (a point lookup then reads
# one file), rows unchanged, history, errors.
. "$(dirname "$0")/lib.inc"

export TARN_LAKE="$WORK/lake"
i=0
while [ $i -lt 8 ]; do
    awk -v s=$i 'BEGIN { for (k = 0; k < 500; k++) { id = (s * 500 + k) * 7919 % 4000; printf "{\"id\":%d,\"v\":\"row %d\"}\n", id, id } }' >in$i.ndjson
    run 0 write "$TARN_LAKE/silver/t" in$i.ndjson --schema "id bigint, v string" --quiet
    i=$((i + 1))
done
"$TARN" cat "$TARN_LAKE/silver/t" | LC_ALL=C sort >before.txt

# Compaction by name (layer.name): 8 small files become 1.
run 0 table optimize silver.t
expect_out_has "optimize: 8 files"
expect_out_has "-> 1 files"
"$TARN" cat "$TARN_LAKE/silver/t" | LC_ALL=C sort >after.txt
cmp -s before.txt after.txt || fail "rows changed by optimize"
run 0 table history silver.t --limit 1
expect_out_has "OPTIMIZE"
# Nothing left to compact: no commit.
run 0 table optimize "$TARN_LAKE/silver/t"
expect_out_has "nothing to do"

# Z-order into small files: a point lookup reads one of them.
run 0 table optimize silver.t --zorder-by id --target-size 0.01
expect_out_has "z-order by id"
"$TARN" cat "$TARN_LAKE/silver/t" | LC_ALL=C sort >after2.txt
cmp -s before.txt after2.txt || fail "rows changed by z-order"
run 0 sql "SELECT v FROM silver.t WHERE id = 1234" --stats --format ndjson
expect_out '{"v":"row 1234"}'
expect_err_has "files read 1,"

# Errors: exit 2 with one line.
run 2 table optimize silver.t --zorder-by idd
expect_err_has "unknown Z-order column 'idd' (did you mean 'id'?)"
run 2 table optimize silver.t --target-size zero
expect_err_has "--target-size"
run 2 table optimize silver.nope
expect_err_has "silver.nope"
echo "table_optimize: ok"
