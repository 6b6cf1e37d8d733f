import { createHash } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type PostgresPool } from 'kysely';
import copyStreams from 'pg-copy-streams';
import type { Database } from './schema';
import { wrapClientQuery } from './client-query';

/**
 * PostgreSQL's bulk path: rows streamed with `COPY … FROM STDIN` into a session-local staging
 * table, then moved into the real table with one `INSERT … SELECT … ON CONFLICT`, all in the
 * caller's transaction (kysely's). A multi-row INSERT makes the server parse and plan a
 * statement with thousands of parameters per 256 rows; COPY streams text the server reads at
 * disk speed, and the INSERT … SELECT keeps the conflict rules of the multi-row statement.
 *
 * kysely hands out pg clients and sends them `client.query(sql, params)`; a pool opened with
 * `poolWithCopy` answers a query of the form `COPY … FROM STDIN` with one text parameter by
 * streaming that parameter through pg-copy-streams on the same client, so the COPY runs in
 * whatever transaction the client is in. Only pools so wrapped can COPY (not PGlite):
 * `canCopy` tells.
 */

const copyCapable = new WeakSet<object>();
const PATCHED = Symbol('md-copy');

/** Wraps a pg Pool so its clients stream `COPY … FROM STDIN` (see above). */
export function poolWithCopy<P extends PostgresPool>(pool: P): P {
  return wrapClientQuery(
    pool,
    PATCHED,
    (query) => (text, params) =>
      typeof text === 'string' && text.startsWith('COPY ') && params?.length === 1
        ? copyIn(query, text, String(params[0]))
        : query(text, params),
  );
}

function copyIn(query: (q: unknown) => unknown, text: string, data: string): Promise<{ command: string; rowCount: number; rows: [] }> {
  return new Promise((ok, ko) => {
    const stream = query(copyStreams.from(text)) as ReturnType<typeof copyStreams.from>;
    stream.on('error', ko);
    stream.on('finish', () => ok({ command: 'COPY', rowCount: stream.rowCount, rows: [] }));
    stream.end(data, 'utf8');
  });
}

/** Marks a database opened on a poolWithCopy pool (its transactions share the adapter). */
export function markCopyCapable(db: Kysely<Database>): void {
  copyCapable.add(db.getExecutor().adapter);
}

export function canCopy(db: Kysely<Database>): boolean {
  return copyCapable.has(db.getExecutor().adapter);
}

/** One value in COPY's text format: `\N` for null, backslash escapes for the separators. */
function copyText(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v !== 'string') throw new TypeError(`COPY takes strings, numbers and booleans, not ${typeof v}`);
  const s = v;
  return /[\\\t\n\r]/.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : s;
}

/**
 * Writes `rows` into `table` through a staging table: COPY, then INSERT … SELECT with
 * `conflict` (e.g. `ON CONFLICT ("id") DO UPDATE SET …`). The staging table is TEMP (never
 * WAL-logged, private to the session) and emptied after each use.
 */
export async function copyRows(
  db: Kysely<Database>,
  t: { table: string; columns: readonly string[]; conflict?: string },
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const cols = t.columns.map((c) => `"${c}"`).join(',');
  const stage = `md_stage_${t.table}_${createHash('sha1').update(cols).digest('hex').slice(0, 8)}`;
  // Every time: cheap, and a rolled-back transaction takes away a staging table it created.
  await sql.raw(`CREATE TEMP TABLE IF NOT EXISTS "${stage}" AS SELECT ${cols} FROM "${t.table}" WITH NO DATA`).execute(db);
  let data = '';
  for (const r of rows) {
    for (let c = 0; c < r.length; c++) data += (c ? '\t' : '') + copyText(r[c]);
    data += '\n';
  }
  await db.executeQuery(CompiledQuery.raw(`COPY "${stage}" (${cols}) FROM STDIN`, [data]));
  await sql.raw(`INSERT INTO "${t.table}" (${cols}) SELECT ${cols} FROM "${stage}" ${t.conflict ?? ''}`).execute(db);
  await sql.raw(`TRUNCATE "${stage}"`).execute(db);
}
