import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { replay, Scenario } from '../../src-main/cli/replay';

/**
 * The shared example scenarios (../shared/scenarios/*.json) are the replay contract from
 * outside: each carries an `expect` block that the engine's output must satisfy.
 */
const SCENARIO_DIR = fileURLToPath(new URL('../../../shared/scenarios/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const files = readdirSync(SCENARIO_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

type StepResult = { step: number; ok: boolean; error?: { code: string; message: string } };

/**
 * The expected results, as the sentence in `expect.results` says them. Two forms are known:
 * "every step ok" and "step N fails with CODE (why); every other step ok". Anything else
 * fails loudly, so a new form is never silently accepted.
 */
function parseExpectedResults(sentence: string, stepCount: number): Array<{ ok: true } | { ok: false; code: string }> {
  const s = sentence.trim();
  if (/^every step ok\.?$/i.test(s)) return Array.from({ length: stepCount }, () => ({ ok: true as const }));
  const m = /^step (\d+) fails with ([A-Z_]+)(?: \([^)]*\))?; every other step ok\.?$/i.exec(s);
  if (m) {
    const failing = Number(m[1]);
    if (failing >= stepCount) throw new Error(`expect.results names step ${failing}, but the scenario has ${stepCount} steps`);
    return Array.from({ length: stepCount }, (_, i) => (i === failing ? { ok: false as const, code: m[2]! } : { ok: true as const }));
  }
  throw new Error(`unknown expect.results form: ${JSON.stringify(sentence)}`);
}

/** Compact per-step outcome, readable in a failure diff: "ok" or the error code. */
const outcomes = (results: StepResult[]) => results.map((r) => (r.ok ? 'ok' : r.error!.code));

/** `expected` is a deep subset of `actual` (arrays compared element by element, same length). */
function expectSubset(actual: unknown, expected: unknown) {
  expect(actual).toMatchObject(expected as Record<string, unknown>);
}

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
const isoOrNull = (v: unknown) => (v === null ? null : ISO);

/** The names and value sets SCENARIOS.md promises in the replay output ("these names and meanings stay"). */
function expectDocumentedShape(c: unknown) {
  const v = c as Record<string, any>;
  expect(v).toMatchObject({ id: expect.any(String), status: expect.any(String), events: expect.any(Array) });
  expect(['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies', 'closed', 'appealed', 'final']).toContain(v.status);
  expect(v.assignee === null || typeof v.assignee === 'string').toBe(true);
  for (const r of v.evidenceRequests)
    expect(r).toMatchObject({
      id: expect.any(String),
      party: expect.stringMatching(/^(buyer|seller)$/),
      status: expect.stringMatching(/^(open|fulfilled|expired)$/),
      dueAt: ISO,
    });
  if (v.proposal !== null) {
    expect(v.proposal).toMatchObject({ recommended: expect.stringMatching(/^(partial|return|full)$/), replyDueAt: ISO });
    for (const p of ['buyer', 'seller']) expect([null, 'partial', 'return', 'full', 'reject']).toContain(v.proposal.replies[p]);
    for (const o of v.proposal.options)
      expect(o).toMatchObject({ kind: expect.stringMatching(/^(partial|return|full)$/), amountMinor: expect.any(Number) });
  }
  if (v.decision !== null) {
    expect(v.decision).toMatchObject({
      outcome: expect.stringMatching(/^(full|partial|return|none)$/),
      amountMinor: expect.any(Number),
      basis: expect.stringMatching(/^(agreement|mediator|default|appeal)$/),
      decidedBy: expect.any(String),
      decidedAt: ISO,
    });
    expect(v.decision.appealUntil).toEqual(isoOrNull(v.decision.appealUntil));
  }
  expect(v).toHaveProperty('appeal');
  if (v.refund !== null) {
    expect(v.refund).toMatchObject({
      status: expect.stringMatching(/^(awaiting_return|return_in_transit|expected|processing|completed|cancelled)$/),
      amountMinor: expect.any(Number),
    });
  }
  expect(v.returnDueAt).toEqual(isoOrNull(v.returnDueAt));
  expect(v.buyerRisk).toMatchObject({ score: expect.any(Number), reasons: expect.any(Array) });
  for (const e of v.events) expect(e).toMatchObject({ at: ISO, actor: expect.any(String), type: expect.any(String) });
}

describe('parseExpectedResults', () => {
  it('reads both known forms', () => {
    expect(parseExpectedResults('every step ok', 2)).toEqual([{ ok: true }, { ok: true }]);
    expect(parseExpectedResults('step 1 fails with FORBIDDEN (why; not); every other step ok', 3)).toEqual([
      { ok: true },
      { ok: false, code: 'FORBIDDEN' },
      { ok: true },
    ]);
    expect(parseExpectedResults('step 0 fails with DEADLINE_PASSED; every other step ok', 1)).toEqual([
      { ok: false, code: 'DEADLINE_PASSED' },
    ]);
  });
  it('fails loudly on an unknown form or an out-of-range step', () => {
    expect(() => parseExpectedResults('steps 1 and 2 fail', 3)).toThrow(/unknown expect.results form/);
    expect(() => parseExpectedResults('most steps ok', 3)).toThrow(/unknown/);
    expect(() => parseExpectedResults('step 7 fails with FORBIDDEN; every other step ok', 3)).toThrow(/has 3 steps/);
  });
});

describe('shared example scenarios (replay)', () => {
  it('the folder holds scenarios', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(file, async () => {
      const raw = JSON.parse(readFileSync(join(SCENARIO_DIR, file), 'utf8')) as {
        expect?: { results?: string; case?: { id: string } & Record<string, unknown> };
      };
      expect(raw.expect, `${file} has no expect block`).toBeDefined();
      const scenario = Scenario.parse(raw);
      const out = await replay(scenario);
      expect(out.results.map((r) => r.step)).toEqual(scenario.steps.map((_, i) => i));

      if (raw.expect!.results !== undefined) {
        const wanted = parseExpectedResults(raw.expect!.results, scenario.steps.length);
        expect(outcomes(out.results), JSON.stringify(out.results.filter((r) => !r.ok))).toEqual(wanted.map((w) => (w.ok ? 'ok' : w.code)));
        for (const r of out.results)
          if (!r.ok) expect(r.error!.message.length, `step ${r.step} refused without a message`).toBeGreaterThan(10);
      }
      for (const c of out.cases) expectDocumentedShape(c);
      if (raw.expect!.case !== undefined) {
        const c = out.cases.find((x) => x?.id === raw.expect!.case!.id);
        expect(c, `no case ${raw.expect!.case.id} in the output`).toBeDefined();
        expectSubset(c, raw.expect!.case);
      }
    });
  }
});

// ------------------------------------------------------------------ the CLI from outside

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

// Each run starts a tsx process (~3 s); they are independent, so run them side by side.
describe.concurrent('cli replay (child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'md-scenarios-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 and prints one JSON document for a valid scenario', async () => {
    const file = join(SCENARIO_DIR, files[0]!);
    const { code, stdout, stderr } = await runCli(['replay', file]);
    expect(code, stderr).toBe(0);
    const doc = JSON.parse(stdout) as { results: StepResult[]; cases: Array<{ id: string }> };
    expect(Array.isArray(doc.results)).toBe(true);
    expect(Array.isArray(doc.cases)).toBe(true);
    // The CLI prints the same document as the in-process replay.
    const inProcess = await replay(Scenario.parse(JSON.parse(readFileSync(file, 'utf8'))));
    expect(doc).toEqual(JSON.parse(JSON.stringify(inProcess)));
  });

  it('reads a scenario saved with a byte-order mark (Windows editors) like the same file without it', async () => {
    const source = join(SCENARIO_DIR, files[0]!);
    const file = join(dir, 'with-bom.json');
    writeFileSync(file, `\uFEFF${readFileSync(source, 'utf8')}`);
    const [plain, bom] = await Promise.all([runCli(['replay', source]), runCli(['replay', file])]);
    expect(bom.code, bom.stderr).toBe(0);
    expect(bom.stdout).toBe(plain.stdout);
  });

  it('exits 2 with a message on stderr for a missing file', async () => {
    const { code, stdout, stderr } = await runCli(['replay', join(dir, 'does-not-exist.json')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/does-not-exist\.json/);
  });

  it('exits 2 with one sentence when given two scenario files (the second is not ignored)', async () => {
    const file = join(dir, 'two-a.json');
    writeFileSync(file, JSON.stringify({ steps: [] }));
    const { code, stdout, stderr } = await runCli(['replay', file, file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe('replay takes one scenario file, not 2 arguments; run it once per file');
  });

  it('exits 2 with a message on stderr for invalid JSON', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "steps": [ ');
    const { code, stdout, stderr } = await runCli(['replay', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/JSON/);
  });

  it('exits 2 with a message on stderr when `at` goes back in time', async () => {
    const file = join(dir, 'back-in-time.json');
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          { at: '2026-03-02T10:00:00Z', method: 'system.tick' },
          { at: '2026-03-02T09:00:00Z', method: 'system.tick' },
        ],
      }),
    );
    const { code, stdout, stderr } = await runCli(['replay', file]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/steps\.1\.at/);
    expect(stderr).toMatch(/back in time/);
  });

  it("exits 2 naming the user when a user id is given twice or is the feed's or the clock's name", async () => {
    const tick = [{ at: '2026-03-02T10:00:00Z', method: 'system.tick' }];
    for (const [users, path, words] of [
      [
        [
          { id: 'm1', name: 'Mira', role: 'mediator' },
          { id: 'm1', name: 'Max', role: 'supervisor' },
        ],
        'users.1.id',
        /given twice/,
      ],
      [[{ id: 'intake', name: 'Ida', role: 'supervisor' }], 'users.0.id', /marketplace feed/],
      [[{ id: 'system', name: 'Sy', role: 'mediator' }], 'users.0.id', /sweep/],
    ] as const) {
      const file = join(dir, `users-${path}.json`);
      writeFileSync(file, JSON.stringify({ users, steps: tick }));
      const { code, stdout, stderr } = await runCli(['replay', file]);
      expect(code, stderr).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain(`${file}: ${path}: `);
      expect(stderr).toMatch(words);
    }
  });
});
