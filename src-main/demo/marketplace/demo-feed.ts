import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { addFeed, authenticateFeed } from '../../app/feed/admin';
import { AppFailure } from '../../contract/errors';
import { casesOwnedByFeed, claimUnownedCasesForFeed, feedByName } from '../../db/repos/feeds';
import { retryTransient } from '../../db/retry';
import { inWriteTx, type Reader } from '../../db/tx';

/**
 * The demo's own marketplace connection (`npm start`): a feed named demo-marketplace whose
 * token is kept in the data folder (readable by this user only), so the simulator finds it
 * again on the next start. The desk itself still keeps only the token's hash. A lost or
 * revoked token gets a new feed beside the old one.
 */
export async function demoFeedToken(db: Reader, dataDir: string, now: number): Promise<{ name: string; token: string }> {
  const file = join(dataDir, 'demo-marketplace.token');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { name: string; token: string };
    if (await authenticateFeed(db, saved.token)) return saved;
  }
  let created;
  try {
    created = await addFeed(db, 'demo-marketplace', null, now, 'demo');
  } catch (e) {
    if (!(e instanceof AppFailure) || e.code !== 'DUPLICATE') throw e;
    // Random, not the clock: desktops started together on one database share the instant.
    created = await addFeed(db, `demo-marketplace-${randomBytes(4).toString('hex')}`, null, now, 'demo');
  }
  const saved = { name: created.feed.name, token: created.token };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(saved), { mode: 0o600 });
  chmodSync(file, 0o600);
  return saved;
}

/**
 * The demo's cases belong to the demo's marketplace (issue 13): its buyers and sellers answer
 * through the feed API with the token kept in `<dataDir>/demo-marketplace.token`, as any
 * marketplace's would, instead of through a route without a credential. Cases that already
 * belong to a feed keep theirs. Returns the feed, where its token is, and how many cases it got.
 */
export async function demoCasesToDemoFeed(
  db: Reader,
  dataDir: string,
  now: number,
): Promise<{ name: string; token: string; tokenFile: string; cases: number; owned: number }> {
  const feed = await demoFeedToken(db, dataDir, now);
  const row = await feedByName(db, feed.name);
  const cases = await retryTransient(db, () => inWriteTx(db, (tx) => claimUnownedCasesForFeed(tx, row!.id)));
  const owned = await casesOwnedByFeed(db, row!.id);
  return { ...feed, tokenFile: join(dataDir, 'demo-marketplace.token'), cases, owned };
}
