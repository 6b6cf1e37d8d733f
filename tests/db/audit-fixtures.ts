import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Role } from '../../src-main/contract/domain';
import type { Envelope } from '../../src-main/contract/errors';
import { dispatch } from '../../src-main/app/dispatch';
import type { ServiceContext } from '../../src-main/app/handlers';
import type { Identity } from '../../src-main/app/identity';
import { replayInWorker } from '../../src-main/app/replay/in-worker';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { ManualClock } from '../../src-main/runtime/clock';
import { freshPgDatabaseUrl } from './harness';

/** Shared by the audit-chain, bounded-refusal and separation-of-duties tests (issue 14). */

export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-05-04T10:00:00.000Z');
export const INTAKE: Identity = { kind: 'intake' };
export const ANONYMOUS: Identity = { kind: 'anonymous' };
export const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
export const M1 = user('m1', 'mediator');
export const M2 = user('m2', 'mediator');
export const S1 = user('s1', 'supervisor');
export const S2 = user('s2', 'supervisor');
export const S3 = user('s3', 'supervisor');

/** A valid intake dispute; `i` varies ids, times and amounts. */
export function dispute(i: number, amountMinor = 9_000 + i * 7) {
  return {
    id: `AU-${i}`,
    openedAt: '2026-04-20T08:00:00Z',
    escalatedAt: new Date(T0 - 30 * HOUR + i * 60_000).toISOString(),
    reason: 'damaged',
    claim: { remedy: 'refund_only', amountMinor },
    description: `Case ${i}: the lid is cracked.`,
    order: {
      id: `O-AU-${i}`,
      placedAt: '2026-04-01T10:00:00.000Z',
      shippedAt: '2026-04-02T10:00:00.000Z',
      currency: 'PLN',
      itemPriceMinor: 10_000 + i * 10,
      shippingMinor: 500,
      totalMinor: 10_500 + i * 10,
      item: { title: 'Kettle', quantity: 1 },
      tracking: { number: `TR${i}`, carrier: 'InPost', status: 'delivered', deliveredAt: '2026-04-08T12:00:00.000Z' },
    },
    buyer: { id: `B-${i}`, name: `Buyer ${i}`, country: 'PL', createdAt: '2025-01-01T00:00:00.000Z' },
    seller: { id: 'S-AU', name: 'Kitchen Store', country: 'DE' },
    negotiation: [],
    messages: [],
    evidence: [],
  };
}

export interface Desk {
  db: Db;
  clock: ManualClock;
  ctx: ServiceContext;
  call: <T>(method: string, input: unknown, who: Identity) => Promise<Envelope<T>>;
  ok: <T>(method: string, input: unknown, who: Identity) => Promise<T>;
}

/** A desk on an open database: the policy and the users m1, m2, s1, s2, s3 (and `others`) in place. */
export async function deskOn(db: Db, clock = new ManualClock(T0), others: Identity[] = []): Promise<Desk> {
  const ctx: ServiceContext = { db, clock, notify: () => {}, replayCases: replayInWorker };
  await ensurePolicy(db, clock.now() - 100 * HOUR);
  for (const u of [M1, M2, S1, S2, S3, ...others])
    if (u.kind === 'user')
      await db
        .insertInto('users')
        .values({ id: u.userId, name: u.name, role: u.role, password_hash: 'x', failed_attempts: 0, locked_until: null, created_at: T0 })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
  const call = async <T>(method: string, input: unknown, who: Identity) => (await dispatch(ctx, method, input, who)) as Envelope<T>;
  const ok = async <T>(method: string, input: unknown, who: Identity): Promise<T> => {
    const r = await call<T>(method, input, who);
    if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  return { db, clock, ctx, call, ok };
}

/**
 * A database the CLI can open too: a SQLite file, or a fresh database on the PostgreSQL
 * server named by TEST_DATABASE_URL. PGlite lives in memory only, so it has no URL.
 */
export async function freshDatabaseUrl(dialect: 'sqlite' | 'postgres'): Promise<string> {
  if (dialect === 'sqlite') return join(mkdtempSync(join(tmpdir(), 'md-audit-')), 'desk.sqlite');
  return freshPgDatabaseUrl(process.env.TEST_DATABASE_URL!, `audit_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`);
}

export const openUrl = (url: string): Promise<Db> => openDatabase({ url });

/** What an attacker with the database's password does first: the append-only triggers of case_events off. */
export async function dropAppendOnly(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`DROP TRIGGER case_events_no_change ON case_events`.execute(db);
  else {
    await sql`DROP TRIGGER case_events_no_update`.execute(db);
    await sql`DROP TRIGGER case_events_no_delete`.execute(db);
  }
}

/** The append-only triggers exactly as migration 0001 creates them. */
export async function recreateAppendOnly(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events FOR EACH ROW EXECUTE FUNCTION case_events_append_only()`.execute(
      db,
    );
  } else {
    await sql`CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END`.execute(
      db,
    );
    await sql`CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END`.execute(
      db,
    );
  }
}

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

/** The real CLI (`tsx src-main/cli/index.ts …`) in a data folder of its own; never throws on a non-zero exit. */
export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['src-main/cli/index.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, MEDIATION_DESK_DATA: mkdtempSync(join(tmpdir(), 'md-audit-data-')) },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}
