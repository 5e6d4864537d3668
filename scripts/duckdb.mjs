// scripts/duckdb.mjs - run SQL in DuckDB (through @duckdb/node-api) and print
// the rows as NDJSON in tarn's canonical form; also a module for node tests.
//
// CLI:
//   node scripts/duckdb.mjs [--time] [--db FILE] [--threads N] [--compare EXPECTED.ndjson]
//                           "SQL" ["SQL" ...]
//     Runs every argument as one statement, in order, in one database (in
//     memory, or the DuckDB file given with --db; --threads caps DuckDB's
//     threads) with TimeZone=UTC, and prints the rows of the LAST one, one
//     JSON object per line (keys in column order). --time prints
//     "duckdb: <statement #> <ms> ms" for each statement on stderr.
//     --compare checks the last statement's rows against an NDJSON file by
//     value (see compareNdjson) instead of printing them; exit 1 and a list
//     of differences on stderr when they differ.
//   Exit codes: 0 ok, 1 mismatch or SQL error, 2 usage or missing DuckDB.
//
//   Examples:
//     node scripts/duckdb.mjs "SELECT * FROM read_parquet('x.parquet')"
//     node scripts/duckdb.mjs --compare want.ndjson "SELECT * FROM read_parquet('x.parquet')"
//     node scripts/duckdb.mjs --time --db bench.duckdb "COPY t TO 'y.parquet' (FORMAT parquet)"
//
// Module (import from another .mjs, e.g. tests/interop/parquet_duckdb_check.mjs):
//   cacheDir(), loadDuckDB({install})  where DuckDB lives / the loaded package
//   openDuckDB({threads, path, install}) -> {conn, close()}   TimeZone=UTC when
//                            DuckDB has ICU (without it DuckDB knows only UTC)
//   query(conn, sql)      -> {names, types, rows}   typed DuckDB values
//   renderValue(v, type)  -> canonical JSON text of one value
//   renderRows(result)    -> canonical NDJSON text (every line ends in \n)
//   renderFloat/renderDouble/renderDecimal   the number forms used above
//   parseJson(text)       -> lossless parse: numbers stay text ({num: "..."}),
//                            objects are {obj: [[key, value], ...]} in file order
//   sameValue(a, b), show(v)   compare / print parsed values
//   compareNdjson(expectedText, actualText, {maxDiffs, floatColumns})
//                         -> [difference text]; floatColumns: Set of FLOAT
//                            column names, compared as float32
//
// Canonical form (DESIGN.md "NDJSON rendering", testdata/parquet/README.md):
// integers with all digits; DOUBLE as the shortest round-trip text; FLOAT as
// the shortest text that reads back as the same float32; NaN/Infinity as
// strings; -0 as -0.0; DECIMAL as a string with exactly `scale` digits; DATE
// "YYYY-MM-DD"; TIME (and TIMETZ at offset 0) "HH:MM:SS.ffffff"; TIMESTAMP "YYYY-MM-DDTHH:MM:SS.ffffff"
// (+"Z" WITH TIME ZONE, nine digits for TIMESTAMP_NS); BLOB lowercase hex;
// UUID lowercase; LIST/ARRAY arrays; STRUCT objects; MAP arrays of
// {"key","value"} objects. Values are rendered from DuckDB's typed values
// (bigints, micros, bytes), never from lossy JS conversions.
//
// DuckDB is loaded from the cache directory scripts/duckdb-setup.sh installs
// into ($TARN_DUCKDB_DIR, else ${TARN_CACHE_DIR:-~/.cache/tarn}/duckdb); the
// CLI runs that script first when the package is missing.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function cacheDir() {
  if (process.env.TARN_DUCKDB_DIR) return process.env.TARN_DUCKDB_DIR;
  const cache = process.env.TARN_CACHE_DIR || join(process.env.HOME || homedir(), '.cache', 'tarn');
  return join(cache, 'duckdb');
}

let duckdbModule = null;

// Loads @duckdb/node-api from the cache dir; installs it first when install
// is true and it is missing. Throws with a hint otherwise.
export function loadDuckDB({ install = false } = {}) {
  if (duckdbModule) return duckdbModule;
  let dir = cacheDir();
  const pkg = join(dir, 'node_modules', '@duckdb', 'node-api', 'package.json');
  if (!existsSync(pkg)) {
    if (!install)
      throw new Error(`@duckdb/node-api is not installed in ${dir}; run sh scripts/duckdb-setup.sh`);
    dir = execFileSync('sh', [join(here, 'duckdb-setup.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  }
  const require = createRequire(join(dir, 'package.json'));
  duckdbModule = require('@duckdb/node-api');
  return duckdbModule;
}

export async function openDuckDB({ threads = 0, install = false, path = ':memory:' } = {}) {
  const duck = loadDuckDB({ install });
  const config = {};
  if (threads > 0) config.threads = String(threads);
  const instance = await duck.DuckDBInstance.create(path, config);
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
  } catch (e) {
    // Without the ICU extension (not bundled, and not downloadable offline)
    // DuckDB has no time zones at all: TIMESTAMPTZ is UTC already.
    if (!/icu/i.test(e.message)) throw e;
  }
  return {
    conn,
    close() {
      conn.closeSync?.();
      instance.closeSync?.();
    },
  };
}

export async function query(conn, sql) {
  const reader = await conn.runAndReadAll(sql);
  return { names: reader.columnNames(), types: reader.columnTypes(), rows: reader.getRows() };
}

// Rendering ------------------------------------------------------------------

const T = {
  BOOLEAN: 1, TINYINT: 2, SMALLINT: 3, INTEGER: 4, BIGINT: 5, UTINYINT: 6, USMALLINT: 7,
  UINTEGER: 8, UBIGINT: 9, FLOAT: 10, DOUBLE: 11, TIMESTAMP: 12, DATE: 13, TIME: 14,
  INTERVAL: 15, HUGEINT: 16, UHUGEINT: 32, VARCHAR: 17, BLOB: 18, DECIMAL: 19,
  TIMESTAMP_S: 20, TIMESTAMP_MS: 21, TIMESTAMP_NS: 22, ENUM: 23, LIST: 24, STRUCT: 25,
  MAP: 26, ARRAY: 33, UUID: 27, TIME_TZ: 30, TIMESTAMP_TZ: 31, SQLNULL: 36,
};

function specialFloat(x) {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  if (x === 0 && Object.is(x, -0)) return '-0.0';
  return null;
}

export function renderDouble(x) {
  return specialFloat(x) ?? String(x);
}

// Shortest decimal that reads back (as float32) as the same value, laid out
// like Number.prototype.toString.
export function renderFloat(x) {
  const s = specialFloat(x);
  if (s !== null) return s;
  for (let p = 1; p <= 9; p++) {
    const t = Number(x.toPrecision(p));
    if (Math.fround(t) === x) return String(t);
  }
  return String(x);
}

export function renderDecimal(value, scale) {
  const neg = value < 0n;
  let digits = (neg ? -value : value).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return JSON.stringify((neg ? '-' : '') + digits);
}

function pad(n, w) {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString().padStart(w, '0');
  return neg ? `-${s}` : s;
}

const floorDiv = (a, b) => {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
};

// Civil date of days since 1970-01-01 (proleptic Gregorian), BigInt math.
function civil(days) {
  const z = BigInt(days) + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = z - era * 146097n;
  const yoe = (doe - doe / 1460n + doe / 36524n - doe / 146096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const d = doy - (153n * mp + 2n) / 5n + 1n;
  const m = mp < 10n ? mp + 3n : mp - 9n;
  const y = yoe + era * 400n + (m <= 2n ? 1n : 0n);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

function clock(secOfDay, frac, digits) {
  const h = secOfDay / 3600n, mi = (secOfDay / 60n) % 60n, s = secOfDay % 60n;
  return `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(frac, digits)}`;
}

// Timestamp of `ticks` units (perSec ticks per second) since the epoch.
function stamp(ticks, perSec, digits, zone) {
  const perDay = 86400n * perSec;
  const days = floorDiv(ticks, perDay);
  const rem = ticks - days * perDay;
  return `"${civil(days)}T${clock(rem / perSec, rem % perSec, digits)}${zone}"`;
}

function hex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

// Canonical JSON text of one value of DuckDB type `type`.
export function renderValue(v, type) {
  if (v === null || v === undefined) return 'null';
  switch (type.typeId) {
    case T.BOOLEAN:
      return v ? 'true' : 'false';
    case T.TINYINT: case T.SMALLINT: case T.INTEGER: case T.UTINYINT: case T.USMALLINT:
    case T.UINTEGER: case T.BIGINT: case T.UBIGINT: case T.HUGEINT: case T.UHUGEINT:
      return v.toString();
    case T.FLOAT:
      return renderFloat(v);
    case T.DOUBLE:
      return renderDouble(v);
    case T.DECIMAL:
      return renderDecimal(v.value, type.scale);
    case T.VARCHAR: case T.ENUM:
      return JSON.stringify(String(v));
    case T.BLOB:
      return `"${hex(v.bytes)}"`;
    case T.UUID:
      return JSON.stringify(v.toString().toLowerCase());
    case T.DATE:
      return Number.isFinite(v.days) && v.isFinite !== false ? `"${civil(v.days)}"` : JSON.stringify(v.toString());
    case T.TIME:
      return `"${clock(v.micros / 1000000n, v.micros % 1000000n, 6)}"`;
    case T.TIME_TZ: {
      // Parquet TIME(isAdjustedToUTC=true) reads as TIMETZ with offset 0:
      // rendered like TIME, with "+HH:MM" only for a non-zero offset.
      const off = v.offset === 0 ? '' : `${v.offset < 0 ? '-' : '+'}${pad(BigInt(Math.floor(Math.abs(v.offset) / 3600)), 2)}:${pad(BigInt(Math.floor(Math.abs(v.offset) / 60) % 60), 2)}`;
      return `"${clock(v.micros / 1000000n, v.micros % 1000000n, 6)}${off}"`;
    }
    case T.TIMESTAMP: case T.TIMESTAMP_TZ:
      if (v.isFinite === false) return JSON.stringify(v.toString());
      return stamp(v.micros, 1000000n, 6, type.typeId === T.TIMESTAMP_TZ ? 'Z' : '');
    case T.TIMESTAMP_MS:
      return stamp(v.millis * 1000n, 1000000n, 6, '');
    case T.TIMESTAMP_S:
      return stamp(v.seconds * 1000000n, 1000000n, 6, '');
    case T.TIMESTAMP_NS:
      if (v.isFinite === false) return JSON.stringify(v.toString());
      return stamp(v.nanos, 1000000000n, 9, '');
    case T.LIST: case T.ARRAY:
      return `[${v.items.map((x) => renderValue(x, type.valueType)).join(',')}]`;
    case T.STRUCT:
      return `{${type.entryNames
        .map((n, i) => `${JSON.stringify(n)}:${renderValue(v.entries[n], type.entryTypes[i])}`)
        .join(',')}}`;
    case T.MAP:
      return `[${v.entries
        .map((e) => `{"key":${renderValue(e.key, type.keyType)},"value":${renderValue(e.value, type.valueType)}}`)
        .join(',')}]`;
    case T.SQLNULL:
      return 'null';
    default:
      return JSON.stringify(String(v));
  }
}

export function renderRows({ names, types, rows }) {
  const keys = names.map((n) => `${JSON.stringify(n)}:`);
  let out = '';
  for (const row of rows) {
    out += `{${row.map((v, i) => keys[i] + renderValue(v, types[i])).join(',')}}\n`;
  }
  return out;
}

// Lossless JSON -------------------------------------------------------------

export function parseJson(text) {
  let i = 0;
  const fail = (what) => {
    throw new Error(`JSON: ${what} at offset ${i} in ${text.slice(0, 200)}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const pairs = [];
      ws();
      if (text[i] === '}') { i++; return { obj: pairs }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        pairs.push([k, value()]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { obj: pairs }; }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      const items = [];
      ws();
      if (text[i] === ']') { i++; return items; }
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return items; }
        fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('bad value');
    i += m[0].length;
    return { num: m[0] };
  };
  const str = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

const isInt = (t) => /^-?[0-9]+$/.test(t);

// Compares two parsed values: integers exactly, other numbers as doubles
// (sign of zero included), strings exactly, containers element by element.
export function sameValue(a, b) {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, k) => sameValue(x, b[k]));
  }
  if (a.num !== undefined || b.num !== undefined) {
    if (a.num === undefined || b.num === undefined) return false;
    if (isInt(a.num) && isInt(b.num)) return BigInt(a.num) === BigInt(b.num);
    return Object.is(Number(a.num), Number(b.num));
  }
  return a.obj.length === b.obj.length && a.obj.every(([k, v], n) => k === b.obj[n][0] && sameValue(v, b.obj[n][1]));
}

// FLOAT cells (top-level keys in floatColumns) are equal when they read back
// as the same float32: the shortest digits of a float are not unique when
// two candidates are equally near (6.0976562 / 6.0976563).
function sameCell(a, b, isFloat32) {
  if (sameValue(a, b)) return true;
  return isFloat32 && a?.num !== undefined && b?.num !== undefined && Math.fround(Number(a.num)) === Math.fround(Number(b.num));
}

export function compareNdjson(expectedText, actualText, { maxDiffs = 20, floatColumns = new Set() } = {}) {
  const lines = (t) => (t.endsWith('\n') ? t.slice(0, -1) : t).split('\n').filter((l, n, all) => l !== '' || all.length > 1);
  const exp = expectedText === '' ? [] : lines(expectedText);
  const act = actualText === '' ? [] : lines(actualText);
  const diffs = [];
  if (exp.length !== act.length) diffs.push(`row count: expected ${exp.length}, got ${act.length}`);
  const n = Math.min(exp.length, act.length);
  for (let r = 0; r < n && diffs.length < maxDiffs; r++) {
    if (exp[r] === act[r]) continue;
    const e = parseJson(exp[r]), a = parseJson(act[r]);
    if (sameValue(e, a)) continue;
    if (!e?.obj || !a?.obj || e.obj.length !== a.obj.length) {
      diffs.push(`row ${r + 1}: expected ${exp[r]}\n       got ${act[r]}`);
      continue;
    }
    for (let c = 0; c < e.obj.length; c++) {
      const [ek, ev] = e.obj[c], [ak, av] = a.obj[c];
      if (ek !== ak) diffs.push(`row ${r + 1} column ${c + 1}: expected key ${ek}, got ${ak}`);
      else if (!sameCell(ev, av, floatColumns.has(ek)))
        diffs.push(`row ${r + 1} column ${ek}: expected ${show(ev)}, got ${show(av)}`);
    }
  }
  return diffs.slice(0, maxDiffs);
}

// Text of a parsed value, for messages.
export function show(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(',')}]`;
  if (v.num !== undefined) return v.num;
  return `{${v.obj.map(([k, x]) => `${JSON.stringify(k)}:${show(x)}`).join(',')}}`;
}

// CLI ------------------------------------------------------------------------

async function main(argv) {
  let time = false, compare = null, path = ':memory:', threads = 0;
  const sqls = [];
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--time') time = true;
    else if (argv[k] === '--compare') compare = argv[++k];
    else if (argv[k] === '--db') path = argv[++k];
    else if (argv[k] === '--threads') threads = Number(argv[++k]);
    else if (argv[k] === '--help') {
      process.stdout.write('usage: node scripts/duckdb.mjs [--time] [--db FILE] [--threads N] [--compare EXPECTED.ndjson] "SQL" ...\n');
      return 0;
    } else sqls.push(argv[k]);
  }
  if (sqls.length === 0 || (compare !== null && !compare)) {
    process.stderr.write('usage: node scripts/duckdb.mjs [--time] [--db FILE] [--threads N] [--compare EXPECTED.ndjson] "SQL" ...\n');
    return 2;
  }
  let db;
  try {
    db = await openDuckDB({ install: true, path, threads });
  } catch (e) {
    process.stderr.write(`duckdb.mjs: cannot load DuckDB: ${e.message}\n`);
    return 2;
  }
  try {
    let last = null;
    for (let k = 0; k < sqls.length; k++) {
      const t0 = process.hrtime.bigint();
      last = await query(db.conn, sqls[k]);
      if (time) process.stderr.write(`duckdb: ${k + 1} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms\n`);
    }
    const text = renderRows(last);
    if (compare === null) {
      process.stdout.write(text);
      return 0;
    }
    const floatColumns = new Set(last.names.filter((n, i) => last.types[i].typeId === T.FLOAT));
    const diffs = compareNdjson(readFileSync(compare, 'utf8'), text, { floatColumns });
    if (diffs.length) {
      process.stderr.write(`duckdb.mjs: rows differ from ${compare}:\n${diffs.join('\n')}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    process.stderr.write(`duckdb.mjs: ${e.message}\n`);
    return 1;
  } finally {
    db.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
