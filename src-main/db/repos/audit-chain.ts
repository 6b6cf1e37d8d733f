import { headMoved, knownHeads } from './locked-facts';
import { hash } from 'node:crypto';
import { canonicalEventV1, canonicalJsonV1, type ChainedContentV1 } from '../../../migrations/audit-chain-v1';
import { AppFailure } from '../../contract/errors';
import { chunks, insertRows, keysIn, type RowTable } from '../batch';
import { queryRows, textKeysIn, keysParam } from '../compiled';
import { dialectOf, type DialectName } from '../dialect';
import type { WriteTx } from '../tx';

/**
 * The audit chain (migrations/0010_audit_chain): every case event carries its position in
 * the case (`seq`), the previous event's hash and the SHA-256 of its own canonical content
 * (case id, seq, type, actor, at, details, what it bound, the previous hash). Changing,
 * deleting or inserting an event, or a decision / refund row behind the event that created
 * it, breaks the chain where `audit verify` and the start-up check look.
 *
 * Every case event is written through `insertChainedEvents`, inside the transaction that
 * holds the case's row lock, so reading the case's head and appending after it cannot race
 * another writer on PostgreSQL (READ COMMITTED: the head is read after the lock is granted,
 * so it sees the previous holder's committed events); the unique (case_id, seq) index is the
 * backstop that turns a missed lock into an error instead of a fork.
 */

export { canonicalJsonV1 as canonicalJson };

/** What the event created: decisions (by their seq in the case) and the refund as it now stands. */
export interface Bound {
  decisions?: Array<{ seq: number; outcome: string; amountMinor: number; basis: string }>;
  /** Present when the event changed the refund; null when it removed it. */
  refund?: { amountMinor: number; status: string } | null;
}

export interface EventToChain {
  case_id: string;
  at: number;
  actor: string;
  type: string;
  /** JSON text, stored and hashed as is. */
  details: string;
  bound: Bound | null;
}

/** SHA-256 (hex) of one event's canonical content: the same bytes as migrations/audit-chain-v1's backfill. */
export function eventHash(content: ChainedContentV1): string {
  // The one-shot digest: no Hash object per event (three a default, one or more a command).
  return hash('sha256', canonicalEventV1(content), 'hex');
}

/**
 * The serialized details a case event may carry: bigger is refused (issue 14: bound what a
 * caller can make us store). Above what the contract's longest texts (10,000 characters: a
 * decision's or review's reasons, an appeal) serialize to even when every character needs a
 * six-byte JSON escape, so no valid command is refused; far below the 900 KB rows of the issue.
 */
export const MAX_EVENT_DETAILS_BYTES = 64 * 1024;

/**
 * Appends events to their cases' chains, in the order given (events of one case in sequence).
 * `lockCases`: the caller does not already hold the cases' row locks (a refusal logged
 * outside a command), so take them here (PostgreSQL; SQLite's single writer serialises).
 */
export async function insertChainedEvents(tx: WriteTx, events: EventToChain[], opts: { lockCases?: boolean } = {}): Promise<void> {
  if (!events.length) return;
  // Refused before any lock is taken.
  events.forEach(refuseOversizedDetails);
  const caseIds = [...new Set(events.map((e) => e.case_id))].sort();
  if (opts.lockCases && dialectOf(tx) === 'postgres')
    for (const ids of chunks(caseIds, 500))
      await tx.selectFrom('cases').select('id').where('id', 'in', keysIn(tx, ids)).orderBy('id').forUpdate().execute();
  // A head read with the case's lock (locked-facts.ts) needs no second read.
  const heads = knownHeads(tx, caseIds) ?? (await chainHeads(tx, caseIds));
  const rows = events.map((e) => {
    const row = chainedRow(heads.get(e.case_id) ?? { seq: 0, hash: null }, e);
    heads.set(e.case_id, { seq: row.seq, hash: row.hash });
    return row;
  });
  for (const [caseId, head] of heads) headMoved(tx, caseId, head);
  // Precompiled multi-row statements (db/batch.ts): a sweep batch writes thousands of events, and
  // building each as a query-builder tree cost more than SQLite's own work.
  await insertRows(
    tx,
    CASE_EVENTS,
    rows.map((r) => [r.case_id, r.at, r.actor, r.type, r.details, r.seq, r.bound, r.prev_hash, r.hash]),
  );
}

const CASE_EVENTS: RowTable = {
  table: 'case_events',
  columns: ['case_id', 'at', 'actor', 'type', 'details', 'seq', 'bound', 'prev_hash', 'hash'],
};

function refuseOversizedDetails(e: EventToChain): void {
  if (Buffer.byteLength(e.details) > MAX_EVENT_DETAILS_BYTES)
    throw new AppFailure(
      'VALIDATION',
      `The ${e.type.slice(0, 64)} event of case ${e.case_id} would store ${Buffer.byteLength(e.details)} bytes of details; at most ${MAX_EVENT_DETAILS_BYTES} are kept. Shorten the texts and try again.`,
    );
}

/** A chain head: the case's last event (seq, hash), or { seq: 0, hash: null } before its first. */
export interface ChainHead {
  seq: number;
  hash: string | null;
}

/**
 * The case_events row of `e` appended after `head`. The caller holds the case's row lock and
 * read `head` under it (insertChainedEvents; take-next reads it with its pick).
 */
export function chainedRow(head: ChainHead, e: EventToChain) {
  refuseOversizedDetails(e);
  const seq = head.seq + 1;
  const bound = e.bound ? canonicalJsonV1(e.bound) : null;
  const hash = eventHash({ caseId: e.case_id, seq, type: e.type, actor: e.actor, at: e.at, details: e.details, bound, prev: head.hash });
  return { case_id: e.case_id, at: e.at, actor: e.actor, type: e.type, details: e.details, seq, bound, prev_hash: head.hash, hash };
}

/** The last chained event (seq, hash) of each of these cases that has one. */
async function chainHeads(tx: WriteTx, caseIds: string[]): Promise<Map<string, { seq: number; hash: string | null }>> {
  const heads = new Map<string, { seq: number; hash: string | null }>();
  // Precompiled text (db/compiled.ts): the sweep reads its chunk's heads in every transaction,
  // and building this query with kysely cost more than running it.
  const dialect = dialectOf(tx);
  for (const ids of chunks(caseIds, 500)) {
    const rows = await queryRows<{ case_id: string; seq: number; hash: string | null }>(tx, CHAIN_HEADS[dialect], [
      keysParam(dialect, ids),
    ]);
    for (const r of rows) heads.set(r.case_id, { seq: Number(r.seq), hash: r.hash });
  }
  return heads;
}

const chainHeadsText = (dialect: DialectName) =>
  `SELECT e.case_id, e.seq, e.hash FROM case_events AS e WHERE e.case_id IN ${textKeysIn(dialect)}
    AND e.seq = (SELECT max(last.seq) FROM case_events AS last WHERE last.case_id = e.case_id)`;
const CHAIN_HEADS = { sqlite: chainHeadsText('sqlite'), postgres: chainHeadsText('postgres') } as const;
