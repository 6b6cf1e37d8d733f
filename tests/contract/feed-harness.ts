import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisputeInput } from '../../src-main/contract/dispute';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { startHttpServer, type HttpServerHandle } from '../../src-main/transport/http';
import { addFeed } from '../../src-main/app/feed/admin';
import { createUser } from '../../src-main/app/session/users';
import type { Identity } from '../../src-main/app/identity';
import type { RateLimit } from '../../src-main/app/feed/rate-limit';
import type { Analyzer } from '../../src-main/files/ingest';

/**
 * A real desk for the feed contract tests: the core on a fresh database (an SQLite file, or a
 * new database on the PostgreSQL server TEST_DATABASE_URL names), the HTTP server of `serve`
 * on loopback, a manual clock, a mediator and a supervisor, and helpers that speak FEED.md.
 */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const START = Date.parse('2026-03-10T12:00:00Z');

export const FEED_DIALECTS: Array<{ name: string; url: (dir: string) => Promise<string | undefined> }> = [
  { name: 'sqlite', url: async () => undefined },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', url: () => freshPgDatabase(process.env.TEST_DATABASE_URL!) }] : []),
];

let counter = 0;
async function freshPgDatabase(base: string): Promise<string> {
  const name = `md_feed_${process.pid}_${Date.now()}_${counter++}`;
  const pg = await import('pg');
  const client = new (pg.default ?? pg).Client({ connectionString: base });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface Desk {
  core: Core;
  server: HttpServerHandle;
  clock: ManualClock;
  dir: string;
  token: string;
  feedId: string;
  addFeed(name: string, webhook?: string): Promise<{ token: string; webhookSecret: string | null; id: string }>;
  close(): Promise<void>;
}

export const M1: Identity = { kind: 'user', userId: 'm1', role: 'mediator', name: 'Mira' };
export const S1: Identity = { kind: 'user', userId: 's1', role: 'supervisor', name: 'Sam' };
export const S2: Identity = { kind: 'user', userId: 's2', role: 'supervisor', name: 'Sue' };

export async function openDesk(
  databaseUrl: string | undefined,
  opts: { rateLimit?: RateLimit; evidenceAnalyzer?: Analyzer } = {},
): Promise<Desk> {
  const dir = mkdtempSync(join(tmpdir(), 'md-feed-'));
  const clock = new ManualClock(START);
  const core = await openCore({
    dataDir: dir,
    databaseUrl,
    clock,
    feedRateLimit: opts.rateLimit ?? { perSecond: 1_000, burst: 10_000 },
    evidenceAnalyzer: opts.evidenceAnalyzer,
  });
  for (const [id, name, role] of [
    ['m1', 'Mira', 'mediator'],
    ['s1', 'Sam', 'supervisor'],
    ['s2', 'Sue', 'supervisor'],
  ] as const)
    await createUser(core.db, { id, name, role, password: `${id}-password` }, START);
  const server = await startHttpServer(core, { port: 0, staticDir: dir });
  const add = async (name: string, webhook?: string) => {
    const r = await addFeed(core.db, name, webhook ?? null, clock.now());
    return { token: r.token, webhookSecret: r.webhookSecret, id: r.feed.id };
  };
  const main = await add('market');
  return {
    core,
    server,
    clock,
    dir,
    token: main.token,
    feedId: main.id,
    addFeed: add,
    async close() {
      await server.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: { ok: boolean; value?: T; error?: { code: string; message: string; field?: string } } & Record<string, unknown>;
}

export async function feedPost<T = unknown>(
  desk: Desk,
  method: string,
  input: unknown,
  key: string,
  token = desk.token,
): Promise<Answer<T>> {
  const res = await fetch(`${desk.server.url}/feed/v1/call/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer<T>['body'] };
}

export interface FeedEventJson {
  seq: number;
  at: string;
  type: string;
  caseId: string;
  data: Record<string, unknown>;
}

export async function feedEvents(
  desk: Desk,
  after = 0,
  limit = 1000,
  token = desk.token,
): Promise<{ status: number; events: FeedEventJson[]; next: number }> {
  const res = await fetch(`${desk.server.url}/feed/v1/events?after=${after}&limit=${limit}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as { events: FeedEventJson[]; next: number };
  return { status: res.status, events: body.events, next: body.next };
}

export async function deskCall<T = unknown>(desk: Desk, method: string, input: unknown, who: Identity): Promise<T> {
  const r = await desk.core.dispatch(method, input, who);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

let keyNo = 0;
export const newKey = () => `k-${process.pid}-${++keyNo}-${Math.random().toString(36).slice(2)}`;

export function dispute(id: string, over: Partial<DisputeInput> = {}): DisputeInput {
  const placed = START - 40 * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id,
    openedAt: iso(placed + 20 * DAY),
    escalatedAt: iso(placed + 25 * DAY),
    reason: 'defective',
    claim: { remedy: 'refund_only', amountMinor: 15_000 },
    description: 'The phone does not switch on.',
    order: {
      id: `O-${id}`,
      placedAt: iso(placed),
      currency: 'USD',
      itemPriceMinor: 18_000,
      shippingMinor: 2_000,
      totalMinor: 20_000,
      item: { title: 'Smartphone X', quantity: 1 },
      tracking: { number: `T${id}`, carrier: 'Cainiao', status: 'delivered', deliveredAt: iso(placed + 10 * DAY) },
    },
    buyer: { id: `B-${id}`, name: 'Ivan', country: 'RU' },
    seller: { id: 'S-1', name: 'Shenzhen Store', country: 'CN' },
    ...over,
  };
}
