import { resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { AppFailure } from '../contract/errors';
import { openDatabase } from '../db/connect';
import { ensurePolicy } from '../db/repos/policy';
import { addFeed, feedViews, revokeFeedByName } from '../app/feed/admin';
import { systemClock } from '../runtime/clock';
import { ArgError, parseArgs } from './args';
import { databaseUrlFromEnv, defaultDataDir } from './paths';

const HELP = `usage:
  cli feed add <name> [--webhook <url>] [--db <path or postgres://…>]   prints the token (and the webhook secret) once
  cli feed list [--db …]                                                names, created, last seen, webhook state (JSON lines)
  cli feed revoke <name> [--db …]                                       the token stops working at once

A feed is one marketplace connection (FEED.md). Keep the token secret: the desk stores only its hash.`;

/** `feed add | list | revoke`: the marketplace connections of this installation. */
export async function runFeed(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h') || !args.length) {
    process.stdout.write(`${HELP}\n`);
    if (!args.length) throw new ArgError('cli feed: say add, list or revoke (see --help)');
    return;
  }
  const { flags, positional } = parseArgs(args, { db: 'string', webhook: 'string' });
  const [verb, name, ...extra] = positional;
  if (extra.length) throw new ArgError(`cli feed: unexpected ${extra.join(' ')} (see --help)`);
  if (verb !== 'add' && verb !== 'list' && verb !== 'revoke')
    throw new ArgError(`cli feed: unknown command ${verb ?? ''} (add, list or revoke)`);
  if (verb !== 'list' && !name) throw new ArgError(`usage: cli feed ${verb} <name>`);
  if (verb !== 'add' && flags.webhook !== undefined) throw new ArgError('--webhook belongs to feed add');
  const url = (flags.db as string | undefined) ?? databaseUrlFromEnv() ?? resolve(defaultDataDir(), 'mediation-desk.sqlite');
  if (!flags.db) mkdirSync(defaultDataDir(), { recursive: true });
  let db;
  try {
    db = await openDatabase({ url });
  } catch (e) {
    throw new ArgError(`cannot open the database ${url}: ${(e as Error).message}`);
  }
  try {
    await ensurePolicy(db, systemClock.now());
    if (verb === 'add') {
      const r = await addFeed(db, name!, (flags.webhook as string | undefined) ?? null, systemClock.now());
      process.stdout.write(
        `${JSON.stringify({ feed: r.feed.name, token: r.token, ...(r.webhookSecret ? { webhookSecret: r.webhookSecret } : {}) })}\n`,
      );
      process.stderr.write("The token (and webhook secret) are shown only now; the desk keeps only the token's hash.\n");
    } else if (verb === 'revoke') {
      await revokeFeedByName(db, name!, systemClock.now());
      process.stdout.write(`${JSON.stringify({ feed: name, revoked: true })}\n`);
    } else {
      for (const f of await feedViews(db))
        process.stdout.write(
          `${JSON.stringify({
            name: f.name,
            created: f.createdAt,
            lastSeen: f.lastSeenAt,
            revoked: f.revokedAt,
            webhook: f.webhook ? { url: f.webhook.url, deliveredSeq: f.deliveredSeq, lag: f.lag, lastError: f.lastError } : null,
          })}\n`,
        );
    }
  } catch (e) {
    if (e instanceof AppFailure) throw new ArgError(e.message);
    throw e;
  } finally {
    await db.destroy();
  }
}
