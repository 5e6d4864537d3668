// tests/sql/fixture.mjs - the data of the SQL correctness suite: a small,
// deterministic star schema written as Delta tables with `tarn write`.
//
// CLI:
//   node tests/sql/fixture.mjs --ndjson DIR
//     Writes the rows as NDJSON: DIR/customers.ndjson, DIR/products.ndjson,
//     DIR/orders-1.ndjson .. orders-3.ndjson (the three appends).
//   node tests/sql/fixture.mjs --lake DIR [--tarn PATH]
//     Builds (or confirms) the lake DIR/silver/{customers,products,orders}
//     with `tarn write` (PATH, else $TARN, else build/debug/tarn); without a
//     tarn binary, DuckDB writes plain Parquet files instead (enough for
//     `compare.mjs --self-check`, not for tarn).
//   Exit codes: 0 ok, 2 usage or a failed write.
//
// Module (tests/sql/compare.mjs):
//   SCHEMAS               {table: tarn --schema text}
//   generate()            -> {customers, products, orders: [batch1, batch2, batch3]}
//   fingerprint()         -> hex digest of the schemas and rows (lake reuse)
//   buildLake(lake, {tarn, duckdb}) -> 'reused' | 'tarn' | 'duckdb'
//
// Tables (layer silver; rows fixed by the seed, no Math.random):
//   customers  300 rows: customer_id bigint 1..300, name string (unicode
//              and an apostrophe: "Élodie 7", "O'Neil 12", "Zoë 3"),
//              country string (8 codes, ~4% null), segment string (4),
//              signup_date date (2023-01-01 .. 2024-12-01), credit_limit
//              decimal(10,2) (~10% null)
//   products   50 rows: product_id int 1..50, category string (6), price
//              decimal(8,2), active boolean (~80% true)
//   orders     5,000 rows in three appends (2,000 + 2,000 + 1,000, so the
//              table has three files): order_id bigint 1..5000, customer_id
//              bigint (1..320: ids above 300 match no customer; ~2.5% null),
//              product_id int 1..50, ts timestamp (UTC, whole seconds over
//              2024), amount decimal(10,2) (~5% null, some 0.00), quantity
//              int 1..9, status string (paid/refunded/pending, ~17% null),
//              discount double (0.00..0.49, ~1/3 null), note string ('' ,
//              quotes, «guillemets», null)
//
// The lake gets a marker file (.tarn-sql-fixture: fingerprint and writer)
// so a reused --lake is rebuilt when the data changes, and a directory that
// was not made here is never overwritten.

import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

export const SCHEMAS = {
  customers:
    'customer_id bigint, name string, country string, segment string, signup_date date, credit_limit decimal(10,2)',
  products: 'product_id int, category string, price decimal(8,2), active boolean',
  orders:
    'order_id bigint, customer_id bigint, product_id int, ts timestamp, amount decimal(10,2), quantity int, status string, discount double, note string',
};

// DuckDB column types of the same schemas (the Parquet files tarn writes read
// back as these; tarn's timestamp is UTC-adjusted, so TIMESTAMPTZ).
const DUCK_TYPES = {
  bigint: 'BIGINT', int: 'INTEGER', string: 'VARCHAR', date: 'DATE', timestamp: 'TIMESTAMPTZ',
  double: 'DOUBLE', boolean: 'BOOLEAN',
};

const MARKER = '.tarn-sql-fixture';

// Generator -------------------------------------------------------------------
// splitmix64 over BigInt; every table draws from the one stream in a fixed
// order (customers, products, orders 1..5000), so the rows never change
// unless this code does.

function generator(seed) {
  let state = BigInt(seed);
  const rnd = () => {
    state = (state + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return z ^ (z >> 31n);
  };
  const below = (n) => Number(rnd() % BigInt(n));
  return { below, pick: (a) => a[below(a.length)] };
}

const countries = ['DE', 'FR', 'US', 'GB', 'ES', 'IT', 'JP', 'BR'];
const segments = ['consumer', 'corporate', 'home_office', 'small_business'];
const firstNames = ['Ada', 'Bo', 'Chen', 'Dana', 'Élodie', 'Farid', "O'Neil", 'Grace', 'Hiro', 'Zoë'];
const categories = ['books', 'games', 'garden', 'kitchen', 'toys', 'tools'];
const notes = ['', 'gift', 'fragile: handle with care', '«rush»', 'call "before"', null, 'n/a'];
const statuses = ['paid', 'paid', 'paid', 'refunded', 'pending', null];

const day = (n) => new Date(Date.UTC(2023, 0, 1) + n * 86400000).toISOString().slice(0, 10);
const cents = (c) => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, '0')}`;

export function generate() {
  const { below, pick } = generator(42);
  const customers = [];
  for (let i = 1; i <= 300; i++) {
    customers.push({
      customer_id: i,
      name: `${pick(firstNames)} ${i}`,
      country: below(25) === 0 ? null : pick(countries),
      segment: pick(segments),
      signup_date: day(below(700)),
      credit_limit: below(10) === 0 ? null : cents(below(1000000)),
    });
  }
  const products = [];
  for (let i = 1; i <= 50; i++) {
    products.push({
      product_id: i,
      category: pick(categories),
      price: cents(50 + below(20000)),
      active: below(5) !== 0,
    });
  }
  const batch = (from, n) => {
    const rows = [];
    for (let i = from; i < from + n; i++) {
      const t = Date.UTC(2024, 0, 1) + below(366 * 86400) * 1000;
      rows.push({
        order_id: i,
        customer_id: below(40) === 0 ? null : 1 + below(320),
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
  };
  const orders = [batch(1, 2000), batch(2001, 2000), batch(4001, 1000)];
  return { customers, products, orders };
}

export const toNdjson = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

// The files to write, in order: [table, file stem, rows].
function files(data) {
  return [
    ['customers', 'customers', data.customers],
    ['products', 'products', data.products],
    ...data.orders.map((rows, k) => ['orders', `orders-${k + 1}`, rows]),
  ];
}

export function fingerprint() {
  const h = createHash('sha256');
  h.update(JSON.stringify(SCHEMAS));
  for (const [table, stem, rows] of files(generate())) h.update(`${table}/${stem}\n${toNdjson(rows)}`);
  return h.digest('hex').slice(0, 16);
}

export function writeNdjson(dir) {
  mkdirSync(dir, { recursive: true });
  for (const [, stem, rows] of files(generate())) writeFileSync(join(dir, `${stem}.ndjson`), toNdjson(rows));
}

// Lake ------------------------------------------------------------------------

function duckColumns(schema) {
  return schema.split(/,(?![^()]*\))/).map((c) => {
    const [name, type] = c.trim().split(/\s+/, 2);
    return [name, DUCK_TYPES[type] ?? type.toUpperCase()];
  });
}

// Makes LAKE/silver/<table> for every table, unless the marker says the lake
// already holds this data from the same kind of writer. `tarn` is a binary
// path (tarn write: Delta tables) or null; `duckdb` is {conn} from
// scripts/duckdb.mjs openDuckDB, used only when tarn is null (plain Parquet).
// Throws with a one-line reason on failure.
export async function buildLake(lake, { tarn = null, duckdb = null } = {}) {
  const writer = tarn ? 'tarn' : 'duckdb';
  const want = `${fingerprint()} ${writer}\n`;
  const marker = join(lake, MARKER);
  if (existsSync(marker)) {
    if (readFileSync(marker, 'utf8') === want) return 'reused';
    for (const t of Object.keys(SCHEMAS)) rmSync(join(lake, 'silver', t), { recursive: true, force: true });
    rmSync(marker);
  } else if (existsSync(lake) && readdirSync(lake).length > 0) {
    throw new Error(`${lake} is not empty and was not made by tests/sql/fixture.mjs; give a new or empty directory`);
  }
  const staging = join(lake, '.fixture-ndjson');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const data = generate();
  for (const [table, stem, rows] of files(data)) {
    const file = join(staging, `${stem}.ndjson`);
    writeFileSync(file, toNdjson(rows));
    const dir = join(lake, 'silver', table);
    if (tarn) {
      const r = spawnSync(tarn, ['write', dir, file, '--schema', SCHEMAS[table], '--quiet'], { encoding: 'utf8' });
      if (r.error) throw new Error(`cannot run ${tarn}: ${r.error.message}`);
      if (r.status !== 0) throw new Error(`tarn write ${table} failed: ${(r.stderr || '').trim()}`);
    } else {
      if (!duckdb) throw new Error('buildLake needs a tarn binary or a DuckDB connection');
      mkdirSync(dir, { recursive: true });
      const cols = duckColumns(SCHEMAS[table]).map(([n, t]) => `${n}: '${t}'`).join(', ');
      const lit = (p) => `'${p.replaceAll("'", "''")}'`;
      await duckdb.conn.run(
        `COPY (SELECT * FROM read_json(${lit(file)}, format = 'newline_delimited', columns = {${cols}})) ` +
          `TO ${lit(join(dir, `${stem}.parquet`))} (FORMAT parquet)`,
      );
    }
  }
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(marker, want);
  return writer;
}

// The tarn binary to use when none is named: $TARN, else build/debug/tarn.
export function defaultTarn() {
  if (process.env.TARN) return process.env.TARN;
  const p = join(root, 'build', 'debug', 'tarn');
  return existsSync(p) ? p : null;
}

// CLI -------------------------------------------------------------------------

async function main(argv) {
  const usage = 'usage: node tests/sql/fixture.mjs --ndjson DIR | --lake DIR [--tarn PATH]\n';
  const opt = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv.includes('--help')) {
    process.stdout.write(usage);
    return 0;
  }
  if (opt('--ndjson')) {
    writeNdjson(opt('--ndjson'));
    return 0;
  }
  const lake = opt('--lake');
  if (!lake) {
    process.stderr.write(usage);
    return 2;
  }
  const tarn = opt('--tarn') ?? defaultTarn();
  let db = null;
  try {
    if (!tarn) {
      const { openDuckDB } = await import('../../scripts/duckdb.mjs');
      db = await openDuckDB({ install: true });
    }
    const how = await buildLake(resolve(lake), { tarn, duckdb: db });
    process.stderr.write(`fixture: ${lake}: ${how === 'reused' ? 'up to date' : `written by ${how}`}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`fixture: ${e.message}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
