// tests/sql/compare.mjs - the SQL correctness suite: every query in
// tests/sql/queries/*.sql runs through `tarn sql` over Delta tables tarn
// wrote and through DuckDB over the same Parquet files; the answers must
// agree.
//
//   node tests/sql/compare.mjs --tarn PATH [--work DIR] [--filter REGEX] [--verbose]
//
// Data: a deterministic star schema (seeded generator below): silver.customers
// (300 rows), silver.products (50), silver.orders (5,000, written in three
// appends so the table has several files) with NULLs, zeros, unicode,
// quotes and empty strings. tarn writes them with `tarn write`; DuckDB gets
// views silver.<name> over read_parquet('<table>/*.parquet') (the tables have
// no deletes, so their Parquet files are the table).
//
// Query files: queries end with a line ending in ';'; lines starting with
// '--' are comments. A query whose text after its last ')' has ORDER BY is
// compared in order (such queries order totally); others as multisets.
// Values compare by meaning: numbers (and decimal strings) numerically with
// a relative tolerance of 1e-9 (sums of doubles differ in the last bits
// between engines; decimal scales may differ), everything else exactly.
// Column counts must agree; names are not compared (engines name unaliased
// expressions differently).
//
// Exit 0 when every query matches, 1 otherwise (each mismatch printed with
// both answers), 2 on a setup error.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuckDB, query, renderRows } from '../../scripts/duckdb.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const tarn = opt('--tarn');
const filter = opt('--filter') ? new RegExp(opt('--filter')) : null;
const verbose = args.includes('--verbose');
if (!tarn) {
  console.error('usage: node tests/sql/compare.mjs --tarn PATH [--work DIR] [--filter REGEX]');
  process.exit(2);
}
const work = opt('--work') ?? mkdtempSync(join(tmpdir(), 'tarn-sql-compare-'));
const lake = join(work, 'lake');

// Data ------------------------------------------------------------------------

let seed = 42n;
function rnd() {
  // splitmix64
  seed = (seed + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  let z = seed;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  return z ^ (z >> 31n);
}
const below = (n) => Number(rnd() % BigInt(n));
const pick = (a) => a[below(a.length)];

const countries = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'JP', 'BR'];
const segments = ['consumer', 'corporate', 'home_office', 'small_business'];
const first = ['Ada', 'Bo', 'Chen', 'Dana', 'Élodie', 'Farid', "O'Neil", 'Grace', 'Hiro', 'Zoë'];
const categories = ['books', 'games', 'garden', 'kitchen', 'toys', 'tools'];

function day(n) {
  return new Date(Date.UTC(2023, 0, 1) + n * 86400000).toISOString().slice(0, 10);
}
function cents(c) {
  return `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

function customers() {
  const rows = [];
  for (let i = 1; i <= 300; i++) {
    rows.push({
      customer_id: i,
      name: `${pick(first)} ${i}`,
      country: below(25) === 0 ? null : pick(countries),
      segment: pick(segments),
      signup_date: day(below(700)),
      credit_limit: below(10) === 0 ? null : cents(below(1000000)),
    });
  }
  return rows;
}

function products() {
  const rows = [];
  for (let i = 1; i <= 50; i++) {
    rows.push({
      product_id: i,
      category: pick(categories),
      price: cents(50 + below(20000)),
      active: below(5) !== 0,
    });
  }
  return rows;
}

function orders(from, n) {
  const notes = ['', 'gift', 'fragile: handle with care', '«rush»', 'call "before"', null, 'n/a'];
  const statuses = ['paid', 'paid', 'paid', 'refunded', 'pending', null];
  const rows = [];
  for (let i = from; i < from + n; i++) {
    const t = Date.UTC(2024, 0, 1) + below(366 * 86400) * 1000;
    rows.push({
      order_id: i,
      customer_id: below(40) === 0 ? null : 1 + below(320), // some match no customer
      product_id: 1 + below(50),
      ts: new Date(t).toISOString().replace('.000Z', 'Z'),
      amount: below(20) === 0 ? null : below(30) === 0 ? '0.00' : cents(below(50000)),
      quantity: 1 + below(9),
      status: pick(statuses),
      discount: below(3) === 0 ? null : below(50) / 100,
      note: pick(notes),
    });
  }
  return rows;
}

const schemas = {
  customers:
    'customer_id bigint, name string, country string, segment string, signup_date date, credit_limit decimal(10,2)',
  products: 'product_id int, category string, price decimal(8,2), active boolean',
  orders:
    'order_id bigint, customer_id bigint, product_id int, ts timestamp, amount decimal(10,2), quantity int, status string, discount double, note string',
};

function writeTable(name, rows) {
  const file = join(work, `${name}-${Math.random().toString(36).slice(2)}.ndjson`);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = spawnSync(tarn, ['write', join(lake, 'silver', name), file, '--schema', schemas[name], '--quiet'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`sql-compare: tarn write ${name} failed: ${r.stderr}`);
    process.exit(2);
  }
}

// Queries ---------------------------------------------------------------------

function loadQueries() {
  const dir = join(here, 'queries');
  const out = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()) {
    let cur = [];
    let line0 = 0;
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim().startsWith('--') || (!cur.length && !line.trim())) return;
        if (!cur.length) line0 = i + 1;
        cur.push(line);
        if (line.trimEnd().endsWith(';')) {
          const sql = cur.join('\n').trim().replace(/;$/, '');
          out.push({ name: `${f}:${line0}`, sql });
          cur = [];
        }
      });
  }
  return out;
}

function ordered(sql) {
  const tail = sql.slice(sql.lastIndexOf(')') + 1);
  return /\border\s+by\b/i.test(tail);
}

// Comparison ------------------------------------------------------------------

const NUM = /^-?\d+(\.\d+)?$/;
function norm(v) {
  if (typeof v === 'number') return { n: v };
  if (typeof v === 'string' && NUM.test(v)) return { n: Number(v) };
  return { s: v === null ? null : JSON.stringify(v) };
}
function same(a, b) {
  if ('n' in a && 'n' in b) {
    const d = Math.abs(a.n - b.n);
    return d <= 1e-9 * Math.max(1, Math.abs(a.n), Math.abs(b.n));
  }
  return 'n' in a === 'n' in b && a.s === b.s;
}
function key(row) {
  return JSON.stringify(row.map((x) => ('n' in x ? `n${x.n.toPrecision(10)}` : `s${x.s}`)));
}
function rowsOf(text) {
  return text
    .split('\n')
    .filter((l) => l.length)
    .map((l) => Object.values(JSON.parse(l)).map(norm));
}
function show(row) {
  return row.map((x) => ('n' in x ? String(x.n) : x.s)).join(' | ');
}

function compare(want, got, inOrder) {
  if (want.length !== got.length) return `rows: DuckDB ${want.length}, tarn ${got.length}`;
  if (want.length && want[0].length !== got[0].length)
    return `columns: DuckDB ${want[0].length}, tarn ${got[0].length}`;
  const a = inOrder ? want : [...want].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y)));
  const b = inOrder ? got : [...got].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y)));
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length || a[i].some((v, j) => !same(v, b[i][j])))
      return `row ${i + 1}${inOrder ? '' : ' (sorted)'}: DuckDB ${show(a[i])}\n      tarn   ${show(b[i])}`;
  }
  return null;
}

// Main ------------------------------------------------------------------------

mkdirSync(lake, { recursive: true });
writeTable('customers', customers());
writeTable('products', products());
writeTable('orders', orders(1, 2000));
writeTable('orders', orders(2001, 2000));
writeTable('orders', orders(4001, 1000));

const db = await openDuckDB({ threads: 2 });
await db.conn.run('CREATE SCHEMA silver');
for (const t of Object.keys(schemas))
  await db.conn.run(`CREATE VIEW silver.${t} AS SELECT * FROM read_parquet('${join(lake, 'silver', t)}/*.parquet')`);

const queries = loadQueries().filter((q) => !filter || filter.test(q.name) || filter.test(q.sql));
let failed = 0;
for (const q of queries) {
  let want;
  try {
    want = rowsOf(renderRows(await query(db.conn, q.sql)));
  } catch (e) {
    console.log(`FAIL ${q.name}: DuckDB cannot run it: ${e.message}\n  ${q.sql}`);
    failed++;
    continue;
  }
  const r = spawnSync(tarn, ['sql', '--lake', lake, '--format', 'ndjson', q.sql], {
    encoding: 'utf8',
    timeout: 60000,
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) {
    console.log(`FAIL ${q.name}: tarn exit ${r.status}: ${(r.stderr || '').trim()}\n  ${q.sql}`);
    failed++;
    continue;
  }
  const diff = compare(want, rowsOf(r.stdout), ordered(q.sql));
  if (diff) {
    console.log(`FAIL ${q.name}: ${diff}\n  ${q.sql}`);
    failed++;
  } else if (verbose) {
    console.log(`ok   ${q.name} (${want.length} rows)`);
  }
}
db.close();
console.log(`sql-compare: ${queries.length - failed} of ${queries.length} queries match DuckDB`);
if (!opt('--work')) rmSync(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
