import { partyLanguage } from '../../contract/i18n/languages';
import { toIso } from '../../contract/primitives';
import type { CaseView } from '../../contract/outputs/case';
import type { Db } from '../../db/connect';
import { loadCaseState } from '../../db/repos/case';
import { caseScreenRows, partyCounts } from '../../db/repos/case-reads';
import { deadlineConsequence, deadlinesOf } from '../../engine/deadlines';
import { guidance } from '../../engine/guidance';
import { sellerTrickWarnings } from '../../engine/warnings';
import type { Decision } from '../../engine/state';
import { buyerRisk } from '../risk/buyer-risk';
import { storeMessageLanguages, translationsOf } from '../../db/repos/message-translations';
import { inWriteTx } from '../../db/tx';
import { detectLanguage, type DetectedLanguage } from './message-language';
import { loadEvidenceDetails } from '../evidence/view';

const isoOrNull = (ms: number | null | undefined) => (ms == null ? null : toIso(ms));

const decisionView = (d: Decision) => ({
  outcome: d.outcome,
  amountMinor: d.amountMinor,
  basis: d.basis,
  decidedBy: d.decidedBy,
  decidedAt: toIso(d.decidedAt),
  appealUntil: isoOrNull(d.appealUntil),
  reasons: d.reasons,
  policyVersion: d.policyVersion,
});

type MessageRow = { seq: number; by: string; text: string; language: string | null; language_sure: number | null };
type Party = { language?: string | null; country?: string | null };

/**
 * The language of each party message, as stored (migration 0024). A message not looked at yet
 * (written before 0024, or by an import) is identified once here and the answer kept, so the
 * trigram identifier (~0.15 ms a message) runs once per message, never on every read.
 */
async function messageLanguages(
  db: Db,
  caseId: string,
  messages: MessageRow[],
  parties: { buyer: Party; seller: Party },
): Promise<Map<number, DetectedLanguage | null>> {
  const out = new Map<number, DetectedLanguage | null>();
  const found: Array<{ seq: number; code: string; sure: boolean | null }> = [];
  for (const m of messages) {
    if (m.language !== null) {
      out.set(m.seq, m.language === '' ? null : { code: m.language, sure: m.language_sure !== 0 });
      continue;
    }
    const detected = detectLanguage(m.text, partyLanguage(m.by === 'seller' ? parties.seller : parties.buyer));
    out.set(m.seq, detected);
    found.push({ seq: m.seq, code: detected?.code ?? '', sure: detected ? detected.sure : null });
  }
  if (found.length) {
    // A cache fill, not a change of the case: no event, no notice. If it cannot be written now
    // (the database busy past its retries), the answer is still right and the next read tries again.
    const store = inWriteTx(db, (tx) => storeMessageLanguages(tx, caseId, found));
    // Inside a caller's transaction a failure is the caller's to see (it aborted that transaction).
    await (db.isTransaction ? store : store.catch(() => undefined));
  }
  return out;
}

/**
 * The whole case as the screens and `replay` show it (SCENARIOS.md output shape): every
 * instant an ISO string, every amount integer minor units. Null when the case does not exist.
 */
export async function caseView(db: Db, caseId: string, opts: { events?: boolean } = {}): Promise<CaseView | null> {
  const s = await loadCaseState(db, caseId);
  if (!s) return null;
  const [{ row, order, buyer, seller, negotiation, messages, evidence, events }, risk] = await Promise.all([
    caseScreenRows(db, caseId, { buyerId: s.buyerId, sellerId: s.sellerId }, opts),
    buyerRisk(db, s.buyerId),
  ]);
  const [buyerHistory, sellerHistory, translations, details] = await Promise.all([
    partyCounts(db, 'buyer', s.buyerId),
    partyCounts(db, 'seller', s.sellerId),
    translationsOf(db, caseId),
    loadEvidenceDetails(
      db,
      { caseId, buyerId: s.buyerId, sellerId: s.sellerId, reason: s.reason, placedAt: order.placed_at, deliveredAt: order.delivered_at },
      evidence.map((e) => ({ party: e.party, sha256: e.sha256, mediaType: e.media_type })),
    ),
  ]);
  const languages = await messageLanguages(db, caseId, messages, { buyer, seller });
  const deadlines = deadlinesOf(s);
  const translationByMessage = new Map(translations.map((t) => [t.message_seq, t]));
  return {
    id: s.id,
    version: s.version,
    status: s.status,
    assignee: s.assignee,
    reason: s.reason,
    claim: s.claim,
    description: row.description,
    openedAt: toIso(row.opened_at),
    escalatedAt: toIso(row.escalated_at),
    forcedDecision: s.forcedDecision,
    guidance: guidance(s),
    order: {
      id: order.id,
      placedAt: toIso(order.placed_at),
      shippedAt: isoOrNull(order.shipped_at),
      currency: order.currency,
      itemPriceMinor: order.item_price_minor,
      shippingMinor: order.shipping_minor,
      totalMinor: order.total_minor,
      item: { title: order.item_title, quantity: order.quantity },
      tracking: {
        number: order.tracking_number,
        carrier: order.carrier,
        status: order.delivery_status,
        deliveredAt: isoOrNull(order.delivered_at),
      },
    },
    buyer: {
      id: buyer.id,
      name: buyer.name,
      country: buyer.country,
      language: buyer.language ?? null,
      letterLanguage: partyLanguage(buyer),
      createdAt: isoOrNull(buyer.created_at),
      label: buyer.label,
      labelNote: buyer.label_note,
      history: buyerHistory,
    },
    seller: {
      id: seller.id,
      name: seller.name,
      country: seller.country,
      language: seller.language ?? null,
      letterLanguage: partyLanguage(seller),
      createdAt: isoOrNull(seller.created_at),
      history: sellerHistory,
    },
    negotiation: negotiation.map((n) => ({ at: toIso(n.at), by: n.by, remedy: n.remedy, amountMinor: n.amount_minor, comment: n.comment })),
    negotiationWarnings: sellerTrickWarnings(
      negotiation.map((n) => ({ at: n.at, by: n.by, amountMinor: n.amount_minor, comment: n.comment })),
    ),
    messages: messages.map((m) => {
      const translation = translationByMessage.get(m.seq);
      return {
        at: toIso(m.at),
        by: m.by,
        text: m.text,
        seq: m.seq,
        language: languages.get(m.seq) ?? null,
        translation: translation ? { text: translation.text, by: translation.translated_by, at: toIso(translation.translated_at) } : null,
      };
    }),
    evidence: evidence.map((e) => ({
      party: e.party,
      name: e.name,
      mediaType: e.media_type,
      sizeBytes: e.size_bytes,
      sha256: e.sha256,
      submittedAt: toIso(e.submitted_at),
      requestId: e.request_id,
      note: e.note,
      ...details({ party: e.party, sha256: e.sha256, mediaType: e.media_type }),
    })),
    evidenceRequests: s.evidenceRequests.map((r) => ({
      id: r.id,
      party: r.party,
      request: r.request,
      requestedBy: r.requestedBy,
      requestedAt: toIso(r.requestedAt),
      status: r.status,
      dueAt: toIso(r.dueAt),
      resolvedAt: isoOrNull(r.resolvedAt),
    })),
    proposal: s.proposal && {
      options: s.proposal.options,
      recommended: s.proposal.recommended,
      recommendationReason: s.proposal.recommendationReason,
      proposedBy: s.proposal.proposedBy,
      proposedAt: toIso(s.proposal.proposedAt),
      replyDueAt: toIso(s.proposal.replyDueAt),
      replies: s.proposal.replies,
      overrideNote: s.proposal.overrideNote,
      policyVersion: s.proposal.policyVersion,
    },
    decision: s.decision && decisionView(s.decision),
    previousDecisions: s.supersededDecisions.map(decisionView),
    appeal: s.appeal && {
      party: s.appeal.party,
      grounds: s.appeal.grounds,
      text: s.appeal.text,
      filedAt: toIso(s.appeal.filedAt),
      status: s.appeal.status,
      reviewedBy: s.appeal.reviewedBy,
      reviewedAt: isoOrNull(s.appeal.reviewedAt),
      reasons: s.appeal.reviewReasons,
    },
    refund: s.refund && {
      status: s.refund.status,
      amountMinor: s.refund.amountMinor,
      currency: s.order.currency,
      returnTrackingNumber: s.refund.returnTrackingNumber,
      reference: s.refund.reference ?? null,
      failureReason: s.refund.failureReason ?? null,
    },
    returnDueAt: isoOrNull(s.refund?.returnDueAt),
    deadlines: deadlines.map((d) => ({ key: d.key, kind: d.kind, dueAt: toIso(d.dueAt), whenPassed: deadlineConsequence(d, s) })),
    buyerRisk: risk,
    events: events.map((e) => ({ at: toIso(e.at), actor: e.actor, type: e.type, details: JSON.parse(e.details) as unknown })),
  };
}
