// tests/interop/parquet_duckdb_check.mjs - checks Parquet files written by
// tarn (tests/tools/pqgen.c) with DuckDB; driven by parquet_duckdb.sh.
//
// usage: node tests/interop/parquet_duckdb_check.mjs MANIFEST
// MANIFEST lines: "<file.parquet> <dataset> <codec> <page_version> <dict on|off>";
// beside each file pqgen left <name>.ndjson (tarn's canonical rows) and
// <name>.stats.json (the writer's per-column result statistics).
// Per file: rows read by DuckDB equal tarn's rows (by value); the Parquet
// schema (physical/converted/logical types, repetition) and DuckDB's column
// types are the expected ones; every chunk carries the requested codec and
// dictionary choice; footer statistics (null counts, min/max with the spec's
// float and truncation rules) agree with aggregates DuckDB computes from the
// data, per row group; and the writer's file-level statistics agree too.
// Prints every mismatch and exits 1 when there is any.

import { readFileSync } from 'node:fs';
import {
  openDuckDB, query, renderRows, renderValue, compareNdjson, parseJson, sameValue, show,
} from '../../scripts/duckdb.mjs';

// Expected schema elements in file order:
// name|physical (or group)|repetition|converted|logical substrings (;)|duckdb type
const SCHEMAS = {
  types: `
schema|group||||
id|INT64|REQUIRED|||BIGINT
b|BOOLEAN|OPTIONAL|||BOOLEAN
i8|INT32|OPTIONAL|INT_8|IntType;isSigned=1|TINYINT
i16|INT32|OPTIONAL|INT_16|IntType;isSigned=1|SMALLINT
i32|INT32|OPTIONAL|||INTEGER
i64|INT64|OPTIONAL|||BIGINT
u8|INT32|OPTIONAL|UINT_8|IntType;isSigned=0|UTINYINT
u16|INT32|OPTIONAL|UINT_16|IntType;isSigned=0|USMALLINT
u32|INT32|OPTIONAL|UINT_32|IntType;isSigned=0|UINTEGER
u64|INT64|OPTIONAL|UINT_64|IntType;isSigned=0|UBIGINT
f32|FLOAT|OPTIONAL|||FLOAT
f64|DOUBLE|OPTIONAL|||DOUBLE
d9|INT32|OPTIONAL|DECIMAL|DecimalType(scale=2, precision=9)|DECIMAL(9,2)
d18|INT64|OPTIONAL|DECIMAL|DecimalType(scale=4, precision=18)|DECIMAL(18,4)
d38|FIXED_LEN_BYTE_ARRAY|OPTIONAL|DECIMAL|DecimalType(scale=10, precision=38)|DECIMAL(38,10)
d1|INT32|OPTIONAL|DECIMAL|DecimalType(scale=0, precision=1)|DECIMAL(1,0)
s|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
bin|BYTE_ARRAY|OPTIONAL|||BLOB
u|FIXED_LEN_BYTE_ARRAY|OPTIONAL||UUIDType|UUID
dt|INT32|OPTIONAL|DATE|DateType|DATE
tm|INT64|OPTIONAL|TIME_MICROS|TimeType;isAdjustedToUTC=1;MICROS=MicroSeconds|TIME WITH TIME ZONE
ts|INT64|OPTIONAL|TIMESTAMP_MICROS|TimestampType;isAdjustedToUTC=1;MICROS=MicroSeconds|TIMESTAMP WITH TIME ZONE
tsntz|INT64|OPTIONAL||TimestampType;isAdjustedToUTC=0;MICROS=MicroSeconds|TIMESTAMP
tsns|INT64|OPTIONAL||TimestampType;isAdjustedToUTC=0;NANOS=NanoSeconds|TIMESTAMP_NS
req_s|BYTE_ARRAY|REQUIRED|UTF8|StringType|VARCHAR
lng|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR`,
  nested: `
schema|group||||
id|INT64|REQUIRED|||BIGINT
st|group|OPTIONAL|||
a|INT32|OPTIONAL|||INTEGER
b|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
c|group|OPTIONAL|||
x|BOOLEAN|REQUIRED|||BOOLEAN
y|group|OPTIONAL|LIST|ListType|
list|group|REPEATED|||
element|INT64|OPTIONAL|||BIGINT
l|group|OPTIONAL|LIST|ListType|
list|group|REPEATED|||
element|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
ll|group|OPTIONAL|LIST|ListType|
list|group|REPEATED|||
element|group|OPTIONAL|LIST|ListType|
list|group|REPEATED|||
element|INT32|REQUIRED|||INTEGER
m|group|OPTIONAL|MAP|MapType|
key_value|group|REPEATED|||
key|BYTE_ARRAY|REQUIRED|UTF8|StringType|VARCHAR
value|FIXED_LEN_BYTE_ARRAY|OPTIONAL|DECIMAL|DecimalType(scale=3, precision=20)|DECIMAL(20,3)
add|group|OPTIONAL|||
path|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
partitionValues|group|OPTIONAL|MAP|MapType|
key_value|group|REPEATED|||
key|BYTE_ARRAY|REQUIRED|UTF8|StringType|VARCHAR
value|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
size|INT64|OPTIONAL|||BIGINT
modificationTime|INT64|OPTIONAL|||BIGINT
dataChange|BOOLEAN|OPTIONAL|||BOOLEAN
stats|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
ls|group|REQUIRED|LIST|ListType|
list|group|REPEATED|||
element|group|OPTIONAL|||
k|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
v|INT64|OPTIONAL|TIMESTAMP_MICROS|TimestampType;isAdjustedToUTC=1|TIMESTAMP WITH TIME ZONE`,
  orders: `
schema|group||||
order_id|BYTE_ARRAY|REQUIRED|UTF8|StringType|VARCHAR
user_id|INT64|OPTIONAL|||BIGINT
amount|INT64|OPTIONAL|DECIMAL|DecimalType(scale=2, precision=10)|DECIMAL(10,2)
country|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
status|BYTE_ARRAY|OPTIONAL|UTF8|StringType|VARCHAR
ts|INT64|OPTIONAL|TIMESTAMP_MICROS|TimestampType;isAdjustedToUTC=1|TIMESTAMP WITH TIME ZONE
qty|INT32|OPTIONAL|||INTEGER
price|DOUBLE|OPTIONAL|||DOUBLE
flag|BOOLEAN|OPTIONAL|||BOOLEAN`,
};

// DuckDB's column types (DESCRIBE) of the nested data set.
const NESTED_TYPES = [
  'BIGINT',
  'STRUCT(a INTEGER, b VARCHAR, c STRUCT(x BOOLEAN, y BIGINT[]))',
  'VARCHAR[]',
  'INTEGER[][]',
  'MAP(VARCHAR, DECIMAL(20,3))',
  'STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR)',
  'STRUCT(k VARCHAR, v TIMESTAMP WITH TIME ZONE)[]',
];

const CODEC_NAMES = {
  zstd: 'ZSTD', snappy: 'SNAPPY', gzip: 'GZIP', brotli: 'BROTLI', lz4_raw: 'LZ4_RAW', uncompressed: 'UNCOMPRESSED',
};
const STATS_MAX = 64; // footer BYTE_ARRAY bound length (writer.c STATS_MAX_BYTES)

const problems = [];
let current = '';
const fail = (msg) => problems.push(`${current}: ${msg}`);
const sq = (s) => `'${s.replace(/'/g, "''")}'`;
const qi = (s) => `"${s.replace(/"/g, '""')}"`;

async function rowsOf(conn, sql) {
  const r = await query(conn, sql);
  return r.rows.map((row) => Object.fromEntries(r.names.map((n, i) => [n, row[i]])));
}

async function checkData(conn, file, ndjson) {
  const r = await query(conn, `SELECT * FROM read_parquet(${sq(file)})`);
  const floatColumns = new Set(r.names.filter((n, i) => r.types[i].typeId === 10 /* FLOAT */));
  const diffs = compareNdjson(readFileSync(ndjson, 'utf8'), renderRows(r), { floatColumns });
  for (const d of diffs) fail(`data: ${d}`);
}

async function checkSchema(conn, file, dataset) {
  const want = SCHEMAS[dataset].trim().split('\n').map((l) => l.split('|'));
  const got = await rowsOf(conn, `SELECT * FROM parquet_schema(${sq(file)})`);
  if (got.length !== want.length) {
    fail(`schema: ${got.length} elements, expected ${want.length}`);
    return;
  }
  want.forEach(([name, phys, rep, ct, lt, duck], k) => {
    const g = got[k];
    const where = `schema element ${k} (${name})`;
    if (g.name !== name) fail(`${where}: name ${g.name}`);
    if ((g.type ?? 'group') !== phys) fail(`${where}: physical type ${g.type}, expected ${phys}`);
    if (k > 0 && g.repetition_type !== rep) fail(`${where}: repetition ${g.repetition_type}, expected ${rep}`);
    if ((g.converted_type ?? '') !== ct) fail(`${where}: converted type ${g.converted_type}, expected ${ct || 'none'}`);
    const glt = g.logical_type ?? '';
    if (!lt && glt) fail(`${where}: unexpected logical type ${glt}`);
    for (const part of lt ? lt.split(';') : []) if (!glt.includes(part)) fail(`${where}: logical type ${glt} lacks ${part}`);
    if (duck && g.duckdb_type !== duck) fail(`${where}: DuckDB type ${g.duckdb_type}, expected ${duck}`);
    if (phys === 'FIXED_LEN_BYTE_ARRAY' && String(g.type_length) !== '16' && !duck.startsWith('DECIMAL(20'))
      fail(`${where}: type_length ${g.type_length}`);
  });
  if (dataset === 'nested') {
    const d = await rowsOf(conn, `DESCRIBE SELECT * FROM read_parquet(${sq(file)})`);
    d.forEach((row, k) => {
      if (row.column_type !== NESTED_TYPES[k]) fail(`column ${row.column_name}: DuckDB type ${row.column_type}, expected ${NESTED_TYPES[k]}`);
    });
    const ids = await rowsOf(conn, `SELECT name, field_id FROM parquet_schema(${sq(file)}) WHERE field_id IS NOT NULL`);
    const idText = ids.map((r) => `${r.name}=${r.field_id}`).join(',');
    if (idText !== 'id=1,st=2') fail(`field ids ${idText}, expected id=1,st=2`);
  }
}

// JS versions of tarn_pq_truncate_min/max on bytes (utf8: character-aware).
function truncMin(buf, utf8) {
  if (buf.length <= STATS_MAX) return buf;
  let k = STATS_MAX;
  if (utf8) while (k > 0 && (buf[k] & 0xc0) === 0x80) k--;
  return buf.subarray(0, k);
}
function truncMax(buf, utf8) {
  if (buf.length <= STATS_MAX) return buf;
  let k = STATS_MAX;
  const start = (i) => {
    while (i > 0 && (buf[i] & 0xc0) === 0x80) i--;
    return i;
  };
  if (utf8) k = start(k);
  while (k > 0) {
    const c = buf[k - 1];
    if (utf8 ? c < 0x7f : c < 0xff) {
      const out = Buffer.from(buf.subarray(0, k));
      out[k - 1] = c + 1;
      return out;
    }
    k = utf8 ? start(k - 1) : k - 1;
  }
  return null;
}

// DuckDB renders BLOB statistics with \xHH escapes for non-printable bytes.
function unescapeBlob(s) {
  const out = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === 'x') {
      out.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else out.push(s.charCodeAt(i));
  }
  return Buffer.from(out);
}

const isFloat = (t) => t === 'FLOAT' || t === 'DOUBLE';

async function checkStats(conn, file, stats, dataset, dict, codec) {
  const meta = await rowsOf(conn, `SELECT * FROM parquet_metadata(${sq(file)}) ORDER BY row_group_id, column_id`);
  const cols = (await rowsOf(conn, `DESCRIBE SELECT * FROM read_parquet(${sq(file)})`)).map((r) => ({
    name: r.column_name, type: r.column_type,
  }));
  const wantCodec = CODEC_NAMES[codec];
  let anyDict = false;
  for (const m of meta) {
    if (m.compression !== wantCodec) fail(`chunk ${m.path_in_schema}: compression ${m.compression}, expected ${wantCodec}`);
    if (/DICTIONARY/.test(m.encodings)) anyDict = true;
  }
  if (dict === 'off' && anyDict) fail('dictionary disabled but a chunk uses a dictionary encoding');
  if (dict === 'on' && !anyDict) fail('dictionary enabled but no chunk uses RLE_DICTIONARY');

  // Row group boundaries, then DuckDB's own aggregates per row group.
  const rgRows = [];
  for (const m of meta) rgRows[Number(m.row_group_id)] = Number(m.row_group_num_rows);
  const bounds = [];
  let acc = 0;
  for (const n of rgRows) bounds.push((acc += n));
  const flat = cols.filter((c) => !/[([]/.test(c.type.replace(/^DECIMAL\(\d+,\d+\)$/, 'DECIMAL')));
  const agg = (c) => {
    const col = qi(c.name), parts = [];
    if (c.type === 'BLOB') {
      parts.push(`hex(min(${col})) AS ${qi(`min_${c.name}`)}`, `hex(max(${col})) AS ${qi(`max_${c.name}`)}`);
    } else {
      const keep = isFloat(c.type) ? ` FILTER (WHERE NOT isnan(${col}))` : '';
      parts.push(`CAST(min(${col})${keep} AS VARCHAR) AS ${qi(`min_${c.name}`)}`);
      parts.push(`CAST(max(${col})${keep} AS VARCHAR) AS ${qi(`max_${c.name}`)}`);
      if (isFloat(c.type)) parts.push(`bool_or(isinf(${col})) AS ${qi(`inf_${c.name}`)}`);
    }
    parts.push(`count(*) - count(${col}) AS ${qi(`nulls_${c.name}`)}`);
    return parts.join(', ');
  };
  const rgCase = bounds.length ? `CASE ${bounds.map((b, k) => `WHEN file_row_number < ${b} THEN ${k}`).join(' ')} END` : '0';
  const selects = flat.map(agg);
  const per = selects.length
    ? await rowsOf(conn, `SELECT rg, ${selects.join(', ')} FROM (SELECT *, ${rgCase} AS rg FROM read_parquet(${sq(file)}, file_row_number=true)) GROUP BY rg ORDER BY rg`)
    : [];
  for (const m of meta) {
    const c = flat.find((x) => x.name === m.path_in_schema);
    if (!c) continue;
    const a = per[Number(m.row_group_id)];
    const where = `row group ${m.row_group_id} column ${c.name}`;
    if (!a) {
      fail(`${where}: no data rows`);
      continue;
    }
    if (BigInt(m.stats_null_count ?? -1) !== BigInt(a[`nulls_${c.name}`])) fail(`${where}: stats null_count ${m.stats_null_count}, data has ${a[`nulls_${c.name}`]}`);
    let lo = a[`min_${c.name}`], hi = a[`max_${c.name}`];
    const smin = m.stats_min_value, smax = m.stats_max_value;
    if (lo === null) {
      if (smin !== null || smax !== null) fail(`${where}: min/max ${smin}/${smax} for a column without values`);
      continue;
    }
    if (isFloat(c.type)) {
      if (smin === null && smax === null && a[`inf_${c.name}`]) continue; // DuckDB hides infinite bounds
      if (Number(lo) === 0) lo = '-0.0';
      if (Number(hi) === 0) hi = '0.0';
      const same = (x, y) => x !== null && Object.is(Number(x), Number(y));
      if (!same(smin, lo) || !same(smax, hi)) fail(`${where}: stats ${smin}..${smax}, data ${lo}..${hi}`);
      continue;
    }
    if (c.type === 'VARCHAR' || c.type === 'BLOB') {
      const utf8 = c.type === 'VARCHAR';
      const bytes = (s) => (utf8 ? Buffer.from(s, 'utf8') : Buffer.from(s, 'hex'));
      const got = (s) => (s === null ? null : utf8 ? Buffer.from(s, 'utf8') : unescapeBlob(s));
      const wmin = truncMin(bytes(lo), utf8), wmax = truncMax(bytes(hi), utf8);
      const gmin = got(smin), gmax = got(smax);
      if (!gmin || Buffer.compare(gmin, wmin) !== 0) fail(`${where}: stats min ${smin}, expected ${wmin.toString(utf8 ? 'utf8' : 'hex')}`);
      if (wmax === null ? gmax !== null : !gmax || Buffer.compare(gmax, wmax) !== 0)
        fail(`${where}: stats max ${smax}, expected ${wmax && wmax.toString(utf8 ? 'utf8' : 'hex')}`);
      const truncated = bytes(lo).length > STATS_MAX || bytes(hi).length > STATS_MAX;
      if (truncated && m.min_is_exact !== false && m.max_is_exact !== false)
        fail(`${where}: truncated bounds not flagged inexact (${m.min_is_exact}/${m.max_is_exact})`);
      continue;
    }
    if (smin !== lo || smax !== hi) fail(`${where}: stats ${smin}..${smax}, data ${lo}..${hi}`);
  }

  // The writer's file-level result vs DuckDB over the whole file.
  // Parsed losslessly: 64-bit bounds do not survive JSON.parse.
  const get = (o, k) => o.obj.find(([key]) => key === k)?.[1];
  const res = parseJson(readFileSync(stats, 'utf8').trim());
  const total = (await rowsOf(conn, `SELECT count(*) AS n FROM read_parquet(${sq(file)})`))[0].n;
  if (BigInt(get(res, 'num_rows').num) !== BigInt(total)) fail(`result num_rows ${show(get(res, 'num_rows'))}, DuckDB counts ${total}`);
  for (const c of cols) {
    const o = get(res, 'columns').find((x) => get(x, 'name') === c.name);
    const rc = { null_count: get(o, 'null_count').num, has_min_max: get(o, 'has_min_max'), min: get(o, 'min'), max: get(o, 'max') };
    const col = qi(c.name);
    const keep = isFloat(c.type) ? ` FILTER (WHERE NOT isnan(${col}))` : '';
    const r = await query(conn, `SELECT count(*) - count(${col}) AS nulls, min(${col})${keep} AS lo, max(${col})${keep} AS hi FROM read_parquet(${sq(file)})`);
    const [nulls, lo, hi] = r.rows[0];
    if (BigInt(rc.null_count) !== BigInt(nulls)) fail(`result ${c.name}: null_count ${rc.null_count}, DuckDB ${nulls}`);
    if (!flat.includes(c)) {
      if (rc.has_min_max) fail(`result ${c.name}: nested column reports min/max`);
      continue;
    }
    if (lo === null) {
      if (rc.has_min_max) fail(`result ${c.name}: min/max for a column without values`);
      continue;
    }
    const expLo = parseJson(renderValue(lo, r.types[1])), expHi = parseJson(renderValue(hi, r.types[2]));
    const eq = (x, y) => sameValue(x, y) || (isFloat(c.type) && x?.num !== undefined && y?.num !== undefined && Number(x.num) === Number(y.num));
    const gotLo = rc.has_min_max ? rc.min : null;
    const gotHi = rc.has_min_max ? rc.max : null;
    if (!rc.has_min_max || !eq(gotLo, expLo) || !eq(gotHi, expHi))
      fail(`result ${c.name}: min/max ${rc.has_min_max ? `${show(gotLo)}..${show(gotHi)}` : 'absent'}, DuckDB ${show(expLo)}..${show(expHi)}`);
  }
}

async function main() {
  const manifest = process.argv[2];
  if (!manifest) {
    process.stderr.write('usage: node tests/interop/parquet_duckdb_check.mjs MANIFEST\n');
    return 2;
  }
  const db = await openDuckDB();
  const entries = readFileSync(manifest, 'utf8').trim().split('\n').map((l) => l.split(' '));
  try {
    for (const [file, dataset, codec, pv, dict] of entries) {
      current = file.replace(/^.*\//, '');
      const base = file.replace(/\.parquet$/, '');
      try {
        await checkData(db.conn, file, `${base}.ndjson`);
        await checkSchema(db.conn, file, dataset);
        await checkStats(db.conn, file, `${base}.stats.json`, dataset, dict, codec);
      } catch (e) {
        fail(`DuckDB error: ${e.message}`);
      }
      void pv;
    }
  } finally {
    db.close();
  }
  const n = entries.length;
  if (problems.length) {
    process.stderr.write(`${problems.slice(0, 200).join('\n')}\n`);
    process.stderr.write(`parquet_duckdb: ${problems.length} mismatch(es) in ${n} files\n`);
    return 1;
  }
  process.stdout.write(`parquet_duckdb: ${n} files read back by DuckDB, all match\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`parquet_duckdb_check: ${e.stack || e}\n`);
    process.exitCode = 1;
  },
);
