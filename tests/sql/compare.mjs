// tests/sql/compare.mjs - the SQL correctness suite: every query in
// tests/sql/queries/*.sql runs through `tarn sql` over Delta tables tarn
// wrote and through DuckDB over the same Parquet files; the answers must
// agree.
//
//   node tests/sql/compare.mjs [--tarn PATH] [--lake DIR | --work DIR] [--filter REGEX]
//                              [--jobs N] [--timeout SEC] [--strict-scale] [--strict]
//                              [--list-failing] [--verbose] [--self-check]
//
//   --tarn PATH     the binary under test (default $TARN, else build/debug/tarn);
//                   runs `tarn sql --lake LAKE --format ndjson "QUERY"` per query
//   --lake DIR      build the tables in DIR and keep them; a later run with the
//                   same DIR reuses them when the data is unchanged (see
//                   fixture.mjs). Default: a temporary directory, removed after.
//                   --work DIR is the same with DIR/lake.
//   --filter REGEX  only the queries whose name or text matches
//   --jobs N        tarn processes at once (default 4); --timeout SEC per
//                   query (default 60)
//   --strict-scale  decimals must have the same scale too ("1.50" != "1.5")
//   --strict        ignore tests/sql/known_failing.txt: every query must match
//   --list-failing  print only the names of the queries that do not match
//                   (known failures included), one a line: the list for
//                   known_failing.txt
//   --verbose       also print passing queries, and for failures the SQL and
//                   the first rows of both answers
//   --self-check    test the harness and the corpus, not tarn: the other side
//                   is a second DuckDB over copies of the tables stored in a
//                   shuffled row order (so multiset comparison and ORDER BY
//                   determinism are exercised). Without a tarn binary the
//                   lake is written by DuckDB.
//   Exit codes: 0 every query matches, or fails and is listed in
//   tests/sql/known_failing.txt (features tarn lacks; a listed query that
//   matches is a failure, so the list only shrinks); 1 otherwise, or on a
//   corpus error; 2 setup error. Output: one "FAIL NAME: difference" line
//   per failing query, then "sql-compare: N of M queries match DuckDB".
//
// Data: fixture.mjs (customers 300, products 50, orders 5,000 in three
// appends). DuckDB gets CREATE SCHEMA silver and views silver.<name> over
// read_parquet('LAKE/silver/<name>/*.parquet') (the tables have no deletes,
// so their Parquet files are the table), with TimeZone UTC.
//
// Query files, run in name order: NNN_area.sql by feature, simplest first
// (001 select, 002 where, 003 aggregate, 004 join, 005 subqueries/CTEs/set
// operations, 006 functions, 007 windows, 008 NULLs and decimals), each
// followed by NNNb/c/d files with more of the area (their last queries use
// the less common features); 900_duckdb_dialect.sql holds the DuckDB
// behaviours outside standard SQL that tarn matches on purpose. Everything
// else is written to mean the same in PostgreSQL. A query is one or more
// lines, ending with a line whose last character is ';'. Lines starting with "--" are comments; those
// before a query may hold directives for it:
//   -- query: NAME    its name (default: file name without .sql, '#', and
//                     its 1-based position in the file, e.g. 003_aggregate#7;
//                     so add new queries at the end of a file)
//   -- ordered / -- unordered   override the ORDER BY detection below
// No ';' inside a line, and no "--" comment after a query's text.
//
// Comparison, per query:
//   - ordered when the outermost statement has ORDER BY (an ORDER BY outside
//     all parentheses, strings and comments), then row by row; otherwise as
//     multisets. The corpus orders totally whenever it orders or limits
//     (--self-check catches ties: the shuffled copy breaks them differently).
//   - same row count; same column count and names (names compared,
//     case-insensitively, only where DuckDB's name is a plain identifier,
//     i.e. an alias or a column: engines name expressions differently);
//     with no rows tarn's NDJSON has no names, so neither is checked.
//   - each value by DuckDB's column type: integers exactly (JSON integers);
//     DOUBLE/FLOAT numbers within a relative 1e-9 (or 1e-12 absolute), NaN
//     and infinities exactly; DECIMAL as decimal strings with the same exact
//     value (trailing zeros ignored: "12.5" = "12.50", unless --strict-scale);
//     everything else (strings, booleans, dates, timestamps) exactly. A value
//     rendered in another form (a number where DuckDB has a decimal string,
//     a fraction where it has an integer, a timestamp ending in "Z" where
//     DuckDB's is a TIMESTAMP without time zone) fails as a type mismatch.
// Corpus rules, checked on every run: DuckDB must run the query, return at
// most 5,000 rows and only scalar types tarn renders the same way (no
// INTERVAL, LIST, STRUCT, ...); LIMIT/OFFSET only with an ORDER BY in the
// same SELECT; names unique.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDuckDB, parseJson, query, renderRows, show } from '../../scripts/duckdb.mjs';
import { buildLake, defaultTarn, SCHEMAS } from './fixture.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const MAX_ROWS = 5000;

// Options ---------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    tarn: null, lake: null, filter: null, jobs: Math.min(4, cpus().length || 1),
    timeout: 60, strictScale: false, listFailing: false, verbose: false, selfCheck: false, strict: false,
  };
  const valued = new Set(['--tarn', '--lake', '--work', '--filter', '--jobs', '--timeout']);
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (valued.has(a) && k + 1 >= argv.length) throw new Error(`${a} needs a value`);
    if (a === '--tarn') o.tarn = resolve(argv[++k]);
    else if (a === '--lake') o.lake = resolve(argv[++k]);
    else if (a === '--work') o.lake = resolve(argv[++k], 'lake');
    else if (a === '--filter') o.filter = new RegExp(argv[++k]);
    else if (a === '--jobs') o.jobs = Math.max(1, Number(argv[++k]) || 1);
    else if (a === '--timeout') o.timeout = Number(argv[++k]) || 60;
    else if (a === '--strict-scale') o.strictScale = true;
    else if (a === '--list-failing') o.listFailing = true;
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--self-check') o.selfCheck = true;
    else if (a === '--strict') o.strict = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.tarn) o.tarn = defaultTarn() && resolve(defaultTarn());
  if (o.tarn && !existsSync(o.tarn)) throw new Error(`no tarn binary at ${o.tarn}`);
  if (!o.tarn && !o.selfCheck) throw new Error('no tarn binary: give --tarn PATH (or set $TARN, or build build/debug/tarn)');
  return o;
}

// Query files -----------------------------------------------------------------

// Words of `sql` outside strings, quoted names and comments, each with the
// parenthesis depth it is at.
function words(sql) {
  const out = [];
  let depth = 0;
  for (let i = 0; i < sql.length; ) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === c && sql[j + 1] !== c)) j += sql[j] === c ? 2 : 1;
      i = j + 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === '(') {
      out.push({ w: '(', depth: depth++ });
      i++;
    } else if (c === ')') {
      out.push({ w: ')', depth: --depth });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j])) j++;
      out.push({ w: sql.slice(i, j).toUpperCase(), depth });
      i = j;
    } else i++;
  }
  return out;
}

// True when the outermost statement has an ORDER BY.
function outerOrderBy(sql) {
  const ws = words(sql);
  return ws.some((t, k) => t.depth === 0 && t.w === 'ORDER' && ws[k + 1]?.w === 'BY');
}

// Corpus problems visible in the text: LIMIT/OFFSET/FETCH in a parenthesis
// level (a SELECT) without ORDER BY.
function lint(sql) {
  const problems = [];
  const ordered = [false];
  const ws = words(sql);
  ws.forEach((t, k) => {
    if (t.w === '(') ordered.push(false);
    else if (t.w === ')') ordered.pop();
    else if (t.w === 'ORDER' && ws[k + 1]?.w === 'BY') ordered[ordered.length - 1] = true;
    else if ((t.w === 'LIMIT' || t.w === 'OFFSET' || t.w === 'FETCH') && !ordered[ordered.length - 1])
      problems.push(`${t.w} without ORDER BY in the same SELECT (the rows it keeps are not defined)`);
  });
  return problems;
}

function loadQueries(dir) {
  const out = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()) {
    const stem = f.replace(/\.sql$/, '');
    let cur = [], line0 = 0, name = null, order = null, n = 0;
    readFileSync(join(dir, f), 'utf8').split('\n').forEach((line, i) => {
      const t = line.trim();
      if (t.startsWith('--')) {
        const m = /^--\s*query:\s*(\S+)\s*$/.exec(t);
        if (m) name = m[1];
        else if (/^--\s*ordered\s*$/.test(t)) order = true;
        else if (/^--\s*unordered\s*$/.test(t)) order = false;
        return;
      }
      if (!cur.length && !t) return;
      if (!cur.length) line0 = i + 1;
      cur.push(line);
      if (line.trimEnd().endsWith(';')) {
        const sql = cur.join('\n').trim().replace(/;$/, '').trim();
        n++;
        out.push({
          name: name ?? `${stem}#${n}`, file: f, line: line0, sql,
          ordered: order ?? outerOrderBy(sql), problems: lint(sql),
        });
        cur = [];
        name = null;
        order = null;
      }
    });
    if (cur.length) throw new Error(`${f}:${line0}: query does not end with ';'`);
  }
  const seen = new Set();
  for (const q of out) {
    if (seen.has(q.name)) q.problems.push(`duplicate query name ${q.name}`);
    seen.add(q.name);
  }
  return out;
}

const KNOWN_FILE = 'tests/sql/known_failing.txt';

// NAME -> reason, from lines "NAME  # reason" (lines starting with '#' are
// comments; names hold '#' themselves, so a reason follows a space).
function loadKnown(file) {
  const out = new Map();
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\S+)(?:\s+#\s*(.*))?$/.exec(line.trim());
    if (m && !m[1].startsWith('#')) out.set(m[1], m[2] || 'no reason given');
  }
  return out;
}

// Answers ---------------------------------------------------------------------

// DuckDB type ids (@duckdb/node-api DuckDBTypeId) by how values compare.
const KIND = new Map([
  [1, 'bool'],
  ...[2, 3, 4, 5, 6, 7, 8, 9, 16].map((id) => [id, 'int']),
  [10, 'float'], [11, 'float'], [19, 'decimal'],
  [17, 'text'], [13, 'date'], [14, 'time'], [12, 'timestamp'], [31, 'timestamptz'],
]);
// Forms of the temporal kinds (DESIGN.md "NDJSON rendering"), so a timestamp
// with a zone where DuckDB has none shows as a type mismatch.
const FORM = {
  date: /^-?\d{4,}-\d\d-\d\d$/,
  time: /^\d\d:\d\d:\d\d\.\d{6}$/,
  timestamp: /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/,
  timestamptz: /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
};

// {names, rows: [[cell]]} from NDJSON text; cells as parseJson gives them.
function parseAnswer(text, who) {
  const rows = [];
  let names = null;
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    if (!lines[k]) continue;
    let v;
    try {
      v = parseJson(lines[k]);
    } catch (e) {
      throw new Error(`${who} output line ${k + 1} is not JSON: ${lines[k].slice(0, 120)}`);
    }
    if (!v || !v.obj) throw new Error(`${who} output line ${k + 1} is not a JSON object`);
    names ??= v.obj.map(([name]) => name);
    rows.push(v.obj.map(([, cell]) => cell));
  }
  return { names, rows };
}

const DEC = /^(-?)(\d+)(?:\.(\d+))?$/;
const SPECIAL = new Set(['NaN', 'Infinity', '-Infinity']);

function normDecimal(s) {
  const m = DEC.exec(s);
  const int = m[2].replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : int;
  return body === '0' ? '0' : m[1] + body;
}

// Does a non-null cell have the JSON form of this kind?
function kindOk(kind, v) {
  switch (kind) {
    case 'int': return v?.num !== undefined && /^-?\d+$/.test(v.num);
    case 'float': return v?.num !== undefined || SPECIAL.has(v);
    case 'decimal': return typeof v === 'string' && DEC.test(v);
    case 'bool': return typeof v === 'boolean';
    case 'text': return typeof v === 'string';
    default: return typeof v === 'string' && FORM[kind].test(v);
  }
}

function sameCell(kind, a, b, strictScale) {
  if (a === null || b === null) return a === b;
  switch (kind) {
    case 'int': return BigInt(a.num) === BigInt(b.num);
    case 'float': {
      if (typeof a === 'string' || typeof b === 'string') return a === b;
      const x = Number(a.num), y = Number(b.num), d = Math.abs(x - y);
      return x === y || d <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) || d < 1e-12;
    }
    case 'decimal': return strictScale ? a === b : normDecimal(a) === normDecimal(b);
    default: return a === b;
  }
}

// Multiset key of a row without its float cells (those match by tolerance).
function bucketKey(kinds, row) {
  return row.map((v, c) => {
    if (v === null) return 'N';
    if (kinds[c] === 'float') return '~';
    if (kinds[c] === 'int') return `i${BigInt(v.num)}`;
    if (kinds[c] === 'decimal') return `d${normDecimal(v)}`;
    return `s${JSON.stringify(v)}`;
  }).join('\u0001');
}

const showRow = (row) => {
  const s = `[${row.map(show).join(', ')}]`;
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
};

// Difference between DuckDB's answer `ref` ({names, types, rows}) and the
// other side's `got` ({names, rows}); null when they agree.
function compareAnswers(ref, got, q, strictScale, who) {
  const kinds = ref.types.map((t) => KIND.get(t.typeId) ?? 'text');
  const diffs = [];
  if (got.rows.length && got.names.length !== ref.names.length)
    return `columns: DuckDB ${ref.names.length} (${ref.names.join(', ')}), ${who} ${got.names.length} (${got.names.join(', ')})`;
  if (got.rows.length) {
    for (let c = 0; c < ref.names.length; c++) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref.names[c]) && ref.names[c].toLowerCase() !== got.names[c].toLowerCase())
        return `column ${c + 1} name: DuckDB ${ref.names[c]}, ${who} ${got.names[c]}`;
    }
    for (let c = 0; c < ref.names.length; c++) {
      const bad = got.rows.find((r) => r[c] !== null && !kindOk(kinds[c], r[c]));
      if (bad)
        return `column ${c + 1} (${ref.names[c]}) type: DuckDB ${ref.types[c].toString()}, ${who} rendered ${show(bad[c])}`;
    }
  }
  if (ref.rows.length !== got.rows.length) diffs.push(`rows: DuckDB ${ref.rows.length}, ${who} ${got.rows.length}`);
  const same = (a, b) => a.every((v, c) => sameCell(kinds[c], v, b[c], strictScale));
  if (q.ordered) {
    const n = Math.min(ref.rows.length, got.rows.length);
    for (let r = 0; r < n; r++) {
      if (!same(ref.rows[r], got.rows[r])) {
        diffs.push(`row ${r + 1} (ordered): DuckDB ${showRow(ref.rows[r])}, ${who} ${showRow(got.rows[r])}`);
        break;
      }
    }
    if (!diffs.length) return null;
    if (ref.rows.length !== got.rows.length && diffs.length === 1) {
      const extra = ref.rows.length > n ? `DuckDB row ${n + 1} ${showRow(ref.rows[n])}` : `${who} row ${n + 1} ${showRow(got.rows[n])}`;
      diffs.push(`first extra: ${extra}`);
    }
    return diffs.join('; ');
  }
  const buckets = new Map();
  for (const row of ref.rows) {
    const k = bucketKey(kinds, row);
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k).push(row);
  }
  const unexpected = [];
  for (const row of got.rows) {
    const list = buckets.get(bucketKey(kinds, row));
    const at = list ? list.findIndex((r) => same(r, row)) : -1;
    if (at < 0) unexpected.push(row);
    else list.splice(at, 1);
  }
  const missing = [...buckets.values()].flat();
  if (!missing.length && !unexpected.length && !diffs.length) return null;
  diffs.push(`${missing.length} DuckDB rows missing, ${unexpected.length} unexpected (as multisets)`);
  if (missing.length) diffs.push(`missing e.g. ${showRow(missing[0])}`);
  if (unexpected.length) diffs.push(`unexpected e.g. ${showRow(unexpected[0])}`);
  return diffs.join('; ');
}

// Sides -----------------------------------------------------------------------

function runTarn(o, lake, sql) {
  return new Promise((done) => {
    execFile(o.tarn, ['sql', '--lake', lake, '--format', 'ndjson', sql],
      { encoding: 'utf8', timeout: o.timeout * 1000, maxBuffer: 1 << 28, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (!err) return done({ text: stdout });
        if (err.killed) return done({ error: `tarn timed out after ${o.timeout} s (killed)` });
        if (err.signal) return done({ error: `tarn died of ${err.signal}: ${(stderr || '').trim().split('\n')[0]}` });
        const msg = (stderr || err.message).trim().split('\n')[0];
        done({ error: `tarn exit ${err.code}: ${msg}` });
      });
  });
}

async function views(conn, lake, shuffled) {
  await conn.run('CREATE SCHEMA silver');
  for (const t of Object.keys(SCHEMAS)) {
    const src = `read_parquet('${join(lake, 'silver', t, '*.parquet').replaceAll("'", "''")}')`;
    // The shuffled copy is a table (DuckDB scans tables in insertion order)
    // filled in an order unrelated to the files'.
    const key = SCHEMAS[t].split(' ')[0];
    await conn.run(shuffled
      ? `CREATE TABLE silver.${t} AS SELECT * FROM ${src} ORDER BY hash(${key} * 7919 + 13)`
      : `CREATE VIEW silver.${t} AS SELECT * FROM ${src}`);
  }
}

// Pool of `jobs` promises over items, results in item order.
async function pool(items, jobs, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k], k);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker));
  return out;
}

// Main ------------------------------------------------------------------------

async function main(argv) {
  let o;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error(`sql-compare: ${e.message}`);
    console.error('usage: node tests/sql/compare.mjs [--tarn PATH] [--lake DIR] [--filter REGEX] [--jobs N] [--timeout SEC] [--strict-scale] [--strict] [--list-failing] [--verbose] [--self-check]');
    return 2;
  }
  let queries, knownList;
  const knownProblems = [];
  try {
    const all = loadQueries(join(here, 'queries'));
    knownList = loadKnown(join(here, 'known_failing.txt'));
    const names = new Set(all.map((q) => q.name));
    for (const name of knownList.keys())
      if (!names.has(name)) knownProblems.push(`${KNOWN_FILE}: no query named ${name}`);
    queries = all.filter((q) => !o.filter || o.filter.test(q.name) || o.filter.test(q.sql));
  } catch (e) {
    console.error(`sql-compare: ${e.message}`);
    return 2;
  }
  const who = o.selfCheck ? 'check' : 'tarn';
  const t0 = Date.now();
  const temp = o.lake ? null : mkdtempSync(join(tmpdir(), 'tarn-sql-compare-'));
  const lake = o.lake ?? join(temp, 'lake');
  let ref = null, other = null;
  try {
    try {
      ref = await openDuckDB({ threads: 2, install: true });
      const how = await buildLake(lake, { tarn: o.tarn, duckdb: ref });
      if (o.verbose) console.log(`lake ${lake}: ${how === 'reused' ? 'reused' : `written by ${how}`}`);
      await views(ref.conn, lake, false);
      if (o.selfCheck) {
        other = await openDuckDB({ threads: 1 });
        await views(other.conn, lake, true);
      }
    } catch (e) {
      console.error(`sql-compare: setup failed: ${e.message}`);
      return 2;
    }

    // DuckDB first (one connection, in order), then the other side.
    const want = [];
    for (const q of queries) {
      try {
        const r = await query(ref.conn, q.sql);
        const bad = r.types.map((t, c) => (KIND.has(t.typeId) ? null : `${r.names[c]} ${t.toString()}`)).filter(Boolean);
        if (bad.length) q.problems.push(`result column types tarn does not render like DuckDB: ${bad.join(', ')}`);
        if (r.rows.length > MAX_ROWS) q.problems.push(`${r.rows.length} rows (keep results at most ${MAX_ROWS})`);
        want.push({ names: r.names, types: r.types, rows: parseAnswer(renderRows(r), 'DuckDB').rows });
      } catch (e) {
        q.problems.push(`DuckDB cannot run it: ${e.message.split('\n')[0]}`);
        want.push(null);
      }
    }
    const got = o.selfCheck
      ? await pool(queries, 1, async (q) => {
        try {
          return { text: renderRows(await query(other.conn, q.sql)) };
        } catch (e) {
          return { error: `check side: ${e.message.split('\n')[0]}` };
        }
      })
      : await pool(queries, o.jobs, (q, k) => (want[k] ? runTarn(o, lake, q.sql) : { error: 'skipped' }));

    // Known failures (not in --self-check, not with --strict): expected to
    // differ; one that matches now fails, so the list only ever shrinks.
    const known = o.selfCheck || o.strict ? new Map() : knownList;
    let failed = 0, xfail = 0, matched = 0;
    queries.forEach((q, k) => {
      let diff = null;
      let answer = null;
      if (q.problems.length) diff = `corpus: ${q.problems.join('; ')}`;
      else if (got[k].error) diff = got[k].error;
      else {
        try {
          answer = parseAnswer(got[k].text, who);
          diff = compareAnswers(want[k], answer, q, o.strictScale, who);
        } catch (e) {
          diff = e.message;
        }
      }
      const expected = known.has(q.name) && !q.problems.length;
      if (!diff) matched++;
      if (!diff && !expected) {
        if (o.verbose && !o.listFailing)
          console.log(`ok   ${q.name} (${want[k].rows.length} rows, ${q.ordered ? 'ordered' : 'multiset'})`);
        return;
      }
      if (diff && expected) {
        xfail++;
        if (o.listFailing) console.log(q.name);
        else if (o.verbose) console.log(`xfail ${q.name} (${known.get(q.name)}): ${diff}`);
        return;
      }
      if (!diff) diff = `matches now: remove it from ${KNOWN_FILE} (${known.get(q.name)})`;
      failed++;
      if (o.listFailing) {
        console.log(q.name);
        return;
      }
      console.log(`FAIL ${q.name}: ${diff}`);
      if (o.verbose) {
        console.log(`  ${q.file}:${q.line}: ${q.sql.replace(/\s*\n\s*/g, ' ')}`);
        if (want[k]) want[k].rows.slice(0, 5).forEach((r) => console.log(`  DuckDB ${showRow(r)}`));
        if (answer) answer.rows.slice(0, 5).forEach((r) => console.log(`  ${who.padEnd(6)} ${showRow(r)}`));
      }
    });
    for (const problem of knownProblems) {
      failed++;
      if (!o.listFailing) console.log(`FAIL ${problem}`);
    }
    if (failed && !o.listFailing && !o.verbose)
      console.log(`(rerun one with: node tests/sql/compare.mjs --filter 'NAME$' --verbose${o.selfCheck ? ' --self-check' : ''})`);
    if (o.verbose) console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
    let summary = `sql-compare: ${matched} of ${queries.length} queries match DuckDB`;
    if (o.selfCheck) summary += ' (self-check: DuckDB against DuckDB)';
    else if (xfail) summary += ` (${xfail} known failures, listed in ${KNOWN_FILE})`;
    if (o.listFailing) console.error(summary);
    else console.log(summary);
    return failed ? 1 : 0;
  } finally {
    other?.close();
    ref?.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
