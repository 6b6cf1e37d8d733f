import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { dialectOf } from '../dialect';
import { afterCommit, runsAfterCommit, type Reader, type WriteTx } from '../tx';

/**
 * The change sequence of a team's shared server (migrations/0006_change_log). Every
 * transaction that changes cases writes one row here and, in the same statement, a
 * `pg_notify` on CHANGE_CHANNEL: both are part of the transaction, so other desktops hear
 * of the change exactly when it commits (PostgreSQL delivers notifications on commit, in
 * commit order, and drops them on rollback). A desktop whose listening connection was away
 * reads the rows after the last one it saw (db/listen.ts). SQLite has one process per
 * database file, whose in-process notices reach every window: nothing is written there.
 */

export const CHANGE_CHANNEL = 'mediation_desk_changes';

/** This process: a desk skips its own rows (it announced them in process already). */
export const changeOrigin: string = randomUUID();

export type ChangeReason = 'command' | 'sweep' | 'import' | 'presence';

/** More case ids than this in one transaction (an import, a long sweep) are stored as "refresh everything". */
const MAX_IDS = 1_000;
/** NOTIFY payloads are limited to 8000 bytes: longer id lists are read from the row. */
const MAX_PAYLOAD_IDS_CHARS = 6_000;

export interface LoggedChange {
  seq: number;
  origin: string;
  reason: ChangeReason;
  /** null: too many cases to list, refresh everything. */
  caseIds: string[] | null;
}

/**
 * Records a change in the caller's transaction and tells listening desktops once it commits.
 *
 * The notice (`pg_notify`) is sent right AFTER the commit, not inside the transaction: a
 * transaction that has NOTIFYed takes one lock for the whole database at its COMMIT and keeps
 * it until its commit record is on disk, so every command of every desktop committed one
 * after another, each waiting for its own disk flush (30 mediators pressing "Take next case":
 * on average 19 of 24 connections waiting for that lock, p95 2–4× the raw baseline). The
 * change_log row stays in the transaction, so what other desktops read is exactly what
 * committed; the notice only tells them to look. A notice that is never sent (the process
 * ended between its commit and its notice, the connection broke) is found by the listeners'
 * periodic catch-up from the change log (db/listen.ts). A transaction inWriteTx did not open
 * (a wrapped handle) notifies inside itself, as before.
 */
export async function recordChange(tx: WriteTx, caseIds: readonly string[], reason: ChangeReason, at: number): Promise<void> {
  if (!caseIds.length || dialectOf(tx) === 'sqlite') return;
  await logAndNotify(tx, changeNoticeParts(caseIds, reason, at, null));
}

/**
 * Records that every case may have changed (a full rescore of every buyer rewrote each case's
 * score copy): a change_log row without ids, which a listening desktop delivers as "refresh
 * everything" (db/listen.ts), sent after the commit like recordChange's. PostgreSQL only.
 */
export async function recordEverythingChanged(tx: WriteTx, reason: ChangeReason, at: number): Promise<void> {
  if (dialectOf(tx) === 'sqlite') return;
  await logAndNotify(tx, changeNoticeParts(null, reason, at, null));
}

/** Writes the change_log row and sends its notice after the commit (inside it for a transaction inWriteTx did not open). */
async function logAndNotify(tx: WriteTx, parts: ReturnType<typeof changeNoticeParts>): Promise<void> {
  if (!canNotifyAfterCommit(tx)) {
    await sql`WITH ${parts.logged} SELECT ${parts.notified}`.execute(tx);
    return;
  }
  const { rows } = await sql<{ seq: number }>`WITH ${parts.logged} SELECT seq FROM logged`.execute(tx);
  notifyAfterCommit(tx, parts, rows[0]?.seq);
}

/**
 * recordChange's statement in parts, for a writer that folds it into its own statement
 * (take-next): the CTE `logged` (the change_log row, written only when the CTE named `onlyIf`
 * has a row, if given), the expression that sends the notice in the statement (`notified`,
 * for a transaction that cannot notify after its commit) and the notice's payload for a given
 * sequence (notifyAfterCommit). `caseIds` null: every case. PostgreSQL only.
 */
export function changeNoticeParts(caseIds: readonly string[] | null, reason: ChangeReason, at: number, onlyIf: string | null) {
  // null: every case (recordEverythingChanged); too many ids are stored the same way.
  const unique = caseIds && [...new Set(caseIds)];
  const ids = unique && unique.length <= MAX_IDS ? JSON.stringify(unique) : null;
  const inPayload = ids !== null && ids.length <= MAX_PAYLOAD_IDS_CHARS ? ids : null;
  const values = sql`${ids}::text, ${reason}::text, ${changeOrigin}::text, ${at}::bigint`;
  const logged = sql`logged AS (
      INSERT INTO change_log (case_ids, reason, origin, at)
      ${onlyIf === null ? sql`VALUES (${values})` : sql`SELECT ${values} FROM ${sql.table(onlyIf)} LIMIT 1`}
      RETURNING seq
    )`;
  const notified = sql`(SELECT pg_notify(
      ${CHANGE_CHANNEL},
      json_build_object('seq', seq, 'origin', ${changeOrigin}::text, 'reason', ${reason}::text, 'caseIds', ${inPayload}::json)::text
    ) FROM logged)`;
  const payload = (seq: number) =>
    `{"seq":${seq},"origin":${JSON.stringify(changeOrigin)},"reason":${JSON.stringify(reason)},"caseIds":${inPayload ?? 'null'}}`;
  return { logged, notified, payload };
}

/** The transaction's notices can wait for its commit (it was opened by inWriteTx): then notifyAfterCommit sends them. */
export const canNotifyAfterCommit = (tx: WriteTx): boolean => runsAfterCommit(tx);

/** Sends the notice of change `seq` (if a row was logged) once `tx` commits; see recordChange. */
export function notifyAfterCommit(tx: WriteTx, parts: { payload(seq: number): string }, seq: number | null | undefined): void {
  if (seq === null || seq === undefined) return;
  const payload = parts.payload(Number(seq));
  if (!afterCommit(tx, (db) => noticesOf(db).send(payload))) throw new Error('notifyAfterCommit outside a transaction inWriteTx opened');
}

/**
 * The notices one database handle (one desktop) sends after its commits: at most one
 * statement in flight, each carrying every notice that queued meanwhile, so thirty mediators'
 * commits cost a few notifying statements a second. Each is its own short transaction that
 * writes nothing durable (nothing waits for a disk flush while it holds the notify lock).
 */
class Notices {
  private queued: string[] = [];
  private sending: Promise<void> | null = null;
  private warnedAt = 0;
  constructor(private readonly db: Reader) {}

  send(payload: string): void {
    this.queued.push(payload);
    if (!this.sending) this.sending = this.flush();
  }

  /** Resolves once every queued notice went out (or failed): the pool must not close under them. */
  sent(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }

  private async flush(): Promise<void> {
    try {
      while (this.queued.length) {
        const batch = this.queued.splice(0, NOTICES_PER_STATEMENT);
        try {
          await sql`SELECT count(pg_notify(${CHANGE_CHANNEL}, p)) FROM unnest(${batch}::text[]) AS p`.execute(this.db);
        } catch (e) {
          // The rows are committed: listeners find them when they next catch up (db/listen.ts).
          if (Date.now() - this.warnedAt > 5_000) {
            this.warnedAt = Date.now();
            console.warn(
              `[notices] ${batch.length} change notice(s) could not be sent; other desktops catch up from the change log: ${e instanceof Error ? e.message : String(e)}`,
            );
          }
        }
      }
    } finally {
      this.sending = null;
    }
  }
}

/**
 * Waits (at most `withinMs`) for the notices `db` still has to send. A process that closes its
 * database right after a commit (a CLI command, a desk quitting) would otherwise end the pool
 * before the notice got a connection: the others would then learn of that change only from
 * their log sweep, seconds later. Bounded, so a close never hangs on a server that went away.
 */
export async function noticesSent(db: object, withinMs: number): Promise<void> {
  const notices = noticesByDb.get(db);
  if (!notices) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([notices.sent(), new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
}

const NOTICES_PER_STATEMENT = 500;
const noticesByDb = new WeakMap<object, Notices>();
function noticesOf(db: Reader): Notices {
  let n = noticesByDb.get(db);
  if (!n) noticesByDb.set(db, (n = new Notices(db)));
  return n;
}

const payloadSchema = z.object({
  seq: z.number().int(),
  origin: z.string(),
  reason: z.enum(['command', 'sweep', 'import', 'presence']),
  caseIds: z.array(z.string()).nullable(),
});

/** A notification's payload; `caseIds: null` there means "read the row" (readChange), not "refresh everything". */
export function parseChangePayload(payload: string | undefined): z.infer<typeof payloadSchema> | null {
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(payload ?? ''));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const idsSchema = z.array(z.string());
const reasonSchema = z.enum(['command', 'sweep', 'import', 'presence']);

function toChange(row: { seq: number; origin: string; reason: string; case_ids: string | null }): LoggedChange {
  const ids = row.case_ids === null ? null : idsSchema.safeParse(JSON.parse(row.case_ids));
  const reason = reasonSchema.safeParse(row.reason);
  return {
    seq: row.seq,
    origin: row.origin,
    reason: reason.success ? reason.data : 'command',
    caseIds: ids === null || !ids.success ? null : ids.data,
  };
}

/** One row, or null once pruned. */
export async function readChange(db: Reader, seq: number): Promise<LoggedChange | null> {
  const row = await db.selectFrom('change_log').select(['seq', 'origin', 'reason', 'case_ids']).where('seq', '=', seq).executeTakeFirst();
  return row ? toChange(row) : null;
}

/** The rows after `after`, oldest first, at most `limit`. */
export async function readChangesAfter(db: Reader, after: number, limit: number): Promise<LoggedChange[]> {
  const rows = await db
    .selectFrom('change_log')
    .select(['seq', 'origin', 'reason', 'case_ids'])
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(toChange);
}

/** The lowest and highest sequence still stored (null, null while empty). */
export async function changeLogBounds(db: Reader): Promise<{ first: number | null; last: number | null }> {
  const row = await db
    .selectFrom('change_log')
    .select((eb) => [eb.fn.min<number | null>('seq').as('first'), eb.fn.max<number | null>('seq').as('last')])
    .executeTakeFirst();
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return { first: num(row?.first), last: num(row?.last) };
}

/**
 * Deletes the rows written before `before`, always a prefix of the sequence (everything up
 * to the newest such row) and never the newest row: a desktop that finds the first stored
 * row beyond the one after its last seen knows it missed pruned rows (db/listen.ts).
 */
export async function pruneChanges(tx: WriteTx, before: number): Promise<number> {
  const upTo = await tx
    .selectFrom('change_log')
    .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
    .where('at', '<', before)
    .executeTakeFirst();
  const { last } = await changeLogBounds(tx);
  if (upTo?.seq === null || upTo?.seq === undefined || last === null) return 0;
  const limit = Math.min(Number(upTo.seq), last - 1);
  const r = await tx.deleteFrom('change_log').where('seq', '<=', limit).executeTakeFirst();
  return Number(r.numDeletedRows);
}
