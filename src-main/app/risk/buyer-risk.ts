import type { Dispute } from '../../contract/dispute';
import { isNotReceived, type AccountLabel } from '../../contract/domain';
import { toMs } from '../../contract/primitives';
import { photoKeysOf } from '../../db/repos/evidence';
import {
  applyRiskEvents,
  buyerRiskPage,
  buyerRiskRow,
  buyerRiskScore,
  loadRiskModel,
  currentOrderFacts,
  riskDisputeOf,
  type RiskEvent,
} from '../../db/repos/risk/updates';
import type { Reader, WriteTx } from '../../db/tx';
import { buyerFromRow } from '../../db/repos/risk/rows';
import { classifyBuyerMessages, linkKey, scoreAt, type OrderFact, type RiskReason } from '../../engine/risk';
import type { IntakeOutcome } from '../intake/outcome';

/**
 * The buyer fraud-pattern score as the application keeps it (DOMAIN.md): the engine's model
 * (src-main/engine/risk) over the rows of migrations/0003, updated in the same transaction as
 * every event that touches a buyer — a dispute imported (with its order, the buyer's links,
 * messages and photos), evidence or a decision saved (db/repos/case.ts), an analyst's label.
 * Read here for the case screen; `risk-recompute.ts` rebuilds everything from the source tables.
 */

export interface BuyerRiskView {
  score: number;
  /** The reasons' sentences, highest weight first (the replay output's `reasons`). */
  reasons: string[];
  details: RiskReason[];
}

const NOT_SCORED = 'not scored yet: this buyer was imported before the score existed (a full recompute scores it)';
const notScored = (): BuyerRiskView => ({
  score: 0,
  reasons: [NOT_SCORED],
  details: [{ code: 'NOT_SCORED', text: NOT_SCORED, weight: 0 }],
});

/**
 * The buyer's score and reasons; 0 with an explanation for a buyer never scored. Given `now`
 * (the injected clock), the stored scoring is aged to that instant (engine `scoreAt`): a burst
 * of disputes months ago no longer reads as one, without waiting for the buyer's next event.
 * Without it, the score as last stored.
 */
export async function buyerRisk(db: Reader, buyerId: string, now?: number): Promise<BuyerRiskView> {
  if (now !== undefined) {
    const row = await buyerRiskRow(db, buyerId);
    if (!row) return notScored();
    const { priors } = await loadRiskModel(db);
    const aged = scoreAt(buyerFromRow(row), { asOf: now, priors });
    return { score: aged.score, reasons: aged.reasons.map((r) => r.text), details: aged.reasons };
  }
  const row = await buyerRiskScore(db, buyerId);
  if (!row) return notScored();
  const details = JSON.parse(row.reasons) as RiskReason[];
  return { score: Number(row.score), reasons: details.map((r) => r.text), details };
}

/**
 * The model's events for freshly imported (created or replaced) disputes. A photo counts by its
 * key (`photoKeys`, db/repos/evidence photoKeysOf): its near-duplicate cluster when the file is
 * stored, so the same picture re-encoded, cropped a little or flipped by another account is
 * still "the same photo"; else its sha256.
 */
export function riskEventsOfDisputes(disputes: Dispute[], outcomes: IntakeOutcome[], photoKeys?: Map<string, string>): RiskEvent[] {
  const events: RiskEvent[] = [];
  disputes.forEach((d, i) => {
    const o = outcomes[i];
    if (!o || (o.result !== 'created' && o.result !== 'updated')) return;
    const links = d.buyer.links ?? {};
    events.push({
      type: 'account',
      id: d.buyer.id,
      links: (['device', 'address', 'payment'] as const).flatMap((kind) => (links[kind] ?? []).map((v) => linkKey(kind, v))),
      ...(d.buyer.orderHistory ? { history: { orders: d.buyer.orderHistory.placed, delivered: d.buyer.orderHistory.delivered } } : {}),
      // As intake writes accounts.created_at: the latest report replaces the last, a missing one included.
      created: d.buyer.createdAt ? toMs(d.buyer.createdAt) : null,
    });
    events.push({
      type: 'order',
      fact: {
        id: d.order.id,
        buyerId: d.buyer.id,
        sellerId: d.seller.id,
        placedAt: toMs(d.order.placedAt),
        delivered: d.order.tracking.status === 'delivered',
      },
    });
    const signals = classifyBuyerMessages(d.messages);
    events.push({
      type: 'dispute',
      fact: {
        id: d.id,
        orderId: d.order.id,
        buyerId: d.buyer.id,
        openedAt: toMs(d.openedAt),
        notReceived: isNotReceived(d.reason),
        // An imported case is escalated: no outcome yet (a replaced one is still escalated).
        outcome: null,
        threat: signals.threat,
        offPlatform: signals.offPlatform,
        photos: d.evidence.filter((e) => e.party === 'buyer').map((e) => photoKeys?.get(e.sha256) ?? e.sha256),
      },
    });
  });
  return events;
}

/** Intake's first hook, before it writes anything: the orders' rows as they were (the facts an update takes back). */
export async function riskBeforeImport(tx: Reader, disputes: Dispute[]): Promise<RiskBeforeImport> {
  return {
    previousOrders: await currentOrderFacts(
      tx,
      disputes.map((d) => d.order.id),
    ),
  };
}
export interface RiskBeforeImport {
  previousOrders: Map<string, OrderFact | null>;
}

/**
 * Intake's second hook, after the batch's accounts and orders and before its case rows, in its
 * transaction (joined: intake still hands it over as a plain handle). Returns the buyers' new
 * scores, which the case rows carry.
 */
export async function recordImportedDisputesRisk(
  tx: WriteTx,
  disputes: Dispute[],
  outcomes: IntakeOutcome[],
  now: number,
  before: RiskBeforeImport,
): Promise<Map<string, number>> {
  // Cases just created have no ledger row yet: nothing to look up for them.
  const created = outcomes.filter((o) => o.result === 'created').map((o) => o.id);
  const photoKeys = await photoKeysOf(
    tx,
    disputes.flatMap((d) => d.evidence.filter((e) => e.party === 'buyer').map((e) => e.sha256)),
  );
  return applyRiskEvents(tx, riskEventsOfDisputes(disputes, outcomes, photoKeys), now, {
    newCases: created,
    previousOrders: before.previousOrders,
  });
}

/**
 * Evidence added to a case later (party.submitEvidence) is first counted under its sha256 by
 * the case's own write (db/repos/case.ts); once its evidence_files row is in the same
 * transaction, this re-counts the dispute with the photos' cluster keys.
 */
export async function rekeyDisputePhotos(tx: WriteTx, caseId: string, now: number): Promise<void> {
  const fact = await riskDisputeOf(tx, caseId);
  if (!fact) return;
  const keys = await photoKeysOf(tx, fact.photos);
  const photos = [...new Set(fact.photos.map((p) => keys.get(p) ?? p))].sort();
  if (photos.length === fact.photos.length && photos.every((p, i) => p === [...fact.photos].sort()[i])) return;
  await applyRiskEvents(tx, [{ type: 'dispute', fact: { ...fact, photos } }], now);
}

/**
 * `account.flag`'s hook: the label is the buyer's own; linked accounts see it as a link to a
 * flagged account. In the handler's transaction.
 */
export async function recordLabelRisk(tx: WriteTx, accountId: string, label: AccountLabel, now: number): Promise<void> {
  await applyRiskEvents(tx, [{ type: 'label', buyerId: accountId, label }], now);
}

export interface BuyerRiskRow {
  buyerId: string;
  score: number;
  label: AccountLabel | null;
  topReason: string | null;
  reasons: RiskReason[];
  orders: number;
  disputes: number;
  scoredAt: number;
}

/**
 * The analysts' list: buyers by score, highest first, a keyset page at a time (an index walk
 * on buyer_risk_by_score). `after` is the last row of the previous page.
 */
export async function listBuyerRisks(
  db: Reader,
  q: { limit: number; minScore?: number; after?: { score: number; buyerId: string }; label?: AccountLabel | 'none' },
): Promise<BuyerRiskRow[]> {
  const rows = await buyerRiskPage(db, q);
  return rows.map((r) => ({
    buyerId: r.buyer_id,
    score: Number(r.score),
    label: (r.label as AccountLabel | null) ?? null,
    topReason: r.top_code,
    reasons: JSON.parse(r.reasons) as RiskReason[],
    orders: Number(r.n_orders),
    disputes: Number(r.n_disputes),
    scoredAt: Number(r.scored_at),
  }));
}
