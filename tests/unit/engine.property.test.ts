import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { RECEIVED_REASONS, NOT_RECEIVED_REASONS, type Outcome, type Party } from '../../src-main/contract/domain';
import { Dispute } from '../../src-main/contract/dispute';
import { AppFailure } from '../../src-main/contract/errors';
import { DEFAULT_POLICY, mergePolicy, type PolicyOverrides } from '../../src-main/contract/policy';
import { handlingEventsOf } from '../../src-main/db/repos/handling';
import { loadCaseState } from '../../src-main/db/repos/case';
import { openDatabase, type Db } from '../../src-main/db/connect';
import type { Actor, Command } from '../../src-main/engine/commands';
import { decide } from '../../src-main/engine/decide';
import { deadlinesOf } from '../../src-main/engine/deadlines';
import type { CaseState } from '../../src-main/engine/state';
import { runCaseCommand } from '../../src-main/app/case/commands';
import { importDisputes } from '../../src-main/app/intake/intake';
import { currentPolicy, ensurePolicy, publishPolicy } from '../../src-main/db/repos/policy';
import { sweep } from '../../src-main/app/sweep/sweep';

/**
 * Random command sequences with random clock advances, run through the services on an
 * in-memory SQLite database (the same path replay and the screens take), checking the
 * invariants of DOMAIN.md after every step.
 */

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
/** A fast-check seed whose first COVERING_RUNS draws reach every status and decision basis (see the first property). */
const COVERING_SEED = 20261205;
const COVERING_RUNS = 30;

// ------------------------------------------------------------------ arbitraries

const REASONS = [...RECEIVED_REASONS, ...NOT_RECEIVED_REASONS];

const disputeArb = (id: string) =>
  fc
    .record({
      reason: fc.constantFrom(...REASONS),
      // From 2: with the smallest default rate (0.3) a price of 1 would publish a partial of 0 (see the report).
      itemPriceMinor: fc.integer({ min: 2, max: 50_000 }),
      shippingMinor: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3_000 })),
      extra: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 500 }) }),
      remedy: fc.constantFrom('refund_only' as const, 'return_and_refund' as const),
      claimShare: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      escalatedHoursAgo: fc.integer({ min: 1, max: 200 }),
      buyer: fc.constantFrom('B-1', 'B-2'),
    })
    .map((r) => {
      const total = r.itemPriceMinor + r.shippingMinor + r.extra;
      const claim = Math.min(total, Math.max(1, Math.round(total * r.claimShare)));
      return Dispute.parse({
        id,
        openedAt: new Date(T0 - (r.escalatedHoursAgo + 100) * HOUR).toISOString(),
        escalatedAt: new Date(T0 - r.escalatedHoursAgo * HOUR).toISOString(),
        reason: r.reason,
        claim: { remedy: r.remedy, amountMinor: claim },
        description: 'generated',
        order: {
          id: `O-${id}`,
          placedAt: '2026-01-05T09:00:00.000Z',
          currency: 'USD',
          itemPriceMinor: r.itemPriceMinor,
          shippingMinor: r.shippingMinor,
          totalMinor: total,
          item: { title: 'Thing', quantity: 1 },
          tracking: { status: r.reason.startsWith('not_received') ? 'in_transit' : 'delivered' },
        },
        buyer: { id: r.buyer, name: 'Buyer', country: 'RU' },
        seller: { id: 'S-1', name: 'Seller', country: 'CN' },
      });
    });

const policyArb: fc.Arbitrary<PolicyOverrides> = fc.oneof(
  fc.constant({}),
  fc.constant({ defaultOnMissedEvidence: false }),
  // Short durations make deadlines collide with each other and with commands.
  fc.record({
    evidenceRequestHours: fc.integer({ min: 1, max: 6 }),
    replyPeriodHours: fc.integer({ min: 1, max: 6 }),
    appealWindowHours: fc.integer({ min: 1, max: 6 }),
    returnShipmentHours: fc.integer({ min: 1, max: 6 }),
    defaultOnMissedEvidence: fc.boolean(),
  }),
);

type Advance = { k: 'none' } | { k: 'ms'; ms: number } | { k: 'deadline'; delta: -1 | 0 | 1 };
const advanceArb: fc.Arbitrary<Advance> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ k: 'none' as const }) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 12 * 60 }).map((min) => ({ k: 'ms' as const, ms: min * 60_000 })) },
  { weight: 2, arbitrary: fc.integer({ min: 24, max: 200 }).map((hours) => ({ k: 'ms' as const, ms: hours * HOUR })) },
  { weight: 3, arbitrary: fc.constantFrom(-1 as const, 0 as const, 1 as const).map((delta) => ({ k: 'deadline' as const, delta })) },
);

const USERS: Record<string, Actor> = {
  m1: { kind: 'user', id: 'm1', role: 'mediator' },
  m2: { kind: 'user', id: 'm2', role: 'mediator' },
  s1: { kind: 'user', id: 's1', role: 'supervisor' },
  s2: { kind: 'user', id: 's2', role: 'supervisor' },
  a1: { kind: 'user', id: 'a1', role: 'analyst' },
};
const ACTOR_NAMES = ['m1', 'm2', 's1', 's2', 'a1', 'intake', 'system'] as const;
const actorOf = (name: string): Actor => (name === 'intake' ? { kind: 'intake' } : name === 'system' ? { kind: 'system' } : USERS[name]!);

const party = fc.constantFrom<Party>('buyer', 'seller');
const outcome = fc.constantFrom<Outcome>('full', 'partial', 'return', 'none');
const amount = fc.option(fc.oneof(fc.integer({ min: -2, max: 2 }), fc.integer({ min: 1, max: 60_000 })), { nil: undefined });
const fileArb = fc.constantFrom(
  { name: 'p.jpg', mediaType: 'image/jpeg', sizeBytes: 120_000, sha256: 'a'.repeat(64) },
  { name: 'v.mp4', mediaType: 'video/mp4', sizeBytes: 8_000_000, sha256: 'b'.repeat(64) },
  { name: 'big.png', mediaType: 'image/png', sizeBytes: 2_097_153, sha256: 'c'.repeat(64) },
  { name: 'x.pdf', mediaType: 'application/pdf', sizeBytes: 1_000, sha256: 'd'.repeat(64) },
);

/** Any command at all, valid or not: the engine must refuse what breaks a rule. */
const rawCommandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.constant({ type: 'claim' as const }),
  fc.record({ type: fc.constant('assign' as const), userId: fc.constantFrom('m1', 'm2', 's1') }),
  fc.record({ type: fc.constant('requestEvidence' as const), party, request: fc.constant('Show it.') }),
  fc.record({ type: fc.constant('submitEvidence' as const), party, files: fc.array(fileArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    type: fc.constant('propose' as const),
    partialAmountMinor: amount,
    note: fc.option(fc.constantFrom('why', ' '), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('reply' as const),
    party,
    choice: fc.constantFrom('partial' as const, 'return' as const, 'full' as const, 'reject' as const),
  }),
  fc.record({ type: fc.constant('decide' as const), outcome, amountMinor: amount, reasons: fc.constantFrom('Because.', '  ') }),
  fc.constant({ type: 'shipReturn' as const, trackingNumber: 'RT-1' }),
  fc.constant({ type: 'confirmReturn' as const }),
  fc.record({
    type: fc.constant('appeal' as const),
    party,
    grounds: fc.constantFrom('outcome' as const, 'new_evidence' as const),
    text: fc.constant('Unfair.'),
  }),
  fc.record({
    type: fc.constant('reviewAppeal' as const),
    verdict: fc.constantFrom('uphold' as const, 'overturn' as const),
    outcome: fc.option(outcome, { nil: undefined }),
    amountMinor: amount,
    reasons: fc.constant('Reviewed.'),
  }),
);

/**
 * A step: advance the clock, then either a raw command from a random actor, or a "progress"
 * intent that the runner turns into a plausible command for the case's current state (so
 * sequences reach replies, appeals and returns, not only refusals).
 */
type Step = { advance: Advance; caseIdx: number } & ({ kind: 'raw'; actor: string; cmd: Command } | { kind: 'progress'; seed: number });
const stepArb = (cases: number): fc.Arbitrary<Step> =>
  fc.record({ advance: advanceArb, caseIdx: fc.integer({ min: 0, max: cases - 1 }) }).chain((base) =>
    fc.oneof(
      {
        weight: 1,
        arbitrary: fc
          .record({
            kind: fc.constant('raw' as const),
            actor: fc.constantFrom(...ACTOR_NAMES, 'm1', 'm1', 'intake', 'intake'),
            cmd: rawCommandArb,
          })
          .map((x) => ({ ...base, ...x })),
      },
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('progress' as const), seed: fc.nat() }).map((x) => ({ ...base, ...x })) },
    ),
  );

const scenarioArb = fc.integer({ min: 1, max: 2 }).chain((n) =>
  fc.record({
    disputes: fc.tuple(...Array.from({ length: n }, (_, i) => disputeArb(`P-${i + 1}`))),
    policy: policyArb,
    steps: fc.array(stepArb(n), { minLength: 1, maxLength: 36 }),
  }),
);

/** The plausible next command for a case in this state; `seed` picks among the choices. */
function progress(s: CaseState, seed: number): { actor: string; cmd: Command } {
  const pick = <T>(xs: readonly T[]): T => xs[seed % xs.length]!;
  const handler = s.assignee ?? pick(['m1', 'm2']);
  const who = pick([handler, handler, handler, 's1']);
  const options = s.proposal?.options ?? [];
  switch (s.status) {
    case 'escalated':
      return pick([
        { actor: 'm1', cmd: { type: 'claim' } },
        { actor: 'm2', cmd: { type: 'claim' } },
        { actor: 's1', cmd: { type: 'assign', userId: 'm1' } },
      ]);
    case 'in_review': {
      if (s.forcedDecision && options.length) {
        const o = pick(options);
        return { actor: who, cmd: { type: 'decide', outcome: o.kind, reasons: 'Picking a published option.' } };
      }
      const total = s.order.totalMinor;
      return pick<{ actor: string; cmd: Command }>([
        { actor: who, cmd: { type: 'requestEvidence', party: 'buyer', request: 'Photo.' } },
        { actor: who, cmd: { type: 'requestEvidence', party: 'seller', request: 'Tracking.' } },
        { actor: who, cmd: { type: 'propose' } },
        { actor: who, cmd: { type: 'propose' } },
        { actor: who, cmd: { type: 'propose', partialAmountMinor: 1 + (seed % total), note: 'Adjusted.' } },
        {
          actor: who,
          cmd: {
            type: 'decide',
            outcome: pick(['full', 'partial', 'return', 'none'] as const),
            amountMinor: 1 + (seed % total),
            reasons: 'Decided.',
          },
        },
        { actor: who, cmd: { type: 'decide', outcome: pick(['full', 'return', 'none'] as const), reasons: 'Decided.' } },
      ]);
    }
    case 'awaiting_evidence': {
      const open = s.evidenceRequests.filter((r) => r.status === 'open');
      const r = pick(open);
      return pick<{ actor: string; cmd: Command }>([
        {
          actor: 'intake',
          cmd: {
            type: 'submitEvidence',
            party: r.party,
            files: [{ name: 'p.jpg', mediaType: 'image/jpeg', sizeBytes: 1000, sha256: 'e'.repeat(64) }],
          },
        },
        {
          actor: 'intake',
          cmd: {
            type: 'submitEvidence',
            party: r.party,
            files: [{ name: 'v.webm', mediaType: 'video/webm', sizeBytes: 1000, sha256: 'f'.repeat(64) }],
          },
        },
        { actor: who, cmd: { type: 'requestEvidence', party: r.party === 'buyer' ? 'seller' : 'buyer', request: 'More.' } },
      ]);
    }
    case 'awaiting_replies': {
      const waiting = (['buyer', 'seller'] as const).filter((p) => s.proposal!.replies[p] === null);
      const p = pick(waiting.length ? waiting : (['buyer', 'seller'] as const));
      const other = s.proposal!.replies[p === 'buyer' ? 'seller' : 'buyer'];
      // Mostly agree with the other party's choice, so agreements are common enough to test.
      if (other !== null && other !== 'reject' && seed % 4 !== 0)
        return { actor: 'intake', cmd: { type: 'reply', party: p, choice: other } };
      const choices = [...options.map((o) => o.kind), ...options.map((o) => o.kind), 'reject'] as const;
      return { actor: 'intake', cmd: { type: 'reply', party: p, choice: pick(choices) } };
    }
    case 'closed':
    case 'final': {
      const r = s.refund;
      if (r?.status === 'awaiting_return' && seed % 3 !== 0)
        return { actor: 'intake', cmd: { type: 'shipReturn', trackingNumber: 'RT-9' } };
      if (r?.status === 'return_in_transit' && seed % 3 !== 0) return { actor: 'intake', cmd: { type: 'confirmReturn' } };
      return { actor: 'intake', cmd: { type: 'appeal', party: pick(['buyer', 'seller'] as const), grounds: 'outcome', text: 'Appeal.' } };
    }
    case 'appealed': {
      const reviewer = pick(['s1', 's2', 's2', 's1', s.decision?.decidedBy ?? 's1']);
      const verdict = pick(['uphold', 'overturn', 'overturn'] as const);
      if (verdict === 'uphold') return { actor: reviewer, cmd: { type: 'reviewAppeal', verdict, reasons: 'Upheld.' } };
      const o = pick(['full', 'partial', 'return', 'none'] as const);
      return {
        actor: reviewer,
        cmd: {
          type: 'reviewAppeal',
          verdict,
          outcome: o,
          amountMinor: o === 'partial' ? 1 + (seed % s.order.totalMinor) : undefined,
          reasons: 'Overturned.',
        },
      };
    }
  }
}

// ------------------------------------------------------------------ database helpers

type Dump = Record<string, Array<Record<string, unknown>>>;

/** Every row of every table, in insertion order. */
async function dump(db: Db): Promise<Dump> {
  const tables = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
  const out: Dump = {};
  for (const { name } of tables.rows)
    out[name] = (await sql<Record<string, unknown>>`select * from ${sql.table(name)} order by rowid`.execute(db)).rows;
  return out;
}

async function caseIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('cases').select('id').orderBy('id').execute()).map((r) => r.id);
}

const openStatus = new Set(['escalated', 'in_review', 'awaiting_evidence', 'awaiting_replies']);

/** The invariants of DOMAIN.md that must hold after every sweep. */
async function checkInvariants(db: Db, now: number, where: string): Promise<void> {
  const pendingDue = await db
    .selectFrom('deadlines')
    .select(['case_id', 'key', 'due_at'])
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('due_at', '<=', now)
    .execute();
  expect(pendingDue, `${where}: a deadline due at or before now is still pending after the sweep`).toEqual([]);

  for (const id of await caseIds(db)) {
    const s = (await loadCaseState(db, id))!;
    const at = `${where}, case ${id} (${s.status})`;
    const pending = await db
      .selectFrom('deadlines')
      .select(['key', 'kind', 'due_at'])
      .where('case_id', '=', id)
      .where('fired_at', 'is', null)
      .where('cancelled_at', 'is', null)
      .execute();
    const pendingSet = new Set(pending.map((p) => `${p.key}@${p.due_at}`));
    const openRequests = s.evidenceRequests.filter((r) => r.status === 'open');

    // Every waiting state has its deadline, stored as a pending row the sweep will find.
    if (s.status === 'awaiting_evidence') {
      expect(openRequests.length, `${at}: awaiting_evidence without an open request`).toBeGreaterThan(0);
    }
    expect(openRequests.length === 0 || s.status === 'awaiting_evidence', `${at}: an open evidence request outside awaiting_evidence`).toBe(
      true,
    );
    for (const r of openRequests)
      expect(pendingSet.has(`evidence:${r.id}@${r.dueAt}`), `${at}: open request ${r.id} has no pending deadline row`).toBe(true);
    if (s.status === 'awaiting_replies') {
      expect(s.proposal, `${at}: awaiting_replies without a proposal`).not.toBeNull();
      expect(pendingSet.has(`reply@${s.proposal!.replyDueAt}`), `${at}: no pending reply deadline`).toBe(true);
    }
    if (s.status === 'closed') {
      expect(s.decision?.appealUntil, `${at}: closed without an appeal deadline`).toEqual(expect.any(Number));
      expect(pendingSet.has(`appeal@${s.decision!.appealUntil}`), `${at}: no pending appeal deadline`).toBe(true);
    }
    if (s.refund?.status === 'awaiting_return')
      expect(pendingSet.has(`return@${s.refund.returnDueAt}`), `${at}: no pending return deadline`).toBe(true);
    // …and no deadline the state does not call for.
    expect([...pendingSet].sort(), `${at}: pending deadline rows differ from the state's deadlines`).toEqual(
      deadlinesOf(s)
        .map((d) => `${d.key}@${d.dueAt}`)
        .sort(),
    );

    // Decided ⇔ out of the open states; never decided while evidence or replies are pending.
    expect(s.decision !== null, `${at}: decision presence does not match the status`).toBe(!openStatus.has(s.status));
    const decisions = [...s.supersededDecisions, ...(s.decision ? [s.decision] : [])];
    for (const d of decisions) {
      expect(d.decidedAt, `${at}: decided in the future`).toBeLessThanOrEqual(now);
      for (const r of s.evidenceRequests)
        if (r.requestedAt <= d.decidedAt)
          expect(
            r.resolvedAt !== null && r.resolvedAt <= d.decidedAt,
            `${at}: decided at ${d.decidedAt} while request ${r.id} was open`,
          ).toBe(true);
      if (s.proposal && s.proposal.proposedAt <= d.decidedAt)
        expect(
          s.proposal.endedAt !== null && s.proposal.endedAt <= d.decidedAt,
          `${at}: decided at ${d.decidedAt} during the reply period`,
        ).toBe(true);
      expect(d.policyVersion, `${at}: a decision without a policy version`).toBeGreaterThanOrEqual(1);
    }

    // Money: integers, never more than the order total.
    const total = s.order.totalMinor;
    for (const d of decisions) {
      expect(Number.isInteger(d.amountMinor)).toBe(true);
      if (d.outcome === 'none') expect(d.amountMinor).toBe(0);
      else if (d.outcome === 'partial')
        expect(d.amountMinor >= 1 && d.amountMinor <= total, `${at}: partial ${d.amountMinor} of ${total}`).toBe(true);
      else expect(d.amountMinor).toBe(total);
    }
    if (s.refund) {
      expect(Number.isInteger(s.refund.amountMinor)).toBe(true);
      expect(s.refund.amountMinor, `${at}: refund above the order total`).toBeLessThanOrEqual(total);
      expect(s.refund.amountMinor).toBeGreaterThanOrEqual(0);
      if (s.refund.status === 'cancelled') expect(s.refund.amountMinor).toBe(0);
      else expect(s.refund.amountMinor).toBe(s.decision!.amountMinor);
    } else if (s.decision) expect(s.decision.outcome).toBe('none');
    for (const o of s.proposal?.options ?? [])
      expect(o.amountMinor >= 1 && o.amountMinor <= total, `${at}: option ${o.kind} ${o.amountMinor}`).toBe(true);

    // The reviewer of an appeal never decided the case.
    if (s.appeal?.reviewedBy) {
      const deciders = decisions.filter((d) => d.basis !== 'appeal').map((d) => d.decidedBy);
      expect(deciders, `${at}: ${s.appeal.reviewedBy} reviewed an appeal on a case they decided`).not.toContain(s.appeal.reviewedBy);
      expect(s.status).toBe('final');
    }
    if (s.appeal) expect(s.decision?.basis).not.toBe('agreement');
    if (s.decision?.basis === 'agreement') expect(s.status).toBe('final');
  }
}

/** Advances the clock as the step says; "deadline" jumps to (just around) the next pending deadline. */
async function nextNow(db: Db, now: number, a: Advance): Promise<number> {
  if (a.k === 'none') return now;
  if (a.k === 'ms') return now + a.ms;
  const row = await db
    .selectFrom('deadlines')
    .select('due_at')
    .where('fired_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .orderBy('due_at')
    .limit(1)
    .executeTakeFirst();
  return row ? Math.max(now, row.due_at + a.delta) : now + HOUR;
}

// ------------------------------------------------------------------ the properties

describe('engine properties over random command sequences (services on in-memory SQLite)', () => {
  it(
    'invariants hold after every step; sweeps are idempotent; refusals change nothing but the log',
    async () => {
      const stats = { ok: 0, refused: 0, statuses: new Set<string>(), bases: new Set<string>() };
      const property = fc.asyncProperty(scenarioArb, async ({ disputes, policy, steps }) => {
        const db = await openDatabase({ url: ':memory:' });
        try {
          let now = T0;
          if (Object.keys(policy).length) await publishPolicy(db, mergePolicy(DEFAULT_POLICY, policy), 'property test', 'test', now);
          else await ensurePolicy(db, now);
          await db.transaction().execute((tx) => importDisputes(tx, disputes, now));
          const ids = disputes.map((d) => d.id);

          for (const [i, st] of steps.entries()) {
            const where = `step ${i}`;
            now = await nextNow(db, now, st.advance);

            // A sweep run twice equals a sweep run once.
            await sweep(db, now);
            const once = await dump(db);
            const again = await sweep(db, now);
            expect(again.applied, `${where}: the second sweep applied something`).toBe(0);
            expect(await dump(db), `${where}: the second sweep changed the database`).toEqual(once);
            await checkInvariants(db, now, `${where} (after sweep)`);

            const caseId = ids[st.caseIdx]!;
            const state = (await loadCaseState(db, caseId))!;
            const { actor, cmd } = st.kind === 'raw' ? st : progress(state, st.seed);

            // The engine's input as the service loads it: an appeal review also reads who handled the case.
            if (cmd.type === 'reviewAppeal') state.handlingHistory = (await handlingEventsOf(db, [caseId])).get(caseId);
            // The pure engine: deterministic, and never touches its input.
            const { version, policy: pol } = await currentPolicy(db);
            const frozen = structuredClone(state);
            const ctx = { now, policy: pol, policyVersion: version, actor: actorOf(actor) };
            const r1 = decide(state, cmd, ctx);
            expect(state, `${where}: decide() mutated its input`).toEqual(frozen);
            expect(decide(state, cmd, ctx)).toEqual(r1);
            if (r1.ok) for (const e of r1.events) expect(e.at).toBeLessThanOrEqual(now);
            if (r1.ok && cmd.type === 'submitEvidence') {
              // Several files answer one request: every file recorded against it, one event each.
              expect(r1.newEvidence.map((e) => e.file)).toEqual(cmd.files);
              expect(new Set(r1.newEvidence.map((e) => e.requestId)).size).toBe(1);
              expect(r1.events.filter((e) => e.type === 'evidence.submitted')).toHaveLength(cmd.files.length);
            }

            const before = await dump(db);
            let refusal: AppFailure | null = null;
            try {
              await runCaseCommand(db, caseId, cmd, actorOf(actor), now);
            } catch (e) {
              if (!(e instanceof AppFailure)) throw e;
              refusal = e;
            }
            expect(refusal === null, `${where}: the service and the pure engine disagree on ${cmd.type}`).toBe(r1.ok);
            if (refusal) {
              stats.refused++;
              // A refused command changes nothing except the one appended command.refused event.
              const after = await dump(db);
              const newEvents = after.case_events!.slice(before.case_events!.length);
              expect(newEvents, `${where}: ${cmd.type} refused (${refusal.code})`).toHaveLength(1);
              expect(newEvents[0]).toMatchObject({ case_id: caseId, type: 'command.refused', at: now });
              expect(JSON.parse(newEvents[0]!.details as string)).toMatchObject({ code: refusal.code });
              expect(
                { ...after, case_events: after.case_events!.slice(0, -1) },
                `${where}: refused ${cmd.type} (${refusal.code}) changed the database`,
              ).toEqual(before);
            } else stats.ok++;

            // As the handlers do: a command may create deadlines that are already due.
            await sweep(db, now);
            await checkInvariants(db, now, `${where} (after ${actor} ${cmd.type})`);
            for (const id of ids) {
              const s = (await loadCaseState(db, id))!;
              stats.statuses.add(s.status);
              if (s.decision) stats.bases.add(s.decision.basis);
            }
          }

          // Catch-up: one sweep far in the future applies everything, in order, and is idempotent.
          const later = now + 60 * 24 * HOUR;
          await sweep(db, later);
          const once = await dump(db);
          await sweep(db, later);
          expect(await dump(db)).toEqual(once);
          await checkInvariants(db, later, 'catch-up');
          for (const id of ids) {
            const s = (await loadCaseState(db, id))!;
            // Nothing is left waiting on a clock: every case is open-and-idle, appealed or final.
            expect(['escalated', 'in_review', 'appealed', 'final']).toContain(s.status);
          }
        } finally {
          await db.destroy();
        }
      });
      // First a fixed draw that reaches every status and every decision basis (checked alone with
      // COVERING_RUNS_ONLY=1), then random ones: random draws alone once reached no agreement in
      // CI, and the coverage check below failed on the draw, not on a property.
      await fc.assert(property, { numRuns: COVERING_RUNS, seed: COVERING_SEED });
      if (!process.env.COVERING_RUNS_ONLY) await fc.assert(property, { numRuns: NUM_RUNS });
      // The generator must actually reach the interesting states, or the properties say little.
      expect([...stats.statuses].sort()).toEqual([
        'appealed',
        'awaiting_evidence',
        'awaiting_replies',
        'closed',
        'escalated',
        'final',
        'in_review',
      ]);
      expect([...stats.bases].sort()).toEqual(['agreement', 'appeal', 'default', 'mediator']);
      expect(stats.ok).toBeGreaterThan(0);
      expect(stats.refused).toBeGreaterThan(0);
    },
    Math.max(60_000, (NUM_RUNS + COVERING_RUNS) * 400),
  );
});

describe('a command never acts on a state the clock has moved past', () => {
  // The live app runs the sweep on a timer; a command may arrive after a deadline passed but
  // before the timer fired. It must then see the default already applied, exactly as replay
  // (which sweeps before every step) would: command-without-sweep ≡ sweep-then-command.
  const setupArb = fc.constantFrom<Array<[string, Command]>>(
    [
      ['m1', { type: 'claim' }],
      ['m1', { type: 'requestEvidence', party: 'buyer', request: 'Photo.' }],
    ],
    [
      ['m1', { type: 'claim' }],
      ['m1', { type: 'requestEvidence', party: 'seller', request: 'Tracking.' }],
    ],
    [
      ['m1', { type: 'claim' }],
      ['m1', { type: 'propose' }],
    ],
    [
      ['m1', { type: 'claim' }],
      ['m1', { type: 'propose' }],
      ['intake', { type: 'reply', party: 'buyer', choice: 'return' }],
    ],
    [
      ['m1', { type: 'claim' }],
      ['m1', { type: 'decide', outcome: 'return', reasons: 'r' }],
    ],
    [
      ['m1', { type: 'claim' }],
      ['m1', { type: 'decide', outcome: 'none', reasons: 'r' }],
    ],
  );
  const commandArb = fc.oneof(
    fc.record({ actor: fc.constantFrom('m1', 's1'), cmd: rawCommandArb }),
    fc.record({ actor: fc.constant('intake'), cmd: rawCommandArb }),
  );

  it('command without a prior sweep ≡ sweep, then the command', async () => {
    await fc.assert(
      fc.asyncProperty(
        disputeArb('L-1'),
        setupArb,
        fc.integer({ min: 0, max: 400 }),
        commandArb,
        async (d, setup, hoursLater, { actor, cmd }) => {
          const run = async (sweepFirst: boolean) => {
            const db = await openDatabase({ url: ':memory:' });
            try {
              await ensurePolicy(db, T0);
              await db.transaction().execute((tx) => importDisputes(tx, [d], T0));
              for (const [i, [who, c]] of setup.entries())
                await runCaseCommand(db, d.id, c, actorOf(who), T0 + i * HOUR).catch((e: unknown) => {
                  if (!(e instanceof AppFailure)) throw e; // e.g. "return" on a not-received case
                });
              const now = T0 + setup.length * HOUR + hoursLater * HOUR;
              if (sweepFirst) await sweep(db, now);
              const outcome = await runCaseCommand(db, d.id, cmd, actorOf(actor), now).then(
                () => 'ok',
                (e: unknown) => (e instanceof AppFailure ? e.code : Promise.reject(e)),
              );
              await sweep(db, now);
              const { version: _v, ...state } = (await loadCaseState(db, d.id))!;
              const events = await db
                .selectFrom('case_events')
                .select(['at', 'actor', 'type', 'details'])
                .where('case_id', '=', d.id)
                .orderBy('id')
                .execute();
              return { outcome, state, events };
            } finally {
              await db.destroy();
            }
          };
          expect(await run(false)).toEqual(await run(true));
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('engine properties (targeted)', () => {
  it('a late catch-up sweep dates every default at its own deadline, never at the sweep time', async () => {
    await fc.assert(
      fc.asyncProperty(
        disputeArb('Q-1'),
        fc.constantFrom<Party>('buyer', 'seller'),
        fc.integer({ min: 0, max: 400 }),
        async (d, who, lateHours) => {
          const db = await openDatabase({ url: ':memory:' });
          try {
            await ensurePolicy(db, T0);
            await db.transaction().execute((tx) => importDisputes(tx, [d], T0));
            await runCaseCommand(db, d.id, { type: 'claim' }, USERS.m1!, T0);
            await runCaseCommand(db, d.id, { type: 'requestEvidence', party: who, request: 'Show it.' }, USERS.m1!, T0 + HOUR);
            const due = T0 + HOUR + 72 * HOUR;
            await sweep(db, due + lateHours * HOUR);
            const s = (await loadCaseState(db, d.id))!;
            expect(s.decision).not.toBeNull();
            expect(s.decision!.decidedAt).toBe(due);
            expect(s.decision!.basis).toBe('default');
            expect(s.status).toBe(lateHours >= 168 ? 'final' : 'closed');
            if (who === 'buyer') expect(s.decision!.outcome).toBe('none');
            else if (d.claim.remedy === 'return_and_refund')
              expect(s.decision).toMatchObject({ outcome: 'return', amountMinor: d.order.totalMinor });
            else if (d.claim.amountMinor === d.order.totalMinor)
              expect(s.decision).toMatchObject({ outcome: 'full', amountMinor: d.order.totalMinor });
            else expect(s.decision).toMatchObject({ outcome: 'partial', amountMinor: d.claim.amountMinor });
            if (s.refund?.returnDueAt != null) {
              expect(s.refund.returnDueAt).toBe(due + 240 * HOUR);
              expect(s.refund.status).toBe(lateHours >= 240 ? 'cancelled' : 'awaiting_return');
            }
          } finally {
            await db.destroy();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('without a sweep, a party action is in time exactly when it is strictly before its deadline', async () => {
    // States built through the services; the engine is then asked directly, with no sweep in
    // between, so its own deadline checks are what is tested (the live app may run a command
    // before the sweep timer fires).
    const db = await openDatabase({ url: ':memory:' });
    const states: Record<string, { state: CaseState; due: number; cmd: Command }> = {};
    try {
      await ensurePolicy(db, T0);
      const base = fc.sample(disputeArb('R-0'), { seed: 7, numRuns: 1 })[0]!;
      const mk = async (id: string, reason: string, setup: Array<[Actor, Command]>) => {
        const d = Dispute.parse({ ...base, id, reason, order: { ...base.order, id: `O-${id}` } });
        await db.transaction().execute((tx) => importDisputes(tx, [d], T0));
        for (const [i, [actor, cmd]] of setup.entries()) await runCaseCommand(db, id, cmd, actor, T0 + (i + 1) * HOUR);
        return (await loadCaseState(db, id))!;
      };
      const ev = await mk('R-ev', 'defective', [
        [USERS.m1!, { type: 'claim' }],
        [USERS.m1!, { type: 'requestEvidence', party: 'buyer', request: 'Photo.' }],
      ]);
      states.evidence = {
        state: ev,
        due: ev.evidenceRequests[0]!.dueAt,
        cmd: {
          type: 'submitEvidence',
          party: 'buyer',
          files: [{ name: 'p.jpg', mediaType: 'image/jpeg', sizeBytes: 10, sha256: 'a'.repeat(64) }],
        },
      };
      const rp = await mk('R-rp', 'damaged', [
        [USERS.m1!, { type: 'claim' }],
        [USERS.m1!, { type: 'propose' }],
      ]);
      states.reply = { state: rp, due: rp.proposal!.replyDueAt, cmd: { type: 'reply', party: 'seller', choice: 'return' } };
      const ap = await mk('R-ap', 'damaged', [
        [USERS.m1!, { type: 'claim' }],
        [USERS.m1!, { type: 'decide', outcome: 'return', reasons: 'r' }],
      ]);
      states.appeal = {
        state: ap,
        due: ap.decision!.appealUntil!,
        cmd: { type: 'appeal', party: 'seller', grounds: 'outcome', text: 't' },
      };
      states.return = { state: ap, due: ap.refund!.returnDueAt!, cmd: { type: 'shipReturn', trackingNumber: 'RT' } };
    } finally {
      await db.destroy();
    }
    const codes: Record<string, string> = {
      evidence: 'DEADLINE_PASSED',
      reply: 'DEADLINE_PASSED',
      appeal: 'APPEAL_WINDOW_CLOSED',
      return: 'DEADLINE_PASSED',
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(states)),
        fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3 * HOUR, max: 3 * HOUR })),
        (kind, delta) => {
          const { state, due, cmd } = states[kind]!;
          const r = decide(state, cmd, { now: due + delta, policy: DEFAULT_POLICY, policyVersion: 1, actor: { kind: 'intake' } });
          if (delta < 0) expect(r.ok, `${kind} ${delta} ms before the deadline`).toBe(true);
          else expect(r, `${kind} ${delta} ms after the deadline`).toMatchObject({ ok: false, code: codes[kind] });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the published partial is min(claim, round_half_up(rate × item price)), within 1 … total', async () => {
    const { computeProposal } = await import('../../src-main/engine/proposal');
    fc.assert(
      fc.property(
        fc.constantFrom(...RECEIVED_REASONS),
        // Small prices too: that is where a float product (0.35 × 90 = 31.499…) rounds the wrong way.
        fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 10_000_000 })),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        (reason, price, shipping, share, ratePct) => {
          const total = price + shipping;
          const claim = Math.max(1, Math.round(total * share));
          const rate = ratePct / 100;
          const policy = mergePolicy(DEFAULT_POLICY, { partialRates: { [reason]: rate } });
          const state = {
            reason,
            claim: { remedy: 'refund_only', amountMinor: claim },
            order: { currency: 'USD', itemPriceMinor: price, shippingMinor: shipping, totalMinor: total, deliveryStatus: 'delivered' },
            buyerLabel: null,
            evidenceRequests: [],
          } as unknown as CaseState;
          const p = computeProposal(state, policy, null);
          // Exact decimal arithmetic: ratePct / 100 × price, half up.
          const byRate = Number((BigInt(ratePct) * BigInt(price) * 2n + 100n) / 200n);
          const partial = Math.min(claim, byRate);
          if (partial < 1) {
            // A rule that yields nothing offers no partial refund: the return is the only option.
            expect(p.options).toEqual([expect.objectContaining({ kind: 'return', amountMinor: total })]);
            return;
          }
          expect(p.options[0]).toMatchObject({ kind: 'partial', amountMinor: partial });
          expect(p.options[1]).toMatchObject({ kind: 'return', amountMinor: total });
          expect(p.options[0]!.amountMinor).toBeLessThanOrEqual(total);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
