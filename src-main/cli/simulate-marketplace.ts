import { resolve } from 'node:path';
import { cursorFile } from '../demo/marketplace/cursor-state';
import { runMarketplaceSimulator, type Temper } from '../demo/marketplace/simulator';
import { ArgError, intFlag, parseArgs } from './args';

const HELP = `usage: cli simulate-marketplace --feed <token> [--url <desk>] [--speed <n>] [--seed <n>] [--temper mixed|cooperative]
                                 [--disputes <n>] [--every <minutes>] [--from-start] [--state <file>]

Plays a marketplace's buyers and sellers against the desk's feed API (FEED.md) over HTTP:
escalates disputes, reads the event cursor, answers evidence requests with photos (streamed
multipart uploads), replies to resolutions, appeals some decisions, ships and confirms returns
and reports refunds (refund.update). Stop it with Ctrl-C.

  --feed <token>      the feed's token (npm run -s cli -- feed add <name>, or the Feeds screen)
  --url <desk>        the desk serving /feed/v1 (default http://127.0.0.1:4780)
  --speed <n>         marketplace seconds per real second (default 60: a party's hour takes a minute)
  --seed <n>          the same seed plays the same parties the same way (default 1)
  --temper <t>        mixed (default): late answers, silence, rejections, appeals, failed refunds;
                      cooperative: every party answers in time, accepts and pays
  --disputes <n>      new disputes to escalate (default 10), one every --every minutes (default 30)
  --from-start        act on every event of the feed since 0 (default: from the head when it starts)
  --state <file>      keep the cursor (last event handled, disputes escalated) in this file, written
                      after every page of events: a restart with the same file goes on where the
                      last run stopped, neither replaying old events nor skipping new ones. The
                      file is created if missing and refused if it belongs to another feed.
                      Without it the cursor lives in memory only (default). With --from-start
                      the file is rewritten from 0.`;

/** `simulate-marketplace`: a believable marketplace on the other end of a feed, until Ctrl-C. */
export async function runSimulateMarketplace(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) return void process.stdout.write(`${HELP}\n`);
  const { flags, positional } = parseArgs(args, {
    feed: 'string',
    url: 'string',
    speed: 'string',
    seed: 'string',
    temper: 'string',
    disputes: 'string',
    every: 'string',
    'from-start': 'boolean',
    state: 'string',
  });
  if (positional.length) throw new ArgError(`simulate-marketplace: unexpected ${positional.join(' ')} (see --help)`);
  const token = flags.feed;
  if (typeof token !== 'string' || !token.trim()) throw new ArgError('simulate-marketplace needs --feed <token> (see --help).');
  const url = typeof flags.url === 'string' ? flags.url : 'http://127.0.0.1:4780';
  if (!/^https?:\/\/[^\s/]+/i.test(url)) throw new ArgError(`--url must be the desk's http:// or https:// address, got ${url}.`);
  const speed = Number(flags.speed ?? 60);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 10_000_000)
    throw new ArgError(`--speed must be a number above 0 (marketplace seconds per real second), got ${String(flags.speed)}.`);
  const temper = (flags.temper ?? 'mixed') as Temper;
  if (temper !== 'mixed' && temper !== 'cooperative') throw new ArgError(`--temper must be mixed or cooperative, got ${String(temper)}.`);
  if (flags.state !== undefined && (typeof flags.state !== 'string' || !flags.state.trim()))
    throw new ArgError('--state needs a file name (see --help).');
  const state = typeof flags.state === 'string' ? cursorFile(resolve(flags.state), token.trim(), url) : undefined;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  await runMarketplaceSimulator({
    url,
    token: token.trim(),
    speed,
    seed: intFlag(flags.seed, 'seed', 1),
    temper,
    disputes: Math.min(intFlag(flags.disputes, 'disputes', 10), 10_000),
    everyMinutes: intFlag(flags.every, 'every', 30),
    fromStart: flags['from-start'] === true,
    state,
    signal: stop.signal,
  }).catch((e: unknown) => {
    // The desk refusing the token or not answering is a usage matter: one sentence, exit 2.
    throw new ArgError((e as Error).message);
  });
}
