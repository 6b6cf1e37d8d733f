import { MAX_RELATED, type RelationKind } from '../../contract/casework';
import type { Outcome } from '../../contract/domain';
import type { ChecklistFacts } from '../../engine/evidence-checklist';
import type { TeamDecision } from '../../engine/consistency';
import { chunks } from '../batch';
import type { Reader, WriteTx } from '../tx';

/**
 * The SQL of the mediator's casework (migrations/0018): internal notes and second opinions,
 * the facts the evidence checklist reads, related cases and the past decisions the
 * consistency check compares with. Every read is bounded (a limit per lookup).
 */

// ---------- notes ----------

export interface NoteRow {
  id: string;
  case_id: string;
  author_id: string;
  author_name: string;
  kind: string;
  body: string;
  mention_id: string | null;
  mention_name: string | null;
  answers_id: string | null;
  answered_at: number | null;
  answered_by_note: string | null;
  created_at: number;
}

const noteColumns = [
  'n.id',
  'n.case_id',
  'n.author_id',
  'a.name as author_name',
  'n.kind',
  'n.body',
  'n.mention_id',
  'm.name as mention_name',
  'n.answers_id',
  'n.answered_at',
  'n.answered_by_note',
  'n.created_at',
] as const;

function notesQuery(db: Reader) {
  return db
    .selectFrom('case_notes as n')
    .innerJoin('users as a', 'a.id', 'n.author_id')
    .leftJoin('users as m', 'm.id', 'n.mention_id')
    .select(noteColumns);
}

export async function notesOf(db: Reader, caseId: string, limit: number): Promise<NoteRow[]> {
  return notesQuery(db).where('n.case_id', '=', caseId).orderBy('n.created_at').orderBy('n.id').limit(limit).execute();
}

export async function noteById(db: Reader, id: string): Promise<NoteRow | undefined> {
  return notesQuery(db).where('n.id', '=', id).executeTakeFirst();
}

export async function countNotes(db: Reader, caseId: string): Promise<number> {
  const r = await db
    .selectFrom('case_notes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('case_id', '=', caseId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertNote(
  tx: WriteTx,
  note: {
    id: string;
    caseId: string;
    authorId: string;
    kind: 'note' | 'consistency';
    body: string;
    mentionId: string | null;
    answersId: string | null;
    at: number;
  },
): Promise<void> {
  await tx
    .insertInto('case_notes')
    .values({
      id: note.id,
      case_id: note.caseId,
      author_id: note.authorId,
      kind: note.kind,
      body: note.body,
      mention_id: note.mentionId,
      answers_id: note.answersId,
      answered_at: null,
      answered_by_note: null,
      created_at: note.at,
    })
    .execute();
}

/** Marks an open second-opinion request answered; false when it was already answered (someone was first). */
export async function markAnswered(tx: WriteTx, requestId: string, answerId: string, at: number): Promise<boolean> {
  const r = await tx
    .updateTable('case_notes')
    .set({ answered_at: at, answered_by_note: answerId })
    .where('id', '=', requestId)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface OpenOpinionRow extends NoteRow {
  reason: string;
  status: string;
}

/** The second opinions asked of this supervisor and not answered yet, oldest first (case_notes_by_mention). */
export async function openSecondOpinions(db: Reader, supervisorId: string, limit: number): Promise<OpenOpinionRow[]> {
  return notesQuery(db)
    .innerJoin('cases as c', 'c.id', 'n.case_id')
    .select(['c.reason', 'c.status'])
    .where('n.mention_id', '=', supervisorId)
    .where('n.answered_at', 'is', null)
    .orderBy('n.created_at')
    .orderBy('n.id')
    .limit(limit)
    .execute();
}

/** Active users by id (for mentions), with their role. */
export async function activeUsers(db: Reader, ids: string[]): Promise<Array<{ id: string; name: string; role: string }>> {
  if (!ids.length) return [];
  return db.selectFrom('users').select(['id', 'name', 'role']).where('id', 'in', ids).where('active', '=', 1).execute();
}

export async function activeSupervisors(db: Reader): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('role', '=', 'supervisor')
    .where('active', '=', 1)
    .orderBy('id')
    .limit(200)
    .execute();
}

// ---------- the checklist's facts ----------

export interface CaseFacts extends ChecklistFacts {
  buyerId: string;
  sellerId: string;
  orderId: string;
  status: string;
  assignee: string | null;
  claimMinor: number;
  totalMinor: number;
  currency: string;
  /** The case row's version when it was read (the order's facts come with it; its evidence is read after it). */
  version: number;
}

export async function caseFacts(db: Reader, caseId: string): Promise<CaseFacts | null> {
  const c = await db
    .selectFrom('cases as c')
    .innerJoin('orders as o', 'o.id', 'c.order_id')
    .select([
      'c.id',
      'c.reason',
      'c.status',
      'c.assignee_id',
      'c.buyer_id',
      'c.seller_id',
      'c.order_id',
      'c.claim_amount_minor',
      'c.total_minor',
      'c.currency',
      'c.version',
      'o.tracking_number',
      'o.delivery_status',
      'o.delivered_at',
    ])
    .where('c.id', '=', caseId)
    .executeTakeFirst();
  if (!c) return null;
  const evidence = await db
    .selectFrom('evidence')
    .select(['party', 'name', 'media_type as mediaType'])
    .where('case_id', '=', caseId)
    .orderBy('seq')
    .limit(500)
    .execute();
  return {
    caseId: c.id,
    reason: c.reason as ChecklistFacts['reason'],
    status: c.status,
    assignee: c.assignee_id,
    buyerId: c.buyer_id,
    sellerId: c.seller_id,
    orderId: c.order_id,
    claimMinor: c.claim_amount_minor,
    totalMinor: c.total_minor,
    currency: c.currency,
    version: c.version,
    tracking: {
      number: c.tracking_number,
      status: c.delivery_status,
      deliveredAt: c.delivered_at === null ? null : new Date(c.delivered_at).toISOString(),
    },
    evidence,
  };
}

// ---------- related cases ----------

/** How many cases one lookup (one shared attribute) may contribute before the rest are left out. */
const PER_LOOKUP = MAX_RELATED;
/** How many other accounts one link value, or files one photo cluster, may fan out to. */
const FAN_OUT = 200;

export interface RelatedRow {
  id: string;
  status: string;
  reason: string;
  assignee_id: string | null;
  currency: string;
  claim_amount_minor: number;
  outcome: string | null;
  amount_minor: number | null;
}

/** Case ids related to this case, by what they share; each lookup walks an index and stops at PER_LOOKUP. */
export async function relatedCaseIds(db: Reader, facts: CaseFacts): Promise<{ via: Map<string, Set<RelationKind>>; truncated: boolean }> {
  const via = new Map<string, Set<RelationKind>>();
  let truncated = false;
  const add = (ids: string[], kind: RelationKind) => {
    if (ids.length > PER_LOOKUP) truncated = true;
    for (const id of ids.slice(0, PER_LOOKUP)) {
      if (id === facts.caseId) continue;
      const s = via.get(id) ?? new Set<RelationKind>();
      s.add(kind);
      via.set(id, s);
    }
  };
  const casesWhere = (column: 'buyer_id' | 'seller_id', values: string[]) =>
    values.length
      ? db
          .selectFrom('cases')
          .select('id')
          .where(column, 'in', values)
          .orderBy('opened_at', 'desc')
          .orderBy('id')
          .limit(PER_LOOKUP + 1)
          .execute()
          .then((r) => r.map((x) => x.id))
      : Promise.resolve([] as string[]);

  add(await casesWhere('buyer_id', [facts.buyerId]), 'buyer');
  add(await casesWhere('seller_id', [facts.sellerId]), 'seller');

  // Other buyers sharing a device, address or payment value with this buyer (account_links_by_value).
  const links = await db.selectFrom('account_links').select(['kind', 'value']).where('account_id', '=', facts.buyerId).limit(100).execute();
  for (const kind of ['device', 'address', 'payment'] as const) {
    const values = links.filter((l) => l.kind === kind).map((l) => l.value);
    if (!values.length) continue;
    const others = await db
      .selectFrom('account_links')
      .select('account_id')
      .distinct()
      .where('kind', '=', kind)
      .where('value', 'in', values)
      .where('account_id', '<>', facts.buyerId)
      .limit(FAN_OUT)
      .execute();
    add(
      await casesWhere(
        'buyer_id',
        others.map((o) => o.account_id),
      ),
      kind,
    );
  }

  if (facts.tracking.number) {
    const orders = await db.selectFrom('orders').select('id').where('tracking_number', '=', facts.tracking.number).limit(FAN_OUT).execute();
    const ids = orders.length
      ? await db
          .selectFrom('cases')
          .select('id')
          .where(
            'order_id',
            'in',
            orders.map((o) => o.id),
          )
          .limit(PER_LOOKUP + 1)
          .execute()
      : [];
    add(
      ids.map((r) => r.id),
      'tracking',
    );
  }

  // The same picture (a near-duplicate cluster of stored files) in other cases.
  const clusters = await db
    .selectFrom('evidence as e')
    .innerJoin('evidence_files as f', 'f.sha256', 'e.sha256')
    .select('f.cluster_key')
    .distinct()
    .where('e.case_id', '=', facts.caseId)
    .where('f.cluster_key', 'is not', null)
    .limit(50)
    .execute();
  const keys = clusters.map((c) => c.cluster_key!).filter(Boolean);
  const ownSha = await db.selectFrom('evidence').select('sha256').where('case_id', '=', facts.caseId).limit(500).execute();
  const shas = new Set(ownSha.map((s) => s.sha256));
  if (keys.length) {
    const files = await db.selectFrom('evidence_files').select('sha256').where('cluster_key', 'in', keys).limit(FAN_OUT).execute();
    for (const f of files) shas.add(f.sha256);
  }
  if (shas.size) {
    const ids = await db
      .selectFrom('evidence')
      .select('case_id')
      .distinct()
      .where('sha256', 'in', [...shas].slice(0, FAN_OUT))
      .where('case_id', '<>', facts.caseId)
      .limit(PER_LOOKUP + 1)
      .execute();
    add(
      ids.map((r) => r.case_id),
      'photo',
    );
  }
  return { via, truncated };
}

/** The related cases' rows with their latest decision (if any). */
export async function relatedRows(db: Reader, ids: string[]): Promise<RelatedRow[]> {
  const out: RelatedRow[] = [];
  for (const part of chunks(ids, 500)) {
    const rows = await db
      .selectFrom('cases as c')
      .leftJoin('decisions as d', (j) =>
        j.onRef('d.case_id', '=', 'c.id').on('d.seq', '=', (eb) =>
          eb
            .selectFrom('decisions as last')
            .select((x) => x.fn.max('last.seq').as('m'))
            .whereRef('last.case_id', '=', 'c.id'),
        ),
      )
      .select(['c.id', 'c.status', 'c.reason', 'c.assignee_id', 'c.currency', 'c.claim_amount_minor', 'd.outcome', 'd.amount_minor'])
      .where('c.id', 'in', part)
      .execute();
    out.push(...rows);
  }
  return out;
}

// ---------- consistency ----------

/** How many decided cases of the same reason (newest first) the nearest decisions are looked for among. */
export const CONSISTENCY_CANDIDATES = 400;
/** And how many of the same seller's, whatever their age. */
const SAME_SELLER_CANDIDATES = 100;
const DECIDED = ['closed', 'appealed', 'final'];
/** Decisions a person made (not the parties' agreement nor a deadline's default). */
const JUDGED = ['mediator', 'appeal'];

export interface CandidateRow {
  caseId: string;
  reason: string;
  sellerId: string;
  claimMinor: number;
  totalMinor: number;
  currency: string;
  trackingNumber: string | null;
  deliveryStatus: string;
  deliveredAt: number | null;
  outcome: Outcome;
  amountMinor: number;
  decidedAt: number;
  decidedBy: string;
  evidence: Array<{ party: string; name: string; mediaType: string }>;
}

/**
 * Past decided cases of this reason: the newest CONSISTENCY_CANDIDATES (cases_decided_by_reason)
 * and the same seller's newest (cases_by_seller), each with its latest judged decision and files.
 */
export async function consistencyCandidates(db: Reader, reason: string, sellerId: string, excludeCaseId: string): Promise<CandidateRow[]> {
  const base = () =>
    db
      .selectFrom('cases as c')
      .innerJoin('orders as o', 'o.id', 'c.order_id')
      .innerJoin('decisions as d', 'd.case_id', 'c.id')
      .select([
        'c.id as caseId',
        'c.reason',
        'c.seller_id as sellerId',
        'c.claim_amount_minor as claimMinor',
        'c.total_minor as totalMinor',
        'c.currency',
        'o.tracking_number as trackingNumber',
        'o.delivery_status as deliveryStatus',
        'o.delivered_at as deliveredAt',
        'd.outcome',
        'd.amount_minor as amountMinor',
        'd.decided_at as decidedAt',
        'd.decided_by as decidedBy',
        'd.seq',
      ])
      .where('c.reason', '=', reason)
      .where('c.status', 'in', DECIDED)
      .where('c.id', '<>', excludeCaseId)
      .where('d.basis', 'in', JUDGED);
  const recent = await base().orderBy('c.updated_at', 'desc').limit(CONSISTENCY_CANDIDATES).execute();
  const seller = await base().where('c.seller_id', '=', sellerId).orderBy('c.opened_at', 'desc').limit(SAME_SELLER_CANDIDATES).execute();
  // One row per case: its latest judged decision.
  const byCase = new Map<string, (typeof recent)[number]>();
  for (const r of [...recent, ...seller]) {
    const had = byCase.get(r.caseId);
    if (!had || had.seq < r.seq) byCase.set(r.caseId, r);
  }
  const ids = [...byCase.keys()];
  const files = new Map<string, CandidateRow['evidence']>();
  for (const part of chunks(ids, 500)) {
    const rows = await db.selectFrom('evidence').select(['case_id', 'party', 'name', 'media_type']).where('case_id', 'in', part).execute();
    for (const f of rows) {
      const list = files.get(f.case_id) ?? [];
      list.push({ party: f.party, name: f.name, mediaType: f.media_type });
      files.set(f.case_id, list);
    }
  }
  return [...byCase.values()].map(({ seq: _seq, ...r }) => ({ ...r, outcome: r.outcome as Outcome, evidence: files.get(r.caseId) ?? [] }));
}

/** Judged decisions in a window, newest first (decisions_by_time), bounded. */
export async function decisionsSince(db: Reader, since: number, limit: number): Promise<TeamDecision[]> {
  const rows = await db
    .selectFrom('decisions as d')
    .innerJoin('cases as c', 'c.id', 'd.case_id')
    .innerJoin('orders as o', 'o.id', 'c.order_id')
    .select(['d.decided_by', 'c.reason', 'o.delivery_status', 'c.claim_amount_minor', 'c.total_minor', 'd.outcome'])
    .where('d.decided_at', '>=', since)
    .where('d.basis', 'in', JUDGED)
    .orderBy('d.decided_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    decidedBy: r.decided_by,
    reason: r.reason,
    deliveryStatus: r.delivery_status,
    claimShare: r.total_minor > 0 ? r.claim_amount_minor / r.total_minor : 0,
    outcome: r.outcome as Outcome,
  }));
}

export async function deskMembers(db: Reader): Promise<Array<{ id: string; name: string }>> {
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('role', 'in', ['mediator', 'supervisor'])
    .where('active', '=', 1)
    .orderBy('id')
    .limit(500)
    .execute();
}
