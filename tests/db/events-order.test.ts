import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOfFirstQuery, judgePlan } from '../../src-main/bench/capture';
import type { Db } from '../../src-main/db/connect';
import { dialectOf } from '../../src-main/db/dialect';
import { caseScreenRows } from '../../src-main/db/repos/case-reads';
import { handlingEventsOf } from '../../src-main/db/repos/handling';
import { latestCaseEvents } from '../../src-main/db/repos/presence';
import { DIALECTS, indexDefinitions, openTestDb } from './harness';
import { deskOn, dispute, INTAKE, M1, M2, S1, T0, type Desk } from './audit-fixtures';

/**
 * Migration 0049: a case's events are read along the chain's (case_id, seq) index, the
 * (case_id, id) one being gone. The case's timeline, its handling history and its latest
 * changes come in the order the events were appended, as they did by id; an event written
 * around the chain (no seq) comes first (last, newest first) on every dialect; on SQLite each
 * read walks case_events_chain with no sort step.
 */
const PARTIES = { buyerId: 'B-1', sellerId: 'S-1' };

describe.each(DIALECTS)('a case’s events along the chain on $name', ({ url }) => {
  let db: Db;
  let desk: Desk;
  beforeAll(async () => {
    db = await openTestDb(url());
    desk = await deskOn(db);
    await desk.ok('intake.dispute', dispute(1), INTAKE);
    await desk.ok('intake.dispute', dispute(2), INTAKE);
    await desk.ok('case.claim', { caseId: 'AU-1' }, M1);
    await desk.ok('case.requestEvidence', { caseId: 'AU-1', party: 'buyer', request: 'A photo of the lid, please.' }, M1);
    await desk.ok('case.assign', { caseId: 'AU-1', userId: 'm2' }, S1);
    await desk.ok('case.claim', { caseId: 'AU-2' }, M2);
    // Written around the chain (the append-only triggers refuse only updates and deletes).
    await sql`INSERT INTO case_events (case_id, at, actor, type, details) VALUES ('AU-1', ${T0}, 'm1', 'case.claimed', '{}')`.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('has no (case_id, id) index left, the chain’s unique (case_id, seq) one in its place', async () => {
    const indexes = await indexDefinitions(db, 'case_events');
    expect(Object.keys(indexes)).not.toContain('case_events_by_case');
    expect(indexes.case_events_chain).toMatch(/unique/i);
  });

  it('reads the timeline in append order (id order), the unchained event first', async () => {
    const { events } = await caseScreenRows(db, 'AU-1', await partiesOf(db, 'AU-1'));
    const chained = events.filter((e) => e.seq !== null);
    expect(chained.map((e) => Number(e.seq))).toEqual(chained.map((_, i) => i + 1));
    expect(chained.map((e) => Number(e.id))).toEqual([...chained.map((e) => Number(e.id))].sort((a, b) => a - b));
    expect(chained.map((e) => e.type)).toEqual(['case.escalated', 'case.claimed', 'evidence.requested', 'case.reassigned']);
    expect(events[0]).toMatchObject({ seq: null, type: 'case.claimed', actor: 'm1' });
    expect(events).toHaveLength(chained.length + 1);
  });

  it('reads the handling history per case in append order, and the latest changes newest first', async () => {
    const history = await handlingEventsOf(db, ['AU-2', 'AU-1']);
    expect(history.get('AU-1')!.map((e) => `${e.type}:${e.actor}`)).toEqual([
      'case.claimed:m1',
      'case.claimed:m1',
      'evidence.requested:m1',
      'case.reassigned:s1',
    ]);
    expect(history.get('AU-2')!.map((e) => `${e.type}:${e.actor}`)).toEqual(['case.claimed:m2']);
    const latest = await latestCaseEvents(db, 'AU-1', 10);
    expect(latest.map((e) => e.type)).toEqual(['case.reassigned', 'evidence.requested', 'case.claimed', 'case.escalated', 'case.claimed']);
    expect((await latestCaseEvents(db, 'AU-1', 1)).map((e) => e.type)).toEqual(['case.reassigned']);
  });

  it('walks case_events_chain for each read on SQLite, with no sort step', async () => {
    if (dialectOf(db) !== 'sqlite') return;
    const parties = await partiesOf(db, 'AU-1');
    const reads: Array<(d: Db) => Promise<unknown>> = [
      (d) => caseScreenRows(d, 'AU-1', parties),
      (d) => handlingEventsOf(d, ['AU-1', 'AU-2']),
      (d) => latestCaseEvents(d, 'AU-1', 1),
    ];
    for (const read of reads) {
      const { plan } = await planOfFirstQuery(db, read, (s) => /from "case_events"/i.test(s));
      expect(judgePlan(plan, 'case_events_chain')).toEqual({ ok: true, problems: [] });
    }
  });
});

async function partiesOf(db: Db, caseId: string) {
  const row = await db.selectFrom('cases').select(['buyer_id', 'seller_id']).where('id', '=', caseId).executeTakeFirstOrThrow();
  return { ...PARTIES, buyerId: row.buyer_id, sellerId: row.seller_id };
}
