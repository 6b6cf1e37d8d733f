import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedChainId } from '../../src-main/app/feed/admin';
import { verifyChains } from '../../src-main/app/audit/verify';
import type { Db } from '../../src-main/db/connect';
import { cli, deskOn, dropAppendOnly, freshDatabaseUrl, M1, openUrl, recreateAppendOnly, S1, type Desk } from './audit-fixtures';

/**
 * Issue 13 (left over): creating and revoking a feed are audit events, chained like a case's
 * (one chain per feed), written in the transaction that creates or revokes it, by whoever did
 * it (a supervisor on the Feeds screen, the `feed` command). `audit verify` passes an untouched
 * history and names a feed whose creation was altered or deleted afterwards.
 */

const dialects = [
  { name: 'sqlite file', dialect: 'sqlite' as const },
  ...(process.env.TEST_DATABASE_URL ? [{ name: 'postgres', dialect: 'postgres' as const }] : []),
];

describe.each(dialects)('feed creation and revocation in the audit chain on $name', ({ dialect }) => {
  let url: string;
  let db: Db;
  let desk: Desk;
  const feedEvents = (feedId: string) =>
    db
      .selectFrom('case_events')
      .select(['seq', 'type', 'actor', 'details', 'prev_hash', 'hash'])
      .where('case_id', '=', feedChainId(feedId))
      .orderBy('seq')
      .execute();
  const feedId = async (name: string) => (await db.selectFrom('feeds').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    url = await freshDatabaseUrl(dialect);
    db = await openUrl(url);
    desk = await deskOn(db);
  });
  afterAll(async () => db?.destroy());

  it('chains the creation (by the supervisor, with its webhook) and the revocation (by the feed command)', async () => {
    await desk.ok('feeds.create', { name: 'shop-a', webhookUrl: 'https://shop.example/hook' }, S1);
    await desk.ok('feeds.create', { name: 'shop-b' }, S1);
    const revoked = await cli(['feed', 'revoke', 'shop-a', '--db', url]);
    expect([revoked.code, revoked.stderr]).toEqual([0, '']);

    const a = await feedEvents(await feedId('shop-a'));
    expect(a.map((e) => [Number(e.seq), e.type, e.actor, JSON.parse(e.details)])).toEqual([
      [1, 'feed.created', 's1', { name: 'shop-a', webhookUrl: 'https://shop.example/hook' }],
      [2, 'feed.revoked', 'cli', { name: 'shop-a' }],
    ]);
    expect(a[1]!.prev_hash).toBe(a[0]!.hash);
    // Neither the token nor the webhook secret is written into the history.
    const secret = await db
      .selectFrom('feeds')
      .select(['webhook_secret', 'token_hash'])
      .where('name', '=', 'shop-a')
      .executeTakeFirstOrThrow();
    for (const e of a) {
      expect(e.details).not.toContain(secret.webhook_secret!);
      expect(e.details).not.toContain(secret.token_hash);
    }
    expect((await feedEvents(await feedId('shop-b'))).map((e) => e.type)).toEqual(['feed.created']);
  }, 120_000);

  it('writes nothing for a refused creation or revocation', async () => {
    const before = Number(
      (
        await db
          .selectFrom('case_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(await desk.call('feeds.create', { name: 'shop-b' }, S1)).toMatchObject({ ok: false, error: { code: 'DUPLICATE' } });
    expect(await desk.call('feeds.create', { name: 'shop-m' }, M1)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await desk.call('feeds.revoke', { name: 'shop-a' }, S1)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await desk.call('feeds.revoke', { name: 'nobody' }, S1)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const after = Number(
      (
        await db
          .selectFrom('case_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(after).toBe(before);
  });

  it('passes audit verify untouched, and names the feed whose creation was altered', async () => {
    const intact = await cli(['audit', 'verify', '--db', url, '--json']);
    expect([intact.code, intact.stderr]).toEqual([0, '']);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, cases: 2, events: 3, brokenCases: 0 });

    // Someone with the database's password points shop-b's recorded webhook elsewhere.
    const b = feedChainId(await feedId('shop-b'));
    await dropAppendOnly(db);
    await sql`UPDATE case_events SET details = ${JSON.stringify({ name: 'shop-b', webhookUrl: 'https://evil.example/' })} WHERE case_id = ${b}`.execute(
      db,
    );
    await recreateAppendOnly(db);
    const report = await verifyChains(db);
    expect(report.findings).toEqual([
      { caseId: b, problems: ['event 1 (feed.created) was altered: its content no longer matches its hash'] },
    ]);
    const broken = await cli(['audit', 'verify', '--db', url, '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, brokenCases: 1, findings: [{ caseId: b }] });
  }, 120_000);
});
