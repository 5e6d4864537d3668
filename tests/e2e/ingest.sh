# tests/e2e/ingest.sh - `tarn ingest` into Bronze: every format and
# compression, records as received with their origin, invalid JSON kept
# and flagged, folders and globs, files never ingested twice (same file,
# same content), concurrent ingests of one file, a killed ingest, the
# append-only table, contract source settings and input errors.
. "$(dirname "$0")/lib.inc"

mkdir -p in/sub in/_staging in/.hidden
printf '{"id":1,"a":"x"}\n{"id":2,\n\n{"id":3}\r\n' >in/a.ndjson
printf 'id,name,note\n1,ann,"multi\nline"\n2,bob,ok\n' >in/sub/b.csv
printf '[{"id":10},\n {"id":11}, {bad}]' >in/c.json
printf 'x\ty\n1\t2\n' >in/d.tsv
printf '{"id":99}\n' | gzip >in/e.ndjson.gz
printf '{"id":98}\n' | zstd -q >in/f.jsonl.zst
echo '{"id":"staged"}' >in/_staging/s.ndjson
echo '{"id":"hidden"}' >in/.hidden/h.ndjson
export TARN_LAKE=$WORK/lake

run 0 ingest orders in
expect_out_has "bronze.orders: version 0: 11 records from 6 files (2 not valid JSON), 0 skipped"
expect_err_has "ingest: in/a.ndjson: 3 records (ndjson), 1 not valid JSON"
expect_err_has "ingest: in/sub/b.csv: 2 records (csv)"
expect_err_has "ingest: in/e.ndjson.gz: 1 record (ndjson)"
B=lake/bronze/orders
run 0 cat $B --format ndjson --columns _raw,_format,_header,_delimiter,_parse_error,_source_line,_source_offset --where "_format = 'ndjson' OR _format = 'csv'"
expect_sorted_out '{"_raw":"{\"id\":1,\"a\":\"x\"}","_format":"ndjson","_header":null,"_delimiter":null,"_parse_error":null,"_source_line":1,"_source_offset":0}
{"_raw":"{\"id\":2,","_format":"ndjson","_header":null,"_delimiter":null,"_parse_error":"invalid JSON: column 9: expected a string key","_source_line":2,"_source_offset":17}
{"_raw":"{\"id\":3}","_format":"ndjson","_header":null,"_delimiter":null,"_parse_error":null,"_source_line":4,"_source_offset":27}
{"_raw":"{\"id\":99}","_format":"ndjson","_header":null,"_delimiter":null,"_parse_error":null,"_source_line":1,"_source_offset":0}
{"_raw":"{\"id\":98}","_format":"ndjson","_header":null,"_delimiter":null,"_parse_error":null,"_source_line":1,"_source_offset":0}
{"_raw":"1,ann,\"multi\nline\"","_format":"csv","_header":"id,name,note","_delimiter":",","_parse_error":null,"_source_line":2,"_source_offset":13}
{"_raw":"2,bob,ok","_format":"csv","_header":"id,name,note","_delimiter":",","_parse_error":null,"_source_line":4,"_source_offset":32}'
run 0 cat $B --format csv --columns _raw,_parse_error,_source_line --where "_format = 'json'"
expect_sorted_out '_raw,_parse_error,_source_line
"{""id"":10}",,1
"{""id"":11}",,2
{bad},invalid JSON: column 2: expected a string key,2'
# Origin columns: absolute paths, one batch id, one ingestion time.
run 0 cat $B --format csv --columns _source_file
grep -q "^$WORK/in/sub/b.csv\$" "$WORK/out" || fail "absolute _source_file expected: $(cat "$WORK/out")"
grep -q "_staging\|hidden" "$WORK/out" && fail "files under _ or . names must be skipped"
run 0 cat $B --format csv --columns _batch_id,_ingested_at
[ "$(tail -n +2 "$WORK/out" | sort -u | wc -l)" = 1 ] || fail "one batch id and time per run"
run 0 table describe $B
expect_out_has "delta.appendOnly = true"
expect_out_has "delta.parquet.compression.codec = lz4_raw"
f=$(find $B -name '*.parquet' | head -1)
run 0 parquet inspect "$f"
expect_out_has "LZ4_RAW"

# Re-running never doubles data; a copy under another name is recognised.
run 0 ingest orders in
expect_out "bronze.orders: nothing new to ingest (6 files skipped)"
cp in/a.ndjson in/a_copy.ndjson
run 0 ingest orders in/a_copy.ndjson
expect_err_has "in/a_copy.ndjson: skipped, same content as a file already ingested"
# A changed file is new data; --force ingests a file again.
printf '{"id":4}\n' >>in/a.ndjson
run 0 ingest orders 'in/*.ndjson'
expect_out_has "version 1: 4 records from 1 file"
run 0 ingest orders in/d.tsv --force --json
expect_out_has '"records": 1,'
expect_out_has '"committed": true,'
run 0 cat $B --format csv --columns _format --where "_format = 'tsv'"
[ "$(grep -c tsv "$WORK/out")" = 2 ] || fail "--force should land the TSV row again"

# Bronze is append-only: deleting from it is refused.
run 2 table delete $B --where "_source_line = 1"
expect_err_has "append"

# Concurrent ingests of the same file: it lands once.
"$BUILD/tarn_tool_ndjgen" 20000 --seed 3 >big.ndjson
"$TARN" ingest conc big.ndjson --quiet >c1.out 2>c1.err &
p1=$!
"$TARN" ingest conc big.ndjson --quiet >c2.out 2>c2.err &
p2=$!
wait $p1
wait $p2
run 0 cat lake/bronze/conc --format csv --columns _source_line
[ "$(tail -n +2 "$WORK/out" | wc -l)" = 20000 ] || fail "concurrent ingests doubled or lost rows: $(cat c1.err c2.err)"

# A killed ingest leaves the table readable; the next run lands the file once.
"$BUILD/tarn_tool_ndjgen" 400000 --seed 4 >huge.ndjson
"$TARN" ingest crash huge.ndjson --quiet >/dev/null 2>&1 &
pk=$!
sleep 0.3
kill -9 $pk 2>/dev/null
wait $pk 2>/dev/null
if [ -d lake/bronze/crash/_delta_log ]; then
    run 0 cat lake/bronze/crash --format csv --columns _source_line --limit 1
fi
run 0 ingest crash huge.ndjson --quiet
run 0 cat lake/bronze/crash --format csv --columns _source_line
[ "$(tail -n +2 "$WORK/out" | wc -l)" = 400000 ] || fail "after a kill the file must land exactly once"

# Settings from the dataset's contract: source.path and format.
mkdir -p contracts feed
printf 'a;b\n1;2\n' >feed/x.txt
cat >contracts/events.yaml <<'Y'
dataset: events
source: {path: feed, format: csv, delimiter: ";"}
schema: [{name: a, type: int}]
Y
run 0 ingest events
expect_out_has "1 records from 1 file"
run 0 cat lake/bronze/events --format csv --columns _raw,_header,_delimiter
expect_out '_raw,_header,_delimiter
1;2,a;b,;'

# Parquet: each row lands as its canonical JSON text (Silver reads it like
# JSON) and its flat columns land typed, as they are, next to it.
printf '{"id":1,"amount":"1.50","ts":"2026-01-01T00:00:00Z"}\n{"id":2,"amount":null,"ts":"2026-01-02T00:00:00Z"}\n' >p.ndjson
run 0 write ptable p.ndjson --schema "id bigint, amount decimal(10,2), ts timestamp"
mkdir -p pq
cp "$(ls ptable/*.parquet | head -1)" pq/data.bin
run 0 ingest pq pq/data.bin --format parquet
expect_err_has "pq/data.bin: 2 records (parquet)"
cp pq/data.bin pq/again.parquet
run 0 ingest pq pq/again.parquet
expect_err_has "skipped, same content as a file already ingested"
run 0 cat lake/bronze/pq --format csv --columns _raw,_format,_source_line
expect_out '_raw,_format,_source_line
"{""id"":1,""amount"":""1.50"",""ts"":""2026-01-01T00:00:00.000000Z""}",parquet,1
"{""id"":2,""amount"":null,""ts"":""2026-01-02T00:00:00.000000Z""}",parquet,2'
run 0 cat lake/bronze/pq --format csv --columns id,amount,ts,_source_line
expect_out 'id,amount,ts,_source_line
1,1.50,2026-01-01T00:00:00.000000Z,1
2,,2026-01-02T00:00:00.000000Z,2'
run 0 table describe lake/bronze/pq
expect_out_has "decimal(10,2)"
# A later file whose 'id' is a string: that column stays in _raw (null typed),
# its new column is added; an NDJSON file's rows have no typed values.
printf '{"id":"x3","note":"n"}\n' >p2.ndjson
run 0 write ptable2 p2.ndjson --schema "id string, note string"
cp "$(ls ptable2/*.parquet | head -1)" pq/second.parquet
printf '{"id":4}\n' >pq/third.ndjson
run 0 ingest pq pq/second.parquet pq/third.ndjson
run 0 cat lake/bronze/pq --format csv --columns id,note,_format,_raw
expect_out 'id,note,_format,_raw
1,,parquet,"{""id"":1,""amount"":""1.50"",""ts"":""2026-01-01T00:00:00.000000Z""}"
2,,parquet,"{""id"":2,""amount"":null,""ts"":""2026-01-02T00:00:00.000000Z""}"
,n,parquet,"{""id"":""x3"",""note"":""n""}"
,,ndjson,"{""id"":4}"'
printf 'dataset: pq\nprimary_key: id\nschema:\n  - {name: id, type: bigint}\n  - {name: amount, type: "decimal(10,2)"}\n  - {name: ts, type: timestamp}\n' >contracts/pq.yaml
run 0 run pq --no-checks
run 0 cat lake/silver/pq --format csv --columns id,amount,ts
expect_sorted_out 'id,amount,ts
1,1.50,2026-01-01T00:00:00.000000Z
2,,2026-01-02T00:00:00.000000Z
4,,'
run 0 cat lake/silver/pq__quarantine --format csv --columns _reasons
expect_out_has "id: 'x3' is not int64"

# Input errors.
run 2 ingest orders nowhere.ndjson
expect_err_has "nowhere.ndjson: no such file or directory"
run 2 ingest orders 'in/*.xml'
expect_err_has "no files match 'in/*.xml'"
run 2 ingest
expect_err_has "no dataset given"
run 2 ingest bad-name in
expect_err_has "dataset name 'bad-name'"
run 2 ingest nosource
expect_err_has "no input given"
printf 'not gzip\n' >in/fake.ndjson.gz
run 2 ingest orders in/fake.ndjson.gz --compression gzip
run 2 ingest orders in --codec wat
expect_err_has "unknown codec 'wat'"
printf '{"id":21}\n' >in/zstd.ndjson
run 0 ingest orders in/zstd.ndjson --codec zstd
f=$(grep -o '"path":"[^"]*"' $B/_delta_log/$(ls $B/_delta_log | grep '\.json$' | tail -1) | head -1 | cut -d'"' -f4)
run 0 parquet inspect "$B/$f"
expect_out_has "ZSTD"
run 0 ingest --help
expect_out_has "usage: tarn ingest DATASET"
echo "ingest: ok"
