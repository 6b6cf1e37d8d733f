import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIVED_REASONS, NOT_RECEIVED_REASONS, type Role } from '../../src-main/contract/domain';
import type { Envelope } from '../../src-main/contract/errors';
import { decisionLetter, type DecisionFacts } from '../../src-main/contract/i18n/party-letters';
import { formatMinor, parseMinor } from '../../src-main/contract/money-format';
import { decisionTemplatesFor, evidenceTemplatesFor } from '../../src-main/contract/templates';
import type {
  CaseView,
  ProposalPreview,
  QueueCounts,
  QueuePage,
  SavedView,
  SearchResult,
  TemplatesView,
} from '../../src-main/contract/views';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { createUser } from '../../src-main/app/session/users';
import { queuePage, type QueueQuery } from '../../src-main/app/queue/queue';
import type { Identity } from '../../src-main/app/identity';

/**
 * The mediator's desk methods through dispatch, as the screens call them: validation codes,
 * roles, the order of "mine", filters, keyset paging, search, saved views and previews.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const INTAKE: Identity = { kind: 'intake' };
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = user('m1', 'mediator');
const M2 = user('m2', 'mediator');
const S1 = user('s1', 'supervisor');
const A1 = user('a1', 'analyst');

let n = 0;
/** A valid escalated dispute; each gets its own order, buyer and escalation minute unless told otherwise. */
function dispute(over: Record<string, unknown> = {}) {
  n++;
  const id = (over.id as string) ?? `D-${String(n).padStart(3, '0')}`;
  const reason = (over.reason as string) ?? 'defective';
  const total = (over.total as number) ?? 11_000;
  const buyer = (over.buyer as Record<string, unknown>) ?? { id: `B-${n}`, name: `Buyer ${n}`, country: 'DE' };
  return {
    id,
    openedAt: new Date(T0 - 10 * 24 * HOUR).toISOString(),
    escalatedAt: new Date(T0 - 48 * HOUR + n * 60_000).toISOString(),
    reason,
    claim: { remedy: 'refund_only', amountMinor: (over.claim as number) ?? total },
    description: 'It does not work.',
    order: {
      id: `O-${id}`,
      placedAt: new Date(T0 - 30 * 24 * HOUR).toISOString(),
      shippedAt: new Date(T0 - 28 * 24 * HOUR).toISOString(),
      currency: (over.currency as string) ?? 'EUR',
      itemPriceMinor: total - 1_000,
      shippingMinor: 1_000,
      totalMinor: total,
      item: { title: 'Phone', quantity: 1 },
      tracking: {
        number: (over.tracking as string) ?? `TRK${id}`,
        carrier: 'DHL',
        status: 'delivered',
        deliveredAt: new Date(T0 - 20 * 24 * HOUR).toISOString(),
      },
    },
    buyer,
    seller: { id: 'S-1', name: 'Shop', country: 'CN' },
  };
}

let core: Core;
let clock: ManualClock;
let dir: string;

async function call<T = unknown>(method: string, input: unknown, who: Identity): Promise<Envelope<T>> {
  return (await core.dispatch(method, input, who)) as Envelope<T>;
}
async function ok<T = unknown>(method: string, input: unknown, who: Identity): Promise<T> {
  const r = await call<T>(method, input, who);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}
async function allPages(filter: Record<string, unknown>, who: Identity, limit = 2): Promise<QueuePage['rows']> {
  const out: QueuePage['rows'] = [];
  let after: unknown;
  for (let i = 0; i < 100; i++) {
    const page = await ok<QueuePage>('queue.list', { ...filter, limit, ...(after ? { after } : {}) }, who);
    out.push(...page.rows);
    if (!page.nextCursor) return out;
    after = page.nextCursor;
  }
  throw new Error('paging did not end');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'md-desk-'));
  clock = new ManualClock(T0);
  core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock });
  for (const u of [M1, M2, S1, A1])
    if (u.kind === 'user') await createUser(core.db, { id: u.userId, name: u.name, role: u.role, password: `${u.userId}-pw` }, T0);
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('validation and roles', () => {
  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 201 }, 'limit'],
    [{ riskMin: 101 }, 'riskMin'],
    [{ riskMin: 1.5 }, 'riskMin'],
    [{ country: 'deu' }, 'country'],
    [{ status: ['open'] }, 'status.0'],
    [{ reason: ['broken'] }, 'reason.0'],
    [{ minAmountMinor: -1 }, 'minAmountMinor'],
    [{ minAmountMinor: 500, maxAmountMinor: 100 }, 'maxAmountMinor'],
    [{ scope: 'everything' }, 'scope'],
    [{ sortBy: 'amount' }, ''],
    [{ sort: { by: 'buyerRisk', dir: 'desc' } }, 'sort.by'],
  ])('queue.list refuses %j with VALIDATION naming %s', async (input, field) => {
    const r = await call('queue.list', input, M1);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALIDATION');
      expect(r.error.field ?? '').toBe(field);
    }
  });

  it.each([
    ['case.search', { query: '' }, 'query'],
    ['case.search', { query: 'x', limit: 51 }, 'limit'],
    ['views.save', { name: '  ', filter: {} }, 'name'],
    ['views.save', { name: 'x', filter: { riskMin: -1 } }, 'filter.riskMin'],
    ['views.save', { name: 'x', filter: { after: { sortKey: 1, id: 'a' } } }, 'filter'],
    ['views.delete', {}, 'id'],
    ['case.previewProposal', { caseId: '' }, 'caseId'],
  ])('%s refuses %j with VALIDATION naming %s', async (method, input, field) => {
    const r = await call(method, input, M1);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALIDATION');
      expect(r.error.field).toBe(field);
    }
  });

  it.each([
    ['queue.list', {}, INTAKE],
    ['queue.counts', {}, INTAKE],
    ['case.search', { query: 'D-1' }, INTAKE],
    ['views.list', {}, INTAKE],
    ['views.save', { name: 'x', filter: {} }, INTAKE],
    ['views.delete', { id: 'x' }, INTAKE],
    ['templates.list', {}, INTAKE],
    ['case.previewProposal', { caseId: 'D-001' }, A1],
    ['case.previewProposal', { caseId: 'D-001' }, INTAKE],
  ] as const)('%s is FORBIDDEN for %j', async (method, input, who) => {
    const r = await call(method, input, who);
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it("refuses a person the desk's own tick in words, not 'only systems can'", async () => {
    const r = await call('system.tick', {}, M1);
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: 'Mediators cannot do this; only the desk itself can.' } });
  });

  it('asks anonymous callers to sign in', async () => {
    expect(await call('queue.list', {}, { kind: 'anonymous' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});

describe('the queues', () => {
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    // Five cases for m1 in every situation "mine" ranks, plus unassigned ones to filter.
    for (const key of ['forced', 'returned', 'fresh', 'evidence', 'replies']) {
      const d = dispute();
      ids[key] = d.id;
      await ok('intake.dispute', d, INTAKE);
    }
    const more = [
      dispute({ reason: 'not_received.in_transit', total: 50_000, buyer: { id: 'B-PL', name: 'Zofia Nowak', country: 'PL' } }),
      dispute({ reason: 'damaged', total: 2_000, tracking: 'LP-SEARCH-1', buyer: { id: 'B-PL', name: 'Zofia Nowak', country: 'PL' } }),
      dispute({ reason: 'counterfeit', total: 99_000, currency: 'JPY', buyer: { id: 'B-JP', name: 'Ken Sato', country: 'JP' } }),
    ];
    for (const d of more) await ok('intake.dispute', d, INTAKE);
    ids.pl1 = more[0]!.id;
    ids.pl2 = more[1]!.id;
    ids.jp = more[2]!.id;

    // At T0: the two that must run out their deadlines.
    for (const key of ['forced', 'returned']) await ok('case.claim', { caseId: ids[key] }, M1);
    await ok('case.propose', { caseId: ids.forced }, M1);
    await ok('case.requestEvidence', { caseId: ids.returned, party: 'buyer', request: 'Photo please.' }, M1);
    await ok('case.requestEvidence', { caseId: ids.returned, party: 'seller', request: 'Proof please.' }, M1);
    clock.advance(97 * HOUR);
    await ok('system.tick', {}, { kind: 'system' });
    // Now: one fresh claim, one waiting on evidence (due in 72 h), one on replies (due in 96 h).
    for (const key of ['fresh', 'evidence', 'replies']) await ok('case.claim', { caseId: ids[key] }, M1);
    await ok('case.requestEvidence', { caseId: ids.evidence, party: 'seller', request: 'Packing photo.' }, M1);
    await ok('case.propose', { caseId: ids.replies }, M1);
  });

  it('puts forced decisions first, then cases back in review, then the nearest deadline', async () => {
    const forced = await ok<CaseView>('case.get', { caseId: ids.forced }, M1);
    expect(forced).toMatchObject({ status: 'in_review', forcedDecision: true });
    const returned = await ok<CaseView>('case.get', { caseId: ids.returned }, M1);
    expect(returned).toMatchObject({ status: 'in_review', forcedDecision: false });

    const rows = await allPages({ scope: 'mine' }, M1, 50);
    expect(rows.map((r) => r.id)).toEqual([ids.forced, ids.returned, ids.fresh, ids.evidence, ids.replies]);
    expect(rows.map((r) => [r.forcedDecision, r.needsAction, r.overdue])).toEqual([
      [true, true, true],
      [false, true, true],
      [false, true, false],
      [false, false, false],
      [false, false, false],
    ]);
    expect(rows[3]).toMatchObject({
      status: 'awaiting_evidence',
      nextDeadlineKind: 'evidence',
      nextDeadlineAt: new Date(clock.now() + 72 * HOUR).toISOString(),
    });
    expect(rows[4]).toMatchObject({ status: 'awaiting_replies', nextDeadlineKind: 'reply' });
  });

  it('pages "mine" by keyset with the same order, one row at a time', async () => {
    const whole = (await ok<QueuePage>('queue.list', { scope: 'mine', limit: 50 }, M1)).rows.map((r) => r.id);
    expect((await allPages({ scope: 'mine' }, M1, 1)).map((r) => r.id)).toEqual(whole);
  });

  it('keeps another mediator\'s cases out of "mine"', async () => {
    expect((await ok<QueuePage>('queue.list', { scope: 'mine' }, M2)).rows).toEqual([]);
  });

  it('lists one assignee\'s open cases for anyone with scope "all" and an assignee, in "mine" order', async () => {
    const mine = (await allPages({ scope: 'mine' }, M1, 50)).map((r) => r.id);
    expect((await allPages({ scope: 'all', assignee: 'm1' }, M2, 2)).map((r) => r.id)).toEqual(mine);
    expect((await ok<QueuePage>('queue.list', { scope: 'all', assignee: 'nobody' }, M1)).rows).toEqual([]);
  });

  it('pages the unassigned queue oldest escalation first without gaps or repeats', async () => {
    const rows = await allPages({ scope: 'unassigned' }, M1, 2);
    expect(rows.map((r) => r.id)).toEqual([ids.pl1, ids.pl2, ids.jp]);
    expect(rows.every((r) => r.status === 'escalated' && r.assignee === null)).toBe(true);
    expect(rows.every((r) => typeof r.buyerScore === 'number')).toBe(true);
  });

  it('filters by reason, country, amount, state and overdue', async () => {
    const idsOf = async (f: Record<string, unknown>, who = M1) => (await allPages(f, who, 50)).map((r) => r.id);
    expect(await idsOf({ scope: 'unassigned', reason: ['damaged', 'counterfeit'] })).toEqual([ids.pl2, ids.jp]);
    expect(await idsOf({ scope: 'unassigned', country: 'PL' })).toEqual([ids.pl1, ids.pl2]);
    expect(await idsOf({ scope: 'unassigned', minAmountMinor: 2_000, maxAmountMinor: 50_000 })).toEqual([ids.pl1, ids.pl2]);
    expect(await idsOf({ scope: 'mine', status: ['awaiting_evidence', 'awaiting_replies'] })).toEqual([ids.evidence, ids.replies]);
    expect(await idsOf({ scope: 'mine', overdue: true })).toEqual([ids.forced, ids.returned]);
    expect(await idsOf({ scope: 'all', overdue: true }, S1)).toEqual([ids.forced, ids.returned]);
    expect(await idsOf({ scope: 'all', status: ['escalated'] }, S1)).toEqual([ids.pl1, ids.pl2, ids.jp]);
  });

  it('filters by a flagged buyer and by the stored risk score', async () => {
    await ok('account.flag', { accountId: 'B-PL', label: 'serial_disputer', note: 'Many claims.' }, A1);
    const flagged = await allPages({ scope: 'unassigned', flagged: true }, M1, 50);
    expect(flagged.map((r) => r.id)).toEqual([ids.pl1, ids.pl2]);
    expect(flagged.every((r) => r.buyerFlagged)).toBe(true);
    // The score shown is the stored one the case screen shows.
    const view = await ok<CaseView>('case.get', { caseId: ids.pl1 }, M1);
    expect(flagged[0]!.buyerScore ?? 0).toBe(view.buyerRisk.score);
    // riskMin keeps exactly the rows whose stored score reaches it, in queue order.
    const all = await allPages({ scope: 'unassigned' }, M1, 50);
    for (const min of [1, ...new Set(all.map((r) => r.buyerScore ?? 0).filter((x) => x > 0))]) {
      const risky = await allPages({ scope: 'unassigned', riskMin: min }, M1, 50);
      expect(
        risky.map((r) => r.id),
        `riskMin ${min}`,
      ).toEqual(all.filter((r) => (r.buyerScore ?? 0) >= min).map((r) => r.id));
    }
  });

  it('sorts by the buyer’s stored risk score through the contract, a buyer’s cases together, the cursor paging it', async () => {
    for (const [scope, who] of [
      ['unassigned', M1],
      ['all', S1],
      ['mine', M1],
    ] as const) {
      const every = await allPages({ scope }, who, 50);
      for (const dir of ['desc', 'asc'] as const) {
        const sign = dir === 'asc' ? 1 : -1;
        const byRisk = await allPages({ scope, sort: { by: 'risk', dir } }, who, 2);
        const expected = [...every].sort(
          (a, b) =>
            sign * ((a.buyerScore ?? -1) - (b.buyerScore ?? -1) || (a.buyerId < b.buyerId ? -1 : a.buyerId > b.buyerId ? 1 : 0)) ||
            sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
        expect(
          byRisk.map((r) => r.id),
          `${scope} ${dir}`,
        ).toEqual(expected.map((r) => r.id));
        expect(byRisk.every((r) => r.sortKey === (r.buyerScore ?? -1))).toBe(true);
      }
    }
  });

  it('reads a filtered walk a window at a time: short pages, a cursor to go on, every match exactly once', async () => {
    const filter = { scope: 'unassigned' as const, reason: ['counterfeit' as const], limit: 50 };
    const expected = (await allPages(filter, M1, 50)).map((r) => r.id);
    const seen: string[] = [];
    let after: QueueQuery['after'];
    let requests = 0;
    for (;;) {
      const page = await queuePage(core.db, { ...filter, ...(after ? { after } : {}) }, 'm1', clock.now(), { scanWindow: 1 });
      requests++;
      expect(page.rows.length).toBeLessThanOrEqual(1);
      seen.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual(expected);
    expect(requests).toBeGreaterThanOrEqual(3); // one per escalated case: the window is one entry
  });

  it('counts per tab', async () => {
    const c = await ok<QueueCounts>('queue.counts', {}, M1);
    expect(c).toMatchObject({ mine: 5, mineNeedsAction: 3, mineOverdue: 2, unassigned: 3, allOpen: 8 });
    expect(c.byStatus).toMatchObject({ escalated: 3, in_review: 3, awaiting_evidence: 1, awaiting_replies: 1 });
    expect(await ok<QueueCounts>('queue.counts', {}, M2)).toMatchObject({ mine: 0, unassigned: 3 });
  });

  it('searches by case id, its beginning, order id, buyer id, buyer name and tracking number', async () => {
    const search = async (query: string) => (await ok<SearchResult>('case.search', { query }, A1)).hits.map((h) => [h.id, h.matchedOn]);
    expect(await search(ids.jp!)).toEqual([[ids.jp, 'case']]);
    expect((await search('D-00')).length).toBe(8);
    expect(await search(`O-${ids.pl1}`)).toEqual([[ids.pl1, 'order']]);
    expect(await search('LP-SEARCH-1')).toEqual([[ids.pl2, 'tracking']]);
    expect((await search('B-PL')).map((h) => h[1])).toEqual(['buyer', 'buyer']);
    expect((await search('zofia')).sort()).toEqual(
      [
        [ids.pl1, 'buyer_name'],
        [ids.pl2, 'buyer_name'],
      ].sort(),
    );
    expect(await search('nobody-like-this')).toEqual([]);
  });
});

describe('saved views', () => {
  it("saves, lists, replaces by name, renames and deletes a user's own views", async () => {
    const a = await ok<SavedView>('views.save', { name: 'Flagged PL', filter: { scope: 'unassigned', country: 'PL', flagged: true } }, M1);
    expect(a.filter).toMatchObject({ scope: 'unassigned', country: 'PL', flagged: true });
    const b = await ok<SavedView>('views.save', { name: 'Big claims', filter: { scope: 'all', minAmountMinor: 100_000 } }, M1);
    expect((await ok<SavedView[]>('views.list', {}, M1)).map((v) => v.name)).toEqual(['Big claims', 'Flagged PL']);
    expect(await ok<SavedView[]>('views.list', {}, M2)).toEqual([]);

    const again = await ok<SavedView>('views.save', { name: 'Flagged PL', filter: { scope: 'mine', overdue: true } }, M1);
    expect(again.id).toBe(a.id);
    expect(again.filter).toMatchObject({ scope: 'mine', overdue: true });

    expect(await call('views.save', { id: b.id, name: 'Flagged PL', filter: {} }, M1)).toMatchObject({
      ok: false,
      error: { code: 'DUPLICATE', field: 'name' },
    });
    expect(await ok<SavedView>('views.save', { id: b.id, name: 'Huge claims', filter: b.filter }, M1)).toMatchObject({
      id: b.id,
      name: 'Huge claims',
    });

    expect(await call('views.delete', { id: a.id }, M2)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('views.save', { id: a.id, name: 'Mine now', filter: {} }, M2)).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(await ok('views.delete', { id: a.id }, M1)).toEqual({ id: a.id, deleted: true });
    expect((await ok<SavedView[]>('views.list', {}, M1)).map((v) => v.name)).toEqual(['Huge claims']);
  });
});

describe('proposal preview, templates and letters', () => {
  it('previews exactly what case.propose then publishes', async () => {
    const d = dispute({ reason: 'defective', total: 20_000, claim: 15_000 });
    await ok('intake.dispute', d, INTAKE);
    await ok('case.claim', { caseId: d.id }, M2);
    const preview = await ok<ProposalPreview>('case.previewProposal', { caseId: d.id }, M2);
    expect(preview.options.map((o) => o.kind)).toEqual(['partial', 'return']);
    expect(preview.replyPeriodHours).toBe(96);
    const overridden = await ok<ProposalPreview>('case.previewProposal', { caseId: d.id, partialAmountMinor: 12_345 }, M2);
    expect(overridden.options[0]).toMatchObject({ kind: 'partial', amountMinor: 12_345 });
    expect(await call('case.previewProposal', { caseId: d.id, partialAmountMinor: 20_001 }, M2)).toMatchObject({
      ok: false,
      error: { code: 'AMOUNT_OUT_OF_RANGE' },
    });
    expect(await call('case.previewProposal', { caseId: 'D-none' }, M2)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    await ok('case.propose', { caseId: d.id }, M2);
    const view = await ok<CaseView>('case.get', { caseId: d.id }, M2);
    expect(view.proposal).toMatchObject({
      options: preview.options,
      recommended: preview.recommended,
      recommendationReason: preview.recommendationReason,
    });
  });

  it('offers evidence templates for every reason and decision templates for every outcome', async () => {
    const t = await ok<TemplatesView>('templates.list', {}, A1);
    expect(t.evidence.length).toBeGreaterThan(5);
    for (const reason of [...RECEIVED_REASONS, ...NOT_RECEIVED_REASONS]) {
      expect(evidenceTemplatesFor(reason, 'buyer').length, reason).toBeGreaterThan(0);
      expect(evidenceTemplatesFor(reason, 'seller').length, reason).toBeGreaterThan(0);
      for (const outcome of ['full', 'none'] as const)
        expect(decisionTemplatesFor(reason, outcome).length, `${reason} ${outcome}`).toBeGreaterThan(0);
    }
  });

  it('renders both letters with the resolved amount, the reasons and the appeal window', () => {
    const c = {
      id: 'D-9',
      reason: 'defective' as const,
      order: { id: 'O-9', currency: 'EUR', totalMinor: 20_000, item: { title: 'Phone', quantity: 1 } },
      buyer: { name: 'Ivan' },
      seller: { name: 'Shop' },
    };
    const both = (d: Partial<DecisionFacts> & Pick<DecisionFacts, 'outcome'>) => {
      const facts: DecisionFacts = { reasons: { text: 'x' }, appealWindowHours: 168, returnShipmentHours: 240, ...d };
      return { buyer: decisionLetter(c, 'buyer', facts), seller: decisionLetter(c, 'seller', facts) };
    };
    const partial = both({ outcome: 'partial', amountMinor: 12_345, reasons: { text: 'Scratched screen.' } });
    expect(partial.buyer.body).toContain('You will be refunded €123.45 and you keep the item.');
    expect(partial.seller.body).toContain('the remaining €76.55 is released to you');
    expect(partial.buyer.body).toContain('Scratched screen.');
    expect(partial.buyer.body).toContain('7 days');
    expect(partial.buyer.subject).toContain('D-9');
    const none = both({ outcome: 'none' });
    expect(none.seller.body).toContain('The held payment of €200.00 is released to you.');
    const ret = both({ outcome: 'return' });
    expect(ret.buyer.body).toContain('within 10 days');
  });

  it('formats and parses money exactly', () => {
    expect(formatMinor(123_456_789, 'USD')).toBe('1,234,567.89 USD');
    expect(formatMinor(5_000, 'JPY')).toBe('5,000 JPY');
    expect(formatMinor(5, 'KWD')).toBe('0.005 KWD');
    expect(parseMinor('1,234.5', 'EUR')).toBe(123_450);
    expect(parseMinor('0.29', 'EUR')).toBe(29);
    expect(parseMinor('12.345', 'EUR')).toBeNull();
    expect(parseMinor('5000', 'JPY')).toBe(5_000);
    expect(parseMinor('-1', 'EUR')).toBeNull();
  });
});
