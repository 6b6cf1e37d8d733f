import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src-main/contract/domain';
import type { Envelope } from '../../src-main/contract/errors';
import type { BuyerDetailView, BuyerRiskListView } from '../../src-main/contract/views';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';
import { createUser } from '../../src-main/app/session/users';
import type { Identity } from '../../src-main/app/identity';

/** The analysts' methods: risk.list (keyset by score) and risk.get, roles, validation, a flag showing in the list. */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const INTAKE: Identity = { kind: 'intake' };
const user = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });
const M1 = user('m1', 'mediator');
const S1 = user('s1', 'supervisor');
const A1 = user('a1', 'analyst');

let n = 0;
function dispute(buyer: string, links: Record<string, string[]> = {}, notReceived = false) {
  n++;
  const id = `D-${String(n).padStart(3, '0')}`;
  return {
    id,
    openedAt: new Date(T0 - (40 - n) * 24 * HOUR).toISOString(),
    escalatedAt: new Date(T0 - 48 * HOUR + n * 60_000).toISOString(),
    reason: notReceived ? 'not_received.no_tracking_info' : 'defective',
    claim: { remedy: 'refund_only', amountMinor: 11_000 },
    description: 'It does not work.',
    order: {
      id: `O-${id}`,
      placedAt: new Date(T0 - (60 - n) * 24 * HOUR).toISOString(),
      shippedAt: new Date(T0 - (58 - n) * 24 * HOUR).toISOString(),
      currency: 'EUR',
      itemPriceMinor: 10_000,
      shippingMinor: 1_000,
      totalMinor: 11_000,
      item: { title: 'Phone', quantity: 1 },
      tracking: { number: `TRK${id}`, carrier: 'DHL', status: 'delivered', deliveredAt: new Date(T0 - (50 - n) * 24 * HOUR).toISOString() },
    },
    buyer: { id: buyer, name: `Name of ${buyer}`, country: 'DE', links },
    seller: { id: 'S-1', name: 'Shop', country: 'CN' },
  };
}

let core: Core;
let dir: string;
async function call<T = unknown>(method: string, input: unknown, who: Identity): Promise<Envelope<T>> {
  return (await core.dispatch(method, input, who)) as Envelope<T>;
}
async function ok<T = unknown>(method: string, input: unknown, who: Identity): Promise<T> {
  const r = await call<T>(method, input, who);
  if (!r.ok) throw new Error(`${method} refused: ${r.error.code} ${r.error.message}`);
  return r.value;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'md-analyst-'));
  core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock: new ManualClock(T0) });
  for (const u of [M1, S1, A1])
    if (u.kind === 'user') await createUser(core.db, { id: u.userId, name: u.name, role: u.role, password: `${u.userId}-pw` }, T0);
  // B-HOT disputes a lot (not received on delivered parcels) and shares a device with B-LINK.
  for (let i = 0; i < 5; i++) await ok('intake.dispute', dispute('B-HOT', { device: ['dv-1'] }, true), INTAKE);
  await ok('intake.dispute', dispute('B-LINK', { device: ['dv-1'] }), INTAKE);
  for (const b of ['B-A', 'B-B', 'B-C', 'B-D']) await ok('intake.dispute', dispute(b), INTAKE);
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('roles and validation', () => {
  it.each([
    ['risk.list', {}],
    ['risk.get', { buyerId: 'B-HOT' }],
  ])('%s is FORBIDDEN for a mediator', async (method, input) => {
    const r = await call(method, input, M1);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('FORBIDDEN');
  });

  it('a supervisor may read the list', async () => {
    expect((await ok<BuyerRiskListView>('risk.list', {}, S1)).rows.length).toBeGreaterThan(0);
  });

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 201 }, 'limit'],
    [{ minScore: 101 }, 'minScore'],
    [{ minScore: 2.5 }, 'minScore'],
    [{ label: 'fraudster' }, 'label'],
    [{ after: { score: 5 } }, 'after.buyerId'],
  ])('risk.list refuses %j with VALIDATION naming %s', async (input, field) => {
    const r = await call('risk.list', input, A1);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALIDATION');
      expect(r.error.field).toBe(field);
    }
  });

  it('risk.get refuses an empty id and answers NOT_FOUND for an unknown buyer', async () => {
    const r = await call('risk.get', { buyerId: '' }, A1);
    expect(!r.ok && r.error.code).toBe('VALIDATION');
    const s = await call('risk.get', { buyerId: 'S-1' }, A1);
    expect(!s.ok && s.error.code).toBe('NOT_FOUND');
  });
});

describe('the list and the buyer', () => {
  it('orders by score, highest first, and pages by keyset without gaps or repeats', async () => {
    const all = (await ok<BuyerRiskListView>('risk.list', { limit: 200 }, A1)).rows;
    expect(all.map((r) => r.buyerId).sort()).toEqual(['B-A', 'B-B', 'B-C', 'B-D', 'B-HOT', 'B-LINK']);
    expect(all[0]!.buyerId).toBe('B-HOT');
    expect(all[0]!.topReason).toBeTruthy();
    expect(all[0]!.orders).toBe(5);
    expect(all[0]!.disputes).toBe(5);
    expect(all[0]!.name).toBe('Name of B-HOT');
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.score).toBeGreaterThanOrEqual(all[i]!.score);
    const paged: string[] = [];
    let after: unknown;
    for (let i = 0; i < 10; i++) {
      const page = await ok<BuyerRiskListView>('risk.list', { limit: 2, ...(after ? { after } : {}) }, A1);
      paged.push(...page.rows.map((r) => r.buyerId));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(paged).toEqual(all.map((r) => r.buyerId));
    const high = await ok<BuyerRiskListView>('risk.list', { minScore: all[0]!.score }, A1);
    expect(high.rows.every((r) => r.score >= all[0]!.score)).toBe(true);
  });

  it('risk.get shows the reasons, the cases and the linked account', async () => {
    const d = await ok<BuyerDetailView>('risk.get', { buyerId: 'B-HOT' }, A1);
    expect(d.buyer.name).toBe('Name of B-HOT');
    expect(d.risk.reasons.length).toBeGreaterThan(0);
    expect(d.cases).toHaveLength(5);
    expect(d.linked.map((l) => l.accountId)).toEqual(['B-LINK']);
    expect(d.linked[0]!.via).toEqual([{ kind: 'device', value: 'dv-1' }]);
  });

  it('risk.get lists every account of a ring of twelve sharing one device, riskiest first (the page once left out any value shared by more than 8)', async () => {
    const ring = Array.from({ length: 12 }, (_, i) => `B-RING-${String(i).padStart(2, '0')}`);
    for (const b of ring) await ok('intake.dispute', dispute(b, { device: ['dv-ring'] }, true), INTAKE);
    const d = await ok<BuyerDetailView>('risk.get', { buyerId: ring[0]! }, A1);
    expect(d.linked.map((l) => l.accountId).sort()).toEqual(ring.slice(1));
    const scores = d.linked.map((l) => l.score ?? -1);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(d.linkGroupLimit).toBeGreaterThanOrEqual(12);
  });

  it('after a flag the list shows the label and filters by it; history keeps every label', async () => {
    const flag = await call(
      'account.flag',
      { accountId: 'B-HOT', label: 'serial_disputer', note: 'Five not-received claims on delivered parcels.' },
      S1,
    );
    expect(!flag.ok && flag.error.code).toBe('FORBIDDEN');
    await ok('account.flag', { accountId: 'B-HOT', label: 'serial_disputer', note: 'Five not-received claims on delivered parcels.' }, A1);
    const flagged = await ok<BuyerRiskListView>('risk.list', { label: 'serial_disputer' }, A1);
    expect(flagged.rows.map((r) => [r.buyerId, r.label])).toEqual([['B-HOT', 'serial_disputer']]);
    const none = await ok<BuyerRiskListView>('risk.list', { label: 'none' }, A1);
    expect(none.rows.map((r) => r.buyerId)).not.toContain('B-HOT');
    await ok('account.flag', { accountId: 'B-HOT', label: 'cleared', note: 'Carrier confirmed misdeliveries.' }, A1);
    const d = await ok<BuyerDetailView>('risk.get', { buyerId: 'B-HOT' }, A1);
    expect(d.buyer.label).toBe('cleared');
    expect(d.buyer.labelledBy).toBe('a1');
    expect(d.labelHistory.map((h) => h.label)).toEqual(['cleared', 'serial_disputer']);
    const link = await ok<BuyerDetailView>('risk.get', { buyerId: 'B-LINK' }, A1);
    expect(link.linked[0]!.label).toBe('cleared');
  });
});
