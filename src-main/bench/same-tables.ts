/**
 * Whether two SQLite databases hold the same rows, table by table: a check to rerun after a change
 * that must not change what is stored (the import's end-of-load scoring bounded in memory, say),
 * on two databases built the same way (the same input, the same clock) by the two versions.
 *
 * Each table's rows are read in the order of all their columns (so a row's rowid, which a
 * different order of inserts may change, is not compared) and hashed; the tables, their counts
 * and the hashes are printed, with the tables that differ. Exit 1 when any differs.
 *
 *   tsx src-main/bench/same-tables.ts A.sqlite B.sqlite [--ignore table,table]
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';

export interface TableFigure {
  table: string;
  rows: number;
  sha256: string;
}

/** Every table's row count and the hash of its rows in the order of all their columns. */
export function tableFigures(file: string, ignore: ReadonlySet<string> = new Set()): TableFigure[] {
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{
        name: string;
      }>
    )
      .map((t) => t.name)
      .filter((t) => !ignore.has(t));
    return tables.map((table) => {
      const quoted = `"${table.replaceAll('"', '""')}"`;
      const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as Array<{ name: string }>).map(
        (c) => `"${c.name.replaceAll('"', '""')}"`,
      );
      const hash = createHash('sha256');
      let rows = 0;
      // Raw rows: numbers and text as stored (a REAL's every bit, through its JSON form), blobs as hex.
      for (const row of db
        .prepare(`SELECT ${columns.join(', ')} FROM ${quoted} ORDER BY ${columns.join(', ')}`)
        .raw()
        .iterate()) {
        hash.update(
          JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)),
        );
        hash.update('\n');
        rows++;
      }
      return { table, rows, sha256: hash.digest('hex').slice(0, 16) };
    });
  } finally {
    db.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--ignore');
  const ignore = new Set(at >= 0 ? (args.splice(at, 2)[1] ?? '').split(',') : []);
  const [a, b] = args;
  if (!a || !b) {
    process.stderr.write('usage: tsx src-main/bench/same-tables.ts A.sqlite B.sqlite [--ignore table,table]\n');
    process.exit(2);
  }
  const fa = tableFigures(a, ignore);
  const fb = new Map(tableFigures(b, ignore).map((f) => [f.table, f]));
  let differ = 0;
  for (const f of fa) {
    const g = fb.get(f.table);
    const same = g !== undefined && g.rows === f.rows && g.sha256 === f.sha256;
    if (!same) differ++;
    process.stdout.write(
      `${same ? 'same ' : 'DIFF '} ${f.table}: ${f.rows} rows ${f.sha256}${same ? '' : ` / ${g ? `${g.rows} rows ${g.sha256}` : 'missing'}`}\n`,
    );
    fb.delete(f.table);
  }
  for (const g of fb.values()) {
    differ++;
    process.stdout.write(`DIFF  ${g.table}: missing / ${g.rows} rows ${g.sha256}\n`);
  }
  process.stdout.write(`${differ ? `${differ} table(s) differ` : `all ${fa.length} tables the same`}\n`);
  process.exit(differ ? 1 : 0);
}
