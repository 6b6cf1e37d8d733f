import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryRecord } from '../../src-main/contract/history';
import { HistoryScorer, toHistoryEvent } from '../../src-main/engine/risk';

/** `score <history.ndjson>` from outside (SCENARIOS.md, "score"): exit codes, stderr, output order and shape. */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DAY = 86_400_000;
const T0 = Date.parse('2025-06-01T00:00:00Z');
const iso = (days: number) => new Date(T0 + days * DAY).toISOString();
const sha = (n: number) => n.toString(16).padStart(64, '0');

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'src-main/cli/index.ts', ...args],
      { cwd: REPO, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A serial disputer, two honest buyers (one with a lost parcel), a seller, and two bad lines. */
function history(): string[] {
  const lines: unknown[] = [
    { type: 'account', id: 'S-1', role: 'seller', createdAt: iso(-400), links: {} },
    {
      type: 'account',
      id: 'B-serial',
      role: 'buyer',
      createdAt: iso(-300),
      links: { device: ['dv-1'], address: ['ad-1'], payment: ['pm-1'] },
    },
    { type: 'account', id: 'B-honest', role: 'buyer', createdAt: iso(-300), links: { device: ['dv-2'] } },
    { type: 'account', id: 'B-unlucky', role: 'buyer', createdAt: iso(-300), links: {} },
  ];
  let o = 0;
  let d = 0;
  const order = (buyerId: string, day: number, delivered: boolean) => {
    lines.push({
      type: 'order',
      id: `O-${++o}`,
      buyerId,
      sellerId: 'S-1',
      placedAt: iso(day),
      totalMinor: 2000,
      currency: 'USD',
      delivery: { status: delivered ? 'delivered' : 'in_transit', at: delivered ? iso(day + 10) : null },
    });
    return `O-${o}`;
  };
  const dispute = (orderId: string, day: number, reason: string, extra: Record<string, unknown> = {}) =>
    lines.push({
      type: 'dispute',
      id: `D-${++d}`,
      orderId,
      openedAt: iso(day),
      reason,
      claim: { remedy: 'refund_only', amountMinor: 2000 },
      ...extra,
    });
  for (let i = 0; i < 8; i++) {
    const id = order('B-serial', i * 20, true);
    if (i < 6)
      dispute(id, i * 20 + 25, 'not_received.no_tracking_info', {
        evidence: [{ sha256: sha(1), phash: 'ffff0000ffff0000' }],
        messages: [{ by: 'buyer', at: iso(i * 20 + 26), text: 'If you do not refund me I will leave a 1-star review.' }],
        outcome: 'buyer_won',
      });
  }
  for (let i = 0; i < 5; i++) order('B-honest', i * 30, true);
  for (let i = 0; i < 5; i++) {
    const id = order('B-unlucky', i * 30, i > 1);
    if (i <= 1) dispute(id, i * 30 + 45, 'not_received.in_transit', { outcome: 'buyer_won' });
  }
  const text = lines.map((l) => JSON.stringify(l));
  text.splice(3, 0, '{not json');
  text.push(JSON.stringify({ type: 'dispute', id: 'D-x', orderId: 'O-nope', openedAt: iso(200), reason: 'defective' }));
  text.push('');
  return text;
}

describe.concurrent('cli score (child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'md-score-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one line per buyer, highest score first, and reports bad lines by number', async () => {
    const file = join(dir, 'history.ndjson');
    const lines = history();
    writeFileSync(file, lines.join('\n'));
    const { code, stdout, stderr } = await runCli(['score', file]);
    expect(code, stderr).toBe(0);
    const out = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { accountId: string; score: number; reasons: Array<{ code: string; text: string; weight: number }> });
    expect(out.map((x) => x.accountId)).toEqual(['B-serial', 'B-honest', 'B-unlucky']);
    expect(out.map((x) => x.score)).toEqual([...out.map((x) => x.score)].sort((a, b) => b - a));
    for (const x of out) {
      expect(Object.keys(x)).toEqual(['accountId', 'score', 'reasons']);
      expect(Number.isInteger(x.score) && x.score >= 0 && x.score <= 100).toBe(true);
      for (const r of x.reasons) expect(Object.keys(r)).toEqual(['code', 'text', 'weight']);
    }
    expect(out[0]!.score).toBeGreaterThanOrEqual(80);
    expect(out[0]!.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['NOT_RECEIVED_DELIVERED', 'REUSED_PHOTO', 'REVIEW_THREAT']));
    expect(out[0]!.reasons.find((r) => r.code === 'NOT_RECEIVED_DELIVERED')!.text).toMatch(
      /^6 not-received claims on 8 delivered orders; platform [\d.]+ %; the buyer opened disputes on \d+ of 8 delivered orders \(smoothed [\d.]+ %; (their sellers' other buyers [\d.]+ %, )?platform [\d.]+ %\)$/,
    );
    expect(out[1]).toEqual({ accountId: 'B-honest', score: 0, reasons: [] });
    expect(out[2]!.score).toBe(0);
    expect(out[2]!.reasons.map((r) => r.code)).toEqual(['BAD_LUCK']);
    // (npx may add its own warnings to stderr: only the CLI's JSON lines are read.)
    const problems = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { line: number; message?: string })
      .filter((p) => p.message !== undefined);
    expect(problems.map((p) => p.line)).toEqual([4, lines.length - 1]);
    expect(problems[1]!.message).toMatch(/order O-nope is unknown/);
    // The same answer as the model in process.
    const scorer = new HistoryScorer();
    for (const l of lines) {
      const r = l.trim()
        ? HistoryRecord.safeParse(
            (() => {
              try {
                return JSON.parse(l);
              } catch {
                return null;
              }
            })(),
          )
        : null;
      if (r?.success) scorer.add(toHistoryEvent(r.data));
    }
    expect(out).toEqual(JSON.parse(JSON.stringify(scorer.finish())));
  });

  it('a file saved with a byte-order mark and CRLF line ends (Windows editors) scores as without them', async () => {
    const plain = join(dir, 'plain.ndjson');
    const windows = join(dir, 'windows.ndjson');
    writeFileSync(plain, history().join('\n'));
    writeFileSync(windows, `\uFEFF${history().join('\r\n')}\r\n`);
    const [a, b] = await Promise.all([runCli(['score', plain]), runCli(['score', windows])]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const lineOne = b.stderr.split('\n').filter((l) => l.startsWith('{"line":1,'));
    expect(lineOne).toEqual([]);
  });

  it('exits 2 with a message for a missing file, a directory, or a file with no record at all', async () => {
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'hello\nworld\n');
    for (const [file, message] of [
      [join(dir, 'nope.ndjson'), /nope\.ndjson: cannot be read/],
      [dir, /is not a file/],
      [garbage, /no line is a history record/],
    ] as const) {
      const { code, stdout, stderr } = await runCli(['score', file]);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    }
  });
});
