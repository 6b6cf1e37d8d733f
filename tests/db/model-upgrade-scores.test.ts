import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { importStream } from '../../src-main/app/intake/bulk-import';
import { owedRecompute, settleOwedScores } from '../../src-main/app/risk/owed-scores';
import { recomputeRisk } from '../../src-main/app/risk/recompute';
import { riskFairness } from '../../src-main/app/risk/fairness';
import { openDatabase, type Db } from '../../src-main/db/connect';
import { listenForChanges, type RemoteChange } from '../../src-main/db/listen';
import { scoresOwed } from '../../src-main/db/repos/bulk-load';
import { ensurePolicy } from '../../src-main/db/repos/policy';
import { applyRiskEvents, storedRiskModelVersion } from '../../src-main/db/repos/risk/updates';
import { inWriteTx } from '../../src-main/db/tx';
import { generateDemoDisputes } from '../../src-main/demo/demo-data';
import { RISK_MODEL } from '../../src-main/engine/risk';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore } from '../../src-main/runtime/core';
import { freshPgDatabaseUrl } from './harness';
import { scoredRows } from './risk-compare';
import { tempSqliteFiles } from './temp-sqlite';

/**
 * Issue 15: scores written under an older risk model (RISK_MODEL.version) are rebuilt once, by
 * the first desk start or import that finds them (app/risk/owed-scores.ts), under the write
 * lock, with the model row's new version in the same commit; never left standing beside the new
 * model's until each buyer's next event. On a SQLite file and, with TEST_DATABASE_URL, on a real
 * PostgreSQL server (two connections to one database: the concurrent starts).
 */
const NOW = Date.parse('2026-03-10T00:00:00Z');
const OLD = RISK_MODEL.version - 1;
const tempDb = tempSqliteFiles('md-model-upgrade-');

const TARGETS: Array<{ name: string; url: () => Promise<string> }> = [
  { name: 'sqlite', url: async () => tempDb() },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', url: () => freshPgDatabaseUrl(process.env.TEST_DATABASE_URL!) }] : []),
];

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** tests/db/first-load-child.ts `settle`: a process paying what is owed, as a desk's start does. */
function settleChild(path: string, files: { hold?: string; go?: string }): { done: Promise<string>; output(): string } {
  const args = ['--import', 'tsx', 'tests/db/first-load-child.ts', 'settle', path, String(NOW), files.hold ?? '-', files.go ?? '-'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return { done: new Promise((ok) => proc.once('exit', () => ok(out))), output: () => out };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 3000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A database scored by the running model (per-batch import, then a full recompute at NOW: the
 * reference a fresh recompute stores), then made to look as an older model left it: the model
 * row says OLD and every buyer's score, reasons and case copies differ.
 */
async function staleDatabase(url: string, cases = 120): Promise<{ db: Db; fresh: Record<string, string[]> }> {
  const db = await openDatabase({ url });
  await ensurePolicy(db, NOW);
  const records = [...generateDemoDisputes({ cases, now: NOW, seed: 7 })].map((value, i) => ({ line: i + 1, value }));
  await importStream(db, records, { now: NOW, batchSize: 40, deferIndexes: false, onProblem: () => {} });
  await recomputeRisk(db, { asOf: NOW });
  const fresh = await scoredRows(db);
  await sql`UPDATE risk_model SET model_version = ${OLD}`.execute(db);
  await sql`UPDATE buyer_risk SET score = 100 - score, reasons = '[]'`.execute(db);
  await sql`UPDATE cases SET buyer_score = 100 - buyer_score`.execute(db);
  expect(await owedRecompute(db)).toEqual({ kind: 'older model', stored: OLD, running: RISK_MODEL.version });
  return { db, fresh };
}

describe.each(TARGETS)('scores of an older risk model on $name', ({ name, url }) => {
  it('the desk’s start rescores every buyer once: every row a fresh recompute’s, the version the running one', async () => {
    const path = await url();
    const { db, fresh } = await staleDatabase(path);
    expect(await scoredRows(db)).not.toEqual(fresh);
    await db.destroy();
    const dir = mkdtempSync(join(tmpdir(), 'md-model-upgrade-core-'));
    dirs.push(dir);
    const said: string[] = [];
    const start = () =>
      openCore({
        dataDir: dir,
        databaseUrl: path,
        clock: new ManualClock(NOW),
        fullIntegrityWalk: false,
        onStartProgress: (m) => said.push(m),
      });
    const core = await start();
    expect(said[0]).toContain(`from model v${OLD}; rescoring every buyer under model v${RISK_MODEL.version}`);
    expect(said).toContain('buyer rows written');
    expect(await storedRiskModelVersion(core.db)).toBe(RISK_MODEL.version);
    expect(await scoredRows(core.db)).toEqual(fresh);
    await core.close();
    // The same version: the next start pays nothing (not one progress message, the rows untouched).
    said.length = 0;
    const again = await start();
    expect(said).toEqual([]);
    expect(await scoredRows(again.db)).toEqual(fresh);
    await again.close();
  }, 120_000);

  it('nothing is owed at the running version, nor at a newer one; buyer rows without a model row are owed', async () => {
    const { db } = await staleDatabase(await url(), 40);
    // What the analysts' screen says (the fairness monitor under the list) at each version.
    expect((await riskFairness(db, NOW)).scoresModel).toEqual({
      stored: OLD,
      running: RISK_MODEL.version,
      note: expect.stringContaining(`from risk model v${OLD} and are being rescored under v${RISK_MODEL.version}`),
    });
    await sql`UPDATE risk_model SET model_version = ${RISK_MODEL.version}`.execute(db);
    expect(await owedRecompute(db)).toBeNull();
    expect(await settleOwedScores(db, NOW)).toBeNull();
    expect((await riskFairness(db, NOW)).scoresModel).toEqual({ stored: RISK_MODEL.version, running: RISK_MODEL.version, note: null });
    // A desk not yet upgraded on a server an upgraded desk rescored: it does not rebuild them back.
    await sql`UPDATE risk_model SET model_version = ${RISK_MODEL.version + 1}`.execute(db);
    expect(await settleOwedScores(db, NOW)).toBeNull();
    expect((await riskFairness(db, NOW)).scoresModel.note).toContain(`this desk runs v${RISK_MODEL.version}, so the buyers it updates`);
    await sql`DELETE FROM risk_model`.execute(db);
    expect(await owedRecompute(db)).toEqual({ kind: 'older model', stored: null, running: RISK_MODEL.version });
    expect(await settleOwedScores(db, NOW)).not.toBeNull();
    expect(await storedRiskModelVersion(db)).toBe(RISK_MODEL.version);
    await db.destroy();
  }, 120_000);

  it('a per-event update after the upgrade keeps the older version on the model row (the debt is not hidden)', async () => {
    const { db } = await staleDatabase(await url(), 40);
    await inWriteTx(db, (tx) => applyRiskEvents(tx, [{ type: 'account', id: 'buyer-new-after-upgrade', links: [] }], NOW));
    expect(Number((await sql<{ buyers: number }>`SELECT buyers FROM risk_model`.execute(db)).rows[0]!.buyers)).toBeGreaterThan(0);
    expect(await storedRiskModelVersion(db)).toBe(OLD);
    expect(await owedRecompute(db)).not.toBeNull();
    await db.destroy();
  }, 120_000);

  it('a recompute that fails inside its transaction leaves the debt and every stale row; the next one pays it', async () => {
    const { db, fresh } = await staleDatabase(await url());
    const stale = await scoredRows(db);
    await expect(
      settleOwedScores(db, NOW, (message) => {
        if (message === 'buyer rows written') throw new Error('died mid-recompute');
      }),
    ).rejects.toThrow('died mid-recompute');
    expect(await storedRiskModelVersion(db)).toBe(OLD);
    expect(await scoredRows(db)).toEqual(stale);
    expect(await settleOwedScores(db, NOW)).not.toBeNull();
    expect(await scoredRows(db)).toEqual(fresh);
    expect(await settleOwedScores(db, NOW)).toBeNull();
    await db.destroy();
  }, 120_000);

  it('two desks starting at once on one database: one recompute, the other finds nothing owed', async () => {
    const path = await url();
    const { db, fresh } = await staleDatabase(path);
    // Two processes, as two desks are (on SQLite, two connections of one thread would wait on
    // each other). The second opens the database and finds the scores owed; the first recomputes
    // and holds its rows uncommitted; the second then settles too (it waits for the lock: SQLite's
    // write lock, PostgreSQL's risk turn) and, once the first has committed, must find nothing owed.
    const dir = mkdtempSync(join(tmpdir(), 'md-model-upgrade-hold-'));
    dirs.push(dir);
    const [hold, go] = [join(dir, 'release'), join(dir, 'go')];
    const second = settleChild(path, { go });
    await until('the second desk to read', () => second.output().includes('owed at start'));
    const first = settleChild(path, { hold });
    await until('the first desk to hold', () => first.output().includes('holding'));
    writeFileSync(go, '');
    // Long enough for the second's own first read (two small queries) to find the debt still there.
    await new Promise((r) => setTimeout(r, 1000));
    writeFileSync(hold, '');
    expect(await first.done).toBe('owed at start: yes\nholding\nrecomputed\n');
    expect(await second.done).toBe('owed at start: yes\nnothing owed\n');
    expect(await storedRiskModelVersion(db)).toBe(RISK_MODEL.version);
    expect(await scoredRows(db)).toEqual(fresh);
    await db.destroy();
  }, 120_000);

  it.runIf(name === 'postgres')(
    'a desk already running on the server is told to refresh everything when another desk’s rescore commits',
    async () => {
      const path = await url();
      const { db, fresh } = await staleDatabase(path);
      const got: RemoteChange[] = [];
      const quiet = { info: () => {}, warn: () => {}, error: () => {} };
      const listener = listenForChanges(db, path, { now: () => NOW, deliver: (c) => got.push(c), log: quiet });
      try {
        await listener.ready;
        got.length = 0; // only what the other desk's start sends
        // Another process (another desk's origin) pays the debt, as its start does.
        expect(await settleChild(path, {}).done).toBe('owed at start: yes\nrecomputed\n');
        await until('the refresh-everything notice', () => got.length > 0);
        expect(got).toEqual([null]);
        expect(await scoredRows(db)).toEqual(fresh);
        // Nothing owed any more: a second start sends nothing.
        expect(await settleChild(path, {}).done).toBe('owed at start: no\nnothing owed\n');
        await new Promise((r) => setTimeout(r, 500));
        expect(got).toEqual([null]);
      } finally {
        await listener.close();
        await db.destroy();
      }
    },
    120_000,
  );

  it('an import into an older model’s scores rescores every buyer at its end, with the new disputes', async () => {
    const path = await url();
    const { db } = await staleDatabase(path, 80);
    const more = [...generateDemoDisputes({ cases: 40, now: NOW, seed: 9 })].map((value, i) => ({ line: i + 1, value }));
    const summary = await importStream(db, more, { now: NOW, batchSize: 20, onProblem: () => {} });
    expect(summary.scoring).not.toBeNull();
    expect(await scoresOwed(db)).toBe(false);
    expect(await storedRiskModelVersion(db)).toBe(RISK_MODEL.version);
    const imported = await scoredRows(db);
    await recomputeRisk(db, { asOf: NOW });
    expect(imported).toEqual(await scoredRows(db));
    await db.destroy();
  }, 120_000);
});
