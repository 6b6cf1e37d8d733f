import type { DisputeInput } from '../../contract/dispute';
import { toIso } from '../../contract/primitives';
import type { Db } from '../../db/connect';
import { disputeRowsOf } from '../../db/repos/dispute-export';

const MAX_IDS = 500;
const isoOrNull = (ms: number | null) => (ms === null ? null : toIso(ms));

/**
 * The intake `Dispute` of each case, rebuilt from its rows (order, both accounts and their
 * links, the negotiation, the messages and the evidence submitted before escalation), so a
 * replay can start a case from where the marketplace feed started it. Evidence added on a
 * mediator's request is not part of it: the replay's logged `party.submitEvidence` adds it.
 * Ids that do not exist are absent from the map.
 */
export async function exportDisputes(db: Db, caseIds: string[]): Promise<Map<string, DisputeInput>> {
  const out = new Map<string, DisputeInput>();
  const unique = [...new Set(caseIds)];
  for (let i = 0; i < unique.length; i += MAX_IDS) await exportChunk(db, unique.slice(i, i + MAX_IDS), out);
  return out;
}

async function exportChunk(db: Db, ids: string[], out: Map<string, DisputeInput>): Promise<void> {
  const rows = await disputeRowsOf(db, ids);
  if (!rows) return;
  const { cases, accounts, links, negotiation, messages, evidence } = rows;
  const accountOf = new Map(accounts.map((a) => [a.id, a]));
  const linksOf = new Map<string, { device: string[]; address: string[]; payment: string[] }>();
  for (const l of links) {
    let entry = linksOf.get(l.account_id);
    if (!entry) linksOf.set(l.account_id, (entry = { device: [], address: [], payment: [] }));
    if (l.kind === 'device' || l.kind === 'address' || l.kind === 'payment') entry[l.kind].push(l.value);
  }
  const byCase = <T extends { case_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const list = m.get(r.case_id);
      if (list) list.push(r);
      else m.set(r.case_id, [r]);
    }
    return m;
  };
  const negotiationOf = byCase(negotiation);
  const messagesOf = byCase(messages);
  const evidenceOf = byCase(evidence);
  const party = (id: string) => {
    const a = accountOf.get(id)!;
    return {
      id: a.id,
      name: a.name,
      country: a.country,
      ...(a.language ? { language: a.language } : {}),
      ...(a.created_at !== null ? { createdAt: toIso(a.created_at) } : {}),
      // An account without links came in without them: leave the member out, as the feed did.
      ...(linksOf.has(a.id) ? { links: linksOf.get(a.id)! } : {}),
    };
  };
  for (const c of cases) {
    out.set(c.id, {
      id: c.id,
      openedAt: toIso(c.opened_at),
      escalatedAt: toIso(c.escalated_at),
      reason: c.reason as DisputeInput['reason'],
      claim: { remedy: c.claim_remedy as DisputeInput['claim']['remedy'], amountMinor: c.claim_amount_minor },
      description: c.description,
      order: {
        id: c.order_id,
        placedAt: toIso(c.placed_at),
        shippedAt: isoOrNull(c.shipped_at),
        currency: c.currency,
        itemPriceMinor: c.item_price_minor,
        shippingMinor: c.shipping_minor,
        totalMinor: c.total_minor,
        item: { title: c.item_title, quantity: c.quantity },
        tracking: {
          number: c.tracking_number,
          carrier: c.carrier,
          status: c.delivery_status as DisputeInput['order']['tracking']['status'],
          deliveredAt: isoOrNull(c.delivered_at),
        },
      },
      buyer: party(c.buyer_id),
      seller: party(c.seller_id),
      negotiation: (negotiationOf.get(c.id) ?? []).map((n) => ({
        at: toIso(n.at),
        by: n.by as 'buyer' | 'seller',
        remedy: n.remedy as 'refund_only' | 'return_and_refund',
        amountMinor: n.amount_minor,
        comment: n.comment,
      })),
      messages: (messagesOf.get(c.id) ?? []).map((m) => ({ at: toIso(m.at), by: m.by as 'buyer' | 'seller', text: m.text })),
      evidence: (evidenceOf.get(c.id) ?? []).map((e) => ({
        party: e.party as 'buyer' | 'seller',
        name: e.name,
        mediaType: e.media_type,
        sizeBytes: e.size_bytes,
        sha256: e.sha256,
        submittedAt: toIso(e.submitted_at),
      })),
    });
  }
}
