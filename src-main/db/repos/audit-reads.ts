import { chunks } from '../batch';
import { dialectOf } from '../dialect';
import type { Reader, WriteTx } from '../tx';

/** Reads for the audit chain's checks (app/audit): pages in chain order, what the events bound, the verified watermark. */

export interface ChainRow {
  id: number;
  case_id: string;
  seq: number | null;
  at: number;
  actor: string;
  type: string;
  details: string;
  bound: string | null;
  prev_hash: string | null;
  hash: string | null;
}

const columns = ['id', 'case_id', 'seq', 'at', 'actor', 'type', 'details', 'bound', 'prev_hash', 'hash'] as const;

const asRow = (r: ChainRow): ChainRow => ({ ...r, id: Number(r.id), seq: r.seq === null ? null : Number(r.seq), at: Number(r.at) });

/**
 * One page of chained events in chain order (case, then seq) after the given position:
 * keyset paging on the unique (case_id, seq) index, so a walk over a million events holds
 * one page at a time. Rows without a seq are `unchainedEvents`'.
 */
export async function chainPage(
  db: Reader,
  after: { caseId: string; seq: number } | null,
  limit: number,
  onlyCases?: string[],
): Promise<ChainRow[]> {
  let q = db.selectFrom('case_events').select(columns).where('seq', 'is not', null);
  if (onlyCases) q = q.where('case_id', 'in', onlyCases);
  if (after) {
    const a = after;
    q = q.where((eb) => eb.or([eb('case_id', '>', a.caseId), eb.and([eb('case_id', '=', a.caseId), eb('seq', '>', a.seq)])]));
  }
  const rows = await q.orderBy('case_id').orderBy('seq').limit(limit).execute();
  return rows.map(asRow);
}

/**
 * Events written around the chain (no seq: inserted by hand), counted per case. With
 * `onlyCases` (the start-up check's touched cases) a lookup on the (case_id, seq) index per
 * case instead of a scan of every event: a restart at a million events stays fast.
 */
export async function unchainedEvents(db: Reader, onlyCases?: string[]): Promise<Array<{ caseId: string; count: number }>> {
  const out: Array<{ caseId: string; count: number }> = [];
  for (const ids of onlyCases ? chunks([...new Set(onlyCases)].sort(), 500) : [undefined]) {
    let q = db
      .selectFrom('case_events')
      .select(['case_id', (eb) => eb.fn.countAll().as('n')])
      .where('seq', 'is', null);
    if (ids) q = q.where('case_id', 'in', ids);
    const rows = await q.groupBy('case_id').orderBy('case_id').execute();
    for (const r of rows) out.push({ caseId: r.case_id, count: Number(r.n) });
  }
  return out;
}

/**
 * Reads that must see one moment (a page of events and the decisions/refunds of its cases:
 * a decision committed between the two reads would otherwise look forged). PostgreSQL:
 * a REPEATABLE READ transaction; SQLite: a read transaction (one snapshot in WAL mode).
 */
export function inReadSnapshot<T>(db: Reader, work: (snapshot: Reader) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  const tx = db.transaction();
  // SQLite: read only, so it stays a deferred transaction (db/connect.ts ImmediateSqliteDialect).
  return (dialectOf(db) === 'postgres' ? tx.setIsolationLevel('repeatable read') : tx.setAccessMode('read only')).execute((t) => work(t));
}

export interface CaseMoney {
  decisions: Array<{ seq: number; outcome: string; amountMinor: number; basis: string }>;
  refund: { amountMinor: number; status: string } | null;
}

/** The decision rows and current refund of these cases, as the chain binds them. */
export async function moneyOfCases(db: Reader, caseIds: string[]): Promise<Map<string, CaseMoney>> {
  const out = new Map<string, CaseMoney>(caseIds.map((id) => [id, { decisions: [], refund: null }]));
  for (const ids of chunks(caseIds, 500)) {
    const decisions = await db
      .selectFrom('decisions')
      .select(['case_id', 'seq', 'outcome', 'amount_minor', 'basis'])
      .where('case_id', 'in', ids)
      .orderBy('case_id')
      .orderBy('seq')
      .execute();
    for (const d of decisions)
      out.get(d.case_id)!.decisions.push({ seq: Number(d.seq), outcome: d.outcome, amountMinor: Number(d.amount_minor), basis: d.basis });
    for (const r of await db.selectFrom('refunds').select(['case_id', 'amount_minor', 'status']).where('case_id', 'in', ids).execute())
      out.get(r.case_id)!.refund = { amountMinor: Number(r.amount_minor), status: r.status };
  }
  return out;
}

/** Events with id above `afterId`, in id order (the start-up check's new events). */
export async function eventsAfter(db: Reader, afterId: number, limit: number): Promise<Array<{ id: number; case_id: string }>> {
  const rows = await db.selectFrom('case_events').select(['id', 'case_id']).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ id: Number(r.id), case_id: r.case_id }));
}

/** The event before position `seq` of a case (the link a page of new events continues from). */
export async function chainEventAt(db: Reader, caseId: string, seq: number): Promise<ChainRow | null> {
  const row = await db.selectFrom('case_events').select(columns).where('case_id', '=', caseId).where('seq', '=', seq).executeTakeFirst();
  return row ? asRow(row) : null;
}

/** Hashes at these (case, seq) positions. */
export async function hashesAt(db: Reader, positions: Array<{ caseId: string; seq: number }>): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const part of chunks(positions, 500)) {
    const rows = await db
      .selectFrom('case_events')
      .select(['case_id', 'seq', 'hash'])
      .where(
        'case_id',
        'in',
        part.map((p) => p.caseId),
      )
      .where('seq', 'in', [...new Set(part.map((p) => p.seq))])
      .execute();
    for (const r of rows) out.set(`${r.case_id}#${Number(r.seq)}`, r.hash);
  }
  return out;
}

/**
 * One page of chain heads, by case id after `afterCaseId`: each case's last event written
 * before `until` (epoch ms), for the cases with an event in [since, until).
 */
export async function headsPage(
  db: Reader,
  window: { since: number; until: number },
  afterCaseId: string | null,
  limit: number,
): Promise<Array<{ caseId: string; seq: number; hash: string | null }>> {
  let last = db
    .selectFrom('case_events')
    .select(['case_id', (eb) => eb.fn.max('seq').as('seq')])
    .where('at', '<', window.until)
    .where('seq', 'is not', null);
  if (afterCaseId !== null) last = last.where('case_id', '>', afterCaseId);
  const heads = last
    .groupBy('case_id')
    .having((eb) => eb(eb.fn.max('at'), '>=', window.since))
    .orderBy('case_id')
    .limit(limit);
  const rows = await db
    .selectFrom('case_events as e')
    .innerJoin(heads.as('h'), (j) => j.onRef('h.case_id', '=', 'e.case_id').onRef('h.seq', '=', 'e.seq'))
    .select(['e.case_id', 'e.seq', 'e.hash'])
    .orderBy('e.case_id')
    .execute();
  return rows.map((r) => ({ caseId: r.case_id, seq: Number(r.seq), hash: r.hash }));
}

/** The highest event id the start-up check has verified (0: none yet). */
export async function verifiedThrough(db: Reader): Promise<number> {
  const row = await db.selectFrom('audit_verified').select('through_event_id').where('id', '=', 1).executeTakeFirst();
  return row ? Number(row.through_event_id) : 0;
}

export async function setVerifiedThrough(tx: WriteTx, eventId: number, now: number): Promise<void> {
  await tx
    .insertInto('audit_verified')
    .values({ id: 1, through_event_id: eventId, at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ through_event_id: eventId, at: now }))
    .execute();
}
