import type { Dispute } from '../../contract/dispute';
import { toMs } from '../../contract/primitives';
import { insertRows, type RowTable } from '../batch';
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
  'buyer_score',
] as const;

const updateFromExcluded = (cols: readonly string[]) => cols.map((c) => `"${c}" = excluded."${c}"`).join(', ');

const ORDER_COLUMNS = [
  'id',
  'buyer_id',
  'seller_id',
  'placed_at',
  'shipped_at',
  'currency',
  'item_title',
  'quantity',
  'item_price_minor',
  'shipping_minor',
  'total_minor',
  'tracking_number',
  'carrier',
  'delivery_status',
  'delivered_at',
] as const;

/** The account columns a dispute reports (replaced by the latest report) and its order history (kept when not reported). */
const ACCOUNT_REPORTED = ['name', 'country', 'language', 'created_at'] as const;
const ACCOUNT_HISTORY = ['orders_placed', 'orders_delivered', 'orders_since'] as const;

/** The rows intake writes, one table each, with their columns in value order. */
export const INTAKE_TABLES = {
  accounts: {
    table: 'accounts',
    columns: [
      'id',
      'role',
      'name',
      'country',
      'language',
      'created_at',
      'label',
      'label_note',
      'labelled_by',
      'labelled_at',
      'orders_placed',
      'orders_delivered',
      'orders_since',
    ],
    // A dispute without an order history keeps the one reported before (the latest report wins).
    // A row that would come out identical is not written at all: a seller is named again by
    // every batch that has one of its orders, and ~44 % of the account rows of a first import
    // were rewrites of the row already stored (a page written, and logged, for nothing).
    conflict: `ON CONFLICT ("id") DO UPDATE SET ${updateFromExcluded(ACCOUNT_REPORTED)}, ${ACCOUNT_HISTORY.map(
      (c) => `"${c}" = coalesce(excluded."${c}", accounts."${c}")`,
    ).join(', ')} WHERE ${[
      ...ACCOUNT_REPORTED.map((c) => `accounts."${c}" IS DISTINCT FROM excluded."${c}"`),
      ...ACCOUNT_HISTORY.map((c) => `accounts."${c}" IS DISTINCT FROM coalesce(excluded."${c}", accounts."${c}")`),
    ].join(' OR ')}`,
  },
  account_links: { table: 'account_links', columns: ['account_id', 'kind', 'value'], conflict: 'ON CONFLICT DO NOTHING' },
  orders: {
    table: 'orders',
    columns: ORDER_COLUMNS,
    conflict: `ON CONFLICT ("id") DO UPDATE SET ${updateFromExcluded(ORDER_COLUMNS.slice(1))}`,
  },
  cases: { table: 'cases', columns: ['id', ...REPLACED_COLUMNS, 'version'] },
  // A replaced case keeps its row: every column rewritten, its version moved on (a writer that
  // read the old content cannot save over the new).
  casesReplaced: {
    table: 'cases',
    columns: ['id', ...REPLACED_COLUMNS, 'version'],
    conflict: `ON CONFLICT ("id") DO UPDATE SET ${updateFromExcluded(REPLACED_COLUMNS)}, "version" = cases."version" + 1`,
  },
  negotiation: { table: 'negotiation', columns: ['case_id', 'seq', 'at', 'by', 'remedy', 'amount_minor', 'comment'] },
  messages: { table: 'messages', columns: ['case_id', 'seq', 'at', 'by', 'text'] },
  evidence: {
    table: 'evidence',
    columns: ['case_id', 'seq', 'party', 'name', 'media_type', 'size_bytes', 'sha256', 'submitted_at', 'request_id', 'note'],
  },
} satisfies Record<string, RowTable>;

const ms = (iso: string | null | undefined): number | null => (iso ? toMs(iso) : null);

/**
 * Intake's rows of these disputes, table by table, each row its values in INTAKE_TABLES' column
 * order; a case row's buyer_score is -1 (not scored) until insertDisputeCases sets it.
 */
export function intakeRows(toWrite: Array<{ d: Dispute; hash: string; replace: boolean }>, now: number) {
  const accounts = new Map<string, unknown[]>();
  const links = new Map<string, unknown[]>();
  const orders = new Map<string, unknown[]>();
  const cases: unknown[][] = [];
  const casesReplaced: unknown[][] = [];
  const negotiation: unknown[][] = [];
  const messages: unknown[][] = [];
  const evidence: unknown[][] = [];
  // The last occurrence of an account or order wins, in the place of its first (as a map keeps it).
  const put = (m: Map<string, unknown[]>, key: string, row: unknown[]) => m.set(key, row);
  for (const { d, hash, replace } of toWrite) {
    for (const [acc, role] of [
      [d.buyer, 'buyer'],
      [d.seller, 'seller'],
    ] as const) {
      const h = 'orderHistory' in acc ? acc.orderHistory : undefined;
      // An account named twice in one batch without a history keeps the history of its earlier row.
      const kept = (accounts.get(acc.id)?.slice(10) as [number | null, number | null, number | null] | undefined) ?? [null, null, null];
      const history = h ? [h.placed, h.delivered, ms(h.since)] : kept;
      put(accounts, acc.id, [
        acc.id,
        role,
        acc.name,
        acc.country,
        acc.language ?? null,
        ms(acc.createdAt),
        null,
        null,
        null,
        null,
        ...history,
      ]);
      for (const kind of ['device', 'address', 'payment'] as const)
        for (const value of acc.links?.[kind] ?? []) put(links, `${acc.id}\u0000${kind}\u0000${value}`, [acc.id, kind, value]);
    }
    const o = d.order;
    put(orders, o.id, [
      o.id,
      d.buyer.id,
      d.seller.id,
      toMs(o.placedAt),
      ms(o.shippedAt),
      o.currency,
      o.item.title,
      o.item.quantity,
      o.itemPriceMinor,
      o.shippingMinor,
      o.totalMinor,
      o.tracking.number ?? null,
      o.tracking.carrier ?? null,
      o.tracking.status,
      ms(o.tracking.deliveredAt),
    ]);
    // prettier-ignore
    (replace ? casesReplaced : cases).push([
      d.id, o.id, d.buyer.id, d.seller.id, d.reason, d.claim.remedy, d.claim.amountMinor, o.currency, o.totalMinor,
      d.description, toMs(d.openedAt), toMs(d.escalatedAt), 'escalated', null, 0, 0, null, hash, null, now, now,
      -1, 0,
    ]);
    d.negotiation.forEach((n, i) => negotiation.push([d.id, i + 1, toMs(n.at), n.by, n.remedy, n.amountMinor, n.comment]));
    d.messages.forEach((m, i) => messages.push([d.id, i + 1, toMs(m.at), m.by, m.text]));
    d.evidence.forEach((e, i) =>
      evidence.push([d.id, i + 1, e.party, e.name, e.mediaType, e.sizeBytes, e.sha256, toMs(e.submittedAt), null, null]),
    );
  }
  return {
    accounts: [...accounts.values()],
    account_links: [...links.values()],
    orders: [...orders.values()],
    cases,
    casesReplaced,
    negotiation,
    messages,
    evidence,
  } satisfies Record<keyof typeof INTAKE_TABLES, unknown[][]>;
}

export type IntakeRows = ReturnType<typeof intakeRows>;
const BUYER_AT = INTAKE_TABLES.cases.columns.indexOf('buyer_id');
const SCORE_AT = INTAKE_TABLES.cases.columns.indexOf('buyer_score');

type Parents = 'accounts' | 'account_links' | 'orders';
const PARENTS: Parents[] = ['accounts', 'account_links', 'orders'];
const CASE_TABLES = (Object.keys(INTAKE_TABLES) as Array<keyof typeof INTAKE_TABLES>).filter(
  (t): t is Exclude<keyof typeof INTAKE_TABLES, Parents> => !(PARENTS as string[]).includes(t),
);

/**
 * Intake's first write: the disputes' accounts, their links and orders (what the buyer score's
 * update reads), before the score. writeDisputeCases writes the rest after it.
 */
export async function insertDisputeParents(tx: WriteTx, rows: IntakeRows): Promise<void> {
  for (const name of PARENTS) await insertRows(tx, INTAKE_TABLES[name], rows[name]);
}

/**
 * Writes these disputes as escalated cases (`replace`: one cleared by deleteReplacedCases and
 * rewritten in place, logged as an update), after insertDisputeParents and the buyer score's
 * update: each case row is written once, with its buyer's new score (`scores`).
 */
export async function insertDisputeCases(
  tx: WriteTx,
  toWrite: Array<{ d: Dispute; hash: string; replace: boolean }>,
  rows: IntakeRows,
  now: number,
  scores: ReadonlyMap<string, number>,
): Promise<void> {
  for (const row of [...rows.cases, ...rows.casesReplaced]) row[SCORE_AT] = scores.get(row[BUYER_AT] as string) ?? -1;
  // Cases before their children (foreign keys): cases, then negotiation, messages, evidence.
  for (const name of CASE_TABLES) await insertRows(tx, INTAKE_TABLES[name], rows[name]);
  // The case events go through the audit chain (each carries its case's previous hash); the
  // cases were just inserted or upserted by this transaction, so their rows are already locked.
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
