import { sql, type Insertable } from 'kysely';
import type { AccountLabel } from '../../../contract/domain';
import {
  BetaFitter,
  DEFAULT_PRIORS,
  fitPriorsFrom,
  RiskUpdater,
  rescoreBehaviour,
  rescoreLinks,
  RISK_MODEL,
  type DisputeFact,
  type OrderFact,
  type Priors,
  type RateSums,
  type RiskOutcome,
} from '../../../engine/risk';
import { chunks, keysIn } from '../../batch';
import { queryRows } from '../../compiled';
import { dialectOf } from '../../dialect';
import type { Database } from '../../schema';
import type { Reader, WriteTx } from '../../tx';
import { DbRiskStore } from './store';
import { takeRiskTurn } from './turn';
import { MAX_IDS, disputeFromRow, excludedOf, orderFromRow } from './rows';

/**
 * The buyer fraud-pattern score's repository: the model row (priors, population), the
 * per-event updates (applied through DbRiskStore, risk-store.ts, in the caller's transaction)
 * and the reads of buyer_risk and the dispute ledger. The full rebuild's queries are in
 * risk-rebuild.ts, the analysts' buyer page's in risk-analyst.ts.
 */

// ---------------------------------------------------------------------------------------
// The model row: priors and population size

export interface RiskModelState {
  priors: Priors;
  fittedAt: number;
  fittedBuyers: number;
  buyers: number;
}

const MODEL_ID = 'current';
const MODEL_SQL = {
  sqlite: 'select * from "risk_model" where "id" = ?',
  postgres: 'select * from "risk_model" where "id" = $1',
} as const;

export async function loadRiskModel(db: Reader): Promise<RiskModelState> {
  // Read in every event's transaction: a precompiled statement (db/compiled.ts).
  const [row] = await queryRows<Database['risk_model']>(db, MODEL_SQL[dialectOf(db)], [MODEL_ID]);
  if (!row) return { priors: DEFAULT_PRIORS, fittedAt: 0, fittedBuyers: 0, buyers: 0 };
  return {
    // Priors saved before model v6 lack the opened-on-delivered rate: its default until the next fit.
    priors: { opened: DEFAULT_PRIORS.opened, ...(JSON.parse(row.priors) as Omit<Priors, 'opened'>) },
    fittedAt: Number(row.fitted_at),
    fittedBuyers: Number(row.fitted_buyers),
    buyers: Number(row.buyers),
  };
}

/**
 * Stores the model row. `rescoredAll`: the caller (the full recompute) has just rescored every
 * buyer under the running model, so the row takes its version; the per-event updates rescore a
 * few buyers and keep the stored version, else the first event after an upgrade would mark
 * every older row as the new model's (settleOwedScores, app/risk/owed-scores.ts, reads it to
 * know a recompute is owed). A row written for the first time takes the running version: the
 * only rows then are the ones this transaction scored.
 */
export async function saveRiskModel(db: WriteTx, m: RiskModelState, opts: { rescoredAll: boolean }): Promise<void> {
  const row: Insertable<Database['risk_model']> = {
    id: MODEL_ID,
    model_version: RISK_MODEL.version,
    priors: JSON.stringify(m.priors),
    fitted_at: m.fittedAt,
    fitted_buyers: m.fittedBuyers,
    buyers: m.buyers,
  };
  const updated = ['priors', 'fitted_at', 'fitted_buyers', 'buyers'] as const;
  await db
    .insertInto('risk_model')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(excludedOf(opts.rescoredAll ? ['model_version', ...updated] : updated)))
    .execute();
}

/** The model version every stored score was last rebuilt under (the full recompute's); null without a model row. */
export async function storedRiskModelVersion(db: Reader): Promise<number | null> {
  const row = await db.selectFrom('risk_model').select('model_version').where('id', '=', MODEL_ID).executeTakeFirst();
  return row ? Number(row.model_version) : null;
}

/** True when any buyer has a stored risk row (scored by some model). */
export async function anyBuyerRiskRow(db: Reader): Promise<boolean> {
  return !!(await db.selectFrom('buyer_risk').select('buyer_id').limit(1).executeTakeFirst());
}

/** The sums one rate's empirical-Bayes fit needs (see BetaFitter), in one aggregate over buyer_risk's raw counts. */
export async function rateSums(
  db: Reader,
  k: 'n_disputes' | 'n_nrd' | 'n_lost' | 'n_opened_delivered',
  n: 'n_orders' | 'n_delivered' | 'n_decided',
): Promise<RateSums & { buyers: number }> {
  // Orders and delivered orders as the rates count them: the reported history's when larger (withOrderHistory).
  const hist = n === 'n_orders' ? 'hist_orders' : n === 'n_delivered' ? 'hist_delivered' : null;
  const N = hist ? sql`(case when coalesce(${sql.ref(hist)}, 0) > ${sql.ref(n)} then ${sql.ref(hist)} else ${sql.ref(n)} end)` : sql.ref(n);
  const K = sql`(case when ${sql.ref(k)} > ${N} then ${N} else ${sql.ref(k)} end)`;
  const row = await db
    .selectFrom('buyer_risk')
    .select([
      sql<number>`coalesce(sum(${K}), 0)`.as('k'),
      sql<number>`coalesce(sum(${N}), 0)`.as('n'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then 1 else 0 end), 0)`.as('count'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then ${N} else 0 end), 0)`.as('sampleN'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then ${K} else 0 end), 0)`.as('sampleK'),
      sql<number>`coalesce(sum(case when ${N} >= 2 then ${K} * ${K} * 1.0 / ${N} else 0 end), 0)`.as('sampleK2N'),
      sql<number>`count(*)`.as('buyers'),
    ])
    .executeTakeFirstOrThrow();
  return {
    k: Number(row.k),
    n: Number(row.n),
    count: Number(row.count),
    sampleN: Number(row.sampleN),
    sampleK: Number(row.sampleK),
    sampleK2N: Number(row.sampleK2N),
    buyers: Number(row.buyers),
  };
}

// ---------------------------------------------------------------------------------------
// Applying events: the per-event updates, in the caller's transaction

/**
 * What happened to a buyer, in the model's terms. An `order` event comes after the order's
 * row is written (orders is its record), with the row's previous facts in `previousOrders`.
 */
export type RiskEvent =
  | {
      type: 'account';
      id: string;
      links: string[];
      history?: { orders: number; delivered: number };
      /** accounts.created_at as this dispute reports it (null: not reported); absent leaves the stored one. */
      created?: number | null;
    }
  | { type: 'order'; fact: OrderFact }
  | { type: 'dispute'; fact: DisputeFact }
  | { type: 'disputePatch'; caseId: string; outcome?: RiskOutcome | null; addPhotos?: string[] }
  | { type: 'label'; buyerId: string; label: AccountLabel | null };

/**
 * The rows a batch of events obviously needs (the rest is found by running it). Lists, repeats
 * and all: `prefetch` puts them in sets of its own, so sets here were only garbage.
 */
function prefetchKeys(events: RiskEvent[], newCases: Iterable<string> | undefined) {
  const buyers: string[] = [];
  const orders: string[] = [];
  const orderDisputes: string[] = [];
  const disputes: string[] = [];
  const photos: string[] = [];
  const groups: string[] = [];
  const sellers: string[] = [];
  const joins = new Map<string, Set<string>>();
  const photoUses: Array<[string, string]> = [];
  const labels: Array<[string, AccountLabel | null]> = [];
  const absent = new Set(newCases ?? []);
  // Disputes whose photos an event may move (a dispute event, evidence added); the others are decisions only.
  const photosMove = new Set<string>();
  const decisionsOnly: string[] = [];
  for (const e of events)
    switch (e.type) {
      case 'account':
        buyers.push(e.id);
        for (const g of e.links) {
          groups.push(g);
          let ids = joins.get(g);
          if (!ids) joins.set(g, (ids = new Set()));
          ids.add(e.id);
        }
        break;
      case 'order':
        buyers.push(e.fact.buyerId);
        orders.push(e.fact.id);
        orderDisputes.push(e.fact.id);
        if (e.fact.sellerId) sellers.push(e.fact.sellerId);
        break;
      case 'dispute':
        buyers.push(e.fact.buyerId);
        orders.push(e.fact.orderId);
        if (!absent.has(e.fact.id)) disputes.push(e.fact.id);
        photosMove.add(e.fact.id);
        for (const p of e.fact.photos) {
          photos.push(p);
          photoUses.push([p, e.fact.buyerId]);
        }
        break;
      case 'disputePatch':
        disputes.push(e.caseId);
        if (e.addPhotos?.length) photosMove.add(e.caseId);
        else decisionsOnly.push(e.caseId);
        for (const p of e.addPhotos ?? []) photos.push(p);
        break;
      case 'label':
        buyers.push(e.buyerId);
        labels.push([e.buyerId, e.label]);
        break;
    }
  const photosKept = decisionsOnly.filter((id) => !photosMove.has(id));
  return { buyers, orders, orderDisputes, disputes, absentDisputes: absent, photos, groups, sellers, joins, photoUses, labels, photosKept };
}

/** What the orders table holds for these orders now (null: no row): taken before intake rewrites them. */
export async function currentOrderFacts(tx: Reader, orderIds: string[]): Promise<Map<string, OrderFact | null>> {
  const out = new Map<string, OrderFact | null>();
  for (const ids of chunks([...new Set(orderIds)], MAX_IDS)) {
    for (const id of ids) out.set(id, null);
    for (const r of await tx
      .selectFrom('orders')
      .select(['id', 'buyer_id', 'seller_id', 'placed_at', 'delivery_status'])
      .where('id', 'in', keysIn(tx, ids))
      .execute())
      out.set(r.id, orderFromRow(r));
  }
  return out;
}

/** Refit the priors when the population has doubled since the last fit (and is at least this big). */
const REFIT_MIN_BUYERS = 64;

/**
 * Applies the events to the model's rows and rescores the buyers they touched (and the
 * linked accounts whose neighbourhood changed), as of `now`, inside `tx`. Constant work per
 * event; the priors are refitted (one aggregate over buyer_risk) each time the number of
 * buyers doubles, so that cost is constant per event too, amortised. Returns the stored score
 * of every buyer the events ran (the cases intake writes after it carry it).
 */
export async function applyRiskEvents(
  tx: WriteTx,
  events: RiskEvent[],
  now: number,
  opts: { newCases?: Iterable<string>; previousOrders?: Map<string, OrderFact | null>; parts?: RiskUpdateParts } = {},
): Promise<Map<string, number>> {
  if (!events.length) return new Map();
  const parts = opts.parts;
  let t = parts ? performance.now() : 0;
  /** Adds the time since the last mark to one part (only when the caller asked for parts). */
  const mark = (part: keyof RiskUpdateParts) => {
    if (!parts) return;
    const now = performance.now();
    parts[part] += now - t;
    t = now;
  };
  await takeRiskTurn(tx);
  const model = await loadRiskModel(tx);
  mark('model');
  const store = new DbRiskStore(tx, opts.previousOrders);
  store.prefetch(prefetchKeys(events, opts.newCases));
  mark('update');
  await store.loadMissing();
  mark('reads');
  for (let round = 0; ; round++) {
    store.beginRun();
    const u = new RiskUpdater(store);
    for (const e of events) {
      switch (e.type) {
        case 'account':
          u.account(e.id, e.links, e.history, e.created);
          break;
        case 'order':
          u.order(e.fact);
          break;
        case 'dispute':
          u.dispute(e.fact);
          break;
        case 'disputePatch':
          u.patchDispute(e.caseId, {
            ...(e.outcome !== undefined ? { outcome: e.outcome } : {}),
            ...(e.addPhotos ? { addPhotos: e.addPhotos } : {}),
          });
          break;
        case 'label':
          u.label(e.buyerId, e.label);
          break;
      }
    }
    const ctx = { asOf: now, priors: model.priors };
    const links = rescoreBehaviour(store, u.dirty, u.linkDirty, ctx);
    if (!store.needsMore) {
      // The link reasons read rows the events and the behaviour part did not (neighbours reached by a
      // flip of high-risk status): those are loaded and only the link step runs again (rescoreLinks).
      store.linkStep();
      for (let pass = 0; ; pass++) {
        rescoreLinks(store, links, ctx);
        mark('update');
        if (!store.needsMore) break;
        if (pass > 20) throw new Error('buyer risk: the rows the link reasons need did not settle after 20 rounds');
        await store.loadMissing();
        mark('reads');
      }
      break;
    }
    if (round > 20) throw new Error('buyer risk: the rows a batch needs did not settle after 20 rounds');
    mark('update');
    await store.loadMissing();
    mark('reads');
  }
  const scores = await store.flush();
  mark('writes');
  if (!store.newBuyers) return scores;
  model.buyers += store.newBuyers;
  if (model.buyers >= REFIT_MIN_BUYERS && model.buyers >= 2 * model.fittedBuyers) {
    model.priors = await fitRiskPriors(tx);
    model.fittedBuyers = model.buyers;
    model.fittedAt = now;
  }
  await saveRiskModel(tx, model, { rescoredAll: false });
  mark('model');
  return scores;
}

/**
 * Where an update's time went, in ms, added to by `applyRiskEvents` when given (the bench's trace):
 * the model row (read, and its save or refit), the reads of rows (loadMissing), the pure update and
 * scoring, the writes (flush).
 */
export interface RiskUpdateParts {
  model: number;
  reads: number;
  update: number;
  writes: number;
}

/** Empirical-Bayes priors fitted to every buyer's raw counts (four aggregates over buyer_risk). */
export async function fitRiskPriors(db: Reader): Promise<Priors> {
  const [dispute, nrd, lost, opened] = [new BetaFitter(), new BetaFitter(), new BetaFitter(), new BetaFitter()];
  const d = await rateSums(db, 'n_disputes', 'n_orders');
  dispute.addSums(d);
  nrd.addSums(await rateSums(db, 'n_nrd', 'n_delivered'));
  lost.addSums(await rateSums(db, 'n_lost', 'n_decided'));
  opened.addSums(await rateSums(db, 'n_opened_delivered', 'n_delivered'));
  // The same fit as the full recompute's (the "not received" prior's bounds, its spread).
  return fitPriorsFrom({ dispute, nrd, lost, opened }, d.buyers);
}

const OUTCOME_OF_DECISION: Record<string, RiskOutcome> = { full: 'buyer_won', return: 'buyer_won', partial: 'split', none: 'seller_won' };
export const riskOutcomeOfDecision = (outcome: string | null | undefined): RiskOutcome | null =>
  outcome ? (OUTCOME_OF_DECISION[outcome] ?? null) : null;

/**
 * The case changes `saveCaseStates` writes, as model events: a new or changed decision (its
 * outcome), and evidence the buyer submitted after escalation (its photos). Cheap when
 * nothing relevant changed: no query at all.
 */
export async function recordCaseChangesRisk(
  tx: WriteTx,
  changes: Array<{
    prev: { decision: { outcome: string } | null };
    next: { id: string; decision: { outcome: string } | null };
    effects: { newEvidence: Array<{ party: string; file: { sha256: string } }> };
  }>,
  now: number,
): Promise<void> {
  const events: RiskEvent[] = [];
  for (const { prev, next, effects } of changes) {
    const before = riskOutcomeOfDecision(prev.decision?.outcome);
    const after = riskOutcomeOfDecision(next.decision?.outcome);
    const photos = effects.newEvidence.filter((e) => e.party === 'buyer').map((e) => e.file.sha256);
    if (before === after && !photos.length) continue;
    events.push({
      type: 'disputePatch',
      caseId: next.id,
      ...(before !== after ? { outcome: after } : {}),
      ...(photos.length ? { addPhotos: photos } : {}),
    });
  }
  if (!events.length) return;
  // In the case repository's transaction: the score moves with the case or not at all.
  await applyRiskEvents(tx, events, now);
}

// ---------------------------------------------------------------------------------------
// Reads: the case screen's score, the analysts' list, the dispute ledger

/** The buyer's stored score and reasons (JSON), or undefined for a buyer never scored. */
export async function buyerRiskScore(db: Reader, buyerId: string): Promise<{ score: number; reasons: string } | undefined> {
  return db.selectFrom('buyer_risk').select(['score', 'reasons']).where('buyer_id', '=', buyerId).executeTakeFirst();
}

/** A buyer's whole row (aggregate and last scoring), for aging its score at read time. */
export async function buyerRiskRow(db: Reader, buyerId: string) {
  return db.selectFrom('buyer_risk').selectAll().where('buyer_id', '=', buyerId).executeTakeFirst();
}

/**
 * Buyers by score, highest first, a keyset page at a time (an index walk on
 * buyer_risk_by_score). `after` is the last row of the previous page.
 */
export async function buyerRiskPage(
  db: Reader,
  q: { limit: number; minScore?: number; after?: { score: number; buyerId: string }; label?: AccountLabel | 'none' },
) {
  let query = db
    .selectFrom('buyer_risk')
    .select(['buyer_id', 'score', 'label', 'top_code', 'reasons', 'n_orders', 'n_disputes', 'scored_at'])
    .orderBy('score', 'desc')
    .orderBy('buyer_id', 'desc')
    .limit(Math.max(1, Math.min(500, q.limit)));
  if (q.minScore !== undefined) query = query.where('score', '>=', q.minScore);
  if (q.after) {
    const { score, buyerId } = q.after;
    query = query.where((eb) => eb.or([eb('score', '<', score), eb.and([eb('score', '=', score), eb('buyer_id', '<', buyerId)])]));
  }
  if (q.label === 'none') query = query.where('label', 'is', null);
  else if (q.label) query = query.where('label', '=', q.label);
  return query.execute();
}

/** A case's row in the dispute ledger (risk_disputes), or null when the model never saw it. */
export async function riskDisputeOf(db: Reader, caseId: string): Promise<DisputeFact | null> {
  const row = await db.selectFrom('risk_disputes').selectAll().where('case_id', '=', caseId).executeTakeFirst();
  return row ? disputeFromRow(row) : null;
}
