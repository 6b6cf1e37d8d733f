import type { Role } from '../../src-main/contract/domain';
import type { AppError, Envelope } from '../../src-main/contract/errors';
import type { PolicyVersionView } from '../../src-main/contract/supervision';
import type { Db } from '../../src-main/db/connect';
import type { Identity } from '../../src-main/app/identity';
import { ManualClock } from '../../src-main/runtime/clock';
import { deskOn } from './audit-fixtures';
import { openTestDb } from './harness';

/**
 * A small desk for the scorecard and double-decision tests: a database of the dialect under
 * test, a team inserted directly, and the contract methods called through dispatch as the
 * carriers call them.
 */

export const HOUR = 3_600_000;
export const T0 = Date.parse('2026-06-01T09:00:00.000Z');
export const INTAKE: Identity = { kind: 'intake' };
export const as = (userId: string, role: Role): Identity => ({ kind: 'user', userId, role, name: userId });

export interface Desk {
  db: Db;
  clock: ManualClock;
  call<T>(method: string, input: unknown, who: Identity): Promise<Envelope<T>>;
  ok<T>(method: string, input: unknown, who: Identity): Promise<T>;
  refused(method: string, input: unknown, who: Identity): Promise<AppError>;
  /** A new case from intake (order total 10 000 minor units unless given). */
  newCase(id: string, o?: { reason?: string; totalMinor?: number }): Promise<string>;
  /** A new case claimed and decided by `who`. */
  decided(
    id: string,
    who: Identity,
    outcome: 'full' | 'partial' | 'none' | 'return',
    amountMinor?: number,
    reason?: string,
  ): Promise<string>;
  /** Publishes the current policy with these sampling rates. */
  rates(by: Identity, r: { qualitySampleRate?: number; doubleDecisionRate?: number; calibrationShare?: number }): Promise<void>;
}

export async function openDesk(url: string, team: Array<[string, Role]>): Promise<Desk> {
  // The audit tests' desk (policy, m1, m2, s1, s2, s3, dispatch helpers), with the rest of this team added.
  const { db, clock, call, ok } = await deskOn(await openTestDb(url), new ManualClock(T0));
  for (const [id, role] of team)
    await db
      .insertInto('users')
      .values({ id, name: id, role, password_hash: 'x', failed_attempts: 0, locked_until: null, created_at: T0 })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  const desk: Desk = {
    db,
    clock,
    call,
    ok,
    async refused(method, input, who) {
      const r = await call(method, input, who);
      if (r.ok) throw new Error(`${method} was accepted; a refusal was expected`);
      return r.error;
    },
    async newCase(id, o = {}) {
      const total = o.totalMinor ?? 10_000;
      await ok(
        'intake.dispute',
        {
          id,
          openedAt: new Date(T0 - 240 * HOUR).toISOString(),
          escalatedAt: new Date(T0 - 24 * HOUR).toISOString(),
          reason: o.reason ?? 'damaged',
          claim: { remedy: 'refund_only', amountMinor: total },
          description: 'Arrived with a dent.',
          order: {
            id: `O-${id}`,
            placedAt: new Date(T0 - 600 * HOUR).toISOString(),
            currency: 'EUR',
            itemPriceMinor: total - 500,
            shippingMinor: 500,
            totalMinor: total,
            item: { title: 'Lamp', quantity: 1 },
            tracking: { status: 'delivered', deliveredAt: new Date(T0 - 300 * HOUR).toISOString() },
          },
          buyer: { id: `B-${id}`, name: `Buyer ${id}`, country: 'FR' },
          seller: { id: 'S-Q', name: 'Lamp Shop', country: 'DE' },
        },
        INTAKE,
      );
      return id;
    },
    async decided(id, who, outcome, amountMinor, reason) {
      await desk.newCase(id, reason ? { reason } : {});
      await ok('case.claim', { caseId: id }, who);
      await ok('case.decide', { caseId: id, outcome, amountMinor, reasons: `Decided ${outcome} on the photos.` }, who);
      return id;
    },
    async rates(by, r) {
      const current = await ok<PolicyVersionView>('policy.get', {}, by);
      await ok('policy.publish', { policy: { ...current.policy, ...r }, note: 'rates for the test', basedOnVersion: current.version }, by);
    },
  };
  return desk;
}
