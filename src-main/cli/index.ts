import { readFile } from 'node:fs/promises';
import { ArgError } from './args';
import { ConfigError } from '../runtime/config';
import { Scenario, replay } from './replay';
import { COMMAND_HELP, wantsHelp } from './help';
import { withoutBom } from '../util/ndjson-lines';

/** Usage problems and unreadable input files exit 2 with a message on stderr (SCENARIOS.md). */
class UsageError extends Error {}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  async replay(args) {
    const file = args[0];
    // One scenario per run (score does the same): a second file would otherwise be ignored without a word.
    if (!file || args.length !== 1 || file.startsWith('--'))
      throw new UsageError(
        args.length > 1
          ? `replay takes one scenario file, not ${args.length} arguments; run it once per file`
          : file?.startsWith('--')
            ? `unknown option ${file}: replay takes only a scenario file (usage: cli replay <scenario.json>)`
            : 'usage: cli replay <scenario.json>',
      );
    const scenario = Scenario.safeParse(await readJson(file));
    if (!scenario.success) {
      const issue = scenario.error.issues[0]!;
      throw new UsageError(`${file}: ${issue.path.join('.') || 'scenario'}: ${issue.message}`);
    }
    process.stdout.write(`${JSON.stringify(await replay(scenario.data), null, 2)}\n`);
  },
  async import(args) {
    // Run again with few allocator arenas (malloc-arenas.ts): the load's threads' freed memory sits under the scoring's peak.
    const { cappedArenasEnv, runAgainWith, inputSize } = await import('./malloc-arenas');
    const env = cappedArenasEnv(process.platform, process.env, inputSize(args[0]));
    if (env) return runAgainWith(env);
    const { runImport } = await import('./import');
    await runImport(args);
  },
  async demo(args) {
    const { runDemo } = await import('./demo');
    await runDemo(args);
  },
  async serve(args) {
    const { runServe } = await import('./serve');
    await runServe(args);
  },
  async 'evidence-gc'(args) {
    const { runEvidenceGc } = await import('./evidence-gc');
    await runEvidenceGc(args);
  },
  async evidence(args) {
    const { runEvidence } = await import('./evidence');
    await runEvidence(args);
  },
  async bench(args) {
    const { runBench } = await import('./bench');
    await runBench(args);
  },
  async score(args) {
    const { runScore } = await import('./score');
    await runScore(args);
  },
  async audit(args) {
    const { runAudit } = await import('./audit');
    await runAudit(args);
  },
  async feed(args) {
    const { runFeed } = await import('./feed');
    await runFeed(args);
  },
  async 'simulate-marketplace'(args) {
    const { runSimulateMarketplace } = await import('./simulate-marketplace');
    await runSimulateMarketplace(args);
  },
  async users(args) {
    const { runUsers } = await import('./users');
    await runUsers(args);
  },
  async eval(args) {
    const { runEval } = await import('./eval');
    await runEval(args);
  },
};

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(withoutBom(text));
  } catch (e) {
    throw new UsageError(`${file}: is not valid JSON (${(e as Error).message})`);
  }
}

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const usage = `usage: cli <${Object.keys(commands).join('|')}> …   (cli <command> --help for its options)`;
  if (name === '--help' || name === '-h' || name === 'help') return void process.stdout.write(`${usage}\n`);
  const run = name ? commands[name] : undefined;
  if (!run) throw new UsageError(name ? `unknown command "${name.slice(0, 40)}"; ${usage}` : usage);
  // Commands with their own help text answer --help themselves.
  const help = COMMAND_HELP[name!];
  if (help && wantsHelp(args)) return void process.stdout.write(`${help}\n`);
  try {
    await run(args);
  } catch (e) {
    // A bad flag or argument says where the options are listed.
    if (e instanceof ArgError && !e.message.includes('--help')) e.message += ` (cli ${name} --help lists the options)`;
    throw e;
  }
}

main().then(
  // A command that found something wrong (audit verify) sets exitCode instead of throwing.
  () => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0),
  (e) => {
    const usage = e instanceof UsageError || e instanceof ArgError || e instanceof ConfigError;
    process.stderr.write(`${usage ? e.message : ((e as Error).stack ?? String(e))}\n`);
    process.exit(usage ? 2 : 1);
  },
);

export { UsageError };
