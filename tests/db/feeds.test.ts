import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src-main/db/connect';
import { inWriteTx } from '../../src-main/db/tx';
import { appendFeedEvents } from '../../src-main/db/repos/feed-outbox';
import {
  insertFeed,
  outboxHead,
  pruneAnswers,
  readOutbox,
  releaseDeliveryLease,
  storeAnswer,
  storedAnswer,
  takeDeliveryLease,
} from '../../src-main/db/repos/feeds';
import { DIALECTS, openTestDb } from './harness';

/** The feed tables' SQL (migration 0008) on every dialect: outbox order and cursor, keys, delivery leases. */
describe.each(DIALECTS)('feed tables on $name', ({ url }) => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDb(url());
    await inWriteTx(db, async (tx) => {
      for (const id of ['f1', 'f2'])
        await insertFeed(tx, {
          id,
          name: `feed-${id}`,
          tokenHash: `hash-${id}`,
          webhookUrl: 'http://127.0.0.1:9/',
          webhookSecret: 's',
          now: 1_000,
        });
    });
  });
  afterEach(async () => db.destroy());

  it('numbers outbox rows in commit order and reads one feed after a seq', async () => {
    const ev = (type: 'case.accepted' | 'case.final', at: number) => ({ type, at, data: { n: at } });
    await inWriteTx(db, (tx) =>
      appendFeedEvents(tx, [
        { feedId: 'f1', caseId: 'A', event: ev('case.accepted', 1) },
        { feedId: 'f2', caseId: 'B', event: ev('case.accepted', 2) },
        { feedId: 'f1', caseId: 'A', event: ev('case.final', 3) },
      ]),
    );
    await expect(
      inWriteTx(db, async (tx) => {
        await appendFeedEvents(tx, [{ feedId: 'f1', caseId: 'A', event: ev('case.final', 99) }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await inWriteTx(db, (tx) => appendFeedEvents(tx, [{ feedId: 'f1', caseId: 'C', event: ev('case.accepted', 4) }]));
    const all = await readOutbox(db, 'f1', 0, 100);
    expect(all.map((r) => [r.caseId, r.type, r.data])).toEqual([
      ['A', 'case.accepted', { n: 1 }],
      ['A', 'case.final', { n: 3 }],
      ['C', 'case.accepted', { n: 4 }],
    ]);
    expect(all.map((r) => r.seq)).toEqual([...all.map((r) => r.seq)].sort((a, b) => a - b));
    expect(await readOutbox(db, 'f1', all[0]!.seq, 1)).toEqual([all[1]]);
    expect(await outboxHead(db, 'f1', all[0]!.seq)).toEqual({ head: all[2]!.seq, pending: 2, oldestUndeliveredAt: 3 });
  });

  it('keeps one answer per feed and key, and prunes old keys', async () => {
    await inWriteTx(db, (tx) => storeAnswer(tx, 'f1', 'k', { bodyHash: 'h', status: 200, answer: '{"ok":true}' }, 10));
    await expect(inWriteTx(db, (tx) => storeAnswer(tx, 'f1', 'k', { bodyHash: 'x', status: 200, answer: '{}' }, 11))).rejects.toThrow();
    await inWriteTx(db, (tx) => storeAnswer(tx, 'f2', 'k', { bodyHash: 'y', status: 409, answer: '{"ok":false}' }, 20));
    expect(await storedAnswer(db, 'f1', 'k')).toEqual({ bodyHash: 'h', status: 200, answer: '{"ok":true}' });
    expect(await inWriteTx(db, (tx) => pruneAnswers(tx, 15))).toBe(1);
    expect(await storedAnswer(db, 'f1', 'k')).toBeNull();
    expect(await storedAnswer(db, 'f2', 'k')).not.toBeNull();
  });

  it("gives a feed's delivery lease to one desktop at a time until it is released or runs out", async () => {
    expect(await inWriteTx(db, (tx) => takeDeliveryLease(tx, 'f1', 'desk-A', 1_000, 30_000))).toBe(true);
    expect(await inWriteTx(db, (tx) => takeDeliveryLease(tx, 'f1', 'desk-B', 2_000, 30_000))).toBe(false);
    expect(await inWriteTx(db, (tx) => takeDeliveryLease(tx, 'f2', 'desk-B', 2_000, 30_000))).toBe(true);
    expect(await inWriteTx(db, (tx) => takeDeliveryLease(tx, 'f1', 'desk-B', 31_001, 30_000))).toBe(true); // A's ran out
    await inWriteTx(db, (tx) => releaseDeliveryLease(tx, 'f1', 'desk-A')); // not A's any more: no effect
    expect(await inWriteTx(db, (tx) => takeDeliveryLease(tx, 'f1', 'desk-A', 31_002, 30_000))).toBe(false);
    await inWriteTx(db, (tx) => releaseDeliveryLease(tx, 'f1', 'desk-B'));
    expect(await inWriteTx(db, (tx) => takeDeliveryLease(tx, 'f1', 'desk-A', 31_003, 30_000))).toBe(true);
  });
});
