import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src-main/contract/domain';
import type { CaseworkOutputs } from '../../src-main/contract/casework';
import type { Db } from '../../src-main/db/connect';
import { ManualClock } from '../../src-main/runtime/clock';
import type { Identity } from '../../src-main/app/identity';
import { caseView } from '../../src-main/app/case/view';
import { deskOn, type Desk } from './audit-fixtures';
import { DIALECTS, openTestDb } from './harness';

/**
 * The mediator's casework (issue 17) on every dialect, through dispatch as the screens call it:
 * internal notes and second opinions (who may read them, where they never go), the evidence
 * checklist, related cases and the cluster assignment, and the consistency note at decision time.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-05-04T10:00:00.000Z');
const INTAKE: Identity = { kind: 'intake' };
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = user('m1', 'mediator');
const M2 = user('m2', 'mediator');
const S1 = user('s1', 'supervisor');
const A1 = user('a1', 'analyst');

interface Over {
  reason?: string;
  buyer?: string;
  seller?: string;
  tracking?: string | null;
  status?: string;
  device?: string;
  files?: Array<{ party: string; name: string; mediaType: string }>;
  claim?: number;
}

function dispute(id: string, o: Over = {}) {
  return {
    id,
    openedAt: '2026-04-20T08:00:00Z',
    escalatedAt: new Date(T0 - 30 * HOUR).toISOString(),
    reason: o.reason ?? 'damaged',
    claim: { remedy: 'refund_only', amountMinor: o.claim ?? 9_000 },
    description: `Case ${id}.`,
    order: {
      id: `O-${id}`,
      placedAt: '2026-04-01T10:00:00.000Z',
      shippedAt: '2026-04-02T10:00:00.000Z',
      currency: 'PLN',
      itemPriceMinor: 10_000,
      shippingMinor: 500,
      totalMinor: 10_500,
      item: { title: 'Kettle', quantity: 1 },
      tracking:
        o.tracking === null
          ? { status: o.status ?? 'no_info' }
          : {
              number: o.tracking ?? `TR-${id}`,
              carrier: 'InPost',
              status: o.status ?? 'delivered',
              ...((o.status ?? 'delivered') === 'delivered' ? { deliveredAt: '2026-04-08T12:00:00.000Z' } : {}),
            },
    },
    buyer: {
      id: o.buyer ?? `B-${id}`,
      name: 'Buyer',
      country: 'PL',
      createdAt: '2025-01-01T00:00:00.000Z',
      ...(o.device ? { links: { device: [o.device] } } : {}),
    },
    seller: { id: o.seller ?? 'S-1', name: 'Kitchen Store', country: 'CN' },
    negotiation: [],
    messages: [],
    evidence: (o.files ?? [{ party: 'buyer', name: 'lid.png', mediaType: 'image/png' }]).map((f, i) => ({
      ...f,
      sizeBytes: 50_000,
      sha256: `${id.length % 10}${i}`.padEnd(
        64,
        id
          .replace(/[^0-9a-f]/gi, '')
          .toLowerCase()
          .slice(0, 1) || 'a',
      ),
      submittedAt: '2026-04-20T08:05:00.000Z',
    })),
  };
}

describe.each(DIALECTS)('casework on $name', ({ url }) => {
  let db: Db;
  let clock: ManualClock;
  let call: Desk['call'];
  let ok: Desk['ok'];
  const refused = async (method: string, input: unknown, who: Identity) => {
    const r = await call(method, input, who);
    if (r.ok) throw new Error(`${method} was accepted`);
    return r.error;
  };

  beforeEach(async () => {
    ({ db, clock, call, ok } = await deskOn(await openTestDb(url()), new ManualClock(T0), [A1]));
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('keeps internal notes to mediators and supervisors, audits them without their text, and routes a second opinion to the supervisor until answered', async () => {
    await ok('intake.dispute', dispute('N-1'), INTAKE);
    const secret = 'Seller sounds evasive; @s1 what do you think of the lid photo?';
    const asked = await ok<CaseworkOutputs['notes.add']>('notes.add', { caseId: 'N-1', body: secret }, M1);
    expect(asked.mention).toMatchObject({ userId: 's1', answeredAt: null });

    // Analysts may read a case, never its notes.
    expect((await refused('notes.list', { caseId: 'N-1' }, A1)).code).toBe('FORBIDDEN');
    expect((await refused('notes.add', { caseId: 'N-1', body: 'hi' }, A1)).code).toBe('FORBIDDEN');
    // The case view (timeline included, which analysts read) and the feed's outbox never carry the text.
    expect(JSON.stringify(await caseView(db, 'N-1'))).not.toContain('evasive');
    const outbox = await db.selectFrom('feed_outbox').select('data').execute();
    expect(JSON.stringify(outbox)).not.toContain('evasive');
    const events = await db.selectFrom('case_events').select(['type', 'details', 'actor']).where('case_id', '=', 'N-1').execute();
    expect(events.map((e) => e.type)).toContain('note.second_opinion_asked');

    // Only the asked supervisor has it in their list; another supervisor does not, nor may answer it.
    const mine = await ok<CaseworkOutputs['notes.secondOpinions']>('notes.secondOpinions', {}, S1);
    expect(mine.items.map((i) => [i.caseId, i.fromId])).toEqual([['N-1', 'm1']]);
    expect((await ok<CaseworkOutputs['notes.secondOpinions']>('notes.secondOpinions', {}, user('s2', 'supervisor'))).items).toEqual([]);
    expect((await refused('notes.secondOpinions', {}, M1)).code).toBe('FORBIDDEN');
    expect((await refused('notes.add', { caseId: 'N-1', body: 'Looks fine.', answers: asked.id }, user('s2', 'supervisor'))).code).toBe(
      'FORBIDDEN',
    );

    const answer = await ok<CaseworkOutputs['notes.add']>(
      'notes.add',
      { caseId: 'N-1', body: 'Photo is reused; ask for a video.', answers: asked.id },
      S1,
    );
    expect(answer.answers).toBe(asked.id);
    expect((await ok<CaseworkOutputs['notes.secondOpinions']>('notes.secondOpinions', {}, S1)).items).toEqual([]);
    // Answering twice is refused and changes nothing.
    expect((await refused('notes.add', { caseId: 'N-1', body: 'Again.', answers: asked.id }, S1)).code).toBe('CONFLICT');
    const list = await ok<CaseworkOutputs['notes.list']>('notes.list', { caseId: 'N-1' }, M2);
    expect(list.notes.map((n) => n.body)).toEqual([secret, 'Photo is reused; ask for a video.']);
    expect(list.notes[0]!.mention?.answeredByNote).toBe(answer.id);
    expect(list.supervisors.map((s) => s.userId)).toEqual(['s1', 's2', 's3']);

    // A mention must name an active supervisor; bad input is refused whole.
    expect(await refused('notes.add', { caseId: 'N-1', body: 'ask @m2 please' }, M1)).toMatchObject({ code: 'VALIDATION', field: 'body' });
    expect(await refused('notes.add', { caseId: 'N-1', body: 'ask @nobody' }, M1)).toMatchObject({ code: 'VALIDATION' });
    expect((await refused('notes.add', { caseId: 'N-1', body: '   ' }, M1)).code).toBe('VALIDATION');
    expect((await refused('notes.add', { caseId: 'N-1', body: 'x'.repeat(4_001) }, M1)).code).toBe('VALIDATION');
    expect((await refused('notes.add', { caseId: 'NOPE', body: 'x' }, M1)).code).toBe('NOT_FOUND');
    expect((await ok<CaseworkOutputs['notes.list']>('notes.list', { caseId: 'N-1' }, M1)).notes).toHaveLength(2);
  });

  it('ticks the checklist from the intake facts and names what is missing', async () => {
    await ok(
      'intake.dispute',
      dispute('C-1', { reason: 'defective', files: [{ party: 'buyer', name: 'screen.jpg', mediaType: 'image/jpeg' }] }),
      INTAKE,
    );
    const c = await ok<CaseworkOutputs['case.checklist']>('case.checklist', { caseId: 'C-1' }, A1);
    const by = Object.fromEntries(c.items.map((i) => [i.key, i.present]));
    expect(by).toMatchObject({ defect_photos: true, device_video: false, item_photos: false, tracking: true });
    expect(c.requestText.buyer).toContain('video of the device');
    expect(c.strength.buyer.sentences.join(' ')).toMatch(/Missing from the buyer: a video/);

    await ok('intake.dispute', dispute('C-2', { reason: 'not_received.no_tracking_info', tracking: null }), INTAKE);
    const nr = await ok<CaseworkOutputs['case.checklist']>('case.checklist', { caseId: 'C-2' }, M1);
    expect(nr.items.every((i) => i.party === 'seller' && !i.present)).toBe(true);
    expect(nr.strength.buyer.level).not.toBe('weak');
    expect(nr.strength.seller.level).toBe('weak');
  });

  it('lists related cases by what they share and assigns the open, unclaimed cluster in one command', async () => {
    await ok('intake.dispute', dispute('R-1', { buyer: 'B-X', device: 'dv-1', tracking: 'TRK-9' }), INTAKE);
    await ok('intake.dispute', dispute('R-2', { buyer: 'B-X' }), INTAKE); // same buyer
    await ok('intake.dispute', dispute('R-3', { buyer: 'B-Y', device: 'dv-1' }), INTAKE); // shared device
    await ok('intake.dispute', dispute('R-4', { buyer: 'B-Z', tracking: 'TRK-9' }), INTAKE); // same tracking number
    await ok('intake.dispute', dispute('R-5', { buyer: 'B-W', seller: 'S-1' }), INTAKE); // same seller only
    await ok('intake.dispute', dispute('R-6', { buyer: 'B-V', seller: 'S-OTHER' }), INTAKE); // unrelated
    await ok('case.claim', { caseId: 'R-3' }, M2); // someone else's claim

    const rel = await ok<CaseworkOutputs['case.related']>('case.related', { caseId: 'R-1' }, A1);
    const via = Object.fromEntries(rel.cases.map((c) => [c.caseId, c.via]));
    expect(via).toEqual({ 'R-2': ['buyer', 'seller'], 'R-3': ['device', 'seller'], 'R-4': ['tracking', 'seller'], 'R-5': ['seller'] });
    expect(rel.cases.find((c) => c.caseId === 'R-3')).toMatchObject({ status: 'in_review', assignee: 'm2', outcome: null });
    expect(rel.assignable.sort()).toEqual(['R-1', 'R-2', 'R-3', 'R-4']);

    expect((await refused('case.assignCluster', { caseId: 'R-1', userId: 'm1' }, M1)).code).toBe('FORBIDDEN');
    expect((await refused('case.assignCluster', { caseId: 'R-1', userId: 'a1' }, S1)).code).toBe('VALIDATION');
    const done = await ok<CaseworkOutputs['case.assignCluster']>('case.assignCluster', { caseId: 'R-1', userId: 'm1' }, S1);
    expect(done.caseIds.sort()).toEqual(['R-1', 'R-2', 'R-4']);
    expect(done.skipped).toEqual([{ caseId: 'R-3', why: 'claimed by m2' }]);
    const rows = await db.selectFrom('cases').select(['id', 'assignee_id']).orderBy('id').execute();
    expect(Object.fromEntries(rows.map((r) => [r.id, r.assignee_id]))).toEqual({
      'R-1': 'm1',
      'R-2': 'm1',
      'R-3': 'm2',
      'R-4': 'm1',
      'R-5': null,
      'R-6': null,
    });
    const assigned = await db
      .selectFrom('case_events')
      .select('case_id')
      .where('type', 'in', ['case.assigned', 'case.reassigned'])
      .execute();
    expect(assigned.map((e) => e.case_id).sort()).toEqual(['R-1', 'R-2', 'R-4']);
  });

  it('shows the nearest past decisions and asks for a note when a decision is far from them', async () => {
    for (let i = 1; i <= 5; i++) await ok('intake.dispute', dispute(`P-${i}`), INTAKE);
    await ok('intake.dispute', dispute('P-X'), INTAKE);
    for (let i = 1; i <= 4; i++) {
      await ok('case.claim', { caseId: `P-${i}` }, M2);
      await ok('case.decide', { caseId: `P-${i}`, outcome: 'partial', amountMinor: 5_000, reasons: 'Cracked lid: half.' }, M2);
      clock.advance(60_000);
    }
    const view = await ok<CaseworkOutputs['case.consistency']>('case.consistency', { caseId: 'P-X', outcome: 'full' }, M1);
    expect(view.nearest).toHaveLength(4);
    expect(view.nearest[0]).toMatchObject({ outcome: 'partial', amountMinor: 5_000 });
    expect(view.nearest[0]!.matches).toEqual(['reason', 'delivery status', 'amount band', 'evidence', 'seller']);
    expect(view.far).toBe(true);
    // A partial close to theirs is not far.
    expect(
      (await ok<CaseworkOutputs['case.consistency']>('case.consistency', { caseId: 'P-X', outcome: 'partial', amountMinor: 4_800 }, M1))
        .far,
    ).toBe(false);

    await ok('case.claim', { caseId: 'P-X' }, M1);
    const refusal = await refused('case.decide', { caseId: 'P-X', outcome: 'full', reasons: 'Refund all.' }, M1);
    expect(refusal).toMatchObject({ code: 'VALIDATION', field: 'consistencyNote' });
    expect((await db.selectFrom('cases').select('status').where('id', '=', 'P-X').executeTakeFirstOrThrow()).status).toBe('in_review');
    await ok('case.decide', { caseId: 'P-X', outcome: 'full', reasons: 'Refund all.', consistencyNote: 'The kettle also leaks.' }, M1);
    const notes = await ok<CaseworkOutputs['notes.list']>('notes.list', { caseId: 'P-X' }, S1);
    expect(notes.notes.map((n) => [n.kind, n.body])).toEqual([['consistency', 'The kettle also leaks.']]);

    const team = await ok<CaseworkOutputs['team.consistency']>('team.consistency', { days: 30 }, S1);
    const m1 = team.members.find((m) => m.userId === 'm1')!;
    const m2 = team.members.find((m) => m.userId === 'm2')!;
    expect(m1).toMatchObject({ decisions: 1, agreeing: 0, rate: 0 });
    expect(m2).toMatchObject({ decisions: 4, agreeing: 4, rate: 1 });
    expect((await refused('team.consistency', {}, M1)).code).toBe('FORBIDDEN');
  });
});
