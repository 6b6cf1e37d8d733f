import type { Client as PgClient } from 'pg';
import { openDatabase, type Db } from '../db/connect';
import { ensurePolicy } from '../db/repos/policy';
import { fillCasesPostgres } from './fill-cases';

/**
 * A PostgreSQL bench on a database of its own: created on the server `baseUrl` names, opened
 * through the app's layer (`db`, policy in place, `cases` generated cases) and through a raw
 * `pg` client for the baseline, and dropped afterwards whatever happened.
 */
export async function onScratchPostgres<T>(
  opts: { url: string; prefix: string; cases: number; now: number; log(msg: string): void },
  work: (db: Db, raw: PgClient) => Promise<T>,
): Promise<T> {
  const pg = await import('pg');
  const { Client } = pg.default ?? pg;
  const name = `md_bench_${opts.prefix}_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: opts.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(opts.url);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  const raw = new Client({ connectionString: url.toString() });
  try {
    await ensurePolicy(db, opts.now);
    opts.log(`${opts.prefix}: filling ${opts.cases.toLocaleString('en')} cases…`);
    await fillCasesPostgres(db, { cases: opts.cases, now: opts.now });
    return await work(db, raw);
  } finally {
    await raw.end().catch(() => undefined);
    await db.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    await admin.end();
  }
}
