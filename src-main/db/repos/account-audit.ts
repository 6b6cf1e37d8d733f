import type { Reader, WriteTx } from '../tx';

/** The account log: who added, changed, deactivated, reset whom (append-only; not tied to a case). */
const MAX_DETAILS_CHARS = 2_000;

export async function recordAccountEvent(
  tx: WriteTx,
  e: { at: number; actor: string; event: string; subject: string; details?: Record<string, unknown> },
): Promise<void> {
  let details = JSON.stringify(e.details ?? {});
  // Details are ours (roles, ids, reasons), never free input; the cap is a second fence.
  if (details.length > MAX_DETAILS_CHARS) details = JSON.stringify({ truncated: details.slice(0, MAX_DETAILS_CHARS - 40) });
  await tx
    .insertInto('account_audit')
    .values({ at: e.at, actor: e.actor.slice(0, 200), event: e.event, subject: e.subject.slice(0, 200), details })
    .execute();
}

export async function accountEvents(db: Reader, subject: string, limit = 200) {
  return db.selectFrom('account_audit').selectAll().where('subject', '=', subject).orderBy('id', 'desc').limit(limit).execute();
}
