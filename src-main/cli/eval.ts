import { writeFileSync } from 'node:fs';
import { evaluate } from '../eval/evaluate';
import { generatePopulation } from '../eval/population';
import { intFlag, parseArgs } from './args';

/**
 * `eval [--seed N] [--buyers N] [--seeds a,b,c] [--k N] [--write-history FILE]`: generates a
 * synthetic population with planted abusers (see src-main/eval/population.ts), scores it the
 * way `score` does, and prints one JSON report per seed: precision@k, R-precision, unlucky or
 * new honest buyers in the top k, time to flag, and the targets. Exit 0 either way (the
 * report says whether the targets were met); `--write-history` also writes the population
 * in the `score` format, for `cli score`.
 */
export async function runEval(args: string[]): Promise<void> {
  const { flags } = parseArgs(args, { seed: 'string', seeds: 'string', buyers: 'string', k: 'string', 'write-history': 'string' });
  const buyers = intFlag(flags.buyers, 'buyers', 8_000);
  const k = intFlag(flags.k, 'k', 100);
  const seeds = flags.seeds
    ? String(flags.seeds)
        .split(',')
        .map((s, i) => intFlag(s.trim(), `seeds[${i}]`, 0))
    : [intFlag(flags.seed, 'seed', 1)];
  if (flags['write-history']) {
    const pop = generatePopulation({ seed: seeds[0]!, buyers });
    writeFileSync(String(flags['write-history']), pop.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  for (const seed of seeds) process.stdout.write(`${JSON.stringify(evaluate({ seed, buyers, k }), null, 2)}\n`);
}
