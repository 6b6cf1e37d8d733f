import { readFileSync, writeFileSync } from 'node:fs';
import { evaluate, evaluateFamily, evaluateOutside, type EvalReport } from '../eval/evaluate';
import { FIT_FAMILIES, FRESH2_TEST_SEEDS, FRESH_TEST_SEEDS, TEST_SEEDS, TUNING_SEEDS, seedsOf, type FitFamily } from '../eval/family';
import { fitWeights } from '../eval/fit';
import { FEATURE_CODES, type Weights } from '../engine/risk';
import { OUTSIDE_FRESH2_SEEDS, OUTSIDE_FRESH_SEEDS, OUTSIDE_SEEDS, OUTSIDE_TUNING_SEEDS } from '../eval/outside';
import { generatePopulation } from '../eval/population';
import { ArgError, intFlag, parseArgs, optionsOnly } from './args';

/**
 * `eval [--set test|test-fresh|test-fresh2|tuning|outside|outside-fresh|outside-fresh2|outside-tuning] [--draws N] [--seeds A-B] [--buyers N] [--k N] [--seed N] [--weights FILE] [--json] [--explain] [--write-history FILE]`:
 * draws populations from the family (src-main/eval/family.ts; each seed its own mix and
 * adversarial variant), scores each the way `score` does, and prints one row per draw and
 * the mean and worst case of precision@k, R-precision and the share of unlucky or new honest
 * buyers in the top R, against the goals. `--set test` (default) reads the held-out seeds,
 * `--set tuning` the seeds used for fitting, `--set outside` the outside population (outside.ts), `--set outside-tuning`
 * its tuning draws (seeds 2000–2019: for diagnosis and trying changes; never the published figures), `--set test-fresh`
 * and `--set outside-fresh` second held-out sets (51000–51019, 81000–81004; session 24), `--set test-fresh2` and
 * `--set outside-fresh2` third ones (52000–52019, 82000–82004; session 26); `--seed N`
 * evaluates one population (JSON report).
 * Exit 0 either way (the table says whether the goals were met); `--write-history` also writes
 * the first draw in the `score` format, for `cli score`.
 */
const USAGE = `usage: cli eval [--set test|test-fresh|test-fresh2|tuning|outside|outside-fresh|outside-fresh2|outside-tuning] [--draws N] [--seeds A-B] [--buyers N] [--k N] [--seed N]
                [--weights FILE] [--json] [--explain] [--write-history FILE]
       cli eval --fit [--draws N | --seeds A-B] [--buyers N] [--fit-family F] [--fit-outside-seeds A-B] [--fit-outside-buyers N]
                [--fit-unlucky-weight W] [--fit-worst-draws P]
  Scores populations drawn from the evaluation family and prints precision@k, R-precision and the share
  of unlucky or new honest buyers in the top R per draw, with the mean and the worst case against the goals.
  --set test (default: the held-out seeds), tuning (the seeds the weights were fitted on) or outside
             (src-main/eval/outside.ts: a population written apart from the family, never tuned on), or
             outside-tuning (other draws of that population, seeds 2000–2019: to diagnose and try changes on);
             test-fresh (seeds 51000–51019) and outside-fresh (81000–81004): second held-out sets, never tuned on;
             test-fresh2 (52000–52019) and outside-fresh2 (82000–82004): third ones, for the next candidate's one run
  --draws N  how many draws of the set (default: all 20 / 40 / 5); --seed N one family population as a JSON report
  --seeds A-B  the draws A to B of the set instead (within its seeds: e.g. --set outside-tuning --seeds 2010-2019,
             the half a fit on 2000–2009 did not see)
  --weights FILE  score with the weights in FILE (the JSON --fit prints) instead of weights.ts: a candidate measured
             before it is copied in
  --buyers N buyers per population (default 12000); --k N the analysts' page (default 100)
  The last column counts the honest buyers of bad sellers among the unlucky or new in the top R.
  --explain  after the table, the honest buyers in the top R and the abusers below it over all draws,
             counted by kind and by the set of reasons that weighed (what to look at first)
  --fit      fit the score's weights on the tuning draws (default 18 draws of 4000: two per variant; --draws N the
             first N, --seeds A-B those) and print them as JSON (copy into src-main/engine/risk/weights.ts)
  --fit-outside-seeds A-B  also fit on these outside-tuning draws (within 2000–2019), beside the family's
  --fit-outside-buyers N   buyers per outside draw in the fit (default: --buyers, or 4000)
  --fit-unlucky-weight W   an unlucky or new honest buyer counts W times in the fit's loss (1 to 100, default 1):
             the goal caps their share of the top R
  --fit-worst-draws P  the second pass weighs each draw by (1 - its R-precision under the first pass's weights)^P,
             over that mean among the same source's draws (0 to 4, default 0: every draw alike)
  --fit-family family (default), fussy or broad: fit on the same tuning seeds drawn with wider honest base
             rates (fussy: fussier, more varied honest buyers, more porch thefts; broad: also more angry messages,
             odd requests and stock photos; family.ts drawBroadParams); held-out draws are never broadened
`;

export async function runEval(args: string[]): Promise<void> {
  if (args.includes('--help')) {
    process.stdout.write(USAGE);
    return;
  }
  const { flags, positional } = parseArgs(args, {
    set: 'string',
    draws: 'string',
    seed: 'string',
    buyers: 'string',
    k: 'string',
    json: 'boolean',
    fit: 'boolean',
    'fit-family': 'string',
    'fit-outside-seeds': 'string',
    'fit-outside-buyers': 'string',
    'fit-unlucky-weight': 'string',
    'fit-worst-draws': 'string',
    seeds: 'string',
    weights: 'string',
    explain: 'boolean',
    'write-history': 'string',
  });
  optionsOnly(positional);
  const buyers = intFlag(flags.buyers, 'buyers', 12_000);
  const k = intFlag(flags.k, 'k', 100);
  if (buyers < 200) throw new ArgError('--buyers must be at least 200 (fewer leaves too few abusers to measure)');
  if (buyers > 200_000) throw new ArgError('--buyers must be at most 200000');
  const set = String(flags.set ?? 'test');
  const ranges = {
    test: TEST_SEEDS,
    'test-fresh': FRESH_TEST_SEEDS,
    'test-fresh2': FRESH2_TEST_SEEDS,
    tuning: TUNING_SEEDS,
    outside: OUTSIDE_SEEDS,
    'outside-fresh': OUTSIDE_FRESH_SEEDS,
    'outside-fresh2': OUTSIDE_FRESH2_SEEDS,
    'outside-tuning': OUTSIDE_TUNING_SEEDS,
  } as const;
  if (!Object.hasOwn(ranges, set))
    throw new ArgError(
      `--set must be test, test-fresh, test-fresh2, tuning, outside, outside-fresh, outside-fresh2 or outside-tuning, got ${set}`,
    );
  const range = ranges[set as keyof typeof ranges];
  const outsideSet = set.startsWith('outside');
  const seeds =
    flags.seed !== undefined
      ? [intFlag(flags.seed, 'seed', 0)]
      : flags.seeds !== undefined && !flags.fit
        ? seedRange(flags.seeds, 'seeds', range)
        : seedsOf(range, intFlag(flags.draws, 'draws', range.count));
  if (!seeds.length) throw new ArgError('--draws must be at least 1');
  if (flags.fit) {
    // Fitting reads the tuning draws only, whatever --set says.
    const fitSeeds =
      flags.seeds !== undefined ? seedRange(flags.seeds, 'seeds', TUNING_SEEDS) : seedsOf(TUNING_SEEDS, intFlag(flags.draws, 'draws', 18));
    const fitBuyers = intFlag(flags.buyers, 'buyers', 4_000);
    const outsideSeeds =
      flags['fit-outside-seeds'] !== undefined ? seedRange(flags['fit-outside-seeds'], 'fit-outside-seeds', OUTSIDE_TUNING_SEEDS) : [];
    const outsideBuyers = intFlag(flags['fit-outside-buyers'], 'fit-outside-buyers', fitBuyers);
    const unluckyWeight = flags['fit-unlucky-weight'] !== undefined ? Number(flags['fit-unlucky-weight']) : 1;
    if (!(unluckyWeight >= 1 && unluckyWeight <= 100))
      throw new ArgError(`--fit-unlucky-weight must be a number from 1 to 100, got ${String(flags['fit-unlucky-weight'])}`);
    const worstDrawPower = flags['fit-worst-draws'] !== undefined ? Number(flags['fit-worst-draws']) : 0;
    if (!(worstDrawPower >= 0 && worstDrawPower <= 4))
      throw new ArgError(`--fit-worst-draws must be a number from 0 to 4, got ${String(flags['fit-worst-draws'])}`);
    const family = String(flags['fit-family'] ?? 'family') as FitFamily;
    if (!FIT_FAMILIES.includes(family)) throw new ArgError(`--fit-family must be ${FIT_FAMILIES.join(', ')}, got ${family}`);
    const w = fitWeights({
      seeds: fitSeeds,
      buyers: fitBuyers,
      outsideSeeds,
      outsideBuyers,
      unluckyWeight,
      worstDrawPower,
      family,
      onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    const outside = outsideSeeds.length
      ? ` and outside-tuning seeds ${outsideSeeds[0]}–${outsideSeeds[outsideSeeds.length - 1]}, ${outsideBuyers} buyers each`
      : '';
    process.stdout.write(
      `${JSON.stringify({ fittedOn: `${family === 'family' ? '' : `${family}-family `}tuning seeds ${fitSeeds[0]}–${fitSeeds[fitSeeds.length - 1]}, ${fitBuyers} buyers each${outside}`, ...w }, null, 2)}\n`,
    );
    return;
  }
  const weights = flags.weights !== undefined ? readWeights(String(flags.weights)) : undefined;
  if (flags['write-history']) {
    const pop = generatePopulation({ seed: seeds[0]!, buyers });
    writeFileSync(String(flags['write-history']), pop.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  if (flags.seed !== undefined) {
    process.stdout.write(`${JSON.stringify(evaluate({ seed: seeds[0]!, buyers, k, ...(weights ? { weights } : {}) }), null, 2)}\n`);
    return;
  }
  const out = (s: string) => process.stdout.write(s);
  if (!flags.json) {
    out(`${set} draws ${seeds[0]}–${seeds[seeds.length - 1]}, ${buyers} buyers each, k = ${k}\n`);
    out(row(['seed', 'variant', 'abusers', `p@${k}`, 'R-prec', 'unlucky/new in top R', 'tripped honest in top R', 'bad sellers']));
  }
  const onDraw = (r: EvalReport) => {
    if (!flags.json) out(drawRow(r));
  };
  const report = outsideSet
    ? evaluateOutside(seeds, { buyers, k, timeToFlag: false, ...(weights ? { weights } : {}) }, onDraw)
    : evaluateFamily(seeds, { buyers, k, timeToFlag: false, ...(weights ? { weights } : {}) }, onDraw);
  if (flags.json) {
    out(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const t = report.targets;
  out(row(['mean', '', '', f(report.mean.precisionAtK), f(report.mean.rPrecision), pct(report.mean.unluckyOrNewShareOfTopK), '']));
  out(row(['worst', '', '', f(report.worst.precisionAtK), f(report.worst.rPrecision), pct(report.worst.unluckyOrNewShareOfTopK), '']));
  out(row(['goal', '', '', `≥ ${t.precisionAtK}`, `≥ ${t.rPrecision}`, `≤ ${pct(t.unluckyOrNewShareOfTopK)}`, '']));
  out(`${report.pass ? 'PASS' : 'FAIL'}: every goal ${report.pass ? 'met' : 'not met'} in the worst case over ${seeds.length} draws\n`);
  if (flags.explain) {
    out(`\nhonest buyers in the top R, by kind and reasons (all draws):\n${tally(report.draws.map((r) => r.honestInTopRBy))}`);
    out(
      `\nabusers below the top R, by kind, what they avoid and reasons (all draws):\n${tally(report.draws.map((r) => r.missedAbusersBy))}`,
    );
  }
}

/** `A-B` (or one seed `A`) inside a set's seeds: a typo must not reach the held-out draws. */
function seedRange(v: string | boolean, name: string, range: { from: number; count: number }): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(v));
  if (!m) throw new ArgError(`--${name} must be A-B (e.g. 2010-2019), got ${String(v)}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  const last = range.from + range.count - 1;
  if (a > b || a < range.from || b > last) throw new ArgError(`--${name} must lie within ${range.from}–${last}, got ${String(v)}`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** The weights JSON `eval --fit` prints (bias, coef, low; fittedOn ignored). */
function readWeights(file: string): Weights {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ArgError(
      `--weights ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); give the JSON file eval --fit printed`,
    );
  }
  let w: Partial<Weights>;
  try {
    w = JSON.parse(text) as Partial<Weights>;
  } catch {
    throw new ArgError(`--weights ${file}: not JSON; give the file eval --fit printed`);
  }
  if (w === null || typeof w !== 'object') throw new ArgError(`--weights ${file}: not the JSON eval --fit prints`);
  if (typeof w.bias !== 'number' || typeof w.coef !== 'object' || w.coef === null)
    throw new ArgError(`--weights ${file}: not the JSON eval --fit prints`);
  for (const c of FEATURE_CODES) if (typeof w.coef[c] !== 'number') throw new ArgError(`--weights ${file}: coef.${c} missing`);
  return { bias: w.bias, coef: w.coef, ...(w.low ? { low: w.low } : {}) };
}

/** Counts summed over draws, the 25 largest, one per line. */
function tally(counts: Array<Record<string, number>>): string {
  const sum = new Map<string, number>();
  for (const c of counts) for (const [key, n] of Object.entries(c)) sum.set(key, (sum.get(key) ?? 0) + n);
  return [...sum]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 25)
    .map(([key, n]) => `${String(n).padStart(5)}  ${key}\n`)
    .join('');
}

const f = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const WIDTHS = [7, 15, 8, 7, 7, 21, 24];
const row = (cells: string[]) => `${cells.map((c, i) => c.padEnd(WIDTHS[i] ?? 8)).join(' ')}\n`;
const drawRow = (r: EvalReport) =>
  row([
    String(r.seed),
    r.variant,
    String(r.abusers),
    f(r.precisionAtK),
    f(r.rPrecision),
    `${r.unluckyOrNewInTopK} (${pct(r.unluckyOrNewShareOfTopK)})`,
    String(r.trippedHonestInTopR),
    String(r.badSellerBuyersInTopR),
  ]);
