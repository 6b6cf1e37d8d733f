import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ManualClock } from '../runtime/clock';
import { DEMO_USERS } from '../demo/demo-data';
import { openCore } from '../runtime/core';
import { startHttpServer } from '../transport/http';
import { intFlag, parseArgs } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

const DEFAULT_DEMO_CASES = 3_000;

/**
 * `serve`: the main-process core behind the local HTTP carrier, for browsers, machines
 * without a display and the end-to-end tests. Serves the renderer built into out/web.
 */
export async function runServe(args: string[]): Promise<void> {
  const { flags } = parseArgs(args, {
    port: 'string',
    db: 'string',
    'data-dir': 'string',
    demo: 'boolean',
    'demo-cases': 'string',
    fresh: 'boolean',
    'test-clock': 'boolean',
  });
  const port = intFlag(flags.port, 'port', 4780);
  const dataDir = flags.fresh ? mkdtempSync(join(tmpdir(), 'mediation-desk-')) : resolve(String(flags['data-dir'] ?? defaultDataDir()));
  // The test clock exists only when asked for on the command line: a normal run has no way to move time.
  const clock = flags['test-clock'] ? new ManualClock(Date.now()) : undefined;
  const core = await openCore({
    dataDir,
    databaseUrl: (flags.db as string | undefined) ?? databaseUrlFromEnv(),
    demoIfEmpty: flags.demo ? intFlag(flags['demo-cases'], 'demo-cases', DEFAULT_DEMO_CASES) : undefined,
    clock,
  });
  const server = await startHttpServer(core, {
    port,
    staticDir: resolve('out/web'),
    demo: flags.demo === true,
    demoAccounts: flags.demo ? DEMO_USERS : undefined,
    testControls: clock ? { advanceClock: async (ms: number) => (clock.advance(ms), core.sweepNow()), now: () => clock.now() } : undefined,
  });
  process.stdout.write(`Mediation Desk is serving ${server.url}  (data: ${flags.db ?? databaseUrlFromEnv() ?? dataDir})\n`);
  await new Promise<void>((done) => {
    const stop = () =>
      void server
        .close()
        .then(() => core.close())
        .then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
