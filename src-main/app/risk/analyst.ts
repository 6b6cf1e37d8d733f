import type { AccountLabel } from '../../contract/domain';
import { AppFailure } from '../../contract/errors';
import type { BuyerDetailView, BuyerRiskListView } from '../../contract/views';
import {
  accountById,
  accountNamesOf,
  accountsSharingLink,
  casesOfBuyer,
  decisionOutcomesOf,
  labelHistoryOf,
  linkedAccountsOf,
  linksOfAccount,
  riskScoresOf,
} from '../../db/repos/risk/analyst';
import type { Reader } from '../../db/tx';
import { RISK_MODEL } from '../../engine/risk/model';
import { buyerRisk, listBuyerRisks } from './buyer-risk';

/** A link value shared by more accounts than this says nothing about the buyer (a shared office, a carrier depot). */
/** The model's own limit (engine/risk/model.ts linkCap): the page shows the links the score counts. */
const LINK_CAP = RISK_MODEL.linkCap;
const MAX_CASES = 200;

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(Number(ms)).toISOString());

/** The analysts' list: buyers by score, keyset-paged on (score desc, buyer id). */
export async function riskList(
  db: Reader,
  q: {
    limit: number;
    after?: { score: number; buyerId: string } | undefined;
    minScore?: number | undefined;
    label?: AccountLabel | 'none' | undefined;
  },
): Promise<BuyerRiskListView> {
  const rows = await listBuyerRisks(db, {
    limit: q.limit + 1,
    ...(q.after ? { after: q.after } : {}),
    ...(q.minScore !== undefined ? { minScore: q.minScore } : {}),
    ...(q.label ? { label: q.label } : {}),
  });
  const page = rows.slice(0, q.limit);
  const ids = page.map((r) => r.buyerId);
  const accounts = await accountNamesOf(db, ids);
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      buyerId: r.buyerId,
      name: byId.get(r.buyerId)?.name ?? r.buyerId,
      country: byId.get(r.buyerId)?.country ?? '',
      score: r.score,
      label: r.label,
      topReason: r.reasons[0] && r.reasons[0].weight > 0 ? r.reasons[0].text : null,
      reasons: r.reasons.map((x) => x.text),
      orders: r.orders,
      disputes: r.disputes,
      scoredAt: iso(r.scoredAt)!,
    })),
    nextCursor: rows.length > q.limit && last ? { score: last.score, buyerId: last.buyerId } : null,
  };
}

/** One buyer for the analysts' page (its score aged to `now`: see buyerRisk): score and reasons, label history, cases, linked accounts. */
export async function riskGet(db: Reader, buyerId: string, now?: number): Promise<BuyerDetailView> {
  const acc = await accountById(db, buyerId);
  if (!acc || acc.role !== 'buyer') throw new AppFailure('NOT_FOUND', `There is no buyer account ${buyerId}.`);
  const risk = await buyerRisk(db, buyerId, now);
  const history = await labelHistoryOf(db, buyerId);
  const cases = await casesOfBuyer(db, buyerId, MAX_CASES);
  const caseIds = cases.map((c) => c.id);
  const decisions = await decisionOutcomesOf(db, caseIds);
  const outcomeOf = new Map<string, string>();
  for (const d of decisions) outcomeOf.set(d.case_id, d.outcome); // the latest seq wins

  // Linked accounts: others sharing one of this buyer's device / address / payment values.
  const links = await linksOfAccount(db, buyerId);
  const linked = new Map<string, Array<{ kind: string; value: string }>>();
  for (const l of links) {
    const members = await accountsSharingLink(db, l.kind, l.value, LINK_CAP + 1);
    if (members.length > LINK_CAP) continue;
    for (const m of members) {
      if (m.account_id === buyerId) continue;
      const via = linked.get(m.account_id) ?? [];
      via.push({ kind: l.kind, value: l.value });
      linked.set(m.account_id, via);
    }
  }
  const linkedIds = [...linked.keys()].sort();
  const linkedAccounts = await linkedAccountsOf(db, linkedIds);
  const linkedRisk = await riskScoresOf(db, linkedIds);
  const accById = new Map(linkedAccounts.map((a) => [a.id, a]));
  const scoreById = new Map(linkedRisk.map((r) => [r.buyer_id, Number(r.score)]));

  return {
    buyer: {
      id: acc.id,
      name: acc.name,
      country: acc.country,
      createdAt: iso(acc.created_at),
      label: (acc.label as AccountLabel | null) ?? null,
      labelNote: acc.label_note,
      labelledBy: acc.labelled_by,
      labelledAt: iso(acc.labelled_at),
    },
    risk: { score: risk.score, reasons: risk.reasons, details: risk.details },
    labelHistory: history.map((h) => ({ label: h.label, note: h.note, by: h.labelled_by, at: iso(h.labelled_at)! })),
    cases: cases.map((c) => ({
      id: c.id,
      reason: c.reason,
      status: c.status,
      claimAmountMinor: Number(c.claim_amount_minor),
      currency: c.currency,
      outcome: outcomeOf.get(c.id) ?? null,
      openedAt: iso(c.opened_at)!,
    })),
    // Riskiest first: the graph draws the first dozen of up to LINK_CAP − 1.
    linked: linkedIds
      .map((id) => ({
        accountId: id,
        name: accById.get(id)?.name ?? id,
        country: accById.get(id)?.country ?? '',
        score: scoreById.get(id) ?? null,
        label: (accById.get(id)?.label as AccountLabel | null) ?? null,
        via: linked.get(id)!,
      }))
      .sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || (a.accountId < b.accountId ? -1 : 1)),
    linkGroupLimit: LINK_CAP,
  };
}
