import { sql, type Kysely } from 'kysely';
import { canonicalEventV1, canonicalJsonV1, sha256HexV1 } from './audit-chain-v1';
import { dialectOf, makeAppendOnly } from './dialect-helpers';

/**
 * Frozen once released: the tamper-evident audit chain (issue 14, item 4).
 * - case_events gains `seq` (1, 2, … within its case), `bound` (canonical JSON of the
 *   decisions and refund the event created, or NULL), `prev_hash` (the previous event's
 *   hash in the case, NULL for the first) and `hash` (SHA-256 of the event's canonical
 *   content, prev_hash included). A unique (case_id, seq) index keeps a chain from forking.
 * - Existing events are chained here, in (case, id) order: the n-th `case.decided` event of
 *   a case binds its n-th decision row (leftover decisions bind to its last event), and the
 *   last event binds the case's current refund. Rows are hashed in pages and written through
 *   a scratch table with one UPDATE … FROM, the append-only trigger lifted for that statement.
 * - audit_verified: per installation, the highest case_events.id the app has verified (the
 *   start-up check reads only what came after it).
 * - security_log: refusals that belong to no case history (callers without a session),
 *   counted per (kind, source, minute) instead of one row each; rows older than a day are
 *   pruned, so it stays bounded however many requests arrive.
 */
const PAGE = 5000;
const IN_LIST = 500;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('case_events').addColumn('seq', 'integer').execute();
  await db.schema.alterTable('case_events').addColumn('bound', 'text').execute();
  await db.schema.alterTable('case_events').addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable('case_events').addColumn('hash', 'text').execute();
  await db.schema
    .createTable('audit_verified')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('through_event_id', 'bigint', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('security_log')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('security_log_pk', ['kind', 'source', 'minute'])
    .execute();
  await db.schema.createIndex('security_log_by_minute').on('security_log').columns(['minute']).execute();

  await backfill(db);
  await db.schema.createIndex('case_events_chain').on('case_events').columns(['case_id', 'seq']).unique().execute();
}

interface EventRow {
  id: number;
  case_id: string;
  at: number;
  actor: string;
  type: string;
  details: string;
}

async function backfill(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_chain_backfill')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('bound', 'text')
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  // The case being chained when a page ends in its middle.
  let open: { caseId: string; seq: number; prev: string | null; decided: number } | null = null;
  let after: { caseId: string; id: number } | null = null;
  for (;;) {
    let q = db.selectFrom('case_events').select(['id', 'case_id', 'at', 'actor', 'type', 'details']);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([eb('case_id', '>', a.caseId), eb.and([eb('case_id', '=', a.caseId), eb('id', '>', a.id)])]));
    }
    const page = (await q.orderBy('case_id').orderBy('id').limit(PAGE).execute()) as EventRow[];
    if (!page.length) break;
    const more = page.length === PAGE;
    const caseIds = [...new Set(page.map((r) => r.case_id))];
    const { decisions, refunds, lastEventId } = await bindingsOf(db, caseIds);

    const out: Array<{ id: number; seq: number; bound: string | null; prev_hash: string | null; hash: string }> = [];
    for (const r of page) {
      if (!open || open.caseId !== r.case_id) open = { caseId: r.case_id, seq: 0, prev: null, decided: 0 };
      const seq = ++open.seq;
      const caseDecisions = decisions.get(r.case_id) ?? [];
      const boundValue: Record<string, unknown> = {};
      if (r.type === 'case.decided' && open.decided < caseDecisions.length) boundValue.decisions = [caseDecisions[open.decided++]];
      if (lastEventId.get(r.case_id) === Number(r.id)) {
        const rest = caseDecisions.slice(open.decided);
        if (rest.length) boundValue.decisions = [...((boundValue.decisions as unknown[]) ?? []), ...rest];
        if (refunds.has(r.case_id)) boundValue.refund = refunds.get(r.case_id);
      }
      const bound = Object.keys(boundValue).length ? canonicalJsonV1(boundValue) : null;
      const details = String(r.details);
      const hash = sha256HexV1(
        canonicalEventV1({ caseId: r.case_id, seq, type: r.type, actor: r.actor, at: Number(r.at), details, bound, prev: open.prev }),
      );
      out.push({ id: Number(r.id), seq, bound, prev_hash: open.prev, hash });
      open.prev = hash;
    }
    for (let i = 0; i < out.length; i += 1000)
      await db
        .insertInto('audit_chain_backfill')
        .values(out.slice(i, i + 1000))
        .execute();
    if (!more) break;
    const last = page[page.length - 1]!;
    after = { caseId: last.case_id, id: Number(last.id) };
  }

  await liftAppendOnly(db, async () => {
    await sql`UPDATE case_events SET seq = b.seq, bound = b.bound, prev_hash = b.prev_hash, hash = b.hash
              FROM audit_chain_backfill b WHERE b.id = case_events.id`.execute(db);
  });
  await db.schema.dropTable('audit_chain_backfill').execute();
}

/** The decisions (in seq order) and current refund of these cases, and each case's last event id. */
async function bindingsOf(db: Kysely<any>, caseIds: string[]) {
  const decisions = new Map<string, Array<Record<string, unknown>>>();
  const refunds = new Map<string, Record<string, unknown>>();
  const lastEventId = new Map<string, number>();
  for (let i = 0; i < caseIds.length; i += IN_LIST) {
    const ids = caseIds.slice(i, i + IN_LIST);
    const rows = await db
      .selectFrom('decisions')
      .select(['case_id', 'seq', 'outcome', 'amount_minor', 'basis'])
      .where('case_id', 'in', ids)
      .orderBy('case_id')
      .orderBy('seq')
      .execute();
    for (const d of rows) {
      const list = decisions.get(d.case_id) ?? [];
      list.push({ seq: Number(d.seq), outcome: d.outcome, amountMinor: Number(d.amount_minor), basis: d.basis });
      decisions.set(d.case_id, list);
    }
    for (const r of await db.selectFrom('refunds').select(['case_id', 'amount_minor', 'status']).where('case_id', 'in', ids).execute())
      refunds.set(r.case_id, { amountMinor: Number(r.amount_minor), status: r.status });
    for (const e of await db
      .selectFrom('case_events')
      .select(['case_id', (eb) => eb.fn.max('id').as('id')])
      .where('case_id', 'in', ids)
      .groupBy('case_id')
      .execute())
      lastEventId.set(e.case_id, Number(e.id));
  }
  return { decisions, refunds, lastEventId };
}

/** Runs `work` with case_events' append-only trigger removed, then puts the same trigger back. */
async function liftAppendOnly(db: Kysely<any>, work: () => Promise<void>): Promise<void> {
  if (dialectOf(db) === 'sqlite') {
    await sql`DROP TRIGGER case_events_no_update`.execute(db);
    await sql`DROP TRIGGER case_events_no_delete`.execute(db);
  } else {
    await sql`DROP TRIGGER case_events_no_change ON case_events`.execute(db);
  }
  await work();
  await makeAppendOnly(db, 'case_events');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('security_log').execute();
  await db.schema.dropTable('audit_verified').execute();
  await db.schema.dropIndex('case_events_chain').execute();
}
