import { createHash } from 'node:crypto';
import type { Dispute } from '../../contract/dispute';
import { toMs } from '../../contract/primitives';
import type { Db } from '../../db/connect';
import { recordImportedDisputesRisk, riskBeforeImport } from '../risk/buyer-risk';
import { insertChunked } from '../../db/batch';
import type { IntakeOutcome } from './outcome';

export type { IntakeOutcome } from './outcome';

/** A stable fingerprint of a dispute's content: key order and whitespace do not matter. */
export function contentHash(d: Dispute): string {
  return createHash('sha256').update(canonicalJson(d)).digest('hex');
}

/**
 * The canonical text: JSON with every object's keys in sorted order and undefined members
 * left out. Fast path: a copy of the value with its keys inserted in sorted order, written by
 * the native JSON.stringify (a million-dispute import hashes every record). Whatever the copy
 * could render differently from `canonicalJsonReference` (integer-like or `__proto__` keys,
 * functions, symbols, undefined or missing array items, objects other than plain ones) takes
 * the reference path, so stored hashes never change.
 */
function canonicalJson(v: unknown): string {
  const copy = sortedCopy(v);
  return copy === UNUSUAL ? canonicalJsonReference(v) : JSON.stringify(copy);
}

const UNUSUAL = Symbol('unusual');
function sortedCopy(v: unknown): unknown {
  if (v === null) return v;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'object':
      break;
    default:
      return UNUSUAL;
  }
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return UNUSUAL;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return UNUSUAL;
      const c = sortedCopy(v[i]);
      if (c === UNUSUAL || c === undefined) return UNUSUAL;
      out[i] = c;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return UNUSUAL;
  const keys = Object.keys(v as object).sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const c0 = k.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || k === '__proto__') return UNUSUAL;
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    const c = sortedCopy(x);
    if (c === UNUSUAL) return UNUSUAL;
    out[k] = c;
  }
  return out;
}

/** The definition of the canonical text (the hashes already stored were made with it). */
function canonicalJsonReference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJsonReference).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJsonReference((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const NO_LABEL = { label: null, label_note: null, labelled_by: null, labelled_at: null };
const lastById = <T>(rows: T[], key: (r: T) => string): T[] => [...new Map(rows.map((r) => [key(r), r])).values()];

/**
 * Imports validated disputes in ONE transaction (the caller opens it): identical content is
 * a no-op, changed content replaces a case still `escalated`, and is refused (DUPLICATE)
 * once the case has moved on. Ids must be unique within one call.
 */
export interface ImportHooks {
  /** Writes that belong to the batch's transaction, after its rows and before the buyer score (e.g. the evidence files' rows). */
  beforeRisk?: (tx: Db, outcomes: IntakeOutcome[]) => Promise<void>;
}

export async function importDisputes(tx: Db, disputes: Dispute[], now: number, hooks: ImportHooks = {}): Promise<IntakeOutcome[]> {
  if (!disputes.length) return [];
  const riskBefore = await riskBeforeImport(tx, disputes); // the buyer score takes back what a rewrite replaces
  const hashes = disputes.map(contentHash);
  const existing = new Map(
    (
      await tx
        .selectFrom('cases')
        .select(['id', 'content_hash', 'status'])
        .where(
          'id',
          'in',
          disputes.map((d) => d.id),
        )
        .execute()
    ).map((r) => [r.id, r]),
  );
  const outcomes: IntakeOutcome[] = [];
  const toWrite: Array<{ d: Dispute; hash: string; replace: boolean }> = [];
  disputes.forEach((d, i) => {
    const old = existing.get(d.id);
    const hash = hashes[i]!;
    if (!old) {
      outcomes.push({ id: d.id, result: 'created' });
      toWrite.push({ d, hash, replace: false });
    } else if (old.content_hash === hash) outcomes.push({ id: d.id, result: 'unchanged' });
    else if (old.status !== 'escalated')
      outcomes.push({
        id: d.id,
        result: 'refused',
        code: 'DUPLICATE',
        message: `Case ${d.id} was already imported with different content and is now ${old.status}; it can no longer be replaced by the feed.`,
      });
    else {
      outcomes.push({ id: d.id, result: 'updated' });
      toWrite.push({ d, hash, replace: true });
    }
  });
  if (!toWrite.length) return outcomes;

  const replaced = toWrite.filter((w) => w.replace).map((w) => w.d.id);
  if (replaced.length) {
    for (const table of ['negotiation', 'messages', 'evidence'] as const)
      await tx.deleteFrom(table).where('case_id', 'in', replaced).execute();
    await tx.deleteFrom('cases').where('id', 'in', replaced).execute();
  }

  const accounts = lastById(
    toWrite.flatMap(({ d }) => [
      // Every column spelled out, so insertChunked counts the bound parameters a row really has.
      {
        id: d.buyer.id,
        role: 'buyer',
        name: d.buyer.name,
        country: d.buyer.country,
        created_at: d.buyer.createdAt ? toMs(d.buyer.createdAt) : null,
        ...NO_LABEL,
      },
      {
        id: d.seller.id,
        role: 'seller',
        name: d.seller.name,
        country: d.seller.country,
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

  await insertChunked(
    toWrite.map(({ d, hash }) => ({
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
    })),
    (chunk) => tx.insertInto('cases').values(chunk).execute(),
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
  await insertChunked(
    toWrite.map(({ d, replace }) => ({
      case_id: d.id,
      at: now,
      actor: 'intake',
      type: replace ? 'case.updated_by_intake' : 'case.escalated',
      details: JSON.stringify({ escalatedAt: d.escalatedAt, reason: d.reason, claim: d.claim }),
    })),
    (chunk) => tx.insertInto('case_events').values(chunk).execute(),
  );
  if (hooks.beforeRisk) await hooks.beforeRisk(tx, outcomes);
  // The buyer fraud-pattern score moves with the batch, in the same transaction.
  await recordImportedDisputesRisk(tx, disputes, outcomes, now, riskBefore);
  return outcomes;
}
