import type { Dispute } from '../../contract/dispute';
import { toMs } from '../../contract/primitives';
import { sql } from 'kysely';
import { insertChunked } from '../batch';
import { insertChainedEvents } from './audit-chain';
import { dialectOf } from '../dialect';
import type { WriteTx } from '../tx';

/**
 * Intake's rows: the feed's disputes written as accounts, links, orders, cases, their
 * negotiation, messages and evidence, and the case's first event. Multi-row inserts sized by
 * insertChunked (the million-case import goes through here); the decisions (what is new,
 * unchanged, refused or replaced) are app/intake/intake.ts's.
 */

/**
 * What is stored of these case ids already: its content hash and state, each case row
 * locked for the importing transaction (PostgreSQL `FOR UPDATE`, in id order), so the
 * status intake decides on cannot change before the batch commits: a claim either
 * committed first (the import sees it and refuses a change) or waits for the import.
 */
export async function lockStoredCases(
  tx: WriteTx,
  ids: string[],
): Promise<Map<string, { id: string; content_hash: string; status: string }>> {
  let query = tx.selectFrom('cases').select(['id', 'content_hash', 'status']).where('id', 'in', ids).orderBy('id');
  if (dialectOf(tx) === 'postgres') query = query.forUpdate();
  return new Map((await query.execute()).map((r) => [r.id, r]));
}

/**
 * Clears what intake wrote for cases (still escalated, locked by lockStoredCases) that it is
 * about to write again: their negotiation, messages and evidence. The case row itself stays
 * and is rewritten in place by insertDisputes, never deleted (its row lock holds throughout).
 */
export async function deleteReplacedCases(tx: WriteTx, ids: string[]): Promise<void> {
  for (const table of ['negotiation', 'messages', 'evidence'] as const) await tx.deleteFrom(table).where('case_id', 'in', ids).execute();
}

const REPLACED_COLUMNS = [
  'order_id',
  'buyer_id',
  'seller_id',
  'reason',
  'claim_remedy',
  'claim_amount_minor',
  'currency',
  'total_minor',
  'description',
  'opened_at',
  'escalated_at',
  'status',
  'assignee_id',
  'forced_decision',
  'evidence_round',
  'policy_version',
  'content_hash',
  'next_due_at',
  'created_at',
  'updated_at',
] as const;

const NO_LABEL = { label: null, label_note: null, labelled_by: null, labelled_at: null };
const lastById = <T>(rows: T[], key: (r: T) => string): T[] => [...new Map(rows.map((r) => [key(r), r])).values()];

/** Writes these disputes as escalated cases (`replace`: one cleared by deleteReplacedCases and rewritten in place, logged as an update). */
export async function insertDisputes(
  tx: WriteTx,
  toWrite: Array<{ d: Dispute; hash: string; replace: boolean }>,
  now: number,
): Promise<void> {
  const accounts = lastById(
    toWrite.flatMap(({ d }) => [
      // Every column spelled out, so insertChunked counts the bound parameters a row really has.
      {
        id: d.buyer.id,
        role: 'buyer',
        name: d.buyer.name,
        country: d.buyer.country,
        language: d.buyer.language ?? null,
        created_at: d.buyer.createdAt ? toMs(d.buyer.createdAt) : null,
        ...NO_LABEL,
      },
      {
        id: d.seller.id,
        role: 'seller',
        name: d.seller.name,
        country: d.seller.country,
        language: d.seller.language ?? null,
        created_at: d.seller.createdAt ? toMs(d.seller.createdAt) : null,
        ...NO_LABEL,
      },
    ]),
    (a) => a.id,
  );
  await insertChunked(accounts, (chunk) =>
    tx
      .insertInto('accounts')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          country: eb.ref('excluded.country'),
          language: eb.ref('excluded.language'),
          created_at: eb.ref('excluded.created_at'),
        })),
      )
      .execute(),
  );

  const links = lastById(
    toWrite.flatMap(({ d }) =>
      [d.buyer, d.seller].flatMap((acc) =>
        (['device', 'address', 'payment'] as const).flatMap((kind) =>
          (acc.links?.[kind] ?? []).map((value) => ({ account_id: acc.id, kind, value })),
        ),
      ),
    ),
    (l) => `${l.account_id}\u0000${l.kind}\u0000${l.value}`,
  );
  await insertChunked(links, (chunk) =>
    tx
      .insertInto('account_links')
      .values(chunk)
      .onConflict((oc) => oc.doNothing())
      .execute(),
  );

  const orders = lastById(
    toWrite.map(({ d }) => ({
      id: d.order.id,
      buyer_id: d.buyer.id,
      seller_id: d.seller.id,
      placed_at: toMs(d.order.placedAt),
      shipped_at: d.order.shippedAt ? toMs(d.order.shippedAt) : null,
      currency: d.order.currency,
      item_title: d.order.item.title,
      quantity: d.order.item.quantity,
      item_price_minor: d.order.itemPriceMinor,
      shipping_minor: d.order.shippingMinor,
      total_minor: d.order.totalMinor,
      tracking_number: d.order.tracking.number ?? null,
      carrier: d.order.tracking.carrier ?? null,
      delivery_status: d.order.tracking.status,
      delivered_at: d.order.tracking.deliveredAt ? toMs(d.order.tracking.deliveredAt) : null,
    })),
    (o) => o.id,
  );
  await insertChunked(orders, (chunk) =>
    tx
      .insertInto('orders')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          buyer_id: eb.ref('excluded.buyer_id'),
          seller_id: eb.ref('excluded.seller_id'),
          placed_at: eb.ref('excluded.placed_at'),
          shipped_at: eb.ref('excluded.shipped_at'),
          currency: eb.ref('excluded.currency'),
          item_title: eb.ref('excluded.item_title'),
          quantity: eb.ref('excluded.quantity'),
          item_price_minor: eb.ref('excluded.item_price_minor'),
          shipping_minor: eb.ref('excluded.shipping_minor'),
          total_minor: eb.ref('excluded.total_minor'),
          tracking_number: eb.ref('excluded.tracking_number'),
          carrier: eb.ref('excluded.carrier'),
          delivery_status: eb.ref('excluded.delivery_status'),
          delivered_at: eb.ref('excluded.delivered_at'),
        })),
      )
      .execute(),
  );

  const caseRow = ({ d, hash }: { d: Dispute; hash: string }) => ({
    id: d.id,
    order_id: d.order.id,
    buyer_id: d.buyer.id,
    seller_id: d.seller.id,
    reason: d.reason,
    claim_remedy: d.claim.remedy,
    claim_amount_minor: d.claim.amountMinor,
    currency: d.order.currency,
    total_minor: d.order.totalMinor,
    description: d.description,
    opened_at: toMs(d.openedAt),
    escalated_at: toMs(d.escalatedAt),
    status: 'escalated',
    assignee_id: null,
    forced_decision: 0,
    evidence_round: 0,
    policy_version: null,
    content_hash: hash,
    next_due_at: null,
    version: 0,
    created_at: now,
    updated_at: now,
  });
  await insertChunked(toWrite.filter((w) => !w.replace).map(caseRow), (chunk) => tx.insertInto('cases').values(chunk).execute());
  // A replaced case keeps its row: every column rewritten, its version moved on (a writer that
  // read the old content cannot save over the new).
  await insertChunked(toWrite.filter((w) => w.replace).map(caseRow), (chunk) =>
    tx
      .insertInto('cases')
      .values(chunk)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          ...Object.fromEntries(REPLACED_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
          version: sql<number>`cases.version + 1`,
        })),
      )
      .execute(),
  );

  await insertChunked(
    toWrite.flatMap(({ d }) =>
      d.negotiation.map((n, i) => ({
        case_id: d.id,
        seq: i + 1,
        at: toMs(n.at),
        by: n.by,
        remedy: n.remedy,
        amount_minor: n.amountMinor,
        comment: n.comment,
      })),
    ),
    (chunk) => tx.insertInto('negotiation').values(chunk).execute(),
  );
  await insertChunked(
    toWrite.flatMap(({ d }) => d.messages.map((m, i) => ({ case_id: d.id, seq: i + 1, at: toMs(m.at), by: m.by, text: m.text }))),
    (chunk) => tx.insertInto('messages').values(chunk).execute(),
  );
  await insertChunked(
    toWrite.flatMap(({ d }) =>
      d.evidence.map((e, i) => ({
        case_id: d.id,
        seq: i + 1,
        party: e.party,
        name: e.name,
        media_type: e.mediaType,
        size_bytes: e.sizeBytes,
        sha256: e.sha256,
        submitted_at: toMs(e.submittedAt),
        request_id: null,
        note: null,
      })),
    ),
    (chunk) => tx.insertInto('evidence').values(chunk).execute(),
  );
  // The cases were just inserted or upserted by this transaction, so their rows are already locked.
  await insertChainedEvents(
    tx,
    toWrite.map(({ d, replace }) => ({
      case_id: d.id,
      at: now,
      actor: 'intake',
      type: replace ? 'case.updated_by_intake' : 'case.escalated',
      details: JSON.stringify({ escalatedAt: d.escalatedAt, reason: d.reason, claim: d.claim }),
      bound: null,
    })),
  );
}
