import { knownFeeds } from './locked-facts';
import { sql } from 'kysely';
import {
  appealDecidedLetter,
  decisionLetter,
  evidenceRequestNotice,
  resolutionsNotice,
  type PartyLetter,
  type PartyLetterCase,
  type ResolutionsFacts,
} from '../../contract/i18n';
import type { Policy } from '../../contract/policy';
import type { Party, Reason } from '../../contract/domain';
import { feedEventsOf, needsLetters, type FeedEvent, type FeedLetters, type LetterContext } from '../../engine/feed-events';
import type { Decision } from '../../engine/state';
import { chunks, insertChunked } from '../batch';
import { dialectOf } from '../dialect';
import { queryRows, textKeysIn, keysParam } from '../compiled';
import type { WriteTx } from '../tx';
import type { CaseChange } from './case-write';
import { currentPolicy } from './policy';

/**
 * The transactional outbox (FEED.md "Events out"; migrations/0008): rows written in the
 * transaction of the change that causes them, so a rolled-back or refused command leaves
 * none and a committed one always has its rows. Only cases a feed imported have rows (the
 * feed that imported them reads them); CLI and demo cases belong to no feed.
 */

/** Arbitrary constant: the advisory lock that orders outbox writers on PostgreSQL. */
const OUTBOX_LOCK = 0x6d64_6f62; // "mdob"

/**
 * On PostgreSQL, identity values are handed out at insert but become visible at commit, so a
 * reader could see seq 12 before seq 11 commits and step past it for good. Writers of outbox
 * rows take one transaction-scoped lock first: rows then commit in seq order, and a cursor
 * never skips one. SQLite has a single writer already.
 */
async function lockOutbox(tx: WriteTx): Promise<void> {
  if (dialectOf(tx) === 'postgres') await sql`SELECT pg_advisory_xact_lock(${OUTBOX_LOCK})`.execute(tx);
}

export async function appendFeedEvents(tx: WriteTx, rows: Array<{ feedId: string; caseId: string; event: FeedEvent }>): Promise<void> {
  if (!rows.length) return;
  await lockOutbox(tx);
  await insertChunked(
    rows.map((r) => ({ feed_id: r.feedId, case_id: r.caseId, type: r.event.type, at: r.event.at, data: JSON.stringify(r.event.data) })),
    (chunk) => tx.insertInto('feed_outbox').values(chunk).execute(),
  );
}

/** feedsOfCases' read (every sweep chunk asks): a precompiled statement (db/compiled.ts). */
const FEEDS_OF = {
  sqlite: `SELECT case_id, feed_id FROM feed_cases WHERE case_id IN ${textKeysIn('sqlite')}`,
  postgres: `SELECT case_id, feed_id FROM feed_cases WHERE case_id IN ${textKeysIn('postgres')}`,
} as const;

/** The feed each case belongs to (cases of no feed are absent). */
export async function feedsOfCases(tx: WriteTx, caseIds: string[]): Promise<Map<string, string>> {
  const owner = new Map<string, string>();
  // Read with the case's lock (locked-facts.ts): no second read.
  const known = knownFeeds(tx, caseIds);
  if (known) {
    for (const [caseId, feedId] of known) if (feedId !== null) owner.set(caseId, feedId);
    return owner;
  }
  const dialect = dialectOf(tx);
  for (const ids of chunks(caseIds, 500))
    for (const r of await queryRows<{ case_id: string; feed_id: string }>(tx, FEEDS_OF[dialect], [keysParam(dialect, ids)]))
      owner.set(r.case_id, r.feed_id);
  return owner;
}

/** Called by saveCaseStates for every accepted change, whoever made it (command, sweep, reassignment). */
export async function writeFeedOutbox(tx: WriteTx, changes: readonly CaseChange[]): Promise<void> {
  if (!changes.length) return;
  const owner = await feedsOfCases(
    tx,
    changes.map((c) => c.next.id),
  );
  if (!owner.size) return;
  const rows: Array<{ feedId: string; caseId: string; event: FeedEvent }> = [];
  for (const { prev, next, effects } of changes) {
    const feedId = owner.get(next.id);
    if (!feedId) continue;
    const writes = needsLetters(effects.events) || effects.events.some((e) => NOTICE_EVENTS.has(e.type));
    const writer = writes ? await partyWriterOf(tx, next.id) : null;
    for (const event of feedEventsOf(prev, next, effects.events, (d, context) => lettersFrom(writer!, d, context)))
      rows.push({ feedId, caseId: next.id, event: writer ? withNotices(writer, event) : event });
  }
  await appendFeedEvents(tx, rows);
}

/** Engine events whose feed event carries a notice to the parties (evidence.requested, resolutions.published). */
const NOTICE_EVENTS = new Set(['evidence.requested', 'proposal.published']);

/** What the desk writes to a case's parties from: the case as letters address it, and the policy in force. */
interface PartyWriter {
  letterCase: PartyLetterCase;
  policy: Policy;
}

const asFeedLetter = (l: PartyLetter) => ({ language: l.language, subject: l.subject, body: l.body });

/**
 * The notices of FEED.md's evidence.requested (`notice`, to the party asked) and
 * resolutions.published (`notices`, to both), in each party's language, rendered by the same
 * catalogue as the decision letters (contract/i18n). The mediator's request is quoted as
 * written and marked as not translated where the party reads another language.
 */
function withNotices(w: PartyWriter, event: FeedEvent): FeedEvent {
  const d = event.data;
  if (event.type === 'evidence.requested') {
    const party: Party = d.party === 'seller' ? 'seller' : 'buyer';
    const notice = evidenceRequestNotice(w.letterCase, party, {
      request: { text: String(d.request) },
      dueAt: String(d.dueAt),
      maxImageBytes: w.policy.maxImageBytes,
      maxVideoBytes: w.policy.maxVideoBytes,
    });
    return { ...event, data: { ...d, notice: asFeedLetter(notice) } };
  }
  if (event.type === 'resolutions.published') {
    const facts = { options: d.options, recommended: d.recommended, replyDueAt: d.replyDueAt } as ResolutionsFacts;
    const notices = {
      buyer: asFeedLetter(resolutionsNotice(w.letterCase, 'buyer', facts)),
      seller: asFeedLetter(resolutionsNotice(w.letterCase, 'seller', facts)),
    };
    return { ...event, data: { ...d, notices } };
  }
  return event;
}

/**
 * The decision letters as the parties receive them, each in its party's language
 * (contract/i18n renders the same text the mediator previewed in the Decide dialog).
 */
function lettersFrom({ letterCase, policy }: PartyWriter, d: Decision, context: LetterContext): FeedLetters {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const facts = {
    outcome: d.outcome,
    amountMinor: d.amountMinor,
    reasons: { text: context.appeal?.reasons ?? d.reasons },
    basis: d.basis,
    appealUntil: iso(d.appealUntil),
    returnDueAt: iso(context.returnDueAt),
    appealWindowHours: policy.appealWindowHours,
    returnShipmentHours: policy.returnShipmentHours,
  };
  const one = (party: Party) =>
    asFeedLetter(
      context.appeal
        ? appealDecidedLetter(letterCase, party, { ...facts, verdict: context.appeal.verdict, appellant: context.appeal.appellant })
        : decisionLetter(letterCase, party, facts),
    );
  return { buyer: one('buyer'), seller: one('seller') };
}

async function partyWriterOf(tx: WriteTx, caseId: string): Promise<PartyWriter> {
  const row = await tx
    .selectFrom('cases as c')
    .innerJoin('orders as o', 'o.id', 'c.order_id')
    .innerJoin('accounts as b', 'b.id', 'c.buyer_id')
    .innerJoin('accounts as s', 's.id', 'c.seller_id')
    .select(['c.id', 'c.reason', 'o.id as order_id', 'o.currency', 'o.total_minor', 'o.item_title', 'o.quantity'])
    .select(['b.name as buyer_name', 'b.country as buyer_country', 'b.language as buyer_language'])
    .select(['s.name as seller_name', 's.country as seller_country', 's.language as seller_language'])
    .where('c.id', '=', caseId)
    .executeTakeFirstOrThrow();
  const { policy } = await currentPolicy(tx);
  const letterCase: PartyLetterCase = {
    id: row.id,
    reason: row.reason as Reason,
    order: {
      id: row.order_id,
      currency: row.currency,
      totalMinor: row.total_minor,
      item: { title: row.item_title, quantity: row.quantity },
    },
    buyer: { name: row.buyer_name, country: row.buyer_country, language: row.buyer_language },
    seller: { name: row.seller_name, country: row.seller_country, language: row.seller_language },
  };
  return { letterCase, policy };
}
