import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * A desk killed while it loads the demo (`cli demo`, `serve --demo`) leaves it half-loaded; the
 * next start must finish it. Real child processes are killed (SIGKILL: no clean-up runs) at
 * points of the seeding chosen from what the database shows (the marker, the import, the
 * history's steps, the evidence stories), each restart is killed again further on, and the last
 * one finishes. The database must then hold what an uninterrupted run writes: the same rows in
 * every table the demo fills, the same cases in the same states, nothing twice.
 */
const CASES = 200;
const SERVE_PORT = 0; // any free port

interface Target {
  name: string;
  url: string;
  /** One scalar query against the database, for the kill points and the comparison. */
  query(sqlText: string): Promise<unknown>;
  close(): Promise<void>;
}

const dirs: string[] = [];
const targets: Target[] = [];
afterAll(async () => {
  for (const t of targets) await t.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sqliteTarget(dir: string, name: string): Target {
  const file = join(dir, `${name}.sqlite`);
  let handle: BetterSqlite.Database | null = null;
  const t: Target = {
    name,
    url: file,
    async query(sqlText) {
      try {
        handle ??= new BetterSqlite(file, { readonly: true, fileMustExist: true });
        handle.pragma('busy_timeout = 2000');
        return handle.prepare(sqlText).pluck().get() ?? null;
      } catch {
        return null; // not created yet, or its tables not yet migrated
      }
    },
    async close() {
      handle?.close();
    },
  };
  targets.push(t);
  return t;
}

async function postgresTarget(base: string, name: string): Promise<Target> {
  const pg = await import('pg');
  const Client = (pg.default ?? pg).Client;
  const dbName = `md_demo_resume_${process.pid}_${name}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  const client = new Client({ connectionString: u.toString() });
  await client.connect();
  const t: Target = {
    name,
    url: u.toString(),
    async query(sqlText) {
      try {
        const r = await client.query({ text: sqlText, rowMode: 'array' });
        const v = r.rows[0]?.[0];
        return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v ?? null);
      } catch {
        return null;
      }
    },
    async close() {
      await client.end();
    },
  };
  targets.push(t);
  return t;
}

function start(kind: 'demo' | 'serve', t: Target, dataDir: string): ChildProcess {
  const args =
    kind === 'demo'
      ? ['demo', '--cases', String(CASES), '--db', t.url]
      : ['serve', '--demo', '--demo-cases', String(CASES), '--db', t.url, '--data-dir', dataDir, '--port', String(SERVE_PORT)];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', ...args], {
    cwd: process.cwd(),
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL')), MEDIATION_DESK_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  Object.defineProperty(child, 'output', { get: () => out });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));

/** Runs to the end: `demo` exits by itself; `serve` is stopped once it serves (its seeding is over by then). */
async function finish(kind: 'demo' | 'serve', t: Target, dataDir: string): Promise<void> {
  const child = start(kind, t, dataDir);
  const output = () => (child as unknown as { output: string }).output;
  if (kind === 'serve') {
    // After it serves, serve --demo gives the demo's cases to the demo feed and says so: wait for that.
    for (let i = 0; !/demo's cases belong|owns no cases|feed was not set up/.test(output()); i++) {
      if (child.exitCode !== null || i > 2400) throw new Error(`serve did not start: ${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
  }
  const code = await exited(child);
  // serve installs its SIGTERM handler only after setting up the demo's feed: a SIGTERM before that
  // ends it by the signal (code null), its seeding being over either way (it serves only after).
  expect(code === 0 || (kind === 'serve' && code === null && child.signalCode === 'SIGTERM'), output()).toBe(true);
}

/** Starts `kind` and SIGKILLs it as soon as `reached` holds; fails if the run ends first. */
async function killWhen(kind: 'demo' | 'serve', t: Target, dataDir: string, point: string, reached: () => Promise<boolean>) {
  const child = start(kind, t, dataDir);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the seeding ended before ${point}: ${(child as unknown as { output: string }).output}`);
    if (await reached()) break;
    await new Promise((r) => setTimeout(r, 15));
  }
  child.kill('SIGKILL');
  await exited(child);
}

const num = async (t: Target, q: string) => Number((await t.query(q)) ?? 0);
const setting = (key: string) => `SELECT value FROM settings WHERE key = '${key}'`;

/** The kill points, in the order a seeding reaches them; each restart is killed at the next one. */
const POINTS: Array<[string, (t: Target) => Promise<boolean>]> = [
  ['the marker written', async (t) => (await t.query(setting('demo.seeding'))) !== null],
  ['some demo users created', async (t) => (await num(t, 'SELECT count(*) FROM users')) >= 3],
  ['the import under way', async (t) => (await num(t, 'SELECT count(*) FROM cases')) >= 1],
  ['a few history steps', async (t) => (await num(t, setting('demo.history.step'))) >= 4],
  ['the history half-way', async (t) => (await num(t, setting('demo.history.step'))) >= 90],
  ['the first evidence story imported', async (t) => (await num(t, "SELECT count(*) FROM cases WHERE id = 'D-900001'")) === 1],
  ['the evidence stories half-way', async (t) => (await num(t, "SELECT count(*) FROM case_commands WHERE case_id = 'D-900002'")) >= 2],
];

const TABLES = [
  'users',
  'policies',
  'accounts',
  'orders',
  'cases',
  'case_events',
  'case_commands',
  'evidence_requests',
  'evidence',
  'evidence_files',
  'proposals',
  'decisions',
  'appeals',
  'refunds',
  'deadlines',
  'quality_reviews',
  'buyer_risk',
  'feed_cases',
];

async function snapshot(t: Target): Promise<Record<string, unknown>> {
  const s: Record<string, unknown> = {};
  for (const table of TABLES) s[table] = await num(t, `SELECT count(*) FROM ${table}`);
  s.reviewed = await num(t, 'SELECT count(*) FROM quality_reviews WHERE reviewed_at IS NOT NULL');
  s.pendingDeadlines = await num(t, 'SELECT count(*) FROM deadlines WHERE fired_at IS NULL AND cancelled_at IS NULL');
  s.marker = await t.query(setting('demo.seeding'));
  s.historyDone = (await t.query(setting('demo.history'))) !== null;
  s.evidenceDone = (await t.query(setting('demo.evidence'))) !== null;
  for (const status of ['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies', 'closed', 'appealed', 'final'])
    s[`status.${status}`] = await num(t, `SELECT count(*) FROM cases WHERE status = '${status}'`);
  s.decisionsBy = await t.query(
    "SELECT count(*) FROM decisions WHERE decided_by IN ('lena', 'tomas', 'priya', 'oleg', 'amara', 'system', 'parties')",
  );
  // Nothing twice: one command-log row per (case, method, input, instant), one event per (case, seq).
  s.duplicateCommands = await num(
    t,
    'SELECT count(*) FROM (SELECT case_id, method, input, at FROM case_commands GROUP BY case_id, method, input, at HAVING count(*) > 1) d',
  );
  return s;
}

/** What only the seeding writes (a deadline sweep adds events, decisions, refunds and moves states, but never these). */
const SEEDED = [
  'users',
  'policies',
  'accounts',
  'orders',
  'cases',
  'case_commands',
  'evidence_requests',
  'evidence',
  'evidence_files',
  'proposals',
  'appeals',
  'reviewed',
  'feed_cases',
  'marker',
  'historyDone',
  'evidenceDone',
  'duplicateCommands',
];
const seeded = (s: Record<string, unknown>) => Object.fromEntries(SEEDED.map((k) => [k, s[k]]));

const dialects: Array<{ name: string; target: (name: string, dir: string) => Promise<Target> }> = [
  { name: 'sqlite', target: async (name, dir) => sqliteTarget(dir, name) },
  ...(process.env.TEST_DATABASE_URL
    ? [{ name: 'postgres', target: (name: string) => postgresTarget(process.env.TEST_DATABASE_URL!, name) }]
    : []),
];

describe.each(dialects)('demo seeding killed and resumed ($name)', ({ target }) => {
  it('a seeding killed at each point in turn, restarted each time, ends as whole as an uninterrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'md-demo-resume-'));
    dirs.push(dir);
    const reference = await target('whole', dir);
    await finish('demo', reference, join(dir, 'whole-data'));
    const whole = await snapshot(reference);
    expect(whole.marker).toBeNull();
    expect(whole.historyDone && whole.evidenceDone).toBe(true);
    expect(whole.cases).toBe(CASES + 3);

    const killed = await target('killed', dir);
    const data = join(dir, 'killed-data');
    for (const [point, reached] of POINTS) await killWhen('demo', killed, data, point, () => reached(killed));
    // Half-loaded: the marker is there, and the risk scores have not been recomputed yet.
    expect(await killed.query(setting('demo.seeding'))).not.toBeNull();
    await finish('demo', killed, data);
    expect(await snapshot(killed)).toEqual(whole);
    // Once whole, `serve --demo` seeds nothing again. (It sweeps at the real time, minutes after the
    // demo's instant: a deadline due meanwhile may fire, so only what a sweep never writes is compared.)
    await finish('serve', killed, data);
    expect(seeded(await snapshot(killed))).toEqual(seeded(whole));

    // serve --demo's first-run seeding, killed in its history, is finished by the next serve.
    const served = await target('served', dir);
    const servedData = join(dir, 'served-data');
    await killWhen('serve', served, servedData, 'a few history steps', async () => (await num(served, setting('demo.history.step'))) >= 10);
    await finish('serve', served, servedData);
    expect(seeded(await snapshot(served))).toEqual(seeded(whole));
  }, 900_000);
});
