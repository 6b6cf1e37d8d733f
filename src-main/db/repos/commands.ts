import type { Insertable } from 'kysely';
import type { MethodName } from '../../contract/methods';
import type { Database } from '../schema';
import type { Reader, WriteTx } from '../tx';
import { insertRows, type RowTable } from '../batch';

/**
 * The command log's rows (migrations/0004_supervision): every accepted case command as the
 * contract call that would make it again. What goes in is decided by app/case/command-log.ts.
 */
export interface LoggedCommand {
  id: number;
  caseId: string;
  at: number;
  actorId: string;
  actorRole: string;
  method: MethodName;
  input: Record<string, unknown>;
}

export type NewLoggedCommand = Insertable<Database['case_commands']>;

/** Writes one accepted command; inside the command's transaction (a precompiled insert, db/batch.ts). */
export async function insertCaseCommand(tx: WriteTx, row: NewLoggedCommand): Promise<void> {
  await insertRows(tx, CASE_COMMANDS, [[row.case_id, row.at, row.actor_id, row.actor_role, row.method, row.input]]);
}

const CASE_COMMANDS: RowTable = { table: 'case_commands', columns: ['case_id', 'at', 'actor_id', 'actor_role', 'method', 'input'] };

const MAX_IDS = 500;

/** The logged commands of these cases, each case's in the order they were accepted. */
export async function commandLogOf(db: Reader, caseIds: string[]): Promise<Map<string, LoggedCommand[]>> {
  const out = new Map<string, LoggedCommand[]>();
  const ids = [...new Set(caseIds)];
  for (let i = 0; i < ids.length; i += MAX_IDS) {
    const rows = await db
      .selectFrom('case_commands')
      .selectAll()
      .where('case_id', 'in', ids.slice(i, i + MAX_IDS))
      .orderBy('case_id')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const entry: LoggedCommand = {
        id: r.id,
        caseId: r.case_id,
        at: r.at,
        actorId: r.actor_id,
        actorRole: r.actor_role,
        method: r.method as MethodName,
        input: JSON.parse(r.input) as Record<string, unknown>,
      };
      const list = out.get(r.case_id);
      if (list) list.push(entry);
      else out.set(r.case_id, [entry]);
    }
  }
  return out;
}
