import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FITTED_WEIGHTS } from '../../src-main/engine/risk';

/**
 * `cli eval`'s options for measuring a refit before it is copied in: `--seeds A-B` picks draws
 * within the chosen set (so a fit on one half of the tuning draws is measured on the other, and a
 * typo cannot reach the held-out seeds), `--weights FILE` scores with the JSON `--fit` prints, and
 * `--fit-outside-seeds` takes outside-tuning draws only.
 */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cli-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src-main/cli/index.ts', 'eval', ...args],
      { cwd: REPO, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('cli eval --seeds, --weights, --fit-outside-seeds', () => {
  it.each([
    [['--set', 'outside-tuning', '--seeds', '2015-2020'], '--seeds must lie within 2000–2019, got 2015-2020'],
    [['--set', 'tuning', '--seeds', '50000-50004'], '--seeds must lie within 1000–1039, got 50000-50004'],
    [
      ['--fit', '--seeds', '1000-1001', '--fit-outside-seeds', '80000-80004'],
      '--fit-outside-seeds must lie within 2000–2019, got 80000-80004',
    ],
    [['--set', 'tuning', '--seeds', '1010-1009'], '--seeds must lie within 1000–1039, got 1010-1009'],
    [['--set', 'tuning', '--seeds', 'a-b'], '--seeds must be A-B (e.g. 2010-2019), got a-b'],
    [['--fit', '--seeds', '1000-1001', '--fit-unlucky-weight', '0.5'], '--fit-unlucky-weight must be a number from 1 to 100, got 0.5'],
    [['--fit', '--seeds', '1000-1001', '--fit-worst-draws', '5'], '--fit-worst-draws must be a number from 0 to 4, got 5'],
    // The second held-out sets (session 24) are their own: fresh seeds under their set, never under tuning or the fit.
    [['--set', 'test-fresh', '--seeds', '50000-50004'], '--seeds must lie within 51000–51019, got 50000-50004'],
    [['--set', 'outside-fresh', '--seeds', '81003-81005'], '--seeds must lie within 81000–81004, got 81003-81005'],
    [['--set', 'tuning', '--seeds', '51000-51001'], '--seeds must lie within 1000–1039, got 51000-51001'],
    [
      ['--fit', '--seeds', '1000-1001', '--fit-outside-seeds', '81000-81001'],
      '--fit-outside-seeds must lie within 2000–2019, got 81000-81001',
    ],
    // The third held-out sets (session 26) likewise: refused to the other sets' --seeds and to the fit.
    [['--set', 'test-fresh2', '--seeds', '51000-51004'], '--seeds must lie within 52000–52019, got 51000-51004'],
    [['--set', 'outside-fresh2', '--seeds', '82003-82005'], '--seeds must lie within 82000–82004, got 82003-82005'],
    [['--set', 'test-fresh', '--seeds', '52000-52001'], '--seeds must lie within 51000–51019, got 52000-52001'],
    [['--set', 'outside-fresh', '--seeds', '82000'], '--seeds must lie within 81000–81004, got 82000'],
    [['--fit', '--seeds', '52000-52001'], '--seeds must lie within 1000–1039, got 52000-52001'],
    [
      ['--fit', '--seeds', '1000-1001', '--fit-outside-seeds', '82000-82001'],
      '--fit-outside-seeds must lie within 2000–2019, got 82000-82001',
    ],
    [
      ['--set', 'fresh'],
      '--set must be test, test-fresh, test-fresh2, tuning, outside, outside-fresh, outside-fresh2 or outside-tuning, got fresh',
    ],
  ])('refuses %j before measuring anything', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
  });

  it('scores the chosen draws with the weights in the file', { timeout: 300_000 }, async () => {
    const fitted = join(dir, 'fitted.json');
    const blind = join(dir, 'blind.json');
    writeFileSync(fitted, JSON.stringify(FITTED_WEIGHTS));
    // Only the dispute rate weighs: a model that sees far less than the fitted one.
    const coef = Object.fromEntries(Object.keys(FITTED_WEIGHTS.coef).map((c) => [c, c === 'DISPUTE_RATE' ? 1 : 0]));
    writeFileSync(blind, JSON.stringify({ bias: FITTED_WEIGHTS.bias, coef }));
    const args = ['--set', 'tuning', '--seeds', '1011-1012', '--buyers', '1500', '--k', '20', '--json'];
    const [plain, same, other] = await Promise.all([
      runCli(args),
      runCli([...args, '--weights', fitted]),
      runCli([...args, '--weights', blind]),
    ]);
    const draws = (r: { stdout: string; stderr: string }) =>
      (JSON.parse(r.stdout) as { draws: Array<{ seed: number; rPrecision: number; unluckyOrNewInTopK: number }> }).draws.map(
        ({ seed, rPrecision, unluckyOrNewInTopK }) => ({ seed, rPrecision, unluckyOrNewInTopK }),
      );
    expect(draws(plain).map((d) => d.seed)).toEqual([1011, 1012]);
    expect(draws(same)).toEqual(draws(plain));
    const mean = (r: typeof plain) => draws(r).reduce((s, d) => s + d.rPrecision, 0) / 2;
    expect(mean(other)).toBeLessThan(mean(plain));
  });

  it('refuses a weights file that is not what --fit prints', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ bias: -6, coef: { OPENED_RATE: 4 } }));
    const r = await runCli(['--set', 'tuning', '--seeds', '1011', '--buyers', '300', '--weights', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('coef.DISPUTE_RATE missing');
  });

  it('says in one sentence when the weights file is missing or not JSON', async () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'bias = -6');
    for (const [file, message] of [
      [join(dir, 'missing.json'), 'cannot be read (ENOENT)'],
      [notJson, 'not JSON'],
    ] as const) {
      const r = await runCli(['--set', 'tuning', '--seeds', '1011', '--buyers', '300', '--weights', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
