import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../src-main/db/repos/case';
import { MAX_EVENT_DETAILS_BYTES } from '../../src-main/db/repos/audit-chain';
import { securityLog, SECURITY_LOG_RETAIN_MS } from '../../src-main/db/repos/security-log';
import { inWriteTx } from '../../src-main/db/tx';
import type { Db } from '../../src-main/db/connect';
import { verifyChains } from '../../src-main/app/audit/verify';
import { ANONYMOUS, deskOn, dispute, HOUR, INTAKE, M1, type Desk } from './audit-fixtures';
import { DIALECTS, openTestDb } from './harness';

/**
 * Issue 14, item 5: the audit log cannot be flooded. A refusal never echoes unbounded input
 * (a 900 KB unknown key), refusals without a session are counted in the bounded security
 * log instead of written to case histories, and an event's details have a size cap.
 */

const eventCount = async (db: Db) =>
  Number(
    (
      await db
        .selectFrom('case_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe.each(DIALECTS)('bounded refusals on $name', ({ url }) => {
  let db: Db;
  let desk: Desk;
  beforeAll(async () => {
    db = await openTestDb(url());
    desk = await deskOn(db);
    await desk.ok('intake.dispute', dispute(1), INTAKE);
    await desk.ok('case.claim', { caseId: 'AU-1' }, M1);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('answers a 900 KB unknown key with a short refusal and stores a small row', async () => {
    const hugeKey = 'k'.repeat(900 * 1024);
    const input = { caseId: 'AU-1', outcome: 'full', reasons: 'ok', [hugeKey]: 1, [`${hugeKey}2`]: 2, x1: 1, x2: 2 };
    const answer = await desk.call('case.decide', input, M1);
    expect(answer.ok).toBe(false);
    const error = answer.ok ? null : answer.error;
    expect(error?.code).toBe('VALIDATION');
    expect(error!.message.length).toBeLessThan(1024);
    expect(error!.message).toMatch(/unknown fields "k{40}…", "k{40}…", "x1" and 1 more; remove them\./);
    const row = await db
      .selectFrom('case_events')
      .selectAll()
      .where('case_id', '=', 'AU-1')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(row.type).toBe('command.refused');
    expect(row.actor).toBe('m1');
    expect(row.details.length).toBeLessThan(1024);
  });

  it('counts 2,000 anonymous case commands in a bounded security log and writes no case event', async () => {
    const before = await eventCount(db);
    const commands = [
      ['case.decide', { caseId: 'AU-1', outcome: 'full', reasons: 'Forged.' }],
      ['case.claim', { caseId: 'AU-1' }],
      ['appeal.review', { caseId: 'AU-1', verdict: 'uphold', reasons: 'x' }],
      ['no.such.method', { caseId: 'AU-1' }],
    ] as const;
    for (let i = 0; i < 2_000; i++) {
      const [method, input] = commands[i % commands.length]!;
      const answer = await desk.call(method, input, ANONYMOUS);
      expect(answer.ok ? 'accepted' : answer.error.code).toMatch(/UNAUTHENTICATED|NOT_FOUND/);
      if (i % 500 === 499) desk.clock.advance(60_000); // four minutes of flood
    }
    expect(await eventCount(db)).toBe(before);
    const log = await securityLog(db);
    expect(log.reduce((n, r) => n + r.count, 0)).toBe(2_000);
    // Four sources × four minutes at most, however many requests arrived.
    expect(log.length).toBeLessThanOrEqual(16);
    expect(new Set(log.map((r) => r.source))).toEqual(new Set(['case.decide', 'case.claim', 'appeal.review', '(unknown method)']));

    // A day later the old minutes are gone as new ones arrive: bounded in time too.
    desk.clock.advance(SECURITY_LOG_RETAIN_MS + HOUR);
    await desk.call('case.claim', { caseId: 'AU-1' }, ANONYMOUS);
    expect(await securityLog(db)).toEqual([
      { kind: 'refused.unauthenticated', source: 'case.claim', minute: expect.any(Number), count: 1 },
    ]);
    expect((await verifyChains(db)).brokenCases).toBe(0);
  }, 300_000);

  it('refuses to store an event whose details exceed the cap, writing nothing', async () => {
    const before = await eventCount(db);
    const write = inWriteTx(db, (tx) =>
      appendEvents(tx, 'AU-1', [
        { at: desk.clock.now(), actor: 'm1', type: 'note', details: { text: 'z'.repeat(MAX_EVENT_DETAILS_BYTES) } },
      ]),
    );
    await expect(write).rejects.toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/at most 65536 are kept/) });
    expect(await eventCount(db)).toBe(before);
    // The longest text the contract accepts, every character escaped, still fits.
    const reasons = '\u0001'.repeat(10_000);
    expect(Buffer.byteLength(JSON.stringify({ reasons, outcome: 'full', amountMinor: 1, basis: 'mediator' }))).toBeLessThan(
      MAX_EVENT_DETAILS_BYTES,
    );
  });
});
