import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ManualClock } from '../runtime/clock';
import { DEMO_USERS } from '../demo/demo-data';
import { openCore } from '../runtime/core';
import { startHttpServer } from '../transport/http';
import { ArgError, intFlag, parseArgs, optionsOnly } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';
import { demoCasesToDemoFeed, demoFeedToken } from '../demo/marketplace/demo-feed';
import { runMarketplaceSimulator } from '../demo/marketplace/simulator';
import { cursorFile } from '../demo/marketplace/cursor-state';
import type { Core } from '../runtime/core';

const DEFAULT_DEMO_CASES = 3_000;

/**
 * `serve`: the main-process core behind the local HTTP carrier, for browsers, machines
 * without a display and the end-to-end tests. Serves the renderer built into out/web.
 */
export async function runServe(args: string[]): Promise<void> {
  const { flags, positional } = parseArgs(args, {
    port: 'string',
    db: 'string',
    'data-dir': 'string',
    demo: 'boolean',
    'demo-cases': 'string',
    fresh: 'boolean',
    'test-clock': 'boolean',
    simulate: 'boolean',
  });
  optionsOnly(positional);
  const port = intFlag(flags.port, 'port', 4780, { min: 0, max: 65_535 });
  const dataDir = flags.fresh ? mkdtempSync(join(tmpdir(), 'mediation-desk-')) : resolve(String(flags['data-dir'] ?? defaultDataDir()));
  // The test clock exists only when asked for on the command line: a normal run has no way to move time.
  const clock = flags['test-clock'] ? new ManualClock(Date.now()) : undefined;
  const core = await openCore({
    dataDir,
    databaseUrl: (flags.db as string | undefined) ?? databaseUrlFromEnv(),
    demoIfEmpty: flags.demo ? intFlag(flags['demo-cases'], 'demo-cases', DEFAULT_DEMO_CASES, { min: 1, max: 2_000_000 }) : undefined,
    clock,
  });
  const server = await startHttpServer(core, {
    port,
    staticDir: resolve('out/web'),
    demo: flags.demo === true,
    demoAccounts: flags.demo ? DEMO_USERS : undefined,
    testControls: clock ? { advanceClock: async (ms: number) => (clock.advance(ms), core.sweepNow()), now: () => clock.now() } : undefined,
  }).catch(async (e: unknown) => {
    await core.close();
    throw listenRefusal(e, port);
  });
  // Stopping is wired before anything else runs, so a SIGTERM in the moment after "is serving"
  // (the demo's feed being set up) still closes the server and the database cleanly.
  let simulation: { stop(): Promise<void> } | null = null;
  let stopping = false;
  const stopped = new Promise<void>((done) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void (simulation?.stop() ?? Promise.resolve())
        .then(() => server.close())
        .then(() => core.close())
        .then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write(`Mediation Desk is serving ${server.url}  (data: ${flags.db ?? databaseUrlFromEnv() ?? dataDir})\n`);
  if (flags.demo && !stopping) {
    // The demo's cases belong to the demo's marketplace: tests and the simulator act for its parties with this token.
    // The desk serves even if the demo's feed could not be set up (it says so in one sentence).
    await demoCasesToDemoFeed(core.db, dataDir, core.context.clock.now()).then(
      (feed) =>
        process.stdout.write(
          feed.owned > 0
            ? `The demo's cases belong to the feed ${feed.name}; its token is in ${feed.tokenFile}\n`
            : // A second desk on a team database with its own data folder: the first desk's feed has the cases, and only that desk holds its token.
              `This desk's demo feed ${feed.name} owns no cases: they belong to the feed of the desk that loaded the demo, whose token is in that desk's data folder (demo-marketplace.token).\n`,
        ),
      (e: unknown) => process.stderr.write(`The demo's marketplace feed was not set up: ${(e as Error).message}\n`),
    );
  }
  // The desk serves whether or not its simulated marketplace could start.
  if (flags.simulate && !stopping) {
    const started = await simulateMarketplace(core, dataDir, server.url).catch((e: unknown) => {
      process.stderr.write(`The simulated marketplace did not start: ${(e as Error).message}\n`);
      return null;
    });
    // Asked to stop while it was starting: the stop above did not know it yet.
    if (stopping) await started?.stop();
    else simulation = started;
  }
  await stopped;
}

/**
 * `serve --simulate` (`npm start`): a marketplace on the other end of the demo's feed, in this
 * process, over HTTP like any integrator: new disputes every few minutes, parties who answer
 * (or not) what the mediators ask. Ten marketplace minutes pass in a real second.
 */
async function simulateMarketplace(core: Core, dataDir: string, url: string): Promise<{ stop(): Promise<void> }> {
  const feed = await demoFeedToken(core.db, dataDir, core.context.clock.now());
  const abort = new AbortController();
  process.stdout.write(
    `A simulated marketplace plays buyers and sellers through the feed ${feed.name} (its lines start with [marketplace]).\n`,
  );
  const running = runMarketplaceSimulator({
    url,
    token: feed.token,
    speed: 600,
    // A new seed each start: new disputes, new parties.
    seed: core.context.clock.now() % 1_000_000_000,
    temper: 'mixed',
    disputes: 30,
    everyMinutes: 240,
    // Beside the feed's token: the next start goes on from the last event this one handled.
    state: cursorFile(join(dataDir, `${feed.name}.cursor.json`), feed.token, url),
    log: (line) => process.stdout.write(`[marketplace] ${line}\n`),
    signal: abort.signal,
  }).catch((e: unknown) => process.stderr.write(`[marketplace] stopped: ${(e as Error).message}\n`));
  return {
    stop: async () => {
      abort.abort();
      await running;
    },
  };
}

/** A port the desk cannot listen on, in one sentence (the usual two); anything else as it is. */
function listenRefusal(e: unknown, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new ArgError(
      `port ${port} on 127.0.0.1 is already in use by another program; choose another with --port N (0 takes any free port)`,
    );
  if (code === 'EACCES')
    return new ArgError(`this user may not listen on port ${port}; choose a port above 1023 with --port N (0 takes any free port)`);
  return e;
}
