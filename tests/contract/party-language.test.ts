import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src-main/contract/errors';
import type { CaseView } from '../../src-main/contract/views';
import type { Identity } from '../../src-main/app/identity';
import { createUser } from '../../src-main/app/session/users';
import { ManualClock } from '../../src-main/runtime/clock';
import { openCore, type Core } from '../../src-main/runtime/core';

/** The language each party reads comes in with the dispute and decides the letters' language. */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const INTAKE: Identity = { kind: 'intake' };
const M1: Identity = { kind: 'user', userId: 'm1', role: 'mediator', name: 'Mira' };

const dispute = (
  id: string,
  buyer: Record<string, unknown>,
  seller: Record<string, unknown> = { id: 'S-1', name: 'Shop', country: 'CN' },
) => ({
  id,
  openedAt: '2026-02-20T08:00:00.000Z',
  escalatedAt: '2026-02-27T08:00:00.000Z',
  reason: 'defective',
  claim: { remedy: 'refund_only', amountMinor: 5_000 },
  description: 'It does not work.',
  order: {
    id: `O-${id}`,
    placedAt: '2026-02-01T10:00:00.000Z',
    currency: 'BRL',
    itemPriceMinor: 9_000,
    shippingMinor: 1_000,
    totalMinor: 10_000,
    item: { title: 'Lamp', quantity: 1 },
    tracking: { status: 'delivered', deliveredAt: '2026-02-15T12:00:00.000Z' },
  },
  buyer,
  seller,
});

let core: Core;
let dir: string;
const call = async <T>(method: string, input: unknown, who: Identity) => (await core.dispatch(method, input, who)) as Envelope<T>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'md-lang-'));
  core = await openCore({ dataDir: dir, databaseUrl: ':memory:', clock: new ManualClock(T0) });
  await createUser(core.db, { id: 'm1', name: 'Mira', role: 'mediator', password: 'm1-password-long' }, T0);
});
afterAll(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('party language', () => {
  it('is kept from the dispute and chooses the letters’ language; the country decides when it is missing', async () => {
    expect((await call('intake.dispute', dispute('D-L1', { id: 'B-1', name: 'Ana', country: 'US', language: 'pt-BR' }), INTAKE)).ok).toBe(
      true,
    );
    const view = await call<CaseView>('case.get', { caseId: 'D-L1' }, M1);
    if (!view.ok) throw new Error(view.error.message);
    expect(view.value.buyer).toMatchObject({ language: 'pt-BR', letterLanguage: 'pt' });
    expect(view.value.seller).toMatchObject({ language: null, letterLanguage: 'zh' });
  });

  it('refuses a tag that is not a language tag, naming the field', async () => {
    const r = await call(
      'intake.dispute',
      dispute('D-L2', { id: 'B-2', name: 'Bo', country: 'US', language: 'portuguese please' }),
      INTAKE,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION');
    expect(r.error.message).toContain('buyer.language');
  });

  it('re-importing the same dispute with its language is a no-op, not a duplicate', async () => {
    const again = await call('intake.dispute', dispute('D-L1', { id: 'B-1', name: 'Ana', country: 'US', language: 'pt-BR' }), INTAKE);
    expect(again.ok).toBe(true);
  });
});
