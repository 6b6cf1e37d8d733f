import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { canonicalEventV1, sha256HexV1 } from '../../migrations/audit-chain-v1';
import { eventHash } from '../../src-main/db/repos/audit-chain';
import { verifyChains } from '../../src-main/app/audit/verify';
import { exportHeads } from '../../src-main/app/audit/heads';
import type { Db } from '../../src-main/db/connect';
import { migrate } from '../../src-main/db/connect';
import type { IntegrityView } from '../../src-main/contract/outputs/audit';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore } from '../../src-main/runtime/core';
import { DIALECTS, openTestDb } from './harness';
import {
  deskOn,
  cli,
  dispute,
  dropAppendOnly,
  freshDatabaseUrl,
  HOUR,
  INTAKE,
  M1,
  openUrl,
  recreateAppendOnly,
  S1,
  T0,
  type Desk,
} from './audit-fixtures';

/**
 * Issue 14, item 4: the audit chain. Each attack of the issue (drop the append-only trigger,
 * change an event's actor, delete an event, multiply a decision and its refund by 100,
 * recreate the trigger) is run against a real database and must be named by the real
 * `audit verify` CLI (exit 1) and by the start-up check; untouched cases stay clean.
 */

/** Five cases: A–D claimed; C decided with a full refund; E untouched after intake. */
async function populate(desk: Desk): Promise<void> {
  for (let i = 1; i <= 5; i++) await desk.ok('intake.dispute', dispute(i), INTAKE);
  for (const i of [1, 2, 3, 4]) await desk.ok('case.claim', { caseId: `AU-${i}` }, M1);
  await desk.ok('case.requestEvidence', { caseId: 'AU-2', party: 'buyer', request: 'A photo of the lid, please.' }, M1);
  await desk.ok('case.decide', { caseId: 'AU-3', outcome: 'full', reasons: 'The lid arrived cracked.' }, M1);
  await desk.ok('case.assign', { caseId: 'AU-4', userId: 'm2' }, S1);
}

/** The attack, in the attacker's own SQL: triggers off, four forgeries, triggers back on. */
async function attack(db: Db): Promise<void> {
  await dropAppendOnly(db);
  await sql`UPDATE case_events SET actor = 'm2' WHERE case_id = 'AU-1' AND type = 'case.claimed'`.execute(db);
  await sql`DELETE FROM case_events WHERE case_id = 'AU-2' AND type = 'case.claimed'`.execute(db);
  await sql`UPDATE decisions SET amount_minor = amount_minor * 100 WHERE case_id = 'AU-3'`.execute(db);
  await sql`UPDATE refunds SET amount_minor = amount_minor * 100 WHERE case_id = 'AU-3'`.execute(db);
  // The newest event of AU-4: the chain alone cannot see it go; the exported heads can.
  await sql`DELETE FROM case_events WHERE case_id = 'AU-4' AND type = 'case.reassigned'`.execute(db);
  await recreateAppendOnly(db);
}

/** Opens the application's core on the database as a desktop would, and answers what a supervisor's banner shows. */
async function startupCheck(url: string): Promise<IntegrityView> {
  const core = await openCore({ databaseUrl: url, dataDir: mkdtempSync(join(tmpdir(), 'md-core-')), clock: new ManualClock(T0 + HOUR) });
  try {
    await core.context.integrity!.done;
    const answer = await core.dispatch('audit.integrity', {}, S1);
    if (!answer.ok) throw new Error(answer.error.message);
    const mediator = await core.dispatch('audit.integrity', {}, M1);
    expect(mediator.ok ? 'allowed' : mediator.error.code).toBe('FORBIDDEN');
    return answer.value as IntegrityView;
  } finally {
    await core.close();
  }
}

const fileDialects = [
  { name: 'sqlite file', dialect: 'sqlite' as const },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', dialect: 'postgres' as const }] : []),
];

describe.each(fileDialects)('audit verify (the real CLI) on $name', ({ dialect }) => {
  let url: string;
  let headsFile: string;
  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    const db = await openUrl(url);
    try {
      await populate(await deskOn(db));
      let text = '';
      await exportHeads(db, '2026-05-04', (t) => (text += t));
      headsFile = join(mkdtempSync(join(tmpdir(), 'md-heads-')), 'heads.json');
      writeFileSync(headsFile, text);
    } finally {
      await db.destroy();
    }
  }, 300_000);

  it('passes an untouched history, alone and against its exported heads, at start-up too', async () => {
    const intact = await cli(['audit', 'verify', '--db', url, '--json']);
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    const report = JSON.parse(intact.stdout) as { ok: boolean; cases: number; events: number };
    expect(report).toMatchObject({ ok: true, cases: 5 });
    expect(report.events).toBeGreaterThanOrEqual(11);
    const withHeads = await cli(['audit', 'verify', '--db', url, '--heads', headsFile]);
    expect(withHeads.code).toBe(0);
    expect(withHeads.stdout).toMatch(/intact.*extends the 5 heads/);
    const atStart = await startupCheck(url);
    expect(atStart).toMatchObject({ state: 'done', fullCheck: true, brokenCases: 0 });
  }, 300_000);

  it('names every forged case after the trigger was dropped and recreated', async () => {
    const db = await openUrl(url);
    try {
      await attack(db);
    } finally {
      await db.destroy();
    }
    const out = await cli(['audit', 'verify', '--db', url, '--json', '--heads', headsFile]);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as { ok: boolean; findings: Array<{ caseId: string; problems: string[] }> };
    expect(report.ok).toBe(false);
    const byCase = new Map<string, string>();
    for (const f of report.findings) byCase.set(f.caseId, `${byCase.get(f.caseId) ?? ''} ${f.problems.join(' ')}`);
    expect([...byCase.keys()].sort()).toEqual(['AU-1', 'AU-2', 'AU-3', 'AU-4']);
    expect(byCase.get('AU-1')).toMatch(/event 2 \(case\.claimed\) was altered/);
    expect(byCase.get('AU-2')).toMatch(/event 2 was deleted/);
    expect(byCase.get('AU-3')).toMatch(/decision 1 does not match/);
    expect(byCase.get('AU-3')).toMatch(/refund does not match/);
    expect(byCase.get('AU-4')).toMatch(/exported head .* was deleted/);

    const text = await cli(['audit', 'verify', '--db', url]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^case AU-1: .*altered/m);
    expect(text.stdout).toMatch(/BROKEN in 3 case\(s\)/);

    // The application's start-up check: nothing new since the last start, yet the full walk names them.
    const atStart = await startupCheck(url);
    expect(atStart).toMatchObject({ state: 'done', fullCheck: true, brokenCases: 3 });
    expect(atStart.cases.map((c) => c.caseId)).toEqual(['AU-1', 'AU-2', 'AU-3']);
    expect(atStart.cases[2]!.problems.join(' ')).toMatch(/decision 1 does not match.*refund does not match/);
  }, 300_000);

  it('answers --help; refuses a bad flag, a missing file and a forged heads document in one sentence (exit 2)', async () => {
    if (dialect !== 'sqlite') return; // the CLI's own checks; one dialect is enough
    const help = await cli(['audit', 'verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/audit verify \[--db URL\]/);
    const bad = await cli(['audit', 'verify', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option --nope/);
    const missing = await cli(['audit', 'verify', '--db', join(tmpdir(), 'no-such-desk.sqlite')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such database file/);
    const forged = join(mkdtempSync(join(tmpdir(), 'md-heads-')), 'forged.json');
    const doc = JSON.parse((await cli(['audit', 'heads', '--db', url, '--date', '2026-05-04'])).stdout) as {
      heads: Array<{ hash: string }>;
    };
    doc.heads[0]!.hash = 'f'.repeat(64);
    writeFileSync(forged, JSON.stringify(doc));
    const refused = await cli(['audit', 'verify', '--db', url, '--heads', forged]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/root does not match/);
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  }, 300_000);
});

describe.each(DIALECTS)('the audit chain on $name', ({ url }) => {
  let db: Db;
  let desk: Desk;
  beforeAll(async () => {
    db = await openTestDb(url());
    desk = await deskOn(db);
    await populate(desk);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('numbers each case’s events and links each to the one before', async () => {
    const rows = await db.selectFrom('case_events').selectAll().where('case_id', '=', 'AU-3').orderBy('seq').execute();
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    rows.forEach((r, i) => expect(r.prev_hash).toBe(i ? rows[i - 1]!.hash : null));
    const decided = rows.find((r) => r.type === 'case.decided')!;
    expect(JSON.parse(decided.bound!)).toEqual({
      decisions: [{ seq: 1, outcome: 'full', amountMinor: expect.any(Number), basis: 'mediator' }],
      refund: { amountMinor: expect.any(Number), status: 'expected' },
    });
    expect((await verifyChains(db)).brokenCases).toBe(0);
  });

  it('chains refusals logged outside a command too', async () => {
    await desk.call('case.decide', { caseId: 'AU-5', outcome: 'full', reasons: 'x' }, M1); // not the assignee: refused
    const last = await db
      .selectFrom('case_events')
      .selectAll()
      .where('case_id', '=', 'AU-5')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(last.type).toBe('command.refused');
    expect(last.seq).toBe(2);
    expect((await verifyChains(db)).brokenCases).toBe(0);
  });
});

describe('the frozen SHA-256 of migration 0010 and node:crypto', () => {
  it('agree on varied content (unicode, lone surrogates, long texts)', () => {
    const texts = ['', 'a', 'Zażółć gęślą jaźń', '😀 emoji', 'lone \ud800 surrogate', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(10_000)];
    let seed = 7;
    for (let i = 0; i < 200; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      texts.push(String.fromCharCode(...Array.from({ length: seed % 300 }, (_, j) => 32 + ((seed >> (j % 16)) % 0x2fff))));
    }
    for (const details of texts) {
      const content = { caseId: 'C-1', seq: 3, type: 't', actor: 'm1', at: 1_772_000_000_000, details, bound: null, prev: 'ab' };
      expect(sha256HexV1(canonicalEventV1(content))).toBe(eventHash(content));
    }
  });
});

describe.each(DIALECTS)('migration 0010 on $name', ({ url }) => {
  it('chains the events of a database written before it, decisions and refunds bound', async () => {
    const db = await openTestDb(url());
    try {
      const desk = await deskOn(db);
      for (const i of [1, 2]) await desk.ok('intake.dispute', dispute(i), INTAKE);
      // Back to the schema before 0010 is impossible on a migrated database; build one instead.
      await sql`DROP TABLE case_events`.execute(db);
      await sql`DROP TABLE audit_verified`.execute(db);
      await sql`DROP TABLE IF EXISTS security_log`.execute(db);
      await sql`DELETE FROM kysely_migration WHERE name = '0010_audit_chain'`.execute(db);
      await sql`CREATE TABLE case_events (id integer primary key, case_id text not null, at bigint not null, actor text not null, type text not null, details text not null)`.execute(
        db,
      );
      await sql`CREATE INDEX case_events_by_case ON case_events (case_id, id)`.execute(db);
      await recreateAppendOnly(db);
      await db
        .insertInto('case_events')
        .values(
          [
            ['AU-1', 'case.escalated', 'intake'],
            ['AU-2', 'case.escalated', 'intake'],
            ['AU-1', 'case.claimed', 'm1'],
            ['AU-1', 'case.decided', 'm1'],
            ['AU-2', 'case.claimed', 'm1'],
          ].map(([caseId, type, actor], i) => ({
            id: i + 1,
            case_id: caseId!,
            at: T(i),
            actor: actor!,
            type: type!,
            details: `{"i":${i}}`,
          })),
        )
        .execute();
      await db
        .insertInto('decisions')
        .values({
          case_id: 'AU-1',
          seq: 1,
          outcome: 'partial',
          amount_minor: 4_200,
          basis: 'mediator',
          decided_by: 'm1',
          decided_at: T(3),
          appeal_until: null,
          reasons: 'r',
          policy_version: 1,
        })
        .execute();
      await db
        .insertInto('refunds')
        .values({
          case_id: 'AU-1',
          status: 'expected',
          amount_minor: 4_200,
          currency: 'PLN',
          return_due_at: null,
          return_tracking_number: null,
          updated_at: T(3),
        })
        .execute();
      // Migrations after 0010 stay applied in this rebuilt database, so only 0010 runs again (out of order by design).
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await db.selectFrom('case_events').selectAll().orderBy('case_id').orderBy('seq').execute();
      expect(rows.map((r) => `${r.case_id}#${r.seq}`)).toEqual(['AU-1#1', 'AU-1#2', 'AU-1#3', 'AU-2#1', 'AU-2#2']);
      expect(JSON.parse(rows[2]!.bound!)).toEqual({
        decisions: [{ seq: 1, outcome: 'partial', amountMinor: 4_200, basis: 'mediator' }],
        refund: { amountMinor: 4_200, status: 'expected' },
      });
      expect((await verifyChains(db)).brokenCases).toBe(0);
      // Still append-only afterwards.
      await expect(db.updateTable('case_events').set({ actor: 'x' }).execute()).rejects.toThrow(/append-only/);
      await migrate(db);
      await sql`UPDATE refunds SET amount_minor = 420000 WHERE case_id = 'AU-1'`.execute(db);
      expect((await verifyChains(db)).findings.map((f) => f.caseId)).toEqual(['AU-1']);
    } finally {
      await db.destroy();
    }
  });
});

const T = (i: number) => Date.parse('2026-05-01T00:00:00Z') + i * 60_000;
