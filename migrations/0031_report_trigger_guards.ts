import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect-helpers';

/**
 * The report summaries' triggers (0028_report_facts) skip the cases they cannot change.
 *
 * A case's report_cases row exists exactly while the case has a first decision
 * (decisions.seq = 1): only the refresh computes it, from that decision. So a change to a
 * case's evidence requests, proposal, appeal or refund before it is decided recomputes
 * nothing (the refresh deletes no row and inserts none), and a later decision (seq > 1)
 * changes no figure (every figure is the first decision's). Yet each such change ran the
 * refresh: on SQLite a DELETE and an INSERT … SELECT per row, ~25 µs for every evidence
 * request a command opens and every one the sweep expires, most of them on undecided cases.
 *
 * - SQLite: the same trigger bodies, with a WHEN clause: a source row's trigger fires only
 *   when its case has a first decision; decisions' insert and delete triggers only for
 *   seq = 1 (their update trigger already fires only when a column it reads changed).
 * - PostgreSQL: the statement-level refresh (report_refresh) first keeps, of the ids it was
 *   given, those with a first decision or a report_cases row (a deleted first decision
 *   leaves the row to remove), in the same order.
 * The bodies are taken from the database and rewritten, so they stay exactly 0028's.
 */

const SOURCES = ['appeals', 'evidence_requests', 'proposals', 'refunds'];
const decided = (id: string) => `EXISTS (SELECT 1 FROM decisions WHERE case_id = ${id} AND seq = 1)`;

/** The guard each SQLite trigger gets (`cond` is the trigger's own WHEN, if it has one). */
function guardOf(name: string): ((cond: string | null) => string) | null {
  if (name === 'report_decisions_insert') return () => 'NEW.seq = 1';
  if (name === 'report_decisions_delete') return () => 'OLD.seq = 1';
  for (const t of SOURCES) {
    if (name === `report_${t}_insert`) return () => decided('NEW.case_id');
    if (name === `report_${t}_delete`) return () => decided('OLD.case_id');
    if (name === `report_${t}_update`) return (cond) => `(${cond}) AND (${decided('OLD.case_id')} OR ${decided('NEW.case_id')})`;
  }
  return null;
}

const MARK = '/* 0031 guard */';

async function sqliteTriggers(db: Kysely<any>, guard: boolean) {
  const { rows } = await sql<{
    name: string;
    sql: string;
  }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name`.execute(db);
  for (const { name, sql: text } of rows) {
    const g = guardOf(name);
    if (!g) continue;
    // The head is everything before the first BEGIN (bodies start with BEGIN; no name or column holds the word).
    const at = text.indexOf(' BEGIN ');
    if (at < 0) throw new Error(`0031: trigger ${name} has no body`);
    let head = text.slice(0, at);
    const body = text.slice(at);
    if (guard) {
      if (head.includes(MARK)) continue;
      const when = head.match(/ WHEN (.*)$/s);
      head = when ? `${head.slice(0, when.index)} WHEN ${MARK} ${g(when[1]!)}` : `${head} WHEN ${MARK} ${g(null)}`;
    } else {
      const marked = head.indexOf(` WHEN ${MARK} `);
      if (marked < 0) continue;
      const guarded = head.slice(marked + ` WHEN ${MARK} `.length);
      // An update trigger kept its own condition, first, in parentheses.
      const own = name.endsWith('_update') && !name.startsWith('report_decisions') ? guarded.match(/^\((.*)\) AND \(EXISTS /s) : null;
      head = own ? `${head.slice(0, marked)} WHEN ${own[1]}` : head.slice(0, marked);
    }
    await sql.raw(`DROP TRIGGER ${name}`).execute(db);
    await sql.raw(`${head}${body}`).execute(db);
  }
}

const FILTER_START = '-- 0031: only cases with a first decision or a report row';
const FILTER = `${FILTER_START}
         ids := ARRAY(SELECT i FROM unnest(ids) AS i
           WHERE EXISTS (SELECT 1 FROM decisions d WHERE d.case_id = i AND d.seq = 1)
              OR EXISTS (SELECT 1 FROM report_cases rc WHERE rc.case_id = i) ORDER BY 1);
         IF cardinality(ids) = 0 THEN RETURN; END IF;
         -- 0031 end
`;

async function postgresRefresh(db: Kysely<any>, guard: boolean) {
  const { rows } = await sql<{ def: string }>`SELECT pg_get_functiondef('report_refresh(text[])'::regprocedure) AS def`.execute(db);
  let def = rows[0]!.def;
  // Inserted right after the function's first statement (its empty-list check), and taken out as exactly that text.
  const inserted = `\n         ${FILTER}`;
  if (guard) {
    if (def.includes(FILTER_START)) return;
    const anchor = 'END IF;';
    const at = def.indexOf(anchor);
    if (at < 0) throw new Error('0031: report_refresh is not the function 0028 created');
    def = def.slice(0, at + anchor.length) + inserted + def.slice(at + anchor.length);
  } else {
    if (!def.includes(inserted)) return;
    def = def.replace(inserted, '');
  }
  await sql.raw(def).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') await sqliteTriggers(db, true);
  else await postgresRefresh(db, true);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'sqlite') await sqliteTriggers(db, false);
  else await postgresRefresh(db, false);
}
