import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/**
 * The team suite's harness: several `serve` processes (desktops) on one real PostgreSQL
 * database, driven over their HTTP carrier exactly as a browser or an integrator would.
 * Needs TEST_DATABASE_URL (.ci/run starts a server); without it the suite is skipped.
 */
export const SERVER_URL = process.env.TEST_DATABASE_URL;

const ROOT = resolve(import.meta.dirname, '../..');

/** A new, empty database on the test server, so every test starts from nothing. */
export async function freshDatabase(tag: string): Promise<string> {
  const pg = await import('pg');
  const base = new URL(SERVER_URL!);
  const name = `md_team_${tag}_${process.pid}_${Date.now()}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new (pg.default ?? pg).Client({ connectionString: base.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  base.pathname = `/${name}`;
  return base.toString();
}

/** Runs SQL on the test server as the superuser (terminating connections, inspecting rows). */
export async function adminQuery<T = Record<string, unknown>>(dbUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const pg = await import('pg');
  const client = new (pg.default ?? pg).Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * `TEAM_PORTS=47100-47199` keeps the desks (and proxies) the suite starts inside a range, on a
 * machine shared with other runs; without it the system picks any free port.
 */
const PORT_RANGE = /^(\d+)-(\d+)$/.exec(process.env.TEAM_PORTS ?? '');
let nextInRange = PORT_RANGE ? Number(PORT_RANGE[1]) + (process.pid % (Number(PORT_RANGE[2]) - Number(PORT_RANGE[1]) + 1)) : 0;

export async function freePort(): Promise<number> {
  if (!PORT_RANGE) return listenOnce(0);
  const [low, high] = [Number(PORT_RANGE[1]), Number(PORT_RANGE[2])];
  for (let tries = 0; tries <= high - low; tries++) {
    const port = nextInRange;
    nextInRange = nextInRange >= high ? low : nextInRange + 1;
    const got = await listenOnce(port).catch(() => 0);
    if (got) return got;
  }
  throw new Error(`no free port in TEAM_PORTS=${process.env.TEAM_PORTS}`);
}

function listenOnce(port: number): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export interface Desk {
  name: string;
  url: string;
  process: ChildProcess;
  /** Everything the process wrote, for a failing test's message. */
  output(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/** Starts one desktop (`serve`) on the database; resolves once it answers HTTP. */
export async function startDesk(name: string, dbUrl: string, extra: string[] = []): Promise<Desk> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/cli/index.ts', 'serve', '--port', String(port), '--db', dbUrl, '--fresh', ...extra],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  let exitCode: number | null | undefined;
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  child.on('exit', (code, signal) => {
    exitCode = code;
    log += `\n[exited: ${code ?? signal}]`;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`desk ${name} exited before serving:\n${log}`);
    if (Date.now() > deadline) throw new Error(`desk ${name} did not start within 120 s:\n${log}`);
    if (log.includes('is serving')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    url,
    process: child,
    output: () => log,
    exited: () => exitCode !== undefined,
    stop: async () => {
      if (exitCode !== undefined) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

export interface Envelope<T = unknown> {
  ok: boolean;
  value?: T;
  error?: { code: string; message: string; field?: string };
}

/** A signed-in browser session on one desk. */
export class Session {
  private cookie = '';
  constructor(
    readonly desk: Desk,
    readonly userId: string,
  ) {}

  static async signIn(desk: Desk, userId: string, password: string): Promise<Session> {
    const s = new Session(desk, userId);
    const res = await fetch(`${desk.url}/api/session/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId, password }),
    });
    const body = (await res.json()) as Envelope;
    if (!body.ok) throw new Error(`sign-in of ${userId} on ${desk.name} refused: ${JSON.stringify(body.error)}`);
    s.cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    return s;
  }

  async call<T = unknown>(method: string, input: unknown = {}): Promise<Envelope<T>> {
    const res = await fetch(`${this.desk.url}/api/call/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: this.cookie },
      body: JSON.stringify(input),
    });
    return (await res.json()) as Envelope<T>;
  }

  /** A plain GET on this desk with the session cookie (evidence bytes, …). */
  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.desk.url}${path}`, { headers: { ...headers, cookie: this.cookie } });
  }

  /** A plain POST of JSON on this desk with the session cookie (sign-out, …). */
  async post(path: string, body: unknown = {}): Promise<Response> {
    return fetch(`${this.desk.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: this.cookie },
      body: JSON.stringify(body),
    });
  }

  /** Subscribes to the desk's server-sent change notices; returns what arrived so far and a stop. */
  listen(): { notices: Array<{ caseIds: string[]; reason: string; at: string; receivedAt: number }>; stop(): void } {
    const notices: Array<{ caseIds: string[]; reason: string; at: string; receivedAt: number }> = [];
    const controller = new AbortController();
    void (async () => {
      try {
        const res = await fetch(`${this.desk.url}/api/events`, { headers: { cookie: this.cookie }, signal: controller.signal });
        const reader = res.body!.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            // `null` is "refresh everything": kept as a notice naming no case, with reason 'refresh'.
            if (data)
              notices.push({
                ...((JSON.parse(data.slice(6)) as { caseIds: string[]; reason: string; at: string } | null) ?? {
                  caseIds: [],
                  reason: 'refresh',
                  at: '',
                }),
                receivedAt: Date.now(),
              });
          }
        }
      } catch {
        // aborted or the desk went away
      }
    })();
    return { notices, stop: () => controller.abort() };
  }
}

/** `npm run -s cli -- <args> --db <dbUrl>` against the team's database: its exit code and output. */
export function cli(args: string[], dbUrl: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', ...args, '--db', dbUrl], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/**
 * The marketplace (FEED.md): a feed made once with the CLI, as an installation would, then
 * spoken to over HTTP on whichever desk, with its token. Each call has a new Idempotency-Key
 * unless given one; a `429` is waited out (Retry-After) and sent again with the same key, as
 * FEED.md asks a marketplace to (the limit is per feed and desk: 100 at once, 20 a second).
 */
export class Marketplace {
  private constructor(readonly token: string) {}

  static async connect(dbUrl: string, name = 'shop'): Promise<Marketplace> {
    const added = await cli(['feed', 'add', name], dbUrl);
    if (added.code !== 0) throw new Error(`feed add ${name} failed: ${added.stderr}`);
    return new Marketplace((JSON.parse(added.stdout) as { token: string }).token);
  }

  async call<T = unknown>(desk: Desk, method: string, input: unknown, key: string = randomUUID()): Promise<Envelope<T>> {
    for (;;) {
      const res = await fetch(`${desk.url}/feed/v1/call/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'idempotency-key': key, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as Envelope<T>;
      if (res.status !== 429) return body;
      await new Promise((r) => setTimeout(r, 1_000 * Number(res.headers.get('retry-after') ?? 1)));
    }
  }
}

/** A valid escalated dispute (SCENARIOS.md), varied by its number. */
export function dispute(n: number, escalatedAt: string): Record<string, unknown> {
  const total = 5_000 + (n % 97) * 100;
  return {
    id: `T-${n}`,
    openedAt: '2026-11-01T08:00:00Z',
    escalatedAt,
    reason: n % 2 ? 'defective' : 'not_received.no_tracking_info',
    claim: { remedy: 'refund_only', amountMinor: total },
    description: `Team test dispute ${n}`,
    order: {
      id: `TO-${n}`,
      placedAt: '2026-10-20T10:00:00Z',
      shippedAt: '2026-10-21T10:00:00Z',
      currency: 'EUR',
      itemPriceMinor: total - 500,
      shippingMinor: 500,
      totalMinor: total,
      item: { title: `Item ${n}`, quantity: 1 },
      tracking: { number: `LP${n}`, carrier: 'Cainiao', status: 'delivered', deliveredAt: '2026-10-28T12:00:00Z' },
    },
    buyer: {
      id: `TB-${n}`,
      name: `Buyer ${n}`,
      country: 'DE',
      createdAt: '2025-01-01T00:00:00Z',
      links: { device: [], address: [], payment: [] },
    },
    seller: { id: `TS-${n % 7}`, name: `Seller ${n % 7}`, country: 'CN' },
    negotiation: [],
    messages: [],
    evidence: [],
  };
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
